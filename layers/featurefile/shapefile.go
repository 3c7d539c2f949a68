package featurefile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/twpayne/go-geom"
)

// Shapefile in a .zip: .shp (geometry), .dbf (attributes), .prj (CRS), optionally .cpg (the
// .dbf's encoding). The zip's entries are checked before anything is inflated; the .shp and
// .dbf are read by a small reader of their own (shape types Point, PolyLine, Polygon and
// MultiPoint, with or without Z and M; dBASE fields C, N, F, L, D), every count checked
// against the bytes present. Polygon rings follow the Shapefile convention: clockwise outer
// rings, counter-clockwise holes. A PolyLine is a MultiLineString, a Polygon a MultiPolygon.

const (
	maxZipEntries = 40
	maxZipRatio   = 200 // inflated / deflated; real shapefiles compress 2–10 times
)

func readShapefile(data []byte, opt Options) (*Collection, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fileErr("not a readable zip file: %s", truncate(err.Error()))
	}
	if len(zr.File) > maxZipEntries {
		return nil, tooLarge(0, "the zip has %d entries, more than %d", len(zr.File), maxZipEntries)
	}
	var total uint64
	byExt := map[string][]*zip.File{}
	for _, f := range zr.File {
		name := f.Name
		if strings.Contains(name, "..") || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || strings.Contains(name, ":") {
			return nil, fileErr("the zip has an entry with an unsafe path: %s", quote(name))
		}
		total += f.UncompressedSize64
		if total > uint64(opt.Limits.MaxBytes) {
			return nil, tooLarge(0, "the zip inflates to more than the limit of %d bytes", opt.Limits.MaxBytes)
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > maxZipRatio*f.CompressedSize64 {
			return nil, tooLarge(0, "the zip entry %s inflates %d times: refused as a zip bomb", quote(name), f.UncompressedSize64/max(f.CompressedSize64, 1))
		}
		if f.FileInfo().IsDir() || strings.HasPrefix(path.Base(name), ".") || strings.HasPrefix(name, "__MACOSX/") {
			continue
		}
		ext := strings.ToLower(path.Ext(name))
		byExt[ext] = append(byExt[ext], f)
	}
	shps := byExt[".shp"]
	if opt.Table != "" {
		var chosen []*zip.File
		for _, f := range shps {
			if strings.EqualFold(strings.TrimSuffix(path.Base(f.Name), path.Ext(f.Name)), opt.Table) {
				chosen = append(chosen, f)
			}
		}
		shps = chosen
	}
	switch len(shps) {
	case 0:
		return nil, fileErr("the zip holds no .shp file")
	case 1:
	default:
		return nil, fileErr("the zip holds %d .shp files; choose one", len(shps))
	}
	base := strings.TrimSuffix(shps[0].Name, path.Ext(shps[0].Name))
	sibling := func(ext string) *zip.File {
		for _, f := range byExt[ext] {
			if strings.EqualFold(strings.TrimSuffix(f.Name, path.Ext(f.Name)), base) {
				return f
			}
		}
		return nil
	}
	read := func(f *zip.File) ([]byte, error) {
		rc, err := f.Open()
		if err != nil {
			return nil, fileErr("zip entry %s: %s", quote(f.Name), truncate(err.Error()))
		}
		defer rc.Close()
		// The declared size was checked; a lying header cannot make us read more.
		b, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		if errors.Is(err, zip.ErrFormat) { // archive/zip's answer to inflating past the declared size
			return nil, fileErr("zip entry %s is larger than its header says", quote(f.Name))
		}
		if err != nil {
			return nil, fileErr("zip entry %s: %s", quote(f.Name), truncate(err.Error()))
		}
		if uint64(len(b)) > f.UncompressedSize64 {
			return nil, fileErr("zip entry %s is larger than its header says", quote(f.Name))
		}
		return b, nil
	}
	prjFile, dbfFile := sibling(".prj"), sibling(".dbf")
	if prjFile == nil {
		return nil, fileErr("the zip has no .prj for %s: the CRS is unknown (SWEREF 99 TM or WGS 84 expected)", quote(path.Base(base)))
	}
	if dbfFile == nil {
		return nil, fileErr("the zip has no .dbf for %s", quote(path.Base(base)))
	}
	prj, err := read(prjFile)
	if err != nil {
		return nil, err
	}
	srid, err := prjSRID(string(prj))
	if err != nil {
		return nil, err
	}
	if opt.CRS != 0 && opt.CRS != srid {
		return nil, fileErr("the .prj names EPSG:%d, but EPSG:%d was stated", srid, opt.CRS)
	}
	shp, err := read(shps[0])
	if err != nil {
		return nil, err
	}
	dbf, err := read(dbfFile)
	if err != nil {
		return nil, err
	}
	latin1 := false
	if cpg := sibling(".cpg"); cpg != nil {
		b, err := read(cpg)
		if err != nil {
			return nil, err
		}
		enc := strings.ToUpper(strings.TrimSpace(string(b)))
		latin1 = strings.Contains(enc, "8859") || strings.Contains(enc, "1252") || strings.Contains(enc, "LATIN")
	}
	d, err := readDBF(dbf, opt.Limits, latin1)
	if err != nil {
		return nil, err
	}
	c := &Collection{SRID: srid, Fields: d.fields}
	vb := &vertexBudget{max: opt.Limits.MaxVertices}
	if len(shp) < 100 || binary.BigEndian.Uint32(shp[0:4]) != 9994 {
		return nil, fileErr("the .shp is not a shapefile (no file code 9994)")
	}
	pos, n := 100, 0
	for pos < len(shp) {
		n++
		if len(shp)-pos < 12 {
			return nil, featErr(n, "the .shp record is truncated")
		}
		words := int(binary.BigEndian.Uint32(shp[pos+4 : pos+8]))
		if words < 2 || words > (len(shp)-pos-8)/2 {
			return nil, featErr(n, "the .shp record's length is out of range")
		}
		content := shp[pos+8 : pos+8+2*words]
		pos += 8 + 2*words
		if n > opt.Limits.MaxFeatures {
			return nil, tooLarge(n, "more than %d features", opt.Limits.MaxFeatures)
		}
		if n > len(d.rows) {
			return nil, featErr(n, "the .shp has more records than the .dbf (%d)", len(d.rows))
		}
		if d.deleted[n-1] {
			continue
		}
		g, err := shpGeometry(n, content)
		if err != nil {
			return nil, err
		}
		if g, err = finish(n, g, srid, vb); err != nil {
			return nil, err
		}
		c.Features = append(c.Features, Feature{Number: n, Geometry: g, Properties: d.rows[n-1]})
	}
	if n != len(d.rows) {
		return nil, fileErr("the .shp has %d records but the .dbf %d", n, len(d.rows))
	}
	return c, nil
}

