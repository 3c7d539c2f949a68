package forecast

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/input"
)

// isInvalid says whether err is an invalid input of field.
func isInvalid(err error, field string) bool {
	f, ok := input.FieldOf(err)
	return ok && f == field
}

func square(t *testing.T, nx, ny int) *Grid {
	t.Helper()
	var cells [][2]int
	for i := range nx {
		for j := range ny {
			cells = append(cells, [2]int{i, j})
		}
	}
	g, err := NewHexGrid(100, cells)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The rings are the hexagons at hexagon distance 1 and 2: 6 and 12 cells away from the
// edges, their centres √3·side and 3·side or 2√3·side away, in both column parities and for
// negative columns.
func TestGridRings(t *testing.T) {
	var cells [][2]int
	for i := -6; i < 6; i++ {
		for j := -6; j < 6; j++ {
			cells = append(cells, [2]int{i, j})
		}
	}
	const side = 100.0
	g, err := NewHexGrid(side, cells)
	if err != nil {
		t.Fatal(err)
	}
	spacing := math.Sqrt(3) * side
	for _, c := range [][2]int{{0, 0}, {1, 0}, {-1, 2}, {-3, -1}, {2, -2}} {
		k, ok := g.Index(c[0], c[1])
		if !ok {
			t.Fatalf("cell %v not in grid", c)
		}
		centre := g.Centre(k)
		for r, want := range map[int]int{1: 6, 2: 12} {
			ring := g.Ring(k, r)
			if len(ring) != want {
				t.Errorf("cell %v ring %d has %d cells, want %d", c, r, len(ring), want)
			}
			seen := map[int32]bool{}
			for _, m := range ring {
				if seen[m] || int(m) == k {
					t.Errorf("cell %v ring %d lists %d twice or itself", c, r, m)
				}
				seen[m] = true
				p := g.Centre(int(m))
				d := math.Hypot(p[0]-centre[0], p[1]-centre[1])
				if lo, hi := float64(r)*spacing*math.Sqrt(3)/2, float64(r)*spacing; d < lo-1e-6 || d > hi+1e-6 {
					t.Errorf("cell %v ring %d: neighbour %v at %.1f m, want in [%.1f, %.1f]", c, r, g.Cell(int(m)), d, lo, hi)
				}
			}
		}
	}
	// Against the distance band of geo/hotspot: ring 1 is exactly the cells within one
	// spacing, other than the cell itself.
	centres := make([]orb.Point, g.Len())
	for k := range centres {
		centres[k] = g.Centre(k)
	}
	nb, err := hotspot.DistanceBand(centres, spacing)
	if err != nil {
		t.Fatal(err)
	}
	for k := range g.Len() {
		if got, want := len(g.Ring(k, 1)), len(nb.Of(k))-1; got != want {
			t.Fatalf("cell %v: ring 1 has %d cells, the %.0f m band %d", g.Cell(k), got, spacing, want)
		}
	}
	// A corner cell has fewer neighbours in the study area.
	k, _ := g.Index(-6, -6)
	if n := len(g.Ring(k, 1)); n >= 6 {
		t.Errorf("corner cell has %d ring-1 neighbours", n)
	}
	if k, ok := g.CellOf(g.Centre(7)); !ok || k != 7 {
		t.Errorf("CellOf(centre of 7) = %d, %v", k, ok)
	}
}

func TestNewHexGridRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		side  float64
		cells [][2]int
		field string
	}{
		{"no cells", 100, nil, "cells"},
		{"zero side", 0, [][2]int{{0, 0}}, "side"},
		{"NaN side", math.NaN(), [][2]int{{0, 0}}, "side"},
		{"duplicate", 100, [][2]int{{0, 0}, {1, 1}, {0, 0}}, "cells"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewHexGrid(tc.side, tc.cells); !isInvalid(err, tc.field) {
				t.Errorf("err = %v, want an invalid input of %s", err, tc.field)
			}
		})
	}
}

