package selection_test

import (
	"fmt"
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
