package layers

// Partner overlays (issue 7, migration 011): layers a partner organisation uploads and shares
// with chosen organisations, kept as numbered versions, served as items, vector tiles and
// summaries per district.
//
// Assumptions: the file has been read and checked by layers/featurefile (types, limits,
// coordinate ranges); geometries arrive in EPSG:4326 or EPSG:3006 and are transformed to
// EPSG:3006 in PostGIS; the caller is the principal in the context. Visibility (owner or
// shared with) is written into every query here as well as enforced by row-level security,
// so the rules hold on the owner's pool (tests, the command line) and a missed check in one
// place still leaks nothing on the application's pool.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// ErrNotOwner is wrapped by errors for a write to a partner layer the caller may see but
// does not own, or may not write (no write scope). It is of kind ErrForbidden (HTTP 403).
var ErrNotOwner = fmt.Errorf("%w: only the owning organisation's editors and admins change a partner layer", ErrForbidden)

// PartnerField is one property of a partner layer with its inferred type.
type PartnerField struct {
	Name string `json:"name"`
	Type string `json:"type"` // string, integer, number, boolean, date or datetime
}

// PartnerLayer is a partner layer as its current version shows it.
type PartnerLayer struct {
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	Owner        string         `json:"owner"`
	SharedWith   []string       `json:"shared_with"`
	Version      int            `json:"version"`
	FeatureCount int            `json:"feature_count"`
	GeometryType string         `json:"geometry_type"`
	Fields       []PartnerField `json:"fields"`
	Illustrative bool           `json:"illustrative"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	UploadedAt   time.Time      `json:"-"` // of the current version
}

// PartnerVersion is one uploaded version of a partner layer.
type PartnerVersion struct {
	Version      int            `json:"version"`
	Current      bool           `json:"current"`
	UploadedBy   string         `json:"uploaded_by"`
	UploadedAt   time.Time      `json:"uploaded_at"`
	Filename     string         `json:"filename"`
	Format       string         `json:"format"`
	CRS          string         `json:"crs"`
	FeatureCount int            `json:"feature_count"`
	GeometryType string         `json:"geometry_type"`
	Fields       []PartnerField `json:"fields"`
	Repaired     []int          `json:"repaired"`
}

// PartnerUpload describes an upload: the layer (created when new, else a new version), who
// shares it with whom, and where the features came from.
type PartnerUpload struct {
	ID         string
	Title      string   // "" on a new version: keep the current title
	SharedWith []string // nil on a new version: keep the current sharing
	Filename   string
	Format     string // geojson, csv, gpkg, shapefile, demo
	// Illustrative marks the demo load's layer.
	Illustrative bool
}

// PartnerReport is what an upload did.
type PartnerReport struct {
	Layer    *PartnerLayer  `json:"-"`
	Created  bool           `json:"-"` // a new layer (else a new version)
	Features int            `json:"features"`
	Repaired []int          `json:"repaired"`
	Fields   []PartnerField `json:"fields"`
	CRS      string         `json:"crs"`
}

// validPartnerID mirrors the table's CHECK, so a bad id is a clear 400 before any work.
func validPartnerID(id string) bool {
	if len(id) < 2 || len(id) > 63 || id[0] < 'a' || id[0] > 'z' {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// CheckPartnerID returns an *InvalidError naming param "id" unless id is a valid layer id.
func CheckPartnerID(id string) error {
	if !validPartnerID(id) {
		return InvalidCode("id", CodeFormat, map[string]any{"format": FormatLayerID}, "%q is not a layer id: 2–63 characters a–z, 0–9 and -, starting with a letter", id)
	}
	return nil
}

// callerOrg is the organisation of the principal in ctx, "" when anonymous. An empty
// organisation matches no layer: every visibility condition below compares with it.
func callerOrg(ctx context.Context) string {
	p := PrincipalFrom(ctx)
	if p.IsAnonymous() {
		return ""
	}
	return p.Organisation
}

// partnerVisible is the visibility condition of alias l for the organisation in argument $n.
func partnerVisible(l, n string) string {
	return fmt.Sprintf("(%[1]s.owner = %[2]s OR %[2]s = ANY (%[1]s.shared_with))", l, n)
}

const partnerLayerColumns = `l.id, l.title, l.owner, l.shared_with, l.current_version, v.feature_count, v.geometry_type,
	v.fields, l.illustrative, l.created_at, l.updated_at, v.uploaded_at`

func scanPartnerLayer(row pgx.Row) (*PartnerLayer, error) {
	var l PartnerLayer
	var fields []byte
	if err := row.Scan(&l.ID, &l.Title, &l.Owner, &l.SharedWith, &l.Version, &l.FeatureCount, &l.GeometryType,
		&fields, &l.Illustrative, &l.CreatedAt, &l.UpdatedAt, &l.UploadedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(fields, &l.Fields); err != nil {
		return nil, fmt.Errorf("partner layer %s fields: %w", l.ID, err)
	}
	if l.SharedWith == nil {
		l.SharedWith = []string{}
	}
	l.CreatedAt, l.UpdatedAt, l.UploadedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC(), l.UploadedAt.UTC()
	return &l, nil
}

// PartnerLayers returns the partner layers the caller may see, by id.
func (s *Store) PartnerLayers(ctx context.Context) ([]PartnerLayer, error) {
	return s.partnerLayers(ctx, callerOrg(ctx), false)
}

// AllPartnerLayers returns every partner layer, for the operator's command line (the owner's
// pool; row-level security would hide them from the application's role).
func (s *Store) AllPartnerLayers(ctx context.Context) ([]PartnerLayer, error) {
	return s.partnerLayers(ctx, "", true)
}

func (s *Store) partnerLayers(ctx context.Context, org string, all bool) ([]PartnerLayer, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+partnerLayerColumns+`
		FROM partner_layers l JOIN partner_layer_versions v ON v.layer_id = l.id AND v.version = l.current_version
		WHERE $2 OR `+partnerVisible("l", "$1")+` ORDER BY l.id`, org, all)
	if err != nil {
		return nil, fmt.Errorf("partner layers: %w", err)
	}
	defer rows.Close()
	out := []PartnerLayer{}
	for rows.Next() {
		l, err := scanPartnerLayer(rows)
		if err != nil {
			return nil, fmt.Errorf("partner layers: %w", err)
		}
		out = append(out, *l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("partner layers: %w", err)
	}
	return out, nil
}

// PartnerLayer returns the layer id if the caller may see it; ErrNotFound otherwise (a layer
// the caller may not see does not exist for it).
func (s *Store) PartnerLayer(ctx context.Context, id string) (*PartnerLayer, error) {
	return partnerLayer(ctx, s.pool, callerOrg(ctx), id)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func partnerLayer(ctx context.Context, q querier, org, id string) (*PartnerLayer, error) {
	l, err := scanPartnerLayer(q.QueryRow(ctx, `SELECT `+partnerLayerColumns+`
		FROM partner_layers l JOIN partner_layer_versions v ON v.layer_id = l.id AND v.version = l.current_version
		WHERE l.id = $2 AND `+partnerVisible("l", "$1"), org, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("partner layer %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("partner layer %q: %w", id, err)
	}
	return l, nil
}

// PartnerVersions returns the versions of a layer the caller may see, newest first.
func (s *Store) PartnerVersions(ctx context.Context, id string) ([]PartnerVersion, error) {
	l, err := s.PartnerLayer(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT version, uploaded_by, uploaded_at, filename, format, source_crs, feature_count,
		geometry_type, fields, repaired FROM partner_layer_versions WHERE layer_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("partner layer %q versions: %w", id, err)
	}
	defer rows.Close()
	out := []PartnerVersion{}
	for rows.Next() {
		var v PartnerVersion
		var fields []byte
		var srid int
		var repaired []int32
		if err := rows.Scan(&v.Version, &v.UploadedBy, &v.UploadedAt, &v.Filename, &v.Format, &srid, &v.FeatureCount,
			&v.GeometryType, &fields, &repaired); err != nil {
			return nil, fmt.Errorf("partner layer %q versions: %w", id, err)
		}
		if err := json.Unmarshal(fields, &v.Fields); err != nil {
			return nil, fmt.Errorf("partner layer %q versions: %w", id, err)
		}
		v.Current, v.CRS, v.UploadedAt = v.Version == l.Version, crsName(srid), v.UploadedAt.UTC()
		v.Repaired = make([]int, len(repaired))
		for i, n := range repaired {
			v.Repaired[i] = int(n)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("partner layer %q versions: %w", id, err)
	}
	return out, nil
}

func crsName(srid int) string {
	if srid == 4326 {
		return "OGC:CRS84"
	}
	return fmt.Sprintf("EPSG:%d", srid)
}

// canWrite says whether p may write the layers of org: its own organisation, with the
// write scope (an editor or admin, or a token or JWT carrying write), as lgb_may_write.
func canWrite(p *Principal, org string) bool {
	return p.MayWrite() && p.Organisation == org && org != ""
}

// UploadPartnerLayer stores fc as a new partner layer owned by the caller's organisation, or
// as a new version of the caller's layer meta.ID, in one transaction: the features are
// copied into a staging table, transformed to EPSG:3006, checked with ST_IsValid, and an
// invalid geometry is made valid keeping its dimension (points, lines or polygons) and
// reported in Repaired. A geometry that cannot be repaired that way (a polygon collapsing to
// a line, say) is an *InvalidError naming param "feature" and its number, and nothing is
// written. A layer of another organisation is ErrNotOwner when the caller may see it and
// ErrConflict (the id is taken) when it may not; unknown shared_with codes are an
// *InvalidError naming shared_with.
func (s *Store) UploadPartnerLayer(ctx context.Context, meta PartnerUpload, fc *featurefile.Collection) (*PartnerReport, error) {
	p := PrincipalFrom(ctx)
	if err := CheckPartnerID(meta.ID); err != nil {
		return nil, err
	}
	if !canWrite(p, p.Organisation) {
		return nil, fmt.Errorf("upload partner layer %q: %w", meta.ID, ErrNotOwner)
	}
	var rep *PartnerReport
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		rep, err = uploadPartner(ctx, tx, p.Organisation, meta, fc)
		return err
	})
	if err != nil {
		var inv *InvalidError
		if errors.As(err, &inv) || errors.Is(err, ErrNotOwner) || errors.Is(err, ErrConflict) {
			return nil, err
		}
		return nil, fmt.Errorf("upload partner layer %q: %w", meta.ID, err)
	}
	return rep, nil
}

// uploadPartner is UploadPartnerLayer's work in tx, for organisation org.
func uploadPartner(ctx context.Context, tx pgx.Tx, org string, meta PartnerUpload, fc *featurefile.Collection) (*PartnerReport, error) {
	if err := CheckPartnerID(meta.ID); err != nil {
		return nil, err
	}
	if fc == nil || len(fc.Features) == 0 {
		return nil, InvalidCode("body", CodeFileEmpty, nil, "the file has no features")
	}
	if fc.SRID != 4326 && fc.SRID != 3006 {
		return nil, InvalidCode("crs", CodeUnsupported, map[string]any{"value": fmt.Sprintf("EPSG:%d", fc.SRID)}, "EPSG:%d is not supported; use CRS84 or EPSG:3006", fc.SRID)
	}
	fields := make([]PartnerField, len(fc.Fields))
	for i, f := range fc.Fields {
		fields[i] = PartnerField{Name: f.Name, Type: string(f.Type)}
	}
	rep := &PartnerReport{Features: len(fc.Features), Fields: fields, CRS: crsName(fc.SRID)}
	shared, err := checkSharedWith(ctx, tx, meta.SharedWith, org)
	if err != nil {
		return nil, err
	}
	if err := stagePartnerFeatures(ctx, tx, fc); err != nil {
		return nil, err
	}
	geomType, repaired, err := repairStaged(ctx, tx, fc.SRID)
	if err != nil {
		return nil, err
	}
	rep.Repaired = repaired
	version, created, err := claimPartnerLayer(ctx, tx, org, meta, shared)
	if err != nil {
		return nil, err
	}
	rep.Created = created
	fieldsJSON, _ := json.Marshal(fields)
	if _, err := tx.Exec(ctx, `
		INSERT INTO partner_layer_versions (layer_id, version, uploaded_by, filename, format, source_crs, feature_count,
		                                    fields, geometry_type, repaired)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		meta.ID, version, org, truncate(meta.Filename, 255), meta.Format, fc.SRID, len(fc.Features),
		fieldsJSON, geomType, repaired); err != nil {
		return nil, fmt.Errorf("version: %w", partnerWriteError(err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO partner_features (layer_id, version, feature_no, properties, geom)
		SELECT $1, $2, feature_no, properties, g FROM partner_ready ORDER BY feature_no`, meta.ID, version); err != nil {
		return nil, fmt.Errorf("features: %w", partnerWriteError(err))
	}
	if rep.Layer, err = partnerLayer(ctx, tx, org, meta.ID); err != nil {
		return nil, err
	}
	return rep, nil
}

// checkSharedWith deduplicates the codes, drops the owner's own, and refuses unknown ones.
// nil (keep the current sharing) stays nil.
func checkSharedWith(ctx context.Context, tx pgx.Tx, codes []string, owner string) ([]string, error) {
	if codes == nil {
		return nil, nil
	}
	out := []string{}
	for _, c := range codes {
		if c != owner && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) > 100 {
		return nil, InvalidCode("shared_with", CodeTooMany, map[string]any{"max": 100}, "at most 100 organisations")
	}
	var unknown []string
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM unnest($1::text[]) c
		WHERE NOT EXISTS (SELECT 1 FROM organisations o WHERE o.code = c)`, out).Scan(&unknown); err != nil {
		return nil, fmt.Errorf("shared_with: %w", err)
	}
	if len(unknown) > 0 {
		return nil, InvalidCode("shared_with", CodeUnknown, map[string]any{"value": strings.Join(unknown, ", ")}, "no organisation %s", strings.Join(unknown, ", "))
	}
	return out, nil
}

// stagePartnerFeatures copies the features into the temporary table partner_upload
// (dropped at commit or rollback): feature number, properties as JSON, geometry as WKB.
func stagePartnerFeatures(ctx context.Context, tx pgx.Tx, fc *featurefile.Collection) error {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE partner_upload (feature_no integer PRIMARY KEY, properties jsonb NOT NULL,
		wkb bytea NOT NULL) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	types := map[string]featurefile.FieldType{}
	for _, f := range fc.Fields {
		types[f.Name] = f.Type
	}
	i := 0
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"partner_upload"}, []string{"feature_no", "properties", "wkb"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(fc.Features) {
				return nil, nil
			}
			f := fc.Features[i]
			i++
			props, err := partnerProperties(f.Properties, types)
			if err != nil {
				return nil, InvalidCode("feature", CodeFileFeature, map[string]any{"feature": f.Number}, "feature %d: %v", f.Number, err)
			}
			b, err := wkb.Marshal(f.Geometry, wkb.NDR)
			if err != nil {
				return nil, InvalidCode("feature", CodeFileFeature, map[string]any{"feature": f.Number, "field": "geometry"}, "feature %d: geometry: %v", f.Number, err)
			}
			return []any{int32(f.Number), string(props), b}, nil
		}))
	if err != nil {
		var inv *InvalidError
		if errors.As(err, &inv) {
			return inv
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return Invalid("feature", "feature numbers repeat (%s)", pgErr.Detail)
		}
		return fmt.Errorf("staging: %w", err)
	}
	return nil
}

