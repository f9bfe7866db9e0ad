package cityjson_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/cityjson"
)

func ExampleNewReader() {
	// A 10 m × 8 m LoD1 block of 9 m in Delft, in Dutch RD New + NAP. Its
	// centre, 85005 447504, is 4.367654 52.011478 by GDAL (gdaltransform
	// -s_srs EPSG:28992 -t_srs EPSG:4326).
	in := `{"type":"CityJSON","version":"2.0",
 "transform":{"scale":[0.001,0.001,0.001],"translate":[85000,447500,0]},
 "metadata":{"referenceSystem":"https://www.opengis.net/def/crs/EPSG/0/7415"},
 "CityObjects":{"b1":{"type":"Building","attributes":{"storeysAboveGround":3},
  "geometry":[{"type":"Solid","lod":"1.2","boundaries":[[
   [[0,3,2,1]],[[4,5,6,7]],[[0,1,5,4]],[[1,2,6,5]],[[2,3,7,6]],[[3,0,4,7]]]]}]}},
 "vertices":[[0,0,500],[10000,0,500],[10000,8000,500],[0,8000,500],
  [0,0,9500],[10000,0,9500],[10000,8000,9500],[0,8000,9500]]}`
	r, err := cityjson.NewReader(strings.NewReader(in), cityjson.Options{Dataset: "delft"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		lon, lat := cim.Centroid(f.Geometry)
		fmt.Printf("%s %s floors %v height %g m, ground at %v m\n", f.ID, f.Class, f.Levels, f.Vertical.HeightM, f.Props["cityjson:ground_z"])
		fmt.Printf("footprint %.0f m² at %.5f, %.5f\n", cim.AreaM2(f.Geometry), lon, lat)
	}
	// Output:
	// cityjson:delft:b1 building floors 0..2 height 9 m, ground at 0.5 m
	// footprint 80 m² at 4.36765, 52.01148
}
