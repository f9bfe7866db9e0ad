package ifc

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/ifc/step"
	"github.com/twpayne/go-geom"
)

// outFeature is a feature and the instance it comes from, for errors.
type outFeature struct {
	f    *cim.Feature
	inst *step.Instance
}

// node is a spatial element read from the file, in metres.
type node struct {
	in     *step.Instance
	id     string
	world  affine  // placement, project units
	origin vec     // placement origin, metres
	polys  []poly  // own footprint, metres
	how    string  // where polys came from
	elev   float64 // storeys: floor elevation above the building's origin, metres
	level  int
	spaces []*node
	slabs  []*node // storeys: their floor slabs
}

// areas are the floor areas a quantity set gives an object, in m².
type areas struct {
	net, gross, gsa         float64
	netRank, grossRank      int
	hasNet, hasGross, gsaOK bool
}

// AreaTolerance is the relative difference between a space's floor area
// from its geometry and from its quantity set above which the reader
// warns.
const AreaTolerance = 0.02

// warnAreaDiffers begins the warning counting the spaces whose floor
// areas disagree.
const warnAreaDiffers = "IfcSpace floor area from its geometry differs from its quantity set by more than 2 %"

// convert turns the model into features: its spatial tree read
// (spatialTree, building), placed on the earth (georef), and written out
// sites first, then buildings, their storeys, then their spaces.
func (m *model) convert(opts Options) ([]outFeature, error) {
	projects := m.ofType("IFCPROJECT")
	if len(projects) == 0 {
		return nil, m.errAt(nil, modelErr("no IfcProject"))
	}
	project := projects[0]
	m.units(project)
	t := m.spatialTree()
	if err := m.checkAcyclic(t); err != nil {
		return nil, err
	}

	var sites []*node
	var buildings []*bldg
	for _, s := range t.typed(project, "IFCSITE") {
		sn, err := m.newNode(s)
		if err != nil {
			return nil, err
		}
		sites = append(sites, sn)
		for _, b := range t.typed(s, "IFCBUILDING") {
			bl, err := m.building(t, b, sn)
			if err != nil {
				return nil, err
			}
			buildings = append(buildings, bl)
		}
	}
	for _, b := range t.typed(project, "IFCBUILDING") {
		bl, err := m.building(t, b, nil)
		if err != nil {
			return nil, err
		}
		buildings = append(buildings, bl)
	}

	var site *step.Instance
	var siteOrigin vec
	if len(sites) > 0 {
		site, siteOrigin = sites[0].in, sites[0].origin
	}
	g, err := m.georef(project, site, siteOrigin, opts.Anchor)
	if err != nil {
		return nil, err
	}
	e := &emitter{m: m, opts: opts, g: g, qs: m.quantities()}
	for i, s := range sites {
		e.site(s, i == 0)
	}
	for _, b := range buildings {
		e.building(b)
	}
	m.warnAreaDiffs()
	out := append(e.out, e.storeys...)
	return append(out, e.spaces...), nil
}

// tree is the spatial structure: the children of each element by id,
// in file order, each once.
type tree struct {
	kids map[uint64][]*step.Instance
	seen map[[2]uint64]*step.Instance // parent, child → the relationship that made the link
}

// spatialTree reads the IfcRelAggregates of the file, and of its
// IfcRelContainedInSpatialStructure the spaces and floor slabs.
func (m *model) spatialTree() tree {
	t := tree{kids: map[uint64][]*step.Instance{}, seen: map[[2]uint64]*step.Instance{}}
	for _, in := range m.order {
		switch in.Type {
		case "IFCRELAGGREGATES":
			p, _ := in.Arg(4).Ref()
			l, _ := in.Arg(5).List()
			for _, v := range l {
				t.add(in, p, m.deref(v))
			}
		case "IFCRELCONTAINEDINSPATIALSTRUCTURE":
			p, _ := in.Arg(5).Ref()
			l, _ := in.Arg(4).List()
			for _, v := range l {
				if c := m.deref(v); c != nil && (c.Type == "IFCSPACE" || m.isFloorSlab(c)) {
					t.add(in, p, c)
				}
			}
		}
	}
	return t
}

