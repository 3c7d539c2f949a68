package forecast_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lagesbild/lagesbild/geo/forecast"
)

// A year of observations on 900 hexagons of 150 m: a background, and a place that has been
// getting busier over the last half year. The backtest scores the last 26 weeks; the
// self-exciting model catches the rise and is chosen; the observations at the rising place
// come from patrol reports, and the caveat says so.
func Example() {
	var cells [][2]int
	for i := range 30 {
		for j := range 30 {
			cells = append(cells, [2]int{3880 + i, 25440 + j})
		}
	}
	grid, _ := forecast.NewHexGrid(150, cells)
	origin := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC) // a Monday
	rising, _ := grid.Index(3895, 25455)

	r := rand.New(rand.NewPCG(1, 2))
	var events []forecast.Event
	for week := range 52 {
		start := origin.Add(-time.Duration(52-week) * forecast.Week)
		at := func() time.Time { return start.Add(time.Duration(r.Int64N(int64(forecast.Week)))) }
		for range 40 { // background: 40 a week anywhere
			events = append(events, forecast.Event{Cell: r.IntN(grid.Len()), Time: at(), Weight: 1, Source: "resident_survey"})
		}
		for range max(0, week-26) / 2 { // the rising place and its neighbours
			cell := rising
			if ring := grid.Ring(rising, 1); r.IntN(2) == 0 {
				cell = int(ring[r.IntN(len(ring))])
			}
			events = append(events, forecast.Event{Cell: cell, Time: at(), Weight: 1, Source: "police_patrol"})
		}
	}

	counts, _ := forecast.Bin(grid, events, origin, 52)
	res, _ := forecast.Backtest(counts, forecast.BacktestOptions{Weeks: 26})
	for _, m := range res.Models {
		s := m.Summary[forecast.Share5Index]
		fmt.Printf("%-18s PAI at 5 %%: %.1f (hit rate %.0f %%)\n", m.Model, s.PAI.Mean, 100*s.HitRate.Mean)
	}
	sel := forecast.Select(res)
	fmt.Println("shown:", sel.Chosen, "beats the baselines:", sel.BeatsBaselines)
	top := res.Model(sel.Chosen).Forecast.Top(forecast.Share1)
	fmt.Println("the rising place is first:", top[0] == rising)
	for _, c := range forecast.Caveats(res, sel, forecast.SourceShare(events, "police_patrol")) {
		if c.Code == "police_share" {
			fmt.Println(c.EN)
		}
	}
	// Output:
	// recent_density     PAI at 5 %: 2.9 (hit rate 14 %)
	// long_term_density  PAI at 5 %: 2.7 (hit rate 13 %)
	// self_exciting      PAI at 5 %: 3.2 (hit rate 16 %)
	// shown: self_exciting beats the baselines: true
	// the rising place is first: true
	// 7 % of the observations come from the police's own patrol reports; the forecast may reflect where the police have already been.
}
