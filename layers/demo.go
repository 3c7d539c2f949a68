package layers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagesbild/lagesbild/data"
)

// DemoSummary reports LoadDemo: per table, the demo's rows in place after the load; and
// how many rows the load wrote, removed, and left alone because a user changed them.
type DemoSummary struct {
	Written                 int64 // demo rows inserted or changed (0 when the demo was already in place)
	Removed                 int64 // illustrative rows no longer in the demo, deleted
	Kept                    int64 // demo rows a user changed through the API, left as they are
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

// demoKeyConflictsSQL finds a real (not illustrative) row that holds a demo key: a district
// code, a place name or an indicator key. The demo never takes over a real row.
const demoKeyConflictsSQL = `
SELECT 'district ' || code FROM districts WHERE code = ANY($1) AND NOT illustrative
UNION ALL SELECT 'place ' || name FROM places WHERE name = ANY($2) AND NOT illustrative
UNION ALL SELECT 'indicator ' || key FROM indicators WHERE key = ANY($3) AND NOT illustrative
LIMIT 1`

// demoMunicipalitySQL writes the municipality; the outline is made valid and multi so a
// simplified outline that touches itself still satisfies the table's CHECK.
const demoMunicipalitySQL = `
WITH m AS (
    SELECT $1::text AS code, $2::text AS name, $3::text AS level, $4::integer AS population, $5::text AS data_class,
           ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromEWKB($6)), 3)) AS geom
)
INSERT INTO districts (code, name, level, population, data_class, illustrative, geom)
SELECT code, name, level, population, data_class, true, geom FROM m
ON CONFLICT (code) DO UPDATE
SET name = excluded.name, level = excluded.level, parent_code = NULL, part_of_town = NULL,
    population = excluded.population, data_class = excluded.data_class, geom = excluded.geom, updated_at = now()
WHERE districts.illustrative
  AND (districts.name, districts.level, districts.parent_code, districts.part_of_town, districts.population,
       districts.data_class, districts.geom)
      IS DISTINCT FROM (excluded.name, excluded.level, NULL, NULL, excluded.population, excluded.data_class, excluded.geom)`

// demoDistrictsSQL builds the district polygons as Voronoi cells of the seed points, extended
// well past the outline of the parent ($1) and clipped to it, and writes those that differ
// from what is stored. Each cell is matched to the seed that generated it (a generator lies
// strictly inside its own cell); the answer is how many matched and how many were written.
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
),
built AS (
    SELECT s.code, s.name, s.level, $1::text AS parent_code, s.part_of_town, s.population, s.data_class,
           ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(c.cell, f.geom)), 3)) AS geom
    FROM seeds s
    JOIN cells c ON ST_Contains(c.cell, s.pt)
    CROSS JOIN frame f
),
written AS (
    INSERT INTO districts AS d (code, name, level, parent_code, part_of_town, population, data_class, illustrative, geom)
    SELECT code, name, level, parent_code, part_of_town, population, data_class, true, geom FROM built
    ON CONFLICT (code) DO UPDATE
    SET name = excluded.name, level = excluded.level, parent_code = excluded.parent_code,
        part_of_town = excluded.part_of_town, population = excluded.population, data_class = excluded.data_class,
        geom = excluded.geom, updated_at = now()
    WHERE d.illustrative
      AND (d.name, d.level, d.parent_code, d.part_of_town, d.population, d.data_class, d.geom)
          IS DISTINCT FROM (excluded.name, excluded.level, excluded.parent_code, excluded.part_of_town,
                            excluded.population, excluded.data_class, excluded.geom)
    RETURNING 1
)
SELECT (SELECT count(*) FROM built), (SELECT count(*) FROM written)`

// demoStaleDistrictsSQL removes the illustrative districts of one level that the demo no
// longer has; levels go deepest first because the parent reference is ON DELETE RESTRICT.
// What references them (values, classifications, intervention targets) goes by cascade.
const demoStaleDistrictsSQL = `DELETE FROM districts WHERE illustrative AND level = $1 AND NOT (code = ANY($2))`

// The classifications have no key of their own: a row is the demo's when all its columns
// match, so a changed classification is replaced. Nothing refers to their ids.
const (
	demoStaleClassificationsSQL = `
DELETE FROM district_classifications c
WHERE c.illustrative AND NOT EXISTS (
    SELECT 1 FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[]) AS s(district_code, class, valid_from, valid_to, source)
    WHERE (s.district_code, s.class, s.valid_from, s.valid_to, s.source)
          IS NOT DISTINCT FROM (c.district_code, c.class, c.valid_from, c.valid_to, c.source))`

	demoClassificationsSQL = `
