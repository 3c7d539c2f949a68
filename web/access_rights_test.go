package web_test

// The parts of the access matrix (TestAccessMatrix) that issue 12 added: an intervention's
// history read by the class of each version, audit entries read by the class of what they
// record, and who may change, raise, lower (declassify) and delete whose intervention. The
// expected answers are computed here from the rules as docs/security.md states them, not from
// the server's own mirror of them.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
)

// rightsFixture holds what the rights checks read, made before the matrix runs.
type rightsFixture struct {
	a       *api
	callers map[string]caller
	// raised: made internal by the police editor, then raised to restricted (versions 1, 2).
	// declassified: made restricted by the police editor, lowered to internal by the police
	// admin (2), then retitled by the police editor (3).
	raised, declassified int64
	// secret: a restricted intervention the police editor made, whose write the audit log has.
	secret int64
	// policeRead is the audit entry of the police reader's read of a restricted observation.
	policeRead int64
	ids        []int64
}

// owner organisations of the matrix (accessCallers).
const (
	accPolice       = "acc-police"
	accHousing      = "acc-housing"
	accMunicipality = "acc-municipality"
)

func newRightsFixture(t *testing.T, a *api, callers []caller, restrictedObservation int64) *rightsFixture {
	t.Helper()
	f := &rightsFixture{a: a, callers: map[string]caller{}}
	for _, c := range callers {
		f.callers[c.name] = c
	}
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM interventions WHERE id = ANY($1)`, f.ids)
	})
	editor, admin := f.callers["police editor"], f.callers["police admin"]

	f.raised = f.create(t, editor, layers.Internal)
	f.patch(t, editor, f.raised, `{"properties":{"data_class":"restricted"}}`, 200)

	f.declassified = f.create(t, editor, layers.Restricted)
	f.patch(t, admin, f.declassified, `{"properties":{"data_class":"internal"}}`, 200)
	f.patch(t, editor, f.declassified, `{"properties":{"title":"Omdöpt efter nedklassning"}}`, 200)

	f.secret = f.create(t, editor, layers.Restricted)

	// A read of restricted data, as the police reader.
	res, body := a.raw("GET", fmt.Sprintf("/collections/observations/items/%d", restrictedObservation), f.callers["police reader"].header)
	if res.StatusCode != 200 {
		t.Fatalf("police reader's read of a restricted observation: %d %s", res.StatusCode, body)
	}
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT coalesce(max(id), 0) FROM audit_log
		WHERE action = 'read' AND organisation = $1 AND object_id = $2`, accPolice, strconv.FormatInt(restrictedObservation, 10)).Scan(&f.policeRead); err != nil || f.policeRead == 0 {
		t.Fatalf("the police reader's read of a restricted observation is not in the audit log (%v)", err)
	}
	return f
}

func rightsIntervention(class layers.DataClass) string {
	return newIntervention(`null`, map[string]any{"data_class": string(class), "title": "Behörighetsprov " + string(class),
		"start_date": "2023-06-01", "end_date": "2023-12-31"})
}

// create makes an intervention of class as caller c (whose organisation then owns it),
// through the API, so its write is in the audit log.
func (f *rightsFixture) create(t *testing.T, c caller, class layers.DataClass) int64 {
	t.Helper()
	_, body := f.a.write("POST", "/collections/interventions/items", withHeader(c.header, "Content-Type", "application/geo+json"),
		rightsIntervention(class), 201)
	id := decodeFeature(t, body).ID
	f.ids = append(f.ids, id)
	return id
}

// made makes an intervention of class as an editor of c's organisation through the store,
// as the API would (the matrix makes dozens; the API's create is checked above).
func (f *rightsFixture) made(t *testing.T, c caller, class layers.DataClass) int64 {
	t.Helper()
	iv, err := layers.ParseInterventionFeature([]byte(rightsIntervention(class)), crs.CRS84)
	if err != nil {
		t.Fatal(err)
	}
	id, err := layers.NewStore(testDB.AppPool).CreateIntervention(layers.ActingAs(context.Background(), c.org, c.kind, "editor"), iv, c.org)
	if err != nil {
		t.Fatal(err)
	}
	f.ids = append(f.ids, id)
	return id
}

