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

// FollowupInputs loads the follow-up of intervention id: its target area (the target
// districts, or else its geometry buffered by q.Buffer, the population estimated by areal
// interpolation), whole periods from its start date within the observed span (did.Periods),
// the observations of the target area and of every district per period weighted by
// q.Weighting, the other interventions running during the periods, the places of the target
// and neighbouring districts with the observations within FollowupPlaceRadius of each
// before and after, and (with q.Indicators) every indicator's values.
//
// Errors: ErrNotFound for an unknown intervention; Invalid "period" or "weighting" for q;
// Invalid "interventionId" when it has no start date, no target area, no population in it,
// or no whole period of observations around its start; database errors.
func (s *Store) FollowupInputs(ctx context.Context, id int64, q FollowupQuery) (*FollowupInputs, error) {
	months := map[string]int{"month": 1, "quarter": 3}[q.Period]
	if months == 0 {
		return nil, Invalid("period", "%q is not month or quarter", q.Period)
	}
	iv, err := s.followupIntervention(ctx, id)
	if err != nil {
		return nil, err
	}
	if iv.Start == nil {
		return nil, Invalid("interventionId", "intervention %d has no start date", id)
	}
	first, last, err := s.ObservationSpan(ctx)
	if err != nil {
		return nil, err
	}
	w := did.Periods(*iv.Start, first, last, months, q.Pre, q.Post)
	if !w.Start.Before(w.End) {
		return nil, Invalid("interventionId", "intervention %d starts %s, after the newest observation", id, w.Start.Format(time.DateOnly))
	}
	if w.Pre+w.Post == 0 {
		return nil, Invalid("interventionId", "no whole %s of observations around the start date %s", q.Period, w.Start.Format(time.DateOnly))
	}
	in := &FollowupInputs{Intervention: *iv, Window: w, Input: did.Input{Pre: w.Pre, Post: w.Post, WantPre: q.Pre, WantPost: q.Post,
		Months: months, Category: iv.Category, StartYear: iv.Start.Year(), Target: did.Target{Name: iv.Title}}}
	if err := s.followupSeries(ctx, iv, q, in); err != nil {
		return nil, err
	}
	if err := s.followupContext(ctx, iv, q, in); err != nil {
		return nil, err
	}
	return in, nil
}

// followupSeries sets in's target area and the series of the target and every district.
func (s *Store) followupSeries(ctx context.Context, iv *FollowupIntervention, q FollowupQuery, in *FollowupInputs) error {
	districts, err := s.FollowupDistricts(ctx)
	if err != nil {
		return err
	}
	t := &in.Input.Target
	switch {
	case len(iv.Districts) > 0:
		t.Codes = iv.Districts
		population := make(map[string]int, len(districts))
		for _, d := range districts {
			if d.Population != nil {
				population[d.Code] = *d.Population
			}
		}
		for _, c := range iv.Districts {
			t.Population += float64(population[c])
		}
	case iv.HasGeometry:
		t.BufferM = q.Buffer
		if t.Population, t.Codes, err = s.bufferArea(ctx, iv.ID, q.Buffer); err != nil {
			return err
		}
	default:
		return Invalid("interventionId", "intervention %d has neither target districts nor a geometry", iv.ID)
	}
	if t.Population <= 0 {
		return Invalid("interventionId", "the target area of intervention %d has no resident population to relate observations to", iv.ID)
	}
	counts, err := s.districtPeriodCounts(ctx, in.Window.Bounds, q.Weighting, nil, iv.ID, t.BufferM)
	if err != nil {
		return err
	}
	in.Illustrative = counts.Illustrative || iv.Illustrative
	n := in.Window.Pre + in.Window.Post
	series := func(code string) ([]int64, []float64) {
		if c := counts.Count[code]; c != nil {
			return c, counts.Weight[code]
		}
		return make([]int64, n), make([]float64, n)
	}
	if t.BufferM > 0 {
		t.Counts, t.Weights = series("")
	} else {
		t.Counts, t.Weights = make([]int64, n), make([]float64, n)
		for _, code := range t.Codes {
			c, w := series(code)
			for k := range n {
				t.Counts[k] += c[k]
				t.Weights[k] += w[k]
			}
		}
	}
	for _, d := range districts {
		dd := did.District{Code: d.Code, Name: d.Name, Neighbours: d.Neighbours}
		if d.Population != nil {
			dd.Population = new(float64(*d.Population))
		}
		dd.Counts, dd.Weights = series(d.Code)
		in.Input.Districts = append(in.Input.Districts, dd)
	}
	return nil
}

