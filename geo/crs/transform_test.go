package crs_test

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// Points around Västerås in CRS84, used to build one geometry of every orb type.
var (
	pA = orb.Point{16.50, 59.60}
	pB = orb.Point{16.60, 59.60}
	pC = orb.Point{16.60, 59.65}
	pD = orb.Point{16.50, 59.65}
	pE = orb.Point{16.53, 59.62}
	pF = orb.Point{16.56, 59.62}
	pG = orb.Point{16.56, 59.63}

	ring  = orb.Ring{pA, pB, pC, pD, pA}
	hole  = orb.Ring{pE, pF, pG, pE}
	poly  = orb.Polygon{ring, hole}
	poly2 = orb.Polygon{{pE, pF, pG, pE}}
)

// everyGeometry returns a fresh value of every orb geometry type (bar Bound, which has its own
// test), so a test that mutates one cannot affect another.
func everyGeometry() []orb.Geometry {
	return []orb.Geometry{
		pA,
		orb.MultiPoint{pA, pB, pC},
		orb.LineString{pA, pB, pC},
		orb.Clone(ring),
		orb.Clone(poly),
		orb.MultiLineString{{pA, pB}, {pC, pD, pE}},
		orb.MultiPolygon{orb.Clone(poly).(orb.Polygon), orb.Clone(poly2).(orb.Polygon)},
		orb.Collection{pA, orb.LineString{pB, pC}, orb.Clone(poly), orb.Collection{pG}},
	}
}

// mapPoints applies f to every point of g in place; it is an independent oracle for Transform.
func mapPoints(g orb.Geometry, f func(lon, lat float64) (float64, float64)) orb.Geometry {
	g = orb.Clone(g)
	apply := func(ps []orb.Point) {
		for i, p := range ps {
			ps[i][0], ps[i][1] = f(p[0], p[1])
		}
	}
	switch g := g.(type) {
	case orb.Point:
		g[0], g[1] = f(g[0], g[1])
		return g
	case orb.MultiPoint:
		apply(g)
	case orb.LineString:
		apply(g)
	case orb.Ring:
		apply(g)
	case orb.MultiLineString:
		for _, ls := range g {
			apply(ls)
		}
	case orb.Polygon:
		for _, r := range g {
			apply(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				apply(r)
			}
		}
	case orb.Collection:
		for i, m := range g {
			g[i] = mapPoints(m, f)
		}
	}
	return g
}

// maxDiff returns the largest coordinate difference between two geometries of the same shape,
// or +Inf if their shapes differ.
func maxDiff(a, b orb.Geometry) float64 {
	var pa, pb []orb.Point
	collect := func(g orb.Geometry, into *[]orb.Point) {
		mapPoints(g, func(x, y float64) (float64, float64) {
			*into = append(*into, orb.Point{x, y})
			return x, y
		})
	}
	collect(a, &pa)
	collect(b, &pb)
	if a.GeoJSONType() != b.GeoJSONType() || len(pa) != len(pb) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range pa {
		d = math.Max(d, math.Max(math.Abs(pa[i][0]-pb[i][0]), math.Abs(pa[i][1]-pb[i][1])))
	}
	return d
}

func TestTransform(t *testing.T) {
	toSweref := func(lon, lat float64) (float64, float64) { return crs.ToSWEREF99TM(lon, lat) }
	toMerc := func(lon, lat float64) (float64, float64) { return crs.ToWebMercator(lon, lat) }
	for _, g := range everyGeometry() {
		tests := []struct {
			from, to crs.CRS
			in, want orb.Geometry
			tol      float64
		}{
			{crs.CRS84, crs.CRS84, g, g, 0},
			{crs.CRS84, crs.SWEREF99TM, g, mapPoints(g, toSweref), 0},
			{crs.CRS84, crs.WebMercator, g, mapPoints(g, toMerc), 0},
			{crs.SWEREF99TM, crs.CRS84, mapPoints(g, toSweref), g, degTol},
			{crs.WebMercator, crs.CRS84, mapPoints(g, toMerc), g, degTol},
			{crs.SWEREF99TM, crs.WebMercator, mapPoints(g, toSweref), mapPoints(g, toMerc), mm},
			{crs.WebMercator, crs.SWEREF99TM, mapPoints(g, toMerc), mapPoints(g, toSweref), mm},
		}
		for _, tt := range tests {
			before := orb.Clone(tt.in)
			got, err := crs.Transform(tt.in, tt.from, tt.to)
			if err != nil {
				t.Errorf("Transform(%s, %v, %v) error: %v", g.GeoJSONType(), tt.from, tt.to, err)
				continue
			}
			if d := maxDiff(got, tt.want); d > tt.tol {
				t.Errorf("Transform(%s, %v, %v) = %v, want %v (off by %g)", g.GeoJSONType(), tt.from, tt.to, got, tt.want, d)
			}
			if !orb.Equal(tt.in, before) {
				t.Errorf("Transform(%s, %v, %v) modified its input: got %v, want %v", g.GeoJSONType(), tt.from, tt.to, tt.in, before)
			}
		}
	}
}

