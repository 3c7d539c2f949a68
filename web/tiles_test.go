package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// Västerås centre (Stora torget), where the demo data is densest.
const centreLon, centreLat = 16.5448, 59.6099

var registerMVT sync.Once

// newTileAPI is newAPI with MVT answers validated too (as binary strings).
func newTileAPI(t *testing.T) *api {
	registerMVT.Do(func() {
		openapi3filter.RegisterBodyDecoder("application/vnd.mapbox-vector-tile", openapi3filter.FileBodyDecoder)
	})
	return newAPI(t)
}

func tilePath(prefix string, id tiles.TileID) string {
	return fmt.Sprintf("%s/tiles/WebMercatorQuad/%d/%d/%d", prefix, id.Z, id.Y, id.X)
}

func decodeTile(t *testing.T, body []byte) mvt.Layers {
	t.Helper()
	ls, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("tile does not decode: %v", err)
	}
	return ls
}

func layerNamed(ls mvt.Layers, name string) *mvt.Layer {
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// tileCount counts rows of table in a tile's buffered envelope, as the tile selects them.
func tileCount(t *testing.T, id tiles.TileID, table, extra string, args ...any) int64 {
	t.Helper()
	q := fmt.Sprintf(`SELECT count(*) FROM %s t WHERE t.geom_3857 && ST_TileEnvelope(%d, %d, %d, margin => %g)`,
		table, id.Z, id.X, id.Y, float64(layers.TileBuffer)/layers.TileExtent)
	if extra != "" {
		q += " AND " + extra
	}
	return count(t, q, args...)
}

func TestMapTile(t *testing.T) {
	a := newTileAPI(t)
	id := tiles.TileContaining(centreLon, centreLat, 12)
	res, body := a.get(tilePath("", id), 200)
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		t.Errorf("Content-Type %q", ct)
	}
	ls := decodeTile(t, body)
	for _, name := range []string{"districts", "places", "interventions"} {
		l := layerNamed(ls, name)
		if l == nil {
			t.Fatalf("layer %s missing from the map tile (have %d layers)", name, len(ls))
		}
		if l.Extent != layers.TileExtent {
			t.Errorf("%s: extent %d", name, l.Extent)
		}
		// Each layer's table has the layer's name.
		extra := "ST_AsMVTGeom(t.geom_3857, ST_TileEnvelope($1, $2, $3), 4096, 64, true) IS NOT NULL"
		if want := tileCount(t, id, name, extra, id.Z, id.X, id.Y); int64(len(l.Features)) != want {
			t.Errorf("%s: %d features, want %d (SQL)", name, len(l.Features), want)
		}
	}
	// Attributes are the declared tile properties; sensitive and heavy columns stay out.
	var found bool
	for _, f := range layerNamed(ls, "districts").Features {
		if f.Properties["code"] == "1980-CENTRUM" || f.Properties["name"] == "Centrum" {
			found = true
		}
		for _, banned := range []string{"police_class_history", "data_class", "geom", "geom_3857"} {
			if _, ok := f.Properties[banned]; ok {
				t.Errorf("district tile carries %s", banned)
			}
		}
		if f.Properties["illustrative"] != true {
			t.Errorf("district %v not marked illustrative", f.Properties["code"])
		}
	}
	if !found {
		t.Errorf("the centre tile lacks the Centrum district")
	}
	for _, f := range layerNamed(ls, "places").Features {
		if f.ID == nil || f.Properties["name"] == nil || f.Properties["kind"] == nil {
			t.Errorf("place without id, name or kind: %v %v", f.ID, f.Properties)
		}
	}
}

