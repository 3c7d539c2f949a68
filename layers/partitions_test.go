package layers_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// partitionOf names the partition that holds the observation (source, sourceID), "" if none.
func partitionOf(t *testing.T, db *layerstest.DB, source, sourceID string) string {
	t.Helper()
	var p string
	err := db.Pool.QueryRow(context.Background(), `SELECT tableoid::regclass::text FROM observations WHERE source = $1 AND source_id = $2`,
		source, sourceID).Scan(&p)
	if errors.Is(err, pgx.ErrNoRows) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestObservationPartitionsBehindPolicy checks that no partition, and not the key table, can
// be read around the parent's row-level security policy by the server's role: each has
// row-level security and no grant, those the migration made and those made later on demand.
func TestObservationPartitionsBehindPolicy(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	if err := store.EnsureObservationYears(ctx, []int{1991}); err != nil {
		t.Fatal(err)
	}
	years, err := store.ObservationYears(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, y := range years {
		names = append(names, y.Partition)
	}
	if len(names) < 5 || !strings.Contains(strings.Join(names, " "), "observations_y1991") || !strings.Contains(strings.Join(names, " "), "observations_y2024") {
		t.Fatalf("partitions %v: want the demo's years and 1991", names)
	}
	for _, name := range append(names, "observation_keys") {
		var rls, granted bool
		if err := db.Pool.QueryRow(ctx, `SELECT relrowsecurity, has_table_privilege($2, oid, 'SELECT, INSERT, UPDATE, DELETE')
			FROM pg_class WHERE relname = $1`, name, layers.ServerRole).Scan(&rls, &granted); err != nil {
			t.Fatal(err)
		}
		if !rls || granted {
			t.Errorf("%s: row-level security %v, %s has a privilege %v; want true, false", name, rls, layers.ServerRole, granted)
		}
		_, err := db.AppPool.Exec(ctx, "SELECT count(*) FROM "+pgx.Identifier{name}.Sanitize())
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s read as %s: %v, want insufficient_privilege", name, layers.ServerRole, err)
		}
	}
	// Through the parent the server reads, under the policy (no principal: open rows only).
	var n, restricted int64
	if err := db.AppPool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE sensitivity <> 'open') FROM observations`).Scan(&n, &restricted); err != nil {
		t.Fatal(err)
	}
	if restricted != 0 {
		t.Errorf("the server's role without a principal reads %d of %d rows that are not open", restricted, n)
	}
}

// TestObservationKeysUnique checks that (source, source_id) stays unique across years, as the
// unique constraint kept it before partitioning, and that the key table follows updates,
// moves between years and deletes.
func TestObservationKeysUnique(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	insert := func(at, id string) error {
		_, err := db.Pool.Exec(ctx, `INSERT INTO observations (observed_at, category, severity, source, source_id, geom)
			VALUES ($1, 'theft', 2, 'safety_walk', $2, ST_SetSRID(ST_MakePoint(587000, 6610000), 3006))`, at, id)
		return err
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'keys-test-%'`)
	})
	if err := insert("2022-03-01T10:00:00Z", "keys-test-1"); err != nil {
		t.Fatal(err)
	}
	var pgErr *pgconn.PgError
	// The same key in another year's partition is refused, as by the unique constraint.
	if err := insert("2023-03-01T10:00:00Z", "keys-test-1"); !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("the same key in another year: %v, want unique_violation", err)
	}
	// A move to another year (the demo load updates observed_at) keeps the key and the row.
	if _, err := db.Pool.Exec(ctx, `UPDATE observations SET observed_at = '2024-01-05T10:00:00Z' WHERE source_id = 'keys-test-1'`); err != nil {
		t.Fatal(err)
	}
	if got := partitionOf(t, db, "safety_walk", "keys-test-1"); got != "observations_y2024" {
		t.Errorf("moved row in %q, want observations_y2024", got)
	}
	if err := insert("2023-03-01T10:00:00Z", "keys-test-1"); !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("the same key after a move: %v, want unique_violation", err)
	}
	// Renaming the key frees the old one; deleting the row frees its key.
	if _, err := db.Pool.Exec(ctx, `UPDATE observations SET source_id = 'keys-test-2' WHERE source_id = 'keys-test-1'`); err != nil {
		t.Fatal(err)
	}
	if err := insert("2023-03-01T10:00:00Z", "keys-test-1"); err != nil {
		t.Fatalf("the old key after renaming: %v", err)
	}
	if err := insert("2022-03-01T10:00:00Z", "keys-test-2"); !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("the new key after renaming: %v, want unique_violation", err)
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM observations WHERE source_id = 'keys-test-2'`); err != nil {
		t.Fatal(err)
	}
	if err := insert("2022-03-01T10:00:00Z", "keys-test-2"); err != nil {
		t.Fatalf("a deleted row's key: %v", err)
	}
	// The key table holds exactly the keys of the rows.
	var missing, extra int64
	if err := db.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM observations o WHERE o.source_id IS NOT NULL
		   AND NOT EXISTS (SELECT FROM observation_keys k WHERE k.source = o.source AND k.source_id = o.source_id)),
		(SELECT count(*) FROM observation_keys k
		   WHERE NOT EXISTS (SELECT FROM observations o WHERE k.source = o.source AND k.source_id = o.source_id))`).Scan(&missing, &extra); err != nil {
		t.Fatal(err)
	}
	if missing != 0 || extra != 0 {
		t.Errorf("key table: %d keys of rows missing, %d keys without a row", missing, extra)
	}
}

