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

// BenchmarkCachedTileToken: what a cached tile costs the server with a police reader's API
// token (from the token cache, which the change listener keeps) against anonymously, in
// process and without the network, so the load of a shared machine weighs on both alike
// (issue 17: within 20 %). The tile is a district tile of the demo, cached before timing.
//
//	go test ./web -run '^$' -bench CachedTileToken -benchtime 200000x
func BenchmarkCachedTileToken(b *testing.B) {
	db := layerstest.Require(b, testDB)
	cfg, err := pgxpool.ParseConfig(db.AppURL)
	if err != nil {
		b.Fatal(err)
	}
	layers.ConfigurePool(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	store := layers.NewStore(pool)
	tokens := auth.NewTokenCache(store.Listening, 0)
	done := make(chan struct{})
	go func() { defer close(done); _ = store.ListenChanges(ctx, tokens.Changed) }()
	b.Cleanup(func() { cancel(); <-done; pool.Close() })
	for deadline := time.Now().Add(10 * time.Second); !store.Listening(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the change listener did not connect within 10 s")
		}
	}
	h := web.New(web.Config{Version: "test", Auth: auth.Config{Tokens: tokens, Argon2: fastArgon}},
		store, layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	token := callerToken(b, db, "bench-polis", "police", "reader")
	var x, y int // the z12 tile of a demo district's centre
	err = db.Pool.QueryRow(context.Background(), `SELECT floor((ST_X(c) + 20037508.342789244) / w)::int, floor((20037508.342789244 - ST_Y(c)) / w)::int
		FROM (SELECT ST_PointOnSurface(geom_3857) AS c, 2 * 20037508.342789244 / 4096 AS w FROM districts ORDER BY code LIMIT 1) d`).Scan(&x, &y)
	if err != nil {
		b.Fatal(err)
	}
	path := fmt.Sprintf("/collections/districts/tiles/WebMercatorQuad/12/%d/%d", y, x)
	for _, c := range []struct{ name, auth string }{{"anonymous", ""}, {"token", "Bearer " + token}} {
		b.Run(c.name, func(b *testing.B) {
			serve := func() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				if c.auth != "" {
					req.Header.Set("Authorization", c.auth)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", path, w.Code, w.Body)
				}
			}
			serve() // fills the cache (and the token cache)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					serve()
				}
			})
		})
	}
}