// add makes c a child of parent by relationship rel, unless it is one
// already.
func (t tree) add(rel *step.Instance, parent uint64, c *step.Instance) {
	if c == nil || t.seen[[2]uint64{parent, c.ID}] != nil {
		return
	}
	t.seen[[2]uint64{parent, c.ID}] = rel
	t.kids[parent] = append(t.kids[parent], c)
}

// checkAcyclic refuses a tree with a cycle, such as a building that
// aggregates its own site. IFC's decomposition is a tree (an object
// decomposes at most one other); a cycle is a broken file, and reading
// one of its loops as the structure would drop or duplicate parts of it
// silently. The error names the objects of the cycle and is located at
// the relationship that closes it. The search is iterative, so a long
// chain cannot exhaust the stack.
func (m *model) checkAcyclic(t tree) error {
	const (
		unseen = iota
		open   // on the current path
		done
	)
	state := map[uint64]int{}
	type frame struct {
		id   uint64
		next int // index in t.kids[id] of the next child to visit
	}
	parents := make([]uint64, 0, len(t.kids))
	for p := range t.kids {
		parents = append(parents, p)
	}
	slices.Sort(parents) // the same cycle reported every time
	for _, root := range parents {
		if state[root] != unseen {
			continue
		}
		state[root] = open
		stack := []frame{{id: root}}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			kids := t.kids[top.id]
			if top.next == len(kids) {
				state[top.id] = done
				stack = stack[:len(stack)-1]
				continue
			}
			c := kids[top.next]
			top.next++
			switch state[c.ID] {
			case unseen:
				state[c.ID] = open
				stack = append(stack, frame{id: c.ID})
			case open:
				i := slices.IndexFunc(stack, func(f frame) bool { return f.id == c.ID })
				var path []string
				for _, f := range stack[i:] {
					path = append(path, m.describe(f.id))
				}
				path = append(path, m.describe(c.ID))
				return m.errAt(t.seen[[2]uint64{top.id, c.ID}], modelErr("decomposition cycle: %s", strings.Join(path, " → ")))
			}
		}
	}
	return nil
}

// describe names an instance in errors: "#30 IFCSITE".
func (m *model) describe(id uint64) string {
	if in := m.inst.get(id); in != nil {
		return fmt.Sprintf("#%d %s", id, in.Type)
	}
	return fmt.Sprintf("#%d", id)
}

// typed returns the children of parent of one type.
func (t tree) typed(parent *step.Instance, typ string) []*step.Instance {
	var out []*step.Instance
	for _, c := range t.kids[parent.ID] {
		if c.Type == typ {
			out = append(out, c)
		}
	}
	return out
}

// newNode places a spatial element or slab and reads its own footprint.
func (m *model) newNode(in *step.Instance) (*node, error) {
	w, err := m.placement(in.Arg(5))
	if err != nil {
		return nil, err
	}
	n := &node{in: in, world: w, id: featureID(in)}
	x, y, z := w.apply(0, 0, 0)
	n.origin = vec{x * m.lengthM, y * m.lengthM, z * m.lengthM}
	polys, how := m.footprint(in, w)
	n.polys, n.how = m.metres(polys), how
	return n, nil
}

// bldg is a building read from the file with its storeys.
type bldg struct {
	n       *node
	site    *node // nil for a building aggregated by the project itself
	storeys []*node
	loose   []*node // spaces aggregated to the building itself
}

// building reads a building, its storeys (numbered by storeyLevels)
// with their spaces and floor slabs, and the spaces that belong to no
// storey.
func (m *model) building(t tree, in *step.Instance, site *node) (*bldg, error) {
	b, err := m.newNode(in)
	if err != nil {
		return nil, err
	}
	bl := &bldg{n: b, site: site}
	for _, s := range t.typed(in, "IFCBUILDINGSTOREY") {
		sn, err := m.storey(t, s, b)
		if err != nil {
			return nil, err
		}
		bl.storeys = append(bl.storeys, sn)
	}
	for _, sp := range t.typed(in, "IFCSPACE") {
		spn, err := m.newNode(sp)
		if err != nil {
			return nil, err
		}
		bl.loose = append(bl.loose, spn)
	}
	m.storeyLevels(bl.storeys)
	return bl, nil
}

