package composite_test

import (
	"fmt"
	"math"

	"github.com/lagesbild/lagesbild/geo/composite"
)

// Three districts, overcrowding (higher is worse, weight 1) and perceived safety (higher is
// better, weight 3), min–max normalised and averaged; the third district lacks a safety value,
// so its index rests on a quarter of the weight.
func ExampleEvaluate() {
	m := composite.NewMatrix(3, 2)
	for r, row := range [][2]float64{{10, 50}, {20, 80}, {60, math.NaN()}} {
		m.Set(r, 0, row[0])
		m.Set(r, 1, row[1])
	}
	ind := []composite.Indicator{{Key: "overcrowding", Sign: 1, Weight: 1}, {Key: "perceived_safety", Sign: -1, Weight: 3}}
	_, res, err := composite.Evaluate(m, ind, composite.Options{Normalisation: composite.MinMax, MinCoverage: 0.5})
	if err != nil {
		fmt.Println(err)
		return
	}
	for r := 0; r < 3; r++ {
		fmt.Printf("index %.3f coverage %.2f rank %d contributions %.3f %.3f\n",
			res.Index[r], res.Coverage[r], res.Rank[r], res.Contrib[r*2], res.Contrib[r*2+1])
	}
	// Output:
	// index 0.750 coverage 1.00 rank 1 contributions 0.000 0.750
	// index 0.050 coverage 1.00 rank 2 contributions 0.050 0.000
	// index 1.000 coverage 0.25 rank 0 contributions 1.000 NaN
}
