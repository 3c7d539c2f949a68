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
