package layers

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers/featurefile"
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

// ImportZone is the time zone of an observation time given without one ("2024-05-01 18:30",
// as Swedish spreadsheets write them): the municipality's local time.
const ImportZone = "Europe/Stockholm"

// validator checks the fields of a record; it holds the enumerations once per file, the
// local time zone, and counts the times read in it (records are converted concurrently).
type validator struct {
	categories, sources, sensitivities []string
	local                              *time.Location
	localTimes                         *atomic.Int64
}

func newValidator() (validator, error) {
	c, s, v := observationEnums()
	loc, err := time.LoadLocation(ImportZone)
	if err != nil {
		return validator{}, fmt.Errorf("time zone %s: %w", ImportZone, err)
	}
	return validator{c, s, v, loc, new(atomic.Int64)}, nil
}

// localLayouts are the forms of a time without a zone an import accepts: ISO 8601 with a T or
// a space (as Excel writes it in Swedish), with or without seconds.
var localLayouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04"}

// parseTime reads an RFC 3339 time, or a local time without a zone in v.local (counted).
func (v validator) parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, v.local); err == nil {
			v.localTimes.Add(1)
			return t, true
		}
	}
	return time.Time{}, false
}

func rowError(kind string, row int64, format string, args ...any) error {
	return Invalid("file", "%s %d: %s", kind, row, fmt.Sprintf(format, args...))
}

// check validates raw field values and fills rec; kind is "feature" or "line".
func (v validator) check(kind string, rec *ObservationRecord, observedAt, severity string) error {
	t, ok := v.parseTime(observedAt)
	if !ok {
		return rowError(kind, rec.Row, "observed_at %q is not a date-time: RFC 3339 with a zone (2023-05-01T18:00:00Z), or local time in %s (2023-05-01 20:00)", observedAt, ImportZone)
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
		return rowError(kind, rec.Row, "source_id %q is not valid UTF-8 text (from Excel, save as \"CSV UTF-8\")", rec.SourceID)
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

// observationFields are the properties an observation file gives, in the order
// validator.record finds them in Record.Values.
var observationFields = []featurefile.StreamField{
	{Name: "observed_at"}, {Name: "category"}, {Name: "severity"}, {Name: "source"}, {Name: "source_id"},
	{Name: "sensitivity", Optional: true},
}

// observationCoordinates are a CSV's location columns: x, y in EPSG:3006, or lon, lat.
var observationCoordinates = []featurefile.CoordinateColumns{{X: "x", Y: "y", SRID: 3006}, {X: "lon", Y: "lat", SRID: 4326}}

// NewObservationReader reads observations from r, a GeoJSON FeatureCollection of Point
// features or a CSV file, streamed through featurefile in constant memory. Every feature
// gives observed_at (RFC 3339), category, severity (1–5), source, source_id and optionally
// sensitivity (default internal); other properties are ignored.
//
// GeoJSON coordinates are CRS84 longitude, latitude (RFC 7946) unless a "crs" member names
// EPSG:3006 (as "EPSG:3006", the OGC URI or "urn:ogc:def:crs:EPSG::3006", the form ogr2ogr
// writes); the crs member must come before "features". Errors name the feature.
//
// CSV has a header row naming those columns and the location as x, y (EPSG:3006 easting,
// northing) or lon, lat (CRS84); comma, semicolon or tab delimited (detected from the
// header). Errors name the line.
//
// Every error is an *InvalidError with Param "file". The GeoJSON reader decodes ahead on
// goroutines of its own; the reader implements io.Closer, and a caller that stops before
// io.EOF or an error should Close it to stop them.
func NewObservationReader(r io.Reader, f featurefile.Format) (ObservationReader, error) {
	kind := "feature"
	if f == featurefile.CSV {
		kind = "line"
	}
	v, err := newValidator()
	if err != nil {
		return nil, err
	}
	s, err := featurefile.NewStream(r, f, featurefile.StreamOptions{Fields: observationFields, Coordinates: observationCoordinates},
		func(rec *featurefile.Record) (ObservationRecord, error) { return v.record(kind, rec) })
	if err != nil {
		return nil, fileInvalid(err)
	}
	return observationStream{s, v.localTimes}, nil
}

// NewGeoJSONObservationReader is NewObservationReader for GeoJSON.
func NewGeoJSONObservationReader(r io.Reader) (ObservationReader, error) {
	return NewObservationReader(r, featurefile.GeoJSON)
}

// NewCSVObservationReader is NewObservationReader for CSV.
func NewCSVObservationReader(r io.Reader) (ObservationReader, error) {
	return NewObservationReader(r, featurefile.CSV)
}

// observationStream turns the stream's file errors into *InvalidError.
type observationStream struct {
	s          *featurefile.Stream[ObservationRecord]
	localTimes *atomic.Int64
}

// LocalTimes is how many records so far gave a time without a zone, read in ImportZone.
func (o observationStream) LocalTimes() int64 { return o.localTimes.Load() }

var _ io.Closer = observationStream{}

func (o observationStream) Next() (ObservationRecord, error) {
	rec, err := o.s.Next()
	return rec, fileInvalid(err)
}

func (o observationStream) Close() error { return o.s.Close() }

// record converts one feature of an observation file; kind is "feature" or "line".
func (v validator) record(kind string, in *featurefile.Record) (ObservationRecord, error) {
	rec := ObservationRecord{Row: in.Number}
	text := func(i int) (string, error) {
		val := in.Values[i]
		if val.Kind != featurefile.Text && val.Kind != featurefile.Null {
			return "", rowError(kind, in.Number, "%s must be text, not %s", observationFields[i].Name, val.S)
		}
		return val.S, nil
	}
	var err error
	var observedAt string
	if observedAt, err = text(0); err != nil {
		return rec, err
	}
	if rec.Category, err = text(1); err != nil {
		return rec, err
	}
	if rec.Source, err = text(3); err != nil {
		return rec, err
	}
	if rec.Sensitivity, err = text(5); err != nil {
		return rec, err
	}
	// Severity and source id may be numbers or text.
	rec.SourceID = in.Values[4].S
	c := crs.CRS84
	if in.SRID == 3006 {
		c = crs.SWEREF99TM
	}
	if c == crs.CRS84 && (math.Abs(in.X) > 180 || math.Abs(in.Y) > 90) && featurefile.LooksSWEREF(in.X, in.Y) {
		if kind == "line" { // a CSV names its CRS by its columns
			return rec, rowError(kind, in.Number, "coordinates (%g, %g) are not longitude, latitude; they look like SWEREF 99 TM (EPSG:3006): name the columns x and y", in.X, in.Y)
		}
		return rec, rowError(kind, in.Number, "coordinates (%g, %g) out of range for CRS84; %s", in.X, in.Y, featurefile.SWEREFHint)
	}
	rec.X, rec.Y = toSWEREF(c, in.X, in.Y)
	return rec, v.check(kind, &rec, observedAt, in.Values[2].S)
}

// fileInvalid turns a *featurefile.Error into an *InvalidError of the file, worded as before
// the readers were one: a feature's or line's error names it, the file's stands alone.
// Other errors pass unchanged.
func fileInvalid(err error) error {
	var fe *featurefile.Error
	if !errors.As(err, &fe) {
		return err
	}
	if fe.Feature == 0 && fe.Line == 0 {
		if fe.Field != "" {
			return Invalid("file", "%s: %s", fe.Field, fe.Msg)
		}
		return Invalid("file", "%s", fe.Msg)
	}
	return Invalid("file", "%s", fe.Error())
}

func errOr(err error, msg string) string {
	if err != nil {
		return err.Error()
	}
	return msg
}
