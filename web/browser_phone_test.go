package web_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The page on a phone (issue 14, point 3): Chromium with a phone's viewport (360 × 740 CSS
// pixels, mobile, touch emulated), every view reached through the header's menu by taps, and
// in each view: no horizontal scroll at 360, 390 and 414 px, the map the size of the screen
// below the header, each panel a sheet over the map's lower part (not a strip above it),
// every touch target at least 44 px, and axe-core clean with each sheet open.

const (
	phoneWidth  = 360
	phoneHeight = 740
)

// phoneChecks are the page's own measurements, installed once per page load.
const phoneChecks = `(() => {
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
    (el.textContent ? ' "' + el.textContent.trim().slice(0, 30) + '"' : '');
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  window.phoneChecks = {
    // overflow: elements reaching past the screen's sides that no scrolling or clipping box holds,
    // the document's own scroll width, and sheets that scroll sideways.
    overflow() {
      const w = document.documentElement.clientWidth, bad = [];
      if (document.documentElement.scrollWidth > w) bad.push('document scroll width ' + document.documentElement.scrollWidth + ' > ' + w);
      for (const el of document.querySelectorAll('body *')) {
        if (el.closest('.skip, .sr-only, [hidden]') || !shown(el)) continue;
        const r = el.getBoundingClientRect();
        if (r.right <= w + 0.5 && r.left >= -0.5) continue;
        let held = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          if (getComputedStyle(p).overflowX !== 'visible') { held = true; break; }
        }
        if (!held) bad.push(describe(el) + ' spans ' + Math.round(r.left) + '…' + Math.round(r.right));
      }
      for (const el of document.querySelectorAll('.layout > .sheet-open')) {
        if (el.scrollWidth > el.clientWidth + 1) bad.push('sheet ' + describe(el) + ' scrolls sideways: ' + el.scrollWidth + ' > ' + el.clientWidth);
      }
      return bad;
    },
    // small: touch targets under 44 × 44 px (a check box or radio button with its label).
    small() {
      const bad = [];
      const sel = 'a[href], button, select, input:not([type="hidden"]), textarea, summary, [tabindex]:not([tabindex="-1"])';
      for (const el of document.querySelectorAll(sel)) {
        if (el.closest('[hidden], .sr-only') || el.matches('.skip, [role="region"], canvas') || !shown(el)) continue;
        let r = el.getBoundingClientRect();
        if (el.matches('input[type="checkbox"], input[type="radio"]') && el.labels && el.labels[0]) {
          const l = el.labels[0].getBoundingClientRect();
          r = { width: Math.max(r.right, l.right) - Math.min(r.left, l.left), height: Math.max(r.bottom, l.bottom) - Math.min(r.top, l.top) };
        }
        if (r.width < 43.5 || r.height < 43.5) bad.push(describe(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
      }
      return bad;
    },
    // geometry: where the map and the open sheet are.
    geometry() {
      const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; };
      const open = [...document.querySelectorAll('.layout > .controls, .layout > .side, .layout > .results')].filter(shown);
      return { map: box(document.getElementById('map')), sheets: open.map((el) => el.id), sheet: box(open[0]),
        width: document.documentElement.clientWidth, height: window.innerHeight };
    },
  };
  return true;
})()`

type rect struct{ Top, Bottom, Left, Right float64 }

type phoneGeometry struct {
	Map    rect     `json:"map"`
	Sheets []string `json:"sheets"`
	Sheet  *rect    `json:"sheet"`
	Width  float64  `json:"width"`
	Height float64  `json:"height"`
}

// viewLimit bounds the wait for a view's first answer: seconds on a quiet machine, but the
// Prognos computation and a machine shared by many test runs can take well over a minute.
const viewLimit = 2 * time.Minute

// phoneView is a view of the page and what says it is ready.
type phoneView struct {
	id, ready string
	limit     time.Duration
}

