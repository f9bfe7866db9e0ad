package geojson_test

import (
	"bytes"
	"testing"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/geojson"
)

// TestEncoderMatchesWriter checks that the Encoder appends each feature
// as the Writer writes it, reusing one Encoder for features of different
// shapes.
func TestEncoderMatchesWriter(t *testing.T) {
	fs := []*cim.Feature{
		{ID: "a", Class: cim.ClassBuilding, Kind: "residential", Dataset: "s", Stage: cim.StagePlanning,
			Levels: cim.LevelRange{Min: -1, Max: 17}, Geometry: geom.NewPointFlat(geom.XY, []float64{120.21, 30.255}),
			Props: map[string]any{"name": "站东苑 1号楼", "height": 52.5}},
		{ID: "b", Class: cim.ClassRoad, Dataset: "osm", Stage: cim.StageAsBuilt,
			Geometry: geom.NewLineStringFlat(geom.XY, []float64{0, 0, 1, 1})},
		{ID: "c\"q", Class: cim.ClassGreen, Dataset: "s", Stage: cim.StageDesign,
			Geometry: geom.NewPolygonFlat(geom.XY, []float64{0, 0, 1, 0, 1, 1, 0, 0}, []int{8}),
			Props:    map[string]any{"leisure": "park"}},
	}
	var seq bytes.Buffer
	w := geojson.NewWriter(&seq, true)
	var enc geojson.Encoder
	var got []byte
	for _, f := range fs {
		if err := w.Write(f); err != nil {
			t.Fatal(err)
		}
		var err error
		if got, err = enc.Append(got, f); err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, seq.Bytes()) {
		t.Errorf("Encoder:\n%s\nWriter:\n%s", got, seq.Bytes())
	}
}
