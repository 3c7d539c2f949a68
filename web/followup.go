package web

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/layers"
)

// Follow-up defaults and thresholds (issue 6).
const (
	defaultFollowupK      = 3
	defaultFollowupBuffer = 500.0 // metres around a drawn intervention without target districts
	placeRadius           = 250.0 // metres around a place for its neighbouring-place change
	smallCountPerPeriod   = 10    // fewer observations per period in the target: small numbers
	shortPostMonths       = 6     // a post period shorter than this is short
)

func (s *Server) followupRoutes(get func(string, echo.HandlerFunc)) {
	// A follow-up reads an intervention and the observations around it: internal data.
	internal := needClass(layers.Internal, "the follow-up of an intervention")
	get("/analysis/followup/:interventionId", func(c echo.Context) error { return internal(s.followupHandler)(c) })
}

// followupOptions are the parameters of one follow-up.
type followupOptions struct {
	Period    string  `json:"period"`
	Pre       int     `json:"pre"`
	Post      int     `json:"post"`
	Weighting string  `json:"weighting"`
	K         int     `json:"k"`
	Buffer    float64 `json:"buffer_m"`
	Draws     int     `json:"draws"`
	Seed      uint64  `json:"seed"`
}

func defaultFollowupOptions() followupOptions {
	return followupOptions{Period: "month", Pre: 12, Post: 12, Weighting: "count", K: defaultFollowupK,
		Buffer: defaultFollowupBuffer, Draws: did.DefaultDraws, Seed: 1}
}

func parseFollowupOptions(c echo.Context) (followupOptions, string, error) {
	if err := onlyParamsAny(c, "period", "pre", "post", "weighting", "k", "buffer", "draws", "seed", "f"); err != nil {
		return followupOptions{}, "", err
	}
	v := c.QueryParams()
	o := defaultFollowupOptions()
	switch p := v.Get("period"); p {
	case "", "month":
	case "quarter":
		o.Period, o.Pre, o.Post = "quarter", 4, 4
	default:
		return o, "", invalid("period", "%q is not month or quarter", p)
	}
	var err error
	if o.Pre, err = parseInt("pre", v.Get("pre"), o.Pre, 2, 120); err != nil {
		return o, "", err
	}
	if o.Post, err = parseInt("post", v.Get("post"), o.Post, 2, 120); err != nil {
		return o, "", err
	}
	switch w := v.Get("weighting"); w {
	case "", "count":
	case "harm":
		o.Weighting = "harm"
	default:
		return o, "", invalid("weighting", "%q is not count or harm", w)
	}
	if o.K, err = parseInt("k", v.Get("k"), o.K, 1, 10); err != nil {
		return o, "", err
	}
	if o.Buffer, err = parseFloat(v, "buffer", o.Buffer, 50, 5000); err != nil {
		return o, "", err
	}
	if o.Draws, err = parseInt("draws", v.Get("draws"), o.Draws, 100, 20000); err != nil {
		return o, "", err
	}
	seed, err := parseInt("seed", v.Get("seed"), 1, 0, math.MaxInt32)
	if err != nil {
		return o, "", err
	}
	o.Seed = uint64(seed)
	f := v.Get("f")
	switch f {
	case "":
		f = "json"
		if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv") {
			f = "csv"
		}
	case "json", "csv":
	default:
		return o, "", invalid("f", "%q is not json or csv", f)
	}
	return o, f, nil
}

func (s *Server) followupHandler(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("interventionId"), 10, 64)
	if err != nil || id < 1 {
		return invalid("interventionId", "%q is not a positive integer", c.Param("interventionId"))
	}
	opt, format, err := parseFollowupOptions(c)
	if err != nil {
		return err
	}
	res, err := s.followup(c.Request().Context(), id, opt)
	if err != nil {
		return err
	}
	if format == "csv" {
		return s.send(c, http.StatusOK, "text/csv; charset=utf-8", "no-store", followupCSV(res))
	}
	return s.sendJSON(c, mediaJSON, "no-store", res)
}

// ---- the answer ----

type followupPeriod struct {
	Index int    `json:"index"` // periods from the start: −pre … −1 before, 0 … post−1 after
	Start string `json:"start"`
	End   string `json:"end"`
	Phase string `json:"phase"`
}

