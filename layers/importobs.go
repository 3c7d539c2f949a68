package layers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ObservationImportOptions tune ImportObservations; the zero value is the default.
type ObservationImportOptions struct {
	// Progress, when not nil, is called with the number of records read so far, every
	// 10,000 records and at the end. It is called from a goroutine of its own.
	Progress func(read int64)

	// RebuildAt and RebuildShare decide when an import drops the indexes of observations and
	// builds them again after the insert, instead of updating them row by row: when the file
	// has at least RebuildAt records and at least RebuildShare times as many as are already
	// stored. Zero values mean DefaultRebuildAt and DefaultRebuildShare; a negative RebuildAt
	// never rebuilds.
	RebuildAt    int64
	RebuildShare float64

	// Phase, when not nil, is called as each phase after the reading starts — the insert and
	// the duplicate check, and every index build of a rebuild, numbered — so a progress bar
	// does not sit at 100 % while they run. It is called from ImportObservations' goroutine.
	Phase func(ImportPhase)
}

// ImportPhase is a phase of an observation import after the file is read: Name says what,
// and Step of Steps counts the index builds (both 0 for the other phases).
type ImportPhase struct {
	Name        string
	Step, Steps int
}

func (o ObservationImportOptions) phase(name string, step, steps int) {
	if o.Phase != nil {
		o.Phase(ImportPhase{Name: name, Step: step, Steps: steps})
	}
}

// DefaultRebuildAt is the default ObservationImportOptions.RebuildAt.
//
// Measured on the 1,000,000-point benchmark (README, "Hotspots"): updating the six indexes
// row by row costs about 23 µs per inserted row, building them afresh about 5 µs per row of
// the whole table, so a rebuild pays once the import is more than about 30 % of the table;
// the default share asks for 50 % because the rebuild also keeps readers out of the table
// meanwhile. Below 100,000 records an import takes seconds either way.
const DefaultRebuildAt = 100_000

// DefaultRebuildShare is the default ObservationImportOptions.RebuildShare (see
// DefaultRebuildAt).
const DefaultRebuildShare = 0.5

// ObservationImportSummary reports an observation import.
type ObservationImportSummary struct {
	Read       int64 // records in the file
	Inserted   int64 // new observations stored
	Skipped    int64 // records whose (source, source_id) was already stored
	LocalTimes int64 // records whose time had no zone and was read in ImportZone
	// Outside counts the records outside the municipality (the districts of level
	// municipality; 0 when there are none): stored all the same, and reported.
	Outside        int64
	RebuiltIndexes bool // the indexes were dropped and built again (see RebuildAt)
	Timings        ObservationImportTimings
}

// ObservationImportTimings is where an import spent its time, for benchmarks and the
// command's report.
type ObservationImportTimings struct {
	Copy       time.Duration // reading, validating and COPYing the file into the staging table
	Duplicates time.Duration // looking for a (source, source_id) given twice in the file
	Insert     time.Duration // INSERT … SELECT into observations (with row-by-row index updates when not rebuilding)
	Indexes    time.Duration // building the dropped indexes again (0 when not rebuilding)
}

