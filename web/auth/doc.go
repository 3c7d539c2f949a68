// Package auth decides who a request to Lägesbild acts for and keeps the record of what they
// did.
//
// It keeps the audit log (audit.go): logins, token changes, writes and reads of restricted
// data, in the append-only audit_log table, readable by admins at GET /audit. It verifies
// bearer JWTs from one configured OpenID Connect issuer (jwt.go).
//
// Assumptions: the issuer signs with RS256 or ES256 and publishes its keys as a JWK Set at a
// file path or an http(s) URL; clocks agree within OIDCConfig.Leeway; the organisation and
// roles are claims of the token, and the organisation is known in the database (the caller
// checks). It imports layers for the principal and the store, web/respond for the answers'
// conventions, and never package web: web composes it.
package auth
