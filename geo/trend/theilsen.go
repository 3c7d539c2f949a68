package trend

import (
	"math"
	"slices"

	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/internal/selection"
)

// TheilSen is a robust straight-line fit of a series against its time index 0, 1, …, n−1.
type TheilSen struct {
	Slope     float64 // median of the pairwise slopes (y_l − y_k)/(l − k), k < l
	Intercept float64 // median of y_t − Slope·t
}

// TheilSenFit fits ys (in time order, equally spaced) with the Theil–Sen estimator (Theil
// 1950, Sen 1968): the slope is the median of all n(n−1)/2 pairwise slopes, so up to about 29 %
// of the points can be outliers without moving it; the intercept is the median of the
// residuals y_t − slope·t (Conover's choice, as R's mblm and scipy's theilslopes use). An even
// number of values has the mean of the two middle ones as its median.
//
// Errors (*input.Error of "values"): fewer than 2 values, or a NaN or infinite value.
func TheilSenFit(ys []float64) (TheilSen, error) {
	n := len(ys)
	if n < 2 {
		return TheilSen{}, input.Invalid("values", "Theil–Sen needs at least 2, got %d", n)
	}
	if err := checkFinite("values", ys); err != nil {
		return TheilSen{}, err
	}
	slope := theilSenSlope(ys)
	// A short series's residuals stay on the stack.
	var resBuf [16]float64
	res := resBuf[:0]
	if n > len(resBuf) {
		res = make([]float64, 0, n)
	}
	res = res[:n]
	for t, y := range ys {
		res[t] = y - slope*float64(t)
	}
	return TheilSen{Slope: slope, Intercept: median(res)}, nil
}

// theilSenSlope is the slope of TheilSenFit, of at least 2 finite values.
func theilSenSlope(ys []float64) float64 {
	n := len(ys)
	// Short series (the usual case: a decade of yearly values) use stack buffers, so checking
	// every area of a country does not allocate.
	var slopeBuf [smallSelect]float64
	slopes := slopeBuf[:0]
	if n*(n-1)/2 > len(slopeBuf) {
		slopes = make([]float64, 0, n*(n-1)/2)
	}
	// By lag, so that the divisor is fixed within a loop: a power of two divides as a
	// multiplication by its reciprocal, which is exact, and a lag of 1 needs neither. (The
	// order of the slopes does not matter to their median.)
	for d := 1; d < n; d++ {
		fd := float64(d)
		switch {
		case d == 1:
			for k := 0; k+d < n; k++ {
				slopes = append(slopes, ys[k+d]-ys[k])
			}
		case d&(d-1) == 0:
			inv := 1 / fd
			for k := 0; k+d < n; k++ {
				slopes = append(slopes, (ys[k+d]-ys[k])*inv)
			}
		default:
			for k := 0; k+d < n; k++ {
				slopes = append(slopes, (ys[k+d]-ys[k])/fd)
			}
		}
	}
	return median(slopes)
}

// theilSenSlopeAt is the Theil–Sen slope of ys at strictly increasing times xs.
func theilSenSlopeAt(xs, ys []float64) float64 {
	n := len(ys)
	var slopeBuf [smallSelect]float64
	slopes := slopeBuf[:0]
	if n*(n-1)/2 > len(slopeBuf) {
		slopes = make([]float64, 0, n*(n-1)/2)
	}
	for k := 0; k < n; k++ {
		for l := k + 1; l < n; l++ {
			slopes = append(slopes, (ys[l]-ys[k])/(xs[l]-xs[k]))
		}
	}
	return median(slopes)
}

// median rearranges xs and returns its median, by selection rather than a full sort (the
// early-warning check runs it for every area of a country).
func median(xs []float64) float64 {
	m := len(xs) / 2
	var upper float64
	if len(xs) <= smallSelect {
		upper = selection.NthFloat64(xs, m)
	} else {
		upper = selection.Nth(xs, m)
	}
	if len(xs)%2 == 1 {
		return upper
	}
	return (slices.Max(xs[:m]) + upper) / 2
}

