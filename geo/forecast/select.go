package forecast

import "math"

// MinPeriods is the fewest scored periods on which Select lets a model that uses time
// replace a baseline.
const MinPeriods = 8

// Comparison is the candidate model against one baseline over the backtest's periods, on PAI
// at 5 % of the area, period by period (paired: both scored on the same weeks).
type Comparison struct {
	Baseline Model
	// Candidate and Baseline mean PAI at 5 %; Ratio = CandidatePAI / BaselinePAI (0 when the
	// baseline's is 0).
	CandidatePAI, BaselinePAI, Ratio float64
	// MeanDiff is the mean over periods of the candidate's PAI minus the baseline's, and SE
	// its standard error (the standard deviation of the differences / √periods).
	MeanDiff, SE float64
	// Wins, Losses and Ties count the periods by the sign of the difference.
	Wins, Losses, Ties int
	// Beaten is MeanDiff > 2·SE with at least MinPeriods periods: the candidate did better by
	// more than the week-to-week noise.
	Beaten bool
}

// Selection is which forecast to show and why.
type Selection struct {
	// Chosen is the model whose forecast to show: the candidate when it beat the best
	// baseline, else the best baseline.
	Chosen Model
	// Candidate is the model that uses time with the highest mean PAI at 5 % ("" when none
	// was run); BestBaseline the baseline with the highest (the first in Result.Models on a
	// tie).
	Candidate, BestBaseline Model
	// BeatsBaselines reports whether the candidate beat the best baseline (and so every
	// baseline on the mean) by more than the week-to-week noise.
	BeatsBaselines bool
	// Against compares the candidate with each baseline, in the order of Result.Models.
	Against []Comparison
	// Periods is the number of scored periods the decision rests on.
	Periods int
}

// Select picks the forecast to show from a backtest: the model with the highest mean PAI at
// 5 % of the area, provided it beats the best baseline by more than the week-to-week noise;
// otherwise the best baseline, and the Selection says so.
//
// The rule is a paired comparison over the scored periods: the candidate's PAI minus the best
// baseline's, period by period, must have a mean above twice its standard error (about a
// one-sided 2.5 % test when the periods are roughly independent, which non-overlapping
// periods scored against fresh data are), over at least MinPeriods periods. A baseline is
// the default because it is what a weekly hot-spot map already shows: a model that uses
// time has to earn its place.
func Select(res *Result) Selection {
	sel := Selection{Periods: len(res.Periods)}
	best := func(baseline bool) (Model, float64) {
		var m Model
		v := math.Inf(-1)
		for _, mr := range res.Models {
			if mr.Model.IsBaseline() == baseline {
				if p := mr.Summary[Share5Index].PAI.Mean; p > v || m == "" {
					m, v = mr.Model, p
				}
			}
		}
		return m, v
	}
	sel.Candidate, _ = best(false)
	sel.BestBaseline, _ = best(true)
	sel.Chosen = sel.BestBaseline
	if sel.Candidate == "" || sel.BestBaseline == "" {
		if sel.BestBaseline == "" {
			sel.Chosen = sel.Candidate
		}
		return sel
	}
	cand := res.Model(sel.Candidate)
	for _, mr := range res.Models {
		if !mr.Model.IsBaseline() {
			continue
		}
		cmp := Comparison{Baseline: mr.Model, CandidatePAI: cand.Summary[Share5Index].PAI.Mean,
			BaselinePAI: mr.Summary[Share5Index].PAI.Mean}
		cmp.Ratio = ratio(cmp.CandidatePAI, cmp.BaselinePAI)
		diffs := make([]float64, len(res.Periods))
		for p := range diffs {
			d := cand.Scores[p][Share5Index].PAI - mr.Scores[p][Share5Index].PAI
			diffs[p] = d
			switch {
			case d > 0:
				cmp.Wins++
			case d < 0:
				cmp.Losses++
			default:
				cmp.Ties++
			}
		}
		st := stat(diffs)
		cmp.MeanDiff, cmp.SE = st.Mean, st.SE
		cmp.Beaten = len(diffs) >= MinPeriods && st.Mean > 2*st.SE
		sel.Against = append(sel.Against, cmp)
		if mr.Model == sel.BestBaseline {
			sel.BeatsBaselines = cmp.Beaten
		}
	}
	if sel.BeatsBaselines {
		sel.Chosen = sel.Candidate
	}
	return sel
}

// Comparison returns the candidate's comparison with baseline b, and whether there is one.
func (s Selection) Comparison(b Model) (Comparison, bool) {
	for _, c := range s.Against {
		if c.Baseline == b {
			return c, true
		}
	}
	return Comparison{}, false
}
