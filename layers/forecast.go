package layers

import (
	"context"
	"errors"
	"time"

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
	// Categories: return each observation's category too.
	Categories bool
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
	// Categories[k] is observation k's category, when asked.
	Categories []string
	// Illustrative is true when any of the observations is illustrative demo data.
	Illustrative bool
	// Class is the most protected sensitivity among the observations (Open when none).
	Class DataClass
}

// ForecastInputs returns, in one call, the study cells of q.Side over q.Area and the
// observations passing q.Filter in [q.From, q.To) that reach them, with their time and source:
// HotspotInputs' reading (the observations within a side of the study area's extent; the
// caller bins them into the cells and drops the rest).
//
// Errors: those of HotspotInputs and q.Check's, a window that is empty (Invalid "history"),
// more than MaxForecastObservations observations (Invalid "history", found while reading,
// which stops there).
func (s *Store) ForecastInputs(ctx context.Context, q ForecastQuery) (*ForecastInputs, error) {
	if !q.From.Before(q.To) {
		return nil, Invalid("history", "the window %s/%s is empty", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	f := q.Filter
	// observed_at is kept to the microsecond: the last one before To closes the window.
	last := q.To.Add(-time.Microsecond)
	f.Datetime = &Interval{Start: &q.From, End: &last}
	in, err := s.HotspotInputs(ctx, HotspotQuery{Side: q.Side, Area: q.Area, Pad: q.Side, Filter: f, CheckArea: q.Check,
		With: ObservationColumns{Times: true, Sources: true, Categories: q.Categories, Max: MaxForecastObservations}})
	if errors.Is(err, ErrTooManyObservations) {
		return nil, Invalid("history", "more than %d observations in the window; use a shorter history, fewer categories or sources, or a smaller area", MaxForecastObservations)
	}
	if err != nil {
		return nil, err
	}
	return &ForecastInputs{Cells: in.Cells, Points: in.Observations.Points, Weights: in.Observations.Weights,
		Times: in.Observations.Times, Sources: in.Sources, Categories: in.Categories, Illustrative: in.Illustrative, Class: in.Class}, nil
}
