package hotspot

import (
	"fmt"

	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/trend"
)

// Pattern is an Emerging Hot Spot Analysis category (ArcGIS Pro, "How Emerging Hot Spot
// Analysis works"). Positive values are hot spot patterns, negative values their cold
// counterparts, 0 is no pattern; the numbers match xarray-spatial's codes.
type Pattern int

// The patterns. See Classify for the exact rules.
const (
	NoPattern       Pattern = 0
	NewHot          Pattern = 1
	ConsecutiveHot  Pattern = 2
	IntensifyingHot Pattern = 3
	PersistentHot   Pattern = 4
	DiminishingHot  Pattern = 5
	SporadicHot     Pattern = 6
	OscillatingHot  Pattern = 7
	HistoricalHot   Pattern = 8

	NewCold          Pattern = -1
	ConsecutiveCold  Pattern = -2
	IntensifyingCold Pattern = -3
	PersistentCold   Pattern = -4
	DiminishingCold  Pattern = -5
	SporadicCold     Pattern = -6
	OscillatingCold  Pattern = -7
	HistoricalCold   Pattern = -8
)

var patternNames = [...]string{"no_pattern", "new", "consecutive", "intensifying", "persistent",
	"diminishing", "sporadic", "oscillating", "historical"}

// String returns a stable snake_case name: "no_pattern", "new_hot_spot", …, "historical_cold_spot".
func (p Pattern) String() string {
	switch {
	case p == 0:
		return patternNames[0]
	case p > 0 && int(p) < len(patternNames):
		return patternNames[p] + "_hot_spot"
	case p < 0 && int(-p) < len(patternNames):
		return patternNames[-p] + "_cold_spot"
	}
	return fmt.Sprintf("Pattern(%d)", int(p))
}

// Patterns lists every pattern, hot spots first, for documentation and enumerations.
func Patterns() []Pattern {
	return []Pattern{NewHot, ConsecutiveHot, IntensifyingHot, PersistentHot, DiminishingHot, SporadicHot,
		OscillatingHot, HistoricalHot, NewCold, ConsecutiveCold, IntensifyingCold, PersistentCold,
		DiminishingCold, SporadicCold, OscillatingCold, HistoricalCold, NoPattern}
}

// EmergingResult is the outcome of Emerging for one cell.
type EmergingResult struct {
	Pattern Pattern
	// Trend is the Mann–Kendall test of the cell's Gi* z-scores over the slices.
	Trend trend.Result
	// Z holds the Gi* z-score of each slice; Sig is +1 (significant hot), -1 (significant
	// cold) or 0 per slice.
	Z   []float64
	Sig []int8
	// Hot and Cold count the significant hot and cold slices.
	Hot, Cold int
}

// DefaultAlpha is the significance level of Emerging when none is given.
const DefaultAlpha = 0.05

// Emerging runs Emerging Hot Spot Analysis on time slices of cell values: slices[t][i] is the
// value of cell i in slice t (oldest first; every slice has every cell, zeros included).
//
//  1. Gi* per slice over the neighbourhood nb (GiStar). A cell is a significant hot (cold)
//     spot in a slice when its Benjamini–Hochberg adjusted p-value within that slice is below
//     alpha and z > 0 (z < 0). ArcGIS Pro likewise applies FDR correction per bin; unlike
//     ArcGIS, the neighbourhood is spatial only (no neighbourhood time step): each slice is
//     judged on its own.
//  2. Mann–Kendall test (trend.MannKendall) of each cell's z-scores over the slices; the trend
//     is significant when its p-value is below alpha.
//  3. Classify.
//
// alpha 0 means DefaultAlpha.
//
// Errors (*input.Error): alpha outside (0, 1) ("alpha"), fewer than 3 slices (a trend needs
// three points; "slices"), and any error of GiStar (slices of different lengths or not
// matching nb).
func Emerging(slices [][]float64, nb *Neighbours, alpha float64) ([]EmergingResult, error) {
	if alpha == 0 {
		alpha = DefaultAlpha
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, input.Invalid("alpha", "the significance level %v is outside (0, 1)", alpha)
	}
	t := len(slices)
	if t < 3 {
		return nil, input.Invalid("slices", "emerging hot spots need at least 3 time slices, got %d", t)
	}
	n := nbLen(nb)
	out := make([]EmergingResult, n)
	zs := make([]float64, n*t) // one backing array: cell i's series is zs[i*t:(i+1)*t]
	sigs := make([]int8, n*t)
	for i := range out {
		out[i].Z = zs[i*t : (i+1)*t : (i+1)*t]
		out[i].Sig = sigs[i*t : (i+1)*t : (i+1)*t]
	}
	for s, values := range slices {
		res, err := GiStar(values, nb)
		if err != nil {
			return nil, fmt.Errorf("hotspot: slice %d: %w", s, err)
		}
		for i, r := range res {
			out[i].Z[s] = r.Z
			if r.PFDR < alpha {
				switch {
				case r.Z > 0:
					out[i].Sig[s] = 1
					out[i].Hot++
				case r.Z < 0:
					out[i].Sig[s] = -1
					out[i].Cold++
				}
			}
		}
	}
	for i := range out {
		mk, err := trend.MannKendall(out[i].Z)
		if err != nil {
			return nil, fmt.Errorf("hotspot: trend of cell %d: %w", i, err)
		}
		out[i].Trend = mk
		out[i].Pattern = Classify(out[i].Sig, mk, alpha)
	}
	return out, nil
}

