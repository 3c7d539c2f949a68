package web

import (
	"fmt"

	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// hotspotOpenAPI adds the analysis endpoints to the OpenAPI document.
func hotspotOpenAPI(cat *layers.Catalogue, paths, schemas obj) {
	obs, _ := cat.Layer("observations")
	catProp, _ := obs.Property("category")
	srcProp, _ := obs.Property("source")
	list := func(name, desc string, enum []string) obj {
		return obj{"name": name, "in": "query", "required": false, "style": "form", "explode": false,
			"description": desc, "schema": obj{"type": "array", "items": obj{"type": "string", "enum": enum}}}
	}
	num := func(name, desc string, def, lo, hi float64) obj {
		return obj{"name": name, "in": "query", "required": false, "description": desc,
			"schema": obj{"type": "number", "minimum": lo, "maximum": hi, "default": def}}
	}
	filterParams := []obj{
		ref("parameters/datetime"),
		list("category", "Only these observation categories (comma-separated).", catProp.Enum),
		list("source", "Only these sources (comma-separated).", srcProp.Enum),
		{"name": "weighting", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"count", "severity", "harm"}, "default": "count"},
			"description": "What one observation counts: 1, its severity (1-5), or its category's harm weight (see /analysis/harm-weights)."},
		{"name": "disclosure", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"full", "aggregated"}, "default": "full"},
			"description": "aggregated: the view of a caller without access to raw observations: cells and places with fewer observations than the threshold (default 5) suppressed with every statistic computed from them, no exact z or p, counts rounded to a multiple of the threshold, band at least 3 × side, no kernel density. A server configured for aggregated answers ignores full."},
	}
	patterns := []string{}
	for _, p := range hotspot.Patterns() {
		patterns = append(patterns, p.String())
	}
	schemas["HotspotCell"] = obj{"type": "object", "required": []string{"type", "id", "geometry", "properties"}, "properties": obj{
		"type": obj{"type": "string", "enum": []string{"Feature"}}, "id": obj{"type": "string"},
		"geometry": obj{"type": "object", "required": []string{"type", "coordinates"}, "properties": obj{
			"type": obj{"type": "string", "enum": []string{"Polygon"}}, "coordinates": obj{"type": "array", "items": obj{"type": "array", "items": obj{"type": "array", "items": obj{"type": "number"}}}}}},
		"properties": obj{"type": "object", "properties": obj{
			"i":   obj{"type": "integer", "description": "Column of the ST_HexagonGrid cell (origin-anchored in EPSG:3006)."},
			"j":   obj{"type": "integer", "description": "Row of the ST_HexagonGrid cell."},
			"col": obj{"type": "integer"}, "row": obj{"type": "integer"},
			"centroid":     obj{"type": "array", "items": obj{"type": "number"}, "minItems": 2, "maxItems": 2},
			"count":        obj{"type": "integer", "nullable": true, "description": "Observations in the cell; null when suppressed."},
			"value":        obj{"type": "number", "nullable": true, "description": "Weighted sum analysed; null when suppressed."},
			"suppressed":   obj{"type": "boolean"},
			"z":            obj{"type": "number", "nullable": true, "description": "null in the aggregated view (as p, p_fdr, trend_z, trend_p, trend_tau, z_last)."},
			"p":            obj{"type": "number", "nullable": true},
			"p_fdr":        obj{"type": "number", "nullable": true, "description": "Benjamini-Hochberg adjusted p over all cells."},
			"bin":          obj{"type": "integer", "nullable": true, "minimum": -3, "maximum": 3, "description": "ArcGIS Gi_Bin; null for a suppressed cell (as every statistic computed from counts)."},
			"class":        obj{"type": "string", "nullable": true, "enum": []any{"hot_99", "hot_95", "hot_90", "not_significant", "cold_90", "cold_95", "cold_99", nil}},
			"survives_fdr": obj{"type": "boolean", "nullable": true},
			"neighbours":   obj{"type": "integer"},
			"pattern":      obj{"type": "string", "nullable": true, "enum": append(anyOf(patterns), nil)},
			"pattern_code": obj{"type": "integer", "nullable": true, "minimum": -8, "maximum": 8},
			"trend_z":      obj{"type": "number", "nullable": true}, "trend_p": obj{"type": "number", "nullable": true}, "trend_tau": obj{"type": "number", "nullable": true},
			"hot_slices": obj{"type": "integer", "nullable": true}, "cold_slices": obj{"type": "integer", "nullable": true},
			"z_last": obj{"type": "number", "nullable": true}, "sig_last": obj{"type": "integer", "nullable": true, "minimum": -1, "maximum": 1},
			"density": obj{"type": "number", "description": "Observations per km² (kde)."},
		}}}}
	paths["/analysis/hotspots"] = obj{"get": obj{
		"summary": "Hotspot analysis of observations: Getis-Ord Gi* with FDR, kernel density, or emerging hot spots",
		"description": "All distances in metres in EPSG:3006. gistar: hexagons of ST_HexagonGrid(side) anchored at the origin, every cell intersecting the study area " +
			"(zero counts included); an observation counts in the hexagon with the nearest centre (on an edge: the lowest i, then j), also when it lies just outside the " +
			"study area in a border cell, so that every cell's count is over a whole hexagon; binary distance band (cell included, <= band + 1e-6 m), z, two-sided p, Benjamini-Hochberg p_fdr, ArcGIS class. " +
			"kde: quartic kernel, density per km² on square cells over the study area's extent. emerging: Gi* per calendar slice, Mann-Kendall trend of z, ArcGIS Emerging Hot Spot patterns.",
		"operationId": "getHotspots", "tags": []string{"Analysis"},
		"parameters": append([]obj{
			{"name": "method", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"gistar", "kde", "emerging"}, "default": "gistar"}},
			num("side", "Hexagon side (gistar, emerging).", 150, minSide, maxSide),
			num("band", fmt.Sprintf("Neighbourhood distance band (gistar, emerging): between side and %d × side (%d–%d m with the default side of 150 m); default 3 × side. "+
				"The schema's bounds are those of the smallest and the largest side.", maxBandSides, 150, maxBandSides*150), 450, minSide, maxBandSides*maxSide),
			num("bandwidth", "Kernel bandwidth (kde).", 400, 50, 5000),
			num("cell", "Grid cell size (kde).", 50, 10, 1000),
			{"name": "slice", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"month", "quarter", "year"}, "default": "month"},
				"description": "Time slice of method=emerging (calendar months, quarters or years in UTC, as datetime reads dates)."},
			{"name": "area", "in": "query", "required": false, "style": "form", "explode": false, "schema": obj{"type": "array", "items": obj{"type": "string"}},
				"description": "District codes (level district) forming the study area; default all districts."},
			ref("parameters/crs"),
			{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"geojson", "json", "raster"}},
				"description": "geojson (default); raster gives method=kde as a compact grid in EPSG:3006."},
		}, filterParams...),
		"responses": merge(obj{"200": obj{"description": "Cells with their statistics and a summary.",
			"headers": obj{"Content-Crs": obj{"schema": obj{"type": "string"}}},
			"content": obj{
				mediaGeoJSON: obj{"schema": obj{"type": "object", "required": []string{"type", "features", "summary"}, "properties": obj{
					"type": obj{"type": "string", "enum": []string{"FeatureCollection"}}, "features": obj{"type": "array", "items": ref("schemas/HotspotCell")},
					"summary": obj{"type": "object", "required": []string{"cells", "parameters", "disclosure"}, "properties": obj{
						"cells": obj{"type": "integer"}, "observations": obj{"type": "integer"}, "total_weight": obj{"type": "number"},
						"hot_cells": obj{"type": "integer"}, "cold_cells": obj{"type": "integer"},
						"hot_cells_fdr": obj{"type": "integer"}, "cold_cells_fdr": obj{"type": "integer"},
						"patterns":   obj{"type": "object", "additionalProperties": obj{"type": "integer"}},
						"slices":     obj{"type": "array", "items": obj{"type": "string", "format": "date"}},
						"parameters": obj{"type": "object"}, "disclosure": obj{"type": "string", "enum": []string{"full", "aggregated"}},
						"min_cell_count": obj{"type": "integer"}, "method_note": obj{"type": "string"},
						"rounded_to": obj{"type": "integer", "description": "Aggregated view: counts are rounded to a multiple of this (weighted values to two significant digits)."}}},
					"numberReturned": obj{"type": "integer"}, "timeStamp": obj{"type": "string", "format": "date-time"}, "notice": obj{"type": "string"}}}},
				respond.MediaJSON: obj{"schema": obj{"type": "object", "required": []string{"type", "crs", "origin", "cell", "width", "height", "values"}, "properties": obj{
					"type": obj{"type": "string", "enum": []string{"Grid"}}, "crs": obj{"type": "string"},
					"origin": obj{"type": "array", "items": obj{"type": "number"}}, "cell": obj{"type": "number"},
					"width": obj{"type": "integer"}, "height": obj{"type": "integer"}, "unit": obj{"type": "string"}, "max": obj{"type": "number"},
					"values":     obj{"type": "array", "items": obj{"type": "number"}, "description": "Row by row from the south-west corner."},
					"parameters": obj{"type": "object"}, "notice": obj{"type": "string"}}}},
			}}}, problemResponses("400", "403"))}}

	placeProps := obj{
		"id": obj{"type": "integer"}, "name": obj{"type": "string"}, "kind": obj{"type": "string"},
		"district_code": obj{"type": "string", "nullable": true},
		"point":         obj{"type": "array", "items": obj{"type": "number"}},
		"density":       obj{"type": "number", "nullable": true}, "count": obj{"type": "integer", "nullable": true},
		"previous_density": obj{"type": "number", "nullable": true}, "previous_count": obj{"type": "integer", "nullable": true},
		"change": obj{"type": "number", "nullable": true}, "change_pct": obj{"type": "number", "nullable": true},
		"rank_intensity": obj{"type": "integer", "nullable": true, "description": "null for a suppressed place"}, "rank_change": obj{"type": "integer", "nullable": true}, "suppressed": obj{"type": "boolean"},
	}
	period := obj{"type": "object", "properties": obj{"start": obj{"type": "string", "format": "date-time"}, "end": obj{"type": "string", "format": "date-time"}}}
	paths["/analysis/hotspots/places"] = obj{"get": obj{
		"summary":     "Public places ranked by kernel density of observations now and by change against the previous period",
		"description": "Current period: datetime (a closed interval) or the 28 days up to the newest observation; previous: the period of the same length before it.",
		"operationId": "getHotspotPlaces", "tags": []string{"Analysis"},
		"parameters": append([]obj{
			num("bandwidth", "Kernel bandwidth.", 400, 50, 5000),
			{"name": "limit", "in": "query", "required": false, "schema": obj{"type": "integer", "minimum": 1, "maximum": 10000, "default": 20}},
			ref("parameters/crs"),
		}, filterParams...),
		"responses": merge(obj{"200": jsonResponse("Places, most intense first.", respond.MediaJSON, obj{"type": "object", "required": []string{"places", "current", "previous"}, "properties": obj{
			"places":  obj{"type": "array", "items": obj{"type": "object", "properties": placeProps}},
			"current": period, "previous": period, "unit": obj{"type": "string"}, "parameters": obj{"type": "object"},
			"disclosure": obj{"type": "string"}, "min_cell_count": obj{"type": "integer"}, "timeStamp": obj{"type": "string"}}})},
			problemResponses("400", "404"))}}
	paths["/analysis/harm-weights"] = obj{"get": obj{
		"summary": "The harm weights behind weighting=harm", "operationId": "getHarmWeights", "tags": []string{"Analysis"},
		"responses": merge(obj{"200": jsonResponse("Weight per observation category.", respond.MediaJSON, obj{"type": "object", "properties": obj{
			"weights": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
				"category": obj{"type": "string"}, "weight": obj{"type": "number"}, "rationale": obj{"type": "string"}, "illustrative": obj{"type": "boolean"}}}},
			"note": obj{"type": "string"}}})}, problemResponses("400"))}}
	// The cells as vector tiles: the same parameters, less crs and f.
	var tileParams []obj
	for _, p := range paths["/analysis/hotspots"].(obj)["get"].(obj)["parameters"].([]obj) {
		if p["name"] == "f" || p["$ref"] == "#/components/parameters/crs" {
			continue
		}
		tileParams = append(tileParams, p)
	}
	tileParams = append(tileParams,
		obj{"name": "tileMatrix", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0, "maximum": 22}},
		obj{"name": "tileRow", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
		obj{"name": "tileCol", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
		obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"mvt"}}})
	paths["/analysis/hotspots/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"] = obj{"get": obj{
		"summary":     "Hotspot cells as a vector tile (layer hotspots, the GeoJSON properties)",
		"description": "The analysis runs over the whole study area and is kept for the other tiles of the same view.",
		"operationId": "getHotspotTile", "tags": []string{"Analysis"},
		"parameters": tileParams,
		"responses": merge(obj{
			"200": obj{"description": "A Mapbox Vector Tile.", "content": obj{mediaMVT: obj{"schema": obj{"type": "string", "format": "binary"}}}},
			"204": obj{"description": "No cell reaches the tile."},
			"304": obj{"description": "Not modified."},
		}, problemResponses("400", "403", "404"))}}
}

// anyOf turns strings into an enum list that may also hold null.
func anyOf(xs []string) []any {
	out := make([]any, len(xs))
	for k, x := range xs {
		out[k] = x
	}
	return out
}
