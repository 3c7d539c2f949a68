package layers

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lagesbild/lagesbild/data"
)

// DemoSummary counts the rows LoadDemo wrote, per table, and the illustrative rows it
// removed first.
type DemoSummary struct {
	Removed                 int64 // illustrative rows deleted before the load (all tables)
	Districts               int64 // including the municipality
	DistrictClassifications int64
	VulnerableAreas         int64
	Places                  int64
	Observations            int64
	Indicators              int64
	IndicatorValues         int64
	Interventions           int64
	InterventionDistricts   int64
	PartnerFeatures         int64 // of the illustrative partner layers (partner_demo.go)
}

// demoDeletes remove the previous demo, children before parents. Intervention districts go
// with their interventions (ON DELETE CASCADE); districts go by level because the parent
// reference is ON DELETE RESTRICT, which is checked row by row. Non-illustrative rows that
// reference an illustrative district or indicator go with it by cascade; a non-illustrative
// district whose parent is illustrative makes the load fail rather than orphan it.
func demoDeletes() []string {
	return []string{
		`DELETE FROM partner_layers WHERE illustrative`,
		`DELETE FROM interventions WHERE illustrative`,
		`DELETE FROM observations WHERE illustrative`,
		`DELETE FROM indicator_values WHERE illustrative`,
		`DELETE FROM indicators WHERE illustrative`,
		`DELETE FROM district_classifications WHERE illustrative`,
		`DELETE FROM vulnerable_areas WHERE illustrative`,
		`DELETE FROM places WHERE illustrative`,
		`DELETE FROM districts WHERE illustrative AND level = 'deso'`,
		`DELETE FROM districts WHERE illustrative AND level = 'district'`,
		`DELETE FROM districts WHERE illustrative AND level = 'regso'`,
		`DELETE FROM districts WHERE illustrative AND level = 'municipality'`,
	}
}

// demoMunicipalitySQL inserts the municipality; the outline is made valid and multi so a
// simplified outline that touches itself still satisfies the table's CHECK.
const demoMunicipalitySQL = `
INSERT INTO districts (code, name, level, population, data_class, illustrative, geom)
VALUES ($1, $2, $3, $4, $5, true,
        ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromEWKB($6)), 3)))`

// demoDistrictsSQL builds the district polygons as Voronoi cells of the seed points, extended
// well past the outline of the parent ($1) and clipped to it. Each cell is matched to the seed
// that generated it (a generator lies strictly inside its own cell).
const demoDistrictsSQL = `
WITH seeds AS (
    SELECT s.code, s.name, s.level, s.part_of_town, s.population, s.data_class,
           ST_SetSRID(ST_MakePoint(s.x, s.y), 3006) AS pt
    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[],
                $8::double precision[], $9::double precision[])
         AS s(code, name, level, part_of_town, population, data_class, x, y)
),
frame AS (
    SELECT geom FROM districts WHERE code = $1
),
cells AS (
    SELECT (ST_Dump(ST_VoronoiPolygons(
               (SELECT ST_Collect(pt) FROM seeds), 0,
               (SELECT ST_Expand(ST_Envelope(geom), 10000) FROM frame)))).geom AS cell
)
INSERT INTO districts (code, name, level, parent_code, part_of_town, population, data_class, illustrative, geom)
SELECT s.code, s.name, s.level, $1, s.part_of_town, s.population, s.data_class, true,
       ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(c.cell, f.geom)), 3))
FROM seeds s
JOIN cells c ON ST_Contains(c.cell, s.pt)
CROSS JOIN frame f`

const demoClassificationSQL = `
INSERT INTO district_classifications (district_code, class, valid_from, valid_to, source, illustrative)
VALUES ($1, $2, $3, $4, $5, true)`

// demoVulnerableAreaSQL draws a demo police list entry as its district's outline. A real
// imported row of the same name and year wins: the demo row is left out.
const demoVulnerableAreaSQL = `
INSERT INTO vulnerable_areas (name, class, year, source, illustrative, geom)
SELECT $2, $3, $4, $5, true, d.geom FROM districts d WHERE d.code = $1
ON CONFLICT (name, year) DO NOTHING`

const demoPlaceSQL = `
INSERT INTO places (name, kind, description, data_class, illustrative, geom)
VALUES ($1, $2, $3, $4, true, ST_GeomFromEWKB($5))`

const demoIndicatorSQL = `
INSERT INTO indicators (key, name_sv, name_en, unit, theme, direction, source, description, illustrative)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)`

