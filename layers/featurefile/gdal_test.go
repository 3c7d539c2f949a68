package featurefile_test

import (
	"archive/zip"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers/featurefile"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/twpayne/go-geom"
)

// zipDir zips the files of dir whose names start with prefix.
func zipDir(t *testing.T, dir, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// source has a polygon with a hole, a two-part multipolygon, Swedish text, an integer, a
// real and a date, in EPSG:3006.
const source = `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},"features":[
{"type":"Feature","properties":{"namn":"Bäckby","antal":12,"andel":0.25,"datum":"2024-03-01"},"geometry":{"type":"Polygon","coordinates":[
 [[585000,6610000],[587000,6610000],[587000,6612000],[585000,6612000],[585000,6610000]],
 [[585500,6610500],[585500,6611000],[586000,6611000],[586000,6610500],[585500,6610500]]]}},
{"type":"Feature","properties":{"namn":"Råby","antal":7,"andel":1.5,"datum":"2023-12-31"},"geometry":{"type":"MultiPolygon","coordinates":[
 [[[590000,6615000],[591000,6615000],[591000,6616000],[590000,6616000],[590000,6615000]]],
 [[[592000,6615000],[593000,6615000],[593000,6616000],[592000,6616000],[592000,6615000]]]]}}
]}`

// area sums the polygons' areas (outer minus holes) of a Polygon or MultiPolygon.
func area(g geom.T) float64 {
	switch g := g.(type) {
	case *geom.Polygon:
		return g.Area()
	case *geom.MultiPolygon:
		return g.Area()
	}
	return math.NaN()
}

// TestGDALRoundTrip reads what GDAL writes from the same data: GeoJSON, GeoPackage in
// EPSG:3006 and EPSG:4326, a zipped Shapefile and CSV with WKT, and compares the features.
func TestGDALRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.geojson")
	if err := os.WriteFile(src, []byte(source), 0o600); err != nil {
		t.Fatal(err)
	}
	file := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	layerstest.OGR2OGR(t, "-f", "GPKG", "-nln", "omraden", filepath.Join(dir, "a3006.gpkg"), src)
	layerstest.OGR2OGR(t, "-f", "GPKG", "-nln", "omraden", "-t_srs", "EPSG:4326", filepath.Join(dir, "a4326.gpkg"), src)
	layerstest.OGR2OGR(t, "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", filepath.Join(dir, "shp_omraden.shp"), src)
	layerstest.OGR2OGR(t, "-f", "GeoJSON", "-t_srs", "EPSG:4326", filepath.Join(dir, "a4326.geojson"), src)
	layerstest.OGR2OGR(t, "-f", "CSV", "-lco", "GEOMETRY=AS_WKT", filepath.Join(dir, "a.csv"), src)

	ints := map[string]featurefile.FieldType{"antal": featurefile.Integer, "andel": featurefile.Number, "namn": featurefile.String, "datum": featurefile.Date}
	tests := []struct {
		name   string
		format featurefile.Format
		data   []byte
		opt    featurefile.Options
		srid   int
		types  map[string]featurefile.FieldType
	}{
		{"GeoJSON 3006", featurefile.GeoJSON, []byte(source), featurefile.Options{}, 3006, ints},
		{"GeoJSON by GDAL, CRS84", featurefile.GeoJSON, file("a4326.geojson"), featurefile.Options{}, 4326, ints},
		{"GeoPackage 3006", featurefile.GPKG, file("a3006.gpkg"), featurefile.Options{}, 3006, ints},
		{"GeoPackage 4326", featurefile.GPKG, file("a4326.gpkg"), featurefile.Options{}, 4326, ints},
		// dBASE has no 64-bit integer but N(10,0), reals are N(24,15), dates D.
		{"Shapefile", featurefile.Shapefile, zipDir(t, dir, "shp_omraden."), featurefile.Options{}, 3006, ints},
		// CSV cells have no types: the inference gives the same ones.
		{"CSV with WKT", featurefile.CSV, file("a.csv"), featurefile.Options{CRS: 3006}, 3006, ints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := featurefile.Read(tt.format, tt.data, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if c.SRID != tt.srid || len(c.Features) != 2 {
				t.Fatalf("SRID %d, %d features; want %d, 2", c.SRID, len(c.Features), tt.srid)
			}
			got := map[string]featurefile.FieldType{}
			for _, f := range c.Fields {
				got[f.Name] = f.Type
			}
			for name, typ := range tt.types {
				if got[name] != typ {
					t.Errorf("field %s: %q, want %q (fields %v)", name, got[name], typ, c.Fields)
				}
			}
			p0, p1 := c.Features[0].Properties, c.Features[1].Properties
			if p0["namn"] != "Bäckby" || p1["namn"] != "Råby" || p0["antal"] != int64(12) || p1["andel"] != 1.5 {
				t.Errorf("properties %v, %v", p0, p1)
			}
			if d, ok := p0["datum"].(time.Time); !ok || !d.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("datum %#v, want 2024-03-01", p0["datum"])
			}
			if tt.srid == 3006 {
				if a := area(c.Features[0].Geometry); math.Abs(a-(4e6-25e4)) > 1 {
					t.Errorf("feature 1 area %v, want 3,750,000 (the hole kept)", a)
				}
				if a := area(c.Features[1].Geometry); math.Abs(a-2e6) > 1 {
					t.Errorf("feature 2 area %v, want 2,000,000", a)
				}
			} else if f := c.Features[0].Geometry.FlatCoords(); f[0] < 16 || f[0] > 17 || f[1] < 59 || f[1] > 60 {
				t.Errorf("first coordinate %v, want lon, lat near Västerås", f[:2])
			}
		})
	}

	// Refusals of what GDAL writes in other CRSs.
	layerstest.OGR2OGR(t, "-f", "GPKG", "-t_srs", "EPSG:3857", filepath.Join(dir, "a3857.gpkg"), src)
	layerstest.OGR2OGR(t, "-f", "ESRI Shapefile", "-t_srs", "EPSG:3857", filepath.Join(dir, "merc.shp"), src)
	layerstest.OGR2OGR(t, "-f", "GPKG", "-nln", "second", "-append", filepath.Join(dir, "a3006.gpkg"), src)
	_, err := featurefile.Read(featurefile.GPKG, file("a3857.gpkg"), featurefile.Options{})
	wantErr(t, err, 0, false, "CRS EPSG 3857", "not supported")
	_, err = featurefile.Read(featurefile.Shapefile, zipDir(t, dir, "merc."), featurefile.Options{})
	wantErr(t, err, 0, false, "Web_Mercator", "not supported")
	_, err = featurefile.Read(featurefile.GPKG, file("a3006.gpkg"), featurefile.Options{})
	wantErr(t, err, 0, false, "2 feature tables", "omraden, second")
	if c, err := featurefile.Read(featurefile.GPKG, file("a3006.gpkg"), featurefile.Options{Table: "second"}); err != nil || len(c.Features) != 2 {
		t.Errorf("Table second: %v", err)
	}
	_, err = featurefile.Read(featurefile.GPKG, file("a3006.gpkg"), featurefile.Options{Limits: limits(func(l *featurefile.Limits) { l.MaxFeatures = 1 }), Table: "omraden"})
	wantErr(t, err, 0, true, "2 features")
}
