package walk_test

import (
	"fmt"

	"github.com/future-community/cim/walk"
	"github.com/twpayne/go-geom"
)

func ExampleNetwork_From() {
	// Two streets drawn by hand, crossing without a shared vertex, and a
	// footpath that ends on the second one.
	streets := []geom.T{
		geom.NewLineStringFlat(geom.XY, []float64{120.200, 30.250, 120.210, 30.250}),
		geom.NewLineStringFlat(geom.XY, []float64{120.205, 30.245, 120.205, 30.255}),
		geom.NewLineStringFlat(geom.XY, []float64{120.205, 30.252, 120.208, 30.253}),
	}
	n := walk.Build(streets, walk.Options{})
	nodes, edges := n.Len()
	fmt.Println(nodes, "nodes,", edges, "edges")

	// Walking distances from a metro entrance, 20 m off the first street,
	// up to 800 m (a 10-minute walk).
	station := [2]float64{120.2010, 30.2502}
	f := n.From([][2]float64{station}, 800)
	for _, k := range []struct {
		name     string
		lon, lat float64
	}{
		{"kindergarten by the crossing", 120.2052, 30.2501},
		{"kindergarten on the footpath", 120.2060, 30.25233},
		{"kindergarten down the second street", 120.2050, 30.2475},
		{"kindergarten at the far end", 120.2099, 30.2500},
		{"kindergarten 190 m from any street", 120.2030, 30.2530},
	} {
		if d, ok := f.To(k.lon, k.lat); ok {
			fmt.Printf("%s: %.0f m\n", k.name, d)
		} else {
			fmt.Printf("%s: not reached within 800 m\n", k.name)
		}
	}
	// Output:
	// 7 nodes, 6 edges
	// kindergarten by the crossing: 437 m
	// kindergarten on the footpath: 732 m
	// kindergarten down the second street: 684 m
	// kindergarten at the far end: not reached within 800 m
	// kindergarten 190 m from any street: not reached within 800 m
}
