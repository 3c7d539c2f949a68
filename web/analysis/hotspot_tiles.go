package analysis

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/lru"
	"github.com/lagesbild/lagesbild/web/request"
)

// Hotspot cells as vector tiles: /analysis/hotspots/tiles/WebMercatorQuad/{z}/{y}/{x} takes
// the parameters of /analysis/hotspots and answers the cells that reach the tile, in one MVT
// layer "hotspots" with the same properties as the GeoJSON. The analysis runs over the whole
// study area once (Gi* needs every cell's neighbours, whatever the tile) and is kept for the
// other tiles of the same view; a change to the observations or districts makes it stale.

// analysisResult is one analysis' cells, as features in CRS84. features is filled while the
// analysis runs and dropped once fc is made: only fc is kept for the tiles.
//
// For /analysis/hotspots the memo keeps the answer instead: body, its media type and the
// CRS of its coordinates.
type analysisResult struct {
	features     []cellFeature
	illustrative bool
	fc           *geojson.FeatureCollection
	body         []byte
	etag         string // of body (respond.BodyTag), hashed once
	contentType  string
	crs          string
	bytes        int64 // estimated memory of fc (analysisBytes) or body, counted against the memo's bound
}

// analysisMemo keeps finished analyses for their tiles and answers, bounded by the bytes they take (an
// estimate of fc's heap, see analysisBytes), least recently used first out. One analysis of
// 50 m hexagons over a municipality is tens of megabytes: a bound by count let a dozen
// distinct datetime values take 3 GB (issue 12, finding 7).
type analysisMemo struct {
	maxBytes int64

	mu    sync.Mutex
	items *lru.Cache[string, *memoEntry]

	flight singleflight.Group
}

type memoEntry struct {
	key string
	r   *analysisResult
}

func newAnalysisMemo(maxBytes int64) *analysisMemo {
	return &analysisMemo{maxBytes: maxBytes, items: lru.New(maxBytes, func(_ string, e *memoEntry) int64 { return e.cost() })}
}

// entryCost is what an entry takes: the analysis and its key, twice (map and list).
func (e *memoEntry) cost() int64 { return e.r.bytes + 2*int64(len(e.key)) + 200 }

// get returns the analysis for key, running it once for concurrent callers, detached from
// the first caller's context (lru.SharedDo). An analysis larger than half the bound is answered
// but not kept, so one cannot flush the rest; tiles refuse such analyses before computing
// (keepable).
func (m *analysisMemo) get(ctx context.Context, key string, run func(context.Context) (*analysisResult, error)) (*analysisResult, error) {
	key = auth.ClearanceKey(ctx) + "|" + key // made from the rows the caller may see
	if layers.NoCaches(ctx) {                // the caller's own write may not yet be reflected (freshness.go)
		return run(ctx)
	}
	m.mu.Lock()
	e, ok := m.items.Get(key)
	m.mu.Unlock()
	if ok {
		return e.r, nil
	}
	return lru.SharedDo(ctx, &m.flight, key, func(shared context.Context) (*analysisResult, error) {
		r, err := run(shared)
		if err != nil {
			return nil, err
		}
		m.put(&memoEntry{key: key, r: r})
		return r, nil
	})
}

// analysis answers key from the memo, or runs it once for concurrent callers holding an
// analysis slot: only a memo miss computes, so only a miss takes a slot (bounds.go).
func (s *Room) analysis(ctx context.Context, key string, run func(context.Context) (*analysisResult, error)) (*analysisResult, error) {
	return s.analyses.get(ctx, key, func(ctx context.Context) (*analysisResult, error) {
		release, err := s.gate.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
		return run(ctx)
	})
}

func (m *analysisMemo) put(e *memoEntry) {
	if e.cost() > m.maxBytes/2 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items.Peek(e.key); ok { // keep the entry held, as it is already shared
		return
	}
	m.items.Put(e.key, e)
}

