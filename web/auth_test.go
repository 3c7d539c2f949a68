package web_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
	"github.com/lagesbild/lagesbild/web"
	"github.com/lagesbild/lagesbild/web/auth"
)

// testClock is the injected clock of sessions, tokens and JWTs.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fastArgon keeps the tests' hashing cheap; the parameters travel in the hash, so
// verification uses them whatever the server's defaults.
var fastArgon = layers.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

// newAuthAPI is newAPI with an identity configuration and a clock.
func newAuthAPI(t *testing.T, cfg auth.Config) (*api, *testClock) {
	t.Helper()
	return newAuthAPIConfig(t, web.Config{Auth: cfg})
}

// newAuthAPIConfig is newAuthAPI with the whole server configuration.
func newAuthAPIConfig(t *testing.T, cfg web.Config) (*api, *testClock) {
	t.Helper()
	db := layerstest.Require(t, testDB)
	forgetLoginLimits(t, db)
	clock := &testClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	cfg.Version = "test"
	cfg.Auth.Now = clock.Now
	cfg.Auth.Argon2 = fastArgon
	cat := layers.NewCatalogue()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(web.New(cfg, layers.NewStore(db.AppPool), cat, log))
	t.Cleanup(srv.Close)
	return newClient(t, srv), clock
}

var uniqSeq atomic.Int64

// uniq is a fresh lower-case name for organisations and accounts of one test.
func uniq(prefix string) string {
	return fmt.Sprintf("%s%d-%d", prefix, os.Getpid()%10000, uniqSeq.Add(1))
}

type account struct{ org, user, password string }

