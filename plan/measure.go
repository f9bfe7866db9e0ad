package plan

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
)

// Contribution is one feature's part in an indicator: the GFA a building
// adds to FAR, the area a green adds to the green ratio, a home that is
// too far from a kindergarten.
type Contribution struct {
	ID    string  `json:"id"`
	Name  string  `json:"name,omitempty"`
	Value float64 `json:"value"`
}

// Indicators are the planning indicators of an area (a site or a parcel).
// The JSON names are the indicator names rules use. Areas are square
// metres on the WGS84 ellipsoid; ratios are fractions (0.35, not 35 %).
type Indicators struct {
	SiteAreaM2 float64 `json:"site_area_m2"`
	SiteAreaHa float64 `json:"site_area_ha"`
	// SiteAreaOK: the site is the size of a Future Community unit (set on
	// the site only).
	SiteAreaOK *bool `json:"site_area_ok,omitempty"`
	// Buildings counts the buildings with floor area in the area.
	Buildings        int     `json:"buildings"`
	GFAM2            float64 `json:"gfa_m2"`
	GFAUndergroundM2 float64 `json:"gfa_underground_m2"`
	FAR              float64 `json:"far"`
	FootprintM2      float64 `json:"footprint_m2"`
	BuildingDensity  float64 `json:"building_density"`
	GreenGroundM2    float64 `json:"green_ground_m2"`
	GreenRatio       float64 `json:"green_ratio"`
	GreenRoofM2      float64 `json:"green_roof_m2"`
	// GreenRoofCreditedM2 is the roof green times its credits.
	GreenRoofCreditedM2 float64 `json:"green_roof_credited_m2"`
	GreenVerticalM2     float64 `json:"green_vertical_m2"`
	GreenBalconyM2      float64 `json:"green_balcony_m2"`
	GreenRatio3D        float64 `json:"green_ratio_3d"`
	// ParkM2 is the largest park (leisure=park) in the area: the
	// concentrated green (集中绿地) of GB 50180-2018 4.0.7 is one piece.
	ParkM2 float64 `json:"park_m2"`
	// ParkM2PerPerson is ParkM2 over the population property; nil without.
	ParkM2PerPerson  *float64 `json:"park_m2_per_person,omitempty"`
	MaxHeightM       float64  `json:"max_height_m"`
	MaxLevels        int      `json:"max_levels"`
	ResidentialGFAM2 float64  `json:"residential_gfa_m2"`
	// AvgStoreys is the residential GFA over the residential footprint
	// (GB 50180-2018's 平均层数); nil without homes.
	AvgStoreys            *float64 `json:"avg_storeys,omitempty"`
	MaxResidentialHeightM float64  `json:"max_residential_height_m"`
	// TransitWalkShare is the share of the homes (the residential GFA in
	// the area, ResidentialGFAM2) within WalkM of a station or its
	// entrance; nil without homes or stations.
	TransitWalkShare *float64 `json:"transit_walk_share"`
	// Walk says how walking distances were measured: "network" (along
	// walkable roads) or "straight" (straight lines).
	Walk string `json:"walk"`
	// FacilityCoverage is, per facility, the share of the homes (by
	// residential GFA in the area, as TransitWalkShare) within its radius
	// of one; nil without homes.
	FacilityCoverage map[string]*float64 `json:"facility_coverage"`
	// EstimatedLevels are the buildings whose storeys were estimated
	// (from height, or 1 where nothing is tagged).
	EstimatedLevels []string `json:"estimated_levels,omitempty"`

	contrib map[string][]Contribution
}

