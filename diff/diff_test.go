package diff_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/diff"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/plan"
)

const (
	lon0, lat0 = 120.2100, 30.2560
	mLon       = 1 / (111320 * 0.86397) // degrees of longitude in a metre at lat0 (cos 30.256° = 0.86397)
	mLat       = 1 / 110540.0
)

// box is a w×h m rectangle whose south-west corner is x, y m from the
// origin.
func box(x, y, w, h float64) geom.T {
	x0, y0 := lon0+x*mLon, lat0+y*mLat
	x1, y1 := x0+w*mLon, y0+h*mLat
	return geom.NewPolygonFlat(geom.XY, []float64{x0, y0, x1, y0, x1, y1, x0, y1, x0, y0}, []int{10})
}

func building(id string, st cim.Stage, g geom.T, levels int, heightM float64) *cim.Feature {
	f := &cim.Feature{ID: id, Class: cim.ClassBuilding, Kind: "residential", Dataset: "scheme", Stage: st, Geometry: g,
		Levels: cim.LevelRange{Min: 0, Max: float64(levels - 1)}, Props: map[string]any{"name": id}}
	f.Vertical.LevelsAbove, f.Vertical.HeightM = levels, heightM
	f.Vertical.Known = cim.KnownLevelsAbove | cim.KnownHeight
	return f
}