// partnerProperties encodes one feature's properties as a JSON object: dates as YYYY-MM-DD,
// datetimes as RFC 3339, non-finite numbers (which JSON cannot hold) as null.
func partnerProperties(props map[string]any, types map[string]featurefile.FieldType) ([]byte, error) {
	out := make(map[string]any, len(props))
	for k, v := range props {
		switch x := v.(type) {
		case time.Time:
			if types[k] == featurefile.Date {
				out[k] = x.Format(time.DateOnly)
			} else {
				out[k] = x.Format(time.RFC3339Nano)
			}
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				out[k] = nil
			} else {
				out[k] = x
			}
		default:
			out[k] = v
		}
	}
	return json.Marshal(out)
}

// repairStagedSQL transforms the staged geometries to EPSG:3006 and makes the invalid ones
// valid, keeping their dimension: ST_MakeValid may return a collection mixing polygons and
// the lines or points they collapsed to, and ST_CollectionExtract keeps the original kind.
// Validity is checked after the transform, since the stored geometry is what must be valid.
const repairStagedSQL = `
CREATE TEMP TABLE partner_ready ON COMMIT DROP AS
WITH t AS (
    SELECT feature_no, properties, ST_Transform(ST_SetSRID(ST_GeomFromWKB(wkb), $1::integer), 3006) AS g
    FROM partner_upload
)
SELECT feature_no, properties, ST_IsValid(g) AS was_valid,
       CASE WHEN ST_IsValid(g) THEN g ELSE ST_CollectionExtract(ST_MakeValid(g), ST_Dimension(g) + 1) END AS g
FROM t`

