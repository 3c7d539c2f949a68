package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	mvtpkg "github.com/paulmach/orb/encoding/mvt"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
	"github.com/lagesbild/lagesbild/web/auth"
)

var registerBinary sync.Once

// newPartnerAPI is newAPI with a configuration (upload limits).
func newPartnerAPI(t *testing.T, cfg web.Config) *api { return newPartnerAPIVia(t, cfg, nil) }

// newPartnerAPIVia is newPartnerAPI with wrap, when not nil, around the server's handler.
func newPartnerAPIVia(t *testing.T, cfg web.Config, wrap func(http.Handler) http.Handler) *api {
	t.Helper()
	registerBinary.Do(func() {
		for _, ct := range []string{"application/geopackage+sqlite3", "application/zip"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
		}
		// kin-openapi's CSV decoder knows only commas; uploads may use semicolons (Swedish
		// Excel). Every text/csv schema here is a plain string, which this decoder yields too.
		openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	})
	db := layerstest.Require(t, testDB)
	cfg.Version = "test"
	var h http.Handler = withToken(web.New(cfg, layers.NewStore(db.AppPool), layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil))),
		callerToken(t, db, testOrg, "police", "admin"))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return newClient(t, srv)
}

func bearerOf(secret string) http.Header { return http.Header{"Authorization": {"Bearer " + secret}} }

type partnerLayerDoc struct {
	ID           string   `json:"id"`
	Owner        string   `json:"owner"`
	SharedWith   []string `json:"shared_with"`
	Version      int      `json:"version"`
	FeatureCount int      `json:"feature_count"`
	GeometryType string   `json:"geometry_type"`
	Fields       []struct{ Name, Type string }
	Links        struct{ Items, Tiles, Districts string }
	Report       *struct {
		Features int
		Repaired []int
		CRS      string
	}
}

type problemDoc struct {
	Status int
	Detail string
	Param  string
}

