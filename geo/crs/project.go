package crs

import "math"

// GRS80 ellipsoid and the SWEREF 99 TM projection parameters (Lantmäteriet, EPSG:3006).
const (
	grs80A          = 6378137.0
	grs80F          = 1 / 298.257222101
	centralMeridDeg = 15.0
	centralMerid    = centralMeridDeg * math.Pi / 180
	scale           = 0.9996
	falseEasting    = 500000.0
	// The false northing of SWEREF 99 TM is 0, so it does not appear in the formulas.
)

// Derived constants of the Gauss–Krüger series in the form Lantmäteriet publishes them
// ("Gauss konforma projektion (Transversal Mercator)", Krüger's formulas to fourth order in n,
// which are good to well under a millimetre within Sweden). They are untyped constant
// expressions on purpose: Go evaluates them exactly at compile time, so nothing is computed
// per call and there is no package state.
const (
	e2 = grs80F * (2 - grs80F) // first eccentricity squared
	n  = grs80F / (2 - grs80F) // third flattening
	e4 = e2 * e2
	e6 = e4 * e2
	e8 = e6 * e2
	n2 = n * n
	n3 = n2 * n
	n4 = n3 * n

	// aRoof is the rectifying radius â; k is â scaled by the projection's scale factor.
	aRoof = grs80A / (1 + n) * (1 + n2/4 + n4/64)
	kRoof = scale * aRoof

	// Geodetic latitude to conformal latitude (forward).
	fwdA = e2
	fwdB = (5*e4 - e6) / 6
	fwdC = (104*e6 - 45*e8) / 120
	fwdD = 1237 * e8 / 1260

	// Conformal latitude back to geodetic latitude (inverse).
	invA = e2 + e4 + e6 + e8
	invB = -(7*e4 + 17*e6 + 30*e8) / 6
	invC = (224*e6 + 889*e8) / 120
	invD = -4279 * e8 / 1260

	// Krüger's β coefficients (forward).
	beta1 = n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180
	beta2 = 13*n2/48 - 3*n3/5 + 557*n4/1440
	beta3 = 61*n3/240 - 103*n4/140
	beta4 = 49561 * n4 / 161280

	// Krüger's δ coefficients (inverse).
	delta1 = n/2 - 2*n2/3 + 37*n3/96 - n4/360
	delta2 = n2/48 + n3/15 - 437*n4/1440
	delta3 = 17*n3/480 - 37*n4/840
	delta4 = 4397 * n4 / 161280
)

const deg = math.Pi / 180

// ToSWEREF99TM projects a CRS84 longitude and latitude in degrees to SWEREF 99 TM (EPSG:3006)
// easting x and northing y in metres, using Lantmäteriet's Gauss–Krüger formulas.
//
// The result agrees with PROJ to well under a millimetre for Sweden's extent (longitude 10–25°,
// latitude 55–69°); accuracy degrades slowly with distance from the central meridian (15°E).
// Points 90° or more from that meridian, or with |lat| > 90, have no Transverse Mercator
// position and give NaN, NaN, so that callers (and Transform) can detect them instead of
// receiving plausible-looking nonsense.
func ToSWEREF99TM(lon, lat float64) (x, y float64) {
	// The domain check is done in degrees: cos(90° in radians) is not exactly 0.
	if d := math.Abs(math.Remainder(lon-centralMeridDeg, 360)); !(d < 90) || !(math.Abs(lat) <= 90) {
		return math.NaN(), math.NaN()
	}
	phi := lat * deg
	dl := lon*deg - centralMerid

	// Geodetic to conformal latitude φ*.
	s := math.Sin(phi)
	s2 := s * s
	phiStar := phi - s*math.Cos(phi)*(fwdA+s2*(fwdB+s2*(fwdC+s2*fwdD)))

	// Conformal sphere to spherical Transverse Mercator (ξ', η'). Atan2 instead of Atan of a
	// quotient keeps the sign right south of the equator and avoids a division by cos δλ = 0.
	cp := math.Cos(phiStar)
	xi := math.Atan2(math.Tan(phiStar), math.Cos(dl))
	eta := math.Atanh(cp * math.Sin(dl))

	// Krüger's series to the ellipsoid.
	y = kRoof * (xi +
		beta1*math.Sin(2*xi)*math.Cosh(2*eta) +
		beta2*math.Sin(4*xi)*math.Cosh(4*eta) +
		beta3*math.Sin(6*xi)*math.Cosh(6*eta) +
		beta4*math.Sin(8*xi)*math.Cosh(8*eta))
	x = kRoof*(eta+
		beta1*math.Cos(2*xi)*math.Sinh(2*eta)+
		beta2*math.Cos(4*xi)*math.Sinh(4*eta)+
		beta3*math.Cos(6*xi)*math.Sinh(6*eta)+
		beta4*math.Cos(8*xi)*math.Sinh(8*eta)) + falseEasting
	return x, y
}

