package web

import (
	"context"
	"math"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Disclosure control of the aggregated view: the rules are written out in
// web/analysis/disclosure.go, where the hotspot analyses apply them; here the threshold and the
// coarsened extent of a collection a caller gets only aggregated.

// DefaultMinCellCount is the disclosure threshold when Config.MinCellCount is 0.
const DefaultMinCellCount = 5

// minCellCount is the disclosure threshold: Config.MinCellCount, or DefaultMinCellCount.
func (s *Server) minCellCount() int {
	if s.cfg.MinCellCount > 0 {
		return s.cfg.MinCellCount
	}
	return DefaultMinCellCount
}

// extentFor is layer l's extent as the caller may have it. A caller who gets l only
// aggregated (its observation tiles, disclosure above) gets it coarsened: the bbox widened to
// whole hundredths of a degree and the time span to whole days (UTC), since the exact edges
// are the coordinates and times of single observations.
func (s *Server) extentFor(ctx context.Context, l *layers.Layer) (layers.Extent, error) {
	ext, err := s.store.Extent(ctx, l)
	if err != nil || !l.AggregateTiles || (!s.cfg.AggregatedOnly && layers.PrincipalFrom(ctx).MayRead(l.Class)) {
		return ext, err
	}
	if b := ext.BBox; b != nil {
		const step = 0.01
		ext.BBox = &[4]float64{math.Floor(b[0]/step) * step, math.Floor(b[1]/step) * step, math.Ceil(b[2]/step) * step, math.Ceil(b[3]/step) * step}
		for k, v := range ext.BBox {
			ext.BBox[k] = respond.Round(v, 2)
		}
	}
	if t := ext.Start; t != nil {
		day := t.UTC().Truncate(24 * time.Hour)
		ext.Start = &day
	}
	if t := ext.End; t != nil {
		day := t.UTC().Truncate(24 * time.Hour).Add(24*time.Hour - time.Second)
		ext.End = &day
	}
	return ext, nil
}
