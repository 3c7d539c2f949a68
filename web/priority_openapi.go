package web

import (
	"fmt"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// priorityOpenAPI adds the pilot-district analysis (issue 4) to the OpenAPI document.
func priorityOpenAPI(paths, schemas obj) {
	num := obj{"type": "number"}
	numN := obj{"type": "number", "nullable": true}
	intN := obj{"type": "integer", "nullable": true}
	str := obj{"type": "string"}
	boolean := obj{"type": "boolean"}
	numMap := obj{"type": "object", "additionalProperties": numN}
	weights := obj{"type": "object", "additionalProperties": obj{"type": "number", "minimum": 0}}
	norm := obj{"type": "string", "enum": []string{"zscore", "minmax", "rank", "raw"}}
	agg := obj{"type": "string", "enum": []string{"arithmetic", "geometric"}}
	scenarioProps := obj{
		"id":      obj{"type": "string", "pattern": `^[a-z][a-z0-9_-]{0,63}$`},
		"name_sv": str, "name_en": str, "rationale": str,
		"organisation":  obj{"type": "string", "description": "Written: optional, and if given the writer's own organisation (its code or name); a scenario belongs to the organisation that writes it (403 otherwise). Read: the owner's name (a built-in scenario's label)."},
		"preset":        obj{"type": "string", "enum": []string{"", "scb"}, "description": "scb: Statistics Sweden's socio-economic index (V1+V2+V3)/3 with area types."},
		"normalisation": norm, "aggregation": agg,
		"winsor":       obj{"type": "number", "minimum": 0, "maximum": 0.5, "exclusiveMaximum": true},
		"min_coverage": obj{"type": "number", "minimum": 0, "maximum": 1},
		"weights":      weights, "theme_weights": weights,
	}
	scenario := obj{"type": "object", "required": []string{"id", "name_sv", "name_en", "organisation", "rationale", "normalisation", "aggregation",
		"winsor", "min_coverage", "weights", "theme_weights", "builtin", "illustrative", "updated_at"},
		"properties": respond.Merge(respond.Merge(obj{}, scenarioProps), obj{"builtin": boolean, "illustrative": boolean, "updated_at": obj{"type": "string", "format": "date-time"},
			"owner": obj{"type": "string", "nullable": true, "description": "Code of the organisation whose editors and admins alone change the scenario; null for a built-in one, which nobody changes through the API."}})}
	schemas["PriorityScenario"] = scenario
	schemas["PriorityScenarioInput"] = obj{"type": "object", "required": []string{"name_sv", "name_en", "weights"},
		"additionalProperties": false, "properties": scenarioProps}
	schemas["PriorityRequest"] = obj{"type": "object", "additionalProperties": false,
		"description": "A stored scenario and/or weights. weights replace the scenario's; the other fields override it.",
		"properties": obj{
			"scenario": str, "weights": weights, "theme_weights": weights, "normalisation": norm, "aggregation": agg,
			"winsor": obj{"type": "number"}, "min_coverage": obj{"type": "number"},
			"level":       obj{"type": "string", "enum": []string{"district", "regso", "deso"}, "default": "district"},
			"year":        obj{"type": "integer", "description": "Reference year; default the latest with values."},
			"base_year":   obj{"type": "integer", "description": "Earlier year of the change; default the first year of the trend window."},
			"trend_years": obj{"type": "integer", "minimum": 3, "maximum": 30, "default": 5},
			"k":           obj{"type": "integer", "minimum": 1, "default": 3, "description": "Number of pilots, and the k of P(top k)."},
			"include":     obj{"type": "array", "items": str}, "exclude": obj{"type": "array", "items": str},
			"need_share":          obj{"type": "number", "minimum": 0, "maximum": 1, "default": 0.5},
			"feasibility_weights": weights,
			"sensitivity": obj{"type": "object", "additionalProperties": false, "properties": obj{
				"draws": obj{"type": "integer", "minimum": 0, "maximum": 100000}, "seed": obj{"type": "integer", "minimum": 0},
				"concentration": obj{"type": "number", "default": 50}, "switch_methods": obj{"type": "boolean", "default": true}}},
		}}
	feasInput := obj{"type": "object", "required": []string{"key", "source", "direction", "weight"}, "properties": obj{
		"key": str, "source": obj{"type": "string", "enum": []string{"indicator", "meeting_places", "interventions", "partner_layer"}},
		"indicator_key": str, "place_kinds": obj{"type": "array", "items": str},
		"partner_layer": str, "partner_property": str, "partner_total": str,
		"unavailable": obj{"type": "string", "description": "Why a partner_layer input is left out for this caller (the layer is not shared with it, say)."},
		"direction":   obj{"type": "string", "enum": []string{"higher_is_better", "higher_is_worse"}}, "weight": num, "rationale": str}}
	schemas["PriorityFeasibilityInput"] = feasInput
	areaType := obj{"type": "object", "required": []string{"area_type", "name_sv", "name_en"}, "properties": obj{
		"area_type": obj{"type": "integer", "minimum": 1, "maximum": 5}, "name_sv": str, "name_en": str,
		"min_sd": numN, "max_sd": numN, "source": str}}
	schemas["PriorityAreaType"] = areaType
	indicator := obj{"type": "object", "required": []string{"key", "theme", "direction"}, "properties": obj{
		"key": str, "name_sv": str, "name_en": str, "unit": str, "theme": str, "source": str, "illustrative": boolean,
		"direction": obj{"type": "string", "enum": []string{"higher_is_worse", "higher_is_better"}},
		"weight":    obj{"type": "number", "description": "Effective weight (theme × indicator), the weights add up to 1."}}}
	schemas["PriorityDistrict"] = obj{"type": "object",
		"required": []string{"code", "name", "index", "rank", "ranked", "coverage", "contributions", "change", "early_warning", "feasibility", "quadrant", "pilot"},
		"properties": obj{
			"code": str, "name": str, "part_of_town": str, "population": intN, "police_class": str,
			"index":     numN,
			"log_index": obj{"type": "number", "nullable": true, "description": "ln index (geometric aggregation): what the contributions add up to."},
			"rank":      intN, "ranked": boolean,
			"coverage": obj{"type": "number", "minimum": 0, "maximum": 1},
			"values":   numMap, "scores": numMap,
			"contributions": obj{"type": "object", "additionalProperties": numN,
				"description": "Per indicator; they add up to index (arithmetic) or to log_index (geometric). null where the value is missing."},
			"base_index": numN, "change": numN, "base_rank": intN,
			"trend": obj{"type": "object", "nullable": true, "properties": obj{
				"years": obj{"type": "array", "items": obj{"type": "integer"}}, "series": obj{"type": "array", "items": numN},
				"slope": num, "p": num, "tau": num, "projected": num, "years_to_threshold": numN}},
			"early_warning": boolean,
			"area_type":     obj{"type": "integer", "minimum": 1, "maximum": 5}, "area_type_sd": numN,
			"feasibility": numN, "feasibility_rank": intN,
			"feasibility_contributions": numMap, "feasibility_inputs": numMap,
			"quadrant": obj{"type": "string", "enum": []string{"high_need_good_conditions", "high_need_weak_conditions",
				"lower_need_good_conditions", "lower_need_weak_conditions", "not_ranked"}},
			"sensitivity": obj{"type": "object", "required": []string{"median_rank", "p05", "p95", "p_top_k"}, "properties": obj{
				"median_rank": num, "p05": num, "p95": num, "p_top_k": obj{"type": "number", "minimum": 0, "maximum": 1}}},
			"pilot": boolean, "pilot_score": numN,
		}}
	pilot := obj{"type": "object", "required": []string{"code", "name", "score", "need_rank", "feasibility_rank", "included", "explanation_sv", "explanation_en"},
		"properties": obj{"code": str, "name": str, "score": num, "need_rank": obj{"type": "integer"}, "feasibility_rank": obj{"type": "integer"},
			"included": boolean, "explanation_sv": str, "explanation_en": str}}
	schemas["PriorityResult"] = obj{"type": "object",
		"required": []string{"level", "year", "base_year", "normalisation", "aggregation", "contribution_space", "indicators", "districts", "pilots", "ranked", "k", "warnings", "timeStamp"},
		"properties": obj{
			"scenario": obj{"type": "object", "allOf": []obj{respond.Ref("schemas/PriorityScenario")}, "nullable": true},
			"preset":   str, "level": str, "year": obj{"type": "integer"}, "base_year": obj{"type": "integer"},
			"trend_years":   obj{"type": "array", "items": obj{"type": "integer"}},
			"normalisation": norm, "aggregation": agg, "winsor": num, "min_coverage": num,
			"contribution_space":      obj{"type": "string", "enum": []string{"index", "log_index"}},
			"indicators":              obj{"type": "array", "items": indicator},
			"feasibility_inputs":      obj{"type": "array", "items": respond.Ref("schemas/PriorityFeasibilityInput")},
			"ranked":                  obj{"type": "integer"},
			"early_warning_threshold": num, "early_warning_note": str,
			"matrix":    obj{"type": "object", "properties": obj{"need_median": numN, "feasibility_median": numN}},
			"districts": obj{"type": "array", "items": respond.Ref("schemas/PriorityDistrict")},
			"pilots":    obj{"type": "array", "items": pilot},
			"k":         obj{"type": "integer"}, "need_share": num,
			"sensitivity": obj{"type": "object", "properties": obj{"draws": obj{"type": "integer"}, "seed": obj{"type": "integer"},
				"concentration": num, "methods": obj{"type": "array", "items": str}, "method_draws": obj{"type": "array", "items": obj{"type": "integer"}},
				"top_k": obj{"type": "integer"}, "note": str}},
			"area_types":          obj{"type": "array", "items": respond.Ref("schemas/PriorityAreaType")},
			"area_type_reference": obj{"type": "object", "properties": obj{"mean": numN, "sd": numN, "source": str}},
			"warnings":            obj{"type": "array", "items": str}, "notice": str, "timeStamp": str,
		}}
	tag := []string{"Analysis"}
	jsonBody := func(schema obj) obj {
		return obj{"required": true, "content": obj{respond.MediaJSON: obj{"schema": schema}}}
	}
	fParam := obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json", "geojson", "csv"}},
		"description": "json (default), geojson (the areas with index, rank, area type, feasibility and pilot flag, for the choropleth) or csv. Without f, an Accept of application/geo+json or text/csv chooses."}
	fJSON := obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json"}}}
	idParam := obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "string"}}
	paths["/analysis/priority"] = obj{
		"get": obj{"summary": "What the priority page needs to start: indicator catalogue with themes, years, scenarios, feasibility inputs, area types, defaults",
			"operationId": "getPriorityConfig", "tags": tag, "parameters": []obj{fJSON},
			"responses": respond.Merge(obj{"200": respond.JSONResponse("Configuration.", respond.MediaJSON, obj{"type": "object",
				"required": []string{"indicators", "themes", "years", "scenarios", "feasibility_inputs", "area_types", "defaults"},
				"properties": obj{
					"indicators": obj{"type": "array", "items": indicator}, "themes": obj{"type": "array", "items": str},
					"years":              obj{"type": "array", "items": obj{"type": "integer"}},
					"scenarios":          obj{"type": "array", "items": respond.Ref("schemas/PriorityScenario")},
					"feasibility_inputs": obj{"type": "array", "items": respond.Ref("schemas/PriorityFeasibilityInput")},
					"area_types":         obj{"type": "array", "items": respond.Ref("schemas/PriorityAreaType")},
					"scb_reference":      obj{"type": "object", "properties": obj{"mean": numN, "sd": numN}},
					"normalisations":     obj{"type": "array", "items": str}, "aggregations": obj{"type": "array", "items": str},
					"defaults": obj{"type": "object"}}})}, respond.ProblemResponses("400"))},
		"post": obj{"summary": "Need index, feasibility, early warning, sensitivity and recommended pilot districts",
			"description": "OECD/JRC practice: orient (higher = more need), optionally winsorise, normalise (z-score, min-max, rank, raw), weight (theme × indicator), aggregate (arithmetic or geometric; geometric contributions are in log space), re-weight over available values and flag areas below min_coverage. " +
				"The change and the early-warning series are scored with the reference year's normalisation. Early warning: Theil-Sen slope and Mann-Kendall p < 0.1 over trend_years, projected 3 years ahead to the most-vulnerable threshold. " +
				"Sensitivity: Dirichlet weights around the chosen ones and a uniformly drawn method per draw; deterministic for a seed (PCG). Pilots: need percentile^s × feasibility percentile^(1-s), s = need_share, with include/exclude.",
			"operationId": "postPriority", "tags": tag, "parameters": []obj{fParam},
			"requestBody": jsonBody(respond.Ref("schemas/PriorityRequest")),
			"responses": respond.Merge(obj{"200": obj{"description": "The analysis.", "content": obj{
				respond.MediaJSON: obj{"schema": respond.Ref("schemas/PriorityResult")},
				mediaGeoJSON: obj{"schema": obj{"type": "object", "required": []string{"type", "features"}, "properties": obj{
					"type": obj{"type": "string", "enum": []string{"FeatureCollection"}},
					"features": obj{"type": "array", "items": obj{"type": "object", "required": []string{"type", "id", "geometry", "properties"}, "properties": obj{
						"type": obj{"type": "string", "enum": []string{"Feature"}}, "id": str,
						"geometry": obj{"type": "object", "nullable": true}, "properties": obj{"type": "object"}}}},
					"numberReturned": obj{"type": "integer"}}}},
				"text/csv": obj{"schema": str}}}}, respond.ProblemResponses("400", "415"))},
	}
	paths["/analysis/priority/compare"] = obj{"post": obj{
		"summary":     "Each organisation's ranking side by side, the Borda consensus, Kendall's tau between organisations and the districts they disagree about most",
		"operationId": "postPriorityCompare", "tags": tag, "parameters": []obj{fJSON},
		"requestBody": jsonBody(obj{"type": "object", "additionalProperties": false, "properties": obj{
			"scenarios": obj{"type": "array", "items": str, "maxItems": maxCompareScenarios,
				"description": "Scenario ids; default the built-in ones and the caller's organisation's own."},
			"level": obj{"type": "string", "enum": []string{"district", "regso", "deso"}},
			"year":  obj{"type": "integer"}, "k": obj{"type": "integer", "minimum": 1, "maximum": maxCompareK, "default": 5},
			"limit": obj{"type": "integer", "minimum": 1, "maximum": maxCompareLimit, "default": 10}}}),
		"responses": respond.Merge(obj{"200": respond.JSONResponse("The comparison.", respond.MediaJSON, obj{"type": "object",
			"required": []string{"year", "scenarios", "districts", "kendall_tau", "disagreements", "consensus_method"},
			"properties": obj{
				"year": obj{"type": "integer"}, "level": str, "k": obj{"type": "integer"},
				"scenarios": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
					"id": str, "name_sv": str, "name_en": str, "organisation": str, "ranked": obj{"type": "integer"}}}},
				"districts": obj{"type": "array", "items": obj{"type": "object", "required": []string{"code", "ranks", "consensus_rank", "borda_points"}, "properties": obj{
					"code": str, "name": str, "ranks": obj{"type": "object", "additionalProperties": intN},
					"consensus_rank": obj{"type": "integer"}, "borda_points": num, "mean_rank": num, "in_top_k": obj{"type": "integer"}}}},
				"kendall_tau": obj{"type": "object", "properties": obj{"scenarios": obj{"type": "array", "items": str},
					"matrix": obj{"type": "array", "items": obj{"type": "array", "items": numN}}}},
				"disagreements": obj{"type": "array", "nullable": true, "items": obj{"type": "object", "properties": obj{
					"code": str, "name": str, "min_rank": obj{"type": "integer"}, "max_rank": obj{"type": "integer"},
					"range": obj{"type": "integer"}, "sd": num, "ranks": obj{"type": "object", "additionalProperties": obj{"type": "integer"}}}}},
				"warnings": obj{"type": "array", "items": str}, "consensus_method": str, "notice": str, "timeStamp": str}})},
			respond.ProblemResponses("400", "415"))}}
	scenarioResp := func(desc string) obj {
		return respond.JSONResponse(desc, respond.MediaJSON, respond.Ref("schemas/PriorityScenario"))
	}
	paths["/analysis/priority/scenarios"] = obj{
		"get": obj{"summary": "Stored weight sets (scenarios), built-in ones first", "operationId": "getPriorityScenarios", "tags": tag,
			"parameters": []obj{fJSON},
			"responses": respond.Merge(obj{"200": respond.JSONResponse("Scenarios.", respond.MediaJSON, obj{"type": "object", "required": []string{"scenarios"},
				"properties": obj{"scenarios": obj{"type": "array", "items": respond.Ref("schemas/PriorityScenario")}}})}, respond.ProblemResponses("400"))},
		"post": obj{"summary": fmt.Sprintf("Store a new scenario of the writer's organisation (at most %d per organisation: 409 beyond)", layers.MaxScenariosPerOrganisation), "operationId": "createPriorityScenario", "tags": tag,
			"requestBody": jsonBody(respond.Ref("schemas/PriorityScenarioInput")),
			"responses":   respond.Merge(obj{"201": respond.Merge(scenarioResp("Stored."), obj{"headers": obj{"Location": obj{"schema": str}}})}, respond.ProblemResponses("400", "409", "415"))},
	}
	paths["/analysis/priority/scenarios/{id}"] = obj{
		"parameters": []obj{idParam},
		"get": obj{"summary": "One scenario", "operationId": "getPriorityScenario", "tags": tag, "parameters": []obj{fJSON},
			"responses": respond.Merge(obj{"200": scenarioResp("The scenario.")}, respond.ProblemResponses("400", "404"))},
		"put": obj{"summary": "Replace a scenario of the writer's organisation (a built-in one or another organisation's: 403)", "operationId": "updatePriorityScenario", "tags": tag,
			"requestBody": jsonBody(respond.Ref("schemas/PriorityScenarioInput")),
			"responses":   respond.Merge(obj{"200": scenarioResp("Replaced.")}, respond.ProblemResponses("400", "404", "415"))},
		"delete": obj{"summary": "Delete a scenario of the writer's organisation, or as a municipality's admin any (a built-in one: 403)", "operationId": "deletePriorityScenario", "tags": tag,
			"responses": respond.Merge(obj{"204": obj{"description": "Deleted."}}, respond.ProblemResponses("404", "409"))},
	}
}