// storey reads a storey of building b, its elevation above b's origin,
// its spaces and the floor slabs that have a plan shape.
func (m *model) storey(t tree, s *step.Instance, b *node) (*node, error) {
	sn, err := m.newNode(s)
	if err != nil {
		return nil, err
	}
	sn.elev = sn.origin[2] - b.origin[2]
	for _, sp := range t.typed(s, "IFCSPACE") {
		spn, err := m.newNode(sp)
		if err != nil {
			return nil, err
		}
		sn.spaces = append(sn.spaces, spn)
	}
	for _, c := range t.kids[s.ID] {
		if !m.isFloorSlab(c) {
			continue
		}
		sl, err := m.newNode(c)
		if err != nil {
			return nil, err
		}
		if len(sl.polys) > 0 {
			sn.slabs = append(sn.slabs, sl)
		}
	}
	return sn, nil
}

// emitter writes nodes out as features placed by g: sites and buildings
// in out, storeys and spaces apart so that they follow all buildings.
type emitter struct {
	m    *model
	opts Options
	g    *georef
	qs   map[uint64]*areas

	out, storeys, spaces []outFeature
}

// feature makes n's feature with polys as its geometry, or a point at
// n's origin where there are none.
func (e *emitter) feature(n *node, class cim.Class, parent string, polys []poly) *cim.Feature {
	f := &cim.Feature{
		ID: n.id, Class: class, Dataset: e.opts.Dataset, Stage: e.opts.Stage, Parent: parent,
		Props: e.m.props(n.in),
	}
	if len(polys) > 0 {
		f.Geometry = toGeom(polys, e.g.fn)
	} else {
		lon, lat := e.g.fn(n.origin[0], n.origin[1])
		f.Geometry = geom.NewPointFlat(geom.XY, []float64{lon, lat})
	}
	return f
}

// site writes a site: ClassSite where it has a plan shape, else
// ClassOther. The first site carries how the model is georeferenced.
func (e *emitter) site(s *node, first bool) {
	class := cim.ClassOther
	if len(s.polys) > 0 {
		class = cim.ClassSite
	}
	f := e.feature(s, class, "", s.polys)
	e.out = append(e.out, outFeature{f, s.in})
	f.Kind = "site"
	if first {
		f.Props["georeferencing"] = e.g.how
	}
	if lat, ok := compoundAngle(s.in.Arg(9)); ok {
		f.Props["ref_latitude"] = lat
	}
	if lon, ok := compoundAngle(s.in.Arg(10)); ok {
		f.Props["ref_longitude"] = lon
	}
	if el, ok := s.in.Arg(11).Untyped().Float(); ok {
		f.Props["ref_elevation_m"] = el * e.m.lengthM
	}
}

// building writes a building, then its storeys and spaces.
func (e *emitter) building(b *bldg) {
	parent := ""
	if b.site != nil {
		parent = b.site.id
	}
	plans := make([]storeyPlan, len(b.storeys))
	for i, s := range b.storeys {
		plans[i] = e.m.storeyPlan(s, e.g.fn)
	}
	bf := e.feature(b.n, cim.ClassBuilding, parent, b.plan(plans))
	e.out = append(e.out, outFeature{bf, b.n.in})
	b.setLevels(bf, plans)

	var ground float64
	for _, s := range b.storeys {
		if s.level == 0 {
			ground = s.elev
		}
	}
	for i, s := range b.storeys {
		var next *node
		if i+1 < len(b.storeys) {
			next = b.storeys[i+1]
		}
		e.storey(s, next, plans[i], b.n.id, ground)
	}
	for _, spn := range b.loose {
		f := e.feature(spn, cim.ClassSpace, b.n.id, spn.polys)
		e.spaces = append(e.spaces, outFeature{f, spn.in})
		e.m.space(f, spn, e.qs, cim.Level(0), cim.Vertical{})
	}
}

