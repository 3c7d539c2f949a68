package report

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/disclose"
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/kde"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The weekly meeting ("Veckans lägesbild") is the agenda of the operational group's weekly
// EST meeting: what changed since the last meeting. It composes the analyses the APIs
// answer with — the places' densities (/analysis/hotspots/places), Gi* and emerging hot
// spots (/analysis/hotspots), the plans' delivery (/deployment/plans/{id}/delivery) and the
// interventions — from the same loaders in layers and computations in geo, and links every
// line to the answer its numbers come from.

const (
	// maxWeekDays bounds the window since the last meeting: a quarter. The analyses it runs
	// grow with the window (two Gi* runs over it) and with the emerging analysis's twelve
	// months, whatever the window.
	maxWeekDays = 92
	// weekListed bounds every list of the agenda: an agenda, not an inventory.
	weekListed = 8
	// weekSide and weekBand are the hot spot cells and the distance band, as the report's map.
	weekSide, weekBand = 150.0, 450.0
	// emergingMonths are the monthly slices of the emerging analysis, up to the meeting.
	emergingMonths = 12
	// deliveryRadius is the radius of the plans' delivery answer (observations near a target;
	// the agenda shows visits only).
	deliveryRadius = 250.0
	// followupDueMonths: the default follow-up's twelve months after the start are complete.
	followupDueMonths = 12
)

// Week is the agenda of one weekly meeting: the answer of GET /analysis/week and what the
// printable page GET /report/week shows.
type Week struct {
	Since    string     `json:"since"` // the day of the last meeting
	To       string     `json:"to"`    // the last day counted (inclusive)
	Days     int        `json:"days"`
	Previous WeekPeriod `json:"previous"` // as long, ending the day before Since
	// Clearance is what the caller may read: the figures are made from those rows only, and
	// differ between organisations of different clearance.
	Clearance               layers.DataClass `json:"clearance"`
	FiguresDependOnClearing bool             `json:"figures_depend_on_clearance"`
	// MinCount, when not 0, is the disclosure threshold the counts are shown under.
	MinCount      int               `json:"min_count,omitempty"`
	Places        WeekPlaces        `json:"places"`
	Hotspots      WeekHotspots      `json:"hotspots"`
	Emerging      []WeekCell        `json:"emerging"`
	Presence      []WeekPlan        `json:"presence"`
	Interventions WeekInterventions `json:"interventions"`
	Links         map[string]string `json:"links"`
	Notice        string            `json:"notice,omitempty"`
}

// WeekPeriod is a period of whole days, both inclusive.
type WeekPeriod struct {
	Since string `json:"since"`
	To    string `json:"to"`
}

// WeekPlaces are the places whose density rose or fell most against the previous period.
type WeekPlaces struct {
	Rising  []WeekPlace `json:"rising"`
	Falling []WeekPlace `json:"falling"`
}

// WeekPlace is one place's observations and kernel density (per km², bandwidth
// kde.DefaultBandwidth) in the period and the previous one.
type WeekPlace struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	District        string   `json:"district"`
	Count           int64    `json:"count"`
	PreviousCount   int64    `json:"previous_count"`
	Density         float64  `json:"density"`
	PreviousDensity float64  `json:"previous_density"`
	ChangePct       *float64 `json:"change_pct"`
	Link            string   `json:"link"` // the places ranking of the same periods
	Item            string   `json:"item"` // the place
}

// WeekHotspots are the significant (95 % or more) Gi* hot spot cells of the period that
// were not in the previous one (new) and those of the previous one that are no longer
// (ended).
type WeekHotspots struct {
	New   []WeekCell `json:"new"`
	Ended []WeekCell `json:"ended"`
}

