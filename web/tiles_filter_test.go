package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/geo/tiles"
)

// TestTileCQLFilter: the vector tiles take filter (CQL2, as the items do) and draw exactly
// the rows the same condition selects in SQL; the cache keeps filtered and unfiltered tiles
// apart and one filter in either encoding together; bad filters are 400 naming the parameter.
func TestTileCQLFilter(t *testing.T) {
	a := newTileAPI(t)
	obs := "/collections/observations"
	id := tiles.TileContaining(centreLon, centreLat, 14)
	const text = "category IN ('open_drug_dealing','drug_use') AND severity >= 4"
	const where = "category IN ('open_drug_dealing','drug_use') AND severity >= 4"
	points := func(path string) int {
		t.Helper()
		res, body := a.raw("GET", path, nil)
		if res.StatusCode == http.StatusNoContent {
			return 0
		}
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
		}
		l := layerNamed(decodeTile(t, body), "observations")
		if l == nil {
			t.Fatalf("GET %s: no observations layer", path)
		}
		for _, f := range l.Features {
			if c := f.Properties["category"]; c != "open_drug_dealing" && c != "drug_use" && strings.Contains(path, "filter=") {
				t.Fatalf("GET %s: a point of category %v", path, c)
			}
		}
		return len(l.Features)
	}

	// The unfiltered tile first, so a cache key without the filter would hand it out again.
	all := points(tilePath(obs, id))
	q := url.Values{"filter": {text}}
	got := points(tilePath(obs, id) + "?" + q.Encode())
	want := tileCount(t, id, "observations", where)
	if int64(got) != want || want == 0 || got >= all {
		t.Fatalf("filtered tile: %d points, want %d (SQL), unfiltered %d", got, want, all)
	}
	// The same filter in CQL2-JSON is the same tile (one cache entry: the same ETag).
	js := `{"op":"and","args":[{"op":"in","args":[{"property":"category"},["open_drug_dealing","drug_use"]]},{"op":">=","args":[{"property":"severity"},4]}]}`
	r1, _ := a.raw("GET", tilePath(obs, id)+"?"+q.Encode(), nil)
	r2, _ := a.raw("GET", tilePath(obs, id)+"?"+url.Values{"filter": {js}, "filter-lang": {"cql2-json"}}.Encode(), nil)
	if e := r1.Header.Get("ETag"); e == "" || e != r2.Header.Get("ETag") {
		t.Errorf("text and JSON filter: ETags %q and %q", e, r2.Header.Get("ETag"))
	}

	// A spatial filter, its literal in EPSG:3006 by filter-crs, with the property filters.
	sp := url.Values{"filter": {"S_INTERSECTS(geometry, BBOX(587000, 6610000, 588500, 6611500))"},
		"filter-crs": {"http://www.opengis.net/def/crs/EPSG/0/3006"}, "category": {"open_drug_dealing"}}
	got = points(tilePath(obs, id) + "?" + sp.Encode())
	want = tileCount(t, id, "observations", "category = 'open_drug_dealing' AND ST_Intersects(geom, ST_MakeEnvelope(587000, 6610000, 588500, 6611500, 3006))")
	if int64(got) != want {
		t.Errorf("spatial filter: %d points, want %d (SQL)", got, want)
	}

	// For a caller who may read the points, the cells of a low zoom count the filtered rows.
	low := tiles.TileContaining(centreLon, centreLat, 8)
	_, body := a.get(tilePath(obs, low)+"?"+q.Encode(), 200)
	var n float64
	for _, f := range layerNamed(decodeTile(t, body), "observations").Features {
		c, _ := f.Properties["count"].(float64)
		n += c
	}
	if want := count(t, "SELECT count(*) FROM observations WHERE "+where); int64(n) != want {
		t.Errorf("aggregated filtered cells hold %v observations, want %d", n, want)
	}

	// Another layer: the districts of one part of town, by a CQL2 condition on tile properties.
	dz := tiles.TileContaining(centreLon, centreLat, 11)
	_, body = a.get(tilePath("/collections/districts", dz)+"?"+url.Values{"filter": {"part_of_town = 'centrum' AND population > 0"}}.Encode(), 200)
	dl := layerNamed(decodeTile(t, body), "districts")
	if dl == nil || len(dl.Features) == 0 {
		t.Fatal("filtered districts tile is empty")
	}
	for _, f := range dl.Features {
		if f.Properties["part_of_town"] != "centrum" {
			t.Fatalf("district of %v in a tile filtered to centrum", f.Properties["part_of_town"])
		}
	}

	// GDAL's MVT driver reads the filtered tile: as many features as SQL selects.
	if ogrinfo, err := exec.LookPath("ogrinfo"); err == nil {
		_, body := a.get(tilePath(obs, id)+"?"+q.Encode(), 200)
		file := filepath.Join(t.TempDir(), "filtered.pbf")
		if err := os.WriteFile(file, body, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(ogrinfo, "-ro", "-al", "-so", "-oo", fmt.Sprintf("Z=%d", id.Z), "-oo", fmt.Sprintf("X=%d", id.X),
			"-oo", fmt.Sprintf("Y=%d", id.Y), "MVT:"+file).CombinedOutput()
		if err != nil || !strings.Contains(string(out), fmt.Sprintf("Feature Count: %d\n", tileCount(t, id, "observations", where))) {
			t.Errorf("ogrinfo of the filtered tile (want %d features): %v\n%s", tileCount(t, id, "observations", where), err, out)
		}
	} else if os.Getenv("CI") != "" {
		t.Fatal("ogrinfo not installed under CI (make test installs gdal-bin)")
	}

	// TileJSON given a filter carries it into the tile template.
	var tj struct {
		Tiles       []string
		Description string
	}
	a.getJSON(obs+"/tiles/WebMercatorQuad?f=tilejson&"+q.Encode(), 200, &tj)
	if len(tj.Tiles) != 1 || !strings.Contains(tj.Tiles[0], "filter=") || !strings.Contains(tj.Description, "take filter (CQL2") {
		t.Errorf("TileJSON with a filter: %v, %q", tj.Tiles, tj.Description)
	}

	for _, tc := range []struct{ query, param, says string }{
		{"filter=nosuch%20%3D%201", "filter", "unknown property"},
		{"filter=category%20%3D", "filter", "filter"},
		{"filter=severity%20%3D%201&filter-lang=xml", "filter-lang", "filter language"},
		{"filter=severity%20%3D%201&filter-crs=EPSG:4326", "filter-crs", ""},
		{"filter-lang=cql2-text", "filter-lang", "without filter"},
		{"filter=severity%20%5E%201000%20%3E%201", "filter", ""},
	} {
		paths := []string{tilePath(obs, id) + "?", obs + "/tiles/WebMercatorQuad?f=tilejson&"}
		if strings.Contains(tc.query, "%5E%201000") {
			paths = paths[:1] // an overflow shows only when the rows are read
		}
		for _, path := range paths {
			_, body := a.get(path+tc.query, 400)
			if !bytes.Contains(body, []byte(`"param":"`+tc.param+`"`)) || !bytes.Contains(body, []byte(tc.says)) {
				t.Errorf("%s: %s", tc.query, body)
			}
		}
	}
}

