package features

import (
	"reflect"
	"testing"

	"github.com/future-community/cim/cim"
)

// FuzzDecodeFeature feeds request bodies to the decoder of POST and PUT:
// it must answer a feature or an error, never panic or hang, and a
// feature it answers must be valid and read back the same from the
// GeoJSON that GET would answer for it.
func FuzzDecodeFeature(f *testing.F) {
	for _, s := range []string{
		`{"type":"Feature","id":"b1","geometry":{"type":"Polygon","coordinates":[[[120.1,30.2],[120.1001,30.2],[120.1001,30.2001],[120.1,30.2001],[120.1,30.2]]]},"properties":{"building":"residential","building:levels":5,"height":18.5,"name":"一号楼"}}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[120.2,30.3]},"properties":{"cim:class":"building","cim:stage":"design","cim:dataset":"d","cim:level":"-1..3","cim:parent":"s1"}}`,
		`{"type":"Feature","id":7,"geometry":{"type":"MultiPolygon","coordinates":[[[[120,30],[120.1,30],[120.1,30.1],[120,30]],[[120.02,30.01],[120.05,30.01],[120.05,30.04],[120.02,30.01]]]]},"properties":null}`,
		`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[120,30],[120,30]]},"properties":{"building:levels":"3;4"}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120,30],[120.1,30.1],[120.1,30],[120,30.1],[120,30]]]}}`,
		`{"type":"FeatureCollection","features":[]}`,
		`[[[[[[[[[[]]]]]]]]]]`, `{"type":"Feature",`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, tg := range []target{{class: cim.ClassBuilding}, {class: cim.ClassRoad, dataset: "d", stage: cim.StageDesign, id: "geojson:d:b1", parent: "s1"}} {
			got, err := decodeFeature(b, tg)
			if err != nil {
				if _, ok := err.(*BodyError); !ok {
					t.Fatalf("error %T %v, want a *BodyError", err, err)
				}
				continue
			}
			if err := got.Validate(); err != nil || got.Class != tg.class {
				t.Fatalf("decoded an invalid feature %+v: %v", got, err)
			}
			text, err := encodeFeature(got)
			if err != nil {
				t.Fatal(err)
			}
			again, err := decodeFeature(text, target{class: got.Class, dataset: got.Dataset, stage: got.Stage, id: got.ID, parent: got.Parent})
			if err != nil {
				t.Fatalf("GET's GeoJSON of %s does not read back: %v\n%s", b, err, text)
			}
			if !reflect.DeepEqual(got, again) {
				t.Fatalf("read back differs:\n%+v\n%+v\n%s", got, again, text)
			}
		}
	})
}
