package crs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"

	"github.com/lagesbild/lagesbild/geo/crs"
)

func TestToGeomToOrbRoundTrip(t *testing.T) {
	tests := []struct {
		in       orb.Geometry
		wantType string // go-geom type ToGeom must produce
		want     orb.Geometry
	}{
		{pA, "*geom.Point", pA},
		{orb.MultiPoint{pA, pB, pC}, "*geom.MultiPoint", orb.MultiPoint{pA, pB, pC}},
		{orb.LineString{pA, pB, pC}, "*geom.LineString", orb.LineString{pA, pB, pC}},
		{poly, "*geom.Polygon", poly},
		{orb.MultiLineString{{pA, pB}, {pC, pD, pE}}, "*geom.MultiLineString", orb.MultiLineString{{pA, pB}, {pC, pD, pE}}},
		{orb.MultiPolygon{poly, poly2}, "*geom.MultiPolygon", orb.MultiPolygon{poly, poly2}},
		{orb.MultiPolygon{poly2, poly}, "*geom.MultiPolygon", orb.MultiPolygon{poly2, poly}},
		{
			orb.Collection{pA, orb.LineString{pB, pC}, poly, orb.MultiPolygon{poly2}, orb.Collection{pG}},
			"*geom.GeometryCollection",
			orb.Collection{pA, orb.LineString{pB, pC}, poly, orb.MultiPolygon{poly2}, orb.Collection{pG}},
		},
		{orb.Collection{}, "*geom.GeometryCollection", orb.Collection{}},
		// Ring and Bound have no PostGIS type of their own and become polygons.
		{ring, "*geom.Polygon", orb.Polygon{ring}},
		{orb.Bound{Min: pA, Max: pC}, "*geom.Polygon", orb.Bound{Min: pA, Max: pC}.ToPolygon()},
	}
	for _, tt := range tests {
		g, err := crs.ToGeom(tt.in, 3006)
		if err != nil {
			t.Errorf("ToGeom(%s) error: %v", tt.in.GeoJSONType(), err)
			continue
		}
		if got, want := fmt.Sprintf("%T", g), tt.wantType; got != want {
			t.Errorf("ToGeom(%s) type = %s, want %s", tt.in.GeoJSONType(), got, want)
		}
		if got, want := g.Layout(), geom.XY; got != want {
			t.Errorf("ToGeom(%s) layout = %v, want %v", tt.in.GeoJSONType(), got, want)
		}
		if got, want := g.SRID(), 3006; got != want {
			t.Errorf("ToGeom(%s) SRID = %d, want %d", tt.in.GeoJSONType(), got, want)
		}
		back, err := crs.ToOrb(g)
		if err != nil {
			t.Errorf("ToOrb(ToGeom(%s)) error: %v", tt.in.GeoJSONType(), err)
			continue
		}
		if got, want := back, tt.want; got.GeoJSONType() != want.GeoJSONType() || !orb.Equal(got, want) {
			t.Errorf("ToOrb(ToGeom(%v)) = %#v, want %#v", tt.in, got, want)
		}
	}
}

