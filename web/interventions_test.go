package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

const crs3006 = "<http://www.opengis.net/def/crs/EPSG/0/3006>"

// write performs a request with a body and validates the answer against the OpenAPI
// document (the operation must be in it).
func (a *api) write(method, path string, header http.Header, body string, wantStatus int) (*http.Response, []byte) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get("Content-Type") == "" && body != "" {
		req.Header.Set("Content-Type", "application/geo+json")
		if method == http.MethodPatch {
			req.Header.Set("Content-Type", "application/merge-patch+json")
		}
	}
	res, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, wantStatus, got)
	}
	if wantStatus >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
		a.t.Errorf("%s %s: Content-Type %q, want application/problem+json", method, path, res.Header.Get("Content-Type"))
	}
	vreq, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	vreq.Header = req.Header.Clone()
	// A request the server accepts must be one the document describes (body schema,
	// If-Match and Content-Crs headers).
	a.checkOperation(vreq, res, got, wantStatus < 300)
	return res, got
}

func ifMatch(etag string) http.Header { return http.Header{"If-Match": {etag}} }

type ivFeature struct {
	ID       int64 `json:"id"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Props map[string]any `json:"properties"`
}

func decodeFeature(t *testing.T, body []byte) ivFeature {
	t.Helper()
	var f ivFeature
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return f
}

// newIntervention is a valid body; props replace or (with nil) remove its properties.
func newIntervention(geometry string, props map[string]any) string {
	p := map[string]any{
		"title": "Nattvandring Bäckby torg", "description": "Vuxna på torget fredag och lördag kväll.",
		"category": "night_walkers", "horizon": "vinna_slaget", "approach": "repressive", "lead_org": "IFF",
		"partners": []string{"Polisen", "Mimer"}, "status": "planned", "start_date": "2026-01-01", "end_date": "2026-12-31",
		"hours_per_week": 12.5, "budget_sek": 150000, "target_districts": []string{"1980-BACKBY"},
		"target_indicators": []string{"low_economic_standard"}, "target_categories": []string{"open_drug_dealing", "gathering_insecurity"},
	}
	for k, v := range props {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	b, _ := json.Marshal(map[string]any{"type": "Feature", "geometry": json.RawMessage(geometry), "properties": p})
	return string(b)
}

// cleanUp removes interventions the test made, so the other tests of the package see the demo.
func cleanUp(t *testing.T, ids *[]int64) {
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM interventions WHERE id = ANY($1)`, *ids)
	})
}

func createIntervention(t *testing.T, a *api, body string, header http.Header, ids *[]int64) (ivFeature, string, string) {
	t.Helper()
	res, got := a.write("POST", "/collections/interventions/items", header, body, 201)
	f := decodeFeature(t, got)
	*ids = append(*ids, f.ID)
	if want := fmt.Sprintf("%s/collections/interventions/items/%d", a.srv.URL, f.ID); res.Header.Get("Location") != want {
		t.Errorf("Location %q, want %q", res.Header.Get("Location"), want)
	}
	if res.Header.Get("ETag") != `"v1"` {
		t.Errorf("ETag of a new intervention %q, want \"v1\"", res.Header.Get("ETag"))
	}
	return f, res.Header.Get("Location")[len(a.srv.URL):], res.Header.Get("ETag")
}

