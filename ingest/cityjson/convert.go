package cityjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/osmtags"
	"github.com/twpayne/go-geom"
)

// rawObject is a CityObject as the file has it.
type rawObject struct {
	Type       string         `json:"type"`
	Attributes map[string]any `json:"attributes"`
	Geometry   []rawGeometry  `json:"geometry"`
	Parents    []string       `json:"parents"`
	Children   []string       `json:"children"`
}

// node is a CityObject in its batch, with what has been worked out about
// it.
type node struct {
	id       string
	off      int64
	obj      rawObject
	err      error
	parents  []*node
	children []*node
	visited  bool

	measured bool
	geoms    []*geometry
	foot     []polygon // the footprint on the grid
	footLoD  string
	lines    [][]vec3
	points   []vec3
	z        zrange // of the object and its descendants
	groundZ  zrange // of GroundSurface faces, the object's and its descendants'
	solid    bool   // the object or a descendant has a solid geometry

	level    float64 // storeys, and objects within one
	hasLevel bool
	elev     float64
	hasElev  bool
}

// batch is the CityObjects of a file, or of one CityJSONFeature, and the
// vertices they index.
type batch struct {
	nodes    []*node
	byID     map[string]*node
	vertices [][]float64
	next     int
	second   bool // the pass for objects in parent cycles
}

func (r *Reader) newBatch(doc *document) (*batch, error) {
	ids, vals, offs, err := objectEntries(doc.objects, doc.objectsAt)
	if err != nil {
		return nil, r.located("", doc.objectsAt, err)
	}
	b := &batch{byID: make(map[string]*node, len(ids)), vertices: doc.vertices}
	for i, id := range ids {
		if _, dup := b.byID[id]; dup {
			r.warnings["duplicate CityObject id (the first kept)"]++
			continue
		}
		n := &node{id: id, off: offs[i]}
		if err := json.Unmarshal(vals[i], &n.obj); err != nil {
			n.err = r.located(id, offs[i], err).Err
		}
		b.nodes = append(b.nodes, n)
		b.byID[id] = n
	}
	link := func(p, c *node) {
		if p != c && !slices.Contains(p.children, c) {
			p.children = append(p.children, c)
			c.parents = append(c.parents, p)
		}
	}
	for _, n := range b.nodes {
		for _, id := range n.obj.Parents {
			if p := b.byID[id]; p != nil {
				link(p, n)
			}
		}
		for _, id := range n.obj.Children {
			if c := b.byID[id]; c != nil {
				link(n, c)
			}
		}
	}
	where := "the file"
	if doc.typ == "CityJSONFeature" {
		where = "its CityJSONFeature"
	}
	for _, n := range b.nodes {
		if n.err == nil {
			n.err = b.checkLinks(n, where)
		}
	}
	b.checkCycles()
	return b, nil
}

// checkLinks refuses an object whose parents or children name itself or
// an object that is not in the batch: the spec requires both to be
// CityObjects of the file, and a dangling one would leave a building
// without a part (or a part without its building) silently.
func (b *batch) checkLinks(n *node, where string) error {
	for _, l := range []struct {
		what string
		ids  []string
	}{{"children", n.obj.Children}, {"parents", n.obj.Parents}} {
		for _, id := range l.ids {
			if id == n.id {
				return fmt.Errorf("%s: lists the object itself", l.what)
			}
			if b.byID[id] == nil {
				return fmt.Errorf("%s: %q is not a CityObject of %s", l.what, id, where)
			}
		}
	}
	return nil
}

// checkCycles gives every object on a cycle of parents and children an
// error naming the cycle. The walk is iterative, so a long chain cannot
// exhaust the stack.
func (b *batch) checkCycles() {
	const (
		unseen = iota
		open   // on the current path
		done
	)
	state := make(map[*node]int, len(b.nodes))
	type frame struct {
		n    *node
		next int
	}
	for _, root := range b.nodes {
		if state[root] != unseen {
			continue
		}
		state[root] = open
		stack := []frame{{n: root}}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(top.n.children) {
				state[top.n] = done
				stack = stack[:len(stack)-1]
				continue
			}
			c := top.n.children[top.next]
			top.next++
			switch state[c] {
			case unseen:
				state[c] = open
				stack = append(stack, frame{n: c})
			case open:
				i := slices.IndexFunc(stack, func(f frame) bool { return f.n == c })
				var ids []string
				for _, f := range stack[i:] {
					ids = append(ids, strconv.Quote(f.n.id))
				}
				err := fmt.Errorf("parent/child cycle: %s → %s", strings.Join(ids, " → "), strconv.Quote(c.id))
				for _, f := range stack[i:] {
					if f.n.err == nil {
						f.n.err = err
					}
				}
			}
		}
	}
}

