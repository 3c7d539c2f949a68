package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3filter"
)

type planAnswer struct {
	ID         int64
	Start      string
	Weeks      int
	Parameters struct {
		VisitMinutes float64 `json:"visit_minutes"`
		MaxDose      float64 `json:"max_dose"`
	}
	Actors []struct {
		Type          string
		VisitsPerWeek int     `json:"visits_per_week"`
		VisitMinutes  float64 `json:"visit_minutes"`
		Placement     bool
		Categories    []string
	}
	Targets []struct {
		ID             string
		PlaceID        *int64 `json:"place_id"`
		Name           string
		RiskTotal      float64 `json:"risk_total"`
		PlannedMinutes float64 `json:"planned_minutes"`
	}
	Plan []struct {
		Week              int
		Start             string
		ExpectedReduction float64 `json:"expected_reduction"`
		Used              map[string]int
		Resting           []string
		Items             []struct {
			ActorType string `json:"actor_type"`
			TargetID  string `json:"target_id"`
			Visits    int
			Minutes   float64
		}
	}
	ExpectedReduction float64 `json:"expected_reduction"`
	Risk              float64
	Uncovered         []struct {
		TargetID   string         `json:"target_id"`
		Weeks      map[string]int `json:"weeks_without_dose"`
		Categories []string       `json:"categories_without_actor"`
	}
}

const planBody = `{"name":"test","weeks":6,"seed":7,
 "actors":[{"type":"police","capacity":20},{"type":"night_walkers","capacity":3},{"type":"mobile_cameras","capacity":2}],
 "targets":{"top":12}}`

var registerICS sync.Once

