// Package crs names the coordinate reference systems Lägesbild supports and converts
// coordinates and geometries between them: CRS84 (WGS84 longitude/latitude in degrees, the
// GeoJSON default), SWEREF 99 TM (EPSG:3006, the Swedish national grid in metres, used for
// storage and measurement) and Web Mercator (EPSG:3857, used for map tiles). It is also the one
// place where go-geom geometries (as read from PostGIS) and orb geometries (as used everywhere
// else) are converted into each other.
//
// Assumptions:
//   - SWEREF 99 geodetic coordinates are treated as equal to WGS84/CRS84. SWEREF 99 is the
//     Swedish realisation of ETRS89 and drifts from WGS84 by well under a metre, below the
//     accuracy of the municipal data served; PostGIS/PROJ make the same null shift between
//     EPSG:4326 and EPSG:3006.
//   - Coordinates are 2D. Z and M values are dropped when converting from go-geom.
//   - Every projected coordinate is x = easting, y = northing, whatever the official EPSG axis
//     order (see CRS).
//   - The package does no I/O and holds no mutable state; everything is safe for concurrent use.
package crs

import "fmt"

// CRS names a supported coordinate reference system. The zero value is CRS84.
//
// Axis order: CRS84 is longitude, latitude. EPSG:3006 is officially northing, easting, but, as
// PostGIS stores it and as most clients of OGC API Features Part 2 expect in GeoJSON, Lägesbild
// always writes and reads easting first (x = easting, y = northing). This choice is deliberate:
// it keeps one coordinate order from the database to the wire, and the API documentation says
// so. EPSG:3857 is easting, northing officially as well.
type CRS int

// The supported reference systems.
const (
	CRS84 CRS = iota
	SWEREF99TM
	WebMercator
)

// URI returns the OGC URI of c, as used in the crs and bbox-crs parameters and the
// Content-Crs header. It returns "" for a value that is not one of the constants.
func (c CRS) URI() string {
	switch c {
	case CRS84:
		return "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	case SWEREF99TM:
		return "http://www.opengis.net/def/crs/EPSG/0/3006"
	case WebMercator:
		return "http://www.opengis.net/def/crs/EPSG/0/3857"
	}
	return ""
}

// SRID returns the PostGIS SRID of c: 4326 for CRS84 (PostGIS stores 4326 as lon/lat, so it
// is CRS84 in practice), 3006 and 3857. It returns 0 for a value that is not one of the
// constants.
func (c CRS) SRID() int {
	switch c {
	case CRS84:
		return 4326
	case SWEREF99TM:
		return 3006
	case WebMercator:
		return 3857
	}
	return 0
}

// String returns the short name of c ("CRS84", "EPSG:3006", "EPSG:3857"), or "CRS(n)" for a
// value that is not one of the constants.
func (c CRS) String() string {
	switch c {
	case CRS84:
		return "CRS84"
	case SWEREF99TM:
		return "EPSG:3006"
	case WebMercator:
		return "EPSG:3857"
	}
	return fmt.Sprintf("CRS(%d)", int(c))
}

// valid reports whether c is one of the constants.
func (c CRS) valid() bool { return c.URI() != "" }

// ParseURI accepts exactly the OGC URIs returned by URI and the short forms "CRS84",
// "OGC:CRS84", "EPSG:3006" and "EPSG:3857". Matching is exact (case-sensitive, no
// surrounding space).
//
// Anything else is an error naming the value. In particular EPSG:4326 is rejected on purpose:
// its official axis order is latitude, longitude, and accepting it while answering in
// longitude, latitude would silently swap coordinates for strict clients.
func ParseURI(s string) (CRS, error) {
	switch s {
	case CRS84.URI(), "CRS84", "OGC:CRS84":
		return CRS84, nil
	case SWEREF99TM.URI(), "EPSG:3006":
		return SWEREF99TM, nil
	case WebMercator.URI(), "EPSG:3857":
		return WebMercator, nil
	}
	return 0, fmt.Errorf("crs: unsupported CRS %q", s)
}
