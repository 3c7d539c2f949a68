package analysis

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/forecast"
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/input"
	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// GET /analysis/forecast: where observations are most likely in the coming week or month, on
// the hot-spot analysis' hexagons and with its filters, with the rolling-origin backtest of
// every model and baseline in the answer (geo/forecast). The forecast shown is the model's
// only when it beat the baselines by more than the week-to-week noise; otherwise the best
// baseline's, and the answer says so. Every forecast is made twice: from all sources, and
// without the police's own reports (layers.PoliceSources), with the police-initiated share
// beside it; sources= chooses which the cells show first, both are in every answer.
//
// One computation (both variants, every model) is kept in the analysis memo and serves the
// GeoJSON, JSON and CSV answers and the tiles; each answer's body is kept too.

// forecastRoutes registers the forecast endpoints.
func (s *Room) forecastRoutes(get func(string, echo.HandlerFunc)) {
	get("/analysis/forecast", s.forecastHandler)
	get("/analysis/forecast/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol", s.forecastTile)
}

// forecastParams are the parameters of /analysis/forecast.
var forecastParams = []string{"horizon", "origin", "history", "backtest", "sources", "side", "category", "source",
	"weighting", "area", "crs", "f", "disclosure"}

// The values of sources=.
const (
	sourcesAll           = "all"
	sourcesWithoutPolice = "without_police"
)

// forecastRequest is a parsed /analysis/forecast query.
type forecastRequest struct {
	side              float64
	horizon           forecast.Horizon
	history, backtest int
	origin            time.Time // zero until resolved (the day after the newest observation)
	originGiven       bool
	sources           string
	filter            layers.ObservationFilter
	area              layers.StudyArea
	out               crs.CRS
	format            string // geojson, json or csv
	aggregated        bool
	params            map[string]any
	// categories: read each observation's category too (the planner's forecast targets).
	categories bool
}

// parseForecast parses and checks the query; every problem names its parameter.
func (s *Room) parseForecast(ctx context.Context, v url.Values) (*forecastRequest, error) {
	r := &forecastRequest{horizon: forecast.Weekly, sources: sourcesAll, params: map[string]any{}}
	switch h := v.Get("horizon"); h {
	case "", "week":
	case "month":
		r.horizon = forecast.Monthly
	default:
		return nil, layers.Invalid("horizon", "%q is not week or month", h)
	}
	r.params["horizon"] = r.horizon.String()
	var err error
	if r.side, err = parseFloat(v, "side", 150, 50, 5000); err != nil {
		return nil, err
	}
	r.params["side"] = r.side
	if r.history, err = respond.Int("history", v.Get("history"), forecast.DefaultHistory, forecast.MinTrainingWeeks+int(r.horizon), forecast.MaxHistory); err != nil {
		return nil, err
	}
	r.params["history"] = r.history
	maxBacktest := (r.history - forecast.MinTrainingWeeks) / int(r.horizon) * int(r.horizon)
	if r.backtest, err = respond.Int("backtest", v.Get("backtest"), min(forecast.DefaultBacktestWeeks, maxBacktest), int(r.horizon), maxBacktest); err != nil {
		return nil, err
	}
	r.params["backtest"] = r.backtest
	if o := v.Get("origin"); o != "" {
		t, err := time.Parse(time.DateOnly, o)
		if err != nil {
			return nil, layers.Invalid("origin", "%q is not a date (2024-12-30): a forecast starts at a day's beginning (UTC)", o)
		}
		if t.Year() < 1900 || t.Year() > 9000 {
			return nil, layers.Invalid("origin", "%q is out of range", o)
		}
		r.origin, r.originGiven = t, true
	}
	switch src := v.Get("sources"); src {
	case "", sourcesAll:
	case sourcesWithoutPolice:
		r.sources = src
	default:
		return nil, layers.Invalid("sources", "%q is not all or without_police", src)
	}
	r.params["sources"] = r.sources
	if r.filter, err = s.parseObservationFilter(v, r.params); err != nil {
		return nil, err
	}
	if a := v.Get("area"); a != "" {
		r.area.Districts = respond.SplitList(a)
		r.params["area"] = r.area.Districts
	}
	if r.out, err = request.CRS("crs", v.Get("crs")); err != nil {
		return nil, err
	}
	r.params["crs"] = r.out.URI()
	if r.format, err = respond.Format(v.Get("f"), "geojson", "geojson", "json", "csv"); err != nil {
		return nil, err
	}
	if r.aggregated, err = s.parseDisclosure(ctx, v); err != nil {
		return nil, err
	}
	r.params["disclosure"] = disclosureName(r.aggregated)
	return r, nil
}

