package trend

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refTheilSen is the textbook Theil–Sen fit: every pairwise slope, fully sorted.
func refTheilSen(ys []float64) TheilSen {
	var slopes []float64
	for k := range ys {
		for l := k + 1; l < len(ys); l++ {
			slopes = append(slopes, (ys[l]-ys[k])/float64(l-k))
		}
	}
	slope := refMedian(slopes)
	res := make([]float64, len(ys))
	for t, y := range ys {
		res[t] = y - slope*float64(t)
	}
	return TheilSen{Slope: slope, Intercept: refMedian(res)}
}

func refMedian(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// refMannKendall is the textbook test: S by pairs, tie groups counted in a map.
func refMannKendall(ys []float64) Result {
	n := float64(len(ys))
	s := 0.0
	for k := range ys {
		for l := k + 1; l < len(ys); l++ {
			if ys[l] > ys[k] {
				s++
			} else if ys[l] < ys[k] {
				s--
			}
		}
	}
	groups := map[float64]float64{}
	for _, y := range ys {
		groups[y]++
	}
	varS, n1 := n*(n-1)*(2*n+5), 0.0
	for _, t := range groups {
		varS -= t * (t - 1) * (2*t + 5)
		n1 += t * (t - 1) / 2
	}
	varS /= 18
	r := Result{S: s, VarS: varS, P: 1}
	if varS <= 0 {
		return r
	}
	if s > 0 {
		r.Z = (s - 1) / math.Sqrt(varS)
	} else if s < 0 {
		r.Z = (s + 1) / math.Sqrt(varS)
	}
	r.P = 2 * (1 - 0.5*math.Erfc(-math.Abs(r.Z)/math.Sqrt2))
	n0 := n * (n - 1) / 2
	r.Tau = s / math.Sqrt(n0*(n0-n1))
	return r
}

// randomSeries draws series of 2…40 values: continuous, coarsely rounded (many ties), or
// with long runs of one value, so both the short and the long paths meet ties.
func randomSeries(rng *rand.Rand) []float64 {
	n := 2 + rng.IntN(39)
	if rng.IntN(2) == 0 {
		n = 3 + rng.IntN(14) // mostly the short series the early warning sees
	}
	ys := make([]float64, n)
	kind := rng.IntN(3)
	for t := range ys {
		y := 0.3*float64(t)*rng.NormFloat64() + rng.NormFloat64()
		switch kind {
		case 1:
			y = math.Round(y)
		case 2:
			if rng.IntN(3) > 0 && t > 0 {
				y = ys[t-1]
			}
		}
		ys[t] = y
	}
	return ys
}

// The fast paths (branch-free selection, one-pass tie counts) agree with the textbook
// computations: slopes, S, VarS and tau bit for bit; p within 1e-12 (the reference takes
// it the long way round, 2·(1 − Φ(|Z|))).
func TestFastPathsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 20000; trial++ {
		ys := randomSeries(rng)
		ts, err := TheilSenFit(ys)
		if err != nil {
			t.Fatal(err)
		}
		if want := refTheilSen(ys); ts != want {
			t.Fatalf("TheilSenFit(%v) = %+v, reference %+v", ys, ts, want)
		}
		if len(ys) < 3 {
			continue
		}
		mk, err := MannKendall(ys)
		if err != nil {
			t.Fatal(err)
		}
		want := refMannKendall(ys)
		if mk.S != want.S || mk.VarS != want.VarS || mk.Z != want.Z || mk.Tau != want.Tau || math.Abs(mk.P-want.P) > 1e-12 {
			t.Fatalf("MannKendall(%v) = %+v, reference %+v", ys, mk, want)
		}
		w, err := EarlyWarning(ys, 1, 0.1, 3)
		if err != nil {
			t.Fatal(err)
		}
		if w.Slope != ts.Slope || w.P != mk.P || w.Tau != mk.Tau {
			t.Fatalf("EarlyWarning(%v) = %+v, apart from TheilSenFit %+v and MannKendall %+v", ys, w, ts, mk)
		}
	}
}

func BenchmarkEarlyWarning(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 12))
	series := make([][]float64, 1000)
	for i := range series {
		series[i] = make([]float64, 10)
		for t := range series[i] {
			series[i][t] = 0.1*float64(t) + rng.NormFloat64()
		}
	}
	for b.Loop() {
		for _, ys := range series {
			if _, err := EarlyWarning(ys, 1, 0.1, 3); err != nil {
				b.Fatal(err)
			}
		}
	}
}
