package web

import "github.com/lagesbild/lagesbild/web/respond"

// followupOpenAPI adds the follow-up analysis and the lägesbild report to the OpenAPI document.
func followupOpenAPI(paths, schemas obj) {
	num := obj{"type": "number"}
	numN := obj{"type": "number", "nullable": true}
	str := obj{"type": "string"}
	strN := obj{"type": "string", "nullable": true}
	intg := obj{"type": "integer"}
	arr := func(items obj) obj { return obj{"type": "array", "items": items} }
	object := func(required []string, props obj) obj {
		o := obj{"type": "object", "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	schemas["Followup"] = object([]string{"intervention", "target", "parameters", "periods", "series", "comparison", "estimate", "neighbours", "places", "indicators", "caveats"}, obj{
		"intervention": object([]string{"id", "title", "start_date"}, obj{"id": intg, "title": str, "category": str, "horizon": str, "status": str,
			"lead_org": str, "start_date": obj{"type": "string", "format": "date"}, "end_date": obj{"type": "string", "format": "date", "nullable": true}}),
		"target": object([]string{"method", "districts", "population"}, obj{"method": obj{"type": "string", "enum": []string{"districts", "buffer"}},
			"districts": arr(str), "buffer_m": numN, "population": num, "note": str}),
		"parameters": object(nil, obj{"period": str, "pre": intg, "post": intg, "weighting": str, "k": intg, "buffer_m": num, "draws": intg, "seed": intg}),
		"periods": arr(object([]string{"index", "start", "end", "phase"}, obj{"index": intg, "start": obj{"type": "string", "format": "date"},
			"end": obj{"type": "string", "format": "date"}, "phase": obj{"type": "string", "enum": []string{"pre", "post"}}})),
		"pre_periods": intg, "post_periods": intg, "unit": str,
		"series": arr(object([]string{"code", "role", "counts", "values"}, obj{"code": str, "name": str,
			"role":       obj{"type": "string", "enum": []string{"target", "comparison", "neighbour", "other"}},
			"population": numN, "counts": arr(intg), "values": arr(num)})),
		"comparison": arr(object([]string{"code", "distance"}, obj{"code": str, "name": str, "distance": num, "level": num, "slope": num, "level_z": num, "slope_z": num})),
		"excluded": arr(object([]string{"code", "reason"}, obj{"code": str,
			"reason": obj{"type": "string", "enum": []string{"target", "neighbour", "concurrent_same_category", "no_population"}}})),
		"estimate": obj{"type": "object", "nullable": true, "required": []string{"effect", "ci_low", "ci_high"}, "properties": obj{
			"effect": num, "ci_low": num, "ci_high": num, "level": num, "se": num, "draws": intg, "seed": intg, "block_pre": intg, "block_post": intg,
			"target_pre": num, "target_post": num, "comparison_pre": num, "comparison_post": num, "relative_pct": numN, "pre_trend_gap": num, "unit": str}},
		"neighbours": arr(object([]string{"code", "change", "sign"}, obj{"code": str, "name": str, "pre": num, "post": num, "change": num,
			"change_pct": numN, "did": numN, "ci_low": numN, "ci_high": numN,
			"sign": obj{"type": "string", "enum": []string{"displacement", "diffusion_of_benefit", "none"}}})),
		"places": arr(object([]string{"id", "name", "pre", "post"}, obj{"id": intg, "name": str, "kind": str, "district_code": strN,
			"role": obj{"type": "string", "enum": []string{"target", "neighbour"}}, "pre": num, "post": num, "change": num, "change_pct": numN})),
		"indicators": arr(object([]string{"key", "years", "target", "comparison"}, obj{"key": str, "name_sv": str, "name_en": str, "unit": str, "direction": str,
			"years": arr(intg), "target": arr(numN), "comparison": arr(numN), "did": numN})),
		"concurrent": obj{"type": "array", "nullable": true, "items": object([]string{"id", "title"}, obj{"id": intg, "title": str, "category": str,
			"start_date": strN, "end_date": strN, "districts": arr(str)})},
		"caveats":     arr(object([]string{"code", "sv", "en"}, obj{"code": str, "sv": str, "en": str})),
		"method_note": str, "notice": str, "timeStamp": obj{"type": "string", "format": "date-time"},
	})
	paths["/analysis/followup/{interventionId}"] = obj{"get": obj{
		"summary": "Follow-up of an intervention: observations and indicators before and after, against comparison districts, with a difference-in-differences estimate",
		"description": "Target: the intervention's target districts, or (without any) its geometry buffered. Comparison: the k districts nearest in standardised " +
			"pre-period level and slope, neighbours and districts with a concurrent intervention of the same category excluded. Estimate with a block " +
			"bootstrap interval (periods resampled within pre and post, seeded). Caveats in Swedish and English. f=csv exports the whole follow-up.",
		"operationId": "getFollowup", "tags": []string{"Analysis"},
		"parameters": []obj{
			{"name": "interventionId", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 1}},
			respond.QueryParam("period", "Length of a period, counted from the start date.", obj{"type": "string", "enum": []string{"month", "quarter"}, "default": "month"}),
			respond.QueryParam("pre", "Periods before the start (default 12 months or 4 quarters).", obj{"type": "integer", "minimum": 2, "maximum": 120}),
			respond.QueryParam("post", "Periods from the start (default 12 months or 4 quarters).", obj{"type": "integer", "minimum": 2, "maximum": 120}),
			respond.QueryParam("weighting", "count, or harm (see /analysis/harm-weights).", obj{"type": "string", "enum": []string{"count", "harm"}, "default": "count"}),
			respond.QueryParam("k", "Comparison districts.", obj{"type": "integer", "minimum": 1, "maximum": 10, "default": 3}),
			respond.QueryParam("buffer", "Buffer in metres around a geometry-only intervention.", obj{"type": "number", "minimum": 50, "maximum": 5000, "default": 500}),
			respond.QueryParam("draws", "Bootstrap draws.", obj{"type": "integer", "minimum": 100, "maximum": 20000, "default": 2000}),
			respond.QueryParam("seed", "Bootstrap seed.", obj{"type": "integer", "minimum": 0, "default": 1}),
			respond.QueryParam("f", "json (default) or csv.", obj{"type": "string", "enum": []string{"json", "csv"}}),
		},
		"responses": respond.Merge(obj{"200": obj{"description": "The follow-up.", "content": obj{
			respond.MediaJSON:         obj{"schema": respond.Ref("schemas/Followup")},
			"text/csv; charset=utf-8": obj{"schema": obj{"type": "string"}},
		}}}, respond.ProblemResponses("400", "404")),
	}}
	paths["/report"] = obj{"get": obj{
		"summary": "The municipal lägesbild document (Lag 2023:196, EST working method) for a period, as printable HTML",
		"description": "Sections: 1 lägesbild (observations by category and district, change against the previous period of the same length, police list of " +
			"vulnerable areas), 2 maps (server-rendered SVG: indicator choropleth, Gi* hot spots), 3 district comparison (need index), 4 hotspots (places), " +
			"5 action plan (interventions by horizon), 6 follow-up of started interventions. The illustrative-data notice on every page.",
		"operationId": "getReport", "tags": []string{"Analysis"},
		"parameters": []obj{
			respond.QueryParam("from", "First day of the period (default: a year before to).", obj{"type": "string", "format": "date"}),
			respond.QueryParam("to", "Last day of the period (default: the day of the newest observation).", obj{"type": "string", "format": "date"}),
			respond.QueryParam("lang", "Language.", obj{"type": "string", "enum": []string{"sv", "en"}, "default": "sv"}),
			respond.QueryParam("indicator", "Indicator of the choropleth map (default low_economic_standard or the first).", obj{"type": "string"}),
			respond.QueryParam("scenario", "Priority scenario of the district comparison.", obj{"type": "string", "default": "polisen"}),
			respond.QueryParam("f", "html (default) or pdf (printed by at most 2 Chromium processes at once; 503 with Retry-After when both are busy).", obj{"type": "string", "enum": []string{"html", "pdf"}}),
		},
		"responses": respond.Merge(obj{"200": obj{"description": "The report.", "content": obj{
			"text/html; charset=utf-8": obj{"schema": obj{"type": "string"}},
			"application/pdf":          obj{"schema": obj{"type": "string", "format": "binary"}},
		}}}, respond.ProblemResponses("400", "503")),
	}}
}
