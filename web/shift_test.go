package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// The tests of "Mitt pass" (issue 14, point 6) and of the list of plans (point 8) through
// the API: a unit's visits on a day against the plan's own calendar, a visit logged twice
// with one key stored once, the per-unit-and-day calendar, and the list's summaries, order,
// paging and links.

// thisMonday is the Monday of the current week in Europe/Stockholm (a plan that starts there
// holds today, so "Besök gjort" can log a visit now).
func thisMonday(t *testing.T) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(loc)
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// shiftAnswer is the part of GET /deployment/shift the tests read.
type shiftAnswer struct {
	Unit      string `json:"unit"`
	Date      string `json:"date"`
	ActorType struct {
		ID         string   `json:"id"`
		Categories []string `json:"categories"`
	} `json:"actor_type"`
	Plan struct {
		ID int64 `json:"id"`
	} `json:"plan"`
	Tactic string `json:"tactic"`
	Visits []struct {
		TargetID   string    `json:"target_id"`
		Name       string    `json:"name"`
		Point      []float64 `json:"point"`
		Start      string    `json:"start"`
		Minutes    int       `json:"minutes"`
		Categories []string  `json:"categories"`
		Done       bool      `json:"done"`
	} `json:"visits"`
	Links []struct {
		Href, Rel, Type string
	} `json:"links"`
}

