package geojson_test

import (
	"os"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/geojson"
)

func ExampleWriter() {
	w := geojson.NewWriter(os.Stdout, true) // GeoJSONSeq: one feature a line
	w.Write(&cim.Feature{
		ID: "geojson:scheme:b1", Class: cim.ClassBuilding, Kind: "residential",
		Dataset: "scheme", Stage: cim.StagePlanning, Levels: cim.LevelRange{Min: -1, Max: 17},
		Geometry: geom.NewPointFlat(geom.XY, []float64{120.21, 30.255}),
		Props:    map[string]any{"name": "站东苑 1号楼"},
	})
	w.Close()
	// Output:
	// {"type":"Feature","id":"geojson:scheme:b1","geometry":{"type":"Point","coordinates":[120.21,30.255]},"properties":{"cim:class":"building","cim:dataset":"scheme","cim:kind":"residential","cim:level":"-1..17","cim:stage":"planning","name":"站东苑 1号楼"}}
}
