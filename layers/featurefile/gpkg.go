package featurefile

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver (pure Go, no cgo)
)

// GeoPackage: an SQLite file as GDAL and QGIS write it. SQLite needs a file, so uploaded bytes
// go to a private temporary file (mode 0600, removed afterwards); ReadFile opens the operator's
// file where it lies. Either is opened read-only and immutable. Column types come from the
// table's declared types, not inference.

// gpkgTimeout bounds the SQLite work on one file; hostile files fail long before.
const gpkgTimeout = 60 * time.Second

func readGPKG(ctx context.Context, data []byte, opt Options) (*Collection, error) {
	if err := checkGPKGHeader(data, opt); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "featurefile-*.gpkg")
	if err != nil {
		return nil, fileErr("cannot store the GeoPackage for reading: %v", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, fileErr("cannot store the GeoPackage for reading: %v", err)
	}
	if err := f.Close(); err != nil {
		return nil, fileErr("cannot store the GeoPackage for reading: %v", err)
	}
	return readGPKGPath(ctx, f.Name(), opt)
}

// checkGPKGHeader refuses what is not SQLite, and a database whose header claims more than
// Limits.MaxBytes, before SQLite sees it; head is at least the file's first 100 bytes.
func checkGPKGHeader(head []byte, opt Options) error {
	if len(head) < 100 || string(head[:16]) != "SQLite format 3\x00" {
		return fileErr("not a GeoPackage (no SQLite header)")
	}
	pageSize := int64(binary.BigEndian.Uint16(head[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pageCount := int64(binary.BigEndian.Uint32(head[28:32]))
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return fileErr("not a GeoPackage (SQLite page size %d)", pageSize)
	}
	if pageCount*pageSize > opt.Limits.MaxBytes {
		return tooLarge(0, "the GeoPackage claims %d bytes, more than the limit of %d", pageCount*pageSize, opt.Limits.MaxBytes)
	}
	return nil
}

// sqliteURI escapes the characters a file: URI gives a meaning to, so any path opens as itself.
var sqliteURI = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// readGPKGPath reads the GeoPackage at path, whose header was checked.
func readGPKGPath(ctx context.Context, path string, opt Options) (*Collection, error) {
	db, err := sql.Open("sqlite", "file:"+sqliteURI.Replace(path)+"?mode=ro&immutable=1")
	if err != nil {
		return nil, fileErr("cannot open the GeoPackage: %v", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(ctx, gpkgTimeout)
	defer cancel()
	c, err := gpkgRead(ctx, db, opt)
	if err != nil {
		if _, ok := err.(*Error); !ok {
			return nil, fileErr("not a readable GeoPackage: %s", truncate(err.Error()))
		}
		return nil, err
	}
	return c, nil
}

func gpkgRead(ctx context.Context, db *sql.DB, opt Options) (*Collection, error) {
	var pages, size int64
	if err := db.QueryRowContext(ctx, `SELECT page_count, page_size FROM pragma_page_count, pragma_page_size`).Scan(&pages, &size); err != nil {
		return nil, err
	}
	if pages*size > opt.Limits.MaxBytes {
		return nil, tooLarge(0, "the GeoPackage claims %d bytes, more than the limit of %d", pages*size, opt.Limits.MaxBytes)
	}
	tables, err := gpkgStrings(ctx, db, `SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	table := opt.Table
	switch {
	case len(tables) == 0:
		return nil, fileErr("the GeoPackage has no feature tables")
	case table == "" && len(tables) > 1:
		return nil, fileErr("the GeoPackage has %d feature tables (%s); choose one", len(tables), truncate(strings.Join(tables, ", ")))
	case table == "":
		table = tables[0]
	default:
		found := false
		for _, t := range tables {
			found = found || t == table
		}
		if !found {
			return nil, fileErr("%q is not a feature table of the GeoPackage (it has %s)", truncate(table), truncate(strings.Join(tables, ", ")))
		}
	}
	var geomCol string
	var srsID int64
	var org, srsName sql.NullString
	var orgID sql.NullInt64
	err = db.QueryRowContext(ctx, `
SELECT g.column_name, g.srs_id, s.organization, s.organization_coordsys_id, s.srs_name
FROM gpkg_geometry_columns g LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id
WHERE g.table_name = ?`, table).Scan(&geomCol, &srsID, &org, &orgID, &srsName)
	if err != nil {
		return nil, fileErr("table %s has no geometry column in gpkg_geometry_columns", truncate(table))
	}
	srid := 0
	if strings.EqualFold(org.String, "EPSG") && (orgID.Int64 == 3006 || orgID.Int64 == 4326) {
		srid = int(orgID.Int64)
	} else {
		return nil, fileErr("CRS %s %d (%s) is not supported; use CRS84 or EPSG:3006 — reproject first, e.g. ogr2ogr -t_srs EPSG:3006",
			truncate(org.String), orgID.Int64, truncate(srsName.String))
	}
	if opt.CRS != 0 && opt.CRS != srid {
		return nil, fileErr("the GeoPackage is in EPSG:%d, but EPSG:%d was stated", srid, opt.CRS)
	}
	var count int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteSQLite(table)).Scan(&count); err != nil {
		return nil, err
	}
	if count > int64(opt.Limits.MaxFeatures) {
		return nil, tooLarge(0, "%d features, more than the limit of %d", count, opt.Limits.MaxFeatures)
	}

	rows, err := db.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	var cols, originals []string
	var types []FieldType
	for rows.Next() {
		var name, typ string
		var pk int
		if err := rows.Scan(&name, &typ, &pk); err != nil {
			rows.Close()
			return nil, err
		}
		t, ok := sqliteType(typ)
		if name == geomCol || !ok || (pk > 0 && t == Integer) {
			continue // the geometry, blobs, and the feature id (rowid)
		}
		cols = append(cols, quoteSQLite(name))
		originals = append(originals, name)
		types = append(types, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) > opt.Limits.MaxFields {
		return nil, tooLarge(0, "%d fields, more than the limit of %d", len(cols), opt.Limits.MaxFields)
	}
	names := sanitiseNames(originals)
	c := &Collection{SRID: srid, Layer: table,
		CRSName: fmt.Sprintf("%s %d (%s, srs_id %d)", org.String, orgID.Int64, srsName.String, srsID)}
	for i := range names {
		c.Fields = append(c.Fields, Field{Name: names[i], Type: types[i], Original: originals[i]})
	}
	// A geometry blob larger than the whole vertex budget needs is refused unread.
	maxBlob := int64(opt.Limits.MaxVertices)*32 + 1024
	g := quoteSQLite(geomCol)
	q := fmt.Sprintf(`SELECT CASE WHEN length(%s) > ? THEN NULL ELSE %s END, length(%s)%s FROM %s ORDER BY rowid`,
		g, g, g, strings.Join(append([]string{""}, cols...), ", "), quoteSQLite(table))
	rows, err = db.QueryContext(ctx, q, maxBlob)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vb := &vertexBudget{max: opt.Limits.MaxVertices}
	dest := make([]any, 2+len(cols))
	vals := make([]any, len(cols))
	for n := 1; rows.Next(); n++ {
		if n > opt.Limits.MaxFeatures {
			return nil, tooLarge(n, "more than %d features", opt.Limits.MaxFeatures)
		}
		var blob []byte
		var blobLen sql.NullInt64
		dest[0], dest[1] = &blob, &blobLen
		for i := range vals {
			dest[2+i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, featErr(n, "%s", truncate(err.Error()))
		}
		if blob == nil {
			if blobLen.Int64 > maxBlob {
				return nil, tooLarge(n, "a geometry of %d bytes, more than the vertex limit allows", blobLen.Int64)
			}
			return nil, featErr(n, "no geometry (null geometries are not accepted)")
		}
		geo, err := GeoPackageGeometry(blob, srsID)
		if err != nil {
			return nil, featErr(n, "%s", err)
		}
		if geo, err = finish(n, geo, srid, vb); err != nil {
			return nil, err
		}
		props := make(map[string]any, len(cols))
		for i, v := range vals {
			pv, err := sqliteValue(v, types[i])
			if err != nil {
				return nil, &Error{Feature: n, Field: truncate(originals[i]), Msg: err.Error()}
			}
			props[names[i]] = pv
		}
		c.Features = append(c.Features, Feature{Number: n, Geometry: geo, Properties: props})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// sqliteType maps a declared column type (GeoPackage 1.3, table 1, and SQLite's affinity
// rules for others) to a FieldType; ok is false for BLOB columns, which are skipped.
func sqliteType(decl string) (FieldType, bool) {
	d := strings.ToUpper(strings.TrimSpace(decl))
	switch {
	case d == "BOOLEAN":
		return Boolean, true
	case d == "DATE":
		return Date, true
	case d == "DATETIME" || d == "TIMESTAMP":
		return DateTime, true
	case strings.Contains(d, "INT"):
		return Integer, true
	case strings.Contains(d, "CHAR") || strings.Contains(d, "CLOB") || strings.Contains(d, "TEXT"):
		return String, true
	case strings.Contains(d, "BLOB") || d == "" || strings.Contains(d, "GEOM") || strings.Contains(d, "POINT") ||
		strings.Contains(d, "LINESTRING") || strings.Contains(d, "POLYGON"):
		return "", false
	}
	return Number, true // REAL, FLOAT, DOUBLE, NUMERIC, MEDIUMINT handled above
}

// sqliteValue converts a scanned value to the column's declared type. SQLite does not enforce
// declared types, so a mismatch is an error naming the feature and field.
func sqliteValue(v any, t FieldType) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch t {
	case String:
		switch v := v.(type) {
		case string:
			return v, nil
		case int64:
			return strconv.FormatInt(v, 10), nil
		case float64:
			return strconv.FormatFloat(v, 'g', -1, 64), nil
		case time.Time:
			return v.Format(time.RFC3339Nano), nil
		}
	case Integer:
		switch v := v.(type) {
		case int64:
			return v, nil
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				return int64(v), nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return n, nil
			}
		}
	case Number:
		switch v := v.(type) {
		case int64:
			return float64(v), nil
		case float64:
			if !math.IsInf(v, 0) && !math.IsNaN(v) {
				return v, nil
			}
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, nil
			}
		}
	case Boolean:
		switch v := v.(type) {
		case int64:
			if v == 0 || v == 1 {
				return v == 1, nil
			}
		case bool:
			return v, nil
		}
	case Date, DateTime:
		switch v := v.(type) {
		case time.Time:
			return v, nil
		case string:
			if d, err := time.Parse(time.DateOnly, v); err == nil && t == Date {
				return d, nil
			}
			if d, err := time.Parse(time.RFC3339Nano, v); err == nil {
				return d, nil
			}
		}
	}
	return nil, fmt.Errorf("value %s is not of the column's type %s", quote(fmt.Sprint(v)), t)
}

func gpkgStrings(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fileErr("not a GeoPackage (no gpkg_contents table)")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func quoteSQLite(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }
