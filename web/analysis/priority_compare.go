package analysis

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/priority"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The organisations' comparison (POST /analysis/priority/compare): every scenario's ranking
// of the same areas and year, their Borda consensus, Kendall's tau between each pair, and the
// areas they disagree about most.

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

// consensusMethod says how the consensus is formed and why.
const consensusMethod = "Borda count: n − rank points per scenario, unranked areas share the remaining positions; ties by median rank, then code (equal points mean equal mean ranks, so the mean cannot break a tie). Chosen because every organisation weighs the same, the points can be checked by hand, and it approximates the Kemeny ranking within a factor 5 at linear cost."

func (s *Room) priorityCompare(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	var req compareRequest
	if err := request.DecodeBody(c, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	scs, err := s.compared(ctx, req.Scenarios)
	if err != nil {
		return err
	}
	cat, err := s.store.PriorityCatalogue(ctx, req.Level)
	if err != nil {
		return err
	}
	year := req.Year
	if year == 0 && len(cat.Years) > 0 {
		year = cat.Years[len(cat.Years)-1]
	}
	if year == 0 {
		return layers.Invalid("year", "no indicator values are loaded")
	}
	if year < 1900 || year > 2100 { // as prioritise
		return layers.Invalid("year", "%d is outside 1900–2100", year)
	}
	inds := layers.PriorityIndicators(cat.Indicators)
	names, needs, keys, warnings := make([]string, len(scs)), make([]priority.Need, len(scs)), []string{}, []string{}
	for i, sc := range scs {
		need, warn, err := priority.ResolveStored(sc.ID, priority.Weighting{Preset: sc.Preset, Weights: sc.Weights, ThemeWeights: sc.ThemeWeights,
			Normalisation: sc.Normalisation, Aggregation: sc.Aggregation, Winsor: sc.Winsor, MinCoverage: sc.MinCoverage}, inds)
		if err != nil {
			return layers.Invalid("scenarios", "scenario %s: %v", sc.ID, err)
		}
		names[i], needs[i], warnings = sc.ID, need, append(warnings, warn...)
		for _, k := range need.Keys {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	d, err := s.store.PriorityAnalysisInputs(ctx, layers.PriorityQuery{Level: req.Level, Keys: keys, From: year, To: year})
	if err != nil {
		return err
	}
	cmp, err := priority.Compare(names, needs, inds, d.Inputs().Values, len(d.Areas), year)
	if err != nil {
		return err
	}
	res := compareAnswer(req, scs, d, cmp)
	res["year"], res["warnings"] = year, append(warnings, cmp.Warnings...)
	res["timeStamp"] = s.now().UTC().Format(time.RFC3339)
	if d.Illustrative {
		res["notice"] = respond.IllustrativeNotice
	}
	return s.out.Send(c, http.StatusOK, respond.MediaJSON, "no-store", respond.JSON(res))
}

// check fills in req's defaults and checks its bounds.
func (req *compareRequest) check() error {
	if req.Level == "" {
		req.Level = "district"
	}
	if !slices.Contains([]string{"district", "regso", "deso"}, req.Level) {
		return layers.Invalid("level", "%q is not one of district, regso, deso", req.Level)
	}
	if req.K == 0 {
		req.K = 5
	}
	if req.Limit == 0 {
		req.Limit = 10
	}
	if req.K < 1 || req.K > maxCompareK {
		return layers.Invalid("k", "%d is not between 1 and %d (at most %d)", req.K, maxCompareK, maxCompareK)
	}
	if req.Limit < 1 || req.Limit > maxCompareLimit {
		return layers.Invalid("limit", "%d is not between 1 and %d (at most %d)", req.Limit, maxCompareLimit, maxCompareLimit)
	}
	if len(req.Scenarios) > maxCompareScenarios {
		return layers.Invalid("scenarios", "%d scenarios, at most %d", len(req.Scenarios), maxCompareScenarios)
	}
	return nil
}

// compared are the scenarios ids names, or without any, the organisations' built-in
// perspectives and the caller's organisation's own: at most MaxScenariosPerOrganisation more,
// however many other organisations keep. At least two.
func (s *Room) compared(ctx context.Context, ids []string) ([]layers.PriorityScenario, error) {
	all, err := s.store.PriorityScenarios(ctx)
	if err != nil {
		return nil, err
	}
	var scs []layers.PriorityScenario
	if len(ids) == 0 {
		org := layers.PrincipalFrom(ctx).Organisation
		for _, sc := range all {
			if sc.Builtin || (org != "" && sc.Owner != nil && *sc.Owner == org) {
				scs = append(scs, sc)
			}
		}
	}
	for _, id := range ids {
		i := slices.IndexFunc(all, func(sc layers.PriorityScenario) bool { return sc.ID == id })
		if i < 0 {
			return nil, layers.Invalid("scenarios", "no scenario %q", id)
		}
		if slices.ContainsFunc(scs, func(sc layers.PriorityScenario) bool { return sc.ID == id }) {
			return nil, layers.Invalid("scenarios", "%q given twice", id)
		}
		scs = append(scs, all[i])
	}
	if len(scs) < 2 {
		return nil, layers.Invalid("scenarios", "compare needs at least two scenarios")
	}
	return scs, nil
}

// compareAnswer is the comparison cmp of scenarios scs over the areas of d as the answer gives
// it (without the year, warnings, time stamp and notice).
func compareAnswer(req compareRequest, scs []layers.PriorityScenario, d *layers.PriorityData, cmp *priority.Comparison) respond.Obj {
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
	scOuts, ids := make([]scOut, len(scs)), make([]string, len(scs))
	for i, sc := range scs {
		ranked := 0
		for _, r := range cmp.Rankings[i] {
			if r > 0 {
				ranked++
			}
		}
		scOuts[i], ids[i] = scOut{sc.ID, sc.NameSV, sc.NameEN, sc.Organisation, ranked}, sc.ID
	}
	dists := make([]distOut, len(d.Areas))
	for a, ar := range d.Areas {
		do := distOut{Code: ar.Code, Name: ar.Name, Ranks: map[string]*int{}, ConsensusRank: cmp.Consensus.Rank[a],
			BordaPoints: cmp.Consensus.Points[a], MeanRank: cmp.Consensus.MeanRank[a]}
		for i, rk := range cmp.Rankings {
			do.Ranks[ids[i]] = rankOf(rk[a])
			if r := rk[a]; r > 0 && r <= req.K {
				do.InTopK++
			}
		}
		dists[a] = do
	}
	slices.SortStableFunc(dists, func(x, y distOut) int { return x.ConsensusRank - y.ConsensusRank })
	tau := make([][]respond.Float, len(cmp.Tau))
	for i := range cmp.Tau {
		tau[i] = make([]respond.Float, len(cmp.Tau))
		for j := range cmp.Tau[i] {
			tau[i][j] = respond.Finite(cmp.Tau[i][j])
		}
	}
	var dis []respond.Obj
	for _, sp := range cmp.Spread[:min(req.Limit, len(cmp.Spread))] {
		ranks := respond.Obj{}
		for i, rk := range cmp.Rankings {
			if r := rk[sp.Item]; r > 0 {
				ranks[ids[i]] = r
			}
		}
		dis = append(dis, respond.Obj{"code": d.Areas[sp.Item].Code, "name": d.Areas[sp.Item].Name, "min_rank": sp.Min,
			"max_rank": sp.Max, "range": sp.Range, "sd": sp.SD, "ranks": ranks})
	}
	return respond.Obj{"level": req.Level, "k": req.K, "scenarios": scOuts, "districts": dists,
		"kendall_tau":   respond.Obj{"scenarios": ids, "matrix": tau},
		"disagreements": dis, "consensus_method": consensusMethod}
}
