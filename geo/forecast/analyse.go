package forecast

import (
	"fmt"
	"time"
)

// Options set up Analyse.
type Options struct {
	// Origin is when the forecast starts: the end of the history window.
	Origin time.Time
	// History is the window in weeks (0 means DefaultHistory).
	History int
	// Horizon is Weekly or Monthly (0 means Weekly).
	Horizon Horizon
	// BacktestWeeks is how many of the most recent weeks are scored (0 means
	// DefaultBacktestWeeks).
	BacktestWeeks int
	// Police are the sources the police initiate themselves: their share of the input is
	// reported, and the forecast is made a second time without them.
	Police []string
}

// Variant is a forecast from one set of sources: its backtest, which forecast it shows and why,
// and the caveats.
type Variant struct {
	// WithoutPolice is true for the variant built without the police's own sources.
	WithoutPolice bool
	// Events is the number of events it was built from (in the window and the study area).
	Events int
	// Police is the police-initiated share of its events (none in the variant without them).
	Police    Share
	Counts    *Counts
	Result    *Result
	Selection Selection
	// Shown is the forecast of Selection.Chosen, from the origin.
	Shown   *Forecast
	Caveats []Caveat
}

// Analysis is a forecast from all sources and, where the police initiated some but not all of
// the input, the same forecast without them, so that the two can be shown side by side.
type Analysis struct {
	// Police is the police-initiated share of all the input.
	Police Share
	All    *Variant
	// WithoutPolice is nil when none of the input is police-initiated (it would be All) or
	// all of it is (nothing would be left).
	WithoutPolice *Variant
}

// Analyse bins the events, backtests every model and selects the forecast to show (Select),
// from all events and from those whose source is not one of opt.Police.
//
// Errors (*input.Error): those of Bin and Backtest.
func Analyse(g *Grid, events []Event, opt Options) (*Analysis, error) {
	police := SourceShare(events, opt.Police...)
	a := &Analysis{Police: police}
	var err error
	if a.All, err = variant(g, events, opt, police, false); err != nil {
		return nil, err
	}
	if police.FromSources > 0 && police.FromSources < police.Events {
		rest := WithoutSources(events, opt.Police...)
		if a.WithoutPolice, err = variant(g, rest, opt, SourceShare(rest, opt.Police...), true); err != nil {
			return nil, err
		}
		a.WithoutPolice.Caveats = append([]Caveat{withoutPoliceCaveat(police)}, a.WithoutPolice.Caveats...)
	}
	return a, nil
}

func variant(g *Grid, events []Event, opt Options, police Share, without bool) (*Variant, error) {
	c, err := Bin(g, events, opt.Origin, opt.History)
	if err != nil {
		return nil, err
	}
	res, err := Backtest(c, BacktestOptions{Horizon: opt.Horizon, Weeks: opt.BacktestWeeks})
	if err != nil {
		return nil, err
	}
	sel := Select(res)
	v := &Variant{WithoutPolice: without, Events: c.Events, Police: police, Counts: c, Result: res, Selection: sel,
		Caveats: Caveats(res, sel, police)}
	if m := res.Model(sel.Chosen); m != nil {
		v.Shown = m.Forecast
	}
	return v, nil
}

// withoutPoliceCaveat says what the variant without the police's own reports leaves out (as a
// share, not a count: the caveats are shown in the aggregated view too).
func withoutPoliceCaveat(police Share) Caveat {
	p := percent(police.Fraction())
	return Caveat{Code: "without_police",
		SV: fmt.Sprintf("Denna prognos bygger bara på andra källor än polisens egna rapporter: %s av observationerna är utelämnade. Den visar var andra ser problem, inte var polisen har varit.", p),
		EN: fmt.Sprintf("This forecast rests only on sources other than the police's own reports: %s of the observations are left out. It shows where others see problems, not where the police have been.",
			percentEN(police.Fraction()))}
}
