package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// Every CSV download (issue 14, point 11): a byte order mark, a file name, and on
// ?dialect=excel-sv the form Swedish Excel opens by double-click (semicolons, decimal comma)
// with the same rows and figures; an unknown dialect, or one asked of a JSON answer, is a 400
// naming dialect.

// readCSV parses body (after its BOM) with comma as separator.
func readCSV(t *testing.T, what string, body []byte, comma rune) [][]string {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\ufeff")) {
		t.Errorf("%s: no byte order mark: %.40q", what, body)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.Comma = comma
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return rows
}

func TestCSVDownloads(t *testing.T) {
	a := newAPI(t)
	var followupID, planID int64
	if err := testDB.Pool.QueryRow(t.Context(), `SELECT min(id) FROM interventions WHERE start_date IS NOT NULL`).Scan(&followupID); err != nil {
		t.Fatal(err)
	}
	_, raw := a.do("POST", "/deployment/plans", map[string]any{"actors": []map[string]any{{"type": "police", "capacity": 40}},
		"weeks": 2, "visit_minutes": 15, "targets": map[string]any{"top": 4}}, 201)
	var plan struct{ ID int64 }
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	planID = plan.ID
	t.Cleanup(func() { _, _ = testDB.Pool.Exec(t.Context(), `DELETE FROM deployment_plans WHERE id = $1`, planID) })

	for _, c := range []struct {
		method, path, body string
		decimals           bool // the answer has decimal numbers, so excel-sv must show commas
	}{
		{"GET", "/collections/places/items?f=csv&limit=5", "", false},
		{"GET", "/indicators/overcrowding/districts?f=csv", "", true},
		{"POST", "/analysis/priority?f=csv", `{"scenario":"polisen"}`, true},
		{"GET", fmt.Sprintf("/analysis/followup/%d?f=csv", followupID), "", true},
		{"GET", fmt.Sprintf("/deployment/plans/%d?f=csv", planID), "", false},
		{"GET", "/analysis/forecast?backtest=26&history=104&f=csv", "", true},
	} {
		t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
			// The excel-sv form is asked without the OpenAPI check: its validator reads text/csv
			// with commas only (the document names the dialect parameter; TestOpenAPI checks it).
			do := func(path string) ([]byte, string) {
				var body any
				if c.body != "" {
					body = c.body
				}
				var res *http.Response
				var b []byte
				if strings.Contains(path, "dialect=") {
					req, _ := http.NewRequest(c.method, a.srv.URL+path, strings.NewReader(c.body))
					req.Header.Set("Content-Type", "application/json")
					r, err := a.srv.Client().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					b, _ = io.ReadAll(r.Body)
					r.Body.Close()
					res = r
					if res.StatusCode != 200 {
						t.Fatalf("%s: %d %s", path, res.StatusCode, b)
					}
				} else {
					res, b = a.do(c.method, path, body, 200)
				}
				if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.Contains(cd, `.csv"`) {
					t.Errorf("%s: Content-Disposition %q, want an attachment with a .csv file name", path, cd)
				}
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
					t.Errorf("%s: Content-Type %q", path, ct)
				}
				return b, res.Header.Get("ETag")
			}
			plainBody, plainTag := do(c.path)
			svBody, svTag := do(c.path + "&dialect=excel-sv")
			if plainTag == svTag {
				t.Errorf("the two dialects share the ETag %s", plainTag)
			}
			plain := readCSV(t, "rfc4180", plainBody, ',')
			sv := readCSV(t, "excel-sv", svBody, ';')
			if len(plain) < 2 || len(sv) != len(plain) {
				t.Fatalf("rows: %d in RFC 4180, %d in excel-sv", len(plain), len(sv))
			}
			commas := 0
			for i := range plain {
				if len(sv[i]) != len(plain[i]) {
					t.Fatalf("row %d: %d fields in excel-sv, %d in RFC 4180", i, len(sv[i]), len(plain[i]))
				}
				for j := range plain[i] {
					want := plain[i][j]
					if plainNumberRE.MatchString(want) {
						want = strings.Replace(want, ".", ",", 1)
						commas++
					}
					if sv[i][j] != want {
						t.Errorf("row %d field %d: excel-sv %q, RFC 4180 %q", i, j, sv[i][j], plain[i][j])
					}
				}
			}
			if c.decimals && commas == 0 {
				t.Error("no decimal number turned to a decimal comma")
			}
		})
	}

	// A dialect that does not exist, twice, or asked of JSON: 400 naming dialect.
	for _, path := range []string{"/collections/places/items?f=csv&dialect=excel-us", "/collections/places/items?f=csv&dialect=excel-sv&dialect=excel-sv",
		"/collections/places/items?dialect=excel-sv"} {
		res, body := a.raw("GET", path, nil)
		var p struct{ Param string }
		_ = json.Unmarshal(body, &p)
		if res.StatusCode != 400 || p.Param != "dialect" {
			t.Errorf("%s: %d %s, want 400 naming dialect", path, res.StatusCode, body)
		}
	}
}

var plainNumberRE = regexp.MustCompile(`^-?[0-9]+\.[0-9]+(?:[eE][-+]?[0-9]+)?$`)

// TestAnswersSayTheirClearance: the same follow-up asked by the police and by the
// municipality says at which level each was computed (issue 14, point 9), and an answer
// whose figures do not depend on it (the districts) does not carry the member.
func TestAnswersSayTheirClearance(t *testing.T) {
	a := newAPI(t)
	var id int64
	if err := testDB.Pool.QueryRow(t.Context(), `SELECT min(id) FROM interventions WHERE start_date IS NOT NULL`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	municipality := http.Header{"Authorization": {"Bearer " + callerToken(t, testDB, "acc-municipality", "municipality", "reader")}}
	for _, c := range []struct {
		who    string
		header http.Header
		want   string
	}{{"police", nil, "restricted"}, {"municipality", municipality, "internal"}} {
		for _, path := range []string{fmt.Sprintf("/analysis/followup/%d", id), "/analysis/hotspots?method=gistar",
			"/collections/observations/items?limit=1"} {
			res, body := a.raw("GET", path, c.header)
			var ans struct{ Clearance string }
			if err := json.Unmarshal(body, &ans); err != nil || res.StatusCode != 200 || ans.Clearance != c.want {
				t.Errorf("%s as %s: %d clearance %q, want %q (%v)", path, c.who, res.StatusCode, ans.Clearance, c.want, err)
			}
		}
	}
	_, body := a.get("/collections/districts/items?limit=1", 200)
	if bytes.Contains(body, []byte(`"clearance"`)) {
		t.Error("the districts (open data) carry a clearance")
	}
	_, _ = a.get(fmt.Sprintf("/analysis/followup/%d", id), 200) // and the document names the member
}
