package composite

import (
	"math"
	"math/rand/v2"

	"github.com/lagesbild/lagesbild/geo/input"
)

// Method is one choice of normalisation and aggregation.
type Method struct {
	Normalisation Normalisation
	Aggregation   Aggregation
}

// SensitivityOptions configure a Monte Carlo sensitivity analysis.
type SensitivityOptions struct {
	Draws int    // number of draws, 1 … 100,000
	Seed  uint64 // the same seed gives the same answer
	// Concentration α of the Dirichlet distribution the weights are drawn from: draw d has
	// weights ~ Dirichlet(α·w), with w the chosen weights normalised to add up to 1, so each
	// weight keeps its mean w_j and has variance w_j(1 − w_j)/(α + 1). α = 50 (the default
	// the web layer uses) moves a weight of 0.2 by a standard deviation of 0.056, about a
	// quarter of itself. Must be positive.
	Concentration float64
	// Methods to switch between: each draw picks one uniformly. Empty: only the method of the
	// base options.
	Methods []Method
	// TopK: the report gives each area's probability of a rank ≤ TopK.
	TopK int
}

// Sensitivity is the distribution of each area's rank over the draws. Only the areas ranked
// in the base evaluation take part (the ranked set is held fixed so every draw ranks the same
// areas); the others have NaN everywhere.
type Sensitivity struct {
	Draws      int
	MedianRank []float64 // per row; type 7 quantiles of the drawn ranks
	P05, P95   []float64
	PTopK      []float64 // share of draws with rank ≤ TopK
	// MethodDraws counts the draws of each method, in the order of Options.Methods.
	MethodDraws []int
}

