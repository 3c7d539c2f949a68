package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
)

type followupAnswer struct {
	Intervention struct {
		ID        int64  `json:"id"`
		StartDate string `json:"start_date"`
	} `json:"intervention"`
	Target struct {
		Method     string   `json:"method"`
		Districts  []string `json:"districts"`
		Population float64  `json:"population"`
	} `json:"target"`
	Periods []struct {
		Index int    `json:"index"`
		Start string `json:"start"`
		End   string `json:"end"`
		Phase string `json:"phase"`
	} `json:"periods"`
	PrePeriods  int `json:"pre_periods"`
	PostPeriods int `json:"post_periods"`
	Series      []struct {
		Code   string    `json:"code"`
		Role   string    `json:"role"`
		Counts []int64   `json:"counts"`
		Values []float64 `json:"values"`
	} `json:"series"`
	Comparison []struct {
		Code     string  `json:"code"`
		Distance float64 `json:"distance"`
	} `json:"comparison"`
	Excluded []struct{ Code, Reason string } `json:"excluded"`
	Estimate *struct {
		Effect, CILow, CIHigh                                float64
		TargetPre, TargetPost, ComparisonPre, ComparisonPost float64
	} `json:"estimate"`
	Neighbours []struct {
		Code string `json:"code"`
		Sign string `json:"sign"`
	} `json:"neighbours"`
	Places     []struct{ Name, Role string } `json:"places"`
	Indicators []struct {
		Key    string     `json:"key"`
		Years  []int      `json:"years"`
		Target []*float64 `json:"target"`
	} `json:"indicators"`
	Caveats []struct{ Code, SV, EN string } `json:"caveats"`
	Notice  string                          `json:"notice"`
}

// The JSON names of the estimate are snake case.
func (f *followupAnswer) fixEstimate(raw map[string]any) {
	e, ok := raw["estimate"].(map[string]any)
	if !ok || f.Estimate == nil {
		return
	}
	f.Estimate.Effect, f.Estimate.CILow, f.Estimate.CIHigh = e["effect"].(float64), e["ci_low"].(float64), e["ci_high"].(float64)
	f.Estimate.TargetPre, f.Estimate.TargetPost = e["target_pre"].(float64), e["target_post"].(float64)
	f.Estimate.ComparisonPre, f.Estimate.ComparisonPost = e["comparison_pre"].(float64), e["comparison_post"].(float64)
}

func interventionID(t *testing.T, title string) int64 {
	t.Helper()
	return count(t, `SELECT id FROM interventions WHERE title = $1`, title)
}

func getFollowup(a *api, path string) followupAnswer {
	a.t.Helper()
	var f followupAnswer
	var raw map[string]any
	a.getJSON(path, 200, &f)
	a.getJSON(path, 200, &raw)
	f.fixEstimate(raw)
	return f
}

func (f *followupAnswer) caveat(code string) bool {
	return slices.ContainsFunc(f.Caveats, func(c struct{ Code, SV, EN string }) bool { return c.Code == code })
}