type followupSeries struct {
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Role       string    `json:"role"` // target, comparison, neighbour, other
	Population *float64  `json:"population"`
	Counts     []int64   `json:"counts"`
	Values     []float64 `json:"values"` // weighted observations per 1,000 residents and period
}

type followupComparison struct {
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	Distance float64 `json:"distance"`
	Level    float64 `json:"level"`
	Slope    float64 `json:"slope"`
	LevelZ   float64 `json:"level_z"`
	SlopeZ   float64 `json:"slope_z"`
}

type followupExcluded struct {
	Code   string `json:"code"`
	Reason string `json:"reason"` // target, neighbour, concurrent_same_category, no_population
}

type followupEstimate struct {
	Effect         float64  `json:"effect"`
	CILow          float64  `json:"ci_low"`
	CIHigh         float64  `json:"ci_high"`
	Level          float64  `json:"level"`
	SE             float64  `json:"se"`
	Draws          int      `json:"draws"`
	Seed           uint64   `json:"seed"`
	BlockPre       int      `json:"block_pre"`
	BlockPost      int      `json:"block_post"`
	TargetPre      float64  `json:"target_pre"`
	TargetPost     float64  `json:"target_post"`
	ComparisonPre  float64  `json:"comparison_pre"`
	ComparisonPost float64  `json:"comparison_post"`
	RelativePct    *float64 `json:"relative_pct"`
	PreTrendGap    float64  `json:"pre_trend_gap"` // slope of target − comparison over the pre periods, per period
	Unit           string   `json:"unit"`
}

type followupNeighbour struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Pre       float64  `json:"pre"`
	Post      float64  `json:"post"`
	Change    float64  `json:"change"`
	ChangePct *float64 `json:"change_pct"`
	DiD       *float64 `json:"did"`
	CILow     *float64 `json:"ci_low"`
	CIHigh    *float64 `json:"ci_high"`
	Sign      string   `json:"sign"` // displacement, diffusion_of_benefit, none
}

type followupPlace struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	DistrictCode *string  `json:"district_code"`
	Role         string   `json:"role"` // target, neighbour
	Pre          float64  `json:"pre"`  // weighted observations within the radius per period
	Post         float64  `json:"post"`
	Change       float64  `json:"change"`
	ChangePct    *float64 `json:"change_pct"`
}

type followupIndicator struct {
	Key        string     `json:"key"`
	NameSV     string     `json:"name_sv"`
	NameEN     string     `json:"name_en"`
	Unit       string     `json:"unit"`
	Direction  string     `json:"direction"`
	Years      []int      `json:"years"`
	Target     []*float64 `json:"target"`
	Comparison []*float64 `json:"comparison"`
	DiD        *float64   `json:"did"` // (after − before)_target − (after − before)_comparison, years after vs before the start year
}

type followupConcurrent struct {
	ID        int64    `json:"id"`
	Title     string   `json:"title"`
	Category  string   `json:"category"`
	StartDate *string  `json:"start_date"`
	EndDate   *string  `json:"end_date"`
	Districts []string `json:"districts"`
}

type followupCaveat struct {
	Code string `json:"code"`
	SV   string `json:"sv"`
	EN   string `json:"en"`
}

type followupTarget struct {
	Method     string   `json:"method"` // districts or buffer
	Districts  []string `json:"districts"`
	BufferM    *float64 `json:"buffer_m"`
	Population float64  `json:"population"`
	Note       string   `json:"note"`
}

type followupIntervention struct {
	ID        int64   `json:"id"`
	Title     string  `json:"title"`
	Category  string  `json:"category"`
	Horizon   string  `json:"horizon"`
	Status    string  `json:"status"`
	LeadOrg   string  `json:"lead_org"`
	StartDate string  `json:"start_date"`
	EndDate   *string `json:"end_date"`
}

