package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/analysis"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/partner"
	"github.com/lagesbild/lagesbild/web/report"
	"github.com/lagesbild/lagesbild/web/respond"
)

// obj is a JSON object in the OpenAPI document (respond.Obj); the building blocks below are
// respond's, under the names web's files use.
type obj = respond.Obj

// openAPI serves GET /api: the OpenAPI 3.0 document, derived from the layer catalogue so
// each collection's filters, sort keys and property schemas match what items accepts.
func (s *Server) openAPI(c echo.Context) error {
	if err := respond.OnlyParamsAny(c, "f"); err != nil {
		return err
	}
	switch f := c.QueryParam("f"); f {
	case "html": // the API browser, Redoc, served from the binary with the map page's assets
		return c.Redirect(http.StatusSeeOther, pagePath+"apidoc.html")
	case "", "json":
	default:
		return layers.Invalid("f", "unknown format %q; use json or html", f)
	}
	return s.out.SendJSON(c, "application/vnd.oai.openapi+json;version=3.0", respond.CacheMeta, openAPIDocument(s.cat, s.baseURL(c), s.cfg.Version))
}

func ref(name string) obj                          { return respond.Ref(name) }
func queryParam(name, desc string, schema obj) obj { return respond.QueryParam(name, desc, schema) }
func jsonResponse(desc, media string, schema obj) obj {
	return respond.JSONResponse(desc, media, schema)
}
func problemResponses(codes ...string) obj { return respond.ProblemResponses(codes...) }
func merge(a, b obj) obj                   { return respond.Merge(a, b) }

func propertySchema(p layers.Property) obj {
	var s obj
	switch p.Type {
	case layers.Integer:
		s = obj{"type": "integer"}
	case layers.Number:
		s = obj{"type": "number"}
	case layers.Boolean:
		s = obj{"type": "boolean"}
	case layers.Date:
		s = obj{"type": "string", "format": "date"}
	case layers.DateTime:
		s = obj{"type": "string", "format": "date-time"}
	case layers.StringArray:
		s = obj{"type": "array", "items": obj{"type": "string"}}
	case layers.JSON:
		s = obj{}
	default:
		s = obj{"type": "string"}
		if len(p.Enum) > 0 {
			s["enum"] = p.Enum
		}
	}
	if p.Type != layers.JSON {
		s["nullable"] = true
	}
	s["description"] = p.Description
	return s
}

func filterParameter(p layers.Property) obj {
	sch := propertySchema(p)
	delete(sch, "nullable")
	delete(sch, "description")
	return obj{"name": p.Name, "in": "query", "required": false, "style": "form", "explode": false,
		"description": "Only features whose " + p.Name + " equals this value. " + p.Description, "schema": sch}
}

