package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

var testDB *layerstest.DB

func TestMain(m *testing.M) { os.Exit(layerstest.Main(m, "web", &testDB)) }

// api is a running server plus the OpenAPI document it publishes; every answer fetched
// through it is validated against that document, so the document must match behaviour.
type api struct {
	t      *testing.T
	srv    *httptest.Server
	router routers.Router
	// metrics is the server's registry (web.Config.Metrics) when the test made it.
	metrics *prometheus.Registry
}

func newAPI(t *testing.T) *api {
	t.Helper()
	db := layerstest.Require(t, testDB)
	cat := layers.NewCatalogue()
	if err := cat.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	srv, _ := testServer(t, db, web.Config{Version: "test", Metrics: reg}, cat, log)
	a := newClient(t, srv)
	a.metrics = reg
	return a
}

// newClient is a client of srv that validates answers against the OpenAPI document srv
// serves, which must itself be valid.
func newClient(t *testing.T, srv *httptest.Server) *api {
	t.Helper()
	a := &api{t: t, srv: srv}
	res, body := a.raw("GET", "/api", nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET /api: %d %s", res.StatusCode, body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatalf("OpenAPI document does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("OpenAPI document is invalid: %v", err)
	}
	if a.router, err = gorillamux.NewRouter(doc); err != nil {
		t.Fatalf("OpenAPI router: %v", err)
	}
	return a
}

// raw performs a request without validation.
func (a *api) raw(method, path string, header http.Header) (*http.Response, []byte) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return res, body
}

// get performs GET path, checks the status, and validates the answer against the OpenAPI document.
func (a *api) get(path string, wantStatus int) (*http.Response, []byte) {
	a.t.Helper()
	res, body := a.raw("GET", path, nil)
	if res.StatusCode != wantStatus {
		a.t.Fatalf("GET %s: status %d, want %d: %s", path, res.StatusCode, wantStatus, body)
	}
	if wantStatus >= 400 {
		if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
			a.t.Errorf("GET %s: Content-Type %q, want application/problem+json", path, ct)
		}
	}
	req, _ := http.NewRequest("GET", a.srv.URL+path, nil)
	route, params, err := a.router.FindRoute(req)
	if err != nil {
		if wantStatus == 404 {
			return res, body // an unknown path is not in the document, rightly
		}
		a.t.Fatalf("GET %s: not in the OpenAPI document: %v", path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: res.StatusCode, Header: res.Header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		a.t.Errorf("GET %s: answer does not match the OpenAPI document: %v", path, err)
	}
	return res, body
}

// checkOperation validates an exchange against the OpenAPI document: vreq (a copy of the
// request with its body unread) must be an operation in it, and the answer res with body
// must match that operation; with checkRequest, the request must match it too.
func (a *api) checkOperation(vreq *http.Request, res *http.Response, body []byte, checkRequest bool) {
	a.t.Helper()
	method, path := vreq.Method, vreq.URL.RequestURI()
	route, params, err := a.router.FindRoute(vreq)
	if err != nil {
		a.t.Fatalf("%s %s: not in the OpenAPI document: %v", method, path, err)
	}
	rin := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if checkRequest {
		if err := openapi3filter.ValidateRequest(context.Background(), rin); err != nil {
			a.t.Errorf("%s %s: request does not match the OpenAPI document: %v", method, path, err)
		}
	}
	in := &openapi3filter.ResponseValidationInput{RequestValidationInput: rin,
		Status: res.StatusCode, Header: res.Header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		a.t.Errorf("%s %s: answer does not match the OpenAPI document: %v", method, path, err)
	}
}

