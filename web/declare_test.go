package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// A layer is one declaration: these tests declare a layer the catalogue does not have (youth
// centres, copied from the demo's places into a table the test makes and drops, with no
// migration) in a test catalogue, and check that everything the declaration should drive
// follows it without another line of code.

// youthCentres is the throwaway layer; youthTable its table.
const youthTable = "test_youth_centres"

func youthCentres() *layers.Layer {
	return &layers.Layer{
		ID: "youth-centres", Title: "Fritidsgårdar", TitleEN: "Youth centres",
		Description: "Youth recreation centres (a test's layer, copied from the demo's places).",
		Table:       youthTable, IDColumn: "id", IDType: layers.Integer,
		Geometry: "geom", GeometryType: "Point", Mercator: "geom_3857",
		Class: layers.Open, MapTile: true,
		Style: &layers.Style{Colour: "#e69f00", ColourBy: "kind", Legend: []layers.LegendEntry{
			{Value: "municipal", Colour: "#56b4e9", Title: "Kommunal fritidsgård", TitleEN: "Municipal youth centre"},
			{Colour: "#e69f00", Title: "Annan", TitleEN: "Other"},
		}},
		Properties: []layers.Property{
			{Name: "name", Type: layers.String, Sort: true, Tile: true, Description: "Name of the centre.", Aliases: []string{"namn"}},
			{Name: "kind", Type: layers.String, Enum: []string{"municipal", "association"}, Filter: true, Tile: true, Description: "Who runs it."},
			{Name: "illustrative", Type: layers.Boolean, Filter: true, Tile: true, Description: "True for illustrative demo data."},
		},
	}
}

// declaredCatalogue makes the youth centres' table (dropped when the test ends) and returns
// the demo catalogue with the youth centres declared after the places, and the table's rows.
func declaredCatalogue(t *testing.T) (*layers.Catalogue, int) {
	t.Helper()
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE `+youthTable+` (
	    id integer PRIMARY KEY,
	    name text NOT NULL,
	    kind text NOT NULL CHECK (kind IN ('municipal', 'association')),
	    geom geometry(Point, 3006) NOT NULL,
	    geom_3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
	    illustrative boolean NOT NULL
	);
	GRANT SELECT ON `+youthTable+` TO `+layers.AppRole+`;
	INSERT INTO `+youthTable+` (id, name, kind, geom, illustrative)
	SELECT id, name, 'municipal', ST_PointOnSurface(geom), illustrative FROM places WHERE kind = 'youth_centre'`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Pool.Exec(context.Background(), `DROP TABLE `+youthTable); err != nil {
			t.Errorf("drop %s: %v", youthTable, err)
		}
	})
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM `+youthTable).Scan(&n); err != nil || n == 0 {
		t.Fatalf("%d youth centres in the demo's places (%v)", n, err)
	}
	var ls []*layers.Layer
	for _, l := range layers.NewCatalogue().Layers() {
		ls = append(ls, l)
		if l.ID == "places" {
			ls = append(ls, youthCentres())
		}
	}
	cat, err := layers.NewCatalogueOf(ls...)
	if err != nil {
		t.Fatal(err)
	}
	return cat, n
}

