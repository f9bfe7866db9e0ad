package index_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/twpayne/go-geom"
)

type features []*cim.Feature

func (fs *features) Next() (*cim.Feature, error) {
	if len(*fs) == 0 {
		return nil, io.EOF
	}
	f := (*fs)[0]
	*fs = (*fs)[1:]
	return f, nil
}

func Example() {
	dir, _ := os.MkdirTemp("", "cim-example-")
	defer os.RemoveAll(dir)
	s, err := index.Open(dir, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()

	square := func(x, y float64) geom.T {
		return geom.NewPolygonFlat(geom.XY, []float64{x, y, x + 0.0003, y, x + 0.0003, y + 0.0003, x, y + 0.0003, x, y}, []int{10})
	}
	src := features{
		{ID: "geojson:s:tower", Class: cim.ClassBuilding, Geometry: square(120.21, 30.255), Levels: cim.LevelRange{Min: -2, Max: 25}, Dataset: "s", Stage: cim.StagePlanning},
		{ID: "geojson:s:clinic", Class: cim.ClassSpace, Geometry: square(120.2101, 30.2551), Levels: cim.Level(1), Dataset: "s", Stage: cim.StageDesign},
		{ID: "geojson:s:park", Class: cim.ClassGreen, Geometry: square(120.22, 30.26), Dataset: "s", Stage: cim.StagePlanning},
	}
	// One atomic batch: all three features appear at once, at a new revision.
	stats, rev, err := s.Ingest(context.Background(), &src, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("stored", stats.Put, "features at revision", rev)

	sn, _ := s.Snapshot()
	defer sn.Close()
	box := cim.Box{MinLon: 120.209, MinLat: 30.254, MaxLon: 120.212, MaxLat: 30.257}
	floor1 := cim.Level(1)
	it, err := sn.Scan(context.Background(), index.Filter{Box: &box, Levels: &floor1})
	if err != nil {
		panic(err)
	}
	defer it.Close()
	for it.Next() {
		f, _ := it.Feature()
		fmt.Println(it.Plan(), "→", f.ID, f.Class, "floors", f.Levels)
	}
	// Output:
	// stored 3 features at revision 1
	// floor index → geojson:s:tower building floors -2..25
	// floor index → geojson:s:clinic space floors 1
}
