package crs

import (
	"fmt"
	"math"
	"testing"
)

// Reference values from PostGIS 3 / PROJ (ST_Transform from 4326 to 3006 and 3857).
func TestToSWEREF99TM(t *testing.T) {
	tests := []struct {
		lon, lat, x, y float64
	}{
		{16.545, 59.61, 587183.61862, 6608993.127698},
		{12.0, 56.0, 312928.560891, 6210141.326748},
		{23.5, 68.5, 846725.061639, 7622596.640126},
		{15.0, 60.0, 500000, 0}, // y checked below only for the meridian's easting
	}
	for _, tt := range tests {
		x, y := ToSWEREF99TM(tt.lon, tt.lat)
		if math.Abs(x-tt.x) > 0.001 || (tt.y != 0 && math.Abs(y-tt.y) > 0.001) {
			t.Errorf("ToSWEREF99TM(%v, %v) = %.4f, %.4f; want %.4f, %.4f", tt.lon, tt.lat, x, y, tt.x, tt.y)
		}
	}
}

func TestSWEREF99TMRoundTrip(t *testing.T) {
	for lon := 10.0; lon <= 25; lon += 0.73 {
		for lat := 55.0; lat <= 69; lat += 0.61 {
			x, y := ToSWEREF99TM(lon, lat)
			glon, glat := FromSWEREF99TM(x, y)
			if math.Abs(glon-lon) > 1e-9 || math.Abs(glat-lat) > 1e-9 {
				t.Fatalf("round trip of %v, %v gave %v, %v", lon, lat, glon, glat)
			}
		}
	}
}

func TestWebMercator(t *testing.T) {
	tests := []struct{ lon, lat, x, y float64 }{
		{180, 0, WebMercatorHalf, 0},
		{16.545, 59.61, 1841780.975175, 8313415.883434},
		{0, 85.051128779807, 0, WebMercatorHalf},
	}
	for _, tt := range tests {
		x, y := ToWebMercator(tt.lon, tt.lat)
		if math.Abs(x-tt.x) > 0.001 || math.Abs(y-tt.y) > 0.01 {
			t.Errorf("ToWebMercator(%v, %v) = %.4f, %.4f; want %.4f, %.4f", tt.lon, tt.lat, x, y, tt.x, tt.y)
		}
		lon, lat := FromWebMercator(x, y)
		if math.Abs(lon-tt.lon) > 1e-9 || math.Abs(lat-tt.lat) > 1e-9 {
			t.Errorf("FromWebMercator round trip of %v, %v gave %v, %v", tt.lon, tt.lat, lon, lat)
		}
	}
}

func TestParseURI(t *testing.T) {
	tests := []struct {
		in      string
		want    CRS
		wantErr bool
	}{
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", CRS84, false},
		{"http://www.opengis.net/def/crs/EPSG/0/3006", SWEREF99TM, false},
		{"EPSG:3006", SWEREF99TM, false},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", WebMercator, false},
		{"OGC:CRS84", CRS84, false},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", 0, true}, // lat/lon axis order: not offered
		{"EPSG:9999", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("ParseURI(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && got.URI() != "" {
			if back, _ := ParseURI(got.URI()); back != got {
				t.Errorf("URI of %v does not parse back", got)
			}
		}
	}
}

func ExampleToSWEREF99TM() {
	x, y := ToSWEREF99TM(16.545, 59.61) // Västerås centre
	fmt.Printf("E %.0f N %.0f\n", x, y)
	// Output: E 587184 N 6608993
}

func BenchmarkToSWEREF99TM(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ToSWEREF99TM(16.545, 59.61)
	}
}
