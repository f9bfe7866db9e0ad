package plan

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/query"
	"github.com/future-community/cim/walk"
)

// Site is the area a check measures, with its planning controls.
type Site struct {
	ID   string // the feature id, or the file name of a drawn site
	Name string
	// Geometry is a Polygon or MultiPolygon in lon/lat.
	Geometry geom.T
	// Props carry the site's controls (far_max, green_ratio_min…) and
	// attributes (climate_zone, population, community_type, unit).
	Props map[string]any
	// Dataset is the site feature's dataset ("" for a drawn site).
	Dataset string
}

// Selection says which features a check reads.
type Selection struct {
	// Dataset holds the scheme: buildings, storeys, spaces, green and
	// parcels come from it alone; stations, facilities and roads come
	// from every dataset (the city around). "" reads every dataset.
	Dataset string
	// Stage is the stage whose view the check reads (query.View): at the
	// as-built stage what exists; at an earlier one the scheme as it
	// stands then, in the city around it. cim.StageAny reads each
	// dataset at its latest stage.
	Stage cim.Stage
	// Extra are features added to the view as if they were stored, in
	// whatever dataset: a proposal checked in memory (POST /check), never
	// written. They are read like stored ones (a building's storeys by
	// their cim:parent).
	Extra []*cim.Feature
	// Hide holds the ids of stored features taken out of the view, with
	// the features they hold (storeys, spaces): what a proposal replaces.
	Hide map[string]bool
}

// slab is an area counted for GFA: a footprint times its storeys, or a
// storey times 1 or ½.
type slab struct {
	poly geom.T
	mult float64
}

// building is a building with its counted floor area.
type building struct {
	f           *cim.Feature
	footprint   geom.T // nil for a building without a polygon
	above       []slab // counted for FAR
	below       []slab // underground
	levels      int    // storeys above ground
	heightM     float64
	estimated   string // "" when the levels were tagged; else how they were had
	fromStoreys bool
	residential bool
	lon, lat    float64 // a point inside
	box         cim.Box
}

// point is a located feature: a station, an entrance, a facility.
type point struct {
	f        *cim.Feature
	lon, lat float64
}

// greenKind sorts green into what the indicators count.
type greenKind uint8

const (
	greenGround greenKind = iota
	greenRoof
	greenVertical
	greenBalcony
)

type green struct {
	f      *cim.Feature
	kind   greenKind
	credit float64 // roof, vertical, balcony
	areaM2 float64 // vertical and balcony: the planted area
	known  bool    // the roof credit's measure was known
}

// scene is what a check reads from the store around a site.
type scene struct {
	buildings  []*building
	green      []*green
	parcels    []*cim.Feature
	stations   []point
	access     []point
	services   map[string][]point // facility name → where they are
	roads      []geom.T
	roadLayers []int // each road's layer (roadLayer)
	notes      []string

	net      *walk.Network
	netBuilt bool
	fields   map[string]*walk.Field // walks from stations, from each facility
	siteGFA  map[*building]float64  // counted GFA inside the site, once worked out
	inSite   func(cim.Box) bool
	siteClip *cim.Clip
}

// gfaInSite returns a building's counted GFA inside the site, working it
// out once.
func (sc *scene) gfaInSite(b *building, site geom.T) float64 {
	g, ok := sc.siteGFA[b]
	if !ok {
		if sc.inSite == nil {
			sc.inSite, sc.siteClip = boxInside(site), cim.NewClip(site)
		}
		if b.footprint != nil && sc.inSite(b.slabBox()) {
			g, _ = b.wholeGFA()
		} else {
			g, _ = b.gfaIn(sc.siteClip)
		}
		sc.siteGFA[b] = g
	}
	return g
}

// network returns the walking network, built once; nil when distances
// are straight lines.
func (sc *scene) network(p Params) *walk.Network {
	if !sc.netBuilt {
		sc.netBuilt = true
		if p.Walk != "straight" && len(sc.roads) > 0 {
			sc.net = walk.Build(sc.roads, walk.Options{Layers: sc.roadLayers})
		}
	}
	return sc.net
}

// marginM is how far around the site the scene reaches.
func marginM(p Params) float64 {
	m := math.Max(p.StationSearchM, p.WalkM)
	for _, f := range p.Facilities {
		m = math.Max(m, f.RadiusM)
	}
	return m + 200
}

