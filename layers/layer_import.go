package layers

// The import of a declared layer from a file: the mapping comes from the declaration alone.
// Each declared property is read from the file field of its name or one of its import
// aliases (Property.Aliases), case-insensitively; the id column from the field of its name,
// when the file has one. So a small layer (schools, youth centres, the police's local
// offices) is loaded without an import of its own.
//
// Assumptions: the layer's table is its own (no Sources: not a view over other tables), so
// every declared property is a column of it; the table's constraints (NOT NULL, CHECK, the
// geometry's type and validity) have the last word, and a refusal names the feature; a file
// is small enough to insert row by row in one transaction (featurefile's limits bound it).

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// LayerRows are the features of a file mapped onto a layer's columns, ready to store.
type LayerRows struct {
	layer *Layer
	// Columns are the layer's columns the file gives, in declaration order (the id column
	// first when given); Fields the file's field of each, as the file spells it.
	Columns, Fields []string
	keys            []string // the Feature.Properties key of each of Fields
	srid            int
	rows            []layerRow
}

type layerRow struct {
	feature int
	values  []any
	wkb     []byte
}

// LayerRowsFrom maps the features of c onto l's declared properties. Every problem is an
// *InvalidError: "layer" when l cannot be imported this way, "file" naming the feature and
// field otherwise.
func LayerRowsFrom(l *Layer, c *featurefile.Collection) (*LayerRows, error) {
	if !l.HasGeometry() || len(l.Sources) > 0 {
		return nil, Invalid("layer", "%s is not read from a table of its own with geometry; it cannot be imported from a file", l.ID)
	}
	r := &LayerRows{layer: l, srid: c.SRID}
	props, addIllustrative := r.mapFields(c)
	if len(props) == 0 {
		var names []string
		for _, fd := range c.Fields {
			names = append(names, fd.Original)
		}
		return nil, Invalid("file", "none of its fields (%s) is a property of %s or one of its import names", strings.Join(names, ", "), l.ID)
	}
	if len(c.Features) == 0 {
		return nil, Invalid("file", "no features")
	}
	for _, ft := range c.Features {
		if err := checkGeometryType(l.GeometryType, ft.Geometry); err != nil {
			return nil, Invalid("file", "feature %d: %v", ft.Number, err)
		}
		b, err := wkb.Marshal(ft.Geometry, binary.LittleEndian)
		if err != nil {
			return nil, Invalid("file", "feature %d: %v", ft.Number, err)
		}
		row := layerRow{feature: ft.Number, wkb: b}
		for i, p := range props {
			v, err := importValue(p, ft.Properties[r.keys[i]])
			if err != nil {
				return nil, Invalid("file", "feature %d: field %s: %v", ft.Number, r.Fields[i], err)
			}
			row.values = append(row.values, v)
		}
		if addIllustrative {
			row.values = append(row.values, false)
		}
		r.rows = append(r.rows, row)
	}
	return r, nil
}

// mapFields finds the file's field of the id column and of each declared property (by its
// import names) and records them in r.Columns and r.Fields; it returns the properties found,
// in that order, and whether the illustrative column is to be added (declared, not in the
// file: rows from a file are real data unless the file says otherwise).
func (r *LayerRows) mapFields(c *featurefile.Collection) ([]Property, bool) {
	l := r.layer
	field := func(names ...string) (featurefile.Field, bool) {
		for _, want := range names {
			if fd, ok := fieldNamed(c.Fields, want); ok {
				return fd, true
			}
		}
		return featurefile.Field{}, false
	}
	var props []Property
	if fd, ok := field(l.IDColumn); ok {
		r.Columns, r.Fields, r.keys = append(r.Columns, l.IDColumn), append(r.Fields, fd.Original), append(r.keys, fd.Name)
		props = append(props, Property{Name: l.IDColumn, Type: l.IDType})
	}
	for _, p := range l.Properties {
		if p.Type == StringArray || p.Type == JSON || p.Name == l.IDColumn {
			continue
		}
		if fd, ok := field(l.ImportNames(p.Name)...); ok {
			r.Columns, r.Fields, r.keys = append(r.Columns, p.Name), append(r.Fields, fd.Original), append(r.keys, fd.Name)
			props = append(props, p)
		}
	}
	_, declared := l.Property("illustrative")
	add := declared && !slices.Contains(r.Columns, "illustrative")
	if add {
		r.Columns = append(r.Columns, "illustrative")
	}
	return props, add
}

