// Package layerstest gives tests a real PostGIS database with the schema migrated and the
// demo data loaded.
//
// Assumptions: DATABASE_URL names a database on a server where its role may create
// databases (make test brings up such a local cluster). Each test binary gets its own
// database, cloned from a template that is rebuilt only when the migrations or the demo data
// change, so packages can run in parallel without seeing each other's writes. Without
// DATABASE_URL the database tests skip, except under CI (CI set), where they fail.
package layerstest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	neturl "net/url"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lagesbild/lagesbild/data"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/migrations"
)

// DB is a test database: its URL and a pool connected to it.
type DB struct {
	URL  string
	Pool *pgxpool.Pool // as the owner: row-level security does not apply
	// AppPool connects as layers.ServerRole, the login role the server uses (no SET ROLE):
	// row-level security applies, what a query sees depends on the principal in its context,
	// and credentials are reached only through their functions.
	AppPool *pgxpool.Pool
	// AppURL is AppPool's connection URL.
	AppURL string
	// StandbyURL is this database on the streaming standby of the test cluster, as the owner
	// (make test brings it up with .ci/standby.sh and sets STANDBY_DATABASE_URL); "" without
	// one. Its server-role URL is layers.ServerURL(StandbyURL).
	StandbyURL string
}

// RequireStandby skips (or, under CI, fails) a test that needs the streaming standby when
// there is none, and returns the standby's URL of db's database.
func RequireStandby(tb testing.TB, db *DB) string {
	tb.Helper()
	Require(tb, db)
	if db.StandbyURL == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("no standby under CI (STANDBY_DATABASE_URL; make test runs .ci/standby.sh)")
		}
		tb.Skip("STANDBY_DATABASE_URL not set; run make test")
	}
	return db.StandbyURL
}

// Main is called from a package's TestMain. It prepares the database named after pkg, stores
// it in *db (nil when there is no database and the tests are to skip), runs the tests and
// returns the exit code.
func Main(m *testing.M, pkg string, db **DB) int {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "layerstest: DATABASE_URL is not set under CI; database tests must run (use make test)")
			return 1
		}
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	d, err := open(ctx, url, pkg)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "layerstest:", err)
		return 1
	}
	*db = d
	code := m.Run()
	d.Pool.Close()
	d.AppPool.Close()
	return code
}

// Require skips (or, under CI, fails) a test that needs the database when there is none.
func Require(tb testing.TB, db *DB) *DB {
	tb.Helper()
	if db == nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("no test database under CI")
		}
		tb.Skip("DATABASE_URL not set; run make test")
	}
	return db
}

var safeName = regexp.MustCompile(`[^a-z0-9_]`)

func open(ctx context.Context, url, pkg string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	base := cfg.Database
	tmpl := base + "_tmpl"
	name := base + "_" + safeName.ReplaceAllString(pkg, "_")

	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", base, err)
	}
	defer admin.Close(context.Background())

	// One builder at a time: test binaries of several packages start together.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext('lagesbild-test-template'))"); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	defer admin.Exec(context.Background(), "SELECT pg_advisory_unlock(hashtext('lagesbild-test-template'))") //nolint:errcheck

	want, err := fingerprint()
	if err != nil {
		return nil, err
	}
	var have *string
	err = admin.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, tmpl).Scan(&have)
	if err != nil && err != pgx.ErrNoRows {
		return nil, fmt.Errorf("template: %w", err)
	}
	if have == nil || *have != want {
		if err := buildTemplate(ctx, admin, cfg, tmpl, want); err != nil {
			return nil, err
		}
	}
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return nil, fmt.Errorf("drop %s: %w", name, err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{tmpl}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	u, err := neturl.Parse(url)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("DATABASE_URL must be a URL (postgres://...): %v", err)
	}
	u.Path = "/" + name
	poolCfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	poolCfg.ConnConfig.Database = name
	layers.ConfigurePool(poolCfg)
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", name, err)
	}
	appURL, err := layers.ServerURL(u.String())
	if err != nil {
		pool.Close()
		return nil, err
	}
	appCfg, err := pgxpool.ParseConfig(appURL)
	if err != nil {
		pool.Close()
		return nil, err
	}
	layers.ConfigurePool(appCfg)
	app, err := pgxpool.NewWithConfig(ctx, appCfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect %s as %s: %w", name, layers.ServerRole, err)
	}
	standby := ""
	if su, err := neturl.Parse(os.Getenv("STANDBY_DATABASE_URL")); err == nil && su.Scheme != "" {
		su.Path = "/" + name
		standby = su.String()
	}
	return &DB{URL: u.String(), Pool: pool, AppPool: app, AppURL: appURL, StandbyURL: standby}, nil
}

func buildTemplate(ctx context.Context, admin *pgx.Conn, cfg *pgx.ConnConfig, tmpl, fp string) error {
	q := pgx.Identifier{tmpl}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+q+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop template: %w", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+q); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	tcfg := cfg.Copy()
	tcfg.Database = tmpl
	conn, err := pgx.ConnectConfig(ctx, tcfg)
	if err != nil {
		return fmt.Errorf("connect template: %w", err)
	}
	if _, err := layers.Migrate(ctx, conn); err != nil {
		conn.Close(ctx)
		return err
	}
	conn.Close(ctx)

	pcfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return err
	}
	pcfg.ConnConfig = tcfg
	pcfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("connect template: %w", err)
	}
	ds, err := data.Generate(data.DefaultSeed)
	if err != nil {
		pool.Close()
		return err
	}
	if _, err := layers.NewStore(pool).LoadDemo(ctx, ds); err != nil {
		pool.Close()
		return err
	}
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		pool.Close()
		return err
	}
	pool.Close()
	if _, err := admin.Exec(ctx, "COMMENT ON DATABASE "+q+" IS "+quoteLiteral(fp)); err != nil {
		return fmt.Errorf("mark template: %w", err)
	}
	return nil
}

// fingerprint identifies the template's contents: the migration files and the demo data.
func fingerprint() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	ds, err := data.Generate(data.DefaultSeed)
	if err != nil {
		return "", err
	}
	if err := json.NewEncoder(h).Encode(ds); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// quoteLiteral quotes a hex fingerprint for COMMENT, which takes no parameters.
func quoteLiteral(s string) string {
	if !regexp.MustCompile(`^[0-9a-f]+$`).MatchString(s) {
		panic("layerstest: fingerprint is not hex")
	}
	return "'" + s + "'"
}
