// Package featurefile is Lägesbild's one reader of feature files: GeoJSON, CSV with
// coordinates or a WKT column, a GeoPackage, or a zipped Shapefile. Read (bytes, an upload) and
// ReadFile (a path, an operator's file) return the whole file in memory, checked, with typed
// properties; NewStream reads the point features of a GeoJSON or CSV file one at a time in
// constant memory, for imports of millions of observations. It touches no database: the caller
// stores what it returns (all or nothing).
//
// Assumptions: Read's file is in memory (callers cap the upload at Limits.MaxBytes before
// calling); the only coordinate reference systems accepted are CRS84/WGS 84 (EPSG:4326, in
// lon, lat order) and SWEREF 99 TM (EPSG:3006, the storage CRS) — anything else is refused by
// name rather than reprojected, because a silently misplaced layer is worse than a refusal;
// input is hostile until checked: sizes, counts, nesting and coordinates are bounded before
// anything is allocated in proportion to what the file claims. Every failure is an *Error that
// names the feature (its 1-based number in file order; for CSV the data row after the header,
// or in a stream the line) or the file as a whole, so an HTTP handler can answer 400 (or 413
// for a limit) with it.
package featurefile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/twpayne/go-geom"
)

// Format is a supported file format.
type Format string

// The formats Read understands.
const (
	GeoJSON   Format = "geojson"
	CSV       Format = "csv"
	GPKG      Format = "gpkg"
	Shapefile Format = "shapefile" // a .zip holding .shp, .shx, .dbf and .prj
)

// Limits bound what a file may make Read do; exceeding one is an Error with TooLarge set.
type Limits struct {
	MaxBytes    int64 // the file, and for a zip the sum of its inflated entries
	MaxFeatures int
	MaxVertices int // over the whole file
	MaxDepth    int // JSON nesting (GeoJSON needs about 6)
	MaxFields   int // property columns
}

// DefaultLimits are generous for a partner's overlay and still safe for a server.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 50 << 20, MaxFeatures: 100_000, MaxVertices: 5_000_000, MaxDepth: 64, MaxFields: 100}
}

// Options tune Read. The zero value of Limits means DefaultLimits.
type Options struct {
	Limits Limits
	// CRS is 0 to detect it from the file, or 3006 or 4326 to state it (a GeoJSON crs
	// member, a GeoPackage's or a Shapefile's own CRS still win and must agree).
	CRS int
	// XField, YField name the coordinate columns of a CSV; "" detects them.
	XField, YField string
	// Table chooses the feature table of a GeoPackage holding more than one.
	Table string
}

// FieldType is the inferred type of a property.
type FieldType string

// The property types; integer values also fit number.
const (
	String   FieldType = "string"
	Integer  FieldType = "integer"
	Number   FieldType = "number"
	Boolean  FieldType = "boolean"
	Date     FieldType = "date"
	DateTime FieldType = "datetime"
)

// Field is one property column. Name is sanitised: letters, digits and _, at most 63 bytes,
// unique within the file, so it can name a column or a JSON member safely.
type Field struct {
	Name     string
	Type     FieldType
	Original string // the name as the file spells it, for messages
}

// Feature is one feature of the file.
type Feature struct {
	Number int // 1-based, in file order (CSV: the data row, 1 = the first row after the header)
	// Geometry is in Collection.SRID with its SRID set: Point, MultiPoint, LineString,
	// MultiLineString, Polygon or MultiPolygon, two-dimensional.
	Geometry geom.T
	// Properties holds, per Field name, a value of its type: string, int64, float64, bool,
	// time.Time (date and datetime), or nil.
	Properties map[string]any
}

// Collection is what Read returns.
type Collection struct {
	SRID         int    // 3006 or 4326 (CRS84: lon, lat)
	GeometryType string // GeoJSON type name of every feature, "Geometry" if mixed
	// Layer is the GeoPackage table read ("" for other formats), and CRSName its CRS as the
	// GeoPackage describes it ("EPSG 3006 (SWEREF99 TM, srs_id 3006)"), for messages.
	Layer, CRSName string
	Fields         []Field
	Features       []Feature
}

// ErrTooLarge is wrapped by every *Error of a limit exceeded (TooLarge). layers names it as
// the kind layers.ErrTooLarge, which the web layer answers 413.
var ErrTooLarge = errors.New("too large")

// Error is every failure of Read, and of a stream reading its file. One with TooLarge set
// wraps ErrTooLarge; the others are the file's fault as it stands (HTTP 400).
type Error struct {
	Feature  int    // 0: the file as a whole (or a line, below)
	Line     int    // a CSV stream's line (records are numbered by line there), else 0
	Field    string // the property or column concerned, as named in the file, or ""
	Msg      string
	TooLarge bool // a limit was exceeded: HTTP 413 rather than 400
}

func (e *Error) Error() string {
	where := "file"
	if e.Feature > 0 {
		where = fmt.Sprintf("feature %d", e.Feature)
	} else if e.Line > 0 {
		where = fmt.Sprintf("line %d", e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Field, e.Msg)
	}
	return where + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrTooLarge) true for a limit exceeded.
func (e *Error) Unwrap() error {
	if e.TooLarge {
		return ErrTooLarge
	}
	return nil
}

func fileErr(format string, args ...any) *Error { return &Error{Msg: fmt.Sprintf(format, args...)} }

func featErr(n int, format string, args ...any) *Error {
	return &Error{Feature: n, Msg: fmt.Sprintf(format, args...)}
}

func tooLarge(n int, format string, args ...any) *Error {
	return &Error{Feature: n, Msg: fmt.Sprintf(format, args...), TooLarge: true}
}