// plan is the building's footprint: the floor of its ground storey (else
// of its storey nearest level 0 that has one), else its own shape.
func (b *bldg) plan(plans []storeyPlan) []poly {
	polys := b.n.polys
	best := math.MaxInt
	for i, s := range b.storeys {
		if plans[i].floor() && abs(s.level) < best {
			best, polys = abs(s.level), plans[i].polys
		}
	}
	return polys
}

// setLevels counts the building's storeys that have a floor, above
// ground and below.
func (b *bldg) setLevels(f *cim.Feature, plans []storeyPlan) {
	above, below := 0, 0
	for i, s := range b.storeys {
		if !plans[i].floor() {
			continue
		}
		if s.level >= 0 {
			above++
		} else {
			below++
		}
	}
	if above > 0 {
		f.Vertical.SetLevelsAbove(above)
	}
	if below > 0 {
		f.Vertical.SetLevelsBelow(below)
	}
}

// storey writes a storey with plan pl, its elevation above the ground
// storey's, its height to next (nil for the top one) and its areas,
// then its spaces.
func (e *emitter) storey(s, next *node, pl storeyPlan, building string, ground float64) {
	f := e.feature(s, cim.ClassStorey, building, pl.polys)
	e.storeys = append(e.storeys, outFeature{f, s.in})
	if pl.how != "" {
		f.Props["footprint_source"] = pl.how
	}
	if pl.how == "slabs" {
		f.Props["slab_area_m2"] = round(pl.slabM2)
	}
	if len(s.spaces) > 0 {
		if a := polyArea(spacePolys(s.spaces)); a > 0 {
			f.Props["space_area_m2"] = round(a)
		}
	}
	f.Levels = cim.Level(float64(s.level))
	f.Vertical.SetElevation(s.elev - ground)
	if next != nil {
		if h := next.elev - s.elev; h > 0 {
			f.Vertical.SetStoreyHeight(h)
		}
	}
	if a, ok := e.qs[s.in.ID]; ok && a.hasGross {
		f.Props["gross_floor_area_m2"] = round(a.gross)
	}
	for _, spn := range s.spaces {
		sf := e.feature(spn, cim.ClassSpace, s.id, spn.polys)
		e.spaces = append(e.spaces, outFeature{sf, spn.in})
		e.m.space(sf, spn, e.qs, f.Levels, f.Vertical)
	}
}

// warnAreaDiffs counts the spaces whose floor areas disagree in one
// warning that gives their range.
func (m *model) warnAreaDiffs() {
	if len(m.areaDiffs) == 0 {
		return
	}
	lo, hi := slices.Min(m.areaDiffs), slices.Max(m.areaDiffs)
	msg := fmt.Sprintf("%s (%+.1f %% to %+.1f %%; both kept, see floor_area_difference_pct)",
		warnAreaDiffers, lo*100, hi*100)
	for range m.areaDiffs {
		m.warn(msg)
	}
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// space fills in a space's levels, heights and floor areas.
func (m *model) space(f *cim.Feature, n *node, qs map[uint64]*areas, lv cim.LevelRange, storey cim.Vertical) {
	f.Levels = lv
	if storey.Has(cim.KnownElevation) {
		f.Vertical.SetElevation(storey.ElevationM)
	}
	f.Props["footprint_source"] = n.how
	var geo float64
	if len(n.polys) > 0 {
		geo = polyArea(n.polys)
		f.Props["geometric_floor_area_m2"] = round(geo)
	} else {
		m.warn("IfcSpace without a plan shape (placed as a point)")
		delete(f.Props, "footprint_source")
	}
	a := qs[n.in.ID]
	if a == nil {
		return
	}
	// A space's plan shape is its gross floor area (construction inside
	// it included); the net area is compared where there is no gross.
	q, basis := 0.0, ""
	if a.hasNet {
		f.Props["net_floor_area_m2"] = round(a.net)
		q, basis = a.net, "net_floor_area_m2"
	} else if a.gsaOK {
		f.Props["net_floor_area_m2"] = round(a.gsa)
		q, basis = a.gsa, "gsa_bim_area_m2"
	}
	if a.gsaOK {
		f.Props["gsa_bim_area_m2"] = round(a.gsa)
	}
	if a.hasGross {
		f.Props["gross_floor_area_m2"] = round(a.gross)
		q, basis = a.gross, "gross_floor_area_m2"
	}
	if geo > 0 && q > 0 {
		d := (geo - q) / q
		f.Props["floor_area_difference_pct"] = math.Round(d*1000) / 10
		f.Props["floor_area_basis"] = basis
		if math.Abs(d) > AreaTolerance {
			m.areaDiffs = append(m.areaDiffs, d)
		}
	}
}

// round keeps areas to the square millimetre.
func round(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// storeyLevels sorts storeys by elevation and numbers them: the lowest
// at or above the building's origin (within 5 cm) is level 0, those
// below it negative. Storey placements give the elevations; where they
// are all the same but the Elevation attributes differ, the attributes
// do.
func (m *model) storeyLevels(ss []*node) {
	if len(ss) == 0 {
		return
	}
	same := true
	for _, s := range ss {
		same = same && s.elev == ss[0].elev
	}
	if same && len(ss) > 1 {
		for _, s := range ss {
			if e, ok := s.in.Arg(9).Untyped().Float(); ok {
				s.elev = e * m.lengthM
			}
		}
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].elev < ss[j].elev })
	i0 := len(ss)
	for i, s := range ss {
		if s.elev >= -0.05 {
			i0 = i
			break
		}
	}
	for i, s := range ss {
		s.level = max(cim.MinLevel, min(cim.MaxLevel, i-i0))
	}
}

