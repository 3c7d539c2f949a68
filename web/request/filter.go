package request

import (
	"net/url"

	"github.com/lagesbild/lagesbild/geo/cql2"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/respond"
)

// The filter languages of OGC API – Features Part 3.
const (
	FilterText = "cql2-text"
	FilterJSON = "cql2-json"
	// filterTextDraft is the draft's name of the text encoding, which GDAL sends.
	FilterTextDraft = "cql-text"
)

// Filter reads the filter, filter-lang and filter-crs parameters: nil without a filter.
// The filter is parsed here, within cql2.DefaultLimits; whether the layer has what it names
// is the store's to check. Every problem is an *layers.InvalidError naming the parameter.
func Filter(v url.Values) (*layers.CQLFilter, error) {
	if !v.Has("filter") {
		for _, p := range []string{"filter-lang", "filter-crs"} {
			if v.Has(p) {
				return nil, layers.Invalid(p, "given without filter")
			}
		}
		return nil, nil
	}
	lang, err := respond.Format(v.Get("filter-lang"), FilterText, FilterText, FilterJSON, FilterTextDraft)
	if lang == FilterTextDraft {
		lang = FilterText
	}
	if err != nil {
		return nil, layers.Invalid("filter-lang", "unknown filter language %q; use %s or %s", v.Get("filter-lang"), FilterText, FilterJSON)
	}
	c, err := CRS("filter-crs", v.Get("filter-crs"))
	if err != nil {
		return nil, err
	}
	raw := v.Get("filter")
	var e *cql2.Expr
	if lang == FilterJSON {
		e, err = cql2.ParseJSON([]byte(raw), cql2.DefaultLimits())
	} else {
		e, err = cql2.ParseText(raw, cql2.DefaultLimits())
	}
	if err != nil {
		return nil, layers.Invalid("filter", "%s: %v", lang, err)
	}
	return &layers.CQLFilter{Expr: e, CRS: c}, nil
}

// CanonicalFilter is a filter's normalised form for a cache key: its CQL2-JSON and its
// CRS, so the same filter in either encoding, spaced or cased differently, is one tile.
func CanonicalFilter(f *layers.CQLFilter) (string, error) {
	if f == nil {
		return "", nil
	}
	b, err := f.Expr.MarshalJSON()
	if err != nil {
		return "", layers.Invalid("filter", "%v", err)
	}
	return "cql=" + f.CRS.String() + ":" + string(b), nil
}
