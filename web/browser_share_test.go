package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests of sharing the picture (issue 14, point 9): the address holds the whole
// state of each view, so a link copied from one browser opens the same picture in a fresh
// one; "Spara kartbild" draws the map with its title, legend, date, scale bar and the
// illustrative-data label into a PNG.

// viewReady is each view's "drawn" condition.
var viewReady = map[string]string{
	"karta":        `lagesbild.ready`,
	"prioritering": `lagesbild.priority && lagesbild.priority.ready`,
	"hotspots":     `lagesbild.hotspots && lagesbild.hotspots.ready`,
	"prognos":      `lagesbild.forecast && lagesbild.forecast.ready`,
	"insatser":     `lagesbild.insatser && lagesbild.insatser.ready && lagesbild.insatser.detailsReady !== false`,
	"plan":         `lagesbild.plan && lagesbild.plan.ready`,
	"uppfoljning":  `lagesbild.followup && lagesbild.followup.ready`,
}

// pictureJS is what a view shows, as the test compares it: the camera, the view's state and
// the texts of its legend and panels (the figures drawn).
const pictureJS = `(() => {
	const L = lagesbild, m = L.map, c = m.getCenter(), v = L.view;
	const txt = (sel) => [...document.querySelectorAll(sel)].map(e => e.textContent.trim()).join(' | ');
	const p = {view: v, camera: [m.getZoom().toFixed(2), c.lat.toFixed(5), c.lng.toFixed(5)].join('/')};
	if (v === 'karta') Object.assign(p, {indicator: L.state.indicator, year: L.state.year, legend: txt('#choropleth-legend li'),
		details: txt('#details h3, #details dd'), from: document.getElementById('time-from')?.value, to: document.getElementById('time-to')?.value});
	if (v === 'prioritering') Object.assign(p, {request: JSON.stringify(L.priority.request), mode: L.priority.mapMode,
		rows: txt('#prio-table tbody tr th'), selected: txt('#prio-table tr.selected th'), legend: txt('#priority-legend-list li, #areatype-legend-list li')});
	if (v === 'hotspots') Object.assign(p, {params: JSON.stringify(L.hotspots.params), legend: txt('#hot-legend-list li')});
	if (v === 'prognos') Object.assign(p, {params: JSON.stringify(L.forecast.params), variant: L.forecast.variant, legend: txt('#fc-shown')});
	if (v === 'insatser') Object.assign(p, {params: JSON.stringify(L.insatser.params), rows: L.insatser.rows.join(','),
		selected: String(L.insatser.selected), details: txt('#iv-details-title')});
	if (v === 'plan') Object.assign(p, {plan: String(L.plan.plan?.id), summary: txt('#plan-summary')});
	if (v === 'uppfoljning') Object.assign(p, {id: String(L.followup.id), estimate: txt('#fu-estimate-text'), title: txt('#fu-title')});
	return JSON.stringify(Object.fromEntries(Object.entries(p).map(([k, x]) => [k, String(x)])));
})()`

func (b *browser) picture() map[string]string {
	b.t.Helper()
	var p map[string]string
	if err := json.Unmarshal([]byte(eval[string](b, pictureJS)), &p); err != nil {
		b.t.Fatal(err)
	}
	return p
}

// settled waits until view is drawn and the address has caught up with it.
func (b *browser) settled(view string) {
	b.t.Helper()
	b.waitLonger(view+" drawn", `window.lagesbild && lagesbild.address && !lagesbild.address.restoring && lagesbild.view === '`+view+`' && `+viewReady[view], 2*time.Minute)
	b.idle()
	// The address is written 150 ms after the last change.
	eval[bool](b, `new Promise(r => setTimeout(() => r(true), 400))`)
	b.waitFor("the address written", `location.hash === lagesbild.address.written`)
}

