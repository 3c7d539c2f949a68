package layers

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChangesChannel is the PostgreSQL notification channel on which migration 003's triggers
// announce the name of every changed table.
const ChangesChannel = "lagesbild_changes"

// PositionsChannel is the notification channel on which a server announces, after a write, the
// primary's WAL position (MarkWrite). PostgreSQL delivers notifications in the order their
// transactions committed, so a listener that receives the position has already received
// every change notification committed before it.
const PositionsChannel = "lagesbild_positions"

// ListenChanges calls changed with the name of every table a committed statement changed,
// until ctx ends. It holds one pool connection. After connecting, and after every
// reconnection, it calls changed("") first: notifications sent while no one listened are
// lost, so everything cached must be taken as stale.
func (s *Store) ListenChanges(ctx context.Context, changed func(table string)) error {
	backoff := 100 * time.Millisecond
	for {
		err := s.listen(ctx, changed)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

func (s *Store) listen(ctx context.Context, changed func(string)) error {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection stays in LISTEN state; it leaves the pool for good and is closed here.
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+ChangesChannel+"; LISTEN "+PositionsChannel); err != nil {
		return err
	}
	// Before the caches drop anything, the position every change so far is before: reads
	// that rebuild them go to no standby short of it (replicas.go); and everything cached
	// after the drop reflects every change before it.
	lsn, err := s.noteWALPosition(ctx, conn)
	if err != nil {
		return err
	}
	changed("")
	s.noteThrough(lsn)
	s.listening.Store(true)
	defer s.listening.Store(false)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil
			}
			return err
		}
		if n.Channel == PositionsChannel {
			if lsn, err := ParseLSN(n.Payload); err == nil {
				s.noteThrough(lsn)
			}
			continue
		}
		if _, err := s.noteWALPosition(ctx, conn); err != nil {
			// Without the position, a standby might serve the change's old state to a cache:
			// drop everything as after a reconnection, which comes next.
			changed("")
			return err
		}
		changed(n.Payload)
	}
}

// Listening says whether ListenChanges is connected and listening: only then does every
// committed change reach the function it calls. What is cached on the strength of those
// notifications alone (API tokens' principals) must not be trusted otherwise.
func (s *Store) Listening() bool { return s.listening.Load() }

// noteWALPosition records the primary's WAL insert position as the position a standby must
// have replayed to serve a routed read, and returns it. The notification being acted on was
// delivered after its transaction committed, so its commit record ends at or before this
// position.
func (s *Store) noteWALPosition(ctx context.Context, conn *pgx.Conn) (LSN, error) {
	lsn, err := walInsertPosition(ctx, conn)
	if err != nil {
		return 0, err
	}
	raise(&s.replayNeed, lsn)
	return lsn, nil
}

// LayersReading returns the ids of the layers that read table; every layer for "".
func (c *Catalogue) LayersReading(table string) []string {
	var ids []string
	for _, l := range c.layers {
		if table == "" {
			ids = append(ids, l.ID)
			continue
		}
		for _, t := range l.SourceTables() {
			if t == table {
				ids = append(ids, l.ID)
				break
			}
		}
	}
	return ids
}
