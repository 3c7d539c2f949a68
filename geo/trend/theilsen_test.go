package trend

import (
	"math"
	"testing"
)

func TestTheilSenFit(t *testing.T) {
	tests := []struct {
		name             string
		ys               []float64
		slope, intercept float64
	}{
		// Pairwise slopes sorted: −1, −1, 1/3, 1/2, 3/4, 1, 1, 4/3, 2, 3 → median (3/4 + 1)/2;
		// residuals y − 0.875t: 1, 2.125, 0.25, 2.375, 0.5 → median 1.
		{"hand computed", []float64{1, 3, 2, 5, 4}, 0.875, 1},
		// One wild point does not move the slope: six of ten pairwise slopes are 1.
		{"outlier", []float64{0, 1, 2, 3, 100}, 1, 0},
		{"flat", []float64{7, 7, 7}, 0, 7},
		{"two points", []float64{2, 5}, 3, 2},
		{"falling", []float64{10, 8, 6, 4}, -2, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TheilSenFit(tt.ys)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.Slope-tt.slope) > 1e-12 || math.Abs(got.Intercept-tt.intercept) > 1e-12 {
				t.Errorf("TheilSenFit(%v) = %+v, want slope %v intercept %v", tt.ys, got, tt.slope, tt.intercept)
			}
		})
	}
}

func TestTheilSenFitInvalid(t *testing.T) {
	for _, ys := range [][]float64{nil, {1}, {1, math.NaN()}, {math.Inf(1), 2, 3}} {
		if _, err := TheilSenFit(ys); !isInvalid(err, "values") {
			t.Errorf("TheilSenFit(%v): error %v, want invalid values", ys, err)
		}
	}
}

func TestEarlyWarning(t *testing.T) {
	rising := []float64{1, 2, 3, 4, 5, 6} // MK p ≈ 0.0085, slope 1, last 6
	tests := []struct {
		name      string
		ys        []float64
		threshold float64
		flag      bool
		periods   float64
	}{
		{"reaches threshold within horizon", rising, 8, true, 2},
		{"rises but not far enough", rising, 10, false, 4},
		{"already there", rising, 5, false, 0},
		{"not significant", []float64{1, 3, 2, 2, 3, 2}, 3.5, false, math.Inf(1)},
		{"falling", []float64{6, 5, 4, 3, 2, 1}, 8, false, math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := EarlyWarning(tt.ys, tt.threshold, 0.05, 3)
			if err != nil {
				t.Fatal(err)
			}
			if w.Flag != tt.flag || w.Periods != tt.periods {
				t.Errorf("EarlyWarning(%v, %v) = %+v, want flag %v periods %v", tt.ys, tt.threshold, w, tt.flag, tt.periods)
			}
		})
	}
	if _, err := EarlyWarning(rising, 8, 0, 3); !isInvalid(err, "alpha") {
		t.Errorf("alpha 0: error %v, want invalid alpha", err)
	}
	if _, err := EarlyWarning(rising, 8, 0.05, 0); !isInvalid(err, "horizon") {
		t.Errorf("horizon 0: error %v, want invalid horizon", err)
	}
	if _, err := EarlyWarning(rising[:2], 8, 0.05, 3); !isInvalid(err, "values") {
		t.Errorf("2 values: error %v, want invalid values", err)
	}
}

// TestEarlyWarningAt checks a series with a missing year: 1, 2, 3 in years 0, 1, 2 and 5 in
// year 4 rises by 1 a year (every pairwise slope is 1), where the gap-blind EarlyWarning
// reads the 5 as the next year and finds the median of 1, 1, 2, 1, 1.5, 4/3 = 7/6.
func TestEarlyWarningAt(t *testing.T) {
	xs, ys := []float64{2019, 2020, 2021, 2023}, []float64{1, 2, 3, 5}
	w, err := EarlyWarningAt(xs, ys, 7.5, 0.5, 3)
	if err != nil {
		t.Fatal(err)
	}
	if w.Slope != 1 || w.Projected != 8 || w.Periods != 2.5 || !w.Flag {
		t.Errorf("EarlyWarningAt = %+v, want slope 1, projected 8, periods 2.5, flagged", w)
	}
	blind, _ := EarlyWarning(ys, 7.5, 0.5, 3)
	if math.Abs(blind.Slope-7.0/6) > 1e-12 {
		t.Errorf("EarlyWarning slope %v, want 7/6 (the index as time)", blind.Slope)
	}
	if blind.P != w.P || blind.Tau != w.Tau {
		t.Errorf("Mann–Kendall differs with times: %+v, %+v", blind, w)
	}
	// nil times are the index: the same as EarlyWarning.
	for _, series := range [][]float64{{1, 2, 3, 4, 5, 6}, {1, 3, 2, 2, 3, 2}, {6, 5, 4, 3, 2, 1}} {
		a, _ := EarlyWarning(series, 8, 0.05, 3)
		b, _ := EarlyWarningAt([]float64{0, 1, 2, 3, 4, 5}, series, 8, 0.05, 3)
		if a != b {
			t.Errorf("%v: index times %+v, EarlyWarning %+v", series, b, a)
		}
	}
	for _, bad := range [][]float64{{2019, 2020, 2020, 2023}, {2019, 2021, 2020, 2023}, {2019, 2020}, {2019, 2020, math.NaN(), 2023}} {
		if _, err := EarlyWarningAt(bad, ys, 7.5, 0.5, 3); !isInvalid(err, "times") {
			t.Errorf("times %v: error %v, want invalid times", bad, err)
		}
	}
}
