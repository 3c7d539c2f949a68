package web

import "math"

// jf is a JSON number that may be missing: null for NaN or an infinity, which JSON cannot hold.
type jf = *float64

// fp is x as a jf.
func fp(x float64) jf {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// typ7 is R's type 7 quantile (linear interpolation between order statistics) of sorted,
// which must be in ascending order and not empty.
func typ7(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
