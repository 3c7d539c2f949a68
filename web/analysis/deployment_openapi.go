package analysis

import (
	"fmt"

	"github.com/lagesbild/lagesbild/web/respond"
)

// deploymentOpenAPI adds the deployment planner and dose logging (issue 6) to the OpenAPI
// document.
func deploymentOpenAPI(paths, schemas respond.Obj) {
	str := respond.Obj{"type": "string"}
	num := respond.Obj{"type": "number"}
	integer := respond.Obj{"type": "integer"}
	boolean := respond.Obj{"type": "boolean"}
	strs := respond.Obj{"type": "array", "items": str}
	numMap := respond.Obj{"type": "object", "additionalProperties": num}
	intMap := respond.Obj{"type": "object", "additionalProperties": integer}
	tag := []string{"Analysis"}
	planID := respond.Obj{"name": "id", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 1}}

	schemas["ActorType"] = respond.Obj{"type": "object", "required": []string{"id", "name_sv", "name_en", "capacity_unit", "categories", "rationale"},
		"properties": respond.Obj{"id": str, "name_sv": str, "name_en": str,
			"capacity_unit":  respond.Obj{"type": "string", "enum": []string{"hours", "evenings", "units"}},
			"hours_per_unit": respond.Obj{"type": "number", "nullable": true}, "dose_minutes": respond.Obj{"type": "number", "nullable": true},
			"shift_days":  respond.Obj{"type": "array", "items": respond.Obj{"type": "integer", "minimum": 1, "maximum": 7}},
			"shift_start": str, "shift_hours": num, "categories": strs, "rationale": str, "illustrative": boolean}}
	schemas["DeploymentPlanRequest"] = respond.Obj{"type": "object", "additionalProperties": false, "required": []string{"actors"},
		"properties": respond.Obj{
			"name":          str,
			"start":         respond.Obj{"type": "string", "format": "date", "description": "Monday of week 1, at most 5 years before and 2 years after today; default the Monday after the newest observation."},
			"weeks":         respond.Obj{"type": "integer", "minimum": 1, "maximum": 52, "default": defaultPlanWeeks},
			"visit_minutes": respond.Obj{"type": "number", "minimum": 5, "maximum": 60, "default": defaultVisitMinutes},
			"per_shift":     respond.Obj{"type": "integer", "minimum": 2, "maximum": 5, "default": defaultPerShift},
			"k":             respond.Obj{"type": "number", "description": "Saturation constant, minutes per week (default 240)."},
			"max_dose":      respond.Obj{"type": "number", "description": "Most minutes per target per week, all actor types (default 420)."},
			"rest_after":    respond.Obj{"type": "integer", "minimum": 1, "maximum": 52, "default": 4},
			"rest_weeks":    respond.Obj{"type": "integer", "minimum": 0, "maximum": 52, "default": 2},
			"rest_factor":   respond.Obj{"type": "number", "minimum": 0, "maximum": 1, "default": 0.25},
			"seed":          respond.Obj{"type": "integer", "minimum": 0, "default": 1},
			"data_class": respond.Obj{"type": "string", "enum": []string{"internal", "restricted"},
				"description": "The plan's class, at most the caller's clearance: the targets are computed from rows of this class and below only, and the plan is read by who may read it. Default: every row the caller may read, and the plan gets the highest class among those it was computed from (at least internal; for targets given as items, the caller's clearance)."},
			"actors": respond.Obj{"type": "array", "minItems": 1, "items": respond.Obj{"type": "object", "additionalProperties": false,
				"required": []string{"type", "capacity"}, "properties": respond.Obj{
					"type":       str,
					"capacity":   respond.Obj{"type": "number", "description": "Per week, in the actor type's capacity_unit (hours, evenings or units)."},
					"categories": respond.Obj{"type": "array", "items": str, "description": "Override what it acts on."}}}},
			"targets": respond.Obj{"type": "object", "additionalProperties": false, "properties": respond.Obj{
				"kind": respond.Obj{"type": "string", "enum": []string{"places", "cells", "forecast"}, "default": "places",
					"description": "places: the public places by harm-weighted kernel density; cells: the Gi* hot spots (95 % or more) on harm-weighted hexagons; forecast: the top hexagons of next week's harm-weighted forecast (as /analysis/forecast?weighting=harm shows it; days is then its history, default 1,092 = 156 weeks)."},
				"side":      respond.Obj{"type": "number", "minimum": 50, "maximum": 5000, "default": 150, "description": "Hexagon side in metres (kinds cells and forecast)."},
				"top":       respond.Obj{"type": "integer", "minimum": 1, "maximum": maxPlanTargets, "default": defaultTopTargets},
				"days":      respond.Obj{"type": "integer", "minimum": 1, "maximum": 3650, "default": defaultRiskDays},
				"bandwidth": respond.Obj{"type": "number", "minimum": 50, "maximum": 5000, "default": 400},
				"place_ids": respond.Obj{"type": "array", "items": respond.Obj{"type": "integer"}},
				"items": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "additionalProperties": false, "required": []string{"id", "point", "risk"},
					"properties": respond.Obj{"id": str, "name": str, "point": respond.Obj{"type": "array", "minItems": 2, "maxItems": 2, "items": num}, "risk": numMap}}}}},
		}}
	planItem := respond.Obj{"type": "object", "required": []string{"actor_type", "target_id", "visits", "minutes"}, "properties": respond.Obj{
		"actor_type": str, "target_id": str, "visits": integer, "minutes": num}}
	schemas["DeploymentPlan"] = respond.Obj{"type": "object",
		"required": []string{"id", "data_class", "start", "weeks", "parameters", "actors", "targets", "plan", "expected_reduction", "risk", "uncovered", "links"},
		"properties": respond.Obj{
			"id": integer, "name": str, "created_at": respond.Obj{"type": "string", "format": "date-time"},
			"data_class": respond.Obj{"type": "string", "enum": []string{"internal", "restricted"}, "description": "Who may read the plan, its exports and doses: the highest class of the rows it was made from."},
			"start":      respond.Obj{"type": "string", "format": "date"}, "weeks": integer, "parameters": respond.Obj{"type": "object"}, "model": str,
			"risk_period": respond.Obj{"type": "object", "nullable": true, "properties": respond.Obj{"start": str, "end": str}},
			"categories":  strs,
			"actors": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "required": []string{"type", "capacity", "visits_per_week", "visit_minutes"},
				"properties": respond.Obj{"type": str, "name_sv": str, "name_en": str, "capacity": num, "capacity_unit": str,
					"visits_per_week": integer, "visit_minutes": num, "max_per_target": integer, "placement": boolean,
					"categories": strs, "shift_days": respond.Obj{"type": "array", "items": integer}, "shift_start": str, "shift_hours": num}}},
			"targets": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "required": []string{"id", "name", "point", "risk", "risk_total"},
				"properties": respond.Obj{"id": str, "place_id": respond.Obj{"type": "integer", "nullable": true}, "name": str,
					"point": respond.Obj{"type": "array", "items": num}, "risk": numMap, "risk_total": num,
					"planned_visits": integer, "planned_minutes": num, "expected_reduction": num}}},
			"plan": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "required": []string{"week", "start", "items"},
				"properties": respond.Obj{"week": integer, "start": respond.Obj{"type": "string", "format": "date"}, "expected_reduction": num, "risk": num,
					"used": intMap, "resting": strs, "items": respond.Obj{"type": "array", "items": planItem}}}},
			"expected_reduction": num, "risk": num, "share": num,
			"uncovered": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "required": []string{"target_id", "weeks_without_dose", "categories_without_actor"},
				"properties": respond.Obj{"target_id": str,
					"weeks_without_dose":       respond.Obj{"type": "object", "additionalProperties": integer, "description": "Weeks per reason: no_actor, resting, capacity_exhausted."},
					"categories_without_actor": strs, "residual_harm": num}}},
			"max_dose_reached": respond.Obj{"type": "array", "items": str, "description": "Targets that reached max_dose in some week: more dose was wanted there (max dose)."},
			"links":            respond.Ref("schemas/Links"), "notice": str,
		}}
	dose := respond.Obj{"type": "object", "required": []string{"id", "plan_id", "target_id", "actor_type", "started_at", "minutes", "tactic"},
		"properties": respond.Obj{"id": integer, "plan_id": integer, "target_id": str, "actor_type": str,
			"unit_code": respond.Obj{"type": "string", "nullable": true}, "started_at": respond.Obj{"type": "string", "format": "date-time"},
			"minutes": num, "tactic": str, "recorded_at": respond.Obj{"type": "string", "format": "date-time"},
			"data_class": respond.Obj{"type": "string", "enum": []string{"internal", "restricted"}, "description": "Its plan's."}}}
	schemas["Dose"] = dose
	schemas["DoseInput"] = respond.Obj{"type": "object", "additionalProperties": false,
		"required": []string{"plan_id", "target_id", "actor_type", "started_at", "minutes", "tactic"},
		"properties": respond.Obj{"plan_id": respond.Obj{"type": "integer", "minimum": 1}, "target_id": str,
			"actor_type": respond.Obj{"type": "string", "description": "One of the plan's actor types."},
			"unit_code": respond.Obj{"type": "string", "nullable": true, "pattern": "^[A-Z0-9][A-Z0-9-]{0,15}$",
				"description": "A patrol or team code with a digit (P12, NV-3); never a person's name."},
			"started_at": respond.Obj{"type": "string", "format": "date-time", "description": "Within the plan's weeks or the 52 weeks before them (the delivery view's longest baseline), and not in the future."},
			"minutes":    respond.Obj{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 240},
			"tactic":     respond.Obj{"type": "string", "enum": []string{"foot_patrol", "vehicle_patrol", "stationary_presence", "dialogue", "checks", "camera_placement"}}}}
	deliveryWeek := respond.Obj{"type": "object", "required": []string{"week", "start", "planned_minutes", "delivered_minutes", "observations", "harm"},
		"properties": respond.Obj{"week": integer, "start": str, "planned_visits": integer, "planned_minutes": num,
			"delivered_visits": integer, "delivered_minutes": num, "observations": integer, "harm": num}}

	paths["/deployment/actor-types"] = respond.Obj{"get": respond.Obj{"summary": "Actor types the planner allocates, with what they act on", "operationId": "getActorTypes", "tags": tag,
		"parameters": []respond.Obj{{"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"json"}}}},
		"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("The actor types.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"actor_types"},
			"properties": respond.Obj{"actor_types": respond.Obj{"type": "array", "items": respond.Ref("schemas/ActorType")}, "note": str}})}, respond.ProblemResponses("400"))}}
	paths["/deployment/plans"] = respond.Obj{"post": respond.Obj{"summary": "Plan capacity across hotspots week by week, and store the plan", "operationId": "createDeploymentPlan", "tags": tag,
		"requestBody": respond.Obj{"required": true, "content": respond.Obj{respond.MediaJSON: respond.Obj{"schema": respond.Ref("schemas/DeploymentPlanRequest")}}},
		"responses": respond.Merge(respond.Obj{"201": respond.Obj{"description": "The stored plan.", "headers": respond.Obj{"Location": respond.Obj{"schema": str}},
			"content": respond.Obj{respond.MediaJSON: respond.Obj{"schema": respond.Ref("schemas/DeploymentPlan")}}}}, respond.ProblemResponses("400", "415"))}}
	paths["/deployment/plans/{id}"] = respond.Obj{"get": respond.Obj{"summary": "A stored plan: JSON, CSV, GeoJSON map layer of targets, or iCalendar visit slots", "operationId": "getDeploymentPlan", "tags": tag,
		"parameters": []respond.Obj{planID, {"name": "f", "in": "query", "required": false, "schema": respond.Obj{"type": "string", "enum": []string{"json", "csv", "geojson", "ics"}},
			"description": fmt.Sprintf("ics: one event per visit, at most %d (400 beyond: use csv).", maxICSEvents)}},
		"responses": respond.Merge(respond.Obj{"200": respond.Obj{"description": "The plan.", "content": respond.Obj{
			respond.MediaJSON:    respond.Obj{"schema": respond.Ref("schemas/DeploymentPlan")},
			respond.MediaGeoJSON: respond.Obj{"schema": respond.Obj{"type": "object", "required": []string{"type", "features"}, "properties": respond.Obj{"type": str, "features": respond.Obj{"type": "array", "items": respond.Obj{"type": "object"}}, "plan_id": integer, "data_class": str, "numberReturned": integer, "notice": str}}},
			"text/csv":           respond.Obj{"schema": str},
			"text/calendar":      respond.Obj{"schema": str}}}}, respond.ProblemResponses("400", "404"))}}
	paths["/deployment/plans/{id}/delivery"] = respond.Obj{"get": respond.Obj{"summary": "Planned against delivered dose per target and week, with the observations there (crime and dosage)", "operationId": "getDeploymentDelivery", "tags": tag,
		"parameters": []respond.Obj{planID,
			{"name": "radius", "in": "query", "required": false, "schema": respond.Obj{"type": "number", "minimum": 10, "maximum": 5000}, "description": "Metres around a target for its observations; default the plan's bandwidth."},
			{"name": "baseline", "in": "query", "required": false, "schema": respond.Obj{"type": "integer", "minimum": 0, "maximum": 52}, "description": "Weeks before the plan to show; default the plan's length."}},
		"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("Per target and week.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"plan_id", "targets"}, "properties": respond.Obj{
			"plan_id": integer, "start": str, "weeks": integer, "radius": num, "baseline_weeks": integer, "planned_minutes": num, "delivered_minutes": num,
			"note": str, "notice": str,
			"targets": respond.Obj{"type": "array", "items": respond.Obj{"type": "object", "required": []string{"target_id", "name", "weeks"}, "properties": respond.Obj{
				"target_id": str, "name": str, "weeks": respond.Obj{"type": "array", "items": deliveryWeek}}}}}})}, respond.ProblemResponses("400", "404"))}}
	paths["/deployment/doses"] = respond.Obj{
		"post": respond.Obj{"summary": "Log visits actually made (all or nothing)", "operationId": "recordDoses", "tags": tag,
			"requestBody": respond.Obj{"required": true, "content": respond.Obj{respond.MediaJSON: respond.Obj{"schema": respond.Obj{"type": "object", "additionalProperties": false, "required": []string{"doses"},
				"properties": respond.Obj{"doses": respond.Obj{"type": "array", "minItems": 1, "items": respond.Ref("schemas/DoseInput")}}}}}},
			"responses": respond.Merge(respond.Obj{"201": respond.JSONResponse("The stored visits.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"doses"},
				"properties": respond.Obj{"doses": respond.Obj{"type": "array", "items": respond.Ref("schemas/Dose")}}})}, respond.ProblemResponses("400", "415"))},
		"get": respond.Obj{"summary": "Visits logged against a plan", "operationId": "getDoses", "tags": tag,
			"parameters": []respond.Obj{{"name": "plan", "in": "query", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 1}}},
			"responses": respond.Merge(respond.Obj{"200": respond.JSONResponse("The visits, in time order.", respond.MediaJSON, respond.Obj{"type": "object", "required": []string{"plan_id", "doses"},
				"properties": respond.Obj{"plan_id": integer, "doses": respond.Obj{"type": "array", "items": respond.Ref("schemas/Dose")}}})}, respond.ProblemResponses("400", "404"))},
	}
}
