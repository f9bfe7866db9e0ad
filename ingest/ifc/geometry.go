package ifc

import (
	"math"
	"slices"
	"strings"

	"github.com/future-community/cim/ingest/ifc/step"
)

// affine is a 3D affine map, row-major 3×4: the columns are the images of
// the x, y and z axes and of the origin.
type affine [12]float64

var identity = affine{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}

func (a *affine) apply(x, y, z float64) (float64, float64, float64) {
	return a[0]*x + a[1]*y + a[2]*z + a[3],
		a[4]*x + a[5]*y + a[6]*z + a[7],
		a[8]*x + a[9]*y + a[10]*z + a[11]
}

// mul returns a∘b: b applied first.
func (a affine) mul(b affine) affine {
	var c affine
	for r := 0; r < 3; r++ {
		for k := 0; k < 4; k++ {
			v := a[r*4]*b[k] + a[r*4+1]*b[4+k] + a[r*4+2]*b[8+k]
			if k == 3 {
				v += a[r*4+3]
			}
			c[r*4+k] = v
		}
	}
	return c
}

// invert returns the inverse of a, which must be a rotation (with a
// uniform scale) and a translation, as placements are.
func (a affine) invert() affine {
	s2 := a[0]*a[0] + a[4]*a[4] + a[8]*a[8]
	if s2 == 0 || math.IsNaN(s2) {
		return identity
	}
	var b affine
	for r := 0; r < 3; r++ {
		for k := 0; k < 3; k++ {
			b[r*4+k] = a[k*4+r] / s2
		}
	}
	for r := 0; r < 3; r++ {
		b[r*4+3] = -(b[r*4]*a[3] + b[r*4+1]*a[7] + b[r*4+2]*a[11])
	}
	return b
}

type vec [3]float64

func (v vec) dot(w vec) float64 { return v[0]*w[0] + v[1]*w[1] + v[2]*w[2] }
func (v vec) cross(w vec) vec {
	return vec{v[1]*w[2] - v[2]*w[1], v[2]*w[0] - v[0]*w[2], v[0]*w[1] - v[1]*w[0]}
}
func (v vec) scale(s float64) vec { return vec{v[0] * s, v[1] * s, v[2] * s} }
func (v vec) sub(w vec) vec       { return vec{v[0] - w[0], v[1] - w[1], v[2] - w[2]} }
func (v vec) unit() (vec, bool) {
	n := math.Sqrt(v.dot(v))
	if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return v, false
	}
	return v.scale(1 / n), true
}

// frame builds the placement with origin o, z axis z and x axis close to
// x, orthogonalised; a bad axis falls back to the default.
func frame(o, z, x vec) affine {
	zu, ok := z.unit()
	if !ok {
		zu = vec{0, 0, 1}
	}
	x = x.sub(zu.scale(x.dot(zu)))
	xu, ok := x.unit()
	if !ok {
		// RefDirection parallel to Axis: any perpendicular will do.
		if math.Abs(zu[0]) < 0.9 {
			xu, _ = vec{1, 0, 0}.sub(zu.scale(zu[0])).unit()
		} else {
			xu, _ = vec{0, 1, 0}.sub(zu.scale(zu[1])).unit()
		}
	}
	yu := zu.cross(xu)
	return affine{xu[0], yu[0], zu[0], o[0], xu[1], yu[1], zu[1], o[1], xu[2], yu[2], zu[2], o[2]}
}

// floats reads a list of numbers.
func floats(v step.Value) []float64 {
	l, _ := v.List()
	out := make([]float64, 0, len(l))
	for _, it := range l {
		if f, ok := it.Untyped().Float(); ok {
			out = append(out, f)
		}
	}
	return out
}

func toVec(fs []float64) vec {
	var v vec
	copy(v[:], fs)
	return v
}

// point reads an IfcCartesianPoint; ok is false for anything else.
func (m *model) point(v step.Value) (vec, bool) {
	in := m.deref(v)
	if in == nil || in.Type != "IFCCARTESIANPOINT" {
		return vec{}, false
	}
	fs := floats(in.Arg(0))
	if len(fs) < 2 {
		return vec{}, false
	}
	return toVec(fs), true
}

