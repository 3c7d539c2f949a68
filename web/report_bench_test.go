package web_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// BenchmarkReport measures GET /report for a year (2024) on the demo data, as HTML and as
// PDF (Chromium's print included). Issue 17's goal: ≤ 1 s HTML, ≤ 2 s PDF.
func BenchmarkReport(b *testing.B) {
	db := layerstest.Require(b, testDB)
	srv, _ := testServer(b, db, web.Config{}, layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	client := srv.Client()
	for _, f := range []string{"html", "pdf"} {
		b.Run(f, func(b *testing.B) {
			url := srv.URL + "/report?from=2024-01-01&to=2024-12-31&f=" + f
			for b.Loop() {
				get(b, client, url)
			}
		})
	}
}
