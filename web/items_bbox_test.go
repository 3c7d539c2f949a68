package web_test

import (
	"fmt"
	"testing"
)

// TestItemsBBoxBeyondSweden: the catalogue's items take the world box, a hemisphere and boxes
// at the poles and the antimeridian, and match what lies in them (the box is clipped to
// EPSG:3006's area of use before it is projected): everything, or nothing — never a 500.
func TestItemsBBoxBeyondSweden(t *testing.T) {
	a := newAPI(t)
	all := count(t, `SELECT count(*) FROM places`)
	if all == 0 {
		t.Fatal("no places in the test database")
	}
	for _, tc := range []struct {
		box  string
		want int64
	}{
		{"-180,-90,180,90", all}, {"0,0,180,90", all}, {"-180,-90,180,90&bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84", all},
		{"-1e7,-1e7,1e7,1e8&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3006", all},
		{"-180,-90,0,0", 0}, {"170,-90,180,90", 0}, {"-180,-90,-170,90", 0}, {"-180,80,180,90", 0}, {"-180,-90,180,-80", 0},
	} {
		var fc featureCollection
		a.getJSON(fmt.Sprintf("/collections/places/items?limit=1&bbox=%s", tc.box), 200, &fc)
		if fc.NumberMatched == nil || *fc.NumberMatched != tc.want {
			t.Errorf("bbox=%s: numberMatched %v, want %d", tc.box, fc.NumberMatched, tc.want)
		}
	}
}
