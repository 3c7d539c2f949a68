package layers

// Area boundaries from a GeoPackage (Statistics Sweden's DeSO and RegSO files, or anything
// GDAL/QGIS writes the same way) into the districts table.
//
// Assumptions: the file is an OGC GeoPackage read by featurefile (pure Go, no cgo and no GDAL
// at run time); the layer is stored in SWEREF 99 TM (EPSG:3006), the storage CRS, because
// reprojecting silently would hide a wrong file — other CRSs are refused naming the layer and
// its CRS; geometries are Polygon or MultiPolygon. The whole file goes in within one
// transaction or nothing does.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// AreaFields names the attribute columns of an area layer. Empty Code and Name are looked up
// among the usual SCB names for the level; Parent and Population are used only when given.
type AreaFields struct {
	Code, Name, Parent, Population string
}

// Area is one feature read from a GeoPackage, ready to store.
type Area struct {
	Feature    int // 1-based position in the layer (by fid), for messages
	Code       string
	Name       string
	Parent     string // "" for none
	Population *int64
	WKB        []byte // ISO WKB, little endian, MultiPolygon in EPSG:3006
}

// areaCodePatterns are Statistics Sweden's code formats: DeSO is the municipality code, a
// letter A–C for the kind of area and four digits (0114A0010); RegSO the municipality code,
// R and three digits (0114R001). Checking them catches a wrong --code-field early.
var areaCodePatterns = map[string]*regexp.Regexp{
	"deso":  regexp.MustCompile(`^[0-9]{4}[A-C][0-9]{4}$`),
	"regso": regexp.MustCompile(`^[0-9]{4}R[0-9]{3}$`),
}

// defaultAreaFields are tried in order when a field is not given.
var defaultAreaFields = map[string]struct{ code, name []string }{
	"deso":  {code: []string{"desokod", "deso"}, name: []string{"desonamn", "namn", "name"}},
	"regso": {code: []string{"regsokod"}, name: []string{"regso", "regsonamn", "namn", "name"}},
}

// areaFileLimits bound an operator's boundary file: SCB's national DeSO layer is far larger
// than a partner's upload (DefaultLimits), and the operator is trusted with their own disk.
func areaFileLimits() featurefile.Limits {
	return featurefile.Limits{MaxBytes: 4 << 30, MaxFeatures: 1_000_000, MaxVertices: 200_000_000, MaxDepth: 64, MaxFields: 1000}
}

// ReadGeoPackageAreas reads the features of layer (the only feature layer when "") of the
// GeoPackage at path as areas of level ("deso" or "regso"). Every problem names the feature;
// the file's own problems are *InvalidError of "file", as featurefile words them.
func ReadGeoPackageAreas(ctx context.Context, path, level, layer string, f AreaFields) ([]Area, error) {
	if _, ok := areaCodePatterns[level]; !ok {
		return nil, Invalid("level", "%q: use deso or regso", level)
	}
	_, c, err := featurefile.ReadFile(ctx, path, featurefile.GPKG, featurefile.Options{Table: layer, Limits: areaFileLimits()})
	if err != nil {
		return nil, fileInvalid(err)
	}
	return areasFrom(c, level, f)
}

