// Command lagesbild is the Lägesbild server and its operator tools.
//
//	lagesbild serve [--addr 127.0.0.1:8080]   serve the API
//	lagesbild migrate                          apply database migrations
//	lagesbild demo load [--seed N]             load the illustrative Västerås demo data (idempotent)
//	lagesbild import observations FILE         import observations from GeoJSON or CSV (all or nothing)
//	lagesbild import indicators FILE           import indicator values (JSON-stat 2.0 or CSV)
//	lagesbild import areas --level deso FILE   import DeSO/RegSO boundaries from a GeoPackage (EPSG:3006)
//	lagesbild import vulnerable-areas --year Y FILE  the police's vulnerable areas (GeoJSON or zipped Shapefile)
//	lagesbild import layer --layer ID FILE     any layer declared over a table of its own
//	lagesbild org|user|token …                 organisations, accounts and API tokens (admin.go)
//	lagesbild retention [--years 5]            drop observations of years past the period (retention.go)
//	lagesbild version
//
// Every command reads DATABASE_URL, the schema owner's connection; serve connects as the
// login role layers.ServerRole instead (LAGESBILD_SERVER_DATABASE_URL, or derived from
// DATABASE_URL) and refuses a stronger role. main only calls run; run is the only place that decides
// the exit status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lagesbild/lagesbild/data"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lagesbild:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage: lagesbild <command> [flags]

commands:
  serve       serve the API (--addr, default 127.0.0.1:8080)
  migrate     apply database migrations
  demo load   load the illustrative Västerås demo data (idempotent)
  import observations FILE
              import observations from GeoJSON or CSV, the whole file or nothing
  import      import real data (lagesbild import indicators FILE; see lagesbild import)
  import areas --level deso|regso FILE.gpkg
              import DeSO/RegSO boundaries from a GeoPackage (EPSG:3006), all or nothing
  import vulnerable-areas --year YYYY FILE
              import the police's vulnerable areas for one year (GeoJSON or zipped Shapefile)
  import layer --layer ID [--replace] FILE
              import a layer declared over a table of its own, mapped by its declaration
  org, user, token
              organisations, accounts and API tokens (lagesbild user for usage)
  partner upload --org ORG --id ID [--title T] [--share a,b] FILE
              load a partner layer (GeoJSON, CSV, GeoPackage, zipped Shapefile) as ORG
  partner list
              list every partner layer
  retention [--years 5] [--dry-run]
              drop the observations of whole years past the period, as partitions (run daily)
  version     print the version

Every command reads DATABASE_URL (e.g. postgres://user@127.0.0.1:55432/lagesbild), the schema owner's
connection; serve alone connects as the login role lagesbild_server instead: LAGESBILD_SERVER_DATABASE_URL
(--server-database-url), or by default DATABASE_URL's database with that user and no password.`

// helpText answers a request for help (-h, --help): the command stops there and run prints
// the text on standard output and succeeds. It travels as an error so that a command's flag
// parsing can stop where it is.
type helpText struct{ text string }

func (h helpText) Error() string { return h.text }

// isHelp says whether a is a request for help.
func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" || a == "help" }

// parseFlags parses args into fs; a request for help is answered with usage and fs's flags,
// a bad flag with a usageError that shows usage.
func parseFlags(fs *flag.FlagSet, args []string, usage string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return helpText{usage + flagList(fs)}
	case err != nil:
		return usageError{err.Error() + "\n\n" + usage}
	}
	return nil
}

// flagList describes fs's flags (only those named, if any are) as --name VALUE, its usage
// and its default; "" when there are none.
func flagList(fs *flag.FlagSet, only ...string) string {
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		if len(only) > 0 && !slices.Contains(only, f.Name) {
			return
		}
		kind, text := flag.UnquoteUsage(f)
		b.WriteString("\n  --" + f.Name)
		if kind != "" {
			b.WriteString(" " + kind)
		}
		if text != "" {
			b.WriteString("\n        " + text)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
	})
	if b.Len() == 0 {
		return ""
	}
	return "\n\nflags:" + b.String()
}

// run executes one command. getenv and the writers are parameters so tests can drive it. A
// request for help anywhere prints that command's usage and flags and succeeds.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdout, stderr)
	var h helpText
	if errors.As(err, &h) {
		fmt.Fprintln(stdout, h.text)
		return nil
	}
	return err
}

