package featurefile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkt"
)

// CSV: a header row, then one feature per row. The feature number is the data row (1 = the
// first row after the header). Coordinates come from a pair of columns or a WKT column.

// coordColumns are the recognised (x, y) column names, lower case, in order of preference.
var coordColumns = []struct{ x, y []string }{
	{[]string{"lon", "long", "longitude", "lng"}, []string{"lat", "latitude"}},
	{[]string{"sweref99_e", "easting", "e", "east", "ostlig"}, []string{"sweref99_n", "northing", "n", "north", "nordlig"}},
	{[]string{"x"}, []string{"y"}},
}

var wktColumns = []string{"wkt", "geometry", "geom", "the_geom"}

func readCSV(data []byte, opt Options) (*Collection, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		e := fileErr("line %d is not valid UTF-8 (save the file as UTF-8)", line)
		if line > 1 {
			e.Feature = line - 1
		}
		return nil, e
	}
	delim := detectDelimiter(data)
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delim
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fileErr("the file is empty")
		}
		return nil, fileErr("header: %s", csvMsg(err))
	}
	if len(header) > opt.Limits.MaxFields+2 {
		return nil, tooLarge(0, "%d columns, more than the limit of %d", len(header), opt.Limits.MaxFields+2)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	xi, yi, wi, err := csvGeometryColumns(header, opt)
	if err != nil {
		return nil, err
	}
	pb := newPropsBuilder(opt.Limits)
	pb.decimalComma = delim == ';'
	var propCols []int
	for i, h := range header {
		if i == xi || i == yi || i == wi {
			continue
		}
		if h == "" {
			return nil, fileErr("column %d has no name in the header", i+1)
		}
		if _, dup := pb.index[h]; dup {
			return nil, &Error{Field: truncate(h), Msg: "the column is named twice in the header"}
		}
		if _, err := pb.column(0, h); err != nil {
			return nil, err
		}
		propCols = append(propCols, i)
	}

	type pending struct {
		x, y float64
		g    geom.T
	}
	var rows []pending
	c := &Collection{}
	for n := 1; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, featErr(n, "%s", csvMsg(err))
		}
		if n > opt.Limits.MaxFeatures {
			return nil, tooLarge(n, "more than %d rows, the limit of features", opt.Limits.MaxFeatures)
		}
		var p pending
		if wi >= 0 {
			p.g, err = parseWKT(n, rec[wi])
			if err != nil {
				return nil, err
			}
		} else {
			var ok bool
			if p.x, ok = pb.parseNumber(strings.TrimSpace(rec[xi])); !ok {
				return nil, &Error{Feature: n, Field: header[xi], Msg: "not a number: " + quote(rec[xi])}
			}
			if p.y, ok = pb.parseNumber(strings.TrimSpace(rec[yi])); !ok {
				return nil, &Error{Feature: n, Field: header[yi], Msg: "not a number: " + quote(rec[yi])}
			}
			p.g = geom.NewPointFlat(geom.XY, []float64{p.x, p.y})
		}
		row := make([]rawValue, len(propCols))
		for k, i := range propCols {
			if v := rec[i]; strings.TrimSpace(v) != "" {
				row[k] = rawValue{kind: rawText, s: v}
			}
		}
		pb.add(row)
		rows = append(rows, p)
		c.Features = append(c.Features, Feature{Number: n})
	}
	if len(rows) == 0 {
		return nil, fileErr("the file has a header but no rows")
	}
	c.SRID = opt.CRS
	if c.SRID == 0 {
		c.SRID = detectCSVCRS(rows[0].g)
		if c.SRID == 0 {
			m, _ := checkCoords(rows[0].g.FlatCoords(), 2, 4326)
			return nil, featErr(1, "%s, and out of range for EPSG:3006 too; state the CRS%s", m, swapHint(rows[0].g))
		}
	}
	vb := &vertexBudget{max: opt.Limits.MaxVertices}
	for i, p := range rows {
		g, err := finish(i+1, p.g, c.SRID, vb)
		if err != nil {
			if e := (*Error)(nil); errors.As(err, &e) && !e.TooLarge && opt.CRS == 0 {
				e.Msg += " (the CRS was detected from row 1)" + swapHint(p.g)
			}
			return nil, err
		}
		c.Features[i].Geometry = g
	}
	c.Fields = pb.build(c.Features)
	return c, nil
}

