package forecast

import (
	"fmt"
	"math"
	"time"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Counts is the events' weight per cell and week over a history window ending at the
// forecast origin: the one input of every model and of the backtest. Week t (0 ≤ t < Weeks)
// is [origin − (Weeks − t)·Week, origin − (Weeks − t − 1)·Week): week 0 is the oldest and week
// Weeks − 1 ends at the origin.
type Counts struct {
	grid   *Grid
	origin time.Time
	weeks  int
	w      []float64 // w[n*weeks+t]: weight in cell n in week t
	total  []float64 // total weight per week
	// Events is the number of events in the window; Outside the number left out because they
	// happened before the window or at or after the origin.
	Events, Outside int
}

// Bin sums the events' weights by cell and week over the history weeks before origin
// (history 0 means DefaultHistory). Events before the window or at or after the origin are
// counted in Outside and otherwise left out. The events need not be sorted.
//
// Errors (*input.Error): a nil grid ("grid"), history outside [RecentWeeks + 1, MaxHistory]
// and (wrapping ErrTooLarge as well) cells × history above MaxCellWeeks ("history"), an event
// whose cell is out of range or whose weight is negative or not finite ("events").
func Bin(g *Grid, events []Event, origin time.Time, history int) (*Counts, error) {
	if g == nil {
		return nil, input.Invalid("grid", "no grid")
	}
	if history == 0 {
		history = DefaultHistory
	}
	if history <= RecentWeeks || history > MaxHistory {
		return nil, input.Invalid("history", "%d weeks; between %d and %d", history, RecentWeeks+1, MaxHistory)
	}
	if cw := int64(g.Len()) * int64(history); cw > MaxCellWeeks {
		return nil, &input.Error{Field: "history", Err: ErrTooLarge,
			Reason: fmt.Sprintf("%d cells × %d weeks = %d cell-weeks; at most %d", g.Len(), history, cw, MaxCellWeeks)}
	}
	c := &Counts{grid: g, origin: origin, weeks: history,
		w: make([]float64, g.Len()*history), total: make([]float64, history)}
	span := time.Duration(history) * Week
	for k, e := range events {
		if e.Cell < 0 || e.Cell >= g.Len() {
			return nil, input.Invalid("events", "event %d has cell %d; the grid has %d cells", k, e.Cell, g.Len())
		}
		if !(e.Weight >= 0) || math.IsInf(e.Weight, 0) {
			return nil, input.Invalid("events", "event %d has weight %v", k, e.Weight)
		}
		// Before: how long before the origin; in (0, span] for events in the window.
		before := origin.Sub(e.Time)
		if before <= 0 || before > span {
			c.Outside++
			continue
		}
		t := history - 1 - int((before-1)/Week)
		c.w[e.Cell*history+t] += e.Weight
		c.total[t] += e.Weight
		c.Events++
	}
	return c, nil
}

// Grid is the grid the counts are on.
func (c *Counts) Grid() *Grid { return c.grid }

// Origin is the end of the window: the start of the forecast.
func (c *Counts) Origin() time.Time { return c.origin }

// Weeks is the length of the window in weeks.
func (c *Counts) Weeks() int { return c.weeks }

// At returns the weight in cell n in week t.
func (c *Counts) At(n, t int) float64 { return c.w[n*c.weeks+t] }

// WeekTotal returns the weight of all cells in week t.
func (c *Counts) WeekTotal(t int) float64 { return c.total[t] }

// WeekStart returns when week t begins; t = Weeks() is the origin.
func (c *Counts) WeekStart(t int) time.Time {
	return c.origin.Add(-time.Duration(c.weeks-t) * Week)
}

// series returns cell n's weights, oldest week first. Shared; do not modify.
func (c *Counts) series(n int) []float64 { return c.w[n*c.weeks : (n+1)*c.weeks : (n+1)*c.weeks] }
