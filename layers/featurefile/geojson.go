package featurefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/twpayne/go-geom"
)

// GeoJSON (RFC 7946): a FeatureCollection or a single Feature, in CRS84 unless a legacy crs
// member (GeoJSON 2008, still written by GDAL and QGIS) names EPSG:3006.

type gjTop struct {
	Type       string            `json:"type"`
	Features   []json.RawMessage `json:"features"`
	Geometry   json.RawMessage   `json:"geometry"`
	Properties json.RawMessage   `json:"properties"`
	CRS        json.RawMessage   `json:"crs"`
}

type gjFeature struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

type gjGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

func readGeoJSON(data []byte, opt Options) (*Collection, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if err := checkJSONDepth(data, opt.Limits.MaxDepth); err != nil {
		return nil, err
	}
	if !utf8.Valid(data) {
		return nil, fileErr("the file is not valid UTF-8")
	}
	var top gjTop
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fileErr("not valid GeoJSON: %s", jsonMsg(err))
	}
	srid, err := geoJSONCRS(top.CRS, opt.CRS)
	if err != nil {
		return nil, err
	}
	var raw []json.RawMessage
	switch top.Type {
	case "FeatureCollection":
		raw = top.Features
	case "Feature":
		raw = []json.RawMessage{data}
	default:
		return nil, fileErr("a GeoJSON FeatureCollection or Feature is expected, not %q", truncate(top.Type))
	}
	if len(raw) > opt.Limits.MaxFeatures {
		return nil, tooLarge(0, "%d features, more than the limit of %d", len(raw), opt.Limits.MaxFeatures)
	}
	c := &Collection{SRID: srid, Features: make([]Feature, 0, len(raw))}
	pb := newPropsBuilder(opt.Limits)
	vb := &vertexBudget{max: opt.Limits.MaxVertices}
	for i, r := range raw {
		n := i + 1
		var f gjFeature
		if err := json.Unmarshal(r, &f); err != nil {
			return nil, featErr(n, "not a GeoJSON Feature: %s", jsonMsg(err))
		}
		if f.Type != "Feature" {
			return nil, featErr(n, "type %q: a Feature is expected", truncate(f.Type))
		}
		g, err := geoJSONGeometry(n, f.Geometry)
		if err != nil {
			return nil, err
		}
		if g, err = finish(n, g, srid, vb); err != nil {
			return nil, err
		}
		row, err := geoJSONProperties(n, f.Properties, pb)
		if err != nil {
			return nil, err
		}
		pb.add(row)
		c.Features = append(c.Features, Feature{Number: n, Geometry: g})
	}
	c.Fields = pb.build(c.Features)
	return c, nil
}

// checkJSONDepth refuses JSON nested deeper than max before any decoder sees it: a linear
// scan, so a hostile million-deep array costs one pass and no recursion.
func checkJSONDepth(data []byte, max int) error {
	var s jsonScan
	for _, b := range data {
		s.step(b)
		if s.depth > max {
			return tooLarge(0, "JSON nested more than %d levels deep", max)
		}
	}
	return nil
}

// jsonMsg shortens encoding/json's messages, which can quote large parts of the input.
func jsonMsg(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10) + ": " + truncate(se.Error())
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		what := te.Value
		if what == "number" || strings.HasPrefix(what, "number ") {
			what = "a number out of range"
		}
		if te.Field != "" {
			return truncate(te.Field) + ": " + what + " where " + te.Type.String() + " is expected"
		}
		return what + " where " + te.Type.String() + " is expected"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the JSON ends early"
	}
	return truncate(err.Error())
}

var epsgName = regexp.MustCompile(`(?i)^(?:(?:urn:ogc:def:crs:)?EPSG:(?:[0-9.]*:)?|https?://www\.opengis\.net/def/crs/EPSG/[0-9.]+/)([0-9]+)$`)

