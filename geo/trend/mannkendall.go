// Package trend tests time series for monotonic trends: the Mann–Kendall test.
//
// Assumptions: a series is equally spaced in time and in time order, without gaps (a missing
// period must be filled or the series shortened by the caller), except for EarlyWarningAt,
// which takes the times; values are finite. Invalid input is refused with a *input.Error
// naming it ("values", "times", "alpha", "horizon"). The package does no I/O and holds no
// state.
package trend

import (
	"math"
	"slices"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Result is the outcome of a Mann–Kendall test.
type Result struct {
	S    float64 // Σ_{k<l} sign(y_l − y_k)
	VarS float64 // variance of S under no trend, corrected for ties
	Z    float64 // normal score of S with continuity correction; 0 when S = 0
	P    float64 // two-sided p-value of Z
	Tau  float64 // Kendall's tau-b between time and value
}

// MannKendall tests ys (in time order) for a monotonic trend (Mann 1945, Kendall 1975), as
// R's Kendall::MannKendall does:
//
//	S    = Σ_{k<l} sign(y_l − y_k)
//	VarS = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18      (t_g: size of the g-th group of ties)
//	Z    = (S − 1)/√VarS if S > 0, (S + 1)/√VarS if S < 0, 0 if S = 0
//	P    = 2·(1 − Φ(|Z|))
//	Tau  = S / √(n₀ (n₀ − n₁)),  n₀ = n(n−1)/2,  n₁ = Σ_g t_g(t_g−1)/2
//
// A series whose values are all equal has VarS = 0: Z and Tau are 0 and P is 1.
//
// Errors (*input.Error of "values"): fewer than 3 values, or a NaN or infinite value.
func MannKendall(ys []float64) (Result, error) {
	n := len(ys)
	if n < 3 {
		return Result{}, input.Invalid("values", "Mann–Kendall needs at least 3, got %d", n)
	}
	if err := checkFinite("values", ys); err != nil {
		return Result{}, err
	}
	return mannKendall(ys), nil
}

// checkFinite rejects a NaN or infinite value of field.
func checkFinite(field string, ys []float64) error {
	for k, y := range ys {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return input.Invalid(field, "%d is %v", k, y)
		}
	}
	return nil
}

// shortSeries is the length up to which mannKendall counts ties pair by pair.
const shortSeries = 32

// mannKendall is MannKendall of at least 3 finite values.
func mannKendall(ys []float64) Result {
	n := len(ys)
	var s int
	var varS, n1 float64
	nf := float64(n)
	if n <= shortSeries {
		s, varS, n1 = pairsShort(ys)
	} else {
		s, varS, n1 = pairsSorted(ys)
	}
	varS /= 18
	r := Result{S: float64(s), VarS: varS, P: 1}
	if varS <= 0 {
		return r
	}
	switch {
	case s > 0:
		r.Z = (r.S - 1) / math.Sqrt(varS)
	case s < 0:
		r.Z = (r.S + 1) / math.Sqrt(varS)
	}
	r.P = math.Erfc(math.Abs(r.Z) / math.Sqrt2)
	n0 := nf * (nf - 1) / 2
	r.Tau = r.S / math.Sqrt(n0*(n0-n1))
	return r
}

// pairsShort returns S, 18·VarS and n₁ from the pairs, without sorting or allocating: the
// comparisons add to S without branches, and count the tied pairs. Only when there are ties
// does a second pass count, for every value, the values it ties with, e_i: a value in a group
// of t ties has e = t − 1, so Σ_g t_g(t_g−1)(2t_g+5) = Σ_i e_i(2e_i+7), and n₁ is the number
// of tied pairs. Integer counts keep every sum exact, so the result is bit for bit that of
// pairsSorted.
func pairsShort(ys []float64) (s int, varS18, n1 float64) {
	n := len(ys)
	ties := 0
	for k := 0; k < n-1; k++ {
		yk := ys[k]
		for _, yl := range ys[k+1:] {
			gt, lt := b2i(yl > yk), b2i(yl < yk)
			s += gt - lt
			ties += 1 - gt - lt
		}
	}
	nf := float64(n)
	varS18 = nf * (nf - 1) * (2*nf + 5)
	if ties == 0 {
		return s, varS18, 0
	}
	corr := 0
	for _, yk := range ys {
		e := -1 // yk itself
		for _, yl := range ys {
			e += b2i(yl == yk)
		}
		corr += e * (2*e + 7)
	}
	return s, varS18 - float64(corr), float64(ties)
}

// pairsSorted is pairsShort for long series: S over the pairs, the tie groups from a sorted
// copy.
func pairsSorted(ys []float64) (s int, varS18, n1 float64) {
	n := len(ys)
	for k := 0; k < n-1; k++ {
		yk := ys[k]
		for _, yl := range ys[k+1:] {
			switch {
			case yl > yk:
				s++
			case yl < yk:
				s--
			}
		}
	}
	sorted := slices.Clone(ys)
	slices.Sort(sorted)
	nf := float64(n)
	varS18 = nf * (nf - 1) * (2*nf + 5)
	for k := 0; k < n; {
		l := k + 1
		for l < n && sorted[l] == sorted[k] {
			l++
		}
		if t := float64(l - k); t > 1 {
			varS18 -= t * (t - 1) * (2*t + 5)
			n1 += t * (t - 1) / 2
		}
		k = l
	}
	return s, varS18, n1
}

// b2i is 1 for true; the compiler turns it into a flag-setting instruction, not a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}
