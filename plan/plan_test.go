package plan

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/samples"
)

// handValues reads samples/gen/indicators_hand.csv: exact arithmetic on the
// sample's metre dimensions, independent of this package.
func handValues(t testing.TB) map[string]float64 {
	t.Helper()
	f, err := os.Open("../samples/gen/indicators_hand.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]float64{}
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		m[r[0]] = v
	}
	return m
}

func siteOf(t testing.TB, sn *index.Snapshot, id string) Site {
	t.Helper()
	fs, err := sn.Lookup("geojson:" + samples.Dataset + ":" + id)
	if err != nil || len(fs) == 0 {
		t.Fatalf("site %s: %v", id, err)
	}
	f := fs[0]
	return Site{ID: f.ID, Name: nameOf(f), Geometry: f.Geometry, Props: f.Props, Dataset: f.Dataset}
}

func check(t testing.TB, s *index.Store, stage cim.Stage, pack string) *Report {
	t.Helper()
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	p, err := LoadPack(pack)
	if err != nil {
		t.Fatal(err)
	}
	site := siteOf(t, sn, "site")
	r, err := Check(context.Background(), sn, site, Selection{Dataset: site.Dataset, Stage: stage}, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSampleIndicatorsMatchHandValues(t *testing.T) {
	s := storetest.Sample(t)
	hand := handValues(t)
	plan := check(t, s, cim.StagePlanning, "zj-future-community")
	design := check(t, s, cim.StageDesign, "zj-future-community")
	st := func(r *Report, radius float64) func() float64 {
		return func() float64 {
			if len(r.Stations) != 1 {
				t.Fatalf("%d stations near the sample site, want 1", len(r.Stations))
			}
			for _, ring := range r.Stations[0].Rings {
				if ring.RadiusM == radius {
					return *ring.FAR
				}
			}
			t.Fatalf("no %g m ring", radius)
			return 0
		}
	}
	ringArea := func(r *Report, radius float64) func() float64 {
		return func() float64 {
			for _, ring := range r.Stations[0].Rings {
				if ring.RadiusM == radius {
					return ring.AreaM2
				}
			}
			return 0
		}
	}
	in, dn := plan.Indicators, design.Indicators
	tests := []struct {
		name string
		got  func() float64
	}{
		{"site_area_m2", func() float64 { return in.SiteAreaM2 }},
		{"footprint_union_in_site_m2", func() float64 { return in.FootprintM2 }},
		{"building_density", func() float64 { return in.BuildingDensity }},
		{"gfa_planning_m2", func() float64 { return in.GFAM2 }},
		{"far_planning", func() float64 { return in.FAR }},
		{"gfa_underground_planning_m2", func() float64 { return in.GFAUndergroundM2 }},
		{"gfa_design_m2", func() float64 { return dn.GFAM2 }},
		{"far_design", func() float64 { return dn.FAR }},
		{"gfa_underground_design_m2", func() float64 { return dn.GFAUndergroundM2 }},
		{"green_ground_union_in_site_m2", func() float64 { return in.GreenGroundM2 }},
		{"green_ratio", func() float64 { return in.GreenRatio }},
		{"roof_garden_m2", func() float64 { return in.GreenRoofM2 }},
		{"roof_garden_credited_m2", func() float64 { return in.GreenRoofCreditedM2 }},
		{"vertical_green_m2", func() float64 { return in.GreenVerticalM2 }},
		{"green_ratio_3d_hangzhou", func() float64 { return in.GreenRatio3D }},
		{"tod_300_area_m2", ringArea(plan, 300)},
		{"tod_300_far", st(plan, 300)},
		{"tod_500_area_m2", ringArea(plan, 500)},
		{"tod_500_far", st(plan, 500)},
		{"tod_800_area_m2", ringArea(plan, 800)},
		{"tod_800_far", st(plan, 800)},
		{"height_max_m", func() float64 { return in.MaxHeightM }},
		{"levels_max", func() float64 { return float64(in.MaxLevels) }},
		{"gfa_residential_m2", func() float64 { return in.ResidentialGFAM2 }},
		{"park_m2_per_person", func() float64 { return *in.ParkM2PerPerson }},
	}
	for _, tt := range tests {
		want, ok := hand[tt.name]
		if !ok {
			t.Fatalf("%s is not in indicators_hand.csv", tt.name)
		}
		got := tt.got()
		if rel := math.Abs(got-want) / math.Abs(want); rel > 0.005 {
			t.Errorf("%s = %.6g, hand value %.6g (rel %.2g > 0.5 %%)", tt.name, got, want, rel)
		} else {
			t.Logf("%-30s %14.6f hand %14.6f rel %.1e", tt.name, got, want, rel)
		}
	}
	// Per parcel.
	for _, p := range plan.Parcels {
		short := p.ID[len("geojson:"+samples.Dataset+":"):] // p-01
		key := "p_" + short[2:] + "_"
		for _, c := range []struct {
			name string
			got  float64
		}{
			{"area_m2", p.Indicators.SiteAreaM2}, {"gfa_m2", p.Indicators.GFAM2}, {"far", p.Indicators.FAR},
			{"building_density", p.Indicators.BuildingDensity}, {"green_ratio", p.Indicators.GreenRatio},
		} {
			want := hand[key+c.name]
			if rel := math.Abs(c.got-want) / want; rel > 0.005 {
				t.Errorf("%s %s = %.6g, hand %.6g (rel %.2g)", short, c.name, c.got, want, rel)
			}
		}
	}
	if len(plan.Parcels) != 8 {
		t.Errorf("%d parcels in the site, want 8", len(plan.Parcels))
	}
}
