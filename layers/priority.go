package layers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/priority"
)

// PriorityScenario is a named weighting of the need index: one organisation's perspective.
type PriorityScenario struct {
	ID     string `json:"id"`
	NameSV string `json:"name_sv"`
	NameEN string `json:"name_en"`
	// Organisation is the name shown for the scenario: the owner's name for a scenario
	// written through the API, the migration's label for a built-in one.
	Organisation string `json:"organisation"`
	// Owner is the code of the organisation the scenario belongs to, whose editors and admins
	// alone change it; nil for built-in scenarios (and ones made before owners were
	// recorded), which only the operator changes (migration 019).
	Owner         *string            `json:"owner"`
	Rationale     string             `json:"rationale"`
	Preset        string             `json:"preset,omitempty"` // "scb" or empty
	Normalisation string             `json:"normalisation"`
	Aggregation   string             `json:"aggregation"`
	Winsor        float64            `json:"winsor"`
	MinCoverage   float64            `json:"min_coverage"`
	Weights       map[string]float64 `json:"weights"`
	ThemeWeights  map[string]float64 `json:"theme_weights"`
	Builtin       bool               `json:"builtin"`
	Illustrative  bool               `json:"illustrative"`
	UpdatedAt     time.Time          `json:"updated_at"`
	// Version is raised by every change; a change names the version it was made from
	// (If-Match) and is refused when another change came first (migration 020).
	Version int64 `json:"version"`
}

const scenarioSQL = `
SELECT s.id, s.name_sv, s.name_en, s.organisation, s.owner_org, s.rationale, coalesce(s.preset, ''), s.normalisation,
       s.aggregation, s.winsor, s.min_coverage, s.theme_weights,
       coalesce((SELECT jsonb_object_agg(w.indicator_key, w.weight) FROM priority_scenario_weights w
                  WHERE w.scenario_id = s.id), '{}'::jsonb),
       s.builtin, s.illustrative, s.updated_at, s.version
FROM priority_scenarios s`

func scanScenario(r pgx.Row) (PriorityScenario, error) {
	var sc PriorityScenario
	var themes, weights []byte
	err := r.Scan(&sc.ID, &sc.NameSV, &sc.NameEN, &sc.Organisation, &sc.Owner, &sc.Rationale, &sc.Preset, &sc.Normalisation,
		&sc.Aggregation, &sc.Winsor, &sc.MinCoverage, &themes, &weights, &sc.Builtin, &sc.Illustrative, &sc.UpdatedAt, &sc.Version)
	if err != nil {
		return sc, err
	}
	if err := json.Unmarshal(themes, &sc.ThemeWeights); err != nil {
		return sc, fmt.Errorf("theme weights of %s: %w", sc.ID, err)
	}
	if err := json.Unmarshal(weights, &sc.Weights); err != nil {
		return sc, fmt.Errorf("weights of %s: %w", sc.ID, err)
	}
	sc.UpdatedAt = sc.UpdatedAt.UTC()
	return sc, nil
}

