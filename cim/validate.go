package cim

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/twpayne/go-geom"
)

// GeometryError says what is wrong with a geometry and where: the polygon
// (of a MultiPolygon), ring and vertex, counted from 0.
type GeometryError struct {
	Part, Ring, Vertex int
	Msg                string
}

func (e *GeometryError) Error() string {
	return fmt.Sprintf("polygon %d ring %d vertex %d: %s", e.Part, e.Ring, e.Vertex, e.Msg)
}

// ErrNoGeometry is returned by ValidateGeometry for a nil or empty geometry.
var ErrNoGeometry = errors.New("no geometry")

// ValidateGeometry checks that g can be stored and measured: every
// coordinate is finite and within −180…180, −90…90; lines have two or more
// distinct points; polygon rings are closed, have four or more positions,
// enclose an area, do not cross themselves or double back on themselves
// (spikes), rings of one polygon do not cross each other, and every inner
// ring (hole) lies inside the outer ring and outside the other holes: a
// hole outside its shell, one that contains the shell or equals it, and
// holes that nest, overlap or repeat one another are errors.
//
// It is more lenient than OGC simple-feature validity where real data
// needs it: a ring may touch itself or another ring at a point (Esri's
// "inverted" rings), a hole may share part of an edge with the shell or
// another hole, and the polygons of a MultiPolygon may overlap or
// nest. GDAL and PostGIS load such data too; the areas cim computes count
// overlapping parts of a MultiPolygon twice, as ST_Area does. Errors are
// *GeometryError where a position can be named.
func ValidateGeometry(g geom.T) error {
	if g == nil {
		return ErrNoGeometry
	}
	if _, ok := g.(*geom.GeometryCollection); ok {
		return fmt.Errorf("unsupported geometry type %T", g) // its FlatCoords panics
	}
	if len(g.FlatCoords()) == 0 {
		return ErrNoGeometry
	}
	flat, stride := g.FlatCoords(), g.Stride()
	for i := 0; i < len(flat); i += stride {
		x, y := flat[i], flat[i+1]
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			return fmt.Errorf("vertex %d: coordinate is not a finite number", i/stride)
		}
		if x < -180 || x > 180 || y < -90 || y > 90 {
			return fmt.Errorf("vertex %d: (%g, %g) is outside longitude −180…180, latitude −90…90", i/stride, x, y)
		}
	}
	switch g := g.(type) {
	case *geom.Point, *geom.MultiPoint:
		return nil
	case *geom.LineString:
		return validateLine(flat, stride)
	case *geom.MultiLineString:
		start := 0
		for i, end := range g.Ends() {
			if err := validateLine(flat[start:end], stride); err != nil {
				return fmt.Errorf("line %d: %w", i, err)
			}
			start = end
		}
		return nil
	case *geom.Polygon:
		return validatePolygon(0, flat, g.Ends(), stride)
	case *geom.MultiPolygon:
		start := 0
		for i, ends := range g.Endss() {
			if len(ends) == 0 {
				continue
			}
			if err := validatePolygon(i, flat[start:], rebase(ends, start), stride); err != nil {
				return err
			}
			start = ends[len(ends)-1]
		}
		return nil
	}
	return fmt.Errorf("unsupported geometry type %T", g)
}

func validateLine(flat []float64, stride int) error {
	for i := stride; i < len(flat); i += stride {
		if flat[i] != flat[0] || flat[i+1] != flat[1] {
			return nil
		}
	}
	return errors.New("a line needs two or more distinct points")
}

