package report

import (
	"testing"

	"github.com/lagesbild/lagesbild/layers"
)

// TestReportLabelsCoverCatalogue: every enumerated value of every declared layer has a word
// in Swedish and in English, so no printed page can show an API code.
func TestReportLabelsCoverCatalogue(t *testing.T) {
	for _, l := range layers.NewCatalogue().Layers() {
		for _, p := range l.Properties {
			for _, v := range p.Enum {
				for _, lang := range []string{"sv", "en"} {
					if !HasLabel(lang, v) {
						t.Errorf("%s.%s: %q has no %s word", l.ID, p.Name, v, lang)
					}
				}
			}
		}
	}
}

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		lang string
		x    float64
		d    int
		want string
	}{
		{"sv", 1234567.891, 2, "1\u202f234\u202f567,89"}, {"sv", -2.97, 2, "−2,97"}, {"sv", -0.004, 2, "0,00"},
		{"sv", 999, 0, "999"}, {"sv", 1000, 0, "1\u202f000"}, {"en", -4398.5, 1, "−4,398.5"}, {"sv", -0.4, 0, "0"},
	} {
		if got := Number(tc.lang, tc.x, tc.d); got != tc.want {
			t.Errorf("Number(%s, %v, %d) = %q, want %q", tc.lang, tc.x, tc.d, got, tc.want)
		}
	}
}