func spacePolys(ss []*node) []poly {
	var out []poly
	for _, s := range ss {
		out = append(out, s.polys...)
	}
	return out
}

// metres scales footprints from project units to metres.
func (m *model) metres(ps []poly) []poly {
	for _, p := range ps {
		for _, r := range p {
			for i := range r {
				r[i][0] *= m.lengthM
				r[i][1] *= m.lengthM
			}
		}
	}
	return ps
}

// toGeom converts plan polygons in metres to a Polygon or MultiPolygon
// in WGS84.
func toGeom(ps []poly, fn func(x, y float64) (float64, float64)) geom.T {
	var flat []float64
	var endss [][]int
	for _, p := range ps {
		var ends []int
		for _, r := range p {
			for _, pt := range r {
				lon, lat := fn(pt[0], pt[1])
				flat = append(flat, lon, lat)
			}
			lon, lat := fn(r[0][0], r[0][1])
			flat = append(flat, lon, lat)
			ends = append(ends, len(flat))
		}
		endss = append(endss, ends)
	}
	if len(endss) == 1 {
		return cim.Normalize(geom.NewPolygonFlat(geom.XY, flat, endss[0]))
	}
	return cim.Normalize(geom.NewMultiPolygonFlat(geom.XY, flat, endss))
}

func featureID(in *step.Instance) string {
	if g, ok := in.Arg(0).Text(); ok && g != "" {
		return "ifc:" + g
	}
	return fmt.Sprintf("ifc:#%d", in.ID)
}

var typeNames = map[string]string{
	"IFCSITE": "IfcSite", "IFCBUILDING": "IfcBuilding", "IFCBUILDINGSTOREY": "IfcBuildingStorey", "IFCSPACE": "IfcSpace",
}

// props returns a spatial element's names.
func (m *model) props(in *step.Instance) map[string]any {
	p := map[string]any{"ifc_type": typeNames[in.Type]}
	for _, a := range []struct {
		key string
		i   int
	}{{"Name", 2}, {"Description", 3}, {"ObjectType", 4}, {"LongName", 7}} {
		if s, ok := in.Arg(a.i).Untyped().Text(); ok && strings.TrimSpace(s) != "" {
			p[a.key] = s
		}
	}
	return p
}

