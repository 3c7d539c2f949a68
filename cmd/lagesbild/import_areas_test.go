package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// gpkgFromGeoJSON writes geojson (coordinates in EPSG:3006) to a GeoPackage in srs with
// GDAL's ogr2ogr; without it the test is skipped, or fails under CI.
func gpkgFromGeoJSON(t *testing.T, name, geojson, srs string) string {
	t.Helper()
	dir := t.TempDir()
	src, dst := filepath.Join(dir, name+".geojson"), filepath.Join(dir, name+".gpkg")
	if err := os.WriteFile(src, []byte(geojson), 0o600); err != nil {
		t.Fatal(err)
	}
	layerstest.OGR2OGR(t, "-f", "GPKG", "-nln", name, "-s_srs", "EPSG:3006", "-t_srs", srs, dst, src)
	return dst
}

// TestImportAreasCommand loads a RegSO and then its DeSOs (one a bow-tie) through the
// command, with parents, and checks the refusals and usage errors.
func TestImportAreasCommand(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM districts WHERE level = 'deso' AND code LIKE '9902%'`)
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM districts WHERE code LIKE '9902%'`)
	})
	regso := gpkgFromGeoJSON(t, "RegSO_2025", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"regsokod":"9902R001","regso":"Testområdet"},"geometry":{"type":"Polygon","coordinates":[[[600000,6500000],[602000,6500000],[602000,6501000],[600000,6501000],[600000,6500000]]]}}]}`, "EPSG:3006")
	desoJSON := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"desokod":"9902A0001","regsokod":"9902R001"},"geometry":{"type":"Polygon","coordinates":[[[600000,6500000],[601000,6500000],[601000,6501000],[600000,6501000],[600000,6500000]]]}},
{"type":"Feature","properties":{"desokod":"9902A0002","regsokod":"9902R001"},"geometry":{"type":"Polygon","coordinates":[[[601000,6500000],[602000,6501000],[602000,6500000],[601000,6501000],[601000,6500000]]]}}]}`
	deso := gpkgFromGeoJSON(t, "DeSO_2025", desoJSON, "EPSG:3006")

	tests := []struct {
		args    []string
		wantOut []string
	}{
		{[]string{"--level", "regso", regso}, []string{"1 regso areas (1 new, 0 replaced)"}},
		{[]string{"--level", "deso", "--parent-field", "regsokod", deso},
			[]string{"2 deso areas (2 new, 0 replaced)", "repaired invalid geometries (ST_MakeValid) of features 2\n"}},
		{[]string{"--level", "deso", "--parent-field", "regsokod", "--layer", "DeSO_2025", deso},
			[]string{"2 deso areas (0 new, 2 replaced)", "features 2\n"}},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if err := run(ctx, append([]string{"import", "areas"}, tt.args...), env(db.URL), &out, &bytes.Buffer{}); err != nil {
			t.Fatalf("import areas %q: %v", tt.args, err)
		}
		for _, w := range tt.wantOut {
			if !strings.Contains(out.String(), w) {
				t.Errorf("import areas %q: output %q does not contain %q", tt.args, out.String(), w)
			}
		}
	}
	var summary string
	if err := db.Pool.QueryRow(ctx, `SELECT string_agg(code || ' ' || level || ' ' || coalesce(parent_code, '-') || ' ' || name || ' ' || ST_Area(geom), '; ' ORDER BY code)
FROM districts WHERE code LIKE '9902%'`).Scan(&summary); err != nil {
		t.Fatal(err)
	}
	// The bow-tie's two triangles cover half of its 1 km² square.
	if want := "9902A0001 deso 9902R001 9902A0001 1000000; 9902A0002 deso 9902R001 9902A0002 500000; 9902R001 regso - Testområdet 2000000"; summary != want {
		t.Errorf("stored %q, want %q", summary, want)
	}

	wgs := gpkgFromGeoJSON(t, "deso_wgs84", desoJSON, "EPSG:4326")
	err := run(ctx, []string{"import", "areas", "--level", "deso", wgs}, env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "layer deso_wgs84 is in EPSG 4326 (WGS 84") {
		t.Errorf("EPSG:4326 file: %v, want a refusal naming the layer and its CRS", err)
	}
	err = run(ctx, []string{"import", "areas", "--level", "regso", "--parent-field", "kommun", regso}, env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `no field "kommun"`) {
		t.Errorf("missing field: %v, want a refusal naming the field", err)
	}

	for _, args := range [][]string{{}, {deso}, {"--level", "kommun", deso}, {"--level", "deso"}, {"--level", "deso", "a.geojson"},
		{"--level", "deso", deso, deso}, {"--frobnicate", deso}} {
		err := run(ctx, append([]string{"import", "areas"}, args...), env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("import areas %q = %v, want a usage error", args, err)
		}
	}
}