// nextRoot returns the next object, in file order, that has no parent in
// the batch; then those left over, which sit in a cycle of parents (and
// carry the error checkCycles gave them).
func (b *batch) nextRoot() *node {
	for {
		for b.next < len(b.nodes) {
			n := b.nodes[b.next]
			b.next++
			if !n.visited && (b.second || len(n.parents) == 0) {
				return n
			}
		}
		if b.second {
			return nil
		}
		b.second, b.next = true, 0
	}
}

// vertex returns vertex i of the batch in the file's CRS.
func (r *Reader) vertexFunc(b *batch) vertexFunc {
	return func(i int) (vec3, error) {
		if i < 0 || i >= len(b.vertices) {
			return vec3{}, fmt.Errorf("vertex index %d out of range (%d vertices)", i, len(b.vertices))
		}
		v := b.vertices[i]
		if t := r.transform; t != nil {
			return vec3{v[0]*t.Scale[0] + t.Translate[0], v[1]*t.Scale[1] + t.Translate[1], v[2]*t.Scale[2] + t.Translate[2]}, nil
		}
		return vec3{v[0], v[1], v[2]}, nil
	}
}

// convertTree converts an object and its descendants, parents first.
func (r *Reader) convertTree(root *node) []item {
	var pre []*node
	var walk func(n *node)
	walk = func(n *node) {
		if n.visited {
			return
		}
		n.visited = true
		pre = append(pre, n)
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(root)
	for _, n := range slices.Backward(pre) {
		r.measure(n)
	}
	for _, n := range pre {
		if t := n.obj.Type; n.err == nil && (t == "Building" || t == "BuildingPart") {
			numberStoreys(n)
		}
	}
	items := make([]item, 0, len(pre))
	for _, n := range pre {
		r.n++
		f, err := r.feature(n)
		switch {
		case err != nil:
			items = append(items, item{err: r.fail(n.id, n.off, err)})
		case f != nil:
			items = append(items, item{f: f})
		}
		n.geoms, n.obj.Geometry = nil, nil // done with; the footprint stays for parents
	}
	return items
}

// measure resolves an object's geometry and works out its footprint and
// heights; its children have been measured before.
func (r *Reader) measure(n *node) {
	if n.measured {
		return
	}
	n.measured = true
	if n.err != nil {
		return
	}
	at := r.vertexFunc(r.batch)
	for i := range n.obj.Geometry {
		rg := &n.obj.Geometry[i]
		g, err := decodeGeometry(rg, at, r.templates)
		if err != nil {
			what := rg.Type
			if l, s := parseLoD(rg.LoD); !math.IsInf(l, 0) {
				what += ", lod " + s
			}
			n.err = fmt.Errorf("geometry %d (%s): %w", i, what, err)
			return
		}
		n.geoms = append(n.geoms, g)
		n.z.merge(g.zrange())
		n.solid = n.solid || g.solid() && len(g.faces) > 0
	}
	if ground := lowestWith(n.geoms, func(f *face) bool { return f.ground }); ground != nil {
		for _, f := range ground.faces {
			if f.ground {
				for _, ring := range f.rings {
					for _, v := range ring {
						n.groundZ.add(v[2])
					}
				}
			}
		}
	}
	if err := r.footprint(n); err != nil {
		n.err = err
		return
	}
	var parts []polygon
	ownGround := n.groundZ.ok
	for _, c := range n.children {
		if c.err != nil {
			continue
		}
		n.z.merge(c.z)
		if !ownGround {
			n.groundZ.merge(c.groundZ)
		}
		n.solid = n.solid || c.solid
		parts = append(parts, c.foot...)
		if n.footLoD == "" {
			n.footLoD = c.footLoD
		}
	}
	if n.foot == nil && n.lines == nil && n.points == nil && len(parts) > 0 {
		n.foot = r.union(parts)
	}
}

// union returns the union of polygons; where that fails, it warns and
// returns the polygons themselves, which may overlap.
func (r *Reader) union(polys []polygon) []polygon {
	foot, err := union(polys)
	if err == nil {
		return foot
	}
	r.warnings[err.Error()+"; faces kept as separate polygons"]++
	foot = foot[:0]
	for _, p := range polys {
		var q polygon
		for _, ring := range p {
			if ring = dedupe(ring); area2(ring) != 0 {
				q = append(q, ring)
			} else if len(q) == 0 {
				break
			}
		}
		if len(q) > 0 {
			foot = append(foot, q)
		}
	}
	return foot
}

// lowestWith returns the geometry of the lowest LoD that has a face for
// which ok holds, or nil.
func lowestWith(gs []*geometry, ok func(*face) bool) *geometry {
	var best *geometry
	for _, g := range gs {
		if best != nil && g.lod >= best.lod {
			continue
		}
		for i := range g.faces {
			if ok(&g.faces[i]) {
				best = g
				break
			}
		}
	}
	return best
}

// footprint sets an object's own footprint: the union of its LoD0
// surfaces; else of the GroundSurface faces of the lowest LoD that has
// them; else of the lowest LoD's faces projected onto the plane (for a
// solid the faces of its exterior shell that face down); else its lines
// or points.
func (r *Reader) footprint(n *node) error {
	all := func(*face) bool { return true }
	try := func(g *geometry, use func(*face) bool) error {
		if g == nil || n.foot != nil {
			return nil
		}
		var polys []polygon
		for i := range g.faces {
			if f := &g.faces[i]; use(f) {
				p, err := r.toGrid(f.rings)
				if err != nil {
					return err
				}
				polys = append(polys, r.strayHoles(p))
			}
		}
		if foot := r.union(polys); len(foot) > 0 {
			n.foot, n.footLoD = foot, g.lodText
		}
		return nil
	}
	var lod0 *geometry
	for _, g := range n.geoms {
		if g.lod < 1 && len(g.faces) > 0 && (lod0 == nil || g.lod < lod0.lod) {
			lod0 = g
		}
	}
	if err := try(lod0, all); err != nil {
		return err
	}
	if err := try(lowestWith(n.geoms, func(f *face) bool { return f.ground }), func(f *face) bool { return f.ground }); err != nil {
		return err
	}
	lowest := lowestWith(n.geoms, all)
	if lowest != nil && lowest.solid() {
		down := func(f *face) bool {
			if f.shell != 0 {
				return false
			}
			p, err := r.toGrid(f.rings[:1])
			return err == nil && area2(dedupe(p[0])) < 0
		}
		if err := try(lowest, down); err != nil {
			return err
		}
	}
	if err := try(lowest, all); err != nil {
		return err
	}
	if n.foot != nil || lowest != nil {
		return nil
	}
	var lowLines, lowPoints *geometry
	for _, g := range n.geoms {
		if len(g.lines) > 0 && (lowLines == nil || g.lod < lowLines.lod) {
			lowLines = g
		}
		if len(g.points) > 0 && (lowPoints == nil || g.lod < lowPoints.lod) {
			lowPoints = g
		}
	}
	switch {
	case lowLines != nil:
		n.lines, n.footLoD = lowLines.lines, lowLines.lodText
	case lowPoints != nil:
		n.points, n.footLoD = lowPoints.points, lowPoints.lodText
	}
	return nil
}

// strayHoles drops, with a warning, the inner rings of a face that do not
// lie inside its outer ring as seen from above (a face standing up has no
// area there and is left alone). The union would drop them silently; an
// inner ring outside, or around, its shell is bad data, not a hole.
func (r *Reader) strayHoles(p polygon) polygon {
	if len(p) < 2 || area2(dedupe(slices.Clone(p[0]))) == 0 {
		return p
	}
	out := p[:1]
	for _, hole := range p[1:] {
		if holeInside(p[0], hole) {
			out = append(out, hole)
		} else {
			r.warnings["a face's inner ring lies outside its outer ring (or around it): the ring was dropped"]++
		}
	}
	return out
}

// holeInside reports whether hole lies inside shell: its first vertex
// off the shell's boundary is inside, and not every vertex is on it.
func holeInside(shell, hole []gpt) bool {
	for _, q := range hole {
		switch inRing(shell, q) {
		case 1:
			return true
		case -1:
			return false
		}
	}
	return false // all on the boundary: the hole is the shell
}

// inRing tells where q is against a ring: 1 inside, −1 outside, 0 on it
// (winding number, in exact integer arithmetic).
func inRing(ring []gpt, q gpt) int {
	wn := 0
	for i := range ring {
		a, b := ring[i], ring[(i+1)%len(ring)]
		o := orient(a, b, q)
		if o == 0 && min(a.x, b.x) <= q.x && q.x <= max(a.x, b.x) && min(a.y, b.y) <= q.y && q.y <= max(a.y, b.y) {
			return 0
		}
		switch {
		case a.y <= q.y && q.y < b.y && o > 0:
			wn++
		case b.y <= q.y && q.y < a.y && o < 0:
			wn--
		}
	}
	if wn != 0 {
		return 1
	}
	return -1
}

// toGrid puts rings on the footprint grid.
func (r *Reader) toGrid(rings [][]vec3) (polygon, error) {
	p := make(polygon, len(rings))
	for i, ring := range rings {
		q := make([]gpt, len(ring))
		for k, v := range ring {
			gx := math.Round((v[0] - r.grid.tx) / r.grid.sx)
			gy := math.Round((v[1] - r.grid.ty) / r.grid.sy)
			if !(math.Abs(gx) < 1<<53 && math.Abs(gy) < 1<<53) {
				return nil, fmt.Errorf("coordinate (%g, %g) out of range", v[0], v[1])
			}
			q[k] = gpt{int64(gx), int64(gy)}
		}
		p[i] = q
	}
	return p, nil
}

// numberStoreys gives the BuildingStorey children of a building their
// levels: ordered by height, level 0 the storey whose floor is nearest the
// ground.
func numberStoreys(b *node) {
	var storeys []*node
	for _, c := range b.children {
		if c.obj.Type == "BuildingStorey" && c.err == nil && c.z.ok {
			storeys = append(storeys, c)
		}
	}
	if len(storeys) == 0 {
		return
	}
	slices.SortStableFunc(storeys, func(p, q *node) int {
		switch {
		case p.z.min < q.z.min:
			return -1
		case p.z.min > q.z.min:
			return 1
		}
		return 0
	})
	ground, _ := groundOf(b)
	i0 := 0
	for i, s := range storeys {
		if math.Abs(s.z.min-ground) < math.Abs(storeys[i0].z.min-ground) {
			i0 = i
		}
	}
	for i, s := range storeys {
		s.level, s.hasLevel = float64(i-i0), true
		s.elev, s.hasElev = s.z.min-storeys[i0].z.min, true
	}
}

// groundOf returns the absolute height of an object's ground: from its
// attributes (3D BAG h_maaiveld, TerrainHeight), else its GroundSurface
// faces, else its lowest point.
func groundOf(n *node) (float64, bool) {
	a := n.obj.Attributes
	for _, k := range []string{"b3_h_maaiveld", "h_maaiveld", "TerrainHeight"} {
		if v, ok := number(a[k]); ok {
			return v, true
		}
	}
	abs, ok1 := number(a["AbsoluteRidgeHeight"])
	rel, ok2 := number(a["RelativeRidgeHeight"])
	if ok1 && ok2 {
		return abs - rel, true
	}
	if n.groundZ.ok {
		return n.groundZ.min, true
	}
	return n.z.min, n.z.ok
}

// number reads an attribute value as a number: a JSON number or a string
// holding one.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, true
		}
	}
	return 0, false
}

