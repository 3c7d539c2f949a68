package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web"
	"github.com/lagesbild/lagesbild/web/auth"
)

// Issue 12, findings 3 and 4: a credential cannot make one that lives longer or reaches
// further than itself; revoking or disabling reaches everything derived from it, for good.

type mintedToken struct {
	ID         int64      `json:"id"`
	Scopes     []string   `json:"scopes"`
	ExpiresAt  time.Time  `json:"expires_at"`
	Secret     string     `json:"secret"`
	ParentID   *int64     `json:"parent_id"`
	CreatedVia *string    `json:"created_via"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Account    string     `json:"account"`
}

func mint(t *testing.T, a *api, h http.Header, body map[string]any, want int) mintedToken {
	t.Helper()
	_, b := a.write("POST", "/auth/tokens", withHeader(h, "Content-Type", "application/json"), jsonBody(body), want)
	if want != 201 {
		return mintedToken{}
	}
	return decode[mintedToken](t, b)
}

func TestTokenLineage(t *testing.T) {
	a, clock := newAuthAPI(t, auth.Config{})
	editor := newAccount(t, "police", "editor")
	s := login(t, a, editor)

	// A 60-second token cannot mint a 366-day one, nor anything outliving itself.
	short := mint(t, a, s.write(), map[string]any{"scopes": "read,write", "expires_in": "60s"}, 201)
	_, body := a.write("POST", "/auth/tokens", withHeader(bearerOf(short.Secret), "Content-Type", "application/json"),
		jsonBody(map[string]any{"expires_in": "366d"}), 400)
	if p := decode[web.Problem](t, body); p.Param != "expires_in" || !strings.Contains(p.Detail, "outlive") {
		t.Errorf("366-day child of a 60-second token: %+v", p)
	}
	mint(t, a, bearerOf(short.Secret), map[string]any{"expires_in": "61s"}, 400)
	// The default lifetime (30 days) is cut to the parent's.
	child := mint(t, a, bearerOf(short.Secret), map[string]any{"scopes": "read"}, 201)
	if !child.ExpiresAt.Equal(short.ExpiresAt) || child.ParentID == nil || *child.ParentID != short.ID ||
		child.CreatedVia == nil || *child.CreatedVia != "token" {
		t.Errorf("child of a 60-second token: %+v (parent expires %v)", child, short.ExpiresAt)
	}
	// Nor does it reach further: no scope the parent lacks.
	mint(t, a, bearerOf(child.Secret), map[string]any{"scopes": "read,write"}, 403)
	grandchild := mint(t, a, bearerOf(child.Secret), map[string]any{"scopes": "read", "expires_in": "30s"}, 201)

	// Revoking the parent revokes the child and the grandchild, at once.
	for _, tok := range []mintedToken{short, child, grandchild} {
		a.write("GET", "/auth/me", bearerOf(tok.Secret), "", 200)
	}
	a.write("DELETE", fmt.Sprintf("/auth/tokens/%d", short.ID), withHeader(s.header(), auth.CSRFHeader, s.csrf), "", 204)
	for _, tok := range []mintedToken{short, child, grandchild} {
		a.write("GET", "/auth/me", bearerOf(tok.Secret), "", 401)
	}
	if n := count(t, `SELECT count(*) FROM api_tokens WHERE id = ANY($1) AND revoked_at IS NOT NULL`, []int64{short.ID, child.ID, grandchild.ID}); n != 3 {
		t.Errorf("%d of 3 tokens revoked in the database", n)
	}

	// A token minted in a session belongs to the account: it outlives logout, and the
	// session cannot make it last more than 366 days.
	long := mint(t, a, s.write(), map[string]any{"expires_in": "366d"}, 201)
	if long.CreatedVia == nil || *long.CreatedVia != "session" || long.ParentID != nil {
		t.Errorf("session token lineage: %+v", long)
	}
	a.write("POST", "/auth/logout", withHeader(s.header(), auth.CSRFHeader, s.csrf), "", 204)
	a.write("GET", "/auth/me", bearerOf(long.Secret), "", 200)

	// The database itself refuses a child outliving or out-scoping its parent, whoever inserts.
	ctx := context.Background()
	for _, tt := range []struct {
		name, scopes string
		expires      time.Duration
	}{{"outlives", "{read}", 400 * 24 * time.Hour}, {"more scopes", "{read,write,admin}", time.Hour}} {
		_, err := testDB.Pool.Exec(ctx, `INSERT INTO api_tokens (token_hash, organisation, name, scopes, created_at, expires_at, parent_id)
			VALUES (sha256($1::bytea), $2, 'forged', $3::text[], $4, $5, $6)`, []byte(tt.name+editor.org), editor.org, tt.scopes, clock.Now(), clock.Now().Add(tt.expires), long.ID)
		if err == nil {
			t.Errorf("%s: the database took a child token that %s its parent", tt.name, tt.name)
		}
	}
}

// TestJWTMintsNoToken: a bearer JWT cannot mint an API token: nothing here could end the
// token when the issuer disables the person.
func TestJWTMintsNoToken(t *testing.T) {
	signer := newJWTSigner(t)
	const issuer, audience = "https://login.vasteras.test/realms/kommun", "lagesbild"
	a, clock := newAuthAPI(t, auth.Config{OIDC: &auth.OIDCConfig{Issuer: issuer, Audience: audience, Keys: auth.NewJWKS(signer.path, nil)}})
	acc := newAccount(t, "municipality", "admin")
	now := clock.Now().Unix()
	jwt := signer.sign(t, map[string]any{"alg": "RS256", "kid": "rsa1"}, map[string]any{"iss": issuer, "aud": audience, "sub": "f3a1",
		"exp": now + 60, "org": acc.org, "roles": []string{"admin"}})
	_, body := a.write("POST", "/auth/tokens", withHeader(bearerOf(jwt), "Content-Type", "application/json"),
		jsonBody(map[string]any{"owner": "organisation", "scopes": "read,write,admin", "expires_in": "366d"}), 403)
	if p := decode[web.Problem](t, body); !strings.Contains(p.Detail, "JWT") {
		t.Errorf("refusal does not say why: %+v", p)
	}
	if n := count(t, `SELECT count(*) FROM api_tokens WHERE organisation = $1`, acc.org); n != 0 {
		t.Errorf("%d tokens minted with a JWT", n)
	}
}

// TestListTokens: GET /auth/tokens lists the caller's own tokens (never a secret or hash); an
// admin may ask for the whole organisation's.
func TestListTokens(t *testing.T) {
	a, _ := newAuthAPI(t, auth.Config{})
	admin := newAccount(t, "municipality", "admin")
	reader := newAccount(t, "municipality", "reader")
	other := newAccount(t, "police", "admin")
	// reader's account in admin's organisation.
	if _, err := testDB.Pool.Exec(context.Background(), `UPDATE users SET organisation = $1 WHERE username = $2`, admin.org, reader.user); err != nil {
		t.Fatal(err)
	}
	as, rs, ps := login(t, a, admin), login(t, a, reader), login(t, a, other)
	orgTok := mint(t, a, as.write(), map[string]any{"owner": "organisation", "name": "sync"}, 201)
	mine := mint(t, a, rs.write(), map[string]any{"name": "mine"}, 201)
	derived := mint(t, a, bearerOf(mine.Secret), map[string]any{"name": "derived", "expires_in": "1h"}, 201)
	mint(t, a, ps.write(), map[string]any{"name": "police"}, 201)

	a.write("GET", "/auth/tokens", nil, "", 401)
	list := func(h http.Header, query string, want int) []mintedToken {
		t.Helper()
		res, body := a.write("GET", "/auth/tokens"+query, h, "", want)
		if want != 200 {
			return nil
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("token list Cache-Control %q", res.Header.Get("Cache-Control"))
		}
		for _, leak := range []string{"secret", "hash", layers.TokenPrefix} {
			if strings.Contains(string(body), leak) {
				t.Errorf("token list holds %q: %s", leak, body)
			}
		}
		return decode[struct {
			Tokens []mintedToken `json:"tokens"`
		}](t, body).Tokens
	}
	ids := func(ts []mintedToken) []int64 {
		var out []int64
		for _, x := range ts {
			out = append(out, x.ID)
		}
		slices.Sort(out)
		return out
	}
	if got, want := ids(list(rs.header(), "", 200)), []int64{mine.ID, derived.ID}; !slices.Equal(got, want) {
		t.Errorf("reader's own tokens %v, want %v", got, want)
	}
	if got, want := ids(list(bearerOf(derived.Secret), "", 200)), []int64{mine.ID, derived.ID}; !slices.Equal(got, want) {
		t.Errorf("the derived token's list %v, want its account's %v", got, want)
	}
	list(rs.header(), "?all=true", 403)
	list(rs.header(), "?all=maybe", 400)
	if got, want := ids(list(as.header(), "", 200)), []int64{orgTok.ID}; !slices.Equal(got, want) {
		t.Errorf("admin's own tokens %v, want %v", got, want)
	}
	got := list(as.header(), "?all=true", 200)
	if want := []int64{orgTok.ID, mine.ID, derived.ID}; !slices.Equal(ids(got), want) {
		t.Errorf("organisation's tokens %v, want %v", ids(got), want)
	}
	for _, x := range got {
		if x.ID == derived.ID && (x.ParentID == nil || *x.ParentID != mine.ID || x.Account != reader.user) {
			t.Errorf("derived token listed as %+v", x)
		}
	}
	// Revoked tokens stay listed, marked.
	a.write("DELETE", fmt.Sprintf("/auth/tokens/%d", mine.ID), withHeader(rs.header(), auth.CSRFHeader, rs.csrf), "", 204)
	for _, x := range list(rs.header(), "", 200) {
		if x.RevokedAt == nil {
			t.Errorf("token %d not marked revoked after its parent was", x.ID)
		}
	}
}

// TestDisableEndsCredentials: disabling an account deletes its sessions and revokes its
// tokens and the tokens minted from them, in the same transaction; enabling it again revives
// none of them.
func TestDisableEndsCredentials(t *testing.T) {
	a, _ := newAuthAPI(t, auth.Config{})
	admin := newAccount(t, "housing", "admin")
	s := login(t, a, admin)
	own := mint(t, a, s.write(), map[string]any{}, 201)
	orgTok := mint(t, a, s.write(), map[string]any{"owner": "organisation", "scopes": "read,admin"}, 201)
	derived := mint(t, a, bearerOf(orgTok.Secret), map[string]any{"owner": "organisation"}, 201)
	store := layers.NewStore(testDB.Pool)
	ctx := context.Background()
	if err := store.SetUserDisabled(ctx, admin.user, true); err != nil {
		t.Fatal(err)
	}
	if n := count(t, `SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1`, admin.user); n != 0 {
		t.Errorf("%d sessions left after disabling", n)
	}
	if n := count(t, `SELECT count(*) FROM api_tokens WHERE id = ANY($1) AND revoked_at IS NULL`, []int64{own.ID, orgTok.ID, derived.ID}); n != 0 {
		t.Errorf("%d of the account's tokens not revoked after disabling", n)
	}
	if err := store.SetUserDisabled(ctx, admin.user, false); err != nil {
		t.Fatal(err)
	}
	a.write("GET", "/auth/me", s.header(), "", 401)
	for _, tok := range []mintedToken{own, orgTok, derived} {
		a.write("GET", "/auth/me", bearerOf(tok.Secret), "", 401)
	}
	// The account itself works again, with new credentials.
	s = login(t, a, admin)
	a.write("GET", "/auth/me", s.header(), "", 200)
}

// TestDemotionNarrowsTokens: a token acts with no more than its account holds now.
func TestDemotionNarrowsTokens(t *testing.T) {
	a, _ := newAuthAPI(t, auth.Config{})
	editor := newAccount(t, "police", "editor")
	tok := mint(t, a, login(t, a, editor).write(), map[string]any{"scopes": "read,write"}, 201)
	if _, err := testDB.Pool.Exec(context.Background(), `UPDATE users SET role = 'reader' WHERE username = $1`, editor.user); err != nil {
		t.Fatal(err)
	}
	_, body := a.write("GET", "/auth/me", bearerOf(tok.Secret), "", 200)
	if p := decode[principal](t, body); !slices.Equal(p.Scopes, []string{"read"}) {
		t.Errorf("a demoted editor's token acts with %v, want [read]", p.Scopes)
	}
}
