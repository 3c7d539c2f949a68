package priority

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lagesbild/lagesbild/geo/composite"
	"github.com/lagesbild/lagesbild/geo/input"
)

// Indicator is one indicator of the catalogue.
type Indicator struct {
	Key            string
	Theme          string
	HigherIsBetter bool // a higher value means less need (voter turnout), so it is oriented downwards
	// How the explanations name it and its values.
	NameSV, NameEN, Unit string
}

// Themes returns the indicator themes, in the order they are shown.
func Themes() []string {
	return []string{"economy", "education", "housing", "labour", "participation", "trust", "safety", "crime", "demography", "future"}
}

// Weighting is a weighting of the need index as a scenario or request states it.
type Weighting struct {
	Preset        string             // "scb" for Statistics Sweden's area types, or ""
	Weights       map[string]float64 // by indicator key
	ThemeWeights  map[string]float64 // by theme; a theme left out weighs 1
	Normalisation string             // as composite.ParseNormalisation
	Aggregation   string             // as composite.ParseAggregation
	Winsor        float64
	MinCoverage   float64
}

// Need is a resolved weighting: what one evaluation of the need index takes.
type Need struct {
	Preset  string
	Keys    []string  // indicators with a positive effective weight, by key
	Weights []float64 // their effective weights, in the order of Keys
	Options composite.Options
}

// ResolveNeed checks w against the catalogue cat and resolves it: a theme's weight (default
// 1) is split among its chosen indicators in proportion to their weights, and indicators of
// weight zero, or in a theme of weight zero, are left out.
//
// Errors (*input.Error): an unknown normalisation or aggregation; weights that are negative, NaN or
// infinite, none or all zero ("weights", "theme_weights"); an unknown theme or indicator;
// every chosen indicator in a theme of weight zero ("theme_weights"). Winsor and MinCoverage
// are checked when the need is evaluated.
func ResolveNeed(w Weighting, cat []Indicator) (Need, error) {
	need := Need{Preset: w.Preset, Options: composite.Options{Winsor: w.Winsor, MinCoverage: w.MinCoverage}}
	var err error
	if need.Options.Normalisation, need.Options.Aggregation, err = ParseMethod(w.Normalisation, w.Aggregation); err != nil {
		return need, err
	}
	if err := CheckWeights("weights", w.Weights, true); err != nil {
		return need, err
	}
	if err := CheckWeights("theme_weights", w.ThemeWeights, false); err != nil {
		return need, err
	}
	themes := Themes()
	for t := range w.ThemeWeights {
		if !slices.Contains(themes, t) {
			return need, input.Invalid("theme_weights", "unknown theme %q", t)
		}
	}
	byKey := catalogue(cat)
	themeSum := map[string]float64{}
	for k, wt := range w.Weights {
		ind, ok := byKey[k]
		if !ok {
			return need, input.Invalid("weights", "unknown indicator %q", k)
		}
		themeSum[ind.Theme] += wt
	}
	keys := make([]string, 0, len(w.Weights))
	for k := range w.Weights {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		wt := w.Weights[k]
		theme := byKey[k].Theme
		tw, ok := w.ThemeWeights[theme]
		if !ok {
			tw = 1
		}
		if wt == 0 || tw == 0 {
			continue
		}
		need.Keys = append(need.Keys, k)
		need.Weights = append(need.Weights, tw*wt/themeSum[theme])
	}
	if len(need.Keys) == 0 {
		return need, input.Invalid("theme_weights", "every chosen indicator is in a theme of weight zero")
	}
	return need, nil
}

// ParseMethod reads a normalisation and an aggregation by name, as composite's
// ParseNormalisation and ParseAggregation. Errors (*input.Error): "normalisation", "aggregation".
func ParseMethod(normalisation, aggregation string) (composite.Normalisation, composite.Aggregation, error) {
	nm, err := composite.ParseNormalisation(normalisation)
	if err != nil {
		return 0, 0, err
	}
	ag, err := composite.ParseAggregation(aggregation)
	if err != nil {
		return 0, 0, err
	}
	return nm, ag, nil
}