func (a *api) getJSON(path string, wantStatus int, v any) {
	a.t.Helper()
	_, body := a.get(path, wantStatus)
	if err := json.Unmarshal(body, v); err != nil {
		a.t.Fatalf("GET %s: %v: %s", path, err, body)
	}
}

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		ID       any             `json:"id"`
		Geometry json.RawMessage `json:"geometry"`
		Props    map[string]any  `json:"properties"`
	} `json:"features"`
	NumberMatched  *int64 `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	Links          []struct {
		Href, Rel, Type string
	} `json:"links"`
}

func (fc *featureCollection) link(rel string) string {
	for _, l := range fc.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// count asks the database directly, to check the API's answers against.
func count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := testDB.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestLandingConformanceCollections(t *testing.T) {
	a := newAPI(t)
	var landing struct {
		Links []struct{ Href, Rel string }
	}
	a.getJSON("/", 200, &landing)
	rels := map[string]bool{}
	for _, l := range landing.Links {
		rels[l.Rel] = true
	}
	for _, rel := range []string{"self", "service-desc", "conformance", "data"} {
		if !rels[rel] {
			t.Errorf("landing page has no %q link", rel)
		}
	}
	var conf struct{ ConformsTo []string }
	a.getJSON("/conformance", 200, &conf)
	if !strings.Contains(strings.Join(conf.ConformsTo, " "), "ogcapi-features-1/1.0/conf/core") {
		t.Errorf("conformance lacks Features core: %v", conf.ConformsTo)
	}

	var cols struct {
		Collections []struct {
			ID           string
			Illustrative bool
			Notice       string
			Extent       *struct {
				Spatial *struct{ BBox [][]float64 }
			}
		}
	}
	a.getJSON("/collections", 200, &cols)
	cat := layers.NewCatalogue()
	if len(cols.Collections) != len(cat.Layers()) {
		t.Fatalf("%d collections, want %d", len(cols.Collections), len(cat.Layers()))
	}
	for i, l := range cat.Layers() {
		c := cols.Collections[i]
		if c.ID != l.ID {
			t.Errorf("collection %d is %q, want %q", i, c.ID, l.ID)
		}
		// The demo data is loaded, so every collection must say it is illustrative.
		if !c.Illustrative || c.Notice == "" {
			t.Errorf("collection %s: illustrative=%v notice=%q, want the illustrative notice", c.ID, c.Illustrative, c.Notice)
		}
		if l.HasGeometry() {
			if c.Extent == nil || c.Extent.Spatial == nil {
				t.Fatalf("collection %s has no spatial extent", c.ID)
			}
			bb := c.Extent.Spatial.BBox[0]
			// Västerås municipality lies within about 16.0–17.0 E, 59.4–59.9 N.
			if bb[0] < 15.9 || bb[2] > 17.1 || bb[1] < 59.3 || bb[3] > 60.0 {
				t.Errorf("collection %s extent %v is not around Västerås", c.ID, bb)
			}
		}
		a.get("/collections/"+l.ID, 200)
	}
}

// TestEveryLayer loops over the declarations: items and single features work for every
// declared layer and carry exactly the declared properties.
func TestEveryLayer(t *testing.T) {
	a := newAPI(t)
	for _, l := range layers.NewCatalogue().Layers() {
		t.Run(l.ID, func(t *testing.T) {
			var fc featureCollection
			a.getJSON("/collections/"+l.ID+"/items?limit=5&numberMatched=true", 200, &fc)
			if fc.NumberReturned != len(fc.Features) || len(fc.Features) == 0 || len(fc.Features) > 5 {
				t.Fatalf("numberReturned %d, %d features, want 1..5", fc.NumberReturned, len(fc.Features))
			}
			want := count(t, "SELECT count(*) FROM "+l.Table)
			if fc.NumberMatched == nil || *fc.NumberMatched != want {
				t.Errorf("numberMatched %v, want %d", fc.NumberMatched, want)
			}
			f := fc.Features[0]
			if len(f.Props) != len(l.Properties) {
				t.Errorf("feature has %d properties, want the %d declared", len(f.Props), len(l.Properties))
			}
			for _, p := range l.Properties {
				if _, ok := f.Props[p.Name]; !ok {
					t.Errorf("property %s missing", p.Name)
				}
			}
			if l.HasGeometry() != (string(f.Geometry) != "null") {
				t.Errorf("geometry %s for a layer with geometry=%v", f.Geometry, l.HasGeometry())
			}
			id := fmt.Sprint(f.ID)
			if n, ok := f.ID.(float64); ok {
				id = fmt.Sprintf("%.0f", n)
			}
			var one struct {
				ID    any
				Links []struct{ Rel string }
			}
			a.getJSON("/collections/"+l.ID+"/items/"+url.PathEscape(id), 200, &one)
			if fmt.Sprint(one.ID) != fmt.Sprint(f.ID) {
				t.Errorf("single feature id %v, want %v", one.ID, f.ID)
			}
			a.get("/collections/"+l.ID+"/items/no-such-feature-999", 404)
			a.get("/collections/"+l.ID+"/items?f=csv&limit=3", 200)
		})
	}
}

func TestItemsBBox(t *testing.T) {
	a := newAPI(t)
	// Around Bäckby and Råby in western Västerås.
	const lonlat = "16.45,59.60,16.50,59.63"
	var fc featureCollection
	a.getJSON("/collections/observations/items?limit=10000&bbox="+lonlat, 200, &fc)
	want := count(t, `SELECT count(*) FROM observations
		WHERE ST_Intersects(geom, ST_Transform(ST_Segmentize(ST_MakeEnvelope(16.45, 59.60, 16.50, 59.63, 4326), 0.005), 3006))`)
	if want == 0 {
		t.Fatal("no demo observations around Bäckby: the test would prove nothing")
	}
	if int64(len(fc.Features)) != want || *fc.NumberMatched != want {
		t.Errorf("bbox: %d features, numberMatched %d, want %d", len(fc.Features), *fc.NumberMatched, want)
	}
	for _, f := range fc.Features {
		var g struct{ Coordinates [2]float64 }
		_ = json.Unmarshal(f.Geometry, &g)
		if x, y := g.Coordinates[0], g.Coordinates[1]; x < 16.45-1e-6 || x > 16.50+1e-6 || y < 59.60-1e-6 || y > 59.63+1e-6 {
			t.Fatalf("point %v outside bbox", g.Coordinates)
		}
	}

	// The same question in EPSG:3006, answered in EPSG:3006.
	var x0, y0, x1, y1 float64
	err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
		FROM (SELECT ST_Extent(geom)::geometry AS b FROM observations WHERE id IN (SELECT id FROM observations ORDER BY id LIMIT 500)) e`).Scan(&x0, &y0, &x1, &y1)
	if err != nil {
		t.Fatal(err)
	}
	sweref := fmt.Sprintf("%f,%f,%f,%f", x0, y0, (x0+x1)/2, (y0+y1)/2)
	q := "/collections/observations/items?limit=10000&bbox=" + sweref +
		"&bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/3006") + "&crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/3006")
	res, body := a.get(q, 200)
	if got := res.Header.Get("Content-Crs"); got != "<http://www.opengis.net/def/crs/EPSG/0/3006>" {
		t.Errorf("Content-Crs %q", got)
	}
	_ = json.Unmarshal(body, &fc)
	want = count(t, `SELECT count(*) FROM observations WHERE ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 3006))`, x0, y0, (x0+x1)/2, (y0+y1)/2)
	if int64(len(fc.Features)) != want || want == 0 {
		t.Errorf("bbox in EPSG:3006: %d features, want %d (>0)", len(fc.Features), want)
	}
	for _, f := range fc.Features {
		var g struct{ Coordinates [2]float64 }
		_ = json.Unmarshal(f.Geometry, &g)
		if g.Coordinates[0] < x0-0.01 || g.Coordinates[0] > (x0+x1)/2+0.01 || g.Coordinates[1] < 6e6 {
			t.Fatalf("point %v is not an EPSG:3006 coordinate inside the bbox %s", g.Coordinates, sweref)
		}
	}

	// A box far from Sweden matches nothing, without an error.
	a.getJSON("/collections/observations/items?bbox=-10,-10,-9,-9", 200, &fc)
	if len(fc.Features) != 0 || *fc.NumberMatched != 0 {
		t.Errorf("bbox outside Sweden: %d features", len(fc.Features))
	}
}

