-- Interventions register writes (issue 6): a version counter per intervention for optimistic
-- concurrency (the API's ETag "v<version>", If-Match on every change), what each intervention
-- means to move (indicators and observation categories), and an append-only change history.

-- version starts at 1 and grows by one with every write through the API (PUT, PATCH); the
-- demo load and imports insert version 1. geom_from_districts is true when the writer gave
-- no geometry and the stored one is the union of the target districts, re-derived on every
-- write so it follows the targets (a drawn geometry is never overwritten).
ALTER TABLE interventions
    ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    ADD COLUMN geom_from_districts boolean NOT NULL DEFAULT false;

-- What an intervention means to move: an indicator of the catalogue (e.g. preschool
-- enrolment) or a category of observations (e.g. open drug dealing). One row per target,
-- exactly one of the two columns set. The follow-up compares these before and after.
-- Targets go with an illustrative indicator when the demo is reloaded, as values do.
CREATE TABLE intervention_targets (
    intervention_id      bigint NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    indicator_key        text REFERENCES indicators (key) ON DELETE CASCADE,
    observation_category text CHECK (observation_category IN ('open_drug_dealing', 'drug_handling', 'drug_use',
                                                              'gathering_insecurity', 'violence', 'shooting', 'vandalism',
                                                              'littering', 'insecurity_report', 'theft', 'disorder')),
    CHECK ((indicator_key IS NULL) <> (observation_category IS NULL))
);
CREATE UNIQUE INDEX intervention_targets_indicator_key
    ON intervention_targets (intervention_id, indicator_key) WHERE indicator_key IS NOT NULL;
CREATE UNIQUE INDEX intervention_targets_category_key
    ON intervention_targets (intervention_id, observation_category) WHERE observation_category IS NOT NULL;

CREATE TRIGGER intervention_targets_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON intervention_targets
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();

-- One row per write through the API, in the same transaction as the write. before and after
-- are the whole published row (properties, target lists, version, geometry as GeoJSON in
-- EPSG:3006); before is NULL for a create, after is NULL for a delete. There is no foreign
-- key to interventions: the history of a deleted intervention is kept.
--
-- changed_by is deliberately NULL for now: until access control exists (issue 7) the server
-- does not know who writes. When it does, it holds an organisation or role (e.g.
-- 'police:local_area', 'BUF:planner'), never a named person: the system holds no personal data.
CREATE TABLE intervention_history (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    intervention_id bigint NOT NULL,
    version         bigint NOT NULL CHECK (version >= 1),
    operation       text NOT NULL CHECK (operation IN ('create', 'replace', 'update', 'delete')),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    changed_by      text CHECK (length(changed_by) BETWEEN 1 AND 100),
    before          jsonb,
    after           jsonb,
    CHECK ((before IS NULL) = (operation = 'create')),
    CHECK ((after IS NULL) = (operation = 'delete')),
    UNIQUE (intervention_id, version)
);

-- Append-only: rows are never changed or removed, whoever connects.
CREATE FUNCTION intervention_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'intervention_history is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER intervention_history_no_update BEFORE UPDATE OR DELETE ON intervention_history
  FOR EACH ROW EXECUTE FUNCTION intervention_history_append_only();
CREATE TRIGGER intervention_history_no_truncate BEFORE TRUNCATE ON intervention_history
  FOR EACH STATEMENT EXECUTE FUNCTION intervention_history_append_only();

-- The published view gains the two target lists (appended: CREATE OR REPLACE VIEW keeps the
-- existing columns in place).
CREATE OR REPLACE VIEW interventions_features AS
SELECT i.id, i.title, i.description, i.category, i.horizon, i.approach, i.lead_org, i.partners, i.status,
       i.start_date, i.end_date, i.hours_per_week, i.budget_sek,
       coalesce((SELECT array_agg(t.district_code ORDER BY t.district_code)
                   FROM intervention_districts t WHERE t.intervention_id = i.id), '{}') AS target_districts,
       i.data_class, i.illustrative, i.geom, i.geom_3857,
       coalesce((SELECT array_agg(g.indicator_key ORDER BY g.indicator_key)
                   FROM intervention_targets g
                  WHERE g.intervention_id = i.id AND g.indicator_key IS NOT NULL), '{}') AS target_indicators,
       coalesce((SELECT array_agg(g.observation_category ORDER BY g.observation_category)
                   FROM intervention_targets g
                  WHERE g.intervention_id = i.id AND g.observation_category IS NOT NULL), '{}') AS target_categories
FROM interventions i;
