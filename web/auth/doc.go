// Package auth decides who a request to Lägesbild acts for and keeps the record of what they
// did: web composes one Auth value, whose middleware and routes are the identity room.
//
// Identity (auth.go): one middleware (Authenticate) reads, in this order, a bearer API token
// ("lgb_…"), a bearer JWT from the configured OpenID Connect issuer (jwt.go), or the session
// cookie, and puts the principal in the request's context (layers.PrincipalFrom). Credentials
// that are given but not valid are a 401, never a silent fall back to anonymous; no
// credentials at all is the anonymous principal.
//
// Browser sessions (session.go): POST /auth/login sets an HttpOnly, SameSite=Lax cookie
// (Secure over HTTPS or with Config.CookieSecure) holding a 256-bit secret the database keeps
// only hashed. CSRF: a synchronizer token derived from the session secret (SHA-256 of a label
// and the secret), which the page gets from the login answer or GET /auth/me and sends in
// X-CSRF-Token (or a csrf_token form field) on every POST, PUT, PATCH and DELETE that rides
// on the cookie. Another site can neither read the cookie nor the token; bearer requests are
// exempt because browsers never attach them on their own. Login limits (loginlimit.go) slow
// guessing per account and client address, per address and per account, with waits rather
// than a lock the owner could be kept out by. API tokens (tokens.go) are minted, listed and
// revoked at /auth/tokens, never reaching further than the credential that mints them.
//
// Access (access.go): what a principal may read and write, checked by handlers elsewhere in web
// with RequireClass and RequireWrite or on their routes with NeedClass and NeedWrite, so that
// a refusal is a clear 401 or 403; ClearanceKey is the part of every cache key that says what
// the caller may see. Audit (audit.go): logins, token changes, writes and reads of restricted
// data go to the append-only audit_log table, readable by admins at GET /audit.
//
// Assumptions: the database (layers.Store) holds passwords, sessions and tokens only hashed,
// and enforces the access rules again with row-level security, so a check missing here
// exposes nothing; the client address is what Echo's IP extractor says (web configures which
// proxies it trusts); login limits live in the database, shared by every server process;
// the restricted-read window lives in this process's memory, neither shared between
// processes nor kept across restarts (it only thins out audit entries); a JWT issuer signs with
// RS256 or ES256 and publishes its keys as a JWK Set at a file path or an http(s) URL, and
// clocks agree within OIDCConfig.Leeway. It imports layers and web/respond, never package
// web, which composes it.
package auth
