package plan

import (
	"bufio"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
)

// WriteHTML writes the report as one self-contained HTML file a planner can
// mail: no external scripts, fonts, styles or images. It holds the verdict,
// a map of the site as inline SVG (parcels, green, buildings shaded by the
// floor area they add to the site, the buildings of failed rules outlined in
// red, the TOD rings), the results, the indicators of the site, its parcels
// and stations, and the notes. Every text from the data is escaped.
//
// The map needs the geometry a check keeps: a report decoded from JSON has
// none, and its page has no map.
func WriteHTML(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("write html: no report")
	}
	bw := bufio.NewWriter(w)
	if err := htmlPage().Execute(bw, newHTMLView(r)); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return bw.Flush()
}

// htmlView is what the page template shows, every number formatted.
type htmlView struct {
	Site, SiteID string
	AreaHa       string
	Dataset      string
	Stage        string
	Pack         string
	PackSource   string
	Revision     uint64
	Passed       bool
	Summary      string
	Failures     []htmlResult
	Map          *htmlMap
	Results      []htmlResult
	Indicators   []htmlIndicator
	Parcels      []htmlParcel
	Stations     []htmlStation
	Notes        []string
}

type htmlResult struct {
	Class, Status        string // pass, fail (an error), warn (a failed warning), na
	Rule, Title          string
	Scope, ScopeName, ID string
	Indicator, Value     string
	Limit, LimitFrom     string
	Severity, Reference  string
	Note                 string
	Features             []htmlFeature
	IsFail               bool
}

type htmlFeature struct{ Name, ID, Value string }

type htmlIndicator struct{ Label, Value, Key string }

type htmlParcel struct{ Name, ID, AreaM2, GFAM2, FAR, Density, GreenRatio, MaxHeightM string }

type htmlStation struct {
	Name, ID, Kind, DistanceM string
	Rings                     []htmlRing
	InnerFAR, OuterFAR        string
	Gradient, GradientClass   string
}

type htmlRing struct{ RadiusM, AreaM2, GFAM2, FAR string }

func newHTMLView(r *Report) *htmlView {
	v := &htmlView{
		Site: r.Site.Name, SiteID: r.Site.ID, AreaHa: fixed(r.Indicators.SiteAreaHa, 2),
		Dataset: r.Dataset, Stage: r.Stage, Pack: r.Pack, PackSource: r.PackSource, Revision: r.Revision,
		Passed: r.Passed, Notes: r.Notes,
	}
	if v.Site == "" {
		v.Site, v.SiteID = r.Site.ID, ""
	}
	if v.Dataset == "" {
		v.Dataset = "all datasets"
	}
	c := r.Counts
	v.Summary = fmt.Sprintf("%d rules checked: %d pass, %d fail (%d errors, %d warnings), %d not applicable",
		len(r.Results), c.Pass, c.Fail, c.FailedErrors, c.FailedWarning, c.NotApplicable)
	for _, res := range r.Results {
		hr := newHTMLResult(res)
		v.Results = append(v.Results, hr)
		if hr.IsFail {
			v.Failures = append(v.Failures, hr)
		}
	}
	v.Indicators = siteIndicators(r)
	for _, p := range r.Parcels {
		in := &p.Indicators
		v.Parcels = append(v.Parcels, htmlParcel{
			Name: p.Name, ID: shortID(p.ID), AreaM2: thousands(in.SiteAreaM2), GFAM2: thousands(in.GFAM2),
			FAR: fixed(in.FAR, 3), Density: fixed(in.BuildingDensity, 3), GreenRatio: fixed(in.GreenRatio, 3),
			MaxHeightM: fixed(in.MaxHeightM, 1),
		})
	}
	for _, s := range r.Stations {
		hs := htmlStation{Name: s.Name, ID: shortID(s.ID), Kind: s.Kind, DistanceM: fixed(s.DistanceM, 0),
			InnerFAR: optFixed(s.InnerFAR, 3), OuterFAR: optFixed(s.OuterFAR, 3), Gradient: "n/a", GradientClass: "na"}
		if s.GradientOK != nil {
			hs.Gradient, hs.GradientClass = "dense near the hub", "pass"
			if !*s.GradientOK {
				hs.Gradient, hs.GradientClass = "NOT denser near the hub", "fail"
			}
		}
		for _, ring := range s.Rings {
			hs.Rings = append(hs.Rings, htmlRing{RadiusM: formatNum(ring.RadiusM), AreaM2: thousands(ring.AreaM2),
				GFAM2: thousands(ring.GFAM2), FAR: optFixed(ring.FAR, 3)})
		}
		v.Stations = append(v.Stations, hs)
	}
	v.Map = siteMap(r)
	return v
}

