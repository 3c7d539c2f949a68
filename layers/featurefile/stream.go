package featurefile

import (
	"errors"
	"fmt"
	"io"
)

// Streams: the point features of a GeoJSON FeatureCollection or a CSV file one at a time, for
// imports too large for Read (a million observations). Read types every property from the
// whole file and holds it in memory; a stream reads only the properties it is asked for, as
// text, and hands each feature to the caller's convert function, so memory stays constant
// whatever the size of the file. GeoJSON features are decoded on several goroutines at once
// and come out in file order.

// StreamField is a property a stream reads.
type StreamField struct {
	// Name is the property as the file names it. GeoJSON members match it exactly or, failing
	// that, case-insensitively (as encoding/json matches struct fields); CSV header columns
	// case-insensitively.
	Name string
	// Optional says a CSV header may lack the column; every other field is required there.
	// A GeoJSON feature may lack any property: its Value is null.
	Optional bool
}

// CoordinateColumns are a pair of CSV columns holding a position, and the CRS they mean:
// 3006 (easting, northing) or 4326 (longitude, latitude).
type CoordinateColumns struct {
	X, Y string
	SRID int
}

// StreamOptions say what a stream reads.
type StreamOptions struct {
	Fields []StreamField
	// Coordinates are the CSV's possible coordinate columns in order of preference; the first
	// pair the header has wins and states the CRS.
	Coordinates []CoordinateColumns
}

// ValueKind is the JSON kind of a property's value; every CSV value is String.
type ValueKind uint8

// The kinds of a Value.
const (
	Null    ValueKind = iota // absent, JSON null
	Text                     // a JSON string or a CSV cell
	Numeric                  // a JSON number
	Bool                     // true or false
	Nested                   // a JSON object or array
)

// Value is one property of a Record.
type Value struct {
	Kind ValueKind
	// S is the text: a string unescaped, a CSV cell trimmed of surrounding space, any other
	// JSON value as the file spells it, "" for Null.
	S string
}

// Record is one point feature of a stream, as convert sees it.
type Record struct {
	// Number is the GeoJSON feature's 1-based number, or the CSV record's line number (the
	// header is line 1, and a record with a quoted line break counts once).
	Number int64
	X, Y   float64 // in SRID, in the file's axis order: longitude, latitude for 4326
	SRID   int     // 3006 or 4326
	Values []Value // one per StreamOptions.Fields, in their order
}

// Stream yields the features of a file converted to T, in file order.
type Stream[T any] struct {
	src batchSource[T]
	cur []T
	err error
}

// batchSource is a format's reader: the next converted features, io.EOF after the last.
type batchSource[T any] interface {
	next() ([]T, error)
	close()
}

// BatchSize is the number of GeoJSON features decoded together on one goroutine; a test that
// crosses batches needs files longer than it.
const BatchSize = 512

// NewStream reads r as f (GeoJSON or CSV) and converts every feature with convert. Convert
// runs on several goroutines at once for GeoJSON, must not keep rec or its Values, and its
// error ends the stream as it is. Errors of the file itself (syntax, a feature that is not a
// Point, a CSV header without the fields) are *Error naming the feature or the line. A GeoJSON
// file's crs member (CRS84 or EPSG:3006, as Read accepts them) must come before its features,
// because the file is read in one pass.
//
// A GeoJSON stream decodes ahead on goroutines of its own: a caller that stops before io.EOF
// or an error should Close it.
func NewStream[T any](r io.Reader, f Format, opt StreamOptions, convert func(rec *Record) (T, error)) (*Stream[T], error) {
	var src batchSource[T]
	var err error
	switch f {
	case GeoJSON:
		src, err = newGeoJSONStream(r, opt, convert)
	case CSV:
		src, err = newCSVStream(r, opt, convert)
	default:
		return nil, fileErr("a %s file cannot be streamed; use GeoJSON or CSV", f)
	}
	if err != nil {
		return nil, err
	}
	return &Stream[T]{src: src}, nil
}

// Next returns the next feature; io.EOF after the last one. After an error it returns the
// same error again.
func (s *Stream[T]) Next() (T, error) {
	for len(s.cur) == 0 {
		if s.err != nil {
			var zero T
			return zero, s.err
		}
		s.cur, s.err = s.src.next()
		if s.err != nil {
			s.src.close()
		}
	}
	v := s.cur[0]
	s.cur = s.cur[1:]
	return v, nil
}

// Close stops the goroutines decoding ahead; Next returns an error after it.
func (s *Stream[T]) Close() error {
	s.src.close()
	s.cur = nil
	if s.err == nil {
		s.err = fileErr("the stream was closed")
	}
	return nil
}

// recovered turns a panic in third-party decoding or in convert into an error naming the
// feature: hostile input must not take the process down.
func recovered(n int64, p any) error {
	return &Error{Feature: int(n), Msg: fmt.Sprintf("cannot be decoded (%v)", p)}
}

var errTruncated = errors.New("unexpected end of the file")
