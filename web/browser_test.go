package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The browser test drives Debian's Chromium (headless, WebGL through SwiftShader) against the
// API over a cloned demo database: the map page must load without console errors, draw every
// district in the colour of its class, follow indicator and year changes, open a district's
// panel with its time series by mouse and by keyboard, and have no serious or critical
// axe-core violations. With UPDATE_SCREENSHOT=1 it writes the README screenshot.

const (
	chromiumPath = "/usr/bin/chromium"
	axePath      = "page/node_modules/axe-core/axe.min.js"
	shotWidth    = 1280
	shotHeight   = 800
)

// requireTool returns path if it exists; otherwise it skips the test, or fails it under CI.
func requireTool(t *testing.T, path, hint string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing under CI: %s", path, hint)
		}
		t.Skipf("%s is missing (%s)", path, hint)
	}
	return path
}

// browser is one headless Chromium tab with the console errors it saw.
type browser struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	errors []string
	// loaded says a page is open (the phone test waits for a new viewport's width only then).
	loaded bool
}

func newBrowser(t *testing.T, execPath string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox, // the tests run as root
		chromedp.WindowSize(shotWidth, shotHeight),
		// WebGL without a GPU: ANGLE over SwiftShader, so MapLibre renders headless.
		chromedp.Flag("use-gl", "angle"),
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("ignore-gpu-blocklist", true),
		chromedp.Flag("lang", "sv-SE"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx}
	// The first action starts the browser; it must not run under a timeout (see chromedp.Run).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(shotWidth, shotHeight)); err != nil {
		t.Fatalf("start %s: %v", execPath, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// Errors and exceptions count; so do WebGL warnings, which mean the map did not draw.
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException ||
				m.Type == chromedp.ConsoleWarning && strings.Contains(m.Text, "WebGL") {
				b.addError(fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1))
			}
		}
	}()
	return b
}

func (b *browser) addError(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, s)
}

func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.errors)
}

// stepTimeout bounds each step, so a page that never gets ready fails the test in time.
const stepTimeout = 20 * time.Second

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v (console errors: %q)", what, err, b.consoleErrors())
	}
}

// eval evaluates js (awaiting a promise it returns) and decodes the result into out.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v (console errors: %q)", js, err, b.consoleErrors())
	}
	return v
}

// waitReady waits until the page shows indicator key (and year, unless 0) and the map is idle.
func (b *browser) waitReady(key string, year int) {
	b.t.Helper()
	cond := fmt.Sprintf(`window.lagesbild && lagesbild.ready && lagesbild.state.indicator === %q`, key)
	if year != 0 {
		cond += fmt.Sprintf(` && lagesbild.state.year === %d`, year)
	}
	b.do("wait for the map ("+cond+")", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, t)
		return err
	}))
	b.idle()
}

// idle waits until the map has drawn everything it loaded.
func (b *browser) idle() {
	b.t.Helper()
	eval[bool](b, `new Promise(r => { lagesbild.map.once('idle', () => r(true)); lagesbild.map.triggerRepaint(); })`)
}

// rendered returns the distinct values of property prop over the features drawn in layers.
func (b *browser) rendered(prop string, layers ...string) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`[...new Set(lagesbild.map.queryRenderedFeatures({layers: %s})
		.map(f => String(f.properties[%q] ?? f.id ?? '')))].sort()`, jsArray(layers), prop))
}

func (b *browser) screenshot() image.Image {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		b.t.Fatal(err)
	}
	return img
}

func jsArray(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// district is a district of the demo with an interior point, from PostGIS (not from the page).
type district struct {
	Code, Name string
	Lon, Lat   float64
}

func districtsWithPoints(t *testing.T) []district {
	t.Helper()
	rows, err := testDB.Pool.Query(context.Background(), `
		SELECT code, name, ST_X(p), ST_Y(p)
		FROM (SELECT code, name, ST_Transform(ST_PointOnSurface(geom), 4326) AS p FROM districts WHERE level = 'district') d
		ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ds []district
	for rows.Next() {
		var d district
		if err := rows.Scan(&d.Code, &d.Name, &d.Lon, &d.Lat); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ds) < 10 {
		t.Fatalf("only %d districts in the demo", len(ds))
	}
	return ds
}

// point is a position in CSS pixels.
type point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// legendClass is one class of the choropleth legend as the page shows it.
type legendClass struct {
	Min    float64 `json:"min"`
	Colour string  `json:"colour"`
}

func (b *browser) legend() (title string, classes []legendClass) {
	b.t.Helper()
	return b.legendOf("#legend-districts .legend-title", "#choropleth-legend")
}

// legendOf reads a classed legend: its title and the classes of list (items with data-min).
func (b *browser) legendOf(titleSel, list string) (title string, classes []legendClass) {
	b.t.Helper()
	title = eval[string](b, fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ''`, titleSel))
	classes = eval[[]legendClass](b, fmt.Sprintf(`[...document.querySelectorAll('%s li[data-colour][data-min]')]
		.map(li => ({min: Number(li.dataset.min), colour: li.dataset.colour}))`, list))
	if len(classes) < 2 {
		b.t.Fatalf("legend %q has %d classes", title, len(classes))
	}
	return title, classes
}