func newHTMLResult(res Result) htmlResult {
	hr := htmlResult{
		Rule: res.Rule, Title: res.Title, Scope: res.Scope, ScopeName: res.ScopeName, Indicator: res.Indicator,
		Value: "—", Limit: "—", LimitFrom: res.LimitFrom, Severity: res.Severity, Reference: res.Reference, Note: res.Note,
	}
	if res.Scope != "site" {
		hr.ID = shortID(res.ScopeID)
	}
	switch res.Status {
	case Pass:
		hr.Class, hr.Status = "pass", "pass"
	case Fail:
		hr.Class, hr.Status, hr.IsFail = "fail", "FAIL", true
		if res.Severity != "error" {
			hr.Class = "warn"
		}
	default:
		hr.Class, hr.Status = "na", "n/a"
	}
	if res.Value != nil {
		hr.Value = formatValue(res.Indicator, *res.Value)
	}
	if res.Limit != nil {
		hr.Limit = formatLimit(res.Indicator, res.Op, res.Limit)
	}
	if res.Status == NotApplicable {
		hr.LimitFrom = ""
	}
	for _, f := range res.Features {
		hr.Features = append(hr.Features, htmlFeature{Name: f.Name, ID: shortID(f.ID), Value: contribValue(res.Indicator, f.Value)})
	}
	return hr
}

// contribValue writes what a feature adds to an indicator: a height, a
// count of storeys, else an area (floor area, footprint, green, the floor
// area of a home not covered).
func contribValue(ind string, v float64) string {
	switch ind {
	case "max_height_m", "max_residential_height_m":
		return fixed(v, 1) + " m"
	case "max_levels":
		return fixed(v, 0) + " storeys"
	}
	return thousands(v) + " m²"
}

