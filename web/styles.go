package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

// Style documents, in the manner of OGC API – Styles: /styles lists the styles, and
// /styles/karta is a MapLibre / Mapbox GL style (version 8) that draws the map page's layers
// as the page draws them, from this server's tiles, so QGIS (a vector tile connection with a
// style URL) or any MapLibre client shows the page's map. It is built from the catalogue's
// Style declarations with the page's drawing rules (web/page/src/map.js): a change to one
// needs the other (TestStyleMatchesPage compares the pixels). The style needs no glyphs and
// no sprites (no text, no icons), so nothing outside this server is asked for.

const (
	styleID    = "karta"
	styleTitle = "Karta"
	// pageBackground is the page's map background without a base map.
	pageBackground = "#f1f3f5"
)

// pageDrawn are the layers map.js draws with drawings of their own; any other declared
// layer is drawn as addDeclaredLayers does.
var pageDrawn = map[string]bool{"districts": true, "places": true, "observations": true, "interventions": true}

// styleLayer is one layer of a style document.
type styleLayer = map[string]any

// colourOf is the paint colour of a Style: its Colour, or a match on ColourBy over the legend
// entries that key a value with Colour for any other value (map.js colourOf).
func colourOf(st *layers.Style) any {
	m := []any{"match", []any{"get", st.ColourBy}}
	for _, e := range st.Legend {
		if e.Value != nil {
			m = append(m, e.Value, e.Colour)
		}
	}
	if st.ColourBy == "" || len(m) == 2 {
		return st.Colour
	}
	return append(m, st.Colour)
}

// styleTitleOf is the Swedish title of a styled layer: the Style's, else the layer's.
func styleTitleOf(l *layers.Layer) string {
	if l.Style.Title != "" {
		return l.Style.Title
	}
	return l.Title
}

// mapStyle builds the style document with absolute tile URLs under base.
func mapStyle(cat *layers.Catalogue, base string) map[string]any {
	sources := map[string]any{
		"base": map[string]any{"type": "vector", "tiles": []string{base + "/tiles/WebMercatorQuad/{z}/{y}/{x}"}, "minzoom": 0, "maxzoom": 16},
	}
	src := func(l *layers.Layer) styleLayer {
		if l.MapTile {
			return styleLayer{"source": "base", "source-layer": l.ID}
		}
		id := "collection-" + l.ID
		sources[id] = map[string]any{"type": "vector", "minzoom": 0, "maxzoom": 16,
			"tiles": []string{base + "/collections/" + l.ID + "/tiles/WebMercatorQuad/{z}/{y}/{x}"}}
		return styleLayer{"source": id, "source-layer": l.ID}
	}
	add := func(out []styleLayer, l *layers.Layer, id, typ, title string, filter any, paint map[string]any) []styleLayer {
		sl := styleLayer{"id": id, "type": typ, "paint": paint, "metadata": map[string]any{"title": title}}
		for k, v := range src(l) {
			sl[k] = v
		}
		if filter != nil {
			sl["filter"] = filter
		}
		return append(out, sl)
	}
	polygon := []any{"==", []any{"geometry-type"}, "Polygon"}
	polyOrLine := []any{"in", []any{"geometry-type"}, []any{"literal", []string{"Polygon", "LineString"}}}
	point := []any{"==", []any{"geometry-type"}, "Point"}

	out := []styleLayer{{"id": "background", "type": "background", "paint": map[string]any{"background-color": pageBackground},
		"metadata": map[string]any{"title": "Bakgrund"}}}
	byID := map[string]*layers.Layer{}
	var declared []*layers.Layer
	for _, l := range cat.Layers() {
		if l.Style == nil || !l.HasGeometry() {
			continue
		}
		byID[l.ID] = l
		if !pageDrawn[l.ID] {
			declared = append(declared, l)
		}
	}
	// Bottom to top as on the page: districts, the other declared layers, interventions,
	// observations, places.
	if l := byID["districts"]; l != nil {
		t := styleTitleOf(l)
		out = add(out, l, "districts-fill", "fill", t, nil, map[string]any{"fill-color": l.Style.Colour, "fill-opacity": 1})
		out = add(out, l, "districts-line", "line", t+" (gräns)", nil, map[string]any{"line-color": "#343a40", "line-width": 1})
	}
	for _, l := range declared {
		t, c := styleTitleOf(l), colourOf(l.Style)
		out = add(out, l, l.ID+"-fill", "fill", t, polygon, map[string]any{"fill-color": c, "fill-opacity": 0.25})
		out = add(out, l, l.ID+"-line", "line", t+" (linje)", polyOrLine, map[string]any{"line-color": c, "line-width": 2})
		out = add(out, l, l.ID+"-circle", "circle", t+" (punkt)", point, map[string]any{"circle-color": c, "circle-radius": 6,
			"circle-stroke-color": "#000000", "circle-stroke-width": 1})
	}
	if l := byID["interventions"]; l != nil {
		t, c := styleTitleOf(l), colourOf(l.Style)
		out = add(out, l, "interventions-fill", "fill", t, polygon, map[string]any{"fill-color": c, "fill-opacity": 0.25})
		out = add(out, l, "interventions-line", "line", t+" (linje)", polyOrLine, map[string]any{"line-color": c, "line-width": 2,
			"line-dasharray": []int{2, 1}})
		out = add(out, l, "interventions-point", "circle", t+" (punkt)", point, map[string]any{"circle-color": c, "circle-radius": 7,
			"circle-stroke-color": "#000000", "circle-stroke-width": 1.5})
	}
	if l := byID["observations"]; l != nil {
		t, cell := styleTitleOf(l), l.Style.Colour
		for _, e := range l.Style.Legend {
			if e.Aggregate {
				cell = e.Colour
			}
		}
		out = add(out, l, "obs-cells", "circle", t+" (antal per ruta)", []any{"has", "count"}, map[string]any{
			"circle-color": cell, "circle-opacity": 0.75,
			"circle-radius":       []any{"interpolate", []any{"linear"}, []any{"sqrt", []any{"get", "count"}}, 1, 2, 10, 9, 40, 22},
			"circle-stroke-color": "#4a1d3a", "circle-stroke-width": 0.5})
		out = add(out, l, "obs-points", "circle", t, []any{"!", []any{"has", "count"}}, map[string]any{
			"circle-color": colourOf(l.Style), "circle-radius": 4, "circle-stroke-color": "#333333", "circle-stroke-width": 0.5})
	}
	if l := byID["places"]; l != nil {
		out = add(out, l, "places-circle", "circle", styleTitleOf(l), nil, map[string]any{"circle-color": colourOf(l.Style),
			"circle-radius": 5, "circle-stroke-color": "#1d3557", "circle-stroke-width": 2})
	}
	return map[string]any{
		"version": 8, "name": "Lägesbild – " + styleTitle,
		"metadata": map[string]any{"description": "Kartsidans lager med kartsidans färger, från serverns vektortiles."},
		"center":   []float64{16.54, 59.61}, "zoom": 10.5,
		"sources": sources, "layers": out,
	}
}

