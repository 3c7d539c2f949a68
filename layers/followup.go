package layers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagesbild/lagesbild/geo/did"
)

// FollowupPlaceRadius is the radius in metres around a place within which its observations
// count for the place's change.
const FollowupPlaceRadius = 250.0

// FollowupQuery chooses the periods and the target area of a follow-up.
type FollowupQuery struct {
	// Period is month or quarter; Pre and Post the periods asked for before and from the
	// start.
	Period    string
	Pre, Post int
	Weighting Weighting
	// Buffer is the buffer in metres around the geometry of an intervention without target
	// districts.
	Buffer float64
	// Indicators asks for the indicators' values too.
	Indicators bool
}

// FollowupInputs is everything the follow-up of one intervention reads: the intervention,
// the layout of its periods and the input of did.FollowUp.
type FollowupInputs struct {
	Intervention FollowupIntervention
	// Window lays out the periods; Input.Pre and Input.Post are Window's.
	Window did.Window
	Input  did.Input
	// Illustrative is true when the intervention or a counted observation is demo data.
	Illustrative bool
}

// FollowupIntervention is what an intervention's follow-up needs of it.
type FollowupIntervention struct {
	ID                                        int64
	Title, Category, Horizon, Status, LeadOrg string
	Start, End                                *time.Time
	// Districts are the target districts of level district (a municipality target is
	// expanded to all its districts).
	Districts    []string
	HasGeometry  bool
	Illustrative bool
}

const followupInterventionSQL = `
SELECT i.id, i.title, i.category, i.horizon, i.status, i.lead_org, i.start_date, i.end_date,
       i.geom IS NOT NULL, i.illustrative,
       coalesce((SELECT array_agg(DISTINCT d.code ORDER BY d.code)
                   FROM intervention_districts t
                   JOIN districts d ON d.level = 'district' AND (d.code = t.district_code OR d.parent_code = t.district_code)
                  WHERE t.intervention_id = i.id), '{}')
FROM interventions i
WHERE i.id = $1`

// followupIntervention returns intervention id.
//
// Errors: ErrNotFound, or a database error.
func (s *Store) followupIntervention(ctx context.Context, id int64) (*FollowupIntervention, error) {
	var iv FollowupIntervention
	err := s.pool.QueryRow(ctx, followupInterventionSQL, id).Scan(&iv.ID, &iv.Title, &iv.Category, &iv.Horizon,
		&iv.Status, &iv.LeadOrg, &iv.Start, &iv.End, &iv.HasGeometry, &iv.Illustrative, &iv.Districts)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("intervention %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("intervention %d: %w", id, err)
	}
	return &iv, nil
}

// FollowupDistrict is a district of level district with its population and the districts
// sharing a border with it (ST_Touches).
type FollowupDistrict struct {
	Code, Name string
	Population *int
	Neighbours []string
}

const followupDistrictsSQL = `
SELECT d.code, d.name, d.population,
       coalesce((SELECT array_agg(n.code ORDER BY n.code) FROM districts n
                  WHERE n.level = 'district' AND n.code <> d.code AND ST_Touches(n.geom, d.geom)), '{}')
FROM districts d
WHERE d.level = 'district'
ORDER BY d.code`

// FollowupDistricts returns every district of level district, by code.
func (s *Store) FollowupDistricts(ctx context.Context) ([]FollowupDistrict, error) {
	rows, err := s.pool.Query(ctx, followupDistrictsSQL)
	if err != nil {
		return nil, fmt.Errorf("followup districts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FollowupDistrict, error) {
		var d FollowupDistrict
		return d, r.Scan(&d.Code, &d.Name, &d.Population, &d.Neighbours)
	})
	if err != nil {
		return nil, fmt.Errorf("followup districts: %w", err)
	}
	return out, nil
}

// periodCounts are observations counted into consecutive periods: per series (a district
// code, or "" for a drawn target area) the number and the weighted sum in each period.
type periodCounts struct {
	Count        map[string][]int64
	Weight       map[string][]float64
	Illustrative bool
}

// weightExpr is the weight of one observation: 1, or its category's harm weight. The
// choice is a parameter ($3), not SQL text.
const weightExpr = `CASE $3::text WHEN 'harm' THEN hw.weight WHEN 'severity' THEN o.severity::float8 ELSE 1 END`

