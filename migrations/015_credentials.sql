-- Credential lineage (issue 12, findings 3 and 4): a credential cannot make one that lives
-- longer or reaches further than itself, and ending a credential or an account ends
-- everything derived from it, at that moment and for good.
--
-- Rules, held here whoever writes the rows (the server, an operator in psql):
--   * A token minted with another token (parent_id) belongs to the same organisation, has no
--     scope its parent lacks and expires no later than its parent; lineage is at most 8 deep.
--   * Revoking a token revokes its descendants, in the same transaction (a trigger).
--   * Disabling an account deletes its sessions and revokes every token it owns (user_id) or
--     minted (created_by), with their descendants, in the same transaction. Enabling it again
--     revives nothing: the rows are gone or revoked, not merely hidden by a flag.
--   * A token minted in a browser session belongs to the account (created_via 'session'), not
--     to the session: it survives logout (a logout ends the browser, not the scripts set up
--     with it) and ends with the account, its own expiry (at most 366 days) or a revocation.
--   * Bearer JWTs do not mint tokens at all (web/auth.go): nothing here could revoke a token
--     when the issuer disables the person, so a token would outlive the SSO's decision.
--
-- created_via is NULL for tokens made before this migration (their origin was not recorded).

ALTER TABLE api_tokens
    ADD COLUMN parent_id   bigint REFERENCES api_tokens (id) ON DELETE CASCADE,
    ADD COLUMN created_by  bigint REFERENCES users (id) ON DELETE CASCADE,
    ADD COLUMN created_via text CHECK (created_via IN ('operator', 'session', 'token')),
    ADD COLUMN depth       smallint NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 8),
    ADD CHECK ((parent_id IS NULL) = (depth = 0));
