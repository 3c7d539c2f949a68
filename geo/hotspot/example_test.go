package hotspot_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/trend"
)

// Gi* on five cells in a row: the cell with 10 observations and its neighbour stand out
// against the empty cells, though with five cells nothing is significant.
func ExampleGiStar() {
	centres := []orb.Point{{0, 0}, {100, 0}, {200, 0}, {300, 0}, {400, 0}}
	nb, _ := hotspot.DistanceBand(centres, 100)
	res, _ := hotspot.GiStar([]float64{0, 0, 0, 0, 10}, nb)
	for i, r := range res {
		fmt.Printf("cell %d: z %+.3f p %.3f bin %d\n", i, r.Z, r.P, r.Bin)
	}
	// Output:
	// cell 0: z -0.816 p 0.414 bin 0
	// cell 1: z -1.225 p 0.221 bin 0
	// cell 2: z -1.225 p 0.221 bin 0
	// cell 3: z +0.816 p 0.414 bin 0
	// cell 4: z +1.225 p 0.221 bin 0
}

// Cells of a hexagon grid with 150 m sides, numbered as PostGIS ST_HexagonGrid numbers them.
func ExampleHexCellOf() {
	i, j := hotspot.HexCellOf(orb.Point{583200, 6614400}, 150)
	c := hotspot.HexCentre(i, j, 150)
	fmt.Printf("cell (%d, %d), centre %.1f, %.1f\n", i, j, c[0], c[1])
	// Output:
	// cell (2592, 25459), centre 583200.0, 6614442.2
}

// A cell that became a significant hot spot only in the final slice is a new hot spot.
func ExampleClassify() {
	fmt.Println(hotspot.Classify([]int8{0, 0, 0, 0, 1}, trend.Result{P: 1}, 0.05))
	fmt.Println(hotspot.Classify([]int8{0, 0, 1, 1, 1}, trend.Result{P: 1}, 0.05))
	// Output:
	// new_hot_spot
	// consecutive_hot_spot
}
