package query

import (
	"context"
	"slices"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
)

// viewFixture is a scheme and the city around it, 0.001° apart along a
// street (about 100 m; each square is 0.0005°, some 50 m):
//
//	x=0  p1 planned, p1 redesigned; s1, the survey of what was built there (another id);
//	     o1, the old building OpenStreetMap still has there
//	x=1  p2 planned, never built; o2, an old building p2 covers for 20 %
//	x=2  s3, surveyed, not in the plan
//	x=3  o4, a building the scheme does not touch
//	x=4  g-park, a park of 4 squares in OSM, with the plan's green square in it
//	x=5  o6, on floor 5 above the plan's building p6 on floors 0–2
//	x=6  d7 in a scheme that holds only a design
//	x=7  pa, the scheme's parcel, planned: a control that stays in force
func viewFixture(t *testing.T) *index.Snapshot {
	t.Helper()
	s, err := index.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sq := func(i, shift float64) cim.Box {
		x := 120 + i*0.001 + shift*0.0005
		return cim.Box{MinLon: x, MinLat: 30, MaxLon: x + 0.0005, MaxLat: 30.0005}
	}
	feat := func(id, ds string, st cim.Stage, c cim.Class, b cim.Box, lo, hi float64) *cim.Feature {
		return &cim.Feature{ID: id, Dataset: ds, Stage: st, Class: c, Levels: cim.LevelRange{Min: lo, Max: hi},
			Geometry: rect(b.MinLon, b.MinLat, b.MaxLon, b.MaxLat)}
	}
	B, G := cim.ClassBuilding, cim.ClassGreen
	P, D, A := cim.StagePlanning, cim.StageDesign, cim.StageAsBuilt
	park := sq(4, 0)
	park.MaxLon, park.MaxLat = park.MinLon+0.001, park.MinLat+0.001
	fs := []*cim.Feature{
		feat("p1", "scheme", P, B, sq(0, 0), 0, 5),
		feat("p1", "scheme", D, B, sq(0, 0.02), 0, 6),
		feat("s1", "scheme", A, B, sq(0, 0.04), 0, 6),
		feat("o1", "osm", A, B, sq(0, 0.1), 0, 3),
		feat("p2", "scheme", P, B, sq(1, 0), 0, 5),
		feat("o2", "osm", A, B, sq(1, 0.8), 0, 2),
		feat("s3", "scheme", A, B, sq(2, 0), 0, 2),
		feat("o4", "osm", A, B, sq(3, 0), 0, 2),
		feat("g-park", "osm", A, G, park, 0, 0),
		feat("g-plan", "scheme", P, G, sq(4, 0.2), 0, 0),
		feat("p6", "scheme", P, B, sq(5, 0), 0, 2),
		feat("o6", "osm", A, B, sq(5, 0), 5, 5),
		feat("d7", "design-only", D, B, sq(6, 0), 0, 3),
		feat("pa", "scheme", P, cim.ClassParcel, sq(7, 0), 0, 0),
	}
	if _, _, err := s.Ingest(context.Background(), &src{fs: fs}, nil); err != nil {
		t.Fatal(err)
	}
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sn.Close)
	return sn
}

