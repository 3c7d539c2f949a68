package layers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/allocate"
	"github.com/lagesbild/lagesbild/geo/kde"
)

// ActorType is a kind of capacity the deployment planner allocates (deployment_actor_types).
type ActorType struct {
	ID           string   `json:"id"`
	NameSV       string   `json:"name_sv"`
	NameEN       string   `json:"name_en"`
	CapacityUnit string   `json:"capacity_unit"` // hours, evenings or units per week
	HoursPerUnit *float64 `json:"hours_per_unit"`
	DoseMinutes  *float64 `json:"dose_minutes"`
	ShiftDays    []int16  `json:"shift_days"` // ISO: 1 = Monday
	ShiftStart   string   `json:"shift_start"`
	ShiftHours   float64  `json:"shift_hours"`
	Categories   []string `json:"categories"`
	Rationale    string   `json:"rationale"`
	Illustrative bool     `json:"illustrative"`
	// UnitPrefix starts the codes of the actor type's units ("P" for P1, P2 …): a unit code is
	// the prefix and the unit's number in a day's schedule (migration 020). nil: the actor type
	// has no unit codes, and no "Mitt pass".
	UnitPrefix *string `json:"unit_prefix"`
}

// ActorTypes returns the actor types by id.
func (s *Store) ActorTypes(ctx context.Context) ([]ActorType, error) {
	rows, err := s.pool.Query(ctx, `
SELECT id, name_sv, name_en, capacity_unit, hours_per_unit, dose_minutes, shift_days,
       to_char(shift_start, 'HH24:MI'), shift_hours, categories, rationale, illustrative, unit_prefix
FROM deployment_actor_types ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("actor types: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ActorType])
	if err != nil {
		return nil, fmt.Errorf("actor types: %w", err)
	}
	return out, nil
}

// PlaceRisk is a public place with its harm-weighted risk per observation category: the
// quartic kernel density (per km², bandwidth h) of harm-weighted observations at its
// representative point (EPSG:3006) in a period, as /analysis/hotspots/places computes it in
// total. It is the planner's input type (geo/allocate), named here for its loader.
type PlaceRisk = allocate.Place

const placeRiskSQL = `
SELECT p.id, p.name, ST_X(p.pt), ST_Y(p.pt), ST_Distance(o.geom, p.pt), hw.weight, o.category, o.illustrative,
       p.data_class, o.sensitivity
FROM (SELECT id, name, data_class, ST_PointOnSurface(geom) AS pt FROM places
      WHERE ($4::bigint[] IS NULL OR id = ANY ($4)) AND ($5::text[] IS NULL OR data_class = ANY ($5))) p
LEFT JOIN observations o ON ST_DWithin(o.geom, p.pt, $1) AND o.observed_at >= $2 AND o.observed_at <= $3
                        AND ($5::text[] IS NULL OR o.sensitivity = ANY ($5))
LEFT JOIN harm_weights hw ON hw.category = o.category
ORDER BY p.id`

// PlaceRisks returns the places (all, or those in ids) with their harm-weighted risk per
// category in [start, end], highest total first (ties by id), and the most protected class
// among the places and observations it read. classes, when not empty, limits both to rows
// of those classes (beyond what row-level security lets the caller read).
//
// Errors: an id that is not a place (Invalid "targets.place_ids"), a category without a
// harm weight, or a database error.
func (s *Store) PlaceRisks(ctx context.Context, bandwidth float64, start, end time.Time, ids []int64, classes []string) ([]PlaceRisk, DataClass, error) {
	var idArg []int64
	if len(ids) > 0 {
		idArg = ids
	}
	rows, err := s.pool.Query(ctx, placeRiskSQL, bandwidth, start, end, idArg, nilIfEmpty(classes))
	if err != nil {
		return nil, "", fmt.Errorf("place risks: %w", err)
	}
	var out []PlaceRisk
	read := Open
	var id int64
	var name, placeClass string
	var x, y float64
	var dist, wt *float64
	var cat, obsClass *string
	var illustrative *bool
	_, err = pgx.ForEachRow(rows, []any{&id, &name, &x, &y, &dist, &wt, &cat, &illustrative, &placeClass, &obsClass}, func() error {
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, PlaceRisk{ID: id, Name: name, Point: orb.Point{x, y}, Risk: map[string]float64{}})
		}
		read = HigherClass(read, DataClass(placeClass))
		if obsClass != nil {
			read = HigherClass(read, DataClass(*obsClass))
		}
		if cat == nil {
			return nil
		}
		if wt == nil {
			return fmt.Errorf("category %q has no row in harm_weights", *cat)
		}
		p := &out[len(out)-1]
		v := *wt * kde.Kernel(*dist/bandwidth) * 1e6 / (bandwidth * bandwidth)
		p.Risk[*cat] += v
		p.Total += v
		p.Illustrative = p.Illustrative || *illustrative
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("place risks: %w", err)
	}
	if len(ids) > 0 && len(out) != len(uniqueInts(ids)) {
		return nil, "", Invalid("targets.place_ids", "%d of the %d ids are not places", len(uniqueInts(ids))-len(out), len(uniqueInts(ids)))
	}
	sortPlaceRisks(out)
	return out, read, nil
}

func uniqueInts(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func sortPlaceRisks(p []PlaceRisk) {
	// Insertion into order by total descending, id ascending; the lists are places (hundreds).
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && (p[j].Total > p[j-1].Total || (p[j].Total == p[j-1].Total && p[j].ID < p[j-1].ID)); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// PlanTarget is a target as stored with a plan.
type PlanTarget struct {
	ID      string
	PlaceID *int64
	Name    string
	Risk    map[string]float64
	Point   orb.Point // EPSG:3006
}

// PlanItem is the planned visits of one actor type at one target in one week (1-based).
type PlanItem struct {
	Week      int
	ActorType string
	TargetID  string
	Visits    int
	Minutes   float64
}

// NewPlan is what SavePlan stores.
type NewPlan struct {
	// DataClass is the plan's class (Internal or Restricted): the highest class of the rows
	// it was made from. Its targets, items and doses carry it, and are read by it.
	DataClass         DataClass
	WeekStart         time.Time // a Monday (date)
	Weeks             int
	ExpectedReduction float64
	Parameters        any
	Targets           []PlanTarget
	Items             []PlanItem
}

// SavePlan stores a plan with its targets and items in one transaction and returns its id.
// document is called with the id to produce the stored answer.
func (s *Store) SavePlan(ctx context.Context, p NewPlan, document func(id int64, created time.Time) ([]byte, error)) (int64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("save plan: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	params, err := json.Marshal(p.Parameters)
	if err != nil {
		return 0, fmt.Errorf("save plan: %w", err)
	}
	var id int64
	var created time.Time
	if err := tx.QueryRow(ctx, `INSERT INTO deployment_plans (week_start, weeks, expected_reduction, parameters, document, data_class)
VALUES ($1, $2, $3, $4, '{}', $5) RETURNING id, created_at`, p.WeekStart, p.Weeks, p.ExpectedReduction, params, p.DataClass).Scan(&id, &created); err != nil {
		return 0, fmt.Errorf("save plan: %w", err)
	}
	targets := make([][]any, len(p.Targets))
	for k, t := range p.Targets {
		risk, _ := json.Marshal(t.Risk)
		total := 0.0
		for _, v := range t.Risk {
			total += v
		}
		targets[k] = []any{id, t.ID, t.PlaceID, t.Name, risk, total, t.Point[0], t.Point[1], p.DataClass}
	}
	batch := &pgx.Batch{}
	for _, row := range targets {
		batch.Queue(`INSERT INTO deployment_plan_targets (plan_id, target_id, place_id, name, risk, risk_total, geom, data_class)
VALUES ($1, $2, $3, $4, $5, $6, ST_SetSRID(ST_MakePoint($7, $8), 3006), $9)`, row...)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return 0, fmt.Errorf("save plan targets: %w", err)
	}
	// One INSERT over arrays rather than COPY, which PostgreSQL refuses on a table with
	// row-level security (migration 009).
	n := len(p.Items)
	weeks, actors, targetIDs, visits, minutes := make([]int16, n), make([]string, n), make([]string, n), make([]int32, n), make([]float64, n)
	for k, it := range p.Items {
		weeks[k], actors[k], targetIDs[k], visits[k], minutes[k] = int16(it.Week), it.ActorType, it.TargetID, int32(it.Visits), it.Minutes
	}
	if _, err := tx.Exec(ctx, `INSERT INTO deployment_plan_items (plan_id, week, actor_type, target_id, visits, minutes, data_class)
SELECT $1, w, a, t, v, m, $7 FROM unnest($2::smallint[], $3::text[], $4::text[], $5::integer[], $6::double precision[]) AS u(w, a, t, v, m)`,
		id, weeks, actors, targetIDs, visits, minutes, p.DataClass); err != nil {
		return 0, fmt.Errorf("save plan items: %w", err)
	}
	doc, err := document(id, created)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE deployment_plans SET document = $2 WHERE id = $1`, id, doc); err != nil {
		return 0, fmt.Errorf("save plan document: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("save plan: %w", err)
	}
	return id, nil
}

// PlanDocument returns a stored plan's answer and its class, or ErrNotFound (also for a
// plan of a class the caller may not read: row-level security hides it).
func (s *Store) PlanDocument(ctx context.Context, id int64) ([]byte, DataClass, error) {
	var doc []byte
	var class DataClass
	err := s.pool.QueryRow(ctx, `SELECT document, data_class FROM deployment_plans WHERE id = $1`, id).Scan(&doc, &class)
	if err == pgx.ErrNoRows {
		return nil, "", fmt.Errorf("deployment plan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("deployment plan %d: %w", id, err)
	}
	return doc, class, nil
}

// Dose is one visit actually made.
type Dose struct {
	ID         int64     `json:"id"`
	PlanID     int64     `json:"plan_id"`
	TargetID   string    `json:"target_id"`
	ActorType  string    `json:"actor_type"`
	UnitCode   *string   `json:"unit_code"`
	StartedAt  time.Time `json:"started_at"`
	Minutes    float64   `json:"minutes"`
	Tactic     string    `json:"tactic"`
	RecordedAt time.Time `json:"recorded_at"`
	// DataClass is its plan's (migration 019); set by the store.
	DataClass DataClass `json:"data_class"`
	// ClientKey is the key the client gave the visit (migration 020): a second send with the
	// same key stores nothing and returns the row the first stored.
	ClientKey *string `json:"client_key"`
	// Replayed is set by RecordDoses on a dose whose key was stored before.
	Replayed bool `json:"-" db:"-"`
}

// Tactics are the values a dose's tactic may take.
var Tactics = []string{"foot_patrol", "vehicle_patrol", "stationary_presence", "dialogue", "checks", "camera_placement"}

// unitCode is a patrol or team designation: capitals, digits and hyphens, with a digit, so a
// name cannot pass for one.
var unitCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,15}$`)
var hasDigit = regexp.MustCompile(`[0-9]`)

// MaxDoseMinutes bounds one logged visit: a visit is short by design (10–15 minutes), and a
// longer stay is logged as several.
const MaxDoseMinutes = 240

// MaxBaselineWeeks is the longest baseline before a plan that the delivery view shows; a
// visit may be logged that far before the plan's first week, no earlier.
const MaxBaselineWeeks = 52

// RecordDoses stores visits all or nothing and returns them with their ids. Each is checked
// first; errors name the field ("doses[2].unit_code"). A dose with a ClientKey stored before
// is not stored again: the stored row is returned for it, marked Replayed, when it records the
// same visit (plan, target, actor type, unit and start).
//
// Errors: Invalid for a missing or unknown plan, target or actor type, an actor type the plan
// does not deploy, a unit code that is not a code, minutes outside (0, 240], an unknown
// tactic, a start in the future (beyond now+1h) or outside the plan's weeks and the
// MaxBaselineWeeks before them, a client key that is not a key; ErrConflict for a client key
// stored with another visit (or one the caller may not read); or a database error.
func (s *Store) RecordDoses(ctx context.Context, doses []Dose, now time.Time) ([]Dose, error) {
	if len(doses) == 0 {
		return nil, Invalid("doses", "no doses")
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("record doses: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	out := make([]Dose, len(doses))
	for k, d := range doses {
		f := fmt.Sprintf("doses[%d].", k)
		if d.UnitCode != nil && (!unitCode.MatchString(*d.UnitCode) || !hasDigit.MatchString(*d.UnitCode)) {
			return nil, InvalidCode(f+"unit_code", CodeFormat, map[string]any{"format": FormatUnitCode, "value": *d.UnitCode}, "%q is not a unit code (capitals, digits and hyphens with at least one digit, at most 16); never a person's name", *d.UnitCode)
		}
		if !(d.Minutes > 0 && d.Minutes <= MaxDoseMinutes) || math.IsNaN(d.Minutes) {
			return nil, InvalidCode(f+"minutes", CodeOutOfRange, map[string]any{"min": 1, "max": MaxDoseMinutes}, "%g is not in (0, %d]", d.Minutes, MaxDoseMinutes)
		}
		okTactic := false
		for _, t := range Tactics {
			okTactic = okTactic || t == d.Tactic
		}
		if !okTactic {
			return nil, InvalidCode(f+"tactic", CodeNotOneOf, map[string]any{"value": d.Tactic}, "%q is not one of %v", d.Tactic, Tactics)
		}
		if d.StartedAt.IsZero() {
			return nil, InvalidCode(f+"started_at", CodeRequired, nil, "missing")
		}
		if d.ClientKey != nil && !clientKey.MatchString(*d.ClientKey) {
			return nil, Invalid(f+"client_key", "%q is not a key (16–64 letters, digits, hyphens or underscores, such as a UUID)", *d.ClientKey)
		}
		if d.StartedAt.After(now.Add(time.Hour)) {
			return nil, InvalidCode(f+"started_at", CodeFuture, nil, "%s is in the future: log visits made", d.StartedAt.Format(time.RFC3339))
		}
		var known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM deployment_actor_types WHERE id = $1)`, d.ActorType).Scan(&known); err != nil {
			return nil, fmt.Errorf("record doses: %w", err)
		}
		if !known {
			return nil, InvalidCode(f+"actor_type", CodeUnknown, map[string]any{"value": d.ActorType}, "%q is not an actor type", d.ActorType)
		}
		var planExists, targetExists, actorInPlan, inWeeks bool
		var from, to string
		if err := tx.QueryRow(ctx, doseCheckSQL, d.PlanID, d.TargetID, d.ActorType, d.StartedAt, MaxBaselineWeeks).Scan(
			&planExists, &targetExists, &actorInPlan, &inWeeks, &from, &to); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("record doses: %w", err)
		}
		if !planExists {
			return nil, InvalidCode(f+"plan_id", CodeUnknown, map[string]any{"value": d.PlanID}, "%d is not a plan", d.PlanID)
		}
		if !targetExists {
			return nil, InvalidCode(f+"target_id", CodeUnknown, map[string]any{"value": d.TargetID}, "%q is not a target of plan %d", d.TargetID, d.PlanID)
		}
		if !actorInPlan {
			return nil, InvalidCode(f+"actor_type", CodeNotOneOf, map[string]any{"value": d.ActorType}, "plan %d does not deploy %q", d.PlanID, d.ActorType)
		}
		if !inWeeks {
			return nil, InvalidCode(f+"started_at", CodeOutOfRange, map[string]any{"min": from, "max": to}, "%s is outside plan %d's weeks and the %d weeks before them (%s to %s, Europe/Stockholm)",
				d.StartedAt.Format(time.RFC3339), d.PlanID, MaxBaselineWeeks, from, to)
		}
		// A dose has its plan's class (migration 019). A key stored before inserts nothing.
		err := tx.QueryRow(ctx, `INSERT INTO deployment_doses (plan_id, target_id, actor_type, unit_code, started_at, minutes, tactic, recorded_at, data_class, client_key)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, p.data_class, $9 FROM deployment_plans p WHERE p.id = $1
ON CONFLICT (client_key) DO NOTHING RETURNING id, recorded_at, data_class`,
			d.PlanID, d.TargetID, d.ActorType, d.UnitCode, d.StartedAt, d.Minutes, d.Tactic, now, d.ClientKey).Scan(&d.ID, &d.RecordedAt, &d.DataClass)
		if errors.Is(err, pgx.ErrNoRows) && d.ClientKey != nil {
			if d, err = storedDose(ctx, tx, f, d); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, fmt.Errorf("record dose %d: %w", k, err)
		}
		d.StartedAt = d.StartedAt.UTC()
		d.RecordedAt = d.RecordedAt.UTC()
		out[k] = d
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("record doses: %w", err)
	}
	return out, nil
}

