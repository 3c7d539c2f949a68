package layers_test

import (
	"testing"

	"github.com/lagesbild/lagesbild/layers"
)

// TestParseLSN: WAL positions read as PostgreSQL writes them, and back; anything else is an
// invalid-input error.
func TestParseLSN(t *testing.T) {
	for s, want := range map[string]layers.LSN{"0/0": 0, "16/B374D848": 0x16_B374D848, "FFFFFFFF/FFFFFFFF": 1<<64 - 1, "0/1a": 0x1a} {
		got, err := layers.ParseLSN(s)
		if err != nil || got != want {
			t.Errorf("ParseLSN(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got := layers.LSN(0x16_B374D848).String(); got != "16/B374D848" {
		t.Errorf("String() = %q", got)
	}
	for _, s := range []string{"", "16", "16/", "/1", "x/1", "1/2/3", "1/2 ", "-1/2"} {
		if _, err := layers.ParseLSN(s); err == nil {
			t.Errorf("ParseLSN(%q) accepted", s)
		}
	}
}
