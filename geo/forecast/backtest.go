package forecast

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/lagesbild/lagesbild/geo/input"
)

// The shares of the area at which forecasts are scored: 1, 5 and 10 %. AreaShares returns
// them in this order; Score and Summary arrays follow it.
const (
	Share1  = 0.01
	Share5  = 0.05
	Share10 = 0.10
	// NShares is the number of shares scored.
	NShares = 3
	// Share5Index is the index of the 5 % share in score arrays: the share Select decides by.
	Share5Index = 1
)

// AreaShares returns the shares of the area that are scored, smallest first.
func AreaShares() [NShares]float64 { return [NShares]float64{Share1, Share5, Share10} }

// CellsFor is the number of cells that make up share of a study area of n cells: share·n
// rounded to the nearest whole cell, at least 1 and at most n.
func CellsFor(n int, share float64) int {
	return min(n, max(1, int(math.Round(share*float64(n)))))
}

// Defaults of BacktestOptions.
const (
	DefaultBacktestWeeks = 52
	// MinTrainingWeeks is the fewest weeks any backtest fit sees.
	MinTrainingWeeks = 2 * RecentWeeks
)

// BacktestOptions set up a backtest. The zero value means a weekly horizon, the last 52 weeks
// and every model.
type BacktestOptions struct {
	Horizon Horizon
	// Weeks is how many of the most recent weeks are scored: Weeks / Horizon periods, each
	// forecast from the weeks before it (0 means DefaultBacktestWeeks).
	Weeks int
	// Models to run (nil means Models()).
	Models []Model
}

// Stat summarises a metric over the scored periods.
type Stat struct {
	N    int
	Mean float64
	// SD is the sample standard deviation over the periods; SE = SD/√N, the standard error
	// of the mean. Both are 0 with fewer than two periods.
	SD, SE   float64
	Min, Max float64
}

func stat(x []float64) Stat {
	s := Stat{N: len(x)}
	if len(x) == 0 {
		return s
	}
	s.Min, s.Max = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		s.Mean += v
		s.Min, s.Max = min(s.Min, v), max(s.Max, v)
	}
	s.Mean /= float64(len(x))
	if len(x) > 1 {
		ss := 0.0
		for _, v := range x {
			ss += (v - s.Mean) * (v - s.Mean)
		}
		s.SD = math.Sqrt(ss / float64(len(x)-1))
		s.SE = s.SD / math.Sqrt(float64(len(x)))
	}
	return s
}

// Score is how a forecast did in one period at one share of the area.
type Score struct {
	// Cells is the number of top-ranked cells (CellsFor the share).
	Cells int
	// Hits is the weight that fell in those cells; Best the most any Cells cells caught
	// (the period's Cells heaviest cells).
	Hits, Best float64
	// HitRate = Hits / the period's total; PAI = HitRate / (Cells / cells of the grid);
	// PEI = Hits / Best.
	HitRate, PAI, PEI float64
}

// Summary is a metric's mean and spread over the periods, at one share of the area.
type Summary struct {
	Share             float64
	Cells             int
	HitRate, PAI, PEI Stat
}

// Period is one scored period of the backtest: weeks [Week, Week + horizon) of the Counts.
type Period struct {
	Week     int
	From, To time.Time
	// Total is the weight observed in the period.
	Total float64
}

// ModelResult is one model's backtest and its forecast from the origin.
type ModelResult struct {
	Model Model
	// Scores[p] are the scores in Result.Periods[p], one per share of AreaShares.
	Scores  [][NShares]Score
	Summary [NShares]Summary
	// Forecast is the model fitted on the whole window and forecast from the origin.
	Forecast *Forecast
	// Fit is the self-exciting model's fit at the origin; nil for the baselines.
	Fit *Fit
}

// Result is a backtest.
type Result struct {
	Horizon Horizon
	Cells   int
	// Periods are the scored periods, oldest first. Periods with no observations have no hit
	// rate and are left out; Empty counts them.
	Periods []Period
	Empty   int
	Models  []ModelResult
}

// Model returns the result of model m, or nil when it was not run.
func (r *Result) Model(m Model) *ModelResult {
	for k := range r.Models {
		if r.Models[k].Model == m {
			return &r.Models[k]
		}
	}
	return nil
}