// The observations are copied into a staging table with plain coordinates (COPY cannot call
// functions) and moved into place with one INSERT ... SELECT.
const (
	demoObservationStageSQL = `
CREATE TEMP TABLE demo_observations (
    observed_at timestamptz,
    category    text,
    severity    smallint,
    source      text,
    source_id   text,
    sensitivity text,
    x           double precision,
    y           double precision
) ON COMMIT DROP`

	demoObservationsSQL = `
INSERT INTO observations (observed_at, category, severity, source, source_id, sensitivity, illustrative, geom)
SELECT observed_at, category, severity, source, source_id, sensitivity, true,
       ST_SetSRID(ST_MakePoint(x, y), 3006)
FROM demo_observations
ORDER BY ST_SetSRID(ST_MakePoint(x, y), 3006) -- spatial (Hilbert) order: a bbox reads few heap pages`
)

// demoInterventionSQL inserts one intervention; $14 is EWKB or NULL, $15 the owner.
const demoInterventionSQL = `
INSERT INTO interventions (title, description, category, horizon, approach, lead_org, partners, status,
                           start_date, end_date, hours_per_week, budget_sek, data_class, illustrative, geom, owner_org)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, true, ST_GeomFromEWKB($14), $15)
RETURNING id`

// demoOwner is the demo organisation (DemoOrganisations) that owns an intervention led by
// lead, so the demo's editors change their own organisation's interventions (migration 017):
// the police's, the housing company's, civil society's, the region's; every unit of the
// municipality (BUF, IFF, KIFF, SKF, the city management office) is the municipality.
func demoOwner(lead string) string {
	switch lead {
	case "Polisen":
		return "polisen"
	case "Mimer":
		return "mimer"
	case "Civilsamhället":
		return "civil"
	case "Regionen":
		return "region"
	}
	return "vasteras"
}

const demoInterventionDistrictsSQL = `
INSERT INTO intervention_districts (intervention_id, district_code)
SELECT $1, code FROM unnest($2::text[]) AS code`

// LoadDemo replaces the illustrative rows of every table with ds, in one transaction: either
// the whole new demo is in place or the database is unchanged. Rows that are not illustrative
// are left alone (except by the cascades described at demoDeletes). Running it twice with
// the same dataset gives the same database state, apart from generated ids. It fails if a
// real row already uses a demo key (a district code or a place name).
func (s *Store) LoadDemo(ctx context.Context, ds *data.Dataset) (DemoSummary, error) {
	var sum DemoSummary
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range demoDeletes() {
			tag, err := tx.Exec(ctx, q)
			if err != nil {
				return fmt.Errorf("remove previous demo: %w", err)
			}
			sum.Removed += tag.RowsAffected()
		}
		steps := []struct {
			name string
			run  func(context.Context, pgx.Tx, *data.Dataset, *DemoSummary) error
		}{
			{"districts", loadDemoDistricts},
			{"classifications", loadDemoClassifications},
			{"vulnerable areas", loadDemoVulnerableAreas},
			{"places", loadDemoPlaces},
			{"indicators", loadDemoIndicators},
			{"observations", loadDemoObservations},
			{"interventions", loadDemoInterventions},
			{"partner layers", loadDemoPartners},
		}
		for _, st := range steps {
			if err := st.run(ctx, tx, ds, &sum); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return DemoSummary{}, fmt.Errorf("load demo: %w", err)
	}
	// Every layer's extent may have changed.
	s.extents.mu.Lock()
	s.extents.entries = nil
	s.extents.mu.Unlock()
	return sum, nil
}

func loadDemoDistricts(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	m := ds.Municipality
	outline, err := toEWKB(m.Outline)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, demoMunicipalitySQL, m.Code, m.Name, m.Level, m.Population, m.DataClass, outline); err != nil {
		return fmt.Errorf("municipality: %w", err)
	}
	n := len(ds.Districts)
	codes, names, levels, parts, classes := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	pops := make([]int32, n)
	xs, ys := make([]float64, n), make([]float64, n)
	for i, d := range ds.Districts {
		if d.ParentCode != m.Code {
			return fmt.Errorf("district %s: parent %q is not the municipality %q", d.Code, d.ParentCode, m.Code)
		}
		codes[i], names[i], levels[i], parts[i], classes[i] = d.Code, d.Name, d.Level, d.PartOfTown, d.DataClass
		pops[i] = int32(d.Population)
		xs[i], ys[i] = d.Seed[0], d.Seed[1]
	}
	tag, err := tx.Exec(ctx, demoDistrictsSQL, m.Code, codes, names, levels, parts, pops, classes, xs, ys)
	if err != nil {
		return err
	}
	if int(tag.RowsAffected()) != n {
		return fmt.Errorf("%d of %d Voronoi cells matched their seed", tag.RowsAffected(), n)
	}
	sum.Districts = int64(n) + 1
	return nil
}

