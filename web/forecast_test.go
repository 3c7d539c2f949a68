package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
)

type forecastAnswer struct {
	Type     string `json:"type"`
	Features []struct {
		ID    string         `json:"id"`
		Props map[string]any `json:"properties"`
	} `json:"features"`
	Summary struct {
		Cells        int     `json:"cells"`
		Observations float64 `json:"observations"`
		Origin       string  `json:"origin"`
		Horizon      string  `json:"horizon"`
		PoliceShare  struct {
			Fraction float64 `json:"fraction"`
		} `json:"police_share"`
		WithoutPolice bool              `json:"without_police_available"`
		Variants      []forecastVariant `json:"variants"`
		Disclosure    string            `json:"disclosure"`
	} `json:"summary"`
	TopCells []map[string]any `json:"top_cells"`
	Notice   string           `json:"notice"`
}

type forecastVariant struct {
	Sources        string  `json:"sources"`
	Observations   float64 `json:"observations"`
	PoliceShare    float64 `json:"police_share"`
	ShownModel     string  `json:"shown_model"`
	BestBaseline   string  `json:"best_baseline"`
	BeatsBaselines bool    `json:"beats_baselines"`
	Periods        int     `json:"periods"`
	Backtest       []struct {
		Model    string `json:"model"`
		Baseline bool   `json:"baseline"`
		Shown    bool   `json:"shown"`
		At       []struct {
			Share   float64            `json:"share"`
			Cells   int                `json:"cells"`
			HitRate map[string]float64 `json:"hit_rate"`
			PAI     map[string]float64 `json:"pai"`
			PEI     map[string]float64 `json:"pei"`
		} `json:"at"`
	} `json:"backtest"`
	Caveats []struct {
		Code, SV, EN string
	} `json:"caveats"`
}

func hasCode(v forecastVariant, code string) bool {
	for _, c := range v.Caveats {
		if c.Code == code {
			return true
		}
	}
	return false
}