// smallSelect is the length up to which median uses nthSmall: the pairwise slopes of a
// series of up to 16 values.
const smallSelect = 120

// Warning is the outcome of an early-warning check of one series.
type Warning struct {
	Slope      float64 // Theil–Sen slope per period
	P          float64 // Mann–Kendall two-sided p-value
	Tau        float64 // Mann–Kendall tau
	Projected  float64 // last value + Slope·horizon
	Periods    float64 // periods until the threshold at the current slope; +Inf when not heading there, 0 when already there
	Flag       bool    // significant rise (P < alpha, Slope > 0), not yet at the threshold, projected to reach it
	AtOrAbove  bool    // the last value is already at or above the threshold
	SeriesSize int
}

// EarlyWarning checks whether a series whose higher values are worse is heading towards a
// threshold (for example the lower edge of the most vulnerable group): it flags a series that
// is still below the threshold, rises with a Mann–Kendall p-value under alpha, and whose last
// value plus horizon periods of its Theil–Sen slope reaches the threshold. The projection
// starts from the last value rather than the fitted line so the flag answers "where does the
// area go from here".
//
// Errors (*input.Error naming the input): fewer than 3 values or a NaN or infinite one
// ("values"), alpha outside (0, 1) ("alpha"), horizon not positive ("horizon").
func EarlyWarning(ys []float64, threshold, alpha, horizon float64) (Warning, error) {
	return EarlyWarningAt(nil, ys, threshold, alpha, horizon)
}

// EarlyWarningAt is EarlyWarning for a series observed at times xs (strictly increasing,
// finite; nil means 0, 1, …, n−1), so a series with a missing year is not read as equally
// spaced: the Theil–Sen slope is the median of (y_l − y_k)/(x_l − x_k) and is per unit of x,
// as are horizon and Periods. Mann–Kendall uses only the order of the values, which gaps do
// not change.
//
// Errors (*input.Error naming the input): those of EarlyWarning, and xs of another length
// than ys, not strictly increasing or not finite ("times").
func EarlyWarningAt(xs, ys []float64, threshold, alpha, horizon float64) (Warning, error) {
	if xs != nil {
		if len(xs) != len(ys) {
			return Warning{}, input.Invalid("times", "%d for %d values", len(xs), len(ys))
		}
		if err := checkFinite("times", xs); err != nil {
			return Warning{}, err
		}
		for i := 1; i < len(xs); i++ {
			if !(xs[i] > xs[i-1]) {
				return Warning{}, input.Invalid("times", "not strictly increasing at %d (%v after %v)", i, xs[i], xs[i-1])
			}
		}
	}
	if !(alpha > 0 && alpha < 1) {
		return Warning{}, input.Invalid("alpha", "%v is outside (0, 1)", alpha)
	}
	if !(horizon > 0) || math.IsInf(horizon, 0) {
		return Warning{}, input.Invalid("horizon", "%v is not positive", horizon)
	}
	if len(ys) < 3 {
		return Warning{}, input.Invalid("values", "an early warning needs at least 3, got %d", len(ys))
	}
	if err := checkFinite("values", ys); err != nil {
		return Warning{}, err
	}
	// The intercept plays no part in the warning.
	mk := mannKendall(ys)
	var slope float64
	if xs == nil {
		slope = theilSenSlope(ys)
	} else {
		slope = theilSenSlopeAt(xs, ys)
	}
	last := ys[len(ys)-1]
	w := Warning{Slope: slope, P: mk.P, Tau: mk.Tau, Projected: last + slope*horizon, Periods: math.Inf(1),
		AtOrAbove: last >= threshold, SeriesSize: len(ys)}
	switch {
	case w.AtOrAbove:
		w.Periods = 0
	case slope > 0:
		w.Periods = (threshold - last) / slope
	}
	w.Flag = !w.AtOrAbove && slope > 0 && mk.P < alpha && w.Projected >= threshold
	return w, nil
}
