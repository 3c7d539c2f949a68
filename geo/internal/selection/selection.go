// Package selection finds order statistics without sorting. Assumes slices without NaN
// (NaN compares false both ways and would stall the partition).
package selection

import (
	"cmp"
	"math"
)

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

// NthFloat64 is Nth for float64 without mispredicted branches: Lomuto's partition swaps every
// element and advances the boundary by the comparison's outcome, so its cost does not depend
// on how the comparisons fall (Hoare's loops mispredict about every other one on unordered
// data). Values equal to the pivot all go right; when that leaves nothing on the left (the
// pivot is the least value left, as when many values tie), a second pass gathers the values
// equal to the pivot, so ties do not make it quadratic. Afterwards xs[:k] ≤ xs[k] ≤ xs[k+1:]. xs holds no NaN.
func NthFloat64(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for hi > lo {
		if hi-lo == 1 {
			if xs[hi] < xs[lo] {
				xs[lo], xs[hi] = xs[hi], xs[lo]
			}
			return xs[k]
		}
		// Median of three as the pivot, parked at hi; the smallest at lo, the largest at mid.
		mid := lo + (hi-lo)/2
		a, b, c := xs[lo], xs[mid], xs[hi]
		if a > b {
			a, b = b, a
		}
		if b > c {
			b, c = c, b
		}
		if a > b {
			a, b = b, a
		}
		xs[lo], xs[mid], xs[hi] = a, c, b
		pivot := b
		j := lo
		for i := lo; i < hi; i++ {
			v := xs[i]
			xs[i] = xs[j]
			xs[j] = v
			j += b2i(v < pivot)
		}
		xs[hi] = xs[j]
		xs[j] = pivot
		switch {
		case k < j:
			hi = j - 1
		case k == j:
			return pivot
		case j > lo:
			lo = j + 1
		default:
			// The pivot is the least value left: move the values equal to it to the front.
			e := j + 1
			for i := j + 1; i <= hi; i++ {
				v := xs[i]
				xs[i] = xs[e]
				xs[e] = v
				e += b2i(v == pivot)
			}
			if k < e {
				return pivot
			}
			lo = e
		}
	}
	return xs[k]
}

// Quantile is R's type 7 quantile (linear interpolation between order statistics) of
// sorted, which must be in ascending order and not empty: for callers that sort anyway.
func Quantile(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// b2i is 1 for true; the compiler makes it a flag-setting instruction, not a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}
