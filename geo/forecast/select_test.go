package forecast

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// With no temporal structure (homogeneous Poisson; three seeds) the selection does not claim
// that the self-exciting model beats the baselines: a baseline is shown, and the caveats say
// why.
func TestSelectWithoutTemporalStructure(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			g, ev, _ := synth(t, synthSpec{nx: 30, ny: 30, weeks: 104, base: 0.05, police: 0.4, seed: seed})
			c, err := Bin(g, ev, synthOrigin, 104)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Backtest(c, BacktestOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sel := Select(res)
			for _, cmp := range sel.Against {
				t.Logf("%s against %s: PAI at 5 %% %.2f vs %.2f, difference %.2f ± %.2f (2 SE), %d/%d/%d weeks won/lost/tied",
					sel.Candidate, cmp.Baseline, cmp.CandidatePAI, cmp.BaselinePAI, cmp.MeanDiff, 2*cmp.SE, cmp.Wins, cmp.Losses, cmp.Ties)
			}
			if !sel.Chosen.IsBaseline() || sel.BeatsBaselines {
				t.Errorf("chosen %s, beats the baselines %v; want a baseline and no claim", sel.Chosen, sel.BeatsBaselines)
			}
			cv := Caveats(res, sel, SourceShare(ev, "police_patrol"))
			for _, code := range []string{"baseline_shown", "police_share", "place_based"} {
				if !hasCaveat(cv, code) {
					t.Errorf("no %s caveat in %+v", code, cv)
				}
			}
			if hasCaveat(cv, "model_shown") {
				t.Errorf("a model_shown caveat in %+v", cv)
			}
		})
	}
}

func hasCaveat(cv []Caveat, code string) bool {
	for _, c := range cv {
		if c.Code == code {
			return true
		}
	}
	return false
}

// madeUp is a backtest result with given PAI at 5 % per period for a candidate and two
// baselines (hit rates at half the PAI's share).
func madeUp(cand, recent, long []float64) *Result {
	res := &Result{Horizon: Weekly, Cells: 100}
	for p := range cand {
		res.Periods = append(res.Periods, Period{Week: p, Total: 100})
	}
	for _, m := range []struct {
		m   Model
		pai []float64
	}{{RecentDensity, recent}, {LongTermDensity, long}, {SelfExciting, cand}} {
		mr := ModelResult{Model: m.m}
		var v []float64
		for _, p := range m.pai {
			var sc [NShares]Score
			sc[Share5Index] = Score{Cells: 5, PAI: p, HitRate: p * Share5}
			mr.Scores = append(mr.Scores, sc)
			v = append(v, p)
		}
		mr.Summary[Share5Index] = Summary{Share: Share5, Cells: 5, PAI: stat(v), HitRate: stat(scale(v, Share5))}
		res.Models = append(res.Models, mr)
	}
	return res
}

func scale(x []float64, f float64) []float64 {
	out := make([]float64, len(x))
	for k, v := range x {
		out[k] = v * f
	}
	return out
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for k := range out {
		out[k] = v
	}
	return out
}

// The rule by hand: a consistent small gain over enough periods is a win; a larger mean gain
// that rests on one lucky week is not; too few periods is never; the baseline compared with
// is the better one.
func TestSelectRule(t *testing.T) {
	noisy := []float64{2, 2, 2, 2, 2, 2, 2, 2, 2, 9} // mean 2.7 against 2, one lucky week
	for _, tc := range []struct {
		name               string
		cand, recent, long []float64
		wantChosen         Model
		wantBeats          bool
	}{
		{"steady small gain", repeat(2.2, 10), repeat(1.5, 10), []float64{2, 2.1, 1.9, 2, 2, 2.1, 1.9, 2, 2, 2}, SelfExciting, true},
		{"one lucky week", noisy, repeat(1.5, 10), repeat(2, 10), LongTermDensity, false},
		{"too few periods", repeat(3, 7), repeat(1, 7), repeat(2, 7), LongTermDensity, false},
		{"identical to the best baseline", repeat(2, 10), repeat(1, 10), repeat(2, 10), LongTermDensity, false},
		{"worse", repeat(1, 10), repeat(3, 10), repeat(2, 10), RecentDensity, false},
		{"beats the weaker baseline only", repeat(2.5, 10), repeat(1, 10), repeat(2.5, 10), LongTermDensity, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := madeUp(tc.cand, tc.recent, tc.long)
			sel := Select(res)
			if sel.Chosen != tc.wantChosen || sel.BeatsBaselines != tc.wantBeats {
				t.Errorf("chosen %s beats %v, want %s %v (%+v)", sel.Chosen, sel.BeatsBaselines, tc.wantChosen, tc.wantBeats, sel)
			}
			code := "baseline_shown"
			if tc.wantBeats {
				code = "model_shown"
			} else if len(tc.cand) < MinPeriods {
				code = "too_few_periods"
			}
			if cv := Caveats(res, sel, Share{}); !hasCaveat(cv, code) || hasCaveat(cv, "police_share") {
				t.Errorf("caveats %+v; want %s and no police_share", cv, code)
			}
		})
	}
	// Only baselines run: the better one, and no claim about time.
	res := madeUp(repeat(9, 10), repeat(1, 10), repeat(2, 10))
	res.Models = res.Models[:2]
	if sel := Select(res); sel.Chosen != LongTermDensity || sel.Candidate != "" || sel.BeatsBaselines {
		t.Errorf("baselines only: %+v", sel)
	}
}

