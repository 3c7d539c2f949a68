package layers

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/twpayne/go-geom"

	"github.com/lagesbild/lagesbild/data"
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// DemoPartnerLayer is the id of the demo's partner layer: the housing company Mimer's
// buildings (illustrative), owned by the demo organisation mimer and shared with the
// municipality and the police.
const DemoPartnerLayer = "mimer-bestand"

// demoPartnerOrgs are the demo organisations the partner layer needs: its owner and those
// it is shared with (the first is the owner).
var demoPartnerOrgs = []string{"mimer", "vasteras", "polisen"}

// loadDemoPartners loads the demo partner layer through the same import as an upload, and
// configures its district share as a feasibility input of the prioritisation, switched off
// (weight 0) until a planner weighs it in (feasibility_weights). The organisations are made
// here when the demo identities have not been loaded yet (LoadDemoIdentity completes them);
// an organisation of the same code that is not a demo one is refused, as there.
func loadDemoPartners(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	if len(ds.MimerBuildings) == 0 {
		return nil
	}
	for _, o := range DemoOrganisations {
		if !slices.Contains(demoPartnerOrgs, o.Code) {
			continue
		}
		var demo bool
		err := tx.QueryRow(ctx, `INSERT INTO organisations (code, name, kind, demo) VALUES ($1, $2, $3, true)
			ON CONFLICT (code) DO UPDATE SET code = excluded.code RETURNING demo`, o.Code, o.Name, o.Kind).Scan(&demo)
		if err != nil {
			return fmt.Errorf("organisation %q: %w", o.Code, err)
		}
		if !demo {
			return fmt.Errorf("%w: organisation %q exists and is not a demo organisation", ErrConflict, o.Code)
		}
	}
	fc := &featurefile.Collection{SRID: 3006, GeometryType: "Point", Fields: []featurefile.Field{
		{Name: "building_id", Type: featurefile.String}, {Name: "dwellings", Type: featurefile.Integer},
		{Name: "built_year", Type: featurefile.Integer}}}
	for i, b := range ds.MimerBuildings {
		p := geom.NewPointFlat(geom.XY, []float64{b.Location[0], b.Location[1]}).SetSRID(3006)
		fc.Features = append(fc.Features, featurefile.Feature{Number: i + 1, Geometry: p, Properties: map[string]any{
			"building_id": b.ID, "dwellings": int64(b.Dwellings), "built_year": int64(b.BuiltYear)}})
	}
	rep, err := uploadPartner(ctx, tx, demoPartnerOrgs[0], PartnerUpload{ID: DemoPartnerLayer,
		Title: "Mimers bestånd (illustrativt)", SharedWith: demoPartnerOrgs[1:], Format: "demo", Illustrative: true}, fc)
	if err != nil {
		return err
	}
	sum.PartnerFeatures += int64(rep.Features)
	_, err = tx.Exec(ctx, `
		INSERT INTO priority_feasibility_inputs (key, source, partner_layer, partner_property, partner_total, direction, weight, rationale)
		VALUES ('housing_company_share', 'partner_layer', $1, 'dwellings', 'dwellings', 'higher_is_better', 0,
		        'The municipal housing company''s share of the dwellings: a landlord that takes part in the joint work (the report: start where the chance of success is high). Off by default; weigh it in with feasibility_weights. Callers the layer is not shared with get it as unavailable.')
		ON CONFLICT (key) DO NOTHING`, DemoPartnerLayer)
	if err != nil {
		return fmt.Errorf("feasibility input: %w", err)
	}
	return nil
}
