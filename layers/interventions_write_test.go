package layers_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// fullIntervention has a value for every declared property of the interventions layer.
func fullIntervention(t *testing.T, geometry string) []byte {
	t.Helper()
	values := map[string]any{
		"title": "Trygghetsvandring", "description": "Med Mimer och föreningar.", "category": "meeting_place",
		"horizon": "bygga_freden", "approach": "promotive", "lead_org": "KIFF", "partners": []string{"Mimer"},
		"status": "active", "start_date": "2025-03-01", "end_date": nil, "hours_per_week": 4, "budget_sek": 0,
		"target_districts": []string{"1980-BACKBY"}, "target_indicators": []string{"low_education"},
		"target_categories": []string{"insecurity_report"}, "data_class": "open", "illustrative": false,
	}
	l, _ := layers.NewCatalogue().Layer("interventions")
	props := map[string]any{}
	for _, p := range l.Properties {
		v, ok := values[p.Name]
		if !ok {
			t.Fatalf("declared property %s has no value in this test: the write path must handle it", p.Name)
		}
		props[p.Name] = v
	}
	b, _ := json.Marshal(map[string]any{"type": "Feature", "geometry": json.RawMessage(geometry), "properties": props})
	return b
}

func TestParseInterventionFeature(t *testing.T) {
	x, y := crs.ToSWEREF99TM(16.55, 59.61)
	for _, tc := range []struct {
		name     string
		geometry string
		in       crs.CRS
		want     orb.Point // in EPSG:3006; zero: no geometry
	}{
		{"point in CRS84", `{"type":"Point","coordinates":[16.55,59.61]}`, crs.CRS84, orb.Point{x, y}},
		{"point in EPSG:3006", `{"type":"Point","coordinates":[` + ftoa(x) + `,` + ftoa(y) + `]}`, crs.SWEREF99TM, orb.Point{x, y}},
		{"null geometry", `null`, crs.CRS84, orb.Point{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iv, err := layers.ParseInterventionFeature(fullIntervention(t, tc.geometry), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if iv.Title != "Trygghetsvandring" || iv.DataClass != "open" || iv.EndDate != nil || iv.StartDate.Format("2006-01-02") != "2025-03-01" ||
				*iv.HoursPerWeek != 4 || *iv.BudgetSEK != 0 || len(iv.Categories) != 1 || iv.Indicators[0] != "low_education" {
				t.Errorf("parsed %+v", iv)
			}
			if tc.want == (orb.Point{}) {
				if iv.Geometry != nil {
					t.Errorf("geometry %v, want none (derived from the districts)", iv.Geometry)
				}
				return
			}
			p, ok := iv.Geometry.(orb.Point)
			if !ok || math.Abs(p[0]-tc.want[0]) > 1e-3 || math.Abs(p[1]-tc.want[1]) > 1e-3 {
				t.Errorf("geometry %v, want %v in EPSG:3006", iv.Geometry, tc.want)
			}
		})
	}
	// Defaults of the optional properties.
	iv, err := layers.ParseInterventionFeature([]byte(`{"type":"Feature","geometry":null,"properties":{"title":"t","category":"other",
		"horizon":"vinna_kriget","approach":"preventive","lead_org":"BUF","status":"planned"}}`), crs.CRS84)
	if err != nil {
		t.Fatal(err)
	}
	if iv.DataClass != "internal" || iv.Description != "" || iv.Partners == nil || len(iv.Partners) != 0 || iv.Illustrative || iv.HoursPerWeek != nil {
		t.Errorf("defaults: %+v", iv)
	}
	var inv *layers.InvalidError
	if _, err := layers.ParseInterventionFeature([]byte(`{"type":"Feature","properties":{"title":"t"}}`), crs.CRS84); !errors.As(err, &inv) || inv.Param != "properties.category" {
		t.Errorf("missing category: %v, want an error naming properties.category", err)
	}
	// The ends of the accepted ranges are accepted; one step beyond is a 400 naming the field.
	for _, tc := range []struct {
		extra string
		param string // "": accepted
	}{
		{`"start_date":"1900-01-01","end_date":"2100-12-31"`, ""},
		{`"start_date":"1899-12-31"`, "properties.start_date"},
		{`"end_date":"2101-01-01"`, "properties.end_date"},
		{`"hours_per_week":168,"budget_sek":1e12`, ""},
		{`"hours_per_week":168.01`, "properties.hours_per_week"},
		{`"budget_sek":1000000000001`, "properties.budget_sek"},
	} {
		body := `{"type":"Feature","geometry":null,"properties":{"title":"t","category":"other","horizon":"vinna_kriget",
			"approach":"preventive","lead_org":"BUF","status":"planned",` + tc.extra + `}}`
		_, err := layers.ParseInterventionFeature([]byte(body), crs.CRS84)
		if tc.param == "" && err != nil {
			t.Errorf("%s: %v", tc.extra, err)
		}
		if tc.param != "" && (!errors.As(err, &inv) || inv.Param != tc.param) {
			t.Errorf("%s: %v, want an error naming %s", tc.extra, err, tc.param)
		}
	}
}

func ftoa(f float64) string { b, _ := json.Marshal(f); return string(b) }

// TestInterventionHistoryIsAppendOnly writes through the store and then tries to rewrite
// the history behind its back, as a careless script in psql would.
func TestInterventionHistoryIsAppendOnly(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	iv, err := layers.ParseInterventionFeature(fullIntervention(t, "null"), crs.CRS84)
	if err != nil {
		t.Fatal(err)
	}
	id, err := store.CreateIntervention(ctx, iv, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Pool.Exec(context.Background(), `DELETE FROM interventions WHERE id = $1`, id) })
	if _, err := store.ReplaceIntervention(ctx, id, layers.Precondition{Versions: []int64{2}}, iv, ""); !errors.Is(err, layers.ErrVersionMismatch) {
		t.Errorf("replace at a version that is not current: %v, want ErrVersionMismatch", err)
	}
	if w, err := store.ReplaceIntervention(ctx, id, layers.Precondition{Versions: []int64{1}}, iv, "BUF:planner"); err != nil || w.Version != 2 {
		t.Fatalf("replace: version %d, %v", w.Version, err)
	}
	h, err := store.InterventionHistory(ctx, id)
	if err != nil || len(h) != 2 || h[1].ChangedBy == nil || *h[1].ChangedBy != "BUF:planner" || h[0].ChangedBy != nil {
		t.Fatalf("history %+v, %v", h, err)
	}
	for _, sql := range []string{
		`UPDATE intervention_history SET operation = 'update' WHERE intervention_id = $1`,
		`DELETE FROM intervention_history WHERE intervention_id = $1`,
		`TRUNCATE intervention_history`,
	} {
		tx, err := db.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		args := []any{id}
		if sql == `TRUNCATE intervention_history` {
			args = nil
		}
		if _, err := tx.Exec(ctx, sql, args...); err == nil {
			t.Errorf("the database allowed %s", sql)
		}
		_ = tx.Rollback(ctx)
	}
	if h2, _ := store.InterventionHistory(ctx, id); len(h2) != 2 {
		t.Errorf("history has %d entries after the refused rewrites, want 2", len(h2))
	}
	if _, err := store.InterventionHistory(ctx, 1<<40); !errors.Is(err, layers.ErrNotFound) {
		t.Errorf("history of an intervention that never existed: %v, want ErrNotFound", err)
	}
}
