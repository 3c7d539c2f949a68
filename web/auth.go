package web

// Identity (issue 7, first part): who a request acts for. One middleware (authenticate)
// reads, in this order, a bearer API token ("lgb_…"), a bearer JWT from the configured
// OpenID Connect issuer, or the session cookie, and puts the principal in the request's
// context (layers.PrincipalFrom). Credentials that are given but not valid are a 401, never
// a silent fall back to anonymous; no credentials at all is the anonymous principal, which
// may do today what everyone could do before identity existed.
//
// Browser sessions: POST /auth/login sets an HttpOnly, SameSite=Lax cookie (Secure over
// HTTPS or with Config.Auth.CookieSecure) holding a 256-bit secret the database keeps only
// hashed. CSRF: a synchronizer token derived from the session secret (SHA-256 of a label and
// the secret), which the page gets from the login answer or GET /auth/me and sends in
// X-CSRF-Token (or a csrf_token form field) on every POST, PUT, PATCH and DELETE that rides
// on the cookie. Another site can neither read the cookie nor the token; bearer requests are
// exempt because browsers never attach them on their own.
//
// Login limits (loginlimit.go) slow guessing per account and client address, per address and
// per account, with waits rather than a lock the owner could be kept out by; in memory, per
// process.

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/respond"
)

// AuthConfig configures identity. The zero value gives the defaults named on each field.
type AuthConfig struct {
	// Demo accepts the demo load's organisations and accounts; off: they are refused.
	Demo bool
	// CookieSecure marks the session cookie Secure even when the request came over plain
	// HTTP (behind a TLS-terminating proxy that does not say X-Forwarded-Proto).
	CookieSecure bool
	// IdleTimeout ends a session unused this long (default 30 min); AbsoluteTimeout ends
	// every session this long after login (default 12 h).
	IdleTimeout, AbsoluteTimeout time.Duration
	// Login limits (loginlimit.go). PairFailures, AddressFailures and AccountFailures are the
	// failed logins allowed before any wait per account and client address (default 5), per
	// client address (default 20) and per account from anywhere (default 100). Past the first
	// two, waits start at LoginBackoffBase (default 1 s) and double up to LoginBackoffMax
	// (default 15 min); past the third, the account takes one attempt per AccountInterval
	// (default 10 s). FailureWindow (default 1 h) is how long failures are remembered, KnownFor
	// (default 30 days) how long a successful login exempts its pair from the address and
	// account limits; LoginLimitBytes (default 16 MiB) bounds the limiter's memory.
	PairFailures, AddressFailures, AccountFailures int
	LoginBackoffBase, LoginBackoffMax              time.Duration
	AccountInterval, FailureWindow, KnownFor       time.Duration
	LoginLimitBytes                                int64
	// OIDC, when set, accepts bearer JWTs from that issuer.
	OIDC *auth.OIDCConfig
	// Argon2 are the cost parameters of hashes made here (the dummy hash); zero: layers.DefaultArgon2.
	Argon2 layers.Argon2Params
	// Now is the clock of sessions, tokens and JWT times; nil: time.Now.
	Now func() time.Time
}

// Cookie and header names of browser sessions.
const (
	SessionCookie = "lagesbild_session"
	CSRFHeader    = "X-CSRF-Token"
	csrfField     = "csrf_token"
)

// authState is what the identity handlers share.
type authState struct {
	cfg       AuthConfig
	limiter   *loginLimiter
	dummyHash string        // verified for unknown accounts, so their answer takes as long
	hashing   chan struct{} // bounds concurrent argon2 runs (each takes Argon2.Memory)
	jwt       *auth.JWTVerifier
}

