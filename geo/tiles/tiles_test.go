package tiles_test

import (
	"math"
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/geo/tiles"
)

const h = tiles.HalfExtent

func TestHalfExtent(t *testing.T) {
	if got, want := tiles.HalfExtent, math.Pi*6378137; got != want {
		t.Errorf("HalfExtent = %v, want π·6378137 = %v", got, want)
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		tile    tiles.TileID
		maxZoom int
		wantErr string // substring of the error; "" means valid
	}{
		{tiles.TileID{}, 0, ""},
		{tiles.TileID{Z: 1, X: 1, Y: 1}, 18, ""},
		{tiles.TileID{Z: 18, X: 1<<18 - 1, Y: 0}, 18, ""},
		{tiles.TileID{Z: 30, X: 1<<30 - 1, Y: 1<<30 - 1}, 30, ""},
		{tiles.TileID{Z: 19}, 18, "zoom 19 out of range 0..18"},
		{tiles.TileID{Z: -1}, 18, "zoom -1 out of range 0..18"},
		{tiles.TileID{Z: 31}, 40, "zoom 31 out of range 0..30"},
		{tiles.TileID{Z: 64}, 100, "zoom 64 out of range 0..30"},
		{tiles.TileID{Z: 0, X: 1}, 18, "column x 1 out of range 0..0"},
		{tiles.TileID{Z: 2, X: 4, Y: 0}, 18, "column x 4 out of range 0..3"},
		{tiles.TileID{Z: 2, X: -1, Y: 0}, 18, "column x -1 out of range 0..3"},
		{tiles.TileID{Z: 2, X: 0, Y: 4}, 18, "row y 4 out of range 0..3"},
		{tiles.TileID{Z: 2, X: 0, Y: -3}, 18, "row y -3 out of range 0..3"},
	}
	for _, tt := range tests {
		err := tt.tile.Valid(tt.maxZoom)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%v.Valid(%d) = %v, want nil", tt.tile, tt.maxZoom, err)
		case tt.wantErr != "" && err == nil:
			t.Errorf("%v.Valid(%d) = nil, want an error containing %q", tt.tile, tt.maxZoom, tt.wantErr)
		case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
			t.Errorf("%v.Valid(%d) = %q, want it to contain %q", tt.tile, tt.maxZoom, err, tt.wantErr)
		}
	}
}

func TestBounds(t *testing.T) {
	tests := []struct {
		tile                   tiles.TileID
		minX, minY, maxX, maxY float64
	}{
		{tiles.TileID{}, -h, -h, h, h},
		{tiles.TileID{Z: 1, X: 0, Y: 0}, -h, 0, 0, h},
		{tiles.TileID{Z: 1, X: 1, Y: 0}, 0, 0, h, h},
		{tiles.TileID{Z: 1, X: 0, Y: 1}, -h, -h, 0, 0},
		{tiles.TileID{Z: 1, X: 1, Y: 1}, 0, -h, h, 0},
		{tiles.TileID{Z: 2, X: 3, Y: 0}, h / 2, h / 2, h, h},
		// Västerås (computed independently as ±h + index·2h/2^z).
		{tiles.TileID{Z: 10, X: 559, Y: 299}, 1839380.6486544795, 8296780.798186172, 1878516.4071364924, 8335916.556668181},
		{tiles.TileID{Z: 14, X: 8944, Y: 4793}, 1839380.6486544795, 8311456.707616925, 1841826.633559607, 8313902.692522051},
	}
	for _, tt := range tests {
		minX, minY, maxX, maxY := tt.tile.Bounds()
		got := [4]float64{minX, minY, maxX, maxY}
		want := [4]float64{tt.minX, tt.minY, tt.maxX, tt.maxY}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Errorf("%v.Bounds() = %v, want %v", tt.tile, got, want)
				break
			}
		}
	}
}

// TestBoundsTile checks that each zoom's tiles share edges exactly and tile the world.
func TestBoundsTile(t *testing.T) {
	for z := range 6 {
		n := 1 << z
		for x := range n {
			for y := range n {
				minX, minY, maxX, maxY := tiles.TileID{Z: z, X: x, Y: y}.Bounds()
				if x+1 < n {
					if eMinX, _, _, _ := (tiles.TileID{Z: z, X: x + 1, Y: y}).Bounds(); eMinX != maxX {
						t.Fatalf("%d/%d/%d east edge %v, neighbour's west edge %v", z, x, y, maxX, eMinX)
					}
				}
				if y+1 < n {
					if _, _, _, sMaxY := (tiles.TileID{Z: z, X: x, Y: y + 1}).Bounds(); sMaxY != minY {
						t.Fatalf("%d/%d/%d south edge %v, neighbour's north edge %v", z, x, y, minY, sMaxY)
					}
				}
				if x == 0 && minX != -h || x == n-1 && maxX != h || y == 0 && maxY != h || y == n-1 && minY != -h {
					t.Fatalf("%d/%d/%d = %v %v %v %v does not reach the world's edge", z, x, y, minX, minY, maxX, maxY)
				}
			}
		}
	}
}

