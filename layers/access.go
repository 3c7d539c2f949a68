package layers

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// AppRole is the database role whose grants the server acts with (migration 009). It owns
// nothing, so row-level security applies to every statement it sends.
const AppRole = "lagesbild_app"

// ServerRole is the login role the server connects as (migration 016): a member of AppRole
// and nothing else, no superuser, no CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS, so no
// RESET ROLE or SET ROLE reaches anything stronger. It reads credentials only through the
// SECURITY DEFINER functions of migrations 015 and 016, which run as lagesbild_credentials
// (migration 018), a role with privileges on the credential tables only.
const ServerRole = "lagesbild_server"

// ServerURL is the server role's connection URL for the database of ownerURL: the same host,
// port, database and parameters, user ServerRole and no password (the owner's is not the
// server's: the operator gives the server its own through .pgpass or PGPASSFILE, or the
// cluster trusts the address, as the development cluster does). Only postgres:// URLs can be
// rewritten; a keyword/value string is an error naming what to set instead.
func ServerURL(ownerURL string) (string, error) {
	u, err := neturl.Parse(ownerURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", errors.New("cannot derive the server role's URL from a database URL that is not postgres://…: set LAGESBILD_SERVER_DATABASE_URL")
	}
	u.User = neturl.User(ServerRole)
	q := u.Query()
	q.Del("user")
	q.Del("password")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// CheckServerRole refuses a pool whose login role is too strong for a server facing the
// internet: a superuser, a role with CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS, or one
// that is (or may become) the owner of the schema; and a database where that role still
// reads the credential tables directly (migration 016 not applied).
func CheckServerRole(ctx context.Context, pool *pgxpool.Pool) error {
	var user string
	var strong, ownerMember, readsCredentials *bool
	err := pool.QueryRow(ctx, `
		SELECT session_user, r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls,
		       pg_has_role(session_user, t.tableowner, 'MEMBER'), has_table_privilege(session_user, 'public.users', 'SELECT')
		FROM pg_roles r LEFT JOIN pg_tables t ON t.schemaname = 'public' AND t.tablename = 'users'
		WHERE r.rolname = session_user`).Scan(&user, &strong, &ownerMember, &readsCredentials)
	if err != nil {
		return fmt.Errorf("check server role: %w", err)
	}
	switch {
	case strong == nil || ownerMember == nil || readsCredentials == nil:
		return fmt.Errorf("check server role %q: the schema is missing (run lagesbild migrate)", user)
	case *strong:
		return fmt.Errorf("the server must not connect as %q: a superuser or a role with CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS (connect as %s)", user, ServerRole)
	case *ownerMember:
		return fmt.Errorf("the server must not connect as %q: it owns the schema or may act as its owner (connect as %s)", user, ServerRole)
	case *readsCredentials:
		return fmt.Errorf("role %q reads the credential tables directly: run lagesbild migrate (migration 016)", user)
	}
	return nil
}

// Clearance is the most protected data class p may read: the police read restricted rows;
// the organisations running the collaboration (municipality, region, the municipal housing
// company) internal ones; civil-society partners, the public and anonymous callers open
// ones. It mirrors lgb_may_read in migration 009, which is what actually holds; this copy
// lets handlers answer 401/403 and key caches by what a caller can see.
func (p *Principal) Clearance() DataClass {
	if p.IsAnonymous() {
		return Open
	}
	switch p.OrgKind {
	case "police":
		return Restricted
	case "municipality", "region", "housing":
		return Internal
	}
	return Open
}

// MayRead reports whether p may read rows of class c.
func (p *Principal) MayRead(c DataClass) bool {
	return classRank(c) <= classRank(p.Clearance())
}

func classRank(c DataClass) int {
	switch c {
	case Open:
		return 0
	case Internal:
		return 1
	case Restricted:
		return 2
	}
	return 3 // unknown: nobody
}

// HigherClass returns the more protected of a and b.
func HigherClass(a, b DataClass) DataClass {
	if classRank(b) > classRank(a) {
		return b
	}
	return a
}

// ClassesUpTo lists the classes a caller of clearance c may read, least protected first, as
// the class columns hold them.
func ClassesUpTo(c DataClass) []string {
	var out []string
	for _, k := range []DataClass{Open, Internal, Restricted} {
		if classRank(k) <= classRank(c) {
			out = append(out, string(k))
		}
	}
	return out
}

// MayWrite mirrors lgb_may_write: the write scope, in an organisation that is not the public.
func (p *Principal) MayWrite() bool {
	return !p.IsAnonymous() && p.OrgKind != "public" && p.HasScope("write")
}

// dbRole is the role setting of p: the highest its credential may act as, from its scopes
// (a token or JWT has scopes and no account role).
func (p *Principal) dbRole() string {
	switch {
	case p.IsAnonymous():
		return ""
	case p.HasScope("admin"):
		return "admin"
	case p.HasScope("write"):
		return "editor"
	case p.HasScope("read"):
		return "reader"
	}
	return ""
}

// setCallerSQL makes the caller's settings transaction-local: they end with the transaction
// (the implicit one of a pipeline ends at its Sync), so a pooled connection never carries one
// request's identity into the next.
const setCallerSQL = `SELECT set_config('lagesbild.org', $1, true), set_config('lagesbild.org_kind', $2, true),
       set_config('lagesbild.role', $3, true)`

func callerArgs(ctx context.Context) []any {
	p := PrincipalFrom(ctx)
	if p.IsAnonymous() {
		return []any{"", "", ""}
	}
	return []any{p.Organisation, p.OrgKind, p.dbRole()}
}

// callerDB is the Store's access to the pool: every statement runs in a transaction that
// first sets the caller of ctx (see setCallerSQL), which the policies of migration 009 read.
// A single statement goes as a two-statement pipeline in one round trip (one implicit
// transaction up to the Sync); Begin sets the caller as the transaction's first statement.
// An anonymous caller's statements go as they are: with no settings in force the policies
// read as anonymous (the settings of an earlier caller ended with its transaction, as
// TestCallerSettingsEndWithTheTransaction checks), and the open map costs what it did
// before row-level security (about 8 % more per district tile with the pipeline).
type callerDB struct {
	pool *pgxpool.Pool
}

func anonymous(ctx context.Context) bool { return PrincipalFrom(ctx).IsAnonymous() }

// Query runs sql as the caller of ctx.
func (d callerDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if anonymous(ctx) {
		return d.pool.Query(ctx, sql, args...)
	}
	br, err := d.start(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &callerRows{Rows: rows, br: br}, nil
}

// tunedSQL is setCallerSQL that also turns off bitmap scans and explicit sorts for the rest of
// the transaction, for a statement whose best plan the planner's estimates cannot see: a
// page of a box's matches read nearest first through the GiST index, which stops after the
// page (Store.Features). Without it the planner, estimating a handful of rows where
// thousands match, reads them all with a bitmap scan and sorts them.
const tunedSQL = setCallerSQL + `, set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`

// QueryTuned runs sql as the caller of ctx with tunedSQL's planner settings, in one
// pipeline; an anonymous caller's settings are empty, which the policies read as anonymous.
func (d callerDB) QueryTuned(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return d.queryWith(ctx, tunedSQL, sql, args)
}

// parallelSQL is setCallerSQL that also lets the statement use two parallel workers (the
// pool's sessions have none: ConfigurePool) and tells the planner that handing rows from the
// workers to the leader is cheap, for a statement that reads every row of a large box and
// whose cost is per row, not per answer (the count of a hotspot analysis: Store.HotspotInputs).
// Without the second setting the planner prices a million rows through the workers above a
// serial scan and keeps that.
const parallelSQL = setCallerSQL + `, set_config('max_parallel_workers_per_gather', '2', true), set_config('parallel_tuple_cost', '0.001', true)`

// QueryParallel runs sql as the caller of ctx with parallelSQL's settings, in one pipeline.
func (d callerDB) QueryParallel(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return d.queryWith(ctx, parallelSQL, sql, args)
}

// queryWith runs sql as the caller of ctx after setSQL (setCallerSQL with settings of its own,
// local to the pipeline's transaction), in one pipeline; an anonymous caller's settings are
// empty, which the policies read as anonymous.
func (d callerDB) queryWith(ctx context.Context, setSQL, sql string, args []any) (pgx.Rows, error) {
	b := &pgx.Batch{}
	b.Queue(setSQL, callerArgs(ctx)...)
	b.Queue(sql, args...)
	br := d.pool.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &callerRows{Rows: rows, br: br}, nil
}

// QueryRow runs sql as the caller of ctx; the row is read by Scan.
func (d callerDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if anonymous(ctx) {
		return d.pool.QueryRow(ctx, sql, args...)
	}
	br, err := d.start(ctx, sql, args)
	if err != nil {
		return errRow{err}
	}
	return callerRow{br: br}
}

// Exec runs sql as the caller of ctx.
func (d callerDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if anonymous(ctx) {
		return d.pool.Exec(ctx, sql, args...)
	}
	br, err := d.start(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// Begin starts a transaction acting as the caller of ctx.
func (d callerDB) Begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := d.pool.Begin(ctx)
	if err != nil || anonymous(ctx) {
		return tx, err
	}
	if _, err := tx.Exec(ctx, setCallerSQL, callerArgs(ctx)...); err != nil {
		_ = tx.Rollback(ctx)
		return nil, fmt.Errorf("set caller: %w", err)
	}
	return tx, nil
}

// SendBatch sends b as the caller of ctx, in one implicit transaction.
func (d callerDB) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if anonymous(ctx) {
		return d.pool.SendBatch(ctx, b)
	}
	nb := &pgx.Batch{}
	nb.Queue(setCallerSQL, callerArgs(ctx)...)
	nb.QueuedQueries = append(nb.QueuedQueries, b.QueuedQueries...)
	br := d.pool.SendBatch(ctx, nb)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return errBatch{err}
	}
	return br
}

// Acquire gives a raw connection, for LISTEN; it carries no caller.
func (d callerDB) Acquire(ctx context.Context) (*pgxpool.Conn, error) { return d.pool.Acquire(ctx) }

// Ping checks the database answers.
func (d callerDB) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

// start sends the caller's settings and sql as one pipeline and consumes the settings' result.
func (d callerDB) start(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	b.Queue(setCallerSQL, callerArgs(ctx)...)
	b.Queue(sql, args...)
	br := d.pool.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return nil, err
	}
	return br, nil
}

