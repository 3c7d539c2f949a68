package composite

import (
	"cmp"
	"math"
)

// nth rearranges xs so that xs[k] is the value a full sort would put there, everything
// before it ≤ and everything after it ≥ (Hoare's quickselect with a median-of-three pivot,
// deterministic); expected O(n), which is why quantiles do not sort. xs must hold no NaN.
func nth[T cmp.Ordered](xs []T, k int) T {
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

// quantileUnsorted is R's type 7 quantile of xs (any order; xs is rearranged).
func quantileUnsorted[T cmp.Ordered](xs []T, p float64, conv func(T) float64) float64 {
	h := p * float64(len(xs)-1)
	lo := int(math.Floor(h))
	a := conv(nth(xs, lo))
	if frac := h - float64(lo); frac > 0 && lo+1 < len(xs) {
		b := xs[lo+1]
		for _, x := range xs[lo+2:] {
			b = min(b, x)
		}
		return a + frac*(conv(b)-a)
	}
	return a
}

func f64(x float64) float64 { return x }
func i32(x int32) float64   { return float64(x) }

// descKey maps a float64 to a uint64 whose ascending order is the float's descending order
// (NaN excluded), so ranks can come from a stable radix sort.
func descKey(x float64) uint64 {
	if x == 0 {
		x = 0 // −0 ties with +0
	}
	b := math.Float64bits(x)
	if b>>63 == 1 {
		b = ^b
	} else {
		b |= 1 << 63
	}
	return ^b
}

// rankRadix writes into rank[i] the 1-based position of key[i] in descending order, ties by
// index: an LSD radix sort (8 passes of 8 bits, stable) of the mapped keys. tmp holds scratch
// space and is returned grown for reuse.
func rankRadix(key []float64, rank []int32, tmp *radixScratch) {
	n := len(key)
	tmp.grow(n)
	k, idx, k2, idx2 := tmp.k[:n], tmp.idx[:n], tmp.k2[:n], tmp.idx2[:n]
	for i, x := range key {
		k[i], idx[i] = descKey(x), int32(i)
	}
	var count [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		count = [256]int{}
		for _, v := range k {
			count[(v>>shift)&0xff]++
		}
		if count[(k[0]>>shift)&0xff] == n {
			continue // every key has the same byte here
		}
		pos := 0
		for b := range count {
			c := count[b]
			count[b] = pos
			pos += c
		}
		for i, v := range k {
			b := (v >> shift) & 0xff
			p := count[b]
			count[b]++
			k2[p], idx2[p] = v, idx[i]
		}
		k, k2 = k2, k
		idx, idx2 = idx2, idx
	}
	for pos, i := range idx {
		rank[i] = int32(pos + 1)
	}
}

type radixScratch struct {
	k, k2     []uint64
	idx, idx2 []int32
}

func (s *radixScratch) grow(n int) {
	if cap(s.k) < n {
		s.k, s.k2 = make([]uint64, n), make([]uint64, n)
		s.idx, s.idx2 = make([]int32, n), make([]int32, n)
	}
}