// TestTileCQLFilterDisclosure: a caller who may not read the observations gets counts per
// cell with small ones suppressed; filter, which could single out a handful of rows by
// difference (all cells minus those of "NOT S_INTERSECTS(geometry, <one house>)"), is
// refused there with 400 naming it, while the declared property filters still work.
func TestTileCQLFilterDisclosure(t *testing.T) {
	a := newTileAPI(t)
	anon := http.Header{anonymousHeader: {"1"}}
	id := tiles.TileContaining(centreLon, centreLat, 10)
	base := tilePath("/collections/observations", id)
	for _, path := range []string{
		base + "?" + url.Values{"filter": {"NOT S_INTERSECTS(geometry, BBOX(16.54,59.60,16.55,59.61))"}}.Encode(),
		base + "?" + url.Values{"filter": {"severity = 5"}, "aggregate": {"false"}}.Encode(),
		"/collections/observations/tiles/WebMercatorQuad?f=tilejson&" + url.Values{"filter": {"severity = 5"}}.Encode(),
	} {
		res, body := a.raw("GET", path, anon)
		var p problemDoc
		_ = json.Unmarshal(body, &p)
		if res.StatusCode != 400 || p.Param != "filter" {
			t.Errorf("anonymous %s: %d %s", path, res.StatusCode, body)
		}
	}
	if res, body := a.raw("GET", base+"?category=open_drug_dealing", anon); res.StatusCode != 200 && res.StatusCode != 204 {
		t.Errorf("anonymous property filter: %d %s", res.StatusCode, body)
	}
	// The points of a reader are filtered as usual.
	if res, body := a.raw("GET", base+"?"+url.Values{"filter": {"severity = 5"}}.Encode(), nil); res.StatusCode != 200 {
		t.Errorf("reader's filtered tile: %d %s", res.StatusCode, body)
	}
}
