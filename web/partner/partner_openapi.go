package partner

import "github.com/lagesbild/lagesbild/web/respond"

// OpenAPI adds the partner overlay endpoints (partner.go) to the OpenAPI document.
func OpenAPI(paths, schemas respond.Obj) {
	str, integer, num := respond.Obj{"type": "string"}, respond.Obj{"type": "integer"}, respond.Obj{"type": "number"}
	nullable := func(o respond.Obj) respond.Obj { return respond.Merge(respond.Obj{"nullable": true}, o) }
	fieldTypes := []string{"string", "integer", "number", "boolean", "date", "datetime"}
	schemas["PartnerField"] = respond.Obj{"type": "object", "required": []string{"name", "type"}, "properties": respond.Obj{
		"name": str, "type": respond.Obj{"type": "string", "enum": fieldTypes}}}
	layerProps := respond.Obj{
		"id": respond.Obj{"type": "string", "pattern": "^[a-z][a-z0-9-]{1,62}$"}, "title": str,
		"owner":         respond.Obj{"type": "string", "description": "Organisation code of the owner."},
		"shared_with":   respond.Obj{"type": "array", "items": str, "description": "Organisation codes the layer is shared with."},
		"version":       respond.Obj{"type": "integer", "minimum": 1, "description": "The current version."},
		"feature_count": integer, "geometry_type": str,
		"fields":       respond.Obj{"type": "array", "items": respond.Ref("schemas/PartnerField")},
		"illustrative": respond.Obj{"type": "boolean"},
		"created_at":   respond.Obj{"type": "string", "format": "date-time"}, "updated_at": respond.Obj{"type": "string", "format": "date-time"},
		"links": respond.Obj{"type": "object", "required": []string{"items", "tiles", "districts"}, "properties": respond.Obj{
			"self": str, "items": str, "districts": str, "versions": str,
			"tiles": respond.Obj{"type": "string", "description": "URI template …/tiles/WebMercatorQuad/{z}/{y}/{x}."}}},
	}
	layerRequired := []string{"id", "title", "owner", "shared_with", "version", "feature_count", "geometry_type", "fields", "updated_at", "links"}
	schemas["PartnerLayer"] = respond.Obj{"type": "object", "required": layerRequired, "properties": layerProps}
	uploadProps := respond.Obj{"report": respond.Obj{"type": "object", "required": []string{"features", "repaired", "fields", "crs"}, "properties": respond.Obj{
		"features": integer,
		"repaired": respond.Obj{"type": "array", "items": integer, "description": "Numbers of the features (1-based, file order; CSV: data row) whose invalid geometry was made valid."},
		"fields":   respond.Obj{"type": "array", "items": respond.Ref("schemas/PartnerField")},
		"crs":      respond.Obj{"type": "string", "description": "The file's CRS: OGC:CRS84 or EPSG:3006."}}}}
	schemas["PartnerLayerUpload"] = respond.Obj{"type": "object", "required": append(layerRequired, "report"), "properties": respond.Merge(respond.Merge(respond.Obj{}, layerProps), uploadProps)}

	tag := []string{"Partner overlays"}
	layerID := respond.Obj{"name": "layerId", "in": "path", "required": true, "schema": respond.Obj{"type": "string"}}
	fJSON := respond.Obj{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"json"}}}
	paths["/partners/layers"] = respond.Obj{"get": respond.Obj{
		"summary": "The partner layers shared with the caller's organisation (or owned by it)", "operationId": "getPartnerLayers", "tags": tag,
		"parameters": []respond.Obj{fJSON},
		"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("Visible partner layers, by id.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"layers"},
			"properties": respond.Obj{"layers": respond.Obj{"type": "array", "items": respond.Ref("schemas/PartnerLayer")}}})}, respond.ProblemResponses("400", "401"))}}

	binary := respond.Obj{"schema": respond.Obj{"type": "string", "format": "binary"}}
	q := func(name, desc string) respond.Obj {
		return respond.Obj{"name": name, "in": "query", "required": false, "schema": respond.Obj{"type": "string"}, "description": desc}
	}
	paths["/partners/layers/{layerId}"] = respond.Obj{
		"parameters": []respond.Obj{layerID},
		"get": respond.Obj{"summary": "A partner layer", "operationId": "getPartnerLayer", "tags": tag, "parameters": []respond.Obj{fJSON},
			"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("The layer.", respond.MediaJSON, respond.Ref("schemas/PartnerLayer"))}, respond.ProblemResponses("400", "401", "404"))},
		"put": respond.Obj{"summary": "Upload a partner layer, or a new version of one",
			"description": "The body is the file: GeoJSON (CRS84, or EPSG:3006 named by a crs member), CSV with coordinate or WKT columns, a GeoPackage, " +
				"or a zipped Shapefile; the format comes from Content-Type, or is detected for application/octet-stream. All or nothing: invalid geometries " +
				"are made valid keeping their dimension (reported in report.repaired) or refused naming the feature (param feature). A new id creates the " +
				"layer (201) owned by the caller's organisation; the caller's existing layer gets a new version (200) and keeps the previous ones. " +
				"Needs the write scope in the owning organisation (403 otherwise).",
			"operationId": "putPartnerLayer", "tags": tag,
			"parameters": []respond.Obj{
				q("title", "Title; required for a new layer, kept when absent on a new version."),
				{"name": "shared_with", "in": "query", "required": false, "style": "form", "explode": false,
					"schema":      respond.Obj{"type": "array", "items": respond.Obj{"type": "string"}},
					"description": "Organisation codes to share with (comma-separated); empty: nobody; absent on a new version: unchanged."},
				{"name": "crs", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"EPSG:3006", "EPSG:4326", "OGC:CRS84"}},
					"description": "The CRS of a file that does not state its own (CSV); detected from the coordinates when absent."},
				q("x", "CSV: the column of x (easting or longitude)."), q("y", "CSV: the column of y (northing or latitude)."),
				q("filename", "The file's name, recorded with the version and used to detect the format."),
			},
			"requestBody": respond.Obj{"required": true, "content": respond.Obj{
				respond.MediaGeoJSON: respond.Obj{"schema": respond.Obj{"type": "object"}}, respond.MediaJSON: respond.Obj{"schema": respond.Obj{"type": "object"}},
				"text/csv": respond.Obj{"schema": respond.Obj{"type": "string"}}, "application/geopackage+sqlite3": binary,
				"application/zip": binary, "application/octet-stream": binary}},
			"responses": respond.Merge(respond.Obj{
				"200": respond.JSONResponse("A new version of the caller's layer.", respond.MediaJSON, respond.Ref("schemas/PartnerLayerUpload")),
				"201": respond.Merge(respond.JSONResponse("A new layer.", respond.MediaJSON, respond.Ref("schemas/PartnerLayerUpload")),
					respond.Obj{"headers": respond.Obj{"Location": respond.Obj{"schema": respond.Obj{"type": "string"}}}}),
			}, respond.ProblemResponses("400", "401", "403", "409", "413", "415"))},
		"delete": respond.Obj{"summary": "Delete a partner layer with all its versions", "operationId": "deletePartnerLayer", "tags": tag,
			"responses": respond.Merge(respond.Obj{"204": respond.Obj{"description": "Deleted."}}, respond.ProblemResponses("400", "401", "403", "404"))},
	}
	paths["/partners/layers/{layerId}/versions"] = respond.Obj{"get": respond.Obj{"summary": "The versions of a partner layer, newest first",
		"operationId": "getPartnerLayerVersions", "tags": tag, "parameters": []respond.Obj{layerID, fJSON},
		"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("Versions.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"layer", "versions"}, "properties": respond.Obj{
			"layer": str, "versions": respond.Obj{"type": "array", "items": respond.Obj{"type": "object",
				"required": []string{"version", "current", "uploaded_by", "uploaded_at", "format", "crs", "feature_count", "fields", "repaired"},
				"properties": respond.Obj{"version": integer, "current": respond.Obj{"type": "boolean"}, "uploaded_by": str,
					"uploaded_at": respond.Obj{"type": "string", "format": "date-time"}, "filename": str,
					"format": respond.Obj{"type": "string", "enum": []string{"geojson", "csv", "gpkg", "shapefile", "demo"}}, "crs": str,
					"feature_count": integer, "geometry_type": str, "fields": respond.Obj{"type": "array", "items": respond.Ref("schemas/PartnerField")},
					"repaired": respond.Obj{"type": "array", "items": integer}}}}}})}, respond.ProblemResponses("400", "401", "404"))}}
	paths["/partners/layers/{layerId}/queryables"] = respond.Obj{"get": respond.Obj{"summary": "What a filter on a partner layer may name",
		"description": "A JSON Schema of the current version's fields, typed as inferred at upload, and its geometry.",
		"operationId": "getPartnerLayerQueryables", "tags": tag, "parameters": []respond.Obj{layerID},
		"responses": respond.Merge(respond.Obj{"200": respond.Obj{"description": "The JSON Schema.",
			"content": respond.Obj{respond.MediaJSONSchema: respond.Obj{"schema": respond.Obj{"type": "object"}}}}}, respond.ProblemResponses("400", "403", "404"))}}
	paths["/partners/layers/{layerId}/items"] = respond.Obj{"get": respond.Obj{"summary": "Features of a partner layer (GeoJSON, CRS84, properties as uploaded)",
		"operationId": "getPartnerLayerItems", "tags": tag,
		"parameters": []respond.Obj{layerID,
			{"name": "version", "in": "query", "required": false, "schema": respond.Obj{"type": "integer", "minimum": 1}, "description": "Default: the current version."},
			{"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
				"schema": respond.Obj{"type": "array", "minItems": 4, "maxItems": 6, "items": respond.Obj{"type": "number"}}, "description": "CRS84: minlon,minlat,maxlon,maxlat."},
			{"name": "limit", "in": "query", "required": false, "schema": respond.Obj{"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}},
			{"name": "offset", "in": "query", "required": false, "schema": respond.Obj{"type": "integer", "minimum": 0, "default": 0}},
			{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"geojson", "json"}}},
			respond.Ref("parameters/filter"), respond.Ref("parameters/filter-lang"), respond.Ref("parameters/filter-crs")},
		"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("A page of features.", respond.MediaGeoJSON, respond.Obj{"type": "object",
			"required": []string{"type", "features", "numberMatched", "numberReturned"}, "properties": respond.Obj{
				"type": respond.Obj{"type": "string", "enum": []string{"FeatureCollection"}}, "layer": str, "version": integer,
				"features": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "required": []string{"type", "id", "geometry", "properties"}, "properties": respond.Obj{
					"type": respond.Obj{"type": "string", "enum": []string{"Feature"}}, "id": integer, "geometry": respond.Obj{"type": "object"}, "properties": respond.Obj{"type": "object"}}}},
				"numberMatched": integer, "numberReturned": integer,
				"links": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "properties": respond.Obj{"href": str, "rel": str, "type": str, "title": str}}}}})},
			respond.ProblemResponses("400", "401", "404"))}}
	paths["/partners/layers/{layerId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"] = respond.Obj{"get": respond.Obj{
		"summary":     "The current version of a partner layer as a vector tile",
		"description": "MVT layer named after the layer id; feature ids are the feature numbers; attributes are the layer's fields. filter takes CQL2 on the fields, as the items do.",
		"operationId": "getPartnerLayerTile", "tags": tag,
		"parameters": []respond.Obj{layerID,
			{"name": "tileMatrixSetId", "in": "path", "required": true, "schema": respond.Obj{"type": "string", "enum": []string{"WebMercatorQuad"}}},
			{"name": "tileMatrix", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 0, "maximum": 22}},
			{"name": "tileRow", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 0}},
			{"name": "tileCol", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 0}},
			{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"mvt"}}},
			respond.Ref("parameters/filter"), respond.Ref("parameters/filter-lang"), respond.Ref("parameters/filter-crs")},
		"responses": respond.Merge(respond.Obj{
			"200": respond.Obj{"description": "The tile.", "content": respond.Obj{respond.MediaMVT: respond.Obj{"schema": respond.Obj{"type": "string", "format": "binary"}}}},
			"204": respond.Obj{"description": "Nothing of the layer in this tile."},
			"304": respond.Obj{"description": "Not modified."}},
			respond.ProblemResponses("400", "401", "404"))}}
	paths["/partners/layers/{layerId}/districts"] = respond.Obj{"get": respond.Obj{
		"summary": "A partner layer summarised per district: features, the sum of a numeric property, its share of an indicator",
		"description": "Points count in the area they lie within; lines and polygons count in every area they reach and contribute the fraction of " +
			"their length or area inside it. total names an indicator (e.g. dwellings): its value in the latest year up to the upload's year; " +
			"share = sum / total (features / total without a property), null without a total value.",
		"operationId": "getPartnerLayerDistricts", "tags": tag,
		"parameters": []respond.Obj{layerID,
			q("property", "A numeric (integer or number) field to sum."), q("total", "An indicator key the sum is a share of."),
			{"name": "level", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"municipality", "regso", "district", "deso"}, "default": "district"}},
			{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"json", "csv"}}}},
		"responses": respond.Merge(respond.Obj{"200": respond.Obj{"description": "One row per area of the level.", "content": respond.Obj{
			respond.MediaJSON: respond.Obj{"schema": respond.Obj{"type": "object", "required": []string{"layer", "version", "level", "districts"}, "properties": respond.Obj{
				"layer": str, "version": integer, "property": str, "total": str, "level": str, "upload_year": integer,
				"districts": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "required": []string{"code", "name", "features", "sum", "total", "share"}, "properties": respond.Obj{
					"code": str, "name": str, "features": integer, "sum": nullable(num), "total": nullable(num),
					"total_year": nullable(integer), "share": nullable(num)}}}}}},
			"text/csv": respond.Obj{"schema": respond.Obj{"type": "string"}}}}}, respond.ProblemResponses("400", "401", "404"))}}
}
