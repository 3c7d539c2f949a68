package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

type schemaDoc struct {
	Schema     string                    `json:"$schema"`
	ID         string                    `json:"$id"`
	Type       string                    `json:"type"`
	Properties map[string]map[string]any `json:"properties"`
}

func keysOf(m map[string]map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestQueryablesAndSortables: every collection answers its queryables and sortables as a JSON
// Schema derived from its declaration, what they list is exactly what filter and sortby
// accept, and the conformance page announces the filter classes.
func TestQueryablesAndSortables(t *testing.T) {
	a := newAPI(t)
	cat := layers.NewCatalogue()
	for _, l := range cat.Layers() {
		res, body := a.get("/collections/"+l.ID+"/queryables", http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/schema+json") {
			t.Errorf("%s queryables: Content-Type %q", l.ID, ct)
		}
		var q schemaDoc
		if err := json.Unmarshal(body, &q); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range l.Queryables() {
			want = append(want, p.Name)
		}
		if l.HasGeometry() {
			want = append(want, layers.GeometryQueryable)
		}
		sort.Strings(want)
		if got := keysOf(q.Properties); !slices.Equal(got, want) || q.Type != "object" || q.Schema == "" || !strings.HasSuffix(q.ID, "/collections/"+l.ID+"/queryables") {
			t.Errorf("%s queryables: %s, want the properties %v", l.ID, body, want)
		}
		for name, s := range q.Properties {
			_, body := a.get("/collections/"+l.ID+"/items?limit=1&numberMatched=true&filter="+url.QueryEscape(`"`+name+`" IS NULL`), http.StatusOK)
			if !strings.Contains(string(body), `"numberMatched"`) {
				t.Errorf("%s: filter on queryable %s: %s", l.ID, name, body)
			}
			if name == layers.GeometryQueryable && s["format"] == nil {
				t.Errorf("%s: the geometry queryable has no format: %v", l.ID, s)
			}
		}
		if l.Temporal() && q.Properties[l.TimeStart]["x-ogc-role"] == nil {
			t.Errorf("%s: the time property %s has no x-ogc-role: %v", l.ID, l.TimeStart, q.Properties[l.TimeStart])
		}

		_, body = a.get("/collections/"+l.ID+"/sortables", http.StatusOK)
		var s schemaDoc
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatal(err)
		}
		want = slices.Clone(l.Sortable())
		sort.Strings(want)
		if got := keysOf(s.Properties); !slices.Equal(got, want) {
			t.Errorf("%s sortables: %v, want %v", l.ID, got, want)
		}
		for _, name := range want {
			a.get("/collections/"+l.ID+"/items?limit=1&sortby=-"+name, http.StatusOK)
		}
	}
	a.get("/collections/nosuch/queryables", http.StatusNotFound)
	a.get("/collections/observations/queryables?f=xml", http.StatusBadRequest)

	_, body := a.get("/conformance", http.StatusOK)
	for _, class := range []string{
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
		"http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
		"http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
	} {
		if !strings.Contains(string(body), class) {
			t.Errorf("conformance lacks %s", class)
		}
	}
	for _, class := range []string{"/conf/functions\"", "/conf/array-functions"} {
		if strings.Contains(string(body), class) {
			t.Errorf("conformance claims %s, which is not implemented", class)
		}
	}
}

// TestPartnerLayerFilter: a filter on a partner layer's items names its fields as inferred at
// upload; its queryables say so; a layer the caller may not see stays invisible with a filter.
func TestPartnerLayerFilter(t *testing.T) {
	a := newPartnerAPI(t, web.Config{})
	db := testDB
	suffix := uniq("")
	owner, other := "cq-own"+suffix, "cq-oth"+suffix
	ownerEd := bearerOf(callerToken(t, db, owner, "housing", "editor"))
	otherAdm := bearerOf(callerToken(t, db, other, "police", "admin"))
	id := "cq-layer" + strings.ReplaceAll(suffix, "-", "")
	t.Cleanup(func() {
		ctx := context.Background()
		for _, q := range []string{`DELETE FROM partner_layers WHERE owner = $1`, `DELETE FROM api_tokens WHERE organisation IN ($1, $2)`,
			`DELETE FROM organisations WHERE code IN ($1, $2)`} {
			args := []any{owner, other}
			if !strings.Contains(q, "$2") {
				args = args[:1]
			}
			if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
				t.Errorf("clean up: %v", err)
			}
		}
	})
	_, _, lon, lat := bäckbyPoint(t)
	gj := fmt.Sprintf(`{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[1]f,%[2]f]},"properties":{"hus":"A1","dwellings":40,"built":"1971-05-01"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[3]f,%[2]f]},"properties":{"hus":"A2","dwellings":24,"built":"1973-05-01"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[3]f,%[4]f]},"properties":{"hus":"B1","dwellings":12,"built":"1975-05-01"}}]}`,
		lon, lat, lon+0.01, lat+0.01)
	base := "/partners/layers/" + id
	a.write("PUT", base+"?title=Hus", withHeader(ownerEd, "Content-Type", "application/geo+json"), gj, 201)

	items := func(h http.Header, filter string, wantStatus int) []byte {
		t.Helper()
		res, body := a.raw("GET", base+"/items?filter="+url.QueryEscape(filter), h)
		if res.StatusCode != wantStatus {
			t.Fatalf("filter %s: status %d, want %d: %s", filter, res.StatusCode, wantStatus, body)
		}
		return body
	}
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{"dwellings > 20", []string{"A1", "A2"}},
		{"hus LIKE 'A%' AND dwellings < 30", []string{"A2"}},
		{"T_AFTER(built, DATE('1972-01-01'))", []string{"A2", "B1"}},
		{fmt.Sprintf("S_INTERSECTS(geometry, BBOX(%f, %f, %f, %f))", lon-0.001, lat-0.001, lon+0.011, lat+0.001), []string{"A1", "A2"}},
		{"dwellings * 2 = 80 OR hus = 'B1'", []string{"A1", "B1"}},
	} {
		body := items(ownerEd, tc.filter, http.StatusOK)
		var fc struct {
			NumberMatched int `json:"numberMatched"`
			Features      []struct {
				Properties struct{ Hus string }
			}
		}
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fc.Features {
			got = append(got, f.Properties.Hus)
		}
		sort.Strings(got)
		if !slices.Equal(got, tc.want) || fc.NumberMatched != len(tc.want) {
			t.Errorf("%s: %v (numberMatched %d), want %v", tc.filter, got, fc.NumberMatched, tc.want)
		}
	}
	if body := items(ownerEd, "nosuch = 1", http.StatusBadRequest); !strings.Contains(string(body), `"param":"filter"`) || !strings.Contains(string(body), "dwellings") {
		t.Errorf("unknown field: %s, want a 400 naming filter and listing the fields", body)
	}
	items(ownerEd, "hus = 1", http.StatusBadRequest)
	items(otherAdm, "dwellings > 0", http.StatusNotFound)

	res, body := a.raw("GET", base+"/queryables", ownerEd)
	var q schemaDoc
	if err := json.Unmarshal(body, &q); err != nil || res.StatusCode != 200 {
		t.Fatalf("queryables: %d %s", res.StatusCode, body)
	}
	if got := keysOf(q.Properties); !slices.Equal(got, []string{"built", "dwellings", "geometry", "hus"}) ||
		q.Properties["dwellings"]["type"] != "integer" || q.Properties["built"]["format"] != "date" {
		t.Errorf("queryables: %s", body)
	}
	if res, _ := a.raw("GET", base+"/queryables", otherAdm); res.StatusCode != http.StatusNotFound {
		t.Errorf("queryables of an invisible layer: %d, want 404", res.StatusCode)
	}
}

