-- Need to know, closed where it leaked (issue 12, findings 1, 2 and 5).
--
-- 1. An intervention's history was read by the clearance for internal data, whatever the class
--    of the versions in it: a restricted intervention was 404 as an item and 200 with the whole
--    row as history. Each history entry now carries its own class (the higher of its before and
--    after), and is read only by who may read that class and the intervention's class now.
-- 2. Any editor could change, or declassify, any organisation's intervention. An intervention
--    now has an owning organisation; only the owner's editors and admins and the municipality's
--    admins may change it, and only the owner's admins may lower its class.
-- 5. The audit log showed entries about restricted data (the police's search areas, with the
--    count of restricted rows) to the municipality's admins. An audit entry now has the class
--    of what it records, and is read only within the reader's clearance.
--
-- The rules are written out in docs/security.md ("Who may read and change what").

-- Orders the data classes; unknown classes (none: every class column has a CHECK) rank highest.
CREATE FUNCTION lgb_class_rank(class text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE class WHEN 'open' THEN 0 WHEN 'internal' THEN 1 WHEN 'restricted' THEN 2 ELSE 3 END
$$;

-- ---------------------------------------------------------------------------------------------
-- 2. Who may change an intervention.
--
-- owner_org is the organisation that made it (its code, from the caller's settings; not a
-- foreign key, like partner_layers.shared_with, so the demo can name its organisations before
-- they are loaded). lead_org stays what it was: a free-text name of the leading unit
-- ("BUF", "Polisen"), which no credential can be matched against. Rows made before this
-- migration, or loaded by the operator, have no owner: the municipality's admins (the
-- coordination function of Lag 2023:196) may change them, nobody may lower their class through
-- the API until the operator gives them an owner (UPDATE … SET owner_org as the owner role).
ALTER TABLE interventions
    ADD COLUMN owner_org text DEFAULT lgb_caller_org() CHECK (owner_org ~ '^[a-z0-9][a-z0-9_-]{0,62}$');

-- lgb_may_change_intervention says whether the caller may update or delete an intervention
-- owned by owner (row-level security adds: of a class the caller may read, before and after):
-- an editor or admin of the owner, or an admin of a municipality.
CREATE FUNCTION lgb_may_change_intervention(owner text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(lgb_may_write()
                  AND (owner = lgb_caller_org() OR (lgb_caller_role() = 'admin' AND lgb_caller_kind() = 'municipality')),
                  false)
$$;

-- lgb_may_declassify_intervention says whether the caller may lower the class of an intervention
-- owned by owner from class from_class: an admin of the owner who may read from_class. Only the
-- police read restricted rows, so restricted rows are declassified only by the police, and a
-- police organisation's rows only by its own admins.
CREATE FUNCTION lgb_may_declassify_intervention(owner text, from_class text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(lgb_caller_role() = 'admin' AND lgb_may_write() AND owner = lgb_caller_org() AND lgb_may_read(from_class), false)
$$;

ALTER POLICY interventions_insert ON interventions
  WITH CHECK (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]) AND owner_org = lgb_caller_org());
ALTER POLICY interventions_update ON interventions
  USING (data_class = ANY ((SELECT lgb_readable_classes())::text[]) AND lgb_may_change_intervention(owner_org))
  WITH CHECK (data_class = ANY ((SELECT lgb_readable_classes())::text[]) AND lgb_may_change_intervention(owner_org));
ALTER POLICY interventions_delete ON interventions
  USING (data_class = ANY ((SELECT lgb_readable_classes())::text[]) AND lgb_may_change_intervention(owner_org));

-- A policy sees only the new row, so what depends on the old one is a trigger: the owner does
-- not change through the API, and lowering the class is its own right. The trigger also says
-- in words what the policies would refuse with "new row violates row-level security policy":
-- a class the writer may not read. It runs before the policies' WITH CHECK, and raises the
-- same SQLSTATE (42501, which the server answers with 403 and this message).
-- row_security_active is false for the table's owner (migrations, the demo load, operator
-- commands), which the rules do not bind, and true for the server's role whatever it is called.
CREATE FUNCTION interventions_guard_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT row_security_active('interventions') THEN
    RETURN NEW;
  END IF;
  IF NOT lgb_may_read(NEW.data_class) THEN
    RAISE EXCEPTION 'data_class % is a class organisation % may not read, so it may not give it to an intervention either',
      NEW.data_class, coalesce(lgb_caller_org(), '(anonymous)') USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'INSERT' THEN
    RETURN NEW;
  END IF;
  IF NEW.owner_org IS DISTINCT FROM OLD.owner_org THEN
    RAISE EXCEPTION 'intervention % belongs to organisation %; its owner cannot be changed through the API',
      OLD.id, coalesce(OLD.owner_org, '(none)') USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF lgb_class_rank(NEW.data_class) < lgb_class_rank(OLD.data_class)
     AND NOT lgb_may_declassify_intervention(OLD.owner_org, OLD.data_class) THEN
    RAISE EXCEPTION 'lowering the class of intervention % from % to % is for the admins of the organisation that owns it (%)',
      OLD.id, OLD.data_class, NEW.data_class, coalesce(OLD.owner_org, 'none: the operator must give it an owner first')
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER interventions_guard_change BEFORE INSERT OR UPDATE ON interventions
  FOR EACH ROW EXECUTE FUNCTION interventions_guard_change();

