package cql2_test

import (
	"fmt"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/query/cql2"
	"github.com/twpayne/go-geom"
)

func Example() {
	// What GDAL's OAPIF driver sends for
	// ogr2ogr -where "kind = 'residential' AND height > 20".
	e, err := cql2.ParseText("(kind = 'residential') AND (height > 20)")
	if err != nil {
		fmt.Println(err)
		return
	}
	filter, err := cql2.Compile(e, cql2.FeatureQueryables(nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	tower := &cim.Feature{ID: "osm:w1", Class: cim.ClassBuilding, Kind: "residential",
		Geometry: geom.NewPointFlat(geom.XY, []float64{120.1, 30.2})}
	tower.Vertical.SetHeight(45)
	house := &cim.Feature{ID: "osm:w2", Class: cim.ClassBuilding, Kind: "residential",
		Geometry: geom.NewPointFlat(geom.XY, []float64{120.1, 30.2})}
	house.Vertical.SetHeight(9)
	fmt.Println(cql2.String(e))
	fmt.Println(filter(tower), filter(house))

	_, err = cql2.ParseText("height > 20 AND T_AFTER(built, DATE('2020-01-01'))")
	fmt.Println(err)
	e, _ = cql2.ParseText("colour = 'red'")
	fmt.Println(cql2.Bind(e, cql2.FeatureQueryables(nil)))
	// Output:
	// kind = 'residential' AND height > 20
	// true false
	// cql2: at 16: unsupported function "T_AFTER"
	// cql2: unknown queryable "colour"
}
