package featurefile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	// goccy/go-json decodes the features three times as fast as encoding/json (1.1 s against
	// 3.0 s for the 1,000,000-feature benchmark file), with the same semantics. Only its
	// Unmarshal is used, on the bytes of one feature: its stream decoder panicked on a fuzzed
	// input, so the members around the features go through encoding/json.
	gojson "github.com/goccy/go-json"
)

// geojsonStream reads a FeatureCollection in one pass. The members of the collection are
// read with a token decoder; inside the features array a featurePipeline splits the features
// apart and decodes and converts them on several goroutines, in file order.
type geojsonStream[T any] struct {
	src     *bufio.Reader
	dec     *json.Decoder
	srid    int
	seen    bool // the features member was read
	done    bool
	fields  []StreamField
	convert func(*Record) (T, error)
	feats   *featurePipeline[T] // while inside the features array
}

func newGeoJSONStream[T any](r io.Reader, opt StreamOptions, convert func(*Record) (T, error)) (*geojsonStream[T], error) {
	br := bufio.NewReaderSize(r, 1<<20)
	g := &geojsonStream[T]{src: br, dec: json.NewDecoder(br), srid: 4326, fields: opt.Fields, convert: convert}
	if t, err := g.dec.Token(); err != nil || t != json.Delim('{') {
		msg := "does not start with {"
		if err != nil {
			msg = err.Error()
		}
		return nil, fileErr("not a GeoJSON object: %s", msg)
	}
	return g, nil
}

func (g *geojsonStream[T]) next() ([]T, error) {
	for {
		if g.feats != nil {
			recs, err := g.feats.next()
			if !errors.Is(err, io.EOF) {
				return recs, err
			}
			// After the closing ], the collection may go on with more members: the token
			// decoder takes over again, as if at the start of an object.
			rest, closed := g.feats.rest()
			g.feats.close()
			g.feats = nil
			if closed {
				g.done = true
				return nil, io.EOF
			}
			g.dec = json.NewDecoder(io.MultiReader(strings.NewReader("{"), rest))
			if _, err := g.dec.Token(); err != nil {
				return nil, fileErr("reading GeoJSON: %v", err)
			}
			continue
		}
		if g.done {
			return nil, io.EOF
		}
		if err := g.member(); err != nil {
			return nil, err
		}
	}
}

func (g *geojsonStream[T]) close() {
	if g.feats != nil {
		g.feats.close()
		g.feats = nil
	}
}

// member reads the next member of the collection, up to the start of the features.
func (g *geojsonStream[T]) member() error {
	t, err := g.dec.Token()
	if err != nil {
		return fileErr("reading GeoJSON: %v", err)
	}
	if t == json.Delim('}') {
		g.done = true
		if !g.seen {
			return fileErr("no features member")
		}
		return nil
	}
	key, _ := t.(string)
	switch key {
	case "features":
		if g.seen {
			return fileErr("a second features member")
		}
		if t, err := g.dec.Token(); err != nil || t != json.Delim('[') {
			return fileErr("features is not an array")
		}
		g.seen = true
		g.feats = newFeaturePipeline(io.MultiReader(g.dec.Buffered(), g.src), g.feature)
	case "crs":
		if g.seen {
			return fileErr("the crs member must come before features")
		}
		var raw json.RawMessage
		if err := g.dec.Decode(&raw); err != nil {
			return fileErr("crs: %v", err)
		}
		srid, err := geoJSONCRS(raw, 0)
		if err != nil {
			return err
		}
		g.srid = srid
	case "type":
		var typ string
		if err := g.dec.Decode(&typ); err != nil || typ != "FeatureCollection" {
			return fileErr("type must be FeatureCollection")
		}
	default:
		var skip json.RawMessage
		if err := g.dec.Decode(&skip); err != nil {
			return fileErr("member %q: %v", truncate(key), err)
		}
	}
	return nil
}

