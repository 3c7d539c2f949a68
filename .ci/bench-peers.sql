-- Views over Lägesbild's own tables for the reference servers (../shared/bench/peers), with the
-- attributes Lägesbild serves, so both sides read the same rows from the same tables. The
-- reference servers publish every relation they can see keyed by schema.name; they connect as
-- DATABASE_URL's role (the owner, which row-level security does not restrict).
CREATE SCHEMA IF NOT EXISTS peer;
CREATE OR REPLACE VIEW peer.districts_3857 AS
  SELECT code, name, level, parent_code, part_of_town, population, area_km2, police_class, illustrative, geom_3857
  FROM districts_features;
CREATE OR REPLACE VIEW peer.observations_3857 AS
  SELECT id, observed_at, category, severity, geom_3857 FROM observations;
CREATE OR REPLACE VIEW peer.observations AS
  SELECT id, observed_at, category, severity, source, geom FROM observations;
