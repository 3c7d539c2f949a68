package layers

// Identity (issue 7, migration 007): organisations, user accounts, browser sessions and API
// tokens, the principal a request acts as, and the password and secret hashing they need.
// Who may do what is decided in web (and later in PostgreSQL with row-level security); this
// file only stores and checks credentials.
//
// Assumptions: secrets (session ids, API tokens) are 256-bit random values kept only as their
// SHA-256; passwords are kept as argon2id PHC strings; times come from the caller's clock so
// tests can move it; nothing personal is kept beyond account names.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/argon2"
)

// Organisation kinds, roles and token scopes, as the migration's CHECK constraints list them.
var (
	OrgKinds = []string{"police", "municipality", "housing", "region", "civil_society", "public"}
	// Roles are ordered: each includes the ones before it.
	Roles = []string{"reader", "editor", "admin"}
	// Scopes of API tokens (and what a role amounts to): read data, write data, administer
	// the organisation's accounts and tokens.
	Scopes = []string{"read", "write", "admin"}
)

// Kinds of credential a principal was established by.
const (
	CredentialAnonymous = "anonymous"
	CredentialSession   = "session"
	CredentialToken     = "token"
	CredentialJWT       = "jwt"
)

// Principal is who a request acts for: an organisation with roles and scopes, established by
// one credential. The zero value is not valid; use Anonymous.
type Principal struct {
	Credential   string   `json:"credential"`
	Organisation string   `json:"organisation,omitempty"`
	OrgKind      string   `json:"organisation_kind,omitempty"`
	OrgName      string   `json:"organisation_name,omitempty"` // for people to read; Organisation is the key
	Username     string   `json:"username,omitempty"`          // account name, for sessions only
	UserID       int64    `json:"-"`
	TokenID      int64    `json:"token_id,omitempty"`
	Roles        []string `json:"roles"`
	Scopes       []string `json:"scopes"`
	// Expires is when the credential ends: a token's expiry (a session's is in its own
	// answer); zero for others. A token minted with this credential expires no later.
	Expires time.Time `json:"-"`
	// credHash is the SHA-256 of the session id or token the principal was established by:
	// what the credential functions of migration 015 take as proof of who asks.
	credHash []byte
}

// Anonymous is the principal of a request without credentials.
func Anonymous() *Principal {
	return &Principal{Credential: CredentialAnonymous, Roles: []string{}, Scopes: []string{}}
}

// IsAnonymous says whether no credential was given.
func (p *Principal) IsAnonymous() bool { return p == nil || p.Credential == CredentialAnonymous }

// HasRole says whether the principal holds role r.
func (p *Principal) HasRole(r string) bool { return p != nil && slices.Contains(p.Roles, r) }

// HasScope says whether the principal may act with scope sc.
func (p *Principal) HasScope(sc string) bool { return p != nil && slices.Contains(p.Scopes, sc) }

// RolesOf expands a stored role into the roles it includes: editor → reader, editor.
// An unknown role gives nil.
func RolesOf(role string) []string {
	i := slices.Index(Roles, role)
	if i < 0 {
		return nil
	}
	return slices.Clone(Roles[:i+1])
}

// ScopesOf is what a set of roles may do: reader reads, editor writes, admin administers.
func ScopesOf(roles []string) []string {
	out := []string{}
	for i, r := range Roles {
		if slices.Contains(roles, r) {
			out = append(out, Scopes[i])
		}
	}
	return out
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or the anonymous one.
func PrincipalFrom(ctx context.Context) *Principal {
	if p, ok := ctx.Value(principalKey{}).(*Principal); ok && p != nil {
		return p
	}
	return Anonymous()
}

// Argon2Params are the argon2id cost parameters of new password hashes. Stored hashes carry
// their own parameters, so raising these later does not invalidate them.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultArgon2 is OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1 lane):
// about 25 ms per hash on one core, so a login costs little while a stolen hash costs an
// attacker the same per guess.
func DefaultArgon2() Argon2Params { return Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1} }

const (
	argonSaltLen = 16
	argonKeyLen  = 32
	// Bounds on the parameters read back from a stored hash, so a tampered row cannot make a
	// login allocate gigabytes or spin for minutes.
	maxArgonMemory  = 1 << 20 // 1 GiB in KiB
	maxArgonTime    = 16
	maxArgonThreads = 16
	// MinPasswordLength and MaxPasswordLength bound a new password (NIST SP 800-63B asks for
	// at least 8; 12 because these accounts open police data). The maximum keeps hashing cheap.
	MinPasswordLength = 12
	MaxPasswordLength = 1024
)