// TestToOrbFlattens checks that Z and M are dropped, and that go-geom geometries built the
// way a WKB decoder builds them (not via ToGeom) convert correctly.
func TestToOrbFlattens(t *testing.T) {
	tests := []struct {
		name string
		in   geom.T
		want orb.Geometry
	}{
		{"point XYZ", geom.NewPoint(geom.XYZ).MustSetCoords(geom.Coord{1, 2, 3}), orb.Point{1, 2}},
		{"point XYM", geom.NewPoint(geom.XYM).MustSetCoords(geom.Coord{1, 2, 9}), orb.Point{1, 2}},
		{
			"linestring XYZM",
			geom.NewLineString(geom.XYZM).MustSetCoords([]geom.Coord{{1, 2, 3, 4}, {5, 6, 7, 8}}),
			orb.LineString{{1, 2}, {5, 6}},
		},
		{
			"linear ring XY",
			geom.NewLinearRing(geom.XY).MustSetCoords([]geom.Coord{{0, 0}, {1, 0}, {1, 1}, {0, 0}}),
			orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}},
		},
		{
			"polygon XYZ with hole",
			geom.NewPolygon(geom.XYZ).MustSetCoords([][]geom.Coord{
				{{0, 0, 1}, {4, 0, 1}, {4, 4, 1}, {0, 0, 1}},
				{{1, 1, 2}, {2, 1, 2}, {2, 2, 2}, {1, 1, 2}},
			}),
			orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 1}}},
		},
		{
			"multipoint XYZ",
			geom.NewMultiPoint(geom.XYZ).MustSetCoords([]geom.Coord{{1, 2, 3}, {4, 5, 6}}),
			orb.MultiPoint{{1, 2}, {4, 5}},
		},
		{
			"multilinestring XYM",
			geom.NewMultiLineString(geom.XYM).MustSetCoords([][]geom.Coord{{{1, 2, 0}, {3, 4, 0}}, {{5, 6, 0}, {7, 8, 0}, {9, 10, 0}}}),
			orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}, {9, 10}}},
		},
		{
			"multipolygon XYZ with an empty member",
			geom.NewMultiPolygon(geom.XYZ).MustSetCoords([][][]geom.Coord{
				{{{0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 0, 1}}},
				{},
				{{{5, 5, 1}, {6, 5, 1}, {6, 6, 1}, {5, 5, 1}}},
			}),
			orb.MultiPolygon{
				{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}},
				{},
				{{{5, 5}, {6, 5}, {6, 6}, {5, 5}}},
			},
		},
		{
			"collection XYZ",
			geom.NewGeometryCollection().MustPush(
				geom.NewPoint(geom.XYZ).MustSetCoords(geom.Coord{1, 2, 3}),
				geom.NewLineString(geom.XYZ).MustSetCoords([]geom.Coord{{1, 2, 3}, {4, 5, 6}}),
			),
			orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 2}, {4, 5}}},
		},
		{"empty linestring", geom.NewLineString(geom.XY), orb.LineString{}},
	}
	for _, tt := range tests {
		got, err := crs.ToOrb(tt.in)
		if err != nil {
			t.Errorf("%s: ToOrb error: %v", tt.name, err)
			continue
		}
		if got.GeoJSONType() != tt.want.GeoJSONType() || !orb.Equal(got, tt.want) {
			t.Errorf("%s: ToOrb = %#v, want %#v", tt.name, got, tt.want)
		}
	}
}

func TestToOrbErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     geom.T
		wantIn string
	}{
		{"nil", nil, "<nil>"},
		{"typed nil", (*geom.Polygon)(nil), "*geom.Polygon"},
		{"empty point", geom.NewPointEmpty(geom.XY), "*geom.Point"},
		{
			"multipoint with empty member",
			geom.NewMultiPoint(geom.XY).MustSetCoords([]geom.Coord{{1, 2}, nil}),
			"empty point 1",
		},
		{
			"collection with empty point",
			geom.NewGeometryCollection().MustPush(geom.NewPointEmpty(geom.XY)),
			"member 0",
		},
	}
	for _, tt := range tests {
		got, err := crs.ToOrb(tt.in)
		if err == nil {
			t.Errorf("%s: ToOrb = %v, nil; want an error", tt.name, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantIn) {
			t.Errorf("%s: error %q, want it to mention %q", tt.name, err, tt.wantIn)
		}
	}
}

func TestToGeomErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     orb.Geometry
		wantIn string
	}{
		{"nil", nil, "<nil>"},
		{"foreign type", notAGeometry{pA}, "notAGeometry"},
		{"foreign type in a collection", orb.Collection{pA, notAGeometry{pA}}, "member 1"},
	}
	for _, tt := range tests {
		got, err := crs.ToGeom(tt.in, 4326)
		if err == nil {
			t.Errorf("%s: ToGeom = %v, nil; want an error", tt.name, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantIn) {
			t.Errorf("%s: error %q, want it to mention %q", tt.name, err, tt.wantIn)
		}
	}
}