// direction reads an IfcDirection, or returns def.
func (m *model) direction(v step.Value, def vec) vec {
	in := m.deref(v)
	if in == nil || in.Type != "IFCDIRECTION" {
		return def
	}
	fs := floats(in.Arg(0))
	if len(fs) < 2 {
		return def
	}
	return toVec(fs)
}

// axisPlacement reads an IfcAxis2Placement3D or 2D (identity when unset).
func (m *model) axisPlacement(v step.Value) affine {
	in := m.deref(v)
	if in == nil {
		return identity
	}
	o, _ := m.point(in.Arg(0))
	switch in.Type {
	case "IFCAXIS2PLACEMENT3D":
		return frame(o, m.direction(in.Arg(1), vec{0, 0, 1}), m.direction(in.Arg(2), vec{1, 0, 0}))
	case "IFCAXIS2PLACEMENT2D":
		x := m.direction(in.Arg(1), vec{1, 0, 0})
		x[2] = 0
		return frame(o, vec{0, 0, 1}, x)
	case "IFCAXIS1PLACEMENT":
		return frame(o, m.direction(in.Arg(1), vec{0, 0, 1}), vec{1, 0, 0})
	}
	m.warn("placement " + in.Type + " not read (identity used)")
	return identity
}

// placement returns the world placement of an IfcObjectPlacement,
// following PlacementRelTo.
func (m *model) placement(v step.Value) (affine, error) {
	id, ok := v.Ref()
	if !ok {
		return identity, nil
	}
	if a, ok := m.placed[id]; ok {
		return a, nil
	}
	in := m.inst.get(id)
	if m.visiting[id] {
		return identity, m.errAt(in, modelErr("placement cycle through #%d", id))
	}
	if in.Type != "IFCLOCALPLACEMENT" {
		m.warn("placement " + in.Type + " not read (identity used)")
		m.placed[id] = identity
		return identity, nil
	}
	m.visiting[id] = true
	parent, err := m.placement(in.Arg(0))
	delete(m.visiting, id)
	if err != nil {
		return identity, err
	}
	a := parent.mul(m.axisPlacement(in.Arg(1)))
	m.placed[id] = a
	return a, nil
}

// ring is a closed ring of x, y pairs, first point not repeated.
type ring [][2]float64

// poly is an outer ring and its holes.
type poly []ring

// maxDepth bounds nested mapped items, booleans and composite curves.
const maxDepth = 16

// footprint returns the plan of a product's shape in project units:
// from a "FootPrint" representation, else the "Body", else any other.
// how says where it came from: "footprint", "extrusion", "bottom face"
// or "convex hull".
func (m *model) footprint(prod *step.Instance, world affine) ([]poly, string) {
	pds := m.deref(prod.Arg(6))
	if pds == nil {
		return nil, ""
	}
	reps, _ := pds.Arg(2).List()
	for _, want := range []string{"FOOTPRINT", "BODY", ""} {
		for _, rv := range reps {
			rep := m.deref(rv)
			if rep == nil || rep.Type != "IFCSHAPEREPRESENTATION" {
				continue
			}
			id, _ := rep.Arg(1).Text()
			id = strings.ToUpper(id)
			switch {
			case want == "" && (id == "FOOTPRINT" || id == "BODY" || id == "BOX" || id == "AXIS" || id == "ANNOTATION"):
				continue
			case want != "" && id != want:
				continue
			}
			var g geomAcc
			items, _ := rep.Arg(3).List()
			for _, it := range items {
				m.item(&g, m.deref(it), world, 0)
			}
			if polys, how := g.result(); len(polys) > 0 {
				return polys, how
			}
		}
	}
	return nil, ""
}

// geomAcc collects what a representation's items give: plan polygons
// (from profiles and closed curves) and 3D faces (from boundary
// representations and face sets).
type geomAcc struct {
	polys    []poly
	how      string
	faces    [][][]vec // faces, each its loops (outer first), in world coordinates
	extruded bool
}