// commandPaths are every command and subcommand, in the order usage lists them; each answers
// --help (TestHelpEverywhere walks them).
func commandPaths() [][]string {
	return [][]string{
		{"serve"}, {"migrate"}, {"demo"}, {"demo", "load"},
		{"import"}, {"import", "observations"}, {"import", "indicators"}, {"import", "areas"}, {"import", "vulnerable-areas"}, {"import", "layer"},
		{"org"}, {"org", "add"}, {"org", "list"},
		{"user"}, {"user", "add"}, {"user", "disable"}, {"user", "enable"}, {"user", "list"},
		{"token"}, {"token", "create"}, {"token", "revoke"}, {"token", "list"},
		{"partner"}, {"partner", "upload"}, {"partner", "list"}, {"retention"},
		{"version"}, {"help"},
	}
}

const demoUsage = `usage: lagesbild demo load [--seed N]

Loads the illustrative Västerås demo data and the demo organisations and accounts. Idempotent: a
reload keeps every row's id and what users changed through the API (README, "Loading real data").`

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{usage}
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, log)
	case "migrate":
		return migrateCmd(ctx, args[1:], getenv, stdout)
	case "demo":
		switch {
		case len(args) > 1 && isHelp(args[1]):
			return helpText{demoUsage}
		case len(args) < 2 || args[1] != "load":
			return usageError{demoUsage}
		}
		return demoLoad(ctx, args[2:], getenv, stdout)
	case "import":
		if len(args) > 1 && args[1] == "observations" {
			return importObservationsCmd(ctx, args[2:], getenv, stdout, stderr)
		}
		return importCmd(ctx, args[1:], getenv, stdout)
	case "org", "user", "token":
		return adminCmd(ctx, args, getenv, os.Stdin, stdout)
	case "partner":
		return partnerCmd(ctx, args[1:], getenv, stdout)
	case "retention":
		return retentionCmd(ctx, args[1:], getenv, stdout, time.Now())
	case "version":
		if len(args) > 1 && isHelp(args[1]) {
			return helpText{"usage: lagesbild version   (prints the version)"}
		}
		fmt.Fprintln(stdout, version)
		return nil
	case "help", "-h", "--help":
		return helpText{usage}
	}
	return usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage)}
}

func databaseURL(getenv func(string) string) (string, error) {
	url := getenv("DATABASE_URL")
	if url == "" {
		return "", usageError{"DATABASE_URL is not set (run `make db` to bring up the local database and print it)"}
	}
	return url, nil
}

