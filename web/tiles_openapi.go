package web

import (
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// tilesOpenAPI adds the vector tile endpoints (OGC API – Tiles) to the OpenAPI document.
func tilesOpenAPI(cat *layers.Catalogue, paths, schemas obj) {
	tileParams := []obj{
		{"name": "tileMatrix", "in": "path", "required": true, "description": "Zoom level z (0–22).",
			"schema": obj{"type": "integer", "minimum": 0, "maximum": layers.MaxTileZoom}},
		{"name": "tileRow", "in": "path", "required": true, "description": "Row y, counted from the north (0 … 2^z − 1).",
			"schema": obj{"type": "integer", "minimum": 0}},
		{"name": "tileCol", "in": "path", "required": true, "description": "Column x, counted from the west (0 … 2^z − 1).",
			"schema": obj{"type": "integer", "minimum": 0}},
	}
	tileFormat := obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"mvt"}}}
	metaFormat := obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json", "tilejson"}},
		"description": "json: OGC API – Tiles tileset metadata (default); tilejson: TileJSON 3.0.0 for map libraries."}
	tileResponses := respond.Merge(obj{
		"200": obj{"description": "A Mapbox Vector Tile (gzip when accepted), with a strong ETag.",
			"content": obj{respond.MediaMVT: obj{"schema": obj{"type": "string", "format": "binary"}}}},
		"204": obj{"description": "The tile is empty."},
		"304": obj{"description": "Not modified (If-None-Match)."},
	}, respond.ProblemResponses("400", "404"))
	schemas["TilesetList"] = obj{"type": "object", "required": []string{"links", "tilesets"}, "properties": obj{
		"links": obj{"type": "array", "items": respond.Ref("schemas/Link")},
		"tilesets": obj{"type": "array", "items": obj{"type": "object", "required": []string{"dataType", "crs", "links"}, "properties": obj{
			"title": obj{"type": "string"}, "dataType": obj{"type": "string", "enum": []string{"vector"}},
			"crs": obj{"type": "string"}, "tileMatrixSetURI": obj{"type": "string"},
			"links": obj{"type": "array", "items": respond.Ref("schemas/Link")}}}},
	}}
	vectorLayer := obj{"type": "object", "required": []string{"id", "fields"}, "properties": obj{
		"id": obj{"type": "string"}, "description": obj{"type": "string"},
		"minzoom": obj{"type": "integer"}, "maxzoom": obj{"type": "integer"},
		"fields": obj{"type": "object", "additionalProperties": obj{"type": "string", "enum": []string{"String", "Number", "Boolean"}}}}}
	schemas["Tileset"] = obj{"type": "object", "description": "OGC tileset metadata (f=json) or TileJSON 3.0.0 (f=tilejson).",
		"properties": obj{
			"tilejson": obj{"type": "string", "enum": []string{"3.0.0"}},
			"tiles":    obj{"type": "array", "items": obj{"type": "string"}},
			"name":     obj{"type": "string"}, "title": obj{"type": "string"}, "description": obj{"type": "string"},
			"scheme": obj{"type": "string"}, "minzoom": obj{"type": "integer"}, "maxzoom": obj{"type": "integer"},
			"bounds":        obj{"type": "array", "items": obj{"type": "number"}, "minItems": 4, "maxItems": 4},
			"center":        obj{"type": "array", "items": obj{"type": "number"}, "minItems": 3, "maxItems": 3},
			"vector_layers": obj{"type": "array", "items": vectorLayer},
			"layers":        obj{"type": "array", "items": vectorLayer},
			"dataType":      obj{"type": "string"}, "crs": obj{"type": "string"}, "tileMatrixSetURI": obj{"type": "string"},
			"links":       obj{"type": "array", "items": respond.Ref("schemas/Link")},
			"boundingBox": obj{"type": "object"},
		}}
	metaResponses := respond.Merge(obj{"200": respond.JSONResponse("Tileset metadata or TileJSON.", respond.MediaJSON, respond.Ref("schemas/Tileset"))}, respond.ProblemResponses("400", "404"))
	listResponses := respond.Merge(obj{"200": respond.JSONResponse("The tilesets.", respond.MediaJSON, respond.Ref("schemas/TilesetList"))}, respond.ProblemResponses("400", "404"))
	jsonOnly := obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json"}}}

	tags := []string{"Tiles"}
	var ids []string
	for _, l := range cat.MapTileLayers() {
		ids = append(ids, l.ID)
	}
	mapLayers := enumerate(ids, "and")
	paths["/tiles"] = obj{"get": obj{"summary": "The map's tilesets", "operationId": "getMapTilesets", "tags": tags,
		"parameters": []obj{jsonOnly}, "responses": listResponses}}
	paths["/tiles/WebMercatorQuad"] = obj{"get": obj{"summary": "The map tileset: " + mapLayers + " in one tile", "operationId": "getMapTileset", "tags": tags,
		"parameters": []obj{metaFormat}, "responses": metaResponses}}
	paths["/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"] = obj{"get": obj{
		"summary":     "A map tile: layers " + mapLayers,
		"operationId": "getMapTile", "tags": tags,
		"parameters": append(append([]obj{}, tileParams...), tileFormat), "responses": tileResponses}}

	for _, l := range cat.Layers() {
		if !l.HasGeometry() {
			continue
		}
		name := schemaName(l.ID)
		path := "/collections/" + l.ID + "/tiles"
		params := append(append([]obj{}, tileParams...), tileFormat)
		if l.Temporal() {
			params = append(params, respond.Ref("parameters/datetime"))
		}
		if l.GeometryType == "Point" {
			desc := "true: one point per 8-pixel grid cell with count and severity_sum instead of the points."
			if l.AggregateTiles {
				desc += " Default: true below zoom 13, false from zoom 13."
			}
			params = append(params, obj{"name": "aggregate", "in": "query", "required": false, "description": desc,
				"schema": obj{"type": "boolean"}})
		}
		var fields []string
		for _, p := range l.TileFields() {
			fields = append(fields, p.Name)
		}
		params = append(params, obj{"name": "properties", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "Only these attributes (comma-separated; the feature id always goes in).",
			"schema":      obj{"type": "array", "items": obj{"type": "string", "enum": fields}}})
		for _, p := range l.Properties {
			if p.Filter {
				params = append(params, filterParameter(p))
			}
		}
		params = append(params, respond.FilterParams()...)
		metaParams := append([]obj{metaFormat}, params[len(tileParams)+1:]...)
		paths[path] = obj{"get": obj{"summary": l.TitleEN + ": tilesets", "operationId": "get" + name + "Tilesets", "tags": tags,
			"parameters": []obj{jsonOnly}, "responses": listResponses}}
		paths[path+"/WebMercatorQuad"] = obj{"get": obj{"summary": l.TitleEN + ": tileset metadata or TileJSON", "operationId": "get" + name + "Tileset", "tags": tags,
			"parameters": metaParams, "responses": metaResponses}}
		paths[path+"/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"] = obj{"get": obj{
			"summary":     l.TitleEN + ": a vector tile (layer " + l.ID + ")",
			"operationId": "get" + name + "Tile", "tags": tags,
			"parameters": params, "responses": tileResponses}}
	}
}
