package layers

import (
	"context"
	"errors"
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
	if load, err := demoPartnerNeedsLoad(ctx, tx, ds, sum); err != nil || !load {
		return err
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
	sum.Written += int64(rep.Features)
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

// demoPartnerNeedsLoad says whether the demo partner layer is to be (re)loaded. The layer is
// the demo's while every version of it is the demo's (an upload through the API makes a
// version of another format and clears illustrative); it is then replaced only when its
// features differ from the demo's, so a reload keeps it as it is. A layer a user uploaded
// to is kept.
func demoPartnerNeedsLoad(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) (bool, error) {
	var exists, demo, same bool
	args := append([]any{DemoPartnerLayer}, partnerDemoArrays(ds.MimerBuildings)...)
	err := tx.QueryRow(ctx, demoPartnerStateSQL, args...).Scan(&exists, &demo, &same)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("partner layer %s: %w", DemoPartnerLayer, err)
	case !demo:
		sum.Kept++
		return false, nil
	case same:
		sum.PartnerFeatures += int64(len(ds.MimerBuildings))
		return false, nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM partner_layers WHERE id = $1`, DemoPartnerLayer); err != nil {
		return false, fmt.Errorf("partner layer %s: %w", DemoPartnerLayer, err)
	}
	sum.Removed++
	return true, nil
}

// demoPartnerStateSQL says whether the demo partner layer $1 exists, whether it is still only
// the demo's (illustrative, every version loaded by the demo), and whether its current
// features are exactly the buildings given as arrays ($2 numbers, $3 ids, $4 dwellings, $5
// years built, $6 and $7 coordinates).
const demoPartnerStateSQL = `
SELECT true,
       l.illustrative AND NOT EXISTS (SELECT 1 FROM partner_layer_versions v WHERE v.layer_id = l.id AND v.format <> 'demo'),
       (SELECT count(*) FROM partner_features f WHERE f.layer_id = l.id AND f.version = l.current_version) = cardinality($2::integer[])
       AND NOT EXISTS (
           SELECT 1 FROM unnest($2::integer[], $3::text[], $4::bigint[], $5::bigint[], $6::double precision[], $7::double precision[])
                AS s(feature_no, building_id, dwellings, built_year, x, y)
           LEFT JOIN partner_features f ON f.layer_id = l.id AND f.version = l.current_version AND f.feature_no = s.feature_no
           WHERE f.feature_no IS NULL
              OR f.properties IS DISTINCT FROM jsonb_build_object('building_id', s.building_id, 'dwellings', s.dwellings, 'built_year', s.built_year)
              OR f.geom IS DISTINCT FROM ST_SetSRID(ST_MakePoint(s.x, s.y), 3006))
FROM partner_layers l WHERE l.id = $1`

// partnerDemoArrays are the buildings as the arrays demoPartnerStateSQL takes, numbered as
// loadDemoPartners numbers the features.
func partnerDemoArrays(bs []data.PartnerBuilding) []any {
	n := len(bs)
	nos, ids, dwellings, built := make([]int32, n), make([]string, n), make([]int64, n), make([]int64, n)
	xs, ys := make([]float64, n), make([]float64, n)
	for i, b := range bs {
		nos[i], ids[i], dwellings[i], built[i] = int32(i+1), b.ID, int64(b.Dwellings), int64(b.BuiltYear)
		xs[i], ys[i] = b.Location[0], b.Location[1]
	}
	return []any{nos, ids, dwellings, built, xs, ys}
}
