package web_test

import (
	"fmt"
	"slices"
	"strings"
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
		a.getJSON(fmt.Sprintf("/collections/places/items?limit=1&numberMatched=true&bbox=%s", tc.box), 200, &fc)
		if fc.NumberMatched == nil || *fc.NumberMatched != tc.want {
			t.Errorf("bbox=%s: numberMatched %v, want %d", tc.box, fc.NumberMatched, tc.want)
		}
	}
}

// TestItemsPagesWithoutCounting: without numberMatched=true a full page does not count the
// matches (that reads them all): numberMatched is on the last page alone, exact there, and
// next links lead through every match once. A box's matches come nearest its corner first,
// in the same order whatever the page size; numberMatched=true counts on every page.
func TestItemsPagesWithoutCounting(t *testing.T) {
	a := newAPI(t)
	const box = "16.45,59.60,16.50,59.63" // around Bäckby and Råby
	inBox := count(t, `SELECT count(*) FROM observations
		WHERE ST_Intersects(geom, ST_Transform(ST_Segmentize(ST_MakeEnvelope(16.45, 59.60, 16.50, 59.63, 4326), 0.005), 3006))`)
	drugs := count(t, `SELECT count(*) FROM observations WHERE category = 'open_drug_dealing'`)
	if inBox < 300 || drugs < 300 {
		t.Fatalf("%d observations in the box, %d of open drug dealing: want at least 300 of each for pages of 100", inBox, drugs)
	}
	category := map[string]any{}
	walk := func(path string, counted bool) []string {
		t.Helper()
		var order []string
		seen := map[string]bool{}
		for pages := 1; path != ""; pages++ {
			var fc featureCollection
			a.getJSON(path, 200, &fc)
			next := fc.link("next")
			switch {
			case counted && fc.NumberMatched == nil:
				t.Fatalf("%s: no numberMatched with numberMatched=true", path)
			case !counted && next != "" && fc.NumberMatched != nil:
				t.Fatalf("%s: numberMatched %d on a page that is not the last", path, *fc.NumberMatched)
			case next == "" && (fc.NumberMatched == nil || *fc.NumberMatched != int64(len(seen)+len(fc.Features))):
				t.Fatalf("%s: the last page says numberMatched %v after %d features", path, fc.NumberMatched, len(seen)+len(fc.Features))
			}
			for _, f := range fc.Features {
				id := fmt.Sprint(f.ID)
				if seen[id] {
					t.Fatalf("%s: feature %s again", path, id)
				}
				seen[id] = true
				order = append(order, id)
				category[id] = f.Props["category"]
			}
			path = strings.TrimPrefix(next, a.srv.URL)
			if pages > 100 {
				t.Fatal("paging does not end")
			}
		}
		return order
	}
	for _, tc := range []struct {
		path string
		want int64
	}{
		{"/collections/observations/items?limit=100&bbox=" + box, inBox},
		{"/collections/observations/items?limit=100&category=open_drug_dealing", drugs},
	} {
		order := walk(tc.path, false)
		if int64(len(order)) != tc.want {
			t.Errorf("%s: %d features over the pages, want %d", tc.path, len(order), tc.want)
		}
		if counted := walk(tc.path+"&numberMatched=true", true); !slices.Equal(counted, order) {
			t.Errorf("%s: numberMatched=true changed the order", tc.path)
		}
		// Pages of another size, anywhere, hold the same features in the same places.
		for _, off := range []int{0, 93, 200, len(order) - 5} {
			var fc featureCollection
			a.getJSON(fmt.Sprintf("%s&limit=7&offset=%d", strings.Replace(tc.path, "limit=100&", "", 1), off), 200, &fc)
			var got []string
			for _, f := range fc.Features {
				got = append(got, fmt.Sprint(f.ID))
			}
			if want := order[off:min(off+7, len(order))]; !slices.Equal(got, want) {
				t.Errorf("%s offset %d limit 7: %v, want %v", tc.path, off, got, want)
			}
		}
	}
	// With a filter beside the box the planner chooses its own plan; the order is the box's.
	all := walk("/collections/observations/items?limit=100&bbox="+box, false)
	var want []string
	for _, id := range all {
		if category[id] == "open_drug_dealing" {
			want = append(want, id)
		}
	}
	if got := walk("/collections/observations/items?limit=10&category=open_drug_dealing&bbox="+box, false); len(want) < 11 || !slices.Equal(got, want) {
		t.Errorf("bbox and category: %d features %v, want the box's order filtered, %d features %v", len(got), got, len(want), want)
	}
}
