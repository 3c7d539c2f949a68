package cql2

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/twpayne/go-geom"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuoted // "identifier"
	tString
	tNumber
	tPunct
)

type token struct {
	kind tokKind
	text string // identifier, string contents, number text or punctuation
	pos  int
}

// lex splits cql2-text into tokens. Signs are tokens of their own; the parser joins them to
// numbers, so "balance-150" is a subtraction.
func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		r, w := utf8.DecodeRuneInString(src[i:])
		if unicode.IsSpace(r) {
			i += w
			continue
		}
		var t token
		var err error
		switch {
		case r == '\'':
			t, i, err = lexString(src, i)
		case r == '"':
			t, i, err = lexQuoted(src, i)
		case isIdentStart(r):
			t, i = lexIdent(src, i)
		case r >= '0' && r <= '9' || r == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			t, i = lexNumber(src, i)
		default:
			t, i, err = lexPunct(src, i, r)
		}
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
	}
	return append(toks, token{tEOF, "", len(src)}), nil
}

// lexString reads a quoted string at i, where a quote is written ” or \'; it returns the
// token and the index after it.
func lexString(src string, i int) (token, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		if (c == '\'' || c == '\\') && j+1 < len(src) && src[j+1] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		if c == '\'' {
			return token{tString, b.String(), i}, j + 1, nil
		}
		b.WriteByte(c)
	}
	return token{}, 0, &Error{Pos: i, Msg: "unterminated string"}
}

// lexQuoted reads a "quoted" property name at i.
func lexQuoted(src string, i int) (token, int, error) {
	j := strings.IndexByte(src[i+1:], '"')
	if j < 0 {
		return token{}, 0, &Error{Pos: i, Msg: "unterminated quoted property name"}
	}
	if j == 0 {
		return token{}, 0, &Error{Pos: i, Msg: "empty property name"}
	}
	return token{tQuoted, src[i+1 : i+1+j], i}, i + j + 2, nil
}

// lexIdent reads an unquoted word at i: a keyword, a property or a function name.
func lexIdent(src string, i int) (token, int) {
	_, w := utf8.DecodeRuneInString(src[i:])
	j := i + w
	for j < len(src) {
		r, w := utf8.DecodeRuneInString(src[j:])
		if !isIdentStart(r) && r != '.' && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && r != '\u203F' && r != '\u2040' {
			break
		}
		j += w
	}
	return token{tIdent, src[i:j], i}, j
}

// lexNumber reads an unsigned number at i: digits, a fraction, an exponent.
func lexNumber(src string, i int) (token, int) {
	j := i
	digits := func() {
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
	}
	digits()
	if j < len(src) && src[j] == '.' {
		j++
		digits()
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && src[k] >= '0' && src[k] <= '9' {
			j = k
			digits()
		}
	}
	return token{tNumber, src[i:j], i}, j
}

// lexPunct reads an operator or a bracket at i (r is the rune there).
func lexPunct(src string, i int, r rune) (token, int, error) {
	if i+1 < len(src) {
		if two := src[i : i+2]; two == "<>" || two == "<=" || two == ">=" {
			return token{tPunct, two, i}, i + 2, nil
		}
	}
	if strings.ContainsRune("()=<>,+-*/%^", r) {
		return token{tPunct, string(r), i}, i + 1, nil
	}
	return token{}, 0, &Error{Pos: i, Msg: fmt.Sprintf("unexpected character %q", r)}
}

func isIdentStart(r rune) bool {
	return r == ':' || r == '_' || r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') ||
		r >= 0xC0 && r != 0xD7 && r != 0xF7 && unicode.IsLetter(r)
}

// reserved words are never property names unless quoted.
func reserved(upper string) bool {
	switch upper {
	case "AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE", "DIV":
		return true
	}
	return false
}

type parser struct {
	toks  []token
	i     int
	c     counter
	depth int
}

