package web_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// benchServer serves the database named by BENCH_DATABASE_URL, which make bench fills with
// the shared benchmark dataset (1,000,000 observations); the benchmarks skip without it.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	url := os.Getenv("BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("BENCH_DATABASE_URL not set; run make bench")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	layers.ConfigurePool(cfg)
	cfg.MaxConns = 32
	owner, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(owner.Close)
	// As the server runs: its login role under row-level security, read as a police reader
	// (who sees every row, as the reference servers serve them).
	appURL, err := layers.ServerURL(url)
	if err != nil {
		b.Fatal(err)
	}
	appCfg, err := pgxpool.ParseConfig(appURL)
	if err != nil {
		b.Fatal(err)
	}
	layers.ConfigurePool(appCfg)
	appCfg.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(context.Background(), appCfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	token := callerToken(b, &layerstest.DB{Pool: owner}, "bench-polis", "police", "reader")
	srv := httptest.NewServer(withToken(web.New(web.Config{}, layers.NewStore(pool), layers.NewCatalogue(), log), token))
	b.Cleanup(srv.Close)
	return srv
}

// benchLines reads one of the shared benchmark lists (../shared/bench beside the repository).
func benchLines(b *testing.B, name string) []string {
	b.Helper()
	f, err := os.Open(filepath.Join("..", "..", "shared", "bench", name))
	if err != nil {
		b.Skipf("shared benchmark inputs not found: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && l[0] != '#' {
			lines = append(lines, l)
		}
	}
	return lines
}

func get(b *testing.B, client *http.Client, url string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", "identity") // like the reference figures: uncompressed
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	b.SetBytes(n)
}

// BenchmarkItemsBBox pages observation items in the 500 shared 1–3 km bboxes, limit=1000,
// GeoJSON: the pg_featureserv reference workload.
func BenchmarkItemsBBox(b *testing.B) {
	srv := benchServer(b)
	boxes := benchLines(b, "bboxes.txt")
	client := srv.Client()
	b.Run("serial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			get(b, client, srv.URL+"/collections/observations/items?limit=1000&bbox="+boxes[i%len(boxes)])
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(8)
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1)) % len(boxes)
				get(b, client, srv.URL+"/collections/observations/items?limit=1000&bbox="+boxes[i])
			}
		})
	})
}
