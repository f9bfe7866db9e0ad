package plan

import (
	"context"
	"testing"

	"github.com/future-community/cim/cim"
)

// TestStageView checks the rules of what a stage sees (query.View) through
// the indicators: one dataset "w" holds a plan and the survey of what was
// built of it, and OpenStreetMap ("osm") the city around. Buildings are
// 20 m × 20 m (400 m²) unless said; GFA is footprint × levels.
func TestStageView(t *testing.T) {
	const asBuilt = `"cim:stage":"as-built"`
	sn := world(t,
		feat("site", rect(0, 0, 200, 100), `"cim:class":"site"`),
		// A planned parcel: a control, in force at every stage.
		feat("pa", rect(0, 0, 100, 100), `"cim:class":"parcel","far_max":0.5`),
		// p1, planned with 5 storeys, surveyed as s1 (another id, 6 storeys).
		feat("p1", rect(10, 10, 30, 30), `"building":"yes","building:levels":5`),
		feat("s1", rect(10.5, 10, 30.5, 30), `"building":"yes","building:levels":6,`+asBuilt),
		// p2, planned, never built.
		feat("p2", rect(50, 10, 70, 30), `"building":"yes","building:levels":5`),
		// s3, surveyed, not in the plan.
		feat("s3", rect(100, 10, 120, 30), `"building":"yes","building:levels":2,`+asBuilt),
		// OSM: o1 is where p1 stands (p1 covers it), o4 stands alone (10 m × 10 m).
		feat("o1", rect(10, 11, 30, 31), `"building":"yes","building:levels":3,"cim:dataset":"osm",`+asBuilt),
		feat("o4", rect(150, 50, 160, 60), `"building":"yes","building:levels":2,"cim:dataset":"osm",`+asBuilt),
	)
	site, err := FindSite(context.Background(), sn, "site", "w", cim.StagePlanning)
	if err != nil {
		t.Fatal(err)
	}
	pack, err := ParsePack([]byte(trapPack), "traps")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		sel       Selection
		gfa       float64
		buildings int
	}{
		// The plan: p1 and p2, not the survey of the same dataset.
		{"planning, the scheme", Selection{Dataset: "w", Stage: cim.StagePlanning}, 2 * 2000, 2},
		// The plan in the city: o4 is added, o1 is not (p1 replaces it).
		{"planning, in the city", Selection{Stage: cim.StagePlanning}, 2*2000 + 200, 3},
		// What exists: s1 once (not again as p1) and s3; never p2.
		{"as-built, the scheme", Selection{Dataset: "w", Stage: cim.StageAsBuilt}, 2400 + 800, 2},
		// The latest stage of "w" is as-built: the same.
		{"latest, the scheme", Selection{Dataset: "w"}, 2400 + 800, 2},
		// The design stage has no design: the plan as it stands.
		{"design, the scheme", Selection{Dataset: "w", Stage: cim.StageDesign}, 2 * 2000, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Check(context.Background(), sn, site, tt.sel, pack)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "gfa_m2", r.Indicators.GFAM2, tt.gfa)
			if r.Indicators.Buildings != tt.buildings {
				t.Errorf("%d buildings, want %d", r.Indicators.Buildings, tt.buildings)
			}
			if len(r.Parcels) != 1 {
				t.Errorf("%d parcels, want the planned one", len(r.Parcels))
			}
		})
	}
	// A planned site stays in force: the as-built check reads it from the
	// plan. Before the site was planned there is none.
	if s, err := FindSite(context.Background(), sn, "site", "", cim.StageAsBuilt); err != nil || s.ID != "geojson:w:site" {
		t.Errorf("site at as-built: %v, %v", s.ID, err)
	}
	// A site id in two datasets is ambiguous at every stage.
	sn3 := world(t, feat("site", rect(0, 0, 200, 100), `"cim:class":"site"`),
		feat("site", rect(500, 0, 700, 100), `"cim:class":"site","cim:dataset":"osm",`+asBuilt))
	for _, st := range []cim.Stage{cim.StagePlanning, cim.StageAsBuilt, cim.StageAny} {
		if s, err := FindSite(context.Background(), sn3, "site", "", st); err == nil {
			t.Errorf("%v: found %s in one of two datasets", st, s.ID)
		}
	}
	sn2 := world(t, feat("site", rect(0, 0, 200, 100), `"cim:class":"site","cim:stage":"design"`))
	if _, err := FindSite(context.Background(), sn2, "site", "", cim.StagePlanning); err == nil {
		t.Error("a site designed only is found at the planning stage")
	}
}

func TestVerdict(t *testing.T) {
	for _, tt := range []struct {
		passed    bool
		err, warn int
		want      string
	}{
		{true, 0, 0, "PASS"},
		{true, 0, 1, "PASS, 1 warning failed"},
		{true, 0, 3, "PASS, 3 warnings failed"},
		{false, 1, 0, "FAIL: 1 error failed"},
		{false, 2, 1, "FAIL: 2 errors and 1 warning failed"},
	} {
		r := &Report{Passed: tt.passed}
		r.Counts.FailedErrors, r.Counts.FailedWarning = tt.err, tt.warn
		if got := r.Verdict(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt, got, tt.want)
		}
	}
}
