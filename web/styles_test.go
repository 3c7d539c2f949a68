package web_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lagesbild/lagesbild/layers"
)

type styleDoc struct {
	Version int
	Name    string
	Glyphs  string
	Sprite  any
	Sources map[string]struct {
		Type  string
		Tiles []string
	}
	Layers []struct {
		ID          string
		Type        string
		Source      string
		SourceLayer string `json:"source-layer"`
		Paint       map[string]any
		Metadata    map[string]string
	}
}

// TestStyleDocument: /styles lists the style, /styles/karta is a valid MapLibre style (the
// style spec's own validator, pinned in web/page) with absolute tile URLs of this server,
// no glyphs or sprites, Swedish titles and the catalogue's colours.
func TestStyleDocument(t *testing.T) {
	a := newTileAPI(t)
	var list struct {
		Styles []struct {
			ID    string
			Links []struct{ Href, Rel string }
		}
	}
	a.getJSON("/styles", 200, &list)
	if len(list.Styles) != 1 || list.Styles[0].ID != "karta" || !strings.HasSuffix(list.Styles[0].Links[0].Href, "/styles/karta") ||
		list.Styles[0].Links[0].Rel != "stylesheet" {
		t.Fatalf("styles: %+v", list)
	}
	_, body := a.get("/styles/karta", 200)
	var st styleDoc
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != 8 || st.Glyphs != "" || st.Sprite != nil || !strings.Contains(st.Name, "Lägesbild") {
		t.Errorf("style header: version %d, glyphs %q, sprite %v, name %q", st.Version, st.Glyphs, st.Sprite, st.Name)
	}
	for id, s := range st.Sources {
		if s.Type != "vector" || len(s.Tiles) != 1 || !strings.HasPrefix(s.Tiles[0], a.srv.URL+"/") {
			t.Errorf("source %s: %+v (want absolute URLs of %s)", id, s, a.srv.URL)
		}
	}
	cat := layers.NewCatalogue()
	for _, l := range st.Layers {
		if l.Metadata["title"] == "" {
			t.Errorf("layer %s has no title", l.ID)
		}
	}
	all := string(body)
	for _, l := range cat.Layers() {
		if l.Style == nil || !l.HasGeometry() {
			continue
		}
		if !strings.Contains(all, `"source-layer":"`+l.ID+`"`) {
			t.Errorf("the style does not draw %s", l.ID)
		}
		for _, e := range l.Style.Legend {
			if !strings.Contains(all, `"`+e.Colour+`"`) {
				t.Errorf("%s: legend colour %s not in the style", l.ID, e.Colour)
			}
		}
	}
	a.get("/styles/other", 404)
	a.get("/styles/karta?f=sld", 400)

	validator := filepath.Join("page", "node_modules", ".bin", "gl-style-validate")
	if _, err := os.Stat(validator); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no style validator under CI: %v (make test runs npm ci in web/page)", err)
		}
		t.Skipf("no style validator: %v (run npm ci in web/page)", err)
	}
	path := filepath.Join(t.TempDir(), "style.json")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(validator, path).CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("gl-style-validate: %v: %s", err, out)
	}
	// The validator can fail: a style without version is refused.
	if err := os.WriteFile(path, []byte(`{"sources":{},"layers":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(validator, path).CombinedOutput(); err == nil && len(strings.TrimSpace(string(out))) == 0 {
		t.Errorf("gl-style-validate accepts a style without version")
	}
}

// stylePixel is one sampled point: the layer drawn on top there and its colour, in the page's
// map and in a MapLibre map that loads only /styles/karta.
type stylePixel struct {
	Layer      string
	X, Y       float64
	Page       [3]int
	StyleLayer string
	Style      [3]int
}

// TestStyleMatchesPage: a MapLibre map given nothing but /styles/karta, at the page's
// view and size, draws the same colours as the page at the centres of the points drawn on
// top (observations, places, interventions): a pixel comparison in Chromium. (The districts'
// fill is the page's choropleth, which the style does not have; it is not compared.)
func TestStyleMatchesPage(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	a := newAPI(t)
	b := newBrowser(t, chromium)
	b.do("open the page", chromedp.Navigate(a.srv.URL+"/karta/"))
	b.waitReady("overcrowding", 0)
	js := fmt.Sprintf(`(async () => {
  const page = lagesbild.map;
  const idle = (m) => new Promise((r) => { m.once('idle', r); m.triggerRepaint(); });
  // The page draws the observations of its time window; the style all of them (it has no
  // window), so the page is shown all of them too.
  const obs = page.getSource('observations');
  obs.setTiles(obs.tiles.map((u) => u.split('?')[0]));
  page.jumpTo({ center: [%[1]f, %[2]f], zoom: 14 });
  await idle(page);
  const read = (m, x, y) => {
    const c = m.getCanvas(), k = c.width / c.clientWidth;
    const cv = document.createElement('canvas'); cv.width = c.width; cv.height = c.height;
    const g = cv.getContext('2d'); g.drawImage(c, 0, 0);
    const d = g.getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data;
    return [d[0], d[1], d[2]];
  };
  const top = (m, p) => m.queryRenderedFeatures([p.x, p.y])[0]?.layer.id ?? '';
  // alone: no other point of this layer or of one above it within 12 pixels, so nothing
  // drawn over the sampled pixel depends on the order of overlapping points.
  const layers = ['places-circle', 'obs-points', 'interventions-point']; // top first
  const alone = (m, p, id) => m.queryRenderedFeatures([[p.x - 12, p.y - 12], [p.x + 12, p.y + 12]],
    { layers: layers.slice(0, layers.indexOf(id) + 1) }).length === 1;
  const pts = [];
  const per = {};
  for (const f of page.queryRenderedFeatures({ layers })) {
    per[f.layer.id] = (per[f.layer.id] ?? 0) + 1;
    if (f.geometry.type !== 'Point' || per[f.layer.id] > 30) continue;
    const p = page.project(f.geometry.coordinates);
    if (top(page, p) !== f.layer.id || !alone(page, p, f.layer.id)) { per[f.layer.id]--; continue; }
    pts.push({ lngLat: f.geometry.coordinates, x: p.x, y: p.y, Layer: f.layer.id, Page: read(page, p.x, p.y) });
  }
  const box = page.getContainer().getBoundingClientRect();
  const div = document.createElement('div');
  div.style.cssText = 'position:fixed;left:0;top:0;width:' + box.width + 'px;height:' + box.height + 'px;z-index:9999';
  document.body.appendChild(div);
  const m = new page.constructor({ container: div, style: %[3]q, center: page.getCenter(), zoom: page.getZoom(),
    attributionControl: false, canvasContextAttributes: { preserveDrawingBuffer: true } });
  await new Promise((r) => m.once('load', r));
  await idle(m);
  return pts.filter((p) => alone(m, m.project(p.lngLat), p.Layer)).map((p) => { const q = m.project(p.lngLat);
    return { Layer: p.Layer, X: p.x, Y: p.y, Page: p.Page, StyleLayer: top(m, q), Style: read(m, q.x, q.y) }; });
})()`, centreLon, centreLat, a.srv.URL+"/styles/karta")
	pts := eval[[]stylePixel](b, js)
	kinds := map[string]int{}
	for _, p := range pts {
		if p.StyleLayer != p.Layer {
			t.Errorf("at (%.0f, %.0f) the page draws %s on top, the style %s", p.X, p.Y, p.Layer, p.StyleLayer)
			continue
		}
		if !near(p.Page, p.Style, 6) {
			t.Errorf("%s at (%.0f, %.0f): page %v, style %v", p.Layer, p.X, p.Y, p.Page, p.Style)
		}
		kinds[p.Layer]++
	}
	t.Logf("compared %d pixels: %v", len(pts), kinds)
	if kinds["obs-points"] == 0 || kinds["places-circle"] == 0 || len(pts) < 5 {
		t.Errorf("too few pixels compared: %v", kinds)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}
