package layers_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestExtentOpenEnd: a layer with an end column whose rows may have no end (interventions:
// most of the demo's are open-ended) has an open temporal extent — the end is null — while
// any row is still open, and the latest end date only once every row has one (issue 14,
// point 5).
func TestExtentOpenEnd(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	l, err := layers.NewCatalogue().Layer("interventions")
	if err != nil {
		t.Fatal(err)
	}
	var open int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM interventions WHERE end_date IS NULL`).Scan(&open); err != nil {
		t.Fatal(err)
	}
	if open == 0 {
		t.Fatal("no intervention without an end date in the test data: nothing tested")
	}
	ext, err := layers.NewStore(db.Pool).Extent(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if ext.Start == nil {
		t.Error("start: got null, want the earliest start date")
	}
	if ext.End != nil {
		t.Errorf("end: got %v with %d interventions open-ended, want null (open)", ext.End, open)
	}

	// With every end date set, the end is the latest of them (the dates are put back after).
	rows, err := db.Pool.Query(ctx, `UPDATE interventions SET end_date = greatest(start_date, date '2030-06-30')
		WHERE end_date IS NULL RETURNING id`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Pool.Exec(context.Background(), `UPDATE interventions SET end_date = NULL WHERE id = ANY($1)`, ids)
	})
	var latest time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT max(end_date)::timestamptz FROM interventions`).Scan(&latest); err != nil {
		t.Fatal(err)
	}
	ext, err = layers.NewStore(db.Pool).Extent(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if ext.End == nil || !ext.End.Equal(latest) {
		t.Errorf("end with every end date set: got %v, want %v", ext.End, latest)
	}
}
