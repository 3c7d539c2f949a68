package web_test

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web"
)

// TestProblemInvalidParams: a 400 carries, beside its English detail, the refused parameter
// with a reason code and the values its wording needs (RFC 9457's invalid-params), so a
// client words it in its reader's language; a reason without its own code says "invalid".
// newAPI's client checks every answer against the OpenAPI document, codes included.
func TestProblemInvalidParams(t *testing.T) {
	a := newAPI(t)
	for _, tc := range []struct {
		name, method, path string
		body               any
		want               web.InvalidParam
		detail             string
	}{
		{"plan weeks", "POST", "/deployment/plans", map[string]any{"actors": []map[string]any{{"type": "police", "capacity": 40}}, "weeks": 99},
			web.InvalidParam{Name: "weeks", Reason: "99 is not between 1 and 52", Code: layers.CodeOutOfRange, Values: map[string]any{"min": 1.0, "max": 52.0}},
			"invalid weeks: 99 is not between 1 and 52"},
		{"plan capacity", "POST", "/deployment/plans", map[string]any{"actors": []map[string]any{{"type": "police", "capacity": -5}}},
			web.InvalidParam{Name: "actors[0].capacity", Reason: "-5 is not a non-negative number of hours per week", Code: layers.CodeOutOfRange, Values: map[string]any{"min": 0.0}},
			"invalid actors[0].capacity: -5 is not a non-negative number of hours per week"},
		{"intervention hours", "POST", "/collections/interventions/items", newIntervention(`{"type":"Point","coordinates":[16.4627,59.6278]}`, map[string]any{"hours_per_week": 500}),
			web.InvalidParam{Name: "properties.hours_per_week", Reason: "500 is more than 168", Code: layers.CodeOutOfRange, Values: map[string]any{"min": 0.0, "max": 168.0}},
			"invalid properties.hours_per_week: 500 is more than 168"},
		{"partner layer id", "PUT", "/partners/layers/X?title=Hus", `{"type":"FeatureCollection","features":[]}`,
			web.InvalidParam{Name: "id", Reason: `"X" is not a layer id: 2–63 characters a–z, 0–9 and -, starting with a letter`, Code: layers.CodeFormat, Values: map[string]any{"format": layers.FormatLayerID}},
			`invalid id: "X" is not a layer id: 2–63 characters a–z, 0–9 and -, starting with a letter`},
		{"a reason without its own code", "GET", "/collections/places/items?limit=-1", nil,
			web.InvalidParam{Name: "limit", Code: layers.CodeInvalid}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var raw []byte
			if tc.method == "GET" {
				_, raw = a.get(tc.path, http.StatusBadRequest)
			} else {
				_, raw = a.do(tc.method, tc.path, tc.body, http.StatusBadRequest, "Content-Type", contentTypeOf(tc.path))
			}
			var p web.Problem
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.InvalidParams) != 1 {
				t.Fatalf("invalid-params %+v in %s", p.InvalidParams, raw)
			}
			got := p.InvalidParams[0]
			if tc.want.Reason == "" { // a reason of its own, in English: only its name and code are checked
				got.Reason, got.Values = "", nil
			}
			if !reflect.DeepEqual(got, tc.want) || p.Param != tc.want.Name {
				t.Errorf("got %+v (param %q), want %+v", got, p.Param, tc.want)
			}
			if tc.detail != "" && p.Detail != tc.detail {
				t.Errorf("detail %q, want the English %q as before", p.Detail, tc.detail)
			}
		})
	}
}

// contentTypeOf is the media type a write to path sends.
func contentTypeOf(path string) string {
	if strings.HasPrefix(path, "/collections/") || strings.HasPrefix(path, "/partners/") {
		return "application/geo+json"
	}
	return "application/json"
}

// TestReasonCodesWorded: every reason code and format the API can send has its wording in
// the page, in Swedish and in English (web/page/src/i18n.js).
func TestReasonCodesWorded(t *testing.T) {
	src, err := os.ReadFile("page/src/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range layers.ReasonCodes() {
		switch c {
		case layers.CodeFormat: // worded per format below, with a general fallback
			keys = append(keys, "reason_format")
		case layers.CodeFileFeature: // per feature, line or whole file
			keys = append(keys, "reason_file_feature", "reason_file_line", "reason_file_whole")
		case layers.CodeOutOfRange:
			keys = append(keys, "reason_out_of_range", "reason_out_of_range_min", "reason_out_of_range_max")
		default:
			keys = append(keys, "reason_"+c)
		}
	}
	for _, f := range layers.ReasonFormats() {
		keys = append(keys, "reason_format_"+f)
	}
	for _, k := range keys {
		if n := len(regexp.MustCompile(`\b`+k+`:`).FindAll(src, -1)); n != 2 {
			t.Errorf("%s is worded %d times in i18n.js, want 2 (sv and en)", k, n)
		}
	}
}