// FromSWEREF99TM is the inverse of ToSWEREF99TM: SWEREF 99 TM easting x and northing y in
// metres to CRS84 longitude and latitude in degrees. A forward then inverse round trip is
// exact to about 1e-12 degrees within Sweden's extent. Coordinates far outside the projection's
// zone give meaningless results rather than an error; callers validating user input should
// check the range themselves.
func FromSWEREF99TM(x, y float64) (lon, lat float64) {
	xi := y / kRoof
	eta := (x - falseEasting) / kRoof

	xiP := xi -
		delta1*math.Sin(2*xi)*math.Cosh(2*eta) -
		delta2*math.Sin(4*xi)*math.Cosh(4*eta) -
		delta3*math.Sin(6*xi)*math.Cosh(6*eta) -
		delta4*math.Sin(8*xi)*math.Cosh(8*eta)
	etaP := eta -
		delta1*math.Cos(2*xi)*math.Sinh(2*eta) -
		delta2*math.Cos(4*xi)*math.Sinh(4*eta) -
		delta3*math.Cos(6*xi)*math.Sinh(6*eta) -
		delta4*math.Cos(8*xi)*math.Sinh(8*eta)

	phiStar := math.Asin(math.Sin(xiP) / math.Cosh(etaP))
	dl := math.Atan2(math.Sinh(etaP), math.Cos(xiP))

	s := math.Sin(phiStar)
	s2 := s * s
	phi := phiStar + s*math.Cos(phiStar)*(invA+s2*(invB+s2*(invC+s2*invD)))
	return (centralMerid + dl) / deg, phi / deg
}

// WebMercatorHalf is half the width (and height) of the square Web Mercator world in metres,
// π times the sphere radius: the world spans -WebMercatorHalf..WebMercatorHalf on both axes.
const WebMercatorHalf = 20037508.342789244

// webMercatorR is the radius of the sphere Web Mercator projects from. It equals the WGS84
// semi-major axis by definition of EPSG:3857, not by coincidence with grs80A.
const webMercatorR = 6378137.0

// WebMercatorMaxLat is the latitude in degrees at which the Web Mercator world is square
// (y = WebMercatorHalf); ToWebMercator clamps latitudes to ±WebMercatorMaxLat.
const WebMercatorMaxLat = 85.0511287798066

// ToWebMercator projects a CRS84 longitude and latitude in degrees to Web Mercator (EPSG:3857)
// x and y in metres. Latitude is clamped to ±WebMercatorMaxLat so that the poles, which
// Mercator sends to infinity, land on the edge of the tile pyramid instead; longitude is not
// wrapped.
func ToWebMercator(lon, lat float64) (x, y float64) {
	lat = math.Max(-WebMercatorMaxLat, math.Min(WebMercatorMaxLat, lat))
	x = lon * deg * webMercatorR
	y = math.Log(math.Tan(math.Pi/4+lat*deg/2)) * webMercatorR
	return x, y
}

// FromWebMercator is the inverse of ToWebMercator: Web Mercator x and y in metres to CRS84
// longitude and latitude in degrees. It is defined for every finite input; y beyond
// ±WebMercatorHalf gives latitudes beyond ±WebMercatorMaxLat.
func FromWebMercator(x, y float64) (lon, lat float64) {
	lon = x / webMercatorR / deg
	lat = (2*math.Atan(math.Exp(y/webMercatorR)) - math.Pi/2) / deg
	return lon, lat
}
