package report

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/disclose"
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/kde"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

type row struct {
	Code, Name    string
	Current, Prev int64
	ChangePct     *float64
	Cells         []int64 // per category, current period
}

// Pilot is one ranked area of the priority analysis as the report shows it.
type Pilot struct {
	Code, Name string
	Index      float64
	Rank       int
	Pilot      bool
	Class      string
}

type place struct {
	Name, District string
	Density        float64
	Count          int
	ChangePct      *float64
}

type intervention struct {
	ID                         int64
	Title, Status, Lead, Start string
	Partners                   string
	Districts                  int
}

type horizon struct {
	Key, Name     string
	Interventions []intervention
}

type followup struct {
	Title, Start string
	Note         string // why there is no follow-up; the other fields are then empty
	Effect       *float64
	Lo, Hi       float64
	Comparison   string
	Caveats      []string
}

// category is a column of the observations table: its API key and its word.
type category struct {
	Key, Name string
}

// data is what the template shows.
type data struct {
	Lang, From, To, PrevFrom, PrevTo, Notice string
	// Length is the length of the period and of the previous one, in words ("12 månader").
	Length string
	T      text
	// MadeBy says who made the report (organisation and role); Basis which rows its figures
	// are made from, which depends on the caller's clearance.
	MadeBy, Basis             string
	Categories                []category
	Rows                      []row
	Total                     row
	Classes                   []layers.Classification
	IndicatorName             string
	IndicatorYear             int
	ChoroplethSVG, HotspotSVG template.HTML
	Legend                    []legendItem
	HotLegend                 []legendItem
	Scenario                  string
	Pilots                    []Pilot
	Places                    []place
	Horizons                  []horizon
	Followups                 []followup
	FollowupUnit              string
	Generated                 string
	// MinCount, when not 0, is the disclosure threshold the counts are shown under
	// (--aggregated-only; showCount).
	MinCount int
}

type legendItem struct {
	Colour, Label string
}

// districts are the report's districts: codes in the store's order and their names.
type districts struct {
	list  []layers.FollowupDistrict
	names map[string]string
}

// assemble reads and computes every section of the report q asks for.
func (r *Report) assemble(ctx context.Context, q *request) (*data, error) {
	end := q.to.AddDate(0, 0, 1) // to is inclusive
	prevFrom, length := previousFrom(q.from, end, q.t)
	d := &data{Lang: q.lang, T: q.t, From: ymd(q.from), To: ymd(q.to), PrevFrom: ymd(prevFrom), PrevTo: ymd(q.from.AddDate(0, 0, -1)),
		Length: length, Scenario: q.scenario, Notice: notice(q.t, r.deps.Notice), Generated: r.deps.Now().UTC().Format("2006-01-02 15:04 UTC"),
		MinCount: r.deps.MinCount}
	d.MadeBy, d.Basis = madeBy(q.lang, q.t, q.who), basis(q.lang, q.t, q.who, r.deps.MinCount)
	list, err := r.deps.Store.FollowupDistricts(ctx)
	if err != nil {
		return nil, err
	}
	dists := districts{list: list, names: map[string]string{}}
	for _, dist := range list {
		dists.names[dist.Code] = dist.Name
	}
	if err := r.observations(ctx, d, dists, prevFrom, q.from, end); err != nil {
		return nil, err
	}
	if d.Classes, err = r.deps.Store.Classifications(ctx, q.from, end); err != nil {
		return nil, err
	}
	lastYear, err := r.maps(ctx, d, q, dists.names, end)
	if err != nil {
		return nil, err
	}
	if d.Pilots, err = r.pilots(ctx, q.scenario, min(q.to.Year(), lastYear)); err != nil {
		return nil, err
	}
	if d.Places, err = r.places(ctx, dists.names, end); err != nil {
		return nil, err
	}
	spans, err := r.deps.Store.InterventionSpans(ctx)
	if err != nil {
		return nil, err
	}
	d.Horizons = plan(spans, q.t, q.from)
	d.FollowupUnit = q.t["fu_unit"]
	if r.deps.FollowupHarm {
		d.FollowupUnit = q.t["fu_unit_harm"]
	}
	if d.Followups, err = r.followups(ctx, q.lang, q.t, spans, q.to); err != nil {
		return nil, err
	}
	return d, nil
}

