package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/geo/cql2"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// The CQL2 test dataset of the standard's abstract test suite (OGC 21-065r2) and the
// expected counts of its tests, in ../shared/cql2.
const cqlShared = "../../shared/cql2"

var atsTables = []string{"ne_110m_admin_0_countries", "ne_110m_populated_places_simple", "ne_110m_rivers_lake_centerlines"}

// atsCatalogue loads the test dataset into the test database with ogr2ogr, as its own tables
// (names as in the GeoPackage, geometry in EPSG:4326), and declares a throwaway layer for
// each table with every column as a property, typed from the stored column.
func atsCatalogue(t *testing.T, db *layerstest.DB) *layers.Catalogue {
	t.Helper()
	gpkg := filepath.Join(cqlShared, "ne110m4cql2.gpkg")
	if _, err := os.Stat(gpkg); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the CQL2 test dataset is missing: %v", err)
		}
		t.Skipf("the CQL2 test dataset is missing: %v", err)
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	// GDAL reads the keyword form of a connection string (it misreads URI parameters).
	conn := fmt.Sprintf("PG:host=%s port=%s dbname=%s user=%s", u.Hostname(), u.Port(), strings.TrimPrefix(u.Path, "/"), u.User.Username())
	if pw, ok := u.User.Password(); ok {
		conn += " password=" + pw
	}
	layerstest.OGR2OGR(t, "-f", "PostgreSQL", conn, gpkg, "-overwrite",
		"-lco", "LAUNDER=NO", "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid")
	ctx := context.Background()
	var ls []*layers.Layer
	for _, table := range atsTables {
		if _, err := db.Pool.Exec(ctx, "GRANT SELECT ON "+table+" TO PUBLIC"); err != nil {
			t.Fatal(err)
		}
		l := &layers.Layer{ID: strings.ReplaceAll(table, "_", "-"), Title: table, Table: table, IDColumn: "fid",
			IDType: layers.Integer, Geometry: "geom", GeometryType: "Geometry", SRID: 4326, Class: layers.Open}
		rows, err := db.Pool.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_name = $1 AND column_name NOT IN ('fid', 'geom') ORDER BY ordinal_position`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				t.Fatal(err)
			}
			p := layers.Property{Name: name, Type: layers.String}
			switch typ {
			case "integer", "bigint", "smallint":
				p.Type = layers.Integer
			case "double precision", "real", "numeric":
				p.Type = layers.Number
			case "boolean":
				p.Type = layers.Boolean
			case "date":
				p.Type = layers.Date
			case "timestamp with time zone", "timestamp without time zone":
				p.Type = layers.DateTime
			}
			l.Properties = append(l.Properties, p)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	return layers.CatalogueOf(ls...)
}

// cqlMatched asks for the items of collection that match filter and returns numberMatched, or
// the status and body of a refusal.
func cqlMatched(t *testing.T, base, collection string, params url.Values) (int, int, string) {
	t.Helper()
	params.Set("limit", "1")
	params.Set("numberMatched", "true")
	resp, err := http.Get(base + "/collections/" + collection + "/items?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return -1, resp.StatusCode, string(body)
	}
	var fc struct {
		NumberMatched int `json:"numberMatched"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return fc.NumberMatched, resp.StatusCode, string(body)
}