// CheckWeights refuses negative, NaN or infinite weights and, when required, an empty or
// all-zero selection, as an *input.Error naming field.
func CheckWeights(field string, w map[string]float64, required bool) error {
	total := 0.0
	for k, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return input.Invalid(field, "weight of %s is %v; weights must be finite and not negative", k, v)
		}
		total += v
	}
	if required && len(w) == 0 {
		return input.Invalid(field, "no indicators chosen")
	}
	if required && total == 0 {
		return input.Invalid(field, "every weight is zero; at least one must be positive")
	}
	return nil
}

// Values are indicator values of some years: Data[y][a*len(Keys)+k] is area a's value of
// Keys[k] in FirstYear+y, NaN when missing.
type Values struct {
	Keys      []string
	FirstYear int
	Data      [][]float64
}

// matrix picks the columns keys of year out of v (missing where v has no such key or year).
func (v Values) matrix(areas, year int, keys []string) composite.Matrix {
	m := composite.NewMatrix(areas, len(keys))
	yi := year - v.FirstYear
	if yi < 0 || yi >= len(v.Data) {
		return m
	}
	src := v.Data[yi]
	for j, k := range keys {
		c := slices.Index(v.Keys, k)
		if c < 0 {
			continue
		}
		for a := range areas {
			m.Set(a, j, src[a*len(v.Keys)+c])
		}
	}
	return m
}

// DropEmpty leaves out the indicators of need without any value in year (voter turnout
// exists only in election years) and says so in a warning each; their weight is spread over
// the rest when the need is evaluated.
func DropEmpty(need Need, v Values, areas, year int) (Need, []string) {
	var warn []string
	out := need
	out.Keys, out.Weights = nil, nil
	m := v.matrix(areas, year, need.Keys)
	for j, k := range need.Keys {
		has := false
		for a := range areas {
			if !math.IsNaN(m.At(a, j)) {
				has = true
				break
			}
		}
		if !has {
			warn = append(warn, fmt.Sprintf("indicator %s has no value in %d and is left out", k, year))
			continue
		}
		out.Keys = append(out.Keys, k)
		out.Weights = append(out.Weights, need.Weights[j])
	}
	return out, warn
}

// indicators are need's composite indicators, oriented by the catalogue.
func (need Need) indicators(cat map[string]Indicator) []composite.Indicator {
	ind := make([]composite.Indicator, len(need.Keys))
	for j, k := range need.Keys {
		sign := 1.0
		if cat[k].HigherIsBetter {
			sign = -1
		}
		ind[j] = composite.Indicator{Key: k, Sign: sign, Weight: need.Weights[j]}
	}
	return ind
}

// EvaluateNeed evaluates need on the values of year: the fitted model (to score other years
// with) and the index, ranks and contributions of every area.
//
// Errors (*input.Error): composite's, by its fields ("winsor", "min_coverage", …), except
// that an indicator without values is the year's fault: "year".
func EvaluateNeed(need Need, cat []Indicator, v Values, areas, year int) (*composite.Model, *composite.Result, error) {
	md, res, err := composite.Evaluate(v.matrix(areas, year, need.Keys), need.indicators(catalogue(cat)), need.Options)
	if err != nil {
		var e *input.Error
		if errors.As(err, &e) && e.Field == "indicators" {
			return nil, nil, input.Invalid("year", "%s in %d", e.Reason, year)
		}
		return nil, nil, err
	}
	return md, res, nil
}

func catalogue(cat []Indicator) map[string]Indicator {
	m := make(map[string]Indicator, len(cat))
	for _, ind := range cat {
		m[ind.Key] = ind
	}
	return m
}

// lower is strings.ToLower, named for what the explanations do with an indicator's name.
func lower(s string) string { return strings.ToLower(s) }
