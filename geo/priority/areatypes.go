package priority

import (
	"math"

	"github.com/lagesbild/lagesbild/geo/composite"
)

// AreaType is one of Statistics Sweden's five area types, with its cut points in standard
// deviations from the reference mean: [MinSD, MaxSD), nil = unbounded.
type AreaType struct {
	Type         int
	MinSD, MaxSD *float64
}

// Reference is the configured reference of the area types; nil fields mean "the areas
// evaluated".
type Reference struct{ Mean, SD *float64 }

// ReferenceUsed is the reference an analysis used, and where it came from.
type ReferenceUsed struct {
	Mean, SD float64
	Source   string // "configured (priority_settings)" or "areas evaluated"
}

// classifyAreas gives each ranked area its area type by its index's distance from the
// reference mean in standard deviations, and sets the early-warning threshold to the lower
// edge of area type 2 (areas with socio-economic challenges).
func classifyAreas(types []AreaType, ref Reference, res *composite.Result, out *Result) *ReferenceUsed {
	mean, sd := meanSD(res.Index, res.Rank)
	used := &ReferenceUsed{Mean: mean, SD: sd, Source: "areas evaluated"}
	if ref.Mean != nil && ref.SD != nil {
		used.Mean, used.SD, used.Source = *ref.Mean, *ref.SD, "configured (priority_settings)"
	}
	mean, sd = used.Mean, used.SD
	for a := range out.Areas {
		if res.Rank[a] == 0 || !(sd > 0) {
			continue
		}
		z := (res.Index[a] - mean) / sd
		if t := Classify(types, z); t > 0 {
			out.Areas[a].AreaType, out.Areas[a].AreaTypeSD = t, z
		}
	}
	for _, t := range types {
		if t.Type == 2 && t.MinSD != nil && sd > 0 {
			out.Threshold = mean + *t.MinSD*sd
			out.ThresholdNote = "lower edge of area type 2 (areas with socio-economic challenges)"
		}
	}
	return used
}

// Classify returns the first of types whose [MinSD, MaxSD) holds z, or 0 when none does.
func Classify(types []AreaType, z float64) int {
	for _, t := range types {
		if (t.MinSD == nil || z >= *t.MinSD) && (t.MaxSD == nil || z < *t.MaxSD) {
			return t.Type
		}
	}
	return 0
}

// meanSD is the mean and (population) standard deviation of x over the ranked rows.
func meanSD(x []float64, rk []int) (float64, float64) {
	sum, n := 0.0, 0
	for i, v := range x {
		if rk[i] > 0 {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean := sum / float64(n)
	ss := 0.0
	for i, v := range x {
		if rk[i] > 0 {
			ss += (v - mean) * (v - mean)
		}
	}
	return mean, math.Sqrt(ss / float64(n))
}
