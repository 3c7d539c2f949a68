package kde

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// BenchmarkEstimate: 1,000,000 points over 10 × 10 km, 50 m cells (40,000), h = 400 m.
func BenchmarkEstimate(b *testing.B) {
	r := rand.New(rand.NewPCG(13, 14))
	ext := orb.Bound{Min: orb.Point{580000, 6600000}, Max: orb.Point{590000, 6610000}}
	pts := make([]orb.Point, 1_000_000)
	for k := range pts {
		if k%2 == 0 {
			pts[k] = orb.Point{580000 + r.Float64()*10000, 6600000 + r.Float64()*10000}
		} else {
			pts[k] = orb.Point{585000 + r.NormFloat64()*1500, 6605000 + r.NormFloat64()*1500}
		}
	}
	for b.Loop() {
		if _, err := Estimate(pts, nil, ext, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