// Value returns an indicator by its name: a JSON name above, or
// "facility_coverage.NAME". ok is false for an unknown name or a value
// that does not apply (no homes, no stations).
func (in *Indicators) Value(name string) (v float64, ok bool) {
	ptr := func(p *float64) (float64, bool) {
		if p == nil {
			return 0, false
		}
		return *p, true
	}
	switch name {
	case "site_area_m2":
		return in.SiteAreaM2, true
	case "site_area_ha":
		return in.SiteAreaHa, true
	case "site_area_ok":
		if in.SiteAreaOK == nil {
			return 0, false
		}
		return b2f(*in.SiteAreaOK), true
	case "buildings":
		return float64(in.Buildings), true
	case "gfa_m2":
		return in.GFAM2, true
	case "gfa_underground_m2":
		return in.GFAUndergroundM2, true
	case "far":
		return in.FAR, true
	case "footprint_m2":
		return in.FootprintM2, true
	case "building_density":
		return in.BuildingDensity, true
	case "green_ground_m2":
		return in.GreenGroundM2, true
	case "green_ratio":
		return in.GreenRatio, true
	case "green_roof_m2":
		return in.GreenRoofM2, true
	case "green_roof_credited_m2":
		return in.GreenRoofCreditedM2, true
	case "green_vertical_m2":
		return in.GreenVerticalM2, true
	case "green_balcony_m2":
		return in.GreenBalconyM2, true
	case "green_ratio_3d":
		return in.GreenRatio3D, true
	case "park_m2":
		return in.ParkM2, true
	case "park_m2_per_person":
		return ptr(in.ParkM2PerPerson)
	case "max_height_m":
		return in.MaxHeightM, true
	case "max_levels":
		return float64(in.MaxLevels), true
	case "residential_gfa_m2":
		return in.ResidentialGFAM2, true
	case "avg_storeys":
		return ptr(in.AvgStoreys)
	case "max_residential_height_m":
		return in.MaxResidentialHeightM, true
	case "transit_walk_share":
		return ptr(in.TransitWalkShare)
	}
	if len(name) > len("facility_coverage.") && name[:len("facility_coverage.")] == "facility_coverage." {
		return ptr(in.FacilityCoverage[name[len("facility_coverage."):]])
	}
	return 0, false
}

// Contributors returns the features that contribute most to an indicator,
// largest first.
func (in *Indicators) Contributors(name string) []Contribution { return in.contrib[name] }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// indicatorNames lists what Value knows, for rule-pack checks.
var indicatorNames = []string{
	"site_area_m2", "site_area_ha", "site_area_ok", "buildings", "gfa_m2", "gfa_underground_m2", "far",
	"footprint_m2", "building_density", "green_ground_m2", "green_ratio", "green_roof_m2",
	"green_roof_credited_m2", "green_vertical_m2", "green_balcony_m2", "green_ratio_3d", "park_m2",
	"park_m2_per_person", "max_height_m", "max_levels", "residential_gfa_m2", "avg_storeys",
	"max_residential_height_m", "transit_walk_share",
}

// gfaIn returns a building's counted GFA and underground GFA within the
// clip.
func (b *building) gfaIn(c *cim.Clip) (above, below float64) {
	for _, s := range b.above {
		above += s.mult * c.Area(s.poly)
	}
	for _, s := range b.below {
		below += s.mult * c.Area(s.poly)
	}
	return above, below
}

// measure works out the indicators of an area: floor area, footprints
// and heights from the buildings, green, then the walks from the homes to
// transit and to each service.
func measure(sc *scene, area geom.T, props map[string]any, p Params) Indicators {
	m := &areaMeasure{
		in:     Indicators{contrib: map[string][]Contribution{}},
		area:   area,
		box:    cim.BoundsOf(area),
		inside: boxInside(area),
		clip:   cim.NewClip(area),
	}
	m.in.SiteAreaM2 = cim.AreaM2(area)
	m.in.SiteAreaHa = m.in.SiteAreaM2 / 10000
	homes := m.buildings(sc, p)
	m.green(sc, p)
	if pop, ok := number(props["population"]); ok && pop > 0 {
		m.in.ParkM2PerPerson = f64(m.in.ParkM2 / pop)
	}
	m.walks(sc, p, homes)
	for k, cs := range m.in.contrib {
		slices.SortStableFunc(cs, func(a, b Contribution) int { return cmp.Compare(b.Value, a.Value) })
		m.in.contrib[k] = cs
	}
	return m.in
}

