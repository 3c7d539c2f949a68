package classify

import (
	"slices"
	"testing"
)

func TestQuantileBreaks(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		n      int
		want   []float64
	}{
		{nil, 5, []float64{0, 0, 0, 0}},
		{[]float64{3}, 5, []float64{3, 3, 3, 3}},
		// R: quantile(c(1, 2, 3, 4, 5, 6), c(.2, .4, .6, .8)) = 2 3 4 5
		{[]float64{6, 1, 5, 2, 4, 3}, 5, []float64{2, 3, 4, 5}},
		// R: quantile(c(0, 10), c(.25, .5, .75)) = 2.5 5 7.5
		{[]float64{10, 0}, 4, []float64{2.5, 5, 7.5}},
	} {
		in := slices.Clone(tc.values)
		got, sorted := QuantileBreaks(tc.values, tc.n)
		if !slices.Equal(got, tc.want) {
			t.Errorf("QuantileBreaks(%v, %d) = %v, want %v", tc.values, tc.n, got, tc.want)
		}
		if !slices.IsSorted(sorted) || len(sorted) != len(tc.values) || !slices.Equal(tc.values, in) {
			t.Errorf("QuantileBreaks(%v): sorted %v, input changed to %v", in, sorted, tc.values)
		}
	}
}
