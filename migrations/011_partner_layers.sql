-- Partner overlays (issue 7): layers a partner organisation uploads (GeoJSON, CSV, GeoPackage,
-- zipped Shapefile) and shares with chosen organisations, e.g. the municipal housing
-- company's properties. A replacement is a new version; earlier versions are kept, and the
-- layer's current_version says which one is shown.
--
-- Access (row-level security, default deny): a layer, its versions and its features are
-- visible to the owner and to the organisations in shared_with; only the owner's editors and
-- admins write. Versions and features follow their layer through an EXISTS on partner_layers,
-- which row-level security filters in turn, so there is one rule to get right.

CREATE TABLE partner_layers (
    id              text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{1,62}$'),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    owner           text NOT NULL REFERENCES organisations (code),
    -- Organisation codes; an array cannot carry a foreign key, so the import checks them
    -- (and an organisation that disappears simply sees nothing any more).
    shared_with     text[] NOT NULL DEFAULT '{}' CHECK (array_position(shared_with, NULL) IS NULL),
    current_version integer NOT NULL CHECK (current_version >= 1),
    illustrative    boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_layers_owner ON partner_layers (owner);
CREATE INDEX partner_layers_shared_with ON partner_layers USING gin (shared_with);

CREATE TABLE partner_layer_versions (
    layer_id      text NOT NULL REFERENCES partner_layers (id) ON DELETE CASCADE,
    version       integer NOT NULL CHECK (version >= 1),
    uploaded_by   text NOT NULL REFERENCES organisations (code),
    uploaded_at   timestamptz NOT NULL DEFAULT now(),
    filename      text NOT NULL DEFAULT '' CHECK (length(filename) <= 255),
    format        text NOT NULL CHECK (format IN ('geojson', 'csv', 'gpkg', 'shapefile', 'demo')),
    source_crs    integer NOT NULL CHECK (source_crs IN (3006, 4326)),
    feature_count integer NOT NULL CHECK (feature_count >= 0),
    -- [{"name": …, "type": "string"|"integer"|"number"|"boolean"|"date"|"datetime"}], file order
    fields        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(fields) = 'array'),
    geometry_type text NOT NULL,
    -- Feature numbers (1-based, file order) whose geometry was invalid and made valid.
    repaired      integer[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (layer_id, version)
);

-- The current version must exist; deferred, because a new layer and its first version are
-- written in one transaction.
ALTER TABLE partner_layers ADD CONSTRAINT partner_layers_current_version_fkey
    FOREIGN KEY (id, current_version) REFERENCES partner_layer_versions (layer_id, version)
    DEFERRABLE INITIALLY DEFERRED;

-- The primary key's index (layer_id, version, feature_no) also serves every lookup by
-- (layer_id, version), so no separate index on those two is needed.
CREATE TABLE partner_features (
    layer_id   text NOT NULL,
    version    integer NOT NULL,
    feature_no integer NOT NULL CHECK (feature_no >= 1),
    properties jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(properties) = 'object'),
    geom       geometry(Geometry, 3006) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    geom_3857  geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    PRIMARY KEY (layer_id, version, feature_no),
    FOREIGN KEY (layer_id, version) REFERENCES partner_layer_versions (layer_id, version) ON DELETE CASCADE
);
CREATE INDEX partner_features_geom_gix ON partner_features USING gist (geom);
CREATE INDEX partner_features_geom_3857_gix ON partner_features USING gist (geom_3857);

-- Tile caches learn of changes like for every other layer table (migration 003).
CREATE TRIGGER partner_layers_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON partner_layers
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER partner_layer_versions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON partner_layer_versions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();
CREATE TRIGGER partner_features_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON partner_features
  FOR EACH STATEMENT EXECUTE FUNCTION notify_layer_change();

ALTER TABLE partner_layers ENABLE ROW LEVEL SECURITY;
ALTER TABLE partner_layer_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE partner_features ENABLE ROW LEVEL SECURITY;

CREATE POLICY partner_layers_read ON partner_layers FOR SELECT
    USING (owner = lgb_caller_org() OR lgb_caller_org() = ANY (shared_with));
CREATE POLICY partner_layers_insert ON partner_layers FOR INSERT
    WITH CHECK (owner = lgb_caller_org() AND lgb_may_write());
CREATE POLICY partner_layers_update ON partner_layers FOR UPDATE
    USING (owner = lgb_caller_org() AND lgb_may_write())
    WITH CHECK (owner = lgb_caller_org() AND lgb_may_write());
CREATE POLICY partner_layers_delete ON partner_layers FOR DELETE
    USING (owner = lgb_caller_org() AND lgb_may_write());

CREATE POLICY partner_layer_versions_read ON partner_layer_versions FOR SELECT
    USING (EXISTS (SELECT 1 FROM partner_layers l WHERE l.id = layer_id));
CREATE POLICY partner_layer_versions_write ON partner_layer_versions FOR ALL
    USING (lgb_may_write() AND EXISTS (SELECT 1 FROM partner_layers l WHERE l.id = layer_id AND l.owner = lgb_caller_org()))
    WITH CHECK (lgb_may_write() AND EXISTS (SELECT 1 FROM partner_layers l WHERE l.id = layer_id AND l.owner = lgb_caller_org()));

CREATE POLICY partner_features_read ON partner_features FOR SELECT
    USING (EXISTS (SELECT 1 FROM partner_layers l WHERE l.id = layer_id));
CREATE POLICY partner_features_write ON partner_features FOR ALL
    USING (lgb_may_write() AND EXISTS (SELECT 1 FROM partner_layers l WHERE l.id = layer_id AND l.owner = lgb_caller_org()))
    WITH CHECK (lgb_may_write() AND EXISTS (SELECT 1 FROM partner_layers l WHERE l.id = layer_id AND l.owner = lgb_caller_org()));

GRANT SELECT, INSERT, UPDATE, DELETE ON partner_layers, partner_layer_versions, partner_features TO lagesbild_app;

-- A partner layer's district share as an input of the prioritisation's feasibility score
-- (issue 4 left the housing company's share of dwellings out): the layer, the numeric
-- property summed per district, and the indicator it is a share of. Callers the layer is not
-- shared with get the input reported as unavailable, never its values.
ALTER TABLE priority_feasibility_inputs
    ADD COLUMN partner_layer    text CHECK (partner_layer ~ '^[a-z][a-z0-9-]{1,62}$'),
    ADD COLUMN partner_property text CHECK (partner_property ~ '^[A-Za-z0-9_]{1,63}$'),
    ADD COLUMN partner_total    text CHECK (partner_total ~ '^[a-z][a-z0-9_]{0,63}$'),
    DROP CONSTRAINT priority_feasibility_inputs_source_check,
    ADD CONSTRAINT priority_feasibility_inputs_source_check
        CHECK (source IN ('indicator', 'meeting_places', 'interventions', 'partner_layer')),
    ADD CONSTRAINT priority_feasibility_inputs_partner_check
        CHECK ((source = 'partner_layer') = (partner_layer IS NOT NULL AND partner_property IS NOT NULL));
