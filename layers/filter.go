package layers

// CQL2 filters (OGC API – Features Part 3) translated to SQL. What a filter may name comes
// from the declaration only: a layer's queryables (its declared properties of a scalar type
// and its geometry) or a partner layer's inferred fields. Every value of the filter is a
// parameter; the operators and functions come from the fixed tables below, so request text
// never becomes SQL text. The query runs on the same relation and under the same row-level
// security as the unfiltered one.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/lagesbild/lagesbild/geo/cql2"
	"github.com/lagesbild/lagesbild/geo/crs"
)

// CQLFilter is a parsed CQL2 filter with the CRS of its geometry literals (filter-crs).
type CQLFilter struct {
	Expr *cql2.Expr
	CRS  crs.CRS
}

// GeometryQueryable is the name a filter uses for a layer's geometry (as GDAL, QGIS and
// pygeoapi do); the geometry column's own name is accepted as well.
const GeometryQueryable = "geometry"

// Queryable is one property a filter may name.
type Queryable struct {
	Name        string
	Type        PropType
	Description string
	Enum        []string
}

// Queryables lists what a filter on l may name besides its geometry: the declared properties
// of a scalar type. (Arrays and JSON objects are not comparable in CQL2's basic classes.)
func (l *Layer) Queryables() []Queryable {
	var qs []Queryable
	for _, p := range l.Properties {
		if p.Type == StringArray || p.Type == JSON {
			continue
		}
		qs = append(qs, Queryable{Name: p.Name, Type: p.Type, Description: p.Description, Enum: p.Enum})
	}
	return qs
}

// filterTarget is what a filter on one relation (alias t) may name, and how in SQL.
type filterTarget struct {
	props map[string]column
	names []string // queryable names in order, for messages
	geom  string   // SQL of the geometry, "" for none
	alias string   // the geometry column's own name, accepted beside GeometryQueryable
	srid  int      // of geom
}

type column struct {
	sql string
	typ PropType
	// jsonKey, when set, is a key of the jsonb column properties, cast to typ by sql (a
	// suffix); it is added as a parameter only when the filter names it, since PostgreSQL
	// refuses a parameter it cannot type.
	jsonKey string
}

func layerTarget(l *Layer) *filterTarget {
	ft := &filterTarget{props: map[string]column{}, srid: l.StorageSRID()}
	for _, q := range l.Queryables() {
		ft.props[q.Name] = column{sql: "t." + ident(q.Name), typ: q.Type}
		ft.names = append(ft.names, q.Name)
	}
	if l.HasGeometry() {
		ft.geom, ft.alias = "t."+ident(l.Geometry), l.Geometry
	}
	return ft
}

// partnerTarget names a partner layer's fields, stored in the jsonb column properties; the
// field name is a parameter.
func partnerTarget(fields []PartnerField) *filterTarget {
	ft := &filterTarget{props: map[string]column{}, geom: "t.geom", alias: "geom", srid: 3006}
	for _, f := range fields {
		var typ PropType
		cast := ""
		switch f.Type {
		case "integer":
			typ, cast = Integer, "::numeric"
		case "number":
			typ, cast = Number, "::float8"
		case "boolean":
			typ, cast = Boolean, "::boolean"
		case "date":
			typ, cast = Date, "::date"
		case "datetime":
			typ, cast = DateTime, "::timestamptz"
		default:
			typ = String
		}
		ft.props[f.Name] = column{sql: cast, typ: typ, jsonKey: f.Name}
		ft.names = append(ft.names, f.Name)
	}
	return ft
}

// StorageSRID is the SRID of the layer's geometry column: EPSG:3006 unless declared.
func (l *Layer) StorageSRID() int {
	if l.SRID != 0 {
		return l.SRID
	}
	return 3006
}

// vtype is the type of a translated expression.
type vtype int

const (
	vBool vtype = iota
	vString
	vNumber
	vDate
	vTimestamp
	vGeom
)

func (t vtype) String() string {
	return [...]string{"a condition", "a string", "a number", "a date", "a timestamp", "a geometry"}[t]
}

