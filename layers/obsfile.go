package layers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	// goccy/go-json decodes the features three times as fast as encoding/json (1.1 s against
	// 3.0 s for the 1,000,000-feature benchmark file), with the same semantics. Only its
	// Unmarshal is used, on the bytes of one feature: its stream decoder panicked on a fuzzed
	// input (testdata/fuzz), so the members around the features go through encoding/json.
	gojson "github.com/goccy/go-json"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// ObservationRecord is one observation read from an import file, validated, with its
// location in EPSG:3006.
type ObservationRecord struct {
	Row         int64 // 1-based feature number (GeoJSON) or line number (CSV)
	ObservedAt  time.Time
	Category    string
	Severity    int16
	Source      string
	SourceID    string
	Sensitivity string
	X, Y        float64
}

// ObservationReader yields the records of an import file one at a time, so files of any size
// stream through in constant memory. Next returns io.EOF after the last record; any other
// error names the row (as an *InvalidError with Param "file").
type ObservationReader interface {
	Next() (ObservationRecord, error)
}

// The domain of an observation, as migrations/001_foundation.sql and the catalogue declare it.
func observationEnums() (categories, sources, sensitivities []string) {
	l, _ := NewCatalogue().Layer("observations")
	p, _ := l.Property("category")
	q, _ := l.Property("source")
	r, _ := l.Property("sensitivity")
	return p.Enum, q.Enum, r.Enum
}

// A generous box around Sweden in EPSG:3006: coordinates outside it are a wrong CRS or
// swapped axes, not observations in a Swedish municipality.
const (
	swerefMinX, swerefMaxX = 150_000.0, 1_000_000.0
	swerefMinY, swerefMaxY = 6_000_000.0, 7_800_000.0
)

// validator checks the fields of a record; it holds the enumerations once per file.
type validator struct {
	categories, sources, sensitivities []string
}

func newValidator() validator {
	c, s, v := observationEnums()
	return validator{c, s, v}
}

func rowError(kind string, row int64, format string, args ...any) error {
	return Invalid("file", "%s %d: %s", kind, row, fmt.Sprintf(format, args...))
}

// check validates raw field values and fills rec; kind is "feature" or "line".
func (v validator) check(kind string, rec *ObservationRecord, observedAt, severity string) error {
	t, err := time.Parse(time.RFC3339Nano, observedAt)
	if err != nil {
		return rowError(kind, rec.Row, "observed_at %q is not an RFC 3339 date-time with zone (2023-05-01T18:00:00Z)", observedAt)
	}
	rec.ObservedAt = t.UTC()
	if !slices.Contains(v.categories, rec.Category) {
		return rowError(kind, rec.Row, "category %q is not one of %s", rec.Category, strings.Join(v.categories, ", "))
	}
	n, err := strconv.Atoi(strings.TrimSpace(severity))
	if err != nil || n < 1 || n > 5 {
		return rowError(kind, rec.Row, "severity %q is not an integer 1–5", severity)
	}
	rec.Severity = int16(n)
	if !slices.Contains(v.sources, rec.Source) {
		return rowError(kind, rec.Row, "source %q is not one of %s", rec.Source, strings.Join(v.sources, ", "))
	}
	// The source id is required: it is how a re-import recognises what is already stored.
	// Text goes to PostgreSQL as it is, which refuses invalid UTF-8 and NUL with an error
	// that names no row; the JSON decoder passes both through ("\u0000", raw bytes).
	if !utf8.ValidString(rec.SourceID) || strings.IndexByte(rec.SourceID, 0) >= 0 {
		return rowError(kind, rec.Row, "source_id %q is not valid UTF-8 text", rec.SourceID)
	}
	if l := utf8.RuneCountInString(rec.SourceID); l < 1 || l > 200 {
		return rowError(kind, rec.Row, "source_id must be 1–200 characters, got %d", l)
	}
	if rec.Sensitivity == "" {
		rec.Sensitivity = "internal"
	} else if !slices.Contains(v.sensitivities, rec.Sensitivity) {
		return rowError(kind, rec.Row, "sensitivity %q is not one of %s", rec.Sensitivity, strings.Join(v.sensitivities, ", "))
	}
	if math.IsNaN(rec.X) || math.IsNaN(rec.Y) || rec.X < swerefMinX || rec.X > swerefMaxX || rec.Y < swerefMinY || rec.Y > swerefMaxY {
		return rowError(kind, rec.Row, "location %.2f, %.2f (EPSG:3006) is outside Sweden; check the CRS and the axis order", rec.X, rec.Y)
	}
	return nil
}

// toSWEREF converts a coordinate pair in c to EPSG:3006.
func toSWEREF(c crs.CRS, a, b float64) (x, y float64) {
	if c == crs.SWEREF99TM {
		return a, b
	}
	if a < -180 || a > 180 || b < -90 || b > 90 || math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN(), math.NaN()
	}
	return crs.ToSWEREF99TM(a, b)
}