// followupContext sets in's other interventions during the window, the places of the
// target and neighbouring districts and the indicators.
func (s *Store) followupContext(ctx context.Context, iv *FollowupIntervention, q FollowupQuery, in *FollowupInputs) error {
	spans, err := s.InterventionSpans(ctx)
	if err != nil {
		return err
	}
	bounds := in.Window.Bounds
	winStart, winEnd := bounds[0], bounds[len(bounds)-1]
	for _, sp := range spans {
		if sp.ID == iv.ID || sp.Start == nil || !sp.Start.Before(winEnd) || (sp.End != nil && sp.End.Before(winStart)) {
			continue
		}
		in.Input.Others = append(in.Input.Others, did.Intervention{ID: sp.ID, Title: sp.Title, Category: sp.Category,
			Start: sp.Start, End: sp.End, Districts: sp.Districts})
	}
	if pre := in.Window.Pre; pre > 0 && in.Window.Post > 0 {
		districts := did.PlaceDistricts(in.Input.Target.Codes, in.Input.Districts)
		places, err := s.placeChanges(ctx, bounds, bounds[pre], q.Weighting, nil, FollowupPlaceRadius, districts)
		if err != nil {
			return err
		}
		for _, p := range places {
			in.Input.Places = append(in.Input.Places, did.Place{ID: p.ID, Name: p.Name, Kind: p.Kind, DistrictCode: p.DistrictCode, Pre: p.Pre, Post: p.Post})
		}
	}
	if !q.Indicators {
		return nil
	}
	inds, err := s.AllIndicatorValues(ctx)
	if err != nil {
		return err
	}
	for _, ind := range inds.Catalogue {
		in.Input.Indicators = append(in.Input.Indicators, did.Indicator{Key: ind.Key, NameSV: ind.NameSV, NameEN: ind.NameEN,
			Unit: ind.Unit, Direction: ind.Direction, Values: inds.Values[ind.Key]})
	}
	return nil
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

// districtPeriodSQL counts observations per district of level district and period; $1 are
// the period bounds (n+1 instants, each period [b_k, b_k+1)).
const districtPeriodSQL = `
SELECT d.code, width_bucket(o.observed_at, $1::timestamptz[]) AS k, count(*), sum(` + weightExpr + `),
       bool_or(o.illustrative)
FROM observations o
JOIN districts d ON d.level = 'district' AND ST_Intersects(d.geom, o.geom)
LEFT JOIN harm_weights hw ON hw.category = o.category
WHERE o.observed_at >= ($1::timestamptz[])[1] AND o.observed_at < ($1::timestamptz[])[array_length($1::timestamptz[], 1)]
  AND ($2::text[] IS NULL OR o.category = ANY ($2))
GROUP BY 1, 2`

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

// districtPeriodCounts counts the observations of each district of level district in the
// periods [bounds[k], bounds[k+1]), weighted by w (count, severity or harm), optionally only
// some categories. When buffer > 0 it also counts, under the key "", the observations within
// buffer metres of intervention's geometry.
//
// Errors: fewer than two bounds or bounds out of order (Invalid "period"), an unknown
// weighting (Invalid "weighting"), a category without a harm weight, or a database error.
func (s *Store) districtPeriodCounts(ctx context.Context, bounds []time.Time, w Weighting, categories []string, intervention int64, buffer float64) (*periodCounts, error) {
	if len(bounds) < 2 {
		return nil, Invalid("period", "need at least one period")
	}
	for k := 1; k < len(bounds); k++ {
		if !bounds[k].After(bounds[k-1]) {
			return nil, Invalid("period", "period bounds out of order at %d", k)
		}
	}
	if w == "" {
		w = WeightCount
	}
	if w != WeightCount && w != WeightSeverity && w != WeightHarm {
		return nil, Invalid("weighting", "%q is not count, severity or harm", w)
	}
	n := len(bounds) - 1
	pc := &periodCounts{Count: map[string][]int64{}, Weight: map[string][]float64{}}
	run := func(sql string, args ...any) error {
		rows, err := s.pool.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var k int
			var cnt int64
			var sum *float64
			var ill bool
			if err := rows.Scan(&code, &k, &cnt, &sum, &ill); err != nil {
				return err
			}
			if sum == nil {
				return fmt.Errorf("an observation category has no harm weight (harm_weights)")
			}
			if k < 1 || k > n {
				continue
			}
			if pc.Count[code] == nil {
				pc.Count[code], pc.Weight[code] = make([]int64, n), make([]float64, n)
			}
			pc.Count[code][k-1] += cnt
			pc.Weight[code][k-1] += *sum
			pc.Illustrative = pc.Illustrative || ill
		}
		return rows.Err()
	}
	cats := nilIfEmpty(categories)
	if err := run(districtPeriodSQL, bounds, cats, string(w)); err != nil {
		return nil, fmt.Errorf("district period counts: %w", err)
	}
	if buffer > 0 {
		if err := run(bufferPeriodSQL, bounds, cats, string(w), buffer, intervention); err != nil {
			return nil, fmt.Errorf("buffer period counts: %w", err)
		}
	}
	return pc, nil
}

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

