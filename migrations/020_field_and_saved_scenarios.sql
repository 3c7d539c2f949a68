-- The operational group in the field and planners who come back (issue 14, points 6 and 8).

-- ---------------------------------------------------------------------------------------------
-- 6. "Mitt pass": a unit's visits for a shift, logged from a phone.
--
-- A unit code names a unit of the plan's schedule: the actor type's prefix and the unit's
-- number in the schedule of that day ("P2" is the police's unit 2, "NV-1" the night walkers'
-- unit 1), as the iCalendar export numbers them. A unit code stays a designation, never a
-- name (deployment_doses.unit_code's CHECK). An actor type without a prefix (one the operator
-- adds without one) has no "Mitt pass"; its plans work as before.
ALTER TABLE deployment_actor_types ADD COLUMN unit_prefix text CHECK (unit_prefix ~ '^[A-Z]{1,4}$');
UPDATE deployment_actor_types SET unit_prefix = CASE id WHEN 'police' THEN 'P' WHEN 'night_walkers' THEN 'NV'
    WHEN 'security_guards' THEN 'OV' WHEN 'mobile_cameras' THEN 'MK' END;
CREATE UNIQUE INDEX deployment_actor_types_unit_prefix_key ON deployment_actor_types (unit_prefix);

-- A visit logged without a connection is kept on the phone and sent when the connection is
-- back, perhaps twice (the answer to the first send may be what was lost). The phone gives
-- each visit a key of its own; a second send with the same key stores nothing and answers
-- with the row the first one stored. The key is random (a UUID), never derived from a person.
ALTER TABLE deployment_doses ADD COLUMN client_key text CHECK (client_key ~ '^[A-Za-z0-9_-]{16,64}$');
CREATE UNIQUE INDEX deployment_doses_client_key_key ON deployment_doses (client_key);

-- ---------------------------------------------------------------------------------------------
-- 8. Save and come back.
--
-- A scenario has a version, raised by every change, so two planners of one organisation who
-- edit the same weighting do not overwrite each other unseen: a change names the version it
-- was made from (If-Match, as for interventions) and is refused (412) when another came first.
ALTER TABLE priority_scenarios ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);

-- A plan records the organisation that made it (its code, from the caller's settings), so the
-- list of plans says whose each is. Plans made before this migration have none.
ALTER TABLE deployment_plans
    ADD COLUMN owner_org text DEFAULT lgb_caller_org() CHECK (owner_org ~ '^[a-z0-9][a-z0-9_-]{0,62}$');
UPDATE deployment_plans p SET owner_org = (
    SELECT a.organisation FROM audit_log a
    WHERE a.action = 'write' AND a.method = 'POST' AND a.object_type = 'plans' AND a.object_id = p.id::text
      AND a.organisation ~ '^[a-z0-9][a-z0-9_-]{0,62}$'
    ORDER BY a.at DESC, a.id DESC LIMIT 1);

-- The list of plans (newest first) and the plan in force on a day.
CREATE INDEX deployment_plans_created_idx ON deployment_plans (created_at DESC, id DESC);
CREATE INDEX deployment_plans_weeks_idx ON deployment_plans (week_start);
