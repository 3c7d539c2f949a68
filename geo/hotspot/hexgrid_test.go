package hotspot

import (
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestHexCellOfEdges checks the tie rule: a point on an edge between two cells, or on a vertex
// of three, goes to the lowest (i, j) among them (lower column, then lower row), near the
// origin and at Swedish coordinates (EPSG:3006, where the rounding of a point on an edge would
// otherwise decide), for even and odd columns and negative indices.
func TestHexCellOfEdges(t *testing.T) {
	type tc struct {
		name string
		side float64
		p    orb.Point
		i, j int
	}
	var tests []tc
	for _, side := range []float64{10, 150, 250} {
		h := side * math.Sqrt(3) / 2
		for _, base := range [][2]int{{0, 0}, {1, 0}, {-1, -1}, {-4, -3}, {3864, 25441}, {3865, 25441}, {2592, 25459}} {
			i, j := base[0], base[1]
			c := HexCentre(i, j, side)
			odd := i & 1
			// The neighbours of (i, j) in the next columns: (i±1, j+odd) above its centre and
			// (i±1, j+odd-1) below it.
			up, down := j+odd, j+odd-1
			add := func(what string, dx, dy float64, wi, wj int) {
				tests = append(tests, tc{fmt.Sprintf("side %g, cell (%d, %d), %s", side, i, j, what), side, orb.Point{c[0] + dx, c[1] + dy}, wi, wj})
			}
			add("centre", 0, 0, i, j)
			// Edges: the lower of the two cells.
			add("top edge (with the cell above)", 0, h, i, j)
			add("top edge, left part", -side/4, h, i, j)
			add("bottom edge (with the cell below)", 0, -h, i, j-1)
			add("bottom edge, right part", side/4, -h, i, j-1)
			add("upper right edge", 0.75*side, h/2, i, j)
			add("lower right edge", 0.75*side, -h/2, i, j)
			add("upper left edge", -0.75*side, h/2, i-1, up)
			add("lower left edge", -0.75*side, -h/2, i-1, down)
			// Vertices: the lowest of the three cells.
			add("right vertex", side, 0, i, j)
			add("left vertex", -side, 0, i-1, down)
			add("top right vertex", side/2, h, i, j)
			add("top left vertex", -side/2, h, i-1, up)
			add("bottom right vertex", side/2, -h, i, j-1)
			add("bottom left vertex", -side/2, -h, i-1, down)
			// A millimetre off an edge is not on it.
			add("a millimetre above the top edge", 0, h+1e-3, i, j+1)
			add("a millimetre below the top edge", 0, h-1e-3, i, j)
			add("a millimetre left of the upper left edge", -0.75*side-1e-3, h/2, i-1, up)
			add("a millimetre right of the right vertex", side+1e-3, 0, i+1, down) // between (i+1, up) and (i+1, down)
		}
	}
	for _, tt := range tests {
		if i, j := HexCellOf(tt.p, tt.side); i != tt.i || j != tt.j {
			t.Errorf("%s: HexCellOf(%v) = (%d, %d), want (%d, %d)", tt.name, tt.p, i, j, tt.i, tt.j)
		}
	}
}
