package analysis

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/lagesbild/lagesbild/web/respond"
)

// The priority answer as GeoJSON (the areas with their geometry) and CSV (one row an area).

func priorityGeoJSON(res *priorityResult, geoms map[string]json.RawMessage) []byte {
	type feature struct {
		Type       string          `json:"type"`
		ID         string          `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties respond.Obj     `json:"properties"`
	}
	fs := make([]feature, 0, len(res.Districts))
	for _, d := range res.Districts {
		g := geoms[d.Code]
		if g == nil {
			g = json.RawMessage("null")
		}
		props := respond.Obj{"code": d.Code, "name": d.Name, "index": d.Index, "rank": d.Rank, "ranked": d.Ranked,
			"coverage": d.Coverage, "change": d.Change, "early_warning": d.EarlyWarning, "feasibility": d.Feasibility,
			"feasibility_rank": d.FeasRank, "quadrant": d.Quadrant, "pilot": d.Pilot, "area_type": d.AreaType,
			"police_class": d.PoliceClass}
		if d.Sensitivity != nil {
			props["median_rank"], props["p05"], props["p95"], props["p_top_k"] = d.Sensitivity.MedianRank, d.Sensitivity.P05, d.Sensitivity.P95, d.Sensitivity.PTopK
		}
		fs = append(fs, feature{Type: "Feature", ID: d.Code, Geometry: g, Properties: props})
	}
	return respond.JSON(respond.Obj{"type": "FeatureCollection", "features": fs, "numberReturned": len(fs),
		"year": res.Year, "normalisation": res.Normalisation, "aggregation": res.Aggregation, "preset": res.Preset,
		"notice": res.Notice, "timeStamp": res.TimeStamp})
}

func priorityCSV(res *priorityResult) []byte {
	var b bytes.Buffer
	w := respond.NewCSVWriter(&b)
	head := []string{"code", "name", "index", "rank", "coverage", "base_index", "change", "early_warning", "area_type",
		"feasibility", "feasibility_rank", "quadrant", "pilot", "median_rank", "p05", "p95", "p_top_k"}
	for _, ind := range res.Indicators {
		head = append(head, "contribution_"+ind.Key)
	}
	_ = w.Write(head)
	num := func(v respond.Float) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', 10, 64)
	}
	integer := func(v *int) string {
		if v == nil {
			return ""
		}
		return strconv.Itoa(*v)
	}
	for _, d := range res.Districts {
		row := []string{d.Code, d.Name, num(d.Index), integer(d.Rank), num(&d.Coverage), num(d.BaseIndex), num(d.Change),
			strconv.FormatBool(d.EarlyWarning), integer(d.AreaType), num(d.Feasibility), integer(d.FeasRank), d.Quadrant,
			strconv.FormatBool(d.Pilot)}
		if s := d.Sensitivity; s != nil {
			row = append(row, num(&s.MedianRank), num(&s.P05), num(&s.P95), num(&s.PTopK))
		} else {
			row = append(row, "", "", "", "")
		}
		for _, ind := range res.Indicators {
			row = append(row, num(d.Contributions[ind.Key]))
		}
		_ = w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}
