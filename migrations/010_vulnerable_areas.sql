-- The police's published list of vulnerable areas (utsatta områden) as a layer of its own: the
-- boundaries the police draw, with class and year, imported from their GeoJSON or Shapefile
-- (lagesbild import vulnerable-areas) or, in the demo, derived from the demo districts'
-- illustrative classification. One row per area and year: the list is republished every
-- year or two and areas move between classes, so history is kept by year.
--
-- The police publish the list, so it is open data: everyone may read it. The server's role
-- only reads; imports run as the owner.

CREATE TABLE vulnerable_areas (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    class        text NOT NULL CHECK (class IN ('utsatt', 'risk', 'sarskilt_utsatt')),
    year         smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    source       text NOT NULL DEFAULT '',
    illustrative boolean NOT NULL DEFAULT false,
    geom         geometry(MultiPolygon, 3006) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    geom_3857    geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (name, year)
);
CREATE INDEX vulnerable_areas_geom_gix ON vulnerable_areas USING gist (geom);
CREATE INDEX vulnerable_areas_geom_3857_gix ON vulnerable_areas USING gist (geom_3857);
CREATE INDEX vulnerable_areas_year_idx ON vulnerable_areas (year);

ALTER TABLE vulnerable_areas ENABLE ROW LEVEL SECURITY;
CREATE POLICY vulnerable_areas_read ON vulnerable_areas FOR SELECT USING (true);
GRANT SELECT ON vulnerable_areas TO lagesbild_app;

-- As migration 003 does for the other layer tables: a change drops cached tiles and extents.
CREATE TRIGGER vulnerable_areas_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vulnerable_areas
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