func TestDeploymentPlanRoundTrip(t *testing.T) {
	registerICS.Do(func() { openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder) })
	a := newAPI(t)
	res, body := a.do("POST", "/deployment/plans", planBody, 201)
	var p planAnswer
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "/deployment/plans/"+strconv.FormatInt(p.ID, 10)) {
		t.Errorf("Location %q", loc)
	}
	if st, err := time.Parse(time.DateOnly, p.Start); err != nil || st.Weekday() != time.Monday {
		t.Errorf("start %q is not a Monday", p.Start)
	}
	// Capacities: 20 police hours = 80 visits of 15 min; 3 evenings × 4 h = 48 visits; 2 cameras.
	wantVisits := map[string]int{"police": 80, "night_walkers": 48, "mobile_cameras": 2}
	for _, ac := range p.Actors {
		if ac.VisitsPerWeek != wantVisits[ac.Type] {
			t.Errorf("%s: %d visits per week, want %d", ac.Type, ac.VisitsPerWeek, wantVisits[ac.Type])
		}
	}

	// The targets are the top places of the hotspot ranking by harm-weighted density.
	var places struct {
		Places []struct {
			ID      int64
			Density *float64
		}
	}
	a.getJSON("/analysis/hotspots/places?weighting=harm&limit=12", 200, &places)
	var wantIDs []int64
	for _, pl := range places.Places {
		if pl.Density != nil && *pl.Density > 0 {
			wantIDs = append(wantIDs, pl.ID)
		}
	}
	if len(p.Targets) != len(wantIDs) || len(wantIDs) == 0 {
		t.Fatalf("%d targets, the hotspot ranking has %d places with density", len(p.Targets), len(wantIDs))
	}
	for k, tg := range p.Targets {
		if tg.PlaceID == nil || *tg.PlaceID != wantIDs[k] {
			t.Errorf("target %d is place %v, the ranking's is %d", k, tg.PlaceID, wantIDs[k])
		}
		if d := *places.Places[k].Density; math.Abs(tg.RiskTotal-d) > 1e-3*max(1, d) {
			t.Errorf("target %d: risk %g, the ranking's density %g", k, tg.RiskTotal, d)
		}
	}

	// Constraints hold in the answer.
	if len(p.Plan) != 6 {
		t.Fatalf("%d weeks, want 6", len(p.Plan))
	}
	sum := 0.0
	totalVisits := map[string]int{}
	for _, wk := range p.Plan {
		used := map[string]int{}
		dose := map[string]float64{}
		for _, it := range wk.Items {
			used[it.ActorType] += it.Visits
			dose[it.TargetID] += it.Minutes
			totalVisits[it.ActorType] += it.Visits
		}
		for _, ac := range p.Actors {
			if used[ac.Type] > ac.VisitsPerWeek || used[ac.Type] != wk.Used[ac.Type] {
				t.Errorf("week %d: %s used %d (reported %d) of %d", wk.Week, ac.Type, used[ac.Type], wk.Used[ac.Type], ac.VisitsPerWeek)
			}
		}
		for id, d := range dose {
			if d > p.Parameters.MaxDose+1e-9 {
				t.Errorf("week %d: %s gets %g minutes, max %g", wk.Week, id, d, p.Parameters.MaxDose)
			}
		}
		sum += wk.ExpectedReduction
	}
	if math.Abs(sum-p.ExpectedReduction) > 1e-4 || p.ExpectedReduction <= 0 || p.ExpectedReduction > p.Risk {
		t.Errorf("expected reduction %g, weeks add up to %g, risk %g", p.ExpectedReduction, sum, p.Risk)
	}

	// Read back: the same document.
	_, again := a.get(fmt.Sprintf("/deployment/plans/%d", p.ID), 200)
	if !bytes.Equal(again, body) {
		t.Errorf("GET returns a different document than POST")
	}
	// CSV: one row per item.
	_, csvBody := a.get(fmt.Sprintf("/deployment/plans/%d?f=csv", p.ID), 200)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvBody, []byte("\ufeff")))).ReadAll() // every CSV starts with a BOM
	if err != nil {
		t.Fatal(err)
	}
	nItems := 0
	for _, wk := range p.Plan {
		nItems += len(wk.Items)
	}
	if len(rows) != nItems+1 || strings.Join(rows[0], ",") != "week,week_start,actor_type,target_id,target_name,visits,minutes" {
		t.Errorf("CSV: %d rows for %d items; header %v", len(rows), nItems, rows[0])
	}
	// GeoJSON: one point per target with its planned minutes.
	var fc struct {
		Features []struct {
			ID       string
			Geometry struct {
				Type        string
				Coordinates []float64
			}
			Properties struct {
				PlannedMinutes float64 `json:"planned_minutes"`
			}
		}
	}
	a.getJSON(fmt.Sprintf("/deployment/plans/%d?f=geojson", p.ID), 200, &fc)
	if len(fc.Features) != len(p.Targets) {
		t.Fatalf("GeoJSON: %d features, %d targets", len(fc.Features), len(p.Targets))
	}
	for k, f := range fc.Features {
		if f.ID != p.Targets[k].ID || f.Geometry.Type != "Point" || f.Properties.PlannedMinutes != p.Targets[k].PlannedMinutes {
			t.Errorf("feature %d: %+v, target %+v", k, f, p.Targets[k])
		}
	}

	// iCalendar: one event per planned visit or placement.
	res, ics := a.get(fmt.Sprintf("/deployment/plans/%d?f=ics", p.ID), 200)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type %q", ct)
	}
	events := parseICS(t, ics)
	want := 0
	for _, n := range totalVisits {
		want += n
	}
	if len(events) != want {
		t.Errorf("%d events, %d planned visits", len(events), want)
	}
	uids := map[string]bool{}
	for _, ev := range events {
		if uids[ev["UID"]] {
			t.Errorf("UID %s twice", ev["UID"])
		}
		uids[ev["UID"]] = true
		if _, err := time.Parse("20060102T150405Z", ev["DTSTART"]); err != nil {
			t.Errorf("DTSTART %q is not a UTC date-time", ev["DTSTART"])
		}
		for _, k := range []string{"DTSTAMP", "DURATION", "SUMMARY", "GEO"} {
			if ev[k] == "" {
				t.Errorf("event %s has no %s", ev["UID"], k)
			}
		}
		if strings.Contains(ev["SUMMARY"], "enhet") == false {
			t.Errorf("summary %q names no unit", ev["SUMMARY"])
		}
	}
	_, ics2 := a.get(fmt.Sprintf("/deployment/plans/%d?f=ics", p.ID), 200)
	if !bytes.Equal(ics, ics2) {
		t.Error("the calendar changes between downloads of the same plan")
	}

	// Log doses, read them back, compare planned with delivered.
	first := p.Plan[0].Items[0]
	st, _ := time.ParseInLocation(time.DateOnly, p.Start, time.UTC)
	doses := fmt.Sprintf(`{"doses":[
	 {"plan_id":%d,"target_id":%q,"actor_type":%q,"unit_code":"P12","started_at":%q,"minutes":15,"tactic":"foot_patrol"},
	 {"plan_id":%d,"target_id":%q,"actor_type":"night_walkers","started_at":%q,"minutes":12,"tactic":"dialogue"}]}`,
		p.ID, first.TargetID, first.ActorType, st.Add(20*time.Hour).Format(time.RFC3339),
		p.ID, first.TargetID, st.Add(24*time.Hour+21*time.Hour).Format(time.RFC3339))
	a.do("POST", "/deployment/doses", doses, 201)
	var logged struct {
		Doses []struct {
			TargetID string  `json:"target_id"`
			UnitCode *string `json:"unit_code"`
			Minutes  float64
		}
	}
	a.getJSON(fmt.Sprintf("/deployment/doses?plan=%d", p.ID), 200, &logged)
	if len(logged.Doses) != 2 || logged.Doses[0].Minutes != 15 || *logged.Doses[0].UnitCode != "P12" || logged.Doses[1].UnitCode != nil {
		t.Errorf("logged doses: %+v", logged.Doses)
	}
	var del struct {
		Targets []struct {
			TargetID string `json:"target_id"`
			Weeks    []struct {
				Week             int
				PlannedMinutes   float64 `json:"planned_minutes"`
				DeliveredMinutes float64 `json:"delivered_minutes"`
				DeliveredVisits  int     `json:"delivered_visits"`
				Observations     int
			}
		}
	}
	a.getJSON(fmt.Sprintf("/deployment/plans/%d/delivery?baseline=4", p.ID), 200, &del)
	if len(del.Targets) != len(p.Targets) {
		t.Fatalf("delivery: %d targets, plan %d", len(del.Targets), len(p.Targets))
	}
	planned := map[string]map[int]float64{}
	for _, wk := range p.Plan {
		for _, it := range wk.Items {
			if planned[it.TargetID] == nil {
				planned[it.TargetID] = map[int]float64{}
			}
			planned[it.TargetID][wk.Week] += it.Minutes
		}
	}
	baselineObs := 0
	for _, tg := range del.Targets {
		if len(tg.Weeks) != 10 {
			t.Errorf("%s: %d weeks, want 4 baseline + 6", tg.TargetID, len(tg.Weeks))
		}
		for _, w := range tg.Weeks {
			if w.PlannedMinutes != planned[tg.TargetID][w.Week] {
				t.Errorf("%s week %d: planned %g, the plan says %g", tg.TargetID, w.Week, w.PlannedMinutes, planned[tg.TargetID][w.Week])
			}
			wantDelivered, wantVisits := 0.0, 0
			if tg.TargetID == first.TargetID && w.Week == 1 {
				wantDelivered, wantVisits = 27, 2
			}
			if w.DeliveredMinutes != wantDelivered || w.DeliveredVisits != wantVisits {
				t.Errorf("%s week %d: delivered %g min in %d visits, want %g in %d", tg.TargetID, w.Week, w.DeliveredMinutes, w.DeliveredVisits, wantDelivered, wantVisits)
			}
			if w.Week <= 0 {
				baselineObs += w.Observations
			}
		}
	}
	// The baseline weeks lie before the plan, right after the risk period: the top places had
	// observations then.
	if n := count(t, `SELECT count(*) FROM observations o JOIN deployment_plan_targets t ON t.plan_id = $1
	    AND ST_DWithin(o.geom, t.geom, 400) WHERE o.observed_at >= ($2::date - 28) AT TIME ZONE 'Europe/Stockholm'
	    AND o.observed_at < $2::date AT TIME ZONE 'Europe/Stockholm'`, p.ID, p.Start); int(n) != baselineObs {
		t.Errorf("baseline observations %d, SQL counts %d", baselineObs, n)
	}
}

