package tiles

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// MVTExtent is the tile extent of the vector tiles EncodeMVT writes, the MVT default.
const MVTExtent = 4096

// EncodeMVT encodes the CRS84 features of fc that reach tile t as one Mapbox Vector Tile
// layer: projected to tile units, clipped to the tile with a 64-unit buffer, properties
// kept when they are strings, numbers or booleans (others, such as arrays and nulls, have
// no MVT value type and are left out). For layers computed in Go, such as analysis results;
// stored layers are tiled in PostGIS. Empty result: no bytes.
func EncodeMVT(layer string, fc *geojson.FeatureCollection, t TileID) ([]byte, error) {
	tile := maptile.New(uint32(t.X), uint32(t.Y), maptile.Zoom(t.Z))
	// Features within the tile and its buffer, in degrees.
	b := tile.Bound()
	padX, padY := (b.Max[0]-b.Min[0])*64/MVTExtent, (b.Max[1]-b.Min[1])*64/MVTExtent
	b = orb.Bound{Min: orb.Point{b.Min[0] - padX, b.Min[1] - padY}, Max: orb.Point{b.Max[0] + padX, b.Max[1] + padY}}
	sel := geojson.NewFeatureCollection()
	for _, f := range fc.Features {
		if f.Geometry == nil || !f.Geometry.Bound().Intersects(b) {
			continue
		}
		g := geojson.NewFeature(orb.Clone(f.Geometry))
		g.ID = f.ID
		for k, v := range f.Properties {
			switch v.(type) {
			case string, bool, int, int64, float64:
				g.Properties[k] = v
			}
		}
		sel.Append(g)
	}
	if len(sel.Features) == 0 {
		return nil, nil
	}
	l := mvt.NewLayer(layer, sel)
	l.Version = 2
	l.Extent = MVTExtent
	l.ProjectToTile(tile)
	l.Clip(orb.Bound{Min: orb.Point{-64, -64}, Max: orb.Point{MVTExtent + 64, MVTExtent + 64}})
	l.RemoveEmpty(0, 0)
	if len(l.Features) == 0 {
		return nil, nil
	}
	return mvt.Marshal(mvt.Layers{l})
}