// TestForecastAnswer: as a caller who reads every observation (the test server's), the
// forecast has the hot-spot analysis' cells, both variants with their backtest tables (three
// models at 1, 5 and 10 %), the police-initiated share and the caveats that follow from it;
// the model shown is the best baseline unless the model beat it; the JSON and CSV answers
// agree with the GeoJSON.
func TestForecastAnswer(t *testing.T) {
	a := newAPI(t)
	var f forecastAnswer
	a.getJSON("/analysis/forecast?backtest=26&history=104", 200, &f)
	var h hotspotAnswer
	a.getJSON("/analysis/hotspots?datetime=2024-01-01/2024-01-31", 200, &h)
	if len(f.Features) != len(h.Features) || f.Summary.Cells != len(h.Features) {
		t.Fatalf("%d forecast cells (summary %d), want the hot-spot analysis' %d", len(f.Features), f.Summary.Cells, len(h.Features))
	}
	if f.Notice == "" || f.Summary.Disclosure != "full" || f.Summary.Horizon != "week" || f.Summary.Origin != "2025-01-01T00:00:00Z" {
		t.Errorf("notice %q, disclosure %q, horizon %q, origin %q", f.Notice, f.Summary.Disclosure, f.Summary.Horizon, f.Summary.Origin)
	}
	police := float64(count(t, `SELECT count(*) FROM observations WHERE source = 'police' AND observed_at >= '2025-01-01'::timestamptz - interval '104 weeks'`))
	all := float64(count(t, `SELECT count(*) FROM observations WHERE observed_at >= '2025-01-01'::timestamptz - interval '104 weeks'`))
	if got, want := f.Summary.PoliceShare.Fraction, police/all; got < want-0.02 || got > want+0.02 || want == 0 {
		t.Errorf("police share %v, want about %v", got, want)
	}
	if !f.Summary.WithoutPolice || len(f.Summary.Variants) != 2 {
		t.Fatalf("variants %+v", f.Summary.Variants)
	}
	withPolice, without := f.Summary.Variants[0], f.Summary.Variants[1]
	if withPolice.Sources != "all" || without.Sources != "without_police" || without.Observations >= withPolice.Observations || without.PoliceShare != 0 {
		t.Errorf("variants %s (%v observations) and %s (%v, police share %v)", withPolice.Sources, withPolice.Observations, without.Sources, without.Observations, without.PoliceShare)
	}
	if !hasCode(withPolice, "police_share") || !hasCode(without, "without_police") || !hasCode(withPolice, "place_based") {
		t.Errorf("caveats %+v / %+v", withPolice.Caveats, without.Caveats)
	}
	for _, v := range f.Summary.Variants {
		if v.Periods != 26 || len(v.Backtest) != 3 {
			t.Fatalf("%s: %d periods, %d models", v.Sources, v.Periods, len(v.Backtest))
		}
		shown := 0
		for _, m := range v.Backtest {
			if len(m.At) != 3 || m.At[0].Share != 0.01 || m.At[1].Share != 0.05 || m.At[2].Share != 0.1 {
				t.Fatalf("%s %s: shares %+v", v.Sources, m.Model, m.At)
			}
			for _, at := range m.At {
				if hr := at.HitRate["mean"]; hr < 0 || hr > 1 || at.PAI["mean"] < 0 || at.PEI["mean"] > 1 {
					t.Errorf("%s %s at %v: %+v", v.Sources, m.Model, at.Share, at)
				}
				if want := at.HitRate["mean"] * float64(f.Summary.Cells) / float64(at.Cells); at.PAI["mean"] < want*0.999-1e-4 || at.PAI["mean"] > want*1.001+1e-4 {
					t.Errorf("%s %s: PAI %v, want hit rate ÷ share of area = %v", v.Sources, m.Model, at.PAI["mean"], want)
				}
			}
			if m.Shown {
				shown++
				if m.Model != v.ShownModel {
					t.Errorf("%s: %s marked shown, shown_model %s", v.Sources, m.Model, v.ShownModel)
				}
			}
		}
		if shown != 1 || (v.BeatsBaselines && v.ShownModel != "self_exciting") || (!v.BeatsBaselines && v.ShownModel != v.BestBaseline) {
			t.Errorf("%s: shown %s (beats %t, best baseline %s)", v.Sources, v.ShownModel, v.BeatsBaselines, v.BestBaseline)
		}
		if !hasCode(v, map[bool]string{true: "model_shown", false: "baseline_shown"}[v.BeatsBaselines]) {
			t.Errorf("%s: no caveat saying which forecast is shown: %+v", v.Sources, v.Caveats)
		}
	}
	top := 0
	for _, c := range f.Features {
		p := c.Props
		if p["forecast"] != p["forecast_all"] || p["top_pct"] != p["top_pct_all"] || p["forecast_without_police"] == nil {
			t.Fatalf("cell %s: %v", c.ID, p)
		}
		if p["rank"].(float64) <= float64(f.Summary.Cells)/100+0.5 {
			top++
			if p["top_pct"].(float64) != 1 {
				t.Errorf("cell %s of rank %v has top_pct %v", c.ID, p["rank"], p["top_pct"])
			}
		}
	}
	if want := (f.Summary.Cells + 50) / 100; top != want {
		t.Errorf("%d cells in the top 1 %%, want %d", top, want)
	}

	// The switch: the same cells, the other variant first.
	var w forecastAnswer
	a.getJSON("/analysis/forecast?backtest=26&history=104&sources=without_police", 200, &w)
	for k, c := range w.Features {
		if c.Props["forecast"] != c.Props["forecast_without_police"] || c.Props["forecast_all"] != f.Features[k].Props["forecast_all"] {
			t.Fatalf("sources=without_police, cell %s: %v", c.ID, c.Props)
		}
	}

	// JSON: the summary and the top 10 %, in rank order.
	var j forecastAnswer
	a.getJSON("/analysis/forecast?backtest=26&history=104&f=json", 200, &j)
	if want := (f.Summary.Cells + 5) / 10; len(j.TopCells) != want || len(j.Summary.Variants) != 2 {
		t.Errorf("%d top cells, want %d", len(j.TopCells), want)
	}
	for k, c := range j.TopCells {
		if int(c["rank"].(float64)) != k+1 {
			t.Fatalf("top cell %d has rank %v", k, c["rank"])
		}
	}

	// CSV: a BOM, a header, a row per cell, safe cells.
	res, body := a.get("/analysis/forecast?backtest=26&history=104&f=csv", 200)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !bytes.HasPrefix(body, []byte("\ufeff")) {
		t.Fatalf("CSV: %q, starts %q", ct, body[:min(10, len(body))])
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != f.Summary.Cells+1 || rows[0][0] != "cell" || rows[0][8] != "forecast" {
		t.Errorf("CSV: %d rows, header %v", len(rows), rows[0])
	}

	// Tiles: the cells near Bäckby with both variants' figures.
	tile := tiles.TileContaining(16.4929, 59.6203, 14)
	res, body = a.get(tilePath("/analysis/forecast", tile)+"?backtest=26&history=104", 200)
	l := layerNamed(decodeTile(t, body), "forecast")
	if l == nil || len(l.Features) == 0 {
		t.Fatalf("no forecast cells in tile %v (%s)", tile, res.Status)
	}
	for _, ft := range l.Features {
		if _, ok := ft.Properties["top_pct_all"]; !ok {
			t.Fatalf("tile cell without top_pct_all: %v", ft.Properties)
		}
	}
}

// TestForecastAggregated: a caller who may not read observations gets the aggregated view:
// no forecast values or ranks, small cells suppressed, counts rounded.
func TestForecastAggregated(t *testing.T) {
	a := newAPI(t)
	var f forecastAnswer
	a.getJSON("/analysis/forecast?backtest=26&history=104&disclosure=aggregated", 200, &f)
	if f.Summary.Disclosure != "aggregated" || int(f.Summary.Observations)%5 != 0 {
		t.Errorf("disclosure %q, observations %v", f.Summary.Disclosure, f.Summary.Observations)
	}
	shown, suppressed := 0, 0
	for _, c := range f.Features {
		p := c.Props
		for _, k := range []string{"forecast", "rank", "forecast_all", "rank_all", "forecast_without_police", "rank_without_police", "police_share"} {
			if p[k] != nil {
				t.Fatalf("cell %s: %s = %v in the aggregated view", c.ID, k, p[k])
			}
		}
		if p["suppressed"] == true {
			suppressed++
			if p["count"] != nil || p["top_pct"] != nil || p["top_pct_without_police"] != nil {
				t.Fatalf("suppressed cell %s: %v", c.ID, p)
			}
			continue
		}
		shown++
		if n := p["count"].(float64); n < 5 || int(n)%5 != 0 {
			t.Errorf("cell %s: count %v", c.ID, n)
		}
	}
	if shown == 0 || suppressed == 0 {
		t.Errorf("%d cells shown, %d suppressed", shown, suppressed)
	}
	var j forecastAnswer
	a.getJSON("/analysis/forecast?backtest=26&history=104&disclosure=aggregated&f=json", 200, &j)
	for _, c := range j.TopCells {
		if c["rank"] != nil || c["forecast"] != nil {
			t.Fatalf("aggregated top cell %v", c)
		}
	}
}

// TestForecastBadInput: every bad parameter is a 400 problem naming it, before anything is
// computed.
func TestForecastBadInput(t *testing.T) {
	a := newAPI(t)
	for _, tc := range []struct{ query, param string }{
		{"horizon=year", "horizon"},
		{"origin=tomorrow", "origin"},
		{"origin=2024-12-30T10:00:00Z", "origin"},
		{"history=3", "history"},
		{"history=10000", "history"},
		{"backtest=200&history=104", "backtest"},
		{"backtest=0", "backtest"},
		{"horizon=month&backtest=2", "backtest"},
		{"sources=police", "sources"},
		{"side=10", "side"},
		{"side=50", "side"},
		{"history=520", "history"},
		{"category=sneezing", "category"},
		{"source=rumour", "source"},
		{"weighting=loud", "weighting"},
		{"area=NOWHERE", "area"},
		{"crs=EPSG:4326", "crs"},
		{"f=xml", "f"},
		{"disclosure=none", "disclosure"},
		{"datetime=2024-01-01/2024-02-01", "datetime"},
	} {
		res, body := a.raw("GET", "/analysis/forecast?"+tc.query, nil)
		var p struct {
			Param string `json:"param"`
		}
		_ = json.Unmarshal(body, &p)
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/problem+json" || p.Param != tc.param {
			t.Errorf("%s: %d %s, want a 400 problem naming %s", tc.query, res.StatusCode, body, tc.param)
		}
	}
}

