package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/web"
	"github.com/lagesbild/lagesbild/web/auth"
)

type auditPage struct {
	Entries []struct {
		ID           int64          `json:"id"`
		Organisation string         `json:"organisation"`
		Credential   string         `json:"credential"`
		Role         string         `json:"role"`
		UserID       int64          `json:"user_id"`
		TokenID      int64          `json:"token_id"`
		Action       string         `json:"action"`
		ObjectType   string         `json:"object_type"`
		ObjectID     string         `json:"object_id"`
		Method       string         `json:"method"`
		Path         string         `json:"path"`
		RemoteAddr   string         `json:"remote_addr"`
		Status       int            `json:"status"`
		Details      map[string]any `json:"details"`
	} `json:"entries"`
	NumberMatched  int64 `json:"numberMatched"`
	NumberReturned int   `json:"numberReturned"`
}

func TestAuditLog(t *testing.T) {
	a, _ := newAuthAPI(t, auth.Config{})
	editor := newAccount(t, "police", "editor")
	admin := newAccount(t, "municipality", "admin")
	var ids []int64
	cleanUp(t, &ids)
	var editorID int64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT id FROM users WHERE username = $1`, editor.user).Scan(&editorID); err != nil {
		t.Fatal(err)
	}

	// What the editor does: a failed login, a login, a write refused as invalid (not audited),
	// a create and a delete, a read and an analysis (not audited), a token made and revoked,
	// a logout.
	a.write("POST", "/auth/login", jsonHeader, jsonBody(map[string]string{"username": editor.user, "password": "not the password"}), 401)
	s := login(t, a, editor)
	geoWrite := withHeader(s.write(), "Content-Type", "application/geo+json")
	a.write("POST", "/collections/interventions/items", geoWrite, newIntervention("null", map[string]any{"title": ""}), 400)
	f, path, etag := createIntervention(t, a, newIntervention("null", nil), geoWrite, &ids)
	a.write("GET", path, s.header(), "", 200)
	a.write("DELETE", path, withHeader(s.write(), "If-Match", etag), "", 204)
	_, body := a.write("POST", "/auth/tokens", s.write(), jsonBody(map[string]any{"name": "audit test", "scopes": []string{"read"}}), 201)
	tok := decode[struct {
		ID int64 `json:"id"`
	}](t, body)
	a.write("DELETE", fmt.Sprintf("/auth/tokens/%d", tok.ID), s.write(), "", 204)
	a.write("POST", "/auth/logout", withHeader(s.header(), auth.CSRFHeader, s.csrf), "", 204)

	// Who may read the log: admins only.
	a.write("GET", "/audit", nil, "", 401)
	s = login(t, a, editor)
	a.write("GET", "/audit", s.header(), "", 403)
	adm := login(t, a, admin)

	_, body = a.write("GET", "/audit?organisation="+editor.org, adm.header(), "", 200)
	page := decode[auditPage](t, body)
	var got []string
	for _, e := range page.Entries {
		got = append(got, e.Action+" "+e.Method+" "+strconv.Itoa(e.Status))
	}
	// Newest first; the second login is the one before the 403.
	want := []string{"login POST 200", "logout POST 204", "token_revoke DELETE 204", "token_create POST 201",
		"write DELETE 204", "write POST 201", "login POST 200", "login_failed POST 401"}
	if !slices.Equal(got, want) {
		t.Fatalf("audit entries of the editor's organisation:\n got %q\nwant %q", got, want)
	}
	if page.NumberMatched != int64(len(want)) || page.NumberReturned != len(want) {
		t.Errorf("numberMatched %d, numberReturned %d, want %d", page.NumberMatched, page.NumberReturned, len(want))
	}
	for _, e := range page.Entries {
		if e.UserID != editorID || e.Organisation != editor.org || e.Role != "editor" || e.Credential != "session" || e.RemoteAddr != "127.0.0.1" {
			t.Errorf("%s entry names %d/%s/%s/%s from %q, want the editor's account %d, %s, editor, session, 127.0.0.1",
				e.Action, e.UserID, e.Organisation, e.Role, e.Credential, e.RemoteAddr, editorID, editor.org)
		}
	}
	byAction := func(action, method string) int {
		for i, e := range page.Entries {
			if e.Action == action && e.Method == method {
				return i
			}
		}
		t.Fatalf("no %s %s entry", action, method)
		return -1
	}
	id := strconv.FormatInt(f.ID, 10)
	for _, m := range []string{"POST", "DELETE"} {
		e := page.Entries[byAction("write", m)]
		if e.ObjectType != "interventions" || e.ObjectID != id {
			t.Errorf("write %s names %s %s, want interventions %s", m, e.ObjectType, e.ObjectID, id)
		}
	}
	if e := page.Entries[byAction("token_create", "POST")]; e.ObjectType != "api_tokens" || e.ObjectID != strconv.FormatInt(tok.ID, 10) {
		t.Errorf("token_create names %s %s, want api_tokens %d", e.ObjectType, e.ObjectID, tok.ID)
	}
	if e := page.Entries[byAction("login_failed", "POST")]; e.Details["reason"] != "wrong_password" {
		t.Errorf("failed login's reason %v, want wrong_password", e.Details["reason"])
	}
	// No names: not the account's, not the one typed.
	if strings.Contains(string(body), editor.user) {
		t.Error("the audit log holds the account name")
	}

	// Filters.
	tests := []struct {
		query string
		want  int
	}{
		{"&action=write", 2},
		{"&action=login", 2},
		{"&limit=3", 3},
		{"&limit=3&offset=6", 2},
		{"&from=2100-01-01T00:00:00Z", 0},
		{"&to=2000-01-01T00:00:00Z", 0},
		{"&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", 8},
	}
	for _, tt := range tests {
		_, body := a.write("GET", "/audit?organisation="+editor.org+tt.query, adm.header(), "", 200)
		if p := decode[auditPage](t, body); len(p.Entries) != tt.want {
			t.Errorf("%s: %d entries, want %d", tt.query, len(p.Entries), tt.want)
		}
	}
	for q, param := range map[string]string{"action=delete_all": "action", "limit=0": "limit", "offset=-1": "offset",
		"from=yesterday": "from", "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z": "to", "user=x": "user"} {
		_, body := a.write("GET", "/audit?"+q, adm.header(), "", 400)
		if p := decode[web.Problem](t, body); p.Param != param {
			t.Errorf("%s: param %q, want %q", q, p.Param, param)
		}
	}
}

// TestAuditWritesByToken checks writes outside the collections (priority scenarios) made with
// an API token: the object is the resource and its id, the entry names the token; a POST that
// only computes (the priority analysis) is not a write.
func TestAuditWritesByToken(t *testing.T) {
	a, _ := newAuthAPI(t, auth.Config{})
	editor := newAccount(t, "police", "editor")
	admin := newAccount(t, "municipality", "admin")
	s := login(t, a, editor)
	_, body := a.write("POST", "/auth/tokens", s.write(), jsonBody(map[string]any{"scopes": []string{"read", "write"}}), 201)
	tok := decode[struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}](t, body)
	bearer := http.Header{"Authorization": {"Bearer " + tok.Secret}, "Content-Type": {"application/json"}}

	id := uniq("audit")
	scenario := jsonBody(map[string]any{"id": id, "name_sv": "x", "name_en": "x", "weights": map[string]any{"unemployment": 1}})
	a.write("POST", "/analysis/priority", bearer, `{"scenario":"scb"}`, 200)
	a.write("POST", "/analysis/priority/scenarios", bearer, scenario, 201)
	a.write("PUT", "/analysis/priority/scenarios/"+id, withHeader(bearer, "If-Match", `"v1"`), scenario, 200)
	a.write("DELETE", "/analysis/priority/scenarios/"+id, withHeader(bearer, "If-Match", `"v2"`), "", 204)

	adm := login(t, a, admin)
	_, body = a.write("GET", "/audit?action=write&organisation="+editor.org, adm.header(), "", 200)
	page := decode[auditPage](t, body)
	var got []string
	for _, e := range page.Entries {
		got = append(got, fmt.Sprintf("%s %s %s %s %d", e.Method, e.ObjectType, e.ObjectID, e.Credential, e.TokenID))
		if e.Role != "" || e.Details["route"] == nil {
			t.Errorf("%s entry: role %q, details %v; want no role (a token has scopes) and the route", e.Method, e.Role, e.Details)
		}
	}
	want := []string{}
	for _, m := range []string{"DELETE", "PUT", "POST"} {
		want = append(want, fmt.Sprintf("%s scenarios %s token %d", m, id, tok.ID))
	}
	if !slices.Equal(got, want) {
		t.Errorf("write entries:\n got %q\nwant %q", got, want)
	}
	// A token with the admin scope reads the log too; the editor's token does not.
	a.write("GET", "/audit", http.Header{"Authorization": {"Bearer " + tok.Secret}}, "", 403)
	_, body = a.write("POST", "/auth/tokens", adm.write(), jsonBody(map[string]any{"scopes": []string{"admin"}}), 201)
	admTok := decode[struct {
		Secret string `json:"secret"`
	}](t, body)
	a.write("GET", "/audit?limit=1", http.Header{"Authorization": {"Bearer " + admTok.Secret}}, "", 200)
}