// clientKey is what a client may key a visit with (deployment_doses.client_key's CHECK).
var clientKey = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// storedDose is the dose stored before with d's client key, marked Replayed, when it records
// the same visit as d; f names d in errors ("doses[2].").
func storedDose(ctx context.Context, tx pgx.Tx, f string, d Dose) (Dose, error) {
	rows, err := tx.Query(ctx, `SELECT id, plan_id, target_id, actor_type, unit_code, started_at, minutes, tactic, recorded_at, data_class, client_key
FROM deployment_doses WHERE client_key = $1`, *d.ClientKey)
	if err != nil {
		return d, fmt.Errorf("record doses: %w", err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Dose])
	if err != nil {
		return d, fmt.Errorf("record doses: %w", err)
	}
	same := len(got) == 1 && got[0].PlanID == d.PlanID && got[0].TargetID == d.TargetID && got[0].ActorType == d.ActorType &&
		got[0].StartedAt.Equal(d.StartedAt) && (got[0].UnitCode == nil) == (d.UnitCode == nil) &&
		(d.UnitCode == nil || *got[0].UnitCode == *d.UnitCode)
	if !same {
		return d, fmt.Errorf("%sclient_key: %q is the key of another visit; give each visit a key of its own: %w", f, *d.ClientKey, ErrConflict)
	}
	got[0].Replayed = true
	return got[0], nil
}

