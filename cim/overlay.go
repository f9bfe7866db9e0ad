package cim

import (
	"cmp"
	"math"
	"slices"

	"github.com/twpayne/go-geom"
)

// Overlay areas: the area, on the WGS84 ellipsoid, of a boolean
// combination of polygon layers — the part of a building inside a site,
// the union of overlapping green spaces within a site, the footprint inside
// a station's 500 m circle. Only areas are computed, never the clipped
// geometry, which lets a plane sweep do it simply and exactly:
//
// Every coordinate is first projected with one Lambert azimuthal equal-area
// projection (see AreaM2), so planar areas are ellipsoidal areas. The plane
// is cut into vertical slabs at every vertex and every crossing of two
// edges. Within a slab no edges cross, so walking up through the slab's
// edges, each edge raises or lowers the winding number of its layer by one
// (rings are oriented, exterior counter-clockwise); the trapezoid between
// two consecutive edges is inside a layer where its winding number is not
// zero (the union of the layer's polygons), and counts when the caller's
// predicate holds for the layers it is inside.

// edge is a polygon edge in projected coordinates, oriented by its ring.
type edge struct {
	x1, y1, x2, y2 float64 // x1 < x2 after normalising
	w              int     // +1 if the ring runs left to right, −1 if right to left
	layer          int
}

func (e *edge) yAt(x float64) float64 {
	if x <= e.x1 {
		return e.y1
	}
	if x >= e.x2 {
		return e.y2
	}
	return e.y1 + (e.y2-e.y1)*(x-e.x1)/(e.x2-e.x1)
}

// OverlayArea returns the area in square metres of the part of the plane
// for which in(inside) holds, where inside[i] reports whether a point lies
// in the union of the polygons of layers[i]. Points, lines and empty layers
// cover nothing. For example, the area of a site covered by green is
//
//	OverlayArea([][]geom.T{{site}, greens}, func(in []bool) bool { return in[0] && in[1] })
//
// (UnionArea(greens, site) says the same, faster: see IntersectionArea.)
func OverlayArea(layers [][]geom.T, in func(inside []bool) bool) float64 {
	return overlayArea(layers, in, false)
}

// IntersectionArea returns the area in square metres of the part of the
// plane inside every one of the polygons gs. As the result lies in each of
// them, only the window where their bounds overlap is swept: the rings are
// cut to it first, so a small footprint against a 360-gon circle and a
// site sweeps a few dozen edges, not hundreds.
func IntersectionArea(gs ...geom.T) float64 {
	layers := make([][]geom.T, len(gs))
	for i, g := range gs {
		layers[i] = []geom.T{g}
	}
	return overlayArea(layers, allInside, true)
}

// UnionArea returns the area of the union of polygons, within clip if clip
// is not nil: overlaps count once.
func UnionArea(polygons []geom.T, clip geom.T) float64 {
	if clip == nil {
		return OverlayArea([][]geom.T{polygons}, func(in []bool) bool { return in[0] })
	}
	return overlayArea([][]geom.T{polygons, {clip}}, allInside, true)
}

func allInside(in []bool) bool {
	for _, b := range in {
		if !b {
			return false
		}
	}
	return true
}

// overlayArea is OverlayArea; when intersect is set, in must hold only
// inside every layer, and the rings are cut to the overlap of the layers'
// bounds before the sweep.
func overlayArea(layers [][]geom.T, in func([]bool) bool, intersect bool) float64 {
	var b Box
	first := true
	for _, l := range layers {
		for _, g := range l {
			if g == nil || len(g.FlatCoords()) == 0 {
				continue
			}
			if first {
				b, first = BoundsOf(g), false
			} else {
				b = b.Extend(BoundsOf(g))
			}
		}
	}
	if first {
		return 0
	}
	p := newLAEA((b.MinLon+b.MaxLon)/2, (b.MinLat+b.MaxLat)/2)
	rings := make([][][]float64, len(layers))
	for i, l := range layers {
		for _, g := range l {
			rings[i] = appendRings(rings[i], p, g)
		}
	}
	if intersect {
		w := window{math.Inf(-1), math.Inf(-1), math.Inf(1), math.Inf(1)}
		for _, rs := range rings {
			lb := emptyWindow()
			for _, r := range rs {
				lb = lb.extend(ringBounds(r))
			}
			w = w.meet(lb)
		}
		if !w.ok() {
			return 0 // the bounds do not overlap (or a layer is empty)
		}
		var buf []float64
		for _, rs := range rings {
			for j, r := range rs {
				rs[j], buf = w.clip(r, buf)
			}
		}
	}
	var edges []edge
	for i, rs := range rings {
		edges = appendEdges(edges, rs, i)
	}
	return sweepArea(edges, len(layers), in)
}