// notice is the illustrative-data notice in t's language when the server gives one.
func notice(t text, given string) string {
	if given == "" {
		return ""
	}
	return t["notice"]
}

// previousFrom is the start of the period before [from, end) of the same length, which ends
// the day before from: as many calendar months when the period is whole months (2024 against
// 2023, leap day or not), otherwise as many days. length is that length in t's words.
func previousFrom(from, end time.Time, t text) (prev time.Time, length string) {
	if from.Day() == 1 && end.Day() == 1 {
		months := (end.Year()-from.Year())*12 + int(end.Month()-from.Month())
		return from.AddDate(0, -months, 0), plural(t, months, "month")
	}
	days := int(end.Sub(from).Hours() / 24)
	return from.AddDate(0, 0, -days), plural(t, days, "day")
}

// plural is n with the word of unit (month, day) in t, singular for 1.
func plural(t text, n int, unit string) string {
	if n == 1 {
		return "1 " + t[unit]
	}
	return strconv.Itoa(n) + " " + t[unit+"s"]
}

// observations is section 1: observations by district and category in [from, end) against
// [prevFrom, from).
func (r *Report) observations(ctx context.Context, d *data, dists districts, prevFrom, from, end time.Time) error {
	counts, err := r.deps.Store.CategoryCounts(ctx, prevFrom, from, end)
	if err != nil {
		return err
	}
	cats := map[string]int64{}
	for _, cc := range counts {
		cats[cc.Category] += cc.Current + cc.Previous
	}
	for k := range cats {
		d.Categories = append(d.Categories, category{Key: k, Name: Label(d.Lang, k)})
	}
	slices.SortFunc(d.Categories, func(a, b category) int {
		return cmp.Or(cmp.Compare(cats[b.Key], cats[a.Key]), cmp.Compare(a.Key, b.Key))
	})
	byCode := map[string]*row{}
	for _, dist := range dists.list {
		byCode[dist.Code] = &row{Code: dist.Code, Name: dist.Name, Cells: make([]int64, len(d.Categories))}
	}
	d.Total = row{Name: d.T["total"], Cells: make([]int64, len(d.Categories))}
	for _, cc := range counts {
		rw := byCode[cc.DistrictCode]
		if rw == nil {
			continue
		}
		k := slices.IndexFunc(d.Categories, func(c category) bool { return c.Key == cc.Category })
		for _, x := range []*row{rw, &d.Total} {
			x.Cells[k] += cc.Current
			x.Current += cc.Current
			x.Prev += cc.Previous
		}
	}
	for _, dist := range dists.list {
		rw := byCode[dist.Code]
		rw.ChangePct = changePct(rw.Current, rw.Prev)
		d.Rows = append(d.Rows, *rw)
	}
	slices.SortStableFunc(d.Rows, func(a, b row) int { return cmp.Compare(b.Current, a.Current) })
	d.Total.ChangePct = changePct(d.Total.Current, d.Total.Prev)
	if d.MinCount > 0 {
		discloseRows(d)
	}
	return nil
}

// discloseRows shows the counts as the aggregated view does (web's disclosure rules): a
// change only between shown counts, and the rows ordered by what is shown, then by name,
// since the exact order would rank the hidden counts.
func discloseRows(d *data) {
	k := int64(d.MinCount)
	for _, rw := range append([]*row{&d.Total}, rowPointers(d.Rows)...) {
		rw.ChangePct = nil
		if rw.Current >= k && rw.Prev >= k {
			rw.ChangePct = changePct(disclose.RoundCount(rw.Current, d.MinCount), disclose.RoundCount(rw.Prev, d.MinCount))
		}
	}
	shown := func(n int64) int64 {
		if n < k {
			return 0
		}
		return disclose.RoundCount(n, d.MinCount)
	}
	slices.SortStableFunc(d.Rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(shown(b.Current), shown(a.Current)), cmp.Compare(a.Name, b.Name))
	})
}

