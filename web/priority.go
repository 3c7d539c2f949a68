package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/composite"
	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/rank"
	"github.com/lagesbild/lagesbild/geo/trend"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
)

// Defaults of the priority analysis.
const (
	defaultTrendYears    = 5    // years of the early-warning series
	earlyWarningAlpha    = 0.1  // Mann–Kendall p below which a rise counts (few points: 0.1, not 0.05)
	earlyWarningHorizon  = 3    // years ahead the Theil–Sen slope is projected
	vulnerableQuantile   = 0.8  // without area types: the top fifth of the index is "most vulnerable"
	defaultConcentration = 50.0 // Dirichlet α, see composite.SensitivityOptions
	defaultNeedShare     = 0.5  // need and feasibility weigh equally in the pilot score
	maxBody              = 1 << 20
	maxRationale         = 4000 // characters of a scenario's rationale
)

var scenarioID = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

func (s *Server) priorityRoutes(e *echo.Echo) {
	e.Match([]string{http.MethodGet, http.MethodHead}, "/analysis/priority", s.priorityConfig)
	e.POST("/analysis/priority", s.priority)
	e.POST("/analysis/priority/compare", s.priorityCompare)
	e.Match([]string{http.MethodGet, http.MethodHead}, "/analysis/priority/scenarios", s.priorityScenarios)
	write := auth.NeedWrite("changing a priority scenario")
	e.POST("/analysis/priority/scenarios", s.createPriorityScenario, write)
	e.Match([]string{http.MethodGet, http.MethodHead}, "/analysis/priority/scenarios/:id", s.priorityScenario)
	e.PUT("/analysis/priority/scenarios/:id", s.updatePriorityScenario, write)
	e.DELETE("/analysis/priority/scenarios/:id", s.deletePriorityScenario, write)
}

// decodeBody reads a JSON body strictly: a media type other than application/json is a 415;
// unknown fields, trailing data, NUL characters and invalid UTF-8 in strings are 400s.
func decodeBody(c echo.Context, v any) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxBody {
		return invalid("body", "larger than %d bytes", maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return invalid(ute.Field, "want %s", ute.Type)
		}
		return invalid("body", "not the expected JSON: %v", err)
	}
	if dec.More() {
		return invalid("body", "data after the JSON object")
	}
	return checkJSONStrings(body)
}

// ---- scenarios ----

func (s *Server) priorityScenarios(c echo.Context) error {
	if err := onlyParams(c, "f"); err != nil {
		return err
	}
	scs, err := s.store.PriorityScenarios(c.Request().Context())
	if err != nil {
		return err
	}
	return s.sendJSON(c, mediaJSON, "no-cache", obj{"scenarios": scs})
}

func (s *Server) priorityScenario(c echo.Context) error {
	if err := onlyParams(c, "f"); err != nil {
		return err
	}
	id, err := scenarioPathID(c)
	if err != nil {
		return err
	}
	sc, err := s.store.PriorityScenario(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.sendJSON(c, mediaJSON, "no-cache", sc)
}

// scenarioPathID is the {id} of a scenario path. An id no scenario can have (see scenarioID)
// is a 404 without asking the database, which would refuse bytes that are not UTF-8 with a 500.
func scenarioPathID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !scenarioID.MatchString(id) {
		return "", fmt.Errorf("priority scenario %q (ids match %s): %w", id, scenarioID, layers.ErrNotFound)
	}
	return id, nil
}

// checkText refuses free text longer than maxLen characters. NUL characters and bytes that
// are not UTF-8 never get this far: decodeBody refuses them for every string of a body.
func checkText(param, s string, maxLen int) error {
	if utf8.RuneCountInString(s) > maxLen {
		return invalid(param, "longer than %d characters", maxLen)
	}
	return nil
}

// scenarioBody is what a client writes; built-in, illustrative and updated_at are the
// server's to set.
type scenarioBody struct {
	ID            string             `json:"id"`
	NameSV        string             `json:"name_sv"`
	NameEN        string             `json:"name_en"`
	Organisation  string             `json:"organisation"`
	Rationale     string             `json:"rationale"`
	Preset        string             `json:"preset"`
	Normalisation string             `json:"normalisation"`
	Aggregation   string             `json:"aggregation"`
	Winsor        float64            `json:"winsor"`
	MinCoverage   *float64           `json:"min_coverage"`
	Weights       map[string]float64 `json:"weights"`
	ThemeWeights  map[string]float64 `json:"theme_weights"`
}

func (b scenarioBody) scenario() (layers.PriorityScenario, error) {
	sc := layers.PriorityScenario{ID: b.ID, NameSV: strings.TrimSpace(b.NameSV), NameEN: strings.TrimSpace(b.NameEN),
		Organisation: strings.TrimSpace(b.Organisation), Rationale: b.Rationale, Preset: b.Preset,
		Normalisation: b.Normalisation, Aggregation: b.Aggregation, Winsor: b.Winsor, MinCoverage: 0.6,
		Weights: b.Weights, ThemeWeights: b.ThemeWeights}
	if sc.Normalisation == "" {
		sc.Normalisation = "zscore"
	}
	if sc.Aggregation == "" {
		sc.Aggregation = "arithmetic"
	}
	if b.MinCoverage != nil {
		sc.MinCoverage = *b.MinCoverage
	}
	switch {
	case !scenarioID.MatchString(sc.ID):
		return sc, invalid("id", "%q must match %s", sc.ID, scenarioID)
	case sc.NameSV == "" || len(sc.NameSV) > 200:
		return sc, invalid("name_sv", "1–200 characters")
	case sc.NameEN == "" || len(sc.NameEN) > 200:
		return sc, invalid("name_en", "1–200 characters")
	case sc.Preset != "" && sc.Preset != "scb":
		return sc, invalid("preset", "%q is not scb", sc.Preset)
	}
	for _, f := range []struct {
		param, text string
		max         int
	}{{"name_sv", sc.NameSV, 200}, {"name_en", sc.NameEN, 200}, {"organisation", sc.Organisation, 100}, {"rationale", sc.Rationale, maxRationale}} {
		if err := checkText(f.param, f.text, f.max); err != nil {
			return sc, err
		}
	}
	for _, w := range []struct {
		param   string
		weights map[string]float64
	}{{"weights", sc.Weights}, {"theme_weights", sc.ThemeWeights}} {
		for k := range w.weights {
			if err := checkText(w.param, k, 100); err != nil {
				return sc, err
			}
		}
	}
	if _, err := composite.ParseNormalisation(sc.Normalisation); err != nil {
		return sc, compositeError(err)
	}
	if _, err := composite.ParseAggregation(sc.Aggregation); err != nil {
		return sc, compositeError(err)
	}
	if !(sc.Winsor >= 0 && sc.Winsor < 0.5) {
		return sc, invalid("winsor", "%v is outside [0, 0.5)", sc.Winsor)
	}
	if !(sc.MinCoverage >= 0 && sc.MinCoverage <= 1) {
		return sc, invalid("min_coverage", "%v is outside [0, 1]", sc.MinCoverage)
	}
	if err := checkWeights("weights", sc.Weights, true); err != nil {
		return sc, err
	}
	if err := checkWeights("theme_weights", sc.ThemeWeights, false); err != nil {
		return sc, err
	}
	for t := range sc.ThemeWeights {
		if !slices.Contains(themes, t) {
			return sc, invalid("theme_weights", "unknown theme %q; themes are %s", t, strings.Join(themes, ", "))
		}
	}
	return sc, nil
}

// themes are the indicator themes of migrations/001_foundation.sql.
var themes = []string{"economy", "education", "housing", "labour", "participation", "trust", "safety", "crime", "demography", "future"}

// checkWeights refuses negative, NaN or infinite weights and, when required, an empty or
// all-zero selection. (JSON cannot carry NaN, but a caller in Go can.)
func checkWeights(param string, w map[string]float64, required bool) error {
	total := 0.0
	for k, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return invalid(param, "weight of %s is %v; weights must be finite and not negative", k, v)
		}
		total += v
	}
	if required && len(w) == 0 {
		return invalid(param, "no indicators chosen")
	}
	if required && total == 0 {
		return invalid(param, "every weight is zero; at least one must be positive")
	}
	return nil
}

