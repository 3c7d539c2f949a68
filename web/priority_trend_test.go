package web_test

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// theilSenByHand is the median of the pairwise slopes (y_l − y_k)/(x_l − x_k).
func theilSenByHand(xs []float64, ys []float64) float64 {
	var s []float64
	for k := range ys {
		for l := k + 1; l < len(ys); l++ {
			s = append(s, (ys[l]-ys[k])/(xs[l]-xs[k]))
		}
	}
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// TestPriorityEarlyWarningYearGap removes one district's values of one year and checks that
// the early-warning slope is per year over the years that have values, not per value.
func TestPriorityEarlyWarningYearGap(t *testing.T) {
	a := newAPI(t)
	ctx := context.Background()
	const district, gapYear = "1980-BACKBY", 2022
	for _, sql := range []string{
		`CREATE TABLE gap_saved AS SELECT * FROM indicator_values WHERE district_code = $1 AND year = $2`,
		`DELETE FROM indicator_values WHERE district_code = $1 AND year = $2`,
	} {
		if _, err := testDB.Pool.Exec(ctx, sql, district, gapYear); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if _, err := testDB.Pool.Exec(ctx, `INSERT INTO indicator_values SELECT * FROM gap_saved`); err != nil {
			t.Error(err)
		}
		if _, err := testDB.Pool.Exec(ctx, `DROP TABLE gap_saved`); err != nil {
			t.Error(err)
		}
	})
	_, body := a.do("POST", "/analysis/priority", map[string]any{"scenario": "scb", "year": 2024}, 200)
	var res struct {
		Districts []struct {
			Code  string
			Trend *struct {
				Years  []int
				Series []float64
				Slope  float64
			}
		}
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	checked, gapped := 0, false
	for _, d := range res.Districts {
		if d.Trend == nil {
			continue
		}
		xs := make([]float64, len(d.Trend.Years))
		idx := make([]float64, len(d.Trend.Years))
		for i, y := range d.Trend.Years {
			xs[i], idx[i] = float64(y), float64(i)
		}
		want := theilSenByHand(xs, d.Trend.Series)
		if math.Abs(d.Trend.Slope-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: slope %v, want %v over years %v", d.Code, d.Trend.Slope, want, d.Trend.Years)
		}
		checked++
		if d.Code == district {
			gapped = true
			if slices.Contains(d.Trend.Years, gapYear) || len(d.Trend.Years) != 4 {
				t.Fatalf("%s: years %v, want 2020–2024 without %d", district, d.Trend.Years, gapYear)
			}
			if blind := theilSenByHand(idx, d.Trend.Series); math.Abs(blind-want) < 1e-9 {
				t.Fatalf("the data do not tell the gap apart (slope %v either way): choose another district or year", want)
			}
		}
	}
	if checked < 10 || !gapped {
		t.Errorf("%d trends checked; %s with a gap: %v", checked, district, gapped)
	}
}
