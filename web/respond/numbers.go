package respond

import "math"

// Float is a JSON number that may be missing: null for NaN or an infinity, which JSON cannot hold.
type Float = *float64

// Finite is x as a Float.
func Finite(x float64) Float {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// Round is f rounded to digits decimal places, for the wire format.
func Round(f, digits float64) float64 {
	p := math.Pow(10, digits)
	return math.Round(f*p) / p
}