func TestItemsDatetime(t *testing.T) {
	a := newAPI(t)
	tests := []struct {
		datetime string
		sql      string
	}{
		{"2023-01-01T00:00:00Z/2023-06-30T23:59:59Z", "observed_at BETWEEN '2023-01-01T00:00:00Z' AND '2023-06-30T23:59:59Z'"},
		{"2024-07-01T00:00:00Z/..", "observed_at >= '2024-07-01T00:00:00Z'"},
		{"../2021-03-31T23:59:59Z", "observed_at <= '2021-03-31T23:59:59Z'"},
		{"2022-06-15", "observed_at >= '2022-06-15' AND observed_at < '2022-06-16'"},
	}
	for _, tt := range tests {
		t.Run(tt.datetime, func(t *testing.T) {
			var fc featureCollection
			a.getJSON("/collections/observations/items?limit=1&numberMatched=true&datetime="+url.QueryEscape(tt.datetime), 200, &fc)
			want := count(t, "SELECT count(*) FROM observations WHERE "+tt.sql)
			if fc.NumberMatched == nil || *fc.NumberMatched != want {
				t.Errorf("numberMatched %v, want %d", fc.NumberMatched, want)
			}
		})
	}
	// Interventions are intervals: those running at some time in 2023.
	var fc featureCollection
	a.getJSON("/collections/interventions/items?limit=1000&datetime=2023-01-01/2023-12-31", 200, &fc)
	want := count(t, `SELECT count(*) FROM interventions
		WHERE (start_date IS NULL OR start_date <= '2023-12-31') AND (end_date IS NULL OR end_date >= '2023-01-01')`)
	if int64(len(fc.Features)) != want || want == 0 {
		t.Errorf("interventions in 2023: %d, want %d (>0)", len(fc.Features), want)
	}
}

