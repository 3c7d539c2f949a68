package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"
)

// boundsServer is an Echo instance with the server's error mapper and bounds middleware, and
// handler on GET /analysis/hotspots/places (an analysis route) and GET /collections (map work).
func boundsServer(t *testing.T, cfg Config, handler echo.HandlerFunc) *httptest.Server {
	t.Helper()
	s := &Server{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), gate: newAnalysisGate(cfg.MaxAnalyses, cfg.AnalysisQueueWait)}
	e := echo.New()
	e.HTTPErrorHandler = s.handleError
	e.Use(s.bound)
	e.GET("/analysis/hotspots/places", handler)
	e.GET("/collections", handler)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) *http.Response {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// TestAnalysisSlotsAnswer503WhenTaken: with one slot and a 100 ms queue, a second analysis
// while the first computes waits that long and is answered 503 with Retry-After; map work
// is not held up at all; once the slot is free an analysis runs again.
func TestAnalysisSlotsAnswer503WhenTaken(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	srv := boundsServer(t, Config{MaxAnalyses: 1, AnalysisQueueWait: 100 * time.Millisecond, RequestTimeout: 10 * time.Second, AnalysisTimeout: 10 * time.Second},
		func(c echo.Context) error {
			if c.Path() == "/analysis/hotspots/places" && c.QueryParam("hold") != "" {
				entered <- struct{}{}
				<-release
			}
			return c.NoContent(http.StatusNoContent)
		})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); get(t, srv.URL+"/analysis/hotspots/places?hold=1") }()
	<-entered

	start := time.Now()
	res := get(t, srv.URL+"/analysis/hotspots/places")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("second analysis: %d, Retry-After %q; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if took := time.Since(start); took < 100*time.Millisecond || took > 2*time.Second {
		t.Errorf("second analysis answered after %v, want after the 100 ms queue wait", took)
	}
	if res := get(t, srv.URL+"/collections"); res.StatusCode != http.StatusNoContent {
		t.Errorf("map work while the analysis slot is taken: %d", res.StatusCode)
	}
	close(release)
	wg.Wait()
	if res := get(t, srv.URL+"/analysis/hotspots/places"); res.StatusCode != http.StatusNoContent {
		t.Errorf("analysis after the slot is free: %d", res.StatusCode)
	}
}

// TestPastTheDeadlineIs503: a request that outlives its deadline, or whose statement runs
// past its statement_timeout, is answered 503 with Retry-After, not 500: the server declines
// to spend more on it, nothing is broken (bounds.go says why not 504).
func TestPastTheDeadlineIs503(t *testing.T) {
	srv := boundsServer(t, Config{RequestTimeout: 50 * time.Millisecond, AnalysisTimeout: 10 * time.Second},
		func(c echo.Context) error {
			if c.QueryParam("statement") != "" {
				return fmt.Errorf("items: %w", &pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"})
			}
			ctx := c.Request().Context()
			if _, ok := ctx.Deadline(); !ok {
				return fmt.Errorf("no deadline")
			}
			<-ctx.Done() // as a query would: pgx returns the context's error
			return fmt.Errorf("items: %w", ctx.Err())
		})
	for _, path := range []string{"/collections", "/collections?statement=1"} {
		start := time.Now()
		res := get(t, srv.URL+path)
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Errorf("%s: %d, Retry-After %q; want 503 with Retry-After", path, res.StatusCode, res.Header.Get("Retry-After"))
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: answered after %v", path, took)
		}
	}
}

// TestAnalysisDeadlineIsLonger: an analysis route gets the analysis deadline, map work the
// request deadline.
func TestAnalysisDeadlineIsLonger(t *testing.T) {
	got := map[string]time.Duration{}
	var mu sync.Mutex
	srv := boundsServer(t, Config{RequestTimeout: 5 * time.Second, AnalysisTimeout: 50 * time.Second},
		func(c echo.Context) error {
			d, _ := c.Request().Context().Deadline()
			mu.Lock()
			got[c.Path()] = time.Until(d)
			mu.Unlock()
			return c.NoContent(http.StatusNoContent)
		})
	get(t, srv.URL+"/collections")
	get(t, srv.URL+"/analysis/hotspots/places")
	if d := got["/collections"]; d <= 0 || d > 5*time.Second {
		t.Errorf("map deadline in %v, want within 5 s", d)
	}
	if d := got["/analysis/hotspots/places"]; d <= 5*time.Second || d > 50*time.Second {
		t.Errorf("analysis deadline in %v, want within 50 s and past 5 s", d)
	}
}