// quantities reads the floor areas of IfcElementQuantity sets by object.
// NetFloorArea and GrossFloorArea from Qto_…BaseQuantities win over
// those from BaseQuantities, which win over other sets; "GSA BIM Area"
// (the GSA space areas of Revit exports) stands for the net area where
// there is none.
func (m *model) quantities() map[uint64]*areas {
	out := map[uint64]*areas{}
	for _, rel := range m.ofType("IFCRELDEFINESBYPROPERTIES") {
		var defs []*step.Instance
		if d := m.deref(rel.Arg(5)); d != nil {
			defs = append(defs, d)
		} else if l, ok := rel.Arg(5).List(); ok {
			for _, v := range l {
				if d := m.deref(v); d != nil {
					defs = append(defs, d)
				}
			}
		}
		objs, _ := rel.Arg(4).List()
		for _, d := range defs {
			if d.Type != "IFCELEMENTQUANTITY" {
				continue
			}
			set, _ := d.Arg(2).Text()
			rank := 2
			switch {
			case strings.HasPrefix(set, "Qto_") && strings.HasSuffix(set, "BaseQuantities"):
				rank = 0
			case set == "BaseQuantities":
				rank = 1
			}
			qs, _ := d.Arg(5).List()
			for _, qv := range qs {
				q := m.deref(qv)
				if q == nil || q.Type != "IFCQUANTITYAREA" {
					continue
				}
				name, _ := q.Arg(0).Text()
				v, ok := q.Arg(3).Untyped().Float()
				if !ok {
					continue
				}
				f := m.areaM2
				if typ, uf, ok := m.unit(m.deref(q.Arg(2)), 0); ok && typ == "AREAUNIT" {
					f = uf
				}
				v *= f
				for _, ov := range objs {
					id, ok := ov.Ref()
					if !ok {
						continue
					}
					a := out[id]
					if a == nil {
						a = &areas{netRank: 99, grossRank: 99}
						out[id] = a
					}
					switch name {
					case "NetFloorArea":
						if rank < a.netRank {
							a.net, a.netRank, a.hasNet = v, rank, true
						}
					case "GrossFloorArea":
						if rank < a.grossRank {
							a.gross, a.grossRank, a.hasGross = v, rank, true
						}
					case "GSA BIM Area":
						a.gsa, a.gsaOK = v, true
					}
				}
			}
		}
	}
	return out
}

// isFloorSlab tells whether an element is a floor slab: an IfcSlab (or
// its IFC4 standard and elemented cases) of type FLOOR or BASESLAB, its
// own PredefinedType or, where that is unset, NOTDEFINED or
// USERDEFINED, its IfcSlabType's. Roofs, landings and slabs of no stated
// type are not floors.
func (m *model) isFloorSlab(in *step.Instance) bool {
	switch in.Type {
	case "IFCSLAB", "IFCSLABSTANDARDCASE", "IFCSLABELEMENTEDCASE":
	default:
		return false
	}
	t, _ := in.Arg(8).Enum()
	if t == "" || t == "NOTDEFINED" || t == "USERDEFINED" {
		if m.slabTypes == nil {
			m.slabTypes = map[uint64]string{}
			for _, rel := range m.ofType("IFCRELDEFINESBYTYPE") {
				typ := m.deref(rel.Arg(5))
				if typ == nil || typ.Type != "IFCSLABTYPE" {
					continue
				}
				e, _ := typ.Arg(9).Enum()
				objs, _ := rel.Arg(4).List()
				for _, o := range objs {
					if id, ok := o.Ref(); ok {
						m.slabTypes[id] = e
					}
				}
			}
		}
		t = m.slabTypes[in.ID]
	}
	return t == "FLOOR" || t == "BASESLAB"
}

// storeyPlan is a storey's floor plan.
type storeyPlan struct {
	polys  []poly
	how    string  // "slabs", "spaces" or how the storey's own shape was read
	slabM2 float64 // the area the floor slabs kept cover, overlaps once
}

// floor tells whether the plan is a floor: slabs or spaces.
func (p storeyPlan) floor() bool { return p.how == "slabs" || p.how == "spaces" }

