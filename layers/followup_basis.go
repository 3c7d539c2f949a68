package layers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/lagesbild/lagesbild/geo/did"
)

// FollowupBasis is what the follow-ups of several interventions read, read once: the
// districts, the interventions, the observations of the union of their windows counted per
// district and UTC day, and the observations near every place. The report follows up every
// intervention; read one by one, each read the same districts and observations again (22
// interventions: 7–13 s of the report's 8–10 s on a loaded machine, almost all of it in the
// database, the place sums planned as a scan of every observation of the window per place
// because row-level security keeps the spatial index out of a join with a non-leakproof
// operator).
//
// Periods are whole calendar months from a date (did.Periods), so their bounds are UTC
// midnights and a period's count is exactly the sum of its days.
type FollowupBasis struct {
	q          FollowupQuery
	ivs        map[int64]*followupPlan
	districts  []FollowupDistrict
	spans      []InterventionSpan
	days       map[string][]dayCount // by district code, by day
	places     []nearPlace
	indicators []did.Indicator
}

// followupPlan is one intervention's part of a basis: the intervention and its periods, or
// the error its follow-up answers with.
type followupPlan struct {
	iv     *FollowupIntervention
	w      did.Window
	err    error
	buffer *periodCounts // the observations within the buffer of a drawn target area
	target targetArea
}

// targetArea is a follow-up's target area before its series are counted.
type targetArea struct {
	Codes      []string
	Population float64
	BufferM    float64
}

// dayCount are the observations of one UTC day in one district.
type dayCount struct {
	day          time.Time
	n            int64
	w            float64
	illustrative bool
}

// nearPlace is a public place with the observations within FollowupPlaceRadius of its point
// on surface, by time.
type nearPlace struct {
	ID           int64
	Name, Kind   string
	DistrictCode *string
	at           []time.Time
	w            []float64
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
	b, err := s.FollowupBasis(ctx, q, []int64{id})
	if err != nil {
		return nil, err
	}
	return b.Inputs(id)
}

// FollowupBasis reads what the follow-ups of interventions ids share, once; Inputs then
// gives each one's input without the database. Its cost is that of one follow-up over the
// union of their periods plus a small query per intervention.
//
// Errors: Invalid "period" or "weighting" for q, or a database error; an intervention's own
// refusal (unknown, no start, no area, no whole period) is Inputs' answer for it.
func (s *Store) FollowupBasis(ctx context.Context, q FollowupQuery, ids []int64) (*FollowupBasis, error) {
	months := map[string]int{"month": 1, "quarter": 3}[q.Period]
	if months == 0 {
		return nil, Invalid("period", "%q is not month or quarter", q.Period)
	}
	if q.Weighting == "" {
		q.Weighting = WeightCount
	}
	if q.Weighting != WeightCount && q.Weighting != WeightSeverity && q.Weighting != WeightHarm {
		return nil, Invalid("weighting", "%q is not count, severity or harm", q.Weighting)
	}
	first, last, err := s.ObservationSpan(ctx)
	if err != nil {
		return nil, err
	}
	b := &FollowupBasis{q: q, ivs: map[int64]*followupPlan{}}
	if b.districts, err = s.FollowupDistricts(ctx); err != nil {
		return nil, err
	}
	var lo, hi time.Time
	for _, id := range ids {
		p, err := s.followupPlan(ctx, id, q, months, first, last, b.districts)
		if err != nil {
			return nil, err
		}
		b.ivs[id] = p
		if p.err != nil {
			continue
		}
		start, end := p.w.Bounds[0], p.w.Bounds[len(p.w.Bounds)-1]
		if lo.IsZero() || start.Before(lo) {
			lo = start
		}
		if end.After(hi) {
			hi = end
		}
	}
	if lo.IsZero() { // nothing to count
		return b, nil
	}
	if b.spans, err = s.InterventionSpans(ctx); err != nil {
		return nil, err
	}
	if b.days, err = s.districtDays(ctx, lo, hi, q.Weighting); err != nil {
		return nil, err
	}
	if b.places, err = s.nearPlaces(ctx, lo, hi, q.Weighting); err != nil {
		return nil, err
	}
	if q.Indicators {
		inds, err := s.AllIndicatorValues(ctx)
		if err != nil {
			return nil, err
		}
		for _, ind := range inds.Catalogue {
			b.indicators = append(b.indicators, did.Indicator{Key: ind.Key, NameSV: ind.NameSV, NameEN: ind.NameEN,
				Unit: ind.Unit, Direction: ind.Direction, Values: inds.Values[ind.Key]})
		}
	}
	return b, nil
}