func validatePolygon(part int, flat []float64, ends []int, stride int) error {
	if len(ends) == 0 {
		return &GeometryError{Part: part, Msg: "polygon has no rings"}
	}
	var buf [16]segment
	segs := buf[:0]
	start := 0
	for r, end := range ends {
		ring := flat[start:end]
		n := len(ring) / stride
		if n < 4 {
			return &GeometryError{part, r, 0, fmt.Sprintf("ring has %d positions, needs 4 or more", n)}
		}
		last := len(ring) - stride
		if ring[0] != ring[last] || ring[1] != ring[last+1] {
			return &GeometryError{part, r, n - 1, fmt.Sprintf("ring is not closed: first (%g, %g) ≠ last (%g, %g)", ring[0], ring[1], ring[last], ring[last+1])}
		}
		for i := 0; i+1 < n; i++ {
			a := pt{ring[i*stride], ring[i*stride+1]}
			b := pt{ring[(i+1)*stride], ring[(i+1)*stride+1]}
			if a == b {
				continue // repeated point: harmless, Normalize drops it
			}
			to := i + 1
			if to == n-1 {
				to = 0 // the closing position is vertex 0
			}
			segs = append(segs, segment{a, b, r, i, to})
		}
		start = end
	}
	if len(segs) == 0 {
		return &GeometryError{Part: part, Msg: "polygon has no edges"}
	}
	if err := findCrossing(part, segs); err != nil {
		return err
	}
	start = 0
	for r, end := range ends {
		if signedArea(flat[start:end], stride) == 0 {
			return &GeometryError{part, r, 0, "ring encloses no area"}
		}
		start = end
	}
	if len(ends) > 1 {
		return checkHoles(part, flat, ends, stride, segs)
	}
	return nil
}

type pt struct{ x, y float64 }

type segment struct {
	a, b     pt
	ring     int
	from, to int // the indices of vertices a and b in the ring
}

// ringSegs locates the segments of one ring: segs[first : first+n].
type ringSegs struct{ first, n int }

func (r ringSegs) next(k int) int {
	if k == r.first+r.n-1 {
		return r.first
	}
	return k + 1
}

func (r ringSegs) prev(k int) int {
	if k == r.first {
		return r.first + r.n - 1
	}
	return k - 1
}

func (s segment) minX() float64 { return math.Min(s.a.x, s.b.x) }
func (s segment) maxX() float64 { return math.Max(s.a.x, s.b.x) }

// findCrossing sweeps the segments of one polygon in x order and reports
// the first pair that intersects where it must not. Small polygons, the
// common case, are checked pair by pair.
func findCrossing(part int, segs []segment) error {
	// Where each ring's segments are, for finding a segment's neighbours.
	rings := make([]ringSegs, segs[len(segs)-1].ring+1)
	for k, s := range segs {
		if rings[s.ring].n == 0 {
			rings[s.ring].first = k
		}
		rings[s.ring].n++
	}
	if len(segs) <= 32 {
		for i := range segs {
			for j := i + 1; j < len(segs); j++ {
				if segs[i].maxX() < segs[j].minX() || segs[j].maxX() < segs[i].minX() {
					continue
				}
				if err := checkPair(part, segs, i, j, rings); err != nil {
					return err
				}
			}
		}
		return nil
	}
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Compare(segs[i].minX(), segs[j].minX()) })
	var active []int
	for _, i := range order {
		s := segs[i]
		keep := active[:0]
		for _, j := range active {
			if segs[j].maxX() >= s.minX() {
				keep = append(keep, j)
			}
		}
		active = keep
		for _, j := range active {
			if err := checkPair(part, segs, i, j, rings); err != nil {
				return err
			}
		}
		active = append(active, i)
	}
	return nil
}

