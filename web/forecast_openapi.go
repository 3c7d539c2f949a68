package web

import (
	"github.com/lagesbild/lagesbild/geo/forecast"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// forecastOpenAPI adds /analysis/forecast and its tiles to the OpenAPI document.
func forecastOpenAPI(cat *layers.Catalogue, paths, schemas obj) {
	obs, _ := cat.Layer("observations")
	catProp, _ := obs.Property("category")
	srcProp, _ := obs.Property("source")
	num := obj{"type": "number"}
	numN := obj{"type": "number", "nullable": true}
	intN := obj{"type": "integer", "nullable": true}
	str := obj{"type": "string"}
	intg := obj{"type": "integer"}
	boolean := obj{"type": "boolean"}
	arr := func(items obj) obj { return obj{"type": "array", "items": items} }
	object := func(required []string, props obj) obj {
		o := obj{"type": "object", "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	var models []string
	for _, m := range forecast.Models() {
		models = append(models, string(m))
	}
	model := obj{"type": "string", "enum": models}
	modelN := obj{"type": "string", "enum": append(anyOf(models), "")}
	top := obj{"type": "integer", "nullable": true, "enum": []any{0, 1, 5, 10, nil},
		"description": "The smallest share of the area (1, 5 or 10 % of the cells) whose top-ranked cells hold this one; 0 outside the top 10 %; null when suppressed."}
	stat := object([]string{"mean", "se"}, obj{"mean": num, "se": num, "min": num, "max": num})
	variant := object([]string{"sources", "shown_model", "beats_baselines", "backtest", "caveats"}, obj{
		"sources": obj{"type": "string", "enum": []string{sourcesAll, sourcesWithoutPolice}}, "observations": intg,
		"police_share": num, "shown_model": model, "candidate": modelN, "best_baseline": modelN, "beats_baselines": boolean,
		"against": obj{"type": "array", "nullable": true, "items": object([]string{"baseline", "candidate_pai", "baseline_pai", "beaten"}, obj{
			"baseline": model, "candidate_pai": num, "baseline_pai": num, "ratio": num, "mean_diff": num, "se": num,
			"wins": intg, "losses": intg, "ties": intg, "beaten": boolean})},
		"periods": intg, "empty_periods": intg,
		"backtest": arr(object([]string{"model", "baseline", "shown", "at"}, obj{"model": model, "baseline": boolean, "shown": boolean,
			"at":  arr(object([]string{"share", "cells", "hit_rate", "pai", "pei"}, obj{"share": num, "cells": intg, "hit_rate": stat, "pai": stat, "pei": stat})),
			"fit": object(nil, obj{"branching_ratio": num, "converged": boolean, "iterations": intg, "mean_delay_weeks": arr(num)})})),
		"caveats": arr(object([]string{"code", "sv", "en"}, obj{"code": str, "sv": str, "en": str})),
	})
	period := object([]string{"start", "end"}, obj{"start": obj{"type": "string", "format": "date-time"}, "end": obj{"type": "string", "format": "date-time"}})
	schemas["ForecastSummary"] = object([]string{"cells", "origin", "horizon", "police_share", "variants", "parameters", "disclosure"}, obj{
		"cells": intg, "observations": intg, "origin": obj{"type": "string", "format": "date-time"},
		"horizon": obj{"type": "string", "enum": []string{"week", "month"}}, "forecast_period": period, "history": period,
		"police_share":             object([]string{"fraction"}, obj{"fraction": num, "weight_fraction": num, "sources": arr(str)}),
		"without_police_available": boolean, "variants": arr(variant), "parameters": obj{"type": "object"},
		"disclosure": obj{"type": "string", "enum": []string{"full", "aggregated"}}, "min_cell_count": intg, "rounded_to": intg, "method_note": str,
	})
	cellProps := obj{
		"i": intg, "j": intg, "centroid": obj{"type": "array", "items": num, "minItems": 2, "maxItems": 2},
		"suppressed": boolean, "count": intN, "police_share": numN,
		"forecast": numN, "rank": intN, "top_pct": top,
	}
	for _, v := range []string{sourcesAll, sourcesWithoutPolice} {
		cellProps["forecast_"+v], cellProps["rank_"+v], cellProps["top_pct_"+v] = numN, intN, top
	}
	cellProps["forecast"] = obj{"type": "number", "nullable": true,
		"description": "Expected weight over the horizon by the model shown (of the variant sources= chose; *_all and *_without_police are both variants'); null in the aggregated view."}
	cellProps["count"] = obj{"type": "integer", "nullable": true, "description": "Observations in the cell over the history window (rounded to the threshold in the aggregated view; null when suppressed)."}
	schemas["ForecastCell"] = object([]string{"type", "id", "geometry", "properties"}, obj{
		"type": obj{"type": "string", "enum": []string{"Feature"}}, "id": str,
		"geometry":   object([]string{"type", "coordinates"}, obj{"type": obj{"type": "string", "enum": []string{"Polygon"}}, "coordinates": arr(arr(arr(num)))}),
		"properties": object(nil, cellProps),
	})
	topProps := obj{"id": str}
	for k, v := range cellProps {
		topProps[k] = v
	}
	topCell := object(nil, topProps)
	list := func(name, desc string, enum []string) obj {
		return obj{"name": name, "in": "query", "required": false, "style": "form", "explode": false,
			"description": desc, "schema": obj{"type": "array", "items": obj{"type": "string", "enum": enum}}}
	}
	params := []obj{
		queryParam("horizon", "Forecast the coming week or month (four weeks).", obj{"type": "string", "enum": []string{"week", "month"}, "default": "week"}),
		queryParam("origin", "When the forecast starts (a date, 00:00 UTC); default the day after the newest observation.", obj{"type": "string", "format": "date"}),
		queryParam("history", "Weeks of history before the origin the models learn from.", obj{"type": "integer", "minimum": forecast.MinTrainingWeeks + 1, "maximum": forecast.MaxHistory, "default": forecast.DefaultHistory}),
		queryParam("backtest", "Most recent weeks scored by the rolling-origin backtest: at least one horizon, leaving at least 8 weeks to learn from.", obj{"type": "integer", "minimum": 1, "maximum": forecast.MaxHistory - forecast.MinTrainingWeeks, "default": forecast.DefaultBacktestWeeks}),
		queryParam("sources", "Which variant the cells show as forecast, rank and top_pct: all sources, or without the police's own reports. Both are in every answer.", obj{"type": "string", "enum": []string{sourcesAll, sourcesWithoutPolice}, "default": sourcesAll}),
		queryParam("side", "Hexagon side in metres (the hot-spot analysis' grid).", obj{"type": "number", "minimum": 50, "maximum": 5000, "default": 150}),
		list("category", "Only these observation categories (comma-separated).", catProp.Enum),
		list("source", "Only these sources (comma-separated).", srcProp.Enum),
		queryParam("weighting", "What one observation counts: 1, its severity (1-5), or its category's harm weight.", obj{"type": "string", "enum": []string{"count", "severity", "harm"}, "default": "count"}),
		{"name": "area", "in": "query", "required": false, "style": "form", "explode": false, "schema": obj{"type": "array", "items": str},
			"description": "District codes (level district) forming the study area; default all districts."},
		queryParam("disclosure", "aggregated: the view of a caller without access to raw observations: cells with fewer observations than the threshold (default 5) suppressed, no forecast values or ranks (only the top class), counts rounded. A caller who may not read observations always gets it.",
			obj{"type": "string", "enum": []string{"full", "aggregated"}, "default": "full"}),
	}
	paths["/analysis/forecast"] = obj{"get": obj{
		"summary": "Where observations are most likely next week or month, with each model's rolling-origin backtest (hit rate, PAI, PEI at 1, 5 and 10 % of the area)",
		"description": "Models: the density of the last four weeks and the long-term density (baselines) and a self-exciting point process fitted by maximum likelihood. " +
			"The model's forecast is shown only when it beat the best baseline's PAI at 5 % by more than twice the standard error over at least 8 periods; otherwise the best baseline's. " +
			"Made from all sources and again without the police's own reports, with the police-initiated share beside it; caveats in Swedish and English. " +
			"Places only, never persons. f=json gives the summary and the top 10 % of the cells, f=csv every cell.",
		"operationId": "getForecast", "tags": []string{"Analysis"},
		"parameters": append(append([]obj{}, params...), ref("parameters/crs"),
			queryParam("f", "geojson (default), json or csv.", obj{"type": "string", "enum": []string{"geojson", "json", "csv"}})),
		"responses": merge(obj{"200": obj{"description": "The forecast cells, the backtest and the caveats.",
			"headers": obj{"Content-Crs": obj{"schema": str}},
			"content": obj{
				mediaGeoJSON: obj{"schema": object([]string{"type", "features", "summary"}, obj{
					"type": obj{"type": "string", "enum": []string{"FeatureCollection"}}, "features": arr(ref("schemas/ForecastCell")),
					"summary": ref("schemas/ForecastSummary"), "numberReturned": intg, "notice": str})},
				respond.MediaJSON: obj{"schema": object([]string{"summary", "top_cells"}, obj{
					"summary": ref("schemas/ForecastSummary"), "top_cells": obj{"type": "array", "nullable": true, "items": topCell}, "notice": str})},
				mediaCSV: obj{"schema": str},
			}}}, problemResponses("400", "503"))}}
	tileParams := append(append([]obj{}, params[:4]...), params[5:]...) // not sources: a tile holds both variants
	tileParams = append(tileParams,
		obj{"name": "tileMatrix", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0, "maximum": 22}},
		obj{"name": "tileRow", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
		obj{"name": "tileCol", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
		queryParam("f", "mvt", obj{"type": "string", "enum": []string{"mvt"}}))
	paths["/analysis/forecast/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"] = obj{"get": obj{
		"summary":     "Forecast cells as a vector tile (layer forecast: both variants' forecast_*, rank_*, top_pct_*, and count, police_share, suppressed)",
		"description": "The forecast runs over the whole study area once and is kept for the answer and every tile of the same view.",
		"operationId": "getForecastTile", "tags": []string{"Analysis"},
		"parameters": tileParams,
		"responses": merge(obj{
			"200": obj{"description": "A Mapbox Vector Tile.", "content": obj{mediaMVT: obj{"schema": obj{"type": "string", "format": "binary"}}}},
			"204": obj{"description": "No cell reaches the tile."},
			"304": obj{"description": "Not modified."},
		}, problemResponses("400", "404", "503"))}}
}