type followupResult struct {
	Intervention followupIntervention `json:"intervention"`
	Target       followupTarget       `json:"target"`
	Parameters   followupOptions      `json:"parameters"`
	Periods      []followupPeriod     `json:"periods"`
	PrePeriods   int                  `json:"pre_periods"`
	PostPeriods  int                  `json:"post_periods"`
	Unit         string               `json:"unit"`
	Series       []followupSeries     `json:"series"`
	Comparison   []followupComparison `json:"comparison"`
	Excluded     []followupExcluded   `json:"excluded"`
	Estimate     *followupEstimate    `json:"estimate"`
	Neighbours   []followupNeighbour  `json:"neighbours"`
	Places       []followupPlace      `json:"places"`
	Indicators   []followupIndicator  `json:"indicators"`
	Concurrent   []followupConcurrent `json:"concurrent"`
	Caveats      []followupCaveat     `json:"caveats"`
	Method       string               `json:"method_note"`
	Notice       string               `json:"notice,omitempty"`
	TimeStamp    string               `json:"timeStamp"`
}

const followupMethodNote = "Target area: the intervention's target districts when it has any (they are what the register says it means to move), " +
	"otherwise its geometry buffered by buffer_m (population estimated by areal interpolation). Periods are counted from the start date " +
	"(month or quarter lengths), only whole periods within the observed span. Values: weighted observations per 1,000 residents and period. " +
	"Comparison: the k districts whose pre-period level and least-squares slope, each standardised by its SD over target and candidates, " +
	"are nearest (sum of squared differences), excluding the target, its neighbours (ST_Touches; displacement would bias them), and districts " +
	"reached by another intervention of the same category during the window. Estimate: (post − pre)_target − (post − pre)_comparison mean, " +
	"95 % percentile interval of a circular block bootstrap (block ceil(n^(1/3)) periods) resampling periods within pre and within post, " +
	"target and comparison together, seeded."

func ymd(t time.Time) string { return t.Format(time.DateOnly) }

func ymdPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := ymd(*t)
	return &s
}

// addMonthsClamped is t moved n calendar months, on t's day or, when that month is shorter,
// its last day: from 31 March one month back is 28 February, not (as time.AddDate
// normalises 31 February) 3 March, so periods from a start on the 29th–31st stay calendar
// months and do not drift.
func addMonthsClamped(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, t.Location())
	lastDay := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), lastDay), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// followup runs the follow-up of intervention id.