// callerRows closes the pipeline (ending its transaction and releasing the connection) with
// the rows.
type callerRows struct {
	pgx.Rows
	br     pgx.BatchResults
	closed bool
}

func (r *callerRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	_ = r.br.Close()
}

func (r *callerRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

type callerRow struct{ br pgx.BatchResults }

func (r callerRow) Scan(dest ...any) error {
	err := r.br.QueryRow().Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

type errBatch struct{ err error }

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return errRow{b.err} }
func (b errBatch) Close() error                     { return b.err }
func (b errBatch) Tx() pgx.Tx                       { return nil }

// principalForRoles is the principal of an organisation of kind acting with roles, for
// tests and tools that act as a caller without a credential.
func principalForRoles(org, kind string, roles ...string) *Principal {
	return &Principal{Credential: CredentialToken, Organisation: org, OrgKind: kind,
		Roles: slices.Clone(roles), Scopes: ScopesOf(roles)}
}

// ActingAs returns ctx carrying a principal of organisation org of kind acting with role
// (reader, editor or admin): what a credential of that organisation would establish. For
// tests and the command line, which act without a request.
func ActingAs(ctx context.Context, org, kind, role string) context.Context {
	return WithPrincipal(ctx, principalForRoles(org, kind, RolesOf(role)...))
}
