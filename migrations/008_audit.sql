-- Audit log (issue 7, "Audit"): one row per login (and failed login), logout, API token
-- created or revoked, and successful write through the API. Admins read it through GET /audit.
--
-- Who: the organisation, the role (the highest one the account holds; NULL for a token or JWT
-- without a role), the kind of credential, and the account id and token id. Never a name: the
-- account id leads to a name only for someone who may read users, and the log stays free of
-- personal data when an account is deleted (there is deliberately no foreign key anywhere,
-- so the log outlives the organisations, accounts and objects it names). A failed login
-- keeps the account id when the account exists, never the name that was typed (it may be a
-- mistyped password). From where: the connection's address, as the login limiter sees it.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    organisation text CHECK (length(organisation) BETWEEN 1 AND 100),
    credential   text NOT NULL CHECK (credential IN ('anonymous', 'session', 'token', 'jwt')),
    role         text CHECK (role IN ('reader', 'editor', 'admin')),
    user_id      bigint,
    token_id     bigint,
    action       text NOT NULL CHECK (action IN ('login', 'login_failed', 'logout', 'token_create', 'token_revoke', 'write')),
    object_type  text CHECK (length(object_type) BETWEEN 1 AND 100),
    object_id    text CHECK (length(object_id) BETWEEN 1 AND 200),
    method       text NOT NULL CHECK (method ~ '^[A-Z]{1,10}$'),
    path         text NOT NULL CHECK (length(path) BETWEEN 1 AND 2000),
    remote_addr  text CHECK (length(remote_addr) <= 100),
    status       integer NOT NULL CHECK (status BETWEEN 100 AND 599),
    details      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_org_at ON audit_log (organisation, at DESC);

-- Append-only, as intervention_history (migration 005): rows are never changed or removed,
-- whoever connects, the table owner included; and roles other than the owner are not even
-- granted the statements.
CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
