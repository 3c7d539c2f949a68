package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/auth"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The conformance classes of filtering: OGC API – Features Part 3 and the CQL2 classes this
// server passes (TestCQL2AbstractTestSuite). Not claimed: functions (there are none beyond
// the standard's operators) and array functions (no queryable is an array).
func filterConformance() []string {
	const f3, cql = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/", "http://www.opengis.net/spec/cql2/1.0/conf/"
	return []string{
		f3 + "queryables", f3 + "filter", f3 + "features-filter",
		cql + "cql2-text", cql + "cql2-json", cql + "basic-cql2", cql + "advanced-comparison-operators",
		cql + "case-insensitive-comparison", cql + "accent-insensitive-comparison",
		cql + "basic-spatial-functions", cql + "basic-spatial-functions-plus", cql + "spatial-functions",
		cql + "temporal-functions", cql + "arithmetic", cql + "property-property",
	}
}

// queryables serves GET /collections/{collectionId}/queryables: what a filter on the
// collection may name, as a JSON Schema derived from the declaration.
func (s *Server) queryables(c echo.Context) error {
	return s.schemaDoc(c, "queryables")
}

// sortables serves GET /collections/{collectionId}/sortables: what sortby may name.
func (s *Server) sortables(c echo.Context) error {
	return s.schemaDoc(c, "sortables")
}

func (s *Server) schemaDoc(c echo.Context, kind string) error {
	l, err := s.cat.Layer(c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := auth.RequireClass(c, auth.FeatureClass(l), "collection "+l.ID); err != nil {
		return err
	}
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	if _, err := respond.Format(c.QueryParam("f"), request.FormatJSON, request.FormatJSON); err != nil {
		return err
	}
	props := obj{}
	if kind == "queryables" {
		for _, q := range l.Queryables() {
			props[q.Name] = queryableSchema(l, q.Name, q.Type, q.Description, q.Enum)
		}
		if l.HasGeometry() {
			props[layers.GeometryQueryable] = obj{"title": "Geometry", "format": respond.GeometryFormat(l.GeometryType),
				"x-ogc-role": "primary-geometry", "description": "The feature's geometry (as " + l.Geometry + " in the stored data)."}
		}
	} else {
		for _, name := range l.Sortable() {
			p, _ := l.Property(name)
			props[name] = queryableSchema(l, name, p.Type, p.Description, p.Enum)
		}
	}
	title := map[string]string{"queryables": "Queryables of ", "sortables": "Sortables of "}[kind] + l.TitleEN
	return s.out.Send(c, http.StatusOK, respond.MediaJSONSchema, respond.CacheMeta, respond.JSON(obj{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     s.baseURL(c) + "/collections/" + l.ID + "/" + kind,
		"type":    "object", "title": title, "properties": props, "additionalProperties": false,
	}))
}

// queryableSchema is the JSON Schema of one property, with its role when it is the layer's
// time (OGC API – Features Part 5).
func queryableSchema(l *layers.Layer, name string, t layers.PropType, desc string, enum []string) obj {
	s := respond.JSONSchemaOf(t)
	s["title"] = name
	if desc != "" {
		s["description"] = desc
	}
	if len(enum) > 0 {
		s["enum"] = enum
	}
	switch {
	case name == l.TimeStart && l.TimeEnd == "":
		s["x-ogc-role"] = "primary-instant"
	case name == l.TimeStart:
		s["x-ogc-role"] = "primary-interval-start"
	case name == l.TimeEnd:
		s["x-ogc-role"] = "primary-interval-end"
	}
	return s
}

// filterOpenAPI adds the filter parameters to the OpenAPI components and the queryables and
// sortables paths of each collection. filter-lang lists cql-text, the draft's name, because
// GDAL (up to 3.7 at least) pushes a -where filter down only when it finds that name there,
// and sends it; what it sends is cql2-text.
func filterOpenAPI(cat *layers.Catalogue, params, paths obj) {
	params["filter"] = obj{"name": "filter", "in": "query", "required": false, "schema": obj{"type": "string"},
		"description": "A CQL2 filter (OGC API – Features Part 3) on the queryables of the collection (see its queryables), in filter-lang."}
	params["filter-lang"] = obj{"name": "filter-lang", "in": "query", "required": false,
		"schema":      obj{"type": "string", "enum": []string{request.FilterText, request.FilterJSON, request.FilterTextDraft}, "default": request.FilterText},
		"description": "Language of filter: cql2-text (default) or cql2-json; cql-text, the draft's name that GDAL sends, is read as cql2-text."}
	params["filter-crs"] = obj{"name": "filter-crs", "in": "query", "required": false,
		"schema":      obj{"type": "string", "format": "uri", "enum": []string{crs.CRS84.URI(), crs.SWEREF99TM.URI()}},
		"description": "CRS of the geometries in filter; default CRS84."}
	for _, l := range cat.Layers() {
		name := schemaName(l.ID)
		for _, kind := range []string{"queryables", "sortables"} {
			what := map[string]string{"queryables": "What a filter on ", "sortables": "What sortby on "}[kind]
			paths["/collections/"+l.ID+"/"+kind] = obj{"get": obj{
				"summary":     what + l.TitleEN + " may name",
				"description": "A JSON Schema of the properties, derived from the collection's declaration.",
				"operationId": "get" + name + strings.ToUpper(kind[:1]) + kind[1:], "tags": []string{"Data"},
				"parameters": []obj{{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json"}}}},
				"responses": merge(obj{"200": obj{"description": "The JSON Schema.",
					"content": obj{respond.MediaJSONSchema: obj{"schema": obj{"type": "object"}}}}}, problemResponses("400", "404"))}}
		}
	}
}
