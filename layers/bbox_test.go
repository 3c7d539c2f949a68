package layers

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// TestProjectBBoxInnerIsInside checks the promise the bbox filter relies on: every corner of
// the inner box lies inside the projected outline, and the outline's vertices are the
// projected edges of the lon/lat box.
func TestProjectBBoxInnerIsInside(t *testing.T) {
	tests := []BBox{
		{MinX: 16.45, MinY: 59.60, MaxX: 16.50, MaxY: 59.63, CRS: crs.CRS84}, // Västerås, east of 15°E
		{MinX: 12.02, MinY: 57.64, MaxX: 12.06, MaxY: 57.67, CRS: crs.CRS84}, // Göteborg, far west of 15°E
		{MinX: 14.98, MinY: 63.00, MaxX: 15.02, MaxY: 63.01, CRS: crs.CRS84}, // across the central meridian
		{MinX: 11.0, MinY: 55.5, MaxX: 24.0, MaxY: 69.0, CRS: crs.CRS84},     // all of Sweden
		{MinX: 580000, MinY: 6600000, MaxX: 590000, MaxY: 6610000, CRS: crs.SWEREF99TM},
	}
	for _, b := range tests {
		pb := projectBBox(b)
		poly := pb.outline
		if len(poly) != 1 || !poly[0].Closed() {
			t.Fatalf("%+v: outline is not one closed ring", b)
		}
		if pb.inner.Min[0] >= pb.inner.Max[0] || pb.inner.Min[1] >= pb.inner.Max[1] {
			t.Fatalf("%+v: inner box %v is empty", b, pb.inner)
		}
		for _, c := range []orb.Point{pb.inner.Min, pb.inner.Max, {pb.inner.Min[0], pb.inner.Max[1]}, {pb.inner.Max[0], pb.inner.Min[1]}} {
			if !planar.PolygonContains(poly, c) {
				t.Errorf("%+v: inner corner %v outside the outline", b, c)
			}
		}
		if b.CRS == crs.CRS84 {
			x, y := crs.ToSWEREF99TM(b.MinX, b.MinY)
			if d := planar.Distance(poly[0][0], orb.Point{x, y}); d > 1e-6 {
				t.Errorf("%+v: first vertex %v is not the projected corner (%v, %v)", b, poly[0][0], x, y)
			}
		}
	}
}