// styles serves GET /styles: the list of styles (one).
func (s *Server) styles(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	if _, err := respond.Format(c.QueryParam("f"), request.FormatJSON); err != nil {
		return err
	}
	base := s.baseURL(c)
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, map[string]any{
		"links": []respond.Link{{Href: base + "/styles", Rel: "self", Type: respond.MediaJSON, Title: "Stilar"}},
		"styles": []map[string]any{{"id": styleID, "title": styleTitle + ": kartsidans lager och färger",
			"links": []respond.Link{{Href: base + "/styles/" + styleID, Rel: "stylesheet", Type: respond.MediaJSON, Title: "MapLibre / Mapbox GL-stil (version 8)"}}}},
	})
}

// style serves GET /styles/{styleId}: the style document.
func (s *Server) style(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	if _, err := respond.Format(c.QueryParam("f"), "mapbox", "mapbox"); err != nil {
		return err
	}
	if id := c.Param("styleId"); id != styleID {
		return fmt.Errorf("style %q (only %s is served): %w", id, styleID, layers.ErrNotFound)
	}
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, mapStyle(s.cat, s.baseURL(c)))
}

// styleRoutes registers the style endpoints.
func (s *Server) styleRoutes(get func(string, echo.HandlerFunc)) {
	get("/styles", s.styles)
	get("/styles/:styleId", s.style)
}

// stylesOpenAPI adds the style endpoints to the OpenAPI document.
func stylesOpenAPI(paths obj) {
	tags := []string{"Tiles"}
	paths["/styles"] = obj{"get": obj{"summary": "The map styles", "operationId": "getStyles", "tags": tags,
		"description": "The style documents this server serves (OGC API – Styles): one, the map page's layers and colours.",
		"parameters":  []obj{{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"json"}}}},
		"responses": respond.Merge(obj{"200": respond.JSONResponse("The styles.", respond.MediaJSON, obj{"type": "object",
			"required": []string{"styles", "links"}, "properties": obj{
				"links":  obj{"type": "array", "items": respond.Ref("schemas/Link")},
				"styles": obj{"type": "array", "items": obj{"type": "object", "properties": obj{"id": obj{"type": "string"}, "title": obj{"type": "string"}, "links": obj{"type": "array", "items": respond.Ref("schemas/Link")}}}}}})},
			respond.ProblemResponses("400"))}}
	paths["/styles/{styleId}"] = obj{"get": obj{"summary": "A map style (MapLibre / Mapbox GL)", "operationId": "getStyle", "tags": tags,
		"description": "A MapLibre / Mapbox GL style (version 8) drawing the map page's layers with its colours from this server's vector tiles, for QGIS's vector tile connections and MapLibre clients. No glyphs or sprites.",
		"parameters": []obj{{"name": "styleId", "in": "path", "required": true, "schema": obj{"type": "string", "enum": []string{styleID}}},
			{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"mapbox"}}}},
		"responses": respond.Merge(obj{"200": respond.JSONResponse("The style document.", respond.MediaJSON, obj{"type": "object",
			"required": []string{"version", "sources", "layers"}, "properties": obj{
				"version": obj{"type": "integer", "enum": []int{8}}, "name": obj{"type": "string"},
				"sources": obj{"type": "object"}, "layers": obj{"type": "array", "items": obj{"type": "object"}}}})},
			respond.ProblemResponses("400", "404"))}}
}
