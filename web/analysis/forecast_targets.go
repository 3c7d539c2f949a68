package analysis

import (
	"context"
	"time"

	"github.com/lagesbild/lagesbild/geo/allocate"
	"github.com/lagesbild/lagesbild/geo/forecast"
	"github.com/lagesbild/lagesbild/layers"
)

// The planner's targets.kind forecast: the top cells of next week's harm-weighted forecast
// (the forecast /analysis/forecast?weighting=harm shows), beside places and Gi* cells.

// forecastTargetDays is the default history of forecast targets: DefaultHistory weeks.
const forecastTargetDays = 7 * forecast.DefaultHistory

// checkForecastTargets checks the fields of kind forecast: side, top, and days — the history
// the forecast learns from, in days (default 156 weeks), whole weeks of which are used.
func checkForecastTargets(tr *targetsRequest) error {
	if tr.PlaceIDs != nil || tr.Bandwidth != nil {
		return layers.Invalid("targets", "forecast takes side, top and days; place_ids and bandwidth are for places")
	}
	if side := optional(tr.Side, 150); !(side >= 50 && side <= 5000) {
		return layers.Invalid("targets.side", "%g is not between 50 and 5000 metres", side)
	}
	days := optional(tr.Days, forecastTargetDays)
	if weeks := days / 7; weeks < forecast.MinTrainingWeeks+1 || weeks > forecast.MaxHistory {
		return layers.Invalid("targets.days", "%d days are %d whole weeks of history; a forecast learns from %d to %d weeks",
			days, weeks, forecast.MinTrainingWeeks+1, forecast.MaxHistory)
	}
	tr.Days = &days
	return nil
}

// loadForecastTargets forecasts next week from the whole weeks of the risk period (its origin
// the day after the newest observation, as /analysis/forecast's), with the rows of the plan's
// classes, harm-weighted, from all sources; the model shown is the one the backtest chose.
func loadForecastTargets(s *Room, ctx context.Context, tr *targetsRequest, q riskQuery) (allocate.TargetKind, layers.DataClass, error) {
	weeks := q.days / 7
	r := &forecastRequest{side: optional(tr.Side, 150), horizon: forecast.Weekly, history: weeks,
		backtest: min(forecast.DefaultBacktestWeeks, weeks-forecast.MinTrainingWeeks),
		origin:   q.end.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour), categories: true,
		filter: layers.ObservationFilter{Weighting: layers.WeightHarm, Classes: q.classes}}
	run, err := s.runForecast(ctx, r, nil)
	if err != nil {
		return nil, "", err
	}
	var values []float64
	if shown := run.analysis.All.Shown; shown != nil {
		values = shown.Values
	}
	return allocate.ForecastCells{Cells: run.in.Cells, Forecast: values, Cell: run.cellOf, Categories: run.in.Categories,
		Weights: run.in.Weights, Illustrative: run.in.Illustrative}, run.in.Class, nil
}
