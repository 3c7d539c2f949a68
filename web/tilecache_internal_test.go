package web

import (
	"context"
	"errors"
	"testing"
	"time"

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
	if _, ok := c.items[auth.ClearanceKey(context.Background())+"|k"]; !ok {
		t.Errorf("the tile was not cached")
	}
}
