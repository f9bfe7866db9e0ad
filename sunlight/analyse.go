package sunlight

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/plan"
	"github.com/future-community/cim/query"
	"github.com/future-community/cim/sun"
)

// DefaultResidentialKinds are the building kinds (building=*) whose
// facades are checked; building:use=residential counts too. It is a copy
// of plan.DefaultParams' residential_kinds (plan/params.go): sunlight
// cannot import plan, which is to call it for its sunlight rules.
var DefaultResidentialKinds = []string{"residential", "apartments", "house", "detached", "semidetached_house", "terrace", "dormitory", "bungalow"}

// Defaults of Options.
const (
	DefaultSpacingM = 1.0 // receivers along a facade
	DefaultSillM    = 0.9 // sill above a storey's floor
)

// ErrNoData is Analyse's error when the store has no building near the
// site: the site is likely drawn far from the data, or in other
// coordinates.
var ErrNoData = errors.New("no buildings near the site")

// Selection says which features an analysis reads, as plan.Selection: the
// scheme's buildings (the receivers) come from Dataset ("" for every
// dataset); obstructions come from every dataset (the city around), all
// as the Stage's view sees them (query.View).
type Selection struct {
	Dataset string
	Stage   cim.Stage
	// Extra and Hide lay a proposal over the view in memory, as
	// plan.Selection's do (a what-if): its buildings shade and are
	// checked, the stored ones it replaces are gone.
	Extra []*cim.Feature
	Hide  map[string]bool
}

// Options tune Analyse. The zero value checks the ground floor with a
// receiver every metre along each facade, 0.9 m above the floor, on the
// rule's standard day of the current year.
type Options struct {
	// SpacingM is the distance between receivers along a facade; zero
	// means DefaultSpacingM.
	SpacingM float64
	// Levels are the storeys checked (0 the ground floor); nil means the
	// ground floor only, the lowest dwelling storey that the rule is
	// about. Storeys a building does not have are skipped.
	Levels *cim.LevelRange
	// Year is the year of the standard day; zero means this year.
	Year int
	// SillM is the sill height above a storey's floor; zero means
	// DefaultSillM.
	SillM float64
	// ResidentialKinds are the kinds of building that are homes; nil
	// means DefaultResidentialKinds.
	ResidentialKinds []string
	// Sun are the solar position options (refraction, ΔT).
	Sun sun.Options
	// Log, when set, is told what the analysis is doing (for progress).
	Log func(msg string)
	// Neighbours checks the residential buildings outside the site
	// instead, of any dataset, within NeighbourM of it (see Neighbours).
	Neighbours bool
	NeighbourM float64
}

// Report is the result of Analyse.
type Report struct {
	Rule string `json:"rule"`
	// Day is the standard day (Beijing date); Band the rule's band in
	// true solar and Beijing time.
	Day  string `json:"day"`
	Band Span   `json:"band"`
	// MinH is the rule's minimum, hours.
	MinH float64 `json:"min_hours"`
	// Origin is the lon, lat of the local frame (Frame).
	Origin [2]float64 `json:"origin"`
	// ReachM is the cut-off of the tallest obstruction kept (Track.Reach);
	// Obstructions the prisms within it, Dropped those beyond.
	ReachM       float64 `json:"reach_m"`
	Obstructions int     `json:"obstructions"`
	Dropped      int     `json:"dropped"`
	// Buildings are the residential buildings in the site, by id.
	Buildings []BuildingResult `json:"buildings"`
	// Receivers are every sill point, building by building.
	Receivers []ReceiverResult `json:"receivers"`
	// Warnings name buildings skipped or estimated, and say why.
	Warnings []string `json:"warnings,omitempty"`
	// Passed is every building's Pass.
	Passed bool `json:"passed"`
}

// Span is a time span in both time bases, "15:04".
type Span struct {
	TrueSolarFrom string  `json:"true_solar_from"`
	TrueSolarTo   string  `json:"true_solar_to"`
	BeijingFrom   string  `json:"beijing_from"`
	BeijingTo     string  `json:"beijing_to"`
	Minutes       float64 `json:"minutes"`
}

