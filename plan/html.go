package plan

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
)

// HTMLOptions say how the page was made. The zero value leaves each out.
type HTMLOptions struct {
	// Checked is when the check ran: the page's date.
	Checked time.Time
	// Version is cim's module version ("v0.4.0", "(devel)") and
	// VCSRevision the commit it was built from ("+dirty" when the tree had
	// changes), as runtime/debug.ReadBuildInfo tells the program.
	Version, VCSRevision string
	// Compare, if set, adds a "planned vs built" section: how another
	// state of the site (what is built) differs from the one checked.
	Compare *Comparison
	// Sunlight, if set, draws the sunlight check's sills on the map,
	// green where they get the rule's hours and red where they do not.
	Sunlight *SunlightMap
}

// SunlightMap is what the report's map shows of a sunlight analysis
// (package sunlight measures it): each sill checked, with its hours.
type SunlightMap struct {
	Rule  string // as the legend names it
	MinH  float64
	Sills []Sill
}

// Sill is one receiver of a sunlight analysis.
type Sill struct {
	Lon, Lat, Hours float64
	Pass            bool
	Building        string
}

// Comparison is the "planned vs built" section of a report (cim check
// --compare, measured by package diff): the site's indicators on both
// sides against the pack's tolerances, and the features that differ.
type Comparison struct {
	From, To   string // the two sides, as a person reads them
	Counts     string // "1 added, 1 removed, 2 changed"
	Exceeded   int    // tolerances exceeded
	Indicators []ComparedIndicator
	Features   []ComparedFeature
}

// ComparedIndicator is one indicator on both sides, formatted.
type ComparedIndicator struct {
	Label, From, To, Change, Tolerance string
	Exceeded                           bool
}

// ComparedFeature is one feature that differs, formatted.
type ComparedFeature struct {
	Kind, Class, FromID, ToID, Name, What string
}

// WriteHTML writes the report as one self-contained HTML file a planner can
// mail: no external scripts, fonts, styles or images. The page is in
// English and Chinese (lang zh-CN). It opens with the verdict and the
// summary of the key indicators (FAR 容积率, building density 建筑密度, green
// ratio 绿地率 and those the site's rules check, each beside its limits),
// then the failures, a map of the site as inline SVG (parcels, green,
// buildings shaded by the floor area they add to the site, the buildings of
// failed rules outlined in red, the TOD rings), the results, the
// indicators of the site, its parcels and stations, and the notes. The
// header and footer carry the check time, cim's version (opts) and the
// store revision read. Every text from the data is escaped.
//
// The map needs the geometry a check keeps: a report decoded from JSON has
// none, and its page has no map.
func WriteHTML(w io.Writer, r *Report, opts HTMLOptions) error {
	if r == nil {
		return errors.New("write html: no report")
	}
	bw := bufio.NewWriter(w)
	if err := htmlPage().Execute(bw, newHTMLView(r, opts)); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return bw.Flush()
}

// htmlView is what the page template shows, every number formatted.
type htmlView struct {
	Site, SiteID  string
	AreaHa        string
	Dataset       string
	Stage         string
	Pack          string
	PackSource    string
	Revision      uint64
	Checked       string // the check time, "2006-01-02 15:04:05 -07:00"
	Version       string // cim's version and VCS revision
	Passed        bool
	Summary       string
	KeyIndicators []htmlKey
	Failures      []htmlResult
	Map           *htmlMap
	Results       []htmlResult
	Indicators    []htmlIndicator
	Parcels       []htmlParcel
	Stations      []htmlStation
	Compare       *Comparison
	Notes         []string
}

type htmlResult struct {
	Class, Status        string // pass, fail (an error), warn (a failed warning), na
	Rule, Title, LabelZh string
	IndicatorZh          string
	Scope, ScopeName, ID string
	Indicator, Value     string
	Limit, LimitFrom     string
	Severity, Reference  string
	Note                 string
	Features             []htmlFeature
	IsFail               bool
}

type htmlFeature struct{ Name, ID, Value string }

type htmlIndicator struct{ Label, Zh, Value, Key string }

// htmlKey is a row of the summary: an indicator of the site and the site
// rules that check it.
type htmlKey struct {
	Label, Zh, Key, Value string
	Checks                []htmlResult
}

