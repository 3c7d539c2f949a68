package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// TestRetentionDropsCachedTiles: observations of a year retention drops leave a cached tile
// as soon as the drop commits. Detaching and dropping a partition fire no trigger, so this
// fails unless retention announces observations itself.
func TestRetentionDropsCachedTiles(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	cat := layers.NewCatalogue()
	store := layers.NewStore(db.AppPool)
	cache := web.NewTileCache(8 << 20)
	listen(t, store, cat, cache)
	srv := testServerOn(t, db, web.Config{TileCache: cache}, store, cat, slog.New(slog.NewTextHandler(io.Discard, nil)))
	get := func(path string) int {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
		}
		return len(layerNamed(decodeTile(t, b), "observations").Features)
	}

	owner := layers.NewStore(db.Pool)
	// 1989 is this test's own year: a period of 30 years at the end of 2026 drops it.
	if err := owner.EnsureObservationYears(ctx, []int{1989}); err != nil {
		t.Fatal(err)
	}
	id := tiles.TileContaining(centreLon, centreLat, 15)
	minX, minY, maxX, maxY := id.Bounds()
	if _, err := db.Pool.Exec(ctx, `
		INSERT INTO observations (observed_at, category, severity, source, source_id, geom, illustrative)
		SELECT '1989-05-01T12:00:00Z', 'violence', 3, 'police', 'retention-tile-' || k,
		       ST_Transform(ST_SetSRID(ST_MakePoint($1 + k, $2), 3857), 3006), true
		FROM generate_series(1, 3) AS k`, (minX+maxX)/2, (minY+maxY)/2); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `DELETE FROM observations WHERE source_id LIKE 'retention-tile-%'`)
	})
	path := tilePath("/collections/observations", id)
	// Wait for the insert's notification to have dropped whatever was cached before it.
	deadline := time.Now().Add(10 * time.Second)
	before := get(path)
	for before < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		before = get(path)
	}
	if before < 3 {
		t.Fatalf("the tile has %d points, want the 3 of 1989 at least", before)
	}
	if again := get(path); again != before {
		t.Fatalf("cached tile: %d points, then %d", before, again)
	}

	sum, err := owner.ApplyObservationRetention(ctx, 30, time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), false)
	if err != nil {
		t.Fatal(err)
	}
	dropped := false
	for _, d := range sum.Dropped {
		dropped = dropped || d.Year == 1989
	}
	if !dropped {
		t.Fatalf("retention dropped %+v, want 1989 among them", sum.Dropped)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		n := get(path)
		if n == before-3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after the drop the cached tile still has %d points, want %d", n, before-3)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
