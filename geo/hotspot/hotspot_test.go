package hotspot

import (
	"encoding/json"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/trend"
)

func TestHexCells(t *testing.T) {
	// Centres as ST_HexagonGrid(10, ST_MakeEnvelope(-20, -20, 20, 20)) reports them (PostGIS 3.3).
	tests := []struct {
		i, j int
		want orb.Point
	}{
		{0, 0, orb.Point{0, 0}},
		{0, -1, orb.Point{0, -17.320508075688775}},
		{1, 0, orb.Point{15, 8.660254037844387}},
		{1, -1, orb.Point{15, -8.660254037844387}},
		{-1, 0, orb.Point{-15, 8.660254037844387}},
		{-1, -1, orb.Point{-15, -8.660254037844387}},
	}
	for _, tt := range tests {
		got := HexCentre(tt.i, tt.j, 10)
		if math.Abs(got[0]-tt.want[0]) > 1e-9 || math.Abs(got[1]-tt.want[1]) > 1e-9 {
			t.Errorf("HexCentre(%d, %d) = %v, want %v", tt.i, tt.j, got, tt.want)
		}
		if i, j := HexCellOf(tt.want, 10); i != tt.i || j != tt.j {
			t.Errorf("HexCellOf(%v) = %d, %d, want %d, %d", tt.want, i, j, tt.i, tt.j)
		}
	}
	// Every point lies in the cell with the nearest centre, and inside that cell's hexagon.
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		p := orb.Point{r.Float64()*2000 - 1000 + 600000, r.Float64()*2000 - 1000 + 6600000}
		i, j := HexCellOf(p, 150)
		c := HexCentre(i, j, 150)
		d := math.Hypot(p[0]-c[0], p[1]-c[1])
		for di := -2; di <= 2; di++ {
			for dj := -2; dj <= 2; dj++ {
				o := HexCentre(i+di, j+dj, 150)
				if math.Hypot(p[0]-o[0], p[1]-o[1]) < d-1e-9 {
					t.Fatalf("point %v assigned to (%d, %d) but (%d, %d) is nearer", p, i, j, i+di, j+dj)
				}
			}
		}
		if d > 150+1e-9 {
			t.Fatalf("point %v is %.1f m from its cell centre, more than the side", p, d)
		}
	}
}

func TestDistanceBandHexRings(t *testing.T) {
	// On a hexagon grid of side s the rings around a cell are at √3·s (6 cells), 3·s (6) and
	// 2√3·s (6): a band of exactly 3·s must keep both inner rings, 13 cells with itself, for
	// every cell away from the edge, whatever the rounding of coordinates near 6.6e6 m.
	const s = 150.0
	var centres []orb.Point
	for i := 4000; i < 4030; i++ {
		for j := 25400; j < 25430; j++ {
			centres = append(centres, HexCentre(i, j, s))
		}
	}
	nb, err := DistanceBand(centres, 3*s)
	if err != nil {
		t.Fatal(err)
	}
	for k := range centres {
		i, j := 4000+k/30, 25400+k%30
		if i < 4003 || i >= 4027 || j < 25403 || j >= 25427 {
			continue
		}
		if got := len(nb.Of(k)); got != 13 {
			t.Fatalf("cell (%d, %d) has %d neighbours, want 13", i, j, got)
		}
	}
}

func TestDistanceBandMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	centres := make([]orb.Point, 500)
	for k := range centres {
		centres[k] = orb.Point{r.Float64() * 5000, r.Float64() * 3000}
	}
	for _, band := range []float64{10, 250, 1000, 10000} {
		nb, err := DistanceBand(centres, band)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range centres {
			var want []int32
			for j, d := range centres {
				if math.Hypot(c[0]-d[0], c[1]-d[1]) <= band+BandTolerance {
					want = append(want, int32(j))
				}
			}
			got := nb.Of(i)
			if len(got) != len(want) {
				t.Fatalf("band %v, cell %d: %d neighbours, want %d", band, i, len(got), len(want))
			}
			for k := range got {
				if got[k] != want[k] {
					t.Fatalf("band %v, cell %d: neighbours %v, want %v", band, i, got, want)
				}
			}
		}
	}
}

