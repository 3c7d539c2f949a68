package layers_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/lagesbild/lagesbild/geo/did"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestFollowupInputs loads the follow-up of the Bäckby torg cameras (started 2023-02-01,
// target district Bäckby) and checks the input against the database.
func TestFollowupInputs(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	one := func(sql string, args ...any) (n float64) {
		t.Helper()
		if err := db.Pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	id := int64(one(`SELECT id FROM interventions WHERE title = 'Kamerabevakning Bäckby torg'`))
	q := layers.FollowupQuery{Period: "month", Pre: 12, Post: 12, Weighting: layers.WeightCount, Buffer: 500}

	in, err := store.FollowupInputs(ctx, id, q)
	if err != nil {
		t.Fatal(err)
	}
	w, x := in.Window, in.Input
	if w.Pre != 12 || w.Post != 12 || len(w.Bounds) != 25 || x.Pre != 12 || x.Post != 12 || x.Months != 1 || x.StartYear != 2023 {
		t.Fatalf("window %d + %d periods, %d bounds; input %d + %d of %d months from %d", w.Pre, w.Post, len(w.Bounds), x.Pre, x.Post, x.Months, x.StartYear)
	}
	if got := w.Bounds[12].Format("2006-01-02"); got != "2023-02-01" {
		t.Errorf("split at %s, want the start date", got)
	}
	if !slices.Equal(x.Target.Codes, []string{"1980-BACKBY"}) || x.Target.BufferM != 0 || x.Target.Name != "Kamerabevakning Bäckby torg" {
		t.Errorf("target %+v, want the district Bäckby", x.Target)
	}
	if want := one(`SELECT population FROM districts WHERE code = '1980-BACKBY'`); x.Target.Population != want {
		t.Errorf("target population %v, want %v", x.Target.Population, want)
	}
	var total int64
	for _, c := range x.Target.Counts {
		total += c
	}
	if want := one(`SELECT count(*) FROM observations o JOIN districts d ON d.code = '1980-BACKBY'
		WHERE ST_Intersects(d.geom, o.geom) AND o.observed_at >= $1 AND o.observed_at < $2`, w.Bounds[0], w.Bounds[24]); float64(total) != want {
		t.Errorf("%d target observations, SQL says %v", total, want)
	}
	if want := one(`SELECT count(*) FROM districts WHERE level = 'district'`); float64(len(x.Districts)) != want {
		t.Errorf("%d districts, want %v", len(x.Districts), want)
	}
	for _, d := range x.Districts {
		if len(d.Counts) != 24 || len(d.Weights) != 24 {
			t.Errorf("district %s: %d counts, %d weights; want 24 each", d.Code, len(d.Counts), len(d.Weights))
		}
	}
	for _, o := range x.Others {
		if o.ID == id || o.Start == nil || !o.Start.Before(w.Bounds[24]) || (o.End != nil && o.End.Before(w.Bounds[0])) {
			t.Errorf("other intervention %d %q (%v – %v) outside the window or this one", o.ID, o.Title, o.Start, o.End)
		}
	}
	if !slices.ContainsFunc(x.Places, func(p did.Place) bool { return p.Name == "Bäckby torg" && p.Pre > 0 }) {
		t.Errorf("no observations around Bäckby torg among the places: %+v", x.Places)
	}
	if len(x.Indicators) != 0 {
		t.Errorf("%d indicators, asked for none", len(x.Indicators))
	}
	if !in.Illustrative {
		t.Error("demo data not marked illustrative")
	}
	q.Indicators = true
	if in, err := store.FollowupInputs(ctx, id, q); err != nil || len(in.Input.Indicators) == 0 {
		t.Errorf("with indicators: %v, %d indicators", err, len(in.Input.Indicators))
	}

	later := int64(one(`SELECT id FROM interventions WHERE title = 'Scouting i Skiljebo'`)) // starts after the data end
	for _, tc := range []struct {
		name  string
		id    int64
		q     layers.FollowupQuery
		param string
	}{
		{"week", id, layers.FollowupQuery{Period: "week", Pre: 12, Post: 12}, "period"},
		{"starts after the data", later, q, "interventionId"},
	} {
		var inv *layers.InvalidError
		if _, err := store.FollowupInputs(ctx, tc.id, tc.q); !errors.As(err, &inv) || inv.Param != tc.param {
			t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.param)
		}
	}
	if _, err := store.FollowupInputs(ctx, 999999, q); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("unknown intervention: %v, want ErrNotFound", err)
	}
}
