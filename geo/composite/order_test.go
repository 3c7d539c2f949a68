package composite

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lagesbild/lagesbild/geo/internal/selection"
)

// TestQuantileUnsorted: the quickselect quantile equals the sorted one (selection.Nth has
// its own tests).
func TestQuantileUnsorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.IntN(50)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(rng.IntN(10)) // many ties
		}
		sorted := slices.Sorted(slices.Values(xs))
		p := rng.Float64()
		if got, want := quantileUnsorted(slices.Clone(xs), p, f64), selection.Quantile(sorted, p); math.Abs(got-want) > 1e-12 {
			t.Fatalf("quantile(%v, %v) = %v, want %v", xs, p, got, want)
		}
	}
}

func TestRankRadix(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	var tmp radixScratch
	for trial := 0; trial < 100; trial++ {
		n := 1 + rng.IntN(300)
		key := make([]float64, n)
		for i := range key {
			key[i] = float64(rng.IntN(20)-10) * math.Pow(10, float64(rng.IntN(7)-3))
		}
		key[0] = math.Inf(-1)
		got := make([]int32, n)
		rankRadix(key, got, &tmp)
		want := make([]int, n)
		rankInto(want, key, func(int) bool { return true })
		for i := range want {
			if int(got[i]) != want[i] {
				t.Fatalf("keys %v: radix ranks %v, want %v", key, got, want)
			}
		}
	}
}
