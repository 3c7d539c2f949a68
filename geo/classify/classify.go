// Package classify puts values into the classes a map legend shows.
//
// Assumptions: values are finite; the classes are quantiles (equal counts), R's type 7, as
// the rest of geo computes quantiles.
package classify

import (
	"slices"

	"github.com/lagesbild/lagesbild/geo/internal/selection"
)

// QuantileBreaks are the n-1 inner breaks of n quantile classes of values (the k/n quantiles,
// k = 1…n-1), and values sorted ascending; the breaks are all 0 when values is empty. A value
// v falls in the class counted by how many breaks lie below it.
func QuantileBreaks(values []float64, n int) (breaks, sorted []float64) {
	sorted = slices.Clone(values)
	slices.Sort(sorted)
	breaks = make([]float64, max(n-1, 0))
	if len(sorted) == 0 {
		return breaks, sorted
	}
	for k := range breaks {
		breaks[k] = selection.Quantile(sorted, float64(k+1)/float64(n))
	}
	return breaks, sorted
}
