package layers

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// LimitRow is one key of the login limiter (migration 023): how often it failed, when last,
// when the next attempt may come, and when it is forgotten. The Store keeps the rows; what
// they mean is web/auth's.
type LimitRow struct {
	Key     []byte
	Fails   int
	Last    time.Time // the last failure (for a mark of a successful login, that login)
	Next    time.Time // no attempt before this
	Expires time.Time // forgotten after this
	// Found says the row was there (and not yet forgotten) when the transaction read it.
	Found bool
	// Touch keeps the row (it is in use: used_at moves to now) without changing it; Delete
	// removes it. Neither: the row is written as it is.
	Touch, Delete bool
}

// UpdateLoginLimits reads the rows of keys as of now — a row forgotten before now reads as
// absent (Found false, the key set) — passes them to update in the order of keys, and writes
// back the rows update returns, all in one transaction. The keys are locked for its length
// (a transaction-scoped advisory lock per key, taken in a fixed order), so concurrent
// attempts on one key, from any server process, are counted one after the other: none can
// slip past a limit by arriving at the same moment.
func (s *Store) UpdateLoginLimits(ctx context.Context, keys [][]byte, now time.Time, update func([]LimitRow) []LimitRow) error {
	locks := make([]int64, len(keys))
	for i, k := range keys {
		sum := sha256.Sum256(append([]byte("lagesbild login limit\x00"), k...))
		locks[i] = int64(binary.BigEndian.Uint64(sum[:8]))
	}
	slices.Sort(locks)
	tx, err := s.raw.Begin(ctx)
	if err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit, a no-op
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k ORDER BY k`, locks); err != nil {
		return fmt.Errorf("login limits: lock: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT key, fails, last_at, next_at, expires_at FROM login_limits
		WHERE key = ANY($1) AND expires_at >= $2`, keys, now)
	if err != nil {
		return fmt.Errorf("login limits: read: %w", err)
	}
	found := map[string]LimitRow{}
	for rows.Next() {
		var r LimitRow
		if err := rows.Scan(&r.Key, &r.Fails, &r.Last, &r.Next, &r.Expires); err != nil {
			return fmt.Errorf("login limits: read: %w", err)
		}
		r.Found = true
		found[string(r.Key)] = r
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("login limits: read: %w", err)
	}
	current := make([]LimitRow, len(keys))
	for i, k := range keys {
		if r, ok := found[string(k)]; ok {
			current[i] = r
		} else {
			current[i] = LimitRow{Key: k}
		}
	}
	b := &pgx.Batch{}
	for _, r := range update(current) {
		switch {
		case r.Delete:
			b.Queue(`DELETE FROM login_limits WHERE key = $1`, r.Key)
		case r.Touch:
			b.Queue(`UPDATE login_limits SET used_at = $2 WHERE key = $1`, r.Key, now)
		default:
			b.Queue(`INSERT INTO login_limits (key, fails, last_at, next_at, used_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (key) DO UPDATE SET fails = excluded.fails, last_at = excluded.last_at, next_at = excluded.next_at,
				  used_at = excluded.used_at, expires_at = excluded.expires_at`, r.Key, r.Fails, r.Last, r.Next, now, r.Expires)
		}
	}
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("login limits: write: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("login limits: commit: %w", err)
	}
	return nil
}

// PruneLoginLimits deletes the rows forgotten before now and, beyond maxKeys rows, the least
// recently used ones, and returns how many rows it deleted.
func (s *Store) PruneLoginLimits(ctx context.Context, now time.Time, maxKeys int) (int64, error) {
	tag, err := s.raw.Exec(ctx, `
		DELETE FROM login_limits WHERE expires_at < $1
		   OR key IN (SELECT key FROM login_limits ORDER BY used_at DESC OFFSET $2)`, now, maxKeys)
	if err != nil {
		return 0, fmt.Errorf("prune login limits: %w", err)
	}
	return tag.RowsAffected(), nil
}

// CountLoginLimits is the number of rows the login limiter keeps, forgotten or not (for tests
// and metrics).
func (s *Store) CountLoginLimits(ctx context.Context) (int, error) {
	var n int
	if err := s.raw.QueryRow(ctx, `SELECT count(*) FROM login_limits`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count login limits: %w", err)
	}
	return n, nil
}