// ImportObservations stores every record of rd in one transaction: the whole file or nothing.
//
//  1. The records stream from rd into a temporary table with COPY (pgx CopyFrom), so the
//     file is never held in memory; a goroutine decodes while COPY sends, and the first
//     invalid record aborts the import with its row.
//  2. Duplicates within the file (the same source and source_id twice) abort it, naming both
//     rows.
//  3. INSERT … SELECT writes the new observations in spatial order (ORDER BY geom is Hilbert
//     order in PostGIS 3), so later bounding-box queries read few heap pages.
//
// A large import of new rows (see ObservationImportOptions.RebuildAt; rows already stored do not
// count, so importing a file again rebuilds nothing) first locks observations against
// readers and writers, drops its indexes and its key table's (all that no foreign key depends
// on, the primary keys included), inserts, and builds them again from the
// definitions it read from the catalogue, all in the same transaction: about three times
// faster than updating them row by row, at the price of readers waiting for the import.
// What the catalogue does not keep in the definitions (a CLUSTER mark, a replica identity
// index) is lost.
//
// Records whose (source, source_id) is already stored are skipped, not updated, and counted
// in Skipped: importing the same file twice is harmless, and a correction to a stored
// observation is an edit, not an import.
//
// Errors: an *InvalidError (Param "file") naming the row for invalid input or duplicates, or a
// database error; nothing is stored in either case.
func (s *Store) ImportObservations(ctx context.Context, rd ObservationReader, opts ObservationImportOptions) (ObservationImportSummary, error) {
	var sum ObservationImportSummary
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return sum, fmt.Errorf("import observations: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // a no-op after Commit
	if err := importObservations(ctx, tx, rd, opts, &sum, s.EnsureObservationYears); err != nil {
		return ObservationImportSummary{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return ObservationImportSummary{}, fmt.Errorf("import observations: commit: %w", err)
	}
	return sum, nil
}

const createImportTableSQL = `
CREATE TEMP TABLE observation_import (
    row         bigint NOT NULL,
    observed_at timestamptz NOT NULL,
    category    text NOT NULL,
    severity    smallint NOT NULL,
    source      text NOT NULL,
    source_id   text NOT NULL,
    sensitivity text NOT NULL,
    x           double precision NOT NULL,
    y           double precision NOT NULL
) ON COMMIT DROP`

// importMemorySQL raises, for this transaction only, the memory of the sort, the hash joins
// and the index builds, so 1,000,000 rows sort in memory; settings already higher are kept.
const importMemorySQL = `
SELECT set_config(name, value, true)
FROM (VALUES ('work_mem', '256MB'), ('maintenance_work_mem', '512MB')) AS v (name, value)
WHERE pg_size_bytes(current_setting(name)) < pg_size_bytes(value)`

// importDuplicateSQL finds one (source, source_id) given twice in the file, with two of its rows.
const importDuplicateSQL = `
SELECT source, source_id, min(row), max(row)
FROM observation_import
GROUP BY source, source_id
HAVING count(*) > 1
ORDER BY min(row)
LIMIT 1`

// importInsertSQL adds the new rows: an anti-join on the key table (migration 025) skips the
// rows already stored, and the lock importLockSQL took keeps other writers from adding a key
// meanwhile. The key table's trigger adds the new keys, so a key given twice in the file
// fails the statement (unique_violation); the small path looks for duplicates first. The
// bulk path runs it with the key table's primary key dropped too (a hash anti-join needs
// none), and the key's build names them.
const importInsertSQL = `
INSERT INTO observations (observed_at, category, severity, source, source_id, sensitivity, geom)
SELECT i.observed_at, i.category, i.severity, i.source, i.source_id, i.sensitivity, ST_SetSRID(ST_MakePoint(i.x, i.y), 3006)
FROM observation_import i
WHERE NOT EXISTS (SELECT FROM observation_keys k WHERE k.source = i.source AND k.source_id = i.source_id)
ORDER BY ST_SetSRID(ST_MakePoint(i.x, i.y), 3006)`

// importLockSQL makes imports (and every other writer of observations, and so of its key
// table, which only its triggers write) take turns from the anti-join to the commit: SHARE
// ROW EXCLUSIVE conflicts with itself and with every writer, not with readers. ON CONFLICT
// let two small imports run side by side; a partitioned table has no unique
// (source, source_id) to conflict on. The lock also holds the count of new rows of
// shouldRebuild until the insert, and the upgrade to ACCESS EXCLUSIVE there (the indexes are
// about to go) cannot deadlock with another import doing the same.
const importLockSQL = `LOCK TABLE observations IN SHARE ROW EXCLUSIVE MODE`

// importYearsSQL lists the years (Europe/Stockholm, as the partitions) of the staged records,
// and the first row of a year outside MinObservationYear–MaxObservationYear, 0 if none.
const importYearsSQL = `
WITH y AS (SELECT row, extract(year FROM observed_at AT TIME ZONE 'Europe/Stockholm')::int AS year FROM observation_import)
SELECT coalesce(array_agg(DISTINCT year ORDER BY year) FILTER (WHERE year BETWEEN $1 AND $2), '{}'),
       coalesce(min(row) FILTER (WHERE year NOT BETWEEN $1 AND $2), 0)
FROM y`

// importOutsideSQL counts the staged records outside the municipality's outline (one
// geometry, so PostGIS prepares it once for all the points); 0 without a municipality.
const importOutsideSQL = `
WITH m AS (SELECT ST_Union(geom) AS g FROM districts WHERE level = 'municipality')
SELECT count(*) FROM observation_import i, m
WHERE m.g IS NOT NULL AND NOT ST_Intersects(m.g, ST_SetSRID(ST_MakePoint(i.x, i.y), 3006))`

// importFreshSQL counts the staged records whose (source, source_id) is not stored yet.
const importFreshSQL = `
SELECT count(*) FROM observation_import i
WHERE NOT EXISTS (SELECT FROM observation_keys k WHERE k.source = i.source AND k.source_id = i.source_id)`

// storedEstimateSQL estimates the rows of observations from the planner's statistics of its
// partitions (a partitioned table keeps none of its own) without locking them, and lists the
// partitions never analysed (reltuples -1), which are counted.
const storedEstimateSQL = `
SELECT coalesce(sum(c.reltuples) FILTER (WHERE c.reltuples >= 0), 0)::float8,
       coalesce(array_agg(c.relname::text) FILTER (WHERE c.reltuples < 0), '{}')
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'observations'::regclass`

// observationIndexesSQL lists the indexes of observations and of its key table
// observation_keys that can be dropped and built again, with their table: every one no
// foreign key depends on. Constraints (primary key, unique) are dropped
// and added as constraints, other indexes with their own CREATE INDEX statement, both as
// the catalogue states them, so indexes added by later migrations are covered too. They are
// the partitioned table's indexes: dropping one drops it on every partition, and building it
// on the parent builds it on every partition (the catalogue's "ON ONLY", which would build
// the parent's alone, is taken out).
const observationIndexesSQL = `
SELECT t.relname, ic.relname, con.conname, coalesce(pg_get_constraintdef(con.oid), pg_get_indexdef(i.indexrelid))
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
WHERE i.indrelid IN ('observations'::regclass, 'observation_keys'::regclass)
  AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
ORDER BY con.contype NULLS LAST, ic.relname`

// importObservations runs the import in tx; ensureYears makes the partitions of the years
// given in a transaction of its own (Store.EnsureObservationYears).
func importObservations(ctx context.Context, tx pgx.Tx, rd ObservationReader, opts ObservationImportOptions, sum *ObservationImportSummary,
	ensureYears func(context.Context, []int) error) error {
	if _, err := tx.Exec(ctx, importMemorySQL); err != nil {
		return fmt.Errorf("import observations: settings: %w", err)
	}
	if _, err := tx.Exec(ctx, createImportTableSQL); err != nil {
		return fmt.Errorf("import observations: temporary table: %w", err)
	}
	start := time.Now()
	n, err := copyRecords(ctx, tx, rd, opts.Progress)
	if err != nil {
		return err
	}
	sum.Read = n
	sum.Timings.Copy = time.Since(start)
	if lt, ok := rd.(interface{ LocalTimes() int64 }); ok {
		sum.LocalTimes = lt.LocalTimes()
	}

	if err := tx.QueryRow(ctx, importOutsideSQL).Scan(&sum.Outside); err != nil {
		return fmt.Errorf("import observations: counting rows outside the municipality: %w", err)
	}
	// The years' partitions are made before this transaction takes any lock on observations
	// (attaching one waits for the import lock of another import, never for readers).
	var years []int
	var badRow int64
	if err := tx.QueryRow(ctx, importYearsSQL, MinObservationYear, MaxObservationYear).Scan(&years, &badRow); err != nil {
		return fmt.Errorf("import observations: years: %w", err)
	}
	if badRow > 0 {
		return Invalid("file", "row %d: observed_at is outside the years %d–%d", badRow, MinObservationYear, MaxObservationYear)
	}
	if err := ensureYears(ctx, years); err != nil {
		return fmt.Errorf("import observations: %w", err)
	}
	if _, err := tx.Exec(ctx, importLockSQL); err != nil {
		return fmt.Errorf("import observations: lock: %w", err)
	}

	rebuild, err := shouldRebuild(ctx, tx, n, opts)
	if err != nil {
		return err
	}
	if !rebuild {
		start = time.Now()
		opts.phase("checking duplicates", 0, 0)
		if err := refuseDuplicates(ctx, tx); err != nil {
			return err
		}
		sum.Timings.Duplicates = time.Since(start)
		start = time.Now()
		opts.phase("inserting", 0, 0)
		tag, err := tx.Exec(ctx, importInsertSQL)
		if err != nil {
			return fmt.Errorf("import observations: insert: %w", err)
		}
		sum.Timings.Insert = time.Since(start)
		sum.Inserted = tag.RowsAffected()
		sum.Skipped = sum.Read - sum.Inserted
		return nil
	}

	sum.RebuiltIndexes = true
	indexes, err := dropObservationIndexes(ctx, tx)
	if err != nil {
		return err
	}
	start = time.Now()
	opts.phase("inserting", 0, 0)
	tag, err := tx.Exec(ctx, importInsertSQL)
	if err != nil {
		return fmt.Errorf("import observations: insert: %w", err)
	}
	sum.Timings.Insert = time.Since(start)
	sum.Inserted = tag.RowsAffected()
	sum.Skipped = sum.Read - sum.Inserted
	// A (source, source_id) given twice in the file and not stored before makes the key
	// table's primary key fail to build below, which costs nothing extra when there is none.
	// One given twice and already stored was skipped twice by the anti-join instead, so when
	// rows were skipped the file is searched for duplicates explicitly.
	start = time.Now()
	if sum.Skipped > 0 {
		opts.phase("checking duplicates", 0, 0)
		if err := refuseDuplicates(ctx, tx); err != nil {
			return err
		}
	}
	sum.Timings.Duplicates = time.Since(start)
	start = time.Now()
	if _, err := tx.Exec(ctx, "SAVEPOINT observation_indexes"); err != nil {
		return fmt.Errorf("import observations: savepoint: %w", err)
	}
	for k, ix := range indexes {
		opts.phase("building index "+ix.name, k+1, len(indexes))
		if _, err := tx.Exec(ctx, ix.create); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23505" /* unique_violation */ {
				// Back to before the failed build, to name the rows.
				if _, rbErr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT observation_indexes"); rbErr == nil {
					if dupErr := refuseDuplicates(ctx, tx); dupErr != nil {
						return dupErr
					}
				}
			}
			return fmt.Errorf("import observations: building index %s again: %w", ix.name, err)
		}
	}
	sum.Timings.Indexes = time.Since(start)
	return nil
}

