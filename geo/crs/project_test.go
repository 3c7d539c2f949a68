package crs_test

import (
	"math"
	"testing"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// swerefControl are control points across Sweden. The reference easting and northing were
// computed with PROJ 9.1 (cs2cs EPSG:4326 EPSG:3006, which applies no datum shift, the same
// assumption as this package) and agree with Lantmäteriet's Gauss–Krüger formulas; the
// central-meridian row checks the false easting exactly.
var swerefControl = []struct {
	name     string
	lon, lat float64
	x, y     float64
}{
	{"Västerås", 16.545, 59.61, 587183.618620, 6608993.127698},
	{"Stockholm", 18.0686, 59.3293, 674571.866449, 6580743.008331},
	{"Göteborg", 11.9746, 57.7089, 319758.020082, 6400326.036178},
	{"Malmö", 13.0038, 55.6050, 374243.758529, 6163926.553424},
	{"Kiruna", 20.2253, 67.8558, 719583.123005, 7536069.969925},
	{"Haparanda", 24.1, 65.8, 915084.450651, 7327768.609211},
	{"central meridian", 15, 60, 500000, 6651411.190240},
	{"south-west corner", 10, 55, 180296.356095, 6106230.420044},
	{"north-east corner", 25, 69, 898429.926229, 7686926.248549},
	{"Skåne west", 12, 56, 312928.560891, 6210141.326748},
	{"Norrbotten", 23.5, 68.5, 846725.061639, 7622596.640126},
}

const (
	mm     = 0.001 // metres
	degTol = 1e-9  // degrees, about 0.1 mm on the ground
)

func TestToSWEREF99TM(t *testing.T) {
	for _, tt := range swerefControl {
		x, y := crs.ToSWEREF99TM(tt.lon, tt.lat)
		if math.Abs(x-tt.x) > mm || math.Abs(y-tt.y) > mm {
			t.Errorf("%s: ToSWEREF99TM(%v, %v) = %.4f, %.4f, want %.4f, %.4f",
				tt.name, tt.lon, tt.lat, x, y, tt.x, tt.y)
		}
	}
}

func TestFromSWEREF99TM(t *testing.T) {
	for _, tt := range swerefControl {
		lon, lat := crs.FromSWEREF99TM(tt.x, tt.y)
		if math.Abs(lon-tt.lon) > degTol || math.Abs(lat-tt.lat) > degTol {
			t.Errorf("%s: FromSWEREF99TM(%v, %v) = %.11f, %.11f, want %.11f, %.11f",
				tt.name, tt.x, tt.y, lon, lat, tt.lon, tt.lat)
		}
	}
}

// TestSWEREF99TMRoundTrip walks a grid over Sweden's extent (lon 10–25, lat 55–69) in both
// directions: degrees → metres → degrees and metres → degrees → metres.
func TestSWEREF99TMRoundTrip(t *testing.T) {
	for lon := 10.0; lon <= 25; lon += 0.25 {
		for lat := 55.0; lat <= 69; lat += 0.25 {
			x, y := crs.ToSWEREF99TM(lon, lat)
			gotLon, gotLat := crs.FromSWEREF99TM(x, y)
			if math.Abs(gotLon-lon) > degTol || math.Abs(gotLat-lat) > degTol {
				t.Fatalf("FromSWEREF99TM(ToSWEREF99TM(%v, %v)) = %v, %v, want %v, %v", lon, lat, gotLon, gotLat, lon, lat)
			}
			gotX, gotY := crs.ToSWEREF99TM(gotLon, gotLat)
			if math.Abs(gotX-x) > mm || math.Abs(gotY-y) > mm {
				t.Fatalf("ToSWEREF99TM(FromSWEREF99TM(%v, %v)) = %v, %v, want %v, %v", x, y, gotX, gotY, x, y)
			}
		}
	}
}

func TestWebMercator(t *testing.T) {
	tests := []struct {
		name     string
		lon, lat float64
		x, y     float64
	}{
		{"origin", 0, 0, 0, 0},
		{"antimeridian", 180, 0, 20037508.342789244, 0},
		{"west antimeridian", -180, 0, -20037508.342789244, 0},
		{"top of the square world", 0, crs.WebMercatorMaxLat, 0, crs.WebMercatorHalf},
		{"bottom of the square world", 0, -crs.WebMercatorMaxLat, 0, -crs.WebMercatorHalf},
		// Reference values from PROJ 9.1 (cs2cs EPSG:4326 EPSG:3857).
		{"Västerås", 16.545, 59.61, 1841780.975175, 8313415.883434},
		{"Sydney", 151.2093, -33.8688, 16832542.279207, -4011198.647308},
	}
	for _, tt := range tests {
		x, y := crs.ToWebMercator(tt.lon, tt.lat)
		if math.Abs(x-tt.x) > mm || math.Abs(y-tt.y) > mm {
			t.Errorf("%s: ToWebMercator(%v, %v) = %.6f, %.6f, want %.6f, %.6f", tt.name, tt.lon, tt.lat, x, y, tt.x, tt.y)
		}
		lon, lat := crs.FromWebMercator(tt.x, tt.y)
		if math.Abs(lon-tt.lon) > degTol || math.Abs(lat-tt.lat) > degTol {
			t.Errorf("%s: FromWebMercator(%v, %v) = %.11f, %.11f, want %.11f, %.11f", tt.name, tt.x, tt.y, lon, lat, tt.lon, tt.lat)
		}
	}
}

func TestWebMercatorClampsPoles(t *testing.T) {
	tests := []struct {
		lat, wantY float64
	}{
		{90, crs.WebMercatorHalf},
		{89, crs.WebMercatorHalf},
		{-90, -crs.WebMercatorHalf},
	}
	for _, tt := range tests {
		if _, got := crs.ToWebMercator(0, tt.lat); math.Abs(got-tt.wantY) > mm {
			t.Errorf("ToWebMercator(0, %v) y = %.6f, want %.6f", tt.lat, got, tt.wantY)
		}
	}
}

func BenchmarkToSWEREF99TM(b *testing.B) {
	for b.Loop() {
		crs.ToSWEREF99TM(16.545, 59.61)
	}
}

func BenchmarkFromSWEREF99TM(b *testing.B) {
	for b.Loop() {
		crs.FromSWEREF99TM(587183.618620, 6608993.127698)
	}
}

func TestToSWEREF99TMOutsideDomain(t *testing.T) {
	tests := []struct{ lon, lat float64 }{
		{-75, 0},   // exactly 90° west of 15°E: the projection's singularity
		{105, 60},  // 90° east
		{-165, 59}, // the antipodal meridian
		{16, 91},
		{16, math.NaN()},
	}
	for _, tt := range tests {
		x, y := crs.ToSWEREF99TM(tt.lon, tt.lat)
		if !math.IsNaN(x) || !math.IsNaN(y) {
			t.Errorf("ToSWEREF99TM(%v, %v) = %v, %v, want NaN, NaN", tt.lon, tt.lat, x, y)
		}
	}
}