// scenarioWriter checks that the caller may write scenario sc as it is in the body: a
// scenario is its writer's organisation's, so the organisation the body names (none, or
// the writer's own code or name) must be the writer's. Row-level security holds the same
// rule (migration 019); this check answers it as a 403 naming the field.
func scenarioWriter(ctx context.Context, sc layers.PriorityScenario) error {
	p := layers.PrincipalFrom(ctx)
	if sc.Organisation != "" && sc.Organisation != p.Organisation && sc.Organisation != p.OrgName {
		return fmt.Errorf("organisation: a priority scenario belongs to the organisation that writes it, %s (%s), not %q: %w",
			p.Organisation, p.OrgName, sc.Organisation, layers.ErrForbidden)
	}
	return nil
}

// mayChangeScenario says why the caller may not change (or, when deleting, delete) stored
// scenario sc, or nil: built-in scenarios are changed by nobody through the API; others by
// their own organisation's editors and admins, and deleted also by a municipality's admins.
func mayChangeScenario(ctx context.Context, sc layers.PriorityScenario, deleting bool) error {
	p := layers.PrincipalFrom(ctx)
	switch {
	case sc.Builtin:
		return fmt.Errorf("priority scenario %s is built in and changed by nobody through the API; make your organisation's own (POST with a new id): %w",
			sc.ID, layers.ErrForbidden)
	case sc.Owner != nil && *sc.Owner == p.Organisation:
		return nil
	case deleting && p.OrgKind == "municipality" && p.HasScope("admin"):
		return nil
	}
	owner := "no organisation (the operator's)"
	if sc.Owner != nil {
		owner = "organisation " + *sc.Owner
	}
	return fmt.Errorf("priority scenario %s belongs to %s; only its editors and admins change it: %w", sc.ID, owner, layers.ErrForbidden)
}

func (s *Server) createPriorityScenario(c echo.Context) error {
	var b scenarioBody
	if err := decodeBody(c, &b); err != nil {
		return err
	}
	sc, err := b.scenario()
	if err != nil {
		return err
	}
	if err := scenarioWriter(c.Request().Context(), sc); err != nil {
		return err
	}
	got, err := s.store.CreatePriorityScenario(c.Request().Context(), sc)
	if err != nil {
		return conflict(err)
	}
	c.Response().Header().Set("Location", s.baseURL(c)+"/analysis/priority/scenarios/"+got.ID)
	return s.sendNoStore(c, http.StatusCreated, got)
}

func (s *Server) updatePriorityScenario(c echo.Context) error {
	if _, err := scenarioPathID(c); err != nil {
		return err
	}
	var b scenarioBody
	if err := decodeBody(c, &b); err != nil {
		return err
	}
	if b.ID == "" {
		b.ID = c.Param("id")
	}
	if b.ID != c.Param("id") {
		return invalid("id", "%q in the body differs from %q in the path", b.ID, c.Param("id"))
	}
	sc, err := b.scenario()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stored, err := s.store.PriorityScenario(ctx, sc.ID)
	if err != nil {
		return err
	}
	if err := mayChangeScenario(ctx, stored, false); err != nil {
		return err
	}
	if err := scenarioWriter(ctx, sc); err != nil {
		return err
	}
	got, err := s.store.UpdatePriorityScenario(ctx, sc)
	if err != nil {
		return conflict(err)
	}
	return s.sendNoStore(c, http.StatusOK, got)
}

