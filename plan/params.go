package plan

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Params are the definitions a rule pack may change: how floor area is
// counted, the green credits, the TOD rings, what counts as a station, a
// residential building or a facility, and the service radii. DefaultParams
// gives the documented defaults; a pack's params override them field by
// field.
type Params struct {
	// StoreyFullHeightM: a storey at least this high (floor to floor)
	// counts in full for GFA, a lower one at half (GB/T 50353-2013 3.0.1:
	// 2.20 m).
	StoreyFullHeightM float64 `yaml:"storey_full_height_m" json:"storey_full_height_m"`
	// CountUnderground adds underground GFA to the GFA counted for FAR.
	CountUnderground bool `yaml:"count_underground" json:"count_underground"`
	// RoofCredit is the share of a roof garden's area that counts for the
	// 3D green ratio.
	RoofCredit Credit `yaml:"roof_credit" json:"roof_credit"`
	// VerticalCredit and BalconyCredit are the shares of planted wall and
	// balcony area that count for the 3D green ratio.
	VerticalCredit float64 `yaml:"vertical_credit" json:"vertical_credit"`
	BalconyCredit  float64 `yaml:"balcony_credit" json:"balcony_credit"`
	// TODRadiiM are the station rings, innermost first; the gradient
	// compares the innermost disc with the ring between it and the
	// outermost.
	TODRadiiM []float64 `yaml:"tod_radii_m" json:"tod_radii_m"`
	// StationSearchM: stations this close to the site (or in it) get TOD
	// indicators.
	StationSearchM float64 `yaml:"station_search_m" json:"station_search_m"`
	// StationKinds are the transit_stop kinds that are stations;
	// AccessKinds the kinds (entrances) that count as a way into one for
	// the walk to transit.
	StationKinds []string `yaml:"station_kinds" json:"station_kinds"`
	AccessKinds  []string `yaml:"access_kinds" json:"access_kinds"`
	// WalkM is the walk to transit (10 minutes at 1.33 m/s ≈ 800 m).
	WalkM float64 `yaml:"walk_m" json:"walk_m"`
	// Walk is how walking distance is measured: "auto" (along the
	// store's walkable roads where there are any, else straight),
	// "network" or "straight".
	Walk string `yaml:"walk" json:"walk"`
	// ResidentialKinds are the building kinds (building=*) that are
	// homes; building:use=residential counts too.
	ResidentialKinds []string `yaml:"residential_kinds" json:"residential_kinds"`
	// Facilities are the living-circle services, by name.
	Facilities map[string]Facility `yaml:"facilities" json:"facilities"`
	// Defaults give site attributes the site does not carry, such as
	// climate_zone.
	Defaults map[string]string `yaml:"defaults" json:"defaults"`
	// Unit sizes of the Future Community programme, hectares.
	ImplementationMinHa float64 `yaml:"implementation_min_ha" json:"implementation_min_ha"`
	PlanningMinHa       float64 `yaml:"planning_min_ha" json:"planning_min_ha"`
	PlanningMaxHa       float64 `yaml:"planning_max_ha" json:"planning_max_ha"`
}

// Facility is a kind of service and how far homes may be from one.
type Facility struct {
	// LabelZh is the facility's Chinese name (幼儿园): its coverage is
	// labelled 幼儿园覆盖率.
	LabelZh string  `yaml:"label_zh" json:"label_zh,omitempty"`
	RadiusM float64 `yaml:"radius_m" json:"radius_m"`
	// Tags match features (facilities, buildings, rooms, stops) by
	// property: key → accepted values, "*" for any value but "no".
	Tags map[string][]string `yaml:"tags" json:"tags"`
	// Reference is the standard that sets the radius.
	Reference string `yaml:"reference" json:"reference"`
}

// matches reports whether props carry one of the facility's tags.
func (f Facility) matches(props map[string]any) bool {
	for k, vals := range f.Tags {
		v, ok := props[k].(string)
		if !ok || v == "no" {
			continue
		}
		for _, want := range vals {
			if want == "*" || want == v {
				return true
			}
		}
	}
	return false
}

// Credit is a step table: the credit of the first step whose Min the
// measured value reaches (steps in decreasing Min), else 0.
type Credit struct {
	// By is what is measured: "soil_depth" (metres of soil, from the
	// Property, as Hangzhou counts) or "elevation" (metres above ground,
	// from the Property or the feature's elevation, as Shanghai counts:
	// then steps are upper bounds, see Max).
	By       string       `yaml:"by" json:"by"`
	Property string       `yaml:"property" json:"property"`
	Steps    []CreditStep `yaml:"steps" json:"steps"`
	// Missing is the credit when the value is not known.
	Missing   float64 `yaml:"missing" json:"missing"`
	Reference string  `yaml:"reference" json:"reference"`
}

// CreditStep is one row of a Credit table: the credit for values at least
// Min (for soil depth) or below Max (for elevation).
type CreditStep struct {
	Min    *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max    *float64 `yaml:"max,omitempty" json:"max,omitempty"`
	Credit float64  `yaml:"credit" json:"credit"`
}