func TestObservationTiles(t *testing.T) {
	a := newTileAPI(t)

	t.Run("raw points at z14 match SQL", func(t *testing.T) {
		id := tiles.TileContaining(centreLon, centreLat, 14)
		_, body := a.get(tilePath("/collections/observations", id), 200)
		l := layerNamed(decodeTile(t, body), "observations")
		if l == nil {
			t.Fatal("no observations layer")
		}
		if want := tileCount(t, id, "observations", ""); int64(len(l.Features)) != want || want == 0 {
			t.Errorf("%d points, want %d", len(l.Features), want)
		}
		f := l.Features[0]
		for _, k := range []string{"observed_at", "category", "severity", "source", "illustrative"} {
			if _, ok := f.Properties[k]; !ok {
				t.Errorf("point lacks %s: %v", k, f.Properties)
			}
		}
		if _, ok := f.Properties["sensitivity"]; ok {
			t.Errorf("point carries sensitivity")
		}
		if f.ID == nil {
			t.Errorf("point without feature id")
		}
	})

	t.Run("filters match SQL", func(t *testing.T) {
		id := tiles.TileContaining(centreLon, centreLat, 13)
		q := "?datetime=2024-01-01T00:00:00Z/2024-06-30T23:59:59Z&category=open_drug_dealing&aggregate=false"
		_, body := a.get(tilePath("/collections/observations", id)+q, 200)
		l := layerNamed(decodeTile(t, body), "observations")
		want := tileCount(t, id, "observations",
			"observed_at BETWEEN '2024-01-01T00:00:00Z' AND '2024-06-30T23:59:59Z' AND category = 'open_drug_dealing'")
		if l == nil || int64(len(l.Features)) != want || want == 0 {
			t.Fatalf("filtered tile: got %v, want %d points", l, want)
		}
		for _, f := range l.Features {
			if f.Properties["category"] != "open_drug_dealing" {
				t.Fatalf("filter not applied: %v", f.Properties)
			}
		}
	})

	t.Run("low zooms aggregate and the counts add up", func(t *testing.T) {
		// At z8 the whole municipality lies in one tile, so the cells hold every observation.
		id := tiles.TileContaining(centreLon, centreLat, 8)
		_, body := a.get(tilePath("/collections/observations", id), 200)
		l := layerNamed(decodeTile(t, body), "observations")
		if l == nil {
			t.Fatal("no observations layer")
		}
		var n, sev float64
		for _, f := range l.Features {
			c, _ := f.Properties["count"].(float64)
			s, _ := f.Properties["severity_sum"].(float64)
			if c < 1 {
				t.Fatalf("cell without count: %v", f.Properties)
			}
			n += c
			sev += s
		}
		if want := count(t, "SELECT count(*) FROM observations"); int64(n) != want {
			t.Errorf("cells hold %v observations, want %d", n, want)
		}
		if want := count(t, "SELECT sum(severity) FROM observations"); int64(sev) != want {
			t.Errorf("cells hold severity %v, want %d", sev, want)
		}
		if len(l.Features) >= int(n) {
			t.Errorf("%d cells for %v observations: nothing aggregated", len(l.Features), n)
		}
	})

	t.Run("properties narrows the attributes", func(t *testing.T) {
		id := tiles.TileContaining(centreLon, centreLat, 15)
		_, body := a.get(tilePath("/collections/observations", id)+"?properties=category,severity", 200)
		l := layerNamed(decodeTile(t, body), "observations")
		if l == nil || len(l.Features) == 0 {
			t.Fatal("no points")
		}
		for _, f := range l.Features {
			if len(f.Properties) != 2 || f.Properties["category"] == nil || f.Properties["severity"] == nil || f.ID == nil {
				t.Fatalf("properties=category,severity gave %v (id %v)", f.Properties, f.ID)
			}
		}
	})

	t.Run("aggregate=false gives points at low zoom", func(t *testing.T) {
		id := tiles.TileContaining(centreLon, centreLat, 10)
		_, body := a.get(tilePath("/collections/observations", id)+"?aggregate=false", 200)
		l := layerNamed(decodeTile(t, body), "observations")
		if want := tileCount(t, id, "observations", ""); l == nil || int64(len(l.Features)) != want {
			t.Errorf("raw z10 tile: want %d points", want)
		}
	})
}