// appendRings adds the rings of a polygon or multipolygon, projected, as
// closed x,y lists oriented by their signed area, whatever their order in
// the source: an exterior counter-clockwise, a hole clockwise. Rings of no
// area are left out.
func appendRings(rings [][]float64, p laea, g geom.T) [][]float64 {
	add := func(flat []float64, ends []int, stride int) {
		start := 0
		for i, end := range ends {
			r := make([]float64, 0, (end-start)/stride*2)
			for k := start; k+1 < end; k += stride {
				x, y := p.project(flat[k], flat[k+1])
				r = append(r, x, y)
			}
			start = end
			if n := len(r); n >= 2 && (r[0] != r[n-2] || r[1] != r[n-1]) {
				r = append(r, r[0], r[1]) // close it
			}
			a := signedArea(r, 2)
			if a == 0 {
				continue
			}
			if (a < 0) != (i > 0) {
				slices.Reverse(r) // reverses the x,y pairs too: put them back
				for k := 0; k+1 < len(r); k += 2 {
					r[k], r[k+1] = r[k+1], r[k]
				}
			}
			rings = append(rings, r)
		}
	}
	switch g := g.(type) {
	case *geom.Polygon:
		add(g.FlatCoords(), g.Ends(), g.Stride())
	case *geom.MultiPolygon:
		start := 0
		for _, ends := range g.Endss() {
			if len(ends) == 0 {
				continue
			}
			add(g.FlatCoords()[start:], rebase(ends, start), g.Stride())
			start = ends[len(ends)-1]
		}
	}
	return rings
}

// appendEdges adds the edges of closed, oriented rings.
func appendEdges(edges []edge, rings [][]float64, layer int) []edge {
	for _, r := range rings {
		n := len(r) / 2
		for k := 0; k+1 < n; k++ {
			x1, y1, x2, y2 := r[2*k], r[2*k+1], r[2*k+2], r[2*k+3]
			if x1 == x2 {
				continue // vertical edges bound no slab
			}
			e := edge{x1, y1, x2, y2, 1, layer}
			if x1 > x2 {
				e = edge{x2, y2, x1, y1, -1, layer}
			}
			edges = append(edges, e)
		}
	}
	return edges
}

// window is an axis-aligned rectangle in projected coordinates.
type window struct{ x0, y0, x1, y1 float64 }

// clip cuts a closed ring to the window (Sutherland–Hodgman, one side at a
// time). The result may run along the window's sides both ways where the
// ring leaves and comes back; those stretches cancel in the winding numbers,
// so every point inside the window keeps its winding number. buf is
// scratch space, returned for reuse.
func (w window) clip(r, buf []float64) (out, scratch []float64) {
	// Wholly inside: nothing to cut.
	inside := true
	for k := 0; k+1 < len(r); k += 2 {
		if r[k] < w.x0 || r[k] > w.x1 || r[k+1] < w.y0 || r[k+1] > w.y1 {
			inside = false
			break
		}
	}
	if inside {
		return r, buf
	}
	cur := r[:len(r)-2] // open: the last point repeats the first
	for side := 0; side < 4 && len(cur) >= 6; side++ {
		in := func(x, y float64) bool {
			switch side {
			case 0:
				return x >= w.x0
			case 1:
				return x <= w.x1
			case 2:
				return y >= w.y0
			}
			return y <= w.y1
		}
		cut := func(ax, ay, bx, by float64) (float64, float64) {
			switch side {
			case 0, 1:
				x := w.x0
				if side == 1 {
					x = w.x1
				}
				return x, ay + (by-ay)*(x-ax)/(bx-ax)
			}
			y := w.y0
			if side == 3 {
				y = w.y1
			}
			return ax + (bx-ax)*(y-ay)/(by-ay), y
		}
		next := buf[:0]
		n := len(cur) / 2
		px, py := cur[2*n-2], cur[2*n-1]
		pin := in(px, py)
		for k := 0; k < n; k++ {
			x, y := cur[2*k], cur[2*k+1]
			xin := in(x, y)
			if xin != pin {
				cx, cy := cut(px, py, x, y)
				next = append(next, cx, cy)
			}
			if xin {
				next = append(next, x, y)
			}
			px, py, pin = x, y, xin
		}
		// cur becomes the output; its old array is the next scratch.
		if side == 0 {
			buf = nil // cur is the caller's ring: never write into it
		} else {
			buf = cur[:0]
		}
		cur = next
	}
	if len(cur) < 6 {
		return nil, buf
	}
	out = make([]float64, len(cur), len(cur)+2)
	copy(out, cur)
	return append(out, cur[0], cur[1]), buf
}

