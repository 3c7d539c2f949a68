package analysis

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Follow-up defaults (issue 6).
const (
	defaultFollowupK      = 3
	defaultFollowupBuffer = 500.0 // metres around a drawn intervention without target districts
)

func (s *Room) followupRoutes(get func(string, echo.HandlerFunc)) {
	// A follow-up reads an intervention and the observations around it: internal data.
	internal := auth.NeedClass(layers.Internal, "the follow-up of an intervention")
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
	if err := respond.OnlyParamsAny(c, "period", "pre", "post", "weighting", "k", "buffer", "draws", "seed", "f"); err != nil {
		return followupOptions{}, "", err
	}
	v := c.QueryParams()
	o := defaultFollowupOptions()
	switch p := v.Get("period"); p {
	case "", "month":
	case "quarter":
		o.Period, o.Pre, o.Post = "quarter", 4, 4
	default:
		return o, "", layers.Invalid("period", "%q is not month or quarter", p)
	}
	var err error
	if o.Pre, err = respond.Int("pre", v.Get("pre"), o.Pre, 2, 120); err != nil {
		return o, "", err
	}
	if o.Post, err = respond.Int("post", v.Get("post"), o.Post, 2, 120); err != nil {
		return o, "", err
	}
	switch w := v.Get("weighting"); w {
	case "", "count":
	case "harm":
		o.Weighting = "harm"
	default:
		return o, "", layers.Invalid("weighting", "%q is not count or harm", w)
	}
	if o.K, err = respond.Int("k", v.Get("k"), o.K, 1, 10); err != nil {
		return o, "", err
	}
	if o.Buffer, err = parseFloat(v, "buffer", o.Buffer, 50, 5000); err != nil {
		return o, "", err
	}
	if o.Draws, err = respond.Int("draws", v.Get("draws"), o.Draws, 100, 20000); err != nil {
		return o, "", err
	}
	seed, err := respond.Int("seed", v.Get("seed"), 1, 0, math.MaxInt32)
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
		return o, "", layers.Invalid("f", "%q is not json or csv", f)
	}
	return o, f, nil
}

// followupHandler answers GET /analysis/followup/{interventionId}: it parses, loads the
// follow-up's inputs in one call, computes it in geo/did and maps the result to the wire.
func (s *Room) followupHandler(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("interventionId"), 10, 64)
	if err != nil || id < 1 {
		return layers.Invalid("interventionId", "%q is not a positive integer", c.Param("interventionId"))
	}
	opt, format, err := parseFollowupOptions(c)
	if err != nil {
		return err
	}
	in, err := s.store.FollowupInputs(c.Request().Context(), id, opt.query(true))
	if err != nil {
		return err
	}
	r, err := did.FollowUp(in.Input, opt.K, opt.didOptions())
	if err != nil {
		return fmt.Errorf("follow-up of intervention %d: %w", id, err)
	}
	res := followupAnswer(in, r, opt, s.now())
	if format == "csv" {
		return s.out.Send(c, http.StatusOK, "text/csv; charset=utf-8", "no-store", followupCSV(res))
	}
	return s.out.SendJSON(c, respond.MediaJSON, "no-store", res)
}

// query is what the loader needs of o; indicators asks for the indicators too.
func (o followupOptions) query(indicators bool) layers.FollowupQuery {
	return layers.FollowupQuery{Period: o.Period, Pre: o.Pre, Post: o.Post, Weighting: layers.Weighting(o.Weighting),
		Buffer: o.Buffer, Indicators: indicators}
}

func (o followupOptions) didOptions() did.Options { return did.Options{Draws: o.Draws, Seed: o.Seed} }

