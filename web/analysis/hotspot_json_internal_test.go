package analysis

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// TestEncodeDocIsRespondJSON checks that an analysis answer written by encodeDoc is byte for
// byte what respond.JSON writes: the cells of a Gi* run in both output CRSs, full and
// aggregated, and properties holding every kind of value and number form (exponents, -0,
// integers as floats, escapes), with and without a notice.
func TestEncodeDocIsRespondJSON(t *testing.T) {
	cells := &hotspot.Cells{Side: 150}
	var pts hotspot.Observations
	for i := range 12 {
		for j := range 10 {
			cells.I, cells.J = append(cells.I, 3860+i), append(cells.J, 25440+j)
			if (i*j)%4 == 0 {
				c := hotspot.HexCentre(3860+i, 25440+j, 150)
				for k := range i + j {
					pts.Points = append(pts.Points, c)
					pts.Weights = append(pts.Weights, 0.1*float64(k))
				}
			}
		}
	}
	for _, out := range []crs.CRS{crs.CRS84, crs.SWEREF99TM} {
		for _, aggregated := range []bool{false, true} {
			s := &Room{gate: request.NewGate(1, time.Second), cfg: config{MinCellCount: 3}}
			r := &hotspotRequest{method: "gistar", side: 150, band: 450, out: out, aggregated: aggregated,
				params: map[string]any{"method": "gistar", "note": `"<&>" ä`}, collect: &analysisResult{}}
			if err := s.sendGiStar(r, &layers.HotspotInputs{Cells: cells, Observations: pts}); err != nil {
				t.Fatal(err)
			}
			fs := r.collect.features
			odd := []any{nil, true, 0, int64(-7), 1e-7, 1e21, 123456789.123, -0.0, 1.0, 5e-324, math.MaxFloat64, -1e-6,
				"plain", `quote " and \ backslash`, "tab\there", "ä ö \u2028 <b>&", []float64{1e-9, 2}, []float64(nil),
				map[string]any{"nested": []any{1, "x"}}, hotspot.SliceMonth}
			for k, v := range odd {
				fs[k].Properties["odd"] = v
			}
			fs[len(odd)].Properties = nil
			fs[len(odd)+1].Geometry.Coordinates = nil
			for _, notice := range []string{"", respond.IllustrativeNotice} {
				doc := map[string]any{"type": "FeatureCollection", "features": fs, "numberReturned": len(fs),
					"summary": map[string]any{"cells": len(fs), "parameters": r.params}, "timeStamp": "2026-12-08T01:00:00Z"}
				if notice != "" {
					doc["notice"] = notice
				}
				if got, want := encodeDoc(doc), respond.JSON(doc); !bytes.Equal(got, want) {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					t.Fatalf("%s, aggregated %v: differs at byte %d of %d:\n got …%s\nwant …%s", out.URI(), aggregated, i, len(want),
						got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
				}
			}
		}
	}
	if got := encodeDoc(map[string]any{"features": []cellFeature(nil)}); string(got) != `{"features":null}` {
		t.Errorf("nil features: %s", got)
	}
}

// BenchmarkEncodeDoc writes a Gi* answer of 12,100 cells (CRS84) with encodeDoc and, for
// comparison, with respond.JSON.
func BenchmarkEncodeDoc(b *testing.B) {
	cells := &hotspot.Cells{Side: 150}
	for i := range 110 {
		for j := range 110 {
			cells.I, cells.J = append(cells.I, 3800+i), append(cells.J, 25400+j)
		}
	}
	s := &Room{gate: request.NewGate(1, time.Second), cfg: config{MinCellCount: 3}}
	r := &hotspotRequest{method: "gistar", side: 150, band: 450, out: crs.CRS84, params: map[string]any{}, collect: &analysisResult{}}
	if err := s.sendGiStar(r, &layers.HotspotInputs{Cells: cells}); err != nil {
		b.Fatal(err)
	}
	doc := map[string]any{"type": "FeatureCollection", "features": r.collect.features, "numberReturned": cells.Len(),
		"summary": map[string]any{"cells": cells.Len()}, "timeStamp": "2026-12-08T01:00:00Z"}
	b.Run("encodeDoc", func(b *testing.B) {
		for b.Loop() {
			b.SetBytes(int64(len(encodeDoc(doc))))
		}
	})
	b.Run("respond.JSON", func(b *testing.B) {
		for b.Loop() {
			b.SetBytes(int64(len(respond.JSON(doc))))
		}
	})
}
