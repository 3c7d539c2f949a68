package layers_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestStatementTimeoutsPerWork checks that a statement runs under the timeout of its kind of
// work: a 300 ms sleep fails as a map statement (100 ms) with an error IsTimeout knows, and
// succeeds as an analysis (5 s) on the same single connection, which switches back and forth.
func TestStatementTimeoutsPerWork(t *testing.T) {
	db := layerstest.Require(t, testDB)
	cfg, err := pgxpool.ParseConfig(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1 // one connection, so each kind must set its own timeout on it
	layers.UseStatementTimeouts(cfg, layers.StatementTimeouts{Map: 100 * time.Millisecond, Analysis: 5 * time.Second})
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	mapCtx := context.Background()
	analysisCtx := layers.WithWork(context.Background(), layers.WorkAnalysis)
	for round := range 2 {
		if _, err := pool.Exec(mapCtx, "SELECT pg_sleep(0.3)"); !layers.IsTimeout(err) {
			t.Errorf("round %d: a 300 ms map statement: %v, want a statement timeout", round, err)
		}
		if _, err := pool.Exec(analysisCtx, "SELECT pg_sleep(0.3)"); err != nil {
			t.Errorf("round %d: a 300 ms analysis statement: %v", round, err)
		}
		var got string
		if err := pool.QueryRow(mapCtx, "SHOW statement_timeout").Scan(&got); err != nil || got != "100ms" {
			t.Errorf("round %d: map statement_timeout %q (%v), want 100ms", round, got, err)
		}
	}
}
