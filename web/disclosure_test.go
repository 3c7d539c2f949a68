package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"golang.org/x/net/html"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// cellPlaceKeys are the properties of a hotspot cell that follow from its position alone.
var cellPlaceKeys = []string{"i", "j", "centroid", "neighbours", "suppressed", "cell"}

// trueCellCounts counts the observations of classes in each 150 m hexagon within the
// window, read as the database's owner (no row-level security): the ground truth an
// aggregated answer must not give away.
func trueCellCounts(t *testing.T, classes []string, from, to string) map[[2]int]int {
	t.Helper()
	rows, err := testDB.Pool.Query(context.Background(), `SELECT ST_X(geom), ST_Y(geom) FROM observations
		WHERE sensitivity = ANY($1) AND observed_at >= $2::date AND observed_at < $3::date + 1`, classes, from, to)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[[2]int]int{}
	for rows.Next() {
		var p orb.Point
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			t.Fatal(err)
		}
		i, j := hotspot.HexCellOf(p, 150)
		out[[2]int{i, j}]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// statsOf is a cell's properties less those that follow from its position, as JSON: two
// suppressed cells must have the same.
func statsOf(props map[string]any) string {
	m := maps.Clone(props)
	for _, k := range cellPlaceKeys {
		delete(m, k)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestAggregatedDisclosureHolds is the reviewer's request (issue 12, H2) for every caller of
// the access matrix, in the view without detail (their default when they may not read
// observations, disclosure=aggregated for the others): a neighbourhood as small as one cell
// is refused, and with the default one nothing in the answer tells a suppressed cell that
// holds observations from an empty one; totals and shown counts are rounded.
func TestAggregatedDisclosureHolds(t *testing.T) {
	a := newTileAPI(t)
	const from, to = "2024-03-01", "2024-03-31"
	q := "/analysis/hotspots?area=1980-BACKBY&side=150&datetime=" + from + "/" + to
	for _, c := range accessCallers(t) {
		t.Run(c.name, func(t *testing.T) {
			path := q
			if c.may(layers.Internal) {
				path += "&disclosure=aggregated"
			}
			res, body := a.raw("GET", path+"&band=150", c.header)
			if res.StatusCode != 400 || !strings.Contains(string(body), "band") {
				t.Errorf("band = side in the aggregated view: %d %.300s, want 400 naming band", res.StatusCode, body)
			}
			// Windows run over whole days: an end moved by the second would time an observation.
			res, body = a.raw("GET", strings.Replace(path, to, to+"T12:34:56Z", 1), c.header)
			if res.StatusCode != 400 || !strings.Contains(string(body), "datetime") {
				t.Errorf("a window ending at 12:34:56: %d %.300s, want 400 naming datetime", res.StatusCode, body)
			}
			if res, body = a.raw("GET", strings.Replace(path, from+"/"+to, from+"T00:00:00Z/"+to+"T23:59:59Z", 1), c.header); res.StatusCode != 200 {
				t.Errorf("the page's whole-month window: %d %.300s", res.StatusCode, body)
			}
			for _, method := range []string{"gistar", "emerging"} {
				p := path + "&method=" + method
				if method == "emerging" {
					p = strings.Replace(p, from+"/"+to, "2024-01-01/2024-03-31", 1)
				}
				res, body = a.raw("GET", p, c.header)
				if res.StatusCode != 200 {
					t.Fatalf("GET %s: %d %.300s", p, res.StatusCode, body)
				}
				var h hotspotAnswer
				if err := json.Unmarshal(body, &h); err != nil {
					t.Fatal(err)
				}
				lo := from
				if method == "emerging" {
					lo = "2024-01-01"
				}
				truth := trueCellCounts(t, classesUpTo(c.clearance), lo, to)
				checkAggregatedCells(t, method, h, truth)
			}
		})
	}
}

// checkAggregatedCells checks one aggregated answer against the true counts per cell.
func checkAggregatedCells(t *testing.T, method string, h hotspotAnswer, truth map[[2]int]int) {
	t.Helper()
	const k = 5
	suppressedStats := map[string]bool{}
	occupied, empty := 0, 0
	for _, f := range h.Features {
		i, j := int(f.Props["i"].(float64)), int(f.Props["j"].(float64))
		n := truth[[2]int{i, j}]
		for _, exact := range []string{"z", "p", "p_fdr", "trend_z", "trend_p", "trend_tau", "z_last"} {
			if v, ok := f.Props[exact]; ok && v != nil {
				t.Fatalf("%s: cell %s gives %s = %v: an exact statistic in the aggregated view", method, f.ID, exact, v)
			}
		}
		if f.Props["suppressed"] != true {
			cnt, ok := f.Props["count"].(float64)
			if !ok || int(cnt)%k != 0 || n < k {
				t.Errorf("%s: shown cell %s count %v (true %d): want a multiple of %d, only for cells of %d or more", method, f.ID, f.Props["count"], n, k, k)
			}
			continue
		}
		if n >= k {
			t.Errorf("%s: cell %s of %d observations suppressed", method, f.ID, n)
		}
		if n > 0 {
			occupied++
		} else {
			empty++
		}
		suppressedStats[statsOf(f.Props)] = true
	}
	if occupied == 0 || empty == 0 {
		t.Fatalf("%s: %d suppressed cells hold observations, %d are empty: the window no longer tests anything", method, occupied, empty)
	}
	if len(suppressedStats) != 1 {
		t.Errorf("%s: suppressed cells differ in %d ways, so occupied ones can be told from empty ones: %v", method, len(suppressedStats), keys(suppressedStats))
	}
	obs, _ := h.Summary["observations"].(float64)
	if int(obs)%k != 0 {
		t.Errorf("%s: summary observations %v is not rounded to a multiple of %d", method, obs, k)
	}
	if w, ok := h.Summary["total_weight"].(float64); ok && int(w)%k != 0 {
		t.Errorf("%s: summary total_weight %v is not rounded to a multiple of %d", method, w, k)
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestAggregatedDisclosureTilesAndPlaces: the hotspot tiles carry the same cells as the
// GeoJSON (so the same suppression), and the place ranking neither ranks nor orders
// suppressed places by their hidden figures.
func TestAggregatedDisclosureTilesAndPlaces(t *testing.T) {
	a := newTileAPI(t)
	anon := http.Header{anonymousHeader: {"1"}}
	tile := tiles.TileContaining(centreLon, centreLat, 13)
	res, body := a.raw("GET", tilePath("/analysis/hotspots", tile)+"?datetime=2024-03-01/2024-03-31&side=150", anon)
	if res.StatusCode != 200 {
		t.Fatalf("hotspot tile: %d %.300s", res.StatusCode, body)
	}
	l := layerNamed(decodeTile(t, body), "hotspots")
	if l == nil {
		t.Fatal("no hotspots layer")
	}
	for _, f := range l.Features {
		for _, exact := range []string{"z", "p", "p_fdr"} {
			if _, ok := f.Properties[exact]; ok {
				t.Fatalf("tile cell gives %s: %v", exact, f.Properties)
			}
		}
		if f.Properties["suppressed"] == true {
			for _, stat := range []string{"bin", "class", "count", "value", "survives_fdr"} {
				if _, ok := f.Properties[stat]; ok {
					t.Fatalf("suppressed tile cell gives %s: %v", stat, f.Properties)
				}
			}
		}
	}
	res, body = a.raw("GET", "/analysis/hotspots/tiles/WebMercatorQuad/13/1/1?band=150", anon)
	if res.StatusCode != 400 {
		t.Errorf("hotspot tile with band = side: %d, want 400", res.StatusCode)
	}

	// Observation tiles without detail: cells nest across zooms, so a shown parent minus its
	// shown children would give the suppressed children's count, were the counts exact.
	obsTile := tiles.TileContaining(centreLon, centreLat, 11)
	res, body = a.raw("GET", tilePath("/collections/observations", obsTile), anon)
	if res.StatusCode != 200 {
		t.Fatalf("observation tile: %d %.300s", res.StatusCode, body)
	}
	ol := layerNamed(decodeTile(t, body), "observations")
	if ol == nil || len(ol.Features) < 10 {
		t.Fatalf("observation tile: too few cells to test rounding: %v", ol)
	}
	for _, f := range ol.Features {
		for _, name := range []string{"count", "severity_sum"} {
			if n, _ := f.Properties[name].(float64); n < 5 || int(n)%5 != 0 {
				t.Fatalf("observation cell %s %v: want a multiple of 5, at least 5", name, f.Properties[name])
			}
		}
	}

	for _, p := range []string{tilePath("/collections/observations", obsTile) + "?datetime=2024-03-01T00:00:00Z/2024-03-14T08:15:00Z",
		"/analysis/hotspots/places?datetime=2024-03-01T06:00:00Z/2024-03-31"} {
		if res, body = a.raw("GET", p, anon); res.StatusCode != 400 || !strings.Contains(string(body), "datetime") {
			t.Errorf("GET %s without detail: %d %.200s, want 400 naming datetime", p, res.StatusCode, body)
		}
	}
	res, body = a.raw("GET", "/analysis/hotspots/places", anon)
	var def struct {
		Current struct{ End time.Time } `json:"current"`
	}
	if err := json.Unmarshal(body, &def); err != nil || res.StatusCode != 200 {
		t.Fatalf("places by default: %d %v", res.StatusCode, err)
	}
	if !def.Current.End.Equal(def.Current.End.Truncate(24 * time.Hour)) {
		t.Errorf("places by default end at %s, the newest observation's time: want its day's end", def.Current.End)
	}

	res, body = a.raw("GET", "/analysis/hotspots/places?limit=10000&datetime=2024-03-01/2024-03-31", anon)
	if res.StatusCode != 200 {
		t.Fatalf("places: %d %.300s", res.StatusCode, body)
	}
	var pl struct {
		Places []map[string]any `json:"places"`
	}
	if err := json.Unmarshal(body, &pl); err != nil {
		t.Fatal(err)
	}
	seenSuppressed, suppressed := false, 0
	var lastID float64
	for k, p := range pl.Places {
		if p["suppressed"] == true {
			suppressed++
			if p["rank_intensity"] != nil || p["rank_change"] != nil {
				t.Fatalf("suppressed place ranked: %v", p)
			}
			if id := p["id"].(float64); seenSuppressed && id < lastID {
				t.Errorf("suppressed places are ordered by something else than id (hidden figures): %v after %v", id, lastID)
			}
			seenSuppressed, lastID = true, p["id"].(float64)
			continue
		}
		if seenSuppressed {
			t.Errorf("place %d shown after a suppressed one", k)
		}
		for _, name := range []string{"count", "previous_count"} {
			if n := p[name].(float64); int(n)%5 != 0 {
				t.Errorf("place %v: %s %v not rounded to 5", p["name"], name, n)
			}
		}
	}
	if suppressed == 0 {
		t.Fatal("no suppressed place: the window no longer tests anything")
	}
}

// TestAggregatedOnlyReport: on a server configured for aggregated answers only, the report's
// hot spot map colours exactly the cells /analysis/hotspots shows with a class (none under
// the threshold), and its place table holds no place under the threshold and rounded counts.
func TestAggregatedOnlyReport(t *testing.T) {
	db := layerstest.Require(t, testDB)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, _ := testServer(t, db, web.Config{Version: "test", AggregatedOnly: true}, layers.NewCatalogue(), log)
	defer srv.Close()
	a := newClient(t, srv)
	res, body := a.raw("GET", "/report?from=2024-01-01&to=2024-12-31", nil)
	if res.StatusCode != 200 {
		t.Fatalf("report: %d %.300s", res.StatusCode, body)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	coloured, svgs := 0, 0
	var places *html.Node
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if n.Data == "svg" {
			svgs++
		}
		if n.Data == "path" && strings.HasPrefix(attr(n, "class"), "cell ") {
			coloured++
		}
		if attr(n, "id") == "hotspot-places" {
			places = n
		}
	})
	var h hotspotAnswer
	res, body = a.raw("GET", "/analysis/hotspots?side=150&datetime=2024-01-01T00:00:00Z/2025-01-01T00:00:00Z", nil)
	if err := json.Unmarshal(body, &h); err != nil || res.StatusCode != 200 {
		t.Fatalf("hotspots: %d %v", res.StatusCode, err)
	}
	shown := 0
	for _, f := range h.Features {
		if b, ok := f.Props["bin"].(float64); ok && b != 0 {
			shown++
		}
	}
	if coloured != shown || shown == 0 {
		t.Errorf("the report colours %d cells, the aggregated analysis shows %d with a class", coloured, shown)
	}
	if places == nil {
		t.Fatal("no place table")
	}
	rows := 0
	walk(places, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "tr" || n.Parent.Data != "tbody" {
			return
		}
		rows++
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				cells = append(cells, text(c))
			}
		}
		if n, err := strconv.Atoi(cells[3]); err != nil || n < 5 || n%5 != 0 {
			t.Errorf("report place %q: count %q, want a multiple of 5, at least 5", cells[0], cells[3])
		}
	})
	if rows == 0 {
		t.Error("the report lists no place: nothing tested")
	}

	// The observations by district and category: 0, "<5" or a multiple of 5; no change in per
	// cent from a hidden count.
	var table *html.Node
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && attr(n, "id") == "observations-by-district" {
			table = n
		}
	})
	if table == nil {
		t.Fatal("no observations table")
	}
	small := 0
	walk(table, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "tr" || n.Parent.Data != "tbody" {
			return
		}
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				cells = append(cells, text(c))
			}
		}
		for k, cell := range cells {
			if k == 0 || k == 3 {
				continue
			}
			if cell == "<5" {
				small++
				continue
			}
			if v, err := strconv.Atoi(strings.ReplaceAll(cell, "\u202f", "")); err != nil || v%5 != 0 { // thin-space thousands
				t.Errorf("district %q column %d: %q, want 0, <5 or a multiple of 5", cells[0], k, cell)
			}
		}
		if (cells[1] == "<5" || cells[2] == "<5") && cells[3] != "–" {
			t.Errorf("district %q: change %q from a hidden count", cells[0], cells[3])
		}
	})
	if small == 0 {
		t.Error("no count under the threshold in the district table: nothing tested")
	}
}

