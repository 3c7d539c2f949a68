package layers_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// schools is a throwaway layer over a table the test makes (no migration): its import needs
// nothing but the declaration.
func schools() *layers.Layer {
	return &layers.Layer{
		ID: "schools", Title: "Skolor", TitleEN: "Schools", Table: "test_import_schools", IDColumn: "id", IDType: layers.Integer,
		Geometry: "geom", GeometryType: "Point", Mercator: "geom_3857", Class: layers.Open,
		Properties: []layers.Property{
			{Name: "name", Type: layers.String, Tile: true, Aliases: []string{"namn", "skolnamn"}},
			{Name: "stage", Type: layers.String, Enum: []string{"f-3", "4-6", "7-9", "gymnasium"}, Aliases: []string{"stadium"}},
			{Name: "pupils", Type: layers.Integer, Aliases: []string{"elever"}},
			{Name: "opened", Type: layers.Date},
			{Name: "illustrative", Type: layers.Boolean},
		},
	}
}

func TestImportDeclaredLayer(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE test_import_schools (
	    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	    stage text,
	    pupils integer CHECK (pupils >= 0),
	    opened date,
	    illustrative boolean NOT NULL DEFAULT true,
	    geom geometry(Point, 3006) NOT NULL,
	    geom_3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Pool.Exec(context.Background(), `DROP TABLE test_import_schools`) })
	store := layers.NewStore(db.Pool)
	l := schools()
	read := func(t *testing.T, geojson string) *featurefile.Collection {
		t.Helper()
		c, err := featurefile.Read(featurefile.GeoJSON, []byte(geojson), featurefile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// Swedish field names (the declared aliases), CRS84 points, one field the layer does not know.
	const file = `{"type": "FeatureCollection", "features": [
	  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.50, 59.62]},
	   "properties": {"Skolnamn": "Bäckbyskolan", "stadium": "f-3", "elever": 310, "opened": "1972-08-20", "rektor": "x"}},
	  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.56, 59.60]},
	   "properties": {"Skolnamn": "Råbyskolan", "stadium": "4-6", "elever": null, "opened": null}}]}`
	rows, err := layers.LayerRowsFrom(l, read(t, file))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows.Columns, " "), "name stage pupils opened illustrative"; got != want {
		t.Errorf("columns %s, want %s (the file's fields %v)", got, want, rows.Fields)
	}
	sum, err := store.ImportLayer(ctx, rows, false)
	if err != nil || sum.Inserted != 2 {
		t.Fatalf("import: %+v, %v", sum, err)
	}
	var got string
	if err := db.Pool.QueryRow(ctx, `SELECT string_agg(concat_ws('|', name, stage, pupils, opened, illustrative, round(ST_X(ST_Transform(geom, 4326))::numeric, 2)), ';' ORDER BY name)
		FROM test_import_schools`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "Bäckbyskolan|f-3|310|1972-08-20|f|16.50;Råbyskolan|4-6|f|16.56"; got != want {
		t.Errorf("stored %s, want %s", got, want)
	}

	// --replace: the table's rows go first, in the same transaction.
	if sum, err := store.ImportLayer(ctx, rows, true); err != nil || sum.Removed != 2 || sum.Inserted != 2 {
		t.Errorf("replace: %+v, %v", sum, err)
	}

	// Refusals name the feature and field; nothing is stored from a refused file.
	for _, tc := range []struct{ name, file, param, want string }{
		{"value outside the enum", strings.Replace(file, `"4-6"`, `"högstadiet"`, 1), "file", "feature 2: field stadium"},
		{"not a whole number", strings.Replace(file, `310`, `"many"`, 1), "file", "feature 1: field elever"},
		{"another geometry type", strings.Replace(file, `{"type": "Point", "coordinates": [16.56, 59.60]}`,
			`{"type": "LineString", "coordinates": [[16.56, 59.60], [16.57, 59.61]]}`, 1), "file", "feature 2: a LineString"},
		{"a constraint of the table", strings.Replace(file, `310`, `-1`, 1), "file", "feature 1"},
		{"no declared field", `{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.5, 59.6]}, "properties": {"rektor": "x"}}]}`, "file", "rektor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := layers.LayerRowsFrom(l, read(t, tc.file))
			if err == nil {
				_, err = store.ImportLayer(ctx, rows, true)
			}
			var inv *layers.InvalidError
			if !errors.As(err, &inv) || inv.Param != tc.param || !strings.Contains(inv.Reason, tc.want) {
				t.Errorf("error %v, want invalid %s naming %q", err, tc.param, tc.want)
			}
			var n int
			if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM test_import_schools`).Scan(&n); err != nil || n != 2 {
				t.Errorf("%d rows after a refused import (%v), want the 2 before", n, err)
			}
		})
	}

	// A layer read from a view over other tables is not imported this way.
	places, _ := layers.NewCatalogue().Layer("places")
	var inv *layers.InvalidError
	if _, err := layers.LayerRowsFrom(places, read(t, file)); !errors.As(err, &inv) || inv.Param != "layer" {
		t.Errorf("places (a view): %v, want invalid layer", err)
	}
}
