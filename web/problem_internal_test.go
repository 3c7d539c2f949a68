package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/allocate"
	"github.com/lagesbild/lagesbild/geo/composite"
	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/geo/forecast"
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/kde"
	"github.com/lagesbild/lagesbild/geo/priority"
	"github.com/lagesbild/lagesbild/geo/rank"
	"github.com/lagesbild/lagesbild/geo/trend"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// answer runs err through handleError for GET /x (with ctx as the request's context) and
// returns the recorded answer, its problem and what was logged at debug level and above.
func answer(t *testing.T, ctx context.Context, err error) (*httptest.ResponseRecorder, Problem, string) {
	t.Helper()
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequestWithContext(ctx, http.MethodGet, "/x", nil), rec)
	c.Set(clientContextKey, ctx) // as observe does
	s.handleError(err, c)
	var p Problem
	if jerr := json.Unmarshal(rec.Body.Bytes(), &p); jerr != nil {
		t.Fatalf("%v: body %q is not a problem: %v", err, rec.Body, jerr)
	}
	return rec, p, logs.String()
}

// deep wraps err three times with %w, as an error travels up from layers to a handler.
func deep(err error) error {
	return fmt.Errorf("handler: %w", fmt.Errorf("store op %d: %w", 7, fmt.Errorf("query: %w", err)))
}

// realConnectError is what the pool gives when nothing listens at the database's address.
func realConnectError(t *testing.T) error {
	t.Helper()
	_, err := pgconn.Connect(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
	if err == nil {
		t.Fatal("connected to port 1")
	}
	return err
}

// realClosedPoolError is what a query on a closed pool gives.
func realClosedPoolError(t *testing.T) error {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none")
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()
	_, err = pool.Acquire(context.Background())
	if err == nil {
		t.Fatal("acquired from a closed pool")
	}
	return err
}

// TestErrorKinds walks every kind of error, wrapped at depth, through handleError: status,
// problem+json, Retry-After where due, the detail shown only for 4xx and never PostgreSQL's
// own text, and what is logged.
func TestErrorKinds(t *testing.T) {
	const secret = "SECRET-internal-text"
	pg := func(code string) error {
		return &pgconn.PgError{Severity: "ERROR", Code: code, Message: secret + ` for table "interventions"`}
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name       string
		ctx        context.Context
		err        error
		status     int
		detail     string // a substring the detail must hold; "" with status >= 500: none
		retryAfter bool
		logLevel   string // "" means nothing logged
	}{
		{"invalid", nil, deep(layers.Invalid("bbox", "four numbers")), 400, "invalid bbox: four numbers", false, ""},
		// The invalid input of a geo package names its field; no local mapper turns it into a 400.
		{"invalid in geo", nil, deep(input.Invalid("bbox", "too few cells")), 400, "invalid bbox: too few cells", false, ""},
		{"not found", nil, deep(fmt.Errorf("feature 9: %w", layers.ErrNotFound)), 404, "feature 9", false, ""},
		{"forbidden", nil, deep(fmt.Errorf("only the lead organisation: %w", layers.ErrForbidden)), 403, "only the lead organisation", false, ""},
		{"row-level security", nil, deep(pg("42501")), 403, "access policy", false, "WARN"},
		{"conflict", nil, deep(fmt.Errorf("scenario x exists: %w", layers.ErrConflict)), 409, "scenario x exists", false, ""},
		{"version mismatch", nil, deep(fmt.Errorf("version 3: %w", layers.ErrVersionMismatch)), 412, "version 3", false, ""},
		{"unavailable", nil, deep(fmt.Errorf("%s: %w", secret, layers.ErrUnavailable)), 503, "", true, "WARN"},
		{"admin shutdown 57P01", nil, deep(pg("57P01")), 503, "", true, "WARN"},
		{"cannot connect now 57P03", nil, deep(pg("57P03")), 503, "", true, "WARN"},
		{"connection failure 08006", nil, deep(pg("08006")), 503, "", true, "WARN"},
		{"too many connections 53300", nil, deep(pg("53300")), 503, "", true, "WARN"},
		{"statement timeout 57014", nil, deep(pg("57014")), 503, "", true, "WARN"},
		{"connection refused", nil, deep(realConnectError(t)), 503, "", true, "WARN"},
		{"closed pool", nil, deep(realClosedPoolError(t)), 503, "", true, "WARN"},
		{"deadline", nil, deep(context.DeadlineExceeded), 503, "", true, "WARN"},
		{"client gone", nil, deep(context.Canceled), 499, "", false, ""},
		// A query cancelled because the client left can come back as PostgreSQL's 57014.
		{"client gone, query cancelled", gone, deep(pg("57014")), 499, "", false, ""},
		{"client gone, other error", gone, deep(errors.New(secret)), 499, "", false, ""},
		{"handler's 4xx", nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "body over 16 KiB"), 413, "body over 16 KiB", false, ""},
		{"handler's 5xx", nil, echo.NewHTTPError(http.StatusServiceUnavailable, secret), 503, "", false, "ERROR"},
		{"other database error", nil, deep(pg("22P02")), 500, "", false, "ERROR"},
		{"bug", nil, deep(errors.New(secret)), 500, "", false, "ERROR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			rec, p, logs := answer(t, ctx, tc.err)
			if rec.Code != tc.status || p.Status != tc.status {
				t.Errorf("status %d (problem %d), want %d", rec.Code, p.Status, tc.status)
			}
			if got := rec.Header().Get(echo.HeaderContentType); got != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", got)
			}
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("the answer shows the internal text: %s", rec.Body)
			}
			if tc.detail != "" && !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("detail %q, want it to hold %q", p.Detail, tc.detail)
			}
			if tc.status == 400 && p.Param != "bbox" {
				t.Errorf("param %q, want bbox", p.Param)
			}
			if got := rec.Header().Get("Retry-After"); (got != "") != tc.retryAfter {
				t.Errorf("Retry-After %q, want one: %v", got, tc.retryAfter)
			}
			switch {
			case tc.logLevel == "" && logs != "":
				t.Errorf("logged %q, want nothing", logs)
			case tc.logLevel != "" && !strings.Contains(logs, "level="+tc.logLevel):
				t.Errorf("logged %q, want a %s line", logs, tc.logLevel)
			case tc.logLevel != "" && tc.status >= 500 && !strings.Contains(logs, secret) && strings.Contains(tc.err.Error(), secret):
				t.Errorf("logged %q without the error", logs)
			}
		})
	}
}