// prjSRID reads the CRS from a .prj (ESRI WKT): SWEREF 99 TM → 3006, WGS 84 geographic → 4326.
func prjSRID(prj string) (int, error) {
	u := strings.ToUpper(strings.Join(strings.Fields(prj), ""))
	norm := strings.NewReplacer("_", "", " ", "").Replace(u)
	switch {
	case strings.HasPrefix(u, "PROJCS[") && (strings.Contains(norm, "SWEREF99TM") || strings.Contains(u, `AUTHORITY["EPSG","3006"]`)):
		return 3006, nil
	case strings.HasPrefix(u, "GEOGCS[") && (strings.Contains(norm, "WGS1984") || strings.Contains(norm, "WGS84") || strings.Contains(u, `AUTHORITY["EPSG","4326"]`)):
		return 4326, nil
	}
	name := prj
	if i := strings.IndexByte(prj, '"'); i >= 0 {
		if j := strings.IndexByte(prj[i+1:], '"'); j >= 0 {
			name = prj[i+1 : i+1+j]
		}
	}
	return 0, fileErr("CRS %s (from the .prj) is not supported; use CRS84 or EPSG:3006", quote(strings.TrimSpace(name)))
}

func shpGeometry(n int, c []byte) (geom.T, error) {
	le := binary.LittleEndian
	if len(c) < 4 {
		return nil, featErr(n, "the .shp record is truncated")
	}
	typ := le.Uint32(c[0:4])
	f64 := func(i int) float64 { return math.Float64frombits(le.Uint64(c[i : i+8])) }
	switch typ {
	case 0:
		return nil, featErr(n, "no geometry (null shapes are not accepted)")
	case 1, 11, 21: // Point, PointZ, PointM
		if len(c) < 20 {
			return nil, featErr(n, "the .shp point is truncated")
		}
		return geom.NewPointFlat(geom.XY, []float64{f64(4), f64(12)}), nil
	case 8, 18, 28: // MultiPoint
		if len(c) < 40 {
			return nil, featErr(n, "the .shp multipoint is truncated")
		}
		np := int(le.Uint32(c[36:40]))
		if np > (len(c)-40)/16 {
			return nil, featErr(n, "the .shp multipoint announces %d points, more than the record holds", np)
		}
		flat := make([]float64, 0, 2*np)
		for i := range np {
			flat = append(flat, f64(40+16*i), f64(48+16*i))
		}
		return geom.NewMultiPointFlat(geom.XY, flat), nil
	case 3, 13, 23, 5, 15, 25: // PolyLine, Polygon
		if len(c) < 44 {
			return nil, featErr(n, "the .shp shape is truncated")
		}
		parts, np := int(le.Uint32(c[36:40])), int(le.Uint32(c[40:44]))
		if parts < 1 || parts > (len(c)-44)/4 || np > (len(c)-44-4*parts)/16 {
			return nil, featErr(n, "the .shp shape announces %d parts and %d points, more than the record holds", parts, np)
		}
		ptsAt := 44 + 4*parts
		var flat []float64
		var ends []int
		for p := range parts {
			from := int(le.Uint32(c[44+4*p:]))
			to := np
			if p+1 < parts {
				to = int(le.Uint32(c[44+4*(p+1):]))
			}
			if from < 0 || from >= to || to > np {
				return nil, featErr(n, "the .shp shape's part %d has invalid point indexes", p+1)
			}
			for i := from; i < to; i++ {
				flat = append(flat, f64(ptsAt+16*i), f64(ptsAt+16*i+8))
			}
			ends = append(ends, len(flat))
		}
		if typ%10 == 3 {
			return geom.NewMultiLineStringFlat(geom.XY, flat, ends), nil
		}
		return ringsToMultiPolygon(flat, ends), nil
	}
	return nil, featErr(n, "shape type %d is not supported (Point, PolyLine, Polygon, MultiPoint)", typ)
}

