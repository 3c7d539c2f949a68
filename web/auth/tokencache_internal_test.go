package auth

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
)

// TestTokenCacheBounds: the cache stays within its bytes, keeps nothing from a lookup that
// began before a drop or while the listener is away, and serves nothing past the token's
// expiry or TokenCacheTTL.
func TestTokenCacheBounds(t *testing.T) {
	live := true
	c := NewTokenCache(func() bool { return live }, 8<<10)
	now := time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)
	p := &layers.Principal{Credential: layers.CredentialToken, Organisation: "polisen", OrgKind: "police", Scopes: []string{"read"}, Expires: now.Add(time.Hour)}
	hash := func(i int) []byte { h := sha256.Sum256(fmt.Appendf(nil, "token %d", i)); return h[:] }
	for i := range 1000 {
		_, _, gen, _ := c.get(hash(i), now)
		c.put(hash(i), p, false, gen, now)
		if c.bytes > c.maxBytes {
			t.Fatalf("%d bytes kept after %d tokens, bound %d", c.bytes, i+1, c.maxBytes)
		}
	}
	if n := c.Len(); n < 10 || n > 40 {
		t.Errorf("%d tokens kept in 8 KiB", n)
	}

	_, _, gen, _ := c.get(hash(-1), now)
	c.Changed("api_tokens") // a revocation lands while the lookup is in the database
	c.put(hash(-1), p, false, gen, now)
	if _, _, _, ok := c.get(hash(-1), now); ok || c.Len() != 0 {
		t.Errorf("a principal looked up before the drop was kept (%d entries)", c.Len())
	}
	c.Changed("observations")
	_, _, gen, _ = c.get(hash(-1), now)
	c.put(hash(-1), p, false, gen, now)
	got, _, _, ok := c.get(hash(-1), now.Add(TokenCacheTTL-time.Millisecond))
	if !ok || got == p || got.Organisation != "polisen" {
		t.Fatalf("get = %v, %v: want a copy of the principal", got, ok)
	}
	if _, _, _, ok := c.get(hash(-1), now.Add(TokenCacheTTL)); ok {
		t.Error("served after TokenCacheTTL")
	}
	short := *p
	short.Expires = now.Add(time.Second)
	c.put(hash(-2), &short, false, c.gen, now)
	if _, _, _, ok := c.get(hash(-2), now.Add(time.Second)); ok {
		t.Error("served at the token's expiry")
	}
	live = false
	if _, _, _, ok := c.get(hash(-1), now); ok {
		t.Error("served while the listener is not connected")
	}
	c.put(hash(-3), p, false, c.gen, now)
	live = true
	if _, _, _, ok := c.get(hash(-3), now); ok {
		t.Error("kept a principal looked up while the listener was not connected")
	}
}
