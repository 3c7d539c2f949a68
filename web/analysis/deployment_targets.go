package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lagesbild/lagesbild/geo/allocate"
	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/geo/kde"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// A plan's targets: given with their risks (targets.items), or computed by a kind of target
// (targets.kind). The computed kinds are rows of planTargetKinds; geo/allocate selects among
// the candidates each kind's inputs make.

// targetKind is one kind of computed target.
type targetKind struct {
	name string
	// none says what an empty target set means, for its 400.
	none string
	// check refuses the fields of targets the kind does not take, and checks those it does.
	check func(tr *targetsRequest) error
	// load reads the kind's inputs for the risk period q.
	load func(s *Room, ctx context.Context, tr *targetsRequest, q riskQuery) (allocate.TargetKind, layers.DataClass, error)
}

// riskQuery is the risk period of computed targets and the rows they may be computed from.
type riskQuery struct {
	start, end time.Time
	days       int
	classes    []string
	params     *planParams // the plan's parameters, for the kinds that set one (bandwidth)
}

// planTargetKinds are the kinds of computed targets, the default first.
func planTargetKinds() []targetKind {
	return []targetKind{
		{name: "places", none: "no place has observations", check: checkPlaceTargets, load: loadPlaceTargets},
		{name: "cells", none: "no hexagon is a hot spot at 95 %", check: checkCellTargets, load: loadCellTargets},
		{name: "forecast", none: "no hexagon has a positive forecast", check: checkForecastTargets, load: loadForecastTargets},
	}
}