func TestFollowupTargetDistricts(t *testing.T) {
	a := newAPI(t)
	id := interventionID(t, "Kamerabevakning Bäckby torg") // started 2023-02-01, target Bäckby
	f := getFollowup(a, fmt.Sprintf("/analysis/followup/%d", id))

	if f.Target.Method != "districts" || !slices.Equal(f.Target.Districts, []string{"1980-BACKBY"}) {
		t.Fatalf("target %+v, want the district Bäckby", f.Target)
	}
	if f.PrePeriods != 12 || f.PostPeriods != 12 || len(f.Periods) != 24 {
		t.Fatalf("%d pre, %d post, %d periods; want 12 + 12 months", f.PrePeriods, f.PostPeriods, len(f.Periods))
	}
	if f.Periods[12].Start != "2023-02-01" || f.Periods[0].Start != "2022-02-01" || f.Periods[23].End != "2024-02-01" {
		t.Errorf("periods from %s, post from %s to %s; want 2022-02-01, 2023-02-01, 2024-02-01", f.Periods[0].Start, f.Periods[12].Start, f.Periods[23].End)
	}
	if f.Notice == "" {
		t.Error("no illustrative notice")
	}
	// The target's counts are the observations inside Bäckby, period by period.
	target := f.Series[0]
	if target.Role != "target" {
		t.Fatalf("first series %s %s, want the target", target.Code, target.Role)
	}
	for k, p := range f.Periods {
		want := count(t, `SELECT count(*) FROM observations o JOIN districts d ON d.code = '1980-BACKBY'
			WHERE ST_Intersects(d.geom, o.geom) AND o.observed_at >= $1::date AND o.observed_at < $2::date`, p.Start, p.End)
		if target.Counts[k] != want {
			t.Errorf("period %d (%s): %d observations, SQL says %d", p.Index, p.Start, target.Counts[k], want)
		}
		pop := count(t, `SELECT population FROM districts WHERE code = '1980-BACKBY'`)
		if got, want := target.Values[k], 1000*float64(want)/float64(pop); math.Abs(got-want) > 1e-6 {
			t.Errorf("period %d: rate %v, want %v per 1,000", p.Index, got, want)
		}
	}

	// Comparison: three districts, none of them Bäckby's neighbours nor Centrum (cameras in
	// Vasaparken at the same time: the same category).
	if len(f.Comparison) != 3 {
		t.Fatalf("%d comparison districts, want 3", len(f.Comparison))
	}
	for k, c := range f.Comparison {
		if n := count(t, `SELECT count(*) FROM districts a JOIN districts b ON b.code = '1980-BACKBY'
			WHERE a.code = $1 AND ST_Touches(a.geom, b.geom)`, c.Code); n > 0 || c.Code == "1980-CENTRUM" || c.Code == "1980-BACKBY" {
			t.Errorf("comparison %s is a neighbour, the target, or has cameras too", c.Code)
		}
		if k > 0 && c.Distance < f.Comparison[k-1].Distance {
			t.Errorf("comparisons not in order of distance: %+v", f.Comparison)
		}
	}
	reasons := map[string]string{}
	for _, e := range f.Excluded {
		reasons[e.Code] = e.Reason
	}
	if reasons["1980-CENTRUM"] != "concurrent_same_category" || reasons["1980-RABY"] != "neighbour" || reasons["1980-BACKBY"] != "target" {
		t.Errorf("exclusions %v", reasons)
	}

	// The estimate is the difference of the changes, recomputed from the series.
	e := f.Estimate
	if e == nil {
		t.Fatal("no estimate")
	}
	var comp [][]float64
	for _, s := range f.Series {
		if s.Role == "comparison" {
			comp = append(comp, s.Values)
		}
	}
	mean := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s / float64(len(x))
	}
	tChange := mean(target.Values[12:]) - mean(target.Values[:12])
	cChange := 0.0
	for _, c := range comp {
		cChange += (mean(c[12:]) - mean(c[:12])) / float64(len(comp))
	}
	if math.Abs(e.Effect-(tChange-cChange)) > 1e-4 {
		t.Errorf("effect %v, recomputed from the series %v", e.Effect, tChange-cChange)
	}
	// The demo makes Bäckby torg fall after the 2023 cameras, hedges and guards.
	if !(e.CILow <= e.Effect && e.Effect <= e.CIHigh) || e.CIHigh >= 0 {
		t.Errorf("estimate %v [%v, %v]; want a fall with an interval below zero", e.Effect, e.CILow, e.CIHigh)
	}
	// Guards, hedge trimming and more ran in Bäckby at the same time.
	if !f.caveat("concurrent") {
		t.Errorf("no caveat on concurrent interventions: %+v", f.Caveats)
	}
	if len(f.Neighbours) != 5 {
		t.Errorf("%d neighbours, want Bäckby's 5", len(f.Neighbours))
	}
	if !slices.ContainsFunc(f.Places, func(p struct{ Name, Role string }) bool { return p.Name == "Bäckby torg" && p.Role == "target" }) {
		t.Errorf("Bäckby torg is not among the target places: %+v", f.Places)
	}
	if len(f.Indicators) == 0 || len(f.Indicators[0].Years) != len(f.Indicators[0].Target) {
		t.Errorf("indicator block %+v", f.Indicators)
	}

	// Deterministic for a seed; another seed moves the interval, not the estimate.
	again := getFollowup(a, fmt.Sprintf("/analysis/followup/%d", id))
	if *again.Estimate != *e {
		t.Errorf("same request, different estimates: %+v %+v", again.Estimate, e)
	}
	other := getFollowup(a, fmt.Sprintf("/analysis/followup/%d?seed=2", id))
	if other.Estimate.Effect != e.Effect || (other.Estimate.CILow == e.CILow && other.Estimate.CIHigh == e.CIHigh) {
		t.Errorf("seed 2: %+v against %+v", other.Estimate, e)
	}

	// CSV: every series row, and the estimate.
	_, body := a.get(fmt.Sprintf("/analysis/followup/%d?f=csv", id), 200)
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	series, effect := 0, ""
	for _, r := range rows[1:] {
		if r[0] == "series" {
			series++
		}
		if r[0] == "estimate" && r[1] == "effect" {
			effect = r[9]
		}
	}
	if series != 24*len(f.Series) {
		t.Errorf("%d series rows, want %d", series, 24*len(f.Series))
	}
	if got, _ := strconv.ParseFloat(effect, 64); got != e.Effect {
		t.Errorf("CSV effect %q, JSON %v", effect, e.Effect)
	}

	// Quarters and harm weighting.
	q := getFollowup(a, fmt.Sprintf("/analysis/followup/%d?period=quarter&weighting=harm&k=2", id))
	if q.PrePeriods != 4 || q.PostPeriods != 4 || len(q.Comparison) != 2 || q.Estimate == nil {
		t.Errorf("quarterly: %d pre, %d post, %d comparisons", q.PrePeriods, q.PostPeriods, len(q.Comparison))
	}
}

