package request

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestAnalysisQueueIsBounded: with one slot taken, sixteen analyses wait for it in turn and
// the next one is refused at once (not after the queue wait); once the slot is free every
// waiting one gets it.
func TestAnalysisQueueIsBounded(t *testing.T) {
	g := NewGate(1, time.Minute)
	hold, err := g.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	served := make(chan struct{}, queuePerSlot)
	for range queuePerSlot {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := g.Acquire(context.Background())
			if err != nil {
				t.Errorf("a waiting analysis: %v", err)
				return
			}
			served <- struct{}{}
			release()
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); len(g.queue) < queuePerSlot; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d analyses waiting, want %d", len(g.queue), queuePerSlot)
		}
	}
	start := time.Now()
	if _, err := g.Acquire(context.Background()); !errors.Is(err, ErrBusy) {
		t.Errorf("an analysis beyond the queue: %v, want ErrBusy", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("an analysis beyond the queue was refused after %v, want at once (the queue wait is a minute)", took)
	}
	hold()
	wg.Wait()
	if len(served) != queuePerSlot {
		t.Errorf("%d of the %d waiting analyses were served", len(served), queuePerSlot)
	}
}
