// Package disclose holds the rounding rules of statistical disclosure control that every
// aggregated answer shares: the API's aggregated view, the report and the analyses read
// counts and densities through these, so that no two places round one figure differently.
//
// Assumptions: counts are ≥ 0 and the rounding base (the minimum cell count) is > 0.
package disclose

import "math"

// RoundCount rounds n ≥ 0 to the nearest multiple of k > 0, halves up.
func RoundCount(n int64, k int) int64 { return (n + int64(k)/2) / int64(k) * int64(k) }

// Significant rounds x to n significant digits; 0, NaN and infinities are returned as they are.
func Significant(x float64, n int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}
