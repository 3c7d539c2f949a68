package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// BenchmarkHotspotRepeat measures GET /analysis/hotspots?method=gistar (GeoJSON, the demo's
// whole study area: 16,344 cells of 150 m) as a police reader on the demo data: "computed" is
// a memo miss every time (a new datetime window each iteration: cells, observations, Gi*,
// the answer), "repeated" the same request again, answered from the bounded analysis memo
// with the body kept beside the computation (issue 17: ≤ 5 ms), uncompressed and as a browser
// asks for it (gzip).
func BenchmarkHotspotRepeat(b *testing.B) {
	db := layerstest.Require(b, testDB)
	srv, _ := testServer(b, db, web.Config{}, layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	client := srv.Client()
	b.Run("computed", func(b *testing.B) {
		end := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for b.Loop() {
			end = end.Add(-24 * time.Hour)
			get(b, client, fmt.Sprintf("%s/analysis/hotspots?method=gistar&datetime=2022-01-01T00:00:00Z/%s", srv.URL, end.Format(time.RFC3339)))
		}
	})
	b.Run("repeated", func(b *testing.B) {
		url := srv.URL + "/analysis/hotspots?method=gistar"
		get(b, client, url) // computed once, kept
		for b.Loop() {
			get(b, client, url)
		}
	})
	b.Run("repeated-gzip", func(b *testing.B) {
		fetch := func() int64 {
			req, _ := http.NewRequest("GET", srv.URL+"/analysis/hotspots?method=gistar", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" {
				b.Fatalf("%d, Content-Encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
			}
			return n
		}
		fetch() // compressed once, kept
		for b.Loop() {
			b.SetBytes(fetch())
		}
	})
}