// geojsonReader streams the features of a GeoJSON FeatureCollection. The members of the
// collection are read with a token decoder; inside the features array a featurePipeline
// splits the features apart and decodes them on several goroutines, in file order.
type geojsonReader struct {
	src   *bufio.Reader
	dec   *json.Decoder
	crs   crs.CRS
	seen  bool // the features member was read
	done  bool
	v     validator
	feats *featurePipeline // while inside the features array
	cur   []ObservationRecord
	err   error // the error that ended the features, returned once cur is used up
}

var _ io.Closer = (*geojsonReader)(nil)

// NewGeoJSONObservationReader reads a GeoJSON FeatureCollection of Point features with the
// properties observed_at (RFC 3339), category, severity (1–5), source, source_id and
// optionally sensitivity (default internal). Coordinates are CRS84 longitude, latitude (RFC
// 7946) unless a "crs" member names EPSG:3006 (as "EPSG:3006", the OGC URI or
// "urn:ogc:def:crs:EPSG::3006", the form ogr2ogr writes); the crs member must come before
// "features", because the file is read as a stream. Unknown properties are ignored.
//
// The reader decodes ahead on goroutines of its own; it implements io.Closer, and a caller
// that stops before io.EOF or an error should Close it to stop them.
func NewGeoJSONObservationReader(r io.Reader) (ObservationReader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	g := &geojsonReader{src: br, dec: json.NewDecoder(br), v: newValidator()}
	if t, err := g.dec.Token(); err != nil || t != json.Delim('{') {
		return nil, Invalid("file", "not a GeoJSON object: %v", errOr(err, "does not start with {"))
	}
	return g, nil
}

func errOr(err error, msg string) string {
	if err != nil {
		return err.Error()
	}
	return msg
}

// geojsonFeature is one feature as decoded; numbers of severity may be JSON numbers or strings.
type geojsonFeature struct {
	Type     string `json:"type"`
	Geometry *struct {
		Type        string    `json:"type"`
		Coordinates []float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		ObservedAt  string          `json:"observed_at"`
		Category    string          `json:"category"`
		Severity    json.RawMessage `json:"severity"`
		Source      string          `json:"source"`
		SourceID    json.RawMessage `json:"source_id"`
		Sensitivity string          `json:"sensitivity"`
	} `json:"properties"`
}

func parseCRSMember(raw json.RawMessage) (crs.CRS, error) {
	var m struct {
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return 0, err
	}
	switch name := m.Properties.Name; name {
	case "urn:ogc:def:crs:EPSG::3006", "EPSG:3006", crs.SWEREF99TM.URI():
		return crs.SWEREF99TM, nil
	case "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84", "CRS84", crs.CRS84.URI():
		return crs.CRS84, nil
	default:
		return 0, fmt.Errorf("crs %q is not supported; use CRS84 or EPSG:3006", name)
	}
}

func (g *geojsonReader) Next() (ObservationRecord, error) {
	for {
		if len(g.cur) > 0 {
			rec := g.cur[0]
			g.cur = g.cur[1:]
			return rec, nil
		}
		if g.err != nil {
			return ObservationRecord{}, g.err
		}
		if g.feats != nil {
			recs, err := g.feats.next()
			switch {
			case errors.Is(err, io.EOF):
				// After the closing ], the collection may go on with more members: the token
				// decoder takes over again, as if at the start of an object.
				rest, closed := g.feats.rest()
				g.feats.close()
				g.feats = nil
				if closed {
					g.done = true
					return ObservationRecord{}, io.EOF
				}
				g.dec = json.NewDecoder(io.MultiReader(strings.NewReader("{"), rest))
				if _, err := g.dec.Token(); err != nil {
					return ObservationRecord{}, Invalid("file", "reading GeoJSON: %v", err)
				}
			case err != nil:
				g.feats.close()
				g.cur, g.err = recs, err
			default:
				g.cur = recs
			}
			continue
		}
		if g.done {
			return ObservationRecord{}, io.EOF
		}
		if err := g.member(); err != nil {
			g.err = err
			return ObservationRecord{}, err
		}
		if g.done {
			return ObservationRecord{}, io.EOF
		}
	}
}