// TestEveryCollectionTakesTheSameParameters: a client that loops over every collection with
// the same bbox, datetime and filter-free parameters gets 200 from each (before, indicators
// and indicator-values answered bbox with 400); a collection without geometry (time) has no
// feature in any bbox (interval).
func TestEveryCollectionTakesTheSameParameters(t *testing.T) {
	a := newAPI(t)
	for _, l := range layers.NewCatalogue().Layers() {
		for _, q := range []string{"bbox=16.4,59.5,16.7,59.7", "datetime=2024-01-01T00:00:00Z/2024-12-31T23:59:59Z",
			"bbox=16.4,59.5,16.7,59.7&datetime=2024-01-01/2024-12-31&limit=5"} {
			var fc featureCollection
			a.getJSON("/collections/"+l.ID+"/items?"+q, http.StatusOK, &fc)
			empty := (strings.Contains(q, "bbox") && !l.HasGeometry()) || (strings.Contains(q, "datetime") && !l.Temporal())
			if empty && (fc.NumberMatched == nil || *fc.NumberMatched != 0 || len(fc.Features) != 0) {
				t.Errorf("%s?%s: %d features, want none (the collection has no geometry or time)", l.ID, q, len(fc.Features))
			}
		}
	}
}

// TestDeclaredGeometryTypesAreTrue: what a collection declares as its geometry type (which
// GDAL and QGIS show) is what the demo data holds: one type, or "Geometry" when mixed or
// absent in some rows.
func TestDeclaredGeometryTypesAreTrue(t *testing.T) {
	db := layerstest.Require(t, testDB)
	for _, l := range layers.NewCatalogue().Layers() {
		if !l.HasGeometry() {
			continue
		}
		var types []string
		rows, err := db.Pool.Query(context.Background(), fmt.Sprintf(
			`SELECT DISTINCT coalesce(replace(initcap(GeometryType(%s)), 'string', 'String'), 'null') FROM %s`, l.Geometry, l.Table))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			types = append(types, strings.NewReplacer("Multipolygon", "MultiPolygon", "Multipoint", "MultiPoint", "Linestring", "LineString", "Multilinestring", "MultiLineString").Replace(s))
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
		if l.GeometryType == "Geometry" {
			if len(types) == 1 && types[0] != "null" {
				t.Errorf("%s declares Geometry but holds only %s", l.ID, types[0])
			}
			continue
		}
		if len(types) != 1 || types[0] != l.GeometryType {
			t.Errorf("%s declares %s but holds %v", l.ID, l.GeometryType, types)
		}
	}
}

// TestCollectionsLinkQueryables: each collection's document links its queryables and
// sortables, as clients (QGIS, GDAL, OWSLib) discover them.
func TestCollectionsLinkQueryables(t *testing.T) {
	a := newAPI(t)
	for _, l := range layers.NewCatalogue().Layers() {
		var doc struct {
			Links []struct{ Href, Rel, Type string }
		}
		a.getJSON("/collections/"+l.ID, http.StatusOK, &doc)
		found := map[string]bool{}
		for _, k := range doc.Links {
			if strings.HasSuffix(k.Rel, "/queryables") || strings.HasSuffix(k.Rel, "/sortables") {
				kind := k.Rel[strings.LastIndex(k.Rel, "/")+1:]
				found[kind] = strings.HasSuffix(k.Href, "/collections/"+l.ID+"/"+kind) && k.Type == "application/schema+json"
			}
		}
		if !found["queryables"] || !found["sortables"] {
			t.Errorf("%s: links %v lack queryables or sortables", l.ID, doc.Links)
		}
	}
}