// Classify assigns the Emerging Hot Spot Analysis pattern of one cell from its per-slice
// significance sig (+1 hot, -1 cold, 0 not significant; oldest first) and the Mann–Kendall
// test of its z-scores. With n slices, H hot and C cold slices, "≥ 90 %" meaning H/n ≥ 0.9,
// and the trend rising (falling) when mk.P < alpha and mk.Z > 0 (< 0), the hot spot rules are
// ArcGIS Pro's, applied in this order:
//
//	final slice hot:
//	  Intensifying  H ≥ 90 % of the slices, trend rising
//	  Diminishing   H ≥ 90 %, trend falling
//	  Persistent    H ≥ 90 %, no significant trend
//	  New           the final slice is the only significant slice (hot or cold)
//	  Consecutive   a final uninterrupted run of ≥ 2 hot slices, nothing significant before
//	                the run, and H < 90 %
//	  Oscillating   H < 90 % and at least one earlier cold slice
//	  Sporadic      H < 90 % and no cold slice (on-and-off hot)
//	final slice not hot:
//	  Historical    H ≥ 90 % (hot in at least 90 % of the slices, but not the most recent)
//
// Cold spot patterns are the mirror image (swap hot and cold, rising and falling). Patterns
// of the final slice's own sign are tried first, so a cell that was hot for 90 % of the slices
// but is cold in the final one is an oscillating cold spot, not a historical hot spot.
// Otherwise the cell has no pattern.
//
// Where ArcGIS's wording leaves an overlap, the rule above follows R sfdep's
// implementation: "new" and "consecutive" also exclude earlier significant slices of the
// opposite sign (those cells are oscillating).
func Classify(sig []int8, mk trend.Result, alpha float64) Pattern {
	n := len(sig)
	if n == 0 {
		return NoPattern
	}
	hot, cold := 0, 0
	for _, s := range sig {
		switch s {
		case 1:
			hot++
		case -1:
			cold++
		}
	}
	trendSign := 0
	if mk.P < alpha {
		switch {
		case mk.Z > 0:
			trendSign = 1
		case mk.Z < 0:
			trendSign = -1
		}
	}
	last := sig[n-1]
	if last != 0 {
		// Work in the final slice's direction: "same" slices have its sign.
		same, opposite := hot, cold
		if last < 0 {
			same, opposite = cold, hot
		}
		dir := Pattern(last) // +1 hot, -1 cold
		mostly := float64(same) >= 0.9*float64(n)
		run := 0
		for k := n - 1; k >= 0 && sig[k] == last; k-- {
			run++
		}
		switch {
		case mostly && trendSign == int(last):
			return dir * IntensifyingHot
		case mostly && trendSign == -int(last):
			return dir * DiminishingHot
		case mostly:
			return dir * PersistentHot
		case same == 1 && opposite == 0:
			return dir * NewHot
		case run >= 2 && same == run && opposite == 0:
			return dir * ConsecutiveHot
		case opposite > 0:
			return dir * OscillatingHot
		default:
			return dir * SporadicHot
		}
	}
	switch {
	case float64(hot) >= 0.9*float64(n):
		return HistoricalHot
	case float64(cold) >= 0.9*float64(n):
		return HistoricalCold
	}
	return NoPattern
}
