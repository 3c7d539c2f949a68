package web_test

// The parts of the access matrix (TestAccessMatrix) for deployment plans and priority
// scenarios (issue 12, review findings H1 and H3): a plan is read by the class of the rows it
// was made from, in every format and through every derived endpoint; a scenario is changed
// only by its own organisation, a built-in one by nobody through the API. The expected
// answers are computed here from the rules as docs/security.md states them.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
)

// plansFixture holds the plans and scenario owners the checks read, made before the matrix runs.
type plansFixture struct {
	a *api
	// Plans by class: restricted (the police editor's, from every row it may read), police
	// internal (the police editor's with data_class internal) and the municipality's.
	restricted, policeInternal, municipal int64
	// Editors who own scenarios in the checks.
	housingEditor, municipalityEditor http.Header
	plans                             []int64
	scenarios                         []string
}

// planRequest is a small plan over every observation of the test data (days covers it all),
// so the police's plan is made from restricted rows.
func planRequest(extra string) string {
	return `{"name":"behörighet","weeks":2,"seed":3,"actors":[{"type":"police","capacity":10},{"type":"night_walkers","capacity":2}],
	  "targets":{"top":6,"days":3650}` + extra + `}`
}

func newPlansFixture(t *testing.T, a *api) *plansFixture {
	t.Helper()
	f := &plansFixture{a: a,
		housingEditor:      http.Header{"Authorization": {"Bearer " + callerToken(t, testDB, "acc-housing", "housing", "editor")}},
		municipalityEditor: http.Header{"Authorization": {"Bearer " + callerToken(t, testDB, "acc-municipality", "municipality", "editor")}},
	}
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM deployment_plans WHERE id = ANY($1)`, f.plans)
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM priority_scenarios WHERE id = ANY($1)`, f.scenarios)
	})
	police := http.Header{"Authorization": {"Bearer " + callerToken(t, testDB, "acc-police", "police", "editor")}}
	f.restricted = f.plan(t, police, planRequest(""), layers.Restricted)
	f.policeInternal = f.plan(t, police, planRequest(`,"data_class":"internal"`), layers.Internal)
	f.municipal = f.plan(t, f.municipalityEditor, planRequest(""), layers.Internal)
	return f
}

// plan makes a plan as the caller with header h and checks the class it was given.
func (f *plansFixture) plan(t *testing.T, h http.Header, body string, want layers.DataClass) int64 {
	t.Helper()
	_, got := f.a.write("POST", "/deployment/plans", withHeader(h, "Content-Type", "application/json"), body, 201)
	var p struct {
		ID        int64
		DataClass string `json:"data_class"`
	}
	if err := json.Unmarshal(got, &p); err != nil {
		t.Fatal(err)
	}
	f.plans = append(f.plans, p.ID)
	if p.DataClass != string(want) {
		t.Errorf("plan %d: data_class %q, want %q", p.ID, p.DataClass, want)
	}
	return p.ID
}

// checkPlans: a plan, its exports, its delivery view and its doses are read by who may read
// the plan's class; an internal-cleared caller finds no restricted plan (404, as a row it
// may not see), a caller without internal clearance is refused the planner.
func (f *plansFixture) checkPlans(t *testing.T, c caller, get func(string, int) []byte) {
	t.Helper()
	for _, p := range []struct {
		id    int64
		class layers.DataClass
	}{{f.restricted, layers.Restricted}, {f.policeInternal, layers.Internal}, {f.municipal, layers.Internal}} {
		want := 200
		switch {
		case !c.may(layers.Internal):
			want = c.refusal()
		case !c.may(p.class):
			want = 404
		}
		for _, path := range []string{"/deployment/plans/%d", "/deployment/plans/%d?f=csv", "/deployment/plans/%d?f=geojson",
			"/deployment/plans/%d?f=ics", "/deployment/plans/%d/delivery", "/deployment/doses?plan=%d"} {
			get(fmt.Sprintf(path, p.id), want)
		}
		// Mitt pass reads the plan's schedule: as the plan (issue 14, point 6).
		var day string
		if err := testDB.Pool.QueryRow(context.Background(), `SELECT to_char(week_start, 'YYYY-MM-DD') FROM deployment_plans WHERE id = $1`,
			p.id).Scan(&day); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"json", "ics"} {
			get(fmt.Sprintf("/deployment/shift?unit=P1&plan=%d&date=%s&f=%s", p.id, day, f), want)
		}
	}
	// The list of plans (issue 14, point 8): the planner's readers, each seeing only the
	// plans of classes it may read.
	if !c.may(layers.Internal) {
		get("/deployment/plans", c.refusal())
		get("/deployment/shift?unit=P1", c.refusal())
		return
	}
	var list struct {
		Plans []struct {
			ID        int64  `json:"id"`
			DataClass string `json:"data_class"`
		} `json:"plans"`
	}
	if err := json.Unmarshal(get("/deployment/plans?limit=500", 200), &list); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, p := range list.Plans {
		seen[p.ID] = true
		if !c.may(layers.DataClass(p.DataClass)) {
			t.Errorf("the list shows plan %d of class %s", p.ID, p.DataClass)
		}
	}
	if seen[f.restricted] != c.may(layers.Restricted) || !seen[f.policeInternal] || !seen[f.municipal] {
		t.Errorf("the list shows the restricted plan %v, the internal ones %v and %v (clearance %s)",
			seen[f.restricted], seen[f.policeInternal], seen[f.municipal], c.clearance)
	}
}

