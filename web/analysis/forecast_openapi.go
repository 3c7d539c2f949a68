package analysis

import (
	"github.com/lagesbild/lagesbild/geo/forecast"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// forecastOpenAPI adds /analysis/forecast and its tiles to the OpenAPI document.
func forecastOpenAPI(cat *layers.Catalogue, paths, schemas respond.Obj) {
	obs, _ := cat.Layer("observations")
	catProp, _ := obs.Property("category")
	srcProp, _ := obs.Property("source")
	num := respond.Obj{"type": "number"}
	numN := respond.Obj{"type": "number", "nullable": true}
	intN := respond.Obj{"type": "integer", "nullable": true}
	str := respond.Obj{"type": "string"}
	intg := respond.Obj{"type": "integer"}
	boolean := respond.Obj{"type": "boolean"}
	arr := func(items respond.Obj) respond.Obj { return respond.Obj{"type": "array", "items": items} }
	object := func(required []string, props respond.Obj) respond.Obj {
		o := respond.Obj{"type": "object", "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	var models []string
	for _, m := range forecast.Models() {
		models = append(models, string(m))
	}
	model := respond.Obj{"type": "string", "enum": models}
	modelN := respond.Obj{"type": "string", "enum": append(anyOf(models), "")}
	top := respond.Obj{"type": "integer", "nullable": true, "enum": []any{0, 1, 5, 10, nil},
		"description": "The smallest share of the area (1, 5 or 10 % of the cells) whose top-ranked cells hold this one; 0 outside the top 10 %; null when suppressed."}
	stat := object([]string{"mean", "se"}, respond.Obj{"mean": num, "se": num, "min": num, "max": num})
	variant := object([]string{"sources", "shown_model", "beats_baselines", "backtest", "caveats"}, respond.Obj{
		"sources": respond.Obj{"type": "string", "enum": []string{sourcesAll, sourcesWithoutPolice}}, "observations": intg,
		"police_share": num, "shown_model": model, "candidate": modelN, "best_baseline": modelN, "beats_baselines": boolean,
		"against": respond.Obj{"type": "array", "nullable": true, "items": object([]string{"baseline", "candidate_pai", "baseline_pai", "beaten"}, respond.Obj{
			"baseline": model, "candidate_pai": num, "baseline_pai": num, "ratio": num, "mean_diff": num, "se": num,
			"wins": intg, "losses": intg, "ties": intg, "beaten": boolean})},
		"periods": intg, "empty_periods": intg,
		"backtest": arr(object([]string{"model", "baseline", "shown", "at"}, respond.Obj{"model": model, "baseline": boolean, "shown": boolean,
			"at":  arr(object([]string{"share", "cells", "hit_rate", "pai", "pei"}, respond.Obj{"share": num, "cells": intg, "hit_rate": stat, "pai": stat, "pei": stat})),
			"fit": object(nil, respond.Obj{"branching_ratio": num, "converged": boolean, "iterations": intg, "mean_delay_weeks": arr(num)})})),
		"caveats": arr(object([]string{"code", "sv", "en"}, respond.Obj{"code": str, "sv": str, "en": str})),
	})
	period := object([]string{"start", "end"}, respond.Obj{"start": respond.Obj{"type": "string", "format": "date-time"}, "end": respond.Obj{"type": "string", "format": "date-time"}})
	schemas["ForecastSummary"] = object([]string{"cells", "origin", "horizon", "police_share", "variants", "parameters", "disclosure"}, respond.Obj{
		"cells": intg, "observations": intg, "origin": respond.Obj{"type": "string", "format": "date-time"},
		"horizon": respond.Obj{"type": "string", "enum": []string{"week", "month"}}, "forecast_period": period, "history": period,
		"police_share":             object([]string{"fraction"}, respond.Obj{"fraction": num, "weight_fraction": num, "sources": arr(str)}),
		"without_police_available": boolean, "variants": arr(variant), "parameters": respond.Obj{"type": "object"},
		"disclosure": respond.Obj{"type": "string", "enum": []string{"full", "aggregated"}}, "min_cell_count": intg, "rounded_to": intg, "method_note": str,
	})
	cellProps := respond.Obj{
		"i": intg, "j": intg, "centroid": respond.Obj{"type": "array", "items": num, "minItems": 2, "maxItems": 2},
		"suppressed": boolean, "count": intN, "police_share": numN,
		"forecast": numN, "rank": intN, "top_pct": top,
	}
	for _, v := range []string{sourcesAll, sourcesWithoutPolice} {
		cellProps["forecast_"+v], cellProps["rank_"+v], cellProps["top_pct_"+v] = numN, intN, top
	}
	cellProps["forecast"] = respond.Obj{"type": "number", "nullable": true,
		"description": "Expected weight over the horizon by the model shown (of the variant sources= chose; *_all and *_without_police are both variants'); null in the aggregated view."}
	cellProps["count"] = respond.Obj{"type": "integer", "nullable": true, "description": "Observations in the cell over the history window (rounded to the threshold in the aggregated view; null when suppressed)."}
	schemas["ForecastCell"] = object([]string{"type", "id", "geometry", "properties"}, respond.Obj{
		"type": respond.Obj{"type": "string", "enum": []string{"Feature"}}, "id": str,
		"geometry":   object([]string{"type", "coordinates"}, respond.Obj{"type": respond.Obj{"type": "string", "enum": []string{"Polygon"}}, "coordinates": arr(arr(arr(num)))}),
		"properties": object(nil, cellProps),
	})
	topProps := respond.Obj{"id": str}
	for k, v := range cellProps {
		topProps[k] = v
	}
	topCell := object(nil, topProps)
	list := func(name, desc string, enum []string) respond.Obj {
		return respond.Obj{"name": name, "in": "query", "required": false, "style": "form", "explode": false,
			"description": desc, "schema": respond.Obj{"type": "array", "items": respond.Obj{"type": "string", "enum": enum}}}
	}
	params := []respond.Obj{
		respond.QueryParam("horizon", "Forecast the coming week or month (four weeks).", respond.Obj{"type": "string", "enum": []string{"week", "month"}, "default": "week"}),
		respond.QueryParam("origin", "When the forecast starts (a date, 00:00 UTC); default the day after the newest observation.", respond.Obj{"type": "string", "format": "date"}),
		respond.QueryParam("history", "Weeks of history before the origin the models learn from.", respond.Obj{"type": "integer", "minimum": forecast.MinTrainingWeeks + 1, "maximum": forecast.MaxHistory, "default": forecast.DefaultHistory}),
		respond.QueryParam("backtest", "Most recent weeks scored by the rolling-origin backtest: at least one horizon, leaving at least 8 weeks to learn from.", respond.Obj{"type": "integer", "minimum": 1, "maximum": forecast.MaxHistory - forecast.MinTrainingWeeks, "default": forecast.DefaultBacktestWeeks}),
		respond.QueryParam("sources", "Which variant the cells show as forecast, rank and top_pct: all sources, or without the police's own reports. Both are in every answer.", respond.Obj{"type": "string", "enum": []string{sourcesAll, sourcesWithoutPolice}, "default": sourcesAll}),
		respond.QueryParam("side", "Hexagon side in metres (the hot-spot analysis' grid).", respond.Obj{"type": "number", "minimum": 50, "maximum": 5000, "default": 150}),
		list("category", "Only these observation categories (comma-separated).", catProp.Enum),
		list("source", "Only these sources (comma-separated).", srcProp.Enum),
		respond.QueryParam("weighting", "What one observation counts: 1, its severity (1-5), or its category's harm weight.", respond.Obj{"type": "string", "enum": []string{"count", "severity", "harm"}, "default": "count"}),
		{"name": "area", "in": "query", "required": false, "style": "form", "explode": false, "schema": respond.Obj{"type": "array", "items": str},
			"description": "District codes (level district) forming the study area; default all districts."},
		respond.QueryParam("disclosure", "aggregated: the view of a caller without access to raw observations: cells with fewer observations than the threshold (default 5) suppressed, no forecast values or ranks (only the top class), counts rounded. A caller who may not read observations always gets it.",
			respond.Obj{"type": "string", "enum": []string{"full", "aggregated"}, "default": "full"}),
	}
	paths["/analysis/forecast"] = respond.Obj{"get": respond.Obj{
		"summary": "Where observations are most likely next week or month, with each model's rolling-origin backtest (hit rate, PAI, PEI at 1, 5 and 10 % of the area)",
		"description": "Models: the density of the last four weeks and the long-term density (baselines) and a self-exciting point process fitted by maximum likelihood. " +
			"The model's forecast is shown only when it beat the best baseline's PAI at 5 % by more than twice the standard error over at least 8 periods; otherwise the best baseline's. " +
			"Made from all sources and again without the police's own reports, with the police-initiated share beside it; caveats in Swedish and English. " +
			"Places only, never persons. f=json gives the summary and the top 10 % of the cells, f=csv every cell.",
		"operationId": "getForecast", "tags": []string{"Analysis"},
		"parameters": append(append([]respond.Obj{}, params...), respond.Ref("parameters/crs"),
			respond.QueryParam("f", "geojson (default), json or csv.", respond.Obj{"type": "string", "enum": []string{"geojson", "json", "csv"}})),
		"responses": respond.Merge(respond.Obj{"200": respond.Obj{"description": "The forecast cells, the backtest and the caveats.",
			"headers": respond.Obj{"Content-Crs": respond.Obj{"schema": str}},
			"content": respond.Obj{
				respond.MediaGeoJSON: respond.Obj{"schema": object([]string{"type", "features", "summary"}, respond.Obj{
					"type": respond.Obj{"type": "string", "enum": []string{"FeatureCollection"}}, "features": arr(respond.Ref("schemas/ForecastCell")),
					"summary": respond.Ref("schemas/ForecastSummary"), "numberReturned": intg, "notice": str})},
				respond.MediaJSON: respond.Obj{"schema": object([]string{"summary", "top_cells"}, respond.Obj{
					"summary": respond.Ref("schemas/ForecastSummary"), "top_cells": respond.Obj{"type": "array", "nullable": true, "items": topCell}, "notice": str})},
				respond.MediaCSV: respond.Obj{"schema": str},
			}}}, respond.ProblemResponses("400", "503"))}}
	tileParams := append(append([]respond.Obj{}, params[:4]...), params[5:]...) // not sources: a tile holds both variants
	tileParams = append(tileParams,
		respond.Obj{"name": "tileMatrix", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 0, "maximum": 22}},
		respond.Obj{"name": "tileRow", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 0}},
		respond.Obj{"name": "tileCol", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 0}},
		respond.QueryParam("f", "mvt", respond.Obj{"type": "string", "enum": []string{"mvt"}}))
	paths["/analysis/forecast/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"] = respond.Obj{"get": respond.Obj{
		"summary":     "Forecast cells as a vector tile (layer forecast: both variants' forecast_*, rank_*, top_pct_*, and count, police_share, suppressed)",
		"description": "The forecast runs over the whole study area once and is kept for the answer and every tile of the same view.",
		"operationId": "getForecastTile", "tags": []string{"Analysis"},
		"parameters": tileParams,
		"responses": respond.Merge(respond.Obj{
			"200": respond.Obj{"description": "A Mapbox Vector Tile.", "content": respond.Obj{respond.MediaMVT: respond.Obj{"schema": respond.Obj{"type": "string", "format": "binary"}}}},
			"204": respond.Obj{"description": "No cell reaches the tile."},
			"304": respond.Obj{"description": "Not modified."},
		}, respond.ProblemResponses("400", "404", "503"))}}
}