// WeekCell is one hexagon of the hot spot analyses, located by its district and nearest
// place.
type WeekCell struct {
	Cell     string     `json:"cell"`  // i_j, as /analysis/hotspots names it: the strongest of the line
	Cells    int        `json:"cells"` // significant cells near the same place (hot spots: new and ended)
	Centroid [2]float64 `json:"centroid"`
	District string     `json:"district"`
	Place    string     `json:"place,omitempty"` // the nearest place within 500 m
	Z        float64    `json:"z"`
	Bin      int        `json:"bin"`
	// Count is, for a hot spot, the observations in the cells within the distance band (450 m)
	// of the strongest cell, itself included, in the period (PreviousCount: the previous one);
	// for an emerging pattern, those of the cell in the twelve months.
	Count         int64   `json:"count"`
	PreviousBin   int     `json:"previous_bin"`
	PreviousCount int64   `json:"previous_count"`
	Pattern       string  `json:"pattern,omitempty"` // emerging only
	TrendZ        float64 `json:"trend_z,omitempty"` // emerging only
	HotSlices     int     `json:"hot_slices,omitempty"`
	Link          string  `json:"link"`
}

// WeekPlan is a deployment plan in force during the period with planned against delivered
// visits per target over the plan weeks that overlap it.
type WeekPlan struct {
	ID      int64        `json:"id"`
	Name    string       `json:"name"`
	Targets []WeekTarget `json:"targets"`
	Link    string       `json:"link"`
}

// WeekTarget is one target of a plan.
type WeekTarget struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	PlannedVisits    int     `json:"planned_visits"`
	DeliveredVisits  int     `json:"delivered_visits"`
	PlannedMinutes   float64 `json:"planned_minutes"`
	DeliveredMinutes float64 `json:"delivered_minutes"`
}

// WeekInterventions are the interventions starting or ending in the period and those whose
// follow-up is due or overdue.
type WeekInterventions struct {
	Starting    []WeekIntervention `json:"starting"`
	Ending      []WeekIntervention `json:"ending"`
	FollowupDue []WeekIntervention `json:"followup_due"`
}

// WeekIntervention is one intervention on the agenda.
type WeekIntervention struct {
	ID       int64   `json:"id"`
	Title    string  `json:"title"`
	Status   string  `json:"status"`
	Horizon  string  `json:"horizon"`
	Lead     string  `json:"lead"`
	Start    *string `json:"start"`
	End      *string `json:"end"`
	Reason   string  `json:"reason,omitempty"` // followup_due: one_year or ended_still_open
	Link     string  `json:"link"`             // the intervention
	Followup string  `json:"followup"`         // its follow-up
}

// weekPeriod reads since and to (YYYY-MM-DD): by default the seven days up to the last
// observation's day.
func (r *Report) weekPeriod(ctx context.Context, v url.Values) (since, to time.Time, err error) {
	_, last, err := r.deps.Store.ObservationSpan(ctx)
	if err != nil {
		return since, to, err
	}
	to = last.UTC().Truncate(24 * time.Hour)
	if raw := v.Get("to"); raw != "" {
		if to, err = time.Parse(time.DateOnly, raw); err != nil {
			return since, to, layers.Invalid("to", "%q is not a date YYYY-MM-DD", raw)
		}
	}
	since = to.AddDate(0, 0, -6)
	if raw := v.Get("since"); raw != "" {
		if since, err = time.Parse(time.DateOnly, raw); err != nil {
			return since, to, layers.Invalid("since", "%q is not a date YYYY-MM-DD", raw)
		}
	}
	if since.After(to) {
		return since, to, layers.Invalid("since", "%s is after to %s", ymd(since), ymd(to))
	}
	if days := int(to.Sub(since).Hours()/24) + 1; days > maxWeekDays {
		return since, to, layers.Invalid("since", "the meeting covers %d days; at most %d", days, maxWeekDays)
	}
	return since, to, nil
}

