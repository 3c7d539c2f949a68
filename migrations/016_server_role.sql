-- The server's own login role (issue 12, finding 6). Before, the server connected as the
-- owner (a superuser on a development cluster) and SET ROLE lagesbild_app, so one statement
-- through a future bug could RESET ROLE; and lagesbild_app read users.password_hash, sessions
-- and api_tokens and could insert sessions.
--
-- Now the server connects as lagesbild_server: LOGIN, not a superuser, no CREATEROLE,
-- CREATEDB, REPLICATION or BYPASSRLS, a member of lagesbild_app only (whose grants it
-- inherits), so RESET ROLE leaves it what it was and SET ROLE reaches nothing stronger. The
-- credential tables are closed to it: it reaches them only through the SECURITY DEFINER
-- functions below and those of migration 015, each with a fixed search_path, executable by
-- lagesbild_app alone. Migrations and the operator's commands (demo load, imports, accounts
-- and tokens) keep connecting as the owner.
--
-- Roles belong to the cluster, not the database: the role may exist already (another
-- database of the cluster migrated first); it is then checked, not changed. Its password is
-- the operator's to set (ALTER ROLE lagesbild_server PASSWORD …, stored as SCRAM); the
-- development cluster trusts 127.0.0.1 and needs none.

DO $$
DECLARE
  r pg_roles;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_server') THEN
    BEGIN
      CREATE ROLE lagesbild_server LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object THEN
      NULL; -- another database's migration made it meanwhile
    END;
  END IF;
  SELECT * INTO r FROM pg_roles WHERE rolname = 'lagesbild_server';
  IF r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls OR NOT r.rolcanlogin OR NOT r.rolinherit THEN
    RAISE EXCEPTION 'role lagesbild_server exists with powers a server must not have (or cannot log in): make it LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
  END IF;
  IF pg_has_role('lagesbild_server', current_user, 'MEMBER') THEN
    RAISE EXCEPTION 'role lagesbild_server is a member of the owner %: revoke that membership', current_user;
  END IF;
  GRANT lagesbild_app TO lagesbild_server;
END;
$$;

-- The credential tables are the functions' business only.
REVOKE ALL ON users, sessions, api_tokens FROM lagesbild_app;
REVOKE ALL ON SEQUENCE users_id_seq, api_tokens_id_seq FROM lagesbild_app;
REVOKE ALL ON users, sessions, api_tokens FROM PUBLIC;