// TestAggregatedExtentCoarse: the extent of the observations collection, for a caller who
// gets it only aggregated, is widened to whole hundredths of a degree and whole days: its
// exact edges are single observations' coordinates and times.
func TestAggregatedExtentCoarse(t *testing.T) {
	a := newAPI(t)
	anon := http.Header{anonymousHeader: {"1"}}
	res, body := a.raw("GET", "/collections/observations", anon)
	if res.StatusCode != 200 {
		t.Fatalf("collection: %d %.300s", res.StatusCode, body)
	}
	var doc struct {
		Extent struct {
			Spatial  struct{ BBox [][4]float64 }    `json:"spatial"`
			Temporal struct{ Interval [][2]string } `json:"temporal"`
		} `json:"extent"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Extent.Spatial.BBox) != 1 || len(doc.Extent.Temporal.Interval) != 1 {
		t.Fatalf("no extent: %v %.300s", err, body)
	}
	var exact [4]float64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
		FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, 3006), 4326) AS b FROM observations WHERE sensitivity = 'open') e`).
		Scan(&exact[0], &exact[1], &exact[2], &exact[3]); err != nil {
		t.Fatal(err)
	}
	got := doc.Extent.Spatial.BBox[0]
	for k, v := range got {
		if math.Abs(v*100-math.Round(v*100)) > 1e-6 {
			t.Errorf("bbox %v: edge %d is not a whole hundredth of a degree", got, k)
		}
		if (k < 2 && v > exact[k]+1e-9) || (k >= 2 && v < exact[k]-1e-9) {
			t.Errorf("bbox %v does not hold the open observations' %v", got, exact)
		}
	}
	iv := doc.Extent.Temporal.Interval[0]
	if !strings.HasSuffix(iv[0], "T00:00:00Z") || !strings.HasSuffix(iv[1], "T23:59:59Z") {
		t.Errorf("temporal extent %v: want whole days", iv)
	}
	// Callers who may read the points get the exact extent.
	_, body = a.get("/collections/observations", 200)
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Extent.Spatial.BBox) != 1 {
		t.Fatalf("no extent for a reader: %v", err)
	}
	if full := doc.Extent.Spatial.BBox[0]; full == got {
		t.Errorf("a reader of the points got the coarse extent %v", full)
	}
}
