package analysis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/allocate"
	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/kde"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The deployment planner (issue 6): POST a request, get a week-by-week plan, stored so that
// the visits logged later can be compared with it. The model is geo/allocate's.

// planZone is the time zone of weeks and shifts: the municipality's.
const planZone = "Europe/Stockholm"

// Defaults of a plan request.
const (
	defaultPlanWeeks    = 4
	defaultVisitMinutes = 15.0
	defaultPerShift     = 4
	defaultTopTargets   = 20
	defaultRiskDays     = 28
	maxPlanTargets      = 10_000
	maxWeeklyVisits     = 1_000_000
	// maxPlanSize bounds targets × weeks × actor types, the rows a plan may store (its
	// items) and so the size of its document and of its JSON, CSV and GeoJSON forms, which
	// every reader of the plan can ask for again and again (issue 12, review H4).
	maxPlanSize = 50_000
	// maxICSEvents bounds the events of one iCalendar export (one per visit, about 500
	// bytes each): the schedule is drawn again on every GET.
	maxICSEvents   = 20_000
	maxTargetRisk  = 1e6 // per category; the densest demo place is below 100, so a larger value is a mistake
	maxPlanName    = 200 // characters of a plan's or a target's name
	planStartBack  = 5   // years before today a given start may lie
	planStartAhead = 2   // years after today a given start may lie
)

func (s *Room) deploymentRoutes(e *echo.Echo) {
	// Plans name places, risks from observations and units: internal data; making a plan or
	// logging a dose writes.
	internal := auth.NeedClass(layers.Internal, "the deployment planner")
	write := auth.NeedWrite("the deployment planner")
	get := func(path string, h echo.HandlerFunc) {
		e.Match([]string{http.MethodGet, http.MethodHead}, path, h, internal)
	}
	get("/deployment/actor-types", s.actorTypes)
	e.POST("/deployment/plans", s.createPlan, internal, write)
	get("/deployment/plans/:id", s.plan)
	get("/deployment/plans/:id/delivery", s.planDelivery)
	e.POST("/deployment/doses", s.recordDoses, internal, write)
	get("/deployment/doses", s.doses)
}

func (s *Room) actorTypes(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	at, err := s.store.ActorTypes(c.Request().Context())
	if err != nil {
		return err
	}
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, respond.Obj{"actor_types": at,
		"note": "Defaults are illustrative: what each actor type acts on and when it works, with the rationale; capacity_unit says what a plan request's capacity counts per week."})
}

// planRequest is the body of POST /deployment/plans.
type planRequest struct {
	Name         string          `json:"name"`
	Start        string          `json:"start"`
	Weeks        *int            `json:"weeks"`
	VisitMinutes *float64        `json:"visit_minutes"`
	PerShift     *int            `json:"per_shift"`
	K            *float64        `json:"k"`
	MaxDose      *float64        `json:"max_dose"`
	RestAfter    *int            `json:"rest_after"`
	RestWeeks    *int            `json:"rest_weeks"`
	RestFactor   *float64        `json:"rest_factor"`
	Seed         *uint64         `json:"seed"`
	Actors       []actorRequest  `json:"actors"`
	Targets      *targetsRequest `json:"targets"`
	// DataClass is the class the plan is to have: its inputs are limited to rows of that
	// class and below. Empty: every row the caller may read, and the plan gets the highest
	// class among them (see planClass).
	DataClass string `json:"data_class"`
}

type actorRequest struct {
	Type       string   `json:"type"`
	Capacity   *float64 `json:"capacity"`
	Categories []string `json:"categories"`
}

type targetsRequest struct {
	// Kind chooses what the computed targets are: "places" (default) or "cells", the hot
	// spots of Gi* on hexagons of Side metres (harm-weighted, significant at 95 % or more).
	Kind      string            `json:"kind"`
	Side      *float64          `json:"side"`
	Top       *int              `json:"top"`
	Days      *int              `json:"days"`
	Bandwidth *float64          `json:"bandwidth"`
	PlaceIDs  *[]int64          `json:"place_ids"`
	Items     *[]explicitTarget `json:"items"`
}

// explicitTarget is a target given with its risk (a hotspot cell, or a place whose risk was
// estimated elsewhere).
type explicitTarget struct {
	ID    string             `json:"id"`
	Name  string             `json:"name"`
	Point []float64          `json:"point"` // lon, lat (CRS84)
	Risk  map[string]float64 `json:"risk"`
}