func (g *geomAcc) result() ([]poly, string) {
	if len(g.polys) > 0 {
		return g.polys, g.how
	}
	if len(g.faces) == 0 {
		return nil, ""
	}
	return meshFootprint(g.faces)
}

func (m *model) item(g *geomAcc, in *step.Instance, a affine, depth int) {
	if in == nil || depth > maxDepth {
		return
	}
	switch in.Type {
	case "IFCEXTRUDEDAREASOLID", "IFCEXTRUDEDAREASOLIDTAPERED":
		a2 := a
		if !in.Arg(1).IsNull() {
			a2 = a.mul(m.axisPlacement(in.Arg(1)))
		}
		p := m.profile(m.deref(in.Arg(0)), depth+1)
		if len(p) == 0 {
			return
		}
		var out poly
		for i, r := range p {
			w := make(ring, len(r))
			for j, pt := range r {
				x, y, _ := a2.apply(pt[0], pt[1], 0)
				w[j] = [2]float64{x, y}
			}
			if i == 0 && math.Abs(ringArea(w)) < 1e-3*math.Abs(ringArea(r)) {
				// A profile in an upright plane, swept sideways: the plan
				// is the hull of the profile and its swept copy.
				d := m.direction(in.Arg(2), vec{0, 0, 1})
				depth, _ := in.Arg(3).Untyped().Float()
				d = d.scale(depth / math.Max(math.Sqrt(d.dot(d)), 1e-12))
				var pts [][2]float64
				for _, pt := range r {
					x, y, _ := a2.apply(pt[0], pt[1], 0)
					x2, y2, _ := a2.apply(pt[0]+d[0], pt[1]+d[1], d[2])
					pts = append(pts, [2]float64{x, y}, [2]float64{x2, y2})
				}
				if h := convexHull(pts); len(h) >= 3 {
					g.polys = append(g.polys, poly{h})
					g.how = "convex hull"
				}
				return
			}
			out = append(out, w)
		}
		g.polys = append(g.polys, out)
		if g.how == "" {
			g.how = "extrusion"
		}
	case "IFCGEOMETRICCURVESET", "IFCGEOMETRICSET":
		els, _ := in.Arg(0).List()
		for _, e := range els {
			r := m.curve(m.deref(e), depth+1)
			if len(r) < 3 {
				continue
			}
			w := make(ring, len(r))
			for j, pt := range r {
				x, y, _ := a.apply(pt[0], pt[1], 0)
				w[j] = [2]float64{x, y}
			}
			g.polys = append(g.polys, poly{w})
			g.how = "footprint"
		}
	case "IFCMAPPEDITEM":
		src := m.deref(in.Arg(0))
		if src == nil || src.Type != "IFCREPRESENTATIONMAP" {
			return
		}
		origin := m.axisPlacement(src.Arg(0))
		target := m.operator(m.deref(in.Arg(1)))
		a2 := a.mul(target).mul(origin.invert())
		rep := m.deref(src.Arg(1))
		if rep == nil {
			return
		}
		items, _ := rep.Arg(3).List()
		for _, it := range items {
			m.item(g, m.deref(it), a2, depth+1)
		}
	case "IFCBOOLEANCLIPPINGRESULT", "IFCBOOLEANRESULT":
		m.item(g, m.deref(in.Arg(1)), a, depth+1)
	case "IFCFACETEDBREP", "IFCFACETEDBREPWITHVOIDS", "IFCADVANCEDBREP":
		m.shell(g, m.deref(in.Arg(0)), a)
	case "IFCSHELLBASEDSURFACEMODEL", "IFCFACEBASEDSURFACEMODEL":
		shells, _ := in.Arg(0).List()
		for _, s := range shells {
			m.shell(g, m.deref(s), a)
		}
	case "IFCCLOSEDSHELL", "IFCOPENSHELL", "IFCCONNECTEDFACESET":
		m.shell(g, in, a)
	case "IFCPOLYGONALFACESET", "IFCTRIANGULATEDFACESET":
		m.faceSet(g, in, a)
	}
}

