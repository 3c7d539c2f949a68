package auth

import (
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// obj is a JSON object in the OpenAPI document.
type obj = respond.Obj

// auditOpenAPI adds GET /audit and its entry schema. It runs before authOpenAPI, which adds
// the 401 every operation can answer.
func auditOpenAPI(paths, schemas obj) {
	str := obj{"type": "string"}
	id := obj{"type": "integer", "minimum": 1}
	schemas["AuditEntry"] = obj{"type": "object", "required": []string{"id", "at", "credential", "action", "method", "path", "status", "details", "data_class"},
		"properties": obj{
			"id": id, "at": obj{"type": "string", "format": "date-time"},
			"organisation": obj{"type": "string", "description": "The organisation acted for; absent for anonymous callers and failed logins of unknown accounts."},
			"credential":   obj{"type": "string", "enum": []string{"anonymous", "session", "token", "jwt"}, "description": "Kind of credential (for logins: the one asked for)."},
			"role":         obj{"type": "string", "enum": layers.Roles, "description": "The highest role held; absent for tokens and JWTs without roles."},
			"user_id":      obj{"type": "integer", "minimum": 1, "description": "The account's id, never its name: the log holds no personal data."},
			"token_id":     id,
			"action":       obj{"type": "string", "enum": layers.AuditActions},
			"object_type":  obj{"type": "string", "description": "The collection or resource written (interventions, scenarios, plans, doses, api_tokens)."},
			"object_id":    str,
			"method":       str, "path": str,
			"remote_addr": obj{"type": "string", "description": "The connection's address (X-Forwarded-For is not trusted)."},
			"status":      obj{"type": "integer", "minimum": 100, "maximum": 599},
			"details":     obj{"type": "object", "additionalProperties": true, "description": "route of a write; reason of a failed login; scopes, owner and expiry of a created token; from, to and version of a declassification."},
			"data_class": obj{"type": "string", "enum": []string{"open", "internal", "restricted"},
				"description": "The class of what the entry records; an admin reads only the entries of the classes its organisation may read."},
		}}
	paths["/audit"] = obj{"get": obj{
		"summary": "The audit log, newest first (admins only)",
		"description": "Logins and failed logins, logouts, API tokens created and revoked, and every successful write (POST, PUT, PATCH, DELETE answered 2xx). " +
			"Append-only: the database refuses to change or delete entries. Needs the admin scope: 401 anonymous, 403 otherwise. " +
			"An admin reads its own organisation's entries (a municipality's admins everyone's), and only those whose data_class its organisation may read: " +
			"an entry about restricted data (a read of it, a write of a restricted row, a declassification from restricted) is itself restricted.",
		"operationId": "getAuditLog", "tags": []string{"Identity"},
		"parameters": []obj{
			respond.QueryParam("from", "Entries at or after this time (RFC 3339).", obj{"type": "string", "format": "date-time"}),
			respond.QueryParam("to", "Entries before this time (RFC 3339).", obj{"type": "string", "format": "date-time"}),
			respond.QueryParam("action", "Only this action.", obj{"type": "string", "enum": layers.AuditActions}),
			respond.QueryParam("organisation", "Only entries of this organisation (code).", str),
			respond.QueryParam("limit", "Entries per page (default 100).", obj{"type": "integer", "minimum": 1, "maximum": layers.MaxAuditLimit}),
			respond.QueryParam("offset", "Entries to skip.", obj{"type": "integer", "minimum": 0}),
			respond.QueryParam("f", "Format.", obj{"type": "string", "enum": []string{"json"}}),
		},
		"responses": respond.Merge(obj{"200": respond.JSONResponse("A page of the audit log.", respond.MediaJSON, obj{"type": "object",
			"required": []string{"entries", "numberMatched", "numberReturned"}, "properties": obj{
				"entries":        obj{"type": "array", "items": respond.Ref("schemas/AuditEntry")},
				"numberMatched":  obj{"type": "integer", "minimum": 0},
				"numberReturned": obj{"type": "integer", "minimum": 0},
			}})}, respond.ProblemResponses("400", "401", "403")),
	}}
}
