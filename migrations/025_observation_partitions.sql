-- Observations partitioned by year (issue 16, point 3; docs/operations.md, "Partitioning
-- observations"). At national scale (tens of millions of rows) every query a user starts is
-- bounded in time — items and tiles by the time filter, hotspots and forecasts by their weeks
-- — so the planner reads only the years asked for, and retention drops whole years
-- (DETACH PARTITION … CONCURRENTLY, then DROP TABLE) instead of deleting rows one by one.
--
-- The table keeps its name, columns, ids and every check, so a server of the previous release
-- keeps reading it during a rolling deploy. What changes:
--
--   * Yearly ranges of observed_at, on calendar years in Europe/Stockholm (the municipality's
--     and the police's year), named observations_yYYYY. There is deliberately no default
--     partition: PostgreSQL refuses DETACH … CONCURRENTLY while one exists, and attaching a
--     new year would lock the default partition against every reader. A row of a year without
--     a partition is refused rather than hidden in a catch-all; imports and the demo load
--     create the years they need first (lgb_observation_partition, in a short transaction of
--     their own), and `lagesbild retention` keeps this year's and next year's in place.
--   * A partitioned table's unique keys must contain the partition key, so the primary key is
--     (id, observed_at); id stays unique by its identity sequence, which continues where the
--     old one stopped.
--   * UNIQUE (source, source_id) — an import's duplicate check and the demo's identity
--     (migration 021) — moves to the key table observation_keys. Statement-level triggers with
--     transition tables keep it for every INSERT, UPDATE and DELETE through observations,
--     set-based (one index insert per row, what the unique index cost before), so a duplicate
--     key fails the statement as it did.
--   * Row-level security: the policy stays on the parent, which every query goes through (the
--     parent's policy applies to its partitions' rows there). Each partition has row-level
--     security enabled with no policy and no grant to lagesbild_app, so nobody reads a
--     partition directly around the policy; observation_keys likewise.
--   * The change notification (migration 003) stays a statement trigger on the parent, which
--     fires for statements through it; retention announces observations itself, since
--     detaching and dropping a partition fire no trigger.

ALTER TABLE observations RENAME TO observations_unpartitioned;

CREATE TABLE observations (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    observed_at  timestamptz NOT NULL,
    category     text NOT NULL CONSTRAINT observations_category_check
                 CHECK (category IN ('open_drug_dealing', 'drug_handling', 'drug_use',
                                     'gathering_insecurity', 'violence', 'shooting', 'vandalism',
                                     'littering', 'insecurity_report', 'theft', 'disorder')),
    severity     smallint NOT NULL CONSTRAINT observations_severity_check CHECK (severity BETWEEN 1 AND 5),
    source       text NOT NULL CONSTRAINT observations_source_check
                 CHECK (source IN ('police', 'municipal_field_staff', 'safety_walk',
                                   'resident_survey', 'housing_company', 'security_guard')),
    source_id    text CONSTRAINT observations_source_id_check CHECK (length(source_id) BETWEEN 1 AND 200),
    sensitivity  text NOT NULL DEFAULT 'internal' CONSTRAINT observations_sensitivity_check
                 CHECK (sensitivity IN ('open', 'internal', 'restricted')),
    illustrative boolean NOT NULL DEFAULT false,
    geom         geometry(Point, 3006) NOT NULL CONSTRAINT observations_geom_check
                 CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    geom_3857    geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
) PARTITION BY RANGE (observed_at);

-- lgb_observation_partition makes sure the partition of calendar year y (Europe/Stockholm)
-- exists and returns its name. A new one is made as a plain table and attached, which locks
-- the parent only against schema changes (SHARE UPDATE EXCLUSIVE), not against readers or
-- writers; it gets the parent's indexes on attaching, row-level security and no grants (the
-- schema's default privileges would give lagesbild_app SELECT). Callers make the years a
-- write needs in a transaction of their own before the write, so readers never wait on a
-- long import for it. Only the owner may call it.
CREATE FUNCTION lgb_observation_partition(y integer) RETURNS text
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  name text := format('observations_y%s', y);
  lo timestamptz;
  hi timestamptz;
BEGIN
  IF y NOT BETWEEN 1900 AND 2200 THEN
    RAISE EXCEPTION 'observation year % outside 1900–2200', y USING ERRCODE = 'data_exception';
  END IF;
  -- Two imports making the same year take turns; the second finds it made.
  PERFORM pg_advisory_xact_lock(hashtext('lgb_observation_partition'));
  IF EXISTS (SELECT FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'observations'::regclass AND c.relname = name) THEN
    RETURN name;
  END IF;
  lo := make_timestamptz(y, 1, 1, 0, 0, 0, 'Europe/Stockholm');
  hi := make_timestamptz(y + 1, 1, 1, 0, 0, 0, 'Europe/Stockholm');
  EXECUTE format('CREATE TABLE %I (LIKE observations INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE)', name);
  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', name);
  EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, lagesbild_app', name);
  EXECUTE format('ALTER TABLE observations ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
  RETURN name;
END;
$$;
REVOKE EXECUTE ON FUNCTION lgb_observation_partition(integer) FROM PUBLIC;

-- lgb_observation_years lists the yearly partitions (attached, or left detached by a
-- retention run that stopped half-way: attached false) for retention. Only the owner may
-- call it.
CREATE FUNCTION lgb_observation_years() RETURNS TABLE (partition text, year integer, attached boolean, detach_pending boolean, estimated_rows bigint)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT c.relname::text, substr(c.relname, 15)::integer, i.inhrelid IS NOT NULL, coalesce(i.inhdetachpending, false),
         greatest(c.reltuples, 0)::bigint
  FROM pg_class c
  LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'observations'::regclass
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname ~ '^observations_y[0-9]{4}$'
  ORDER BY 2
$$;
REVOKE EXECUTE ON FUNCTION lgb_observation_years() FROM PUBLIC;

-- Every year from the oldest the old table holds (or five years back) to next year, so
-- writes of the coming months find their partition even before `lagesbild retention` first
-- runs.
SELECT lgb_observation_partition(y)
FROM generate_series(
       least((SELECT min(extract(year FROM observed_at AT TIME ZONE 'Europe/Stockholm'))::integer FROM observations_unpartitioned),
             extract(year FROM now() AT TIME ZONE 'Europe/Stockholm')::integer - 5),
       greatest((SELECT max(extract(year FROM observed_at AT TIME ZONE 'Europe/Stockholm'))::integer FROM observations_unpartitioned),
                extract(year FROM now() AT TIME ZONE 'Europe/Stockholm')::integer + 1)) AS y;

-- The rows move with their ids, in spatial (Hilbert) order within each year, so a bounding
-- box reads few heap pages; the indexes are built after the copy, which is faster.
INSERT INTO observations (id, observed_at, category, severity, source, source_id, sensitivity, illustrative, geom)
OVERRIDING SYSTEM VALUE
SELECT id, observed_at, category, severity, source, source_id, sensitivity, illustrative, geom
FROM observations_unpartitioned
ORDER BY geom;

-- The identity continues where the old one stopped (not at max(id): ids of deleted rows are
-- never given again).
DO $$
DECLARE
  old_seq text := pg_get_serial_sequence('observations_unpartitioned', 'id');
  new_seq text := pg_get_serial_sequence('observations', 'id');
  last bigint;
  called boolean;
BEGIN
  EXECUTE format('SELECT last_value, is_called FROM %s', old_seq) INTO last, called;
  PERFORM setval(new_seq, last, called);
END;
$$;

CREATE TABLE observation_keys (
    source    text NOT NULL,
    source_id text NOT NULL
);
INSERT INTO observation_keys (source, source_id)
SELECT source, source_id FROM observations_unpartitioned WHERE source_id IS NOT NULL ORDER BY 1, 2;
ALTER TABLE observation_keys ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON observation_keys FROM PUBLIC, lagesbild_app;

DROP TABLE observations_unpartitioned;
DO $$
BEGIN
  EXECUTE format('ALTER SEQUENCE %s RENAME TO observations_id_seq', pg_get_serial_sequence('observations', 'id'));
END;
$$;

ALTER TABLE observation_keys ADD CONSTRAINT observations_source_source_id_key PRIMARY KEY (source, source_id);
ALTER TABLE observations ADD CONSTRAINT observations_pkey PRIMARY KEY (id, observed_at);
CREATE INDEX observations_geom_gix ON observations USING gist (geom);
CREATE INDEX observations_geom_3857_gix ON observations USING gist (geom_3857);
CREATE INDEX observations_observed_at_idx ON observations (observed_at);
CREATE INDEX observations_category_idx ON observations (category);

-- The key table follows every statement through observations, set-based. A key given twice
-- fails the statement with unique_violation on observations_source_source_id_key, the name
-- the unique constraint had.
CREATE FUNCTION lgb_observation_keys_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO observation_keys (source, source_id)
  SELECT source, source_id FROM new_rows WHERE source_id IS NOT NULL;
  RETURN NULL;
END;
$$;

CREATE FUNCTION lgb_observation_keys_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  -- Most updates (the demo's, moving a row to another year) keep the key: nothing to do.
  IF NOT EXISTS (SELECT FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
                 WHERE (o.source, o.source_id) IS DISTINCT FROM (n.source, n.source_id)) THEN
    RETURN NULL;
  END IF;
  DELETE FROM observation_keys k USING old_rows o
  WHERE k.source = o.source AND k.source_id = o.source_id;
  INSERT INTO observation_keys (source, source_id)
  SELECT source, source_id FROM new_rows WHERE source_id IS NOT NULL;
  RETURN NULL;
END;
$$;

CREATE FUNCTION lgb_observation_keys_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM observation_keys k USING old_rows o
  WHERE k.source = o.source AND k.source_id = o.source_id;
  RETURN NULL;
END;
$$;

CREATE FUNCTION lgb_observation_keys_truncate() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  TRUNCATE observation_keys;
  RETURN NULL;
END;
$$;

CREATE TRIGGER observation_keys_insert AFTER INSERT ON observations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lgb_observation_keys_insert();
CREATE TRIGGER observation_keys_update AFTER UPDATE ON observations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lgb_observation_keys_update();
CREATE TRIGGER observation_keys_delete AFTER DELETE ON observations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lgb_observation_keys_delete();
CREATE TRIGGER observation_keys_truncate AFTER TRUNCATE ON observations
  FOR EACH STATEMENT EXECUTE FUNCTION lgb_observation_keys_truncate();

CREATE TRIGGER observations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON observations
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();

ALTER TABLE observations ENABLE ROW LEVEL SECURITY;
CREATE POLICY observations_read ON observations FOR SELECT
  USING (sensitivity = ANY ((SELECT lgb_readable_classes())::text[]));
GRANT SELECT ON observations TO lagesbild_app;
