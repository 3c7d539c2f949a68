-- Need-to-know access (issue 7): row-level security on every table holding data, keyed by the
-- caller, so that a check missed in Go still cannot let a row out.
--
-- The server connects (or SETs ROLE on connect) as lagesbild_app, which owns nothing, so RLS
-- applies to it; migrations, imports and the demo load run as the owner, which RLS does not
-- restrict. Every statement the server sends runs in a transaction that first sets three
-- transaction-local settings from the authenticated request (layers/access.go):
--   lagesbild.org       the caller's organisation code, '' when anonymous
--   lagesbild.org_kind  police | municipality | housing | region | civil_society | public | ''
--   lagesbild.role      reader | editor | admin | '' (the highest the credential may act as)
-- A statement without them (a forgotten context, a new code path) reads as anonymous: the
-- settings are missing, the functions below return NULL, and only open rows are visible.
--
-- Data classes: open rows are for everyone; internal rows for the organisations that run the
-- collaboration (police, municipality, region, the municipal housing company); restricted rows
-- for the police only. Civil-society partners and the public see open rows (and partner
-- layers shared with them, migration 011).

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_app') THEN
    CREATE ROLE lagesbild_app NOLOGIN NOINHERIT;
  END IF;
  -- The migrating role must be able to SET ROLE to it (a superuser can anyway).
  EXECUTE format('GRANT lagesbild_app TO %I', current_user);
END;
$$;

CREATE FUNCTION lgb_caller_org() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting('lagesbild.org', true), '') $$;

CREATE FUNCTION lgb_caller_kind() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting('lagesbild.org_kind', true), '') $$;

CREATE FUNCTION lgb_caller_role() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting('lagesbild.role', true), '') $$;

-- lgb_may_read says whether the caller may read a row of data class class. Unknown classes
-- (there are none: every class column has a CHECK) are refused: default deny.
CREATE FUNCTION lgb_may_read(class text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE class
           WHEN 'open' THEN true
           WHEN 'internal' THEN coalesce(lgb_caller_kind() IN ('police', 'municipality', 'region', 'housing'), false)
           WHEN 'restricted' THEN coalesce(lgb_caller_kind() = 'police', false)
           ELSE false
         END
$$;

-- lgb_may_write: an editor or admin of an organisation that is not the public.
CREATE FUNCTION lgb_may_write() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(lgb_caller_role() IN ('editor', 'admin') AND lgb_caller_kind() <> 'public', false)
$$;

-- The views run with the caller's rights, so the policies of the tables under them apply to
-- the caller rather than to the view's owner (who is not subject to RLS).
ALTER VIEW districts_features SET (security_invoker = true);
ALTER VIEW places_features SET (security_invoker = true);
ALTER VIEW interventions_features SET (security_invoker = true);
ALTER VIEW indicator_values_features SET (security_invoker = true);

-- What the server may do at all. Reads of configuration and catalogue tables are plain grants;
-- tables with rows of different classes get policies below.
GRANT USAGE ON SCHEMA public TO lagesbild_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO lagesbild_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO lagesbild_app;
GRANT INSERT, UPDATE, DELETE ON interventions, intervention_districts, intervention_targets TO lagesbild_app;
GRANT INSERT ON intervention_history TO lagesbild_app;
GRANT INSERT, UPDATE, DELETE ON priority_scenarios, priority_scenario_weights TO lagesbild_app;
GRANT INSERT, UPDATE, DELETE ON deployment_plans, deployment_plan_targets, deployment_plan_items, deployment_doses TO lagesbild_app;
-- Identity: the server authenticates before it knows who calls, so these have no policies.
-- Accounts and organisations are managed from the command line (as the owner).
GRANT INSERT, UPDATE, DELETE ON sessions TO lagesbild_app;
GRANT INSERT, UPDATE ON api_tokens TO lagesbild_app;
GRANT INSERT ON audit_log TO lagesbild_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM lagesbild_app;

-- Data classes per row.
ALTER TABLE districts ENABLE ROW LEVEL SECURITY;
CREATE POLICY districts_read ON districts FOR SELECT USING (lgb_may_read(data_class));

ALTER TABLE district_classifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY district_classifications_read ON district_classifications FOR SELECT USING (true); -- the police publish them

ALTER TABLE places ENABLE ROW LEVEL SECURITY;
CREATE POLICY places_read ON places FOR SELECT USING (lgb_may_read(data_class));

-- Observations carry their class in sensitivity; the police's restricted ones reach nobody else.
ALTER TABLE observations ENABLE ROW LEVEL SECURITY;
CREATE POLICY observations_read ON observations FOR SELECT USING (lgb_may_read(sensitivity));

ALTER TABLE indicator_values ENABLE ROW LEVEL SECURITY;
CREATE POLICY indicator_values_read ON indicator_values FOR SELECT USING (lgb_may_read(data_class));

ALTER TABLE interventions ENABLE ROW LEVEL SECURITY;
CREATE POLICY interventions_read ON interventions FOR SELECT USING (lgb_may_read(data_class));
CREATE POLICY interventions_insert ON interventions FOR INSERT WITH CHECK (lgb_may_write() AND lgb_may_read(data_class));
CREATE POLICY interventions_update ON interventions FOR UPDATE
  USING (lgb_may_write() AND lgb_may_read(data_class)) WITH CHECK (lgb_may_write() AND lgb_may_read(data_class));
CREATE POLICY interventions_delete ON interventions FOR DELETE USING (lgb_may_write() AND lgb_may_read(data_class));

-- An intervention's districts, targets and history are as visible as the intervention (the
-- sub-select is itself filtered by the policy above) and written with it.
ALTER TABLE intervention_districts ENABLE ROW LEVEL SECURITY;
CREATE POLICY intervention_districts_read ON intervention_districts FOR SELECT
  USING (EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id));