// TestImportMakesYears checks that an import of years without a partition makes them (none
// falls anywhere else: there is no default partition) and refuses a year out of bounds,
// naming the row.
func TestImportMakesYears(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'years-%'`)
	})
	doc := strings.NewReplacer("2024-03-01", "1993-06-01", "2024-03-02", "2031-12-31").Replace(importDoc("years-1", "years-2"))
	for _, mode := range []layers.ObservationImportOptions{{RebuildAt: -1}, {RebuildAt: 1, RebuildShare: 1e-9}} {
		_, _ = db.Pool.Exec(ctx, `DELETE FROM observations WHERE source_id LIKE 'years-%'`)
		rd, err := layers.NewGeoJSONObservationReader(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := store.ImportObservations(ctx, rd, mode)
		if err != nil {
			t.Fatalf("rebuild at %d: %v", mode.RebuildAt, err)
		}
		if sum.Inserted != 2 {
			t.Errorf("rebuild at %d: inserted %d, want 2", mode.RebuildAt, sum.Inserted)
		}
		// 2031-12-31T20:00Z is 21:00 in Stockholm, still 2031.
		for id, want := range map[string]string{"years-1": "observations_y1993", "years-2": "observations_y2031"} {
			if got := partitionOf(t, db, "security_guard", id); got != want {
				t.Errorf("rebuild at %d: %s in %q, want %s", mode.RebuildAt, id, got, want)
			}
		}
	}
	bad := strings.Replace(importDoc("years-3", "years-4"), "2024-03-02", "1812-03-02", 1)
	rd, err := layers.NewGeoJSONObservationReader(strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.ImportObservations(ctx, rd, layers.ObservationImportOptions{})
	var inv *layers.InvalidError
	if !errors.As(err, &inv) || inv.Param != "file" || !strings.Contains(inv.Error(), "row 2") {
		t.Errorf("a record of 1812: %v, want an invalid file naming row 2", err)
	}
}

// TestObservationRetention drops whole years past the period: the rows and the partition are
// gone, their keys with them, a cache hears of it, younger years (the demo's among them) are
// untouched, and a run interrupted after detaching is finished by the next.
func TestObservationRetention(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	// Years this test alone uses: a period of 30 years at the end of 2026 keeps 1996 on.
	if err := store.EnsureObservationYears(ctx, []int{1994, 1995, 1996}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO observations (observed_at, category, severity, source, source_id, geom)
		SELECT make_timestamptz(y, 6, 1, 12, 0, 0, 'UTC'), 'theft', 2, 'police', format('retention-%s-%s', y, k),
		       ST_SetSRID(ST_MakePoint(587000 + k, 6610000), 3006)
		FROM unnest(ARRAY[1994, 1995, 1996]) AS y, generate_series(1, 100) AS k`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'retention-%'`)
	})
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := db.Pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	demo := count(`SELECT count(*) FROM observations WHERE illustrative`)
	if demo == 0 {
		t.Fatal("no demo observations")
	}
	// Years before 2020 are not the demo's (2021–2024): a period of five years keeps it all.
	now := time.Date(2026, 12, 7, 23, 0, 0, 0, time.UTC)

	dry, err := store.ApplyObservationRetention(ctx, 30, now, true)
	if err != nil {
		t.Fatal(err)
	}
	// Other tests of this package may have made years before 1996 too.
	years := func(ds []layers.DroppedYear) string {
		var ys []string
		for _, d := range ds {
			if d.Year >= 1996 {
				t.Errorf("year %d dropped, want only years before 1996", d.Year)
			}
			if d.Year == 1994 || d.Year == 1995 {
				ys = append(ys, fmt.Sprint(d.Year))
			}
		}
		return strings.Join(ys, " ")
	}
	if got := years(dry.Dropped); dry.FirstKept != 1996 || got != "1994 1995" || count(`SELECT count(*) FROM observations WHERE source_id LIKE 'retention-%'`) != 300 {
		t.Fatalf("dry run: first kept %d, dropping %s; want 1996 and 1994 1995, and nothing dropped", dry.FirstKept, got)
	}

	// The run stopped after detaching 1994 (killed, say) leaves a table for the next run.
	if _, err := db.Pool.Exec(ctx, `ALTER TABLE observations DETACH PARTITION observations_y1994`); err != nil {
		t.Fatal(err)
	}

	heard := make(chan struct{}, 1)
	listenCtx, cancel := context.WithCancel(ctx)
	listening := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		first := true
		_ = store.ListenChanges(listenCtx, func(table string) {
			switch {
			case table == "" && first:
				first = false
				close(listening)
			case table == "observations":
				select {
				case heard <- struct{}{}:
				default:
				}
			}
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	<-listening

	sum, err := store.ApplyObservationRetention(ctx, 30, now, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sum.Dropped {
		if (d.Year == 1994 || d.Year == 1995) && d.Keys != 100 {
			t.Errorf("year %d: %d keys removed, want 100", d.Year, d.Keys)
		}
	}
	if got := years(sum.Dropped); got != "1994 1995" {
		t.Errorf("dropped %s, want 1994 1995", got)
	}
	select {
	case <-heard:
	case <-time.After(10 * time.Second):
		t.Error("no change notification for observations within 10 s of the drop")
	}
	if n := count(`SELECT count(*) FROM observations WHERE source_id LIKE 'retention-199_-%' AND observed_at < '1996-01-01'`); n != 0 {
		t.Errorf("%d rows of 1994–1995 left", n)
	}
	if n := count(`SELECT count(*) FROM pg_class WHERE relname IN ('observations_y1994', 'observations_y1995')`); n != 0 {
		t.Errorf("%d partitions of 1994–1995 left", n)
	}
	if n := count(`SELECT count(*) FROM observation_keys WHERE source_id LIKE 'retention-199%'`); n != 100 {
		t.Errorf("%d keys of the test left, want 1996's 100", n)
	}
	if n := count(`SELECT count(*) FROM observations WHERE source_id LIKE 'retention-1996-%'`); n != 100 {
		t.Errorf("1996: %d rows, want 100", n)
	}
	if n := count(`SELECT count(*) FROM observations WHERE illustrative`); n != demo {
		t.Errorf("demo rows %d → %d", demo, n)
	}
	// A key of a dropped year may come again (a re-import stores it in a new partition).
	if _, err := db.Pool.Exec(ctx, `INSERT INTO observations (observed_at, category, severity, source, source_id, geom)
		VALUES ('2025-01-01T12:00:00Z', 'theft', 2, 'police', 'retention-1995-1', ST_SetSRID(ST_MakePoint(587000, 6610000), 3006))`); err != nil {
		t.Errorf("a dropped year's key again: %v", err)
	}

	// Five years at the end of 2026 keep 2021 on: the demo stays, this year and next exist.
	sum, err = store.ApplyObservationRetention(ctx, layers.DefaultObservationRetentionYears, now, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sum.Dropped {
		if d.Year >= 2021 {
			t.Errorf("five years at %s would drop %d", now, d.Year)
		}
	}
	if sum.FirstKept != 2021 || fmt.Sprint(sum.Ensured) != "[2026 2027]" {
		t.Errorf("five years: first kept %d, ensured %v; want 2021, [2026 2027]", sum.FirstKept, sum.Ensured)
	}
	if _, err := store.ApplyObservationRetention(ctx, 0, now, true); err == nil {
		t.Error("a period of 0 years accepted")
	}
}