// checkPlanWrites: an editor makes a plan of a class it may read, never one above its
// clearance; the police's restricted plan takes no dose from an editor who may not read it.
func (f *plansFixture) checkPlanWrites(t *testing.T, c caller) {
	t.Helper()
	if !c.canWrite || !c.may(layers.Internal) {
		return // refused the route: the matrix's own write checks cover it
	}
	h := withHeader(c.header, "Content-Type", "application/json")
	want := 201
	if !c.may(layers.Restricted) {
		want = 403
	}
	if _, body := f.a.write("POST", "/deployment/plans", h, planRequest(`,"data_class":"restricted"`), want); want == 201 {
		var p struct{ ID int64 }
		_ = json.Unmarshal(body, &p)
		f.plans = append(f.plans, p.ID)
	}
	var target string
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT target_id FROM deployment_plan_targets WHERE plan_id = $1 LIMIT 1`,
		f.restricted).Scan(&target); err != nil {
		t.Fatal(err)
	}
	if !c.may(layers.Restricted) {
		dose := fmt.Sprintf(`{"doses":[{"plan_id":%d,"target_id":%q,"actor_type":"police","started_at":"2024-01-01T12:00:00Z","minutes":10,"tactic":"foot_patrol"}]}`,
			f.restricted, target)
		f.a.write("POST", "/deployment/doses", h, dose, 400) // "is not a plan": it does not see it
	}
}

// orgOf is the organisation code of caller c ("" when anonymous), as the server knows it.
func orgOf(t *testing.T, a *api, c caller) string {
	t.Helper()
	if c.kind == "" {
		return ""
	}
	res, body := a.raw("GET", "/auth/me", c.header)
	var me struct{ Organisation string }
	if res.StatusCode != 200 || json.Unmarshal(body, &me) != nil || me.Organisation == "" {
		t.Fatalf("GET /auth/me: %d %s", res.StatusCode, body)
	}
	return me.Organisation
}

// scenario is a scenario body with id (organisation left to the server unless org is given).
func scenario(id, org string) string {
	b := map[string]any{"id": id, "name_sv": "Behörighetsprov", "name_en": "Access check",
		"weights": map[string]float64{"overcrowding": 1}}
	if org != "" {
		b["organisation"] = org
	}
	raw, _ := json.Marshal(b)
	return string(raw)
}

// newScenario makes scenario id as the editor with header h; it belongs to h's organisation.
func (f *plansFixture) newScenario(t *testing.T, h http.Header, id string) {
	t.Helper()
	f.scenarios = append(f.scenarios, id)
	f.a.write("POST", "/analysis/priority/scenarios", withHeader(h, "Content-Type", "application/json"), scenario(id, ""), 201)
}

// checkScenarios: a scenario is changed only by its own organisation's editors and admins
// and deleted by them or a municipality's admin; built-in ones by nobody; nobody writes a
// scenario in another organisation's name.
func (f *plansFixture) checkScenarios(t *testing.T, c caller) {
	t.Helper()
	a := f.a
	org := orgOf(t, a, c)
	h := withHeader(c.header, "Content-Type", "application/json")
	refused := func(may bool) int {
		switch {
		case c.kind == "":
			return 401
		case !may:
			return 403
		}
		return 0
	}
	// A scenario id from the caller's name: lower-case letters, digits and hyphens.
	name := strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, strings.ToLower(c.name))
	name = name[:min(len(name), 50)]

	// Built in: nobody changes or deletes one through the API.
	want := refused(false)
	a.write("PUT", "/analysis/priority/scenarios/polisen", h, scenario("polisen", ""), want)
	a.write("DELETE", "/analysis/priority/scenarios/buf", h, "", want)

	// The housing company's scenario: changed by its own editors; deleted by them or a
	// municipality's admin.
	own := "acc-h-" + name
	f.newScenario(t, f.housingEditor, own)
	mayChange := c.canWrite && org == "acc-housing"
	if want = refused(mayChange); want == 0 {
		// Optimistic locking (issue 14, point 8): the version the change was made from.
		a.write("PUT", "/analysis/priority/scenarios/"+own, h, scenario(own, ""), 428)
		a.write("PUT", "/analysis/priority/scenarios/"+own, withHeader(h, "If-Match", `"v9"`), scenario(own, ""), 412)
		want = 200
	}
	a.write("PUT", "/analysis/priority/scenarios/"+own, withHeader(h, "If-Match", `"v1"`), scenario(own, ""), want)
	mayDelete := mayChange || (c.canWrite && c.admin && c.kind == "municipality")
	if want = refused(mayDelete); want == 0 {
		want = 204
	}
	a.write("DELETE", "/analysis/priority/scenarios/"+own, withHeader(h, "If-Match", `"v1", "v2"`), "", want)

	// A new scenario is the writer's: naming another organisation is refused, naming none
	// makes it the writer's organisation's.
	mine := "acc-n-" + name
	f.scenarios = append(f.scenarios, mine)
	if want = refused(c.canWrite); want == 0 {
		want = 403
	}
	a.write("POST", "/analysis/priority/scenarios", h, scenario(mine, "Polisen"), want)
	if want == 403 && c.canWrite {
		// The police editor and admin are of organisation acc-police, not "Polisen": refused too.
		_, body := a.write("POST", "/analysis/priority/scenarios", h, scenario(mine, ""), 201)
		var sc struct {
			Owner        string
			Organisation string
		}
		if err := json.Unmarshal(body, &sc); err != nil {
			t.Fatal(err)
		}
		if sc.Owner != org || !strings.HasPrefix(sc.Organisation, org) {
			t.Errorf("a new scenario of %s: owner %q, organisation %q", org, sc.Owner, sc.Organisation)
		}
	}
}
