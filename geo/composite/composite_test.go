package composite

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lagesbild/lagesbild/geo/input"
)

// The hand-computed example: three areas, an indicator where higher is worse (x1, weight 1)
// and one where higher is better (x2, weight 3), so the weights are 0.25 and 0.75 and x2 is
// oriented as −x2.
//
//	area  x1  x2   o1   o2
//	A     10  50   10  −50
//	B     20  80   20  −80
//	C     60  50   60  −50
func example() (Matrix, []Indicator) {
	m := NewMatrix(3, 2)
	for r, row := range [][2]float64{{10, 50}, {20, 80}, {60, 50}} {
		m.Set(r, 0, row[0])
		m.Set(r, 1, row[1])
	}
	return m, []Indicator{{Key: "x1", Sign: 1, Weight: 1}, {Key: "x2", Sign: -1, Weight: 3}}
}

func TestHandComputed(t *testing.T) {
	sd1 := math.Sqrt(1400.0 / 3) // o1: mean 30, deviations −20, −10, 30
	sd2 := math.Sqrt(600.0 / 3)  // o2: mean −60, deviations 10, −20, 10
	z1 := []float64{-20 / sd1, -10 / sd1, 30 / sd1}
	z2 := []float64{10 / sd2, -20 / sd2, 10 / sd2}
	wsd := math.Sqrt(350.0 / 3) // o1 clipped at its 25 % and 75 % quantiles (15, 40): 15, 20, 40; mean 25
	tests := []struct {
		name  string
		opt   Options
		index []float64
		rank  []int
	}{
		{"zscore arithmetic", Options{ZScore, Arithmetic, 0, 0},
			[]float64{0.25*z1[0] + 0.75*z2[0], 0.25*z1[1] + 0.75*z2[1], 0.25*z1[2] + 0.75*z2[2]}, []int{2, 3, 1}},
		// g = z + 1 + √2 (n = 3).
		{"zscore geometric", Options{ZScore, Geometric, 0, 0}, []float64{
			math.Pow(z1[0]+1+math.Sqrt2, 0.25) * math.Pow(z2[0]+1+math.Sqrt2, 0.75),
			math.Pow(z1[1]+1+math.Sqrt2, 0.25) * math.Pow(z2[1]+1+math.Sqrt2, 0.75),
			math.Pow(z1[2]+1+math.Sqrt2, 0.25) * math.Pow(z2[2]+1+math.Sqrt2, 0.75)}, []int{2, 3, 1}},
		// s1 = 0, 0.2, 1; s2 = 1, 0, 1.
		{"minmax arithmetic", Options{MinMax, Arithmetic, 0, 0}, []float64{0.75, 0.05, 1}, []int{2, 3, 1}},
		// g1 = 1, 1.2, 2; g2 = 2, 1, 2.
		{"minmax geometric", Options{MinMax, Geometric, 0, 0}, []float64{math.Pow(2, 0.75), math.Pow(1.2, 0.25), 2}, []int{2, 3, 1}},
		// percentile ranks: s1 = 1/3, 2/3, 1; s2 = 2.5/3, 1/3, 2.5/3 (A and C tie on x2).
		{"rank arithmetic", Options{Rank, Arithmetic, 0, 0}, []float64{(0.25 + 1.875) / 3, (0.5 + 0.75) / 3, 0.25 + 0.625}, []int{2, 3, 1}},
		// g = s + 1: g1 = 4/3, 5/3, 2; g2 = 11/6, 4/3, 11/6.
		{"rank geometric", Options{Rank, Geometric, 0, 0}, []float64{
			math.Pow(4.0/3, 0.25) * math.Pow(11.0/6, 0.75), math.Pow(5.0/3, 0.25) * math.Pow(4.0/3, 0.75), math.Pow(2, 0.25) * math.Pow(11.0/6, 0.75)}, []int{2, 3, 1}},
		// g = o − min o + 1: g1 = 1, 11, 51; g2 = 31, 1, 31.
		{"raw geometric", Options{Raw, Geometric, 0, 0}, []float64{
			math.Pow(31, 0.75), math.Pow(11, 0.25), math.Pow(51, 0.25) * math.Pow(31, 0.75)}, []int{2, 3, 1}},
		{"raw arithmetic", Options{Raw, Arithmetic, 0, 0}, []float64{2.5 - 37.5, 5 - 60, 15 - 37.5}, []int{2, 3, 1}},
		{"zscore winsorised", Options{ZScore, Arithmetic, 0.25, 0},
			[]float64{0.25*(-10/wsd) + 0.75*z2[0], 0.25*(-5/wsd) + 0.75*z2[1], 0.25*(15/wsd) + 0.75*z2[2]}, []int{2, 3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ind := example()
			_, res, err := Evaluate(m, ind, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			for r := range tt.index {
				if math.Abs(res.Index[r]-tt.index[r]) > 1e-12 {
					t.Errorf("index[%d] = %.15g, want %.15g", r, res.Index[r], tt.index[r])
				}
				if res.Rank[r] != tt.rank[r] {
					t.Errorf("rank[%d] = %d, want %d", r, res.Rank[r], tt.rank[r])
				}
				if res.Coverage[r] != 1 {
					t.Errorf("coverage[%d] = %v, want 1", r, res.Coverage[r])
				}
			}
		})
	}
}

func TestMissingValuesReweighted(t *testing.T) {
	m, ind := example()
	m.Set(0, 1, math.NaN()) // A has no x2: coverage 0.25, index = its x1 score alone
	_, res, err := Evaluate(m, ind, Options{Normalisation: ZScore, MinCoverage: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	sd1 := math.Sqrt(1400.0 / 3)
	// x2 is fitted on B and C only: −80, −50 → z = −1, 1.
	want := []float64{-20 / sd1, 0.25*(-10/sd1) + 0.75*-1, 0.25*(30/sd1) + 0.75*1}
	for r, w := range want {
		if math.Abs(res.Index[r]-w) > 1e-12 {
			t.Errorf("index[%d] = %v, want %v", r, res.Index[r], w)
		}
	}
	if res.Coverage[0] != 0.25 || !math.IsNaN(res.Contrib[1]) {
		t.Errorf("coverage %v, contribution of the missing value %v; want 0.25 and NaN", res.Coverage[0], res.Contrib[1])
	}
	if got := res.Rank; got[0] != 0 || got[1] != 2 || got[2] != 1 || res.Ranked != 2 {
		t.Errorf("ranks %v (ranked %d), want [0 2 1] (2): A is below the coverage threshold", got, res.Ranked)
	}
	m.Set(0, 0, math.NaN())
	_, res, err = Evaluate(m, ind, Options{Normalisation: ZScore})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(res.Index[0]) || res.Coverage[0] != 0 || res.Rank[0] != 0 {
		t.Errorf("area without values: index %v coverage %v rank %d, want NaN 0 0", res.Index[0], res.Coverage[0], res.Rank[0])
	}
}

func TestInvalid(t *testing.T) {
	m, _ := example()
	w := func(a, b float64) []Indicator { return []Indicator{{"x1", 1, a}, {"x2", -1, b}} }
	tests := []struct {
		name  string
		m     Matrix
		ind   []Indicator
		opt   Options
		field string
	}{
		{"negative weight", m, w(-1, 1), Options{}, "weights"},
		{"all zero", m, w(0, 0), Options{}, "weights"},
		{"NaN weight", m, w(math.NaN(), 1), Options{}, "weights"},
		{"infinite weight", m, w(math.Inf(1), 1), Options{}, "weights"},
		{"no indicators", Matrix{Rows: 3}, nil, Options{}, "indicators"},
		{"no areas", Matrix{Cols: 2}, w(1, 1), Options{}, "areas"},
		{"wrong count", m, w(1, 1)[:1], Options{}, "indicators"},
		{"bad sign", m, []Indicator{{"x1", 2, 1}, {"x2", -1, 1}}, Options{}, "indicators"},
		{"winsor", m, w(1, 1), Options{Winsor: 0.5}, "winsor"},
		{"min coverage", m, w(1, 1), Options{MinCoverage: 1.5}, "min_coverage"},
		{"normalisation", m, w(1, 1), Options{Normalisation: 9}, "normalisation"},
		{"aggregation", m, w(1, 1), Options{Aggregation: 9}, "aggregation"},
		{"infinite value", Matrix{Rows: 1, Cols: 2, Data: []float64{math.Inf(1), 1}}, w(1, 1), Options{}, "values"},
		{"empty indicator", NewMatrix(3, 2), w(1, 1), Options{}, "indicators"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fit(tt.m, tt.ind, tt.opt)
			var e *input.Error
			if !errors.As(err, &e) || e.Field != tt.field || !errors.Is(err, input.ErrInvalid) {
				t.Fatalf("error %v, want an *Error for %q", err, tt.field)
			}
		})
	}
	if _, err := ParseNormalisation("median"); err == nil {
		t.Error("ParseNormalisation(median) succeeded")
	}
	if _, err := ParseAggregation("harmonic"); err == nil {
		t.Error("ParseAggregation(harmonic) succeeded")
	}
}

// randomCase is a matrix with some missing values and random weights and signs.
func randomCase(rng *rand.Rand, rows, cols int) (Matrix, []Indicator) {
	m := NewMatrix(rows, cols)
	ind := make([]Indicator, cols)
	for j := range ind {
		ind[j] = Indicator{Key: "x", Sign: float64(1 - 2*rng.IntN(2)), Weight: rng.Float64() + 0.01}
	}
	for i := range m.Data {
		if rng.Float64() < 0.9 || i < cols {
			m.Data[i] = math.Round(rng.NormFloat64()*10*100) / 100
		}
	}
	return m, ind
}

func allMethods() []Options {
	var opts []Options
	for _, n := range []Normalisation{ZScore, MinMax, Rank, Raw} {
		for _, a := range []Aggregation{Arithmetic, Geometric} {
			for _, w := range []float64{0, 0.1} {
				opts = append(opts, Options{Normalisation: n, Aggregation: a, Winsor: w})
			}
		}
	}
	return opts
}

// Worsening one value of an area (direction-aware) never lowers that area's need index.
func TestPropertyWorseningNeverLowersIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, opt := range allMethods() {
		for trial := 0; trial < 300; trial++ {
			m, ind := randomCase(rng, 2+rng.IntN(12), 1+rng.IntN(5))
			r, j := rng.IntN(m.Rows), rng.IntN(m.Cols)
			if math.IsNaN(m.At(r, j)) {
				continue
			}
			_, before, err := Evaluate(m, ind, opt)
			if err != nil {
				t.Fatal(err)
			}
			worse := Matrix{Rows: m.Rows, Cols: m.Cols, Data: append([]float64(nil), m.Data...)}
			worse.Set(r, j, m.At(r, j)+ind[j].Sign*(0.01+rng.ExpFloat64()*10))
			_, after, err := Evaluate(worse, ind, opt)
			if err != nil {
				t.Fatal(err)
			}
			if after.Index[r] < before.Index[r]-1e-12*math.Max(1, math.Abs(before.Index[r])) {
				t.Fatalf("%v/%v winsor %v: worsening area %d indicator %d lowered its index %v → %v\n%v",
					opt.Normalisation, opt.Aggregation, opt.Winsor, r, j, before.Index[r], after.Index[r], m.Data)
			}
		}
	}
}

// The contributions of every area add up to its (log) index exactly: the index is that sum.
func TestPropertyContributionsSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, opt := range allMethods() {
		for trial := 0; trial < 50; trial++ {
			m, ind := randomCase(rng, 1+rng.IntN(20), 1+rng.IntN(8))
			_, res, err := Evaluate(m, ind, opt)
			if err != nil {
				t.Fatal(err)
			}
			for r := 0; r < m.Rows; r++ {
				sum, any := 0.0, false
				for _, c := range res.Contrib[r*m.Cols : (r+1)*m.Cols] {
					if !math.IsNaN(c) {
						sum += c
						any = true
					}
				}
				if !any {
					continue
				}
				if sum != res.LogIndex[r] {
					t.Fatalf("%v/%v: area %d contributions add up to %v, log index %v", opt.Normalisation, opt.Aggregation, r, sum, res.LogIndex[r])
				}
				if opt.Aggregation == Geometric && math.Abs(math.Exp(sum)-res.Index[r]) > 1e-12*res.Index[r] {
					t.Fatalf("geometric: exp(Σ contributions) %v ≠ index %v", math.Exp(sum), res.Index[r])
				}
			}
		}
	}
}