// Of returns the credit for a measured value.
func (c Credit) Of(v float64, known bool) float64 {
	if !known {
		return c.Missing
	}
	for _, s := range c.Steps {
		if (s.Min == nil || v >= *s.Min) && (s.Max == nil || v < *s.Max) {
			return s.Credit
		}
	}
	return 0
}

func f64(v float64) *float64 { return &v }

// DefaultParams returns the defaults, each from DOMAIN.md's sources:
// GB/T 50353-2013 for floor area, Hangzhou's 2013 roof-garden credits by
// soil depth, GB 50180-2018 for service radii, 300/500/800 m TOD rings.
func DefaultParams() Params {
	return Params{
		StoreyFullHeightM: 2.2,
		RoofCredit: Credit{
			By: "soil_depth", Property: "roof:soil_depth",
			Steps: []CreditStep{
				{Min: f64(1.5), Credit: 1}, {Min: f64(1.0), Credit: 0.8}, {Min: f64(0.5), Credit: 0.5},
				{Min: f64(0.3), Credit: 0.3}, {Min: f64(0.1), Credit: 0.1},
			},
			Reference: "杭州市城市绿化管理条例实施细则 (2013): roof green by soil depth",
		},
		VerticalCredit: 0.2,
		BalconyCredit:  0.2,
		TODRadiiM:      []float64{300, 500, 800},
		StationSearchM: 800,
		StationKinds: []string{"station", "subway_station", "light_rail_station", "monorail_station",
			"train_station", "halt"},
		AccessKinds:      []string{"subway_entrance", "train_station_entrance"},
		WalkM:            800,
		Walk:             "auto",
		ResidentialKinds: []string{"residential", "apartments", "house", "detached", "semidetached_house", "terrace", "dormitory", "bungalow"},
		Facilities: map[string]Facility{
			"kindergarten": {LabelZh: "幼儿园、托儿所", RadiusM: 300, Tags: map[string][]string{"amenity": {"kindergarten", "childcare"}},
				Reference: "GB 50180-2018 Appendix B (5-minute circle): kindergarten ≤ 300 m"},
			"primary_school": {LabelZh: "小学", RadiusM: 500, Tags: map[string][]string{"amenity": {"school"}},
				Reference: "GB 50180-2018 Appendix B (10-minute circle): primary school ≤ 500 m"},
			"health_station": {LabelZh: "社区卫生服务站", RadiusM: 300, Tags: map[string][]string{"amenity": {"clinic", "doctors"}, "healthcare": {"*"}},
				Reference: "GB 50180-2018 Appendix B (5-minute circle): community health station ≤ 300 m"},
			"elderly_care": {LabelZh: "老年人日间照料中心", RadiusM: 300, Tags: map[string][]string{"social_facility": {"day_care", "nursing_home", "assisted_living", "group_home"}},
				Reference: "GB 50180-2018 Appendix B (5-minute circle): elderly day care ≤ 300 m"},
			"bus_stop": {LabelZh: "公交站", RadiusM: 500, Tags: map[string][]string{"highway": {"bus_stop"}, "amenity": {"bus_station"}},
				Reference: "GB 50180-2018 Appendix B (10-minute circle): bus stop ≤ 500 m"},
		},
		Defaults:            map[string]string{"climate_zone": "III", "community_type": "新建", "unit": "implementation"},
		ImplementationMinHa: 20,
		PlanningMinHa:       50,
		PlanningMaxHa:       100,
	}
}

// validate checks what a pack may have got wrong.
func (p *Params) validate() error {
	switch {
	case !(p.StoreyFullHeightM > 0):
		return fmt.Errorf("storey_full_height_m %v: want a positive height", p.StoreyFullHeightM)
	case len(p.TODRadiiM) < 2:
		return fmt.Errorf("tod_radii_m: want two or more radii, innermost first")
	case !(p.WalkM > 0) || !(p.StationSearchM >= 0):
		return fmt.Errorf("walk_m and station_search_m must be positive")
	case p.Walk != "auto" && p.Walk != "network" && p.Walk != "straight":
		return fmt.Errorf("walk %q: want auto, network or straight", p.Walk)
	case p.RoofCredit.By != "soil_depth" && p.RoofCredit.By != "elevation":
		return fmt.Errorf("roof_credit.by %q: want soil_depth or elevation", p.RoofCredit.By)
	}
	if !slices.IsSorted(p.TODRadiiM) || p.TODRadiiM[0] <= 0 || len(slices.Compact(slices.Clone(p.TODRadiiM))) != len(p.TODRadiiM) {
		return fmt.Errorf("tod_radii_m %v: want increasing positive radii", p.TODRadiiM)
	}
	for _, r := range p.TODRadiiM {
		if r != math.Trunc(r) {
			return fmt.Errorf("tod_radii_m %v: want whole metres (they name indicators: tod_far_300)", p.TODRadiiM)
		}
	}
	for name, f := range p.Facilities {
		if !(f.RadiusM > 0) || len(f.Tags) == 0 {
			return fmt.Errorf("facilities.%s: want radius_m > 0 and tags", name)
		}
		if strings.ContainsAny(name, ". ") {
			return fmt.Errorf("facilities.%s: a name may not contain dots or spaces", name)
		}
	}
	return nil
}