// ParseText parses a cql2-text filter within lim.
func ParseText(src string, lim Limits) (*Expr, error) {
	if len(src) > lim.Bytes {
		return nil, &Error{Pos: lim.Bytes, Msg: fmt.Sprintf("the filter is longer than %d bytes", lim.Bytes)}
	}
	if !utf8.ValidString(src) {
		return nil, &Error{Pos: 0, Msg: "the filter is not valid UTF-8"}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, c: counter{lim: lim}}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "unexpected %s after the end of the expression", describe(t))
	}
	return e, nil
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of the filter"
	case tString:
		return fmt.Sprintf("string '%s'", t.text)
	case tQuoted:
		return fmt.Sprintf("property %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(t token, format string, args ...any) error {
	return &Error{Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

// keyword reports whether the next token is the unquoted word kw (case-insensitive).
func (p *parser) keyword(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) punct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}

func (p *parser) expect(s string) error {
	t := p.next()
	if t.kind != tPunct || t.text != s {
		return p.errAt(t, "expected %q, found %s", s, describe(t))
	}
	return nil
}

// commaList reads "item, item, …" (at least one item), calling item for each.
func (p *parser) commaList(item func() error) error {
	for {
		if err := item(); err != nil {
			return err
		}
		if !p.punct(",") {
			return nil
		}
		p.next()
	}
}

func (p *parser) expectKeyword(kw string) error {
	if !p.keyword(kw) {
		t := p.peek()
		return p.errAt(t, "expected %s, found %s", kw, describe(t))
	}
	p.next()
	return nil
}

func (p *parser) op(pos int, name string, args ...*Expr) (*Expr, error) {
	if err := p.c.node(pos); err != nil {
		return nil, err
	}
	e := &Expr{Kind: Op, Op: name, Args: args}
	return e, checkArity(e, pos)
}

func (p *parser) leaf(pos int, e *Expr) (*Expr, error) {
	return e, p.c.node(pos)
}

func (p *parser) enter(t token) error {
	p.depth++
	return p.c.depth(t.pos, p.depth)
}

func (p *parser) leave() { p.depth-- }

// or = and {OR and}
func (p *parser) or() (*Expr, error) {
	t := p.peek()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.chain("OR", "or", p.and)
}

func (p *parser) and() (*Expr, error) { return p.chain("AND", "and", p.not) }

// chain parses one or more operands joined by kw into one n-ary operator.
func (p *parser) chain(kw, op string, operand func() (*Expr, error)) (*Expr, error) {
	t := p.peek()
	first, err := operand()
	if err != nil {
		return nil, err
	}
	if !p.keyword(kw) {
		return first, nil
	}
	args := []*Expr{first}
	for p.keyword(kw) {
		p.next()
		e, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	return p.op(t.pos, op, args...)
}

func (p *parser) not() (*Expr, error) {
	t := p.peek()
	if !p.keyword("NOT") {
		return p.predicate()
	}
	p.next()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	e, err := p.not()
	if err != nil {
		return nil, err
	}
	return p.op(t.pos, "not", e)
}

// predicate = arith [comparison | [NOT] LIKE | [NOT] BETWEEN | [NOT] IN | IS [NOT] NULL]
func (p *parser) predicate() (*Expr, error) {
	left, err := p.arith()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == tPunct {
		switch t.text {
		case "=", "<>", "<", ">", "<=", ">=":
			p.next()
			right, err := p.arith()
			if err != nil {
				return nil, err
			}
			return p.op(t.pos, t.text, left, right)
		}
		return left, nil
	}
	negated := false
	if p.keyword("NOT") {
		n := p.toks[p.i+1]
		if n.kind == tIdent && (strings.EqualFold(n.text, "LIKE") || strings.EqualFold(n.text, "BETWEEN") || strings.EqualFold(n.text, "IN")) {
			p.next()
			negated = true
		} else {
			return left, nil
		}
	}
	var e *Expr
	switch {
	case p.keyword("LIKE"):
		p.next()
		pat, err := p.arith()
		if err != nil {
			return nil, err
		}
		e, err = p.op(t.pos, "like", left, pat)
		if err != nil {
			return nil, err
		}
	case p.keyword("BETWEEN"):
		p.next()
		lo, err := p.arith()
		if err != nil {
			return nil, err
		}
		if err := p.expectKeyword("AND"); err != nil {
			return nil, err
		}
		hi, err := p.arith()
		if err != nil {
			return nil, err
		}
		if e, err = p.op(t.pos, "between", left, lo, hi); err != nil {
			return nil, err
		}
	case p.keyword("IN"):
		p.next()
		open := p.peek()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		list, err := p.list(open)
		if err != nil {
			return nil, err
		}
		if len(list.Args) == 0 {
			return nil, p.errAt(open, "IN needs at least one value")
		}
		if e, err = p.op(t.pos, "in", left, list); err != nil {
			return nil, err
		}
	case p.keyword("IS") && !negated:
		p.next()
		isNot := false
		if p.keyword("NOT") {
			p.next()
			isNot = true
		}
		if err := p.expectKeyword("NULL"); err != nil {
			return nil, err
		}
		if e, err = p.op(t.pos, "isNull", left); err != nil {
			return nil, err
		}
		if isNot {
			return p.op(t.pos, "not", e)
		}
		return e, nil
	default:
		return left, nil
	}
	if negated {
		return p.op(t.pos, "not", e)
	}
	return e, nil
}

// list parses the items of a parenthesised list after its "(", through its ")", as an Array.
func (p *parser) list(open token) (*Expr, error) {
	arr := &Expr{Kind: Array, Args: []*Expr{}}
	if err := p.c.node(open.pos); err != nil {
		return nil, err
	}
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	if p.punct(")") {
		p.next()
		return arr, nil
	}
	for {
		item, err := p.or()
		if err != nil {
			return nil, err
		}
		arr.Args = append(arr.Args, item)
		if p.punct(",") {
			p.next()
			continue
		}
		return arr, p.expect(")")
	}
}

func (p *parser) arith() (*Expr, error) {
	left, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.punct("+") || p.punct("-") {
		t := p.next()
		right, err := p.term()
		if err != nil {
			return nil, err
		}
		if left, err = p.op(t.pos, t.text, left, right); err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *parser) term() (*Expr, error) {
	left, err := p.power()
	if err != nil {
		return nil, err
	}
	for p.punct("*") || p.punct("/") || p.punct("%") || p.keyword("DIV") {
		t := p.next()
		right, err := p.power()
		if err != nil {
			return nil, err
		}
		if left, err = p.op(t.pos, strings.ToLower(t.text), left, right); err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *parser) power() (*Expr, error) {
	base, err := p.unary()
	if err != nil {
		return nil, err
	}
	if !p.punct("^") {
		return base, nil
	}
	t := p.next()
	exp, err := p.unary()
	if err != nil {
		return nil, err
	}
	return p.op(t.pos, "^", base, exp)
}

// unary: a minus before a number is its sign; before anything else it is a product with -1
// (as the standard's examples write it).
func (p *parser) unary() (*Expr, error) {
	t := p.peek()
	if !p.punct("-") && !p.punct("+") {
		return p.primary()
	}
	p.next()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	e, err := p.unary()
	if err != nil {
		return nil, err
	}
	if t.text == "+" {
		return e, nil
	}
	if e.Kind == Number {
		e.Num = -e.Num
		return e, nil
	}
	m, err := p.leaf(t.pos, &Expr{Kind: Number, Num: -1})
	if err != nil {
		return nil, err
	}
	return p.op(t.pos, "*", m, e)
}

func (p *parser) number(t token) (float64, error) {
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, p.errAt(t, "number %s is out of range", t.text)
	}
	return f, nil
}

func (p *parser) primary() (*Expr, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		f, err := p.number(t)
		if err != nil {
			return nil, err
		}
		return p.leaf(t.pos, &Expr{Kind: Number, Num: f})
	case tString:
		return p.leaf(t.pos, &Expr{Kind: String, Str: t.text})
	case tQuoted:
		return p.leaf(t.pos, &Expr{Kind: Property, Name: t.text})
	case tPunct:
		if t.text != "(" {
			return nil, p.errAt(t, "unexpected %s", describe(t))
		}
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		if p.punct(")") { // "()" is the empty array
			p.next()
			return p.leaf(t.pos, &Expr{Kind: Array, Args: []*Expr{}})
		}
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.punct(",") { // "(a, b, …)" is an array
			p.next()
			rest, err := p.list(t)
			if err != nil {
				return nil, err
			}
			rest.Args = append([]*Expr{e}, rest.Args...)
			return rest, nil
		}
		return e, p.expect(")")
	case tEOF:
		return nil, p.errAt(t, "the filter ends where a value was expected")
	}
	// An unquoted word.
	up := strings.ToUpper(t.text)
	call := p.punct("(")
	if geometryTags[up] != "" && p.keyword("Z") {
		call = true
	}
	switch {
	case up == "TRUE" || up == "FALSE":
		return p.leaf(t.pos, &Expr{Kind: Bool, Bool: up == "TRUE"})
	case reserved(up):
		return nil, p.errAt(t, "unexpected %s where a value was expected", up)
	case !call:
		return p.leaf(t.pos, &Expr{Kind: Property, Name: t.text})
	case up == "DATE" || up == "TIMESTAMP":
		return p.instant(t, up)
	case up == "INTERVAL":
		return p.interval(t)
	case up == "BBOX":
		return p.bbox(t)
	case geometryTags[up] != "":
		return p.geometry(t, up)
	}
	// A standard operator written as a call (S_INTERSECTS …, CASEI) or a function.
	name := canonicalOp(t.text)
	switch {
	case name == "":
		name = t.text
	case name != "casei" && name != "accenti" && !strings.Contains(name, "_"):
		return nil, p.errAt(t, "%s is an operator, not a function", t.text)
	}
	open := p.next()
	args, err := p.list(open)
	if err != nil {
		return nil, err
	}
	return p.op(t.pos, name, args.Args...)
}

func (p *parser) instant(t token, kind string) (*Expr, error) {
	p.next()
	s := p.next()
	if s.kind != tString {
		return nil, p.errAt(s, "%s takes a quoted value, as %s('2021-04-16')", kind, kind)
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	e, err := parseInstant(s.text)
	if err != nil {
		return nil, p.errAt(s, "%v", err)
	}
	if (kind == "DATE") != (e.Kind == Date) {
		return nil, p.errAt(s, "%s(%q): give a %s", kind, s.text, map[bool]string{true: "date YYYY-MM-DD", false: "timestamp YYYY-MM-DDThh:mm:ssZ"}[kind == "DATE"])
	}
	return p.leaf(t.pos, e)
}

func (p *parser) interval(t token) (*Expr, error) {
	p.next()
	var ends []*Expr
	for i := 0; i < 2; i++ {
		if i == 1 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		s := p.peek()
		if s.kind == tString {
			p.next()
			if s.text == ".." {
				ends = append(ends, &Expr{Kind: Unbounded})
				continue
			}
			e, err := parseInstant(s.text)
			if err != nil {
				return nil, p.errAt(s, "%v", err)
			}
			ends = append(ends, e)
			continue
		}
		e, err := p.arith()
		if err != nil {
			return nil, err
		}
		if e.Kind != Property && e.Kind != Op {
			return nil, p.errAt(s, "an interval's end is a quoted date or timestamp, '..', a property or a function")
		}
		ends = append(ends, e)
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	return p.leaf(t.pos, &Expr{Kind: Interval, Args: ends})
}

// signed reads a number with an optional sign (a coordinate).
func (p *parser) signed() (float64, error) {
	neg := false
	if p.punct("-") || p.punct("+") {
		neg = p.next().text == "-"
	}
	t := p.next()
	if t.kind != tNumber {
		return 0, p.errAt(t, "expected a number, found %s", describe(t))
	}
	f, err := p.number(t)
	if neg {
		f = -f
	}
	return f, err
}

func (p *parser) bbox(t token) (*Expr, error) {
	p.next()
	var box []float64
	err := p.commaList(func() error {
		f, err := p.signed()
		box = append(box, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if err := checkBBox(box); err != nil {
		return nil, p.errAt(t, "%v", err)
	}
	return p.leaf(t.pos, &Expr{Kind: BBox, Box: box})
}

var geometryTags = map[string]string{
	"POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon", "MULTIPOINT": "MultiPoint",
	"MULTILINESTRING": "MultiLineString", "MULTIPOLYGON": "MultiPolygon", "GEOMETRYCOLLECTION": "GeometryCollection",
}

// wkt reads Well-Known Text after the tag; it settles the layout from a Z or the first point.
type wkt struct {
	p      *parser
	layout geom.Layout
}

func (p *parser) geometry(t token, tag string) (*Expr, error) {
	w := &wkt{p: p}
	g, err := w.tagged(t, tag, true)
	if err != nil {
		return nil, err
	}
	if err := checkGeometry(g); err != nil {
		return nil, p.errAt(t, "%v", err)
	}
	return p.leaf(t.pos, &Expr{Kind: Geometry, Geom: g})
}

func (w *wkt) tagged(t token, tag string, top bool) (geom.T, error) {
	p := w.p
	if p.keyword("Z") {
		p.next()
		if w.layout == geom.XY && !top {
			return nil, p.errAt(t, "a geometry mixes 2D and 3D coordinates")
		}
		w.layout = geom.XYZ
	}
	switch tag {
	case "POINT":
		flat, err := w.points(false)
		if err != nil {
			return nil, err
		}
		if len(flat) != w.layout.Stride() {
			return nil, p.errAt(t, "a point has one position")
		}
		return geom.NewPointFlat(w.layout, flat), nil
	case "LINESTRING":
		flat, err := w.points(false)
		if err != nil {
			return nil, err
		}
		return geom.NewLineStringFlat(w.layout, flat), nil
	case "POLYGON":
		flat, ends, err := w.rings()
		if err != nil {
			return nil, err
		}
		return geom.NewPolygonFlat(w.layout, flat, ends), nil
	case "MULTIPOINT":
		flat, err := w.points(true)
		if err != nil {
			return nil, err
		}
		return geom.NewMultiPointFlat(w.layout, flat), nil
	case "MULTILINESTRING":
		flat, ends, err := w.rings()
		if err != nil {
			return nil, err
		}
		return geom.NewMultiLineStringFlat(w.layout, flat, ends), nil
	case "MULTIPOLYGON":
		if err := p.expect("("); err != nil {
			return nil, err
		}
		var flat []float64
		var endss [][]int
		err := p.commaList(func() error {
			f, ends, err := w.rings()
			if err != nil {
				return err
			}
			for i := range ends {
				ends[i] += len(flat)
			}
			flat = append(flat, f...)
			endss = append(endss, ends)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return geom.NewMultiPolygonFlat(w.layout, flat, endss), nil
	}
	// GEOMETRYCOLLECTION of geometry literals (not of collections).
	if err := p.expect("("); err != nil {
		return nil, err
	}
	gc := geom.NewGeometryCollection()
	err := p.commaList(func() error {
		m := p.next()
		up := strings.ToUpper(m.text)
		if m.kind != tIdent || geometryTags[up] == "" || up == "GEOMETRYCOLLECTION" {
			return p.errAt(m, "expected a geometry in the collection, found %s", describe(m))
		}
		g, err := w.tagged(m, up, false)
		if err != nil {
			return err
		}
		if err := gc.Push(g); err != nil {
			return p.errAt(m, "%v", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if w.layout != geom.NoLayout {
		if err := gc.SetLayout(w.layout); err != nil {
			return nil, p.errAt(t, "%v", err)
		}
	}
	return gc, nil
}

// points reads "(x y [z], …)"; in a multipoint each position may have its own parentheses.
func (w *wkt) points(multi bool) ([]float64, error) {
	p := w.p
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var flat []float64
	err := p.commaList(func() error {
		paren := multi && p.punct("(")
		if paren {
			p.next()
		}
		t := p.peek()
		var pt []float64
		for len(pt) < 3 && (p.peek().kind == tNumber || p.punct("-") || p.punct("+")) {
			f, err := p.signed()
			if err != nil {
				return err
			}
			pt = append(pt, f)
		}
		if len(pt) < 2 {
			return p.errAt(t, "a position has two or three coordinates")
		}
		layout := geom.XY
		if len(pt) == 3 {
			layout = geom.XYZ
		}
		if w.layout == geom.NoLayout {
			w.layout = layout
		} else if w.layout != layout {
			return p.errAt(t, "a geometry mixes 2D and 3D coordinates")
		}
		if err := p.c.coord(t.pos, 1); err != nil {
			return err
		}
		flat = append(flat, pt...)
		if paren {
			if err := p.expect(")"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return flat, p.expect(")")
}

// rings reads "((…), (…))", the rings of a polygon or the lines of a multilinestring.
func (w *wkt) rings() ([]float64, []int, error) {
	p := w.p
	if err := p.expect("("); err != nil {
		return nil, nil, err
	}
	var flat []float64
	var ends []int
	err := p.commaList(func() error {
		f, err := w.points(false)
		if err != nil {
			return err
		}
		flat = append(flat, f...)
		ends = append(ends, len(flat))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return flat, ends, p.expect(")")
}

// checkBBox checks a bounding box: 4 or 6 finite numbers, south not above north (west may
// exceed east: the box crosses the antimeridian).
func checkBBox(box []float64) error {
	if len(box) != 4 && len(box) != 6 {
		return fmt.Errorf("a bbox has 4 or 6 numbers, not %d", len(box))
	}
	south, north := box[1], box[3]
	if len(box) == 6 {
		south, north = box[1], box[4]
		if box[2] > box[5] {
			return fmt.Errorf("the bbox's minimum height is above its maximum")
		}
	}
	if south > north {
		return fmt.Errorf("the bbox's south edge is north of its north edge")
	}
	return nil
}

// checkGeometry refuses geometries PostGIS would refuse or misread: lines of fewer than two
// positions, rings of fewer than four or not closed, empty collections.
func checkGeometry(g geom.T) error {
	if _, ok := g.(*geom.GeometryCollection); ok {
		return checkCollection(g.(*geom.GeometryCollection))
	}
	for _, c := range g.FlatCoords() {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return fmt.Errorf("a coordinate is not a finite number")
		}
	}
	switch g := g.(type) {
	case *geom.Point:
		if g.Empty() {
			return fmt.Errorf("an empty point")
		}
	case *geom.LineString:
		if g.NumCoords() < 2 {
			return fmt.Errorf("a linestring has at least two positions")
		}
	case *geom.MultiLineString:
		for i := 0; i < g.NumLineStrings(); i++ {
			if err := checkGeometry(g.LineString(i)); err != nil {
				return err
			}
		}
	case *geom.Polygon:
		for i := 0; i < g.NumLinearRings(); i++ {
			r := g.LinearRing(i)
			n := r.NumCoords()
			if n < 4 {
				return fmt.Errorf("a polygon's ring has at least four positions")
			}
			if !r.Coord(0).Equal(r.Layout(), r.Coord(n-1)) {
				return fmt.Errorf("a polygon's ring is not closed (its last position is not its first)")
			}
		}
		if g.NumLinearRings() == 0 {
			return fmt.Errorf("a polygon without rings")
		}
	case *geom.MultiPolygon:
		for i := 0; i < g.NumPolygons(); i++ {
			if err := checkGeometry(g.Polygon(i)); err != nil {
				return err
			}
		}
	case *geom.MultiPoint:
		if g.NumPoints() == 0 {
			return fmt.Errorf("an empty multipoint")
		}
	}
	return nil
}

func checkCollection(g *geom.GeometryCollection) error {
	if g.NumGeoms() == 0 {
		return fmt.Errorf("an empty geometry collection")
	}
	for _, m := range g.Geoms() {
		if _, ok := m.(*geom.GeometryCollection); ok {
			return fmt.Errorf("a geometry collection inside a geometry collection")
		}
		if err := checkGeometry(m); err != nil {
			return err
		}
	}
	return nil
}
