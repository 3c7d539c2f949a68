-- The credential functions of migrations 015 and 016 ran as the schema owner (a superuser on
-- the development cluster), so a mistake inside one would run with every power there is. They
-- now belong to lagesbild_credentials (issue 12, finding 6, defence in depth): a role that
-- cannot log in, is a member of no role, and holds privileges on the credential tables only —
-- read organisations and users, read and write sessions, read, insert and update api_tokens.
-- What a function can do is what that role can do, whoever calls it.
--
-- Like lagesbild_server, the role belongs to the cluster: it may exist already (another
-- database migrated first); it is then checked, not changed. The migrating role becomes a
-- member (to hand the functions over, and so operators' commands, run as the owner, can call
-- them); CREATE on the schema is lent to the new owner for the hand-over and taken back.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_credentials') THEN
    BEGIN
      CREATE ROLE lagesbild_credentials NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object THEN
      NULL; -- another database's migration made it meanwhile
    END;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_credentials'
              AND (rolsuper OR rolcanlogin OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls)) THEN
    RAISE EXCEPTION 'role lagesbild_credentials exists with powers it must not have: make it NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
  END IF;
  IF EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'lagesbild_credentials') THEN
    RAISE EXCEPTION 'role lagesbild_credentials is a member of another role: revoke that membership';
  END IF;
  EXECUTE format('GRANT lagesbild_credentials TO %I', current_user);
END;
$$;

GRANT USAGE ON SCHEMA public TO lagesbild_credentials;
GRANT SELECT ON organisations, users TO lagesbild_credentials;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO lagesbild_credentials;
GRANT SELECT, INSERT, UPDATE ON api_tokens TO lagesbild_credentials;
GRANT USAGE ON SEQUENCE api_tokens_id_seq TO lagesbild_credentials;

GRANT CREATE ON SCHEMA public TO lagesbild_credentials;
ALTER FUNCTION lgb_credential(text, bytea, timestamptz) OWNER TO lagesbild_credentials;
ALTER FUNCTION lgb_token_mint(text, bytea, timestamptz, bytea, text, text, text[], timestamptz) OWNER TO lagesbild_credentials;
ALTER FUNCTION lgb_tokens_list(text, bytea, timestamptz, boolean) OWNER TO lagesbild_credentials;
ALTER FUNCTION lgb_token_revoke(text, bytea, timestamptz, bigint) OWNER TO lagesbild_credentials;
ALTER FUNCTION lgb_login_account(text) OWNER TO lagesbild_credentials;
ALTER FUNCTION lgb_session_create(bytea, bigint, timestamptz, interval, interval) OWNER TO lagesbild_credentials;
ALTER FUNCTION lgb_session_touch(bytea, timestamptz, interval, interval) OWNER TO lagesbild_credentials;
ALTER FUNCTION lgb_session_delete(bytea) OWNER TO lagesbild_credentials;
ALTER FUNCTION lgb_token_principal(bytea, timestamptz, interval) OWNER TO lagesbild_credentials;
REVOKE CREATE ON SCHEMA public FROM lagesbild_credentials;

-- The lineage and cascade triggers now fire as lagesbild_credentials when its functions mint
-- or revoke (trigger functions run as whoever fires them).
GRANT EXECUTE ON FUNCTION lgb_api_tokens_lineage(), lgb_api_tokens_revoke_children() TO lagesbild_credentials;
