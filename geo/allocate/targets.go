package allocate

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/input"
)

// Target selection: which places or cells a plan covers. Each kind of computed target is a
// TargetKind made from its loaded inputs; the planner keeps a table of kinds by name, so a new
// kind (a forecast, say) is one more TargetKind and one more row.

// Candidate is a computed target with its harm-weighted risk per category.
type Candidate struct {
	ID      string // "place:<id>" or "cell:<i>_<j>": unique within a plan
	Name    string
	PlaceID *int64 // the place's id, for a place
	Point   orb.Point
	// Risk is per category name; Total their sum.
	Risk  map[string]float64
	Total float64
	// Illustrative: computed from illustrative demo data.
	Illustrative bool
}

// A TargetKind makes the candidate targets of one kind.
type TargetKind interface {
	// Select returns at most top candidates, the most at risk first, or none when nothing
	// qualifies. Its errors are *input.Error naming the request field at fault.
	Select(top int) ([]Candidate, error)
}

var (
	_ TargetKind = Places{}
	_ TargetKind = HotCells{}
)

// Place is a public place with its risk per category (harm-weighted kernel density at the
// place, per km²), Point in EPSG:3006.
type Place struct {
	ID           int64
	Name         string
	Point        orb.Point
	Risk         map[string]float64
	Total        float64
	Illustrative bool
}

// Places are targets at public places. Places must be ordered by Total, highest first (ties
// by id), as the planner's loader gives them.
type Places struct {
	Places []Place
	// Listed: the places were named by the request (place_ids) and are all targets, whatever
	// their risk; otherwise the top places with a positive risk are.
	Listed bool
}

// Select returns the listed places, or the first top places with a positive total.
func (p Places) Select(top int) ([]Candidate, error) {
	places := p.Places
	if !p.Listed {
		n := 0
		for n < len(places) && n < top && places[n].Total > 0 {
			n++
		}
		places = places[:n]
	}
	out := make([]Candidate, len(places))
	for k, pl := range places {
		id := pl.ID
		out[k] = Candidate{ID: "place:" + strconv.FormatInt(pl.ID, 10), Name: pl.Name, PlaceID: &id, Point: pl.Point,
			Risk: pl.Risk, Total: pl.Total, Illustrative: pl.Illustrative}
	}
	return out, nil
}

// HotCellBandSides is the Gi* distance band of cell targets in hexagon sides (13 cells on
// the grid, as the hotspot API's default).
const HotCellBandSides = 3

// HotCells are targets at the Gi* hot spots of harm-weighted observations over a study
// area's hexagons: the cells hot at 95 % or more (Gi_Bin ≥ 2) with a positive value, the
// heaviest first. A cell's risk per category is the weight of that category's observations in
// it per week of the period.
type HotCells struct {
	Cells        *hotspot.Cells
	Observations hotspot.Observations
	Categories   []string // of each observation
	Weeks        float64  // the length of the period the observations cover
	// Illustrative: the observations include illustrative demo data (every cell target says so).
	Illustrative bool
}

// Select runs Gi* (hotspot.HotSpots, band HotCellBandSides sides) and returns the top hot
// cells.
//
// Errors: *input.Error of targets.side when the study area has too few cells for Gi*.
func (h HotCells) Select(top int) ([]Candidate, error) {
	a, err := hotspot.HotSpots(hotspot.Input{Cells: h.Cells, Observations: h.Observations, Band: HotCellBandSides * h.Cells.Side})
	if err != nil {
		return nil, input.Named("targets.side", err)
	}
	var hot []int
	for k, g := range a.Results {
		if g.Bin >= 2 && a.Weight[k] > 0 {
			hot = append(hot, k)
		}
	}
	slices.SortStableFunc(hot, func(x, y int) int { return cmp.Compare(a.Weight[y], a.Weight[x]) })
	hot = hot[:min(top, len(hot))]
	pos := make(map[int]int, len(hot))
	out := make([]Candidate, len(hot))
	for n, k := range hot {
		pos[k] = n
		i, j := h.Cells.I[k], h.Cells.J[k]
		out[n] = Candidate{ID: fmt.Sprintf("cell:%d_%d", i, j), Name: fmt.Sprintf("Hexagon %d,%d (z %.1f)", i, j, a.Results[k].Z),
			Point: hotspot.HexCentre(i, j, h.Cells.Side), Risk: map[string]float64{}, Illustrative: h.Illustrative}
	}
	for m, k := range a.Cell {
		if n, ok := pos[k]; ok && k >= 0 {
			out[n].Risk[h.Categories[m]] += h.Observations.Weights[m] / h.Weeks
		}
	}
	for n := range out {
		for _, v := range out[n].Risk {
			out[n].Total += v
		}
	}
	return out, nil
}
