package hotspot

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Tally counts and weighs observations per hexagon as they arrive, so that a caller reading
// them one by one (a million rows from the database) need not hold them: Add assigns each
// to its hexagon with HexCellOf's rule and adds it to that hexagon's count and weight, and
// Binned then takes the study cells' figures. For the same observations in the same order,
// Binned gives the counts, weights and total of Cells.Bin, to the bit (each cell's weights
// are summed in the same order).
//
// The hexagons are kept in a dense grid over the extent given to NewTally, 16 bytes each;
// an observation whose hexagon lies outside it is not counted (it cannot be a study cell).
type Tally struct {
	rule   HexRule
	i0, j0 int // the grid's first column and row
	ni, nj int // its columns and rows
	count  []int64
	weight []float64
}

// TallyCells is the number of hexagons NewTally's grid holds over bound with side s, so a
// caller can bound the memory (16 bytes each) before making it.
func TallyCells(bound orb.Bound, s float64) float64 {
	i0, j0, i1, j1 := tallyRange(bound, s)
	return (float64(i1) - float64(i0) + 1) * (float64(j1) - float64(j0) + 1)
}

// tallyRange is the columns and rows of every hexagon of side s that reaches into bound, with
// one to spare on each side: a hexagon reaches s either side of its centre horizontally and
// its apothem vertically.
func tallyRange(bound orb.Bound, s float64) (i0, j0, i1, j1 int) {
	r := NewHexRule(s)
	i0 = int(math.Floor((bound.Min[0]-s)/r.Column)) - 1
	i1 = int(math.Ceil((bound.Max[0]+s)/r.Column)) + 1
	j0 = int(math.Floor((bound.Min[1]-r.Apothem)/(2*r.Apothem))) - 1
	j1 = int(math.Ceil((bound.Max[1]+r.Apothem)/(2*r.Apothem))) + 1
	return i0, j0, i1, j1
}

// NewTally returns an empty tally of the hexagons of side s that reach into bound (the study
// area's extent: every study cell reaches into it). It takes 16 bytes a hexagon, TallyCells
// of them; the caller bounds that first.
func NewTally(bound orb.Bound, s float64) *Tally {
	i0, j0, i1, j1 := tallyRange(bound, s)
	t := &Tally{rule: NewHexRule(s), i0: i0, j0: j0, ni: i1 - i0 + 1, nj: j1 - j0 + 1}
	t.count = make([]int64, t.ni*t.nj)
	t.weight = make([]float64, t.ni*t.nj)
	return t
}

// at is the grid index of hexagon (i, j), or -1 outside the grid.
func (t *Tally) at(i, j int) int {
	i, j = i-t.i0, j-t.j0
	if i < 0 || i >= t.ni || j < 0 || j >= t.nj {
		return -1
	}
	return i*t.nj + j
}

// Add counts an observation at p with weight w in its hexagon.
func (t *Tally) Add(p orb.Point, w float64) {
	if k := t.at(t.rule.CellOf(p)); k >= 0 {
		t.count[k]++
		t.weight[k] += w
	}
}

// Binned returns what fell into each of the study cells, as Cells.Bin does (without the
// per-observation Cell, which a tally does not keep).
//
// Errors: cells of another side than the tally's, or a cell outside the tally's grid (the
// cells are not of the extent the tally was made for).
func (t *Tally) Binned(cells *Cells) (Binned, error) {
	if NewHexRule(cells.Side) != t.rule {
		return Binned{}, fmt.Errorf("tally: cells of side %g for a tally of another side", cells.Side)
	}
	b := Binned{Count: make([]int64, cells.Len()), Weight: make([]float64, cells.Len())}
	for k := range cells.I {
		g := t.at(cells.I[k], cells.J[k])
		if g < 0 {
			return Binned{}, fmt.Errorf("tally: cell (%d, %d) is outside the tally's extent", cells.I[k], cells.J[k])
		}
		b.Count[k], b.Weight[k] = t.count[g], t.weight[g]
		b.Counted += t.count[g]
	}
	return b, nil
}