// makePlan stores a plan from start with body's actors and returns it.
func makePlan(t *testing.T, a *api, name string, start time.Time) pagePlan {
	t.Helper()
	body := fmt.Sprintf(`{"name":%q,"start":%q,"weeks":2,"seed":3,
	 "actors":[{"type":"police","capacity":40},{"type":"night_walkers","capacity":3}],"targets":{"top":12}}`, name, start.Format(time.DateOnly))
	_, raw := a.do("POST", "/deployment/plans", body, 201)
	var p pagePlan
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM deployment_plans WHERE id = $1`, p.ID)
	})
	return p
}

func TestShiftOfUnit(t *testing.T) {
	registerICS.Do(func() { openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder) })
	a := newAPI(t)
	monday := thisMonday(t)
	older := makePlan(t, a, "pass äldre", monday)
	p := makePlan(t, a, "pass", monday)
	today := time.Now().In(monday.Location()).Format(time.DateOnly)

	// The plan in force today is the newer one; unit P1 of the police has visits every day.
	var sh shiftAnswer
	a.getJSON("/deployment/shift?unit=p1&date="+today, 200, &sh)
	if sh.Plan.ID != p.ID || sh.Unit != "P1" || sh.Date != today || sh.ActorType.ID != "police" || sh.Tactic != "foot_patrol" {
		t.Fatalf("shift: plan %d (want %d, not %d), unit %q, date %q, actor %q, tactic %q", sh.Plan.ID, p.ID, older.ID, sh.Unit, sh.Date, sh.ActorType.ID, sh.Tactic)
	}
	if len(sh.Visits) == 0 {
		t.Fatal("no visits for P1 today")
	}

	// Against the plan's whole calendar: the events of police unit 1 today, in the same order.
	_, ics := a.get(fmt.Sprintf("/deployment/plans/%d?f=ics", p.ID), 200)
	var want []map[string]string
	for _, ev := range parseICS(t, ics) {
		st, _ := time.Parse("20060102T150405Z", ev["DTSTART"])
		if strings.HasPrefix(ev["SUMMARY"], "Polisen enhet 1 (P1)") && st.In(monday.Location()).Format(time.DateOnly) == today {
			want = append(want, ev)
		}
	}
	slices.SortStableFunc(want, func(x, y map[string]string) int { return strings.Compare(x["DTSTART"], y["DTSTART"]) })
	if len(want) != len(sh.Visits) {
		t.Fatalf("%d visits, the plan's calendar has %d events of P1 today", len(sh.Visits), len(want))
	}
	targets := map[string]map[string]float64{}
	var planDoc struct {
		Targets []struct {
			ID   string             `json:"id"`
			Risk map[string]float64 `json:"risk"`
		} `json:"targets"`
	}
	a.getJSON(fmt.Sprintf("/deployment/plans/%d", p.ID), 200, &planDoc)
	for _, tg := range planDoc.Targets {
		targets[tg.ID] = tg.Risk
	}
	for k, v := range sh.Visits {
		st, err := time.Parse(time.RFC3339, v.Start)
		if err != nil || st.UTC().Format("20060102T150405Z") != want[k]["DTSTART"] || want[k]["LOCATION"] != v.Name || v.Minutes != 15 {
			t.Errorf("visit %d: %+v, calendar event %v", k, v, want[k])
		}
		if k > 0 && v.Start < sh.Visits[k-1].Start {
			t.Errorf("visit %d starts before visit %d", k, k-1)
		}
		for j, c := range v.Categories {
			if !slices.Contains(sh.ActorType.Categories, c) || targets[v.TargetID][c] <= 0 {
				t.Errorf("visit %d: look for %q, which the police do not act on or has no risk at %s", k, c, v.TargetID)
			}
			if j > 0 && targets[v.TargetID][c] > targets[v.TargetID][v.Categories[j-1]] {
				t.Errorf("visit %d: categories %v not by risk", k, v.Categories)
			}
		}
		if len(v.Point) != 2 || v.Done {
			t.Errorf("visit %d: point %v, done %v", k, v.Point, v.Done)
		}
	}

	// The shift's calendar: the same visits only, not the plan's hundreds.
	var cal string
	for _, l := range sh.Links {
		if l.Type == "text/calendar" {
			cal = strings.TrimPrefix(l.Href, a.srv.URL)
		}
	}
	if cal == "" {
		t.Fatalf("no calendar link in %+v", sh.Links)
	}
	res, one := a.get(cal, 200)
	if evs := parseICS(t, one); len(evs) != len(sh.Visits) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("the shift's calendar has %d events for %d visits (%s)", len(evs), len(sh.Visits), res.Header.Get("Content-Type"))
	}

	// "Besök gjort" twice with one key (the answer to the first was lost): one row, the
	// visit shown done; the key of another visit is a conflict.
	v := sh.Visits[0]
	now := time.Now().UTC().Truncate(time.Second)
	dose := func(key string, start time.Time) string {
		return fmt.Sprintf(`{"doses":[{"plan_id":%d,"target_id":%q,"actor_type":"police","unit_code":"P1","started_at":%q,"minutes":15,"tactic":"foot_patrol","client_key":%q}]}`,
			p.ID, v.TargetID, start.Format(time.RFC3339), key)
	}
	key := "5f0e8a52-7c1b-4c59-a0d6-2b9e1f3c4d5e"
	_, first := a.do("POST", "/deployment/doses", dose(key, now), 201)
	_, second := a.do("POST", "/deployment/doses", dose(key, now), 200)
	var d1, d2 struct {
		Doses []struct {
			ID        int64  `json:"id"`
			ClientKey string `json:"client_key"`
		} `json:"doses"`
	}
	_ = json.Unmarshal(first, &d1)
	_ = json.Unmarshal(second, &d2)
	if len(d1.Doses) != 1 || len(d2.Doses) != 1 || d1.Doses[0].ID != d2.Doses[0].ID || d2.Doses[0].ClientKey != key {
		t.Errorf("resend: %s then %s", first, second)
	}
	if n := count(t, `SELECT count(*) FROM deployment_doses WHERE client_key = $1`, key); n != 1 {
		t.Errorf("%d rows for one key", n)
	}
	a.do("POST", "/deployment/doses", dose(key, now.Add(-time.Minute)), 409)
	a.do("POST", "/deployment/doses", dose("kort", now), 400)
	a.getJSON("/deployment/shift?unit=P1&date="+today, 200, &sh)
	done, doneAt := 0, ""
	for _, x := range sh.Visits {
		if x.Done {
			done++
			doneAt = x.TargetID
		}
	}
	if done != 1 || doneAt != v.TargetID {
		t.Errorf("after logging one visit at %s: %d done (at %s)", v.TargetID, done, doneAt)
	}

	// Bad input names its parameter; a day outside the plan, or a plan without the actor type, is refused.
	for _, tc := range []struct {
		query, param string
		status       int
	}{
		{"unit=&date=" + today, "unit", 400},
		{"date=" + today, "unit", 400},
		{"unit=Anna&date=" + today, "unit", 400},
		{"unit=X1&date=" + today, "unit", 400},
		{"unit=P1&date=2026-13-01", "date", 400},
		{fmt.Sprintf("unit=P1&plan=%d&date=%s", p.ID, monday.AddDate(0, 0, 14).Format(time.DateOnly)), "date", 400},
		{fmt.Sprintf("unit=P1&plan=abc&date=%s", today), "plan", 400},
		{"unit=P1&date=" + today + "&f=pdf", "f", 400},
		{"unit=P1&date=" + today + "&colour=red", "colour", 400},
		{"unit=MK1&date=" + today, "", 404},
	} {
		res, body := a.raw("GET", "/deployment/shift?"+tc.query, nil)
		var prob struct {
			Param string `json:"param"`
		}
		_ = json.Unmarshal(body, &prob)
		if res.StatusCode != tc.status || prob.Param != tc.param || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s, want %d naming %q", tc.query, res.StatusCode, body, tc.status, tc.param)
		}
	}
}

func TestPlansList(t *testing.T) {
	a := newAPI(t)
	monday := thisMonday(t).AddDate(0, 0, 7*40) // weeks no other test plans
	first := makePlan(t, a, "först", monday)
	second := makePlan(t, a, "sedan", monday.AddDate(0, 0, 7))
	day := monday.AddDate(0, 0, 9).Format(time.DateOnly) // in both

	type listAnswer struct {
		Plans []struct {
			ID            int64          `json:"id"`
			Name          string         `json:"name"`
			Start         string         `json:"start"`
			End           string         `json:"end"`
			Weeks         int            `json:"weeks"`
			Owner         *string        `json:"owner"`
			Targets       int            `json:"targets"`
			PlannedVisits map[string]int `json:"planned_visits"`
			Links         []struct{ Href, Rel string }
		} `json:"plans"`
		NumberReturned int `json:"numberReturned"`
		Links          []struct{ Href, Rel string }
	}
	var l listAnswer
	a.getJSON("/deployment/plans?date="+day, 200, &l)
	if len(l.Plans) != 2 || l.Plans[0].ID != second.ID || l.Plans[1].ID != first.ID || l.NumberReturned != 2 {
		t.Fatalf("plans in force on %s: %+v", day, l)
	}
	got := l.Plans[1]
	visits := 0
	for _, w := range first.Plan {
		for _, it := range w.Items {
			if it.ActorType == "police" {
				visits++
			}
		}
	}
	if got.Name != "först" || got.Start != first.Start || got.End != monday.AddDate(0, 0, 14).Format(time.DateOnly) || got.Weeks != 2 ||
		got.Owner == nil || *got.Owner != "test-polis" || got.Targets != len(first.Targets) || got.PlannedVisits["police"] == 0 {
		t.Errorf("summary of plan %d: %+v", first.ID, got)
	}
	self := ""
	for _, lk := range got.Links {
		if lk.Rel == "self" {
			self = strings.TrimPrefix(lk.Href, a.srv.URL)
		}
	}
	var reopened pagePlan
	a.getJSON(self, 200, &reopened) // reopen: the link is the plan
	if reopened.ID != first.ID || reopened.Start != first.Start {
		t.Errorf("reopened %s: plan %d from %s", self, reopened.ID, reopened.Start)
	}
	// Paging: one a page, with next and prev.
	a.getJSON("/deployment/plans?limit=1&date="+day, 200, &l)
	next := ""
	for _, lk := range l.Links {
		if lk.Rel == "next" {
			next = strings.TrimPrefix(lk.Href, a.srv.URL)
		}
	}
	if len(l.Plans) != 1 || l.Plans[0].ID != second.ID || next == "" {
		t.Fatalf("first page: %+v", l)
	}
	a.getJSON(next, 200, &l)
	if len(l.Plans) != 1 || l.Plans[0].ID != first.ID || !slices.ContainsFunc(l.Links, func(x struct{ Href, Rel string }) bool { return x.Rel == "prev" }) ||
		slices.ContainsFunc(l.Links, func(x struct{ Href, Rel string }) bool { return x.Rel == "next" }) {
		t.Errorf("second page: %+v", l)
	}
	// All plans, newest first.
	a.getJSON("/deployment/plans", 200, &l)
	if len(l.Plans) < 2 || l.Plans[0].ID != second.ID {
		t.Errorf("all plans: first %+v", l.Plans[:min(1, len(l.Plans))])
	}
	for _, q := range []string{"limit=0", "limit=501", "offset=-1", "date=igår", "f=csv", "sort=name"} {
		res, body := a.raw("GET", "/deployment/plans?"+q, nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, res.StatusCode, body)
		}
	}
}
