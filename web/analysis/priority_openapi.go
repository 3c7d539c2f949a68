package analysis

import (
	"fmt"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// priorityOpenAPI adds the pilot-district analysis (issue 4) to the OpenAPI document.
func priorityOpenAPI(paths, schemas respond.Obj) {
	num := respond.Obj{"type": "number"}
	numN := respond.Obj{"type": "number", "nullable": true}
	intN := respond.Obj{"type": "integer", "nullable": true}
	str := respond.Obj{"type": "string"}
	boolean := respond.Obj{"type": "boolean"}
	numMap := respond.Obj{"type": "object", "additionalProperties": numN}
	weights := respond.Obj{"type": "object", "additionalProperties": respond.Obj{"type": "number", "minimum": 0}}
	norm := respond.Obj{"type": "string", "enum": []string{"zscore", "minmax", "rank", "raw"}}
	agg := respond.Obj{"type": "string", "enum": []string{"arithmetic", "geometric"}}
	scenarioProps := respond.Obj{
		"id":      respond.Obj{"type": "string", "pattern": `^[a-z][a-z0-9_-]{0,63}$`},
		"name_sv": str, "name_en": str, "rationale": str,
		"organisation":  respond.Obj{"type": "string", "description": "Written: optional, and if given the writer's own organisation (its code or name); a scenario belongs to the organisation that writes it (403 otherwise). Read: the owner's name (a built-in scenario's label)."},
		"preset":        respond.Obj{"type": "string", "enum": []string{"", "scb"}, "description": "scb: Statistics Sweden's socio-economic index (V1+V2+V3)/3 with area types."},
		"normalisation": norm, "aggregation": agg,
		"winsor":       respond.Obj{"type": "number", "minimum": 0, "maximum": 0.5, "exclusiveMaximum": true},
		"min_coverage": respond.Obj{"type": "number", "minimum": 0, "maximum": 1},
		"weights":      weights, "theme_weights": weights,
	}
	scenario := respond.Obj{"type": "object", "required": []string{"id", "name_sv", "name_en", "organisation", "rationale", "normalisation", "aggregation",
		"winsor", "min_coverage", "weights", "theme_weights", "builtin", "illustrative", "updated_at"},
		"properties": respond.Merge(respond.Merge(respond.Obj{}, scenarioProps), respond.Obj{"builtin": boolean, "illustrative": boolean, "updated_at": respond.Obj{"type": "string", "format": "date-time"},
			"owner": respond.Obj{"type": "string", "nullable": true, "description": "Code of the organisation whose editors and admins alone change the scenario; null for a built-in one, which nobody changes through the API."}})}
	schemas["PriorityScenario"] = scenario
	schemas["PriorityScenarioInput"] = respond.Obj{"type": "object", "required": []string{"name_sv", "name_en", "weights"},
		"additionalProperties": false, "properties": scenarioProps}
	schemas["PriorityRequest"] = respond.Obj{"type": "object", "additionalProperties": false,
		"description": "A stored scenario and/or weights. weights replace the scenario's; the other fields override it.",
		"properties": respond.Obj{
			"scenario": str, "weights": weights, "theme_weights": weights, "normalisation": norm, "aggregation": agg,
			"winsor": respond.Obj{"type": "number"}, "min_coverage": respond.Obj{"type": "number"},
			"level":       respond.Obj{"type": "string", "enum": []string{"district", "regso", "deso"}, "default": "district"},
			"year":        respond.Obj{"type": "integer", "description": "Reference year; default the latest with values."},
			"base_year":   respond.Obj{"type": "integer", "description": "Earlier year of the change; default the first year of the trend window."},
			"trend_years": respond.Obj{"type": "integer", "minimum": 3, "maximum": 30, "default": 5},
			"k":           respond.Obj{"type": "integer", "minimum": 1, "default": 3, "description": "Number of pilots, and the k of P(top k)."},
			"include":     respond.Obj{"type": "array", "items": str}, "exclude": respond.Obj{"type": "array", "items": str},
			"need_share":          respond.Obj{"type": "number", "minimum": 0, "maximum": 1, "default": 0.5},
			"feasibility_weights": weights,
			"sensitivity": respond.Obj{"type": "object", "additionalProperties": false, "properties": respond.Obj{
				"draws": respond.Obj{"type": "integer", "minimum": 0, "maximum": 100000}, "seed": respond.Obj{"type": "integer", "minimum": 0},
				"concentration": respond.Obj{"type": "number", "default": 50}, "switch_methods": respond.Obj{"type": "boolean", "default": true}}},
		}}
	feasInput := respond.Obj{"type": "object", "required": []string{"key", "source", "direction", "weight"}, "properties": respond.Obj{
		"key": str, "source": respond.Obj{"type": "string", "enum": []string{"indicator", "meeting_places", "interventions", "partner_layer"}},
		"indicator_key": str, "place_kinds": respond.Obj{"type": "array", "items": str},
		"partner_layer": str, "partner_property": str, "partner_total": str,
		"unavailable": respond.Obj{"type": "string", "description": "Why a partner_layer input is left out for this caller (the layer is not shared with it, say)."},
		"direction":   respond.Obj{"type": "string", "enum": []string{"higher_is_better", "higher_is_worse"}}, "weight": num, "rationale": str}}
	schemas["PriorityFeasibilityInput"] = feasInput
	areaType := respond.Obj{"type": "object", "required": []string{"area_type", "name_sv", "name_en"}, "properties": respond.Obj{
		"area_type": respond.Obj{"type": "integer", "minimum": 1, "maximum": 5}, "name_sv": str, "name_en": str,
		"min_sd": numN, "max_sd": numN, "source": str}}
	schemas["PriorityAreaType"] = areaType
	indicator := respond.Obj{"type": "object", "required": []string{"key", "theme", "direction"}, "properties": respond.Obj{
		"key": str, "name_sv": str, "name_en": str, "unit": str, "theme": str, "source": str, "illustrative": boolean,
		"direction": respond.Obj{"type": "string", "enum": []string{"higher_is_worse", "higher_is_better"}},
		"weight":    respond.Obj{"type": "number", "description": "Effective weight (theme × indicator), the weights add up to 1."}}}
	schemas["PriorityDistrict"] = respond.Obj{"type": "object",
		"required": []string{"code", "name", "index", "rank", "ranked", "coverage", "contributions", "change", "early_warning", "feasibility", "quadrant", "pilot"},
		"properties": respond.Obj{
			"code": str, "name": str, "part_of_town": str, "population": intN, "police_class": str,
			"index":     numN,
			"log_index": respond.Obj{"type": "number", "nullable": true, "description": "ln index (geometric aggregation): what the contributions add up to."},
			"rank":      intN, "ranked": boolean,
			"coverage": respond.Obj{"type": "number", "minimum": 0, "maximum": 1},
			"values":   numMap, "scores": numMap,
			"contributions": respond.Obj{"type": "object", "additionalProperties": numN,
				"description": "Per indicator; they add up to index (arithmetic) or to log_index (geometric). null where the value is missing."},
			"base_index": numN, "change": numN, "base_rank": intN,
			"trend": respond.Obj{"type": "object", "nullable": true, "properties": respond.Obj{
				"years": respond.Obj{"type": "array", "items": respond.Obj{"type": "integer"}}, "series": respond.Obj{"type": "array", "items": numN},
				"slope": num, "p": num, "tau": num, "projected": num, "years_to_threshold": numN}},
			"early_warning": boolean,
			"area_type":     respond.Obj{"type": "integer", "minimum": 1, "maximum": 5}, "area_type_sd": numN,
			"feasibility": numN, "feasibility_rank": intN,
			"feasibility_contributions": numMap, "feasibility_inputs": numMap,
			"quadrant": respond.Obj{"type": "string", "enum": []string{"high_need_good_conditions", "high_need_weak_conditions",
				"lower_need_good_conditions", "lower_need_weak_conditions", "not_ranked"}},
			"sensitivity": respond.Obj{"type": "object", "required": []string{"median_rank", "p05", "p95", "p_top_k"}, "properties": respond.Obj{
				"median_rank": num, "p05": num, "p95": num, "p_top_k": respond.Obj{"type": "number", "minimum": 0, "maximum": 1}}},
			"pilot": boolean, "pilot_score": numN,
		}}
	pilot := respond.Obj{"type": "object", "required": []string{"code", "name", "score", "need_rank", "feasibility_rank", "included", "explanation_sv", "explanation_en"},
		"properties": respond.Obj{"code": str, "name": str, "score": num, "need_rank": respond.Obj{"type": "integer"}, "feasibility_rank": respond.Obj{"type": "integer"},
			"included": boolean, "explanation_sv": str, "explanation_en": str}}
	schemas["PriorityResult"] = respond.Obj{"type": "object",
		"required": []string{"level", "year", "base_year", "normalisation", "aggregation", "contribution_space", "indicators", "districts", "pilots", "ranked", "k", "warnings", "timeStamp"},
		"properties": respond.Obj{
			"scenario": respond.Obj{"type": "object", "allOf": []respond.Obj{respond.Ref("schemas/PriorityScenario")}, "nullable": true},
			"preset":   str, "level": str, "year": respond.Obj{"type": "integer"}, "base_year": respond.Obj{"type": "integer"},
			"trend_years":   respond.Obj{"type": "array", "items": respond.Obj{"type": "integer"}},
			"normalisation": norm, "aggregation": agg, "winsor": num, "min_coverage": num,
			"contribution_space":      respond.Obj{"type": "string", "enum": []string{"index", "log_index"}},
			"indicators":              respond.Obj{"type": "array", "items": indicator},
			"feasibility_inputs":      respond.Obj{"type": "array", "items": respond.Ref("schemas/PriorityFeasibilityInput")},
			"ranked":                  respond.Obj{"type": "integer"},
			"early_warning_threshold": num, "early_warning_note": str,
			"matrix":    respond.Obj{"type": "object", "properties": respond.Obj{"need_median": numN, "feasibility_median": numN}},
			"districts": respond.Obj{"type": "array", "items": respond.Ref("schemas/PriorityDistrict")},
			"pilots":    respond.Obj{"type": "array", "items": pilot},
			"k":         respond.Obj{"type": "integer"}, "need_share": num,
			"sensitivity": respond.Obj{"type": "object", "properties": respond.Obj{"draws": respond.Obj{"type": "integer"}, "seed": respond.Obj{"type": "integer"},
				"concentration": num, "methods": respond.Obj{"type": "array", "items": str}, "method_draws": respond.Obj{"type": "array", "items": respond.Obj{"type": "integer"}},
				"top_k": respond.Obj{"type": "integer"}, "note": str}},
			"area_types":          respond.Obj{"type": "array", "items": respond.Ref("schemas/PriorityAreaType")},
			"area_type_reference": respond.Obj{"type": "object", "properties": respond.Obj{"mean": numN, "sd": numN, "source": str}},
			"warnings":            respond.Obj{"type": "array", "items": str}, "notice": str, "timeStamp": str,
		}}
	tag := []string{"Analysis"}
	jsonBody := func(schema respond.Obj) respond.Obj {
		return respond.Obj{"required": true, "content": respond.Obj{respond.MediaJSON: respond.Obj{"schema": schema}}}
	}
	fParam := respond.Obj{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"json", "geojson", "csv"}},
		"description": "json (default), geojson (the areas with index, rank, area type, feasibility and pilot flag, for the choropleth) or csv. Without f, an Accept of application/geo+json or text/csv chooses."}
	fJSON := respond.Obj{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"json"}}}
	idParam := respond.Obj{"name": "id", "in": "path", "required": true, "schema": respond.Obj{"type": "string"}}
	paths["/analysis/priority"] = respond.Obj{
		"get": respond.Obj{"summary": "What the priority page needs to start: indicator catalogue with themes, years, scenarios, feasibility inputs, area types, defaults",
			"operationId": "getPriorityConfig", "tags": tag, "parameters": []respond.Obj{fJSON},
			"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("Configuration.", respond.MediaJSON, respond.Obj{"type": "object",
				"required": []string{"indicators", "themes", "years", "scenarios", "feasibility_inputs", "area_types", "defaults"},
				"properties": respond.Obj{
					"indicators": respond.Obj{"type": "array", "items": indicator}, "themes": respond.Obj{"type": "array", "items": str},
					"years":              respond.Obj{"type": "array", "items": respond.Obj{"type": "integer"}},
					"scenarios":          respond.Obj{"type": "array", "items": respond.Ref("schemas/PriorityScenario")},
					"feasibility_inputs": respond.Obj{"type": "array", "items": respond.Ref("schemas/PriorityFeasibilityInput")},
					"area_types":         respond.Obj{"type": "array", "items": respond.Ref("schemas/PriorityAreaType")},
					"scb_reference":      respond.Obj{"type": "object", "properties": respond.Obj{"mean": numN, "sd": numN}},
					"normalisations":     respond.Obj{"type": "array", "items": str}, "aggregations": respond.Obj{"type": "array", "items": str},
					"defaults": respond.Obj{"type": "object"}}})}, respond.ProblemResponses("400"))},
		"post": respond.Obj{"summary": "Need index, feasibility, early warning, sensitivity and recommended pilot districts",
			"description": "OECD/JRC practice: orient (higher = more need), optionally winsorise, normalise (z-score, min-max, rank, raw), weight (theme × indicator), aggregate (arithmetic or geometric; geometric contributions are in log space), re-weight over available values and flag areas below min_coverage. " +
				"The change and the early-warning series are scored with the reference year's normalisation. Early warning: Theil-Sen slope and Mann-Kendall p < 0.1 over trend_years, projected 3 years ahead to the most-vulnerable threshold. " +
				"Sensitivity: Dirichlet weights around the chosen ones and a uniformly drawn method per draw; deterministic for a seed (PCG). Pilots: need percentile^s × feasibility percentile^(1-s), s = need_share, with include/exclude.",
			"operationId": "postPriority", "tags": tag, "parameters": []respond.Obj{fParam},
			"requestBody": jsonBody(respond.Ref("schemas/PriorityRequest")),
			"responses": respond.Merge(respond.Obj{"200": respond.Obj{"description": "The analysis.", "content": respond.Obj{
				respond.MediaJSON: respond.Obj{"schema": respond.Ref("schemas/PriorityResult")},
				respond.MediaGeoJSON: respond.Obj{"schema": respond.Obj{"type": "object", "required": []string{"type", "features"}, "properties": respond.Obj{
					"type": respond.Obj{"type": "string", "enum": []string{"FeatureCollection"}},
					"features": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "required": []string{"type", "id", "geometry", "properties"}, "properties": respond.Obj{
						"type": respond.Obj{"type": "string", "enum": []string{"Feature"}}, "id": str,
						"geometry": respond.Obj{"type": "object", "nullable": true}, "properties": respond.Obj{"type": "object"}}}},
					"numberReturned": respond.Obj{"type": "integer"}}}},
				"text/csv": respond.Obj{"schema": str}}}}, respond.ProblemResponses("400", "415"))},
	}
	paths["/analysis/priority/compare"] = respond.Obj{"post": respond.Obj{
		"summary":     "Each organisation's ranking side by side, the Borda consensus, Kendall's tau between organisations and the districts they disagree about most",
		"operationId": "postPriorityCompare", "tags": tag, "parameters": []respond.Obj{fJSON},
		"requestBody": jsonBody(respond.Obj{"type": "object", "additionalProperties": false, "properties": respond.Obj{
			"scenarios": respond.Obj{"type": "array", "items": str, "maxItems": maxCompareScenarios,
				"description": "Scenario ids; default the built-in ones and the caller's organisation's own."},
			"level": respond.Obj{"type": "string", "enum": []string{"district", "regso", "deso"}},
			"year":  respond.Obj{"type": "integer"}, "k": respond.Obj{"type": "integer", "minimum": 1, "maximum": maxCompareK, "default": 5},
			"limit": respond.Obj{"type": "integer", "minimum": 1, "maximum": maxCompareLimit, "default": 10}}}),
		"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("The comparison.", respond.MediaJSON, respond.Obj{"type": "object",
			"required": []string{"year", "scenarios", "districts", "kendall_tau", "disagreements", "consensus_method"},
			"properties": respond.Obj{
				"year": respond.Obj{"type": "integer"}, "level": str, "k": respond.Obj{"type": "integer"},
				"scenarios": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "properties": respond.Obj{
					"id": str, "name_sv": str, "name_en": str, "organisation": str, "ranked": respond.Obj{"type": "integer"}}}},
				"districts": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "required": []string{"code", "ranks", "consensus_rank", "borda_points"}, "properties": respond.Obj{
					"code": str, "name": str, "ranks": respond.Obj{"type": "object", "additionalProperties": intN},
					"consensus_rank": respond.Obj{"type": "integer"}, "borda_points": num, "mean_rank": num, "in_top_k": respond.Obj{"type": "integer"}}}},
				"kendall_tau": respond.Obj{"type": "object", "properties": respond.Obj{"scenarios": respond.Obj{"type": "array", "items": str},
					"matrix": respond.Obj{"type": "array", "items": respond.Obj{"type": "array", "items": numN}}}},
				"disagreements": respond.Obj{"type": "array", "nullable": true, "items": respond.Obj{"type": "object", "properties": respond.Obj{
					"code": str, "name": str, "min_rank": respond.Obj{"type": "integer"}, "max_rank": respond.Obj{"type": "integer"},
					"range": respond.Obj{"type": "integer"}, "sd": num, "ranks": respond.Obj{"type": "object", "additionalProperties": respond.Obj{"type": "integer"}}}}},
				"warnings": respond.Obj{"type": "array", "items": str}, "consensus_method": str, "notice": str, "timeStamp": str}})},
			respond.ProblemResponses("400", "415"))}}
	scenarioResp := func(desc string) respond.Obj {
		return respond.JSONResponse(desc, respond.MediaJSON, respond.Ref("schemas/PriorityScenario"))
	}
	paths["/analysis/priority/scenarios"] = respond.Obj{
		"get": respond.Obj{"summary": "Stored weight sets (scenarios), built-in ones first", "operationId": "getPriorityScenarios", "tags": tag,
			"parameters": []respond.Obj{fJSON},
			"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("Scenarios.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"scenarios"},
				"properties": respond.Obj{"scenarios": respond.Obj{"type": "array", "items": respond.Ref("schemas/PriorityScenario")}}})}, respond.ProblemResponses("400"))},
		"post": respond.Obj{"summary": fmt.Sprintf("Store a new scenario of the writer's organisation (at most %d per organisation: 409 beyond)", layers.MaxScenariosPerOrganisation), "operationId": "createPriorityScenario", "tags": tag,
			"requestBody": jsonBody(respond.Ref("schemas/PriorityScenarioInput")),
			"responses":   respond.Merge(respond.Obj{"201": respond.Merge(scenarioResp("Stored."), respond.Obj{"headers": respond.Obj{"Location": respond.Obj{"schema": str}}})}, respond.ProblemResponses("400", "409", "415"))},
	}
	paths["/analysis/priority/scenarios/{id}"] = respond.Obj{
		"parameters": []respond.Obj{idParam},
		"get": respond.Obj{"summary": "One scenario", "operationId": "getPriorityScenario", "tags": tag, "parameters": []respond.Obj{fJSON},
			"responses": respond.Merge(respond.Obj{"200": scenarioResp("The scenario.")}, respond.ProblemResponses("400", "404"))},
		"put": respond.Obj{"summary": "Replace a scenario of the writer's organisation (a built-in one or another organisation's: 403)", "operationId": "updatePriorityScenario", "tags": tag,
			"requestBody": jsonBody(respond.Ref("schemas/PriorityScenarioInput")),
			"responses":   respond.Merge(respond.Obj{"200": scenarioResp("Replaced.")}, respond.ProblemResponses("400", "404", "415"))},
		"delete": respond.Obj{"summary": "Delete a scenario of the writer's organisation, or as a municipality's admin any (a built-in one: 403)", "operationId": "deletePriorityScenario", "tags": tag,
			"responses": respond.Merge(respond.Obj{"204": respond.Obj{"description": "Deleted."}}, respond.ProblemResponses("404", "409"))},
	}
}
