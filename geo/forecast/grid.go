package forecast

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/input"
)

// MaxRing is the farthest ring of neighbours that triggering reaches: ring 1 is the six
// adjacent hexagons, ring 2 the twelve around them.
const MaxRing = 2

// Grid is the study area: hexagon cells of geo/hotspot's grid (cell (i, j) as
// ST_HexagonGrid numbers it, side Side metres) with their rings of neighbours. Cells of the
// study area with no observations belong in it: they are the area the forecast's shares of
// area are shares of.
type Grid struct {
	side  float64
	cells [][2]int
	index map[[2]int]int32
	// ring[r-1] lists, in CSR form, the cells of the study area at hexagon distance r.
	ringStart [MaxRing][]int32
	ringIdx   [MaxRing][]int32
}

// NewHexGrid builds the grid of the given cells (i, j) with side side (metres).
//
// Errors (*input.Error): a side that is not positive and finite ("side"); no cells, a cell
// listed twice, or more than 2³¹ − 1 cells ("cells").
func NewHexGrid(side float64, cells [][2]int) (*Grid, error) {
	if !(side > 0) || math.IsInf(side, 0) {
		return nil, input.Invalid("side", "%v must be positive", side)
	}
	if len(cells) == 0 {
		return nil, input.Invalid("cells", "no cells")
	}
	if len(cells) > math.MaxInt32 {
		return nil, input.Invalid("cells", "%d are too many", len(cells))
	}
	g := &Grid{side: side, cells: append([][2]int(nil), cells...), index: make(map[[2]int]int32, len(cells))}
	for k, c := range cells {
		if prev, dup := g.index[c]; dup {
			return nil, input.Invalid("cells", "cell (%d, %d) is listed as %d and %d", c[0], c[1], prev, k)
		}
		g.index[c] = int32(k)
	}
	for r := 1; r <= MaxRing; r++ {
		start := make([]int32, len(cells)+1)
		idx := make([]int32, 0, 6*r*len(cells))
		for k, c := range cells {
			for _, o := range ringOffsets(c[0], r) {
				if m, ok := g.index[[2]int{c[0] + o[0], c[1] + o[1]}]; ok {
					idx = append(idx, m)
				}
			}
			start[k+1] = int32(len(idx))
		}
		g.ringStart[r-1], g.ringIdx[r-1] = start, idx
	}
	return g, nil
}

// ringOffsets returns the (di, dj) offsets from a cell in column i to the 6r cells at hexagon
// distance r. Odd columns are shifted up by one apothem (hotspot.HexCentre), so the offsets
// depend on the parity of i; they are found through axial coordinates q = i,
// s = j − floor(i/2), in which the distance is (|dq| + |ds| + |dq + ds|) / 2.
func ringOffsets(i, r int) [][2]int {
	out := make([][2]int, 0, 6*r)
	for dq := -r; dq <= r; dq++ {
		for ds := -r; ds <= r; ds++ {
			if (abs(dq)+abs(ds)+abs(dq+ds))/2 != r {
				continue
			}
			// j' = s' + floor(i'/2) with s' = s + ds and i' = i + dq.
			out = append(out, [2]int{dq, ds + ((i + dq) >> 1) - (i >> 1)})
		}
	}
	return out
}

// hexDistance is the number of steps between hexagon cells a and b (0 for the same cell).
func hexDistance(a, b [2]int) int {
	dq := b[0] - a[0]
	ds := (b[1] - b[0]>>1) - (a[1] - a[0]>>1)
	return (abs(dq) + abs(ds) + abs(dq+ds)) / 2
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Len is the number of cells.
func (g *Grid) Len() int { return len(g.cells) }

// Side is the hexagon side in metres.
func (g *Grid) Side() float64 { return g.side }

// Cell returns the (i, j) of cell k.
func (g *Grid) Cell(k int) [2]int { return g.cells[k] }

// Centre returns the centre of cell k (hotspot.HexCentre).
func (g *Grid) Centre(k int) orb.Point {
	return hotspot.HexCentre(g.cells[k][0], g.cells[k][1], g.side)
}

// Index returns the index of cell (i, j), and whether it is in the study area.
func (g *Grid) Index(i, j int) (int, bool) {
	k, ok := g.index[[2]int{i, j}]
	return int(k), ok
}

// CellOf returns the index of the cell containing p (hotspot.HexCellOf), and whether that
// cell is in the study area.
func (g *Grid) CellOf(p orb.Point) (int, bool) {
	i, j := hotspot.HexCellOf(p, g.side)
	return g.Index(i, j)
}

// Ring returns the cells of the study area at hexagon distance r (1 ≤ r ≤ MaxRing) from
// cell k, in no particular order. The slice is shared; do not modify it.
func (g *Grid) Ring(k, r int) []int32 {
	return g.ringIdx[r-1][g.ringStart[r-1][k]:g.ringStart[r-1][k+1]]
}
