package analysis

import "github.com/lagesbild/lagesbild/web/respond"

// followupOpenAPI adds the follow-up analysis and the lägesbild report to the OpenAPI document.
func followupOpenAPI(paths, schemas respond.Obj) {
	num := respond.Obj{"type": "number"}
	numN := respond.Obj{"type": "number", "nullable": true}
	str := respond.Obj{"type": "string"}
	strN := respond.Obj{"type": "string", "nullable": true}
	intg := respond.Obj{"type": "integer"}
	arr := func(items respond.Obj) respond.Obj { return respond.Obj{"type": "array", "items": items} }
	object := func(required []string, props respond.Obj) respond.Obj {
		o := respond.Obj{"type": "object", "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	schemas["Followup"] = object([]string{"intervention", "target", "parameters", "periods", "series", "comparison", "estimate", "neighbours", "places", "indicators", "caveats"}, respond.Obj{
		"intervention": object([]string{"id", "title", "start_date"}, respond.Obj{"id": intg, "title": str, "category": str, "horizon": str, "status": str,
			"lead_org": str, "start_date": respond.Obj{"type": "string", "format": "date"}, "end_date": respond.Obj{"type": "string", "format": "date", "nullable": true}}),
		"target": object([]string{"method", "districts", "population"}, respond.Obj{"method": respond.Obj{"type": "string", "enum": []string{"districts", "buffer"}},
			"districts": arr(str), "buffer_m": numN, "population": num, "note": str}),
		"parameters": object(nil, respond.Obj{"period": str, "pre": intg, "post": intg, "weighting": str, "k": intg, "buffer_m": num, "draws": intg, "seed": intg}),
		"periods": arr(object([]string{"index", "start", "end", "phase"}, respond.Obj{"index": intg, "start": respond.Obj{"type": "string", "format": "date"},
			"end": respond.Obj{"type": "string", "format": "date"}, "phase": respond.Obj{"type": "string", "enum": []string{"pre", "post"}}})),
		"pre_periods": intg, "post_periods": intg, "unit": str,
		"series": arr(object([]string{"code", "role", "counts", "values"}, respond.Obj{"code": str, "name": str,
			"role":       respond.Obj{"type": "string", "enum": []string{"target", "comparison", "neighbour", "other"}},
			"population": numN, "counts": arr(intg), "values": arr(num)})),
		"comparison": arr(object([]string{"code", "distance"}, respond.Obj{"code": str, "name": str, "distance": num, "level": num, "slope": num, "level_z": num, "slope_z": num})),
		"excluded": arr(object([]string{"code", "reason"}, respond.Obj{"code": str,
			"reason": respond.Obj{"type": "string", "enum": []string{"target", "neighbour", "concurrent_same_category", "no_population"}}})),
		"estimate": respond.Obj{"type": "object", "nullable": true, "required": []string{"effect", "ci_low", "ci_high"}, "properties": respond.Obj{
			"effect": num, "ci_low": num, "ci_high": num, "level": num, "se": num, "draws": intg, "seed": intg, "block_pre": intg, "block_post": intg,
			"target_pre": num, "target_post": num, "comparison_pre": num, "comparison_post": num, "relative_pct": numN, "pre_trend_gap": num, "unit": str}},
		"neighbours": arr(object([]string{"code", "change", "sign"}, respond.Obj{"code": str, "name": str, "pre": num, "post": num, "change": num,
			"change_pct": numN, "did": numN, "ci_low": numN, "ci_high": numN,
			"sign": respond.Obj{"type": "string", "enum": []string{"displacement", "diffusion_of_benefit", "none"}}})),
		"places": arr(object([]string{"id", "name", "pre", "post"}, respond.Obj{"id": intg, "name": str, "kind": str, "district_code": strN,
			"role": respond.Obj{"type": "string", "enum": []string{"target", "neighbour"}}, "pre": num, "post": num, "change": num, "change_pct": numN})),
		"indicators": arr(object([]string{"key", "years", "target", "comparison"}, respond.Obj{"key": str, "name_sv": str, "name_en": str, "unit": str, "direction": str,
			"years": arr(intg), "target": arr(numN), "comparison": arr(numN), "did": numN})),
		"concurrent": respond.Obj{"type": "array", "nullable": true, "items": object([]string{"id", "title"}, respond.Obj{"id": intg, "title": str, "category": str,
			"start_date": strN, "end_date": strN, "districts": arr(str)})},
		"caveats":     arr(object([]string{"code", "sv", "en"}, respond.Obj{"code": str, "sv": str, "en": str})),
		"method_note": str, "notice": str, "timeStamp": respond.Obj{"type": "string", "format": "date-time"},
	})
	paths["/analysis/followup/{interventionId}"] = respond.Obj{"get": respond.Obj{
		"summary": "Follow-up of an intervention: observations and indicators before and after, against comparison districts, with a difference-in-differences estimate",
		"description": "Target: the intervention's target districts, or (without any) its geometry buffered. Comparison: the k districts nearest in standardised " +
			"pre-period level and slope, neighbours and districts with a concurrent intervention of the same category excluded. Estimate with a block " +
			"bootstrap interval (periods resampled within pre and post, seeded). Caveats in Swedish and English. f=csv exports the whole follow-up.",
		"operationId": "getFollowup", "tags": []string{"Analysis"},
		"parameters": []respond.Obj{
			{"name": "interventionId", "in": "path", "required": true, "schema": respond.Obj{"type": "integer", "minimum": 1}},
			respond.QueryParam("period", "Length of a period, counted from the start date.", respond.Obj{"type": "string", "enum": []string{"month", "quarter"}, "default": "month"}),
			respond.QueryParam("pre", "Periods before the start (default 12 months or 4 quarters).", respond.Obj{"type": "integer", "minimum": 2, "maximum": 120}),
			respond.QueryParam("post", "Periods from the start (default 12 months or 4 quarters).", respond.Obj{"type": "integer", "minimum": 2, "maximum": 120}),
			respond.QueryParam("weighting", "count, or harm (see /analysis/harm-weights).", respond.Obj{"type": "string", "enum": []string{"count", "harm"}, "default": "count"}),
			respond.QueryParam("k", "Comparison districts.", respond.Obj{"type": "integer", "minimum": 1, "maximum": 10, "default": 3}),
			respond.QueryParam("buffer", "Buffer in metres around a geometry-only intervention.", respond.Obj{"type": "number", "minimum": 50, "maximum": 5000, "default": 500}),
			respond.QueryParam("draws", "Bootstrap draws.", respond.Obj{"type": "integer", "minimum": 100, "maximum": 20000, "default": 2000}),
			respond.QueryParam("seed", "Bootstrap seed.", respond.Obj{"type": "integer", "minimum": 0, "default": 1}),
			respond.QueryParam("f", "json (default) or csv.", respond.Obj{"type": "string", "enum": []string{"json", "csv"}}),
		},
		"responses": respond.Merge(respond.Obj{"200": respond.Obj{"description": "The follow-up.", "content": respond.Obj{
			respond.MediaJSON:         respond.Obj{"schema": respond.Ref("schemas/Followup")},
			"text/csv; charset=utf-8": respond.Obj{"schema": respond.Obj{"type": "string"}},
		}}}, respond.ProblemResponses("400", "404")),
	}}
	paths["/report"] = respond.Obj{"get": respond.Obj{
		"summary": "The municipal lägesbild document (Lag 2023:196, EST working method) for a period, as printable HTML",
		"description": "Sections: 1 lägesbild (observations by category and district, change against the previous period of the same length, police list of " +
			"vulnerable areas), 2 maps (server-rendered SVG: indicator choropleth, Gi* hot spots), 3 district comparison (need index), 4 hotspots (places), " +
			"5 action plan (interventions by horizon), 6 follow-up of started interventions. The illustrative-data notice on every page.",
		"operationId": "getReport", "tags": []string{"Analysis"},
		"parameters": []respond.Obj{
			respond.QueryParam("from", "First day of the period (default: a year before to).", respond.Obj{"type": "string", "format": "date"}),
			respond.QueryParam("to", "Last day of the period (default: the day of the newest observation).", respond.Obj{"type": "string", "format": "date"}),
			respond.QueryParam("lang", "Language.", respond.Obj{"type": "string", "enum": []string{"sv", "en"}, "default": "sv"}),
			respond.QueryParam("indicator", "Indicator of the choropleth map (default low_economic_standard or the first).", respond.Obj{"type": "string"}),
			respond.QueryParam("scenario", "Priority scenario of the district comparison.", respond.Obj{"type": "string", "default": "polisen"}),
			respond.QueryParam("f", "html (default) or pdf (printed by at most 2 Chromium processes at once; 503 with Retry-After when both are busy).", respond.Obj{"type": "string", "enum": []string{"html", "pdf"}}),
		},
		"responses": respond.Merge(respond.Obj{"200": respond.Obj{"description": "The report.", "content": respond.Obj{
			"text/html; charset=utf-8": respond.Obj{"schema": respond.Obj{"type": "string"}},
			"application/pdf":          respond.Obj{"schema": respond.Obj{"type": "string", "format": "binary"}},
		}}}, respond.ProblemResponses("400", "503")),
	}}
}
