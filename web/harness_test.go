package web_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
	"github.com/lagesbild/lagesbild/web/auth"
)

// Test servers run as the server does: on the application role's pool, so row-level security
// applies, and with real credentials. Most tests are about something other than access, so
// their server hands every request that carries no credential of its own the API token of a
// police admin (who may read every class and write); the access tests ask for anonymous
// requests (anonymousHeader) or send other organisations' tokens (callerToken).

// anonymousHeader marks a request that must reach the server without the default token.
const anonymousHeader = "X-Test-Anonymous"

// testOrg is the default caller's organisation.
const testOrg = "test-polis"

// callerToken returns the secret of a new API token of organisation org (created as kind
// when missing) with the scopes of role, made directly in the database as `lagesbild token
// create` would.
func callerToken(t testing.TB, db *layerstest.DB, org, kind, role string) string {
	t.Helper()
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	if _, err := store.LookupOrganisation(ctx, org); errors.Is(err, layers.ErrNotFound) {
		if err := store.CreateOrganisation(ctx, layers.Organisation{Code: org, Name: org + " (test)", Kind: kind}); err != nil {
			if _, lerr := store.LookupOrganisation(ctx, org); lerr != nil { // not made by a parallel test either
				t.Fatal(err)
			}
		}
	} else if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, secret, err := store.CreateToken(ctx, layers.TokenSpec{Organisation: org, Name: "test " + role,
		Scopes: layers.ScopesOf(layers.RolesOf(role)), ExpiresAt: now.Add(24 * time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// withToken sends secret as the bearer credential of every request without one of its own
// (no Authorization header, no session cookie, no anonymousHeader).
func withToken(h http.Handler, secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, cookieErr := r.Cookie(auth.SessionCookie)
		switch {
		case r.Header.Get(anonymousHeader) != "":
			r.Header.Del(anonymousHeader)
		case r.Header.Get("Authorization") == "" && cookieErr != nil:
			r.Header.Set("Authorization", "Bearer "+secret)
		}
		h.ServeHTTP(w, r)
	})
}

// testServer starts the API over the application role's pool with the default caller.
func testServer(t testing.TB, db *layerstest.DB, cfg web.Config, cat *layers.Catalogue, log *slog.Logger) (*httptest.Server, *layers.Store) {
	t.Helper()
	store := layers.NewStore(db.AppPool)
	return testServerOn(t, db, cfg, store, cat, log), store
}

// forgetLoginLimits empties the login limiter's table: it lives in the database (shared by
// every server process, as in production), and one test's failed logins — on its own clock —
// must not count against the next test's server.
func forgetLoginLimits(t testing.TB, db *layerstest.DB) {
	t.Helper()
	if _, err := db.Pool.Exec(context.Background(), `DELETE FROM login_limits`); err != nil {
		t.Fatal(err)
	}
}

// testServerOn is testServer over a given store (one whose changes a test listens to).
func testServerOn(t testing.TB, db *layerstest.DB, cfg web.Config, store *layers.Store, cat *layers.Catalogue, log *slog.Logger) *httptest.Server {
	t.Helper()
	forgetLoginLimits(t, db)
	srv := httptest.NewServer(withToken(web.New(cfg, store, cat, log), callerToken(t, db, testOrg, "police", "admin")))
	t.Cleanup(srv.Close)
	return srv
}