// checkForecastAccess is the forecast's row of the access matrix: everyone gets it, made from
// the rows of the classes they may read (the police's own reports are restricted in the demo
// data, so only the police see a police-initiated share and a variant without it), in full
// for those who may read observations and aggregated for the rest, in every format.
func checkForecastAccess(t *testing.T, c caller, get func(string, int) []byte, classes []string) {
	t.Helper()
	const q = "/analysis/forecast?history=26&backtest=8&origin=2025-01-01"
	var f forecastAnswer
	if err := json.Unmarshal(get(q+"&f=json", 200), &f); err != nil {
		t.Fatal(err)
	}
	full := c.may(layers.Internal)
	if want := map[bool]string{true: "full", false: "aggregated"}[full]; f.Summary.Disclosure != want {
		t.Errorf("forecast disclosure %q, want %q", f.Summary.Disclosure, want)
	}
	rows := count(t, `SELECT count(*) FROM observations WHERE sensitivity = ANY($1)
		AND observed_at >= '2025-01-01'::timestamptz - interval '26 weeks' AND observed_at < '2025-01-01'`, classes)
	if got := f.Summary.Observations; got > float64(rows)+2 || got < float64(rows)*9/10 {
		t.Errorf("forecast from %v observations, want about the %d of classes %v", got, rows, classes)
	}
	if police := f.Summary.PoliceShare.Fraction > 0; police != (c.clearance == layers.Restricted) || f.Summary.WithoutPolice != police {
		t.Errorf("police share %v, variant without police %t, for clearance %s", f.Summary.PoliceShare.Fraction, f.Summary.WithoutPolice, c.clearance)
	}
	for _, cell := range f.TopCells {
		if (cell["forecast"] != nil) != full || (cell["rank"] != nil) != full {
			t.Fatalf("top cell %v with disclosure %s", cell, f.Summary.Disclosure)
		}
	}
	body := get(q+"&f=csv", 200)
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil || len(records) < 2 {
		t.Fatalf("forecast CSV: %d rows, %v", len(records), err)
	}
	for _, rec := range records[1:] {
		if (rec[8] != "") && !full {
			t.Fatalf("aggregated forecast CSV gives a forecast value: %v", rec)
		}
	}
	tile := decodeTile(t, get(tilePath("/analysis/forecast", tiles.TileContaining(centreLon, centreLat, 12))+"?history=26&backtest=8&origin=2025-01-01", 200))
	l := layerNamed(tile, "forecast")
	if l == nil || len(l.Features) == 0 {
		t.Fatal("no forecast cells in the tile")
	}
	values := 0
	for _, ft := range l.Features {
		if _, ok := ft.Properties["forecast_all"]; ok {
			values++
		}
		if n, ok := ft.Properties["count"].(float64); ok && !full && (n < 5 || int(n)%5 != 0) {
			t.Fatalf("aggregated forecast tile: a count of %v", n)
		}
	}
	if (values > 0) != full {
		t.Errorf("forecast tile: %d of %d cells give a forecast value, with disclosure %s", values, len(l.Features), f.Summary.Disclosure)
	}
}