// ringsToMultiPolygon groups rings: clockwise ones start polygons, counter-clockwise ones are
// holes of the outer ring that contains their first point (or of the last outer ring).
func ringsToMultiPolygon(flat []float64, ends []int) *geom.MultiPolygon {
	type ring struct{ coords []float64 }
	var outers [][]ring
	var holes []ring
	start := 0
	for _, e := range ends {
		r := ring{flat[start:e]}
		start = e
		if signedArea(r.coords) <= 0 { // clockwise (y up)
			outers = append(outers, []ring{r})
		} else {
			holes = append(holes, r)
		}
	}
	if len(outers) == 0 { // all counter-clockwise: a writer that ignored the convention
		for _, h := range holes {
			outers = append(outers, []ring{{reversed(h.coords)}})
		}
		holes = nil
	}
	for _, h := range holes {
		at := len(outers) - 1
		if len(h.coords) >= 2 {
			for i, o := range outers {
				if pointInRing(h.coords[0], h.coords[1], o[0].coords) {
					at = i
					break
				}
			}
		}
		outers[at] = append(outers[at], h)
	}
	var out []float64
	endss := make([][]int, 0, len(outers))
	for _, p := range outers {
		var e []int
		for _, r := range p {
			// Reversed to GeoJSON's (RFC 7946) orientation: outer rings counter-clockwise.
			for i := len(r.coords) - 2; i >= 0; i -= 2 {
				out = append(out, r.coords[i], r.coords[i+1])
			}
			e = append(e, len(out))
		}
		endss = append(endss, e)
	}
	return geom.NewMultiPolygonFlat(geom.XY, out, endss)
}

func signedArea(c []float64) float64 {
	var a float64
	for i := 0; i+3 < len(c); i += 2 {
		a += c[i]*c[i+3] - c[i+2]*c[i+1]
	}
	return a / 2
}

