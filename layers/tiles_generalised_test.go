package layers_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// TestGeneralisedColumns: every copy a layer declares (Layer.Generalised) is in its relation
// and holds, for every row, exactly what the tile query computed per tile before the copy
// existed — the Mercator geometry simplified to half a tile unit of its zoom — also right
// after a write of the geometry, which the copy must follow in the same transaction.
func TestGeneralisedColumns(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	checked := 0
	for _, l := range layers.NewCatalogue().Layers() {
		if l.Generalised.Empty() {
			continue
		}
		t.Run(l.ID, func(t *testing.T) {
			tx, err := db.Pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			// Moving every geometry by a metre makes every copy be computed again; the base
			// table holding the geometry is the layer's first source.
			g := pgx.Identifier{l.Geometry}.Sanitize()
			if _, err := tx.Exec(ctx, "UPDATE "+pgx.Identifier{l.SourceTables()[0]}.Sanitize()+" SET "+g+" = ST_Translate("+g+", 1, 0)"); err != nil {
				t.Fatalf("moving the geometries: %v", err)
			}
			for z := l.Generalised.Min; z <= l.Generalised.Max; z++ {
				col := pgx.Identifier{l.GeneralisedColumn(z)}.Sanitize()
				var rows, wrong int
				err := tx.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE ST_AsEWKB("+col+") IS DISTINCT FROM ST_AsEWKB(ST_Simplify("+
					pgx.Identifier{l.Mercator}.Sanitize()+", $1, true))) FROM "+pgx.Identifier{l.Table}.Sanitize(),
					layers.SimplifyTolerance(z)).Scan(&rows, &wrong)
				if err != nil {
					t.Fatalf("z%d: %v", z, err)
				}
				if rows == 0 || wrong > 0 {
					t.Errorf("%s.%s: %d of %d rows differ from %s simplified to half a z%d tile unit", l.Table, l.GeneralisedColumn(z), wrong, rows, l.Mercator, z)
				}
			}
			checked++
		})
	}
	if checked == 0 {
		t.Error("no layer declares generalised copies; the districts do (migration 024)")
	}
}

// TestPointTilesAsMVTGeom: point tiles are made without ST_AsMVTGeom (pointTileSQL) and must
// be, byte for byte, the tile ST_AsMVTGeom makes from the same rows: every tile at z8–z16
// holding a demo observation, with its neighbours, whose buffers hold points of the tiles
// beside them.
func TestPointTilesAsMVTGeom(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	store := layers.NewStore(db.Pool)
	cat := layers.NewCatalogue()
	for _, l := range cat.Layers() {
		if l.GeometryType != "Point" {
			continue
		}
		t.Run(l.ID, func(t *testing.T) {
			rows, err := db.Pool.Query(ctx, `
				WITH k AS (SELECT z, 2 * 20037508.342789244 / (1 << z) AS w FROM generate_series(8, 16) z),
				     c AS (SELECT DISTINCT k.z, floor((ST_X(o.`+l.Mercator+`) + 20037508.342789244) / k.w)::int AS x,
				                  floor((20037508.342789244 - ST_Y(o.`+l.Mercator+`)) / k.w)::int AS y
				           FROM (SELECT * FROM `+l.Table+` ORDER BY id LIMIT 300) o, k)
				SELECT DISTINCT c.z, c.x + dx, c.y + dy FROM c, generate_series(-1, 1) dx, generate_series(-1, 1) dy
				ORDER BY 1, 2, 3`)
			if err != nil {
				t.Fatal(err)
			}
			var ts []tiles.TileID
			for rows.Next() {
				var tid tiles.TileID
				if err := rows.Scan(&tid.Z, &tid.X, &tid.Y); err != nil {
					t.Fatal(err)
				}
				ts = append(ts, tid)
			}
			if rows.Err() != nil {
				t.Fatal(rows.Err())
			}
			var cols string
			for _, p := range l.TileFields() {
				cols += ", t." + p.Name
			}
			ref := `SELECT ST_AsMVT(mvt, $4, 4096, 'geom', 'id') FROM (SELECT ST_AsMVTGeom(t.` + l.Mercator + `, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom, t.id` + cols +
				` FROM ` + l.Table + ` t WHERE t.` + l.Mercator + ` && ST_TileEnvelope($1, $2, $3, margin => 0.015625) LIMIT 50000) mvt WHERE mvt.geom IS NOT NULL`
			filled := 0
			for _, tid := range ts {
				got, err := store.Tile(ctx, l, layers.TileQuery{Tile: tid})
				if err != nil {
					t.Fatalf("%v: %v", tid, err)
				}
				var want []byte
				if err := db.Pool.QueryRow(ctx, ref, tid.Z, tid.X, tid.Y, l.ID).Scan(&want); err != nil {
					t.Fatalf("%v: %v", tid, err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("tile %v: %d bytes, ST_AsMVTGeom's %d differ", tid, len(got), len(want))
				}
				if len(want) > 0 {
					filled++
				}
			}
			if filled < 100 {
				t.Errorf("only %d of %d tiles hold points; the comparison needs more", filled, len(ts))
			}
			t.Logf("%d tiles compared, %d with points", len(ts), filled)
		})
	}
}
