package tiles_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/samples"
	"github.com/future-community/cim/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// Build makes one vector tile of a store: here the storeys on floor 2
// (China's 3F) of the bundled sample, at zoom 16.
func ExampleBuild() {
	dir, _ := os.MkdirTemp("", "cim-example")
	defer os.RemoveAll(dir)
	s, err := index.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := samples.Ingest(s); err != nil {
		log.Fatal(err)
	}
	sn, _ := s.Snapshot()
	defer sn.Close()

	t := maptile.At(orb.Point{120.2123, 30.2572}, 16)
	two := cim.Level(2)
	data, _, err := tiles.Build(context.Background(), sn, uint32(t.Z), t.X, t.Y, tiles.Params{Levels: &two, Layers: []string{"storey"}})
	if err != nil {
		log.Fatal(err)
	}
	layers, _ := mvt.Unmarshal(data)
	for _, l := range layers {
		f := l.Features[0]
		fmt.Printf("%s: %d on floor 2; the first from %v m to %v m\n", l.Name, len(l.Features), f.Properties["min_height"], f.Properties["height"])
	}
	// Output:
	// storey: 2 on floor 2; the first from 8.7 m to 12.9 m
}