// TestCQL2AbstractTestSuite runs the standard's own tests (../shared/cql2/ats-expected-counts.tsv:
// basic CQL2, advanced comparison operators, basic spatial functions with and without the
// additional geometry types, spatial functions) on the items of the test dataset, each in
// cql2-text as written and in cql2-json, and the temporal functions (whose tables are not in
// shared/) as the standard's text defines them.
func TestCQL2AbstractTestSuite(t *testing.T) {
	db := layerstest.Require(t, testDB)
	cat := atsCatalogue(t, db)
	srv, _ := testServer(t, db, web.Config{}, cat, slog.New(slog.NewTextHandler(io.Discard, nil)))

	f, err := os.Open(filepath.Join(cqlShared, "ats-expected-counts.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 4 {
			t.Fatalf("bad row %q", sc.Text())
		}
		class, table, text := cols[0], cols[1], strings.ReplaceAll(cols[2], `\(`, "(")
		want, _ := strconv.Atoi(cols[3])
		n++
		collection := strings.ReplaceAll(table, "_", "-")
		got, status, body := cqlMatched(t, srv.URL, collection, url.Values{"filter": {text}})
		if got != want {
			t.Errorf("%s: %s on %s: numberMatched %d (status %d %s), want %d", class, text, table, got, status, body, want)
		}
		e, err := cql2.ParseText(text, cql2.DefaultLimits())
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		js, _ := e.MarshalJSON()
		got, status, body = cqlMatched(t, srv.URL, collection, url.Values{"filter": {string(js)}, "filter-lang": {"cql2-json"}})
		if got != want {
			t.Errorf("%s: %s on %s as cql2-json: numberMatched %d (status %d %s), want %d", class, js, table, got, status, body, want)
		}
	}
	if n != 103 {
		t.Errorf("ran %d tests of the suite, want its 103", n)
	}

	// Temporal functions, on the three places with dates: København (date 2021-04-16, from
	// 2021-04-16T10:15:59 to 2022-04-16T10:16:06), Berlin (2023-04-16, 2022-04-16T10:13:19 to
	// 2024-02-22T09:37:52) and Athens (2022-04-16, 2022-04-16T10:15:10 to 2022-12-16T10:14:53).
	const places = "ne-110m-populated-places-simple"
	for _, tc := range []struct {
		text string
		want int
	}{
		{`T_AFTER("date", DATE('2022-01-01'))`, 2},
		{`T_BEFORE("date", DATE('2022-04-16'))`, 1},
		{`T_EQUALS("date", DATE('2022-04-16'))`, 1},
		{`T_DISJOINT("date", DATE('2022-04-16'))`, 2},
		{`T_INTERSECTS("date", INTERVAL('2022-01-01', '2022-12-31'))`, 1},
		{`T_AFTER(start, TIMESTAMP('2022-01-01T00:00:00Z'))`, 2},
		{`T_INTERSECTS(INTERVAL(start, "end"), INTERVAL('2022-06-01T00:00:00Z', '2022-07-01T00:00:00Z'))`, 2},
		{`T_DURING(INTERVAL(start, "end"), INTERVAL('2022-01-01T00:00:00Z', '2023-01-01T00:00:00Z'))`, 1},
		{`T_CONTAINS(INTERVAL(start, "end"), INTERVAL('2022-05-01T00:00:00Z', '2022-06-01T00:00:00Z'))`, 2},
		{`T_OVERLAPS(INTERVAL(start, "end"), INTERVAL('2022-01-01T00:00:00Z', '2022-06-01T00:00:00Z'))`, 1},
		{`T_OVERLAPPEDBY(INTERVAL(start, "end"), INTERVAL('2022-01-01T00:00:00Z', '2022-06-01T00:00:00Z'))`, 2},
		{`T_STARTS(INTERVAL(start, "end"), INTERVAL('2022-04-16T10:13:19Z', '2030-01-01T00:00:00Z'))`, 1},
		{`T_STARTEDBY(INTERVAL(start, "end"), INTERVAL('2022-04-16T10:13:19Z', '2023-01-01T00:00:00Z'))`, 1},
		{`T_FINISHES(INTERVAL(start, "end"), INTERVAL('2020-01-01T00:00:00Z', '2022-12-16T10:14:53Z'))`, 1},
		{`T_FINISHEDBY(INTERVAL(start, "end"), INTERVAL('2022-05-01T00:00:00Z', '2022-12-16T10:14:53Z'))`, 1},
		{`T_MEETS(INTERVAL(start, "end"), INTERVAL('2022-04-16T10:16:06Z', '..'))`, 1},
		{`T_METBY(INTERVAL(start, "end"), INTERVAL('..', '2022-04-16T10:13:19Z'))`, 1},
		{`T_BEFORE(INTERVAL(start, "end"), INTERVAL('2023-01-01T00:00:00Z', '..'))`, 2},
		{`T_EQUALS(INTERVAL(start, "end"), INTERVAL('2022-04-16T10:15:10Z', '2022-12-16T10:14:53Z'))`, 1},
		// Case- and accent-insensitive comparison, arithmetic and property-property.
		{`CASEI(name) = casei('KØBENHAVN')`, 1},
		{`CASEI(name) LIKE casei('BER%')`, 2}, // Berlin, Bern
		{`ACCENTI(name) IN (ACCENTI('Sao Paulo'), accenti('Lome'), ACCENTI('Brasilia'))`, 3},
		{`ACCENTI(CASEI(name)) = CASEI(ACCENTI('SAO TOME'))`, 1},
		{`pop_max > pop_min`, -1},
		{`pop_other * 2 + 1 > pop_max`, -1},
		{`pop_max / 1000 div 1 >= 10000 AND pop_max % 2 = 0`, -1},
		{`-pop_min < -(2 ^ 20)`, -1},
	} {
		want := tc.want
		if want < 0 { // counted by PostgreSQL directly, in its own arithmetic
			sql := map[string]string{
				`pop_max > pop_min`:                                 `pop_max > pop_min`,
				`pop_other * 2 + 1 > pop_max`:                       `pop_other * 2 + 1 > pop_max`,
				`pop_max / 1000 div 1 >= 10000 AND pop_max % 2 = 0`: `trunc(pop_max / 1000.0) >= 10000 AND pop_max % 2 = 0`,
				`-pop_min < -(2 ^ 20)`:                              `-pop_min < -1048576`,
			}[tc.text]
			if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM ne_110m_populated_places_simple WHERE "+sql).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if want == 0 {
				t.Fatalf("%s matches nothing: not a test", sql)
			}
		}
		got, status, body := cqlMatched(t, srv.URL, places, url.Values{"filter": {tc.text}})
		if got != want {
			t.Errorf("%s: numberMatched %d (status %d %s), want %d", tc.text, got, status, body, want)
		}
	}
}