// checkGeometryType refuses a geometry the layer's declared type does not admit; a Polygon
// goes into a MultiPolygon layer (and so on), made multi when stored.
func checkGeometryType(declared string, g geom.T) error {
	got := ""
	switch g.(type) {
	case *geom.Point:
		got = "Point"
	case *geom.MultiPoint:
		got = "MultiPoint"
	case *geom.LineString:
		got = "LineString"
	case *geom.MultiLineString:
		got = "MultiLineString"
	case *geom.Polygon:
		got = "Polygon"
	case *geom.MultiPolygon:
		got = "MultiPolygon"
	}
	if declared == "Geometry" || got == declared || "Multi"+got == declared {
		return nil
	}
	return fmt.Errorf("a %s, where the layer holds %s", got, declared)
}

// importValue converts a file's value (string, int64, float64, bool, time.Time or nil) to
// property p's type, checking its enumeration. An empty text is null but for a text property.
func importValue(p Property, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && strings.TrimSpace(s) == "" && p.Type != String {
		return nil, nil
	}
	switch p.Type {
	case String:
		return importText(p, v)
	case Integer:
		return importInteger(v)
	case Number:
		return importNumber(v)
	case Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		if s, ok := v.(string); ok {
			if b, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("%v is not true or false", v)
	case Date, DateTime:
		return importTime(v)
	}
	return nil, fmt.Errorf("a property of this type is not imported")
}

func importText(p Property, v any) (any, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return nil, fmt.Errorf("%v is not text", v)
	}
	if p.Enum != nil && !slices.Contains(p.Enum, s) {
		return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(p.Enum, ", "))
	}
	return s, nil
}

func importInteger(v any) (any, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	}
	return nil, fmt.Errorf("%v is not a whole number", v)
}

func importNumber(v any) (any, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%v is not a number", v)
}

func importTime(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
			if t, err := time.Parse(layout, strings.TrimSpace(x)); err == nil {
				return t, nil
			}
		}
	}
	return nil, fmt.Errorf("%v is not a date (2006-01-02) or an RFC 3339 date-time", v)
}

// LayerImportSummary reports ImportLayer.
type LayerImportSummary struct {
	Inserted, Removed int
}

// ImportLayer stores rows in their layer's table in one transaction, all or nothing; replace
// removes the table's rows first. A row the table's constraints refuse is an *InvalidError
// of "file" naming the feature.
func (s *Store) ImportLayer(ctx context.Context, rows *LayerRows, replace bool) (LayerImportSummary, error) {
	var sum LayerImportSummary
	l := rows.layer
	cols := make([]string, 0, len(rows.Columns)+1)
	params := make([]string, 0, len(rows.Columns)+1)
	for i, c := range rows.Columns {
		cols = append(cols, ident(c))
		params = append(params, "$"+strconv.Itoa(i+1))
	}
	n := len(cols)
	geomExpr := "ST_Transform(ST_GeomFromWKB($" + strconv.Itoa(n+1) + ", $" + strconv.Itoa(n+2) + "::int), 3006)"
	if strings.HasPrefix(l.GeometryType, "Multi") {
		geomExpr = "ST_Multi(" + geomExpr + ")"
	}
	cols, params = append(cols, ident(l.Geometry)), append(params, geomExpr)
	insert := "INSERT INTO " + ident(l.Table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(params, ", ") + ")"
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if replace {
			tag, err := tx.Exec(ctx, "DELETE FROM "+ident(l.Table))
			if err != nil {
				return err
			}
			sum.Removed = int(tag.RowsAffected())
		}
		for _, r := range rows.rows {
			if _, err := tx.Exec(ctx, insert, append(r.values, r.wkb, rows.srid)...); err != nil {
				var pgErr *pgconn.PgError
				if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "23") { // integrity constraint violation
					return Invalid("file", "feature %d: %s", r.feature, pgErr.Message)
				}
				return fmt.Errorf("feature %d: %w", r.feature, err)
			}
			sum.Inserted++
		}
		return nil
	})
	if err != nil {
		var inv *InvalidError
		if errors.As(err, &inv) {
			return LayerImportSummary{}, err
		}
		return LayerImportSummary{}, fmt.Errorf("import %s: %w", l.ID, err)
	}
	return sum, nil
}
