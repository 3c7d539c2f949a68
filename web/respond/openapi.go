package respond

import (
	"strings"

	"github.com/lagesbild/lagesbild/layers"
)

// Obj is a JSON object in the OpenAPI document.
type Obj = map[string]any

// Ref is a reference to the component name ("schemas/Problem", "responses/Problem").
func Ref(name string) Obj { return Obj{"$ref": "#/components/" + name} }

// QueryParam is an optional query parameter.
func QueryParam(name, desc string, schema Obj) Obj {
	return Obj{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
}

// JSONResponse is a response of media type media with body schema.
func JSONResponse(desc, media string, schema Obj) Obj {
	return Obj{"description": desc, "content": Obj{media: Obj{"schema": schema}}}
}

// ProblemResponses are the problem answers codes, and the 503 every operation may answer.
func ProblemResponses(codes ...string) Obj {
	// Every operation may answer 503 with Retry-After: each request has a deadline and each
	// statement a timeout (web/bounds.go, web/request/gate.go), and the database may be down.
	r := Obj{"503": Ref("responses/Problem")}
	for _, code := range codes {
		r[code] = Ref("responses/Problem")
	}
	return r
}

// Merge copies b's entries into a and returns a.
func Merge(a, b Obj) Obj {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func JSONSchemaOf(t layers.PropType) Obj {
	switch t {
	case layers.Integer:
		return Obj{"type": "integer"}
	case layers.Number:
		return Obj{"type": "number"}
	case layers.Boolean:
		return Obj{"type": "boolean"}
	case layers.Date:
		return Obj{"type": "string", "format": "date"}
	case layers.DateTime:
		return Obj{"type": "string", "format": "date-time"}
	}
	return Obj{"type": "string"}
}

// GeometryFormat is the Part 5 format of a GeoJSON geometry type ("geometry-any" when mixed).
func GeometryFormat(geoJSONType string) string {
	if geoJSONType == "" || geoJSONType == "Geometry" {
		return "geometry-any"
	}
	return "geometry-" + strings.ToLower(geoJSONType)
}

// FilterParams are the references to the filter parameters of an items operation.
func FilterParams() []Obj {
	return []Obj{Ref("parameters/filter"), Ref("parameters/filter-lang"), Ref("parameters/filter-crs")}
}
