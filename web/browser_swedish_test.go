package web_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The browser test of "Swedish throughout" (issue 14, point 11): every view in Swedish mode,
// walked in Chromium with its panels filled, shows no untranslated text key, no raw API code
// and no English sentence, and writes numbers as Swedes do (decimal comma, thin-space
// thousands).

// visibleTextsJS collects what a reader sees or hears: visible text nodes, the accessible
// names and titles of visible elements, the options of visible selects and the page title.
// Text marked lang="en" (the "In English" button) is meant to be English.
const visibleTextsJS = `(() => {
	const out = [];
	const shown = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
	const english = (el) => (el.closest('[lang]')?.lang ?? 'sv').startsWith('en') && el.closest('[lang]') !== document.documentElement;
	const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n; (n = w.nextNode());) {
		const s = n.textContent.trim(), el = n.parentElement;
		if (!s || !el || el.closest('script, style, option') || !shown(el) || english(el)) continue;
		out.push(s);
	}
	for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
		if (!shown(el) || english(el)) continue;
		for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
	}
	for (const s of document.querySelectorAll('select')) if (shown(s)) for (const o of s.options) out.push(o.textContent.trim());
	out.push(document.title);
	return out;
})()`

var (
	// A text key left untranslated (camelCase) or an API code shown as it is (snake_case).
	keyLike = regexp.MustCompile(`^(?:[a-z]+(?:[A-Z][a-z0-9]+)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+)$`)
	// A placeholder t() did not fill.
	unfilled = regexp.MustCompile(`\{[a-z]\w*\}`)
	// Words of English sentences that Swedish text does not have.
	englishWord = regexp.MustCompile(`(?i)\b(the|and|of|is|are|with|not|this|which|could|would|should|cannot|been|has|have|were|left out|missing|loading|failed|invalid|unknown|shown|districts|interventions|observations|weeks|cells|value|values)\b`)
	// A number written the English way: a decimal point between digits. (Thousands are not
	// checked here: "1 000" with a plain space is how the data's own texts write them.)
	englishNumber = regexp.MustCompile(`\d\.\d`)
)

// notSwedish lists the texts of a view that are not Swedish, with the reason.
func notSwedish(texts []string) []string {
	var bad []string
	for _, s := range texts {
		switch {
		case keyLike.MatchString(s):
			bad = append(bad, "key or code: "+s)
		case unfilled.MatchString(s):
			bad = append(bad, "unfilled placeholder: "+s)
		case englishWord.MatchString(s):
			bad = append(bad, "English: "+s)
		case englishNumber.MatchString(s):
			bad = append(bad, "English number: "+s)
		}
	}
	return bad
}

func TestSwedishThroughoutInBrowser(t *testing.T) {
	a, b, _ := openView(t, "karta")
	b.waitReady("overcrowding", 0)
	if eval[string](b, `document.documentElement.lang`) != "sv" {
		t.Fatal("the page did not start in Swedish")
	}
	var plan struct{ ID int64 }
	_, raw := a.do("POST", "/deployment/plans", map[string]any{"actors": []map[string]any{{"type": "police", "capacity": 40}},
		"weeks": 2, "visit_minutes": 15, "targets": map[string]any{"top": 4}}, 201)
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = testDB.Pool.Exec(t.Context(), `DELETE FROM deployment_plans WHERE id = $1`, plan.ID) })

	fill := map[string]string{
		"karta":    `(() => { document.querySelector('#district-list button').click(); return true; })()`,
		"insatser": `(() => { document.querySelector('#iv-table tbody tr button').click(); return true; })()`,
		"plan":     fmt.Sprintf(`lagesbild.api.getJSON('deployment/plans/%d').then(p => lagesbild.views.plan.show(p)).then(() => true)`, plan.ID),
	}
	for _, view := range []string{"karta", "prioritering", "hotspots", "prognos", "insatser", "plan", "uppfoljning"} {
		eval[bool](b, fmt.Sprintf(`(() => { location.hash = %q; return true; })()`, view))
		b.settled(view)
		if js, ok := fill[view]; ok {
			eval[bool](b, js)
			b.settled(view)
			eval[bool](b, `new Promise(r => setTimeout(() => r(true), 1500))`)
		}
		texts := eval[[]string](b, visibleTextsJS)
		if len(texts) < 20 {
			t.Errorf("%s: only %d texts seen: %q", view, len(texts), texts)
		}
		for _, s := range notSwedish(texts) {
			t.Errorf("%s: %s", view, s)
		}
	}
	// The problem a view shows for a refused request is Swedish too (the API's detail is English).
	msg := eval[string](b, `lagesbild.api.getJSON('collections/places/items', {limit: -1}).then(() => '', (e) => e.message)`)
	if msg == "" || len(notSwedish([]string{msg})) > 0 || !strings.Contains(msg, "limit") {
		t.Errorf("a 400's message %q: want Swedish naming the parameter", msg)
	}
	noConsoleErrorsBut(t, b, func(line string) bool { return strings.Contains(line, "limit=-1") })
	// Numbers as Swedes write them: decimal comma, thin no-break space between thousands, true minus.
	if got := eval[string](b, `lagesbild.num(-1234567.25, 2)`); got != "−1\u202f234\u202f567,25" {
		t.Errorf("num(-1234567.25) = %q", got)
	}
}

func TestNotSwedishFindsEnglish(t *testing.T) {
	for _, s := range []string{"ivShown", "open_drug_dealing", "indicator x has no value in 2024 and is left out",
		"{n} rutor", "12.5 %"} {
		if len(notSwedish([]string{s})) != 1 {
			t.Errorf("notSwedish(%q) found nothing", s)
		}
	}
	for _, s := range []string{"Visar stadsdel Bäckby.", "12,5 %", "1\u202f234 invånare", "Trångboddhet, 2024 (%)", "2024-01-01 – 2024-06-30"} {
		if bad := notSwedish([]string{s}); len(bad) != 0 {
			t.Errorf("notSwedish(%q) = %q", s, bad)
		}
	}
}

