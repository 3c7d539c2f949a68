package layers_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/layers"
)

// BenchmarkHotspotLoad measures the database side of a hotspot analysis on the benchmark
// database (BENCH_DATABASE_URL, 1,000,000 observations): the hexagon cells of a 29 × 24 km
// study polygon (about 12,000 cells of 150 m) and fetching every observation with its weight.
func BenchmarkHotspotLoad(b *testing.B) {
	url := os.Getenv("BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("BENCH_DATABASE_URL not set; run make bench")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	layers.ConfigurePool(cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	store := layers.NewStore(pool)
	ctx := context.Background()
	area := layers.StudyArea{Polygon: orb.Polygon{orb.Ring{{573000, 6600000}, {602000, 6600000}, {602000, 6624000}, {573000, 6624000}, {573000, 6600000}}}}
	b.Run("cells", func(b *testing.B) {
		for b.Loop() {
			cells, err := store.HexCells(ctx, 150, area)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(cells.I)), "cells")
		}
	})
	b.Run("observations-1M", func(b *testing.B) {
		all := orb.Bound{Min: orb.Point{0, 6000000}, Max: orb.Point{1000000, 8000000}}
		for b.Loop() {
			pts, err := store.WeightedObservations(ctx, all, layers.ObservationFilter{Weighting: layers.WeightHarm}, layers.ObservationColumns{Times: true})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(pts.Points)), "points")
		}
	})
}
