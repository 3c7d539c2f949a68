package auth

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestLoginLimiterBoundedInBytes: a flood of distinct account names and addresses keeps the
// limiter within LoginLimitBytes, and a key under attack — touched with every guess — stays
// while the flood pushes out the idle ones.
func TestLoginLimiterBoundedInBytes(t *testing.T) {
	cfg := Config{LoginLimitBytes: 64 << 10}.withDefaults()
	l := newLoginLimiter(cfg)
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	victim, attacker := "owner", netip.MustParseAddr("203.0.113.7")
	for i := range 20_000 {
		if i%50 == 0 {
			l.admit(victim, attacker, now) // the pair under attack, again and again
		}
		l.admit(fmt.Sprintf("name%d", i), netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), now)
		now = now.Add(time.Millisecond)
	}
	if got, limit := l.entries.Len()*limitEntryBytes, int(cfg.LoginLimitBytes); got > limit || l.entries.Bytes() != int64(got) {
		t.Errorf("%d keys (%d bytes, %d by the LRU); want at most %d bytes", l.entries.Len(), got, l.entries.Bytes(), limit)
	}
	if wait, kind := l.admit(victim, attacker, now); wait == 0 || kind != limitPair {
		t.Errorf("the attacked pair was forgotten in the flood: wait %v (%v)", wait, kind)
	}
}

// TestLoginBackoff: free failures, then doubling waits up to the cap; the account's wait
// never grows.
func TestLoginBackoff(t *testing.T) {
	p := limitPolicy{free: 5, base: time.Second, max: 15 * time.Minute}
	for fails, want := range map[int]time.Duration{1: 0, 4: 0, 5: time.Second, 6: 2 * time.Second, 9: 16 * time.Second, 15: 15 * time.Minute, 1000: 15 * time.Minute} {
		if got := p.wait(fails); got != want {
			t.Errorf("wait after %d failures: %v, want %v", fails, got, want)
		}
	}
	acct := limitPolicy{free: 100, base: 10 * time.Second, constant: true}
	if got := acct.wait(10_000); got != 10*time.Second {
		t.Errorf("account wait after 10,000 failures: %v, want 10s", got)
	}
}

// TestClientKeyIPv6Prefix: addresses of one IPv6 /64 count as one; IPv4 (also mapped) as itself.
func TestClientKeyIPv6Prefix(t *testing.T) {
	if a, b := clientKey(netip.MustParseAddr("2001:db8:1:2::1")), clientKey(netip.MustParseAddr("2001:db8:1:2:ffff::9")); a != b {
		t.Errorf("one /64 gives %v and %v", a, b)
	}
	if a, b := clientKey(netip.MustParseAddr("2001:db8:1:2::1")), clientKey(netip.MustParseAddr("2001:db8:1:3::1")); a == b {
		t.Errorf("two /64s give %v", a)
	}
	if got := clientKey(netip.MustParseAddr("::ffff:192.0.2.1")); got != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("mapped IPv4 gives %v", got)
	}
}
