package plan

import (
	"strings"
)

// Label names an indicator for planners, in English and in the Chinese
// of the standards (GB 50180-2018, GB/T 50353-2013, 浙政发〔2019〕8号).
type Label struct {
	En string `json:"label"`
	Zh string `json:"label_zh"`
}

// String writes "FAR 容积率", the English and Chinese side by side.
func (l Label) String() string {
	if l.Zh == "" {
		return l.En
	}
	return l.En + " " + l.Zh
}

// indicatorLabels are the labels of the site, parcel and station
// indicators by their rule names.
var indicatorLabels = map[string]Label{
	"site_area_m2":             {"site area", "用地面积"},
	"site_area_ha":             {"site area", "用地面积"},
	"site_area_ok":             {"size of a Future Community unit", "未来社区单元规模"},
	"buildings":                {"buildings", "建筑数量"},
	"gfa_m2":                   {"GFA counted", "计容建筑面积"},
	"gfa_underground_m2":       {"GFA underground", "地下建筑面积"},
	"far":                      {"FAR", "容积率"},
	"footprint_m2":             {"footprint (union)", "建筑基底面积"},
	"building_density":         {"building density", "建筑密度"},
	"green_ground_m2":          {"ground green (union)", "绿地面积"},
	"green_ratio":              {"green ratio", "绿地率"},
	"green_roof_m2":            {"roof green", "屋顶绿化面积"},
	"green_roof_credited_m2":   {"roof green credited", "屋顶绿化折算面积"},
	"green_vertical_m2":        {"vertical green", "垂直绿化面积"},
	"green_balcony_m2":         {"balcony green", "阳台绿化面积"},
	"green_ratio_3d":           {"3D green ratio", "立体复合绿化率"},
	"park_m2":                  {"largest park", "集中绿地面积"},
	"park_m2_per_person":       {"park per person", "人均集中绿地面积"},
	"max_height_m":             {"max height", "建筑最大高度"},
	"max_levels":               {"max storeys", "建筑最高层数"},
	"residential_gfa_m2":       {"residential GFA", "住宅建筑面积"},
	"avg_storeys":              {"average residential storeys", "住宅平均层数"},
	"max_residential_height_m": {"max residential height", "住宅建筑最大高度"},
	"transit_walk_share":       {"transit walk share", "站点步行覆盖率"},
	"estimated_levels":         {"buildings with estimated storeys", "估算层数的建筑"},
	"distance_m":               {"distance", "距站点距离"},
	"tod_gradient_ok":          {"dense near the hub", "大疏大密梯度"},
	"inner_far":                {"inner FAR", "核心圈容积率"},
	"outer_far":                {"outer FAR", "外圈容积率"},
}

// IndicatorLabel returns the label of an indicator by its rule name:
// a name Indicators.Value or StationTOD.Value knows, "tod_far_R" or
// "facility_coverage.NAME" (named by the facility's label_zh in p, else
// its name). An unknown name is its own English label, with no Chinese.
func (p Params) IndicatorLabel(name string) Label {
	if l, ok := indicatorLabels[name]; ok {
		return l
	}
	if r, ok := strings.CutPrefix(name, "tod_far_"); ok {
		return Label{"FAR within " + r + " m", "站点" + r + "米范围容积率"}
	}
	if f, ok := strings.CutPrefix(name, "facility_coverage."); ok {
		l := Label{En: "homes covered: " + strings.ReplaceAll(f, "_", " ")}
		if zh := p.Facilities[f].LabelZh; zh != "" {
			l.Zh = zh + "覆盖率"
		}
		return l
	}
	return Label{En: name}
}

// indicatorLabelsOf returns the labels of the indicators a report holds:
// every site indicator, each facility's coverage and each station
// indicator, for the JSON report's indicator_labels.
func indicatorLabelsOf(r *Report) map[string]Label {
	out := map[string]Label{}
	for _, name := range indicatorNames {
		out[name] = r.params.IndicatorLabel(name)
	}
	for name := range r.Indicators.FacilityCoverage {
		out["facility_coverage."+name] = r.params.IndicatorLabel("facility_coverage." + name)
	}
	if len(r.Stations) > 0 {
		for _, name := range stationIndicators {
			out[name] = r.params.IndicatorLabel(name)
		}
		for _, ring := range r.Stations[0].Rings {
			out[ringName(ring.RadiusM)] = r.params.IndicatorLabel(ringName(ring.RadiusM))
		}
	}
	return out
}

// label gives each result its rule's and indicator's Chinese labels, and
// the report its indicator labels.
func (r *Report) label(pack *Pack) {
	zh := make(map[string]string, len(pack.Rules))
	for _, rule := range pack.Rules {
		zh[rule.ID] = rule.LabelZh
	}
	for i := range r.Results {
		res := &r.Results[i]
		res.LabelZh = zh[res.Rule]
		res.IndicatorZh = r.params.IndicatorLabel(res.Indicator).Zh
	}
	r.IndicatorLabels = indicatorLabelsOf(r)
}