// newAccount creates an organisation (kind) and an account with role in it, removed after the test.
func newAccount(t *testing.T, kind, role string) account {
	t.Helper()
	ctx := context.Background()
	store := layers.NewStore(testDB.Pool)
	acc := account{org: uniq("org"), user: uniq("user."), password: "correct horse battery staple"}
	if err := store.CreateOrganisation(ctx, layers.Organisation{Code: acc.org, Name: "Test " + acc.org, Kind: kind}); err != nil {
		t.Fatal(err)
	}
	hash, err := layers.HashPassword(acc.password, fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateUser(ctx, layers.NewUser{Organisation: acc.org, Username: acc.user, Role: role, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for _, q := range []string{`DELETE FROM api_tokens WHERE organisation = $1`, `DELETE FROM users WHERE organisation = $1`, `DELETE FROM organisations WHERE code = $1`} {
			if _, err := testDB.Pool.Exec(ctx, q, acc.org); err != nil {
				t.Errorf("clean up %s: %v", acc.org, err)
			}
		}
	})
	return acc
}

func jsonBody(v any) string { b, _ := json.Marshal(v); return string(b) }

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

func withHeader(h http.Header, kv ...string) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

type principal struct {
	Credential    string     `json:"credential"`
	Organisation  string     `json:"organisation"`
	OrgKind       string     `json:"organisation_kind"`
	OrgName       string     `json:"organisation_name"`
	Username      string     `json:"username"`
	TokenID       int64      `json:"token_id"`
	Roles         []string   `json:"roles"`
	Scopes        []string   `json:"scopes"`
	CSRFToken     string     `json:"csrf_token"`
	IdleExpiresAt *time.Time `json:"idle_expires_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return v
}

// session is a logged-in browser: its cookie header and CSRF token.
type session struct {
	cookie *http.Cookie
	csrf   string
}

func (s session) header() http.Header {
	return http.Header{"Cookie": {s.cookie.Name + "=" + s.cookie.Value}}
}
func (s session) write() http.Header {
	return withHeader(s.header(), auth.CSRFHeader, s.csrf, "Content-Type", "application/json")
}

func sessionCookie(t *testing.T, res *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == auth.SessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", auth.SessionCookie, res.Header.Values("Set-Cookie"))
	return nil
}

func login(t *testing.T, a *api, acc account) session {
	t.Helper()
	res, body := a.write("POST", "/auth/login", jsonHeader, jsonBody(map[string]string{"username": acc.user, "password": acc.password}), 200)
	p := decode[principal](t, body)
	return session{cookie: sessionCookie(t, res), csrf: p.CSRFToken}
}

func TestLoginLogoutMe(t *testing.T) {
	a, clock := newAuthAPI(t, auth.Config{})
	acc := newAccount(t, "municipality", "editor")

	_, body := a.write("GET", "/auth/me", nil, "", 200)
	if p := decode[principal](t, body); p.Credential != "anonymous" || p.Organisation != "" || len(p.Roles) != 0 || p.CSRFToken != "" {
		t.Errorf("anonymous /auth/me = %+v", p)
	}

	res, body := a.write("POST", "/auth/login", jsonHeader, jsonBody(map[string]string{"username": strings.ToUpper(acc.user), "password": acc.password}), 200)
	p := decode[principal](t, body)
	c := sessionCookie(t, res)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Errorf("cookie over plain HTTP: HttpOnly %v SameSite %v Path %q Secure %v; want true, Lax, /, false", c.HttpOnly, c.SameSite, c.Path, c.Secure)
	}
	if c.MaxAge != int((12 * time.Hour).Seconds()) {
		t.Errorf("cookie Max-Age %d, want 12 h", c.MaxAge)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("login answer Cache-Control %q, want no-store", res.Header.Get("Cache-Control"))
	}
	want := principal{Credential: "session", Organisation: acc.org, OrgKind: "municipality", OrgName: "Test " + acc.org, Username: acc.user,
		Roles: []string{"reader", "editor"}, Scopes: []string{"read", "write"}}
	if p.Credential != want.Credential || p.Organisation != want.Organisation || p.OrgKind != want.OrgKind || p.OrgName != want.OrgName || p.Username != want.Username ||
		!slices.Equal(p.Roles, want.Roles) || !slices.Equal(p.Scopes, want.Scopes) {
		t.Errorf("login answer %+v, want %+v", p, want)
	}
	if p.CSRFToken == "" || p.ExpiresAt == nil || !p.ExpiresAt.Equal(clock.Now().Add(12*time.Hour)) ||
		p.IdleExpiresAt == nil || !p.IdleExpiresAt.Equal(clock.Now().Add(30*time.Minute)) {
		t.Errorf("login answer times or CSRF token: %+v", p)
	}
	// Only the hash of the cookie's secret is stored.
	sum := sha256.Sum256([]byte(c.Value))
	if n := count(t, `SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND u.username = $2`, sum[:], acc.user); n != 1 {
		t.Errorf("%d sessions stored under the cookie's hash, want 1", n)
	}
	if n := count(t, `SELECT count(*) FROM sessions WHERE encode(id_hash, 'escape') LIKE '%' || $1 || '%'`, c.Value); n != 0 {
		t.Errorf("the session secret is stored in the clear")
	}
	s := session{cookie: c, csrf: p.CSRFToken}

	_, body = a.write("GET", "/auth/me", s.header(), "", 200)
	if me := decode[principal](t, body); me.Credential != "session" || me.Username != acc.user || me.CSRFToken != p.CSRFToken {
		t.Errorf("/auth/me with the cookie = %+v", me)
	}
	// The session works for the rest of the API and anonymous reads still work.
	a.write("GET", "/collections/districts/items?limit=1", s.header(), "", 200)
	a.write("GET", "/collections/districts/items?limit=1", nil, "", 200)

	// A form login works as well.
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	res, _ = a.write("POST", "/auth/login", form, url.Values{"username": {acc.user}, "password": {acc.password}}.Encode(), 200)
	if sessionCookie(t, res).Value == c.Value {
		t.Error("a second login reused the session secret")
	}

	// Logout needs the CSRF token; then the session is gone and the old cookie is refused.
	a.write("POST", "/auth/logout", s.header(), "", 403)
	res, _ = a.write("POST", "/auth/logout", withHeader(s.header(), auth.CSRFHeader, s.csrf), "", 204)
	if cl := sessionCookie(t, res); cl.MaxAge >= 0 || cl.Value != "" {
		t.Errorf("logout did not clear the cookie: %+v", cl)
	}
	if n := count(t, `SELECT count(*) FROM sessions WHERE id_hash = $1`, sum[:]); n != 0 {
		t.Errorf("session still stored after logout")
	}
	res, _ = a.write("GET", "/auth/me", s.header(), "", 401)
	if cl := sessionCookie(t, res); cl.MaxAge >= 0 {
		t.Error("a refused session cookie is not cleared")
	}
	if res.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	// Credentials given but wrong are never silently anonymous, on any endpoint.
	a.write("GET", "/collections/districts/items?limit=1", s.header(), "", 401)

	// The cookie is Secure behind a TLS-terminating proxy.
	res, _ = a.write("POST", "/auth/login", withHeader(jsonHeader, "X-Forwarded-Proto", "https"),
		jsonBody(map[string]string{"username": acc.user, "password": acc.password}), 200)
	if !sessionCookie(t, res).Secure {
		t.Error("cookie not Secure for an HTTPS request")
	}
}

func TestLoginRefused(t *testing.T) {
	a, _ := newAuthAPI(t, auth.Config{})
	acc := newAccount(t, "police", "reader")
	tests := []struct {
		name, header, body string
		status             int
		param              string
	}{
		{"wrong password", "application/json", jsonBody(map[string]string{"username": acc.user, "password": "wrong password!"}), 401, ""},
		{"unknown account", "application/json", jsonBody(map[string]string{"username": "nobody.here", "password": acc.password}), 401, ""},
		{"no password", "application/json", jsonBody(map[string]string{"username": acc.user}), 400, "password"},
		{"no username", "application/json", jsonBody(map[string]string{"password": "x"}), 400, "username"},
		{"password not a string", "application/json", `{"username":"x","password":7}`, 400, "password"},
		{"not JSON", "application/json", `{`, 400, "body"},
		{"plain text", "text/plain", "username=x", 415, ""},
		{"NUL in the username", "application/json", `{"username":"a\u0000b","password":"x"}`, 400, "username"},
		{"NUL in a form field", "application/x-www-form-urlencoded", "username=a%00b&password=x", 400, "username"},
	}
	details := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := a.write("POST", "/auth/login", http.Header{"Content-Type": {tt.header}}, tt.body, tt.status)
			p := decode[web.Problem](t, body)
			if p.Param != tt.param {
				t.Errorf("param %q, want %q", p.Param, tt.param)
			}
			if tt.status == 401 {
				details[p.Detail] = true
			}
		})
	}
	if len(details) != 1 {
		t.Errorf("wrong password and unknown account answer differently: %v", details)
	}
	// Another site cannot log the browser in (login CSRF).
	a.write("POST", "/auth/login", withHeader(jsonHeader, "Origin", "https://evil.example"),
		jsonBody(map[string]string{"username": acc.user, "password": acc.password}), 403)
	a.write("POST", "/auth/login", withHeader(jsonHeader, "Origin", a.srv.URL),
		jsonBody(map[string]string{"username": acc.user, "password": acc.password}), 200)
	// A disabled account cannot log in, and its sessions end.
	s := login(t, a, acc)
	if err := layers.NewStore(testDB.Pool).SetUserDisabled(context.Background(), acc.user, true); err != nil {
		t.Fatal(err)
	}
	a.write("POST", "/auth/login", jsonHeader, jsonBody(map[string]string{"username": acc.user, "password": acc.password}), 401)
	a.write("GET", "/auth/me", s.header(), "", 401)
}

// TestLoginLimitsCannotLockOutTheOwner: behind a trusted proxy (the test's loopback), each
// client is told apart by X-Forwarded-For. Guesses from one address wait, doubling; the owner
// elsewhere logs in with the right password all the while; an address spraying many accounts
// waits too; a distributed attack on the account is slowed to one attempt per interval for
// unknown places, while the owner's known place is not slowed at all. (Before: five failures
// from anywhere locked the account for 15 minutes, and all clients behind the proxy shared
// one address.)
func TestLoginLimitsCannotLockOutTheOwner(t *testing.T) {
	a, clock := newAuthAPIConfig(t, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	acc := newAccount(t, "housing", "reader")
	from := func(addr string) http.Header { return withHeader(jsonHeader, "X-Forwarded-For", addr) }
	wrong := jsonBody(map[string]string{"username": acc.user, "password": "not the password"})
	right := jsonBody(map[string]string{"username": acc.user, "password": acc.password})
	retryAfter := func(res *http.Response) string { return res.Header.Get("Retry-After") }

	// The attacker: five free failures, then waits of 1, 2, 4, 8 s.
	const attacker = "203.0.113.7"
	for range 5 {
		a.write("POST", "/auth/login", from(attacker), wrong, 401)
	}
	for _, want := range []string{"1", "2", "4", "8"} {
		res, _ := a.write("POST", "/auth/login", from(attacker), right, 429) // refused before the password is read
		if got := retryAfter(res); got != want {
			t.Errorf("attacker's wait %s s, want %s", got, want)
		}
		d, _ := time.ParseDuration(retryAfter(res) + "s")
		clock.Add(d)
		a.write("POST", "/auth/login", from(attacker), wrong, 401)
	}
	// The owner, elsewhere, is not kept out; nor is anyone else behind the same proxy.
	const owner = "198.51.100.2"
	a.write("POST", "/auth/login", from(owner), right, 200)

	// One address spraying twenty accounts waits; the owner is still not kept out.
	const sprayer = "203.0.113.9"
	for i := range 20 {
		a.write("POST", "/auth/login", from(sprayer), jsonBody(map[string]string{"username": fmt.Sprintf("guess%d", i), "password": "x"}), 401)
	}
	if res, _ := a.write("POST", "/auth/login", from(sprayer), jsonBody(map[string]string{"username": "guess20", "password": "x"}), 429); retryAfter(res) != "1" {
		t.Errorf("sprayer's first wait %q, want 1", retryAfter(res))
	}
	a.write("POST", "/auth/login", from(owner), right, 200)

	// A distributed attack: one guess each from 100 addresses (the attacker's 9 count too).
	for i := range 100 - 9 {
		a.write("POST", "/auth/login", from(fmt.Sprintf("192.0.2.%d", i+1)), wrong, 401)
	}
	// Now the account takes one attempt per 10 s from places it has not logged in from...
	res, _ := a.write("POST", "/auth/login", from("192.0.2.200"), wrong, 429)
	if got := retryAfter(res); got != "10" {
		t.Errorf("a new place waits %s s, want 10", got)
	}
	// ...while the owner's own place is not slowed.
	a.write("POST", "/auth/login", from(owner), right, 200)
	clock.Add(10 * time.Second)
	a.write("POST", "/auth/login", from("192.0.2.200"), wrong, 401)
	a.write("POST", "/auth/login", from("192.0.2.201"), right, 429) // the next slot is 10 s on
	clock.Add(10 * time.Second)
	a.write("POST", "/auth/login", from("192.0.2.201"), right, 200) // slowed, never blocked

	// Failures are forgotten after the window (1 h by default).
	clock.Add(2 * time.Hour)
	a.write("POST", "/auth/login", from(attacker), right, 200)
}

// TestLoginLimitWithoutTrustedProxy: without --trusted-proxy, X-Forwarded-For is the
// client's own claim and is ignored: an attacker cannot pose as the owner's address, nor
// escape its own limit by sending a new address with every guess.
func TestLoginLimitWithoutTrustedProxy(t *testing.T) {
	a, _ := newAuthAPIConfig(t, web.Config{})
	acc := newAccount(t, "housing", "reader")
	wrong := jsonBody(map[string]string{"username": acc.user, "password": "not the password"})
	for i := range 5 {
		a.write("POST", "/auth/login", withHeader(jsonHeader, "X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i+1)), wrong, 401)
	}
	a.write("POST", "/auth/login", withHeader(jsonHeader, "X-Forwarded-For", "192.0.2.99"), wrong, 429)
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	a, clock := newAuthAPI(t, auth.Config{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour})
	acc := newAccount(t, "region", "reader")

	s := login(t, a, acc)
	clock.Add(29 * time.Minute)
	a.write("GET", "/auth/me", s.header(), "", 200)
	clock.Add(29 * time.Minute) // 58 min after login, 29 after the last request
	_, body := a.write("GET", "/auth/me", s.header(), "", 200)
	if p := decode[principal](t, body); p.IdleExpiresAt == nil || !p.IdleExpiresAt.Equal(clock.Now().Add(30*time.Minute)) {
		t.Errorf("idle expiry not moved by use: %v", p.IdleExpiresAt)
	}
	clock.Add(30 * time.Minute)
	a.write("GET", "/auth/me", s.header(), "", 401)

	start := clock.Now()
	s = login(t, a, acc)
	for clock.Now().Before(start.Add(12*time.Hour - 25*time.Minute)) {
		clock.Add(25 * time.Minute)
		a.write("GET", "/auth/me", s.header(), "", 200)
	}
	clock.Add(start.Add(12 * time.Hour).Sub(clock.Now())) // exactly 12 h after login, used 25 min ago at most
	a.write("GET", "/auth/me", s.header(), "", 401)
}

func TestCSRFAndWriteAccess(t *testing.T) {
	a, _ := newAuthAPI(t, auth.Config{})
	editor := newAccount(t, "municipality", "editor")
	reader := newAccount(t, "municipality", "reader")
	var ids []int64
	cleanUp(t, &ids)
	body := newIntervention(`null`, nil)
	geo := http.Header{"Content-Type": {"application/geo+json"}}

	a.write("POST", "/collections/interventions/items", geo, body, 401)
	a.write("GET", "/collections/interventions/items?limit=1", nil, "", 200) // the open rows

	s := login(t, a, editor)
	noCSRF := withHeader(s.header(), "Content-Type", "application/geo+json")
	a.write("POST", "/collections/interventions/items", noCSRF, body, 403)
	a.write("POST", "/collections/interventions/items", withHeader(noCSRF, auth.CSRFHeader, "forged"), body, 403)
	other := login(t, a, editor) // a second session's token does not fit the first
	a.write("POST", "/collections/interventions/items", withHeader(noCSRF, auth.CSRFHeader, other.csrf), body, 403)
	if n := count(t, `SELECT count(*) FROM interventions WHERE title = 'Nattvandring Bäckby torg'`); n != 0 {
		t.Fatalf("a refused write left %d rows", n)
	}

	f, _, _ := createIntervention(t, a, body, withHeader(noCSRF, auth.CSRFHeader, s.csrf), &ids)
	var changedBy *string
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT changed_by FROM intervention_history WHERE intervention_id = $1`, f.ID).Scan(&changedBy); err != nil {
		t.Fatal(err)
	}
	if changedBy == nil || *changedBy != editor.org {
		t.Errorf("changed_by %v, want the organisation %q", changedBy, editor.org)
	}

	r := login(t, a, reader)
	a.write("POST", "/collections/interventions/items", withHeader(r.header(), auth.CSRFHeader, r.csrf, "Content-Type", "application/geo+json"), body, 403)
}

func TestAPITokens(t *testing.T) {
	a, clock := newAuthAPI(t, auth.Config{})
	editor := newAccount(t, "police", "editor")
	admin := newAccount(t, "municipality", "admin")
	var ids []int64
	cleanUp(t, &ids)
	s := login(t, a, editor)

	a.write("POST", "/auth/tokens", jsonHeader, jsonBody(map[string]any{"scopes": []string{"read"}}), 401)
	a.write("POST", "/auth/tokens", s.header(), jsonBody(map[string]any{"scopes": []string{"read"}}), 403) // no CSRF token
	a.write("POST", "/auth/tokens", s.write(), jsonBody(map[string]any{"scopes": []string{"read", "admin"}}), 403)
	a.write("POST", "/auth/tokens", s.write(), jsonBody(map[string]any{"owner": "organisation"}), 403)
	_, body := a.write("POST", "/auth/tokens", s.write(), jsonBody(map[string]any{"expires_in": "400d"}), 400)
	if p := decode[web.Problem](t, body); p.Param != "expires_in" {
		t.Errorf("param %q, want expires_in", p.Param)
	}

	res, body := a.write("POST", "/auth/tokens", s.write(), jsonBody(map[string]any{"name": "sync", "scopes": []string{"read", "write"}, "expires_in": "1h"}), 201)
	type token struct {
		ID        int64     `json:"id"`
		Scopes    []string  `json:"scopes"`
		ExpiresAt time.Time `json:"expires_at"`
		Secret    string    `json:"secret"`
	}
	tok := decode[token](t, body)
	if !strings.HasPrefix(tok.Secret, layers.TokenPrefix) || len(tok.Secret) != len(layers.TokenPrefix)+43 ||
		!slices.Equal(tok.Scopes, []string{"read", "write"}) || !tok.ExpiresAt.Equal(clock.Now().Add(time.Hour)) ||
		res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token answer %+v (Cache-Control %q)", tok, res.Header.Get("Cache-Control"))
	}
	sum := sha256.Sum256([]byte(tok.Secret))
	if n := count(t, `SELECT count(*) FROM api_tokens WHERE id = $1 AND token_hash = $2`, tok.ID, sum[:]); n != 1 {
		t.Error("token not stored under its SHA-256")
	}
	bearer := http.Header{"Authorization": {"Bearer " + tok.Secret}}
	_, body = a.write("GET", "/auth/me", bearer, "", 200)
	if p := decode[principal](t, body); p.Credential != "token" || p.Organisation != editor.org || p.TokenID != tok.ID ||
		!slices.Equal(p.Scopes, []string{"read", "write"}) || p.CSRFToken != "" {
		t.Errorf("/auth/me with the token = %+v", p)
	}
	// A bearer write needs no CSRF token.
	createIntervention(t, a, newIntervention(`null`, nil), withHeader(bearer, "Content-Type", "application/geo+json"), &ids)

	// A read-only token may not write.
	_, body = a.write("POST", "/auth/tokens", s.write(), jsonBody(map[string]any{"scopes": "read"}), 201)
	ro := decode[token](t, body)
	a.write("POST", "/collections/interventions/items", http.Header{"Authorization": {"Bearer " + ro.Secret}, "Content-Type": {"application/geo+json"}},
		newIntervention(`null`, nil), 403)

	// Another organisation's admin cannot revoke it (404, as if unknown); the owner can.
	as := login(t, a, admin)
	a.write("DELETE", fmt.Sprintf("/auth/tokens/%d", tok.ID), withHeader(as.header(), auth.CSRFHeader, as.csrf), "", 404)
	a.write("DELETE", "/auth/tokens/999999999", withHeader(s.header(), auth.CSRFHeader, s.csrf), "", 404)
	a.write("DELETE", fmt.Sprintf("/auth/tokens/%d", tok.ID), withHeader(s.header(), auth.CSRFHeader, s.csrf), "", 204)
	res, _ = a.write("GET", "/auth/me", bearer, "", 401)
	if !strings.Contains(res.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
	}
	// A token revokes itself.
	a.write("DELETE", fmt.Sprintf("/auth/tokens/%d", ro.ID), http.Header{"Authorization": {"Bearer " + ro.Secret}}, "", 204)
	a.write("GET", "/auth/me", http.Header{"Authorization": {"Bearer " + ro.Secret}}, "", 401)

	// An admin's organisation token; it expires.
	_, body = a.write("POST", "/auth/tokens", as.write(), jsonBody(map[string]any{"owner": "organisation", "scopes": "read,write,admin", "expires_in": "2h"}), 201)
	orgTok := decode[token](t, body)
	orgBearer := http.Header{"Authorization": {"Bearer " + orgTok.Secret}}
	_, body = a.write("GET", "/auth/me", orgBearer, "", 200)
	if p := decode[principal](t, body); p.Organisation != admin.org || !slices.Equal(p.Scopes, []string{"read", "write", "admin"}) {
		t.Errorf("organisation token principal %+v", p)
	}
	clock.Add(2*time.Hour - time.Second)
	a.write("GET", "/auth/me", orgBearer, "", 200)
	clock.Add(time.Second)
	a.write("GET", "/auth/me", orgBearer, "", 401)

	for _, h := range []string{"Bearer lgb_notatoken", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer a.b.c"} {
		a.write("GET", "/collections/districts/items?limit=1", http.Header{"Authorization": {h}}, "", 401)
	}
}