func TestItemsPagingFiltersSorting(t *testing.T) {
	a := newAPI(t)
	// Walk every page of one category by following next links.
	path := "/collections/observations/items?limit=500&numberMatched=true&category=open_drug_dealing"
	want := count(t, "SELECT count(*) FROM observations WHERE category = 'open_drug_dealing'")
	seen := map[string]bool{}
	pages := 0
	for path != "" {
		var fc featureCollection
		a.getJSON(path, 200, &fc)
		pages++
		if *fc.NumberMatched != want {
			t.Fatalf("numberMatched %d, want %d", *fc.NumberMatched, want)
		}
		for _, f := range fc.Features {
			if f.Props["category"] != "open_drug_dealing" {
				t.Fatalf("filter leaked category %v", f.Props["category"])
			}
			seen[fmt.Sprint(f.ID)] = true
		}
		if pages > 1 && fc.link("prev") == "" {
			t.Error("page after the first has no prev link")
		}
		next := fc.link("next")
		path = strings.TrimPrefix(next, a.srv.URL)
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
	}
	if int64(len(seen)) != want || pages < 2 {
		t.Errorf("paging saw %d distinct features in %d pages, want %d in at least 2", len(seen), pages, want)
	}

	var fc featureCollection
	a.getJSON("/collections/districts/items?level=district&sortby=-population&properties=name,population", 200, &fc)
	last := 1e18
	for _, f := range fc.Features {
		if len(f.Props) != 2 {
			t.Fatalf("properties=name,population gave %v", f.Props)
		}
		p := f.Props["population"].(float64)
		if p > last {
			t.Fatalf("not sorted by descending population: %v after %v", p, last)
		}
		last = p
	}
	a.getJSON("/collections/districts/items?police_class=utsatt", 200, &fc)
	if len(fc.Features) != 1 || fc.Features[0].Props["name"] != "Bäckby" {
		t.Errorf("police_class=utsatt gave %d features, want Bäckby alone", len(fc.Features))
	}
}

func TestBadInput(t *testing.T) {
	a := newAPI(t)
	tests := []struct {
		path      string
		status    int
		wantParam string
	}{
		{"/collections/nonexistent", 404, ""},
		{"/collections/nonexistent/items", 404, ""},
		{"/collections/places/items/999999999", 404, ""},
		{"/collections/districts/items/%00", 400, "path"},
		{"/indicators/%FF/districts", 400, "path"},
		{"/collections/places/items?kind=%00", 400, "kind"},
		{"/collections/places/items?kind=%C3%28", 400, "kind"},
		{"/collections/places/items?bbox=1,2,3", 400, "bbox"},
		{"/collections/places/items?bbox=17,59,16,60", 400, "bbox"},
		{"/collections/places/items?bbox=a,b,c,d", 400, "bbox"},
		{"/collections/observations/items?datetime=2024-01-01T00:00:00Z/2023-01-01T00:00:00Z", 400, "datetime"},
		{"/collections/observations/items?datetime=tomorrow", 400, "datetime"},
		{"/collections/places/items?limit=0", 400, "limit"},
		{"/collections/places/items?limit=10001", 400, "limit"},
		{"/collections/places/items?limit=-5", 400, "limit"},
		{"/collections/places/items?numberMatched=yes", 400, "numberMatched"},
		{"/collections/places/items?colour=red", 400, "colour"},
		{"/collections/places/items?kind=volcano", 400, "kind"},
		{"/collections/observations/items?severity=high", 400, "severity"},
		{"/collections/places/items?sortby=geom", 400, "sortby"},
		{"/collections/places/items?properties=secret", 400, "properties"},
		{"/collections/places/items?crs=EPSG:9999", 400, "crs"},
		{"/collections/places/items?f=xml", 400, "f"},
		{"/collections/places/items/1?colour=red", 400, "colour"},
		{"/collections?bogus=1", 400, "bogus"},
		{"/indicators/no_such_indicator/districts", 404, ""},
		{"/indicators/overcrowding/districts?year=20x0", 400, "year"},
		{"/indicators/overcrowding/districts?level=galaxy", 400, "level"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var p struct {
				Title  string
				Status int
				Detail string
				Param  string
			}
			a.getJSON(tt.path, tt.status, &p)
			if p.Status != tt.status || p.Title == "" {
				t.Errorf("problem %+v, want status %d with a title", p, tt.status)
			}
			if p.Param != tt.wantParam {
				t.Errorf("problem names param %q, want %q (detail %q)", p.Param, tt.wantParam, p.Detail)
			}
			if tt.status == 400 && !strings.Contains(p.Detail, tt.wantParam) {
				t.Errorf("detail %q does not name %q", p.Detail, tt.wantParam)
			}
		})
	}
}

