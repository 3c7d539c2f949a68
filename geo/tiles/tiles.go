// Package tiles does the tile arithmetic of the OGC WebMercatorQuad tile matrix set, the
// XYZ/"slippy map" scheme used by web maps: zoom level z splits the square Web Mercator
// (EPSG:3857) world into 2^z by 2^z tiles, column x counted from the west (-180°) and row y
// counted from the top (north), so tile 0/0/0 is the whole world.
//
// Assumptions: coordinates in are CRS84 longitude/latitude in degrees and coordinates out are
// EPSG:3857 metres; the world is the square ±HalfExtent on both axes, so latitudes beyond
// about ±85.05° lie outside every tile and are clamped to the edge rows. The package is pure
// arithmetic: no I/O, no state, safe for concurrent use.
package tiles

import (
	"fmt"
	"math"
)

// HalfExtent is half the width (and height) of the Web Mercator world in metres, π times the
// WGS84 semi-major axis 6378137 m. The world spans -HalfExtent..HalfExtent on both axes. It
// equals crs.WebMercatorHalf; it is repeated here so that tile arithmetic needs no projection
// package.
const HalfExtent = 20037508.342789244

// MaxZoom is the deepest zoom level the arithmetic supports. Tiles there are about 4 cm wide,
// far beyond any real tile set, and 2^MaxZoom still fits an int on every platform Go supports.
const MaxZoom = 30

// TileID addresses one tile of WebMercatorQuad: zoom level Z (the tile matrix), column X
// from the west and row Y from the north. The zero value is the single zoom-0 tile.
type TileID struct{ Z, X, Y int }

// String returns the tile as "z/x/y", the order of tile URLs.
func (t TileID) String() string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

// Valid reports whether t exists in a tile set served up to maxZoom: Z must be in
// 0..maxZoom (and no deeper than MaxZoom), and X and Y in 0..2^Z-1. The error names the
// offending part and its allowed range, so it can be shown to an API client as is.
func (t TileID) Valid(maxZoom int) error {
	maxZoom = min(maxZoom, MaxZoom)
	if t.Z < 0 || t.Z > maxZoom {
		return fmt.Errorf("tile %v: zoom %d out of range 0..%d", t, t.Z, maxZoom)
	}
	last := 1<<t.Z - 1
	if t.X < 0 || t.X > last {
		return fmt.Errorf("tile %v: column x %d out of range 0..%d at zoom %d", t, t.X, last, t.Z)
	}
	if t.Y < 0 || t.Y > last {
		return fmt.Errorf("tile %v: row y %d out of range 0..%d at zoom %d", t, t.Y, last, t.Z)
	}
	return nil
}

// Bounds returns the extent of t in EPSG:3857 metres. Neighbouring tiles share their edges
// exactly, because every edge is computed from the same integer index. The result is only
// meaningful for a tile that passes Valid; for others it continues the same grid outside the
// world (or is garbage for Z outside 0..MaxZoom), so validate first.
func (t TileID) Bounds() (minX, minY, maxX, maxY float64) {
	n := float64(uint64(1) << uint(min(max(t.Z, 0), MaxZoom)))
	edge := func(i int) float64 { return -HalfExtent + 2*HalfExtent*float64(i)/n }
	minX, maxX = edge(t.X), edge(t.X+1)
	// Rows count down from the north: row y's top edge is the mirror of column y's west edge.
	maxY, minY = -edge(t.Y), -edge(t.Y+1)
	return minX, minY, maxX, maxY
}

// TileContaining returns the tile at zoom z that contains the CRS84 point lon, lat (degrees).
// A point on a tile edge belongs to the tile east of it and south of it, as in every XYZ
// implementation; points on or beyond the world's east edge (lon ≥ 180) or outside the
// latitude range of the square world are clamped into the edge column or row, so the result
// is always a valid tile for z in 0..MaxZoom. NaN coordinates are treated as 0. For z outside
// 0..MaxZoom the result is TileID{Z: z}, which Valid rejects.
func TileContaining(lon, lat float64, z int) TileID {
	if z < 0 || z > MaxZoom {
		return TileID{Z: z}
	}
	if math.IsNaN(lon) {
		lon = 0
	}
	if math.IsNaN(lat) {
		lat = 0
	}
	// Beyond the poles tan turns negative and the logarithm NaN; clamping keeps the order.
	lat = max(-90, min(90, lat))
	n := float64(uint64(1) << uint(z))
	// Fractions of the world from the west and from the north; the y one is the Mercator
	// ordinate ln(tan(π/4 + φ/2)) scaled from ±π to 1..0.
	fx := (lon + 180) / 360
	phi := lat * math.Pi / 180
	fy := (1 - math.Log(math.Tan(math.Pi/4+phi/2))/math.Pi) / 2
	return TileID{Z: z, X: index(fx, n), Y: index(fy, n)}
}

// index converts a fraction of the world (0 at the west or north edge) into a tile index,
// clamped to 0..n-1. Comparing before converting keeps ±Inf (from the poles) and huge values
// away from the float-to-int conversion, whose result Go leaves implementation-defined.
func index(f, n float64) int {
	i := math.Floor(f * n)
	switch {
	case !(i >= 0): // also catches NaN, e.g. tan overflowing at exactly a pole
		return 0
	case i >= n:
		return int(n) - 1
	}
	return int(i)
}
