package layers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// PlanSummary is a stored deployment plan as the list of plans shows it: enough to choose one
// to reopen and to compare plans side by side (GET /deployment/plans).
type PlanSummary struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Start     string    `json:"start"` // its first Monday (YYYY-MM-DD, Europe/Stockholm)
	End       string    `json:"end"`   // the Monday after its last week
	Weeks     int       `json:"weeks"`
	CreatedAt time.Time `json:"created_at"`
	DataClass DataClass `json:"data_class"`
	// Owner is the code of the organisation that made it; nil for plans made before that was
	// recorded.
	Owner             *string        `json:"owner"`
	Targets           int            `json:"targets"`
	Actors            []string       `json:"actors"`
	PlannedVisits     map[string]int `json:"planned_visits"` // per actor type, over all weeks
	ExpectedReduction float64        `json:"expected_reduction"`
	Share             float64        `json:"share"` // of the targets' risk
	Doses             int            `json:"doses"` // visits logged against it
}

// MaxPlansListed bounds one page of the list of plans.
const MaxPlansListed = 500

// plansSQL lists plans newest first: all ($1 NULL) or those in force on day $1 (a date in
// Europe/Stockholm), $2 rows after skipping $3. The counts are per plan, over the plan's own
// rows (indexed by plan_id).
const plansSQL = `
SELECT p.id, coalesce(p.document ->> 'name', ''), to_char(p.week_start, 'YYYY-MM-DD'),
       to_char(p.week_start + 7 * p.weeks, 'YYYY-MM-DD'), p.weeks, p.created_at, p.data_class, p.owner_org,
       (SELECT count(*) FROM deployment_plan_targets t WHERE t.plan_id = p.id)::int,
       ARRAY(SELECT a ->> 'type' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.document -> 'actors') = 'array'
                                                                THEN p.document -> 'actors' ELSE '[]' END) a),
       coalesce((SELECT jsonb_object_agg(i.actor_type, i.n) FROM (SELECT actor_type, sum(visits) AS n FROM deployment_plan_items
                 WHERE plan_id = p.id GROUP BY actor_type) i), '{}'),
       p.expected_reduction, coalesce((p.document ->> 'share')::double precision, 0),
       (SELECT count(*) FROM deployment_doses d WHERE d.plan_id = p.id)::int
FROM deployment_plans p
WHERE $1::date IS NULL OR ($1::date >= p.week_start AND $1::date < p.week_start + 7 * p.weeks)
ORDER BY p.created_at DESC, p.id DESC
LIMIT $2 OFFSET $3`

// Plans lists the plans the caller may read, newest first: all of them, or (day not nil) those
// whose weeks include day (a local date in Europe/Stockholm); at most limit after skipping
// offset, and whether more follow.
func (s *Store) Plans(ctx context.Context, day *time.Time, limit, offset int) ([]PlanSummary, bool, error) {
	var dayArg *string
	if day != nil {
		d := day.Format(time.DateOnly)
		dayArg = &d
	}
	rows, err := s.pool.Query(ctx, plansSQL, dayArg, limit+1, offset)
	if err != nil {
		return nil, false, fmt.Errorf("plans: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[PlanSummary])
	if err != nil {
		return nil, false, fmt.Errorf("plans: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	for k := range out {
		out[k].CreatedAt = out[k].CreatedAt.UTC()
		if out[k].Actors == nil {
			out[k].Actors = []string{}
		}
	}
	return out, more, nil
}

// ActivePlan is the plan in force for actor type actorType on day (a local date in
// Europe/Stockholm): among the plans the caller may read whose weeks include day and which
// plan visits of that actor type, the one made last. A newer plan for the same weeks
// replaces an older one, as a new duty roster replaces the last.
//
// Errors: ErrNotFound when no such plan exists.
func (s *Store) ActivePlan(ctx context.Context, actorType string, day time.Time) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `
SELECT p.id FROM deployment_plans p
WHERE $2::date >= p.week_start AND $2::date < p.week_start + 7 * p.weeks
  AND EXISTS (SELECT 1 FROM deployment_plan_items i WHERE i.plan_id = p.id AND i.actor_type = $1)
ORDER BY p.created_at DESC, p.id DESC LIMIT 1`, actorType, day.Format(time.DateOnly)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("no deployment plan with visits of %s on %s: %w", actorType, day.Format(time.DateOnly), ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("active plan: %w", err)
	}
	return id, nil
}