func propVType(t PropType) vtype {
	switch t {
	case Integer, Number:
		return vNumber
	case Boolean:
		return vBool
	case Date:
		return vDate
	case DateTime:
		return vTimestamp
	}
	return vString
}

type sqlExpr struct {
	sql string
	t   vtype
	// literal is true for a value written in the filter (not a property or a computation).
	literal bool
	// open marks the open end ('..') of an interval.
	open bool
}

// translator turns one filter into SQL against one target.
type translator struct {
	ft   *filterTarget
	args *argList
	crs  crs.CRS
}

func filterErr(format string, args ...any) error { return Invalid("filter", format, args...) }

// filterSQL translates f into a boolean SQL condition on target ft, its values added to args.
// A filter that names what the target does not have, or combines types CQL2 does not allow,
// is an *InvalidError for the parameter "filter".
func filterSQL(ft *filterTarget, f *CQLFilter, args *argList) (string, error) {
	tr := &translator{ft: ft, args: args, crs: f.CRS}
	e, err := tr.expr(f.Expr)
	if err != nil {
		return "", err
	}
	if e.t != vBool {
		return "", filterErr("the filter is %s, not a condition", e.t)
	}
	return e.sql, nil
}

// CheckFilter reports whether f can be translated for l: what it names is among l's
// queryables and its types combine (an *InvalidError for "filter" if not). Whether its values
// can be evaluated on the stored rows (an overflow) shows only when the query runs.
func (l *Layer) CheckFilter(f *CQLFilter) error {
	var args argList
	_, err := filterSQL(layerTarget(l), f, &args)
	return err
}

var spatialFuncs = map[string]string{
	"s_intersects": "ST_Intersects", "s_equals": "ST_Equals", "s_touches": "ST_Touches",
	"s_within": "ST_Within", "s_overlaps": "ST_Overlaps", "s_crosses": "ST_Crosses",
	"s_contains": "ST_Contains",
}

func (tr *translator) expr(e *cql2.Expr) (sqlExpr, error) {
	switch e.Kind {
	case cql2.Bool:
		return sqlExpr{sql: tr.args.add(e.Bool) + "::boolean", t: vBool, literal: true}, nil
	case cql2.String:
		return sqlExpr{sql: tr.args.add(e.Str) + "::text", t: vString, literal: true}, nil
	case cql2.Number:
		if e.Num == math.Trunc(e.Num) && math.Abs(e.Num) < 1<<53 {
			return sqlExpr{sql: tr.args.add(int64(e.Num)) + "::bigint", t: vNumber, literal: true}, nil
		}
		return sqlExpr{sql: tr.args.add(e.Num) + "::float8", t: vNumber, literal: true}, nil
	case cql2.Date:
		return sqlExpr{sql: tr.args.add(e.Time) + "::date", t: vDate, literal: true}, nil
	case cql2.Timestamp:
		return sqlExpr{sql: tr.args.add(e.Time) + "::timestamptz", t: vTimestamp, literal: true}, nil
	case cql2.Property:
		return tr.property(e.Name)
	case cql2.Geometry, cql2.BBox:
		return tr.geometry(e)
	case cql2.Interval:
		return sqlExpr{}, filterErr("an interval can only be an operand of a temporal operator (T_…)")
	case cql2.Unbounded:
		return sqlExpr{}, filterErr("'..' can only be the end of an interval")
	case cql2.Array:
		return sqlExpr{}, filterErr("a list can only follow IN")
	}
	return tr.op(e)
}

func (tr *translator) property(name string) (sqlExpr, error) {
	if c, ok := tr.ft.props[name]; ok {
		if c.jsonKey != "" {
			return sqlExpr{sql: "(t.properties ->> " + tr.args.add(c.jsonKey) + "::text)" + c.sql, t: propVType(c.typ)}, nil
		}
		return sqlExpr{sql: c.sql, t: propVType(c.typ)}, nil
	}
	if tr.ft.geom != "" && (name == GeometryQueryable || name == tr.ft.alias) {
		return sqlExpr{sql: tr.ft.geom, t: vGeom}, nil
	}
	names := slices.Clone(tr.ft.names)
	if tr.ft.geom != "" {
		names = append(names, GeometryQueryable)
	}
	return sqlExpr{}, filterErr("unknown property %q; the queryables are %s", name, strings.Join(names, ", "))
}

