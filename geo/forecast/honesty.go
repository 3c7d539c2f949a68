package forecast

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Share is how much of the input comes from a set of sources.
type Share struct {
	// Events and Weight are the whole input; FromSources and WeightFromSources the part
	// whose Source is one of the set.
	Events, FromSources       int
	Weight, WeightFromSources float64
}

// Fraction is FromSources / Events (0 for no events).
func (s Share) Fraction() float64 {
	if s.Events == 0 {
		return 0
	}
	return float64(s.FromSources) / float64(s.Events)
}

// WeightFraction is WeightFromSources / Weight (0 for no weight).
func (s Share) WeightFraction() float64 { return ratio(s.WeightFromSources, s.Weight) }

// SourceShare returns how many of the events (and how much of their weight) come from the
// given sources, for example the police's own patrol reports.
func SourceShare(events []Event, sources ...string) Share {
	var s Share
	for _, e := range events {
		s.Events++
		s.Weight += e.Weight
		if slices.Contains(sources, e.Source) {
			s.FromSources++
			s.WeightFromSources += e.Weight
		}
	}
	return s
}

// WithoutSources returns the events whose source is none of the given ones (a new slice),
// for a forecast built from the other sources only.
func WithoutSources(events []Event, sources ...string) []Event {
	out := make([]Event, 0, len(events))
	for _, e := range events {
		if !slices.Contains(sources, e.Source) {
			out = append(out, e)
		}
	}
	return out
}

// Caveat is a warning the numbers call for, in Swedish and English, with a stable code.
type Caveat struct {
	Code, SV, EN string
}

// Thresholds of Caveats.
const (
	// SmallPeriodWeight: below this mean weight per scored period the hit rates swing from
	// period to period.
	SmallPeriodWeight = 30
)

