package analysis

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/layers"
)

// An analysis' cost is estimated from its parameters before it computes anything, and before
// it loads observations where the parameters and the study area's extent suffice; past a
// bound the request is a 400 naming the parameter to change. (Before, method=kde&cell=10&
// bandwidth=5000 computed for 26 s and only then answered 400: issue 12, finding 8.) Each
// bound is set so that the largest accepted analysis computes in about a second on the
// reference machine and holds no more than about a hundred megabytes while it does.
const (
	// maxGiPairs bounds cells × neighbours of a Gi* analysis (and of each emerging slice):
	// the neighbour lists take 4 bytes a pair, and Gi* sums over every pair.
	maxGiPairs = 20_000_000
	// maxAnswerCells bounds the hexagons of a Gi* or emerging answer: about 620 bytes each as
	// GeoJSON and 1.1 kB each kept for tiles (analysisBytes), so the largest answer is about
	// 30 MB, and one kept for tiles about 55 MB. (Estimated from the area's extent, which
	// overestimates: the default 150 m hexagons over Västerås are 16,344 cells.)
	maxAnswerCells = 50_000
	// maxEmergingValues bounds cells × time slices of an emerging analysis (8 bytes each).
	maxEmergingValues = 10_000_000
	// maxEmergingWork bounds cells × neighbours × slices: Gi* runs once per slice.
	maxEmergingWork = 200_000_000
	// maxKDEGrid bounds the cells of a density surface (8 bytes each).
	maxKDEGrid = 4_000_000
	// maxKDEReach bounds the cells a kernel reaches on each side (bandwidth ÷ cell): every
	// point adds to (2·reach+1)² cells.
	maxKDEReach = 100
	// maxKDEWork bounds points × cells a kernel reaches, checked once the points are loaded.
	maxKDEWork = 1_000_000_000
	// maxSensitivityWork bounds draws × areas of the priority sensitivity analysis (a rank
	// of 4 bytes for each, per method).
	maxSensitivityWork = 20_000_000
	// maxPlanWork bounds the visits a deployment plan places: weeks × the lesser of the
	// targets' doses in visits (max_dose ÷ visit_minutes each) and the actors' capacity. The
	// greedy takes one visit per heap step, about a microsecond each with the schedule and the
	// document (52 weeks of 960,000 visits took 50 s).
	maxPlanWork = 2_000_000
)

// hexNeighbours estimates the cells within band of a cell (itself included): the area of the
// band's circle over a hexagon's (3√3/2·side²), plus the ring the circle cuts.
func hexNeighbours(side, band float64) float64 {
	hex := 3 * math.Sqrt(3) / 2 * side * side
	return math.Pi*(band+side)*(band+side)/hex + 1
}

// kdeReach is how many cells either side of a point its kernel reaches (as kde.Estimate).
func kdeReach(bandwidth, cell float64) float64 { return math.Ceil(bandwidth/cell) + 1 }

// checkParams refuses what the parameters alone make too costly, before anything is read.
func (r *hotspotRequest) checkParams() error {
	if r.method == "kde" {
		if reach := kdeReach(r.bandwidth, r.cell); reach > maxKDEReach {
			return layers.Invalid("bandwidth", "a bandwidth of %g m over %g m cells reaches %.0f cells either side of each point, more than %d; use a larger cell or a smaller bandwidth",
				r.bandwidth, r.cell, reach, maxKDEReach)
		}
	}
	return nil
}