// areaMeasure holds what measuring one area needs: the indicators so
// far, the area, its bounds, a test of whether a box lies wholly inside
// it and a clip to it.
type areaMeasure struct {
	in     Indicators
	area   geom.T
	box    cim.Box
	inside func(cim.Box) bool
	clip   *cim.Clip
}

// add records a feature's part in an indicator.
func (m *areaMeasure) add(ind string, f *cim.Feature, v float64) {
	m.in.contrib[ind] = append(m.in.contrib[ind], Contribution{ID: f.ID, Name: nameOf(f), Value: v})
}

// home is a residential building with counted GFA in the area: that
// GFA, and the point of its part in the area its walks start from.
type home struct {
	b        *building
	gfa      float64
	lon, lat float64
}

// buildings measures GFA (counted and underground), FAR, footprint and
// density, heights and storeys, and the residential GFA and storeys, from
// the part of each building in the area; it returns the homes.
func (m *areaMeasure) buildings(sc *scene, p Params) []home {
	in := &m.in
	var footprints []geom.T
	var resFootprint float64
	var homes []home
	for _, b := range sc.buildings {
		if !b.box.Intersects(m.box) && b.footprint != nil {
			continue
		}
		var above, below, fp float64
		if b.footprint != nil && m.inside(b.slabBox()) {
			above, below = b.wholeGFA()
			fp = cim.AreaM2(b.footprint)
		} else {
			above, below = b.gfaIn(m.clip)
			if b.footprint != nil {
				fp = m.clip.Area(b.footprint)
			}
		}
		if above <= 0 && below <= 0 && fp <= 0 {
			continue
		}
		in.Buildings++
		in.GFAM2 += above
		in.GFAUndergroundM2 += below
		if p.CountUnderground {
			in.GFAM2 += below
		}
		if above > 0 {
			m.add("far", b.f, above)
			m.add("gfa_m2", b.f, above)
		}
		if below > 0 {
			m.add("gfa_underground_m2", b.f, below)
		}
		if fp > 0 && b.levels > 0 {
			footprints = append(footprints, b.footprint)
			m.add("building_density", b.f, fp)
		}
		if b.estimated != "" {
			in.EstimatedLevels = append(in.EstimatedLevels, b.f.ID)
		}
		in.MaxHeightM = math.Max(in.MaxHeightM, b.heightM)
		in.MaxLevels = max(in.MaxLevels, b.levels)
		m.add("max_height_m", b.f, b.heightM)
		m.add("max_levels", b.f, float64(b.levels))
		if b.residential {
			in.ResidentialGFAM2 += above
			in.MaxResidentialHeightM = math.Max(in.MaxResidentialHeightM, b.heightM)
			m.add("max_residential_height_m", b.f, b.heightM)
			if b.levels > 0 {
				resFootprint += fp
			}
			if above > 0 {
				lon, lat := m.homePoint(b)
				homes = append(homes, home{b, above, lon, lat})
			}
		}
	}
	in.FootprintM2 = m.clip.UnionArea(footprints)
	if in.SiteAreaM2 > 0 {
		in.FAR = in.GFAM2 / in.SiteAreaM2
		in.BuildingDensity = in.FootprintM2 / in.SiteAreaM2
	}
	if resFootprint > 0 {
		in.AvgStoreys = f64(in.ResidentialGFAM2 / resFootprint)
	}
	return homes
}

// homePoint returns the point of a building's part in the area that its
// walks are measured from: its own point (the centroid, moved inside an
// L) where that lies in the area, else a point inside its footprint, or
// else its first storey, within the area (cim.PointInside). A building
// straddling the boundary is a home of the area its GFA counts in, even
// with its centre outside.
func (m *areaMeasure) homePoint(b *building) (lon, lat float64) {
	if cim.Contains(m.area, b.lon, b.lat) {
		return b.lon, b.lat
	}
	if b.footprint != nil {
		if lon, lat, ok := cim.PointInside(b.footprint, m.area); ok {
			return lon, lat
		}
	}
	for _, s := range b.above {
		if lon, lat, ok := cim.PointInside(s.poly, m.area); ok {
			return lon, lat
		}
	}
	return b.lon, b.lat // a sliver too thin to find a point in
}