// openPool connects with the session settings of layers.ConfigurePool, as the role url
// names: the owner for the operator's commands (imports, demo load, accounts), which
// row-level security does not restrict; layers.ServerRole for serve. configure, if given,
// adjusts the configuration last (the server's statement timeouts).
func openPool(ctx context.Context, url string, maxConns int32, configure ...func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, usageError{fmt.Sprintf("database URL: %v", err)}
	}
	layers.ConfigurePool(cfg)
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	for _, f := range configure {
		f(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	return pool, nil
}

// operatorStore connects for an operator's command (imports, accounts, partner layers) as
// the connecting role, which row-level security does not restrict, and returns the Store
// and the function that closes its pool.
func operatorStore(ctx context.Context, url string) (*layers.Store, func(), error) {
	pool, err := openPool(ctx, url, 2)
	if err != nil {
		return nil, nil, err
	}
	return layers.NewStore(pool), pool.Close, nil
}

const serveUsage = `usage: lagesbild serve [flags]

Serves the API and the map page. Connects as the login role lagesbild_server: LAGESBILD_SERVER_DATABASE_URL
(--server-database-url), or DATABASE_URL's database as that role.`

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	baseURL := fs.String("base-url", getenv("LAGESBILD_BASE_URL"), "absolute base URL for links (default: from the request)")
	cors := fs.String("cors-origins", getenv("LAGESBILD_CORS_ORIGINS"), "comma-separated origins allowed by CORS (default: none)")
	maxConns := fs.Int("db-max-conns", 32, "maximum database connections")
	serverURL := fs.String("server-database-url", getenv("LAGESBILD_SERVER_DATABASE_URL"),
		"connection URL as the server role "+layers.ServerRole+" (default: DATABASE_URL's database as "+layers.ServerRole+", no password: .pgpass or trust)")
	basemap := fs.String("basemap-style", getenv("LAGESBILD_BASEMAP_STYLE"), "MapLibre style URL of a basemap for the map page (default: none; the page works offline)")
	tileCacheMB := fs.Int("tile-cache-mb", 64, "memory bound of the in-process vector tile cache in MiB (0: no cache)")
	analysisCacheMB := fs.Int("analysis-cache-mb", web.DefaultAnalysisCacheBytes>>20, "memory bound of the memo of analyses behind hotspot tiles in MiB (0: no memo)")
	minCell := fs.Int("min-cell-count", web.DefaultMinCellCount, "aggregated observation counts below this are suppressed for callers who may not see points")
	uploadMB := fs.Int("upload-max-mb", web.DefaultUploadMaxBytes>>20, "largest partner layer upload in MiB (413 beyond)")
	uploadFeatures := fs.Int("upload-max-features", web.DefaultUploadMaxFeatures, "most features in a partner layer upload (413 beyond)")
	replicaURLs := &urlsFlag{}
	fs.Var(replicaURLs, "read-database-url", "connection URL of a streaming standby, as the server role, for reads that may lag slightly "+
		"(repeatable; default $LAGESBILD_READ_DATABASE_URLS, space-separated): used only while it has replayed every change the read must see")
	replicaLag := fs.Duration("replica-max-lag", 30*time.Second, "a standby that has replayed less than the primary had written this long ago is out of use until it catches up")
	authConfig := authFlags(fs, getenv)
	limitsOf := limitFlags(fs)
	operation := operateFlags(fs, getenv)
	if err := parseFlags(fs, args, serveUsage); err != nil {
		return err
	}
	if *minCell < 1 {
		return usageError{"--min-cell-count must be at least 1"}
	}
	limits, err := limitsOf()
	if err != nil {
		return err
	}
	trustedProxies, metricsAddr, err := operation()
	if err != nil {
		return err
	}
	if *uploadMB < 1 || *uploadFeatures < 1 {
		return usageError{"--upload-max-mb and --upload-max-features must be at least 1"}
	}
	auth, err := authConfig(ctx)
	if err != nil {
		return err
	}
	url := *serverURL
	if url == "" {
		owner, err := databaseURL(getenv)
		if err != nil {
			return usageError{"serve needs LAGESBILD_SERVER_DATABASE_URL (or DATABASE_URL, the owner's, to connect to its database as " + layers.ServerRole + ")"}
		}
		if url, err = layers.ServerURL(owner); err != nil {
			return usageError{err.Error()}
		}
	}
	pool, err := openPool(ctx, url, int32(*maxConns), func(c *pgxpool.Config) { layers.UseStatementTimeouts(c, limits.Statements) })
	if err != nil {
		return err
	}
	defer pool.Close()
	// A server facing the internet must not hold a role that can undo row-level security.
	if err := layers.CheckServerRole(ctx, pool); err != nil {
		return err
	}

	cat := layers.NewCatalogue()
	if err := cat.Validate(); err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	var origins []string
	for _, o := range strings.Split(*cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	if *tileCacheMB < 0 || *analysisCacheMB < 0 {
		return usageError{"--tile-cache-mb and --analysis-cache-mb must be 0 or more"}
	}
	analysisCache := int64(*analysisCacheMB) << 20
	if analysisCache == 0 {
		analysisCache = -1 // web.Config: 0 is the default, negative none
	}
	store := layers.NewStore(pool)
	if len(replicaURLs.urls) == 0 {
		replicaURLs.urls = strings.Fields(getenv("LAGESBILD_READ_DATABASE_URLS"))
	}
	replicas, err := openReplicas(ctx, replicaURLs.urls, int32(*maxConns), limits.Statements)
	if err != nil {
		return err
	}
	defer func() {
		for _, p := range replicas {
			p.Close()
		}
	}()
	store.UseReplicas(replicas, layers.ReplicaConfig{MaxLag: *replicaLag, Log: log})
	go func() { _ = store.WatchReplicas(ctx) }()
	tileCache := web.NewTileCache(int64(*tileCacheMB) << 20)
	// Cached tiles, extents and API tokens follow the database: every committed change,
	// whoever made it, is announced by a trigger (migrations 003, 022).
	changes := cacheTokens(&auth, store, web.ChangeHandler(cat, store, tileCache))
	go func() {
		if err := store.ListenChanges(ctx, changes); err != nil && ctx.Err() == nil {
			log.Error("listening for changes stopped", "error", err)
		}
	}()
	metrics := prometheus.NewRegistry()
	e := web.New(web.Config{BaseURL: *baseURL, CORSOrigins: origins, Version: version, TileCache: tileCache, BasemapStyle: *basemap, Auth: auth,
		MinCellCount: *minCell, AnalysisCacheBytes: analysisCache, RequestTimeout: limits.Request, AnalysisTimeout: limits.Analysis,
		MaxAnalyses: limits.MaxAnalyses, AnalysisQueueWait: limits.QueueWait, UploadMaxBytes: int64(*uploadMB) << 20, UploadMaxFeatures: *uploadFeatures,
		TrustedProxies: trustedProxies, Metrics: metrics}, store, cat, log)
	metrics.MustRegister(replicaCollectors(store)...)
	if metricsAddr != "" {
		stopMetrics, err := serveMetrics(ctx, metricsAddr, metrics, log)
		if err != nil {
			return err
		}
		defer func() { _ = stopMetrics(context.Background()) }()
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ln = limits.Conn.Listener(ln)
	srv := limits.Conn.HTTPServer(e)
	srv.BaseContext = func(net.Listener) context.Context { return ctx }
	log.Info("serving", "addr", ln.Addr().String(), "version", version, "max_connections", limits.Conn.MaxConnections)
	printBanner(stdout, ln.Addr().String(), *baseURL, auth.Demo)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Graceful shutdown: stop accepting, let requests in flight finish for up to 15 s.
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// printBanner tells whoever started the server where the map is and, in demo mode, which
// accounts sign in: the last thing `make run` prints.
func printBanner(w io.Writer, addr, baseURL string, demo bool) {
	base := strings.TrimSuffix(baseURL, "/")
	if base == "" {
		base = "http://" + addr
	}
	fmt.Fprintf(w, "\nLägesbild is running.\n  the map:  %s/karta/\n  the API:  %s/ (OpenAPI at %s/api)\n", base, base, base)
	if demo {
		names := map[string]string{}
		for _, o := range layers.DemoOrganisations {
			names[o.Code] = o.Name
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "\nDemo accounts (password %s; accepted because of --demo, never in production):\n", layers.DemoPassword)
		for _, u := range layers.DemoAccounts {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Username, u.Role, names[u.Organisation])
		}
		_ = tw.Flush()
	}
	fmt.Fprintln(w, "\nStop with Ctrl-C.")
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 {
		if isHelp(args[0]) {
			return helpText{"usage: lagesbild migrate   (applies the embedded migrations not yet applied; DATABASE_URL)"}
		}
		return usageError{"usage: lagesbild migrate"}
	}
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	n, err := layers.Migrate(ctx, conn)
	if err != nil {
		return err
	}
	switch n {
	case 0:
		fmt.Fprintln(stdout, "migrate: the schema is up to date")
	case 1:
		fmt.Fprintln(stdout, "migrate: 1 migration applied")
	default:
		fmt.Fprintf(stdout, "migrate: %d migrations applied\n", n)
	}
	return nil
}

func demoLoad(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo load", flag.ContinueOnError)
	seed := fs.Uint64("seed", data.DefaultSeed, "random seed of the generator")
	if err := parseFlags(fs, args, demoUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{demoUsage}
	}
	url, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	ds, err := data.Generate(*seed)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	pool, err := openPool(ctx, url, 4)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := layers.NewStore(pool)
	sum, err := store.LoadDemo(ctx, ds)
	if err != nil {
		return err
	}
	printDemoSummary(stdout, sum)
	accounts, err := store.LoadDemoIdentity(ctx, layers.DefaultArgon2())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo load: %d demo accounts (password %q), accepted only by serve --demo\n", accounts, layers.DemoPassword)
	fmt.Fprintln(stdout, data.Notice)
	return nil
}

// printDemoSummary says what the demo load put in place and what it changed, in words.
func printDemoSummary(w io.Writer, sum layers.DemoSummary) {
	fmt.Fprintf(w, "demo load: %d districts, %d places, %d observations, %d indicators (%d values), %d interventions, "+
		"%d vulnerable areas, %d partner features\n", sum.Districts, sum.Places, sum.Observations, sum.Indicators,
		sum.IndicatorValues, sum.Interventions, sum.VulnerableAreas, sum.PartnerFeatures)
	if sum.Written == 0 && sum.Removed == 0 {
		fmt.Fprint(w, "demo load: already in place, nothing written")
	} else {
		fmt.Fprintf(w, "demo load: %d rows written, %d removed", sum.Written, sum.Removed)
	}
	switch {
	case sum.Kept == 1:
		fmt.Fprint(w, "; 1 demo row changed by users kept as it is")
	case sum.Kept > 1:
		fmt.Fprintf(w, "; %d demo rows changed by users kept as they are", sum.Kept)
	}
	fmt.Fprintln(w, " (ids stay the same across loads)")
}

// printRepaired reports the feature numbers an import repaired with ST_MakeValid, if any
// (areas, vulnerable areas and partner layers report them alike).
func printRepaired(w io.Writer, features []int) {
	if len(features) == 0 {
		return
	}
	nums := make([]string, len(features))
	for i, n := range features {
		nums[i] = strconv.Itoa(n)
	}
	fmt.Fprintf(w, "repaired invalid geometries (ST_MakeValid) of features %s\n", strings.Join(nums, ", "))
}