// Backtest scores each model by a rolling origin over the last opt.Weeks weeks of c: the
// weeks are cut into periods of the horizon, and for each period every model is fitted on
// the weeks before it only and its forecast scored against the period (hit rate, PAI and PEI
// at 1, 5 and 10 % of the area, cells ranked by forecast with ties going to the lower cell
// index). Then each model is fitted on the whole window and forecast from the origin.
//
// Errors (*input.Error): a nil c ("counts"), a horizon other than Weekly or Monthly
// ("horizon"), an unknown model ("models"), or weeks fewer than one horizon or leaving fewer
// than MinTrainingWeeks before the first period ("backtest").
func Backtest(c *Counts, opt BacktestOptions) (*Result, error) {
	if c == nil {
		return nil, input.Invalid("counts", "no counts")
	}
	if opt.Horizon == 0 {
		opt.Horizon = Weekly
	}
	if opt.Horizon != Weekly && opt.Horizon != Monthly {
		return nil, input.Invalid("horizon", "%d weeks; %d or %d", opt.Horizon, Weekly, Monthly)
	}
	if opt.Weeks == 0 {
		opt.Weeks = DefaultBacktestWeeks
	}
	h := int(opt.Horizon)
	periods := opt.Weeks / h
	if periods < 1 || c.weeks-periods*h < MinTrainingWeeks {
		return nil, input.Invalid("backtest", "%d weeks with a %s horizon in a window of %d weeks; at least %d and at most %d",
			opt.Weeks, opt.Horizon, c.weeks, h, (c.weeks-MinTrainingWeeks)/h*h)
	}
	if opt.Models == nil {
		opt.Models = Models()
	}
	n := c.grid.Len()
	res := &Result{Horizon: opt.Horizon, Cells: n, Models: make([]ModelResult, len(opt.Models))}
	preds := make([]predictor, len(opt.Models))
	for k, m := range opt.Models {
		if !m.valid() {
			return nil, input.Invalid("models", "unknown model %q", m)
		}
		preds[k] = newPredictor(m, c)
		res.Models[k].Model = m
	}

	var ks [NShares]int
	for s, share := range AreaShares() {
		ks[s] = CellsFor(n, share)
	}
	kmax := ks[NShares-1]
	y := make([]float64, n)
	best := make([]float64, n)
	f := make([]float64, n)
	order := make([]int32, n)
	for p := range periods {
		o := c.weeks - (periods-p)*h
		total := 0.0
		for t := o; t < o+h; t++ {
			total += c.total[t]
		}
		for cell := range y {
			s := 0.0
			for _, v := range c.series(cell)[o : o+h] {
				s += v
			}
			y[cell] = s
		}
		if !(total > 0) {
			res.Empty++
			continue
		}
		res.Periods = append(res.Periods, Period{Week: o, From: c.WeekStart(o), To: c.WeekStart(o + h), Total: total})
		copy(best, y)
		slices.SortFunc(best, func(a, b float64) int { return cmp.Compare(b, a) })
		var bestAt [NShares]float64
		for s, k := range ks {
			for _, v := range best[:k] {
				bestAt[s] += v
			}
		}
		for k, pr := range preds {
			pr.predict(o, h, f)
			rankTop(f, order, kmax)
			var sc [NShares]Score
			for s, kc := range ks {
				hits := 0.0
				for _, cell := range order[:kc] {
					hits += y[cell]
				}
				rate := hits / total
				sc[s] = Score{Cells: kc, Hits: hits, Best: bestAt[s], HitRate: rate,
					PAI: rate / (float64(kc) / float64(n)), PEI: ratio(hits, bestAt[s])}
			}
			res.Models[k].Scores = append(res.Models[k].Scores, sc)
		}
	}
	for k := range res.Models {
		mr := &res.Models[k]
		for s, share := range AreaShares() {
			var hr, pai, pei []float64
			for _, sc := range mr.Scores {
				hr, pai, pei = append(hr, sc[s].HitRate), append(pai, sc[s].PAI), append(pei, sc[s].PEI)
			}
			mr.Summary[s] = Summary{Share: share, Cells: ks[s], HitRate: stat(hr), PAI: stat(pai), PEI: stat(pei)}
		}
		mr.Forecast = forecastFrom(preds[k], mr.Model, c, opt.Horizon)
		if se, ok := preds[k].(*selfExciting); ok {
			fit := se.fit
			mr.Fit = &fit
		}
	}
	return res, nil
}

