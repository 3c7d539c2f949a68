package layers

// The interventions register's write path (issue 6): a GeoJSON Feature is parsed and checked
// here field by field, so an error names the field at fault ("properties.horizon"), and every
// write (row, target districts, targets, history) is one transaction that locks the row and
// checks its version first. Who may write at all is decided in web (authorizeWrite); whose
// intervention a caller may change, and who may lower its class, row-level security and a
// trigger decide (migration 017), and their refusals come back here as ErrForbidden.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// ErrVersionMismatch is wrapped when a write names a version (If-Match) that is no longer
// the current one: someone else has written in between. The web layer answers 412.
var ErrVersionMismatch = errors.New("version mismatch")

// Precondition is what a write expects of the current row: any version (If-Match: *) or
// one of the listed ones.
type Precondition struct {
	Any      bool
	Versions []int64
}

func (p Precondition) holds(current int64) bool { return p.Any || slices.Contains(p.Versions, current) }

// geometryMode says what a write does with the stored geometry.
type geometryMode int

const (
	geometrySet    geometryMode = iota // the writer drew one (Geometry)
	geometryDerive                     // null: the union of the target districts, kept in step
	geometryKeep                       // a merge patch without a geometry member
)

// InterventionInput is one intervention as a writer sends it, parsed and checked. Geometry is
// in EPSG:3006.
type InterventionInput struct {
	Title, Description, Category, Horizon, Approach, LeadOrg, Status string
	Partners                                                         []string
	StartDate, EndDate                                               *time.Time
	HoursPerWeek, BudgetSEK                                          *float64
	DataClass                                                        string
	Illustrative                                                     bool
	Districts, Indicators, Categories                                []string
	Geometry                                                         orb.Geometry
	mode                                                             geometryMode
}

// Maximum sizes of a written intervention, beyond the table's own checks.
const (
	maxDescription = 10000
	maxListItems   = 200
	maxListItem    = 100
)

// interventionEnums mirror the CHECK constraints of migrations 001 and 005 (and the catalogue).
func interventionEnums() (category, horizon, approach, status, class, obsCategory []string) {
	l := NewCatalogue()
	iv, _ := l.Layer("interventions")
	obs, _ := l.Layer("observations")
	get := func(l *Layer, name string) []string { p, _ := l.Property(name); return p.Enum }
	return get(iv, "category"), get(iv, "horizon"), get(iv, "approach"), get(iv, "status"), get(iv, "data_class"), get(obs, "category")
}

// ParseInterventionFeature parses a GeoJSON Feature written to the interventions collection,
// its geometry in CRS in (CRS84 or EPSG:3006). A null or absent geometry means: the union of
// the target districts. Every error is an *InvalidError naming the member at fault.
func ParseInterventionFeature(body []byte, in crs.CRS) (*InterventionInput, error) {
	doc, err := featureMembers(body)
	if err != nil {
		return nil, err
	}
	props := map[string]json.RawMessage{}
	if raw, ok := doc["properties"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &props); err != nil {
			return nil, Invalid("properties", "must be a JSON object")
		}
	}
	iv, err := parseInterventionProperties(props)
	if err != nil {
		return nil, err
	}
	if err := iv.setGeometry(doc["geometry"], in); err != nil {
		return nil, err
	}
	return iv, nil
}

// featureMembers decodes the top level of a Feature: type must be "Feature"; id, links and
// bbox are allowed (a client may send back what it read) and ignored here; nothing else is.
func featureMembers(body []byte) (map[string]json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return nil, Invalid("body", "must be a GeoJSON Feature (a JSON object)")
	}
	var typ string
	if raw, ok := doc["type"]; !ok || json.Unmarshal(raw, &typ) != nil || typ != "Feature" {
		return nil, Invalid("type", `must be "Feature"`)
	}
	names := make([]string, 0, len(doc))
	for name := range doc {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch name {
		case "type", "geometry", "properties", "id", "links", "bbox":
		default:
			return nil, Invalid(name, "unknown member of a Feature; properties go in properties")
		}
	}
	return doc, nil
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" }

// fieldParser reads the properties object of one write, naming each field it refuses.
type fieldParser struct {
	props map[string]json.RawMessage
	err   error
}

// fail records the first refusal: the field, its reason code and values (InvalidCode).
func (f *fieldParser) fail(name, code string, values map[string]any, format string, args ...any) {
	if f.err == nil {
		f.err = InvalidCode("properties."+name, code, values, format, args...)
	}
}

func (f *fieldParser) raw(name string) (json.RawMessage, bool) {
	raw, ok := f.props[name]
	if !ok || isNull(raw) {
		return nil, false
	}
	return raw, true
}

