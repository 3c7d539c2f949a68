package layers

import (
	"encoding/binary"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom/encoding/ewkb"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// storageSRID is the SRID of every stored geometry (SWEREF 99 TM).
const storageSRID = 3006

// toEWKB encodes an EPSG:3006 orb geometry as EWKB for PostGIS. go-geom does the encoding
// at the database boundary because its geometries carry their SRID, so what PostGIS
// receives says which CRS it is in; crs.ToGeom is where the two libraries meet.
func toEWKB(g orb.Geometry) ([]byte, error) {
	t, err := crs.ToGeom(g, storageSRID)
	if err != nil {
		return nil, err
	}
	b, err := ewkb.Marshal(t, binary.LittleEndian)
	if err != nil {
		return nil, fmt.Errorf("ewkb: %w", err)
	}
	return b, nil
}
