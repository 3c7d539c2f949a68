// Package did follows up an intervention: it estimates the effect on a time series by
// difference in differences against comparison series, with a block bootstrap confidence
// interval, chooses the comparison series by the similarity of their pre-period level and
// trend, and (FollowUp) puts these together for an intervention's target area, its
// neighbours, places and indicators, with the caveats in Swedish and English.
//
// Assumptions: a series is one value per equal-length period (a rate per 1,000 residents
// per month, say), the same periods for every series, the first pre of them before the
// intervention and the rest after it (Periods lays them out in calendar months). Randomness
// comes only from the seed in Options, so an estimate is reproducible. No units are assumed;
// the effect is in the series' unit. Invalid input (lengths, NaN, too few periods, options out
// of range) is refused with a *input.Error naming it.
package did

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/internal/selection"
)

// Defaults of Options.
const (
	DefaultDraws = 2000
	DefaultLevel = 0.95
)

// Options tune the bootstrap. The zero value means the defaults.
type Options struct {
	// Draws is the number of bootstrap replicates (default 2,000).
	Draws int
	// Seed makes the bootstrap deterministic: the same seed, the same interval.
	Seed uint64
	// Level is the confidence level of the percentile interval (default 0.95).
	Level float64
	// Block is the block length of the circular block bootstrap in periods; 0 means
	// ceil(n^(1/3)) for a segment of n periods (the usual rate for the block length), so
	// month-to-month correlation within a few months survives resampling. 1 resamples
	// single periods.
	Block int
}

// Estimate is a difference-in-differences estimate.
type Estimate struct {
	// Effect is (post − pre) of the target minus (post − pre) of the comparison mean. A
	// negative effect means the target fell relative to the comparison.
	Effect float64
	// Lo and Hi bound the percentile bootstrap interval at Level.
	Lo, Hi float64
	Level  float64
	// SE is the standard deviation of the bootstrap replicates.
	SE float64
	// Means per phase: the target, and the comparison (mean of the comparison series).
	TargetPre, TargetPost, ComparisonPre, ComparisonPost float64
	// Pre and Post are the numbers of periods in each phase; Block the block length used in
	// each phase.
	Pre, Post, BlockPre, BlockPost, Draws int
}

// TargetChange is post − pre of the target.
func (e Estimate) TargetChange() float64 { return e.TargetPost - e.TargetPre }

// ComparisonChange is post − pre of the comparison mean.
func (e Estimate) ComparisonChange() float64 { return e.ComparisonPost - e.ComparisonPre }

// Gap returns the target minus the mean of the comparison series, period by period: the
// series whose change from pre to post the estimate is.
//
// Errors (*input.Error): no comparison, a comparison of another length than the target or
// with a NaN or infinite value ("comparisons"), a NaN or infinite target value ("target").
func Gap(target []float64, comparisons [][]float64) ([]float64, error) {
	if len(comparisons) == 0 {
		return nil, input.Invalid("comparisons", "no comparison series")
	}
	gap := make([]float64, len(target))
	for t, y := range target {
		if !finite(y) {
			return nil, input.Invalid("target", "value %d is %v", t, y)
		}
		gap[t] = y
	}
	for c, s := range comparisons {
		if len(s) != len(target) {
			return nil, input.Invalid("comparisons", "comparison %d has %d periods, the target %d", c, len(s), len(target))
		}
		for t, y := range s {
			if !finite(y) {
				return nil, input.Invalid("comparisons", "comparison %d value %d is %v", c, t, y)
			}
			gap[t] -= y / float64(len(comparisons))
		}
	}
	return gap, nil
}

// DiD estimates the effect on target against the mean of comparisons, the first pre periods
// being before the intervention.
//
// The interval is a percentile bootstrap of the gap series (target minus comparison mean):
// periods are resampled in circular blocks within the pre segment and within the post
// segment separately, so every replicate keeps the number of periods of each phase, and the
// target and the comparison are resampled together (the same periods), so shocks common to
// both (season, a city-wide event) cancel as they do in the estimate.
//
// Errors (*input.Error): fewer than 2 periods before ("pre") or after ("post") the start,
// options out of range ("draws", "level", "block"), and the errors of Gap.
func DiD(target []float64, comparisons [][]float64, pre int, opt Options) (Estimate, error) {
	if opt.Draws == 0 {
		opt.Draws = DefaultDraws
	}
	if opt.Level == 0 {
		opt.Level = DefaultLevel
	}
	switch {
	case opt.Draws < 10:
		return Estimate{}, input.Invalid("draws", "%d; at least 10", opt.Draws)
	case !(opt.Level > 0 && opt.Level < 1):
		return Estimate{}, input.Invalid("level", "%v is outside (0, 1)", opt.Level)
	case opt.Block < 0:
		return Estimate{}, input.Invalid("block", "%d is negative", opt.Block)
	case pre < 2:
		return Estimate{}, input.Invalid("pre", "%d periods before the start; at least 2", pre)
	case len(target)-pre < 2:
		return Estimate{}, input.Invalid("post", "%d periods from the start; at least 2", len(target)-pre)
	}
	gap, err := Gap(target, comparisons)
	if err != nil {
		return Estimate{}, err
	}
	post := len(target) - pre
	e := Estimate{Level: opt.Level, Pre: pre, Post: post, Draws: opt.Draws,
		BlockPre: blockLen(opt.Block, pre), BlockPost: blockLen(opt.Block, post)}
	for t, y := range target {
		cm := y - gap[t]
		if t < pre {
			e.TargetPre += y / float64(pre)
			e.ComparisonPre += cm / float64(pre)
		} else {
			e.TargetPost += y / float64(post)
			e.ComparisonPost += cm / float64(post)
		}
	}
	e.Effect = mean(gap[pre:]) - mean(gap[:pre])

	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	reps := make([]float64, opt.Draws)
	for d := range reps {
		reps[d] = blockMean(rng, gap[pre:], e.BlockPost) - blockMean(rng, gap[:pre], e.BlockPre)
	}
	slices.Sort(reps)
	alpha := (1 - opt.Level) / 2
	e.Lo, e.Hi = selection.Quantile(reps, alpha), selection.Quantile(reps, 1-alpha)
	m := mean(reps)
	ss := 0.0
	for _, r := range reps {
		ss += (r - m) * (r - m)
	}
	e.SE = math.Sqrt(ss / float64(len(reps)-1))
	return e, nil
}