-- Districts and targets are written with their intervention, by who may change it.
ALTER POLICY intervention_districts_write ON intervention_districts
  USING (EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id AND lgb_may_change_intervention(i.owner_org)))
  WITH CHECK (EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id AND lgb_may_change_intervention(i.owner_org)));
ALTER POLICY intervention_targets_write ON intervention_targets
  USING (EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id AND lgb_may_change_intervention(i.owner_org)))
  WITH CHECK (EXISTS (SELECT 1 FROM interventions i WHERE i.id = intervention_id AND lgb_may_change_intervention(i.owner_org)));

-- ---------------------------------------------------------------------------------------------
-- 1. History by the class of each entry.
--
-- An entry holds two versions (before and after); it is as protected as the more protected of
-- them, so the write that raised or lowered a class is read only by who could read both sides.
ALTER TABLE intervention_history ADD COLUMN data_class text NOT NULL GENERATED ALWAYS AS (
  CASE WHEN 'restricted' IN (before ->> 'data_class', after ->> 'data_class') THEN 'restricted'
       WHEN 'internal' IN (before ->> 'data_class', after ->> 'data_class') THEN 'internal'
       WHEN 'open' IN (before ->> 'data_class', after ->> 'data_class') THEN 'open'
       ELSE 'restricted'
  END) STORED;

-- lgb_intervention_class is the class intervention id has now: the row's, or for a deleted one
-- the class of its last history entry. It runs with its owner's rights (the policy below
-- cannot read intervention_history under its own policy) and reveals a class only.
CREATE FUNCTION lgb_intervention_class(id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT coalesce((SELECT i.data_class FROM public.interventions i WHERE i.id = lgb_intervention_class.id),
                  (SELECT h.data_class FROM public.intervention_history h
                    WHERE h.intervention_id = lgb_intervention_class.id ORDER BY h.version DESC LIMIT 1))
$$;
REVOKE EXECUTE ON FUNCTION lgb_intervention_class(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lgb_intervention_class(bigint) TO lagesbild_app;

-- A reader sees an entry when it may read the entry's class and the intervention's class now:
-- an intervention raised to restricted takes its whole past with it (404 as an item, 404 as a
-- history), and one lowered to open does not open the entries written while it was restricted.
ALTER POLICY intervention_history_read ON intervention_history
  USING (data_class = ANY ((SELECT lgb_readable_classes())::text[])
         AND lgb_intervention_class(intervention_id) = ANY ((SELECT lgb_readable_classes())::text[]));
ALTER POLICY intervention_history_insert ON intervention_history
  WITH CHECK (lgb_may_write() AND data_class = ANY ((SELECT lgb_readable_classes())::text[]));

-- ---------------------------------------------------------------------------------------------
-- 5. Audit entries by class.
--
-- data_class is the class of what the entry records: open for logins, logouts and tokens; the
-- written row's for a write (the higher of before and after); restricted for a read of
-- restricted data. The default denies: an entry nobody classified is restricted.
ALTER TABLE audit_log ADD COLUMN data_class text NOT NULL DEFAULT 'restricted'
    CHECK (data_class IN ('open', 'internal', 'restricted'));

-- Lowering an intervention's class is recorded as such (issue 12), beside the write itself.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
  CHECK (action IN ('login', 'login_failed', 'logout', 'token_create', 'token_revoke', 'write', 'read', 'declassify'));

-- The entries written before this migration get their class once. The log is append-only
-- (migration 008), so its update trigger is held off for this statement only, in this
-- migration's transaction. Writes to interventions take the highest class the intervention
-- ever had (which entry was which write is not recorded); unknown objects stay restricted.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
UPDATE audit_log a SET data_class = CASE
    WHEN a.action IN ('login', 'login_failed', 'logout', 'token_create', 'token_revoke') THEN 'open'
    WHEN a.action = 'read' THEN 'restricted'
    WHEN a.action = 'write' AND a.object_type = 'scenarios' THEN 'open'
    WHEN a.action = 'write' AND (a.object_type IN ('plans', 'doses') OR a.object_type LIKE 'partner-%') THEN 'internal'
    WHEN a.action = 'write' AND a.object_type = 'interventions' AND a.object_id ~ '^[0-9]{1,18}$' THEN
      coalesce((SELECT (ARRAY['open', 'internal', 'restricted'])[max(lgb_class_rank(h.data_class)) + 1]
                  FROM intervention_history h WHERE h.intervention_id = a.object_id::bigint), 'restricted')
    ELSE 'restricted'
  END;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;

-- An admin reads the entries of its own organisation, a municipality's admins (who operate the
-- system) everyone's; either only of the classes it may read.
ALTER POLICY audit_log_read ON audit_log
  USING (lgb_caller_role() = 'admin' AND data_class = ANY ((SELECT lgb_readable_classes())::text[])
         AND (organisation = lgb_caller_org() OR lgb_caller_kind() = 'municipality'));
