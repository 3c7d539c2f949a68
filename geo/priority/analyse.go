package priority

import (
	"errors"
	"math"
	"slices"

	"github.com/lagesbild/lagesbild/geo/composite"
	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/internal/selection"
	"github.com/lagesbild/lagesbild/geo/trend"
)

// Inputs are what the analysis reads: the areas, the catalogue, the indicator values of the
// years analysed, the feasibility inputs and, for the SCB preset, the area types.
type Inputs struct {
	Areas       []string // area codes, in row order
	Indicators  []Indicator
	Values      Values
	Feasibility []FeasibilityInput
	AreaTypes   []AreaType
	Reference   Reference // the area types' configured reference
}

// Options say what to analyse.
type Options struct {
	Need       Need // as ResolveNeed returns it
	Year       int  // the year ranked
	BaseYear   int  // the year the change is measured from
	TrendYears int  // years of the early-warning series, ending with Year
	K          int  // pilots to recommend, ≥ 1
	NeedShare  float64
	Include    []string // area codes that must be pilots
	Exclude    []string // area codes that must not
	// Sensitivity, when not nil, runs the Monte Carlo sensitivity analysis.
	Sensitivity *SensitivityOptions
}

// SensitivityOptions configure the sensitivity analysis (see composite.SensitivityOptions).
type SensitivityOptions struct {
	Draws         int
	Seed          uint64
	Concentration float64
	// SwitchMethods lets each draw pick one of the six normalisation and aggregation methods
	// (not for the raw normalisation, whose index has other units).
	SwitchMethods bool
}

// Result is the analysis of every area and the recommended pilots.
type Result struct {
	Need    Need      // what was evaluated: the indicators without a value in the year left out
	Weights []float64 // the effective weights of Need.Keys, adding up to 1
	Ranked  int       // areas ranked by need
	// Threshold is the index the early warning looks at: the lower edge of area type 2 with
	// the SCB preset, else the VulnerableQuantile of the year's index; NaN when neither exists.
	Threshold     float64
	ThresholdNote string
	TrendYears    []int
	// Reference of the area types (SCB preset only, else nil).
	Reference *ReferenceUsed
	// FeasibilityKeys are the feasibility inputs that entered the score; nil when none had
	// values (pilots are then chosen by need alone).
	FeasibilityKeys   []string
	NeedMedian        float64 // among the ranked areas
	FeasibilityMedian float64
	Sensitivity       *SensitivitySummary
	Areas             []Area  // in row order
	Pilots            []Pilot // by pilot score, best first
	Warnings          []string
}

// Area is the analysis of one area. NaN and 0 mean "none" for floats and ranks.
type Area struct {
	Index, LogIndex float64
	Rank            int
	Coverage        float64
	// Values, Scores and Contributions of Result.Need.Keys, in that order.
	Values, Scores, Contributions []float64
	BaseIndex, Change             float64
	BaseRank                      int
	Trend                         *Trend // nil with fewer than three values or no threshold
	EarlyWarning                  bool
	AreaType                      int // 1 … 5 with the SCB preset, else 0
	AreaTypeSD                    float64
	Feasibility                   float64
	FeasibilityRank               int
	// FeasibilityContributions and FeasibilityInputs of Result.FeasibilityKeys, in that order.
	FeasibilityContributions, FeasibilityInputs []float64
	Quadrant                                    string
	Sensitivity                                 *RankSpread // ranked areas, with a sensitivity analysis
	Pilot                                       bool
	PilotScore                                  float64
}

// Trend is an area's index series and its early-warning test.
type Trend struct {
	Years                    []int
	Series                   []float64
	Slope, P, Tau, Projected float64
	YearsToThreshold         float64
}

// RankSpread is an area's rank over the sensitivity draws.
type RankSpread struct{ MedianRank, P05, P95, PTopK float64 }

// SensitivitySummary says how the sensitivity analysis was run.
type SensitivitySummary struct {
	Draws         int
	Seed          uint64
	Concentration float64
	Methods       []composite.Method
	MethodDraws   []int
	TopK          int
}

