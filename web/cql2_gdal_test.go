package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// syncBuffer is a buffer the server's logger writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// requests returns the items requests of the server's request log: their decoded queries.
func (s *syncBuffer) requests(t *testing.T, path string) []url.Values {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []url.Values
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct {
			Msg, Path, Query string
		}
		if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.Msg != "request" || rec.Path != path {
			continue
		}
		q, err := url.ParseQuery(rec.Query)
		if err != nil {
			// The log has the query decoded; take it apart by hand.
			q = url.Values{}
			for _, part := range strings.Split(rec.Query, "&") {
				k, v, _ := strings.Cut(part, "=")
				q.Add(k, v)
			}
		}
		out = append(out, q)
	}
	return out
}

func ogrTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed under CI (make test installs gdal-bin)", name)
		}
		t.Skipf("%s not installed (apt-get install gdal-bin)", name)
	}
	return p
}

// TestGDALPushesFilterDown: GDAL's OAPIF driver sends ogrinfo's -where to the server as a
// CQL2 filter and -spat as bbox (the server's request log shows both), and reads the same
// features as the database holds.
func TestGDALPushesFilterDown(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ogrinfo := ogrTool(t, "ogrinfo")
	var logs syncBuffer
	srv, _ := testServer(t, db, web.Config{}, layers.NewCatalogue(), slog.New(slog.NewJSONHandler(&logs, nil)))

	var want int
	if err := db.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM observations WHERE category = 'open_drug_dealing' AND severity = 4`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if want == 0 {
		t.Fatal("no observations match: not a test")
	}
	cmd := exec.Command(ogrinfo, "-ro", "-q", "-al", "-where", "category = 'open_drug_dealing' AND severity = 4",
		"OAPIF:"+srv.URL, "observations")
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%.2000s", err, out)
	}
	if got := strings.Count(string(out), "OGRFeature(observations)"); got != want {
		t.Errorf("ogrinfo read %d features, want %d", got, want)
	}
	filtered, unfiltered := 0, 0
	for _, q := range logs.requests(t, "/collections/observations/items") {
		switch f := q.Get("filter"); {
		case f == "":
			unfiltered++
		case strings.Contains(f, "category = 'open_drug_dealing'") && strings.Contains(f, "severity = 4"):
			filtered++
		default:
			t.Errorf("GDAL sent filter %q", f)
		}
	}
	t.Logf("%d filtered and %d unfiltered items requests for %d features", filtered, unfiltered, want)
	// GDAL reads one unfiltered page to learn the fields; every page of the answer is filtered.
	if filtered == 0 || unfiltered > 1 {
		t.Errorf("%d filtered and %d unfiltered items requests; the filter was not pushed down", filtered, unfiltered)
	}

	// -spat is sent as bbox.
	cmd = exec.Command(ogrinfo, "-ro", "-so", "-spat", "16.50", "59.60", "16.56", "59.63", "OAPIF:"+srv.URL, "places")
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ogrinfo -spat: %v\n%.2000s", err, out)
	}
	bboxed := 0
	for _, q := range logs.requests(t, "/collections/places/items") {
		if q.Get("bbox") != "" {
			bboxed++
		}
	}
	if bboxed == 0 {
		t.Error("ogrinfo -spat sent no bbox")
	}
}

// TestGDALPageSize: ogr2ogr copies every observation, without options, in at most two
// requests per 10,000 features (or part). GDAL 3.6 asks for pages of 10 and follows the
// server's next links, which ask for the rest in the largest pages (1,310 requests before).
func TestGDALPageSize(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ogr2ogr := ogrTool(t, "ogr2ogr")
	var logs syncBuffer
	srv, _ := testServer(t, db, web.Config{}, layers.NewCatalogue(), slog.New(slog.NewJSONHandler(&logs, nil)))
	var want int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM observations`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "observations.geojson")
	cmd := exec.Command(ogr2ogr, "-f", "GeoJSON", dst, "OAPIF:"+srv.URL, "observations")
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%.2000s", err, out)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if got := bytes.Count(b, []byte(`"type": "Feature"`)); got != want {
		t.Errorf("ogr2ogr wrote %d features, want %d", got, want)
	}
	requests := len(logs.requests(t, "/collections/observations/items"))
	if most := 2 * ((want + 9999) / 10000); requests > most {
		t.Errorf("ogr2ogr made %d items requests for %d features, want at most %d", requests, want, most)
	}
	t.Logf("%d items requests for %d features", requests, want)
}
