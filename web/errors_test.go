package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// TestRowLevelSecurityRefusalIs403: a municipality editor may write interventions, but not
// one of class restricted, which it may not read. The Go checks let the write through and
// PostgreSQL's policy refuses it (SQLSTATE 42501): the answer is a 403 problem, not a 500,
// and names no table or policy.
func TestRowLevelSecurityRefusalIs403(t *testing.T) {
	a := newAPI(t)
	header := http.Header{"Authorization": {"Bearer " + callerToken(t, testDB, "err-municipality", "municipality", "editor")}}
	body := newIntervention(`{"type":"Point","coordinates":[16.4627,59.6278]}`, map[string]any{"data_class": "restricted"})
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM interventions WHERE title = 'Nattvandring Bäckby torg' AND data_class = 'restricted'`)
	})
	_, got := a.write("POST", "/collections/interventions/items", header, body, http.StatusForbidden)
	var p web.Problem
	if err := json.Unmarshal(got, &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != 403 || strings.Contains(p.Detail, "policy \"") || strings.Contains(p.Detail, "interventions") {
		t.Errorf("problem %+v: want 403 without PostgreSQL's text", p)
	}
}

// TestDatabaseOutageIs503: with nothing listening where the database should be, reads and
// authentication answer 503 with Retry-After, not 500, and say nothing of the cause.
func TestDatabaseOutageIs503(t *testing.T) {
	db := layerstest.Require(t, testDB)
	pool, err := pgxpool.New(context.Background(), "postgres://lagesbild@127.0.0.1:1/gone?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	var logs bytes.Buffer
	srv := testServerOn(t, db, web.Config{}, layers.NewStore(pool), layers.NewCatalogue(), slog.New(slog.NewTextHandler(&logs, nil)))
	for _, tc := range []struct{ name, path string }{
		{"token look-up", "/collections/districts/items"},
		{"anonymous read", "/collections/districts/items"},
		{"readiness", "/readyz"},
	} {
		req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
		if tc.name != "token look-up" {
			req.Header.Set(anonymousHeader, "1")
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" ||
			res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d, Retry-After %q, %s; want 503 problem with Retry-After", tc.name, res.StatusCode,
				res.Header.Get("Retry-After"), res.Header.Get("Content-Type"))
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("an outage is logged as an error of the server:\n%s", logs.String())
	}
}

// TestClientGoneIs499: a request whose client has gone (its context cancelled) is recorded as
// 499 and logged as an ordinary request, not as a failure of the server.
func TestClientGoneIs499(t *testing.T) {
	db := layerstest.Require(t, testDB)
	var logs bytes.Buffer
	h := web.New(web.Config{}, layers.NewStore(db.AppPool), layers.NewCatalogue(), slog.New(slog.NewTextHandler(&logs, nil)))
	token := callerToken(t, db, testOrg, "police", "admin")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, path := range []string{"/collections/observations/items?limit=1000", "/collections/districts/items"} {
		for _, auth := range []string{"", "Bearer " + token} {
			if auth == "" && strings.Contains(path, "observations") {
				continue // 401 before any query: observations are not for anonymous callers
			}
			req := httptest.NewRequestWithContext(ctx, "GET", path, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 499 {
				t.Errorf("GET %s (token %v): %d, want 499", path, auth != "", rec.Code)
			}
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "status=499") {
		t.Errorf("logs:\n%s\nwant 499 lines and no error", logs.String())
	}
}

// TestRequestLogBounded: the request log holds at most about 512 bytes of a query string
// (a 100 KB one is cut, with a marker) and never a secret sent in one — a password or token
// posted as query parameters by mistake, an API token or a JWT under any name.
func TestRequestLogBounded(t *testing.T) {
	db := layerstest.Require(t, testDB)
	var logs bytes.Buffer
	srv := testServerOn(t, db, web.Config{}, layers.NewStore(db.AppPool), layers.NewCatalogue(), slog.New(slog.NewJSONHandler(&logs, nil)))
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for _, tc := range []struct{ method, path string }{
		{"GET", "/collections/districts/items?bbox=" + strings.Repeat("1,", 50_000) + "1"},
		{"POST", "/auth/login?username=anna&password=hunter2-secret&csrf_token=csrf-secret"},
		{"GET", "/collections/districts/items?Access_Token=lgb_0123456789secret&x=" + jwt + "&token=tok-secret"},
		{"GET", "/collections/districts/items?limit=5&note=lgb_abcdefsecret"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	requests := 0
	for _, line := range lines {
		var rec struct {
			Msg, Query string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %.200q: %v", line, err)
		}
		if rec.Msg != "request" {
			continue
		}
		requests++
		if len(line) > 2048 {
			t.Errorf("a request line of %d bytes: %.300s…", len(line), line)
		}
		if len(rec.Query) > 600 {
			t.Errorf("query logged with %d bytes", len(rec.Query))
		}
		if strings.HasPrefix(rec.Query, "bbox=") && !strings.Contains(rec.Query, "truncated") {
			t.Errorf("cut query without a marker: %.100q…", rec.Query)
		}
		for _, secret := range []string{"hunter2", "csrf-secret", "0123456789secret", jwt, "tok-secret", "abcdefsecret"} {
			if strings.Contains(line, secret) {
				t.Errorf("the log holds a secret: %s", line)
			}
		}
	}
	if requests != 4 {
		t.Errorf("%d request lines, want 4:\n%s", requests, logs.String())
	}
}

// TestMetricsApartFromTheAPI: the API does not serve /metrics (the figures describe the load
// and the data, for operators only); the registry given in Config.Metrics holds them, for
// lagesbild serve --metrics-addr to serve on its own address.
func TestMetricsApartFromTheAPI(t *testing.T) {
	db := layerstest.Require(t, testDB)
	reg := prometheus.NewRegistry()
	srv := testServerOn(t, db, web.Config{Metrics: reg}, layers.NewStore(db.AppPool), layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, path := range []string{"/collections/districts/items?limit=1", "/metrics"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set(anonymousHeader, "1")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := map[bool]int{true: 404, false: 200}[path == "/metrics"]; res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`lagesbild_http_request_duration_seconds_bucket{method="GET",route="/collections/:collectionId/items",status="2xx"`,
		"lagesbild_db_pool_connections",
		"lagesbild_tile_cache_bytes",
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestClientAddressFromTrustedProxiesOnly: the address in the request log is the
// connection's unless it comes from a trusted proxy, and then the rightmost address of
// X-Forwarded-For that is not a trusted proxy — never an address the client chose.
func TestClientAddressFromTrustedProxiesOnly(t *testing.T) {
	db := layerstest.Require(t, testDB)
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		xff     string
		want    string
	}{
		{"no proxy configured", nil, "192.0.2.1", "127.0.0.1"},
		{"a private peer is not trusted by default", []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")}, "192.0.2.1", "127.0.0.1"},
		{"trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "192.0.2.1", "192.0.2.1"},
		{"a forged hop left of the client", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, "203.0.113.66, 192.0.2.1", "192.0.2.1"},
		{"a chain of trusted proxies", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.1.0.0/16")}, "203.0.113.66, 192.0.2.1, 10.1.2.3", "192.0.2.1"},
		{"an untrusted hop is the client", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, "192.0.2.1, 10.1.2.3", "10.1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			srv := testServerOn(t, db, web.Config{TrustedProxies: tc.trusted}, layers.NewStore(db.AppPool), layers.NewCatalogue(), slog.New(slog.NewJSONHandler(&logs, nil)))
			req, _ := http.NewRequest("GET", srv.URL+"/healthz", nil)
			req.Header.Set("X-Forwarded-For", tc.xff)
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var rec struct{ Remote string }
			if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
				t.Fatalf("%v: %s", err, logs.String())
			}
			if rec.Remote != tc.want {
				t.Errorf("remote %q, want %q", rec.Remote, tc.want)
			}
		})
	}
}
