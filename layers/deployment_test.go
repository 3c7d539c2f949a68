package layers_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/kde"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestPlaceRisks checks the per-category harm-weighted density of the top place against the
// kernel computed here from rows read with plain SQL.
func TestPlaceRisks(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	end, err := store.LatestObservation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := end.Add(-28 * 24 * time.Hour)
	const h = 400.0
	all, _, err := store.PlaceRisks(ctx, h, start, end, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || all[0].Total <= 0 {
		t.Fatalf("no place with risk: %+v", all)
	}
	for k := 1; k < len(all); k++ {
		if all[k].Total > all[k-1].Total {
			t.Fatalf("not sorted by risk at %d", k)
		}
	}
	top := all[0]
	rows, err := db.Pool.Query(ctx, `SELECT ST_Distance(o.geom, ST_PointOnSurface(p.geom)), hw.weight, o.category
FROM places p JOIN observations o ON ST_DWithin(o.geom, ST_PointOnSurface(p.geom), $2)
JOIN harm_weights hw USING (category)
WHERE p.id = $1 AND o.observed_at BETWEEN $3 AND $4`, top.ID, h, start, end)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for rows.Next() {
		var d, w float64
		var c string
		if err := rows.Scan(&d, &w, &c); err != nil {
			t.Fatal(err)
		}
		want[c] += w * kde.Kernel(d/h) * 1e6 / (h * h)
	}
	if len(want) != len(top.Risk) {
		t.Errorf("categories %v, want %v", top.Risk, want)
	}
	sum := 0.0
	for c, v := range want {
		sum += top.Risk[c]
		if math.Abs(top.Risk[c]-v) > 1e-9*v {
			t.Errorf("%s: %g, want %g", c, top.Risk[c], v)
		}
	}
	if math.Abs(sum-top.Total) > 1e-9*sum {
		t.Errorf("total %g, categories add up to %g", top.Total, sum)
	}
	some, _, err := store.PlaceRisks(ctx, h, start, end, []int64{all[1].ID, top.ID}, nil)
	if err != nil || len(some) != 2 || some[0].ID != top.ID {
		t.Errorf("listed places: %+v, %v", some, err)
	}
	var inv *layers.InvalidError
	if _, _, err := store.PlaceRisks(ctx, h, start, end, []int64{top.ID, -5}, nil); !errors.As(err, &inv) || inv.Param != "targets.place_ids" {
		t.Errorf("unknown place: %v", err)
	}
}

// TestPlanStoreAndDoses stores a plan, logs doses (a refused batch stores nothing) and reads
// planned against delivered.
func TestPlanStoreAndDoses(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	monday := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	id, err := store.SavePlan(ctx, layers.NewPlan{DataClass: layers.Internal, WeekStart: monday, Weeks: 2, ExpectedReduction: 5, Parameters: map[string]int{"x": 1},
		Targets: []layers.PlanTarget{{ID: "a", Name: "A", Risk: map[string]float64{"violence": 3}, Point: orb.Point{587000, 6610000}}},
		Items: []layers.PlanItem{{Week: 1, ActorType: "police", TargetID: "a", Visits: 4, Minutes: 60},
			{Week: 2, ActorType: "night_walkers", TargetID: "a", Visits: 2, Minutes: 30}}},
		func(id int64, _ time.Time) ([]byte, error) { return []byte(`{"id":1}`), nil })
	if err != nil {
		t.Fatal(err)
	}
	if doc, class, err := store.PlanDocument(ctx, id); err != nil || string(doc) != `{"id": 1}` || class != layers.Internal {
		t.Errorf("document %s of class %q, %v", doc, class, err)
	}
	now := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	code := "NV-3"
	bad := []layers.Dose{
		{PlanID: id, TargetID: "a", ActorType: "police", StartedAt: monday.Add(30 * time.Hour), Minutes: 15, Tactic: "foot_patrol"},
		{PlanID: id, TargetID: "b", ActorType: "police", StartedAt: monday.Add(31 * time.Hour), Minutes: 15, Tactic: "foot_patrol"},
	}
	var inv *layers.InvalidError
	if _, err := store.RecordDoses(ctx, bad, now); !errors.As(err, &inv) || inv.Param != "doses[1].target_id" {
		t.Fatalf("unknown target: %v", err)
	}
	good := []layers.Dose{bad[0], {PlanID: id, TargetID: "a", ActorType: "night_walkers", UnitCode: &code,
		StartedAt: monday.Add(7*24*time.Hour + 20*time.Hour), Minutes: 20, Tactic: "dialogue"}}
	got, err := store.RecordDoses(ctx, good, now)
	if err != nil || len(got) != 2 || got[0].ID == 0 {
		t.Fatalf("record: %+v, %v", got, err)
	}
	ds, err := store.Doses(ctx, id)
	if err != nil || len(ds) != 2 {
		t.Fatalf("doses after a refused and an accepted batch: %d, %v", len(ds), err)
	}
	del, err := store.Delivery(ctx, id, 300, 1)
	if err != nil || len(del) != 1 || len(del[0].Weeks) != 3 {
		t.Fatalf("delivery: %+v, %v", del, err)
	}
	want := []struct {
		week               int
		planned, delivered float64
	}{{0, 0, 0}, {1, 60, 15}, {2, 30, 20}}
	for k, w := range del[0].Weeks {
		if w.Week != want[k].week || w.PlannedMinutes != want[k].planned || w.DeliveredMinutes != want[k].delivered {
			t.Errorf("week %d: %+v, want %+v", k, w, want[k])
		}
	}
	if _, err := store.Doses(ctx, id+1000); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("unknown plan: %v", err)
	}
	// The actor type must be the plan's, the start within its weeks or the 52 before them.
	// Weeks run Monday to Monday in Europe/Stockholm: 2024-06-03 00:00 CEST is 2024-06-02 22:00 UTC.
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, tc := range []struct {
		actor, start, param string // param "": accepted
	}{
		{"police", "2024-06-16T21:59:00Z", ""},
		{"police", "2024-06-16T22:00:00Z", "doses[0].started_at"},
		{"police", "2023-06-04T22:00:00Z", ""},
		{"police", "2023-06-04T21:59:00Z", "doses[0].started_at"},
		{"police", "1970-01-01T00:00:00Z", "doses[0].started_at"},
		{"mobile_cameras", "2024-06-04T10:00:00Z", "doses[0].actor_type"},
	} {
		_, err := store.RecordDoses(ctx, []layers.Dose{{PlanID: id, TargetID: "a", ActorType: tc.actor, StartedAt: utc(tc.start),
			Minutes: 15, Tactic: "foot_patrol"}}, now)
		switch {
		case tc.param == "" && err != nil:
			t.Errorf("%s at %s: %v", tc.actor, tc.start, err)
		case tc.param != "" && (!errors.As(err, &inv) || inv.Param != tc.param):
			t.Errorf("%s at %s: %v, want an error naming %s", tc.actor, tc.start, err, tc.param)
		}
	}
	// Monday 10 June 00:30 in Stockholm (22:30 UTC on Sunday) is week 2's, as is Sunday 16 June
	// 23:59 logged above: week 1 keeps its 15 minutes, week 2 has 20 + 15 + 15.
	if _, err := store.RecordDoses(ctx, []layers.Dose{{PlanID: id, TargetID: "a", ActorType: "police", StartedAt: utc("2024-06-09T22:30:00Z"),
		Minutes: 15, Tactic: "foot_patrol"}}, now); err != nil {
		t.Fatal(err)
	}
	del, err = store.Delivery(ctx, id, 300, 1)
	if err != nil || len(del) != 1 || len(del[0].Weeks) != 3 {
		t.Fatalf("delivery: %+v, %v", del, err)
	}
	if w1, w2 := del[0].Weeks[1], del[0].Weeks[2]; w1.DeliveredMinutes != 15 || w2.DeliveredMinutes != 50 {
		t.Errorf("delivered %v in week 1 and %v in week 2, want 15 and 50 (weeks from Monday 00:00 Europe/Stockholm)",
			w1.DeliveredMinutes, w2.DeliveredMinutes)
	}
}
