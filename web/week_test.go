package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers/layerstest"
)

type weekCell struct {
	Cell            string
	District, Place string
	Z               float64
	Bin             int
	PreviousBin     int `json:"previous_bin"`
	Count           int64
	PreviousCount   int64 `json:"previous_count"`
	Cells           int
	Pattern, Link   string
}

type weekPlace struct {
	ID         int64
	Name       string
	C          int64 `json:"count"`
	P          int64 `json:"previous_count"`
	Link, Item string
}

type weekIntervention struct {
	ID             int64
	Title, Status  string
	Start, End     *string
	Reason         string
	Link, Followup string
}

type weekAnswer struct {
	Since, To     string
	Days          int
	Previous      struct{ Since, To string }
	Clearance     string
	Depends       bool `json:"figures_depend_on_clearance"`
	Places        struct{ Rising, Falling []weekPlace }
	Hotspots      struct{ New, Ended []weekCell }
	Emerging      []weekCell
	Presence      []struct{ ID int64 }
	Interventions struct {
		Starting, Ending []weekIntervention
		FollowupDue      []weekIntervention `json:"followup_due"`
	}
	Links map[string]string
}

// follow gets a link of the weekly answer (an absolute URL of the test server).
func follow(t *testing.T, a *api, link string, v any) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	res, body := a.raw("GET", u.RequestURI(), nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %.300s", link, res.StatusCode, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v", link, err)
		}
	}
}

// TestWeek: the weekly meeting's agenda for the last week of 2024 — the previous week
// adjacent and as long, places that rose and fell with the numbers the linked places
// ranking gives, new and ended hot spots that the linked Gi* analyses show significant in
// their period, an intervention starting in the week listed with working links; bad input
// refused naming the parameter.
func TestWeek(t *testing.T) {
	a := newAPI(t)
	var ids []int64
	cleanUp(t, &ids)
	const title = "Veckomötets testinsats"
	createIntervention(t, a, newIntervention("null", map[string]any{"title": title, "start_date": "2024-12-27", "end_date": nil}), nil, &ids)

	var w weekAnswer
	a.getJSON("/analysis/week?since=2024-12-25&to=2024-12-31", 200, &w)
	if w.Since != "2024-12-25" || w.To != "2024-12-31" || w.Days != 7 || w.Previous.Since != "2024-12-18" || w.Previous.To != "2024-12-24" {
		t.Errorf("periods %s – %s (%d days), previous %s – %s", w.Since, w.To, w.Days, w.Previous.Since, w.Previous.To)
	}
	if w.Clearance != "restricted" || !w.Depends {
		t.Errorf("clearance %q, depends %v", w.Clearance, w.Depends)
	}
	if len(w.Places.Rising) == 0 || len(w.Places.Falling) == 0 {
		t.Fatalf("no places rose or fell: %+v", w.Places)
	}
	var ranking struct {
		Places []weekPlace
	}
	follow(t, a, w.Places.Rising[0].Link, &ranking)
	for _, list := range [][]weekPlace{w.Places.Rising, w.Places.Falling} {
		for _, p := range list {
			found := false
			for _, r := range ranking.Places {
				if r.ID == p.ID {
					found = true
					if r.C != p.C || r.P != p.P {
						t.Errorf("%s: %d / %d on the agenda, %d / %d in the linked ranking", p.Name, p.C, p.P, r.C, r.P)
					}
				}
			}
			if !found {
				t.Errorf("%s is not in the linked ranking", p.Name)
			}
			follow(t, a, p.Item, nil)
		}
	}

	// Hot spots: each line's cell is significant (bin ≥ 2) in the linked analysis of its
	// period, and not in the other period.
	if len(w.Hotspots.New) == 0 || len(w.Hotspots.Ended) == 0 {
		t.Fatalf("no new or ended hot spots: %+v", w.Hotspots)
	}
	bins := func(link string) map[string]float64 {
		var fc struct {
			Features []struct {
				ID         string
				Properties struct{ Bin float64 }
			}
		}
		follow(t, a, link, &fc)
		out := map[string]float64{}
		for _, f := range fc.Features {
			out[f.ID] = f.Properties.Bin
		}
		return out
	}
	for name, list := range map[string][]weekCell{"new": w.Hotspots.New, "ended": w.Hotspots.Ended} {
		for _, c := range list {
			if b := bins(c.Link)[c.Cell]; b < 2 {
				t.Errorf("%s hot spot %s (%s): bin %v in its linked analysis", name, c.Cell, c.District, b)
			}
			if c.Cells < 1 || c.District == "" || c.Count+c.PreviousCount == 0 {
				t.Errorf("%s hot spot %s without its numbers: %+v", name, c.Cell, c)
			}
		}
	}
	for _, c := range w.Hotspots.New {
		if c.PreviousBin >= 2 {
			t.Errorf("new hot spot %s was significant before (bin %d)", c.Cell, c.PreviousBin)
		}
	}

	// The intervention starting in the week, with links that answer.
	found := false
	for _, iv := range w.Interventions.Starting {
		if iv.Title == title {
			found = true
			follow(t, a, iv.Link, nil)
		}
	}
	if !found {
		t.Errorf("the intervention starting 2024-12-27 is not on the agenda: %+v", w.Interventions.Starting)
	}
	follow(t, a, w.Links["printable"], nil)

	for _, tc := range []struct{ query, param string }{
		{"since=2024-12-31&to=2024-12-01", "since"}, {"since=2024-01-01&to=2024-12-31", "since"},
		{"since=2024-13-01", "since"}, {"to=yesterday", "to"}, {"lang=sv", "lang"},
	} {
		var p struct{ Param string }
		a.getJSON("/analysis/week?"+tc.query, 400, &p)
		if p.Param != tc.param {
			t.Errorf("%s: param %q, want %q", tc.query, p.Param, tc.param)
		}
	}
}