// storeyPlan finds a storey's floor: its floor slabs (their outline, as
// the model draws it: to the walls' outer faces, or their cores); else
// its spaces (the net area); else its own shape.
//
// Of the slabs, one lying on others already kept (a finish floor on the
// structural slab, at least slabCovered of it) is left out, and where the
// storey has spaces so is one that no space stands on (less than
// slabUnderSpaces of it under spaces: a terrace or patio slab typed
// FLOOR).
// Where the slabs kept cover less than slabCovered of the spaces, the
// slabs are not the storey's floor (a landing, a mezzanine piece) and
// the spaces give the plan, with a warning.
func (m *model) storeyPlan(s *node, fn func(x, y float64) (float64, float64)) storeyPlan {
	if len(s.slabs) > 0 {
		var spaceGs []geom.T
		spaceBox := cim.BoundsOf(geom.NewPoint(geom.XY)) // empty
		spaceM2 := 0.0
		for _, p := range spacePolys(s.spaces) {
			g := toGeom([]poly{p}, fn)
			spaceGs = append(spaceGs, g)
			spaceBox = spaceBox.Extend(cim.BoundsOf(g))
		}
		if len(spaceGs) > 0 {
			spaceM2 = cim.UnionArea(spaceGs, nil)
		}
		type part struct {
			p   poly
			g   geom.T
			box cim.Box
			m2  float64
		}
		var parts []part
		for _, sl := range s.slabs {
			for _, p := range sl.polys {
				g := toGeom([]poly{p}, fn)
				parts = append(parts, part{p, g, cim.BoundsOf(g), cim.AreaM2(g)})
			}
		}
		sort.SliceStable(parts, func(i, j int) bool { return parts[i].m2 > parts[j].m2 })
		var kept []poly
		var keptG []geom.T
		var keptBox []cim.Box
		var union, sum float64
		outdoor := 0
		for _, pt := range parts {
			if len(spaceGs) > 0 && (!pt.box.Intersects(spaceBox) ||
				pt.m2+spaceM2-cim.UnionArea(append(slices.Clone(spaceGs), pt.g), nil) < slabUnderSpaces*pt.m2) {
				outdoor++
				continue
			}
			u := union + pt.m2
			for _, b := range keptBox {
				if b.Intersects(pt.box) {
					u = cim.UnionArea(append(keptG, pt.g), nil)
					break
				}
			}
			if u-union < (1-slabCovered)*pt.m2 {
				continue // lies on a slab already kept
			}
			kept, keptG, keptBox = append(kept, pt.p), append(keptG, pt.g), append(keptBox, pt.box)
			union, sum = u, sum+pt.m2
		}
		for range outdoor {
			m.warn(warnOutdoorSlab)
		}
		covered := spaceM2
		if len(spaceGs) > 0 && len(keptG) > 0 {
			covered = spaceM2 + union - cim.UnionArea(append(slices.Clone(keptG), spaceGs...), nil)
		}
		switch {
		case len(kept) > 0 && covered >= slabCovered*spaceM2:
			if sum > union*(1+AreaTolerance) {
				m.warn("IfcBuildingStorey floor slabs overlap in part: the storey's plan counts the overlap twice")
			}
			return storeyPlan{polys: kept, how: "slabs", slabM2: union}
		case len(kept) > 0:
			m.warn(warnSlabsShort)
		}
	}
	if sp := spacePolys(s.spaces); sp != nil {
		return storeyPlan{polys: sp, how: "spaces"}
	}
	return storeyPlan{polys: s.polys, how: s.how}
}

const warnSlabsShort = "IfcBuildingStorey whose floor slabs cover less than 90 % of its spaces: its plan is taken from the spaces"

const warnOutdoorSlab = "IfcSlab FLOOR on which no IfcSpace of its storey stands (a terrace or patio): left out of the storey's plan"

// slabCovered is the share of a floor slab that, lying on slabs already
// in a storey's plan, leaves it out; and the share of a storey's spaces
// its slabs must cover to be its floor.
const slabCovered = 0.9

// slabUnderSpaces is the share of a floor slab that must lie under the
// storey's spaces for it to count: walls, shafts and stairs take the
// rest of a floor (FZK-Haus: 84 %), a terrace has none.
const slabUnderSpaces = 0.1
