package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The browser tests of the page's two analysis views: Prioritering (issue 4) and the hotspot
// view (issue 5). Each drives the page like the map page's test and checks what it shows
// against answers the test asks the API for itself.

// openView starts the API and Chromium and opens the page at #view.
func openView(t *testing.T, view string) (*api, *browser, []byte) {
	t.Helper()
	return openViewOn(t, view, newAPI)
}

// openViewOn is openView with the API that start makes.
func openViewOn(t *testing.T, view string, start func(*testing.T) *api) (*api, *browser, []byte) {
	t.Helper()
	chromium := requireTool(t, chromiumPath, "apt-get install chromium (make test does)")
	axeFile := requireTool(t, axePath, "cd web/page && npm ci (make test does)")
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	a := start(t)
	b := newBrowser(t, chromium)
	b.do("open the page at #"+view, chromedp.Navigate(a.srv.URL+"/karta/#"+view))
	return a, b, axe
}

// waitFor polls a JavaScript condition until it holds.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	b.waitLonger(what, cond, stepTimeout)
}

// waitLonger waits as waitFor does, up to limit: for a view whose first answer is a
// computation of seconds, which the race detector makes ten times slower.
func (b *browser) waitLonger(what, cond string, limit time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, limit)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, t)
		return err
	})); err != nil {
		b.t.Fatalf("wait for %s (%s): %v (console errors: %q)", what, cond, err, b.consoleErrors())
	}
}