// week assembles the agenda of [since, to] (to inclusive) for the caller of ctx.
func (r *Report) week(ctx context.Context, since, to time.Time, base string, who *layers.Principal) (*Week, error) {
	end := to.AddDate(0, 0, 1)
	days := int(end.Sub(since).Hours() / 24)
	prev := since.AddDate(0, 0, -days)
	w := &Week{Since: ymd(since), To: ymd(to), Days: days, Previous: WeekPeriod{Since: ymd(prev), To: ymd(since.AddDate(0, 0, -1))},
		Clearance: who.Clearance(), FiguresDependOnClearing: true, MinCount: r.deps.MinCount, Notice: r.deps.Notice,
		Links: map[string]string{
			"self":      base + "/analysis/week?since=" + ymd(since) + "&to=" + ymd(to),
			"printable": base + "/report/week?since=" + ymd(since) + "&to=" + ymd(to),
		}}
	list, err := r.deps.Store.FollowupDistricts(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, d := range list {
		names[d.Code] = d.Name
	}
	shapes, err := r.districtShapes(ctx)
	if err != nil {
		return nil, err
	}
	near, err := r.deps.Store.PlacesNear(ctx, kde.DefaultBandwidth, prev, since, end, layers.ObservationFilter{})
	if err != nil {
		return nil, err
	}
	r.weekPlaces(w, near, names, base, prev, since, end)
	loc := locator{shapes: shapes, names: names, places: near}
	if err := r.weekHotspots(ctx, w, loc, base, prev, since, end); err != nil {
		return nil, err
	}
	if err := r.weekEmerging(ctx, w, loc, base, end); err != nil {
		return nil, err
	}
	if err := r.weekPresence(ctx, w, who, base, since, end); err != nil {
		return nil, err
	}
	spans, err := r.deps.Store.InterventionSpans(ctx)
	if err != nil {
		return nil, err
	}
	w.Interventions = weekInterventions(spans, base, since, end)
	return w, nil
}

// weekPlaces ranks the places by the change of their density, as /analysis/hotspots/places
// computes it (and, under the aggregated view, discloses it).
func (r *Report) weekPlaces(w *Week, near []layers.HotspotPlace, names map[string]string, base string, prev, since, end time.Time) {
	k := r.deps.MinCount
	link := base + "/analysis/hotspots/places?limit=1000&datetime=" + url.QueryEscape(since.Format(time.RFC3339)+"/"+end.Format(time.RFC3339))
	var all []WeekPlace
	for _, p := range near {
		cur, before := r.deps.PlaceDensities(p, kde.DefaultBandwidth)
		n, pn := int64(len(p.Current)), int64(len(p.Previous))
		if n == 0 && pn == 0 {
			continue
		}
		if k > 0 {
			if n < int64(k) || pn < int64(k) {
				continue
			}
			cur, before = disclose.Significant(cur, 2), disclose.Significant(before, 2)
			n, pn = disclose.RoundCount(n, k), disclose.RoundCount(pn, k)
		}
		wp := WeekPlace{ID: p.ID, Name: p.Name, Count: n, PreviousCount: pn, Density: respond.Round(cur, 1), PreviousDensity: respond.Round(before, 1),
			Link: link, Item: base + "/collections/places/items/" + strconv.FormatInt(p.ID, 10)}
		if p.DistrictCode != nil {
			wp.District = names[*p.DistrictCode]
		}
		if before > 0 {
			wp.ChangePct = respond.Finite(respond.Round(100*(cur-before)/before, 0))
		}
		all = append(all, wp)
	}
	change := func(p WeekPlace) float64 { return p.Density - p.PreviousDensity }
	slices.SortStableFunc(all, func(a, b WeekPlace) int {
		return cmp.Or(cmp.Compare(change(b), change(a)), cmp.Compare(a.Name, b.Name))
	})
	for _, p := range all {
		if change(p) > 0 && len(w.Places.Rising) < weekListed {
			w.Places.Rising = append(w.Places.Rising, p)
		}
	}
	for k := len(all) - 1; k >= 0; k-- {
		if change(all[k]) < 0 && len(w.Places.Falling) < weekListed {
			w.Places.Falling = append(w.Places.Falling, all[k])
		}
	}
	w.Places.Rising, w.Places.Falling = nonNil(w.Places.Rising), nonNil(w.Places.Falling)
}

// giCell is the Gi* result of one cell in one period.
type giCell struct {
	res  hotspot.Result
	i, j int
}

// within is the number of points in the cells whose centres are within the distance band of
// cell i, j's centre, itself included: what its z-score weighs.
func within(points []orb.Point, i, j int) int64 {
	centre := hotspot.HexCentre(i, j, weekSide)
	var n int64
	for _, p := range points {
		pi, pj := hotspot.HexCellOf(p, weekSide)
		if planar.Distance(centre, hotspot.HexCentre(pi, pj, weekSide)) <= weekBand+hotspot.BandTolerance { // as DistanceBand
			n++
		}
	}
	return n
}

// gi runs the report's Gi* (150 m hexagons, band 450 m) on [from, end), with the aggregated
// view's rule: no class for a cell under the threshold.
func (r *Report) gi(ctx context.Context, from, end time.Time) (map[string]giCell, []orb.Point, error) {
	iv := &layers.Interval{Start: &from, End: &end}
	in, err := r.deps.Store.HotspotInputs(ctx, layers.HotspotQuery{Side: weekSide, Pad: weekSide, Filter: layers.ObservationFilter{Datetime: iv}})
	if err != nil {
		return nil, nil, err
	}
	out := map[string]giCell{}
	if in.Cells.Len() < 2 {
		return out, nil, nil
	}
	hs, err := hotspot.HotSpots(hotspot.Input{Cells: in.Cells, Observations: in.Observations, Band: weekBand})
	if err != nil {
		return nil, nil, err
	}
	for k, g := range hs.Results {
		if r.deps.MinCount > 0 && hs.Count[k] < int64(r.deps.MinCount) {
			g.Bin = 0
		}
		c := giCell{res: g, i: in.Cells.I[k], j: in.Cells.J[k]}
		out[cellKey(c.i, c.j)] = c
	}
	return out, in.Observations.Points, nil
}

func cellKey(i, j int) string { return strconv.Itoa(i) + "_" + strconv.Itoa(j) }

// weekHotspots compares the significant hot spots of the period with the previous one's.
func (r *Report) weekHotspots(ctx context.Context, w *Week, loc locator, base string, prev, since, end time.Time) error {
	now, nowPts, err := r.gi(ctx, since, end)
	if err != nil {
		return err
	}
	before, beforePts, err := r.gi(ctx, prev, since)
	if err != nil {
		return err
	}
	link := func(from, to time.Time) string {
		return base + "/analysis/hotspots?side=150&band=450&datetime=" + url.QueryEscape(from.Format(time.RFC3339)+"/"+to.Format(time.RFC3339))
	}
	hot := func(c giCell, ok bool) bool { return ok && c.res.Bin >= 2 }
	// line is the cell whose z (and bin) line shows, significant in the period of link; the
	// counts are of both periods.
	line := func(key string, c giCell, l string) WeekCell {
		wc := loc.cell(c.i, c.j)
		wc.Cell, wc.Z, wc.Link = key, respond.Round(c.res.Z, 2), l
		wc.Count, wc.PreviousCount = r.shown(within(nowPts, c.i, c.j)), r.shown(within(beforePts, c.i, c.j))
		if n, ok := now[key]; ok {
			wc.Bin = n.res.Bin
		}
		if p, ok := before[key]; ok {
			wc.PreviousBin = p.res.Bin
		}
		return wc
	}
	for key, c := range now {
		p, pok := before[key]
		if hot(c, true) && !hot(p, pok) {
			w.Hotspots.New = append(w.Hotspots.New, line(key, c, link(since, end)))
		}
	}
	for key, p := range before {
		c, ok := now[key]
		if hot(p, true) && !hot(c, ok) {
			w.Hotspots.Ended = append(w.Hotspots.Ended, line(key, p, link(prev, since)))
		}
	}
	w.Hotspots.New, w.Hotspots.Ended = grouped(w.Hotspots.New), grouped(w.Hotspots.Ended)
	return nil
}

// grouped is one line per place (or district without a place near) of cells: the strongest
// cell with its numbers and the number of cells; strongest first, at most weekListed. Neighbouring hexagons of one hot spot are one thing to talk about.
func grouped(cells []WeekCell) []WeekCell {
	slices.SortFunc(cells, func(a, b WeekCell) int { return cmp.Or(cmp.Compare(b.Z, a.Z), cmp.Compare(a.Cell, b.Cell)) })
	out := []WeekCell{}
	at := map[string]int{}
	for _, c := range cells {
		key := c.District + "|" + c.Place
		if k, ok := at[key]; ok {
			out[k].Cells++
			continue
		}
		c.Cells = 1
		at[key] = len(out)
		out = append(out, c)
	}
	return out[:min(weekListed, len(out))]
}

// shown is a count as the caller may see it: rounded under the aggregated view.
func (r *Report) shown(n int64) int64 {
	if r.deps.MinCount > 0 && n >= int64(r.deps.MinCount) {
		return disclose.RoundCount(n, r.deps.MinCount)
	}
	if r.deps.MinCount > 0 {
		return 0
	}
	return n
}

// emergingShown are the patterns the agenda lists, the most pressing first: the hot spot
// patterns (ArcGIS Pro's categories), cold spots and no pattern left out.
var emergingShown = []hotspot.Pattern{hotspot.NewHot, hotspot.IntensifyingHot, hotspot.ConsecutiveHot, hotspot.PersistentHot,
	hotspot.SporadicHot, hotspot.OscillatingHot, hotspot.DiminishingHot, hotspot.HistoricalHot}

// weekEmerging lists the cells with a hot spot pattern in the emerging analysis of the
// twelve months up to the meeting (monthly slices), the most pressing pattern first, one
// line per place.
func (r *Report) weekEmerging(ctx context.Context, w *Week, loc locator, base string, end time.Time) error {
	from := end.AddDate(0, -emergingMonths, 0)
	iv := &layers.Interval{Start: &from, End: &end}
	in, err := r.deps.Store.HotspotInputs(ctx, layers.HotspotQuery{Side: weekSide, Pad: weekSide, Filter: layers.ObservationFilter{Datetime: iv}})
	if err != nil {
		return err
	}
	w.Emerging = []WeekCell{}
	if in.Cells.Len() < 2 || len(in.Observations.Times) == 0 {
		return nil
	}
	last := end.Add(-time.Nanosecond)
	a, err := hotspot.EmergingHotSpots(hotspot.EmergingInput{Cells: in.Cells, Observations: in.Observations, Band: weekBand,
		Unit: hotspot.SliceMonth, From: &from, To: &last})
	if err != nil {
		return err
	}
	link := base + "/analysis/hotspots?method=emerging&side=150&band=450&slice=month&datetime=" +
		url.QueryEscape(from.Format(time.RFC3339)+"/"+last.Truncate(time.Second).Format(time.RFC3339))
	for k, e := range a.Results {
		if !slices.Contains(emergingShown, e.Pattern) || (r.deps.MinCount > 0 && a.Count[k] < int64(r.deps.MinCount)) {
			continue
		}
		wc := loc.cell(in.Cells.I[k], in.Cells.J[k])
		wc.Cell, wc.Pattern, wc.TrendZ, wc.HotSlices, wc.Link = cellKey(in.Cells.I[k], in.Cells.J[k]), e.Pattern.String(), respond.Round(e.Trend.Z, 2), e.Hot, link
		wc.Z, wc.Count = respond.Round(e.Z[len(e.Z)-1], 2), r.shown(a.Count[k])
		w.Emerging = append(w.Emerging, wc)
	}
	rank := func(c WeekCell) int {
		return slices.IndexFunc(emergingShown, func(p hotspot.Pattern) bool { return p.String() == c.Pattern })
	}
	slices.SortFunc(w.Emerging, func(a, b WeekCell) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(b.TrendZ, a.TrendZ), cmp.Compare(a.Cell, b.Cell))
	})
	out, seen := []WeekCell{}, map[string]bool{}
	for _, c := range w.Emerging {
		if key := c.Pattern + "|" + c.District + "|" + c.Place; !seen[key] && len(out) < weekListed {
			seen[key] = true
			out = append(out, c)
		}
	}
	w.Emerging = out
	return nil
}