func TestInterventionRoundTrip(t *testing.T) {
	a := newAPI(t)
	var ids []int64
	cleanUp(t, &ids)

	// Create with a drawn point in CRS84.
	created, path, _ := createIntervention(t, a, newIntervention(`{"type":"Point","coordinates":[16.4627,59.6278]}`, nil), nil, &ids)
	res, body := a.get(path, 200)
	if res.Header.Get("ETag") != `"v1"` {
		t.Errorf("GET ETag %q, want \"v1\"", res.Header.Get("ETag"))
	}
	got := decodeFeature(t, body)
	if got.ID != created.ID || got.Props["title"] != "Nattvandring Bäckby torg" || got.Props["lead_org"] != "IFF" ||
		got.Props["hours_per_week"] != 12.5 || got.Props["end_date"] != "2026-12-31" || got.Props["data_class"] != "internal" {
		t.Errorf("stored properties differ: %v", got.Props)
	}
	for name, want := range map[string]string{"target_districts": "1980-BACKBY", "target_indicators": "low_economic_standard",
		"target_categories": "gathering_insecurity,open_drug_dealing", "partners": "Polisen,Mimer"} {
		if s := fmt.Sprint(got.Props[name]); s != "["+strings.ReplaceAll(want, ",", " ")+"]" {
			t.Errorf("%s = %s, want %s", name, s, want)
		}
	}
	var pt [2]float64
	if err := json.Unmarshal(got.Geometry.Coordinates, &pt); err != nil || math.Abs(pt[0]-16.4627) > 1e-6 || math.Abs(pt[1]-59.6278) > 1e-6 {
		t.Errorf("point %v (%v), want 16.4627, 59.6278", pt, err)
	}
	if res, _ := a.raw("GET", path, http.Header{"If-None-Match": {`"v1"`}}); res.StatusCode != 304 {
		t.Errorf("If-None-Match v1: %d, want 304", res.StatusCode)
	}
	if res, _ := a.get(path+"?crs=http://www.opengis.net/def/crs/EPSG/0/3006", 200); res.Header.Get("ETag") != `"v1.3006"` {
		t.Errorf("EPSG:3006 ETag %q, want \"v1.3006\"", res.Header.Get("ETag"))
	}

	// Replace: no geometry, so it is the union of the two target districts.
	res, body = a.write("PUT", path, ifMatch(`"v1"`), newIntervention("null", map[string]any{
		"title": "Nattvandring väst", "target_districts": []string{"1980-BACKBY", "1980-BARKARO"}, "status": "active"}), 200)
	if res.Header.Get("ETag") != `"v2"` {
		t.Errorf("PUT ETag %q, want \"v2\"", res.Header.Get("ETag"))
	}
	got = decodeFeature(t, body)
	if got.Props["title"] != "Nattvandring väst" || got.Geometry == nil || got.Geometry.Type != "MultiPolygon" {
		t.Fatalf("replaced: %s", body)
	}
	var derived bool
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_Equals(i.geom, (SELECT ST_Union(geom) FROM districts WHERE code IN ('1980-BACKBY', '1980-BARKARO')))
		FROM interventions i WHERE id = $1`, got.ID).Scan(&derived); err != nil || !derived {
		t.Errorf("derived geometry is not the union of the target districts (%v)", err)
	}

	// Patch: the districts shrink and the derived geometry follows; other properties stay.
	res, body = a.write("PATCH", path, ifMatch(`"v2"`), `{"properties":{"target_districts":["1980-BACKBY"],"end_date":null,"budget_sek":null}}`, 200)
	got = decodeFeature(t, body)
	if res.Header.Get("ETag") != `"v3"` || got.Props["title"] != "Nattvandring väst" || got.Props["end_date"] != nil ||
		got.Props["budget_sek"] != nil || got.Props["hours_per_week"] != 12.5 || fmt.Sprint(got.Props["target_districts"]) != "[1980-BACKBY]" {
		t.Errorf("patched (%s): %s", res.Header.Get("ETag"), body)
	}
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_Equals(i.geom, (SELECT ST_Multi(geom) FROM districts WHERE code = '1980-BACKBY'))
		FROM interventions i WHERE id = $1`, got.ID).Scan(&derived); err != nil || !derived {
		t.Errorf("derived geometry did not follow the districts (%v)", err)
	}

	// Patch a geometry given in EPSG:3006: a drawn line, which later patches keep.
	x0, y0 := crs.ToSWEREF99TM(16.46, 59.62)
	h := ifMatch(`"v3"`)
	h.Set("Content-Crs", crs3006)
	res, body = a.write("PATCH", path, h, fmt.Sprintf(`{"geometry":{"type":"LineString","coordinates":[[%f,%f],[%f,%f]]}}`, x0, y0, x0+200, y0+100), 200)
	got = decodeFeature(t, body)
	var line [][2]float64
	if err := json.Unmarshal(got.Geometry.Coordinates, &line); err != nil || len(line) != 2 ||
		math.Abs(line[0][0]-16.46) > 1e-6 || math.Abs(line[0][1]-59.62) > 1e-6 {
		t.Errorf("EPSG:3006 line came back as %s (%v)", got.Geometry.Coordinates, err)
	}
	res, body = a.write("PATCH", path, ifMatch(res.Header.Get("ETag")), `{"properties":{"target_districts":["1980-BARKARO"]}}`, 200)
	if g := decodeFeature(t, body).Geometry; g == nil || g.Type != "LineString" {
		t.Errorf("a patch without geometry replaced the drawn one: %s", body)
	}

	// Delete, then it is gone but its history stays.
	a.write("DELETE", path, ifMatch(res.Header.Get("ETag")), "", 204)
	a.get(path, 404)
	var hist struct {
		InterventionID int64 `json:"interventionId"`
		Versions       []struct {
			Version   int64           `json:"version"`
			Operation string          `json:"operation"`
			ChangedBy *string         `json:"changed_by"`
			Before    json.RawMessage `json:"before"`
			After     json.RawMessage `json:"after"`
		} `json:"versions"`
	}
	a.getJSON(path+"/history", 200, &hist)
	ops := []string{}
	for i, v := range hist.Versions {
		ops = append(ops, v.Operation)
		if v.Version != int64(i+1) {
			t.Errorf("history entry %d has version %d", i, v.Version)
		}
		if v.ChangedBy == nil || *v.ChangedBy != testOrg {
			t.Errorf("changed_by %v, want the writer's organisation %q", v.ChangedBy, testOrg)
		}
		if (string(v.Before) == "null") != (v.Operation == "create") || (string(v.After) == "null") != (v.Operation == "delete") {
			t.Errorf("entry %d (%s): before %s, after %s", i, v.Operation, v.Before, v.After)
		}
	}
	if strings.Join(ops, ",") != "create,replace,update,update,update,delete" {
		t.Errorf("history operations %v", ops)
	}
	var before, after map[string]any
	_ = json.Unmarshal(hist.Versions[1].Before, &before)
	_ = json.Unmarshal(hist.Versions[1].After, &after)
	if before["title"] != "Nattvandring Bäckby torg" || after["title"] != "Nattvandring väst" || after["version"] != 2.0 {
		t.Errorf("replace entry: before %v, after %v", before, after)
	}
	if n := count(t, `SELECT count(*) FROM intervention_targets WHERE intervention_id = $1`, created.ID); n != 0 {
		t.Errorf("%d targets left after delete", n)
	}
	// An intervention never written through the API has an empty history; an unknown one 404.
	var demo int64
	_ = testDB.Pool.QueryRow(context.Background(), `SELECT min(id) FROM interventions WHERE illustrative`).Scan(&demo)
	a.getJSON(fmt.Sprintf("/collections/interventions/items/%d/history", demo), 200, &hist)
	if len(hist.Versions) != 0 {
		t.Errorf("demo intervention has %d history entries", len(hist.Versions))
	}
	a.get("/collections/interventions/items/999999999/history", 404)
}

