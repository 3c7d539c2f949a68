package priority

import (
	"fmt"
	"slices"

	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/rank"
)

// ResolveStored resolves a stored weighting (a scenario) against the catalogue as it is now:
// an indicator the weighting names but the catalogue lacks is left out with a warning, by
// key order, rather than failing the weighting. Errors as ResolveNeed.
func ResolveStored(name string, w Weighting, cat []Indicator) (Need, []string, error) {
	byKey := catalogue(cat)
	known := map[string]float64{}
	var warnings []string
	keys := make([]string, 0, len(w.Weights))
	for k := range w.Weights {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, ok := byKey[k]; ok {
			known[k] = w.Weights[k]
		} else {
			warnings = append(warnings, fmt.Sprintf("scenario %s: indicator %s is not in the catalogue", name, k))
		}
	}
	w.Weights = known
	need, err := ResolveNeed(w, cat)
	return need, warnings, err
}

// Comparison compares the rankings of several weightings of the same areas and year.
type Comparison struct {
	Rankings  [][]int // per weighting, each area's need rank (0: not ranked)
	Consensus rank.Consensus
	Tau       [][]float64   // Kendall's tau between each pair of weightings
	Spread    []rank.Spread // the areas the weightings disagree about most, first
	Warnings  []string
}

// Compare ranks the areas by each of needs (named by names, for messages) on the values of
// year and compares the rankings: a Borda consensus, Kendall's tau and the disagreements.
//
// Errors (*input.Error): a weighting with no indicator that has a value in the year ("year");
// rank's ("rankings") for fewer than one ranking.
func Compare(names []string, needs []Need, cat []Indicator, v Values, areas, year int) (*Comparison, error) {
	out := &Comparison{Rankings: make([][]int, len(needs)), Warnings: []string{}}
	for i, need := range needs {
		need, dropped := DropEmpty(need, v, areas, year)
		out.Warnings = append(out.Warnings, dropped...)
		if len(need.Keys) == 0 {
			return nil, input.Invalid("year", "scenario %s has no indicator with a value in %d", names[i], year)
		}
		_, res, err := EvaluateNeed(need, cat, v, areas, year)
		if err != nil {
			return nil, input.Invalid("year", "scenario %s: %v", names[i], err)
		}
		out.Rankings[i] = res.Rank
	}
	var err error
	if out.Consensus, err = rank.Borda(out.Rankings); err != nil {
		return nil, err
	}
	if out.Tau, err = rank.TauMatrix(out.Rankings); err != nil {
		return nil, err
	}
	if out.Spread, err = rank.Disagreement(out.Rankings); err != nil {
		return nil, err
	}
	return out, nil
}
