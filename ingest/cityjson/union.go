package cityjson

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
)

// gpt is a point of the footprint grid: whole multiples of the grid
// spacing, which is the file's transform scale, so that the integer
// vertices of a CityJSON file are grid points as they are. Working on
// integers makes shared edges compare equal and turns exact.
type gpt struct{ x, y int64 }

func (p gpt) less(q gpt) bool { return p.x < q.x || p.x == q.x && p.y < q.y }

func cmpGpt(p, q gpt) int {
	if c := cmp.Compare(p.x, q.x); c != 0 {
		return c
	}
	return cmp.Compare(p.y, q.y)
}

// polygon is an exterior ring and its holes. Rings are open: the first
// point is not repeated at the end.
type polygon [][]gpt

// maxUnionEdges bounds the edges left after shared edges cancel; the
// winding test that follows is quadratic in their number.
const maxUnionEdges = 20000

var errTooComplex = fmt.Errorf("footprint too complex: more than %d outline edges after merging faces", maxUnionEdges)

// orient returns the sign of the cross product (b−a)×(c−a): positive when
// a, b, c turn counter-clockwise.
func orient(a, b, c gpt) int {
	dx1, dy1, dx2, dy2 := b.x-a.x, b.y-a.y, c.x-a.x, c.y-a.y
	const lim = 1 << 31
	if abs64(dx1) < lim && abs64(dy1) < lim && abs64(dx2) < lim && abs64(dy2) < lim {
		v := dx1*dy2 - dy1*dx2
		return sign64(v)
	}
	l := new(big.Int).Mul(big.NewInt(dx1), big.NewInt(dy2))
	r := new(big.Int).Mul(big.NewInt(dy1), big.NewInt(dx2))
	return l.Cmp(r)
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func sign64(v int64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// area2 is twice the signed area of an open ring, positive when
// counter-clockwise, measured from the ring's first point to keep the
// numbers small.
func area2(r []gpt) float64 {
	if len(r) < 3 {
		return 0
	}
	o := r[0]
	var s float64
	for i := 1; i+1 < len(r); i++ {
		x1, y1 := float64(r[i].x-o.x), float64(r[i].y-o.y)
		x2, y2 := float64(r[i+1].x-o.x), float64(r[i+1].y-o.y)
		s += x1*y2 - x2*y1
	}
	return s
}

// dedupe drops repeated consecutive points and a repeated closing point.
func dedupe(r []gpt) []gpt {
	out := make([]gpt, 0, len(r))
	for _, p := range r {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

// seg is an undirected segment, a < b.
type seg struct{ a, b gpt }

// wseg is a segment with a weight: how many more times it runs a→b than
// b→a among the rings it came from.
type wseg struct {
	seg
	w int
}

// union returns the union of polygons as non-overlapping polygons, each
// an exterior ring (counter-clockwise) with its holes (clockwise).
// Polygons of any orientation are accepted: each counts as the area it
// encloses, so the faces of a 3D surface projected onto the plane, roofs
// and floors alike, union to the surface's footprint. Faces that project
// to no area (walls) drop out.
//
// The method: edges shared by two faces in opposite directions cancel
// (the whole work for a surface tiled by faces); what remains is split
// where edges cross or touch; a piece is kept as outline when the winding
// number is positive on one side of it and zero on the other; outline
// pieces are chained into rings.
func union(polys []polygon) ([]polygon, error) {
	net := map[seg]int{}
	add := func(p, q gpt) {
		switch {
		case p == q:
		case p.less(q):
			net[seg{p, q}]++
		default:
			net[seg{q, p}]--
		}
	}
	for _, poly := range polys {
		if len(poly) == 0 {
			continue
		}
		ext := dedupe(poly[0])
		a := area2(ext)
		if a == 0 {
			continue
		}
		for i, r := range poly {
			if i > 0 {
				r = dedupe(r)
				a = area2(r)
				if a == 0 {
					continue
				}
			}
			reverse := (i == 0) != (a > 0) // exteriors counter-clockwise, holes clockwise
			for k := range r {
				p, q := r[k], r[(k+1)%len(r)]
				if reverse {
					p, q = q, p
				}
				add(p, q)
			}
		}
	}
	edges := make([]wseg, 0, len(net))
	for s, w := range net {
		if w != 0 {
			edges = append(edges, wseg{s, w})
		}
	}
	if len(edges) == 0 {
		return nil, nil
	}
	if len(edges) > maxUnionEdges {
		return nil, errTooComplex
	}
	slices.SortFunc(edges, func(p, q wseg) int {
		if c := cmpGpt(p.a, q.a); c != 0 {
			return c
		}
		return cmpGpt(p.b, q.b)
	})
	// Rounding a crossing to the grid bends the edges through it a
	// little, which may make them cross others: split again until they
	// do not.
	for range 8 {
		var split bool
		edges, split = splitEdges(edges)
		if len(edges) > maxUnionEdges {
			return nil, errTooComplex
		}
		if !split {
			break
		}
	}
	var outline []seg // directed: the union lies to the left
	for i, e := range edges {
		right := windingRight(edges, i)
		left := right + e.w
		switch {
		case left > 0 && right <= 0:
			outline = append(outline, e.seg)
		case right > 0 && left <= 0:
			outline = append(outline, seg{e.b, e.a})
		}
	}
	rings, err := chain(outline)
	if err != nil {
		return nil, err
	}
	return assemble(rings), nil
}

// splitEdges splits edges where they cross or where a vertex of one lies
// on another, and merges the pieces that coincide. A crossing point is
// rounded to the grid. It reports whether it split any.
func splitEdges(edges []wseg) ([]wseg, bool) {
	cuts := make([][]gpt, len(edges))
	// edges is sorted by a, and a.x ≤ b.x: a sweep in x order.
	var active []int
	for i, e := range edges {
		keep := active[:0]
		for _, j := range active {
			if edges[j].b.x >= e.a.x {
				keep = append(keep, j)
			}
		}
		active = keep
		for _, j := range active {
			f := edges[j]
			if max(e.a.y, e.b.y) < min(f.a.y, f.b.y) || max(f.a.y, f.b.y) < min(e.a.y, e.b.y) {
				continue
			}
			o1, o2 := orient(e.a, e.b, f.a), orient(e.a, e.b, f.b)
			o3, o4 := orient(f.a, f.b, e.a), orient(f.a, f.b, e.b)
			if o1*o2 < 0 && o3*o4 < 0 {
				p := crossing(e.seg, f.seg)
				if p != e.a && p != e.b {
					cuts[i] = append(cuts[i], p)
				}
				if p != f.a && p != f.b {
					cuts[j] = append(cuts[j], p)
				}
				continue
			}
			if o1 == 0 && inside(e.seg, f.a) {
				cuts[i] = append(cuts[i], f.a)
			}
			if o2 == 0 && inside(e.seg, f.b) {
				cuts[i] = append(cuts[i], f.b)
			}
			if o3 == 0 && inside(f.seg, e.a) {
				cuts[j] = append(cuts[j], e.a)
			}
			if o4 == 0 && inside(f.seg, e.b) {
				cuts[j] = append(cuts[j], e.b)
			}
		}
		active = append(active, i)
	}
	split := false
	for _, c := range cuts {
		if len(c) > 0 {
			split = true
			break
		}
	}
	if !split {
		return edges, false
	}
	net := map[seg]int{}
	for i, e := range edges {
		c := cuts[i]
		if len(c) == 0 {
			net[e.seg] += e.w
			continue
		}
		slices.SortFunc(c, cmpGpt) // along the edge, as a < b
		c = slices.Compact(c)
		prev := e.a
		for _, p := range append(c, e.b) {
			if p == prev {
				continue
			}
			if prev.less(p) {
				net[seg{prev, p}] += e.w
			} else {
				net[seg{p, prev}] -= e.w
			}
			prev = p
		}
	}
	out := edges[:0]
	for s, w := range net {
		if w != 0 {
			out = append(out, wseg{s, w})
		}
	}
	slices.SortFunc(out, func(p, q wseg) int {
		if c := cmpGpt(p.a, q.a); c != 0 {
			return c
		}
		return cmpGpt(p.b, q.b)
	})
	return out, true
}

// inside reports whether p, collinear with s, lies strictly between its
// ends.
func inside(s seg, p gpt) bool {
	if p == s.a || p == s.b {
		return false
	}
	return min(s.a.x, s.b.x) <= p.x && p.x <= max(s.a.x, s.b.x) &&
		min(s.a.y, s.b.y) <= p.y && p.y <= max(s.a.y, s.b.y)
}

// crossing returns the grid point nearest to where s and t cross.
func crossing(s, t seg) gpt {
	dx1, dy1 := float64(s.b.x-s.a.x), float64(s.b.y-s.a.y)
	dx2, dy2 := float64(t.b.x-t.a.x), float64(t.b.y-t.a.y)
	ex, ey := float64(t.a.x-s.a.x), float64(t.a.y-s.a.y)
	u := (ex*dy2 - ey*dx2) / (dx1*dy2 - dy1*dx2)
	return gpt{s.a.x + int64(math.Round(u*dx1)), s.a.y + int64(math.Round(u*dy1))}
}

// windingRight returns the winding number of the weighted edges just to
// the right of edge i (seen from a to b), counted along a ray from the
// edge's midpoint that leaves at a right angle. No other edge passes
// through the midpoint: edges have been split where they meet.
func windingRight(edges []wseg, i int) int {
	e := edges[i]
	// Doubled coordinates keep the midpoint on the integers.
	mx, my := e.a.x+e.b.x, e.a.y+e.b.y
	dx, dy := e.b.x-e.a.x, e.b.y-e.a.y
	nx, ny := dy, -dx // the right-hand normal; (n, d) is right-handed
	w := 0
	for j, f := range edges {
		if j == i {
			continue
		}
		p1x, p1y := float64(2*f.a.x-mx), float64(2*f.a.y-my)
		p2x, p2y := float64(2*f.b.x-mx), float64(2*f.b.y-my)
		v1 := p1x*float64(dx) + p1y*float64(dy)
		v2 := p2x*float64(dx) + p2y*float64(dy)
		up := v1 <= 0 && v2 > 0
		down := v2 <= 0 && v1 > 0
		if !up && !down {
			continue
		}
		u1 := p1x*float64(nx) + p1y*float64(ny)
		u2 := p2x*float64(nx) + p2y*float64(ny)
		if u1 <= 0 && u2 <= 0 {
			continue
		}
		// The ray is u > 0 on the line v = 0: where does f meet it?
		c := u1*(v2-v1) - (u2-u1)*v1
		if (c > 0) != (v2 > v1) {
			continue
		}
		if up {
			w += f.w
		} else {
			w -= f.w
		}
	}
	return w
}

var errOpenOutline = errors.New("footprint outline does not close")

// chain joins directed outline edges into rings. Where several edges
// leave a point (rings touching there), it takes the one turning most to
// the left, which keeps each ring from crossing itself.
func chain(edges []seg) ([][]gpt, error) {
	out := map[gpt][]int{}
	for i, e := range edges {
		out[e.a] = append(out[e.a], i)
	}
	used := make([]bool, len(edges))
	var rings [][]gpt
	for start := range edges {
		if used[start] {
			continue
		}
		used[start] = true
		ring := []gpt{edges[start].a}
		cur := edges[start]
		for cur.b != edges[start].a {
			ring = append(ring, cur.b)
			if len(ring) > len(edges) {
				return nil, errOpenOutline
			}
			next, best := -1, math.Inf(1)
			back := math.Atan2(float64(cur.a.y-cur.b.y), float64(cur.a.x-cur.b.x))
			for _, k := range out[cur.b] {
				if used[k] {
					continue
				}
				e := edges[k]
				a := math.Atan2(float64(e.b.y-e.a.y), float64(e.b.x-e.a.x))
				cw := math.Mod(back-a+4*math.Pi, 2*math.Pi) // clockwise from the way back
				if cw == 0 {
					cw = 2 * math.Pi
				}
				if cw < best {
					next, best = k, cw
				}
			}
			if next < 0 {
				return nil, errOpenOutline
			}
			used[next] = true
			cur = edges[next]
		}
		rings = append(rings, ring)
	}
	return rings, nil
}

// simplify drops points where a ring goes straight on or turns back.
func simplify(r []gpt) []gpt {
	for len(r) >= 3 {
		n := len(r)
		out := make([]gpt, 0, n)
		for i := range r {
			prev := r[(i+n-1)%n]
			if len(out) > 0 {
				prev = out[len(out)-1]
			}
			if orient(prev, r[i], r[(i+1)%n]) != 0 {
				out = append(out, r[i])
			}
		}
		if len(out) == n {
			break
		}
		r = out
	}
	if len(r) < 3 || area2(r) == 0 {
		return nil
	}
	return r
}

// assemble sorts rings into exteriors and holes and gives each hole to the
// smallest exterior around it.
func assemble(rings [][]gpt) []polygon {
	var exts, holes [][]gpt
	for _, r := range rings {
		r = simplify(r)
		switch a := area2(r); {
		case a > 0:
			exts = append(exts, r)
		case a < 0:
			holes = append(holes, r)
		}
	}
	polys := make([]polygon, len(exts))
	for i, e := range exts {
		polys[i] = polygon{e}
	}
	for _, h := range holes {
		best, bestArea := -1, math.Inf(1)
		for i, e := range exts {
			if a := area2(e); a < bestArea && ringInside(h, e) {
				best, bestArea = i, a
			}
		}
		if best >= 0 {
			polys[best] = append(polys[best], h)
		}
	}
	return polys
}

// ringInside reports whether ring h lies inside ring e, judged by the
// midpoint of the first edge of h that is not on e's outline.
func ringInside(h, e []gpt) bool {
	for i := range h {
		p, q := h[i], h[(i+1)%len(h)]
		mx, my := float64(p.x)+float64(q.x-p.x)/2, float64(p.y)+float64(q.y-p.y)/2
		in, on := pointInRing(mx, my, e)
		if !on {
			return in
		}
	}
	return false
}

// pointInRing tests a point against a ring by the even-odd rule; on is
// true when the point lies on the ring's outline.
func pointInRing(x, y float64, r []gpt) (in, on bool) {
	o := r[0]
	x, y = x-float64(o.x), y-float64(o.y)
	for i := range r {
		ax, ay := float64(r[i].x-o.x), float64(r[i].y-o.y)
		b := r[(i+1)%len(r)]
		bx, by := float64(b.x-o.x), float64(b.y-o.y)
		if (bx-ax)*(y-ay)-(by-ay)*(x-ax) == 0 &&
			min(ax, bx) <= x && x <= max(ax, bx) && min(ay, by) <= y && y <= max(ay, by) {
			return false, true
		}
		if (ay > y) != (by > y) && x < ax+(y-ay)*(bx-ax)/(by-ay) {
			in = !in
		}
	}
	return in, false
}
