package layers_test

import (
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/lagesbild/lagesbild/data"
	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// illustrativeCounts counts the illustrative rows of every demo table.
const illustrativeCountsSQL = `
SELECT (SELECT count(*) FROM districts WHERE illustrative),
       (SELECT count(*) FROM district_classifications WHERE illustrative),
       (SELECT count(*) FROM vulnerable_areas WHERE illustrative),
       (SELECT count(*) FROM places WHERE illustrative),
       (SELECT count(*) FROM observations WHERE illustrative),
       (SELECT count(*) FROM indicators WHERE illustrative),
       (SELECT count(*) FROM indicator_values WHERE illustrative),
       (SELECT count(*) FROM interventions WHERE illustrative),
       (SELECT count(*) FROM intervention_districts t JOIN interventions i ON i.id = t.intervention_id
         WHERE i.illustrative),
       (SELECT count(*) FROM partner_features f JOIN partner_layers l ON l.id = f.layer_id WHERE l.illustrative)`

// TestLoadDemo loads the demo twice on top of the test database (which already holds one
// load) and checks that the result is the same, complete and geometrically sound.
func TestLoadDemo(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	ds, err := data.Generate(data.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	store := layers.NewStore(db.Pool)

	counts := func() layers.DemoSummary {
		t.Helper()
		var c layers.DemoSummary
		err := db.Pool.QueryRow(ctx, illustrativeCountsSQL).Scan(&c.Districts, &c.DistrictClassifications, &c.VulnerableAreas, &c.Places,
			&c.Observations, &c.Indicators, &c.IndicatorValues, &c.Interventions, &c.InterventionDistricts, &c.PartnerFeatures)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	first, err := store.LoadDemo(ctx, ds)
	if err != nil {
		t.Fatalf("first load: %v", err)
	}
	afterFirst := counts()
	second, err := store.LoadDemo(ctx, ds)
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	afterSecond := counts()

	targets := 0
	for _, iv := range ds.Interventions {
		targets += len(iv.Districts)
	}
	want := layers.DemoSummary{
		Districts:               int64(len(ds.Districts)) + 1,
		DistrictClassifications: int64(len(ds.Classifications)),
		VulnerableAreas:         int64(len(ds.VulnerableAreas)),
		Places:                  int64(len(ds.Places)),
		Observations:            int64(len(ds.Observations)),
		Indicators:              int64(len(ds.Indicators)),
		IndicatorValues:         int64(len(ds.IndicatorValues)),
		Interventions:           int64(len(ds.Interventions)),
		InterventionDistricts:   int64(targets),
		PartnerFeatures:         int64(len(ds.MimerBuildings)),
	}
	second.Removed, first.Removed = 0, 0
	for _, tt := range []struct {
		name string
		got  layers.DemoSummary
	}{
		{"first load summary", first},
		{"second load summary", second},
		{"rows after first load", afterFirst},
		{"rows after second load", afterSecond},
	} {
		if tt.got != want {
			t.Errorf("%s: got %+v, want %+v", tt.name, tt.got, want)
		}
	}

	checks := []struct {
		name string
		sql  string
		want int64
	}{
		{"invalid district polygons", `SELECT count(*) FROM districts WHERE illustrative AND NOT ST_IsValid(geom)`, 0},
		{"places outside every district", `SELECT count(*) FROM places_features WHERE illustrative AND district_code IS NULL`, 0},
		{"observations outside the municipality", `
			SELECT count(*) FROM observations o, districts m
			WHERE o.illustrative AND m.code = '1980' AND NOT ST_Intersects(m.geom, o.geom)`, 0},
		{"districts without a parent", `SELECT count(*) FROM districts WHERE illustrative AND level = 'district' AND parent_code IS DISTINCT FROM '1980'`, 0},
	}
	for _, c := range checks {
		var got int64
		if err := db.Pool.QueryRow(ctx, c.sql).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}

	// The Voronoi cells, clipped, partition the outline: no gaps, no overlaps.
	var sumArea, unionArea, outlineArea float64
	err = db.Pool.QueryRow(ctx, `
		SELECT sum(ST_Area(d.geom)), ST_Area(ST_Union(d.geom)), (SELECT ST_Area(geom) FROM districts WHERE code = '1980')
		FROM districts d WHERE d.illustrative AND d.level = 'district'`).Scan(&sumArea, &unionArea, &outlineArea)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		name string
		got  float64
	}{{"sum of district areas", sumArea}, {"area of their union", unionArea}} {
		if math.Abs(a.got-outlineArea)/outlineArea > 0.001 {
			t.Errorf("%s: got %.0f m², want %.0f m² (outline) within 0.1 %%", a.name, a.got, outlineArea)
		}
	}

	// Each place lands in the district the generator positioned it in.
	for _, p := range ds.Places {
		var got string
		if err := db.Pool.QueryRow(ctx, `SELECT district_code FROM places_features WHERE name = $1`, p.Name).Scan(&got); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if got != p.DistrictCode {
			t.Errorf("place %s: in district %s, want %s", p.Name, got, p.DistrictCode)
		}
	}

	var class *string
	if err := db.Pool.QueryRow(ctx, `SELECT police_class FROM districts_features WHERE code = $1`, "1980-BACKBY").Scan(&class); err != nil {
		t.Fatal(err)
	}
	if class == nil || *class != "utsatt" {
		t.Errorf("Bäckby police_class: got %v, want utsatt", class)
	}
}

// TestLoadDemoIdentity: a reload keeps every demo row's id; a demo row changed other than
// through the API is the demo's and is brought back to the demo's content, one removed other
// than through the API comes back under its id; a demo intervention the API changed or deleted
// is the user's and stays as the user left it (issue 14, point 1).
func TestLoadDemoIdentity(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	orig, err := data.Generate(data.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	// The demo plus three interventions of this test's own, so the shipped ones stay as they are.
	ds := *orig
	ds.Interventions = append([]data.Intervention(nil), orig.Interventions...)
	keys := []string{"Identitetstest: ändras", "Identitetstest: raderas", "Identitetstest: försvinner"}
	for _, k := range keys {
		iv := orig.Interventions[0]
		iv.Title = k
		ds.Interventions = append(ds.Interventions, iv)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = db.Pool.Exec(ctx, `DELETE FROM interventions WHERE id IN (SELECT intervention_id FROM demo_interventions WHERE demo_key = ANY($1))`, keys)
		_, _ = db.Pool.Exec(ctx, `DELETE FROM demo_interventions WHERE demo_key = ANY($1)`, keys)
	})
	if _, err := store.LoadDemo(ctx, &ds); err != nil {
		t.Fatal(err)
	}

	snapshot := func() map[string]int64 {
		t.Helper()
		rows, err := db.Pool.Query(ctx, `
			SELECT 'place ' || name, id FROM places WHERE illustrative
			UNION ALL SELECT 'observation ' || source || ' ' || source_id, id FROM observations WHERE illustrative
			UNION ALL SELECT 'intervention ' || d.demo_key, i.id FROM demo_interventions d JOIN interventions i ON i.id = d.intervention_id`)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int64{}
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				t.Fatal(err)
			}
			m[k] = id
		}
		return m
	}
	before := snapshot()
	id := func(key string) int64 {
		t.Helper()
		v, ok := before["intervention "+key]
		if !ok {
			t.Fatalf("no intervention %q after the load", key)
		}
		return v
	}
	changed, deleted, gone := id(keys[0]), id(keys[1]), id(keys[2])

	// Through the API: a patch and a delete. Behind its back: a place edited, an intervention removed.
	if _, err := store.PatchIntervention(ctx, changed, layers.Precondition{Versions: []int64{1}},
		[]byte(`{"properties":{"hours_per_week":99}}`), crs.CRS84, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DeleteIntervention(ctx, deleted, layers.Precondition{Any: true}, "test"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE places SET description = 'ändrad i psql' WHERE name = 'Vasaparken'`,
		`DELETE FROM interventions WHERE id = ` + strconv.FormatInt(gone, 10)} {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}

	for i := 1; i <= 2; i++ {
		sum, err := store.LoadDemo(ctx, &ds)
		if err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
		if i == 2 && sum.Written != 0 {
			t.Errorf("reload %d of the same demo wrote %d rows, want 0", i, sum.Written)
		}
		if sum.Kept < 2 {
			t.Errorf("reload %d: kept %d interventions the API wrote, want at least 2", i, sum.Kept)
		}
	}

	after := snapshot()
	delete(before, "intervention "+keys[1])
	for k, was := range before {
		if after[k] != was {
			t.Errorf("%s: id %d before the reloads, %d after", k, was, after[k])
		}
	}
	if _, ok := after["intervention "+keys[1]]; ok {
		t.Errorf("the intervention deleted through the API is back after a reload")
	}
	var desc string
	var hours float64
	var version int64
	if err := db.Pool.QueryRow(ctx, `SELECT description FROM places WHERE name = 'Vasaparken'`).Scan(&desc); err != nil {
		t.Fatal(err)
	}
	if desc == "ändrad i psql" {
		t.Error("a demo place changed behind the API kept the change: a reload is to restore the demo's")
	}
	if err := db.Pool.QueryRow(ctx, `SELECT hours_per_week, version FROM interventions WHERE id = $1`, changed).Scan(&hours, &version); err != nil {
		t.Fatal(err)
	}
	if hours != 99 || version != 2 {
		t.Errorf("the intervention patched through the API: hours_per_week %g version %d after the reloads, want 99 and 2", hours, version)
	}
}
