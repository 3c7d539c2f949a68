package auth

import (
	"sync"
	"time"

	"github.com/lagesbild/lagesbild/layers"
)

// TokenCache keeps the principals of API tokens seen recently, so that a request with a
// token does not wait for the database: measured before it, a cached tile cost a quarter of
// the anonymous throughput with a token (one indexed lookup per request).
//
// Revocation stays immediate. Every change that can end or narrow a token — a revocation
// (with its descendants), an expiry moved, an account disabled or its role changed, an
// organisation changed or removed — is announced by a trigger (migration 020) on the change
// channel every server process listens to, and Changed drops every entry at once. Entries
// are used only while the listener is connected (layers.Store.Listening): notifications
// sent while nobody listens are lost, so without the listener every request asks the
// database, and reconnecting drops everything. A revocation through this process drops the
// entries before it answers (Drop), so its own next request already fails. An entry also
// lives at most TokenCacheTTL, which bounds how stale a principal can be if a notification
// were lost on a connection that broke silently, and keeps the token's last use recorded
// (layers.Store.TokenPrincipal writes it at most once a minute).
//
// A TokenCache is safe for concurrent use; the zero value is not usable, create one with
// NewTokenCache.
type TokenCache struct {
	listening func() bool
	maxBytes  int64

	mu      sync.Mutex
	gen     uint64 // advanced by every drop; a lookup that began before one is not kept
	bytes   int64
	entries map[string]tokenEntry // by the token's SHA-256
}

type tokenEntry struct {
	p     layers.Principal
	demo  bool
	until time.Time // cached until then, or until the token expires, whichever is first
	cost  int64
}

// TokenCacheTTL is the longest an API token's principal is served from memory.
const TokenCacheTTL = 10 * time.Second

// DefaultTokenCacheBytes bounds a TokenCache made with maxBytes 0 (about 2,000 tokens).
const DefaultTokenCacheBytes = 1 << 20

// NewTokenCache returns a cache of at most maxBytes (0: DefaultTokenCacheBytes) that trusts
// its entries only while listening says the change listener is connected (pass
// store.Listening of the store whose ListenChanges feeds Changed).
func NewTokenCache(listening func() bool, maxBytes int64) *TokenCache {
	if maxBytes <= 0 {
		maxBytes = DefaultTokenCacheBytes
	}
	return &TokenCache{listening: listening, maxBytes: maxBytes, entries: map[string]tokenEntry{}}
}

// Changed is the cache's part of the change listener (layers.Store.ListenChanges): a change
// to the tables a token's principal is read from, or "" (the listener has just connected),
// drops every entry.
func (c *TokenCache) Changed(table string) {
	switch table {
	case "", "api_tokens", "users", "organisations":
		c.Drop()
	}
}

// Drop forgets every cached principal; lookups in flight do not put theirs back.
func (c *TokenCache) Drop() {
	c.mu.Lock()
	c.gen++
	clear(c.entries)
	c.bytes = 0
	c.mu.Unlock()
}

// get returns a copy of the principal cached for the token hash, valid at now, and the
// generation a lookup that misses must hand to put.
func (c *TokenCache) get(hash []byte, now time.Time) (p *layers.Principal, demo bool, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.listening() {
		return nil, false, c.gen, false
	}
	e, ok := c.entries[string(hash)]
	if !ok || !now.Before(e.until) {
		return nil, false, c.gen, false
	}
	q := e.p // handlers get their own copy of the struct; its slices are never written
	return &q, e.demo, c.gen, true
}

// put keeps p for the token hash, unless the cache was dropped since the lookup began (gen)
// or the listener is not connected; when full it forgets other entries first.
func (c *TokenCache) put(hash []byte, p *layers.Principal, demo bool, gen uint64, now time.Time) {
	cost := int64(256 + 2*len(hash) + len(p.Organisation) + len(p.OrgKind) + len(p.OrgName) + len(p.Username))
	for _, s := range p.Scopes {
		cost += int64(16 + len(s))
	}
	for _, s := range p.Roles {
		cost += int64(16 + len(s))
	}
	until := now.Add(TokenCacheTTL)
	if !p.Expires.IsZero() && p.Expires.Before(until) {
		until = p.Expires
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.listening() || cost > c.maxBytes {
		return
	}
	key := string(hash)
	if old, ok := c.entries[key]; ok {
		c.bytes -= old.cost
		delete(c.entries, key)
	}
	for k, e := range c.entries { // map order: an arbitrary victim, no bookkeeping per hit
		if c.bytes+cost <= c.maxBytes {
			break
		}
		c.bytes -= e.cost
		delete(c.entries, k)
	}
	c.entries[key] = tokenEntry{p: *p, demo: demo, until: until, cost: cost}
	c.bytes += cost
}

// Len is the number of principals cached, for tests and metrics.
func (c *TokenCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