// bufferPeriodSQL counts the observations within $4 metres of intervention $5's geometry.
const bufferPeriodSQL = `
SELECT '', width_bucket(o.observed_at, $1::timestamptz[]) AS k, count(*), sum(` + weightExpr + `),
       bool_or(o.illustrative)
FROM observations o
JOIN interventions i ON i.id = $5 AND ST_DWithin(o.geom, i.geom, $4)
LEFT JOIN harm_weights hw ON hw.category = o.category
WHERE o.observed_at >= ($1::timestamptz[])[1] AND o.observed_at < ($1::timestamptz[])[array_length($1::timestamptz[], 1)]
  AND ($2::text[] IS NULL OR o.category = ANY ($2))
GROUP BY 1, 2`

// bufferAreaSQL describes intervention $1's geometry buffered by $2 metres: the population
// living in it, estimated by areal interpolation (each district's population times the share
// of its area inside the buffer), and the districts it overlaps, largest share first.
const bufferAreaSQL = `
WITH b AS (SELECT ST_Buffer(geom, $2) AS geom FROM interventions WHERE id = $1 AND geom IS NOT NULL)
SELECT coalesce(sum(d.population * ST_Area(ST_Intersection(d.geom, b.geom)) / ST_Area(d.geom)), 0),
       coalesce(array_agg(d.code ORDER BY ST_Area(ST_Intersection(d.geom, b.geom)) DESC), '{}'),
       (SELECT count(*) FROM b)
FROM b JOIN districts d ON d.level = 'district' AND ST_Intersects(d.geom, b.geom)`

// bufferArea returns the estimated population within buffer metres of intervention id's
// geometry and the districts the buffer overlaps.
//
// Errors: ErrNotFound when the intervention has no geometry, or a database error.
func (s *Store) bufferArea(ctx context.Context, id int64, buffer float64) (population float64, districts []string, err error) {
	var n int
	if err := s.pool.QueryRow(ctx, bufferAreaSQL, id, buffer).Scan(&population, &districts, &n); err != nil {
		return 0, nil, fmt.Errorf("buffer of intervention %d: %w", id, err)
	}
	if n == 0 {
		return 0, nil, fmt.Errorf("geometry of intervention %d: %w", id, ErrNotFound)
	}
	return population, districts, nil
}

// InterventionSpan is an intervention's category, period and the districts it reaches: its
// target districts (a municipality expanded to its districts) and those its geometry
// intersects.
type InterventionSpan struct {
	ID                       int64
	Title, Category, Horizon string
	Status, LeadOrg          string
	Partners                 []string
	Start, End               *time.Time
	Districts                []string
}

const interventionSpansSQL = `
SELECT i.id, i.title, i.category, i.horizon, i.status, i.lead_org, i.partners, i.start_date, i.end_date,
       coalesce((SELECT array_agg(DISTINCT d.code ORDER BY d.code) FROM districts d
                  WHERE d.level = 'district'
                    AND (EXISTS (SELECT 1 FROM intervention_districts t WHERE t.intervention_id = i.id
                                    AND (t.district_code = d.code OR t.district_code = d.parent_code))
                         OR (i.geom IS NOT NULL AND ST_Intersects(d.geom, i.geom)))), '{}')
FROM interventions i
ORDER BY i.start_date NULLS LAST, i.id`

// InterventionSpans returns every intervention with the districts it reaches, by start date.
func (s *Store) InterventionSpans(ctx context.Context) ([]InterventionSpan, error) {
	rows, err := s.pool.Query(ctx, interventionSpansSQL)
	if err != nil {
		return nil, fmt.Errorf("intervention spans: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (InterventionSpan, error) {
		var v InterventionSpan
		return v, r.Scan(&v.ID, &v.Title, &v.Category, &v.Horizon, &v.Status, &v.LeadOrg, &v.Partners, &v.Start, &v.End, &v.Districts)
	})
	if err != nil {
		return nil, fmt.Errorf("intervention spans: %w", err)
	}
	return out, nil
}

// IndicatorSeries are the values of every indicator per district and year.
type IndicatorSeries struct {
	Catalogue []Indicator
	// Values[key][district code][year]
	Values map[string]map[string]map[int]float64
}

