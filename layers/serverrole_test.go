package layers_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// credentialFunctions are the functions through which the server reaches credentials
// (migrations 015 and 016). lgb_credential, which they call, is no definer, and the server may
// not call it.
var credentialFunctions = []string{"lgb_token_mint", "lgb_tokens_list", "lgb_token_revoke", "lgb_login_account",
	"lgb_session_create", "lgb_session_touch", "lgb_session_delete", "lgb_token_principal"}

// TestServerRoleIsNarrow (issue 12, finding 6): the server's pool is a login role that is no
// superuser and cannot become one or the owner, and that reaches the credential tables only
// through the functions made for it.
func TestServerRoleIsNarrow(t *testing.T) {
	db := layerstest.Require(t, testDB)
	ctx := context.Background()
	var owner string
	if err := db.Pool.QueryRow(ctx, `SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'users'`).Scan(&owner); err != nil {
		t.Fatal(err)
	}

	// Each case runs on a connection of its own that is closed afterwards, so a role changed
	// by RESET ROLE cannot leak into the pool.
	run := func(t *testing.T, sqls ...string) error {
		t.Helper()
		c, err := db.AppPool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Hijack().Close(ctx) }()
		for _, sql := range sqls {
			rows, err := c.Query(ctx, sql)
			if err == nil {
				for rows.Next() {
				}
				rows.Close()
				err = rows.Err()
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	denied := func(err error) bool {
		var pgErr *pgconn.PgError
		return errors.As(err, &pgErr) && pgErr.Code == "42501" // insufficient_privilege
	}
	for _, tt := range []struct {
		name string
		sqls []string
	}{
		{"read password hashes", []string{`SELECT password_hash FROM users`}},
		{"read sessions", []string{`SELECT id_hash FROM sessions`}},
		{"read api tokens", []string{`SELECT token_hash FROM api_tokens`}},
		{"insert a session", []string{`INSERT INTO sessions (id_hash, user_id, created_at, last_seen, idle_expires_at, expires_at)
			SELECT sha256('x'), 1, now(), now(), now() + interval '1 h', now() + interval '1 h'`}},
		{"insert a token", []string{`INSERT INTO api_tokens (token_hash, organisation, scopes, created_at, expires_at)
			VALUES (sha256('y'), 'polisen', '{admin}', now(), now() + interval '1 y')`}},
		{"reset role, read hashes", []string{`RESET ROLE`, `SELECT password_hash FROM users`}},
		{"set role to the owner", []string{`SET ROLE ` + pgx.Identifier{owner}.Sanitize()}},
		{"set session authorization", []string{`SET SESSION AUTHORIZATION ` + pgx.Identifier{owner}.Sanitize()}},
		{"call the internal credential look-up", []string{`SELECT * FROM lgb_credential('token', sha256('z'), now())`}},
		{"create a function that shadows", []string{`CREATE FUNCTION public.lgb_role_scopes(r text, x int) RETURNS text[] LANGUAGE sql AS 'SELECT NULL::text[]'`}},
		{"create a role", []string{`CREATE ROLE lagesbild_evil SUPERUSER`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := run(t, tt.sqls...); !denied(err) {
				t.Errorf("%q as the server: %v, want permission denied", tt.sqls, err)
			}
		})
	}

	var super, createRole, createDB, bypass, ownerMember bool
	var user string
	if err := db.AppPool.QueryRow(ctx, `SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
			pg_has_role(current_user, $1, 'MEMBER')
		FROM pg_roles r WHERE r.rolname = session_user`, owner).Scan(&user, &super, &createRole, &createDB, &bypass, &ownerMember); err != nil {
		t.Fatal(err)
	}
	if user != layers.ServerRole || super || createRole || createDB || bypass || ownerMember {
		t.Errorf("server connects as %s: superuser %v, createrole %v, createdb %v, bypassrls %v, member of the owner %v",
			user, super, createRole, createDB, bypass, ownerMember)
	}
	if err := layers.CheckServerRole(ctx, db.AppPool); err != nil {
		t.Errorf("CheckServerRole on the server's pool: %v", err)
	}
	if err := layers.CheckServerRole(ctx, db.Pool); err == nil {
		t.Error("CheckServerRole accepts the owner's pool")
	}

	// Every SECURITY DEFINER function of ours (not PostGIS's) has its search_path fixed and is
	// executable by no PUBLIC; the credential functions run as lagesbild_credentials, not as
	// the owner.
	rows, err := db.Pool.Query(ctx, `
		SELECT p.oid::regprocedure::text,
		       coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'), false),
		       EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'),
		       p.proowner::regrole::text, p.proname
		FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var name, owner, proname string
		var fixed, public bool
		if err := rows.Scan(&name, &fixed, &public, &owner, &proname); err != nil {
			t.Fatal(err)
		}
		credential := slices.Contains(credentialFunctions, proname)
		if credential {
			n++
		}
		if !fixed || public || (credential && owner != "lagesbild_credentials") {
			t.Errorf("SECURITY DEFINER %s: search_path fixed %v, executable by PUBLIC %v, runs as %s", name, fixed, public, owner)
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if n != len(credentialFunctions) {
		t.Errorf("%d SECURITY DEFINER credential functions, want %d (%v)", n, len(credentialFunctions), credentialFunctions)
	}

	// The role they run as: no login, no powers, no memberships, and privileges on the
	// credential tables only.
	var grants string
	var weak bool
	if err := db.Pool.QueryRow(ctx, `
		SELECT coalesce((SELECT string_agg(table_name || ':' || privilege_type, ',' ORDER BY table_name, privilege_type)
		                   FROM information_schema.role_table_grants WHERE grantee = 'lagesbild_credentials'), ''),
		       NOT (r.rolsuper OR r.rolcanlogin OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls)
		       AND NOT EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid)
		FROM pg_roles r WHERE r.rolname = 'lagesbild_credentials'`).Scan(&grants, &weak); err != nil {
		t.Fatal(err)
	}
	const want = "api_tokens:INSERT,api_tokens:SELECT,api_tokens:UPDATE,organisations:SELECT," +
		"sessions:DELETE,sessions:INSERT,sessions:SELECT,sessions:UPDATE,users:SELECT"
	if grants != want || !weak {
		t.Errorf("lagesbild_credentials: grants %s (want %s), without powers or memberships %v", grants, want, weak)
	}
}