// newDeclaredAPI is newAPI over the catalogue with the youth centres.
func newDeclaredAPI(t *testing.T) (*api, int) {
	t.Helper()
	cat, n := declaredCatalogue(t)
	registerMVT.Do(func() {
		openapi3filter.RegisterBodyDecoder("application/vnd.mapbox-vector-tile", openapi3filter.FileBodyDecoder)
	})
	srv, _ := testServer(t, testDB, web.Config{Version: "test"}, cat, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return newClient(t, srv), n
}

func TestDeclaredLayerFollows(t *testing.T) {
	a, n := newDeclaredAPI(t)
	const id = "youth-centres"

	t.Run("collections", func(t *testing.T) {
		var doc struct {
			Collections []struct {
				ID, Title, TitleEn string
				Links              []struct{ Href, Rel string }
			}
		}
		_, body := a.get("/collections", 200)
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(doc.Collections, func(c struct {
			ID, Title, TitleEn string
			Links              []struct{ Href, Rel string }
		}) bool {
			return c.ID == id
		})
		if i < 0 {
			t.Fatalf("/collections lacks %s", id)
		}
		c := doc.Collections[i]
		if c.Title != "Fritidsgårdar" || c.TitleEn != "Youth centres" || doc.Collections[i-1].ID != "places" {
			t.Errorf("collection %+v at %d, want the declared titles after places", c, i)
		}
		a.get("/collections/"+id, 200)
	})

	t.Run("items", func(t *testing.T) {
		var fc struct {
			Features []struct {
				Properties map[string]any
			}
		}
		_, body := a.get("/collections/"+id+"/items?kind=municipal&sortby=name", 200)
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		if len(fc.Features) != n || fc.Features[0].Properties["name"] == nil {
			t.Errorf("%d items (first %v), want %d with names", len(fc.Features), fc.Features, n)
		}
		a.get("/collections/"+id+"/items?kind=private", 400) // the declared enum
	})

	// A tile around the first centre: its own collection tile and the combined map tile carry it.
	var lon, lat float64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(geom, 4326) AS p FROM `+youthTable+` ORDER BY id LIMIT 1) q`).Scan(&lon, &lat); err != nil {
		t.Fatal(err)
	}
	tile := tiles.TileContaining(lon, lat, 14)
	t.Run("tiles", func(t *testing.T) {
		for _, prefix := range []string{"/collections/" + id, ""} {
			_, body := a.get(tilePath(prefix, tile), 200)
			l := layerNamed(decodeTile(t, body), id)
			if l == nil || len(l.Features) == 0 || l.Features[0].Properties["name"] == nil {
				t.Errorf("tile %s%s: layer %s %+v, want the centre with its name", prefix, tile, id, l)
			}
		}
	})

	t.Run("tilejson", func(t *testing.T) {
		for _, path := range []string{"/collections/" + id + "/tiles/WebMercatorQuad?f=tilejson", "/tiles/WebMercatorQuad?f=tilejson"} {
			var doc struct {
				Description  string
				VectorLayers []struct {
					ID     string
					Fields map[string]string
				} `json:"vector_layers"`
			}
			_, body := a.get(path, 200)
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(doc.VectorLayers, func(l struct {
				ID     string
				Fields map[string]string
			}) bool {
				return l.ID == id
			})
			if i < 0 || doc.VectorLayers[i].Fields["name"] != "String" || doc.VectorLayers[i].Fields["kind"] != "String" {
				t.Errorf("%s: vector layers %+v, want %s with name and kind", path, doc.VectorLayers, id)
			}
		}
		_, body := a.get("/tiles", 200)
		if !strings.Contains(string(body), "Karta: stadsdelar, platser, fritidsgårdar och insatser") {
			t.Errorf("/tiles does not name the declared layer: %s", body)
		}
	})

	t.Run("openapi", func(t *testing.T) {
		var doc struct {
			Paths map[string]map[string]any
		}
		_, body := a.get("/api", 200)
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/collections/" + id, "/collections/" + id + "/items", "/collections/" + id + "/items/{featureId}",
			"/collections/" + id + "/tiles/WebMercatorQuad", "/collections/" + id + "/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"} {
			if doc.Paths[p]["get"] == nil {
				t.Errorf("the OpenAPI document lacks GET %s", p)
			}
		}
		if doc.Paths["/collections/"+id+"/items"]["post"] != nil {
			t.Error("the OpenAPI document offers writes to a read-only layer")
		}
	})

	t.Run("read-only", func(t *testing.T) {
		res, body := a.raw("POST", "/collections/"+id+"/items", http.Header{"Content-Type": {"application/geo+json"}})
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST to %s: %d %s, want 405", id, res.StatusCode, body)
		}
	})

	t.Run("page layers", func(t *testing.T) {
		var cfg struct {
			Layers []struct {
				ID, Title, TitleEn, Colour, ColourBy string
				MapTile                              bool
				Legend                               []struct{ Colour, Title, TitleEn string }
			}
		}
		res, body := a.raw("GET", "/karta/config.json", nil)
		if res.StatusCode != 200 {
			t.Fatalf("config.json: %d", res.StatusCode)
		}
		if err := json.Unmarshal(body, &cfg); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, l := range cfg.Layers {
			ids = append(ids, l.ID)
		}
		if want := []string{"districts", "places", id, "observations", "interventions"}; !slices.Equal(ids, want) {
			t.Errorf("the page's layers %v, want %v", ids, want)
		}
		i := slices.Index(ids, id)
		if l := cfg.Layers[i]; l.Title != "Fritidsgårdar" || !l.MapTile || l.ColourBy != "kind" || len(l.Legend) != 2 || l.Legend[0].TitleEn != "Municipal youth centre" {
			t.Errorf("the page's %s: %+v", id, l)
		}
	})
}

// TestDeclaredLayerOnThePage opens the map page over the catalogue with the youth centres:
// the layer panel has their switch and legend in both languages, the map draws them from the
// combined tile in the declared colour, a click shows one, and the switch hides them.
func TestDeclaredLayerOnThePage(t *testing.T) {
	var n int
	_, b, _ := openViewOn(t, "karta", func(t *testing.T) *api {
		a, count := newDeclaredAPI(t)
		n = count
		return a
	})
	b.waitReady("overcrowding", 0)
	const id = "youth-centres"
	panel := func() []string {
		return eval[[]string](b, `[...document.querySelectorAll('#layer-panel input[data-group]')].map(e => e.dataset.group + ':' + document.querySelector('label[for=' + e.id + ']').textContent)`)
	}
	want := []string{"districts:Stadsdelar", "places:Platser", id + ":Fritidsgårdar", "observations:Observationer", "interventions:Insatser"}
	if got := panel(); !slices.Equal(got, want) {
		t.Errorf("layer panel %v, want %v", got, want)
	}
	legend := func() string { return eval[string](b, `document.getElementById('legend-`+id+`').textContent`) }
	if got := legend(); got != "Kommunal fritidsgårdAnnan" {
		t.Errorf("legend %q", got)
	}
	b.do("switch to English", chromedp.Click(chromedp.ID("lang-toggle")))
	if got := legend(); got != "Municipal youth centreOther" || !slices.Contains(panel(), id+":Youth centres") {
		t.Errorf("in English: legend %q, panel %v", got, panel())
	}

	// Zoom to the centres (places drawn above them are switched off, so nothing hides them).
	b.do("places off", chromedp.Click(chromedp.ID("layer-places")))
	var w, s, e, nn float64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
		FROM (SELECT ST_Extent(ST_Transform(geom, 4326)) AS b FROM `+youthTable+`) q`).Scan(&w, &s, &e, &nn); err != nil {
		t.Fatal(err)
	}
	eval[bool](b, fmt.Sprintf(`(() => { lagesbild.map.fitBounds([[%f, %f], [%f, %f]], {padding: 80, duration: 0, maxZoom: 14}); return true; })()`, w, s, e, nn))
	b.idle()
	layersOf := []string{id + "-circle"}
	if got := b.rendered("name", layersOf...); len(got) != n {
		t.Errorf("drawn centres %v, want %d", got, n)
	}
	if c := eval[string](b, `JSON.stringify(lagesbild.map.getPaintProperty('`+id+`-circle', 'circle-color'))`); c != `["match",["get","kind"],"municipal","#56b4e9","#e69f00"]` {
		t.Errorf("colour %s, want the declared match", c)
	}
	// A click on a centre shows it in the side panel.
	pt := eval[[]float64](b, `(() => { const f = lagesbild.map.queryRenderedFeatures({layers: ['`+id+`-circle']})[0];
		const p = lagesbild.map.project(f.geometry.coordinates), r = document.getElementById('map').getBoundingClientRect();
		return [p.x + r.left, p.y + r.top]; })()`)
	b.do("click a centre", chromedp.MouseClickXY(pt[0], pt[1]))
	b.waitFor("the centre's details", `document.getElementById('selected-title')?.textContent.includes('fritidsgård')`)

	b.do("switch the centres off", chromedp.Click(chromedp.ID("layer-"+id)))
	b.idle()
	if got := b.rendered("name", layersOf...); len(got) != 0 {
		t.Errorf("switched off, still drawn: %v", got)
	}
}