func siteIndicators(r *Report) []htmlIndicator {
	in := &r.Indicators
	yes := func(b bool) string { return map[bool]string{true: "yes", false: "no"}[b] }
	out := []htmlIndicator{{"site area", fixed(in.SiteAreaHa, 2) + " ha (" + thousands(in.SiteAreaM2) + " m²)", "site_area_ha"}}
	if in.SiteAreaOK != nil {
		out = append(out, htmlIndicator{"size of a Future Community unit", yes(*in.SiteAreaOK), "site_area_ok"})
	}
	out = append(out,
		htmlIndicator{"buildings", strconv.Itoa(in.Buildings), "buildings"},
		htmlIndicator{"GFA counted", thousands(in.GFAM2) + " m²", "gfa_m2"},
		htmlIndicator{"GFA underground", thousands(in.GFAUndergroundM2) + " m²", "gfa_underground_m2"},
		htmlIndicator{"FAR", fixed(in.FAR, 3), "far"},
		htmlIndicator{"footprint (union)", thousands(in.FootprintM2) + " m²", "footprint_m2"},
		htmlIndicator{"building density", fixed(in.BuildingDensity, 3), "building_density"},
		htmlIndicator{"ground green (union)", thousands(in.GreenGroundM2) + " m²", "green_ground_m2"},
		htmlIndicator{"green ratio", fixed(in.GreenRatio, 3), "green_ratio"},
		htmlIndicator{"roof green (credited)", thousands(in.GreenRoofM2) + " m² (" + thousands(in.GreenRoofCreditedM2) + " m²)", "green_roof_m2"},
		htmlIndicator{"vertical green", thousands(in.GreenVerticalM2) + " m²", "green_vertical_m2"},
		htmlIndicator{"balcony green", thousands(in.GreenBalconyM2) + " m²", "green_balcony_m2"},
		htmlIndicator{"3D green ratio", fixed(in.GreenRatio3D, 3), "green_ratio_3d"},
		htmlIndicator{"largest park", thousands(in.ParkM2) + " m²", "park_m2"},
	)
	if in.ParkM2PerPerson != nil {
		out = append(out, htmlIndicator{"park per person", fixed(*in.ParkM2PerPerson, 2) + " m²", "park_m2_per_person"})
	}
	out = append(out,
		htmlIndicator{"max height", fixed(in.MaxHeightM, 1) + " m", "max_height_m"},
		htmlIndicator{"max storeys", strconv.Itoa(in.MaxLevels), "max_levels"},
		htmlIndicator{"residential GFA", thousands(in.ResidentialGFAM2) + " m²", "residential_gfa_m2"},
	)
	if in.AvgStoreys != nil {
		out = append(out, htmlIndicator{"average residential storeys", fixed(*in.AvgStoreys, 1), "avg_storeys"})
	}
	out = append(out, htmlIndicator{"max residential height", fixed(in.MaxResidentialHeightM, 1) + " m", "max_residential_height_m"})
	if in.TransitWalkShare != nil {
		label := fmt.Sprintf("homes within a walk of a station (by GFA, %s)", in.Walk)
		if r.params.WalkM > 0 {
			label = fmt.Sprintf("homes within a %s m walk of a station (by GFA, %s)", formatNum(r.params.WalkM), in.Walk)
		}
		out = append(out, htmlIndicator{label, fixed(*in.TransitWalkShare, 3), "transit_walk_share"})
	}
	names := make([]string, 0, len(in.FacilityCoverage))
	for name := range in.FacilityCoverage {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		label := "homes covered: " + strings.ReplaceAll(name, "_", " ")
		if f, ok := r.params.Facilities[name]; ok {
			label += fmt.Sprintf(" (≤ %s m)", formatNum(f.RadiusM))
		}
		out = append(out, htmlIndicator{label, optFixed(in.FacilityCoverage[name], 3), "facility_coverage." + name})
	}
	if n := len(in.EstimatedLevels); n > 0 {
		ids := make([]string, 0, min(n, 8))
		for _, id := range in.EstimatedLevels[:min(n, 8)] {
			ids = append(ids, shortID(id))
		}
		s := strings.Join(ids, ", ")
		if n > 8 {
			s += ", …"
		}
		out = append(out, htmlIndicator{"buildings with estimated storeys", fmt.Sprintf("%d (%s)", n, s), "estimated_levels"})
	}
	return out
}

// The map is mapW pixels wide (or less, for a tall site) above a legend.
const (
	mapW    = 900.0
	mapMaxH = 1100.0
	legendH = 64.0
	legendW = 900.0
)

// htmlMap is the site drawn in pixels.
type htmlMap struct {
	W, MapH      string // the map
	SVGW, SVGH   string // the map and its legend
	Site         string // path
	Parcels      []mapShape
	Green, Roofs []mapShape
	Buildings    []mapShape
	Failing      []string // paths of the buildings of failed error rules
	Warned       []string // paths of the buildings of failed warnings only
	Rings        []mapShape
	Stations     []mapShape
	Legend       mapLegend
}

// mapShape is a path, or a point, with its tooltip and label.
type mapShape struct {
	D, ID, Fill, Title string
	Label, LX, LY      string
}

type mapLegend struct {
	Y, Y2       string // the rows
	Ramp        []rampStop
	RampTicks   []rampTick
	ScaleX2     string
	ScaleLabel  string
	ScaleLabelX string
}

type rampStop struct{ Offset, Color string }

type rampTick struct{ X, Anchor, Label string }

// projection maps lon/lat to pixels: x = (lon − lon0)·cos φ0, y = −(lat −
// lat0), scaled; (lon0, lat0) is the top-left corner of the view.
type projection struct {
	lon0, lat0, k, scale float64
}

func (p projection) at(lon, lat float64) (x, y float64) {
	return (lon - p.lon0) * p.k * p.scale, (p.lat0 - lat) * p.scale
}