// weekPresence is planned against delivered visits per target of every plan in force on a
// day of the period, over the plan weeks that overlap it (at most weekListed plans, the
// newest first, as /deployment/plans lists them).
func (r *Report) weekPresence(ctx context.Context, w *Week, who *layers.Principal, base string, since, end time.Time) error {
	w.Presence = []WeekPlan{}
	if !who.MayRead(layers.Internal) { // plans are internal; row-level security would show none anyway
		return nil
	}
	seen := map[int64]bool{}
	for day := since; day.Before(end) && len(w.Presence) < weekListed; day = day.AddDate(0, 0, 7) {
		plans, _, err := r.deps.Store.Plans(ctx, &day, weekListed, 0)
		if err != nil {
			return err
		}
		for _, p := range plans {
			if seen[p.ID] || len(w.Presence) >= weekListed {
				continue
			}
			seen[p.ID] = true
			targets, err := r.deps.Store.Delivery(ctx, p.ID, deliveryRadius, 0)
			if err != nil {
				return err
			}
			wp := WeekPlan{ID: p.ID, Name: p.Name, Targets: []WeekTarget{}, Link: base + "/deployment/plans/" + strconv.FormatInt(p.ID, 10) + "/delivery"}
			for _, t := range targets {
				wt := WeekTarget{ID: t.TargetID, Name: t.Name}
				for _, wk := range t.Weeks {
					start, err := time.Parse(time.DateOnly, wk.Start)
					if err != nil || !start.Before(end) || !start.AddDate(0, 0, 7).After(since) {
						continue
					}
					wt.PlannedVisits += wk.PlannedVisits
					wt.DeliveredVisits += wk.DeliveredVisits
					wt.PlannedMinutes += wk.PlannedMinutes
					wt.DeliveredMinutes += wk.DeliveredMinutes
				}
				if wt.PlannedVisits > 0 || wt.DeliveredVisits > 0 {
					wp.Targets = append(wp.Targets, wt)
				}
			}
			w.Presence = append(w.Presence, wp)
		}
	}
	return nil
}