// detectCSVCRS says which CRS the first geometry fits: CRS84 first, EPSG:3006 next, 0 none.
func detectCSVCRS(g geom.T) int {
	for _, srid := range []int{4326, 3006} {
		if _, ok := checkCoords(g.FlatCoords(), 2, srid); ok {
			return srid
		}
	}
	return 0
}

// swapHint catches the Swedish convention of x for northing and y for easting.
func swapHint(g geom.T) string {
	f := g.FlatCoords()
	if len(f) >= 2 && crsBoxes[3006].contains(f[1], f[0]) {
		return "; the values look like SWEREF 99 TM with x and y swapped (x is northing in Swedish usage): name the columns with XField and YField"
	}
	return ""
}

func csvGeometryColumns(header []string, opt Options) (xi, yi, wi int, err error) {
	find := func(names ...string) int {
		for _, name := range names {
			for i, h := range header {
				if strings.EqualFold(h, name) {
					return i
				}
			}
		}
		return -1
	}
	if opt.XField != "" || opt.YField != "" {
		xi, yi = find(opt.XField), find(opt.YField)
		if xi < 0 || yi < 0 || xi == yi {
			return 0, 0, 0, fileErr("the header has no columns %q and %q (it has %s)", opt.XField, opt.YField, truncate(strings.Join(header, ", ")))
		}
		return xi, yi, -1, nil
	}
	for _, c := range coordColumns {
		if xi, yi = find(c.x...), find(c.y...); xi >= 0 && yi >= 0 {
			return xi, yi, -1, nil
		}
	}
	if wi = find(wktColumns...); wi >= 0 {
		return -1, -1, wi, nil
	}
	return 0, 0, 0, fileErr("no coordinate columns (lon/lat, x/y, e/n, easting/northing, sweref99_e/sweref99_n) or WKT column (wkt, geometry) in the header: %s", truncate(strings.Join(header, ", ")))
}

// parseWKT reads a WKT geometry; go-geom's parser is third-party code on hostile input, so
// a panic in it becomes an error naming the row rather than a crashed server.
func parseWKT(n int, s string) (g geom.T, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, featErr(n, "no geometry (empty WKT)")
	}
	defer func() {
		if recover() != nil {
			g, err = nil, featErr(n, "WKT geometry could not be read")
		}
	}()
	g, perr := wkt.Unmarshal(s)
	if perr != nil {
		return nil, featErr(n, "WKT: %s", truncate(perr.Error()))
	}
	if g == nil {
		return nil, featErr(n, "no geometry (empty WKT)")
	}
	return g, nil
}

// detectDelimiter counts commas, semicolons and tabs outside quotes in the header line.
func detectDelimiter(data []byte) rune {
	counts := map[byte]int{}
	inQuote := false
	for _, b := range data {
		if b == '"' {
			inQuote = !inQuote
		}
		if !inQuote && (b == '\n' || b == '\r') {
			break
		}
		if !inQuote && (b == ',' || b == ';' || b == '\t') {
			counts[b]++
		}
	}
	best := byte(',')
	for _, d := range []byte{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return rune(best)
}

func csvMsg(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return "line " + itoa(pe.Line) + ": the row has a different number of columns from the header"
		}
		return "line " + itoa(pe.Line) + ": " + pe.Err.Error()
	}
	return truncate(err.Error())
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func quote(s string) string { return `"` + truncate(s) + `"` }
