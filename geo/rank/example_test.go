package rank_test

import (
	"fmt"

	"github.com/lagesbild/lagesbild/geo/rank"
)

// Three organisations rank four districts; the consensus is the Borda count.
func ExampleBorda() {
	rankings := [][]int{
		{1, 2, 3, 4}, // police
		{2, 1, 4, 3}, // school
		{1, 3, 2, 4}, // social services
	}
	c, _ := rank.Borda(rankings)
	tau, _, _ := rank.KendallTau(rankings[0], rankings[1])
	fmt.Println("points", c.Points, "consensus", c.Rank)
	fmt.Printf("tau police–school %.2f\n", tau)
	// Output:
	// points [8 6 3 1] consensus [1 2 3 4]
	// tau police–school 0.33
}
