package composite

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lagesbild/lagesbild/geo/internal/selection"
)

// The fast paths against straightforward references on random inputs: the winsor bounds
// (one bracketing pass) against sorting, Fit + Evaluate + IndexInto (column blocks, four rows
// at a time, radix ranks) against a textbook evaluation written for clarity.

// refBounds is R's type 7 quantiles p and 1 − p from a full sort.
func refBounds(vals []float64, p float64) (lo, hi float64) {
	s := slices.Sorted(slices.Values(vals))
	return selection.Quantile(s, p), selection.Quantile(s, 1-p)
}

// randomValues draws n values of one of several shapes: continuous, coarsely rounded (ties),
// few distinct values, sorted, reverse sorted, or adversarial for the sample (every value the
// sample sees is 0, the others ±1, so a bracket from the sample misses).
func randomValues(rng *rand.Rand, n int) []float64 {
	xs := make([]float64, n)
	kind := rng.IntN(6)
	for i := range xs {
		x := rng.NormFloat64() * 10
		switch kind {
		case 1:
			x = math.Round(x)
		case 2:
			x = float64(rng.IntN(3))
		case 5:
			x = float64(2*(i%2) - 1)
		}
		xs[i] = x
	}
	switch kind {
	case 3:
		slices.Sort(xs)
	case 4:
		slices.Sort(xs)
		slices.Reverse(xs)
	case 5:
		stride := n / winsorSample
		for i := 0; i < winsorSample && stride > 0; i++ {
			xs[i*stride+stride/2] = 0
		}
	}
	return xs
}

func TestWinsorBoundsMatchSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	var ws winsorScratch
	for trial := 0; trial < 3000; trial++ {
		n := 1 + rng.IntN(3000)
		if trial%3 == 0 {
			n = 1024 + rng.IntN(8000) // always the bracketing path
		}
		vals := randomValues(rng, n)
		p := []float64{0.01, 0.02, 0.05, 0.1, 0.25, 0.3, 0.49, rng.Float64() / 2}[rng.IntN(8)]
		orig := slices.Clone(vals)
		lo, hi := ws.bounds(vals, p)
		wlo, whi := refBounds(vals, p)
		if lo != wlo || hi != whi {
			t.Fatalf("n %d p %v: bounds %v, %v; sorting gives %v, %v", n, p, lo, hi, wlo, whi)
		}
		if !slices.Equal(vals, orig) {
			t.Fatalf("n %d p %v: bounds reordered the values", n, p)
		}
	}
}

// refFit is the textbook fit of one column: orient, sort, clip at the type 7 quantiles, then
// the statistics of the clipped values in row order.
type refColumn struct {
	sign, weight, lo, hi, a, b, shift float64
	sorted                            []float64
}

func refFit(m Matrix, ind []Indicator, opt Options) []refColumn {
	total := 0.0
	for _, in := range ind {
		total += in.Weight
	}
	cols := make([]refColumn, m.Cols)
	for j, in := range ind {
		c := refColumn{sign: in.Sign, weight: in.Weight / total, lo: math.Inf(-1), hi: math.Inf(1), shift: 1}
		var vals []float64
		for r := 0; r < m.Rows; r++ {
			if v := m.At(r, j); !math.IsNaN(v) {
				vals = append(vals, in.Sign*v)
			}
		}
		if len(vals) == 0 {
			cols[j] = c
			continue
		}
		if opt.Winsor > 0 {
			c.lo, c.hi = refBounds(vals, opt.Winsor)
			for i, v := range vals {
				vals[i] = min(max(v, c.lo), c.hi)
			}
		}
		lo, hi := slices.Min(vals), slices.Max(vals)
		switch opt.Normalisation {
		case ZScore:
			mean := 0.0
			for _, v := range vals {
				mean += v
			}
			mean /= float64(len(vals))
			ss := 0.0
			for _, v := range vals {
				ss += (v - mean) * (v - mean)
			}
			if sd := math.Sqrt(ss / float64(len(vals))); sd > 0 {
				c.a, c.b = 1/sd, -mean/sd
			}
			c.shift = 1 + math.Sqrt(float64(len(vals)-1))
		case MinMax:
			if hi > lo {
				c.a, c.b = 1/(hi-lo), -lo/(hi-lo)
			}
		case Raw:
			c.a, c.shift = 1, 1-lo
		case Rank:
			c.sorted = slices.Sorted(slices.Values(vals))
		}
		cols[j] = c
	}
	return cols
}