// areasFrom picks the code, name, parent and population of every feature of c, a layer of
// areas of level in EPSG:3006. Every problem names the feature or the field.
func areasFrom(c *featurefile.Collection, level string, f AreaFields) ([]Area, error) {
	pattern, ok := areaCodePatterns[level]
	if !ok {
		return nil, Invalid("level", "%q: use deso or regso", level)
	}
	layer := c.Layer
	if c.SRID != 3006 {
		return nil, Invalid("layer", "layer %s is in %s; only SWEREF 99 TM (EPSG:3006) is accepted — reproject first, e.g. ogr2ogr -t_srs EPSG:3006",
			layer, c.CRSName)
	}
	var cols []string
	for _, fd := range c.Fields {
		cols = append(cols, fd.Original)
	}
	defs := defaultAreaFields[level]
	pick := func(flag, given string, candidates []string, required bool) (string, error) {
		if given != "" {
			if fd, ok := fieldNamed(c.Fields, given); ok {
				return fd.Name, nil
			}
			return "", Invalid(flag, "layer %s has no field %q (it has %s)", layer, given, strings.Join(cols, ", "))
		}
		for _, want := range candidates {
			if fd, ok := fieldNamed(c.Fields, want); ok {
				return fd.Name, nil
			}
		}
		if required {
			return "", Invalid(flag, "layer %s has none of the fields %s; name one (it has %s)", layer, strings.Join(candidates, ", "), strings.Join(cols, ", "))
		}
		return "", nil
	}
	codeCol, err := pick("code-field", f.Code, defs.code, true)
	if err != nil {
		return nil, err
	}
	nameCol, err := pick("name-field", f.Name, defs.name, false)
	if err != nil {
		return nil, err
	}
	parentCol, err := pick("parent-field", f.Parent, nil, false)
	if err != nil {
		return nil, err
	}
	popCol, err := pick("population-field", f.Population, nil, false)
	if err != nil {
		return nil, err
	}
	codeName := codeCol
	for _, fd := range c.Fields {
		if fd.Name == codeCol {
			codeName = fd.Original
		}
	}
	out := make([]Area, 0, len(c.Features))
	seen := map[string]int{}
	for _, ft := range c.Features {
		n := ft.Number
		text := func(col string) string {
			if col == "" {
				return ""
			}
			return strings.TrimSpace(propertyText(ft.Properties[col]))
		}
		a := Area{Feature: n, Code: text(codeCol), Name: text(nameCol), Parent: text(parentCol)}
		if !pattern.MatchString(a.Code) {
			return nil, Invalid("code-field", "feature %d: %s %q is not a %s code", n, codeName, a.Code, strings.ToUpper(level))
		}
		if prev, dup := seen[a.Code]; dup {
			return nil, Invalid("code-field", "feature %d: code %s already given by feature %d", n, a.Code, prev)
		}
		seen[a.Code] = n
		if a.Name == "" {
			a.Name = a.Code // SCB's DeSO files carry no names
		}
		if len(a.Name) > 200 {
			return nil, Invalid("name-field", "feature %d: name longer than 200 bytes", n)
		}
		if parentCol != "" && a.Parent != "" && !districtCode.MatchString(a.Parent) {
			return nil, Invalid("parent-field", "feature %d: %q is not a district code", n, a.Parent)
		}
		if a.Parent == a.Code {
			a.Parent = ""
		}
		if pop := text(popCol); pop != "" {
			v, err := strconv.ParseFloat(pop, 64)
			if err != nil || v < 0 || v != float64(int64(v)) || v > 1<<31-1 {
				return nil, Invalid("population-field", "feature %d: population %q is not a whole number ≥ 0", n, pop)
			}
			p := int64(v)
			a.Population = &p
		}
		if a.WKB, err = areaWKB(ft.Geometry); err != nil {
			return nil, Invalid("geometry", "feature %d (%s): %v", n, a.Code, err)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, Invalid("layer", "layer %s has no features", layer)
	}
	return out, nil
}

var districtCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// fieldNamed finds the field the file names name (case-insensitively), or whose sanitised
// name is name; its Name is the key of Feature.Properties.
func fieldNamed(fields []featurefile.Field, name string) (featurefile.Field, bool) {
	for _, fd := range fields {
		if strings.EqualFold(fd.Original, name) || strings.EqualFold(fd.Name, name) {
			return fd, true
		}
	}
	return featurefile.Field{}, false
}

// propertyText is a property value as text, as SQLite's CAST(… AS TEXT) gives it.
func propertyText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// areaWKB returns a Polygon or MultiPolygon as a two-dimensional MultiPolygon in
// little-endian WKB.
func areaWKB(g geom.T) ([]byte, error) {
	var mp *geom.MultiPolygon
	switch g := g.(type) {
	case *geom.Polygon:
		mp = geom.NewMultiPolygon(g.Layout())
		if err := mp.Push(g); err != nil {
			return nil, err
		}
	case *geom.MultiPolygon:
		mp = g
	default:
		return nil, fmt.Errorf("%T: want Polygon or MultiPolygon", g)
	}
	if mp.Empty() {
		return nil, errors.New("empty geometry")
	}
	return wkb.Marshal(mp, binary.LittleEndian)
}

// AreaImportSummary reports ImportAreas.
type AreaImportSummary struct {
	Inserted, Replaced int
	Repaired           []int // feature numbers whose geometry was invalid and made valid
}

// areaStageSQL is the staging table; the polygonal part of ST_MakeValid replaces an invalid
// outline (a bow-tie becomes two triangles), and an outline with nothing polygonal left is refused.
const areaStageSQL = `CREATE TEMP TABLE area_stage (
    feature int, code text, name text, parent_code text, population integer, geom geometry, valid boolean
) ON COMMIT DROP`

const areaUpsertSQL = `
INSERT INTO districts (code, name, level, parent_code, population, data_class, illustrative, geom)
SELECT code, name, $1, NULL, population, 'open', false, geom FROM area_stage
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level, parent_code = EXCLUDED.parent_code,
    population = EXCLUDED.population, illustrative = false, geom = EXCLUDED.geom, updated_at = now()
RETURNING (xmax = 0)`

// ImportAreas upserts areas as districts of level in one transaction: all or nothing. An
// existing district of another level with the same code is refused rather than changed.
func (s *Store) ImportAreas(ctx context.Context, level string, areas []Area) (AreaImportSummary, error) {
	var sum AreaImportSummary
	if _, ok := areaCodePatterns[level]; !ok {
		return sum, Invalid("level", "%q: use deso or regso", level)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, areaStageSQL); err != nil {
			return err
		}
		var b pgx.Batch
		for _, a := range areas {
			b.Queue(`INSERT INTO area_stage (feature, code, name, parent_code, population, geom)
VALUES ($1, $2, $3, $4, $5, ST_GeomFromWKB($6, 3006))`, a.Feature, a.Code, a.Name, a.Parent, a.Population, a.WKB)
		}
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
		repaired, err := repairOutlines(ctx, tx, `
UPDATE area_stage SET valid = ST_IsValid(geom),
    geom = CASE WHEN ST_IsValid(geom) THEN geom ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) END
RETURNING feature, valid, ST_IsEmpty(geom)`)
		if err != nil {
			return err
		}
		sum.Repaired = append(sum.Repaired, repaired...)
		var code, existing string
		err = tx.QueryRow(ctx, `SELECT s.code, d.level FROM area_stage s JOIN districts d USING (code)
WHERE d.level <> $1 ORDER BY s.feature LIMIT 1`, level).Scan(&code, &existing)
		if err == nil {
			return Invalid("code-field", "%s is already stored as a %s, not a %s", code, existing, level)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var feature int
		err = tx.QueryRow(ctx, `SELECT s.feature, s.parent_code FROM area_stage s
WHERE s.parent_code <> '' AND NOT EXISTS (SELECT 1 FROM districts d WHERE d.code = s.parent_code)
  AND NOT EXISTS (SELECT 1 FROM area_stage p WHERE p.code = s.parent_code) ORDER BY s.feature LIMIT 1`).Scan(&feature, &code)
		if err == nil {
			return Invalid("parent-field", "feature %d: parent %s is not a stored district (load the parent level first)", feature, code)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// Parents in the same file must be there before their children: insert without
		// parents, then set them.
		ins, err := tx.Query(ctx, areaUpsertSQL, level)
		if err != nil {
			return err
		}
		for ins.Next() {
			var inserted bool
			if err := ins.Scan(&inserted); err != nil {
				return err
			}
			if inserted {
				sum.Inserted++
			} else {
				sum.Replaced++
			}
		}
		if err := ins.Err(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE districts d SET parent_code = nullif(s.parent_code, '') FROM area_stage s WHERE d.code = s.code`)
		return err
	})
	return sum, err
}

// repairOutlines runs update, which makes a staging table's outlines valid and returns
// (feature, was valid, is empty now) per row, and returns the features it repaired. An
// outline with no area left after the repair is an *InvalidError naming the first such
// feature: nothing of the import is kept. Shared by the area and vulnerable-area imports.
func repairOutlines(ctx context.Context, tx pgx.Tx, update string) ([]int, error) {
	rows, err := tx.Query(ctx, update)
	if err != nil {
		return nil, err
	}
	var bad, repaired []int
	for rows.Next() {
		var n int
		var valid, empty bool
		if err := rows.Scan(&n, &valid, &empty); err != nil {
			return nil, err
		}
		if empty {
			bad = append(bad, n)
		} else if !valid {
			repaired = append(repaired, n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		return nil, Invalid("geometry", "feature %d: invalid outline with no area left after repair", slices.Min(bad))
	}
	return repaired, nil
}
