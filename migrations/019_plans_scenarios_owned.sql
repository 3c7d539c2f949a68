-- Deployment plans read by the class of what they were made from, and priority scenarios
-- written only by the organisation that owns them (issue 12, review findings H1 and H3).
-- The rules are written out in docs/security.md ("Who may read and change what").

-- ---------------------------------------------------------------------------------------------
-- H1. A plan made by the police from restricted observations was stored as one document and
-- read by every organisation cleared for internal data (risk per target, the patrol schedule).
--
-- A plan now has a class: the highest class of the rows it was computed from (observations,
-- places), never below internal, since a plan names places, risks and units; a plan made from
-- targets the caller typed in has the caller's clearance (the server cannot know where their
-- risks came from). The server computes it (web/deployment.go); the policies read it. The
-- plan's targets, items and the doses logged against it carry the same class, held equal to
-- the plan's by a foreign key on (plan_id, data_class), so each policy compares a column of
-- its own row instead of looking up the plan for every row.
ALTER TABLE deployment_plans ADD COLUMN data_class text NOT NULL DEFAULT 'restricted'
    CHECK (data_class IN ('internal', 'restricted'));
ALTER TABLE deployment_plans ADD CONSTRAINT deployment_plans_id_class_key UNIQUE (id, data_class);

-- Plans made before this migration: which rows they were made from is not recorded, but who
-- made them is (the audit log's write). A plan made by an organisation that is not the police
-- could read no restricted row: internal. Every other plan (made by the police, or with no
-- audit entry) stays restricted until the operator lowers it (UPDATE … SET data_class as the
-- owner role; the children follow through the foreign keys).
UPDATE deployment_plans p SET data_class = 'internal'
WHERE EXISTS (SELECT 1 FROM audit_log a JOIN organisations o ON o.code = a.organisation
              WHERE a.action = 'write' AND a.method = 'POST' AND a.object_type = 'plans'
                AND a.object_id = p.id::text AND o.kind <> 'police');

ALTER TABLE deployment_plan_targets ADD COLUMN data_class text;
UPDATE deployment_plan_targets t SET data_class = p.data_class FROM deployment_plans p WHERE p.id = t.plan_id;
ALTER TABLE deployment_plan_targets ALTER COLUMN data_class SET NOT NULL,
    ADD CONSTRAINT deployment_plan_targets_class_fkey FOREIGN KEY (plan_id, data_class)
        REFERENCES deployment_plans (id, data_class) ON UPDATE CASCADE ON DELETE CASCADE;

ALTER TABLE deployment_plan_items ADD COLUMN data_class text;
UPDATE deployment_plan_items i SET data_class = p.data_class FROM deployment_plans p WHERE p.id = i.plan_id;
ALTER TABLE deployment_plan_items ALTER COLUMN data_class SET NOT NULL,
    ADD CONSTRAINT deployment_plan_items_class_fkey FOREIGN KEY (plan_id, data_class)
        REFERENCES deployment_plans (id, data_class) ON UPDATE CASCADE ON DELETE CASCADE;

-- The audit entries of plan writes (migration 017 gave them internal) take their plan's
-- class: a police plan's existence, id and timing are as protected as the plan. A dose entry
-- does not name its plan: those written by the police become restricted (they may concern a
-- restricted plan), the others stay internal. The log is append-only (migration 008), so its
-- update trigger is held off for this statement only, as in migration 017.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
UPDATE audit_log a SET data_class = p.data_class
FROM deployment_plans p
WHERE a.action = 'write' AND a.object_type = 'plans' AND a.object_id = p.id::text AND a.data_class <> p.data_class;
UPDATE audit_log a SET data_class = 'restricted'
WHERE a.action = 'write' AND a.object_type = 'doses'
  AND EXISTS (SELECT 1 FROM organisations o WHERE o.code = a.organisation AND o.kind = 'police');
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;

ALTER TABLE deployment_doses ADD COLUMN data_class text;
UPDATE deployment_doses d SET data_class = p.data_class FROM deployment_plans p WHERE p.id = d.plan_id;
ALTER TABLE deployment_doses ALTER COLUMN data_class SET NOT NULL,
    ADD CONSTRAINT deployment_doses_class_fkey FOREIGN KEY (plan_id, data_class)
        REFERENCES deployment_plans (id, data_class) ON UPDATE CASCADE ON DELETE CASCADE;

-- Read by who may read the row's class; written by editors who may read it (the route asks
-- for internal clearance too). The class list is an InitPlan, once per statement (013/014).
ALTER POLICY deployment_plans_read ON deployment_plans
  USING (data_class = ANY ((SELECT lgb_readable_classes())::text[]));
