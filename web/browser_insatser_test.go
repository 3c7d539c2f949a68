package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// The browser test of the Insatser view (issue 6, the interventions register): the list and
// its filters against the API's own answers, the map showing the listed interventions, adding
// one through the form (a validation answer shown next to its field first), editing with a
// version someone else has replaced (the conflict message, then a reload and a save), the
// history, and axe-core.

// ivRows are the ids of the Insatser list's rows, in order.
func (b *browser) ivRows() []int64 {
	b.t.Helper()
	return eval[[]int64](b, `[...document.querySelectorAll('#iv-table tbody tr')].map(tr => Number(tr.dataset.id))`)
}

// waitInsatser waits until the list shows an answer whose state satisfies extra.
func (b *browser) waitInsatser(extra string) {
	b.t.Helper()
	cond := `window.lagesbild && lagesbild.insatser && lagesbild.insatser.ready`
	if extra != "" {
		cond += " && " + extra
	}
	b.waitFor("the interventions list", cond)
	b.idle()
}

// ivFromAPI lists the interventions the API returns for query, then keeps those targeting
// district (when set), as the page's district filter does: ids in title order, their
// properties, and in id order the ids the map can draw: those with a geometry, and those
// without one but with target districts (drawn as their outline).
func ivFromAPI(t *testing.T, a *api, query url.Values, district string) ([]int64, map[int64]map[string]any, []int64) {
	t.Helper()
	query.Set("limit", "1000")
	query.Set("sortby", "title")
	var fc featureCollection
	a.getJSON("/collections/interventions/items?"+query.Encode(), 200, &fc)
	var ids, located []int64
	props := map[int64]map[string]any{}
	for _, f := range fc.Features {
		id := int64(f.ID.(float64))
		if district != "" {
			targets, _ := f.Props["target_districts"].([]any)
			if !slices.Contains(targets, any(district)) {
				continue
			}
		}
		ids = append(ids, id)
		props[id] = f.Props
		targets, _ := f.Props["target_districts"].([]any)
		if len(f.Geometry) > 0 && string(f.Geometry) != "null" || len(targets) > 0 {
			located = append(located, id)
		}
	}
	slices.Sort(located)
	return ids, props, located
}

// newListeningAPI is newAPI with the server's tile cache invalidated by the database's change
// notifications, as lagesbild serve runs it, so tiles follow the page's writes.
func newListeningAPI(t *testing.T) *api {
	t.Helper()
	db := layerstest.Require(t, testDB)
	cat := layers.NewCatalogue()
	store := layers.NewStore(db.AppPool)
	cache := web.NewTileCache(16 << 20)
	listen(t, store, cat, cache)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := testServerOn(t, db, web.Config{Version: "test", TileCache: cache}, store, cat, log)
	return newClient(t, srv)
}

