package layers_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

func TestPriorityScenarioCRUD(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)

	all, err := store.PriorityScenarios(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]layers.PriorityScenario{}
	for _, sc := range all {
		ids[sc.ID] = sc
	}
	for _, id := range []string{"polisen", "buf", "iff", "kiff", "mimer", "scb"} {
		sc, ok := ids[id]
		if !ok || !sc.Builtin || sc.Rationale == "" || len(sc.Weights) == 0 {
			t.Errorf("built-in scenario %q: %+v", id, sc)
		}
	}
	if scb := ids["scb"]; scb.Preset != "scb" || len(scb.Weights) != 3 || scb.Normalisation != "raw" {
		t.Errorf("SCB preset %+v", scb)
	}

	sc := layers.PriorityScenario{ID: "test-scenario", NameSV: "Test", NameEN: "Test", Organisation: "Test",
		Normalisation: "minmax", Aggregation: "geometric", Winsor: 0.1, MinCoverage: 0.5,
		Weights: map[string]float64{"overcrowding": 2, "perceived_safety": 1}, ThemeWeights: map[string]float64{"housing": 2}}
	got, err := store.CreatePriorityScenario(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Weights["overcrowding"] != 2 || got.ThemeWeights["housing"] != 2 || got.Builtin || got.Aggregation != "geometric" {
		t.Errorf("created %+v", got)
	}
	if _, err := store.CreatePriorityScenario(ctx, sc); !errors.Is(err, layers.ErrConflict) {
		t.Errorf("second create: %v, want ErrConflict", err)
	}
	sc.Weights = map[string]float64{"no_such_indicator": 1}
	var inv *layers.InvalidError
	if _, err := store.UpdatePriorityScenario(ctx, sc, layers.Precondition{Any: true}); !errors.As(err, &inv) || inv.Param != "weights" {
		t.Errorf("unknown indicator: %v, want invalid weights", err)
	}
	// The failed update rolled back: the old weights are still there.
	if again, _ := store.PriorityScenario(ctx, sc.ID); again.Weights["overcrowding"] != 2 {
		t.Errorf("after a failed update: %+v", again.Weights)
	}
	sc.Weights = map[string]float64{"unemployment": 1}
	sc.Winsor = 0.7
	if _, err := store.UpdatePriorityScenario(ctx, sc, layers.Precondition{Any: true}); !errors.As(err, &inv) || inv.Param != "winsor" {
		t.Errorf("winsor 0.7: %v, want invalid winsor", err)
	}
	sc.Winsor = 0
	if got, err = store.UpdatePriorityScenario(ctx, sc, layers.Precondition{Any: true}); err != nil || len(got.Weights) != 1 || got.Weights["unemployment"] != 1 {
		t.Errorf("update: %+v, %v", got, err)
	}
	if err := store.DeletePriorityScenario(ctx, "polisen", layers.Precondition{Any: true}); !errors.Is(err, layers.ErrConflict) {
		t.Errorf("delete built-in: %v, want ErrConflict", err)
	}
	if err := store.DeletePriorityScenario(ctx, sc.ID, layers.Precondition{Any: true}); err != nil {
		t.Fatal(err)
	}
	if err := store.DeletePriorityScenario(ctx, sc.ID, layers.Precondition{Any: true}); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("delete twice: %v, want ErrNotFound", err)
	}
	if _, err := store.UpdatePriorityScenario(ctx, sc, layers.Precondition{Any: true}); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("update deleted: %v, want ErrNotFound", err)
	}
}