func TestAddressHoldsTheViewInBrowser(t *testing.T) {
	a, b, _ := openView(t, "karta")
	b.waitReady("overcrowding", 0)
	type shared struct {
		url  string
		want map[string]string
	}
	var links []shared
	keep := func(view string) {
		b.settled(view)
		u := eval[string](b, `location.href`)
		if !strings.Contains(u, "#"+view+"?map=") {
			t.Errorf("%s: the address %q does not hold the view and the map", view, u)
		}
		links = append(links, shared{u, b.picture()})
	}

	// The map: another indicator and an older year, a district selected, a time window, a camera.
	ind := eval[string](b, `lagesbild.indicators.find(i => i.key !== 'overcrowding').key`)
	b.setValue("indicator", ind)
	b.waitReady(ind, 0)
	year := eval[int](b, `Number([...document.getElementById('year').options].map(o => o.value).sort()[0])`)
	b.setValue("year", fmt.Sprint(year))
	b.waitReady(ind, year)
	eval[bool](b, `(() => { document.querySelector('#district-list button').click(); return true; })()`)
	b.waitFor("the district panel", `!!document.querySelector('#details h3')`)
	b.setValue("time-from", eval[string](b, `document.getElementById('time-from').min`))
	eval[bool](b, `(() => { lagesbild.map.jumpTo({center: [16.561, 59.617], zoom: 12.4}); return true; })()`)
	keep("karta")
	// The map with a place, then an intervention, chosen in its list: the link holds it by id.
	for _, sel := range []struct{ list, key string }{{"place-list", "place="}, {"intervention-list", "intervention="}} {
		b.waitFor("the list "+sel.list, `!!document.querySelector('#`+sel.list+` button')`)
		eval[bool](b, `(() => { document.querySelector('#`+sel.list+` button').click(); return true; })()`)
		b.settled("karta")
		if h := eval[string](b, `location.hash`); !strings.Contains(h, "&"+sel.key) || strings.Contains(h, "sel=") {
			t.Errorf("karta with a feature of %s selected: the address %q does not hold it by %s (alone)", sel.list, h, sel.key)
		}
		keep("karta")
	}
	// Prioritering's click below needs the map's camera as it was.
	eval[bool](b, `(() => { lagesbild.map.jumpTo({center: [16.561, 59.617], zoom: 12.4}); return true; })()`)

	// Prioritering: another normalisation, k, a weight, an excluded district, area types, a row selected.
	eval[bool](b, `(() => { location.hash = 'prioritering'; return true; })()`)
	b.settled("prioritering")
	b.setValue("prio-norm", eval[string](b, `[...document.getElementById('prio-norm').options].map(o => o.value).find(v => v !== document.getElementById('prio-norm').value)`))
	b.setValue("prio-k", "5")
	slider := eval[string](b, `document.querySelector('#prio-weights input[data-kind="ind"]').id`)
	b.setValue(slider, "2.5")
	code := eval[string](b, `document.querySelector('#prio-constraints select').dataset.code`)
	b.setValue("prio-c-"+code, "exclude")
	b.waitPriority(eval[string](b, `lagesbild.priority.request.scenario`), `lagesbild.priority.request.k === 5 && (lagesbild.priority.request.exclude || []).length === 1`)
	eval[bool](b, `(() => { const r = document.getElementById('prio-mode-areatype'); r.checked = true; r.dispatchEvent(new Event('change')); return true; })()`)
	b.settled("prioritering")
	// A click on the map selects the district's row: the district nearest the map's centre.
	var near district
	best := math.Inf(1)
	for _, d := range districtsWithPoints(t) {
		if dd := math.Hypot(d.Lon-16.561, (d.Lat-59.617)*2); dd < best {
			best, near = dd, d
		}
	}
	p := eval[point](b, fmt.Sprintf(`(() => { const r = document.getElementById('map').getBoundingClientRect();
		const p = lagesbild.map.project([%f, %f]); return {x: r.left + p.x, y: r.top + p.y}; })()`, near.Lon, near.Lat))
	b.do("click "+near.Name, chromedp.MouseClickXY(p.X, p.Y))
	b.waitFor("the row selected", fmt.Sprintf(`lagesbild.priority.selected === %q`, near.Code))
	keep("prioritering")

	// Brännpunkter: emerging by quarter, one category off, a window, the harm weighting.
	eval[bool](b, `(() => { location.hash = 'hotspots'; return true; })()`)
	b.settled("hotspots")
	eval[bool](b, `(() => { const r = document.getElementById('hot-m-kde'); r.checked = true; r.dispatchEvent(new Event('change')); return true; })()`)
	b.setValue("hot-weighting", "harm")
	eval[bool](b, `(() => { const c = document.querySelector('#hot-categories input'); c.checked = false; c.dispatchEvent(new Event('change')); return true; })()`)
	b.setValue("hot-from", eval[string](b, `document.getElementById('hot-from').min`))
	b.waitHotspots("kde")
	keep("hotspots")

	// Insatser: a filter and an intervention selected.
	eval[bool](b, `(() => { location.hash = 'insatser'; return true; })()`)
	b.settled("insatser")
	b.setValue("iv-f-status", "active")
	b.waitInsatser(`lagesbild.insatser.params.status === 'active'`)
	eval[bool](b, `(() => { document.querySelector('#iv-table tbody tr button').click(); return true; })()`)
	b.waitFor("the intervention's details", `lagesbild.insatser.detailsReady && !!document.getElementById('iv-details-title')`)
	keep("insatser")

	// Uppföljning: another intervention, quarters, harm.
	eval[bool](b, `(() => { location.hash = 'uppfoljning'; return true; })()`)
	b.settled("uppfoljning")
	other := eval[string](b, `[...document.getElementById('fu-intervention').options].map(o => o.value).find(v => v !== document.getElementById('fu-intervention').value)`)
	b.setValue("fu-intervention", other)
	b.setValue("fu-period", "quarter")
	b.setValue("fu-weighting", "harm")
	keep("uppfoljning")

	// Insatsplan: a stored plan shown.
	var plan struct{ ID int64 }
	_, raw := a.do("POST", "/deployment/plans", map[string]any{"actors": []map[string]any{{"type": "police", "capacity": 40}},
		"weeks": 2, "visit_minutes": 15, "targets": map[string]any{"top": 4}}, 201)
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = testDB.Pool.Exec(t.Context(), `DELETE FROM deployment_plans WHERE id = $1`, plan.ID) })
	eval[bool](b, `(() => { location.hash = 'plan'; return true; })()`)
	b.settled("plan")
	eval[bool](b, fmt.Sprintf(`lagesbild.api.getJSON('deployment/plans/%d').then(p => lagesbild.views.plan.show(p)).then(() => true)`, plan.ID))
	keep("plan")

	// Prognos: the month horizon, without police.
	eval[bool](b, `(() => { location.hash = 'prognos'; return true; })()`)
	b.settled("prognos")
	eval[bool](b, `(() => { const r = document.getElementById('fc-h-month'); r.checked = true; r.dispatchEvent(new Event('change')); return true; })()`)
	eval[bool](b, `(() => { const c = document.getElementById('fc-without'); c.checked = true; c.dispatchEvent(new Event('change')); return true; })()`)
	keep("prognos")

	// Each link in a fresh browser: the same picture.
	fresh := newBrowser(t, chromiumPath)
	for _, l := range links {
		view := l.want["view"]
		fresh.do("open "+l.url, chromedp.Navigate("about:blank"), chromedp.Navigate(l.url))
		fresh.waitLonger("the address restored", `window.lagesbild && lagesbild.address && lagesbild.address.restored >= 1`, 2*time.Minute)
		fresh.settled(view)
		got := fresh.picture()
		for k, want := range l.want {
			if got[k] != want {
				t.Errorf("%s from %s: %s = %q, want %q", view, l.url, k, got[k], want)
			}
		}
		if u := eval[string](fresh, `location.href`); u != l.url {
			t.Errorf("%s: the fresh page's address %q, want the link %q", view, u, l.url)
		}
	}
	noConsoleErrors(t, b)
	noConsoleErrors(t, fresh)
}