// operator reads an IfcCartesianTransformationOperator3D (or 2D).
func (m *model) operator(in *step.Instance) affine {
	if in == nil {
		return identity
	}
	o, _ := m.point(in.Arg(2))
	s, ok := in.Arg(3).Untyped().Float()
	if !ok || s <= 0 {
		s = 1
	}
	x := m.direction(in.Arg(0), vec{1, 0, 0})
	z := vec{0, 0, 1}
	if strings.HasSuffix(in.Type, "3D") || strings.HasSuffix(in.Type, "3DNONUNIFORM") {
		z = m.direction(in.Arg(4), vec{0, 0, 1})
	}
	f := frame(vec{}, z, x)
	for i := range 3 {
		for k := range 3 {
			f[i*4+k] *= s
		}
	}
	f[3], f[7], f[11] = o[0], o[1], o[2]
	return f
}

// profile returns a profile's outer ring and holes in its 2D coordinates.
func (m *model) profile(in *step.Instance, depth int) poly {
	if in == nil || depth > maxDepth {
		return nil
	}
	switch in.Type {
	case "IFCRECTANGLEPROFILEDEF", "IFCROUNDEDRECTANGLEPROFILEDEF", "IFCRECTANGLEHOLLOWPROFILEDEF":
		xd, _ := in.Arg(3).Untyped().Float()
		yd, _ := in.Arg(4).Untyped().Float()
		if xd <= 0 || yd <= 0 {
			return nil
		}
		return poly{m.place2D(in.Arg(2), ring{{-xd / 2, -yd / 2}, {xd / 2, -yd / 2}, {xd / 2, yd / 2}, {-xd / 2, yd / 2}})}
	case "IFCCIRCLEPROFILEDEF":
		r, _ := in.Arg(3).Untyped().Float()
		if r <= 0 {
			return nil
		}
		c := make(ring, 32)
		for i := range c {
			s, co := math.Sincos(2 * math.Pi * float64(i) / 32)
			c[i] = [2]float64{r * co, r * s}
		}
		return poly{m.place2D(in.Arg(2), c)}
	case "IFCARBITRARYCLOSEDPROFILEDEF", "IFCARBITRARYPROFILEDEFWITHVOIDS":
		outer := m.curve(m.deref(in.Arg(2)), depth+1)
		if len(outer) < 3 {
			return nil
		}
		p := poly{outer}
		inner, _ := in.Arg(3).List()
		for _, iv := range inner {
			if h := m.curve(m.deref(iv), depth+1); len(h) >= 3 {
				p = append(p, h)
			}
		}
		return p
	}
	return nil
}

func (m *model) place2D(v step.Value, r ring) ring {
	a := m.axisPlacement(v)
	for i, p := range r {
		x, y, _ := a.apply(p[0], p[1], 0)
		r[i] = [2]float64{x, y}
	}
	return r
}

// curve returns the points of a closed curve (x, y), the closing point
// dropped. Arcs become their end points (and an IfcArcIndex's middle
// point): a chord approximation.
func (m *model) curve(in *step.Instance, depth int) ring {
	if in == nil || depth > maxDepth {
		return nil
	}
	var r ring
	switch in.Type {
	case "IFCPOLYLINE":
		pts, _ := in.Arg(0).List()
		for _, pv := range pts {
			if p, ok := m.point(pv); ok {
				r = append(r, [2]float64{p[0], p[1]})
			}
		}
	case "IFCINDEXEDPOLYCURVE":
		pl := m.deref(in.Arg(0))
		if pl == nil {
			return nil
		}
		coords, _ := pl.Arg(0).List()
		pt := func(i int64) {
			if i >= 1 && int(i) <= len(coords) {
				if fs := floats(coords[i-1]); len(fs) >= 2 {
					r = append(r, [2]float64{fs[0], fs[1]})
				}
			}
		}
		segs, ok := in.Arg(1).List()
		if !ok {
			for i := range coords {
				pt(int64(i + 1))
			}
			break
		}
		for _, s := range segs {
			l, _ := s.Untyped().List()
			for _, iv := range l {
				if i, ok := iv.Untyped().Int(); ok {
					pt(i)
				}
			}
		}
	case "IFCCOMPOSITECURVE":
		segs, _ := in.Arg(0).List()
		for _, sv := range segs {
			s := m.deref(sv)
			if s == nil {
				continue
			}
			part := m.curve(m.deref(s.Arg(2)), depth+1)
			if same, ok := s.Arg(1).Bool(); ok && !same {
				slices.Reverse(part)
			}
			r = append(r, part...)
		}
	case "IFCTRIMMEDCURVE":
		t1, t2 := m.trimPoint(in.Arg(1)), m.trimPoint(in.Arg(2))
		if t1 == nil || t2 == nil {
			return nil
		}
		r = ring{*t1, *t2}
		if sense, ok := in.Arg(3).Bool(); ok && !sense {
			slices.Reverse(r)
		}
		return r
	default:
		return nil
	}
	return closeRing(r)
}