// Analyse ranks in.Areas by need in opt.Year, measures the change since opt.BaseYear and the
// trend over opt.TrendYears, scores feasibility, classes area types for the SCB preset, runs
// the sensitivity analysis when asked, and recommends opt.K pilots with their explanations.
//
// Errors (*input.Error, naming the request's field): no chosen indicator with a value in the year
// ("year"); composite's for the need ("winsor", "min_coverage", …), the feasibility
// ("feasibility_weights") and the sensitivity analysis ("sensitivity.draws", …); the
// recommendation's ("include", "exclude", "k").
func Analyse(in Inputs, opt Options) (*Result, error) {
	n := len(in.Areas)
	need, dropped := DropEmpty(opt.Need, in.Values, n, opt.Year)
	if len(need.Keys) == 0 {
		return nil, input.Invalid("year", "no chosen indicator has a value in %d", opt.Year)
	}
	model, res, err := EvaluateNeed(need, in.Indicators, in.Values, n, opt.Year)
	if err != nil {
		return nil, err
	}
	out := &Result{Need: need, Weights: model.Weights(), Ranked: res.Ranked, Warnings: append([]string{}, dropped...),
		Areas: make([]Area, n)}
	cur := in.Values.matrix(n, opt.Year, need.Keys)
	for a := range out.Areas {
		r := &out.Areas[a]
		r.Index, r.LogIndex, r.Rank, r.Coverage = res.Index[a], res.LogIndex[a], res.Rank[a], res.Coverage[a]
		r.Values, r.Scores, r.Contributions = make([]float64, len(need.Keys)), make([]float64, len(need.Keys)), make([]float64, len(need.Keys))
		for j := range need.Keys {
			x := cur.At(a, j)
			r.Values[j], r.Scores[j], r.Contributions[j] = x, model.Score(j, x), res.Contrib[a*res.Cols+j]
		}
	}
	// Change against the base year, scored with this year's normalisation.
	base, err := model.Evaluate(in.Values.matrix(n, opt.BaseYear, need.Keys))
	if err != nil {
		return nil, err
	}
	for a := range out.Areas {
		r := &out.Areas[a]
		r.BaseIndex, r.Change, r.BaseRank = base.Index[a], res.Index[a]-base.Index[a], base.Rank[a]
	}
	out.Threshold, out.ThresholdNote = math.NaN(), ""
	if need.Preset == "scb" {
		out.Reference = classifyAreas(in.AreaTypes, in.Reference, res, out)
	}
	if math.IsNaN(out.Threshold) {
		var ranked []float64
		for a := range out.Areas {
			if res.Rank[a] > 0 {
				ranked = append(ranked, res.Index[a])
			}
		}
		slices.Sort(ranked)
		if len(ranked) > 0 {
			out.Threshold = selection.Quantile(ranked, VulnerableQuantile)
		}
		out.ThresholdNote = "80th percentile of this year's index: the most needy fifth"
	}
	if err := earlyWarning(in.Values, n, opt, model, out); err != nil {
		return nil, err
	}
	feas, err := feasibility(in, opt.Year, out)
	if err != nil {
		return nil, err
	}
	if opt.Sensitivity != nil {
		if err := sensitivity(in, opt, res, out); err != nil {
			return nil, err
		}
	}
	pilots, err := recommend(in.Areas, res, feas, opt, out)
	if err != nil {
		return nil, err
	}
	cat := catalogue(in.Indicators)
	names := feasibilityNames(in.Feasibility, cat)
	for i := range pilots {
		pilots[i].ExplanationSV, pilots[i].ExplanationEN = explain(pilots[i], out, opt.K, cat, names)
	}
	out.Pilots = pilots
	return out, nil
}

// earlyWarning scores the index of each of the trend years with this year's fit, so the
// series is comparable, and tests each area's series for a rise towards the threshold.
func earlyWarning(v Values, n int, opt Options, model *composite.Model, out *Result) error {
	out.TrendYears = make([]int, 0, opt.TrendYears)
	series := make([][]float64, 0, opt.TrendYears)
	for y := opt.Year - opt.TrendYears + 1; y <= opt.Year; y++ {
		vals := make([]float64, n)
		if err := model.IndexInto(v.matrix(n, y, out.Need.Keys), vals); err != nil {
			return err
		}
		out.TrendYears = append(out.TrendYears, y)
		series = append(series, vals)
	}
	ys := make([]float64, 0, opt.TrendYears)
	xs := make([]float64, 0, opt.TrendYears)
	for a := range out.Areas {
		ys, xs = ys[:0], xs[:0]
		tr := &Trend{Years: []int{}, Series: []float64{}}
		for t, y := range out.TrendYears {
			if v := series[t][a]; !math.IsNaN(v) {
				// A year without a value leaves a gap: the slope is per year, not per value.
				ys, xs = append(ys, v), append(xs, float64(y))
				tr.Years, tr.Series = append(tr.Years, y), append(tr.Series, v)
			}
		}
		if len(ys) < 3 || math.IsNaN(out.Threshold) {
			continue
		}
		w, err := trend.EarlyWarningAt(xs, ys, out.Threshold, EarlyWarningAlpha, EarlyWarningHorizon)
		if err != nil {
			return err
		}
		tr.Slope, tr.P, tr.Tau, tr.Projected, tr.YearsToThreshold = w.Slope, w.P, w.Tau, w.Projected, w.Periods
		out.Areas[a].Trend, out.Areas[a].EarlyWarning = tr, w.Flag
	}
	return nil
}

// sensitivity runs the Monte Carlo sensitivity analysis of the need index.
func sensitivity(in Inputs, opt Options, res *composite.Result, out *Result) error {
	so := composite.SensitivityOptions{Draws: opt.Sensitivity.Draws, Seed: opt.Sensitivity.Seed,
		Concentration: opt.Sensitivity.Concentration, TopK: opt.K}
	if opt.Sensitivity.SwitchMethods && out.Need.Options.Normalisation != composite.Raw {
		for _, nm := range []composite.Normalisation{composite.ZScore, composite.MinMax, composite.Rank} {
			for _, ag := range []composite.Aggregation{composite.Arithmetic, composite.Geometric} {
				so.Methods = append(so.Methods, composite.Method{Normalisation: nm, Aggregation: ag})
			}
		}
	}
	n := len(in.Areas)
	sens, err := composite.Analyse(in.Values.matrix(n, opt.Year, out.Need.Keys), out.Need.indicators(catalogue(in.Indicators)),
		out.Need.Options, so)
	if err != nil {
		var ce *input.Error
		if errors.As(err, &ce) {
			return input.Invalid("sensitivity."+ce.Field, "%s", ce.Reason)
		}
		return err
	}
	out.Sensitivity = &SensitivitySummary{Draws: so.Draws, Seed: so.Seed, Concentration: so.Concentration,
		Methods: so.Methods, MethodDraws: sens.MethodDraws, TopK: opt.K}
	for a := range out.Areas {
		if res.Rank[a] > 0 {
			out.Areas[a].Sensitivity = &RankSpread{MedianRank: sens.MedianRank[a], P05: sens.P05[a], P95: sens.P95[a], PTopK: sens.PTopK[a]}
		}
	}
	return nil
}