// setValue sets a form control's value and fires its change event, as a user's choice does.
func (b *browser) setValue(id, value string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q;
		e.dispatchEvent(new Event('change')); return true; })()`, id, value))
}

// axeClean runs axe-core on the page and fails on serious or critical violations.
func axeClean(t *testing.T, b *browser, axe []byte, view string) {
	t.Helper()
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
		t.Errorf("%s: axe-core passed only %d rules; did it run?", view, res.Passes)
	}
	t.Logf("%s: axe-core: %d rules passed, %d violated", view, res.Passes, len(res.Violations))
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: axe %s (%s): %s at %v", view, v.ID, v.Impact, v.Help, v.Nodes)
		} else {
			t.Logf("%s: axe %s (%s): %s", view, v.ID, v.Impact, v.Help)
		}
	}
}

// noConsoleErrors fails on any console error of the browser and any error the map recorded.
func noConsoleErrors(t *testing.T, b *browser) {
	t.Helper()
	noConsoleErrorsBut(t, b, nil)
}

// noConsoleErrorsBut is noConsoleErrors except for the console lines meant says the test
// caused on purpose (Chromium logs every refused request); meant may be nil.
func noConsoleErrorsBut(t *testing.T, b *browser, meant func(line string) bool) {
	t.Helper()
	var unexpected []string
	for _, e := range b.consoleErrors() {
		if meant == nil || !meant(e) {
			unexpected = append(unexpected, e)
		}
	}
	if len(unexpected) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(unexpected, "\n"))
	}
	if errs := eval[[]string](b, `lagesbild.errors`); len(errs) > 0 {
		t.Errorf("map errors: %q", errs)
	}
}

// saveScreenshot writes docs/name with UPDATE_SCREENSHOT set. The README's screenshots show
// demo data, so the page's illustrative-data label must be in sight in each (not scrolled away).
func saveScreenshot(t *testing.T, b *browser, name string) {
	t.Helper()
	if os.Getenv("UPDATE_SCREENSHOT") == "" {
		return
	}
	if !eval[bool](b, `(() => { const n = document.getElementById('notice'), r = n?.getBoundingClientRect();
		return !!r && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth
			&& getComputedStyle(n).visibility !== 'hidden' && /^Illustrativa data/.test(n.textContent.trim()); })()`) {
		t.Fatalf("docs/%s: the illustrative-data label is not in sight", name)
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join("..", "docs", name)
	if err := os.WriteFile(out, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", out, len(buf))
}

// ---- Prioritering ----

// tableRow is one row of the page's ranking table.
type tableRow struct {
	Code  string `json:"code"`
	Index string `json:"index"`
	Rank  string `json:"rank"`
}

func (b *browser) rankingTable() []tableRow {
	b.t.Helper()
	return eval[[]tableRow](b, `[...document.querySelectorAll('#prio-table tbody tr')]
		.map(tr => ({code: tr.dataset.code, index: tr.dataset.index, rank: tr.dataset.rank}))`)
}

// waitPriority waits until the view shows an analysis of scenario whose request satisfies extra.
func (b *browser) waitPriority(scenario, extra string) {
	b.t.Helper()
	cond := fmt.Sprintf(`window.lagesbild && lagesbild.priority && lagesbild.priority.ready && lagesbild.priority.request.scenario === %q`, scenario)
	if extra != "" {
		cond += " && " + extra
	}
	b.waitFor("the priority analysis", cond)
	b.idle()
}

// priorityFromAPI asks the API for req and returns its answer.
func priorityFromAPI(t *testing.T, a *api, req map[string]any) priorityPageAnswer {
	t.Helper()
	_, body := a.do("POST", "/analysis/priority", req, 200)
	var ans priorityPageAnswer
	if err := json.Unmarshal(body, &ans); err != nil {
		t.Fatal(err)
	}
	return ans
}

type priorityPageAnswer struct {
	ScenarioOf *struct{ ID string } `json:"scenario"`
	Year       int
	Ranked     int
	K          int
	Notice     string
	Districts  []struct {
		Code, Name  string
		Index       *float64
		Rank        *int
		Ranked      bool
		Feasibility *float64
		Pilot       bool
	}
	Pilots []struct{ Code, Name string }
}

// Scenario is the id of the answer's scenario ("" for a weighting of its own).
func (p priorityPageAnswer) Scenario() string {
	if p.ScenarioOf == nil {
		return ""
	}
	return p.ScenarioOf.ID
}

// checkTable compares the page's ranking table with the API's answer: the same districts in
// rank order (unranked last), each with the API's index.
func checkTable(t *testing.T, what string, rows []tableRow, ans priorityPageAnswer) {
	t.Helper()
	if len(rows) != len(ans.Districts) {
		t.Fatalf("%s: table has %d rows, the API %d districts", what, len(rows), len(ans.Districts))
	}
	byCode := map[string]int{}
	for i, d := range ans.Districts {
		byCode[d.Code] = i
	}
	lastRank := 0
	for i, r := range rows {
		k, ok := byCode[r.Code]
		if !ok {
			t.Errorf("%s: row %d is %s, not in the API answer", what, i+1, r.Code)
			continue
		}
		d := ans.Districts[k]
		want := ""
		if d.Rank != nil {
			want = fmt.Sprint(*d.Rank)
			if *d.Rank < lastRank {
				t.Errorf("%s: row %d (%s) has rank %d after rank %d", what, i+1, r.Code, *d.Rank, lastRank)
			}
			lastRank = *d.Rank
		}
		if r.Rank != want {
			t.Errorf("%s: %s shows rank %q, the API %q", what, r.Code, r.Rank, want)
		}
		var got float64
		if _, err := fmt.Sscan(r.Index, &got); d.Index == nil && r.Index != "" || d.Index != nil && (err != nil || math.Abs(got-*d.Index) > 1e-9) {
			t.Errorf("%s: %s shows index %q, the API %v", what, r.Code, r.Index, d.Index)
		}
	}
}

func order(rows []tableRow) []string {
	var codes []string
	for _, r := range rows {
		codes = append(codes, r.Code)
	}
	return codes
}

func TestPriorityViewInBrowser(t *testing.T) {
	a, b, axe := openView(t, "prioritering")
	ds := districtsWithPoints(t)
	start := time.Now()
	var cfg struct {
		Years     []int
		Defaults  struct{ Scenario string }
		Scenarios []struct {
			ID           string
			Weights      map[string]float64
			ThemeWeights map[string]float64 `json:"theme_weights"`
		}
	}
	a.getJSON("/analysis/priority", 200, &cfg)
	year := slices.Max(cfg.Years)
	b.waitPriority(cfg.Defaults.Scenario, "")
	t.Logf("Prioritering ready in %v", time.Since(start).Round(time.Millisecond))

	if lang, notice := eval[string](b, `document.documentElement.lang`), eval[string](b, `document.getElementById('notice').textContent.trim()`); lang != "sv" || notice != "Illustrativa data – inte verkliga uppgifter" {
		t.Errorf("lang %q, notice %q", lang, notice)
	}
	if cur := eval[string](b, `document.querySelector('[aria-current="page"]')?.textContent`); cur != "Prioritering" {
		t.Errorf("current view link %q", cur)
	}

	// The table is the API's answer for the default organisation, asked for independently.
	base := func(scenario string) map[string]any {
		return map[string]any{"scenario": scenario, "year": year, "k": 3, "sensitivity": map[string]any{"draws": 500, "seed": 1}}
	}
	def := priorityFromAPI(t, a, base(cfg.Defaults.Scenario))
	rowsDef := b.rankingTable()
	checkTable(t, cfg.Defaults.Scenario, rowsDef, def)
	// The API's notice is bilingual; the Swedish page shows its Swedish half (issue 14, point 11).
	svNotice, _, _ := strings.Cut(def.Notice, ". ")
	if side := eval[string](b, `document.getElementById('prio-side').textContent`); !strings.Contains(side, svNotice) || svNotice == "" || strings.Contains(side, "Illustrative") {
		t.Errorf("the side panel does not show the illustrative notice %q in Swedish only", def.Notice)
	}

	// The need × feasibility chart: one point per ranked district, the pilots labelled.
	ranked := 0
	var pilots []string
	for _, d := range def.Districts {
		if d.Ranked && d.Index != nil && d.Feasibility != nil {
			ranked++
		}
	}
	for _, p := range def.Pilots {
		pilots = append(pilots, p.Name)
	}
	slices.Sort(pilots)
	points := eval[int](b, `document.querySelectorAll('#prio-matrix circle.point').length`)
	labels := eval[[]string](b, `[...document.querySelectorAll('#prio-matrix .pilot-label')].map(e => e.textContent).sort()`)
	if points != ranked || ranked != def.Ranked {
		t.Errorf("chart has %d points; the API ranks %d districts (%d with need and feasibility)", points, def.Ranked, ranked)
	}
	if !slices.Equal(labels, pilots) || len(pilots) != def.K {
		t.Errorf("chart labels %v, the API's pilots %v (k %d)", labels, pilots, def.K)
	}
	expl := eval[int](b, `[...document.querySelectorAll('#prio-pilots li')].filter(li => li.textContent.length > 60).length`)
	if expl != len(def.Pilots) {
		t.Errorf("%d pilot explanations shown, %d pilots", expl, len(def.Pilots))
	}

	// The choropleth: every district with an index drawn, in the colour of its class.
	var withIndex []string
	values := map[string]*float64{}
	for _, d := range def.Districts {
		values[d.Code] = d.Index
		if d.Index != nil {
			withIndex = append(withIndex, d.Code)
		}
	}
	slices.Sort(withIndex)
	if got := b.rendered("code", "priority-fill"); !slices.Equal(got, withIndex) {
		t.Errorf("index drawn for %v, want %v", got, withIndex)
	}
	_, classes := b.legendOf("#prio-legend .legend-title", "#priority-legend-list")
	districtPixels(t, b, ds, values, classes, "need index "+cfg.Defaults.Scenario)
	var pilotCodes []string
	for _, p := range def.Pilots {
		pilotCodes = append(pilotCodes, p.Code)
	}
	slices.Sort(pilotCodes)
	if got := b.rendered("code", "priority-pilot"); !slices.Equal(got, pilotCodes) {
		t.Errorf("pilot outlines drawn for %v, want %v", got, pilotCodes)
	}

	checkAreaTypes(t, a, b, ds, year, def, base(cfg.Defaults.Scenario))

	// The CSV link holds the API's CSV of the same request. (The page's CSP keeps the test
	// from fetching the blob: URL; the text behind it is kept beside it.)
	link := eval[[]string](b, `(() => { const a = document.getElementById('prio-csv'); return [a.href, a.download]; })()`)
	if !strings.HasPrefix(link[0], "blob:") || !strings.HasSuffix(link[1], ".csv") {
		t.Errorf("CSV link %q download %q", link[0], link[1])
	}
	csv := eval[string](b, `lagesbild.priority.csv`)
	if lines := strings.Count(strings.TrimSpace(csv), "\n") + 1; lines != len(def.Districts)+1 || !strings.HasPrefix(csv, "code,name,index,rank") {
		t.Errorf("CSV link: %d lines, want %d; starts %q", lines, len(def.Districts)+1, csv[:min(len(csv), 40)])
	}

	// Switching the organisation loads its weights and changes the ranking.
	const org = "iff"
	b.setValue("prio-scenario", org)
	b.waitPriority(org, "")
	rowsOrg := b.rankingTable()
	checkTable(t, org, rowsOrg, priorityFromAPI(t, a, base(org)))
	if slices.Equal(order(rowsOrg), order(rowsDef)) {
		t.Errorf("switching to %s left the ranking order unchanged: %v", org, order(rowsOrg))
	}
	var iff struct {
		Weights      map[string]float64
		ThemeWeights map[string]float64
	}
	for _, s := range cfg.Scenarios {
		if s.ID == org {
			iff.Weights, iff.ThemeWeights = s.Weights, s.ThemeWeights
		}
	}
	if got := eval[string](b, `document.getElementById('w-ind-child_poverty').value`); got != fmt.Sprint(iff.Weights["child_poverty"]) {
		t.Errorf("child poverty slider at %s after choosing %s, want its weight %v", got, org, iff.Weights["child_poverty"])
	}

	// A weight changed with the keyboard (End: the slider's maximum, 3) changes the index values.
	b.do("focus the slider", chromedp.Focus(chromedp.ID("w-ind-child_poverty")))
	b.do("press End", chromedp.KeyEvent(kb.End))
	b.waitPriority(org, `lagesbild.priority.request.weights?.child_poverty === 3`)
	rowsW := b.rankingTable()
	weights := map[string]float64{}
	for k, v := range iff.Weights {
		weights[k] = v
	}
	weights["child_poverty"] = 3
	req := base(org)
	req["weights"], req["theme_weights"] = weights, iff.ThemeWeights
	checkTable(t, org+" with child_poverty 3", rowsW, priorityFromAPI(t, a, req))
	changed := 0
	for i := range rowsW {
		for j := range rowsOrg {
			if rowsW[i].Code == rowsOrg[j].Code && rowsW[i].Index != rowsOrg[j].Index {
				changed++
			}
		}
	}
	if changed == 0 {
		t.Error("raising a weight changed no index value")
	}
	t.Logf("raising child poverty's weight changed %d index values", changed)

	// The comparison of the organisations: rankings side by side, tau matrix, disagreements.
	var cmp struct {
		Scenarios     []struct{ ID string }
		Districts     []struct{ Code string }
		Disagreements []struct{ Name string }
	}
	_, body := a.do("POST", "/analysis/priority/compare", map[string]any{"year": year, "k": 3}, 200)
	if err := json.Unmarshal(body, &cmp); err != nil {
		t.Fatal(err)
	}
	type cmpPage struct {
		Rows     []string `json:"rows"`
		Cols     int      `json:"cols"`
		Tau      int      `json:"tau"`
		Disagree []string `json:"disagree"`
	}
	cp := eval[cmpPage](b, `({rows: [...document.querySelectorAll('#compare-table tbody tr')].map(tr => tr.dataset.code),
		cols: document.querySelectorAll('#compare-table thead th').length,
		tau: document.querySelectorAll('#tau-table tbody td').length,
		disagree: [...document.querySelectorAll('#disagreements strong')].map(e => e.textContent)})`)
	var wantRows, wantDis []string
	for _, d := range cmp.Districts {
		wantRows = append(wantRows, d.Code)
	}
	for _, d := range cmp.Disagreements {
		wantDis = append(wantDis, d.Name)
	}
	n := len(cmp.Scenarios)
	if !slices.Equal(cp.Rows, wantRows) || cp.Cols != n+3 || cp.Tau != n*n || !slices.Equal(cp.Disagree, wantDis) || n < 2 {
		t.Errorf("compare view: rows %v cols %d tau cells %d disagreements %v; API: rows %v, %d scenarios, disagreements %v",
			cp.Rows, cp.Cols, cp.Tau, cp.Disagree, wantRows, n, wantDis)
	}

	axeClean(t, b, axe, "Prioritering")
	noConsoleErrors(t, b)
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		b.setValue("prio-scenario", cfg.Defaults.Scenario)
		b.waitPriority(cfg.Defaults.Scenario, `!lagesbild.priority.request.weights`)
		eval[bool](b, `(() => { lagesbild.home(); document.getElementById('prio-controls').scrollTop = 0;
			document.activeElement.blur(); return true; })()`)
		b.idle()
		saveScreenshot(t, b, "prioritering.png")
	}
	t.Logf("Prioritering test took %v", time.Since(start).Round(time.Millisecond))
}

// checkAreaTypes checks the SCB area type (issue 4) against the SCB preset's answer asked for
// independently: the table's column and its disagreement flags against the chosen weighting's
// top k, and the map mode "Områdestyp (SCB)" drawing every district in its type's colour.
func checkAreaTypes(t *testing.T, a *api, b *browser, ds []district, year int, def priorityPageAnswer, req map[string]any) {
	t.Helper()
	var scb struct {
		Year      int
		AreaTypes []struct {
			AreaType int    `json:"area_type"`
			NameSV   string `json:"name_sv"`
			Source   string
		} `json:"area_types"`
		Districts []struct {
			Code     string
			AreaType *int `json:"area_type"`
		}
	}
	_, body := a.do("POST", "/analysis/priority", map[string]any{"scenario": "scb", "year": year}, 200)
	if err := json.Unmarshal(body, &scb); err != nil {
		t.Fatal(err)
	}
	if len(scb.AreaTypes) != 5 {
		t.Fatalf("the SCB answer has %d area types, want 5", len(scb.AreaTypes))
	}
	types := map[string]int{}
	seen := map[int]bool{}
	for _, d := range scb.Districts {
		if d.AreaType != nil {
			types[d.Code] = *d.AreaType
			seen[*d.AreaType] = true
		}
	}
	if len(types) < len(ds)/2 || len(seen) < 3 {
		t.Fatalf("the SCB answer types %d districts with %d distinct types; too few to test", len(types), len(seen))
	}

	// The column and the flags against the default weighting's top k, then with k = 2, where
	// the demo's type 2 district ranked third falls outside (k is put back afterwards).
	checkAreaTypeColumn(t, b, types, def)
	b.setValue("prio-k", "2")
	b.waitPriority(def.Scenario(), `lagesbild.priority.request.k === 2`)
	req2 := maps.Clone(req)
	req2["k"] = 2
	if flags := checkAreaTypeColumn(t, b, types, priorityFromAPI(t, a, req2)); flags == 0 {
		t.Error("no district flagged with k = 2; the demo has a type 2 district at rank 3")
	}
	b.setValue("prio-k", "3")
	b.waitPriority(def.Scenario(), `lagesbild.priority.request.k === 3`)

	// The map mode: a click on the radio button, every typed district in its type's colour.
	b.do("choose the area type map", chromedp.Click(chromedp.ID("prio-mode-areatype")))
	b.waitPriority(def.Scenario(), `lagesbild.priority.mapMode === 'areatype'`)
	var typed, untyped []string
	values := map[string]*float64{}
	for _, d := range def.Districts {
		if ty, ok := types[d.Code]; ok {
			typed = append(typed, d.Code)
			v := float64(ty)
			values[d.Code] = &v
		} else {
			untyped = append(untyped, d.Code)
			values[d.Code] = nil
		}
	}
	slices.Sort(typed)
	slices.Sort(untyped)
	if got := b.rendered("code", "priority-areatype"); !slices.Equal(got, typed) {
		t.Errorf("area types drawn for %v, want %v", got, typed)
	}
	if got := b.rendered("code", "priority-areatype-missing"); !slices.Equal(got, untyped) {
		t.Errorf("hatched as untyped: %v, want %v", got, untyped)
	}
	if got := b.rendered("code", "priority-fill", "priority-missing"); len(got) != 0 {
		t.Errorf("the index layers are still drawn in area type mode: %v", got)
	}
	title, classes := b.legendOf("#prio-areatype-legend .legend-title", "#areatype-legend-list")
	if len(classes) != 5 || !strings.Contains(title, fmt.Sprint(scb.Year)) {
		t.Errorf("area type legend %q with %d classes", title, len(classes))
	}
	// The legend's colours are ColorBrewer's RdYlBu in five classes (colour-blind safe), type 1 red.
	rdylbu := []string{"#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"}
	for i, c := range classes {
		if i < len(rdylbu) && (c.Min != float64(i+1) || c.Colour != rdylbu[i]) {
			t.Errorf("area type legend item %d: type %g in %s, want type %d in %s", i+1, c.Min, c.Colour, i+1, rdylbu[i])
		}
	}
	legendText := eval[string](b, `document.getElementById('prio-areatype-legend').textContent`)
	for _, at := range scb.AreaTypes {
		if !strings.Contains(legendText, at.NameSV) {
			t.Errorf("the legend does not name area type %d (%q)", at.AreaType, at.NameSV)
		}
		if strings.Contains(at.Source, "assumed") && !strings.Contains(legendText, "antagande") {
			t.Errorf("area type %d's cut point is %q but the legend does not say it is an assumption", at.AreaType, at.Source)
		}
	}
	districtPixels(t, b, ds, values, classes, "area type (SCB)")

	b.do("back to the index map", chromedp.Click(chromedp.ID("prio-mode-index")))
	b.waitPriority(def.Scenario(), `lagesbild.priority.mapMode === 'index'`)
	if got := b.rendered("code", "priority-areatype"); len(got) != 0 {
		t.Errorf("area types still drawn in index mode: %v", got)
	}
}

// checkAreaTypeColumn compares the ranking table's area type column and its flags with the
// SCB types and the weighting's answer ans, and returns how many districts are flagged.
func checkAreaTypeColumn(t *testing.T, b *browser, types map[string]int, def priorityPageAnswer) int {
	t.Helper()
	// The column and the flags: type 1–2 outside the top k, top-k districts of type 4–5.
	type row struct {
		Code string `json:"code"`
		Type string `json:"type"`
		Flag string `json:"flag"`
	}
	rows := eval[[]row](b, `[...document.querySelectorAll('#prio-table tbody tr')]
		.map(tr => ({code: tr.dataset.code, type: tr.dataset.areaType, flag: tr.dataset.scbFlag}))`)
	flags := 0
	kinds := map[string]bool{}
	for _, r := range rows {
		want, wantFlag := "", ""
		if ty, ok := types[r.Code]; ok {
			want = fmt.Sprint(ty)
			for _, d := range def.Districts {
				if d.Code != r.Code {
					continue
				}
				top := d.Rank != nil && *d.Rank <= def.K
				if ty <= 2 && !top {
					wantFlag = "need_outside"
				} else if ty >= 4 && top {
					wantFlag = "good_inside"
				}
			}
		}
		if r.Type != want || r.Flag != wantFlag {
			t.Errorf("area type column: %s shows type %q flag %q, want %q %q", r.Code, r.Type, r.Flag, want, wantFlag)
		}
		if r.Flag != "" {
			flags++
			kinds[r.Flag] = true
		}
	}
	if len(rows) != len(def.Districts) {
		t.Errorf("area type column: %d rows, %d districts", len(rows), len(def.Districts))
	}
	summary := eval[[]string](b, `[...document.querySelectorAll('#prio-scb-summary li')].map(li => li.dataset.flag)`)
	if len(summary) != len(kinds) {
		t.Errorf("the summary lists %v, the flags are of kinds %v", summary, kinds)
	}
	t.Logf("area types: %d districts typed, %d flagged against the top %d", len(types), flags, def.K)
	return flags

}

// ---- hot spots ----

type hotViewAnswer struct {
	Features []struct {
		ID    string         `json:"id"`
		Props map[string]any `json:"properties"`
	} `json:"features"`
	Summary struct {
		Patterns   map[string]int `json:"patterns"`
		MaxDensity float64        `json:"max_density"`
	} `json:"summary"`
}

func (b *browser) waitHotspots(method string) {
	b.t.Helper()
	b.waitFor("the "+method+" layer", fmt.Sprintf(`window.lagesbild && lagesbild.hotspots && lagesbild.hotspots.ready && lagesbild.hotspots.method === %q`, method))
	b.idle()
}

// legendItems reads the hotspot legend: class → count shown.
func (b *browser) hotLegend() map[string]string {
	b.t.Helper()
	return eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#hot-legend-list li[data-class]')]
		.map(li => [li.dataset.class, li.dataset.count]))`)
}