// green measures the ground green (union), the largest park, the roof,
// vertical and balcony green and the green ratios.
func (m *areaMeasure) green(sc *scene, p Params) {
	in := &m.in
	var ground []geom.T
	for _, g := range sc.green {
		f := g.f
		switch g.kind {
		case greenGround:
			if !cim.BoundsOf(f.Geometry).Intersects(m.box) {
				continue
			}
			var a float64
			if m.inside(cim.BoundsOf(f.Geometry)) {
				a = cim.AreaM2(f.Geometry)
			} else if a = m.clip.Area(f.Geometry); a <= 0 {
				continue
			}
			ground = append(ground, f.Geometry)
			m.add("green_ratio", f, a)
			m.add("green_ratio_3d", f, a)
			if f.Kind == "park" && a > in.ParkM2 {
				in.ParkM2 = a
			}
		case greenRoof:
			a := m.clip.Area(f.Geometry)
			if a <= 0 {
				continue
			}
			in.GreenRoofM2 += a
			in.GreenRoofCreditedM2 += a * g.credit
			m.add("green_ratio_3d", f, a*g.credit)
		case greenVertical, greenBalcony:
			lon, lat := cim.Centroid(f.Geometry)
			if !cim.Contains(m.area, lon, lat) && cim.DistanceToM(m.area, lon, lat) > 0.5 {
				continue
			}
			if g.kind == greenVertical {
				in.GreenVerticalM2 += g.areaM2
			} else {
				in.GreenBalconyM2 += g.areaM2
			}
			m.add("green_ratio_3d", f, g.areaM2*g.credit)
		}
	}
	in.GreenGroundM2 = m.clip.UnionArea(ground)
	if in.SiteAreaM2 > 0 {
		in.GreenRatio = in.GreenGroundM2 / in.SiteAreaM2
		in.GreenRatio3D = (in.GreenGroundM2 + in.GreenRoofCreditedM2 +
			in.GreenVerticalM2*p.VerticalCredit + in.GreenBalconyM2*p.BalconyCredit) / in.SiteAreaM2
	}
}

// walks measures the share of homes (by their GFA in the area) within the
// walk to transit and, for each service, within its radius: along the
// walkable roads where the scene has them, else in straight lines, from
// each home's point in the area.
func (m *areaMeasure) walks(sc *scene, p Params, homes []home) {
	in := &m.in
	in.Walk = "straight"
	net := sc.network(p)
	if net != nil {
		in.Walk = "network"
	}
	reach := func(key string, targets []point, r float64) func(lon, lat float64) (float64, bool) {
		if net != nil {
			field := sc.fields[key]
			if field == nil {
				src := make([][2]float64, len(targets))
				for i, t := range targets {
					src[i] = [2]float64{t.lon, t.lat}
				}
				field = net.From(src, r)
				sc.fields[key] = field
			}
			return field.To
		}
		return func(lon, lat float64) (float64, bool) {
			best := math.Inf(1)
			for _, t := range targets {
				best = math.Min(best, cim.DistanceM(lon, lat, t.lon, t.lat))
			}
			return best, best <= r
		}
	}
	if len(homes) > 0 && (len(sc.stations) > 0 || len(sc.access) > 0) {
		dist := reach("transit", append(slices.Clone(sc.stations), sc.access...), p.WalkM)
		var near, all float64
		for _, h := range homes {
			all += h.gfa
			if d, ok := dist(h.lon, h.lat); ok && d <= p.WalkM {
				near += h.gfa
			} else {
				m.add("transit_walk_share", h.b.f, h.gfa)
			}
		}
		if all > 0 {
			in.TransitWalkShare = f64(near / all)
		}
	}
	in.FacilityCoverage = map[string]*float64{}
	for name, fac := range p.Facilities {
		if len(homes) == 0 {
			in.FacilityCoverage[name] = nil
			continue
		}
		var covered, all float64
		for _, h := range homes {
			all += h.gfa
		}
		if targets := sc.services[name]; len(targets) > 0 {
			dist := reach("facility:"+name, targets, fac.RadiusM)
			for _, h := range homes {
				if d, ok := dist(h.lon, h.lat); ok && d <= fac.RadiusM {
					covered += h.gfa
				} else {
					m.add("facility_coverage."+name, h.b.f, h.gfa)
				}
			}
		} else {
			for _, h := range homes {
				m.add("facility_coverage."+name, h.b.f, h.gfa)
			}
		}
		in.FacilityCoverage[name] = f64(covered / all)
	}
}