// PriorityScenarios returns every stored scenario, built-in ones first, then by id.
func (s *Store) PriorityScenarios(ctx context.Context) ([]PriorityScenario, error) {
	rows, err := s.pool.Query(ctx, scenarioSQL+` ORDER BY s.builtin DESC, s.id`)
	if err != nil {
		return nil, fmt.Errorf("priority scenarios: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PriorityScenario, error) { return scanScenario(r) })
	if err != nil {
		return nil, fmt.Errorf("priority scenarios: %w", err)
	}
	return out, nil
}

// PriorityScenario returns one scenario; an unknown id wraps ErrNotFound.
func (s *Store) PriorityScenario(ctx context.Context, id string) (PriorityScenario, error) {
	sc, err := scanScenario(s.pool.QueryRow(ctx, scenarioSQL+` WHERE s.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return sc, fmt.Errorf("priority scenario %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return sc, fmt.Errorf("priority scenario %q: %w", id, err)
	}
	return sc, nil
}

// MaxScenariosPerOrganisation bounds the scenarios one organisation keeps: each is a
// perspective to compare, and the comparison and the list grow with their number (issue 12,
// review M3).
const MaxScenariosPerOrganisation = 20

// CreatePriorityScenario stores a new scenario (not built-in) in one transaction. It belongs
// to the caller's organisation and shows its name (sc.Organisation is used only when there
// is no caller: the operator). The caller has validated its values; the indicator keys are
// checked against the catalogue here, in the same transaction.
//
// Errors: an id already taken, or an organisation that already has
// MaxScenariosPerOrganisation scenarios, wraps ErrConflict; an unknown indicator is an
// *InvalidError for "weights"; a value the schema refuses is an *InvalidError naming the
// column.
func (s *Store) CreatePriorityScenario(ctx context.Context, sc PriorityScenario) (PriorityScenario, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One organisation's creates are serialised, so the count below holds until commit.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('priority_scenarios'), hashtext(coalesce(lgb_caller_org(), '')))`); err != nil {
			return fmt.Errorf("priority scenario %q: %w", sc.ID, err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM priority_scenarios WHERE owner_org = lgb_caller_org()`).Scan(&n); err != nil {
			return fmt.Errorf("priority scenario %q: %w", sc.ID, err)
		}
		if n >= MaxScenariosPerOrganisation {
			return fmt.Errorf("your organisation has %d priority scenarios, the most it may keep; delete one first: %w", n, ErrConflict)
		}
		themes, _ := json.Marshal(nonNil(sc.ThemeWeights))
		_, err := tx.Exec(ctx, `
INSERT INTO priority_scenarios (id, name_sv, name_en, organisation, rationale, preset, normalisation, aggregation,
                                winsor, min_coverage, theme_weights)
VALUES ($1, $2, $3, coalesce(lgb_organisation_name(lgb_caller_org()), $4), $5, nullif($6, ''), $7, $8, $9, $10, $11)`,
			sc.ID, sc.NameSV, sc.NameEN, sc.Organisation, sc.Rationale, sc.Preset, sc.Normalisation, sc.Aggregation,
			sc.Winsor, sc.MinCoverage, themes)
		if err != nil {
			return scenarioWriteError(sc.ID, err)
		}
		return writeScenarioWeights(ctx, tx, sc)
	})
	if err != nil {
		return PriorityScenario{}, err
	}
	return s.PriorityScenario(ctx, sc.ID)
}

// UpdatePriorityScenario replaces a stored scenario's values and weights in one
// transaction when its current version satisfies pre, and raises its version; its owner
// stays, and it shows the owner's name. Row-level security lets the server's role change only
// its caller's organisation's scenarios, never a built-in one; the operator (the owner role)
// changes any.
//
// Errors: an unknown id wraps ErrNotFound; a version pre does not name wraps
// ErrVersionMismatch; otherwise as CreatePriorityScenario.
func (s *Store) UpdatePriorityScenario(ctx context.Context, sc PriorityScenario, pre Precondition) (PriorityScenario, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := scenarioVersionHolds(ctx, tx, sc.ID, pre); err != nil {
			return err
		}
		themes, _ := json.Marshal(nonNil(sc.ThemeWeights))
		tag, err := tx.Exec(ctx, `
UPDATE priority_scenarios SET name_sv = $2, name_en = $3, organisation = coalesce(lgb_organisation_name(owner_org), $4),
       rationale = $5, preset = nullif($6, ''),
       normalisation = $7, aggregation = $8, winsor = $9, min_coverage = $10, theme_weights = $11,
       illustrative = false, updated_at = now(), version = version + 1
WHERE id = $1`,
			sc.ID, sc.NameSV, sc.NameEN, sc.Organisation, sc.Rationale, sc.Preset, sc.Normalisation, sc.Aggregation,
			sc.Winsor, sc.MinCoverage, themes)
		if err != nil {
			return scenarioWriteError(sc.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("priority scenario %q: %w", sc.ID, ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM priority_scenario_weights WHERE scenario_id = $1`, sc.ID); err != nil {
			return fmt.Errorf("priority scenario %q: %w", sc.ID, err)
		}
		return writeScenarioWeights(ctx, tx, sc)
	})
	if err != nil {
		return PriorityScenario{}, err
	}
	return s.PriorityScenario(ctx, sc.ID)
}

// scenarioVersionHolds locks scenario id and checks its version against pre. Errors: an
// unknown id wraps ErrNotFound, a version pre does not name ErrVersionMismatch.
func scenarioVersionHolds(ctx context.Context, tx pgx.Tx, id string, pre Precondition) error {
	var version int64
	err := tx.QueryRow(ctx, `SELECT version FROM priority_scenarios WHERE id = $1 FOR UPDATE`, id).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("priority scenario %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("priority scenario %q: %w", id, err)
	}
	if !pre.holds(version) {
		return fmt.Errorf("priority scenario %q is at version %d, not the one the change was made from; read it again: %w",
			id, version, ErrVersionMismatch)
	}
	return nil
}

// DeletePriorityScenario deletes a scenario and its weights when its current version
// satisfies pre. Errors: an unknown id wraps ErrNotFound; a built-in scenario wraps
// ErrConflict (edit it instead); a version pre does not name ErrVersionMismatch.
func (s *Store) DeletePriorityScenario(ctx context.Context, id string, pre Precondition) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var builtin bool
		var version int64
		err := tx.QueryRow(ctx, `SELECT builtin, version FROM priority_scenarios WHERE id = $1 FOR UPDATE`, id).Scan(&builtin, &version)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("priority scenario %q: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("priority scenario %q: %w", id, err)
		}
		if !pre.holds(version) {
			return fmt.Errorf("priority scenario %q is at version %d, not the one the deletion was made from; read it again: %w",
				id, version, ErrVersionMismatch)
		}
		if builtin {
			return fmt.Errorf("priority scenario %q is built in; edit it with PUT instead: %w", id, ErrConflict)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM priority_scenarios WHERE id = $1`, id); err != nil {
			return fmt.Errorf("priority scenario %q: %w", id, err)
		}
		return nil
	})
}

func writeScenarioWeights(ctx context.Context, tx pgx.Tx, sc PriorityScenario) error {
	keys := make([]string, 0, len(sc.Weights))
	weights := make([]float64, 0, len(sc.Weights))
	for k, w := range sc.Weights {
		keys = append(keys, k)
		weights = append(weights, w)
	}
	var unknown []string
	err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(k ORDER BY k), '{}') FROM unnest($1::text[]) k
	                          WHERE NOT EXISTS (SELECT 1 FROM indicators i WHERE i.key = k)`, keys).Scan(&unknown)
	if err != nil {
		return fmt.Errorf("priority scenario %q: %w", sc.ID, err)
	}
	if len(unknown) > 0 {
		return Invalid("weights", "unknown indicator %q", unknown[0])
	}
	_, err = tx.Exec(ctx, `INSERT INTO priority_scenario_weights (scenario_id, indicator_key, weight)
	                       SELECT $1, k, w FROM unnest($2::text[], $3::float8[]) AS t(k, w)`, sc.ID, keys, weights)
	if err != nil {
		return scenarioWriteError(sc.ID, err)
	}
	return nil
}

// scenarioWriteError turns constraint violations into answers naming the field.
func scenarioWriteError(id string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return fmt.Errorf("priority scenario %q already exists: %w", id, ErrConflict)
		case "23514", "22P02":
			field := map[string]string{
				"priority_scenarios_id_check": "id", "priority_scenarios_name_sv_check": "name_sv",
				"priority_scenarios_name_en_check": "name_en", "priority_scenarios_organisation_check": "organisation",
				"priority_scenarios_rationale_check": "rationale", "priority_scenarios_winsor_check": "winsor",
				"priority_scenarios_min_coverage_check": "min_coverage", "priority_scenarios_normalisation_check": "normalisation",
				"priority_scenarios_aggregation_check": "aggregation", "priority_scenarios_preset_check": "preset",
				"priority_scenario_weights_weight_check":        "weights",
				"priority_scenario_weights_indicator_key_check": "weights",
			}[pgErr.ConstraintName]
			if field == "" {
				field = "body"
			}
			return Invalid(field, "refused by the database: %s", pgErr.Message)
		}
	}
	return fmt.Errorf("priority scenario %q: %w", id, err)
}

