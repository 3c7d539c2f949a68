package layers

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers/featurefile"
)

func readAll(rd ObservationReader) ([]ObservationRecord, error) {
	var out []ObservationRecord
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

const featureFmt = `{"type":"Feature","geometry":{"type":"Point","coordinates":[%s]},"properties":{"observed_at":"2023-05-01T18:00:00Z","category":"open_drug_dealing","severity":%s,"source":"police","source_id":"a-1"}}`

func feature(coords, severity string) string {
	return strings.NewReplacer("[%s]", "["+coords+"]", ":%s,", ":"+severity+",").Replace(featureFmt)
}

func TestGeoJSONObservationReader(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    int
		wantErr string
	}{
		{"CRS84", `{"type":"FeatureCollection","features":[` + feature("16.5446, 59.6099", "3") + `]}`, 1, ""},
		{"EPSG:3006 by crs member", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},"features":[` +
			feature("587000, 6610000", `"4"`) + `]}`, 1, ""},
		{"empty", `{"type":"FeatureCollection","features":[]}`, 0, ""},
		{"members after features", `{"features":[` + feature("16.5, 59.6", "3") + `],"name":"x"}`, 1, ""},
		{"no features", `{"type":"FeatureCollection"}`, 0, "no features member"},
		{"crs after features", `{"features":[],"crs":{"type":"name","properties":{"name":"EPSG:3006"}}}`, 0, "before features"},
		{"unsupported crs", `{"crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}`, 0, "not supported"},
		{"bad severity in feature 2", `{"features":[` + feature("16.5, 59.6", "3") + `,` + feature("16.5, 59.6", "9") + `]}`, 1, "feature 2: severity"},
		{"outside Sweden", `{"features":[` + feature("2.35, 48.85", "3") + `]}`, 0, "feature 1: location"},
		{"swapped axes", `{"features":[` + feature("59.6, 16.5", "3") + `]}`, 0, "feature 1: location"},
		{"not a point", `{"features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{}}]}`, 0, "feature 1"},
		{"truncated", `{"features":[` + feature("16.5, 59.6", "3") + `,{"type":`, 1, "feature 2"},
		{"not JSON", `hello`, 0, "GeoJSON"},
		{"NUL in source_id", `{"features":[` + strings.Replace(feature("16.5, 59.6", "3"), `"a-1"`, `"a\u0000"`, 1) + `]}`, 0, "feature 1: source_id"},
		{"invalid UTF-8 in source_id", `{"features":[` + strings.Replace(feature("16.5, 59.6", "3"), `"a-1"`, "\"a\xff\"", 1) + `]}`, 0, "feature 1: source_id"},
		{"source_id of 200 characters, 400 bytes", `{"features":[` + strings.Replace(feature("16.5, 59.6", "3"), `"a-1"`, `"`+strings.Repeat("ö", 200)+`"`, 1) + `]}`, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewGeoJSONObservationReader(strings.NewReader(tt.doc))
			var recs []ObservationRecord
			if err == nil {
				recs, err = readAll(rd)
			}
			if tt.wantErr == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr != "" {
				var inv *InvalidError
				if !errors.As(err, &inv) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want an invalid-file error containing %q", err, tt.wantErr)
				}
			}
			if len(recs) != tt.want {
				t.Fatalf("%d records, want %d", len(recs), tt.want)
			}
		})
	}
	rd, _ := NewGeoJSONObservationReader(strings.NewReader(`{"features":[` + feature("16.5446, 59.6099", "3") + `]}`))
	r, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	// Västerås centre: about 587,200 E, 6,609,000 N in SWEREF 99 TM.
	if math.Abs(r.X-587200) > 1000 || math.Abs(r.Y-6609000) > 1000 || r.Sensitivity != "internal" || r.Severity != 3 || r.Row != 1 {
		t.Errorf("record %+v", r)
	}
}

func TestCSVObservationReader(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    int
		wantErr string
	}{
		{"x y", "observed_at,category,severity,source,source_id,x,y\n2023-05-01T18:00:00Z,violence,4,police,p-1,587000,6610000\n", 1, ""},
		{"lon lat semicolon", "observed_at;category;severity;source;source_id;sensitivity;lon;lat\n2023-05-01T18:00:00+02:00;littering;1;safety_walk;s-1;open;16.54;59.61\n", 1, ""},
		{"missing column", "observed_at,category,severity,source,x,y\n", 0, "source_id"},
		{"no coordinates", "observed_at,category,severity,source,source_id\n", 0, "x and y"},
		{"bad category on line 3", "observed_at,category,severity,source,source_id,x,y\n2023-05-01T18:00:00Z,violence,4,police,p-1,587000,6610000\n2023-05-01T18:00:00Z,parking,4,police,p-2,587000,6610000\n", 1, "line 3: category"},
		{"bad time", "observed_at,category,severity,source,source_id,x,y\n2023-05-01,violence,4,police,p-1,587000,6610000\n", 0, "line 2: observed_at"},
		{"empty source id", "observed_at,category,severity,source,source_id,x,y\n2023-05-01T18:00:00Z,violence,4,police,,587000,6610000\n", 0, "line 2: source_id"},
		{"bad number", "observed_at,category,severity,source,source_id,x,y\n2023-05-01T18:00:00Z,violence,4,police,p,east,6610000\n", 0, "line 2: the coordinates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewCSVObservationReader(strings.NewReader(tt.doc))
			var recs []ObservationRecord
			if err == nil {
				recs, err = readAll(rd)
			}
			if tt.wantErr == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if len(recs) != tt.want {
				t.Fatalf("%d records, want %d", len(recs), tt.want)
			}
		})
	}
}

