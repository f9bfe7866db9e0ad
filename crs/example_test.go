package crs_test

import (
	"fmt"

	"github.com/future-community/cim/crs"
)

// A CityJSON file of Delft declares its reference system as an OGC URI;
// its vertices are RD New eastings and northings with NAP heights.
func ExampleCRS_ToLonLat() {
	c, err := crs.Parse("https://www.opengis.net/def/crs/EPSG/0/7415")
	if err != nil {
		fmt.Println(err)
		return
	}
	lon, lat := c.ToLonLat(84500, 447000)
	fmt.Printf("%s (%s)\n", c.Name(), c)
	fmt.Printf("lon %.5f lat %.5f\n", lon, lat)
	x, y := c.FromLonLat(lon, lat)
	fmt.Printf("x %.3f y %.3f\n", x, y)
	// Output:
	// Amersfoort / RD New + NAP height (EPSG:7415)
	// lon 4.36040 lat 52.00689
	// x 84500.000 y 447000.000
}

func ExampleParse() {
	for _, s := range []string{"EPSG:25832", "urn:ogc:def:crs:EPSG::4547", "EPSG:27700", "Amersfoort"} {
		c, err := crs.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%d %s\n", c.EPSG(), c.Name())
	}
	// Output:
	// 25832 ETRS89 / UTM zone 32N
	// 4547 CGCS2000 / 3-degree Gauss-Kruger CM 114E
	// crs: unsupported CRS: EPSG:27700; supported are EPSG:4326, 4490, 3857, 4513–4554 (CGCS2000 3° Gauss–Krüger), 32601–32660, 32701–32760 (WGS 84 / UTM), 25828–25838 (ETRS89 / UTM), 2056 (CH1903+ / LV95), 28992, 7415 (Amersfoort / RD New)
	// crs: cannot parse "Amersfoort": want an EPSG code such as EPSG:28992, urn:ogc:def:crs:EPSG::28992 or https://www.opengis.net/def/crs/EPSG/0/28992
}
