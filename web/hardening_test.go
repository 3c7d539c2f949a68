package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPriorityDeploymentBodyMediaType checks that the JSON-bodied writes refuse any media type
// but application/json (a cross-site form or text/plain POST needs no preflight) and take
// application/json with parameters.
func TestPriorityDeploymentBodyMediaType(t *testing.T) {
	a := newAPI(t)
	scenario := `{"id":"mt","name_sv":"x","name_en":"x","weights":{"unemployment":1}}`
	writes := []struct{ method, path, body string }{
		{"POST", "/analysis/priority", `{"scenario":"scb"}`},
		{"POST", "/analysis/priority/compare", `{"k":3}`},
		{"POST", "/analysis/priority/scenarios", scenario},
		{"PUT", "/analysis/priority/scenarios/mt", scenario},
		{"POST", "/deployment/plans", `{"weeks":1,"actors":[{"type":"police","capacity":5}]}`},
		{"POST", "/deployment/doses", `{"doses":[]}`},
	}
	for _, w := range writes {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/jsonx"} {
			a.do(w.method, w.path, w.body, 415, "Content-Type", ct)
		}
	}
	// With a charset the body is read: the scenario is stored, then replaced.
	a.do("POST", "/analysis/priority/scenarios", scenario, 201, "Content-Type", "application/json; charset=utf-8")
	a.do("PUT", "/analysis/priority/scenarios/mt", scenario, 200, "Content-Type", "application/json;charset=UTF-8", "If-Match", `"v1"`)
}

// TestPriorityDeploymentBodyStrings checks that NUL characters and invalid UTF-8 in the free
// text of scenarios, plans and targets are 400s naming the field, not database errors (500).
func TestPriorityDeploymentBodyStrings(t *testing.T) {
	a := newAPI(t)
	tests := []struct{ name, method, path, body, param string }{
		{"scenario name", "POST", "/analysis/priority/scenarios",
			`{"id":"nul","name_sv":"a\u0000b","name_en":"x","organisation":"x","weights":{"unemployment":1}}`, "name_sv"},
		{"scenario rationale", "PUT", "/analysis/priority/scenarios/polisen",
			"{\"name_sv\":\"x\",\"name_en\":\"x\",\"organisation\":\"x\",\"rationale\":\"\xff\xfe\",\"weights\":{\"unemployment\":1}}", "rationale"},
		{"scenario weight key", "POST", "/analysis/priority/scenarios",
			`{"id":"nul2","name_sv":"x","name_en":"x","organisation":"x","weights":{"unemployment\u0000":1}}`, "weights"},
		{"priority weight key", "POST", "/analysis/priority", `{"weights":{"overcrowding\u0000":1}}`, "weights"},
		{"plan name", "POST", "/deployment/plans", `{"name":"p\u0000","weeks":1,"actors":[{"type":"police","capacity":5}]}`, "name"},
		{"target name", "POST", "/deployment/plans", `{"weeks":1,"actors":[{"type":"police","capacity":5}],
		  "targets":{"items":[{"id":"a","name":"Torget\u0000","point":[16.54,59.61],"risk":{"violence":1}}]}}`, "targets.items[0].name"},
		{"target name not UTF-8", "POST", "/deployment/plans", "{\"weeks\":1,\"actors\":[{\"type\":\"police\",\"capacity\":5}]," +
			"\"targets\":{\"items\":[{\"id\":\"a\",\"name\":\"Torg\xe5t\",\"point\":[16.54,59.61],\"risk\":{\"violence\":1}}]}}", "targets.items[0].name"},
	}
	for _, tt := range tests {
		_, body := a.do(tt.method, tt.path, tt.body, 400)
		var p struct{ Param string }
		_ = json.Unmarshal(body, &p)
		if p.Param != tt.param {
			t.Errorf("%s: param %q, want %q: %s", tt.name, p.Param, tt.param, body)
		}
	}
}