func nonNil(m map[string]float64) map[string]float64 {
	if m == nil {
		return map[string]float64{}
	}
	return m
}

// FeasibilityInput is one configured input of the feasibility score.
type FeasibilityInput struct {
	Key          string   `json:"key"`
	Source       string   `json:"source"` // indicator, meeting_places, interventions or partner_layer
	IndicatorKey string   `json:"indicator_key,omitempty"`
	PlaceKinds   []string `json:"place_kinds,omitempty"`
	Direction    string   `json:"direction"` // higher_is_better or higher_is_worse (for the chance of success)
	Weight       float64  `json:"weight"`
	Rationale    string   `json:"rationale"`
	// A partner layer's district share (source partner_layer, see PartnerShares): the
	// layer, its summed property, and the indicator it is a share of ("" for the sum itself).
	PartnerLayer    string `json:"partner_layer,omitempty"`
	PartnerProperty string `json:"partner_property,omitempty"`
	PartnerTotal    string `json:"partner_total,omitempty"`
	// Unavailable says why the input is left out for this caller (set by the analysis).
	Unavailable string `json:"unavailable,omitempty" db:"-"`
}

// FeasibilityInputs returns the configured feasibility inputs, by key.
func (s *Store) FeasibilityInputs(ctx context.Context) ([]FeasibilityInput, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, source, coalesce(indicator_key, ''), place_kinds, direction, weight, rationale,
	                                        coalesce(partner_layer, ''), coalesce(partner_property, ''), coalesce(partner_total, '')
	                                 FROM priority_feasibility_inputs ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("feasibility inputs: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[FeasibilityInput])
	if err != nil {
		return nil, fmt.Errorf("feasibility inputs: %w", err)
	}
	return out, nil
}

// AreaType is one of Statistics Sweden's five area types with its cut points in standard
// deviations from the reference mean: [MinSD, MaxSD), nil = unbounded.
type AreaType struct {
	Type   int      `json:"area_type"`
	NameSV string   `json:"name_sv"`
	NameEN string   `json:"name_en"`
	MinSD  *float64 `json:"min_sd"`
	MaxSD  *float64 `json:"max_sd"`
	Source string   `json:"source"`
}

// SCBReference is the configured reference of the area types: nil fields mean "the areas
// evaluated".
type SCBReference struct {
	Mean, SD *float64
}

// AreaTypes returns the area types (1 … 5) and the configured reference.
func (s *Store) AreaTypes(ctx context.Context) ([]AreaType, SCBReference, error) {
	rows, err := s.pool.Query(ctx, `SELECT area_type, name_sv, name_en, min_sd, max_sd, source FROM priority_area_types ORDER BY area_type`)
	if err != nil {
		return nil, SCBReference{}, fmt.Errorf("area types: %w", err)
	}
	types, err := pgx.CollectRows(rows, pgx.RowToStructByPos[AreaType])
	if err != nil {
		return nil, SCBReference{}, fmt.Errorf("area types: %w", err)
	}
	var ref SCBReference
	err = s.pool.QueryRow(ctx, `SELECT (SELECT value FROM priority_settings WHERE key = 'scb_reference_mean'),
	                                   (SELECT value FROM priority_settings WHERE key = 'scb_reference_sd')`).Scan(&ref.Mean, &ref.SD)
	if err != nil {
		return nil, SCBReference{}, fmt.Errorf("area type reference: %w", err)
	}
	return types, ref, nil
}

// PriorityArea is one area that can be ranked.
type PriorityArea struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	PartOfTown  string `json:"part_of_town,omitempty"`
	Population  *int   `json:"population"`
	PoliceClass string `json:"police_class,omitempty"`
}

