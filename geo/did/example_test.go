package did_test

import (
	"fmt"

	"github.com/lagesbild/lagesbild/geo/did"
)

// Monthly rates in a target district and two comparison districts: the target falls by
// 3.83 after the intervention while the comparisons rise by 0.17: an effect of −4.00.
func ExampleDiD() {
	target := []float64{20, 22, 21, 23, 22, 21, 17, 18, 17, 19, 18, 17}
	comparisons := [][]float64{
		{15, 16, 15, 17, 16, 15, 16, 15, 17, 16, 15, 16},
		{25, 24, 26, 25, 24, 26, 25, 26, 24, 25, 26, 25},
	}
	e, _ := did.DiD(target, comparisons, 6, did.Options{Seed: 1})
	fmt.Printf("effect %.2f, 95 %% interval excludes 0: %v\n", e.Effect, e.Hi < 0)
	// Output:
	// effect -4.00, 95 % interval excludes 0: true
}