// expand grows a box by m metres on every side.
func expand(b cim.Box, m float64) cim.Box {
	lat := math.Max(math.Abs(b.MinLat), math.Abs(b.MaxLat))
	dLat := m / 110574
	dLon := m / (111320 * math.Max(math.Cos(math.Min(lat+dLat, 89)*math.Pi/180), 1e-6))
	return cim.Box{
		MinLon: math.Max(-180, b.MinLon-dLon), MinLat: math.Max(-90, b.MinLat-dLat),
		MaxLon: math.Min(180, b.MaxLon+dLon), MaxLat: math.Min(90, b.MaxLat+dLat),
	}
}

// contentClasses are read from the scheme's dataset; the others from all.
var contentClasses = map[cim.Class]bool{
	cim.ClassSite: true, cim.ClassParcel: true, cim.ClassBuilding: true, cim.ClassStorey: true,
	cim.ClassSpace: true, cim.ClassGreen: true,
}

// loadScene reads the features around the site that the stage's view sees
// and sorts them into what the indicators need.
func loadScene(ctx context.Context, sn *index.Snapshot, site Site, sel Selection, p Params) (*scene, error) {
	box := expand(cim.BoundsOf(site.Geometry), marginM(p))
	classes := []cim.Class{cim.ClassParcel, cim.ClassBuilding, cim.ClassStorey, cim.ClassSpace, cim.ClassGreen,
		cim.ClassTransitStop, cim.ClassFacility}
	if p.Walk != "straight" {
		classes = append(classes, cim.ClassRoad)
	}
	rows := query.Run(ctx, sn, query.Query{BBox: &box, Classes: classes, Stage: sel.Stage})
	defer rows.Close()
	var view []*cim.Feature
	for rows.Next() {
		f := rows.Feature()
		if sel.Dataset != "" && contentClasses[f.Class] && f.Dataset != sel.Dataset {
			continue
		}
		view = append(view, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	view = Overlay(view, sel, box, classes)
	// A stable order: results and tie-breaks do not depend on map order.
	slices.SortFunc(view, func(a, b *cim.Feature) int {
		return cmp.Or(cmp.Compare(a.Dataset, b.Dataset), cmp.Compare(a.ID, b.ID))
	})
	return sortScene(view, p), nil
}

// Overlay takes the hidden features of sel, and those they hold, out of
// the view and adds its extra ones of the classes read that reach into
// box: a what-if's proposal laid over what is stored.
func Overlay(view []*cim.Feature, sel Selection, box cim.Box, classes []cim.Class) []*cim.Feature {
	if len(sel.Hide) > 0 {
		hidden := map[string]bool{}
		for id := range sel.Hide {
			hidden[id] = true
		}
		// A storey's spaces hang from it, a building's storeys from it:
		// follow the parents until nothing more is hidden.
		for grew := true; grew; {
			grew = false
			for _, f := range view {
				if !hidden[f.ID] && f.Parent != "" && hidden[f.Parent] {
					hidden[f.ID], grew = true, true
				}
			}
		}
		view = slices.DeleteFunc(view, func(f *cim.Feature) bool { return hidden[f.ID] })
	}
	for _, f := range sel.Extra {
		if slices.Contains(classes, f.Class) && box.Intersects(cim.BoundsOf(f.Geometry)) {
			view = append(view, f)
		}
	}
	return view
}

func sortScene(view []*cim.Feature, p Params) *scene {
	sc := &scene{services: map[string][]point{}, fields: map[string]*walk.Field{}, siteGFA: map[*building]float64{}}
	storeys := map[string][]*cim.Feature{} // building key → storeys
	spaces := map[string][]*cim.Feature{}  // parent key → spaces
	var orphans []*cim.Feature
	key := func(dataset, id string) string { return dataset + "\x00" + id }
	for _, f := range view {
		switch f.Class {
		case cim.ClassStorey:
			if f.Parent != "" {
				storeys[key(f.Dataset, f.Parent)] = append(storeys[key(f.Dataset, f.Parent)], f)
			} else {
				orphans = append(orphans, f)
			}
		case cim.ClassSpace:
			if f.Parent != "" {
				spaces[key(f.Dataset, f.Parent)] = append(spaces[key(f.Dataset, f.Parent)], f)
			}
		}
	}
	var estimated [3]int
	for _, f := range view {
		lon, lat := cim.Centroid(f.Geometry)
		for name, fac := range p.Facilities {
			if fac.matches(f.Props) {
				sc.services[name] = append(sc.services[name], point{f, lon, lat})
			}
		}
		switch f.Class {
		case cim.ClassParcel:
			if isPolygon(f.Geometry) {
				sc.parcels = append(sc.parcels, f)
			}
		case cim.ClassBuilding:
			b := newBuilding(f, p, storeys[key(f.Dataset, f.ID)], spaces[key(f.Dataset, f.ID)])
			b.lon, b.lat = lon, lat
			if b.footprint == nil && !b.fromStoreys {
				estimated[2]++
				continue
			}
			switch b.estimated {
			case "height":
				estimated[0]++
			case "default":
				estimated[1]++
			}
			sc.buildings = append(sc.buildings, b)
		case cim.ClassGreen:
			if g := newGreen(f, p); g != nil {
				sc.green = append(sc.green, g)
			}
		case cim.ClassTransitStop:
			switch {
			case slices.Contains(p.StationKinds, f.Kind):
				sc.stations = append(sc.stations, point{f, lon, lat})
			case slices.Contains(p.AccessKinds, f.Kind):
				sc.access = append(sc.access, point{f, lon, lat})
			}
		case cim.ClassRoad:
			if walkable(f) {
				sc.roads = append(sc.roads, f.Geometry)
				sc.roadLayers = append(sc.roadLayers, roadLayer(f))
			}
		}
	}
	// Storeys without a parent belong to the building they stand in.
	for _, s := range orphans {
		lon, lat := cim.Centroid(s.Geometry)
		for _, b := range sc.buildings {
			if b.f.Dataset == s.Dataset && cim.Contains(b.footprint, lon, lat) {
				storeys[key(b.f.Dataset, b.f.ID)] = append(storeys[key(b.f.Dataset, b.f.ID)], s)
				*b = *rebuild(b, p, storeys[key(b.f.Dataset, b.f.ID)])
				break
			}
		}
	}
	if estimated[0]+estimated[1] > 0 {
		n := estimated[0] + estimated[1]
		sc.notes = append(sc.notes, fmt.Sprintf("%s no building:levels: %d estimated from their height (÷ %.0f m), %d assumed 1 storey (ids in indicators.estimated_levels)",
			map[bool]string{true: "1 building has", false: plural(n, "building") + " have"}[n == 1], estimated[0], cim.DefaultStoreyHeightM, estimated[1]))
	}
	if estimated[2] > 0 {
		sc.notes = append(sc.notes, fmt.Sprintf("%s mapped as points or lines, without a footprint, %s left out",
			plural(estimated[2], "building"), map[bool]string{true: "is", false: "are"}[estimated[2] == 1]))
	}
	sc.stations = dedupeStations(sc.stations)
	return sc
}

func rebuild(b *building, p Params, storeys []*cim.Feature) *building {
	nb := newBuilding(b.f, p, storeys, nil)
	nb.lon, nb.lat = b.lon, b.lat
	return nb
}

func isPolygon(g geom.T) bool {
	switch g.(type) {
	case *geom.Polygon, *geom.MultiPolygon:
		return true
	}
	return false
}

// newBuilding works out what a building counts: from its storeys where the
// model has them, else from the spaces on each of its floors, else its
// footprint times its storeys.
func newBuilding(f *cim.Feature, p Params, storeys, spaces []*cim.Feature) *building {
	b := &building{f: f, heightM: f.Vertical.HeightM}
	if isPolygon(f.Geometry) {
		b.footprint = f.Geometry
		b.box = cim.BoundsOf(f.Geometry)
	}
	v := f.Vertical
	b.levels = cim.EstimateLevels(v)
	switch {
	case v.Has(cim.KnownLevelsAbove):
	case v.Has(cim.KnownHeight) && v.HeightM > 0:
		b.estimated = "height"
	default:
		b.estimated = "default"
	}
	kind := f.Kind
	if u, ok := f.Props["building:use"].(string); ok {
		kind = u
	}
	b.residential = slices.Contains(p.ResidentialKinds, kind)
	var counted []*cim.Feature
	for _, s := range storeys {
		if isPolygon(s.Geometry) {
			counted = append(counted, s)
		}
	}
	if len(counted) > 0 {
		b.fromStoreys, b.estimated = true, ""
		top := math.Inf(-1)
		for _, s := range counted {
			mult := 1.0
			if s.Vertical.Has(cim.KnownStoreyHeight) && s.Vertical.StoreyHeightM < p.StoreyFullHeightM {
				mult = 0.5
			}
			if s.Levels.Min < 0 {
				b.below = append(b.below, slab{s.Geometry, mult})
			} else {
				b.above = append(b.above, slab{s.Geometry, mult})
				top = math.Max(top, s.Levels.Max)
			}
		}
		if b.levels == 0 || !v.Has(cim.KnownLevelsAbove) {
			b.levels = int(top) + 1
		}
		return b
	}
	if b.footprint == nil {
		return b
	}
	// Spaces grouped by floor: the union of a floor's spaces, once.
	if len(spaces) > 0 {
		floors := map[float64][]geom.T{}
		for _, s := range spaces {
			if isPolygon(s.Geometry) {
				floors[s.Levels.Min] = append(floors[s.Levels.Min], s.Geometry)
			}
		}
		if len(floors) > 0 {
			b.fromStoreys, b.estimated = true, ""
			for lvl, polys := range floors {
				for _, g := range polys {
					// Each space counts once; spaces of a floor do not overlap.
					if lvl < 0 {
						b.below = append(b.below, slab{g, 1})
					} else {
						b.above = append(b.above, slab{g, 1})
					}
				}
			}
			return b
		}
	}
	if b.levels > 0 {
		b.above = []slab{{b.footprint, float64(b.levels)}}
	}
	if v.Has(cim.KnownLevelsBelow) && v.LevelsBelow > 0 {
		b.below = []slab{{b.footprint, float64(v.LevelsBelow)}}
	}
	return b
}

// newGreen sorts a green feature: ground, roof, vertical or balcony; nil
// for what counts as none (underground).
func newGreen(f *cim.Feature, p Params) *green {
	s := func(k string) string { v, _ := f.Props[k].(string); return v }
	g := &green{f: f}
	switch s("cim:green") {
	case "vertical", "wall":
		g.kind, g.credit = greenVertical, p.VerticalCredit
	case "balcony":
		g.kind, g.credit = greenBalcony, p.BalconyCredit
	}
	if g.kind == greenVertical || g.kind == greenBalcony {
		if a, ok := f.Props["cim:green_area_m2"].(float64); ok && a > 0 {
			g.areaM2 = a
		} else {
			g.areaM2 = cim.AreaM2(f.Geometry)
		}
		return g
	}
	if !isPolygon(f.Geometry) || f.Levels.Max < 0 {
		return nil
	}
	loc := s("location")
	if loc == "roof" || loc == "rooftop" || s("roof:garden") == "yes" || f.Levels.Min >= 1 {
		g.kind = greenRoof
		var v float64
		switch p.RoofCredit.By {
		case "soil_depth":
			v, g.known = number(f.Props[p.RoofCredit.Property])
		case "elevation":
			if v, g.known = number(f.Props[p.RoofCredit.Property]); !g.known && f.Vertical.Has(cim.KnownElevation) {
				v, g.known = f.Vertical.ElevationM, true
			}
		}
		g.credit = p.RoofCredit.Of(v, g.known)
	}
	return g
}

// number reads a property as a number: a JSON number or a numeric string
// with an optional unit (as OSM writes lengths).
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case string:
		if m, err := cim.ParseLength(v); err == nil {
			return m, true
		}
	}
	return 0, false
}