// planDoc is the stored and returned plan.
type planDoc struct {
	ID                int64           `json:"id"`
	Name              string          `json:"name"`
	DataClass         string          `json:"data_class"`
	CreatedAt         string          `json:"created_at"`
	Start             string          `json:"start"`
	Weeks             int             `json:"weeks"`
	Parameters        planParams      `json:"parameters"`
	Model             string          `json:"model"`
	RiskPeriod        *period         `json:"risk_period"`
	Actors            []planActor     `json:"actors"`
	Targets           []planTarget    `json:"targets"`
	Plan              []planWeek      `json:"plan"`
	ExpectedReduction float64         `json:"expected_reduction"`
	Risk              float64         `json:"risk"`
	Share             float64         `json:"share"`
	Uncovered         []planUncovered `json:"uncovered"`
	MaxDoseReached    []string        `json:"max_dose_reached"`
	Links             []planLink      `json:"links"`
	Notice            string          `json:"notice,omitempty"`
	Categories        []string        `json:"categories"`
}

type planLink struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type"`
	Title string `json:"title"`
}

type period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type planParams struct {
	VisitMinutes float64 `json:"visit_minutes"`
	PerShift     int     `json:"per_shift"`
	K            float64 `json:"k"`
	MaxDose      float64 `json:"max_dose"`
	RestAfter    int     `json:"rest_after"`
	RestWeeks    int     `json:"rest_weeks"`
	RestFactor   float64 `json:"rest_factor"`
	Seed         uint64  `json:"seed"`
	Bandwidth    float64 `json:"bandwidth"`
}

type planActor struct {
	Type          string   `json:"type"`
	NameSV        string   `json:"name_sv"`
	NameEN        string   `json:"name_en"`
	Capacity      float64  `json:"capacity"`
	CapacityUnit  string   `json:"capacity_unit"`
	VisitsPerWeek int      `json:"visits_per_week"`
	VisitMinutes  float64  `json:"visit_minutes"`
	MaxPerTarget  int      `json:"max_per_target"`
	Placement     bool     `json:"placement"`
	Categories    []string `json:"categories"`
	ShiftDays     []int16  `json:"shift_days"`
	ShiftStart    string   `json:"shift_start"`
	ShiftHours    float64  `json:"shift_hours"`
}

type planTarget struct {
	ID                string             `json:"id"`
	PlaceID           *int64             `json:"place_id"`
	Name              string             `json:"name"`
	Point             []float64          `json:"point"`
	Risk              map[string]float64 `json:"risk"`
	RiskTotal         float64            `json:"risk_total"`
	PlannedVisits     int                `json:"planned_visits"`
	PlannedMinutes    float64            `json:"planned_minutes"`
	ExpectedReduction float64            `json:"expected_reduction"`
	x, y              float64            // EPSG:3006
}

type planWeek struct {
	Week              int            `json:"week"`
	Start             string         `json:"start"`
	ExpectedReduction float64        `json:"expected_reduction"`
	Risk              float64        `json:"risk"`
	Used              map[string]int `json:"used"`
	Resting           []string       `json:"resting"`
	Items             []planItem     `json:"items"`
}

type planItem struct {
	ActorType string  `json:"actor_type"`
	TargetID  string  `json:"target_id"`
	Visits    int     `json:"visits"`
	Minutes   float64 `json:"minutes"`
}

type planUncovered struct {
	TargetID   string         `json:"target_id"`
	Weeks      map[string]int `json:"weeks_without_dose"`
	Categories []string       `json:"categories_without_actor"`
	Residual   float64        `json:"residual_harm"`
}

const modelNote = "Expected harm reduction per target and category R·(1 − exp(−d/k)), d = minutes of dose per week from the actor types acting on the category; " +
	"greedy marginal allocation of visits (optimal when the actor types act on separate categories, else at least 1/2 of the optimum); " +
	"at most max_dose minutes per target per week; a target at full dose for rest_after weeks rests rest_weeks weeks with rest_factor of its risk. " +
	"Risk: harm-weighted kernel density per km² at the place (weighting=harm, as /analysis/hotspots/places)."