// PriorityData is what the priority analysis reads: the areas of a level (by code), the
// indicator catalogue, and the values of the asked indicators for a span of years.
type PriorityData struct {
	Areas     []PriorityArea
	Catalogue []Indicator // every indicator, by key
	Years     []int       // every year with any indicator value, ascending
	Keys      []string    // the indicators of Values, in column order
	FirstYear int
	// Values[y][a*len(Keys)+k]: area a's value of Keys[k] in FirstYear+y; NaN when missing.
	Values [][]float64
	// MeetingPlaces[kinds][a]: places of those kinds in area a (by spatial join), per 1,000
	// residents; NaN without a population. Keyed by the kinds joined with ",".
	MeetingPlaces map[string][]float64
	// ActiveInterventions[a]: interventions with status 'active' targeting area a.
	ActiveInterventions []float64
	Illustrative        bool // any value read is illustrative
	// Partner[key][a]: a feasibility input of source partner_layer for area a (see
	// PartnerShares), for the inputs of Feasibility the caller may read.
	Partner map[string][]float64
	// Feasibility are the inputs of the query, Unavailable set where the caller may not read
	// them (PriorityAnalysisInputs only).
	Feasibility []FeasibilityInput
	// AreaTypes and Reference: Statistics Sweden's area types, when the query asks for them.
	AreaTypes []AreaType
	Reference SCBReference
}