func (f *fieldParser) str(name string, required bool, maxLen int, enum []string, def string) string {
	raw, ok := f.raw(name)
	if !ok {
		if required {
			f.fail(name, CodeRequired, nil, "required")
		}
		return def
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		f.fail(name, CodeFormat, map[string]any{"format": FormatText}, "must be a string")
		return def
	}
	switch {
	case len(enum) > 0 && !slices.Contains(enum, s):
		f.fail(name, CodeNotOneOf, map[string]any{"value": s}, "%q is not one of %s", s, strings.Join(enum, ", "))
	case required && strings.TrimSpace(s) == "":
		f.fail(name, CodeRequired, nil, "must not be empty")
	case utf8.RuneCountInString(s) > maxLen:
		f.fail(name, CodeTooLong, map[string]any{"max": maxLen}, "longer than %d characters", maxLen)
	case strings.ContainsRune(s, 0):
		f.fail(name, CodeFormat, map[string]any{"format": FormatText}, "must not contain NUL")
	}
	return s
}

func (f *fieldParser) list(name string, enum []string) []string {
	out := []string{}
	raw, ok := f.raw(name)
	if !ok {
		return out
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		f.fail(name, CodeFormat, map[string]any{"format": FormatList}, "must be an array of strings")
		return []string{}
	}
	if len(out) > maxListItems {
		f.fail(name, CodeTooMany, map[string]any{"max": maxListItems}, "more than %d items", maxListItems)
	}
	seen := map[string]bool{}
	for _, s := range out {
		switch {
		case strings.TrimSpace(s) == "" || utf8.RuneCountInString(s) > maxListItem || strings.ContainsRune(s, 0):
			f.fail(name, CodeTooLong, map[string]any{"max": maxListItem}, "items must be 1 to %d characters", maxListItem)
		case len(enum) > 0 && !slices.Contains(enum, s):
			f.fail(name, CodeNotOneOf, map[string]any{"value": s}, "%q is not one of %s", s, strings.Join(enum, ", "))
		case seen[s]:
			f.fail(name, CodeDuplicate, map[string]any{"value": s}, "%q is listed twice", s)
		}
		seen[s] = true
	}
	return out
}

func (f *fieldParser) date(name string) *time.Time {
	raw, ok := f.raw(name)
	if !ok {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		f.fail(name, CodeFormat, map[string]any{"format": FormatDate}, "must be a date (YYYY-MM-DD) or null")
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		f.fail(name, CodeFormat, map[string]any{"format": FormatDate}, "%q is not a date (YYYY-MM-DD)", s)
		return nil
	}
	if t.Before(minInterventionDate) || t.After(maxInterventionDate) {
		// Years like 0001 or 9999 parse, but the follow-up's periods and the database's
		// date arithmetic overflow on them; no intervention here runs outside these years.
		lo, hi := minInterventionDate.Format(time.DateOnly), maxInterventionDate.Format(time.DateOnly)
		f.fail(name, CodeOutOfRange, map[string]any{"min": lo, "max": hi}, "%s is not between %s and %s", s, lo, hi)
		return nil
	}
	return &t
}

// The dates an intervention may carry, and the caps of its amounts.
var (
	minInterventionDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxInterventionDate = time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
)

const (
	maxHoursPerWeek = 168  // the hours in a week
	maxBudgetSEK    = 1e12 // more than the state budget; above it a typo, not a budget
)

func (f *fieldParser) amount(name string, maxValue float64) *float64 {
	raw, ok := f.raw(name)
	if !ok {
		return nil
	}
	var v float64
	if json.Unmarshal(raw, &v) != nil || math.IsInf(v, 0) {
		f.fail(name, CodeFormat, map[string]any{"format": FormatNumber}, "must be a finite number or null")
		return nil
	}
	if v < 0 {
		f.fail(name, CodeOutOfRange, map[string]any{"min": 0, "max": maxValue}, "must not be negative")
	}
	if v > maxValue {
		f.fail(name, CodeOutOfRange, map[string]any{"min": 0, "max": maxValue}, "%g is more than %g", v, maxValue)
	}
	return &v
}

func (f *fieldParser) boolean(name string) bool {
	raw, ok := f.raw(name)
	if !ok {
		return false
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		f.fail(name, CodeFormat, map[string]any{"format": FormatBoolean}, "must be true or false")
	}
	return b
}

