package layers

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
)

// ObservationImportSummary reports an observation import.
type ObservationImportSummary struct {
	Read     int64 // records in the file
	Inserted int64 // new observations stored
	Skipped  int64 // records whose (source, source_id) was already stored
}

// ImportObservations stores every record of rd in one transaction: the whole file or nothing.
//
//  1. The records stream from rd into a temporary table with COPY (pgx CopyFrom), so the
//     file is never held in memory; the first invalid record aborts the import with its row.
//  2. Duplicates within the file (the same source and source_id twice) abort it, naming both
//     rows.
//  3. INSERT … SELECT writes the new observations in spatial order (ORDER BY geom is Hilbert
//     order in PostGIS 3), so later bounding-box queries read few heap pages.
//
// Records whose (source, source_id) is already stored are skipped, not updated, and counted
// in Skipped: importing the same file twice is harmless, and a correction to a stored
// observation is an edit, not an import. progress, when not nil, is called with the number of
// records read so far, every 10,000 records and at the end.
//
// Errors: an *InvalidError (Param "file") naming the row for invalid input or duplicates, or a
// database error; nothing is stored in either case.
func (s *Store) ImportObservations(ctx context.Context, rd ObservationReader, progress func(read int64)) (ObservationImportSummary, error) {
	var sum ObservationImportSummary
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return sum, fmt.Errorf("import observations: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // a no-op after Commit
	if err := importObservations(ctx, tx, rd, progress, &sum); err != nil {
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

// importDuplicateSQL finds one (source, source_id) given twice in the file, with two of its rows.
const importDuplicateSQL = `
SELECT source, source_id, min(row), max(row)
FROM observation_import
GROUP BY source, source_id
HAVING count(*) > 1
ORDER BY min(row)
LIMIT 1`

const importInsertSQL = `
INSERT INTO observations (observed_at, category, severity, source, source_id, sensitivity, geom)
SELECT observed_at, category, severity, source, source_id, sensitivity, ST_SetSRID(ST_MakePoint(x, y), 3006)
FROM observation_import
ORDER BY ST_SetSRID(ST_MakePoint(x, y), 3006)
ON CONFLICT (source, source_id) DO NOTHING`

func importObservations(ctx context.Context, tx pgx.Tx, rd ObservationReader, progress func(int64), sum *ObservationImportSummary) error {
	if _, err := tx.Exec(ctx, createImportTableSQL); err != nil {
		return fmt.Errorf("import observations: temporary table: %w", err)
	}
	src := &recordSource{rd: rd, progress: progress}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"observation_import"},
		[]string{"row", "observed_at", "category", "severity", "source", "source_id", "sensitivity", "x", "y"}, src)
	if src.err != nil {
		return src.err // the reader's own error (with its row), not pgx's wrapping of it
	}
	if err != nil {
		return fmt.Errorf("import observations: copy: %w", err)
	}
	sum.Read = n
	if progress != nil {
		progress(n)
	}
	var source, id string
	var first, second int64
	err = tx.QueryRow(ctx, importDuplicateSQL).Scan(&source, &id, &first, &second)
	if err == nil {
		return Invalid("file", "rows %d and %d both have source %q and source_id %q", first, second, source, id)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("import observations: duplicates: %w", err)
	}
	tag, err := tx.Exec(ctx, importInsertSQL)
	if err != nil {
		return fmt.Errorf("import observations: insert: %w", err)
	}
	sum.Inserted = tag.RowsAffected()
	sum.Skipped = sum.Read - sum.Inserted
	return nil
}

// recordSource adapts an ObservationReader to pgx.CopyFromSource.
type recordSource struct {
	rd       ObservationReader
	rec      ObservationRecord
	err      error
	read     int64
	progress func(int64)
}

var _ pgx.CopyFromSource = (*recordSource)(nil)

func (r *recordSource) Next() bool {
	rec, err := r.rd.Next()
	if errors.Is(err, io.EOF) {
		return false
	}
	if err != nil {
		r.err = err
		return false
	}
	r.rec = rec
	r.read++
	if r.progress != nil && r.read%10000 == 0 {
		r.progress(r.read)
	}
	return true
}

func (r *recordSource) Values() ([]any, error) {
	x := &r.rec
	return []any{x.Row, x.ObservedAt, x.Category, x.Severity, x.Source, x.SourceID, x.Sensitivity, x.X, x.Y}, nil
}

func (r *recordSource) Err() error { return r.err }