INSERT INTO district_classifications (district_code, class, valid_from, valid_to, source, illustrative)
SELECT s.district_code, s.class, s.valid_from, s.valid_to, s.source, true
FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[]) AS s(district_code, class, valid_from, valid_to, source)
WHERE NOT EXISTS (
    SELECT 1 FROM district_classifications c
    WHERE c.illustrative AND (s.district_code, s.class, s.valid_from, s.valid_to, s.source)
          IS NOT DISTINCT FROM (c.district_code, c.class, c.valid_from, c.valid_to, c.source))`
)

// demoVulnerableAreaSQL draws a demo police list entry as its district's outline. A real
// imported row of the same name and year wins: the demo row is left out.
const demoVulnerableAreaSQL = `
INSERT INTO vulnerable_areas AS v (name, class, year, source, illustrative, geom)
SELECT $2, $3, $4, $5, true, d.geom FROM districts d WHERE d.code = $1
ON CONFLICT (name, year) DO UPDATE
SET class = excluded.class, source = excluded.source, geom = excluded.geom, updated_at = now()
WHERE v.illustrative AND (v.class, v.source, v.geom) IS DISTINCT FROM (excluded.class, excluded.source, excluded.geom)`

const demoStaleVulnerableAreasSQL = `
DELETE FROM vulnerable_areas v
WHERE v.illustrative AND NOT EXISTS (
    SELECT 1 FROM unnest($1::text[], $2::integer[]) AS s(name, year) WHERE s.name = v.name AND s.year = v.year)`

// demoPlaceSQL writes a place under its name, which is its identity: a reload keeps its id.
const demoPlaceSQL = `
INSERT INTO places AS p (name, kind, description, data_class, illustrative, geom)
VALUES ($1, $2, $3, $4, true, ST_GeomFromEWKB($5))
ON CONFLICT (name) DO UPDATE
SET kind = excluded.kind, description = excluded.description, data_class = excluded.data_class,
    geom = excluded.geom, updated_at = now()
WHERE p.illustrative
  AND (p.kind, p.description, p.data_class, p.geom) IS DISTINCT FROM (excluded.kind, excluded.description, excluded.data_class, excluded.geom)`

const demoStalePlacesSQL = `DELETE FROM places WHERE illustrative AND NOT (name = ANY($1))`

const demoIndicatorSQL = `
INSERT INTO indicators AS i (key, name_sv, name_en, unit, theme, direction, source, description, illustrative)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)
ON CONFLICT (key) DO UPDATE
SET name_sv = excluded.name_sv, name_en = excluded.name_en, unit = excluded.unit, theme = excluded.theme,
    direction = excluded.direction, source = excluded.source, description = excluded.description
WHERE i.illustrative
  AND (i.name_sv, i.name_en, i.unit, i.theme, i.direction, i.source, i.description)
      IS DISTINCT FROM (excluded.name_sv, excluded.name_en, excluded.unit, excluded.theme, excluded.direction,
                        excluded.source, excluded.description)`

const demoStaleIndicatorsSQL = `DELETE FROM indicators WHERE illustrative AND NOT (key = ANY($1))`

// The indicator values are copied into a staging table and merged: a real value of the same
// district, indicator and year wins.
const (
	demoValueStageSQL = `
CREATE TEMP TABLE demo_values (
    district_code text,
    indicator_key text,
    year          smallint,
    value         double precision,
    data_class    text,
    PRIMARY KEY (district_code, indicator_key, year)
) ON COMMIT DROP`

	demoValuesUpdateSQL = `
UPDATE indicator_values v SET value = s.value, data_class = s.data_class
FROM demo_values s
WHERE (v.district_code, v.indicator_key, v.year) = (s.district_code, s.indicator_key, s.year)
  AND v.illustrative AND (v.value, v.data_class) IS DISTINCT FROM (s.value, s.data_class)`

	demoValuesInsertSQL = `
INSERT INTO indicator_values (district_code, indicator_key, year, value, data_class, illustrative)
SELECT district_code, indicator_key, year, value, data_class, true FROM demo_values
ON CONFLICT (district_code, indicator_key, year) DO NOTHING`

	demoStaleValuesSQL = `
