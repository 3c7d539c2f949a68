package auth

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

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
func (a *Auth) createToken(c echo.Context) error {
	if err := respond.OnlyParamsAny(c); err != nil {
		return err
	}
	p := layers.PrincipalFrom(c.Request().Context())
	if p.IsAnonymous() {
		return Unauthorized(c, false, "log in or send a bearer credential to create API tokens")
	}
	if p.Credential == layers.CredentialJWT {
		return echo.NewHTTPError(http.StatusForbidden, "a JWT cannot create API tokens: a token would outlive your single sign-on's "+
			"say on your access; log in, or ask an operator (lagesbild token create)")
	}
	body, err := readAuthBody(c, "name", "scopes", "expires_in", "owner")
	if err != nil {
		return err
	}
	scopes := respond.SplitList(body["scopes"])
	if len(scopes) == 0 {
		scopes = []string{"read"}
	}
	for _, sc := range scopes {
		if !p.HasScope(sc) {
			return echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf("scope %q exceeds what you may do yourself", sc))
		}
	}
	now := a.cfg.Now()
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
			return layers.Invalid("expires_in", "%v", err)
		}
		if lifetime > limit {
			return layers.Invalid("expires_in", "%s would outlive the token you mint it with, which expires at %s", v,
				p.Expires.UTC().Format(time.RFC3339))
		}
	}
	spec := layers.MintSpec{Owner: cmp.Or(body["owner"], layers.OwnerSelf), Name: body["name"], Scopes: scopes, ExpiresAt: now.Add(lifetime)}
	switch spec.Owner {
	case layers.OwnerSelf:
		if p.UserID == 0 {
			return layers.Invalid("owner", "your credential has no account of its own; an admin may ask for owner \"organisation\"")
		}
	case layers.OwnerOrganisation:
		if !p.HasScope("admin") {
			return echo.NewHTTPError(http.StatusForbidden, "only an admin may create tokens of the organisation")
		}
	default:
		return layers.Invalid("owner", "self or organisation")
	}
	t, secret, err := a.store.MintToken(c.Request().Context(), spec, now)
	if errors.Is(err, layers.ErrNotFound) {
		return Unauthorized(c, p.Credential == layers.CredentialToken, "your credential ended before the token was made")
	}
	if err != nil {
		return err
	}
	a.Audit(c, layers.AuditEntry{Action: layers.AuditTokenCreate, Status: http.StatusCreated, ObjectType: "api_tokens",
		ObjectID: strconv.FormatInt(t.ID, 10), Details: map[string]any{"scopes": t.Scopes, "owner": spec.Owner,
			"expires_at": t.ExpiresAt, "parent_id": t.ParentID}}, nil)
	return respond.NoStore(c, http.StatusCreated, struct {
		*layers.APIToken
		Secret string `json:"secret"`
	}{t, secret})
}

// listTokens serves GET /auth/tokens: the caller's own tokens (its account's, those it minted,
// and a token's descendants), newest first, at most 1000, revoked and expired ones included;
// with all=true an admin gets every token of the organisation. Never a secret or a hash.
func (a *Auth) listTokens(c echo.Context) error {
	if err := respond.OnlyParams(c, "all"); err != nil {
		return err
	}
	p := layers.PrincipalFrom(c.Request().Context())
	if p.IsAnonymous() {
		return Unauthorized(c, false, "log in or send a bearer credential to list your API tokens")
	}
	all := false
	if v := c.QueryParam("all"); v != "" {
		var err error
		if all, err = strconv.ParseBool(v); err != nil {
			return layers.Invalid("all", "true or false")
		}
	}
	if all && !p.HasScope("admin") {
		return echo.NewHTTPError(http.StatusForbidden, "only an admin may list the organisation's tokens")
	}
	if p.Credential == layers.CredentialJWT {
		// A JWT mints no tokens (createToken), so it has none of its own.
		return respond.NoStore(c, http.StatusOK, tokenList{Tokens: []layers.APIToken{}})
	}
	ts, err := a.store.ListTokens(c.Request().Context(), all, a.cfg.Now())
	if errors.Is(err, layers.ErrNotFound) {
		return Unauthorized(c, p.Credential == layers.CredentialToken, "your credential ended")
	}
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []layers.APIToken{}
	}
	return respond.NoStore(c, http.StatusOK, tokenList{Tokens: ts})
}

// tokenList is the body of GET /auth/tokens.
type tokenList struct {
	Tokens []layers.APIToken `json:"tokens"`
}

// revokeToken serves DELETE /auth/tokens/{id}: an admin revokes any token of the
// organisation, anyone their own or one they minted (or the token revokes itself or a
// descendant); the token's descendants are revoked with it. Tokens the caller may not revoke
// answer 404, as unknown ones do, so ids of other organisations reveal nothing.
func (a *Auth) revokeToken(c echo.Context) error {
	if err := respond.OnlyParamsAny(c); err != nil {
		return err
	}
	p := layers.PrincipalFrom(c.Request().Context())
	if p.IsAnonymous() {
		return Unauthorized(c, false, "log in or send a bearer credential to revoke API tokens")
	}
	id, err := strconv.ParseInt(c.Param("tokenId"), 10, 64)
	if err != nil || id < 1 {
		return layers.Invalid("tokenId", "a positive integer")
	}
	if p.Credential == layers.CredentialJWT {
		return fmt.Errorf("token %d: %w", id, layers.ErrNotFound) // a JWT owns no tokens
	}
	if err := a.store.RevokeOwnToken(c.Request().Context(), id, a.cfg.Now()); err != nil {
		return err
	}
	if a.cfg.Tokens != nil {
		// The notification reaches every process, this one too, but a few milliseconds later:
		// the caller's next request must already fail.
		a.cfg.Tokens.Drop()
	}
	a.Audit(c, layers.AuditEntry{Action: layers.AuditTokenRevoke, Status: http.StatusNoContent, ObjectType: "api_tokens",
		ObjectID: strconv.FormatInt(id, 10)}, nil)
	return c.NoContent(http.StatusNoContent)
}