func TestView(t *testing.T) {
	sn := viewFixture(t)
	tests := []struct {
		name  string
		stage cim.Stage
		want  []string
	}{
		// What exists: the survey and the city; never the plan's p1 or the
		// never-built p2, and s1 once, not again as p1. The planned parcel
		// stays in force.
		{"as-built", cim.StageAsBuilt, []string{"g-park@as-built", "o1@as-built", "o2@as-built", "o4@as-built", "o6@as-built", "pa@planning", "s1@as-built", "s3@as-built"}},
		// The plan and the city around it, without the scheme's survey (s1,
		// s3), without o1 (p1 covers it), with o2 (20 % covered), the park
		// (the plan's green covers 4 % of it) and o6 (another floor).
		// The design-only scheme has nothing at planning.
		{"planning", cim.StagePlanning, []string{"g-park@as-built", "g-plan@planning", "o2@as-built", "o4@as-built", "o6@as-built", "p1@planning", "p2@planning", "p6@planning", "pa@planning"}},
		// p1 as redesigned, the rest of the plan as planned.
		{"design", cim.StageDesign, []string{"d7@design", "g-park@as-built", "g-plan@planning", "o2@as-built", "o4@as-built", "o6@as-built", "p1@design", "p2@planning", "p6@planning", "pa@planning"}},
		// construction holds nothing new: design's view.
		{"construction", cim.StageConstruction, []string{"d7@design", "g-park@as-built", "g-plan@planning", "o2@as-built", "o4@as-built", "o6@as-built", "p1@design", "p2@planning", "p6@planning", "pa@planning"}},
		// Each dataset at its latest stage: the scheme as built (it has a
		// survey), the design-only scheme as designed, and the city, which
		// the built scheme no longer hides.
		{"latest", cim.StageAny, []string{"d7@design", "g-park@as-built", "o1@as-built", "o2@as-built", "o4@as-built", "o6@as-built", "pa@planning", "s1@as-built", "s3@as-built"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(t, sn, Query{Stage: tt.stage}); !slices.Equal(got, tt.want) {
				t.Errorf("whole store:\n got %v\nwant %v", got, tt.want)
			}
			// A caller that wants no geometry gets the same features: the
			// view still reads it to measure what covers the context.
			if got := ids(t, sn, Query{Stage: tt.stage, Omit: index.FieldGeometry}); !slices.Equal(got, tt.want) {
				t.Errorf("without geometry:\n got %v\nwant %v", got, tt.want)
			}
			// The same answer a strip at a time: every feature crosses the
			// strip's edge, so context is decided by a lookup of its own
			// and not from the features Prepare loaded.
			var got []string
			for i := range 8 {
				x := 120 + float64(i)*0.001
				box := &cim.Box{MinLon: x + 0.00001, MinLat: 30.0001, MaxLon: x + 0.00099, MaxLat: 30.0002}
				for _, id := range ids(t, sn, Query{Stage: tt.stage, BBox: box}) {
					if !slices.Contains(got, id) {
						got = append(got, id)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("strip by strip:\n got %v\nwant %v", got, tt.want)
			}
			// And a box around each square: the features inside it are
			// decided from what Prepare loaded.
			got = nil
			for i := range 8 {
				x := 120 + float64(i)*0.001
				box := &cim.Box{MinLon: x - 1e-7, MinLat: 29.9999, MaxLon: x + 0.00099, MaxLat: 30.0011}
				for _, id := range ids(t, sn, Query{Stage: tt.stage, BBox: box}) {
					if !slices.Contains(got, id) {
						got = append(got, id)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("box by box:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestViewPick(t *testing.T) {
	sn := viewFixture(t)
	vs, err := sn.Lookup("p1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		stage cim.Stage
		want  []cim.Stage
	}{
		{cim.StagePlanning, []cim.Stage{cim.StagePlanning}},
		{cim.StageDesign, []cim.Stage{cim.StageDesign}},
		{cim.StageAsBuilt, nil},
	} {
		v, err := NewView(sn, tt.stage)
		if err != nil {
			t.Fatal(err)
		}
		got, err := v.Pick(context.Background(), vs)
		if err != nil {
			t.Fatal(err)
		}
		var stages []cim.Stage
		for _, f := range got {
			stages = append(stages, f.Stage)
		}
		if !slices.Equal(stages, tt.want) {
			t.Errorf("%v: picked %v, want %v", tt.stage, stages, tt.want)
		}
	}
}

func TestSnapshotStages(t *testing.T) {
	sn := viewFixture(t)
	for ds, want := range map[string][]cim.Stage{
		"scheme":      {cim.StagePlanning, cim.StageDesign, cim.StageAsBuilt},
		"osm":         {cim.StageAsBuilt},
		"design-only": {cim.StageDesign},
		"unknown":     nil,
	} {
		got, err := sn.Stages(ds)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", ds, got, want)
		}
	}
}
