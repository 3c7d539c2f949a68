package allocate

import (
	"math/rand/v2"
	"testing"
)

// benchProblem is the scale: 10,000 targets × 12 weeks × 4 actor types, eleven
// categories with heavy-tailed risk (a few hot places, many quiet ones), capacities of a
// large city's week: 300 police patrol hours, 160 night-walker hours, 200 guard hours in
// 15-minute visits, and 20 mobile cameras.
func benchProblem() *Problem {
	rng := rand.New(rand.NewPCG(42, 1))
	const nc = 11
	p := &Problem{Categories: nc, Params: Params{Weeks: 12},
		Actors: []Actor{
			{Capacity: 300 * 4, Minutes: 15, Categories: []int{0, 1, 4, 5, 9}},
			{Capacity: 160 * 4, Minutes: 15, Categories: []int{3, 6, 7, 8, 10}},
			{Capacity: 200 * 4, Minutes: 15, Categories: []int{3, 6, 9, 10}},
			{Capacity: 20, Minutes: 240, Categories: []int{0, 6, 9}, MaxPerTarget: 1},
		}}
	p.Targets = make([]Target, 10_000)
	for t := range p.Targets {
		r := make([]float64, nc)
		scale := 1 / (0.02 + rng.Float64()) // heavy tail
		for c := range r {
			if rng.IntN(3) == 0 {
				r[c] = scale * rng.ExpFloat64()
			}
		}
		p.Targets[t] = Target{Risk: r}
	}
	return p
}

func BenchmarkSolve(b *testing.B) {
	p := benchProblem()
	b.ReportAllocs()
	var plan *Plan
	for b.Loop() {
		var err error
		if plan, err = Solve(p); err != nil {
			b.Fatal(err)
		}
	}
	items := 0
	for _, w := range plan.Weeks {
		items += len(w.Items)
	}
	b.ReportMetric(float64(items), "items")
}