// resolveOrigin sets the origin, by default the start of the day (UTC) after the newest
// observation the caller may see: the demo data ends in 2024, and a day, not the
// observation's time, is what the aggregated view may tell (disclosure.go).
func (s *Room) resolveOrigin(ctx context.Context, r *forecastRequest) error {
	if !r.originGiven {
		latest, err := s.store.LatestObservation(ctx)
		if errors.Is(err, layers.ErrNotFound) {
			return layers.Invalid("origin", "there are no observations to forecast from")
		} else if err != nil {
			return err
		}
		r.origin = latest.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	}
	r.params["origin"] = r.origin.Format(time.DateOnly)
	return nil
}

// computeKey is what the computation depends on (not the CRS, format or sources= shown).
func (r *forecastRequest) computeKey() string {
	return fmt.Sprintf("h=%d|o=%s|hist=%d|bt=%d|side=%g|cat=%s|src=%s|w=%s|area=%s|agg=%t", r.horizon,
		r.origin.Format(time.DateOnly), r.history, r.backtest, r.side, strings.Join(r.filter.Categories, ","),
		strings.Join(r.filter.Sources, ","), r.filter.Weighting, strings.Join(r.area.Districts, ","), r.aggregated)
}

// forecastTileSources are the tables a forecast reads; their generations key the memo.
var forecastTileSources = []string{"observations", "districts", "harm_weights"}