// path writes a polygon's rings as SVG path data, in tenths of a pixel.
func (p projection) path(g geom.T) string {
	var flat []float64
	var ends []int
	switch g := g.(type) {
	case *geom.Polygon:
		flat, ends = g.FlatCoords(), g.Ends()
	case *geom.MultiPolygon:
		flat = g.FlatCoords()
		for _, e := range g.Endss() {
			ends = append(ends, e...)
		}
	default:
		return ""
	}
	stride := g.Stride()
	var b []byte
	start := 0
	for _, end := range ends {
		var lx, ly float64
		n := 0
		for i := start; i+1 < end; i += stride {
			x, y := p.at(flat[i], flat[i+1])
			x, y = math.Round(x*10)/10, math.Round(y*10)/10
			if n > 0 && x == lx && y == ly {
				continue
			}
			if n == 0 {
				b = append(b, 'M')
			} else {
				b = append(b, 'L')
			}
			b = strconv.AppendFloat(b, x, 'f', -1, 64)
			b = append(b, ' ')
			b = strconv.AppendFloat(b, y, 'f', -1, 64)
			lx, ly, n = x, y, n+1
		}
		if n > 0 {
			b = append(b, 'Z')
		}
		start = end
	}
	return string(b)
}

func px(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// siteMap draws the site: the view is the site's bounds and the stations
// near it, with a margin; rings reaching beyond it are cut off.
func siteMap(r *Report) *htmlMap {
	if r.site == nil {
		return nil
	}
	box := cim.BoundsOf(r.site)
	for _, s := range r.Stations {
		box = box.Extend(cim.Box{MinLon: s.Lon, MinLat: s.Lat, MaxLon: s.Lon, MaxLat: s.Lat})
	}
	if math.IsInf(box.MinLon, 0) {
		return nil
	}
	k := math.Cos((box.MinLat + box.MaxLat) / 2 * math.Pi / 180)
	w, h := (box.MaxLon-box.MinLon)*k, box.MaxLat-box.MinLat
	margin := 0.1 * math.Max(math.Max(w, h), 1e-7)
	box = cim.Box{MinLon: box.MinLon - margin/k, MinLat: box.MinLat - margin, MaxLon: box.MaxLon + margin/k, MaxLat: box.MaxLat + margin}
	w, h = w+2*margin, h+2*margin
	scale := mapW / w
	if h*scale > mapMaxH {
		scale = mapMaxH / h
	}
	p := projection{lon0: box.MinLon, lat0: box.MaxLat, k: k, scale: scale}
	W, H := math.Ceil(w*scale), math.Ceil(h*scale)
	// The legend needs legendW pixels, below a map narrower than that too.
	SW := math.Max(W, legendW)
	m := &htmlMap{W: px(W), MapH: px(H), SVGW: px(SW), SVGH: px(H + legendH), Site: p.path(r.site)}

	for _, pr := range r.Parcels {
		lon, lat := cim.Centroid(pr.geometry)
		x, y := p.at(lon, lat)
		label := pr.Name
		if label == "" {
			label = shortID(pr.ID)
		}
		m.Parcels = append(m.Parcels, mapShape{D: p.path(pr.geometry), ID: pr.ID, Title: titleOf(pr.Name, pr.ID),
			Label: label, LX: px(x), LY: px(y)})
	}

	sc := r.scene
	if sc == nil {
		sc = &scene{}
	}
	for _, g := range sc.green {
		if g.kind != greenGround && g.kind != greenRoof || !cim.BoundsOf(g.f.Geometry).Intersects(box) {
			continue
		}
		s := mapShape{D: p.path(g.f.Geometry), ID: g.f.ID, Title: titleOf(nameOf(g.f), g.f.ID)}
		if g.kind == greenRoof {
			m.Roofs = append(m.Roofs, s)
		} else {
			m.Green = append(m.Green, s)
		}
	}

	gfa := map[string]float64{}
	var maxGFA float64
	for _, c := range r.Indicators.Contributors("far") {
		gfa[c.ID] += c.Value
		maxGFA = math.Max(maxGFA, gfa[c.ID])
	}
	failed := map[string][]string{} // feature id → the rules it failed in
	isErr := map[string]bool{}      // … one of them an error
	for _, res := range r.Results {
		if res.Status != Fail {
			continue
		}
		for _, f := range res.Features {
			if rules := failed[f.ID]; !slices.Contains(rules, res.Rule) {
				failed[f.ID] = append(rules, res.Rule)
			}
			isErr[f.ID] = isErr[f.ID] || res.Severity == "error"
		}
	}
	for _, b := range sc.buildings {
		if b.footprint == nil || !b.box.Intersects(box) {
			continue
		}
		id := b.f.ID
		d := p.path(b.footprint)
		title := titleOf(nameOf(b.f), id) + ": GFA " + thousands(gfa[id]) + " m²"
		fill := "#d9d9d9"
		if g := gfa[id]; g > 0 && maxGFA > 0 {
			fill = ramp(g / maxGFA)
		}
		if rules := failed[id]; len(rules) > 0 {
			title += "; fails " + strings.Join(rules, ", ")
			if isErr[id] {
				m.Failing = append(m.Failing, d)
			} else {
				m.Warned = append(m.Warned, d)
			}
		}
		m.Buildings = append(m.Buildings, mapShape{D: d, ID: id, Fill: fill, Title: title})
	}

	for _, s := range r.Stations {
		for _, ring := range s.Rings {
			label := fmt.Sprintf("%s m: FAR %s", formatNum(ring.RadiusM), optFixed(ring.FAR, 2))
			rs := mapShape{D: p.path(cim.Circle(s.Lon, s.Lat, ring.RadiusM))}
			// The label goes on the ring where it is in view, as near
			// north as may be.
			for i := 0; i <= 36; i++ {
				az := float64((i+1)/2*10) * float64(1-2*(i%2))
				x, y := p.at(cim.Destination(s.Lon, s.Lat, az, ring.RadiusM))
				if x >= 8 && x <= W-110 && y >= 16 && y <= H-8 {
					rs.Label, rs.LX, rs.LY = label, px(x+3), px(y-3)
					break
				}
			}
			m.Rings = append(m.Rings, rs)
		}
		x, y := p.at(s.Lon, s.Lat)
		name := s.Name
		if name == "" {
			name = shortID(s.ID)
		}
		m.Stations = append(m.Stations, mapShape{ID: s.ID, Title: titleOf(s.Name, s.ID), Label: name, LX: px(x), LY: px(y)})
	}

	lg := &m.Legend
	lg.Y, lg.Y2 = px(H+14), px(H+44)
	for i, c := range rampColors {
		lg.Ramp = append(lg.Ramp, rampStop{Offset: px(float64(i) / float64(len(rampColors)-1)), Color: c})
	}
	for i, f := range []float64{0, 0.5, 1} {
		lg.RampTicks = append(lg.RampTicks, rampTick{X: px(150 + 200*f), Anchor: []string{"start", "middle", "end"}[i],
			Label: thousands(f * maxGFA)})
	}
	// A scale bar near 120 pixels long.
	mPerPx := cim.DistanceM(box.MinLon, box.MinLat, box.MaxLon, box.MinLat) / W
	bar := niceLength(120 * mPerPx)
	lg.ScaleX2 = px(SW - 10)
	lg.ScaleLabelX = px(SW - 10 - bar/mPerPx)
	lg.ScaleLabel = formatNum(bar) + " m"
	if bar >= 1000 {
		lg.ScaleLabel = formatNum(bar/1000) + " km"
	}
	return m
}

// niceLength rounds a length down to 1, 2 or 5 times a power of ten.
func niceLength(m float64) float64 {
	if !(m > 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(m)))
	for _, f := range []float64{5, 2, 1} {
		if f*p <= m {
			return f * p
		}
	}
	return p
}

