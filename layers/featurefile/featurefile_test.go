package featurefile_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers/featurefile"
	"github.com/twpayne/go-geom"
)

// wantErr checks err is an *Error of feature n whose message has every word.
func wantErr(t *testing.T, err error, n int, tooLarge bool, words ...string) {
	t.Helper()
	var e *featurefile.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *featurefile.Error", err, err)
	}
	if e.Feature != n || e.TooLarge != tooLarge {
		t.Errorf("err = %q: feature %d, TooLarge %v; want feature %d, TooLarge %v", e, e.Feature, e.TooLarge, n, tooLarge)
	}
	for _, w := range words {
		if !strings.Contains(e.Error(), w) {
			t.Errorf("err = %q, want it to contain %q", e, w)
		}
	}
}

// wantFields checks c's fields are fields, in order, and that its first feature has the
// properties of first (times compared as instants).
func wantFields(t *testing.T, c *featurefile.Collection, fields []featurefile.Field, first map[string]any) {
	t.Helper()
	if len(c.Fields) != len(fields) {
		t.Fatalf("fields %v, want %v", c.Fields, fields)
	}
	for i := range c.Fields {
		if c.Fields[i] != fields[i] {
			t.Errorf("field %d = %v, want %v", i, c.Fields[i], fields[i])
		}
	}
	for k, v := range first {
		got := c.Features[0].Properties[k]
		if tv, ok := v.(time.Time); ok {
			if gt, ok := got.(time.Time); !ok || !gt.Equal(tv) {
				t.Errorf("%s = %v, want %v", k, got, v)
			}
		} else if got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
}

const square4326 = `{"type":"Polygon","coordinates":[[[16.5,59.6],[16.6,59.6],[16.6,59.7],[16.5,59.6]]]}`

func fc(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func feat(geometry, props string) string {
	return `{"type":"Feature","geometry":` + geometry + `,"properties":` + props + `}`
}

func TestGeoJSON(t *testing.T) {
	good := []struct {
		name     string
		in       string
		srid     int
		gtype    string
		fields   []featurefile.Field
		first    map[string]any
		features int
	}{
		{"points with typed properties", fc(
			feat(`{"type":"Point","coordinates":[16.54,59.61,12]}`, `{"Namn":"Bäckby","n":3,"share":0.5,"ok":true,"day":"2024-05-01","at":"2024-05-01T10:00:00Z","tags":["a"],"none":null}`),
			feat(`{"type":"Point","coordinates":[16.55,59.62]}`, `{"Namn":"Råby","n":4,"share":1,"ok":false,"day":"2024-05-02","at":"2024-05-02T10:00:00+02:00","tags":{"b":1},"none":null}`)),
			4326, "Point",
			[]featurefile.Field{{"namn", "string", "Namn"}, {"n", "integer", "n"}, {"share", "number", "share"}, {"ok", "boolean", "ok"},
				{"day", "date", "day"}, {"at", "datetime", "at"}, {"tags", "string", "tags"}, {"none", "string", "none"}},
			map[string]any{"namn": "Bäckby", "n": int64(3), "share": 0.5, "ok": true, "day": time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
				"at": time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), "tags": `["a"]`, "none": nil}, 2},
		{"single feature in EPSG:3006", `{"type":"Feature","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},"geometry":{"type":"LineString","coordinates":[[588000,6610000],[589000,6611000]]},"properties":{"a":"1"}}`,
			3006, "LineString", []featurefile.Field{{"a", "string", "a"}}, map[string]any{"a": "1"}, 1},
		{"mixed types, a number and a string", fc(feat(square4326, `{"v":1}`), feat(`{"type":"MultiPoint","coordinates":[[16,59]]}`, `{"v":"x"}`)),
			4326, "Geometry", []featurefile.Field{{"v", "string", "v"}}, map[string]any{"v": "1"}, 2},
		{"CRS84 named", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[` + feat(square4326, `null`) + `]}`,
			4326, "Polygon", nil, map[string]any{}, 1},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			c, err := featurefile.Read(featurefile.GeoJSON, []byte(tt.in), featurefile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c.SRID != tt.srid || c.GeometryType != tt.gtype || len(c.Features) != tt.features {
				t.Fatalf("SRID %d, type %s, %d features; want %d, %s, %d", c.SRID, c.GeometryType, len(c.Features), tt.srid, tt.gtype, tt.features)
			}
			wantFields(t, c, tt.fields, tt.first)
			if c.Features[0].Number != 1 || c.Features[0].Geometry.SRID() != tt.srid || c.Features[0].Geometry.Layout() != geom.XY {
				t.Errorf("feature 1: number %d, SRID %d, layout %v", c.Features[0].Number, c.Features[0].Geometry.SRID(), c.Features[0].Geometry.Layout())
			}
		})
	}

	deep := strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000)
	bad := []struct {
		name     string
		in       string
		opt      featurefile.Options
		feature  int
		tooLarge bool
		words    []string
	}{
		{"other CRS", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}`, featurefile.Options{}, 0, false, []string{"CRS EPSG:3857 is not supported", "CRS84 or EPSG:3006"}},
		{"SWEREF without crs", fc(feat(square4326, `{}`), feat(`{"type":"Point","coordinates":[588000,6610000]}`, `{}`)), featurefile.Options{}, 2, false, []string{"out of range for CRS84", "SWEREF 99 TM"}},
		{"out of Sweden in 3006", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3006"}},"features":[` + feat(`{"type":"Point","coordinates":[16.5,59.6]}`, `{}`) + `]}`, featurefile.Options{}, 1, false, []string{"out of range for EPSG:3006"}},
		{"huge number", fc(feat(`{"type":"Point","coordinates":[1e400,1]}`, `{}`)), featurefile.Options{}, 1, false, []string{"out of range"}},
		{"huge but finite", fc(feat(`{"type":"Point","coordinates":[1e300,1]}`, `{}`)), featurefile.Options{}, 1, false, []string{"(huge, 1) out of range"}},
		{"null geometry", fc(feat(square4326, `{}`), feat(`null`, `{}`)), featurefile.Options{}, 2, false, []string{"no geometry"}},
		{"open ring", fc(feat(`{"type":"Polygon","coordinates":[[[16.5,59.6],[16.6,59.6],[16.6,59.7],[16.5,59.7]]]}`, `{}`)), featurefile.Options{}, 1, false, []string{"not closed"}},
		{"short ring", fc(feat(`{"type":"Polygon","coordinates":[[[16.5,59.6],[16.6,59.6],[16.5,59.6]]]}`, `{}`)), featurefile.Options{}, 1, false, []string{"at least 4 points"}},
		{"collection", fc(feat(`{"type":"GeometryCollection","geometries":[]}`, `{}`)), featurefile.Options{}, 1, false, []string{"GeometryCollection is not supported"}},
		{"deep", deep, featurefile.Options{}, 0, true, []string{"nested more than 64"}},
		{"too many features", fc(feat(square4326, `{}`), feat(square4326, `{}`)), featurefile.Options{Limits: limits(func(l *featurefile.Limits) { l.MaxFeatures = 1 })}, 0, true, []string{"2 features"}},
		{"too many vertices", fc(feat(square4326, `{}`), feat(square4326, `{}`)), featurefile.Options{Limits: limits(func(l *featurefile.Limits) { l.MaxVertices = 6 })}, 2, true, []string{"more than 6 vertices"}},
		{"too many fields", fc(feat(square4326, `{"a":1,"b":2}`)), featurefile.Options{Limits: limits(func(l *featurefile.Limits) { l.MaxFields = 1 })}, 1, true, []string{"more than 1 properties"}},
		{"too many bytes", fc(feat(square4326, `{}`)), featurefile.Options{Limits: limits(func(l *featurefile.Limits) { l.MaxBytes = 10 })}, 0, true, []string{"more than the limit of 10"}},
		{"not JSON", `{"type":`, featurefile.Options{}, 0, false, []string{"not valid GeoJSON"}},
		{"a geometry, not a feature", square4326, featurefile.Options{}, 0, false, []string{"FeatureCollection or Feature is expected"}},
		{"string coordinates", fc(feat(`{"type":"Point","coordinates":["16","59"]}`, `{}`)), featurefile.Options{}, 1, false, []string{"Point coordinates"}},
		{"one-number position", fc(feat(`{"type":"Point","coordinates":[16]}`, `{}`)), featurefile.Options{}, 1, false, []string{"at least two numbers"}},
		{"stated CRS disagrees", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3006"}},"features":[]}`, featurefile.Options{CRS: 4326}, 0, false, []string{"EPSG:3006", "EPSG:4326 was stated"}},
		{"no features", fc(), featurefile.Options{}, 0, false, []string{"no features"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := featurefile.Read(featurefile.GeoJSON, []byte(tt.in), tt.opt)
			wantErr(t, err, tt.feature, tt.tooLarge, tt.words...)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func limits(f func(*featurefile.Limits)) featurefile.Limits {
	l := featurefile.DefaultLimits()
	f(&l)
	return l
}

func TestCSV(t *testing.T) {
	good := []struct {
		name   string
		in     string
		opt    featurefile.Options
		srid   int
		x, y   float64
		fields []featurefile.Field
		first  map[string]any
	}{
		{"comma, lon/lat", "\ufeffname,Lon,Lat,count,ok\nA,16.5,59.6,3,true\nB,16.6,59.7,,false\n", featurefile.Options{}, 4326, 16.5, 59.6,
			[]featurefile.Field{{"name", "string", "name"}, {"count", "integer", "count"}, {"ok", "boolean", "ok"}}, map[string]any{"name": "A", "count": int64(3), "ok": true}},
		{"Swedish Excel: semicolon, decimal comma, SWEREF", "Område;sweref99_e;sweref99_n;andel\nBäckby;588000,5;6610000;0,25\nRåby;589000;6611000;1\n", featurefile.Options{}, 3006, 588000.5, 6610000,
			[]featurefile.Field{{"omrade", "string", "Område"}, {"andel", "number", "andel"}}, map[string]any{"omrade": "Bäckby", "andel": 0.25}},
		{"tab, WKT", "id\twkt\tday\n1\tPOINT (16.5 59.6)\t2024-01-02\n", featurefile.Options{}, 4326, 16.5, 59.6,
			[]featurefile.Field{{"id", "integer", "id"}, {"day", "date", "day"}}, map[string]any{"id": int64(1), "day": time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}},
		{"named columns, stated CRS", "a,b,c\n588000,6610000,x\n", featurefile.Options{XField: "a", YField: "b", CRS: 3006}, 3006, 588000, 6610000,
			[]featurefile.Field{{"c", "string", "c"}}, map[string]any{"c": "x"}},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			c, err := featurefile.Read(featurefile.CSV, []byte(tt.in), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if c.SRID != tt.srid {
				t.Errorf("SRID %d, want %d", c.SRID, tt.srid)
			}
			if f := c.Features[0].Geometry.FlatCoords(); f[0] != tt.x || f[1] != tt.y {
				t.Errorf("first point %v, want %v %v", f, tt.x, tt.y)
			}
			wantFields(t, c, tt.fields, tt.first)
		})
	}
	bad := []struct {
		name    string
		in      string
		opt     featurefile.Options
		feature int
		words   []string
	}{
		{"invalid UTF-8", "name,lon,lat\nA,16,59\n\xe5,16,59\n", featurefile.Options{}, 2, []string{"line 3", "not valid UTF-8"}},
		{"no coordinate columns", "a,b\n1,2\n", featurefile.Options{}, 0, []string{"no coordinate columns"}},
		{"not a number", "lon,lat\n16,59\n16,abc\n", featurefile.Options{}, 2, []string{"lat", "not a number"}},
		{"neither CRS", "x,y\n5000,5000\n", featurefile.Options{}, 1, []string{"out of range for CRS84", "EPSG:3006"}},
		{"mixed CRS", "x,y\n16,59\n588000,6610000\n", featurefile.Options{}, 2, []string{"out of range for CRS84", "detected from row 1"}},
		{"swapped axes", "x,y\n6610000,588000\n", featurefile.Options{}, 1, []string{"swapped"}},
		{"ragged row", "lon,lat,a\n16,59,1\n16,59\n", featurefile.Options{}, 2, []string{"different number of columns"}},
		{"bad WKT", "wkt\nPOINT (1\n", featurefile.Options{}, 1, []string{"WKT"}},
		{"header only", "lon,lat\n", featurefile.Options{}, 0, []string{"no rows"}},
		{"duplicate column", "lon,lat,a,a\n16,59,1,2\n", featurefile.Options{}, 0, []string{"named twice"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := featurefile.Read(featurefile.CSV, []byte(tt.in), tt.opt)
			wantErr(t, err, tt.feature, false, tt.words...)
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		ct, name, head string
		want           featurefile.Format
	}{
		{"application/geo+json", "", "", featurefile.GeoJSON},
		{"application/octet-stream", "x.gpkg", "", featurefile.GPKG},
		{"", "", "SQLite format 3\x00...", featurefile.GPKG},
		{"application/json", "a.zip", "PK\x03\x04", featurefile.Shapefile},
		{"text/csv; charset=utf-8", "", "", featurefile.CSV},
		{"", "data.bin", " {\"type\"", featurefile.GeoJSON},
		{"", "", "a;b;c\n", featurefile.CSV},
	}
	for _, tt := range tests {
		got, err := featurefile.Detect(tt.ct, tt.name, []byte(tt.head))
		if err != nil || got != tt.want {
			t.Errorf("Detect(%q, %q, %q) = %v, %v; want %v", tt.ct, tt.name, tt.head, got, err, tt.want)
		}
	}
	if _, err := featurefile.Detect("", "x.bin", []byte{0, 1, 2}); err == nil {
		t.Error("Detect of binary junk: no error")
	}
}