// BuildingResult is one residential building's check.
//
// A facade receiver is checked when, with nothing around, it would get
// the rule's minimum: the walls that face the Sun. A north wall gets no
// winter sun whatever stands around it, and the rule asks that a dwelling
// have one sunlit room, not every room; so a building is judged on its
// Sun-facing walls.
type BuildingResult struct {
	ID      string `json:"id"`
	Dataset string `json:"dataset"`
	Name    string `json:"name,omitempty"`
	// Levels is the storeys above ground (counted or estimated).
	Levels int `json:"levels"`
	// Receivers and Checked count the building's sill points and those
	// checked (see above).
	Receivers int `json:"receivers"`
	Checked   int `json:"checked"`
	// Worst is the least counted sunlight of a checked sill on the lowest
	// storey checked; WorstH the same in hours.
	Worst  time.Duration `json:"-"`
	WorstH float64       `json:"worst_hours"`
	// Pass is every checked sill getting the rule's minimum.
	Pass bool `json:"pass"`
	// FailingFloors and FailingFacades are the storeys (0 the ground
	// floor) and the facades (the compass point they face) with a
	// checked sill that fails.
	FailingFloors  []int    `json:"failing_floors,omitempty"`
	FailingFacades []string `json:"failing_facades,omitempty"`
}

// ReceiverResult is one sill point.
type ReceiverResult struct {
	Building string `json:"building"`
	Dataset  string `json:"dataset"`
	Level    int    `json:"level"`
	// Facing is the compass point the facade faces (N, NE, … NW).
	Facing string `json:"facing"`
	// Lon, Lat locate the point; X, Y, Z are its local metres.
	Lon     float64 `json:"lon"`
	Lat     float64 `json:"lat"`
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	Z       float64 `json:"z"`
	Checked bool    `json:"checked"`
	// Hours is the counted sunlight; Pass is Hours ≥ the minimum.
	Counted time.Duration `json:"-"`
	Hours   float64       `json:"hours"`
	Pass    bool          `json:"pass"`
	// Periods are the lit periods.
	Periods []Span `json:"periods"`
}

// building is a building or part read from the store.
type building struct {
	f        *cim.Feature
	polys    [][][][2]float64 // polygons in local metres
	storeys  []*cim.Feature   // its storeys above ground, with polygons
	bottom   float64
	top      float64
	levels   int
	storeyH  float64
	resident bool
	fr       Frame
}