// titleOf writes "name (id)", or the id alone.
func titleOf(name, id string) string {
	if name == "" {
		return shortID(id)
	}
	return name + " (" + shortID(id) + ")"
}

// rampColors run light to dark (ColorBrewer Purples).
var rampColors = []string{"#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"}

// ramp returns the colour of t in [0, 1] along rampColors.
func ramp(t float64) string {
	t = math.Max(0, math.Min(1, t)) * float64(len(rampColors)-1)
	i := min(int(t), len(rampColors)-2)
	f := t - float64(i)
	a, b := hexRGB(rampColors[i]), hexRGB(rampColors[i+1])
	var c [3]int
	for j := range c {
		c[j] = int(math.Round(float64(a[j]) + f*float64(b[j]-a[j])))
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2])
}

func hexRGB(s string) [3]int {
	v, _ := strconv.ParseUint(s[1:], 16, 32)
	return [3]int{int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)}
}

// htmlPage is the page template, parsed on first use.
var htmlPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Parse(htmlTemplate))
})

const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cim check: {{.Site}}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: #222; margin: 0; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 40px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: #555; margin: 0 0 10px; }
.verdict { display: inline-block; font-weight: 700; font-size: 18px; padding: 2px 12px; border-radius: 4px; margin-right: 10px; }
.verdict.pass { background: #e6f4ea; color: #137333; border: 1px solid #137333; }
.verdict.fail { background: #fce8e6; color: #c5221f; border: 1px solid #c5221f; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.status { font-weight: 700; white-space: nowrap; text-align: center; }
.pass { color: #137333; } td.pass { background: #e6f4ea; }
.fail { color: #c5221f; } td.fail { background: #fce8e6; }
.warn { color: #b06000; } td.warn { background: #fef3e0; }
.na { color: #777; } td.na { background: #f5f5f5; }
.small { font-size: 11.5px; color: #555; }
td.num .small { white-space: normal; }
code { font: 12px ui-monospace, Menlo, Consolas, monospace; }
ul.features { margin: 0; padding-left: 12px; font-size: 11.5px; }
table.results { table-layout: fixed; }
table.narrow { width: auto; min-width: 60%; }
td { overflow-wrap: break-word; }
.v { white-space: nowrap; }
figure { margin: 12px 0; }
svg.map { max-width: 100%; height: auto; border: 1px solid #ccc; background: #fff; }
svg text { font-family: system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
.lbl { font-size: 11px; fill: #222; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; pointer-events: none; }
.ring-lbl { font-size: 11px; fill: #045a8d; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.stn-lbl { font-size: 12px; font-weight: 700; fill: #045a8d; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.bldg:hover { stroke: #000; stroke-width: 1.5; }
footer { margin-top: 30px; color: #777; font-size: 12px; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print {
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  body { font-size: 11px; }
  table { font-size: 10.5px; }
}
</style>
</head>
<body>
<main>
<header>
<h1>{{.Site}}</h1>
<p class="meta">{{if .SiteID}}site <code>{{.SiteID}}</code> · {{end}}{{.AreaHa}} ha · dataset {{.Dataset}} · stage {{.Stage}} · pack <b>{{.Pack}}</b>{{if .PackSource}} <span class="small">({{.PackSource}})</span>{{end}} · store revision {{.Revision}}</p>
<p>{{if .Passed}}<span class="verdict pass">PASS</span>{{else}}<span class="verdict fail">FAIL</span>{{end}}{{.Summary}}</p>
{{- if .Failures}}
<ul>
{{- range .Failures}}
<li class="{{.Class}}"><b>{{.Rule}}</b> ({{.Scope}}{{if .ID}} {{.ID}}{{if .ScopeName}} {{.ScopeName}}{{end}}{{end}}): {{.Indicator}} {{.Value}}, limit {{.Limit}} ({{.Severity}})</li>
{{- end}}
</ul>
{{- end}}
</header>
{{with .Map}}
<h2>Map</h2>
<figure>
<svg class="map" xmlns="http://www.w3.org/2000/svg" width="{{.SVGW}}" height="{{.SVGH}}" viewBox="0 0 {{.SVGW}} {{.SVGH}}" role="img" aria-label="map of the site">
<defs>
<pattern id="roof-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e5f5e0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#41ab5d" stroke-width="2"/></pattern>
<linearGradient id="gfa-ramp">{{range .Legend.Ramp}}<stop offset="{{.Offset}}" stop-color="{{.Color}}"/>{{end}}</linearGradient>
<clipPath id="view"><rect width="{{.W}}" height="{{.MapH}}"/></clipPath>
</defs>
<rect width="{{.W}}" height="{{.MapH}}" fill="#efefec"/>
<g clip-path="url(#view)">
<path d="{{.Site}}" fill="#ffffff" fill-rule="evenodd" stroke="none"/>
<g fill="#a1d99b" stroke="#74c476" stroke-width="0.8" fill-rule="evenodd">
{{- range .Green}}
<path d="{{.D}}" data-id="{{.ID}}"><title>{{.Title}}</title></path>
{{- end}}
</g>
<g stroke="#555" stroke-width="0.6" fill-rule="evenodd">
{{- range .Buildings}}
<path class="bldg" d="{{.D}}" data-id="{{.ID}}" fill="{{.Fill}}"><title>{{.Title}}</title></path>
{{- end}}
</g>
<g fill="url(#roof-hatch)" fill-opacity="0.85" stroke="#41ab5d" stroke-width="0.6" fill-rule="evenodd" pointer-events="none">
{{- range .Roofs}}
<path d="{{.D}}" data-id="{{.ID}}"/>
{{- end}}
</g>
<g fill="none" stroke="#f59e0b" stroke-width="2" fill-rule="evenodd" pointer-events="none">
{{- range .Warned}}
<path d="{{.}}"/>
{{- end}}
</g>
<g fill="none" stroke="#e31a1c" stroke-width="3" fill-rule="evenodd" pointer-events="none">
{{- range .Failing}}
<path d="{{.}}"/>
{{- end}}
</g>
<g fill="none" stroke="#555" stroke-width="1" stroke-dasharray="5 3" fill-rule="evenodd">
{{- range .Parcels}}
<path d="{{.D}}" data-id="{{.ID}}"><title>{{.Title}}</title></path>
{{- end}}
</g>
<path d="{{.Site}}" fill="none" fill-rule="evenodd" stroke="#222" stroke-width="2"/>
<g fill="none" stroke="#0570b0" stroke-width="1.5" stroke-dasharray="8 4" pointer-events="none">
{{- range .Rings}}
<path d="{{.D}}"/>
{{- end}}
</g>
{{- range .Parcels}}
<text class="lbl" x="{{.LX}}" y="{{.LY}}" text-anchor="middle">{{.Label}}</text>
{{- end}}
{{- range .Rings}}{{if .Label}}
<text class="ring-lbl" x="{{.LX}}" y="{{.LY}}">{{.Label}}</text>
{{- end}}{{end}}
{{- range .Stations}}
<g data-id="{{.ID}}"><title>{{.Title}}</title><circle cx="{{.LX}}" cy="{{.LY}}" r="7" fill="#fff" stroke="#045a8d" stroke-width="3"/><circle cx="{{.LX}}" cy="{{.LY}}" r="2.5" fill="#045a8d"/></g>
<text class="stn-lbl" x="{{.LX}}" y="{{.LY}}" dx="11" dy="-8">{{.Label}}</text>
{{- end}}
</g>
<g transform="translate(0 {{.Legend.Y}})" font-size="11">
<text x="10" y="10">GFA in the site (m²)</text>
<rect x="150" y="0" width="200" height="12" fill="url(#gfa-ramp)" stroke="#555" stroke-width="0.5"/>
{{- range .Legend.RampTicks}}
<text x="{{.X}}" y="24" text-anchor="{{.Anchor}}" font-size="10">{{.Label}}</text>
{{- end}}
<rect x="370" y="0" width="18" height="12" fill="#d9d9d9" stroke="#555" stroke-width="0.5"/><text x="393" y="10">no GFA in the site</text>
<rect x="510" y="0" width="18" height="12" fill="#fff" stroke="#e31a1c" stroke-width="3"/><text x="533" y="10">fails an error rule</text>
<rect x="640" y="0" width="18" height="12" fill="#fff" stroke="#f59e0b" stroke-width="2"/><text x="663" y="10">fails a warning</text>
<line x1="{{.Legend.ScaleLabelX}}" y1="6" x2="{{.Legend.ScaleX2}}" y2="6" stroke="#222" stroke-width="3"/>
<text x="{{.Legend.ScaleX2}}" y="22" text-anchor="end">{{.Legend.ScaleLabel}}</text>
<text x="{{.Legend.ScaleLabelX}}" y="22" text-anchor="start">N ↑</text>
</g>
<g transform="translate(0 {{.Legend.Y2}})" font-size="11">
<rect x="10" y="0" width="18" height="12" fill="#a1d99b" stroke="#74c476"/><text x="33" y="10">ground green</text>
<rect x="130" y="0" width="18" height="12" fill="url(#roof-hatch)" stroke="#41ab5d"/><text x="153" y="10">roof green</text>
<rect x="240" y="0" width="18" height="12" fill="none" stroke="#555" stroke-dasharray="5 3"/><text x="263" y="10">parcel</text>
<line x1="330" y1="6" x2="360" y2="6" stroke="#0570b0" stroke-width="1.5" stroke-dasharray="8 4"/><text x="365" y="10">TOD ring (FAR of the site within it)</text>
<circle cx="600" cy="6" r="6" fill="#fff" stroke="#045a8d" stroke-width="3"/><text x="612" y="10">station</text>
</g>
</svg>
</figure>
{{end}}
<h2>Results</h2>
<table class="results">
<colgroup><col style="width:5%"><col style="width:12%"><col style="width:9%"><col style="width:13%"><col style="width:7%"><col style="width:11%"><col style="width:6%"><col style="width:16%"><col style="width:21%"></colgroup>
<thead><tr><th>Status</th><th>Rule</th><th>Scope</th><th>Indicator</th><th class="num">Value</th><th class="num">Limit</th><th>Severity</th><th>Reference, note</th><th>Top features</th></tr></thead>
<tbody>
{{- range .Results}}
<tr><td class="status {{.Class}}">{{.Status}}</td><td class="rule"><code>{{.Rule}}</code>{{if .Title}}<br><span class="small">{{.Title}}</span>{{end}}</td><td>{{.Scope}}{{if .ID}} <code>{{.ID}}</code>{{if .ScopeName}}<br><span class="small">{{.ScopeName}}</span>{{end}}{{end}}</td><td><code>{{.Indicator}}</code></td><td class="num">{{.Value}}</td><td class="num">{{.Limit}}{{if .LimitFrom}}<br><span class="small">{{.LimitFrom}}</span>{{end}}</td><td>{{.Severity}}</td><td class="ref small">{{.Reference}}{{if .Note}}<br><i>{{.Note}}</i>{{end}}</td><td class="feat">{{if .Features}}<ul class="features">{{range .Features}}<li>{{if .Name}}{{.Name}} {{end}}<code>{{.ID}}</code> <span class="v">{{.Value}}</span></li>{{end}}</ul>{{end}}</td></tr>
{{- end}}
</tbody>
</table>

<h2>Indicators of the site</h2>
<table class="narrow">
<thead><tr><th>Indicator</th><th class="num">Value</th><th>Name in rules</th></tr></thead>
<tbody>
{{- range .Indicators}}
<tr><td>{{.Label}}</td><td class="num">{{.Value}}</td><td><code>{{.Key}}</code></td></tr>
{{- end}}
</tbody>
</table>
{{if .Parcels}}
<h2>Parcels</h2>
<table>
<thead><tr><th>Parcel</th><th class="num">Area m²</th><th class="num">GFA m²</th><th class="num">FAR</th><th class="num">Building density</th><th class="num">Green ratio</th><th class="num">Max height m</th></tr></thead>
<tbody>
{{- range .Parcels}}
<tr><td>{{if .Name}}{{.Name}} {{end}}<code>{{.ID}}</code></td><td class="num">{{.AreaM2}}</td><td class="num">{{.GFAM2}}</td><td class="num">{{.FAR}}</td><td class="num">{{.Density}}</td><td class="num">{{.GreenRatio}}</td><td class="num">{{.MaxHeightM}}</td></tr>
{{- end}}
</tbody>
</table>
{{end}}
{{- if .Stations}}
<h2>TOD</h2>
{{- range .Stations}}
<h3>{{if .Name}}{{.Name}} {{end}}<code>{{.ID}}</code> <span class="small">{{.Kind}}, {{.DistanceM}} m from the site</span></h3>
<table class="narrow">
<thead><tr><th class="num">Ring radius m</th><th class="num">Area in the site m²</th><th class="num">GFA m²</th><th class="num">FAR</th></tr></thead>
<tbody>
{{- range .Rings}}
<tr><td class="num">{{.RadiusM}}</td><td class="num">{{.AreaM2}}</td><td class="num">{{.GFAM2}}</td><td class="num">{{.FAR}}</td></tr>
{{- end}}
</tbody>
</table>
<p>Inner FAR {{.InnerFAR}} · outer FAR {{.OuterFAR}} · gradient: <b class="{{.GradientClass}}">{{.Gradient}}</b></p>
{{- end}}
{{- end}}
{{if .Notes}}
<h2>Notes</h2>
<ul>
{{- range .Notes}}
<li>{{.}}</li>
{{- end}}
</ul>
{{end}}
<footer>Written by cim check: pack {{.Pack}}, store revision {{.Revision}}.</footer>
</main>
</body>
</html>
`
