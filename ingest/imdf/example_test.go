package imdf_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/imdf"
)

func ExampleOpen() {
	r, err := imdf.Open("testdata/station-mall", imdf.Options{Dataset: "mall"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		switch f.Class {
		case cim.ClassSite, cim.ClassBuilding, cim.ClassStorey, cim.ClassFacility:
			// Names are in the manifest's language (zh-Hans) and in each
			// language as name:<language>.
			name, _ := f.Props["name"].(string)
			en, _ := f.Props["name:en"].(string)
			line := fmt.Sprintf("%-8s %-14s floors %-5v %s %s", f.Class, f.Kind, f.Levels, name, en)
			fmt.Println(strings.TrimSpace(line))
		}
	}
	fmt.Println(r.Warnings())
	// Output:
	// site     shoppingcenter floors 0     城站商城 City Station Mall
	// building unspecified    floors -1..1 城站商城主楼 Main Building
	// storey   transit.train  floors -1    地下一层 Basement 1
	// storey   unspecified    floors 0     一层 Level 1
	// storey   unspecified    floors 1     二层 Level 2
	// facility restroom       floors -1..1 卫生间 Restrooms
	// facility elevator       floors -1..1 电梯 Elevator
	// facility ticketing      floors -1    地铁售票机 Metro Ticket Machines
	// facility atm            floors 0
	// facility information    floors 0     服务台 Information Desk
	// map[ignored address.geojson (not read):1]
}