// expectedColour is the class colour of v: the last class whose lower bound v reaches.
func expectedColour(classes []legendClass, v float64) string {
	c := classes[0].Colour
	for _, k := range classes[1:] {
		if v >= k.Min {
			c = k.Colour
		}
	}
	return c
}

func hexRGB(s string) [3]int {
	n, _ := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	return [3]int{int(n >> 16 & 0xff), int(n >> 8 & 0xff), int(n & 0xff)}
}

func pixel(img image.Image, x, y int) [3]int {
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
}

func near(a, b [3]int, tol int) bool {
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > float64(tol) {
			return false
		}
	}
	return true
}

// choroplethPixels checks every district whose interior point lies in plain fill (3×3
// pixels of one colour) against the colour its API value's class has in the legend, and
// returns the colour found per district. At least half of the districts must be checkable.
func choroplethPixels(t *testing.T, a *api, b *browser, ds []district, key string, year int) map[string][3]int {
	t.Helper()
	var fc featureCollection
	a.getJSON(fmt.Sprintf("/indicators/%s/districts?year=%d", key, year), 200, &fc)
	values := map[string]*float64{}
	for _, f := range fc.Features {
		code, _ := f.ID.(string)
		if v, ok := f.Props["value"].(float64); ok {
			values[code] = &v
		} else {
			values[code] = nil
		}
	}
	_, classes := b.legend()
	return districtPixels(t, b, ds, values, classes, fmt.Sprintf("%s %d", key, year))
}

// districtPixels is choroplethPixels for any value per district (what names it in messages)
// and the legend classes the page shows for it.
func districtPixels(t *testing.T, b *browser, ds []district, values map[string]*float64, classes []legendClass, what string) map[string][3]int {
	t.Helper()
	origin := eval[point](b, `(() => { const r = document.getElementById('map').getBoundingClientRect(); return {x: r.left, y: r.top}; })()`)
	img := b.screenshot()
	got := map[string][3]int{}
	checked := 0
	for _, d := range ds {
		p := eval[point](b, fmt.Sprintf(`lagesbild.map.project([%f, %f])`, d.Lon, d.Lat))
		x, y := int(math.Round(origin.X+p.X)), int(math.Round(origin.Y+p.Y))
		c := pixel(img, x, y)
		uniform := true
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				if pixel(img, x+dx, y+dy) != c {
					uniform = false
				}
			}
		}
		// A point under a legend or status box on the map is no sample of the map.
		if !eval[bool](b, fmt.Sprintf(`document.elementFromPoint(%d, %d) === lagesbild.map.getCanvas()`, x, y)) {
			continue
		}
		v, ok := values[d.Code]
		if !ok {
			t.Errorf("%s: district %s not in the API answer", what, d.Code)
			continue
		}
		if v == nil { // hatched: grey lines on light grey
			if c[0] != c[1] || c[1] != c[2] {
				t.Errorf("%s: %s has no value but is drawn in %v, not hatched grey", what, d.Name, c)
			}
			continue
		}
		if !uniform {
			continue // a border or a small district: no clean sample
		}
		checked++
		got[d.Code] = c
		if want := expectedColour(classes, *v); !near(c, hexRGB(want), 3) {
			t.Errorf("%s: %s (value %g) drawn in %v, want its class colour %s (%v)", what, d.Name, *v, c, want, hexRGB(want))
		}
	}
	t.Logf("%s: %d of %d districts sampled, all in their class colour unless reported", what, checked, len(ds))
	if checked < len(ds)/2 {
		t.Errorf("%s: only %d of %d districts had a clean sample point", what, checked, len(ds))
	}
	return got
}