// roadLayer is a road's layer, by OpenStreetMap's tags: its layer, else 1
// on a bridge and −1 in a tunnel (not a passage through a building), else
// 0. Roads of different layers do not meet where they cross.
func roadLayer(f *cim.Feature) int {
	if s, ok := f.Props["layer"].(string); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			return n
		}
	} else if n, ok := number(f.Props["layer"]); ok && n == math.Trunc(n) {
		return int(n)
	}
	if b, _ := f.Props["bridge"].(string); b != "" && b != "no" {
		return 1
	}
	if t, _ := f.Props["tunnel"].(string); t != "" && t != "no" && t != "building_passage" {
		return -1
	}
	return 0
}

// walkable reports whether people may walk along a road.
func walkable(f *cim.Feature) bool {
	switch f.Kind {
	case "motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed", "raceway",
		"bus_guideway", "escape", "abandoned", "platform":
		return false
	}
	if a, _ := f.Props["foot"].(string); a == "no" {
		return false
	}
	if a, _ := f.Props["access"].(string); a == "no" || a == "private" {
		if ft, _ := f.Props["foot"].(string); ft != "yes" && ft != "designated" {
			return false
		}
	}
	switch f.Geometry.(type) {
	case *geom.LineString, *geom.MultiLineString:
		return true
	}
	return false
}

// dedupeStations keeps one station of those within 100 m of each other
// (OSM maps a station as a node, an area and a stop area): the named one,
// else the first.
func dedupeStations(ps []point) []point {
	slices.SortStableFunc(ps, func(a, b point) int {
		return cmp.Compare(b2f(nameOf(b.f) != ""), b2f(nameOf(a.f) != "")) // named first
	})
	var out []point
	for _, p := range ps {
		dup := false
		for _, q := range out {
			if cim.DistanceM(p.lon, p.lat, q.lon, q.lat) < 100 {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

func nameOf(f *cim.Feature) string {
	for _, k := range []string{"name", "name:zh", "name:en", "ref"} {
		if s, ok := f.Props[k].(string); ok && strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
