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

// The sources of a feasibility input.
const (
	SourceIndicator     = "indicator"      // an indicator's values in the year analysed
	SourceMeetingPlaces = "meeting_places" // meeting places per resident
	SourceInterventions = "interventions"  // interventions already running
	SourcePartnerLayer  = "partner_layer"  // a partner organisation's layer, by area
)

// FeasibilityInput is one input of the feasibility score: the chance of success.
type FeasibilityInput struct {
	Key          string
	Source       string // one of the Source constants
	IndicatorKey string // SourceIndicator: the indicator whose values are read from Inputs.Values
	// Values per area, for the other sources; NaN where unknown.
	Values        []float64
	HigherIsWorse bool
	Weight        float64 // 0 leaves the input out
	// Unavailable says why the input cannot be read (a partner layer the caller may not see):
	// it is left out with a warning.
	Unavailable string
}

// feasibility scores the chance of success of every area: the weighed inputs with values,
// min–max normalised and averaged, 0–1, higher = better conditions. It returns the score per
// area (NaN throughout when no input has values) and the feasibility ranks.
func feasibility(in Inputs, year int, out *Result) ([]float64, error) {
	n := len(in.Areas)
	var cols [][]float64
	var ind []composite.Indicator
	var keys []string
	for _, f := range in.Feasibility {
		if f.Weight == 0 {
			continue
		}
		v := f.Values
		switch f.Source {
		case SourceIndicator:
			v = nil
			if slices.Contains(in.Values.Keys, f.IndicatorKey) {
				m := in.Values.matrix(n, year, []string{f.IndicatorKey})
				v = m.Data
			}
		case SourcePartnerLayer:
			if f.Unavailable != "" {
				out.Warnings = append(out.Warnings, fmt.Sprintf("feasibility input %s is unavailable: %s", f.Key, f.Unavailable))
				continue
			}
		}
		present := 0
		for _, x := range v {
			if !math.IsNaN(x) {
				present++
			}
		}
		if present == 0 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("feasibility input %s has no values and is left out", f.Key))
			continue
		}
		sign := 1.0
		if f.HigherIsWorse {
			sign = -1
		}
		cols = append(cols, v)
		ind = append(ind, composite.Indicator{Key: f.Key, Sign: sign, Weight: f.Weight})
		keys = append(keys, f.Key)
	}
	score := make([]float64, n)
	for a := range score {
		score[a] = math.NaN()
		out.Areas[a].Feasibility = math.NaN()
	}
	if len(ind) == 0 {
		out.Warnings = append(out.Warnings, "no feasibility input has values: pilots are chosen by need alone")
		return score, nil
	}
	m := composite.NewMatrix(n, len(ind))
	for j, v := range cols {
		for a, x := range v {
			m.Set(a, j, x)
		}
	}
	_, res, err := composite.Evaluate(m, ind, composite.Options{Normalisation: composite.MinMax})
	if err != nil {
		// The feasibility's weights and inputs are the caller's feasibility_weights, not the
		// need index's weights that composite's field names would suggest.
		var ce *input.Error
		if errors.As(err, &ce) {
			return nil, input.Invalid("feasibility_weights", "feasibility %s: %s", ce.Field, ce.Reason)
		}
		return nil, err
	}
	out.FeasibilityKeys = keys
	for a := range out.Areas {
		r := &out.Areas[a]
		r.Feasibility, r.FeasibilityRank = res.Index[a], res.Rank[a]
		r.FeasibilityContributions, r.FeasibilityInputs = make([]float64, len(keys)), make([]float64, len(keys))
		for j := range keys {
			r.FeasibilityContributions[j], r.FeasibilityInputs[j] = res.Contrib[a*len(keys)+j], m.At(a, j)
		}
	}
	return res.Index, nil
}

// feasibilityNames are how the explanations name each feasibility input, in Swedish and
// English, by key.
func feasibilityNames(feas []FeasibilityInput, cat map[string]Indicator) map[string][2]string {
	names := map[string][2]string{}
	for _, f := range feas {
		sv, en := f.Key, strings.ReplaceAll(f.Key, "_", " ")
		switch f.Source {
		case SourceIndicator:
			if ind, ok := cat[f.IndicatorKey]; ok {
				sv, en = lower(ind.NameSV), lower(ind.NameEN)
			}
		case SourceMeetingPlaces:
			sv, en = "mötesplatser per invånare", "meeting places per resident"
		case SourceInterventions:
			sv, en = "pågående insatser", "interventions already running"
		}
		names[f.Key] = [2]string{sv, en}
	}
	return names
}
