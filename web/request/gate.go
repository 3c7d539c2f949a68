package request

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// queuePerSlot bounds the analyses waiting for a slot, per slot: beyond it a request is
// refused at once instead of waiting. Waiting costs a goroutine and a connection, not CPU, so
// the queue can be long enough that a page asking for two analyses at once, or a busy
// evening's users, are served in turn rather than refused; a flood fills it and is then
// refused without waiting.
const queuePerSlot = 16

// ErrBusy: every analysis slot stayed taken for the queue wait.
var ErrBusy = errors.New("every analysis slot is taken")

// Gate bounds the analyses computing at once. Create it with NewGate.
type Gate struct {
	slots chan struct{}
	queue chan struct{} // a place in it for each analysis waiting for a slot
	wait  time.Duration

	running           prometheus.Gauge
	refused, computed prometheus.Counter
	// computedN mirrors computed, for tests that must see that nothing was computed.
	computedN atomic.Int64
}

// NewGate returns a gate of n slots (n > 0), where a further analysis waits at most wait for
// one, and queuePerSlot × n may wait at once.
func NewGate(n int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, n), queue: make(chan struct{}, n*queuePerSlot), wait: wait,
		running: prometheus.NewGauge(prometheus.GaugeOpts{Name: "lagesbild_analyses_running", Help: "Analyses holding a slot."}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{Name: "lagesbild_analyses_refused_busy_total", Help: "Analyses answered 503 for want of a slot."}),
		computed: prometheus.NewCounter(prometheus.CounterOpts{Name: "lagesbild_analyses_computed_total",
			Help: "Analyses that passed their cost check and began computing."}),
	}
}

// Collectors are the gate's metrics.
func (g *Gate) Collectors() []prometheus.Collector {
	return []prometheus.Collector{g.running, g.refused, g.computed}
}

// Acquire takes a slot, waiting at most the queue wait (or until ctx ends) when the queue has
// room and not at all when it is full; release gives the slot back. ErrBusy: no slot.
func (g *Gate) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
	default:
		select {
		case g.queue <- struct{}{}:
			defer func() { <-g.queue }()
		default:
			g.refused.Inc()
			return nil, ErrBusy
		}
		t := time.NewTimer(g.wait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-t.C:
			g.refused.Inc()
			return nil, ErrBusy
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	g.running.Inc()
	return func() { g.running.Dec(); <-g.slots }, nil
}

// Computing records that an analysis passed its cost check and starts its computation.
func (g *Gate) Computing() {
	g.computed.Inc()
	g.computedN.Add(1)
}