// The classes of the CityObject types that are not ClassOther.
var typeClass = map[string]cim.Class{
	"Building":                 cim.ClassBuilding,
	"BuildingPart":             cim.ClassBuildingPart,
	"BuildingStorey":           cim.ClassStorey,
	"BuildingRoom":             cim.ClassSpace,
	"BuildingUnit":             cim.ClassSpace,
	"PlantCover":               cim.ClassGreen,
	"SolitaryVegetationObject": cim.ClassGreen,
	"Road":                     cim.ClassRoad,
	"Railway":                  cim.ClassRoad,
	"TransportSquare":          cim.ClassRoad,
	"WaterBody":                cim.ClassWater,
	"Waterway":                 cim.ClassWater,
}

// greenWords mark a LandUse as green when one occurs in its class,
// function or usage (or the Dutch BGT fysiek voorkomen).
var greenWords = []string{"green", "grass", "park", "garden", "forest", "wood", "meadow", "heath", "vegetat",
	"groen", "gras", "tuin", "bos", "heide", "begroeid", "struik", "heester"}

// classify returns the class and kind of a CityObject.
func classify(typ string, attrs map[string]any) (cim.Class, string) {
	class := typeClass[typ]
	if typ == "LandUse" {
		for _, k := range []string{"class", "function", "usage", "bgt_fysiekvoorkomen", "plus_fysiekvoorkomen"} {
			s, _ := attrs[k].(string)
			s = strings.ToLower(s)
			for _, w := range greenWords {
				if strings.Contains(s, w) {
					class = cim.ClassGreen
				}
			}
		}
	}
	for _, k := range []string{"function", "usage"} {
		if f, ok := attrs[k].(string); ok && f != "" {
			return class, f
		}
	}
	switch {
	case class == cim.ClassBuilding || class == cim.ClassBuildingPart:
		return class, ""
	case strings.HasPrefix(typ, "+"):
		return class, typ
	}
	return class, snake(typ)
}

