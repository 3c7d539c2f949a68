package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

const debianFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

// TestCommittedGlyphsAreTheFonts regenerates every committed range from Debian's DejaVu Sans
// Bold: the glyphs the page serves are what `make glyphs` makes, byte for byte.
func TestCommittedGlyphsAreTheFonts(t *testing.T) {
	ttf, err := os.ReadFile(debianFont)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v (fonts-dejavu-core)", err)
		}
		t.Skip(err)
	}
	files, _ := filepath.Glob("../../web/page/glyphs/DejaVuSans-Bold/*.pbf")
	if len(files) < 2 {
		t.Fatalf("committed glyph ranges: %v", files)
	}
	for _, f := range files {
		var start, end int
		if _, err := fmt.Sscanf(filepath.Base(f), "%d-%d.pbf", &start, &end); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Range(ttf, "DejaVuSans-Bold", start)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the font's range %d (%d bytes, committed %d): run make glyphs", f, start, len(got), len(want))
		}
	}
}

// TestDistanceField checks the field of a filled square: inside above the edge (192), outside
// below, 255 deep inside, 0 far outside.
func TestDistanceField(t *testing.T) {
	const w, h = 30, 30
	cov := make([]byte, w*h)
	for y := 10; y < 20; y++ {
		for x := 10; x < 20; x++ {
			cov[y*w+x] = 255
		}
	}
	f := distanceField(cov, w, h)
	at := func(x, y int) byte { return f[y*w+x] }
	if at(15, 15) < 240 || at(0, 0) != 0 || at(11, 15) <= 191 || at(8, 15) >= 191 {
		t.Errorf("field: centre %d, corner %d, inside edge %d, outside edge %d", at(15, 15), at(0, 0), at(11, 15), at(8, 15))
	}
}