// CheckPassword says whether pw may be set as a password.
func CheckPassword(pw string) error {
	switch n := len([]rune(pw)); {
	case n < MinPasswordLength:
		return Invalid("password", "at least %d characters", MinPasswordLength)
	case len(pw) > MaxPasswordLength:
		return Invalid("password", "at most %d bytes", MaxPasswordLength)
	}
	return nil
}

// HashPassword returns the argon2id PHC string of pw with a fresh random salt.
func HashPassword(pw string, p Argon2Params) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword says whether pw matches the PHC string hash, comparing in constant time.
// A malformed hash or out-of-bounds parameters are an error, not a mismatch.
func VerifyPassword(pw, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false, errors.New("verify password: not an argon2id v19 PHC string")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("verify password: parameters: %w", err)
	}
	if m < 8 || m > maxArgonMemory || t < 1 || t > maxArgonTime || p < 1 || p > maxArgonThreads {
		return false, errors.New("verify password: parameters out of bounds")
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("verify password: salt: %w", err)
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errors.New("verify password: bad key")
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// TokenPrefix starts every API token, so a token is recognisable in a header, a log line or a
// secret scanner, and is told apart from a JWT without parsing.
const TokenPrefix = "lgb_"

// NewSecret returns a 256-bit random secret as base64url text with prefix, and its hash.
func NewSecret(prefix string) (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("new secret: %w", err)
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret is how secrets are stored and looked up: SHA-256 of the whole text.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Organisation is a row of organisations.
type Organisation struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	Demo bool   `json:"demo"`
}

// identityError maps a duplicate key to ErrConflict and a missing reference to an invalid
// param; other errors pass unchanged.
func identityError(err error, param string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %s already exists", ErrConflict, param)
		case "23503": // foreign_key_violation
			return Invalid("organisation", "no such organisation")
		case "23514": // check_violation
			return Invalid(param, "not allowed (%s)", pgErr.ConstraintName)
		}
	}
	return err
}

// CreateOrganisation adds an organisation. A code taken wraps ErrConflict; a bad code, name
// or kind is an *InvalidError.
func (s *Store) CreateOrganisation(ctx context.Context, o Organisation) error {
	if !slices.Contains(OrgKinds, o.Kind) {
		return Invalid("kind", "one of %s", strings.Join(OrgKinds, ", "))
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO organisations (code, name, kind, demo) VALUES ($1, $2, $3, $4)`,
		o.Code, o.Name, o.Kind, o.Demo)
	if err != nil {
		return fmt.Errorf("create organisation %q: %w", o.Code, identityError(err, "code"))
	}
	return nil
}

// LookupOrganisation returns the organisation with code; ErrNotFound when there is none.
func (s *Store) LookupOrganisation(ctx context.Context, code string) (*Organisation, error) {
	var o Organisation
	err := s.pool.QueryRow(ctx, `SELECT code, name, kind, demo FROM organisations WHERE code = $1`, code).
		Scan(&o.Code, &o.Name, &o.Kind, &o.Demo)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("organisation %q: %w", code, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("organisation %q: %w", code, err)
	}
	return &o, nil
}

// NewUser is an account to create; PasswordHash comes from HashPassword.
type NewUser struct {
	Organisation, Username, Role, PasswordHash string
	Demo                                       bool
}

// CreateUser adds an account and returns its id. A name taken wraps ErrConflict; an unknown
// organisation, bad name or role is an *InvalidError.
func (s *Store) CreateUser(ctx context.Context, u NewUser) (int64, error) {
	if !slices.Contains(Roles, u.Role) {
		return 0, Invalid("role", "one of %s", strings.Join(Roles, ", "))
	}
	var id int64
	err := s.pool.QueryRow(ctx, `
		INSERT INTO users (organisation, username, role, password_hash, demo) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		u.Organisation, u.Username, u.Role, u.PasswordHash, u.Demo).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create user %q: %w", u.Username, identityError(err, "username"))
	}
	return id, nil
}