// Weeks are 168-hour spans ending at the origin: an event exactly one week before the origin
// is in the last week, one at the origin is outside.
func TestBinWeeks(t *testing.T) {
	g := square(t, 3, 3)
	o := time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC) // across the change to summer time, were it local
	ev := []Event{
		{Cell: 0, Time: o.Add(-time.Nanosecond), Weight: 1},
		{Cell: 0, Time: o.Add(-Week), Weight: 2},
		{Cell: 1, Time: o.Add(-Week - time.Nanosecond), Weight: 4},
		{Cell: 2, Time: o.Add(-10 * Week), Weight: 8},                  // first instant of week 0
		{Cell: 2, Time: o.Add(-10*Week - time.Nanosecond), Weight: 16}, // before the window
		{Cell: 3, Time: o, Weight: 32},                                 // at the origin
	}
	c, err := Bin(g, ev, o, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cell, week int
		want       float64
	}{{0, 9, 3}, {1, 8, 4}, {2, 0, 8}, {3, 9, 0}} {
		if got := c.At(tc.cell, tc.week); got != tc.want {
			t.Errorf("cell %d week %d = %v, want %v", tc.cell, tc.week, got, tc.want)
		}
	}
	if c.Events != 4 || c.Outside != 2 {
		t.Errorf("events %d outside %d, want 4 and 2", c.Events, c.Outside)
	}
	if got := c.WeekTotal(9); got != 3 {
		t.Errorf("total of week 9 = %v, want 3", got)
	}
	if !c.WeekStart(10).Equal(o) || !c.WeekStart(0).Equal(o.Add(-10*Week)) {
		t.Errorf("week starts %v, %v", c.WeekStart(0), c.WeekStart(10))
	}
}

func TestBinRejects(t *testing.T) {
	g := square(t, 3, 3)
	o := time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		ev      Event
		history int
		field   string
	}{
		{"cell out of range", Event{Cell: 9, Time: o.Add(-time.Hour), Weight: 1}, 10, "events"},
		{"negative cell", Event{Cell: -1, Time: o.Add(-time.Hour), Weight: 1}, 10, "events"},
		{"negative weight", Event{Cell: 0, Time: o.Add(-time.Hour), Weight: -1}, 10, "events"},
		{"NaN weight", Event{Cell: 0, Time: o.Add(-time.Hour), Weight: math.NaN()}, 10, "events"},
		{"infinite weight", Event{Cell: 0, Time: o.Add(-time.Hour), Weight: math.Inf(1)}, 10, "events"},
		{"short history", Event{Cell: 0, Time: o.Add(-time.Hour), Weight: 1}, RecentWeeks, "history"},
		{"long history", Event{Cell: 0, Time: o.Add(-time.Hour), Weight: 1}, MaxHistory + 1, "history"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Bin(g, []Event{tc.ev}, o, tc.history); !isInvalid(err, tc.field) {
				t.Errorf("err = %v, want an invalid input of %s", err, tc.field)
			}
		})
	}
	big := square(t, 120, 100) // 12,000 cells × 520 weeks > MaxCellWeeks
	if _, err := Bin(big, nil, o, MaxHistory); !errors.Is(err, ErrTooLarge) || !isInvalid(err, "history") {
		t.Errorf("err = %v, want ErrTooLarge and an invalid input of history", err)
	}
}

