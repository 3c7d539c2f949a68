package analysis

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lagesbild/lagesbild/geo/allocate"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The exports of a stored plan (GET /deployment/plans/{id}?f=csv|geojson|ics): the week-by-week
// plan as CSV, its targets as a GeoJSON map layer, and its visit slots as iCalendar.

func planCSV(doc *planDoc) []byte {
	var b bytes.Buffer
	w := respond.NewCSVWriter(&b)
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

func planGeoJSON(doc *planDoc) respond.Obj {
	why := map[string]respond.Obj{}
	for _, u := range doc.Uncovered {
		why[u.TargetID] = respond.Obj{"weeks_without_dose": u.Weeks, "categories_without_actor": u.Categories}
	}
	features := make([]respond.Obj, len(doc.Targets))
	for k, t := range doc.Targets {
		props := respond.Obj{"id": t.ID, "name": t.Name, "place_id": t.PlaceID, "risk_total": t.RiskTotal,
			"planned_visits": t.PlannedVisits, "planned_minutes": t.PlannedMinutes,
			"planned_minutes_per_week": respond.Round(t.PlannedMinutes/float64(doc.Weeks), 3),
			"expected_reduction":       t.ExpectedReduction, "uncovered": why[t.ID]}
		features[k] = respond.Obj{"type": "Feature", "id": t.ID, "geometry": respond.Obj{"type": "Point", "coordinates": t.Point}, "properties": props}
	}
	fc := respond.Obj{"type": "FeatureCollection", "features": features, "plan_id": doc.ID, "data_class": doc.DataClass, "numberReturned": len(features)}
	if doc.Notice != "" {
		fc["notice"] = doc.Notice
	}
	return fc
}

// planICS renders the plan's visit slots as iCalendar (RFC 5545): one event per visit (or per
// camera placement), at the irregular times allocate.Schedule draws with the plan's seed,
// DTSTART in UTC, lines folded at 75 octets, CRLF. Events name the actor type and a unit
// number with its code (prefixes: actor type → unit prefix, "police" → "P"), never a person.
func planICS(doc *planDoc, now time.Time, prefixes map[string]string) ([]byte, error) {
	// One event per visit (a camera placement is a visit): counted before they are drawn.
	events := 0
	for _, pw := range doc.Plan {
		for _, it := range pw.Items {
			events += it.Visits
		}
	}
	if events > maxICSEvents {
		return nil, layers.Invalid("f", "plan %d has %d visits; an iCalendar export holds at most %d: use f=csv (visits per week, actor type and target), a unit's day (GET /deployment/shift?unit=P1&date=…&f=ics) or a plan of fewer weeks",
			doc.ID, events, maxICSEvents)
	}
	_, slots, err := planSlots(doc)
	if err != nil {
		return nil, err
	}
	return planICSOf(doc, slots, now, prefixes), nil
}

// planSlots is the plan's schedule, as allocate.Schedule draws it with the plan's seed, and
// the local midnight of its first Monday.
func planSlots(doc *planDoc) (time.Time, []allocate.Slot, error) {
	loc, err := time.LoadLocation(planZone)
	if err != nil {
		return time.Time{}, nil, err
	}
	start, err := time.ParseInLocation(time.DateOnly, doc.Start, loc)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("plan %d start: %w", doc.ID, err)
	}
	actors := make([]allocate.Actor, len(doc.Actors))
	shifts := make([]allocate.Shift, len(doc.Actors))
	actorIx, targetIx := map[string]int{}, map[string]int{}
	for a, pa := range doc.Actors {
		actors[a] = allocate.Actor{Minutes: pa.VisitMinutes, Capacity: pa.VisitsPerWeek, MaxPerTarget: pa.MaxPerTarget}
		if shifts[a], err = shiftOf(pa, doc.Parameters.PerShift); err != nil {
			return time.Time{}, nil, err
		}
		actorIx[pa.Type] = a
	}
	for t, pt := range doc.Targets {
		targetIx[pt.ID] = t
	}
	plan := &allocate.Plan{Weeks: make([]allocate.Week, len(doc.Plan))}
	for w, pw := range doc.Plan {
		for _, it := range pw.Items {
			plan.Weeks[w].Items = append(plan.Weeks[w].Items, allocate.Item{Actor: actorIx[it.ActorType], Target: targetIx[it.TargetID], Visits: it.Visits, Minutes: it.Minutes})
		}
	}
	slots, err := allocate.Schedule(plan, actors, shifts, start, doc.Parameters.Seed)
	return start, slots, err
}

// planICSOf renders slots of the plan as iCalendar (see planICS).
func planICSOf(doc *planDoc, slots []allocate.Slot, now time.Time, prefixes map[string]string) []byte {
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
		unit := fmt.Sprintf("enhet %d", sl.Unit)
		if p := prefixes[pa.Type]; p != "" {
			unit += fmt.Sprintf(" (%s%d)", p, sl.Unit)
		}
		line("SUMMARY:" + icsText(fmt.Sprintf("%s %s – %s: %s", pa.NameSV, unit, what, pt.Name)))
		line("LOCATION:" + icsText(pt.Name))
		line(fmt.Sprintf("GEO:%.6f;%.6f", pt.Point[1], pt.Point[0]))
		line("CATEGORIES:" + icsText(pa.Type))
		line("DESCRIPTION:" + icsText(fmt.Sprintf("Vecka %d (%s), %s. Kort besök på oregelbundna tider enligt brännpunktsforskningen; logga besöket med POST /deployment/doses (plan %d, mål %s).",
			sl.Week+1, doc.Plan[sl.Week].Start, pa.NameEN, doc.ID, pt.ID)))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes()
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