// PriorityCatalogue is what the prioritisation offers before it reads any values: the areas
// of a level, the indicator catalogue, the years with values and the feasibility inputs.
type PriorityCatalogue struct {
	Areas       []PriorityArea
	Indicators  []Indicator // every indicator, by key
	Years       []int       // every year with any indicator value, ascending
	Feasibility []FeasibilityInput
}

// PriorityCatalogue reads the catalogue of the prioritisation for the areas of level (none
// when the level has no areas loaded).
func (s *Store) PriorityCatalogue(ctx context.Context, level string) (*PriorityCatalogue, error) {
	c := &PriorityCatalogue{}
	var err error
	if c.Areas, c.Indicators, c.Years, err = s.priorityCatalogue(ctx, level); err != nil {
		return nil, err
	}
	if c.Feasibility, err = s.FeasibilityInputs(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// priorityCatalogue reads the areas of level, the indicator catalogue and the years with values.
func (s *Store) priorityCatalogue(ctx context.Context, level string) ([]PriorityArea, []Indicator, []int, error) {
	rows, err := s.pool.Query(ctx, `
SELECT d.code, d.name, coalesce(d.part_of_town, ''), d.population, coalesce(f.police_class, '')
FROM districts d JOIN districts_features f ON f.code = d.code
WHERE d.level = $1 ORDER BY d.code`, level)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("priority areas: %w", err)
	}
	areas, err := pgx.CollectRows(rows, pgx.RowToStructByPos[PriorityArea])
	if err != nil {
		return nil, nil, nil, fmt.Errorf("priority areas: %w", err)
	}
	rows, err = s.pool.Query(ctx, `SELECT key, name_sv, name_en, unit, theme, direction, source, illustrative FROM indicators ORDER BY key`)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("indicator catalogue: %w", err)
	}
	cat, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Indicator])
	if err != nil {
		return nil, nil, nil, fmt.Errorf("indicator catalogue: %w", err)
	}
	var years []int
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(array_agg(DISTINCT year ORDER BY year), '{}') FROM indicator_values`).Scan(&years); err != nil {
		return nil, nil, nil, fmt.Errorf("indicator years: %w", err)
	}
	return areas, cat, years, nil
}

// PriorityQuery says what the priority analysis reads.
type PriorityQuery struct {
	Level string
	// Keys are the indicators whose values are read; the indicators of the feasibility inputs
	// of source indicator are added. Unknown keys are not an error here (the caller checks
	// them against the catalogue); they read as missing.
	Keys     []string
	From, To int // the years read, inclusive
	// Feasibility are the feasibility inputs as the caller weighs them: the meeting places of
	// each input of source meeting_places are read, and the shares of each weighed input of
	// source partner_layer the caller may see.
	Feasibility []FeasibilityInput
	AreaTypes   bool // read the area types and their reference (Statistics Sweden's preset)
}

// PriorityAnalysisInputs reads everything the priority analysis of q needs in one call: the
// areas, the catalogue, the values, the meeting places, the running interventions, the
// partner layers' shares (Partner) and, when asked, the area types. The returned Feasibility
// is q's, with Unavailable set for each weighed partner input the caller may not read (its
// layer is not shared with the caller's organisation, or its configured property or total no
// longer fits the layer): the analysis goes on without it rather than failing or showing the
// layer's data.
func (s *Store) PriorityAnalysisInputs(ctx context.Context, q PriorityQuery) (*PriorityData, error) {
	areas, cat, years, err := s.priorityCatalogue(ctx, q.Level)
	if err != nil {
		return nil, err
	}
	keys := slices.Clone(q.Keys)
	var kinds [][]string
	for _, f := range q.Feasibility {
		switch f.Source {
		case priority.SourceIndicator:
			known := slices.ContainsFunc(cat, func(i Indicator) bool { return i.Key == f.IndicatorKey })
			if known && !slices.Contains(keys, f.IndicatorKey) {
				keys = append(keys, f.IndicatorKey)
			}
		case priority.SourceMeetingPlaces:
			kinds = append(kinds, f.PlaceKinds)
		}
	}
	d := &PriorityData{Areas: areas, Catalogue: cat, Years: years}
	if err := s.priorityValues(ctx, d, q.Level, keys, q.From, q.To, kinds); err != nil {
		return nil, err
	}
	d.Feasibility = slices.Clone(q.Feasibility)
	if err := s.partnerFeasibility(ctx, d, q.Level); err != nil {
		return nil, err
	}
	if q.AreaTypes {
		if d.AreaTypes, d.Reference, err = s.AreaTypes(ctx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// partnerFeasibility reads the weighed feasibility inputs of source partner_layer of d into
// d.Partner, as shares per area of level, marking those the caller may not read Unavailable.
func (s *Store) partnerFeasibility(ctx context.Context, d *PriorityData, level string) error {
	codes := make([]string, len(d.Areas))
	for a, ar := range d.Areas {
		codes[a] = ar.Code
	}
	for i := range d.Feasibility {
		f := &d.Feasibility[i]
		if f.Source != priority.SourcePartnerLayer || f.Weight == 0 {
			continue
		}
		v, err := s.PartnerShares(ctx, *f, level, codes)
		var inv *InvalidError
		switch {
		case errors.Is(err, ErrNotFound):
			f.Unavailable = "partner layer " + f.PartnerLayer + " is not shared with your organisation"
		case errors.As(err, &inv):
			f.Unavailable = "partner layer " + f.PartnerLayer + ": " + inv.Error()
		case err != nil:
			return err
		default:
			if d.Partner == nil {
				d.Partner = map[string][]float64{}
			}
			d.Partner[f.Key] = v
		}
	}
	return nil
}

// PriorityInputs reads the areas of level, the catalogue, the values of keys for the years
// from … to (inclusive), the meeting places per 1,000 residents for each list of place
// kinds, and the running interventions per area: the part of PriorityAnalysisInputs that
// does not depend on the caller. Unknown keys are not an error here (the caller checks them
// against Catalogue); they read as missing.
func (s *Store) PriorityInputs(ctx context.Context, level string, keys []string, from, to int, placeKinds [][]string) (*PriorityData, error) {
	d := &PriorityData{}
	var err error
	if d.Areas, d.Catalogue, d.Years, err = s.priorityCatalogue(ctx, level); err != nil {
		return nil, err
	}
	if err := s.priorityValues(ctx, d, level, keys, from, to, placeKinds); err != nil {
		return nil, err
	}
	return d, nil
}

// priorityValues reads into d (its areas read) the values of keys for the years from … to,
// the meeting places of each list of place kinds and the running interventions.
func (s *Store) priorityValues(ctx context.Context, d *PriorityData, level string, keys []string, from, to int, placeKinds [][]string) error {
	d.Keys, d.FirstYear, d.MeetingPlaces = keys, from, map[string][]float64{}
	var rows pgx.Rows
	var err error
	index := make(map[string]int, len(d.Areas))
	for i, a := range d.Areas {
		index[a.Code] = i
	}
	col := make(map[string]int, len(keys))
	for k, key := range keys {
		col[key] = k
	}
	nYears := max(0, to-from+1)
	d.Values = make([][]float64, nYears)
	for y := range d.Values {
		v := make([]float64, len(d.Areas)*len(keys))
		for i := range v {
			v[i] = math.NaN()
		}
		d.Values[y] = v
	}
	if len(keys) > 0 && nYears > 0 {
		rows, err = s.pool.Query(ctx, `