//
// Errors: ErrNotFound for an unknown intervention; Invalid "interventionId" when it has no
// start date, no target, or no observed period around its start; database errors.
func (s *Server) followup(ctx context.Context, id int64, opt followupOptions) (*followupResult, error) {
	iv, err := s.store.FollowupIntervention(ctx, id)
	if err != nil {
		return nil, err
	}
	if iv.Start == nil {
		return nil, invalid("interventionId", "intervention %d has no start date", id)
	}
	res := &followupResult{Parameters: opt, Method: followupMethodNote, TimeStamp: s.now().UTC().Format(time.RFC3339),
		Intervention: followupIntervention{ID: iv.ID, Title: iv.Title, Category: iv.Category, Horizon: iv.Horizon, Status: iv.Status,
			LeadOrg: iv.LeadOrg, StartDate: ymd(*iv.Start), EndDate: ymdPtr(iv.End)}}
	unit := "observations"
	if opt.Weighting == "harm" {
		unit = "harm-weighted observations"
	}
	months := 1
	if opt.Period == "quarter" {
		months = 3
	}
	res.Unit = fmt.Sprintf("%s per 1,000 residents per %s", unit, opt.Period)

	// Periods: whole periods from the start date inside the observed span.
	first, last, err := s.store.ObservationSpan(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Date(iv.Start.Year(), iv.Start.Month(), iv.Start.Day(), 0, 0, 0, 0, time.UTC)
	firstDay := first.UTC().Truncate(24 * time.Hour)
	lastDay := last.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if !start.Before(lastDay) {
		return nil, invalid("interventionId", "intervention %d starts %s, after the newest observation", id, ymd(start))
	}
	bound := func(k int) time.Time { return addMonthsClamped(start, k*months) }
	pre, post := 0, 0
	for pre < opt.Pre && !bound(-pre-1).Before(firstDay) {
		pre++
	}
	for post < opt.Post && !bound(post+1).After(lastDay) {
		post++
	}
	if pre+post == 0 {
		return nil, invalid("interventionId", "no whole %s of observations around the start date %s", opt.Period, ymd(start))
	}
	res.PrePeriods, res.PostPeriods = pre, post
	bounds := make([]time.Time, 0, pre+post+1)
	for k := -pre; k <= post; k++ {
		bounds = append(bounds, bound(k))
	}
	for k := range pre + post {
		phase := "pre"
		if k >= pre {
			phase = "post"
		}
		res.Periods = append(res.Periods, followupPeriod{Index: k - pre, Start: ymd(bounds[k]), End: ymd(bounds[k+1]), Phase: phase})
	}

	districts, err := s.store.FollowupDistricts(ctx)
	if err != nil {
		return nil, err
	}
	byCode := map[string]layers.FollowupDistrict{}
	for _, d := range districts {
		byCode[d.Code] = d
	}

	// The target area: target districts win over the geometry.
	targetCodes := iv.Districts
	buffer := 0.0
	var targetPop float64
	switch {
	case len(iv.Districts) > 0:
		res.Target = followupTarget{Method: "districts", Districts: iv.Districts,
			Note: "The intervention's target districts (intervention_districts)."}
		for _, c := range iv.Districts {
			if p := byCode[c].Population; p != nil {
				targetPop += float64(*p)
			}
		}
	case iv.HasGeometry:
		buffer = opt.Buffer
		pop, overlapped, err := s.store.BufferArea(ctx, id, buffer)
		if err != nil {
			return nil, err
		}
		targetCodes, targetPop = overlapped, pop
		res.Target = followupTarget{Method: "buffer", Districts: overlapped, BufferM: &buffer,
			Note: "No target districts: the intervention's geometry buffered; districts are those the buffer overlaps; population by areal interpolation."}
	default:
		return nil, invalid("interventionId", "intervention %d has neither target districts nor a geometry", id)
	}
	res.Target.Population = round(targetPop, 1)
	if targetPop <= 0 {
		return nil, invalid("interventionId", "the target area of intervention %d has no resident population to relate observations to", id)
	}

	counts, err := s.store.DistrictPeriodCounts(ctx, bounds, layers.Weighting(opt.Weighting), nil, id, buffer)
	if err != nil {
		return nil, err
	}
	if counts.Illustrative || iv.Illustrative {
		res.Notice = illustrativeNotice
	}
	n := pre + post
	zeros := func() ([]int64, []float64) { return make([]int64, n), make([]float64, n) }
	rate := func(w []float64, pop float64) []float64 {
		out := make([]float64, len(w))
		for k, x := range w {
			out[k] = 1000 * x / pop
		}
		return out
	}
	seriesOf := func(code string) ([]int64, []float64) {
		c, w := counts.Count[code], counts.Weight[code]
		if c == nil {
			return zeros()
		}
		return c, w
	}
	// Target series.
	tCount, tWeight := zeros()
	if buffer > 0 {
		tCount, tWeight = seriesOf("")
	} else {
		for _, code := range targetCodes {
			c, w := seriesOf(code)
			for k := range n {
				tCount[k] += c[k]
				tWeight[k] += w[k]
			}
		}
	}
	tRate := rate(tWeight, targetPop)
	tp := round(targetPop, 1)
	targetName := iv.Title
	res.Series = append(res.Series, followupSeries{Code: "target", Name: targetName, Role: "target", Population: &tp,
		Counts: tCount, Values: roundAll(tRate)})

	// Concurrent interventions: overlapping the window, other than this one.
	spans, err := s.store.InterventionSpans(ctx)
	if err != nil {
		return nil, err
	}
	winStart, winEnd := bounds[0], bounds[len(bounds)-1]
	sameCategory := map[string]bool{}
	for _, sp := range spans {
		if sp.ID == id || sp.Start == nil || !sp.Start.Before(winEnd) || (sp.End != nil && sp.End.Before(winStart)) {
			continue
		}
		if sp.Category == iv.Category {
			for _, c := range sp.Districts {
				sameCategory[c] = true
			}
		}
		if overlaps(sp.Districts, targetCodes) {
			res.Concurrent = append(res.Concurrent, followupConcurrent{ID: sp.ID, Title: sp.Title, Category: sp.Category,
				StartDate: ymdPtr(sp.Start), EndDate: ymdPtr(sp.End), Districts: sp.Districts})
		}
	}

	// Candidates for comparison.
	isTarget, isNeighbour := map[string]bool{}, map[string]bool{}
	for _, c := range targetCodes {
		isTarget[c] = true
	}
	for _, c := range targetCodes {
		for _, nb := range byCode[c].Neighbours {
			if !isTarget[nb] {
				isNeighbour[nb] = true
			}
		}
	}
	var cands []did.Candidate
	rates := map[string][]float64{}
	for _, d := range districts {
		reason := ""
		switch {
		case isTarget[d.Code]:
			reason = "target"
		case isNeighbour[d.Code]:
			reason = "neighbour"
		case sameCategory[d.Code]:
			reason = "concurrent_same_category"
		case d.Population == nil || *d.Population == 0:
			reason = "no_population"
		}
		var r []float64
		if d.Population != nil && *d.Population > 0 {
			_, w := seriesOf(d.Code)
			r = rate(w, float64(*d.Population))
			rates[d.Code] = r
		}
		if reason != "" {
			res.Excluded = append(res.Excluded, followupExcluded{Code: d.Code, Reason: reason})
			continue
		}
		cands = append(cands, did.Candidate{ID: d.Code, Pre: r[:pre]})
	}

	var chosen []string
	var compSeries [][]float64
	if pre >= 2 && len(cands) > 0 {
		matches, err := did.Select(tRate[:pre], cands, opt.K)
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			chosen = append(chosen, m.ID)
			compSeries = append(compSeries, rates[m.ID])
			res.Comparison = append(res.Comparison, followupComparison{Code: m.ID, Name: byCode[m.ID].Name,
				Distance: round(m.Distance, 6), Level: round(m.Level, 6), Slope: round(m.Slope, 6),
				LevelZ: round(m.LevelZ, 6), SlopeZ: round(m.SlopeZ, 6)})
		}
	}
	for _, d := range districts {
		role := "other"
		switch {
		case isTarget[d.Code] && buffer == 0:
			continue // summed into the target series
		case slices.Contains(chosen, d.Code):
			role = "comparison"
		case isNeighbour[d.Code]:
			role = "neighbour"
		}
		c, _ := seriesOf(d.Code)
		var pop *float64
		vals := []float64{}
		if d.Population != nil {
			p := float64(*d.Population)
			pop = &p
			vals = roundAll(rates[d.Code])
		}
		res.Series = append(res.Series, followupSeries{Code: d.Code, Name: d.Name, Role: role, Population: pop, Counts: c, Values: vals})
	}

	didOpt := did.Options{Draws: opt.Draws, Seed: opt.Seed}
	if len(compSeries) > 0 && pre >= 2 && post >= 2 {
		e, err := did.DiD(tRate, compSeries, pre, didOpt)
		if err != nil {
			return nil, err
		}
		est := &followupEstimate{Effect: round(e.Effect, 6), CILow: round(e.Lo, 6), CIHigh: round(e.Hi, 6), Level: e.Level,
			SE: round(e.SE, 6), Draws: e.Draws, Seed: opt.Seed, BlockPre: e.BlockPre, BlockPost: e.BlockPost,
			TargetPre: round(e.TargetPre, 6), TargetPost: round(e.TargetPost, 6),
			ComparisonPre: round(e.ComparisonPre, 6), ComparisonPost: round(e.ComparisonPost, 6), Unit: res.Unit}
		if e.TargetPre > 0 {
			est.RelativePct = fp(round(100*e.Effect/e.TargetPre, 1))
		}
		gap, _ := did.Gap(tRate, compSeries)
		_, slope := did.Features(gap[:pre])
		est.PreTrendGap = round(slope, 6)
		res.Estimate = est
	}

	// Neighbours: their own change, and against the same comparison.
	for _, code := range slices.Sorted(mapKeys(isNeighbour)) {
		r := rates[code]
		if r == nil || pre == 0 || post == 0 {
			continue
		}
		nb := followupNeighbour{Code: code, Name: byCode[code].Name, Sign: "none"}
		nb.Pre, nb.Post = mean(r[:pre]), mean(r[pre:])
		nb.Change = nb.Post - nb.Pre
		if nb.Pre > 0 {
			nb.ChangePct = fp(round(100*nb.Change/nb.Pre, 1))
		}
		if len(compSeries) > 0 && pre >= 2 && post >= 2 {
			e, err := did.DiD(r, compSeries, pre, didOpt)
			if err != nil {
				return nil, err
			}
			nb.DiD, nb.CILow, nb.CIHigh = fp(round(e.Effect, 6)), fp(round(e.Lo, 6)), fp(round(e.Hi, 6))
			if res.Estimate != nil && res.Estimate.CIHigh < 0 {
				switch {
				case e.Lo > 0:
					nb.Sign = "displacement"
				case e.Hi < 0:
					nb.Sign = "diffusion_of_benefit"
				}
			}
		}
		nb.Pre, nb.Post, nb.Change = round(nb.Pre, 6), round(nb.Post, 6), round(nb.Change, 6)
		res.Neighbours = append(res.Neighbours, nb)
	}

	// Neighbouring places: the places of the target and neighbouring districts.
	if pre > 0 && post > 0 {
		placeDistricts := append(slices.Clone(targetCodes), slices.Sorted(mapKeys(isNeighbour))...)
		places, err := s.store.PlaceChanges(ctx, bounds, bounds[pre], layers.Weighting(opt.Weighting), nil, placeRadius, placeDistricts)
		if err != nil {
			return nil, err
		}
		for _, p := range places {
			role := "neighbour"
			if p.DistrictCode != nil && slices.Contains(targetCodes, *p.DistrictCode) {
				role = "target"
			}
			fpl := followupPlace{ID: p.ID, Name: p.Name, Kind: p.Kind, DistrictCode: p.DistrictCode, Role: role,
				Pre: round(p.Pre/float64(pre), 4), Post: round(p.Post/float64(post), 4)}
			fpl.Change = round(fpl.Post-fpl.Pre, 4)
			if fpl.Pre > 0 {
				fpl.ChangePct = fp(round(100*fpl.Change/fpl.Pre, 1))
			}
			res.Places = append(res.Places, fpl)
		}
		slices.SortStableFunc(res.Places, func(a, b followupPlace) int {
			if a.Role != b.Role {
				return strings.Compare(b.Role, a.Role) // target first
			}
			return cmpDesc(b.Change, a.Change) // largest fall first
		})
	}

	// Indicators: population-weighted target mean and comparison mean per year.
	inds, err := s.store.AllIndicatorValues(ctx)
	if err != nil {
		return nil, err
	}
	for _, ind := range inds.Catalogue {
		vals := inds.Values[ind.Key]
		if len(vals) == 0 {
			continue
		}
		years := map[int]bool{}
		for _, byYear := range vals {
			for y := range byYear {
				years[y] = true
			}
		}
		fi := followupIndicator{Key: ind.Key, NameSV: ind.NameSV, NameEN: ind.NameEN, Unit: ind.Unit, Direction: ind.Direction}
		for y := range years {
			fi.Years = append(fi.Years, y)
		}
		slices.Sort(fi.Years)
		var tb, ta, cb, ca []float64
		for _, y := range fi.Years {
			t := weightedMean(vals, targetCodes, byCode, y)
			cm := weightedMean(vals, chosen, nil, y)
			fi.Target, fi.Comparison = append(fi.Target, roundPtr(t, 4)), append(fi.Comparison, roundPtr(cm, 4))
			if t == nil || cm == nil {
				continue
			}
			switch {
			case y < iv.Start.Year():
				tb, cb = append(tb, *t), append(cb, *cm)
			case y > iv.Start.Year():
				ta, ca = append(ta, *t), append(ca, *cm)
			}
		}
		if len(tb) > 0 && len(ta) > 0 {
			fi.DiD = fp(round((mean(ta)-mean(tb))-(mean(ca)-mean(cb)), 4))
		}
		res.Indicators = append(res.Indicators, fi)
	}
	res.Caveats = followupCaveats(res, tCount, months)
	return res, nil
}