// TestWeekPage: the printable weekly page in Swedish shows no API code and no English, says
// who made it and on which data basis, every section says its figures depend on clearance,
// and every place and hot spot of the JSON answer is on it.
func TestWeekPage(t *testing.T) {
	layerstest.Require(t, testDB)
	a := newAPI(t)
	res, body := a.raw("GET", "/report/week?since=2024-12-25&to=2024-12-31", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	checkBalanced(t, body)
	txt := visibleText(t, body)
	checkSwedish(t, "the weekly page", txt)
	for _, want := range []string{"Veckans lägesbild", "Sedan senaste mötet: 2024-12-25 – 2024-12-31 (7 dagar)", "Jämförs med 2024-12-18 – 2024-12-24",
		"Framtagen av test-polis (test) (roll: administratör)", "Underlag: alla uppgifter"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the weekly page lacks %q", want)
		}
	}
	if n := strings.Count(txt, "beror på behörighet (se underlaget ovan)"); n < 4 {
		t.Errorf("%d sections say their figures depend on clearance, want 4", n)
	}
	var w weekAnswer
	a.getJSON("/analysis/week?since=2024-12-25&to=2024-12-31", 200, &w)
	for _, p := range append(w.Places.Rising, w.Places.Falling...) {
		if !strings.Contains(txt, p.Name) {
			t.Errorf("place %s is not on the page", p.Name)
		}
	}
	for _, c := range append(w.Hotspots.New, w.Hotspots.Ended...) {
		if !strings.Contains(string(body), `data-cell="`+c.Cell+`"`) {
			t.Errorf("hot spot %s is not on the page", c.Cell)
		}
	}
	_, en := a.raw("GET", "/report/week?since=2024-12-25&to=2024-12-31&lang=en", nil)
	if !strings.Contains(string(en), "This week&#39;s situational picture") && !strings.Contains(string(en), "This week's situational picture") {
		t.Error("lang=en is not English")
	}
	var p struct{ Param string }
	a.getJSON("/report/week?f=docx", 400, &p)
	if p.Param != "f" {
		t.Errorf("f=docx: param %q", p.Param)
	}
}
