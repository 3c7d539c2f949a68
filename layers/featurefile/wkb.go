package featurefile

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"
)

// GeoPackageGeometry decodes a GeoPackage geometry blob (OGC 12-128r18, 2.1.3): "GP", version,
// flags (bit 0 byte order of the header, bits 1–3 envelope kind, bit 4 empty, bit 5
// extended), srs_id, the envelope, then ISO WKB. The srs_id must be layerSRS. Heights and
// measures are dropped. The WKB's element counts are checked against the blob's length
// before go-geom decodes it, so a header announcing 2^31 points cannot make it allocate.
func GeoPackageGeometry(b []byte, layerSRS int64) (geom.T, error) {
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return nil, errors.New("not a GeoPackage geometry (no GP header)")
	}
	if b[2] != 0 {
		return nil, fmt.Errorf("GeoPackage geometry version %d not supported", b[2])
	}
	flags := b[3]
	if flags&0x20 != 0 {
		return nil, errors.New("extended GeoPackage geometry types are not supported")
	}
	if flags&0x10 != 0 {
		return nil, errors.New("empty geometry")
	}
	var order binary.ByteOrder = binary.BigEndian
	if flags&1 == 1 {
		order = binary.LittleEndian
	}
	if srs := int32(order.Uint32(b[4:8])); int64(srs) != layerSRS {
		return nil, fmt.Errorf("geometry srs_id %d differs from the layer's %d", srs, layerSRS)
	}
	var size int
	switch env := (flags >> 1) & 7; env {
	case 0:
	case 1:
		size = 32
	case 2, 3:
		size = 48
	case 4:
		size = 64
	default:
		return nil, fmt.Errorf("invalid envelope indicator %d", env)
	}
	if len(b) < 8+size {
		return nil, errors.New("geometry blob truncated")
	}
	return decodeWKB(b[8+size:])
}

// decodeWKB checks the structure of ISO WKB, then lets go-geom decode it and drops
// dimensions beyond x and y.
func decodeWKB(b []byte) (g geom.T, err error) {
	if _, err := scanWKB(b, 0); err != nil {
		return nil, fmt.Errorf("WKB: %w", err)
	}
	defer func() {
		if recover() != nil {
			g, err = nil, errors.New("WKB: malformed")
		}
	}()
	g, err = wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("WKB: %w", err)
	}
	return flatXY(g), nil
}

// scanWKB walks one WKB geometry without allocating, checking every count against the bytes
// left, and returns its length in bytes.
func scanWKB(b []byte, depth int) (int, error) {
	if len(b) < 5 {
		return 0, errors.New("truncated")
	}
	var order binary.ByteOrder
	switch b[0] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return 0, fmt.Errorf("invalid byte order %d", b[0])
	}
	t := order.Uint32(b[1:5])
	if t > 3999 {
		return 0, fmt.Errorf("geometry type %d not supported (ISO WKB expected)", t)
	}
	stride := 2 + map[uint32]int{0: 0, 1: 1, 2: 1, 3: 2}[t/1000]
	pos := 5
	count := func() (int, error) {
		if len(b) < pos+4 {
			return 0, errors.New("truncated")
		}
		n := int(order.Uint32(b[pos : pos+4]))
		pos += 4
		return n, nil
	}
	points := func() error {
		n, err := count()
		if err != nil {
			return err
		}
		if n > (len(b)-pos)/(8*stride) {
			return fmt.Errorf("%d points announced, the blob holds at most %d", n, (len(b)-pos)/(8*stride))
		}
		pos += n * 8 * stride
		return nil
	}
	switch t % 1000 {
	case 1:
		if len(b) < pos+8*stride {
			return 0, errors.New("truncated")
		}
		return pos + 8*stride, nil
	case 2:
		err := points()
		return pos, err
	case 3:
		n, err := count()
		if err != nil {
			return 0, err
		}
		if n > (len(b)-pos)/4 {
			return 0, fmt.Errorf("%d rings announced, the blob holds at most %d", n, (len(b)-pos)/4)
		}
		for range n {
			if err := points(); err != nil {
				return 0, err
			}
		}
		return pos, nil
	case 4, 5, 6:
		if depth > 0 {
			return 0, errors.New("nested multi-geometry")
		}
		n, err := count()
		if err != nil {
			return 0, err
		}
		if n > (len(b)-pos)/9 {
			return 0, fmt.Errorf("%d parts announced, the blob holds at most %d", n, (len(b)-pos)/9)
		}
		want := t%1000 - 3
		for range n {
			if len(b) < pos+5 {
				return 0, errors.New("truncated")
			}
			var po binary.ByteOrder = binary.BigEndian
			if b[pos] == 1 {
				po = binary.LittleEndian
			}
			if pt := po.Uint32(b[pos+1:pos+5]) % 1000; pt != want {
				return 0, fmt.Errorf("a part of type %d in a multi-geometry of type %d", pt, t%1000)
			}
			m, err := scanWKB(b[pos:], depth+1)
			if err != nil {
				return 0, err
			}
			pos += m
		}
		return pos, nil
	case 7:
		return 0, errors.New("GeometryCollection is not supported")
	}
	return 0, fmt.Errorf("geometry type %d not supported", t)
}
