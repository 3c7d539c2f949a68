package web

import (
	"bytes"
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
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/kde"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
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

func (s *Server) deploymentRoutes(e *echo.Echo) {
	// Plans name places, risks from observations and units: internal data; making a plan or
	// logging a dose writes.
	internal := needClass(layers.Internal, "the deployment planner")
	write := needWrite("the deployment planner")
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

func (s *Server) actorTypes(c echo.Context) error {
	if err := onlyParams(c, "f"); err != nil {
		return err
	}
	at, err := s.store.ActorTypes(c.Request().Context())
	if err != nil {
		return err
	}
	return s.sendJSON(c, mediaJSON, cacheMeta, obj{"actor_types": at,
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

// createPlan serves POST /deployment/plans.
func (s *Server) createPlan(c echo.Context) error {
	if err := onlyParamsAny(c); err != nil {
		return err
	}
	var req planRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	loc, err := time.LoadLocation(planZone)
	if err != nil {
		return err
	}
	pp := planParams{VisitMinutes: optional(req.VisitMinutes, defaultVisitMinutes), PerShift: optional(req.PerShift, defaultPerShift),
		K: optional(req.K, allocate.DefaultK), MaxDose: optional(req.MaxDose, allocate.DefaultMaxDose),
		RestAfter: optional(req.RestAfter, allocate.DefaultRestAfter), RestWeeks: optional(req.RestWeeks, allocate.DefaultRestWeeks),
		RestFactor: optional(req.RestFactor, allocate.DefaultRestFactor), Seed: optional(req.Seed, 1), Bandwidth: kde.DefaultBandwidth}
	weeks := optional(req.Weeks, defaultPlanWeeks)
	switch {
	case weeks < 1 || weeks > allocate.MaxWeeks:
		return invalid("weeks", "%d is not between 1 and %d", weeks, allocate.MaxWeeks)
	case !(pp.VisitMinutes >= 5 && pp.VisitMinutes <= 60):
		return invalid("visit_minutes", "%g is not between 5 and 60 (the evidence: 10–15 minute stops)", pp.VisitMinutes)
	case pp.PerShift < 2 || pp.PerShift > 5:
		return invalid("per_shift", "%d is not between 2 and 5 hotspots per shift", pp.PerShift)
	case !(pp.K > 0) || !finite(pp.K):
		return invalid("k", "%g is not a positive number of minutes", pp.K)
	case !(pp.MaxDose >= pp.VisitMinutes) || !finite(pp.MaxDose) || pp.MaxDose > 7*24*60:
		return invalid("max_dose", "%g is not between visit_minutes and a week's minutes", pp.MaxDose)
	case pp.RestAfter < 1 || pp.RestAfter > allocate.MaxWeeks:
		return invalid("rest_after", "%d is not between 1 and %d", pp.RestAfter, allocate.MaxWeeks)
	case pp.RestWeeks < 0 || pp.RestWeeks > allocate.MaxWeeks:
		return invalid("rest_weeks", "%d is not between 0 and %d", pp.RestWeeks, allocate.MaxWeeks)
	case !(pp.RestFactor >= 0 && pp.RestFactor <= 1):
		return invalid("rest_factor", "%g is not between 0 and 1", pp.RestFactor)
	}
	limit, err := planClassLimit(ctx, req.DataClass)
	if err != nil {
		return err
	}
	obsLayer, err := s.cat.Layer("observations")
	if err != nil {
		return err
	}
	catProp, _ := obsLayer.Property("category")
	categories := catProp.Enum
	catIndex := map[string]int{}
	for k, cname := range categories {
		catIndex[cname] = k
	}

	// Actor types.
	if len(req.Actors) == 0 {
		return invalid("actors", "give at least one actor type with its capacity")
	}
	known, err := s.store.ActorTypes(ctx)
	if err != nil {
		return err
	}
	byID := map[string]layers.ActorType{}
	var ids []string
	for _, a := range known {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	var actors []allocate.Actor
	var shifts []allocate.Shift
	var pactors []planActor
	seen := map[string]bool{}
	for k, ar := range req.Actors {
		f := fmt.Sprintf("actors[%d].", k)
		at, ok := byID[ar.Type]
		if !ok {
			return invalid(f+"type", "%q is not an actor type (%s)", ar.Type, strings.Join(ids, ", "))
		}
		if seen[ar.Type] {
			return invalid(f+"type", "%q is given twice", ar.Type)
		}
		seen[ar.Type] = true
		if ar.Capacity == nil {
			return invalid(f+"capacity", "missing: %s per week", at.CapacityUnit)
		}
		capacity := *ar.Capacity
		if !(capacity >= 0) || !finite(capacity) {
			return invalid(f+"capacity", "%g is not a non-negative number of %s per week", capacity, at.CapacityUnit)
		}
		cats := at.Categories
		if ar.Categories != nil {
			if len(ar.Categories) == 0 {
				return invalid(f+"categories", "empty: an actor type must act on something")
			}
			for _, cn := range ar.Categories {
				if _, ok := catIndex[cn]; !ok {
					return invalid(f+"categories", "%q is not an observation category", cn)
				}
			}
			cats = ar.Categories
		}
		a := allocate.Actor{Minutes: pp.VisitMinutes}
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
				return invalid(f+"capacity", "%g is not a whole number of units", capacity)
			}
			visits, a.Minutes, a.MaxPerTarget, pa.Placement = capacity, *at.DoseMinutes, 1, true
		}
		if visits > maxWeeklyVisits {
			return invalid(f+"capacity", "%g %s per week is more than the planner takes (%d visits)", capacity, at.CapacityUnit, maxWeeklyVisits)
		}
		a.Capacity = int(visits)
		for _, cn := range cats {
			a.Categories = append(a.Categories, catIndex[cn])
		}
		pa.VisitsPerWeek, pa.VisitMinutes, pa.MaxPerTarget = a.Capacity, a.Minutes, a.MaxPerTarget
		sh, err := shiftOf(pa, pp.PerShift)
		if err != nil {
			return err
		}
		if !pa.Placement && float64(sh.LengthMinutes) < pp.VisitMinutes {
			return invalid("visit_minutes", "a %g-minute visit does not fit the %s shift", pp.VisitMinutes, at.ID)
		}
		actors = append(actors, a)
		shifts = append(shifts, sh)
		pactors = append(pactors, pa)
	}

	// Targets and the risk period.
	if err := checkText("name", strings.TrimSpace(req.Name), maxPlanName); err != nil {
		return err
	}
	if n, param := mostTargets(req.Targets); n*weeks*len(actors) > maxPlanSize {
		return invalid(param, "%d targets × %d weeks × %d actor types make %d plan rows, at most %d: plan fewer targets, weeks or actor types",
			n, weeks, len(actors), n*weeks*len(actors), maxPlanSize)
	}
	doc := &planDoc{Name: strings.TrimSpace(req.Name), Weeks: weeks, Parameters: pp, Model: modelNote, Actors: pactors, Categories: categories}
	latest, err := s.store.LatestObservation(ctx)
	if err != nil && !errors.Is(err, layers.ErrNotFound) {
		return err
	}
	if latest.IsZero() {
		latest = s.now()
	}
	targets, illustrative, read, err := s.planTargets(c, req.Targets, latest, categories, &doc.Parameters, doc, layers.ClassesUpTo(limit))
	if err != nil {
		return err
	}
	doc.DataClass = string(planClass(req.DataClass, limit, read))
	doc.Targets = targets
	if illustrative {
		doc.Notice = illustrativeNotice
	}

	// Week 1 starts on a Monday: the one given, or the first after the risk period.
	var start time.Time
	if req.Start != "" {
		st, err := time.ParseInLocation(time.DateOnly, req.Start, loc)
		if err != nil || st.Weekday() != time.Monday {
			return invalid("start", "%q is not a Monday as YYYY-MM-DD", req.Start)
		}
		// A plan looks at most planStartBack years back (replanning past data) and
		// planStartAhead years ahead; beyond that the date is a typo (2204 for 2024).
		today := s.now().In(loc)
		earliest, latestStart := today.AddDate(-planStartBack, 0, 0), today.AddDate(planStartAhead, 0, 0)
		if st.Before(earliest) || st.After(latestStart) {
			return invalid("start", "%s is not between %s and %s (%d years back, %d ahead of today)", req.Start,
				earliest.Format(time.DateOnly), latestStart.Format(time.DateOnly), planStartBack, planStartAhead)
		}
		start = st
	} else {
		l := latest.In(loc)
		days := (8 - int(l.Weekday())) % 7
		if days == 0 {
			days = 7
		}
		start = time.Date(l.Year(), l.Month(), l.Day()+days, 0, 0, 0, 0, loc)
	}
	doc.Start = start.Format(time.DateOnly)

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
			r[catIndex[cn]] = v
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
		return invalid("weeks", "%d weeks of up to %.0f visits are %.0f steps, more than %d; plan fewer weeks or targets, or a smaller max_dose",
			weeks, visits, work, maxPlanWork)
	}
	s.gate.computing()
	plan, err := allocate.Solve(prob)
	if err != nil {
		var ae *allocate.Error
		if errors.As(err, &ae) {
			return invalid(ae.Field, "%s", ae.Reason)
		}
		return err
	}
	s.fillPlan(doc, plan, start)

	// Store, with the document naming its id.
	rec := layers.NewPlan{DataClass: layers.DataClass(doc.DataClass), WeekStart: start, Weeks: weeks, ExpectedReduction: doc.ExpectedReduction, Parameters: doc.Parameters}
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
	id, err := s.store.SavePlan(ctx, rec, func(id int64, created time.Time) ([]byte, error) {
		doc.ID, doc.CreatedAt = id, created.UTC().Format(time.RFC3339)
		doc.Links = planLinks(base, id)
		body = marshalJSON(doc)
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
		{p, "self", mediaJSON, "This plan"},
		{p + "?f=csv", "alternate", "text/csv", "Week-by-week plan as CSV"},
		{p + "?f=geojson", "alternate", mediaGeoJSON, "Targets with planned dose (map layer)"},
		{p + "?f=ics", "alternate", "text/calendar", "Visit slots (iCalendar)"},
		{p + "/delivery", "related", mediaJSON, "Planned against delivered dose, with observations"},
		{base + "/deployment/doses?plan=" + strconv.FormatInt(id, 10), "related", mediaJSON, "Logged visits"},
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
	return "", invalid("data_class", "%q is not internal or restricted (a plan names places, risks and units: never open data)", asked)
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

// planTargets resolves the request's targets: explicit items, listed places, or the top
// places by harm-weighted density over the days before latest, from rows of classes only.
// It returns the most protected class among the rows it read; "" for explicit items, which
// read none.
func (s *Server) planTargets(c echo.Context, tr *targetsRequest, latest time.Time, categories []string, pp *planParams, doc *planDoc, classes []string) ([]planTarget, bool, layers.DataClass, error) {
	if tr == nil {
		tr = &targetsRequest{}
	}
	if tr.Items != nil {
		if tr.Top != nil || tr.PlaceIDs != nil || tr.Days != nil || tr.Bandwidth != nil {
			return nil, false, "", invalid("targets", "give items, or places (place_ids / top, days, bandwidth), not both")
		}
		items := *tr.Items
		if len(items) == 0 {
			return nil, false, "", invalid("targets.items", "the target set is empty")
		}
		if len(items) > maxPlanTargets {
			return nil, false, "", invalid("targets.items", "%d targets, at most %d", len(items), maxPlanTargets)
		}
		seen := map[string]bool{}
		out := make([]planTarget, len(items))
		for k, it := range items {
			f := fmt.Sprintf("targets.items[%d].", k)
			if it.ID == "" || len(it.ID) > 64 || strings.Trim(it.ID, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.-") != "" {
				return nil, false, "", invalid(f+"id", "%q is not 1–64 letters, digits or :_.-", it.ID)
			}
			if seen[it.ID] {
				return nil, false, "", invalid(f+"id", "%q is given twice", it.ID)
			}
			seen[it.ID] = true
			if len(it.Point) != 2 || !finite(it.Point[0]) || !finite(it.Point[1]) || it.Point[0] < 10 || it.Point[0] > 25 || it.Point[1] < 55 || it.Point[1] > 70 {
				return nil, false, "", invalid(f+"point", "give [lon, lat] in CRS84 within Sweden")
			}
			risk := map[string]float64{}
			for cn, v := range it.Risk {
				if !slices.Contains(categories, cn) {
					return nil, false, "", invalid(f+"risk", "%q is not an observation category", cn)
				}
				if !(v >= 0) || !finite(v) || v > maxTargetRisk {
					return nil, false, "", invalid(f+"risk", "%s: %g is not a number between 0 and %g", cn, v, maxTargetRisk)
				}
				if v > 0 {
					risk[cn] = v
				}
			}
			name := strings.TrimSpace(it.Name)
			if err := checkText(f+"name", name, maxPlanName); err != nil {
				return nil, false, "", err
			}
			if name == "" {
				name = it.ID
			}
			x, y := crs.ToSWEREF99TM(it.Point[0], it.Point[1])
			out[k] = planTarget{ID: it.ID, Name: name, Point: []float64{round(it.Point[0], 7), round(it.Point[1], 7)}, Risk: risk, x: x, y: y}
			for _, v := range risk {
				out[k].RiskTotal += v
			}
			out[k].RiskTotal = round(out[k].RiskTotal, 6)
			if !finite(out[k].RiskTotal) {
				return nil, false, "", invalid(f+"risk", "the total %g is not a finite number", out[k].RiskTotal)
			}
		}
		return out, false, "", nil
	}
	top := optional(tr.Top, defaultTopTargets)
	if top < 1 || top > maxPlanTargets {
		return nil, false, "", invalid("targets.top", "%d is not between 1 and %d", top, maxPlanTargets)
	}
	days := optional(tr.Days, defaultRiskDays)
	if days < 1 || days > 3650 {
		return nil, false, "", invalid("targets.days", "%d is not between 1 and 3650", days)
	}
	switch tr.Kind {
	case "", "places":
	case "cells":
		if tr.PlaceIDs != nil || tr.Bandwidth != nil {
			return nil, false, "", invalid("targets", "cells take side, top and days; place_ids and bandwidth are for places")
		}
		return s.cellTargets(c, tr, top, days, latest, categories, doc, classes)
	default:
		return nil, false, "", invalid("targets.kind", "%q is not places or cells", tr.Kind)
	}
	if tr.Side != nil {
		return nil, false, "", invalid("targets.side", "side is for kind cells")
	}
	bw := optional(tr.Bandwidth, kde.DefaultBandwidth)
	if !(bw >= 50 && bw <= 5000) {
		return nil, false, "", invalid("targets.bandwidth", "%g is not between 50 and 5000 metres", bw)
	}
	pp.Bandwidth = bw
	var ids []int64
	if tr.PlaceIDs != nil {
		if tr.Top != nil {
			return nil, false, "", invalid("targets", "give place_ids or top, not both")
		}
		ids = *tr.PlaceIDs
		if len(ids) == 0 {
			return nil, false, "", invalid("targets.place_ids", "the target set is empty")
		}
		if len(ids) > maxPlanTargets {
			return nil, false, "", invalid("targets.place_ids", "%d places, at most %d", len(ids), maxPlanTargets)
		}
	}
	start := latest.Add(-time.Duration(days) * 24 * time.Hour)
	doc.RiskPeriod = &period{Start: start.UTC().Format(time.RFC3339), End: latest.UTC().Format(time.RFC3339)}
	places, read, err := s.store.PlaceRisks(c.Request().Context(), bw, start, latest, ids, classes)
	if err != nil {
		return nil, false, "", err
	}
	if ids == nil {
		// Top-N by harm-weighted density; places without any risk are no targets.
		n := 0
		for n < len(places) && n < top && places[n].Total > 0 {
			n++
		}
		places = places[:n]
		if n == 0 {
			return nil, false, "", invalid("targets", "no place has observations in the %d days before %s: the target set is empty", days, latest.UTC().Format(time.DateOnly))
		}
	}
	illustrative := false
	out := make([]planTarget, len(places))
	for k, p := range places {
		id := p.ID
		lon, lat := crs.FromSWEREF99TM(p.Point[0], p.Point[1])
		risk := map[string]float64{}
		for cn, v := range p.Risk {
			risk[cn] = round(v, 6)
		}
		out[k] = planTarget{ID: "place:" + strconv.FormatInt(p.ID, 10), PlaceID: &id, Name: p.Name,
			Point: []float64{round(lon, 7), round(lat, 7)}, Risk: risk, RiskTotal: round(p.Total, 6), x: p.Point[0], y: p.Point[1]}
		illustrative = illustrative || p.Illustrative
	}
	return out, illustrative, read, nil
}

// fillPlan turns allocate's plan into the document's weeks, target totals and uncovered list.
func (s *Server) fillPlan(doc *planDoc, plan *allocate.Plan, start time.Time) {
	cats := doc.Categories
	for w, wk := range plan.Weeks {
		pw := planWeek{Week: w + 1, Start: start.AddDate(0, 0, 7*w).Format(time.DateOnly),
			ExpectedReduction: round(wk.Reduction, 6), Risk: round(wk.Risk, 6), Used: map[string]int{}, Resting: []string{}, Items: []planItem{}}
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
		doc.Targets[t].ExpectedReduction = round(doc.Targets[t].ExpectedReduction, 6)
	}
	doc.ExpectedReduction, doc.Risk = round(plan.Reduction, 6), round(plan.Risk, 6)
	if plan.Risk > 0 {
		doc.Share = round(plan.Reduction/plan.Risk, 6)
	}
	doc.Uncovered = []planUncovered{}
	for _, u := range plan.Uncovered {
		pu := planUncovered{TargetID: doc.Targets[u.Target].ID, Weeks: map[string]int{}, Categories: []string{}, Residual: round(u.Residual, 6)}
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
		return 0, invalid(param, "%q is not a plan id", raw)
	}
	return id, nil
}

// loadPlan reads a stored plan document.
func (s *Server) loadPlan(c echo.Context, id int64) (*planDoc, error) {
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
func (s *Server) plan(c echo.Context) error {
	if err := onlyParamsAny(c, "f"); err != nil {
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
		return invalid("f", "%q is not json, csv, geojson or ics", f)
	}
	doc, err := s.loadPlan(c, id)
	if err != nil {
		return err
	}
	switch f {
	case "csv":
		return s.send(c, http.StatusOK, mediaCSV, "no-cache", planCSV(doc))
	case "geojson":
		return s.sendJSON(c, mediaGeoJSON, "no-cache", planGeoJSON(doc))
	case "ics":
		body, err := planICS(doc, s.now())
		if err != nil {
			return err
		}
		return s.send(c, http.StatusOK, "text/calendar; charset=utf-8", "no-cache", body)
	}
	return s.sendJSON(c, mediaJSON, "no-cache", doc)
}

func planCSV(doc *planDoc) []byte {
	var b bytes.Buffer
	w := newCSVWriter(&b)
	names := map[string]string{}
	for _, t := range doc.Targets {
		names[t.ID] = t.Name
	}
	_ = w.Write([]string{"week", "week_start", "actor_type", "target_id", "target_name", "visits", "minutes"})
	for _, wk := range doc.Plan {
		for _, it := range wk.Items {
			_ = w.Write([]string{strconv.Itoa(wk.Week), wk.Start, it.ActorType, it.TargetID, names[it.TargetID],
				strconv.Itoa(it.Visits), strconv.FormatFloat(it.Minutes, 'f', -1, 64)})
		}
	}
	w.Flush()
	return b.Bytes()
}

func planGeoJSON(doc *planDoc) obj {
	why := map[string]obj{}
	for _, u := range doc.Uncovered {
		why[u.TargetID] = obj{"weeks_without_dose": u.Weeks, "categories_without_actor": u.Categories}
	}
	features := make([]obj, len(doc.Targets))
	for k, t := range doc.Targets {
		props := obj{"id": t.ID, "name": t.Name, "place_id": t.PlaceID, "risk_total": t.RiskTotal,
			"planned_visits": t.PlannedVisits, "planned_minutes": t.PlannedMinutes,
			"planned_minutes_per_week": round(t.PlannedMinutes/float64(doc.Weeks), 3),
			"expected_reduction":       t.ExpectedReduction, "uncovered": why[t.ID]}
		features[k] = obj{"type": "Feature", "id": t.ID, "geometry": obj{"type": "Point", "coordinates": t.Point}, "properties": props}
	}
	fc := obj{"type": "FeatureCollection", "features": features, "plan_id": doc.ID, "data_class": doc.DataClass, "numberReturned": len(features)}
	if doc.Notice != "" {
		fc["notice"] = doc.Notice
	}
	return fc
}

// planICS renders the plan's visit slots as iCalendar (RFC 5545): one event per visit (or per
// camera placement), at the irregular times allocate.Schedule draws with the plan's seed,
// DTSTART in UTC, lines folded at 75 octets, CRLF. Events name the actor type and a unit
// number, never a person.
func planICS(doc *planDoc, now time.Time) ([]byte, error) {
	loc, err := time.LoadLocation(planZone)
	if err != nil {
		return nil, err
	}
	start, err := time.ParseInLocation(time.DateOnly, doc.Start, loc)
	if err != nil {
		return nil, fmt.Errorf("plan %d start: %w", doc.ID, err)
	}
	actors := make([]allocate.Actor, len(doc.Actors))
	shifts := make([]allocate.Shift, len(doc.Actors))
	actorIx, targetIx := map[string]int{}, map[string]int{}
	for a, pa := range doc.Actors {
		actors[a] = allocate.Actor{Minutes: pa.VisitMinutes, Capacity: pa.VisitsPerWeek, MaxPerTarget: pa.MaxPerTarget}
		if shifts[a], err = shiftOf(pa, doc.Parameters.PerShift); err != nil {
			return nil, err
		}
		actorIx[pa.Type] = a
	}
	for t, pt := range doc.Targets {
		targetIx[pt.ID] = t
	}
	// One event per visit (a camera placement is a visit): counted before they are drawn.
	events := 0
	for _, pw := range doc.Plan {
		for _, it := range pw.Items {
			events += it.Visits
		}
	}
	if events > maxICSEvents {
		return nil, invalid("f", "plan %d has %d visits; an iCalendar export holds at most %d: use f=csv (visits per week, actor type and target) or a plan of fewer weeks",
			doc.ID, events, maxICSEvents)
	}
	plan := &allocate.Plan{Weeks: make([]allocate.Week, len(doc.Plan))}
	for w, pw := range doc.Plan {
		for _, it := range pw.Items {
			plan.Weeks[w].Items = append(plan.Weeks[w].Items, allocate.Item{Actor: actorIx[it.ActorType], Target: targetIx[it.TargetID], Visits: it.Visits, Minutes: it.Minutes})
		}
	}
	slots, err := allocate.Schedule(plan, actors, shifts, start, doc.Parameters.Seed)
	if err != nil {
		return nil, err
	}
	stamp := now.UTC().Format("20060102T150405Z")
	if t, err := time.Parse(time.RFC3339, doc.CreatedAt); err == nil {
		stamp = t.UTC().Format("20060102T150405Z") // the plan's, so the file does not change between downloads
	}
	var b bytes.Buffer
	line := func(s string) { foldICS(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Lagesbild//Deployment planner//SV")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icsText(fmt.Sprintf("Insatsplan %d", doc.ID)))
	// A calendar client shows a PRIVATE or CONFIDENTIAL event's details to its owner only,
	// when the calendar is shared: the patrol schedule is as protected as the plan.
	class := "PRIVATE"
	if doc.DataClass == string(layers.Restricted) {
		class = "CONFIDENTIAL"
	}
	seq := map[string]int{}
	for _, sl := range slots {
		pa, pt := doc.Actors[sl.Actor], doc.Targets[sl.Target]
		key := fmt.Sprintf("%d-w%d-%s-d%d-u%d", doc.ID, sl.Week+1, pa.Type, sl.Day+1, sl.Unit)
		seq[key]++
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:plan%s-%d@lagesbild", key, seq[key]))
		line("DTSTAMP:" + stamp)
		line("DTSTART:" + sl.Start.UTC().Format("20060102T150405Z"))
		line(fmt.Sprintf("DURATION:PT%dM", sl.Minutes))
		what := "besök"
		if pa.Placement {
			what = "placering"
		}
		line("CLASS:" + class)
		line("SUMMARY:" + icsText(fmt.Sprintf("%s enhet %d – %s: %s", pa.NameSV, sl.Unit, what, pt.Name)))
		line("LOCATION:" + icsText(pt.Name))
		line(fmt.Sprintf("GEO:%.6f;%.6f", pt.Point[1], pt.Point[0]))
		line("CATEGORIES:" + icsText(pa.Type))
		line("DESCRIPTION:" + icsText(fmt.Sprintf("Vecka %d (%s), %s. Kort besök på oregelbundna tider enligt brännpunktsforskningen; logga besöket med POST /deployment/doses (plan %d, mål %s).",
			sl.Week+1, doc.Plan[sl.Week].Start, pa.NameEN, doc.ID, pt.ID)))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes(), nil
}

// icsEscaper escapes a TEXT value (RFC 5545 3.3.11): a line break (CRLF, LF or a bare CR,
// which some clients split lines on) becomes \n. A Replacer does not change once made and is
// safe for concurrent use; it is made once, not per value (building it took a quarter of an
// export's time).
var icsEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// icsText escapes a TEXT value (see icsEscaper); the other control characters but HTAB,
// which TEXT may not hold, are dropped.
func icsText(s string) string {
	return strings.Map(func(c rune) rune {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return -1
		}
		return c
	}, icsEscaper.Replace(s))
}

// foldICS writes a content line folded at 75 octets (continuations start with a space and
// carry 74), never inside a UTF-8 sequence, ending in CRLF.
func foldICS(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a multi-byte character
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}

// planDelivery serves GET /deployment/plans/{id}/delivery: planned against delivered dose per
// target and week, with the observations at the target ("crime and dosage"), and baseline
// weeks before the plan.
func (s *Server) planDelivery(c echo.Context) error {
	if err := onlyParamsAny(c, "radius", "baseline"); err != nil {
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
	baseline, err := parseInt("baseline", c.QueryParam("baseline"), doc.Weeks, 0, layers.MaxBaselineWeeks)
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
	out := obj{"plan_id": id, "start": doc.Start, "weeks": doc.Weeks, "radius": radius, "baseline_weeks": baseline,
		"planned_minutes": planned, "delivered_minutes": delivered, "targets": targets,
		"note": "Weeks 1.. are the plan's, weeks ≤ 0 the baseline before it (Monday to Monday, Europe/Stockholm). Observations within radius metres of the target; harm by harm_weights."}
	if doc.Notice != "" {
		out["notice"] = doc.Notice
	}
	return s.sendJSON(c, mediaJSON, "no-cache", out)
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
}

// recordDoses serves POST /deployment/doses: a batch of visits, stored all or nothing.
func (s *Server) recordDoses(c echo.Context) error {
	if err := onlyParamsAny(c); err != nil {
		return err
	}
	var body struct {
		Doses []doseInput `json:"doses"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if len(body.Doses) == 0 {
		return invalid("doses", "give at least one visit")
	}
	if len(body.Doses) > 10_000 {
		return invalid("doses", "%d visits in one request, at most 10000", len(body.Doses))
	}
	in := make([]layers.Dose, len(body.Doses))
	for k, d := range body.Doses {
		f := fmt.Sprintf("doses[%d].", k)
		if d.PlanID < 1 {
			return invalid(f+"plan_id", "missing")
		}
		t, err := time.Parse(time.RFC3339, d.StartedAt)
		if err != nil {
			return invalid(f+"started_at", "%q is not an RFC 3339 time", d.StartedAt)
		}
		in[k] = layers.Dose{PlanID: d.PlanID, TargetID: d.TargetID, ActorType: d.ActorType, UnitCode: d.UnitCode,
			StartedAt: t, Minutes: d.Minutes, Tactic: d.Tactic}
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
	return s.sendNoStore(c, http.StatusCreated, obj{"doses": out})
}

// doses serves GET /deployment/doses?plan=ID.
func (s *Server) doses(c echo.Context) error {
	if err := onlyParamsAny(c, "plan"); err != nil {
		return err
	}
	if !c.QueryParams().Has("plan") {
		return invalid("plan", "missing: give the plan id")
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
	return s.sendJSON(c, mediaJSON, "no-cache", obj{"plan_id": id, "doses": ds})
}

// cellTargets makes targets of the hot spots: Gi* on the harm-weighted observations of the
// days before latest, over hexagons of the given side in the whole study area; the cells
// hot at 95 % or more, the heaviest first. A cell's risk per category is the harm-weighted
// count of that category's observations in it, per week of the period, so actors are sent
// where what they act on happens.
func (s *Server) cellTargets(c echo.Context, tr *targetsRequest, top, days int, latest time.Time, categories []string, doc *planDoc, classes []string) ([]planTarget, bool, layers.DataClass, error) {
	side := optional(tr.Side, 150)
	if !(side >= 50 && side <= 5000) {
		return nil, false, "", invalid("targets.side", "%g is not between 50 and 5000 metres", side)
	}
	ctx := c.Request().Context()
	start := latest.Add(-time.Duration(days) * 24 * time.Hour)
	doc.RiskPeriod = &period{Start: start.UTC().Format(time.RFC3339), End: latest.UTC().Format(time.RFC3339)}
	cells, err := s.store.HexCells(ctx, side, layers.StudyArea{})
	if err != nil {
		return nil, false, "", err
	}
	window := &layers.Interval{Start: &start, End: &latest}
	all, err := s.store.WeightedObservations(ctx, cells.Bound.Pad(side), layers.ObservationFilter{Datetime: window, Weighting: layers.WeightHarm, Classes: classes}, "")
	if err != nil {
		return nil, false, "", err
	}
	index, b := binPoints(cells, all)
	nb, err := hotspot.DistanceBand(centres(cells), 3*side)
	if err != nil {
		return nil, false, "", analysisError(err, "targets.side")
	}
	res, err := hotspot.GiStar(b.weight, nb)
	if err != nil {
		return nil, false, "", analysisError(err, "targets.side")
	}
	var hot []int
	for k, g := range res {
		if g.Bin >= 2 && b.weight[k] > 0 {
			hot = append(hot, k)
		}
	}
	if len(hot) == 0 {
		return nil, false, "", invalid("targets", "no hexagon is a hot spot at 95 %% in the %d days before %s: the target set is empty", days, latest.UTC().Format(time.DateOnly))
	}
	slices.SortStableFunc(hot, func(a, z int) int { return cmpDesc(b.weight[a], b.weight[z]) })
	hot = hot[:min(top, len(hot))]
	// Risk per category: one query per category the actors can act on.
	weeks := float64(days) / 7
	risk := make([]map[string]float64, len(hot))
	pos := map[int]int{}
	for n, k := range hot {
		risk[n] = map[string]float64{}
		pos[k] = n
	}
	for _, cat := range categories {
		pts, err := s.store.WeightedObservations(ctx, cells.Bound.Pad(side), layers.ObservationFilter{Datetime: window, Categories: []string{cat}, Weighting: layers.WeightHarm, Classes: classes}, "")
		if err != nil {
			return nil, false, "", err
		}
		for m, p := range pts.Points {
			i, j := hotspot.HexCellOf(p, side)
			if k, ok := index[[2]int{i, j}]; ok {
				if n, ok := pos[k]; ok {
					risk[n][cat] += pts.Weights[m] / weeks
				}
			}
		}
	}
	out := make([]planTarget, len(hot))
	for n, k := range hot {
		ctr := hotspot.HexCentre(cells.I[k], cells.J[k], side)
		lon, lat := crs.FromSWEREF99TM(ctr[0], ctr[1])
		r := map[string]float64{}
		total := 0.0
		for cat, v := range risk[n] {
			r[cat] = round(v, 6)
			total += v
		}
		out[n] = planTarget{ID: "cell:" + cellID(cells.I[k], cells.J[k]), Name: fmt.Sprintf("Hexagon %d,%d (z %.1f)", cells.I[k], cells.J[k], res[k].Z),
			Point: []float64{round(lon, 7), round(lat, 7)}, Risk: r, RiskTotal: round(total, 6), x: ctr[0], y: ctr[1]}
	}
	return out, all.Illustrative, all.Class, nil
}
