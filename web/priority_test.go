package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
)

// do sends method path with a JSON body, checks the status, and validates request and
// answer against the OpenAPI document.
func (a *api) do(method, path string, body any, wantStatus int, header ...string) (*http.Response, []byte) {
	a.t.Helper()
	var raw []byte
	if body != nil {
		if s, ok := body.(string); ok {
			raw = []byte(s)
		} else {
			raw, _ = json.Marshal(body)
		}
	}
	req, _ := http.NewRequest(method, a.srv.URL+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, wantStatus, got)
	}
	vreq, _ := http.NewRequest(method, a.srv.URL+path, bytes.NewReader(raw))
	vreq.Header = req.Header.Clone()
	a.checkOperation(vreq, res, got, wantStatus < 300)
	return res, got
}

type priorityAnswer struct {
	Year              int
	Ranked            int
	ContributionSpace string `json:"contribution_space"`
	Districts         []struct {
		Code          string
		Index         *float64
		LogIndex      *float64 `json:"log_index"`
		Rank          *int
		Ranked        bool
		Coverage      float64
		Contributions map[string]*float64
		AreaType      *int `json:"area_type"`
		Feasibility   *float64
		Pilot         bool
		EarlyWarning  bool `json:"early_warning"`
		Sensitivity   *struct {
			MedianRank, P05, P95 float64
			PTopK                float64 `json:"p_top_k"`
		}
	}
	Pilots []struct {
		Code          string
		Included      bool
		ExplanationSV string `json:"explanation_sv"`
		ExplanationEN string `json:"explanation_en"`
	}
	Notice string
}

func TestPriorityAnalysis(t *testing.T) {
	a := newAPI(t)
	a.get("/analysis/priority", 200)
	for _, scenario := range []string{"polisen", "buf", "iff", "kiff", "mimer", "scb"} {
		_, body := a.do("POST", "/analysis/priority", map[string]any{"scenario": scenario, "k": 3}, 200)
		var res priorityAnswer
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		if res.Ranked < 3 || len(res.Pilots) != 3 || res.Notice == "" {
			t.Fatalf("%s: ranked %d, %d pilots, notice %q", scenario, res.Ranked, len(res.Pilots), res.Notice)
		}
		seen := map[int]bool{}
		for _, d := range res.Districts {
			if d.Rank != nil {
				if seen[*d.Rank] || *d.Rank < 1 || *d.Rank > res.Ranked {
					t.Errorf("%s: rank %d repeated or out of range", scenario, *d.Rank)
				}
				seen[*d.Rank] = true
			}
			if d.Index == nil {
				continue
			}
			sum := 0.0
			for _, c := range d.Contributions {
				if c != nil {
					sum += *c
				}
			}
			if math.Abs(sum-*d.Index) > 1e-9*math.Max(1, math.Abs(*d.Index)) {
				t.Errorf("%s %s: contributions add up to %v, index %v", scenario, d.Code, sum, *d.Index)
			}
			if scenario == "scb" && d.Ranked && d.AreaType == nil {
				t.Errorf("scb: %s has no area type", d.Code)
			}
		}
		for _, p := range res.Pilots {
			if !strings.Contains(p.ExplanationSV, "Behov: rang") || !strings.Contains(p.ExplanationEN, "Need: rank") {
				t.Errorf("%s: explanation %q / %q", scenario, p.ExplanationSV, p.ExplanationEN)
			}
		}
	}
}

func TestPrioritySCBIndexByHand(t *testing.T) {
	a := newAPI(t)
	_, body := a.do("POST", "/analysis/priority", map[string]any{"scenario": "scb", "year": 2024}, 200)
	var res priorityAnswer
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	// The SCB index is the plain mean of the three shares: check it against SQL.
	for _, d := range res.Districts {
		var want *float64
		err := testDB.Pool.QueryRow(context.Background(), `
SELECT CASE WHEN count(*) = 3 THEN avg(value) END FROM indicator_values
WHERE district_code = $1 AND year = 2024
  AND indicator_key IN ('low_economic_standard', 'low_education', 'long_term_assistance_unemployment')`, d.Code).Scan(&want)
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			if d.Ranked {
				t.Errorf("%s ranked without all three shares", d.Code)
			}
			continue
		}
		if d.Index == nil || math.Abs(*d.Index-*want) > 1e-9 {
			t.Errorf("%s: SCB index %v, want (V1+V2+V3)/3 = %v", d.Code, d.Index, *want)
		}
	}
}

