package query_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest/geojson"
	"github.com/future-community/cim/query"
)

func ExampleRun() {
	dir, _ := os.MkdirTemp("", "cim-example-")
	defer os.RemoveAll(dir)
	s, _ := index.Open(dir, nil)
	defer s.Close()
	in := `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"k1","properties":{"amenity":"kindergarten","level":"0"},"geometry":{"type":"Point","coordinates":[120.2101,30.2551]}},
{"type":"Feature","id":"k2","properties":{"amenity":"kindergarten","level":"1"},"geometry":{"type":"Point","coordinates":[120.2102,30.2552]}},
{"type":"Feature","id":"c1","properties":{"amenity":"clinic","level":"1"},"geometry":{"type":"Point","coordinates":[120.2103,30.2553]}}]}`
	r, _ := geojson.NewReader(strings.NewReader(in), geojson.Options{Dataset: "scheme"})
	if _, _, err := s.Ingest(context.Background(), r, nil); err != nil {
		panic(err)
	}

	sn, _ := s.Snapshot()
	defer sn.Close()
	floor1 := cim.Level(1)
	rows := query.Run(context.Background(), sn, query.Query{
		Levels:  &floor1,
		Classes: []cim.Class{cim.ClassFacility},
		Where:   []query.Cond{{Key: "amenity", Value: "kindergarten"}},
	})
	defer rows.Close()
	for rows.Next() {
		f := rows.Feature()
		fmt.Println(f.ID, f.Kind, "on floor", f.Levels)
	}
	if err := rows.Err(); err != nil {
		panic(err)
	}
	// Output:
	// geojson:scheme:k2 kindergarten on floor 1
}
