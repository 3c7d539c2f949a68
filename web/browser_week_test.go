package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWeekViewInBrowser opens Veckan (#vecka) in Chromium: the agenda of the last seven days
// with every place and hot spot the API answers, each line with a link to its numbers, the
// printable page linked, Swedish throughout and English on request, axe clean; then on a
// 390 px phone (touch): nothing wider than the screen, every target at least 44 px. With
// UPDATE_SCREENSHOT=1 it writes docs/week.png and docs/week-phone.png.
func TestWeekViewInBrowser(t *testing.T) {
	a, b, axe := openView(t, "vecka")
	b.waitFor("the weekly agenda", `lagesbild.week && lagesbild.week.ready`)
	var w weekAnswer
	a.getJSON("/analysis/week", 200, &w)
	txt := eval[string](b, `document.getElementById('wk-view').innerText`)
	for _, p := range append(w.Places.Rising, w.Places.Falling...) {
		if !strings.Contains(txt, p.Name) {
			t.Errorf("place %s is not in the view", p.Name)
		}
	}
	cells := eval[int](b, `document.querySelectorAll('#wk-hotspots li[data-cell]').length`)
	if want := len(w.Hotspots.New) + len(w.Hotspots.Ended) + len(w.Emerging); cells != want {
		t.Errorf("%d hot spot lines, the API has %d", cells, want)
	}
	// Every line links to the answer its numbers come from.
	bare := eval[int](b, `[...document.querySelectorAll('#wk-view li')].filter(li => !li.querySelector('a[href]')).length`)
	if bare > 0 {
		t.Errorf("%d lines without a link to their numbers", bare)
	}
	if href := eval[string](b, `document.getElementById('wk-print').href`); !strings.Contains(href, "/report/week?since="+w.Since+"&to="+w.To) {
		t.Errorf("printable link %q", href)
	}
	if !strings.Contains(txt, "Sedan senaste mötet: "+w.Since+" – "+w.To+" (7 dagar)") || !strings.Contains(txt, "kan skilja sig för organisationer med annan behörighet") {
		t.Errorf("the view does not state its period and basis: %.400s", txt)
	}
	checkSwedish(t, "the weekly view", strings.Join(strings.Fields(txt), " "))
	axeClean(t, b, axe, "vecka")
	saveScreenshot(t, b, "week.png")

	// An earlier meeting: the agenda follows the date.
	b.setValue("wk-since", "2024-12-20")
	b.waitFor("the agenda since 2024-12-20", `lagesbild.week.ready && lagesbild.week.week.since === '2024-12-20'`)

	eval[bool](b, `(document.getElementById('lang-toggle').click(), true)`)
	b.waitFor("English", `document.getElementById('wk-view').innerText.includes('Rose most')`)
	noConsoleErrors(t, b)

	eval[bool](b, `(document.getElementById('lang-toggle').click(), true)`)
	b.phoneSize(390)
	b.do("reload on the phone", chromedp.Navigate(a.srv.URL+"/karta/#vecka"))
	b.waitFor("the weekly agenda on the phone", `lagesbild.week && lagesbild.week.ready`)
	eval[bool](b, phoneChecks)
	phoneLayout(t, b, "vecka on a 390 px phone")
	if h := eval[float64](b, `document.getElementById('wk-view').getBoundingClientRect().height`); h < 300 {
		t.Errorf("the agenda is %v px tall on the phone", h)
	}
	axeClean(t, b, axe, "vecka, phone")
	saveScreenshot(t, b, "week-phone.png")
}