func openAPIDocument(cat *layers.Catalogue, base, version string) obj {
	crsList := []string{crs.CRS84.URI(), crs.SWEREF99TM.URI()}
	params := obj{
		"f": obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json", "geojson", "csv"}},
			"description": "Output format: GeoJSON (json, the default) or CSV (with the geometry as WKT)."},
		"bbox": obj{"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "minx,miny,maxx,maxy (or 6 numbers with heights, which are ignored) in bbox-crs. Boxes crossing the antimeridian are refused.",
			"schema":      obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}},
		"bbox-crs": obj{"name": "bbox-crs", "in": "query", "required": false, "schema": obj{"type": "string", "format": "uri", "enum": crsList},
			"description": "CRS of bbox; default CRS84."},
		"crs": obj{"name": "crs", "in": "query", "required": false, "schema": obj{"type": "string", "format": "uri", "enum": crsList},
			"description": "CRS of the returned geometries; default CRS84 (GeoJSON, RFC 7946). EPSG:3006 gives easting, northing in metres."},
		"datetime": obj{"name": "datetime", "in": "query", "required": false, "schema": obj{"type": "string"},
			"description": "An RFC 3339 instant or closed or half-open interval (start/end, with .. or empty for an open end). A date without time means the whole day (UTC)."},
		"limit": obj{"name": "limit", "in": "query", "required": false,
			"schema":      obj{"type": "integer", "minimum": 1, "maximum": layers.MaxLimit, "default": layers.DefaultLimit},
			"description": "Features per page. Values out of range are refused (400)."},
		"offset": obj{"name": "offset", "in": "query", "required": false, "schema": obj{"type": "integer", "minimum": 0, "default": 0},
			"description": "Features to skip; follow the next and prev links rather than computing it. Without sortby, pages are in id order, or with bbox by distance from the box's lower-left corner (in EPSG:3006) and then id, which the spatial index reads nearest first: a page reads its own rows, not every match."},
		"numberMatched": obj{"name": "numberMatched", "in": "query", "required": false, "schema": obj{"type": "boolean", "default": false},
			"description": "true: numberMatched on every page, an exact count of every match (it reads them all). Without it numberMatched is given only where the page itself shows it: on the last page (offset plus numberReturned). It is never an estimate; a next link says that more follow."},
		"properties": obj{"name": "properties", "in": "query", "required": false, "style": "form", "explode": false,
			"schema": obj{"type": "array", "items": obj{"type": "string"}}, "description": "Only these properties (comma-separated)."},
		"featureId": obj{"name": "featureId", "in": "path", "required": true, "schema": obj{"type": "string"}},
	}
	linkSchema := obj{"type": "object", "required": []string{"href", "rel"}, "properties": obj{
		"href": obj{"type": "string"}, "rel": obj{"type": "string"}, "type": obj{"type": "string"}, "title": obj{"type": "string"}}}
	schemas := obj{
		"Link":  linkSchema,
		"Links": obj{"type": "array", "items": respond.Ref("schemas/Link")},
		"Problem": obj{"type": "object", "required": []string{"type", "title", "status"}, "properties": obj{
			"type": obj{"type": "string"}, "title": obj{"type": "string"}, "status": obj{"type": "integer"},
			"detail": obj{"type": "string"}, "instance": obj{"type": "string"},
			"param": obj{"type": "string", "description": "The parameter at fault."},
			"invalid-params": obj{"type": "array", "description": "For a 400: why the parameter was refused, as a code a client words in its reader's language (the map page does, in Swedish), with the values the wording needs. detail and reason stay English.",
				"items": obj{"type": "object", "required": []string{"name", "reason", "code"}, "properties": obj{
					"name": obj{"type": "string"}, "reason": obj{"type": "string"},
					"code":   obj{"type": "string", "enum": layers.ReasonCodes()},
					"values": obj{"type": "object", "description": "By code: out_of_range min and/or max; too_long, too_many max; not_one_of, unknown, duplicate, unsupported value; format format (" + strings.Join(layers.ReasonFormats(), ", ") + "); before other; file_feature and looks_sweref feature or line, and field."}}}}}},
		"Geometry": obj{"type": "object", "nullable": true, "required": []string{"type"}, "properties": obj{
			"type": obj{"type": "string", "enum": []string{"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}}}},
		"Collection": obj{"type": "object", "required": []string{"id", "links"}, "properties": obj{
			"id": obj{"type": "string"}, "title": obj{"type": "string"}, "titleEn": obj{"type": "string"}, "description": obj{"type": "string"},
			"links": respond.Ref("schemas/Links"), "itemType": obj{"type": "string"},
			"crs": obj{"type": "array", "items": obj{"type": "string"}}, "storageCrs": obj{"type": "string"},
			"dataClass":    obj{"type": "string", "enum": []string{"open", "internal", "restricted"}},
			"illustrative": obj{"type": "boolean"}, "notice": obj{"type": "string"},
			"extent": obj{"type": "object", "properties": obj{
				"spatial": obj{"type": "object", "properties": obj{
					"bbox": obj{"type": "array", "items": obj{"type": "array", "minItems": 4, "maxItems": 4, "items": obj{"type": "number"}}},
					"crs":  obj{"type": "string"}}},
				"temporal": obj{"type": "object", "properties": obj{
					"interval": obj{"type": "array", "items": obj{"type": "array", "minItems": 2, "maxItems": 2, "items": obj{"type": "string", "nullable": true}}},
					"trs":      obj{"type": "string"}}}}}}},
	}
	paths := obj{
		"/": obj{"get": obj{"summary": "Landing page", "operationId": "getLandingPage", "tags": []string{"Capabilities"},
			"responses": respond.Merge(obj{"200": respond.JSONResponse("Links to the API definition, conformance and collections.", respond.MediaJSON,
				obj{"type": "object", "required": []string{"links"}, "properties": obj{
					"title": obj{"type": "string"}, "description": obj{"type": "string"}, "version": obj{"type": "string"}, "links": respond.Ref("schemas/Links")}})},
				respond.ProblemResponses("400"))}},
		"/conformance": obj{"get": obj{"summary": "Conformance classes", "operationId": "getConformance", "tags": []string{"Capabilities"},
			"responses": respond.Merge(obj{"200": respond.JSONResponse("The conformance classes implemented.", respond.MediaJSON,
				obj{"type": "object", "required": []string{"conformsTo"}, "properties": obj{"conformsTo": obj{"type": "array", "items": obj{"type": "string"}}}})},
				respond.ProblemResponses("400"))}},
		"/api": obj{"get": obj{"summary": "This API definition", "operationId": "getAPI", "tags": []string{"Capabilities"},
			"parameters": []obj{{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json", "html"}},
				"description": "json (the default): this document; html: a redirect to the API browser (Redoc, served from the binary)."}},
			"responses": respond.Merge(obj{"200": respond.JSONResponse("OpenAPI 3.0 document.", "application/vnd.oai.openapi+json;version=3.0", obj{"type": "object"}),
				"303": obj{"description": "With f=html: see the API browser.", "headers": obj{"Location": obj{"schema": obj{"type": "string"}, "description": "The API browser's address."}}}},
				respond.ProblemResponses("400"))}},
		"/collections": obj{"get": obj{"summary": "The collections", "operationId": "getCollections", "tags": []string{"Capabilities"},
			"responses": respond.Merge(obj{"200": respond.JSONResponse("Every collection with its extent and links.", respond.MediaJSON,
				obj{"type": "object", "required": []string{"collections", "links"}, "properties": obj{
					"links": respond.Ref("schemas/Links"), "crs": obj{"type": "array", "items": obj{"type": "string"}},
					"collections": obj{"type": "array", "items": respond.Ref("schemas/Collection")}}})},
				respond.ProblemResponses("400"))}},
		"/indicators/{key}/districts": obj{"get": obj{
			"summary":     "An indicator's values for one year joined to the areas of a level (choropleth input)",
			"operationId": "getIndicatorDistricts", "tags": []string{"Indicators"},
			"parameters": []obj{
				{"name": "key", "in": "path", "required": true, "schema": obj{"type": "string"}, "description": "Indicator key (see the indicators collection)."},
				{"name": "year", "in": "query", "required": false, "schema": obj{"type": "integer", "minimum": 1900, "maximum": 2100}, "description": "Year; default the latest with values."},
				{"name": "level", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"municipality", "regso", "district", "deso"}, "default": "district"}},
				respond.Ref("parameters/crs"),
				{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json", "geojson", "csv"}}},
			},
			"responses": respond.Merge(obj{"200": obj{"description": "Areas with the value (null when missing, never zero).", "content": obj{
				respond.MediaGeoJSON: obj{"schema": obj{"type": "object", "required": []string{"type", "features", "indicator", "year"}, "properties": obj{
					"type": obj{"type": "string", "enum": []string{"FeatureCollection"}}, "features": obj{"type": "array", "items": obj{"type": "object"}},
					"indicator": obj{"type": "object"}, "year": obj{"type": "integer"}, "years": obj{"type": "array", "items": obj{"type": "integer"}},
					"notice": obj{"type": "string"}, "numberReturned": obj{"type": "integer"}, "timeStamp": obj{"type": "string", "format": "date-time"}}}},
				"text/csv": obj{"schema": obj{"type": "string"}}}}}, respond.ProblemResponses("400", "404"))}},
		"/healthz": obj{"get": obj{"summary": "Liveness", "operationId": "getHealth", "tags": []string{"Operations"},
			"responses": obj{"200": obj{"description": "The process is up.", "content": obj{"text/plain": obj{"schema": obj{"type": "string"}}}}}}},
		"/readyz": obj{"get": obj{"summary": "Readiness: the database answers", "operationId": "getReady", "tags": []string{"Operations"},
			"responses": respond.Merge(obj{"200": obj{"description": "Ready.", "content": obj{"text/plain": obj{"schema": obj{"type": "string"}}}}}, respond.ProblemResponses("503"))}},
	}

	for _, l := range cat.Layers() {
		props := obj{}
		for _, p := range l.Properties {
			props[p.Name] = propertySchema(p)
		}
		idSchema := obj{"type": "string"}
		if l.IDType == layers.Integer {
			idSchema = obj{"type": "integer"}
		}
		geomSchema := obj{"type": "object", "nullable": true, "allOf": []obj{respond.Ref("schemas/Geometry")}}
		if !l.HasGeometry() {
			geomSchema = obj{"nullable": true, "type": "object", "description": "Always null: this collection has no geometry."}
		}
		name := schemaName(l.ID)
		schemas[name+"Feature"] = obj{"type": "object", "required": []string{"type", "id", "geometry", "properties"}, "properties": obj{
			"type": obj{"type": "string", "enum": []string{"Feature"}}, "id": idSchema, "geometry": geomSchema,
			"properties": obj{"type": "object", "properties": props}, "links": respond.Ref("schemas/Links")}}
		schemas[name+"FeatureCollection"] = obj{"type": "object", "required": []string{"type", "features"}, "properties": obj{
			"type": obj{"type": "string", "enum": []string{"FeatureCollection"}}, "features": obj{"type": "array", "items": respond.Ref("schemas/" + name + "Feature")},
			"links": respond.Ref("schemas/Links"), "timeStamp": obj{"type": "string", "format": "date-time"},
			"numberMatched":  obj{"type": "integer", "minimum": 0, "description": "Exact number of matches: on the last page, or on every page with numberMatched=true."},
			"numberReturned": obj{"type": "integer", "minimum": 0}}}

		itemParams := append([]obj{respond.Ref("parameters/f"), respond.Ref("parameters/limit"), respond.Ref("parameters/offset"), respond.Ref("parameters/numberMatched"), respond.Ref("parameters/crs"), respond.Ref("parameters/properties")}, respond.FilterParams()...)
		// Every collection takes bbox and datetime; one without geometry (time) answers none.
		itemParams = append(itemParams, respond.Ref("parameters/bbox"), respond.Ref("parameters/bbox-crs"), respond.Ref("parameters/datetime"))
		sortable := []string{}
		for _, n := range l.Sortable() {
			sortable = append(sortable, n, "+"+n, "-"+n)
		}
		itemParams = append(itemParams, obj{"name": "sortby", "in": "query", "required": false, "style": "form", "explode": false,
			"schema":      obj{"type": "array", "items": obj{"type": "string", "enum": sortable}},
			"description": "Sort keys, comma-separated, each optionally prefixed by + (ascending, default) or - (descending)."})
		for _, p := range l.Properties {
			if p.Filter {
				itemParams = append(itemParams, filterParameter(p))
			}
		}
		path := "/collections/" + l.ID
		tag := []string{"Data"}
		paths[path] = obj{"get": obj{"summary": "The " + l.TitleEN + " collection", "operationId": "describe" + name + "Collection", "tags": tag,
			"responses": respond.Merge(obj{"200": respond.JSONResponse("Metadata of the collection.", respond.MediaJSON, respond.Ref("schemas/Collection"))}, respond.ProblemResponses("400", "404"))}}
		paths[path+"/items"] = obj{"get": obj{"summary": l.TitleEN + ": " + l.Description, "operationId": "get" + name + "Features", "tags": tag,
			"parameters": itemParams,
			"responses": respond.Merge(obj{"200": obj{"description": "A page of features, with next and prev links.",
				"headers": obj{"Content-Crs": obj{"schema": obj{"type": "string"}, "description": "CRS of the geometries, as <uri>."}},
				"content": obj{
					respond.MediaGeoJSON: obj{"schema": respond.Ref("schemas/" + name + "FeatureCollection")},
					"text/csv":           obj{"schema": obj{"type": "string"}}}}},
				respond.ProblemResponses("400", "404"))}}
		paths[path+"/items/{featureId}"] = obj{"get": obj{"summary": "One feature of " + l.TitleEN, "operationId": "get" + name + "Feature", "tags": tag,
			"parameters": []obj{respond.Ref("parameters/featureId"), respond.Ref("parameters/crs"),
				{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json", "geojson"}}}},
			"responses": respond.Merge(obj{"200": obj{"description": "The feature.",
				"headers": obj{"Content-Crs": obj{"schema": obj{"type": "string"}}},
				"content": obj{respond.MediaGeoJSON: obj{"schema": respond.Ref("schemas/" + name + "Feature")}}}},
				respond.ProblemResponses("400", "404"))}}
	}
	filterOpenAPI(cat, params, paths)
	analysis.OpenAPI(cat, paths, schemas)
	tilesOpenAPI(cat, paths, schemas)
	stylesOpenAPI(paths)
	interventionsOpenAPI(cat, paths, schemas)
	auth.OpenAPI(paths, schemas)
	partner.OpenAPI(paths, schemas)
	report.OpenAPI(paths, schemas)
	for _, op := range []string{"/", "/conformance", "/collections"} {
		get := paths[op].(obj)["get"].(obj)
		get["parameters"] = []obj{{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json"}}}}
	}
	for id := range paths {
		if get, ok := paths[id].(obj)["get"].(obj); ok && get["parameters"] == nil && strings.HasPrefix(id, "/collections/") {
			get["parameters"] = []obj{{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json"}}}}
		}
	}
	// Every operation may answer 401 (a credential that is wrong, or none where one is needed)
	// and 403 (a credential without the right): authentication runs before every route, and
	// what a caller may read or write is decided per layer and route (web/auth/access.go).
	for _, item := range paths {
		for _, op := range item.(obj) {
			if o, ok := op.(obj); ok {
				if r, ok := o["responses"].(obj); ok {
					for _, code := range []string{"401", "403"} {
						if r[code] == nil {
							r[code] = respond.Ref("responses/Problem")
						}
					}
				}
			}
		}
	}
	addCSVDialect(paths)
	addClearance(paths, schemas)
	return obj{
		"openapi": "3.0.3",
		// Anonymous callers are welcome (open data); credentials widen what is visible.
		"security": []obj{{}, {"bearerAuth": []string{}}, {"cookieAuth": []string{}}},
		"info": obj{"title": "Lägesbild API", "version": version,
			"description": "A shared, need-to-know situational picture for a Swedish municipality and the police, published as OGC API – Features. Demo data is illustrative, not official statistics.",
			"contact":     obj{"name": "Lägesbild", "url": base + "/"},
			"license":     obj{"name": "MIT", "url": "https://opensource.org/license/mit"}},
		"servers": []obj{{"url": base}},
		"tags":    describeOperations(cat, paths),
		"paths":   paths,
		"components": obj{
			"parameters": params,
			"schemas":    schemas,
			"responses": obj{"Problem": obj{"description": "A problem (RFC 9457) saying what was wrong.",
				"content": obj{"application/problem+json": obj{"schema": respond.Ref("schemas/Problem")}}}},
			"securitySchemes": obj{
				"bearerAuth": obj{"type": "http", "scheme": "bearer",
					"description": "An API token (lgb_…, made with `lagesbild token create` or POST /auth/tokens) or a JWT from the configured OpenID Connect issuer."},
				"cookieAuth": obj{"type": "apiKey", "in": "cookie", "name": auth.SessionCookie,
					"description": "The session of POST /auth/login; writes with it also need the " + auth.CSRFHeader + " header."},
			},
		},
	}
}

// schemaName turns a collection id into a schema name: "indicator-values" → "IndicatorValues".
func schemaName(id string) string {
	out := make([]byte, 0, len(id))
	up := true
	for i := 0; i < len(id); i++ {
		ch := id[i]
		if ch == '-' || ch == '_' {
			up = true
			continue
		}
		if up && ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		up = false
		out = append(out, ch)
	}
	return string(out)
}

// addCSVDialect gives every operation that can answer text/csv the dialect parameter that
// csvDialect (csvdialect.go) takes out of the query before the handlers see it.
func addCSVDialect(paths obj) {
	dialect := obj{"name": "dialect", "in": "query", "required": false,
		"description": "CSV answers only: excel-sv gives the form Swedish Excel opens by double-click (semicolons between fields, a decimal comma); rfc4180 (the default) commas and decimal points. Every CSV starts with a UTF-8 byte order mark and comes as an attachment with a file name.",
		"schema":      obj{"type": "string", "enum": []string{"rfc4180", "excel-sv"}}}
	for _, item := range paths {
		for _, op := range item.(obj) {
			o, ok := op.(obj)
			if !ok {
				continue
			}
			resp, _ := o["responses"].(obj)
			ok200, _ := resp["200"].(obj)
			content, _ := ok200["content"].(obj)
			csv := false
			for media := range content {
				csv = csv || strings.HasPrefix(media, "text/csv")
			}
			if !csv {
				continue
			}
			switch ps := o["parameters"].(type) {
			case []obj:
				o["parameters"] = append(ps, dialect)
			case []any:
				o["parameters"] = append(ps, dialect)
			case nil:
				o["parameters"] = []obj{dialect}
			}
		}
	}
}

// addClearance documents the "clearance" member withClearance (respond/clearance.go) adds to the
// JSON answers whose figures depend on the caller's clearance.
func addClearance(paths, schemas obj) {
	prop := obj{"type": "string", "enum": []string{"open", "internal", "restricted"},
		"description": "The data class up to which rows were read for this answer: callers of another clearance get other figures."}
	for path, method := range map[string]string{"/analysis/hotspots": "get", "/analysis/hotspots/places": "get", "/analysis/forecast": "get",
		"/analysis/followup/{interventionId}": "get", "/analysis/week": "get",
		"/deployment/plans/{id}/delivery": "get", "/collections/observations/items": "get"} {
		item, _ := paths[path].(obj)
		op, _ := item[method].(obj)
		resp, _ := op["responses"].(obj)
		code := "200"
		if method == "post" {
			code = "201"
		}
		r, _ := resp[code].(obj)
		content, _ := r["content"].(obj)
		for media, mt := range content {
			if !strings.Contains(media, "json") {
				continue
			}
			sc, _ := mt.(obj)["schema"].(obj)
			if ref, ok := sc["$ref"].(string); ok {
				sc, _ = schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(obj)
			}
			if props, ok := sc["properties"].(obj); ok {
				props["clearance"] = prop
			}
		}
	}
}
