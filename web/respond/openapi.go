package respond

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
	// statement a timeout (web/bounds.go), and the database may be down.
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
