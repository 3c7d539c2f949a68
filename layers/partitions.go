package layers

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Observations are partitioned by calendar year in Europe/Stockholm (migration 025): one
// partition observations_yYYYY per year, and no default partition, so a write of a year
// without its partition fails. Writers make the years they need first (EnsureObservationYears),
// and retention keeps this year's and next year's in place.

// DefaultObservationRetentionYears is the default of ApplyObservationRetention's keepYears:
// observations are kept for five whole years (docs/operations.md, "Retention").
const DefaultObservationRetentionYears = 5

// MinObservationYear and MaxObservationYear bound the years an observation may have: a
// partition is made for each year a write needs, so a file of typing errors cannot make
// thousands of them.
const (
	MinObservationYear = 1900
	MaxObservationYear = 2200
)

// ensureYearsSQL makes the partitions of the years $1 (migration 025's function; a year that
// exists costs a catalogue lookup).
const ensureYearsSQL = `SELECT lgb_observation_partition(y) FROM unnest($1::int[]) AS y ORDER BY y`

// EnsureObservationYears makes sure the observation partitions of years exist, in a short
// transaction of its own: attaching a year locks observations only against schema changes,
// not against readers or writers, and holding that lock for the length of an import would
// stall retention and other imports' years. A partition made for a write that then fails
// stays, empty, which costs nothing. Years outside MinObservationYear–MaxObservationYear are
// refused with an *InvalidError (Param "observed_at").
func (s *Store) EnsureObservationYears(ctx context.Context, years []int) error {
	for _, y := range years {
		if y < MinObservationYear || y > MaxObservationYear {
			return Invalid("observed_at", "year %d is outside %d–%d", y, MinObservationYear, MaxObservationYear)
		}
	}
	if len(years) == 0 {
		return nil
	}
	if _, err := s.pool.Exec(ctx, ensureYearsSQL, years); err != nil {
		return fmt.Errorf("observation partitions %v: %w", years, err)
	}
	return nil
}

// ObservationYear is one yearly partition of observations.
type ObservationYear struct {
	Partition string // observations_yYYYY
	Year      int
	// Rows is the planner's estimate of its rows (0 before it is first analysed).
	Rows int64
	// Attached is false for a partition a retention run detached but did not get to drop;
	// DetachPending for one whose concurrent detach was interrupted.
	Attached, DetachPending bool
}

// ObservationYears lists the yearly partitions of observations, oldest first.
func (s *Store) ObservationYears(ctx context.Context) ([]ObservationYear, error) {
	rows, err := s.pool.Query(ctx, `SELECT partition, year, attached, detach_pending, estimated_rows FROM lgb_observation_years()`)
	if err != nil {
		return nil, fmt.Errorf("observation partitions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ObservationYear, error) {
		var y ObservationYear
		err := r.Scan(&y.Partition, &y.Year, &y.Attached, &y.DetachPending, &y.Rows)
		return y, err
	})
	if err != nil {
		return nil, fmt.Errorf("observation partitions: %w", err)
	}
	return out, nil
}

// RetentionSummary reports ApplyObservationRetention.
type RetentionSummary struct {
	// FirstKept is the oldest year kept: every year before it ended at least keepYears
	// years before now.
	FirstKept int
	Dropped   []DroppedYear // oldest first; in a dry run, what would be dropped
	Ensured   []int         // the years made sure of ahead of writes (this year and next)
}

// DroppedYear is one year of observations retention dropped.
type DroppedYear struct {
	Year int
	// Rows is the planner's estimate of the partition's rows when it was dropped; Keys the
	// (source, source_id) keys removed with it, exactly.
	Rows, Keys int64
	Took       time.Duration
}

// firstKeptSQL is the oldest year a retention of $2 years at $1 keeps: the year that
// contains the instant $2 years before $1, in Europe/Stockholm. Every earlier year ended
// before that instant.
const firstKeptSQL = `SELECT extract(year FROM ($1::timestamptz - make_interval(years => $2)) AT TIME ZONE 'Europe/Stockholm')::int,
       extract(year FROM $1::timestamptz AT TIME ZONE 'Europe/Stockholm')::int`