CREATE INDEX api_tokens_parent ON api_tokens (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX api_tokens_user ON api_tokens (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX api_tokens_created_by ON api_tokens (created_by) WHERE created_by IS NOT NULL;

-- lgb_role_scopes is what an account's role may do (layers.ScopesOf): a token never acts with
-- more than the account behind it holds now, so demoting an account narrows its tokens too.
CREATE FUNCTION lgb_role_scopes(role text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE role WHEN 'reader' THEN ARRAY['read'] WHEN 'editor' THEN ARRAY['read', 'write']
                   WHEN 'admin' THEN ARRAY['read', 'write', 'admin'] ELSE ARRAY[]::text[] END
$$;

-- A child token is checked against its parent as it is inserted; the parent row is locked
-- (FOR SHARE conflicts with the UPDATE of a revocation), so a child cannot be born from a
-- parent being revoked in a concurrent transaction and miss the cascade.
CREATE FUNCTION lgb_api_tokens_lineage() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  p public.api_tokens;
BEGIN
  IF NEW.parent_id IS NULL THEN
    NEW.depth := 0;
    RETURN NEW;
  END IF;
  SELECT * INTO p FROM public.api_tokens WHERE id = NEW.parent_id FOR SHARE;
  IF p.revoked_at IS NOT NULL OR p.expires_at <= NEW.created_at THEN
    RAISE EXCEPTION 'parent token % is revoked or expired', p.id USING ERRCODE = 'invalid_authorization_specification';
  END IF;
  IF NEW.organisation <> p.organisation THEN
    RAISE EXCEPTION 'a token cannot mint one for another organisation' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'organisation';
  END IF;
  IF NOT NEW.scopes <@ p.scopes THEN
    RAISE EXCEPTION 'scopes %s exceed the parent token''s %s', NEW.scopes, p.scopes USING ERRCODE = 'invalid_parameter_value', COLUMN = 'scopes';
  END IF;
  IF NEW.expires_at > p.expires_at THEN
    RAISE EXCEPTION 'a token cannot outlive the token that mints it (which expires at %)', p.expires_at
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'expires_in';
  END IF;
  IF p.depth >= 8 THEN
    RAISE EXCEPTION 'token lineage is at most 8 deep' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'token';
  END IF;
  NEW.depth := p.depth + 1;
  RETURN NEW;
END;
$$;
CREATE TRIGGER api_tokens_lineage BEFORE INSERT OR UPDATE OF parent_id, organisation, scopes, expires_at ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION lgb_api_tokens_lineage();

-- Revocation reaches the children, whose own revocation fires this again for theirs (the
-- depth bound keeps the recursion shallow).
CREATE FUNCTION lgb_api_tokens_revoke_children() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  UPDATE public.api_tokens SET revoked_at = NEW.revoked_at WHERE parent_id = NEW.id AND revoked_at IS NULL;
  RETURN NULL;
END;
$$;
CREATE TRIGGER api_tokens_revoke_children AFTER UPDATE OF revoked_at ON api_tokens
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION lgb_api_tokens_revoke_children();

-- Disabling an account ends its credentials for good.
CREATE FUNCTION lgb_users_disabled() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  DELETE FROM public.sessions WHERE user_id = NEW.id;
  UPDATE public.api_tokens SET revoked_at = now()
   WHERE (user_id = NEW.id OR created_by = NEW.id) AND revoked_at IS NULL;
  RETURN NULL;
END;
$$;
CREATE TRIGGER users_disabled AFTER UPDATE OF disabled ON users
  FOR EACH ROW WHEN (NEW.disabled AND NOT OLD.disabled)
  EXECUTE FUNCTION lgb_users_disabled();
-- An account disabled before this migration keeps no live credential either.
UPDATE api_tokens t SET revoked_at = now()
  FROM users u WHERE u.id = t.user_id AND u.disabled AND t.revoked_at IS NULL;
DELETE FROM sessions s USING users u WHERE u.id = s.user_id AND u.disabled;

-- What the server does with tokens, as functions that take the caller's own credential (the
-- SHA-256 of its session id or token, which only the holder of the secret can give) rather
-- than an account or organisation the server asserts: a mistake in the server cannot mint,
-- list or revoke for a credential it was not shown. They run as their owner (SECURITY
-- DEFINER), with a fixed search_path; only the application role may call them (migration 016
-- takes the tables' direct privileges away from it).

-- lgb_credential is the live credential of kind ('session' or 'token') with hash at time at:
-- its organisation, the account behind it (NULL for an organisation's token made by an
-- operator), the token's id and owner, what it may do now (a token: its scopes, narrowed to
-- its account's current role) and when it ends. Unknown, ended or disabled: SQLSTATE 28000.
CREATE FUNCTION lgb_credential(kind text, hash bytea, at timestamptz,
    OUT organisation text, OUT account bigint, OUT token_id bigint, OUT token_user bigint,
    OUT scopes text[], OUT expires_at timestamptz)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF kind = 'session' THEN
    SELECT u.organisation, u.id, NULL, u.id, lgb_role_scopes(u.role), s.expires_at
      INTO organisation, account, token_id, token_user, scopes, expires_at
      FROM public.sessions s JOIN public.users u ON u.id = s.user_id
     WHERE s.id_hash = hash AND s.expires_at > at AND s.idle_expires_at > at AND NOT u.disabled;
  ELSIF kind = 'token' THEN
    SELECT t.organisation, coalesce(t.user_id, t.created_by), t.id, t.user_id,
           CASE WHEN u.id IS NULL THEN t.scopes
                ELSE ARRAY(SELECT x FROM unnest(t.scopes) x WHERE x = ANY (lgb_role_scopes(u.role))) END,
           t.expires_at
      INTO organisation, account, token_id, token_user, scopes, expires_at
      FROM public.api_tokens t LEFT JOIN public.users u ON u.id = coalesce(t.user_id, t.created_by)
     WHERE t.token_hash = hash AND t.revoked_at IS NULL AND t.expires_at > at AND NOT coalesce(u.disabled, false);
  END IF;
  IF organisation IS NULL THEN
    RAISE EXCEPTION 'credential unknown, expired or revoked' USING ERRCODE = 'invalid_authorization_specification';
  END IF;
END;
$$;
REVOKE ALL ON FUNCTION lgb_credential(text, bytea, timestamptz) FROM PUBLIC;

-- lgb_token_mint stores a token (new_hash) minted with the caller's credential and returns
-- its id. owner 'self': the credential's account owns it; 'organisation': the organisation
-- does (admins only), still created_by the account, so disabling the account ends it. It
-- expires after at and no later than a parent token (or 366 days for a session, which acts
-- for its account). A refusal names the field at fault (COLUMN): SQLSTATE 22023 or 42501.
CREATE FUNCTION lgb_token_mint(cred_kind text, cred_hash bytea, at timestamptz,
    new_hash bytea, owner text, name text, scopes text[], expires_at timestamptz) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  c record;
  cap timestamptz;
  new_id bigint;
BEGIN
  c := lgb_credential(cred_kind, cred_hash, at);
  IF cardinality(scopes) IS DISTINCT FROM cardinality(ARRAY(SELECT DISTINCT unnest(scopes))) OR cardinality(scopes) = 0 THEN
    RAISE EXCEPTION 'scopes must be distinct and at least one' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'scopes';
  END IF;
  IF NOT scopes <@ c.scopes THEN
    RAISE EXCEPTION 'scopes % exceed the credential''s %', scopes, c.scopes USING ERRCODE = 'insufficient_privilege', COLUMN = 'scopes';
  END IF;
  IF owner = 'self' AND c.token_user IS NULL THEN
    RAISE EXCEPTION 'the credential has no account of its own' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'owner';
  ELSIF owner = 'organisation' AND NOT 'admin' = ANY (c.scopes) THEN
    RAISE EXCEPTION 'only an admin may mint tokens of the organisation' USING ERRCODE = 'insufficient_privilege', COLUMN = 'owner';
  ELSIF owner IS NULL OR owner NOT IN ('self', 'organisation') THEN
    RAISE EXCEPTION 'owner is self or organisation' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'owner';
  END IF;
  cap := CASE WHEN cred_kind = 'token' THEN c.expires_at ELSE at + interval '366 days' END;
  IF expires_at <= at OR expires_at > cap THEN
    RAISE EXCEPTION 'expiry must be after now and no later than %', cap USING ERRCODE = 'invalid_parameter_value', COLUMN = 'expires_in';
  END IF;
  INSERT INTO public.api_tokens (token_hash, organisation, user_id, name, scopes, created_at, expires_at, parent_id, created_by, created_via)
  VALUES (new_hash, c.organisation, CASE owner WHEN 'self' THEN c.token_user END, name, scopes, at, expires_at,
          c.token_id, c.account, cred_kind)
  RETURNING id INTO new_id;
  RETURN new_id;
END;
$$;

-- lgb_tokens_list lists, newest first and at most 1000, the tokens the caller's credential
-- owns or minted: its account's, and a token's own descendants. whole_organisation lists all
-- of the organisation's, for an admin (for anyone else it is ignored: the caller's own).
-- Neither a secret nor its hash leaves.
CREATE FUNCTION lgb_tokens_list(cred_kind text, cred_hash bytea, at timestamptz, whole_organisation boolean)
RETURNS TABLE (id bigint, organisation text, account text, name text, scopes text[], created_at timestamptz,
               expires_at timestamptz, revoked_at timestamptz, last_used_at timestamptz, parent_id bigint, created_via text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  WITH RECURSIVE c AS (SELECT * FROM lgb_credential(cred_kind, cred_hash, at)),
  descendants AS (
    SELECT t.id FROM public.api_tokens t, c WHERE t.id = c.token_id
    UNION
    SELECT t.id FROM public.api_tokens t JOIN descendants d ON t.parent_id = d.id)
  SELECT t.id, t.organisation, u.username, t.name, t.scopes, t.created_at, t.expires_at, t.revoked_at, t.last_used_at,
         t.parent_id, t.created_via
    FROM public.api_tokens t CROSS JOIN c LEFT JOIN public.users u ON u.id = t.user_id
   WHERE t.organisation = c.organisation
     AND ((whole_organisation AND 'admin' = ANY (c.scopes))
          OR t.user_id = c.account OR t.created_by = c.account OR t.id IN (SELECT d.id FROM descendants d))
   ORDER BY t.id DESC
   LIMIT 1000
$$;

-- lgb_token_revoke revokes token target (and so its descendants) if the caller's credential
-- may: the same organisation, and an admin, or the token is the account's, or the credential
-- itself or one of its descendants. It returns true, or NULL when target is unknown or not
-- the caller's to revoke (the server answers both 404). Revoking again keeps the first time.
CREATE FUNCTION lgb_token_revoke(cred_kind text, cred_hash bytea, at timestamptz, target bigint) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  WITH RECURSIVE c AS (SELECT * FROM lgb_credential(cred_kind, cred_hash, at)),
  ancestors AS (
    SELECT t.id, t.parent_id FROM public.api_tokens t WHERE t.id = target
    UNION ALL
    SELECT p.id, p.parent_id FROM public.api_tokens p JOIN ancestors a ON p.id = a.parent_id)
  UPDATE public.api_tokens t SET revoked_at = coalesce(t.revoked_at, at)
    FROM c
   WHERE t.id = target AND t.organisation = c.organisation
     AND ('admin' = ANY (c.scopes) OR t.user_id = c.account OR t.created_by = c.account
          OR c.token_id IN (SELECT a.id FROM ancestors a))
  RETURNING true
$$;

REVOKE ALL ON FUNCTION lgb_token_mint(text, bytea, timestamptz, bytea, text, text, text[], timestamptz),
                       lgb_tokens_list(text, bytea, timestamptz, boolean),
                       lgb_token_revoke(text, bytea, timestamptz, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lgb_token_mint(text, bytea, timestamptz, bytea, text, text, text[], timestamptz),
                          lgb_tokens_list(text, bytea, timestamptz, boolean),
                          lgb_token_revoke(text, bytea, timestamptz, bigint) TO lagesbild_app;