// sweepArea integrates the covered area slab by slab.
func sweepArea(edges []edge, layers int, in func([]bool) bool) float64 {
	if len(edges) == 0 {
		return 0
	}
	xs := make([]float64, 0, 2*len(edges))
	for _, e := range edges {
		xs = append(xs, e.x1, e.x2)
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	// Edges by left end, to keep an active list as the sweep moves right.
	slices.SortFunc(edges, func(a, b edge) int { return cmp.Compare(a.x1, b.x1) })
	s := &sweeper{w: make([]int, layers), inside: make([]bool, layers), in: in}
	// active stays in the order of the last slab: from one slab to the
	// next, few edges change places, so sorting it again is cheap.
	var active []*edge
	next := 0
	var area float64
	for i := 0; i+1 < len(xs); i++ {
		x0, x1 := xs[i], xs[i+1]
		keep := active[:0]
		for _, e := range active {
			if e.x2 > x0 {
				keep = append(keep, e)
			}
		}
		active = keep
		for next < len(edges) && edges[next].x1 <= x0 {
			if edges[next].x2 > x0 {
				active = append(active, &edges[next])
			}
			next++
		}
		area += s.slab(active, x0, x1, 0)
	}
	return area
}

type sweeper struct {
	w      []int
	inside []bool
	in     func([]bool) bool
	ys     []float64
}

// slab returns the covered area between x0 and x1, leaving active sorted
// by y at the middle of the slab. If edges cross inside the slab, it is
// split at the crossings first.
func (s *sweeper) slab(active []*edge, x0, x1 float64, depth int) float64 {
	if len(active) < 2 || x1 <= x0 {
		return 0
	}
	s.sortAt(active, (x0+x1)/2)
	// A crossing inside the slab shows as neighbours out of order at one
	// of its ends: split there and measure the two halves.
	if depth < 64 {
		for k := 0; k+1 < len(active); k++ {
			a, b := active[k], active[k+1]
			if a.yAt(x0) > b.yAt(x0)+tol(x0) || a.yAt(x1) > b.yAt(x1)+tol(x1) {
				if xc, ok := crossX(a, b); ok && xc > x0 && xc < x1 {
					return s.slab(active, x0, xc, depth+1) + s.slab(active, xc, x1, depth+1)
				}
			}
		}
	}
	clear(s.w)
	var area float64
	for k, e := range active {
		s.w[e.layer] += e.w
		if k+1 == len(active) {
			break
		}
		for i, w := range s.w {
			s.inside[i] = w != 0
		}
		if !s.in(s.inside) {
			continue
		}
		nxt := active[k+1]
		h0 := nxt.yAt(x0) - e.yAt(x0)
		h1 := nxt.yAt(x1) - e.yAt(x1)
		area += (h0 + h1) / 2 * (x1 - x0)
	}
	return area
}

// sortAt sorts edges by their y at x: an insertion sort, as the edges come
// nearly in order.
func (s *sweeper) sortAt(edges []*edge, x float64) {
	ys := s.ys[:0]
	for _, e := range edges {
		ys = append(ys, e.yAt(x))
	}
	s.ys = ys
	for i := 1; i < len(edges); i++ {
		y, e := ys[i], edges[i]
		j := i
		for ; j > 0 && ys[j-1] > y; j-- {
			ys[j], edges[j] = ys[j-1], edges[j-1]
		}
		ys[j], edges[j] = y, e
	}
}

// tol is the slack allowed in comparing y values near x, for rounding.
func tol(x float64) float64 { return 1e-9 * (1 + math.Abs(x)) }

// crossX returns the x where two edges' lines cross.
func crossX(a, b *edge) (float64, bool) {
	sa := (a.y2 - a.y1) / (a.x2 - a.x1)
	sb := (b.y2 - b.y1) / (b.x2 - b.x1)
	if sa == sb {
		return 0, false
	}
	// a.y1 + sa(x − a.x1) = b.y1 + sb(x − b.x1)
	x := (b.y1 - a.y1 + sa*a.x1 - sb*b.x1) / (sa - sb)
	return x, !math.IsNaN(x) && !math.IsInf(x, 0)
}

// Clip is the intersection of polygons (a site, a site and a station's
// circle) prepared for measuring many polygons against it: its rings are
// projected once, with one equal-area projection about its centre, and
// each measure cuts them to the window where they can matter. It is meant
// for areas of the size of a city; it is safe for concurrent use.
type Clip struct {
	p      laea
	layers [][]clipRing // each polygon's projected, oriented rings
	w      window       // where the polygons' bounds overlap
	deg    Box          // the same, in degrees
	empty  bool
}

type clipRing struct {
	r []float64
	b window
}

// NewClip prepares the intersection of gs.
func NewClip(gs ...geom.T) *Clip {
	var b Box
	first := true
	for _, g := range gs {
		if g == nil || len(g.FlatCoords()) == 0 {
			continue
		}
		if first {
			b, first = BoundsOf(g), false
		} else {
			b = b.Extend(BoundsOf(g))
		}
	}
	c := &Clip{w: window{math.Inf(-1), math.Inf(-1), math.Inf(1), math.Inf(1)}}
	if first || len(gs) == 0 {
		c.empty = true
		return c
	}
	c.p = newLAEA((b.MinLon+b.MaxLon)/2, (b.MinLat+b.MaxLat)/2)
	c.deg = b
	for _, g := range gs {
		if g != nil {
			gb := BoundsOf(g)
			c.deg = Box{MinLon: math.Max(c.deg.MinLon, gb.MinLon), MinLat: math.Max(c.deg.MinLat, gb.MinLat),
				MaxLon: math.Min(c.deg.MaxLon, gb.MaxLon), MaxLat: math.Min(c.deg.MaxLat, gb.MaxLat)}
		}
		var layer []clipRing
		lb := emptyWindow()
		for _, r := range appendRings(nil, c.p, g) {
			rb := ringBounds(r)
			layer = append(layer, clipRing{r, rb})
			lb = lb.extend(rb)
		}
		c.layers = append(c.layers, layer)
		c.w = c.w.meet(lb)
	}
	c.empty = !c.w.ok()
	return c
}

// Area returns the area in square metres of g within the clip.
func (c *Clip) Area(g geom.T) float64 {
	return c.UnionArea([]geom.T{g})
}

// UnionArea returns the area in square metres of the union of polygons
// within the clip: overlaps count once. Polygons whose bounds overlap no
// other's are measured apart, in groups, each swept in its own small window.
func (c *Clip) UnionArea(polygons []geom.T) float64 {
	if c.empty {
		return 0
	}
	// Each polygon's rings and their bounds in the plane: edges are
	// straight there, so the bounds are exact (in degrees a long edge
	// bows away from its ends' box).
	var rings [][][]float64
	var boxes []window
	for _, g := range polygons {
		if g == nil || len(g.FlatCoords()) == 0 || !c.mayMeet(BoundsOf(g)) {
			continue
		}
		rs := appendRings(nil, c.p, g)
		b := emptyWindow()
		for _, r := range rs {
			b = b.extend(ringBounds(r))
		}
		if b.meets(c.w) {
			rings, boxes = append(rings, rs), append(boxes, b)
		}
	}
	var area float64
	for _, group := range overlapGroups(boxes) {
		var own [][]float64
		for _, i := range group {
			own = append(own, rings[i]...)
		}
		area += c.unionArea(own)
	}
	return area
}

// unionArea sweeps projected rings against the clip.
func (c *Clip) unionArea(own [][]float64) float64 {
	gb := emptyWindow()
	for _, r := range own {
		gb = gb.extend(ringBounds(r))
	}
	w := c.w.meet(gb)
	if !w.ok() {
		return 0
	}
	var buf []float64
	for j, r := range own {
		own[j], buf = w.clip(r, buf)
	}
	edges := appendEdges(nil, own, 0)
	var cut [][]float64
	for i, layer := range c.layers {
		cut = cut[:0]
		for _, cr := range layer {
			if !cr.b.meets(w) {
				continue // a ring beside the window changes no winding in it
			}
			var r []float64
			r, buf = w.clip(cr.r, buf)
			cut = append(cut, r)
		}
		edges = appendEdges(edges, cut, i+1)
	}
	return sweepArea(edges, len(c.layers)+1, allInside)
}

// overlapGroups splits boxes into groups that overlap one another
// (transitively), each group's indices in order.
func overlapGroups(boxes []window) [][]int {
	parent := make([]int, len(boxes))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	order := make([]int, len(boxes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(boxes[a].x0, boxes[b].x0) })
	var active []int
	for _, i := range order {
		bi := boxes[i]
		keep := active[:0]
		for _, j := range active {
			if boxes[j].x1 < bi.x0 {
				continue
			}
			keep = append(keep, j)
			if boxes[j].meets(bi) {
				if ri, rj := find(i), find(j); ri != rj {
					parent[ri] = rj
				}
			}
		}
		active = append(keep, i)
	}
	byRoot := map[int]int{}
	var groups [][]int
	for i := range boxes {
		r := find(i)
		k, ok := byRoot[r]
		if !ok {
			k = len(groups)
			byRoot[r] = k
			groups = append(groups, nil)
		}
		groups[k] = append(groups[k], i)
	}
	return groups
}

// mayMeet is a cheap test, in degrees, that a box may overlap the clip,
// before the exact test in the plane. An edge that is straight in the
// plane bows away from its ends' box in degrees, by about L²·tan φ / 8R
// for an edge of length L (28 cm for 5 km at 30°): the margin, 2 % of the
// boxes' extent, covers that many times over for areas of city size.
func (c *Clip) mayMeet(b Box) bool {
	d := c.deg
	m := 0.02*max(b.MaxLon-b.MinLon, b.MaxLat-b.MinLat, d.MaxLon-d.MinLon, d.MaxLat-d.MinLat) + 1e-7
	return b.MinLon <= d.MaxLon+m && d.MinLon-m <= b.MaxLon && b.MinLat <= d.MaxLat+m && d.MinLat-m <= b.MaxLat
}

func emptyWindow() window { return window{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

func (w window) ok() bool { return w.x0 < w.x1 && w.y0 < w.y1 }

func (w window) meet(o window) window {
	return window{math.Max(w.x0, o.x0), math.Max(w.y0, o.y0), math.Min(w.x1, o.x1), math.Min(w.y1, o.y1)}
}

func (w window) extend(o window) window {
	return window{math.Min(w.x0, o.x0), math.Min(w.y0, o.y0), math.Max(w.x1, o.x1), math.Max(w.y1, o.y1)}
}

func (w window) meets(o window) bool {
	return w.x0 <= o.x1 && o.x0 <= w.x1 && w.y0 <= o.y1 && o.y0 <= w.y1
}

func ringBounds(r []float64) window {
	b := emptyWindow()
	for k := 0; k+1 < len(r); k += 2 {
		b.x0, b.x1 = math.Min(b.x0, r[k]), math.Max(b.x1, r[k])
		b.y0, b.y1 = math.Min(b.y0, r[k+1]), math.Max(b.y1, r[k+1])
	}
	return b
}
