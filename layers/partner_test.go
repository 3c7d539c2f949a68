package layers_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lagesbild/lagesbild/data"
	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

var partnerSeq atomic.Int64

// partnerOrgs creates an owner (housing) and a partner (municipality) organisation and one
// that is not shared with, and returns their codes.
func partnerOrgs(t *testing.T) (owner, partner, other string) {
	t.Helper()
	ctx := context.Background()
	store := layers.NewStore(testDB.Pool)
	n := partnerSeq.Add(1)
	owner, partner, other = fmt.Sprintf("pown%d", n), fmt.Sprintf("ppart%d", n), fmt.Sprintf("pother%d", n)
	for _, o := range []layers.Organisation{{Code: owner, Name: "Owner", Kind: "housing"},
		{Code: partner, Name: "Partner", Kind: "municipality"}, {Code: other, Name: "Other", Kind: "police"}} {
		if err := store.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, q := range []string{`DELETE FROM partner_layers WHERE owner = $1`, `DELETE FROM organisations WHERE code IN ($1, $2, $3)`} {
			args := []any{owner}
			if strings.Contains(q, "$2") {
				args = []any{owner, partner, other}
			}
			if _, err := testDB.Pool.Exec(context.Background(), q, args...); err != nil {
				t.Errorf("clean up: %v", err)
			}
		}
	})
	return owner, partner, other
}

