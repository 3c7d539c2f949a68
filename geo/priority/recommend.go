package priority

import (
	"math"
	"slices"

	"github.com/lagesbild/lagesbild/geo/composite"
	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/internal/selection"
)

// The quadrants of the need × feasibility matrix, split at the medians of the ranked areas.
const (
	HighNeedGoodConditions  = "high_need_good_conditions"
	HighNeedWeakConditions  = "high_need_weak_conditions"
	LowerNeedGoodConditions = "lower_need_good_conditions"
	LowerNeedWeakConditions = "lower_need_weak_conditions"
	NotRanked               = "not_ranked"
)

// Quadrants are the quadrants of a ranked area, in the order they are shown.
func Quadrants() []string {
	return []string{HighNeedGoodConditions, HighNeedWeakConditions, LowerNeedGoodConditions, LowerNeedWeakConditions}
}

// Pilot is one recommended area.
type Pilot struct {
	Area            int // row of Inputs.Areas
	Score           float64
	NeedRank        int
	FeasibilityRank int // 0: conditions unknown
	Included        bool
	ExplanationSV   string
	ExplanationEN   string
}

// recommend picks opt.K pilots: the included areas first, then by need percentile^s ×
// feasibility percentile^(1−s) (s = opt.NeedShare) among the ranked areas, ties by need rank.
// It sets each ranked area's pilot score and quadrant.
func recommend(areas []string, res *composite.Result, feas []float64, opt Options, out *Result) ([]Pilot, error) {
	idx := map[string]int{}
	for a, code := range areas {
		idx[code] = a
	}
	if err := checkSelection(idx, res, opt); err != nil {
		return nil, err
	}
	// Percentiles among the ranked areas: the highest need (or feasibility) scores 1.
	var eligible []int
	available := 0
	for a := range areas {
		if res.Rank[a] > 0 {
			eligible = append(eligible, a)
			if !slices.Contains(opt.Exclude, areas[a]) {
				available++
			}
		}
	}
	if opt.K > available {
		return nil, input.Invalid("k", "%d pilots asked but only %d areas are ranked and not excluded", opt.K, available)
	}
	out.NeedMedian, out.FeasibilityMedian = medianOf(eligible, res.Index), medianOf(eligible, feas)
	fpct := feasibilityPercentiles(eligible, feas)
	score := map[int]float64{}
	for a := range out.Areas {
		out.Areas[a].PilotScore, out.Areas[a].Quadrant = math.NaN(), NotRanked
	}
	for _, a := range eligible {
		npct := float64(res.Ranked-res.Rank[a]+1) / float64(res.Ranked)
		score[a] = math.Pow(npct, opt.NeedShare) * math.Pow(fpct[a], 1-opt.NeedShare)
		out.Areas[a].PilotScore = score[a]
		out.Areas[a].Quadrant = quadrant(res.Index[a] >= out.NeedMedian, !math.IsNaN(feas[a]) && feas[a] >= out.FeasibilityMedian)
	}
	order := slices.Clone(eligible)
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return res.Rank[a] - res.Rank[b]
	})
	var pilots []Pilot
	chosen := map[int]bool{}
	add := func(a int, included bool) {
		chosen[a] = true
		out.Areas[a].Pilot = true
		pilots = append(pilots, Pilot{Area: a, Score: score[a], NeedRank: res.Rank[a], FeasibilityRank: out.Areas[a].FeasibilityRank, Included: included})
	}
	for _, code := range opt.Include {
		if !chosen[idx[code]] {
			add(idx[code], true)
		}
	}
	for _, a := range order {
		if len(pilots) >= opt.K {
			break
		}
		if !chosen[a] && !slices.Contains(opt.Exclude, areas[a]) {
			add(a, false)
		}
	}
	slices.SortStableFunc(pilots, func(x, y Pilot) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return x.NeedRank - y.NeedRank
	})
	return pilots, nil
}

// checkSelection refuses include and exclude lists naming unknown areas, an area in both,
// an included area that is not ranked, and more included areas than pilots.
func checkSelection(idx map[string]int, res *composite.Result, opt Options) error {
	for _, code := range append(slices.Clone(opt.Include), opt.Exclude...) {
		if _, ok := idx[code]; !ok {
			field := "include"
			if slices.Contains(opt.Exclude, code) {
				field = "exclude"
			}
			return input.Invalid(field, "unknown area %q", code)
		}
	}
	for _, code := range opt.Include {
		if slices.Contains(opt.Exclude, code) {
			return input.Invalid("include", "%q is both included and excluded", code)
		}
		if res.Rank[idx[code]] == 0 {
			return input.Invalid("include", "%q is not ranked (coverage below the threshold)", code)
		}
	}
	if len(opt.Include) > opt.K {
		return input.Invalid("include", "%d areas included but k is %d", len(opt.Include), opt.K)
	}
	return nil
}

// feasibilityPercentiles ranks the eligible areas by feasibility, best first, as
// percentiles: the best scores 1; an area of unknown conditions counts as if last.
func feasibilityPercentiles(eligible []int, feas []float64) map[int]float64 {
	order := slices.Clone(eligible)
	slices.SortStableFunc(order, func(a, b int) int {
		fa, fb := feas[a], feas[b]
		switch {
		case math.IsNaN(fa) && math.IsNaN(fb):
			return 0
		case math.IsNaN(fa):
			return 1
		case math.IsNaN(fb):
			return -1
		case fa > fb:
			return -1
		case fa < fb:
			return 1
		}
		return 0
	})
	pct := map[int]float64{}
	for pos, a := range order {
		pct[a] = float64(len(order)-pos) / float64(len(order))
		if math.IsNaN(feas[a]) {
			pct[a] = 0.5 / float64(len(order))
		}
	}
	return pct
}

// quadrant names the quadrant of an area of high (or lower) need and good (or weak) conditions.
func quadrant(highNeed, goodConditions bool) string {
	switch {
	case highNeed && goodConditions:
		return HighNeedGoodConditions
	case highNeed:
		return HighNeedWeakConditions
	case goodConditions:
		return LowerNeedGoodConditions
	}
	return LowerNeedWeakConditions
}

// medianOf is the median of x over rows, ignoring NaN; NaN when nothing is left.
func medianOf(rows []int, x []float64) float64 {
	var v []float64
	for _, a := range rows {
		if !math.IsNaN(x[a]) {
			v = append(v, x[a])
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	return selection.Quantile(v, 0.5)
}
