package web

import (
	"errors"
	"net/url"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
)

// The query-parameter parsers get whatever a client sends. Their property: no panic, and
// every error is a *layers.InvalidError (a 400 problem naming the parameter), never a 500.

func wantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	var inv *layers.InvalidError
	if err != nil && (!errors.As(err, &inv) || inv.Param == "") {
		t.Fatalf("%s: error %v (%T) is not a 400 naming a parameter", what, err, err)
	}
}

func FuzzParseItems(f *testing.F) {
	for _, s := range []string{"", "limit=10&offset=20&sortby=-observed_at,severity&properties=category,severity",
		"category=open_drug_dealing&severity=5", "bbox=16.4,59.5,16.7,59.7&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3006",
		"f=csv&datetime=2023-01-01/..", "limit=1&limit=2", "sortby=+", "%zz=1", "severity=1e999"} {
		f.Add(s)
	}
	cat := layers.NewCatalogue()
	obs, err := cat.Layer("observations")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return // the server answers 400 before any parser runs
		}
		_, err = parseItems(obs, v)
		wantInvalid(t, "parseItems("+query+")", err)
	})
}