// followupUnit is the unit of the follow-up's rates.
func followupUnit(o followupOptions) string {
	unit := "observations"
	if o.Weighting == "harm" {
		unit = "harm-weighted observations"
	}
	return fmt.Sprintf("%s per 1,000 residents per %s", unit, o.Period)
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

// followupAnswer maps the follow-up r of in, asked for with opt at now, to the wire: dates
// as days, figures rounded (rates and estimates to 6 digits, indicators to 4, percentages
// to 1; places come rounded from geo/did).
func followupAnswer(in *layers.FollowupInputs, r *did.Result, opt followupOptions, now time.Time) *followupResult {
	iv := in.Intervention
	res := &followupResult{Parameters: opt, Method: followupMethodNote, TimeStamp: now.UTC().Format(time.RFC3339),
		Intervention: followupIntervention{ID: iv.ID, Title: iv.Title, Category: iv.Category, Horizon: iv.Horizon, Status: iv.Status,
			LeadOrg: iv.LeadOrg, StartDate: ymd(*iv.Start), EndDate: ymdPtr(iv.End)},
		Unit: followupUnit(opt), PrePeriods: in.Window.Pre, PostPeriods: in.Window.Post,
		Target: followupTargetOf(in.Input.Target), Caveats: make([]followupCaveat, len(r.Caveats))}
	if in.Illustrative {
		res.Notice = respond.IllustrativeNotice
	}
	b := in.Window.Bounds
	for k := range len(b) - 1 {
		phase := "pre"
		if k >= in.Window.Pre {
			phase = "post"
		}
		res.Periods = append(res.Periods, followupPeriod{Index: k - in.Window.Pre, Start: ymd(b[k]), End: ymd(b[k+1]), Phase: phase})
	}
	for _, sr := range r.Series {
		var pop *float64
		if sr.Population != nil {
			pop = respond.Finite(*sr.Population)
			if sr.Role == did.RoleTarget {
				pop = respond.Finite(respond.Round(*sr.Population, 1))
			}
		}
		res.Series = append(res.Series, followupSeries{Code: sr.Code, Name: sr.Name, Role: sr.Role, Population: pop,
			Counts: sr.Counts, Values: roundAll(sr.Rates)})
	}
	for _, m := range r.Comparison {
		res.Comparison = append(res.Comparison, followupComparison{Code: m.ID, Name: m.Name, Distance: respond.Round(m.Distance, 6),
			Level: respond.Round(m.Level, 6), Slope: respond.Round(m.Slope, 6), LevelZ: respond.Round(m.LevelZ, 6), SlopeZ: respond.Round(m.SlopeZ, 6)})
	}
	for _, e := range r.Excluded {
		res.Excluded = append(res.Excluded, followupExcluded(e))
	}
	if e := r.Estimate; e != nil {
		res.Estimate = &followupEstimate{Effect: respond.Round(e.Effect, 6), CILow: respond.Round(e.Lo, 6), CIHigh: respond.Round(e.Hi, 6), Level: e.Level,
			SE: respond.Round(e.SE, 6), Draws: e.Draws, Seed: opt.Seed, BlockPre: e.BlockPre, BlockPost: e.BlockPost,
			TargetPre: respond.Round(e.TargetPre, 6), TargetPost: respond.Round(e.TargetPost, 6), ComparisonPre: respond.Round(e.ComparisonPre, 6),
			ComparisonPost: respond.Round(e.ComparisonPost, 6), RelativePct: roundPtr(e.RelativePct, 1), PreTrendGap: respond.Round(e.PreTrendGap, 6), Unit: res.Unit}
	}
	res.Neighbours = followupNeighbours(r.Neighbours)
	res.Places = followupPlaces(r.Places)
	res.Indicators = followupIndicators(r.Indicators)
	for _, o := range r.Concurrent {
		res.Concurrent = append(res.Concurrent, followupConcurrent{ID: o.ID, Title: o.Title, Category: o.Category,
			StartDate: ymdPtr(o.Start), EndDate: ymdPtr(o.End), Districts: o.Districts})
	}
	for k, cv := range r.Caveats {
		res.Caveats[k] = followupCaveat(cv)
	}
	return res
}

func followupTargetOf(t did.Target) followupTarget {
	if t.BufferM > 0 {
		return followupTarget{Method: "buffer", Districts: t.Codes, BufferM: respond.Finite(t.BufferM), Population: respond.Round(t.Population, 1),
			Note: "No target districts: the intervention's geometry buffered; districts are those the buffer overlaps; population by areal interpolation."}
	}
	return followupTarget{Method: "districts", Districts: t.Codes, Population: respond.Round(t.Population, 1),
		Note: "The intervention's target districts (intervention_districts)."}
}

func followupNeighbours(ns []did.Neighbour) []followupNeighbour {
	var out []followupNeighbour
	for _, n := range ns {
		nb := followupNeighbour{Code: n.Code, Name: n.Name, Pre: respond.Round(n.Pre, 6), Post: respond.Round(n.Post, 6), Change: respond.Round(n.Change, 6),
			ChangePct: roundPtr(n.ChangePct, 1), Sign: n.Sign}
		if e := n.Estimate; e != nil {
			nb.DiD, nb.CILow, nb.CIHigh = respond.Finite(respond.Round(e.Effect, 6)), respond.Finite(respond.Round(e.Lo, 6)), respond.Finite(respond.Round(e.Hi, 6))
		}
		out = append(out, nb)
	}
	return out
}

func followupPlaces(ps []did.PlaceChange) []followupPlace {
	var out []followupPlace
	for _, p := range ps {
		out = append(out, followupPlace{ID: p.ID, Name: p.Name, Kind: p.Kind, DistrictCode: p.DistrictCode, Role: p.Role,
			Pre: p.Pre, Post: p.Post, Change: p.Change, ChangePct: p.ChangePct}) // rounded by geo/did, as shown
	}
	return out
}

func followupIndicators(is []did.IndicatorChange) []followupIndicator {
	var out []followupIndicator
	for _, ic := range is {
		fi := followupIndicator{Key: ic.Key, NameSV: ic.NameSV, NameEN: ic.NameEN, Unit: ic.Unit, Direction: ic.Direction,
			Years: ic.Years, DiD: roundPtr(ic.DiD, 4)}
		for k := range ic.Years {
			fi.Target, fi.Comparison = append(fi.Target, roundPtr(ic.Target[k], 4)), append(fi.Comparison, roundPtr(ic.Comparison[k], 4))
		}
		out = append(out, fi)
	}
	return out
}

func roundAll(x []float64) []float64 {
	out := make([]float64, len(x))
	for k, v := range x {
		out[k] = respond.Round(v, 6)
	}
	return out
}

func roundPtr(x *float64, digits float64) *float64 {
	if x == nil {
		return nil
	}
	return respond.Finite(respond.Round(*x, digits))
}

// followupCSV writes the whole follow-up in one long table: a block column says which part
// a row belongs to.
func followupCSV(res *followupResult) []byte {
	var b bytes.Buffer
	w := respond.NewCSVWriter(&b)
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
