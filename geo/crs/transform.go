package crs

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// boundSamples is how many segments each side of an orb.Bound is split into before it is
// projected. A rectangle in one CRS is not a rectangle in another (parallels curve in
// Transverse Mercator), so projecting only the corners could miss the true extent; 64
// segments keep the sampling error far below a millimetre for municipal-sized boxes.
const boundSamples = 64

// Transform returns a copy of g with every coordinate converted from one CRS to another; g
// itself is never modified. Every orb geometry type is supported, including orb.Ring and
// orb.Bound; nil gives nil. from == to gives a plain clone.
//
// An orb.Bound is transformed as the bound of its projected outline (sampled along each
// side), so the result encloses the projected rectangle rather than merely joining its
// projected corners.
//
// Errors: from or to not one of the CRS constants, a geometry type orb does not define, or a
// coordinate that does not project to finite numbers (for instance a point on the far side of
// the world in SWEREF 99 TM). The error names the CRS, type or coordinate.
func Transform(g orb.Geometry, from, to CRS) (orb.Geometry, error) {
	if !from.valid() {
		return nil, fmt.Errorf("crs: transform from unsupported %v", from)
	}
	if !to.valid() {
		return nil, fmt.Errorf("crs: transform to unsupported %v", to)
	}
	if g == nil {
		return nil, nil
	}
	if from == to {
		return orb.Clone(g), nil
	}
	t := transformer{from: from, to: to}
	return t.geometry(g)
}

// transformer converts coordinates between two CRSs, going through CRS84 because every
// supported projection is defined from longitude/latitude.
type transformer struct{ from, to CRS }

func (t transformer) point(p orb.Point) (orb.Point, error) {
	lon, lat := p[0], p[1]
	switch t.from {
	case SWEREF99TM:
		lon, lat = FromSWEREF99TM(p[0], p[1])
	case WebMercator:
		lon, lat = FromWebMercator(p[0], p[1])
	}
	x, y := lon, lat
	switch t.to {
	case SWEREF99TM:
		x, y = ToSWEREF99TM(lon, lat)
	case WebMercator:
		x, y = ToWebMercator(lon, lat)
	}
	if !finite(x) || !finite(y) {
		return orb.Point{}, fmt.Errorf("crs: %v %v has no finite position in %v", t.from, p, t.to)
	}
	return orb.Point{x, y}, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// points transforms ps into a new slice, keeping nil as nil.
func (t transformer) points(ps []orb.Point) ([]orb.Point, error) {
	if ps == nil {
		return nil, nil
	}
	out := make([]orb.Point, len(ps))
	for i, p := range ps {
		q, err := t.point(p)
		if err != nil {
			return nil, err
		}
		out[i] = q
	}
	return out, nil
}

func (t transformer) rings(rs []orb.Ring) ([]orb.Ring, error) {
	if rs == nil {
		return nil, nil
	}
	out := make([]orb.Ring, len(rs))
	for i, r := range rs {
		ps, err := t.points(r)
		if err != nil {
			return nil, err
		}
		out[i] = ps
	}
	return out, nil
}

func (t transformer) geometry(g orb.Geometry) (orb.Geometry, error) {
	switch g := g.(type) {
	case orb.Point:
		return t.point(g)
	case orb.MultiPoint:
		ps, err := t.points(g)
		return orb.MultiPoint(ps), err
	case orb.LineString:
		ps, err := t.points(g)
		return orb.LineString(ps), err
	case orb.Ring:
		ps, err := t.points(g)
		return orb.Ring(ps), err
	case orb.MultiLineString:
		if g == nil {
			return g, nil
		}
		out := make(orb.MultiLineString, len(g))
		for i, ls := range g {
			ps, err := t.points(ls)
			if err != nil {
				return nil, err
			}
			out[i] = ps
		}
		return out, nil
	case orb.Polygon:
		rs, err := t.rings(g)
		return orb.Polygon(rs), err
	case orb.MultiPolygon:
		if g == nil {
			return g, nil
		}
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			rs, err := t.rings(p)
			if err != nil {
				return nil, err
			}
			out[i] = rs
		}
		return out, nil
	case orb.Collection:
		if g == nil {
			return g, nil
		}
		out := make(orb.Collection, len(g))
		for i, member := range g {
			m, err := t.geometry(member)
			if err != nil {
				return nil, err
			}
			out[i] = m
		}
		return out, nil
	case orb.Bound:
		return t.bound(g)
	}
	return nil, fmt.Errorf("crs: cannot transform geometry type %T", g)
}

// bound projects the outline of b, sampled boundSamples times per side, and returns its bound.
func (t transformer) bound(b orb.Bound) (orb.Bound, error) {
	var out orb.Bound
	for i := 0; i <= boundSamples; i++ {
		f := float64(i) / boundSamples
		x := b.Min[0] + f*(b.Max[0]-b.Min[0])
		y := b.Min[1] + f*(b.Max[1]-b.Min[1])
		for j, p := range [4]orb.Point{{x, b.Min[1]}, {x, b.Max[1]}, {b.Min[0], y}, {b.Max[0], y}} {
			q, err := t.point(p)
			if err != nil {
				return orb.Bound{}, err
			}
			if i == 0 && j == 0 {
				out = q.Bound()
			} else {
				out = out.Extend(q)
			}
		}
	}
	return out, nil
}
