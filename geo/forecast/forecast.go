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
// Two baselines and one model that uses time:
//
//   - RecentDensity: the weight in each cell over the last four weeks (what a weekly hot-spot
//     map shows).
//
//   - LongTermDensity: the weight in each cell over the whole history window (three years
//     by default).
//
//   - SelfExciting: a self-exciting point process on the grid, discretised by week, after
//     Mohler et al. (JASA 2015). The expected weight in cell n in week t is
//
//     λ(n, t) = μ(n) + Σ_s Σ_r θ_sr · Σ_{m at ring r of n} Σ_{v<t} x(m, v) · g_s(t − v) / (6r, or 1 for r = 0)
//
//     with x the weight per cell and week, geometric triggering kernels g_s(k) = (1 − β_s)·β_s^(k−1)
//     (the discrete exponential) at two time scales, a mean delay of 2 weeks (near repeats)
//     and of 10 weeks (a place warming up or cooling down), and a triggering weight θ_sr for
//     the cell itself (r = 0) and for its first and second rings of neighbours (an event
//     spreads θ_sr evenly over the 6r cells of ring r, so the spread decays over the rings as
//     the fitted θ do). The background is a non-negative combination of a uniform rate and the
//     mean weekly weight of the cell and of its two rings over the training weeks:
//     μ(n) = a₀ + a₁·L(n) + a₂·L₁(n) + a₃·L₂(n). The ten weights are fitted by maximum
//     likelihood (Poisson, per cell and week) on the weeks before each origin, so the
//     backtest scores a fit that never saw the week it forecasts; in the fit, a cell's own
//     mean leaves out the week being fitted, so the background cannot explain a week by
//     itself. With weights other than 1 per observation the Poisson likelihood is a
//     quasi-likelihood: the same estimating equations, weighted.
//
// Why this model: it is the one field trials measured (Mohler et al. 2015: 1.4–2.2 times the
// crime of analysts' maps in the same area); it contains the long-term density (a₁ alone)
// and a smoothed, decaying kin of the recent density (the triggering alone), so where time
// carries no information the fit falls back to the former; and its
// weights come from the likelihood on the training weeks rather than from a search over the
// weeks it is scored on, so the backtest is not tuned to itself. Mohler's model has a free
// background rate per cell fitted by EM; on 12,000 cells EM needed hundreds of iterations
// and its parameters were still drifting (the backgrounds and the triggering trade off
// slowly), which is too slow for a weekly backtest. With the background tied to the long-term
// densities and the time scales fixed, λ is linear in the weights, the log-likelihood is
// concave, and Newton's method (with the weights kept non-negative) reaches its one maximum
// in a few steps, two from the previous origin's weights. Weekday seasonality is invisible
// in weekly totals and month-of-year seasonality needs more years than a three-year window
// holds, so neither is modelled.
//
// Cost: the events are binned once by cell and week; the triggering features of the
// cell-weeks with weight are computed once (a recursion along the weeks of each cell), at
// about FitEntries of them are fitted on, and the forecasting state advances a week at a time
// with the backtest's origins. A 52-week backtest of all three models over 1,000,000
// observations on 12,000 cells and 156 weeks takes about 2.3 CPU seconds (BenchmarkBacktest).
//
// Invalid input (a cell out of range, a weight that is negative or not finite, a window or
// backtest length out of range) is refused with a *input.Error naming it by the forecast
// API's parameter where there is one ("side", "history", "horizon", "backtest"); callers
// answer it as a client error. The package does no I/O and holds no state; nothing in it is
// random.
package forecast

import (
	"errors"
	"fmt"
	"time"
)

// ErrTooLarge is wrapped by the *input.Error of "history" when cells × weeks exceeds
// MaxCellWeeks: the computation is refused before it starts.
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
	SelfExciting    Model = "self_exciting"
)

// Models lists every model, baselines first.
func Models() []Model { return []Model{RecentDensity, LongTermDensity, SelfExciting} }

// IsBaseline reports whether m is one of the baselines.
func (m Model) IsBaseline() bool { return m == RecentDensity || m == LongTermDensity }

func (m Model) valid() bool {
	return m == RecentDensity || m == LongTermDensity || m == SelfExciting
}