DELETE FROM indicator_values v
WHERE v.illustrative AND NOT EXISTS (
    SELECT 1 FROM demo_values s
    WHERE (s.district_code, s.indicator_key, s.year) = (v.district_code, v.indicator_key, v.year))`
)

// The observations are copied into a staging table with plain coordinates (COPY cannot call
// functions) and merged by (source, source_id), their identity; a real observation of the same
// key wins. The statements match rows by a join rather than ON CONFLICT, so they do not
// depend on which unique index the table has.
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
    y           double precision,
    PRIMARY KEY (source, source_id)
) ON COMMIT DROP`

	demoObservationsUpdateSQL = `
UPDATE observations o
SET observed_at = s.observed_at, category = s.category, severity = s.severity, sensitivity = s.sensitivity,
    geom = ST_SetSRID(ST_MakePoint(s.x, s.y), 3006)
FROM demo_observations s
WHERE o.source = s.source AND o.source_id = s.source_id AND o.illustrative
  AND (o.observed_at, o.category, o.severity, o.sensitivity, o.geom)
      IS DISTINCT FROM (s.observed_at, s.category, s.severity, s.sensitivity, ST_SetSRID(ST_MakePoint(s.x, s.y), 3006))`

	demoObservationsInsertSQL = `
INSERT INTO observations (observed_at, category, severity, source, source_id, sensitivity, illustrative, geom)
SELECT s.observed_at, s.category, s.severity, s.source, s.source_id, s.sensitivity, true,
       ST_SetSRID(ST_MakePoint(s.x, s.y), 3006)
FROM demo_observations s
WHERE NOT EXISTS (SELECT 1 FROM observations o WHERE o.source = s.source AND o.source_id = s.source_id)
ORDER BY ST_SetSRID(ST_MakePoint(s.x, s.y), 3006) -- spatial (Hilbert) order: a bbox reads few heap pages`

	demoStaleObservationsSQL = `
DELETE FROM observations o
WHERE o.illustrative AND NOT EXISTS (
    SELECT 1 FROM demo_observations s WHERE s.source = o.source AND s.source_id = o.source_id)`
)

// An intervention is the demo's while the API has never written it. Every write through the
// API (PUT, PATCH, DELETE) appends to intervention_history in the same transaction, and the
// history is append-only, so "no history entry" is exact, needs no column of its own, and
// also covers a delete, which a checksum or version stored on the row could not (the row is
// gone). A demo intervention a user changed or deleted is left as the user left it.
const (
	// demoInterventionStateSQL says, for a demo key, the id the demo gave it (or NULL), whether
	// that row still exists, and whether the API has written it.
	demoInterventionStateSQL = `
SELECT d.intervention_id,
       EXISTS (SELECT 1 FROM interventions i WHERE i.id = d.intervention_id),
       EXISTS (SELECT 1 FROM intervention_history h WHERE h.intervention_id = d.intervention_id)
FROM demo_interventions d WHERE d.demo_key = $1`

	// demoInterventionSQL inserts one intervention, under the id it had if $16 is not NULL
	// (a demo row removed other than through the API); $14 is EWKB or NULL, $15 the owner.
	demoInterventionSQL = `
INSERT INTO interventions (id, title, description, category, horizon, approach, lead_org, partners, status,
                           start_date, end_date, hours_per_week, budget_sek, data_class, illustrative, geom, owner_org)
OVERRIDING SYSTEM VALUE
VALUES (coalesce($16, nextval(pg_get_serial_sequence('interventions', 'id'))),
        $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, true, ST_GeomFromEWKB($14), $15)
RETURNING id`

	// demoInterventionUpdateSQL brings an untouched demo intervention to the demo's content
	// when it differs; the version grows then, so an ETag never names two contents.
	demoInterventionUpdateSQL = `
UPDATE interventions i
SET title = $2, description = $3, category = $4, horizon = $5, approach = $6, lead_org = $7, partners = $8,
    status = $9, start_date = $10, end_date = $11, hours_per_week = $12, budget_sek = $13, data_class = $14,
    geom = ST_GeomFromEWKB($15), owner_org = $16, geom_from_districts = false, version = version + 1, updated_at = now()
WHERE i.id = $1
  AND (i.title, i.description, i.category, i.horizon, i.approach, i.lead_org, i.partners, i.status, i.start_date,
       i.end_date, i.hours_per_week, i.budget_sek, i.data_class, i.geom, i.owner_org, i.geom_from_districts)
      IS DISTINCT FROM ($2, $3, $4, $5, $6, $7, $8::text[], $9, $10::date, $11::date, $12::double precision,
                        $13::double precision, $14, ST_GeomFromEWKB($15), $16, false)`

	demoInterventionKeySQL = `
INSERT INTO demo_interventions (demo_key, intervention_id) VALUES ($1, $2)
ON CONFLICT (demo_key) DO UPDATE SET intervention_id = excluded.intervention_id`

	// demoInterventionDistrictsSQL sets the target districts of an untouched demo intervention.
	demoInterventionDistrictsSQL = `
WITH gone AS (
    DELETE FROM intervention_districts t
    WHERE t.intervention_id = $1 AND NOT (t.district_code = ANY($2))
    RETURNING 1
), added AS (
    INSERT INTO intervention_districts (intervention_id, district_code)
    SELECT $1, code FROM unnest($2::text[]) AS code
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM added)`

	// demoStaleInterventionsSQL removes the demo's interventions it no longer has, unless the
	// API has written them, and illustrative interventions the demo has no key for (left by
	// loads before migration 021 under a repeated title).
	demoStaleInterventionsSQL = `
WITH stale AS (
    SELECT d.demo_key, d.intervention_id FROM demo_interventions d
    WHERE NOT (d.demo_key = ANY($1))
      AND NOT EXISTS (SELECT 1 FROM intervention_history h WHERE h.intervention_id = d.intervention_id)
), forget AS (
    DELETE FROM demo_interventions d USING stale s WHERE d.demo_key = s.demo_key
)
DELETE FROM interventions i
WHERE i.illustrative
  AND NOT EXISTS (SELECT 1 FROM intervention_history h WHERE h.intervention_id = i.id)
  AND (i.id IN (SELECT intervention_id FROM stale)
       OR NOT EXISTS (SELECT 1 FROM demo_interventions d WHERE d.intervention_id = i.id))`
)

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

