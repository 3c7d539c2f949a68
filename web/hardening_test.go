package web_test

import (
	"encoding/json"
	"testing"
)

// TestPriorityDeploymentBodyMediaType checks that the JSON-bodied writes refuse any media type
// but application/json (a cross-site form or text/plain POST needs no preflight) and take
// application/json with parameters.
func TestPriorityDeploymentBodyMediaType(t *testing.T) {
	a := newAPI(t)
	scenario := `{"id":"mt","name_sv":"x","name_en":"x","organisation":"x","weights":{"unemployment":1}}`
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
	a.do("PUT", "/analysis/priority/scenarios/mt", scenario, 200, "Content-Type", "application/json;charset=UTF-8")
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
