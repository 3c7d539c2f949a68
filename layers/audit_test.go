package layers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

func TestAuditAppendAndFilter(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	s := layers.NewStore(db.Pool)
	org := fmt.Sprintf("aud%d", time.Now().UnixNano()%1_000_000_000)
	editor := &layers.Principal{Credential: layers.CredentialSession, Organisation: org, UserID: 42,
		Roles: layers.RolesOf("editor"), Scopes: layers.ScopesOf(layers.RolesOf("editor"))}
	entries := []layers.AuditEntry{
		{Action: layers.AuditLogin, Method: "POST", Path: "/auth/login", Status: 200},
		{Action: layers.AuditWrite, Method: "PATCH", Path: "/collections/interventions/items/7", Status: 200,
			ObjectType: "interventions", ObjectID: "7", Details: map[string]any{"route": "/collections/:collectionId/items/:featureId"}},
		{Action: layers.AuditLogout, Method: "POST", Path: "/auth/logout", Status: 204},
	}
	var ids []int64
	for _, e := range entries {
		e.SetPrincipal(editor)
		e.RemoteAddr = "192.0.2.1"
		id, err := s.Audit(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := s.Audit(ctx, layers.AuditEntry{Action: "read_everything", Method: "GET", Path: "/", Status: 200}); err == nil {
		t.Error("an unknown action was stored")
	}

	got, total, err := s.AuditLog(ctx, layers.AuditFilter{Organisation: org, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(got) != 3 {
		t.Fatalf("%d entries (total %d) of %s, want 3", len(got), total, org)
	}
	// Newest first: the logout, the write, the login.
	for i, want := range []int64{ids[2], ids[1], ids[0]} {
		if got[i].ID != want {
			t.Errorf("entry %d has id %d, want %d", i, got[i].ID, want)
		}
	}
	w := got[1]
	if w.Action != "write" || w.Role != "editor" || w.UserID != 42 || w.Credential != "session" || w.ObjectType != "interventions" ||
		w.ObjectID != "7" || w.RemoteAddr != "192.0.2.1" || w.Details["route"] != "/collections/:collectionId/items/:featureId" {
		t.Errorf("write entry read back as %+v", w)
	}

	tests := []struct {
		name string
		f    layers.AuditFilter
		want int
	}{
		{"action", layers.AuditFilter{Organisation: org, Action: "write", Limit: 10}, 1},
		{"limit", layers.AuditFilter{Organisation: org, Limit: 2}, 2},
		{"offset", layers.AuditFilter{Organisation: org, Limit: 10, Offset: 2}, 1},
		{"window in the future", layers.AuditFilter{Organisation: org, From: time.Now().Add(time.Hour), Limit: 10}, 0},
		{"window ending in the past", layers.AuditFilter{Organisation: org, To: time.Now().Add(-time.Hour), Limit: 10}, 0},
		{"window around now", layers.AuditFilter{Organisation: org, From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour), Limit: 10}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := s.AuditLog(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("%d entries, want %d", len(got), tt.want)
			}
		})
	}
	for _, f := range []layers.AuditFilter{{Limit: 0}, {Limit: layers.MaxAuditLimit + 1}, {Limit: 1, Offset: -1}, {Limit: 1, Action: "x"}} {
		if _, _, err := s.AuditLog(ctx, f); err == nil {
			t.Errorf("filter %+v accepted", f)
		}
	}
}

// The audit log is append-only in the database itself: the owner (the tests' role) cannot
// change, delete or truncate rows either.
func TestAuditLogIsAppendOnly(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	id, err := layers.NewStore(db.Pool).Audit(ctx, layers.AuditEntry{Action: layers.AuditWrite, Method: "POST", Path: "/x", Status: 201})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE audit_log SET status = 500 WHERE id = $1`,
		`DELETE FROM audit_log WHERE id = $1`,
		`TRUNCATE audit_log`,
	} {
		args := []any{id}
		if strings.HasPrefix(q, "TRUNCATE") {
			args = nil
		}
		_, err := db.Pool.Exec(ctx, q, args...)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error %v, want the append-only refusal", q, err)
		}
	}
	var status int
	if err := db.Pool.QueryRow(ctx, `SELECT status FROM audit_log WHERE id = $1`, id).Scan(&status); err != nil || status != 201 {
		t.Errorf("entry after the refused statements: status %d, %v", status, err)
	}
	// Roles other than the owner are not granted the statements at all.
	var granted bool
	if err := db.Pool.QueryRow(ctx, `SELECT has_table_privilege('public', 'audit_log', 'UPDATE') OR
		has_table_privilege('public', 'audit_log', 'DELETE') OR has_table_privilege('public', 'audit_log', 'TRUNCATE')`).Scan(&granted); err != nil {
		t.Fatal(err)
	}
	if granted {
		t.Error("PUBLIC may UPDATE, DELETE or TRUNCATE audit_log")
	}
}
