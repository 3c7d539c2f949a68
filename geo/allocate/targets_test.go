package allocate

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/input"
)

func TestPlacesSelect(t *testing.T) {
	places := []Place{
		{ID: 7, Name: "Torget", Risk: map[string]float64{"theft": 3}, Total: 3},
		{ID: 2, Name: "Parken", Risk: map[string]float64{"violence": 1}, Total: 1, Illustrative: true},
		{ID: 4, Name: "Stationen", Risk: map[string]float64{}, Total: 0},
	}
	tests := []struct {
		name   string
		p      Places
		top    int
		want   []string
		places []int64
	}{
		{"top two", Places{Places: places}, 2, []string{"place:7", "place:2"}, []int64{7, 2}},
		{"a place without risk is no target", Places{Places: places}, 10, []string{"place:7", "place:2"}, []int64{7, 2}},
		{"top one", Places{Places: places}, 1, []string{"place:7"}, []int64{7}},
		{"listed places, whatever their risk", Places{Places: places, Listed: true}, 1, []string{"place:7", "place:2", "place:4"}, []int64{7, 2, 4}},
		{"none at risk", Places{Places: places[2:]}, 5, nil, nil},
	}
	for _, tt := range tests {
		got, err := tt.p.Select(tt.top)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var ids []string
		var pids []int64
		for _, c := range got {
			ids = append(ids, c.ID)
			pids = append(pids, *c.PlaceID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.want) || fmt.Sprint(pids) != fmt.Sprint(tt.places) {
			t.Errorf("%s: %v (places %v), want %v (%v)", tt.name, ids, pids, tt.want, tt.places)
		}
	}
	got, _ := Places{Places: places}.Select(2)
	if got[1].Illustrative != true || got[1].Name != "Parken" || got[1].Total != 1 {
		t.Errorf("the second target is %+v", got[1])
	}
}

// TestHotCellsSelect builds two clusters on a grid of 12×12 hexagons: the heavier one's
// centre comes first, each target's risks are its observations' weights per category per
// week, and cells that are not hot at 95 % are no targets.
func TestHotCellsSelect(t *testing.T) {
	const side = 100
	cells := &hotspot.Cells{Side: side}
	for i := range 12 {
		for j := range 12 {
			cells.I, cells.J = append(cells.I, i), append(cells.J, j)
		}
	}
	var h HotCells
	h.Cells, h.Weeks = cells, 2
	add := func(i, j int, cat string, w float64, n int) {
		c := hotspot.HexCentre(i, j, side)
		for k := range n {
			h.Observations.Points = append(h.Observations.Points, orb.Point{c[0] + float64(k%5), c[1]})
			h.Observations.Weights = append(h.Observations.Weights, w)
			h.Categories = append(h.Categories, cat)
		}
	}
	add(3, 3, "theft", 2, 30)
	add(3, 3, "violence", 5, 4)
	add(3, 4, "theft", 1, 10)
	add(9, 8, "violence", 3, 12)
	add(9, 9, "violence", 3, 8)
	add(20, 20, "theft", 100, 50) // outside the study cells
	all, err := h.Select(100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2 || all[0].ID != "cell:3_3" {
		t.Fatalf("targets %+v, want cell 3_3 first", all)
	}
	if got, want := all[0].Risk, map[string]float64{"theft": 30, "violence": 10}; fmt.Sprint(got) != fmt.Sprint(want) || all[0].Total != 40 {
		t.Errorf("cell 3_3: risk %v, total %v; want %v, 40 (per week over 2 weeks)", got, all[0].Total, want)
	}
	if c := hotspot.HexCentre(3, 3, side); all[0].Point != c || all[0].PlaceID != nil {
		t.Errorf("cell 3_3 at %v (place %v), want its centre %v", all[0].Point, all[0].PlaceID, c)
	}
	for k := 1; k < len(all); k++ {
		if all[k].Total > all[k-1].Total+1e-9 {
			t.Errorf("target %d (%s, %v) heavier than target %d (%v)", k, all[k].ID, all[k].Total, k-1, all[k-1].Total)
		}
		if all[k].Total <= 0 {
			t.Errorf("target %s has no risk", all[k].ID)
		}
	}
	a, _ := hotspot.HotSpots(hotspot.Input{Cells: cells, Observations: h.Observations, Band: HotCellBandSides * side})
	for _, c := range all {
		var i, j int
		fmt.Sscanf(c.ID, "cell:%d_%d", &i, &j)
		if r := a.Results[i*12+j]; r.Bin < 2 {
			t.Errorf("target %s is not hot at 95 %%: %+v", c.ID, r)
		}
	}
	top, _ := h.Select(1)
	if len(top) != 1 || top[0].ID != "cell:3_3" || math.Abs(top[0].Total-40) > 1e-12 {
		t.Errorf("top 1: %+v", top)
	}
	one := HotCells{Cells: &hotspot.Cells{Side: side, I: []int{0}, J: []int{0}}, Weeks: 1}
	var e *input.Error
	if _, err := one.Select(5); !errors.As(err, &e) || e.Field != "targets.side" || !errors.Is(err, input.ErrInvalid) {
		t.Errorf("one cell: %v, want an *input.Error of targets.side", err)
	}
}