func TestPriorityInputs(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	keys := []string{"low_economic_standard", "voter_turnout"}
	d, err := store.PriorityInputs(ctx, "district", keys, 2021, 2024, [][]string{{"youth_centre", "sports_ground"}})
	if err != nil {
		t.Fatal(err)
	}
	var nAreas, nValues int64
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM districts WHERE level = 'district'`).Scan(&nAreas)
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM indicator_values v JOIN districts d ON d.code = v.district_code
	                           WHERE d.level = 'district' AND indicator_key = ANY($1) AND year BETWEEN 2021 AND 2024`, keys).Scan(&nValues)
	if int64(len(d.Areas)) != nAreas || nAreas == 0 || len(d.Values) != 4 {
		t.Fatalf("%d areas (want %d), %d years", len(d.Areas), nAreas, len(d.Values))
	}
	present := 0
	for y, vals := range d.Values {
		for i, v := range vals {
			if math.IsNaN(v) {
				continue
			}
			present++
			// Voter turnout exists only in election years: 2022 within this span.
			if i%2 == 1 && d.FirstYear+y != 2022 {
				t.Errorf("voter turnout in %d", d.FirstYear+y)
			}
		}
	}
	if int64(present) != nValues {
		t.Errorf("%d values read, %d stored", present, nValues)
	}
	mp := d.MeetingPlaces[layers.MeetingPlacesKey([]string{"youth_centre", "sports_ground"})]
	var places int64
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM places_features f JOIN districts d ON d.code = f.district_code
	                           WHERE kind IN ('youth_centre', 'sports_ground') AND d.level = 'district'`).Scan(&places)
	sum := 0.0
	for a, per := range mp {
		if p := d.Areas[a].Population; p != nil && *p > 0 {
			sum += per * float64(*p) / 1000
		}
	}
	if math.Abs(sum-float64(places)) > 1e-6 {
		t.Errorf("meeting places add up to %v, %d stored", sum, places)
	}
	if len(d.Catalogue) == 0 || !d.Illustrative {
		t.Errorf("catalogue %d indicators, illustrative %v", len(d.Catalogue), d.Illustrative)
	}
}

// TestPriorityAnalysisInputs: the one call the analysis makes reads what PriorityInputs reads
// for the keys and the feasibility inputs' indicators, the partner layer's shares for an
// organisation it is shared with (and marks the input unavailable for another), and the area
// types when asked; PriorityCatalogue reads the catalogue alone.
func TestPriorityAnalysisInputs(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	app := layers.NewStore(db.AppPool)
	cat, err := app.PriorityCatalogue(ctx, "district")
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Areas) == 0 || len(cat.Indicators) == 0 || len(cat.Years) == 0 || len(cat.Feasibility) == 0 {
		t.Fatalf("catalogue of %d areas, %d indicators, %d years, %d feasibility inputs", len(cat.Areas), len(cat.Indicators), len(cat.Years), len(cat.Feasibility))
	}
	feas := slices.Clone(cat.Feasibility)
	var partner string
	keys := []string{"low_economic_standard"}
	for i, f := range feas {
		switch f.Source {
		case "partner_layer":
			feas[i].Weight, partner = 1, f.Key
		case "indicator":
			if !slices.Contains(keys, f.IndicatorKey) {
				keys = append(keys, f.IndicatorKey)
			}
		}
	}
	if partner == "" || len(keys) == 1 {
		t.Fatalf("the demo's feasibility inputs %+v have no partner layer or indicator", feas)
	}
	q := layers.PriorityQuery{Level: "district", Keys: []string{"low_economic_standard"}, From: 2021, To: 2024, Feasibility: feas, AreaTypes: true}
	for _, c := range []struct {
		org, kind   string
		unavailable bool
	}{{"vasteras", "municipality", false}, {"civil", "civil_society", true}} {
		d, err := app.PriorityAnalysisInputs(layers.ActingAs(ctx, c.org, c.kind, "reader"), q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Keys, keys) || len(d.Values) != 4 || len(d.Areas) != len(cat.Areas) {
			t.Errorf("%s: keys %v, %d years, %d areas", c.org, d.Keys, len(d.Values), len(d.Areas))
		}
		if len(d.AreaTypes) != 5 || len(d.MeetingPlaces) == 0 || len(d.ActiveInterventions) != len(d.Areas) {
			t.Errorf("%s: %d area types, %d meeting places, %d intervention counts", c.org, len(d.AreaTypes), len(d.MeetingPlaces), len(d.ActiveInterventions))
		}
		i := slices.IndexFunc(d.Feasibility, func(f layers.FeasibilityInput) bool { return f.Key == partner })
		_, read := d.Partner[partner]
		if (d.Feasibility[i].Unavailable != "") != c.unavailable || read == c.unavailable {
			t.Errorf("%s: unavailable %q, shares read %v", c.org, d.Feasibility[i].Unavailable, read)
		}
	}
	if feas[0].Unavailable != "" || cat.Feasibility[0].Unavailable != "" {
		t.Error("the query's feasibility inputs were changed")
	}
}
