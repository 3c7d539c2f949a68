package layers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// BBox is a bounding box in CRS84 (lon/lat) or EPSG:3006 (easting/northing).
type BBox struct {
	MinX, MinY, MaxX, MaxY float64
	CRS                    crs.CRS
}

// Interval is a closed time interval; a nil end is open (unbounded).
type Interval struct {
	Start, End *time.Time
}

// Filter is an equality filter on a declared property, with a value of the property's Go type
// (string, int64, float64, bool or time.Time).
type Filter struct {
	Property string
	Value    any
}

// SortKey orders by a declared sortable property.
type SortKey struct {
	Property string
	Desc     bool
}

// GeometryFormat is how geometries are written into a Feature.
type GeometryFormat int

// Geometry formats.
const (
	GeoJSONGeometry GeometryFormat = iota
	WKTGeometry
)

// Query selects features of one layer. The zero value selects the first page of everything in CRS84.
type Query struct {
	BBox       *BBox
	Datetime   *Interval
	Filters    []Filter
	CQL        *CQLFilter // the filter parameter (OGC API – Features Part 3), nil for none
	SortBy     []SortKey
	Properties []string // nil: every declared property
	Limit      int      // 0: DefaultLimit
	Offset     int
	CRS        crs.CRS // output CRS: CRS84 (default) or SWEREF99TM
	Geometry   GeometryFormat
	// Count asks for NumberMatched on every page. Without it NumberMatched is given only
	// where the page itself shows it (the last page: offset plus the rows returned); an
	// exact count of a full page reads every match, which is what a page no longer does.
	Count bool
}

// Paging limits of the items endpoint.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// Feature is one row ready for output: the id as JSON, the geometry as GeoJSON or WKT text
// (nil when the row has none), and the properties as a JSON object in declared order.
type Feature struct {
	ID         json.RawMessage
	Geometry   []byte
	Properties json.RawMessage
	// Class is the row's data class from the layer's class column, whether or not the
	// properties include it ("" for a layer without one): what the audit of reads counts.
	Class DataClass
}

// Page is one page of features.
type Page struct {
	Features      []Feature
	NumberMatched int64 // -1 when not counted
	// More is true when a match follows this page.
	More bool
}

// EPSG:3006's area of use in CRS84 (EPSG registry). A CRS84 bbox is
// clipped to it before it is projected, because Transverse Mercator diverges far from its
// central meridian and nothing of ours is stored outside it.
const (
	areaMinLon, areaMinLat = 10.03, 54.96
	areaMaxLon, areaMaxLat = 24.17, 69.07
)

