package layers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

func importDoc(ids ...string) string {
	var fs []string
	for k, id := range ids {
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Point","coordinates":[%f, 59.61]},
			"properties":{"observed_at":"2024-03-0%dT20:00:00Z","category":"drug_handling","severity":3,"source":"security_guard","source_id":%q}}`,
			16.50+float64(k)*0.01, k%9+1, id))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
}

// TestImportObservations runs the same sequence of imports through both ways of writing:
// index updates row by row, and (RebuildAt 1, forced even for three records) indexes dropped
// and built again.
func TestImportObservations(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	indexes := func() []string {
		// Migration 025 moved the unique (source, source_id) to the key table.
		rows, err := db.Pool.Query(ctx, `SELECT indexdef FROM pg_indexes WHERE tablename IN ('observations', 'observation_keys') ORDER BY indexname`)
		if err != nil {
			t.Fatal(err)
		}
		defs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return defs
	}
	indexesBefore := indexes()
	if len(indexesBefore) < 6 {
		t.Fatalf("observations has %d indexes, want the 6 of migration 001 at least: %q", len(indexesBefore), indexesBefore)
	}

	modes := []struct {
		name        string
		opts        layers.ObservationImportOptions
		wantRebuild bool
	}{
		{"row by row", layers.ObservationImportOptions{RebuildAt: -1}, false},
		{"default: small file, row by row", layers.ObservationImportOptions{}, false},
		{"indexes rebuilt", layers.ObservationImportOptions{RebuildAt: 1, RebuildShare: 1e-9}, true},
	}
	for m, mode := range modes {
		prefix := fmt.Sprintf("imp-test-%d-", m)
		id := func(k int) string { return fmt.Sprintf("%s%d", prefix, k) }
		t.Cleanup(func() {
			_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE $1`, prefix+"%")
		})
		stored := func() int {
			var n int
			if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM observations WHERE source_id LIKE $1`, prefix+"%").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		tests := []struct {
			name       string
			doc        string
			want       layers.ObservationImportSummary
			wantErr    string
			wantStored int
		}{
			{"three new", importDoc(id(1), id(2), id(3)), layers.ObservationImportSummary{Read: 3, Inserted: 3}, "", 3},
			{"again: all skipped", importDoc(id(1), id(2), id(3)), layers.ObservationImportSummary{Read: 3, Skipped: 3}, "", 3},
			{"one new, one known", importDoc(id(3), id(4)), layers.ObservationImportSummary{Read: 2, Inserted: 1, Skipped: 1}, "", 4},
			{"duplicate in the file: nothing stored", importDoc(id(5), id(6), id(5)), layers.ObservationImportSummary{}, "rows 1 and 3", 4},
			{"duplicate in the file, already stored: refused too", importDoc(id(1), id(7), id(1)), layers.ObservationImportSummary{}, "rows 1 and 3", 4},
			{"invalid row: nothing stored", strings.Replace(importDoc(id(7), id(8)), `"severity":3,"source":"security_guard","source_id":"`+id(8)+`"`,
				`"severity":7,"source":"security_guard","source_id":"`+id(8)+`"`, 1), layers.ObservationImportSummary{}, "feature 2: severity", 4},
		}
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				rd, err := layers.NewGeoJSONObservationReader(strings.NewReader(tt.doc))
				if err != nil {
					t.Fatal(err)
				}
				got, err := store.ImportObservations(ctx, rd, mode.opts)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
					}
				} else if err != nil {
					t.Fatal(err)
				}
				if got.Read != tt.want.Read || got.Inserted != tt.want.Inserted || got.Skipped != tt.want.Skipped {
					t.Errorf("summary %+v, want %+v", got, tt.want)
				}
				// Nothing new to insert: no index is dropped and built again (issue 14, point 13).
				if wantRebuild := mode.wantRebuild && tt.want.Inserted > 0; tt.wantErr == "" && got.RebuiltIndexes != wantRebuild {
					t.Errorf("RebuiltIndexes = %t, want %t", got.RebuiltIndexes, wantRebuild)
				}
				if n := stored(); n != tt.wantStored {
					t.Errorf("%d stored, want %d", n, tt.wantStored)
				}
				// Rebuilt or rolled back, the indexes are those of the migrations.
				if after := indexes(); !slices.Equal(after, indexesBefore) {
					t.Errorf("indexes after the import:\n%q\nwant\n%q", after, indexesBefore)
				}
			})
		}
		// The stored rows are where the file put them, with the generated Web Mercator copy.
		var bad, first int
		if err := db.Pool.QueryRow(ctx, `
			SELECT count(*) FILTER (WHERE NOT ST_DWithin(geom_3857, ST_Transform(geom, 3857), 1e-6)),
			       count(*) FILTER (WHERE source_id = $2 AND ST_DWithin(ST_Transform(geom, 4326), ST_SetSRID(ST_MakePoint(16.50, 59.61), 4326), 1e-6))
			FROM observations WHERE source_id LIKE $1`, prefix+"%", id(1)).Scan(&bad, &first); err != nil {
			t.Fatal(err)
		}
		if bad != 0 || first != 1 {
			t.Errorf("%s: %d stored rows with a wrong Web Mercator copy, want 0; %d with the first feature's id at its location, want 1", mode.name, bad, first)
		}
	}
}

// TestImportObservationsOutsideAndPhases: an import counts the points outside the
// municipality (they are stored, and said), and reports its phases after reading, so a
// progress bar can show the insert and every index build instead of sitting at 100 % (issue
// 14, point 13).
func TestImportObservationsOutsideAndPhases(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'outside-%'`)
	})
	// Västerås centre, and Stockholm (outside the municipality).
	doc := strings.Replace(importDoc("outside-1", "outside-2"), "[16.510000, 59.61]", "[18.07, 59.33]", 1)
	var phases []layers.ImportPhase
	rd, err := layers.NewGeoJSONObservationReader(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := store.ImportObservations(ctx, rd, layers.ObservationImportOptions{RebuildAt: 1, RebuildShare: 1e-9,
		Phase: func(p layers.ImportPhase) { phases = append(phases, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != 2 || sum.Outside != 1 {
		t.Errorf("inserted %d, outside the municipality %d; want 2 and 1", sum.Inserted, sum.Outside)
	}
	builds := 0
	for _, p := range phases {
		if strings.HasPrefix(p.Name, "building index") {
			builds++
			if p.Steps < 6 || p.Step != builds {
				t.Errorf("phase %+v: want step %d of the indexes (at least 6)", p, builds)
			}
		}
	}
	if len(phases) == 0 || phases[0].Name != "inserting" || builds < 6 {
		t.Errorf("phases %+v: want inserting, then every index build", phases)
	}
}
