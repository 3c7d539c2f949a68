package auth

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
)

// Config configures identity. The zero value gives the defaults named on each field.
type Config struct {
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
	// account limits; LoginLimitBytes (default 16 MiB) bounds the limiter's table
	// (login_limits, shared by every server process on the database).
	PairFailures, AddressFailures, AccountFailures int
	LoginBackoffBase, LoginBackoffMax              time.Duration
	AccountInterval, FailureWindow, KnownFor       time.Duration
	LoginLimitBytes                                int64
	// OIDC, when set, accepts bearer JWTs from that issuer.
	OIDC *OIDCConfig
	// Argon2 are the cost parameters of hashes made here (the dummy hash); zero: layers.DefaultArgon2.
	Argon2 layers.Argon2Params
	// Tokens, when set, keeps API tokens' principals in memory; its Changed must receive the
	// change listener's notifications (layers.Store.ListenChanges). nil: every request with
	// a token asks the database.
	Tokens *TokenCache
	// Now is the clock of sessions, tokens, JWT times and the window of restricted tile reads
	// (AuditRestrictedRead); nil: time.Now.
	Now func() time.Time
}

// Cookie and header names of browser sessions.
const (
	SessionCookie = "lagesbild_session"
	CSRFHeader    = "X-CSRF-Token"
	csrfField     = "csrf_token"
)

// Auth is the room web composes for identity: its middleware (Authenticate, AuditWrites) and
// routes share one value. Create it with New; it is safe for concurrent use.
type Auth struct {
	cfg       Config
	site      Site
	store     *layers.Store
	log       *slog.Logger
	limiter   *loginLimiter
	dummyHash string        // verified for unknown accounts, so their answer takes as long
	hashing   chan struct{} // bounds concurrent argon2 runs (each takes Argon2.Memory)
	jwt       *jwtVerifier
	reads     restrictedReads
}

// Site is what the room needs to know of the server it is part of.
type Site struct {
	// BaseURL (when set) and CORSOrigins are the origins, besides the request's own host, a
	// login may come from.
	BaseURL     string
	CORSOrigins []string
}

// New returns the identity room over store, configured by cfg (its zero fields take the
// defaults named on Config); log receives the audit entries that could not be written.
func New(cfg Config, store *layers.Store, log *slog.Logger, site Site) *Auth {
	cfg = cfg.withDefaults()
	dummy, err := layers.HashPassword("no account has this password", cfg.Argon2)
	if err != nil {
		// crypto/rand does not fail on supported platforms; a fixed salt still costs the same time.
		dummy = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	}
	a := &Auth{cfg: cfg, site: site, store: store, log: log, limiter: newLoginLimiter(cfg, store), dummyHash: dummy, hashing: make(chan struct{}, 4)}
	if cfg.OIDC != nil {
		a.jwt = newJWTVerifier(*cfg.OIDC)
	}
	return a
}

// withDefaults is cfg with the defaults named on its fields where they are zero.
func (cfg Config) withDefaults() Config {
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
	return cfg
}

// Routes registers the room's routes on e; get registers a GET (and HEAD) route.
func (a *Auth) Routes(e *echo.Echo, get func(string, echo.HandlerFunc)) {
	e.POST("/auth/login", a.login)
	e.POST("/auth/logout", a.logout)
	get("/auth/me", a.me)
	get("/auth/tokens", a.listTokens)
	e.POST("/auth/tokens", a.createToken)
	e.DELETE("/auth/tokens/:tokenId", a.revokeToken)
	get("/audit", a.auditLog)
}

// sessionInfo is kept in the Echo context of a cookie-authenticated request.
type sessionInfo struct {
	hash []byte
	csrf string
	ses  *layers.Session
}

const sessionKey = "lagesbild.session"

// Authenticate is the one middleware that establishes the principal: it puts it in the
// request's context (layers.PrincipalFrom), or answers 401 for credentials given but not
// valid, 403 for a session's write without its CSRF token, 503 when the issuer's key set was
// never read.
func (a *Auth) Authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := a.principal(c)
		if err != nil {
			return err
		}
		c.SetRequest(c.Request().WithContext(layers.WithPrincipal(c.Request().Context(), p)))
		return next(c)
	}
}

// principal reads the request's credentials: a bearer API token, a bearer JWT, or the session
// cookie, in that order; none is the anonymous principal.
func (a *Auth) principal(c echo.Context) (*layers.Principal, error) {
	now := a.cfg.Now()
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		scheme, cred, _ := strings.Cut(strings.TrimSpace(h), " ")
		cred = strings.TrimSpace(cred)
		if !strings.EqualFold(scheme, "Bearer") || cred == "" {
			return nil, Unauthorized(c, false, "Authorization must be Bearer <API token or JWT>")
		}
		if len(cred) > 16<<10 {
			return nil, Unauthorized(c, true, "bearer credential too long")
		}
		if strings.HasPrefix(cred, layers.TokenPrefix) {
			return a.tokenPrincipal(c, cred, now)
		}
		return a.jwtPrincipal(c, cred, now)
	}
	cookie, err := c.Cookie(SessionCookie)
	if err != nil || cookie.Value == "" || c.Path() == "/auth/login" {
		// Login ignores an old cookie: it is what replaces it.
		return layers.Anonymous(), nil
	}
	return a.sessionPrincipal(c, cookie.Value, now)
}

