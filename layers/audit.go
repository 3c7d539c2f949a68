package layers

// Audit log (issue 7, migration 008): an append-only record of logins, failed logins,
// logouts, API tokens created and revoked, and writes. The database refuses UPDATE, DELETE
// and TRUNCATE on it (a trigger, whoever connects); this file only appends and reads.
//
// Assumptions: "who" is an organisation, a role, a kind of credential and account and token
// ids, never a name, so the log holds no personal data; times are the database's now().

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Audit actions, as the migration's CHECK constraint lists them.
const (
	AuditLogin       = "login"
	AuditLoginFailed = "login_failed"
	AuditLogout      = "logout"
	AuditTokenCreate = "token_create"
	AuditTokenRevoke = "token_revoke"
	AuditWrite       = "write"
	// AuditRead records a read of restricted data (migration 009).
	AuditRead = "read"
	// AuditDeclassify records the lowering of a row's data class (migration 017), in the
	// transaction of the write that lowers it.
	AuditDeclassify = "declassify"
)

// AuditActions lists every action, for validating filters.
var AuditActions = []string{AuditLogin, AuditLoginFailed, AuditLogout, AuditTokenCreate, AuditTokenRevoke, AuditWrite, AuditRead, AuditDeclassify}

// auditClassOf is the class of an entry that states none: logins, logouts and tokens record
// no data (open); every other entry is restricted until its writer says what it records,
// so an entry nobody classified reaches only those cleared for everything.
func auditClassOf(e AuditEntry) DataClass {
	if e.DataClass != "" {
		return e.DataClass
	}
	switch e.Action {
	case AuditLogin, AuditLoginFailed, AuditLogout, AuditTokenCreate, AuditTokenRevoke:
		return Open
	}
	return Restricted
}

// AuditEntry is one row of the audit log. Organisation, Role, UserID and TokenID are empty
// (zero) when unknown: an anonymous write, a failed login for an unknown account.
type AuditEntry struct {
	ID           int64          `json:"id"`
	At           time.Time      `json:"at"`
	Organisation string         `json:"organisation,omitempty"`
	Credential   string         `json:"credential"`
	Role         string         `json:"role,omitempty"`
	UserID       int64          `json:"user_id,omitempty"`
	TokenID      int64          `json:"token_id,omitempty"`
	Action       string         `json:"action"`
	ObjectType   string         `json:"object_type,omitempty"`
	ObjectID     string         `json:"object_id,omitempty"`
	Method       string         `json:"method"`
	Path         string         `json:"path"`
	RemoteAddr   string         `json:"remote_addr,omitempty"`
	Status       int            `json:"status"`
	Details      map[string]any `json:"details"`
	// DataClass is the class of what the entry records (migration 017): only callers cleared
	// for it read the entry. Empty when appending means the default of auditClassOf.
	DataClass DataClass `json:"data_class"`
}

// SetPrincipal fills the entry's "who" from p: organisation, highest role, credential kind,
// account and token ids (never the account name).
func (e *AuditEntry) SetPrincipal(p *Principal) {
	if p == nil {
		p = Anonymous()
	}
	e.Credential, e.Organisation, e.UserID, e.TokenID = p.Credential, p.Organisation, p.UserID, p.TokenID
	e.Role = ""
	for _, r := range Roles { // ordered, so the last one held is the highest
		if p.HasRole(r) {
			e.Role = r
		}
	}
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// Audit appends e to the audit log and returns its id. An unknown action or credential
// kind is an *InvalidError.
func (s *Store) Audit(ctx context.Context, e AuditEntry) (int64, error) {
	if !slices.Contains(AuditActions, e.Action) {
		return 0, Invalid("action", "one of %s", strings.Join(AuditActions, ", "))
	}
	args, err := auditArgs(e)
	if err != nil {
		return 0, err
	}
	// Not INSERT … RETURNING: RETURNING needs the row to pass the log's read policy, which only
	// admins do (migration 009); the id comes from the sequence in the same transaction.
	b := &pgx.Batch{}
	b.Queue(insertAuditSQL, args...)
	var id int64
	b.Queue(`SELECT currval(pg_get_serial_sequence('audit_log', 'id'))`).QueryRow(func(row pgx.Row) error { return row.Scan(&id) })
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return 0, fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return id, nil
}

const insertAuditSQL = `
INSERT INTO audit_log (organisation, credential, role, user_id, token_id, action, object_type, object_id,
                       method, path, remote_addr, status, details, data_class)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`

// auditArgs are the parameters of insertAuditSQL for e.
func auditArgs(e AuditEntry) ([]any, error) {
	if e.Credential == "" {
		e.Credential = CredentialAnonymous
	}
	details := []byte("{}")
	if len(e.Details) > 0 {
		var err error
		if details, err = json.Marshal(e.Details); err != nil {
			return nil, fmt.Errorf("audit details: %w", err)
		}
	}
	return []any{nullText(e.Organisation), e.Credential, nullText(e.Role), nullID(e.UserID), nullID(e.TokenID), e.Action,
		nullText(truncate(e.ObjectType, 100)), nullText(truncate(e.ObjectID, 200)), e.Method, truncate(e.Path, 2000),
		nullText(truncate(e.RemoteAddr, 100)), e.Status, details, string(auditClassOf(e))}, nil
}

// truncate cuts s to at most n characters (not bytes), so a long path still fits its column.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// AuditFilter selects audit entries: within [From, To) when set, of one action and one
// organisation when set, newest first, Limit rows from Offset.
type AuditFilter struct {
	From, To      time.Time
	Action        string
	Organisation  string
	Limit, Offset int
}

// MaxAuditLimit bounds one page of the audit log.
const MaxAuditLimit = 1000

// AuditLog returns the entries f selects, newest first (ties by id), and how many match in all.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error) {
	if f.Limit <= 0 || f.Limit > MaxAuditLimit {
		return nil, 0, Invalid("limit", "between 1 and %d", MaxAuditLimit)
	}
	if f.Offset < 0 {
		return nil, 0, Invalid("offset", "0 or more")
	}
	if f.Action != "" && !slices.Contains(AuditActions, f.Action) {
		return nil, 0, Invalid("action", "one of %s", strings.Join(AuditActions, ", "))
	}
	var from, to *time.Time
	if !f.From.IsZero() {
		from = &f.From
	}
	if !f.To.IsZero() {
		to = &f.To
	}
	const where = `WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
		AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR organisation = $4)`
	args := []any{from, to, nullText(f.Action), nullText(f.Organisation)}
	var total int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id, at, coalesce(organisation, ''), credential, coalesce(role, ''), coalesce(user_id, 0), coalesce(token_id, 0),
		       action, coalesce(object_type, ''), coalesce(object_id, ''), method, path, coalesce(remote_addr, ''), status, details,
		       data_class
		FROM audit_log `+where+` ORDER BY at DESC, id DESC LIMIT $5 OFFSET $6`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Organisation, &e.Credential, &e.Role, &e.UserID, &e.TokenID, &e.Action,
			&e.ObjectType, &e.ObjectID, &e.Method, &e.Path, &e.RemoteAddr, &e.Status, &e.Details, &e.DataClass); err != nil {
			return nil, 0, fmt.Errorf("audit log: %w", err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	return out, total, nil
}