// parseICS checks RFC 5545 framing (CRLF line ends, lines of at most 75 octets, folding with
// one space, valid UTF-8, BEGIN/END nesting, VERSION and PRODID) and returns the events'
// properties, unfolded.
func parseICS(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatal("iCalendar does not end in CRLF")
	}
	raw := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
	var lines []string
	for k, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF", k+1)
		}
		if len(l) > 75 {
			t.Fatalf("line %d has %d octets: %q", k+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line %d splits a UTF-8 character: %q", k+1, l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(lines) == 0 {
				t.Fatal("continuation before any line")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Fatalf("not a VCALENDAR: %q … %q", lines[0], lines[len(lines)-1])
	}
	var events []map[string]string
	var cur map[string]string
	seen := map[string]bool{}
	for _, l := range lines[1 : len(lines)-1] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("content line without a colon: %q", l)
		}
		switch {
		case l == "BEGIN:VEVENT":
			if cur != nil {
				t.Fatal("nested VEVENT")
			}
			cur = map[string]string{}
		case l == "END:VEVENT":
			if cur == nil {
				t.Fatal("END:VEVENT without BEGIN")
			}
			events = append(events, cur)
			cur = nil
		case cur != nil:
			cur[name] = value
		default:
			seen[name] = true
		}
	}
	if !seen["VERSION"] || !seen["PRODID"] {
		t.Error("VCALENDAR lacks VERSION or PRODID")
	}
	return events
}