// Features returns one page of layer l's features that match q.
func (s *Store) Features(ctx context.Context, l *Layer, q Query) (*Page, error) {
	if err := q.validate(l); err != nil {
		return nil, err
	}
	// Only features with a geometry (a time) that meets the bbox (datetime) are in the answer
	// (OGC API – Features Part 1, /req/core/fc-bbox-response and fc-time-response): none of
	// a collection without one. A client that loops over every collection with the same
	// parameters gets an empty page there, not a 400.
	if (q.BBox != nil && !l.HasGeometry()) || (q.Datetime != nil && !l.Temporal()) {
		return &Page{Features: []Feature{}, NumberMatched: 0}, nil
	}
	parts := buildSelect(l, &q)
	if q.CQL != nil {
		cond, err := filterSQL(layerTarget(l), q.CQL, &parts.args)
		if err != nil {
			return nil, err
		}
		parts.where = andWhere(parts.where, cond)
	}
	page := &Page{NumberMatched: -1}
	if parts.empty {
		page.NumberMatched = 0
		return page, nil
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	// The page is read with one row more than it shows: that row says whether there is a
	// next page, and its absence that this page is the last, whose numberMatched is then
	// known without reading anything else. The inner query selects only the columns the
	// answer needs and keeps the page; the outer query turns just that page into JSON.
	cols := strings.Join(innerColumns(l, &q), ", ")
	var inner, order string
	tuned := false
	if q.BBox != nil && len(q.SortBy) == 0 {
		// A box's matches are paged by distance from the box's corner, then id: the GiST
		// index gives them nearest first, so a page reads its own rows and the ones before
		// it, not every match of the box as ORDER BY id did (which had to sort them all).
		// WITH TIES keeps every row as far as the last one kept, so the id order among equal
		// distances is the same on every page. The planner cannot know that the index scan
		// stops early (its estimate of a box's rows is the statistics', often tenfold low),
		// so the statement runs without bitmap scans and sorts (tunedSQL) — when the box is the
		// only condition: with a datetime or a filter, which may match a few rows of a large
		// box, the planner keeps its choice (an index of the filter, then a sort), as before.
		order = " ORDER BY t.dist__, t." + ident(l.IDColumn)
		inner = "SELECT * FROM (SELECT " + cols + ", t." + ident(l.Geometry) + " <-> env.anchor AS dist__ FROM " + parts.from + parts.where +
			" ORDER BY t." + ident(l.Geometry) + " <-> env.anchor" +
			fmt.Sprintf(" FETCH FIRST %d ROWS WITH TIES) t", int64(q.Offset)+int64(limit)+1) +
			order + fmt.Sprintf(" LIMIT %d OFFSET %d", limit+1, q.Offset)
		tuned = q.Datetime == nil && len(q.Filters) == 0 && q.CQL == nil
	} else {
		order = orderBy(l, q.SortBy)
		inner = "SELECT " + cols + " FROM " + parts.from + parts.where + order + fmt.Sprintf(" LIMIT %d OFFSET %d", limit+1, q.Offset)
	}
	sql := parts.with + parts.sel + " FROM (" + inner + ") t" + order
	db := s.read(ctx)
	var rows pgx.Rows
	var err error
	if tuned {
		rows, err = db.QueryTuned(ctx, sql, parts.args...)
	} else {
		rows, err = db.Query(ctx, sql, parts.args...)
	}
	if err != nil {
		return nil, fmt.Errorf("features %s: %w", l.ID, filterQueryError(err))
	}
	page.Features = make([]Feature, 0, min(limit+1, 1025))
	sc := parts.scanner()
	for rows.Next() {
		f, err := sc.scan(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("features %s: scan: %w", l.ID, err)
		}
		page.Features = append(page.Features, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("features %s: %w", l.ID, filterQueryError(err))
	}
	if len(page.Features) > limit {
		page.Features, page.More = page.Features[:limit], true
	} else if len(page.Features) > 0 || q.Offset == 0 {
		page.NumberMatched = int64(q.Offset + len(page.Features))
		return page, nil
	}
	if !q.Count {
		return page, nil
	}
	// Counted on request: every match is read (a full page's rows do not say how many
	// follow, a page past the end not how many came before).
	countSQL := parts.with + "SELECT count(*) FROM " + parts.from + parts.where
	if err := db.QueryRow(ctx, countSQL, parts.args...).Scan(&page.NumberMatched); err != nil {
		return nil, fmt.Errorf("features %s: count: %w", l.ID, filterQueryError(err))
	}
	return page, nil
}

// innerColumns are the columns a features query reads from the layer's relation: the id,
// the geometry, the selected properties and the sort keys.
func innerColumns(l *Layer, q *Query) []string {
	cols := []string{"t." + ident(l.IDColumn)}
	seen := map[string]bool{l.IDColumn: true}
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			cols = append(cols, "t."+ident(name))
		}
	}
	add(l.Geometry)
	add(l.ClassColumn)
	for _, p := range l.Properties {
		if q.Properties == nil || slices.Contains(q.Properties, p.Name) {
			add(p.Name)
		}
	}
	for _, k := range q.SortBy {
		add(k.Property)
	}
	return cols
}

// Feature returns the feature with the given id, or an error wrapping ErrNotFound.
func (s *Store) Feature(ctx context.Context, l *Layer, id string, out crs.CRS) (Feature, error) {
	q := Query{CRS: out}
	var key any = id
	if l.IDType == Integer {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return Feature{}, fmt.Errorf("feature %s/%s: %w", l.ID, id, ErrNotFound)
		}
		key = n
	}
	parts := buildSelect(l, &q)
	args := append(parts.args, key)
	sql := parts.sel + " FROM " + parts.from + fmt.Sprintf(" WHERE t.%s = $%d", ident(l.IDColumn), len(args))
	f, err := parts.scanner().scan(s.read(ctx).QueryRow(ctx, sql, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return Feature{}, fmt.Errorf("feature %s/%s: %w", l.ID, id, ErrNotFound)
	}
	if err != nil {
		return Feature{}, fmt.Errorf("feature %s/%s: %w", l.ID, id, err)
	}
	return f, nil
}