func TestFollowupBuffer(t *testing.T) {
	a := newAPI(t)
	id := interventionID(t, "Kamerabevakning Vasaparken") // a geometry, no target districts
	f := getFollowup(a, fmt.Sprintf("/analysis/followup/%d?buffer=300", id))
	if f.Target.Method != "buffer" || !slices.Contains(f.Target.Districts, "1980-CENTRUM") || f.Target.Population <= 0 {
		t.Fatalf("target %+v, want a buffer in Centrum with a population", f.Target)
	}
	want := count(t, `SELECT count(*) FROM observations o JOIN interventions i ON i.id = $1
		WHERE ST_DWithin(o.geom, i.geom, 300) AND o.observed_at >= $2::date AND o.observed_at < $3::date`,
		id, f.Periods[0].Start, f.Periods[len(f.Periods)-1].End)
	got := int64(0)
	for _, c := range f.Series[0].Counts {
		got += c
	}
	if got != want {
		t.Errorf("%d observations in the buffer, SQL says %d", got, want)
	}
	if !f.caveat("buffer_area") {
		t.Errorf("no buffer caveat: %+v", f.Caveats)
	}
	if f.Estimate == nil {
		t.Error("no estimate")
	}
}

func TestFollowupShortPost(t *testing.T) {
	a := newAPI(t)
	id := interventionID(t, "Riktad polisnärvaro Bjurhovda centrum") // 2024-09-01: four months of data after
	f := getFollowup(a, fmt.Sprintf("/analysis/followup/%d", id))
	if f.PostPeriods != 4 || !f.caveat("short_post") {
		t.Errorf("%d post periods, caveats %+v; want 4 and a short follow-up caveat", f.PostPeriods, f.Caveats)
	}
}

func TestFollowupProblems(t *testing.T) {
	a := newAPI(t)
	id := interventionID(t, "Kamerabevakning Bäckby torg")
	later := interventionID(t, "Scouting i Skiljebo") // starts after the data end
	for _, tc := range []struct {
		path, param string
		status      int
	}{
		{fmt.Sprintf("/analysis/followup/%d?period=week", id), "period", 400},
		{fmt.Sprintf("/analysis/followup/%d?pre=1", id), "pre", 400},
		{fmt.Sprintf("/analysis/followup/%d?weighting=severe", id), "weighting", 400},
		{fmt.Sprintf("/analysis/followup/%d?k=0", id), "k", 400},
		{fmt.Sprintf("/analysis/followup/%d?colour=red", id), "colour", 400},
		{fmt.Sprintf("/analysis/followup/%d?f=xml", id), "f", 400},
		{"/analysis/followup/abc", "interventionId", 400},
		{fmt.Sprintf("/analysis/followup/%d", later), "interventionId", 400},
		{"/analysis/followup/999999", "", 404},
	} {
		var p struct{ Param string }
		a.getJSON(tc.path, tc.status, &p)
		if p.Param != tc.param {
			t.Errorf("%s: param %q, want %q", tc.path, p.Param, tc.param)
		}
	}
}