-- lgb_login_account is the account called account_name, with its password hash, for login to verify
-- (argon2id is computed by the server, not by PostgreSQL); no row when there is none. One
-- account by its exact name: the table cannot be listed through it.
CREATE FUNCTION lgb_login_account(account_name text)
RETURNS TABLE (id bigint, username text, organisation text, org_kind text, org_name text, role text,
               password_hash text, disabled boolean, demo boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT u.id, u.username, u.organisation, o.kind, o.name, u.role, u.password_hash, u.disabled, u.demo OR o.demo
    FROM public.users u JOIN public.organisations o ON o.code = u.organisation
   WHERE u.username = lgb_login_account.account_name
$$;

-- lgb_session_create stores a session for account user_id (after a verified password), keyed
-- by the hash of its secret, and sweeps expired ones. A disabled or unknown account: SQLSTATE
-- 28000. The absolute lifetime is at most 30 days, whatever the server asks.
CREATE FUNCTION lgb_session_create(id_hash bytea, user_id bigint, at timestamptz, idle interval, absolute interval,
    OUT idle_expires_at timestamptz, OUT expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF absolute <= interval '0' OR absolute > interval '30 days' OR idle <= interval '0' THEN
    RAISE EXCEPTION 'session lifetime out of bounds' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT FROM public.users u WHERE u.id = lgb_session_create.user_id AND NOT u.disabled) THEN
    RAISE EXCEPTION 'no such account, or disabled' USING ERRCODE = 'invalid_authorization_specification';
  END IF;
  DELETE FROM public.sessions s WHERE s.expires_at <= at OR s.idle_expires_at <= at;
  idle_expires_at := at + least(idle, absolute);
  expires_at := at + absolute;
  INSERT INTO public.sessions (id_hash, user_id, created_at, last_seen, idle_expires_at, expires_at)
  VALUES (lgb_session_create.id_hash, lgb_session_create.user_id, at, at, lgb_session_create.idle_expires_at, lgb_session_create.expires_at);
END;
$$;

-- lgb_session_touch is the live session with id_hash and its account (no password hash); it
-- moves the idle expiry to at + idle (never past the absolute one) when last_seen is older
-- than touch_every. No row: unknown, idle, expired, or its account disabled.
CREATE FUNCTION lgb_session_touch(id_hash bytea, at timestamptz, idle interval, touch_every interval)
RETURNS TABLE (id bigint, username text, organisation text, org_kind text, org_name text, role text, disabled boolean,
               demo boolean, created_at timestamptz, last_seen timestamptz, idle_expires_at timestamptz, expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
DECLARE
  s public.sessions;
BEGIN
  SELECT * INTO s FROM public.sessions x
   WHERE x.id_hash = lgb_session_touch.id_hash AND x.expires_at > at AND x.idle_expires_at > at;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF at - s.last_seen >= touch_every OR at < s.last_seen THEN
    s.last_seen := at;
    s.idle_expires_at := least(at + idle, s.expires_at);
    UPDATE public.sessions x SET last_seen = s.last_seen, idle_expires_at = s.idle_expires_at WHERE x.id_hash = s.id_hash;
  END IF;
  RETURN QUERY
    SELECT u.id, u.username, u.organisation, o.kind, o.name, u.role, u.disabled, u.demo OR o.demo,
           s.created_at, s.last_seen, s.idle_expires_at, s.expires_at
      FROM public.users u JOIN public.organisations o ON o.code = u.organisation
     WHERE u.id = s.user_id AND NOT u.disabled;
END;
$$;

-- lgb_session_delete ends the session with id_hash (logout); one already gone is no error.
CREATE FUNCTION lgb_session_delete(id_hash bytea) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  DELETE FROM public.sessions s WHERE s.id_hash = lgb_session_delete.id_hash
$$;

-- lgb_token_principal is the live token with token_hash: its organisation, owner, expiry,
-- whether it or its account is a demo one, and its scopes narrowed to its account's current
-- role; it records the use when last_used_at is older than use_every. No row: unknown,
-- revoked, expired, or its account disabled.
CREATE FUNCTION lgb_token_principal(token_hash bytea, at timestamptz, use_every interval)
RETURNS TABLE (id bigint, organisation text, org_kind text, org_name text, user_id bigint, expires_at timestamptz,
               demo boolean, scopes text[])
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
DECLARE
  t public.api_tokens;
BEGIN
  SELECT * INTO t FROM public.api_tokens x
   WHERE x.token_hash = lgb_token_principal.token_hash AND x.revoked_at IS NULL AND x.expires_at > at;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF t.last_used_at IS NULL OR at - t.last_used_at >= use_every THEN
    UPDATE public.api_tokens x SET last_used_at = at WHERE x.id = t.id;
  END IF;
  RETURN QUERY
    SELECT t.id, t.organisation, o.kind, o.name, t.user_id, t.expires_at, o.demo OR coalesce(u.demo, false),
           CASE WHEN u.id IS NULL THEN t.scopes
                ELSE ARRAY(SELECT x FROM unnest(t.scopes) x WHERE x = ANY (lgb_role_scopes(u.role))) END
      FROM public.organisations o LEFT JOIN public.users u ON u.id = coalesce(t.user_id, t.created_by)
     WHERE o.code = t.organisation AND NOT coalesce(u.disabled, false);
END;
$$;

REVOKE ALL ON FUNCTION lgb_login_account(text),
                       lgb_session_create(bytea, bigint, timestamptz, interval, interval),
                       lgb_session_touch(bytea, timestamptz, interval, interval),
                       lgb_session_delete(bytea),
                       lgb_token_principal(bytea, timestamptz, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lgb_login_account(text),
                          lgb_session_create(bytea, bigint, timestamptz, interval, interval),
                          lgb_session_touch(bytea, timestamptz, interval, interval),
                          lgb_session_delete(bytea),
                          lgb_token_principal(bytea, timestamptz, interval) TO lagesbild_app;

-- The trigger functions of migration 015 run as whoever fires them; the application role no
-- longer can (it cannot write the tables), but nobody needs to call them directly either.
REVOKE ALL ON FUNCTION lgb_api_tokens_lineage(), lgb_api_tokens_revoke_children(), lgb_users_disabled() FROM PUBLIC;