type htmlParcel struct{ Name, ID, AreaM2, GFAM2, FAR, Density, GreenRatio, MaxHeightM string }

type htmlStation struct {
	Name, ID, Kind, DistanceM string
	Rings                     []htmlRing
	InnerFAR, OuterFAR        string
	Gradient, GradientClass   string
}

type htmlRing struct{ RadiusM, AreaM2, GFAM2, FAR string }

func newHTMLView(r *Report, opts HTMLOptions) *htmlView {
	v := &htmlView{
		Site: r.Site.Name, SiteID: r.Site.ID, AreaHa: fixed(r.Indicators.SiteAreaHa, 2),
		Dataset: r.Dataset, Stage: r.StageView(), Pack: r.Pack, PackSource: r.PackSource, Revision: r.Revision,
		Passed: r.Passed, Notes: r.Notes, Compare: opts.Compare,
	}
	if !opts.Checked.IsZero() {
		v.Checked = opts.Checked.Format("2006-01-02 15:04:05 -07:00")
	}
	var ver []string
	if opts.Version != "" {
		ver = append(ver, "version "+opts.Version)
	}
	// A pseudo-version (v0.0.0-20260101120000-0123456789ab+dirty) names
	// the commit already.
	if rev := opts.VCSRevision; rev != "" && !strings.Contains(opts.Version, strings.TrimSuffix(rev, "+dirty")) {
		ver = append(ver, "commit "+rev)
	}
	v.Version = strings.Join(ver, ", ")
	if v.Site == "" {
		v.Site, v.SiteID = r.Site.ID, ""
	}
	if v.Dataset == "" {
		v.Dataset = "all datasets"
	}
	c := r.Counts
	v.Summary = fmt.Sprintf("%s: %s checked, %d pass, %d fail, %d not applicable",
		r.Verdict(), plural(len(r.Results), "rule"), c.Pass, c.Fail, c.NotApplicable)
	for _, res := range r.Results {
		hr := newHTMLResult(res)
		v.Results = append(v.Results, hr)
		if hr.IsFail {
			v.Failures = append(v.Failures, hr)
		}
	}
	v.KeyIndicators = keyIndicators(r, v.Results)
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
	if v.Map != nil && opts.Sunlight != nil {
		v.Map.drawSills(r, opts.Sunlight)
	}
	return v
}