// Margin around EPSG:3006's area of use within which geometry literals in CRS84 are clipped
// before they are projected (see geometry).
const clipMargin = 1.0

// geometry is a geometry literal as SQL in the target's SRID. A literal in CRS84 for a
// layer stored in EPSG:3006 is first clipped to that CRS's area of use widened by a degree:
// Transverse Mercator diverges far from its meridian, and every stored geometry lies inside
// the area of use, so no relation (intersects, within, touches …) between a stored geometry
// and the literal changes — what is cut away lies a degree from anything stored.
func (tr *translator) geometry(e *cql2.Expr) (sqlExpr, error) {
	g := e.Geom
	srid := tr.crs.SRID()
	if e.Kind == cql2.BBox {
		var err error
		if g, err = bboxGeometry(e.Box, tr.crs); err != nil {
			return sqlExpr{}, err
		}
	}
	b, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return sqlExpr{}, filterErr("a geometry cannot be encoded: %v", err)
	}
	lit := fmt.Sprintf("ST_Force2D(ST_GeomFromWKB(%s::bytea, %d))", tr.args.add(b), srid)
	switch {
	case srid == tr.ft.srid:
	case srid == 4326 && tr.ft.srid == 3006:
		lit = fmt.Sprintf("ST_Transform(ST_Intersection(ST_MakeValid(%s), ST_MakeEnvelope(%g, %g, %g, %g, 4326)), 3006)",
			lit, areaMinLon-clipMargin, areaMinLat-clipMargin, areaMaxLon+clipMargin, areaMaxLat+clipMargin)
	default:
		lit = fmt.Sprintf("ST_Transform(%s, %d)", lit, tr.ft.srid)
	}
	return sqlExpr{sql: lit, t: vGeom, literal: true}, nil
}

// bboxGeometry is the polygon of a CQL2 bbox; in CRS84 a box whose west edge is east of its
// east edge crosses the antimeridian and is two polygons.
func bboxGeometry(box []float64, c crs.CRS) (geom.T, error) {
	w, s, e, n := box[0], box[1], box[2], box[3]
	if len(box) == 6 {
		w, s, e, n = box[0], box[1], box[3], box[4]
	}
	rect := func(w, e float64) []float64 { return []float64{w, s, e, s, e, n, w, n, w, s} }
	if w <= e {
		return geom.NewPolygonFlat(geom.XY, rect(w, e), []int{10}), nil
	}
	if c != crs.CRS84 {
		return nil, filterErr("the bbox's west edge is east of its east edge")
	}
	flat := append(rect(w, 180), rect(-180, e)...)
	return geom.NewMultiPolygonFlat(geom.XY, flat, [][]int{{10}, {20}}), nil
}