// retentionLockTimeout bounds how long dropping a detached year waits for its lock; the next
// run tries again.
const retentionLockTimeout = "10s"

// ApplyObservationRetention keeps keepYears whole years of observations before now and drops
// every older year as a whole partition — detached concurrently (readers and writers of
// observations never wait for it), then, in one transaction, its (source, source_id) keys
// removed from observation_keys and the table dropped — never deleting observations row by
// row. The year that contains the instant keepYears years before now is kept entire, so a
// row lives between keepYears and keepYears+1 years. It also makes sure this year's and next
// year's partitions exist, so writes of the coming months find theirs, and finishes what an
// interrupted run left (a detach pending, a detached table not dropped).
//
// Caches learn of the drop through the change notification on observations, sent once the
// rows are gone from observations (detaching and dropping fire no trigger). With dryRun
// nothing changes and the summary says what would be dropped. keepYears must be at least 1.
//
// Errors: an *InvalidError (Param "years") for keepYears < 1, or a database error; years
// dropped before the error stay dropped.
func (s *Store) ApplyObservationRetention(ctx context.Context, keepYears int, now time.Time, dryRun bool) (RetentionSummary, error) {
	var sum RetentionSummary
	if keepYears < 1 {
		return sum, Invalid("years", "must be at least 1, got %d", keepYears)
	}
	var thisYear int
	if err := s.pool.QueryRow(ctx, firstKeptSQL, now, keepYears).Scan(&sum.FirstKept, &thisYear); err != nil {
		return sum, fmt.Errorf("observation retention: %w", err)
	}
	sum.Ensured = []int{thisYear, thisYear + 1}
	if !dryRun {
		if err := s.EnsureObservationYears(ctx, sum.Ensured); err != nil {
			return sum, err
		}
	}
	years, err := s.ObservationYears(ctx)
	if err != nil {
		return sum, err
	}
	for _, y := range years {
		if y.Year >= sum.FirstKept {
			break
		}
		if dryRun {
			sum.Dropped = append(sum.Dropped, DroppedYear{Year: y.Year, Rows: y.Rows})
			continue
		}
		d, err := s.dropObservationYear(ctx, y)
		if err != nil {
			return sum, err
		}
		sum.Dropped = append(sum.Dropped, d)
	}
	return sum, nil
}

// dropObservationYear detaches partition y (unless an earlier run did) and drops it with its keys.
func (s *Store) dropObservationYear(ctx context.Context, y ObservationYear) (DroppedYear, error) {
	start := time.Now()
	d := DroppedYear{Year: y.Year, Rows: y.Rows}
	name := pgx.Identifier{y.Partition}.Sanitize() // from the catalogue, quoted all the same
	switch {
	case y.DetachPending:
		if _, err := s.pool.Exec(ctx, "ALTER TABLE observations DETACH PARTITION "+name+" FINALIZE"); err != nil {
			return d, fmt.Errorf("observation retention: finishing the detach of %s: %w", y.Partition, err)
		}
	case y.Attached:
		// CONCURRENTLY cannot run in a transaction: a statement of its own.
		if _, err := s.pool.Exec(ctx, "ALTER TABLE observations DETACH PARTITION "+name+" CONCURRENTLY"); err != nil {
			return d, fmt.Errorf("observation retention: detaching %s: %w", y.Partition, err)
		}
	}
	// The rows are gone from observations now: caches drop them before the keys go.
	if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, 'observations')`, ChangesChannel); err != nil {
		return d, fmt.Errorf("observation retention: announcing %s: %w", y.Partition, err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '"+retentionLockTimeout+"'"); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM observation_keys k USING `+name+` o
			WHERE k.source = o.source AND k.source_id = o.source_id`)
		if err != nil {
			return fmt.Errorf("removing its keys: %w", err)
		}
		d.Keys = tag.RowsAffected()
		if _, err := tx.Exec(ctx, "DROP TABLE "+name); err != nil {
			return fmt.Errorf("dropping it: %w", err)
		}
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, 'observations')`, ChangesChannel)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("observation retention: %s: %w", y.Partition, err)
	}
	d.Took = time.Since(start)
	return d, nil
}