// renderedIDs returns the distinct cells drawn in layer.
func (b *browser) renderedIDs(layer string) []string {
	b.t.Helper()
	return b.rendered("id", layer)
}

func TestHotspotViewInBrowser(t *testing.T) {
	a, b, axe := openView(t, "hotspots")
	start := time.Now()
	b.waitHotspots("gistar")
	t.Logf("hotspot view ready in %v", time.Since(start).Round(time.Millisecond))

	// The answers are not validated against the OpenAPI document here (hotspot_test.go does
	// that): validating 16,000 cells takes longer than computing them.
	get := func(q string) hotViewAnswer {
		t.Helper()
		res, body := a.raw("GET", "/analysis/hotspots?"+q, nil)
		var ans hotViewAnswer
		if err := json.Unmarshal(body, &ans); res.StatusCode != 200 || err != nil {
			t.Fatalf("GET /analysis/hotspots?%s: %d %v", q, res.StatusCode, err)
		}
		return ans
	}

	// Gi*: the significant cells are drawn, and the legend counts them per class.
	gi := get("method=gistar&weighting=count")
	sig := map[string]string{}
	wantCounts := map[string]int{}
	fdr := 0
	for _, f := range gi.Features {
		if c := f.Props["class"].(string); c != "not_significant" {
			sig[f.ID] = c
			wantCounts[c]++
			if f.Props["survives_fdr"] == true {
				fdr++
			}
		}
	}
	drawn := b.renderedIDs("hot-gistar")
	for _, id := range drawn {
		if _, ok := sig[id]; !ok {
			t.Errorf("Gi*: cell %s drawn but not significant in the API answer", id)
		}
	}
	if len(drawn) < len(sig)*9/10 || len(sig) == 0 {
		t.Errorf("Gi*: %d cells drawn of %d significant", len(drawn), len(sig))
	}
	leg := b.hotLegend()
	for _, c := range []string{"hot_99", "hot_95", "hot_90", "cold_90", "cold_95", "cold_99"} {
		if leg[c] != fmt.Sprint(wantCounts[c]) {
			t.Errorf("Gi* legend: %s shows %q cells, the API has %d", c, leg[c], wantCounts[c])
		}
	}
	if leg["fdr"] != fmt.Sprint(fdr) {
		t.Errorf("Gi* legend: FDR shows %q, the API has %d cells surviving", leg["fdr"], fdr)
	}
	if got := b.renderedIDs("hot-emerging"); len(got) != 0 {
		t.Errorf("emerging layer drawn under Gi*: %d cells", len(got))
	}
	t.Logf("Gi*: %d of %d significant cells drawn (%d survive FDR)", len(drawn), len(sig), fdr)

	// The colour of a drawn hot_99 cell is its legend colour.
	var hot99 string
	for id, c := range sig {
		if c == "hot_99" && (hot99 == "" || id < hot99) {
			hot99 = id
		}
	}
	checkCellColour(t, b, gi, hot99, "hot_99")

	// A click on the cell shows its statistics.
	var z float64
	for _, f := range gi.Features {
		if f.ID == hot99 {
			z = f.Props["z"].(float64)
		}
	}
	p := cellScreenPoint(b, gi, hot99)
	b.do("click cell "+hot99, chromedp.MouseClickXY(p.X, p.Y))
	b.waitFor("the cell's statistics", `document.getElementById('hot-cell-stats') !== null`)
	stats := eval[string](b, `document.getElementById('hot-cell-stats').textContent`)
	ij := strings.ReplaceAll(hot99, "_", ", ")
	zs := strings.ReplaceAll(fmt.Sprintf("%.2f", z), ".", ",")
	if !strings.Contains(stats, ij) || !strings.Contains(stats, zs) {
		t.Errorf("clicked cell %s: statistics %q, want (i, j) %s and z %s", hot99, stats, ij, zs)
	}

	// The place list is the API's "where this week".
	checkPlaces(t, a, b, "weighting=count&limit=15")

	// The README screenshot: Gi* by count over all categories, with the clicked cell's statistics.
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		eval[bool](b, `(() => { lagesbild.map.jumpTo({center: [16.53, 59.613], zoom: 11.7}); document.getElementById('hot-controls').scrollTop = 0; return true; })()`)
		b.idle()
		saveScreenshot(t, b, "hotspots.png")
	}

	// Categories and weighting go to the API: the place list follows.
	// (The box is unticked without its event, so that one request carries both changes.)
	eval[bool](b, `(() => { document.getElementById('hot-cat-littering').checked = false; return true; })()`)
	b.setValue("hot-weighting", "harm")
	b.waitFor("harm weighting", `lagesbild.hotspots.ready && lagesbild.hotspots.params.weighting === 'harm' && !lagesbild.hotspots.params.category.includes('littering')`)
	cats := eval[string](b, `lagesbild.hotspots.params.category`)
	q := "weighting=harm&category=" + url.QueryEscape(cats)
	checkPlaces(t, a, b, q+"&limit=15")

	axeClean(t, b, axe, "hotspots")

	// Emerging, with the same weighting and categories: the pattern layer replaces the Gi*
	// layer; the legend lists the API's patterns.
	fitHotspots(b)
	// Quarters rather than months keep the test short (16 slices instead of 48).
	eval[bool](b, `(() => { document.getElementById('hot-slice').value = 'quarter'; return true; })()`)
	b.do("choose emerging", chromedp.Click(chromedp.ID("hot-m-emerging")))
	b.waitHotspots("emerging")
	if sl := eval[string](b, `lagesbild.hotspots.params.slice`); sl != "quarter" {
		t.Errorf("emerging asked for slice %q, want quarter", sl)
	}
	em := get("method=emerging&slice=quarter&" + q)
	if got := b.renderedIDs("hot-gistar"); len(got) != 0 {
		t.Errorf("Gi* layer still drawn under emerging: %d cells", len(got))
	}
	withPattern := 0
	for _, f := range em.Features {
		if f.Props["pattern"] != "no_pattern" {
			withPattern++
		}
	}
	if got := b.renderedIDs("hot-emerging"); len(got) < withPattern*9/10 || withPattern == 0 {
		t.Errorf("emerging: %d cells drawn of %d with a pattern", len(got), withPattern)
	}
	leg = b.hotLegend()
	wantLeg := map[string]string{}
	for k, v := range em.Summary.Patterns {
		if k != "no_pattern" && v > 0 {
			wantLeg[k] = fmt.Sprint(v)
		}
	}
	if fmt.Sprint(leg) != fmt.Sprint(wantLeg) {
		t.Errorf("emerging legend %v, the API's patterns %v", leg, wantLeg)
	}

	// Density: squares with a density, classed; the legend ends at the API's maximum.
	fitHotspots(b)
	b.do("choose density", chromedp.Click(chromedp.ID("hot-m-kde")))
	b.waitHotspots("kde")
	kd := get("method=kde&" + q)
	if got := b.renderedIDs("hot-emerging"); len(got) != 0 {
		t.Errorf("emerging layer still drawn under density: %d cells", len(got))
	}
	dens := b.rendered("density", "hot-kde")
	_, kclasses := b.legendOf("#hot-legend .legend-title", "#hot-legend-list")
	maxShown := eval[float64](b, `Math.max(...lagesbild.hotspots.cells.map(f => f.properties.density))`)
	if len(dens) == 0 || len(kclasses) != 5 || maxShown != kd.Summary.MaxDensity {
		t.Errorf("density: %d densities drawn, %d legend classes, maximum %v (API %v)", len(dens), len(kclasses), maxShown, kd.Summary.MaxDensity)
	}
	var densest string
	best := -1.0
	for _, f := range kd.Features {
		if v := f.Props["density"].(float64); v > best {
			best, densest = v, f.ID
		}
	}
	checkCellColour(t, b, kd, densest, "")

	noConsoleErrors(t, b)
	t.Logf("hotspot test took %v", time.Since(start).Round(time.Millisecond))
}

