// Package cql2 parses OGC Common Query Language filters (CQL2, OGC 21-065r2) in both of its
// encodings, cql2-text and cql2-json, into one expression tree.
//
// Assumptions: the tree is checked against the grammar only — which properties and functions
// exist, and which types meet, is the caller's to decide; geometry literals keep the
// coordinates as written (the CRS is the caller's filter-crs); every parse is bounded in
// size and depth before the caller can spend anything on it (see Limits).
package cql2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/geojson"
)

// Kind is what an Expr node is.
type Kind int

// Node kinds.
const (
	// Op is an operator, a standard predicate or a function call: Op names it, Args are its
	// operands. Standard operators carry their cql2-json name ("and", "like", "isNull",
	// "s_intersects", "t_finishedBy", "+", "div" …); a function keeps its name as written.
	Op Kind = iota
	Property
	String
	Number
	Bool
	Date      // Time at midnight UTC
	Timestamp // Time in UTC
	// Interval has two Args, each a Date, a Timestamp, Unbounded, a Property or an Op.
	Interval
	Unbounded // ".." as an interval end
	Geometry  // Geom, in the filter CRS
	BBox      // Box: 4 or 6 numbers (west, south, [min z,] east, north, [max z])
	Array     // Args
)

// Expr is a node of a CQL2 expression.
type Expr struct {
	Kind Kind
	Op   string
	Args []*Expr
	Name string // Property
	Str  string // String
	Num  float64
	Bool bool
	Time time.Time
	Geom geom.T
	Box  []float64
}

// Limits bound what a parse accepts: a filter longer, deeper, larger or with more coordinates
// is refused before anything is done with it.
type Limits struct {
	Bytes       int // of the text or JSON document
	Depth       int // of nested operators, arrays and parentheses
	Nodes       int // of the tree, array items and coordinates of geometries not counted
	Coordinates int // of all geometry literals together (points, not numbers)
}

// DefaultLimits are enough for any hand-written filter and for a polygon of a few thousand
// vertices, and keep the SQL of the largest filter small.
func DefaultLimits() Limits {
	return Limits{Bytes: 256 << 10, Depth: 32, Nodes: 1000, Coordinates: 10000}
}

// Error is a filter that cannot be parsed: Pos is the byte offset in the text (-1 for JSON).
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string {
	if e.Pos >= 0 {
		return fmt.Sprintf("at character %d: %s", e.Pos+1, e.Msg)
	}
	return e.Msg
}

// The standard operators by their upper-case text spelling, mapped to their cql2-json names.
var standardOps = map[string]string{
	"AND": "and", "OR": "or", "NOT": "not", "LIKE": "like", "BETWEEN": "between", "IN": "in",
	"ISNULL": "isNull", "CASEI": "casei", "ACCENTI": "accenti", "DIV": "div",
	"S_INTERSECTS": "s_intersects", "S_EQUALS": "s_equals", "S_DISJOINT": "s_disjoint",
	"S_TOUCHES": "s_touches", "S_WITHIN": "s_within", "S_OVERLAPS": "s_overlaps",
	"S_CROSSES": "s_crosses", "S_CONTAINS": "s_contains",
	"T_AFTER": "t_after", "T_BEFORE": "t_before", "T_CONTAINS": "t_contains",
	"T_DISJOINT": "t_disjoint", "T_DURING": "t_during", "T_EQUALS": "t_equals",
	"T_FINISHEDBY": "t_finishedBy", "T_FINISHES": "t_finishes", "T_INTERSECTS": "t_intersects",
	"T_MEETS": "t_meets", "T_METBY": "t_metBy", "T_OVERLAPPEDBY": "t_overlappedBy",
	"T_OVERLAPS": "t_overlaps", "T_STARTEDBY": "t_startedBy", "T_STARTS": "t_starts",
	"A_EQUALS": "a_equals", "A_CONTAINS": "a_contains", "A_CONTAINEDBY": "a_containedBy",
	"A_OVERLAPS": "a_overlaps",
}

// opArity is the number of operands of the standard operators with a fixed number; "and"
// and "or" take two or more, functions any number.
var opArity = map[string]int{
	"not": 1, "like": 2, "between": 3, "in": 2, "isNull": 1, "casei": 1, "accenti": 1,
	"=": 2, "<>": 2, "<": 2, ">": 2, "<=": 2, ">=": 2,
	"+": 2, "-": 2, "*": 2, "/": 2, "%": 2, "div": 2, "^": 2,
}

// IsStandard reports whether op is one of the standard's operators (as opposed to a function).
func IsStandard(op string) bool {
	if _, ok := opArity[op]; ok || op == "and" || op == "or" {
		return true
	}
	return len(op) > 2 && op[1] == '_' && (op[0] == 's' || op[0] == 't' || op[0] == 'a') && canonicalOp(op) == op
}