func pointInRing(x, y float64, c []float64) bool {
	in := false
	for i, j := 0, len(c)-2; i+1 < len(c); j, i = i, i+2 {
		xi, yi, xj, yj := c[i], c[i+1], c[j], c[j+1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

type dbfTable struct {
	fields  []Field
	rows    []map[string]any
	deleted []bool
}

// readDBF reads a dBASE III table; text is UTF-8 unless the .cpg names Latin-1/Windows-1252,
// or it is not valid UTF-8 (older Swedish files are Windows-1252).
func readDBF(b []byte, l Limits, latin1 bool) (*dbfTable, error) {
	le := binary.LittleEndian
	if len(b) < 32 {
		return nil, fileErr("the .dbf is truncated")
	}
	nrec, hlen, rlen := int(le.Uint32(b[4:8])), int(le.Uint16(b[8:10])), int(le.Uint16(b[10:12]))
	if nrec > l.MaxFeatures {
		return nil, tooLarge(0, "%d features, more than the limit of %d", nrec, l.MaxFeatures)
	}
	if hlen < 33 || hlen > len(b) || rlen < 1 || nrec > (len(b)-hlen)/rlen {
		return nil, fileErr("the .dbf header does not match its size")
	}
	type col struct {
		name        string
		typ         byte
		off, length int
		decimals    int
	}
	var cols []col
	off := 1 // the deletion flag
	for p := 32; p+32 <= hlen && b[p] != 0x0d; p += 32 {
		name := string(bytes.TrimRight(bytes.SplitN(b[p:p+11], []byte{0}, 2)[0], " "))
		c := col{name: decodeText(name, latin1), typ: b[p+11], off: off, length: int(b[p+16]), decimals: int(b[p+17])}
		off += c.length
		cols = append(cols, c)
		if len(cols) > l.MaxFields {
			return nil, tooLarge(0, "more than %d fields", l.MaxFields)
		}
	}
	if off > rlen {
		return nil, fileErr("the .dbf fields are longer than its records")
	}
	t := &dbfTable{}
	var originals []string
	var types []FieldType
	var keep []col
	for _, c := range cols {
		var ft FieldType
		switch c.typ {
		case 'C':
			ft = String
		case 'N':
			ft = Number
			if c.decimals == 0 && c.length <= 18 {
				ft = Integer
			}
		case 'F':
			ft = Number
		case 'L':
			ft = Boolean
		case 'D':
			ft = Date
		default:
			continue // memo and binary fields are not properties
		}
		keep = append(keep, c)
		originals = append(originals, c.name)
		types = append(types, ft)
	}
	names := sanitiseNames(originals)
	for i := range names {
		t.fields = append(t.fields, Field{Name: names[i], Type: types[i], Original: originals[i]})
	}
	for r := range nrec {
		rec := b[hlen+r*rlen : hlen+(r+1)*rlen]
		t.deleted = append(t.deleted, rec[0] == '*')
		props := make(map[string]any, len(keep))
		for i, c := range keep {
			raw := strings.TrimSpace(string(rec[c.off : c.off+c.length]))
			v, ok := dbfValue(raw, types[i], latin1)
			if !ok {
				return nil, &Error{Feature: r + 1, Field: c.name, Msg: "value " + quote(decodeText(raw, true)) + " is not of the field's type " + string(types[i])}
			}
			props[names[i]] = v
		}
		t.rows = append(t.rows, props)
	}
	return t, nil
}

func dbfValue(raw string, t FieldType, latin1 bool) (any, bool) {
	if raw == "" || strings.Trim(raw, "*") == "" { // blank, or numeric overflow
		return nil, true
	}
	switch t {
	case String:
		return decodeText(raw, latin1), true
	case Integer:
		n, err := strconv.ParseInt(raw, 10, 64)
		return n, err == nil
	case Number:
		f, err := strconv.ParseFloat(raw, 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	case Boolean:
		switch raw {
		case "T", "t", "Y", "y":
			return true, true
		case "F", "f", "N", "n":
			return false, true
		case "?":
			return nil, true
		}
	case Date:
		if raw == "00000000" {
			return nil, true
		}
		d, err := time.Parse("20060102", raw)
		return d, err == nil
	}
	return nil, false
}

func decodeText(s string, latin1 bool) string {
	if !latin1 && utf8.ValidString(s) {
		return s
	}
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i]) // ISO 8859-1; Windows-1252 differs only in 0x80–0x9F
	}
	return string(r)
}

func reversed(c []float64) []float64 {
	out := make([]float64, 0, len(c))
	for i := len(c) - 2; i >= 0; i -= 2 {
		out = append(out, c[i], c[i+1])
	}
	return out
}