CREATE POLICY intervention_districts_write ON intervention_districts FOR ALL
  USING (lgb_may_write() AND EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id))
  WITH CHECK (lgb_may_write() AND EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id));

ALTER TABLE intervention_targets ENABLE ROW LEVEL SECURITY;
CREATE POLICY intervention_targets_read ON intervention_targets FOR SELECT
  USING (EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id));
CREATE POLICY intervention_targets_write ON intervention_targets FOR ALL
  USING (lgb_may_write() AND EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id))
  WITH CHECK (lgb_may_write() AND EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id));

-- History outlives a deleted intervention, so it is read by its own class: internal.
ALTER TABLE intervention_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY intervention_history_read ON intervention_history FOR SELECT USING (lgb_may_read('internal'));
CREATE POLICY intervention_history_insert ON intervention_history FOR INSERT WITH CHECK (lgb_may_write());

-- Priority scenarios are shared reasoning, open to read; only editors change them.
ALTER TABLE priority_scenarios ENABLE ROW LEVEL SECURITY;
CREATE POLICY priority_scenarios_read ON priority_scenarios FOR SELECT USING (true);
CREATE POLICY priority_scenarios_write ON priority_scenarios FOR ALL USING (lgb_may_write()) WITH CHECK (lgb_may_write());
ALTER TABLE priority_scenario_weights ENABLE ROW LEVEL SECURITY;
CREATE POLICY priority_scenario_weights_read ON priority_scenario_weights FOR SELECT USING (true);
CREATE POLICY priority_scenario_weights_write ON priority_scenario_weights FOR ALL USING (lgb_may_write()) WITH CHECK (lgb_may_write());

-- Deployment plans name places, risks and units: internal, written by editors.
ALTER TABLE deployment_plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY deployment_plans_read ON deployment_plans FOR SELECT USING (lgb_may_read('internal'));
CREATE POLICY deployment_plans_write ON deployment_plans FOR ALL
  USING (lgb_may_write() AND lgb_may_read('internal')) WITH CHECK (lgb_may_write() AND lgb_may_read('internal'));
ALTER TABLE deployment_plan_targets ENABLE ROW LEVEL SECURITY;
CREATE POLICY deployment_plan_targets_read ON deployment_plan_targets FOR SELECT USING (lgb_may_read('internal'));
CREATE POLICY deployment_plan_targets_write ON deployment_plan_targets FOR ALL
  USING (lgb_may_write() AND lgb_may_read('internal')) WITH CHECK (lgb_may_write() AND lgb_may_read('internal'));
ALTER TABLE deployment_plan_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY deployment_plan_items_read ON deployment_plan_items FOR SELECT USING (lgb_may_read('internal'));
CREATE POLICY deployment_plan_items_write ON deployment_plan_items FOR ALL
  USING (lgb_may_write() AND lgb_may_read('internal')) WITH CHECK (lgb_may_write() AND lgb_may_read('internal'));
ALTER TABLE deployment_doses ENABLE ROW LEVEL SECURITY;
CREATE POLICY deployment_doses_read ON deployment_doses FOR SELECT USING (lgb_may_read('internal'));
CREATE POLICY deployment_doses_write ON deployment_doses FOR ALL
  USING (lgb_may_write() AND lgb_may_read('internal')) WITH CHECK (lgb_may_write() AND lgb_may_read('internal'));

-- The audit log: admins read their own organisation's entries; the municipality's admins
-- operate the system and read all of them. Anyone acting may append (the server appends for
-- anonymous callers too: failed logins), nobody may change a row (migration 008).
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
  USING (lgb_caller_role() = 'admin' AND (organisation = lgb_caller_org() OR lgb_caller_kind() = 'municipality'));
CREATE POLICY audit_log_append ON audit_log FOR INSERT WITH CHECK (true);

-- Reads of restricted data are audited too (issue 7, "Audit").
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
  CHECK (action IN ('login', 'login_failed', 'logout', 'token_create', 'token_revoke', 'write', 'read'));

-- Tables created by later migrations get the server's read grant from here on; their
-- migrations still enable RLS and write their policies (no policy: nothing visible).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO lagesbild_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO lagesbild_app;
