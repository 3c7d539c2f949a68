package web

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/lagesbild/lagesbild/web/auth"
)

// TestTileCacheSharedWorkOutlivesACancelledCaller: two callers miss the same tile; the first
// gives up while the tile is being made. The second must still get it, and the work must
// not see the first caller's cancellation.
func TestTileCacheSharedWorkOutlivesACancelledCaller(t *testing.T) {
	c := NewTileCache(1 << 20)
	release := make(chan struct{})
	started := make(chan struct{})
	workErr := make(chan error, 1)
	mk := func(ctx context.Context) (*cachedTile, error) {
		close(started)
		<-release
		workErr <- ctx.Err()
		return &cachedTile{body: []byte("tile")}, nil
	}
	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() {
		_, err := c.get(ctxA, "k", mk)
		errA <- err
	}()
	<-started
	gotB := make(chan *cachedTile, 1)
	go func() {
		tile, err := c.get(context.Background(), "k", func(context.Context) (*cachedTile, error) {
			t.Error("the second caller made the tile again")
			return nil, errors.New("made twice")
		})
		if err != nil {
			t.Errorf("second caller: %v", err)
		}
		gotB <- tile
	}()
	time.Sleep(20 * time.Millisecond) // let B join the flight
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Errorf("first caller: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-workErr; err != nil {
		t.Errorf("the shared work saw %v", err)
	}
	select {
	case tile := <-gotB:
		if tile == nil || string(tile.body) != "tile" {
			t.Errorf("second caller got %v", tile)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second caller never got the tile")
	}
	if _, ok := c.items.Peek(auth.ClearanceKey(context.Background()) + "|k"); !ok {
		t.Errorf("the tile was not cached")
	}
}

// TestTileCacheEvictsWithinBound: tiles beyond the bound push out the least recently used,
// each dropped tile is counted, the gauge reads what is held, and a tile over an eighth of
// the bound is not kept.
func TestTileCacheEvictsWithinBound(t *testing.T) {
	const maxBytes = 8000
	c := NewTileCache(maxBytes)
	for k := range 20 {
		c.put(&cachedTile{key: fmt.Sprintf("tile-%02d", k), body: make([]byte, 500)})
	}
	held := c.items.Len()
	if got := metricValue(t, c.evictions); got != float64(20-held) || held == 0 || held == 20 {
		t.Errorf("%d tiles held, %v evictions counted, want 20 in all and some dropped", held, got)
	}
	if got := metricValue(t, c.size); got > maxBytes || got != float64(held)*float64((&cachedTile{key: "tile-00", body: make([]byte, 500)}).cost()) {
		t.Errorf("gauge %v bytes for %d tiles, bound %d", got, held, maxBytes)
	}
	if _, ok := c.items.Peek("tile-19"); !ok {
		t.Error("the most recent tile was dropped")
	}
	if _, ok := c.items.Peek("tile-00"); ok {
		t.Error("the least recent tile is still held")
	}
	c.put(&cachedTile{key: "big", body: make([]byte, maxBytes/8)})
	if _, ok := c.items.Peek("big"); ok {
		t.Error("a tile over an eighth of the bound was kept")
	}
}

// metricValue is the value of a counter or gauge.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if out.Counter != nil {
		return out.Counter.GetValue()
	}
	return out.Gauge.GetValue()
}