func TestInterventionConcurrentEditors(t *testing.T) {
	a := newAPI(t)
	var ids []int64
	cleanUp(t, &ids)
	_, path, _ := createIntervention(t, a, newIntervention("null", nil), nil, &ids)

	// Both editors read version 1.
	res1, _ := a.get(path, 200)
	res2, _ := a.get(path, 200)
	tag1, tag2 := res1.Header.Get("ETag"), res2.Header.Get("ETag")
	a.write("PUT", path, ifMatch(tag1), newIntervention("null", map[string]any{"title": "Editor one"}), 200)
	// The second editor's change, based on the same version, is refused and changes nothing.
	_, body := a.write("PUT", path, ifMatch(tag2), newIntervention("null", map[string]any{"title": "Editor two"}), 412)
	if !strings.Contains(string(body), `version 2`) {
		t.Errorf("412 does not say the current version: %s", body)
	}
	a.write("PATCH", path, ifMatch(tag2), `{"properties":{"title":"Editor two"}}`, 412)
	a.write("DELETE", path, ifMatch(tag2), "", 412)
	a.write("PUT", path, ifMatch(`W/"v2"`), newIntervention("null", nil), 412) // If-Match compares strongly
	a.write("PUT", path, ifMatch(`"abc"`), newIntervention("null", nil), 412)
	a.write("PUT", path, nil, newIntervention("null", nil), 428)
	a.write("PATCH", path, nil, `{"properties":{"title":"x"}}`, 428)
	a.write("DELETE", path, nil, "", 428)
	_, body = a.get(path, 200)
	if f := decodeFeature(t, body); f.Props["title"] != "Editor one" {
		t.Errorf("title %v, want the first editor's", f.Props["title"])
	}
	// A list naming the current version among others, and *, are accepted.
	a.write("PATCH", path, ifMatch(`"v1", "v2"`), `{"properties":{"title":"Editor two, after reading"}}`, 200)
	a.write("DELETE", path, ifMatch(`*`), "", 204)
	a.write("PUT", "/collections/interventions/items/999999999", ifMatch(`"v1"`), newIntervention("null", nil), 404)
	a.write("DELETE", "/collections/interventions/items/999999999", ifMatch(`"v1"`), "", 404)

	// Two writers at once with the same version: exactly one wins.
	_, path, _ = createIntervention(t, a, newIntervention("null", nil), nil, &ids)
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("PATCH", a.srv.URL+path, strings.NewReader(fmt.Sprintf(`{"properties":{"title":"writer %d"}}`, i)))
			req.Header.Set("Content-Type", "application/merge-patch+json")
			req.Header.Set("If-Match", `"v1"`)
			res, err := http.DefaultClient.Do(req)
			if err == nil {
				codes[i] = res.StatusCode
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 200:
			won++
		case 412:
		default:
			t.Errorf("concurrent PATCH answered %d", c)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent writers with the same version won, want 1 (%v)", won, len(codes), codes)
	}
}