// refuseDuplicates returns an *InvalidError naming two rows of the file with the same
// (source, source_id), or nil when there are none.
func refuseDuplicates(ctx context.Context, tx pgx.Tx) error {
	var source, id string
	var first, second int64
	err := tx.QueryRow(ctx, importDuplicateSQL).Scan(&source, &id, &first, &second)
	if err == nil {
		return Invalid("file", "rows %d and %d both have source %q and source_id %q", first, second, source, id)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("import observations: duplicates: %w", err)
	}
	return nil
}

// shouldRebuild applies ObservationImportOptions.RebuildAt and RebuildShare to an import of
// n records, of which it counts the new ones: a file already stored (imported twice) inserts
// nothing and rebuilds nothing.
func shouldRebuild(ctx context.Context, tx pgx.Tx, n int64, opts ObservationImportOptions) (bool, error) {
	at, share := opts.RebuildAt, opts.RebuildShare
	if at == 0 {
		at = DefaultRebuildAt
	}
	if share == 0 {
		share = DefaultRebuildShare
	}
	if at < 0 || n < at {
		return false, nil
	}
	// importLockSQL is held: the count below holds until the insert.
	var stored float64
	var unanalysed []string
	if err := tx.QueryRow(ctx, storedEstimateSQL).Scan(&stored, &unanalysed); err != nil {
		return false, fmt.Errorf("import observations: counting stored rows: %w", err)
	}
	for _, p := range unanalysed { // never analysed: count (names from the catalogue, quoted)
		var count int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{p}.Sanitize()).Scan(&count); err != nil {
			return false, fmt.Errorf("import observations: counting stored rows: %w", err)
		}
		stored += float64(count)
	}
	var fresh int64
	if err := tx.QueryRow(ctx, importFreshSQL).Scan(&fresh); err != nil {
		return false, fmt.Errorf("import observations: counting new rows: %w", err)
	}
	if fresh == 0 || fresh < at || float64(fresh) < share*stored {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE observations IN ACCESS EXCLUSIVE MODE`); err != nil {
		return false, fmt.Errorf("import observations: lock: %w", err)
	}
	return true, nil
}

// droppedIndex is an index of observations dropped for a bulk insert, with the statement
// that builds it again.
type droppedIndex struct {
	name   string
	create string
}

// dropObservationIndexes drops the indexes of observationIndexesSQL and returns how to
// build them again. The names and definitions come from the database's own catalogue, not
// from input; names are quoted all the same.
func dropObservationIndexes(ctx context.Context, tx pgx.Tx) ([]droppedIndex, error) {
	rows, err := tx.Query(ctx, observationIndexesSQL)
	if err != nil {
		return nil, fmt.Errorf("import observations: listing indexes: %w", err)
	}
	type index struct {
		table, name, constraint, def string
	}
	var found []index
	for rows.Next() {
		var ix index
		var constraint *string
		if err := rows.Scan(&ix.table, &ix.name, &constraint, &ix.def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("import observations: listing indexes: %w", err)
		}
		if constraint != nil {
			ix.constraint = *constraint
		}
		found = append(found, ix)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("import observations: listing indexes: %w", err)
	}
	out := make([]droppedIndex, 0, len(found))
	for _, ix := range found {
		var drop, create string
		if ix.constraint != "" {
			name := pgx.Identifier{ix.constraint}.Sanitize()
			table := pgx.Identifier{ix.table}.Sanitize()
			drop = "ALTER TABLE " + table + " DROP CONSTRAINT " + name
			create = "ALTER TABLE " + table + " ADD CONSTRAINT " + name + " " + ix.def
		} else {
			drop = "DROP INDEX " + pgx.Identifier{ix.name}.Sanitize()
			create = strings.Replace(ix.def, " ON ONLY ", " ON ", 1)
		}
		if _, err := tx.Exec(ctx, drop); err != nil {
			return nil, fmt.Errorf("import observations: dropping index %s: %w", ix.name, err)
		}
		out = append(out, droppedIndex{name: ix.name, create: create})
	}
	return out, nil
}

// copyRecords streams the records of rd into observation_import and returns their number.
// A goroutine reads and validates the file in batches while pgx encodes and sends the
// previous ones, so decoding and the server's COPY work overlap.
func copyRecords(ctx context.Context, tx pgx.Tx, rd ObservationReader, progress func(int64)) (int64, error) {
	batches := make(chan recordBatch, 4)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		produceRecords(rd, progress, batches, stop)
	}()
	src := &recordSource{batches: batches}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"observation_import"},
		[]string{"row", "observed_at", "category", "severity", "source", "source_id", "sensitivity", "x", "y"}, src)
	close(stop)
	<-done
	if c, ok := rd.(io.Closer); ok {
		c.Close() // stops a reader that decodes ahead (the GeoJSON reader) when COPY ended early
	}
	if src.err != nil {
		return 0, src.err // the reader's own error (with its row), not pgx's wrapping of it
	}
	if err != nil {
		return 0, fmt.Errorf("import observations: copy: %w", err)
	}
	if progress != nil {
		progress(n)
	}
	return n, nil
}

// recordBatch carries records from the reading goroutine to COPY; err ends the stream.
type recordBatch struct {
	recs []ObservationRecord
	err  error
}

const recordBatchSize = 4096

// produceRecords reads rd into batches until the end of the file, an error, or stop.
func produceRecords(rd ObservationReader, progress func(int64), out chan<- recordBatch, stop <-chan struct{}) {
	defer close(out)
	var read int64
	send := func(b recordBatch) bool {
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	for {
		recs := make([]ObservationRecord, 0, recordBatchSize)
		for len(recs) < recordBatchSize {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) {
				send(recordBatch{recs: recs})
				return
			}
			if err != nil {
				if send(recordBatch{recs: recs}) {
					send(recordBatch{err: err})
				}
				return
			}
			recs = append(recs, rec)
			read++
			if progress != nil && read%10000 == 0 {
				progress(read)
			}
		}
		if !send(recordBatch{recs: recs}) {
			return
		}
	}
}

// recordSource adapts the batches of produceRecords to pgx.CopyFromSource.
type recordSource struct {
	batches <-chan recordBatch
	cur     []ObservationRecord
	k       int
	err     error
}

var _ pgx.CopyFromSource = (*recordSource)(nil)

func (r *recordSource) Next() bool {
	r.k++
	for r.k >= len(r.cur) {
		b, ok := <-r.batches
		if !ok {
			return false
		}
		if b.err != nil {
			r.err = b.err
			return false
		}
		r.cur, r.k = b.recs, 0
	}
	return true
}

func (r *recordSource) Values() ([]any, error) {
	x := &r.cur[r.k]
	return []any{x.Row, x.ObservedAt, x.Category, x.Severity, x.Source, x.SourceID, x.Sensitivity, x.X, x.Y}, nil
}

func (r *recordSource) Err() error { return r.err }
