package analysis

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/allocate"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/respond"
)

// "Mitt pass" (issue 14, point 6): GET /deployment/shift?unit=P1&date=2026-12-07 is one
// unit's visits on one day, from the plan in force, in time order; and the list of plans
// (GET /deployment/plans) to reopen and compare (point 8).

// unitCodeRE reads a unit code of the schedule: an actor type's prefix, an optional hyphen,
// and the unit's number in the day's schedule ("P2", "NV-1").
var unitCodeRE = regexp.MustCompile(`^([A-Z]{1,4})-?([1-9][0-9]{0,2})$`)

// shiftUnit is a unit code read: its actor type and its number in a day's schedule.
type shiftUnit struct {
	code   string
	actor  layers.ActorType
	number int
}

// parseUnit reads the unit parameter against the actor types' prefixes. Errors: a code that
// is not prefix and number, or a prefix no actor type has (400, unit).
func (s *Room) parseUnit(c echo.Context, raw string) (shiftUnit, error) {
	code := strings.ToUpper(strings.TrimSpace(raw))
	if raw == "" {
		return shiftUnit{}, layers.Invalid("unit", "missing: give the unit's code, such as P1 or NV-2")
	}
	m := unitCodeRE.FindStringSubmatch(code)
	if m == nil {
		return shiftUnit{}, layers.Invalid("unit", "%q is not a unit code: an actor type's prefix and the unit's number in the day's schedule, such as P1 or NV-2", raw)
	}
	types, err := s.store.ActorTypes(c.Request().Context())
	if err != nil {
		return shiftUnit{}, err
	}
	var prefixes []string
	for _, at := range types {
		if at.UnitPrefix == nil {
			continue
		}
		if *at.UnitPrefix == m[1] {
			n, _ := strconv.Atoi(m[2])
			return shiftUnit{code: code, actor: at, number: n}, nil
		}
		prefixes = append(prefixes, *at.UnitPrefix+" ("+at.ID+")")
	}
	return shiftUnit{}, layers.Invalid("unit", "no actor type has the prefix %s; the prefixes are %s", m[1], strings.Join(prefixes, ", "))
}

// shiftVisit is one visit of a unit's shift.
type shiftVisit struct {
	Target     string    `json:"target_id"`
	PlaceID    *int64    `json:"place_id"`
	Name       string    `json:"name"`
	Point      []float64 `json:"point"`
	Start      string    `json:"start"`
	Minutes    int       `json:"minutes"`
	Categories []string  `json:"categories"`
	// Done says a visit of the unit at the target was logged that day for this one: the
	// day's doses at a target are matched to its visits in time order.
	Done        bool     `json:"done"`
	DoneAt      *string  `json:"done_at"`
	DoneMinutes *float64 `json:"done_minutes"`
}

// defaultTactic is the tactic "Besök gjort" logs for an actor type.
func defaultTactic(actorType string, placement bool) string {
	switch {
	case placement:
		return "camera_placement"
	case actorType == "night_walkers":
		return "dialogue"
	}
	return "foot_patrol"
}

