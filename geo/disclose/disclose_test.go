package disclose_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/lagesbild/lagesbild/geo/disclose"
)

func TestRoundCount(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		k    int
		want int64
	}{{0, 5, 0}, {2, 5, 0}, {3, 5, 5}, {7, 5, 5}, {8, 5, 10}, {12, 1, 12}, {25, 10, 30}, {24, 10, 20}} {
		if got := disclose.RoundCount(tc.n, tc.k); got != tc.want {
			t.Errorf("RoundCount(%d, %d) = %d, want %d", tc.n, tc.k, got, tc.want)
		}
	}
}

func TestSignificant(t *testing.T) {
	for _, tc := range []struct{ x, want float64 }{
		{0, 0}, {1234, 1200}, {0.012345, 0.012}, {-98.7, -99}, {5, 5}, {0.995, 1},
	} {
		if got := disclose.Significant(tc.x, 2); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Significant(%g, 2) = %g, want %g", tc.x, got, tc.want)
		}
	}
	if got := disclose.Significant(math.NaN(), 2); !math.IsNaN(got) {
		t.Errorf("Significant(NaN) = %g", got)
	}
}

func ExampleRoundCount() {
	fmt.Println(disclose.RoundCount(13, 5), disclose.Significant(0.04567, 2))
	// Output: 15 0.046
}