// optional is *p, or def when the request left the field out.
func optional[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// createPlan serves POST /deployment/plans: the request is checked (parameters, actor types,
// targets), the targets are selected, allocate solves the plan, and the plan is stored.
func (s *Room) createPlan(c echo.Context) error {
	if err := respond.OnlyParamsAny(c); err != nil {
		return err
	}
	var req planRequest
	if err := request.DecodeBody(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pp, weeks, err := parsePlanParams(&req)
	if err != nil {
		return err
	}
	limit, err := planClassLimit(ctx, req.DataClass)
	if err != nil {
		return err
	}
	categories, err := s.observationCategories()
	if err != nil {
		return err
	}
	actors, err := s.planActors(ctx, req.Actors, pp, categories)
	if err != nil {
		return err
	}
	if err := request.CheckText("name", strings.TrimSpace(req.Name), maxPlanName); err != nil {
		return err
	}
	if n, param := mostTargets(req.Targets); n*weeks*len(actors.model) > maxPlanSize {
		return layers.InvalidCode(param, layers.CodeTooLarge, nil, "%d targets × %d weeks × %d actor types make %d plan rows, at most %d: plan fewer targets, weeks or actor types",
			n, weeks, len(actors.model), n*weeks*len(actors.model), maxPlanSize)
	}
	doc := &planDoc{Name: strings.TrimSpace(req.Name), Weeks: weeks, Parameters: pp, Model: modelNote, Actors: actors.doc, Categories: categories}
	latest, err := s.store.LatestObservation(ctx)
	if err != nil && !errors.Is(err, layers.ErrNotFound) {
		return err
	}
	if latest.IsZero() {
		latest = s.now()
	}
	targets, illustrative, read, err := s.planTargets(ctx, req.Targets, latest, categories, &doc.Parameters, doc, layers.ClassesUpTo(limit))
	if err != nil {
		return err
	}
	doc.DataClass = string(planClass(req.DataClass, limit, read))
	doc.Targets = targets
	if illustrative {
		doc.Notice = respond.IllustrativeNotice
	}
	start, err := s.planStart(req.Start, latest)
	if err != nil {
		return err
	}
	doc.Start = start.Format(time.DateOnly)
	plan, err := s.solvePlan(pp, weeks, categories, actors.model, targets)
	if err != nil {
		return err
	}
	s.fillPlan(doc, plan, start)
	return s.savePlan(c, doc, start)
}

// parsePlanParams reads the plan's parameters with their defaults and checks them.
func parsePlanParams(req *planRequest) (planParams, int, error) {
	pp := planParams{VisitMinutes: optional(req.VisitMinutes, defaultVisitMinutes), PerShift: optional(req.PerShift, defaultPerShift),
		K: optional(req.K, allocate.DefaultK), MaxDose: optional(req.MaxDose, allocate.DefaultMaxDose),
		RestAfter: optional(req.RestAfter, allocate.DefaultRestAfter), RestWeeks: optional(req.RestWeeks, allocate.DefaultRestWeeks),
		RestFactor: optional(req.RestFactor, allocate.DefaultRestFactor), Seed: optional(req.Seed, 1), Bandwidth: kde.DefaultBandwidth}
	weeks := optional(req.Weeks, defaultPlanWeeks)
	switch {
	case weeks < 1 || weeks > allocate.MaxWeeks:
		return pp, 0, layers.InvalidCode("weeks", layers.CodeOutOfRange, map[string]any{"min": 1, "max": allocate.MaxWeeks}, "%d is not between 1 and %d", weeks, allocate.MaxWeeks)
	case !(pp.VisitMinutes >= 5 && pp.VisitMinutes <= 60):
		return pp, 0, layers.InvalidCode("visit_minutes", layers.CodeOutOfRange, map[string]any{"min": 5, "max": 60}, "%g is not between 5 and 60 (the evidence: 10–15 minute stops)", pp.VisitMinutes)
	case pp.PerShift < 2 || pp.PerShift > 5:
		return pp, 0, layers.Invalid("per_shift", "%d is not between 2 and 5 hotspots per shift", pp.PerShift)
	case !(pp.K > 0) || !finite(pp.K):
		return pp, 0, layers.Invalid("k", "%g is not a positive number of minutes", pp.K)
	case !(pp.MaxDose >= pp.VisitMinutes) || !finite(pp.MaxDose) || pp.MaxDose > 7*24*60:
		return pp, 0, layers.Invalid("max_dose", "%g is not between visit_minutes and a week's minutes", pp.MaxDose)
	case pp.RestAfter < 1 || pp.RestAfter > allocate.MaxWeeks:
		return pp, 0, layers.Invalid("rest_after", "%d is not between 1 and %d", pp.RestAfter, allocate.MaxWeeks)
	case pp.RestWeeks < 0 || pp.RestWeeks > allocate.MaxWeeks:
		return pp, 0, layers.Invalid("rest_weeks", "%d is not between 0 and %d", pp.RestWeeks, allocate.MaxWeeks)
	case !(pp.RestFactor >= 0 && pp.RestFactor <= 1):
		return pp, 0, layers.Invalid("rest_factor", "%g is not between 0 and 1", pp.RestFactor)
	}
	return pp, weeks, nil
}

// observationCategories are the observations layer's declared categories, in their order:
// the categories of a plan's risks.
func (s *Room) observationCategories() ([]string, error) {
	obsLayer, err := s.cat.Layer("observations")
	if err != nil {
		return nil, err
	}
	catProp, _ := obsLayer.Property("category")
	return catProp.Enum, nil
}

// planActorSet is the request's actor types two ways: allocate's model, and as the plan
// document shows them.
type planActorSet struct {
	model []allocate.Actor
	doc   []planActor
}

// planActors checks the request's actor types against the known ones and turns their
// capacities into visits per week.
func (s *Room) planActors(ctx context.Context, req []actorRequest, pp planParams, categories []string) (planActorSet, error) {
	var set planActorSet
	if len(req) == 0 {
		return set, layers.InvalidCode("actors", layers.CodeRequired, nil, "give at least one actor type with its capacity")
	}
	known, err := s.store.ActorTypes(ctx)
	if err != nil {
		return set, err
	}
	byID := map[string]layers.ActorType{}
	var ids []string
	for _, a := range known {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	seen := map[string]bool{}
	for k, ar := range req {
		f := fmt.Sprintf("actors[%d].", k)
		at, ok := byID[ar.Type]
		if !ok {
			return set, layers.InvalidCode(f+"type", layers.CodeUnknown, map[string]any{"value": ar.Type}, "%q is not an actor type (%s)", ar.Type, strings.Join(ids, ", "))
		}
		if seen[ar.Type] {
			return set, layers.InvalidCode(f+"type", layers.CodeDuplicate, map[string]any{"value": ar.Type}, "%q is given twice", ar.Type)
		}
		seen[ar.Type] = true
		a, pa, err := planActorOf(f, ar, at, pp, categories)
		if err != nil {
			return set, err
		}
		sh, err := shiftOf(pa, pp.PerShift)
		if err != nil {
			return set, err
		}
		if !pa.Placement && float64(sh.LengthMinutes) < pp.VisitMinutes {
			return set, layers.InvalidCode("visit_minutes", layers.CodeOutOfRange, map[string]any{"max": sh.LengthMinutes}, "a %g-minute visit does not fit the %s shift", pp.VisitMinutes, at.ID)
		}
		set.model = append(set.model, a)
		set.doc = append(set.doc, pa)
	}
	return set, nil
}

// planActorOf checks one requested actor type (fields prefixed f) of type at and turns its
// capacity into visits per week: hours and evenings into visits of visit_minutes, units (a
// camera) into placements.
func planActorOf(f string, ar actorRequest, at layers.ActorType, pp planParams, categories []string) (allocate.Actor, planActor, error) {
	a := allocate.Actor{Minutes: pp.VisitMinutes}
	if ar.Capacity == nil {
		return a, planActor{}, layers.InvalidCode(f+"capacity", layers.CodeRequired, nil, "missing: %s per week", at.CapacityUnit)
	}
	capacity := *ar.Capacity
	if !(capacity >= 0) || !finite(capacity) {
		return a, planActor{}, layers.InvalidCode(f+"capacity", layers.CodeOutOfRange, map[string]any{"min": 0}, "%g is not a non-negative number of %s per week", capacity, at.CapacityUnit)
	}
	cats := at.Categories
	if ar.Categories != nil {
		if len(ar.Categories) == 0 {
			return a, planActor{}, layers.InvalidCode(f+"categories", layers.CodeRequired, nil, "empty: an actor type must act on something")
		}
		for _, cn := range ar.Categories {
			if !slices.Contains(categories, cn) {
				return a, planActor{}, layers.InvalidCode(f+"categories", layers.CodeUnknown, map[string]any{"value": cn}, "%q is not an observation category", cn)
			}
		}
		cats = ar.Categories
	}
	pa := planActor{Type: at.ID, NameSV: at.NameSV, NameEN: at.NameEN, Capacity: capacity, CapacityUnit: at.CapacityUnit,
		Categories: cats, ShiftDays: at.ShiftDays, ShiftStart: at.ShiftStart, ShiftHours: at.ShiftHours}
	var visits float64
	switch at.CapacityUnit {
	case "hours":
		visits = math.Floor(capacity*60/pp.VisitMinutes + 1e-9)
	case "evenings":
		visits = math.Floor(capacity**at.HoursPerUnit*60/pp.VisitMinutes + 1e-9)
	case "units":
		if capacity != math.Trunc(capacity) {
			return a, pa, layers.InvalidCode(f+"capacity", layers.CodeFormat, map[string]any{"format": layers.FormatInteger}, "%g is not a whole number of units", capacity)
		}
		visits, a.Minutes, a.MaxPerTarget, pa.Placement = capacity, *at.DoseMinutes, 1, true
	}
	if visits > maxWeeklyVisits {
		return a, pa, layers.InvalidCode(f+"capacity", layers.CodeTooLarge, nil, "%g %s per week is more than the planner takes (%d visits)", capacity, at.CapacityUnit, maxWeeklyVisits)
	}
	a.Capacity = int(visits)
	for _, cn := range cats {
		a.Categories = append(a.Categories, slices.Index(categories, cn))
	}
	pa.VisitsPerWeek, pa.VisitMinutes, pa.MaxPerTarget = a.Capacity, a.Minutes, a.MaxPerTarget
	return a, pa, nil
}

// planStart is the Monday week 1 starts on: the one given (YYYY-MM-DD, at most planStartBack
// years back and planStartAhead ahead of today), or the first after latest, the end of the
// risk period.
func (s *Room) planStart(given string, latest time.Time) (time.Time, error) {
	loc, err := time.LoadLocation(planZone)
	if err != nil {
		return time.Time{}, err
	}
	if given == "" {
		l := latest.In(loc)
		days := (8 - int(l.Weekday())) % 7
		if days == 0 {
			days = 7
		}
		return time.Date(l.Year(), l.Month(), l.Day()+days, 0, 0, 0, 0, loc), nil
	}
	st, err := time.ParseInLocation(time.DateOnly, given, loc)
	if err != nil || st.Weekday() != time.Monday {
		return time.Time{}, layers.InvalidCode("start", layers.CodeFormat, map[string]any{"format": layers.FormatMonday}, "%q is not a Monday as YYYY-MM-DD", given)
	}
	// A plan looks at most planStartBack years back (replanning past data) and planStartAhead
	// years ahead; beyond that the date is a typo (2204 for 2024).
	today := s.now().In(loc)
	earliest, latestStart := today.AddDate(-planStartBack, 0, 0), today.AddDate(planStartAhead, 0, 0)
	if st.Before(earliest) || st.After(latestStart) {
		return time.Time{}, layers.InvalidCode("start", layers.CodeOutOfRange, map[string]any{"min": earliest.Format(time.DateOnly), "max": latestStart.Format(time.DateOnly)},
			"%s is not between %s and %s (%d years back, %d ahead of today)", given,
			earliest.Format(time.DateOnly), latestStart.Format(time.DateOnly), planStartBack, planStartAhead)
	}
	return st, nil
}

// solvePlan states the plan as allocate's problem and solves it, after refusing one whose
// greedy would take more than maxPlanWork steps. allocate's own refusals (*input.Error)
// name the request field.
func (s *Room) solvePlan(pp planParams, weeks int, categories []string, actors []allocate.Actor, targets []planTarget) (*allocate.Plan, error) {
	prob := &allocate.Problem{Categories: len(categories), Actors: actors,
		Params: allocate.Params{Weeks: weeks, K: pp.K, MaxDose: pp.MaxDose, RestAfter: pp.RestAfter, RestWeeks: pp.RestWeeks,
			RestFactor: pp.RestFactor}}
	if pp.RestWeeks == 0 {
		// allocate reads 0 as "default"; no rest means resting never starts.
		prob.Params.RestAfter = allocate.MaxWeeks + 1
		prob.Params.RestWeeks = 1
	}
	if pp.RestFactor == 0 {
		prob.Params.RestFactor = -1 // allocate: negative means 0
	}
	for _, t := range targets {
		r := make([]float64, len(categories))
		for cn, v := range t.Risk {
			r[slices.Index(categories, cn)] = v
		}
		prob.Targets = append(prob.Targets, allocate.Target{Risk: r})
	}
	// The greedy takes one visit per step: at most a target's dose in visits, and at most the
	// actors' capacity, every week (cost.go).
	capacity := 0.0
	for _, a := range prob.Actors {
		capacity += float64(a.Capacity)
	}
	visits := min(float64(len(prob.Targets))*math.Floor(pp.MaxDose/pp.VisitMinutes), capacity)
	if work := float64(weeks) * visits; work > maxPlanWork {
		return nil, layers.InvalidCode("weeks", layers.CodeTooLarge, nil, "%d weeks of up to %.0f visits are %.0f steps, more than %d; plan fewer weeks or targets, or a smaller max_dose",
			weeks, visits, work, maxPlanWork)
	}
	s.gate.Computing()
	return allocate.Solve(prob)
}

// savePlan stores the plan, with the document naming its id, and answers 201 with it.
func (s *Room) savePlan(c echo.Context, doc *planDoc, start time.Time) error {
	rec := layers.NewPlan{DataClass: layers.DataClass(doc.DataClass), WeekStart: start, Weeks: doc.Weeks, ExpectedReduction: doc.ExpectedReduction, Parameters: doc.Parameters}
	for _, t := range doc.Targets {
		rec.Targets = append(rec.Targets, layers.PlanTarget{ID: t.ID, PlaceID: t.PlaceID, Name: t.Name, Risk: t.Risk, Point: orb.Point{t.x, t.y}})
	}
	for _, w := range doc.Plan {
		for _, it := range w.Items {
			rec.Items = append(rec.Items, layers.PlanItem{Week: w.Week, ActorType: it.ActorType, TargetID: it.TargetID, Visits: it.Visits, Minutes: it.Minutes})
		}
	}
	base := s.baseURL(c)
	var body []byte
	id, err := s.store.SavePlan(c.Request().Context(), rec, func(id int64, created time.Time) ([]byte, error) {
		doc.ID, doc.CreatedAt = id, created.UTC().Format(time.RFC3339)
		doc.Links = planLinks(base, id)
		body = respond.JSON(doc)
		return body, nil
	})
	if err != nil {
		return err
	}
	auth.SetAuditClass(c, layers.DataClass(doc.DataClass)) // the plan's write is as protected as the plan
	c.Response().Header().Set("Location", base+"/deployment/plans/"+strconv.FormatInt(id, 10))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONBlob(http.StatusCreated, body)
}

func planLinks(base string, id int64) []planLink {
	p := base + "/deployment/plans/" + strconv.FormatInt(id, 10)
	return []planLink{
		{p, "self", respond.MediaJSON, "This plan"},
		{p + "?f=csv", "alternate", "text/csv", "Week-by-week plan as CSV"},
		{p + "?f=geojson", "alternate", respond.MediaGeoJSON, "Targets with planned dose (map layer)"},
		{p + "?f=ics", "alternate", "text/calendar", "Visit slots (iCalendar)"},
		{p + "/delivery", "related", respond.MediaJSON, "Planned against delivered dose, with observations"},
		{base + "/deployment/doses?plan=" + strconv.FormatInt(id, 10), "related", respond.MediaJSON, "Logged visits"},
	}
}

// mostTargets is the most targets a request's targets can make, known before they are
// computed, and the parameter that sets it.
func mostTargets(tr *targetsRequest) (int, string) {
	switch {
	case tr == nil:
		return defaultTopTargets, "targets.top"
	case tr.Items != nil:
		return len(*tr.Items), "targets.items"
	case tr.PlaceIDs != nil:
		return len(*tr.PlaceIDs), "targets.place_ids"
	}
	return max(optional(tr.Top, defaultTopTargets), 0), "targets.top"
}

// planClassLimit is the most protected class a plan's inputs may have: the one the request
// asks for (data_class internal or restricted, within the caller's clearance), else the
// caller's clearance. A police editor asks for internal to make a plan the whole joint group
// may read, computed without the police's restricted rows.
//
// Errors: a class that is not internal or restricted (400, data_class); one the caller may
// not read (403).
func planClassLimit(ctx context.Context, asked string) (layers.DataClass, error) {
	p := layers.PrincipalFrom(ctx)
	switch class := layers.DataClass(asked); class {
	case "":
		return p.Clearance(), nil
	case layers.Internal, layers.Restricted:
		if !p.MayRead(class) {
			return "", echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf(
				"data_class: a %s plan is made and read by organisations that may read %s data, which organisation %s may not", class, class, p.Organisation))
		}
		return class, nil
	}
	return "", layers.Invalid("data_class", "%q is not internal or restricted (a plan names places, risks and units: never open data)", asked)
}

// planClass is the class a plan is stored and read with: the one asked for; else the most
// protected class among the rows its targets were computed from (read), at least internal;
// else, for targets the caller gave with their risks (read empty: no row was read, and where
// the risks came from is unknown), the caller's clearance (limit).
func planClass(asked string, limit, read layers.DataClass) layers.DataClass {
	switch {
	case asked != "":
		return layers.DataClass(asked)
	case read == "":
		return limit
	}
	return layers.HigherClass(layers.Internal, read)
}

// shiftOf turns an actor type's shift into allocate's.
func shiftOf(at planActor, perShift int) (allocate.Shift, error) {
	sh := allocate.Shift{PerShift: perShift, Placement: at.Placement, LengthMinutes: int(math.Round(at.ShiftHours * 60))}
	for _, d := range at.ShiftDays {
		sh.Days[d-1] = true
	}
	hh, mm, ok := strings.Cut(at.ShiftStart, ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil {
		return sh, fmt.Errorf("actor type %s: shift start %q", at.Type, at.ShiftStart)
	}
	sh.StartMinute = h*60 + m
	return sh, nil
}

// fillPlan turns allocate's plan into the document's weeks, target totals and uncovered list.
func (s *Room) fillPlan(doc *planDoc, plan *allocate.Plan, start time.Time) {
	cats := doc.Categories
	for w, wk := range plan.Weeks {
		pw := planWeek{Week: w + 1, Start: start.AddDate(0, 0, 7*w).Format(time.DateOnly),
			ExpectedReduction: respond.Round(wk.Reduction, 6), Risk: respond.Round(wk.Risk, 6), Used: map[string]int{}, Resting: []string{}, Items: []planItem{}}
		for a, u := range wk.Used {
			pw.Used[doc.Actors[a].Type] = u
		}
		for _, t := range wk.Resting {
			pw.Resting = append(pw.Resting, doc.Targets[t].ID)
		}
		for _, it := range wk.Items {
			pw.Items = append(pw.Items, planItem{ActorType: doc.Actors[it.Actor].Type, TargetID: doc.Targets[it.Target].ID,
				Visits: it.Visits, Minutes: it.Minutes})
			doc.Targets[it.Target].PlannedVisits += it.Visits
			doc.Targets[it.Target].PlannedMinutes += it.Minutes
		}
		for t, r := range wk.TargetReduction {
			doc.Targets[t].ExpectedReduction += r
		}
		doc.Plan = append(doc.Plan, pw)
	}
	for t := range doc.Targets {
		doc.Targets[t].ExpectedReduction = respond.Round(doc.Targets[t].ExpectedReduction, 6)
	}
	doc.ExpectedReduction, doc.Risk = respond.Round(plan.Reduction, 6), respond.Round(plan.Risk, 6)
	if plan.Risk > 0 {
		doc.Share = respond.Round(plan.Reduction/plan.Risk, 6)
	}
	doc.Uncovered = []planUncovered{}
	for _, u := range plan.Uncovered {
		pu := planUncovered{TargetID: doc.Targets[u.Target].ID, Weeks: map[string]int{}, Categories: []string{}, Residual: respond.Round(u.Residual, 6)}
		for r, n := range u.Weeks {
			pu.Weeks[string(r)] = n
		}
		for _, c := range u.Categories {
			pu.Categories = append(pu.Categories, cats[c])
		}
		doc.Uncovered = append(doc.Uncovered, pu)
	}
	doc.MaxDoseReached = []string{}
	for _, t := range plan.MaxedOut {
		doc.MaxDoseReached = append(doc.MaxDoseReached, doc.Targets[t].ID)
	}
}

func parsePlanID(raw, param string) (int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return 0, layers.Invalid(param, "%q is not a plan id", raw)
	}
	return id, nil
}

// loadPlan reads a stored plan document.
func (s *Room) loadPlan(c echo.Context, id int64) (*planDoc, error) {
	raw, class, err := s.store.PlanDocument(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	var doc planDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("plan %d document: %w", id, err)
	}
	doc.DataClass = string(class) // the row's: documents stored before migration 019 have none
	for k := range doc.Targets {
		t := &doc.Targets[k]
		t.x, t.y = crs.ToSWEREF99TM(t.Point[0], t.Point[1])
	}
	return &doc, nil
}

// plan serves GET /deployment/plans/{id} as JSON, CSV, GeoJSON or iCalendar.
func (s *Room) plan(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "f"); err != nil {
		return err
	}
	id, err := parsePlanID(c.Param("id"), "id")
	if err != nil {
		return err
	}
	f := c.QueryParam("f")
	switch f {
	case "", "json", "csv", "geojson", "ics":
	default:
		return layers.Invalid("f", "%q is not json, csv, geojson or ics", f)
	}
	doc, err := s.loadPlan(c, id)
	if err != nil {
		return err
	}
	switch f {
	case "csv":
		return s.out.Send(c, http.StatusOK, respond.MediaCSV, "no-cache", planCSV(doc))
	case "geojson":
		return s.out.SendJSON(c, respond.MediaGeoJSON, "no-cache", planGeoJSON(doc))
	case "ics":
		prefixes, err := s.unitPrefixes(c.Request().Context())
		if err != nil {
			return err
		}
		body, err := planICS(doc, s.now(), prefixes)
		if err != nil {
			return err
		}
		return s.out.Send(c, http.StatusOK, "text/calendar; charset=utf-8", "no-cache", body)
	}
	return s.out.SendJSON(c, respond.MediaJSON, "no-cache", doc)
}

// planDelivery serves GET /deployment/plans/{id}/delivery: planned against delivered dose per
// target and week, with the observations at the target ("crime and dosage"), and baseline
// weeks before the plan.
func (s *Room) planDelivery(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "radius", "baseline"); err != nil {
		return err
	}
	id, err := parsePlanID(c.Param("id"), "id")
	if err != nil {
		return err
	}
	doc, err := s.loadPlan(c, id)
	if err != nil {
		return err
	}
	radius, err := parseFloat(c.QueryParams(), "radius", doc.Parameters.Bandwidth, 10, 5000)
	if err != nil {
		return err
	}
	baseline, err := respond.Int("baseline", c.QueryParam("baseline"), doc.Weeks, 0, layers.MaxBaselineWeeks)
	if err != nil {
		return err
	}
	targets, err := s.store.Delivery(c.Request().Context(), id, radius, baseline)
	if err != nil {
		return err
	}
	var planned, delivered float64
	for _, t := range targets {
		for _, w := range t.Weeks {
			planned += w.PlannedMinutes
			delivered += w.DeliveredMinutes
		}
	}
	out := respond.Obj{"plan_id": id, "start": doc.Start, "weeks": doc.Weeks, "radius": radius, "baseline_weeks": baseline,
		"planned_minutes": planned, "delivered_minutes": delivered, "targets": targets,
		"note": "Weeks 1.. are the plan's, weeks ≤ 0 the baseline before it (Monday to Monday, Europe/Stockholm). Observations within radius metres of the target; harm by harm_weights."}
	if doc.Notice != "" {
		out["notice"] = doc.Notice
	}
	return s.out.SendJSON(c, respond.MediaJSON, "no-cache", out)
}