func TestEveryLayerHasTiles(t *testing.T) {
	a := newTileAPI(t)
	id := tiles.TileContaining(centreLon, centreLat, 11)
	for _, l := range layers.NewCatalogue().Layers() {
		if !l.HasGeometry() {
			a.get("/collections/"+l.ID+"/tiles", 404)
			continue
		}
		t.Run(l.ID, func(t *testing.T) {
			var tj struct {
				TileJSON     string   `json:"tilejson"`
				Tiles        []string `json:"tiles"`
				Bounds       []float64
				VectorLayers []struct {
					ID     string            `json:"id"`
					Fields map[string]string `json:"fields"`
				} `json:"vector_layers"`
			}
			a.getJSON("/collections/"+l.ID+"/tiles/WebMercatorQuad?f=tilejson", 200, &tj)
			if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || !strings.HasSuffix(tj.Tiles[0], "/collections/"+l.ID+"/tiles/WebMercatorQuad/{z}/{y}/{x}") {
				t.Errorf("TileJSON: %+v", tj)
			}
			if len(tj.VectorLayers) != 1 || tj.VectorLayers[0].ID != l.ID {
				t.Fatalf("vector_layers: %+v", tj.VectorLayers)
			}
			for _, p := range l.TileFields() {
				if tj.VectorLayers[0].Fields[p.Name] == "" {
					t.Errorf("TileJSON lacks field %s", p.Name)
				}
			}
			// The tile at the centre of the layer's extent: a layer covering a small part
			// of the municipality need not reach the tile at the town centre.
			var coll struct {
				Extent struct {
					Spatial struct {
						BBox [][]float64 `json:"bbox"`
					} `json:"spatial"`
				} `json:"extent"`
			}
			a.getJSON("/collections/"+l.ID, 200, &coll)
			id := id
			if bb := coll.Extent.Spatial.BBox; len(bb) == 1 && len(bb[0]) == 4 && !(bb[0][0] <= centreLon && centreLon <= bb[0][2] && bb[0][1] <= centreLat && centreLat <= bb[0][3]) {
				id = tiles.TileContaining((bb[0][0]+bb[0][2])/2, (bb[0][1]+bb[0][3])/2, 11)
			}
			_, body := a.get(tilePath("/collections/"+l.ID, id), 200)
			tl := layerNamed(decodeTile(t, body), l.ID)
			if tl == nil || len(tl.Features) == 0 {
				t.Fatalf("no features in layer %s", l.ID)
			}
			for _, f := range tl.Features {
				for k := range f.Properties {
					if _, declared := tj.VectorLayers[0].Fields[k]; !declared {
						t.Errorf("tile property %s not in TileJSON", k)
					}
				}
			}
			a.get("/collections/"+l.ID+"/tiles", 200)
			a.get("/collections/"+l.ID+"/tiles/WebMercatorQuad", 200)
		})
	}
	var tj struct {
		Tiles        []string `json:"tiles"`
		VectorLayers []struct {
			ID string `json:"id"`
		} `json:"vector_layers"`
	}
	a.getJSON("/tiles/WebMercatorQuad?f=tilejson", 200, &tj)
	if len(tj.VectorLayers) != 3 || !strings.HasSuffix(tj.Tiles[0], "/tiles/WebMercatorQuad/{z}/{y}/{x}") {
		t.Errorf("map TileJSON: %+v", tj)
	}
	a.get("/tiles", 200)
	a.get("/tiles/WebMercatorQuad", 200)
	// Filters given to the TileJSON are carried into the tile template.
	var fj struct{ Tiles []string }
	a.getJSON("/collections/observations/tiles/WebMercatorQuad?f=tilejson&category=violence", 200, &fj)
	if len(fj.Tiles) != 1 || !strings.HasSuffix(fj.Tiles[0], "{z}/{y}/{x}?category=violence") {
		t.Errorf("filtered TileJSON: %v", fj.Tiles)
	}
}