func TestMapPageInBrowser(t *testing.T) {
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	axeFile := requireTool(t, axePath, "cd web/page && npm ci (make test does)")
	if _, err := exec.LookPath(chromium); err != nil {
		t.Fatal(err)
	}
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(t)
	ds := districtsWithPoints(t)
	b := newBrowser(t, chromium)
	start := time.Now()

	b.do("open the page", chromedp.Navigate(a.srv.URL+"/karta/"))
	b.waitReady("overcrowding", 0)
	year := eval[int](b, `lagesbild.state.year`)
	t.Logf("page ready in %v (overcrowding %d)", time.Since(start).Round(time.Millisecond), year)

	lang := eval[string](b, `document.documentElement.lang`)
	notice := eval[string](b, `document.getElementById('notice').textContent.trim()`)
	if lang != "sv" || notice != "Illustrativa data – inte verkliga uppgifter" {
		t.Errorf("lang %q, notice %q; want Swedish with the illustrative label", lang, notice)
	}

	// Every district is drawn.
	var want []string
	for _, d := range ds {
		want = append(want, d.Code)
	}
	if got := b.rendered("code", "districts-fill", "districts-missing"); !slices.Equal(got, want) {
		t.Errorf("rendered districts %v, want %v", got, want)
	}

	// The time window filters the observation tiles: one month holds fewer than six.
	obsCount := func() int {
		return eval[int](b, `lagesbild.map.queryRenderedFeatures({layers: ['obs-cells', 'obs-points']})
			.reduce((n, f) => n + (f.properties.count ?? 1), 0)`)
	}
	six := obsCount()
	eval[bool](b, `(() => { const f = document.getElementById('time-from'), t = document.getElementById('time-to');
		f.value = t.value; f.dispatchEvent(new Event('change')); return true; })()`)
	b.idle()
	one := obsCount()
	span := eval[string](b, `lagesbild.state.datetime`)
	if one == 0 || one >= six || !strings.HasSuffix(span, "T23:59:59Z") {
		t.Errorf("observations drawn: %d in six months, %d in one month (%s)", six, one, span)
	}
	t.Logf("observations drawn: %d in six months, %d in %s", six, one, span)

	// The layer toggles switch the tiled layers off (and the layers were there to switch off).
	for _, l := range []struct {
		box, prop string
		layers    []string
	}{
		{"layer-places", "name", []string{"places-circle"}},
		{"layer-observations", "count", []string{"obs-cells", "obs-points"}},
		{"layer-interventions", "title", []string{"interventions-fill", "interventions-line", "interventions-point"}},
	} {
		if got := b.rendered(l.prop, l.layers...); len(got) == 0 {
			t.Errorf("%s: nothing rendered before switching it off", l.box)
		}
		b.do("toggle "+l.box, chromedp.Click(chromedp.ID(l.box)))
		b.idle()
		if got := b.rendered(l.prop, l.layers...); len(got) != 0 {
			t.Errorf("%s off: still rendered: %v", l.box, got)
		}
	}

	// The choropleth: colours follow the legend's classes; a new indicator and year change both.
	titleA, _ := b.legend()
	colA := choroplethPixels(t, a, b, ds, "overcrowding", year)
	const keyB, yearB = "unemployment", 2018
	eval[bool](b, fmt.Sprintf(`(() => { const s = document.getElementById('indicator'); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, keyB))
	b.waitReady(keyB, 0)
	eval[bool](b, fmt.Sprintf(`(() => { const s = document.getElementById('year'); s.value = '%d'; s.dispatchEvent(new Event('change')); return true; })()`, yearB))
	b.waitReady(keyB, yearB)
	titleB, _ := b.legend()
	if titleA == titleB || !strings.Contains(titleB, "2018") {
		t.Errorf("legend title %q after switching from %q, want the new indicator and 2018", titleB, titleA)
	}
	colB := choroplethPixels(t, a, b, ds, keyB, yearB)
	changed := 0
	for code, c := range colB {
		if ca, ok := colA[code]; ok && ca != c {
			changed++
		}
	}
	t.Logf("%d districts changed colour", changed)
	if changed == 0 {
		t.Errorf("no district changed colour between overcrowding %d and %s %d", year, keyB, yearB)
	}

	// A click on a district opens its panel with the series of the chosen indicator.
	byName := map[string]district{}
	for _, d := range ds {
		byName[d.Name] = d
	}
	backby, ok := byName["Bäckby"]
	if !ok {
		t.Fatal("no Bäckby in the demo districts")
	}
	p := eval[point](b, fmt.Sprintf(`(() => { const r = document.getElementById('map').getBoundingClientRect();
		const p = lagesbild.map.project([%f, %f]); return {x: r.left + p.x, y: r.top + p.y}; })()`, backby.Lon, backby.Lat))
	b.do("click Bäckby", chromedp.MouseClickXY(p.X, p.Y))
	checkDistrictPanel(t, b, backby, keyB)

	// The keyboard: Tab from Bäckby's list button to the next district, Enter selects it.
	names := eval[[]string](b, `[...document.querySelectorAll('#district-list button')].map(b => b.textContent)`)
	i := slices.Index(names, "Bäckby")
	if i < 0 || i+1 >= len(names) {
		t.Fatalf("district list %v", names)
	}
	next := byName[names[i+1]]
	eval[bool](b, `(() => { [...document.querySelectorAll('#district-list button')].find(b => b.textContent === 'Bäckby').focus(); return true; })()`)
	b.do("tab and enter", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter))
	focused := eval[string](b, `document.activeElement.textContent`)
	if focused != next.Name {
		t.Errorf("Tab from Bäckby focused %q, want %q", focused, next.Name)
	}
	checkDistrictPanel(t, b, next, keyB)

	// English on request.
	b.do("switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	lang = eval[string](b, `document.documentElement.lang`)
	notice = eval[string](b, `document.getElementById('notice').textContent.trim()`)
	if lang != "en" || notice != "Illustrative data – not real figures" {
		t.Errorf("after the toggle: lang %q, notice %q", lang, notice)
	}
	b.do("switch language back", chromedp.Click(chromedp.ID("lang-toggle")))

	// axe-core: no serious or critical violations (WCAG 2.1 A and AA rules).
	type axeResult struct {
		Passes     int `json:"passes"`
		Violations []struct {
			ID, Impact, Help string
			Nodes            []struct{ Target []any }
		} `json:"violations"`
	}
	res := eval[axeResult](b, string(axe)+`; axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
		.then(r => ({passes: r.passes.length,
			violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target}))}))}))`)
	if res.Passes < 10 {
		t.Errorf("axe-core passed only %d rules; did it run?", res.Passes)
	}
	t.Logf("axe-core: %d rules passed, %d violated", res.Passes, len(res.Violations))
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe %s (%s): %s at %v", v.ID, v.Impact, v.Help, v.Nodes)
		} else {
			t.Logf("axe %s (%s): %s", v.ID, v.Impact, v.Help)
		}
	}

	noConsoleErrors(t, b)

	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		writeScreenshot(t, b)
	}
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

// checkDistrictPanel checks that the panel shows d with a chart of its values of key: one
// point per non-null value in the database, axis labels and the unit.
func checkDistrictPanel(t *testing.T, b *browser, d district, key string) {
	t.Helper()
	cond := fmt.Sprintf(`document.getElementById('selected-title')?.textContent === %q && document.querySelector('#details svg.chart') !== null`, d.Name)
	b.do("wait for the panel of "+d.Name, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, t)
		return err
	}))
	type chartInfo struct {
		Dots   int      `json:"dots"`
		Labels []string `json:"labels"`
		Live   string   `json:"live"`
	}
	chart := eval[chartInfo](b, `({dots: document.querySelectorAll('#details svg.chart circle.dot').length,
		labels: [...document.querySelectorAll('#details svg.chart .axis-label')].map(e => e.textContent),
		live: document.getElementById('announce').textContent})`)
	var unit string
	wantDots := count(t, `SELECT count(*) FROM indicator_values WHERE district_code = $1 AND indicator_key = $2 AND value IS NOT NULL`, d.Code, key)
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT unit FROM indicators WHERE key = $1`, key).Scan(&unit); err != nil {
		t.Fatal(err)
	}
	if int64(chart.Dots) != wantDots || wantDots == 0 {
		t.Errorf("%s: chart has %d points, the database %d values of %s", d.Name, chart.Dots, wantDots, key)
	}
	if !slices.Equal(chart.Labels, []string{"År", unit}) {
		t.Errorf("%s: axis labels %q, want År and %q", d.Name, chart.Labels, unit)
	}
	if !strings.Contains(chart.Live, d.Name) {
		t.Errorf("%s: aria-live region says %q", d.Name, chart.Live)
	}
}

// writeScreenshot refreshes docs/karta.png (the README's) with all layers on.
func writeScreenshot(t *testing.T, b *browser) {
	t.Helper()
	for _, id := range []string{"layer-places", "layer-observations", "layer-interventions"} {
		b.do("check "+id, chromedp.Click(chromedp.ID(id)))
	}
	eval[bool](b, `(() => { lagesbild.home(); document.querySelector('nav.controls').scrollTop = 0; return true; })()`)
	b.idle()
	saveScreenshot(t, b, "karta.png")
}
