package forecast

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/input"
)

// structured is the synthetic area the model tests share: 1,600 cells over two years with a
// steady, an emerging and a fading hot spot on a background (see synth).
func structured(t *testing.T) (*Counts, []synthArea, []Event) {
	t.Helper()
	g, ev, areas := synth(t, synthSpec{nx: 40, ny: 40, weeks: 104, base: 0.05, structured: true,
		steady: 0.4, emerging: 0.8, fading: 0.8, police: 0.4, seed: 1})
	c, err := Bin(g, ev, synthOrigin, 104)
	if err != nil {
		t.Fatal(err)
	}
	return c, areas, ev
}

// meanRank is the mean position (0 = first) of the cells in the forecast's ranking.
func meanRank(f *Forecast, cells []int) float64 {
	pos := make([]int, len(f.order))
	for p, c := range f.order {
		pos[c] = p
	}
	s := 0.0
	for _, c := range cells {
		s += float64(pos[c])
	}
	return s / float64(len(cells))
}

// On data with known structure the self-exciting model beats both baselines' PAI at 5 % in
// the 52-week backtest, by more than the week-to-week noise, so Select chooses it; it ranks
// the emerging hot spot above where the four-week density puts it, and the fading one below
// where the long-term density puts it.
func TestSelfExcitingOnKnownStructure(t *testing.T) {
	c, areas, ev := structured(t)
	res, err := Backtest(c, BacktestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pai := map[Model]Stat{}
	for _, m := range res.Models {
		pai[m.Model] = m.Summary[Share5Index].PAI
		t.Logf("%-18s PAI at 1/5/10 %%: %.2f / %.2f ± %.2f / %.2f", m.Model, m.Summary[0].PAI.Mean,
			m.Summary[1].PAI.Mean, m.Summary[1].PAI.SE, m.Summary[2].PAI.Mean)
	}
	if len(res.Periods) != 52 {
		t.Errorf("%d periods scored, want 52", len(res.Periods))
	}
	for _, b := range []Model{RecentDensity, LongTermDensity} {
		if pai[SelfExciting].Mean <= pai[b].Mean {
			t.Errorf("self-exciting PAI at 5 %% %.3f does not beat %s's %.3f", pai[SelfExciting].Mean, b, pai[b].Mean)
		}
	}
	rank := func(m Model, area string) float64 {
		for _, a := range areas {
			if a.name == area {
				return meanRank(res.Model(m).Forecast, a.cells)
			}
		}
		t.Fatalf("no area %s", area)
		return 0
	}
	n := float64(res.Cells)
	for _, tc := range []struct {
		area        string
		model, than Model
		better      bool // the model ranks the area higher (a lower position) than `than`
	}{
		{"emerging", SelfExciting, RecentDensity, true},
		{"emerging", SelfExciting, LongTermDensity, true},
		{"fading", SelfExciting, LongTermDensity, false},
		{"steady", SelfExciting, RecentDensity, true},
	} {
		got, other := rank(tc.model, tc.area), rank(tc.than, tc.area)
		t.Logf("%s: mean rank %.0f (%s) against %.0f (%s) of %.0f cells", tc.area, got, tc.model, other, tc.than, n)
		if tc.better && got >= other || !tc.better && got <= other {
			t.Errorf("%s area: mean rank %.0f under %s, %.0f under %s; want it %s", tc.area, got, tc.model, other, tc.than,
				map[bool]string{true: "higher (lower position)", false: "lower"}[tc.better])
		}
	}
	// The steady hot spot stays in the top tenth of the area.
	if r := rank(SelfExciting, "steady"); r > 0.1*n {
		t.Errorf("steady area at mean rank %.0f of %.0f", r, n)
	}
	if f := res.Model(SelfExciting).Fit; f == nil || !f.Converged || f.BranchingRatio() <= 0 {
		t.Errorf("fit at the origin %+v: want converged with triggering", f)
	}

	sel := Select(res)
	if sel.Chosen != SelfExciting || !sel.BeatsBaselines {
		t.Errorf("chosen %s, beats the baselines %v; want self_exciting, true", sel.Chosen, sel.BeatsBaselines)
	}
	for _, cmp := range sel.Against {
		t.Logf("against %s: difference %.2f ± %.2f (2 SE), ratio %.2f, %d/%d/%d weeks won/lost/tied",
			cmp.Baseline, cmp.MeanDiff, 2*cmp.SE, cmp.Ratio, cmp.Wins, cmp.Losses, cmp.Ties)
		if !cmp.Beaten || cmp.Ratio <= 1 {
			t.Errorf("against %s: beaten %v, ratio %.2f", cmp.Baseline, cmp.Beaten, cmp.Ratio)
		}
	}
	cv := Caveats(res, sel, SourceShare(ev, "police_patrol"))
	for _, code := range []string{"model_shown", "police_share", "misses", "place_based"} {
		if !hasCaveat(cv, code) {
			t.Errorf("no %s caveat in %+v", code, cv)
		}
	}
	for _, c := range cv {
		t.Logf("%s: %s", c.Code, c.SV)
	}
}

// At the fitted weights the log-likelihood is at its maximum under the non-negativity
// constraints: no move of a single weight, up or (within its bound) down, by as much as
// shifts 1 % of the observed weight, raises it by more than 10⁻³; and the gradient points
// below the bound for the weights at it (Karush–Kuhn–Tucker).
func TestSelfExcitingOptimum(t *testing.T) {
	c, _, _ := structured(t)
	for _, o := range []int{60, 104} {
		s := newSelfExciting(c)
		out := make([]float64, c.grid.Len())
		s.predict(o, 1, out)
		var F [nw]float64
		F[0] = float64(s.nFit) * float64(o)
		for n := range s.inFit {
			F[1] += s.sum[0][n]
			F[2] += s.sum[1][n]
			F[3] += s.sum[2][n]
		}
		for tt := range o {
			for j := range nTrig {
				F[nb+j] += s.colSum[tt][j]
			}
		}
		var g [nw]float64
		var H [nh]float64
		ll := s.evaluate(&s.w, o, &F, &g, &H)
		for j := range nw {
			delta := 0.01 * F[1] / F[j] // F[1] is the observed weight
			for _, sign := range []float64{1, -1} {
				w := s.w
				w[j] = max(0, w[j]+sign*delta)
				if j == 0 {
					w[j] = max(w[j], 1e-12)
				}
				if up := s.evaluate(&w, o, &F, &g, &H) - ll; up > 1e-3 {
					t.Errorf("origin %d: moving weight %d from %g to %g raises the log-likelihood by %g", o, j, s.w[j], w[j], up)
				}
			}
		}
		s.evaluate(&s.w, o, &F, &g, &H)
		for j := 1; j < nw; j++ {
			if s.w[j] == 0 && g[j] > 0 {
				t.Errorf("origin %d: weight %d at 0 has gradient %g pointing up", o, j, g[j])
			}
		}
		if !s.fit.Converged || s.fit.Iterations > 20 {
			t.Errorf("origin %d: %d iterations, converged %v", o, s.fit.Iterations, s.fit.Converged)
		}
	}
}

// The forecast equals the model's intensity summed directly over the horizon, from the
// fitted weights and every earlier week (no recursion), both after the state advanced
// through earlier origins and from scratch.
func TestSelfExcitingForecastIsTheIntensity(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := square(t, 8, 7)
	o := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var ev []Event
	for range 3000 {
		ev = append(ev, Event{Cell: r.IntN(20) * r.IntN(3), Time: o.Add(-time.Duration(r.Int64N(int64(30 * Week)))), Weight: r.Float64() * 3})
	}
	c, err := Bin(g, ev, o, 30)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []int{1, 4} {
		for _, origins := range [][]int{{26}, {10, 17, 26}} {
			s := newSelfExciting(c)
			out := make([]float64, g.Len())
			for _, at := range origins {
				s.predict(at, h, out)
			}
			at := origins[len(origins)-1]
			for n := range out {
				want := 0.0
				for j := range h {
					lam := s.w[0]
					for v := range at {
						lam += s.w[1]*c.At(n, v)/float64(at) + s.w[2]*s.r(1, n, v)/float64(at) + s.w[3]*s.r(2, n, v)/float64(at)
					}
					for sc, b := range scaleBetas() {
						for rr := range MaxRing + 1 {
							for v := range at {
								lag := at + j - v
								lam += s.w[nb+sc*(MaxRing+1)+rr] * s.r(rr, n, v) * (1 - b) * math.Pow(b, float64(lag-1))
							}
						}
					}
					want += lam
				}
				if math.Abs(out[n]-want) > 1e-9*math.Max(1, want) {
					t.Fatalf("h %d origins %v cell %d: forecast %v, direct sum %v", h, origins, n, out[n], want)
				}
			}
		}
	}
}

// A monthly horizon scores four-week periods that do not overlap and forecasts four weeks.
func TestMonthlyBacktest(t *testing.T) {
	c, _, _ := structured(t)
	res, err := Backtest(c, BacktestOptions{Horizon: Monthly, Weeks: 52})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Periods) != 13 {
		t.Fatalf("%d periods, want 13", len(res.Periods))
	}
	for p := 1; p < len(res.Periods); p++ {
		if d := res.Periods[p].From.Sub(res.Periods[p-1].From); d != 4*Week || !res.Periods[p-1].To.Equal(res.Periods[p].From) {
			t.Errorf("period %d starts %v after the previous one", p, d)
		}
	}
	f := res.Model(SelfExciting).Forecast
	if !f.From.Equal(synthOrigin) || !f.To.Equal(synthOrigin.Add(4*Week)) {
		t.Errorf("forecast over [%v, %v)", f.From, f.To)
	}
	for _, m := range res.Models {
		t.Logf("%-18s monthly PAI at 5 %%: %.2f ± %.2f", m.Model, m.Summary[Share5Index].PAI.Mean, m.Summary[Share5Index].PAI.SE)
	}
}

