package composite_test

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/composite"
	"github.com/lagesbild/lagesbild/geo/trend"
)

// National scale: Statistics Sweden's 6,160 DeSO-sized areas, 40 indicators, 10 years.
const (
	benchAreas      = 6160
	benchIndicators = 40
	benchYears      = 10
)

// cpuTime is the process's user + system CPU time: on a machine shared with other work,
// CPU time per operation is the fair one-core figure (wall time counts waiting for a core).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func benchData() ([]composite.Matrix, []composite.Indicator) {
	rng := rand.New(rand.NewPCG(2024, 1))
	ind := make([]composite.Indicator, benchIndicators)
	for j := range ind {
		ind[j] = composite.Indicator{Key: "x", Sign: float64(1 - 2*(j%2)), Weight: 0.5 + rng.Float64()}
	}
	level := make([]float64, benchAreas)
	for r := range level {
		level[r] = rng.NormFloat64()
	}
	years := make([]composite.Matrix, benchYears)
	for y := range years {
		m := composite.NewMatrix(benchAreas, benchIndicators)
		for r := 0; r < benchAreas; r++ {
			for j := 0; j < benchIndicators; j++ {
				if rng.Float64() < 0.02 {
					continue // 2 % missing
				}
				m.Set(r, j, 50+10*ind[j].Sign*level[r]+0.3*float64(y)+5*rng.NormFloat64())
			}
		}
		years[y] = m
	}
	return years, ind
}

// BenchmarkEvaluate is one full evaluation: fit the reference year, score it with
// contributions and ranks, score the nine earlier years with the same fit, and run the
// early-warning trend test (Theil–Sen + Mann–Kendall) on every area's ten-year series.
func BenchmarkEvaluate(b *testing.B) {
	years, ind := benchData()
	ref := years[benchYears-1]
	opt := composite.Options{Normalisation: composite.ZScore, Aggregation: composite.Arithmetic, Winsor: 0.02, MinCoverage: 0.7}
	series := make([][]float64, benchYears)
	for y := range series {
		series[y] = make([]float64, benchAreas)
	}
	ys := make([]float64, benchYears)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		md, res, err := composite.Evaluate(ref, ind, opt)
		if err != nil {
			b.Fatal(err)
		}
		for y := 0; y < benchYears-1; y++ {
			if err := md.IndexInto(years[y], series[y]); err != nil {
				b.Fatal(err)
			}
		}
		copy(series[benchYears-1], res.Index)
		flagged := 0
		for r := 0; r < benchAreas; r++ {
			for y := range ys {
				ys[y] = series[y][r]
			}
			w, err := trend.EarlyWarning(ys, 1, 0.1, 3)
			if err != nil {
				b.Fatal(err)
			}
			if w.Flag {
				flagged++
			}
		}
		_ = flagged
	}
	reportCPU(b, start)
}

// BenchmarkSensitivity is a 1,000-draw Monte Carlo analysis on the reference year, switching
// among all three normalisations and both aggregations.
func BenchmarkSensitivity(b *testing.B) {
	years, ind := benchData()
	ref := years[benchYears-1]
	opt := composite.Options{Normalisation: composite.ZScore, MinCoverage: 0.7}
	var methods []composite.Method
	for _, n := range []composite.Normalisation{composite.ZScore, composite.MinMax, composite.Rank} {
		for _, a := range []composite.Aggregation{composite.Arithmetic, composite.Geometric} {
			methods = append(methods, composite.Method{Normalisation: n, Aggregation: a})
		}
	}
	so := composite.SensitivityOptions{Draws: 1000, Seed: 1, Concentration: 50, Methods: methods, TopK: 10}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		s, err := composite.Analyse(ref, ind, opt, so)
		if err != nil {
			b.Fatal(err)
		}
		if math.IsNaN(s.MedianRank[0]) && math.IsNaN(s.MedianRank[1]) {
			b.Fatal("nothing ranked")
		}
	}
	reportCPU(b, start)
}

// BenchmarkIndexInto scores the nine earlier years with the reference year's fit (z-score,
// arithmetic, winsorised): the part of one full evaluation that reads the most values.
func BenchmarkIndexInto(b *testing.B) {
	years, ind := benchData()
	opt := composite.Options{Normalisation: composite.ZScore, Aggregation: composite.Arithmetic, Winsor: 0.02, MinCoverage: 0.7}
	md, err := composite.Fit(years[benchYears-1], ind, opt)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, benchAreas)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		for y := 0; y < benchYears-1; y++ {
			if err := md.IndexInto(years[y], dst); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, start)
}

// BenchmarkFit fits the reference year (winsorised z-scores).
func BenchmarkFit(b *testing.B) {
	years, ind := benchData()
	opt := composite.Options{Normalisation: composite.ZScore, Aggregation: composite.Arithmetic, Winsor: 0.02, MinCoverage: 0.7}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := composite.Fit(years[benchYears-1], ind, opt); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}
