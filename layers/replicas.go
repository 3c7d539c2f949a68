package layers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Read replicas (issue 16). Reads that may be slightly behind — tiles, items, the inputs of
// analyses, extents — go to a PostgreSQL streaming standby when one is known to have replayed
// everything those reads must see; everything else, and every write, goes to the primary.
//
// What a read must see is a WAL position (LSN) on the primary:
//
//   - the position of the latest change notification this process has acted on: when a
//     notification arrives, the listener asks the primary for its WAL insert position — past
//     the notifying transaction's commit record — and records it before the caches drop
//     anything, so a tile or analysis rebuilt after the drop is never made from a standby
//     that has not yet replayed the change;
//   - the caller's own last write (ReadAfter, from the cookie or header web sets on every
//     write: MarkWrite), so a caller reads their own write whichever process and standby
//     answers. Until the process has received the write's announcement the caller's reads
//     also bypass its caches (CachesBehind), which may not yet have dropped what it changed.
//
// A standby is used only while its replay position, polled every ReplicaConfig.Poll, is at
// or past both; otherwise the read goes to the primary — nobody waits for a standby. A
// standby that does not answer, is not in recovery, is reached as a role too strong for a
// server (CheckServerRole), or has replayed less than the primary had written
// ReplicaConfig.MaxLag ago, is out of use until a poll finds it well again. A
// read that fails on a standby for want of a connection is retried on the primary.

// LSN is a position in PostgreSQL's write-ahead log (pg_lsn as a number of bytes).
type LSN uint64

func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint64(l)>>32, uint32(l)) }

// ParseLSN reads a position written as PostgreSQL writes pg_lsn ("16/B374D848").
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(s, "/")
	h, herr := strconv.ParseUint(hi, 16, 32)
	l, lerr := strconv.ParseUint(lo, 16, 32)
	if !ok || herr != nil || lerr != nil || strings.HasPrefix(hi, "+") || strings.HasPrefix(lo, "+") {
		return 0, Invalid("lsn", "%q is not a WAL position like 16/B374D848", s)
	}
	return LSN(h<<32 | l), nil
}

type readAfterKey struct{}

// WithReadAfter returns ctx whose routed reads must see the primary's WAL position lsn: the
// end of the caller's own last write.
func WithReadAfter(ctx context.Context, lsn LSN) context.Context {
	return context.WithValue(ctx, readAfterKey{}, lsn)
}

// ReadAfter is the position WithReadAfter set on ctx, 0 if none.
func ReadAfter(ctx context.Context) LSN {
	l, _ := ctx.Value(readAfterKey{}).(LSN)
	return l
}

type noCacheKey struct{}

// WithoutCaches returns ctx whose request must not be answered from a cache: its caller's
// own write may not yet be reflected there (CachesBehind).
func WithoutCaches(ctx context.Context) context.Context {
	return context.WithValue(ctx, noCacheKey{}, true)
}

// NoCaches says whether ctx was made by WithoutCaches.
func NoCaches(ctx context.Context) bool { b, _ := ctx.Value(noCacheKey{}).(bool); return b }

type primaryKey struct{}

// WithPrimary returns ctx whose reads all go to the primary: a request that writes reads
// what it wrote back before any standby can have replayed it.
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

func primaryOnly(ctx context.Context) bool { b, _ := ctx.Value(primaryKey{}).(bool); return b }

// ReplicaConfig configures the use of read replicas.
type ReplicaConfig struct {
	// Poll is how often each standby's replay position and the primary's WAL position are
	// read (default 200 ms).
	Poll time.Duration
	// MaxLag takes a standby out of use once it has replayed less than the primary had
	// written this long ago (default 30 s).
	MaxLag time.Duration
	// Log receives a standby going out of use and coming back; nil: nothing is logged.
	Log *slog.Logger
}

// ReplicaStatus is what the Store knows of one standby.
type ReplicaStatus struct {
	Name     string // host:port/database
	InUse    bool
	Replayed LSN
	Reason   string // why it is out of use; "" when in use
	Reads    int64  // reads it answered
}

type replica struct {
	name     string
	pool     *pgxpool.Pool
	replayed atomic.Uint64
	inUse    atomic.Bool
	// roleChecked: CheckServerRole passed on this standby (it is checked until it does).
	roleChecked atomic.Bool
	reads       atomic.Int64
	mu          sync.Mutex
	reason      string
}

// readRouter chooses the pool of each routed read.
type readRouter struct {
	cfg      ReplicaConfig
	replicas []*replica
	next     atomic.Uint64 // round robin
	primary  atomic.Int64  // reads the primary answered

	mu      sync.Mutex
	samples []lsnSample // the primary's WAL position over the last MaxLag and a little more
}

type lsnSample struct {
	at  time.Time
	lsn LSN
}