// repairStaged runs repairStagedSQL and returns the layer's geometry type (GeoJSON name) and
// the repaired feature numbers, ascending. The first feature left empty or invalid is an
// *InvalidError naming param "feature" and its number.
func repairStaged(ctx context.Context, tx pgx.Tx, srid int) (string, []int, error) {
	if _, err := tx.Exec(ctx, repairStagedSQL, srid); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "XX")) {
			// Data exceptions and GEOS/PROJ internal errors on a geometry: the file's fault.
			return "", nil, Invalid("feature", "a geometry could not be read or transformed: %s", pgErr.Message)
		}
		return "", nil, fmt.Errorf("repair: %w", err)
	}
	var bad *int32
	var dim *int32
	if err := tx.QueryRow(ctx, `SELECT feature_no, (SELECT ST_Dimension(ST_GeomFromWKB(wkb)) FROM partner_upload u WHERE u.feature_no = r.feature_no)
		FROM partner_ready r WHERE g IS NULL OR ST_IsEmpty(g) OR NOT ST_IsValid(g) ORDER BY feature_no LIMIT 1`).Scan(&bad, &dim); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", nil, fmt.Errorf("repair: %w", err)
	}
	if bad != nil {
		kind := map[int32]string{0: "points", 1: "lines", 2: "polygons"}[*dim]
		return "", nil, InvalidCode("feature", CodeFileFeature, map[string]any{"feature": *bad, "field": "geometry"}, "feature %d: the geometry is invalid and making it valid leaves no %s (a polygon collapsing to a line, say); fix it in the source file", *bad, kind)
	}
	var repaired []int32
	var types []string
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(feature_no ORDER BY feature_no) FILTER (WHERE NOT was_valid), '{}'),
		array_agg(DISTINCT GeometryType(g)) FROM partner_ready`).Scan(&repaired, &types); err != nil {
		return "", nil, fmt.Errorf("repair: %w", err)
	}
	out := make([]int, len(repaired))
	for i, n := range repaired {
		out[i] = int(n)
	}
	return geoJSONType(types), out, nil
}

// geoJSONType names the geometry type of a layer from PostGIS's GeometryType of its
// features: the one type, or the multi type when single and multi parts of one kind mix (a
// repaired polygon may have become a multipolygon), else "Geometry".
func geoJSONType(types []string) string {
	names := map[string]string{"POINT": "Point", "MULTIPOINT": "MultiPoint", "LINESTRING": "LineString",
		"MULTILINESTRING": "MultiLineString", "POLYGON": "Polygon", "MULTIPOLYGON": "MultiPolygon"}
	if len(types) == 1 {
		if n, ok := names[types[0]]; ok {
			return n
		}
		return "Geometry"
	}
	if len(types) == 2 {
		slices.Sort(types)
		if types[1] == "MULTI"+types[0] {
			return names[types[1]]
		}
	}
	return "Geometry"
}

// claimPartnerLayer creates the layer row (version 1) or, for the caller's existing layer,
// locks it and moves it to the next version, updating the title and sharing when given.
func claimPartnerLayer(ctx context.Context, tx pgx.Tx, org string, meta PartnerUpload, shared []string) (version int, created bool, err error) {
	var owner string
	err = tx.QueryRow(ctx, `SELECT l.owner FROM partner_layers l WHERE l.id = $2 AND `+partnerVisible("l", "$1"), org, meta.ID).Scan(&owner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if meta.Title == "" {
			return 0, false, InvalidCode("title", CodeRequired, nil, "required for a new layer")
		}
		if shared == nil {
			shared = []string{}
		}
		tag, err := tx.Exec(ctx, `INSERT INTO partner_layers (id, title, owner, shared_with, current_version, illustrative)
			VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (id) DO NOTHING`, meta.ID, meta.Title, org, shared, meta.Illustrative)
		if err != nil {
			return 0, false, partnerWriteError(err)
		}
		if tag.RowsAffected() == 0 {
			// Taken by a layer the caller may not see: say only that the id is taken.
			return 0, false, fmt.Errorf("%w: partner layer id %q is taken; choose another", ErrConflict, meta.ID)
		}
		return 1, true, nil
	case err != nil:
		return 0, false, fmt.Errorf("layer: %w", err)
	case owner != org:
		return 0, false, fmt.Errorf("partner layer %q belongs to %s: %w", meta.ID, owner, ErrNotOwner)
	}
	if err := tx.QueryRow(ctx, `SELECT (SELECT max(version) FROM partner_layer_versions WHERE layer_id = l.id) + 1
		FROM partner_layers l WHERE l.id = $1 FOR UPDATE`, meta.ID).Scan(&version); err != nil {
		return 0, false, fmt.Errorf("layer: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE partner_layers SET current_version = $2, title = coalesce(nullif($3, ''), title),
		shared_with = coalesce($4, shared_with), illustrative = $5, updated_at = now() WHERE id = $1`,
		meta.ID, version, meta.Title, shared, meta.Illustrative); err != nil {
		return 0, false, partnerWriteError(err)
	}
	return version, false, nil
}

