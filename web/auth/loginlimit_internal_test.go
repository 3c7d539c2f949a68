package auth

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

var testDB *layerstest.DB

func TestMain(m *testing.M) { os.Exit(layerstest.Main(m, "auth", &testDB)) }

// newTestLimiter is a limiter of cfg over the test database, its table emptied first.
func newTestLimiter(t *testing.T, cfg Config) (*loginLimiter, *layers.Store) {
	t.Helper()
	db := layerstest.Require(t, testDB)
	if _, err := db.Pool.Exec(context.Background(), `DELETE FROM login_limits`); err != nil {
		t.Fatal(err)
	}
	store := layers.NewStore(db.AppPool)
	return newLoginLimiter(cfg.withDefaults(), store), store
}

// TestLoginLimiterBoundedInBytes: a flood of distinct account names and addresses keeps the
// limiter's table within LoginLimitBytes (give or take what one process adds between two
// prunes), and a key under attack — touched with every guess — stays while the flood pushes
// out the idle ones.
func TestLoginLimiterBoundedInBytes(t *testing.T) {
	cfg := Config{LoginLimitBytes: 64 << 10}
	l, store := newTestLimiter(t, cfg)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	victim, attacker := "owner", netip.MustParseAddr("203.0.113.7")
	maxKeys := int(cfg.LoginLimitBytes / limitEntryBytes)
	for i := range 1500 {
		if i%50 == 0 {
			if _, _, err := l.admit(ctx, victim, attacker, now); err != nil { // the pair under attack, again and again
				t.Fatal(err)
			}
		}
		if _, _, err := l.admit(ctx, fmt.Sprintf("name%d", i), netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), now); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Millisecond)
	}
	n, err := store.CountLoginLimits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if limit := maxKeys + 3*pruneEvery; n > limit {
		t.Errorf("%d keys after the flood; want at most %d (%d bytes, and three keys for each attempt between prunes)", n, limit, cfg.LoginLimitBytes)
	}
	if wait, kind, err := l.admit(ctx, victim, attacker, now); err != nil || wait == 0 || kind != limitPair {
		t.Errorf("the attacked pair was forgotten in the flood: wait %v (%v), %v", wait, kind, err)
	}
}

// TestLoginLimiterSharedAcrossProcesses: three limiters over one database — three server
// processes behind a load balancer — count one attacker's ten wrong passwords as ten: the
// pair's five free failures are used up whichever process took them, and the sixth attempt on
// any process waits. A success through one process makes the pair known to the others.
// (Before: each process counted in its own memory, and ten guesses over three processes were
// three or four in each, under every limit.)
func TestLoginLimiterSharedAcrossProcesses(t *testing.T) {
	_, store := newTestLimiter(t, Config{})
	cfg := Config{}.withDefaults()
	procs := []*loginLimiter{newLoginLimiter(cfg, store), newLoginLimiter(cfg, store), newLoginLimiter(cfg, store)}
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	attacker := netip.MustParseAddr("203.0.113.7")
	for i := range 5 {
		if wait, _, err := procs[i%3].admit(ctx, "owner", attacker, now); err != nil || wait != 0 {
			t.Fatalf("guess %d: wait %v, %v; want none", i+1, wait, err)
		}
	}
	for i := 5; i < 10; i++ {
		wait, kind, err := procs[i%3].admit(ctx, "owner", attacker, now)
		if err != nil {
			t.Fatal(err)
		}
		if wait == 0 || kind != limitPair {
			t.Errorf("guess %d through process %d: wait %v (%v), want the pair's wait", i+1, i%3, wait, kind)
		}
		now = now.Add(wait)
		if _, _, err := procs[i%3].admit(ctx, "owner", attacker, now); err != nil {
			t.Fatal(err)
		}
	}
	home := netip.MustParseAddr("198.51.100.2")
	if wait, _, err := procs[0].admit(ctx, "owner", home, now); err != nil || wait != 0 {
		t.Fatalf("the owner elsewhere waits %v, %v", wait, err)
	}
	if err := procs[0].succeeded(ctx, "owner", home, now); err != nil {
		t.Fatal(err)
	}
	keys := procs[2].keys("owner", home)
	err := store.UpdateLoginLimits(ctx, keys[:], now, func(rows []layers.LimitRow) []layers.LimitRow {
		if !rows[limitKnown].Found || rows[limitPair].Found {
			t.Errorf("after a success through process 0: known mark %v, pair count %v; want a mark and no count", rows[limitKnown].Found, rows[limitPair].Found)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLoginLimiterParallelGuesses: forty guesses at once from one place, through four
// limiters, are admitted five times — the pair's free failures — because each key is
// locked while an attempt is counted.
func TestLoginLimiterParallelGuesses(t *testing.T) {
	_, store := newTestLimiter(t, Config{})
	cfg := Config{}.withDefaults()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var admitted atomic.Int32
	for p := range 4 {
		l := newLoginLimiter(cfg, store)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				wait, _, err := l.admit(ctx, "owner", netip.MustParseAddr("203.0.113.7"), now)
				if err != nil {
					t.Errorf("process %d: %v", p, err)
				} else if wait == 0 {
					admitted.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	if got := admitted.Load(); got != 5 {
		t.Errorf("%d of 40 parallel guesses admitted, want 5 (the free failures; the fifth sets the first wait)", got)
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
