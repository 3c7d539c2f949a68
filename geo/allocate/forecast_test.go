package allocate

import (
	"math"
	"testing"

	"github.com/lagesbild/lagesbild/geo/hotspot"
)

func TestForecastCellsSelect(t *testing.T) {
	cells := &hotspot.Cells{Side: 150, I: []int{10, 10, 11, 11}, J: []int{20, 21, 20, 21}}
	f := ForecastCells{Cells: cells, Forecast: []float64{0, 3, 1, 3},
		// Cell 1 saw violence (2) and vandalism (1); cell 3 nothing; cell 2 theft (1); one outside.
		Cell:       []int{1, 1, 2, -1},
		Categories: []string{"violence", "vandalism", "theft", "shooting"},
		Weights:    []float64{2, 1, 1, 100},
	}
	for _, tc := range []struct {
		name string
		top  int
		ids  []string
		risk []map[string]float64
	}{
		{"top two: a tie to the lower index; the unobserved cell takes the area's shares", 2,
			[]string{"cell:10_21", "cell:11_21"},
			[]map[string]float64{{"violence": 2, "vandalism": 1}, {"violence": 1.5, "vandalism": 0.75, "theft": 0.75}}},
		{"every cell with a positive forecast, never the zero one", 10,
			[]string{"cell:10_21", "cell:11_21", "cell:11_20"},
			[]map[string]float64{{"violence": 2, "vandalism": 1}, {"violence": 1.5, "vandalism": 0.75, "theft": 0.75}, {"theft": 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.Select(tc.top)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.ids) {
				t.Fatalf("%d targets, want %d", len(got), len(tc.ids))
			}
			for n, c := range got {
				if c.ID != tc.ids[n] {
					t.Errorf("target %d: %s, want %s", n, c.ID, tc.ids[n])
				}
				sum := 0.0
				for cat, v := range c.Risk {
					sum += v
					if math.Abs(v-tc.risk[n][cat]) > 1e-12 {
						t.Errorf("%s: %s risk %v, want %v", c.ID, cat, v, tc.risk[n][cat])
					}
				}
				if len(c.Risk) != len(tc.risk[n]) || math.Abs(sum-c.Total) > 1e-12 || c.Total != f.Forecast[[]int{1, 3, 2}[n]] {
					t.Errorf("%s: risk %v, total %v", c.ID, c.Risk, c.Total)
				}
			}
		})
	}
	if _, err := (ForecastCells{Cells: cells, Forecast: []float64{1}}).Select(1); err == nil {
		t.Error("a forecast of one value for four cells was accepted")
	}
}