// Detect names the format of an upload from its content type, its file name's extension and
// its first bytes, in that order of trust reversed: magic bytes win, because browsers send
// application/octet-stream for most of these.
func Detect(contentType, filename string, head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return GPKG, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return Shapefile, nil
	}
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	switch ct {
	case "application/geo+json", "application/vnd.geo+json":
		return GeoJSON, nil
	case "text/csv", "text/tab-separated-values":
		return CSV, nil
	case "application/geopackage+sqlite3":
		return GPKG, nil
	case "application/zip", "application/x-zip-compressed":
		return Shapefile, nil
	}
	switch strings.ToLower(path.Ext(filename)) {
	case ".geojson", ".json":
		return GeoJSON, nil
	case ".csv", ".tsv", ".txt":
		return CSV, nil
	case ".gpkg":
		return GPKG, nil
	case ".zip", ".shz":
		return Shapefile, nil
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) > 0 && t[0] == '{' {
		return GeoJSON, nil
	}
	if len(t) > 0 && bytes.IndexByte(t, 0) < 0 && bytes.IndexAny(t, ",;\t") >= 0 {
		return CSV, nil
	}
	return "", fileErr("unknown file format (content type %q, name %q): send GeoJSON, CSV, a GeoPackage or a zipped Shapefile", contentType, filename)
}

// Read decodes data of format f. Every failure is an *Error.
func Read(f Format, data []byte, opt Options) (*Collection, error) {
	opt, err := checkOptions(opt, int64(len(data)))
	if err != nil {
		return nil, err
	}
	var c *Collection
	switch f {
	case GeoJSON:
		c, err = readGeoJSON(data, opt)
	case CSV:
		c, err = readCSV(data, opt)
	case GPKG:
		c, err = readGPKG(context.Background(), data, opt)
	case Shapefile:
		c, err = readShapefile(data, opt)
	default:
		return nil, fileErr("unknown format %q", f)
	}
	if err != nil {
		return nil, err
	}
	return finishCollection(c)
}

// ReadFile reads the file at path as Read reads its bytes; f "" detects the format (DetectFile).
// A GeoPackage is opened where it lies rather than read into memory and copied, so an
// operator's large file costs no second copy; every format still keeps to opt.Limits. Errors
// are *Error, or the error of opening the file.
func ReadFile(ctx context.Context, path string, f Format, opt Options) (Format, *Collection, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", nil, err
	}
	if opt, err = checkOptions(opt, st.Size()); err != nil {
		return "", nil, err
	}
	if f == "" {
		if f, err = DetectFile(path); err != nil {
			return "", nil, err
		}
	}
	if f != GPKG {
		data, err := os.ReadFile(path)
		if err != nil {
			return "", nil, err
		}
		c, err := Read(f, data, opt)
		return f, c, err
	}
	head, err := readHead(path)
	if err != nil {
		return "", nil, err
	}
	if err := checkGPKGHeader(head, opt); err != nil {
		return f, nil, err
	}
	c, err := readGPKGPath(ctx, path, opt)
	if err != nil {
		return f, nil, err
	}
	c, err = finishCollection(c)
	return f, c, err
}

// DetectFile names the format of the file at path from its name and first bytes, as Detect.
func DetectFile(path string) (Format, error) {
	head, err := readHead(path)
	if err != nil {
		return "", err
	}
	return Detect("", filepath.Base(path), head)
}

// readHead returns the first 512 bytes of the file at path, or all of a shorter one.
func readHead(path string) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(file, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return head[:n], nil
}

// checkOptions fills in the default limits and checks the stated CRS and the file's size.
func checkOptions(opt Options, size int64) (Options, error) {
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits()
	}
	if opt.CRS != 0 && opt.CRS != 3006 && opt.CRS != 4326 {
		return opt, fileErr("CRS EPSG:%d is not supported; use CRS84 or EPSG:3006", opt.CRS)
	}
	if size > opt.Limits.MaxBytes {
		return opt, tooLarge(0, "the file is %d bytes, more than the limit of %d", size, opt.Limits.MaxBytes)
	}
	return opt, nil
}

// finishCollection checks what every format's reader returned alike.
func finishCollection(c *Collection) (*Collection, error) {
	if len(c.Features) == 0 {
		return nil, fileErr("the file has no features")
	}
	if err := checkNUL(c); err != nil {
		return nil, err
	}
	c.GeometryType = geometryType(c.Features)
	return c, nil
}

// checkNUL refuses a text property holding a NUL character, in any format: PostgreSQL's text
// and jsonb cannot store one (the insert would fail as a server error), and no real data
// means it.
func checkNUL(c *Collection) error {
	for _, f := range c.Features {
		for _, fd := range c.Fields {
			if s, ok := f.Properties[fd.Name].(string); ok && strings.IndexByte(s, 0) >= 0 {
				return &Error{Feature: f.Number, Field: fd.Original, Msg: "the text holds a NUL character, which cannot be stored"}
			}
		}
	}
	return nil
}

// geometryType is the GeoJSON name of every feature's type, or "Geometry" if they differ.
func geometryType(fs []Feature) string {
	name := ""
	for _, f := range fs {
		n := typeName(f.Geometry)
		if name == "" {
			name = n
		} else if n != name {
			return "Geometry"
		}
	}
	return name
}

func typeName(g geom.T) string {
	switch g.(type) {
	case *geom.Point:
		return "Point"
	case *geom.MultiPoint:
		return "MultiPoint"
	case *geom.LineString:
		return "LineString"
	case *geom.MultiLineString:
		return "MultiLineString"
	case *geom.Polygon:
		return "Polygon"
	case *geom.MultiPolygon:
		return "MultiPolygon"
	}
	return "Geometry"
}
