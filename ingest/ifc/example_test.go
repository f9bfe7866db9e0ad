package ifc_test

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/ifc"
)

func Example() {
	f, err := os.Open("testdata/nogeoref.ifc")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	// The file has no georeferencing: put its origin in Hangzhou, +y north.
	r, err := ifc.NewReader(f, ifc.Options{
		Dataset: "house", Name: "nogeoref.ifc",
		Anchor: &cim.Anchor{Lon: 120.15, Lat: 30.25},
	})
	if err != nil {
		log.Fatal(err)
	}
	for {
		ft, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-8s %-10s level %v parent %q net area %v\n", ft.Class, ft.Props["Name"], ft.Levels, ft.Parent, ft.Props["net_floor_area_m2"])
	}
	// Output:
	// other    Site       level 0 parent "" net area <nil>
	// building House      level 0 parent "ifc:0000000000000000000002" net area <nil>
	// storey   Ground     level 0 parent "ifc:0000000000000000000003" net area <nil>
	// storey   First      level 1 parent "ifc:0000000000000000000003" net area <nil>
	// space    1          level 0 parent "ifc:0000000000000000000004" net area 49
}
