package web

import "github.com/lagesbild/lagesbild/web/respond"

// partnerOpenAPI adds the partner overlay endpoints (partner.go) to the OpenAPI document.
func partnerOpenAPI(paths, schemas obj) {
	str, integer, num := obj{"type": "string"}, obj{"type": "integer"}, obj{"type": "number"}
	nullable := func(o obj) obj { return merge(obj{"nullable": true}, o) }
	fieldTypes := []string{"string", "integer", "number", "boolean", "date", "datetime"}
	schemas["PartnerField"] = obj{"type": "object", "required": []string{"name", "type"}, "properties": obj{
		"name": str, "type": obj{"type": "string", "enum": fieldTypes}}}
	layerProps := obj{
		"id": obj{"type": "string", "pattern": "^[a-z][a-z0-9-]{1,62}$"}, "title": str,
		"owner":         obj{"type": "string", "description": "Organisation code of the owner."},
		"shared_with":   obj{"type": "array", "items": str, "description": "Organisation codes the layer is shared with."},
		"version":       obj{"type": "integer", "minimum": 1, "description": "The current version."},
		"feature_count": integer, "geometry_type": str,
		"fields":       obj{"type": "array", "items": ref("schemas/PartnerField")},
		"illustrative": obj{"type": "boolean"},
		"created_at":   obj{"type": "string", "format": "date-time"}, "updated_at": obj{"type": "string", "format": "date-time"},
		"links": obj{"type": "object", "required": []string{"items", "tiles", "districts"}, "properties": obj{
			"self": str, "items": str, "districts": str, "versions": str,
			"tiles": obj{"type": "string", "description": "URI template …/tiles/WebMercatorQuad/{z}/{y}/{x}."}}},
	}
	layerRequired := []string{"id", "title", "owner", "shared_with", "version", "feature_count", "geometry_type", "fields", "updated_at", "links"}
	schemas["PartnerLayer"] = obj{"type": "object", "required": layerRequired, "properties": layerProps}
	uploadProps := obj{"report": obj{"type": "object", "required": []string{"features", "repaired", "fields", "crs"}, "properties": obj{
		"features": integer,
		"repaired": obj{"type": "array", "items": integer, "description": "Numbers of the features (1-based, file order; CSV: data row) whose invalid geometry was made valid."},
		"fields":   obj{"type": "array", "items": ref("schemas/PartnerField")},
		"crs":      obj{"type": "string", "description": "The file's CRS: OGC:CRS84 or EPSG:3006."}}}}
	schemas["PartnerLayerUpload"] = obj{"type": "object", "required": append(layerRequired, "report"), "properties": merge(merge(obj{}, layerProps), uploadProps)}

	tag := []string{"Partner overlays"}
	layerID := obj{"name": "layerId", "in": "path", "required": true, "schema": obj{"type": "string"}}
	fJSON := obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json"}}}
	paths["/partners/layers"] = obj{"get": obj{
		"summary": "The partner layers shared with the caller's organisation (or owned by it)", "operationId": "getPartnerLayers", "tags": tag,
		"parameters": []obj{fJSON},
		"responses": merge(obj{"200": jsonResponse("Visible partner layers, by id.", respond.MediaJSON, obj{"type": "object", "required": []string{"layers"},
			"properties": obj{"layers": obj{"type": "array", "items": ref("schemas/PartnerLayer")}}})}, problemResponses("400", "401"))}}

	binary := obj{"schema": obj{"type": "string", "format": "binary"}}
	q := func(name, desc string) obj {
		return obj{"name": name, "in": "query", "required": false, "schema": obj{"type": "string"}, "description": desc}
	}
	paths["/partners/layers/{layerId}"] = obj{
		"parameters": []obj{layerID},
		"get": obj{"summary": "A partner layer", "operationId": "getPartnerLayer", "tags": tag, "parameters": []obj{fJSON},
			"responses": merge(obj{"200": jsonResponse("The layer.", respond.MediaJSON, ref("schemas/PartnerLayer"))}, problemResponses("400", "401", "404"))},
		"put": obj{"summary": "Upload a partner layer, or a new version of one",
			"description": "The body is the file: GeoJSON (CRS84, or EPSG:3006 named by a crs member), CSV with coordinate or WKT columns, a GeoPackage, " +
				"or a zipped Shapefile; the format comes from Content-Type, or is detected for application/octet-stream. All or nothing: invalid geometries " +
				"are made valid keeping their dimension (reported in report.repaired) or refused naming the feature (param feature). A new id creates the " +
				"layer (201) owned by the caller's organisation; the caller's existing layer gets a new version (200) and keeps the previous ones. " +
				"Needs the write scope in the owning organisation (403 otherwise).",
			"operationId": "putPartnerLayer", "tags": tag,
			"parameters": []obj{
				q("title", "Title; required for a new layer, kept when absent on a new version."),
				{"name": "shared_with", "in": "query", "required": false, "style": "form", "explode": false,
					"schema":      obj{"type": "array", "items": obj{"type": "string"}},
					"description": "Organisation codes to share with (comma-separated); empty: nobody; absent on a new version: unchanged."},
				{"name": "crs", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"EPSG:3006", "EPSG:4326", "OGC:CRS84"}},
					"description": "The CRS of a file that does not state its own (CSV); detected from the coordinates when absent."},
				q("x", "CSV: the column of x (easting or longitude)."), q("y", "CSV: the column of y (northing or latitude)."),
				q("filename", "The file's name, recorded with the version and used to detect the format."),
			},
			"requestBody": obj{"required": true, "content": obj{
				mediaGeoJSON: obj{"schema": obj{"type": "object"}}, respond.MediaJSON: obj{"schema": obj{"type": "object"}},
				"text/csv": obj{"schema": obj{"type": "string"}}, "application/geopackage+sqlite3": binary,
				"application/zip": binary, "application/octet-stream": binary}},
			"responses": merge(obj{
				"200": jsonResponse("A new version of the caller's layer.", respond.MediaJSON, ref("schemas/PartnerLayerUpload")),
				"201": merge(jsonResponse("A new layer.", respond.MediaJSON, ref("schemas/PartnerLayerUpload")),
					obj{"headers": obj{"Location": obj{"schema": obj{"type": "string"}}}}),
			}, problemResponses("400", "401", "403", "409", "413", "415"))},
		"delete": obj{"summary": "Delete a partner layer with all its versions", "operationId": "deletePartnerLayer", "tags": tag,
			"responses": merge(obj{"204": obj{"description": "Deleted."}}, problemResponses("400", "401", "403", "404"))},
	}
	paths["/partners/layers/{layerId}/versions"] = obj{"get": obj{"summary": "The versions of a partner layer, newest first",
		"operationId": "getPartnerLayerVersions", "tags": tag, "parameters": []obj{layerID, fJSON},
		"responses": merge(obj{"200": jsonResponse("Versions.", respond.MediaJSON, obj{"type": "object", "required": []string{"layer", "versions"}, "properties": obj{
			"layer": str, "versions": obj{"type": "array", "items": obj{"type": "object",
				"required": []string{"version", "current", "uploaded_by", "uploaded_at", "format", "crs", "feature_count", "fields", "repaired"},
				"properties": obj{"version": integer, "current": obj{"type": "boolean"}, "uploaded_by": str,
					"uploaded_at": obj{"type": "string", "format": "date-time"}, "filename": str,
					"format": obj{"type": "string", "enum": []string{"geojson", "csv", "gpkg", "shapefile", "demo"}}, "crs": str,
					"feature_count": integer, "geometry_type": str, "fields": obj{"type": "array", "items": ref("schemas/PartnerField")},
					"repaired": obj{"type": "array", "items": integer}}}}}})}, problemResponses("400", "401", "404"))}}
	paths["/partners/layers/{layerId}/queryables"] = obj{"get": obj{"summary": "What a filter on a partner layer may name",
		"description": "A JSON Schema of the current version's fields, typed as inferred at upload, and its geometry.",
		"operationId": "getPartnerLayerQueryables", "tags": tag, "parameters": []obj{layerID},
		"responses": merge(obj{"200": obj{"description": "The JSON Schema.",
			"content": obj{mediaJSONSchema: obj{"schema": obj{"type": "object"}}}}}, problemResponses("400", "403", "404"))}}
	paths["/partners/layers/{layerId}/items"] = obj{"get": obj{"summary": "Features of a partner layer (GeoJSON, CRS84, properties as uploaded)",
		"operationId": "getPartnerLayerItems", "tags": tag,
		"parameters": []obj{layerID,
			{"name": "version", "in": "query", "required": false, "schema": obj{"type": "integer", "minimum": 1}, "description": "Default: the current version."},
			{"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
				"schema": obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}, "description": "CRS84: minlon,minlat,maxlon,maxlat."},
			{"name": "limit", "in": "query", "required": false, "schema": obj{"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}},
			{"name": "offset", "in": "query", "required": false, "schema": obj{"type": "integer", "minimum": 0, "default": 0}},
			{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"geojson", "json"}}},
			ref("parameters/filter"), ref("parameters/filter-lang"), ref("parameters/filter-crs")},
		"responses": merge(obj{"200": jsonResponse("A page of features.", mediaGeoJSON, obj{"type": "object",
			"required": []string{"type", "features", "numberMatched", "numberReturned"}, "properties": obj{
				"type": obj{"type": "string", "enum": []string{"FeatureCollection"}}, "layer": str, "version": integer,
				"features": obj{"type": "array", "items": obj{"type": "object", "required": []string{"type", "id", "geometry", "properties"}, "properties": obj{
					"type": obj{"type": "string", "enum": []string{"Feature"}}, "id": integer, "geometry": obj{"type": "object"}, "properties": obj{"type": "object"}}}},
				"numberMatched": integer, "numberReturned": integer,
				"links": obj{"type": "array", "items": obj{"type": "object", "properties": obj{"href": str, "rel": str, "type": str, "title": str}}}}})},
			problemResponses("400", "401", "404"))}}
	paths["/partners/layers/{layerId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"] = obj{"get": obj{
		"summary":     "The current version of a partner layer as a vector tile",
		"description": "MVT layer named after the layer id; feature ids are the feature numbers; attributes are the layer's fields. filter takes CQL2 on the fields, as the items do.",
		"operationId": "getPartnerLayerTile", "tags": tag,
		"parameters": []obj{layerID,
			{"name": "tileMatrixSetId", "in": "path", "required": true, "schema": obj{"type": "string", "enum": []string{"WebMercatorQuad"}}},
			{"name": "tileMatrix", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0, "maximum": 22}},
			{"name": "tileRow", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
			{"name": "tileCol", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
			{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"mvt"}}},
			ref("parameters/filter"), ref("parameters/filter-lang"), ref("parameters/filter-crs")},
		"responses": merge(obj{
			"200": obj{"description": "The tile.", "content": obj{mediaMVT: obj{"schema": obj{"type": "string", "format": "binary"}}}},
			"204": obj{"description": "Nothing of the layer in this tile."},
			"304": obj{"description": "Not modified."}},
			problemResponses("400", "401", "404"))}}
	paths["/partners/layers/{layerId}/districts"] = obj{"get": obj{
		"summary": "A partner layer summarised per district: features, the sum of a numeric property, its share of an indicator",
		"description": "Points count in the area they lie within; lines and polygons count in every area they reach and contribute the fraction of " +
			"their length or area inside it. total names an indicator (e.g. dwellings): its value in the latest year up to the upload's year; " +
			"share = sum / total (features / total without a property), null without a total value.",
		"operationId": "getPartnerLayerDistricts", "tags": tag,
		"parameters": []obj{layerID,
			q("property", "A numeric (integer or number) field to sum."), q("total", "An indicator key the sum is a share of."),
			{"name": "level", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"municipality", "regso", "district", "deso"}, "default": "district"}},
			{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json", "csv"}}}},
		"responses": merge(obj{"200": obj{"description": "One row per area of the level.", "content": obj{
			respond.MediaJSON: obj{"schema": obj{"type": "object", "required": []string{"layer", "version", "level", "districts"}, "properties": obj{
				"layer": str, "version": integer, "property": str, "total": str, "level": str, "upload_year": integer,
				"districts": obj{"type": "array", "items": obj{"type": "object", "required": []string{"code", "name", "features", "sum", "total", "share"}, "properties": obj{
					"code": str, "name": str, "features": integer, "sum": nullable(num), "total": nullable(num),
					"total_year": nullable(integer), "share": nullable(num)}}}}}},
			"text/csv": obj{"schema": obj{"type": "string"}}}}}, problemResponses("400", "401", "404"))}}
}