// bäckbyPoint is a point inside the demo district Bäckby (EPSG:3006) and the same in CRS84.
func bäckbyPoint(t *testing.T) (x, y, lon, lat float64) {
	t.Helper()
	err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_X(p), ST_Y(p), ST_X(ST_Transform(p, 4326)), ST_Y(ST_Transform(p, 4326))
		FROM (SELECT ST_PointOnSurface(geom) p FROM districts WHERE level = 'district' AND name = 'Bäckby') q`).Scan(&x, &y, &lon, &lat)
	if err != nil {
		t.Fatal(err)
	}
	return x, y, lon, lat
}

func partnerRows(t *testing.T, id string) int64 {
	t.Helper()
	return count(t, `SELECT (SELECT count(*) FROM partner_layers WHERE id = $1) + (SELECT count(*) FROM partner_layer_versions WHERE layer_id = $1)
		+ (SELECT count(*) FROM partner_features WHERE layer_id = $1)`, id)
}

// ogr2ogrGPKG converts a GeoJSON document to a GeoPackage with GDAL, as a partner would.
func ogr2ogrGPKG(t *testing.T, geojson string) []byte {
	t.Helper()
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "in.geojson"), filepath.Join(dir, "out.gpkg")
	if err := os.WriteFile(src, []byte(geojson), 0o600); err != nil {
		t.Fatal(err)
	}
	layerstest.OGR2OGR(t, "-f", "GPKG", dst, src, "-nln", "bestand")
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPartnerLayersAPI(t *testing.T) {
	a := newPartnerAPI(t, web.Config{})
	db := testDB
	suffix := uniq("")
	owner, partner, other := "hb-own"+suffix, "hb-part"+suffix, "hb-oth"+suffix
	ownerEd := bearerOf(callerToken(t, db, owner, "housing", "editor"))
	ownerRd := bearerOf(callerToken(t, db, owner, "housing", "reader"))
	partnerEd := bearerOf(callerToken(t, db, partner, "municipality", "editor"))
	otherAdm := bearerOf(callerToken(t, db, other, "police", "admin"))
	anon := http.Header{anonymousHeader: {"1"}}
	id := "hb-layer" + strings.ReplaceAll(suffix, "-", "")
	t.Cleanup(func() {
		ctx := context.Background()
		for _, q := range []string{`DELETE FROM partner_layers WHERE owner = $1`, `DELETE FROM api_tokens WHERE organisation IN ($1, $2, $3)`,
			`DELETE FROM organisations WHERE code IN ($1, $2, $3)`} {
			args := []any{owner, partner, other}
			if !strings.Contains(q, "$2") {
				args = args[:1]
			}
			if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
				t.Errorf("clean up: %v", err)
			}
		}
	})
	x, y, lon, lat := bäckbyPoint(t)
	geoHdr := func(h http.Header) http.Header { return withHeader(h, "Content-Type", "application/geo+json") }
	base := "/partners/layers/" + id

	// GeoJSON in CRS84 with a bow-tie (self-intersecting) polygon as feature 3.
	d := 0.0004
	gj := fmt.Sprintf(`{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[1]f,%[2]f]},"properties":{"hus":"A1","dwellings":40,"built":1971}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[3]f,%[4]f]},"properties":{"hus":"A2","dwellings":24,"built":1973}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%[1]f,%[2]f],[%[3]f,%[2]f],[%[1]f,%[4]f],[%[3]f,%[4]f],[%[1]f,%[2]f]]]},"properties":{"hus":"B1","dwellings":12,"built":1975}}]}`,
		lon, lat, lon+d, lat+d)

	// Refusals before anything exists: anonymous, a reader, no title, unknown sharing.
	_, body := a.write("PUT", base+"?title=T", geoHdr(anon), gj, 401)
	if p := decode[problemDoc](t, body); p.Status != 401 {
		t.Errorf("anonymous PUT: %+v", p)
	}
	a.write("PUT", base+"?title=T", geoHdr(ownerRd), gj, 403)
	_, body = a.write("PUT", base, geoHdr(ownerEd), gj, 400)
	if p := decode[problemDoc](t, body); p.Param != "title" {
		t.Errorf("no title: %+v", p)
	}
	_, body = a.write("PUT", base+"?title=T&shared_with=nosuchorg", geoHdr(ownerEd), gj, 400)
	if p := decode[problemDoc](t, body); p.Param != "shared_with" {
		t.Errorf("unknown shared_with: %+v", p)
	}
	a.write("PUT", base+"?title=T", withHeader(ownerEd, "Content-Type", "image/png"), gj, 415)
	if n := partnerRows(t, id); n != 0 {
		t.Fatalf("%d rows after refused uploads", n)
	}

	res, body := a.write("PUT", base+"?title=Best%C3%A5nd&shared_with="+partner, geoHdr(ownerEd), gj, 201)
	l := decode[partnerLayerDoc](t, body)
	if l.Version != 1 || l.Owner != owner || !slices.Equal(l.SharedWith, []string{partner}) || l.Report == nil ||
		l.Report.Features != 3 || !slices.Equal(l.Report.Repaired, []int{3}) || l.Report.CRS != "OGC:CRS84" {
		t.Fatalf("created: %s", body)
	}
	if !strings.HasSuffix(res.Header.Get("Location"), base) || !strings.HasSuffix(l.Links.Tiles, base+"/tiles/WebMercatorQuad/{z}/{y}/{x}") {
		t.Errorf("Location %q, tiles link %q", res.Header.Get("Location"), l.Links.Tiles)
	}
	if n := count(t, `SELECT count(*) FROM audit_log WHERE action = 'write' AND object_type = 'partner-layers' AND object_id = $1 AND organisation = $2 AND method = 'PUT'`, id, owner); n != 1 {
		t.Errorf("%d audit entries for the upload, want 1", n)
	}

	// Who sees it: the owner and the partner; not another organisation (404, as if it did
	// not exist), not anonymous callers (401).
	listed := func(h http.Header) bool {
		_, body := a.write("GET", "/partners/layers", h, "", 200)
		ls := decode[struct{ Layers []partnerLayerDoc }](t, body)
		return slices.ContainsFunc(ls.Layers, func(l partnerLayerDoc) bool { return l.ID == id })
	}
	if !listed(ownerRd) || !listed(partnerEd) || listed(otherAdm) || listed(http.Header{}) {
		t.Errorf("listed: owner %v, partner %v, other %v, default police admin %v", listed(ownerRd), listed(partnerEd), listed(otherAdm), listed(http.Header{}))
	}
	tile := func() string {
		var z, tx, ty int
		if err := db.Pool.QueryRow(context.Background(), `SELECT 15, floor((ST_X(p) + 20037508.342789244) / (40075016.68557849 / 2^15))::int,
			floor((20037508.342789244 - ST_Y(p)) / (40075016.68557849 / 2^15))::int
			FROM (SELECT ST_Transform(ST_SetSRID(ST_Point($1, $2), 3006), 3857) p) q`, x, y).Scan(&z, &tx, &ty); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s/tiles/WebMercatorQuad/%d/%d/%d", base, z, ty, tx)
	}()
	for _, path := range []string{base, base + "/versions", base + "/items", tile, base + "/districts"} {
		a.write("GET", path, otherAdm, "", 404)
		res, _ := a.write("GET", path, anon, "", 401)
		if res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("GET %s anonymous: no WWW-Authenticate", path)
		}
		a.write("GET", path, partnerEd, "", 200)
	}
	res, mvt := a.write("GET", tile, partnerEd, "", 200)
	if !strings.Contains(string(mvt), id) || !strings.Contains(string(mvt), "dwellings") || !strings.HasPrefix(res.Header.Get("Cache-Control"), "private") {
		t.Errorf("tile: %d bytes, Cache-Control %q", len(mvt), res.Header.Get("Cache-Control"))
	}
	// filter narrows the tile as it narrows the items (after the unfiltered one, so a cache
	// key without it would fail); a bad one is 400 naming it.
	tileFeatures := func(path string) int {
		_, body := a.write("GET", path, partnerEd, "", 200)
		ls, err := mvtpkg.Unmarshal(body)
		if err != nil || len(ls) != 1 {
			t.Fatalf("GET %s: %d layers, %v", path, len(ls), err)
		}
		return len(ls[0].Features)
	}
	if all, some := tileFeatures(tile), tileFeatures(tile+"?filter=dwellings%20%3E%2030"); all < 2 || some != 1 {
		t.Errorf("partner tile: %d features unfiltered, %d with dwellings > 30 (want 1)", all, some)
	}
	_, body = a.write("GET", tile+"?filter=nosuch%20%3D%201", partnerEd, "", 400)
	if p := decode[problemDoc](t, body); p.Param != "filter" {
		t.Errorf("bad partner tile filter: %s", body)
	}

	// Writes by others: the partner may see but not write (403); the other organisation
	// learns only that the id is taken (409), and cannot delete what it cannot see (404).
	a.write("PUT", base, geoHdr(partnerEd), gj, 403)
	a.write("DELETE", base, partnerEd, "", 403)
	a.write("PUT", base+"?title=Mine", geoHdr(otherAdm), gj, 409)
	a.write("DELETE", base, otherAdm, "", 404)

	// A broken polygon (a ring back and forth between two points: it collapses to a line)
	// is refused naming its feature; nothing changes.
	before := partnerRows(t, id)
	broken := fmt.Sprintf(`{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[%[1]f,%[2]f]},"properties":{"dwellings":1}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%[1]f,%[2]f],[%[3]f,%[4]f],[%[3]f,%[4]f],[%[1]f,%[2]f]]]},"properties":{"dwellings":2}}]}`,
		lon, lat, lon+d, lat+d)
	_, body = a.write("PUT", base, geoHdr(ownerEd), broken, 400)
	if p := decode[problemDoc](t, body); p.Param != "feature" || !strings.Contains(p.Detail, "feature 2") {
		t.Errorf("broken polygon: %+v", p)
	}
	if after := partnerRows(t, id); after != before {
		t.Errorf("%d rows before the refused upload, %d after", before, after)
	}

	// CSV (Swedish Excel: semicolons, decimal commas) in EPSG:3006 as version 2.
	csvDoc := fmt.Sprintf("hus;dwellings;x;y\nC1;30;%.1f;%.1f\nC2;12,5;%.1f;%.1f\n", x, y, x+20, y+20)
	_, body = a.write("PUT", base+"?x=x&y=y&crs=EPSG:3006", withHeader(ownerEd, "Content-Type", "text/csv"), csvDoc, 200)
	l = decode[partnerLayerDoc](t, body)
	if l.Version != 2 || l.FeatureCount != 2 || l.Report.CRS != "EPSG:3006" || !slices.Equal(l.SharedWith, []string{partner}) {
		t.Errorf("CSV version: %s", body)
	}

	// GeoPackage made by ogr2ogr from the first file, as version 3.
	gpkg := ogr2ogrGPKG(t, gj)
	_, body = a.write("PUT", base+"?filename=bestand.gpkg", withHeader(ownerEd, "Content-Type", "application/geopackage+sqlite3"), string(gpkg), 200)
	l = decode[partnerLayerDoc](t, body)
	if l.Version != 3 || l.FeatureCount != 3 || !slices.Equal(l.Report.Repaired, []int{3}) {
		t.Errorf("GeoPackage version: %s", body)
	}
	_, body = a.write("GET", base+"/versions", ownerRd, "", 200)
	vs := decode[struct {
		Versions []struct {
			Version      int
			Format       string
			FeatureCount int `json:"feature_count"`
		}
	}](t, body)
	if len(vs.Versions) != 3 || vs.Versions[0].Format != "gpkg" || vs.Versions[1].Format != "csv" || vs.Versions[2].FeatureCount != 3 {
		t.Errorf("versions: %s", body)
	}
	// The earlier versions are kept.
	_, body = a.write("GET", base+"/items?version=2", partnerEd, "", 200)
	fc := decode[featureCollection](t, body)
	if fc.NumberMatched == nil || *fc.NumberMatched != 2 || fc.Features[1].Props["dwellings"] != 12.5 {
		t.Errorf("version 2 items: %s", body)
	}
	// A bbox around the first point only.
	_, body = a.write("GET", fmt.Sprintf("%s/items?bbox=%f,%f,%f,%f", base, lon-d/4, lat-d/4, lon+d/4, lat+d/4), partnerEd, "", 200)
	if fc := decode[featureCollection](t, body); fc.NumberReturned != 2 || *fc.NumberMatched != 2 { // the point and the polygon's corner
		t.Errorf("bbox items: %s", body)
	}
	// Boxes reaching far beyond Sweden match what lies in them: the world box every feature
	// (it gave 0: the box was transformed to EPSG:3006 whole, where Transverse Mercator blows
	// up far from its meridian); boxes at the poles, the antimeridian or the other hemisphere
	// nothing.
	for _, tc := range []struct {
		box  string
		want int64
	}{
		{"-180,-90,180,90", 3}, {"0,0,180,90", 3}, {"-180,-90,180,89.9", 3}, {"10,50,30,75", 3},
		{"-180,-90,0,0", 0}, {"170,-90,180,90", 0}, {"-180,-90,-170,90", 0}, {"-180,80,180,90", 0}, {"-180,-90,180,-80", 0},
	} {
		_, body = a.write("GET", base+"/items?bbox="+tc.box, partnerEd, "", 200)
		if fc := decode[featureCollection](t, body); fc.NumberMatched == nil || *fc.NumberMatched != tc.want || int64(fc.NumberReturned) != tc.want {
			t.Errorf("bbox=%s: %d matched, %d returned, want %d", tc.box, *fc.NumberMatched, fc.NumberReturned, tc.want)
		}
	}

	// Districts: against SQL over the stored features.
	_, body = a.write("GET", base+"/districts?property=dwellings&total=dwellings", partnerEd, "", 200)
	sum := decode[struct {
		Version   int
		Districts []struct {
			Code     string
			Features int
			Sum      *float64
			Total    *float64
			Share    *float64
		}
	}](t, body)
	var wantCode string
	var wantSum, wantTotal float64
	if err := db.Pool.QueryRow(context.Background(), `
		SELECT d.code, sum((f.properties->>'dwellings')::float8 * CASE WHEN ST_Dimension(f.geom) = 0 THEN 1
		           ELSE ST_Area(ST_Intersection(f.geom, d.geom)) / ST_Area(f.geom) END),
		       (SELECT value FROM indicator_values v WHERE v.district_code = d.code AND v.indicator_key = 'dwellings' ORDER BY year DESC LIMIT 1)
		FROM partner_features f JOIN districts d ON d.level = 'district' AND ST_Intersects(f.geom, d.geom)
		WHERE f.layer_id = $1 AND f.version = 3 GROUP BY d.code`, id).Scan(&wantCode, &wantSum, &wantTotal); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range sum.Districts {
		if r.Code != wantCode {
			if r.Features != 0 || r.Sum == nil || *r.Sum != 0 {
				t.Errorf("%s: %d features, sum %v; want none", r.Code, r.Features, r.Sum)
			}
			continue
		}
		found = true
		if r.Features != 3 || math.Abs(*r.Sum-wantSum) > 1e-6 || *r.Total != wantTotal || math.Abs(*r.Share-wantSum/wantTotal) > 1e-12 {
			t.Errorf("%s: %+v; want 3 features, sum %v, total %v", r.Code, r, wantSum, wantTotal)
		}
	}
	if !found || sum.Version != 3 {
		t.Errorf("district %s missing or version %d: %s", wantCode, sum.Version, body)
	}
	_, body = a.write("GET", base+"/districts?property=dwellings&total=dwellings&f=csv", partnerEd, "", 200)
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(recs) != len(sum.Districts)+1 || recs[0][6] != "share" {
		t.Errorf("CSV: %v %q", err, body)
	}
	_, body = a.write("GET", base+"/districts?property=hus", partnerEd, "", 400)
	if p := decode[problemDoc](t, body); p.Param != "property" {
		t.Errorf("string property: %+v", p)
	}

	// The owner deletes it: gone for everyone, every version.
	a.write("DELETE", base, ownerEd, "", 204)
	a.write("GET", base, ownerEd, "", 404)
	if n := partnerRows(t, id); n != 0 {
		t.Errorf("%d rows after delete", n)
	}
}

func TestPartnerUploadLimits(t *testing.T) {
	a := newPartnerAPI(t, web.Config{UploadMaxBytes: 600, UploadMaxFeatures: 2})
	suffix := uniq("")
	owner := "hb-lim" + suffix
	ed := withHeader(bearerOf(callerToken(t, testDB, owner, "housing", "editor")), "Content-Type", "application/geo+json")
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM partner_layers WHERE owner = $1`, owner)
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM api_tokens WHERE organisation = $1`, owner)
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM organisations WHERE code = $1`, owner)
	})
	id := "hb-lim" + strings.ReplaceAll(suffix, "-", "")
	feature := `{"type":"Feature","geometry":{"type":"Point","coordinates":[16.5,59.6]},"properties":{}}`
	three := `{"type":"FeatureCollection","features":[` + strings.Repeat(feature+",", 2) + feature + `]}`
	_, body := a.write("PUT", "/partners/layers/"+id+"?title=T", ed, three, 413)
	if p := decode[problemDoc](t, body); p.Status != 413 {
		t.Errorf("three features: %s", body)
	}
	big := `{"type":"FeatureCollection","features":[` + feature + `],"pad":"` + strings.Repeat("x", 700) + `"}`
	a.write("PUT", "/partners/layers/"+id+"?title=T", ed, big, 413)
	if n := partnerRows(t, id); n != 0 {
		t.Errorf("%d rows after refused uploads", n)
	}
	two := `{"type":"FeatureCollection","features":[` + feature + `,` + feature + `]}`
	a.write("PUT", "/partners/layers/"+id+"?title=T", ed, two, 201)
}