// A change of unit (x → a·x + b, a > 0) of any indicator leaves z-score results unchanged.
func TestPropertyZScoreUnitInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, agg := range []Aggregation{Arithmetic, Geometric} {
		for trial := 0; trial < 100; trial++ {
			m, ind := randomCase(rng, 3+rng.IntN(20), 1+rng.IntN(6))
			opt := Options{Normalisation: ZScore, Aggregation: agg}
			_, want, err := Evaluate(m, ind, opt)
			if err != nil {
				t.Fatal(err)
			}
			j, a, b := rng.IntN(m.Cols), 0.001+rng.Float64()*1000, rng.NormFloat64()*1000
			scaled := Matrix{Rows: m.Rows, Cols: m.Cols, Data: append([]float64(nil), m.Data...)}
			for r := 0; r < m.Rows; r++ {
				scaled.Set(r, j, a*m.At(r, j)+b)
			}
			_, got, err := Evaluate(scaled, ind, opt)
			if err != nil {
				t.Fatal(err)
			}
			for r := range want.Index {
				if d := math.Abs(got.Index[r] - want.Index[r]); d > 1e-9*math.Max(1, math.Abs(want.Index[r])) || math.IsNaN(d) != math.IsNaN(want.Index[r]) {
					t.Fatalf("%v: unit change of indicator %d (×%v %+v) moved area %d: %v → %v", agg, j, a, b, r, want.Index[r], got.Index[r])
				}
			}
		}
	}
}