// Analyse checks the sunlight of the residential buildings inside site
// (a Polygon or MultiPolygon in lon/lat) under rule r.
//
// Obstructions are every building and building part the selection's view
// sees within the rule's longest reach of the site (Track.Reach at the
// rule's MaxReachM), as prisms from cim.Heights' bottom to top, a
// building with storeys as its storeys stacked; those farther from every
// receiver than their own reach are then dropped. A building with neither
// a height nor a storey count is skipped with a warning naming it.
//
// Receivers stand on the facades of each residential building of the
// selection's dataset whose footprint's centre is inside the site, at
// each chosen storey's floor plus the sill height: the floor is the
// storey's own elevation where the model has storeys, else storey i at
// bottom + i × (height / storeys). Windows (IfcWindow) are not in the
// store yet, so facades are sampled every SpacingM metres instead.
func Analyse(ctx context.Context, sn *index.Snapshot, site geom.T, sel Selection, r Rule, o Options) (*Report, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if cim.AreaM2(site) <= 0 {
		return nil, fmt.Errorf("sunlight: the site is a %T, not a polygon", site)
	}
	if o.SpacingM == 0 {
		o.SpacingM = DefaultSpacingM
	}
	if !(o.SpacingM > 0) || math.IsInf(o.SpacingM, 0) {
		return nil, fmt.Errorf("sunlight: facade spacing %v m: must be positive", o.SpacingM)
	}
	if o.SillM == 0 {
		o.SillM = DefaultSillM
	}
	if o.SillM < 0 || math.IsNaN(o.SillM) || o.SillM > 10 {
		return nil, fmt.Errorf("sunlight: sill height %v m: want 0–10 m", o.SillM)
	}
	levels := cim.LevelRange{}
	if o.Levels != nil {
		levels = *o.Levels
	}
	if o.Year == 0 {
		o.Year = time.Now().Year()
	}
	if o.ResidentialKinds == nil {
		o.ResidentialKinds = DefaultResidentialKinds
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			o.Log(fmt.Sprintf(format, args...))
		}
	}

	lon0, lat0 := cim.Centroid(site)
	fr := NewFrame(lon0, lat0)
	track, err := NewTrack(sun.Site{Lat: lat0, Lon: lon0}, o.Year, r, o.Sun)
	if err != nil {
		return nil, err
	}
	day, err := r.Day.Day(o.Year, nil, o.Sun)
	if err != nil {
		return nil, err
	}
	rep := &Report{Rule: r.Name, Day: day.Format("2006-01-02"), MinH: r.Min.Hours(), Origin: [2]float64{lon0, lat0}}
	rep.Band = span(track, Period{0, track.Intervals()}, track.Step)

	maxReach := r.maxReach()
	siteBox := cim.BoundsOf(site)
	box := grow(siteBox, maxReach)
	if o.Neighbours {
		// The neighbours, and what shades them.
		box = grow(siteBox, maxReach+o.NeighbourM)
	}
	logf("reading buildings within %.0f m of the site", maxReach)
	rows := query.Run(ctx, sn, query.Query{BBox: &box, Classes: []cim.Class{cim.ClassBuilding, cim.ClassBuildingPart, cim.ClassStorey}, Stage: sel.Stage})
	var view []*cim.Feature
	for rows.Next() {
		view = append(view, rows.Feature())
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	if len(sel.Extra) > 0 || len(sel.Hide) > 0 {
		view = plan.Overlay(view, plan.Selection{Extra: sel.Extra, Hide: sel.Hide}, box,
			[]cim.Class{cim.ClassBuilding, cim.ClassBuildingPart, cim.ClassStorey})
	}
	slices.SortFunc(view, func(a, b *cim.Feature) int {
		return cmp.Or(cmp.Compare(a.Dataset, b.Dataset), cmp.Compare(a.ID, b.ID))
	})
	blds := buildingsOf(view, fr, o.ResidentialKinds, rep)
	if len(blds) == 0 {
		return nil, fmt.Errorf("%w: no building or building part within %.0f m of the site (%.5f, %.5f): is the site where the data is?", ErrNoData, maxReach, lon0, lat0)
	}

	// Receivers.
	var recs []Receiver
	var meta []ReceiverResult
	var homes []int // building index of each BuildingResult
	near := grow(siteBox, o.NeighbourM)
	proposed := map[*cim.Feature]bool{}
	for _, f := range sel.Extra {
		proposed[f] = true
	}
	for bi, b := range blds {
		if !b.resident || b.f.Class != cim.ClassBuilding {
			continue
		}
		cx, cy := cim.Centroid(b.f.Geometry)
		if o.Neighbours {
			if cim.Contains(site, cx, cy) || !near.Contains(cim.Box{MinLon: cx, MinLat: cy, MaxLon: cx, MaxLat: cy}) {
				continue
			}
		} else if (sel.Dataset != "" && b.f.Dataset != sel.Dataset && !proposed[b.f]) || !cim.Contains(site, cx, cy) {
			continue // a what-if's proposed homes are the scheme's too
		}
		homes = append(homes, bi)
		for l := max(0, int(math.Ceil(levels.Min))); l < b.levels && float64(l) <= levels.Max; l++ {
			floor, polys := b.bottom+float64(l)*b.storeyH, b.polys
			for _, s := range b.storeys {
				if s.Levels.Min == float64(l) {
					floor, _, _ = cim.Heights(s)
					polys = polygonsOf(s.Geometry, fr)
					break
				}
			}
			for _, rings := range polys {
				rs, err := Facade(rings, floor+o.SillM, o.SpacingM, 0, bi)
				if err != nil {
					rep.Warnings = append(rep.Warnings, fmt.Sprintf("building %s: storey %d: %v", b.f.ID, l, err))
					continue
				}
				for _, rc := range rs {
					lon, lat := fr.LonLat(rc.X, rc.Y)
					recs = append(recs, rc)
					meta = append(meta, ReceiverResult{Building: b.f.ID, Dataset: b.f.Dataset, Level: l, Facing: compass(rc.NX, rc.NY),
						Lon: lon, Lat: lat, X: rc.X, Y: rc.Y, Z: rc.Z})
				}
			}
		}
	}
	if len(homes) == 0 {
		rep.Passed = true
		if o.Neighbours {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("no residential building within %.0f m of the site: no neighbour to check", o.NeighbourM))
		} else {
			rep.Warnings = append(rep.Warnings, "no residential building in the site: nothing to check")
		}
		return rep, nil
	}

	// Obstructions, cut at their reach from the receivers.
	zMin, rx0, ry0, rx1, ry1 := math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, rc := range recs {
		zMin = math.Min(zMin, rc.Z)
		rx0, ry0 = math.Min(rx0, rc.X), math.Min(ry0, rc.Y)
		rx1, ry1 = math.Max(rx1, rc.X), math.Max(ry1, rc.Y)
	}
	var prisms []Prism
	for bi, b := range blds {
		for _, p := range b.prisms(bi) {
			if _, err := prepare(p); err != nil {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s %s: left out: %v", b.f.Class, b.f.ID, err))
				continue
			}
			reach := track.Reach(p.Z1-zMin, maxReach)
			if boxGap(p.Rings[0], rx0, ry0, rx1, ry1) > reach {
				rep.Dropped++
				continue
			}
			rep.ReachM = math.Max(rep.ReachM, reach)
			prisms = append(prisms, p)
		}
	}
	rep.Obstructions = len(prisms)
	scene, err := NewScene(prisms, 0)
	if err != nil {
		return nil, err
	}
	logf("evaluating %d receivers on %d buildings against %d obstructions", len(recs), len(homes), len(prisms))
	res, err := Evaluate(ctx, scene, track, r, recs)
	if err != nil {
		return nil, err
	}
	// What each receiver would get with nothing around: which are checked.
	empty, _ := NewScene(nil, 0)
	open, err := Evaluate(ctx, empty, track, r, recs)
	if err != nil {
		return nil, err
	}

	byBuilding := map[int]*BuildingResult{}
	rep.Passed = true
	for _, bi := range homes {
		b := blds[bi]
		rep.Buildings = append(rep.Buildings, BuildingResult{ID: b.f.ID, Dataset: b.f.Dataset, Name: name(b.f), Levels: b.levels, Pass: true})
	}
	for i := range rep.Buildings {
		byBuilding[homes[i]] = &rep.Buildings[i]
	}
	lowest := map[int]int{} // building → lowest checked level
	for i, rc := range recs {
		m := &meta[i]
		m.Checked = open[i].Pass
		m.Counted, m.Hours, m.Pass = res[i].Counted, round2(res[i].Counted.Hours()), res[i].Pass
		m.Periods = make([]Span, 0, len(res[i].Periods))
		for _, p := range res[i].Periods {
			m.Periods = append(m.Periods, span(track, p, track.Step))
		}
		br := byBuilding[rc.Building]
		br.Receivers++
		if !m.Checked {
			continue
		}
		br.Checked++
		if l, ok := lowest[rc.Building]; !ok || m.Level < l {
			lowest[rc.Building] = m.Level
		}
		if !m.Pass {
			br.Pass = false
			if !slices.Contains(br.FailingFloors, m.Level) {
				br.FailingFloors = append(br.FailingFloors, m.Level)
			}
			if !slices.Contains(br.FailingFacades, m.Facing) {
				br.FailingFacades = append(br.FailingFacades, m.Facing)
			}
		}
	}
	worstSet := map[int]bool{}
	for i, rc := range recs {
		m := meta[i]
		br := byBuilding[rc.Building]
		if m.Checked && m.Level == lowest[rc.Building] && (!worstSet[rc.Building] || m.Counted < br.Worst) {
			worstSet[rc.Building] = true
			br.Worst, br.WorstH = m.Counted, m.Hours
		}
	}
	for i := range rep.Buildings {
		br := &rep.Buildings[i]
		slices.Sort(br.FailingFloors)
		slices.SortFunc(br.FailingFacades, func(a, b string) int { return cmp.Compare(compassOrder(a), compassOrder(b)) })
		if br.Checked == 0 {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("building %s: no facade that could get %v with nothing around: not checked", br.ID, r.Min))
		}
		rep.Passed = rep.Passed && br.Pass
	}
	rep.Receivers = meta
	return rep, nil
}