SELECT v.district_code, v.indicator_key, v.year, v.value, v.illustrative
FROM indicator_values v JOIN districts d ON d.code = v.district_code
WHERE d.level = $1 AND v.indicator_key = ANY($2) AND v.year BETWEEN $3 AND $4`, level, keys, from, to)
		if err != nil {
			return fmt.Errorf("priority values: %w", err)
		}
		var code, key string
		var year int
		var value float64
		var ill bool
		_, err = pgx.ForEachRow(rows, []any{&code, &key, &year, &value, &ill}, func() error {
			if a, ok := index[code]; ok {
				d.Values[year-from][a*len(keys)+col[key]] = value
				d.Illustrative = d.Illustrative || ill
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("priority values: %w", err)
		}
	}
	for _, kinds := range placeKinds {
		per := make([]float64, len(d.Areas))
		counts := make([]float64, len(d.Areas))
		rows, err = s.pool.Query(ctx, `SELECT district_code, count(*) FROM places_features
		                               WHERE kind = ANY($1) AND district_code IS NOT NULL GROUP BY district_code`, kinds)
		if err != nil {
			return fmt.Errorf("meeting places: %w", err)
		}
		var code string
		var n int64
		if _, err = pgx.ForEachRow(rows, []any{&code, &n}, func() error {
			if a, ok := index[code]; ok {
				counts[a] = float64(n)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("meeting places: %w", err)
		}
		for a, ar := range d.Areas {
			per[a] = math.NaN()
			if ar.Population != nil && *ar.Population > 0 {
				per[a] = counts[a] / float64(*ar.Population) * 1000
			}
		}
		d.MeetingPlaces[joinKinds(kinds)] = per
	}
	d.ActiveInterventions = make([]float64, len(d.Areas))
	rows, err = s.pool.Query(ctx, `SELECT t.district_code, count(*) FROM intervention_districts t
	                               JOIN interventions i ON i.id = t.intervention_id
	                               WHERE i.status = 'active' GROUP BY t.district_code`)
	if err != nil {
		return fmt.Errorf("running interventions: %w", err)
	}
	var code string
	var n int64
	if _, err = pgx.ForEachRow(rows, []any{&code, &n}, func() error {
		if a, ok := index[code]; ok {
			d.ActiveInterventions[a] = float64(n)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("running interventions: %w", err)
	}
	return nil
}

func joinKinds(kinds []string) string {
	out := ""
	for i, k := range kinds {
		if i > 0 {
			out += ","
		}
		out += k
	}
	return out
}

// MeetingPlacesKey is the key of PriorityData.MeetingPlaces for a list of place kinds.
func MeetingPlacesKey(kinds []string) string { return joinKinds(kinds) }

// AreaGeometries returns the GeoJSON geometry of every area of level, in out, by code.
func (s *Store) AreaGeometries(ctx context.Context, level string, out crs.CRS) (map[string]json.RawMessage, error) {
	rows, err := s.pool.Query(ctx, `
