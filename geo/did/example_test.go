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

// A target district whose monthly rate falls by 1 after the start while its two comparison
// districts rise by 3: an effect of −4. Its neighbour rose by only 1, 2 less than the
// comparison, so the caveats name it for diffusion of benefit, and say the follow-up is
// short.
func ExampleFollowUp() {
	pop := 1000.0
	district := func(code string, rates []float64, neighbours ...string) did.District {
		return did.District{Code: code, Name: code, Population: &pop, Neighbours: neighbours,
			Counts: []int64{20, 20, 20, 20, 20, 20}, Weights: rates}
	}
	target := district("T", []float64{20, 21, 22, 19, 20, 21}, "N")
	in := did.Input{Pre: 3, Post: 3, WantPre: 3, WantPost: 3, Months: 1,
		Target: did.Target{Name: "Cameras", Codes: []string{"T"}, Population: pop, Counts: target.Counts, Weights: target.Weights},
		Districts: []did.District{
			district("A", []float64{30, 31, 32, 33, 34, 35}),
			district("B", []float64{10, 11, 12, 13, 14, 15}),
			district("N", []float64{25, 25, 25, 26, 26, 26}, "T"),
			target,
		}}
	r, err := did.FollowUp(in, 2, did.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("comparison %s and %s, effect %.1f\n", r.Comparison[0].ID, r.Comparison[1].ID, r.Estimate.Effect)
	for _, c := range r.Caveats {
		fmt.Println(c.Code+":", c.EN)
	}
	// Output:
	// comparison A and B, effect -4.0
	// diffusion_of_benefit: Diffusion of benefit: observations fell in the neighbouring districts N too.
	// short_post: Short follow-up: 3 months after the start. Effects of preventive work often show only after years.
}
