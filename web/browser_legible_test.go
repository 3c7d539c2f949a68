package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Legible maps (issue 14, point 10), in Chromium at the desktop size: the first view fitted to
// the districts, the districts' names drawn with glyphs the server itself serves (and nothing
// asked of another origin), place symbols that leave the hot-spot cell under them its colour,
// the Prognos backtest tables inside their panel, and no "−0" in any legend.

// negativeZero is a number that rounds to zero shown with a minus sign ("−0", "-0,0").
var negativeZero = regexp.MustCompile(`(^|[^\d,.])[−-]0([,.]0+)?([^\d,.]|$)`)

func TestLegibleMapInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	a := newAPI(t)
	b := newBrowser(t, chromium)
	b.do("open the page", chromedp.Navigate(a.srv.URL+"/karta/"))
	b.waitLonger("the map", `window.lagesbild && lagesbild.ready`, viewLimit)

	// The first view: every district on the map, and the districts span most of it.
	var w, s, e, n float64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x)
		FROM (SELECT ST_Extent(ST_Transform(geom, 4326))::geometry AS x FROM districts WHERE level = 'district') d`).Scan(&w, &s, &e, &n); err != nil {
		t.Fatal(err)
	}
	type fit struct{ Left, Top, Right, Bottom, Width, Height float64 }
	f := eval[fit](b, fmt.Sprintf(`(() => { const m = lagesbild.map, c = m.getCanvas();
		const a = m.project([%f, %f]), b = m.project([%f, %f]);
		return {left: a.x, top: b.y, right: b.x, bottom: a.y, width: c.clientWidth, height: c.clientHeight}; })()`, w, s, e, n))
	if f.Left < -1 || f.Top < -1 || f.Right > f.Width+1 || f.Bottom > f.Height+1 {
		t.Errorf("first view: the districts span %+v, outside the map", f)
	}
	if (f.Right-f.Left)/f.Width < 0.7 && (f.Bottom-f.Top)/f.Height < 0.7 {
		t.Errorf("first view: the districts span %+v, less than 70 %% of the map either way", f)
	}

	// District names, drawn: the label layer's features are districts, and hiding it changes pixels.
	names := b.rendered("name", "districts-label")
	known := map[string]bool{}
	for _, d := range districtsWithPoints(t) {
		known[d.Name] = true
	}
	for _, nm := range names {
		if !known[nm] {
			t.Errorf("label %q is no district", nm)
		}
	}
	if len(names) < len(known)/3 {
		t.Errorf("%d of %d district names on the map: %q", len(names), len(known), names)
	}
	withLabels := b.screenshot()
	eval[bool](b, `(() => { lagesbild.map.setLayoutProperty('districts-label', 'visibility', 'none'); return true; })()`)
	b.idle()
	without := b.screenshot()
	eval[bool](b, `(() => { lagesbild.map.setLayoutProperty('districts-label', 'visibility', 'visible'); return true; })()`)
	b.idle()
	changed := 0
	bb := withLabels.Bounds()
	for y := bb.Min.Y; y < bb.Max.Y; y++ {
		for x := bb.Min.X; x < bb.Max.X; x++ {
			if pixel(withLabels, x, y) != pixel(without, x, y) {
				changed++
			}
		}
	}
	if changed < 50*len(names) {
		t.Errorf("the names change %d pixels, want at least 50 per name (%d names)", changed, len(names))
	}
	t.Logf("%d district names drawn, %d pixels", len(names), changed)

	// The glyphs came from this server, and nothing from another origin.
	type resource struct{ Glyphs, Foreign []string }
	res := eval[resource](b, `(() => { const all = performance.getEntriesByType('resource').map(e => e.name);
		return {glyphs: all.filter(u => u.endsWith('.pbf')), foreign: all.filter(u => new URL(u).origin !== location.origin)}; })()`)
	if len(res.Glyphs) == 0 || len(res.Foreign) > 0 {
		t.Errorf("glyphs fetched %q; other origins asked %q", res.Glyphs, res.Foreign)
	}
	for _, u := range res.Glyphs {
		if !strings.HasPrefix(u, a.srv.URL+"/karta/glyphs/DejaVuSans-Bold/") {
			t.Errorf("glyphs from %s", u)
		}
	}

	// Brännpunkter: a place over a hot-spot cell leaves the cell its colour at the place.
	b.switchView("hotspots")
	b.waitLonger("the hot spots", `lagesbild.hotspots && lagesbild.hotspots.ready`, viewLimit)
	b.idle()
	rows, err := testDB.Pool.Query(context.Background(), `SELECT name, ST_X(ST_Transform(geom, 4326)), ST_Y(ST_Transform(geom, 4326)) FROM places WHERE GeometryType(geom) = 'POINT' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	type place struct {
		name     string
		lon, lat float64
	}
	var places []place
	for rows.Next() {
		var p place
		if err := rows.Scan(&p.name, &p.lon, &p.lat); err != nil {
			t.Fatal(err)
		}
		places = append(places, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Each place in turn at zoom 14, where a cell is wider than a place's symbol.
	origin := eval[point](b, `(() => { const r = document.getElementById('map').getBoundingClientRect(); return {x: r.left, y: r.top}; })()`)
	checked := 0
	for _, p := range places {
		if checked == 4 {
			break
		}
		eval[bool](b, fmt.Sprintf(`(() => { lagesbild.map.jumpTo({center: [%f, %f], zoom: 14}); return true; })()`, p.lon, p.lat))
		b.idle()
		q := eval[point](b, fmt.Sprintf(`lagesbild.map.project([%f, %f])`, p.lon, p.lat))
		hit := eval[bool](b, fmt.Sprintf(`lagesbild.map.queryRenderedFeatures([%f, %f], {layers: ['hot-gistar']}).length > 0
			&& lagesbild.map.queryRenderedFeatures([%f, %f], {layers: ['places-circle']}).length > 0`, q.X, q.Y, q.X, q.Y))
		x, y := int(origin.X+q.X+0.5), int(origin.Y+q.Y+0.5)
		if !hit || !eval[bool](b, fmt.Sprintf(`document.elementFromPoint(%d, %d) === lagesbild.map.getCanvas()`, x, y)) {
			continue
		}
		withPlaces := b.screenshot()
		eval[bool](b, `(() => { lagesbild.map.setLayoutProperty('places-circle', 'visibility', 'none'); return true; })()`)
		b.idle()
		cellsOnly := b.screenshot()
		eval[bool](b, `(() => { lagesbild.map.setLayoutProperty('places-circle', 'visibility', 'visible'); return true; })()`)
		b.idle()
		if got, cell := pixel(withPlaces, x, y), pixel(cellsOnly, x, y); !near(got, cell, 12) {
			t.Errorf("%s hides its hot-spot cell: %v where the cell is %v", p.name, got, cell)
		}
		checked++
	}
	if checked == 0 {
		t.Fatalf("no place drawn over a hot-spot cell")
	}
	t.Logf("%d places over hot-spot cells keep the cell's colour", checked)

	// Prognos: each backtest table inside its panel, no sideways scrolling.
	b.switchView("prognos")
	b.waitLonger("the forecast", `lagesbild.forecast && lagesbild.forecast.ready`, viewLimit)
	type tableFit struct {
		Table, Box, Panel float64
	}
	fits := eval[[]tableFit](b, `[...document.querySelectorAll('#fc-results table')].map(t => ({table: t.getBoundingClientRect().width,
		box: t.parentElement.clientWidth, panel: document.getElementById('fc-results').clientWidth}))`)
	if len(fits) == 0 {
		t.Errorf("no backtest table")
	}
	for i, f := range fits {
		if f.Table > f.Box+0.5 || f.Table > f.Panel {
			t.Errorf("backtest table %d is %g px wide in a box of %g and a panel of %g", i, f.Table, f.Box, f.Panel)
		}
	}

	// A value that rounds to zero reads "0", in Swedish and in English; other negatives keep their sign.
	type formatted struct{ Sv, SvFine, Neg string }
	got := eval[formatted](b, `({sv: lagesbild.num(-0.04), svFine: lagesbild.num(-0.004, 2), neg: lagesbild.num(-0.4)})`)
	if got.Sv != "0" || got.SvFine != "0" || got.Neg != "−0,4" {
		t.Errorf("num(-0.04) %q, num(-0.004, 2) %q, num(-0.4) %q; want 0, 0 and −0,4", got.Sv, got.SvFine, got.Neg)
	}

	// No "−0" in the legends of any view.
	for _, v := range []string{"karta", "prioritering", "hotspots", "prognos", "insatser", "plan", "uppfoljning"} {
		b.switchView(v)
		for _, pv := range phoneViews {
			if pv.id == v {
				b.waitLonger(v, pv.ready, pv.limit)
			}
		}
		texts := eval[[]string](b, `[...document.querySelectorAll('.legend, .map-legend, .legend-list, [id$="-legend"]')]
			.filter(e => e.getClientRects().length).map(e => e.textContent)`)
		for _, s := range texts {
			if m := negativeZero.FindString(s); m != "" {
				t.Errorf("%s: a legend shows %q: %q", v, m, s)
			}
		}
	}
	noConsoleErrors(t, b)
}