func checkPair(part int, segs []segment, i, j int, rings []ringSegs) error {
	if segs[i].ring > segs[j].ring {
		i, j = j, i // name the later ring, whichever path found the pair
	}
	s, t := segs[i], segs[j]
	if math.Max(s.a.y, s.b.y) < math.Min(t.a.y, t.b.y) || math.Max(t.a.y, t.b.y) < math.Min(s.a.y, s.b.y) {
		return nil
	}
	d1, d2 := orient(s.a, s.b, t.a), orient(s.a, s.b, t.b)
	d3, d4 := orient(t.a, t.b, s.a), orient(t.a, t.b, s.b)
	proper := d1*d2 < 0 && d3*d4 < 0
	if proper {
		p := crossPoint(s, t)
		if s.ring == t.ring {
			return &GeometryError{part, s.ring, min(s.from, t.from), fmt.Sprintf("ring self-intersects near (%g, %g)", p.x, p.y)}
		}
		return &GeometryError{part, t.ring, t.from, fmt.Sprintf("ring %d crosses ring %d near (%g, %g)", s.ring, t.ring, p.x, p.y)}
	}
	r := rings[s.ring]
	if s.ring == t.ring && (r.next(i) == j || r.next(j) == i) {
		// Neighbours share a vertex and may only meet there.
		if d1 == 0 && d2 == 0 && overlapBeyondVertex(s, t) {
			v := t.to // t, then s
			if r.next(i) == j {
				v = s.to
			}
			return &GeometryError{part, s.ring, v, "ring doubles back on itself (spike)"}
		}
		return nil
	}
	if d1 == 0 && d2 == 0 && collinearOverlap(s, t) {
		if s.ring == t.ring {
			return &GeometryError{part, s.ring, min(s.from, t.from), "ring runs along itself"}
		}
		return nil // rings sharing part of an edge: tolerated
	}
	// Touching at a point (an "inverted" ring, as Esri data often has) is
	// allowed; passing through that point to the other side is crossing.
	var p pt
	switch {
	case d1 == 0 && onSegment(s.a, s.b, t.a):
		p = t.a
	case d2 == 0 && onSegment(s.a, s.b, t.b):
		p = t.b
	case d3 == 0 && onSegment(t.a, t.b, s.a):
		p = s.a
	case d4 == 0 && onSegment(t.a, t.b, s.b):
		p = s.b
	default:
		return nil
	}
	a1, b1 := passThrough(segs, i, rings, p)
	a2, b2 := passThrough(segs, j, rings, p)
	if !passesCross(p, a1, b1, a2, b2) {
		return nil
	}
	if s.ring == t.ring {
		return &GeometryError{part, s.ring, min(vertexAt(s, t, p), vertexAt(t, s, p)), fmt.Sprintf("ring crosses itself at (%g, %g)", p.x, p.y)}
	}
	// Name a vertex of the later ring t: the one at p, or, when p lies
	// inside t (at a vertex of s), t's first vertex, as for a proper
	// crossing. A vertex of s would be out of place in t's ring.
	v := t.from
	if p == t.b {
		v = t.to
	}
	return &GeometryError{part, t.ring, v, fmt.Sprintf("ring %d crosses ring %d at (%g, %g)", s.ring, t.ring, p.x, p.y)}
}

// passThrough returns the positions before and after p where the ring of
// segs[k] passes through p, a point of segs[k].
func passThrough(segs []segment, k int, rings []ringSegs, p pt) (before, after pt) {
	s, r := segs[k], rings[segs[k].ring]
	switch p {
	case s.a:
		return segs[r.prev(k)].a, s.b
	case s.b:
		return s.a, segs[r.next(k)].b
	}
	return s.a, s.b
}

// passesCross reports whether the path a2→p→b2 crosses the path a1→p→b1,
// going from one side of it to the other. Paths that only touch at p, or
// share a direction out of p, do not cross.
func passesCross(p, a1, b1, a2, b2 pt) bool {
	side := func(q pt) int {
		if onRay(p, a1, q) || onRay(p, b1, q) {
			return 0
		}
		// Is q strictly inside the angle swept counter-clockwise from
		// p→a1 to p→b1?
		oq1, oq2 := orient(p, a1, q), orient(p, b1, q)
		if orient(p, a1, b1) > 0 {
			if oq1 > 0 && oq2 < 0 {
				return 1
			}
		} else if oq1 > 0 || oq2 < 0 {
			return 1
		}
		return -1
	}
	sa, sb := side(a2), side(b2)
	return sa != 0 && sb != 0 && sa != sb
}

// onRay reports whether q lies on the ray from p through u.
func onRay(p, u, q pt) bool {
	return orient(p, u, q) == 0 && (u.x-p.x)*(q.x-p.x)+(u.y-p.y)*(q.y-p.y) > 0
}