// TestPriorityScenarioIDs checks that scenario ids no scenario can have are answered without
// asking the database: 404 on the scenario paths, 400 naming scenario elsewhere.
func TestPriorityScenarioIDs(t *testing.T) {
	a := newAPI(t)
	body := `{"name_sv":"x","name_en":"x","organisation":"x","weights":{"unemployment":1}}`
	for _, id := range []string{"Polisen", "has%20space", strings.Repeat("a", 65), "1abc"} {
		a.get("/analysis/priority/scenarios/"+id, 404)
		a.do("PUT", "/analysis/priority/scenarios/"+id, body, 404)
		a.do("DELETE", "/analysis/priority/scenarios/"+id, nil, 404)
	}
	// Bytes that are not UTF-8, and NUL: a 404 here, or a 400 from a check in front of the
	// handlers; never the database's 500.
	for _, id := range []string{"%ff", "a%00b", "%c3"} {
		for _, method := range []string{"GET", "DELETE"} {
			res, got := a.raw(method, "/analysis/priority/scenarios/"+id, nil)
			if res.StatusCode != 404 && res.StatusCode != 400 {
				t.Errorf("%s scenario %s: %d %s, want 404 (or 400)", method, id, res.StatusCode, got)
			}
		}
	}
	for _, q := range []string{"%ff", "a%00", "Bad%20id"} {
		_, got := a.get("/report?scenario="+q, 400)
		if !strings.Contains(string(got), `"param":"scenario"`) {
			t.Errorf("report scenario=%s: %s", q, got)
		}
	}
	_, got := a.do("POST", "/analysis/priority", `{"scenario":"Bad id"}`, 400)
	if !strings.Contains(string(got), `"param":"scenario"`) {
		t.Errorf("priority scenario: %s", got)
	}
	// Free text beyond its length.
	long := `{"id":"longtext","name_sv":"x","name_en":"x","organisation":"x","rationale":"` + strings.Repeat("å", 4001) + `","weights":{"unemployment":1}}`
	_, got = a.do("POST", "/analysis/priority/scenarios", long, 400)
	if !strings.Contains(string(got), `"param":"rationale"`) {
		t.Errorf("long rationale: %s", got)
	}
}

// TestPriorityCompareYearAndDeploymentCaps checks the bounds that kept numbers out of the
// database's and the planner's reach: compare's year as the analysis's, a target's risk
// per category, and the length of plan and target names.
func TestPriorityCompareYearAndDeploymentCaps(t *testing.T) {
	a := newAPI(t)
	for _, year := range []int{1899, 2101, 2147483647, -5} {
		_, got := a.do("POST", "/analysis/priority/compare", map[string]any{"year": year}, 400)
		if !strings.Contains(string(got), `"param":"year"`) {
			t.Errorf("compare year %d: %s", year, got)
		}
	}
	item := func(name string, risk float64) string {
		b, _ := json.Marshal(map[string]any{"weeks": 1, "actors": []any{map[string]any{"type": "police", "capacity": 5}},
			"targets": map[string]any{"items": []any{map[string]any{"id": "a", "name": name, "point": []float64{16.54, 59.61},
				"risk": map[string]float64{"violence": risk, "vandalism": risk}}}}})
		return string(b)
	}
	a.do("POST", "/deployment/plans", item("Torget", 1e6), 201) // the cap itself is taken
	// A start within 5 years back and 2 ahead is taken.
	for _, start := range []string{mondayAfter(time.Now().AddDate(-5, 0, 1)), mondayBefore(time.Now().AddDate(2, 0, -1))} {
		a.do("POST", "/deployment/plans", `{"weeks":1,"start":"`+start+`","actors":[{"type":"police","capacity":5}]}`, 201)
	}
	tests := []struct{ name, body, param string }{
		{"risk above the cap", item("Torget", 1e6*1.0001), "targets.items[0].risk"},
		{"risk 1e308", item("Torget", 1e308), "targets.items[0].risk"},
		{"target name too long", item(strings.Repeat("å", 201), 1), "targets.items[0].name"},
		{"plan name too long", `{"name":"` + strings.Repeat("x", 201) + `","weeks":1,"actors":[{"type":"police","capacity":5}]}`, "name"},
	}
	for _, tt := range tests {
		_, got := a.do("POST", "/deployment/plans", tt.body, 400)
		var p struct{ Param string }
		_ = json.Unmarshal(got, &p)
		if p.Param != tt.param {
			t.Errorf("%s: param %q, want %q: %s", tt.name, p.Param, tt.param, got)
		}
	}
}

