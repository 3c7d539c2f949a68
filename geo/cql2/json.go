package cql2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/geojson"
)

// ParseJSON parses a cql2-json filter within lim.
func ParseJSON(src []byte, lim Limits) (*Expr, error) {
	if len(src) > lim.Bytes {
		return nil, &Error{Pos: -1, Msg: fmt.Sprintf("the filter is longer than %d bytes", lim.Bytes)}
	}
	// The nesting is bounded before decoding: a document is at most as deep as it has
	// brackets, and encoding/json would otherwise build the whole tree first.
	if depth := jsonDepth(src); depth > 3*lim.Depth+8 {
		return nil, &Error{Pos: -1, Msg: fmt.Sprintf("the filter is nested deeper than %d levels", lim.Depth)}
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{Pos: -1, Msg: "not JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &Error{Pos: -1, Msg: "more than one JSON value"}
	}
	j := &jsonParser{c: counter{lim: lim}}
	return j.expr(v, 0)
}

func jsonDepth(src []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range src {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

type jsonParser struct{ c counter }

func jsonErr(format string, args ...any) error {
	return &Error{Pos: -1, Msg: fmt.Sprintf(format, args...)}
}

func keys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

func (j *jsonParser) expr(v any, depth int) (*Expr, error) {
	if err := j.c.depth(-1, depth); err != nil {
		return nil, &Error{Pos: -1, Msg: err.(*Error).Msg}
	}
	if err := j.c.node(-1); err != nil {
		return nil, &Error{Pos: -1, Msg: err.(*Error).Msg}
	}
	switch v := v.(type) {
	case nil:
		return nil, jsonErr("null is not a CQL2 value (test with isNull)")
	case bool:
		return &Expr{Kind: Bool, Bool: v}, nil
	case string:
		return &Expr{Kind: String, Str: v}, nil
	case json.Number:
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, jsonErr("number %s is out of range", v)
		}
		return &Expr{Kind: Number, Num: f}, nil
	case []any:
		arr := &Expr{Kind: Array, Args: make([]*Expr, 0, len(v))}
		for _, item := range v {
			e, err := j.expr(item, depth+1)
			if err != nil {
				return nil, err
			}
			arr.Args = append(arr.Args, e)
		}
		return arr, nil
	case map[string]any:
		return j.object(v, depth)
	}
	return nil, jsonErr("unexpected JSON value %v", v)
}

// only refuses an object with other keys than want.
func only(m map[string]any, want ...string) error {
	if len(m) != len(want) {
		return jsonErr("an object with %s: expected only %s", keys(m), strings.Join(want, ", "))
	}
	return nil
}

// str is the string under key of m.
func str(m map[string]any, key string) (string, error) {
	s, ok := m[key].(string)
	if !ok {
		return "", jsonErr("%q takes a string", key)
	}
	return s, nil
}

func (j *jsonParser) object(m map[string]any, depth int) (*Expr, error) {
	switch {
	case m["op"] != nil:
		return j.op(m, depth)
	case m["property"] != nil:
		if err := only(m, "property"); err != nil {
			return nil, err
		}
		name, err := str(m, "property")
		if err != nil || name == "" {
			return nil, jsonErr("\"property\" takes a non-empty string")
		}
		return &Expr{Kind: Property, Name: name}, nil
	case m["date"] != nil || m["timestamp"] != nil:
		return instantObject(m)
	case m["interval"] != nil:
		return j.interval(m, depth)
	case m["bbox"] != nil:
		return bboxObject(m)
	case m["type"] != nil:
		return j.geometry(m)
	}
	return nil, jsonErr("an object with %s is not a CQL2 expression", keys(m))
}

// op reads {"op": name, "args": [...]}: a standard operator (its name in any case) or a
// function.
func (j *jsonParser) op(m map[string]any, depth int) (*Expr, error) {
	if _, ok := m["args"]; !ok {
		return nil, jsonErr("an operator object needs \"args\"")
	}
	if err := only(m, "op", "args"); err != nil {
		return nil, err
	}
	name, err := str(m, "op")
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, jsonErr("an empty \"op\"")
	}
	if c := canonicalOp(name); c != "" {
		name = c
	}
	list, ok := m["args"].([]any)
	if !ok {
		return nil, jsonErr("\"args\" of %s is not an array", name)
	}
	e := &Expr{Kind: Op, Op: name, Args: make([]*Expr, 0, len(list))}
	for _, a := range list {
		arg, err := j.expr(a, depth+1)
		if err != nil {
			return nil, err
		}
		e.Args = append(e.Args, arg)
	}
	if err := checkArity(e, -1); err != nil {
		return nil, err
	}
	return e, nil
}

// instantObject reads {"date": …} or {"timestamp": …}.
func instantObject(m map[string]any) (*Expr, error) {
	key := "date"
	if m["timestamp"] != nil {
		key = "timestamp"
	}
	if err := only(m, key); err != nil {
		return nil, err
	}
	s, err := str(m, key)
	if err != nil {
		return nil, err
	}
	e, err := parseInstant(s)
	if err != nil {
		return nil, jsonErr("%v", err)
	}
	if (key == "date") != (e.Kind == Date) {
		return nil, jsonErr("%q: %q is not a %s", key, s, key)
	}
	return e, nil
}

// interval reads {"interval": [start, end]}, each end an instant string, "..", a property
// or a function.
func (j *jsonParser) interval(m map[string]any, depth int) (*Expr, error) {
	if err := only(m, "interval"); err != nil {
		return nil, err
	}
	list, ok := m["interval"].([]any)
	if !ok || len(list) != 2 {
		return nil, jsonErr("\"interval\" takes an array of two ends")
	}
	iv := &Expr{Kind: Interval}
	for _, end := range list {
		if s, ok := end.(string); ok {
			if s == ".." {
				iv.Args = append(iv.Args, &Expr{Kind: Unbounded})
				continue
			}
			e, err := parseInstant(s)
			if err != nil {
				return nil, jsonErr("%v", err)
			}
			iv.Args = append(iv.Args, e)
			continue
		}
		e, err := j.expr(end, depth+1)
		if err != nil {
			return nil, err
		}
		if e.Kind != Property && e.Kind != Op {
			return nil, jsonErr("an interval's end is a date or timestamp string, \"..\", a property or a function")
		}
		iv.Args = append(iv.Args, e)
	}
	return iv, nil
}

// bboxObject reads {"bbox": [4 or 6 numbers]}.
func bboxObject(m map[string]any) (*Expr, error) {
	if err := only(m, "bbox"); err != nil {
		return nil, err
	}
	list, ok := m["bbox"].([]any)
	if !ok {
		return nil, jsonErr("\"bbox\" takes an array of numbers")
	}
	box := make([]float64, 0, len(list))
	for _, n := range list {
		num, ok := n.(json.Number)
		f, err := num.Float64()
		if !ok || err != nil {
			return nil, jsonErr("\"bbox\" takes an array of numbers")
		}
		box = append(box, f)
	}
	if err := checkBBox(box); err != nil {
		return nil, jsonErr("%v", err)
	}
	return &Expr{Kind: BBox, Box: box}, nil
}

func (j *jsonParser) geometry(m map[string]any) (*Expr, error) {
	if _, ok := m["coordinates"]; !ok {
		if _, ok := m["geometries"]; !ok {
			return nil, jsonErr("a geometry object of type %v without coordinates", m["type"])
		}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, jsonErr("geometry: %v", err)
	}
	var g geom.T
	if err := geojson.Unmarshal(raw, &g); err != nil {
		return nil, jsonErr("geometry: %v", err)
	}
	if g == nil {
		return nil, jsonErr("geometry: empty")
	}
	if err := j.c.coord(-1, numPositions(g)); err != nil {
		return nil, &Error{Pos: -1, Msg: err.(*Error).Msg}
	}
	if err := checkGeometry(g); err != nil {
		return nil, jsonErr("geometry: %v", err)
	}
	return &Expr{Kind: Geometry, Geom: g}, nil
}

// numPositions counts the positions of g, through collections.
func numPositions(g geom.T) int {
	if gc, ok := g.(*geom.GeometryCollection); ok {
		n := 0
		for _, m := range gc.Geoms() {
			n += numPositions(m)
		}
		return n
	}
	return len(g.FlatCoords()) / max(1, g.Stride())
}
