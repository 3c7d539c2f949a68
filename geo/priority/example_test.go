package priority_test

import (
	"fmt"

	"github.com/lagesbild/lagesbild/geo/priority"
)

// Three districts, one indicator of need (overcrowding, higher is worse) over three years and
// one input of feasibility (meeting places): the pilot is the district where need and
// conditions together are best, and its explanation says why.
func ExampleAnalyse() {
	cat := []priority.Indicator{{Key: "overcrowding", Theme: "housing", NameSV: "Trångboddhet", NameEN: "Overcrowding", Unit: "%"}}
	need, err := priority.ResolveNeed(priority.Weighting{Weights: map[string]float64{"overcrowding": 1},
		Normalisation: "minmax", Aggregation: "arithmetic", MinCoverage: 0.6}, cat)
	if err != nil {
		fmt.Println(err)
		return
	}
	in := priority.Inputs{
		Areas:      []string{"north", "centre", "south"},
		Indicators: cat,
		// Data[year][area*len(Keys)+key]: 2022, 2023, 2024.
		Values: priority.Values{Keys: []string{"overcrowding"}, FirstYear: 2022, Data: [][]float64{{20, 12, 5}, {22, 14, 5}, {25, 15, 6}}},
		Feasibility: []priority.FeasibilityInput{{Key: "meeting_places", Source: priority.SourceMeetingPlaces,
			Values: []float64{0.5, 3, 2}, Weight: 1}},
	}
	res, err := priority.Analyse(in, priority.Options{Need: need, Year: 2024, BaseYear: 2022, TrendYears: 3, K: 1,
		NeedShare: priority.DefaultNeedShare})
	if err != nil {
		fmt.Println(err)
		return
	}
	for a, r := range res.Areas {
		fmt.Printf("%-6s index %.2f rank %d feasibility %.2f %s\n", in.Areas[a], r.Index, r.Rank, r.Feasibility, r.Quadrant)
	}
	p := res.Pilots[0]
	fmt.Println("pilot:", in.Areas[p.Area])
	fmt.Println(p.ExplanationEN)
	// Output:
	// north  index 1.00 rank 1 feasibility 0.00 high_need_weak_conditions
	// centre index 0.47 rank 2 feasibility 1.00 high_need_good_conditions
	// south  index 0.00 rank 3 feasibility 0.60 lower_need_good_conditions
	// pilot: centre
	// Need: rank 2 of 3, driven mainly by overcrowding (15.0 %, 100 % of the positive contribution); good conditions (1.00, rank 1) thanks to meeting places per resident.
}
