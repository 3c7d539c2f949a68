package layers_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestRowLevelSecurityAlone bypasses every check in web: it reads through the Store (and
// with plain SQL) on the application role's pool, with callers put straight into the
// context, and shows that PostgreSQL alone keeps each caller to its rows.
func TestRowLevelSecurityAlone(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	owner := func(sql string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := db.Pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	cat := layers.NewCatalogue()
	obs, err := cat.Layer("observations")
	if err != nil {
		t.Fatal(err)
	}
	ivs, err := cat.Layer("interventions")
	if err != nil {
		t.Fatal(err)
	}
	store := layers.NewStore(db.AppPool)

	callers := []struct {
		name    string
		ctx     context.Context
		classes []string
	}{
		{"anonymous", ctx, []string{"open"}},
		{"public", layers.ActingAs(ctx, "allmanheten", "public", "admin"), []string{"open"}},
		{"civil society", layers.ActingAs(ctx, "forening", "civil_society", "editor"), []string{"open"}},
		{"housing company", layers.ActingAs(ctx, "bostad", "housing", "reader"), []string{"open", "internal"}},
		{"municipality", layers.ActingAs(ctx, "kommun", "municipality", "admin"), []string{"open", "internal"}},
		{"police", layers.ActingAs(ctx, "polis", "police", "reader"), []string{"open", "internal", "restricted"}},
	}
	for _, c := range callers {
		t.Run(c.name, func(t *testing.T) {
			// The Store's own queries (what every handler uses), with no handler in front.
			page, err := store.Features(c.ctx, obs, layers.Query{Limit: 1, Count: true})
			if err != nil {
				t.Fatal(err)
			}
			if want := owner(`SELECT count(*) FROM observations WHERE sensitivity = ANY($1)`, c.classes); page.NumberMatched != want {
				t.Errorf("observations: %d, want %d", page.NumberMatched, want)
			}
			page, err = store.Features(c.ctx, ivs, layers.Query{Limit: 1, Count: true})
			if err != nil {
				t.Fatal(err)
			}
			if want := owner(`SELECT count(*) FROM interventions WHERE data_class = ANY($1)`, c.classes); page.NumberMatched != want {
				t.Errorf("interventions: %d, want %d", page.NumberMatched, want)
			}
		})
	}

	// Plain SQL on the application role with no caller at all reads as anonymous.
	var n int64
	if err := db.AppPool.QueryRow(ctx, `SELECT count(*) FROM observations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := owner(`SELECT count(*) FROM observations WHERE sensitivity = 'open'`); n != want {
		t.Errorf("no caller: %d observations, want the %d open ones", n, want)
	}
	for _, sql := range []string{`SELECT count(*) FROM audit_log`, `SELECT count(*) FROM deployment_plans`, `SELECT count(*) FROM intervention_history`} {
		if err := db.AppPool.QueryRow(ctx, sql).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s with no caller: %d, %v; want 0", sql, n, err)
		}
	}

	// Writes through the Store's own write path: an editor of an organisation that may not
	// read internal rows cannot write one, a reader cannot write at all, nor can anyone
	// anonymous — whatever Go would have allowed; the municipality's editor can.
	iv, err := layers.ParseInterventionFeature(fullIntervention(t, "null"), crs.CRS84)
	if err != nil {
		t.Fatal(err)
	}
	iv.DataClass = "internal"
	for _, c := range []context.Context{
		layers.ActingAs(ctx, "forening", "civil_society", "editor"),
		layers.ActingAs(ctx, "kommun", "municipality", "reader"),
		ctx,
	} {
		before := owner(`SELECT count(*) FROM interventions`)
		_, err := store.CreateIntervention(c, iv, "")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("an intervention written without the right: %v", err)
		}
		if after := owner(`SELECT count(*) FROM interventions`); after != before {
			t.Errorf("a refused write left %d rows", after-before)
		}
	}
	id, err := store.CreateIntervention(layers.ActingAs(ctx, "kommun", "municipality", "editor"), iv, "kommun")
	if err != nil {
		t.Fatalf("the municipality's editor: %v", err)
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM interventions WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
}

// TestCallerSettingsEndWithTheTransaction checks that a caller's identity does not outlive
// its statement on a pooled connection: on a pool of one connection, a police read followed
// by a statement with no caller sees only open rows.
func TestCallerSettingsEndWithTheTransaction(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	cfg := db.AppPool.Config()
	cfg.MaxConns, cfg.MinConns = 1, 0
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := layers.NewStore(pool)
	obs, _ := layers.NewCatalogue().Layer("observations")
	police := layers.ActingAs(ctx, "polis", "police", "reader")
	page, err := store.Features(police, obs, layers.Query{Limit: 1, Count: true})
	if err != nil {
		t.Fatal(err)
	}
	var after, open int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM observations`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE sensitivity = 'open') FROM observations`).Scan(&open); err != nil {
		t.Fatal(err)
	}
	if page.NumberMatched <= open || after != open {
		t.Errorf("police saw %d, the next statement on the same connection %d; want more than %d, then %d", page.NumberMatched, after, open, open)
	}
	// A page of a box goes with planner settings of its own (callerDB.QueryTuned): they end
	// with it too, as the caller does.
	box := &layers.BBox{MinX: 10.03, MinY: 54.96, MaxX: 24.17, MaxY: 69.07, CRS: crs.CRS84}
	if page, err = store.Features(police, obs, layers.Query{Limit: 1, BBox: box, Count: true}); err != nil {
		t.Fatal(err)
	}
	var bitmap, sort string
	if err := pool.QueryRow(ctx, `SELECT count(*), current_setting('enable_bitmapscan'), current_setting('enable_sort') FROM observations`).Scan(&after, &bitmap, &sort); err != nil {
		t.Fatal(err)
	}
	if page.NumberMatched <= open || after != open || bitmap != "on" || sort != "on" {
		t.Errorf("police saw %d in the box, then on the same connection %d rows, enable_bitmapscan %s, enable_sort %s; want more than %d, then %d, on, on",
			page.NumberMatched, after, bitmap, sort, open, open)
	}
}

// TestSpatialFiltersUseIndexesUnderRLS guards migration 012: under row-level security a
// bounding-box condition becomes an index condition only when its function is leakproof;
// without it every tile and bbox query scans the whole table. With sequential scans made
// expensive, the plan must use the GiST index.
func TestSpatialFiltersUseIndexesUnderRLS(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	tx, err := db.AppPool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `SELECT set_config('lagesbild.org', 'polis', true), set_config('lagesbild.org_kind', 'police', true),
		set_config('enable_seqscan', 'off', true)`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM observations t WHERE t.geom_3857 && ST_TileEnvelope(14, 8941, 4791)`,
		`SELECT count(*) FROM districts t WHERE ST_Intersects(t.geom, ST_MakeEnvelope(580000, 6605000, 585000, 6610000, 3006))`,
		`SELECT count(*) FROM districts d JOIN observations o ON ST_Intersects(d.geom, o.geom) WHERE d.code = '1980-BACKBY'`,
		`SELECT count(*) FROM places p JOIN observations o ON ST_DWithin(o.geom, p.geom, 100) WHERE p.id = 1`,
	} {
		rows, err := tx.Query(ctx, "EXPLAIN "+q)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, l)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(lines, "\n")
		if strings.Contains(text, "Seq Scan") || !strings.Contains(text, "Index") {
			t.Errorf("%s\nplans a sequential scan under row-level security:\n%s", q, text)
		}
	}
}