func (s *Server) deletePriorityScenario(c echo.Context) error {
	id, err := scenarioPathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stored, err := s.store.PriorityScenario(ctx, id)
	if err != nil {
		return err
	}
	if err := mayChangeScenario(ctx, stored, true); err != nil {
		return err
	}
	if err := s.store.DeletePriorityScenario(ctx, id); err != nil {
		return conflict(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// conflict turns layers.ErrConflict into a 409 answer.
func conflict(err error) error {
	if errors.Is(err, layers.ErrConflict) {
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	}
	return err
}

// compositeError names the parameter of a geo/composite validation error.
func compositeError(err error) error {
	var ce *composite.Error
	if errors.As(err, &ce) {
		return invalid(ce.Field, "%s", ce.Reason)
	}
	return err
}

// ---- configuration for the page ----

func (s *Server) priorityConfig(c echo.Context) error {
	if err := onlyParams(c, "f"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	scs, err := s.store.PriorityScenarios(ctx)
	if err != nil {
		return err
	}
	d, err := s.store.PriorityInputs(ctx, "district", nil, 0, -1, nil)
	if err != nil {
		return err
	}
	feas, err := s.store.FeasibilityInputs(ctx)
	if err != nil {
		return err
	}
	types, ref, err := s.store.AreaTypes(ctx)
	if err != nil {
		return err
	}
	return s.sendJSON(c, mediaJSON, "no-cache", obj{
		"indicators": d.Catalogue, "themes": themes, "years": d.Years, "scenarios": scs,
		"feasibility_inputs": feas, "area_types": types,
		"scb_reference":  obj{"mean": ref.Mean, "sd": ref.SD},
		"normalisations": []string{"zscore", "minmax", "rank", "raw"},
		"aggregations":   []string{"arithmetic", "geometric"},
		"defaults": obj{"scenario": "polisen", "k": 3, "trend_years": defaultTrendYears, "need_share": defaultNeedShare,
			"concentration": defaultConcentration, "early_warning_alpha": earlyWarningAlpha, "early_warning_horizon": earlyWarningHorizon},
	})
}

// ---- the analysis ----

// priorityRequest is the body of POST /analysis/priority.
type priorityRequest struct {
	Scenario           string             `json:"scenario"`
	Weights            map[string]float64 `json:"weights"`
	ThemeWeights       map[string]float64 `json:"theme_weights"`
	Normalisation      string             `json:"normalisation"`
	Aggregation        string             `json:"aggregation"`
	Winsor             *float64           `json:"winsor"`
	MinCoverage        *float64           `json:"min_coverage"`
	Level              string             `json:"level"`
	Year               int                `json:"year"`
	BaseYear           int                `json:"base_year"`
	TrendYears         int                `json:"trend_years"`
	K                  int                `json:"k"`
	Include            []string           `json:"include"`
	Exclude            []string           `json:"exclude"`
	NeedShare          *float64           `json:"need_share"`
	FeasibilityWeights map[string]float64 `json:"feasibility_weights"`
	Sensitivity        *struct {
		Draws         int      `json:"draws"`
		Seed          uint64   `json:"seed"`
		Concentration *float64 `json:"concentration"`
		SwitchMethods *bool    `json:"switch_methods"`
	} `json:"sensitivity"`
}

// needSpec is a resolved weighting: what one evaluation of the need index needs.
type needSpec struct {
	Scenario *layers.PriorityScenario
	Preset   string
	Keys     []string // indicators with a positive effective weight, by key
	Weights  []float64
	Opt      composite.Options
}

// resolveNeed merges a stored scenario with the request's overrides and checks everything
// against the catalogue.
func resolveNeed(sc *layers.PriorityScenario, req *priorityRequest, cat map[string]layers.Indicator) (needSpec, error) {
	spec := needSpec{Scenario: sc, Opt: composite.Options{MinCoverage: 0.6}}
	weights, themeW := map[string]float64(nil), map[string]float64(nil)
	norm, agg := "zscore", "arithmetic"
	if sc != nil {
		spec.Preset = sc.Preset
		weights, themeW, norm, agg = sc.Weights, sc.ThemeWeights, sc.Normalisation, sc.Aggregation
		spec.Opt.Winsor, spec.Opt.MinCoverage = sc.Winsor, sc.MinCoverage
	}
	if req != nil {
		if req.Weights != nil {
			weights, spec.Preset = req.Weights, ""
		}
		if req.ThemeWeights != nil {
			themeW = req.ThemeWeights
		}
		if req.Normalisation != "" {
			norm = req.Normalisation
		}
		if req.Aggregation != "" {
			agg = req.Aggregation
		}
		if req.Winsor != nil {
			spec.Opt.Winsor = *req.Winsor
		}
		if req.MinCoverage != nil {
			spec.Opt.MinCoverage = *req.MinCoverage
		}
	}
	var err error
	if spec.Opt.Normalisation, err = composite.ParseNormalisation(norm); err != nil {
		return spec, compositeError(err)
	}
	if spec.Opt.Aggregation, err = composite.ParseAggregation(agg); err != nil {
		return spec, compositeError(err)
	}
	if err := checkWeights("weights", weights, true); err != nil {
		return spec, err
	}
	if err := checkWeights("theme_weights", themeW, false); err != nil {
		return spec, err
	}
	for t := range themeW {
		if !slices.Contains(themes, t) {
			return spec, invalid("theme_weights", "unknown theme %q", t)
		}
	}
	// A theme's weight (default 1) is split among its indicators in proportion to theirs.
	themeSum := map[string]float64{}
	for k, w := range weights {
		ind, ok := cat[k]
		if !ok {
			return spec, invalid("weights", "unknown indicator %q", k)
		}
		themeSum[ind.Theme] += w
	}
	for _, k := range slices.Sorted(mapKeys(weights)) {
		w := weights[k]
		theme := cat[k].Theme
		tw, ok := themeW[theme]
		if !ok {
			tw = 1
		}
		if w == 0 || tw == 0 {
			continue
		}
		spec.Keys = append(spec.Keys, k)
		spec.Weights = append(spec.Weights, tw*w/themeSum[theme])
	}
	if len(spec.Keys) == 0 {
		return spec, invalid("theme_weights", "every chosen indicator is in a theme of weight zero")
	}
	return spec, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (s *Server) priority(c echo.Context) error {
	format, err := priorityFormat(c)
	if err != nil {
		return err
	}
	var req priorityRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	res, err := s.runPriority(c, &req)
	if err != nil {
		return err
	}
	switch format {
	case "geojson":
		geoms, err := s.store.AreaGeometries(c.Request().Context(), res.Level, crs.CRS84)
		if err != nil {
			return err
		}
		return s.sendPriority(c, mediaGeoJSON, priorityGeoJSON(res, geoms))
	case "csv":
		return s.sendPriority(c, "text/csv; charset=utf-8", priorityCSV(res))
	}
	return s.sendPriority(c, mediaJSON, marshalJSON(res))
}

func (s *Server) sendPriority(c echo.Context, media string, body []byte) error {
	return s.send(c, http.StatusOK, media, "no-store", body)
}

// priorityFormat reads ?f= or, without it, the Accept header: json (default), geojson, csv.
func priorityFormat(c echo.Context) (string, error) {
	if err := onlyParamsAny(c, "f"); err != nil {
		return "", err
	}
	if c.QueryParams().Has("f") {
		switch f := c.QueryParam("f"); f {
		case "json", "geojson", "csv":
			return f, nil
		default:
			return "", invalid("f", "%q is not one of json, geojson, csv", f)
		}
	}
	accept := c.Request().Header.Get(echo.HeaderAccept)
	switch {
	case strings.Contains(accept, mediaGeoJSON):
		return "geojson", nil
	case strings.Contains(accept, "text/csv"):
		return "csv", nil
	}
	return "json", nil
}

type jf = *float64

func fp(x float64) jf {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// PriorityDistrict is one area of the answer.
type priorityDistrict struct {
	Code          string        `json:"code"`
	Name          string        `json:"name"`
	PartOfTown    string        `json:"part_of_town,omitempty"`
	Population    *int          `json:"population"`
	PoliceClass   string        `json:"police_class,omitempty"`
	Index         jf            `json:"index"`
	LogIndex      jf            `json:"log_index,omitempty"`
	Rank          *int          `json:"rank"`
	Ranked        bool          `json:"ranked"`
	Coverage      float64       `json:"coverage"`
	Values        map[string]jf `json:"values"`
	Scores        map[string]jf `json:"scores"`
	Contributions map[string]jf `json:"contributions"`
	BaseIndex     jf            `json:"base_index"`
	Change        jf            `json:"change"`
	BaseRank      *int          `json:"base_rank"`
	Trend         *trendOut     `json:"trend"`
	EarlyWarning  bool          `json:"early_warning"`
	AreaType      *int          `json:"area_type,omitempty"`
	AreaTypeSD    jf            `json:"area_type_sd,omitempty"`
	Feasibility   jf            `json:"feasibility"`
	FeasRank      *int          `json:"feasibility_rank"`
	FeasContrib   map[string]jf `json:"feasibility_contributions"`
	FeasInputs    map[string]jf `json:"feasibility_inputs"`
	Quadrant      string        `json:"quadrant"`
	Sensitivity   *sensOut      `json:"sensitivity,omitempty"`
	Pilot         bool          `json:"pilot"`
	PilotScore    jf            `json:"pilot_score"`
}

type trendOut struct {
	Years      []int   `json:"years"`
	Series     []jf    `json:"series"`
	Slope      float64 `json:"slope"`
	P          float64 `json:"p"`
	Tau        float64 `json:"tau"`
	Projected  float64 `json:"projected"`
	YearsToTop jf      `json:"years_to_threshold"`
}

type sensOut struct {
	MedianRank float64 `json:"median_rank"`
	P05        float64 `json:"p05"`
	P95        float64 `json:"p95"`
	PTopK      float64 `json:"p_top_k"`
}

type pilotOut struct {
	Code          string  `json:"code"`
	Name          string  `json:"name"`
	Score         float64 `json:"score"`
	NeedRank      int     `json:"need_rank"`
	FeasRank      int     `json:"feasibility_rank"`
	Included      bool    `json:"included"`
	ExplanationSV string  `json:"explanation_sv"`
	ExplanationEN string  `json:"explanation_en"`
}

type indicatorOut struct {
	layers.Indicator
	Weight float64 `json:"weight"` // effective weight, the weights add up to 1
}

type priorityResult struct {
	Scenario          *layers.PriorityScenario  `json:"scenario"`
	Preset            string                    `json:"preset,omitempty"`
	Level             string                    `json:"level"`
	Year              int                       `json:"year"`
	BaseYear          int                       `json:"base_year"`
	TrendYears        []int                     `json:"trend_years"`
	Normalisation     string                    `json:"normalisation"`
	Aggregation       string                    `json:"aggregation"`
	Winsor            float64                   `json:"winsor"`
	MinCoverage       float64                   `json:"min_coverage"`
	ContributionSpace string                    `json:"contribution_space"`
	Indicators        []indicatorOut            `json:"indicators"`
	Feasibility       []layers.FeasibilityInput `json:"feasibility_inputs"`
	Ranked            int                       `json:"ranked"`
	Threshold         float64                   `json:"early_warning_threshold"`
	ThresholdNote     string                    `json:"early_warning_note"`
	Matrix            obj                       `json:"matrix"`
	Districts         []priorityDistrict        `json:"districts"`
	Pilots            []pilotOut                `json:"pilots"`
	K                 int                       `json:"k"`
	NeedShare         float64                   `json:"need_share"`
	Sensitivity       obj                       `json:"sensitivity,omitempty"`
	AreaTypes         []layers.AreaType         `json:"area_types,omitempty"`
	AreaTypeReference obj                       `json:"area_type_reference,omitempty"`
	Warnings          []string                  `json:"warnings"`
	Notice            string                    `json:"notice,omitempty"`
	TimeStamp         string                    `json:"timeStamp"`
}

// needEval is one evaluated weighting.
type needEval struct {
	spec  needSpec
	model *composite.Model
	res   *composite.Result
}

// dropEmpty leaves out the indicators without any value in the year (voter turnout exists
// only in election years) and says so; their weight is spread over the rest.
func dropEmpty(spec needSpec, d *layers.PriorityData, yi int, year int) (needSpec, []string) {
	var warn []string
	out := spec
	out.Keys, out.Weights = nil, nil
	for j, k := range spec.Keys {
		c := slices.Index(d.Keys, k)
		has := false
		if c >= 0 && yi >= 0 && yi < len(d.Values) {
			for a := range d.Areas {
				if !math.IsNaN(d.Values[yi][a*len(d.Keys)+c]) {
					has = true
					break
				}
			}
		}
		if !has {
			warn = append(warn, fmt.Sprintf("indicator %s has no value in %d and is left out", k, year))
			continue
		}
		out.Keys = append(out.Keys, k)
		out.Weights = append(out.Weights, spec.Weights[j])
	}
	return out, warn
}

// evalNeed evaluates spec on year's column matrix built from d.
func evalNeed(spec needSpec, d *layers.PriorityData, yearIdx int) (*needEval, error) {
	m := subMatrix(d, yearIdx, spec.Keys)
	ind := make([]composite.Indicator, len(spec.Keys))
	cat := catalogue(d)
	for j, k := range spec.Keys {
		sign := 1.0
		if cat[k].Direction == "higher_is_better" {
			sign = -1
		}
		ind[j] = composite.Indicator{Key: k, Sign: sign, Weight: spec.Weights[j]}
	}
	md, res, err := composite.Evaluate(m, ind, spec.Opt)
	if err != nil {
		return nil, compositeError(err)
	}
	return &needEval{spec: spec, model: md, res: res}, nil
}

func indicatorsOf(spec needSpec, d *layers.PriorityData) []composite.Indicator {
	cat := catalogue(d)
	ind := make([]composite.Indicator, len(spec.Keys))
	for j, k := range spec.Keys {
		sign := 1.0
		if cat[k].Direction == "higher_is_better" {
			sign = -1
		}
		ind[j] = composite.Indicator{Key: k, Sign: sign, Weight: spec.Weights[j]}
	}
	return ind
}

func catalogue(d *layers.PriorityData) map[string]layers.Indicator {
	cat := make(map[string]layers.Indicator, len(d.Catalogue))
	for _, ind := range d.Catalogue {
		cat[ind.Key] = ind
	}
	return cat
}

// subMatrix picks columns keys of year yearIdx out of d.Values.
func subMatrix(d *layers.PriorityData, yearIdx int, keys []string) composite.Matrix {
	col := make([]int, len(keys))
	for j, k := range keys {
		col[j] = slices.Index(d.Keys, k)
	}
	m := composite.NewMatrix(len(d.Areas), len(keys))
	if yearIdx < 0 || yearIdx >= len(d.Values) {
		return m
	}
	src := d.Values[yearIdx]
	for a := range d.Areas {
		for j, c := range col {
			if c >= 0 {
				m.Set(a, j, src[a*len(d.Keys)+c])
			}
		}
	}
	return m
}

func (s *Server) runPriority(c echo.Context, req *priorityRequest) (*priorityResult, error) {
	ctx := c.Request().Context()
	var sc *layers.PriorityScenario
	if req.Scenario != "" {
		if !scenarioID.MatchString(req.Scenario) {
			return nil, invalid("scenario", "%q is not a scenario id (%s)", req.Scenario, scenarioID)
		}
		got, err := s.store.PriorityScenario(ctx, req.Scenario)
		if errors.Is(err, layers.ErrNotFound) {
			return nil, invalid("scenario", "no scenario %q", req.Scenario)
		}
		if err != nil {
			return nil, err
		}
		sc = &got
	} else if req.Weights == nil {
		return nil, invalid("weights", "give a scenario or weights")
	}
	level := req.Level
	if level == "" {
		level = "district"
	}
	if !slices.Contains([]string{"district", "regso", "deso"}, level) {
		return nil, invalid("level", "%q is not one of district, regso, deso", level)
	}
	k := req.K
	if k == 0 {
		k = 3
	}
	if k < 1 {
		return nil, invalid("k", "%d is below 1", k)
	}
	needShare := defaultNeedShare
	if req.NeedShare != nil {
		needShare = *req.NeedShare
	}
	if !(needShare >= 0 && needShare <= 1) {
		return nil, invalid("need_share", "%v is outside [0, 1]", needShare)
	}
	trendYears := req.TrendYears
	if trendYears == 0 {
		trendYears = defaultTrendYears
	}
	if trendYears < 3 || trendYears > 30 {
		return nil, invalid("trend_years", "%d is outside [3, 30]", trendYears)
	}
	// The catalogue first (a cheap call without values), to resolve the weights.
	meta, err := s.store.PriorityInputs(ctx, level, nil, 0, -1, nil)
	if err != nil {
		return nil, err
	}
	if len(meta.Areas) == 0 {
		return nil, invalid("level", "no areas of level %q are loaded", level)
	}
	cat := catalogue(meta)
	spec, err := resolveNeed(sc, req, cat)
	if err != nil {
		return nil, err
	}
	feasAll, err := s.store.FeasibilityInputs(ctx)
	if err != nil {
		return nil, err
	}
	feas, err := feasibilityInputs(feasAll, req.FeasibilityWeights)
	if err != nil {
		return nil, err
	}
	year := req.Year
	if year == 0 {
		if len(meta.Years) == 0 {
			return nil, invalid("year", "no indicator values are loaded")
		}
		year = meta.Years[len(meta.Years)-1]
	}
	if year < 1900 || year > 2100 {
		return nil, invalid("year", "%d is outside 1900–2100", year)
	}
	baseYear := req.BaseYear
	if baseYear == 0 {
		baseYear = year - trendYears + 1
	}
	if baseYear >= year || baseYear < 1900 {
		return nil, invalid("base_year", "%d must be before year %d", baseYear, year)
	}
	from := min(baseYear, year-trendYears+1)
	keys := slices.Clone(spec.Keys)
	var kinds [][]string
	for _, f := range feas {
		switch f.Source {
		case "indicator":
			if _, ok := cat[f.IndicatorKey]; ok && !slices.Contains(keys, f.IndicatorKey) {
				keys = append(keys, f.IndicatorKey)
			}
		case "meeting_places":
			kinds = append(kinds, f.PlaceKinds)
		}
	}
	d, err := s.store.PriorityInputs(ctx, level, keys, from, year, kinds)
	if err != nil {
		return nil, err
	}
	if err := s.partnerFeasibility(ctx, d, level, feas); err != nil {
		return nil, err
	}
	yi := year - from
	spec, dropped := dropEmpty(spec, d, yi, year)
	if len(spec.Keys) == 0 {
		return nil, invalid("year", "no chosen indicator has a value in %d", year)
	}
	ne, err := evalNeed(spec, d, yi)
	if err != nil {
		var inv *layers.InvalidError
		if errors.As(err, &inv) && inv.Param == "indicators" {
			return nil, invalid("year", "%s in %d", inv.Reason, year)
		}
		return nil, err
	}
	res := ne.res
	out := &priorityResult{Scenario: sc, Preset: spec.Preset, Level: level, Year: year, BaseYear: baseYear,
		Normalisation: spec.Opt.Normalisation.String(), Aggregation: spec.Opt.Aggregation.String(),
		Winsor: spec.Opt.Winsor, MinCoverage: spec.Opt.MinCoverage, ContributionSpace: "index",
		Ranked: res.Ranked, K: k, NeedShare: needShare, Feasibility: feas, Warnings: append([]string{}, dropped...),
		TimeStamp: s.now().UTC().Format(time.RFC3339)}
	if spec.Opt.Aggregation == composite.Geometric {
		out.ContributionSpace = "log_index"
	}
	if d.Illustrative {
		out.Notice = illustrativeNotice
	}
	for j, key := range spec.Keys {
		out.Indicators = append(out.Indicators, indicatorOut{Indicator: cat[key], Weight: ne.model.Weights()[j]})
	}
	n := len(d.Areas)
	dists := make([]priorityDistrict, n)
	for a, ar := range d.Areas {
		pd := &dists[a]
		pd.Code, pd.Name, pd.PartOfTown, pd.Population, pd.PoliceClass = ar.Code, ar.Name, ar.PartOfTown, ar.Population, ar.PoliceClass
		pd.Index, pd.Coverage, pd.Ranked = fp(res.Index[a]), res.Coverage[a], res.Rank[a] > 0
		if spec.Opt.Aggregation == composite.Geometric {
			pd.LogIndex = fp(res.LogIndex[a])
		}
		if res.Rank[a] > 0 {
			r := res.Rank[a]
			pd.Rank = &r
		}
		pd.Values, pd.Scores, pd.Contributions = map[string]jf{}, map[string]jf{}, map[string]jf{}
		for j, key := range spec.Keys {
			x := d.Values[yi][a*len(d.Keys)+slices.Index(d.Keys, key)]
			pd.Values[key] = fp(x)
			pd.Scores[key] = fp(ne.model.Score(j, x))
			pd.Contributions[key] = fp(res.Contrib[a*res.Cols+j])
		}
	}
	// Change against the base year, scored with this year's normalisation.
	base := subMatrix(d, baseYear-from, spec.Keys)
	baseRes, err := ne.model.Evaluate(base)
	if err != nil {
		return nil, compositeError(err)
	}
	for a := range dists {
		dists[a].BaseIndex = fp(baseRes.Index[a])
		dists[a].Change = fp(res.Index[a] - baseRes.Index[a])
		if baseRes.Rank[a] > 0 {
			r := baseRes.Rank[a]
			dists[a].BaseRank = &r
		}
	}
	// SCB preset: area types.
	var areaType []int
	threshold := math.NaN()
	if spec.Preset == "scb" {
		types, ref, err := s.store.AreaTypes(ctx)
		if err != nil {
			return nil, err
		}
		mean, sd := meanSD(res.Index, res.Rank)
		src := "areas evaluated"
		if ref.Mean != nil && ref.SD != nil {
			mean, sd, src = *ref.Mean, *ref.SD, "configured (priority_settings)"
		}
		out.AreaTypes = types
		out.AreaTypeReference = obj{"mean": fp(mean), "sd": fp(sd), "source": src}
		areaType = make([]int, n)
		for a := range dists {
			if res.Rank[a] == 0 || !(sd > 0) {
				continue
			}
			z := (res.Index[a] - mean) / sd
			t := classify(types, z)
			if t > 0 {
				areaType[a] = t
				dists[a].AreaType, dists[a].AreaTypeSD = &t, fp(z)
			}
		}
		for _, t := range types {
			if t.Type == 2 && t.MinSD != nil && sd > 0 {
				threshold = mean + *t.MinSD*sd
				out.ThresholdNote = "lower edge of area type 2 (areas with socio-economic challenges)"
			}
		}
	}
	if math.IsNaN(threshold) {
		var ranked []float64
		for a := range dists {
			if res.Rank[a] > 0 {
				ranked = append(ranked, res.Index[a])
			}
		}
		slices.Sort(ranked)
		if len(ranked) > 0 {
			threshold = typ7(ranked, vulnerableQuantile)
		}
		out.ThresholdNote = "80th percentile of this year's index: the most needy fifth"
	}
	out.Threshold = threshold
	// Early warning: the index of each of the last trendYears years, scored with this
	// year's fit so the series is comparable.
	tyears := make([]int, 0, trendYears)
	series := make([][]float64, 0, trendYears)
	for y := year - trendYears + 1; y <= year; y++ {
		vals := make([]float64, n)
		if err := ne.model.IndexInto(subMatrix(d, y-from, spec.Keys), vals); err != nil {
			return nil, compositeError(err)
		}
		tyears = append(tyears, y)
		series = append(series, vals)
	}
	out.TrendYears = tyears
	ys := make([]float64, 0, trendYears)
	xs := make([]float64, 0, trendYears)
	for a := range dists {
		ys, xs = ys[:0], xs[:0]
		tr := &trendOut{Years: []int{}, Series: []jf{}}
		for t, y := range tyears {
			if v := series[t][a]; !math.IsNaN(v) {
				// A year without a value leaves a gap: the slope is per year, not per value.
				ys, xs = append(ys, v), append(xs, float64(y))
				tr.Years = append(tr.Years, y)
				tr.Series = append(tr.Series, fp(v))
			}
		}
		if len(ys) < 3 || math.IsNaN(threshold) {
			continue
		}
		w, err := trend.EarlyWarningAt(xs, ys, threshold, earlyWarningAlpha, earlyWarningHorizon)
		if err != nil {
			return nil, err
		}
		tr.Slope, tr.P, tr.Tau, tr.Projected, tr.YearsToTop = w.Slope, w.P, w.Tau, w.Projected, fp(w.Periods)
		dists[a].Trend = tr
		dists[a].EarlyWarning = w.Flag
	}
	// Feasibility.
	feasScore, feasRank, err := s.feasibility(d, yi, feas, dists, &out.Warnings)
	if err != nil {
		return nil, err
	}
	// Sensitivity.
	var sens *composite.Sensitivity
	if req.Sensitivity != nil && req.Sensitivity.Draws > 0 {
		so := composite.SensitivityOptions{Draws: req.Sensitivity.Draws, Seed: req.Sensitivity.Seed,
			Concentration: defaultConcentration, TopK: k}
		if req.Sensitivity.Concentration != nil {
			so.Concentration = *req.Sensitivity.Concentration
		}
		switchMethods := req.Sensitivity.SwitchMethods == nil || *req.Sensitivity.SwitchMethods
		if switchMethods && spec.Opt.Normalisation != composite.Raw {
			for _, nm := range []composite.Normalisation{composite.ZScore, composite.MinMax, composite.Rank} {
				for _, ag := range []composite.Aggregation{composite.Arithmetic, composite.Geometric} {
					so.Methods = append(so.Methods, composite.Method{Normalisation: nm, Aggregation: ag})
				}
			}
		}
		// Each draw ranks every area: refuse before drawing what would not fit (cost.go).
		if work := float64(so.Draws) * float64(len(d.Areas)); work > maxSensitivityWork {
			return nil, invalid("sensitivity.draws", "%d draws over %d areas are %.0f ranks, more than %d; use fewer draws",
				so.Draws, len(d.Areas), work, maxSensitivityWork)
		}
		s.gate.computing()
		sens, err = composite.Analyse(subMatrix(d, yi, spec.Keys), indicatorsOf(spec, d), spec.Opt, so)
		if err != nil {
			var ce *composite.Error
			if errors.As(err, &ce) {
				return nil, invalid("sensitivity."+ce.Field, "%s", ce.Reason)
			}
			return nil, err
		}
		methods := []string{}
		for _, m := range so.Methods {
			methods = append(methods, m.Normalisation.String()+"/"+m.Aggregation.String())
		}
		out.Sensitivity = obj{"draws": so.Draws, "seed": so.Seed, "concentration": so.Concentration,
			"methods": methods, "method_draws": sens.MethodDraws, "top_k": k,
			"note": "Weights ~ Dirichlet(concentration × chosen weights); each draw picks one method uniformly; the areas ranked by the base evaluation are re-ranked in every draw."}
		for a := range dists {
			if res.Rank[a] > 0 {
				dists[a].Sensitivity = &sensOut{MedianRank: sens.MedianRank[a], P05: sens.P05[a], P95: sens.P95[a], PTopK: sens.PTopK[a]}
			}
		}
	}
	// Need × feasibility and the pilots.
	pilots, matrix, err := recommend(d, res, feasScore, feasRank, k, needShare, req.Include, req.Exclude, dists)
	if err != nil {
		return nil, err
	}
	out.Matrix = matrix
	for i := range pilots {
		pilots[i].ExplanationSV, pilots[i].ExplanationEN = explain(&pilots[i], out, dists, cat, feas, sens)
	}
	out.Pilots = pilots
	out.Districts = dists
	return out, nil
}

func meanSD(x []float64, rk []int) (float64, float64) {
	sum, n := 0.0, 0
	for i, v := range x {
		if rk[i] > 0 {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean := sum / float64(n)
	ss := 0.0
	for i, v := range x {
		if rk[i] > 0 {
			ss += (v - mean) * (v - mean)
		}
	}
	return mean, math.Sqrt(ss / float64(n))
}

func classify(types []layers.AreaType, z float64) int {
	for _, t := range types {
		if (t.MinSD == nil || z >= *t.MinSD) && (t.MaxSD == nil || z < *t.MaxSD) {
			return t.Type
		}
	}
	return 0
}

func typ7(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// partnerFeasibility loads the weighed feasibility inputs of source partner_layer into
// d.Partner, as shares per area of the caller's level. An input whose layer the caller may not
// see (or whose configured property or total no longer fits it) is marked Unavailable, with
// no values: the analysis goes on without it rather than failing or showing the layer's data.
func (s *Server) partnerFeasibility(ctx context.Context, d *layers.PriorityData, level string, feas []layers.FeasibilityInput) error {
	codes := make([]string, len(d.Areas))
	for a, ar := range d.Areas {
		codes[a] = ar.Code
	}
	for i := range feas {
		f := &feas[i]
		if f.Source != "partner_layer" || f.Weight == 0 {
			continue
		}
		v, err := s.store.PartnerShares(ctx, *f, level, codes)
		var inv *layers.InvalidError
		switch {
		case errors.Is(err, layers.ErrNotFound):
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

// feasibilityInputs applies the request's weight overrides to the configured inputs.
func feasibilityInputs(all []layers.FeasibilityInput, override map[string]float64) ([]layers.FeasibilityInput, error) {
	if err := checkWeights("feasibility_weights", override, false); err != nil {
		return nil, err
	}
	for key := range override {
		if !slices.ContainsFunc(all, func(f layers.FeasibilityInput) bool { return f.Key == key }) {
			return nil, invalid("feasibility_weights", "unknown feasibility input %q", key)
		}
	}
	out := []layers.FeasibilityInput{}
	total := 0.0
	for _, f := range all {
		if w, ok := override[f.Key]; ok {
			f.Weight = w
		}
		total += f.Weight
		out = append(out, f)
	}
	if total == 0 {
		return nil, invalid("feasibility_weights", "every feasibility weight is zero")
	}
	if math.IsInf(total, 0) {
		return nil, invalid("feasibility_weights", "the feasibility weights add up to %v", total)
	}
	return out, nil
}

// feasibility scores the chance of success: configured inputs, min–max, arithmetic mean,
// 0–1, higher = better conditions.
func (s *Server) feasibility(d *layers.PriorityData, yi int, feas []layers.FeasibilityInput, dists []priorityDistrict, warnings *[]string) ([]float64, []int, error) {
	n := len(d.Areas)
	var cols [][]float64
	var ind []composite.Indicator
	var keys []string
	for _, f := range feas {
		if f.Weight == 0 {
			continue
		}
		var v []float64
		switch f.Source {
		case "indicator":
			if c := slices.Index(d.Keys, f.IndicatorKey); c >= 0 {
				v = make([]float64, n)
				for a := range v {
					v[a] = d.Values[yi][a*len(d.Keys)+c]
				}
			}
		case "meeting_places":
			v = d.MeetingPlaces[layers.MeetingPlacesKey(f.PlaceKinds)]
		case "interventions":
			v = d.ActiveInterventions
		case "partner_layer":
			if f.Unavailable != "" {
				*warnings = append(*warnings, fmt.Sprintf("feasibility input %s is unavailable: %s", f.Key, f.Unavailable))
				continue
			}
			v = d.Partner[f.Key]
		}
		present := 0
		for _, x := range v {
			if !math.IsNaN(x) {
				present++
			}
		}
		if present == 0 {
			*warnings = append(*warnings, fmt.Sprintf("feasibility input %s has no values and is left out", f.Key))
			continue
		}
		sign := 1.0
		if f.Direction == "higher_is_worse" {
			sign = -1
		}
		cols = append(cols, v)
		ind = append(ind, composite.Indicator{Key: f.Key, Sign: sign, Weight: f.Weight})
		keys = append(keys, f.Key)
	}
	score, rk := make([]float64, n), make([]int, n)
	for a := range score {
		score[a] = math.NaN()
	}
	if len(ind) == 0 {
		*warnings = append(*warnings, "no feasibility input has values: pilots are chosen by need alone")
		return score, rk, nil
	}
	m := composite.NewMatrix(n, len(ind))
	for j, v := range cols {
		for a, x := range v {
			m.Set(a, j, x)
		}
	}
	_, res, err := composite.Evaluate(m, ind, composite.Options{Normalisation: composite.MinMax})
	if err != nil {
		// The feasibility's weights and inputs are the caller's feasibility_weights, not
		// the need index's weights that composite's field names would suggest.
		var ce *composite.Error
		if errors.As(err, &ce) {
			return nil, nil, invalid("feasibility_weights", "feasibility %s: %s", ce.Field, ce.Reason)
		}
		return nil, nil, err
	}
	for a := range dists {
		dists[a].Feasibility = fp(res.Index[a])
		dists[a].FeasContrib, dists[a].FeasInputs = map[string]jf{}, map[string]jf{}
		for j, key := range keys {
			dists[a].FeasContrib[key] = fp(res.Contrib[a*len(keys)+j])
			dists[a].FeasInputs[key] = fp(m.At(a, j))
		}
		if res.Rank[a] > 0 {
			r := res.Rank[a]
			dists[a].FeasRank = &r
		}
	}
	return res.Index, res.Rank, nil
}

// recommend picks k pilots: the included areas first, then by need percentile^s ×
// feasibility percentile^(1−s) (s = needShare), ties by need rank.
func recommend(d *layers.PriorityData, res *composite.Result, feas []float64, feasRank []int, k int, needShare float64,
	include, exclude []string, dists []priorityDistrict) ([]pilotOut, obj, error) {
	idx := map[string]int{}
	for a, ar := range d.Areas {
		idx[ar.Code] = a
	}
	for _, code := range append(slices.Clone(include), exclude...) {
		if _, ok := idx[code]; !ok {
			param := "include"
			if slices.Contains(exclude, code) {
				param = "exclude"
			}
			return nil, nil, invalid(param, "unknown area %q", code)
		}
	}
	for _, code := range include {
		if slices.Contains(exclude, code) {
			return nil, nil, invalid("include", "%q is both included and excluded", code)
		}
		if res.Rank[idx[code]] == 0 {
			return nil, nil, invalid("include", "%q is not ranked (coverage below the threshold)", code)
		}
	}
	if len(include) > k {
		return nil, nil, invalid("include", "%d areas included but k is %d", len(include), k)
	}
	// Percentiles among the ranked areas: the highest need (or feasibility) scores 1.
	var eligible []int
	nf := 0
	for a := range d.Areas {
		if res.Rank[a] > 0 {
			eligible = append(eligible, a)
			if feasRank[a] > 0 {
				nf++
			}
		}
	}
	available := 0
	for _, a := range eligible {
		if !slices.Contains(exclude, d.Areas[a].Code) {
			available++
		}
	}
	if k > available {
		return nil, nil, invalid("k", "%d pilots asked but only %d areas are ranked and not excluded", k, available)
	}
	needMed, feasMed := medianOf(eligible, res.Index), medianOf(eligible, feas)
	// Feasibility rank among eligible areas.
	feasOrder := slices.Clone(eligible)
	slices.SortStableFunc(feasOrder, func(a, b int) int {
		fa, fb := feas[a], feas[b]
		switch {
		case math.IsNaN(fa) && math.IsNaN(fb):
			return 0
		case math.IsNaN(fa):
			return 1
		case math.IsNaN(fb):
			return -1
		case fa > fb:
			return -1
		case fa < fb:
			return 1
		}
		return 0
	})
	fpct := map[int]float64{}
	for pos, a := range feasOrder {
		fpct[a] = float64(len(feasOrder)-pos) / float64(len(feasOrder))
		if math.IsNaN(feas[a]) {
			fpct[a] = 0.5 / float64(len(feasOrder)) // unknown conditions: as if last
		}
	}
	score := map[int]float64{}
	for _, a := range eligible {
		npct := float64(res.Ranked-res.Rank[a]+1) / float64(res.Ranked)
		score[a] = math.Pow(npct, needShare) * math.Pow(fpct[a], 1-needShare)
		dists[a].PilotScore = fp(score[a])
		hiN, hiF := res.Index[a] >= needMed, !math.IsNaN(feas[a]) && feas[a] >= feasMed
		switch {
		case hiN && hiF:
			dists[a].Quadrant = "high_need_good_conditions"
		case hiN:
			dists[a].Quadrant = "high_need_weak_conditions"
		case hiF:
			dists[a].Quadrant = "lower_need_good_conditions"
		default:
			dists[a].Quadrant = "lower_need_weak_conditions"
		}
	}
	for a := range dists {
		if dists[a].Quadrant == "" {
			dists[a].Quadrant = "not_ranked"
		}
	}
	order := slices.Clone(eligible)
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return res.Rank[a] - res.Rank[b]
	})
	var pilots []pilotOut
	chosen := map[int]bool{}
	add := func(a int, included bool) {
		chosen[a] = true
		dists[a].Pilot = true
		fr := 0
		if feasRank[a] > 0 {
			fr = feasRank[a]
		}
		pilots = append(pilots, pilotOut{Code: d.Areas[a].Code, Name: d.Areas[a].Name, Score: score[a],
			NeedRank: res.Rank[a], FeasRank: fr, Included: included})
	}
	for _, code := range include {
		if !chosen[idx[code]] {
			add(idx[code], true)
		}
	}
	for _, a := range order {
		if len(pilots) >= k {
			break
		}
		if chosen[a] || slices.Contains(exclude, d.Areas[a].Code) {
			continue
		}
		add(a, false)
	}
	slices.SortStableFunc(pilots, func(x, y pilotOut) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return x.NeedRank - y.NeedRank
	})
	matrix := obj{"need_median": fp(needMed), "feasibility_median": fp(feasMed), "x": "feasibility", "y": "index",
		"quadrants": []string{"high_need_good_conditions", "high_need_weak_conditions", "lower_need_good_conditions", "lower_need_weak_conditions"},
		"score":     "need percentile^need_share × feasibility percentile^(1 − need_share), among the ranked areas"}
	return pilots, matrix, nil
}

func medianOf(rows []int, x []float64) float64 {
	var v []float64
	for _, a := range rows {
		if !math.IsNaN(x[a]) {
			v = append(v, x[a])
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	return typ7(v, 0.5)
}

// explain writes the pilot's reasons from its numbers, in Swedish and English.
func explain(p *pilotOut, out *priorityResult, dists []priorityDistrict, cat map[string]layers.Indicator,
	feas []layers.FeasibilityInput, sens *composite.Sensitivity) (string, string) {
	var d *priorityDistrict
	for i := range dists {
		if dists[i].Code == p.Code {
			d = &dists[i]
		}
	}
	type part struct {
		key string
		c   float64
	}
	top := func(m map[string]jf) []part {
		var ps []part
		for k, v := range m {
			if v != nil && *v > 0 {
				ps = append(ps, part{k, *v})
			}
		}
		slices.SortFunc(ps, func(a, b part) int {
			if a.c != b.c {
				if a.c > b.c {
					return -1
				}
				return 1
			}
			return strings.Compare(a.key, b.key)
		})
		return ps[:min(2, len(ps))]
	}
	sum := 0.0
	for _, v := range d.Contributions {
		if v != nil && *v > 0 {
			sum += *v
		}
	}
	var drvSV, drvEN []string
	for _, pt := range top(d.Contributions) {
		ind := cat[pt.key]
		val := ""
		if v := d.Values[pt.key]; v != nil {
			val = " " + strconv.FormatFloat(*v, 'f', 1, 64) + " " + ind.Unit
		}
		share := 100 * pt.c / sum
		drvSV = append(drvSV, fmt.Sprintf("%s (%s, %s %% av det positiva bidraget)", strings.ToLower(ind.NameSV), strings.TrimSpace(val), svNum(share, 0)))
		drvEN = append(drvEN, fmt.Sprintf("%s (%s, %.0f %% of the positive contribution)", strings.ToLower(ind.NameEN), strings.TrimSpace(val), share))
	}
	needSV := fmt.Sprintf("Behov: rang %d av %d", p.NeedRank, out.Ranked)
	needEN := fmt.Sprintf("Need: rank %d of %d", p.NeedRank, out.Ranked)
	if len(drvSV) > 0 {
		needSV += ", främst drivet av " + strings.Join(drvSV, " och ")
		needEN += ", driven mainly by " + strings.Join(drvEN, " and ")
	}
	fname := map[string][2]string{}
	for _, f := range feas {
		sv, en := f.Key, strings.ReplaceAll(f.Key, "_", " ")
		switch f.Source {
		case "indicator":
			if ind, ok := cat[f.IndicatorKey]; ok {
				sv, en = strings.ToLower(ind.NameSV), strings.ToLower(ind.NameEN)
			}
		case "meeting_places":
			sv, en = "mötesplatser per invånare", "meeting places per resident"
		case "interventions":
			sv, en = "pågående insatser", "interventions already running"
		}
		fname[f.Key] = [2]string{sv, en}
	}
	feasSV, feasEN := "förutsättningar okända", "conditions unknown"
	if d.Feasibility != nil {
		quality := [2]string{"svagare förutsättningar", "weaker conditions"}
		if d.Quadrant == "high_need_good_conditions" || d.Quadrant == "lower_need_good_conditions" {
			quality = [2]string{"goda förutsättningar", "good conditions"}
		}
		feasSV = fmt.Sprintf("%s (%s, rang %d)", quality[0], svNum(*d.Feasibility, 2), p.FeasRank)
		feasEN = fmt.Sprintf("%s (%.2f, rank %d)", quality[1], *d.Feasibility, p.FeasRank)
		var fsv, fen []string
		for _, pt := range top(d.FeasContrib) {
			fsv, fen = append(fsv, fname[pt.key][0]), append(fen, fname[pt.key][1])
		}
		if len(fsv) > 0 {
			feasSV += " tack vare " + strings.Join(fsv, " och ")
			feasEN += " thanks to " + strings.Join(fen, " and ")
		}
	}
	sv, en := needSV+"; "+feasSV+".", needEN+"; "+feasEN+"."
	if d.EarlyWarning {
		sv += " Tidig varning: indexet stiger mot den mest utsatta gruppen."
		en += " Early warning: the index is rising towards the most vulnerable group."
	}
	if d.Sensitivity != nil {
		sv += fmt.Sprintf(" Rang %s–%s i 90 %% av känslighetsdragningarna; topp %d i %s %%.", svNum(d.Sensitivity.P05, 0), svNum(d.Sensitivity.P95, 0), out.K, svNum(100*d.Sensitivity.PTopK, 0))
		en += fmt.Sprintf(" Rank %.0f–%.0f in 90 %% of the sensitivity draws; top %d in %.0f %%.", d.Sensitivity.P05, d.Sensitivity.P95, out.K, 100*d.Sensitivity.PTopK)
	}
	if p.Included {
		sv += " Medtagen på planerarnas begäran."
		en += " Included at the planners' request."
	}
	return sv, en
}

// svNum formats x with a decimal comma, as Swedish readers expect.
func svNum(x float64, decimals int) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', decimals, 64), ".", ",", 1)
}

// ---- GeoJSON and CSV ----

func priorityGeoJSON(res *priorityResult, geoms map[string]json.RawMessage) []byte {
	type feature struct {
		Type       string          `json:"type"`
		ID         string          `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties obj             `json:"properties"`
	}
	fs := make([]feature, 0, len(res.Districts))
	for _, d := range res.Districts {
		g := geoms[d.Code]
		if g == nil {
			g = json.RawMessage("null")
		}
		props := obj{"code": d.Code, "name": d.Name, "index": d.Index, "rank": d.Rank, "ranked": d.Ranked,
			"coverage": d.Coverage, "change": d.Change, "early_warning": d.EarlyWarning, "feasibility": d.Feasibility,
			"feasibility_rank": d.FeasRank, "quadrant": d.Quadrant, "pilot": d.Pilot, "area_type": d.AreaType,
			"police_class": d.PoliceClass}
		if d.Sensitivity != nil {
			props["median_rank"], props["p05"], props["p95"], props["p_top_k"] = d.Sensitivity.MedianRank, d.Sensitivity.P05, d.Sensitivity.P95, d.Sensitivity.PTopK
		}
		fs = append(fs, feature{Type: "Feature", ID: d.Code, Geometry: g, Properties: props})
	}
	return marshalJSON(obj{"type": "FeatureCollection", "features": fs, "numberReturned": len(fs),
		"year": res.Year, "normalisation": res.Normalisation, "aggregation": res.Aggregation, "preset": res.Preset,
		"notice": res.Notice, "timeStamp": res.TimeStamp})
}

func priorityCSV(res *priorityResult) []byte {
	var b bytes.Buffer
	w := newCSVWriter(&b)
	head := []string{"code", "name", "index", "rank", "coverage", "base_index", "change", "early_warning", "area_type",
		"feasibility", "feasibility_rank", "quadrant", "pilot", "median_rank", "p05", "p95", "p_top_k"}
	for _, ind := range res.Indicators {
		head = append(head, "contribution_"+ind.Key)
	}
	_ = w.Write(head)
	num := func(v jf) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', 10, 64)
	}
	integer := func(v *int) string {
		if v == nil {
			return ""
		}
		return strconv.Itoa(*v)
	}
	for _, d := range res.Districts {
		row := []string{d.Code, d.Name, num(d.Index), integer(d.Rank), num(&d.Coverage), num(d.BaseIndex), num(d.Change),
			strconv.FormatBool(d.EarlyWarning), integer(d.AreaType), num(d.Feasibility), integer(d.FeasRank), d.Quadrant,
			strconv.FormatBool(d.Pilot)}
		if s := d.Sensitivity; s != nil {
			row = append(row, num(&s.MedianRank), num(&s.P05), num(&s.P95), num(&s.PTopK))
		} else {
			row = append(row, "", "", "", "")
		}
		for _, ind := range res.Indicators {
			row = append(row, num(d.Contributions[ind.Key]))
		}
		_ = w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

// ---- comparing organisations ----

// Bounds of a comparison (issue 12, review M3): its cost grows with the square of the
// scenarios compared (Kendall's tau for every pair); k and limit only pick what is shown,
// but no municipality has more areas than these.
const (
	maxCompareScenarios = 30
	maxCompareK         = 1000
	maxCompareLimit     = 1000
)

type compareRequest struct {
	Scenarios []string `json:"scenarios"`
	Level     string   `json:"level"`
	Year      int      `json:"year"`
	K         int      `json:"k"`
	Limit     int      `json:"limit"`
}

func (s *Server) priorityCompare(c echo.Context) error {
	if err := onlyParams(c, "f"); err != nil {
		return err
	}
	var req compareRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if req.Level == "" {
		req.Level = "district"
	}
	if !slices.Contains([]string{"district", "regso", "deso"}, req.Level) {
		return invalid("level", "%q is not one of district, regso, deso", req.Level)
	}
	if req.K == 0 {
		req.K = 5
	}
	if req.Limit == 0 {
		req.Limit = 10
	}
	if req.K < 1 || req.K > maxCompareK {
		return invalid("k", "%d is not between 1 and %d (at most %d)", req.K, maxCompareK, maxCompareK)
	}
	if req.Limit < 1 || req.Limit > maxCompareLimit {
		return invalid("limit", "%d is not between 1 and %d (at most %d)", req.Limit, maxCompareLimit, maxCompareLimit)
	}
	if len(req.Scenarios) > maxCompareScenarios {
		return invalid("scenarios", "%d scenarios, at most %d", len(req.Scenarios), maxCompareScenarios)
	}
	all, err := s.store.PriorityScenarios(ctx)
	if err != nil {
		return err
	}
	var scs []layers.PriorityScenario
	if len(req.Scenarios) == 0 {
		// The organisations' built-in perspectives and the caller's organisation's own: at
		// most MaxScenariosPerOrganisation more, however many other organisations keep.
		org := layers.PrincipalFrom(ctx).Organisation
		for _, sc := range all {
			if sc.Builtin || (org != "" && sc.Owner != nil && *sc.Owner == org) {
				scs = append(scs, sc)
			}
		}
	} else {
		for _, id := range req.Scenarios {
			i := slices.IndexFunc(all, func(sc layers.PriorityScenario) bool { return sc.ID == id })
			if i < 0 {
				return invalid("scenarios", "no scenario %q", id)
			}
			if slices.ContainsFunc(scs, func(sc layers.PriorityScenario) bool { return sc.ID == id }) {
				return invalid("scenarios", "%q given twice", id)
			}
			scs = append(scs, all[i])
		}
	}
	if len(scs) < 2 {
		return invalid("scenarios", "compare needs at least two scenarios")
	}
	meta, err := s.store.PriorityInputs(ctx, req.Level, nil, 0, -1, nil)
	if err != nil {
		return err
	}
	cat := catalogue(meta)
	year := req.Year
	if year == 0 && len(meta.Years) > 0 {
		year = meta.Years[len(meta.Years)-1]
	}
	if year == 0 {
		return invalid("year", "no indicator values are loaded")
	}
	if year < 1900 || year > 2100 { // as runPriority
		return invalid("year", "%d is outside 1900–2100", year)
	}
	specs := make([]needSpec, len(scs))
	var keys []string
	warnings := []string{}
	for i := range scs {
		sc := scs[i]
		// Keys a stored scenario names but the catalogue lacks are dropped with a warning.
		w := map[string]float64{}
		for k, v := range sc.Weights {
			if _, ok := cat[k]; ok {
				w[k] = v
			} else {
				warnings = append(warnings, fmt.Sprintf("scenario %s: indicator %s is not in the catalogue", sc.ID, k))
			}
		}
		sc.Weights = w
		spec, err := resolveNeed(&sc, nil, cat)
		if err != nil {
			return invalid("scenarios", "scenario %s: %v", sc.ID, err)
		}
		specs[i] = spec
		for _, k := range spec.Keys {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	d, err := s.store.PriorityInputs(ctx, req.Level, keys, year, year, nil)
	if err != nil {
		return err
	}
	rankings := make([][]int, len(specs))
	for i, spec := range specs {
		spec, dropped := dropEmpty(spec, d, 0, year)
		warnings = append(warnings, dropped...)
		if len(spec.Keys) == 0 {
			return invalid("year", "scenario %s has no indicator with a value in %d", scs[i].ID, year)
		}
		ne, err := evalNeed(spec, d, 0)
		if err != nil {
			return invalid("year", "scenario %s: %v", scs[i].ID, err)
		}
		rankings[i] = ne.res.Rank
	}
	cons, err := rank.Borda(rankings)
	if err != nil {
		return err
	}
	tau, err := rank.TauMatrix(rankings)
	if err != nil {
		return err
	}
	spread, err := rank.Disagreement(rankings)
	if err != nil {
		return err
	}
	type scOut struct {
		ID           string `json:"id"`
		NameSV       string `json:"name_sv"`
		NameEN       string `json:"name_en"`
		Organisation string `json:"organisation"`
		Ranked       int    `json:"ranked"`
	}
	type distOut struct {
		Code          string          `json:"code"`
		Name          string          `json:"name"`
		Ranks         map[string]*int `json:"ranks"`
		ConsensusRank int             `json:"consensus_rank"`
		BordaPoints   float64         `json:"borda_points"`
		MeanRank      float64         `json:"mean_rank"`
		InTopK        int             `json:"in_top_k"`
	}
	scOuts := make([]scOut, len(scs))
	ids := make([]string, len(scs))
	for i, sc := range scs {
		ranked := 0
		for _, r := range rankings[i] {
			if r > 0 {
				ranked++
			}
		}
		scOuts[i] = scOut{sc.ID, sc.NameSV, sc.NameEN, sc.Organisation, ranked}
		ids[i] = sc.ID
	}
	dists := make([]distOut, len(d.Areas))
	for a, ar := range d.Areas {
		do := distOut{Code: ar.Code, Name: ar.Name, Ranks: map[string]*int{}, ConsensusRank: cons.Rank[a],
			BordaPoints: cons.Points[a], MeanRank: cons.MeanRank[a]}
		for i, rk := range rankings {
			if r := rk[a]; r > 0 {
				do.Ranks[ids[i]] = &r
				if r <= req.K {
					do.InTopK++
				}
			} else {
				do.Ranks[ids[i]] = nil
			}
		}
		dists[a] = do
	}
	slices.SortStableFunc(dists, func(x, y distOut) int { return x.ConsensusRank - y.ConsensusRank })
	tauOut := make([][]jf, len(tau))
	for i := range tau {
		tauOut[i] = make([]jf, len(tau))
		for j := range tau[i] {
			tauOut[i][j] = fp(tau[i][j])
		}
	}
	var dis []obj
	for _, sp := range spread[:min(req.Limit, len(spread))] {
		ranks := obj{}
		for i, rk := range rankings {
			if r := rk[sp.Item]; r > 0 {
				ranks[ids[i]] = r
			}
		}
		dis = append(dis, obj{"code": d.Areas[sp.Item].Code, "name": d.Areas[sp.Item].Name, "min_rank": sp.Min,
			"max_rank": sp.Max, "range": sp.Range, "sd": sp.SD, "ranks": ranks})
	}
	res := obj{"year": year, "level": req.Level, "k": req.K, "scenarios": scOuts, "districts": dists,
		"kendall_tau":   obj{"scenarios": ids, "matrix": tauOut},
		"disagreements": dis, "warnings": warnings,
		"consensus_method": "Borda count: n − rank points per scenario, unranked areas share the remaining positions; ties by median rank, then code (equal points mean equal mean ranks, so the mean cannot break a tie). Chosen because every organisation weighs the same, the points can be checked by hand, and it approximates the Kemeny ranking within a factor 5 at linear cost.",
		"timeStamp":        s.now().UTC().Format(time.RFC3339)}
	if d.Illustrative {
		res["notice"] = illustrativeNotice
	}
	return s.send(c, http.StatusOK, mediaJSON, "no-store", marshalJSON(res))
}