// TestClientGoneIsTheConnectionsContext: a middleware's own context, cancelled when it
// returns (a deadline's), does not make the answer a 499 while the client is still there.
func TestClientGoneIsTheConnectionsContext(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	inner, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name   string
		client context.Context
		want   int
	}{
		{"client there", context.Background(), 400},
		{"client gone", inner, statusClientClosed},
	} {
		rec := httptest.NewRecorder()
		c := echo.New().NewContext(httptest.NewRequestWithContext(inner, http.MethodGet, "/x", nil), rec)
		c.Set(clientContextKey, tc.client)
		s.handleError(layers.Invalid("bbox", "four numbers"), c)
		if rec.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, rec.Code, tc.want)
		}
	}
}

// TestGeoInvalidNamesTheField: every geo package's refusal of its input is one type,
// *input.Error, which the one mapper answers with 400 naming the field, however deep it is
// wrapped; no handler maps it (the local mappers compositeError and analysisError are gone,
// and forecast's errors are no longer renamed "backtest"). A package that passes another's
// refusal on names it by its own caller's field (allocate's targets.side for hotspot's area).
func TestGeoInvalidNamesTheField(t *testing.T) {
	second := func(_ any, err error) error { return err }
	_, _, tauErr := rank.KendallTau([]int{1}, []int{1, 2})
	_, _, methodErr := priority.ParseMethod("median", "arithmetic")
	oneCell := &hotspot.Cells{Side: 100, I: []int{0}, J: []int{0}}
	for _, c := range []struct {
		name   string
		err    error
		param  string
		detail string
	}{
		{"geo/input", input.Invalid("include", "unknown area %q", "X"), "include", `invalid include: unknown area "X"`},
		{"geo/priority", methodErr, "normalisation", `invalid normalisation: "median" is not one of zscore, minmax, rank, raw`},
		{"geo/composite", second(composite.ParseAggregation("median")), "aggregation", `invalid aggregation: "median" is not one of arithmetic, geometric`},
		{"geo/trend", second(trend.MannKendall([]float64{1, 2})), "values", "invalid values: Mann–Kendall needs at least 3, got 2"},
		{"geo/kde", second(kde.At(orb.Point{}, nil, nil, -1)), "bandwidth", "invalid bandwidth: -1 must be positive"},
		{"geo/rank", tauErr, "rankings", "invalid rankings: 1 and 2 items"},
		{"geo/did", second(did.Select([]float64{1, 2}, nil, 0)), "k", "invalid k: 0 is below 1"},
		{"geo/forecast", second(forecast.NewHexGrid(0, [][2]int{{0, 0}})), "side", "invalid side: 0 must be positive"},
		{"geo/hotspot", second(hotspot.HotSpots(hotspot.Input{Cells: oneCell, Band: 300})), "area", "invalid area: Gi* needs at least 2 cells, got 1"},
		{"geo/allocate", second(allocate.Solve(&allocate.Problem{})), "weeks", "invalid weeks: 0 is not between 1 and 52"},
		{"geo/allocate from geo/hotspot", second(allocate.HotCells{Cells: oneCell, Weeks: 1}.Select(5)), "targets.side", "invalid targets.side: Gi* needs at least 2 cells, got 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, p, logged := answer(t, context.Background(), deep(c.err))
			if rec.Code != http.StatusBadRequest || p.Param != c.param || p.Detail != c.detail || logged != "" {
				t.Errorf("%d, param %q, detail %q, logged %q; want 400 naming %s: %q, nothing logged", rec.Code, p.Param, p.Detail, logged, c.param, c.detail)
			}
		})
	}
}