func TestGiStarHandComputed(t *testing.T) {
	// Five cells in a row, 100 m apart, band 100 m: neighbours are the cell and the adjacent
	// ones. Values 0 0 0 0 10: X̄ = 2, S = √(100/5 − 4) = 4, n = 5.
	// Cell 4: W = 2, Σwx = 10: z = (10 − 2·2) / (4·√((5·2 − 4)/4)) = 6 / (4·√1.5) = 1.224745.
	// Cell 3: W = 3, Σwx = 10: z = (10 − 6) / (4·√((15 − 9)/4)) = 4 / (4·√1.5) = 0.816497.
	// Cell 2: W = 3, Σwx = 0: z = −6 / (4·√1.5) = −1.224745.
	// Cell 0: W = 2, Σwx = 0: z = −4 / (4·√1.5) = −0.816497.
	centres := []orb.Point{{0, 0}, {100, 0}, {200, 0}, {300, 0}, {400, 0}}
	nb, err := DistanceBand(centres, 100)
	if err != nil {
		t.Fatal(err)
	}
	res, err := GiStar([]float64{0, 0, 0, 0, 10}, nb)
	if err != nil {
		t.Fatal(err)
	}
	k := 1 / math.Sqrt(1.5)
	want := []float64{-k, -k * 1.5, -k * 1.5, k, k * 1.5}
	for i, w := range want {
		if math.Abs(res[i].Z-w) > 1e-12 {
			t.Errorf("cell %d: z = %.12f, want %.12f", i, res[i].Z, w)
		}
		if p := math.Erfc(math.Abs(w) / math.Sqrt2); math.Abs(res[i].P-p) > 1e-12 {
			t.Errorf("cell %d: p = %v, want %v", i, res[i].P, p)
		}
	}
}

func TestGiStarEdgeCases(t *testing.T) {
	nb, _ := NewNeighbours([][]int{{0, 1}, {0, 1}, {2}})
	tests := []struct {
		name    string
		values  []float64
		nb      *Neighbours
		wantErr bool
	}{
		{"all equal: z 0, p 1", []float64{3, 3, 3}, nb, false},
		{"all zero", []float64{0, 0, 0}, nb, false},
		{"NaN", []float64{0, math.NaN(), 1}, nb, true},
		{"length mismatch", []float64{1, 2}, nb, true},
		{"nil neighbours", []float64{1, 2, 3}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := GiStar(tt.values, tt.nb)
			if tt.wantErr {
				if f, _ := input.FieldOf(err); f != "values" {
					t.Fatalf("err = %v, want an invalid input of values", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if r.Z != 0 || r.P != 1 || r.Bin != 0 || r.SurvivesFDR {
					t.Errorf("cell %d: %+v, want z 0, p 1, bin 0", i, r)
				}
			}
		})
	}
	// A neighbourhood that is the whole area makes the denominator 0: z 0, not NaN.
	all, _ := NewNeighbours([][]int{{0, 1}, {0, 1}})
	res, err := GiStar([]float64{1, 5}, all)
	if err != nil || res[0].Z != 0 || res[1].P != 1 {
		t.Errorf("whole-area neighbourhood: %+v, %v; want z 0, p 1", res, err)
	}
}

func TestBin(t *testing.T) {
	tests := []struct {
		z    float64
		want int
	}{
		{2.6, 3}, {2.0, 2}, {1.7, 1}, {1.6, 0}, {0, 0}, {-1.7, -1}, {-2.0, -2}, {-3.5, -3},
	}
	for _, tt := range tests {
		if got := Bin(tt.z, TwoSidedP(tt.z)); got != tt.want {
			t.Errorf("Bin(%v) = %d, want %d", tt.z, got, tt.want)
		}
	}
}

func TestBenjaminiHochberg(t *testing.T) {
	// Benjamini & Hochberg (1995), section 4: the 15 p-values of the example; at q = 0.05 the
	// first four hypotheses are rejected. The adjusted values are what R's
	// p.adjust(p, "BH") gives for this vector (checked by hand from the step-up formula).
	p := []float64{0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
		0.4262, 0.5719, 0.6528, 0.7590, 1.0000}
	want := []float64{0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286,
		0.0645, 0.0765, 0.486, 0.5811818181818182, 0.714875, 0.7532307692307693, 0.8132142857142857, 1}
	got := BenjaminiHochberg(p)
	rejected := 0
	for i := range p {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("adjusted p[%d] = %v, want %v", i, got[i], want[i])
		}
		if got[i] <= 0.05 {
			rejected++
		}
	}
	if rejected != 4 {
		t.Errorf("%d rejected at q = 0.05, want 4 as in the paper", rejected)
	}
	// Order of the input does not matter.
	rev := make([]float64, len(p))
	for i := range p {
		rev[len(p)-1-i] = p[i]
	}
	gotRev := BenjaminiHochberg(rev)
	for i := range p {
		if gotRev[len(p)-1-i] != got[i] {
			t.Fatalf("reversed input: adjusted %v, want %v", gotRev, got)
		}
	}
}