func TestSourceShareAndCaveatText(t *testing.T) {
	at := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	var ev []Event
	for k := range 100 {
		src := "resident_survey"
		if k < 43 {
			src = "police_patrol"
		} else if k < 50 {
			src = "guards"
		}
		ev = append(ev, Event{Cell: 0, Time: at, Weight: 2, Source: src})
	}
	s := SourceShare(ev, "police_patrol")
	if s.Events != 100 || s.FromSources != 43 || s.Weight != 200 || s.WeightFromSources != 86 || s.Fraction() != 0.43 {
		t.Errorf("share %+v", s)
	}
	if got := len(WithoutSources(ev, "police_patrol", "guards")); got != 50 {
		t.Errorf("without police and guards: %d events, want 50", got)
	}
	if got := SourceShare(ev, "police_patrol", "guards").Fraction(); got != 0.5 {
		t.Errorf("share of two sources %v, want 0.5", got)
	}
	res := madeUp(repeat(2.2, 10), repeat(1.5, 10), []float64{2, 2.1, 1.9, 2, 2, 2.1, 1.9, 2, 2, 2})
	cv := Caveats(res, Select(res), s)
	want := map[string][2]string{
		"police_share": {"43 % av observationerna kommer från polisens egna patrullrapporter; prognosen kan spegla var polisen redan har varit.",
			"43 % of the observations come from the police's own patrol reports; the forecast may reflect where the police have already been."},
		"model_shown": {"PAI 2,2), mot 10 % (PAI 2,0) för långtidstätheten: 1,10 gånger", "PAI 2.2), against 10 % (PAI 2.0) for the long-term density: 1.10 times"},
		"misses":      {"föll i snitt 11 % av observationerna", "on average 11 % of the observations"},
	}
	for code, w := range want {
		found := false
		for _, c := range cv {
			if c.Code == code {
				found = true
				if !strings.Contains(c.SV, w[0]) || !strings.Contains(c.EN, w[1]) {
					t.Errorf("%s:\n sv %q\n en %q\nwant them to contain %q and %q", code, c.SV, c.EN, w[0], w[1])
				}
			}
		}
		if !found {
			t.Errorf("no %s caveat in %+v", code, cv)
		}
	}
	if hasCaveat(cv, "small_numbers") {
		t.Errorf("100 a period is not small: %+v", cv)
	}
	if s := SourceShare(ev[:1], "x"); s.Fraction() != 0 || percent(0.004) != "under 1 %" || num(1.25, 1) != "1,2" && num(1.25, 1) != "1,3" {
		t.Errorf("share %+v, formatting %q %q", s, percent(0.004), num(1.25, 1))
	}
}

// TestCaveatsCountMonths: with a monthly horizon the caveat counts the months won, not weeks
// (it said "better in 13 of 13 weeks" of a 52-week backtest in months), and speaks of the
// variation between months.
func TestCaveatsCountMonths(t *testing.T) {
	res := madeUp(repeat(2.2, 13), repeat(1.5, 13), []float64{2, 2.1, 1.9, 2, 2, 2.1, 1.9, 2, 2, 2, 2, 2.1, 1.9})
	res.Horizon = Monthly
	for _, c := range Caveats(res, Select(res), Share{}) {
		if c.Code != "model_shown" {
			continue
		}
		if !strings.Contains(c.EN, "month-to-month variation (better in 13 of 13 months)") || !strings.Contains(c.EN, "last 52 weeks") ||
			!strings.Contains(c.SV, "variationen mellan månaderna (13 av 13 månader bättre)") {
			t.Errorf("monthly caveat:\n %s\n %s", c.SV, c.EN)
		}
		return
	}
	t.Error("no model_shown caveat")
}