// StationTOD holds the TOD indicators of one station near the site.
type StationTOD struct {
	ID        string  `json:"id"`
	Name      string  `json:"name,omitempty"`
	Kind      string  `json:"kind"`
	Lon       float64 `json:"lon"`
	Lat       float64 `json:"lat"`
	DistanceM float64 `json:"distance_m"` // from the site; 0 inside it
	Rings     []Ring  `json:"rings"`
	// InnerFAR is the FAR of the innermost disc, OuterFAR that of the ring
	// between it and the outermost disc; GradientOK says InnerFAR ≥
	// OuterFAR ("dense near the hub"). Nil where a ring misses the site.
	InnerFAR   *float64 `json:"inner_far"`
	OuterFAR   *float64 `json:"outer_far"`
	GradientOK *bool    `json:"tod_gradient_ok"`

	contrib map[string][]Contribution
}

// MarshalJSON writes the station with its ring FARs also under their
// indicator names, tod_far_300 and so on, as rules name them.
func (s StationTOD) MarshalJSON() ([]byte, error) {
	type plain StationTOD
	b, err := json.Marshal(plain(s))
	if err != nil || len(s.Rings) == 0 {
		return b, err
	}
	b = b[:len(b)-1] // the closing brace
	for _, r := range s.Rings {
		v, err := json.Marshal(r.FAR)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"`+ringName(r.RadiusM)+`":`...)
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// Ring is the part of the site within a radius of a station.
type Ring struct {
	RadiusM float64 `json:"radius_m"`
	AreaM2  float64 `json:"area_m2"` // of circle ∩ site
	GFAM2   float64 `json:"gfa_m2"`
	// FAR is GFA / area; nil when the circle misses the site.
	FAR *float64 `json:"far"`
}

// Value returns a station indicator: tod_far_R (R a ring radius),
// tod_gradient_ok, distance_m, inner_far, outer_far.
func (s *StationTOD) Value(name string) (float64, bool) {
	switch name {
	case "distance_m":
		return s.DistanceM, true
	case "tod_gradient_ok":
		if s.GradientOK == nil {
			return 0, false
		}
		return b2f(*s.GradientOK), true
	case "inner_far", "outer_far":
		v := s.InnerFAR
		if name == "outer_far" {
			v = s.OuterFAR
		}
		if v == nil {
			return 0, false
		}
		return *v, true
	}
	for _, r := range s.Rings {
		if name == ringName(r.RadiusM) {
			if r.FAR == nil {
				return 0, false
			}
			return *r.FAR, true
		}
	}
	return 0, false
}

// Contributors returns the buildings with the most GFA in a ring.
func (s *StationTOD) Contributors(name string) []Contribution { return s.contrib[name] }

func ringName(r float64) string { return "tod_far_" + formatNum(r) }

// tod measures the rings of each station within StationSearchM of the site.
func tod(sc *scene, site geom.T, p Params) []StationTOD {
	var out []StationTOD
	siteBox := cim.BoundsOf(site)
	for _, st := range sc.stations {
		d := cim.DistanceToM(site, st.lon, st.lat)
		if d > p.StationSearchM {
			continue
		}
		s := StationTOD{ID: st.f.ID, Name: nameOf(st.f), Kind: st.f.Kind, Lon: st.lon, Lat: st.lat, DistanceM: d,
			contrib: map[string][]Contribution{}}
		for _, r := range p.TODRadiiM {
			disc := cim.Circle(st.lon, st.lat, r)
			ring := Ring{RadiusM: r, AreaM2: cim.IntersectionArea(site, disc)}
			clip := cim.NewClip(site, disc)
			db := cim.BoundsOf(disc)
			for _, b := range sc.buildings {
				if b.footprint != nil && (!b.box.Intersects(db) || !b.box.Intersects(siteBox)) {
					continue
				}
				// Most buildings lie wholly inside or outside a circle:
				// only those its edge crosses need the three-way overlay.
				var g float64
				switch near, far := boxDistances(b.slabBox(), st.lon, st.lat); {
				case near > r+1:
					continue
				case far < r-1:
					g = sc.gfaInSite(b, site)
				default:
					g, _ = b.gfaIn(clip)
				}
				if g > 0 {
					ring.GFAM2 += g
					s.contrib[ringName(r)] = append(s.contrib[ringName(r)], Contribution{ID: b.f.ID, Name: nameOf(b.f), Value: g})
				}
			}
			if ring.AreaM2 > 0 {
				ring.FAR = f64(ring.GFAM2 / ring.AreaM2)
			}
			s.Rings = append(s.Rings, ring)
		}
		inner, outer := s.Rings[0], s.Rings[len(s.Rings)-1]
		if inner.FAR != nil {
			s.InnerFAR = inner.FAR
		}
		if a := outer.AreaM2 - inner.AreaM2; a > 1e-6*outer.AreaM2 && a > 0 {
			s.OuterFAR = f64((outer.GFAM2 - inner.GFAM2) / a)
		}
		if s.InnerFAR != nil && s.OuterFAR != nil {
			ok := *s.InnerFAR >= *s.OuterFAR
			s.GradientOK = &ok
		}
		for k, cs := range s.contrib {
			slices.SortStableFunc(cs, func(a, b Contribution) int { return cmp.Compare(b.Value, a.Value) })
			s.contrib[k] = cs
		}
		out = append(out, s)
	}
	return out
}

// slabBox bounds everything a building counts.
func (b *building) slabBox() cim.Box {
	box := b.box
	if b.footprint == nil {
		box = cim.Box{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}
	}
	for _, s := range b.above {
		box = box.Extend(cim.BoundsOf(s.poly))
	}
	return box
}

// boxDistances returns the distances in metres from a point to the
// nearest point and the farthest corner of a box.
func boxDistances(b cim.Box, lon, lat float64) (near, far float64) {
	cx := math.Max(b.MinLon, math.Min(lon, b.MaxLon))
	cy := math.Max(b.MinLat, math.Min(lat, b.MaxLat))
	near = cim.DistanceM(lon, lat, cx, cy)
	for _, c := range [][2]float64{{b.MinLon, b.MinLat}, {b.MaxLon, b.MinLat}, {b.MinLon, b.MaxLat}, {b.MaxLon, b.MaxLat}} {
		far = math.Max(far, cim.DistanceM(lon, lat, c[0], c[1]))
	}
	return near, far
}

// boxInside returns a test of whether a box lies wholly inside the area:
// no edge of the area passes through it and a corner is inside.
func boxInside(area geom.T) func(cim.Box) bool {
	var rings *geom.MultiLineString
	switch a := area.(type) {
	case *geom.Polygon:
		rings = geom.NewMultiLineStringFlat(a.Layout(), a.FlatCoords(), a.Ends())
	case *geom.MultiPolygon:
		var ends []int
		for _, e := range a.Endss() {
			ends = append(ends, e...)
		}
		rings = geom.NewMultiLineStringFlat(a.Layout(), a.FlatCoords(), ends)
	default:
		return func(cim.Box) bool { return false }
	}
	return func(b cim.Box) bool {
		return !cim.IntersectsBox(rings, b) && cim.Contains(area, b.MinLon, b.MinLat)
	}
}

// wholeGFA is a building's counted and underground GFA, unclipped.
func (b *building) wholeGFA() (above, below float64) {
	for _, s := range b.above {
		above += s.mult * cim.AreaM2(s.poly)
	}
	for _, s := range b.below {
		below += s.mult * cim.AreaM2(s.poly)
	}
	return above, below
}