// vertexAt returns the index of the vertex of s at p, or, when p lies inside
// s, the vertex of o at p. s and o must be of one ring.
func vertexAt(s, o segment, p pt) int {
	switch p {
	case s.a:
		return s.from
	case s.b:
		return s.to
	case o.a:
		return o.from
	case o.b:
		return o.to
	}
	return s.from
}

// collinearOverlap reports whether two collinear segments share more than a
// point.
func collinearOverlap(s, t segment) bool {
	if math.Abs(s.b.x-s.a.x) >= math.Abs(s.b.y-s.a.y) {
		return overlap1D(s.a.x, s.b.x, t.a.x, t.b.x)
	}
	return overlap1D(s.a.y, s.b.y, t.a.y, t.b.y)
}

func overlap1D(a0, a1, b0, b1 float64) bool {
	return min(max(a0, a1), max(b0, b1)) > max(min(a0, a1), min(b0, b1))
}

// overlapBeyondVertex reports whether two collinear neighbouring segments
// overlap in more than their shared vertex.
func overlapBeyondVertex(s, t segment) bool {
	shared, sOther, tOther := s.a, s.b, t.a
	switch {
	case s.a == t.b:
		shared, sOther, tOther = s.a, s.b, t.a
	case s.b == t.a:
		shared, sOther, tOther = s.b, s.a, t.b
	default:
		return true
	}
	// Both other ends on the same side of the shared vertex = doubling back.
	dx1, dy1 := sOther.x-shared.x, sOther.y-shared.y
	dx2, dy2 := tOther.x-shared.x, tOther.y-shared.y
	return dx1*dx2+dy1*dy2 > 0
}

func orient(a, b, c pt) float64 {
	v := (b.x-a.x)*(c.y-a.y) - (b.y-a.y)*(c.x-a.x)
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func onSegment(a, b, p pt) bool {
	return math.Min(a.x, b.x) <= p.x && p.x <= math.Max(a.x, b.x) && math.Min(a.y, b.y) <= p.y && p.y <= math.Max(a.y, b.y)
}

func crossPoint(s, t segment) pt {
	rx, ry := s.b.x-s.a.x, s.b.y-s.a.y
	qx, qy := t.b.x-t.a.x, t.b.y-t.a.y
	den := rx*qy - ry*qx
	if den == 0 {
		return s.a
	}
	u := ((t.a.x-s.a.x)*qy - (t.a.y-s.a.y)*qx) / den
	return pt{s.a.x + u*rx, s.a.y + u*ry}
}

// signedArea is the planar shoelace area of a ring in degrees², positive
// when counter-clockwise.
func signedArea(ring []float64, stride int) float64 {
	n := len(ring) / stride
	var s float64
	for i := 0; i+1 < n; i++ {
		x1, y1 := ring[i*stride]-ring[0], ring[i*stride+1]-ring[1]
		x2, y2 := ring[(i+1)*stride]-ring[0], ring[(i+1)*stride+1]-ring[1]
		s += x1*y2 - x2*y1
	}
	return s / 2
}

// Normalize repairs what is harmless to repair: it drops repeated
// consecutive positions and orients polygon rings as RFC 7946 asks
// (exterior rings counter-clockwise, holes clockwise), and it drops a Z or M
// ordinate, leaving layout XY. It returns a new geometry; g is unchanged.
func Normalize(g geom.T) geom.T {
	switch g := g.(type) {
	case *geom.Point:
		return geom.NewPointFlat(geom.XY, xyOnly(g.FlatCoords(), g.Stride()))
	case *geom.MultiPoint:
		return geom.NewMultiPointFlat(geom.XY, xyOnly(g.FlatCoords(), g.Stride()))
	case *geom.LineString:
		return geom.NewLineStringFlat(geom.XY, dedupe(xyOnly(g.FlatCoords(), g.Stride())))
	case *geom.MultiLineString:
		flat, ends := normalizeRings(g.FlatCoords(), g.Ends(), g.Stride(), false)
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends)
	case *geom.Polygon:
		flat, ends := normalizeRings(g.FlatCoords(), g.Ends(), g.Stride(), true)
		return geom.NewPolygonFlat(geom.XY, flat, ends)
	case *geom.MultiPolygon:
		var flat []float64
		var endss [][]int
		start := 0
		for _, ends := range g.Endss() {
			if len(ends) == 0 {
				continue
			}
			f, e := normalizeRings(g.FlatCoords()[start:], rebase(ends, start), g.Stride(), true)
			off := len(flat)
			flat = append(flat, f...)
			for i := range e {
				e[i] += off
			}
			endss = append(endss, e)
			start = ends[len(ends)-1]
		}
		return geom.NewMultiPolygonFlat(geom.XY, flat, endss)
	}
	return g
}

