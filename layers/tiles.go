package layers

import (
	"context"
	"fmt"
	"strings"

	"github.com/lagesbild/lagesbild/geo/tiles"
)

// Vector tile parameters: the MVT extent and the buffer around a tile, in tile units.
const (
	TileExtent = 4096
	TileBuffer = 64
	// MaxTileZoom is the deepest zoom served; beyond it a tile is finer than a centimetre.
	MaxTileZoom = 22
	// AggregateBelowZoom: observation tiles at lower zooms carry counts per grid cell instead
	// of points; at z12 a Västerås tile already holds thousands of points.
	AggregateBelowZoom = 13
	// MaxTileFeatures caps the rows of one layer in one tile, as pg_tileserv does (its
	// default is the same), so a raw request at a low zoom cannot exhaust memory.
	MaxTileFeatures = 50000
	// aggregateCellPx is the side of an aggregate cell in pixels of a 256-pixel tile.
	aggregateCellPx = 8
)

// TileQuery selects what goes into a tile of one layer.
type TileQuery struct {
	Tile     tiles.TileID
	Datetime *Interval
	Filters  []Filter
	// CQL is the filter parameter (CQL2, translated as for items), nil for none.
	CQL *CQLFilter
	// Aggregate replaces points by counts per grid cell (point layers only).
	Aggregate bool
	// MinCount suppresses aggregate cells with fewer observations and rounds the counts and
	// severity sums of the others to the nearest multiple of it (disclosure control; 0: none).
	// Rounding keeps a cell at one zoom minus its shown children at the next (the cells nest)
	// from giving the count of the suppressed ones exactly.
	MinCount int
	// Properties narrows the attributes to these tile fields (nil: all of them). The feature
	// id always goes in.
	Properties []string
}

// TileFields are the properties a layer's tiles carry, with their types: the declared
// properties marked Tile, plus "id" for layers whose ids are strings (MVT feature ids are
// integers).
func (l *Layer) TileFields() []Property {
	var ps []Property
	if l.IDType == String {
		ps = append(ps, Property{Name: l.IDColumn, Type: String, Description: "Identifier."})
	}
	for _, p := range l.Properties {
		if p.Tile {
			ps = append(ps, p)
		}
	}
	return ps
}