// snake turns a CityJSON type into a kind: "PlantCover" → "plant_cover",
// "TINRelief" → "tin_relief".
func snake(s string) string {
	var b strings.Builder
	for i, c := range s {
		upper := 'A' <= c && c <= 'Z'
		if upper && i > 0 {
			prevLower := 'a' <= s[i-1] && s[i-1] <= 'z' || '0' <= s[i-1] && s[i-1] <= '9'
			nextLower := i+1 < len(s) && 'a' <= s[i+1] && s[i+1] <= 'z'
			if prevLower || ('A' <= s[i-1] && s[i-1] <= 'Z' && nextLower) {
				b.WriteByte('_')
			}
		}
		if upper {
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// feature builds the feature of a measured object: nil for an object
// without geometry.
func (r *Reader) feature(n *node) (*cim.Feature, error) {
	if n.err != nil {
		return nil, n.err
	}
	g, err := r.lonLat(n)
	if err != nil {
		return nil, err
	}
	if g == nil {
		r.warnings[n.obj.Type+" without geometry"]++
		return nil, nil
	}
	attrs := n.obj.Attributes
	class, kind := classify(n.obj.Type, attrs)
	f := &cim.Feature{
		ID:       r.qualify(n.id),
		Class:    class,
		Kind:     kind,
		Geometry: g,
		Dataset:  r.opts.Dataset,
		Stage:    r.opts.Stage,
		Props:    make(map[string]any, len(attrs)+4),
	}
	if len(n.obj.Parents) > 0 {
		f.Parent = r.qualify(n.obj.Parents[0])
	}
	for k, v := range attrs {
		f.Props[k] = v
	}
	if _, ok := f.Props["name"]; !ok {
		for _, k := range []string{"Name", "naam"} {
			if s, ok := attrs[k].(string); ok && s != "" {
				f.Props["name"] = s
				break
			}
		}
	}
	f.Props["cityjson:type"] = n.obj.Type
	if n.footLoD != "" {
		f.Props["cityjson:lod"] = n.footLoD
	}
	r.vertical(n, f)
	return f, f.Validate()
}

func (r *Reader) qualify(id string) string { return "cityjson:" + r.opts.Dataset + ":" + id }

// vertical sets a feature's heights, storeys and levels.
func (r *Reader) vertical(n *node, f *cim.Feature) {
	a := n.obj.Attributes
	num := func(k string) (float64, bool) {
		v, present := a[k]
		if !present || v == nil {
			return 0, false
		}
		x, ok := number(v)
		if !ok {
			r.warnings[fmt.Sprintf("unreadable %s=%v", k, v)]++
		}
		return x, ok
	}
	count := func(k string, set func(int)) {
		if x, ok := num(k); ok {
			if x < 0 || x > cim.MaxLevel || x != math.Trunc(x) {
				r.warnings[fmt.Sprintf("unreadable %s=%v", k, x)]++
				return
			}
			set(int(x))
		}
	}
	v := &f.Vertical
	ground, hasGround := groundOf(n)
	switch f.Class {
	case cim.ClassStorey, cim.ClassSpace:
	default:
		if hasGround {
			f.Props["cityjson:ground_z"] = round6(ground)
		}
		height, ok := 0.0, false
		for _, k := range []string{"measuredHeight", "height", "RelativeRidgeHeight"} {
			if height, ok = num(k); ok {
				break
			}
		}
		if !ok && hasGround {
			for _, k := range []string{"b3_h_dak_max", "h_dak_max", "AbsoluteRidgeHeight"} {
				if roof, has := num(k); has {
					height, ok = roof-ground, true
					break
				}
			}
		}
		if !ok && hasGround && n.z.ok && (n.solid || f.Class == cim.ClassBuilding || f.Class == cim.ClassBuildingPart ||
			n.obj.Type == "SolitaryVegetationObject") {
			height, ok = round6(n.z.max-ground), true
		}
		if ok && height >= 0 {
			v.SetHeight(height)
		}
	}
	count("storeysAboveGround", v.SetLevelsAbove)
	count("storeysBelowGround", v.SetLevelsBelow)
	if n.hasElev {
		v.SetElevation(round6(n.elev))
		v.SetStoreyHeight(round6(n.z.max - n.z.min))
	}
	// A storey's level passes to what it holds.
	if !n.hasLevel {
		for _, p := range n.parents {
			if p.hasLevel {
				n.level, n.hasLevel = p.level, true
				break
			}
		}
	}
	if n.hasLevel {
		f.Levels = cim.Level(n.level)
		return
	}
	if f.Class != cim.ClassBuilding && f.Class != cim.ClassBuildingPart {
		return
	}
	above, below, storeys := 0, 0, false
	for _, c := range n.children {
		if c.obj.Type == "BuildingStorey" && c.hasLevel {
			storeys = true
			if c.level >= 0 {
				above++
			} else {
				below++
			}
		}
	}
	if storeys && !v.Has(cim.KnownLevelsAbove) {
		v.SetLevelsAbove(above)
	}
	if storeys && !v.Has(cim.KnownLevelsBelow) {
		v.SetLevelsBelow(below)
	}
	// The storeys a building spans follow the same rules as for OSM
	// buildings: counted storeys, else the height in 3 m storeys.
	tags := map[string]string{"building": "yes"}
	if f.Class == cim.ClassBuildingPart {
		tags = map[string]string{"building:part": "yes"}
	}
	if v.Has(cim.KnownLevelsAbove) {
		tags["building:levels"] = strconv.Itoa(v.LevelsAbove)
	}
	if v.Has(cim.KnownLevelsBelow) {
		tags["building:levels:underground"] = strconv.Itoa(v.LevelsBelow)
	}
	if v.Has(cim.KnownHeight) {
		tags["height"] = strconv.FormatFloat(v.HeightM, 'f', -1, 64)
	}
	f.Levels = osmtags.Classify(osmtags.Map(tags)).Levels
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// lonLat returns an object's footprint in longitude and latitude.
func (r *Reader) lonLat(n *node) (geom.T, error) {
	c, gr := r.crs, r.grid
	toLL := func(flat []float64, p gpt) []float64 {
		lon, lat := c.ToLonLat(float64(p.x)*gr.sx+gr.tx, float64(p.y)*gr.sy+gr.ty)
		return append(flat, lon, lat)
	}
	switch {
	case len(n.foot) > 0:
		var flat []float64
		var endss [][]int
		for _, poly := range n.foot {
			var ends []int
			for _, ring := range poly {
				for _, p := range ring {
					flat = toLL(flat, p)
				}
				flat = toLL(flat, ring[0])
				ends = append(ends, len(flat))
			}
			endss = append(endss, ends)
		}
		if len(endss) == 1 {
			return cim.Normalize(geom.NewPolygonFlat(geom.XY, flat, endss[0])), nil
		}
		return cim.Normalize(geom.NewMultiPolygonFlat(geom.XY, flat, endss)), nil
	case len(n.lines) > 0:
		var flat []float64
		var ends []int
		for _, l := range n.lines {
			for _, v := range l {
				lon, lat := c.ToLonLat(v[0], v[1])
				flat = append(flat, lon, lat)
			}
			ends = append(ends, len(flat))
		}
		if len(ends) == 1 {
			return cim.Normalize(geom.NewLineStringFlat(geom.XY, flat)), nil
		}
		return cim.Normalize(geom.NewMultiLineStringFlat(geom.XY, flat, ends)), nil
	case len(n.points) > 0:
		var flat []float64
		for _, v := range n.points {
			lon, lat := c.ToLonLat(v[0], v[1])
			flat = append(flat, lon, lat)
		}
		if len(flat) == 2 {
			return geom.NewPointFlat(geom.XY, flat), nil
		}
		return geom.NewMultiPointFlat(geom.XY, flat), nil
	}
	if n.foot == nil && len(n.geoms) > 0 && lowestWith(n.geoms, func(*face) bool { return true }) != nil {
		return nil, errors.New("the footprint is empty: every face projects to no area")
	}
	return nil, nil
}
