package report

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/classify"
	"github.com/lagesbild/lagesbild/geo/hotspot"
	"github.com/lagesbild/lagesbild/layers"
)

// mapSVG draws EPSG:3006 geometries into an SVG of fixed width, north up.
type mapSVG struct {
	b             strings.Builder
	bound         orb.Bound
	width, height float64
	hatch         bool // a district without a value was drawn: the hatch pattern is needed
}

const svgWidth = 640.0

func (m *mapSVG) init(shapes map[string]orb.Geometry) {
	first := true
	for _, g := range shapes {
		if first {
			m.bound, first = g.Bound(), false
		} else {
			m.bound = m.bound.Union(g.Bound())
		}
	}
	m.width = svgWidth
	m.height = math.Round(svgWidth * (m.bound.Max[1] - m.bound.Min[1]) / math.Max(1, m.bound.Max[0]-m.bound.Min[0]))
}

func (m *mapSVG) xy(p orb.Point) (float64, float64) {
	s := m.width / math.Max(1, m.bound.Max[0]-m.bound.Min[0])
	return (p[0] - m.bound.Min[0]) * s, (m.bound.Max[1] - p[1]) * s
}

func (m *mapSVG) pathData(g orb.Geometry) string {
	var b strings.Builder
	ring := func(r orb.Ring) {
		for k, p := range r {
			x, y := m.xy(p)
			if k == 0 {
				fmt.Fprintf(&b, "M%.1f %.1f", x, y)
			} else {
				fmt.Fprintf(&b, "L%.1f %.1f", x, y)
			}
		}
		b.WriteString("Z")
	}
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			ring(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				ring(r)
			}
		}
	}
	return b.String()
}

// viridis5 are five viridis classes, light (low need) to dark (high need).
var viridis5 = []string{"#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"}

func sortedCodes(shapes map[string]orb.Geometry) []string {
	codes := make([]string, 0, len(shapes))
	for c := range shapes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// choropleth draws one path per district, in quantile classes (darker = greater need), and
// returns the legend.
func (m *mapSVG) choropleth(lang string, shapes map[string]orb.Geometry, names map[string]string, values map[string]float64, higherIsBetter bool, missing string) []legendItem {
	all := make([]float64, 0, len(values))
	for _, v := range values {
		all = append(all, v)
	}
	breaks, vals := classify.QuantileBreaks(all, 5)
	class := func(v float64) int {
		c := 0
		for _, br := range breaks {
			if v > br {
				c++
			}
		}
		if higherIsBetter {
			c = 4 - c
		}
		return c
	}
	for _, code := range sortedCodes(shapes) {
		fill, label := "url(#hatch-choropleth)", missing
		m.hatch = true
		if v, ok := values[code]; ok {
			fill, label = viridis5[class(v)], Number(lang, v, 1)
		}
		fmt.Fprintf(&m.b, `<path class="district" data-code="%s" fill="%s" stroke="#fff" stroke-width="0.8" d="%s"><title>%s: %s</title></path>`,
			template.HTMLEscapeString(code), fill, m.pathData(shapes[code]), template.HTMLEscapeString(names[code]), label)
	}
	var legend []legendItem
	lo := math.Inf(-1)
	if len(vals) > 0 {
		lo = vals[0]
	}
	edges := append([]float64{lo}, breaks...)
	for k := range 5 {
		hi := math.Inf(1)
		if len(vals) > 0 {
			hi = vals[len(vals)-1]
		}
		if k < 4 {
			hi = breaks[k]
		}
		c := k
		if higherIsBetter {
			c = 4 - k
		}
		legend = append(legend, legendItem{Colour: viridis5[c], Label: Number(lang, edges[k], 1) + "–" + Number(lang, hi, 1)})
	}
	return legend
}

// outlines draws one path per district, unfilled.
func (m *mapSVG) outlines(shapes map[string]orb.Geometry, names map[string]string) {
	for _, code := range sortedCodes(shapes) {
		fmt.Fprintf(&m.b, `<path class="district" data-code="%s" fill="#f4f4f4" stroke="#888" stroke-width="0.6" d="%s"><title>%s</title></path>`,
			template.HTMLEscapeString(code), m.pathData(shapes[code]), template.HTMLEscapeString(names[code]))
	}
}

// hotColours are ArcGIS Pro's hot spot colours by Gi* bin.
var hotColours = map[int]string{3: "#d62f27", 2: "#ed7551", 1: "#fab984", -1: "#c0ccbe", -2: "#849eba", -3: "#4575b5"}

// hexagons draws the significant Gi* cells and returns the legend with counts.
func (m *mapSVG) hexagons(lang string, cells *layers.HexStudyCells, gi []hotspot.Result, t text) []legendItem {
	n := map[int]int{}
	for k, g := range gi {
		if g.Bin == 0 {
			continue
		}
		n[g.Bin]++
		fmt.Fprintf(&m.b, `<path class="cell %s" fill="%s" d="%s"/>`, hotspot.BinClass(g.Bin), hotColours[g.Bin],
			m.pathData(hotspot.HexPolygon(cells.I[k], cells.J[k], cells.Side)))
	}
	var legend []legendItem
	for _, bin := range []int{3, 2, 1, -1, -2, -3} {
		label := t["hot"]
		if bin < 0 {
			label = t["cold"]
		}
		legend = append(legend, legendItem{Colour: hotColours[bin],
			Label: fmt.Sprintf("%s %d\u00a0%% (%s)", label, map[int]int{3: 99, 2: 95, 1: 90}[abs(bin)], Count(lang, int64(n[bin])))})
	}
	return legend
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func (m *mapSVG) finish(label string) template.HTML {
	defs := ""
	if m.hatch {
		defs = `<defs><pattern id="hatch-choropleth" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
			`<rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>`
	}
	// Built from numbers and escaped names only, so it is safe as HTML.
	return template.HTML(fmt.Sprintf(`<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">%s%s</svg>`,
		m.width, m.height, template.HTMLEscapeString(label), defs, m.b.String()))
}