// A hand-made backtest of one week on 100 cells: hit rate, PAI and PEI of both baselines at
// 1, 5 and 10 % of the area, ties to the lower cell index.
func TestBacktestMetricsByHand(t *testing.T) {
	g := square(t, 10, 10)
	o := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	week := func(t int) time.Time { return o.Add(-time.Duration(10-t)*Week + time.Hour) }
	var ev []Event
	for w := range 9 {
		ev = append(ev, Event{Cell: 0, Time: week(w), Weight: 1}) // 1 a week throughout
	}
	ev = append(ev,
		Event{Cell: 1, Time: week(8), Weight: 8}, // recent: 2 a week; long term 8/9
		Event{Cell: 2, Time: week(1), Weight: 3}, // long term only: 1/3
		// The scored week 9: 10 in all.
		Event{Cell: 1, Time: week(9), Weight: 2},
		Event{Cell: 2, Time: week(9), Weight: 5},
		Event{Cell: 3, Time: week(9), Weight: 3},
	)
	c, err := Bin(g, ev, o, 10)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Backtest(c, BacktestOptions{Weeks: 1, Models: []Model{RecentDensity, LongTermDensity}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Periods) != 1 || res.Periods[0].Week != 9 || res.Periods[0].Total != 10 {
		t.Fatalf("periods %+v, want week 9 with 10", res.Periods)
	}
	want := map[Model][NShares]Score{
		// Recent: cell 1 (2/week), cell 0 (1), then the ties 2, 3, 4, … by index.
		RecentDensity: {
			{Cells: 1, Hits: 2, Best: 5, HitRate: 0.2, PAI: 20, PEI: 0.4},
			{Cells: 5, Hits: 10, Best: 10, HitRate: 1, PAI: 20, PEI: 1},
			{Cells: 10, Hits: 10, Best: 10, HitRate: 1, PAI: 10, PEI: 1},
		},
		// Long term: cell 0 (1), cell 1 (8/9), cell 2 (1/3), then 3, 4, ….
		LongTermDensity: {
			{Cells: 1, Hits: 0, Best: 5, HitRate: 0, PAI: 0, PEI: 0},
			{Cells: 5, Hits: 10, Best: 10, HitRate: 1, PAI: 20, PEI: 1},
			{Cells: 10, Hits: 10, Best: 10, HitRate: 1, PAI: 10, PEI: 1},
		},
	}
	for m, w := range want {
		got := res.Model(m).Scores[0]
		for s := range NShares {
			if !scoreNear(got[s], w[s]) {
				t.Errorf("%s at %.0f %%: got %+v, want %+v", m, 100*AreaShares()[s], got[s], w[s])
			}
		}
	}
	lt := res.Model(LongTermDensity).Forecast
	// From the origin (week 9 included): cell 1 (8 + 2)/10, cell 0 9/10, cell 2 (3 + 5)/10,
	// cell 3 3/10.
	if got := lt.Ranked()[:4]; got[0] != 1 || got[1] != 0 || got[2] != 2 || got[3] != 3 {
		t.Errorf("long-term ranking starts %v, want 1 0 2 3", got)
	}
	if got := lt.Values[1]; math.Abs(got-1) > 1e-12 {
		t.Errorf("long-term forecast of cell 1 = %v, want 1", got)
	}
}

func scoreNear(a, b Score) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y)) }
	return a.Cells == b.Cells && near(a.Hits, b.Hits) && near(a.Best, b.Best) && near(a.HitRate, b.HitRate) &&
		near(a.PAI, b.PAI) && near(a.PEI, b.PEI)
}

// rankTop agrees with a full sort by value descending, index ascending, whatever k, with
// many ties.
func TestRankTop(t *testing.T) {
	val := []float64{3, 1, 3, 0, 2, 3, 1, 0, 0, 2, 5, 1}
	want := []int32{10, 0, 2, 5, 4, 9, 1, 6, 11, 3, 7, 8}
	order := make([]int32, len(val))
	for k := 1; k <= len(val); k++ {
		rankTop(val, order, k)
		for i := range k {
			if order[i] != want[i] {
				t.Fatalf("k = %d: order %v, want prefix of %v", k, order[:k], want)
			}
		}
	}
}

func TestCellsFor(t *testing.T) {
	for _, tc := range []struct {
		n     int
		share float64
		want  int
	}{{12000, 0.05, 600}, {100, 0.01, 1}, {30, 0.01, 1}, {150, 0.05, 8}, {1, 0.1, 1}} {
		if got := CellsFor(tc.n, tc.share); got != tc.want {
			t.Errorf("CellsFor(%d, %v) = %d, want %d", tc.n, tc.share, got, tc.want)
		}
	}
}

func TestBacktestRejects(t *testing.T) {
	g := square(t, 5, 5)
	c, err := Bin(g, nil, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		opt   BacktestOptions
		field string
	}{
		{"too many weeks", BacktestOptions{Weeks: 20 - MinTrainingWeeks + 1}, "backtest"},
		{"shorter than the horizon", BacktestOptions{Weeks: 3, Horizon: Monthly}, "backtest"},
		{"odd horizon", BacktestOptions{Weeks: 4, Horizon: 2}, "horizon"},
		{"unknown model", BacktestOptions{Weeks: 4, Models: []Model{"crystal_ball"}}, "models"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Backtest(c, tc.opt); !isInvalid(err, tc.field) {
				t.Errorf("err = %v, want an invalid input of %s", err, tc.field)
			}
		})
	}
	// With no observations at all every period is empty: nothing scored, no error.
	res, err := Backtest(c, BacktestOptions{Weeks: 4})
	if err != nil || res.Empty != 4 || len(res.Periods) != 0 {
		t.Errorf("empty data: %+v, %v", res, err)
	}
}

func TestHexDistance(t *testing.T) {
	g := square(t, 12, 12)
	k, _ := g.Index(5, 6)
	for r := 1; r <= MaxRing; r++ {
		for _, m := range g.Ring(k, r) {
			if d := hexDistance(g.Cell(k), g.Cell(int(m))); d != r {
				t.Errorf("cell %v in ring %d of %v is at distance %d", g.Cell(int(m)), r, g.Cell(k), d)
			}
		}
	}
}
