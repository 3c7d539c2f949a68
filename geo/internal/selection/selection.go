// Package selection finds order statistics without sorting. Assumes slices without NaN
// (NaN compares false both ways and would stall the partition).
package selection

import "cmp"

// Nth rearranges xs so that xs[k] is the value a full sort would put there, everything
// before it ≤ and everything after it ≥ (Hoare's quickselect with a median-of-three pivot,
// deterministic), and returns it; expected O(n), which is why medians and quantiles here do
// not sort.
func Nth[T cmp.Ordered](xs []T, k int) T {
	lo, hi := 0, len(xs)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
