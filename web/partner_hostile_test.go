package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// hostileCase is one upload PUT /partners/layers/{id} must refuse.
type hostileCase struct {
	name        string
	limited     bool // sent to the server with small upload limits
	contentType string
	query       string // more query parameters, after title
	body        []byte
	chunked     bool // sent without a Content-Length, so only the server's own count stops it
	readNothing bool // refused by its Content-Length before the server reads any of it
	status      int
	param       string   // the problem's param; "" when the problem names none
	words       []string // each must be in the problem's detail
}

// bodyCounter counts the bytes the server's handlers read from request bodies: an upload's
// work is bounded by how much of it the server takes in before refusing, whatever the time.
type bodyCounter struct{ n atomic.Int64 }

func (bc *bodyCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = countedBody{r.Body, &bc.n}
		h.ServeHTTP(w, r)
	})
}

type countedBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// partnerTotals counts every row of the partner tables, read with the owner's pool (no
// row-level security), so that a row left behind by any organisation shows.
func partnerTotals(t *testing.T) [3]int64 {
	t.Helper()
	var n [3]int64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM partner_layers),
		(SELECT count(*) FROM partner_layer_versions), (SELECT count(*) FROM partner_features)`).Scan(&n[0], &n[1], &n[2]); err != nil {
		t.Fatal(err)
	}
	return n
}

// upload PUTs body to path as a.write does (status, problem+json, answer valid against the
// OpenAPI document), optionally without a Content-Length.
func (a *api) upload(path string, header http.Header, body []byte, chunked bool, wantStatus int) []byte {
	a.t.Helper()
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // not a type net/http knows the length of: sent chunked
	}
	req, err := http.NewRequest("PUT", a.srv.URL+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header = header.Clone()
	if chunked && req.ContentLength != -1 && req.ContentLength != 0 {
		a.t.Fatalf("chunked request has Content-Length %d", req.ContentLength)
	}
	res, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		a.t.Fatalf("PUT %s: status %d, want %d: %.500s", path, res.StatusCode, wantStatus, got)
	}
	if wantStatus >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
		a.t.Errorf("PUT %s: Content-Type %q, want application/problem+json", path, res.Header.Get("Content-Type"))
	}
	vreq, _ := http.NewRequest("PUT", a.srv.URL+path, nil)
	vreq.Header = req.Header.Clone()
	a.checkOperation(vreq, res, got, false)
	return got
}

// zipOf zips files (in order) with method.
func zipOf(t testing.TB, method uint16, files ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zipEntry struct {
	name string
	data []byte
}

// lyingZip holds a.shp, a.dbf and a.prj whose header claims 100 bytes while its deflated
// data inflates to n: a bomb that passes the size and ratio checks by lying in its headers.
func lyingZip(t *testing.T, n int) []byte {
	t.Helper()
	var deflated bytes.Buffer
	fw := zip.NewWriter(&deflated) // only to get raw deflate bytes: write one entry, take its data
	w, _ := fw.CreateHeader(&zip.FileHeader{Name: "x", Method: zip.Deflate})
	w.Write(make([]byte, n))
	fw.Close()
	zr, err := zip.NewReader(bytes.NewReader(deflated.Bytes()), int64(deflated.Len()))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := zr.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(raw)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"a.shp", "a.dbf"} {
		w, _ := zw.Create(name)
		w.Write([]byte("junk"))
	}
	rw, err := zw.CreateRaw(&zip.FileHeader{Name: "a.prj", Method: zip.Deflate, CRC32: 0x12345678,
		CompressedSize64: uint64(len(data)), UncompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	rw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostileGeoPackages derives, as layers/featurefile's TestHostileFiles does, from its
// mini.gpkg (one polygon in EPSG:3006) a file whose header claims 2^30 pages and one whose
// polygon's ring announces 2^31-1 points.
func hostileGeoPackages(t testing.TB) (claims, points []byte) {
	t.Helper()
	mini, err := os.ReadFile("../layers/featurefile/testdata/mini.gpkg")
	if err != nil {
		t.Fatal(err)
	}
	claims = bytes.Clone(mini)
	binary.BigEndian.PutUint32(claims[28:32], 1<<30) // the in-header database size, in pages

	points = bytes.Clone(mini)
	i := bytes.Index(points, []byte("GP\x00"))
	if i < 0 || bytes.Count(points, []byte("GP\x00")) != 1 {
		t.Fatal("mini.gpkg: want exactly one GeoPackage geometry blob")
	}
	envelope := [...]int{0, 32, 48, 48, 64}[(points[i+3]>>1)&7] // GeoPackage 2.1.3: envelope contents indicator
	wkb := points[i+8+envelope:]
	if wkb[0] != 1 || binary.LittleEndian.Uint32(wkb[1:5]) != 3 || binary.LittleEndian.Uint32(wkb[5:9]) != 1 {
		t.Fatalf("mini.gpkg: want a little-endian WKB polygon of one ring, got % x", wkb[:13])
	}
	binary.LittleEndian.PutUint32(wkb[9:13], math.MaxInt32) // the ring's point count
	return claims, points
}

// TestPartnerHostileUploads sends the hostile uploads issue 7 names — malformed, oversized,
// wrong-CRS, deeply nested, huge coordinates, zip bombs, GeoPackages claiming far more than
// they hold — through PUT /partners/layers/{id}. Each must get its 4xx as a problem naming
// what is wrong (the feature or field where there is one), and leave no row in any partner
// table and no visible layer. What bounds the work is checked, not the time it took
// (BenchmarkPartnerHostileUploads measures that): the server reads no more of a body than its
// upload limit and one byte, none of one whose Content-Length is over it, and the refusals of
// deep nesting, zip bombs and lying GeoPackages come from the checks made before parsing or
// inflating (their words: "nested more than 64" is the depth scan's, which runs before any
// decoder). Last, a zipped Shapefile as GDAL writes it is accepted, so the refusals are not
// of everything.
func TestPartnerHostileUploads(t *testing.T) {
	// Two servers over the same database: one with the default limits (50 MB, 100,000
	// features), one with small ones so the limits are reached cheaply.
	const limitBytes, limitFeatures = 64 << 10, 2
	var read bodyCounter
	a := newPartnerAPIVia(t, web.Config{}, read.wrap)
	small := newPartnerAPIVia(t, web.Config{UploadMaxBytes: limitBytes, UploadMaxFeatures: limitFeatures}, read.wrap)
	suffix := uniq("")
	owner, partner, other := "hb-hos"+suffix, "hb-hosp"+suffix, "hb-hoso"+suffix
	ownerEd := bearerOf(callerToken(t, testDB, owner, "housing", "editor"))
	partnerRd := bearerOf(callerToken(t, testDB, partner, "municipality", "reader"))
	otherAdm := bearerOf(callerToken(t, testDB, other, "police", "admin"))
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM partner_layers WHERE owner = $1`, owner)
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM api_tokens WHERE organisation IN ($1, $2, $3)`, owner, partner, other)
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM organisations WHERE code IN ($1, $2, $3)`, owner, partner, other)
	})

	feature := func(geometry, props string) string {
		return `{"type":"Feature","geometry":` + geometry + `,"properties":` + props + `}`
	}
	point := func(coords string) string { return `{"type":"Point","coordinates":[` + coords + `]}` }
	fcOf := func(features ...string) []byte {
		return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`)
	}
	ok := feature(point("16.5,59.6"), `{"n":1}`)
	gpkgClaims, gpkgPoints := hostileGeoPackages(t)
	mb := 1 << 20
	tooBig := fcOf(feature(point("16.5,59.6"), `{"pad":"`+strings.Repeat("x", limitBytes)+`"}`))
	const (
		geo  = "application/geo+json"
		csv  = "text/csv"
		gpkg = "application/geopackage+sqlite3"
		zipT = "application/zip"
	)

	cases := []hostileCase{
		// Malformed and hostile JSON.
		{name: "JSON nested a million deep", contentType: geo, body: []byte(strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000)),
			status: 413, param: "", words: []string{"nested more than 64"}},
		{name: "objects nested a million deep", contentType: geo, body: []byte(strings.Repeat(`{"a":`, 1_000_000) + "1" + strings.Repeat("}", 1_000_000)),
			status: 413, words: []string{"nested more than 64"}},
		{name: "coordinate 1e300", contentType: geo, body: fcOf(ok, feature(point("1e300,59.6"), `{}`)),
			status: 400, param: "feature", words: []string{"feature 2", "out of range"}},
		{name: "coordinate 1e400 (overflows float64)", contentType: geo, body: fcOf(feature(point("16.5,1e400"), `{}`)),
			status: 400, param: "feature", words: []string{"feature 1", "out of range"}},
		{name: "coordinates as NaN and Infinity strings", contentType: geo, body: fcOf(ok, ok, feature(point(`"NaN","Infinity"`), `{}`)),
			status: 400, param: "feature", words: []string{"feature 3", "coordinates"}},
		{name: "bare NaN token", contentType: geo, body: fcOf(feature(point("NaN,59.6"), `{}`)),
			status: 400, param: "body", words: []string{"not valid GeoJSON"}},
		{name: "not JSON at all", contentType: geo, body: []byte(`{"type":"FeatureCollection","features":[` + ok),
			status: 400, param: "body", words: []string{"not valid GeoJSON"}},
		{name: "a NUL character in a property", contentType: geo, body: fcOf(ok, feature(point("16.5,59.6"), `{"n":2,"namn":"a\u0000b"}`)),
			status: 400, param: "feature", words: []string{"feature 2", "namn", "NUL character"}},

		// Wrong CRS.
		{name: "FeatureCollection in EPSG:3857 by its crs member", contentType: geo,
			body:   []byte(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[` + feature(point("1836000,8316000"), `{}`) + `]}`),
			status: 400, param: "body", words: []string{"EPSG:3857", "not supported"}},
		{name: "SWEREF 99 TM coordinates without a crs member", contentType: geo, body: fcOf(ok, feature(point("588000,6610000"), `{}`)),
			status: 400, param: "feature", words: []string{"feature 2", "out of range for CRS84", "SWEREF 99 TM"}},
		{name: "CRS84 file stated as EPSG:3006", contentType: geo, query: "&crs=EPSG:3006", body: fcOf(ok),
			status: 400, param: "feature", words: []string{"feature 1", "out of range for EPSG:3006"}},

		// CSV.
		{name: "CSV with invalid UTF-8", contentType: csv, body: []byte("namn,lon,lat\nA,16.5,59.6\n\xe5\xff,16.5,59.6\n"),
			status: 400, param: "feature", words: []string{"feature 2", "not valid UTF-8"}},
		{name: "CSV without coordinate columns", contentType: csv, body: []byte("namn,antal\nA,1\nB,2\n"),
			status: 400, param: "body", words: []string{"no coordinate columns"}},
		{name: "CSV with NaN and Inf coordinates", contentType: csv, body: []byte("namn,lon,lat\nA,NaN,Inf\n"),
			status: 400, param: "feature", words: []string{"feature 1", "lon", "not a number"}},
		{name: "CSV with a NUL character in a cell", contentType: csv, body: []byte("namn;lon;lat\nA;16,5;59,6\nB\x00;16,5;59,6\n"),
			status: 400, param: "feature", words: []string{"feature 2", "namn", "NUL character"}},

		// GeoPackages.
		{name: "GeoPackage claiming 2^30 pages", contentType: gpkg, body: gpkgClaims,
			status: 413, words: []string{"claims 549755813888 bytes"}},
		{name: "GeoPackage geometry announcing 2^31 points", contentType: gpkg, body: gpkgPoints,
			status: 400, param: "feature", words: []string{"feature 1", "2147483647 points announced"}},
		{name: "GeoPackage cut short", contentType: gpkg, body: gpkgPoints[:1024],
			status: 400, param: "body", words: []string{"GeoPackage"}},

		// Zips posing as Shapefiles.
		{name: "zip bomb inflating beyond the upload limit", limited: true, contentType: zipT,
			body:   zipOf(t, zip.Deflate, zipEntry{"bomb.shp", make([]byte, 2*mb)}, zipEntry{"bomb.dbf", nil}, zipEntry{"bomb.prj", nil}),
			status: 413, words: []string{"inflates to more than the limit of 65536 bytes"}},
		{name: "zip bomb inflating 1000 times", contentType: zipT,
			body:   zipOf(t, zip.Deflate, zipEntry{"bomb.shp", make([]byte, 4*mb)}, zipEntry{"bomb.dbf", nil}, zipEntry{"bomb.prj", nil}),
			status: 413, words: []string{"bomb.shp", "zip bomb"}},
		{name: "zip entry inflating beyond what its header says", contentType: zipT, body: lyingZip(t, mb),
			status: 400, param: "body", words: []string{`zip entry "a.prj"`, "larger than its header says"}},
		{name: "zip with a ../ path", contentType: zipT,
			body:   zipOf(t, zip.Store, zipEntry{"../../etc/a.shp", []byte("x")}, zipEntry{"a.dbf", nil}, zipEntry{"a.prj", nil}),
			status: 400, param: "body", words: []string{"unsafe path", "../../etc/a.shp"}},
		{name: "zip with an absolute path", contentType: zipT,
			body:   zipOf(t, zip.Store, zipEntry{"/tmp/a.shp", []byte("x")}),
			status: 400, param: "body", words: []string{"unsafe path"}},
		{name: "not a zip", contentType: zipT, body: []byte("PK\x03\x04 and nothing more"),
			status: 400, param: "body", words: []string{"not a readable zip"}},

		// Limits.
		{name: "file over the upload limit", limited: true, contentType: geo, body: tooBig, readNothing: true,
			status: 413, words: []string{"more than the limit of 65536"}},
		{name: "file over the upload limit, chunked", limited: true, contentType: geo, body: tooBig, chunked: true,
			status: 413, words: []string{"more than the limit of 65536"}},
		{name: "more features than the limit", limited: true, contentType: geo, body: fcOf(ok, ok, ok),
			status: 413, words: []string{"3 features", "limit of 2"}},
		{name: "more CSV rows than the limit", limited: true, contentType: csv, body: []byte("lon,lat\n16.5,59.6\n16.5,59.6\n16.5,59.6\n"),
			status: 413, words: []string{"more than 2 rows"}},

		// The envelope.
		{name: "unknown content type", contentType: "image/png", body: fcOf(ok),
			status: 415, words: []string{"image/png"}},
		{name: "malformed content type", contentType: "application/geo+json; charset", body: fcOf(ok),
			status: 415, words: []string{"Content-Type"}},
		{name: "octet-stream no format is recognised in", contentType: "application/octet-stream", body: []byte{0, 1, 2, 3, 0xff},
			status: 415, words: []string{"unknown file format"}},
		{name: "empty body", contentType: geo, body: nil,
			status: 400, param: "body", words: []string{"empty"}},

		// Through the reader, refused by the database's check: nothing staged may stay.
		{name: "polygon collapsing to a line", contentType: geo, body: fcOf(ok,
			feature(`{"type":"Polygon","coordinates":[[[16.5,59.6],[16.6,59.7],[16.6,59.7],[16.5,59.6]]]}`, `{}`)),
			status: 400, param: "feature", words: []string{"feature 2"}},
	}

	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, limit := *a, int64(web.DefaultUploadMaxBytes)
			if tc.limited {
				srv, limit = *small, limitBytes
			}
			srv.t = t
			id := fmt.Sprintf("hb-hostile%d-%s", i, strings.ReplaceAll(suffix, "-", ""))
			path := "/partners/layers/" + id
			before := partnerTotals(t)
			h := ownerEd
			if tc.contentType != "" {
				h = withHeader(ownerEd, "Content-Type", tc.contentType)
			}
			read.n.Store(0)
			body := srv.upload(path+"?title=Fientlig"+tc.query, h, tc.body, tc.chunked, tc.status)
			switch n := read.n.Load(); {
			case tc.readNothing && n != 0:
				t.Errorf("read %d bytes of a body whose Content-Length is over the limit", n)
			case n > limit+1:
				t.Errorf("read %d bytes of the body, more than the limit of %d and one", n, limit)
			}
			p := decode[problemDoc](t, body)
			if p.Status != tc.status || p.Param != tc.param {
				t.Errorf("problem status %d, param %q; want %d, %q: %s", p.Status, p.Param, tc.status, tc.param, body)
			}
			for _, w := range tc.words {
				if !strings.Contains(p.Detail, w) {
					t.Errorf("detail %q lacks %q", p.Detail, w)
				}
			}
			if after := partnerTotals(t); after != before {
				t.Errorf("partner rows (layers, versions, features) %v before, %v after", before, after)
			}
			srv.write("GET", path, ownerEd, "", 404)
		})
	}

	// A zipped Shapefile as GDAL writes it: accepted, and visible to the organisation it
	// is shared with, not to another.
	t.Run("zipped Shapefile by ogr2ogr", func(t *testing.T) {
		sub := *a
		sub.t = t
		x, y, _, _ := bäckbyPoint(t)
		houses := []struct {
			name      string
			dwellings int
			x, y      float64
		}{{"Hus A", 40, x, y}, {"Hus B", 24, x + 30, y + 10}, {"Hus C", 12, x - 20, y + 25}}
		for i := range houses { // as written into the source below
			houses[i].x, houses[i].y = math.Round(houses[i].x*10)/10, math.Round(houses[i].y*10)/10
		}
		var fs []string
		for _, h := range houses {
			fs = append(fs, feature(point(fmt.Sprintf("%.1f,%.1f", h.x, h.y)), fmt.Sprintf(`{"hus":%q,"dwellings":%d}`, h.name, h.dwellings)))
		}
		src := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},"features":[` + strings.Join(fs, ",") + `]}`
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "src.geojson"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		layerstest.OGR2OGR(t, "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", filepath.Join(dir, "bestand.shp"), filepath.Join(dir, "src.geojson"))
		matches, _ := filepath.Glob(filepath.Join(dir, "bestand.*"))
		var entries []zipEntry
		for _, m := range matches {
			b, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, zipEntry{filepath.Base(m), b})
		}
		if len(entries) < 4 {
			t.Fatalf("ogr2ogr wrote %v", matches)
		}
		shz := zipOf(t, zip.Deflate, entries...)

		id := "hb-hostile-ok" + strings.ReplaceAll(suffix, "-", "")
		path := "/partners/layers/" + id
		before := partnerTotals(t)
		body := sub.upload(path+"?title=Best%C3%A5nd&filename=bestand.zip&shared_with="+partner, withHeader(ownerEd, "Content-Type", zipT), shz, false, 201)
		l := decode[partnerLayerDoc](t, body)
		if l.Owner != owner || l.Version != 1 || l.FeatureCount != len(houses) || l.GeometryType != "Point" || l.Report == nil ||
			l.Report.Features != len(houses) || l.Report.CRS != "EPSG:3006" || !slices.Equal(l.SharedWith, []string{partner}) {
			t.Fatalf("created: %s", body)
		}
		if after, want := partnerTotals(t), [3]int64{before[0] + 1, before[1] + 1, before[2] + int64(len(houses))}; after != want {
			t.Errorf("partner rows %v after, want %v", after, want)
		}
		sub.write("GET", path, partnerRd, "", 200)
		sub.write("GET", path, otherAdm, "", 404)
		_, body = sub.write("GET", path+"/items", partnerRd, "", 200)
		fc := decode[featureCollection](t, body)
		if fc.NumberMatched == nil || *fc.NumberMatched != int64(len(houses)) || len(fc.Features) != len(houses) {
			t.Fatalf("items: %s", body)
		}
		for i, h := range houses {
			f := fc.Features[i]
			if f.Props["hus"] != h.name || f.Props["dwellings"] != float64(h.dwellings) {
				t.Errorf("feature %d: properties %v, want hus %q, dwellings %d", i+1, f.Props, h.name, h.dwellings)
			}
			var lon, lat float64
			if err := testDB.Pool.QueryRow(context.Background(), `SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_Point($1, $2), 3006), 4326) p`,
				h.x, h.y).Scan(&lon, &lat); err != nil {
				t.Fatal(err)
			}
			var g struct{ Coordinates []float64 }
			if err := json.Unmarshal(f.Geometry, &g); err != nil || len(g.Coordinates) != 2 ||
				math.Abs(g.Coordinates[0]-lon) > 1e-7 || math.Abs(g.Coordinates[1]-lat) > 1e-7 { // the API writes 7 decimals
				t.Errorf("feature %d: geometry %s, want near %v, %v", i+1, f.Geometry, lon, lat)
			}
		}
	})
}

// BenchmarkPartnerHostileUploads measures how long the server takes to refuse the costliest
// hostile uploads of TestPartnerHostileUploads (a speed goal, not a test: each should be
// refused in well under a second): JSON nested a million deep (2 MB), a zip bomb inflating
// 1000 times, and a GeoPackage claiming 2^30 pages.
func BenchmarkPartnerHostileUploads(b *testing.B) {
	db := layerstest.Require(b, testDB)
	srv, _ := testServer(b, db, web.Config{}, layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	owner := "hb-hosb" + uniq("")
	secret := callerToken(b, db, owner, "housing", "editor")
	b.Cleanup(func() {
		ctx := context.Background()
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM partner_layers WHERE owner = $1`, owner)
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM api_tokens WHERE organisation = $1`, owner)
		_, _ = testDB.Pool.Exec(ctx, `DELETE FROM organisations WHERE code = $1`, owner)
	})
	claims, _ := hostileGeoPackages(b)
	for _, bc := range []struct {
		name, contentType string
		body              []byte
		status            int
	}{
		{"nested", "application/geo+json", []byte(strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000)), 413},
		{"zipbomb", "application/zip", zipOf(b, zip.Deflate, zipEntry{"bomb.shp", make([]byte, 4<<20)}, zipEntry{"bomb.dbf", nil}, zipEntry{"bomb.prj", nil}), 413},
		{"gpkg-claims", "application/geopackage+sqlite3", claims, 413},
	} {
		b.Run(bc.name, func(b *testing.B) {
			url := srv.URL + "/partners/layers/hb-hostile-bench?title=Fientlig"
			for b.Loop() {
				req, err := http.NewRequest("PUT", url, bytes.NewReader(bc.body))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", bc.contentType)
				res, err := srv.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != bc.status {
					b.Fatalf("status %d, want %d", res.StatusCode, bc.status)
				}
			}
		})
	}
}
