package crs

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
)

// ToOrb converts a go-geom geometry (as decoded from PostGIS) into the equivalent orb
// geometry: Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon and
// GeometryCollection (recursively) map to their orb namesakes, and a LinearRing to orb.Ring.
// The SRID is not carried over: orb geometries have none, callers track the CRS themselves.
//
// Any layout is accepted and flattened to XY: Z and M are dropped, because orb is 2D and
// nothing Lägesbild serves uses heights; dropping them is safer than rejecting a 3D import.
//
// Errors: a nil geometry, an empty Point (orb has no empty point), or any other go-geom type;
// the error names the type.
func ToOrb(g geom.T) (orb.Geometry, error) {
	switch g := g.(type) {
	case *geom.Point:
		if g == nil || g.Empty() {
			return nil, fmt.Errorf("crs: cannot convert empty %T to orb", g)
		}
		return orb.Point{g.X(), g.Y()}, nil
	case *geom.LineString:
		if g == nil {
			break
		}
		return orb.LineString(flatPoints(g.FlatCoords(), g.Stride())), nil
	case *geom.LinearRing:
		if g == nil {
			break
		}
		return orb.Ring(flatPoints(g.FlatCoords(), g.Stride())), nil
	case *geom.Polygon:
		if g == nil {
			break
		}
		return flatPolygon(g.FlatCoords(), 0, g.Ends(), g.Stride()), nil
	case *geom.MultiPoint:
		if g == nil {
			break
		}
		out := make(orb.MultiPoint, 0, g.NumPoints())
		for i := range g.NumPoints() {
			p := g.Point(i)
			if p.Empty() {
				// WKT allows MULTIPOINT(EMPTY, …); orb cannot hold it, so say which member.
				return nil, fmt.Errorf("crs: cannot convert %T with empty point %d to orb", g, i)
			}
			out = append(out, orb.Point{p.X(), p.Y()})
		}
		return out, nil
	case *geom.MultiLineString:
		if g == nil {
			break
		}
		flat, stride := g.FlatCoords(), g.Stride()
		out := make(orb.MultiLineString, 0, len(g.Ends()))
		start := 0
		for _, end := range g.Ends() {
			out = append(out, flatPoints(flat[start:end], stride))
			start = end
		}
		return out, nil
	case *geom.MultiPolygon:
		if g == nil {
			break
		}
		flat, stride := g.FlatCoords(), g.Stride()
		out := make(orb.MultiPolygon, 0, len(g.Endss()))
		start := 0
		for _, ends := range g.Endss() {
			out = append(out, flatPolygon(flat, start, ends, stride))
			if len(ends) > 0 {
				start = ends[len(ends)-1]
			}
		}
		return out, nil
	case *geom.GeometryCollection:
		if g == nil {
			break
		}
		out := make(orb.Collection, 0, g.NumGeoms())
		for i, member := range g.Geoms() {
			m, err := ToOrb(member)
			if err != nil {
				return nil, fmt.Errorf("crs: member %d of geometry collection: %w", i, err)
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, fmt.Errorf("crs: cannot convert %T to orb", g)
}

// flatPoints reads XY points out of go-geom's flat coordinate array, ignoring any Z and M.
func flatPoints(flat []float64, stride int) []orb.Point {
	ps := make([]orb.Point, 0, len(flat)/stride)
	for i := 0; i+1 < len(flat); i += stride {
		ps = append(ps, orb.Point{flat[i], flat[i+1]})
	}
	return ps
}

// flatPolygon reads the rings of one polygon starting at offset start; ends are absolute
// offsets into flat, as go-geom stores them.
func flatPolygon(flat []float64, start int, ends []int, stride int) orb.Polygon {
	p := make(orb.Polygon, 0, len(ends))
	for _, end := range ends {
		p = append(p, flatPoints(flat[start:end], stride))
		start = end
	}
	return p
}

// ToGeom converts an orb geometry into the equivalent go-geom geometry with layout XY and the
// given SRID (use CRS.SRID), ready to be encoded for PostGIS. Point, LineString, Polygon,
// MultiPoint, MultiLineString, MultiPolygon and Collection (recursively) map to their go-geom
// namesakes. orb.Ring and orb.Bound become a Polygon, as orb's own WKB encoder does, because
// neither is a geometry type PostGIS can store on its own.
//
// Errors: a nil geometry or a type orb does not define; the error names the type.
func ToGeom(g orb.Geometry, srid int) (geom.T, error) {
	switch g := g.(type) {
	case orb.Point:
		return geom.NewPointFlat(geom.XY, []float64{g[0], g[1]}).SetSRID(srid), nil
	case orb.LineString:
		return geom.NewLineStringFlat(geom.XY, flatten(g)).SetSRID(srid), nil
	case orb.Ring:
		return polygonGeom(orb.Polygon{g}).SetSRID(srid), nil
	case orb.Bound:
		return polygonGeom(g.ToPolygon()).SetSRID(srid), nil
	case orb.Polygon:
		return polygonGeom(g).SetSRID(srid), nil
	case orb.MultiPoint:
		return geom.NewMultiPointFlat(geom.XY, flatten(g)).SetSRID(srid), nil
	case orb.MultiLineString:
		var flat []float64
		ends := make([]int, 0, len(g))
		for _, ls := range g {
			flat = appendFlat(flat, ls)
			ends = append(ends, len(flat))
		}
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends).SetSRID(srid), nil
	case orb.MultiPolygon:
		var flat []float64
		endss := make([][]int, 0, len(g))
		for _, p := range g {
			ends := make([]int, 0, len(p))
			for _, r := range p {
				flat = appendFlat(flat, r)
				ends = append(ends, len(flat))
			}
			endss = append(endss, ends)
		}
		return geom.NewMultiPolygonFlat(geom.XY, flat, endss).SetSRID(srid), nil
	case orb.Collection:
		c := geom.NewGeometryCollection()
		// Set the layout explicitly so that an empty collection is XY rather than NoLayout.
		if err := c.SetLayout(geom.XY); err != nil {
			return nil, fmt.Errorf("crs: %w", err)
		}
		for i, member := range g {
			m, err := ToGeom(member, srid)
			if err != nil {
				return nil, fmt.Errorf("crs: member %d of collection: %w", i, err)
			}
			if err := c.Push(m); err != nil {
				return nil, fmt.Errorf("crs: member %d of collection: %w", i, err)
			}
		}
		return c.SetSRID(srid), nil
	}
	return nil, fmt.Errorf("crs: cannot convert %T to go-geom", g)
}

func polygonGeom(p orb.Polygon) *geom.Polygon {
	var flat []float64
	ends := make([]int, 0, len(p))
	for _, r := range p {
		flat = appendFlat(flat, r)
		ends = append(ends, len(flat))
	}
	return geom.NewPolygonFlat(geom.XY, flat, ends)
}

func flatten(ps []orb.Point) []float64 { return appendFlat(make([]float64, 0, 2*len(ps)), ps) }

func appendFlat(flat []float64, ps []orb.Point) []float64 {
	for _, p := range ps {
		flat = append(flat, p[0], p[1])
	}
	return flat
}
