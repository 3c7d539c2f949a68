package analysis

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
)

// syntheticAnalysis runs the Gi* handler's own code on a square of n×n hexagons (side 50 m
// in Västerås) with one point in every third cell, into a result kept for tiles, as
// hotspotTile does.
func syntheticAnalysis(t testing.TB, n int, seed int) *analysisResult {
	t.Helper()
	cells := &hotspot.Cells{Side: 50}
	var pts hotspot.Observations
	for i := range n {
		for j := range n {
			cells.I = append(cells.I, 11600+i)
			cells.J = append(cells.J, 77200+j)
		}
	}
	for k := range cells.I {
		if (k+seed)%3 == 0 {
			c := hotspot.HexCentre(cells.I[k], cells.J[k], 50)
			pts.Points = append(pts.Points, c)
			pts.Weights = append(pts.Weights, 1)
		}
	}
	s := &Room{gate: request.NewGate(1, time.Second)}
	r := &hotspotRequest{method: "gistar", side: 50, band: 150, out: crs.CRS84, params: map[string]any{}, collect: &analysisResult{}}
	if err := s.sendGiStar(r, &layers.HotspotInputs{Cells: cells, Observations: pts}); err != nil {
		t.Fatal(err)
	}
	r.collect.fc = cellsToGeoJSON(r.collect.features)
	r.collect.features = nil
	r.collect.bytes = analysisBytes(r.collect.fc)
	return r.collect
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestAnalysisBytesIsHonest holds the memo's estimate of an analysis against the heap the
// analysis actually keeps: never below it (the bound would not hold), and not far above it
// (the memo would keep needlessly little).
func TestAnalysisBytesIsHonest(t *testing.T) {
	before := heapInUse()
	r := syntheticAnalysis(t, 100, 0) // 10,000 cells
	used := heapInUse() - before
	runtime.KeepAlive(r)
	t.Logf("10,000 cells: %d bytes in the heap, estimated %d (%.0f a cell)", used, r.bytes, float64(r.bytes)/10000)
	if r.bytes < used {
		t.Errorf("estimate %d bytes, below the %d the analysis holds", r.bytes, used)
	}
	if r.bytes > 2*used {
		t.Errorf("estimate %d bytes, more than twice the %d the analysis holds", r.bytes, used)
	}
}

// TestAnalysisMemoBoundedInBytes is finding 7 of issue 12: the memo kept the last eight
// analyses whatever their size, so a dozen distinct views of 50 m hexagons took gigabytes.
// Twelve distinct analyses pass through a memo of 16 MiB: it must keep no more than that, by
// its own account and in the heap, and still answer a repeated request from memory.
func TestAnalysisMemoBoundedInBytes(t *testing.T) {
	const budget = 16 << 20
	m := newAnalysisMemo(budget)
	ctx := context.Background()
	before := heapInUse()
	runs := 0
	for k := range 12 {
		_, err := m.get(ctx, fmt.Sprint("view", k), func(context.Context) (*analysisResult, error) {
			runs++
			return syntheticAnalysis(t, 55, k), nil // 3,025 cells, about 3.5 MiB
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	held := heapInUse() - before
	runtime.KeepAlive(m)
	if got := m.size(); got > budget {
		t.Errorf("memo holds %d bytes by its estimate, bound %d", got, budget)
	}
	if held > budget*5/4 {
		t.Errorf("memo holds %d bytes of heap after 12 analyses, bound %d", held, budget)
	}
	// The newest is kept: asking again runs nothing.
	if _, err := m.get(ctx, "view11", func(context.Context) (*analysisResult, error) {
		runs++
		return syntheticAnalysis(t, 55, 11), nil
	}); err != nil {
		t.Fatal(err)
	}
	if runs != 12 {
		t.Errorf("%d analyses run for 12 distinct views and one repeat, want 12", runs)
	}
	t.Logf("memo: %d bytes estimated, %d in the heap, %d entries", m.size(), held, m.items.Len())
}
