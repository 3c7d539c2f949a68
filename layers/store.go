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
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"github.com/lagesbild/lagesbild/migrations"
)

// Store reads and writes the layers through one connection pool.
type Store struct {
	pool    *pgxpool.Pool
	extents extentCache
}

// NewStore returns a Store over pool. The pool is owned by the caller.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, extents: extentCache{ttl: time.Minute}}
}

// Pool returns the underlying pool, for health checks.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

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