// Equal indices are ranked by row order, whatever the method, and ranks are a permutation.
func TestPropertyTiesDeterministic(t *testing.T) {
	m := NewMatrix(5, 2)
	for r, row := range [][2]float64{{3, 1}, {5, 2}, {3, 1}, {5, 2}, {1, 0}} {
		m.Set(r, 0, row[0])
		m.Set(r, 1, row[1])
	}
	ind := []Indicator{{"a", 1, 1}, {"b", 1, 1}}
	for _, opt := range allMethods() {
		_, res, err := Evaluate(m, ind, opt)
		if err != nil {
			t.Fatal(err)
		}
		want := []int{3, 1, 4, 2, 5}
		for r := range want {
			if res.Rank[r] != want[r] {
				t.Fatalf("%v/%v winsor %v: ranks %v, want %v", opt.Normalisation, opt.Aggregation, opt.Winsor, res.Rank, want)
			}
		}
	}
}

func TestModelAppliesToAnotherYear(t *testing.T) {
	m, ind := example()
	md, _, err := Evaluate(m, ind, Options{Normalisation: MinMax})
	if err != nil {
		t.Fatal(err)
	}
	earlier := NewMatrix(3, 2)
	for r, row := range [][2]float64{{10, 50}, {35, 80}, {60, 65}} {
		earlier.Set(r, 0, row[0])
		earlier.Set(r, 1, row[1])
	}
	// Scored with this year's min and max: B's x1 = 35 → 0.5; C's x2 = 65 → o2 −65 → 0.5.
	res, err := md.Evaluate(earlier)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.75, 0.125, 0.25 + 0.375}
	dst := make([]float64, 3)
	if err := md.IndexInto(earlier, dst); err != nil {
		t.Fatal(err)
	}
	for r, w := range want {
		if math.Abs(res.Index[r]-w) > 1e-12 || math.Abs(dst[r]-w) > 1e-12 {
			t.Errorf("area %d: index %v / IndexInto %v, want %v", r, res.Index[r], dst[r], w)
		}
	}
}

