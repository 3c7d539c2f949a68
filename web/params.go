package web

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Output formats chosen with ?f=.
const (
	formatJSON = "json"
	formatCSV  = "csv"
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
	case "f", "bbox", "bbox-crs", "datetime", "limit", "offset", "crs", "sortby", "properties",
		"filter", "filter-lang", "filter-crs":
		return true
	}
	return false
}

// parseItems parses the items query string against layer l. Every problem is an
// *layers.InvalidError naming the parameter.
func parseItems(l *layers.Layer, v url.Values) (*itemsRequest, error) {
	r := &itemsRequest{format: formatJSON}
	for name, vals := range v {
		if len(vals) > 1 {
			return nil, invalid(name, "given %d times; give it once", len(vals))
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
	if r.format, err = respond.Format(v.Get("f"), formatJSON, "geojson", formatCSV); err != nil {
		return nil, err
	}
	if r.format == "geojson" {
		r.format = formatJSON
	}
	if r.query.CRS, err = parseCRS("crs", v.Get("crs")); err != nil {
		return nil, err
	}
	if v.Has("bbox") {
		bboxCRS, err := parseCRS("bbox-crs", v.Get("bbox-crs"))
		if err != nil {
			return nil, err
		}
		if r.query.BBox, err = parseBBox(v.Get("bbox"), bboxCRS); err != nil {
			return nil, err
		}
	} else if v.Has("bbox-crs") {
		return nil, invalid("bbox-crs", "given without bbox")
	}
	if v.Has("datetime") {
		if r.query.Datetime, err = parseDatetime(v.Get("datetime")); err != nil {
			return nil, err
		}
	}
	if r.query.Limit, err = respond.Int("limit", v.Get("limit"), layers.DefaultLimit, 1, layers.MaxLimit); err != nil {
		return nil, err
	}
	if r.query.Offset, err = respond.Int("offset", v.Get("offset"), 0, 0, math.MaxInt32); err != nil {
		return nil, err
	}
	if s := v.Get("sortby"); v.Has("sortby") {
		for _, key := range strings.Split(s, ",") {
			key = strings.TrimSpace(key)
			desc := strings.HasPrefix(key, "-")
			key = strings.TrimLeft(key, "+-")
			if key == "" {
				return nil, invalid("sortby", "empty sort key")
			}
			r.query.SortBy = append(r.query.SortBy, layers.SortKey{Property: key, Desc: desc})
		}
	}
	if r.query.CQL, err = parseFilter(v); err != nil {
		return nil, err
	}
	r.query.Properties = listParam(v, "properties")
	if r.format == formatCSV {
		r.query.Geometry = layers.WKTGeometry
	}
	return r, nil
}

// listParam is the comma-separated list in parameter name: nil when v lacks the parameter,
// empty but not nil when it lists nothing (properties= asks for no properties).
func listParam(v url.Values, name string) []string {
	if !v.Has(name) {
		return nil
	}
	return append([]string{}, respond.SplitList(v.Get(name))...)
}

func parseCRS(param, raw string) (crs.CRS, error) {
	if raw == "" {
		return crs.CRS84, nil
	}
	c, err := crs.ParseURI(raw)
	if err != nil || (c != crs.CRS84 && c != crs.SWEREF99TM) {
		return 0, invalid(param, "unsupported CRS %q; use %s or %s", raw, crs.CRS84.URI(), crs.SWEREF99TM.URI())
	}
	return c, nil
}

// parseBBox parses "minx,miny,maxx,maxy" (or the six-number 3D form, whose heights are
// ignored). Boxes crossing the antimeridian are refused: nothing here is near it.
func parseBBox(raw string, c crs.CRS) (*layers.BBox, error) {
	parts := strings.Split(raw, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, invalid("bbox", "want 4 numbers minx,miny,maxx,maxy, got %d values", len(parts))
	}
	nums := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, invalid("bbox", "%q is not a number", p)
		}
		nums[i] = f
	}
	if len(nums) == 6 {
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	}
	b := &layers.BBox{MinX: nums[0], MinY: nums[1], MaxX: nums[2], MaxY: nums[3], CRS: c}
	if b.MinX > b.MaxX || b.MinY > b.MaxY {
		return nil, invalid("bbox", "minimum greater than maximum")
	}
	if c == crs.CRS84 && (b.MinX < -180 || b.MaxX > 180 || b.MinY < -90 || b.MaxY > 90) {
		return nil, invalid("bbox", "longitude must be within -180..180 and latitude within -90..90")
	}
	return b, nil
}

// parseDatetime parses an RFC 3339 instant or interval as in OGC API – Features:
// "t", "t1/t2", "../t2", "t1/..", with "" also meaning open. A date without a time means the
// whole day: as an instant or interval start it begins at 00:00Z, as an end it runs to 24:00Z.
func parseDatetime(raw string) (*layers.Interval, error) {
	start, end, isInterval := strings.Cut(raw, "/")
	if !isInterval {
		t0, dayOnly, err := parseTime(start)
		if err != nil {
			return nil, err
		}
		t1 := t0
		if dayOnly {
			t1 = t0.Add(24*time.Hour - time.Nanosecond)
		}
		return &layers.Interval{Start: &t0, End: &t1}, nil
	}
	var iv layers.Interval
	if start != ".." && start != "" {
		t, _, err := parseTime(start)
		if err != nil {
			return nil, err
		}
		iv.Start = &t
	}
	if end != ".." && end != "" {
		t, dayOnly, err := parseTime(end)
		if err != nil {
			return nil, err
		}
		if dayOnly {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		iv.End = &t
	}
	if iv.Start == nil && iv.End == nil {
		return nil, invalid("datetime", "an interval needs at least one end; leave datetime out to select all")
	}
	if iv.Start != nil && iv.End != nil && iv.Start.After(*iv.End) {
		return nil, invalid("datetime", "interval start %s is after its end %s", start, end)
	}
	return &iv, nil
}

func parseTime(s string) (t time.Time, dayOnly bool, err error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), false, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, nil
	}
	return time.Time{}, false, invalid("datetime", "%q is not an RFC 3339 date-time (e.g. 2023-05-01T18:00:00Z) or date (2023-05-01)", s)
}