// canonicalOp maps a standard operator name in any case to its cql2-json name, or returns "".
func canonicalOp(name string) string {
	up := []byte(name)
	for i, c := range up {
		if 'a' <= c && c <= 'z' {
			up[i] = c - 'a' + 'A'
		}
	}
	if op, ok := standardOps[string(up)]; ok {
		return op
	}
	switch name {
	case "=", "<>", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "^":
		return name
	}
	return ""
}

// checkArity refuses a standard operator with the wrong number of operands.
func checkArity(e *Expr, pos int) error {
	if n, ok := opArity[e.Op]; ok && len(e.Args) != n {
		return &Error{Pos: pos, Msg: fmt.Sprintf("%s takes %d operand(s), not %d", e.Op, n, len(e.Args))}
	}
	if (e.Op == "and" || e.Op == "or") && len(e.Args) < 2 {
		return &Error{Pos: pos, Msg: e.Op + " takes at least two operands"}
	}
	if len(e.Op) > 2 && e.Op[1] == '_' && IsStandard(e.Op) && len(e.Args) != 2 {
		return &Error{Pos: pos, Msg: fmt.Sprintf("%s takes 2 operands, not %d", e.Op, len(e.Args))}
	}
	return nil
}

// MarshalJSON writes e in cql2-json, the canonical form: the same expression read from its
// text and from its JSON encoding marshals to the same bytes.
func (e *Expr) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := e.writeJSON(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (e *Expr) writeJSON(b *bytes.Buffer) error {
	writeList := func(args []*Expr) error {
		b.WriteByte('[')
		for i, a := range args {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := a.writeJSON(b); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	str := func(s string) {
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		b.Truncate(b.Len() - 1) // Encode's newline
	}
	switch e.Kind {
	case Op:
		b.WriteString(`{"op":`)
		str(e.Op)
		b.WriteString(`,"args":`)
		if err := writeList(e.Args); err != nil {
			return err
		}
		b.WriteByte('}')
	case Property:
		b.WriteString(`{"property":`)
		str(e.Name)
		b.WriteByte('}')
	case String:
		str(e.Str)
	case Number:
		b.WriteString(strconv.FormatFloat(e.Num, 'g', -1, 64))
	case Bool:
		b.WriteString(strconv.FormatBool(e.Bool))
	case Date:
		b.WriteString(`{"date":`)
		str(e.Time.Format(time.DateOnly))
		b.WriteByte('}')
	case Timestamp:
		b.WriteString(`{"timestamp":`)
		str(e.Time.UTC().Format(time.RFC3339Nano))
		b.WriteByte('}')
	case Unbounded:
		str("..")
	case Interval:
		b.WriteString(`{"interval":`)
		// Interval ends are written bare, as in cql2-json.
		b.WriteByte('[')
		for i, a := range e.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			switch a.Kind {
			case Date:
				str(a.Time.Format(time.DateOnly))
			case Timestamp:
				str(a.Time.UTC().Format(time.RFC3339Nano))
			default:
				if err := a.writeJSON(b); err != nil {
					return err
				}
			}
		}
		b.WriteString("]}")
	case Geometry:
		j, err := geojson.Marshal(e.Geom)
		if err != nil {
			return err
		}
		b.Write(j)
	case BBox:
		j, _ := json.Marshal(map[string][]float64{"bbox": e.Box})
		b.Write(j)
	case Array:
		return writeList(e.Args)
	default:
		return fmt.Errorf("cql2: unknown node kind %d", e.Kind)
	}
	return nil
}

// Walk calls fn for e and every node below it, depth first.
func (e *Expr) Walk(fn func(*Expr)) {
	fn(e)
	for _, a := range e.Args {
		a.Walk(fn)
	}
}

// counter enforces Limits while a tree is built.
type counter struct {
	lim    Limits
	nodes  int
	coords int
}

func (c *counter) node(pos int) error {
	c.nodes++
	if c.nodes > c.lim.Nodes {
		return &Error{Pos: pos, Msg: fmt.Sprintf("the filter has more than %d terms", c.lim.Nodes)}
	}
	return nil
}

func (c *counter) coord(pos, n int) error {
	c.coords += n
	if c.coords > c.lim.Coordinates {
		return &Error{Pos: pos, Msg: fmt.Sprintf("the filter's geometries have more than %d coordinates", c.lim.Coordinates)}
	}
	return nil
}

func (c *counter) depth(pos, d int) error {
	if d > c.lim.Depth {
		return &Error{Pos: pos, Msg: fmt.Sprintf("the filter is nested deeper than %d levels", c.lim.Depth)}
	}
	return nil
}

// parseInstant reads a date (YYYY-MM-DD) or an RFC 3339 timestamp in UTC ("Z").
func parseInstant(s string) (*Expr, error) {
	if len(s) == len(time.DateOnly) {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
		}
		return &Expr{Kind: Date, Time: t}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || s[len(s)-1] != 'Z' {
		return nil, fmt.Errorf("%q is not a timestamp (YYYY-MM-DDThh:mm:ss[.s]Z)", s)
	}
	return &Expr{Kind: Timestamp, Time: t.UTC()}, nil
}