func TestTransformDoesNotAlias(t *testing.T) {
	for i, g := range everyGeometry() {
		for _, to := range []crs.CRS{crs.CRS84, crs.SWEREF99TM} {
			got, err := crs.Transform(g, crs.CRS84, to)
			if err != nil {
				t.Fatalf("Transform(%s, CRS84, %v) error: %v", g.GeoJSONType(), to, err)
			}
			// Scribbling over the result must leave the input alone, even for the identity.
			mapPointsInPlace(got)
			if want := everyGeometry()[i]; !orb.Equal(g, want) {
				t.Errorf("Transform(%s, CRS84, %v) result shares memory with its input: input now %v, want %v", g.GeoJSONType(), to, g, want)
			}
		}
	}
}

// mapPointsInPlace zeroes every coordinate of g without cloning it first.
func mapPointsInPlace(g orb.Geometry) {
	switch g := g.(type) {
	case orb.MultiPoint:
		clear(g)
	case orb.LineString:
		clear(g)
	case orb.Ring:
		clear(g)
	case orb.MultiLineString:
		for _, ls := range g {
			clear(ls)
		}
	case orb.Polygon:
		for _, r := range g {
			clear(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			mapPointsInPlace(p)
		}
	case orb.Collection:
		for _, m := range g {
			mapPointsInPlace(m)
		}
	}
}

func TestTransformBound(t *testing.T) {
	// A box straddling the central meridian: the bottom edge's lowest northing is at 15°E,
	// not at a corner, so a corners-only projection would get minY wrong.
	b := orb.Bound{Min: orb.Point{14, 59}, Max: orb.Point{16, 60}}
	got, err := crs.Transform(b, crs.CRS84, crs.SWEREF99TM)
	if err != nil {
		t.Fatalf("Transform(%v) error: %v", b, err)
	}
	gb := got.(orb.Bound)
	_, wantMinY := crs.ToSWEREF99TM(15, 59)
	wantMinX, _ := crs.ToSWEREF99TM(14, 59)
	wantMaxX, _ := crs.ToSWEREF99TM(16, 59)
	_, cornerMaxY := crs.ToSWEREF99TM(14, 60)
	tests := []struct {
		name      string
		got, want float64
	}{
		{"minX", gb.Min[0], wantMinX},
		{"minY", gb.Min[1], wantMinY},
		{"maxX", gb.Max[0], wantMaxX},
		{"maxY", gb.Max[1], cornerMaxY},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > mm {
			t.Errorf("Transform(%v) %s = %.4f, want %.4f", b, tt.name, tt.got, tt.want)
		}
	}
}

type notAGeometry struct{ orb.Point }

func TestTransformErrors(t *testing.T) {
	tests := []struct {
		name     string
		g        orb.Geometry
		from, to crs.CRS
		wantIn   string
	}{
		{"unknown source", pA, crs.CRS(9), crs.CRS84, "CRS(9)"},
		{"unknown target", pA, crs.CRS84, crs.CRS(-1), "CRS(-1)"},
		{"far side of the world", orb.LineString{pA, {-165, 0}}, crs.CRS84, crs.SWEREF99TM, "[-165 0]"},
		{"foreign type", notAGeometry{pA}, crs.CRS84, crs.SWEREF99TM, "notAGeometry"},
	}
	for _, tt := range tests {
		got, err := crs.Transform(tt.g, tt.from, tt.to)
		if err == nil {
			t.Errorf("%s: Transform = %v, nil; want an error", tt.name, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantIn) {
			t.Errorf("%s: error %q, want it to mention %q", tt.name, err, tt.wantIn)
		}
	}
}

func TestTransformNil(t *testing.T) {
	got, err := crs.Transform(nil, crs.CRS84, crs.SWEREF99TM)
	if got != nil || err != nil {
		t.Errorf("Transform(nil) = %v, %v, want nil, nil", got, err)
	}
}