// followupPlan reads intervention id and lays out its periods and target area; a refusal
// of this one intervention is the plan's err, a database error the function's.
func (s *Store) followupPlan(ctx context.Context, id int64, q FollowupQuery, months int, first, last time.Time, districts []FollowupDistrict) (*followupPlan, error) {
	iv, err := s.followupIntervention(ctx, id)
	if err != nil {
		if isRefusal(err) {
			return &followupPlan{err: err}, nil
		}
		return nil, err
	}
	p := &followupPlan{iv: iv}
	if iv.Start == nil {
		p.err = Invalid("interventionId", "intervention %d has no start date", id)
		return p, nil
	}
	p.w = did.Periods(*iv.Start, first, last, months, q.Pre, q.Post)
	if !p.w.Start.Before(p.w.End) {
		p.err = Invalid("interventionId", "intervention %d starts %s, after the newest observation", id, p.w.Start.Format(time.DateOnly))
		return p, nil
	}
	if p.w.Pre+p.w.Post == 0 {
		p.err = Invalid("interventionId", "no whole %s of observations around the start date %s", q.Period, p.w.Start.Format(time.DateOnly))
		return p, nil
	}
	t := &p.target
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
			if isRefusal(err) {
				p.err = err
				return p, nil
			}
			return nil, err
		}
	default:
		p.err = Invalid("interventionId", "intervention %d has neither target districts nor a geometry", iv.ID)
		return p, nil
	}
	if t.Population <= 0 {
		p.err = Invalid("interventionId", "the target area of intervention %d has no resident population to relate observations to", iv.ID)
		return p, nil
	}
	if t.BufferM > 0 {
		if p.buffer, err = s.bufferPeriodCounts(ctx, p.w.Bounds, q.Weighting, iv.ID, t.BufferM); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// isRefusal says whether err is an answer about the thing asked for (unknown, invalid)
// rather than a failure.
func isRefusal(err error) bool {
	var inv *InvalidError
	return errors.As(err, &inv) || errors.Is(err, ErrNotFound)
}

// Inputs is the follow-up input of intervention id, which must be among the basis's ids.
//
// Errors: those of FollowupInputs for this intervention.
func (b *FollowupBasis) Inputs(id int64) (*FollowupInputs, error) {
	p, ok := b.ivs[id]
	if !ok {
		return nil, fmt.Errorf("intervention %d is not in the follow-up basis", id)
	}
	if p.err != nil {
		return nil, p.err
	}
	iv, w := p.iv, p.w
	in := &FollowupInputs{Intervention: *iv, Window: w, Input: did.Input{Pre: w.Pre, Post: w.Post, WantPre: b.q.Pre, WantPost: b.q.Post,
		Months: map[string]int{"month": 1, "quarter": 3}[b.q.Period], Category: iv.Category, StartYear: iv.Start.Year(),
		Target: did.Target{Name: iv.Title, Codes: p.target.Codes, Population: p.target.Population, BufferM: p.target.BufferM}}}
	b.series(p, in)
	b.context(p, in)
	return in, nil
}

// series sets in's series of the target and every district.
func (b *FollowupBasis) series(p *followupPlan, in *FollowupInputs) {
	bounds := in.Window.Bounds
	n := len(bounds) - 1
	ill := false
	series := func(code string) ([]int64, []float64) {
		c, w := make([]int64, n), make([]float64, n)
		days := b.days[code]
		k := sort.Search(len(days), func(i int) bool { return !days[i].day.Before(bounds[0]) })
		for ; k < len(days) && days[k].day.Before(bounds[n]); k++ {
			j := sort.Search(n, func(i int) bool { return days[k].day.Before(bounds[i+1]) })
			c[j] += days[k].n
			w[j] += days[k].w
			ill = ill || days[k].illustrative
		}
		return c, w
	}
	t := &in.Input.Target
	if t.BufferM > 0 {
		t.Counts, t.Weights = make([]int64, n), make([]float64, n)
		if p.buffer != nil && p.buffer.Count[""] != nil {
			t.Counts, t.Weights = p.buffer.Count[""], p.buffer.Weight[""]
		}
		ill = ill || (p.buffer != nil && p.buffer.Illustrative)
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
	for _, d := range b.districts {
		dd := did.District{Code: d.Code, Name: d.Name, Neighbours: d.Neighbours}
		if d.Population != nil {
			dd.Population = new(float64(*d.Population))
		}
		dd.Counts, dd.Weights = series(d.Code)
		in.Input.Districts = append(in.Input.Districts, dd)
	}
	in.Illustrative = ill || p.iv.Illustrative
}

// context sets in's other interventions during the window, the places of the target and
// neighbouring districts and the indicators.
func (b *FollowupBasis) context(p *followupPlan, in *FollowupInputs) {
	bounds := in.Window.Bounds
	winStart, winEnd := bounds[0], bounds[len(bounds)-1]
	for _, sp := range b.spans {
		if sp.ID == p.iv.ID || sp.Start == nil || !sp.Start.Before(winEnd) || (sp.End != nil && sp.End.Before(winStart)) {
			continue
		}
		in.Input.Others = append(in.Input.Others, did.Intervention{ID: sp.ID, Title: sp.Title, Category: sp.Category,
			Start: sp.Start, End: sp.End, Districts: sp.Districts})
	}
	if pre := in.Window.Pre; pre > 0 && in.Window.Post > 0 {
		districts := did.PlaceDistricts(in.Input.Target.Codes, in.Input.Districts)
		split := bounds[pre]
		for _, pl := range b.places {
			if pl.DistrictCode == nil || !slices.Contains(districts, *pl.DistrictCode) {
				continue
			}
			dp := did.Place{ID: pl.ID, Name: pl.Name, Kind: pl.Kind, DistrictCode: pl.DistrictCode}
			k := sort.Search(len(pl.at), func(i int) bool { return !pl.at[i].Before(winStart) })
			for ; k < len(pl.at) && pl.at[k].Before(winEnd); k++ {
				if pl.at[k].Before(split) {
					dp.Pre += pl.w[k]
				} else {
					dp.Post += pl.w[k]
				}
			}
			in.Input.Places = append(in.Input.Places, dp)
		}
	}
	in.Input.Indicators = b.indicators
}

// districtDaysSQL counts the observations in [$1, $2) per district of level district and UTC
// day, weighted by $3 (weightExpr).
const districtDaysSQL = `
SELECT d.code, date_trunc('day', o.observed_at, 'UTC') AS day, count(*), sum(` + weightExpr + `), bool_or(o.illustrative)
FROM observations o
JOIN districts d ON d.level = 'district' AND ST_Intersects(d.geom, o.geom)
LEFT JOIN harm_weights hw ON hw.category = o.category
WHERE o.observed_at >= $1 AND o.observed_at < $2
GROUP BY 1, 2
ORDER BY 1, 2`

// districtDays counts the observations in [lo, hi) per district and UTC day.
//
// Errors: a category without a harm weight, or a database error.
func (s *Store) districtDays(ctx context.Context, lo, hi time.Time, w Weighting) (map[string][]dayCount, error) {
	rows, err := s.pool.Query(ctx, districtDaysSQL, lo, hi, string(w))
	if err != nil {
		return nil, fmt.Errorf("district days: %w", err)
	}
	defer rows.Close()
	out := map[string][]dayCount{}
	for rows.Next() {
		var code string
		var dc dayCount
		var sum *float64
		if err := rows.Scan(&code, &dc.day, &dc.n, &sum, &dc.illustrative); err != nil {
			return nil, fmt.Errorf("district days: %w", err)
		}
		if sum == nil {
			return nil, fmt.Errorf("an observation category has no harm weight (harm_weights)")
		}
		dc.w = *sum
		out[code] = append(out[code], dc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("district days: %w", err)
	}
	return out, nil
}

// nearPlacesSQL are the places (as the caller may read them) with their points on surface,
// and the observations of [$1, $2) with their weights (weightExpr).
const (
	placePointsSQL = `
SELECT p.id, p.name, p.kind, p.district_code, ST_X(ST_PointOnSurface(p.geom)), ST_Y(ST_PointOnSurface(p.geom))
FROM places_features p
ORDER BY p.id`
	observationPointsSQL = `
SELECT ST_X(o.geom), ST_Y(o.geom), o.observed_at, ` + weightExpr + `
FROM observations o
LEFT JOIN harm_weights hw ON hw.category = o.category
WHERE o.observed_at >= $1 AND o.observed_at < $2
ORDER BY o.observed_at`
)

// nearPlaces are the places with the observations of [lo, hi) within FollowupPlaceRadius
// of each, by time. The distance is the planar one of EPSG:3006, as ST_DWithin measures it
// between the two points; the observations are read once instead of joined per place,
// which row-level security would plan as a scan of every observation per place.
func (s *Store) nearPlaces(ctx context.Context, lo, hi time.Time, w Weighting) ([]nearPlace, error) {
	rows, err := s.pool.Query(ctx, placePointsSQL)
	if err != nil {
		return nil, fmt.Errorf("place points: %w", err)
	}
	type pt struct{ x, y float64 }
	var places []nearPlace
	var at []pt
	for rows.Next() {
		var p nearPlace
		var x, y float64
		if err := rows.Scan(&p.ID, &p.Name, &p.Kind, &p.DistrictCode, &x, &y); err != nil {
			rows.Close()
			return nil, fmt.Errorf("place points: %w", err)
		}
		places = append(places, p)
		at = append(at, pt{x, y})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("place points: %w", err)
	}
	rows, err = s.pool.Query(ctx, observationPointsSQL, lo, hi, string(w))
	if err != nil {
		return nil, fmt.Errorf("observation points: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x, y float64
		var t time.Time
		var wt *float64
		if err := rows.Scan(&x, &y, &t, &wt); err != nil {
			return nil, fmt.Errorf("observation points: %w", err)
		}
		for k, p := range at {
			dx, dy := x-p.x, y-p.y
			if math.Sqrt(dx*dx+dy*dy) > FollowupPlaceRadius {
				continue
			}
			if wt == nil {
				return nil, fmt.Errorf("an observation category has no harm weight (harm_weights)")
			}
			places[k].at = append(places[k].at, t)
			places[k].w = append(places[k].w, *wt)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("observation points: %w", err)
	}
	return places, nil
}

// bufferPeriodCounts counts the observations within buffer metres of intervention's
// geometry in the periods [bounds[k], bounds[k+1]), under the key "".
func (s *Store) bufferPeriodCounts(ctx context.Context, bounds []time.Time, w Weighting, intervention int64, buffer float64) (*periodCounts, error) {
	n := len(bounds) - 1
	pc := &periodCounts{Count: map[string][]int64{}, Weight: map[string][]float64{}}
	rows, err := s.pool.Query(ctx, bufferPeriodSQL, bounds, nil, string(w), buffer, intervention)
	if err != nil {
		return nil, fmt.Errorf("buffer period counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var k int
		var cnt int64
		var sum *float64
		var ill bool
		if err := rows.Scan(&code, &k, &cnt, &sum, &ill); err != nil {
			return nil, fmt.Errorf("buffer period counts: %w", err)
		}
		if sum == nil {
			return nil, fmt.Errorf("an observation category has no harm weight (harm_weights)")
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("buffer period counts: %w", err)
	}
	return pc, nil
}
