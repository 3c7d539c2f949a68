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
// The counts live in this process's memory, in an LRU bounded in bytes (web/lru; LoginLimitBytes,
// default 16 MiB, about 65,000 keys): they reset when the server restarts and are not
// shared between replicas. A key is forgotten FailureWindow (default 1 h) after its last
// failure. Keys are fixed-size (an account name is kept as 16 bytes of its SHA-256), so the
// bound holds whatever names are sent.

import (
	"crypto/sha256"
	"net/netip"
	"sync"
	"time"

	"github.com/lagesbild/lagesbild/web/lru"
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

// limitKey is fixed-size, so that the limiter's bytes follow from its number of keys.
type limitKey struct {
	kind    limitKind
	account [16]byte
	addr    netip.Addr
}

type limitEntry struct {
	fails int
	last  time.Time // the last failure (for limitKnown, the last success)
	next  time.Time // no attempt before this
}

// limitEntryBytes is what one key costs: the entry, its list element and its map slot.
const limitEntryBytes = 256

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

// loginLimiter is safe for concurrent use.
type loginLimiter struct {
	mu       sync.Mutex
	policies [3]limitPolicy // by limitKind, for the counting kinds
	window   time.Duration  // a count is forgotten this long after its last failure
	knownFor time.Duration
	entries  *lru.Cache[limitKey, *limitEntry] // each costs limitEntryBytes
}

func newLoginLimiter(cfg Config) *loginLimiter {
	l := &loginLimiter{window: cfg.FailureWindow, knownFor: cfg.KnownFor,
		entries: lru.New(max(cfg.LoginLimitBytes, 16*limitEntryBytes), func(limitKey, *limitEntry) int64 { return limitEntryBytes })}
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

func (l *loginLimiter) keys(account string, addr netip.Addr) (pair, address, acct, known limitKey) {
	sum := sha256.Sum256([]byte(account))
	var h [16]byte
	copy(h[:], sum[:])
	addr = clientKey(addr)
	return limitKey{kind: limitPair, account: h, addr: addr}, limitKey{kind: limitAddress, addr: addr},
		limitKey{kind: limitAccount, account: h}, limitKey{kind: limitKnown, account: h, addr: addr}
}

// live returns key's entry when it is still remembered at now; the caller holds mu.
func (l *loginLimiter) live(key limitKey, now time.Time) *limitEntry {
	e, ok := l.entries.Peek(key)
	if !ok {
		return nil
	}
	keep := l.window
	if key.kind == limitKnown {
		keep = l.knownFor
	}
	if now.Sub(e.last) > keep {
		l.entries.Remove(key)
		return nil
	}
	return e
}

// touch returns key's entry, made when missing and moved to the front; the caller holds mu.
func (l *loginLimiter) touch(key limitKey, now time.Time) *limitEntry {
	if e := l.live(key, now); e != nil {
		l.entries.Get(key)
		return e
	}
	e := &limitEntry{}
	l.entries.Put(key, e) // the least recently used key goes when the bound is reached
	return e
}

// admit decides whether a login for account from addr may be tried at now. When it may, the
// attempt is counted as a failure in advance — so parallel guesses cannot slip past a limit —
// and succeeded takes it back. When it may not, admit returns how long to wait and which
// limit holds, and counts nothing.
func (l *loginLimiter) admit(account string, addr netip.Addr, now time.Time) (time.Duration, limitKind) {
	l.mu.Lock()
	defer l.mu.Unlock()
	pair, address, acct, known := l.keys(account, addr)
	check := []limitKey{pair, address, acct}
	if l.live(known, now) != nil {
		check = check[:1] // the owner's usual place: only the pair's own wait
	}
	var wait time.Duration
	kind := limitPair
	for _, k := range check {
		e := l.live(k, now)
		if e == nil {
			continue
		}
		l.entries.Get(k) // a key under attack stays while idle ones go
		if e.next.Sub(now) > wait {
			wait, kind = e.next.Sub(now), k.kind
		}
	}
	if wait > 0 {
		return wait, kind
	}
	for _, k := range []limitKey{pair, address, acct} {
		e := l.touch(k, now)
		e.fails++
		e.last = now
		e.next = now.Add(l.policies[k.kind].wait(e.fails))
	}
	return 0, 0
}

// succeeded takes back the failure admit counted for a login that succeeded: the pair starts
// afresh and becomes known, and the address and account lose this one failure.
func (l *loginLimiter) succeeded(account string, addr netip.Addr, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	pair, address, acct, known := l.keys(account, addr)
	l.entries.Remove(pair)
	for _, k := range []limitKey{address, acct} {
		if e := l.live(k, now); e != nil && e.fails > 0 {
			e.fails--
			if e.fails < l.policies[k.kind].free {
				e.next = time.Time{}
			}
		}
	}
	l.touch(known, now).last = now
}
