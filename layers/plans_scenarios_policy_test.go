package layers_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// asCaller runs sql on the application role's pool as organisation org of kind with role,
// with no check of ours in between: what row-level security alone allows. It returns the
// rows affected (or counted, for a query returning one count).
func asCaller(t *testing.T, org, kind, role, sql string, args ...any) (int64, error) {
	t.Helper()
	ctx := context.Background()
	tx, err := testDB.AppPool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `SELECT set_config('lagesbild.org', $1, true), set_config('lagesbild.org_kind', $2, true),
		set_config('lagesbild.role', $3, true)`, org, kind, role); err != nil {
		t.Fatal(err)
	}
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func refusedByPolicy(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

// TestScenarioPolicies is review finding H3 of issue 12, held by PostgreSQL and not only by
// the handlers: a scenario is inserted only as the writer's organisation's, with its name;
// changed and its weights written only by that organisation; deleted by it or a
// municipality's admin; a built-in one by nobody through the server's role.
func TestScenarioPolicies(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO organisations (code, name, kind) VALUES ('pol-h3', 'Polis H3', 'police'),
		('kom-h3', 'Kommun H3', 'municipality') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(ctx, `DELETE FROM priority_scenarios WHERE id LIKE 'h3-%'`)
	})
	insert := `INSERT INTO priority_scenarios (id, name_sv, name_en, organisation, owner_org) VALUES ($1, 'x', 'x', $2, $3)`
	// Claiming another organisation, by owner or by name: refused.
	if _, err := asCaller(t, "kom-h3", "municipality", "editor", insert, "h3-a", "Polis H3", "pol-h3"); !refusedByPolicy(err) {
		t.Errorf("a municipality editor inserted a police scenario: %v", err)
	}
	if _, err := asCaller(t, "kom-h3", "municipality", "editor", insert, "h3-a", "Polisen", "kom-h3"); !refusedByPolicy(err) {
		t.Errorf("a municipality editor inserted a scenario labelled Polisen: %v", err)
	}
	if _, err := asCaller(t, "kom-h3", "municipality", "reader", insert, "h3-a", "Kommun H3", "kom-h3"); !refusedByPolicy(err) {
		t.Errorf("a reader inserted a scenario: %v", err)
	}
	if _, err := asCaller(t, "kom-h3", "municipality", "editor", insert, "h3-a", "Kommun H3", "kom-h3"); err != nil {
		t.Errorf("a municipality editor's own scenario: %v", err)
	}
	// The police's and the municipality's scenarios, made as the owner role (asCaller rolls back).
	if _, err := db.Pool.Exec(ctx, insert, "h3-p", "Polis H3", "pol-h3"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, insert, "h3-a", "Kommun H3", "kom-h3"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what, sql, org, kind, role string
		want                       int64
	}{
		{"a municipality editor changes the police's scenario", `UPDATE priority_scenarios SET name_sv = 'y' WHERE id = 'h3-p'`, "kom-h3", "municipality", "editor", 0},
		{"a municipality admin changes the police's scenario", `UPDATE priority_scenarios SET name_sv = 'y' WHERE id = 'h3-p'`, "kom-h3", "municipality", "admin", 0},
		{"a police editor changes a built-in scenario", `UPDATE priority_scenarios SET name_sv = 'y' WHERE id = 'polisen'`, "pol-h3", "police", "editor", 0},
		{"a police editor deletes a built-in scenario's weights", `DELETE FROM priority_scenario_weights WHERE scenario_id = 'polisen'`, "pol-h3", "police", "editor", 0},
		{"a police admin deletes a built-in scenario", `DELETE FROM priority_scenarios WHERE id = 'polisen'`, "pol-h3", "police", "admin", 0},
		{"a municipality admin deletes a built-in scenario", `DELETE FROM priority_scenarios WHERE id = 'buf'`, "kom-h3", "municipality", "admin", 0},
		{"a municipality editor deletes the police's scenario", `DELETE FROM priority_scenarios WHERE id = 'h3-p'`, "kom-h3", "municipality", "editor", 0},
		{"the police editor changes its own scenario", `UPDATE priority_scenarios SET name_sv = 'y' WHERE id = 'h3-p'`, "pol-h3", "police", "editor", 1},
		{"a municipality admin deletes the police's scenario", `DELETE FROM priority_scenarios WHERE id = 'h3-p'`, "kom-h3", "municipality", "admin", 1},
	} {
		n, err := asCaller(t, c.org, c.kind, c.role, c.sql)
		if err != nil || n != c.want {
			t.Errorf("%s: %d rows, %v; want %d", c.what, n, err, c.want)
		}
	}
	// Giving one's scenario away, or relabelling it: refused.
	for _, set := range []string{"owner_org = 'pol-h3'", "organisation = 'Polisen'", "builtin = true"} {
		if _, err := asCaller(t, "kom-h3", "municipality", "editor", `UPDATE priority_scenarios SET `+set+` WHERE id = 'h3-a'`); !refusedByPolicy(err) {
			t.Errorf("SET %s on one's own scenario: %v", set, err)
		}
	}
}

