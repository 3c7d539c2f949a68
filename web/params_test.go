package web

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
)

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestParseDatetime(t *testing.T) {
	tests := []struct {
		in         string
		start, end *time.Time
		wantErr    bool
	}{
		{in: "2023-05-01T18:00:00Z", start: ts("2023-05-01T18:00:00Z"), end: ts("2023-05-01T18:00:00Z")},
		{in: "2023-05-01T20:00:00+02:00", start: ts("2023-05-01T18:00:00Z"), end: ts("2023-05-01T18:00:00Z")},
		{in: "2023-05-01", start: ts("2023-05-01T00:00:00Z"), end: ts("2023-05-01T23:59:59.999999999Z")},
		{in: "2023-01-01T00:00:00Z/2023-12-31T23:59:59Z", start: ts("2023-01-01T00:00:00Z"), end: ts("2023-12-31T23:59:59Z")},
		{in: "2023-01-01/2023-12-31", start: ts("2023-01-01T00:00:00Z"), end: ts("2023-12-31T23:59:59.999999999Z")},
		{in: "../2023-12-31T00:00:00Z", end: ts("2023-12-31T00:00:00Z")},
		{in: "2023-01-01T00:00:00Z/..", start: ts("2023-01-01T00:00:00Z")},
		{in: "/2023-12-31T00:00:00Z", end: ts("2023-12-31T00:00:00Z")},
		{in: "2023-01-01T00:00:00Z/", start: ts("2023-01-01T00:00:00Z")},
		{in: "2024-01-01T00:00:00Z/2023-01-01T00:00:00Z", wantErr: true}, // reversed
		{in: "../..", wantErr: true},
		{in: "yesterday", wantErr: true},
		{in: "2023-13-01", wantErr: true},
		{in: "2023-01-01T00:00:00", wantErr: true}, // no offset: ambiguous
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDatetime(tt.in)
			if tt.wantErr {
				var inv *layers.InvalidError
				if !errors.As(err, &inv) || inv.Param != "datetime" {
					t.Fatalf("parseDatetime(%q) error = %v, want an invalid datetime", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseDatetime(%q): %v", tt.in, err)
			}
			if !sameTime(got.Start, tt.start) || !sameTime(got.End, tt.end) {
				t.Errorf("parseDatetime(%q) = %v..%v, want %v..%v", tt.in, got.Start, got.End, tt.start, tt.end)
			}
		})
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func TestParseBBox(t *testing.T) {
	tests := []struct {
		in      string
		c       crs.CRS
		want    layers.BBox
		wantErr bool
	}{
		{in: "16.4,59.5,16.7,59.7", c: crs.CRS84, want: layers.BBox{MinX: 16.4, MinY: 59.5, MaxX: 16.7, MaxY: 59.7, CRS: crs.CRS84}},
		{in: "16.4,59.5,0,16.7,59.7,100", c: crs.CRS84, want: layers.BBox{MinX: 16.4, MinY: 59.5, MaxX: 16.7, MaxY: 59.7, CRS: crs.CRS84}},
		{in: "580000,6600000,600000,6620000", c: crs.SWEREF99TM, want: layers.BBox{MinX: 580000, MinY: 6600000, MaxX: 600000, MaxY: 6620000, CRS: crs.SWEREF99TM}},
		{in: "16.7,59.5,16.4,59.7", c: crs.CRS84, wantErr: true}, // reversed
		{in: "16.4,59.5,16.7", c: crs.CRS84, wantErr: true},
		{in: "a,b,c,d", c: crs.CRS84, wantErr: true},
		{in: "16.4,59.5,16.7,NaN", c: crs.CRS84, wantErr: true},
		{in: "16.4,-95,16.7,59.7", c: crs.CRS84, wantErr: true},
		{in: "", c: crs.CRS84, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseBBox(tt.in, tt.c)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseBBox(%q) = %+v, want error", tt.in, got)
				}
				return
			}
			if err != nil || *got != tt.want {
				t.Errorf("parseBBox(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

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

func TestETagMatch(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{`"abc"`, true}, {`W/"abc"`, true}, {`"x", "abc"`, true}, {`*`, true}, {`"abcd"`, false}, {``, false},
	}
	for _, tt := range tests {
		if got := etagMatch(tt.header, "abc"); got != tt.want {
			t.Errorf("etagMatch(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestSchemaName(t *testing.T) {
	for in, want := range map[string]string{"indicator-values": "IndicatorValues", "places": "Places"} {
		if got := schemaName(in); got != want {
			t.Errorf("schemaName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := map[string]bool{
		"gzip": true, "deflate, gzip": true, "gzip;q=0.5": true, "GZIP": true,
		"gzip;q=0": false, "gzip; q=0.0": false, "identity": false, "": false, "br": false,
	}
	for header, want := range tests {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}