// doseCheckSQL answers, for a dose ($1 plan, $2 target, $3 actor type, $4 start, $5 baseline
// weeks), whether the plan exists (no row otherwise), has the target, deploys the actor type
// (has items for it, or lists it among the document's actors, which an actor left without
// visits still is),
// and whether the start falls in the plan's weeks or the baseline before them. Weeks run
// Monday to Monday in Europe/Stockholm, as in deliverySQL.
const doseCheckSQL = `
SELECT true,
       EXISTS (SELECT 1 FROM deployment_plan_targets t WHERE t.plan_id = p.id AND t.target_id = $2),
       EXISTS (SELECT 1 FROM deployment_plan_items i WHERE i.plan_id = p.id AND i.actor_type = $3)
         OR EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.document -> 'actors') = 'array'
                                                            THEN p.document -> 'actors' ELSE '[]' END) a
                    WHERE a ->> 'type' = $3),
       $4::timestamptz >= ((p.week_start - 7 * $5::int)::timestamp AT TIME ZONE 'Europe/Stockholm')
         AND $4::timestamptz < ((p.week_start + 7 * p.weeks)::timestamp AT TIME ZONE 'Europe/Stockholm'),
       to_char(p.week_start - 7 * $5::int, 'YYYY-MM-DD'), to_char(p.week_start + 7 * p.weeks, 'YYYY-MM-DD')
FROM deployment_plans p WHERE p.id = $1`