func loadDemoClassifications(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	for _, c := range ds.Classifications {
		if _, err := tx.Exec(ctx, demoClassificationSQL, c.DistrictCode, c.Class, c.ValidFrom, c.ValidTo, c.Source); err != nil {
			return fmt.Errorf("%s %s: %w", c.DistrictCode, c.Class, err)
		}
		sum.DistrictClassifications++
	}
	return nil
}

func loadDemoVulnerableAreas(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	for _, v := range ds.VulnerableAreas {
		tag, err := tx.Exec(ctx, demoVulnerableAreaSQL, v.DistrictCode, v.Name, v.Class, v.Year, v.Source)
		if err != nil {
			return fmt.Errorf("%s %d: %w", v.Name, v.Year, err)
		}
		sum.VulnerableAreas += tag.RowsAffected()
	}
	return nil
}

func loadDemoPlaces(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	for _, p := range ds.Places {
		g, err := toEWKB(p.Geom)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		if _, err := tx.Exec(ctx, demoPlaceSQL, p.Name, p.Kind, p.Description, p.DataClass, g); err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		sum.Places++
	}
	return nil
}

func loadDemoIndicators(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	for _, i := range ds.Indicators {
		if _, err := tx.Exec(ctx, demoIndicatorSQL, i.Key, i.NameSV, i.NameEN, i.Unit, i.Theme, i.Direction,
			i.Source, i.Description); err != nil {
			return fmt.Errorf("%s: %w", i.Key, err)
		}
		sum.Indicators++
	}
	vs := ds.IndicatorValues
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"indicator_values"},
		[]string{"district_code", "indicator_key", "year", "value", "data_class", "illustrative"},
		pgx.CopyFromSlice(len(vs), func(i int) ([]any, error) {
			v := vs[i]
			return []any{v.DistrictCode, v.IndicatorKey, int16(v.Year), v.Value, v.DataClass, true}, nil
		}))
	if err != nil {
		return fmt.Errorf("values: %w", err)
	}
	sum.IndicatorValues = n
	return nil
}

func loadDemoObservations(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	if _, err := tx.Exec(ctx, demoObservationStageSQL); err != nil {
		return err
	}
	obs := ds.Observations
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"demo_observations"},
		[]string{"observed_at", "category", "severity", "source", "source_id", "sensitivity", "x", "y"},
		pgx.CopyFromSlice(len(obs), func(i int) ([]any, error) {
			o := obs[i]
			return []any{o.ObservedAt, o.Category, int16(o.Severity), o.Source, o.SourceID, o.Sensitivity,
				o.Location[0], o.Location[1]}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	tag, err := tx.Exec(ctx, demoObservationsSQL)
	if err != nil {
		return err
	}
	sum.Observations = tag.RowsAffected()
	return nil
}

func loadDemoInterventions(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	for _, iv := range ds.Interventions {
		var g []byte // nil is sent as NULL, and ST_GeomFromEWKB(NULL) is NULL
		if iv.Geom != nil {
			var err error
			if g, err = toEWKB(iv.Geom); err != nil {
				return fmt.Errorf("%s: %w", iv.Title, err)
			}
		}
		partners := iv.Partners
		if partners == nil {
			partners = []string{} // the column is NOT NULL
		}
		var id int64
		err := tx.QueryRow(ctx, demoInterventionSQL, iv.Title, iv.Description, iv.Category, iv.Horizon, iv.Approach,
			iv.LeadOrg, partners, iv.Status, iv.StartDate, iv.EndDate, iv.HoursPerWeek, iv.BudgetSEK,
			iv.DataClass, g, demoOwner(iv.LeadOrg)).Scan(&id)
		if err != nil {
			return fmt.Errorf("%s: %w", iv.Title, err)
		}
		sum.Interventions++
		if len(iv.Districts) == 0 {
			continue
		}
		tag, err := tx.Exec(ctx, demoInterventionDistrictsSQL, id, iv.Districts)
		if err != nil {
			return fmt.Errorf("%s: districts: %w", iv.Title, err)
		}
		sum.InterventionDistricts += tag.RowsAffected()
	}
	return nil
}