func TestInterventionsViewInBrowser(t *testing.T) {
	a, b, axe := openViewOn(t, "insatser", newListeningAPI)
	start := time.Now()
	var made []int64
	cleanUp(t, &made)
	// The view's first answer on a machine shared by many test runs: up to viewLimit.
	b.waitLonger("the interventions list", `window.lagesbild && lagesbild.insatser && lagesbild.insatser.ready`, viewLimit)
	b.waitInsatser("")
	t.Logf("Insatser ready in %v", time.Since(start).Round(time.Millisecond))
	// The map view once, so its tiles (which browsers may keep for a minute) are loaded before
	// the register is written to.
	showView := func(v string) {
		eval[bool](b, fmt.Sprintf(`(() => { location.hash = %q; return true; })()`, v))
		b.waitFor("the view "+v, fmt.Sprintf(`document.body.dataset.view === %q`, v))
		b.idle()
	}
	tileTitles := func() []string {
		showView("karta")
		eval[bool](b, `(() => { lagesbild.home(); return true; })()`)
		b.idle()
		return b.rendered("title", "interventions-fill", "interventions-line", "interventions-point")
	}
	if before := tileTitles(); len(before) == 0 {
		t.Error("the map view draws no interventions from its tiles")
	}
	showView("insatser")
	b.waitInsatser("")
	if cur := eval[string](b, `document.querySelector('[aria-current="page"]')?.textContent`); cur != "Insatser" {
		t.Errorf("current view link %q", cur)
	}

	// The whole register, in title order, and on the map.
	all, _, allLocated := ivFromAPI(t, a, url.Values{}, "")
	if got := b.ivRows(); !slices.Equal(got, all) || len(all) < 10 {
		t.Fatalf("list %v, the API %v", got, all)
	}
	drawn := func() []int64 {
		return eval[[]int64](b, `[...new Set(lagesbild.map.queryRenderedFeatures({layers: ['insatser-fill', 'insatser-line', 'insatser-point', 'insatser-area']})
			.map(f => f.id))].sort((a, b) => a - b)`)
	}
	if got := drawn(); !slices.Equal(got, allLocated) || len(allLocated) < 5 {
		t.Errorf("drawn on the map: %v, want every intervention with a geometry or target districts %v", got, allLocated)
	}

	// The filters: each changes the rows to the API's answer for the same filters; the
	// district filter is the page's own, over target_districts.
	steps := []struct{ filter, value string }{
		{"horizon", "vinna_kriget"},
		{"status", "active"},
		{"horizon", ""},
		{"lead_org", "Polisen"},
		{"lead_org", ""},
		{"district", "1980-BACKBY"},
		{"approach", "repressive"},
	}
	q := url.Values{}
	district := ""
	prev := all
	changes := 0
	for _, s := range steps {
		if s.filter == "district" {
			district = s.value
		} else if s.value == "" {
			q.Del(s.filter)
		} else {
			q.Set(s.filter, s.value)
		}
		b.setValue("iv-f-"+s.filter, s.value)
		b.waitInsatser(fmt.Sprintf(`document.getElementById('iv-f-%s').value === %q`, s.filter, s.value))
		want, _, located := ivFromAPI(t, a, maps.Clone(q), district)
		got := b.ivRows()
		if !slices.Equal(got, want) {
			t.Errorf("filter %s=%q (%v, district %q): rows %v, the API %v", s.filter, s.value, q, district, got, want)
		}
		if !slices.Equal(got, prev) {
			changes++
		}
		prev = got
		if d := drawn(); !slices.Equal(d, located) {
			t.Errorf("filter %s=%q: drawn %v, want the listed ones with a geometry or target districts %v", s.filter, s.value, d, located)
		}
	}
	if changes < len(steps)-1 {
		t.Errorf("only %d of %d filter changes changed the rows", changes, len(steps))
	}
	for _, f := range []string{"horizon", "approach", "lead_org", "status", "district"} {
		b.setValue("iv-f-"+f, "")
	}
	b.waitInsatser(fmt.Sprintf(`lagesbild.insatser.rows.length === %d`, len(all)))

	// A row selected: details, history (none for loaded data) and the map zoomed to it.
	first := all[0]
	b.do("select the first row", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#iv-table button[data-id="%d"]`, first))))
	b.waitFor("the details", fmt.Sprintf(`lagesbild.insatser.selected === %d && lagesbild.insatser.detailsReady`, first))
	b.idle()
	var one struct {
		Properties struct{ Title string }
	}
	a.getJSON(fmt.Sprintf("/collections/interventions/items/%d", first), 200, &one)
	if got := eval[string](b, `document.getElementById('iv-details-title').textContent`); got != one.Properties.Title {
		t.Errorf("details of %d titled %q, the API %q", first, got, one.Properties.Title)
	}
	if got := eval[[]int64](b, `lagesbild.map.queryRenderedFeatures({layers: ['insatser-selected-line', 'insatser-selected-point', 'insatser-area-selected']}).map(f => f.id)`); len(got) == 0 || got[0] != first {
		t.Errorf("selection drawn for %v, want %d", got, first)
	}

	// A new intervention through the form: the keyboard fills it; without a title the API's
	// answer names the field and the page shows it there.
	const title = "Läxhjälp på Bäckby bibliotek (webbtest)"
	b.do("open the form", chromedp.Click(chromedp.ID("iv-new")))
	b.waitFor("the form", `document.activeElement?.id === 'iv-in-title'`)
	b.setValue("iv-in-category", "adults_in_school")
	b.setValue("iv-in-horizon", "vinna_kriget")
	b.setValue("iv-in-approach", "preventive")
	b.do("type the lead organisation", chromedp.SendKeys(chromedp.ID("iv-in-lead_org"), "BUF"))
	b.do("type partners", chromedp.SendKeys(chromedp.ID("iv-in-partners"), "Civilsamhället, KIFF"))
	b.do("type a start date", chromedp.SetValue(chromedp.ID("iv-in-start_date"), "2026-02-01"))
	b.do("type hours", chromedp.SendKeys(chromedp.ID("iv-in-hours_per_week"), "6"))
	eval[bool](b, `(() => { document.querySelector('#iv-in-target_districts input[value="1980-BACKBY"]').click();
		document.querySelector('#iv-in-target_indicators input[value="preschool_enrolment"]')?.click(); return true; })()`)
	b.do("submit without a title", chromedp.Click(chromedp.ID("iv-save")))
	b.waitFor("the field error", `!document.getElementById('iv-in-title-error').hidden`)
	type fieldState struct {
		Message   string `json:"message"`
		Invalid   string `json:"invalid"`
		Described string `json:"described"`
		Focused   string `json:"focused"`
		Status    int    `json:"status"`
	}
	fs := eval[fieldState](b, `({message: document.getElementById('iv-in-title-error').textContent,
		invalid: document.getElementById('iv-in-title').getAttribute('aria-invalid'),
		described: document.getElementById('iv-in-title').getAttribute('aria-describedby'),
		focused: document.activeElement.id, status: lagesbild.insatser.lastStatus})`)
	if fs.Status != 400 || fs.Message == "" || fs.Invalid != "true" || fs.Described != "iv-in-title-error" || fs.Focused != "iv-in-title" {
		t.Errorf("after a submit without title: %+v", fs)
	}
	if n := count(t, `SELECT count(*) FROM interventions WHERE title = $1`, title); n != 0 {
		t.Errorf("a refused form wrote %d rows", n)
	}
	b.do("type the title", chromedp.SendKeys(chromedp.ID("iv-in-title"), title))
	b.do("submit with Enter", chromedp.KeyEvent(kb.Enter))
	b.waitInsatser(fmt.Sprintf(`lagesbild.insatser.lastStatus === 201 && lagesbild.insatser.detailsReady && document.getElementById('iv-details-title')?.textContent === %q`, title))

	// It is in the API with what the form said, and in the list.
	byTitle, props, _ := ivFromAPI(t, a, url.Values{"lead_org": {"BUF"}}, "1980-BACKBY")
	var id int64
	for _, i := range byTitle {
		if props[i]["title"] == title {
			id = i
		}
	}
	if id == 0 {
		t.Fatalf("the new intervention is not in the API's list: %v", byTitle)
	}
	made = append(made, id)
	p := props[id]
	want := map[string]any{"category": "adults_in_school", "horizon": "vinna_kriget", "approach": "preventive", "status": "planned",
		"start_date": "2026-02-01", "hours_per_week": 6.0, "end_date": nil}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("new intervention: %s = %v, want %v", k, p[k], v)
		}
	}
	if fmt.Sprint(p["partners"]) != "[Civilsamhället KIFF]" || fmt.Sprint(p["target_districts"]) != "[1980-BACKBY]" ||
		fmt.Sprint(p["target_indicators"]) != "[preschool_enrolment]" {
		t.Errorf("new intervention: partners %v, districts %v, indicators %v", p["partners"], p["target_districts"], p["target_indicators"])
	}
	if got := b.ivRows(); !slices.Contains(got, id) || len(got) != len(all)+1 {
		t.Errorf("the list after adding has %d rows (%v), want %d with %d", len(got), got, len(all)+1, id)
	}
	if got := eval[int64](b, `lagesbild.insatser.selected`); got != id {
		t.Errorf("selected %d after adding, want the new %d", got, id)
	}
	if got := eval[[]int64](b, `[...document.querySelectorAll('#iv-history li')].map(li => Number(li.dataset.version))`); !slices.Equal(got, []int64{1}) {
		t.Errorf("history after creating: versions %v, want [1]", got)
	}

	// Editing with a stale version: the page holds "v1", someone else saves v2 meanwhile.
	b.do("edit", chromedp.Click(chromedp.ID("iv-edit")))
	b.waitFor("the edit form", `document.activeElement?.id === 'iv-in-title' && document.getElementById('iv-form-title').textContent.includes('1')`)
	path := "/collections/interventions/items/" + strconv.FormatInt(id, 10)
	res, _ := a.write("PATCH", path, ifMatch(`"v1"`), `{"properties":{"hours_per_week":8}}`, 200)
	if res.Header.Get("ETag") != `"v2"` {
		t.Fatalf("the other editor's PATCH gave ETag %q", res.Header.Get("ETag"))
	}
	b.setValue("iv-in-status", "active")
	b.do("save the stale version", chromedp.Click(chromedp.ID("iv-save")))
	b.waitFor("the conflict", `document.getElementById('iv-conflict') !== null`)
	conflict := eval[string](b, `document.getElementById('iv-form-status').textContent`)
	if !strings.Contains(conflict, "Någon annan har ändrat insatsen") || !strings.Contains(conflict, "ladda om") || eval[int](b, `lagesbild.insatser.lastStatus`) != 412 {
		t.Errorf("conflict message %q (status %d)", conflict, eval[int](b, `lagesbild.insatser.lastStatus`))
	}
	var cur struct{ Properties map[string]any }
	a.getJSON(path, 200, &cur)
	if cur.Properties["status"] != "planned" || cur.Properties["hours_per_week"] != 8.0 {
		t.Errorf("the refused save changed the intervention: %v", cur.Properties)
	}
	axeClean(t, b, axe, "Insatser (form with a conflict)")

	// Reload: the form shows v2 (the other editor's hours); the save then goes through as v3.
	if eval[string](b, `document.activeElement.id`) != "iv-reload" {
		t.Errorf("focus after the conflict on %q, want the reload button", eval[string](b, `document.activeElement.id`))
	}
	b.do("reload", chromedp.KeyEvent(kb.Enter))
	b.waitFor("the reloaded form", `document.getElementById('iv-in-hours_per_week')?.value === '8'`)
	b.setValue("iv-in-status", "active")
	b.do("save again", chromedp.Click(chromedp.ID("iv-save")))
	b.waitInsatser(`lagesbild.insatser.lastStatus === 200 && lagesbild.insatser.detailsReady`)
	res, _ = a.get(path, 200)
	if res.Header.Get("ETag") != `"v3"` {
		t.Errorf("after the reload and save: ETag %q, want \"v3\"", res.Header.Get("ETag"))
	}
	a.getJSON(path, 200, &cur)
	if cur.Properties["status"] != "active" || cur.Properties["hours_per_week"] != 8.0 {
		t.Errorf("after the save: %v", cur.Properties)
	}
	var hist struct {
		Versions []struct {
			Version   int64
			Operation string
		}
	}
	_, body := a.get(path+"/history", 200)
	if err := json.Unmarshal(body, &hist); err != nil {
		t.Fatal(err)
	}
	var wantVersions []int64
	for i := len(hist.Versions) - 1; i >= 0; i-- {
		wantVersions = append(wantVersions, hist.Versions[i].Version)
	}
	if got := eval[[]int64](b, `[...document.querySelectorAll('#iv-history li')].map(li => Number(li.dataset.version))`); !slices.Equal(got, wantVersions) || len(got) != 3 {
		t.Errorf("history shown %v, the API's %v (newest first)", got, wantVersions)
	}

	// The map view's tiles show the new intervention at once (they were loaded before it existed).
	if got := tileTitles(); !slices.Contains(got, title) {
		t.Errorf("the map view's interventions after the write: %q, without %q", got, title)
	}
	if got := eval[[]string](b, `[...document.querySelectorAll('#intervention-list button')].map(b => b.firstChild.textContent)`); !slices.Contains(got, title) {
		t.Errorf("the map view's list of interventions lacks %q: %q", title, got)
	}
	showView("insatser")
	b.waitInsatser("")

	// English on request: the view relabels in place, the details stay.
	b.do("switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	type texts struct {
		Heading, Column, Details, Filter string
	}
	en := eval[texts](b, `({heading: document.getElementById('iv-results-title').textContent,
		column: document.querySelector('#iv-table thead th').textContent,
		details: document.getElementById('iv-details-title')?.textContent ?? '',
		filter: document.querySelector('#iv-f-horizon option[value="vinna_kriget"]').textContent})`)
	if en != (texts{"Interventions register", "Intervention", title, "win the war"}) {
		t.Errorf("in English: %+v", en)
	}
	b.do("switch language back", chromedp.Click(chromedp.ID("lang-toggle")))

	axeClean(t, b, axe, "Insatser")
	// The refused writes (400 without a title, 412 with the stale version) were meant; the
	// browser logs every failed request, so those two are expected, nothing else.
	noConsoleErrorsBut(t, b, func(e string) bool {
		return strings.Contains(e, "/collections/interventions/items") && (strings.Contains(e, "status of 400") || strings.Contains(e, "status of 412"))
	})
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		eval[bool](b, `(() => { lagesbild.insatser.home(); document.getElementById('iv-controls').scrollTop = 0;
			document.activeElement.blur(); return true; })()`)
		b.idle()
		saveScreenshot(t, b, "insatser.png")
	}
	t.Logf("Insatser test took %v", time.Since(start).Round(time.Millisecond))
}
