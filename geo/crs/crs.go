// Package crs converts coordinates between the reference systems Lägesbild uses: CRS84
// (WGS84 lon/lat, the web's GeoJSON), SWEREF 99 TM (EPSG:3006, storage and metres) and Web
// Mercator (EPSG:3857, tiles).
//
// Assumptions: SWEREF 99 geodetic coordinates are taken as equal to WGS84 (they differ by
// well under a metre, below the precision of anything stored here); x is easting and y is
// northing in every projected CRS, as PostGIS stores them.
package crs

import (
	"fmt"
	"math"
)

// CRS names a supported coordinate reference system.
type CRS int

// The supported reference systems.
const (
	CRS84 CRS = iota
	SWEREF99TM
	WebMercator
)

// URI returns the OGC URI of c, as used in the crs and bbox-crs parameters.
func (c CRS) URI() string {
	switch c {
	case SWEREF99TM:
		return "http://www.opengis.net/def/crs/EPSG/0/3006"
	case WebMercator:
		return "http://www.opengis.net/def/crs/EPSG/0/3857"
	default:
		return "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	}
}

// SRID returns the PostGIS SRID of c (4326 for CRS84, whose axis order is lon/lat in PostGIS too).
func (c CRS) SRID() int {
	switch c {
	case SWEREF99TM:
		return 3006
	case WebMercator:
		return 3857
	default:
		return 4326
	}
}

func (c CRS) String() string {
	switch c {
	case SWEREF99TM:
		return "EPSG:3006"
	case WebMercator:
		return "EPSG:3857"
	default:
		return "CRS84"
	}
}

// ParseURI accepts an OGC CRS URI or a short form (CRS84, OGC:CRS84, EPSG:3006, EPSG:3857).
// Anything else is an error naming the value.
func ParseURI(s string) (CRS, error) {
	switch s {
	case CRS84.URI(), "CRS84", "OGC:CRS84", "[OGC:CRS84]":
		return CRS84, nil
	case SWEREF99TM.URI(), "EPSG:3006", "[EPSG:3006]":
		return SWEREF99TM, nil
	case WebMercator.URI(), "EPSG:3857", "[EPSG:3857]":
		return WebMercator, nil
	}
	return 0, fmt.Errorf("unsupported CRS %q", s)
}

// GRS80 ellipsoid and the SWEREF 99 TM projection parameters.
const (
	grs80A       = 6378137.0
	grs80F       = 1 / 298.257222101
	centralMerid = 15.0 * math.Pi / 180
	scale        = 0.9996
	falseEasting = 500000.0
)

// WebMercatorHalf is half the width of the Web Mercator world in metres.
const WebMercatorHalf = 20037508.342789244

// tm holds the derived constants of the Gauss–Krüger series (Lantmäteriet's formulas).
type tm struct {
	aRoof                  float64
	a, b, c, d             float64 // forward latitude series
	as, bs, cs, ds         float64 // inverse latitude series
	beta1, beta2, b3, b4   float64
	delta1, delta2, d3, d4 float64
}

func newTM() tm {
	e2 := grs80F * (2 - grs80F)
	n := grs80F / (2 - grs80F)
	n2, n3, n4 := n*n, n*n*n, n*n*n*n
	e4, e6, e8 := e2*e2, e2*e2*e2, e2*e2*e2*e2
	return tm{
		aRoof:  grs80A / (1 + n) * (1 + n2/4 + n4/64),
		a:      e2,
		b:      (5*e4 - e6) / 6,
		c:      (104*e6 - 45*e8) / 120,
		d:      (1237 * e8) / 1260,
		as:     e2 + e4 + e6 + e8,
		bs:     -(7*e4 + 17*e6 + 30*e8) / 6,
		cs:     (224*e6 + 889*e8) / 120,
		ds:     -(4279 * e8) / 1260,
		beta1:  n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180,
		beta2:  13*n2/48 - 3*n3/5 + 557*n4/1440,
		b3:     61*n3/240 - 103*n4/140,
		b4:     49561 * n4 / 161280,
		delta1: n/2 - 2*n2/3 + 37*n3/96 - n4/360,
		delta2: n2/48 + n3/15 - 437*n4/1440,
		d3:     17*n3/480 - 37*n4/840,
		d4:     4397 * n4 / 161280,
	}
}

// ToSWEREF99TM projects lon/lat in degrees to SWEREF 99 TM easting x and northing y in metres.
func ToSWEREF99TM(lon, lat float64) (x, y float64) {
	p := newTM()
	phi := lat * math.Pi / 180
	lambda := lon * math.Pi / 180
	s := math.Sin(phi)
	s2 := s * s
	phiStar := phi - s*math.Cos(phi)*(p.a+s2*(p.b+s2*(p.c+s2*p.d)))
	dl := lambda - centralMerid
	xi := math.Atan(math.Tan(phiStar) / math.Cos(dl))
	eta := math.Atanh(math.Cos(phiStar) * math.Sin(dl))
	k := scale * p.aRoof
	y = k * (xi +
		p.beta1*math.Sin(2*xi)*math.Cosh(2*eta) +
		p.beta2*math.Sin(4*xi)*math.Cosh(4*eta) +
		p.b3*math.Sin(6*xi)*math.Cosh(6*eta) +
		p.b4*math.Sin(8*xi)*math.Cosh(8*eta))
	x = k*(eta+
		p.beta1*math.Cos(2*xi)*math.Sinh(2*eta)+
		p.beta2*math.Cos(4*xi)*math.Sinh(4*eta)+
		p.b3*math.Cos(6*xi)*math.Sinh(6*eta)+
		p.b4*math.Cos(8*xi)*math.Sinh(8*eta)) + falseEasting
	return x, y
}

// FromSWEREF99TM is the inverse of ToSWEREF99TM: easting x, northing y in metres to lon/lat in degrees.
func FromSWEREF99TM(x, y float64) (lon, lat float64) {
	p := newTM()
	k := scale * p.aRoof
	xi := y / k
	eta := (x - falseEasting) / k
	xiP := xi -
		p.delta1*math.Sin(2*xi)*math.Cosh(2*eta) -
		p.delta2*math.Sin(4*xi)*math.Cosh(4*eta) -
		p.d3*math.Sin(6*xi)*math.Cosh(6*eta) -
		p.d4*math.Sin(8*xi)*math.Cosh(8*eta)
	etaP := eta -
		p.delta1*math.Cos(2*xi)*math.Sinh(2*eta) -
		p.delta2*math.Cos(4*xi)*math.Sinh(4*eta) -
		p.d3*math.Cos(6*xi)*math.Sinh(6*eta) -
		p.d4*math.Cos(8*xi)*math.Sinh(8*eta)
	phiStar := math.Asin(math.Sin(xiP) / math.Cosh(etaP))
	dl := math.Atan(math.Sinh(etaP) / math.Cos(xiP))
	s := math.Sin(phiStar)
	s2 := s * s
	phi := phiStar + s*math.Cos(phiStar)*(p.as+s2*(p.bs+s2*(p.cs+s2*p.ds)))
	return (centralMerid + dl) * 180 / math.Pi, phi * 180 / math.Pi
}

// ToWebMercator projects lon/lat in degrees to Web Mercator metres. Latitudes are clamped to
// ±85.051128779807°, the square world of the tile pyramid.
func ToWebMercator(lon, lat float64) (x, y float64) {
	lat = math.Max(-85.051128779807, math.Min(85.051128779807, lat))
	x = lon * math.Pi / 180 * grs80A
	y = math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * grs80A
	return x, y
}

// FromWebMercator is the inverse of ToWebMercator.
func FromWebMercator(x, y float64) (lon, lat float64) {
	lon = x / grs80A * 180 / math.Pi
	lat = (2*math.Atan(math.Exp(y/grs80A)) - math.Pi/2) * 180 / math.Pi
	return lon, lat
}
