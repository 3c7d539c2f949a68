package report

import "github.com/lagesbild/lagesbild/web/respond"

type obj = respond.Obj

// OpenAPI adds the weekly meeting's operations (GET /analysis/week, GET /report/week) and
// the Week schema.
func OpenAPI(paths, schemas obj) {
	period := []obj{
		respond.QueryParam("since", "The day of the last meeting (default: six days before to, so the week is seven days); at most 92 days before to.",
			obj{"type": "string", "format": "date"}),
		respond.QueryParam("to", "The last day counted (default: the day of the newest observation).", obj{"type": "string", "format": "date"}),
	}
	paths["/analysis/week"] = obj{"get": obj{
		"summary": "The weekly meeting (Veckans lägesbild): what changed since the last meeting",
		"description": "The agenda of the operational group's weekly EST meeting for the days since..to against the as long period before: " +
			"the places whose kernel density rose or fell most (as /analysis/hotspots/places), new and ended significant Gi* hot spots " +
			"(150 m hexagons, band 450 m, 95 % or more) one line per place, hot spot patterns of the emerging analysis of the twelve months " +
			"up to the meeting, planned against delivered visits per target of the plans in force, interventions starting, ending, and due " +
			"or overdue for follow-up. Every line links to the answer its numbers come from. Internal data; the figures depend on the " +
			"caller's clearance, which the answer states. At most 8 lines per list.",
		"operationId": "getWeek", "tags": []string{"Analysis"},
		"parameters": period,
		"responses": respond.Merge(obj{"200": obj{"description": "The agenda.", "content": obj{
			respond.MediaJSON: obj{"schema": respond.Ref("schemas/Week")},
		}}}, respond.ProblemResponses("400", "401", "403")),
	}}
	paths["/report/week"] = obj{"get": obj{
		"summary":     "The weekly meeting (Veckans lägesbild) as a printable page",
		"description": "The agenda of GET /analysis/week as one A4 page in Swedish or English, every line with its numbers and links; f=pdf prints it as the report is printed.",
		"operationId": "getWeekPage", "tags": []string{"Analysis"},
		"parameters": append(period,
			respond.QueryParam("lang", "Language.", obj{"type": "string", "enum": []string{"sv", "en"}, "default": "sv"}),
			respond.QueryParam("f", "html (default) or pdf.", obj{"type": "string", "enum": []string{"html", "pdf"}})),
		"responses": respond.Merge(obj{"200": obj{"description": "The printable agenda.", "content": obj{
			"text/html; charset=utf-8": obj{"schema": obj{"type": "string"}},
			"application/pdf":          obj{"schema": obj{"type": "string", "format": "binary"}},
		}}}, respond.ProblemResponses("400", "401", "403", "503")),
	}}
	str, num, integer := obj{"type": "string"}, obj{"type": "number"}, obj{"type": "integer"}
	date := obj{"type": "string", "format": "date"}
	link := obj{"type": "string", "format": "uri"}
	cell := obj{"type": "object", "properties": obj{
		"cell": str, "cells": integer, "centroid": obj{"type": "array", "items": num, "minItems": 2, "maxItems": 2},
		"district": str, "place": str, "z": num, "bin": integer, "count": integer, "previous_bin": integer, "previous_count": integer,
		"pattern": str, "trend_z": num, "hot_slices": integer, "link": link}}
	place := obj{"type": "object", "properties": obj{
		"id": integer, "name": str, "district": str, "count": integer, "previous_count": integer, "density": num, "previous_density": num,
		"change_pct": obj{"type": "number", "nullable": true}, "link": link, "item": link}}
	iv := obj{"type": "object", "properties": obj{
		"id": integer, "title": str, "status": str, "horizon": str, "lead": str,
		"start": obj{"type": "string", "format": "date", "nullable": true}, "end": obj{"type": "string", "format": "date", "nullable": true},
		"reason": obj{"type": "string", "enum": []string{"one_year", "ended_still_open"}}, "link": link, "followup": link}}
	list := func(item obj) obj { return obj{"type": "array", "items": item} }
	schemas["Week"] = obj{"type": "object", "required": []string{"since", "to", "days", "previous", "clearance", "places", "hotspots", "emerging", "presence", "interventions"},
		"properties": obj{
			"since": date, "to": date, "days": integer,
			"previous":                    obj{"type": "object", "properties": obj{"since": date, "to": date}},
			"clearance":                   obj{"type": "string", "enum": []string{"open", "internal", "restricted"}},
			"figures_depend_on_clearance": obj{"type": "boolean"},
			"min_count":                   integer,
			"places":                      obj{"type": "object", "properties": obj{"rising": list(place), "falling": list(place)}},
			"hotspots":                    obj{"type": "object", "properties": obj{"new": list(cell), "ended": list(cell)}},
			"emerging":                    list(cell),
			"presence": list(obj{"type": "object", "properties": obj{"id": integer, "name": str, "link": link,
				"targets": list(obj{"type": "object", "properties": obj{"id": str, "name": str, "planned_visits": integer,
					"delivered_visits": integer, "planned_minutes": num, "delivered_minutes": num}})}}),
			"interventions": obj{"type": "object", "properties": obj{"starting": list(iv), "ending": list(iv), "followup_due": list(iv)}},
			"links":         obj{"type": "object", "additionalProperties": link},
			"notice":        str,
		}}
}
