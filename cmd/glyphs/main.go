// Command glyphs writes the map page's label glyphs: signed distance fields of a TrueType
// font in MapLibre's glyph PBF format (one file per range of 256 code points), so the page
// draws district names with glyphs the server itself serves and nothing is fetched from
// outside. It runs at build time (`make glyphs`); its output is committed in web/page/glyphs
// and copied into the page by `make page`.
//
// The distance fields follow TinySDF (the rasteriser MapLibre itself uses for local glyphs):
// 24 px glyphs, a 3 px border, a radius of 8 px and the edge at 0.25 of the range, which is
// what MapLibre's text shader expects of server glyphs.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

const (
	fontSize = 24   // px, MapLibre's glyph size
	border   = 3    // px around each glyph (MapLibre's GLYPH_PBF_BORDER)
	radius   = 8.0  // px of distance the field spans
	cutoff   = 0.25 // where the edge sits in the field
	// topOffset moves the top from the baseline to the origin MapLibre places server glyphs
	// from (its local glyphs use 27.5 for the same; an integer here, as the format wants).
	topOffset = 27
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "glyphs:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("glyphs", flag.ContinueOnError)
	fontPath := fs.String("font", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "the TrueType font")
	name := fs.String("name", "DejaVuSans-Bold", "the font stack's name (the folder and the style's text-font)")
	out := fs.String("out", "web/page/glyphs", "the folder the font stack's folder goes in")
	ranges := fs.String("ranges", "0,256,8192", "the first code point of each range of 256 to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ttf, err := os.ReadFile(*fontPath)
	if err != nil {
		return err
	}
	dir := filepath.Join(*out, *name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range strings.Split(*ranges, ",") {
		start, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || start < 0 || start%256 != 0 {
			return fmt.Errorf("range start %q: want a multiple of 256", s)
		}
		pbf, err := Range(ttf, *name, start)
		if err != nil {
			return err
		}
		file := filepath.Join(dir, fmt.Sprintf("%d-%d.pbf", start, start+255))
		if err := os.WriteFile(file, pbf, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Glyph is one glyph of a range: its distance field (width+2·border by height+2·border bytes)
// and its metrics in pixels at 24 px.
type Glyph struct {
	ID                 rune
	Bitmap             []byte
	Width, Height      int
	Left, Top, Advance int
}

// Range returns the glyph PBF of the code points start…start+255 the font has, under the
// font stack name. The same font gives the same bytes.
func Range(ttf []byte, name string, start int) ([]byte, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("parse font: %w", err)
	}
	var glyphs []Glyph
	var buf sfnt.Buffer
	for r := rune(start); r < rune(start+256); r++ {
		g, ok, err := render(f, &buf, r)
		if err != nil {
			return nil, fmt.Errorf("glyph %U: %w", r, err)
		}
		if ok {
			glyphs = append(glyphs, g)
		}
	}
	return encode(name, fmt.Sprintf("%d-%d", start, start+255), glyphs), nil
}

// render draws r's distance field; ok is false when the font has no glyph for r.
func render(f *sfnt.Font, buf *sfnt.Buffer, r rune) (Glyph, bool, error) {
	idx, err := f.GlyphIndex(buf, r)
	if err != nil || idx == 0 {
		return Glyph{}, false, err
	}
	ppem := fixed.I(fontSize)
	adv, err := f.GlyphAdvance(buf, idx, ppem, font.HintingNone)
	if err != nil {
		return Glyph{}, false, err
	}
	segs, err := f.LoadGlyph(buf, idx, ppem, nil)
	if errors.Is(err, sfnt.ErrNotFound) {
		return Glyph{}, false, nil
	}
	if err != nil {
		return Glyph{}, false, err
	}
	g := Glyph{ID: r, Advance: adv.Round()}
	if len(segs) == 0 { // a space: an advance and no bitmap
		return g, true, nil
	}
	b := segs.Bounds() // y grows downwards, the baseline at 0
	x0, y0, x1, y1 := b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil()
	g.Width, g.Height = x1-x0, y1-y0
	g.Left, g.Top = x0, -y0-topOffset
	w, h := g.Width+2*border, g.Height+2*border
	pt := func(p fixed.Point26_6) (float32, float32) {
		return float32(p.X)/64 - float32(x0) + border, float32(p.Y)/64 - float32(y0) + border
	}
	z := vector.NewRasterizer(w, h)
	open := false
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			if open {
				z.ClosePath()
			}
			z.MoveTo(pt(s.Args[0]))
			open = true
		case sfnt.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			z.QuadTo(ax, ay, bx, by)
		case sfnt.SegmentOpCubeTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			cx, cy := pt(s.Args[2])
			z.CubeTo(ax, ay, bx, by, cx, cy)
		}
	}
	if open {
		z.ClosePath()
	}
	alpha := image.NewAlpha(image.Rect(0, 0, w, h))
	z.Draw(alpha, alpha.Bounds(), image.Opaque, image.Point{})
	g.Bitmap = distanceField(alpha.Pix, w, h)
	return g, true, nil
}

// distanceField turns coverage (0…255, w by h) into TinySDF's signed distance field.
func distanceField(cov []byte, w, h int) []byte {
	const inf = 1e20
	outer, inner := make([]float64, w*h), make([]float64, w*h)
	for i, c := range cov {
		a := float64(c) / 255
		switch {
		case a == 0:
			outer[i], inner[i] = inf, 0
		case a == 1:
			outer[i], inner[i] = 0, inf
		default:
			d := 0.5 - a
			outer[i], inner[i] = math.Max(d, 0)*math.Max(d, 0), math.Min(d, 0)*math.Min(d, 0)
		}
	}
	n := max(w, h)
	f, v, zz := make([]float64, n), make([]int, n), make([]float64, n+1)
	edt(outer, w, h, f, v, zz)
	edt(inner, w, h, f, v, zz)
	out := make([]byte, w*h)
	for i := range out {
		d := math.Sqrt(outer[i]) - math.Sqrt(inner[i])
		out[i] = byte(math.Max(0, math.Min(255, math.Round(255-255*(d/radius+cutoff)))))
	}
	return out
}

// edt is Felzenszwalb and Huttenlocher's squared Euclidean distance transform, by columns and then rows.
func edt(grid []float64, w, h int, f []float64, v []int, z []float64) {
	for x := range w {
		edt1d(grid, x, w, h, f, v, z)
	}
	for y := range h {
		edt1d(grid, y*w, 1, w, f, v, z)
	}
}

func edt1d(grid []float64, offset, stride, length int, f []float64, v []int, z []float64) {
	v[0] = 0
	z[0], z[1] = math.Inf(-1), math.Inf(1)
	f[0] = grid[offset]
	k := 0
	for q := 1; q < length; q++ {
		f[q] = grid[offset+q*stride]
		q2 := float64(q * q)
		var s float64
		for {
			r := v[k]
			s = (f[q] - f[r] + q2 - float64(r*r)) / float64(q-r) / 2
			if s <= z[k] {
				k--
				if k > -1 {
					continue
				}
			}
			break
		}
		k++
		v[k] = q
		z[k] = s
		z[k+1] = math.Inf(1)
	}
	k = 0
	for q := range length {
		for z[k+1] < float64(q) {
			k++
		}
		r := v[k]
		qr := float64(q - r)
		grid[offset+q*stride] = f[r] + qr*qr
	}
}

// encode writes the glyphs protocol buffer (MapLibre's glyphs.proto): one font stack with its
// range and glyphs.
func encode(name, rng string, glyphs []Glyph) []byte {
	var stack []byte
	stack = appendBytes(stack, 1, []byte(name))
	stack = appendBytes(stack, 2, []byte(rng))
	for _, g := range glyphs {
		var m []byte
		m = appendVarint(m, 1, uint64(g.ID))
		if len(g.Bitmap) > 0 {
			m = appendBytes(m, 2, g.Bitmap)
		}
		m = appendVarint(m, 3, uint64(g.Width))
		m = appendVarint(m, 4, uint64(g.Height))
		m = appendVarint(m, 5, zigzag(g.Left))
		m = appendVarint(m, 6, zigzag(g.Top))
		m = appendVarint(m, 7, uint64(g.Advance))
		stack = appendBytes(stack, 3, m)
	}
	return appendBytes(nil, 1, stack)
}

func zigzag(n int) uint64 { return uint64(uint32((int32(n) << 1) ^ (int32(n) >> 31))) }

func appendVarint(b []byte, field int, v uint64) []byte {
	b = binary.AppendUvarint(b, uint64(field<<3))
	return binary.AppendUvarint(b, v)
}

func appendBytes(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(field<<3|2))
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}
