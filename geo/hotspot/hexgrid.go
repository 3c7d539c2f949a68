package hotspot

import (
	"math"

	"github.com/paulmach/orb"
)

// Hexagonal cells as PostGIS ST_HexagonGrid(side, bounds) numbers them. The grid is anchored
// at the origin of the coordinate system, not at the bounds, so a cell's (i, j) and shape are
// the same for every query, time window and study area:
//
//   - hexagons are flat-topped (two horizontal edges), with side s and apothem h = s·√3/2;
//   - cell (i, j) is centred on x = 1.5·s·i, y = h·(2j + |i mod 2|): odd columns are shifted
//     up by one apothem;
//   - cell (0, 0) is centred on the origin (0, 0).
//
// Because every point belongs to the hexagon whose centre is nearest to it (a hexagonal
// lattice's cells are the Voronoi cells of its centres), HexCellOf assigns points arithmetically
// without a spatial join; a point exactly on an edge goes to one cell only, where
// ST_Intersects against ST_HexagonGrid would count it in both.

// EdgeTolerance is how near (metres) a point must be to an edge or vertex to count as on it,
// and so go to the lowest (i, j) among the cells it touches. Coordinates around 10⁷ m carry
// rounding errors of about 10⁻⁹ m, so without a tolerance the rounding of the centres, not
// the rule, would decide where a point on an edge goes; 1 µm is far below any meaningful
// distance and far above that rounding (as BandTolerance).
const EdgeTolerance = 1e-6

// HexCentre returns the centre of cell (i, j) of the hexagon grid with side s.
func HexCentre(i, j int, s float64) orb.Point {
	h := s * math.Sqrt(3) / 2
	odd := float64(i & 1) // 0 or 1 also for negative i, as in two's complement
	return orb.Point{1.5 * s * float64(i), h * (2*float64(j) + odd)}
}

// HexRule is the arithmetic of HexCellOf for one side, spelled out so that another
// implementation of the rule (the database's count per cell, layers) can repeat it operation
// by operation and agree with HexCellOf to the bit: IEEE 754 gives the same result for the
// same operations on the same operands, in Go and in PostgreSQL's float8 alike.
type HexRule struct {
	Column  float64 // 1.5·s: the spacing of columns, and the x of column i's centres is Column·i
	Apothem float64 // h = s·√3/2: the y of cell (i, j)'s centre is h·(2j + i mod 2)
	// RowTie: within a column, the row coordinate (y/h − i mod 2)/2 goes up to the next row
	// only when its fraction is above RowTie (½ plus the tolerance), so the lower row wins
	// on the edge between two rows.
	RowTie float64
	// Tie: between the two candidate columns, the later one wins only when its centre's
	// squared distance is below the earlier one's minus Tie.
	Tie float64
}

// NewHexRule returns the rule of the hexagon grid with side s.
func NewHexRule(s float64) HexRule {
	h := s * math.Sqrt(3) / 2
	// Near an edge d² − b² ≈ 2·s·(d − b), as both distances are at most s.
	return HexRule{Column: 1.5 * s, Apothem: h, RowTie: 0.5 + EdgeTolerance/(2*h), Tie: 2 * s * EdgeTolerance}
}

// HexCellOf returns the cell (i, j) of the hexagon grid with side s that contains p: the cell
// with the nearest centre. A point on an edge or a vertex (within EdgeTolerance) goes to the
// lowest (i, j) of the cells it touches: the lower column, then the lower row.
func HexCellOf(p orb.Point, s float64) (i, j int) { return NewHexRule(s).CellOf(p) }

// CellOf is HexCellOf with the rule's side.
func (r HexRule) CellOf(p orb.Point) (i, j int) {
	// The nearest centre is in column floor(x / 1.5s) or the next one: a hexagon reaches s
	// left and right of its centre, less than the 1.5s column spacing. Within a column it is
	// the row nearest to p, the lower one on the edge between two rows (the row coordinate's
	// fraction within the tolerance of ½); between the columns the later one wins only when
	// nearer by more than the tolerance.
	h := r.Apothem
	i0 := int(math.Floor(p[0] / r.Column))
	best := math.Inf(1)
	for _, ci := range [2]int{i0, i0 + 1} {
		odd := float64(ci & 1)
		row := (p[1]/h - odd) / 2
		cj := int(math.Floor(row))
		if row-float64(cj) > r.RowTie {
			cj++
		}
		cx, cy := r.Column*float64(ci), h*(2*float64(cj)+odd) // HexCentre(ci, cj, s)
		dx, dy := p[0]-cx, p[1]-cy
		if d := dx*dx + dy*dy; d < best-r.Tie {
			best, i, j = d, ci, cj
		}
	}
	return i, j
}

// HexPolygon returns the hexagon of cell (i, j) as a closed ring, counter-clockwise from the
// left vertex, with the vertices ST_HexagonGrid produces.
func HexPolygon(i, j int, s float64) orb.Polygon {
	c := HexCentre(i, j, s)
	h := s * math.Sqrt(3) / 2
	r := orb.Ring{
		{c[0] - s, c[1]}, {c[0] - s/2, c[1] - h}, {c[0] + s/2, c[1] - h},
		{c[0] + s, c[1]}, {c[0] + s/2, c[1] + h}, {c[0] - s/2, c[1] + h}, {c[0] - s, c[1]},
	}
	return orb.Polygon{r}
}
