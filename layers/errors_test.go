package layers_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestKindOfRealDatabaseErrors: what PostgreSQL and pgx really say is of the kind the web
// layer answers for: a connection the server ended (as a restart or an administrator does:
// 57P01) is ErrUnavailable, as is a connection nobody answers; a write the database's access
// rules refuse (42501) is ErrForbidden; a plain SQL error is of no kind (a 500: a bug).
func TestKindOfRealDatabaseErrors(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()

	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var pid int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `SELECT 1`)
	if got := layers.Kind(err); got != layers.ErrUnavailable {
		t.Errorf("a terminated connection: %v is of kind %v, want ErrUnavailable", err, got)
	}

	gone, err := pgxpool.New(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer gone.Close()
	_, err = gone.Exec(ctx, `SELECT 1`)
	if got := layers.Kind(err); got != layers.ErrUnavailable {
		t.Errorf("nothing listening: %v is of kind %v, want ErrUnavailable", err, got)
	}

	// The database's access rules (row-level security and the class triggers, both 42501):
	// the application role acting as an anonymous caller may not insert an intervention.
	tx, err := db.AppPool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `INSERT INTO interventions (title) SELECT title FROM interventions LIMIT 1`)
	if got := layers.Kind(err); got != layers.ErrForbidden {
		t.Errorf("a write row-level security refuses: %v is of kind %v, want ErrForbidden", err, got)
	}

	_, err = db.Pool.Exec(ctx, `SELECT 1/0`)
	if got := layers.Kind(err); got != nil || errors.Is(err, layers.ErrUnavailable) {
		t.Errorf("division by zero: kind %v, want none", got)
	}
}
