package web_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
)

// BenchmarkForecast measures GET /analysis/forecast on the demo data (156 weeks of history,
// 52 weeks of backtest, both variants, about 16,000 cells of 150 m): "computed" is a memo
// miss every time (a new origin each iteration: reading, binning, three models' backtests
// twice, the answer), "cached" the same forecast asked again, served from the bounded
// analysis memo (its answer's body kept beside the computation), as JSON and as GeoJSON.
func BenchmarkForecast(b *testing.B) {
	db := layerstest.Require(b, testDB)
	srv, _ := testServer(b, db, web.Config{}, layers.NewCatalogue(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	client := srv.Client()
	b.Run("computed", func(b *testing.B) {
		origin := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for b.Loop() {
			origin = origin.Add(-24 * time.Hour)
			get(b, client, srv.URL+"/analysis/forecast?f=json&origin="+origin.Format(time.DateOnly))
		}
	})
	for _, f := range []string{"json", "geojson"} {
		b.Run("cached-"+f, func(b *testing.B) {
			url := srv.URL + "/analysis/forecast?f=" + f
			get(b, client, url) // computed once, kept
			for b.Loop() {
				get(b, client, url)
			}
		})
	}
}