// forecastHandler serves GET /analysis/forecast.
func (s *Room) forecastHandler(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, forecastParams...); err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.parseForecast(ctx, c.QueryParams())
	if err != nil {
		return err
	}
	comp, err := s.forecastComputed(ctx, r)
	if err != nil {
		return err
	}
	// The answer's body is kept beside the computation, so a repeated request encodes nothing.
	key := fmt.Sprintf("forecast-doc|%d|%s|f=%s|crs=%s|sources=%s", s.tileGeneration(forecastTileSources...),
		r.computeKey(), r.format, r.out.URI(), r.sources)
	res, err := s.analyses.get(ctx, key, func(context.Context) (*analysisResult, error) {
		body, contentType, err := forecastBody(comp, r)
		if err != nil {
			return nil, err
		}
		return &analysisResult{body: body, contentType: contentType, etag: respond.BodyTag(body), bytes: int64(len(body)) + 128}, nil
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Crs", "<"+r.out.URI()+">")
	if r.format == "csv" {
		c.Response().Header().Set("Content-Disposition", `attachment; filename="forecast.csv"`)
	}
	return s.out.SendTagged(c, http.StatusOK, res.contentType, respond.CacheData, res.body, res.etag)
}

// forecastComputed returns the forecast's computation from the memo, computing it (with an
// analysis slot, after its cost check) on a miss.
func (s *Room) forecastComputed(ctx context.Context, r *forecastRequest) (*analysisResult, error) {
	if err := s.resolveOrigin(ctx, r); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("forecast|%d|%s", s.tileGeneration(forecastTileSources...), r.computeKey())
	return s.analysis(ctx, key, func(ctx context.Context) (*analysisResult, error) { return s.computeForecast(ctx, r) })
}

// forecastRun is a forecast's inputs and analysis.
type forecastRun struct {
	in   *layers.ForecastInputs
	grid *forecast.Grid
	// cellOf is the cell of each observation of in, -1 outside the study area.
	cellOf   []int
	analysis *forecast.Analysis
}

// runForecast loads the inputs (refusing a costly forecast before they are read) and analyses
// them, with a variant without the police's own sources when police names them.
func (s *Room) runForecast(ctx context.Context, r *forecastRequest, police []string) (*forecastRun, error) {
	from := r.origin.Add(-time.Duration(r.history) * forecast.Week)
	in, err := s.store.ForecastInputs(ctx, layers.ForecastQuery{Side: r.side, Area: r.area, Filter: r.filter,
		From: from, To: r.origin, Check: r.checkForecastStudy, Categories: r.categories})
	if err != nil {
		return nil, err
	}
	if err := r.checkForecastCells(float64(len(in.Cells.I))); err != nil {
		return nil, err
	}
	s.gate.Computing()
	ij := make([][2]int, len(in.Cells.I))
	for k := range ij {
		ij[k] = [2]int{in.Cells.I[k], in.Cells.J[k]}
	}
	grid, err := forecast.NewHexGrid(r.side, ij)
	if err != nil {
		return nil, input.Named("area", err) // the area's cells (side is checked in parseForecast)
	}
	run := &forecastRun{in: in, grid: grid, cellOf: make([]int, len(in.Points))}
	events := make([]forecast.Event, 0, len(in.Points))
	for k, p := range in.Points {
		cell, ok := grid.CellOf(p)
		if !ok {
			run.cellOf[k] = -1
			continue
		}
		run.cellOf[k] = cell
		events = append(events, forecast.Event{Cell: cell, Time: in.Times[k], Weight: in.Weights[k], Source: in.Sources[k]})
	}
	run.analysis, err = forecast.Analyse(grid, events, forecast.Options{Origin: r.origin, History: r.history, Horizon: r.horizon,
		BacktestWeeks: r.backtest, Police: police})
	if err != nil {
		return nil, err // an invalid input names the parameter (history, horizon, backtest)
	}
	return run, nil
}

// computeForecast runs both variants and keeps the cells (CRS84, with both variants'
// figures) and the summary.
func (s *Room) computeForecast(ctx context.Context, r *forecastRequest) (*analysisResult, error) {
	police := layers.PoliceSources()
	run, err := s.runForecast(ctx, r, police)
	if err != nil {
		return nil, err
	}
	count := make([]int64, run.grid.Len())
	policeCount := make([]int64, run.grid.Len())
	events := 0
	for k, cell := range run.cellOf {
		if cell < 0 {
			continue
		}
		events++
		count[cell]++
		if slices.Contains(police, run.in.Sources[k]) {
			policeCount[cell]++
		}
	}
	fc := s.forecastCells(r, run.grid, run.analysis, count, policeCount)
	summary := s.forecastSummary(r, run.analysis, events)
	res := &analysisResult{fc: fc, illustrative: run.in.Illustrative, body: respond.JSON(summary)}
	res.bytes = analysisBytes(fc) + int64(len(res.body))
	return res, nil
}

// variantName is how the answer names a variant.
func variantName(v *forecast.Variant) string {
	if v.WithoutPolice {
		return sourcesWithoutPolice
	}
	return sourcesAll
}

// topPct is the smallest scored share of the area (1, 5 or 10 %) whose top cells hold a cell
// of rank (0-based) among n cells, or 0 outside the top 10 %.
func topPct(rank, n int) int {
	for _, share := range forecast.AreaShares() {
		if rank < forecast.CellsFor(n, share) {
			return int(math.Round(100 * share))
		}
	}
	return 0
}

// forecastCells makes the cells as CRS84 features with both variants' figures. In the
// aggregated view a cell with fewer observations than the threshold is suppressed whole, and
// no cell's forecast value or rank is given (the long-term baseline is a count divided by the
// weeks, so a value would tell the count): only its top class and its rounded count.
func (s *Room) forecastCells(r *forecastRequest, grid *forecast.Grid, a *forecast.Analysis, count, policeCount []int64) *geojson.FeatureCollection {
	n := grid.Len()
	type ranked struct {
		v    *forecast.Variant
		rank []int
	}
	var variants []ranked
	for _, v := range []*forecast.Variant{a.All, a.WithoutPolice} {
		if v == nil || v.Shown == nil {
			continue
		}
		rank := make([]int, n)
		for p, cell := range v.Shown.Ranked() {
			rank[cell] = p
		}
		variants = append(variants, ranked{v, rank})
	}
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, n)
	minCount := int64(s.minCellCount())
	for k := range n {
		ij := grid.Cell(k)
		poly := hotspot.HexPolygon(ij[0], ij[1], r.side)
		g, err := crs.Transform(poly, crs.SWEREF99TM, crs.CRS84)
		if err == nil {
			poly = g.(orb.Polygon)
		}
		f := geojson.NewFeature(poly)
		props := f.Properties
		props["cell"], props["i"], props["j"] = cellID(ij[0], ij[1]), ij[0], ij[1]
		suppressed := r.aggregated && count[k] < minCount
		props["suppressed"] = suppressed
		switch {
		case suppressed:
			props["count"], props["police_share"] = nil, nil
		case r.aggregated:
			props["count"], props["police_share"] = s.roundCount(count[k]), nil
		default:
			props["count"], props["police_share"] = count[k], respond.Round(shareOf(float64(policeCount[k]), float64(count[k])), 4)
		}
		for _, vr := range variants {
			suffix := "_" + variantName(vr.v)
			top := topPct(vr.rank[k], n)
			switch {
			case suppressed:
				props["forecast"+suffix], props["rank"+suffix], props["top_pct"+suffix] = nil, nil, nil
			case r.aggregated:
				props["forecast"+suffix], props["rank"+suffix] = nil, nil
				props["top_pct"+suffix] = top
			default:
				props["forecast"+suffix], props["rank"+suffix] = respond.Round(vr.v.Shown.Values[k], 4), vr.rank[k]+1
				props["top_pct"+suffix] = top
			}
		}
		fc.Append(f)
	}
	return fc
}

