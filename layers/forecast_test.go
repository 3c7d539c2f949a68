package layers_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestForecastInputs: the forecast loader returns the hot-spot analysis' cells and, for the
// same filter, the observations of the window [From, To) with their weight, time and source.
func TestForecastInputs(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	area := layers.StudyArea{Districts: []string{"1980-BACKBY", "1980-CENTRUM"}}
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	f := layers.ObservationFilter{Categories: []string{"violence", "vandalism", "open_drug_dealing"}, Weighting: layers.WeightHarm}

	var extent orb.Bound
	in, err := store.ForecastInputs(ctx, layers.ForecastQuery{Side: 200, Area: area, Filter: f, From: from, To: to,
		Check: func(b orb.Bound) error { extent = b; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	cells, err := store.HexCells(ctx, 200, area)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in.Cells.I, cells.I) || !slices.Equal(in.Cells.J, cells.J) || in.Cells.Bound != cells.Bound {
		t.Errorf("cells differ from the hot-spot analysis' (%d against %d)", len(in.Cells.I), len(cells.I))
	}
	if extent != cells.Bound {
		t.Errorf("Check saw %v, want the study area's extent %v", extent, cells.Bound)
	}

	end := to.Add(-time.Nanosecond)
	hf := f
	hf.Datetime = &layers.Interval{Start: &from, End: &end}
	// HotspotInputs reads 2 × side beyond the area's extent: a border cell is kept whole.
	pts, err := store.WeightedObservations(ctx, cells.Bound.Pad(2*200), hf, layers.ObservationColumns{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Points) == 0 || len(in.Points) != len(pts.Points) {
		t.Fatalf("%d observations, want %d (as the hot-spot loader)", len(in.Points), len(pts.Points))
	}
	if len(in.Weights) != len(in.Points) || len(in.Times) != len(in.Points) || len(in.Sources) != len(in.Points) {
		t.Fatalf("lengths %d %d %d %d", len(in.Points), len(in.Weights), len(in.Times), len(in.Sources))
	}
	sum := func(w []float64) (s float64) {
		for _, x := range w {
			s += x
		}
		return s
	}
	if got, want := sum(in.Weights), sum(pts.Weights); got-want > 1e-6 || want-got > 1e-6 {
		t.Errorf("total harm weight %v, want %v", got, want)
	}
	police := 0
	for k, at := range in.Times {
		if at.Before(from) || !at.Before(to) {
			t.Errorf("observation %d at %s is outside [%s, %s)", k, at, from, to)
		}
		if slices.Contains(layers.PoliceSources(), in.Sources[k]) {
			police++
		}
	}
	want := forecastCount(t, db, `SELECT count(*) FROM observations o JOIN districts d ON d.level = 'district' AND d.code = ANY ($1)
		AND ST_Intersects(d.geom, o.geom) WHERE o.source = 'police' AND o.observed_at >= $2 AND o.observed_at < $3
		AND o.category = ANY ($4)`, area.Districts, from, to, f.Categories)
	if want == 0 || int64(police) < want {
		t.Errorf("%d police observations, want at least the %d inside the districts", police, want)
	}
	if !in.Illustrative || in.Class != layers.Restricted {
		t.Errorf("illustrative %t, class %s; want the demo's illustrative, restricted police rows", in.Illustrative, in.Class)
	}

	// The sources filter applies, and the check refuses before anything is read.
	only, err := store.ForecastInputs(ctx, layers.ForecastQuery{Side: 200, Area: area, From: from, To: to,
		Filter: layers.ObservationFilter{Sources: []string{"resident_survey"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range only.Sources {
		if s != "resident_survey" {
			t.Fatalf("source %q with source=resident_survey", s)
		}
	}
	refused := errors.New("too costly")
	if _, err := store.ForecastInputs(ctx, layers.ForecastQuery{Side: 200, Area: area, From: from, To: to,
		Check: func(orb.Bound) error { return refused }}); !errors.Is(err, refused) {
		t.Errorf("Check's refusal: %v", err)
	}
	// The read stops at the bound: one observation past Max is an error, not a held row.
	if _, err := store.WeightedObservations(ctx, cells.Bound.Pad(2*200), hf, layers.ObservationColumns{Max: 10}); !errors.Is(err, layers.ErrTooManyObservations) {
		t.Errorf("ten observations at most: %v, want ErrTooManyObservations", err)
	}
	if got, err := store.WeightedObservations(ctx, cells.Bound.Pad(2*200), hf, layers.ObservationColumns{Max: len(pts.Points), Sources: true}); err != nil || len(got.Sources) != len(pts.Points) {
		t.Errorf("exactly Max observations: %v, %d sources", err, len(got.Sources))
	}
	var inv *layers.InvalidError
	for _, tc := range []struct {
		q     layers.ForecastQuery
		param string
	}{
		{layers.ForecastQuery{Side: 200, Area: area, From: to, To: from}, "history"},
		{layers.ForecastQuery{Side: 200, Area: area, From: from, To: to, Filter: layers.ObservationFilter{Weighting: "loud"}}, "weighting"},
		{layers.ForecastQuery{Side: 200, Area: layers.StudyArea{Districts: []string{"nowhere"}}, From: from, To: to}, "area"},
	} {
		if _, err := store.ForecastInputs(ctx, tc.q); !errors.As(err, &inv) || inv.Param != tc.param {
			t.Errorf("%+v: %v, want invalid %s", tc.q, err, tc.param)
		}
	}
}

func forecastCount(t *testing.T, db *layerstest.DB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