// TestDeploymentForecastTargets: the planner's targets.kind forecast takes the top cells of
// next week's harm-weighted forecast, as /analysis/forecast shows it, in its order, with a
// risk per category that adds up to the cell's forecast; days is the forecast's history.
func TestDeploymentForecastTargets(t *testing.T) {
	a := newAPI(t)
	_, body := a.do("POST", "/deployment/plans", `{"weeks":2,"actors":[{"type":"police","capacity":10}],"targets":{"kind":"forecast","top":5}}`, 201)
	var p struct {
		RiskPeriod struct{ Start, End string } `json:"risk_period"`
		Targets    []struct {
			ID        string
			Risk      map[string]float64
			RiskTotal float64 `json:"risk_total"`
		}
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	var f forecastAnswer
	a.getJSON("/analysis/forecast?weighting=harm&f=json", 200, &f)
	if len(p.Targets) != 5 || len(f.TopCells) < 5 {
		t.Fatalf("%d targets, %d top cells", len(p.Targets), len(f.TopCells))
	}
	for n, tg := range p.Targets {
		c := f.TopCells[n]
		if tg.ID != "cell:"+c["id"].(string) {
			t.Errorf("target %d is %s, the forecast's %d. cell is %s", n, tg.ID, n+1, c["id"])
		}
		sum := 0.0
		for _, v := range tg.Risk {
			sum += v
		}
		if want := c["forecast"].(float64); math.Abs(sum-want) > 1e-3*max(1, want) || math.Abs(tg.RiskTotal-want) > 1e-3*max(1, want) {
			t.Errorf("%s: risks add up to %v (total %v), the forecast is %v a week", tg.ID, sum, tg.RiskTotal, want)
		}
	}
	if start, _ := time.Parse(time.RFC3339, p.RiskPeriod.Start); start.After(time.Date(2022, 1, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("risk period from %s: the forecast learns from 156 weeks", p.RiskPeriod.Start)
	}
	for _, tc := range []struct{ body, param string }{
		{`{"actors":[{"type":"police","capacity":10}],"targets":{"kind":"forecast","days":30}}`, "targets.days"},
		{`{"actors":[{"type":"police","capacity":10}],"targets":{"kind":"forecast","side":10}}`, "targets.side"},
		{`{"actors":[{"type":"police","capacity":10}],"targets":{"kind":"forecast","bandwidth":400}}`, "targets"},
		{`{"actors":[{"type":"police","capacity":10}],"targets":{"kind":"forecast","side":60}}`, "side"},
	} {
		_, body := a.do("POST", "/deployment/plans", tc.body, 400)
		var pr struct{ Param string }
		if err := json.Unmarshal(body, &pr); err != nil || pr.Param != tc.param {
			t.Errorf("%s: %s, want a problem naming %s", tc.body, body, tc.param)
		}
	}
}