// tileFieldsFor returns the tile fields named in props, in declaration order; all of them
// for nil. A string id is always kept, being the only way to tell the features apart.
func (l *Layer) tileFieldsFor(props []string) ([]Property, error) {
	all := l.TileFields()
	if props == nil {
		return all, nil
	}
	want := map[string]bool{}
	for _, name := range props {
		found := false
		for _, p := range all {
			found = found || p.Name == name
		}
		if !found {
			return nil, Invalid("properties", "%q is not a tile property of %s", name, l.ID)
		}
		want[name] = true
	}
	var out []Property
	for _, p := range all {
		if want[p.Name] || (l.IDType == String && p.Name == l.IDColumn) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Tile returns the Mapbox Vector Tile of layer l for q; empty (no bytes) when nothing is in it.
func (s *Store) Tile(ctx context.Context, l *Layer, q TileQuery) ([]byte, error) {
	var args argList
	sql, err := tileLayerSQL(l, q, &args)
	if err != nil {
		return nil, err
	}
	var mvt []byte
	if err := s.read(ctx).QueryRow(ctx, sql, args...).Scan(&mvt); err != nil {
		return nil, fmt.Errorf("tile %s %v: %w", l.ID, q.Tile, filterQueryError(err))
	}
	return mvt, nil
}

// CombinedTile returns one tile holding several layers (the page's base layers), made in one
// round trip: MVT layers are concatenable, a tile being a sequence of layer messages.
func (s *Store) CombinedTile(ctx context.Context, ls []*Layer, t tiles.TileID) ([]byte, error) {
	var args argList
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		sql, err := tileLayerSQL(l, TileQuery{Tile: t}, &args)
		if err != nil {
			return nil, err
		}
		parts = append(parts, "coalesce(("+sql+"), ''::bytea)")
	}
	var mvt []byte
	if err := s.read(ctx).QueryRow(ctx, "SELECT "+strings.Join(parts, " || "), args...).Scan(&mvt); err != nil {
		return nil, fmt.Errorf("combined tile %v: %w", t, err)
	}
	return mvt, nil
}

// tileLayerSQL builds the scalar sub-select that makes one layer's MVT for q. Identifiers
// come from the declaration; the tile coordinates, filters and sizes are parameters.
func tileLayerSQL(l *Layer, q TileQuery, args *argList) (string, error) {
	if !l.HasGeometry() {
		return "", fmt.Errorf("layer %s has no geometry: %w", l.ID, ErrNotFound)
	}
	if q.Datetime != nil && !l.Temporal() {
		return "", Invalid("datetime", "collection %s has no temporal property", l.ID)
	}
	for _, f := range q.Filters {
		if p, ok := l.Property(f.Property); !ok || !p.Filter {
			return "", Invalid(f.Property, "not a filterable property")
		}
	}
	fields, err := l.tileFieldsFor(q.Properties)
	if err != nil {
		return "", err
	}
	z, x, y := args.add(q.Tile.Z), args.add(q.Tile.X), args.add(q.Tile.Y)
	// The envelope with the buffer selects rows; the plain one is what ST_AsMVTGeom clips to.
	env := fmt.Sprintf("ST_TileEnvelope(%s, %s, %s)", z, x, y)
	envBuf := fmt.Sprintf("ST_TileEnvelope(%s, %s, %s, margin => %g)", z, x, y, float64(TileBuffer)/TileExtent)
	geom := "t." + ident(l.Mercator)
	conds := []string{geom + " && " + envBuf}
	conds = append(conds, filterConds(l, q.Datetime, q.Filters, args)...)
	if q.CQL != nil {
		cond, err := filterSQL(layerTarget(l), q.CQL, args)
		if err != nil {
			return "", err
		}
		conds = append(conds, cond)
	}
	where := " WHERE " + strings.Join(conds, " AND ")
	name := args.add(l.ID)

	if q.Aggregate {
		if l.GeometryType != "Point" {
			return "", Invalid("aggregate", "only point layers can be aggregated")
		}
		// Cells are anchored at the Web Mercator origin, so they line up across tiles.
		cell := args.add(2 * tiles.HalfExtent / float64(int(1)<<q.Tile.Z) / 256 * aggregateCellPx)
		having, count := "", "count(*)"
		sev := "NULL::bigint"
		if p, ok := l.Property("severity"); ok && p.Type == Integer {
			sev = "sum(t.severity)"
		}
		if q.MinCount > 0 {
			k := args.add(q.MinCount)
			having = " HAVING count(*) >= " + k
			count = fmt.Sprintf("(round(count(*) / %[1]s::numeric) * %[1]s)::bigint", k)
			if sev != "NULL::bigint" {
				sev = fmt.Sprintf("(round(%[2]s / %[1]s::numeric) * %[1]s)::bigint", k, sev)
			}
		}
		return fmt.Sprintf(`SELECT ST_AsMVT(mvt, %[1]s, %[2]d, 'geom') FROM (
  SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint((g.gx + 0.5) * %[3]s, (g.gy + 0.5) * %[3]s), 3857), %[4]s, %[2]d, %[5]d, true) AS geom,
         g.count, g.severity_sum
  FROM (SELECT floor(ST_X(%[6]s) / %[3]s) AS gx, floor(ST_Y(%[6]s) / %[3]s) AS gy,
               %[11]s AS count, %[7]s AS severity_sum
        FROM %[8]s t%[9]s GROUP BY 1, 2%[10]s) g
) mvt WHERE mvt.geom IS NOT NULL`,
			name, TileExtent, cell, env, TileBuffer, geom, sev, ident(l.Table), where, having, count), nil
	}

	var props []string
	idCol := "NULL"
	if l.IDType == Integer {
		props = append(props, ident(l.IDColumn))
		idCol = "'" + l.IDColumn + "'"
	}
	for _, p := range fields {
		props = append(props, ident(p.Name))
	}
	if l.GeometryType == "Point" {
		return pointTileSQL(name, geom, env, idCol, ident(l.Table), where, props), nil
	}
	cols := []string{fmt.Sprintf("ST_AsMVTGeom(%s, %s, %d, %d, true) AS geom", tileGeometrySQL(l, q.Tile.Z, args), env, TileExtent, TileBuffer)}
	for _, p := range props {
		cols = append(cols, "t."+p)
	}
	return fmt.Sprintf(`SELECT ST_AsMVT(mvt, %s, %d, 'geom', %s) FROM (SELECT %s FROM %s t%s LIMIT %d) mvt WHERE mvt.geom IS NOT NULL`,
		name, TileExtent, idCol, strings.Join(cols, ", "), ident(l.Table), where, MaxTileFeatures), nil
}

// pointTileSQL is the tile of a point layer: the same rows in the same order as
// ST_AsMVTGeom(geom, env, TileExtent, TileBuffer, true) would give, and the same tile to the
// byte (TestPointTilesAsMVTGeom), without calling it. For a point ST_AsMVTGeom does
// arithmetic — x·fx + xoff and y·fy + yoff with the coefficients below, rounded half to even
// (rint) to the tile grid, kept when within the buffer — but around it deserialises and
// serialises the geometry and runs its clipping machinery, which measured (pgbench, a tile
// of 50,000 points) about as much PostgreSQL CPU as everything else in the tile together.
// The coefficients are computed once per statement (InitPlans) from the same envelope, in
// the order ST_AsMVTGeom computes them (PostGIS mvt.c, mvt_geom), so the floating-point
// results are the same.
func pointTileSQL(name, geom, env, idCol, table, where string, props []string) string {
	coef := func(expr string) string { return fmt.Sprintf("(SELECT %s FROM %s AS e)", expr, env) }
	fx := coef(fmt.Sprintf("%d / (ST_XMax(e) - ST_XMin(e))", TileExtent))
	xoff := coef(fmt.Sprintf("-ST_XMin(e) * (%d / (ST_XMax(e) - ST_XMin(e)))", TileExtent))
	fy := coef(fmt.Sprintf("-(%d / (ST_YMax(e) - ST_YMin(e)))", TileExtent))
	yoff := coef(fmt.Sprintf("-ST_YMax(e) * -(%d / (ST_YMax(e) - ST_YMin(e)))", TileExtent))
	inner := []string{
		fmt.Sprintf("round(ST_X(%s) * %s + %s) AS mvt_x", geom, fx, xoff),
		fmt.Sprintf("round(ST_Y(%s) * %s + %s) AS mvt_y", geom, fy, yoff),
	}
	outer := []string{"ST_Point(p.mvt_x, p.mvt_y) AS geom"}
	for _, c := range props {
		inner = append(inner, "t."+c)
		outer = append(outer, "p."+c)
	}
	return fmt.Sprintf(`SELECT ST_AsMVT(mvt, %[1]s, %[2]d, 'geom', %[3]s) FROM (
  SELECT %[4]s FROM (SELECT %[5]s FROM %[6]s t%[7]s LIMIT %[8]d) p
  WHERE p.mvt_x BETWEEN %[9]d AND %[10]d AND p.mvt_y BETWEEN %[9]d AND %[10]d) mvt`,
		name, TileExtent, idCol, strings.Join(outer, ", "), strings.Join(inner, ", "), table, where, MaxTileFeatures,
		-TileBuffer, TileExtent+TileBuffer)
}

// SimplifyTolerance is half a tile unit at zoom z in EPSG:3857 metres: what polygons are
// simplified to before ST_AsMVTGeom, finer detail being lost in the MVT grid anyway.
func SimplifyTolerance(z int) float64 {
	return 2 * tiles.HalfExtent / float64(int(1)<<z) / TileExtent / 2
}

// tileGeometrySQL is the expression of l's polygons in a tile at zoom z, simplified to half a
// tile unit (fewer vertices make ST_AsMVTGeom faster at low zooms). Where the table holds the
// simplified copy for z (Layer.Generalised) it is read instead: simplifying per tile cost
// half the PostgreSQL time of a z16 district tile. Above the copies' zooms the geometry is
// read as stored, unsimplified: on the benchmark's districts half a unit removes under 1 %
// of the vertices from z13, and the tile bytes differed in 1 of 763 z16 tiles. Below them
// the first copy is simplified further.
func tileGeometrySQL(l *Layer, z int, args *argList) string {
	r := l.Generalised
	switch {
	case r.Empty():
		return fmt.Sprintf("ST_Simplify(t.%s, %s, true)", ident(l.Mercator), args.add(SimplifyTolerance(z)))
	case z > r.Max:
		return "t." + ident(l.Mercator)
	case z < r.Min:
		return fmt.Sprintf("ST_Simplify(t.%s, %s, true)", ident(l.GeneralisedColumn(r.Min)), args.add(SimplifyTolerance(z)))
	}
	return "t." + ident(l.GeneralisedColumn(z))
}

// filterConds are the WHERE conditions of the datetime and property filters, shared by
// features and tiles.
func filterConds(l *Layer, dt *Interval, filters []Filter, args *argList) []string {
	var conds []string
	if dt != nil {
		startCol := "t." + ident(l.TimeStart)
		if l.TimeEnd == "" {
			if dt.Start != nil {
				conds = append(conds, startCol+" >= "+args.add(*dt.Start))
			}
			if dt.End != nil {
				conds = append(conds, startCol+" <= "+args.add(*dt.End))
			}
		} else {
			// Interval rows match when they overlap the query; a NULL end is open.
			endCol := "t." + ident(l.TimeEnd)
			endExpr, op := endCol, ">="
			if p, _ := l.Property(l.TimeEnd); p.Type == Date {
				// A date end is inclusive: the row runs until the start of the next day.
				endExpr, op = "("+endCol+" + 1)", ">"
			}
			if dt.Start != nil {
				conds = append(conds, fmt.Sprintf("(%s IS NULL OR %s %s %s)", endCol, endExpr, op, args.add(*dt.Start)))
			}
			if dt.End != nil {
				conds = append(conds, fmt.Sprintf("(%s IS NULL OR %s <= %s)", startCol, startCol, args.add(*dt.End)))
			}
		}
	}
	for _, f := range filters {
		conds = append(conds, fmt.Sprintf("t.%s = %s", ident(f.Property), args.add(f.Value)))
	}
	return conds
}
