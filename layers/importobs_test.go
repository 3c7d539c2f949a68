package layers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

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

func TestImportObservations(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'imp-test-%'`)
	})
	stored := func() int {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM observations WHERE source_id LIKE 'imp-test-%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	run := func(doc string) (layers.ObservationImportSummary, error) {
		rd, err := layers.NewGeoJSONObservationReader(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		return store.ImportObservations(ctx, rd, nil)
	}

	tests := []struct {
		name       string
		doc        string
		want       layers.ObservationImportSummary
		wantErr    string
		wantStored int
	}{
		{"three new", importDoc("imp-test-1", "imp-test-2", "imp-test-3"), layers.ObservationImportSummary{Read: 3, Inserted: 3}, "", 3},
		{"again: all skipped", importDoc("imp-test-1", "imp-test-2", "imp-test-3"), layers.ObservationImportSummary{Read: 3, Skipped: 3}, "", 3},
		{"one new, one known", importDoc("imp-test-3", "imp-test-4"), layers.ObservationImportSummary{Read: 2, Inserted: 1, Skipped: 1}, "", 4},
		{"duplicate in the file: nothing stored", importDoc("imp-test-5", "imp-test-6", "imp-test-5"), layers.ObservationImportSummary{}, "rows 1 and 3", 4},
		{"invalid row: nothing stored", strings.Replace(importDoc("imp-test-7", "imp-test-8"), `"severity":3,"source":"security_guard","source_id":"imp-test-8"`,
			`"severity":7,"source":"security_guard","source_id":"imp-test-8"`, 1), layers.ObservationImportSummary{}, "feature 2: severity", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := run(tt.doc)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("summary %+v, want %+v", got, tt.want)
			}
			if n := stored(); n != tt.wantStored {
				t.Errorf("%d stored, want %d", n, tt.wantStored)
			}
		})
	}
}