func TestIndicators(t *testing.T) {
	a := newAPI(t)
	var fc struct {
		Features []struct {
			ID    string
			Props map[string]any `json:"properties"`
		}
		Year   int
		Notice string
	}
	a.getJSON("/indicators/overcrowding/districts?year=2020", 200, &fc)
	if fc.Year != 2020 || fc.Notice == "" {
		t.Errorf("year %d notice %q", fc.Year, fc.Notice)
	}
	wantN := count(t, "SELECT count(*) FROM districts WHERE level = 'district'")
	if int64(len(fc.Features)) != wantN {
		t.Fatalf("%d districts, want %d", len(fc.Features), wantN)
	}
	// Population-weighted mean overcrowding in 2020 is the report's 15.6 %.
	var pop, weighted float64
	for _, f := range fc.Features {
		if v, ok := f.Props["value"].(float64); ok {
			p := f.Props["population"].(float64)
			pop += p
			weighted += p * v
		}
	}
	if m := weighted / pop; m < 15.55 || m > 15.65 {
		t.Errorf("population-weighted overcrowding 2020 = %.2f, want 15.6", m)
	}

	res, body := a.get("/indicators/overcrowding/districts?year=2020&f=csv", 200)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil || int64(len(rows)) != wantN+1 || rows[0][0] != "id" {
		t.Errorf("CSV: %d rows (want %d), err %v", len(rows), wantN+1, err)
	}

	// The indicator values collection exports CSV with one row per value.
	res, body = a.get("/collections/indicator-values/items?indicator_key=overcrowding&year=2020&f=csv&limit=1000", 200)
	rows, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	want := count(t, "SELECT count(*) FROM indicator_values WHERE indicator_key = 'overcrowding' AND year = 2020")
	if err != nil || int64(len(rows)) != want+1 {
		t.Errorf("indicator-values CSV: %d rows, want %d: %v", len(rows), want+1, err)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "indicator-values.csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
}

func TestHTTPBehaviour(t *testing.T) {
	a := newAPI(t)
	// gzip, strong ETag, 304 on revalidation, HEAD without a body.
	res, body := a.raw("GET", "/collections/districts/items?limit=50", http.Header{"Accept-Encoding": {"gzip"}})
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", res.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !json.Valid(plain) {
		t.Error("gzip body is not JSON")
	}
	etag := res.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || res.Header.Get("Cache-Control") == "" {
		t.Errorf("ETag %q Cache-Control %q", etag, res.Header.Get("Cache-Control"))
	}
	res, _ = a.raw("GET", "/collections/districts/items?limit=50", http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {etag}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}
	res, _ = a.raw("GET", "/collections/districts/items?limit=50", http.Header{"Accept-Encoding": {"identity"}, "If-None-Match": {etag}})
	if res.StatusCode != 200 {
		t.Errorf("identity encoding matched the gzip ETag: %d", res.StatusCode)
	}
	res, body = a.raw("HEAD", "/collections/places/items", nil)
	if res.StatusCode != 200 || len(body) != 0 || res.Header.Get("ETag") == "" {
		t.Errorf("HEAD: %d, %d bytes, ETag %q", res.StatusCode, len(body), res.Header.Get("ETag"))
	}

	res, body = a.raw("GET", "/healthz", nil)
	if res.StatusCode != 200 {
		t.Errorf("healthz %d", res.StatusCode)
	}
	res, body = a.raw("GET", "/readyz", nil)
	if res.StatusCode != 200 {
		t.Errorf("readyz %d %s", res.StatusCode, body)
	}
	// Metrics are not the API's (TestMetricsApartFromTheAPI).
	if res, _ = a.raw("GET", "/metrics", nil); res.StatusCode != 404 {
		t.Errorf("GET /metrics on the API: %d, want 404", res.StatusCode)
	}
	res, _ = a.raw("GET", "/no/such/path", nil)
	if res.StatusCode != 404 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("unknown path: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