// TestFormReasonsInBrowser (issue 14, point 11): each form that writes (Insatser, Insatsplan,
// a partner upload) submitted with a bad field shows why at the field in Swedish, worded by
// the page from the problem's reason code, and in English in English mode; the API's own
// detail is English.
func TestFormReasonsInBrowser(t *testing.T) {
	a, b, _ := openView(t, "insatser")
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(t.Context(), `DELETE FROM interventions WHERE title = 'Skälstest'`)
		_, _ = testDB.Pool.Exec(t.Context(), `DELETE FROM partner_layers WHERE id = 'skalstest'`)
	})
	// shown is the field's message and the form's status line, once the field shows one.
	shown := func(field, status string) (string, string) {
		t.Helper()
		b.waitFor("the message at "+field, fmt.Sprintf(`!document.getElementById(%q).hidden && document.getElementById(%q).textContent !== ''`, field, field))
		return eval[string](b, fmt.Sprintf(`document.getElementById(%q).textContent`, field)),
			eval[string](b, fmt.Sprintf(`document.getElementById(%q)?.textContent ?? ''`, status))
	}
	swedish := func(form string, texts ...string) {
		t.Helper()
		for _, s := range texts {
			if bad := notSwedish([]string{s}); len(bad) > 0 || strings.Contains(s, "is not") || strings.Contains(s, "more than") {
				t.Errorf("%s shows %q: not Swedish", form, s)
			}
		}
	}

	// Insatser: 500 hours a week.
	b.waitInsatser("")
	fillIntervention := func() {
		b.click("a new intervention", "#iv-new")
		b.waitFor("the form", `!!document.getElementById('iv-in-title')`)
		b.setValue("iv-in-title", "Skälstest")
		b.setValue("iv-in-category", "adults_in_school")
		b.setValue("iv-in-horizon", "vinna_kriget")
		b.setValue("iv-in-approach", "preventive")
		b.setValue("iv-in-lead_org", "BUF")
		b.setValue("iv-in-hours_per_week", "500")
		b.click("save", "#iv-save")
		b.waitInsatser(`lagesbild.insatser.lastStatus === 400`)
	}
	fillIntervention()
	field, status := shown("iv-in-hours_per_week-error", "iv-form-status")
	swedish("Insatser", field, status)
	if !strings.Contains(field, "0 och 168") {
		t.Errorf("Insatser: hours per week %q, want the range 0 och 168", field)
	}

	// Insatsplan: 99 weeks.
	eval[bool](b, `(() => { location.hash = 'plan'; return true; })()`)
	b.waitPlan(`!!document.getElementById('plan-submit')`)
	b.setValue("plan-cap-police", "40")
	b.setValue("plan-weeks", "99")
	b.click("plan 99 weeks", "#plan-submit")
	b.waitPlan(`lagesbild.plan.lastStatus === 400`)
	field, status = shown("plan-weeks-error", "plan-form-status")
	swedish("Insatsplan", field, status)
	if !strings.Contains(field, "mellan 1 och 52") {
		t.Errorf("Insatsplan: weeks %q, want between 1 and 52", field)
	}

	// A partner upload: a layer id that is not one, then a file whose second feature is broken.
	eval[bool](b, `(() => { location.hash = 'karta'; return true; })()`)
	b.waitFor("the upload form", `lagesbild.partners && lagesbild.partners.ready && !!document.getElementById('upload-form')`)
	b.setValue("upload-id", "Skälstest")
	b.setValue("upload-title", "Skälstest")
	b.chooseFile("hus.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[16.5,59.6]}}]}`)
	b.click("upload under a bad id", "#upload-submit")
	b.waitFor("the refusal", `lagesbild.partners.error?.status === 400`)
	field, _ = shown("upload-id-error", "upload-report")
	swedish("partner upload", field)
	if !strings.Contains(field, "a–z, 0–9 och bindestreck") {
		t.Errorf("partner upload: id %q, want the form of a layer id", field)
	}
	b.setValue("upload-id", "skalstest")
	b.chooseFile("bad.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[16.5,59.6]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":"x"}}]}`)
	eval[bool](b, `(() => { lagesbild.partners.error = null; return true; })()`)
	b.click("upload a broken file", "#upload-submit")
	b.waitFor("the refusal", `lagesbild.partners.error?.code === 'file_feature'`)
	field, _ = shown("upload-file-error", "upload-report")
	swedish("partner upload", field)
	if field != "Filen togs inte emot: objekt 2 i filen kunde inte läsas" {
		t.Errorf("partner upload: file %q", field)
	}

	// In English mode the same refusal reads in English.
	b.click("switch to English", "#lang-toggle")
	b.waitFor("English", `document.documentElement.lang === 'en'`)
	eval[bool](b, `(() => { location.hash = 'insatser'; return true; })()`)
	b.waitInsatser("")
	eval[bool](b, `(() => { lagesbild.insatser.lastStatus = 0; return true; })()`)
	fillIntervention()
	if field, _ = shown("iv-in-hours_per_week-error", "iv-form-status"); !strings.Contains(field, "must be between 0 and 168") {
		t.Errorf("Insatser in English: %q", field)
	}
	if n := count(t, `SELECT count(*) FROM interventions WHERE title = 'Skälstest'`); n != 0 {
		t.Errorf("refused forms wrote %d interventions", n)
	}
	_ = a
	noConsoleErrorsBut(t, b, func(line string) bool { return strings.Contains(line, "status of 400") })
}