// streamFeature is one feature as decoded; the properties are picked out of their bytes.
type streamFeature struct {
	Type     string `json:"type"`
	Geometry *struct {
		Type        string    `json:"type"`
		Coordinates []float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// feature decodes and converts the bytes of feature number n into rec. It runs on several
// goroutines at once and reads only g's fields set before the features began.
func (g *geojsonStream[T]) feature(n int64, raw []byte, rec *Record) (T, error) {
	var zero T
	var f streamFeature
	if err := gojson.Unmarshal(raw, &f); err != nil {
		return zero, featErr(int(n), "%v", err)
	}
	if f.Type != "Feature" {
		return zero, featErr(int(n), "type %q is not Feature", truncate(f.Type))
	}
	if f.Geometry == nil || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) < 2 {
		return zero, featErr(int(n), "geometry must be a Point with coordinates")
	}
	if len(rec.Values) != len(g.fields) {
		rec.Values = make([]Value, len(g.fields))
	}
	rec.Number, rec.SRID = n, g.srid
	rec.X, rec.Y = f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
	if err := pickProperties(f.Properties, g.fields, rec.Values); err != nil {
		return zero, featErr(int(n), "properties: %v", err)
	}
	return g.convert(rec)
}

// pickProperties fills vals with the members of the JSON object raw named by fields: an
// exact name wins over one differing in case, and a later member over an earlier one, as
// encoding/json fills a struct. raw was checked by the decoder; the scan still refuses
// anything malformed rather than trusting it.
func pickProperties(raw []byte, fields []StreamField, vals []Value) error {
	clear(vals)
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '{' {
		return errors.New("not a JSON object")
	}
	var exactBuf [16]bool // a handful of fields: no allocation per feature
	exact := exactBuf[:]
	if len(fields) > len(exactBuf) {
		exact = make([]bool, len(fields))
	}
	i := skipSpace(raw, 1)
	if i < len(raw) && raw[i] == '}' {
		return nil
	}
	for {
		if i >= len(raw) || raw[i] != '"' {
			return errors.New("a member name is expected")
		}
		end, err := skipValue(raw, i)
		if err != nil {
			return err
		}
		key := raw[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			key = []byte(jsonString(raw[i:end]))
		}
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return errors.New("':' is expected after a member name")
		}
		start := skipSpace(raw, i+1)
		if end, err = skipValue(raw, start); err != nil {
			return err
		}
		keyASCII := isASCII(key)
		for k, f := range fields {
			if string(key) == f.Name {
				vals[k], exact[k] = jsonValue(raw[start:end]), true
			} else if !exact[k] && (len(key) == len(f.Name) || !keyASCII) && bytes.EqualFold(key, []byte(f.Name)) {
				// Folding changes the length only through non-ASCII letters (the Kelvin
				// sign), so an ASCII key of another length cannot match.
				vals[k] = jsonValue(raw[start:end])
			}
		}
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
			continue
		}
		if i < len(raw) && raw[i] == '}' {
			return nil
		}
		return errors.New("',' or '}' is expected after a member")
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errTruncated
	}
	switch b[i] {
	case '"':
		// The common case, a string: the next quote not escaped ends it.
		for k := i + 1; k < len(b); {
			q := bytes.IndexByte(b[k:], '"')
			if q < 0 {
				break
			}
			k += q
			bs := 0
			for bs < k-i-1 && b[k-1-bs] == '\\' {
				bs++
			}
			if bs%2 == 0 {
				return k + 1, nil
			}
			k++
		}
		return 0, errTruncated
	case '{', '[':
		var s jsonScan
		for k := i; k < len(b); k++ {
			if s.step(b[k]) && s.depth == 0 {
				return k + 1, nil
			}
		}
		return 0, errTruncated
	}
	k := i
scalar:
	for ; k < len(b); k++ {
		switch b[k] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			break scalar
		}
	}
	if k == i {
		return 0, fmt.Errorf("unexpected %q", b[i])
	}
	return k, nil
}

// jsonValue classifies the bytes of one JSON value.
func jsonValue(raw []byte) Value {
	switch {
	case string(raw) == "null":
		return Value{}
	case string(raw) == "true" || string(raw) == "false":
		return Value{Kind: Bool, S: string(raw)}
	case raw[0] == '"':
		return Value{Kind: Text, S: jsonString(raw)}
	case raw[0] == '{' || raw[0] == '[':
		return Value{Kind: Nested, S: string(raw)}
	}
	return Value{Kind: Numeric, S: string(raw)}
}