SELECT code, CASE WHEN $2 = 3006 THEN ST_AsGeoJSON(geom, 2, 0) ELSE ST_AsGeoJSON(ST_Transform(geom, 4326), 7, 0) END
FROM districts WHERE level = $1`, level, out.SRID())
	if err != nil {
		return nil, fmt.Errorf("area geometries: %w", err)
	}
	geoms := map[string]json.RawMessage{}
	var code string
	var g []byte
	if _, err = pgx.ForEachRow(rows, []any{&code, &g}, func() error {
		geoms[code] = json.RawMessage(append([]byte(nil), g...))
		return nil
	}); err != nil {
		return nil, fmt.Errorf("area geometries: %w", err)
	}
	return geoms, nil
}

// PriorityIndicators are the indicators of cat as geo/priority reads them.
func PriorityIndicators(cat []Indicator) []priority.Indicator {
	out := make([]priority.Indicator, len(cat))
	for i, ind := range cat {
		out[i] = priority.Indicator{Key: ind.Key, Theme: ind.Theme, HigherIsBetter: ind.Direction == "higher_is_better",
			NameSV: ind.NameSV, NameEN: ind.NameEN, Unit: ind.Unit}
	}
	return out
}

// Inputs are d as geo/priority reads them: each feasibility input with its values per area.
func (d *PriorityData) Inputs() priority.Inputs {
	in := priority.Inputs{Areas: make([]string, len(d.Areas)), Indicators: PriorityIndicators(d.Catalogue),
		Values:    priority.Values{Keys: d.Keys, FirstYear: d.FirstYear, Data: d.Values},
		Reference: priority.Reference{Mean: d.Reference.Mean, SD: d.Reference.SD}}
	for a, ar := range d.Areas {
		in.Areas[a] = ar.Code
	}
	for _, f := range d.Feasibility {
		var v []float64
		switch f.Source {
		case priority.SourceMeetingPlaces:
			v = d.MeetingPlaces[MeetingPlacesKey(f.PlaceKinds)]
		case priority.SourceInterventions:
			v = d.ActiveInterventions
		case priority.SourcePartnerLayer:
			v = d.Partner[f.Key]
		}
		in.Feasibility = append(in.Feasibility, priority.FeasibilityInput{Key: f.Key, Source: f.Source, IndicatorKey: f.IndicatorKey,
			Values: v, HigherIsWorse: f.Direction == "higher_is_worse", Weight: f.Weight, Unavailable: f.Unavailable})
	}
	for _, t := range d.AreaTypes {
		in.AreaTypes = append(in.AreaTypes, priority.AreaType{Type: t.Type, MinSD: t.MinSD, MaxSD: t.MaxSD})
	}
	return in
}