// weekInterventions are the interventions starting or ending in [since, end), those whose
// first year (the default follow-up's twelve months after the start) ends in it, and those
// past their end date still not completed or cancelled.
func weekInterventions(spans []layers.InterventionSpan, base string, since, end time.Time) WeekInterventions {
	out := WeekInterventions{Starting: []WeekIntervention{}, Ending: []WeekIntervention{}, FollowupDue: []WeekIntervention{}}
	in := func(t *time.Time) bool { return t != nil && !t.Before(since) && t.Before(end) }
	for _, sp := range spans {
		wi := WeekIntervention{ID: sp.ID, Title: sp.Title, Status: sp.Status, Horizon: sp.Horizon, Lead: sp.LeadOrg,
			Link:     base + "/collections/interventions/items/" + strconv.FormatInt(sp.ID, 10),
			Followup: base + "/analysis/followup/" + strconv.FormatInt(sp.ID, 10)}
		if sp.Start != nil {
			wi.Start = new(ymd(*sp.Start))
		}
		if sp.End != nil {
			wi.End = new(ymd(*sp.End))
		}
		open := sp.Status == "active" || sp.Status == "planned" || sp.Status == "paused"
		if in(sp.Start) && len(out.Starting) < weekListed {
			out.Starting = append(out.Starting, wi)
		}
		if in(sp.End) && len(out.Ending) < weekListed {
			out.Ending = append(out.Ending, wi)
		}
		switch {
		case len(out.FollowupDue) >= weekListed:
		case sp.End != nil && sp.End.Before(since) && open:
			wi.Reason = "ended_still_open"
			out.FollowupDue = append(out.FollowupDue, wi)
		case sp.Start != nil && in(new(sp.Start.AddDate(0, followupDueMonths, 0))):
			wi.Reason = "one_year"
			out.FollowupDue = append(out.FollowupDue, wi)
		}
	}
	return out
}