func shareOf(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// statDoc is a metric's mean and spread over the backtest's periods.
func statDoc(st forecast.Stat) map[string]any {
	return map[string]any{"mean": respond.Round(st.Mean, 4), "se": respond.Round(st.SE, 4), "min": respond.Round(st.Min, 4), "max": respond.Round(st.Max, 4)}
}

// forecastSummary is the answer's summary: both variants with their backtest tables,
// selections and caveats, the police-initiated share, and which variant sources= shows.
func (s *Room) forecastSummary(r *forecastRequest, a *forecast.Analysis, events int) map[string]any {
	var variants []map[string]any
	for _, v := range []*forecast.Variant{a.All, a.WithoutPolice} {
		if v != nil {
			variants = append(variants, s.variantDoc(r, v))
		}
	}
	obs := any(int64(events))
	if r.aggregated {
		obs = s.roundCount(int64(events))
	}
	shown := a.All
	if r.sources == sourcesWithoutPolice && a.WithoutPolice != nil {
		shown = a.WithoutPolice
	}
	c := shown.Counts
	summary := map[string]any{
		"cells": c.Grid().Len(), "observations": obs,
		"origin": r.origin.Format(time.RFC3339), "horizon": r.horizon.String(),
		"forecast_period": map[string]string{"start": c.Origin().Format(time.RFC3339),
			"end": c.Origin().Add(time.Duration(r.horizon) * forecast.Week).Format(time.RFC3339)},
		"history": map[string]string{"start": c.WeekStart(0).Format(time.RFC3339), "end": c.Origin().Format(time.RFC3339)},
		"police_share": map[string]any{"fraction": respond.Round(a.Police.Fraction(), 4), "weight_fraction": respond.Round(a.Police.WeightFraction(), 4),
			"sources": layers.PoliceSources()},
		"without_police_available": a.WithoutPolice != nil,
		"variants":                 variants, "parameters": r.params, "disclosure": disclosureName(r.aggregated),
		"method_note": "Rolling-origin backtest: for each of the last weeks (or four-week months) every model is fitted on the weeks before it only and scored on it: " +
			"hit rate (share of the observations in the top-ranked cells), PAI (hit rate / share of area) and PEI (hits / the most any cells of that area caught) at 1, 5 and 10 % of the cells. " +
			"Models: the density of the last four weeks and the long-term density (baselines) and a self-exciting point process (Mohler et al. 2015) fitted by maximum likelihood. " +
			"The model is shown only when its PAI at 5 % beat the best baseline's by more than twice the standard error of the weekly differences over at least 8 periods; otherwise the best baseline is.",
	}
	if r.aggregated {
		summary["min_cell_count"], summary["rounded_to"] = s.minCellCount(), s.minCellCount()
	}
	return summary
}

// variantDoc is one variant's backtest, selection and caveats.
func (s *Room) variantDoc(r *forecastRequest, v *forecast.Variant) map[string]any {
	res, sel := v.Result, v.Selection
	var table []map[string]any
	for _, m := range res.Models {
		var at []map[string]any
		for _, sm := range m.Summary {
			at = append(at, map[string]any{"share": sm.Share, "cells": sm.Cells,
				"hit_rate": statDoc(sm.HitRate), "pai": statDoc(sm.PAI), "pei": statDoc(sm.PEI)})
		}
		row := map[string]any{"model": m.Model, "baseline": m.Model.IsBaseline(), "shown": m.Model == sel.Chosen, "at": at}
		if m.Fit != nil {
			row["fit"] = map[string]any{"branching_ratio": respond.Round(m.Fit.BranchingRatio(), 4), "converged": m.Fit.Converged,
				"iterations": m.Fit.Iterations, "mean_delay_weeks": m.Fit.MeanDelay}
		}
		table = append(table, row)
	}
	var against []map[string]any
	for _, cmp := range sel.Against {
		against = append(against, map[string]any{"baseline": cmp.Baseline, "candidate_pai": respond.Round(cmp.CandidatePAI, 4),
			"baseline_pai": respond.Round(cmp.BaselinePAI, 4), "ratio": respond.Round(cmp.Ratio, 4), "mean_diff": respond.Round(cmp.MeanDiff, 4),
			"se": respond.Round(cmp.SE, 4), "wins": cmp.Wins, "losses": cmp.Losses, "ties": cmp.Ties, "beaten": cmp.Beaten})
	}
	obs := any(int64(v.Events))
	if r.aggregated {
		obs = s.roundCount(int64(v.Events))
	}
	caveats := make([]map[string]string, len(v.Caveats))
	for k, c := range v.Caveats {
		caveats[k] = map[string]string{"code": c.Code, "sv": c.SV, "en": c.EN}
	}
	return map[string]any{
		"sources": variantName(v), "observations": obs,
		"police_share": respond.Round(v.Police.Fraction(), 4),
		"shown_model":  sel.Chosen, "candidate": sel.Candidate, "best_baseline": sel.BestBaseline,
		"beats_baselines": sel.BeatsBaselines, "against": against, "periods": sel.Periods, "empty_periods": res.Empty,
		"backtest": table, "caveats": caveats,
	}
}

// forecastBody encodes the answer in r's format from the kept computation.
func forecastBody(comp *analysisResult, r *forecastRequest) ([]byte, string, error) {
	switch r.format {
	case "csv":
		return forecastCSV(comp, r)
	case "json":
		return forecastJSON(comp, r)
	}
	return forecastGeoJSON(comp, r)
}

// shownProps copies a cell's properties with the variant sources= chose under the plain names
// (forecast, rank, top_pct) and the centroid in r's CRS.
func shownProps(f *geojson.Feature, r *forecastRequest, side float64) (map[string]any, error) {
	props := make(map[string]any, len(f.Properties)+4)
	for k, v := range f.Properties {
		props[k] = v
	}
	suffix := "_" + r.sources
	if _, ok := props["top_pct"+suffix]; !ok {
		suffix = "_" + sourcesAll // no variant without police: both are the same
	}
	props["forecast"], props["rank"], props["top_pct"] = props["forecast"+suffix], props["rank"+suffix], props["top_pct"+suffix]
	c := hotspot.HexCentre(props["i"].(int), props["j"].(int), side)
	if r.out == crs.SWEREF99TM {
		props["centroid"] = []float64{respond.Round(c[0], 2), respond.Round(c[1], 2)}
	} else {
		lon, lat := crs.FromSWEREF99TM(c[0], c[1])
		props["centroid"] = []float64{respond.Round(lon, 7), respond.Round(lat, 7)}
	}
	delete(props, "cell")
	return props, nil
}

// forecastGeometry is cell f's hexagon in r's CRS.
func forecastGeometry(f *geojson.Feature, r *forecastRequest) (orbGeometry, error) {
	poly, digits := f.Geometry.(orb.Polygon), 7.0
	if r.out == crs.SWEREF99TM {
		poly, digits = hotspot.HexPolygon(f.Properties["i"].(int), f.Properties["j"].(int), r.side), 2
	}
	ring := make([][]float64, len(poly[0]))
	for k, p := range poly[0] {
		ring[k] = []float64{respond.Round(p[0], digits), respond.Round(p[1], digits)}
	}
	return orbGeometry{Type: "Polygon", Coordinates: [][][]float64{ring}}, nil
}

func forecastGeoJSON(comp *analysisResult, r *forecastRequest) ([]byte, string, error) {
	features := make([]cellFeature, 0, len(comp.fc.Features))
	for _, f := range comp.fc.Features {
		props, err := shownProps(f, r, r.side)
		if err != nil {
			return nil, "", err
		}
		geom, err := forecastGeometry(f, r)
		if err != nil {
			return nil, "", err
		}
		features = append(features, cellFeature{Type: "Feature", ID: f.Properties["cell"].(string), Geometry: geom, Properties: props})
	}
	doc := map[string]any{"type": "FeatureCollection", "features": features, "summary": json.RawMessage(comp.body),
		"numberReturned": len(features)}
	if comp.illustrative {
		doc["notice"] = respond.IllustrativeNotice
	}
	return respond.JSON(doc), respond.MediaGeoJSON, nil
}

// forecastJSON is the summary with the top 10 % of the cells of the variant shown (no
// geometry): in rank order with full disclosure, in the aggregated view by top class and
// then cell, since the order within a class would tell the values the view does not give.
func forecastJSON(comp *analysisResult, r *forecastRequest) ([]byte, string, error) {
	var top []map[string]any
	for _, f := range comp.fc.Features {
		props, err := shownProps(f, r, r.side)
		if err != nil {
			return nil, "", err
		}
		if t, ok := props["top_pct"].(int); ok && t > 0 {
			props["id"] = f.Properties["cell"]
			top = append(top, props)
		}
	}
	slices.SortFunc(top, func(a, b map[string]any) int {
		if ra, ok := a["rank"].(int); ok {
			return cmp.Compare(ra, b["rank"].(int))
		}
		if c := cmp.Compare(a["top_pct"].(int), b["top_pct"].(int)); c != 0 {
			return c
		}
		return cmp.Compare(a["id"].(string), b["id"].(string))
	})
	doc := map[string]any{"summary": json.RawMessage(comp.body), "top_cells": top}
	if comp.illustrative {
		doc["notice"] = respond.IllustrativeNotice
	}
	return respond.JSON(doc), respond.MediaJSON, nil
}

// forecastCSV is one row per cell, with a BOM (Excel then reads UTF-8) and every cell through
// respond.CSVCell; a suppressed figure is empty.
func forecastCSV(comp *analysisResult, r *forecastRequest) ([]byte, string, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := respond.NewCSVWriter(&buf)
	cols := []string{"cell", "i", "j", "x", "y", "suppressed", "count", "police_share", "forecast", "rank", "top_pct",
		"forecast_all", "rank_all", "top_pct_all", "forecast_without_police", "rank_without_police", "top_pct_without_police"}
	_ = w.Write(cols)
	str := func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case int:
			return strconv.Itoa(x)
		case int64:
			return strconv.FormatInt(x, 10)
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64)
		case bool:
			return strconv.FormatBool(x)
		case string:
			return x
		}
		return fmt.Sprint(v)
	}
	for _, f := range comp.fc.Features {
		props, err := shownProps(f, r, r.side)
		if err != nil {
			return nil, "", err
		}
		c := props["centroid"].([]float64)
		row := []string{f.Properties["cell"].(string), str(props["i"]), str(props["j"]), str(c[0]), str(c[1])}
		for _, col := range cols[5:] {
			row = append(row, str(props[col]))
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, "", fmt.Errorf("forecast csv: %w", err)
	}
	return buf.Bytes(), respond.MediaCSV, nil
}

// forecastTileParams are /analysis/forecast's parameters less crs and f (a tile is Web
// Mercator MVT) and sources (a tile holds both variants' figures).
var forecastTileParams = append([]string{"f"}, slices.DeleteFunc(slices.Clone(forecastParams), func(p string) bool {
	return p == "crs" || p == "f" || p == "sources"
})...)

// forecastTile serves GET /analysis/forecast/tiles/WebMercatorQuad/{z}/{y}/{x}: the cells
// of the forecast (layer "forecast", the properties of both variants, *_all and
// *_without_police) from the same kept computation as the answer.
func (s *Room) forecastTile(c echo.Context) error {
	t, err := request.MVTTile(c, forecastTileParams...)
	if err != nil {
		return err
	}
	v := request.WithoutF(c.QueryParams())
	ctx := c.Request().Context()
	r, err := s.parseForecast(ctx, v)
	if err != nil {
		return err
	}
	comp, err := s.forecastComputed(ctx, r)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("forecast|%d|%s|%s", s.tileGeneration(forecastTileSources...), r.computeKey(), t.String())
	return s.serveTile(c, key, func(context.Context) ([]byte, error) { return tiles.EncodeMVT("forecast", comp.fc, t) })
}
