package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// PartnerBuilding is one building of the illustrative partner layer "mimer-bestand": the
// municipal housing company's stock as the company would upload it. The id is a building
// number, never an address.
type PartnerBuilding struct {
	ID           string // "MIM-0001"
	DistrictCode string // the district it was placed in
	Location     orb.Point
	Dwellings    int
	BuiltYear    int
}

// mimerStock is how many buildings the company has per district: most in the districts the
// report names as its stronghold (Bäckby, Råby, Pettersberg; Skallberget is not one of the
// demo districts), some elsewhere in the west and north, few in the villas of the south and
// the villages.
func mimerStock() map[string]int {
	return map[string]int{
		"Bäckby": 34, "Råby": 26, "Pettersberg": 20,
		"Hammarby": 10, "Skälby": 8, "Vallby": 8, "Önsta-Gryta": 8, "Skiljebo": 8, "Bjurhovda": 6,
		"Viksäng": 5, "Centrum": 4, "Vetterstorp": 4, "Oxbacken": 3, "Malmaberg": 2, "Hemdal": 2, "Skultuna": 2,
	}
}

// millionProgramme are the districts built mostly in 1965–1975, with larger buildings.
var millionProgramme = []string{"Bäckby", "Råby", "Pettersberg", "Hammarby", "Skälby", "Önsta-Gryta"}

// buildMimerStock places the buildings uniformly in a disc around each district's seed
// point, of radius at most 0.4 × the distance to the nearest other seed (so every building
// falls in its own district's Voronoi cell) and 450 m, inside the municipality outline.
func buildMimerStock(r *rand.Rand, districts []District, outline orb.Polygon) ([]PartnerBuilding, error) {
	stock := mimerStock()
	var out []PartnerBuilding
	for _, d := range districts {
		n := stock[d.Name]
		if n == 0 {
			continue
		}
		radius := 450.0
		for _, o := range districts {
			if o.Code != d.Code {
				radius = math.Min(radius, 0.4*planar.Distance(d.Seed, o.Seed))
			}
		}
		mp := slices.Contains(millionProgramme, d.Name)
		for i := 0; i < n; i++ {
			var p orb.Point
			for try := 0; ; try++ {
				if try == 100 {
					return nil, fmt.Errorf("data: no room for Mimer buildings in %s", d.Name)
				}
				rr, a := radius*math.Sqrt(r.Float64()), 2*math.Pi*r.Float64()
				p = orb.Point{cm(d.Seed[0] + rr*math.Cos(a)), cm(d.Seed[1] + rr*math.Sin(a))}
				if planar.PolygonContains(outline, p) {
					break
				}
			}
			b := PartnerBuilding{DistrictCode: d.Code, Location: p}
			if mp {
				b.Dwellings, b.BuiltYear = 40+r.IntN(110), 1965+r.IntN(11)
			} else {
				b.Dwellings, b.BuiltYear = 12+r.IntN(60), 1940+r.IntN(81)
			}
			out = append(out, b)
		}
	}
	for i := range out {
		out[i].ID = fmt.Sprintf("MIM-%04d", i+1)
	}
	return out, nil
}
