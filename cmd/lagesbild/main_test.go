package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers/layerstest"
)

var testDB *layerstest.DB

func TestMain(m *testing.M) {
	if args := os.Getenv(childServeEnv); args != "" { // a serve process of TestScaleOutBehindNginx
		os.Exit(childServe(args))
	}
	os.Exit(layerstest.Main(m, "cmd", &testDB))
}

func env(url string) func(string) string {
	return func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{nil, {"frobnicate"}, {"demo"}, {"demo", "unload"}, {"migrate", "extra"}}
	for _, args := range tests {
		err := run(context.Background(), args, env(""), &bytes.Buffer{}, &bytes.Buffer{})
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
	err := run(context.Background(), []string{"migrate"}, env(""), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("migrate without DATABASE_URL: %v", err)
	}
}

// TestMigrateAndDemoLoadAreIdempotent runs the operator commands twice on the test database.
func TestMigrateAndDemoLoadAreIdempotent(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, env(db.URL), &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "the schema is up to date") {
		t.Errorf("migrate on a migrated database: %q", out.String())
	}
	counts := func() string {
		var s string
		err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM districts) || '/' || (SELECT count(*) FROM places) || '/' ||
			(SELECT count(*) FROM observations) || '/' || (SELECT count(*) FROM indicator_values) || '/' || (SELECT count(*) FROM interventions)`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := counts()
	for i := 0; i < 2; i++ {
		out.Reset()
		if err := run(ctx, []string{"demo", "load"}, env(db.URL), &out, &out); err != nil {
			t.Fatalf("demo load: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "Illustrativ") {
			t.Errorf("demo load does not say the data is illustrative: %q", out.String())
		}
		// Readable (issue 14, point 12): sentences, not a struct dump; a reload writes nothing.
		if strings.ContainsAny(out.String(), "{}") || strings.Contains(out.String(), "Written:") {
			t.Errorf("demo load prints a struct: %q", out.String())
		}
		if !strings.Contains(out.String(), "already in place, nothing written") {
			t.Errorf("demo load %d of an unchanged demo: %q, want it to say nothing was written", i+1, out.String())
		}
		if got := counts(); got != before {
			t.Errorf("after demo load %d: counts %s, want %s", i+1, got, before)
		}
	}
}

// TestServeShutsDownGracefully starts serve, waits until it is ready, cancels its context and
// expects a clean return.
func TestServeShutsDownGracefully(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() { done <- run(ctx, []string{"serve", "--addr", addr}, env(db.URL), &bytes.Buffer{}, &logs) }()
	ready := false
	for i := 0; i < 100 && !ready; i++ {
		res, err := http.Get(fmt.Sprintf("http://%s/readyz", addr))
		if err == nil {
			res.Body.Close()
			ready = res.StatusCode == 200
		}
		if !ready {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !ready {
		cancel()
		t.Fatalf("server never became ready: %v", <-done)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after cancel", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(logs.String(), `"msg":"shutting down"`) {
		t.Errorf("no shutdown log line:\n%s", logs.String())
	}
}

// TestServeRefusesTheOwnerRole (issue 12, finding 6): serve will not run on a connection
// that could undo row-level security (the owner, a superuser on the development cluster).
func TestServeRefusesTheOwnerRole(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--server-database-url", db.URL}, env(db.URL), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "must not connect as") {
		t.Errorf("serve as the owner: %v, want a refusal", err)
	}
}

func TestImportIndicators(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	t.Cleanup(func() { _, _ = db.Pool.Exec(ctx, `DELETE FROM indicator_values WHERE NOT illustrative`) })
	var out bytes.Buffer
	args := []string{"import", "indicators", "--contents-dimension", "ContentsCode",
		"--map", "000006SY=overcrowding", "--map", "000006SZ=unemployment", "../../layers/testdata/pxweb-overcrowding.json"}
	if err := run(ctx, args, env(db.URL), &out, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "7 values") {
		t.Errorf("output %q", out.String())
	}
	err := run(ctx, []string{"import", "indicators", "../../layers/testdata/pxweb-overcrowding.json"}, env(db.URL), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "indicator") {
		t.Errorf("import without a mapping: %v", err)
	}
}
