package hotspot

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/input"
)

// square returns the n×n cells (i, j) from (0, 0) of a grid with side s over an extent
// reaching their hexagons.
func square(n int, s float64) *Cells {
	c := &Cells{Side: s}
	for i := range n {
		for j := range n {
			c.I, c.J = append(c.I, i), append(c.J, j)
		}
	}
	c.Bound = orb.Bound{Min: orb.Point{-s, -s}, Max: orb.Point{1.5 * s * float64(n), 2 * s * float64(n)}}
	return c
}

// TestBinCountsKeptCellsWhole checks the border rule: an observation counts in its hexagon
// when that hexagon is a study cell, wherever the study area's own edge runs through it, and
// nowhere when its hexagon is not a study cell.
func TestBinCountsKeptCellsWhole(t *testing.T) {
	cells := &Cells{Side: 100, I: []int{0, 0, 1}, J: []int{0, 1, 0}}
	c00, c01, c10 := HexCentre(0, 0, 100), HexCentre(0, 1, 100), HexCentre(1, 0, 100)
	obs := Observations{
		Points: []orb.Point{
			c00,                   // in (0, 0)
			{c00[0] - 90, c00[1]}, // (0, 0), near its left vertex: outside an area whose edge is x = 0
			{c01[0], c01[1] + 80}, // (0, 1), near its top edge
			{c10[0] + 60, c10[1]}, // (1, 0)
			HexCentre(5, 5, 100),  // a hexagon that is not a study cell
			{c00[0], c00[1] - 87}, // (0, -1), below (0, 0)'s bottom edge: not a study cell
		},
		Weights: []float64{1, 2, 4, 8, 16, 32},
	}
	b := cells.Bin(obs)
	if got, want := b.Cell, []int{0, 0, 1, 2, -1, -1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cells %v, want %v", got, want)
	}
	if got, want := b.Count, []int64{2, 1, 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	if got, want := b.Weight, []float64{3, 4, 8}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("weights %v, want %v", got, want)
	}
	if b.Counted != 4 {
		t.Errorf("counted %d, want 4 (the two outside the study cells are not)", b.Counted)
	}
}

// TestHotSpotsIsGiStarOfTheBinnedWeights checks the pipeline against its parts.
func TestHotSpotsIsGiStarOfTheBinnedWeights(t *testing.T) {
	cells := square(8, 100)
	var obs Observations
	for k := range 200 {
		c := HexCentre(k%3, k%5, 100)
		obs.Points = append(obs.Points, orb.Point{c[0] + float64(k%7), c[1] - float64(k%11)})
		obs.Weights = append(obs.Weights, float64(1+k%4))
	}
	a, err := HotSpots(Input{Cells: cells, Observations: obs, Band: 300})
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := DistanceBand(cells.Centres(), 300)
	b := cells.Bin(obs)
	want, _ := GiStar(b.Weight, nb)
	if len(a.Results) != len(want) || a.Counted != 200 {
		t.Fatalf("%d results, %d counted; want %d and 200", len(a.Results), a.Counted, len(want))
	}
	for k := range want {
		if a.Results[k] != want[k] {
			t.Errorf("cell %d: %+v, want %+v", k, a.Results[k], want[k])
		}
	}
	if a.Results[0].Bin <= 0 {
		t.Errorf("the corner holding every observation is not hot: %+v", a.Results[0])
	}
}

