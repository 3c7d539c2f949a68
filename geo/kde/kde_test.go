package kde

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/input"
)

func TestKernelIntegratesToOne(t *testing.T) {
	// ∫₀¹ K(r) 2πr dr = 6 ∫₀¹ (1 − r²)² r dr = 1; midpoint rule with 10⁵ rings.
	const n = 100000
	sum := 0.0
	for k := range n {
		r := (float64(k) + 0.5) / n
		sum += Kernel(r) * 2 * math.Pi * r / n
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Errorf("∫K = %v, want 1", sum)
	}
}

func TestEstimateHandComputed(t *testing.T) {
	// One point at the centre of cell (4, 4) of a 9 × 9 grid of 50 m cells, h = 400 m.
	// At distance d the density is 10⁶ · 3/π · (1 − d²/h²)² / h² per km².
	base := 1e6 * 3 / math.Pi / (400 * 400) // 5.96831 per km²
	ext := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{450, 450}}
	g, err := Estimate([]orb.Point{{225, 225}}, nil, ext, Options{Bandwidth: 400, Cell: 50})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		col, row int
		want     float64
	}{
		{4, 4, base},                         // d = 0
		{8, 4, base * 0.5625},                // d = 200 m, u = 0.5: (1 − 0.25)² = 0.5625
		{8, 8, base * math.Pow(1-0.5, 2)},    // d = 200√2, u² = 0.5
		{0, 0, base * math.Pow(1-0.5, 2)},    // symmetric corner
		{4, 0, base * 0.5625},                // d = 200 m south
		{5, 4, base * math.Pow(1-1.0/64, 2)}, // d = 50 m, u² = 1/64
	}
	for _, tt := range tests {
		if got := g.Values[tt.row*g.NX+tt.col]; math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("cell (%d, %d) = %.9f, want %.9f", tt.col, tt.row, got, tt.want)
		}
	}
	// A weight of 2.5 scales everything.
	g2, _ := Estimate([]orb.Point{{225, 225}}, []float64{2.5}, ext, Options{Bandwidth: 400, Cell: 50})
	if got := g2.Values[4*g.NX+4]; math.Abs(got-2.5*base) > 1e-9 {
		t.Errorf("weighted centre = %v, want %v", got, 2.5*base)
	}
}

func TestEstimateIntegratesToTotalWeight(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var pts []orb.Point
	var ws []float64
	total := 0.0
	for range 2000 {
		pts = append(pts, orb.Point{2000 + r.NormFloat64()*300, 2000 + r.NormFloat64()*300})
		w := float64(1 + r.IntN(5))
		ws = append(ws, w)
		total += w
	}
	for _, cell := range []float64{25, 50, 100} {
		ext := orb.Bound{Min: orb.Point{-1000, -1000}, Max: orb.Point{5000, 5000}}
		g, err := Estimate(pts, ws, ext, Options{Bandwidth: 400, Cell: cell})
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Total(); math.Abs(got-total)/total > 0.01 {
			t.Errorf("cell %v m: surface holds %.1f, want %.1f within 1 %%", cell, got, total)
		}
	}
}

func TestEstimateAgreesWithAt(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var pts []orb.Point
	for range 300 {
		pts = append(pts, orb.Point{r.Float64() * 1000, r.Float64() * 1000})
	}
	ext := orb.Bound{Min: orb.Point{-200, -200}, Max: orb.Point{1200, 1200}}
	g, err := Estimate(pts, nil, ext, Options{Bandwidth: 250, Cell: 70})
	if err != nil {
		t.Fatal(err)
	}
	for row := 0; row < g.NY; row += 3 {
		for col := 0; col < g.NX; col += 3 {
			want, _ := At(g.Centre(col, row), pts, nil, 250)
			if got := g.Values[row*g.NX+col]; math.Abs(got-want) > 1e-9*max(1, want) {
				t.Fatalf("cell (%d, %d) = %v, At = %v", col, row, got, want)
			}
		}
	}
}

func TestEstimateErrors(t *testing.T) {
	ext := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{100, 100}}
	tests := []struct {
		name  string
		pts   []orb.Point
		ws    []float64
		ext   orb.Bound
		opt   Options
		field string // the input refused, "" for none
	}{
		{"defaults", nil, nil, ext, Options{}, ""},
		{"negative bandwidth", nil, nil, ext, Options{Bandwidth: -1}, "bandwidth"},
		{"NaN cell", nil, nil, ext, Options{Cell: math.NaN()}, "cell"},
		{"empty extent", nil, nil, orb.Bound{}, Options{}, "extent"},
		{"too many cells", nil, nil, orb.Bound{Max: orb.Point{1e6, 1e6}}, Options{Cell: 1}, "cell"},
		{"weights mismatch", []orb.Point{{1, 1}}, []float64{1, 2}, ext, Options{}, "weights"},
		{"NaN point", []orb.Point{{math.NaN(), 1}}, nil, ext, Options{}, "points"},
		{"infinite weight", []orb.Point{{1, 1}}, []float64{math.Inf(1)}, ext, Options{}, "weights"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Estimate(tt.pts, tt.ws, tt.ext, tt.opt)
			if field, _ := input.FieldOf(err); field != tt.field || (err != nil) != (tt.field != "") {
				t.Fatalf("err = %v, want an invalid input of %q", err, tt.field)
			}
			if err != nil && !errors.Is(err, input.ErrInvalid) {
				t.Errorf("err = %v, want input.ErrInvalid", err)
			}
		})
	}
}