// rlsCount runs a count on the application role's pool as organisation org (kind), with no
// condition of ours: what row-level security alone lets through.
func rlsCount(t *testing.T, org, kind, sql string, args ...any) int64 {
	t.Helper()
	ctx := context.Background()
	tx, err := testDB.AppPool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `SELECT set_config('lagesbild.org', $1, true), set_config('lagesbild.org_kind', $2, true),
		set_config('lagesbild.role', 'admin', true)`, org, kind); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := tx.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func readGeoJSON(t *testing.T, doc string) *featurefile.Collection {
	t.Helper()
	fc, err := featurefile.Read(featurefile.GeoJSON, []byte(doc), featurefile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// Inside the demo's Bäckby district (EPSG:3006), and a 100 m square a little east of it.
const partnerPoints = `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3006"}},"features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[1]f,%[2]f]},"properties":{"building":"A1","dwellings":40,"built":1972}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[3]f,%[4]f]},"properties":{"building":"A2","dwellings":25.5,"built":1974}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%[1]f,%[2]f],[%[5]f,%[2]f],[%[1]f,%[6]f],[%[5]f,%[6]f],[%[1]f,%[2]f]]]},"properties":{"building":"B1","dwellings":10,"built":null}}
]}`

func bäckby(t *testing.T) (x, y float64, code string) {
	t.Helper()
	err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)), code
		FROM districts WHERE level = 'district' AND name = 'Bäckby'`).Scan(&x, &y, &code)
	if err != nil {
		t.Fatal(err)
	}
	return x, y, code
}

func TestPartnerUploadAccessAndVersions(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	app := layers.NewStore(db.AppPool)
	owner, partner, other := partnerOrgs(t)
	x, y, _ := bäckby(t)
	// A bow-tie polygon (self-intersecting): valid after repair as two triangles.
	doc := fmt.Sprintf(partnerPoints, x, y, x+10, y+10, x+40, y+40)
	id := "t-" + owner
	editor := layers.ActingAs(ctx, owner, "housing", "editor")

	count := func() (n int64) {
		if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM partner_layers WHERE id = $1) + (SELECT count(*) FROM partner_layer_versions WHERE layer_id = $1)
			+ (SELECT count(*) FROM partner_features WHERE layer_id = $1)`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A reader may not upload; nothing is written.
	_, err := app.UploadPartnerLayer(layers.ActingAs(ctx, owner, "housing", "reader"),
		layers.PartnerUpload{ID: id, Title: "T", Format: "geojson"}, readGeoJSON(t, doc))
	if !errors.Is(err, layers.ErrNotOwner) {
		t.Fatalf("reader upload: %v, want ErrNotOwner", err)
	}
	// Unknown shared_with.
	_, err = app.UploadPartnerLayer(editor, layers.PartnerUpload{ID: id, Title: "T", Format: "geojson", SharedWith: []string{"nosuchorg"}}, readGeoJSON(t, doc))
	var inv *layers.InvalidError
	if !errors.As(err, &inv) || inv.Param != "shared_with" {
		t.Fatalf("unknown shared_with: %v", err)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d rows after refused uploads", n)
	}

	rep, err := app.UploadPartnerLayer(editor, layers.PartnerUpload{ID: id, Title: "Bestånd", Format: "geojson",
		SharedWith: []string{partner, owner}}, readGeoJSON(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Created || rep.Features != 3 || !slices.Equal(rep.Repaired, []int{3}) || rep.CRS != "EPSG:3006" {
		t.Errorf("report %+v, want created, 3 features, feature 3 repaired", rep)
	}
	if l := rep.Layer; l.Version != 1 || l.Owner != owner || !slices.Equal(l.SharedWith, []string{partner}) || l.GeometryType != "Geometry" {
		t.Errorf("layer %+v", l)
	}
	var repairedType string
	if err := db.Pool.QueryRow(ctx, `SELECT GeometryType(geom) FROM partner_features WHERE layer_id = $1 AND feature_no = 3`, id).Scan(&repairedType); err != nil {
		t.Fatal(err)
	}
	if repairedType != "MULTIPOLYGON" {
		t.Errorf("repaired bow-tie is %s, want MULTIPOLYGON", repairedType)
	}

	// Visibility: owner and partner see it, another organisation and anonymous callers do not.
	for _, c := range []struct {
		name      string
		ctx       context.Context
		see       bool
		org, kind string
	}{
		{"owner", editor, true, owner, "housing"},
		{"partner reader", layers.ActingAs(ctx, partner, "municipality", "reader"), true, partner, "municipality"},
		{"other police admin", layers.ActingAs(ctx, other, "police", "admin"), false, other, "police"},
		{"anonymous", ctx, false, "", ""},
	} {
		ls, err := app.PartnerLayers(c.ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen := slices.ContainsFunc(ls, func(l layers.PartnerLayer) bool { return l.ID == id })
		_, gerr := app.PartnerLayer(c.ctx, id)
		items, ierr := app.PartnerItems(c.ctx, id, layers.PartnerItemsQuery{Limit: 10})
		if seen != c.see || (gerr == nil) != c.see || (ierr == nil) != c.see {
			t.Errorf("%s: listed %v, get %v, items %v; want visible %v", c.name, seen, gerr, ierr, c.see)
		}
		if !c.see && !errors.Is(gerr, layers.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", c.name, gerr)
		}
		if c.see && (items.Matched != 3 || len(items.Features) != 3) {
			t.Errorf("%s: %d matched, %d returned", c.name, items.Matched, len(items.Features))
		}
		// Row-level security alone, without the Go conditions: the raw tables as this caller.
		n := rlsCount(t, c.org, c.kind, `SELECT count(*) FROM partner_features WHERE layer_id = $1`, id)
		if (n == 3) != c.see || (n != 0 && n != 3) {
			t.Errorf("%s: RLS lets %d features through", c.name, n)
		}
	}

	// The partner may not write it (403), the other organisation may not either and learns
	// only that the id is taken (409).
	_, err = app.UploadPartnerLayer(layers.ActingAs(ctx, partner, "municipality", "editor"),
		layers.PartnerUpload{ID: id, Format: "geojson"}, readGeoJSON(t, doc))
	if !errors.Is(err, layers.ErrNotOwner) {
		t.Errorf("partner's upload: %v, want ErrNotOwner", err)
	}
	_, err = app.UploadPartnerLayer(layers.ActingAs(ctx, other, "police", "editor"),
		layers.PartnerUpload{ID: id, Title: "Mine", Format: "geojson"}, readGeoJSON(t, doc))
	if !errors.Is(err, layers.ErrConflict) {
		t.Errorf("other's upload: %v, want ErrConflict", err)
	}
	if err := app.DeletePartnerLayer(layers.ActingAs(ctx, partner, "municipality", "admin"), id); !errors.Is(err, layers.ErrNotOwner) {
		t.Errorf("partner's delete: %v, want ErrNotOwner", err)
	}
	if err := app.DeletePartnerLayer(layers.ActingAs(ctx, other, "police", "admin"), id); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("other's delete: %v, want ErrNotFound", err)
	}

	// A replacement with a collapsing polygon is refused naming it, and changes nothing.
	before := count()
	broken := fmt.Sprintf(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3006"}},"features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[1]f,%[2]f]},"properties":{}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%[1]f,%[2]f],[%[3]f,%[4]f],[%[5]f,%[6]f],[%[1]f,%[2]f]]]},"properties":{}}]}`,
		x, y, x+10, y+10, x+20, y+20)
	_, err = app.UploadPartnerLayer(editor, layers.PartnerUpload{ID: id, Format: "geojson"}, readGeoJSON(t, broken))
	if !errors.As(err, &inv) || inv.Param != "feature" || !strings.Contains(inv.Reason, "feature 2:") {
		t.Fatalf("collapsing polygon: %v, want invalid feature 2", err)
	}
	if after := count(); after != before {
		t.Errorf("%d rows before the refused replacement, %d after", before, after)
	}

	// A replacement in CRS84 is version 2; version 1 stays.
	rep, err = app.UploadPartnerLayer(editor, layers.PartnerUpload{ID: id, Format: "geojson"}, readGeoJSON(t,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[16.5,59.61]},"properties":{"dwellings":7}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created || rep.Layer.Version != 2 || rep.Layer.Title != "Bestånd" || !slices.Equal(rep.Layer.SharedWith, []string{partner}) || rep.CRS != "OGC:CRS84" {
		t.Errorf("replacement: %+v %+v", rep, rep.Layer)
	}
	vs, err := app.PartnerVersions(editor, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Version != 2 || !vs[0].Current || vs[1].Version != 1 || vs[1].FeatureCount != 3 || !slices.Equal(vs[1].Repaired, []int{3}) {
		t.Errorf("versions %+v", vs)
	}
	old, err := app.PartnerItems(editor, id, layers.PartnerItemsQuery{Version: 1, Limit: 10})
	if err != nil || old.Matched != 3 {
		t.Errorf("version 1 items: %v %+v", err, old)
	}
	if _, err := app.PartnerItems(editor, id, layers.PartnerItemsQuery{Version: 3, Limit: 10}); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("version 3: %v, want ErrNotFound", err)
	}
	var gx, gy float64
	if err := db.Pool.QueryRow(ctx, `SELECT ST_X(geom), ST_Y(geom) FROM partner_features WHERE layer_id = $1 AND version = 2`, id).Scan(&gx, &gy); err != nil {
		t.Fatal(err)
	}
	var wx, wy float64
	if err := db.Pool.QueryRow(ctx, `SELECT ST_X(g), ST_Y(g) FROM ST_Transform(ST_SetSRID(ST_Point(16.5, 59.61), 4326), 3006) g`).Scan(&wx, &wy); err != nil {
		t.Fatal(err)
	}
	if math.Abs(gx-wx) > 0.01 || math.Abs(gy-wy) > 0.01 {
		t.Errorf("stored (%f, %f), want (%f, %f)", gx, gy, wx, wy)
	}

	// Tiles carry the features of the version asked for, and nothing for an unentitled caller.
	tl := tiles.TileID{Z: 10, X: 0, Y: 0}
	if err := db.Pool.QueryRow(ctx, `SELECT z, x, y FROM (SELECT 14 AS z) z,
		LATERAL (SELECT floor((ST_X(p) + 20037508.342789244) / (40075016.68557849 / 2^14))::int AS x,
		                floor((20037508.342789244 - ST_Y(p)) / (40075016.68557849 / 2^14))::int AS y
		         FROM (SELECT ST_Transform(ST_SetSRID(ST_Point($1, $2), 3006), 3857) p) q) t`, x, y).Scan(&tl.Z, &tl.X, &tl.Y); err != nil {
		t.Fatal(err)
	}
	mvt, err := app.PartnerTile(editor, id, 1, tl, nil)
	if err != nil || len(mvt) == 0 {
		t.Errorf("owner's tile: %d bytes, %v", len(mvt), err)
	}
	if !strings.Contains(string(mvt), id) || !strings.Contains(string(mvt), "dwellings") {
		t.Errorf("tile lacks the layer name or the dwellings key")
	}
	mvt, err = app.PartnerTile(layers.ActingAs(ctx, other, "police", "admin"), id, 1, tl, nil)
	if err != nil || len(mvt) != 0 {
		t.Errorf("other's tile: %d bytes, %v", len(mvt), err)
	}

	if err := app.DeletePartnerLayer(editor, id); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d rows after delete", n)
	}
}

func TestPartnerDistrictSummary(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	app := layers.NewStore(db.AppPool)
	owner, _, _ := partnerOrgs(t)
	x, y, code := bäckby(t)
	id := "s-" + owner
	editor := layers.ActingAs(ctx, owner, "housing", "editor")
	// Two points and a valid 30 m square, all around Bäckby's point on surface.
	doc := fmt.Sprintf(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3006"}},"features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[1]f,%[2]f]},"properties":{"name":"a","dwellings":40}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[3]f,%[4]f]},"properties":{"name":"b","dwellings":25}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%[1]f,%[2]f],[%[5]f,%[2]f],[%[5]f,%[6]f],[%[1]f,%[6]f],[%[1]f,%[2]f]]]},"properties":{"name":"c","dwellings":10}}
]}`, x, y, x+5, y+5, x+30, y+30)
	if _, err := app.UploadPartnerLayer(editor, layers.PartnerUpload{ID: id, Title: "S", Format: "geojson"}, readGeoJSON(t, doc)); err != nil {
		t.Fatal(err)
	}
	sum, err := app.PartnerDistrictSummary(editor, id, "dwellings", "dwellings", "district")
	if err != nil {
		t.Fatal(err)
	}
	// The expectation straight from SQL, computed differently: points by ST_Covers per
	// district, the polygon's share by area.
	rows, err := db.Pool.Query(ctx, `
		SELECT d.code,
		       (SELECT count(*) FROM partner_features f WHERE f.layer_id = $1 AND ST_Intersects(f.geom, d.geom)
		          AND (ST_Dimension(f.geom) > 0 OR ST_Covers(d.geom, f.geom))
		          AND (ST_Dimension(f.geom) = 0 OR ST_Area(ST_Intersection(f.geom, d.geom)) > 0))::int,
		       coalesce((SELECT sum((f.properties->>'dwellings')::float8 * CASE WHEN ST_Dimension(f.geom) = 0 THEN 1
		                   ELSE ST_Area(ST_Intersection(f.geom, d.geom)) / ST_Area(f.geom) END)
		                 FROM partner_features f WHERE f.layer_id = $1 AND ST_Intersects(f.geom, d.geom)), 0),
		       (SELECT value FROM indicator_values v WHERE v.district_code = d.code AND v.indicator_key = 'dwellings'
		          AND v.year <= extract(year FROM now()) ORDER BY year DESC LIMIT 1)
		FROM districts d WHERE d.level = 'district' ORDER BY d.code`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	total := 0.0
	for rows.Next() {
		var c string
		var n int
		var s float64
		var tot *float64
		if err := rows.Scan(&c, &n, &s, &tot); err != nil {
			t.Fatal(err)
		}
		if i >= len(sum.Districts) {
			t.Fatalf("summary has %d districts, SQL more", len(sum.Districts))
		}
		got := sum.Districts[i]
		i++
		if got.Code != c || got.Features != n || got.Sum == nil || math.Abs(*got.Sum-s) > 1e-6 {
			t.Errorf("%s: got %d features, sum %v; want %s %d %v", got.Code, got.Features, got.Sum, c, n, s)
		}
		if tot == nil || *tot == 0 {
			if got.Share != nil {
				t.Errorf("%s: share %v without a total", c, *got.Share)
			}
		} else if got.Share == nil || math.Abs(*got.Share - s / *tot) > 1e-9 {
			t.Errorf("%s: share %v, want %v", c, got.Share, s / *tot)
		}
		total += s
	}
	if i != len(sum.Districts) {
		t.Errorf("summary has %d districts, SQL %d", len(sum.Districts), i)
	}
	if math.Abs(total-75) > 1e-6 {
		t.Errorf("dwellings sum to %v over all districts, want 75 (every feature inside the municipality)", total)
	}
	for _, r := range sum.Districts {
		if r.Code == code && (r.Features != 3 || *r.Sum != 75) {
			t.Errorf("Bäckby: %d features, %v dwellings; want 3, 75", r.Features, *r.Sum)
		}
	}
	// Bad input names its parameter.
	for _, c := range []struct{ property, total, level, param string }{
		{"name", "", "district", "property"}, {"nosuch", "", "district", "property"},
		{"dwellings", "nosuch", "district", "total"}, {"dwellings", "", "county", "level"},
	} {
		_, err := app.PartnerDistrictSummary(editor, id, c.property, c.total, c.level)
		var inv *layers.InvalidError
		if !errors.As(err, &inv) || inv.Param != c.param {
			t.Errorf("%+v: %v, want invalid %s", c, err, c.param)
		}
	}
	if _, err := app.PartnerDistrictSummary(ctx, id, "", "", "district"); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("anonymous summary: %v, want ErrNotFound", err)
	}
}

