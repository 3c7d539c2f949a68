package rank

import (
	"math"
	"slices"
	"testing"

	"github.com/lagesbild/lagesbild/geo/input"
)

// isInvalidRankings says whether err is the invalid input of "rankings".
func isInvalidRankings(err error) bool {
	f, ok := input.FieldOf(err)
	return ok && f == "rankings"
}

func TestBorda(t *testing.T) {
	// Four items, three rankings. Points n − r with n = 4:
	//   item:        0  1  2  3
	//   ranking 0:   1  2  3  4  → 3 2 1 0
	//   ranking 1:   2  1  4  3  → 2 3 0 1
	//   ranking 2:   1  3  2  0  → 3 1 2 (item 3 unranked: position 4, 0 points)
	// totals 8 6 3 1.
	c, err := Borda([][]int{{1, 2, 3, 4}, {2, 1, 4, 3}, {1, 3, 2, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{8, 6, 3, 1}; !slices.Equal(c.Points, want) {
		t.Errorf("points %v, want %v", c.Points, want)
	}
	if want := []int{1, 2, 3, 4}; !slices.Equal(c.Rank, want) {
		t.Errorf("ranks %v, want %v", c.Rank, want)
	}
	if want := []float64{4.0 / 3, 2, 3, 11.0 / 3}; math.Abs(c.MeanRank[3]-want[3]) > 1e-12 || math.Abs(c.MeanRank[0]-want[0]) > 1e-12 {
		t.Errorf("mean ranks %v, want %v", c.MeanRank, want)
	}
	// Two items left out of a ranking of four share positions 3 and 4: 0.5 points each.
	c, _ = Borda([][]int{{1, 2, 0, 0}})
	if want := []float64{3, 2, 0.5, 0.5}; !slices.Equal(c.Points, want) {
		t.Errorf("points with unranked items %v, want %v", c.Points, want)
	}
	if want := []int{1, 2, 3, 4}; !slices.Equal(c.Rank, want) {
		t.Errorf("tied items ranked %v, want item order %v", c.Rank, want)
	}
	// Equal points break by median rank, not item order: items 0 and 1 both get 6 points
	// (mean rank 2), but item 1 is first in two of three rankings (median 1, item 0's is 2).
	c, _ = Borda([][]int{{2, 1, 3, 4}, {2, 1, 4, 3}, {2, 4, 1, 3}})
	if want := []float64{6, 6, 4, 2}; !slices.Equal(c.Points, want) {
		t.Errorf("points %v, want %v", c.Points, want)
	}
	if !slices.Equal(c.MedianRank, []float64{2, 1, 3, 3}) || c.MeanRank[0] != c.MeanRank[1] {
		t.Errorf("median ranks %v, mean ranks %v", c.MedianRank, c.MeanRank)
	}
	if want := []int{2, 1, 3, 4}; !slices.Equal(c.Rank, want) {
		t.Errorf("ranks %v, want %v (item 1 first by its median rank)", c.Rank, want)
	}
	for _, bad := range [][][]int{nil, {{1, 2}, {1}}, {{1, 1}}, {{3, 1}}, {{-1, 1}}} {
		if _, err := Borda(bad); !isInvalidRankings(err) {
			t.Errorf("Borda(%v): error %v, want invalid rankings", bad, err)
		}
	}
}

func TestKendallTau(t *testing.T) {
	tests := []struct {
		a, b   []int
		tau    float64
		common int
	}{
		{[]int{1, 2, 3, 4}, []int{1, 2, 3, 4}, 1, 4},
		{[]int{1, 2, 3, 4}, []int{4, 3, 2, 1}, -1, 4},
		// One swap among 4 items: 5 concordant, 1 discordant of 6 pairs → 4/6.
		{[]int{1, 2, 3, 4}, []int{2, 1, 3, 4}, 4.0 / 6, 4},
		// Item 3 unranked in b: compared over items 0–2; (1,2,3) vs (1,3,2): 2 − 1 of 3.
		{[]int{1, 2, 3, 4}, []int{1, 3, 2, 0}, 1.0 / 3, 3},
		// Ties (tau-b, by hand). a = (1,1,2,3), b = (1,1,1,2): of the 6 pairs, (0,1) is tied in
		// both, (0,2) and (1,2) in b only, (0,3), (1,3), (2,3) concordant. n₀ = 6, n₁ = 1 pair
		// tied in a, n₂ = 3 tied in b (the pair tied in both counts in each):
		// 3/√((6 − 1)(6 − 3)) = 3/√15.
		{[]int{1, 1, 2, 3}, []int{1, 1, 1, 2}, 3 / math.Sqrt(15), 4},
		// The same ranking with ties agrees perfectly: 4/√((6 − 2)(6 − 2)) = 1.
		{[]int{1, 1, 2, 2}, []int{1, 1, 2, 2}, 1, 4},
		// Reversed with the same ties: −1.
		{[]int{1, 1, 2, 2}, []int{2, 2, 1, 1}, -1, 4},
	}
	for _, tt := range tests {
		tau, common, err := KendallTau(tt.a, tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(tau-tt.tau) > 1e-12 || common != tt.common {
			t.Errorf("KendallTau(%v, %v) = %v over %d, want %v over %d", tt.a, tt.b, tau, common, tt.tau, tt.common)
		}
	}
	if tau, _, _ := KendallTau([]int{1, 0}, []int{1, 2}); !math.IsNaN(tau) {
		t.Errorf("one common item: tau %v, want NaN", tau)
	}
	if _, _, err := KendallTau([]int{1}, []int{1, 2}); !isInvalidRankings(err) {
		t.Errorf("different lengths: %v", err)
	}
	m, err := TauMatrix([][]int{{1, 2, 3}, {3, 2, 1}})
	if err != nil || m[0][0] != 1 || m[0][1] != -1 || m[1][0] != -1 {
		t.Errorf("TauMatrix = %v, %v", m, err)
	}
}

func TestDisagreement(t *testing.T) {
	d, err := Disagreement([][]int{{1, 2, 3, 4}, {4, 2, 1, 3}, {2, 2 + 1, 4, 1}})
	if err != nil {
		t.Fatal(err)
	}
	// Ranges: item 0: 1–4 → 3; item 1: 2–3 → 1; item 2: 1–4 → 3; item 3: 1–4 → 3.
	// SDs of (1,4,2) = 1.247, (3,1,4) = 1.247, (4,3,1) = 1.247: all tie → item order.
	var items, ranges []int
	for _, s := range d {
		items = append(items, s.Item)
		ranges = append(ranges, s.Range)
	}
	if !slices.Equal(items, []int{0, 2, 3, 1}) || !slices.Equal(ranges, []int{3, 3, 3, 1}) {
		t.Errorf("order %v ranges %v, want [0 2 3 1] [3 3 3 1]", items, ranges)
	}
	if math.Abs(d[0].SD-math.Sqrt(14.0/9)) > 1e-12 {
		t.Errorf("SD %v, want √(14/9)", d[0].SD)
	}
	for _, bad := range [][][]int{nil, {{1, 2}, {1}}} {
		if _, err := Disagreement(bad); !isInvalidRankings(err) {
			t.Errorf("Disagreement(%v): error %v, want invalid rankings", bad, err)
		}
	}
}