func newHTMLResult(res Result) htmlResult {
	hr := htmlResult{
		Rule: res.Rule, Title: res.Title, LabelZh: res.LabelZh, IndicatorZh: res.IndicatorZh, Scope: res.Scope, ScopeName: res.ScopeName, Indicator: res.Indicator,
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

// keyIndicators are the summary's rows: FAR, building density, green
// ratio, 3D green, height and the walk to transit, then the other
// indicators site rules check, in the order of the rules; each with the
// results of the site rules that check it.
func keyIndicators(r *Report, results []htmlResult) []htmlKey {
	keys := []string{"far", "building_density", "green_ratio", "green_ratio_3d", "max_height_m", "transit_walk_share"}
	for _, res := range r.Results {
		if res.Scope == "site" && !slices.Contains(keys, res.Indicator) {
			keys = append(keys, res.Indicator)
		}
	}
	var out []htmlKey
	for _, key := range keys {
		l := r.params.IndicatorLabel(key)
		k := htmlKey{Label: l.En, Zh: l.Zh, Key: key, Value: "—"}
		if x, ok := r.Indicators.Value(key); ok {
			k.Value = formatValue(key, x)
		}
		for i, res := range r.Results {
			if res.Scope == "site" && res.Indicator == key {
				k.Checks = append(k.Checks, results[i])
				if k.Zh == "" {
					k.Zh = res.IndicatorZh
				}
			}
		}
		if k.Value == "—" && len(k.Checks) == 0 {
			continue
		}
		out = append(out, k)
	}
	return out
}

func siteIndicators(r *Report) []htmlIndicator {
	in := &r.Indicators
	row := func(label, value, key string) htmlIndicator {
		return htmlIndicator{Label: label, Zh: r.params.IndicatorLabel(key).Zh, Value: value, Key: key}
	}
	yes := func(b bool) string { return map[bool]string{true: "yes", false: "no"}[b] }
	out := []htmlIndicator{row("site area", fixed(in.SiteAreaHa, 2)+" ha ("+thousands(in.SiteAreaM2)+" m²)", "site_area_ha")}
	if in.SiteAreaOK != nil {
		out = append(out, row("size of a Future Community unit", yes(*in.SiteAreaOK), "site_area_ok"))
	}
	out = append(out,
		row("buildings", strconv.Itoa(in.Buildings), "buildings"),
		row("GFA counted", thousands(in.GFAM2)+" m²", "gfa_m2"),
		row("GFA underground", thousands(in.GFAUndergroundM2)+" m²", "gfa_underground_m2"),
		row("FAR", fixed(in.FAR, 3), "far"),
		row("footprint (union)", thousands(in.FootprintM2)+" m²", "footprint_m2"),
		row("building density", fixed(in.BuildingDensity, 3), "building_density"),
		row("ground green (union)", thousands(in.GreenGroundM2)+" m²", "green_ground_m2"),
		row("green ratio", fixed(in.GreenRatio, 3), "green_ratio"),
		row("roof green (credited)", thousands(in.GreenRoofM2)+" m² ("+thousands(in.GreenRoofCreditedM2)+" m²)", "green_roof_m2"),
		row("vertical green", thousands(in.GreenVerticalM2)+" m²", "green_vertical_m2"),
		row("balcony green", thousands(in.GreenBalconyM2)+" m²", "green_balcony_m2"),
		row("3D green ratio", fixed(in.GreenRatio3D, 3), "green_ratio_3d"),
		row("largest park", thousands(in.ParkM2)+" m²", "park_m2"),
	)
	if in.ParkM2PerPerson != nil {
		out = append(out, row("park per person", fixed(*in.ParkM2PerPerson, 2)+" m²", "park_m2_per_person"))
	}
	out = append(out,
		row("max height", fixed(in.MaxHeightM, 1)+" m", "max_height_m"),
		row("max storeys", strconv.Itoa(in.MaxLevels), "max_levels"),
		row("residential GFA", thousands(in.ResidentialGFAM2)+" m²", "residential_gfa_m2"),
	)
	if in.AvgStoreys != nil {
		out = append(out, row("average residential storeys", fixed(*in.AvgStoreys, 1), "avg_storeys"))
	}
	out = append(out, row("max residential height", fixed(in.MaxResidentialHeightM, 1)+" m", "max_residential_height_m"))
	if in.TransitWalkShare != nil {
		label := fmt.Sprintf("homes within a walk of a station (by GFA, %s)", in.Walk)
		if r.params.WalkM > 0 {
			label = fmt.Sprintf("homes within a %s m walk of a station (by GFA, %s)", formatNum(r.params.WalkM), in.Walk)
		}
		out = append(out, row(label, fixed(*in.TransitWalkShare, 3), "transit_walk_share"))
	}
	names := make([]string, 0, len(in.FacilityCoverage))
	for name := range in.FacilityCoverage {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		label := "homes covered: " + strings.ReplaceAll(name, "_", " ")
		if f, ok := r.params.Facilities[name]; ok {
			label += fmt.Sprintf(" (by GFA, ≤ %s m)", formatNum(f.RadiusM))
		}
		out = append(out, row(label, optFixed(in.FacilityCoverage[name], 3), "facility_coverage."+name))
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
		out = append(out, row("buildings with estimated storeys", fmt.Sprintf("%d (%s)", n, s), "estimated_levels"))
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
	Sills        []mapDot
	SunlightNote string
	Legend       mapLegend
}

// mapShape is a path, or a point, with its tooltip and label.
// mapDot is a point on the map: a sunlight sill.
type mapDot struct{ X, Y, Fill, Title string }

// drawSills adds the sills that fall in the map's view.
func (m *htmlMap) drawSills(r *Report, sm *SunlightMap) {
	box := cim.BoundsOf(r.site)
	for _, s := range r.Stations {
		box = box.Extend(cim.Box{MinLon: s.Lon, MinLat: s.Lat, MaxLon: s.Lon, MaxLat: s.Lat})
	}
	p, _, _, _ := fitView(box)
	pass, fail := 0, 0
	for _, s := range sm.Sills {
		x, y := p.at(s.Lon, s.Lat)
		fill := "#2e8b57"
		if !s.Pass {
			fill, fail = "#d93a2b", fail+1
		} else {
			pass++
		}
		m.Sills = append(m.Sills, mapDot{X: px(x), Y: px(y), Fill: fill, Title: fmt.Sprintf("%s: %.2f h", s.Building, s.Hours)})
	}
	m.SunlightNote = fmt.Sprintf("Sunlight (日照), %s: %d sills get %s h or more (green), %d fewer (red).", sm.Rule, pass, formatNum(sm.MinH), fail)
}

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
// near it, with a margin; rings reaching beyond it are cut off. Layers go
// bottom to top: parcels, green, buildings, stations and their rings; the
// legend goes below.
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
	p, box, W, H := fitView(box)
	// The legend needs legendW pixels, below a map narrower than that too.
	SW := math.Max(W, legendW)
	m := &htmlMap{W: px(W), MapH: px(H), SVGW: px(SW), SVGH: px(H + legendH), Site: p.path(r.site)}
	sc := r.scene
	if sc == nil {
		sc = &scene{}
	}
	m.drawParcels(p, r.Parcels)
	m.drawGreen(p, box, sc)
	maxGFA := m.drawBuildings(p, box, sc, r)
	m.drawStations(p, W, H, r.Stations)
	m.Legend = newLegend(box, W, H, SW, maxGFA)
	return m
}

// fitView widens the box by a margin and returns the projection that
// fits it in mapW × mapMaxH pixels, the widened box, and its size in
// pixels.
func fitView(box cim.Box) (p projection, view cim.Box, W, H float64) {
	k := math.Cos((box.MinLat + box.MaxLat) / 2 * math.Pi / 180)
	w, h := (box.MaxLon-box.MinLon)*k, box.MaxLat-box.MinLat
	margin := 0.1 * math.Max(math.Max(w, h), 1e-7)
	view = cim.Box{MinLon: box.MinLon - margin/k, MinLat: box.MinLat - margin, MaxLon: box.MaxLon + margin/k, MaxLat: box.MaxLat + margin}
	w, h = w+2*margin, h+2*margin
	scale := mapW / w
	if h*scale > mapMaxH {
		scale = mapMaxH / h
	}
	p = projection{lon0: view.MinLon, lat0: view.MaxLat, k: k, scale: scale}
	return p, view, math.Ceil(w * scale), math.Ceil(h * scale)
}

// drawParcels outlines the parcels and labels each at its centroid.
func (m *htmlMap) drawParcels(p projection, parcels []ParcelReport) {
	for _, pr := range parcels {
		lon, lat := cim.Centroid(pr.geometry)
		x, y := p.at(lon, lat)
		label := pr.Name
		if label == "" {
			label = shortID(pr.ID)
		}
		m.Parcels = append(m.Parcels, mapShape{D: p.path(pr.geometry), ID: pr.ID, Title: titleOf(pr.Name, pr.ID),
			Label: label, LX: px(x), LY: px(y)})
	}
}

// drawGreen draws the ground and roof green in view.
func (m *htmlMap) drawGreen(p projection, box cim.Box, sc *scene) {
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
}

// drawBuildings draws the buildings in view, shaded by the GFA they add
// to the site, those of failed rules also outlined; it returns the
// largest GFA, the top of the legend's ramp.
func (m *htmlMap) drawBuildings(p projection, box cim.Box, sc *scene, r *Report) (maxGFA float64) {
	gfa := map[string]float64{}
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
	return maxGFA
}

// drawStations marks the stations and draws their TOD rings, each
// labelled with its FAR where it is in the W × H view.
func (m *htmlMap) drawStations(p projection, W, H float64, stations []StationTOD) {
	for _, s := range stations {
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
}

// newLegend lays out the legend below the W × H map in an SVG SW pixels
// wide: the GFA ramp up to maxGFA, and a scale bar for the view.
func newLegend(box cim.Box, W, H, SW, maxGFA float64) mapLegend {
	var lg mapLegend
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
	return lg
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

// htmlTemplate is the page: report.html.tmpl, an html/template over an
// htmlView.
//
//go:embed report.html.tmpl
var htmlTemplate string

// htmlPage is the page template, parsed on first use.
var htmlPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Parse(htmlTemplate))
})