func (tr *translator) all(args []*cql2.Expr) ([]sqlExpr, error) {
	out := make([]sqlExpr, len(args))
	for i, a := range args {
		var err error
		if out[i], err = tr.expr(a); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (tr *translator) op(e *cql2.Expr) (sqlExpr, error) {
	switch e.Op {
	case "and", "or", "not":
		return tr.logical(e)
	case "=", "<>", "<", ">", "<=", ">=":
		return tr.comparison(e)
	case "like":
		return tr.like(e)
	case "between":
		return tr.between(e)
	case "in":
		return tr.in(e)
	case "isNull":
		a, err := tr.expr(e.Args[0])
		if err != nil {
			return sqlExpr{}, err
		}
		return sqlExpr{sql: "(" + a.sql + " IS NULL)", t: vBool}, nil
	case "casei", "accenti":
		a, err := tr.expr(e.Args[0])
		if err != nil {
			return sqlExpr{}, err
		}
		if a.t != vString {
			return sqlExpr{}, filterErr("%s takes a string, not %s", strings.ToUpper(e.Op), a.t)
		}
		if e.Op == "casei" {
			return sqlExpr{sql: "lower(" + a.sql + ")", t: vString}, nil
		}
		// Accents are the combining marks of the canonical decomposition.
		return sqlExpr{sql: "regexp_replace(normalize(" + a.sql + ", NFD), '[\u0300-\u036f]', '', 'g')", t: vString}, nil
	case "+", "-", "*", "/", "%", "div", "^":
		return tr.arithmetic(e)
	}
	if fn, ok := spatialFuncs[e.Op]; ok || e.Op == "s_disjoint" {
		args, err := tr.all(e.Args)
		if err != nil {
			return sqlExpr{}, err
		}
		for _, a := range args {
			if a.t != vGeom {
				return sqlExpr{}, filterErr("%s compares geometries, not %s", strings.ToUpper(e.Op), a.t)
			}
		}
		if e.Op == "s_disjoint" { // the negation of intersects, which can use the index
			return sqlExpr{sql: fmt.Sprintf("(NOT ST_Intersects(%s, %s))", args[0].sql, args[1].sql), t: vBool}, nil
		}
		return sqlExpr{sql: fmt.Sprintf("%s(%s, %s)", fn, args[0].sql, args[1].sql), t: vBool}, nil
	}
	if strings.HasPrefix(e.Op, "t_") && cql2.IsStandard(e.Op) {
		return tr.temporal(e)
	}
	if strings.HasPrefix(e.Op, "a_") && cql2.IsStandard(e.Op) {
		return sqlExpr{}, filterErr("array operators (%s) are not supported: no queryable is an array", strings.ToUpper(e.Op))
	}
	return sqlExpr{}, filterErr("unknown function %q: this server has no functions beyond the standard's operators", e.Op)
}

func (tr *translator) logical(e *cql2.Expr) (sqlExpr, error) {
	args, err := tr.all(e.Args)
	if err != nil {
		return sqlExpr{}, err
	}
	parts := make([]string, len(args))
	for i, a := range args {
		if a.t != vBool {
			return sqlExpr{}, filterErr("%s takes conditions, not %s", strings.ToUpper(e.Op), a.t)
		}
		parts[i] = a.sql
	}
	if e.Op == "not" {
		return sqlExpr{sql: "(NOT " + parts[0] + ")", t: vBool}, nil
	}
	return sqlExpr{sql: "(" + strings.Join(parts, " "+strings.ToUpper(e.Op)+" ") + ")", t: vBool}, nil
}

// comparable makes a and b comparable: the same type, or a date and a timestamp (the date
// at midnight UTC). Geometries are compared with S_EQUALS, not =.
func comparable(op string, a, b sqlExpr) (string, string, error) {
	if a.t == vGeom || b.t == vGeom {
		return "", "", filterErr("%s does not compare geometries; use S_EQUALS", op)
	}
	if a.t == b.t {
		return a.sql, b.sql, nil
	}
	if (a.t == vDate || a.t == vTimestamp) && (b.t == vDate || b.t == vTimestamp) {
		return asTimestamp(a), asTimestamp(b), nil
	}
	return "", "", filterErr("%s compares %s with %s", op, a.t, b.t)
}

func asTimestamp(a sqlExpr) string {
	if a.t == vDate {
		return "(" + a.sql + "::timestamp AT TIME ZONE 'UTC')"
	}
	return a.sql
}

func (tr *translator) comparison(e *cql2.Expr) (sqlExpr, error) {
	args, err := tr.all(e.Args)
	if err != nil {
		return sqlExpr{}, err
	}
	a, b, err := comparable(e.Op, args[0], args[1])
	if err != nil {
		return sqlExpr{}, err
	}
	return sqlExpr{sql: "(" + a + " " + e.Op + " " + b + ")", t: vBool}, nil
}

// like: the pattern is a string literal, possibly under CASEI or ACCENTI; CQL2's wildcards
// (% and _) and escape (\) are PostgreSQL's.
func (tr *translator) like(e *cql2.Expr) (sqlExpr, error) {
	for p := e.Args[1]; p.Kind != cql2.String; p = p.Args[0] {
		if p.Kind != cql2.Op || (p.Op != "casei" && p.Op != "accenti") {
			return sqlExpr{}, filterErr("the pattern of LIKE is a quoted string (possibly in CASEI or ACCENTI)")
		}
	}
	args, err := tr.all(e.Args)
	if err != nil {
		return sqlExpr{}, err
	}
	if args[0].t != vString {
		return sqlExpr{}, filterErr("LIKE matches strings, not %s", args[0].t)
	}
	return sqlExpr{sql: "(" + args[0].sql + " LIKE " + args[1].sql + ")", t: vBool}, nil
}

func (tr *translator) between(e *cql2.Expr) (sqlExpr, error) {
	args, err := tr.all(e.Args)
	if err != nil {
		return sqlExpr{}, err
	}
	for _, a := range args {
		if a.t != vNumber {
			return sqlExpr{}, filterErr("BETWEEN takes numbers, not %s", a.t)
		}
	}
	return sqlExpr{sql: fmt.Sprintf("(%s BETWEEN %s AND %s)", args[0].sql, args[1].sql, args[2].sql), t: vBool}, nil
}

func (tr *translator) in(e *cql2.Expr) (sqlExpr, error) {
	if e.Args[1].Kind != cql2.Array {
		return sqlExpr{}, filterErr("IN takes a list of values")
	}
	left, err := tr.expr(e.Args[0])
	if err != nil {
		return sqlExpr{}, err
	}
	items, err := tr.all(e.Args[1].Args)
	if err != nil {
		return sqlExpr{}, err
	}
	parts := make([]string, len(items))
	l := left.sql
	for i, it := range items {
		a, b, err := comparable("IN", left, it)
		if err != nil {
			return sqlExpr{}, err
		}
		l, parts[i] = a, b
	}
	return sqlExpr{sql: "(" + l + " IN (" + strings.Join(parts, ", ") + "))", t: vBool}, nil
}

// arithmetic is computed in double precision: a division by zero is NULL (the row does not
// match), and an overflow is PostgreSQL's error 22003, which Features answers as 400.
func (tr *translator) arithmetic(e *cql2.Expr) (sqlExpr, error) {
	args, err := tr.all(e.Args)
	if err != nil {
		return sqlExpr{}, err
	}
	for _, a := range args {
		if a.t != vNumber {
			return sqlExpr{}, filterErr("%s takes numbers, not %s", e.Op, a.t)
		}
	}
	a, b := "("+args[0].sql+")::float8", "("+args[1].sql+")::float8"
	var sql string
	switch e.Op {
	case "+", "-", "*":
		sql = "(" + a + " " + e.Op + " " + b + ")"
	case "/":
		sql = "(" + a + " / NULLIF(" + b + ", 0))"
	case "%":
		sql = "mod((" + args[0].sql + ")::numeric, NULLIF((" + args[1].sql + ")::numeric, 0))"
	case "div":
		sql = "div((" + args[0].sql + ")::numeric, NULLIF((" + args[1].sql + ")::numeric, 0))"
	case "^":
		sql = "power(" + a + ", " + b + ")"
	}
	return sqlExpr{sql: sql, t: vNumber}, nil
}

// temporalRelations are the temporal operators as the standard defines them on the start
// and end of operand a ({as}, {ae}) and of operand b ({bs}, {be}).
var temporalRelations = map[string]string{
	"t_after":        "{as} > {be}",
	"t_before":       "{ae} < {bs}",
	"t_contains":     "{as} < {bs} AND {ae} > {be}",
	"t_disjoint":     "NOT ({as} <= {be} AND {ae} >= {bs})",
	"t_during":       "{as} > {bs} AND {ae} < {be}",
	"t_equals":       "{as} = {bs} AND {ae} = {be}",
	"t_finishedBy":   "{as} < {bs} AND {ae} = {be}",
	"t_finishes":     "{as} > {bs} AND {ae} = {be}",
	"t_intersects":   "{as} <= {be} AND {ae} >= {bs}",
	"t_meets":        "{ae} = {bs}",
	"t_metBy":        "{as} = {be}",
	"t_overlappedBy": "{as} > {bs} AND {as} < {be} AND {ae} > {be}",
	"t_overlaps":     "{as} < {bs} AND {ae} > {bs} AND {ae} < {be}",
	"t_startedBy":    "{as} = {bs} AND {ae} > {be}",
	"t_starts":       "{as} = {bs} AND {ae} < {be}",
}

// temporalInstantOK lists the temporal operators that take instants as well as intervals;
// the others compare two intervals (OGC 21-065r2, Temporal functions).
var temporalInstantOK = map[string]bool{"t_after": true, "t_before": true, "t_disjoint": true, "t_equals": true, "t_intersects": true}

type span struct {
	start, end sqlExpr
	interval   bool
}

func (tr *translator) span(e *cql2.Expr, op string) (span, error) {
	if e.Kind != cql2.Interval {
		a, err := tr.expr(e)
		if err != nil {
			return span{}, err
		}
		if a.t != vDate && a.t != vTimestamp {
			return span{}, filterErr("%s compares dates and timestamps, not %s", strings.ToUpper(op), a.t)
		}
		return span{start: a, end: a}, nil
	}
	var ends [2]sqlExpr
	for i, end := range e.Args {
		if end.Kind == cql2.Unbounded {
			ends[i] = sqlExpr{sql: "'-infinity'", t: vTimestamp, literal: true, open: true}
			if i == 1 {
				ends[i].sql = "'infinity'"
			}
			continue
		}
		a, err := tr.expr(end)
		if err != nil {
			return span{}, err
		}
		if a.t != vDate && a.t != vTimestamp {
			return span{}, filterErr("an interval's end is a date or a timestamp, not %s", a.t)
		}
		ends[i] = a
	}
	if ends[0].literal && ends[1].literal && e.Args[0].Kind != cql2.Unbounded && e.Args[1].Kind != cql2.Unbounded &&
		e.Args[0].Time.After(e.Args[1].Time) {
		return span{}, filterErr("an interval starts after it ends")
	}
	return span{start: ends[0], end: ends[1], interval: true}, nil
}

// temporal translates T_… as the standard defines each relation on the start and end of its
// operands (an instant is an interval that starts and ends at once); all are compared as
// dates when every end is a date, else as timestamps.
func (tr *translator) temporal(e *cql2.Expr) (sqlExpr, error) {
	a, err := tr.span(e.Args[0], e.Op)
	if err != nil {
		return sqlExpr{}, err
	}
	b, err := tr.span(e.Args[1], e.Op)
	if err != nil {
		return sqlExpr{}, err
	}
	if !temporalInstantOK[e.Op] && (!a.interval || !b.interval) {
		return sqlExpr{}, filterErr("%s compares two intervals", strings.ToUpper(e.Op))
	}
	ends := []sqlExpr{a.start, a.end, b.start, b.end}
	dates := true
	for _, x := range ends {
		dates = dates && (x.t == vDate || x.open)
	}
	s := make([]string, 4)
	for i, x := range ends {
		switch {
		case x.open && dates:
			s[i] = x.sql + "::date"
		case x.open:
			s[i] = x.sql + "::timestamptz"
		case dates:
			s[i] = x.sql
		default:
			s[i] = asTimestamp(x)
		}
	}
	rel, ok := temporalRelations[e.Op]
	if !ok {
		return sqlExpr{}, filterErr("unknown temporal operator %s", e.Op)
	}
	sql := strings.NewReplacer("{as}", s[0], "{ae}", s[1], "{bs}", s[2], "{be}", s[3]).Replace(rel)
	return sqlExpr{sql: "(" + sql + ")", t: vBool}, nil
}

// filterQueryError turns what PostgreSQL says about a filter's values into a 400: class 22
// (data exception: an arithmetic overflow, a value a partner field cannot be cast to) and
// GEOS refusing a geometry (an invalid polygon of the filter). Anything else is returned as
// it is.
func filterQueryError(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	switch {
	case strings.HasPrefix(pg.Code, "22"):
		return filterErr("the filter cannot be evaluated on the stored values: %s", pg.Message)
	case pg.Code == "XX000" && (strings.Contains(pg.Message, "GEOS") || strings.Contains(pg.Message, "TopologyException")):
		return filterErr("a geometry of the filter is not valid (%s)", pg.Message)
	}
	return err
}

// CatalogueOf is a catalogue of the given layers, not validated: for tests that serve data
// other than the declared layers (the CQL2 test dataset, whose property names are upper case).
func CatalogueOf(ls ...*Layer) *Catalogue { return &Catalogue{layers: ls} }
