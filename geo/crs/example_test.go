package crs_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/lagesbild/lagesbild/geo/crs"
)

func ExampleToSWEREF99TM() {
	x, y := crs.ToSWEREF99TM(16.545, 59.61) // Västerås centre
	fmt.Printf("E %.1f N %.1f\n", x, y)
	// Output: E 587183.6 N 6608993.1
}

func ExampleFromSWEREF99TM() {
	lon, lat := crs.FromSWEREF99TM(587183.6186, 6608993.1277)
	fmt.Printf("%.6f %.6f\n", lon, lat)
	// Output: 16.545000 59.610000
}

func ExampleToWebMercator() {
	x, y := crs.ToWebMercator(180, 0)
	fmt.Printf("%.9f %.1f\n", x, y)
	// Output: 20037508.342789244 0.0
}

func ExampleParseURI() {
	for _, s := range []string{"http://www.opengis.net/def/crs/EPSG/0/3006", "OGC:CRS84", "EPSG:4326"} {
		c, err := crs.ParseURI(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(c, c.SRID(), c.URI())
	}
	// Output:
	// EPSG:3006 3006 http://www.opengis.net/def/crs/EPSG/0/3006
	// CRS84 4326 http://www.opengis.net/def/crs/OGC/1.3/CRS84
	// crs: unsupported CRS "EPSG:4326"
}

func ExampleTransform() {
	line := orb.LineString{{16.50, 59.60}, {16.60, 59.65}}
	g, err := crs.Transform(line, crs.CRS84, crs.SWEREF99TM)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range g.(orb.LineString) {
		fmt.Printf("E %.0f N %.0f\n", p[0], p[1])
	}
	// Output:
	// E 584670 N 6607821
	// E 590180 N 6613520
}

func ExampleToGeom() {
	g, err := crs.ToGeom(orb.Point{587184, 6608993}, crs.SWEREF99TM.SRID())
	if err != nil {
		fmt.Println(err)
		return
	}
	back, err := crs.ToOrb(g)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := back.(orb.Point)
	fmt.Printf("SRID %d, layout %v, back to orb: %.0f %.0f\n", g.SRID(), g.Layout(), p[0], p[1])
	// Output: SRID 3006, layout XY, back to orb: 587184 6608993
}
