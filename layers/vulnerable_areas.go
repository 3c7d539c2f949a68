package layers

// The police's published boundaries of vulnerable areas (GeoJSON or a zipped Shapefile, read
// by featurefile) into the vulnerable_areas layer, one year's list at a time.
//
// Assumptions: a file is one year's list, so an import replaces that year's rows (all or
// nothing); the class is given in the police's words ("utsatt område", "riskområde",
// "särskilt utsatt område") or their abbreviations and is mapped to the vocabulary the
// districts' police_class uses; outlines are polygons in CRS84 or SWEREF 99 TM, transformed to
// EPSG:3006 by PostGIS, and an invalid outline is repaired (reported) or refused by number.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// VulnerableAreaFields name the file's name and class fields; "" looks for the usual names.
type VulnerableAreaFields struct {
	Name, Class string
}

// VulnerableArea is one area read from a file, ready to store.
type VulnerableArea struct {
	Feature int // the feature's number in the file, for messages
	Name    string
	Class   string // utsatt, risk or sarskilt_utsatt
	SRID    int    // of WKB: 3006 or 4326
	WKB     []byte // Polygon or MultiPolygon
}

// vulnerableFieldNames are the file fields tried for the name and the class when none is
// given: the declared properties' names and import aliases (NewCatalogue).
func vulnerableFieldNames() (name, class []string) {
	l, _ := NewCatalogue().Layer("vulnerable-areas")
	return l.ImportNames("name"), l.ImportNames("class")
}

// policeClasses maps the police's words and abbreviations (lower case, Swedish letters
// folded) to the stored class.
var policeClasses = map[string]string{
	"utsatt omrade": "utsatt", "utsatt": "utsatt", "uo": "utsatt",
	"riskomrade": "risk", "risk omrade": "risk", "risk": "risk", "ro": "risk",
	"sarskilt utsatt omrade": "sarskilt_utsatt", "sarskilt utsatt": "sarskilt_utsatt", "suo": "sarskilt_utsatt",
	"sarskilt_utsatt": "sarskilt_utsatt",
}

// PoliceClass maps a class as the police write it to the stored class; ok is false when the
// words are not known.
func PoliceClass(s string) (string, bool) {
	k := strings.ToLower(strings.Join(strings.Fields(s), " "))
	k = strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "-", " ").Replace(k)
	c, ok := policeClasses[k]
	return c, ok
}

// VulnerableAreasFrom picks the name and class of every feature of c; every problem names
// the feature or the field.
func VulnerableAreasFrom(c *featurefile.Collection, f VulnerableAreaFields) ([]VulnerableArea, error) {
	pick := func(flag, given string, candidates []string) (string, error) {
		var names []string
		for _, fd := range c.Fields {
			names = append(names, fd.Original)
		}
		if given != "" {
			candidates = []string{given}
		}
		for _, want := range candidates {
			for _, fd := range c.Fields {
				if strings.EqualFold(fd.Original, want) || strings.EqualFold(fd.Name, want) {
					return fd.Name, nil
				}
			}
		}
		if given != "" {
			return "", Invalid(flag, "the file has no field %q (it has %s)", given, strings.Join(names, ", "))
		}
		return "", Invalid(flag, "the file has none of the fields %s; name one (it has %s)", strings.Join(candidates, ", "), strings.Join(names, ", "))
	}
	nameNames, classNames := vulnerableFieldNames()
	nameField, err := pick("name-field", f.Name, nameNames)
	if err != nil {
		return nil, err
	}
	classField, err := pick("class-field", f.Class, classNames)
	if err != nil {
		return nil, err
	}
	out := make([]VulnerableArea, 0, len(c.Features))
	seen := map[string]int{}
	for _, ft := range c.Features {
		name, _ := ft.Properties[nameField].(string)
		name = strings.TrimSpace(name)
		if name == "" || utf8.RuneCountInString(name) > 200 {
			return nil, Invalid("name-field", "feature %d: the name must be 1–200 characters", ft.Number)
		}
		if prev, dup := seen[strings.ToLower(name)]; dup {
			return nil, Invalid("name-field", "feature %d: %s is already named by feature %d", ft.Number, name, prev)
		}
		seen[strings.ToLower(name)] = ft.Number
		raw := fmt.Sprint(ft.Properties[classField])
		class, ok := PoliceClass(raw)
		if !ok {
			return nil, Invalid("class-field", "feature %d: class %q is not one of the police's (utsatt område, riskområde, särskilt utsatt område)", ft.Number, raw)
		}
		switch ft.Geometry.(type) {
		case *geom.Polygon, *geom.MultiPolygon:
		default:
			return nil, Invalid("geometry", "feature %d: a %T, not an area (Polygon or MultiPolygon)", ft.Number, ft.Geometry)
		}
		b, err := wkb.Marshal(ft.Geometry, binary.LittleEndian)
		if err != nil {
			return nil, Invalid("geometry", "feature %d: %v", ft.Number, err)
		}
		out = append(out, VulnerableArea{Feature: ft.Number, Name: name, Class: class, SRID: c.SRID, WKB: b})
	}
	return out, nil
}