// member reads the next member of the collection, up to the start of the features.
func (g *geojsonReader) member() error {
	t, err := g.dec.Token()
	if err != nil {
		return Invalid("file", "reading GeoJSON: %v", err)
	}
	if t == json.Delim('}') {
		g.done = true
		if !g.seen {
			return Invalid("file", "no features member")
		}
		return nil
	}
	key, _ := t.(string)
	switch key {
	case "features":
		if g.seen {
			return Invalid("file", "a second features member")
		}
		if t, err := g.dec.Token(); err != nil || t != json.Delim('[') {
			return Invalid("file", "features is not an array")
		}
		g.seen = true
		g.feats = newFeaturePipeline(io.MultiReader(g.dec.Buffered(), g.src), g.feature)
	case "crs":
		if g.seen {
			return Invalid("file", "the crs member must come before features")
		}
		var raw json.RawMessage
		if err := g.dec.Decode(&raw); err != nil {
			return Invalid("file", "crs: %v", err)
		}
		c, err := parseCRSMember(raw)
		if err != nil {
			return Invalid("file", "%v", err)
		}
		g.crs = c
	case "type":
		var typ string
		if err := g.dec.Decode(&typ); err != nil || typ != "FeatureCollection" {
			return Invalid("file", "type must be FeatureCollection")
		}
	default:
		var skip json.RawMessage
		if err := g.dec.Decode(&skip); err != nil {
			return Invalid("file", "member %q: %v", key, err)
		}
	}
	return nil
}

// Close stops the goroutines decoding ahead. The reader returns no more records after it.
func (g *geojsonReader) Close() error {
	if g.feats != nil {
		g.feats.close()
		g.feats = nil
	}
	g.cur = nil
	if g.err == nil {
		g.err = Invalid("file", "the reader was closed")
	}
	return nil
}

// feature decodes and validates the bytes of feature number row. It runs on several
// goroutines at once and only reads g's fields set before the features began.
func (g *geojsonReader) feature(row int64, raw []byte) (rec ObservationRecord, err error) {
	defer func() {
		// A decoder bug must not take the process down with it: the feature is refused.
		if p := recover(); p != nil {
			rec, err = ObservationRecord{}, rowError("feature", row, "cannot be decoded (%v)", p)
		}
	}()
	var f geojsonFeature
	if err := gojson.Unmarshal(raw, &f); err != nil {
		return ObservationRecord{}, rowError("feature", row, "%v", err)
	}
	rec = ObservationRecord{Row: row, Category: f.Properties.Category, Source: f.Properties.Source,
		Sensitivity: f.Properties.Sensitivity}
	if f.Type != "Feature" {
		return rec, rowError("feature", row, "type %q is not Feature", f.Type)
	}
	if f.Geometry == nil || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) < 2 {
		return rec, rowError("feature", row, "geometry must be a Point with coordinates")
	}
	rec.X, rec.Y = toSWEREF(g.crs, f.Geometry.Coordinates[0], f.Geometry.Coordinates[1])
	rec.SourceID = rawString(f.Properties.SourceID)
	if err := g.v.check("feature", &rec, f.Properties.ObservedAt, rawString(f.Properties.Severity)); err != nil {
		return rec, err
	}
	return rec, nil
}

// featurePipeline reads the elements of a JSON array of objects: one goroutine splits the
// bytes into features (tracking strings and nesting, not validating), workers decode batches
// of them in parallel, and next hands the batches out in file order. Splitting is a tenth of
// the work of decoding, so the decoding spreads over the cores.
type featurePipeline struct {
	queue chan chan decodedBatch // results in file order, one per batch
	stop  chan struct{}
	once  sync.Once
	sp    *featureSplitter
	done  chan struct{} // closed when the splitter has returned; sp.rest is then safe
}

// decodedBatch is the records of one batch, and the error that ended the features, if any.
type decodedBatch struct {
	recs []ObservationRecord
	err  error
}

// rawBatch is the bytes of consecutive features, the first being feature number first.
type rawBatch struct {
	first int64
	data  []byte
	ends  []int // feature k is data[ends[k-1]:ends[k]]
	err   error // the splitter's error after these features
	res   chan decodedBatch
}

const featureBatchSize = 512

func newFeaturePipeline(r io.Reader, decode func(row int64, raw []byte) (ObservationRecord, error)) *featurePipeline {
	p := &featurePipeline{
		queue: make(chan chan decodedBatch, 8),
		stop:  make(chan struct{}),
		sp:    &featureSplitter{r: r, buf: make([]byte, 0, 1<<16), first: true},
		done:  make(chan struct{}),
	}
	jobs := make(chan *rawBatch, 8)
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
		row := int64(1)
		for {
			b := &rawBatch{first: row, data: make([]byte, 0, 256*featureBatchSize), res: make(chan decodedBatch, 1)}
			for len(b.ends) < featureBatchSize {
				var err error
				b.data, err = p.sp.next(b.data)
				if err != nil {
					if !errors.Is(err, io.EOF) {
						b.err = rowError("feature", row, "%v", err)
					}
					break
				}
				b.ends = append(b.ends, len(b.data))
				row++
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
			if b.err != nil || len(b.ends) < featureBatchSize {
				return // the end of the array, or an error
			}
		}
	}()
	return p
}