// geoJSONCRS reads the legacy crs member: absent or CRS84 → 4326 (lon, lat), EPSG:3006 →
// 3006, anything else refused. Names may be short (EPSG:3006), URNs or OGC URIs. EPSG:4326 is read in lon, lat order, as GDAL writes it.
func geoJSONCRS(raw json.RawMessage, stated int) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		if stated != 0 {
			return stated, nil
		}
		return 4326, nil
	}
	var c struct {
		Type       string `json:"type"`
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.Properties.Name == "" {
		return 0, fileErr("the crs member is not a named CRS; use CRS84 or EPSG:3006")
	}
	name := strings.TrimSpace(c.Properties.Name)
	srid := 0
	switch u := strings.ToUpper(name); {
	case strings.HasSuffix(u, "CRS84") && (strings.HasPrefix(u, "URN:OGC:DEF:CRS:OGC:") || strings.HasPrefix(u, "OGC:") || u == "CRS84" ||
		strings.HasPrefix(u, "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/")):
		srid = 4326
	default:
		m := epsgName.FindStringSubmatch(name)
		if m == nil {
			return 0, fileErr("CRS %q is not supported; use CRS84 or EPSG:3006", truncate(name))
		}
		code, _ := strconv.Atoi(m[1])
		if code != 3006 && code != 4326 {
			return 0, fileErr("CRS EPSG:%s is not supported; use CRS84 or EPSG:3006", truncate(m[1]))
		}
		srid = code
	}
	if stated != 0 && stated != srid {
		return 0, fileErr("the file's crs member names %s, but EPSG:%d was stated", crsName(srid), stated)
	}
	return srid, nil
}

func geoJSONGeometry(n int, raw json.RawMessage) (geom.T, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, featErr(n, "no geometry (null geometries are not accepted)")
	}
	var g gjGeometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, featErr(n, "geometry: %s", jsonMsg(err))
	}
	bad := func(err error) error { return featErr(n, "%s coordinates: %s", g.Type, jsonMsg(err)) }
	switch g.Type {
	case "Point":
		var p []float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, bad(err)
		}
		flat, err := positions(n, [][]float64{p})
		if err != nil {
			return nil, err
		}
		return geom.NewPointFlat(geom.XY, flat), nil
	case "MultiPoint", "LineString":
		var ps [][]float64
		if err := json.Unmarshal(g.Coordinates, &ps); err != nil {
			return nil, bad(err)
		}
		flat, err := positions(n, ps)
		if err != nil {
			return nil, err
		}
		if g.Type == "MultiPoint" {
			return geom.NewMultiPointFlat(geom.XY, flat), nil
		}
		return geom.NewLineStringFlat(geom.XY, flat), nil
	case "MultiLineString", "Polygon":
		var pss [][][]float64
		if err := json.Unmarshal(g.Coordinates, &pss); err != nil {
			return nil, bad(err)
		}
		flat, ends, err := positions2(n, pss, nil)
		if err != nil {
			return nil, err
		}
		if g.Type == "Polygon" {
			return geom.NewPolygonFlat(geom.XY, flat, ends), nil
		}
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends), nil
	case "MultiPolygon":
		var psss [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &psss); err != nil {
			return nil, bad(err)
		}
		var flat []float64
		endss := make([][]int, 0, len(psss))
		for _, pss := range psss {
			var ends []int
			var err error
			if flat, ends, err = positions2(n, pss, flat); err != nil {
				return nil, err
			}
			endss = append(endss, ends)
		}
		return geom.NewMultiPolygonFlat(geom.XY, flat, endss), nil
	case "GeometryCollection":
		return nil, featErr(n, "GeometryCollection is not supported; use a Multi* geometry or one feature per part")
	}
	return nil, featErr(n, "geometry type %q is not a GeoJSON geometry type", truncate(g.Type))
}

// positions flattens positions to x, y pairs; a third (height) or further member is dropped.
func positions(n int, ps [][]float64) ([]float64, error) {
	flat := make([]float64, 0, 2*len(ps))
	for _, p := range ps {
		if len(p) < 2 {
			return nil, featErr(n, "a position needs at least two numbers")
		}
		flat = append(flat, p[0], p[1])
	}
	return flat, nil
}

func positions2(n int, pss [][][]float64, flat []float64) ([]float64, []int, error) {
	ends := make([]int, 0, len(pss))
	for _, ps := range pss {
		f, err := positions(n, ps)
		if err != nil {
			return nil, nil, err
		}
		flat = append(flat, f...)
		ends = append(ends, len(flat))
	}
	return flat, ends, nil
}

// geoJSONProperties reads a properties object in member order, so the fields keep the
// order of the first feature that has them.
func geoJSONProperties(n int, raw json.RawMessage, pb *propsBuilder) ([]rawValue, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, featErr(n, "properties must be a JSON object")
	}
	row := make([]rawValue, len(pb.names))
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, featErr(n, "properties: %s", jsonMsg(err))
		}
		name, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, featErr(n, "properties: %s", jsonMsg(err))
		}
		if seen[name] {
			return nil, &Error{Feature: n, Field: truncate(name), Msg: "the property is given twice"}
		}
		seen[name] = true
		c, err := pb.column(n, name)
		if err != nil {
			return nil, err
		}
		for len(row) <= c {
			row = append(row, rawValue{})
		}
		row[c] = jsonRaw(v)
	}
	return row, nil
}