// ParseFilter turns the text of ?name=value into a Filter typed by the declaration.
func (l *Layer) ParseFilter(name, raw string) (Filter, error) {
	if name == "" { // "?=x": a problem naming the parameter "" would name nothing
		return Filter{}, Invalid("query", "a parameter without a name")
	}
	p, ok := l.Property(name)
	if !ok || !p.Filter {
		return Filter{}, Invalid(name, "unknown parameter; filterable properties of %s are %s", l.ID, strings.Join(l.filterable(), ", "))
	}
	v, err := p.parse(raw)
	if err != nil {
		return Filter{}, Invalid(name, "%v", err)
	}
	return Filter{Property: name, Value: v}, nil
}

func (l *Layer) filterable() []string {
	var names []string
	for _, p := range l.Properties {
		if p.Filter {
			names = append(names, p.Name)
		}
	}
	return names
}

// Sortable lists the properties allowed in sortby.
func (l *Layer) Sortable() []string {
	var names []string
	for _, p := range l.Properties {
		if p.Sort {
			names = append(names, p.Name)
		}
	}
	return names
}

func (p Property) parse(raw string) (any, error) {
	switch p.Type {
	case Integer:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", raw)
		}
		return n, nil
	case Number:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q is not a finite number", raw)
		}
		return f, nil
	case Boolean:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", raw)
		}
		return b, nil
	case Date:
		t, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", raw)
		}
		return t, nil
	case DateTime:
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return nil, fmt.Errorf("%q is not an RFC 3339 date-time", raw)
		}
		return t, nil
	case String:
		if len(p.Enum) > 0 && !slices.Contains(p.Enum, raw) {
			return nil, fmt.Errorf("%q is not one of %s", raw, strings.Join(p.Enum, ", "))
		}
		if len(raw) > 200 {
			return nil, errors.New("value longer than 200 characters")
		}
		return raw, nil
	}
	return nil, fmt.Errorf("properties of this type cannot be filtered")
}

