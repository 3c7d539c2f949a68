package trend_test

import (
	"fmt"

	"github.com/lagesbild/lagesbild/geo/trend"
)

// A steadily rising series of monthly counts is a significant upward trend.
func ExampleMannKendall() {
	r, _ := trend.MannKendall([]float64{3, 4, 4, 6, 5, 8, 9, 11})
	fmt.Printf("S %.0f, Z %.2f, p %.4f, tau %.2f\n", r.S, r.Z, r.P, r.Tau)
	// Output:
	// S 25, Z 2.99, p 0.0028, tau 0.91
}