// tableCounts counts the rows of every table a write touches.
func tableCounts(t *testing.T) string {
	return fmt.Sprint(
		count(t, `SELECT count(*) FROM interventions`), count(t, `SELECT count(*) FROM intervention_districts`),
		count(t, `SELECT count(*) FROM intervention_targets`), count(t, `SELECT count(*) FROM intervention_history`),
		count(t, `SELECT coalesce(sum(version), 0) FROM interventions`))
}

func TestInterventionValidation(t *testing.T) {
	a := newAPI(t)
	var ids []int64
	cleanUp(t, &ids)
	_, path, _ := createIntervention(t, a, newIntervention("null", nil), nil, &ids)
	point := `{"type":"Point","coordinates":[16.5,59.6]}`
	bowtie := `{"type":"Polygon","coordinates":[[[16.50,59.60],[16.51,59.61],[16.51,59.60],[16.50,59.61],[16.50,59.60]]]}`
	cases := []struct {
		name, body, param string
		header            http.Header
	}{
		{"not JSON", `{"type":`, "body", nil},
		{"not a feature", `{"type":"FeatureCollection","features":[]}`, "type", nil},
		{"foreign member", `{"type":"Feature","geometry":null,"properties":{},"owner":"x"}`, "owner", nil},
		{"unknown property", newIntervention(point, map[string]any{"priority": 1}), "properties.priority", nil},
		{"missing title", newIntervention(point, map[string]any{"title": nil}), "properties.title", nil},
		{"blank title", newIntervention(point, map[string]any{"title": "  "}), "properties.title", nil},
		{"title too long", newIntervention(point, map[string]any{"title": strings.Repeat("å", 201)}), "properties.title", nil},
		{"unknown horizon", newIntervention(point, map[string]any{"horizon": "vinna_allt"}), "properties.horizon", nil},
		{"unknown category", newIntervention(point, map[string]any{"category": "picnic"}), "properties.category", nil},
		{"unknown approach", newIntervention(point, map[string]any{"approach": "kind"}), "properties.approach", nil},
		{"unknown status", newIntervention(point, map[string]any{"status": "done"}), "properties.status", nil},
		{"lead_org a number", newIntervention(point, map[string]any{"lead_org": 7}), "properties.lead_org", nil},
		{"bad date", newIntervention(point, map[string]any{"start_date": "2026-13-01"}), "properties.start_date", nil},
		{"end before start", newIntervention(point, map[string]any{"end_date": "2025-06-01"}), "properties.end_date", nil},
		{"negative hours", newIntervention(point, map[string]any{"hours_per_week": -1}), "properties.hours_per_week", nil},
		{"more hours than a week", newIntervention(point, map[string]any{"hours_per_week": 168.5}), "properties.hours_per_week", nil},
		{"budget above 1e12", newIntervention(point, map[string]any{"budget_sek": 1.5e12}), "properties.budget_sek", nil},
		{"budget 1e308", newIntervention(point, map[string]any{"budget_sek": 1e308}), "properties.budget_sek", nil},
		{"start in year 1", newIntervention(point, map[string]any{"start_date": "0001-01-01"}), "properties.start_date", nil},
		{"start in 1899", newIntervention(point, map[string]any{"start_date": "1899-12-31"}), "properties.start_date", nil},
		{"end in 2101", newIntervention(point, map[string]any{"end_date": "2101-01-01"}), "properties.end_date", nil},
		{"end in 9999", newIntervention(point, map[string]any{"end_date": "9999-12-31"}), "properties.end_date", nil},
		{"budget as text", newIntervention(point, map[string]any{"budget_sek": "much"}), "properties.budget_sek", nil},
		{"partners not a list", newIntervention(point, map[string]any{"partners": "Mimer"}), "properties.partners", nil},
		{"unknown district", newIntervention(point, map[string]any{"target_districts": []string{"1980-BACKBY", "1980-ATLANTIS"}}), "properties.target_districts", nil},
		{"district twice", newIntervention(point, map[string]any{"target_districts": []string{"1980-BACKBY", "1980-BACKBY"}}), "properties.target_districts", nil},
		{"unknown indicator", newIntervention(point, map[string]any{"target_indicators": []string{"happiness"}}), "properties.target_indicators", nil},
		{"unknown observation category", newIntervention(point, map[string]any{"target_categories": []string{"picnic"}}), "properties.target_categories", nil},
		{"unknown data class", newIntervention(point, map[string]any{"data_class": "secret"}), "properties.data_class", nil},
		{"illustrative as text", newIntervention(point, map[string]any{"illustrative": "yes"}), "properties.illustrative", nil},
		{"geometry outside Sweden", newIntervention(`{"type":"Point","coordinates":[2.35,48.85]}`, nil), "geometry", nil},
		{"swapped axes", newIntervention(`{"type":"Point","coordinates":[59.6,16.5]}`, nil), "geometry", nil},
		{"CRS84 coordinates sent as EPSG:3006", newIntervention(point, nil), "geometry", http.Header{"Content-Crs": {crs3006}}},
		{"self-intersecting polygon", newIntervention(bowtie, nil), "geometry", nil},
		{"unclosed ring", newIntervention(`{"type":"Polygon","coordinates":[[[16.5,59.6],[16.51,59.6],[16.51,59.61],[16.5,59.61]]]}`, nil), "geometry", nil},
		{"geometry collection", newIntervention(`{"type":"GeometryCollection","geometries":[]}`, nil), "geometry", nil},
		{"not a geometry", newIntervention(`{"type":"Circle","coordinates":[16.5,59.6]}`, nil), "geometry", nil},
		{"unknown CRS", newIntervention(point, nil), "Content-Crs", http.Header{"Content-Crs": {"<http://www.opengis.net/def/crs/EPSG/0/4326>"}}},
	}
	before := tableCounts(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{"POST", "PUT"} {
				target, h := "/collections/interventions/items", http.Header{}
				if method == "PUT" {
					target, h = path, ifMatch(`"v1"`)
				}
				for k, v := range tc.header {
					h[k] = v
				}
				_, body := a.write(method, target, h, tc.body, 400)
				var p web.Problem
				if err := json.Unmarshal(body, &p); err != nil || p.Param != tc.param {
					t.Errorf("%s: param %q, want %q (%s)", method, p.Param, tc.param, body)
				}
			}
		})
	}
	patches := []struct{ name, body, param string }{
		{"reset a required property", `{"properties":{"horizon":null}}`, "properties.horizon"},
		{"unknown property", `{"properties":{"colour":"red"}}`, "properties.colour"},
		{"patch the id", `{"id":5}`, "id"},
		{"properties not an object", `{"properties":[1]}`, "properties"},
		{"end before start", `{"properties":{"end_date":"2025-01-01"}}`, "properties.end_date"},
	}
	for _, tc := range patches {
		t.Run("PATCH "+tc.name, func(t *testing.T) {
			_, body := a.write("PATCH", path, ifMatch(`"v1"`), tc.body, 400)
			var p web.Problem
			if err := json.Unmarshal(body, &p); err != nil || p.Param != tc.param {
				t.Errorf("param %q, want %q (%s)", p.Param, tc.param, body)
			}
		})
	}
	if after := tableCounts(t); after != before {
		t.Errorf("refused writes changed the tables: rows and versions %s before, %s after", before, after)
	}
	// Wrong media types and ids the server assigns.
	a.write("POST", "/collections/interventions/items", http.Header{"Content-Type": {"text/plain"}}, newIntervention(point, nil), 415)
	a.write("PATCH", path, http.Header{"If-Match": {`"v1"`}, "Content-Type": {"application/json"}}, `{"properties":{}}`, 415)
	var withID map[string]any
	_ = json.Unmarshal([]byte(newIntervention(point, nil)), &withID)
	withID["id"] = 12
	b, _ := json.Marshal(withID)
	a.write("POST", "/collections/interventions/items", nil, string(b), 400)
	a.write("PUT", path, ifMatch(`"v1"`), string(b), 400)
	a.write("POST", "/collections/interventions/items?f=json", nil, newIntervention(point, nil), 400)
	if after := tableCounts(t); after != before {
		t.Errorf("refused writes changed the tables: %s before, %s after", before, after)
	}
}