// Account is a user with its organisation, as login and sessions see it. Demo is true when
// the user or its organisation came from the demo load.
type Account struct {
	ID           int64
	Username     string
	Organisation string
	OrgKind      string
	OrgName      string
	Role         string
	PasswordHash string
	Disabled     bool
	Demo         bool
}

// SessionPrincipal is the account's principal for the session whose secret has hash idHash.
func (a *Account) SessionPrincipal(idHash []byte) *Principal {
	p := a.Principal(CredentialSession)
	p.credHash = idHash
	return p
}

// Principal is the account's principal for credential kind cred.
func (a *Account) Principal(cred string) *Principal {
	roles := RolesOf(a.Role)
	return &Principal{Credential: cred, Organisation: a.Organisation, OrgKind: a.OrgKind, OrgName: a.OrgName, Username: a.Username,
		UserID: a.ID, Roles: roles, Scopes: ScopesOf(roles)}
}

// AccountByName returns the account called username, with its password hash, for login
// (through lgb_login_account: the server role cannot read users); ErrNotFound when there is
// none.
func (s *Store) AccountByName(ctx context.Context, username string) (*Account, error) {
	var a Account
	err := s.pool.QueryRow(ctx, `SELECT id, username, organisation, org_kind, org_name, role, password_hash, disabled, demo
		FROM lgb_login_account($1)`, username).
		Scan(&a.ID, &a.Username, &a.Organisation, &a.OrgKind, &a.OrgName, &a.Role, &a.PasswordHash, &a.Disabled, &a.Demo)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("account %q: %w", username, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("account %q: %w", username, err)
	}
	return &a, nil
}

// SetUserDisabled disables or enables an account; ErrNotFound when there is none. Disabling
// deletes its sessions and revokes its tokens and those minted from them, in the same
// transaction (a trigger of migration 015, so an UPDATE by hand does the same); enabling it
// again revives none of them.
func (s *Store) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET disabled = $2 WHERE username = $1`, username, disabled)
	if err != nil {
		return fmt.Errorf("disable %q: %w", username, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("account %q: %w", username, ErrNotFound)
	}
	return nil
}

// Session is a stored browser session's times.
type Session struct {
	CreatedAt, LastSeen, IdleExpiresAt, ExpiresAt time.Time
}

// CreateSession stores a session for user userID (whose password was verified), keyed by
// the hash of its secret, lasting at most absolute (at most 30 days) and ending after idle
// without use; expired sessions are swept on the way (lgb_session_create). A disabled or
// unknown account wraps ErrNotFound.
func (s *Store) CreateSession(ctx context.Context, idHash []byte, userID int64, now time.Time, idle, absolute time.Duration) (*Session, error) {
	ses := &Session{CreatedAt: now, LastSeen: now}
	err := s.pool.QueryRow(ctx, `SELECT idle_expires_at, expires_at
		FROM lgb_session_create($1, $2, $3, make_interval(secs => $4), make_interval(secs => $5))`,
		idHash, userID, now, idle.Seconds(), absolute.Seconds()).Scan(&ses.IdleExpiresAt, &ses.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("create session: %w", credentialError(err))
	}
	return ses, nil
}

// sessionTouchEvery bounds how often a session's last_seen is written: a map page asks for
// dozens of tiles a second, and idle expiry does not need better than this.
const sessionTouchEvery = 30 * time.Second

// TouchSession returns the live session with idHash and its account (without the password
// hash), and moves its idle expiry to now+idle (never past the absolute expiry). A session
// that is unknown, idle or past its absolute expiry, or whose account is disabled, wraps
// ErrNotFound.
func (s *Store) TouchSession(ctx context.Context, idHash []byte, now time.Time, idle time.Duration) (*Account, *Session, error) {
	var a Account
	var ses Session
	err := s.pool.QueryRow(ctx, `SELECT id, username, organisation, org_kind, org_name, role, disabled, demo,
			created_at, last_seen, idle_expires_at, expires_at
		FROM lgb_session_touch($1, $2, make_interval(secs => $3), make_interval(secs => $4))`,
		idHash, now, idle.Seconds(), sessionTouchEvery.Seconds()).
		Scan(&a.ID, &a.Username, &a.Organisation, &a.OrgKind, &a.OrgName, &a.Role, &a.Disabled, &a.Demo,
			&ses.CreatedAt, &ses.LastSeen, &ses.IdleExpiresAt, &ses.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	return &a, &ses, nil
}

// DeleteSession ends the session with idHash (logout); a session already gone is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := s.pool.Exec(ctx, `SELECT lgb_session_delete($1)`, idHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// TokenSpec is an API token to create.
type TokenSpec struct {
	Organisation string
	UserID       int64 // 0: a token of the organisation, not tied to an account
	Name         string
	Scopes       []string
	ExpiresAt    time.Time
}

// APIToken is a stored token, without its secret (which is never stored) or its hash.
type APIToken struct {
	ID           int64  `json:"id"`
	Organisation string `json:"organisation"`
	UserID       int64  `json:"-"`
	// Account is the name of the account owning the token; empty for the organisation's.
	Account    string     `json:"account,omitempty"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	// ParentID is the token this one was minted with; CreatedVia the kind of credential that
	// minted it (operator, session, token; nil for tokens older than the record).
	ParentID   *int64  `json:"parent_id"`
	CreatedVia *string `json:"created_via"`
}