func TestSaveMapImageInBrowser(t *testing.T) {
	_, b, _ := openView(t, "karta")
	b.waitReady("overcrowding", 0)
	for _, view := range []string{"karta", "prioritering"} {
		eval[bool](b, fmt.Sprintf(`(() => { location.hash = %q; return true; })()`, view))
		b.settled(view)
		type img struct {
			PNG    string           `json:"png"`
			Width  int              `json:"width"`
			Height int              `json:"height"`
			Boxes  map[string][]int `json:"boxes"`
			Texts  []string         `json:"texts"`
			Canvas []int            `json:"canvas"`
		}
		got := eval[img](b, `lagesbild.mapImage().then(async (r) => {
			const buf = new Uint8Array(await r.blob.arrayBuffer());
			let s = ''; for (const x of buf) s += String.fromCharCode(x);
			const c = lagesbild.map.getCanvas();
			return {png: btoa(s), width: r.width, height: r.height, boxes: r.boxes, texts: r.texts, canvas: [c.width, c.height]};
		})`)
		raw, err := base64.StdEncoding.DecodeString(got.PNG)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(raw, []byte("\x89PNG")) {
			t.Fatalf("%s: not a PNG", view)
		}
		pic, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: decode the PNG: %v", view, err)
		}
		sz := pic.Bounds().Size()
		if sz.X != got.Canvas[0] || sz.Y <= got.Canvas[1] || sz.X != got.Width || sz.Y != got.Height {
			t.Errorf("%s: image %v, want the map's width %d and more than its height %d (title, footer)", view, sz, got.Canvas[0], got.Canvas[1])
		}
		// Not blank: the map part has many colours; each drawn part has ink on white.
		if n := colours(pic, box(got.Boxes["map"])); n < 20 {
			t.Errorf("%s: the map part has %d colours: blank", view, n)
		}
		for _, part := range []string{"title", "legend", "date", "scale", "label"} {
			r, ok := got.Boxes[part]
			if !ok {
				t.Errorf("%s: no %s drawn (boxes %v)", view, part, got.Boxes)
				continue
			}
			if ink := inked(pic, box(r)); ink < 30 {
				t.Errorf("%s: the %s box %v has %d inked pixels", view, part, r, ink)
			}
		}
		for _, want := range []string{"Illustrativa data – inte verkliga uppgifter", "Lägesbild – "} {
			if !containsPrefix(got.Texts, want) {
				t.Errorf("%s: texts drawn %q lack %q", view, got.Texts, want)
			}
		}
		// The label is drawn where its box says: dark red text on the white footer.
		if red := reddish(pic, box(got.Boxes["label"])); red < 30 {
			t.Errorf("%s: the illustrative label's box has %d reddish pixels", view, red)
		}
	}
	// The button offers the file (a download with the view and the date in its name).
	name := eval[string](b, `new Promise(r => { const orig = HTMLAnchorElement.prototype.click;
		HTMLAnchorElement.prototype.click = function () { HTMLAnchorElement.prototype.click = orig; r(this.download); };
		document.getElementById('save-map').click(); })`)
	if want := "lagesbild-prioritering-" + time.Now().UTC().Format("2006-01-02") + ".png"; name != want {
		t.Errorf("download name %q, want %q", name, want)
	}
	noConsoleErrors(t, b)
}

func box(r []int) image.Rectangle { return image.Rect(r[0], r[1], r[0]+r[2], r[1]+r[3]) }

func colours(img image.Image, r image.Rectangle) int {
	seen := map[[3]uint32]bool{}
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y += 3 {
		for x := r.Min.X; x < r.Max.X; x += 3 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{cr >> 10, cg >> 10, cb >> 10}] = true
		}
	}
	return len(seen)
}

func inked(img image.Image, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr>>8 < 200 || cg>>8 < 200 || cb>>8 < 200 {
				n++
			}
		}
	}
	return n
}

func reddish(img image.Image, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr>>8 > 90 && cg>>8 < 90 && cb>>8 < 60 {
				n++
			}
		}
	}
	return n
}

func containsPrefix(ss []string, p string) bool {
	for _, s := range ss {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