// weightedMean is the mean of codes' values in year, weighted by population when byCode is
// given; nil when none has a value.
func weightedMean(vals map[string]map[int]float64, codes []string, byCode map[string]layers.FollowupDistrict, year int) *float64 {
	sum, wsum := 0.0, 0.0
	for _, c := range codes {
		v, ok := vals[c][year]
		if !ok {
			continue
		}
		w := 1.0
		if byCode != nil {
			if p := byCode[c].Population; p != nil && *p > 0 {
				w = float64(*p)
			}
		}
		sum += w * v
		wsum += w
	}
	if wsum == 0 {
		return nil
	}
	m := sum / wsum
	return &m
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func roundAll(x []float64) []float64 {
	out := make([]float64, len(x))
	for k, v := range x {
		out[k] = round(v, 6)
	}
	return out
}

func roundPtr(x *float64, digits float64) *float64 {
	if x == nil {
		return nil
	}
	return fp(round(*x, digits))
}

// followupCaveats writes the caveats the numbers call for, in Swedish and English.
func followupCaveats(res *followupResult, tCount []int64, months int) []followupCaveat {
	out := []followupCaveat{}
	add := func(code, sv, en string) { out = append(out, followupCaveat{Code: code, SV: sv, EN: en}) }
	pre, post := res.PrePeriods, res.PostPeriods
	if res.Estimate == nil {
		switch {
		case pre < 2 || post < 2:
			add("no_estimate", fmt.Sprintf("Ingen skattning: det finns %d perioder före och %d efter starten; minst två av varje behövs.", pre, post),
				fmt.Sprintf("No estimate: there are %d periods before and %d after the start; at least two of each are needed.", pre, post))
		default:
			add("no_estimate", "Ingen skattning: det finns inga jämförelseområden (alla områden är mål, grannar eller har en liknande insats samtidigt).",
				"No estimate: there are no comparison districts (every district is a target, a neighbour or has a similar intervention at the same time).")
		}
	}
	var nPre, nPost int64
	for k, c := range tCount {
		if k < pre {
			nPre += c
		} else {
			nPost += c
		}
	}
	if (pre > 0 && float64(nPre)/float64(pre) < smallCountPerPeriod) || (post > 0 && float64(nPost)/float64(post) < smallCountPerPeriod) {
		add("small_counts", fmt.Sprintf("Små tal: %d observationer före och %d efter i målområdet (färre än %d per period). Slumpen kan förklara skillnaden.", nPre, nPost, smallCountPerPeriod),
			fmt.Sprintf("Small numbers: %d observations before and %d after in the target area (fewer than %d per period). Chance may explain the difference.", nPre, nPost, smallCountPerPeriod))
	}
	if len(res.Concurrent) > 0 {
		titles := make([]string, len(res.Concurrent))
		for k, c := range res.Concurrent {
			titles[k] = c.Title
		}
		list := strings.Join(titles, "; ")
		add("concurrent", fmt.Sprintf("%d andra insatser pågick i målområdet under perioden (%s). Skattningen visar deras samlade effekt, inte bara denna insats.", len(titles), list),
			fmt.Sprintf("%d other interventions ran in the target area during the period (%s). The estimate shows their joint effect, not this intervention alone.", len(titles), list))
	}
	var disp, diff []string
	for _, nb := range res.Neighbours {
		switch nb.Sign {
		case "displacement":
			disp = append(disp, nb.Name)
		case "diffusion_of_benefit":
			diff = append(diff, nb.Name)
		}
	}
	if len(disp) > 0 {
		add("displacement", "Tecken på förflyttning: observationerna ökade jämfört med jämförelseområdena i grannområdena "+strings.Join(disp, ", ")+".",
			"Signs of displacement: observations rose against the comparison districts in the neighbouring districts "+strings.Join(disp, ", ")+".")
	}
	if len(diff) > 0 {
		add("diffusion_of_benefit", "Spridning av nytta: observationerna minskade även i grannområdena "+strings.Join(diff, ", ")+".",
			"Diffusion of benefit: observations fell in the neighbouring districts "+strings.Join(diff, ", ")+" too.")
	}
	var rising []string
	for _, p := range res.Places {
		if p.Role == "neighbour" && p.ChangePct != nil && *p.ChangePct >= 50 && p.Post >= 2 {
			rising = append(rising, p.Name)
		}
	}
	if len(rising) > 0 {
		add("neighbouring_places", "Platser i grannområdena där observationerna ökat med minst hälften: "+strings.Join(rising, ", ")+".",
			"Places in neighbouring districts where observations rose by half or more: "+strings.Join(rising, ", ")+".")
	}
	if post*months < shortPostMonths || post < res.Parameters.Post {
		add("short_post", fmt.Sprintf("Kort uppföljningstid: %d månader efter starten. Effekter av förebyggande insatser syns ofta först efter år.", post*months),
			fmt.Sprintf("Short follow-up: %d months after the start. Effects of preventive work often show only after years.", post*months))
	}
	if pre < res.Parameters.Pre {
		add("short_pre", fmt.Sprintf("Kort förperiod: bara %d av %d begärda perioder före starten finns i data.", pre, res.Parameters.Pre),
			fmt.Sprintf("Short pre-period: only %d of the %d periods asked for before the start are in the data.", pre, res.Parameters.Pre))
	}
	if e := res.Estimate; e != nil && pre >= 2 {
		drift := math.Abs(e.PreTrendGap) * float64(pre)
		if drift > math.Abs(e.Effect)/2 && drift > 0 {
			add("pre_trend", "Målområdet och jämförelseområdena följdes inte helt åt före starten; skattningen förutsätter att de hade gjort det efteråt utan insatsen.",
				"The target and the comparison districts did not move fully in step before the start; the estimate assumes they would have afterwards without the intervention.")
		}
	}
	if res.Target.Method == "buffer" {
		add("buffer_area", fmt.Sprintf("Målområdet är insatsens geometri med %.0f m buffert; befolkningen är uppskattad efter yta.", *res.Target.BufferM),
			fmt.Sprintf("The target area is the intervention's geometry buffered by %.0f m; its population is estimated by area.", *res.Target.BufferM))
	}
	return out
}

// followupCSV writes the whole follow-up in one long table: a block column says which part
// a row belongs to.
func followupCSV(res *followupResult) []byte {
	var b bytes.Buffer
	w := newCSVWriter(&b)
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	fpf := func(x *float64) string {
		if x == nil {
			return ""
		}
		return f(*x)
	}
	_ = w.Write([]string{"block", "code", "name", "role", "period_index", "period_start", "period_end", "phase", "count", "value"})
	for _, s := range res.Series {
		for k, p := range res.Periods {
			v := ""
			if k < len(s.Values) {
				v = f(s.Values[k])
			}
			_ = w.Write([]string{"series", s.Code, s.Name, s.Role, strconv.Itoa(p.Index), p.Start, p.End, p.Phase, strconv.FormatInt(s.Counts[k], 10), v})
		}
	}
	if e := res.Estimate; e != nil {
		for _, kv := range []struct {
			k string
			v float64
		}{{"effect", e.Effect}, {"ci_low", e.CILow}, {"ci_high", e.CIHigh}, {"se", e.SE}, {"target_pre", e.TargetPre},
			{"target_post", e.TargetPost}, {"comparison_pre", e.ComparisonPre}, {"comparison_post", e.ComparisonPost}, {"pre_trend_gap", e.PreTrendGap}} {
			_ = w.Write([]string{"estimate", kv.k, res.Unit, "", "", "", "", "", "", f(kv.v)})
		}
	}
	for _, c := range res.Comparison {
		_ = w.Write([]string{"comparison", c.Code, c.Name, "comparison", "", "", "", "", "", f(c.Distance)})
	}
	for _, nb := range res.Neighbours {
		_ = w.Write([]string{"neighbour", nb.Code, nb.Name, nb.Sign, "", "", "", "change", "", f(nb.Change)})
		_ = w.Write([]string{"neighbour", nb.Code, nb.Name, nb.Sign, "", "", "", "did", "", fpf(nb.DiD)})
	}
	for _, p := range res.Places {
		_ = w.Write([]string{"place", strconv.FormatInt(p.ID, 10), p.Name, p.Role, "", "", "", "pre", "", f(p.Pre)})
		_ = w.Write([]string{"place", strconv.FormatInt(p.ID, 10), p.Name, p.Role, "", "", "", "post", "", f(p.Post)})
	}
	for _, ind := range res.Indicators {
		for k, y := range ind.Years {
			_ = w.Write([]string{"indicator", ind.Key, ind.NameEN, "target", strconv.Itoa(y), "", "", "", "", fpf(ind.Target[k])})
			_ = w.Write([]string{"indicator", ind.Key, ind.NameEN, "comparison", strconv.Itoa(y), "", "", "", "", fpf(ind.Comparison[k])})
		}
		_ = w.Write([]string{"indicator", ind.Key, ind.NameEN, "did", "", "", "", "", "", fpf(ind.DiD)})
	}
	for _, c := range res.Caveats {
		_ = w.Write([]string{"caveat", c.Code, c.SV, c.EN, "", "", "", "", "", ""})
	}
	w.Flush()
	return b.Bytes()
}