// UseReplicas makes the Store send its routed reads to the standbys behind pools when they
// have replayed enough (see the comment at the top of replicas.go). Call it before serving,
// and run WatchReplicas. The pools are owned by the caller.
func (s *Store) UseReplicas(pools []*pgxpool.Pool, cfg ReplicaConfig) {
	if len(pools) == 0 {
		return
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 200 * time.Millisecond
	}
	if cfg.MaxLag <= 0 {
		cfg.MaxLag = 30 * time.Second
	}
	r := &readRouter{cfg: cfg}
	for _, p := range pools {
		c := p.Config().ConnConfig
		rep := &replica{name: fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database), pool: p, reason: "not yet polled"}
		r.replicas = append(r.replicas, rep)
	}
	s.reads = r
}

// CachesBehind says whether the caller of ctx wrote something (ReadAfter) whose change
// notification this process may not yet have acted on: such a caller's reads must not be
// answered from a cache. It is behind until the position the write announced (MarkWrite)
// arrives, milliseconds after the write.
func (s *Store) CachesBehind(ctx context.Context) bool {
	return uint64(ReadAfter(ctx)) > s.through.Load()
}

// MarkWrite announces the primary's current WAL position on PositionsChannel and returns it:
// called after a caller's write has committed, the position is past the write, and every
// process that receives the announcement has acted on the write's change notifications.
// The caller of ctx reads its own write by sending the position back (WithReadAfter).
func (s *Store) MarkWrite(ctx context.Context) (LSN, error) {
	var n int64
	err := s.raw.QueryRow(ctx, `SELECT pg_notify('`+PositionsChannel+`', p::text), (p - '0/0')::bigint
		FROM (SELECT pg_current_wal_insert_lsn() AS p) AS now`).Scan(nil, &n)
	if err != nil {
		return 0, fmt.Errorf("announce write position: %w", err)
	}
	return LSN(n), nil
}

// noteThrough records that every change committed before lsn has been acted on.
func (s *Store) noteThrough(lsn LSN) { raise(&s.through, lsn) }

// raise sets v to lsn if that is more.
func raise(v *atomic.Uint64, lsn LSN) {
	for {
		old := v.Load()
		if uint64(lsn) <= old || v.CompareAndSwap(old, uint64(lsn)) {
			return
		}
	}
}

