package hotspot

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// benchArea is a Västerås-sized study area of 150 m hexagons (about 12,000 cells over
// 29 × 24 km) with 1,000,000 observations: a background plus Gaussian hotspots.
func benchArea(b *testing.B) (centres []orb.Point, index map[[2]int]int, points []orb.Point) {
	b.Helper()
	const s = 150.0
	index = map[[2]int]int{}
	for i := 3800; i < 3800+112; i++ {
		for j := 25400; j < 25400+107; j++ {
			index[[2]int{i, j}] = len(centres)
			centres = append(centres, HexCentre(i, j, s))
		}
	}
	lo, hi := centres[0], centres[len(centres)-1]
	r := rand.New(rand.NewPCG(11, 12))
	hot := make([]orb.Point, 40)
	for k := range hot {
		hot[k] = orb.Point{lo[0] + r.Float64()*(hi[0]-lo[0]), lo[1] + r.Float64()*(hi[1]-lo[1])}
	}
	points = make([]orb.Point, 1_000_000)
	for k := range points {
		if k%2 == 0 {
			points[k] = orb.Point{lo[0] + r.Float64()*(hi[0]-lo[0]), lo[1] + r.Float64()*(hi[1]-lo[1])}
		} else {
			c := hot[r.IntN(len(hot))]
			points[k] = orb.Point{c[0] + r.NormFloat64()*200, c[1] + r.NormFloat64()*200}
		}
	}
	return centres, index, points
}

func count(index map[[2]int]int, n int, points []orb.Point) []float64 {
	v := make([]float64, n)
	for _, p := range points {
		i, j := HexCellOf(p, 150)
		if k, ok := index[[2]int{i, j}]; ok {
			v[k]++
		}
	}
	return v
}

// BenchmarkGiStar: Gi* with neighbour search on ~12,000 hexagons; "counted" starts from
// counts per cell (as the database delivers them), "with-counting" also assigns the
// 1,000,000 points to cells in Go.
func BenchmarkGiStar(b *testing.B) {
	centres, index, points := benchArea(b)
	values := count(index, len(centres), points)
	b.Logf("%d cells", len(centres))
	b.Run("counted", func(b *testing.B) {
		for b.Loop() {
			nb, err := DistanceBand(centres, 450)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := GiStar(values, nb); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("with-counting", func(b *testing.B) {
		for b.Loop() {
			v := count(index, len(centres), points)
			nb, _ := DistanceBand(centres, 450)
			if _, err := GiStar(v, nb); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEmerging: 36 monthly slices of the same area (the 1,000,000 observations spread
// over the months), neighbour search, Gi* per slice, Mann–Kendall and classification.
func BenchmarkEmerging(b *testing.B) {
	centres, index, points := benchArea(b)
	slices := make([][]float64, 36)
	per := len(points) / 36
	for t := range slices {
		slices[t] = count(index, len(centres), points[t*per:(t+1)*per])
	}
	for b.Loop() {
		nb, err := DistanceBand(centres, 450)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Emerging(slices, nb, 0); err != nil {
			b.Fatal(err)
		}
	}
}
