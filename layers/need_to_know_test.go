package layers_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestNeedToKnowInSQLAlone checks the rules of migration 017 with plain SQL on the
// application role's pool, as a future code path that forgot every check in Go would send
// it: whose intervention a caller may change, who may lower its class or change its owner,
// and which history and audit entries it reads.
func TestNeedToKnowInSQLAlone(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	var owned, ownerless int64
	for _, q := range []struct {
		dst   *int64
		owner any
	}{{&owned, "ntk-kommun"}, {&ownerless, nil}} {
		if err := db.Pool.QueryRow(ctx, `INSERT INTO interventions (title, category, horizon, approach, lead_org, status, data_class, owner_org)
			VALUES ('Prov', 'other', 'vinna_kriget', 'preventive', 'BUF', 'planned', 'internal', $1) RETURNING id`, q.owner).Scan(q.dst); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM interventions WHERE id = ANY($1)`, []int64{owned, ownerless})
	})

	// as runs sql in a transaction acting as org (kind, role), and returns the rows it
	// affected and the SQLSTATE of its error ("" without one).
	as := func(org, kind, role, sql string, args ...any) (int64, string) {
		t.Helper()
		tx, err := db.AppPool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, `SELECT set_config('lagesbild.org', $1, true), set_config('lagesbild.org_kind', $2, true),
			set_config('lagesbild.role', $3, true)`, org, kind, role); err != nil {
			t.Fatal(err)
		}
		tag, err := tx.Exec(ctx, sql, args...)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			return 0, pgErr.Code
		}
		if err != nil {
			t.Fatal(err)
		}
		return tag.RowsAffected(), ""
	}
	const (
		retitle = `UPDATE interventions SET title = 'Ändrad' WHERE id = $1`
		lower   = `UPDATE interventions SET data_class = 'open' WHERE id = $1`
		raise   = `UPDATE interventions SET data_class = 'restricted' WHERE id = $1`
		reown   = `UPDATE interventions SET owner_org = 'ntk-bostad' WHERE id = $1`
		remove  = `DELETE FROM interventions WHERE id = $1`
	)
	for _, c := range []struct {
		name, org, kind, role, sql string
		id                         *int64
		rows                       int64
		code                       string
	}{
		{"another organisation's editor changes", "ntk-bostad", "housing", "editor", retitle, &owned, 0, ""},
		{"another organisation's editor declassifies", "ntk-bostad", "housing", "editor", lower, &owned, 0, ""},
		{"another organisation's editor deletes", "ntk-bostad", "housing", "editor", remove, &owned, 0, ""},
		{"the owner's reader changes", "ntk-kommun", "municipality", "reader", retitle, &owned, 0, ""},
		{"the owner's editor changes", "ntk-kommun", "municipality", "editor", retitle, &owned, 1, ""},
		{"the owner's editor declassifies", "ntk-kommun", "municipality", "editor", lower, &owned, 0, "42501"},
		{"the owner's editor gives it away", "ntk-kommun", "municipality", "editor", reown, &owned, 0, "42501"},
		{"the owner's editor raises it beyond its clearance", "ntk-kommun", "municipality", "editor", raise, &owned, 0, "42501"},
		{"another municipality's admin declassifies", "ntk-stad", "municipality", "admin", lower, &owned, 0, "42501"},
		{"the owner's admin declassifies", "ntk-kommun", "municipality", "admin", lower, &owned, 1, ""},
		{"another municipality's admin changes", "ntk-stad", "municipality", "admin", retitle, &owned, 1, ""},
		{"a police admin changes", "ntk-polis", "police", "admin", retitle, &owned, 0, ""},
		{"a police admin raises", "ntk-polis", "police", "admin", raise, &owned, 0, ""},
		{"a municipality admin changes an ownerless one", "ntk-stad", "municipality", "admin", retitle, &ownerless, 1, ""},
		{"a municipality admin declassifies an ownerless one", "ntk-stad", "municipality", "admin", lower, &ownerless, 0, "42501"},
		{"a municipality editor changes an ownerless one", "ntk-stad", "municipality", "editor", retitle, &ownerless, 0, ""},
		{"anonymous changes", "", "", "", retitle, &owned, 0, ""},
	} {
		rows, code := as(c.org, c.kind, c.role, c.sql, *c.id)
		if rows != c.rows || code != c.code {
			t.Errorf("%s: %d rows, SQLSTATE %q; want %d, %q", c.name, rows, code, c.rows, c.code)
		}
	}
	if _, code := as("ntk-kommun", "municipality", "editor", `INSERT INTO interventions (title, category, horizon, approach, lead_org, status, data_class, owner_org)
		VALUES ('Prov', 'other', 'vinna_kriget', 'preventive', 'BUF', 'planned', 'internal', 'ntk-bostad')`); code != "42501" {
		t.Errorf("an editor made an intervention in another organisation's name: SQLSTATE %q, want 42501", code)
	}

	// History: an entry is read by who may read its class (the higher of before and after)
	// and the intervention's class now.
	var raised int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO interventions (title, category, horizon, approach, lead_org, status, data_class, owner_org)
		VALUES ('Prov', 'other', 'vinna_kriget', 'preventive', 'Polisen', 'planned', 'restricted', 'ntk-polis') RETURNING id`).Scan(&raised); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Pool.Exec(context.Background(), `DELETE FROM interventions WHERE id = $1`, raised) })
	if _, err := db.Pool.Exec(ctx, `INSERT INTO intervention_history (intervention_id, version, operation, before, after) VALUES
		($1, 1, 'create', NULL, '{"data_class": "internal"}'), ($1, 2, 'update', '{"data_class": "internal"}', '{"data_class": "restricted"}'),
		($2, 1, 'create', NULL, '{"data_class": "restricted"}'), ($2, 2, 'update', '{"data_class": "restricted"}', '{"data_class": "internal"}'),
		($2, 3, 'update', '{"data_class": "internal"}', '{"data_class": "internal"}')`, raised, owned); err != nil {
		t.Fatal(err)
	}
	versions := func(org, kind string, id int64) []int64 {
		t.Helper()
		tx, err := db.AppPool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, `SELECT set_config('lagesbild.org', $1, true), set_config('lagesbild.org_kind', $2, true),
			set_config('lagesbild.role', 'reader', true)`, org, kind); err != nil {
			t.Fatal(err)
		}
		rows, _ := tx.Query(ctx, `SELECT version FROM intervention_history WHERE intervention_id = $1 ORDER BY version`, id)
		v, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// owned is open now (the owner's admin lowered it above).
	for _, c := range []struct {
		who, org, kind string
		id             int64
		want           []int64
	}{
		{"municipality, raised to restricted", "ntk-kommun", "municipality", raised, nil},
		{"police, raised to restricted", "ntk-polis", "police", raised, []int64{1, 2}},
		{"municipality, lowered from restricted", "ntk-kommun", "municipality", owned, []int64{3}},
		{"civil society, lowered from restricted", "ntk-forening", "civil_society", owned, nil},
		{"police, lowered from restricted", "ntk-polis", "police", owned, []int64{1, 2, 3}},
	} {
		if got := versions(c.org, c.kind, c.id); !slices.Equal(got, c.want) {
			t.Errorf("history as %s: versions %v, want %v", c.who, got, c.want)
		}
	}

	// Audit: an entry is read by an admin of its organisation (or of a municipality) cleared
	// for its class.
	var entry int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO audit_log (organisation, credential, action, method, path, status, data_class, details)
		VALUES ('ntk-polis', 'token', 'read', 'GET', '/collections/observations/items', 200, 'restricted', '{"query": "bbox=1,2,3,4"}')
		RETURNING id`).Scan(&entry); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		org, kind, role string
		want            int64
	}{
		{"ntk-polis", "police", "admin", 1},
		{"ntk-polis", "police", "reader", 0},
		{"ntk-polis2", "police", "admin", 0},
		{"ntk-kommun", "municipality", "admin", 0},
	} {
		if n, _ := as(c.org, c.kind, c.role, `SELECT 1 FROM audit_log WHERE id = $1`, entry); n != c.want {
			t.Errorf("audit entry of a restricted read as %s %s of %s: %d rows, want %d", c.kind, c.role, c.org, n, c.want)
		}
	}
}