// Analyse runs the Monte Carlo sensitivity analysis of the composite (m, ind, opt): draws
// perturb the weights (Dirichlet around them) and, when so asked, switch the normalisation
// and aggregation; the areas ranked by the base evaluation are re-ranked in every draw.
// Randomness is a PCG generator seeded with so.Seed, so the answer is deterministic.
//
// Errors (*input.Error): those of Fit for the base and for every method; Draws outside
// [1, 100000] ("draws"); Concentration not positive and finite ("concentration"); TopK < 1
// ("k").
func Analyse(m Matrix, ind []Indicator, opt Options, so SensitivityOptions) (*Sensitivity, error) {
	switch {
	case so.Draws < 1 || so.Draws > 100000:
		return nil, input.Invalid("draws", "%d is outside [1, 100000]", so.Draws)
	case !(so.Concentration > 0) || math.IsInf(so.Concentration, 0):
		return nil, input.Invalid("concentration", "%v is not positive", so.Concentration)
	case so.TopK < 1:
		return nil, input.Invalid("k", "%d is below 1", so.TopK)
	}
	base, err := Fit(m, ind, opt)
	if err != nil {
		return nil, err
	}
	baseRes, err := base.Evaluate(m)
	if err != nil {
		return nil, err
	}
	methods := so.Methods
	if len(methods) == 0 {
		methods = []Method{{opt.Normalisation, opt.Aggregation}}
	}
	rows := make([]int, 0, baseRes.Ranked)
	for r, rk := range baseRes.Rank {
		if rk > 0 {
			rows = append(rows, r)
		}
	}
	nr, k := len(rows), m.Cols
	// complete[i]: area rows[i] has every weighted value, so its weights add up to 1 in every
	// draw and the sum needs no re-weighting.
	complete := make([]bool, nr)
	// terms[mi][i*k+j]: area rows[i]'s term for indicator j under method mi; 0 where missing
	// (avail holds 1 where present, only looked at for incomplete rows).
	avail := make([]float64, nr*k)
	for i, r := range rows {
		complete[i] = true
		for j := 0; j < k; j++ {
			if !math.IsNaN(m.Data[r*k+j]) {
				avail[i*k+j] = 1
			} else if base.cols[j].weight > 0 {
				complete[i] = false
			}
		}
	}
	terms := make([][]float64, len(methods))
	for mi, me := range methods {
		o := opt
		o.Normalisation, o.Aggregation = me.Normalisation, me.Aggregation
		md, err := Fit(m, ind, o)
		if err != nil {
			return nil, err
		}
		t := make([]float64, nr*k)
		for i, r := range rows {
			for j := 0; j < k; j++ {
				if x := m.Data[r*k+j]; !math.IsNaN(x) && md.cols[j].weight > 0 {
					t[i*k+j] = md.value(j, x)
				}
			}
		}
		terms[mi] = t
	}
	alpha := base.Weights()
	for j := range alpha {
		alpha[j] *= so.Concentration
	}
	rng := rand.New(rand.NewPCG(so.Seed, so.Seed^0x9e3779b97f4a7c15))
	w := make([]float64, k)
	key := make([]float64, nr)
	ranks := make([]int32, so.Draws*nr) // ranks[i*Draws+d]: one area's draws together
	dr := make([]int32, nr)
	var scratch radixScratch
	out := &Sensitivity{Draws: so.Draws, MethodDraws: make([]int, len(methods))}
	for d := 0; d < so.Draws; d++ {
		Dirichlet(rng, alpha, w)
		mi := 0
		if len(methods) > 1 {
			mi = rng.IntN(len(methods))
		}
		out.MethodDraws[mi]++
		t := terms[mi]
		for i := 0; i < nr; i++ {
			row := t[i*k : (i+1)*k : (i+1)*k]
			sum := 0.0
			for j, v := range row {
				sum += w[j] * v
			}
			if !complete[i] {
				have := 0.0
				for j, a := range avail[i*k : (i+1)*k] {
					have += w[j] * a
				}
				sum = sum / have // for Geometric the log index: the same order
				if !(have > 0) {
					sum = math.Inf(-1)
				}
			}
			key[i] = sum
		}
		rankRadix(key, dr, &scratch)
		for i, rk := range dr {
			ranks[i*so.Draws+d] = rk
		}
	}
	n := m.Rows
	out.MedianRank, out.P05, out.P95, out.PTopK = nanSlice(n), nanSlice(n), nanSlice(n), nanSlice(n)
	for i, r := range rows {
		col := ranks[i*so.Draws : (i+1)*so.Draws]
		top := 0
		for _, rk := range col {
			if int(rk) <= so.TopK {
				top++
			}
		}
		out.MedianRank[r] = quantileUnsorted(col, 0.5, i32)
		out.P05[r] = quantileUnsorted(col, 0.05, i32)
		out.P95[r] = quantileUnsorted(col, 0.95, i32)
		out.PTopK[r] = float64(top) / float64(so.Draws)
	}
	return out, nil
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// Gamma draws from the Gamma(shape, 1) distribution with Marsaglia and Tsang's method (ACM
// TOMS 26(3), 2000): a squeeze-accepted transform of a normal variate for shape ≥ 1, and for
// shape < 1 their boost Gamma(a) = Gamma(a + 1)·U^(1/a). math/rand/v2 has no Gamma. shape must
// be positive.
func Gamma(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		u := rng.Float64()
		return Gamma(rng, shape+1) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		x2 := x * x
		if u < 1-0.0331*x2*x2 || math.Log(u) < 0.5*x2+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// Dirichlet draws from Dirichlet(alpha) into dst (same length) as normalised Gamma variates;
// a zero alpha gives a zero component (an indicator left out stays out).
func Dirichlet(rng *rand.Rand, alpha, dst []float64) {
	sum := 0.0
	for j, a := range alpha {
		dst[j] = 0
		if a > 0 {
			dst[j] = Gamma(rng, a)
			sum += dst[j]
		}
	}
	if sum == 0 { // every variate underflowed (tiny shapes): fall back to the means
		for j, a := range alpha {
			dst[j] = a
			sum += a
		}
	}
	for j := range dst {
		dst[j] /= sum
	}
}