// parseInterventionProperties checks the properties of a whole intervention (absent or null
// optional fields take their defaults). Unknown names are refused, the first in sort order.
func parseInterventionProperties(props map[string]json.RawMessage) (*InterventionInput, error) {
	cat := NewCatalogue()
	l, _ := cat.Layer("interventions")
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := l.Property(name); !ok {
			return nil, InvalidCode("properties."+name, CodeUnknown, map[string]any{"value": name}, "unknown property; the properties of an intervention are those of the interventions collection")
		}
	}
	category, horizon, approach, status, class, obsCategory := interventionEnums()
	f := &fieldParser{props: props}
	iv := &InterventionInput{
		Title:        f.str("title", true, 200, nil, ""),
		Description:  f.str("description", false, maxDescription, nil, ""),
		Category:     f.str("category", true, 100, category, ""),
		Horizon:      f.str("horizon", true, 100, horizon, ""),
		Approach:     f.str("approach", true, 100, approach, ""),
		LeadOrg:      f.str("lead_org", true, 100, nil, ""),
		Partners:     f.list("partners", nil),
		Status:       f.str("status", true, 100, status, ""),
		StartDate:    f.date("start_date"),
		EndDate:      f.date("end_date"),
		HoursPerWeek: f.amount("hours_per_week", maxHoursPerWeek),
		BudgetSEK:    f.amount("budget_sek", maxBudgetSEK),
		Districts:    f.list("target_districts", nil),
		Indicators:   f.list("target_indicators", nil),
		Categories:   f.list("target_categories", obsCategory),
		DataClass:    f.str("data_class", false, 100, class, string(l.Class)),
		Illustrative: f.boolean("illustrative"),
	}
	if f.err == nil && iv.StartDate != nil && iv.EndDate != nil && iv.EndDate.Before(*iv.StartDate) {
		f.fail("end_date", CodeBefore, map[string]any{"other": "start_date"}, "%s is before start_date %s", iv.EndDate.Format(time.DateOnly), iv.StartDate.Format(time.DateOnly))
	}
	if f.err != nil {
		return nil, f.err
	}
	return iv, nil
}