// Doses returns the doses logged against a plan, in time order; ErrNotFound without the plan.
func (s *Store) Doses(ctx context.Context, planID int64) ([]Dose, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM deployment_plans WHERE id = $1)`, planID).Scan(&exists); err != nil {
		return nil, fmt.Errorf("doses: %w", err)
	}
	if !exists {
		return nil, fmt.Errorf("deployment plan %d: %w", planID, ErrNotFound)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, plan_id, target_id, actor_type, unit_code, started_at, minutes, tactic, recorded_at, data_class, client_key
FROM deployment_doses WHERE plan_id = $1 ORDER BY started_at, id`, planID)
	if err != nil {
		return nil, fmt.Errorf("doses: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Dose])
	if err != nil {
		return nil, fmt.Errorf("doses: %w", err)
	}
	for k := range out {
		out[k].StartedAt, out[k].RecordedAt = out[k].StartedAt.UTC(), out[k].RecordedAt.UTC()
	}
	return out, nil
}

// DeliveryWeek is one target's week: planned and delivered dose, and the observations at
// the target (within the radius) with their harm. Week 0 and below are the weeks before the
// plan (the baseline), numbered back from the plan's first week.
type DeliveryWeek struct {
	Week             int     `json:"week"`
	Start            string  `json:"start"`
	PlannedVisits    int     `json:"planned_visits"`
	PlannedMinutes   float64 `json:"planned_minutes"`
	DeliveredVisits  int     `json:"delivered_visits"`
	DeliveredMinutes float64 `json:"delivered_minutes"`
	Observations     int     `json:"observations"`
	Harm             float64 `json:"harm"`
}

// DeliveryTarget is a target with its weeks.
type DeliveryTarget struct {
	TargetID string         `json:"target_id"`
	Name     string         `json:"name"`
	Weeks    []DeliveryWeek `json:"weeks"`
}

// deliverySQL lists, per target and week (from $3 weeks before the plan to its end), the
// planned dose, the delivered dose and the observations within $2 metres. Weeks are
// Monday-to-Monday in Europe/Stockholm, as the plan's week_start. (A date must become a
// timestamp before AT TIME ZONE: date AT TIME ZONE reads the date as midnight in the session's
// zone and yields a local time, which put the weeks' bounds hours off.)
const deliverySQL = `
WITH plan AS (SELECT id, week_start, weeks FROM deployment_plans WHERE id = $1),
weeks AS (SELECT g AS week, ((p.week_start + 7 * (g - 1))::timestamp AT TIME ZONE 'Europe/Stockholm') AS w0,
                 ((p.week_start + 7 * g)::timestamp AT TIME ZONE 'Europe/Stockholm') AS w1
          FROM plan p, generate_series(1 - $3::int, p.weeks) g),
tw AS (SELECT t.target_id, t.name, t.geom, w.week, w.w0, w.w1
       FROM deployment_plan_targets t, weeks w WHERE t.plan_id = $1)
SELECT tw.target_id, tw.name, tw.week, to_char(tw.w0 AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD'),
       COALESCE((SELECT sum(i.visits) FROM deployment_plan_items i
                 WHERE i.plan_id = $1 AND i.target_id = tw.target_id AND i.week = tw.week), 0)::int,
       COALESCE((SELECT sum(i.minutes) FROM deployment_plan_items i
                 WHERE i.plan_id = $1 AND i.target_id = tw.target_id AND i.week = tw.week), 0),
       (SELECT count(*) FROM deployment_doses d
         WHERE d.plan_id = $1 AND d.target_id = tw.target_id AND d.started_at >= tw.w0 AND d.started_at < tw.w1)::int,
       COALESCE((SELECT sum(d.minutes) FROM deployment_doses d
         WHERE d.plan_id = $1 AND d.target_id = tw.target_id AND d.started_at >= tw.w0 AND d.started_at < tw.w1), 0),
       o.n, o.harm
FROM tw
CROSS JOIN LATERAL (SELECT count(*)::int AS n, COALESCE(sum(hw.weight), 0) AS harm
                    FROM observations ob LEFT JOIN harm_weights hw ON hw.category = ob.category
                    WHERE ST_DWithin(ob.geom, tw.geom, $2) AND ob.observed_at >= tw.w0 AND ob.observed_at < tw.w1) o
ORDER BY tw.target_id, tw.week`

// Delivery returns planned against delivered dose per target and week, with the observations
// at each target in the same weeks and in baseline weeks before the plan; ErrNotFound
// without the plan.
func (s *Store) Delivery(ctx context.Context, planID int64, radius float64, baseline int) ([]DeliveryTarget, error) {
	if _, _, err := s.PlanDocument(ctx, planID); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, deliverySQL, planID, radius, baseline)
	if err != nil {
		return nil, fmt.Errorf("delivery: %w", err)
	}
	var out []DeliveryTarget
	var id, name string
	var w DeliveryWeek
	_, err = pgx.ForEachRow(rows, []any{&id, &name, &w.Week, &w.Start, &w.PlannedVisits, &w.PlannedMinutes,
		&w.DeliveredVisits, &w.DeliveredMinutes, &w.Observations, &w.Harm}, func() error {
		if len(out) == 0 || out[len(out)-1].TargetID != id {
			out = append(out, DeliveryTarget{TargetID: id, Name: name})
		}
		out[len(out)-1].Weeks = append(out[len(out)-1].Weeks, w)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delivery: %w", err)
	}
	return out, nil
}
