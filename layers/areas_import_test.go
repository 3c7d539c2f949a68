package layers_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// areaGeoJSON is three DeSO squares in EPSG:3006 (x0, y0, side); the one marked bow-tie
// crosses itself, so ST_MakeValid turns it into two triangles of half the square's area.
type testArea struct {
	code, name string
	x, y, side float64
	bowtie     bool
}

func areaGeoJSON(areas []testArea) string {
	var fs []string
	for _, a := range areas {
		x1, y1 := a.x+a.side, a.y+a.side
		ring := fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]", a.x, a.y, x1, a.y, x1, y1, a.x, y1, a.x, a.y)
		if a.bowtie {
			ring = fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]", a.x, a.y, x1, y1, x1, a.y, a.x, y1, a.x, a.y)
		}
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"desokod":%q,"regsokod":"9901R001","namn":%q,"folk":%d},`+
			`"geometry":{"type":"Polygon","coordinates":[%s]}}`, a.code, a.name, int(a.side), ring))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
}

// makeGeoPackage writes geojson to a GeoPackage with GDAL's ogr2ogr, in EPSG:3006 or
// reprojected to srs. Without ogr2ogr the test is skipped, or fails under CI.
func makeGeoPackage(t *testing.T, name, geojson, srs string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, name+".geojson")
	if err := os.WriteFile(src, []byte(geojson), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name+".gpkg")
	layerstest.OGR2OGR(t, "-f", "GPKG", "-nln", name, "-s_srs", "EPSG:3006", "-t_srs", srs, dst, src)
	return dst
}

func TestImportGeoPackageAreas(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM districts WHERE code LIKE '9901%'`)
	})
	src := []testArea{
		{"9901A0001", "Första", 650000, 6600000, 1000, false},
		{"9901A0002", "Andra", 651000, 6600000, 500, false},
		{"9901B0003", "Fjärilen", 652000, 6600000, 800, true},
	}
	geojson := areaGeoJSON(src)
	path := makeGeoPackage(t, "deso", geojson, "EPSG:3006")

	areas, err := layers.ReadGeoPackageAreas(ctx, path, "deso", "", layers.AreaFields{Name: "namn", Population: "folk"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := store.ImportAreas(ctx, "deso", areas)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != 3 || sum.Replaced != 0 || !slices.Equal(sum.Repaired, []int{3}) {
		t.Errorf("first import: %+v, want 3 new, 0 replaced, feature 3 repaired", sum)
	}

	// Every stored outline against its source outline, made valid in PostGIS from the GeoJSON.
	checkStored := func(t *testing.T, src []testArea, geojson string) {
		t.Helper()
		rows, err := db.Pool.Query(ctx, `
WITH f AS (SELECT jsonb_array_elements($1::jsonb -> 'features') AS f)
SELECT f -> 'properties' ->> 'desokod', d.name, d.level, d.population, ST_Area(d.geom),
       ST_Area(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(f -> 'geometry'), 3006))),
       ST_Equals(d.geom, ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(f -> 'geometry'), 3006)))
FROM f JOIN districts d ON d.code = f -> 'properties' ->> 'desokod' ORDER BY 1`, geojson)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var code, name, level string
			var pop int
			var stored, source float64
			var equal bool
			if err := rows.Scan(&code, &name, &level, &pop, &stored, &source, &equal); err != nil {
				t.Fatal(err)
			}
			a := src[n]
			want := a.side * a.side
			if a.bowtie {
				want /= 2 // two triangles, each a quarter of the square
			}
			if code != a.code || name != a.name || level != "deso" || pop != int(a.side) {
				t.Errorf("row %d: %s %q %s %d, want %s %q deso %d", n, code, name, level, pop, a.code, a.name, int(a.side))
			}
			if abs(stored-want) > 1e-6 || abs(stored-source) > 1e-6 || !equal {
				t.Errorf("%s: stored area %.3f m², source %.3f, want %.3f (same outline: %v)", code, stored, source, want, equal)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		var total int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM districts WHERE code LIKE '9901%'`).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if n != len(src) || total != len(src) {
			t.Errorf("%d matched rows, %d stored, want %d", n, total, len(src))
		}
	}
	checkStored(t, src, geojson)

	t.Run("second import replaces", func(t *testing.T) {
		again := slices.Clone(src)
		again[0].name, again[0].side = "Första, ny gräns", 1200
		again[2].bowtie = false
		geojson := areaGeoJSON(again)
		areas, err := layers.ReadGeoPackageAreas(ctx, makeGeoPackage(t, "deso", geojson, "EPSG:3006"), "deso", "deso",
			layers.AreaFields{Code: "DESOKOD", Name: "namn", Population: "folk"})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := store.ImportAreas(ctx, "deso", areas)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Inserted != 0 || sum.Replaced != 3 || len(sum.Repaired) != 0 {
			t.Errorf("second import: %+v, want 0 new, 3 replaced, none repaired", sum)
		}
		checkStored(t, again, geojson)
	})

	before := func() string {
		var s string
		if err := db.Pool.QueryRow(ctx, `SELECT coalesce(string_agg(code || name || md5(ST_AsBinary(geom)), ',' ORDER BY code), '')
FROM districts WHERE code LIKE '9901%'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	stored := before()
	garbage := filepath.Join(t.TempDir(), "broken.gpkg")
	if err := os.WriteFile(garbage, []byte("this is not a GeoPackage at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	flat := []testArea{{"9901A0001", "Platt", 650000, 6600000, 0, false}, {"9901A0009", "Ny", 660000, 6600000, 10, false}}
	badCode := []testArea{{"9901A0001", "A", 650000, 6600000, 10, false}, {"0114R001", "RegSO", 660000, 6600000, 10, false}}
	tests := []struct {
		name, path, level string
		wantErr           []string
	}{
		{"EPSG:4326 refused", makeGeoPackage(t, "wgs", geojson, "EPSG:4326"), "deso", []string{"layer wgs", "EPSG 4326", "EPSG:3006"}},
		{"not a GeoPackage", garbage, "deso", []string{"not a GeoPackage"}},
		{"no area left after repair", makeGeoPackage(t, "flat", areaGeoJSON(flat), "EPSG:3006"), "deso", []string{"feature 1", "no area"}},
		{"code of another level", makeGeoPackage(t, "codes", areaGeoJSON(badCode), "EPSG:3006"), "deso", []string{"feature 2", `"0114R001" is not a DESO code`}},
		{"duplicate codes", path, "regso", []string{"feature 2", "9901R001 already given by feature 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			areas, err := layers.ReadGeoPackageAreas(ctx, tt.path, tt.level, "", layers.AreaFields{Name: "namn"})
			if err == nil {
				_, err = store.ImportAreas(ctx, tt.level, areas)
			}
			if err == nil {
				t.Fatal("imported, want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			var inv *layers.InvalidError
			if tt.name != "not a GeoPackage" && !errors.As(err, &inv) {
				t.Errorf("error %v is not an *InvalidError", err)
			}
			if now := before(); now != stored {
				t.Errorf("districts changed by a refused import:\n%s\nwas\n%s", now, stored)
			}
		})
	}
}

func abs(x float64) float64 { return max(x, -x) }
