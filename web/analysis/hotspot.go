package analysis

import (
	"cmp"
	"context"
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

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/disclose"
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/geo/kde"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The hotspot analyses are GET requests: they only read, their parameters are short, and a
// GET answer is cacheable and linkable (the operational group shares "this week's map" as a
// URL). A drawn study polygon would not fit in a query string; that will be a POST of the
// same resource when the page needs it.

// The bounds of side and band (metres): band is between one side and maxBandSides sides, so
// its bounds in the OpenAPI document, which cannot say "× side", are minSide and
// maxBandSides × maxSide, with the rule in words.
const (
	minSide      = 50
	maxSide      = 5000
	maxBandSides = 20
)

// hotspotRoutes registers the analysis endpoints.
func (s *Room) hotspotRoutes(get func(string, echo.HandlerFunc)) {
	get("/analysis/hotspots", s.hotspots)
	get("/analysis/hotspots/places", s.hotspotPlaces)
	get("/analysis/harm-weights", s.harmWeights)
	get("/analysis/hotspots/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol", s.hotspotTile)
}

// hotspotRequest is a parsed /analysis/hotspots query.
type hotspotRequest struct {
	method     string // gistar, kde, emerging
	side, band float64
	bandwidth  float64
	cell       float64
	slice      hotspot.SliceUnit
	filter     layers.ObservationFilter
	area       layers.StudyArea
	out        crs.CRS
	format     string // geojson or raster (kde only)
	aggregated bool
	// forced: aggregated because of who asks (anonymous, or an organisation without access
	// to observation points), not because the request said disclosure=aggregated.
	forced bool
	params map[string]any // echoed in the summary
	// collect, when set, receives the cells instead of an answer being sent (tiles); capture
	// receives the answer's body instead (the memo of /analysis/hotspots). Either way the
	// analysis runs detached from any one response and must not touch it.
	collect, capture *analysisResult
}

var hotspotParams = []string{"method", "side", "band", "bandwidth", "cell", "datetime", "category", "source",
	"weighting", "slice", "area", "crs", "f", "disclosure"}

// parseHotspots parses and checks the query; every problem names its parameter.
func (s *Room) parseHotspots(ctx context.Context, v url.Values) (*hotspotRequest, error) {
	r := &hotspotRequest{method: "gistar", params: map[string]any{}}
	if m := v.Get("method"); m != "" {
		if m != "gistar" && m != "kde" && m != "emerging" {
			return nil, layers.Invalid("method", "%q is not gistar, kde or emerging", m)
		}
		r.method = m
	}
	r.params["method"] = r.method
	if err := r.parseSizes(v); err != nil {
		return nil, err
	}
	if err := r.parseSlice(v); err != nil {
		return nil, err
	}
	var err error
	if r.filter, err = s.parseObservationFilter(v, r.params); err != nil {
		return nil, err
	}
	if a := v.Get("area"); a != "" {
		r.area.Districts = respond.SplitList(a)
		r.params["area"] = r.area.Districts
	}
	if err := r.parseOutput(v); err != nil {
		return nil, err
	}
	if r.aggregated, err = s.parseDisclosure(ctx, v); err != nil {
		return nil, err
	}
	r.params["disclosure"] = disclosureName(r.aggregated)
	r.forced = r.aggregated && v.Get("disclosure") != "aggregated" && !s.cfg.AggregatedOnly
	if err := s.checkAggregatedRequest(r); err != nil {
		return nil, err
	}
	if err := r.checkParams(); err != nil {
		return nil, err
	}
	return r, nil
}

// parseSizes reads side and band (gistar, emerging) or bandwidth and cell (kde), refusing
// those of the other methods.
func (r *hotspotRequest) parseSizes(v url.Values) error {
	var err error
	if r.side, err = parseFloat(v, "side", 150, minSide, maxSide); err != nil {
		return err
	}
	if r.band, err = parseFloat(v, "band", 3*r.side, r.side, maxBandSides*r.side); err != nil {
		return err
	}
	if r.bandwidth, err = parseFloat(v, "bandwidth", kde.DefaultBandwidth, 50, 5000); err != nil {
		return err
	}
	if r.cell, err = parseFloat(v, "cell", kde.DefaultCell, 10, 1000); err != nil {
		return err
	}
	if r.method == "kde" {
		r.params["bandwidth"], r.params["cell"] = r.bandwidth, r.cell
		for _, p := range []string{"side", "band", "slice"} {
			if v.Has(p) {
				return layers.Invalid(p, "not a parameter of method=kde")
			}
		}
		return nil
	}
	r.params["side"], r.params["band"] = r.side, r.band
	for _, p := range []string{"bandwidth", "cell"} {
		if v.Has(p) {
			return layers.Invalid(p, "not a parameter of method=%s (it is for kde)", r.method)
		}
	}
	return nil
}

// parseSlice reads the time slice of method=emerging (default month).
func (r *hotspotRequest) parseSlice(v url.Values) error {
	if r.method != "emerging" {
		if v.Has("slice") {
			return layers.Invalid("slice", "only method=emerging has time slices")
		}
		return nil
	}
	r.slice = hotspot.SliceMonth
	if sl := v.Get("slice"); sl != "" {
		r.slice = hotspot.SliceUnit(sl)
	}
	if !r.slice.Valid() {
		return layers.Invalid("slice", "%q is not month, quarter or year", r.slice)
	}
	r.params["slice"] = r.slice
	return nil
}

// parseOutput reads the answer's CRS and format.
func (r *hotspotRequest) parseOutput(v url.Values) error {
	var err error
	if r.out, err = request.CRS("crs", v.Get("crs")); err != nil {
		return err
	}
	r.params["crs"] = r.out.URI()
	r.format = "geojson"
	switch f := v.Get("f"); {
	case f == "" || f == "geojson" || f == "json":
	case f == "raster" && r.method == "kde":
		r.format = "raster"
	default:
		return layers.Invalid("f", "%q is not geojson (or raster for method=kde)", f)
	}
	return nil
}

// parseObservationFilter reads datetime, category, source and weighting, checking
// categories and sources against the observations layer's declared enumerations.
func (s *Room) parseObservationFilter(v url.Values, echo map[string]any) (layers.ObservationFilter, error) {
	var f layers.ObservationFilter
	if v.Has("datetime") {
		iv, err := request.Datetime(v.Get("datetime"))
		if err != nil {
			return f, err
		}
		f.Datetime = iv
		echo["datetime"] = v.Get("datetime")
	}
	obs, err := s.cat.Layer("observations")
	if err != nil {
		return f, err
	}
	for _, name := range []string{"category", "source"} {
		if !v.Has(name) {
			continue
		}
		p, _ := obs.Property(name)
		list := respond.SplitList(v.Get(name))
		if len(list) == 0 {
			return f, layers.Invalid(name, "empty list")
		}
		for _, x := range list {
			if !slices.Contains(p.Enum, x) {
				return f, layers.Invalid(name, "%q is not one of %s", x, strings.Join(p.Enum, ", "))
			}
		}
		if name == "category" {
			f.Categories = list
		} else {
			f.Sources = list
		}
		echo[name] = list
	}
	f.Weighting = layers.WeightCount
	if w := v.Get("weighting"); w != "" {
		f.Weighting = layers.Weighting(w)
		if f.Weighting != layers.WeightCount && f.Weighting != layers.WeightSeverity && f.Weighting != layers.WeightHarm {
			return f, layers.Invalid("weighting", "%q is not count, severity or harm", w)
		}
	}
	echo["weighting"] = f.Weighting
	return f, nil
}

// parseDisclosure decides whether the answer is aggregated with small counts suppressed:
// always when the server is configured so (Config.AggregatedOnly: a caller without access to
// raw observations), and on request (disclosure=aggregated), which lets anyone preview the
// public view. A request can only make the answer stricter, never looser.
func (s *Room) parseDisclosure(ctx context.Context, v url.Values) (bool, error) {
	switch d := v.Get("disclosure"); d {
	case "", "full":
		// Callers who may not read observation points get the aggregated view only.
		return s.cfg.AggregatedOnly || !layers.PrincipalFrom(ctx).MayRead(layers.Internal), nil
	case "aggregated":
		return true, nil
	default:
		return false, layers.Invalid("disclosure", "%q is not full or aggregated", d)
	}
}

func disclosureName(aggregated bool) string {
	if aggregated {
		return "aggregated"
	}
	return "full"
}

// minCellCount is the disclosure threshold (Deps.MinCellCount).
func (s *Room) minCellCount() int { return s.cfg.MinCellCount }

func parseFloat(v url.Values, param string, def, lo, hi float64) (float64, error) {
	raw := v.Get(param)
	if raw == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || f < lo || f > hi {
		return 0, layers.Invalid(param, "%q is not a number between %g and %g", raw, lo, hi)
	}
	return f, nil
}

// hotspots serves GET /analysis/hotspots.
func (s *Room) hotspots(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, hotspotParams...); err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.parseHotspots(ctx, c.QueryParams())
	if err != nil {
		return err
	}
	if err := s.refuseKDEAggregated(c, r); err != nil {
		return err
	}
	// A repeated analysis is answered from the memo, concurrent identical ones share one
	// computation, and only a computation takes an analysis slot (bounds.go).
	gen := s.tileGeneration(hotspotTileSources...)
	key := fmt.Sprintf("doc|%d|%s|agg=%t", gen, c.QueryParams().Encode(), r.aggregated)
	res, err := s.analysis(ctx, key, func(ctx context.Context) (*analysisResult, error) {
		r.capture = &analysisResult{}
		if err := s.runHotspots(ctx, r); err != nil {
			return nil, err
		}
		r.capture.bytes = int64(len(r.capture.body)) + 128
		r.capture.etag = respond.BodyTag(r.capture.body)
		return r.capture, nil
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Crs", "<"+res.crs+">")
	return s.out.SendTagged(c, http.StatusOK, res.contentType, respond.CacheData, res.body, res.etag)
}

// refuseKDEAggregated refuses a density surface to a caller who gets aggregated answers only:
// it reveals where single observations lie, and has no cell counts to suppress. Callers
// without access to raw observations get the hexagon analyses.
func (s *Room) refuseKDEAggregated(c echo.Context, r *hotspotRequest) error {
	if r.method != "kde" || !r.aggregated {
		return nil
	}
	const msg = "method=kde is not available with aggregated disclosure; use method=gistar"
	if r.forced && layers.PrincipalFrom(c.Request().Context()).IsAnonymous() { // logging in would help
		return auth.Unauthorized(c, false, msg+", or log in as an organisation that may see observations")
	}
	return echo.NewHTTPError(http.StatusForbidden, msg)
}

// runHotspots reads the study area and the observations with ctx (layers.HotspotInputs) and
// runs r's method; the result goes to sendAnalysis (or, for a raster, straight to r.capture).
func (s *Room) runHotspots(ctx context.Context, r *hotspotRequest) error {
	if r.method == "kde" && r.aggregated { // refused before (refuseKDEAggregated); kept as the last guard
		return echo.NewHTTPError(http.StatusForbidden, "method=kde is not available with aggregated disclosure; use method=gistar")
	}
	// The cost is estimated from the study area's extent before its cells are made and the
	// observations loaded (cost.go). Points are read as far as they reach the study area's
	// cells (or, for KDE, its surface) within a kernel.
	q := layers.HotspotQuery{Side: r.side, Area: r.area, Pad: r.side, Filter: r.filter,
		CheckArea: func(extent orb.Bound) error { return r.checkStudy(extent, r.windowSlices()) }}
	switch r.method {
	case "kde":
		q.Side, q.Pad = 0, r.bandwidth // a density needs the area's extent only
	case "emerging":
		q.With.Times = true
	default: // Gi* needs only the count and weight per cell: counted as read, not held
		q.Count = true
	}
	if r.collect != nil && q.Side > 0 {
		q.CheckCells = func(n int) error {
			if !s.analyses.keepable(n) {
				return layers.Invalid("side", "%d hexagons are too many for tiles (the analysis could not be kept for the view's other tiles); use a larger side or a smaller area, or /analysis/hotspots", n)
			}
			return nil
		}
	}
	in, err := s.store.HotspotInputs(ctx, q)
	if err != nil {
		return err
	}
	if r.capture != nil {
		r.capture.crs = r.out.URI()
	}
	switch r.method {
	case "kde":
		return s.sendKDE(r, in)
	case "emerging":
		return s.sendEmerging(r, in)
	}
	return s.sendGiStar(r, in)
}

// cellFeature is one hexagon of a Gi* or emerging answer.
type cellFeature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Geometry   orbGeometry    `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// orbGeometry is a polygon as GeoJSON.
type orbGeometry struct {
	Type        string        `json:"type"`
	Coordinates [][][]float64 `json:"coordinates"`
}

// cellGeometry returns the hexagon of cell k and its centre in the output CRS.
func cellGeometry(cells *hotspot.Cells, k int, out crs.CRS) (orbGeometry, []float64, error) {
	c := hotspot.HexCentre(cells.I[k], cells.J[k], cells.Side)
	g, digits, err := polygonGeometry(hotspot.HexPolygon(cells.I[k], cells.J[k], cells.Side), out)
	if err != nil {
		return orbGeometry{}, nil, err
	}
	if out != crs.SWEREF99TM {
		lon, lat := crs.FromSWEREF99TM(c[0], c[1])
		c = orb.Point{lon, lat}
	}
	return g, []float64{respond.Round(c[0], digits), respond.Round(c[1], digits)}, nil
}

// polygonGeometry is an EPSG:3006 polygon's outer ring as GeoJSON in the output CRS, rounded
// to centimetres or (degrees) to 7 decimals, and the decimals it was rounded to.
func polygonGeometry(poly orb.Polygon, out crs.CRS) (orbGeometry, float64, error) {
	digits := 2.0
	if out != crs.SWEREF99TM {
		g, err := crs.Transform(poly, crs.SWEREF99TM, out)
		if err != nil {
			return orbGeometry{}, 0, err
		}
		poly, digits = g.(orb.Polygon), 7
	}
	ring := make([][]float64, len(poly[0]))
	for k, p := range poly[0] {
		ring[k] = []float64{respond.Round(p[0], digits), respond.Round(p[1], digits)}
	}
	return orbGeometry{Type: "Polygon", Coordinates: [][][]float64{ring}}, digits, nil
}

func (s *Room) sendGiStar(r *hotspotRequest, in *layers.HotspotInputs) error {
	s.gate.Computing()
	a, err := hotspot.HotSpots(hotspot.Input{Cells: in.Cells, Observations: in.Observations, Binned: in.Binned, Band: r.band})
	if err != nil {
		return err
	}
	cells, res := in.Cells, a.Results
	features := make([]cellFeature, len(res))
	hot, cold, hotFDR, coldFDR := 0, 0, 0, 0
	for k, g := range res {
		geom, centre, err := cellGeometry(cells, k, r.out)
		if err != nil {
			return err
		}
		props := map[string]any{
			"i": cells.I[k], "j": cells.J[k], "centroid": centre,
			"z": respond.Round(g.Z, 6), "p": g.P, "p_fdr": g.PFDR, "bin": g.Bin, "class": hotspot.BinClass(g.Bin),
			"survives_fdr": g.SurvivesFDR, "neighbours": g.Neighbours,
		}
		shown := s.countProps(props, r, a.Count[k], a.Weight[k])
		features[k] = cellFeature{Type: "Feature", ID: cellID(cells.I[k], cells.J[k]), Geometry: geom, Properties: props}
		if !shown { // a suppressed cell's class is not told through the totals either
			continue
		}
		switch {
		case g.Bin > 0:
			hot++
		case g.Bin < 0:
			cold++
		}
		if g.SurvivesFDR && g.Z > 0 {
			hotFDR++
		} else if g.SurvivesFDR && g.Z < 0 {
			coldFDR++
		}
	}
	summary := map[string]any{
		"cells": len(res), "observations": a.Counted, "total_weight": respond.Round(sumOf(a.Weight), 6),
		"hot_cells": hot, "cold_cells": cold, "hot_cells_fdr": hotFDR, "cold_cells_fdr": coldFDR,
		"parameters": r.params,
		"method_note": "Getis-Ord Gi* (binary distance band, cell included; as ArcGIS Pro Hot Spot Analysis and R spdep localG). " +
			"class uses the uncorrected p (99/95/90 %); survives_fdr: Benjamini-Hochberg adjusted p < 0.05 over all cells.",
	}
	return s.sendAnalysis(r, features, summary, in.Illustrative)
}

func cellID(i, j int) string { return strconv.Itoa(i) + "_" + strconv.Itoa(j) }

func sumOf(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t
}

func (s *Room) sendAnalysis(r *hotspotRequest, features []cellFeature, summary map[string]any, illustrative bool) error {
	if r.collect != nil { // a tile request takes the cells, not the document
		r.collect.features, r.collect.illustrative = features, illustrative
		return nil
	}
	if r.capture == nil {
		return errors.New("hotspots: an analysis without a collect or capture") // programming error
	}
	summary["disclosure"] = disclosureName(r.aggregated)
	if r.aggregated {
		summary["min_cell_count"] = s.minCellCount()
		s.discloseSummary(summary, r)
	}
	doc := map[string]any{
		"type": "FeatureCollection", "features": features, "summary": summary,
		"numberReturned": len(features), "timeStamp": s.now().UTC().Format(time.RFC3339),
	}
	if illustrative {
		doc["notice"] = respond.IllustrativeNotice
	}
	r.capture.body, r.capture.contentType = encodeDoc(doc), respond.MediaGeoJSON
	return nil
}

// windowSlices is the number of time slices of an emerging analysis when its datetime window
// has both ends, else 0 (then only the observations tell).
func (r *hotspotRequest) windowSlices() int {
	iv := r.filter.Datetime
	if r.method != "emerging" || iv == nil || iv.Start == nil || iv.End == nil {
		return 0
	}
	return r.slice.Count(*iv.Start, *iv.End)
}

func (s *Room) sendEmerging(r *hotspotRequest, in *layers.HotspotInputs) error {
	cells := in.Cells
	e := hotspot.EmergingInput{Cells: cells, Observations: in.Observations, Band: r.band, Unit: r.slice,
		Check: func(slices int) error {
			if err := r.checkSlices(float64(cells.Len()), slices); err != nil {
				return err
			}
			s.gate.Computing()
			return nil
		}}
	if iv := r.filter.Datetime; iv != nil {
		e.From, e.To = iv.Start, iv.End
	}
	a, err := hotspot.EmergingHotSpots(e)
	if err != nil {
		return err
	}
	res := a.Results
	patterns := map[string]int{}
	features := make([]cellFeature, len(res))
	for k, e := range res {
		geom, centre, err := cellGeometry(cells, k, r.out)
		if err != nil {
			return err
		}
		props := map[string]any{
			"i": cells.I[k], "j": cells.J[k], "centroid": centre,
			"pattern": e.Pattern.String(), "pattern_code": int(e.Pattern),
			"trend_z": respond.Round(e.Trend.Z, 6), "trend_p": e.Trend.P, "trend_tau": respond.Round(e.Trend.Tau, 6),
			"hot_slices": e.Hot, "cold_slices": e.Cold,
			"z_last": respond.Round(e.Z[len(e.Z)-1], 6), "sig_last": int(e.Sig[len(e.Sig)-1]),
		}
		shown := s.countProps(props, r, a.Count[k], a.Weight[k])
		features[k] = cellFeature{Type: "Feature", ID: cellID(cells.I[k], cells.J[k]), Geometry: geom, Properties: props}
		if shown { // a suppressed cell's pattern is not told through the totals either
			patterns[e.Pattern.String()]++
		}
	}
	starts := make([]string, len(a.Slices))
	for k, t := range a.Slices {
		starts[k] = t.Format(time.DateOnly)
	}
	summary := map[string]any{
		"cells": len(res), "observations": a.Counted, "total_weight": respond.Round(sumOf(a.Weight), 6),
		"slices": starts, "patterns": patterns, "alpha": hotspot.DefaultAlpha, "parameters": r.params,
		"method_note": "Gi* per " + string(r.slice) + " (calendar slices in " + hotspot.SliceZone + "; a cell is significant in a slice when its " +
			"Benjamini-Hochberg adjusted p < alpha), Mann-Kendall trend of each cell's z-scores, ArcGIS Pro Emerging Hot Spot categories.",
	}
	return s.sendAnalysis(r, features, summary, in.Illustrative)
}

// kdeRaster is the compact answer of f=raster: the grid in EPSG:3006, values row by row
// from the south-west corner.
type kdeRaster struct {
	Type       string    `json:"type"`
	CRS        string    `json:"crs"`
	Origin     []float64 `json:"origin"`
	Cell       float64   `json:"cell"`
	Width      int       `json:"width"`
	Height     int       `json:"height"`
	Unit       string    `json:"unit"`
	Max        float64   `json:"max"`
	Values     []float64 `json:"values"`
	Parameters any       `json:"parameters"`
	Notice     string    `json:"notice,omitempty"`
}

func (s *Room) sendKDE(r *hotspotRequest, in *layers.HotspotInputs) error {
	pts := in.Observations
	g, err := hotspot.Density(hotspot.DensityInput{Extent: in.Bound, Observations: pts, Bandwidth: r.bandwidth, Cell: r.cell,
		Check: func(points int) error {
			if err := r.checkKDEPoints(points); err != nil {
				return err
			}
			s.gate.Computing()
			return nil
		}})
	if err != nil {
		return err
	}
	maxV := 0.0
	for k, v := range g.Values {
		g.Values[k] = respond.Round(v, 4)
		maxV = max(maxV, g.Values[k])
	}
	notice := ""
	if in.Illustrative {
		notice = respond.IllustrativeNotice
	}
	if r.format == "raster" {
		r.capture.crs, r.capture.contentType = crs.SWEREF99TM.URI(), respond.MediaJSON
		r.capture.body = respond.JSON(kdeRaster{Type: "Grid", CRS: crs.SWEREF99TM.URI(),
			Origin: []float64{g.MinX, g.MinY}, Cell: g.Cell, Width: g.NX, Height: g.NY, Unit: "observations per km²",
			Max: maxV, Values: g.Values, Parameters: r.params, Notice: notice})
		return nil
	}
	// GeoJSON: only cells with a density, as squares (EPSG:3006 squares, reprojected). They are
	// counted first, so a surface too large for the GeoJSON form is refused before its
	// features take memory (each about a kilobyte until encoded).
	withDensity := 0
	for _, v := range g.Values {
		if v > 0 {
			withDensity++
		}
	}
	if withDensity > maxKDEFeatures {
		return layers.Invalid("cell", "%d cells with a density, more than %d; use a larger cell or f=raster", withDensity, maxKDEFeatures)
	}
	features := make([]cellFeature, 0, withDensity)
	for row := 0; row < g.NY; row++ {
		for col := 0; col < g.NX; col++ {
			v := g.Values[row*g.NX+col]
			if v <= 0 {
				continue
			}
			x0, y0 := g.MinX+float64(col)*g.Cell, g.MinY+float64(row)*g.Cell
			sq := orb.Polygon{orb.Ring{{x0, y0}, {x0 + g.Cell, y0}, {x0 + g.Cell, y0 + g.Cell}, {x0, y0 + g.Cell}, {x0, y0}}}
			geom, _, err := polygonGeometry(sq, r.out)
			if err != nil {
				return err
			}
			features = append(features, cellFeature{Type: "Feature", ID: strconv.Itoa(col) + "_" + strconv.Itoa(row),
				Geometry: geom, Properties: map[string]any{"col": col, "row": row, "density": v}})
		}
	}
	summary := map[string]any{
		"cells": g.NX * g.NY, "cells_with_density": len(features), "observations": len(pts.Points),
		"total_weight": respond.Round(sumOf(pts.Weights), 6), "max_density": maxV, "unit": "observations per km²",
		"grid":        map[string]any{"crs": crs.SWEREF99TM.URI(), "origin": []float64{g.MinX, g.MinY}, "cell": g.Cell, "width": g.NX, "height": g.NY},
		"parameters":  r.params,
		"method_note": "Quartic kernel K(u) = 3/pi (1 - u^2)^2, u = d/bandwidth; density per km^2 at cell centres, integrating to the weighted count.",
	}
	return s.sendAnalysis(r, features, summary, in.Illustrative)
}

// maxKDEFeatures bounds the GeoJSON form of a density surface (about 250 bytes a feature
// encoded, a kilobyte while it is built); the raster form has no limit beyond maxKDEGrid.
const maxKDEFeatures = 100_000

// placeIntensity is one row of the place ranking.
type placeIntensity struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	Kind            string    `json:"kind"`
	DistrictCode    *string   `json:"district_code"`
	Point           []float64 `json:"point"`
	Density         *float64  `json:"density"`
	Count           *int      `json:"count"`
	PreviousDensity *float64  `json:"previous_density"`
	PreviousCount   *int      `json:"previous_count"`
	Change          *float64  `json:"change"`
	ChangePct       *float64  `json:"change_pct"`
	RankIntensity   *int      `json:"rank_intensity"` // nil for a suppressed place
	RankChange      *int      `json:"rank_change"`
	Suppressed      bool      `json:"suppressed"`
	currentDensity  float64   // unsuppressed figures, for ranking
	densityDiff     float64
}

// placeDensities are the quartic kernel densities (bandwidth h metres, per km²) of p's
// current and previous observations at the place.
func placeDensities(p layers.HotspotPlace, h float64) (cur, prev float64) {
	for _, o := range p.Current {
		cur += o.Weight * kde.Kernel(o.Distance/h)
	}
	for _, o := range p.Previous {
		prev += o.Weight * kde.Kernel(o.Distance/h)
	}
	return 1e6 * cur / (h * h), 1e6 * prev / (h * h)
}

// hotspotPlaces serves GET /analysis/hotspots/places: the public places ranked by the
// kernel density of observations at the place in the current period and by its change
// against the previous period of the same length — the operational group's "where this
// week" list.
func (s *Room) hotspotPlaces(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "datetime", "category", "source", "weighting", "bandwidth", "limit", "crs", "disclosure"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, err := s.parsePlacesRequest(ctx, c.QueryParams())
	if err != nil {
		return err
	}
	curStart, curEnd, err := s.placesPeriod(ctx, q)
	if err != nil {
		return err
	}
	prevStart := curStart.Add(-curEnd.Sub(curStart))
	places, err := s.store.PlacesNear(ctx, q.bandwidth, prevStart, curStart, curEnd, q.filter)
	if err != nil {
		return err
	}
	rows := make([]*placeIntensity, len(places))
	for k, p := range places {
		rows[k] = s.placeRow(q, p)
	}
	rankPlaces(rows)
	if len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	doc := map[string]any{
		"places":     rows,
		"current":    map[string]string{"start": curStart.UTC().Format(time.RFC3339), "end": curEnd.UTC().Format(time.RFC3339)},
		"previous":   map[string]string{"start": prevStart.UTC().Format(time.RFC3339), "end": curStart.UTC().Format(time.RFC3339)},
		"unit":       "observations per km² (quartic kernel density at the place)",
		"parameters": q.params, "disclosure": disclosureName(q.aggregated),
		"timeStamp": s.now().UTC().Format(time.RFC3339),
	}
	if q.aggregated {
		doc["min_cell_count"] = s.minCellCount()
	}
	c.Response().Header().Set("Content-Crs", "<"+q.out.URI()+">")
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheData, doc)
}

// placesRequest is a parsed /analysis/hotspots/places query.
type placesRequest struct {
	filter     layers.ObservationFilter
	bandwidth  float64
	limit      int
	out        crs.CRS
	aggregated bool
	params     map[string]any // echoed in the answer
}

func (s *Room) parsePlacesRequest(ctx context.Context, v url.Values) (*placesRequest, error) {
	q := &placesRequest{params: map[string]any{}}
	var err error
	if q.filter, err = s.parseObservationFilter(v, q.params); err != nil {
		return nil, err
	}
	if q.bandwidth, err = parseFloat(v, "bandwidth", kde.DefaultBandwidth, 50, 5000); err != nil {
		return nil, err
	}
	q.params["bandwidth"] = q.bandwidth
	if q.limit, err = respond.Int("limit", v.Get("limit"), 20, 1, 10000); err != nil {
		return nil, err
	}
	if q.out, err = request.CRS("crs", v.Get("crs")); err != nil {
		return nil, err
	}
	if q.aggregated, err = s.parseDisclosure(ctx, v); err != nil {
		return nil, err
	}
	if q.aggregated {
		if err := request.CheckAggregatedWindow(q.filter.Datetime); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// placesPeriod is the current period: the datetime window (both ends needed to define a
// previous one of the same length), or by default the 28 days up to the newest observation.
func (s *Room) placesPeriod(ctx context.Context, q *placesRequest) (start, end time.Time, err error) {
	if iv := q.filter.Datetime; iv != nil {
		if iv.Start == nil || iv.End == nil {
			return start, end, layers.Invalid("datetime", "give a closed interval start/end: the previous period has the same length")
		}
		return *iv.Start, *iv.End, nil
	}
	latest, err := s.store.LatestObservation(ctx)
	if err != nil {
		return start, end, err
	}
	end = latest
	if q.aggregated { // through the newest observation's day, not to its time (disclosure.go)
		end = latest.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	}
	return end.Add(-28 * 24 * time.Hour), end, nil
}

// placeRow is a place's row of the ranking: its densities and counts in the two periods, in
// the aggregated view suppressed (fewer than the minimum count in either period) or rounded.
func (s *Room) placeRow(q *placesRequest, p layers.HotspotPlace) *placeIntensity {
	cur, prev := placeDensities(p, q.bandwidth)
	cur, prev = respond.Round(cur, 4), respond.Round(prev, 4)
	row := &placeIntensity{ID: p.ID, Name: p.Name, Kind: p.Kind, DistrictCode: p.DistrictCode,
		currentDensity: cur, densityDiff: cur - prev}
	pt := p.Point
	digits := 2.0
	if q.out != crs.SWEREF99TM {
		lon, lat := crs.FromSWEREF99TM(pt[0], pt[1])
		pt, digits = orb.Point{lon, lat}, 7
	}
	row.Point = []float64{respond.Round(pt[0], digits), respond.Round(pt[1], digits)}
	minCount := s.minCellCount()
	if q.aggregated && (len(p.Current) < minCount || len(p.Previous) < minCount) {
		row.Suppressed = true
		return row
	}
	nc, np := len(p.Current), len(p.Previous)
	if q.aggregated { // rounded as the cells are (disclosure.go)
		nc, np = int(s.roundCount(int64(nc))), int(s.roundCount(int64(np)))
		cur, prev = disclose.Significant(cur, 2), disclose.Significant(prev, 2)
	}
	diff := respond.Round(cur-prev, 4)
	row.Density, row.Count, row.PreviousDensity, row.PreviousCount, row.Change = &cur, &nc, &prev, &np, &diff
	if prev > 0 {
		pct := respond.Round(100*(cur-prev)/prev, 1)
		row.ChangePct = &pct
	}
	return row
}

// rankPlaces ranks the rows by change and by current density and leaves them in the order of
// density. Ranks are computed on the full figures. Suppressed rows are not ranked and come
// last in the order of their ids: a rank or a position among the others would tell their
// hidden figures.
func rankPlaces(rows []*placeIntensity) {
	order := func(key func(*placeIntensity) float64) func(a, b *placeIntensity) int {
		return func(a, b *placeIntensity) int {
			switch {
			case a.Suppressed != b.Suppressed:
				return map[bool]int{true: 1, false: -1}[a.Suppressed]
			case a.Suppressed:
				return cmp.Compare(a.ID, b.ID)
			}
			return cmpDesc(key(a), key(b))
		}
	}
	slices.SortStableFunc(rows, order(func(r *placeIntensity) float64 { return r.densityDiff }))
	for k, r := range rows {
		if !r.Suppressed {
			r.RankChange = &[]int{k + 1}[0]
		}
	}
	slices.SortStableFunc(rows, order(func(r *placeIntensity) float64 { return r.currentDensity }))
	for k, r := range rows {
		if !r.Suppressed {
			r.RankIntensity = &[]int{k + 1}[0]
		}
	}
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// harmWeights serves GET /analysis/harm-weights: the table behind weighting=harm, so every
// harm-weighted figure can be explained.
func (s *Room) harmWeights(c echo.Context) error {
	if err := respond.OnlyParamsAny(c); err != nil {
		return err
	}
	hw, err := s.store.HarmWeights(c.Request().Context())
	if err != nil {
		return err
	}
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, map[string]any{"weights": hw,
		"note": fmt.Sprintf("Weight per observation of a category when weighting=harm. %d categories; rows marked illustrative are demo defaults in the spirit of the Swedish Crime Harm Index (average sentence in days), not official values.", len(hw))})
}