// shift serves GET /deployment/shift: the visits of unit on date (default today in
// Europe/Stockholm) in the plan in force (or the plan given), as JSON or iCalendar.
func (s *Room) shift(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "unit", "date", "plan", "f"); err != nil {
		return err
	}
	f := c.QueryParam("f")
	if f != "" && f != "json" && f != "ics" {
		return layers.Invalid("f", "%q is not json or ics", f)
	}
	u, err := s.parseUnit(c, c.QueryParam("unit"))
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(planZone)
	if err != nil {
		return err
	}
	day := s.now().In(loc)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	if raw := c.QueryParam("date"); raw != "" {
		if day, err = time.ParseInLocation(time.DateOnly, raw, loc); err != nil {
			return layers.Invalid("date", "%q is not a date as YYYY-MM-DD", raw)
		}
	}
	ctx := c.Request().Context()
	var id int64
	if raw := c.QueryParam("plan"); raw != "" {
		if id, err = parsePlanID(raw, "plan"); err != nil {
			return err
		}
	} else if id, err = s.store.ActivePlan(ctx, u.actor.ID, day); err != nil {
		return err
	}
	doc, err := s.loadPlan(c, id)
	if err != nil {
		return err
	}
	a := slices.IndexFunc(doc.Actors, func(pa planActor) bool { return pa.Type == u.actor.ID })
	if a < 0 {
		return fmt.Errorf("plan %d deploys no %s: %w", id, u.actor.ID, layers.ErrNotFound)
	}
	start, slots, err := planSlots(doc)
	if err != nil {
		return err
	}
	days := int(math.Round(day.Sub(start).Hours() / 24))
	if days < 0 || days >= 7*doc.Weeks {
		return layers.Invalid("date", "%s is outside plan %d's weeks (%s to %s)", day.Format(time.DateOnly), id,
			doc.Start, start.AddDate(0, 0, 7*doc.Weeks-1).Format(time.DateOnly))
	}
	mine := unitSlots(slots, a, days/7, days%7, u.number)
	if f == "ics" {
		prefixes, err := s.unitPrefixes(ctx)
		if err != nil {
			return err
		}
		body := planICSOf(doc, mine, s.now(), prefixes)
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="pass-%s-%s.ics"`, u.code, day.Format(time.DateOnly)))
		return s.out.Send(c, http.StatusOK, "text/calendar; charset=utf-8", "no-cache", body)
	}
	doses, err := s.store.Doses(ctx, id)
	if err != nil {
		return err
	}
	pa := doc.Actors[a]
	sh, err := shiftOf(pa, doc.Parameters.PerShift)
	if err != nil {
		return err
	}
	from := day.Add(time.Duration(sh.StartMinute) * time.Minute)
	base := s.baseURL(c)
	q := url.Values{"unit": {u.code}, "date": {day.Format(time.DateOnly)}, "plan": {strconv.FormatInt(id, 10)}}
	out := respond.Obj{
		"unit": u.code, "date": day.Format(time.DateOnly), "data_class": doc.DataClass,
		"actor_type": respond.Obj{"id": u.actor.ID, "name_sv": u.actor.NameSV, "name_en": u.actor.NameEN, "categories": u.actor.Categories},
		"plan":       respond.Obj{"id": id, "name": doc.Name, "start": doc.Start, "weeks": doc.Weeks},
		"shift":      respond.Obj{"start": from.Format(time.RFC3339), "end": from.Add(time.Duration(sh.LengthMinutes) * time.Minute).Format(time.RFC3339)},
		"tactic":     defaultTactic(pa.Type, pa.Placement),
		"visits":     shiftVisits(doc, mine, u, day, doses, loc),
		"links": []planLink{
			{base + "/deployment/shift?" + q.Encode(), "self", respond.MediaJSON, "This shift"},
			{base + "/deployment/shift?" + q.Encode() + "&f=ics", "alternate", "text/calendar", "This shift's visits (iCalendar)"},
			{base + "/deployment/plans/" + strconv.FormatInt(id, 10), "up", respond.MediaJSON, "The plan"},
			{base + "/deployment/doses", "create-form", respond.MediaJSON, "Log a visit (POST, with a client_key)"},
		},
		"note": "Unit codes: the actor type's prefix and the unit's number in the day's schedule (as the plan's iCalendar numbers units). The plan in force: the newest plan whose weeks hold the date and that plans visits of the actor type. categories: what the unit acts on, where observations weighed in the target's risk, most first.",
	}
	if doc.Notice != "" {
		out["notice"] = doc.Notice
	}
	return s.out.SendJSON(c, respond.MediaJSON, "no-cache", out)
}

// unitSlots are the slots of actor a's unit number on day (0 = Monday) of week w, in time order.
func unitSlots(slots []allocate.Slot, a, w, day, number int) []allocate.Slot {
	var out []allocate.Slot
	for _, sl := range slots {
		if sl.Actor == a && sl.Week == w && sl.Day == day && sl.Unit == number {
			out = append(out, sl)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// shiftVisits are the slots as visits, each with what to look for and whether the unit has
// logged it: the unit's doses that day at a target are matched to its visits there in time
// order.
func shiftVisits(doc *planDoc, slots []allocate.Slot, u shiftUnit, day time.Time, doses []layers.Dose, loc *time.Location) []shiftVisit {
	logged := map[string][]layers.Dose{}
	for _, d := range doses {
		if d.UnitCode == nil || *d.UnitCode != u.code || d.ActorType != u.actor.ID {
			continue
		}
		if y, m, dd := d.StartedAt.In(loc).Date(); y != day.Year() || m != day.Month() || dd != day.Day() {
			continue
		}
		logged[d.TargetID] = append(logged[d.TargetID], d)
	}
	out := make([]shiftVisit, 0, len(slots))
	for _, sl := range slots {
		t := doc.Targets[sl.Target]
		v := shiftVisit{Target: t.ID, PlaceID: t.PlaceID, Name: t.Name, Point: t.Point, Start: sl.Start.In(loc).Format(time.RFC3339),
			Minutes: sl.Minutes, Categories: lookFor(u.actor.Categories, t.Risk)}
		if ds := logged[t.ID]; len(ds) > 0 {
			at, mins := ds[0].StartedAt.In(loc).Format(time.RFC3339), ds[0].Minutes
			v.Done, v.DoneAt, v.DoneMinutes = true, &at, &mins
			logged[t.ID] = ds[1:]
		}
		out = append(out, v)
	}
	return out
}

// lookFor is what a unit looks for at a target: the categories it acts on with risk there,
// highest risk first.
func lookFor(acts []string, risk map[string]float64) []string {
	out := []string{}
	for _, c := range acts {
		if risk[c] > 0 {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return risk[out[i]] > risk[out[j]] })
	return out
}

// plans serves GET /deployment/plans: the plans the caller may read, newest first, to reopen
// and compare; date limits them to those in force that day.
func (s *Room) plans(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "limit", "offset", "date", "f"); err != nil {
		return err
	}
	if f := c.QueryParam("f"); f != "" && f != "json" {
		return layers.Invalid("f", "%q is not json", f)
	}
	limit, err := respond.Int("limit", c.QueryParam("limit"), 50, 1, layers.MaxPlansListed)
	if err != nil {
		return err
	}
	offset, err := respond.Int("offset", c.QueryParam("offset"), 0, 0, 1_000_000)
	if err != nil {
		return err
	}
	var day *time.Time
	if raw := c.QueryParam("date"); raw != "" {
		d, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			return layers.Invalid("date", "%q is not a date as YYYY-MM-DD", raw)
		}
		day = &d
	}
	list, more, err := s.store.Plans(c.Request().Context(), day, limit, offset)
	if err != nil {
		return err
	}
	if list == nil {
		list = []layers.PlanSummary{}
	}
	base := s.baseURL(c)
	page := func(off int) string {
		q := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(off)}}
		if day != nil {
			q.Set("date", day.Format(time.DateOnly))
		}
		return base + "/deployment/plans?" + q.Encode()
	}
	links := []planLink{{page(offset), "self", respond.MediaJSON, "This page of plans"}}
	if more {
		links = append(links, planLink{page(offset + limit), "next", respond.MediaJSON, "The next page"})
	}
	if offset > 0 {
		links = append(links, planLink{page(max(offset-limit, 0)), "prev", respond.MediaJSON, "The previous page"})
	}
	items := make([]respond.Obj, len(list))
	for k, p := range list {
		items[k] = respond.Obj{"id": p.ID, "name": p.Name, "start": p.Start, "end": p.End, "weeks": p.Weeks,
			"created_at": p.CreatedAt.Format(time.RFC3339), "data_class": p.DataClass, "owner": p.Owner, "targets": p.Targets,
			"actors": p.Actors, "planned_visits": p.PlannedVisits, "expected_reduction": respond.Round(p.ExpectedReduction, 6),
			"share": respond.Round(p.Share, 6), "doses": p.Doses, "links": planLinks(base, p.ID)}
	}
	return s.out.SendJSON(c, respond.MediaJSON, "no-cache", respond.Obj{"plans": items, "numberReturned": len(items), "links": links})
}

// shiftRoutes registers Mitt pass and the list of plans: internal, as the planner.
func (s *Room) shiftRoutes(e *echo.Echo) {
	internal := auth.NeedClass(layers.Internal, "the deployment planner")
	e.Match([]string{http.MethodGet, http.MethodHead}, "/deployment/shift", s.shift, internal)
	e.Match([]string{http.MethodGet, http.MethodHead}, "/deployment/plans", s.plans, internal)
}

// shiftOpenAPI adds "Mitt pass" and the list of plans (issue 14, points 6 and 8) to the
// OpenAPI document; deploymentOpenAPI must have run.
func shiftOpenAPI(paths, schemas respond.Obj) {
	str := respond.Obj{"type": "string"}
	integer := respond.Obj{"type": "integer"}
	num := respond.Obj{"type": "number"}
	strs := respond.Obj{"type": "array", "items": str}
	tag := []string{"Analysis"}
	date := func(name, desc string) respond.Obj {
		return respond.Obj{"name": name, "in": "query", "required": false, "schema": respond.Obj{"type": "string", "format": "date"}, "description": desc}
	}
	dose := schemas["Dose"].(respond.Obj)
	dose["properties"].(respond.Obj)["client_key"] = respond.Obj{"type": "string", "nullable": true}
	schemas["DoseInput"].(respond.Obj)["properties"].(respond.Obj)["client_key"] = respond.Obj{"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
		"description": "A key the client gives the visit (a UUID). A visit sent again with the same key is stored once: the answer names the stored row (200 when every visit was stored before); the key of another visit is a 409."}
	doses := paths["/deployment/doses"].(respond.Obj)["post"].(respond.Obj)
	resp := doses["responses"].(respond.Obj)
	resp["200"] = respond.JSONResponse("Every visit was stored before (sent again with its client_key): the stored rows.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"doses"},
		"properties": respond.Obj{"doses": respond.Obj{"type": "array", "items": respond.Ref("schemas/Dose")}}})
	resp["409"] = respond.ProblemResponses("409")["409"]

	visit := respond.Obj{"type": "object", "required": []string{"target_id", "name", "point", "start", "minutes", "categories", "done"},
		"properties": respond.Obj{"target_id": str, "place_id": respond.Obj{"type": "integer", "nullable": true}, "name": str,
			"point": respond.Obj{"type": "array", "minItems": 2, "maxItems": 2, "items": num, "description": "lon, lat (CRS84)"},
			"start": respond.Obj{"type": "string", "format": "date-time"}, "minutes": integer,
			"categories": respond.Obj{"type": "array", "items": str, "description": "What to look for: the categories the unit acts on with risk at the target, highest first."},
			"done":       respond.Obj{"type": "boolean", "description": "The unit has logged a visit at the target that day for this one (the day's visits at a target matched in time order)."},
			"done_at":    respond.Obj{"type": "string", "format": "date-time", "nullable": true}, "done_minutes": respond.Obj{"type": "number", "nullable": true}}}
	paths["/deployment/shift"] = respond.Obj{"get": respond.Obj{"summary": "Mitt pass: one unit's visits on one day, in time order", "operationId": "getShift", "tags": tag,
		"description": "A unit code is an actor type's prefix (GET /deployment/actor-types, unit_prefix) and the unit's number in the day's schedule, as the plan's calendar numbers units: P1 is the police's unit 1. The plan is the one in force: the newest plan whose weeks hold the date and that plans visits of the actor type, unless plan names one.",
		"parameters": []respond.Obj{
			{"name": "unit", "in": "query", "required": true, "schema": respond.Obj{"type": "string"}, "description": "The unit code, such as P1 or NV-2 (case is ignored)."},
			date("date", "The day (Europe/Stockholm); default today."),
			{"name": "plan", "in": "query", "required": false, "schema": respond.Obj{"type": "integer", "minimum": 1}, "description": "A plan instead of the one in force."},
			{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"json", "ics"}}, "description": "ics: the visits as iCalendar events."}},
		"responses": respond.Merge(respond.Obj{"200": respond.Obj{"description": "The unit's visits.", "content": respond.Obj{
			respond.MediaJSON: respond.Obj{"schema": respond.Obj{"type": "object", "required": []string{"unit", "date", "actor_type", "plan", "shift", "tactic", "visits", "links"},
				"properties": respond.Obj{"unit": str, "date": respond.Obj{"type": "string", "format": "date"}, "data_class": str,
					"actor_type": respond.Obj{"type": "object", "properties": respond.Obj{"id": str, "name_sv": str, "name_en": str, "categories": strs}},
					"plan":       respond.Obj{"type": "object", "properties": respond.Obj{"id": integer, "name": str, "start": str, "weeks": integer}},
					"shift":      respond.Obj{"type": "object", "properties": respond.Obj{"start": str, "end": str}},
					"tactic":     respond.Obj{"type": "string", "description": "The tactic a visit is logged with by default."},
					"visits":     respond.Obj{"type": "array", "items": visit}, "links": respond.Ref("schemas/Links"), "note": str, "notice": str}}},
			"text/calendar": respond.Obj{"schema": str}}}}, respond.ProblemResponses("400", "404"))}}

	summary := respond.Obj{"type": "object", "required": []string{"id", "name", "start", "end", "weeks", "created_at", "data_class", "targets", "planned_visits", "links"},
		"properties": respond.Obj{"id": integer, "name": str, "start": respond.Obj{"type": "string", "format": "date"}, "end": respond.Obj{"type": "string", "format": "date", "description": "The Monday after its last week."},
			"weeks": integer, "created_at": respond.Obj{"type": "string", "format": "date-time"}, "data_class": str,
			"owner":   respond.Obj{"type": "string", "nullable": true, "description": "The code of the organisation that made it."},
			"targets": integer, "actors": strs, "planned_visits": respond.Obj{"type": "object", "additionalProperties": integer, "description": "Per actor type, all weeks."},
			"expected_reduction": num, "share": num, "doses": respond.Obj{"type": "integer", "description": "Visits logged against it."},
			"links": respond.Ref("schemas/Links")}}
	paths["/deployment/plans"].(respond.Obj)["get"] = respond.Obj{"summary": "The stored plans, newest first: to reopen and compare", "operationId": "listDeploymentPlans", "tags": tag,
		"description": "Each plan with its name, weeks, owner, targets, planned visits per actor type, expected reduction and the visits logged, and links to reopen it (the plan's own link) and its exports. Only plans of classes the caller may read.",
		"parameters": []respond.Obj{
			{"name": "limit", "in": "query", "required": false, "schema": respond.Obj{"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
			{"name": "offset", "in": "query", "required": false, "schema": respond.Obj{"type": "integer", "minimum": 0, "default": 0}},
			date("date", "Only plans whose weeks hold this day."),
			{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"json"}}}},
		"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("The plans the caller may read.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"plans", "numberReturned", "links"},
			"properties": respond.Obj{"plans": respond.Obj{"type": "array", "items": summary}, "numberReturned": integer, "links": respond.Ref("schemas/Links")}})}, respond.ProblemResponses("400"))}
	scenarioLocking(paths, schemas)
	at := schemas["ActorType"].(respond.Obj)["properties"].(respond.Obj)
	at["unit_prefix"] = respond.Obj{"type": "string", "nullable": true, "description": "Starts the actor type's unit codes (P for P1, P2 …); null: no unit codes."}
}

// unitPrefixes maps the actor types to the prefixes of their unit codes.
func (s *Room) unitPrefixes(ctx context.Context) (map[string]string, error) {
	types, err := s.store.ActorTypes(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, at := range types {
		if at.UnitPrefix != nil {
			out[at.ID] = *at.UnitPrefix
		}
	}
	return out, nil
}

// scenarioLocking documents the scenarios' optimistic locking (issue 14, point 8): ETag on
// the answers, If-Match on PUT and DELETE, 412 and 428.
func scenarioLocking(paths, schemas respond.Obj) {
	etag := respond.Obj{"schema": respond.Obj{"type": "string"}, "description": `Strong ETag naming the scenario's version ("v3"); send it back in If-Match.`}
	ifMatch := respond.Obj{"name": "If-Match", "in": "header", "required": true, "schema": respond.Obj{"type": "string"},
		"description": `The ETag of the version the change is based on ("v3"); 428 without it, 412 when another change came first.`}
	withTag := func(r respond.Obj) {
		if h, ok := r["headers"].(respond.Obj); ok {
			h["ETag"] = etag
			return
		}
		r["headers"] = respond.Obj{"ETag": etag}
	}
	one := paths["/analysis/priority/scenarios/{id}"].(respond.Obj)
	withTag(one["get"].(respond.Obj)["responses"].(respond.Obj)["200"].(respond.Obj))
	for _, m := range []string{"put", "delete"} {
		op := one[m].(respond.Obj)
		params, _ := op["parameters"].([]respond.Obj)
		op["parameters"] = append(params, ifMatch)
		respond.Merge(op["responses"].(respond.Obj), respond.ProblemResponses("412", "428"))
	}
	withTag(one["put"].(respond.Obj)["responses"].(respond.Obj)["200"].(respond.Obj))
	withTag(paths["/analysis/priority/scenarios"].(respond.Obj)["post"].(respond.Obj)["responses"].(respond.Obj)["201"].(respond.Obj))
	if sc, ok := schemas["PriorityScenario"].(respond.Obj); ok {
		if props, ok := sc["properties"].(respond.Obj); ok {
			props["version"] = respond.Obj{"type": "integer", "minimum": 1, "description": "Raised by every change; the ETag names it."}
		}
	}
}