func TestDeploymentProblems(t *testing.T) {
	a := newAPI(t)
	tests := []struct {
		name, body, param string
	}{
		{"negative capacity", `{"actors":[{"type":"police","capacity":-1}]}`, "actors[0].capacity"},
		{"unknown actor type", `{"actors":[{"type":"police","capacity":5},{"type":"wizards","capacity":5}]}`, "actors[1].type"},
		{"no actors", `{"actors":[]}`, "actors"},
		{"empty target set", `{"actors":[{"type":"police","capacity":5}],"targets":{"items":[]}}`, "targets.items"},
		{"empty place list", `{"actors":[{"type":"police","capacity":5}],"targets":{"place_ids":[]}}`, "targets.place_ids"},
		{"unknown place", `{"actors":[{"type":"police","capacity":5}],"targets":{"place_ids":[999999]}}`, "targets.place_ids"},
		{"weeks 0", `{"weeks":0,"actors":[{"type":"police","capacity":5}]}`, "weeks"},
		{"weeks 53", `{"weeks":53,"actors":[{"type":"police","capacity":5}]}`, "weeks"},
		{"visit too short", `{"visit_minutes":4,"actors":[{"type":"police","capacity":5}]}`, "visit_minutes"},
		{"visit too long", `{"visit_minutes":61,"actors":[{"type":"police","capacity":5}]}`, "visit_minutes"},
		{"per shift 6", `{"per_shift":6,"actors":[{"type":"police","capacity":5}]}`, "per_shift"},
		{"start not a Monday", `{"start":"2024-06-04","actors":[{"type":"police","capacity":5}]}`, "start"},
		{"start in 2204", `{"start":"2204-06-02","actors":[{"type":"police","capacity":5}]}`, "start"},
		{"start in 1924", `{"start":"1924-06-02","actors":[{"type":"police","capacity":5}]}`, "start"},
		{"start over 2 years ahead", fmt.Sprintf(`{"start":%q,"actors":[{"type":"police","capacity":5}]}`, mondayAfter(time.Now().AddDate(2, 0, 1))), "start"},
		{"start over 5 years back", fmt.Sprintf(`{"start":%q,"actors":[{"type":"police","capacity":5}]}`, mondayBefore(time.Now().AddDate(-5, 0, -1))), "start"},
		{"half a camera", `{"actors":[{"type":"mobile_cameras","capacity":1.5}]}`, "actors[0].capacity"},
		{"unknown category", `{"actors":[{"type":"police","capacity":5,"categories":["jaywalking"]}]}`, "actors[0].categories"},
		{"bad risk", `{"actors":[{"type":"police","capacity":5}],"targets":{"items":[{"id":"a","point":[16.5,59.6],"risk":{"violence":-1}}]}}`, "targets.items[0].risk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := a.do("POST", "/deployment/plans", tt.body, 400)
			var p struct{ Param string }
			_ = json.Unmarshal(body, &p)
			if p.Param != tt.param {
				t.Errorf("param %q, want %q: %s", p.Param, tt.param, body)
			}
		})
	}
	// Doses.
	_, body := a.do("POST", "/deployment/plans", `{"weeks":1,"actors":[{"type":"police","capacity":5}],
	  "targets":{"items":[{"id":"cell:1_2","name":"Cell","point":[16.54,59.61],"risk":{"violence":10}}]}}`, 201)
	var p planAnswer
	_ = json.Unmarshal(body, &p)
	dose := func(field, value string) string {
		d := map[string]any{"plan_id": p.ID, "target_id": "cell:1_2", "actor_type": "police", "unit_code": "P12",
			"started_at": "2024-01-01T10:00:00Z", "minutes": 15, "tactic": "foot_patrol"}
		var v any
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			t.Fatal(err)
		}
		d[field] = v
		b, _ := json.Marshal(map[string]any{"doses": []any{d}})
		return string(b)
	}
	dtests := []struct{ field, value string }{
		{"unit_code", `"Anna Svensson"`},
		{"unit_code", `"ANNA"`},
		{"minutes", `0`},
		{"minutes", `500`},
		{"tactic", `"arrest"`},
		{"actor_type", `"wizards"`},
		{"target_id", `"place:1"`},
		{"plan_id", `999999`},
		{"started_at", `"yesterday"`},
		{"started_at", `"2999-01-01T00:00:00Z"`},
		{"started_at", `"2020-01-01T00:00:00Z"`}, // long before the plan's weeks
		{"actor_type", `"night_walkers"`},        // an actor type the plan does not deploy
	}
	for _, tt := range dtests {
		res, body := a.raw2("POST", "/deployment/doses", dose(tt.field, tt.value))
		var pr struct{ Param string }
		_ = json.Unmarshal(body, &pr)
		if res != 400 || pr.Param != "doses[0]."+tt.field {
			t.Errorf("dose %s=%s: %d %s, want 400 naming doses[0].%s", tt.field, tt.value, res, body, tt.field)
		}
	}
	// All or nothing: a valid dose before an invalid one is not stored.
	batch := fmt.Sprintf(`{"doses":[{"plan_id":%d,"target_id":"cell:1_2","actor_type":"police","started_at":"2024-01-01T10:00:00Z","minutes":15,"tactic":"foot_patrol"},
	  {"plan_id":%d,"target_id":"cell:1_2","actor_type":"police","started_at":"2024-01-01T11:00:00Z","minutes":-3,"tactic":"foot_patrol"}]}`, p.ID, p.ID)
	if st, _ := a.raw2("POST", "/deployment/doses", batch); st != 400 {
		t.Errorf("batch with an invalid dose: %d", st)
	}
	if n := count(t, `SELECT count(*) FROM deployment_doses WHERE plan_id = $1`, p.ID); n != 0 {
		t.Errorf("%d doses stored from a refused batch", n)
	}
	a.get("/deployment/plans/999999", 404)
	a.get("/deployment/doses?plan=999999", 404)
	a.get("/deployment/doses", 400)
	a.get(fmt.Sprintf("/deployment/plans/%d?f=xml", p.ID), 400)
	var at struct {
		ActorTypes []struct{ ID string } `json:"actor_types"`
	}
	a.getJSON("/deployment/actor-types", 200, &at)
	if len(at.ActorTypes) != 4 {
		t.Errorf("%d actor types, want the 4 of the migration", len(at.ActorTypes))
	}
}

