package plan

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode"
)

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

func TestIndicatorLabels(t *testing.T) {
	p := DefaultParams()
	names := append(append([]string{"estimated_levels"}, indicatorNames...), stationIndicators...)
	for name := range p.Facilities {
		names = append(names, "facility_coverage."+name)
	}
	for _, r := range p.TODRadiiM {
		names = append(names, ringName(r))
	}
	for _, name := range names {
		l := p.IndicatorLabel(name)
		if l.En == "" || !hasHan(l.Zh) {
			t.Errorf("%s: label %+v, want English and Chinese", name, l)
		}
	}
	for _, tt := range []struct{ name, want string }{
		{"far", "FAR 容积率"},
		{"building_density", "building density 建筑密度"},
		{"green_ratio", "green ratio 绿地率"},
		{"green_ratio_3d", "3D green ratio 立体复合绿化率"},
		{"tod_far_500", "FAR within 500 m 站点500米范围容积率"},
		{"facility_coverage.primary_school", "homes covered: primary school 小学覆盖率"},
		{"facility_coverage.zoo", "homes covered: zoo"},
		{"no_such", "no_such"},
	} {
		if got := p.IndicatorLabel(tt.name).String(); got != tt.want {
			t.Errorf("IndicatorLabel(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestBuiltinPacksAreLabelled: every rule of a built-in pack has a Chinese
// label, and so has the indicator it checks.
func TestBuiltinPacksAreLabelled(t *testing.T) {
	for _, n := range BuiltinPacks() {
		p, err := LoadPack(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rules {
			if !hasHan(r.LabelZh) {
				t.Errorf("%s: rule %s has no Chinese label_zh (%q)", n, r.ID, r.LabelZh)
			}
			if l := p.Params.IndicatorLabel(r.Indicator); !hasHan(l.Zh) {
				t.Errorf("%s: rule %s: indicator %s has no Chinese label", n, r.ID, r.Indicator)
			}
		}
	}
}

// TestReportLabels: results carry the rule's and indicator's Chinese
// labels, the report the labels of its indicators.
func TestReportLabels(t *testing.T) {
	r := runTrap(t, "s", feat("s", rect(0, 0, 200, 200), siteProps),
		feat("b", rect(50, 50, 100, 100), `"building":"residential","building:levels":4`))
	pack, err := ParsePack([]byte(strings.Replace(trapPack, "severity: error, reference: test}", "severity: error, reference: test, label_zh: 容积率不超标}", 1)), "t")
	if err != nil {
		t.Fatal(err)
	}
	r.label(pack)
	res := result(r, "far")
	if len(res) != 1 || res[0].LabelZh != "容积率不超标" || res[0].IndicatorZh != "容积率" {
		t.Errorf("far result: %+v", res)
	}
	if l := r.IndicatorLabels["green_ratio"]; l.Zh != "绿地率" {
		t.Errorf("indicator_labels green_ratio: %+v", l)
	}
	if _, ok := r.IndicatorLabels["facility_coverage.kindergarten"]; !ok {
		t.Error("indicator_labels lacks the facilities")
	}
}

// TestChildcareCountsNurseries: zj-childcare is the programme's under-3
// childcare (托育): a nursery covers homes, a kindergarten (ages 3–6)
// does not.
func TestChildcareCountsNurseries(t *testing.T) {
	pack, err := LoadPack("zj-future-community")
	if err != nil {
		t.Fatal(err)
	}
	site := feat("s", rect(0, 0, 200, 200), siteProps)
	home := feat("h", rect(20, 20, 60, 60), `"building":"residential","building:levels":6`)
	for _, tt := range []struct {
		name     string
		facility string
		want     Status
	}{
		{"kindergarten next door", feat("k", rect(80, 20, 120, 60), `"building":"kindergarten","amenity":"kindergarten"`), Fail},
		{"nursery next door", feat("n", rect(80, 20, 120, 60), `"building":"yes","amenity":"childcare","name":"托育园"`), Pass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sn := world(t, site, home, tt.facility)
			fs, err := sn.Lookup("geojson:w:s")
			if err != nil || len(fs) != 1 {
				t.Fatal(err)
			}
			r, err := Check(context.Background(), sn, Site{ID: fs[0].ID, Geometry: fs[0].Geometry, Props: fs[0].Props, Dataset: "w"}, Selection{Dataset: "w"}, pack)
			if err != nil {
				t.Fatal(err)
			}
			res := result(r, "zj-childcare")
			if len(res) != 1 || res[0].Status != tt.want || res[0].Indicator != "facility_coverage.childcare" {
				t.Errorf("zj-childcare: %+v, want %s", res, tt.want)
			}
			// Either serves GB 50180's kindergarten-or-nursery radius.
			if k := r.Indicators.FacilityCoverage["kindergarten"]; k == nil || *k != 1 {
				t.Errorf("kindergarten coverage %v, want 1", k)
			}
		})
	}
}

func ExampleParams_IndicatorLabel() {
	p := DefaultParams()
	for _, name := range []string{"far", "green_ratio_3d", "tod_far_300", "facility_coverage.kindergarten"} {
		fmt.Println(p.IndicatorLabel(name))
	}
	// Output:
	// FAR 容积率
	// 3D green ratio 立体复合绿化率
	// FAR within 300 m 站点300米范围容积率
	// homes covered: kindergarten 幼儿园、托儿所覆盖率
}