// TestCQL2FilterRefusals: a filter the server cannot answer is a 400 problem naming the
// parameter and saying what is wrong, never a 500.
func TestCQL2FilterRefusals(t *testing.T) {
	db := layerstest.Require(t, testDB)
	srv, _ := testServer(t, db, web.Config{}, layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, tc := range []struct {
		params url.Values
		param  string
		want   string
	}{
		{url.Values{"filter": {"nosuch = 1"}}, "filter", `unknown property \"nosuch\"`},
		{url.Values{"filter": {"category = "}}, "filter", "ends where a value"},
		{url.Values{"filter": {"category = 1"}}, "filter", "compares a string with a number"},
		{url.Values{"filter": {"category"}}, "filter", "not a condition"},
		{url.Values{"filter": {"category LIKE severity"}}, "filter", "pattern of LIKE"},
		{url.Values{"filter": {"severity BETWEEN 'a' AND 2"}}, "filter", "BETWEEN takes numbers"},
		{url.Values{"filter": {"S_INTERSECTS(geometry, 3)"}}, "filter", "compares geometries"},
		{url.Values{"filter": {"Foo(geometry) = 1"}}, "filter", "unknown function"},
		{url.Values{"filter": {"T_DURING(observed_at, INTERVAL('2024-01-01', '2024-02-01'))"}}, "filter", "two intervals"},
		{url.Values{"filter": {"T_AFTER(observed_at, INTERVAL('2024-03-01', '2024-02-01'))"}}, "filter", "starts after it ends"},
		{url.Values{"filter": {"severity * 1e300 * 1e300 > 1"}}, "filter", "cannot be evaluated"},
		{url.Values{"filter": {"S_INTERSECTS(geometry, POLYGON((16 59, 17 60, 17 59, 16 60, 16 59)))"}}, "", ""},
		{url.Values{"filter": {"{\"op\":\"=\"}"}, "filter-lang": {"cql2-json"}}, "filter", "needs \\\"args\\\""},
		{url.Values{"filter": {"severity = 1"}, "filter-lang": {"cql3"}}, "filter-lang", "unknown filter language"},
		{url.Values{"filter": {"severity = 1"}, "filter-crs": {"EPSG:4"}}, "filter-crs", "unsupported CRS"},
		{url.Values{"filter-lang": {"cql2-text"}}, "filter-lang", "without filter"},
		{url.Values{"filter": {strings.Repeat("(", 100) + "severity = 1" + strings.Repeat(")", 100)}}, "filter", "nested deeper"},
	} {
		params := tc.params
		_, status, body := cqlMatched(t, srv.URL, "observations", params)
		if tc.param == "" { // answered (GEOS may evaluate an invalid polygon), or refused as a 400
			if status != http.StatusOK && (status != http.StatusBadRequest || !strings.Contains(body, "not valid")) {
				t.Errorf("%v: status %d %s, want 200 or a 400 saying the geometry is not valid", params, status, body)
			}
			continue
		}
		if status != http.StatusBadRequest || !strings.Contains(body, `"param":"`+tc.param+`"`) || !strings.Contains(body, tc.want) {
			t.Errorf("%v: status %d %s, want 400 naming %s and saying %q", params, status, body, tc.param, tc.want)
		}
	}
}

// TestCQL2OnDeclaredLayers: a filter on each declared layer with geometry (in CRS84 and in
// EPSG:3006) and a property selects the same features as the equivalent bbox and name=value
// parameters, under the same row-level security.
func TestCQL2OnDeclaredLayers(t *testing.T) {
	db := layerstest.Require(t, testDB)
	cat := layers.NewCatalogue()
	srv, _ := testServer(t, db, web.Config{}, cat, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, l := range cat.Layers() {
		if !l.HasGeometry() {
			continue
		}
		bbox := "16.45,59.55,16.65,59.66" // central Västerås
		want, status, body := cqlMatched(t, srv.URL, l.ID, url.Values{"bbox": {bbox}})
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", l.ID, status, body)
		}
		got, status, body := cqlMatched(t, srv.URL, l.ID, url.Values{"filter": {"S_INTERSECTS(geometry, BBOX(" + bbox + "))"}})
		if got != want {
			t.Errorf("%s: S_INTERSECTS with the bbox matched %d (%d %s), bbox=%s matched %d", l.ID, got, status, body, bbox, want)
		}
		js := fmt.Sprintf(`{"op":"s_intersects","args":[{"property":"%s"},{"bbox":[%s]}]}`, l.Geometry, bbox)
		if got, status, body = cqlMatched(t, srv.URL, l.ID, url.Values{"filter": {js}, "filter-lang": {"cql2-json"}}); got != want {
			t.Errorf("%s: %s matched %d (%d %s), want %d", l.ID, js, got, status, body, want)
		}
		// The same box in EPSG:3006 (filter-crs), and the world, which is clipped before it is projected.
		if got, _, body = cqlMatched(t, srv.URL, l.ID, url.Values{"filter": {"S_INTERSECTS(geometry, BBOX(-180,-90,180,90))"}}); got < want {
			t.Errorf("%s: the world matched %d (%s), fewer than central Västerås' %d", l.ID, got, body, want)
		}
		all, _, _ := cqlMatched(t, srv.URL, l.ID, url.Values{})
		if got, _, body = cqlMatched(t, srv.URL, l.ID, url.Values{"filter": {"S_DISJOINT(geometry, POINT(-170 -80)) OR geometry IS NULL"}}); got != all {
			t.Errorf("%s: disjoint from a point on the other side of the earth: %d (%s), want all %d", l.ID, got, body, all)
		}
		for _, p := range l.Properties {
			if !p.Filter || len(p.Enum) == 0 {
				continue
			}
			want, _, _ := cqlMatched(t, srv.URL, l.ID, url.Values{p.Name: {p.Enum[0]}})
			got, status, body := cqlMatched(t, srv.URL, l.ID, url.Values{"filter": {p.Name + " = '" + p.Enum[0] + "'"}})
			if got != want {
				t.Errorf("%s: %s = '%s' matched %d (%d %s), %s=%s matched %d", l.ID, p.Name, p.Enum[0], got, status, body, p.Name, p.Enum[0], want)
			}
		}
	}
	// EPSG:3006: a box around the observations' extent, in metres.
	var minx, miny, maxx, maxy float64
	if err := db.Pool.QueryRow(context.Background(), `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM observations) x`).Scan(&minx, &miny, &maxx, &maxy); err != nil {
		t.Fatal(err)
	}
	mid := (minx + maxx) / 2
	box := fmt.Sprintf("%f,%f,%f,%f", minx, miny, mid, maxy)
	var want int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM observations WHERE ST_X(geom) > $1 AND ST_X(geom) < $2 AND ST_Y(geom) > $3 AND ST_Y(geom) < $4`,
		minx, mid, miny, maxy).Scan(&want); err != nil {
		t.Fatal(err)
	}
	// The default caller (a police admin) reads every observation; a smaller count would mean
	// the filter met row-level security differently from the unfiltered query.
	got, status, body := cqlMatched(t, srv.URL, "observations", url.Values{"filter": {"S_WITHIN(geometry, BBOX(" + box + "))"}, "filter-crs": {"http://www.opengis.net/def/crs/EPSG/0/3006"}})
	if got != want {
		t.Errorf("observations within the western half in EPSG:3006: %d (%d %s), want %d", got, status, body, want)
	}
}