// TestPlanPolicies is review finding H1 of issue 12 at the database: plans, their targets,
// items and doses are read by their class, and written only at a class the writer may read.
func TestPlanPolicies(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	var id int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO deployment_plans (week_start, weeks, expected_reduction, parameters, document, data_class)
		VALUES ('2024-06-03', 1, 0, '{}', '{}', 'restricted') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Pool.Exec(ctx, `DELETE FROM deployment_plans WHERE id = $1`, id) })
	if _, err := db.Pool.Exec(ctx, `INSERT INTO deployment_plan_targets (plan_id, target_id, name, risk, risk_total, geom, data_class)
		VALUES ($1, 'a', 'A', '{}', 0, ST_SetSRID(ST_MakePoint(587000, 6610000), 3006), 'restricted')`, id); err != nil {
		t.Fatal(err)
	}
	// A child cannot have another class than its plan.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO deployment_plan_targets (plan_id, target_id, name, risk, risk_total, geom, data_class)
		VALUES ($1, 'b', 'B', '{}', 0, ST_SetSRID(ST_MakePoint(587000, 6610000), 3006), 'internal')`, id); err == nil {
		t.Error("a target of class internal was stored with a restricted plan")
	}
	for _, table := range []string{"deployment_plans WHERE id = $1", "deployment_plan_targets WHERE plan_id = $1"} {
		for _, c := range []struct {
			kind string
			want int64
		}{{"municipality", 0}, {"housing", 0}, {"region", 0}, {"police", 1}} {
			ctx := context.Background()
			tx, err := db.AppPool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			if _, err := tx.Exec(ctx, `SELECT set_config('lagesbild.org', 'x', true), set_config('lagesbild.org_kind', $1, true),
				set_config('lagesbild.role', 'reader', true)`, c.kind); err != nil {
				t.Fatal(err)
			}
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+table, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			_ = tx.Rollback(ctx)
			if n != c.want {
				t.Errorf("%s reads %d rows of %s, want %d", c.kind, n, table, c.want)
			}
		}
	}
	insert := `INSERT INTO deployment_plans (week_start, weeks, expected_reduction, parameters, document, data_class)
		VALUES ('2024-06-03', 1, 0, '{}', '{}', $1)`
	if _, err := asCaller(t, "kom", "municipality", "editor", insert, "restricted"); !refusedByPolicy(err) {
		t.Errorf("a municipality editor stored a restricted plan: %v", err)
	}
	if n, err := asCaller(t, "kom", "municipality", "editor", insert, "internal"); err != nil || n != 1 {
		t.Errorf("a municipality editor's internal plan: %d, %v", n, err)
	}
}
