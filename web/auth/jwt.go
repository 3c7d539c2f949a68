package auth

// Bearer JWTs from one configured OpenID Connect issuer (single sign-on as municipalities run
// it: Azure AD / Entra ID, Keycloak, ADFS). Verified here with the standard library: RS256
// and ES256 only (the algorithms issuers use; "none" and HMAC never, so a public key cannot
// be turned into a shared secret), the key chosen by kid from a JWKS read from a file or a
// URL, exp required, nbf honoured, iss and aud compared exactly, with a small clock leeway.

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lagesbild/lagesbild/layers"
)

// OIDCConfig names the trusted issuer and how its claims map to an organisation and roles.
type OIDCConfig struct {
	// Issuer must equal the token's iss; Audience must be one of its aud.
	Issuer, Audience string
	// Keys is the issuer's key set.
	Keys *JWKS
	// OrgClaim and RolesClaim name the claims (dotted paths into nested objects, e.g.
	// "realm_access.roles") holding the organisation code and the roles; defaults "org" and
	// "roles". Roles may be a list or a space-separated string; values other than reader,
	// editor and admin are ignored, and the highest role includes the lower ones.
	OrgClaim, RolesClaim string
	// Leeway tolerates clock skew on exp and nbf; default 30 s.
	Leeway time.Duration
}

// JWKS is a JSON Web Key Set read from a file or a URL, reread when a token names a key id it
// does not hold (the issuer rotated its keys), at most once per jwksRefreshInterval whoever
// asks. The reread runs outside the lock, detached from the request that started it: tokens
// with known keys never wait for it, and tokens with unknown ones wait for the one read in
// flight (at most jwksReadTimeout) instead of starting their own. A failed reread keeps the
// keys held.
type JWKS struct {
	source string
	read   func(ctx context.Context) ([]byte, error)
	mu     sync.Mutex // guards the fields below; never held across a read
	keys   map[string]jwk
	next   time.Time // no token-triggered reread before this
	flight *jwksRead // the reread in progress, if any
}

// jwksRead is one reread of the key set; done is closed when err is set.
type jwksRead struct {
	done chan struct{}
	err  error
}

// jwksRefreshInterval bounds how often tokens with unknown key ids make the server read the
// issuer's key set; jwksReadTimeout bounds one read.
const (
	jwksRefreshInterval = time.Minute
	jwksReadTimeout     = 10 * time.Second
)

// errJWKSUnavailable: no key set has ever been read, so no token can be verified (503).
var errJWKSUnavailable = errors.New("the OpenID Connect issuer's key set cannot be read")

type jwk struct {
	kid, alg string
	key      crypto.PublicKey
}

// NewJWKS returns the key set at source: an http(s) URL or a file path. Nothing is read
// until Load or the first token.
func NewJWKS(source string, client *http.Client) *JWKS {
	k := &JWKS{source: source}
	if strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "http://") {
		if client == nil {
			client = &http.Client{Timeout: jwksReadTimeout}
		}
		k.read = func(ctx context.Context) ([]byte, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
			if err != nil {
				return nil, err
			}
			res, err := client.Do(req)
			if err != nil {
				return nil, err
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("status %s", res.Status)
			}
			return io.ReadAll(io.LimitReader(res.Body, 1<<20))
		}
	} else {
		k.read = func(context.Context) ([]byte, error) { return os.ReadFile(source) }
	}
	return k
}

// Load reads the key set now; serve calls it at start so a wrong path fails early.
func (k *JWKS) Load(ctx context.Context) error {
	keys, err := k.fetch(ctx)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.keys = keys
	k.mu.Unlock()
	return nil
}

// fetch reads and parses the key set, without touching k's state.
func (k *JWKS) fetch(ctx context.Context) (map[string]jwk, error) {
	raw, err := k.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", k.source, err)
	}
	keys, err := parseJWKS(raw)
	if err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", k.source, err)
	}
	return keys, nil
}

// refreshLocked returns the reread in flight, or starts one when the interval since the last
// allows it (nil when it does not). Called with k.mu held.
func (k *JWKS) refreshLocked(now time.Time) *jwksRead {
	if k.flight != nil {
		return k.flight
	}
	if now.Before(k.next) {
		return nil
	}
	k.next = now.Add(jwksRefreshInterval)
	f := &jwksRead{done: make(chan struct{})}
	k.flight = f
	go func() {
		// Detached from the request that started it: the others waiting share it.
		ctx, cancel := context.WithTimeout(context.Background(), jwksReadTimeout)
		defer cancel()
		keys, err := k.fetch(ctx)
		k.mu.Lock()
		if err == nil {
			k.keys = keys
		}
		k.flight, f.err = nil, err
		k.mu.Unlock()
		close(f.done)
	}()
	return f
}