ALTER POLICY deployment_plans_write ON deployment_plans
  USING (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]))
  WITH CHECK (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]));
ALTER POLICY deployment_plan_targets_read ON deployment_plan_targets
  USING (data_class = ANY ((SELECT lgb_readable_classes())::text[]));
ALTER POLICY deployment_plan_targets_write ON deployment_plan_targets
  USING (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]))
  WITH CHECK (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]));
ALTER POLICY deployment_plan_items_read ON deployment_plan_items
  USING (data_class = ANY ((SELECT lgb_readable_classes())::text[]));
ALTER POLICY deployment_plan_items_write ON deployment_plan_items
  USING (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]))
  WITH CHECK (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]));
ALTER POLICY deployment_doses_read ON deployment_doses
  USING (data_class = ANY ((SELECT lgb_readable_classes())::text[]));
ALTER POLICY deployment_doses_write ON deployment_doses
  USING (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]))
  WITH CHECK (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]));

-- ---------------------------------------------------------------------------------------------
-- H3. Any editor could rewrite any organisation's priority scenario, the built-in ones
-- included, and create one naming another organisation (organisation was free text).
--
-- A scenario now belongs to an organisation (owner_org, its code, taken from the caller's
-- settings). Only that organisation's editors and admins change it; its admins and editors,
-- and a municipality's admins (who run the collaboration and remove what should not be
-- there), may delete it; nobody changes the municipality's weighting of another
-- organisation's perspective. Built-in scenarios have no owner and are changed by nobody
-- through the API: the migrations and the operator (as the owner role) write them; an
-- organisation that wants its own weighting makes its own scenario. The organisation column
-- is no longer free text for what the API writes: it is the owner's name.
ALTER TABLE priority_scenarios
    ADD COLUMN owner_org text DEFAULT lgb_caller_org() CHECK (owner_org ~ '^[a-z0-9][a-z0-9_-]{0,62}$');

-- Scenarios made before this migration belong to the organisation whose write last created
-- them (the audit log's POST); built-in ones and those without an entry to nobody, so only
-- the operator changes them.
UPDATE priority_scenarios s SET owner_org = (
    SELECT a.organisation FROM audit_log a
    WHERE a.action = 'write' AND a.method = 'POST' AND a.object_type = 'scenarios' AND a.object_id = s.id
      AND a.organisation ~ '^[a-z0-9][a-z0-9_-]{0,62}$'
    ORDER BY a.at DESC, a.id DESC LIMIT 1)
WHERE NOT s.builtin;

-- lgb_organisation_name is the name a scenario of organisation code shows (the column holds
-- at most 100 characters); NULL for an unknown code, which no policy below then accepts.
CREATE FUNCTION lgb_organisation_name(code text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT left(o.name, 100) FROM organisations o WHERE o.code = lgb_organisation_name.code $$;

DROP POLICY priority_scenarios_write ON priority_scenarios;
CREATE POLICY priority_scenarios_insert ON priority_scenarios FOR INSERT
  WITH CHECK (lgb_may_write() AND NOT builtin AND owner_org = lgb_caller_org()
              AND organisation = lgb_organisation_name(owner_org));
CREATE POLICY priority_scenarios_update ON priority_scenarios FOR UPDATE
  USING (lgb_may_write() AND NOT builtin AND owner_org = lgb_caller_org())
  WITH CHECK (lgb_may_write() AND NOT builtin AND owner_org = lgb_caller_org()
              AND organisation = lgb_organisation_name(owner_org));
CREATE POLICY priority_scenarios_delete ON priority_scenarios FOR DELETE
  USING (lgb_may_write() AND NOT builtin
         AND (owner_org = lgb_caller_org() OR (lgb_caller_role() = 'admin' AND lgb_caller_kind() = 'municipality')));

-- A scenario's weights are written with it, by who may change it. (Deleting a scenario
-- deletes its weights through the foreign key, which row-level security does not check.)
DROP POLICY priority_scenario_weights_write ON priority_scenario_weights;
CREATE POLICY priority_scenario_weights_write ON priority_scenario_weights FOR ALL
  USING (lgb_may_write() AND EXISTS (SELECT 1 FROM priority_scenarios s
                                     WHERE s.id = scenario_id AND NOT s.builtin AND s.owner_org = lgb_caller_org()))
  WITH CHECK (lgb_may_write() AND EXISTS (SELECT 1 FROM priority_scenarios s
                                          WHERE s.id = scenario_id AND NOT s.builtin AND s.owner_org = lgb_caller_org()));

CREATE INDEX priority_scenarios_owner_idx ON priority_scenarios (owner_org);
