package auth

import (
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
	"github.com/lagesbild/lagesbild/web/respond"
)

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

func (a *Auth) sessionCookie(c echo.Context, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: a.cfg.CookieSecure || c.Scheme() == "https"}
}

func (a *Auth) clearSessionCookie(c echo.Context) { c.SetCookie(a.sessionCookie(c, "", -1)) }

// authAnswer is the body of login and /auth/me.
type authAnswer struct {
	*layers.Principal
	CSRFToken     string     `json:"csrf_token,omitempty"`
	IdleExpiresAt *time.Time `json:"idle_expires_at,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	Demo          bool       `json:"demo_mode"`
	// Clearance is the highest data class the caller may read: the figures of every answer
	// that reads classed rows depend on it (the page says so beside them).
	Clearance layers.DataClass `json:"clearance"`
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
			return nil, layers.Invalid("body", "not a JSON object: %v", err)
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
						return nil, layers.Invalid(f, "must be a string or a list of strings")
					}
					parts[i] = str
				}
				out[f] = strings.Join(parts, ",")
			default:
				return nil, layers.Invalid(f, "must be a string")
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
			return nil, layers.Invalid(f, "contains a NUL character or bytes that are not UTF-8")
		}
	}
	return out, nil
}

// login serves POST /auth/login.
func (a *Auth) login(c echo.Context) error {
	if err := respond.OnlyParamsAny(c); err != nil {
		return err
	}
	if origin := c.Request().Header.Get(echo.HeaderOrigin); origin != "" && !a.sameOrigin(c, origin) {
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
		return layers.Invalid("username", "required")
	}
	if password == "" {
		return layers.Invalid("password", "required")
	}
	now := a.cfg.Now()
	addr, _ := netip.ParseAddr(c.RealIP()) // the zero Addr when unknown: one key for all such
	wait, limit, err := a.limiter.admit(c.Request().Context(), username, addr, now)
	if err != nil {
		return err
	}
	if wait > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		a.Audit(c, layers.AuditEntry{Action: layers.AuditLoginFailed, Status: http.StatusTooManyRequests,
			Details: map[string]any{"reason": "rate_limited", "limit": limit.String()}}, nil)
		return echo.NewHTTPError(http.StatusTooManyRequests, "too many failed logins: try again later")
	}

	acct, err := a.store.AccountByName(c.Request().Context(), username)
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
		a.auditLoginFailed(c, acct, ok, http.StatusUnauthorized)
		return Unauthorized(c, false, "unknown account or wrong password")
	}
	if err := a.limiter.succeeded(c.Request().Context(), username, addr, now); err != nil {
		return err
	}
	if acct.Demo && !a.cfg.Demo {
		a.auditLoginFailed(c, acct, ok, http.StatusForbidden)
		return echo.NewHTTPError(http.StatusForbidden, "demo credentials are accepted only by a server started with --demo")
	}
	secret, hashed, err := layers.NewSecret("")
	if err != nil {
		return err
	}
	ses, err := a.store.CreateSession(c.Request().Context(), hashed, acct.ID, now, a.cfg.IdleTimeout, a.cfg.AbsoluteTimeout)
	if err != nil {
		return err
	}
	c.SetCookie(a.sessionCookie(c, secret, int(a.cfg.AbsoluteTimeout.Seconds())))
	a.Audit(c, layers.AuditEntry{Action: layers.AuditLogin, Status: http.StatusOK}, acct.Principal(layers.CredentialSession))
	p := acct.Principal(layers.CredentialSession)
	return respond.NoStore(c, http.StatusOK, authAnswer{Principal: p, CSRFToken: csrfToken(secret),
		IdleExpiresAt: utc(ses.IdleExpiresAt), ExpiresAt: utc(ses.ExpiresAt), Demo: a.cfg.Demo, Clearance: p.Clearance()})
}

func utc(t time.Time) *time.Time { t = t.UTC(); return &t }

// sameOrigin says whether origin is this server's own or one CORS allows.
func (a *Auth) sameOrigin(c echo.Context, origin string) bool {
	if origin == c.Scheme()+"://"+c.Request().Host || (a.site.BaseURL != "" && strings.HasPrefix(a.site.BaseURL+"/", origin+"/")) {
		return true
	}
	for _, o := range a.site.CORSOrigins {
		if o == origin {
			return true
		}
	}
	return false
}

// logout serves POST /auth/logout: the session ends in the database and the cookie is cleared.
// Without a session it only clears the cookie.
func (a *Auth) logout(c echo.Context) error {
	if err := respond.OnlyParamsAny(c); err != nil {
		return err
	}
	if info, ok := c.Get(sessionKey).(*sessionInfo); ok {
		if err := a.store.DeleteSession(c.Request().Context(), info.hash); err != nil {
			return err
		}
	}
	a.clearSessionCookie(c)
	c.Response().Header().Set("Cache-Control", "no-store")
	a.Audit(c, layers.AuditEntry{Action: layers.AuditLogout, Status: http.StatusNoContent}, nil)
	return c.NoContent(http.StatusNoContent)
}

// me serves GET /auth/me: the caller's principal (anonymous included), and for a session its
// CSRF token and expiry times.
func (a *Auth) me(c echo.Context) error {
	if err := respond.OnlyParams(c); err != nil {
		return err
	}
	p := layers.PrincipalFrom(c.Request().Context())
	ans := authAnswer{Principal: p, Demo: a.cfg.Demo, Clearance: p.Clearance()}
	if info, ok := c.Get(sessionKey).(*sessionInfo); ok {
		ans.CSRFToken, ans.IdleExpiresAt, ans.ExpiresAt = info.csrf, utc(info.ses.IdleExpiresAt), utc(info.ses.ExpiresAt)
	}
	return respond.NoStore(c, http.StatusOK, ans)
}

// auditLoginFailed records a refused login. The name that was typed is not kept (it may be a
// password typed into the wrong field); an existing account is named by its id and
// organisation, so attempts on one account can be found.
func (a *Auth) auditLoginFailed(c echo.Context, acct *layers.Account, passwordOK bool, status int) {
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
	a.Audit(c, layers.AuditEntry{Action: layers.AuditLoginFailed, Status: status, Details: map[string]any{"reason": reason}}, who)
}
