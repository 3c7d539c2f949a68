package web

import (
	"slices"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// interventionsOpenAPI adds the writes of the interventions register (writeRoutes) and the
// history of an intervention to the OpenAPI document, after the read paths exist; nothing
// when the catalogue does not declare the register.
func interventionsOpenAPI(cat *layers.Catalogue, paths, schemas obj) {
	if l, err := cat.Layer(interventionsID); err == nil {
		writeOpenAPI(l, paths, schemas)
	}
}

// requiredOnWrite are the properties a whole intervention (POST, PUT) must have.
var requiredOnWrite = []string{"title", "category", "horizon", "approach", "lead_org", "status"}

func writeOpenAPI(l *layers.Layer, paths, schemas obj) {
	name := schemaName(l.ID)
	full, patch := obj{}, obj{}
	for _, p := range l.Properties {
		s := propertySchema(p)
		if slices.Contains(requiredOnWrite, p.Name) {
			delete(s, "nullable")
		}
		full[p.Name] = s
		patch[p.Name] = propertySchema(p) // null resets (refused for the required ones)
	}
	geometry := obj{"type": "object", "nullable": true, "required": []string{"type", "coordinates"},
		"description": "In CRS84 (longitude, latitude), or in EPSG:3006 with the Content-Crs header. null: the union of target_districts, kept in step with them on later writes.",
		"properties": obj{
			"type":        obj{"type": "string", "enum": []string{"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}},
			"coordinates": obj{"type": "array", "items": obj{}}}}
	schemas[name+"Write"] = obj{"type": "object", "required": []string{"type", "properties"},
		"description": "A whole " + l.TitleEN + " feature. Unknown properties are refused; absent optional ones take their defaults.",
		"properties": obj{
			"type":       obj{"type": "string", "enum": []string{"Feature"}},
			"id":         obj{"description": "Only on PUT, and then equal to the id in the URL."},
			"geometry":   geometry,
			"properties": obj{"type": "object", "required": requiredOnWrite, "additionalProperties": false, "properties": full},
			"links":      obj{"type": "array", "items": obj{"type": "object"}},
			"bbox":       obj{"type": "array", "items": obj{"type": "number"}}},
		"additionalProperties": false}
	schemas[name+"Patch"] = obj{"type": "object", "additionalProperties": false,
		"description": "A JSON merge patch (RFC 7396): members of properties replace the stored values, null resets an optional one; a geometry member replaces the geometry (null: derive it from target_districts), its absence keeps it.",
		"properties": obj{
			"type":       obj{"type": "string", "enum": []string{"Feature"}},
			"geometry":   geometry,
			"properties": obj{"type": "object", "additionalProperties": false, "properties": patch}}}
	schemas["HistoryEntry"] = obj{"type": "object", "required": []string{"version", "operation", "changed_at", "changed_by", "before", "after"},
		"properties": obj{
			"version":    obj{"type": "integer", "minimum": 1},
			"operation":  obj{"type": "string", "enum": []string{"create", "replace", "update", "delete"}},
			"changed_at": obj{"type": "string", "format": "date-time"},
			"changed_by": obj{"type": "string", "nullable": true,
				"description": "Organisation or role that wrote, never a person; null until access control (issue 7) knows it."},
			"before": obj{"type": "object", "nullable": true, "description": "The whole row before (null for a create); geometry as GeoJSON in EPSG:3006."},
			"after":  obj{"type": "object", "nullable": true, "description": "The whole row after (null for a delete)."}}}

	etag := obj{"schema": obj{"type": "string"}, "description": `Strong ETag naming the version ("v7"); send it back in If-Match.`}
	featureAnswer := func(desc string, headers obj) obj {
		headers["ETag"] = etag
		headers["Content-Crs"] = obj{"schema": obj{"type": "string"}}
		return obj{"description": desc, "headers": headers,
			"content": obj{respond.MediaGeoJSON: obj{"schema": ref("schemas/" + name + "Feature")}}}
	}
	contentCrs := obj{"name": "Content-Crs", "in": "header", "required": false,
		"description": "CRS of the geometry in the body, as <uri>; default CRS84.",
		"schema":      obj{"type": "string", "enum": []string{"<" + crs.CRS84.URI() + ">", "<" + crs.SWEREF99TM.URI() + ">"}}}
	ifMatch := obj{"name": "If-Match", "in": "header", "required": true,
		"description": `The ETag of the version the change is based on ("v7"); 428 without it, 412 when it is no longer current.`,
		"schema":      obj{"type": "string"}}
	body := func(schema, media string) obj {
		return obj{"required": true, "content": obj{media: obj{"schema": ref("schemas/" + schema)}}}
	}
	wholeBody := obj{"required": true, "content": obj{
		respond.MediaGeoJSON: obj{"schema": ref("schemas/" + name + "Write")},
		respond.MediaJSON:    obj{"schema": ref("schemas/" + name + "Write")}}}
	tag := []string{"Data"}

	items := paths["/collections/"+l.ID+"/items"].(obj)
	items["post"] = obj{"summary": "Create a feature of " + l.TitleEN, "operationId": "create" + name + "Feature", "tags": tag,
		"parameters":  []obj{contentCrs},
		"requestBody": wholeBody,
		"responses": merge(obj{"201": featureAnswer("Created: the feature as stored, at version 1.",
			obj{"Location": obj{"schema": obj{"type": "string", "format": "uri"}, "description": "URL of the new feature."}})},
			problemResponses("400", "404", "409", "413", "415"))}

	item := paths["/collections/"+l.ID+"/items/{featureId}"].(obj)
	get := item["get"].(obj)
	get["responses"].(obj)["200"].(obj)["headers"].(obj)["ETag"] = etag
	get["responses"].(obj)["304"] = obj{"description": "Not modified: If-None-Match names the current version.",
		"headers": obj{"ETag": etag}}
	if ps, ok := get["parameters"].([]obj); ok {
		get["parameters"] = append(slices.Clone(ps), obj{"name": "If-None-Match", "in": "header", "required": false,
			"schema": obj{"type": "string"}, "description": "ETag of the version held; 304 when it is still current."})
	}
	item["put"] = obj{"summary": "Replace a feature of " + l.TitleEN, "operationId": "replace" + name + "Feature", "tags": tag,
		"parameters":  []obj{ref("parameters/featureId"), ifMatch, contentCrs},
		"requestBody": wholeBody,
		"responses": merge(obj{"200": featureAnswer("Replaced: the feature as stored, at its new version.", obj{})},
			problemResponses("400", "404", "409", "412", "413", "415", "428"))}
	item["patch"] = obj{"summary": "Change some properties (JSON merge patch) of a feature of " + l.TitleEN, "operationId": "update" + name + "Feature", "tags": tag,
		"parameters":  []obj{ref("parameters/featureId"), ifMatch, contentCrs},
		"requestBody": body(name+"Patch", mediaMergePatch),
		"responses": merge(obj{"200": featureAnswer("Changed: the feature as stored, at its new version.", obj{})},
			problemResponses("400", "404", "409", "412", "413", "415", "428"))}
	item["delete"] = obj{"summary": "Delete a feature of " + l.TitleEN + " (its history stays)", "operationId": "delete" + name + "Feature", "tags": tag,
		"parameters": []obj{ref("parameters/featureId"), ifMatch},
		"responses":  merge(obj{"204": obj{"description": "Deleted."}}, problemResponses("400", "404", "409", "412", "428"))}

	paths["/collections/"+l.ID+"/items/{featureId}/history"] = obj{"get": obj{
		"summary": "Change history of a feature of " + l.TitleEN + " (every write through the API, oldest first)",
		"description": "For organisations cleared for internal data. Each entry is as protected as the more protected of its two versions " +
			"(before and after): a caller gets the entries of the classes it may read, and 404 for a feature whose class now it may not read.",
		"operationId": "get" + name + "FeatureHistory", "tags": tag,
		"parameters": []obj{ref("parameters/featureId"),
			{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json"}}}},
		"responses": merge(obj{"200": jsonResponse("The versions; empty for a feature never written through the API (demo, import).", respond.MediaJSON,
			obj{"type": "object", "required": []string{"interventionId", "versions", "links"}, "properties": obj{
				"interventionId": obj{"type": "integer"},
				"versions":       obj{"type": "array", "items": ref("schemas/HistoryEntry")},
				"links":          ref("schemas/Links")}})},
			problemResponses("400", "404"))}}
}