// LoadDemo brings the illustrative rows of every table to ds, in one transaction: either the
// whole demo is in place or the database is unchanged. Each demo row keeps its identity (and
// id) across loads: it is matched to the row it loaded before by a natural key (migration
// 021), changed in place only where it differs, and illustrative rows the demo no longer has
// are removed. What a user changed is never overwritten: rows that are not illustrative are
// left alone (a real vulnerable area, indicator value or observation of a demo key wins), and
// a demo intervention the API has written (changed or deleted) stays as the user left it
// (Kept). Loading the same dataset again writes nothing. It fails if a real row already uses
// a demo district code, place name or indicator key.
func (s *Store) LoadDemo(ctx context.Context, ds *data.Dataset) (DemoSummary, error) {
	var sum DemoSummary
	if err := s.EnsureObservationYears(ctx, demoObservationYears(ds)); err != nil {
		return sum, fmt.Errorf("load demo: %w", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkDemoKeys(ctx, tx, ds); err != nil {
			return err
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

// demoObservationYears are the partition years the demo's observations need: from the first
// one's year to the last one's year after, since a year in Europe/Stockholm (the partitions'
// years) starts an hour or two before the UTC one.
func demoObservationYears(ds *data.Dataset) []int {
	if len(ds.Observations) == 0 {
		return nil
	}
	first, last := ds.Observations[0].ObservedAt.UTC().Year(), ds.Observations[0].ObservedAt.UTC().Year()
	for _, o := range ds.Observations {
		first, last = min(first, o.ObservedAt.UTC().Year()), max(last, o.ObservedAt.UTC().Year())
	}
	years := make([]int, 0, last+2-first)
	for y := first; y <= last+1; y++ {
		years = append(years, y)
	}
	return years
}

// checkDemoKeys refuses a load when a real row holds one of the demo's keys.
func checkDemoKeys(ctx context.Context, tx pgx.Tx, ds *data.Dataset) error {
	codes := []string{ds.Municipality.Code}
	for _, d := range ds.Districts {
		codes = append(codes, d.Code)
	}
	names := make([]string, len(ds.Places))
	for i, p := range ds.Places {
		names[i] = p.Name
	}
	keys := make([]string, len(ds.Indicators))
	for i, ind := range ds.Indicators {
		keys[i] = ind.Key
	}
	var taken string
	switch err := tx.QueryRow(ctx, demoKeyConflictsSQL, codes, names, keys).Scan(&taken); {
	case err == nil:
		return fmt.Errorf("%w: the real %s uses a key of the demo", ErrConflict, taken)
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("demo keys: %w", err)
	}
	return nil
}

func loadDemoDistricts(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	m := ds.Municipality
	outline, err := toEWKB(m.Outline)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, demoMunicipalitySQL, m.Code, m.Name, m.Level, m.Population, m.DataClass, outline)
	if err != nil {
		return fmt.Errorf("municipality: %w", err)
	}
	sum.Written += tag.RowsAffected()
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
	var matched, written int64
	if err := tx.QueryRow(ctx, demoDistrictsSQL, m.Code, codes, names, levels, parts, pops, classes, xs, ys).Scan(&matched, &written); err != nil {
		return err
	}
	if int(matched) != n {
		return fmt.Errorf("%d of %d Voronoi cells matched their seed", matched, n)
	}
	sum.Written += written
	all := append([]string{m.Code}, codes...)
	for _, level := range []string{"deso", "district", "regso", "municipality"} {
		tag, err := tx.Exec(ctx, demoStaleDistrictsSQL, level, all)
		if err != nil {
			return fmt.Errorf("remove %s level: %w", level, err)
		}
		sum.Removed += tag.RowsAffected()
	}
	sum.Districts = int64(n) + 1
	return nil
}

func loadDemoClassifications(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	n := len(ds.Classifications)
	codes, classes, sources := make([]string, n), make([]string, n), make([]string, n)
	from, to := make([]time.Time, n), make([]*time.Time, n)
	for i, c := range ds.Classifications {
		codes[i], classes[i], from[i], to[i], sources[i] = c.DistrictCode, c.Class, c.ValidFrom, c.ValidTo, c.Source
	}
	// Stale rows first: a changed period would otherwise overlap its old self (EXCLUDE).
	tag, err := tx.Exec(ctx, demoStaleClassificationsSQL, codes, classes, from, to, sources)
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	sum.Removed += tag.RowsAffected()
	if tag, err = tx.Exec(ctx, demoClassificationsSQL, codes, classes, from, to, sources); err != nil {
		return err
	}
	sum.Written += tag.RowsAffected()
	sum.DistrictClassifications = int64(n)
	return nil
}

func loadDemoVulnerableAreas(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	names, years := make([]string, 0, len(ds.VulnerableAreas)), make([]int32, 0, len(ds.VulnerableAreas))
	for _, v := range ds.VulnerableAreas {
		names, years = append(names, v.Name), append(years, int32(v.Year))
	}
	tag, err := tx.Exec(ctx, demoStaleVulnerableAreasSQL, names, years)
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	sum.Removed += tag.RowsAffected()
	for _, v := range ds.VulnerableAreas {
		tag, err := tx.Exec(ctx, demoVulnerableAreaSQL, v.DistrictCode, v.Name, v.Class, v.Year, v.Source)
		if err != nil {
			return fmt.Errorf("%s %d: %w", v.Name, v.Year, err)
		}
		sum.Written += tag.RowsAffected()
	}
	// A real row of the same name and year is not counted: the demo's is not in place.
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM vulnerable_areas WHERE illustrative`).Scan(&n); err != nil {
		return err
	}
	sum.VulnerableAreas = n
	return nil
}

func loadDemoPlaces(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	names := make([]string, len(ds.Places))
	for i, p := range ds.Places {
		names[i] = p.Name
	}
	tag, err := tx.Exec(ctx, demoStalePlacesSQL, names)
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	sum.Removed += tag.RowsAffected()
	for _, p := range ds.Places {
		g, err := toEWKB(p.Geom)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		tag, err := tx.Exec(ctx, demoPlaceSQL, p.Name, p.Kind, p.Description, p.DataClass, g)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		sum.Written += tag.RowsAffected()
		sum.Places++
	}
	return nil
}

func loadDemoIndicators(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	keys := make([]string, len(ds.Indicators))
	for k, i := range ds.Indicators {
		keys[k] = i.Key
	}
	tag, err := tx.Exec(ctx, demoStaleIndicatorsSQL, keys)
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	sum.Removed += tag.RowsAffected()
	for _, i := range ds.Indicators {
		tag, err := tx.Exec(ctx, demoIndicatorSQL, i.Key, i.NameSV, i.NameEN, i.Unit, i.Theme, i.Direction, i.Source, i.Description)
		if err != nil {
			return fmt.Errorf("%s: %w", i.Key, err)
		}
		sum.Written += tag.RowsAffected()
		sum.Indicators++
	}
	if _, err := tx.Exec(ctx, demoValueStageSQL); err != nil {
		return err
	}
	vs := ds.IndicatorValues
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"demo_values"},
		[]string{"district_code", "indicator_key", "year", "value", "data_class"},
		pgx.CopyFromSlice(len(vs), func(i int) ([]any, error) {
			v := vs[i]
			return []any{v.DistrictCode, v.IndicatorKey, int16(v.Year), v.Value, v.DataClass}, nil
		})); err != nil {
		return fmt.Errorf("values: %w", err)
	}
	if err := mergeStaged(ctx, tx, "demo_values", sum, demoStaleValuesSQL, demoValuesUpdateSQL, demoValuesInsertSQL); err != nil {
		return err
	}
	var in int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM indicator_values WHERE illustrative`).Scan(&in); err != nil {
		return err
	}
	sum.IndicatorValues = in
	return nil
}

// mergeStaged merges the staging table stage (analysed first, so the joins are planned on
// its real size): remove the illustrative rows it no longer has, change those that differ,
// insert the new ones, counting into sum.
func mergeStaged(ctx context.Context, tx pgx.Tx, stage string, sum *DemoSummary, stale, update, insert string) error {
	if _, err := tx.Exec(ctx, "ANALYZE "+pgx.Identifier{stage}.Sanitize()); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, stale)
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	sum.Removed += tag.RowsAffected()
	for _, q := range []string{update, insert} {
		tag, err := tx.Exec(ctx, q)
		if err != nil {
			return err
		}
		sum.Written += tag.RowsAffected()
	}
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
	if err := mergeStaged(ctx, tx, "demo_observations", sum, demoStaleObservationsSQL, demoObservationsUpdateSQL, demoObservationsInsertSQL); err != nil {
		return err
	}
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM observations WHERE illustrative`).Scan(&n); err != nil {
		return err
	}
	sum.Observations = n
	return nil
}

func loadDemoInterventions(ctx context.Context, tx pgx.Tx, ds *data.Dataset, sum *DemoSummary) error {
	keys := make([]string, len(ds.Interventions))
	for i, iv := range ds.Interventions {
		keys[i] = iv.Title
	}
	tag, err := tx.Exec(ctx, demoStaleInterventionsSQL, keys)
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	sum.Removed += tag.RowsAffected()
	for _, iv := range ds.Interventions {
		if err := loadDemoIntervention(ctx, tx, iv, sum); err != nil {
			return fmt.Errorf("%s: %w", iv.Title, err)
		}
	}
	return nil
}

// loadDemoIntervention writes one demo intervention unless the API has written it.
func loadDemoIntervention(ctx context.Context, tx pgx.Tx, iv data.Intervention, sum *DemoSummary) error {
	var id *int64
	var exists, touched bool
	err := tx.QueryRow(ctx, demoInterventionStateSQL, iv.Title).Scan(&id, &exists, &touched)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if touched { // changed or deleted through the API: the user's now
		sum.Kept++
		return nil
	}
	var g []byte // nil is sent as NULL, and ST_GeomFromEWKB(NULL) is NULL
	if iv.Geom != nil {
		if g, err = toEWKB(iv.Geom); err != nil {
			return err
		}
	}
	partners := iv.Partners
	if partners == nil {
		partners = []string{} // the column is NOT NULL
	}
	if exists {
		tag, err := tx.Exec(ctx, demoInterventionUpdateSQL, *id, iv.Title, iv.Description, iv.Category, iv.Horizon, iv.Approach,
			iv.LeadOrg, partners, iv.Status, iv.StartDate, iv.EndDate, iv.HoursPerWeek, iv.BudgetSEK, iv.DataClass, g, demoOwner(iv.LeadOrg))
		if err != nil {
			return err
		}
		sum.Written += tag.RowsAffected()
	} else {
		// New, or removed other than through the API: (re)inserted under the id it had.
		var newID int64
		if err := tx.QueryRow(ctx, demoInterventionSQL, iv.Title, iv.Description, iv.Category, iv.Horizon, iv.Approach,
			iv.LeadOrg, partners, iv.Status, iv.StartDate, iv.EndDate, iv.HoursPerWeek, iv.BudgetSEK,
			iv.DataClass, g, demoOwner(iv.LeadOrg), id).Scan(&newID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, demoInterventionKeySQL, iv.Title, newID); err != nil {
			return fmt.Errorf("key: %w", err)
		}
		id = &newID
		sum.Written++
	}
	sum.Interventions++
	targets := iv.Districts
	if targets == nil {
		targets = []string{}
	}
	var changed int64
	if err := tx.QueryRow(ctx, demoInterventionDistrictsSQL, *id, targets).Scan(&changed); err != nil {
		return fmt.Errorf("districts: %w", err)
	}
	sum.Written += changed
	sum.InterventionDistricts += int64(len(targets))
	return nil
}
