package auth

// Login limits that an attacker cannot turn against the owner.
//
// Failed logins are counted under three keys, each with its own allowance and wait:
//
//   - the pair (account, client address): after PairFailures failures (default 5) each further
//     attempt waits, 1 s after the first and doubling with every failure up to LoginBackoffMax
//     (default 15 min). Guessing one account from one place is slowed to a few tries an hour;
//     an attacker elsewhere cannot make the owner wait, because the owner's pair is not theirs.
//   - the client address: after AddressFailures (default 20), the same doubling wait. One
//     address spraying many accounts is slowed the same way.
//   - the account, from anywhere: after AccountFailures (default 100), at most one attempt per
//     AccountInterval (default 10 s). This bounds distributed guessing (many addresses, a few
//     tries each) to about 360 an hour, and it slows rather than blocks: the wait never grows.
//
// A pair that logged in successfully within KnownFor (default 30 days) is known: the address
// and account keys do not apply to it, so neither spraying from a shared address nor a
// distributed attack on the account keeps the owner out from where they usually log in; only
// the pair's own wait applies (someone guessing from the owner's own address — the same NAT —
// is indistinguishable from the owner). During a wait the attempt is refused with 429 and
// Retry-After before the password is checked, so the answer says nothing about it.
//
// Client addresses are as c.RealIP() gives them (see Config.TrustedProxies); IPv6 addresses
// count by their /64, which one subscriber usually holds whole.
//
// The counts live in the database (table login_limits, migration 023), so every server process
// behind a load balancer counts the same failures: ten wrong passwords spread over three
// processes count as ten, and a restart forgets nothing. Each attempt locks its keys for one
// short transaction (layers.Store.UpdateLoginLimits). A key is forgotten FailureWindow (default
// 1 h) after its last failure. The table is bounded like the LRU it replaces: every
// pruneEvery attempts (and at least once a minute) a process deletes the forgotten keys and,
// beyond LoginLimitBytes/limitEntryBytes keys (default 16 MiB, about 65,000), the least
// recently used. Keys are fixed-size (an account name is kept as 16 bytes of its SHA-256), so
// the bound holds whatever names are sent.

import (
	"context"
	"crypto/sha256"
	"net/netip"
	"sync"
	"time"

	"github.com/lagesbild/lagesbild/layers"
)

// limitKind says what a limiter key counts.
type limitKind uint8

const (
	limitPair    limitKind = iota // one account from one client address
	limitAddress                  // one client address, any account
	limitAccount                  // one account, from anywhere
	limitKnown                    // a pair that has logged in: not a count, a mark
)

func (k limitKind) String() string {
	return [...]string{"account_and_address", "address", "account", "known"}[k]
}

// limitEntryBytes is what one key is counted as against LoginLimitBytes: its row, its index
// entries and their share of the pages.
const limitEntryBytes = 256

// pruneEvery is how many attempts a process lets pass between prunes of the table.
const pruneEvery = 64

// limitPolicy is one key's allowance: free failures, then waits of base doubling up to max
// (or, when constant, always base).
type limitPolicy struct {
	free      int
	base, max time.Duration
	constant  bool
}

func (p limitPolicy) wait(fails int) time.Duration {
	if fails < p.free {
		return 0
	}
	if p.constant {
		return p.base
	}
	d := p.base
	for i := p.free; i < fails && d < p.max; i++ {
		d *= 2
	}
	return min(d, p.max)
}

// loginLimiter is safe for concurrent use, in one process and across processes.
type loginLimiter struct {
	store    *layers.Store
	policies [3]limitPolicy // by limitKind, for the counting kinds
	window   time.Duration  // a count is forgotten this long after its last failure
	knownFor time.Duration
	maxKeys  int

	mu         sync.Mutex
	sincePrune int
	lastPrune  time.Time
}

func newLoginLimiter(cfg Config, store *layers.Store) *loginLimiter {
	l := &loginLimiter{store: store, window: cfg.FailureWindow, knownFor: cfg.KnownFor,
		maxKeys: int(max(cfg.LoginLimitBytes/limitEntryBytes, 16))}
	l.policies[limitPair] = limitPolicy{free: cfg.PairFailures, base: cfg.LoginBackoffBase, max: cfg.LoginBackoffMax}
	l.policies[limitAddress] = limitPolicy{free: cfg.AddressFailures, base: cfg.LoginBackoffBase, max: cfg.LoginBackoffMax}
	l.policies[limitAccount] = limitPolicy{free: cfg.AccountFailures, base: cfg.AccountInterval, constant: true}
	return l
}

