package layers_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestHotspotCountedAsRead checks that counting the observations into the hexagons as they
// are read (HotspotQuery.Count, what Gi* uses) gives, cell by cell and to the bit, what
// binning the observations read one by one gives (hotspot.Cells.Bin), and the same
// illustrative flag and class: for every weighting, with filters, under row-level security
// for two clearances, with observations exactly on hexagon edges and vertices (each goes to
// one cell by HexCellOf's rule) and in border cells outside the study area.
func TestHotspotCountedAsRead(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	const side = 150
	// Observations on every vertex and edge midpoint of the hexagons around Bäckby torg, of
	// every class, some not illustrative.
	var bx, by float64
	if err := db.Pool.QueryRow(ctx, `SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM places WHERE name = 'Bäckby torg'`).Scan(&bx, &by); err != nil {
		t.Fatal(err)
	}
	i0, j0 := hotspot.HexCellOf([2]float64{bx, by}, side)
	h := side * math.Sqrt(3) / 2
	n := 0
	t.Cleanup(func() {
		if _, err := db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'edge-test-%'`); err != nil {
			t.Error(err)
		}
	})
	classes := []string{"open", "internal", "restricted"}
	categories := []string{"violence", "littering", "shooting", "vandalism"}
	for i := i0 - 3; i <= i0+3; i++ {
		for j := j0 - 3; j <= j0+3; j++ {
			c := hotspot.HexCentre(i, j, side)
			for _, d := range [][2]float64{{side, 0}, {-side, 0}, {side / 2, h}, {-side / 2, h}, {side / 2, -h}, {-side / 2, -h},
				{0, h}, {0, -h}, {0.75 * side, h / 2}, {-0.75 * side, h / 2}, {0.75 * side, -h / 2}, {-0.75 * side, -h / 2}} {
				_, err := db.Pool.Exec(ctx, `INSERT INTO observations (observed_at, category, severity, source, source_id, sensitivity, illustrative, geom)
VALUES ($1, $2, $3, 'police', $4, $5, $6, ST_SetSRID(ST_MakePoint($7, $8), 3006))`,
					time.Date(2024, 3, 1+n%28, 12, 0, 0, 0, time.UTC), categories[n%4], 1+n%5, fmt.Sprintf("edge-test-%d", n),
					classes[n%3], n%7 != 0, c[0]+d[0], c[1]+d[1])
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
	}
	store := layers.NewStore(db.AppPool)
	from, to := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		kind string // the caller's organisation kind
		area layers.StudyArea
		f    layers.ObservationFilter
	}{
		{"count, all districts, police", "police", layers.StudyArea{}, layers.ObservationFilter{}},
		{"count, Bäckby, police", "police", layers.StudyArea{Districts: []string{"1980-BACKBY"}}, layers.ObservationFilter{}},
		{"severity, Bäckby, 2024, municipality", "municipality", layers.StudyArea{Districts: []string{"1980-BACKBY"}},
			layers.ObservationFilter{Weighting: layers.WeightSeverity, Datetime: &layers.Interval{Start: &from, End: &to}}},
		{"harm, Bäckby and Centrum, police", "police", layers.StudyArea{Districts: []string{"1980-BACKBY", "1980-CENTRUM"}},
			layers.ObservationFilter{Weighting: layers.WeightHarm}},
		{"harm, categories and sources, open classes only", "police", layers.StudyArea{Districts: []string{"1980-BACKBY"}},
			layers.ObservationFilter{Weighting: layers.WeightHarm, Categories: []string{"violence", "littering"}, Sources: []string{"police"}, Classes: []string{"open"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := layers.ActingAs(ctx, "test-"+tc.kind, tc.kind, "reader")
			q := layers.HotspotQuery{Side: side, Area: tc.area, Pad: side, Filter: tc.f}
			points, err := store.HotspotInputs(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want := points.Cells.Bin(points.Observations)
			q.Count = true
			counted, err := store.HotspotInputs(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if counted.Binned == nil || len(counted.Observations.Points) != 0 {
				t.Fatalf("counted: Binned %v, %d observations held", counted.Binned != nil, len(counted.Observations.Points))
			}
			got := counted.Binned
			if counted.Cells.Len() != points.Cells.Len() || got.Counted != want.Counted || want.Counted == 0 {
				t.Fatalf("%d cells, %d counted; want %d and %d (not 0)", counted.Cells.Len(), got.Counted, points.Cells.Len(), want.Counted)
			}
			onEdges := 0
			for k := range want.Count {
				if counted.Cells.I[k] != points.Cells.I[k] || counted.Cells.J[k] != points.Cells.J[k] {
					t.Fatalf("cell %d is (%d, %d), want (%d, %d)", k, counted.Cells.I[k], counted.Cells.J[k], points.Cells.I[k], points.Cells.J[k])
				}
				if got.Count[k] != want.Count[k] || got.Weight[k] != want.Weight[k] {
					t.Errorf("cell (%d, %d): %d observations weighing %v, want %d weighing %v",
						points.Cells.I[k], points.Cells.J[k], got.Count[k], got.Weight[k], want.Count[k], want.Weight[k])
				}
				if d := points.Cells.I[k] - i0; d >= -3 && d <= 3 && want.Count[k] > 0 {
					onEdges++
				}
			}
			if onEdges == 0 {
				t.Error("no counted cell near Bäckby torg: the edge observations show nothing")
			}
			if counted.Illustrative != points.Illustrative || counted.Class != points.Class {
				t.Errorf("illustrative %v, class %s; want %v and %s", counted.Illustrative, counted.Class, points.Illustrative, points.Class)
			}
		})
	}
	// The observations on edges themselves, counted alone: one cell each, HexCellOf's.
	t.Run("edges alone", func(t *testing.T) {
		ctx := layers.ActingAs(ctx, "test-police", "police", "reader")
		f := layers.ObservationFilter{Datetime: &layers.Interval{Start: &from, End: &to}, Categories: []string{"violence", "littering", "shooting", "vandalism"}}
		points, err := store.HotspotInputs(ctx, layers.HotspotQuery{Side: side, Area: layers.StudyArea{Districts: []string{"1980-BACKBY"}}, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		counted, err := store.HotspotInputs(ctx, layers.HotspotQuery{Side: side, Area: layers.StudyArea{Districts: []string{"1980-BACKBY"}}, Filter: f, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		want := points.Cells.Bin(points.Observations)
		for k := range want.Count {
			if counted.Binned.Count[k] != want.Count[k] || counted.Binned.Weight[k] != want.Weight[k] {
				t.Errorf("cell %d: %d, want %d", k, counted.Binned.Count[k], want.Count[k])
			}
		}
	})
}

// TestHotspotCountRefusals checks that a count asks for cells and no columns, and that a
// refusal of the cells ends it with the refusal.
func TestHotspotCountRefusals(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := layers.ActingAs(context.Background(), "test-police", "police", "reader")
	store := layers.NewStore(db.AppPool)
	if _, err := store.HotspotInputs(ctx, layers.HotspotQuery{Count: true, Side: 0}); err == nil {
		t.Error("a count without cells: no error")
	}
	if _, err := store.HotspotInputs(ctx, layers.HotspotQuery{Count: true, Side: 150, With: layers.ObservationColumns{Times: true}}); err == nil {
		t.Error("a count with times: no error")
	}
	refused := fmt.Errorf("too many")
	_, err := store.HotspotInputs(ctx, layers.HotspotQuery{Count: true, Side: 150, CheckCells: func(int) error { return refused }})
	if err != refused {
		t.Errorf("refused cells: %v, want the refusal", err)
	}
	// A category without a harm weight is named, as when the observations are read one by one.
	var weight float64
	var rationale string
	if err := db.Pool.QueryRow(ctx, `DELETE FROM harm_weights WHERE category = 'littering' RETURNING weight, rationale`).Scan(&weight, &rationale); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Pool.Exec(context.Background(), `INSERT INTO harm_weights (category, weight, rationale, illustrative) VALUES ('littering', $1, $2, true)`, weight, rationale); err != nil {
			t.Error(err)
		}
	})
	_, err = store.HotspotInputs(ctx, layers.HotspotQuery{Count: true, Side: 150, Filter: layers.ObservationFilter{Weighting: layers.WeightHarm, Categories: []string{"littering"}}})
	if err == nil || !strings.Contains(err.Error(), `"littering"`) {
		t.Errorf("harm weights without littering: %v, want an error naming it", err)
	}
}