// Predict fits on the whole window: the baselines' forecasts equal the backtest's from the
// origin, and the self-exciting model's (fitted cold rather than warm from the last period)
// agrees to the precision the fit stops at, with the same cells on top.
func TestPredict(t *testing.T) {
	c, _, _ := structured(t)
	res, err := Backtest(c, BacktestOptions{Weeks: 12})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Models() {
		f, fit, err := Predict(c, m, Weekly)
		if err != nil {
			t.Fatal(err)
		}
		if (fit != nil) != (m == SelfExciting) {
			t.Errorf("%s: fit %v", m, fit)
		}
		want := res.Model(m).Forecast
		// Newton stops within 1e-9 of the log-likelihood of its maximum; from two starts the
		// weights then agree to about 1e-5.
		tol := 1e-4
		if m.IsBaseline() {
			tol = 1e-12
		}
		for n, v := range f.Values {
			if d := math.Abs(v - want.Values[n]); d > tol*math.Max(want.Values[n], 1e-3) {
				t.Fatalf("%s cell %d: Predict %v, Backtest %v", m, n, v, want.Values[n])
			}
		}
		top, wantTop := f.Top(Share5), want.Top(Share5)
		for k := range top {
			if top[k] != wantTop[k] {
				t.Errorf("%s: top 5 %% differ at %d: %d against %d", m, k, top[k], wantTop[k])
				break
			}
		}
	}
	for _, tc := range []struct {
		name string
		c    *Counts
		m    Model
		h    Horizon
	}{{"no counts", nil, RecentDensity, Weekly}, {"unknown model", c, "oracle", Weekly}, {"two weeks", c, RecentDensity, 2}} {
		if _, _, err := Predict(tc.c, tc.m, tc.h); !errors.Is(err, input.ErrInvalid) {
			t.Errorf("%s: err = %v, want an invalid input", tc.name, err)
		}
	}
}
