package data

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// placeSpec positions a place relative to its district's seed point. A zero width makes a
// point; otherwise the place is an axis-aligned rectangle of width × height metres.
type placeSpec struct {
	name, kind, district string
	dx, dy               float64 // offset of the centre from the district seed, metres
	width, height        float64
	class                string
	description          string
}

// placeSpecs are the public places the report names (Vasaparken, Bäckby torg) and the centre
// and square environments of the west, north and east it refers to, plus transit, school,
// youth and sports places that interventions attach to. Offsets are kept well inside half the
// distance to the neighbouring district seeds so each place falls in its own Voronoi cell.
func placeSpecs() []placeSpec {
	return []placeSpec{
		{"Vasaparken", "park", "Centrum", -250, 180, 150, 250, "open", "Park i centrum med öppen narkotikahandel enligt rapporten."},
		{"Stora torget", "square", "Centrum", -60, -120, 70, 50, "open", "Stadens centrala torg, nöjesliv kvällar och helger."},
		{"Västerås resecentrum", "transit_hub", "Centrum", 350, -420, 0, 0, "open", "Järnvägs- och busstation."},
		{"Bäckby torg", "square", "Bäckby", 80, -40, 90, 70, "open", "Torget i Bäckby med öppen narkotikahandel enligt rapporten."},
		{"Bäckby centrum", "centre", "Bäckby", 80, 60, 120, 60, "open", "Butiker och service vid torget."},
		{"Bäckby skolområde", "school_area", "Bäckby", -280, 220, 200, 150, "open", "Skolområde; den kommunala högstadieskolan har lagts ner."},
		{"Bäckby fritidsgård", "youth_centre", "Bäckby", 220, -160, 0, 0, "open", "Fritidsgård för unga 13–17 år."},
		{"Bäckby bollplan", "sports_ground", "Bäckby", -200, -300, 110, 70, "open", "Konstgräsplan; nattfotboll."},
		{"Bäckby bostadsgårdar", "residential_yard", "Bäckby", 300, 200, 160, 120, "internal", "Gårdar i det allmännyttiga beståndet."},
		{"Råby centrum", "centre", "Råby", 40, -60, 120, 80, "open", "Centrummiljö i väster."},
		{"Råby fritidsgård", "youth_centre", "Råby", -180, 120, 0, 0, "open", "Fritidsgård och mötesplats."},
		{"Råby skolområde", "school_area", "Råby", 200, 200, 180, 140, "open", "F–6-skola och fritidshem."},
		{"Hammarby centrum", "centre", "Hammarby", -50, 40, 110, 90, "open", "Centrummiljö i väster."},
		{"Hammarbyparken", "park", "Hammarby", 220, -200, 150, 250, "open", "Park mellan bostadskvarteren."},
		{"Skälby torg", "square", "Skälby", 30, -50, 70, 60, "open", "Torgmiljö i väster."},
		{"Erikslunds köpcentrum", "shopping_centre", "Erikslund", -150, -100, 400, 250, "open", "Externt handelsområde."},
		{"Viksängs centrum", "centre", "Viksäng", 60, 30, 100, 70, "open", "Lokalt centrum."},
		{"Vallby centrum", "centre", "Vallby", 40, -80, 110, 80, "open", "Centrummiljö i norr."},
		{"Vallby friluftsmuseum", "park", "Vallby", -350, 250, 250, 150, "open", "Friluftsmuseum och park."},
		{"Pettersbergs torg", "square", "Pettersberg", -40, 30, 70, 60, "open", "Torgmiljö i norr."},
		{"Önsta-Gryta centrum", "centre", "Önsta-Gryta", 0, -150, 130, 90, "open", "Centrummiljö i norr."},
		{"Önsta-Gryta fritidsgård", "youth_centre", "Önsta-Gryta", 180, 120, 0, 0, "open", "Fritidsgård."},
		{"Rocklunda idrottsområde", "sports_ground", "Oxbacken", 150, 300, 300, 250, "open", "Idrottsplatser och arenor."},
		{"Skiljebo centrum", "centre", "Skiljebo", 30, -40, 110, 80, "open", "Centrummiljö i öster."},
		{"Bjurhovda centrum", "centre", "Bjurhovda", -60, -30, 110, 80, "open", "Centrummiljö i öster."},
		{"Hälla köpcentrum", "shopping_centre", "Hälla", 100, -120, 400, 300, "open", "Handelsområde i öster."},
		{"Skultuna torg", "square", "Skultuna", 0, 0, 60, 50, "open", "Torget i Skultuna."},
		{"Tillberga centrum", "centre", "Tillberga", 0, 0, 0, 0, "open", "Lokalt centrum."},
	}
}

// buildPlaces positions the places. Every place must lie inside the municipality outline.
func buildPlaces(districts []District, outline orb.Polygon) ([]Place, error) {
	byName := map[string]District{}
	for _, d := range districts {
		byName[d.Name] = d
	}
	var out []Place
	for _, s := range placeSpecs() {
		d, ok := byName[s.district]
		if !ok {
			return nil, fmt.Errorf("data: place %q in unknown district %q", s.name, s.district)
		}
		c := orb.Point{cm(d.Seed[0] + s.dx), cm(d.Seed[1] + s.dy)}
		var g orb.Geometry = c
		if s.width > 0 {
			g = rect(c, s.width, s.height)
		}
		if !planar.PolygonContains(outline, c) {
			return nil, fmt.Errorf("data: place %q lies outside the municipality", s.name)
		}
		out = append(out, Place{
			Name: s.name, Kind: s.kind, Description: s.description,
			DistrictCode: d.Code, DataClass: s.class, Geom: g,
		})
	}
	return out, nil
}

// rect returns the closed, counter-clockwise rectangle of width × height metres centred on c.
func rect(c orb.Point, width, height float64) orb.Polygon {
	x0, x1 := cm(c[0]-width/2), cm(c[0]+width/2)
	y0, y1 := cm(c[1]-height/2), cm(c[1]+height/2)
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// centroid returns the point observations and interventions use for a place: the point
// itself, or the centre of a polygon's bounds (the places are rectangles).
func centroid(g orb.Geometry) orb.Point {
	if p, ok := g.(orb.Point); ok {
		return p
	}
	return g.Bound().Center()
}
