package analysis

import (
	"cmp"
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/composite"
	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/priority"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The prioritisation (POST /analysis/priority): where to start a pilot intervention. This
// file parses the request, runs the analysis (layers reads its inputs in one call, geo/priority
// computes) and maps the result to the answer; the scenarios, the exports and the
// organisations' comparison have files of their own.

func (s *Room) priorityRoutes(e *echo.Echo) {
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

// priorityConfig answers what the priority page needs to start.
func (s *Room) priorityConfig(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	scs, err := s.store.PriorityScenarios(ctx)
	if err != nil {
		return err
	}
	cat, err := s.store.PriorityCatalogue(ctx, "district")
	if err != nil {
		return err
	}
	types, ref, err := s.store.AreaTypes(ctx)
	if err != nil {
		return err
	}
	return s.out.SendJSON(c, respond.MediaJSON, "no-cache", respond.Obj{
		"indicators": cat.Indicators, "themes": priority.Themes(), "years": cat.Years, "scenarios": scs,
		"feasibility_inputs": cat.Feasibility, "area_types": types,
		"scb_reference":  respond.Obj{"mean": ref.Mean, "sd": ref.SD},
		"normalisations": []string{"zscore", "minmax", "rank", "raw"},
		"aggregations":   []string{"arithmetic", "geometric"},
		"defaults": respond.Obj{"scenario": "polisen", "k": 3, "trend_years": priority.DefaultTrendYears, "need_share": priority.DefaultNeedShare,
			"concentration": priority.DefaultConcentration, "early_warning_alpha": priority.EarlyWarningAlpha,
			"early_warning_horizon": priority.EarlyWarningHorizon},
	})
}

// priorityParams is what one priority analysis is asked: the body of POST /analysis/priority,
// and what the report asks. Zero values take the defaults.
type priorityParams struct {
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

// prioritised is one priority analysis: what it read and what geo/priority made of it.
type prioritised struct {
	scenario *layers.PriorityScenario
	level    string
	opt      priority.Options
	data     *layers.PriorityData
	res      *priority.Result
}

func (s *Room) priority(c echo.Context) error {
	format, err := priorityFormat(c)
	if err != nil {
		return err
	}
	var p priorityParams
	if err := request.DecodeBody(c, &p); err != nil {
		return err
	}
	run, err := s.prioritise(c.Request().Context(), &p)
	if err != nil {
		return err
	}
	res := s.priorityAnswer(run)
	switch format {
	case "geojson":
		geoms, err := s.store.AreaGeometries(c.Request().Context(), res.Level, crs.CRS84)
		if err != nil {
			return err
		}
		return s.sendPriority(c, respond.MediaGeoJSON, priorityGeoJSON(res, geoms))
	case "csv":
		return s.sendPriority(c, respond.MediaCSV, priorityCSV(res))
	}
	return s.sendPriority(c, respond.MediaJSON, respond.JSON(res))
}

func (s *Room) sendPriority(c echo.Context, media string, body []byte) error {
	return s.out.Send(c, http.StatusOK, media, "no-store", body)
}

// priorityFormat reads ?f= or, without it, the Accept header: json (default), geojson, csv.
func priorityFormat(c echo.Context) (string, error) {
	if err := respond.OnlyParamsAny(c, "f"); err != nil {
		return "", err
	}
	if c.QueryParams().Has("f") {
		switch f := c.QueryParam("f"); f {
		case "json", "geojson", "csv":
			return f, nil
		default:
			return "", layers.Invalid("f", "%q is not one of json, geojson, csv", f)
		}
	}
	accept := c.Request().Header.Get(echo.HeaderAccept)
	switch {
	case strings.Contains(accept, respond.MediaGeoJSON):
		return "geojson", nil
	case strings.Contains(accept, "text/csv"):
		return "csv", nil
	}
	return "json", nil
}

// prioritise runs the priority analysis p asks for: the scenario, the catalogue, the weighting
// resolved against it (geo/priority), the inputs in one call (layers), and the analysis
// (geo/priority). Errors: an *layers.InvalidError or *input.Error (geo) naming the parameter at
// fault; the store's.
func (s *Room) prioritise(ctx context.Context, p *priorityParams) (*prioritised, error) {
	run := &prioritised{}
	if err := s.priorityScenarioOf(ctx, p, run); err != nil {
		return nil, err
	}
	if err := priorityChoices(p, run); err != nil {
		return nil, err
	}
	// The catalogue first, to resolve the weights and the years before reading values.
	cat, err := s.store.PriorityCatalogue(ctx, run.level)
	if err != nil {
		return nil, err
	}
	if len(cat.Areas) == 0 {
		return nil, layers.Invalid("level", "no areas of level %q are loaded", run.level)
	}
	if run.opt.Need, err = priority.ResolveNeed(p.weighting(run.scenario), layers.PriorityIndicators(cat.Indicators)); err != nil {
		return nil, err
	}
	feas, err := feasibilityInputs(cat.Feasibility, p.FeasibilityWeights)
	if err != nil {
		return nil, err
	}
	if err := priorityYears(p, cat.Years, run); err != nil {
		return nil, err
	}
	run.data, err = s.store.PriorityAnalysisInputs(ctx, layers.PriorityQuery{Level: run.level, Keys: run.opt.Need.Keys,
		From: min(run.opt.BaseYear, run.opt.Year-run.opt.TrendYears+1), To: run.opt.Year, Feasibility: feas,
		AreaTypes: run.opt.Need.Preset == "scb"})
	if err != nil {
		return nil, err
	}
	if so := run.opt.Sensitivity; so != nil {
		// Each draw ranks every area: refuse before drawing what would not fit (cost.go).
		if work := float64(so.Draws) * float64(len(run.data.Areas)); work > maxSensitivityWork {
			return nil, layers.Invalid("sensitivity.draws", "%d draws over %d areas are %.0f ranks, more than %d; use fewer draws",
				so.Draws, len(run.data.Areas), work, maxSensitivityWork)
		}
		s.gate.Computing()
	}
	if run.res, err = priority.Analyse(run.data.Inputs(), run.opt); err != nil {
		return nil, err
	}
	return run, nil
}

// priorityScenarioOf reads the scenario p names into run; without one, p must give weights.
func (s *Room) priorityScenarioOf(ctx context.Context, p *priorityParams, run *prioritised) error {
	if p.Scenario == "" {
		if p.Weights == nil {
			return layers.Invalid("weights", "give a scenario or weights")
		}
		return nil
	}
	if !scenarioID.MatchString(p.Scenario) {
		return layers.Invalid("scenario", "%q is not a scenario id (%s)", p.Scenario, scenarioID)
	}
	sc, err := s.store.PriorityScenario(ctx, p.Scenario)
	if errors.Is(err, layers.ErrNotFound) {
		return layers.Invalid("scenario", "no scenario %q", p.Scenario)
	}
	if err != nil {
		return err
	}
	run.scenario = &sc
	return nil
}

// priorityChoices checks p's level, k, need share, trend years, pilots and sensitivity
// analysis into run, the defaults for those not given.
func priorityChoices(p *priorityParams, run *prioritised) error {
	run.level = cmp.Or(p.Level, "district")
	if !slices.Contains([]string{"district", "regso", "deso"}, run.level) {
		return layers.Invalid("level", "%q is not one of district, regso, deso", run.level)
	}
	o := &run.opt
	o.K, o.NeedShare, o.TrendYears, o.Include, o.Exclude = cmp.Or(p.K, 3), priority.DefaultNeedShare, cmp.Or(p.TrendYears, priority.DefaultTrendYears), p.Include, p.Exclude
	if o.K < 1 {
		return layers.Invalid("k", "%d is below 1", o.K)
	}
	if p.NeedShare != nil {
		o.NeedShare = *p.NeedShare
	}
	if !(o.NeedShare >= 0 && o.NeedShare <= 1) {
		return layers.Invalid("need_share", "%v is outside [0, 1]", o.NeedShare)
	}
	if o.TrendYears < 3 || o.TrendYears > 30 {
		return layers.Invalid("trend_years", "%d is outside [3, 30]", o.TrendYears)
	}
	if ps := p.Sensitivity; ps != nil && ps.Draws > 0 {
		o.Sensitivity = &priority.SensitivityOptions{Draws: ps.Draws, Seed: ps.Seed, Concentration: priority.DefaultConcentration,
			SwitchMethods: ps.SwitchMethods == nil || *ps.SwitchMethods}
		if ps.Concentration != nil {
			o.Sensitivity.Concentration = *ps.Concentration
		}
	}
	return nil
}

// weighting merges scenario sc (when there is one) with p's overrides: weights of its own
// replace the scenario's and its preset.
func (p *priorityParams) weighting(sc *layers.PriorityScenario) priority.Weighting {
	w := priority.Weighting{Normalisation: "zscore", Aggregation: "arithmetic", MinCoverage: 0.6}
	if sc != nil {
		w = priority.Weighting{Preset: sc.Preset, Weights: sc.Weights, ThemeWeights: sc.ThemeWeights,
			Normalisation: sc.Normalisation, Aggregation: sc.Aggregation, Winsor: sc.Winsor, MinCoverage: sc.MinCoverage}
	}
	if p.Weights != nil {
		w.Weights, w.Preset = p.Weights, ""
	}
	if p.ThemeWeights != nil {
		w.ThemeWeights = p.ThemeWeights
	}
	w.Normalisation, w.Aggregation = cmp.Or(p.Normalisation, w.Normalisation), cmp.Or(p.Aggregation, w.Aggregation)
	if p.Winsor != nil {
		w.Winsor = *p.Winsor
	}
	if p.MinCoverage != nil {
		w.MinCoverage = *p.MinCoverage
	}
	return w
}

// priorityYears checks p's year (default: the latest with values) and base year (default:
// the first of the trend years) into run.
func priorityYears(p *priorityParams, years []int, run *prioritised) error {
	year := p.Year
	if year == 0 {
		if len(years) == 0 {
			return layers.Invalid("year", "no indicator values are loaded")
		}
		year = years[len(years)-1]
	}
	if year < 1900 || year > 2100 {
		return layers.Invalid("year", "%d is outside 1900–2100", year)
	}
	base := cmp.Or(p.BaseYear, year-run.opt.TrendYears+1)
	if base >= year || base < 1900 {
		return layers.Invalid("base_year", "%d must be before year %d", base, year)
	}
	run.opt.Year, run.opt.BaseYear = year, base
	return nil
}

// feasibilityInputs applies the request's weight overrides to the configured inputs.
func feasibilityInputs(all []layers.FeasibilityInput, override map[string]float64) ([]layers.FeasibilityInput, error) {
	if err := priority.CheckWeights("feasibility_weights", override, false); err != nil {
		return nil, err
	}
	for key := range override {
		if !slices.ContainsFunc(all, func(f layers.FeasibilityInput) bool { return f.Key == key }) {
			return nil, layers.Invalid("feasibility_weights", "unknown feasibility input %q", key)
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
		return nil, layers.Invalid("feasibility_weights", "every feasibility weight is zero")
	}
	if math.IsInf(total, 0) {
		return nil, layers.Invalid("feasibility_weights", "the feasibility weights add up to %v", total)
	}
	return out, nil
}

// ---- the answer ----

// priorityDistrict is one area of the answer.
type priorityDistrict struct {
	Code          string                   `json:"code"`
	Name          string                   `json:"name"`
	PartOfTown    string                   `json:"part_of_town,omitempty"`
	Population    *int                     `json:"population"`
	PoliceClass   string                   `json:"police_class,omitempty"`
	Index         respond.Float            `json:"index"`
	LogIndex      respond.Float            `json:"log_index,omitempty"`
	Rank          *int                     `json:"rank"`
	Ranked        bool                     `json:"ranked"`
	Coverage      float64                  `json:"coverage"`
	Values        map[string]respond.Float `json:"values"`
	Scores        map[string]respond.Float `json:"scores"`
	Contributions map[string]respond.Float `json:"contributions"`
	BaseIndex     respond.Float            `json:"base_index"`
	Change        respond.Float            `json:"change"`
	BaseRank      *int                     `json:"base_rank"`
	Trend         *trendOut                `json:"trend"`
	EarlyWarning  bool                     `json:"early_warning"`
	AreaType      *int                     `json:"area_type,omitempty"`
	AreaTypeSD    respond.Float            `json:"area_type_sd,omitempty"`
	Feasibility   respond.Float            `json:"feasibility"`
	FeasRank      *int                     `json:"feasibility_rank"`
	FeasContrib   map[string]respond.Float `json:"feasibility_contributions"`
	FeasInputs    map[string]respond.Float `json:"feasibility_inputs"`
	Quadrant      string                   `json:"quadrant"`
	Sensitivity   *sensOut                 `json:"sensitivity,omitempty"`
	Pilot         bool                     `json:"pilot"`
	PilotScore    respond.Float            `json:"pilot_score"`
}

type trendOut struct {
	Years      []int           `json:"years"`
	Series     []respond.Float `json:"series"`
	Slope      float64         `json:"slope"`
	P          float64         `json:"p"`
	Tau        float64         `json:"tau"`
	Projected  float64         `json:"projected"`
	YearsToTop respond.Float   `json:"years_to_threshold"`
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
	Matrix            respond.Obj               `json:"matrix"`
	Districts         []priorityDistrict        `json:"districts"`
	Pilots            []pilotOut                `json:"pilots"`
	K                 int                       `json:"k"`
	NeedShare         float64                   `json:"need_share"`
	Sensitivity       respond.Obj               `json:"sensitivity,omitempty"`
	AreaTypes         []layers.AreaType         `json:"area_types,omitempty"`
	AreaTypeReference respond.Obj               `json:"area_type_reference,omitempty"`
	Warnings          []string                  `json:"warnings"`
	Notice            string                    `json:"notice,omitempty"`
	TimeStamp         string                    `json:"timeStamp"`
}

// priorityAnswer is run as the answer.
func (s *Room) priorityAnswer(run *prioritised) *priorityResult {
	res, need, d := run.res, run.res.Need, run.data
	out := &priorityResult{Scenario: run.scenario, Preset: need.Preset, Level: run.level, Year: run.opt.Year, BaseYear: run.opt.BaseYear,
		TrendYears: res.TrendYears, Normalisation: need.Options.Normalisation.String(), Aggregation: need.Options.Aggregation.String(),
		Winsor: need.Options.Winsor, MinCoverage: need.Options.MinCoverage, ContributionSpace: "index",
		Ranked: res.Ranked, K: run.opt.K, NeedShare: run.opt.NeedShare, Feasibility: d.Feasibility, Warnings: res.Warnings,
		Threshold: res.Threshold, ThresholdNote: res.ThresholdNote, TimeStamp: s.now().UTC().Format(time.RFC3339)}
	if need.Options.Aggregation == composite.Geometric {
		out.ContributionSpace = "log_index"
	}
	if d.Illustrative {
		out.Notice = respond.IllustrativeNotice
	}
	for j, key := range need.Keys {
		i := slices.IndexFunc(d.Catalogue, func(ind layers.Indicator) bool { return ind.Key == key })
		out.Indicators = append(out.Indicators, indicatorOut{Indicator: d.Catalogue[i], Weight: res.Weights[j]})
	}
	if res.Reference != nil {
		out.AreaTypes = d.AreaTypes
		out.AreaTypeReference = respond.Obj{"mean": respond.Finite(res.Reference.Mean), "sd": respond.Finite(res.Reference.SD), "source": res.Reference.Source}
	}
	out.Matrix = respond.Obj{"need_median": respond.Finite(res.NeedMedian), "feasibility_median": respond.Finite(res.FeasibilityMedian), "x": "feasibility", "y": "index",
		"quadrants": priority.Quadrants(),
		"score":     "need percentile^need_share × feasibility percentile^(1 − need_share), among the ranked areas"}
	if ss := res.Sensitivity; ss != nil {
		methods := []string{}
		for _, m := range ss.Methods {
			methods = append(methods, m.Normalisation.String()+"/"+m.Aggregation.String())
		}
		out.Sensitivity = respond.Obj{"draws": ss.Draws, "seed": ss.Seed, "concentration": ss.Concentration,
			"methods": methods, "method_draws": ss.MethodDraws, "top_k": ss.TopK,
			"note": "Weights ~ Dirichlet(concentration × chosen weights); each draw picks one method uniformly; the areas ranked by the base evaluation are re-ranked in every draw."}
	}
	out.Districts = make([]priorityDistrict, len(res.Areas))
	for a := range res.Areas {
		out.Districts[a] = priorityDistrictOf(d.Areas[a], &res.Areas[a], res, need.Options.Aggregation == composite.Geometric)
	}
	for _, p := range res.Pilots {
		ar := d.Areas[p.Area]
		out.Pilots = append(out.Pilots, pilotOut{Code: ar.Code, Name: ar.Name, Score: p.Score, NeedRank: p.NeedRank,
			FeasRank: p.FeasibilityRank, Included: p.Included, ExplanationSV: p.ExplanationSV, ExplanationEN: p.ExplanationEN})
	}
	return out
}

// priorityDistrictOf is area ar's analysis r as the answer gives it.
func priorityDistrictOf(ar layers.PriorityArea, r *priority.Area, res *priority.Result, geometric bool) priorityDistrict {
	pd := priorityDistrict{Code: ar.Code, Name: ar.Name, PartOfTown: ar.PartOfTown, Population: ar.Population, PoliceClass: ar.PoliceClass,
		Index: respond.Finite(r.Index), Rank: rankOf(r.Rank), Ranked: r.Rank > 0, Coverage: r.Coverage,
		Values: map[string]respond.Float{}, Scores: map[string]respond.Float{}, Contributions: map[string]respond.Float{},
		BaseIndex: respond.Finite(r.BaseIndex), Change: respond.Finite(r.Change), BaseRank: rankOf(r.BaseRank), EarlyWarning: r.EarlyWarning,
		Feasibility: respond.Finite(r.Feasibility), FeasRank: rankOf(r.FeasibilityRank), Quadrant: r.Quadrant, Pilot: r.Pilot, PilotScore: respond.Finite(r.PilotScore)}
	if geometric {
		pd.LogIndex = respond.Finite(r.LogIndex)
	}
	for j, key := range res.Need.Keys {
		pd.Values[key], pd.Scores[key], pd.Contributions[key] = respond.Finite(r.Values[j]), respond.Finite(r.Scores[j]), respond.Finite(r.Contributions[j])
	}
	if t := r.Trend; t != nil {
		pd.Trend = &trendOut{Years: t.Years, Series: make([]respond.Float, len(t.Series)), Slope: t.Slope, P: t.P, Tau: t.Tau,
			Projected: t.Projected, YearsToTop: respond.Finite(t.YearsToThreshold)}
		for i, v := range t.Series {
			pd.Trend.Series[i] = respond.Finite(v)
		}
	}
	if r.AreaType > 0 {
		t := r.AreaType
		pd.AreaType, pd.AreaTypeSD = &t, respond.Finite(r.AreaTypeSD)
	}
	if res.FeasibilityKeys != nil {
		pd.FeasContrib, pd.FeasInputs = map[string]respond.Float{}, map[string]respond.Float{}
		for j, key := range res.FeasibilityKeys {
			pd.FeasContrib[key], pd.FeasInputs[key] = respond.Finite(r.FeasibilityContributions[j]), respond.Finite(r.FeasibilityInputs[j])
		}
	}
	if sp := r.Sensitivity; sp != nil {
		pd.Sensitivity = &sensOut{MedianRank: sp.MedianRank, P05: sp.P05, P95: sp.P95, PTopK: sp.PTopK}
	}
	return pd
}

// rankOf is a rank as the answer gives it: nil for 0, not ranked.
func rankOf(r int) *int {
	if r == 0 {
		return nil
	}
	return &r
}