var phoneViews = []phoneView{
	{"karta", `lagesbild.ready`, viewLimit},
	{"prioritering", `lagesbild.priority && lagesbild.priority.ready`, viewLimit},
	{"hotspots", `lagesbild.hotspots && lagesbild.hotspots.ready`, viewLimit},
	{"prognos", `lagesbild.forecast && lagesbild.forecast.ready`, viewLimit},
	{"insatser", `lagesbild.insatser && lagesbild.insatser.ready`, viewLimit},
	{"plan", `lagesbild.plan && lagesbild.plan.ready`, viewLimit},
	{"uppfoljning", `lagesbild.followup && lagesbild.followup.ready`, viewLimit},
}

// phoneSize sets the phone's viewport (mobile, touch) to width.
func (b *browser) phoneSize(width int64) {
	b.t.Helper()
	b.do(fmt.Sprintf("a %d px phone", width), chromedp.EmulateViewport(width, phoneHeight, chromedp.EmulateScale(2),
		chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	if b.loaded {
		b.waitFor("the new width", fmt.Sprintf(`document.documentElement.clientWidth === %d`, width))
	}
}

// tap touches the element sel.
func (b *browser) tap(what, sel string) {
	b.t.Helper()
	b.do(what, chromedp.Tap(chromedp.CSS(sel)))
}

// phoneLayout checks the page as it is now (view v, sheet s) for overflow and small targets.
func phoneLayout(t *testing.T, b *browser, where string) {
	t.Helper()
	if bad := eval[[]string](b, `phoneChecks.overflow()`); len(bad) > 0 {
		t.Errorf("%s: wider than the screen:\n  %s", where, strings.Join(bad, "\n  "))
	}
	if bad := eval[[]string](b, `phoneChecks.small()`); len(bad) > 0 {
		t.Errorf("%s: touch targets under 44 px:\n  %s", where, strings.Join(bad, "\n  "))
	}
}

func TestPagePhoneInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	axeFile := requireTool(t, axePath, "cd web/page && npm ci (make test does)")
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(t)
	b := newBrowser(t, chromium)
	b.phoneSize(phoneWidth)
	start := time.Now()
	b.do("open the page", chromedp.Navigate(a.srv.URL+"/karta/"))
	b.waitLonger("the map", `window.lagesbild && lagesbild.ready`, viewLimit)
	b.loaded = true
	eval[bool](b, phoneChecks)
	if got := eval[bool](b, `matchMedia('(pointer: coarse)').matches && navigator.maxTouchPoints > 0`); !got {
		t.Errorf("touch is not emulated")
	}

	for _, v := range phoneViews {
		// Reached by taps: the menu button, then the view's link, which must be on the screen.
		b.tap("the views menu", "#views-toggle")
		b.waitFor("the open menu", `document.getElementById('views-toggle').getAttribute('aria-expanded') === 'true'`)
		phoneLayout(t, b, v.id+", menu open")
		b.tap("the link to "+v.id, fmt.Sprintf(`#views-nav a[data-view-link=%q]`, v.id))
		b.waitLonger("the view "+v.id, fmt.Sprintf(`document.body.dataset.view === %q && %s`, v.id, v.ready), v.limit)
		b.idle()
		if open := eval[bool](b, `document.getElementById('views-toggle').getAttribute('aria-expanded') === 'true'`); open {
			t.Errorf("%s: the menu stays open after choosing a view", v.id)
		}

		// The map alone: as wide as the screen and at least 60 % of its height.
		g := eval[phoneGeometry](b, `phoneChecks.geometry()`)
		if len(g.Sheets) != 0 {
			t.Errorf("%s: panels %v shown before any was asked for", v.id, g.Sheets)
		}
		if g.Map.Right-g.Map.Left < g.Width-1 || g.Map.Bottom-g.Map.Top < 0.6*g.Height {
			t.Errorf("%s: the map is %v on a %gx%g screen, want the full width and 60 %% of the height", v.id, g.Map, g.Width, g.Height)
		}
		phoneLayout(t, b, v.id+", map")
		// The lines over the map's foot (the data basis, the view's status) stand one above the
		// other: the basis sat at a fixed height over a status of one line, and a status of two
		// lines on a phone covered its last line.
		if o := eval[[]string](b, `(() => {
			const els = ['basis', 'status'].map(id => document.getElementById(id)).filter(e => e.offsetParent !== null && e.textContent.trim() !== '');
			const [a, c] = els.map(e => e.getBoundingClientRect());
			return els.length === 2 && a.left < c.right && c.left < a.right && a.top < c.bottom && c.top < a.bottom ? [a, c].map(r => JSON.stringify([r.top, r.bottom])) : [];
		})()`); len(o) > 0 {
			t.Errorf("%s: the basis line %s and the status line %s overlap", v.id, o[0], o[1])
		}
		if v.id == "karta" {
			saveScreenshot(t, b, "phone-karta.png")
		}

		// Each panel as a sheet over the map: full width, on its lower part, the map above it.
		sheets := eval[[]string](b, `[...document.querySelectorAll('#sheet-bar button')].map(b => b.dataset.sheet).filter(s => s !== 'map')`)
		if len(sheets) == 0 {
			t.Errorf("%s: the sheet bar offers no panel", v.id)
		}
		for _, s := range sheets {
			b.tap(v.id+": the "+s+" sheet", fmt.Sprintf(`#sheet-bar button[data-sheet=%q]`, s))
			b.waitFor("the "+s+" sheet", fmt.Sprintf(`document.querySelector('#sheet-bar button[data-sheet=%q]').getAttribute('aria-pressed') === 'true'`, s))
			g := eval[phoneGeometry](b, `phoneChecks.geometry()`)
			switch {
			case len(g.Sheets) != 1 || g.Sheet == nil:
				t.Errorf("%s/%s: panels shown %v, want one sheet", v.id, s, g.Sheets)
			case g.Sheet.Left > 0.5 || g.Sheet.Right < g.Width-0.5:
				t.Errorf("%s/%s: sheet %v not the screen's width %g", v.id, s, *g.Sheet, g.Width)
			case g.Sheet.Top < g.Map.Top+0.3*(g.Map.Bottom-g.Map.Top) || g.Sheet.Bottom > g.Map.Bottom+0.5:
				t.Errorf("%s/%s: sheet %v not over the lower part of the map %v", v.id, s, *g.Sheet, g.Map)
			}
			phoneLayout(t, b, v.id+"/"+s)
			axeClean(t, b, axe, v.id+"/"+s)
			if s == sheets[0] {
				for _, w := range []int64{390, 414} {
					b.phoneSize(w)
					phoneLayout(t, b, fmt.Sprintf("%s/%s at %d px", v.id, s, w))
				}
				b.phoneSize(phoneWidth)
			}
			if v.id == "prioritering" && s == "results" || v.id == "hotspots" && s == "side" {
				saveScreenshot(t, b, "phone-"+v.id+".png")
			}
		}
		b.tap(v.id+": the map alone", `#sheet-bar button[data-sheet="map"]`)
		if g := eval[phoneGeometry](b, `phoneChecks.geometry()`); len(g.Sheets) != 0 {
			t.Errorf("%s: panels %v still shown after Karta", v.id, g.Sheets)
		}
	}
	noConsoleErrors(t, b)
	t.Logf("phone test took %v", time.Since(start).Round(time.Millisecond))
}

// TestHotspotsFirstViewOnPhoneInBrowser (issue 14, points 3 and 10): on a 390 × 844 touch
// phone, Brännpunkter's first view is fitted to its cells whatever camera the view before it
// left, also when its first answer came while another view was shown; a sheet opened over the
// map moves the map's centre above it, so the cells stay in sight; and a shared link's camera
// (map=z/lat/lon) is kept exactly.
func TestHotspotsFirstViewOnPhoneInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	a := newAPI(t)
	phone := func(b *browser) {
		b.do("a 390 × 844 phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2),
			chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	}
	b := newBrowser(t, chromium)
	phone(b)
	b.do("open the page", chromedp.Navigate(a.srv.URL+"/karta/"))
	b.waitLonger("the map", `window.lagesbild && lagesbild.ready`, viewLimit)
	b.loaded = true
	toView := func(v string) {
		b.tap("the views menu", "#views-toggle")
		b.waitFor("the open menu", `document.getElementById('views-toggle').getAttribute('aria-expanded') === 'true'`)
		b.tap("the link to "+v, fmt.Sprintf(`#views-nav a[data-view-link=%q]`, v))
		b.waitFor("the view "+v, fmt.Sprintf(`document.body.dataset.view === %q`, v))
	}
	// inSight is how many of the drawn cells have their centre in the part of the map the
	// reader sees (below the header, above the sheet bar and any open sheet), of how many.
	type sight struct {
		Seen, Cells int
		Middle      bool
	}
	inSight := func() sight {
		return eval[sight](b, `(() => { const m = lagesbild.map, r = m.getContainer().getBoundingClientRect();
			const sheet = document.querySelector('.layout > .sheet-open'), bar = document.getElementById('sheet-bar').getBoundingClientRect();
			const bottom = Math.min(r.bottom, bar.top, sheet ? sheet.getBoundingClientRect().top : Infinity);
			const seen = (x, y) => { const p = m.project([x, y]); return r.left + p.x >= r.left && r.left + p.x <= r.right && r.top + p.y >= r.top && r.top + p.y <= bottom; };
			let n = 0, xs = [], ys = [];
			for (const f of lagesbild.hotspots.cells) {
				const ring = f.geometry.coordinates[0];
				const x = ring.reduce((s, c) => s + c[0], 0) / ring.length, y = ring.reduce((s, c) => s + c[1], 0) / ring.length;
				xs.push(x); ys.push(y);
				if (seen(x, y)) n++;
			}
			return {seen: n, cells: xs.length, middle: seen((Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2)}; })()`)
	}

	// Brännpunkter asked for and left at once, so its answer comes while Karta is shown.
	eval[bool](b, `(() => { lagesbild.showView('hotspots'); lagesbild.showView('karta'); return true; })()`)
	b.waitLonger("Brännpunkter's answer", `lagesbild.hotspots && lagesbild.hotspots.ready`, viewLimit)
	// Karta's camera close in on Skultuna, away from every cell.
	eval[bool](b, `(() => { lagesbild.map.jumpTo({center: [16.43, 59.72], zoom: 14}); return true; })()`)
	b.idle()
	toView("hotspots")
	b.waitLonger("Brännpunkter", `lagesbild.hotspots.ready`, viewLimit)
	b.idle()
	if s := inSight(); s.Cells == 0 || s.Seen != s.Cells {
		t.Errorf("Brännpunkter's first view on a phone: %d of %d cells in sight, want all", s.Seen, s.Cells)
	}
	// The details sheet over the lower part of the map: the cells' middle, and most of them, above it.
	b.tap("the details sheet", `#sheet-bar button[data-sheet="side"]`)
	b.waitFor("the sheet", `document.querySelector('#sheet-bar button[data-sheet="side"]').getAttribute('aria-pressed') === 'true'`)
	b.idle()
	if s := inSight(); !s.Middle || 2*s.Seen < s.Cells {
		t.Errorf("with the details sheet open: %d of %d cells in sight (their middle in sight: %v), want their middle and at least half", s.Seen, s.Cells, s.Middle)
	}
	b.tap("the map alone", `#sheet-bar button[data-sheet="map"]`)
	b.idle()
	if s := inSight(); s.Seen != s.Cells {
		t.Errorf("with the sheet closed again: %d of %d cells in sight", s.Seen, s.Cells)
	}
	noConsoleErrors(t, b)

	// A shared link opens exactly at its camera, not at the fit.
	const camera = "13.00/59.61000/16.53000"
	fresh := newBrowser(t, chromium)
	phone(fresh)
	fresh.do("open a link", chromedp.Navigate(a.srv.URL+"/karta/#hotspots?map="+camera))
	fresh.waitLonger("the link restored", `window.lagesbild && lagesbild.address && lagesbild.address.restored >= 1 && lagesbild.hotspots && lagesbild.hotspots.ready`, viewLimit)
	fresh.idle()
	got := eval[string](fresh, `(() => { const m = lagesbild.map, c = m.getCenter(); return [m.getZoom().toFixed(2), c.lat.toFixed(5), c.lng.toFixed(5)].join('/'); })()`)
	if got != camera {
		t.Errorf("a link with map=%s opened at %s", camera, got)
	}
	noConsoleErrors(t, fresh)
}
