package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

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

// BenchmarkHotspotMillion measures GET /analysis/hotspots?method=gistar end to end on the
// benchmark database (BENCH_DATABASE_URL, make bench): every one of its 1,000,000
// observations over about 12,000 hexagons — a study area of Sweden's outline
// (bench.sweden_outline, put in as a district-level district for the run and taken out
// after) with 3,850 m sides — as a police reader, uncached (a new datetime window each
// time, so the memo never answers), GeoJSON uncompressed.
func BenchmarkHotspotMillion(b *testing.B) {
	srv := benchServer(b)
	owner, err := pgxpool.New(context.Background(), os.Getenv("BENCH_DATABASE_URL"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(owner.Close)
	ctx := context.Background()
	if _, err := owner.Exec(ctx, `INSERT INTO districts (code, name, level, illustrative, geom)
SELECT 'B-SVERIGE', 'Sverige (benchmark)', 'district', true, ST_Multi(geom) FROM bench.sweden_outline
ON CONFLICT (code) DO NOTHING`); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if _, err := owner.Exec(context.Background(), `DELETE FROM districts WHERE code = 'B-SVERIGE'`); err != nil {
			b.Error(err)
		}
	})
	client := srv.Client()
	query := func(n int) string {
		end := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second)
		return fmt.Sprintf("%s/analysis/hotspots?method=gistar&side=3850&band=11550&area=B-SVERIGE&datetime=2000-01-01T00:00:00Z/%s",
			srv.URL, end.Format(time.RFC3339))
	}
	var h struct {
		Summary struct {
			Cells, Observations int
		} `json:"summary"`
	}
	res, err := client.Get(query(0))
	if err != nil {
		b.Fatal(err)
	}
	err = json.NewDecoder(res.Body).Decode(&h)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("%d: %v", res.StatusCode, err)
	}
	b.Logf("%d cells, %d observations counted", h.Summary.Cells, h.Summary.Observations)
	n := 0
	for b.Loop() {
		n++
		get(b, client, query(n))
	}
}
