package composite

import (
	"cmp"
	"github.com/lagesbild/lagesbild/geo/internal/selection"
	"math"
	"slices"
)

// quantileUnsorted is R's type 7 quantile of xs (any order; xs is rearranged).
func quantileUnsorted[T cmp.Ordered](xs []T, p float64, conv func(T) float64) float64 {
	h := p * float64(len(xs)-1)
	lo := int(math.Floor(h))
	a := conv(selection.Nth(xs, lo))
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

// winsorScratch keeps the buffers of bounds from one column to the next.
type winsorScratch struct {
	low, high, all []float64
}

// winsorSample is the size of the sample winsorScratch.bounds brackets the quantiles with.
const winsorSample = 128

// bounds returns R's type 7 quantiles p and 1 − p of vals without reordering vals: the values
// Fit clips an indicator to. Equal bit for bit to quantile of the sorted values.
//
// One pass instead of two quickselects over all values: a sample of 128 evenly spaced values
// gives, for each quantile, a bracket [a, b] that holds the order statistics it needs with
// all but negligible chance (the sample rank of an order statistic has sd √(128 q (1−q)); the
// bracket reaches three of those, plus three, to each side). The pass counts the values below
// a and collects those in [a, b], about a tenth of the values for p = 0.02, without branches;
// the order statistics are then selected among those. Should a bracket miss, the values are
// sorted instead: slower, never wrong.
func (ws *winsorScratch) bounds(vals []float64, p float64) (lo, hi float64) {
	n := len(vals)
	hL, hH := p*float64(n-1), (1-p)*float64(n-1)
	kL, kH := int(math.Floor(hL)), int(math.Floor(hH))
	if n < 8*winsorSample {
		return ws.sorted(vals, p)
	}
	var sample [winsorSample]float64
	stride := n / winsorSample
	for i := range sample {
		sample[i] = vals[i*stride+stride/2]
	}
	aL, bL := bracket(sample[:], kL, n)
	aH, bH := bracket(sample[:], kH, n)
	// Without branches: every value is written at the end of both buffers, and the ends
	// advance only for values inside the brackets.
	ws.low, ws.high = grown(ws.low, n), grown(ws.high, n)
	low, high := ws.low[:n], ws.high[:n]
	belowL, belowH, nl, nh := 0, 0, 0, 0
	for _, x := range vals {
		// a ≤ b, so x < a implies x ≤ b: x is in [a, b] by the difference of the two.
		cl, ch := b2i(x < aL), b2i(x < aH)
		belowL += cl
		belowH += ch
		low[nl] = x
		nl += b2i(x <= bL) - cl
		high[nh] = x
		nh += b2i(x <= bH) - ch
	}
	low, high = low[:nl], high[:nh]
	var okL, okH bool
	lo, okL = type7From(low, belowL, kL, hL, n)
	hi, okH = type7From(high, belowH, kH, hH, n)
	if !okL || !okH {
		return ws.sorted(vals, p)
	}
	return lo, hi
}

// sorted is bounds by sorting a copy.
func (ws *winsorScratch) sorted(vals []float64, p float64) (lo, hi float64) {
	ws.all = append(ws.all[:0], vals...)
	slices.Sort(ws.all)
	return selection.Quantile(ws.all, p), selection.Quantile(ws.all, 1-p)
}

// bracket returns values a ≤ b of the sample such that order statistic k of the n values
// very probably lies in [a, b], as does k+1; ±Inf where the bracket runs off the sample. The
// sample is reordered.
func bracket(sample []float64, k, n int) (a, b float64) {
	m := float64(len(sample))
	q := (float64(k) + 0.5) / float64(n)
	pos := q * m
	d := 3*math.Sqrt(m*q*(1-q)) + 3
	ia, ib := int(math.Floor(pos-d)), int(math.Ceil(pos+1+d))
	a, b = math.Inf(-1), math.Inf(1)
	if ia >= 0 {
		a = selection.NthFloat64(sample, ia)
	}
	if ib < len(sample) {
		b = selection.NthFloat64(sample, ib)
	}
	return a, b
}

// type7From is selection.Quantile(sorted, ·) at h = p·(n−1), k = ⌊h⌋, from the values of an interval
// that below values lie under: it selects order statistics k and k+1 among them (reordering
// them). It reports false when they are not both in the interval.
func type7From(in []float64, below, k int, h float64, n int) (float64, bool) {
	k1 := min(k+1, n-1) // quantile uses sorted[k+1] only when there is one
	if k < below || k1 >= below+len(in) {
		return 0, false
	}
	a := selection.NthFloat64(in, k-below)
	if k+1 >= n {
		return a, true
	}
	b := in[k-below+1]
	for _, x := range in[k-below+2:] {
		b = min(b, x)
	}
	return a + (h-float64(k))*(b-a), true
}

// grown returns s with a capacity of at least n.
func grown(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s
}

// b2i is 1 for true; the compiler turns it into a flag-setting instruction, not a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}