func TestPriorityGeometricSensitivityAndFormats(t *testing.T) {
	a := newAPI(t)
	req := map[string]any{"weights": map[string]float64{"overcrowding": 2, "perceived_safety": 1, "child_poverty": 1},
		"aggregation": "geometric", "normalisation": "minmax", "k": 2,
		"include": []string{"1980-BACKBY"}, "sensitivity": map[string]any{"draws": 200, "seed": 7}}
	_, body := a.do("POST", "/analysis/priority", req, 200)
	var res priorityAnswer
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if res.ContributionSpace != "log_index" {
		t.Errorf("contribution space %q", res.ContributionSpace)
	}
	if len(res.Pilots) != 2 || !(res.Pilots[0].Code == "1980-BACKBY" || res.Pilots[1].Code == "1980-BACKBY") {
		t.Errorf("pilots %+v, want Bäckby included", res.Pilots)
	}
	topK := 0.0
	for _, d := range res.Districts {
		if d.LogIndex != nil {
			sum := 0.0
			for _, c := range d.Contributions {
				if c != nil {
					sum += *c
				}
			}
			if math.Abs(sum-*d.LogIndex) > 1e-9 || math.Abs(math.Exp(*d.LogIndex)-*d.Index) > 1e-9**d.Index {
				t.Errorf("%s: log contributions %v, log index %v, index %v", d.Code, sum, *d.LogIndex, *d.Index)
			}
		}
		if d.Ranked {
			if d.Sensitivity == nil {
				t.Fatalf("%s: no sensitivity", d.Code)
			}
			topK += d.Sensitivity.PTopK
		}
	}
	if math.Abs(topK-2) > 1e-9 {
		t.Errorf("P(top 2) adds up to %v, want 2", topK)
	}
	_, again := a.do("POST", "/analysis/priority", req, 200)
	if !bytes.Equal(stripTime(body), stripTime(again)) {
		t.Error("the same seed gave a different answer")
	}

	res2, gj := a.do("POST", "/analysis/priority?f=geojson", req, 200)
	var fc featureCollection
	if err := json.Unmarshal(gj, &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != len(res.Districts) {
		t.Errorf("geojson: %v, %d features: %.200s", err, len(fc.Features), gj)
	}
	if ct := res2.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("geojson content type %q", ct)
	}
	_, gj2 := a.do("POST", "/analysis/priority", req, 200, "Accept", "application/geo+json")
	if !bytes.Equal(stripTime(gj), stripTime(gj2)) {
		t.Error("Accept: application/geo+json differs from f=geojson")
	}
	_, c := a.do("POST", "/analysis/priority?f=csv", req, 200)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c, []byte("\ufeff")))).ReadAll() // every CSV starts with a BOM
	if err != nil || len(rows) != len(res.Districts)+1 || rows[0][0] != "code" {
		t.Errorf("csv: %v, %d rows", err, len(rows))
	}
}

func stripTime(b []byte) []byte {
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	delete(m, "timeStamp")
	out, _ := json.Marshal(m)
	return out
}

func TestPriorityProblems(t *testing.T) {
	a := newAPI(t)
	w := map[string]float64{"overcrowding": 1}
	tests := []struct {
		name  string
		body  any
		param string
	}{
		{"negative weight", map[string]any{"weights": map[string]float64{"overcrowding": -1}}, "weights"},
		{"all zero", map[string]any{"weights": map[string]float64{"overcrowding": 0}}, "weights"},
		{"empty selection", map[string]any{"weights": map[string]float64{}}, "weights"},
		{"nothing chosen", map[string]any{}, "weights"},
		{"unknown indicator", map[string]any{"weights": map[string]float64{"no_such": 1}}, "weights"},
		{"unknown scenario", map[string]any{"scenario": "nobody"}, "scenario"},
		{"normalisation", map[string]any{"weights": w, "normalisation": "median"}, "normalisation"},
		{"winsor", map[string]any{"weights": w, "winsor": 0.6}, "winsor"},
		{"k above rankable", map[string]any{"weights": w, "k": 1000}, "k"},
		{"include more than k", map[string]any{"weights": w, "k": 1, "include": []string{"1980-BACKBY", "1980-RABY"}}, "include"},
		{"include and exclude", map[string]any{"weights": w, "include": []string{"1980-BACKBY"}, "exclude": []string{"1980-BACKBY"}}, "include"},
		{"unknown area", map[string]any{"weights": w, "exclude": []string{"nowhere"}}, "exclude"},
		{"unknown field", map[string]any{"weights": w, "colour": "red"}, "body"},
		{"draws", map[string]any{"weights": w, "sensitivity": map[string]any{"draws": 200000}}, "sensitivity.draws"},
		{"theme", map[string]any{"weights": w, "theme_weights": map[string]float64{"weather": 1}}, "theme_weights"},
		{"feasibility", map[string]any{"weights": w, "feasibility_weights": map[string]float64{"luck": 1}}, "feasibility_weights"},
		{"not JSON", "{", "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := a.do("POST", "/analysis/priority", tt.body, 400)
			var p struct{ Param string }
			_ = json.Unmarshal(body, &p)
			if p.Param != tt.param {
				t.Errorf("param %q, want %q: %s", p.Param, tt.param, body)
			}
		})
	}
}

