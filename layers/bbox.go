package layers

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// bboxStep is the spacing, in degrees, at which the edges of a CRS84 bbox are sampled before
// projecting: a lon/lat rectangle is curved in EPSG:3006, and over 0.005° (about 500 m) the
// chord is within a millimetre of the curve.
const bboxStep = 0.005

// projectedBBox is a bbox in EPSG:3006: its outline, and the largest axis-aligned box inside
// the outline. A geometry whose bounding box lies inside inner certainly intersects the
// outline, so the exact test is left for the thin band along the edges.
type projectedBBox struct {
	outline orb.Polygon
	inner   orb.Bound
}

// projectBBox projects b (CRS84 or EPSG:3006) into EPSG:3006.
func projectBBox(b BBox) projectedBBox {
	if b.CRS == crs.SWEREF99TM {
		bound := orb.Bound{Min: orb.Point{b.MinX, b.MinY}, Max: orb.Point{b.MaxX, b.MaxY}}
		return projectedBBox{outline: bound.ToPolygon(), inner: shrink(bound)}
	}
	nx := max(1, int(math.Ceil((b.MaxX-b.MinX)/bboxStep)))
	ny := max(1, int(math.Ceil((b.MaxY-b.MinY)/bboxStep)))
	project := func(lon, lat float64) orb.Point {
		x, y := crs.ToSWEREF99TM(lon, lat)
		return orb.Point{x, y}
	}
	ring := make(orb.Ring, 0, 2*(nx+ny)+1)
	inner := orb.Bound{Min: orb.Point{math.Inf(-1), math.Inf(-1)}, Max: orb.Point{math.Inf(1), math.Inf(1)}}
	// Counter-clockwise: bottom edge east, right edge north, top edge west, left edge south.
	for i := 0; i < nx; i++ {
		p := project(b.MinX+(b.MaxX-b.MinX)*float64(i)/float64(nx), b.MinY)
		inner.Min[1] = max(inner.Min[1], p[1])
		ring = append(ring, p)
	}
	for i := 0; i < ny; i++ {
		p := project(b.MaxX, b.MinY+(b.MaxY-b.MinY)*float64(i)/float64(ny))
		inner.Max[0] = min(inner.Max[0], p[0])
		ring = append(ring, p)
	}
	for i := 0; i < nx; i++ {
		p := project(b.MaxX-(b.MaxX-b.MinX)*float64(i)/float64(nx), b.MaxY)
		inner.Max[1] = min(inner.Max[1], p[1])
		ring = append(ring, p)
	}
	for i := 0; i < ny; i++ {
		p := project(b.MinX, b.MaxY-(b.MaxY-b.MinY)*float64(i)/float64(ny))
		inner.Min[0] = max(inner.Min[0], p[0])
		ring = append(ring, p)
	}
	// Each corner belongs to two edges; the loops above give each to the edge it starts.
	c := project(b.MinX, b.MinY)
	inner.Min[0], inner.Min[1] = max(inner.Min[0], c[0]), max(inner.Min[1], c[1])
	c = project(b.MaxX, b.MinY)
	inner.Max[0], inner.Min[1] = min(inner.Max[0], c[0]), max(inner.Min[1], c[1])
	c = project(b.MaxX, b.MaxY)
	inner.Max[0], inner.Max[1] = min(inner.Max[0], c[0]), min(inner.Max[1], c[1])
	c = project(b.MinX, b.MaxY)
	inner.Min[0], inner.Max[1] = max(inner.Min[0], c[0]), min(inner.Max[1], c[1])
	ring = append(ring, ring[0])
	return projectedBBox{outline: orb.Polygon{ring}, inner: shrink(inner)}
}

// innerMargin keeps the inner box exact despite PostGIS comparing boxes in float4: at
// Swedish northings (below 8.4e6 m) a float4 step is at most 0.5 m, and PostGIS rounds
// boxes outwards, so a box shrunk by a metre still lies inside the true one after rounding.
const innerMargin = 1.0

func shrink(b orb.Bound) orb.Bound {
	b.Min[0], b.Min[1] = b.Min[0]+innerMargin, b.Min[1]+innerMargin
	b.Max[0], b.Max[1] = b.Max[0]-innerMargin, b.Max[1]-innerMargin
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		// Too small to have an inside: an empty box far away, so everything gets the exact test.
		return orb.Bound{Min: orb.Point{-1, -1}, Max: orb.Point{-1, -1}}
	}
	return b
}