// scheme stores an approved planning scheme and an as-built survey of
// it that differs in known ways: b1 taller, b2 not built, b6 built but
// not planned, b3 built 5 m east of where it was planned, b4 surveyed
// under a new id (s-4) on the same footprint, b5 as planned.
func scheme(t *testing.T) *index.Store {
	s := storetest.New(t)
	planned := []*cim.Feature{
		{ID: "site", Class: cim.ClassSite, Dataset: "scheme", Stage: cim.StagePlanning, Geometry: box(-20, -20, 240, 140),
			Props: map[string]any{"name": "the site"}},
		building("b1", cim.StagePlanning, box(0, 0, 30, 15), 10, 30),
		building("b2", cim.StagePlanning, box(50, 0, 30, 15), 10, 30),
		building("b3", cim.StagePlanning, box(100, 0, 30, 15), 10, 30),
		building("b4", cim.StagePlanning, box(150, 0, 30, 15), 10, 30),
		building("b5", cim.StagePlanning, box(0, 50, 30, 15), 10, 30),
	}
	built := []*cim.Feature{
		building("b1", cim.StageAsBuilt, box(0, 0, 30, 15), 13, 39),
		building("b3", cim.StageAsBuilt, box(105, 0, 30, 15), 10, 30),
		building("s-4", cim.StageAsBuilt, box(150, 0, 30, 15), 10, 30),
		building("b5", cim.StageAsBuilt, box(0, 50, 30, 15), 10, 30),
		building("b6", cim.StageAsBuilt, box(50, 50, 20, 20), 6, 18),
	}
	built[2].Props["name"] = "b4" // the survey's name for it
	for _, fs := range [][]*cim.Feature{planned, built} {
		b, err := s.Begin()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if err := b.Put(f); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := b.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestCompareFindsWhatDiffers(t *testing.T) {
	s := scheme(t)
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	from := diff.Side{Snapshot: sn, Stage: cim.StagePlanning, Dataset: "scheme"}
	to := diff.Side{Snapshot: sn, Stage: cim.StageAsBuilt, Dataset: "scheme"}
	res, err := diff.Compare(context.Background(), from, to, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Changes {
		got = append(got, string(c.Kind)+" "+c.FromID+">"+c.ToID+" "+strings.Join(c.What, "; "))
	}
	want := []string{
		"changed b1>b1 height 30 → 39 m; floors 0..9 → 0..12",
		"removed b2> ",
		"changed b3>b3 moved 5.0 m",
		"matched b4>s-4 ",
		"added >b6 ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
	if res.Counts[diff.Added] != 1 || res.Counts[diff.Removed] != 1 || res.Counts[diff.Changed] != 2 || res.Counts[diff.Matched] != 1 || !res.Differs() {
		t.Errorf("counts %v", res.Counts)
	}
	for _, c := range res.Changes {
		if c.Kind == diff.Matched && (c.Match != "footprint" || c.IoU < 0.99) {
			t.Errorf("b4 matched by %s, IoU %v", c.Match, c.IoU)
		}
	}

	// The same side against itself: nothing.
	same, err := diff.Compare(context.Background(), to, to, diff.Options{})
	if err != nil || same.Differs() || len(same.Changes) != 0 {
		t.Errorf("a side against itself: %+v %v", same.Changes, err)
	}
	// A tolerance past the move keeps b3 the same.
	loose, _ := diff.Compare(context.Background(), from, to, diff.Options{ToleranceM: 6})
	if loose.Counts[diff.Changed] != 1 {
		t.Errorf("with 6 m of tolerance: %v", loose.Counts)
	}
	// A site that holds only b1 and b2.
	small, _ := diff.Compare(context.Background(), from, to, diff.Options{Site: box(-5, -5, 90, 25)})
	if small.Counts[diff.Changed] != 1 || small.Counts[diff.Removed] != 1 || len(small.Changes) != 2 {
		t.Errorf("within a small site: %v", small.Counts)
	}
}

func TestIndicatorsAgainstTolerances(t *testing.T) {
	s := scheme(t)
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	site, err := plan.FindSite(context.Background(), sn, "site", "scheme", cim.StagePlanning)
	if err != nil {
		t.Fatal(err)
	}
	pack, err := plan.LoadPack("zj-future-community")
	if err != nil {
		t.Fatal(err)
	}
	from := diff.Side{Snapshot: sn, Stage: cim.StagePlanning, Dataset: "scheme"}
	to := diff.Side{Snapshot: sn, Stage: cim.StageAsBuilt, Dataset: "scheme"}
	ds, err := diff.Indicators(context.Background(), from, to, site, pack)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]diff.Delta{}
	for _, d := range ds {
		by[d.Indicator] = d
	}
	// Footprints: b2 (30×15 m) not built, b6 (20×20 m) built; the rest
	// keep their area.
	wantFoot := cim.AreaM2(box(50, 50, 20, 20)) - cim.AreaM2(box(50, 0, 30, 15))
	if d := by["footprint_m2"]; math.Abs(d.Change-wantFoot) > 0.5 {
		t.Errorf("footprint change %v, want %.1f", d.Change, wantFoot)
	}
	if d := by["buildings"]; d.From != 5 || d.To != 5 {
		t.Errorf("buildings %v → %v, want 5 → 5", d.From, d.To)
	}
	// GFA: b1 gains 3 storeys of 450 m², b2's 10 of 450 go, b6 brings 6
	// of 400: 1,350 − 4,500 + 2,400 = −750 m², of 22,500 approved.
	area := func(w, h float64) float64 { return cim.AreaM2(box(0, 0, w, h)) }
	wantGFA := 3*area(30, 15) - 10*area(30, 15) + 6*area(20, 20)
	g := by["gfa_m2"]
	if math.Abs(g.Change-wantGFA) > 1 || math.Abs(g.From-50*area(30, 15)) > 1 {
		t.Errorf("GFA %v → %v (change %v), want change %.0f from %.0f", g.From, g.To, g.Change, wantGFA, 50*area(30, 15))
	}
	if !g.Exceeded || g.Tolerance != "±3 %" {
		t.Errorf("GFA −3.3 %% within tolerance %q: %+v", g.Tolerance, g)
	}
	if h := by["max_height_m"]; h.From != 30 || h.To != 39 || !h.Exceeded {
		t.Errorf("max height %+v", h)
	}
	if d, ok := by["green_ratio"]; !ok || d.Exceeded {
		t.Errorf("green ratio (no green either side) %+v", d)
	}
}

// TestSiteKeepsWhatCrossesIt: a road across the site, with no vertex
// inside it, is compared; one beside it is not.
func TestSiteKeepsWhatCrossesIt(t *testing.T) {
	s := storetest.New(t)
	line := func(id string, x0, y0, x1, y1 float64) *cim.Feature {
		return &cim.Feature{ID: id, Class: cim.ClassRoad, Dataset: "scheme", Stage: cim.StagePlanning,
			Geometry: geom.NewLineStringFlat(geom.XY, []float64{lon0 + x0*mLon, lat0 + y0*mLat, lon0 + x1*mLon, lat0 + y1*mLat})}
	}
	b, _ := s.Begin()
	b.Put(line("across", -100, 10, 300, 10))
	b.Put(line("beside", -100, 60, 300, 60))
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	sn, _ := s.Snapshot()
	defer sn.Close()
	res, err := diff.Compare(context.Background(),
		diff.Side{Snapshot: sn, Stage: cim.StagePlanning, Dataset: "scheme"},
		diff.Side{Snapshot: sn, Stage: cim.StageAsBuilt, Dataset: "scheme"},
		diff.Options{Site: box(0, 0, 50, 20)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || res.Changes[0].FromID != "across" || res.Changes[0].Kind != diff.Removed {
		t.Errorf("changes %+v", res.Changes)
	}
}