// mondayAfter and mondayBefore are the Monday on or after, or on or before, t as YYYY-MM-DD.
func mondayAfter(t time.Time) string {
	return t.AddDate(0, 0, (8-int(t.Weekday()))%7).Format(time.DateOnly)
}

func mondayBefore(t time.Time) string {
	return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7)).Format(time.DateOnly)
}

// raw2 posts a JSON body and returns the status and body without validation.
func (a *api) raw2(method, path, body string) (int, []byte) {
	a.t.Helper()
	req, _ := httpNewRequest(method, a.srv.URL+path, body)
	res, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return res.StatusCode, b.Bytes()
}

func httpNewRequest(method, url, body string) (*http.Request, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, err
}

// TestDeploymentCellTargets checks that kind=cells takes the Gi* hot spots of the hotspot
// module: the same cells, heaviest first, with a risk per category that adds up to the
// cell's harm-weighted value per week.
func TestDeploymentCellTargets(t *testing.T) {
	a := newAPI(t)
	_, body := a.do("POST", "/deployment/plans", `{"weeks":2,"actors":[{"type":"police","capacity":10}],"targets":{"kind":"cells","top":5,"days":90}}`, 201)
	var p struct {
		RiskPeriod struct{ Start, End string } `json:"risk_period"`
		Targets    []struct {
			ID        string
			Risk      map[string]float64
			RiskTotal float64 `json:"risk_total"`
		}
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Features []struct {
			ID         string
			Properties struct {
				Bin   int
				Value float64
			}
		}
	}
	a.getJSON("/analysis/hotspots?method=gistar&weighting=harm&datetime="+p.RiskPeriod.Start+"/"+p.RiskPeriod.End, 200, &doc)
	type cell struct {
		id    string
		value float64
	}
	var hot []cell
	for _, f := range doc.Features {
		if f.Properties.Bin >= 2 && f.Properties.Value > 0 {
			hot = append(hot, cell{f.ID, f.Properties.Value})
		}
	}
	slices.SortStableFunc(hot, func(x, y cell) int {
		switch {
		case x.value > y.value:
			return -1
		case x.value < y.value:
			return 1
		}
		return 0
	})
	if len(hot) < 5 || len(p.Targets) != 5 {
		t.Fatalf("%d hot cells in the hotspot answer, %d targets", len(hot), len(p.Targets))
	}
	weeks := 90.0 / 7
	for n, tg := range p.Targets {
		if tg.ID != "cell:"+hot[n].id {
			t.Errorf("target %d is %s, the hotspot module's %d. heaviest hot cell is %s", n, tg.ID, n+1, hot[n].id)
		}
		sum := 0.0
		for _, v := range tg.Risk {
			sum += v
		}
		if math.Abs(sum-hot[n].value/weeks) > 1e-3*max(1, sum) {
			t.Errorf("%s: risks add up to %v per week, the cell's value is %v per week", tg.ID, sum, hot[n].value/weeks)
		}
	}
	a.do("POST", "/deployment/plans", `{"actors":[{"type":"police","capacity":10}],"targets":{"kind":"squares"}}`, 400)
	a.do("POST", "/deployment/plans", `{"actors":[{"type":"police","capacity":10}],"targets":{"kind":"cells","side":10}}`, 400)
	a.do("POST", "/deployment/plans", `{"actors":[{"type":"police","capacity":10}],"targets":{"side":150}}`, 400)
}