// maps is section 2: the indicator's choropleth in its last year up to the period's end, and
// the Gi* hot spots of the period. It returns the last year any indicator has a value.
func (r *Report) maps(ctx context.Context, d *data, q *request, names map[string]string, end time.Time) (lastYear int, err error) {
	shapes, err := r.districtShapes(ctx)
	if err != nil {
		return 0, err
	}
	inds, err := r.deps.Store.AllIndicatorValues(ctx)
	if err != nil {
		return 0, err
	}
	if err := indicatorMap(d, q, inds, shapes, names); err != nil {
		return 0, err
	}
	if err := r.hotspotMap(ctx, d, shapes, names, q.from, end); err != nil {
		return 0, err
	}
	return latestYear(inds), nil
}

// districtShapes are the districts' geometries in EPSG:3006 by code.
func (r *Report) districtShapes(ctx context.Context) (map[string]orb.Geometry, error) {
	geoms, err := r.deps.Store.AreaGeometries(ctx, "district", crs.SWEREF99TM)
	if err != nil {
		return nil, err
	}
	shapes := map[string]orb.Geometry{}
	for code, raw := range geoms {
		g, err := geojson.UnmarshalGeometry(raw)
		if err != nil {
			return nil, fmt.Errorf("district %s geometry: %w", code, err)
		}
		shapes[code] = g.Geometry()
	}
	return shapes, nil
}

// indicatorMap draws q's indicator (by default low economic standard) in its last year up to
// the period's end.
func indicatorMap(d *data, q *request, inds *layers.IndicatorSeries, shapes map[string]orb.Geometry, names map[string]string) error {
	key := cmp.Or(q.indicator, "low_economic_standard")
	ix := slices.IndexFunc(inds.Catalogue, func(i layers.Indicator) bool { return i.Key == key })
	if ix < 0 {
		return layers.Invalid("indicator", "unknown indicator %q", key)
	}
	ind := inds.Catalogue[ix]
	year := 0
	for _, byYear := range inds.Values[ind.Key] {
		for y := range byYear {
			if y <= q.to.Year() && y > year {
				year = y
			}
		}
	}
	d.IndicatorYear = year
	d.IndicatorName = ind.NameSV
	if q.lang == "en" {
		d.IndicatorName = ind.NameEN
	}
	d.IndicatorName += " (" + ind.Unit + ")"
	values := map[string]float64{}
	for code, byYear := range inds.Values[ind.Key] {
		if v, ok := byYear[year]; ok {
			values[code] = v
		}
	}
	var choro mapSVG
	choro.init(shapes)
	d.Legend = choro.choropleth(d.Lang, shapes, names, values, ind.Direction == "higher_is_better", d.T["missing"])
	d.ChoroplethSVG = choro.finish(d.T["map_indicator"] + ": " + d.IndicatorName)
	return nil
}

// hotspotMap draws the Gi* hot spots of [from, end) in 150 m hexagons (band 450 m), from the
// same loader and analysis as /analysis/hotspots.
func (r *Report) hotspotMap(ctx context.Context, d *data, shapes map[string]orb.Geometry, names map[string]string, from, end time.Time) error {
	iv := &layers.Interval{Start: &from, End: &end}
	in, err := r.deps.Store.HotspotInputs(ctx, layers.HotspotQuery{Side: 150, Pad: 150, Filter: layers.ObservationFilter{Datetime: iv}})
	if err != nil {
		return err
	}
	hs, err := hotspot.HotSpots(hotspot.Input{Cells: in.Cells, Observations: in.Observations, Band: 450})
	if err != nil {
		return err
	}
	gi := hs.Results
	if d.MinCount > 0 { // the aggregated view's rules: no class for a suppressed cell
		for k := range gi {
			if hs.Count[k] < int64(d.MinCount) {
				gi[k].Bin = 0
			}
		}
	}
	var hot mapSVG
	hot.init(shapes)
	hot.outlines(shapes, names)
	d.HotLegend = hot.hexagons(d.Lang, in.Cells, gi, d.T)
	d.HotspotSVG = hot.finish(d.T["map_hot"])
	return nil
}

