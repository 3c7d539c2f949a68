package forecast

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// benchData is a Västerås-sized study area of 150 m hexagons (112 × 107 = 11,984 cells, as in
// geo/hotspot's benchmarks) with 1,000,000 observations over three years: half a uniform
// background, half in 40 Gaussian hot spots (sd 200 m), a third of them steady, a third
// emerging (density rising linearly over the years), a third fading.
func benchData(b *testing.B) (*Grid, []Event) {
	b.Helper()
	const side, weeks = 150.0, DefaultHistory
	var cells [][2]int
	for i := 3800; i < 3800+112; i++ {
		for j := 25400; j < 25400+107; j++ {
			cells = append(cells, [2]int{i, j})
		}
	}
	g, err := NewHexGrid(side, cells)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(21, 22))
	lo, hi := g.Centre(0), g.Centre(g.Len()-1)
	hot := make([]orb.Point, 40)
	for k := range hot {
		hot[k] = orb.Point{lo[0] + r.Float64()*(hi[0]-lo[0]), lo[1] + r.Float64()*(hi[1]-lo[1])}
	}
	span := float64(weeks) * float64(Week)
	start := synthOrigin.Add(-time.Duration(weeks) * Week)
	events := make([]Event, 0, 1_000_000)
	for len(events) < cap(events) {
		var cell int
		u := r.Float64()
		if len(events)%2 == 0 {
			cell = r.IntN(g.Len())
		} else {
			h := r.IntN(len(hot))
			p := orb.Point{hot[h][0] + 200*r.NormFloat64(), hot[h][1] + 200*r.NormFloat64()}
			k, ok := g.CellOf(p)
			if !ok {
				continue
			}
			cell = k
			switch h % 3 {
			case 1:
				u = math.Sqrt(u) // emerging
			case 2:
				u = 1 - math.Sqrt(u) // fading
			}
		}
		src := "resident_survey"
		if r.IntN(10) < 4 {
			src = "police_patrol"
		}
		at := start.Add(time.Duration(u * span))
		events = append(events, Event{Cell: cell, Time: at, Weight: 1, Source: src})
	}
	return g, events
}

// cpuTime is the user and system CPU time of the process so far: on a machine shared with
// other work it measures the cost of a benchmark better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBacktest: the 52-week backtest of all three models (and their forecasts from the
// origin) over 1,000,000 observations on about 12,000 cells and 156 weeks; "bin" is the
// binning of the observations by cell and week, "backtest" everything after it. cpu-s/op is
// the process's CPU time per operation.
func BenchmarkBacktest(b *testing.B) {
	g, events := benchData(b)
	b.Run("bin", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			if _, err := Bin(g, events, synthOrigin, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	})
	c, err := Bin(g, events, synthOrigin, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("backtest", func(b *testing.B) {
		cpu := cpuTime()
		var res *Result
		for b.Loop() {
			if res, err = Backtest(c, BacktestOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		for _, m := range res.Models {
			b.Logf("%-18s PAI at 5 %%: %.2f ± %.2f", m.Model, m.Summary[Share5Index].PAI.Mean, m.Summary[Share5Index].PAI.SE)
		}
	})
}