// parseJWKS reads the RSA and P-256 signing keys of a JWK Set (RFC 7517); other keys
// (encryption keys, other curves) are skipped. A set with no usable key is an error.
func parseJWKS(raw []byte) (map[string]jwk, error) {
	var set struct {
		Keys []struct {
			Kty, Kid, Alg, Use, Crv, N, E, X, Y string
		} `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("not a JWK set: %w", err)
	}
	out := map[string]jwk{}
	b64 := base64.RawURLEncoding
	for i, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		var key jwk
		key.kid, key.alg = k.Kid, k.Alg
		switch k.Kty {
		case "RSA":
			n, err1 := b64.DecodeString(k.N)
			e, err2 := b64.DecodeString(k.E)
			if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
				return nil, fmt.Errorf("key %d: bad RSA modulus or exponent", i)
			}
			pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
			if pub.N.BitLen() < 2048 {
				return nil, fmt.Errorf("key %d: RSA key shorter than 2048 bits", i)
			}
			key.key = pub
		case "EC":
			if k.Crv != "P-256" {
				continue
			}
			x, err1 := b64.DecodeString(k.X)
			y, err2 := b64.DecodeString(k.Y)
			if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
				return nil, fmt.Errorf("key %d: bad P-256 coordinates", i)
			}
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
			if err != nil {
				return nil, fmt.Errorf("key %d: %w", i, err)
			}
			key.key = pub
		default:
			continue
		}
		out[k.Kid] = key
	}
	if len(out) == 0 {
		return nil, errors.New("no RSA or P-256 signing key")
	}
	return out, nil
}

// key returns the key for kid that fits alg, rereading the set (see JWKS) when kid is
// unknown. A token without kid may use the only key of its type. A key not found, after a
// reread or not, is a *jwtError (401); errJWKSUnavailable when no key set was ever read.
func (k *JWKS) key(ctx context.Context, kid, alg string, now time.Time) (crypto.PublicKey, error) {
	find := func() crypto.PublicKey {
		fits := func(j jwk) bool {
			if j.alg != "" && j.alg != alg {
				return false
			}
			switch j.key.(type) {
			case *rsa.PublicKey:
				return alg == "RS256"
			case *ecdsa.PublicKey:
				return alg == "ES256"
			}
			return false
		}
		if kid != "" {
			if j, ok := k.keys[kid]; ok && fits(j) {
				return j.key
			}
			return nil
		}
		var only crypto.PublicKey
		for _, j := range k.keys {
			if fits(j) {
				if only != nil {
					return nil // ambiguous without kid
				}
				only = j.key
			}
		}
		return only
	}
	k.mu.Lock()
	pub := find()
	var f *jwksRead
	if pub == nil {
		f = k.refreshLocked(now)
	}
	k.mu.Unlock()
	if pub != nil {
		return pub, nil
	}
	if f != nil {
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		k.mu.Lock()
		pub = find()
		k.mu.Unlock()
		if pub != nil {
			return pub, nil
		}
	}
	k.mu.Lock()
	loaded := k.keys != nil
	k.mu.Unlock()
	if !loaded {
		return nil, errJWKSUnavailable
	}
	return nil, &jwtError{fmt.Sprintf("no %s key with kid %q in the issuer's key set", alg, kid)}
}

// jwtError is a token refused for a reason the caller may be told.
type jwtError struct{ msg string }

func (e *jwtError) Error() string { return "JWT: " + e.msg }

// jwtVerifier checks bearer JWTs against one OIDCConfig; safe for concurrent use.
type jwtVerifier struct{ cfg OIDCConfig }

// newJWTVerifier returns a verifier for cfg, with the defaults named on OIDCConfig filled in.
func newJWTVerifier(cfg OIDCConfig) *jwtVerifier {
	if cfg.OrgClaim == "" {
		cfg.OrgClaim = "org"
	}
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = "roles"
	}
	if cfg.Leeway <= 0 {
		cfg.Leeway = 30 * time.Second
	}
	return &jwtVerifier{cfg: cfg}
}

// verify checks raw and returns its principal (OrgKind left for the caller to fill from the
// organisations table). A refused token is a *jwtError; a key set that cannot be read is a
// plain error. The checks run in this order: form and signature, then times, issuer and
// audience, then the organisation and roles.
func (v *jwtVerifier) verify(ctx context.Context, raw string, now time.Time) (*layers.Principal, error) {
	claims, err := v.signedClaims(ctx, raw, now)
	if err != nil {
		return nil, err
	}
	if err := v.checkClaims(claims, now); err != nil {
		return nil, err
	}
	return v.principalOf(claims)
}

// signedClaims returns the claims of raw once its form, algorithm and signature are checked.
func (v *jwtVerifier) signedClaims(ctx context.Context, raw string, now time.Time) (map[string]any, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, &jwtError{"not a signed JWT (header.payload.signature)"}
	}
	b64 := base64.RawURLEncoding
	hb, err1 := b64.DecodeString(parts[0])
	pb, err2 := b64.DecodeString(parts[1])
	sig, err3 := b64.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, &jwtError{"not base64url"}
	}
	var header struct{ Alg, Kid, Crit any }
	if err := json.Unmarshal(hb, &header); err != nil {
		return nil, &jwtError{"header is not JSON"}
	}
	alg, _ := header.Alg.(string)
	kid, _ := header.Kid.(string)
	if alg != "RS256" && alg != "ES256" {
		return nil, &jwtError{fmt.Sprintf("algorithm %v not accepted (RS256 or ES256)", header.Alg)}
	}
	if header.Crit != nil {
		return nil, &jwtError{"critical header extensions are not supported"}
	}
	pub, err := v.cfg.Keys.key(ctx, kid, alg, now)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch alg {
	case "RS256":
		if rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], sig) != nil {
			return nil, &jwtError{"bad signature"}
		}
	case "ES256":
		if len(sig) != 64 || !ecdsa.Verify(pub.(*ecdsa.PublicKey), digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			return nil, &jwtError{"bad signature"}
		}
	}

	var claims map[string]any
	dec := json.NewDecoder(strings.NewReader(string(pb)))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, &jwtError{"claims are not a JSON object"}
	}
	return claims, nil
}

// checkClaims checks exp (required), nbf, iss and aud at now.
func (v *jwtVerifier) checkClaims(claims map[string]any, now time.Time) error {
	exp, ok, err := numericDate(claims, "exp")
	if err != nil {
		return err
	}
	if !ok {
		return &jwtError{"no exp"}
	}
	if !now.Before(exp.Add(v.cfg.Leeway)) {
		return &jwtError{"expired"}
	}
	nbf, ok, err := numericDate(claims, "nbf")
	if err != nil {
		return err
	}
	if ok && now.Add(v.cfg.Leeway).Before(nbf) {
		return &jwtError{"not valid yet (nbf)"}
	}
	if iss, _ := claims["iss"].(string); iss != v.cfg.Issuer {
		return &jwtError{fmt.Sprintf("issuer %q is not the configured one", iss)}
	}
	if !slices.Contains(stringsOf(claims["aud"]), v.cfg.Audience) {
		return &jwtError{"audience does not include this API"}
	}
	return nil
}

// principalOf is the principal the claims name: their organisation, and the highest role
// named with the lower ones it includes.
func (v *jwtVerifier) principalOf(claims map[string]any) (*layers.Principal, error) {
	org, _ := claimAt(claims, v.cfg.OrgClaim).(string)
	if org == "" {
		return nil, &jwtError{fmt.Sprintf("no organisation in claim %q", v.cfg.OrgClaim)}
	}
	var named []string
	switch r := claimAt(claims, v.cfg.RolesClaim).(type) {
	case string:
		named = strings.Fields(r)
	case []any:
		named = stringsOf(r)
	}
	var roles []string
	for i := len(layers.Roles) - 1; i >= 0; i-- { // the highest role named includes the lower
		if slices.Contains(named, layers.Roles[i]) {
			roles = layers.RolesOf(layers.Roles[i])
			break
		}
	}
	if roles == nil {
		roles = []string{}
	}
	return &layers.Principal{Credential: layers.CredentialJWT, Organisation: org, Roles: roles, Scopes: layers.ScopesOf(roles)}, nil
}

// numericDate reads the NumericDate claim name: whether it is there, and a *jwtError when it
// is not a number.
func numericDate(claims map[string]any, name string) (time.Time, bool, error) {
	x, ok := claims[name]
	if !ok {
		return time.Time{}, false, nil
	}
	n, isNum := x.(json.Number)
	f, err := n.Float64()
	if !isNum || err != nil {
		return time.Time{}, false, &jwtError{name + " is not a number"}
	}
	return time.Unix(0, 0).Add(time.Duration(f * float64(time.Second))), true, nil
}

// stringsOf is a claim as a list of strings: a string alone, or the strings of a list (other
// members skipped); nil otherwise.
func stringsOf(claim any) []string {
	switch a := claim.(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// claimAt follows a dotted path into nested claim objects; a claim whose own name contains
// dots (as some issuers' URL-named claims do) is found whole first.
func claimAt(claims map[string]any, path string) any {
	if v, ok := claims[path]; ok {
		return v
	}
	var cur any = claims
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}