// CreateToken stores a new token made by an operator (the command line, as the owner role)
// and returns it with its secret, which exists nowhere else afterwards. Unknown scopes, an
// expiry not after now, or an unknown organisation are an *InvalidError. A request mints
// with MintToken instead.
func (s *Store) CreateToken(ctx context.Context, spec TokenSpec, now time.Time) (*APIToken, string, error) {
	if len(spec.Scopes) == 0 {
		return nil, "", Invalid("scopes", "at least one of %s", strings.Join(Scopes, ", "))
	}
	scopes, err := canonicalScopes(spec.Scopes)
	if err != nil {
		return nil, "", err
	}
	if !spec.ExpiresAt.After(now) {
		return nil, "", Invalid("expires", "must be in the future")
	}
	secret, hash, err := NewSecret(TokenPrefix)
	if err != nil {
		return nil, "", err
	}
	var user *int64
	if spec.UserID != 0 {
		user = &spec.UserID
	}
	via := "operator"
	t := &APIToken{Organisation: spec.Organisation, UserID: spec.UserID, Name: spec.Name, Scopes: scopes,
		CreatedAt: now.UTC().Truncate(time.Microsecond), ExpiresAt: spec.ExpiresAt.UTC().Truncate(time.Microsecond), CreatedVia: &via}
	err = s.pool.QueryRow(ctx, `INSERT INTO api_tokens (token_hash, organisation, user_id, name, scopes, created_at, expires_at, created_via)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, hash, spec.Organisation, user, spec.Name, scopes, t.CreatedAt, t.ExpiresAt, via).Scan(&t.ID)
	if err != nil {
		return nil, "", fmt.Errorf("create token: %w", identityError(err, "token"))
	}
	return t, secret, nil
}

// tokenUseEvery bounds how often a token's last_used_at is written.
const tokenUseEvery = time.Minute

// TokenPrincipal returns the principal of the API token secret (through lgb_token_principal,
// which also records its use at most once a minute). A token that is unknown, revoked,
// expired, or whose account (owner or maker) is disabled wraps ErrNotFound; demo reports
// whether the token's organisation or account came from the demo load. A token acts with its
// scopes narrowed to what its account's role allows now.
func (s *Store) TokenPrincipal(ctx context.Context, secret string, now time.Time) (p *Principal, demo bool, err error) {
	hash := HashSecret(secret)
	p = &Principal{Credential: CredentialToken, Roles: []string{}, credHash: hash}
	var user *int64
	err = s.pool.QueryRow(ctx, `SELECT id, organisation, org_kind, org_name, user_id, expires_at, demo, scopes
		FROM lgb_token_principal($1, $2, make_interval(secs => $3))`, hash, now, tokenUseEvery.Seconds()).
		Scan(&p.TokenID, &p.Organisation, &p.OrgKind, &p.OrgName, &user, &p.Expires, &demo, &p.Scopes)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, fmt.Errorf("token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, false, fmt.Errorf("token: %w", err)
	}
	if user != nil {
		p.UserID = *user
	}
	return p, demo, nil
}

// RevokeToken revokes the token with id at now, and so every token minted from it (a trigger
// of migration 015), for an operator. Revoking a revoked token keeps the first time and is no
// error; an unknown id wraps ErrNotFound. A request revokes with RevokeOwnToken.
func (s *Store) RevokeToken(ctx context.Context, id int64, now time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	return nil
}

// canonicalScopes checks scopes and returns them in the order of Scopes, without duplicates.
func canonicalScopes(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, Invalid("scopes", "at least one of %s", strings.Join(Scopes, ", "))
	}
	for _, sc := range in {
		if !slices.Contains(Scopes, sc) {
			return nil, Invalid("scopes", "unknown scope %q (one of %s)", sc, strings.Join(Scopes, ", "))
		}
	}
	out := []string{}
	for _, sc := range Scopes {
		if slices.Contains(in, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// Token owners of MintToken.
const (
	OwnerSelf         = "self"         // the account of the minting credential
	OwnerOrganisation = "organisation" // the organisation (admins), still ended with the minting account
)

// MintSpec is a token that the principal of a request mints with its own credential.
type MintSpec struct {
	Owner     string // OwnerSelf or OwnerOrganisation
	Name      string
	Scopes    []string
	ExpiresAt time.Time
}

// credential is the kind and hash a credential function of migration 015 takes: what the
// principal in ctx was established by. Only sessions and tokens have one.
func credential(ctx context.Context) (kind string, hash []byte, err error) {
	p := PrincipalFrom(ctx)
	if len(p.credHash) == 0 || (p.Credential != CredentialSession && p.Credential != CredentialToken) {
		return "", nil, fmt.Errorf("credential: %w (only sessions and API tokens act on tokens)", ErrNotFound)
	}
	return p.Credential, p.credHash, nil
}

// credentialError turns the refusals of the credential functions into errors of this
// package: a credential that has ended wraps ErrNotFound; a request beyond it is an
// *InvalidError naming the field (the function's COLUMN).
func credentialError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "28000": // invalid_authorization_specification
			return fmt.Errorf("%s: %w", pgErr.Message, ErrNotFound)
		case "22023", "42501": // invalid_parameter_value, insufficient_privilege
			if pgErr.ColumnName != "" {
				return Invalid(pgErr.ColumnName, "%s", pgErr.Message)
			}
		}
	}
	return err
}

// MintToken stores a token minted with the credential of the principal in ctx and returns it
// with its secret (shown once). The database checks the lineage (migration 015): the same
// organisation, no scope the credential lacks, no expiry past a parent token's (366 days for
// a session), and an organisation's token for admins only; a refusal is an *InvalidError
// naming the field. A principal without a session or token (a JWT, a test's ActingAs), or a
// credential ended meanwhile, wraps ErrNotFound.
func (s *Store) MintToken(ctx context.Context, spec MintSpec, now time.Time) (*APIToken, string, error) {
	kind, cred, err := credential(ctx)
	if err != nil {
		return nil, "", err
	}
	scopes, err := canonicalScopes(spec.Scopes)
	if err != nil {
		return nil, "", err
	}
	secret, hash, err := NewSecret(TokenPrefix)
	if err != nil {
		return nil, "", err
	}
	now = now.UTC().Truncate(time.Microsecond)
	var id int64
	err = s.pool.QueryRow(ctx, `SELECT lgb_token_mint($1, $2, $3, $4, $5, $6, $7, $8)`,
		kind, cred, now, hash, spec.Owner, spec.Name, scopes, spec.ExpiresAt.UTC().Truncate(time.Microsecond)).Scan(&id)
	if err != nil {
		return nil, "", fmt.Errorf("mint token: %w", credentialError(err))
	}
	ts, err := s.ListTokens(ctx, false, now)
	if err != nil {
		return nil, "", err
	}
	for i := range ts {
		if ts[i].ID == id {
			return &ts[i], secret, nil
		}
	}
	return nil, "", fmt.Errorf("mint token: token %d not among the credential's own", id)
}

// ListTokens returns, newest first and at most 1000, the tokens of the principal in ctx: its
// account's and those it minted, and a token's own descendants; with whole, for an admin,
// every token of its organisation (for anyone else whole is ignored). Errors as MintToken.
func (s *Store) ListTokens(ctx context.Context, whole bool, now time.Time) ([]APIToken, error) {
	kind, cred, err := credential(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id, organisation, coalesce(account, ''), name, scopes, created_at, expires_at, revoked_at,
		last_used_at, parent_id, created_via FROM lgb_tokens_list($1, $2, $3, $4)`, kind, cred, now, whole)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", credentialError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (APIToken, error) {
		var t APIToken
		err := r.Scan(&t.ID, &t.Organisation, &t.Account, &t.Name, &t.Scopes, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt,
			&t.LastUsedAt, &t.ParentID, &t.CreatedVia)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", credentialError(err))
	}
	return out, nil
}