// doseInput is one logged visit as a client writes it.
type doseInput struct {
	PlanID    int64   `json:"plan_id"`
	TargetID  string  `json:"target_id"`
	ActorType string  `json:"actor_type"`
	UnitCode  *string `json:"unit_code"`
	StartedAt string  `json:"started_at"`
	Minutes   float64 `json:"minutes"`
	Tactic    string  `json:"tactic"`
	ClientKey *string `json:"client_key"`
}

// recordDoses serves POST /deployment/doses: a batch of visits, stored all or nothing.
func (s *Room) recordDoses(c echo.Context) error {
	if err := respond.OnlyParamsAny(c); err != nil {
		return err
	}
	var body struct {
		Doses []doseInput `json:"doses"`
	}
	if err := request.DecodeBody(c, &body); err != nil {
		return err
	}
	if len(body.Doses) == 0 {
		return layers.InvalidCode("doses", layers.CodeRequired, nil, "give at least one visit")
	}
	if len(body.Doses) > 10_000 {
		return layers.Invalid("doses", "%d visits in one request, at most 10000", len(body.Doses))
	}
	in := make([]layers.Dose, len(body.Doses))
	for k, d := range body.Doses {
		f := fmt.Sprintf("doses[%d].", k)
		if d.PlanID < 1 {
			return layers.InvalidCode(f+"plan_id", layers.CodeRequired, nil, "missing")
		}
		t, err := time.Parse(time.RFC3339, d.StartedAt)
		if err != nil {
			return layers.InvalidCode(f+"started_at", layers.CodeFormat, map[string]any{"format": layers.FormatTime}, "%q is not an RFC 3339 time", d.StartedAt)
		}
		in[k] = layers.Dose{PlanID: d.PlanID, TargetID: d.TargetID, ActorType: d.ActorType, UnitCode: d.UnitCode,
			StartedAt: t, Minutes: d.Minutes, Tactic: d.Tactic, ClientKey: d.ClientKey}
	}
	out, err := s.store.RecordDoses(c.Request().Context(), in, s.now())
	if err != nil {
		return err
	}
	// The write's audit entry is as protected as the most protected plan it logged against.
	class := layers.Internal
	for _, d := range out {
		class = layers.HigherClass(class, d.DataClass)
	}
	auth.SetAuditClass(c, class)
	// Every visit sent again with its client key (stored before): 200, nothing was created.
	status := http.StatusOK
	for _, d := range out {
		if !d.Replayed {
			status = http.StatusCreated
		}
	}
	return respond.NoStore(c, status, respond.Obj{"doses": out})
}

// doses serves GET /deployment/doses?plan=ID.
func (s *Room) doses(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "plan"); err != nil {
		return err
	}
	if !c.QueryParams().Has("plan") {
		return layers.Invalid("plan", "missing: give the plan id")
	}
	id, err := parsePlanID(c.QueryParam("plan"), "plan")
	if err != nil {
		return err
	}
	ds, err := s.store.Doses(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []layers.Dose{}
	}
	return s.out.SendJSON(c, respond.MediaJSON, "no-cache", respond.Obj{"plan_id": id, "doses": ds})
}
