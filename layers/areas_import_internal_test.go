package layers

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// gpkgGeometry is what the area import makes of a GeoPackage geometry blob: featurefile
// decodes it, areaWKB makes it a MultiPolygon.
func gpkgGeometry(b []byte, layerSRS int64) ([]byte, error) {
	g, err := featurefile.GeoPackageGeometry(b, layerSRS)
	if err != nil {
		return nil, err
	}
	return areaWKB(g)
}

// TestGPKGGeometry decodes hand-built GeoPackage blobs: both header byte orders, every
// envelope size, a 3D polygon flattened to 2D, and the malformed ones refused.
func TestGPKGGeometry(t *testing.T) {
	square := geom.NewPolygon(geom.XY).MustSetCoords([][]geom.Coord{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}})
	squareZ := geom.NewPolygon(geom.XYZ).MustSetCoords([][]geom.Coord{{{0, 0, 9}, {4, 0, 9}, {4, 4, 9}, {0, 4, 9}, {0, 0, 9}}})
	point := geom.NewPoint(geom.XY).MustSetCoords(geom.Coord{1, 2})
	body := func(g geom.T, order binary.ByteOrder) []byte {
		b, err := wkb.Marshal(g, order)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	blob := func(flags byte, srs int32, envelope int, wkbBytes []byte) []byte {
		var order binary.AppendByteOrder = binary.BigEndian
		if flags&1 == 1 {
			order = binary.LittleEndian
		}
		b := []byte{'G', 'P', 0, flags}
		b = order.AppendUint32(b, uint32(srs))
		b = append(b, make([]byte, envelope)...)
		return append(b, wkbBytes...)
	}
	tests := []struct {
		name    string
		blob    []byte
		wantErr string
	}{
		{"little endian, no envelope", blob(0x01, 3006, 0, body(square, binary.LittleEndian)), ""},
		{"big endian, xy envelope", blob(0x02, 3006, 32, body(square, binary.BigEndian)), ""},
		{"little endian, xyz envelope", blob(0x05, 3006, 48, body(square, binary.BigEndian)), ""},
		{"xyzm envelope", blob(0x09, 3006, 64, body(square, binary.LittleEndian)), ""},
		{"3D polygon", blob(0x01, 3006, 0, body(squareZ, binary.LittleEndian)), ""},
		{"multipolygon", blob(0x01, 3006, 0, body(geom.NewMultiPolygon(geom.XY).MustSetCoords([][][]geom.Coord{square.Coords()}), binary.LittleEndian)), ""},
		{"no magic", append([]byte("XX"), blob(0x01, 3006, 0, body(square, binary.LittleEndian))[2:]...), "no GP header"},
		{"other srs", blob(0x01, 4326, 0, body(square, binary.LittleEndian)), "srs_id 4326"},
		{"extended", blob(0x21, 3006, 0, body(square, binary.LittleEndian)), "extended"},
		{"empty flag", blob(0x11, 3006, 0, body(square, binary.LittleEndian)), "empty"},
		{"bad envelope", blob(0x0b, 3006, 0, body(square, binary.LittleEndian)), "envelope indicator 5"},
		{"truncated", blob(0x03, 3006, 0, nil), "truncated"},
		{"point", blob(0x01, 3006, 0, body(point, binary.LittleEndian)), "want Polygon or MultiPolygon"},
		{"bad wkb", blob(0x01, 3006, 0, []byte{1, 3, 0}), "WKB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := gpkgGeometry(tt.blob, 3006)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g, err := wkb.Unmarshal(out)
			if err != nil {
				t.Fatal(err)
			}
			mp, ok := g.(*geom.MultiPolygon)
			if !ok || mp.Layout() != geom.XY || mp.NumPolygons() != 1 {
				t.Fatalf("decoded %T %v, want a 2D MultiPolygon of one polygon", g, g.Layout())
			}
			if !slices.Equal(mp.FlatCoords(), square.FlatCoords()) || mp.Polygon(0).Area() != 16 {
				t.Errorf("coordinates %v, want %v", mp.FlatCoords(), square.FlatCoords())
			}
		})
	}
}