// buildingsOf sorts the view into buildings and parts with their storeys,
// in local metres, warning of those without a height.
func buildingsOf(view []*cim.Feature, fr Frame, kinds []string, rep *Report) []*building {
	key := func(dataset, id string) string { return dataset + "\x00" + id }
	storeys := map[string][]*cim.Feature{}
	for _, f := range view {
		if f.Class == cim.ClassStorey && f.Parent != "" && f.Levels.Min >= 0 && isPolygon(f.Geometry) {
			storeys[key(f.Dataset, f.Parent)] = append(storeys[key(f.Dataset, f.Parent)], f)
		}
	}
	var out []*building
	for _, f := range view {
		if f.Class != cim.ClassBuilding && f.Class != cim.ClassBuildingPart {
			continue
		}
		b := &building{f: f, storeys: storeys[key(f.Dataset, f.ID)], fr: fr}
		if isPolygon(f.Geometry) {
			b.polys = polygonsOf(f.Geometry, fr)
		}
		if b.polys == nil && b.storeys == nil {
			continue // a point or a line: no footprint to extrude
		}
		v := f.Vertical
		switch {
		case len(b.storeys) > 0:
			b.bottom, b.top = math.Inf(1), math.Inf(-1)
			for _, s := range b.storeys {
				lo, hi, _ := cim.Heights(s)
				b.bottom, b.top = math.Min(b.bottom, lo), math.Max(b.top, hi)
				b.levels = max(b.levels, int(s.Levels.Max)+1)
			}
		case v.Has(cim.KnownLevelsAbove) && v.LevelsAbove == 0 && !(v.Has(cim.KnownHeight) && v.HeightM > 0):
			continue // wholly underground: shades nothing
		case v.Has(cim.KnownHeight) || v.Has(cim.KnownLevelsAbove):
			b.bottom, b.top, _ = cim.Heights(f)
			b.levels = cim.EstimateLevels(v)
		default:
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s %s%s: no height and no storey count: left out", f.Class, f.ID, quoted(name(f))))
			continue
		}
		if b.levels < 1 || !(b.top > b.bottom) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s %s%s: height %g–%g m: left out", f.Class, f.ID, quoted(name(f)), b.bottom, b.top))
			continue
		}
		b.storeyH = (b.top - b.bottom) / float64(b.levels+v.RoofLevels)
		kind := f.Kind
		if u, ok := f.Props["building:use"].(string); ok {
			kind = u
		}
		b.resident = slices.Contains(kinds, kind)
		out = append(out, b)
	}
	return out
}

