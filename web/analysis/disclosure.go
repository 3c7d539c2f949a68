package analysis

import (
	"github.com/lagesbild/lagesbild/geo/disclose"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Disclosure control of the aggregated view: what a caller who may not read observation
// points (anonymous, public, civil society, everyone under Config.AggregatedOnly, and anyone
// asking disclosure=aggregated) gets from the hotspot analyses, their tiles and the place
// ranking. With k = the minimum cell count (default 5):
//
//   - a cell (or place) with fewer than k observations is suppressed whole: its count, value
//     and every statistic computed from it (bin, class, FDR flag, emerging pattern and slice
//     counts) are null, so an occupied suppressed cell reads exactly like an empty one;
//   - exact statistics (z, p, p_fdr, trend z/p/tau, last z) are never given, shown cell or
//     not: only the classes (bin, class, survives_fdr, pattern) are. An exact z is a linear
//     function of the neighbourhood's counts, and the z of every cell together can be solved
//     for each cell's count;
//   - the Gi* neighbourhood must span at least minAggregatedBandSides sides (13 cells on the
//     hexagon grid), so a shown class always mixes several cells' counts: a smaller band is a
//     400, not a silent change;
//   - every count shown (cells, places, totals) is rounded to the nearest multiple of k, and
//     weighted values and densities to two significant digits, so that the difference of two
//     shown figures (two time windows, two categories, a cell and its neighbours) does not
//     give a single observation exactly;
//   - suppressed places are neither ranked nor ordered by their hidden figures;
//   - a time window runs over whole days (UTC), so that moving its end does not time an
//     observation closer than to the day.

// minAggregatedBandSides is the smallest Gi* band, in hexagon sides, of an aggregated answer.
const minAggregatedBandSides = 3

// exactStatistics are the cell properties an aggregated answer never gives.
var exactStatistics = []string{"z", "p", "p_fdr", "trend_z", "trend_p", "trend_tau", "z_last"}

// countStatistics are the cell properties computed from counts: null for a suppressed cell.
var countStatistics = []string{"bin", "class", "survives_fdr", "pattern", "pattern_code", "hot_slices", "cold_slices", "sig_last"}

// countProps adds a cell's count and value and, in the aggregated view, applies the rules
// above to props; it reports whether the cell's figures are shown (always with full
// disclosure).
func (s *Room) countProps(props map[string]any, r *hotspotRequest, count int64, weight float64) bool {
	if !r.aggregated {
		props["count"], props["value"], props["suppressed"] = count, respond.Round(weight, 6), false
		return true
	}
	for _, key := range exactStatistics {
		if _, ok := props[key]; ok {
			props[key] = nil
		}
	}
	if count < int64(s.minCellCount()) {
		props["count"], props["value"], props["suppressed"] = nil, nil, true
		for _, key := range countStatistics {
			if _, ok := props[key]; ok {
				props[key] = nil
			}
		}
		return false
	}
	props["count"], props["value"], props["suppressed"] = s.roundCount(count), s.roundWeight(r.filter.Weighting, count, weight), false
	return true
}

// roundCount rounds n to the nearest multiple of the minimum cell count (halves up).
func (s *Room) roundCount(n int64) int64 { return disclose.RoundCount(n, s.minCellCount()) }

// roundWeight rounds a weighted sum for the aggregated view: as a count when each
// observation weighs 1, else to two significant digits.
func (s *Room) roundWeight(w layers.Weighting, count int64, weight float64) float64 {
	if w == layers.WeightCount || w == "" {
		return float64(s.roundCount(count))
	}
	return disclose.Significant(weight, 2)
}

// discloseSummary rounds the totals of an aggregated summary as the cells are.
func (s *Room) discloseSummary(summary map[string]any, r *hotspotRequest) {
	if n, ok := summary["observations"].(int64); ok {
		summary["observations"] = s.roundCount(n)
		if w, ok := summary["total_weight"].(float64); ok {
			summary["total_weight"] = s.roundWeight(r.filter.Weighting, n, w)
		}
	}
	summary["rounded_to"] = s.minCellCount()
}

// checkAggregatedRequest refuses, in the aggregated view, a Gi* neighbourhood smaller than
// minAggregatedBandSides sides and a time window that does not run over whole days.
func (s *Room) checkAggregatedRequest(r *hotspotRequest) error {
	if !r.aggregated {
		return nil
	}
	if r.method != "kde" && r.band < minAggregatedBandSides*r.side {
		return layers.Invalid("band", "%g m is less than %d × side (%g m): without access to observations a cell's statistic must mix its neighbours' counts",
			r.band, minAggregatedBandSides, minAggregatedBandSides*r.side)
	}
	return request.CheckAggregatedWindow(r.filter.Datetime)
}
