package auth

import (
	"strings"

	"github.com/lagesbild/lagesbild/web/respond"
)

// OpenAPI adds the room's paths and schemas to the OpenAPI document, and the answers identity
// adds to every operation already in paths (see authOpenAPI).
func OpenAPI(paths, schemas map[string]any) {
	auditOpenAPI(paths, schemas)
	authOpenAPI(paths, schemas)
}

// authOpenAPI adds the identity endpoints to the OpenAPI document and the answers identity
// adds to every operation: 401 (credentials given but not valid) everywhere, and 403 (CSRF
// token missing, or not allowed) on every write in paths so far.
func authOpenAPI(paths, schemas obj) {
	str := obj{"type": "string"}
	strs := obj{"type": "array", "items": str}
	stamp := obj{"type": "string", "format": "date-time"}
	schemas["Principal"] = obj{"type": "object", "required": []string{"credential", "roles", "scopes", "demo_mode", "clearance"}, "properties": obj{
		"credential":   obj{"type": "string", "enum": []string{"anonymous", "session", "token", "jwt"}},
		"organisation": str, "organisation_kind": obj{"type": "string", "enum": []string{"police", "municipality", "housing", "region", "civil_society", "public"}},
		"organisation_name": obj{"type": "string", "description": "The organisation's name, for people to read."},
		"username":          obj{"type": "string", "description": "Account name (sessions only)."},
		"token_id":          obj{"type": "integer"},
		"roles":             obj{"type": "array", "items": obj{"type": "string", "enum": []string{"reader", "editor", "admin"}}},
		"scopes":            obj{"type": "array", "items": obj{"type": "string", "enum": []string{"read", "write", "admin"}}},
		"csrf_token": obj{"type": "string", "description": "Sessions only: send it in the " + CSRFHeader +
			" header (or a csrf_token form field) with every POST, PUT, PATCH and DELETE that relies on the session cookie."},
		"idle_expires_at": stamp, "expires_at": stamp,
		"demo_mode": obj{"type": "boolean", "description": "Whether this server accepts the demo accounts (--demo)."},
		"clearance": obj{"type": "string", "enum": []string{"open", "internal", "restricted"},
			"description": "The highest data class the caller may read; answers that read classed rows (observations and what is computed from them) differ by it."},
	}}
	schemas["APIToken"] = obj{"type": "object", "required": []string{"id", "organisation", "name", "scopes", "created_at", "expires_at"}, "properties": obj{
		"id": obj{"type": "integer"}, "organisation": str, "name": str,
		"scopes":     obj{"type": "array", "items": obj{"type": "string", "enum": []string{"read", "write", "admin"}}},
		"created_at": stamp, "expires_at": stamp,
		"revoked_at": obj{"type": "string", "format": "date-time", "nullable": true}, "last_used_at": obj{"type": "string", "format": "date-time", "nullable": true},
		"account":   obj{"type": "string", "description": "The account owning the token; absent for a token of the organisation."},
		"parent_id": obj{"type": "integer", "nullable": true, "description": "The token this one was minted with: revoking it revokes this one, which expires no later."},
		"created_via": obj{"type": "string", "nullable": true, "enum": []any{"operator", "session", "token", nil},
			"description": "What minted it: an operator's command, a browser session (the token belongs to the account and ends with it), or another token."},
		"secret": obj{"type": "string", "description": "The token (lgb_…), shown when it is created only: send it as Authorization: Bearer <secret>."},
	}}
	schemas["APITokenList"] = obj{"type": "object", "required": []string{"tokens"}, "properties": obj{
		"tokens": obj{"type": "array", "items": respond.Ref("schemas/APIToken"), "maxItems": 1000},
	}}
	login := obj{"type": "object", "required": []string{"username", "password"}, "properties": obj{"username": str, "password": obj{"type": "string", "format": "password"}}}
	newToken := obj{"type": "object", "properties": obj{
		"name":       obj{"type": "string", "description": "What the token is for."},
		"scopes":     obj{"description": "read, write, admin (a list or comma-separated); default read; no more than the caller's own.", "oneOf": []obj{str, strs}},
		"expires_in": obj{"type": "string", "description": "Lifetime: whole days (30d, the default) or a duration (12h); at most 366d.", "pattern": `^[0-9]+(d|h|m|s|ms)$|^([0-9]+h)?([0-9]+m)?([0-9]+s)?$`},
		"owner":      obj{"type": "string", "enum": []string{"self", "organisation"}, "description": "self: tied to the caller's account (the default); organisation: an admin's token of the organisation."},
	}}
	body := func(schema obj) obj {
		return obj{"required": true, "content": obj{respond.MediaJSON: obj{"schema": schema}, "application/x-www-form-urlencoded": obj{"schema": schema}}}
	}
	tag := []string{"Identity"}
	noContent := func(desc string) obj { return obj{"description": desc} }
	paths["/auth/login"] = obj{"post": obj{
		"summary": "Log in with an account name and password: sets the session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS)",
		"description": "Failed logins are limited per account and client address (5, then waits from 1 s doubling to 15 min), per client address (20, the same waits) " +
			"and per account from places it has not logged in from (100, then one attempt per 10 s): 429 with Retry-After, before the password is checked. " +
			"Demo accounts are refused (403) unless the server runs with --demo.",
		"operationId": "login", "tags": tag, "requestBody": body(login),
		"responses": respond.Merge(obj{"200": obj{"description": "Logged in; the answer carries the CSRF token.",
			"headers": obj{"Set-Cookie": obj{"schema": str}},
			"content": obj{respond.MediaJSON: obj{"schema": respond.Ref("schemas/Principal")}}},
			"429": obj{"description": "Too many failed logins.", "headers": obj{"Retry-After": obj{"schema": obj{"type": "integer"}}},
				"content": obj{"application/problem+json": obj{"schema": respond.Ref("schemas/Problem")}}}},
			respond.ProblemResponses("400", "401", "403", "413", "415")),
	}}
	paths["/auth/logout"] = obj{"post": obj{
		"summary": "End the session (needs the CSRF token) and clear the cookie", "operationId": "logout", "tags": tag,
		"responses": respond.Merge(obj{"204": noContent("Logged out.")}, respond.ProblemResponses("400", "401", "403")),
	}}
	paths["/auth/me"] = obj{"get": obj{
		"summary": "Who the request acts for (anonymous included); for a session its CSRF token and expiry", "operationId": "getMe", "tags": tag,
		"responses": respond.Merge(obj{"200": respond.JSONResponse("The principal.", respond.MediaJSON, respond.Ref("schemas/Principal"))}, respond.ProblemResponses("400", "401")),
	}}
	paths["/auth/tokens"] = obj{"get": obj{
		"summary": "List your API tokens (never their secrets): your account's, those you minted, and a token's own descendants",
		"description": "Newest first, at most 1000, revoked and expired ones included. With all=true an admin lists every token of the organisation (403 for others). " +
			"A JWT has no tokens of its own (it cannot create any).",
		"operationId": "listTokens", "tags": tag,
		"parameters": []obj{{"name": "all", "in": "query", "required": false, "schema": obj{"type": "boolean", "default": false},
			"description": "Admins: every token of the organisation."}},
		"responses": respond.Merge(obj{"200": respond.JSONResponse("The tokens.", respond.MediaJSON, respond.Ref("schemas/APITokenList"))}, respond.ProblemResponses("400", "401", "403")),
	}, "post": obj{
		"summary": "Create an API token (the secret is in this answer only)", "operationId": "createToken", "tags": tag,
		"description": "Minted with your session or token, it reaches no further: no scope you lack, and minted with a token no expiry past the token's " +
			"(the default 30 days is cut to it). Revoking the parent token or disabling your account ends it. A JWT cannot create tokens (403).",
		"requestBody": obj{"required": false, "content": obj{respond.MediaJSON: obj{"schema": newToken}, "application/x-www-form-urlencoded": obj{"schema": newToken}}},
		"responses": respond.Merge(obj{"201": respond.JSONResponse("The token and its secret.", respond.MediaJSON, respond.Ref("schemas/APIToken"))},
			respond.ProblemResponses("400", "401", "403", "413", "415")),
	}}
	paths["/auth/tokens/{tokenId}"] = obj{"delete": obj{
		"summary": "Revoke an API token and every token minted from it: your own, or as an admin any of your organisation's", "operationId": "revokeToken", "tags": tag,
		"parameters": []obj{{"name": "tokenId", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 1}}},
		"responses":  respond.Merge(obj{"204": noContent("Revoked (revoking again is no error).")}, respond.ProblemResponses("400", "401", "403", "404")),
	}}

	for _, item := range paths {
		for method, op := range item.(obj) {
			o, ok := op.(obj) // path-level "parameters" is a list, not an operation
			if !ok {
				continue
			}
			responses, ok := o["responses"].(obj)
			if !ok {
				continue
			}
			if _, ok := responses["401"]; !ok {
				responses["401"] = respond.Ref("responses/Problem")
			}
			if m := strings.ToLower(method); m != "get" && m != "head" {
				if _, ok := responses["403"]; !ok {
					responses["403"] = respond.Ref("responses/Problem")
				}
			}
		}
	}
}
