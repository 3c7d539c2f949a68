package layers_test

import (
	"context"
	"os"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

var testDB *layerstest.DB

func TestMain(m *testing.M) { os.Exit(layerstest.Main(m, "layers", &testDB)) }

// TestDeclarationsMatchTheDatabase checks every declared layer against the migrated schema:
// each column the declaration names exists in its relation, and the geometry columns have
// the declared SRIDs.
func TestDeclarationsMatchTheDatabase(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	for _, l := range layers.NewCatalogue().Layers() {
		t.Run(l.ID, func(t *testing.T) {
			cols := map[string]string{}
			rows, err := db.Pool.Query(ctx, `SELECT column_name, udt_name FROM information_schema.columns
				WHERE table_schema = 'public' AND table_name = $1`, l.Table)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var name, typ string
				if err := rows.Scan(&name, &typ); err != nil {
					t.Fatal(err)
				}
				cols[name] = typ
			}
			if len(cols) == 0 {
				t.Fatalf("relation %s does not exist", l.Table)
			}
			need := []string{l.IDColumn, "illustrative"}
			for _, c := range []string{l.Geometry, l.Mercator, l.TimeStart, l.TimeEnd} {
				if c != "" {
					need = append(need, c)
				}
			}
			for _, p := range l.Properties {
				need = append(need, p.Name)
			}
			for _, c := range need {
				if _, ok := cols[c]; !ok {
					t.Errorf("%s has no column %s", l.Table, c)
				}
			}
			if l.HasGeometry() {
				for col, srid := range map[string]int{l.Geometry: 3006, l.Mercator: 3857} {
					var got int
					err := db.Pool.QueryRow(ctx, `SELECT srid FROM geometry_columns WHERE f_table_name = $1 AND f_geometry_column = $2`,
						l.Table, col).Scan(&got)
					if err != nil || got != srid {
						t.Errorf("%s.%s: SRID %d (%v), want %d", l.Table, col, got, err, srid)
					}
				}
			}
		})
	}
}

// TestConstraintsRefuseBadRows shows the database itself refuses what the API must never store.
func TestConstraintsRefuseBadRows(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	bad := map[string]string{
		"invalid polygon": `INSERT INTO districts (code, name, level, geom)
			VALUES ('X1', 'Bowtie', 'district', ST_Multi(ST_GeomFromText('POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))', 3006)))`,
		"wrong SRID": `INSERT INTO places (name, kind, geom) VALUES ('Somewhere', 'park', ST_SetSRID(ST_MakePoint(16.5, 59.6), 4326))`,
		"unknown category": `INSERT INTO observations (observed_at, category, severity, source, geom)
			VALUES (now(), 'picnic', 1, 'police', ST_SetSRID(ST_MakePoint(590000, 6610000), 3006))`,
		"severity out of range": `INSERT INTO observations (observed_at, category, severity, source, geom)
			VALUES (now(), 'violence', 9, 'police', ST_SetSRID(ST_MakePoint(590000, 6610000), 3006))`,
		"unknown horizon": `INSERT INTO interventions (title, category, horizon, approach, lead_org, status)
			VALUES ('x', 'other', 'vinna_allt', 'preventive', 'BUF', 'active')`,
		"value for unknown district": `INSERT INTO indicator_values (district_code, indicator_key, year, value)
			VALUES ('NOPE', 'overcrowding', 2020, 1)`,
		"overlapping police classes": `INSERT INTO district_classifications (district_code, class, valid_from)
			SELECT district_code, 'risk', valid_from + 30 FROM district_classifications LIMIT 1`,
		"NaN value": `INSERT INTO indicator_values (district_code, indicator_key, year, value)
			SELECT code, 'overcrowding', 1999, 'NaN' FROM districts LIMIT 1`,
	}
	for name, sql := range bad {
		t.Run(name, func(t *testing.T) {
			tx, err := db.Pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if tag, err := tx.Exec(ctx, sql); err == nil {
				t.Errorf("the database accepted %s (%s)", name, tag)
			}
		})
	}
}
