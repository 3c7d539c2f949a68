package web

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/lru"
)

// TileCache keeps finished tiles in memory, bounded by the bytes they take, least recently
// used first out. A tile is stored ready to send: its body, its gzip form and their ETags,
// so a hit costs no database round trip, no compression and no hashing.
//
// Invalidation is by generation: every table behind a tile has a counter that is part of
// the key, and a change to the table bumps it, so stale entries are never found again and
// age out. Changes are announced by PostgreSQL (see layers.Store.ListenChanges), so they
// reach every server process, whoever wrote.
type TileCache struct {
	maxBytes int64

	mu    sync.Mutex
	items *lru.Cache[string, *cachedTile]
	gens  map[string]uint64 // table → generation
	epoch uint64            // bumped when every table must count as changed

	flight singleflight.Group

	hits, misses, evictions, invalidations prometheus.Counter
	size                                   prometheus.GaugeFunc
}

type cachedTile struct {
	key  string
	body []byte // uncompressed MVT; empty: the tile is empty (204)
	etag string // ETag of body; the gzip form's is etag + "-gz"
	// gz is the gzip form, made on the first request that accepts it (many clients, wrk
	// among them, never do); nil when the tile is too small to be worth compressing.
	gzOnce sync.Once
	gz     []byte
}

// cost is what the entry takes, counting the gzip form (about a third of the body) whether
// or not it has been made yet, so the bound holds without re-accounting.
func (t *cachedTile) cost() int64 { return int64(len(t.key)+len(t.body)+len(t.body)/3) + 160 }

// NewTileCache returns a cache holding at most maxBytes of tiles; 0 disables caching.
func NewTileCache(maxBytes int64) *TileCache {
	c := &TileCache{
		maxBytes: maxBytes,
		items:    lru.New(maxBytes, func(_ string, t *cachedTile) int64 { return t.cost() }),
		gens:     map[string]uint64{},
		hits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lagesbild_tile_cache_hits_total", Help: "Tiles served from the in-process cache."}),
		misses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lagesbild_tile_cache_misses_total", Help: "Tiles that had to be made in PostGIS."}),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lagesbild_tile_cache_evictions_total", Help: "Tiles dropped to stay within the memory bound."}),
		invalidations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lagesbild_tile_cache_invalidations_total", Help: "Layer changes that made cached tiles stale."}),
	}
	c.size = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "lagesbild_tile_cache_bytes", Help: "Bytes held by the tile cache."},
		func() float64 { c.mu.Lock(); defer c.mu.Unlock(); return float64(c.items.Bytes()) })
	return c
}

func (c *TileCache) collectors() []prometheus.Collector {
	return []prometheus.Collector{c.hits, c.misses, c.evictions, c.invalidations, c.size}
}

// generation folds the current generations of the given tables into one number for a key,
// so that a change to any of them makes the key new.
func (c *TileCache) generation(tables ...string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.epoch
	for _, t := range tables {
		g = g*1_000_003 + c.gens[t]
	}
	return g
}

// Invalidate makes every cached tile made from the given tables stale.
func (c *TileCache) Invalidate(tables ...string) {
	c.mu.Lock()
	for _, t := range tables {
		c.gens[t]++
	}
	c.mu.Unlock()
	c.invalidations.Inc()
}

// InvalidateAll makes every cached tile stale.
func (c *TileCache) InvalidateAll() {
	c.mu.Lock()
	c.epoch++
	c.mu.Unlock()
	c.invalidations.Inc()
}

// get returns the tile for key, making it with make on a miss. Concurrent misses for one
// key make it once. The shared work runs detached from the first caller's context (with its
// own time limit), so a client that gives up — a map cancels tile requests on every pan —
// does not fail the others waiting for the same tile; each caller stops waiting when its
// own context ends.
func (c *TileCache) get(ctx context.Context, key string, make func(context.Context) (*cachedTile, error)) (*cachedTile, error) {
	// A tile is made from the rows its caller may see, so only callers of the same clearance
	// share it (and its singleflight).
	key = auth.ClearanceKey(ctx) + "|" + key
	if c.maxBytes <= 0 || layers.NoCaches(ctx) { // uncached: the caller's own write may not yet be reflected (freshness.go)
		c.misses.Inc()
		return make(ctx)
	}
	c.mu.Lock()
	t, ok := c.items.Get(key)
	c.mu.Unlock()
	if ok {
		c.hits.Inc()
		return t, nil
	}
	c.misses.Inc()
	return lru.SharedDo(ctx, &c.flight, key, func(shared context.Context) (*cachedTile, error) {
		t, err := make(shared)
		if err != nil {
			return nil, err
		}
		t.key = key
		c.put(t)
		return t, nil
	})
}

func (c *TileCache) put(t *cachedTile) {
	if t.cost() > c.maxBytes/8 { // one tile must not flush the cache
		return
	}
	c.mu.Lock()
	dropped := c.items.Put(t.key, t)
	c.mu.Unlock()
	c.evictions.Add(float64(dropped))
}

// ChangeHandler returns the function to pass to layers.Store.ListenChanges: a changed table
// makes the tiles made from it stale, and the extents of the layers reading it; "" (the
// listener has just connected, so changes may have been missed) makes everything stale.
func ChangeHandler(cat *layers.Catalogue, store *layers.Store, cache *TileCache) func(table string) {
	return func(table string) {
		if table == "" {
			cache.InvalidateAll()
		} else {
			cache.Invalidate(table)
		}
		for _, id := range cat.LayersReading(table) {
			store.InvalidateExtent(id)
		}
	}
}