// Caveats writes the caveats a forecast needs beside it, from the numbers: the share of
// police-initiated observations (police, as SourceShare of the police's own sources
// returns it), which model is shown and by how much it did or did not beat the baselines,
// how much even the shown forecast misses, small numbers, weeks left out, and that the
// forecast is of places, not persons. Codes: police_share, model_shown, baseline_shown,
// too_few_periods, misses, small_numbers, empty_periods, place_based.
func Caveats(res *Result, sel Selection, police Share) []Caveat {
	out := []Caveat{}
	add := func(code, sv, en string) { out = append(out, Caveat{Code: code, SV: sv, EN: en}) }
	if police.Events > 0 && police.FromSources > 0 {
		p := percent(police.Fraction())
		add("police_share",
			fmt.Sprintf("%s av observationerna kommer från polisens egna patrullrapporter; prognosen kan spegla var polisen redan har varit.", p),
			fmt.Sprintf("%s of the observations come from the police's own patrol reports; the forecast may reflect where the police have already been.", p))
	}
	weeks := len(res.Periods) * int(res.Horizon)
	// The periods the wins are counted in and the variation is between: weeks, or the
	// four-week months of a monthly horizon.
	between, periodsSV, variationEN, periodsEN := "veckorna", "veckor", "week-to-week", "weeks"
	if res.Horizon == Monthly {
		between, periodsSV, variationEN, periodsEN = "månaderna", "månader", "month-to-month", "months"
	}
	shown := res.Model(sel.Chosen)
	switch {
	case sel.Chosen == "" || shown == nil:
	case sel.Candidate == "":
		// Only baselines were run: nothing to claim about time.
	case sel.BeatsBaselines:
		c, _ := sel.Comparison(sel.BestBaseline)
		base := res.Model(sel.BestBaseline)
		sv, en := modelName(sel.Chosen)
		bsv, ben := modelName(sel.BestBaseline)
		hr, bhr := shown.Summary[Share5Index].HitRate.Mean, base.Summary[Share5Index].HitRate.Mean
		add("model_shown",
			fmt.Sprintf("Kartan visar %s. Under de senaste %d veckorna fångade den i snitt %s av observationerna på 5 %% av ytan (PAI %s), mot %s (PAI %s) för %s: %s gånger så mycket, mer än variationen mellan %s (%d av %d %s bättre).",
				sv, weeks, percent(hr), num(c.CandidatePAI, 1), percent(bhr), num(c.BaselinePAI, 1), bsv, num(c.Ratio, 2), between, c.Wins, len(res.Periods), periodsSV),
			fmt.Sprintf("The map shows %s. Over the last %d weeks it caught on average %s of the observations in 5 %% of the area (PAI %s), against %s (PAI %s) for %s: %s times as much, more than the %s variation (better in %d of %d %s).",
				en, weeks, percentEN(hr), numEN(c.CandidatePAI, 1), percentEN(bhr), numEN(c.BaselinePAI, 1), ben, numEN(c.Ratio, 2), variationEN, c.Wins, len(res.Periods), periodsEN))
	case sel.Periods < MinPeriods:
		bsv, ben := modelName(sel.BestBaseline)
		add("too_few_periods",
			fmt.Sprintf("Utvärderingen omfattar bara %d perioder (minst %d behövs) för att en tidsmodell ska kunna ersätta en enkel metod; kartan visar %s.", sel.Periods, MinPeriods, bsv),
			fmt.Sprintf("The backtest covers only %d periods (at least %d are needed) for a model that uses time to replace a simple method; the map shows %s.", sel.Periods, MinPeriods, ben))
	default:
		c, _ := sel.Comparison(sel.BestBaseline)
		csv, cen := modelName(sel.Candidate)
		bsv, ben := modelName(sel.BestBaseline)
		add("baseline_shown",
			fmt.Sprintf("%s slog inte %s med mer än variationen mellan %s under de senaste %d veckorna (PAI vid 5 %% av ytan %s mot %s, skillnad %s ± %s); kartan visar därför %s.",
				capitalise(csv), bsv, between, weeks, num(c.CandidatePAI, 1), num(c.BaselinePAI, 1), num(c.MeanDiff, 2), num(2*c.SE, 2), bsv),
			fmt.Sprintf("%s did not beat %s by more than the %s variation over the last %d weeks (PAI at 5 %% of the area %s against %s, difference %s ± %s); the map therefore shows %s.",
				capitalise(cen), ben, variationEN, weeks, numEN(c.CandidatePAI, 1), numEN(c.BaselinePAI, 1), numEN(c.MeanDiff, 2), numEN(2*c.SE, 2), ben))
	}
	if shown != nil && len(res.Periods) > 0 {
		if hr := shown.Summary[Share5Index].HitRate.Mean; hr < 0.5 {
			add("misses",
				fmt.Sprintf("Även den visade prognosen missar det mesta: på de 5 %% av ytan den pekar ut föll i snitt %s av observationerna.", percent(hr)),
				fmt.Sprintf("Even the forecast shown misses most: on average %s of the observations fell in the 5 %% of the area it points to.", percentEN(hr)))
		}
	}
	if len(res.Periods) > 0 {
		total := 0.0
		for _, p := range res.Periods {
			total += p.Total
		}
		if m := total / float64(len(res.Periods)); m < SmallPeriodWeight {
			add("small_numbers",
				fmt.Sprintf("Små tal: i snitt %s observationer per period. Träffsäkerheten varierar mycket från period till period.", num(m, 1)),
				fmt.Sprintf("Small numbers: on average %s observations per period. The accuracy varies a lot from period to period.", numEN(m, 1)))
		}
	}
	if res.Empty > 0 {
		add("empty_periods",
			fmt.Sprintf("%d perioder utan observationer ingår inte i utvärderingen.", res.Empty),
			fmt.Sprintf("%d periods without observations are left out of the backtest.", res.Empty))
	}
	add("place_based",
		"Prognosen gäller platser (rutor), aldrig personer. Den bygger på registrerade observationer, inte på allt som händer, och visar var fler observationer är troliga, inte varför.",
		"The forecast is about places (cells), never persons. It rests on recorded observations, not on everything that happens, and shows where more observations are likely, not why.")
	return out
}

// modelName returns how the caveats name a model, in Swedish and English.
func modelName(m Model) (sv, en string) {
	switch m {
	case RecentDensity:
		return "tätheten de senaste fyra veckorna", "the density of the last four weeks"
	case LongTermDensity:
		return "långtidstätheten", "the long-term density"
	case SelfExciting:
		return "den självexciterande modellen", "the self-exciting model"
	}
	return string(m), string(m)
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// percent writes a fraction as a whole Swedish percentage ("43 %"); below 1 % but above 0 it
// says "under 1 %".
func percent(f float64) string {
	if f > 0 && f < 0.005 {
		return "under 1 %"
	}
	return fmt.Sprintf("%.0f %%", math.Round(100*f))
}

func percentEN(f float64) string {
	if f > 0 && f < 0.005 {
		return "less than 1 %"
	}
	return fmt.Sprintf("%.0f %%", math.Round(100*f))
}

// num writes x with the given decimals and a decimal comma, as Swedish does.
func num(x float64, decimals int) string {
	return strings.Replace(numEN(x, decimals), ".", ",", 1)
}

func numEN(x float64, decimals int) string { return fmt.Sprintf("%.*f", decimals, x) }