// clientKey is the address a limit counts by: IPv4 as it is, IPv6 by its /64.
func clientKey(addr netip.Addr) netip.Addr {
	addr = addr.Unmap()
	if addr.Is6() {
		if p, err := addr.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return addr
}

// keys are the limiter's keys of account from addr, indexed by limitKind: the kind, 16 bytes
// of the account name's SHA-256 (zero for the address key), the client address.
func (l *loginLimiter) keys(account string, addr netip.Addr) [4][]byte {
	sum := sha256.Sum256([]byte(account))
	a, _ := clientKey(addr).MarshalBinary()
	key := func(kind limitKind, withAccount, withAddr bool) []byte {
		k := make([]byte, 17, 17+len(a))
		k[0] = byte(kind)
		if withAccount {
			copy(k[1:], sum[:16])
		}
		if withAddr {
			k = append(k, a...)
		}
		return k
	}
	return [4][]byte{key(limitPair, true, true), key(limitAddress, false, true), key(limitAccount, true, false), key(limitKnown, true, true)}
}

// admit decides whether a login for account from addr may be tried at now. When it may, the
// attempt is counted as a failure in advance — so parallel guesses, in this process or
// another, cannot slip past a limit — and succeeded takes it back. When it may not, admit
// returns how long to wait and which limit holds, and counts nothing. An error is the
// database's: the login cannot be judged, and is not tried.
func (l *loginLimiter) admit(ctx context.Context, account string, addr netip.Addr, now time.Time) (time.Duration, limitKind, error) {
	keys := l.keys(account, addr)
	var wait time.Duration
	var kind limitKind
	err := l.store.UpdateLoginLimits(ctx, keys[:], now, func(rows []layers.LimitRow) []layers.LimitRow {
		wait, kind = 0, limitPair
		check := rows[:limitKnown]
		if rows[limitKnown].Found {
			check = check[:1] // the owner's usual place: only the pair's own wait
		}
		var touch []layers.LimitRow
		for i, r := range check {
			if !r.Found {
				continue
			}
			r.Touch = true // a key under attack stays while idle ones go
			touch = append(touch, r)
			if r.Next.Sub(now) > wait {
				wait, kind = r.Next.Sub(now), limitKind(i)
			}
		}
		if wait > 0 {
			return touch
		}
		out := make([]layers.LimitRow, 0, 3)
		for i, r := range rows[:limitKnown] {
			r.Fails++
			r.Last = now
			r.Next = now.Add(l.policies[i].wait(r.Fails))
			r.Expires = now.Add(l.window)
			out = append(out, r)
		}
		return out
	})
	if err != nil {
		return 0, 0, err
	}
	l.prune(ctx, now)
	return wait, kind, nil
}

// succeeded takes back the failure admit counted for a login that succeeded: the pair starts
// afresh and becomes known, and the address and account lose this one failure.
func (l *loginLimiter) succeeded(ctx context.Context, account string, addr netip.Addr, now time.Time) error {
	keys := l.keys(account, addr)
	return l.store.UpdateLoginLimits(ctx, keys[:], now, func(rows []layers.LimitRow) []layers.LimitRow {
		out := []layers.LimitRow{{Key: keys[limitPair], Delete: true}}
		for _, k := range []limitKind{limitAddress, limitAccount} {
			r := rows[k]
			if !r.Found || r.Fails == 0 {
				continue
			}
			r.Fails--
			if r.Fails < l.policies[k].free {
				r.Next = r.Last
			}
			out = append(out, r)
		}
		return append(out, layers.LimitRow{Key: keys[limitKnown], Last: now, Next: now, Expires: now.Add(l.knownFor)})
	})
}

// prune deletes forgotten and surplus keys every pruneEvery attempts of this process and at
// least once a minute. A failure is not the attempt's: the next prune tries again.
func (l *loginLimiter) prune(ctx context.Context, now time.Time) {
	l.mu.Lock()
	l.sincePrune++
	due := l.sincePrune >= pruneEvery || now.Sub(l.lastPrune) >= time.Minute || now.Before(l.lastPrune)
	if due {
		l.sincePrune, l.lastPrune = 0, now
	}
	l.mu.Unlock()
	if due {
		_, _ = l.store.PruneLoginLimits(ctx, now, l.maxKeys)
	}
}