// AllIndicatorValues returns every indicator's catalogue entry and values of districts of
// level district.
func (s *Store) AllIndicatorValues(ctx context.Context) (*IndicatorSeries, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, name_sv, name_en, unit, theme, direction, source, illustrative FROM indicators ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("indicator catalogue: %w", err)
	}
	catalogue, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Indicator])
	if err != nil {
		return nil, fmt.Errorf("indicator catalogue: %w", err)
	}
	out := &IndicatorSeries{Catalogue: catalogue, Values: map[string]map[string]map[int]float64{}}
	rows, err = s.pool.Query(ctx, `
SELECT v.indicator_key, v.district_code, v.year, v.value
FROM indicator_values v JOIN districts d ON d.code = v.district_code AND d.level = 'district'`)
	if err != nil {
		return nil, fmt.Errorf("indicator values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, code string
		var year int
		var v float64
		if err := rows.Scan(&key, &code, &year, &v); err != nil {
			return nil, fmt.Errorf("indicator values: %w", err)
		}
		if out.Values[key] == nil {
			out.Values[key] = map[string]map[int]float64{}
		}
		if out.Values[key][code] == nil {
			out.Values[key][code] = map[int]float64{}
		}
		out.Values[key][code][year] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("indicator values: %w", err)
	}
	return out, nil
}

// ObservationSpan returns the first and last observation times (zero times without any).
func (s *Store) ObservationSpan(ctx context.Context) (first, last time.Time, err error) {
	var f, l *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT min(observed_at), max(observed_at) FROM observations`).Scan(&f, &l); err != nil {
		return first, last, fmt.Errorf("observation span: %w", err)
	}
	if f != nil {
		first, last = *f, *l
	}
	return first, last, nil
}

// CategoryCount is the number of observations of one category in one district of level
// district, in a period and in the period of the same length before it.
type CategoryCount struct {
	DistrictCode, Category string
	Current, Previous      int64
}

const categoryCountsSQL = `
SELECT d.code, o.category,
       count(*) FILTER (WHERE o.observed_at >= $2), count(*) FILTER (WHERE o.observed_at < $2)
FROM observations o
JOIN districts d ON d.level = 'district' AND ST_Intersects(d.geom, o.geom)
WHERE o.observed_at >= $1 AND o.observed_at < $3
GROUP BY 1, 2
ORDER BY 1, 2`

// CategoryCounts counts observations per district and category in [from, to) (current) and
// [prevFrom, from) (previous).
func (s *Store) CategoryCounts(ctx context.Context, prevFrom, from, to time.Time) ([]CategoryCount, error) {
	rows, err := s.pool.Query(ctx, categoryCountsSQL, prevFrom, from, to)
	if err != nil {
		return nil, fmt.Errorf("category counts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CategoryCount, error) {
		var c CategoryCount
		return c, r.Scan(&c.DistrictCode, &c.Category, &c.Current, &c.Previous)
	})
	if err != nil {
		return nil, fmt.Errorf("category counts: %w", err)
	}
	return out, nil
}

// Classification is a district on the police list of vulnerable areas for a period.
type Classification struct {
	DistrictCode, Name, Class string
	ValidFrom                 time.Time
	ValidTo                   *time.Time
}

// Classifications returns the police classifications valid at some time in [from, to).
func (s *Store) Classifications(ctx context.Context, from, to time.Time) ([]Classification, error) {
	rows, err := s.pool.Query(ctx, `
SELECT c.district_code, d.name, c.class, c.valid_from, c.valid_to
FROM district_classifications c JOIN districts d ON d.code = c.district_code
WHERE daterange(c.valid_from, c.valid_to) && daterange($1::date, $2::date)
ORDER BY c.class DESC, d.name, c.valid_from`, from, to)
	if err != nil {
		return nil, fmt.Errorf("classifications: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Classification, error) {
		var c Classification
		return c, r.Scan(&c.DistrictCode, &c.Name, &c.Class, &c.ValidFrom, &c.ValidTo)
	})
	if err != nil {
		return nil, fmt.Errorf("classifications: %w", err)
	}
	return out, nil
}