// TestPriorityFeasibilityWeightErrors checks that every refusal of the feasibility weights
// names feasibility_weights, not the need index's weights.
func TestPriorityFeasibilityWeightErrors(t *testing.T) {
	a := newAPI(t)
	w := map[string]float64{"overcrowding": 1}
	for _, fw := range []map[string]float64{
		{"perceived_safety": 1e308, "propensity_to_report": 1e308, "voluntary_support_acceptance": 1e308}, // the total overflows
		{"perceived_safety": -1},
		{"luck": 1},
		{"perceived_safety": 0, "propensity_to_report": 0, "voluntary_support_acceptance": 0, "association_members": 0,
			"meeting_places": 0, "interventions_running": 0},
	} {
		_, got := a.do("POST", "/analysis/priority", map[string]any{"weights": w, "feasibility_weights": fw}, 400)
		if !strings.Contains(string(got), `"param":"feasibility_weights"`) {
			t.Errorf("feasibility weights %v: %s", fw, got)
		}
	}
}

// TestReportFollowupNote adds an intervention that cannot be followed up (no target area) and
// checks that the report keeps its row with a note instead of dropping it or failing.
func TestReportFollowupNote(t *testing.T) {
	a := newAPI(t)
	var ids []int64
	cleanUp(t, &ids)
	const title = "Uppföljningslös insats utan målområde"
	createIntervention(t, a, newIntervention("null", map[string]any{"title": title, "start_date": "2024-03-01", "end_date": nil,
		"target_districts": []string{}}), nil, &ids)
	for lang, note := range map[string]string{"sv": "Ingen uppföljning", "en": "No follow-up"} {
		res, body := a.raw("GET", "/report?from=2024-01-01&to=2024-12-31&lang="+lang, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d: %.300s", lang, res.StatusCode, body)
		}
		s := string(body)
		i := strings.Index(s, `<table id="followups">`)
		if i < 0 {
			t.Fatalf("%s: no follow-up table", lang)
		}
		row := s[i:]
		j := strings.Index(row, title)
		if j < 0 {
			t.Fatalf("%s: the intervention is missing from the follow-up table", lang)
		}
		row = row[j:]
		if k := strings.Index(row, "</tr>"); k < 0 || !strings.Contains(row[:k], note) {
			t.Errorf("%s: its row has no note %q: %.300s", lang, note, row)
		}
	}
}

// TestInterventionNoOpPatchAndNotModified checks that a PATCH changing nothing (empty, or the
// values already stored) answers 200 with the current representation and ETag without a new
// version or history entry, and that GET answers 304 to the current ETag as documented.
func TestInterventionNoOpPatchAndNotModified(t *testing.T) {
	a := newAPI(t)
	var ids []int64
	cleanUp(t, &ids)
	f, path, _ := createIntervention(t, a, newIntervention("null", nil), nil, &ids)
	res, _ := a.write("PATCH", path, ifMatch(`"v1"`), `{"properties":{"title":"Ändrad"}}`, 200)
	if res.Header.Get("ETag") != `"v2"` {
		t.Fatalf("a real change: ETag %q, want \"v2\"", res.Header.Get("ETag"))
	}
	_, current := a.get(path, 200)
	for _, patch := range []string{`{}`, `{"properties":{}}`, `{"properties":{"title":"Ändrad","hours_per_week":12.50}}`,
		`{"type":"Feature","properties":{"partners":["Polisen","Mimer"],"start_date":"2026-01-01"}}`} {
		res, body := a.write("PATCH", path, ifMatch(`"v2"`), patch, 200)
		if res.Header.Get("ETag") != `"v2"` || string(body) != string(current) {
			t.Errorf("PATCH %s: ETag %q, body %.200s; want \"v2\" and the current feature", patch, res.Header.Get("ETag"), body)
		}
	}
	if n := count(t, `SELECT count(*) FROM intervention_history WHERE intervention_id = $1`, f.ID); n != 2 {
		t.Errorf("%d history entries, want 2 (create and the one change)", n)
	}
	// If-Match still holds for a patch that changes nothing.
	a.write("PATCH", path, ifMatch(`"v1"`), `{}`, 412)
	a.write("GET", path, http.Header{"If-None-Match": {`"v2"`}}, "", 304)
	a.write("GET", path, http.Header{"If-None-Match": {`"v1"`}}, "", 200)
}
