-- District tiles read stored copies instead of computing per tile (issue 17). Measured with
-- pgbench on the shared benchmark's 6,280 districts (PostgreSQL CPU per tile), a z16 tile
-- spent about half its time simplifying polygons that the simplification barely changes at
-- that zoom and computing each district's area from its EPSG:3006 geometry.
--
-- area_km2 is stored (the view computed ST_Area for every row of every tile and item).
-- geom_3857_z8 … geom_3857_z12 are the EPSG:3857 geometry simplified to half a tile unit of
-- that zoom (the extent is 4096, so the tolerance is the world's width / 2^z / 8192), exactly
-- what the tile query computed per request before (ST_Simplify(geom_3857, tolerance, true)),
-- so those tiles are byte for byte what they were. Being generated columns they follow every
-- write of geom in the same transaction; the layer declaration (layers.Layer.Generalised)
-- names the zooms, and TestGeneralisedColumns checks both agree.
ALTER TABLE districts
    ADD COLUMN area_km2 double precision GENERATED ALWAYS AS (round((ST_Area(geom) / 1e6)::numeric, 3)::double precision) STORED,
    ADD COLUMN geom_3857_z8 geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Simplify(ST_Transform(geom, 3857), 40075016.685578488::double precision / 2097152, true)) STORED,
    ADD COLUMN geom_3857_z9 geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Simplify(ST_Transform(geom, 3857), 40075016.685578488::double precision / 4194304, true)) STORED,
    ADD COLUMN geom_3857_z10 geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Simplify(ST_Transform(geom, 3857), 40075016.685578488::double precision / 8388608, true)) STORED,
    ADD COLUMN geom_3857_z11 geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Simplify(ST_Transform(geom, 3857), 40075016.685578488::double precision / 16777216, true)) STORED,
    ADD COLUMN geom_3857_z12 geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Simplify(ST_Transform(geom, 3857), 40075016.685578488::double precision / 33554432, true)) STORED;

-- The same columns as before, in the same order, and the copies after them.
CREATE OR REPLACE VIEW districts_features AS
SELECT d.code, d.name, d.level, d.parent_code, d.part_of_town, d.population,
       d.area_km2,
       (SELECT c.class FROM district_classifications c
         WHERE c.district_code = d.code AND daterange(c.valid_from, c.valid_to) @> current_date) AS police_class,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('class', c.class, 'valid_from', c.valid_from,
                                                     'valid_to', c.valid_to, 'source', c.source)
                                  ORDER BY c.valid_from), '[]'::jsonb)
          FROM district_classifications c WHERE c.district_code = d.code) AS police_class_history,
       d.data_class, d.illustrative, d.geom, d.geom_3857,
       d.geom_3857_z8, d.geom_3857_z9, d.geom_3857_z10, d.geom_3857_z11, d.geom_3857_z12
FROM districts d;
ALTER VIEW districts_features SET (security_invoker = true);
