// Package forecast forecasts where observations are most likely in the coming week or month
// on the hexagon grid of the hot-spot analysis, and measures how well each model would have
// done by a rolling-origin backtest (hit rate, PAI and PEI at 1, 5 and 10 % of the area).
//
// Assumptions: cells are the hexagons of geo/hotspot (ST_HexagonGrid numbering, centres in
// planar metres, EPSG:3006 in Lägesbild), all of equal area, so a share of the cells is the
// same share of the area; time is cut into weeks of exactly 168 hours ending at the forecast
// origin (a month is four such weeks, so every backtest period has the same length); an
// event's weight is the caller's choice (1 per observation, a severity or a harm weight) and
// every figure is in that weight. The forecast is of places, never of persons: inputs carry
// a cell, a time, a weight and a source tag and nothing else.
//
// # Models
//
// Two baselines:
//
//   - RecentDensity: the weight in each cell over the last four weeks (what a weekly hot-spot
//     map shows).
//   - LongTermDensity: the weight in each cell over the whole history window (three years
//     by default).
//
// The package does no I/O and holds no state; nothing in it is random.
package forecast

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalid is wrapped by every error about the input (a cell out of range, a weight that
// is negative or not finite, a window or backtest length out of range). Callers map it to a
// client error.
var ErrInvalid = errors.New("forecast: invalid input")

// ErrTooLarge is wrapped (besides ErrInvalid) when cells × weeks exceeds MaxCellWeeks: the
// computation is refused before it starts.
var ErrTooLarge = errors.New("forecast: too large")

// Week is the length of a period: 168 hours. Across a change to or from daylight-saving time
// a week boundary moves by an hour of local time, which does not matter for weekly totals.
const Week = 7 * 24 * time.Hour

// Limits and defaults.
const (
	// DefaultHistory is the number of weeks before the origin that Bin keeps by default.
	DefaultHistory = 156
	// MaxHistory bounds the history window (ten years).
	MaxHistory = 520
	// MaxCellWeeks bounds cells × weeks: the fit holds about 16 bytes per cell-week (the
	// weights and the ring sums), so this bound keeps a call under about 100 MB.
	MaxCellWeeks = 6_000_000
	// RecentWeeks is the window of the RecentDensity baseline.
	RecentWeeks = 4
)

// Event is one observation: the index of its cell in the Grid, when it happened, its weight
// (≥ 0) and its source (a tag such as "police_patrol", for SourceShare and WithoutSources).
type Event struct {
	Cell   int
	Time   time.Time
	Weight float64
	Source string
}

// Horizon is the length of a forecast in weeks: Weekly (1) or Monthly (4).
type Horizon int

// The horizons.
const (
	Weekly  Horizon = 1
	Monthly Horizon = 4
)

// String returns "week" or "month" (or "N weeks").
func (h Horizon) String() string {
	switch h {
	case Weekly:
		return "week"
	case Monthly:
		return "month"
	}
	return fmt.Sprintf("%d weeks", int(h))
}

// Model names a forecasting model.
type Model string

// The models. Baselines are RecentDensity and LongTermDensity.
const (
	RecentDensity   Model = "recent_density"
	LongTermDensity Model = "long_term_density"
)

// Models lists every model, baselines first.
func Models() []Model { return []Model{RecentDensity, LongTermDensity} }

// IsBaseline reports whether m is one of the baselines.
func (m Model) IsBaseline() bool { return m == RecentDensity || m == LongTermDensity }

func (m Model) valid() bool {
	return m == RecentDensity || m == LongTermDensity
}
