package analysis

import (
	"fmt"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// hotspotOpenAPI adds the analysis endpoints to the OpenAPI document.
func hotspotOpenAPI(cat *layers.Catalogue, paths, schemas respond.Obj) {
	obs, _ := cat.Layer("observations")
	catProp, _ := obs.Property("category")
	srcProp, _ := obs.Property("source")
	list := func(name, desc string, enum []string) respond.Obj {
		return respond.Obj{"name": name, "in": "query", "required": false, "style": "form", "explode": false,
			"description": desc, "schema": respond.Obj{"type": "array", "items": respond.Obj{"type": "string", "enum": enum}}}
	}
	num := func(name, desc string, def, lo, hi float64) respond.Obj {
		return respond.Obj{"name": name, "in": "query", "required": false, "description": desc,
			"schema": respond.Obj{"type": "number", "minimum": lo, "maximum": hi, "default": def}}
	}
	filterParams := []respond.Obj{
		respond.Ref("parameters/datetime"),
		list("category", "Only these observation categories (comma-separated).", catProp.Enum),
		list("source", "Only these sources (comma-separated).", srcProp.Enum),
		{"name": "weighting", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"count", "severity", "harm"}, "default": "count"},
			"description": "What one observation counts: 1, its severity (1-5), or its category's harm weight (see /analysis/harm-weights)."},
		{"name": "disclosure", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"full", "aggregated"}, "default": "full"},
			"description": "aggregated: the view of a caller without access to raw observations: cells and places with fewer observations than the threshold (default 5) suppressed with every statistic computed from them, no exact z or p, counts rounded to a multiple of the threshold, band at least 3 × side, no kernel density. A server configured for aggregated answers ignores full."},
	}
	patterns := []string{}
	for _, p := range hotspot.Patterns() {
		patterns = append(patterns, p.String())
	}
	schemas["HotspotCell"] = respond.Obj{"type": "object", "required": []string{"type", "id", "geometry", "properties"}, "properties": respond.Obj{
		"type": respond.Obj{"type": "string", "enum": []string{"Feature"}}, "id": respond.Obj{"type": "string"},
		"geometry": respond.Obj{"type": "object", "required": []string{"type", "coordinates"}, "properties": respond.Obj{
			"type": respond.Obj{"type": "string", "enum": []string{"Polygon"}}, "coordinates": respond.Obj{"type": "array", "items": respond.Obj{"type": "array", "items": respond.Obj{"type": "array", "items": respond.Obj{"type": "number"}}}}}},
		"properties": respond.Obj{"type": "object", "properties": respond.Obj{
			"i":   respond.Obj{"type": "integer", "description": "Column of the ST_HexagonGrid cell (origin-anchored in EPSG:3006)."},
			"j":   respond.Obj{"type": "integer", "description": "Row of the ST_HexagonGrid cell."},
			"col": respond.Obj{"type": "integer"}, "row": respond.Obj{"type": "integer"},
			"centroid":     respond.Obj{"type": "array", "items": respond.Obj{"type": "number"}, "minItems": 2, "maxItems": 2},
			"count":        respond.Obj{"type": "integer", "nullable": true, "description": "Observations in the cell; null when suppressed."},
			"value":        respond.Obj{"type": "number", "nullable": true, "description": "Weighted sum analysed; null when suppressed."},
			"suppressed":   respond.Obj{"type": "boolean"},
			"z":            respond.Obj{"type": "number", "nullable": true, "description": "null in the aggregated view (as p, p_fdr, trend_z, trend_p, trend_tau, z_last)."},
			"p":            respond.Obj{"type": "number", "nullable": true},
			"p_fdr":        respond.Obj{"type": "number", "nullable": true, "description": "Benjamini-Hochberg adjusted p over all cells."},
			"bin":          respond.Obj{"type": "integer", "nullable": true, "minimum": -3, "maximum": 3, "description": "ArcGIS Gi_Bin; null for a suppressed cell (as every statistic computed from counts)."},
			"class":        respond.Obj{"type": "string", "nullable": true, "enum": []any{"hot_99", "hot_95", "hot_90", "not_significant", "cold_90", "cold_95", "cold_99", nil}},
			"survives_fdr": respond.Obj{"type": "boolean", "nullable": true},
			"neighbours":   respond.Obj{"type": "integer"},
			"pattern":      respond.Obj{"type": "string", "nullable": true, "enum": append(anyOf(patterns), nil)},
			"pattern_code": respond.Obj{"type": "integer", "nullable": true, "minimum": -8, "maximum": 8},
			"trend_z":      respond.Obj{"type": "number", "nullable": true}, "trend_p": respond.Obj{"type": "number", "nullable": true}, "trend_tau": respond.Obj{"type": "number", "nullable": true},
			"hot_slices": respond.Obj{"type": "integer", "nullable": true}, "cold_slices": respond.Obj{"type": "integer", "nullable": true},
			"z_last": respond.Obj{"type": "number", "nullable": true}, "sig_last": respond.Obj{"type": "integer", "nullable": true, "minimum": -1, "maximum": 1},
			"density": respond.Obj{"type": "number", "description": "Observations per km² (kde)."},
		}}}}
	paths["/analysis/hotspots"] = respond.Obj{"get": respond.Obj{
		"summary": "Hotspot analysis of observations: Getis-Ord Gi* with FDR, kernel density, or emerging hot spots",
		"description": "All distances in metres in EPSG:3006. gistar: hexagons of ST_HexagonGrid(side) anchored at the origin, every cell intersecting the study area " +
			"(zero counts included); an observation counts in the hexagon with the nearest centre (on an edge: the lowest i, then j), also when it lies just outside the " +
			"study area in a border cell, so that every cell's count is over a whole hexagon; binary distance band (cell included, <= band + 1e-6 m), z, two-sided p, Benjamini-Hochberg p_fdr, ArcGIS class. " +
			"kde: quartic kernel, density per km² on square cells over the study area's extent. emerging: Gi* per calendar slice, Mann-Kendall trend of z, ArcGIS Emerging Hot Spot patterns.",
		"operationId": "getHotspots", "tags": []string{"Analysis"},
		"parameters": append([]respond.Obj{
			{"name": "method", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"gistar", "kde", "emerging"}, "default": "gistar"}},
			num("side", "Hexagon side (gistar, emerging).", 150, minSide, maxSide),
			num("band", fmt.Sprintf("Neighbourhood distance band (gistar, emerging): between side and %d × side (%d–%d m with the default side of 150 m); default 3 × side. "+
				"The schema's bounds are those of the smallest and the largest side.", maxBandSides, 150, maxBandSides*150), 450, minSide, maxBandSides*maxSide),
			num("bandwidth", "Kernel bandwidth (kde).", 400, 50, 5000),
			num("cell", "Grid cell size (kde).", 50, 10, 1000),
			{"name": "slice", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"month", "quarter", "year"}, "default": "month"},
				"description": "Time slice of method=emerging: calendar months, quarters or years in Swedish local time (Europe/Stockholm, CET/CEST); a datetime bound given as a date is that calendar day."},
			{"name": "area", "in": "query", "required": false, "style": "form", "explode": false, "schema": respond.Obj{"type": "array", "items": respond.Obj{"type": "string"}},
				"description": "District codes (level district) forming the study area; default all districts."},
			respond.Ref("parameters/crs"),
			{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"geojson", "json", "raster"}},
				"description": "geojson (default); raster gives method=kde as a compact grid in EPSG:3006."},
		}, filterParams...),
		"responses": respond.Merge(respond.Obj{"200": respond.Obj{"description": "Cells with their statistics and a summary.",
			"headers": respond.Obj{"Content-Crs": respond.Obj{"schema": respond.Obj{"type": "string"}}},
			"content": respond.Obj{
				respond.MediaGeoJSON: respond.Obj{"schema": respond.Obj{"type": "object", "required": []string{"type", "features", "summary"}, "properties": respond.Obj{
					"type": respond.Obj{"type": "string", "enum": []string{"FeatureCollection"}}, "features": respond.Obj{"type": "array", "items": respond.Ref("schemas/HotspotCell")},
					"summary": respond.Obj{"type": "object", "required": []string{"cells", "parameters", "disclosure"}, "properties": respond.Obj{
						"cells": respond.Obj{"type": "integer"}, "observations": respond.Obj{"type": "integer"}, "total_weight": respond.Obj{"type": "number"},
						"hot_cells": respond.Obj{"type": "integer"}, "cold_cells": respond.Obj{"type": "integer"},
						"hot_cells_fdr": respond.Obj{"type": "integer"}, "cold_cells_fdr": respond.Obj{"type": "integer"},
						"patterns":   respond.Obj{"type": "object", "additionalProperties": respond.Obj{"type": "integer"}},
						"slices":     respond.Obj{"type": "array", "items": respond.Obj{"type": "string", "format": "date"}},
						"parameters": respond.Obj{"type": "object"}, "disclosure": respond.Obj{"type": "string", "enum": []string{"full", "aggregated"}},
						"min_cell_count": respond.Obj{"type": "integer"}, "method_note": respond.Obj{"type": "string"},
						"rounded_to": respond.Obj{"type": "integer", "description": "Aggregated view: counts are rounded to a multiple of this (weighted values to two significant digits)."}}},
					"numberReturned": respond.Obj{"type": "integer"}, "timeStamp": respond.Obj{"type": "string", "format": "date-time"}, "notice": respond.Obj{"type": "string"}}}},
				respond.MediaJSON: respond.Obj{"schema": respond.Obj{"type": "object", "required": []string{"type", "crs", "origin", "cell", "width", "height", "values"}, "properties": respond.Obj{
					"type": respond.Obj{"type": "string", "enum": []string{"Grid"}}, "crs": respond.Obj{"type": "string"},
					"origin": respond.Obj{"type": "array", "items": respond.Obj{"type": "number"}}, "cell": respond.Obj{"type": "number"},
					"width": respond.Obj{"type": "integer"}, "height": respond.Obj{"type": "integer"}, "unit": respond.Obj{"type": "string"}, "max": respond.Obj{"type": "number"},
					"values":     respond.Obj{"type": "array", "items": respond.Obj{"type": "number"}, "description": "Row by row from the south-west corner."},
					"parameters": respond.Obj{"type": "object"}, "notice": respond.Obj{"type": "string"}}}},
			}}}, respond.ProblemResponses("400", "403"))}}

	placeProps := respond.Obj{
		"id": respond.Obj{"type": "integer"}, "name": respond.Obj{"type": "string"}, "kind": respond.Obj{"type": "string"},
		"district_code": respond.Obj{"type": "string", "nullable": true},
		"point":         respond.Obj{"type": "array", "items": respond.Obj{"type": "number"}},
		"density":       respond.Obj{"type": "number", "nullable": true}, "count": respond.Obj{"type": "integer", "nullable": true},
		"previous_density": respond.Obj{"type": "number", "nullable": true}, "previous_count": respond.Obj{"type": "integer", "nullable": true},
		"change": respond.Obj{"type": "number", "nullable": true}, "change_pct": respond.Obj{"type": "number", "nullable": true},
		"rank_intensity": respond.Obj{"type": "integer", "nullable": true, "description": "null for a suppressed place"}, "rank_change": respond.Obj{"type": "integer", "nullable": true}, "suppressed": respond.Obj{"type": "boolean"},
	}
	period := respond.Obj{"type": "object", "properties": respond.Obj{"start": respond.Obj{"type": "string", "format": "date-time"}, "end": respond.Obj{"type": "string", "format": "date-time"}}}
	paths["/analysis/hotspots/places"] = respond.Obj{"get": respond.Obj{
		"summary":     "Public places ranked by kernel density of observations now and by change against the previous period",
		"description": "Current period: datetime (a closed interval) or the 28 days up to the newest observation; previous: the period of the same length before it.",
		"operationId": "getHotspotPlaces", "tags": []string{"Analysis"},
		"parameters": append([]respond.Obj{
			num("bandwidth", "Kernel bandwidth.", 400, 50, 5000),
			{"name": "limit", "in": "query", "required": false, "schema": respond.Obj{"type": "integer", "minimum": 1, "maximum": 10000, "default": 20}},
			respond.Ref("parameters/crs"),
		}, filterParams...),
		"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("Places, most intense first.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"places", "current", "previous"}, "properties": respond.Obj{
			"places":  respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "properties": placeProps}},
			"current": period, "previous": period, "unit": respond.Obj{"type": "string"}, "parameters": respond.Obj{"type": "object"},
			"disclosure": respond.Obj{"type": "string"}, "min_cell_count": respond.Obj{"type": "integer"}, "timeStamp": respond.Obj{"type": "string"}}})},
			respond.ProblemResponses("400", "404"))}}
	paths["/analysis/harm-weights"] = respond.Obj{"get": respond.Obj{
		"summary": "The harm weights behind weighting=harm", "operationId": "getHarmWeights", "tags": []string{"Analysis"},
		"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("Weight per observation category.", respond.MediaJSON, respond.Obj{"type": "object", "properties": respond.Obj{
			"weights": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "properties": respond.Obj{
				"category": respond.Obj{"type": "string"}, "weight": respond.Obj{"type": "number"}, "rationale": respond.Obj{"type": "string"}, "illustrative": respond.Obj{"type": "boolean"}}}},
			"note": respond.Obj{"type": "string"}}})}, respond.ProblemResponses("400"))}}
	// The cells as vector tiles: the same parameters, less crs and f.
	var tileParams []respond.Obj
	for _, p := range paths["/analysis/hotspots"].(respond.Obj)["get"].(respond.Obj)["parameters"].([]respond.Obj) {
		if p["name"] == "f" || p["$ref"] == "#/components/parameters/crs" {
			continue
		}
		tileParams = append(tileParams, p)
	}
	tileParams = append(tileParams,
		respond.Obj{"name": "tileMatrix", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 0, "maximum": 22}},
		respond.Obj{"name": "tileRow", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 0}},
		respond.Obj{"name": "tileCol", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 0}},
		respond.Obj{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"mvt"}}})
	paths["/analysis/hotspots/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"] = respond.Obj{"get": respond.Obj{
		"summary":     "Hotspot cells as a vector tile (layer hotspots, the GeoJSON properties)",
		"description": "The analysis runs over the whole study area and is kept for the other tiles of the same view.",
		"operationId": "getHotspotTile", "tags": []string{"Analysis"},
		"parameters": tileParams,
		"responses": respond.Merge(respond.Obj{
			"200": respond.Obj{"description": "A Mapbox Vector Tile.", "content": respond.Obj{respond.MediaMVT: respond.Obj{"schema": respond.Obj{"type": "string", "format": "binary"}}}},
			"204": respond.Obj{"description": "No cell reaches the tile."},
			"304": respond.Obj{"description": "Not modified."},
		}, respond.ProblemResponses("400", "403", "404"))}}
}

// anyOf turns strings into an enum list that may also hold null.
func anyOf(xs []string) []any {
	out := make([]any, len(xs))
	for k, x := range xs {
		out[k] = x
	}
	return out
}
