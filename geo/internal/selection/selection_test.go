package selection_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lagesbild/lagesbild/geo/internal/selection"
)

// TestNthAgainstSort: every k of random slices, with and without many ties, is the value a
// sort puts there, and the slice is partitioned around it.
func TestNthAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 40; n++ {
		for _, distinct := range []int{2, 5, 1000} {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = float64(r.IntN(distinct))
			}
			sorted := slices.Sorted(slices.Values(xs))
			for k := range n {
				ys := slices.Clone(xs)
				if got := selection.Nth(ys, k); got != sorted[k] {
					t.Fatalf("n=%d k=%d: %v, sort says %v", n, k, got, sorted[k])
				}
				for i := range ys {
					if (i < k && ys[i] > ys[k]) || (i > k && ys[i] < ys[k]) {
						t.Fatalf("n=%d k=%d: not partitioned around xs[k]: %v", n, k, ys)
					}
				}
			}
		}
	}
}

func ExampleNth() {
	xs := []int{9, 1, 7, 3, 5}
	fmt.Println(selection.Nth(xs, len(xs)/2)) // the median
	// Output: 5
}

// NthFloat64 leaves the k-th order statistic at k with nothing larger before it and nothing
// smaller after it, for any k, also with many ties (where plain Lomuto would be quadratic),
// on long slices (the need index's quantiles) and short ones (Theil–Sen's slopes).
func TestNthFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	for trial := 0; trial < 5000; trial++ {
		n := 1 + rng.IntN(2000)
		if trial%2 == 1 {
			n = 1 + rng.IntN(120)
		}
		xs := make([]float64, n)
		kind := rng.IntN(6)
		for i := range xs {
			x := rng.NormFloat64() * float64(1+trial%5)
			switch kind {
			case 1:
				x = math.Round(x)
			case 2:
				x = float64(rng.IntN(3))
			case 5:
				x = float64(2*(i%2) - 1)
			}
			xs[i] = x
		}
		switch kind {
		case 3:
			slices.Sort(xs)
		case 4:
			slices.Sort(xs)
			slices.Reverse(xs)
		}
		sorted := slices.Sorted(slices.Values(xs))
		k := rng.IntN(len(xs))
		got := selection.NthFloat64(xs, k)
		if got != sorted[k] || xs[k] != got {
			t.Fatalf("NthFloat64(…, %d) = %v (xs[k] %v), want %v", k, got, xs[k], sorted[k])
		}
		if slices.Max(xs[:k+1]) != got || slices.Min(xs[k:]) != got {
			t.Fatalf("NthFloat64(…, %d): not partitioned around %v", k, got)
		}
		if !slices.Equal(slices.Sorted(slices.Values(xs)), sorted) {
			t.Fatal("NthFloat64 changed the values")
		}
	}
}
