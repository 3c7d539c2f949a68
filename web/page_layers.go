package web

import (
	"github.com/lagesbild/lagesbild/layers"
)

// The map page's layer panel and legends come from the catalogue: /karta/config.json carries
// one entry per layer that declares a Style, in catalogue order, and the page builds its
// switches, legends and (for a layer it has no drawing of its own for) its map layers from
// them. The list rides in config.json rather than in /collections because it is the page's
// presentation, not OGC metadata: the page loads config.json first anyway, it needs no
// database (the collections document computes every layer's extent), and the collections
// document stays what OGC API – Features says it is.

// pageLayer is one layer of the page's layer panel.
type pageLayer struct {
	ID string `json:"id"`
	// Title and TitleEN name the layer's switch (the Style's titles, else the layer's).
	Title        string `json:"title"`
	TitleEN      string `json:"titleEn"`
	GeometryType string `json:"geometryType"`
	// MapTile: the layer's features are in the combined map tile (source layer = ID);
	// otherwise the page draws them from the collection's own tiles.
	MapTile bool `json:"mapTile"`
	// Temporal: the collection's tiles take the datetime parameter.
	Temporal bool          `json:"temporal"`
	Colour   string        `json:"colour"`
	ColourBy string        `json:"colourBy,omitempty"`
	Legend   []legendEntry `json:"legend"`
}

// legendEntry is one line of a layer's legend (layers.LegendEntry on the wire).
type legendEntry struct {
	Colour    string `json:"colour"`
	Title     string `json:"title"`
	TitleEN   string `json:"titleEn"`
	Value     any    `json:"value,omitempty"`
	Aggregate bool   `json:"aggregate,omitempty"`
}

// pageLayers lists the layers of the page's layer panel: those with a Style, in catalogue order.
func pageLayers(cat *layers.Catalogue) []pageLayer {
	out := []pageLayer{}
	for _, l := range cat.Layers() {
		st := l.Style
		if st == nil {
			continue
		}
		p := pageLayer{ID: l.ID, Title: l.Title, TitleEN: l.TitleEN, GeometryType: l.GeometryType,
			MapTile: l.MapTile, Temporal: l.Temporal(), Colour: st.Colour, ColourBy: st.ColourBy, Legend: []legendEntry{}}
		if st.Title != "" {
			p.Title = st.Title
		}
		if st.TitleEN != "" {
			p.TitleEN = st.TitleEN
		}
		for _, e := range st.Legend {
			p.Legend = append(p.Legend, legendEntry{Colour: e.Colour, Title: e.Title, TitleEN: e.TitleEN, Value: e.Value, Aggregate: e.Aggregate})
		}
		out = append(out, p)
	}
	return out
}