// locator names where a hexagon is: its district (by its centre) and the nearest place
// within 500 m.
type locator struct {
	shapes map[string]orb.Geometry
	names  map[string]string
	places []layers.HotspotPlace
}

func (l locator) cell(i, j int) WeekCell {
	c := hotspot.HexCentre(i, j, weekSide)
	var wc WeekCell
	lon, lat := crs.FromSWEREF99TM(c[0], c[1])
	wc.Centroid = [2]float64{respond.Round(lon, 6), respond.Round(lat, 6)}
	for _, code := range sortedCodes(l.shapes) {
		if contains(l.shapes[code], c) {
			wc.District = l.names[code]
			break
		}
	}
	best := 500.0
	for _, p := range l.places {
		if d := planar.Distance(c, p.Point); d <= best {
			best, wc.Place = d, p.Name
		}
	}
	return wc
}

func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// serveWeekJSON answers GET /analysis/week: the agenda as JSON, codes not words.
func (r *Report) serveWeekJSON(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "since", "to"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	since, to, err := r.weekPeriod(ctx, c.QueryParams())
	if err != nil {
		return err
	}
	w, err := r.week(ctx, since, to, r.deps.Base(c), layers.PrincipalFrom(ctx))
	if err != nil {
		return err
	}
	return r.deps.Send(c, http.StatusOK, respond.MediaJSON, "no-store", respond.JSON(w))
}