// jsonString unescapes a JSON string literal; the common case, one without escapes, needs no
// decoder. Bytes that are not UTF-8 pass through unchanged, for the caller to refuse.
func jsonString(raw []byte) string {
	if n := len(raw); n >= 2 && !slices.ContainsFunc(raw[1:n-1], func(b byte) bool { return b == '\\' || b == '"' || b < 0x20 }) {
		return string(raw[1 : n-1])
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// jsonScan follows strings and nesting through JSON bytes without validating anything else:
// enough to find where a value ends (the stream's splitter, pickProperties) and how deep it
// goes (checkJSONDepth).
type jsonScan struct {
	depth             int
	inString, escaped bool
}

// step takes the next byte; it reports whether the byte closed a string, an object or an
// array (then depth is the nesting after it).
func (s *jsonScan) step(c byte) bool {
	switch {
	case s.inString:
		switch {
		case s.escaped:
			s.escaped = false
		case c == '\\':
			s.escaped = true
		case c == '"':
			s.inString = false
			return true
		}
	case c == '"':
		s.inString = true
	case c == '{' || c == '[':
		s.depth++
	case c == '}' || c == ']':
		s.depth--
		return true
	}
	return false
}

// featurePipeline reads the elements of a JSON array of objects: one goroutine splits the
// bytes into features, workers decode and convert batches of them in parallel, and next
// hands the batches out in file order. Splitting is a tenth of the work of decoding, so the
// decoding spreads over the cores.
type featurePipeline[T any] struct {
	queue chan chan decodedBatch[T] // results in file order, one per batch
	stop  chan struct{}
	once  sync.Once
	sp    *featureSplitter
	done  chan struct{} // closed when the splitter has returned; sp.rest is then safe
}

// decodedBatch is the features of one batch, and the error that ended them, if any.
type decodedBatch[T any] struct {
	recs []T
	err  error
}

// rawBatch is the bytes of consecutive features, the first being feature number first.
type rawBatch[T any] struct {
	first int64
	data  []byte
	ends  []int // feature k is data[ends[k-1]:ends[k]]
	err   error // the splitter's error after these features
	res   chan decodedBatch[T]
}

func newFeaturePipeline[T any](r io.Reader, decode func(n int64, raw []byte, rec *Record) (T, error)) *featurePipeline[T] {
	p := &featurePipeline[T]{
		queue: make(chan chan decodedBatch[T], 8),
		stop:  make(chan struct{}),
		sp:    &featureSplitter{r: r, buf: make([]byte, 0, 1<<16), first: true},
		done:  make(chan struct{}),
	}
	jobs := make(chan *rawBatch[T], 8)
	workers := min(max(runtime.GOMAXPROCS(0), 1), 8)
	for range workers {
		go func() {
			for b := range jobs {
				b.res <- decodeBatch(b, decode)
			}
		}()
	}
	go func() {
		defer close(p.done)
		defer close(jobs)
		defer close(p.queue)
		n := int64(1)
		for {
			b := &rawBatch[T]{first: n, data: make([]byte, 0, 256*BatchSize), res: make(chan decodedBatch[T], 1)}
			for len(b.ends) < BatchSize {
				var err error
				b.data, err = p.sp.next(b.data)
				if err != nil {
					if !errors.Is(err, io.EOF) {
						b.err = featErr(int(n), "%v", err)
					}
					break
				}
				b.ends = append(b.ends, len(b.data))
				n++
			}
			select {
			case p.queue <- b.res:
			case <-p.stop:
				return
			}
			select {
			case jobs <- b:
			case <-p.stop:
				return
			}
			if b.err != nil || len(b.ends) < BatchSize {
				return // the end of the array, or an error
			}
		}
	}()
	return p
}

// decodeBatch decodes the features of b with one Record reused for all of them.
func decodeBatch[T any](b *rawBatch[T], decode func(int64, []byte, *Record) (T, error)) (out decodedBatch[T]) {
	out.recs = make([]T, 0, len(b.ends))
	var rec Record
	start := 0
	n := b.first
	defer func() {
		if p := recover(); p != nil {
			out.err = recovered(n, p)
		}
	}()
	for k, end := range b.ends {
		n = b.first + int64(k)
		v, err := decode(n, b.data[start:end], &rec)
		if err != nil {
			out.err = err
			return out
		}
		out.recs = append(out.recs, v)
		start = end
	}
	out.err = b.err
	return out
}

// next returns the features of the next batch; io.EOF after the closing ] of the array.
func (p *featurePipeline[T]) next() ([]T, error) {
	res, ok := <-p.queue
	if !ok {
		return nil, io.EOF
	}
	d := <-res
	return d.recs, d.err
}

// rest returns what follows the closing ] of the array, and whether that was the end of
// the collection (the closing }). Only after next returned io.EOF.
func (p *featurePipeline[T]) rest() (io.Reader, bool) {
	<-p.done
	return p.sp.rest()
}

// close stops the splitter; the workers end when the batches sent to them are done.
func (p *featurePipeline[T]) close() {
	p.once.Do(func() { close(p.stop) })
}

// featureSplitter cuts a JSON array of objects, read after its [, into the bytes of each
// object. It follows strings and nesting only: whether each object is valid JSON is for the
// decoder to say.
type featureSplitter struct {
	r     io.Reader
	buf   []byte // buf[pos:] is read and not yet consumed
	pos   int
	rerr  error // the read error (io.EOF at the end) once buf is used up
	first bool
}

// fill reads more into buf; false when nothing more can be read.
func (s *featureSplitter) fill() bool {
	if s.rerr != nil {
		return false
	}
	s.buf = s.buf[:copy(s.buf, s.buf[s.pos:])]
	s.pos = 0
	if len(s.buf) == cap(s.buf) {
		s.buf = slices.Grow(s.buf, cap(s.buf))
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	if err != nil {
		s.rerr = err
	}
	return n > 0 || err == nil
}

// peek skips white space and returns the next byte without consuming it.
func (s *featureSplitter) peek() (byte, error) {
	for {
		for s.pos < len(s.buf) {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c, nil
			}
		}
		if !s.fill() {
			if s.rerr != nil && !errors.Is(s.rerr, io.EOF) {
				return 0, s.rerr
			}
			return 0, errTruncated
		}
	}
}

// next appends the bytes of the next object to dst; io.EOF after the closing ].
func (s *featureSplitter) next(dst []byte) ([]byte, error) {
	c, err := s.peek()
	if err != nil {
		return dst, err
	}
	if c == ']' {
		s.pos++
		return dst, io.EOF
	}
	if !s.first {
		if c != ',' {
			return dst, fmt.Errorf("expected , or ] after the previous feature, found %q", c)
		}
		s.pos++
		if c, err = s.peek(); err != nil {
			return dst, err
		}
	}
	s.first = false
	if c != '{' {
		return dst, fmt.Errorf("a feature must be a JSON object, found %q", c)
	}
	var scan jsonScan
	for {
		b := s.buf[s.pos:]
		for i, c := range b {
			if scan.step(c) && scan.depth == 0 {
				s.pos += i + 1
				return append(dst, b[:i+1]...), nil
			}
		}
		dst = append(dst, b...)
		s.pos = len(s.buf)
		if !s.fill() {
			if s.rerr != nil && !errors.Is(s.rerr, io.EOF) {
				return dst, s.rerr
			}
			return dst, errTruncated
		}
	}
}

// rest returns what follows the closing ], after a comma that continues the collection, and
// whether the collection closed instead (} or the end of the file, for the decoder to judge).
func (s *featureSplitter) rest() (io.Reader, bool) {
	c, err := s.peek()
	if err == nil && c == ',' {
		s.pos++
		return io.MultiReader(bytes.NewReader(s.buf[s.pos:]), s.r), false
	}
	if err == nil && c == '}' {
		return nil, true
	}
	// Anything else is malformed; the decoder reports it with its own words.
	return io.MultiReader(bytes.NewReader(s.buf[s.pos:]), s.r), false
}