func TestTileBadInput(t *testing.T) {
	a := newTileAPI(t)
	for _, tc := range []struct {
		path, param string
		status      int
	}{
		{"/tiles/WebMercatorQuad/23/0/0", "tileMatrix", 400},
		{"/tiles/WebMercatorQuad/-1/0/0", "tileMatrix", 400},
		{"/tiles/WebMercatorQuad/z/0/0", "tileMatrix", 400},
		{"/tiles/WebMercatorQuad/99999999999999999999/0/0", "tileMatrix", 400},
		{"/tiles/WebMercatorQuad/3/8/0", "tileRow", 400},
		{"/tiles/WebMercatorQuad/3/0/8", "tileCol", 400},
		{"/tiles/WebMercatorQuad/3/1.5/0", "tileRow", 400},
		{"/tiles/WebMercatorQuad/3/+1/0", "tileRow", 400},
		{"/tiles/WebMercatorQuad/3/0/0?f=png", "f", 400},
		{"/tiles/WebMercatorQuad/3/0/0?datetime=2024-01-01", "datetime", 400},
		{"/collections/observations/tiles/WebMercatorQuad/12/0/0?datetime=yesterday", "datetime", 400},
		{"/collections/observations/tiles/WebMercatorQuad/12/0/0?aggregate=maybe", "aggregate", 400},
		{"/collections/observations/tiles/WebMercatorQuad/12/0/0?category=unknown", "category", 400},
		{"/collections/observations/tiles/WebMercatorQuad/12/0/0?colour=red", "colour", 400},
		{"/collections/observations/tiles/WebMercatorQuad/12/0/0?severity=high", "severity", 400},
		{"/collections/observations/tiles/WebMercatorQuad/12/0/0?properties=sensitivity", "properties", 400},
		{"/collections/districts/tiles/WebMercatorQuad/12/0/0?aggregate=true", "aggregate", 400},
		{"/collections/districts/tiles/WebMercatorQuad/12/0/0?datetime=2024-01-01", "datetime", 400},
		{"/collections/observations/tiles/WebMercatorQuad?f=tilejson&category=unknown", "category", 400},
		{"/collections/observations/tiles/WebMercatorQuad?f=xml", "f", 400},
		{"/collections/observations/tiles/WorldCRS84Quad/1/0/0", "", 404},
		{"/collections/nowhere/tiles/WebMercatorQuad/1/0/0", "", 404},
		{"/collections/indicators/tiles/WebMercatorQuad/1/0/0", "", 404},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, body := a.get(tc.path, tc.status)
			if tc.param != "" && !bytes.Contains(body, []byte(`"param":"`+tc.param+`"`)) {
				t.Errorf("problem does not name %s: %s", tc.param, body)
			}
		})
	}
}

func TestTileHTTP(t *testing.T) {
	a := newTileAPI(t)
	path := tilePath("", tiles.TileContaining(centreLon, centreLat, 13))

	// Go's client asks for gzip and unpacks it unseen unless told otherwise.
	identity := http.Header{"Accept-Encoding": {"identity"}}
	res, plain := a.raw("GET", path, identity)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || !regexp.MustCompile(`^"[A-Za-z0-9_-]+"$`).MatchString(etag) {
		t.Fatalf("status %d, ETag %q", res.StatusCode, etag)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age") {
		t.Errorf("Cache-Control %q", cc)
	}
	res, _ = a.raw("GET", path, http.Header{"If-None-Match": {etag}, "Accept-Encoding": {"identity"}})
	if res.StatusCode != 304 {
		t.Errorf("If-None-Match: status %d, want 304", res.StatusCode)
	}

	// gzip: its own ETag, and the same tile inside. The transport must not decompress.
	req, _ := http.NewRequest("GET", a.srv.URL+path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	gres, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	gzBody, _ := io.ReadAll(gres.Body)
	gres.Body.Close()
	if gres.Header.Get("Content-Encoding") != "gzip" || gres.Header.Get("ETag") == etag {
		t.Errorf("gzip answer: encoding %q, ETag %q (plain %q)", gres.Header.Get("Content-Encoding"), gres.Header.Get("ETag"), etag)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gzBody))
	if err != nil {
		t.Fatal(err)
	}
	unz, _ := io.ReadAll(zr)
	if !bytes.Equal(unz, plain) {
		t.Errorf("gzip body differs from the plain tile")
	}

	res, body := a.raw("HEAD", path, identity)
	if res.StatusCode != 200 || len(body) != 0 || res.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %d, %d bytes, ETag %q", res.StatusCode, len(body), res.Header.Get("ETag"))
	}

	// A tile over the Atlantic is empty: 204, no body.
	res, body = a.get("/tiles/WebMercatorQuad/12/1500/1500", 204)
	if len(body) != 0 {
		t.Errorf("empty tile has %d bytes", len(body))
	}
	a.get("/collections/observations/tiles/WebMercatorQuad/14/0/0", 204)
}

