package forecast

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// synthOrigin is the forecast origin of the synthetic data: a Monday at midnight UTC.
var synthOrigin = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// synthArea names the cells of a synthetic structure.
type synthArea struct {
	name  string
	cells []int
}

// synth is a study area of nx × ny hexagons (side 150 m) over weeks weeks before
// synthOrigin, with a homogeneous background of base observations per cell-week and, when
// structured, three clusters of 61 cells (hexagon distance ≤ 4 from a centre cell, the rate
// falling off linearly from the centre):
//
//   - steady: the same rate throughout (peak steady);
//   - emerging: nothing until the window's midpoint, then rising linearly to peak emerging at
//     the origin;
//   - fading: peak fading until a third of the window, falling linearly to nothing at two
//     thirds (so it is over before the last year).
//
// Each cell-week's count is Poisson, each observation at a uniform time in its week with
// weight 1; a share police of the observations are tagged "police_patrol", the rest
// "resident_survey". Everything follows from seed.
type synthSpec struct {
	nx, ny, weeks                    int
	base                             float64
	structured                       bool
	steady, emerging, fading, police float64
	seed                             uint64
}

func synth(tb testing.TB, sp synthSpec) (*Grid, []Event, []synthArea) {
	tb.Helper()
	var cells [][2]int
	for i := range sp.nx {
		for j := range sp.ny {
			cells = append(cells, [2]int{i, j})
		}
	}
	g, err := NewHexGrid(150, cells)
	if err != nil {
		tb.Fatal(err)
	}
	dist := make([]int, len(cells))
	cluster := func(ci, cj int) []int {
		var out []int
		for k, c := range cells {
			if d := hexDistance(c, [2]int{ci, cj}); d <= 4 {
				out = append(out, k)
				dist[k] = d
			}
		}
		return out
	}
	areas := []synthArea{
		{"steady", cluster(sp.nx/5, sp.ny/5)},
		{"emerging", cluster(sp.nx/2, 3*sp.ny/4)},
		{"fading", cluster(4*sp.nx/5, sp.ny/4)},
	}
	rate := make([]func(t int) float64, len(cells))
	T := float64(sp.weeks)
	for k := range rate {
		rate[k] = func(int) float64 { return sp.base }
	}
	if sp.structured {
		for a, area := range areas {
			for _, k := range area.cells {
				fall := 1 - float64(dist[k])/5
				switch a {
				case 0:
					rate[k] = func(int) float64 { return sp.base + sp.steady*fall }
				case 1:
					rate[k] = func(t int) float64 {
						return sp.base + sp.emerging*fall*math.Max(0, (float64(t)-T/2)/(T/2))
					}
				case 2:
					rate[k] = func(t int) float64 {
						x := math.Min(1, math.Max(0, (2*T/3-float64(t))/(T/3)))
						return sp.base + sp.fading*fall*x
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(sp.seed, 0x5eed))
	var events []Event
	start := synthOrigin.Add(-time.Duration(sp.weeks) * Week)
	for k := range cells {
		for t := range sp.weeks {
			for range poisson(r, rate[k](t)) {
				src := "resident_survey"
				if r.Float64() < sp.police {
					src = "police_patrol"
				}
				at := start.Add(time.Duration(t)*Week + time.Duration(r.Int64N(int64(Week))))
				events = append(events, Event{Cell: k, Time: at, Weight: 1, Source: src})
			}
		}
	}
	return g, events, areas
}

// poisson draws from Poisson(lambda) by Knuth's product of uniforms (lambda is small here).
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
