package web_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestForecastViewInBrowser: the Prognos view shows what GET /analysis/forecast answers: the
// top cells of the forecast shown on the map, the backtest table of every model (Swedish
// numbers), the police-initiated share beside the forecast, the caveats; the switch shows
// the forecast without the police's own reports and both tables; English on request.
func TestForecastViewInBrowser(t *testing.T) {
	a, b, axe := openView(t, "prognos")
	start := time.Now()
	b.waitLonger("the forecast", `window.lagesbild && lagesbild.forecast && lagesbild.forecast.ready`, 2*time.Minute)
	t.Logf("forecast view ready in %v", time.Since(start).Round(time.Millisecond))

	res, body := a.raw("GET", "/analysis/forecast?horizon=week&weighting=count&f=json", nil)
	var f forecastAnswer
	if err := json.Unmarshal(body, &f); res.StatusCode != 200 || err != nil {
		t.Fatalf("GET /analysis/forecast: %d %v", res.StatusCode, err)
	}
	all := f.Summary.Variants[0]

	// The police-initiated share beside the forecast, in Swedish.
	police := eval[string](b, `document.getElementById('fc-police').textContent`)
	if want := svNum(math.Round(100*all.PoliceShare), 0) + " %"; !strings.Contains(police, want) || !strings.Contains(police, "Polisinitierade") {
		t.Errorf("police share %q, want it to say %s", police, want)
	}
	// The model shown, and the backtest table: one row per model, PAI at 5 % as the API's.
	if got := eval[string](b, `document.querySelector('#fc-shown .fc-model').dataset.model`); got != all.ShownModel {
		t.Errorf("model shown %q, the API shows %q", got, all.ShownModel)
	}
	for _, m := range all.Backtest {
		cells := eval[[]string](b, fmt.Sprintf(`[...document.querySelectorAll('table.fc-backtest[data-sources="all"] tr[data-model=%q] td')].map(td => td.textContent)`, m.Model))
		if len(cells) != 9 {
			t.Fatalf("%s: %d cells in its row, want 9 (hit rate, PAI, PEI at 1, 5, 10 %%)", m.Model, len(cells))
		}
		if want := svNum(m.At[1].PAI["mean"], 1) + " ± " + svNum(m.At[1].PAI["se"], 1); cells[4] != want {
			t.Errorf("%s: PAI at 5 %% shows %q, want %q", m.Model, cells[4], want)
		}
		if want := svNum(math.Round(100*m.At[0].HitRate["mean"]), 0) + " %"; !strings.HasPrefix(cells[0], want) {
			t.Errorf("%s: hit rate at 1 %% shows %q, want %q", m.Model, cells[0], want)
		}
	}
	// Caveats in Swedish, as the API wrote them.
	caveats := eval[[]string](b, `[...document.querySelectorAll('#fc-caveats li')].map(li => li.dataset.code)`)
	for _, c := range all.Caveats {
		if c.Code != "model_shown" && c.Code != "baseline_shown" && c.Code != "too_few_periods" && !slices.Contains(caveats, c.Code) {
			t.Errorf("caveat %s not shown (shown: %v)", c.Code, caveats)
		}
	}
	if notice := eval[string](b, `document.getElementById('fc-notice').textContent`); !strings.Contains(notice, "Illustrativa") {
		t.Errorf("notice %q: the demo data must be said to be illustrative", notice)
	}

	// The map: the drawn cells are in the top 10 % of the API's forecast, the top 1 % among them.
	eval[bool](b, `(() => { lagesbild.map.jumpTo({center: [16.54, 59.615], zoom: 11.5}); return true; })()`)
	b.idle()
	top := map[string]float64{}
	for _, c := range f.TopCells {
		top[c["id"].(string)] = c["top_pct"].(float64)
	}
	drawn := b.rendered("cell", "fc-fill")
	if len(drawn) == 0 {
		t.Fatal("no forecast cell drawn")
	}
	for _, id := range drawn {
		if _, ok := top[id]; !ok {
			t.Errorf("cell %s drawn but not in the API's top 10 %%", id)
		}
	}
	t.Logf("%d of the %d top cells drawn", len(drawn), len(top))

	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		b.idle()
		saveScreenshot(t, b, "prognos.png")
	}
	axeClean(t, b, axe, "prognos")

	// The switch: the forecast without the police's own reports, its table first, both shown.
	b.do("switch to without police", chromedp.Click(chromedp.ID("fc-without")))
	b.waitFor("the variant without police", `document.getElementById('fc-legend').dataset.variant === 'without_police' && lagesbild.forecast.shownVariant === 'without_police'`)
	without := f.Summary.Variants[1]
	police = eval[string](b, `document.getElementById('fc-police').textContent`)
	if !strings.Contains(police, "0 %") || !strings.Contains(police, svNum(math.Round(100*f.Summary.PoliceShare.Fraction), 0)+" %") {
		t.Errorf("without police: %q", police)
	}
	tables := eval[[]string](b, `[...document.querySelectorAll('table.fc-backtest')].map(t => t.dataset.sources)`)
	if !slices.Equal(tables, []string{"without_police", "all"}) {
		t.Errorf("tables %v, want both, the one shown first", tables)
	}
	if got := eval[string](b, `document.querySelector('#fc-shown .fc-model').dataset.model`); got != without.ShownModel {
		t.Errorf("without police: model shown %q, the API's %q", got, without.ShownModel)
	}
	b.idle()
	if d := b.rendered("cell", "fc-fill"); len(d) == 0 {
		t.Error("without police: no cell drawn")
	}

	// English on request: the caveats are the API's English text.
	b.do("switch language", chromedp.Click(chromedp.ID("lang-toggle")))
	b.waitFor("English", `document.documentElement.lang === 'en'`)
	var placeEN string
	for _, c := range without.Caveats {
		if c.Code == "place_based" {
			placeEN = c.EN
		}
	}
	if got := eval[string](b, `document.querySelector('#fc-caveats li[data-code="place_based"]').textContent`); got != placeEN || placeEN == "" {
		t.Errorf("English caveat %q, want %q", got, placeEN)
	}
	noConsoleErrors(t, b)
}