// IndexInto scores an earlier year with the reference year's parameters for every
// normalisation and aggregation: out-of-sample ranks, shifts fixed by the reference year,
// the geometric floor, the reference year's winsor bounds, and re-weighting over the
// indicators an area has. Hand-computed against example(): o1 = 10, 20, 60 (sorted);
// o2 = −50, −80, −50, sorted −80, −50, −50; weights 0.25 and 0.75.
//
//	earlier  x1    x2    o1    o2
//	A         5    50     5   −50
//	B        35    80    35   −80
//	C        60    65    60   −65
//	D      −100     –  −100     –   (coverage 0.25: the index is its x1 term alone)
func TestIndexIntoEarlierYear(t *testing.T) {
	earlier := NewMatrix(4, 2)
	for r, row := range [][2]float64{{5, 50}, {35, 80}, {60, 65}, {-100, math.NaN()}} {
		earlier.Set(r, 0, row[0])
		earlier.Set(r, 1, row[1])
	}
	// The weighted geometric mean of the shifted scores, each at least the floor.
	geo := func(g1, g2 float64) float64 {
		return math.Pow(max(g1, geometricFloor), 0.25) * math.Pow(max(g2, geometricFloor), 0.75)
	}
	sd1, sd2 := math.Sqrt(1400.0/3), math.Sqrt(600.0/3) // the reference year's
	z := func(o, mean, sd float64) float64 { return (o - mean) / sd }
	shift := 1 + math.Sqrt2 // 1 + √(n−1), n = 3 in the reference year
	tests := []struct {
		name  string
		opt   Options
		index []float64
	}{
		// Percentile ranks in the reference year's sorted values, (below + ½·equal + ½)/3:
		// s1 = 0.5/3 (below all), 2.5/3, 3/3, 0.5/3; s2 = 2.5/3, 1/3, 1.5/3 (between −80 and −50).
		{"rank arithmetic", Options{Normalisation: Rank}, []float64{
			0.25*0.5/3 + 0.75*2.5/3, 0.25*2.5/3 + 0.75/3, 0.25 + 0.75*1.5/3, 0.5 / 3}},
		// g = s + 1.
		{"rank geometric", Options{Normalisation: Rank, Aggregation: Geometric}, []float64{
			geo(3.5/3, 5.5/3), geo(5.5/3, 4.0/3), geo(2, 4.5/3), 3.5 / 3}},
		// Winsor 0.25: the reference bounds are o1 ∈ [15, 40], o2 ∈ [−65, −50]; clipped sorted
		// values 15, 20, 40 and −65, −50, −50. A's 5 and D's −100 clip to 15 (1/3), C's 60 to 40
		// (3/3); B's −80 clips to −65 (1/3), C's −65 is −65 (1/3).
		{"rank arithmetic winsorised", Options{Normalisation: Rank, Winsor: 0.25}, []float64{
			0.25/3 + 0.75*2.5/3, 0.25*2.5/3 + 0.75/3, 0.25 + 0.75/3, 1.0 / 3}},
		// Min–max with the reference min and max (10…60, −80…−50): s1 = −0.1, 0.5, 1, −2.2;
		// s2 = 1, 0, 0.5. g = s + 1; D's g1 = −1.2 falls to the floor 1e-6.
		{"minmax geometric", Options{Normalisation: MinMax, Aggregation: Geometric}, []float64{
			geo(0.9, 2), geo(1.5, 1), geo(2, 1.5), geometricFloor}},
		// z with the reference mean and sd, g = z + 1 + √2.
		{"zscore geometric", Options{Normalisation: ZScore, Aggregation: Geometric}, []float64{
			geo(z(5, 30, sd1)+shift, z(-50, -60, sd2)+shift), geo(z(35, 30, sd1)+shift, z(-80, -60, sd2)+shift),
			geo(z(60, 30, sd1)+shift, z(-65, -60, sd2)+shift), geometricFloor}},
		// Raw geometric: g = o − min o + 1 with the reference minima 10 and −80; A's
		// g1 = −4 falls to the floor as well.
		{"raw geometric", Options{Normalisation: Raw, Aggregation: Geometric}, []float64{
			geo(-4, 31), geo(26, 1), geo(51, 16), geometricFloor}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ind := example()
			md, err := Fit(m, ind, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]float64, earlier.Rows)
			if err := md.IndexInto(earlier, dst); err != nil {
				t.Fatal(err)
			}
			res, err := md.Evaluate(earlier)
			if err != nil {
				t.Fatal(err)
			}
			for r, want := range tt.index {
				tol := 1e-12 * math.Max(1, want)
				if math.Abs(dst[r]-want) > tol || math.Abs(res.Index[r]-want) > tol {
					t.Errorf("area %c: IndexInto %.15g, Evaluate %.15g, want %.15g", 'A'+r, dst[r], res.Index[r], want)
				}
			}
			if res.Coverage[3] != 0.25 {
				t.Errorf("area D: coverage %v, want 0.25", res.Coverage[3])
			}
		})
	}
}