// weekPage is what the printable weekly page shows.
type weekPage struct {
	*Week
	Lang, MadeBy, Basis, Generated, Notice, Length string
	T                                              text
}

// serveWeekPage answers GET /report/week: the agenda as a printable page (A4), in lang, or
// as PDF (f=pdf) printed as the report is.
func (r *Report) serveWeekPage(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "since", "to", "lang", "f"); err != nil {
		return err
	}
	v := c.QueryParams()
	lang := cmp.Or(v.Get("lang"), "sv")
	t, ok := texts[lang]
	if !ok {
		return layers.Invalid("lang", "%q is not sv or en", lang)
	}
	format := v.Get("f")
	if format != "" && format != "html" && format != "pdf" {
		return layers.Invalid("f", "%q is not html or pdf", format)
	}
	if format == "pdf" {
		release, err := r.printer.enter(c)
		if err != nil {
			return err
		}
		defer release()
	}
	ctx := c.Request().Context()
	since, to, err := r.weekPeriod(ctx, v)
	if err != nil {
		return err
	}
	who := layers.PrincipalFrom(ctx)
	w, err := r.week(ctx, since, to, r.deps.Base(c), who)
	if err != nil {
		return err
	}
	page := weekPage{Week: w, Lang: lang, T: t, MadeBy: madeBy(lang, t, who), Basis: basis(lang, t, who, r.deps.MinCount),
		Generated: r.deps.Now().UTC().Format("2006-01-02 15:04 UTC"), Notice: notice(t, r.deps.Notice), Length: plural(t, w.Days, "day")}
	tpl, err := parseTemplate("week.html", lang, r.deps.MinCount)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, page); err != nil {
		return fmt.Errorf("weekly page template: %w", err)
	}
	if format == "pdf" {
		pdf, err := r.printer.run(ctx, buf.Bytes())
		if err != nil {
			return err
		}
		return r.deps.Send(c, http.StatusOK, "application/pdf", "no-store", pdf)
	}
	return r.deps.Send(c, http.StatusOK, "text/html; charset=utf-8", "no-store", buf.Bytes())
}