// FuzzGeoJSONObservationReader: any input ends in records, io.EOF or an invalid-file error,
// never a panic or an endless loop.
func FuzzGeoJSONObservationReader(f *testing.F) {
	f.Add(`{"type":"FeatureCollection","features":[` + feature("16.5446, 59.6099", "3") + `]}`)
	f.Add(`{"crs":{"type":"name","properties":{"name":"EPSG:3006"}},"features":[` + feature("587000, 6610000", `"4"`) + `]}`)
	f.Add(`{"features":[{"type":"Feature","geometry":null,"properties":null}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		rd, err := NewGeoJSONObservationReader(strings.NewReader(doc))
		if err != nil {
			return
		}
		for range 10000 {
			if _, err := rd.Next(); err != nil {
				var inv *InvalidError
				if !errors.Is(err, io.EOF) && !errors.As(err, &inv) {
					t.Fatalf("error of unexpected kind: %v", err)
				}
				return
			}
		}
	})
}

// FuzzCSVObservationReader: likewise for CSV.
func FuzzCSVObservationReader(f *testing.F) {
	f.Add("observed_at,category,severity,source,source_id,x,y\n2023-05-01T18:00:00Z,violence,4,police,p-1,587000,6610000\n")
	f.Add("observed_at;category;severity;source;source_id;lon;lat\n2023-05-01T18:00:00Z;violence;4;police;p-1;16.5;59.6\n")
	f.Fuzz(func(t *testing.T, doc string) {
		rd, err := NewCSVObservationReader(strings.NewReader(doc))
		if err != nil {
			return
		}
		for range 10000 {
			if _, err := rd.Next(); err != nil {
				var inv *InvalidError
				if !errors.Is(err, io.EOF) && !errors.As(err, &inv) {
					t.Fatalf("error of unexpected kind: %v", err)
				}
				return
			}
		}
	})
}

// BenchmarkGeoJSONObservationReader parses the file named by BENCH_GEOJSON (made by
// .ci/bench-observations-geojson.sh: 1,000,000 features), without the database.
func BenchmarkGeoJSONObservationReader(b *testing.B) {
	path := os.Getenv("BENCH_GEOJSON")
	if path == "" {
		b.Skip("BENCH_GEOJSON not set")
	}
	var n int64
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		rd, err := NewGeoJSONObservationReader(f)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		f.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "features/s")
}

// TestGeoJSONObservationReaderBatches reads files longer than one batch of the decoding
// pipeline: records come out in file order with their feature numbers, an invalid feature
// deep in the file is named, and Close stops the goroutines of a reader left half-read.
func TestGeoJSONObservationReaderBatches(t *testing.T) {
	doc := func(n, bad int, tail string) string {
		var b strings.Builder
		b.WriteString(`{"type":"FeatureCollection","features":[`)
		for k := 1; k <= n; k++ {
			if k > 1 {
				b.WriteString(",\n")
			}
			sev := strconv.Itoa(k%5 + 1)
			if k == bad {
				sev = "0"
			}
			fmt.Fprintf(&b, `{"type":"Feature","geometry":{"type":"Point","coordinates":[16.5, 59.6]},"properties":{"observed_at":"2023-05-01T18:00:00Z","category":"violence","severity":%s,"source":"police","source_id":"id \"%d\""}}`, sev, k)
		}
		b.WriteString("]" + tail + "}")
		return b.String()
	}
	const n = 3*featurefile.BatchSize + 7
	tests := []struct {
		name    string
		doc     string
		want    int
		wantErr string
	}{
		{"valid", doc(n, 0, ""), n, ""},
		{"members after the features", doc(n, 0, `,"name":"x","bbox":[1,2,3,4]`), n, ""},
		{"crs after the features", doc(n, 0, `,"crs":{"type":"name","properties":{"name":"EPSG:3006"}}`), n, "before features"},
		{"invalid feature in the third batch", doc(n, 2*featurefile.BatchSize+3, ""), 2*featurefile.BatchSize + 2, fmt.Sprintf("feature %d: severity", 2*featurefile.BatchSize+3)},
		{"last feature cut short", doc(n, 0, "")[:len(doc(n, 0, ""))-30], n - 1, fmt.Sprintf("feature %d", n)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewGeoJSONObservationReader(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := readAll(rd)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if len(recs) != tt.want {
				t.Fatalf("%d records, want %d", len(recs), tt.want)
			}
			for k, r := range recs {
				if r.Row != int64(k+1) || r.SourceID != fmt.Sprintf(`id "%d"`, k+1) || r.Severity != int16((k+1)%5+1) {
					t.Fatalf("record %d: row %d, source_id %q, severity %d", k, r.Row, r.SourceID, r.Severity)
				}
			}
		})
	}

	before := runtime.NumGoroutine()
	rd, err := NewGeoJSONObservationReader(strings.NewReader(doc(20*featurefile.BatchSize, 0, "")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); err != nil {
		t.Fatal(err)
	}
	rd.(io.Closer).Close()
	if _, err := rd.Next(); err == nil {
		t.Error("Next after Close returned a record")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before the reader", n, before)
	}
}
