package web

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/sync/singleflight"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/tiles"
)

// Hotspot cells as vector tiles: /analysis/hotspots/tiles/WebMercatorQuad/{z}/{y}/{x} takes
// the parameters of /analysis/hotspots and answers the cells that reach the tile, in one MVT
// layer "hotspots" with the same properties as the GeoJSON. The analysis runs over the whole
// study area once (Gi* needs every cell's neighbours, whatever the tile) and is kept for the
// other tiles of the same view; a change to the observations or districts makes it stale.

// analysisResult is one analysis' cells, as features in CRS84.
type analysisResult struct {
	features     []cellFeature
	illustrative bool
	fc           *geojson.FeatureCollection
}

// analysisMemo keeps the last few analyses for their tiles.
type analysisMemo struct {
	mu     sync.Mutex
	order  []string
	items  map[string]*analysisResult
	flight singleflight.Group
}

// analysisMemoSize: a map view asks for one analysis at a time; a few cover switching back.
const analysisMemoSize = 8

// get returns the analysis for key, running it once for concurrent callers, detached from
// the first caller's context (sharedDo).
func (m *analysisMemo) get(ctx context.Context, key string, run func(context.Context) (*analysisResult, error)) (*analysisResult, error) {
	key = clearanceKey(ctx) + "|" + key // made from the rows the caller may see
	m.mu.Lock()
	if r, ok := m.items[key]; ok {
		m.mu.Unlock()
		return r, nil
	}
	m.mu.Unlock()
	return sharedDo(ctx, &m.flight, key, func(shared context.Context) (*analysisResult, error) {
		r, err := run(shared)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.items == nil {
			m.items = map[string]*analysisResult{}
		}
		if _, ok := m.items[key]; !ok {
			m.order = append(m.order, key)
			m.items[key] = r
			for len(m.order) > analysisMemoSize {
				delete(m.items, m.order[0])
				m.order = m.order[1:]
			}
		}
		return r, nil
	})
}

// hotspotTileSources are the tables an analysis reads (harm_weights for weighting=harm);
// their generations key the memo.
var hotspotTileSources = []string{"observations", "districts", "harm_weights"}

// hotspotTileParams are /analysis/hotspots' parameters less crs (a tile is Web Mercator).
var hotspotTileParams = append([]string{"f"},
	slices.DeleteFunc(slices.Clone(hotspotParams), func(p string) bool { return p == "crs" || p == "f" })...)

// hotspotTile serves GET /analysis/hotspots/tiles/WebMercatorQuad/{z}/{y}/{x}.
func (s *Server) hotspotTile(c echo.Context) error {
	t, err := parseMVTTile(c, hotspotTileParams...)
	if err != nil {
		return err
	}
	v := withoutF(c.QueryParams())
	r, err := s.parseHotspots(c.Request().Context(), v)
	if err != nil {
		return err
	}
	r.out, r.format = crs.CRS84, "geojson"
	gen := s.tiles.generation(hotspotTileSources...)
	canon := fmt.Sprintf("%d|%s|agg=%t", gen, v.Encode(), r.aggregated)
	res, err := s.analyses.get(c.Request().Context(), canon, func(ctx context.Context) (*analysisResult, error) {
		r.collect = &analysisResult{}
		if err := s.runHotspots(ctx, c, r); err != nil {
			return nil, err
		}
		r.collect.fc = cellsToGeoJSON(r.collect.features)
		return r.collect, nil
	})
	if err != nil {
		return err
	}
	return s.serveTile(c, "h|"+canon+"|"+t.String(), func(context.Context) ([]byte, error) { return tiles.EncodeMVT("hotspots", res.fc, t) })
}

// cellsToGeoJSON turns analysis cells into orb features for tiling.
func cellsToGeoJSON(cells []cellFeature) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for _, cf := range cells {
		poly := make(orb.Polygon, len(cf.Geometry.Coordinates))
		for i, ring := range cf.Geometry.Coordinates {
			poly[i] = make(orb.Ring, len(ring))
			for k, p := range ring {
				poly[i][k] = orb.Point{p[0], p[1]}
			}
		}
		f := geojson.NewFeature(poly)
		f.Properties = geojson.Properties(cf.Properties)
		f.Properties["cell"] = cf.ID
		fc.Append(f)
	}
	return fc
}