// placeChange is a public place with the weighted observations within a radius of it in two
// periods.
type placeChange struct {
	ID           int64
	Name, Kind   string
	DistrictCode *string
	Pre, Post    float64
	NPre, NPost  int64
}

const placeChangeSQL = `
SELECT p.id, p.name, p.kind, p.district_code,
       coalesce(sum(` + weightExpr + `) FILTER (WHERE o.observed_at < $5), 0),
       coalesce(sum(` + weightExpr + `) FILTER (WHERE o.observed_at >= $5), 0),
       count(o.id) FILTER (WHERE o.observed_at < $5), count(o.id) FILTER (WHERE o.observed_at >= $5)
FROM places_features p
LEFT JOIN observations o ON ST_DWithin(o.geom, ST_PointOnSurface(p.geom), $4)
     AND o.observed_at >= ($1::timestamptz[])[1] AND o.observed_at < ($1::timestamptz[])[array_length($1::timestamptz[], 1)]
     AND ($2::text[] IS NULL OR o.category = ANY ($2))
LEFT JOIN harm_weights hw ON hw.category = o.category
WHERE p.district_code = ANY ($6)
GROUP BY p.id, p.name, p.kind, p.district_code
ORDER BY p.id`

// placeChanges returns the places in districts with the observations within radius metres
// of each before split (from bounds[0]) and from split (to the last bound).
func (s *Store) placeChanges(ctx context.Context, bounds []time.Time, split time.Time, w Weighting, categories []string, radius float64, districts []string) ([]placeChange, error) {
	if w == "" {
		w = WeightCount
	}
	rows, err := s.pool.Query(ctx, placeChangeSQL, bounds, nilIfEmpty(categories), string(w), radius, split, districts)
	if err != nil {
		return nil, fmt.Errorf("place changes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placeChange, error) {
		var p placeChange
		return p, r.Scan(&p.ID, &p.Name, &p.Kind, &p.DistrictCode, &p.Pre, &p.Post, &p.NPre, &p.NPost)
	})
	if err != nil {
		return nil, fmt.Errorf("place changes: %w", err)
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