func normalizeRings(flat []float64, ends []int, stride int, orientRings bool) ([]float64, []int) {
	var out []float64
	var outEnds []int
	start := 0
	for i, end := range ends {
		ring := dedupe(xyOnly(flat[start:end], stride))
		if orientRings {
			a := signedArea(ring, 2)
			if (i == 0 && a < 0) || (i > 0 && a > 0) {
				reverse(ring)
			}
		}
		out = append(out, ring...)
		outEnds = append(outEnds, len(out))
		start = end
	}
	return out, outEnds
}

func xyOnly(flat []float64, stride int) []float64 {
	out := make([]float64, 0, len(flat)/stride*2)
	for i := 0; i+1 < len(flat); i += stride {
		out = append(out, flat[i], flat[i+1])
	}
	return out
}

func dedupe(xy []float64) []float64 {
	if len(xy) < 4 {
		return xy
	}
	out := xy[:2]
	for i := 2; i+1 < len(xy); i += 2 {
		if xy[i] != out[len(out)-2] || xy[i+1] != out[len(out)-1] {
			out = append(out, xy[i], xy[i+1])
		}
	}
	return out
}

func reverse(xy []float64) {
	for i, j := 0, len(xy)-2; i < j; i, j = i+2, j-2 {
		xy[i], xy[j] = xy[j], xy[i]
		xy[i+1], xy[j+1] = xy[j+1], xy[i+1]
	}
}

// checkHoles checks, once no two rings of a polygon cross, that every hole
// (ring 1 and on) lies inside the shell (ring 0) and outside every other
// hole. Rings that do not cross lie each on one side of the other, apart
// from the points and edges they share, so a point of a hole's boundary
// off another ring's boundary tells which side the hole is on. It tests
// every vertex of each hole against the other rings by the even–odd rule
// (every vertex, not one: a hole that leaves its shell along a shared edge
// is caught at its first vertex outside); then the midpoints of its edges
// between two vertices on other rings, and, where all its vertices lie on
// one ring's boundary, of every edge. A hole whose vertices and edges all
// lie on another ring coincides with it.
//
// The tests look only at the edges of one band of latitudes, so a test
// costs about the edges that cross a parallel, not every edge of the
// polygon: a lake with thousands of islands is not quadratic.
func checkHoles(part int, flat []float64, ends []int, stride int, segs []segment) error {
	ix := newBands(segs)
	q := ringQuery{par: make([]bool, len(ends)), on: make([]bool, len(ends))}
	// The segments of ring r are segs[first[r]:first[r+1]]; every ring
	// has some, as it encloses an area.
	first := make([]int, len(ends)+1)
	for k := len(segs) - 1; k >= 0; k-- {
		first[segs[k].ring] = k
	}
	first[len(ends)] = len(segs)
	var open []int    // rings on whose boundary every point tested so far lies
	var onSome []bool // whether vertex i of the hole lies on another ring
	for h := 1; h < len(ends); h++ {
		ring := flat[ends[h-1]:ends[h]]
		onSome = onSome[:0]
		for i := 0; i < len(ring)/stride-1; i++ { // the last position repeats vertex 0
			c := pt{ring[i*stride], ring[i*stride+1]}
			q.run(ix, segs, h, c, segment{})
			if err := q.judge(part, h, i, segs[first[0]:first[1]], segs[first[h]:first[h+1]]); err != nil {
				return err
			}
			open = q.narrow(open, i == 0)
			onSome = append(onSome, q.onAny())
		}
		// An edge between two points on other rings may leave the shell
		// (across the mouth of a bay) or enter another hole.
		for k := first[h]; k < first[h+1]; k++ {
			e := segs[k]
			if len(open) == 0 && !(onSome[e.from] && onSome[e.to]) {
				continue
			}
			q.run(ix, segs, h, pt{(e.a.x + e.b.x) / 2, (e.a.y + e.b.y) / 2}, e)
			if err := q.judge(part, h, e.from, segs[first[0]:first[1]], segs[first[h]:first[h+1]]); err != nil {
				return err
			}
			open = q.narrow(open, false)
		}
		for _, o := range open {
			switch {
			case o == 0:
				return &GeometryError{part, h, 0, fmt.Sprintf("inner ring %d coincides with the outer ring", h)}
			case o < h:
				return &GeometryError{part, h, 0, fmt.Sprintf("inner ring %d coincides with inner ring %d", h, o)}
			}
		}
	}
	return nil
}