// planTargets resolves the request's targets: explicit items, or those of a kind computed
// over the days before latest from rows of classes only. It returns whether any is computed
// from illustrative data, and the most protected class among the rows it read; "" for
// explicit items, which read none.
func (s *Room) planTargets(ctx context.Context, tr *targetsRequest, latest time.Time, categories []string, pp *planParams, doc *planDoc, classes []string) ([]planTarget, bool, layers.DataClass, error) {
	if tr == nil {
		tr = &targetsRequest{}
	}
	if tr.Items != nil {
		out, err := explicitTargets(tr, categories)
		return out, false, "", err
	}
	top := optional(tr.Top, defaultTopTargets)
	if top < 1 || top > maxPlanTargets {
		return nil, false, "", layers.InvalidCode("targets.top", layers.CodeOutOfRange, map[string]any{"min": 1, "max": maxPlanTargets}, "%d is not between 1 and %d", top, maxPlanTargets)
	}
	kinds := planTargetKinds()
	name := cmp.Or(tr.Kind, kinds[0].name)
	k := slices.IndexFunc(kinds, func(k targetKind) bool { return k.name == name })
	if k < 0 {
		var names []string
		for _, k := range kinds {
			names = append(names, k.name)
		}
		return nil, false, "", layers.Invalid("targets.kind", "%q is not %s or %s", tr.Kind, strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
	}
	kind := kinds[k]
	if err := kind.check(tr); err != nil { // a kind may set its own default days
		return nil, false, "", err
	}
	days := optional(tr.Days, defaultRiskDays)
	if days < 1 || days > 3650 {
		return nil, false, "", layers.Invalid("targets.days", "%d is not between 1 and 3650", days)
	}
	start := latest.Add(-time.Duration(days) * 24 * time.Hour)
	doc.RiskPeriod = &period{Start: start.UTC().Format(time.RFC3339), End: latest.UTC().Format(time.RFC3339)}
	src, read, err := kind.load(s, ctx, tr, riskQuery{start: start, end: latest, days: days, classes: classes, params: pp})
	if err != nil {
		return nil, false, "", err
	}
	cands, err := src.Select(top)
	if err != nil {
		return nil, false, "", err
	}
	if len(cands) == 0 {
		return nil, false, "", layers.Invalid("targets", "%s in the %d days before %s: the target set is empty", kind.none, days, latest.UTC().Format(time.DateOnly))
	}
	illustrative := false
	out := make([]planTarget, len(cands))
	for n, t := range cands {
		lon, lat := crs.FromSWEREF99TM(t.Point[0], t.Point[1])
		risk := make(map[string]float64, len(t.Risk))
		for cn, v := range t.Risk {
			risk[cn] = respond.Round(v, 6)
		}
		out[n] = planTarget{ID: t.ID, PlaceID: t.PlaceID, Name: t.Name, Point: []float64{respond.Round(lon, 7), respond.Round(lat, 7)},
			Risk: risk, RiskTotal: respond.Round(t.Total, 6), x: t.Point[0], y: t.Point[1]}
		illustrative = illustrative || t.Illustrative
	}
	return out, illustrative, read, nil
}

// checkPlaceTargets checks the fields of kind places: bandwidth, and place_ids or top.
func checkPlaceTargets(tr *targetsRequest) error {
	if tr.Side != nil {
		return layers.Invalid("targets.side", "side is for kind cells")
	}
	if bw := optional(tr.Bandwidth, kde.DefaultBandwidth); !(bw >= 50 && bw <= 5000) {
		return layers.Invalid("targets.bandwidth", "%g is not between 50 and 5000 metres", bw)
	}
	if tr.PlaceIDs == nil {
		return nil
	}
	if tr.Top != nil {
		return layers.Invalid("targets", "give place_ids or top, not both")
	}
	if ids := *tr.PlaceIDs; len(ids) == 0 {
		return layers.Invalid("targets.place_ids", "the target set is empty")
	} else if len(ids) > maxPlanTargets {
		return layers.Invalid("targets.place_ids", "%d places, at most %d", len(ids), maxPlanTargets)
	}
	return nil
}

// loadPlaceTargets reads the places' harm-weighted densities per category (all places, or
// those listed); the plan's bandwidth becomes the request's.
func loadPlaceTargets(s *Room, ctx context.Context, tr *targetsRequest, q riskQuery) (allocate.TargetKind, layers.DataClass, error) {
	bw := optional(tr.Bandwidth, kde.DefaultBandwidth)
	q.params.Bandwidth = bw
	var ids []int64
	if tr.PlaceIDs != nil {
		ids = *tr.PlaceIDs
	}
	places, read, err := s.store.PlaceRisks(ctx, bw, q.start, q.end, ids, q.classes)
	if err != nil {
		return nil, "", err
	}
	return allocate.Places{Places: places, Listed: ids != nil}, read, nil
}

// checkCellTargets checks the fields of kind cells: side.
func checkCellTargets(tr *targetsRequest) error {
	if tr.PlaceIDs != nil || tr.Bandwidth != nil {
		return layers.Invalid("targets", "cells take side, top and days; place_ids and bandwidth are for places")
	}
	if side := optional(tr.Side, 150); !(side >= 50 && side <= 5000) {
		return layers.Invalid("targets.side", "%g is not between 50 and 5000 metres", side)
	}
	return nil
}

// loadCellTargets reads the whole study area's hexagons of targets.side and the
// harm-weighted observations of the period with their categories.
func loadCellTargets(s *Room, ctx context.Context, tr *targetsRequest, q riskQuery) (allocate.TargetKind, layers.DataClass, error) {
	side := optional(tr.Side, 150)
	window := &layers.Interval{Start: &q.start, End: &q.end}
	in, err := s.store.HotspotInputs(ctx, layers.HotspotQuery{Side: side, Pad: side,
		Filter: layers.ObservationFilter{Datetime: window, Weighting: layers.WeightHarm, Classes: q.classes},
		With:   layers.ObservationColumns{Categories: true}})
	if err != nil {
		return nil, "", err
	}
	return allocate.HotCells{Cells: in.Cells, Observations: in.Observations, Categories: in.Categories,
		Weeks: float64(q.days) / 7, Illustrative: in.Illustrative}, in.Class, nil
}

// explicitTargets checks targets given with their risks (targets.items).
func explicitTargets(tr *targetsRequest, categories []string) ([]planTarget, error) {
	if tr.Top != nil || tr.PlaceIDs != nil || tr.Days != nil || tr.Bandwidth != nil {
		return nil, layers.Invalid("targets", "give items, or places (place_ids / top, days, bandwidth), not both")
	}
	items := *tr.Items
	if len(items) == 0 {
		return nil, layers.Invalid("targets.items", "the target set is empty")
	}
	if len(items) > maxPlanTargets {
		return nil, layers.Invalid("targets.items", "%d targets, at most %d", len(items), maxPlanTargets)
	}
	seen := map[string]bool{}
	out := make([]planTarget, len(items))
	for k, it := range items {
		f := fmt.Sprintf("targets.items[%d].", k)
		if it.ID == "" || len(it.ID) > 64 || strings.Trim(it.ID, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.-") != "" {
			return nil, layers.Invalid(f+"id", "%q is not 1–64 letters, digits or :_.-", it.ID)
		}
		if seen[it.ID] {
			return nil, layers.Invalid(f+"id", "%q is given twice", it.ID)
		}
		seen[it.ID] = true
		t, err := checkExplicitTarget(f, it, categories)
		if err != nil {
			return nil, err
		}
		out[k] = t
	}
	return out, nil
}

// checkExplicitTarget checks one given target (fields prefixed f): its point, risks and name.
func checkExplicitTarget(f string, it explicitTarget, categories []string) (planTarget, error) {
	if len(it.Point) != 2 || !finite(it.Point[0]) || !finite(it.Point[1]) || it.Point[0] < 10 || it.Point[0] > 25 || it.Point[1] < 55 || it.Point[1] > 70 {
		return planTarget{}, layers.Invalid(f+"point", "give [lon, lat] in CRS84 within Sweden")
	}
	risk := map[string]float64{}
	for cn, v := range it.Risk {
		if !slices.Contains(categories, cn) {
			return planTarget{}, layers.Invalid(f+"risk", "%q is not an observation category", cn)
		}
		if !(v >= 0) || !finite(v) || v > maxTargetRisk {
			return planTarget{}, layers.Invalid(f+"risk", "%s: %g is not a number between 0 and %g", cn, v, maxTargetRisk)
		}
		if v > 0 {
			risk[cn] = v
		}
	}
	name := strings.TrimSpace(it.Name)
	if err := request.CheckText(f+"name", name, maxPlanName); err != nil {
		return planTarget{}, err
	}
	if name == "" {
		name = it.ID
	}
	x, y := crs.ToSWEREF99TM(it.Point[0], it.Point[1])
	t := planTarget{ID: it.ID, Name: name, Point: []float64{respond.Round(it.Point[0], 7), respond.Round(it.Point[1], 7)}, Risk: risk, x: x, y: y}
	for _, v := range risk {
		t.RiskTotal += v
	}
	t.RiskTotal = respond.Round(t.RiskTotal, 6)
	if !finite(t.RiskTotal) {
		return planTarget{}, layers.Invalid(f+"risk", "the total %g is not a finite number", t.RiskTotal)
	}
	return t, nil
}