func (m *analysisMemo) collector() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "lagesbild_analysis_cache_bytes", Help: "Bytes held by the memo of analyses behind hotspot tiles (estimated)."},
		func() float64 { return float64(m.size()) })
}

// cellBytes is what one hexagon kept for tiles takes, rounded up from analysisBytes' estimate
// for a Gi* cell (TestAnalysisBytesIsHonest logs it: about 1,155 bytes).
const cellBytes = 1200

// keepable reports whether an analysis of cells hexagons can be kept for its tiles. One that
// cannot would be computed again for every tile of the view, so tiles refuse it.
func (m *analysisMemo) keepable(cells int) bool { return int64(cells)*cellBytes <= m.maxBytes/2 }

// size returns the bytes the memo holds by its estimate.
func (m *analysisMemo) size() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.items.Bytes()
}

// analysisBytes estimates the heap that fc holds, from what cellsToGeoJSON allocates: per
// feature the geojson.Feature, its polygon (slice headers and 16 bytes a point), its
// properties map (a swiss-table group of eight 32-byte slots per seven entries, plus the
// map's header) and each boxed value (an interface's data word points to its own
// allocation for floats, larger ints, strings and slices). TestAnalysisBytesIsHonest holds it
// against the heap actually used.
func analysisBytes(fc *geojson.FeatureCollection) int64 {
	n := int64(64 + 8*cap(fc.Features))
	for _, f := range fc.Features {
		n += 176 // geojson.Feature, rounded up to its size class
		if poly, ok := f.Geometry.(orb.Polygon); ok {
			n += 24 + int64(24*cap(poly))
			for _, ring := range poly {
				n += int64(16 * cap(ring))
			}
		}
		groups := (int64(len(f.Properties)) + 6) / 7
		n += 64 + groups*(8+8*32) + 64 // header, groups, directory
		for k, v := range f.Properties {
			_ = k // keys are the handlers' string constants, not copies
			n += boxedBytes(v)
		}
	}
	return n
}

// boxedBytes is what a property value allocates beyond its map slot.
func boxedBytes(v any) int64 {
	switch x := v.(type) {
	case nil, bool:
		return 0
	case int:
		if x >= 0 && x < 256 {
			return 0 // the runtime keeps small integers boxed already
		}
		return 8
	case int8:
		return 0
	case int64, float64:
		return 8
	case string:
		return 16 + int64(len(x))
	case []float64:
		return 24 + int64(8*cap(x))
	}
	return 32
}

// hotspotTileSources are the tables an analysis reads (harm_weights for weighting=harm);
// their generations key the memo.
var hotspotTileSources = []string{"observations", "districts", "harm_weights"}

// hotspotTileParams are /analysis/hotspots' parameters less crs (a tile is Web Mercator).
var hotspotTileParams = append([]string{"f"},
	slices.DeleteFunc(slices.Clone(hotspotParams), func(p string) bool { return p == "crs" || p == "f" })...)

// hotspotTile serves GET /analysis/hotspots/tiles/WebMercatorQuad/{z}/{y}/{x}.
func (s *Room) hotspotTile(c echo.Context) error {
	t, err := request.MVTTile(c, hotspotTileParams...)
	if err != nil {
		return err
	}
	v := request.WithoutF(c.QueryParams())
	r, err := s.parseHotspots(c.Request().Context(), v)
	if err != nil {
		return err
	}
	r.out, r.format = crs.CRS84, "geojson"
	gen := s.tileGeneration(hotspotTileSources...)
	canon := fmt.Sprintf("%d|%s|agg=%t", gen, v.Encode(), r.aggregated)
	res, err := s.analysis(c.Request().Context(), canon, func(ctx context.Context) (*analysisResult, error) {
		r.collect = &analysisResult{}
		if err := s.runHotspots(ctx, r); err != nil {
			return nil, err
		}
		r.collect.fc = cellsToGeoJSON(r.collect.features)
		r.collect.features = nil // fc shares the properties; the GeoJSON geometries go
		r.collect.bytes = analysisBytes(r.collect.fc)
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