// pilots is section 3: the districts ranked by need under scenario in year.
func (r *Report) pilots(ctx context.Context, scenario string, year int) ([]Pilot, error) {
	pilots, err := r.deps.Pilots(ctx, scenario, year)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(pilots, func(a, b Pilot) int { return cmp.Compare(a.Rank, b.Rank) })
	return pilots, nil
}

// places is section 4: the ten places of highest kernel density in the last 28 days before
// end, with the change against the 28 days before.
func (r *Report) places(ctx context.Context, names map[string]string, end time.Time) ([]place, error) {
	curStart := end.Add(-28 * 24 * time.Hour)
	h := kde.DefaultBandwidth
	near, err := r.deps.Store.PlacesNear(ctx, h, curStart.Add(-28*24*time.Hour), curStart, end, layers.ObservationFilter{})
	if err != nil {
		return nil, err
	}
	k := r.deps.MinCount
	var out []place
	for _, p := range near {
		cur, prev := r.deps.PlaceDensities(p, h)
		n := len(p.Current)
		if k > 0 { // as /analysis/hotspots/places answers it
			if n < k || len(p.Previous) < k {
				continue
			}
			cur, prev, n = disclose.Significant(cur, 2), disclose.Significant(prev, 2), int(disclose.RoundCount(int64(n), k))
		}
		rp := place{Name: p.Name, Density: cur, Count: n}
		if p.DistrictCode != nil {
			rp.District = names[*p.DistrictCode]
		}
		if prev > 0 {
			rp.ChangePct = respond.Finite(respond.Round(100*(cur-prev)/prev, 0))
		}
		out = append(out, rp)
	}
	slices.SortStableFunc(out, func(a, b place) int { return cmp.Compare(b.Density, a.Density) })
	return out[:min(10, len(out))], nil
}

// plan is section 5: the interventions not ended before from, by horizon of the EST method.
func plan(spans []layers.InterventionSpan, t text, from time.Time) []horizon {
	var out []horizon
	for _, hz := range []string{"vinna_slaget", "vinna_kriget", "bygga_freden"} {
		group := horizon{Key: hz, Name: t[hz]}
		for _, sp := range spans {
			if sp.Horizon != hz || (sp.End != nil && sp.End.Before(from)) {
				continue
			}
			start := "–"
			if sp.Start != nil {
				start = ymd(*sp.Start)
			}
			group.Interventions = append(group.Interventions, intervention{ID: sp.ID, Title: sp.Title, Status: sp.Status,
				Lead: sp.LeadOrg, Start: start, Partners: strings.Join(sp.Partners, ", "), Districts: len(sp.Districts)})
		}
		out = append(out, group)
	}
	return out
}

// latestYear is the last year any indicator has a value for.
func latestYear(inds *layers.IndicatorSeries) int {
	y := 0
	for _, byCode := range inds.Values {
		for _, byYear := range byCode {
			for yr := range byYear {
				y = max(y, yr)
			}
		}
	}
	return y
}

func rowPointers(rows []row) []*row {
	out := make([]*row, len(rows))
	for k := range rows {
		out[k] = &rows[k]
	}
	return out
}

// showCount shows a count of the report in lang: exact when k is 0; otherwise, as the
// aggregated view shows counts, 0 as 0, one to k-1 as "<k", and the rest rounded to a
// multiple of k.
func showCount(lang string, n int64, k int) string {
	switch {
	case k == 0 || n == 0:
		return Count(lang, n)
	case n < int64(k):
		return "<" + strconv.Itoa(k)
	}
	return Count(lang, disclose.RoundCount(n, k))
}

func changePct(cur, prev int64) *float64 {
	if prev == 0 {
		return nil
	}
	return respond.Finite(respond.Round(100*float64(cur-prev)/float64(prev), 1))
}

func ymd(t time.Time) string { return t.Format(time.DateOnly) }
