-- Credential changes on the change channel: every statement that can end or narrow an API
-- token — revoking it (and, by migration 015's trigger, its descendants), moving its expiry
-- or scopes, disabling an account or changing its role, changing or removing an
-- organisation — announces its table on lagesbild_changes, as migration 003 does for the
-- layers. Every server process keeps tokens' principals in memory (web/auth TokenCache) and
-- drops them on these notifications, so a revocation takes effect in every process at once.
-- Only the columns a principal is made of fire it: recording a token's last use, or a
-- session's, announces nothing.
CREATE TRIGGER api_tokens_changed AFTER UPDATE OF token_hash, organisation, user_id, created_by, scopes, expires_at, revoked_at
  OR DELETE OR TRUNCATE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER users_changed AFTER UPDATE OF organisation, role, disabled, demo OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER organisations_changed AFTER UPDATE OR DELETE OR TRUNCATE ON organisations
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