// Predict fits model m on the whole window of c and forecasts the horizon from the origin.
// The fit is nil for the baselines.
//
// Errors (*input.Error): a nil c ("counts"), an unknown model ("models") or a horizon other
// than Weekly or Monthly ("horizon").
func Predict(c *Counts, m Model, h Horizon) (*Forecast, *Fit, error) {
	if c == nil {
		return nil, nil, input.Invalid("counts", "no counts")
	}
	if !m.valid() {
		return nil, nil, input.Invalid("models", "unknown model %q", m)
	}
	if h != Weekly && h != Monthly {
		return nil, nil, input.Invalid("horizon", "%d weeks; %d or %d", h, Weekly, Monthly)
	}
	pr := newPredictor(m, c)
	f := forecastFrom(pr, m, c, h)
	if se, ok := pr.(*selfExciting); ok {
		fit := se.fit
		return f, &fit, nil
	}
	return f, nil, nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// rankTop puts into order[:k] the k cells with the highest values, highest first, ties to
// the lower index (order[k:] is left undefined). It selects the k-th ranked cell first, so
// only k cells are sorted.
func rankTop(val []float64, order []int32, k int) {
	less := func(a, b int32) int {
		if c := cmp.Compare(val[b], val[a]); c != 0 {
			return c
		}
		return int(a) - int(b)
	}
	if k < len(order) {
		kth := kthRanked(val, k)
		w := 0
		for i := range val {
			if less(int32(i), kth) <= 0 {
				order[w] = int32(i)
				w++
			}
		}
	} else {
		for i := range order {
			order[i] = int32(i)
		}
	}
	slices.SortFunc(order[:k], less)
}

// kthRanked returns the cell ranked k-th (1-based) by value descending, index ascending.
func kthRanked(val []float64, k int) int32 {
	// Quickselect over cell indices with the ranking order.
	idx := make([]int32, len(val))
	for i := range idx {
		idx[i] = int32(i)
	}
	before := func(a, b int32) bool {
		if val[a] != val[b] {
			return val[a] > val[b]
		}
		return a < b
	}
	lo, hi, target := 0, len(idx)-1, k-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		pivot := idx[mid]
		idx[mid], idx[hi] = idx[hi], idx[mid]
		w := lo
		for i := lo; i < hi; i++ {
			if before(idx[i], pivot) {
				idx[w], idx[i] = idx[i], idx[w]
				w++
			}
		}
		idx[w], idx[hi] = idx[hi], idx[w]
		switch {
		case target < w:
			hi = w - 1
		case target > w:
			lo = w + 1
		default:
			return idx[w]
		}
	}
	return idx[lo]
}

// Forecast is a model's expected weight per cell over the horizon from an origin.
type Forecast struct {
	Model    Model
	Horizon  Horizon
	From, To time.Time
	// Values[n] is the expected weight in cell n over [From, To).
	Values []float64
	order  []int32
}

func forecastFrom(pr predictor, m Model, c *Counts, h Horizon) *Forecast {
	f := &Forecast{Model: m, Horizon: h, From: c.WeekStart(c.weeks), To: c.WeekStart(c.weeks + int(h)),
		Values: make([]float64, c.grid.Len())}
	pr.predict(c.weeks, int(h), f.Values)
	f.order = make([]int32, len(f.Values))
	rankTop(f.Values, f.order, len(f.order))
	return f
}

// Ranked returns the cells from the highest forecast to the lowest (ties to the lower index).
func (f *Forecast) Ranked() []int {
	out := make([]int, len(f.order))
	for k, c := range f.order {
		out[k] = int(c)
	}
	return out
}

// Top returns the CellsFor(share) highest-ranked cells, highest first.
func (f *Forecast) Top(share float64) []int {
	return f.Ranked()[:CellsFor(len(f.order), share)]
}
