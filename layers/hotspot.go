package layers

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/hotspot"
)

// Weighting says how much one observation counts in a hotspot analysis.
type Weighting string

// The weightings: every observation 1; its severity (1–5); or the harm weight of its
// category from the harm_weights table (migrations/003_hotspots.sql).
const (
	WeightCount    Weighting = "count"
	WeightSeverity Weighting = "severity"
	WeightHarm     Weighting = "harm"
)

// ObservationFilter selects and weights the observations of an analysis. Empty lists select
// everything.
type ObservationFilter struct {
	Datetime   *Interval
	Categories []string
	Sources    []string
	Weighting  Weighting // "" means WeightCount
	// Classes, when not empty, limits the observations to those of these sensitivities
	// (beyond what row-level security lets the caller read), for a result meant for readers
	// of a lower class than the caller's.
	Classes []string
}

// StudyArea is where an analysis runs: the union of the districts of level "district" (all of
// them, or those listed in Districts), or Polygon (EPSG:3006) when it is set.
type StudyArea struct {
	Districts []string
	Polygon   orb.Polygon
}

// HexStudyCells is the hexagon grid over a study area: every cell of ST_HexagonGrid(side)
// (anchored at the EPSG:3006 origin, numbered as geo/hotspot's HexCentre documents) that
// intersects the area, whether or not anything was observed in it. It is geo/hotspot's input
// type, named here for the loaders that fill it.
type HexStudyCells = hotspot.Cells

// MaxStudyCells bounds the grid of one analysis, so a small side over a large area cannot
// exhaust memory.
const MaxStudyCells = 250_000

// studyAreaSQL is the study area as one geometry: a given polygon ($2), else the union of
// district-level districts (those in $1 when it is not NULL).
const studyAreaSQL = `
SELECT CASE WHEN $2::bytea IS NOT NULL THEN ST_GeomFromEWKB($2::bytea)
            ELSE (SELECT ST_Union(d.geom) FROM districts d
                   WHERE d.level = 'district' AND ($1::text[] IS NULL OR d.code = ANY ($1)))
       END`

// hexCellsSQL lists the hexagons intersecting the study area, with a guard on their number
// computed from the area's extent before the grid is generated.
const hexCellsSQL = `
WITH area AS (` + studyAreaSQL + ` AS geom)
SELECT h.i, h.j
FROM area, ST_HexagonGrid($3, area.geom) h
WHERE ST_Intersects(h.geom, area.geom)
ORDER BY h.i, h.j`

const studyExtentSQL = `
WITH area AS (` + studyAreaSQL + ` AS geom)
SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom),
       (SELECT array_agg(u.code ORDER BY u.n) FROM unnest($1::text[]) WITH ORDINALITY u(code, n)
        WHERE NOT EXISTS (SELECT 1 FROM districts d WHERE d.level = 'district' AND d.code = u.code))
FROM area`

// StudyBound returns the extent of the study area (EPSG:3006), from which an analysis' cost
// is estimated before its cells are made.
//
// Errors: an unknown district code (Invalid "area"), an empty area (Invalid "area"), or a
// database error.
func (s *Store) StudyBound(ctx context.Context, area StudyArea) (orb.Bound, error) {
	poly, codes, err := studyAreaArgs(area)
	if err != nil {
		return orb.Bound{}, err
	}
	var x0, y0, x1, y1 *float64
	var unknown []string
	if err := s.read(ctx).QueryRow(ctx, studyExtentSQL, codes, poly).Scan(&x0, &y0, &x1, &y1, &unknown); err != nil {
		return orb.Bound{}, fmt.Errorf("hotspot study area: %w", err)
	}
	if len(unknown) > 0 {
		return orb.Bound{}, Invalid("area", "%d of the %d district codes are not districts of level 'district': %s",
			len(unknown), len(codes), strings.Join(unknown, ", "))
	}
	if x0 == nil {
		return orb.Bound{}, Invalid("area", "the study area is empty")
	}
	return orb.Bound{Min: orb.Point{*x0, *y0}, Max: orb.Point{*x1, *y1}}, nil
}

