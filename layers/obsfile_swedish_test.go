package layers

import (
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// TestSwedishObservationFiles: an observation import forgives what Swedish files look like
// (issue 14, point 13): SWEREF 99 TM coordinates without a crs get the partner upload's hint,
// a CSV from Swedish Excel (BOM, semicolons, decimal comma) reads, and times without a zone
// are Europe/Stockholm local time, counted so the import can say so.
func TestSwedishObservationFiles(t *testing.T) {
	const props = `"properties":{"observed_at":"2024-05-01T18:00:00Z","category":"violence","severity":3,"source":"police","source_id":"s-1"}`
	t.Run("SWEREF without crs", func(t *testing.T) {
		doc := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[587123.5,6610234.2]},` + props + `}]}`
		rd, err := NewObservationReader(strings.NewReader(doc), featurefile.GeoJSON)
		if err == nil {
			_, err = readAll(rd)
		}
		if err == nil || !strings.Contains(err.Error(), "feature 1") || !strings.Contains(err.Error(), featurefile.SWEREFHint) {
			t.Errorf("got %v, want feature 1 and the hint %q", err, featurefile.SWEREFHint)
		}
	})
	t.Run("SWEREF in lon and lat columns", func(t *testing.T) {
		csv := "observed_at,category,severity,source,source_id,lon,lat\n2024-05-01T18:00:00Z,violence,3,police,s-1,587123.5,6610234.2\n"
		rd, err := NewObservationReader(strings.NewReader(csv), featurefile.CSV)
		if err == nil {
			_, err = readAll(rd)
		}
		if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "look like SWEREF 99 TM") {
			t.Errorf("got %v, want line 2 and a SWEREF 99 TM hint", err)
		}
	})
	t.Run("Swedish Excel CSV with local times", func(t *testing.T) {
		csv := "\ufeffobserved_at;category;severity;source;source_id;x;y\r\n" +
			"2024-05-01 18:30;violence;3;police;s-1;587123,5;6610234,25\r\n" + // summer: CEST, UTC+2
			"2024-01-15 08:00:00;theft;2;police;s-2;587 200,0;6 610 300,0\r\n" + // winter: CET, UTC+1; spaces as thousands
			"2024-01-15T08:00:00+01:00;theft;2;police;s-3;587200;6610300\r\n"
		rd, err := NewObservationReader(strings.NewReader(csv), featurefile.CSV)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := readAll(rd)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 3 {
			t.Fatalf("%d records, want 3", len(recs))
		}
		want := []time.Time{time.Date(2024, 5, 1, 16, 30, 0, 0, time.UTC), time.Date(2024, 1, 15, 7, 0, 0, 0, time.UTC), time.Date(2024, 1, 15, 7, 0, 0, 0, time.UTC)}
		for i, r := range recs {
			if !r.ObservedAt.Equal(want[i]) {
				t.Errorf("line %d: observed_at %v, want %v", r.Row, r.ObservedAt, want[i])
			}
		}
		if recs[0].X != 587123.5 || recs[0].Y != 6610234.25 || recs[1].X != 587200 {
			t.Errorf("decimal comma: got %v, %v and %v", recs[0].X, recs[0].Y, recs[1].X)
		}
		lt, ok := rd.(interface{ LocalTimes() int64 })
		if !ok || lt.LocalTimes() != 2 {
			t.Errorf("local times counted: %v, want 2 (the third has a zone)", lt)
		}
	})
}
