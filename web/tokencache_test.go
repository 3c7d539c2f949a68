package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
	"github.com/lagesbild/lagesbild/web/auth"
)

// tokenProcess is one lagesbild serve as far as API tokens go: its own pool, store, token
// cache and (when listen) change listener feeding the cache.
type tokenProcess struct {
	a      *api
	tokens *auth.TokenCache
}

func newTokenProcess(t *testing.T, db *layerstest.DB, listen bool) tokenProcess {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(db.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	layers.ConfigurePool(cfg)
	cfg.MaxConns = 3
	ctx, cancel := context.WithCancel(context.Background())
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	store := layers.NewStore(pool)
	tokens := auth.NewTokenCache(store.Listening, 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if listen {
			_ = store.ListenChanges(ctx, tokens.Changed)
		}
	}()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(web.New(web.Config{Version: "test", Auth: auth.Config{Tokens: tokens, Argon2: fastArgon}},
		store, layers.NewCatalogue(), log))
	t.Cleanup(func() { srv.Close(); cancel(); <-done; pool.Close() })
	for deadline := time.Now().Add(10 * time.Second); listen && !store.Listening(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the change listener did not connect within 10 s")
		}
	}
	return tokenProcess{a: newClient(t, srv), tokens: tokens}
}

// untilRefused asks GET /auth/me with bearer on p until it answers 401, for at most 5 s,
// and returns how long that took.
func untilRefused(t *testing.T, p tokenProcess, bearer http.Header) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		res, _ := p.a.raw("GET", "/auth/me", bearer)
		if res.StatusCode == http.StatusUnauthorized {
			return time.Since(start)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /auth/me: %d", res.StatusCode)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("the token was still accepted 5 s after it was ended")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestTokenCacheRevocationInEveryProcess: two server processes keep a token's principal in
// memory after its first request (no database lookup per request), and ending the token —
// revoked through one of them, or its account disabled by an operator — fails it at once in
// the process that revoked it and, by the change notification, in the other. A process
// whose change listener is not connected keeps nothing.
func TestTokenCacheRevocationInEveryProcess(t *testing.T) {
	db := layerstest.Require(t, testDB)
	one, two := newTokenProcess(t, db, true), newTokenProcess(t, db, true)
	acc := newAccount(t, "police", "editor")
	s := login(t, one.a, acc)
	mint := func() (int64, http.Header) {
		_, body := one.a.write("POST", "/auth/tokens", s.write(), jsonBody(map[string]any{"scopes": []string{"read"}, "expires_in": "1h"}), 201)
		tok := decode[struct {
			ID     int64  `json:"id"`
			Secret string `json:"secret"`
		}](t, body)
		return tok.ID, http.Header{"Authorization": {"Bearer " + tok.Secret}}
	}
	warm := func(bearer http.Header) {
		t.Helper()
		one.tokens.Drop()
		two.tokens.Drop()
		for _, p := range []tokenProcess{one, two} {
			for range 3 {
				p.a.write("GET", "/auth/me", bearer, "", 200)
			}
			if n := p.tokens.Len(); n != 1 {
				t.Fatalf("%d principals cached after three requests with one token, want 1", n)
			}
		}
	}

	id, bearer := mint()
	warm(bearer)
	one.a.write("DELETE", fmt.Sprintf("/auth/tokens/%d", id), withHeader(s.header(), auth.CSRFHeader, s.csrf), "", 204)
	one.a.write("GET", "/auth/me", bearer, "", 401) // the revoking process: before it answered
	t.Logf("revoked through one process, refused by the other after %v", untilRefused(t, two, bearer))

	_, bearer = mint()
	warm(bearer)
	if _, err := testDB.Pool.Exec(context.Background(), `UPDATE users SET disabled = true WHERE username = $1`, acc.user); err != nil {
		t.Fatal(err)
	}
	t.Logf("account disabled by an operator, refused after %v and %v", untilRefused(t, one, bearer), untilRefused(t, two, bearer))
	if _, err := testDB.Pool.Exec(context.Background(), `UPDATE users SET disabled = false WHERE username = $1`, acc.user); err != nil {
		t.Fatal(err)
	}
	s = login(t, one.a, acc) // disabling ended the session too

	deaf := newTokenProcess(t, db, false)
	_, bearer = mint()
	for range 3 {
		deaf.a.write("GET", "/auth/me", bearer, "", 200)
	}
	if n := deaf.tokens.Len(); n != 0 {
		t.Errorf("%d principals cached without a change listener, want 0", n)
	}
}