// refScore is a column's score of x: the percentile rank counted value by value, or a·o + b.
func (c refColumn) score(x float64) float64 {
	o := min(max(c.sign*x, c.lo), c.hi)
	if c.sorted == nil {
		return c.a*o + c.b
	}
	less, eq := 0, 0
	for _, v := range c.sorted {
		if v < o {
			less++
		} else if v == o {
			eq++
		}
	}
	return (float64(less) + float64(eq)/2 + 0.5) / float64(len(c.sorted))
}

// refIndex is every area's index: weighted mean of the scores (or of their logs) over the
// indicators it has.
func refIndex(cols []refColumn, m Matrix, opt Options) []float64 {
	out := make([]float64, m.Rows)
	for r := range out {
		sum, have := 0.0, 0.0
		for j, c := range cols {
			x := m.At(r, j)
			if math.IsNaN(x) || c.weight == 0 {
				continue
			}
			t := c.score(x)
			if opt.Aggregation == Geometric {
				t = math.Log(max(t+c.shift, geometricFloor))
			}
			sum += c.weight * t
			have += c.weight
		}
		switch {
		case have == 0:
			out[r] = math.NaN()
		case opt.Aggregation == Geometric:
			out[r] = math.Exp(sum / have)
		default:
			out[r] = sum / have
		}
	}
	return out
}

// refRanks ranks by a stable sort, highest first.
func refRanks(index, coverage []float64, minCov float64) []int {
	var order []int
	for r, v := range index {
		if !math.IsNaN(v) && coverage[r] >= minCov-coverageSlack {
			order = append(order, r)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case index[a] > index[b]:
			return -1
		case index[a] < index[b]:
			return 1
		}
		return 0
	})
	rank := make([]int, len(index))
	for i, r := range order {
		rank[r] = i + 1
	}
	return rank
}

func close12(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

func TestFastPathsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, opt := range allMethods() {
		if opt.Winsor != 0 {
			continue // the winsor levels are chosen below
		}
		for _, winsor := range []float64{0, 0.02, 0.25} {
			opt.Winsor, opt.MinCoverage = winsor, 0.7
			for trial := 0; trial < 12; trial++ {
				rows := 1 + rng.IntN(40)
				if trial%4 == 0 {
					rows = 1100 + rng.IntN(1500) // the bracketing winsor path
				}
				cols := 1 + rng.IntN(19) // across column blocks of 8
				ref, ind := randomCase(rng, rows, cols)
				other, _ := randomCase(rng, rows, cols)
				if trial%3 == 0 && cols > 1 {
					ind[rng.IntN(cols)].Weight = 0
				}
				md, res, err := Evaluate(ref, ind, opt)
				if err != nil {
					t.Fatal(err)
				}
				rc := refFit(ref, ind, opt)
				for j, c := range rc {
					got := md.cols[j]
					if got.lo != c.lo || got.hi != c.hi || got.a != c.a || got.b != c.b || got.shift != c.shift || !slices.Equal(got.sorted, c.sorted) {
						t.Fatalf("%v/%v winsor %v: column %d fitted %+v, reference %+v", opt.Normalisation, opt.Aggregation, winsor, j, got, c)
					}
				}
				want := refIndex(rc, ref, opt)
				for r := range want {
					if !close12(res.Index[r], want[r]) {
						t.Fatalf("%v/%v winsor %v: area %d index %v, reference %v", opt.Normalisation, opt.Aggregation, winsor, r, res.Index[r], want[r])
					}
				}
				if rk := refRanks(res.LogIndex, res.Coverage, opt.MinCoverage); !slices.Equal(res.Rank, rk) {
					t.Fatalf("%v/%v winsor %v: ranks %v, reference %v", opt.Normalisation, opt.Aggregation, winsor, res.Rank, rk)
				}
				// Another year scored with this fit, by IndexInto and by Evaluate.
				dst := make([]float64, rows)
				if err := md.IndexInto(other, dst); err != nil {
					t.Fatal(err)
				}
				ores, err := md.Evaluate(other)
				if err != nil {
					t.Fatal(err)
				}
				want = refIndex(rc, other, opt)
				for r := range want {
					if !close12(dst[r], want[r]) || !close12(ores.Index[r], want[r]) {
						t.Fatalf("%v/%v winsor %v: other year, area %d: IndexInto %v, Evaluate %v, reference %v",
							opt.Normalisation, opt.Aggregation, winsor, r, dst[r], ores.Index[r], want[r])
					}
				}
			}
		}
	}
}
