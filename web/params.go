package web

import (
	"math"
	"net/url"
	"strings"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// itemsRequest is a parsed items query.
type itemsRequest struct {
	query  layers.Query
	format string
}

// itemParams are the standard parameters of the items endpoint; any other parameter must be
// a filterable property of the collection.
func isItemParam(name string) bool {
	switch name {
	case "f", "bbox", "bbox-crs", "datetime", "limit", "offset", "numberMatched", "crs", "sortby", "properties",
		"filter", "filter-lang", "filter-crs":
		return true
	}
	return false
}

// parseItems parses the items query string against layer l. Every problem is an
// *layers.InvalidError naming the parameter.
func parseItems(l *layers.Layer, v url.Values) (*itemsRequest, error) {
	r := &itemsRequest{format: request.FormatJSON}
	for name, vals := range v {
		if len(vals) > 1 {
			return nil, layers.Invalid(name, "given %d times; give it once", len(vals))
		}
		if isItemParam(name) {
			continue
		}
		f, err := l.ParseFilter(name, vals[0])
		if err != nil {
			return nil, err
		}
		r.query.Filters = append(r.query.Filters, f)
	}
	var err error
	if r.format, err = respond.Format(v.Get("f"), request.FormatJSON, "geojson", request.FormatCSV); err != nil {
		return nil, err
	}
	if r.format == "geojson" {
		r.format = request.FormatJSON
	}
	if r.query.CRS, err = request.CRS("crs", v.Get("crs")); err != nil {
		return nil, err
	}
	if v.Has("bbox") {
		bboxCRS, err := request.CRS("bbox-crs", v.Get("bbox-crs"))
		if err != nil {
			return nil, err
		}
		if r.query.BBox, err = request.BBox(v.Get("bbox"), bboxCRS); err != nil {
			return nil, err
		}
	} else if v.Has("bbox-crs") {
		return nil, layers.Invalid("bbox-crs", "given without bbox")
	}
	if v.Has("datetime") {
		if r.query.Datetime, err = request.Datetime(v.Get("datetime")); err != nil {
			return nil, err
		}
	}
	if r.query.Limit, err = respond.Int("limit", v.Get("limit"), layers.DefaultLimit, 1, layers.MaxLimit); err != nil {
		return nil, err
	}
	if r.query.Offset, err = respond.Int("offset", v.Get("offset"), 0, 0, math.MaxInt32); err != nil {
		return nil, err
	}
	switch v.Get("numberMatched") {
	case "true":
		r.query.Count = true
	case "", "false":
	default:
		return nil, layers.Invalid("numberMatched", "must be true or false")
	}
	if s := v.Get("sortby"); v.Has("sortby") {
		for _, key := range strings.Split(s, ",") {
			key = strings.TrimSpace(key)
			desc := strings.HasPrefix(key, "-")
			key = strings.TrimLeft(key, "+-")
			if key == "" {
				return nil, layers.Invalid("sortby", "empty sort key")
			}
			r.query.SortBy = append(r.query.SortBy, layers.SortKey{Property: key, Desc: desc})
		}
	}
	if r.query.CQL, err = request.Filter(v); err != nil {
		return nil, err
	}
	r.query.Properties = request.List(v, "properties")
	if r.format == request.FormatCSV {
		r.query.Geometry = layers.WKTGeometry
	}
	return r, nil
}
