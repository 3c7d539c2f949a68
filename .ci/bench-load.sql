-- Copies the shared benchmark dataset (schema bench, made by ../shared/bench/gen-data.sql)
-- into Lägesbild's own tables, so the benchmarks measure the product on the same rows the
-- reference servers were measured on. Idempotent: earlier bench rows are replaced.
-- Rows are written in spatial order (ORDER BY geom is Hilbert order in PostGIS 3), as
-- Lägesbild's own import writes them, so a bbox reads a few heap pages instead of thousands.
BEGIN;
DELETE FROM observations WHERE source_id LIKE 'bench-%';
DELETE FROM places WHERE name LIKE 'bench %';
DELETE FROM districts WHERE code LIKE 'B-%';

INSERT INTO observations (observed_at, category, severity, source, source_id, sensitivity, illustrative, geom)
SELECT o.observed_at,
       CASE o.category WHEN 'drug_dealing' THEN 'open_drug_dealing'
                       WHEN 'loitering_groups' THEN 'gathering_insecurity'
                       ELSE o.category END,
       o.severity, 'police', 'bench-' || o.id, 'internal', true, o.geom
FROM bench.observations o
ORDER BY o.geom;

INSERT INTO places (name, kind, illustrative, geom)
SELECT 'bench ' || p.id,
       CASE p.kind WHEN 'school' THEN 'school_area' WHEN 'station' THEN 'transit_hub' WHEN 'library' THEN 'centre' ELSE p.kind END,
       true, p.geom
FROM bench.places p
ORDER BY p.geom;

INSERT INTO districts (code, name, level, population, illustrative, geom)
SELECT 'B-' || d.code, d.name, 'deso', d.population, true, d.geom
FROM bench.districts d
ORDER BY d.geom;
COMMIT;
VACUUM ANALYZE observations;
VACUUM ANALYZE places;
VACUUM ANALYZE districts;