// checkStudy refuses what the study area's extent makes too costly, before the cells are made
// and the observations loaded. slices is the number of time slices when the window fixes it,
// else 0 (checked again once the observations are in: checkSlices).
func (r *hotspotRequest) checkStudy(bound orb.Bound, slices int) error {
	if r.method == "kde" {
		w, h := bound.Max[0]-bound.Min[0], bound.Max[1]-bound.Min[1]
		if grid := math.Ceil(w/r.cell) * math.Ceil(h/r.cell); grid > maxKDEGrid {
			return layers.Invalid("cell", "%g m cells over this area make %.0f cells, more than %d; use a larger cell or a smaller area", r.cell, grid, maxKDEGrid)
		}
		return nil
	}
	cells := layers.MaxHexCells(bound, r.side)
	if cells > maxAnswerCells {
		return layers.Invalid("side", "%g m hexagons over this area make about %.0f cells, more than %d; use a larger side or a smaller area", r.side, cells, maxAnswerCells)
	}
	if pairs := cells * hexNeighbours(r.side, r.band); pairs > maxGiPairs {
		return layers.Invalid("band", "a band of %g m over %g m hexagons makes about %.0f neighbour pairs over this area, more than %d; use a smaller band, a larger side or a smaller area",
			r.band, r.side, pairs, maxGiPairs)
	}
	if slices > 0 {
		return r.checkSlices(cells, slices)
	}
	return nil
}

// checkSlices refuses an emerging analysis whose cells × slices are too many.
func (r *hotspotRequest) checkSlices(cells float64, slices int) error {
	if v := cells * float64(slices); v > maxEmergingValues {
		return layers.Invalid("slice", "%d %ss over about %.0f cells make %.0f values, more than %d; use a longer slice, a shorter datetime window, a larger side or a smaller area",
			slices, r.slice, cells, v, maxEmergingValues)
	}
	if work := cells * hexNeighbours(r.side, r.band) * float64(slices); work > maxEmergingWork {
		return layers.Invalid("slice", "%d %ss of Gi* over about %.0f cells with their neighbours are about %.0f steps, more than %d; use a longer slice, a shorter datetime window, a smaller band or a smaller area",
			slices, r.slice, cells, work, maxEmergingWork)
	}
	return nil
}

// checkKDEPoints refuses a density surface of too many points for its kernel's reach.
func (r *hotspotRequest) checkKDEPoints(points int) error {
	reach := kdeReach(r.bandwidth, r.cell)
	if work := float64(points) * (2*reach + 1) * (2*reach + 1); work > maxKDEWork {
		return layers.Invalid("bandwidth", "%d observations, each reaching %.0f cells, are %.0f steps, more than %d; use a larger cell, a smaller bandwidth, or a shorter datetime window",
			points, (2*reach+1)*(2*reach+1), work, maxKDEWork)
	}
	return nil
}

// maxForecastCellWeeks bounds cells × history weeks × 2 of a forecast (it is made from all
// sources and again without the police's): binning, the self-exciting model's features and
// every backtest origin's ranking are linear in it. The default forecast over Västerås
// (150 m hexagons, 156 weeks) is about 5 million; 52 weeks of backtest over 12,000 cells and
// 1,000,000 observations take about 2.3 CPU seconds a variant (geo/forecast BenchmarkBacktest).
const maxForecastCellWeeks = 12_000_000

// checkForecastStudy refuses, from the study area's extent and before the cells are made and
// the observations read, a forecast with too many cells or cell-weeks.
func (r *forecastRequest) checkForecastStudy(bound orb.Bound) error {
	return r.checkForecastCells(layers.MaxHexCells(bound, r.side))
}

// checkForecastCells refuses a forecast over cells hexagons (an estimate, or the count once
// they are made) that would be too large an answer or too long a computation.
func (r *forecastRequest) checkForecastCells(cells float64) error {
	if cells > maxAnswerCells {
		return layers.Invalid("side", "%g m hexagons over this area make about %.0f cells, more than %d; use a larger side or a smaller area", r.side, cells, maxAnswerCells)
	}
	if cw := cells * float64(r.history) * 2; cw > maxForecastCellWeeks {
		return layers.Invalid("history", "%d weeks over about %.0f cells (twice: with and without the police's reports) are %.0f cell-weeks, more than %d; use a shorter history, a larger side or a smaller area",
			r.history, cells, cw, maxForecastCellWeeks)
	}
	return nil
}
