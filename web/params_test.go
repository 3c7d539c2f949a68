package web

import (
	"errors"
	"net/url"
	"testing"

	"github.com/lagesbild/lagesbild/layers"
)

func TestParseItems(t *testing.T) {
	obs, err := layers.NewCatalogue().Layer("observations")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query     string
		wantParam string // "" means valid
	}{
		{query: ""},
		{query: "limit=10&offset=20&sortby=-observed_at,severity&properties=category,severity"},
		{query: "category=open_drug_dealing&severity=5&source=police"},
		{query: "bbox=16.4,59.5,16.7,59.7&bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84&crs=http://www.opengis.net/def/crs/EPSG/0/3006"},
		{query: "f=csv"},
		{query: "limit=0", wantParam: "limit"},
		{query: "limit=10001", wantParam: "limit"},
		{query: "limit=ten", wantParam: "limit"},
		{query: "offset=-1", wantParam: "offset"},
		{query: "colour=red", wantParam: "colour"},
		{query: "category=picnic", wantParam: "category"},
		{query: "severity=high", wantParam: "severity"},
		{query: "crs=EPSG:4326x", wantParam: "crs"},
		{query: "bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3006", wantParam: "bbox-crs"},
		{query: "f=xml", wantParam: "f"},
		{query: "limit=1&limit=2", wantParam: "limit"},
		{query: "sortby=", wantParam: "sortby"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = parseItems(obs, v)
			var inv *layers.InvalidError
			switch {
			case tt.wantParam == "" && err != nil:
				t.Errorf("parseItems(%q): %v", tt.query, err)
			case tt.wantParam != "" && (!errors.As(err, &inv) || inv.Param != tt.wantParam):
				t.Errorf("parseItems(%q) error = %v, want invalid %s", tt.query, err, tt.wantParam)
			}
		})
	}
}

func TestSchemaName(t *testing.T) {
	for in, want := range map[string]string{"indicator-values": "IndicatorValues", "places": "Places"} {
		if got := schemaName(in); got != want {
			t.Errorf("schemaName(%q) = %q, want %q", in, got, want)
		}
	}
}
