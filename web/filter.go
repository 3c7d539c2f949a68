package web

import (
	"net/url"

	"github.com/lagesbild/lagesbild/geo/cql2"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The filter languages of OGC API – Features Part 3.
const (
	filterText = "cql2-text"
	filterJSON = "cql2-json"
	// filterTextDraft is the draft's name of the text encoding, which GDAL sends.
	filterTextDraft = "cql-text"
)

// parseFilter reads the filter, filter-lang and filter-crs parameters: nil without a filter.
// The filter is parsed here, within cql2.DefaultLimits; whether the layer has what it names
// is the store's to check. Every problem is an *layers.InvalidError naming the parameter.
func parseFilter(v url.Values) (*layers.CQLFilter, error) {
	if !v.Has("filter") {
		for _, p := range []string{"filter-lang", "filter-crs"} {
			if v.Has(p) {
				return nil, invalid(p, "given without filter")
			}
		}
		return nil, nil
	}
	lang, err := respond.Format(v.Get("filter-lang"), filterText, filterText, filterJSON, filterTextDraft)
	if lang == filterTextDraft {
		lang = filterText
	}
	if err != nil {
		return nil, invalid("filter-lang", "unknown filter language %q; use %s or %s", v.Get("filter-lang"), filterText, filterJSON)
	}
	c, err := parseCRS("filter-crs", v.Get("filter-crs"))
	if err != nil {
		return nil, err
	}
	raw := v.Get("filter")
	var e *cql2.Expr
	if lang == filterJSON {
		e, err = cql2.ParseJSON([]byte(raw), cql2.DefaultLimits())
	} else {
		e, err = cql2.ParseText(raw, cql2.DefaultLimits())
	}
	if err != nil {
		return nil, invalid("filter", "%s: %v", lang, err)
	}
	return &layers.CQLFilter{Expr: e, CRS: c}, nil
}