// VulnerableAreaSummary reports ImportVulnerableAreas.
type VulnerableAreaSummary struct {
	Inserted, Removed int
	Repaired          []int // feature numbers whose outline was invalid and made valid
}

const vulnerableStageSQL = `CREATE TEMP TABLE vulnerable_stage (
    feature int, name text, class text, geom geometry, valid boolean
) ON COMMIT DROP`

// ImportVulnerableAreas replaces the rows of year with areas, in one transaction: all or
// nothing. Illustrative demo rows of that year go too: real data replaces the demo.
func (s *Store) ImportVulnerableAreas(ctx context.Context, year int, source string, areas []VulnerableArea) (VulnerableAreaSummary, error) {
	var sum VulnerableAreaSummary
	if year < 2000 || year > 2100 {
		return sum, Invalid("year", "%d is not a year of the police's lists (2000–2100)", year)
	}
	if len(areas) == 0 {
		return sum, Invalid("file", "no areas")
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, vulnerableStageSQL); err != nil {
			return err
		}
		var b pgx.Batch
		for _, a := range areas {
			b.Queue(`INSERT INTO vulnerable_stage (feature, name, class, geom)
VALUES ($1, $2, $3, ST_Transform(ST_GeomFromWKB($4, $5::int), 3006))`, a.Feature, a.Name, a.Class, a.WKB, a.SRID)
		}
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
		repaired, err := repairOutlines(ctx, tx, `
UPDATE vulnerable_stage SET valid = ST_IsValid(geom),
    geom = ST_Multi(ST_CollectionExtract(CASE WHEN ST_IsValid(geom) THEN geom ELSE ST_MakeValid(geom) END, 3))
RETURNING feature, valid, ST_IsEmpty(geom)`)
		if err != nil {
			return err
		}
		sum.Repaired = append(sum.Repaired, repaired...)
		tag, err := tx.Exec(ctx, `DELETE FROM vulnerable_areas WHERE year = $1`, year)
		if err != nil {
			return err
		}
		sum.Removed = int(tag.RowsAffected())
		tag, err = tx.Exec(ctx, `
INSERT INTO vulnerable_areas (name, class, year, source, illustrative, geom)
SELECT name, class, $1, $2, false, geom FROM vulnerable_stage ORDER BY feature`, year, source)
		if err != nil {
			return err
		}
		sum.Inserted = int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		var inv *InvalidError
		if errors.As(err, &inv) {
			return VulnerableAreaSummary{}, err
		}
		return VulnerableAreaSummary{}, fmt.Errorf("import vulnerable areas: %w", err)
	}
	return sum, nil
}