func (q *Query) validate(l *Layer) error {
	if q.Limit < 0 || q.Limit > MaxLimit {
		return Invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	if q.Offset < 0 {
		return Invalid("offset", "must not be negative")
	}
	for _, name := range q.Properties {
		if _, ok := l.Property(name); !ok {
			return Invalid("properties", "unknown property %q", name)
		}
	}
	for _, k := range q.SortBy {
		p, ok := l.Property(k.Property)
		if !ok || !p.Sort {
			return Invalid("sortby", "cannot sort by %q; sortable properties are %s", k.Property, strings.Join(l.Sortable(), ", "))
		}
	}
	for _, f := range q.Filters {
		if p, ok := l.Property(f.Property); !ok || !p.Filter {
			return Invalid(f.Property, "not a filterable property")
		}
	}
	return nil
}

// ident quotes a declared identifier. Declarations are validated to plain lower-case names,
// and request text never reaches here.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

type argList []any

func (a *argList) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// bboxEnv is the one-row CTE "env" of a bbox filter (see bboxCond), with its values added
// to args: the box projected to EPSG:3006 once. A CRS84 box is first clipped to EPSG:3006's
// area of use — Transverse Mercator diverges far from its central meridian, and nothing is
// stored outside it — so the world box, or one reaching a pole, means what it says; empty is
// true when nothing is left (a box wholly outside, at the antimeridian or in the other
// hemisphere), and then nothing can match.
func bboxEnv(bb BBox, args *argList) (with string, empty bool) {
	if bb.CRS == crs.CRS84 {
		bb.MinX, bb.MinY = max(bb.MinX, areaMinLon), max(bb.MinY, areaMinLat)
		bb.MaxX, bb.MaxY = min(bb.MaxX, areaMaxLon), min(bb.MaxY, areaMaxLat)
	}
	if bb.MinX > bb.MaxX || bb.MinY > bb.MaxY {
		empty = true
		bb = BBox{CRS: crs.SWEREF99TM}
	}
	// The box is projected in Go (geo/crs), once; PostGIS gets its outline and the box inside
	// it, and runs the exact test only near the edges.
	pb := projectBBox(bb)
	outline, err := toEWKB(pb.outline)
	if err != nil {
		empty = true // unreachable for a finite polygon; nothing can match a box we cannot build
	}
	minX, minY := args.add(pb.inner.Min[0]), args.add(pb.inner.Min[1])
	return fmt.Sprintf("WITH env AS (SELECT ST_GeomFromEWKB(%s::bytea) AS g, ST_MakeEnvelope(%s, %s, %s, %s, 3006) AS inner, "+
		"ST_SetSRID(ST_MakePoint(%s, %s), 3006) AS anchor) ",
		args.add(outline), minX, minY, args.add(pb.inner.Max[0]), args.add(pb.inner.Max[1]), minX, minY), empty
}

// bboxCond is the condition that geometry g (EPSG:3006) intersects the box of bboxEnv, whose
// CTE must be in the query's FROM.
func bboxCond(g string) string {
	return fmt.Sprintf("%s && env.g AND (%s @ env.inner OR ST_Intersects(%s, env.g))", g, g, g)
}

// sqlParts are the pieces of a features query; the page and its count share them.
type sqlParts struct {
	with  string // "WITH env AS (...) " when there is a bbox
	sel   string // "SELECT id, geometry, class, property…" (read by scanner)
	props []Property
	from  string
	where string // " WHERE ..." or ""
	args  argList
	// empty is true when nothing can match (a CRS84 bbox wholly outside EPSG:3006's area of use).
	empty bool
}

// buildSelect builds the features query of q on layer l, but for its CQL2 filter (added by
// Features). Identifiers come from the declaration, values are parameters.
func buildSelect(l *Layer, q *Query) sqlParts {
	var parts sqlParts
	args := &parts.args
	var conds []string
	parts.from = ident(l.Table) + " t"

	if q.BBox != nil {
		parts.with, parts.empty = bboxEnv(*q.BBox, args)
		parts.from += ", env"
		conds = append(conds, bboxCond("t."+ident(l.Geometry)))
	}

	// The id as JSON, the geometry, the class and each property (propertyColumns), which
	// featureScanner turns into one JSON object in declared order.
	class := "''"
	if l.ClassColumn != "" {
		class = "t." + ident(l.ClassColumn)
	}
	cols, props := propertyColumns(l, q)
	parts.props = props
	parts.sel = "SELECT to_json(t." + ident(l.IDColumn) + ")::text, " + geometryExpr(l, q) + ", " + class + "::text"
	if len(cols) > 0 {
		parts.sel += ", " + strings.Join(cols, ", ")
	}

	conds = append(conds, filterConds(l, q.Datetime, q.Filters, args)...)
	if len(conds) > 0 {
		parts.where = " WHERE " + strings.Join(conds, " AND ")
	}
	return parts
}

// andWhere adds cond to the WHERE clause where (" WHERE …" or "").
func andWhere(where, cond string) string {
	if where == "" {
		return " WHERE " + cond
	}
	return where + " AND " + cond
}

func geometryExpr(l *Layer, q *Query) string {
	if !l.HasGeometry() {
		return "NULL::text"
	}
	g := "t." + ident(l.Geometry)
	prec := 2 // centimetres in EPSG:3006
	if q.CRS != crs.SWEREF99TM {
		g = "ST_Transform(" + g + ", 4326)"
		prec = 7 // about a centimetre in degrees
	}
	if q.Geometry == WKTGeometry {
		return fmt.Sprintf("ST_AsText(%s, %d)", g, prec)
	}
	// Options 0: no bbox and no "crs" member (the Content-Crs header says the CRS).
	return fmt.Sprintf("ST_AsGeoJSON(%s, %d, 0)", g, prec)
}

func orderBy(l *Layer, keys []SortKey) string {
	var parts []string
	for _, k := range keys {
		dir := "ASC NULLS LAST"
		if k.Desc {
			dir = "DESC NULLS LAST"
		}
		parts = append(parts, "t."+ident(k.Property)+" "+dir)
	}
	parts = append(parts, "t."+ident(l.IDColumn))
	return " ORDER BY " + strings.Join(parts, ", ")
}
