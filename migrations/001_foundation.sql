-- Foundation schema: districts, police classifications, public places, observations,
-- the indicator catalogue and its values, and interventions.
--
-- Storage is SWEREF 99 TM (EPSG:3006, metres). Every geometry table also keeps a stored
-- Web Mercator (EPSG:3857) copy for vector tiles, generated so it can never drift.
-- Enumerations are CHECK constraints on text (easy to extend in a later migration, and
-- readable in psql); the same lists are declared in layers/catalogue.go.
-- Every row has a data class (open / internal / restricted) for need-to-know access and
-- an `illustrative` flag so demo rows are labelled in the data itself.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE districts (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    level       text NOT NULL CHECK (level IN ('municipality', 'regso', 'district', 'deso')),
    parent_code text REFERENCES districts (code) ON DELETE RESTRICT,
    part_of_town text CHECK (part_of_town IN ('centrum', 'väst', 'norr', 'öst', 'syd', 'landsbygd')),
    population  integer CHECK (population >= 0),
    data_class  text NOT NULL DEFAULT 'open' CHECK (data_class IN ('open', 'internal', 'restricted')),
    illustrative boolean NOT NULL DEFAULT false,
    geom        geometry(MultiPolygon, 3006) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    geom_3857   geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_code IS DISTINCT FROM code)
);
CREATE INDEX districts_geom_gix ON districts USING gist (geom);
CREATE INDEX districts_geom_3857_gix ON districts USING gist (geom_3857);
CREATE INDEX districts_parent_idx ON districts (parent_code);

-- The police list of vulnerable areas is revised every second year, so a district's class
-- has a history: one row per class and validity period, periods of one district never overlap.
CREATE TABLE district_classifications (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_code text NOT NULL REFERENCES districts (code) ON DELETE CASCADE,
    class         text NOT NULL CHECK (class IN ('utsatt', 'risk', 'sarskilt_utsatt')),
    valid_from    date NOT NULL,
    valid_to      date CHECK (valid_to IS NULL OR valid_to > valid_from),
    source        text NOT NULL DEFAULT '',
    illustrative  boolean NOT NULL DEFAULT false,
    EXCLUDE USING gist (district_code WITH =, daterange(valid_from, valid_to) WITH &&)
);

CREATE TABLE places (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind         text NOT NULL CHECK (kind IN ('square', 'park', 'centre', 'school_area', 'transit_hub',
                                               'shopping_centre', 'youth_centre', 'sports_ground', 'residential_yard')),
    description  text NOT NULL DEFAULT '',
    data_class   text NOT NULL DEFAULT 'open' CHECK (data_class IN ('open', 'internal', 'restricted')),
    illustrative boolean NOT NULL DEFAULT false,
    geom         geometry(Geometry, 3006) NOT NULL
                 CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)
                        AND GeometryType(geom) IN ('POINT', 'POLYGON', 'MULTIPOLYGON')),
    geom_3857    geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (name)
);
CREATE INDEX places_geom_gix ON places USING gist (geom);
CREATE INDEX places_geom_3857_gix ON places USING gist (geom_3857);

CREATE TABLE observations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    observed_at  timestamptz NOT NULL,
    category     text NOT NULL CHECK (category IN ('open_drug_dealing', 'drug_handling', 'drug_use',
                                                   'gathering_insecurity', 'violence', 'shooting', 'vandalism',
                                                   'littering', 'insecurity_report', 'theft', 'disorder')),
    severity     smallint NOT NULL CHECK (severity BETWEEN 1 AND 5),
    source       text NOT NULL CHECK (source IN ('police', 'municipal_field_staff', 'safety_walk',
                                                 'resident_survey', 'housing_company', 'security_guard')),
    source_id    text CHECK (length(source_id) BETWEEN 1 AND 200),
    sensitivity  text NOT NULL DEFAULT 'internal' CHECK (sensitivity IN ('open', 'internal', 'restricted')),
    illustrative boolean NOT NULL DEFAULT false,
    geom         geometry(Point, 3006) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    geom_3857    geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    UNIQUE (source, source_id)
);
CREATE INDEX observations_geom_gix ON observations USING gist (geom);
CREATE INDEX observations_geom_3857_gix ON observations USING gist (geom_3857);
CREATE INDEX observations_observed_at_idx ON observations (observed_at);
CREATE INDEX observations_category_idx ON observations (category);

CREATE TABLE indicators (
    key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
    name_sv     text NOT NULL,
    name_en     text NOT NULL,
    unit        text NOT NULL,
    theme       text NOT NULL CHECK (theme IN ('economy', 'education', 'housing', 'labour', 'participation',
                                               'trust', 'safety', 'crime', 'demography', 'future')),
    direction   text NOT NULL CHECK (direction IN ('higher_is_worse', 'higher_is_better')),
    source      text NOT NULL,
    description text NOT NULL DEFAULT '',
    illustrative boolean NOT NULL DEFAULT false
);

