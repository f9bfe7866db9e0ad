package plan_test

import (
	"fmt"

	"github.com/future-community/cim/plan"
)

// A what-if body: the stored site "site" at the design stage, one
// proposed 30-storey building, and a stored building it replaces.
func ExampleDecodeWhatIf() {
	wi, err := plan.DecodeWhatIf([]byte(`{"site": "site", "stage": "design", "replace": ["b-o01"],
 "proposed": {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "tower",
  "properties": {"building": "commercial", "building:levels": 30},
  "geometry": {"type": "Polygon", "coordinates": [[[120.214, 30.2552], [120.2148, 30.2552], [120.2148, 30.2559], [120.214, 30.2559], [120.214, 30.2552]]]}}]}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p := wi.Proposed[0]
	fmt.Println(wi.SiteID, wi.Stage, wi.Pack.Name, wi.Replace)
	fmt.Println(p.ID, p.Class, p.Vertical.LevelsAbove)

	_, err = plan.DecodeWhatIf([]byte(`{"site": "site", "proposed": {"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [120.21]}}]}}`))
	fmt.Println(err)
	// Output:
	// site design zj-future-community [b-o01]
	// geojson:proposal:tower building 30
	// proposed feature 0: Point: position [120.21] has fewer than 2 numbers
}
