package crs

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb"
)

func TestOrbGeomRoundTrip(t *testing.T) {
	ring := orb.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	hole := orb.Ring{{2, 2}, {3, 2}, {3, 3}, {2, 2}}
	tests := []orb.Geometry{
		orb.Point{587183.6, 6608993.1},
		orb.LineString{{1, 2}, {3, 4}, {5, 6}},
		orb.Polygon{ring, hole},
		orb.MultiPoint{{1, 2}, {3, 4}},
		orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}, {9, 10}}},
		orb.MultiPolygon{{ring, hole}, {orb.Ring{{20, 20}, {30, 20}, {30, 30}, {20, 20}}}},
		orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}, orb.Polygon{ring}},
	}
	for _, want := range tests {
		t.Run(want.GeoJSONType(), func(t *testing.T) {
			g, err := ToGeom(want, 3006)
			if err != nil {
				t.Fatal(err)
			}
			if g.SRID() != 3006 {
				t.Errorf("SRID %d, want 3006", g.SRID())
			}
			got, err := ToOrb(g)
			if err != nil {
				t.Fatal(err)
			}
			if !orb.Equal(got, want) {
				t.Errorf("round trip: got %v, want %v", got, want)
			}
		})
	}
	if _, err := ToGeom(nil, 3006); err == nil {
		t.Error("ToGeom(nil) gave no error")
	}
	if _, err := ToOrb(nil); err == nil {
		t.Error("ToOrb(nil) gave no error")
	}
}

func ExampleToGeom() {
	g, _ := ToGeom(orb.Point{587183.6, 6608993.1}, 3006)
	back, _ := ToOrb(g)
	p := back.(orb.Point)
	fmt.Printf("SRID %d: %.1f %.1f\n", g.SRID(), p.X(), p.Y())
	// Output: SRID 3006: 587183.6 6608993.1
}