func TestAnalysisErrorsNameTheField(t *testing.T) {
	one := &Cells{Side: 100, I: []int{0}, J: []int{0}}
	jan := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2024, 2, 15, 0, 0, 0, 0, time.UTC)
	obs := Observations{Points: []orb.Point{{0, 0}}, Weights: []float64{1}, Times: []time.Time{jan}}
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"no band", second(HotSpots(Input{Cells: square(3, 100), Observations: obs, Band: 0})), "band"},
		{"one cell", second(HotSpots(Input{Cells: one, Observations: obs, Band: 300})), "area"},
		{"no observations, no window", second(EmergingHotSpots(EmergingInput{Cells: square(3, 100), Band: 300, Unit: SliceMonth})), "datetime"},
		{"two months", second(EmergingHotSpots(EmergingInput{Cells: square(3, 100), Observations: obs, Band: 300, Unit: SliceMonth, To: &feb})), "datetime"},
		{"21 years of months", second(EmergingHotSpots(EmergingInput{Cells: square(3, 100), Observations: obs, Band: 300, Unit: SliceMonth,
			To: ptr(jan.AddDate(21, 0, 0))})), "slice"},
		{"weeks", second(EmergingHotSpots(EmergingInput{Cells: square(3, 100), Observations: obs, Band: 300, Unit: "week"})), "slice"},
		{"one cell, three months", second(EmergingHotSpots(EmergingInput{Cells: one, Observations: obs, Band: 300, Unit: SliceMonth,
			To: ptr(jan.AddDate(0, 2, 0))})), "area"},
		{"no kernel", second(Density(DensityInput{Extent: square(3, 100).Bound, Observations: obs, Bandwidth: -1})), "cell"},
	}
	for _, tt := range tests {
		var ie *input.Error
		if !errors.As(tt.err, &ie) || ie.Field != tt.field || !errors.Is(tt.err, input.ErrInvalid) {
			t.Errorf("%s: error %v, want an *input.Error of %s", tt.name, tt.err, tt.field)
		}
	}
	refused := errors.New("too costly")
	_, err := EmergingHotSpots(EmergingInput{Cells: square(3, 100), Observations: obs, Band: 300, Unit: SliceMonth, To: ptr(jan.AddDate(0, 5, 0)),
		Check: func(slices int) error {
			if slices != 6 {
				t.Errorf("checked %d slices, want 6", slices)
			}
			return refused
		}})
	if err != refused {
		t.Errorf("a refusal of Check came back as %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func ptr[T any](v T) *T { return &v }

// TestEmergingHotSpotsSlices checks the calendar slices: from the window's first to its last
// slice when both ends are given, else from the observations; empty slices are zeros, and
// observations outside the slices or the cells are not counted.
func TestEmergingHotSpotsSlices(t *testing.T) {
	cells := square(4, 100)
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	var obs Observations
	add := func(i, j int, t time.Time) {
		obs.Points = append(obs.Points, HexCentre(i, j, 100))
		obs.Weights = append(obs.Weights, 1)
		obs.Times = append(obs.Times, t)
	}
	add(0, 0, at(2023, 2, 10))
	add(0, 0, at(2023, 5, 31))
	add(1, 1, at(2023, 8, 1))
	add(9, 9, at(2023, 6, 1)) // not a study cell
	tests := []struct {
		name     string
		unit     SliceUnit
		from, to *time.Time
		slices   []string
		counted  int64
	}{
		{"months from the observations", SliceMonth, nil, nil,
			[]string{"2023-02-01", "2023-03-01", "2023-04-01", "2023-05-01", "2023-06-01", "2023-07-01", "2023-08-01"}, 3},
		{"quarters of a window", SliceQuarter, ptr(at(2023, 1, 1)), ptr(at(2023, 12, 31)),
			[]string{"2023-01-01", "2023-04-01", "2023-07-01", "2023-10-01"}, 3},
		{"a window cutting the observations", SliceMonth, ptr(at(2023, 4, 1)), ptr(at(2023, 6, 30)),
			[]string{"2023-04-01", "2023-05-01", "2023-06-01"}, 1},
		{"years from a window's start", SliceYear, ptr(at(2021, 3, 1)), nil, []string{"2021-01-01", "2022-01-01", "2023-01-01"}, 3},
	}
	for _, tt := range tests {
		a, err := EmergingHotSpots(EmergingInput{Cells: cells, Observations: obs, Band: 200, Unit: tt.unit, From: tt.from, To: tt.to})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, s := range a.Slices {
			got = append(got, s.Format(time.DateOnly))
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.slices) {
			t.Errorf("%s: slices %v, want %v", tt.name, got, tt.slices)
		}
		if a.Counted != tt.counted {
			t.Errorf("%s: counted %d, want %d", tt.name, a.Counted, tt.counted)
		}
		if len(a.Results) != cells.Len() || len(a.Results[0].Z) != len(tt.slices) {
			t.Errorf("%s: %d results of %d slices", tt.name, len(a.Results), len(a.Results[0].Z))
		}
	}
}

// TestSliceUnits: slices are calendar months, quarters and years in Swedish local time (issue
// 14, point 13): an event at 00:30 on 1 February (23:30 UTC the day before) is February's;
// window bounds given as dates are those calendar days.
func TestSliceUnits(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	tests := []struct {
		unit        SliceUnit
		t           time.Time
		trunc       string
		start, end  time.Time
		count       int
		startOfNext string
	}{
		{SliceMonth, d("2024-03-31T23:59:59Z"), "2024-04-01", d("2024-01-01T00:00:00Z"), d("2024-12-31T23:59:59Z"), 12, "2024-05-01"},
		{SliceMonth, d("2024-04-01T00:30:00+02:00"), "2024-04-01", d("2024-02-01T00:00:00Z"), d("2024-01-31T00:00:00Z"), 0, "2024-05-01"},
		{SliceMonth, d("2024-01-31T23:30:00Z"), "2024-02-01", d("2024-01-01T00:00:00Z"), d("2024-03-31T23:59:59.999999999Z"), 3, "2024-03-01"},
		{SliceMonth, d("2024-10-31T22:59:59Z"), "2024-10-01", d("2024-10-15T12:00:00Z"), d("2024-10-31T23:30:00Z"), 2, "2024-11-01"},
		{SliceQuarter, d("2024-06-30T12:00:00Z"), "2024-04-01", d("2023-11-15T00:00:00Z"), d("2024-04-01T00:00:00Z"), 3, "2024-07-01"},
		{SliceYear, d("2024-06-30T12:00:00Z"), "2024-01-01", d("2019-12-31T00:00:00Z"), d("2024-01-01T00:00:00Z"), 6, "2025-01-01"},
		{SliceYear, d("2024-12-31T23:30:00Z"), "2025-01-01", d("2024-01-01T00:00:00Z"), d("2024-12-31T00:00:00Z"), 1, "2026-01-01"},
	}
	for _, tt := range tests {
		tr := tt.unit.Truncate(tt.t)
		if got := tr.Format(time.DateOnly); got != tt.trunc || tr.Format("15:04:05") != "00:00:00" {
			t.Errorf("%s Truncate(%v) = %v, want %s at local midnight", tt.unit, tt.t, tr, tt.trunc)
		}
		if got := tt.unit.Count(tt.start, tt.end); got != tt.count {
			t.Errorf("%s Count(%v, %v) = %d, want %d", tt.unit, tt.start, tt.end, got, tt.count)
		}
		next := tt.unit.Start(tr, 1)
		if got := next.Format(time.DateOnly); got != tt.startOfNext || next.Format("15:04:05") != "00:00:00" {
			t.Errorf("%s Start(%v, 1) = %v, want %s at local midnight", tt.unit, tr, next, tt.startOfNext)
		}
		if got := tt.unit.Index(tr, tt.unit.Start(tr, 7)); got != 7 {
			t.Errorf("%s Index of Start(7) = %d", tt.unit, got)
		}
	}
	// Summer time as the time zone database has it for Europe/Stockholm.
	for _, c := range []struct {
		utc, local string
	}{
		{"2024-03-31T00:59:59Z", "2024-03-31T01:59:59+01:00"},
		{"2024-03-31T01:00:00Z", "2024-03-31T03:00:00+02:00"},
		{"2024-10-27T00:59:59Z", "2024-10-27T02:59:59+02:00"},
		{"2024-10-27T01:00:00Z", "2024-10-27T02:00:00+01:00"},
		{"2021-03-28T01:00:00Z", "2021-03-28T03:00:00+02:00"},
	} {
		if got := Local(d(c.utc)).Format(time.RFC3339); got != c.local {
			t.Errorf("Local(%s) = %s, want %s", c.utc, got, c.local)
		}
	}
	if got := SliceMonth.Start(SliceMonth.Truncate(d("2024-01-15T12:00:00Z")), 3).UTC().Format(time.RFC3339); got != "2024-03-31T22:00:00Z" {
		t.Errorf("1 April's local midnight is %s UTC, want 2024-03-31T22:00:00Z (CEST)", got)
	}
}

// TestSliceZoneMatchesTZData: the computed Swedish time agrees with the system's time zone
// database for Europe/Stockholm, hour by hour over the years the data covers.
func TestSliceZoneMatchesTZData(t *testing.T) {
	loc, err := time.LoadLocation(SliceZone)
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	for h := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC); h.Year() < 2031; h = h.Add(time.Hour) {
		_, want := h.In(loc).Zone()
		if _, got := Local(h).Zone(); got != want {
			t.Fatalf("%v: offset %d s, the database says %d s", h, got, want)
		}
	}
}
