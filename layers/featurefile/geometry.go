package featurefile

import (
	"math"
	"strconv"

	"github.com/twpayne/go-geom"
)

// crsBox is the range of valid coordinates of a CRS. For EPSG:3006 it is a generous box
// around Sweden (the projection is defined for Sweden only), so that a file in another
// projected CRS, or in metres with the axes swapped, is caught.
type crsBox struct{ minX, minY, maxX, maxY float64 }

var crsBoxes = map[int]crsBox{
	4326: {-180, -90, 180, 90},
	3006: {-1_200_000, 5_800_000, 2_000_000, 8_000_000},
}

func (b crsBox) contains(x, y float64) bool {
	return x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY
}

func crsName(srid int) string {
	if srid == 4326 {
		return "CRS84"
	}
	return "EPSG:3006"
}

// SWEREFHint is what a reader adds when coordinates read as CRS84 fit SWEREF 99 TM instead
// (the Swedish storage CRS, which Swedish files often use without saying so).
const SWEREFHint = "they look like SWEREF 99 TM (EPSG:3006): name it with a crs member (\"urn:ogc:def:crs:EPSG::3006\") or state the CRS"

// LooksSWEREF reports whether x, y fit SWEREF 99 TM (EPSG:3006) over Sweden.
func LooksSWEREF(x, y float64) bool { return crsBoxes[3006].contains(x, y) }

// checkCoords finds the first coordinate of flat (stride st) that is not finite or outside
// the CRS's range, and says what is wrong; ok is true when every coordinate is fine.
// looks3006 reports coordinates that fit SWEREF 99 TM when CRS84 was assumed.
func checkCoords(flat []float64, st int, srid int) (msg string, ok bool) {
	box := crsBoxes[srid]
	for i := 0; i+1 < len(flat); i += st {
		x, y := flat[i], flat[i+1]
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			return "coordinates are not finite numbers", false
		}
		if !box.contains(x, y) {
			m := "coordinates (" + fmtCoord(x) + ", " + fmtCoord(y) + ") out of range for " + crsName(srid)
			if srid == 4326 && crsBoxes[3006].contains(x, y) {
				m += "; " + SWEREFHint
			}
			return m, false
		}
	}
	return "", true
}

func fmtCoord(v float64) string {
	if math.Abs(v) < 1e12 {
		return trimFloat(v)
	}
	return "huge"
}

func trimFloat(v float64) string {
	b := make([]byte, 0, 24)
	b = appendFloat(b, v)
	return string(b)
}

// flatXY drops heights and measures: two-dimensional features are what the map shows.
func flatXY(g geom.T) geom.T {
	if g.Layout() == geom.XY {
		return g
	}
	st := g.Stride()
	src := g.FlatCoords()
	flat := make([]float64, 0, len(src)/st*2)
	for i := 0; i+1 < len(src); i += st {
		flat = append(flat, src[i], src[i+1])
	}
	scale := func(ends []int) []int {
		out := make([]int, len(ends))
		for i, e := range ends {
			out[i] = e / st * 2
		}
		return out
	}
	switch g := g.(type) {
	case *geom.Point:
		return geom.NewPointFlat(geom.XY, flat)
	case *geom.MultiPoint:
		return geom.NewMultiPointFlat(geom.XY, flat)
	case *geom.LineString:
		return geom.NewLineStringFlat(geom.XY, flat)
	case *geom.MultiLineString:
		return geom.NewMultiLineStringFlat(geom.XY, flat, scale(g.Ends()))
	case *geom.Polygon:
		return geom.NewPolygonFlat(geom.XY, flat, scale(g.Ends()))
	case *geom.MultiPolygon:
		endss := make([][]int, len(g.Endss()))
		for i, e := range g.Endss() {
			endss[i] = scale(e)
		}
		return geom.NewMultiPolygonFlat(geom.XY, flat, endss)
	}
	return g
}

// checkShape refuses what PostGIS would refuse or the map cannot draw: empty geometries,
// lines of fewer than two points, rings not closed or of fewer than four points, and
// geometry types other than the six simple ones. It returns a message or "".
func checkShape(g geom.T) string {
	switch g := g.(type) {
	case *geom.Point:
		if g.Empty() {
			return "empty point"
		}
	case *geom.MultiPoint:
		if g.NumPoints() == 0 {
			return "empty MultiPoint"
		}
	case *geom.LineString:
		if g.NumCoords() < 2 {
			return "a LineString needs at least 2 points"
		}
	case *geom.MultiLineString:
		if g.NumLineStrings() == 0 {
			return "empty MultiLineString"
		}
		for i := range g.NumLineStrings() {
			if g.LineString(i).NumCoords() < 2 {
				return "a LineString needs at least 2 points"
			}
		}
	case *geom.Polygon:
		return checkRings(g)
	case *geom.MultiPolygon:
		if g.NumPolygons() == 0 {
			return "empty MultiPolygon"
		}
		for i := range g.NumPolygons() {
			if m := checkRings(g.Polygon(i)); m != "" {
				return m
			}
		}
	default:
		return "unsupported geometry type"
	}
	return ""
}

func checkRings(p *geom.Polygon) string {
	if p.NumLinearRings() == 0 {
		return "empty Polygon"
	}
	for i := range p.NumLinearRings() {
		r := p.LinearRing(i)
		n := r.NumCoords()
		if n < 4 {
			return "a polygon ring needs at least 4 points"
		}
		a, b := r.Coord(0), r.Coord(n-1)
		if a[0] != b[0] || a[1] != b[1] {
			return "a polygon ring is not closed (its last point differs from its first)"
		}
	}
	return ""
}

// vertexBudget counts vertices over the whole file against MaxVertices.
type vertexBudget struct{ used, max int }

func (v *vertexBudget) take(feature, n int) error {
	v.used += n
	if v.used > v.max {
		return tooLarge(feature, "more than %d vertices in the file", v.max)
	}
	return nil
}

// finish checks a decoded geometry of feature n and sets its SRID: shape, coordinates
// against the CRS, and the vertex budget.
func finish(n int, g geom.T, srid int, vb *vertexBudget) (geom.T, error) {
	if g == nil {
		return nil, featErr(n, "no geometry (null geometries are not accepted)")
	}
	g = flatXY(g)
	if err := vb.take(n, len(g.FlatCoords())/2); err != nil {
		return nil, err
	}
	if m := checkShape(g); m != "" {
		return nil, featErr(n, "%s", m)
	}
	if m, ok := checkCoords(g.FlatCoords(), 2, srid); !ok {
		return nil, featErr(n, "%s", m)
	}
	return setSRID(g, srid), nil
}

func setSRID(g geom.T, srid int) geom.T {
	switch g := g.(type) {
	case *geom.Point:
		return g.SetSRID(srid)
	case *geom.MultiPoint:
		return g.SetSRID(srid)
	case *geom.LineString:
		return g.SetSRID(srid)
	case *geom.MultiLineString:
		return g.SetSRID(srid)
	case *geom.Polygon:
		return g.SetSRID(srid)
	case *geom.MultiPolygon:
		return g.SetSRID(srid)
	}
	return g
}

func appendFloat(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'f', -1, 64) }
