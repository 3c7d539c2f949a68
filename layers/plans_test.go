package layers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// savePlanAt stores a two-week plan from monday with police visits at target "a" (and night
// walkers' when walkers is set).
func savePlanAt(t *testing.T, store *layers.Store, monday time.Time, name string, walkers bool) int64 {
	t.Helper()
	items := []layers.PlanItem{{Week: 1, ActorType: "police", TargetID: "a", Visits: 4, Minutes: 60}}
	if walkers {
		items = append(items, layers.PlanItem{Week: 2, ActorType: "night_walkers", TargetID: "a", Visits: 2, Minutes: 30})
	}
	id, err := store.SavePlan(context.Background(), layers.NewPlan{DataClass: layers.Internal, WeekStart: monday, Weeks: 2, ExpectedReduction: 5,
		Parameters: map[string]int{"x": 1},
		Targets:    []layers.PlanTarget{{ID: "a", Name: "A", Risk: map[string]float64{"violence": 3}, Point: orb.Point{587000, 6610000}}},
		Items:      items},
		func(id int64, _ time.Time) ([]byte, error) {
			return []byte(`{"name": "` + name + `", "share": 0.25, "actors": [{"type": "police"}, {"type": "night_walkers"}]}`), nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestDoseClientKey logs a visit twice with the same client key, as a phone does that sends
// again after losing the answer: one row, the second send answered with it (Replayed); the
// same key on another visit is a conflict, and a key that is not one is refused by name.
func TestDoseClientKey(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	monday := time.Date(2024, 9, 2, 0, 0, 0, 0, time.UTC)
	id := savePlanAt(t, store, monday, "nycklar", false)
	now := monday.Add(10 * 24 * time.Hour)
	key, unit := "0b6e2c1e-5a7d-4c1e-9f0a-3b2c1d0e9f8a", "P1"
	visit := layers.Dose{PlanID: id, TargetID: "a", ActorType: "police", UnitCode: &unit, StartedAt: monday.Add(40 * time.Hour),
		Minutes: 15, Tactic: "foot_patrol", ClientKey: &key}
	first, err := store.RecordDoses(ctx, []layers.Dose{visit}, now)
	if err != nil || first[0].Replayed || first[0].ClientKey == nil || *first[0].ClientKey != key {
		t.Fatalf("first send: %+v, %v", first, err)
	}
	visit.Minutes = 20 // edited on the phone before the resend: the stored visit stands
	again, err := store.RecordDoses(ctx, []layers.Dose{visit, visit}, now)
	if err != nil || len(again) != 2 || !again[0].Replayed || again[0].ID != first[0].ID || again[1].ID != first[0].ID || again[0].Minutes != 15 {
		t.Fatalf("resend: %+v, %v", again, err)
	}
	ds, err := store.Doses(ctx, id)
	if err != nil || len(ds) != 1 {
		t.Fatalf("after two sends of one visit: %d rows, %v", len(ds), err)
	}
	other := visit
	other.StartedAt = visit.StartedAt.Add(time.Hour)
	if _, err := store.RecordDoses(ctx, []layers.Dose{other}, now); !errors.Is(err, layers.ErrConflict) {
		t.Errorf("the key of another visit: %v, want a conflict", err)
	}
	bad := "x"
	other.ClientKey = &bad
	var inv *layers.InvalidError
	if _, err := store.RecordDoses(ctx, []layers.Dose{other}, now); !errors.As(err, &inv) || inv.Param != "doses[0].client_key" {
		t.Errorf("a key that is not one: %v", err)
	}
}

// TestPlansListAndActive lists plans newest first with their summaries, filtered to a day,
// paged; the active plan for an actor type on a day is the newest whose weeks hold the day
// and that plans visits of the actor type.
func TestPlansListAndActive(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	monday := time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC) // no other test plans in 2031
	older := savePlanAt(t, store, monday, "äldre", true)
	newer := savePlanAt(t, store, monday.AddDate(0, 0, 7), "nyare", false)
	day := func(s string) *time.Time { d, _ := time.Parse(time.DateOnly, s); return &d }

	list, more, err := store.Plans(ctx, day("2031-03-11"), 10, 0)
	if err != nil || more || len(list) != 2 || list[0].ID != newer || list[1].ID != older {
		t.Fatalf("plans in force on 2031-03-11: %+v (more %v), %v", list, more, err)
	}
	o := list[1]
	if o.Name != "äldre" || o.Start != "2031-03-03" || o.End != "2031-03-17" || o.Weeks != 2 || o.Targets != 1 || o.Share != 0.25 ||
		o.PlannedVisits["police"] != 4 || o.PlannedVisits["night_walkers"] != 2 || len(o.Actors) != 2 || o.DataClass != layers.Internal {
		t.Errorf("summary: %+v", o)
	}
	if list, _, err := store.Plans(ctx, day("2031-03-04"), 10, 0); err != nil || len(list) != 1 || list[0].ID != older {
		t.Errorf("plans in force on 2031-03-04: %+v, %v", list, err)
	}
	if list, more, err := store.Plans(ctx, day("2031-03-11"), 1, 0); err != nil || !more || len(list) != 1 || list[0].ID != newer {
		t.Errorf("first page of one: %+v (more %v), %v", list, more, err)
	}
	if list, more, err := store.Plans(ctx, day("2031-03-11"), 1, 1); err != nil || more || len(list) != 1 || list[0].ID != older {
		t.Errorf("second page of one: %+v (more %v), %v", list, more, err)
	}

	for _, tc := range []struct {
		actor, day string
		want       int64 // 0: none
	}{
		{"police", "2031-03-04", older},
		{"police", "2031-03-11", newer}, // both hold the day: the newer
		{"night_walkers", "2031-03-13", older},
		{"police", "2031-03-25", 0},
		{"mobile_cameras", "2031-03-11", 0},
	} {
		got, err := store.ActivePlan(ctx, tc.actor, *day(tc.day))
		switch {
		case tc.want == 0 && !errors.Is(err, layers.ErrNotFound):
			t.Errorf("%s on %s: plan %d, %v; want none", tc.actor, tc.day, got, err)
		case tc.want != 0 && (err != nil || got != tc.want):
			t.Errorf("%s on %s: plan %d, %v; want %d", tc.actor, tc.day, got, err, tc.want)
		}
	}
}

// TestScenarioVersion: a change raises a scenario's version, and a change or deletion made from
// another version is refused (ErrVersionMismatch) and changes nothing.
func TestScenarioVersion(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	sc := layers.PriorityScenario{ID: "versioner", NameSV: "V", NameEN: "V", Organisation: "Test", Normalisation: "zscore",
		Aggregation: "arithmetic", MinCoverage: 0.6, Weights: map[string]float64{"unemployment": 1}}
	got, err := store.CreatePriorityScenario(ctx, sc)
	if err != nil || got.Version != 1 {
		t.Fatalf("create: %+v, %v", got, err)
	}
	t.Cleanup(func() { _ = store.DeletePriorityScenario(ctx, sc.ID, layers.Precondition{Any: true}) })
	sc.Weights = map[string]float64{"unemployment": 2}
	if got, err = store.UpdatePriorityScenario(ctx, sc, layers.Precondition{Versions: []int64{1}}); err != nil || got.Version != 2 {
		t.Fatalf("update from version 1: %+v, %v", got, err)
	}
	sc.Weights = map[string]float64{"unemployment": 3}
	if _, err := store.UpdatePriorityScenario(ctx, sc, layers.Precondition{Versions: []int64{1}}); !errors.Is(err, layers.ErrVersionMismatch) {
		t.Fatalf("update from a stale version: %v", err)
	}
	if err := store.DeletePriorityScenario(ctx, sc.ID, layers.Precondition{Versions: []int64{1}}); !errors.Is(err, layers.ErrVersionMismatch) {
		t.Fatalf("delete from a stale version: %v", err)
	}
	if got, err := store.PriorityScenario(ctx, sc.ID); err != nil || got.Version != 2 || got.Weights["unemployment"] != 2 {
		t.Errorf("after refused changes: %+v, %v", got, err)
	}
	if err := store.DeletePriorityScenario(ctx, sc.ID, layers.Precondition{Versions: []int64{2}}); err != nil {
		t.Errorf("delete from the current version: %v", err)
	}
}
