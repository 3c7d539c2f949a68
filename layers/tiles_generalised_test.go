package layers_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

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
