package web

import (
	"fmt"

	"github.com/lagesbild/lagesbild/web/respond"
)

// deploymentOpenAPI adds the deployment planner and dose logging (issue 6) to the OpenAPI
// document.
func deploymentOpenAPI(paths, schemas obj) {
	str := obj{"type": "string"}
	num := obj{"type": "number"}
	integer := obj{"type": "integer"}
	boolean := obj{"type": "boolean"}
	strs := obj{"type": "array", "items": str}
	numMap := obj{"type": "object", "additionalProperties": num}
	intMap := obj{"type": "object", "additionalProperties": integer}
	tag := []string{"Analysis"}
	planID := obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 1}}

	schemas["ActorType"] = obj{"type": "object", "required": []string{"id", "name_sv", "name_en", "capacity_unit", "categories", "rationale"},
		"properties": obj{"id": str, "name_sv": str, "name_en": str,
			"capacity_unit":  obj{"type": "string", "enum": []string{"hours", "evenings", "units"}},
			"hours_per_unit": obj{"type": "number", "nullable": true}, "dose_minutes": obj{"type": "number", "nullable": true},
			"shift_days":  obj{"type": "array", "items": obj{"type": "integer", "minimum": 1, "maximum": 7}},
			"shift_start": str, "shift_hours": num, "categories": strs, "rationale": str, "illustrative": boolean}}
	schemas["DeploymentPlanRequest"] = obj{"type": "object", "additionalProperties": false, "required": []string{"actors"},
		"properties": obj{
			"name":          str,
			"start":         obj{"type": "string", "format": "date", "description": "Monday of week 1, at most 5 years before and 2 years after today; default the Monday after the newest observation."},
			"weeks":         obj{"type": "integer", "minimum": 1, "maximum": 52, "default": defaultPlanWeeks},
			"visit_minutes": obj{"type": "number", "minimum": 5, "maximum": 60, "default": defaultVisitMinutes},
			"per_shift":     obj{"type": "integer", "minimum": 2, "maximum": 5, "default": defaultPerShift},
			"k":             obj{"type": "number", "description": "Saturation constant, minutes per week (default 240)."},
			"max_dose":      obj{"type": "number", "description": "Most minutes per target per week, all actor types (default 420)."},
			"rest_after":    obj{"type": "integer", "minimum": 1, "maximum": 52, "default": 4},
			"rest_weeks":    obj{"type": "integer", "minimum": 0, "maximum": 52, "default": 2},
			"rest_factor":   obj{"type": "number", "minimum": 0, "maximum": 1, "default": 0.25},
			"seed":          obj{"type": "integer", "minimum": 0, "default": 1},
			"data_class": obj{"type": "string", "enum": []string{"internal", "restricted"},
				"description": "The plan's class, at most the caller's clearance: the targets are computed from rows of this class and below only, and the plan is read by who may read it. Default: every row the caller may read, and the plan gets the highest class among those it was computed from (at least internal; for targets given as items, the caller's clearance)."},
			"actors": obj{"type": "array", "minItems": 1, "items": obj{"type": "object", "additionalProperties": false,
				"required": []string{"type", "capacity"}, "properties": obj{
					"type":       str,
					"capacity":   obj{"type": "number", "description": "Per week, in the actor type's capacity_unit (hours, evenings or units)."},
					"categories": obj{"type": "array", "items": str, "description": "Override what it acts on."}}}},
			"targets": obj{"type": "object", "additionalProperties": false, "properties": obj{
				"kind": obj{"type": "string", "enum": []string{"places", "cells", "forecast"}, "default": "places",
					"description": "places: the public places by harm-weighted kernel density; cells: the Gi* hot spots (95 % or more) on harm-weighted hexagons; forecast: the top hexagons of next week's harm-weighted forecast (as /analysis/forecast?weighting=harm shows it; days is then its history, default 1,092 = 156 weeks)."},
				"side":      obj{"type": "number", "minimum": 50, "maximum": 5000, "default": 150, "description": "Hexagon side in metres (kinds cells and forecast)."},
				"top":       obj{"type": "integer", "minimum": 1, "maximum": maxPlanTargets, "default": defaultTopTargets},
				"days":      obj{"type": "integer", "minimum": 1, "maximum": 3650, "default": defaultRiskDays},
				"bandwidth": obj{"type": "number", "minimum": 50, "maximum": 5000, "default": 400},
				"place_ids": obj{"type": "array", "items": obj{"type": "integer"}},
				"items": obj{"type": "array", "items": obj{"type": "object", "additionalProperties": false, "required": []string{"id", "point", "risk"},
					"properties": obj{"id": str, "name": str, "point": obj{"type": "array", "minItems": 2, "maxItems": 2, "items": num}, "risk": numMap}}}}},
		}}
	planItem := obj{"type": "object", "required": []string{"actor_type", "target_id", "visits", "minutes"}, "properties": obj{
		"actor_type": str, "target_id": str, "visits": integer, "minutes": num}}
	schemas["DeploymentPlan"] = obj{"type": "object",
		"required": []string{"id", "data_class", "start", "weeks", "parameters", "actors", "targets", "plan", "expected_reduction", "risk", "uncovered", "links"},
		"properties": obj{
			"id": integer, "name": str, "created_at": obj{"type": "string", "format": "date-time"},
			"data_class": obj{"type": "string", "enum": []string{"internal", "restricted"}, "description": "Who may read the plan, its exports and doses: the highest class of the rows it was made from."},
			"start":      obj{"type": "string", "format": "date"}, "weeks": integer, "parameters": obj{"type": "object"}, "model": str,
			"risk_period": obj{"type": "object", "nullable": true, "properties": obj{"start": str, "end": str}},
			"categories":  strs,
			"actors": obj{"type": "array", "items": obj{"type": "object", "required": []string{"type", "capacity", "visits_per_week", "visit_minutes"},
				"properties": obj{"type": str, "name_sv": str, "name_en": str, "capacity": num, "capacity_unit": str,
					"visits_per_week": integer, "visit_minutes": num, "max_per_target": integer, "placement": boolean,
					"categories": strs, "shift_days": obj{"type": "array", "items": integer}, "shift_start": str, "shift_hours": num}}},
			"targets": obj{"type": "array", "items": obj{"type": "object", "required": []string{"id", "name", "point", "risk", "risk_total"},
				"properties": obj{"id": str, "place_id": obj{"type": "integer", "nullable": true}, "name": str,
					"point": obj{"type": "array", "items": num}, "risk": numMap, "risk_total": num,
					"planned_visits": integer, "planned_minutes": num, "expected_reduction": num}}},
			"plan": obj{"type": "array", "items": obj{"type": "object", "required": []string{"week", "start", "items"},
				"properties": obj{"week": integer, "start": obj{"type": "string", "format": "date"}, "expected_reduction": num, "risk": num,
					"used": intMap, "resting": strs, "items": obj{"type": "array", "items": planItem}}}},
			"expected_reduction": num, "risk": num, "share": num,
			"uncovered": obj{"type": "array", "items": obj{"type": "object", "required": []string{"target_id", "weeks_without_dose", "categories_without_actor"},
				"properties": obj{"target_id": str,
					"weeks_without_dose":       obj{"type": "object", "additionalProperties": integer, "description": "Weeks per reason: no_actor, resting, capacity_exhausted."},
					"categories_without_actor": strs, "residual_harm": num}}},
			"max_dose_reached": obj{"type": "array", "items": str, "description": "Targets that reached max_dose in some week: more dose was wanted there (max dose)."},
			"links":            ref("schemas/Links"), "notice": str,
		}}
	dose := obj{"type": "object", "required": []string{"id", "plan_id", "target_id", "actor_type", "started_at", "minutes", "tactic"},
		"properties": obj{"id": integer, "plan_id": integer, "target_id": str, "actor_type": str,
			"unit_code": obj{"type": "string", "nullable": true}, "started_at": obj{"type": "string", "format": "date-time"},
			"minutes": num, "tactic": str, "recorded_at": obj{"type": "string", "format": "date-time"},
			"data_class": obj{"type": "string", "enum": []string{"internal", "restricted"}, "description": "Its plan's."}}}
	schemas["Dose"] = dose
	schemas["DoseInput"] = obj{"type": "object", "additionalProperties": false,
		"required": []string{"plan_id", "target_id", "actor_type", "started_at", "minutes", "tactic"},
		"properties": obj{"plan_id": obj{"type": "integer", "minimum": 1}, "target_id": str,
			"actor_type": obj{"type": "string", "description": "One of the plan's actor types."},
			"unit_code": obj{"type": "string", "nullable": true, "pattern": "^[A-Z0-9][A-Z0-9-]{0,15}$",
				"description": "A patrol or team code with a digit (P12, NV-3); never a person's name."},
			"started_at": obj{"type": "string", "format": "date-time", "description": "Within the plan's weeks or the 52 weeks before them (the delivery view's longest baseline), and not in the future."},
			"minutes":    obj{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 240},
			"tactic":     obj{"type": "string", "enum": []string{"foot_patrol", "vehicle_patrol", "stationary_presence", "dialogue", "checks", "camera_placement"}}}}
	deliveryWeek := obj{"type": "object", "required": []string{"week", "start", "planned_minutes", "delivered_minutes", "observations", "harm"},
		"properties": obj{"week": integer, "start": str, "planned_visits": integer, "planned_minutes": num,
			"delivered_visits": integer, "delivered_minutes": num, "observations": integer, "harm": num}}

	paths["/deployment/actor-types"] = obj{"get": obj{"summary": "Actor types the planner allocates, with what they act on", "operationId": "getActorTypes", "tags": tag,
		"parameters": []obj{{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json"}}}},
		"responses": merge(obj{"200": jsonResponse("The actor types.", respond.MediaJSON, obj{"type": "object", "required": []string{"actor_types"},
			"properties": obj{"actor_types": obj{"type": "array", "items": ref("schemas/ActorType")}, "note": str}})}, problemResponses("400"))}}
	paths["/deployment/plans"] = obj{"post": obj{"summary": "Plan capacity across hotspots week by week, and store the plan", "operationId": "createDeploymentPlan", "tags": tag,
		"requestBody": obj{"required": true, "content": obj{respond.MediaJSON: obj{"schema": ref("schemas/DeploymentPlanRequest")}}},
		"responses": merge(obj{"201": obj{"description": "The stored plan.", "headers": obj{"Location": obj{"schema": str}},
			"content": obj{respond.MediaJSON: obj{"schema": ref("schemas/DeploymentPlan")}}}}, problemResponses("400", "415"))}}
	paths["/deployment/plans/{id}"] = obj{"get": obj{"summary": "A stored plan: JSON, CSV, GeoJSON map layer of targets, or iCalendar visit slots", "operationId": "getDeploymentPlan", "tags": tag,
		"parameters": []obj{planID, {"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json", "csv", "geojson", "ics"}},
			"description": fmt.Sprintf("ics: one event per visit, at most %d (400 beyond: use csv).", maxICSEvents)}},
		"responses": merge(obj{"200": obj{"description": "The plan.", "content": obj{
			respond.MediaJSON: obj{"schema": ref("schemas/DeploymentPlan")},
			mediaGeoJSON:      obj{"schema": obj{"type": "object", "required": []string{"type", "features"}, "properties": obj{"type": str, "features": obj{"type": "array", "items": obj{"type": "object"}}, "plan_id": integer, "data_class": str, "numberReturned": integer, "notice": str}}},
			"text/csv":        obj{"schema": str},
			"text/calendar":   obj{"schema": str}}}}, problemResponses("400", "404"))}}
	paths["/deployment/plans/{id}/delivery"] = obj{"get": obj{"summary": "Planned against delivered dose per target and week, with the observations there (crime and dosage)", "operationId": "getDeploymentDelivery", "tags": tag,
		"parameters": []obj{planID,
			{"name": "radius", "in": "query", "required": false, "schema": obj{"type": "number", "minimum": 10, "maximum": 5000}, "description": "Metres around a target for its observations; default the plan's bandwidth."},
			{"name": "baseline", "in": "query", "required": false, "schema": obj{"type": "integer", "minimum": 0, "maximum": 52}, "description": "Weeks before the plan to show; default the plan's length."}},
		"responses": merge(obj{"200": jsonResponse("Per target and week.", respond.MediaJSON, obj{"type": "object", "required": []string{"plan_id", "targets"}, "properties": obj{
			"plan_id": integer, "start": str, "weeks": integer, "radius": num, "baseline_weeks": integer, "planned_minutes": num, "delivered_minutes": num,
			"note": str, "notice": str,
			"targets": obj{"type": "array", "items": obj{"type": "object", "required": []string{"target_id", "name", "weeks"}, "properties": obj{
				"target_id": str, "name": str, "weeks": obj{"type": "array", "items": deliveryWeek}}}}}})}, problemResponses("400", "404"))}}
	paths["/deployment/doses"] = obj{
		"post": obj{"summary": "Log visits actually made (all or nothing)", "operationId": "recordDoses", "tags": tag,
			"requestBody": obj{"required": true, "content": obj{respond.MediaJSON: obj{"schema": obj{"type": "object", "additionalProperties": false, "required": []string{"doses"},
				"properties": obj{"doses": obj{"type": "array", "minItems": 1, "items": ref("schemas/DoseInput")}}}}}},
			"responses": merge(obj{"201": jsonResponse("The stored visits.", respond.MediaJSON, obj{"type": "object", "required": []string{"doses"},
				"properties": obj{"doses": obj{"type": "array", "items": ref("schemas/Dose")}}})}, problemResponses("400", "415"))},
		"get": obj{"summary": "Visits logged against a plan", "operationId": "getDoses", "tags": tag,
			"parameters": []obj{{"name": "plan", "in": "query", "required": true, "schema": obj{"type": "integer", "minimum": 1}}},
			"responses": merge(obj{"200": jsonResponse("The visits, in time order.", respond.MediaJSON, obj{"type": "object", "required": []string{"plan_id", "doses"},
				"properties": obj{"plan_id": integer, "doses": obj{"type": "array", "items": ref("schemas/Dose")}}})}, problemResponses("400", "404"))},
	}
}