func (f *rightsFixture) patch(t *testing.T, c caller, id int64, patch string, want int) []byte {
	t.Helper()
	_, body := f.a.write("PATCH", fmt.Sprintf("/collections/interventions/items/%d", id),
		withHeader(c.header, "If-Match", "*", "Content-Type", "application/merge-patch+json"), patch, want)
	return body
}

// checkHistory: a version is read by who may read its class and the intervention's class now;
// the row itself is as hidden in every other answer that reads it.
func (f *rightsFixture) checkHistory(t *testing.T, c caller, get func(string, int) []byte) {
	t.Helper()
	versions := func(id int64, want int) []int64 {
		t.Helper()
		body := get(fmt.Sprintf("/collections/interventions/items/%d/history", id), want)
		if want != 200 {
			return nil
		}
		var h struct {
			Versions []struct {
				Version int64 `json:"version"`
			} `json:"versions"`
		}
		if err := json.Unmarshal(body, &h); err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, v := range h.Versions {
			out = append(out, v.Version)
		}
		return out
	}
	// The other ways to the same rows: items as GeoJSON and CSV, and the follow-up.
	var fc struct {
		Features []struct {
			ID int64 `json:"id"`
		} `json:"features"`
	}
	if err := json.Unmarshal(get("/collections/interventions/items?limit=10000", 200), &fc); err != nil {
		t.Fatal(err)
	}
	csvRows := strings.Split(string(get("/collections/interventions/items?limit=10000&f=csv", 200)), "\n")
	for _, id := range []int64{f.secret, f.raised} {
		listed := slices.ContainsFunc(fc.Features, func(x struct {
			ID int64 `json:"id"`
		}) bool {
			return x.ID == id
		})
		exported := slices.ContainsFunc(csvRows, func(row string) bool { return strings.HasPrefix(row, strconv.FormatInt(id, 10)+",") })
		if want := c.may(layers.Restricted); listed != want || exported != want {
			t.Errorf("restricted intervention %d: listed %t, exported %t; want %t", id, listed, exported, want)
		}
	}
	followup := fmt.Sprintf("/analysis/followup/%d?draws=200", f.secret)
	switch {
	case !c.may(layers.Internal):
		get(followup, c.refusal())
	case !c.may(layers.Restricted):
		get(followup, 404)
	default:
		get(followup, 200)
	}

	switch {
	case !c.may(layers.Internal): // the history is for the collaboration at all
		versions(f.raised, c.refusal())
		versions(f.declassified, c.refusal())
	case !c.may(layers.Restricted):
		// Raised to restricted: its past goes with it, as the item does (404).
		versions(f.raised, 404)
		get(fmt.Sprintf("/collections/interventions/items/%d", f.raised), 404)
		// Lowered to internal: only the versions written since, not the restricted ones.
		if got := versions(f.declassified, 200); !slices.Equal(got, []int64{3}) {
			t.Errorf("history of the declassified intervention: versions %v, want [3]", got)
		}
		versions(f.secret, 404)
	default:
		if got := versions(f.raised, 200); !slices.Equal(got, []int64{1, 2}) {
			t.Errorf("history of the raised intervention: versions %v, want [1 2]", got)
		}
		if got := versions(f.declassified, 200); !slices.Equal(got, []int64{1, 2, 3}) {
			t.Errorf("history of the declassified intervention: versions %v, want [1 2 3]", got)
		}
	}
}