// ringQuery holds what a test of one point found about each ring: whether
// the point is on the ring's boundary, and if not whether it is inside.
type ringQuery struct {
	par, on []bool
	touched []int // the rings whose par or on is set
}

// run tests c against every ring but ring h. Where c is the midpoint of
// the edge e, an edge collinear with e that spans c has c on it, whatever
// rounding did to the midpoint.
func (q *ringQuery) run(ix *bands, segs []segment, h int, c pt, e segment) {
	for _, r := range q.touched {
		q.par[r], q.on[r] = false, false
	}
	q.touched = q.touched[:0]
	mid := e.a != e.b
	for _, k := range ix.at(c.y) {
		s := segs[k]
		if s.ring == h || q.on[s.ring] {
			continue
		}
		// Edges west of c, above or below it neither hold c nor cross the
		// ray east of it.
		if (s.a.x < c.x && s.b.x < c.x) || (s.a.y < c.y && s.b.y < c.y) || (s.a.y > c.y && s.b.y > c.y) {
			continue
		}
		d := orient(s.a, s.b, c)
		if (d == 0 || mid && orient(s.a, s.b, e.a) == 0 && orient(s.a, s.b, e.b) == 0) && onSegment(s.a, s.b, c) {
			q.set(s.ring)
			q.on[s.ring] = true
			continue
		}
		// Even–odd along the ray east of c, counting an edge by the
		// half-open rule; c is east or west of it as orient says, as in
		// the crossing tests.
		if (s.a.y > c.y) != (s.b.y > c.y) && (d > 0) == (s.b.y > s.a.y) && d != 0 {
			q.set(s.ring)
			q.par[s.ring] = !q.par[s.ring]
		}
	}
}

// onAny reports whether the last test's point is on a ring's boundary.
func (q *ringQuery) onAny() bool {
	for _, r := range q.touched {
		if q.on[r] {
			return true
		}
	}
	return false
}

func (q *ringQuery) set(r int) {
	if !q.par[r] && !q.on[r] {
		q.touched = append(q.touched, r)
	}
}

// judge returns the error the last test shows for vertex v of hole h:
// a point outside the shell, or inside another hole. shell and hole hold
// the segments of ring 0 and of ring h.
func (q *ringQuery) judge(part, h, v int, shell, hole []segment) error {
	if !q.on[0] && !q.par[0] {
		// Outside the shell: is the shell inside the hole?
		for _, s := range shell {
			if on, in := inRing(s.a, hole); !on {
				if in {
					return &GeometryError{part, h, v, fmt.Sprintf("inner ring %d contains the outer ring", h)}
				}
				break
			}
		}
		return &GeometryError{part, h, v, fmt.Sprintf("inner ring %d lies outside the outer ring", h)}
	}
	for _, r := range q.touched {
		if r != 0 && q.par[r] && !q.on[r] {
			return &GeometryError{part, h, v, fmt.Sprintf("inner ring %d lies inside inner ring %d", h, r)}
		}
	}
	return nil
}