// TestTileCache checks hits and misses in /metrics, and that a committed change — made
// behind the server's back, as an import from the command line would — reaches the cache.
func TestTileCache(t *testing.T) {
	db := layerstest.Require(t, testDB)
	cat := layers.NewCatalogue()
	store := layers.NewStore(db.AppPool)
	cache := web.NewTileCache(8 << 20)
	listen(t, store, cat, cache)
	reg := prometheus.NewRegistry()
	srv := testServerOn(t, db, web.Config{TileCache: cache, Metrics: reg}, store, cat, slog.New(slog.NewTextHandler(io.Discard, nil)))
	get := func(path string) []byte {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
		}
		return b
	}
	metric := func(name string) float64 {
		t.Helper()
		rec := httptest.NewRecorder()
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(rec.Body.Bytes())
		if m == nil {
			t.Fatalf("metric %s missing", name)
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}

	id := tiles.TileContaining(centreLon, centreLat, 15)
	path := tilePath("/collections/observations", id)
	h0, m0 := metric("lagesbild_tile_cache_hits_total"), metric("lagesbild_tile_cache_misses_total")
	first := get(path)
	second := get(path)
	if !bytes.Equal(first, second) {
		t.Fatal("cached tile differs")
	}
	if h, m := metric("lagesbild_tile_cache_hits_total"), metric("lagesbild_tile_cache_misses_total"); h != h0+1 || m != m0+1 {
		t.Errorf("hits %v→%v, misses %v→%v; want one of each", h0, h, m0, m)
	}
	if metric("lagesbild_tile_cache_bytes") < float64(len(first)) {
		t.Errorf("cache bytes below the tile's size")
	}

	// A new observation in the tile, committed outside the server.
	inv0 := metric("lagesbild_tile_cache_invalidations_total")
	minX, minY, maxX, maxY := id.Bounds()
	var obsID int64
	err := db.Pool.QueryRow(context.Background(), `
		INSERT INTO observations (observed_at, category, severity, source, source_id, geom, illustrative)
		VALUES ('2024-05-01T12:00:00Z', 'violence', 3, 'police', 'tile-cache-test',
		        ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 3857), 3006), true)
		RETURNING id`, (minX+maxX)/2, (minY+maxY)/2).Scan(&obsID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Pool.Exec(context.Background(), "DELETE FROM observations WHERE id = $1", obsID) })
	// The cached tile must show the point once the commit's notification arrives; until
	// then it is served stale from the cache, which is what makes this a test of the
	// invalidation (the cache is 8 MiB and nothing else evicts the tile).
	want := len(layerNamed(decodeTile(t, first), "observations").Features) + 1
	deadline := time.Now().Add(10 * time.Second)
	for {
		l := layerNamed(decodeTile(t, get(path)), "observations")
		if len(l.Features) == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after the commit the tile still has %d points, want %d", len(l.Features), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if metric("lagesbild_tile_cache_invalidations_total") == inv0 {
		t.Errorf("the tile changed without an invalidation being counted")
	}
}

