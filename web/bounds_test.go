package web_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricValue reads one unlabelled metric from the server's metrics registry (served apart
// from the API, on --metrics-addr).
func (a *api) metricValue(name string) float64 {
	a.t.Helper()
	if a.metrics == nil {
		a.t.Fatal("this api has no metrics registry (newAPI makes one)")
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.Bytes()
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		a.t.Fatalf("metric %s missing", name)
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// TestCostlyAnalysesRefusedBeforeComputing is finding 8 of issue 12: method=kde&cell=10&
// bandwidth=5000 computed for 26 s and only then answered 400. Each request here costs far
// more than the bounds of cost.go allow: it must be answered 400 naming the parameter to
// change, fast, and without starting a computation (lagesbild_analyses_computed_total stays).
func TestCostlyAnalysesRefusedBeforeComputing(t *testing.T) {
	a := newAPI(t)
	const computed = "lagesbild_analyses_computed_total"
	// A cheap analysis counts, so the counter is known to work.
	before := a.metricValue(computed)
	a.get("/analysis/hotspots?datetime=2023-01-01/2023-12-31", 200)
	if got := a.metricValue(computed); got != before+1 {
		t.Fatalf("%s went from %g to %g for one analysis", computed, before, got)
	}
	targets := make([]string, 900) // 46,800 target-weeks: within the plan size bound, not the visits
	for k := range targets {
		targets[k] = fmt.Sprintf(`{"id":"t%d","name":"t","point":[16.54,59.61],"risk":{"violence":1}}`, k)
	}
	plan := `{"weeks":52,"max_dose":10080,"visit_minutes":5,"actors":[{"type":"police","capacity":80000}],"targets":{"items":[` +
		strings.Join(targets, ",") + `]}}`
	tests := []struct{ name, method, path, body, param string }{
		{"kde kernel reach", "GET", "/analysis/hotspots?method=kde&cell=10&bandwidth=5000", "", "bandwidth"},
		{"kde kernel reach, raster", "GET", "/analysis/hotspots?method=kde&cell=10&bandwidth=2000&f=raster", "", "bandwidth"},
		{"kde grid", "GET", "/analysis/hotspots?method=kde&cell=10&bandwidth=500", "", "cell"},
		{"gistar cells", "GET", "/analysis/hotspots?side=50", "", "side"},
		{"gistar tile cells", "GET", "/analysis/hotspots/tiles/WebMercatorQuad/12/1198/2236?side=50&datetime=2024-01-01T00:00:00Z/2024-12-31T00:00:00Z", "", "side"},
		{"gistar neighbour pairs", "GET", "/analysis/hotspots?side=115&band=2300", "", "band"},
		{"emerging slices", "GET", "/analysis/hotspots?method=emerging&side=120&slice=month&datetime=1990-01-01T00:00:00Z/2019-12-31T00:00:00Z", "", "slice"},
		{"deployment plan", "POST", "/deployment/plans", plan, "weeks"},
		{"forecast cells", "GET", "/analysis/forecast?side=50", "", "side"},
		{"forecast cell-weeks", "GET", "/analysis/forecast?history=520", "", "history"},
		{"forecast tile cell-weeks", "GET", "/analysis/forecast/tiles/WebMercatorQuad/12/1198/2236?history=500&side=120", "", "history"},
	}
	for _, tt := range tests {
		before := a.metricValue(computed)
		start := time.Now()
		_, body := a.do(tt.method, tt.path, tt.body, 400)
		took := time.Since(start)
		var p struct{ Param, Detail string }
		_ = json.Unmarshal(body, &p)
		if p.Param != tt.param {
			t.Errorf("%s: param %q, want %q: %s", tt.name, p.Param, tt.param, body)
		}
		if took > 500*time.Millisecond {
			t.Errorf("%s: refused after %v, want well under a second", tt.name, took)
		}
		if got := a.metricValue(computed); got != before {
			t.Errorf("%s: %s went from %g to %g: the analysis computed before it was refused", tt.name, computed, before, got)
		}
	}
}