// WALPosition is the primary's current WAL insert position: every transaction committed
// before the call ends at or before it.
func (s *Store) WALPosition(ctx context.Context) (LSN, error) {
	return walInsertPosition(ctx, s.raw)
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func walInsertPosition(ctx context.Context, q queryRower) (LSN, error) {
	var n int64
	if err := q.QueryRow(ctx, `SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint`).Scan(&n); err != nil {
		return 0, fmt.Errorf("WAL position: %w", err)
	}
	return LSN(n), nil
}

// Replicas reports on every standby; nil without any.
func (s *Store) Replicas() []ReplicaStatus {
	if s.reads == nil {
		return nil
	}
	out := make([]ReplicaStatus, len(s.reads.replicas))
	for i, r := range s.reads.replicas {
		r.mu.Lock()
		out[i] = ReplicaStatus{Name: r.name, InUse: r.inUse.Load(), Replayed: LSN(r.replayed.Load()), Reason: r.reason, Reads: r.reads.Load()}
		r.mu.Unlock()
	}
	return out
}

// PrimaryReads is how many routed reads the primary answered (all of them without standbys).
func (s *Store) PrimaryReads() int64 {
	if s.reads == nil {
		return 0
	}
	return s.reads.primary.Load()
}

// WatchReplicas polls the standbys until ctx ends; without standbys it returns at once.
func (s *Store) WatchReplicas(ctx context.Context) error {
	r := s.reads
	if r == nil {
		return nil
	}
	t := time.NewTicker(r.cfg.Poll)
	defer t.Stop()
	for {
		s.pollReplicas(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// pollReplicas reads the primary's position and every standby's, and decides which are in use.
func (s *Store) pollReplicas(ctx context.Context) {
	r := s.reads
	now := time.Now()
	pctx, cancel := context.WithTimeout(ctx, r.cfg.Poll+time.Second)
	defer cancel()
	if lsn, err := s.WALPosition(pctx); err == nil {
		r.mu.Lock()
		r.samples = append(r.samples, lsnSample{now, lsn})
		// Keep one sample older than MaxLag: the position the standbys must have reached.
		for len(r.samples) > 1 && now.Sub(r.samples[1].at) > r.cfg.MaxLag {
			r.samples = r.samples[1:]
		}
		r.mu.Unlock()
	}
	var wg sync.WaitGroup
	for _, rep := range r.replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.pollReplica(pctx, rep, now)
		}()
	}
	wg.Wait()
}

func (s *Store) pollReplica(ctx context.Context, rep *replica, now time.Time) {
	r := s.reads
	var replayed *int64
	var recovering bool
	err := rep.pool.QueryRow(ctx, `SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint, pg_is_in_recovery()`).Scan(&replayed, &recovering)
	reason := ""
	switch {
	case err != nil:
		reason = "does not answer: " + err.Error()
	case !recovering || replayed == nil:
		reason = "is not a standby in recovery"
	case !rep.roleChecked.Load():
		// The standby serves rows under the same row-level security as the primary only if the
		// server connects to it as a role that cannot undo it.
		if err := CheckServerRole(ctx, rep.pool); err != nil {
			reason = err.Error()
			break
		}
		rep.roleChecked.Store(true)
		fallthrough
	default:
		rep.replayed.Store(uint64(*replayed))
		r.mu.Lock()
		if len(r.samples) > 0 && now.Sub(r.samples[0].at) >= r.cfg.MaxLag && LSN(*replayed) < r.samples[0].lsn {
			reason = fmt.Sprintf("has replayed %s, less than the primary had written %s ago (%s)", LSN(*replayed), r.cfg.MaxLag, r.samples[0].lsn)
		}
		r.mu.Unlock()
	}
	s.setReplica(rep, reason)
}

// setReplica puts rep in use (reason "") or out of use, logging a change.
func (s *Store) setReplica(rep *replica, reason string) {
	rep.mu.Lock()
	was := rep.inUse.Load()
	rep.reason = reason
	rep.inUse.Store(reason == "")
	rep.mu.Unlock()
	if log := s.reads.cfg.Log; log != nil && was != (reason == "") {
		if reason == "" {
			log.Info("read replica in use", "replica", rep.name)
		} else {
			log.Warn("read replica out of use: reads go to the primary", "replica", rep.name, "reason", reason)
		}
	}
}

// pick returns the standby to read from for the caller of ctx, nil for the primary.
func (s *Store) pick(ctx context.Context) *replica {
	r := s.reads
	if r == nil {
		return nil
	}
	if primaryOnly(ctx) {
		return nil
	}
	need := max(s.replayNeed.Load(), uint64(ReadAfter(ctx)))
	n := uint64(len(r.replicas))
	start := r.next.Add(1)
	for i := range n {
		rep := r.replicas[(start+i)%n]
		if rep.inUse.Load() && rep.replayed.Load() >= need {
			return rep
		}
	}
	r.primary.Add(1)
	return nil
}

// read is the access of a read that may be answered by a standby (see replicas.go's top).
func (s *Store) read(ctx context.Context) routedDB {
	return routedDB{s: s, rep: s.pick(ctx)}
}

// routedDB runs one read on the standby the router picked, or on the primary; a read that
// finds the standby unreachable takes it out of use and runs on the primary instead.
type routedDB struct {
	s   *Store
	rep *replica
}

// unreachable says whether err means the standby could not be used at all (no connection,
// or it went away), as opposed to the statement failing there.
func unreachable(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; 40001
		// serialization_failure is a replay conflict on a standby: the primary has no such.
		return pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03" || pgErr.Code == "40001"
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.SafeToRetry(err)
}

func (d routedDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if d.rep == nil {
		return d.s.pool.Query(ctx, sql, args...)
	}
	rows, err := callerDB{d.rep.pool}.Query(ctx, sql, args...)
	if unreachable(ctx, err) {
		d.s.setReplica(d.rep, "a read failed: "+err.Error())
		d.s.reads.primary.Add(1)
		return d.s.pool.Query(ctx, sql, args...)
	}
	d.rep.reads.Add(1)
	return rows, err
}

// QueryTuned is Query with callerDB.QueryTuned's planner settings.
func (d routedDB) QueryTuned(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return d.queryWith(ctx, tunedSQL, sql, args)
}

// QueryParallel is Query with callerDB.QueryParallel's settings.
func (d routedDB) QueryParallel(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return d.queryWith(ctx, parallelSQL, sql, args)
}

// queryWith is Query with callerDB.queryWith's settings.
func (d routedDB) queryWith(ctx context.Context, setSQL, sql string, args []any) (pgx.Rows, error) {
	if d.rep == nil {
		return d.s.pool.queryWith(ctx, setSQL, sql, args)
	}
	rows, err := callerDB{d.rep.pool}.queryWith(ctx, setSQL, sql, args)
	if unreachable(ctx, err) {
		d.s.setReplica(d.rep, "a read failed: "+err.Error())
		d.s.reads.primary.Add(1)
		return d.s.pool.queryWith(ctx, setSQL, sql, args)
	}
	d.rep.reads.Add(1)
	return rows, err
}

func (d routedDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if d.rep == nil {
		return d.s.pool.QueryRow(ctx, sql, args...)
	}
	return routedRow{d: d, ctx: ctx, sql: sql, args: args}
}

// routedRow runs its statement when scanned, so that a standby found unreachable then can
// still be replaced by the primary.
type routedRow struct {
	d    routedDB
	ctx  context.Context
	sql  string
	args []any
}

func (r routedRow) Scan(dest ...any) error {
	err := callerDB{r.d.rep.pool}.QueryRow(r.ctx, r.sql, r.args...).Scan(dest...)
	if unreachable(r.ctx, err) {
		r.d.s.setReplica(r.d.rep, "a read failed: "+err.Error())
		r.d.s.reads.primary.Add(1)
		return r.d.s.pool.QueryRow(r.ctx, r.sql, r.args...).Scan(dest...)
	}
	r.d.rep.reads.Add(1)
	return err
}