// HexCells returns the hexagon cells of side metres that intersect the study area.
//
// Errors: those of StudyBound, more than MaxStudyCells cells (Invalid "side"), or a database
// error.
func (s *Store) HexCells(ctx context.Context, side float64, area StudyArea) (*HexStudyCells, error) {
	bound, err := s.StudyBound(ctx, area)
	if err != nil {
		return nil, err
	}
	return s.hexCells(ctx, side, area, bound)
}

// hexCells is HexCells over an area whose extent (bound) is known.
func (s *Store) hexCells(ctx context.Context, side float64, area StudyArea, bound orb.Bound) (*HexStudyCells, error) {
	poly, codes, _ := studyAreaArgs(area) // checked by StudyBound
	cells := &HexStudyCells{Side: side, Bound: bound}
	if est := MaxHexCells(bound, side); est > MaxStudyCells {
		return nil, Invalid("side", "%.0f m hexagons over this area make about %.0f cells, more than %d; use a larger side or a smaller area", side, est, MaxStudyCells)
	}
	rows, err := s.read(ctx).Query(ctx, hexCellsSQL, codes, poly, side)
	if err != nil {
		return nil, fmt.Errorf("hotspot cells: %w", err)
	}
	var i, j int
	_, err = pgx.ForEachRow(rows, []any{&i, &j}, func() error {
		cells.I = append(cells.I, i)
		cells.J = append(cells.J, j)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hotspot cells: %w", err)
	}
	return cells, nil
}

// MaxHexCells is an upper bound of the hexagons of side metres over bound: columns 1.5·side
// apart, rows √3·side apart.
func MaxHexCells(bound orb.Bound, side float64) float64 {
	return ((bound.Max[0]-bound.Min[0])/(1.5*side) + 2) * ((bound.Max[1]-bound.Min[1])/(math.Sqrt(3)*side) + 2)
}

func studyAreaArgs(area StudyArea) (poly []byte, codes []string, err error) {
	if len(area.Polygon) > 0 {
		if poly, err = toEWKB(area.Polygon); err != nil {
			return nil, nil, Invalid("area", "polygon: %v", err)
		}
		return poly, nil, nil
	}
	// Each code once: a code given twice is the same area, and counts as one in the
	// check that every code is a district.
	seen := make(map[string]bool, len(area.Districts))
	for _, c := range area.Districts {
		if !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	return nil, codes, nil
}

// WeightedPoints are observations as plain inputs for geo: location (EPSG:3006), weight, and
// when asked (ObservationColumns) the observation's time, category and source.
type WeightedPoints struct {
	Points     []orb.Point
	Weights    []float64
	Times      []time.Time
	Categories []string
	Sources    []string // one shared string per source
	// Illustrative is true when any of the observations is illustrative demo data.
	Illustrative bool
	// Class is the most protected sensitivity among the observations (Open when there are none).
	Class DataClass
}

// ObservationColumns says what WeightedObservations returns besides location and weight.
type ObservationColumns struct {
	Times      bool // each observation's time (observed_at)
	Categories bool // each observation's category
	Sources    bool // each observation's source
	// Max, when positive, bounds the observations read: the read stops at the one past it
	// with ErrTooManyObservations, so a caller can bound what it holds before it is held.
	Max int
}

// ErrTooManyObservations: more observations matched than ObservationColumns.Max.
var ErrTooManyObservations = errors.New("too many observations")

// weightedPointsSQL selects the filtered observations inside a box with their weight. The
// weight is chosen by a parameter, not by editing the SQL; the harm weight comes from
// harm_weights and is NULL for a category without a row, which the caller reports.
const weightedPointsSQL = `
SELECT ST_X(o.geom), ST_Y(o.geom),
       CASE $8::text WHEN 'severity' THEN o.severity::float8
                     WHEN 'harm' THEN hw.weight
                     ELSE 1 END,
       o.category, o.illustrative, o.observed_at, o.sensitivity,
       CASE WHEN $11::boolean THEN o.source END
FROM observations o
LEFT JOIN harm_weights hw ON hw.category = o.category` + observationFilterSQL

// observationFilterSQL selects the observations of an ObservationFilter inside a box: the
// box $1–$4, the window $5–$6, categories $7, sources $9 and classes $10 ($8 is the
// weighting, left to the statement it ends).
const observationFilterSQL = `
WHERE o.geom && ST_MakeEnvelope($1, $2, $3, $4, 3006)
  AND ($5::timestamptz IS NULL OR o.observed_at >= $5)
  AND ($6::timestamptz IS NULL OR o.observed_at <= $6)
  AND ($7::text[] IS NULL OR o.category = ANY ($7))
  AND ($9::text[] IS NULL OR o.source = ANY ($9))
  AND ($10::text[] IS NULL OR o.sensitivity = ANY ($10))`

// countedPointsSQL and countedHarmSQL select what a count per hexagon needs of each
// observation (HotspotQuery.Count), and nothing more: every column costs PostgreSQL a
// conversion and Go a decoding per row, a million times (each column about 50 ms per million
// rows). The weight is NULL when every observation weighs 1, else the severity ($8 is
// 'severity'); countedHarmSQL joins the harm weights (a hash join per row, paid only when
// weighting by harm) and names the category of a row without one. The class and the
// illustrative flag travel as one small number: lgb_class_rank, plus 4 when illustrative.
const (
	countedPointsSQL = `
SELECT ST_X(o.geom), ST_Y(o.geom), CASE WHEN $8::text = 'severity' THEN o.severity::float8 END,
       (lgb_class_rank(o.sensitivity) + CASE WHEN o.illustrative THEN 4 ELSE 0 END)::int2, NULL::text
FROM observations o` + observationFilterSQL
	countedHarmSQL = `
SELECT ST_X(o.geom), ST_Y(o.geom), CASE WHEN $8::text = 'harm' THEN hw.weight END,
       (lgb_class_rank(o.sensitivity) + CASE WHEN o.illustrative THEN 4 ELSE 0 END)::int2,
       CASE WHEN hw.weight IS NULL THEN o.category END
FROM observations o
LEFT JOIN harm_weights hw ON hw.category = o.category` + observationFilterSQL
)

// WeightedObservations returns the observations inside bound (EPSG:3006) that pass f, with
// their weights and the columns asked for.
//
// Errors: an unknown weighting (Invalid "weighting"), a category without a harm weight when
// weighting by harm, or a database error.
func (s *Store) WeightedObservations(ctx context.Context, bound orb.Bound, f ObservationFilter, with ObservationColumns) (*WeightedPoints, error) {
	w := f.Weighting
	if w == "" {
		w = WeightCount
	}
	if w != WeightCount && w != WeightSeverity && w != WeightHarm {
		return nil, Invalid("weighting", "%q is not count, severity or harm", w)
	}
	var start, end *time.Time
	if f.Datetime != nil {
		start, end = f.Datetime.Start, f.Datetime.End
	}
	rows, err := s.read(ctx).Query(ctx, weightedPointsSQL, bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1],
		start, end, nilIfEmpty(f.Categories), string(w), nilIfEmpty(f.Sources), nilIfEmpty(f.Classes), with.Sources)
	if err != nil {
		return nil, fmt.Errorf("hotspot observations: %w", err)
	}
	out := &WeightedPoints{Class: Open}
	var x, y float64
	var wt *float64
	var cat, class string
	var src *string
	var illustrative bool
	var at time.Time
	interned := map[string]string{}
	_, err = pgx.ForEachRow(rows, []any{&x, &y, &wt, &cat, &illustrative, &at, &class, &src}, func() error {
		if with.Max > 0 && len(out.Points) == with.Max {
			return fmt.Errorf("more than %d: %w", with.Max, ErrTooManyObservations)
		}
		if wt == nil {
			return fmt.Errorf("category %q has no row in harm_weights; add one (see migrations/003_hotspots.sql)", cat)
		}
		out.Points = append(out.Points, orb.Point{x, y})
		out.Weights = append(out.Weights, *wt)
		out.Illustrative = out.Illustrative || illustrative
		out.Class = HigherClass(out.Class, DataClass(class))
		if with.Times {
			out.Times = append(out.Times, at)
		}
		if with.Categories {
			out.Categories = append(out.Categories, cat)
		}
		if with.Sources && src != nil {
			shared, ok := interned[*src]
			if !ok {
				shared = *src
				interned[shared] = shared
			}
			out.Sources = append(out.Sources, shared)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hotspot observations: %w", err)
	}
	return out, nil
}

// countObservations counts the observations inside bound that pass f into t, one row at a
// time, and returns whether any is illustrative and the most protected class among them (as
// WeightedObservations would).
//
// Errors: an unknown weighting (Invalid "weighting"), a category without a harm weight when
// weighting by harm, or a database error.
func (s *Store) countObservations(ctx context.Context, t *hotspot.Tally, bound orb.Bound, f ObservationFilter) (illustrative bool, class DataClass, err error) {
	w := f.Weighting
	if w == "" {
		w = WeightCount
	}
	if w != WeightCount && w != WeightSeverity && w != WeightHarm {
		return false, "", Invalid("weighting", "%q is not count, severity or harm", w)
	}
	var start, end *time.Time
	if f.Datetime != nil {
		start, end = f.Datetime.Start, f.Datetime.End
	}
	sql := countedPointsSQL
	if w == WeightHarm {
		sql = countedHarmSQL
	}
	// Every row is converted and sent, a million of them in a large area: two parallel workers
	// share the scan and the conversions while the leader sends (PostgreSQL CPU per million
	// rows about 700 ms serial, split about 450 ms in the leader and 240 in each worker).
	rows, err := s.read(ctx).QueryParallel(ctx, sql, bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1],
		start, end, nilIfEmpty(f.Categories), string(w), nilIfEmpty(f.Sources), nilIfEmpty(f.Classes))
	if err != nil {
		return false, "", fmt.Errorf("hotspot counts: %w", err)
	}
	defer rows.Close()
	rank := int16(0) // Open's
	var r countedRow
	for rows.Next() {
		if err := r.read(rows); err != nil {
			return false, "", fmt.Errorf("hotspot counts: %w", err)
		}
		wt := r.w
		if !r.weighed {
			if w != WeightCount {
				return false, "", fmt.Errorf("hotspot counts: category %q has no row in harm_weights; add one (see migrations/002_hotspots.sql)", r.noWeight)
			}
			wt = 1
		}
		t.Add(r.p, wt)
		illustrative = illustrative || r.code&4 != 0
		rank = max(rank, r.code&3)
	}
	if err := rows.Err(); err != nil {
		return false, "", fmt.Errorf("hotspot counts: %w", err)
	}
	return illustrative, classOfRank(rank), nil
}

// classOfRank is the class lgb_class_rank ranks rank (migrations/017_need_to_know.sql).
func classOfRank(rank int16) DataClass {
	switch rank {
	case 0:
		return Open
	case 1:
		return Internal
	case 2:
		return Restricted
	}
	return DataClass("unknown") // ranked above every class, as classRank ranks an unknown one
}

// countedRow is one row of countedPointsSQL.
type countedRow struct {
	p        orb.Point
	w        float64
	weighed  bool   // w was given (not NULL)
	code     int16  // lgb_class_rank of the class, plus 4 when illustrative
	noWeight string // the category of a row without a harm weight
}

// read decodes the current row. The location, weight and code come in PostgreSQL's binary
// form (pgx asks for it for float8 and smallint) and are decoded directly, which for a
// million rows is a fraction of what Scan costs; a row in another form goes through Scan.
func (r *countedRow) read(rows pgx.Rows) error {
	v := rows.RawValues()
	fd := rows.FieldDescriptions()
	if len(v) == 5 && fd[0].Format == pgx.BinaryFormatCode && fd[1].Format == pgx.BinaryFormatCode &&
		fd[2].Format == pgx.BinaryFormatCode && fd[3].Format == pgx.BinaryFormatCode &&
		len(v[0]) == 8 && len(v[1]) == 8 && (v[2] == nil || len(v[2]) == 8) && len(v[3]) == 2 && v[4] == nil {
		r.p = orb.Point{math.Float64frombits(binary.BigEndian.Uint64(v[0])), math.Float64frombits(binary.BigEndian.Uint64(v[1]))}
		r.weighed = v[2] != nil
		if r.weighed {
			r.w = math.Float64frombits(binary.BigEndian.Uint64(v[2]))
		}
		r.code = int16(binary.BigEndian.Uint16(v[3]))
		return nil
	}
	var w *float64
	var noWeight *string
	if err := rows.Scan(&r.p[0], &r.p[1], &w, &r.code, &noWeight); err != nil {
		return err
	}
	r.weighed, r.noWeight = w != nil, ""
	if w != nil {
		r.w = *w
	}
	if noWeight != nil {
		r.noWeight = *noWeight
	}
	return nil
}

// HotspotQuery is what a hotspot analysis reads.
type HotspotQuery struct {
	// Side is the hexagons' side in metres; 0 makes no cells (a density needs only the
	// study area's extent).
	Side float64
	Area StudyArea
	// Pad: the observations within Pad metres of the study area's extent are read (as far
	// as a kernel reaches). With cells it is at least 2 × Side: a border cell is kept whole
	// (geo/hotspot), and its hexagon reaches up to two sides beyond the area.
	Pad    float64
	Filter ObservationFilter
	With   ObservationColumns
	// Count, with cells (Side > 0), counts the observations into the hexagons as they are
	// read (hotspot.Tally) instead of returning them: HotspotInputs.Binned is set and
	// Observations is empty, the input of a Gi* analysis (hotspot.Input.Binned) for a
	// fraction of the memory and time. With must then ask for nothing.
	Count bool
	// CheckArea, when set, is the caller's cost bound from the study area's extent, called
	// before the cells are made and the observations read; CheckCells likewise with the number
	// of cells, before the observations are read. Their errors are returned as they are.
	CheckArea  func(orb.Bound) error
	CheckCells func(cells int) error
}

// HotspotInputs are the inputs of a hotspot analysis, read in one call.
type HotspotInputs struct {
	Cells        *hotspot.Cells // nil when the query's Side is 0; Bound is always set
	Bound        orb.Bound      // the study area's extent (EPSG:3006)
	Observations hotspot.Observations
	// Binned is what fell into each cell, when the query asked to Count.
	Binned     *hotspot.Binned
	Categories []string // of each observation, when asked
	Sources    []string // of each observation, when asked
	// Illustrative is true when any observation is illustrative demo data.
	Illustrative bool
	// Class is the most protected sensitivity among the observations.
	Class DataClass
}

// HotspotInputs reads the study area's extent, its hexagon cells and the observations of
// an analysis.
//
// Errors: those of StudyBound and HexCells, of the checks, of WeightedObservations.
func (s *Store) HotspotInputs(ctx context.Context, q HotspotQuery) (*HotspotInputs, error) {
	bound, err := s.StudyBound(ctx, q.Area)
	if err != nil {
		return nil, err
	}
	if q.CheckArea != nil {
		if err := q.CheckArea(bound); err != nil {
			return nil, err
		}
	}
	in := &HotspotInputs{Bound: bound}
	if q.Count {
		return in, s.countInputs(ctx, q, in)
	}
	if q.Side > 0 {
		if in.Cells, err = s.hexCells(ctx, q.Side, q.Area, bound); err != nil {
			return nil, err
		}
		if q.CheckCells != nil {
			if err := q.CheckCells(in.Cells.Len()); err != nil {
				return nil, err
			}
		}
	}
	pad := q.Pad
	if q.Side > 0 {
		pad = max(pad, 2*q.Side)
	}
	pts, err := s.WeightedObservations(ctx, bound.Pad(pad), q.Filter, q.With)
	if err != nil {
		return nil, err
	}
	in.Observations = hotspot.Observations{Points: pts.Points, Weights: pts.Weights, Times: pts.Times}
	in.Categories, in.Sources, in.Illustrative, in.Class = pts.Categories, pts.Sources, pts.Illustrative, pts.Class
	return in, nil
}

// countInputs fills in the cells of q and the observations counted into them. The cells and
// the count are read at once, on two connections: neither needs the other until the end. A
// refusal of the cells (too many, or q.CheckCells) cancels the count.
//
// Errors: q asks to count without cells or with columns (an error of the caller's); those of
// hexCells, q.CheckCells and countObservations; a tally grid over more than 4 × MaxStudyCells
// hexagons (Invalid "side").
func (s *Store) countInputs(ctx context.Context, q HotspotQuery, in *HotspotInputs) error {
	if q.Side <= 0 || q.With != (ObservationColumns{}) {
		return errors.New("hotspot inputs: Count needs cells and no columns")
	}
	pad := max(q.Pad, 2*q.Side)
	if n := hotspot.TallyCells(in.Bound, q.Side); n > 4*MaxStudyCells {
		return Invalid("side", "%.0f m hexagons over this area make about %.0f cells, more than %d; use a larger side or a smaller area", q.Side, n, 4*MaxStudyCells)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cellsDone := make(chan error, 1)
	go func() {
		cells, err := s.hexCells(ctx, q.Side, q.Area, in.Bound)
		if err == nil && q.CheckCells != nil {
			err = q.CheckCells(cells.Len())
		}
		if err != nil {
			cancel()
		}
		in.Cells = cells
		cellsDone <- err
	}()
	tally := hotspot.NewTally(in.Bound, q.Side)
	var err error
	in.Illustrative, in.Class, err = s.countObservations(ctx, tally, in.Bound.Pad(pad), q.Filter)
	if cerr := <-cellsDone; cerr != nil {
		return cerr // the count's error, if any, is its cancellation
	}
	if err != nil {
		return err
	}
	b, err := tally.Binned(in.Cells)
	if err != nil {
		return fmt.Errorf("hotspot inputs: %w", err)
	}
	in.Binned = &b
	return nil
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// LatestObservation returns the time of the newest observation, or ErrNotFound when there
// are none. The places ranking uses it as the default "now", so the demo data (which ends in
// 2024) gives a meaningful "this period".
func (s *Store) LatestObservation(ctx context.Context) (time.Time, error) {
	var t *time.Time
	if err := s.read(ctx).QueryRow(ctx, `SELECT max(observed_at) FROM observations`).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("latest observation: %w", err)
	}
	if t == nil {
		return time.Time{}, fmt.Errorf("latest observation: %w", ErrNotFound)
	}
	return *t, nil
}

// HotspotPlace is a public place as the place ranking needs it: a representative point
// (ST_PointOnSurface, EPSG:3006) and the observations near it in two periods.
type HotspotPlace struct {
	ID           int64
	Name         string
	Kind         string
	DistrictCode *string
	Point        orb.Point
	// Distances (metres) and weights of the observations within the radius, in the current
	// and the previous period.
	Current, Previous []DistanceWeight
}

// DistanceWeight is one observation near a place.
type DistanceWeight struct {
	Distance, Weight float64
}

const placesSQL = `
SELECT p.id, p.name, p.kind, p.district_code, ST_X(ST_PointOnSurface(p.geom)), ST_Y(ST_PointOnSurface(p.geom))
FROM places_features p
ORDER BY p.id`

// placeObservationsSQL pairs each place with the observations within $1 metres of its
// representative point in the two periods [$2, $3) (previous) and [$3, $4] (current).
const placeObservationsSQL = `
SELECT p.id, ST_Distance(o.geom, p.pt),
       CASE $5::text WHEN 'severity' THEN o.severity::float8 WHEN 'harm' THEN hw.weight ELSE 1 END,
       o.observed_at >= $3, o.category
FROM (SELECT id, ST_PointOnSurface(geom) AS pt FROM places) p
JOIN observations o ON ST_DWithin(o.geom, p.pt, $1)
LEFT JOIN harm_weights hw ON hw.category = o.category
WHERE o.observed_at >= $2 AND o.observed_at <= $4
  AND ($6::text[] IS NULL OR o.category = ANY ($6))
  AND ($7::text[] IS NULL OR o.source = ANY ($7))`

// PlacesNear returns every public place with the observations within radius metres of it,
// split into the previous period [prevStart, curStart) and the current one [curStart, curEnd].
// f.Datetime is ignored: the periods replace it.
//
// Errors: an unknown weighting (Invalid "weighting"), a category without a harm weight, or a
// database error.
func (s *Store) PlacesNear(ctx context.Context, radius float64, prevStart, curStart, curEnd time.Time, f ObservationFilter) ([]HotspotPlace, error) {
	w := f.Weighting
	if w == "" {
		w = WeightCount
	}
	if w != WeightCount && w != WeightSeverity && w != WeightHarm {
		return nil, Invalid("weighting", "%q is not count, severity or harm", w)
	}
	rows, err := s.read(ctx).Query(ctx, placesSQL)
	if err != nil {
		return nil, fmt.Errorf("hotspot places: %w", err)
	}
	places, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (HotspotPlace, error) {
		var p HotspotPlace
		err := r.Scan(&p.ID, &p.Name, &p.Kind, &p.DistrictCode, &p.Point[0], &p.Point[1])
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("hotspot places: %w", err)
	}
	byID := make(map[int64]int, len(places))
	for k, p := range places {
		byID[p.ID] = k
	}
	rows, err = s.read(ctx).Query(ctx, placeObservationsSQL, radius, prevStart, curStart, curEnd, string(w),
		nilIfEmpty(f.Categories), nilIfEmpty(f.Sources))
	if err != nil {
		return nil, fmt.Errorf("hotspot place observations: %w", err)
	}
	var id int64
	var d float64
	var wt *float64
	var current bool
	var cat string
	_, err = pgx.ForEachRow(rows, []any{&id, &d, &wt, &current, &cat}, func() error {
		if wt == nil {
			return fmt.Errorf("category %q has no row in harm_weights", cat)
		}
		p := &places[byID[id]]
		if current {
			p.Current = append(p.Current, DistanceWeight{d, *wt})
		} else {
			p.Previous = append(p.Previous, DistanceWeight{d, *wt})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hotspot place observations: %w", err)
	}
	return places, nil
}

// HarmWeight is one row of the harm weight table.
type HarmWeight struct {
	Category     string  `json:"category"`
	Weight       float64 `json:"weight"`
	Rationale    string  `json:"rationale"`
	Illustrative bool    `json:"illustrative"`
}

// HarmWeights returns the harm weight table, heaviest first.
func (s *Store) HarmWeights(ctx context.Context) ([]HarmWeight, error) {
	rows, err := s.read(ctx).Query(ctx, `SELECT category, weight, rationale, illustrative FROM harm_weights ORDER BY weight DESC, category`)
	if err != nil {
		return nil, fmt.Errorf("harm weights: %w", err)
	}
	hw, err := pgx.CollectRows(rows, pgx.RowToStructByPos[HarmWeight])
	if err != nil {
		return nil, fmt.Errorf("harm weights: %w", err)
	}
	return hw, nil
}
