package web_test

import (
	"encoding/binary"
	"testing"
)

// The map's label glyphs come from the server itself (issue 14, point 10): the ranges Swedish
// names need, as MapLibre's glyph PBFs; any other range of the font stack an empty set (so a
// rare character is left out rather than a failed request per label); anything else 404.

// pbfGlyph is one glyph of a glyph PBF.
type pbfGlyph struct {
	id, width, height uint64
	bitmap            int
}

// readGlyphPBF decodes a glyph PBF's font stacks (name, range) and glyphs.
func readGlyphPBF(t *testing.T, b []byte) (stacks []string, glyphs map[rune]pbfGlyph) {
	t.Helper()
	glyphs = map[rune]pbfGlyph{}
	type field struct {
		num  uint64
		wire uint64
		v    uint64
		b    []byte
	}
	fields := func(b []byte) []field {
		var out []field
		for len(b) > 0 {
			key, n := binary.Uvarint(b)
			if n <= 0 {
				t.Fatalf("bad key in glyph PBF")
			}
			b = b[n:]
			f := field{num: key >> 3, wire: key & 7}
			switch f.wire {
			case 0:
				f.v, n = binary.Uvarint(b)
				b = b[n:]
			case 2:
				l, n := binary.Uvarint(b)
				b = b[n:]
				f.b, b = b[:l], b[l:]
			default:
				t.Fatalf("wire type %d in glyph PBF", f.wire)
			}
			out = append(out, f)
		}
		return out
	}
	for _, s := range fields(b) {
		var name, rng string
		for _, f := range fields(s.b) {
			switch f.num {
			case 1:
				name = string(f.b)
			case 2:
				rng = string(f.b)
			case 3:
				var g pbfGlyph
				for _, gf := range fields(f.b) {
					switch gf.num {
					case 1:
						g.id = gf.v
					case 2:
						g.bitmap = len(gf.b)
					case 3:
						g.width = gf.v
					case 4:
						g.height = gf.v
					}
				}
				glyphs[rune(g.id)] = g
			}
		}
		stacks = append(stacks, name+" "+rng)
	}
	return stacks, glyphs
}

func TestGlyphsServedByTheServer(t *testing.T) {
	a := newAPI(t)
	res, body := a.raw("GET", "/karta/glyphs/DejaVuSans-Bold/0-255.pbf", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/x-protobuf" {
		t.Fatalf("0-255: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	stacks, glyphs := readGlyphPBF(t, body)
	if len(stacks) != 1 || stacks[0] != "DejaVuSans-Bold 0-255" {
		t.Errorf("font stacks %q", stacks)
	}
	for _, r := range "AZaz09 åäöÅÄÖéü-." {
		g, ok := glyphs[r]
		switch {
		case !ok:
			t.Errorf("no glyph for %q", r)
		case r == ' ' && g.bitmap != 0:
			t.Errorf("the space has a bitmap")
		case r != ' ' && (g.width == 0 || g.bitmap != int((g.width+6)*(g.height+6))):
			t.Errorf("%q: %d×%d with a bitmap of %d bytes, want (w+6)(h+6)", r, g.width, g.height, g.bitmap)
		}
	}
	_, ext := readGlyphPBF(t, a.body("/karta/glyphs/DejaVuSans-Bold/256-511.pbf"))
	for _, r := range "ŁłŠšŽžČčŊŋ" {
		if _, ok := ext[r]; !ok {
			t.Errorf("no glyph for %q in 256-511", r)
		}
	}

	// A range the page does not embed: an empty set; not a range, or another font: 404.
	res, body = a.raw("GET", "/karta/glyphs/DejaVuSans-Bold/19968-20223.pbf", nil)
	if res.StatusCode != 200 || len(body) != 0 {
		t.Errorf("a range not embedded: %d with %d bytes, want 200 and an empty set", res.StatusCode, len(body))
	}
	for _, p := range []string{"DejaVuSans-Bold/1-2.pbf", "DejaVuSans-Bold/0-511.pbf", "DejaVuSans-Bold/65536-65791.pbf", "Arial/0-255.pbf"} {
		if res, _ := a.raw("GET", "/karta/glyphs/"+p, nil); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, res.StatusCode)
		}
	}
}

// body is GET path's body after a 200.
func (a *api) body(path string) []byte {
	a.t.Helper()
	res, b := a.raw("GET", path, nil)
	if res.StatusCode != 200 {
		a.t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return b
}
