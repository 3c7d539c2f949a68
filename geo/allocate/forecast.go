package allocate

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/input"
)

var _ TargetKind = ForecastCells{}

// ForecastCells are targets at the cells a forecast (geo/forecast) ranks highest: the cells
// with a positive forecast, the highest first (ties to the lower index). A cell's risk is its
// forecast — the expected harm weight in the coming week — split over the categories in
// proportion to the harm weight of each category observed in the cell over the forecast's
// history, or, for a cell where nothing was observed (its forecast comes from its
// neighbours), over the whole study area.
type ForecastCells struct {
	Cells *hotspot.Cells
	// Forecast is the expected harm weight per week in each cell (len Cells.Len()).
	Forecast []float64
	// Cell, Categories and Weights describe each observation the forecast learnt from: its
	// cell (an index of Cells, or -1 outside the study area), category and harm weight.
	Cell       []int
	Categories []string
	Weights    []float64
	// Illustrative: the observations include illustrative demo data.
	Illustrative bool
}

// Select returns the top cells with a positive forecast.
//
// Errors: *input.Error of targets when the forecast or the observations do not match the cells.
func (f ForecastCells) Select(top int) ([]Candidate, error) {
	n := f.Cells.Len()
	if len(f.Forecast) != n || len(f.Categories) != len(f.Cell) || len(f.Weights) != len(f.Cell) {
		return nil, input.Invalid("targets", "a forecast of %d values for %d cells, or %d observations with %d categories and %d weights",
			len(f.Forecast), n, len(f.Cell), len(f.Categories), len(f.Weights))
	}
	var ranked []int
	for k, v := range f.Forecast {
		if v > 0 {
			ranked = append(ranked, k)
		}
	}
	slices.SortStableFunc(ranked, func(a, b int) int { return cmp.Compare(f.Forecast[b], f.Forecast[a]) })
	ranked = ranked[:min(top, len(ranked))]
	pos := make(map[int]int, len(ranked))
	for p, k := range ranked {
		pos[k] = p
	}
	own := make([]map[string]float64, len(ranked))
	all := map[string]float64{}
	for m, k := range f.Cell {
		if k < 0 {
			continue
		}
		all[f.Categories[m]] += f.Weights[m]
		if p, ok := pos[k]; ok {
			if own[p] == nil {
				own[p] = map[string]float64{}
			}
			own[p][f.Categories[m]] += f.Weights[m]
		}
	}
	out := make([]Candidate, 0, len(ranked))
	for p, k := range ranked {
		shares := own[p]
		if shares == nil {
			shares = all
		}
		total := 0.0
		for _, w := range shares {
			total += w
		}
		if !(total > 0) {
			continue // nothing observed anywhere: no category to give the risk
		}
		i, j := f.Cells.I[k], f.Cells.J[k]
		c := Candidate{ID: fmt.Sprintf("cell:%d_%d", i, j), Name: fmt.Sprintf("Hexagon %d,%d (forecast %.2f a week)", i, j, f.Forecast[k]),
			Point: hotspot.HexCentre(i, j, f.Cells.Side), Risk: map[string]float64{}, Total: f.Forecast[k], Illustrative: f.Illustrative}
		for cat, w := range shares {
			if w > 0 {
				c.Risk[cat] = f.Forecast[k] * w / total
			}
		}
		out = append(out, c)
	}
	return out, nil
}
