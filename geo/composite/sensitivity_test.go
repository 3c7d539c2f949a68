package composite

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lagesbild/lagesbild/geo/input"
)

func TestGammaMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 200000
	for _, shape := range []float64{0.2, 0.7, 1, 2.5, 10, 80} {
		sum, ss := 0.0, 0.0
		for i := 0; i < n; i++ {
			x := Gamma(rng, shape)
			if !(x >= 0) {
				t.Fatalf("Gamma(%v) drew %v", shape, x)
			}
			sum += x
			ss += x * x
		}
		mean := sum / n
		variance := ss/n - mean*mean
		// Mean and variance of Gamma(a, 1) are both a; the mean's standard error is √(a/n).
		if se := math.Sqrt(shape / n); math.Abs(mean-shape) > 4*se {
			t.Errorf("Gamma(%v): mean %v, want %v ± %v", shape, mean, shape, 4*se)
		}
		if math.Abs(variance-shape) > 0.05*shape {
			t.Errorf("Gamma(%v): variance %v, want %v ± 5 %%", shape, variance, shape)
		}
	}
}

func TestDirichletMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	alpha := []float64{5, 0, 15, 30}
	sum := make([]float64, len(alpha))
	w := make([]float64, len(alpha))
	const n = 50000
	for i := 0; i < n; i++ {
		Dirichlet(rng, alpha, w)
		total := 0.0
		for j, x := range w {
			sum[j] += x
			total += x
		}
		if math.Abs(total-1) > 1e-12 || w[1] != 0 {
			t.Fatalf("draw %v: sums to %v, zero-alpha component %v", w, total, w[1])
		}
	}
	for j, a := range alpha {
		// Component j has mean a/50 and variance m(1−m)/51.
		m := a / 50
		if se := math.Sqrt(m * (1 - m) / 51 / n); math.Abs(sum[j]/n-m) > 4*se+1e-15 {
			t.Errorf("component %d: mean %v, want %v", j, sum[j]/n, m)
		}
	}
}

func TestAnalyse(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	m, ind := randomCase(rng, 40, 6)
	opt := Options{Normalisation: ZScore, MinCoverage: 0.5}
	so := SensitivityOptions{Draws: 500, Seed: 42, Concentration: 20, TopK: 5,
		Methods: []Method{{ZScore, Arithmetic}, {MinMax, Geometric}, {Rank, Arithmetic}}}
	a, err := Analyse(m, ind, opt, so)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Analyse(m, ind, opt, so)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(nanZero(a.MedianRank), nanZero(b.MedianRank)) || !slices.Equal(nanZero(a.PTopK), nanZero(b.PTopK)) {
		t.Error("the same seed gave different answers")
	}
	so.Seed = 43
	c, _ := Analyse(m, ind, opt, so)
	if slices.Equal(nanZero(a.P05), nanZero(c.P05)) && slices.Equal(nanZero(a.PTopK), nanZero(c.PTopK)) {
		t.Error("another seed gave the very same answer")
	}
	_, base, _ := Evaluate(m, ind, opt)
	top := 0.0
	for r := range base.Rank {
		if base.Rank[r] == 0 {
			if !math.IsNaN(a.MedianRank[r]) {
				t.Errorf("unranked area %d has a median rank %v", r, a.MedianRank[r])
			}
			continue
		}
		if !(a.P05[r] <= a.MedianRank[r] && a.MedianRank[r] <= a.P95[r]) || a.P05[r] < 1 || a.P95[r] > float64(base.Ranked) {
			t.Errorf("area %d: interval %v–%v around %v", r, a.P05[r], a.P95[r], a.MedianRank[r])
		}
		top += a.PTopK[r]
	}
	if math.Abs(top-5) > 1e-9 { // every draw puts exactly 5 areas in its top 5
		t.Errorf("P(top 5) adds up to %v, want 5", top)
	}
	if got := a.MethodDraws[0] + a.MethodDraws[1] + a.MethodDraws[2]; got != 500 || a.MethodDraws[1] == 0 {
		t.Errorf("method draws %v", a.MethodDraws)
	}
}

// With a huge concentration and one method every draw reproduces the base ranking.
func TestAnalyseCollapsesToBase(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	m, ind := randomCase(rng, 25, 4)
	opt := Options{Normalisation: MinMax}
	a, err := Analyse(m, ind, opt, SensitivityOptions{Draws: 50, Seed: 1, Concentration: 1e12, TopK: 3})
	if err != nil {
		t.Fatal(err)
	}
	_, base, _ := Evaluate(m, ind, opt)
	for r, rk := range base.Rank {
		want := float64(rk)
		if a.MedianRank[r] != want || a.P05[r] != want || a.P95[r] != want {
			t.Errorf("area %d: median %v (%v–%v), want base rank %v", r, a.MedianRank[r], a.P05[r], a.P95[r], want)
		}
		if p := a.PTopK[r]; (rk <= 3) != (p == 1) || (p != 0 && p != 1) {
			t.Errorf("area %d rank %d: P(top 3) = %v", r, rk, p)
		}
	}
}

func TestAnalyseInvalid(t *testing.T) {
	m, ind := example()
	for _, tt := range []struct {
		so    SensitivityOptions
		field string
	}{
		{SensitivityOptions{Draws: 0, Concentration: 1, TopK: 1}, "draws"},
		{SensitivityOptions{Draws: 10, Concentration: 0, TopK: 1}, "concentration"},
		{SensitivityOptions{Draws: 10, Concentration: math.NaN(), TopK: 1}, "concentration"},
		{SensitivityOptions{Draws: 10, Concentration: 1, TopK: 0}, "k"},
	} {
		_, err := Analyse(m, ind, Options{}, tt.so)
		var e *input.Error
		if !errors.As(err, &e) || e.Field != tt.field {
			t.Errorf("%+v: error %v, want one for %q", tt.so, err, tt.field)
		}
	}
}

func nanZero(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		if !math.IsNaN(x) {
			out[i] = x
		}
	}
	return out
}