func blockLen(opt, n int) int {
	if opt > 0 {
		return min(opt, n)
	}
	return max(1, min(n, int(math.Ceil(math.Cbrt(float64(n))-1e-9))))
}

// blockMean is the mean of one circular block bootstrap resample of x: blocks of length b
// starting at uniform positions, wrapping at the end, until len(x) values are drawn.
func blockMean(rng *rand.Rand, x []float64, b int) float64 {
	n := len(x)
	sum, drawn := 0.0, 0
	for drawn < n {
		start := rng.IntN(n)
		for k := 0; k < b && drawn < n; k++ {
			sum += x[(start+k)%n]
			drawn++
		}
	}
	return sum / float64(n)
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Candidate is a series that may serve as a comparison: its pre-period values.
type Candidate struct {
	ID  string
	Pre []float64
}

// Match is a candidate with its distance from the target.
type Match struct {
	ID string
	// Distance is LevelZ² + SlopeZ²: the squared standardised differences of level and slope.
	Distance float64
	// Level and Slope are the candidate's pre-period mean and least-squares slope per period.
	Level, Slope float64
	// LevelZ and SlopeZ are the candidate's differences from the target divided by the
	// standard deviation of that feature over the target and all candidates.
	LevelZ, SlopeZ float64
}

// Features returns the level (mean) and the least-squares slope per period of a series.
func Features(pre []float64) (level, slope float64) {
	n := float64(len(pre))
	level = mean(pre)
	tm := (n - 1) / 2
	num, den := 0.0, 0.0
	for t, y := range pre {
		d := float64(t) - tm
		num += d * (y - level)
		den += d * d
	}
	if den > 0 {
		slope = num / den
	}
	return level, slope
}

// Rank orders the candidates by how similar their pre-period series is to the target's, most
// similar first (ties by ID).
//
// Similarity is measured on two features of each pre-period series: its level (mean) and
// its trend (least-squares slope per period). Each feature is standardised by its standard
// deviation over the target and all candidates (so a unit of level and a unit of slope weigh
// alike, whatever the series' unit), and the distance is the sum of the squared
// standardised differences from the target. Level matters because a rate far from the
// target's tends to move on another scale; slope because difference in differences assumes
// the comparison would have followed the target's trend (parallel trends).
//
// Errors (*input.Error): a target of fewer than 2 periods or with a NaN or infinite value
// ("target"), a candidate of another length or with a NaN or infinite value ("candidates").
func Rank(target []float64, cands []Candidate) ([]Match, error) {
	if len(target) < 2 {
		return nil, input.Invalid("target", "%d pre periods; at least 2", len(target))
	}
	all := append([][]float64{target}, make([][]float64, len(cands))...)
	for k, c := range cands {
		if len(c.Pre) != len(target) {
			return nil, input.Invalid("candidates", "candidate %s has %d pre periods, the target %d", c.ID, len(c.Pre), len(target))
		}
		all[k+1] = c.Pre
	}
	levels, slopes := make([]float64, len(all)), make([]float64, len(all))
	for k, s := range all {
		for t, y := range s {
			if !finite(y) && k == 0 {
				return nil, input.Invalid("target", "value %d is %v", t, y)
			}
			if !finite(y) {
				return nil, input.Invalid("candidates", "candidate %s value %d is %v", cands[k-1].ID, t, y)
			}
		}
		levels[k], slopes[k] = Features(s)
	}
	sdL, sdS := sd(levels), sd(slopes)
	out := make([]Match, len(cands))
	for k, c := range cands {
		m := Match{ID: c.ID, Level: levels[k+1], Slope: slopes[k+1],
			LevelZ: (levels[k+1] - levels[0]) / sdL, SlopeZ: (slopes[k+1] - slopes[0]) / sdS}
		m.Distance = m.LevelZ*m.LevelZ + m.SlopeZ*m.SlopeZ
		out[k] = m
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Select returns the k most similar candidates by Rank (all of them when there are fewer).
//
// Errors (*input.Error): k below 1 ("k"), and the errors of Rank.
func Select(target []float64, cands []Candidate, k int) ([]Match, error) {
	if k < 1 {
		return nil, input.Invalid("k", "%d is below 1", k)
	}
	r, err := Rank(target, cands)
	if err != nil {
		return nil, err
	}
	return r[:min(k, len(r))], nil
}

// sd is the population standard deviation, or 1 when it is zero (every series alike in
// that feature: the feature then separates nothing, and dividing by 1 keeps it at zero).
func sd(x []float64) float64 {
	m := mean(x)
	ss := 0.0
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	s := math.Sqrt(ss / float64(len(x)))
	if s == 0 {
		return 1
	}
	return s
}