// setGeometry parses the geometry member: absent or null derives it from the target
// districts; otherwise a Point, LineString or Polygon (or Multi-) in CRS in, inside EPSG:3006's
// area of use, which is projected to EPSG:3006. GeometryCollections are refused: tiles and
// the page draw one kind of shape per feature.
func (iv *InterventionInput) setGeometry(raw json.RawMessage, in crs.CRS) error {
	if isNull(raw) {
		iv.mode = geometryDerive
		return nil
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil || g.Coordinates == nil {
		return Invalid("geometry", "not a GeoJSON geometry: %v", errOr(err, "no coordinates"))
	}
	switch g.Coordinates.(type) {
	case orb.Point, orb.MultiPoint, orb.LineString, orb.MultiLineString, orb.Polygon, orb.MultiPolygon:
	default:
		return Invalid("geometry", "%s is not accepted; use Point, LineString, Polygon or their Multi- forms", g.Type)
	}
	if err := checkShape(g.Coordinates); err != nil {
		return err
	}
	b := g.Coordinates.Bound()
	switch in {
	case crs.CRS84:
		if b.Min[0] < areaMinLon || b.Max[0] > areaMaxLon || b.Min[1] < areaMinLat || b.Max[1] > areaMaxLat {
			return Invalid("geometry", "coordinates outside Sweden (EPSG:3006's area of use, lon %g–%g, lat %g–%g); CRS84 is longitude, latitude",
				areaMinLon, areaMaxLon, areaMinLat, areaMaxLat)
		}
	case crs.SWEREF99TM:
		if b.Min[0] < swerefMinX || b.Max[0] > swerefMaxX || b.Min[1] < swerefMinY || b.Max[1] > swerefMaxY {
			return Invalid("geometry", "coordinates outside Sweden in EPSG:3006 (easting %g–%g, northing %g–%g); EPSG:3006 is easting, northing",
				swerefMinX, swerefMaxX, swerefMinY, swerefMaxY)
		}
	default:
		return Invalid("Content-Crs", "unsupported CRS %v", in)
	}
	projected, err := crs.Transform(g.Coordinates, in, crs.SWEREF99TM)
	if err != nil {
		return Invalid("geometry", "%v", err)
	}
	iv.Geometry, iv.mode = projected, geometrySet
	return nil
}

// checkShape refuses what PostGIS would refuse on input or that cannot be valid: empty
// geometries, lines of one point, rings that are short or not closed.
func checkShape(g orb.Geometry) error {
	ring := func(r orb.Ring) error {
		if len(r) < 4 || r[0] != r[len(r)-1] {
			return Invalid("geometry", "a polygon ring needs at least 4 positions and must end where it starts")
		}
		return nil
	}
	polygon := func(p orb.Polygon) error {
		if len(p) == 0 {
			return Invalid("geometry", "empty polygon")
		}
		for _, r := range p {
			if err := ring(r); err != nil {
				return err
			}
		}
		return nil
	}
	line := func(l orb.LineString) error {
		if len(l) < 2 {
			return Invalid("geometry", "a line needs at least 2 positions")
		}
		return nil
	}
	switch t := g.(type) {
	case orb.MultiPoint:
		if len(t) == 0 {
			return Invalid("geometry", "empty geometry")
		}
	case orb.LineString:
		return line(t)
	case orb.MultiLineString:
		if len(t) == 0 {
			return Invalid("geometry", "empty geometry")
		}
		for _, l := range t {
			if err := line(l); err != nil {
				return err
			}
		}
	case orb.Polygon:
		return polygon(t)
	case orb.MultiPolygon:
		if len(t) == 0 {
			return Invalid("geometry", "empty geometry")
		}
		for _, p := range t {
			if err := polygon(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// ParseInterventionID turns a feature id from a URL into an intervention id; anything that
// is not a positive integer is an id no intervention has (ErrNotFound).
func ParseInterventionID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("intervention %q: %w", id, ErrNotFound)
	}
	return n, nil
}

// CreateIntervention stores a new intervention at version 1 with its targets and a history
// entry, in one transaction, and returns its id. changedBy is the organisation or role that
// writes ("" until access control knows it; never a person).
func (s *Store) CreateIntervention(ctx context.Context, iv *InterventionInput, changedBy string) (int64, error) {
	var id int64
	err := s.writeTx(ctx, func(tx pgx.Tx) error {
		if err := checkReferences(ctx, tx, iv); err != nil {
			return err
		}
		ewkb, err := iv.ewkb()
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, insertInterventionSQL, iv.args(ewkb)...).Scan(&id); err != nil {
			return fmt.Errorf("insert intervention: %w", err)
		}
		if err := writeTargets(ctx, tx, id, iv); err != nil {
			return err
		}
		return recordHistory(ctx, tx, id, 1, "create", changedBy, nil)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// InterventionWrite is what a change of an intervention did.
type InterventionWrite struct {
	Version int64 // the version now current (for a delete: the history's last)
	// Class is the highest class the write touched, before and after: the class of its
	// history entry, and of its audit entry.
	Class DataClass
}

// ReplaceIntervention replaces intervention id (PUT) when its current version satisfies pre.
// Errors wrap ErrNotFound (no such intervention, or one the caller may not read),
// ErrForbidden (one it may read but not change, or a class it may not set), ErrVersionMismatch,
// ErrConflict, or are *InvalidError.
func (s *Store) ReplaceIntervention(ctx context.Context, id int64, pre Precondition, iv *InterventionInput, changedBy string) (InterventionWrite, error) {
	return s.updateIntervention(ctx, id, pre, "replace", changedBy, func(context.Context, pgx.Tx) (*InterventionInput, error) {
		return iv, nil
	})
}

// PatchIntervention applies a JSON merge patch (RFC 7396) to intervention id: members of
// properties replace the stored values, null ones reset them (required ones cannot be
// reset); a geometry member replaces the geometry (null: derive it from the target
// districts), its absence keeps it. The result is checked as a whole, like a PUT. in is the
// CRS of the patch's geometry. A patch without geometry whose properties all equal the stored
// ones (an empty patch, too) writes nothing and returns the current version, once If-Match holds.
// Errors are those of ReplaceIntervention.
func (s *Store) PatchIntervention(ctx context.Context, id int64, pre Precondition, patch []byte, in crs.CRS, changedBy string) (InterventionWrite, error) {
	doc, err := patchMembers(patch)
	if err != nil {
		return InterventionWrite{}, err
	}
	return s.updateIntervention(ctx, id, pre, "update", changedBy, func(ctx context.Context, tx pgx.Tx) (*InterventionInput, error) {
		var current []byte
		if err := tx.QueryRow(ctx, currentPropertiesSQL, id).Scan(&current); err != nil {
			return nil, fmt.Errorf("intervention %d: current properties: %w", id, err)
		}
		props := map[string]json.RawMessage{}
		if err := json.Unmarshal(current, &props); err != nil {
			return nil, fmt.Errorf("intervention %d: current properties: %w", id, err)
		}
		// The view may publish more than the declaration (a later migration); only declared
		// properties are written back.
		l, _ := NewCatalogue().Layer("interventions")
		for name := range props {
			if _, ok := l.Property(name); !ok {
				delete(props, name)
			}
		}
		_, geometryChanges := doc["geometry"]
		unchanged := !geometryChanges
		if raw, ok := doc["properties"]; ok {
			var changes map[string]json.RawMessage
			if isNull(raw) || json.Unmarshal(raw, &changes) != nil {
				return nil, Invalid("properties", "must be a JSON object of the properties to change")
			}
			for name, v := range changes {
				if _, declared := l.Property(name); !declared || !sameJSON(props[name], v) {
					unchanged = false
				}
			}
			for name, v := range changes {
				if isNull(v) {
					delete(props, name)
				} else {
					props[name] = v
				}
			}
		}
		if unchanged {
			// A patch that changes nothing writes nothing: no new version, no history entry.
			return nil, nil
		}
		iv, err := parseInterventionProperties(props)
		if err != nil {
			return nil, err
		}
		if raw, ok := doc["geometry"]; ok {
			if err := iv.setGeometry(raw, in); err != nil {
				return nil, err
			}
		} else {
			iv.mode = geometryKeep
		}
		return iv, nil
	})
}

// sameJSON reports whether a merge patch's value for a property leaves the stored one as it is:
// equal JSON values (12.5 and 12.50 alike), or null for a property that is absent or null.
func sameJSON(stored, patch json.RawMessage) bool {
	var a, b any
	if isNull(stored) || isNull(patch) {
		return isNull(stored) && isNull(patch)
	}
	if json.Unmarshal(stored, &a) != nil || json.Unmarshal(patch, &b) != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

// patchMembers decodes the top level of a merge patch: properties, geometry, and type (which,
// if present, must stay "Feature").
func patchMembers(patch []byte) (map[string]json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(patch, &doc); err != nil || doc == nil {
		return nil, Invalid("body", "must be a JSON merge patch (a JSON object)")
	}
	names := make([]string, 0, len(doc))
	for name := range doc {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch name {
		case "properties", "geometry":
		case "type":
			var typ string
			if json.Unmarshal(doc[name], &typ) != nil || typ != "Feature" {
				return nil, Invalid("type", `must stay "Feature"`)
			}
		default:
			return nil, Invalid(name, "cannot be patched; a patch changes properties and geometry")
		}
	}
	return doc, nil
}

// updateIntervention is the shared body of PUT and PATCH: lock the row, check the version,
// build the new state, write row, targets and history. A build that returns no state (nil,
// nil) changes nothing: the locked version is returned and nothing is written.
func (s *Store) updateIntervention(ctx context.Context, id int64, pre Precondition, op, changedBy string,
	build func(context.Context, pgx.Tx) (*InterventionInput, error)) (InterventionWrite, error) {
	var w InterventionWrite
	err := s.writeTx(ctx, func(tx pgx.Tx) error {
		cur, err := lockIntervention(ctx, tx, id, pre)
		if err != nil {
			return err
		}
		w.Class = cur.class
		iv, err := build(ctx, tx)
		if err != nil {
			return err
		}
		if iv == nil { // nothing changes: the current version stands
			w.Version = cur.version
			return nil
		}
		if err := checkReferences(ctx, tx, iv); err != nil {
			return err
		}
		ewkb, err := iv.ewkb()
		if err != nil {
			return err
		}
		args := append(iv.args(ewkb), id, iv.mode == geometryKeep)
		if err := tx.QueryRow(ctx, updateInterventionSQL, args...).Scan(&w.Version); err != nil {
			return fmt.Errorf("update intervention %d: %w", id, err)
		}
		to := DataClass(iv.DataClass)
		if classRank(to) > classRank(w.Class) {
			w.Class = to
		}
		if err := writeTargets(ctx, tx, id, iv); err != nil {
			return err
		}
		if classRank(to) < classRank(cur.class) {
			if err := recordDeclassification(ctx, tx, id, w.Version, op, cur.class, to); err != nil {
				return err
			}
		}
		return recordHistory(ctx, tx, id, w.Version, op, changedBy, cur.snapshot)
	})
	if err != nil {
		return InterventionWrite{}, err
	}
	return w, nil
}

// DeleteIntervention removes intervention id (with its targets) when its current version
// satisfies pre; the history keeps its last state under the next version number, which it
// returns. Errors are those of ReplaceIntervention.
func (s *Store) DeleteIntervention(ctx context.Context, id int64, pre Precondition, changedBy string) (InterventionWrite, error) {
	var w InterventionWrite
	err := s.writeTx(ctx, func(tx pgx.Tx) error {
		cur, err := lockIntervention(ctx, tx, id, pre)
		if err != nil {
			return err
		}
		w.Class = cur.class
		if err := tx.QueryRow(ctx, `DELETE FROM interventions WHERE id = $1 RETURNING version + 1`, id).Scan(&w.Version); err != nil {
			return fmt.Errorf("delete intervention %d: %w", id, err)
		}
		_, err = tx.Exec(ctx, insertHistorySQL, id, w.Version, "delete", nullable(changedBy), cur.snapshot, nil)
		if err != nil {
			return fmt.Errorf("intervention %d: history: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return InterventionWrite{}, err
	}
	return w, nil
}

// recordDeclassification appends the audit entry of a write that lowers intervention id's
// class, in the write's transaction: the lowering and its record stand or fall together. The
// entry is as restricted as the class the row leaves. Method and path are those of the API
// operation (op); the request's address is on the write's own entry (web/auth/audit.go).
func recordDeclassification(ctx context.Context, tx pgx.Tx, id, version int64, op string, from, to DataClass) error {
	method := map[string]string{"replace": "PUT", "update": "PATCH"}[op]
	e := AuditEntry{Action: AuditDeclassify, ObjectType: "interventions", ObjectID: strconv.FormatInt(id, 10),
		Method: method, Path: "/collections/interventions/items/" + strconv.FormatInt(id, 10), Status: 200,
		DataClass: from, Details: map[string]any{"from": string(from), "to": string(to), "version": version}}
	e.SetPrincipal(PrincipalFrom(ctx))
	args, err := auditArgs(e)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, insertAuditSQL, args...); err != nil {
		return fmt.Errorf("intervention %d: audit the declassification: %w", id, err)
	}
	return nil
}

// InterventionFeature returns intervention id as a feature of layer l (the interventions
// layer) in CRS out, with its version, read together.
func (s *Store) InterventionFeature(ctx context.Context, l *Layer, id string, out crs.CRS) (Feature, int64, error) {
	n, err := ParseInterventionID(id)
	if err != nil {
		return Feature{}, 0, err
	}
	q := Query{CRS: out}
	parts := buildSelect(l, &q)
	args := append(parts.args, n)
	sql := parts.sel + ", i.version FROM " + parts.from + " JOIN interventions i ON i.id = t." + ident(l.IDColumn) +
		fmt.Sprintf(" WHERE i.id = $%d", len(args))
	var version int64
	f, err := parts.scanner(&version).scan(s.pool.QueryRow(ctx, sql, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return Feature{}, 0, fmt.Errorf("intervention %d: %w", n, ErrNotFound)
	}
	if err != nil {
		return Feature{}, 0, fmt.Errorf("intervention %d: %w", n, err)
	}
	return f, version, nil
}

// HistoryEntry is one write of an intervention. Before and After are the whole published row
// (geometry as GeoJSON in EPSG:3006); Before is null for a create, After for a delete.
type HistoryEntry struct {
	Version   int64           `json:"version"`
	Operation string          `json:"operation"`
	ChangedAt time.Time       `json:"changed_at"`
	ChangedBy *string         `json:"changed_by"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
}

// InterventionHistory lists the writes of intervention id, oldest first. An intervention
// that was never written through the API (demo, import) has none; one that never existed
// and has no history is ErrNotFound. A deleted intervention keeps its history.
func (s *Store) InterventionHistory(ctx context.Context, id int64) ([]HistoryEntry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT version, operation, changed_at, changed_by, before, after
		FROM intervention_history WHERE intervention_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("intervention %d: history: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (HistoryEntry, error) {
		var h HistoryEntry
		var before, after []byte
		err := r.Scan(&h.Version, &h.Operation, &h.ChangedAt, &h.ChangedBy, &before, &after)
		h.Before, h.After = before, after
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("intervention %d: history: %w", id, err)
	}
	if len(out) > 0 {
		return out, nil
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM interventions WHERE id = $1)`, id).Scan(&exists); err != nil {
		return nil, fmt.Errorf("intervention %d: %w", id, err)
	}
	if !exists {
		return nil, fmt.Errorf("intervention %d: %w", id, ErrNotFound)
	}
	return []HistoryEntry{}, nil
}

// writeTx runs fn in one transaction. Integrity and serialisation errors the checks before
// the write could not foresee (a referenced row removed concurrently) wrap ErrConflict (409);
// a refusal by row-level security or the rules' trigger (42501, insufficient_privilege) wraps
// ErrForbidden (403) with the database's message, which names the rule.
func (s *Store) writeTx(ctx context.Context, fn func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, fn)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "23") || pgErr.Code == "40001" || pgErr.Code == "40P01") {
		return fmt.Errorf("%w: %s", ErrConflict, pgErr.Message)
	}
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return forbiddenError{pgErr}
	}
	return err
}

// forbiddenError is a refusal by the database (42501): it is ErrForbidden and the
// *pgconn.PgError, and reads as the database's message, which names the rule.
type forbiddenError struct{ pg *pgconn.PgError }

func (e forbiddenError) Error() string   { return ErrForbidden.Error() + ": " + e.pg.Message }
func (e forbiddenError) Unwrap() []error { return []error{ErrForbidden, e.pg} }

// lockedIntervention is the state of an intervention a write has locked.
type lockedIntervention struct {
	version  int64
	class    DataClass
	snapshot []byte // the whole published row, for the history
}

// lockIntervention locks row id for the rest of the transaction, checks its version against
// pre, and returns its current state. Row-level security lets only who may change the row
// lock it (migration 017): a row the caller may read but not change is ErrForbidden, naming
// its owner; one it may not read is ErrNotFound, as for a reader.
func lockIntervention(ctx context.Context, tx pgx.Tx, id int64, pre Precondition) (lockedIntervention, error) {
	cur := lockedIntervention{}
	err := tx.QueryRow(ctx, `SELECT version, data_class FROM interventions WHERE id = $1 FOR UPDATE`, id).Scan(&cur.version, &cur.class)
	if errors.Is(err, pgx.ErrNoRows) {
		return cur, refusedLock(ctx, tx, id)
	}
	if err != nil {
		return cur, fmt.Errorf("intervention %d: lock: %w", id, err)
	}
	if !pre.holds(cur.version) {
		return cur, fmt.Errorf("intervention %d is at version %d (ETag \"v%d\"), not the one If-Match names: %w", id, cur.version, cur.version, ErrVersionMismatch)
	}
	if err := tx.QueryRow(ctx, snapshotSQL, id).Scan(&cur.snapshot); err != nil {
		return cur, fmt.Errorf("intervention %d: snapshot: %w", id, err)
	}
	return cur, nil
}

// refusedLock says why intervention id could not be locked: it does not exist for the caller
// (ErrNotFound), or the caller may read it but not change it (ErrForbidden).
func refusedLock(ctx context.Context, tx pgx.Tx, id int64) error {
	var owner *string
	err := tx.QueryRow(ctx, `SELECT owner_org FROM interventions WHERE id = $1`, id).Scan(&owner)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("intervention %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("intervention %d: %w", id, err)
	}
	if owner == nil {
		return fmt.Errorf("%w: intervention %d has no owning organisation; only the municipality's admins may change it", ErrForbidden, id)
	}
	return fmt.Errorf("%w: intervention %d belongs to organisation %s; only its editors and admins, and the municipality's admins, may change it",
		ErrForbidden, id, *owner)
}

// checkReferences checks, inside the write's transaction, that the target districts and
// indicators exist and that a drawn geometry is valid, so the error names the field.
func checkReferences(ctx context.Context, tx pgx.Tx, iv *InterventionInput) error {
	for _, ref := range []struct{ field, sql string }{
		{"target_districts", `SELECT c FROM unnest($1::text[]) c WHERE NOT EXISTS (SELECT 1 FROM districts d WHERE d.code = c) ORDER BY c`},
		{"target_indicators", `SELECT c FROM unnest($1::text[]) c WHERE NOT EXISTS (SELECT 1 FROM indicators i WHERE i.key = c) ORDER BY c`},
	} {
		list := iv.Districts
		if ref.field == "target_indicators" {
			list = iv.Indicators
		}
		if len(list) == 0 {
			continue
		}
		rows, _ := tx.Query(ctx, ref.sql, list)
		unknown, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("check %s: %w", ref.field, err)
		}
		if len(unknown) > 0 {
			return InvalidCode("properties."+ref.field, CodeUnknown, map[string]any{"value": strings.Join(unknown, ", ")}, "unknown: %s", strings.Join(unknown, ", "))
		}
	}
	if iv.mode != geometrySet {
		return nil
	}
	ewkb, err := iv.ewkb()
	if err != nil {
		return err
	}
	var reason *string
	if err := tx.QueryRow(ctx, `SELECT CASE WHEN ST_IsValid(g) THEN NULL ELSE ST_IsValidReason(g) END
		FROM (SELECT ST_GeomFromEWKB($1::bytea) AS g) x`, ewkb).Scan(&reason); err != nil {
		return Invalid("geometry", "PostGIS cannot read it")
	}
	if reason != nil {
		return Invalid("geometry", "not valid: %s", *reason)
	}
	return nil
}

func (iv *InterventionInput) ewkb() ([]byte, error) {
	if iv.mode != geometrySet {
		return nil, nil
	}
	b, err := toEWKB(iv.Geometry)
	if err != nil {
		return nil, Invalid("geometry", "%v", err)
	}
	return b, nil
}

// args are $1..$16 of insertInterventionSQL and updateInterventionSQL.
func (iv *InterventionInput) args(ewkb []byte) []any {
	var start, end *string
	if iv.StartDate != nil {
		s := iv.StartDate.Format(time.DateOnly)
		start = &s
	}
	if iv.EndDate != nil {
		s := iv.EndDate.Format(time.DateOnly)
		end = &s
	}
	return []any{iv.Title, iv.Description, iv.Category, iv.Horizon, iv.Approach, iv.LeadOrg, iv.Partners, iv.Status,
		start, end, iv.HoursPerWeek, iv.BudgetSEK, iv.DataClass, iv.Illustrative, ewkb, iv.Districts}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// derivedGeometrySQL is the union of the target districts ($16), or NULL without any.
const derivedGeometrySQL = `(SELECT ST_Multi(ST_Union(d.geom)) FROM districts d WHERE d.code = ANY($16::text[]))`

const insertInterventionSQL = `
INSERT INTO interventions (title, description, category, horizon, approach, lead_org, partners, status,
                           start_date, end_date, hours_per_week, budget_sek, data_class, illustrative,
                           geom_from_districts, geom)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10::date, $11, $12, $13, $14,
        $15::bytea IS NULL,
        CASE WHEN $15::bytea IS NULL THEN ` + derivedGeometrySQL + ` ELSE ST_GeomFromEWKB($15::bytea) END)
RETURNING id`

// updateInterventionSQL takes the id as $17 and, as $18, whether to keep the geometry (a
// patch without one): a drawn geometry stays, a derived one follows the new districts.
const updateInterventionSQL = `
UPDATE interventions SET
    title = $1, description = $2, category = $3, horizon = $4, approach = $5, lead_org = $6, partners = $7,
    status = $8, start_date = $9::date, end_date = $10::date, hours_per_week = $11, budget_sek = $12,
    data_class = $13, illustrative = $14,
    geom_from_districts = CASE WHEN $18::boolean THEN geom_from_districts ELSE $15::bytea IS NULL END,
    geom = CASE WHEN $18::boolean AND NOT geom_from_districts THEN geom
                WHEN $15::bytea IS NOT NULL THEN ST_GeomFromEWKB($15::bytea)
                ELSE ` + derivedGeometrySQL + ` END,
    version = version + 1,
    updated_at = now()
WHERE id = $17
RETURNING version`

// currentPropertiesSQL is the published properties of one intervention as a JSON object.
const currentPropertiesSQL = `SELECT to_jsonb(f) - 'id' - 'geom' - 'geom_3857' FROM interventions_features f WHERE f.id = $1`

// snapshotSQL is the whole published row for the history: properties, target lists,
// version, and the geometry as GeoJSON in EPSG:3006 (centimetres).
const snapshotSQL = `
SELECT (to_jsonb(f) - 'geom' - 'geom_3857')
       || jsonb_build_object('version', i.version, 'geometry_from_districts', i.geom_from_districts,
                             'geometry', ST_AsGeoJSON(i.geom, 2)::jsonb)
FROM interventions_features f JOIN interventions i ON i.id = f.id
WHERE f.id = $1`

const insertHistorySQL = `
INSERT INTO intervention_history (intervention_id, version, operation, changed_by, before, after)
VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)`

// writeTargets replaces the target districts, indicators and categories of intervention id.
func writeTargets(ctx context.Context, tx pgx.Tx, id int64, iv *InterventionInput) error {
	batch := &pgx.Batch{}
	batch.Queue(`DELETE FROM intervention_districts WHERE intervention_id = $1`, id)
	batch.Queue(`DELETE FROM intervention_targets WHERE intervention_id = $1`, id)
	batch.Queue(`INSERT INTO intervention_districts (intervention_id, district_code) SELECT $1, unnest($2::text[])`, id, iv.Districts)
	batch.Queue(`INSERT INTO intervention_targets (intervention_id, indicator_key) SELECT $1, unnest($2::text[])`, id, iv.Indicators)
	batch.Queue(`INSERT INTO intervention_targets (intervention_id, observation_category) SELECT $1, unnest($2::text[])`, id, iv.Categories)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("intervention %d: targets: %w", id, err)
	}
	return nil
}

// recordHistory appends the history entry of a write; after is read back from the database
// so it is exactly what is now published.
func recordHistory(ctx context.Context, tx pgx.Tx, id, version int64, op, changedBy string, before []byte) error {
	var after []byte
	if err := tx.QueryRow(ctx, snapshotSQL, id).Scan(&after); err != nil {
		return fmt.Errorf("intervention %d: snapshot: %w", id, err)
	}
	if _, err := tx.Exec(ctx, insertHistorySQL, id, version, op, nullable(changedBy), before, after); err != nil {
		return fmt.Errorf("intervention %d: history: %w", id, err)
	}
	return nil
}