var update = flag.Bool("update", false, "rewrite testdata/gistar_7x7.json from the matrix reference")

// reference is testdata/gistar_7x7.json: a 7 × 7 lattice of values, the neighbour lists
// (queen contiguity plus self, from a 150 m band on a 100 m lattice; 1-based as in R), and the
// Gi* z-scores of R spdep's localG for them. See testdata/README.md for where they come from.
type reference struct {
	Source     string    `json:"source"`
	Values     []float64 `json:"values"`
	Neighbours [][]int   `json:"neighbours"`
	Z          []float64 `json:"z"`
}

func TestGiStarAgainstSpdep(t *testing.T) {
	path := filepath.Join("testdata", "gistar_7x7.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	var centres []orb.Point
	for k := range ref.Values {
		centres = append(centres, orb.Point{float64(k%7) * 100, float64(k/7) * 100})
	}
	nb, err := DistanceBand(centres, 150)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ref.Values {
		got := nb.Of(i)
		if len(got) != len(ref.Neighbours[i]) {
			t.Fatalf("cell %d: neighbours %v, reference %v (1-based)", i, got, ref.Neighbours[i])
		}
		for k, j := range got {
			if int(j)+1 != ref.Neighbours[i][k] {
				t.Fatalf("cell %d: neighbours %v, reference %v (1-based)", i, got, ref.Neighbours[i])
			}
		}
	}
	res, err := GiStar(ref.Values, nb)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if math.Abs(r.Z-ref.Z[i]) > 1e-6 {
			t.Errorf("cell %d: z = %.9f, spdep localG %.9f", i, r.Z, ref.Z[i])
		}
	}
	// The matrix form, written independently of GiStar, agrees too.
	m := matrixGiStar(ref.Values, ref.Neighbours)
	for i := range m {
		if math.Abs(m[i]-ref.Z[i]) > 1e-9 {
			t.Errorf("cell %d: matrix form %.9f, reference %.9f", i, m[i], ref.Z[i])
		}
	}
}

// matrixGiStar is the textbook matrix form: a dense n × n binary W with ones on the diagonal,
// G* = (Wx − x̄ W1) / (s √((n W1 − (W1)²)/(n − 1))) with s² = (x − x̄)ᵀ(x − x̄)/n, evaluated
// row by row with explicit loops over the full matrix.
func matrixGiStar(x []float64, lists [][]int) []float64 {
	n := len(x)
	w := make([][]float64, n)
	for i := range w {
		w[i] = make([]float64, n)
		for _, j := range lists[i] {
			w[i][j-1] = 1
		}
	}
	var mean float64
	for _, v := range x {
		mean += v / float64(n)
	}
	var s2 float64
	for _, v := range x {
		s2 += (v - mean) * (v - mean) / float64(n)
	}
	out := make([]float64, n)
	for i := range n {
		var wx, w1, w2 float64
		for j := range n {
			wx += w[i][j] * x[j]
			w1 += w[i][j]
			w2 += w[i][j] * w[i][j]
		}
		out[i] = (wx - mean*w1) / (math.Sqrt(s2) * math.Sqrt((float64(n)*w2-w1*w1)/float64(n-1)))
	}
	return out
}