// RevokeOwnToken revokes token id, and so its descendants, if the principal in ctx may: in
// its organisation, an admin any, others their account's, their own credential's or one it
// minted. A token unknown or not the caller's to revoke wraps ErrNotFound alike.
func (s *Store) RevokeOwnToken(ctx context.Context, id int64, now time.Time) error {
	kind, cred, err := credential(ctx)
	if err != nil {
		return err
	}
	var ok *bool
	if err := s.pool.QueryRow(ctx, `SELECT lgb_token_revoke($1, $2, $3, $4)`, kind, cred, now, id).Scan(&ok); err != nil {
		return fmt.Errorf("revoke token %d: %w", id, credentialError(err))
	}
	if ok == nil {
		return fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	return nil
}

// DemoPassword is the password of every demo account. It is public (README) and works only
// on a server started with --demo.
const DemoPassword = "lagesbild-demo"

// DemoOrganisations and DemoAccounts are the demo load's identities: one organisation of each
// kind, and accounts with each role, so every access path can be tried.
var (
	DemoOrganisations = []Organisation{
		{Code: "polisen", Name: "Polisen, lokalpolisområde Västerås (demo)", Kind: "police", Demo: true},
		{Code: "vasteras", Name: "Västerås stad (demo)", Kind: "municipality", Demo: true},
		{Code: "mimer", Name: "Bostads AB Mimer (demo)", Kind: "housing", Demo: true},
		{Code: "region", Name: "Region Västmanland (demo)", Kind: "region", Demo: true},
		{Code: "civil", Name: "Civilsamhällets partner (demo)", Kind: "civil_society", Demo: true},
		{Code: "public", Name: "Allmänheten (demo)", Kind: "public", Demo: true},
	}
	DemoAccounts = []NewUser{
		{Organisation: "polisen", Username: "polis.lasare", Role: "reader", Demo: true},
		{Organisation: "polisen", Username: "polis.redaktor", Role: "editor", Demo: true},
		{Organisation: "vasteras", Username: "kommun.admin", Role: "admin", Demo: true},
		{Organisation: "vasteras", Username: "kommun.redaktor", Role: "editor", Demo: true},
		{Organisation: "vasteras", Username: "kommun.lasare", Role: "reader", Demo: true},
		{Organisation: "mimer", Username: "mimer.lasare", Role: "reader", Demo: true},
		{Organisation: "mimer", Username: "mimer.redaktor", Role: "editor", Demo: true},
		{Organisation: "region", Username: "region.lasare", Role: "reader", Demo: true},
		{Organisation: "civil", Username: "civil.lasare", Role: "reader", Demo: true},
	}
)

// LoadDemoIdentity creates (or resets) the demo organisations and accounts, all marked demo,
// with DemoPassword. It is idempotent; it refuses to take over an organisation or account of
// the same name that is not a demo one. It returns how many accounts it wrote.
func (s *Store) LoadDemoIdentity(ctx context.Context, params Argon2Params) (int, error) {
	hash, err := HashPassword(DemoPassword, params)
	if err != nil {
		return 0, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, o := range DemoOrganisations {
			tag, err := tx.Exec(ctx, `INSERT INTO organisations (code, name, kind, demo) VALUES ($1, $2, $3, true)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind WHERE organisations.demo`, o.Code, o.Name, o.Kind)
			if err != nil {
				return fmt.Errorf("organisation %q: %w", o.Code, err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("%w: organisation %q exists and is not a demo organisation", ErrConflict, o.Code)
			}
		}
		for _, u := range DemoAccounts {
			tag, err := tx.Exec(ctx, `INSERT INTO users (organisation, username, role, password_hash, demo) VALUES ($1, $2, $3, $4, true)
				ON CONFLICT (username) DO UPDATE SET organisation = excluded.organisation, role = excluded.role,
					password_hash = excluded.password_hash, disabled = false WHERE users.demo`, u.Organisation, u.Username, u.Role, hash)
			if err != nil {
				return fmt.Errorf("account %q: %w", u.Username, err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("%w: account %q exists and is not a demo account", ErrConflict, u.Username)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("demo identity: %w", err)
	}
	return len(DemoAccounts), nil
}
