package crs_test

import (
	"strings"
	"testing"

	"github.com/lagesbild/lagesbild/geo/crs"
)

func TestCRSNames(t *testing.T) {
	tests := []struct {
		c          crs.CRS
		uri, short string
		srid       int
	}{
		{crs.CRS84, "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "CRS84", 4326},
		{crs.SWEREF99TM, "http://www.opengis.net/def/crs/EPSG/0/3006", "EPSG:3006", 3006},
		{crs.WebMercator, "http://www.opengis.net/def/crs/EPSG/0/3857", "EPSG:3857", 3857},
		{crs.CRS(7), "", "CRS(7)", 0},
	}
	for _, tt := range tests {
		if got, want := tt.c.URI(), tt.uri; got != want {
			t.Errorf("%v.URI() = %q, want %q", tt.c, got, want)
		}
		if got, want := tt.c.String(), tt.short; got != want {
			t.Errorf("CRS(%d).String() = %q, want %q", int(tt.c), got, want)
		}
		if got, want := tt.c.SRID(), tt.srid; got != want {
			t.Errorf("%v.SRID() = %d, want %d", tt.c, got, want)
		}
	}
}

func TestParseURI(t *testing.T) {
	tests := []struct {
		in      string
		want    crs.CRS
		wantErr bool
	}{
		{in: "http://www.opengis.net/def/crs/OGC/1.3/CRS84", want: crs.CRS84},
		{in: "CRS84", want: crs.CRS84},
		{in: "OGC:CRS84", want: crs.CRS84},
		{in: "http://www.opengis.net/def/crs/EPSG/0/3006", want: crs.SWEREF99TM},
		{in: "EPSG:3006", want: crs.SWEREF99TM},
		{in: "http://www.opengis.net/def/crs/EPSG/0/3857", want: crs.WebMercator},
		{in: "EPSG:3857", want: crs.WebMercator},
		// Lat/lon axis order officially: not offered, see ParseURI.
		{in: "http://www.opengis.net/def/crs/EPSG/0/4326", wantErr: true},
		{in: "EPSG:4326", wantErr: true},
		{in: "[EPSG:3006]", wantErr: true},
		{in: "epsg:3006", wantErr: true},
		{in: " EPSG:3006", wantErr: true},
		{in: "https://www.opengis.net/def/crs/EPSG/0/3006", wantErr: true},
		{in: "EPSG:9999", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := crs.ParseURI(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseURI(%q) = %v, nil; want an error", tt.in, got)
			} else if !strings.Contains(err.Error(), "\""+tt.in+"\"") {
				t.Errorf("ParseURI(%q) error %q does not name the value", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseURI(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
		}
	}
}

func TestParseURIRoundTrip(t *testing.T) {
	for _, c := range []crs.CRS{crs.CRS84, crs.SWEREF99TM, crs.WebMercator} {
		for _, s := range []string{c.URI(), c.String()} {
			if got, err := crs.ParseURI(s); err != nil || got != c {
				t.Errorf("ParseURI(%q) = %v, %v; want %v, nil", s, got, err, c)
			}
		}
	}
}