// prisms returns a building's obstructions: its storeys stacked where it
// has them, else its footprint from bottom to top.
func (b *building) prisms(bi int) []Prism {
	var out []Prism
	if len(b.storeys) > 0 {
		for _, s := range b.storeys {
			lo, hi, _ := cim.Heights(s)
			for _, rings := range polygonsOf(s.Geometry, b.fr) {
				out = append(out, Prism{Rings: rings, Z0: lo, Z1: hi, Building: bi})
			}
		}
		return out
	}
	for _, rings := range b.polys {
		out = append(out, Prism{Rings: rings, Z0: b.bottom, Z1: b.top, Building: bi})
	}
	return out
}

func isPolygon(g geom.T) bool {
	switch g.(type) {
	case *geom.Polygon, *geom.MultiPolygon:
		return true
	}
	return false
}

// polygonsOf returns a Polygon's or MultiPolygon's rings in local metres,
// one entry per polygon; nil for other geometries.
func polygonsOf(g geom.T, fr Frame) [][][][2]float64 {
	ringsOf := func(p *geom.Polygon) [][][2]float64 {
		var rings [][][2]float64
		for i := range p.NumLinearRings() {
			lr := p.LinearRing(i)
			flat, stride := lr.FlatCoords(), lr.Stride()
			ring := make([][2]float64, 0, len(flat)/stride)
			for j := 0; j+1 < len(flat); j += stride {
				e, n := fr.EN(flat[j], flat[j+1])
				ring = append(ring, [2]float64{e, n})
			}
			rings = append(rings, ring)
		}
		return rings
	}
	switch g := g.(type) {
	case *geom.Polygon:
		if g.NumLinearRings() > 0 {
			return [][][][2]float64{ringsOf(g)}
		}
	case *geom.MultiPolygon:
		var out [][][][2]float64
		for i := range g.NumPolygons() {
			if p := g.Polygon(i); p.NumLinearRings() > 0 {
				out = append(out, ringsOf(p))
			}
		}
		return out
	}
	return nil
}

