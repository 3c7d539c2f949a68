package layers

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// PoliceSources are the observation sources that the police initiate themselves (their own
// patrol reports): what a forecast's police-initiated share counts, and what a forecast
// "without police patrol reports" leaves out.
func PoliceSources() []string { return []string{"police"} }

// MaxForecastObservations bounds the observations one forecast reads: about 60 bytes each
// while they are held (point, weight, time, source), so at most about 120 MB.
const MaxForecastObservations = 2_000_000

// ForecastQuery says what a forecast reads: the hexagon grid of the hot-spot analysis (Side,
// Area) and the observations that pass Filter in the history window [From, To).
type ForecastQuery struct {
	Side   float64
	Area   StudyArea
	Filter ObservationFilter // its Datetime is ignored: From and To replace it
	From   time.Time
	To     time.Time
	// Check, when not nil, is called with the study area's extent before the cells are made
	// and the observations read, so that a caller can refuse a costly forecast before it
	// starts; its error is returned as it is.
	Check func(extent orb.Bound) error
}

// ForecastInputs are a forecast's inputs as plain values: the study cells (every hexagon
// intersecting the area, observed or not, as HexCells makes them for the hot-spot analysis)
// and the observations with their location (EPSG:3006), weight, time and source.
type ForecastInputs struct {
	Cells   *HexStudyCells
	Points  []orb.Point
	Weights []float64
	Times   []time.Time
	// Sources[k] is the source of observation k (one shared string per source).
	Sources []string
	// Illustrative is true when any of the observations is illustrative demo data.
	Illustrative bool
	// Class is the most protected sensitivity among the observations (Open when none).
	Class DataClass
}

// forecastObservationsSQL selects the filtered observations of the window [$5, $6) inside a
// box, with the weight the weighting names (as weightedPointsSQL: NULL for a category
// without a harm weight, which the caller reports), oldest first.
const forecastObservationsSQL = `
SELECT ST_X(o.geom), ST_Y(o.geom),
       CASE $7::text WHEN 'severity' THEN o.severity::float8
                     WHEN 'harm' THEN hw.weight
                     ELSE 1 END,
       o.observed_at, o.source, o.category, o.illustrative, o.sensitivity
FROM observations o
LEFT JOIN harm_weights hw ON hw.category = o.category
WHERE o.geom && ST_MakeEnvelope($1, $2, $3, $4, 3006)
  AND o.observed_at >= $5 AND o.observed_at < $6
  AND ($8::text[] IS NULL OR o.category = ANY ($8))
  AND ($9::text[] IS NULL OR o.source = ANY ($9))
  AND ($10::text[] IS NULL OR o.sensitivity = ANY ($10))
LIMIT $11`

// ForecastInputs returns, in one call, the study cells of q.Side over q.Area and the
// observations passing q.Filter in [q.From, q.To) that reach them (those in the cells' box
// padded by a side: the caller bins them into the cells and drops the rest).
//
// Errors: those of StudyBound and HexCells, q.Check's, an unknown weighting (Invalid
// "weighting"), a window that is empty (Invalid "history"), more than MaxForecastObservations
// observations (Invalid "history", found while reading, which stops there), a category
// without a harm weight when weighting by harm, or a database error.
func (s *Store) ForecastInputs(ctx context.Context, q ForecastQuery) (*ForecastInputs, error) {
	w := q.Filter.Weighting
	if w == "" {
		w = WeightCount
	}
	if w != WeightCount && w != WeightSeverity && w != WeightHarm {
		return nil, Invalid("weighting", "%q is not count, severity or harm", w)
	}
	if !q.From.Before(q.To) {
		return nil, Invalid("history", "the window %s/%s is empty", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	if q.Check != nil {
		extent, err := s.StudyBound(ctx, q.Area)
		if err != nil {
			return nil, err
		}
		if err := q.Check(extent); err != nil {
			return nil, err
		}
	}
	cells, err := s.HexCells(ctx, q.Side, q.Area)
	if err != nil {
		return nil, err
	}
	b := cells.Bound.Pad(q.Side)
	rows, err := s.pool.Query(ctx, forecastObservationsSQL, b.Min[0], b.Min[1], b.Max[0], b.Max[1], q.From, q.To,
		string(w), nilIfEmpty(q.Filter.Categories), nilIfEmpty(q.Filter.Sources), nilIfEmpty(q.Filter.Classes),
		MaxForecastObservations+1)
	if err != nil {
		return nil, fmt.Errorf("forecast observations: %w", err)
	}
	in := &ForecastInputs{Cells: cells, Class: Open}
	interned := map[string]string{}
	var x, y float64
	var wt *float64
	var at time.Time
	var src, cat, class string
	var illustrative bool
	_, err = pgx.ForEachRow(rows, []any{&x, &y, &wt, &at, &src, &cat, &illustrative, &class}, func() error {
		if len(in.Points) == MaxForecastObservations {
			return Invalid("history", "more than %d observations in the window; use a shorter history, fewer categories or sources, or a smaller area", MaxForecastObservations)
		}
		if wt == nil {
			return fmt.Errorf("category %q has no row in harm_weights; add one (see migrations/003_hotspots.sql)", cat)
		}
		shared, ok := interned[src]
		if !ok {
			shared = src
			interned[src] = src
		}
		in.Points = append(in.Points, orb.Point{x, y})
		in.Weights = append(in.Weights, *wt)
		in.Times = append(in.Times, at)
		in.Sources = append(in.Sources, shared)
		in.Illustrative = in.Illustrative || illustrative
		in.Class = HigherClass(in.Class, DataClass(class))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("forecast observations: %w", err)
	}
	return in, nil
}