func TestTileContaining(t *testing.T) {
	tests := []struct {
		lon, lat float64
		z        int
		want     tiles.TileID
	}{
		{0, 0, 0, tiles.TileID{}},
		{0, 0, 1, tiles.TileID{Z: 1, X: 1, Y: 1}}, // on the corner: east and south wins
		{-0.0001, 0.0001, 1, tiles.TileID{Z: 1, X: 0, Y: 0}},
		{16.545, 59.61, 10, tiles.TileID{Z: 10, X: 559, Y: 299}}, // Västerås
		{16.545, 59.61, 14, tiles.TileID{Z: 14, X: 8944, Y: 4793}},
		{-180, 0, 3, tiles.TileID{Z: 3, X: 0, Y: 4}},
		{180, 0, 3, tiles.TileID{Z: 3, X: 7, Y: 4}}, // east edge clamps into the last column
		{200, 0, 3, tiles.TileID{Z: 3, X: 7, Y: 4}},
		{-200, 0, 3, tiles.TileID{Z: 3, X: 0, Y: 4}},
		{0, 90, 3, tiles.TileID{Z: 3, X: 4, Y: 0}},
		{0, 89, 3, tiles.TileID{Z: 3, X: 4, Y: 0}},
		{0, 100, 3, tiles.TileID{Z: 3, X: 4, Y: 0}},
		{0, -90, 3, tiles.TileID{Z: 3, X: 4, Y: 7}},
		{0, -100, 3, tiles.TileID{Z: 3, X: 4, Y: 7}},
		{math.NaN(), math.NaN(), 1, tiles.TileID{Z: 1, X: 1, Y: 1}},
		{math.Inf(1), math.Inf(-1), 2, tiles.TileID{Z: 2, X: 3, Y: 3}},
		{179.9999999, -85, tiles.MaxZoom, tiles.TileID{Z: 30, X: 1<<30 - 1, Y: 1071983126}},
		{16.5, 59.6, -1, tiles.TileID{Z: -1}},
		{16.5, 59.6, 31, tiles.TileID{Z: 31}},
	}
	for _, tt := range tests {
		if got, want := tiles.TileContaining(tt.lon, tt.lat, tt.z), tt.want; got != want {
			t.Errorf("TileContaining(%v, %v, %d) = %v, want %v", tt.lon, tt.lat, tt.z, got, want)
		}
	}
}

// TestTileContainingAgrees compares with an independent formulation (the one orb/maptile uses,
// via sin φ instead of tan) inside the world, and checks that the tile's Bounds contain the
// point's Web Mercator position.
func TestTileContainingAgrees(t *testing.T) {
	for z := 0; z <= 20; z += 4 {
		for lon := -179.5; lon < 180; lon += 7.3 {
			for lat := -85.0; lat <= 85; lat += 3.7 {
				got := tiles.TileContaining(lon, lat, z)
				n := float64(int(1) << z)
				sin := math.Sin(lat * math.Pi / 180)
				fy := 0.5 - math.Log((1+sin)/(1-sin))/(4*math.Pi)
				want := tiles.TileID{Z: z, X: int((lon/360 + 0.5) * n), Y: int(fy * n)}
				if got != want {
					t.Fatalf("TileContaining(%v, %v, %d) = %v, want %v", lon, lat, z, got, want)
				}
				x := lon * math.Pi / 180 * 6378137
				y := math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * 6378137
				minX, minY, maxX, maxY := got.Bounds()
				if x < minX || x > maxX || y < minY || y > maxY {
					t.Fatalf("TileContaining(%v, %v, %d) = %v with bounds %v %v %v %v, which miss %v, %v", lon, lat, z, got, minX, minY, maxX, maxY, x, y)
				}
				if err := got.Valid(20); err != nil {
					t.Fatalf("TileContaining(%v, %v, %d) = %v, invalid: %v", lon, lat, z, got, err)
				}
			}
		}
	}
}
