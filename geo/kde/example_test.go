package kde_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/kde"
)

// Two observations 200 m apart on a 100 m grid with a 400 m bandwidth: the density peaks
// between them, and the surface holds the two observations (up to 0.2 % from
// evaluating it at 100 m cell centres).
func ExampleEstimate() {
	pts := []orb.Point{{1450, 1550}, {1650, 1550}}
	ext := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{3000, 3000}}
	g, _ := kde.Estimate(pts, nil, ext, kde.Options{Bandwidth: 400, Cell: 100})
	fmt.Printf("%d × %d cells\n", g.NX, g.NY)
	fmt.Printf("between them: %.2f per km²\n", g.Values[15*g.NX+15])
	fmt.Printf("total: %.3f\n", g.Total())
	// Output:
	// 30 × 30 cells
	// between them: 10.49 per km²
	// total: 2.003
}