func (m *model) trimPoint(v step.Value) *[2]float64 {
	l, _ := v.List()
	for _, it := range l {
		if p, ok := m.point(it); ok {
			return &[2]float64{p[0], p[1]}
		}
	}
	return nil
}

// closeRing drops repeated consecutive points and the closing point.
func closeRing(r ring) ring {
	out := r[:0]
	for i, p := range r {
		if i > 0 && p == out[len(out)-1] {
			continue
		}
		out = append(out, p)
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

func ringArea(r ring) float64 {
	var s float64
	for i := range r {
		j := (i + 1) % len(r)
		s += (r[i][0]-r[0][0])*(r[j][1]-r[0][1]) - (r[j][0]-r[0][0])*(r[i][1]-r[0][1])
	}
	return s / 2
}

// polyArea is the plan area of polygons: outer rings less holes.
func polyArea(ps []poly) float64 {
	var s float64
	for _, p := range ps {
		for i, r := range p {
			if i == 0 {
				s += math.Abs(ringArea(r))
			} else {
				s -= math.Abs(ringArea(r))
			}
		}
	}
	return s
}

func (m *model) shell(g *geomAcc, in *step.Instance, a affine) {
	if in == nil {
		return
	}
	faces, _ := in.Arg(0).List()
	for _, fv := range faces {
		f := m.deref(fv)
		if f == nil {
			continue
		}
		bounds, _ := f.Arg(0).List()
		var loops [][]vec
		for _, bv := range bounds {
			b := m.deref(bv)
			if b == nil {
				continue
			}
			loop := m.deref(b.Arg(0))
			if loop == nil || loop.Type != "IFCPOLYLOOP" {
				continue
			}
			pts, _ := loop.Arg(0).List()
			var l []vec
			for _, pv := range pts {
				if p, ok := m.point(pv); ok {
					x, y, z := a.apply(p[0], p[1], p[2])
					l = append(l, vec{x, y, z})
				}
			}
			if len(l) < 3 {
				continue
			}
			if b.Type == "IFCFACEOUTERBOUND" {
				loops = append([][]vec{l}, loops...)
			} else {
				loops = append(loops, l)
			}
		}
		if len(loops) > 0 {
			g.faces = append(g.faces, loops)
		}
	}
}

func (m *model) faceSet(g *geomAcc, in *step.Instance, a affine) {
	pl := m.deref(in.Arg(0))
	if pl == nil {
		return
	}
	coords, _ := pl.Arg(0).List()
	var pn []step.Value
	if in.Type == "IFCTRIANGULATEDFACESET" {
		pn, _ = in.Arg(4).List()
		if len(pn) > 0 && pn[0].Kind == step.List {
			// The first IFC4 release's NormalIndex (a list of lists),
			// not ADD2's PnIndex.
			pn = nil
		}
	} else {
		pn, _ = in.Arg(3).List()
	}
	at := func(iv step.Value) (vec, bool) {
		i, ok := iv.Untyped().Int()
		if !ok {
			return vec{}, false
		}
		if len(pn) > 0 {
			if i < 1 || int(i) > len(pn) {
				return vec{}, false
			}
			if i, ok = pn[i-1].Untyped().Int(); !ok {
				return vec{}, false
			}
		}
		if i < 1 || int(i) > len(coords) {
			return vec{}, false
		}
		p := toVec(floats(coords[i-1]))
		x, y, z := a.apply(p[0], p[1], p[2])
		return vec{x, y, z}, true
	}
	loop := func(l []step.Value) []vec {
		var out []vec
		for _, iv := range l {
			if p, ok := at(iv); ok {
				out = append(out, p)
			}
		}
		return out
	}
	if in.Type == "IFCTRIANGULATEDFACESET" {
		tris, _ := in.Arg(3).List()
		for _, t := range tris {
			l, _ := t.List()
			if f := loop(l); len(f) >= 3 {
				g.faces = append(g.faces, [][]vec{f})
			}
		}
		return
	}
	faces, _ := in.Arg(2).List()
	for _, fv := range faces {
		f := m.deref(fv)
		if f == nil {
			continue
		}
		l, _ := f.Arg(0).List()
		outer := loop(l)
		if len(outer) < 3 {
			continue
		}
		loops := [][]vec{outer}
		inner, _ := f.Arg(1).List()
		for _, iv := range inner {
			il, _ := iv.List()
			if h := loop(il); len(h) >= 3 {
				loops = append(loops, h)
			}
		}
		g.faces = append(g.faces, loops)
	}
}

// meshFootprint returns the plan of a boundary representation: its one
// horizontal face at the lowest level when it has exactly one (a space
// modelled as a prism), else the convex hull of its vertices.
func meshFootprint(faces [][][]vec) ([]poly, string) {
	maxExt := 0.0
	lo, hi := vec{math.Inf(1), math.Inf(1), math.Inf(1)}, vec{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, f := range faces {
		for _, p := range f[0] {
			for k := range 3 {
				lo[k], hi[k] = math.Min(lo[k], p[k]), math.Max(hi[k], p[k])
			}
		}
	}
	minZ := lo[2]
	for k := range 3 {
		maxExt = math.Max(maxExt, hi[k]-lo[k])
	}
	tol := 1e-6*maxExt + 1e-9
	var bottom [][]vec
	nBottom := 0
	for _, f := range faces {
		flat := true
		for _, l := range f {
			for _, p := range l {
				if math.Abs(p[2]-minZ) > tol {
					flat = false
				}
			}
		}
		if flat {
			bottom = f
			nBottom++
		}
	}
	if nBottom == 1 {
		var p poly
		for _, l := range bottom {
			r := make(ring, len(l))
			for i, v := range l {
				r[i] = [2]float64{v[0], v[1]}
			}
			if r = closeRing(r); len(r) >= 3 {
				p = append(p, r)
			}
		}
		if len(p) > 0 && math.Abs(ringArea(p[0])) > 0 {
			return []poly{p}, "bottom face"
		}
	}
	var pts [][2]float64
	for _, f := range faces {
		for _, p := range f[0] {
			pts = append(pts, [2]float64{p[0], p[1]})
		}
	}
	h := convexHull(pts)
	if len(h) < 3 {
		return nil, ""
	}
	return []poly{{h}}, "convex hull"
}

// convexHull returns the convex hull of pts counter-clockwise (Andrew's
// monotone chain).
func convexHull(pts [][2]float64) ring {
	slices.SortFunc(pts, func(a, b [2]float64) int {
		if a[0] != b[0] {
			if a[0] < b[0] {
				return -1
			}
			return 1
		}
		switch {
		case a[1] < b[1]:
			return -1
		case a[1] > b[1]:
			return 1
		}
		return 0
	})
	pts = slices.Compact(pts)
	if len(pts) < 3 {
		return nil
	}
	cross := func(o, a, b [2]float64) float64 {
		return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
	}
	h := make(ring, 0, 2*len(pts))
	for _, p := range pts {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	for i, t := len(pts)-2, len(h)+1; i >= 0; i-- {
		p := pts[i]
		for len(h) >= t && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	return h[:len(h)-1]
}