// jwtSigner makes JWTs with keys the test generates and publishes as a JWKS file.
type jwtSigner struct {
	rsaKey *rsa.PrivateKey
	ecKey  *ecdsa.PrivateKey
	path   string
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func newJWTSigner(t *testing.T) *jwtSigner {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &jwtSigner{rsaKey: rk, ecKey: ek, path: filepath.Join(t.TempDir(), "jwks.json")}
	ecPub, err := ek.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "kid": "rsa1", "use": "sig", "alg": "RS256", "n": b64(rk.N.Bytes()), "e": b64(big.NewInt(int64(rk.E)).Bytes())},
		{"kty": "EC", "kid": "ec1", "use": "sig", "crv": "P-256", "x": b64(ecPub[1:33]), "y": b64(ecPub[33:])},
	}}
	if err := os.WriteFile(s.path, []byte(jsonBody(set)), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *jwtSigner) sign(t *testing.T, header, claims map[string]any) string {
	t.Helper()
	input := b64([]byte(jsonBody(header))) + "." + b64([]byte(jsonBody(claims)))
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch header["alg"] {
	case "RS256":
		sig, err = rsa.SignPKCS1v15(rand.Reader, s.rsaKey, crypto.SHA256, digest[:])
	case "ES256":
		r, ss, e := ecdsa.Sign(rand.Reader, s.ecKey, digest[:])
		sig, err = append(r.FillBytes(make([]byte, 32)), ss.FillBytes(make([]byte, 32))...), e
	default:
		sig = []byte("unsigned")
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func TestJWTBearer(t *testing.T) {
	signer := newJWTSigner(t)
	const issuer, audience = "https://login.vasteras.test/realms/kommun", "lagesbild"
	a, clock := newAuthAPI(t, auth.Config{OIDC: &auth.OIDCConfig{Issuer: issuer, Audience: audience,
		Keys: auth.NewJWKS(signer.path, nil), OrgClaim: "organisation", RolesClaim: "realm_access.roles"}})
	acc := newAccount(t, "municipality", "reader") // the organisation the tokens name
	now := clock.Now().Unix()
	claims := func(change map[string]any) map[string]any {
		c := map[string]any{"iss": issuer, "aud": []string{"account", audience}, "sub": "f3a1", "exp": now + 300, "nbf": now - 10, "iat": now - 10,
			"organisation": acc.org, "realm_access": map[string]any{"roles": []string{"offline_access", "editor"}}}
		for k, v := range change {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	rs := map[string]any{"alg": "RS256", "kid": "rsa1", "typ": "JWT"}
	es := map[string]any{"alg": "ES256", "kid": "ec1", "typ": "JWT"}
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

	for _, h := range []map[string]any{rs, es} {
		_, body := a.write("GET", "/auth/me", bearer(signer.sign(t, h, claims(nil))), "", 200)
		if p := decode[principal](t, body); p.Credential != "jwt" || p.Organisation != acc.org || p.OrgKind != "municipality" ||
			!slices.Equal(p.Roles, []string{"reader", "editor"}) || !slices.Equal(p.Scopes, []string{"read", "write"}) {
			t.Errorf("%s: principal %+v", h["alg"], p)
		}
	}
	var ids []int64
	cleanUp(t, &ids)
	createIntervention(t, a, newIntervention(`null`, nil), withHeader(bearer(signer.sign(t, rs, claims(nil))), "Content-Type", "application/geo+json"), &ids)
	readerTok := signer.sign(t, rs, claims(map[string]any{"realm_access": map[string]any{"roles": "reader"}}))
	a.write("POST", "/collections/interventions/items", withHeader(bearer(readerTok), "Content-Type", "application/geo+json"), newIntervention(`null`, nil), 403)

	valid := signer.sign(t, rs, claims(nil))
	parts := strings.Split(valid, ".")
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	forger := &jwtSigner{rsaKey: otherKey}
	refused := []struct{ name, token, detail string }{
		{"expired", signer.sign(t, rs, claims(map[string]any{"exp": now - 60})), "expired"},
		{"no exp", signer.sign(t, rs, claims(map[string]any{"exp": nil})), "no exp"},
		{"not yet valid", signer.sign(t, rs, claims(map[string]any{"nbf": now + 600})), "nbf"},
		{"wrong issuer", signer.sign(t, rs, claims(map[string]any{"iss": "https://evil.test"})), "issuer"},
		{"wrong audience", signer.sign(t, rs, claims(map[string]any{"aud": "someone-else"})), "audience"},
		{"bad signature", forger.sign(t, rs, claims(nil)), "signature"},
		{"payload changed", parts[0] + "." + b64([]byte(jsonBody(claims(map[string]any{"organisation": "polisen"})))) + "." + parts[2], "signature"},
		{"alg none", signer.sign(t, map[string]any{"alg": "none", "kid": "rsa1"}, claims(nil)), "algorithm"},
		{"alg HS256", signer.sign(t, map[string]any{"alg": "HS256", "kid": "rsa1"}, claims(nil)), "algorithm"},
		{"RS256 header on the EC key", signer.sign(t, map[string]any{"alg": "RS256", "kid": "ec1"}, claims(nil)), "no RS256 key"},
		{"unknown kid", signer.sign(t, map[string]any{"alg": "RS256", "kid": "gone"}, claims(nil)), "no RS256 key"},
		{"unknown organisation", signer.sign(t, rs, claims(map[string]any{"organisation": "no-such-org"})), "not known"},
		{"no organisation", signer.sign(t, rs, claims(map[string]any{"organisation": nil})), "no organisation"},
		{"not base64", "ab!c.def.ghi", "base64"},
		{"header not JSON", "abc.def.ghi", "header"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			res, body := a.write("GET", "/collections/districts/items?limit=1", bearer(tt.token), "", 401)
			if p := decode[web.Problem](t, body); !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("detail %q, want it to mention %q", p.Detail, tt.detail)
			}
			if !strings.Contains(res.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	// Tokens expire by the injected clock, with 30 s leeway.
	tok := signer.sign(t, rs, claims(nil))
	clock.Add(300*time.Second + 29*time.Second)
	a.write("GET", "/auth/me", bearer(tok), "", 200)
	clock.Add(time.Second)
	a.write("GET", "/auth/me", bearer(tok), "", 401)
}

func TestDemoCredentialsNeedDemoMode(t *testing.T) {
	db := layerstest.Require(t, testDB)
	if _, err := layers.NewStore(db.Pool).LoadDemoIdentity(context.Background(), fastArgon); err != nil {
		t.Fatal(err)
	}
	demo, _ := newAuthAPI(t, auth.Config{Demo: true})
	prod, _ := newAuthAPI(t, auth.Config{})
	for _, u := range layers.DemoAccounts {
		creds := jsonBody(map[string]string{"username": u.Username, "password": layers.DemoPassword})
		_, body := prod.write("POST", "/auth/login", jsonHeader, creds, 403)
		if p := decode[web.Problem](t, body); !strings.Contains(p.Detail, "--demo") {
			t.Errorf("%s: detail %q does not say why", u.Username, p.Detail)
		}
		res, body := demo.write("POST", "/auth/login", jsonHeader, creds, 200)
		if p := decode[principal](t, body); p.Organisation != u.Organisation || !slices.Equal(p.Roles, layers.RolesOf(u.Role)) {
			t.Errorf("%s: principal %+v", u.Username, p)
		}
		// A demo session, and a demo token, made on a demo server open nothing on another.
		s := session{cookie: sessionCookie(t, res), csrf: decode[principal](t, body).CSRFToken}
		prod.write("GET", "/auth/me", s.header(), "", 401)
	}
	admin := layers.DemoAccounts[slices.IndexFunc(layers.DemoAccounts, func(u layers.NewUser) bool { return u.Role == "admin" })]
	res, body := demo.write("POST", "/auth/login", jsonHeader, jsonBody(map[string]string{"username": admin.Username, "password": layers.DemoPassword}), 200)
	s := session{cookie: sessionCookie(t, res), csrf: decode[principal](t, body).CSRFToken}
	_, body = demo.write("POST", "/auth/tokens", s.write(), jsonBody(map[string]any{"owner": "organisation"}), 201)
	secret := decode[struct{ Secret string }](t, body).Secret
	demo.write("GET", "/auth/me", http.Header{"Authorization": {"Bearer " + secret}}, "", 200)
	prod.write("GET", "/auth/me", http.Header{"Authorization": {"Bearer " + secret}}, "", 401)
	// Loading again is idempotent.
	if n, err := layers.NewStore(db.Pool).LoadDemoIdentity(context.Background(), fastArgon); err != nil || n != len(layers.DemoAccounts) {
		t.Errorf("second demo identity load: %d, %v", n, err)
	}
}

// TestAnonymousUnchanged: without credentials the API and the page answer as before identity.
func TestAnonymousUnchanged(t *testing.T) {
	a, _ := newAuthAPI(t, auth.Config{})
	a.write("GET", "/collections", nil, "", 200)
	res, _ := a.raw("GET", "/karta/", nil)
	if res.StatusCode != 200 {
		t.Errorf("GET /karta/ anonymously: %d", res.StatusCode)
	}
	_, body := a.write("GET", "/auth/me", nil, "", 200)
	if p := decode[principal](t, body); p.Credential != "anonymous" {
		t.Errorf("anonymous principal %+v", p)
	}
}

// TestJWKSRefresh: a token naming an unknown key id makes the server reread the issuer's key
// set (issue 12, M6), but a slow issuer holds up nobody with a known key, concurrent unknown
// ids share one read, rereads are rate-limited whoever asks, and a failed reread is a 401 for
// the token, never a 500; a server that never read the key set answers 503 with Retry-After.
func TestJWKSRefresh(t *testing.T) {
	signer := newJWTSigner(t)
	set, err := os.ReadFile(signer.path)
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	var mode atomic.Value
	mode.Store("ok")
	started, release := make(chan struct{}, 10), make(chan struct{})
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		switch mode.Load() {
		case "slow":
			started <- struct{}{}
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			}
		case "fail":
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		_, _ = w.Write(set)
	}))
	defer idp.Close()
	const issuer, audience = "https://login.vasteras.test/realms/kommun", "lagesbild"
	oidc := func(keys *auth.JWKS) auth.Config {
		return auth.Config{OIDC: &auth.OIDCConfig{Issuer: issuer, Audience: audience, Keys: keys,
			OrgClaim: "organisation", RolesClaim: "realm_access.roles"}}
	}
	keys := auth.NewJWKS(idp.URL, nil)
	if err := keys.Load(context.Background()); err != nil { // as serve does at start
		t.Fatal(err)
	}
	a, clock := newAuthAPI(t, oidc(keys))
	clock.Add(time.Since(clock.Now()) + 2*time.Minute) // the server has run a while since
	acc := newAccount(t, "municipality", "reader")
	token := func(kid string) string {
		now := clock.Now().Unix()
		return signer.sign(t, map[string]any{"alg": "RS256", "kid": kid, "typ": "JWT"}, map[string]any{
			"iss": issuer, "aud": audience, "sub": "f3a1", "exp": now + 300, "nbf": now - 10,
			"organisation": acc.org, "realm_access": map[string]any{"roles": []string{"reader"}}})
	}
	call := func(srv *httptest.Server, tok string) (int, time.Duration, http.Header) {
		req, _ := http.NewRequest("GET", srv.URL+"/auth/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		res, err := srv.Client().Do(req)
		if err != nil {
			return 0, time.Since(start), nil
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, time.Since(start), res.Header
	}
	if st, _, _ := call(a.srv, token("rsa1")); st != 200 {
		t.Fatalf("known key: %d", st)
	}

	// An unknown kid starts a reread, and the issuer hangs.
	mode.Store("slow")
	results := make(chan int, 2)
	go func() { st, _, _ := call(a.srv, token("rotated")); results <- st }()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("an unknown kid did not reread the key set")
	}
	go func() { st, _, _ := call(a.srv, token("other")); results <- st }()
	if st, took, _ := call(a.srv, token("rsa1")); st != 200 || took > time.Second {
		t.Errorf("a token with a known key: %d after %v, behind the reread of the key set", st, took)
	}
	close(release)
	for range 2 {
		if st := <-results; st != 401 {
			t.Errorf("unknown kid after the reread: %d, want 401", st)
		}
	}
	if n := fetches.Load(); n != 2 {
		t.Errorf("%d reads of the key set, want 2 (at start, one shared reread)", n)
	}
	if st, _, _ := call(a.srv, token("again")); st != 401 || fetches.Load() != 2 {
		t.Errorf("unknown kid within the minute: %d after %d reads, want 401 without a read", st, fetches.Load())
	}

	// A reread that fails refuses the token (401), not the server (500); known keys still work.
	mode.Store("fail")
	clock.Add(2 * time.Minute)
	if st, _, _ := call(a.srv, token("rotated2")); st != 401 || fetches.Load() != 3 {
		t.Errorf("unknown kid, issuer down: %d after %d reads, want 401 after 3", st, fetches.Load())
	}
	if st, _, _ := call(a.srv, token("rsa1")); st != 200 {
		t.Errorf("known key, issuer down: %d", st)
	}

	// A server that never read the key set can verify nothing: an outage, 503.
	b, _ := newAuthAPI(t, oidc(auth.NewJWKS(idp.URL, nil)))
	if st, _, h := call(b.srv, token("rsa1")); st != 503 || h.Get("Retry-After") == "" {
		t.Errorf("no key set ever read: %d (Retry-After %q), want 503 with Retry-After", st, h.Get("Retry-After"))
	}
}