func TestWritesRefusedOnReadOnlyLayers(t *testing.T) {
	a := newAPI(t)
	for _, l := range layers.NewCatalogue().Layers() {
		if l.ID == "interventions" { // the register, the one collection written to
			continue
		}
		for _, req := range []struct{ method, path string }{
			{"POST", "/collections/" + l.ID + "/items"},
			{"PUT", "/collections/" + l.ID + "/items/1"},
			{"PATCH", "/collections/" + l.ID + "/items/1"},
			{"DELETE", "/collections/" + l.ID + "/items/1"},
		} {
			res, body := a.raw(req.method, req.path, http.Header{"If-Match": {`"v1"`}})
			if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s %s: %d, Allow %q: %s", req.method, req.path, res.StatusCode, res.Header.Get("Allow"), body)
			}
		}
	}
	// The static interventions routes leave the collection's other paths alone.
	a.get("/collections/interventions", 200)
	a.get("/collections/interventions/items?limit=1", 200)
	if res, _ := a.raw("POST", "/collections/nowhere/items", http.Header{"Content-Type": {"application/geo+json"}}); res.StatusCode != 404 {
		t.Errorf("POST to an unknown collection: %d, want 404", res.StatusCode)
	}
}

// TestInterventionTileAfterWrite shows the database triggers (migration 003) reach the tile
// cache: a tile served before a POST is dropped and served again with the new intervention.
func TestInterventionTileAfterWrite(t *testing.T) {
	layerstest.Require(t, testDB)
	var ids []int64
	cleanUp(t, &ids)
	cat := layers.NewCatalogue()
	store := layers.NewStore(testDB.AppPool)
	cache := web.NewTileCache(8 << 20)
	listen(t, store, cat, cache)
	srv := testServerOn(t, testDB, web.Config{TileCache: cache}, store, cat, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tile := func() []byte {
		res, err := http.Get(srv.URL + tilePath("/collections/interventions", tiles.TileContaining(16.4321, 59.6432, 14)))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 && res.StatusCode != 204 {
			t.Fatalf("tile: %d %s", res.StatusCode, b)
		}
		return b
	}
	const title = "Kameror vid tunneln (tile test)"
	if bytes.Contains(tile(), []byte(title)) {
		t.Fatal("the tile has the intervention before it exists")
	}
	res, body := post(t, srv.URL, newIntervention(`{"type":"Point","coordinates":[16.4321,59.6432]}`, map[string]any{"title": title}))
	if res.StatusCode != 201 {
		t.Fatalf("POST: %d %s", res.StatusCode, body)
	}
	ids = append(ids, decodeFeature(t, body).ID)
	deadline := time.Now().Add(5 * time.Second)
	for !bytes.Contains(tile(), []byte(title)) {
		if time.Now().After(deadline) {
			t.Fatal("the tile does not show the new intervention 5 s after the POST")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func post(t *testing.T, base, body string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Post(base+"/collections/interventions/items", "application/geo+json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}
