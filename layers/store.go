// Package layers is the catalogue of Lägesbild's PostGIS layers and everything that reads or
// writes them with pgx: features, indicator values, migrations and the demo load.
//
// Assumptions: geometries are stored in EPSG:3006 with a generated EPSG:3857 copy; every
// query takes the caller's context; identifiers in SQL come only from the declarations in
// catalogue.go, never from a request.
package layers

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"github.com/lagesbild/lagesbild/migrations"
)

// Store reads and writes the layers through one connection pool.
type Store struct {
	// pool runs every statement as the caller in its context (access.go); raw is the pool
	// itself, for health checks and the change listener.
	pool    callerDB
	raw     *pgxpool.Pool
	extents extentCache
	// listening is set while ListenChanges holds a connection in LISTEN state.
	listening atomic.Bool
	// reads routes the reads that may lag to standbys (replicas.go); nil: all to pool.
	reads *readRouter
	// replayNeed is the position a standby must have replayed to serve a routed read: the
	// primary's WAL position when the last change notification was acted on. through is the
	// position every change before which has been acted on (replicas.go).
	replayNeed, through atomic.Uint64
}

// NewStore returns a Store over pool. The pool is owned by the caller.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: callerDB{pool}, raw: pool, extents: extentCache{ttl: time.Minute}}
}

// ConfigurePool sets the session settings every query of this package relies on:
//   - timezone UTC, because timestamps are rendered into JSON in the session time zone;
//   - jit off, because JIT compilation costs more than it saves on short map queries;
//   - no parallel workers, because each worker is a new process that initialises PROJ
//     for ST_Transform again (measured: 26 ms serial against 86 ms with two workers for a
//     1,000-feature bbox page), and under concurrent load there are no spare cores anyway.
func ConfigurePool(cfg *pgxpool.Config) {
	rp := cfg.ConnConfig.RuntimeParams
	rp["timezone"] = "UTC"
	rp["jit"] = "off"
	rp["max_parallel_workers_per_gather"] = "0"
	if rp["application_name"] == "" {
		rp["application_name"] = "lagesbild"
	}
}

// Pool returns the underlying pool, for health checks.
func (s *Store) Pool() *pgxpool.Pool { return s.raw }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// versionTable records which migrations have been applied.
const versionTable = "public.schema_version"

// Migrate applies all pending migrations from the embedded migrations.FS, each in its own
// transaction. It is safe to run concurrently: tern serialises migrators with an advisory lock.
func Migrate(ctx context.Context, conn *pgx.Conn) (applied int32, err error) {
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return 0, fmt.Errorf("migrate: new migrator: %w", err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		return 0, fmt.Errorf("migrate: load migrations: %w", err)
	}
	before, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: current version: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		var mErr migrate.MigrationPgError
		if errors.As(err, &mErr) {
			return 0, fmt.Errorf("migrate: %s: %w", mErr.MigrationName, err)
		}
		return 0, fmt.Errorf("migrate: %w", err)
	}
	after, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: current version: %w", err)
	}
	return after - before, nil
}