// tokenPrincipal is the principal of the API token cred, from the token cache when the
// configuration has one (see TokenCache for why a revocation still takes effect at once).
func (a *Auth) tokenPrincipal(c echo.Context, cred string, now time.Time) (*layers.Principal, error) {
	var hash []byte
	var gen uint64
	p, demo, hit := (*layers.Principal)(nil), false, false
	if a.cfg.Tokens != nil {
		hash = layers.HashSecret(cred)
		p, demo, gen, hit = a.cfg.Tokens.get(hash, now)
	}
	if !hit {
		var err error
		p, demo, err = a.store.TokenPrincipal(c.Request().Context(), cred, now)
		if errors.Is(err, layers.ErrNotFound) {
			return nil, Unauthorized(c, true, "API token unknown, expired or revoked")
		}
		if err != nil {
			return nil, err
		}
		if a.cfg.Tokens != nil {
			a.cfg.Tokens.put(hash, p, demo, gen, now)
		}
	}
	if demo && !a.cfg.Demo {
		return nil, Unauthorized(c, true, "demo credentials are accepted only by a server started with --demo")
	}
	return p, nil
}

// jwtPrincipal is the principal of the bearer JWT cred, its organisation as the database
// knows it.
func (a *Auth) jwtPrincipal(c echo.Context, cred string, now time.Time) (*layers.Principal, error) {
	ctx := c.Request().Context()
	if a.jwt == nil {
		return nil, Unauthorized(c, true, "not an API token (lgb_…), and no OpenID Connect issuer is configured for JWTs")
	}
	p, err := a.jwt.verify(ctx, cred, now)
	if err != nil {
		var bad *jwtError
		if errors.As(err, &bad) {
			return nil, Unauthorized(c, true, "JWT refused: "+bad.msg)
		}
		if errors.Is(err, errJWKSUnavailable) { // an outage of the issuer, not the caller's fault
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(jwksRefreshInterval.Seconds())))
			return nil, echo.NewHTTPError(http.StatusServiceUnavailable, err.Error())
		}
		return nil, err
	}
	org, err := a.store.LookupOrganisation(ctx, p.Organisation)
	if errors.Is(err, layers.ErrNotFound) {
		return nil, Unauthorized(c, true, fmt.Sprintf("JWT refused: organisation %q is not known here", p.Organisation))
	}
	if err != nil {
		return nil, err
	}
	if org.Demo && !a.cfg.Demo {
		return nil, Unauthorized(c, true, "demo credentials are accepted only by a server started with --demo")
	}
	p.OrgKind, p.OrgName = org.Kind, org.Name
	return p, nil
}

// sessionPrincipal is the principal of the session whose cookie holds secret; a write riding
// on it needs its CSRF token.
func (a *Auth) sessionPrincipal(c echo.Context, secret string, now time.Time) (*layers.Principal, error) {
	hash := layers.HashSecret(secret)
	acct, ses, err := a.store.TouchSession(c.Request().Context(), hash, now, a.cfg.IdleTimeout)
	if errors.Is(err, layers.ErrNotFound) {
		a.clearSessionCookie(c)
		return nil, Unauthorized(c, false, "session expired or ended: log in again (the cookie has been cleared)")
	}
	if err != nil {
		return nil, err
	}
	if acct.Demo && !a.cfg.Demo {
		a.clearSessionCookie(c)
		return nil, Unauthorized(c, false, "demo credentials are accepted only by a server started with --demo")
	}
	info := &sessionInfo{hash: hash, csrf: csrfToken(secret), ses: ses}
	if !safeMethod(c.Request().Method) && !validCSRF(c, info.csrf) {
		return nil, echo.NewHTTPError(http.StatusForbidden,
			"CSRF token missing or wrong: send the csrf_token of the login answer or GET /auth/me in the "+CSRFHeader+" header")
	}
	c.Set(sessionKey, info)
	return acct.SessionPrincipal(hash), nil
}

// Unauthorized is a 401 with a WWW-Authenticate challenge; bearer says the bearer credential
// was at fault (RFC 6750 invalid_token).
func Unauthorized(c echo.Context, bearer bool, msg string) error {
	challenge := `Bearer realm="lagesbild"`
	if bearer {
		challenge += `, error="invalid_token"`
	}
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, challenge)
	return echo.NewHTTPError(http.StatusUnauthorized, msg)
}

// safeMethod says whether m only reads: no CSRF token needed, no write to audit.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