// checkAudit: an admin reads its own organisation's entries (a municipality's admins
// everyone's), only of the classes it may read.
func (f *rightsFixture) checkAudit(t *testing.T, c caller, get func(string, int) []byte) {
	t.Helper()
	if !c.admin {
		return // 401 and 403 are checked by the matrix
	}
	var page struct {
		Entries []struct {
			ID           int64          `json:"id"`
			Organisation string         `json:"organisation"`
			Action       string         `json:"action"`
			ObjectID     string         `json:"object_id"`
			DataClass    string         `json:"data_class"`
			Details      map[string]any `json:"details"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(get("/audit?limit=1000&organisation="+accPolice, 200), &page); err != nil {
		t.Fatal(err)
	}
	seesPolice := c.org == accPolice || c.kind == "municipality"
	sawRead, sawSecret := false, false
	for _, e := range page.Entries {
		if !c.may(layers.DataClass(e.DataClass)) {
			t.Errorf("audit entry %d (%s, class %q) reached a caller of clearance %s", e.ID, e.Action, e.DataClass, c.clearance)
		}
		if !seesPolice {
			t.Errorf("audit entry %d of %s reached an admin of %s", e.ID, e.Organisation, c.org)
		}
		sawRead = sawRead || e.ID == f.policeRead
		sawSecret = sawSecret || (e.Action == "write" && e.ObjectID == strconv.FormatInt(f.secret, 10))
		if e.Action == "read" && !c.may(layers.Restricted) {
			t.Errorf("a read of restricted data (entry %d, details %v) reached %s", e.ID, e.Details, c.name)
		}
	}
	want := seesPolice && c.may(layers.Restricted)
	if sawRead != want {
		t.Errorf("the police's read of restricted data visible: %t, want %t", sawRead, want)
	}
	if sawSecret != want {
		t.Errorf("the write of a restricted intervention visible: %t, want %t", sawSecret, want)
	}
}

// classRank orders the classes, as docs/security.md does.
func classRank(c layers.DataClass) int {
	return map[layers.DataClass]int{layers.Open: 0, layers.Internal: 1, layers.Restricted: 2}[c]
}

// send performs a request with a body and returns the answer whatever its status.
func send(t *testing.T, a *api, method, path string, header http.Header, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	res, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, got
}

// changeStatus is what caller c gets for changing an intervention owned by owner from class
// from to class to (delete: a DELETE), by the rules of docs/security.md.
func (c caller) changeStatus(owner string, from, to layers.DataClass) int {
	switch {
	case c.kind == "":
		return 401
	case !c.canWrite || !c.may(layers.Internal): // the interventions collection is written by the collaboration
		return 403
	case !c.may(from): // for the caller the intervention does not exist
		return 404
	case !c.may(to): // nobody writes a class it may not read
		return 403
	case c.org != owner && !(c.kind == "municipality" && c.admin): // the owner, or the coordination function
		return 403
	case classRank(to) < classRank(from) && !(c.admin && c.org == owner): // lowering: the owner's admins
		return 403
	}
	return 200
}

// checkChanges tries, as c, to change, raise, lower and delete interventions of other
// organisations and its own, each freshly made by an editor of its owner.
func (f *rightsFixture) checkChanges(t *testing.T, a *api, c caller) {
	t.Helper()
	cases := []struct {
		name         string
		owner        caller
		from, to     layers.DataClass
		patch        string
		delete       bool
		anonymousNow int // what an anonymous caller gets for the item afterwards, when changed
	}{
		{"retitle the housing company's internal intervention", f.callers["housing company editor"], layers.Internal, layers.Internal,
			`{"properties":{"title":"Ändrad av annan"}}`, false, 404},
		{"lower the police's restricted intervention to internal", f.callers["police editor"], layers.Restricted, layers.Internal,
			`{"properties":{"data_class":"internal"}}`, false, 404},
		{"lower the municipality's internal intervention to open", f.callers["municipality editor"], layers.Internal, layers.Open,
			`{"properties":{"data_class":"open"}}`, false, 200},
		{"lower the housing company's internal intervention to open", f.callers["housing company editor"], layers.Internal, layers.Open,
			`{"properties":{"data_class":"open"}}`, false, 200},
		{"raise the housing company's open intervention to internal", f.callers["housing company editor"], layers.Open, layers.Internal,
			`{"properties":{"data_class":"internal"}}`, false, 404},
		{"raise the municipality's internal intervention to restricted", f.callers["municipality editor"], layers.Internal, layers.Restricted,
			`{"properties":{"data_class":"restricted"}}`, false, 404},
		{"delete the housing company's internal intervention", f.callers["housing company editor"], layers.Internal, layers.Internal,
			"", true, 404},
	}
	var made []int64
	defer func() { // the next caller finds what the matrix made, no more
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM interventions WHERE id = ANY($1)`, made)
	}()
	for _, tc := range cases {
		id := f.made(t, tc.owner, tc.from)
		made = append(made, id)
		want := c.changeStatus(tc.owner.org, tc.from, tc.to)
		path := fmt.Sprintf("/collections/interventions/items/%d", id)
		method, wantOK := "PATCH", 200
		if tc.delete {
			method, wantOK = "DELETE", 204
		}
		if want == 200 {
			want = wantOK
		}
		res, body := send(t, a, method, path, withHeader(c.header, "If-Match", `"v1"`, "Content-Type", "application/merge-patch+json"), tc.patch)
		if res.StatusCode != want {
			t.Errorf("%s: %s answered %d, want %d: %.300s", tc.name, method, res.StatusCode, want, body)
			continue
		}
		if want >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d answered as %q", tc.name, want, res.Header.Get("Content-Type"))
		}
		var class string
		var version int64
		err := testDB.Pool.QueryRow(context.Background(), `SELECT data_class, version FROM interventions WHERE id = $1`, id).Scan(&class, &version)
		switch {
		case want == 204:
			if err == nil {
				t.Errorf("%s: answered 204 and the intervention is still there", tc.name)
			}
		case err != nil:
			t.Fatalf("%s: %v", tc.name, err)
		case want == 200:
			if class != string(tc.to) || version != 2 {
				t.Errorf("%s: answered 200, and the row is %s at version %d, want %s at 2", tc.name, class, version, tc.to)
			}
			if res, _ := a.raw("GET", path, http.Header{anonymousHeader: {"1"}}); res.StatusCode != tc.anonymousNow {
				t.Errorf("%s: anonymous callers then get %d, want %d", tc.name, res.StatusCode, tc.anonymousNow)
			}
			if tc.from != tc.to && classRank(tc.to) < classRank(tc.from) {
				f.checkDeclassifyEntry(t, c, id, tc.from, tc.to)
			}
		default:
			if class != string(tc.from) || version != 1 {
				t.Errorf("%s: refused with %d, yet the row is now %s at version %d", tc.name, want, class, version)
			}
		}
	}
}

// checkDeclassifyEntry: a lowering is recorded in the audit log, as restricted as the class it
// left, naming who lowered it.
func (f *rightsFixture) checkDeclassifyEntry(t *testing.T, c caller, id int64, from, to layers.DataClass) {
	t.Helper()
	var org, class string
	var details map[string]any
	err := testDB.Pool.QueryRow(context.Background(), `SELECT coalesce(organisation, ''), data_class, details FROM audit_log
		WHERE action = 'declassify' AND object_type = 'interventions' AND object_id = $1`, strconv.FormatInt(id, 10)).Scan(&org, &class, &details)
	if err != nil {
		t.Errorf("no declassify entry for intervention %d: %v", id, err)
		return
	}
	if org != c.org || class != string(from) || details["from"] != string(from) || details["to"] != string(to) {
		t.Errorf("declassify entry of intervention %d: organisation %q, class %q, details %v; want %q, %q, from %s to %s",
			id, org, class, details, c.org, from, from, to)
	}
}