// fitHotspots shows the whole study area again.
func fitHotspots(b *browser) {
	eval[bool](b, `(() => { lagesbild.map.fitBounds(lagesbild.hotspots.home, {padding: 10, duration: 0}); return true; })()`)
}

// cellScreenPoint zooms to a cell's centroid and returns it in page pixels.
func cellScreenPoint(b *browser, ans hotViewAnswer, id string) point {
	b.t.Helper()
	var c []any
	for _, f := range ans.Features {
		if f.ID == id {
			if cc, ok := f.Props["centroid"].([]any); ok {
				c = cc
			}
		}
	}
	if c == nil {
		b.t.Fatalf("cell %s has no centroid in the API answer", id)
	}
	eval[bool](b, fmt.Sprintf(`(() => { lagesbild.map.jumpTo({center: [%v, %v], zoom: 15}); return true; })()`, c[0], c[1]))
	b.idle()
	return eval[point](b, fmt.Sprintf(`(() => { const r = document.getElementById('map').getBoundingClientRect();
		const p = lagesbild.map.project([%v, %v]); return {x: r.left + p.x, y: r.top + p.y}; })()`, c[0], c[1]))
}

// checkCellColour zooms to a cell and checks the pixel at its centre against the legend:
// the colour of class cls, or for density the class its density falls in.
func checkCellColour(t *testing.T, b *browser, ans hotViewAnswer, id, cls string) {
	t.Helper()
	var want string
	if cls != "" {
		want = eval[string](b, fmt.Sprintf(`document.querySelector('#hot-legend-list li[data-class=%q]')?.dataset.colour ?? ''`, cls))
	} else {
		var v float64
		for _, f := range ans.Features {
			if f.ID == id {
				v = f.Props["density"].(float64)
			}
		}
		_, classes := b.legendOf("#hot-legend .legend-title", "#hot-legend-list")
		want = expectedColour(classes, v)
		// Density squares carry no centroid; take it from the square drawn.
		c := eval[[]float64](b, fmt.Sprintf(`(() => { const f = lagesbild.hotspots.cells.find(f => f.id === %q);
			const r = f.geometry.coordinates[0]; return [(r[0][0] + r[2][0]) / 2, (r[0][1] + r[2][1]) / 2]; })()`, id))
		for i := range ans.Features {
			if ans.Features[i].ID == id {
				ans.Features[i].Props["centroid"] = []any{c[0], c[1]}
			}
		}
	}
	eval[bool](b, `(() => { lagesbild.map.setLayoutProperty('places-circle', 'visibility', 'none'); return true; })()`)
	p := cellScreenPoint(b, ans, id)
	img := b.screenshot()
	got := pixel(img, int(math.Round(p.X)), int(math.Round(p.Y)))
	eval[bool](b, `(() => { lagesbild.map.setLayoutProperty('places-circle', 'visibility', 'visible'); return true; })()`)
	if want == "" || !near(got, hexRGB(want), 3) {
		t.Errorf("cell %s drawn in %v, want the legend's colour %q (%v)", id, got, want, hexRGB(want))
	}
}

// checkPlaces compares the page's place list with GET /analysis/hotspots/places?q.
func checkPlaces(t *testing.T, a *api, b *browser, q string) {
	t.Helper()
	var ans struct {
		Places []struct{ Name string }
	}
	a.getJSON("/analysis/hotspots/places?"+q, 200, &ans)
	var want []string
	for _, p := range ans.Places {
		want = append(want, p.Name)
	}
	got := eval[[]string](b, `[...document.querySelectorAll('#hot-places .place-name')].map(e => e.textContent)`)
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("place list (%s):\n got %v\nwant %v", q, got, want)
	}
}
