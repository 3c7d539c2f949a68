package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// vulnerableSource is a police-like list in EPSG:3006: the police's words for the classes,
// and a bow-tie outline (feature 3) that must be repaired.
const vulnerableSource = `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},"features":[
{"type":"Feature","properties":{"NAMN":"Testby","KATEGORI":"Utsatt område"},"geometry":{"type":"Polygon","coordinates":[[[600000,6500000],[601000,6500000],[601000,6501000],[600000,6501000],[600000,6500000]]]}},
{"type":"Feature","properties":{"NAMN":"Provsta","KATEGORI":"Särskilt utsatt område"},"geometry":{"type":"MultiPolygon","coordinates":[[[[602000,6500000],[603000,6500000],[603000,6502000],[602000,6502000],[602000,6500000]]]]}},
{"type":"Feature","properties":{"NAMN":"Rosett","KATEGORI":"Riskområde"},"geometry":{"type":"Polygon","coordinates":[[[604000,6500000],[605000,6501000],[605000,6500000],[604000,6501000],[604000,6500000]]]}}]}`

// TestImportVulnerableAreasCommand imports the same list as GeoJSON (EPSG:3006 and CRS84)
// and as a zipped Shapefile made by GDAL, and checks they store the same rows; a bad file
// leaves the table as it was.
func TestImportVulnerableAreasCommand(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	const year = "2099"
	t.Cleanup(func() { _, _ = db.Pool.Exec(context.Background(), `DELETE FROM vulnerable_areas WHERE year = 2099`) })
	dir := t.TempDir()
	src := filepath.Join(dir, "utsatta.geojson")
	if err := os.WriteFile(src, []byte(vulnerableSource), 0o600); err != nil {
		t.Fatal(err)
	}
	wgs := filepath.Join(dir, "utsatta_wgs84.geojson")
	layerstest.OGR2OGR(t, "-f", "GeoJSON", "-t_srs", "EPSG:4326", wgs, src)
	layerstest.OGR2OGR(t, "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", filepath.Join(dir, "utsatta.shp"), src)
	shz := filepath.Join(dir, "utsatta.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, ext := range []string{"shp", "shx", "dbf", "prj", "cpg"} {
		b, err := os.ReadFile(filepath.Join(dir, "utsatta."+ext))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create("utsatta." + ext)
		w.Write(b)
	}
	zw.Close()
	if err := os.WriteFile(shz, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	stored := func() string {
		t.Helper()
		var s string
		if err := db.Pool.QueryRow(ctx, `SELECT coalesce(string_agg(name || ' ' || class || ' ' || round(ST_Area(geom)) || ' ' || illustrative, '; ' ORDER BY name), '')
FROM vulnerable_areas WHERE year = 2099`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// The bow-tie's two triangles cover half of its 1 km² square.
	const want = "Provsta sarskilt_utsatt 2000000 false; Rosett risk 500000 false; Testby utsatt 1000000 false"
	for i, file := range []string{src, shz, wgs} {
		var out bytes.Buffer
		if err := run(ctx, []string{"import", "vulnerable-areas", "--year", year, file}, env(db.URL), &out, &bytes.Buffer{}); err != nil {
			t.Fatalf("import %s: %v", filepath.Base(file), err)
		}
		removed := "3 previous removed"
		if i == 0 {
			removed = "0 previous removed"
		}
		for _, w := range []string{"3 areas for 2099 (" + removed + ")", "repaired invalid geometries (ST_MakeValid) of features 3\n"} {
			if !strings.Contains(out.String(), w) {
				t.Errorf("import %s: output %q does not contain %q", filepath.Base(file), out.String(), w)
			}
		}
		if got := stored(); got != want {
			t.Errorf("after importing %s: stored %q, want %q", filepath.Base(file), got, want)
		}
	}

	bad := []struct {
		name, content, want string
	}{
		{"unknown class", strings.Replace(vulnerableSource, "Riskområde", "Trevligt område", 1), `feature 3: class "Trevligt område" is not one of the police's`},
		{"Web Mercator", strings.Replace(vulnerableSource, "urn:ogc:def:crs:EPSG::3006", "EPSG:3857", 1), "CRS EPSG:3857 is not supported"},
		{"duplicate name", strings.Replace(vulnerableSource, "Provsta", "Testby", 1), "feature 2: Testby is already named by feature 1"},
		{"points", strings.Replace(vulnerableSource, `{"type":"MultiPolygon","coordinates":[[[[602000,6500000],[603000,6500000],[603000,6502000],[602000,6502000],[602000,6500000]]]]}`, `{"type":"Point","coordinates":[602000,6500000]}`, 1), "feature 2: a *geom.Point, not an area"},
	}
	for _, tt := range bad {
		p := filepath.Join(dir, "bad.geojson")
		if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		err := run(ctx, []string{"import", "vulnerable-areas", "--year", year, p}, env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
		if got := stored(); got != want {
			t.Errorf("%s: the table changed to %q", tt.name, got)
		}
	}
	err := run(ctx, []string{"import", "vulnerable-areas", "--year", year, "--class-field", "typ", src}, env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `no field "typ"`) {
		t.Errorf("missing field: %v, want a refusal naming the field", err)
	}
	for _, args := range [][]string{{}, {src}, {"--year", "2099"}, {"--year", "x", src}, {"--year", "2099", src, src}, {"--frobnicate", src}} {
		err := run(ctx, append([]string{"import", "vulnerable-areas"}, args...), env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("import vulnerable-areas %q = %v, want a usage error", args, err)
		}
	}
}