// TestPartnerFeasibilityInput: the demo's housing_company_share input (Mimer's share of the
// dwellings per district) enters the feasibility score for an organisation the layer is
// shared with, with the values of the district summary; for another it is marked
// unavailable and left out, without an error and without the values.
func TestPartnerFeasibilityInput(t *testing.T) {
	a := newPartnerAPI(t, web.Config{Auth: auth.Config{Demo: true}})
	kommun := "Bearer " + callerToken(t, testDB, "vasteras", "municipality", "reader")
	civil := "Bearer " + callerToken(t, testDB, "civil", "civil_society", "reader")
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM api_tokens WHERE organisation IN ('vasteras', 'civil') AND name LIKE 'test %'`)
	})
	req := map[string]any{"scenario": "scb", "year": 2024, "feasibility_weights": map[string]float64{"housing_company_share": 1}}
	type answer struct {
		Warnings    []string
		Feasibility []struct {
			Key, Source, Unavailable string
		} `json:"feasibility_inputs"`
		Districts []struct {
			Code       string
			FeasInputs map[string]*float64 `json:"feasibility_inputs"`
		}
	}
	_, body := a.do("POST", "/analysis/priority", req, 200, "Authorization", kommun)
	got := decode[answer](t, body)
	_, body = a.write("GET", "/partners/layers/mimer-bestand/districts?property=dwellings&total=dwellings", http.Header{"Authorization": {kommun}}, "", 200)
	sum := decode[struct {
		Districts []struct {
			Code  string
			Share *float64
		}
	}](t, body)
	share := map[string]*float64{}
	for _, r := range sum.Districts {
		share[r.Code] = r.Share
	}
	seen := 0
	for _, d := range got.Districts {
		v, ok := d.FeasInputs["housing_company_share"]
		if !ok {
			t.Fatalf("%s: no housing_company_share among the feasibility inputs %v; warnings %v", d.Code, d.FeasInputs, got.Warnings)
		}
		if (v == nil) != (share[d.Code] == nil) || v != nil && math.Abs(*v-*share[d.Code]) > 1e-12 {
			t.Errorf("%s: feasibility input %v, district summary %v", d.Code, v, share[d.Code])
		}
		if v != nil && *v > 0 {
			seen++
		}
	}
	if seen < 3 {
		t.Errorf("only %d districts with a Mimer share", seen)
	}

	_, body = a.do("POST", "/analysis/priority", req, 200, "Authorization", civil)
	got = decode[answer](t, body)
	for _, d := range got.Districts {
		if _, ok := d.FeasInputs["housing_company_share"]; ok {
			t.Errorf("%s: civil society gets the Mimer share", d.Code)
		}
	}
	i := slices.IndexFunc(got.Feasibility, func(f struct{ Key, Source, Unavailable string }) bool { return f.Key == "housing_company_share" })
	if i < 0 || got.Feasibility[i].Unavailable == "" || !slices.ContainsFunc(got.Warnings, func(w string) bool {
		return strings.Contains(w, "housing_company_share is unavailable")
	}) {
		t.Errorf("civil society: input %v, warnings %v; want it marked unavailable", got.Feasibility, got.Warnings)
	}
}

// TestPartnerUploadSessionCSRF: an editor's browser session uploads with the CSRF token, and
// is refused without it.
func TestPartnerUploadSessionCSRF(t *testing.T) {
	a := newPartnerAPI(t, web.Config{})
	acc := newAccount(t, "housing", "editor")
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM partner_layers WHERE owner = $1`, acc.org)
	})
	s := login(t, a, acc)
	id := "hb-csrf" + strings.ReplaceAll(uniq(""), "-", "")
	doc := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[16.5,59.6]},"properties":{"n":1}}]}`
	a.write("PUT", "/partners/layers/"+id+"?title=T", withHeader(s.header(), "Content-Type", "application/geo+json"), doc, 403)
	if n := partnerRows(t, id); n != 0 {
		t.Fatalf("%d rows after a PUT without the CSRF token", n)
	}
	_, body := a.write("PUT", "/partners/layers/"+id+"?title=T", withHeader(s.write(), "Content-Type", "application/geo+json"), doc, 201)
	if l := decode[partnerLayerDoc](t, body); l.Owner != acc.org || l.Version != 1 {
		t.Errorf("session upload: %s", body)
	}
}