CREATE TABLE indicator_values (
    district_code text NOT NULL REFERENCES districts (code) ON DELETE CASCADE,
    indicator_key text NOT NULL REFERENCES indicators (key) ON DELETE CASCADE,
    year          smallint NOT NULL CHECK (year BETWEEN 1900 AND 2100),
    value         double precision NOT NULL CHECK (value NOT IN ('NaN', 'Infinity', '-Infinity')),
    data_class    text NOT NULL DEFAULT 'open' CHECK (data_class IN ('open', 'internal', 'restricted')),
    illustrative  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (district_code, indicator_key, year)
);
CREATE INDEX indicator_values_key_year_idx ON indicator_values (indicator_key, year);

CREATE TABLE interventions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description    text NOT NULL DEFAULT '',
    category       text NOT NULL CHECK (category IN ('night_walkers', 'surveillance_cameras', 'security_guards',
                                                     'police_presence', 'visitation_zone', 'environmental_design',
                                                     'cleaning', 'preschool_enrolment', 'adults_in_school', 'language',
                                                     'employment', 'meeting_place', 'civil_society_partnership',
                                                     'leaving_crime_support', 'family_support', 'other')),
    horizon        text NOT NULL CHECK (horizon IN ('vinna_slaget', 'vinna_kriget', 'bygga_freden')),
    approach       text NOT NULL CHECK (approach IN ('repressive', 'preventive', 'promotive')),
    lead_org       text NOT NULL CHECK (length(lead_org) BETWEEN 1 AND 100),
    partners       text[] NOT NULL DEFAULT '{}',
    status         text NOT NULL CHECK (status IN ('planned', 'active', 'paused', 'completed', 'cancelled')),
    start_date     date,
    end_date       date CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
    hours_per_week double precision CHECK (hours_per_week >= 0),
    budget_sek     double precision CHECK (budget_sek >= 0),
    data_class     text NOT NULL DEFAULT 'internal' CHECK (data_class IN ('open', 'internal', 'restricted')),
    illustrative   boolean NOT NULL DEFAULT false,
    geom           geometry(Geometry, 3006) CHECK (geom IS NULL OR (ST_IsValid(geom) AND NOT ST_IsEmpty(geom))),
    geom_3857      geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interventions_geom_gix ON interventions USING gist (geom);
CREATE INDEX interventions_geom_3857_gix ON interventions USING gist (geom_3857);

-- An intervention can target districts instead of (or as well as) a drawn geometry.
CREATE TABLE intervention_districts (
    intervention_id bigint NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    district_code   text NOT NULL REFERENCES districts (code) ON DELETE CASCADE,
    PRIMARY KEY (intervention_id, district_code)
);

-- Feature views: what the API publishes. They add derived properties (current police class,
-- district by spatial join, target districts) without storing anything twice.

CREATE VIEW districts_features AS
SELECT d.code, d.name, d.level, d.parent_code, d.part_of_town, d.population,
       round((ST_Area(d.geom) / 1e6)::numeric, 3)::double precision AS area_km2,
       (SELECT c.class FROM district_classifications c
         WHERE c.district_code = d.code AND daterange(c.valid_from, c.valid_to) @> current_date) AS police_class,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('class', c.class, 'valid_from', c.valid_from,
                                                     'valid_to', c.valid_to, 'source', c.source)
                                  ORDER BY c.valid_from), '[]'::jsonb)
          FROM district_classifications c WHERE c.district_code = d.code) AS police_class_history,
       d.data_class, d.illustrative, d.geom, d.geom_3857
FROM districts d;

CREATE VIEW places_features AS
SELECT p.id, p.name, p.kind, p.description,
       (SELECT d.code FROM districts d
         WHERE d.level = 'district' AND ST_Intersects(d.geom, ST_PointOnSurface(p.geom))
         ORDER BY d.code LIMIT 1) AS district_code,
       p.data_class, p.illustrative, p.geom, p.geom_3857
FROM places p;

CREATE VIEW interventions_features AS
SELECT i.id, i.title, i.description, i.category, i.horizon, i.approach, i.lead_org, i.partners, i.status,
       i.start_date, i.end_date, i.hours_per_week, i.budget_sek,
       coalesce((SELECT array_agg(t.district_code ORDER BY t.district_code)
                   FROM intervention_districts t WHERE t.intervention_id = i.id), '{}') AS target_districts,
       i.data_class, i.illustrative, i.geom, i.geom_3857
FROM interventions i;

CREATE VIEW indicator_values_features AS
SELECT v.district_code || ':' || v.indicator_key || ':' || v.year AS id,
       v.district_code, d.name AS district_name, v.indicator_key, i.unit, v.year, v.value,
       v.data_class, v.illustrative
FROM indicator_values v
JOIN districts d ON d.code = v.district_code
JOIN indicators i ON i.key = v.indicator_key;
