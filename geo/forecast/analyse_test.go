package forecast

import (
	"testing"
)

// TestAnalyseBothVariants: Analyse reports the police-initiated share, forecasts from all
// sources and again without the police's, says so in the second's caveats, and leaves the
// second out when nothing (or everything) is police-initiated.
func TestAnalyseBothVariants(t *testing.T) {
	g, ev, _ := synth(t, synthSpec{nx: 30, ny: 30, weeks: 80, base: 0.05, structured: true,
		steady: 0.8, emerging: 1.5, fading: 1, police: 0.4, seed: 7})
	opt := Options{Origin: synthOrigin, History: 80, BacktestWeeks: 26, Police: []string{"police_patrol"}}
	a, err := Analyse(g, ev, opt)
	if err != nil {
		t.Fatal(err)
	}
	if f := a.Police.Fraction(); f < 0.35 || f > 0.45 {
		t.Errorf("police share %.2f, want about 0.4", f)
	}
	if a.All == nil || a.WithoutPolice == nil {
		t.Fatalf("variants %+v %+v", a.All, a.WithoutPolice)
	}
	if a.All.Events != len(ev) || a.WithoutPolice.Events != a.Police.Events-a.Police.FromSources {
		t.Errorf("events %d and %d, want %d and %d", a.All.Events, a.WithoutPolice.Events, len(ev), a.Police.Events-a.Police.FromSources)
	}
	if a.WithoutPolice.Police.FromSources != 0 || !a.WithoutPolice.WithoutPolice || a.All.WithoutPolice {
		t.Errorf("the variant without police holds %d police events", a.WithoutPolice.Police.FromSources)
	}
	if !hasCaveat(a.All.Caveats, "police_share") || hasCaveat(a.All.Caveats, "without_police") {
		t.Errorf("all sources' caveats %+v", a.All.Caveats)
	}
	if !hasCaveat(a.WithoutPolice.Caveats, "without_police") || hasCaveat(a.WithoutPolice.Caveats, "police_share") {
		t.Errorf("without police's caveats %+v", a.WithoutPolice.Caveats)
	}
	for _, v := range []*Variant{a.All, a.WithoutPolice} {
		if v.Shown == nil || v.Shown.Model != v.Selection.Chosen || len(v.Shown.Values) != g.Len() {
			t.Errorf("shown forecast %+v for %s", v.Shown, v.Selection.Chosen)
		}
	}

	for _, src := range []string{"resident_survey", "police_patrol"} {
		var same []Event
		for _, e := range ev {
			e.Source = src
			same = append(same, e)
		}
		a, err := Analyse(g, same, opt)
		if err != nil {
			t.Fatal(err)
		}
		if a.WithoutPolice != nil {
			t.Errorf("all from %s: a variant without police", src)
		}
	}
	if _, err := Analyse(g, ev, Options{Origin: synthOrigin, History: 80, BacktestWeeks: 78}); err == nil {
		t.Error("a backtest leaving two training weeks was accepted")
	}
}