func newAuthState(cfg AuthConfig) *authState {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = 12 * time.Hour
	}
	cfg.PairFailures = cmp.Or(max(cfg.PairFailures, 0), 5)
	cfg.AddressFailures = cmp.Or(max(cfg.AddressFailures, 0), 20)
	cfg.AccountFailures = cmp.Or(max(cfg.AccountFailures, 0), 100)
	cfg.LoginBackoffBase = cmp.Or(max(cfg.LoginBackoffBase, 0), time.Second)
	cfg.LoginBackoffMax = cmp.Or(max(cfg.LoginBackoffMax, 0), 15*time.Minute)
	cfg.AccountInterval = cmp.Or(max(cfg.AccountInterval, 0), 10*time.Second)
	cfg.FailureWindow = cmp.Or(max(cfg.FailureWindow, 0), time.Hour)
	cfg.KnownFor = cmp.Or(max(cfg.KnownFor, 0), 30*24*time.Hour)
	cfg.LoginLimitBytes = cmp.Or(max(cfg.LoginLimitBytes, 0), 16<<20)
	if cfg.Argon2 == (layers.Argon2Params{}) {
		cfg.Argon2 = layers.DefaultArgon2()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	dummy, err := layers.HashPassword("no account has this password", cfg.Argon2)
	if err != nil {
		// crypto/rand does not fail on supported platforms; a fixed salt still costs the same time.
		dummy = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	}
	a := &authState{cfg: cfg, limiter: newLoginLimiter(cfg), dummyHash: dummy, hashing: make(chan struct{}, 4)}
	if cfg.OIDC != nil {
		a.jwt = auth.NewJWTVerifier(*cfg.OIDC)
	}
	return a
}

// sessionInfo is kept in the Echo context of a cookie-authenticated request.
type sessionInfo struct {
	hash []byte
	csrf string
	ses  *layers.Session
}

const sessionKey = "lagesbild.session"

// authenticate is the one middleware that establishes the principal.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := s.principal(c)
		if err != nil {
			return err
		}
		c.SetRequest(c.Request().WithContext(layers.WithPrincipal(c.Request().Context(), p)))
		privateCaching(c, p)
		return next(c)
	}
}

func (s *Server) principal(c echo.Context) (*layers.Principal, error) {
	a := s.ident
	ctx := c.Request().Context()
	now := a.cfg.Now()
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		scheme, cred, _ := strings.Cut(strings.TrimSpace(h), " ")
		cred = strings.TrimSpace(cred)
		if !strings.EqualFold(scheme, "Bearer") || cred == "" {
			return nil, auth.Unauthorized(c, false, "Authorization must be Bearer <API token or JWT>")
		}
		if len(cred) > 16<<10 {
			return nil, auth.Unauthorized(c, true, "bearer credential too long")
		}
		if strings.HasPrefix(cred, layers.TokenPrefix) {
			p, demo, err := s.store.TokenPrincipal(ctx, cred, now)
			if errors.Is(err, layers.ErrNotFound) {
				return nil, auth.Unauthorized(c, true, "API token unknown, expired or revoked")
			}
			if err != nil {
				return nil, err
			}
			if demo && !a.cfg.Demo {
				return nil, auth.Unauthorized(c, true, "demo credentials are accepted only by a server started with --demo")
			}
			return p, nil
		}
		if a.jwt == nil {
			return nil, auth.Unauthorized(c, true, "not an API token (lgb_…), and no OpenID Connect issuer is configured for JWTs")
		}
		p, err := a.jwt.Verify(ctx, cred, now)
		if err != nil {
			var bad *auth.JWTError
			if errors.As(err, &bad) {
				return nil, auth.Unauthorized(c, true, "JWT refused: "+bad.Msg)
			}
			if errors.Is(err, auth.ErrJWKSUnavailable) { // an outage of the issuer, not the caller's fault
				c.Response().Header().Set("Retry-After", strconv.Itoa(int(auth.JWKSRefreshInterval.Seconds())))
				return nil, echo.NewHTTPError(http.StatusServiceUnavailable, err.Error())
			}
			return nil, err
		}
		org, err := s.store.LookupOrganisation(ctx, p.Organisation)
		if errors.Is(err, layers.ErrNotFound) {
			return nil, auth.Unauthorized(c, true, fmt.Sprintf("JWT refused: organisation %q is not known here", p.Organisation))
		}
		if err != nil {
			return nil, err
		}
		if org.Demo && !a.cfg.Demo {
			return nil, auth.Unauthorized(c, true, "demo credentials are accepted only by a server started with --demo")
		}
		p.OrgKind, p.OrgName = org.Kind, org.Name
		return p, nil
	}

	cookie, err := c.Cookie(SessionCookie)
	if err != nil || cookie.Value == "" || c.Path() == "/auth/login" {
		// Login ignores an old cookie: it is what replaces it.
		return layers.Anonymous(), nil
	}
	hash := layers.HashSecret(cookie.Value)
	acct, ses, err := s.store.TouchSession(ctx, hash, now, a.cfg.IdleTimeout)
	if errors.Is(err, layers.ErrNotFound) {
		s.clearSessionCookie(c)
		return nil, auth.Unauthorized(c, false, "session expired or ended: log in again (the cookie has been cleared)")
	}
	if err != nil {
		return nil, err
	}
	if acct.Demo && !a.cfg.Demo {
		s.clearSessionCookie(c)
		return nil, auth.Unauthorized(c, false, "demo credentials are accepted only by a server started with --demo")
	}
	info := &sessionInfo{hash: hash, csrf: csrfToken(cookie.Value), ses: ses}
	if !safeMethod(c.Request().Method) && !validCSRF(c, info.csrf) {
		return nil, echo.NewHTTPError(http.StatusForbidden,
			"CSRF token missing or wrong: send the csrf_token of the login answer or GET /auth/me in the "+CSRFHeader+" header")
	}
	c.Set(sessionKey, info)
	return acct.SessionPrincipal(hash), nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfToken is derived from the session secret: only someone holding the cookie's value