// TestKindsNeedNoLocalMapper: the errors the store and the file reader return, as a handler
// passes them on with no more than a wrap of its own, are answered by their kind; a handler
// that forgets to translate them cannot turn a 409, 412, 403 or 413 into a 500 (the local
// mappers writeError, partnerError and fileError, which did the translating, are gone).
func TestKindsNeedNoLocalMapper(t *testing.T) {
	for _, c := range []struct {
		name   string
		err    error
		status int
		param  string
		detail string
	}{
		{"conflict", fmt.Errorf("%w: partner layer id %q is taken; choose another", layers.ErrConflict, "x"), 409, "", `partner layer id "x" is taken`},
		{"version mismatch", fmt.Errorf("intervention 4 is at version 3: %w", layers.ErrVersionMismatch), 412, "", "intervention 4 is at version 3"},
		{"not the owner", fmt.Errorf("delete partner layer %q (owner %s): %w", "x", "bostad", layers.ErrNotOwner), 403, "", "only the owning organisation's editors and admins change a partner layer"},
		{"forbidden", fmt.Errorf("%w: intervention %d belongs to %s", layers.ErrForbidden, 4, "polisen"), 403, "", "intervention 4 belongs to polisen"},
		{"file over a limit", &featurefile.Error{Feature: 3, Msg: "3 features, more than the limit of 2", TooLarge: true}, 413, "", "feature 3: 3 features, more than the limit of 2"},
		{"feature refused", &featurefile.Error{Feature: 2, Field: "name", Msg: "not text"}, 400, "feature", "invalid feature: feature 2: name: not text"},
		{"file refused", &featurefile.Error{Msg: "not GeoJSON"}, 400, "body", "invalid body: file: not GeoJSON"},
		{"geo refusal", input.Invalid("band", "%v is not positive", -1.0), 400, "band", "invalid band: -1 is not positive"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, p, logged := answer(t, context.Background(), deep(c.err))
			if rec.Code != c.status || p.Param != c.param || !strings.Contains(p.Detail, c.detail) || logged != "" {
				t.Errorf("%d, param %q, detail %q, logged %q; want %d naming %q with %q, nothing logged",
					rec.Code, p.Param, p.Detail, logged, c.status, c.param, c.detail)
			}
		})
	}
}

// TestNoLocalErrorMappers: no function in web's packages translates an error into another
// (func(err error) error): errors carry their kind to the one mapper, handleError.
func TestNoLocalErrorMappers(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			in, out := fn.Type.Params.List, fn.Type.Results
			if len(in) == 1 && len(in[0].Names) <= 1 && isErrorType(in[0].Type) && out != nil && len(out.List) == 1 && isErrorType(out.List[0].Type) {
				t.Errorf("%s: %s(error) error translates errors; give the error a kind for handleError instead", fset.Position(fn.Pos()), fn.Name.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func isErrorType(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "error"
}