// partnerWriteError turns a CHECK violation into an *InvalidError and a row-level security
// refusal into ErrNotOwner.
func partnerWriteError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23514":
			field := map[string]string{"partner_layers_title_check": "title", "partner_layers_id_check": "id"}[pgErr.ConstraintName]
			if field == "" {
				field = "body"
			}
			return Invalid(field, "refused by the database: %s", pgErr.Message)
		case "42501": // insufficient_privilege: a row-level security policy refused the row
			return fmt.Errorf("%s: %w", pgErr.Message, ErrNotOwner)
		}
	}
	return err
}

// DeletePartnerLayer removes the caller's layer id with all its versions. A layer the caller
// may not see wraps ErrNotFound; one it may see but not write wraps ErrNotOwner.
func (s *Store) DeletePartnerLayer(ctx context.Context, id string) error {
	p := PrincipalFrom(ctx)
	l, err := s.PartnerLayer(ctx, id)
	if err != nil {
		return err
	}
	if !canWrite(p, l.Owner) {
		return fmt.Errorf("delete partner layer %q (owner %s): %w", id, l.Owner, ErrNotOwner)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM partner_layers WHERE id = $1 AND owner = $2`, id, p.Organisation)
	if err != nil {
		return fmt.Errorf("delete partner layer %q: %w", id, partnerWriteError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("partner layer %q: %w", id, ErrNotFound)
	}
	return nil
}

// PartnerItemsQuery selects features of one version of a partner layer: 0 = the current
// version; BBox in CRS84 (lon, lat), nil for all; a page of Limit from Offset.
type PartnerItemsQuery struct {
	Version       int
	BBox          *[4]float64
	CQL           *CQLFilter // on the version's fields and geometry; nil for none
	Limit, Offset int
}

// PartnerItems is a page of features as GeoJSON parts: geometry in CRS84, properties as stored.
type PartnerItems struct {
	Layer    *PartnerLayer
	Version  int
	Matched  int64
	Features []PartnerItem
}

// PartnerItem is one feature.
type PartnerItem struct {
	Number     int
	Geometry   json.RawMessage
	Properties json.RawMessage
}

// MaxPartnerItems bounds one page of partner items.
const MaxPartnerItems = 10000

// partnerVersion resolves version (0: the current one) of the visible layer id.
func (s *Store) partnerVersion(ctx context.Context, id string, version int) (*PartnerLayer, *PartnerVersion, error) {
	l, err := s.PartnerLayer(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if version == 0 {
		version = l.Version
	}
	v := &PartnerVersion{Version: version, Current: version == l.Version}
	var fields []byte
	err = s.pool.QueryRow(ctx, `SELECT fields, uploaded_at FROM partner_layer_versions WHERE layer_id = $1 AND version = $2`,
		id, version).Scan(&fields, &v.UploadedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, fmt.Errorf("version %d of partner layer %q: %w", version, id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("partner layer %q version %d: %w", id, version, err)
	}
	if err := json.Unmarshal(fields, &v.Fields); err != nil {
		return nil, nil, fmt.Errorf("partner layer %q version %d: %w", id, version, err)
	}
	return l, v, nil
}

// PartnerItems returns a page of the features of a layer the caller may see, by feature
// number; ErrNotFound for an invisible layer or a version that does not exist.
func (s *Store) PartnerItems(ctx context.Context, id string, q PartnerItemsQuery) (*PartnerItems, error) {
	if q.Limit <= 0 || q.Limit > MaxPartnerItems {
		return nil, Invalid("limit", "between 1 and %d", MaxPartnerItems)
	}
	l, v, err := s.partnerVersion(ctx, id, q.Version)
	if err != nil {
		return nil, err
	}
	with, from, where := "", "partner_features t", `layer_id = $1 AND version = $2`
	args := argList{id, v.Version}
	out := &PartnerItems{Layer: l, Version: v.Version, Features: []PartnerItem{}}
	if b := q.BBox; b != nil {
		// As the catalogue's items: clipped to EPSG:3006's area of use, projected once.
		var empty bool
		if with, empty = bboxEnv(BBox{MinX: b[0], MinY: b[1], MaxX: b[2], MaxY: b[3], CRS: crs.CRS84}, &args); empty {
			return out, nil
		}
		from += ", env"
		where += " AND " + bboxCond("geom")
	}
	if q.CQL != nil {
		cond, err := filterSQL(partnerTarget(v.Fields), q.CQL, &args)
		if err != nil {
			return nil, err
		}
		where += " AND " + cond
	}
	if err := s.pool.QueryRow(ctx, with+`SELECT count(*) FROM `+from+` WHERE `+where, args...).Scan(&out.Matched); err != nil {
		return nil, fmt.Errorf("partner items %q: %w", id, filterQueryError(err))
	}
	n := len(args)
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`%sSELECT feature_no, ST_AsGeoJSON(ST_Transform(geom, 4326), 7), properties::text
		FROM %s WHERE %s ORDER BY feature_no LIMIT $%d OFFSET $%d`, with, from, where, n+1, n+2), append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("partner items %q: %w", id, filterQueryError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var it PartnerItem
		var g, p string
		if err := rows.Scan(&it.Number, &g, &p); err != nil {
			return nil, fmt.Errorf("partner items %q: %w", id, err)
		}
		it.Geometry, it.Properties = json.RawMessage(g), json.RawMessage(p)
		out.Features = append(out.Features, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("partner items %q: %w", id, err)
	}
	return out, nil
}

// PartnerFields returns the fields of the current version of a layer the caller may see,
// with the layer; ErrNotFound for an invisible layer.
func (s *Store) PartnerFields(ctx context.Context, id string) ([]PartnerField, *PartnerLayer, error) {
	l, v, err := s.partnerVersion(ctx, id, 0)
	if err != nil {
		return nil, nil, err
	}
	return v.Fields, l, nil
}

// partnerTileSQL makes one layer version's MVT: layer name = the layer id, feature id = the
// feature number, attributes = the stored properties (ST_AsMVT expands a jsonb column into
// its keys, which are the layer's fields). The layer's visibility is part of the query; %s
// is the filter's condition (on alias t), "" for none.
const partnerTileSQL = `
SELECT ST_AsMVT(mvt, $1, 4096, 'geom', 'feature_no') FROM (
    SELECT ST_AsMVTGeom(CASE WHEN ST_Dimension(t.geom_3857) = 0 THEN t.geom_3857 ELSE ST_Simplify(t.geom_3857, $6, true) END,
                        ST_TileEnvelope($3, $4, $5), 4096, 64, true) AS geom,
           t.feature_no, t.properties
    FROM partner_features t
    WHERE t.layer_id = $1 AND t.version = $2 AND t.geom_3857 && ST_TileEnvelope($3, $4, $5, margin => 64.0 / 4096)
      AND EXISTS (SELECT 1 FROM partner_layers l WHERE l.id = $1 AND ` + "(l.owner = $7 OR $7 = ANY (l.shared_with))" + `)%s
    ORDER BY t.feature_no
    LIMIT 50000
) mvt WHERE mvt.geom IS NOT NULL`

// PartnerTile returns the vector tile t of version of layer id (empty when nothing is in it,
// or when the caller may not see the layer: the caller resolves the layer and its version
// with PartnerLayer first, so an invisible layer is a 404 there). A filter (nil for none)
// names the version's fields and geometry as on the items; a bad one is an *InvalidError for
// "filter".
func (s *Store) PartnerTile(ctx context.Context, id string, version int, t tiles.TileID, cql *CQLFilter) ([]byte, error) {
	// Half a tile unit at this zoom: finer detail is lost in the MVT grid anyway.
	tol := 2 * tiles.HalfExtent / float64(int(1)<<t.Z) / TileExtent / 2
	args := argList{id, version, t.Z, t.X, t.Y, tol, callerOrg(ctx)}
	cond := ""
	if cql != nil {
		_, v, err := s.partnerVersion(ctx, id, version)
		if err != nil {
			return nil, err
		}
		c, err := filterSQL(partnerTarget(v.Fields), cql, &args)
		if err != nil {
			return nil, err
		}
		cond = " AND " + c
	}
	var mvt []byte
	if err := s.pool.QueryRow(ctx, fmt.Sprintf(partnerTileSQL, cond), args...).Scan(&mvt); err != nil {
		return nil, fmt.Errorf("partner tile %q %v: %w", id, t, filterQueryError(err))
	}
	return mvt, nil
}

// PartnerDistrictRow is one area of a partner layer's summary.
type PartnerDistrictRow struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Features  int      `json:"features"`
	Sum       *float64 `json:"sum"`        // of the property, nil without one
	Total     *float64 `json:"total"`      // the total indicator's value, nil without one
	TotalYear *int     `json:"total_year"` // the year of Total
	Share     *float64 `json:"share"`      // Sum (or Features without a property) / Total
}

// PartnerSummary is a partner layer summarised by the areas of one level.
type PartnerSummary struct {
	Layer      string               `json:"layer"`
	Version    int                  `json:"version"`
	Property   string               `json:"property,omitempty"`
	Total      string               `json:"total,omitempty"`
	Level      string               `json:"level"`
	UploadYear int                  `json:"upload_year"`
	Districts  []PartnerDistrictRow `json:"districts"`
}

// partnerSummarySQL counts and sums a layer version's features per area. Points count where
// they lie within an area; lines and polygons count in every area they reach and contribute
// the fraction of their length or area inside it (an apartment block straddling a boundary is
// split by area). The total is the indicator's value per area in the latest year up to the
// upload's year, so a share compares figures of the same time.
const partnerSummarySQL = `
WITH f AS (
    SELECT geom, ST_Dimension(geom) AS dim,
           CASE WHEN $3::text IS NULL THEN 1.0 ELSE (properties ->> $3)::double precision END AS val,
           CASE ST_Dimension(geom) WHEN 1 THEN ST_Length(geom) WHEN 2 THEN ST_Area(geom) ELSE 0 END AS size
    FROM partner_features WHERE layer_id = $1 AND version = $2
),
d AS (SELECT code, name, geom FROM districts WHERE level = $4),
m AS (
    SELECT d.code, count(*) AS features,
           sum(f.val * CASE f.dim WHEN 0 THEN 1.0
                 WHEN 1 THEN ST_Length(ST_Intersection(f.geom, d.geom)) / nullif(f.size, 0)
                 ELSE ST_Area(ST_Intersection(f.geom, d.geom)) / nullif(f.size, 0) END) AS value
    FROM d JOIN f ON f.geom && d.geom
                 AND CASE WHEN f.dim = 0 THEN ST_Within(f.geom, d.geom)
                          ELSE ST_Intersects(f.geom, d.geom) AND NOT ST_Touches(f.geom, d.geom) END
    GROUP BY d.code
),
tot AS (
    SELECT DISTINCT ON (district_code) district_code, value, year
    FROM indicator_values WHERE indicator_key = $5 AND year <= $6
    ORDER BY district_code, year DESC
)
SELECT d.code, d.name, coalesce(m.features, 0)::integer, coalesce(m.value, 0), tot.value, tot.year
FROM d LEFT JOIN m ON m.code = d.code LEFT JOIN tot ON tot.district_code = d.code
ORDER BY d.code`

// PartnerDistrictSummary summarises the current version of a layer the caller may see by
// the areas of level: per area the features in it, the sum of the numeric property (optional;
// a field that is not integer or number is an *InvalidError naming property), and, with total
// naming an indicator (e.g. dwellings), that indicator's value in the latest year up to the
// version's upload year and the share sum / total (features / total without a property; nil
// without a total value). An unknown total is an *InvalidError naming total; a layer the
// caller may not see wraps ErrNotFound.
func (s *Store) PartnerDistrictSummary(ctx context.Context, layerID, property, total, level string) (*PartnerSummary, error) {
	if !slices.Contains([]string{"municipality", "regso", "district", "deso"}, level) {
		return nil, Invalid("level", "%q is not a level; use municipality, regso, district or deso", level)
	}
	_, v, err := s.partnerVersion(ctx, layerID, 0)
	if err != nil {
		return nil, err
	}
	var prop *string
	if property != "" {
		i := slices.IndexFunc(v.Fields, func(f PartnerField) bool { return f.Name == property })
		if i < 0 {
			return nil, Invalid("property", "layer %s has no property %q", layerID, property)
		}
		if t := v.Fields[i].Type; t != string(featurefile.Integer) && t != string(featurefile.Number) {
			return nil, Invalid("property", "%q is a %s property; only integer and number properties can be summed", property, t)
		}
		prop = &property
	}
	if total != "" {
		var ok bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM indicators WHERE key = $1)`, total).Scan(&ok); err != nil {
			return nil, fmt.Errorf("partner summary total: %w", err)
		}
		if !ok {
			return nil, Invalid("total", "no indicator %q", total)
		}
	}
	out := &PartnerSummary{Layer: layerID, Version: v.Version, Property: property, Total: total, Level: level,
		UploadYear: v.UploadedAt.UTC().Year(), Districts: []PartnerDistrictRow{}}
	rows, err := s.pool.Query(ctx, partnerSummarySQL, layerID, v.Version, prop, level, total, out.UploadYear)
	if err != nil {
		return nil, fmt.Errorf("partner summary %q: %w", layerID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r PartnerDistrictRow
		var value float64
		if err := rows.Scan(&r.Code, &r.Name, &r.Features, &value, &r.Total, &r.TotalYear); err != nil {
			return nil, fmt.Errorf("partner summary %q: %w", layerID, err)
		}
		if prop != nil {
			r.Sum = &value
		}
		if r.Total != nil && *r.Total > 0 {
			share := value / *r.Total
			r.Share = &share
		}
		out.Districts = append(out.Districts, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("partner summary %q: %w", layerID, err)
	}
	return out, nil
}

// PartnerShares is a feasibility input of source partner_layer for the areas of level, in
// the order of codes: the share of the layer's property in the input's total per area (NaN
// where there is no total). A layer the caller may not see wraps ErrNotFound: the
// prioritisation reports the input as unavailable rather than failing or showing its values.
func (s *Store) PartnerShares(ctx context.Context, f FeasibilityInput, level string, codes []string) ([]float64, error) {
	sum, err := s.PartnerDistrictSummary(ctx, f.PartnerLayer, f.PartnerProperty, f.PartnerTotal, level)
	if err != nil {
		return nil, err
	}
	byCode := map[string]PartnerDistrictRow{}
	for _, r := range sum.Districts {
		byCode[r.Code] = r
	}
	out := make([]float64, len(codes))
	for i, c := range codes {
		out[i] = math.NaN()
		r, ok := byCode[c]
		switch {
		case !ok:
		case f.PartnerTotal == "" && r.Sum != nil:
			out[i] = *r.Sum
		case f.PartnerTotal == "":
			out[i] = float64(r.Features)
		case r.Share != nil:
			out[i] = *r.Share
		}
	}
	return out, nil
}
