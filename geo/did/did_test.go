package did_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/geo/input"
)

// synthetic builds a target and comparison series of pre+post monthly periods sharing a
// trend and a season, with Gaussian noise of sd sigma, and a step of effect in the target
// from the first post period.
func synthetic(r *rand.Rand, pre, post, comps int, effect, sigma float64) ([]float64, [][]float64) {
	n := pre + post
	season := func(t int) float64 { return 5 * math.Sin(2*math.Pi*float64(t)/12) }
	target := make([]float64, n)
	cs := make([][]float64, comps)
	for c := range cs {
		cs[c] = make([]float64, n)
	}
	for t := range n {
		common := 0.5*float64(t) + season(t)
		target[t] = 50 + common + sigma*r.NormFloat64()
		if t >= pre {
			target[t] += effect
		}
		for c := range cs {
			cs[c][t] = 35 + 4*float64(c) + common + sigma*r.NormFloat64()
		}
	}
	return target, cs
}

func TestDiDRecoversKnownEffect(t *testing.T) {
	for _, tc := range []struct {
		name          string
		pre, post     int
		effect, sigma float64
	}{
		{"drop of 8, months", 24, 24, -8, 2},
		{"rise of 3, short post", 12, 6, 3, 1},
		{"no effect", 12, 12, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, cs := synthetic(rand.New(rand.NewPCG(7, 7)), tc.pre, tc.post, 3, tc.effect, tc.sigma)
			e, err := did.DiD(target, cs, tc.pre, did.Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !(e.Lo <= tc.effect && tc.effect <= e.Hi) {
				t.Errorf("effect %v outside the interval [%v, %v] (estimate %v)", tc.effect, e.Lo, e.Hi, e.Effect)
			}
			if tc.effect != 0 && (e.Lo <= 0 && 0 <= e.Hi) {
				t.Errorf("a true effect of %v: interval [%v, %v] includes 0", tc.effect, e.Lo, e.Hi)
			}
			// The point estimate equals the change in target minus the change in comparison.
			if got := e.TargetChange() - e.ComparisonChange(); math.Abs(got-e.Effect) > 1e-9 {
				t.Errorf("effect %v, target change − comparison change %v", e.Effect, got)
			}
			if e.Draws != did.DefaultDraws || e.Level != did.DefaultLevel {
				t.Errorf("draws %d level %v, want the defaults", e.Draws, e.Level)
			}
		})
	}
}

// Over many synthetic data sets, the 95 % interval covers the true effect about 95 % of the
// time. The bootstrap of a mean from 12–24 periods is a little narrow, so at least 85 %.
func TestDiDCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	const runs = 300
	covered := 0
	for k := range runs {
		target, cs := synthetic(r, 18, 18, 3, -4, 2)
		e, err := did.DiD(target, cs, 18, did.Options{Seed: uint64(k), Draws: 500})
		if err != nil {
			t.Fatal(err)
		}
		if e.Lo <= -4 && -4 <= e.Hi {
			covered++
		}
	}
	if rate := float64(covered) / runs; rate < 0.85 || rate > 0.995 {
		t.Errorf("coverage %.3f of the 95 %% interval, want about 0.95", rate)
	}
}

func TestDiDDeterministic(t *testing.T) {
	target, cs := synthetic(rand.New(rand.NewPCG(1, 2)), 12, 12, 2, -5, 3)
	a, _ := did.DiD(target, cs, 12, did.Options{Seed: 42})
	b, _ := did.DiD(target, cs, 12, did.Options{Seed: 42})
	c, _ := did.DiD(target, cs, 12, did.Options{Seed: 43})
	if a != b {
		t.Errorf("same seed, different estimates: %+v %+v", a, b)
	}
	if a.Lo == c.Lo && a.Hi == c.Hi {
		t.Errorf("different seeds gave the same interval [%v, %v]", a.Lo, a.Hi)
	}
	if a.BlockPre != 3 || a.BlockPost != 3 {
		t.Errorf("blocks %d/%d, want ceil(12^(1/3)) = 3", a.BlockPre, a.BlockPost)
	}
}

func TestDiDInvalid(t *testing.T) {
	ok := []float64{1, 2, 3, 4}
	for _, tc := range []struct {
		name   string
		target []float64
		cs     [][]float64
		pre    int
		opt    did.Options
		field  string
	}{
		{"no comparison", ok, nil, 2, did.Options{}, "comparisons"},
		{"one pre period", ok, [][]float64{ok}, 1, did.Options{}, "pre"},
		{"one post period", ok, [][]float64{ok}, 3, did.Options{}, "post"},
		{"length mismatch", ok, [][]float64{{1, 2, 3}}, 2, did.Options{}, "comparisons"},
		{"NaN", []float64{1, math.NaN(), 3, 4}, [][]float64{ok}, 2, did.Options{}, "target"},
		{"level", ok, [][]float64{ok}, 2, did.Options{Level: 1}, "level"},
		{"draws", ok, [][]float64{ok}, 2, did.Options{Draws: 3}, "draws"},
		{"block", ok, [][]float64{ok}, 2, did.Options{Block: -1}, "block"},
	} {
		_, err := did.DiD(tc.target, tc.cs, tc.pre, tc.opt)
		if f, _ := input.FieldOf(err); f != tc.field || !errors.Is(err, input.ErrInvalid) {
			t.Errorf("%s: error %v, want an invalid input of %s", tc.name, err, tc.field)
		}
	}
}

// A hand-made example: the target rises by 2 a period from 10. C runs parallel one above it;
// A has the same level but no trend; B runs parallel ten above. Levels 13, 13, 23, 14 (sd
// over the four √17.6875), slopes 2, 0, 2, 2 (sd √0.75): distances C 1/17.6875, A 4/0.75,
// B 100/17.6875.
func TestRankByHand(t *testing.T) {
	target := []float64{10, 12, 14, 16}
	cands := []did.Candidate{
		{ID: "A", Pre: []float64{13, 13, 13, 13}},
		{ID: "B", Pre: []float64{20, 22, 24, 26}},
		{ID: "C", Pre: []float64{11, 13, 15, 17}},
	}
	got, err := did.Rank(target, cands)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id   string
		dist float64
	}{{"C", 1 / 17.6875}, {"A", 4 / 0.75}, {"B", 100 / 17.6875}}
	for k, w := range want {
		if got[k].ID != w.id || math.Abs(got[k].Distance-w.dist) > 1e-12 {
			t.Errorf("rank %d: %s at %v, want %s at %v", k+1, got[k].ID, got[k].Distance, w.id, w.dist)
		}
	}
	if got[1].Slope != 0 || got[1].Level != 13 || got[0].Slope != 2 {
		t.Errorf("features %+v", got)
	}
	sel, err := did.Select(target, cands, 2)
	if err != nil || len(sel) != 2 || sel[0].ID != "C" || sel[1].ID != "A" {
		t.Errorf("Select k=2: %+v, %v; want C, A", sel, err)
	}
	if sel, _ := did.Select(target, cands, 10); len(sel) != 3 {
		t.Errorf("Select k=10 of 3: %d", len(sel))
	}
	if _, err := did.Rank(target, []did.Candidate{{ID: "x", Pre: []float64{1, 2}}}); !errors.Is(err, input.ErrInvalid) {
		t.Errorf("length mismatch: %v", err)
	}
}