// (the server, and the page through the login answer or /auth/me) can know it.
func csrfToken(sessionSecret string) string {
	h := sha256.Sum256([]byte("lagesbild csrf\x00" + sessionSecret))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func validCSRF(c echo.Context, want string) bool {
	got := c.Request().Header.Get(CSRFHeader)
	if got == "" {
		if media, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); media == echo.MIMEApplicationForm {
			got = c.FormValue(csrfField)
		}
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) sessionCookie(c echo.Context, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.ident.cfg.CookieSecure || c.Scheme() == "https"}
}

func (s *Server) clearSessionCookie(c echo.Context) { c.SetCookie(s.sessionCookie(c, "", -1)) }

func (s *Server) authRoutes(e *echo.Echo, get func(string, echo.HandlerFunc)) {
	e.POST("/auth/login", s.login)
	e.POST("/auth/logout", s.logout)
	get("/auth/me", s.me)
	get("/auth/tokens", s.listTokens)
	e.POST("/auth/tokens", s.createToken)
	e.DELETE("/auth/tokens/:tokenId", s.revokeToken)
}

// authAnswer is the body of login and /auth/me.
type authAnswer struct {
	*layers.Principal
	CSRFToken     string     `json:"csrf_token,omitempty"`
	IdleExpiresAt *time.Time `json:"idle_expires_at,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	Demo          bool       `json:"demo_mode"`
}

// sendNoStore sends v as JSON with no ETag, for no cache to keep: the answer carries a
// secret (a CSRF token, an API token), reports a write, or is for the caller's eyes only.
func (s *Server) sendNoStore(c echo.Context, status int, v any) error {
	return respond.NoStore(c, status, v)
}

// readAuthBody reads a small JSON or form body into fields; only the named fields are kept.
func readAuthBody(c echo.Context, fields ...string) (map[string]string, error) {
	media, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	out := map[string]string{}
	switch media {
	case echo.MIMEApplicationJSON:
		raw, err := io.ReadAll(io.LimitReader(c.Request().Body, 16<<10+1))
		if err != nil {
			return nil, err
		}
		if len(raw) > 16<<10 {
			return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "body larger than 16 KiB")
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, invalid("body", "not a JSON object: %v", err)
		}
		for _, f := range fields {
			switch v := m[f].(type) {
			case nil:
			case string:
				out[f] = v
			case []any: // a list of strings, as scopes may be given
				parts := make([]string, len(v))
				for i, x := range v {
					str, ok := x.(string)
					if !ok || strings.Contains(str, ",") {
						return nil, invalid(f, "must be a string or a list of strings")
					}
					parts[i] = str
				}
				out[f] = strings.Join(parts, ",")
			default:
				return nil, invalid(f, "must be a string")
			}
		}
	case echo.MIMEApplicationForm:
		c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, 16<<10)
		for _, f := range fields {
			if v := c.FormValue(f); v != "" {
				out[f] = v
			}
		}
	default:
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, "send application/json or application/x-www-form-urlencoded")
	}
	// PostgreSQL's text refuses NUL and non-UTF-8 (a 500); say which field instead, for JSON
	// and form bodies alike.
	for _, f := range fields {
		if v, ok := out[f]; ok && (strings.ContainsRune(v, 0) || !utf8.ValidString(v)) {
			return nil, invalid(f, "contains a NUL character or bytes that are not UTF-8")
		}
	}
	return out, nil
}

// login serves POST /auth/login.
func (s *Server) login(c echo.Context) error {
	a := s.ident
	if err := onlyParamsAny(c); err != nil {
		return err
	}
	if origin := c.Request().Header.Get(echo.HeaderOrigin); origin != "" && !s.sameOrigin(c, origin) {
		// Login CSRF: another site must not log the browser into an account of its choosing.
		return echo.NewHTTPError(http.StatusForbidden, "login from another origin is refused")
	}
	body, err := readAuthBody(c, "username", "password")
	if err != nil {
		return err
	}
	username := strings.ToLower(strings.TrimSpace(body["username"]))
	password := body["password"]
	if username == "" {
		return invalid("username", "required")
	}
	if password == "" {
		return invalid("password", "required")
	}
	now := a.cfg.Now()
	addr, _ := netip.ParseAddr(c.RealIP()) // the zero Addr when unknown: one key for all such
	if wait, limit := a.limiter.admit(username, addr, now); wait > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.auth.Audit(c, layers.AuditEntry{Action: layers.AuditLoginFailed, Status: http.StatusTooManyRequests,
			Details: map[string]any{"reason": "rate_limited", "limit": limit.String()}}, nil)
		return echo.NewHTTPError(http.StatusTooManyRequests, "too many failed logins: try again later")
	}

	acct, err := s.store.AccountByName(c.Request().Context(), username)
	if err != nil && !errors.Is(err, layers.ErrNotFound) {
		return err
	}
	hash := a.dummyHash
	if acct != nil {
		hash = acct.PasswordHash
	}
	select {
	case a.hashing <- struct{}{}:
	case <-c.Request().Context().Done():
		return c.Request().Context().Err()
	}
	ok, verr := layers.VerifyPassword(password, hash)
	<-a.hashing
	if verr != nil {
		return fmt.Errorf("login %q: %w", username, verr)
	}
	if acct == nil || !ok || acct.Disabled {
		s.auditLoginFailed(c, acct, ok, http.StatusUnauthorized)
		return auth.Unauthorized(c, false, "unknown account or wrong password")
	}
	a.limiter.succeeded(username, addr, now)
	if acct.Demo && !a.cfg.Demo {
		s.auditLoginFailed(c, acct, ok, http.StatusForbidden)
		return echo.NewHTTPError(http.StatusForbidden, "demo credentials are accepted only by a server started with --demo")
	}
	secret, hashed, err := layers.NewSecret("")
	if err != nil {
		return err
	}
	ses, err := s.store.CreateSession(c.Request().Context(), hashed, acct.ID, now, a.cfg.IdleTimeout, a.cfg.AbsoluteTimeout)
	if err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(c, secret, int(a.cfg.AbsoluteTimeout.Seconds())))
	s.auth.Audit(c, layers.AuditEntry{Action: layers.AuditLogin, Status: http.StatusOK}, acct.Principal(layers.CredentialSession))
	return s.sendNoStore(c, http.StatusOK, authAnswer{Principal: acct.Principal(layers.CredentialSession), CSRFToken: csrfToken(secret),
		IdleExpiresAt: utc(ses.IdleExpiresAt), ExpiresAt: utc(ses.ExpiresAt), Demo: a.cfg.Demo})
}

func utc(t time.Time) *time.Time { t = t.UTC(); return &t }

// sameOrigin says whether origin is this server's own or one CORS allows.
func (s *Server) sameOrigin(c echo.Context, origin string) bool {
	if origin == c.Scheme()+"://"+c.Request().Host || (s.cfg.BaseURL != "" && strings.HasPrefix(s.cfg.BaseURL+"/", origin+"/")) {
		return true
	}
	for _, o := range s.cfg.CORSOrigins {
		if o == origin {
			return true
		}
	}
	return false
}

// logout serves POST /auth/logout: the session ends in the database and the cookie is cleared.
// Without a session it only clears the cookie.
func (s *Server) logout(c echo.Context) error {
	if err := onlyParamsAny(c); err != nil {
		return err
	}
	if info, ok := c.Get(sessionKey).(*sessionInfo); ok {
		if err := s.store.DeleteSession(c.Request().Context(), info.hash); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	c.Response().Header().Set("Cache-Control", "no-store")
	s.auth.Audit(c, layers.AuditEntry{Action: layers.AuditLogout, Status: http.StatusNoContent}, nil)
	return c.NoContent(http.StatusNoContent)
}

// me serves GET /auth/me: the caller's principal (anonymous included), and for a session its
// CSRF token and expiry times.
func (s *Server) me(c echo.Context) error {
	if err := onlyParams(c); err != nil {
		return err
	}
	ans := authAnswer{Principal: layers.PrincipalFrom(c.Request().Context()), Demo: s.ident.cfg.Demo}
	if info, ok := c.Get(sessionKey).(*sessionInfo); ok {
		ans.CSRFToken, ans.IdleExpiresAt, ans.ExpiresAt = info.csrf, utc(info.ses.IdleExpiresAt), utc(info.ses.ExpiresAt)
	}
	return s.sendNoStore(c, http.StatusOK, ans)
}

// MaxTokenLifetime bounds API tokens: a forgotten token should die on its own.
const MaxTokenLifetime = 366 * 24 * time.Hour

// ParseLifetime reads a token lifetime: a Go duration ("12h", "90m") or whole days ("30d").
func ParseLifetime(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q: whole days like 30d, or a duration like 12h", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q: whole days like 30d, or a duration like 12h", s)
		}
	}
	if d <= 0 || d > MaxTokenLifetime {
		return 0, fmt.Errorf("%q: between 1s and 366d", s)
	}
	return d, nil
}

// createToken serves POST /auth/tokens: a token for the caller's own account (owner "self",
// the default) or, for an admin, for the organisation (owner "organisation"), minted with the
// caller's session or token. It reaches no further than that credential: no scope it lacks,
// and (minted with a token) no expiry past the token's; the database holds the same rules
// and records the lineage, so revoking the parent or disabling the account ends the child
// (migration 015). A JWT mints nothing: no record here could end the token when the issuer
// disables the person. The secret is in this answer only.
func (s *Server) createToken(c echo.Context) error {
	if err := onlyParamsAny(c); err != nil {
		return err
	}
	p := layers.PrincipalFrom(c.Request().Context())
	if p.IsAnonymous() {
		return auth.Unauthorized(c, false, "log in or send a bearer credential to create API tokens")
	}
	if p.Credential == layers.CredentialJWT {
		return echo.NewHTTPError(http.StatusForbidden, "a JWT cannot create API tokens: a token would outlive your single sign-on's "+
			"say on your access; log in, or ask an operator (lagesbild token create)")
	}
	body, err := readAuthBody(c, "name", "scopes", "expires_in", "owner")
	if err != nil {
		return err
	}
	scopes := splitList(body["scopes"])
	if len(scopes) == 0 {
		scopes = []string{"read"}
	}
	for _, sc := range scopes {
		if !p.HasScope(sc) {
			return echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf("scope %q exceeds what you may do yourself", sc))
		}
	}
	now := s.ident.cfg.Now()
	// A token's child ends with it at the latest: the default lifetime is cut to that, an
	// explicit one beyond it refused.
	lifetime := 30 * 24 * time.Hour
	limit := MaxTokenLifetime
	if !p.Expires.IsZero() {
		limit = min(limit, p.Expires.Sub(now))
		lifetime = min(lifetime, limit)
	}
	if v := body["expires_in"]; v != "" {
		if lifetime, err = ParseLifetime(v); err != nil {
			return invalid("expires_in", "%v", err)
		}
		if lifetime > limit {
			return invalid("expires_in", "%s would outlive the token you mint it with, which expires at %s", v,
				p.Expires.UTC().Format(time.RFC3339))
		}
	}
	spec := layers.MintSpec{Owner: cmp.Or(body["owner"], layers.OwnerSelf), Name: body["name"], Scopes: scopes, ExpiresAt: now.Add(lifetime)}
	switch spec.Owner {
	case layers.OwnerSelf:
		if p.UserID == 0 {
			return invalid("owner", "your credential has no account of its own; an admin may ask for owner \"organisation\"")
		}
	case layers.OwnerOrganisation:
		if !p.HasScope("admin") {
			return echo.NewHTTPError(http.StatusForbidden, "only an admin may create tokens of the organisation")
		}
	default:
		return invalid("owner", "self or organisation")
	}
	t, secret, err := s.store.MintToken(c.Request().Context(), spec, now)
	if errors.Is(err, layers.ErrNotFound) {
		return auth.Unauthorized(c, p.Credential == layers.CredentialToken, "your credential ended before the token was made")
	}
	if err != nil {
		return err
	}
	s.auth.Audit(c, layers.AuditEntry{Action: layers.AuditTokenCreate, Status: http.StatusCreated, ObjectType: "api_tokens",
		ObjectID: strconv.FormatInt(t.ID, 10), Details: map[string]any{"scopes": t.Scopes, "owner": spec.Owner,
			"expires_at": t.ExpiresAt, "parent_id": t.ParentID}}, nil)
	return s.sendNoStore(c, http.StatusCreated, struct {
		*layers.APIToken
		Secret string `json:"secret"`
	}{t, secret})
}

// listTokens serves GET /auth/tokens: the caller's own tokens (its account's, those it minted,
// and a token's descendants), newest first, at most 1000, revoked and expired ones included;
// with all=true an admin gets every token of the organisation. Never a secret or a hash.
func (s *Server) listTokens(c echo.Context) error {
	if err := onlyParams(c, "all"); err != nil {
		return err
	}
	p := layers.PrincipalFrom(c.Request().Context())
	if p.IsAnonymous() {
		return auth.Unauthorized(c, false, "log in or send a bearer credential to list your API tokens")
	}
	all := false
	if v := c.QueryParam("all"); v != "" {
		var err error
		if all, err = strconv.ParseBool(v); err != nil {
			return invalid("all", "true or false")
		}
	}
	if all && !p.HasScope("admin") {
		return echo.NewHTTPError(http.StatusForbidden, "only an admin may list the organisation's tokens")
	}
	if p.Credential == layers.CredentialJWT {
		// A JWT mints no tokens (createToken), so it has none of its own.
		return s.sendNoStore(c, http.StatusOK, tokenList{Tokens: []layers.APIToken{}})
	}
	ts, err := s.store.ListTokens(c.Request().Context(), all, s.ident.cfg.Now())
	if errors.Is(err, layers.ErrNotFound) {
		return auth.Unauthorized(c, p.Credential == layers.CredentialToken, "your credential ended")
	}
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []layers.APIToken{}
	}
	return s.sendNoStore(c, http.StatusOK, tokenList{Tokens: ts})
}

// tokenList is the body of GET /auth/tokens.
type tokenList struct {
	Tokens []layers.APIToken `json:"tokens"`
}

// revokeToken serves DELETE /auth/tokens/{id}: an admin revokes any token of the
// organisation, anyone their own or one they minted (or the token revokes itself or a
// descendant); the token's descendants are revoked with it. Tokens the caller may not revoke
// answer 404, as unknown ones do, so ids of other organisations reveal nothing.
func (s *Server) revokeToken(c echo.Context) error {
	if err := onlyParamsAny(c); err != nil {
		return err
	}
	p := layers.PrincipalFrom(c.Request().Context())
	if p.IsAnonymous() {
		return auth.Unauthorized(c, false, "log in or send a bearer credential to revoke API tokens")
	}
	id, err := strconv.ParseInt(c.Param("tokenId"), 10, 64)
	if err != nil || id < 1 {
		return invalid("tokenId", "a positive integer")
	}
	if p.Credential == layers.CredentialJWT {
		return fmt.Errorf("token %d: %w", id, layers.ErrNotFound) // a JWT owns no tokens
	}
	if err := s.store.RevokeOwnToken(c.Request().Context(), id, s.ident.cfg.Now()); err != nil {
		return err
	}
	s.auth.Audit(c, layers.AuditEntry{Action: layers.AuditTokenRevoke, Status: http.StatusNoContent, ObjectType: "api_tokens",
		ObjectID: strconv.FormatInt(id, 10)}, nil)
	return c.NoContent(http.StatusNoContent)
}

// auditLoginFailed records a refused login. The name that was typed is not kept (it may be a
// password typed into the wrong field); an existing account is named by its id and
// organisation, so attempts on one account can be found.
func (s *Server) auditLoginFailed(c echo.Context, acct *layers.Account, passwordOK bool, status int) {
	reason, who := "unknown_account", layers.Anonymous()
	if acct != nil {
		who = acct.Principal(layers.CredentialSession)
		switch {
		case !passwordOK:
			reason = "wrong_password"
		case acct.Disabled:
			reason = "disabled"
		default:
			reason = "demo_refused"
		}
	}
	s.auth.Audit(c, layers.AuditEntry{Action: layers.AuditLoginFailed, Status: status, Details: map[string]any{"reason": reason}}, who)
}