// grow grows a lon/lat box by m metres on every side, with the
// ellipsoid's radii at its most poleward latitude.
func grow(b cim.Box, m float64) cim.Box {
	lat := math.Min(math.Max(math.Abs(b.MinLat), math.Abs(b.MaxLat)), 89)
	sl, cl := math.Sincos(lat * math.Pi / 180)
	w := math.Sqrt(1 - wgs84E2*sl*sl)
	dLat := m / (wgs84A * (1 - wgs84E2) / (w * w * w)) * 180 / math.Pi
	dLon := m / (wgs84A / w * cl) * 180 / math.Pi
	return cim.Box{
		MinLon: math.Max(-180, b.MinLon-dLon), MinLat: math.Max(-90, b.MinLat-dLat),
		MaxLon: math.Min(180, b.MaxLon+dLon), MaxLat: math.Min(90, b.MaxLat+dLat),
	}
}

// boxGap is the distance from a ring's bounding box to the box x0…x1,
// y0…y1 (0 when they overlap).
func boxGap(ring [][2]float64, x0, y0, x1, y1 float64) float64 {
	a0, b0, a1, b1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range ring {
		a0, b0 = math.Min(a0, p[0]), math.Min(b0, p[1])
		a1, b1 = math.Max(a1, p[0]), math.Max(b1, p[1])
	}
	dx := math.Max(0, math.Max(a0-x1, x0-a1))
	dy := math.Max(0, math.Max(b0-y1, y0-b1))
	return math.Hypot(dx, dy)
}

var compassPoints = []string{"N", "NE", "E", "SE", "S", "SW", "W", "NW"}

// compass names the direction of the horizontal vector x (east), y (north).
func compass(x, y float64) string {
	az := math.Atan2(x, y) * 180 / math.Pi
	i := int(math.Round(az/45)) % 8
	if i < 0 {
		i += 8
	}
	return compassPoints[i]
}

func compassOrder(s string) int { return slices.Index(compassPoints, s) }

// span returns a period of the track as a Span.
func span(t Track, p Period, step time.Duration) Span {
	a, b, c, d := t.Span(p)
	return Span{a.Format("15:04"), b.Format("15:04"), c.Format("15:04"), d.Format("15:04"), p.Len(step).Minutes()}
}

func name(f *cim.Feature) string {
	s, _ := f.Props["name"].(string)
	return s
}

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", s)
}

func round2(h float64) float64 { return math.Round(h*100) / 100 }