// TestGDALReadsTiles has GDAL's MVT driver read a served tile, placed by its z/x/y.
func TestGDALReadsTiles(t *testing.T) {
	a := newTileAPI(t)
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo not installed under CI (make test installs gdal-bin)")
		}
		t.Skip("ogrinfo not installed (apt-get install gdal-bin)")
	}
	id := tiles.TileContaining(centreLon, centreLat, 12)
	_, body := a.get(tilePath("", id), 200)
	file := filepath.Join(t.TempDir(), "tile.pbf")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-so",
		"-oo", fmt.Sprintf("Z=%d", id.Z), "-oo", fmt.Sprintf("X=%d", id.X), "-oo", fmt.Sprintf("Y=%d", id.Y), "MVT:"+file).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{"Layer name: districts", "Layer name: places", "Layer name: interventions", "name: String", "population: Integer", "Pseudo-Mercator"} {
		if !strings.Contains(s, want) {
			t.Errorf("ogrinfo output lacks %q:\n%.3000s", want, s)
		}
	}
	// The districts' extent lies inside the tile's bounds (with the buffer).
	m := regexp.MustCompile(`Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no extent in:\n%s", s)
	}
	minX, minY, maxX, maxY := id.Bounds()
	pad := (maxX - minX) * float64(layers.TileBuffer) / layers.TileExtent
	for i, lim := range []struct{ v, lo, hi float64 }{{0, minX - pad, maxX + pad}, {0, minY - pad, maxY + pad}, {0, minX - pad, maxX + pad}, {0, minY - pad, maxY + pad}} {
		v, _ := strconv.ParseFloat(m[i+1], 64)
		if v < lim.lo || v > lim.hi {
			t.Errorf("extent value %d = %v outside [%v, %v]", i, v, lim.lo, lim.hi)
		}
	}
}

// TestHotspotTiles checks that the hotspot cells in a tile are those of the GeoJSON answer
// that reach it, with the same classes.
func TestHotspotTiles(t *testing.T) {
	a := newTileAPI(t)
	var doc struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	a.getJSON("/analysis/hotspots?method=gistar", 200, &doc)
	classes := map[string]any{}
	for _, f := range doc.Features {
		classes[f.ID] = f.Properties["class"]
	}
	id := tiles.TileContaining(centreLon, centreLat, 13)
	_, body := a.get(tilePath("/analysis/hotspots", id)+"?method=gistar", 200)
	l := layerNamed(decodeTile(t, body), "hotspots")
	if l == nil || len(l.Features) == 0 {
		t.Fatal("no hotspot cells in the centre tile")
	}
	hot := 0
	for _, f := range l.Features {
		cell, _ := f.Properties["cell"].(string)
		want, ok := classes[cell]
		if !ok {
			t.Fatalf("tile cell %q not in the GeoJSON answer", cell)
		}
		if f.Properties["class"] != want {
			t.Errorf("cell %s: class %v in the tile, %v in GeoJSON", cell, f.Properties["class"], want)
		}
		if want == "hot_99" {
			hot++
		}
		if _, isPoly := f.Geometry.(orb.Polygon); !isPoly {
			if _, isMulti := f.Geometry.(orb.MultiPolygon); !isMulti {
				t.Errorf("cell %s is a %T", cell, f.Geometry)
			}
		}
	}
	if hot == 0 {
		t.Errorf("the centre tile has no 99 %% hot cell")
	}
	// A z13 tile is about 2.4 km wide here; the study area is the whole municipality.
	if len(l.Features) >= len(doc.Features) {
		t.Errorf("%d cells in one tile of %d in the study area", len(l.Features), len(doc.Features))
	}
	a.get("/analysis/hotspots/tiles/WebMercatorQuad/13/0/0?method=gistar", 204)
	a.get(tilePath("/analysis/hotspots", id)+"?method=sideways", 400)
	a.get(tilePath("/analysis/hotspots", id)+"?crs=EPSG:3006", 400)
}

// listen runs the server's change listener for cache, as lagesbild serve does, until the
// test ends; it returns once the listener is connected.
func listen(t *testing.T, store *layers.Store, cat *layers.Catalogue, cache *web.TileCache) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	listening := make(chan struct{})
	var once sync.Once
	handle := web.ChangeHandler(cat, store, cache)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = store.ListenChanges(ctx, func(table string) {
			handle(table)
			if table == "" { // connected: everything before this moment counts as changed
				once.Do(func() { close(listening) })
			}
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		t.Fatal("the change listener did not connect within 10 s")
	}
}