func TestPriorityScenarioAPI(t *testing.T) {
	a := newAPI(t)
	var list struct{ Scenarios []struct{ ID string } }
	a.getJSON("/analysis/priority/scenarios", 200, &list)
	if len(list.Scenarios) < 6 {
		t.Fatalf("%d scenarios", len(list.Scenarios))
	}
	// A scenario is its writer's organisation's: naming another is refused (issue 12, H3),
	// naming its own code (or none) stores the organisation's name and code.
	sc := map[string]any{"id": "samverkan", "name_sv": "Samverkan", "name_en": "Joint", "organisation": "Kommunen",
		"weights": map[string]float64{"overcrowding": 1, "school_completion": 2}, "normalisation": "rank"}
	a.do("POST", "/analysis/priority/scenarios", sc, 403)
	sc["organisation"] = testOrg
	res, body := a.do("POST", "/analysis/priority/scenarios", sc, 201)
	if !strings.HasSuffix(res.Header.Get("Location"), "/analysis/priority/scenarios/samverkan") {
		t.Errorf("Location %q", res.Header.Get("Location"))
	}
	if !strings.Contains(string(body), `"owner":"`+testOrg+`"`) || !strings.Contains(string(body), `"organisation":"`+testOrg+` (test)"`) {
		t.Errorf("a new scenario's owner and organisation: %s", body)
	}
	a.do("POST", "/analysis/priority/scenarios", sc, 409)
	// Optimistic locking (issue 14, point 8): the ETag names the version; a change needs it.
	res, _ = a.get("/analysis/priority/scenarios/samverkan", 200)
	tag := res.Header.Get("ETag")
	if tag != `"v1"` {
		t.Errorf("ETag of a new scenario %q, want \"v1\"", tag)
	}
	sc["weights"] = map[string]float64{"unemployment": 1}
	a.do("PUT", "/analysis/priority/scenarios/samverkan", sc, 428)
	res, body = a.do("PUT", "/analysis/priority/scenarios/samverkan", sc, 200, "If-Match", tag)
	if !strings.Contains(string(body), `"unemployment":1`) || strings.Contains(string(body), "school_completion") || !strings.Contains(string(body), `"version":2`) {
		t.Errorf("after PUT: %s", body)
	}
	if got := res.Header.Get("ETag"); got != `"v2"` {
		t.Errorf("ETag after PUT %q", got)
	}
	a.do("PUT", "/analysis/priority/scenarios/samverkan", sc, 412, "If-Match", tag) // someone else wrote v2 meanwhile
	a.do("DELETE", "/analysis/priority/scenarios/samverkan", nil, 412, "If-Match", tag)
	sc["weights"] = map[string]float64{"unemployment": -1}
	a.do("PUT", "/analysis/priority/scenarios/samverkan", sc, 400)
	sc["weights"] = map[string]float64{"no_such": 1}
	a.do("PUT", "/analysis/priority/scenarios/samverkan", sc, 400, "If-Match", `"v2"`) // the catalogue is read with the write
	a.do("PUT", "/analysis/priority/scenarios/nobody", map[string]any{"name_sv": "x", "name_en": "x", "organisation": "x",
		"weights": map[string]float64{"unemployment": 1}}, 404)
	a.do("DELETE", "/analysis/priority/scenarios/polisen", nil, 403) // built in: nobody deletes it through the API
	a.do("DELETE", "/analysis/priority/scenarios/samverkan", nil, 428)
	a.do("DELETE", "/analysis/priority/scenarios/samverkan", nil, 204, "If-Match", `"v2"`)
	a.do("DELETE", "/analysis/priority/scenarios/samverkan", nil, 404, "If-Match", `"v2"`)
	a.get("/analysis/priority/scenarios/samverkan", 404)
}

func TestPriorityCompare(t *testing.T) {
	a := newAPI(t)
	_, body := a.do("POST", "/analysis/priority/compare", map[string]any{"k": 3}, 200)
	var res struct {
		Scenarios []struct{ ID string }
		Districts []struct {
			Code          string
			Ranks         map[string]*int
			ConsensusRank int `json:"consensus_rank"`
		}
		KendallTau struct {
			Scenarios []string
			Matrix    [][]*float64
		} `json:"kendall_tau"`
		Disagreements []struct {
			Code  string
			Range int
		}
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Scenarios) < 6 || len(res.KendallTau.Matrix) != len(res.Scenarios) {
		t.Fatalf("%d scenarios, tau %d", len(res.Scenarios), len(res.KendallTau.Matrix))
	}
	for i, row := range res.KendallTau.Matrix {
		if row[i] == nil || *row[i] != 1 {
			t.Errorf("tau[%d][%d] = %v", i, i, row[i])
		}
		for j, v := range row {
			if v != nil && (*v < -1 || *v > 1 || res.KendallTau.Matrix[j][i] == nil || *res.KendallTau.Matrix[j][i] != *v) {
				t.Errorf("tau[%d][%d] = %v", i, j, *v)
			}
		}
	}
	for i, d := range res.Districts {
		if d.ConsensusRank != i+1 {
			t.Errorf("district %d has consensus rank %d", i, d.ConsensusRank)
		}
	}
	for i := 1; i < len(res.Disagreements); i++ {
		if res.Disagreements[i].Range > res.Disagreements[i-1].Range {
			t.Errorf("disagreements not sorted by range")
		}
	}
	_, body = a.do("POST", "/analysis/priority/compare", map[string]any{"scenarios": []string{"polisen"}}, 400)
	if !strings.Contains(string(body), `"param":"scenarios"`) {
		t.Errorf("one scenario: %s", body)
	}
}