func decodeBatch(b *rawBatch, decode func(int64, []byte) (ObservationRecord, error)) decodedBatch {
	out := decodedBatch{recs: make([]ObservationRecord, 0, len(b.ends))}
	start := 0
	for k, end := range b.ends {
		rec, err := decode(b.first+int64(k), b.data[start:end])
		if err != nil {
			out.err = err
			return out
		}
		out.recs = append(out.recs, rec)
		start = end
	}
	out.err = b.err
	return out
}

// next returns the records of the next batch; io.EOF after the closing ] of the array.
func (p *featurePipeline) next() ([]ObservationRecord, error) {
	res, ok := <-p.queue
	if !ok {
		return nil, io.EOF
	}
	d := <-res
	return d.recs, d.err
}

// rest returns what follows the closing ] of the array, and whether that was the end of
// the collection (the closing }). Only after next returned io.EOF.
func (p *featurePipeline) rest() (io.Reader, bool) {
	<-p.done
	return p.sp.rest()
}

// close stops the splitter; the workers end when the batches sent to them are done.
func (p *featurePipeline) close() {
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

var errTruncated = errors.New("unexpected end of the file")

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
	depth, inString, escaped := 0, false, false
	for {
		b := s.buf[s.pos:]
		for i, c := range b {
			switch {
			case inString:
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
				}
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					s.pos += i + 1
					return append(dst, b[:i+1]...), nil
				}
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

// rawString reads a JSON string or number as text ("" for null or absent).
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	// The common case, a string without escapes, needs no decoder.
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && !slices.ContainsFunc(raw[1:n-1], func(b byte) bool { return b == '\\' || b == '"' || b < 0x20 }) {
		return string(raw[1 : n-1])
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// csvReader streams the rows of a CSV file.
type csvReader struct {
	r    *csv.Reader
	col  map[string]int
	crs  crs.CRS // of the coordinate columns: x, y (EPSG:3006) or lon, lat (CRS84)
	line int64
	v    validator
}

// NewCSVObservationReader reads CSV with a header row naming the columns observed_at,
// category, severity, source, source_id, optionally sensitivity, and the location as x, y
// (EPSG:3006 easting, northing) or lon, lat (CRS84). Comma or semicolon delimited (detected
// from the header). Errors name the line.
func NewCSVObservationReader(r io.Reader) (ObservationReader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, Invalid("file", "%v", err)
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(string(head), "\ufeff"), "\n")
	cr := csv.NewReader(br)
	if strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, Invalid("file", "line 1: no header: %v", err)
	}
	c := &csvReader{r: cr, col: map[string]int{}, line: 1, v: newValidator()}
	for k, h := range header {
		c.col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = k
	}
	for _, need := range []string{"observed_at", "category", "severity", "source", "source_id"} {
		if _, ok := c.col[need]; !ok {
			return nil, Invalid("file", "line 1: the header has no %s column", need)
		}
	}
	_, hasX := c.col["x"]
	_, hasY := c.col["y"]
	_, hasLon := c.col["lon"]
	_, hasLat := c.col["lat"]
	switch {
	case hasX && hasY:
		c.crs = crs.SWEREF99TM
	case hasLon && hasLat:
		c.crs = crs.CRS84
	default:
		return nil, Invalid("file", "line 1: the header needs x and y (EPSG:3006) or lon and lat (CRS84) columns")
	}
	return c, nil
}

func (c *csvReader) field(rec []string, name string) string {
	k, ok := c.col[name]
	if !ok || k >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[k])
}

func (c *csvReader) Next() (ObservationRecord, error) {
	fields, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return ObservationRecord{}, io.EOF
	}
	c.line++
	if err != nil {
		return ObservationRecord{}, rowError("line", c.line, "%v", err)
	}
	rec := ObservationRecord{Row: c.line, Category: c.field(fields, "category"), Source: c.field(fields, "source"),
		SourceID: c.field(fields, "source_id"), Sensitivity: c.field(fields, "sensitivity")}
	a, errA := strconv.ParseFloat(c.field(fields, header(c.crs, 0)), 64)
	b, errB := strconv.ParseFloat(c.field(fields, header(c.crs, 1)), 64)
	if errA != nil || errB != nil {
		return rec, rowError("line", c.line, "the coordinates %q, %q are not numbers",
			c.field(fields, header(c.crs, 0)), c.field(fields, header(c.crs, 1)))
	}
	rec.X, rec.Y = toSWEREF(c.crs, a, b)
	if err := c.v.check("line", &rec, c.field(fields, "observed_at"), c.field(fields, "severity")); err != nil {
		return rec, err
	}
	return rec, nil
}

func header(c crs.CRS, k int) string {
	if c == crs.SWEREF99TM {
		return [2]string{"x", "y"}[k]
	}
	return [2]string{"lon", "lat"}[k]
}