// TestDemoPartnerLayer checks the demo's Mimer layer: owned by mimer, shared with the
// municipality and the police, every building inside the district it was placed in, most of
// them in the districts the report names, and its share of the dwellings in range.
func TestDemoPartnerLayer(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	ds, err := data.Generate(data.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	app := layers.NewStore(db.AppPool)
	kommun := layers.ActingAs(ctx, "vasteras", "municipality", "reader")
	l, err := app.PartnerLayer(kommun, layers.DemoPartnerLayer)
	if err != nil {
		t.Fatal(err)
	}
	if l.Owner != "mimer" || !slices.Equal(l.SharedWith, []string{"vasteras", "polisen"}) || l.FeatureCount != len(ds.MimerBuildings) || !l.Illustrative {
		t.Errorf("demo layer %+v", l)
	}
	if _, err := app.PartnerLayer(layers.ActingAs(ctx, "civil", "civil_society", "reader"), layers.DemoPartnerLayer); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("civil society sees the demo layer: %v", err)
	}
	district := map[string]string{}
	for _, b := range ds.MimerBuildings {
		district[b.ID] = b.DistrictCode
	}
	rows, err := db.Pool.Query(ctx, `SELECT f.properties->>'building_id', d.code FROM partner_features f
		JOIN partner_layers l ON l.id = f.layer_id AND l.current_version = f.version
		LEFT JOIN districts d ON d.level = 'district' AND ST_Within(f.geom, d.geom) WHERE l.id = $1`, layers.DemoPartnerLayer)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		var code *string
		if err := rows.Scan(&id, &code); err != nil {
			t.Fatal(err)
		}
		n++
		if code == nil || *code != district[id] {
			t.Errorf("building %s lies in %v, was placed in %s", id, code, district[id])
		}
	}
	if n != len(ds.MimerBuildings) {
		t.Errorf("%d stored buildings, %d generated", n, len(ds.MimerBuildings))
	}
	sum, err := app.PartnerDistrictSummary(kommun, layers.DemoPartnerLayer, "dwellings", "dwellings", "district")
	if err != nil {
		t.Fatal(err)
	}
	share := map[string]float64{}
	for _, r := range sum.Districts {
		if r.Share != nil {
			share[r.Name] = *r.Share
			if *r.Share < 0 || *r.Share > 1 {
				t.Errorf("%s: Mimer's share of the dwellings %v is outside [0, 1]", r.Name, *r.Share)
			}
		}
	}
	for _, heavy := range []string{"Bäckby", "Råby", "Pettersberg"} {
		if share[heavy] <= share["Centrum"] || share[heavy] <= share["Öster Mälarstrand"] {
			t.Errorf("%s: share %v not above Centrum's %v and Öster Mälarstrand's %v", heavy, share[heavy], share["Centrum"], share["Öster Mälarstrand"])
		}
	}
}