func TestClassify(t *testing.T) {
	rising := trend.Result{Z: 3, P: 0.001}
	falling := trend.Result{Z: -3, P: 0.001}
	flat := trend.Result{Z: 0.5, P: 0.6}
	tests := []struct {
		name string
		sig  []int8
		mk   trend.Result
		want Pattern
	}{
		{"new", []int8{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, rising, NewHot},
		{"consecutive", []int8{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, rising, ConsecutiveHot},
		{"consecutive after earlier hot is sporadic", []int8{0, 1, 0, 0, 0, 0, 0, 1, 1, 1}, rising, SporadicHot},
		{"intensifying", []int8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, rising, IntensifyingHot},
		{"intensifying with one gap", []int8{1, 1, 1, 0, 1, 1, 1, 1, 1, 1}, rising, IntensifyingHot},
		{"persistent", []int8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, flat, PersistentHot},
		{"diminishing", []int8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, falling, DiminishingHot},
		{"sporadic", []int8{1, 0, 1, 0, 0, 1, 0, 0, 0, 1}, flat, SporadicHot},
		{"oscillating", []int8{-1, 0, 1, 0, -1, 0, 0, 0, 0, 1}, flat, OscillatingHot},
		{"new after cold is oscillating", []int8{-1, 0, 0, 0, 0, 0, 0, 0, 0, 1}, flat, OscillatingHot},
		{"historical", []int8{1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, falling, HistoricalHot},
		{"80 % hot, not final: no pattern", []int8{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, flat, NoPattern},
		{"nothing", []int8{0, 0, 0, 0, 0}, flat, NoPattern},
		{"new cold", []int8{0, 0, 0, 0, -1}, flat, NewCold},
		{"consecutive cold", []int8{0, 0, 0, -1, -1}, flat, ConsecutiveCold},
		{"intensifying cold (falling z)", []int8{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, falling, IntensifyingCold},
		{"diminishing cold (rising z)", []int8{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, rising, DiminishingCold},
		{"persistent cold", []int8{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, flat, PersistentCold},
		{"sporadic cold", []int8{-1, 0, -1, 0, -1}, flat, SporadicCold},
		{"oscillating cold", []int8{1, 1, 1, 1, 1, 1, 1, 1, 1, -1}, flat, OscillatingCold},
		{"historical cold", []int8{-1, -1, -1, -1, -1, -1, -1, -1, -1, 0}, flat, HistoricalCold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.sig, tt.mk, 0.05); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", tt.sig, got, tt.want)
			}
		})
	}
	if len(Patterns()) != 17 {
		t.Errorf("%d patterns, want the 17 of ArcGIS", len(Patterns()))
	}
}

func TestEmerging(t *testing.T) {
	// A 15 × 15 square lattice; one cell block starts at background in slice 0 and rises to a
	// strong cluster by slice 5: the centre becomes a significant hot spot in the last slices
	// only and is classified as emerging (new or consecutive).
	var centres []orb.Point
	for k := range 225 {
		centres = append(centres, orb.Point{float64(k%15) * 100, float64(k/15) * 100})
	}
	nb, err := DistanceBand(centres, 150)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	var slices [][]float64
	for s := range 6 {
		v := make([]float64, 225)
		for k := range v {
			v[k] = float64(r.IntN(3))
			x, y := k%15, k/15
			if x >= 6 && x <= 8 && y >= 6 && y <= 8 && s >= 4 {
				v[k] += float64(10 * (s - 3))
			}
		}
		slices = append(slices, v)
	}
	res, err := Emerging(slices, nb, 0)
	if err != nil {
		t.Fatal(err)
	}
	centre := res[7*15+7]
	if centre.Pattern != ConsecutiveHot {
		t.Errorf("centre: %v (sig %v, trend %+v), want consecutive_hot_spot", centre.Pattern, centre.Sig, centre.Trend)
	}
	if _, err := Emerging(slices[:2], nb, 0); !errors.Is(err, input.ErrInvalid) {
		t.Errorf("2 slices: err = %v, want an invalid input", err)
	}
}