// narrow returns the rings of open whose boundary the last test's point is
// on; with restart, all such rings.
func (q *ringQuery) narrow(open []int, restart bool) []int {
	if restart {
		open = open[:0]
		for _, r := range q.touched {
			if q.on[r] && !slices.Contains(open, r) {
				open = append(open, r)
			}
		}
		return open
	}
	keep := open[:0]
	for _, r := range open {
		if q.on[r] {
			keep = append(keep, r)
		}
	}
	return keep
}

// inRing reports whether c is on the boundary of the ring of segments
// segs, and if not, whether it is inside by the even–odd rule.
func inRing(c pt, segs []segment) (on, in bool) {
	for _, s := range segs {
		if (s.a.x < c.x && s.b.x < c.x) || (s.a.y < c.y && s.b.y < c.y) || (s.a.y > c.y && s.b.y > c.y) {
			continue
		}
		d := orient(s.a, s.b, c)
		if d == 0 && onSegment(s.a, s.b, c) {
			return true, false
		}
		if (s.a.y > c.y) != (s.b.y > c.y) && d != 0 && (d > 0) == (s.b.y > s.a.y) {
			in = !in
		}
	}
	return false, in
}

// bands buckets the segments of a polygon by latitude: band b holds every
// segment whose latitudes meet the band's.
type bands struct {
	y0, scale float64 // the band of latitude y is ⌊(y − y0)·scale⌋
	n         int
	start     []int32 // band b holds idx[start[b]:start[b+1]]
	idx       []int32
}

// newBands buckets segs in about one band for every two segments, fewer
// where long segments would be copied into too many bands.
func newBands(segs []segment) *bands {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range segs {
		lo = math.Min(lo, math.Min(s.a.y, s.b.y))
		hi = math.Max(hi, math.Max(s.a.y, s.b.y))
	}
	ix := &bands{y0: lo, n: 1}
	if len(segs) > 32 && hi > lo {
		n := min(len(segs)/2, 1<<16)
		for ; n > 1; n /= 2 {
			ix.n, ix.scale = n, float64(n)/(hi-lo)
			total := 0
			for _, s := range segs {
				total += ix.band(math.Max(s.a.y, s.b.y)) - ix.band(math.Min(s.a.y, s.b.y)) + 1
			}
			if total <= 8*len(segs) {
				break
			}
		}
		ix.n, ix.scale = n, float64(n)/(hi-lo)
	}
	ix.start = make([]int32, ix.n+1)
	for _, s := range segs {
		for b := ix.band(math.Min(s.a.y, s.b.y)); b <= ix.band(math.Max(s.a.y, s.b.y)); b++ {
			ix.start[b+1]++
		}
	}
	for b := range ix.n {
		ix.start[b+1] += ix.start[b]
	}
	ix.idx = make([]int32, ix.start[ix.n])
	fill := slices.Clone(ix.start[:ix.n])
	for k, s := range segs {
		for b := ix.band(math.Min(s.a.y, s.b.y)); b <= ix.band(math.Max(s.a.y, s.b.y)); b++ {
			ix.idx[fill[b]] = int32(k)
			fill[b]++
		}
	}
	return ix
}

func (ix *bands) band(y float64) int {
	f := (y - ix.y0) * ix.scale
	switch {
	case !(f > 0): // NaN too, where scale is infinite
		return 0
	case f >= float64(ix.n):
		return ix.n - 1
	}
	return int(f)
}

// at returns the indices of the segments in the band of latitude y.
func (ix *bands) at(y float64) []int32 {
	b := ix.band(y)
	return ix.idx[ix.start[b]:ix.start[b+1]]
}
