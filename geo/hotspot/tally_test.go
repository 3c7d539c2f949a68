package hotspot

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/input"
)

// TestTallyIsBin checks that counting observations one by one into a Tally gives, for every
// study cell, what Cells.Bin gives for the same observations to the bit: counts, weights
// summed in the same order, and the total, with observations exactly on edges and vertices
// (which go to one cell by HexCellOf's rule), outside the study cells, and beyond the extent.
func TestTallyIsBin(t *testing.T) {
	for _, tc := range []struct {
		name   string
		side   float64
		i0, j0 int // the study cells' first column and row
	}{
		{"near the origin", 100, -4, -3},
		{"Västerås, 150 m", 150, 3864, 25441},
		{"Västerås, 333.3 m", 333.3, 1737, 11460},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, r := tc.side, rand.New(rand.NewPCG(7, uint64(tc.side)))
			h := s * math.Sqrt(3) / 2
			cells := &Cells{Side: s}
			for i := tc.i0; i < tc.i0+9; i++ {
				for j := tc.j0; j < tc.j0+7; j++ {
					if (i+j)%5 == 0 { // holes: hexagons inside the extent that are not study cells
						continue
					}
					cells.I, cells.J = append(cells.I, i), append(cells.J, j)
				}
			}
			lo, hi := HexCentre(tc.i0, tc.j0, s), HexCentre(tc.i0+8, tc.j0+6, s)
			cells.Bound = orb.Bound{Min: lo, Max: hi}
			var obs Observations
			add := func(p orb.Point) {
				obs.Points = append(obs.Points, p)
				obs.Weights = append(obs.Weights, []float64{1, 0.1, 1.0 / 3, 5, 1e-3}[r.IntN(5)])
			}
			// Every vertex and edge midpoint of every hexagon over the extent and a ring beyond.
			for i := tc.i0 - 2; i < tc.i0+11; i++ {
				for j := tc.j0 - 2; j < tc.j0+9; j++ {
					c := HexCentre(i, j, s)
					for _, d := range [][2]float64{{0, 0}, {s, 0}, {-s, 0}, {s / 2, h}, {-s / 2, h}, {s / 2, -h}, {-s / 2, -h},
						{0, h}, {0, -h}, {0.75 * s, h / 2}, {-0.75 * s, h / 2}, {0.75 * s, -h / 2}, {-0.75 * s, -h / 2}} {
						add(orb.Point{c[0] + d[0], c[1] + d[1]})
					}
				}
			}
			// And random points over the extent and beyond it.
			w, ht := hi[0]-lo[0], hi[1]-lo[1]
			for range 20_000 {
				add(orb.Point{lo[0] - w/2 + r.Float64()*2*w, lo[1] - ht/2 + r.Float64()*2*ht})
			}
			want := cells.Bin(obs)
			tally := NewTally(cells.Bound, s)
			for n, p := range obs.Points {
				tally.Add(p, obs.Weights[n])
			}
			got, err := tally.Binned(cells)
			if err != nil {
				t.Fatal(err)
			}
			if got.Counted != want.Counted || want.Counted == 0 || want.Counted == int64(len(obs.Points)) {
				t.Errorf("counted %d, want %d of %d observations (some, not all)", got.Counted, want.Counted, len(obs.Points))
			}
			for k := range cells.I {
				if got.Count[k] != want.Count[k] || got.Weight[k] != want.Weight[k] {
					t.Errorf("cell (%d, %d): count %d weight %v, want %d and %v", cells.I[k], cells.J[k], got.Count[k], got.Weight[k], want.Count[k], want.Weight[k])
				}
			}
		})
	}
}

// TestTallyRefusesOtherCells checks that a tally does not quietly give zeros for cells it was
// not made for.
func TestTallyRefusesOtherCells(t *testing.T) {
	tally := NewTally(orb.Bound{Max: orb.Point{1000, 1000}}, 100)
	if _, err := tally.Binned(&Cells{Side: 100, I: []int{50}, J: []int{0}}); err == nil {
		t.Error("a cell outside the tally's extent: no error")
	}
	if _, err := tally.Binned(&Cells{Side: 150, I: []int{1}, J: []int{1}}); err == nil {
		t.Error("cells of another side: no error")
	}
	if b, err := tally.Binned(&Cells{Side: 100, I: []int{0, 6}, J: []int{0, 5}}); err != nil || len(b.Count) != 2 {
		t.Errorf("cells inside the extent: %v, %v", b, err)
	}
}

// TestTallyCellsCoversTheGrid checks TallyCells against the grid NewTally makes.
func TestTallyCellsCoversTheGrid(t *testing.T) {
	b := orb.Bound{Min: orb.Point{573000, 6600000}, Max: orb.Point{602000, 6624000}}
	tally := NewTally(b, 150)
	if got, want := TallyCells(b, 150), float64(len(tally.count)); got != want {
		t.Errorf("TallyCells %v, the grid has %v", got, want)
	}
}

// TestHotSpotsOfTalliedCounts checks that Gi* from counts tallied elsewhere (Input.Binned)
// is Gi* from the observations themselves, and that counts of another length are refused.
func TestHotSpotsOfTalliedCounts(t *testing.T) {
	cells := square(8, 100)
	var obs Observations
	tally := NewTally(cells.Bound, 100)
	for k := range 300 {
		c := HexCentre(k%4, k%6, 100)
		p := orb.Point{c[0] + float64(k%9)*5, c[1] - float64(k%13)*4}
		obs.Points, obs.Weights = append(obs.Points, p), append(obs.Weights, 0.1*float64(1+k%7))
		tally.Add(p, obs.Weights[k])
	}
	want, err := HotSpots(Input{Cells: cells, Observations: obs, Band: 300})
	if err != nil {
		t.Fatal(err)
	}
	b, err := tally.Binned(cells)
	if err != nil {
		t.Fatal(err)
	}
	got, err := HotSpots(Input{Cells: cells, Binned: &b, Band: 300})
	if err != nil {
		t.Fatal(err)
	}
	if got.Counted != want.Counted {
		t.Errorf("counted %d, want %d", got.Counted, want.Counted)
	}
	for k := range want.Results {
		if got.Results[k] != want.Results[k] || got.Weight[k] != want.Weight[k] {
			t.Errorf("cell %d: %+v (weight %v), want %+v (%v)", k, got.Results[k], got.Weight[k], want.Results[k], want.Weight[k])
		}
	}
	short := Binned{Count: b.Count[1:], Weight: b.Weight[1:]}
	if _, err := HotSpots(Input{Cells: cells, Binned: &short, Band: 300}); !isField(err, "values") {
		t.Errorf("counts for one cell fewer: %v, want an input error of values", err)
	}
}

func isField(err error, field string) bool {
	var ie *input.Error
	return errors.As(err, &ie) && ie.Field == field
}
