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
func OverlayArea(layers [][]geom.T, in func(inside []bool) bool) float64 {
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
	var edges []edge
	for i, l := range layers {
		for _, g := range l {
			edges = appendEdges(edges, p, g, i)
		}
	}
	return sweepArea(edges, len(layers), in)
}

// IntersectionArea returns the area of a ∩ b in square metres.
func IntersectionArea(a, b geom.T) float64 {
	return OverlayArea([][]geom.T{{a}, {b}}, func(in []bool) bool { return in[0] && in[1] })
}

// UnionArea returns the area of the union of polygons, within clip if clip
// is not nil: overlaps count once.
func UnionArea(polygons []geom.T, clip geom.T) float64 {
	if clip == nil {
		return OverlayArea([][]geom.T{polygons}, func(in []bool) bool { return in[0] })
	}
	return OverlayArea([][]geom.T{polygons, {clip}}, func(in []bool) bool { return in[0] && in[1] })
}

// appendEdges adds the ring edges of a polygon or multipolygon. Rings are
// oriented by their signed area, whatever their order in the source: an
// exterior counter-clockwise, a hole clockwise.
func appendEdges(edges []edge, p laea, g geom.T, layer int) []edge {
	var rings [][]float64 // projected x,y per ring
	var holes []bool
	add := func(flat []float64, ends []int, stride int) {
		start := 0
		for i, end := range ends {
			r := make([]float64, 0, (end-start)/stride*2)
			for k := start; k+1 < end; k += stride {
				x, y := p.project(flat[k], flat[k+1])
				r = append(r, x, y)
			}
			rings, holes = append(rings, r), append(holes, i > 0)
			start = end
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
	default:
		return edges
	}
	for i, r := range rings {
		a := signedArea(r, 2)
		if a == 0 {
			continue
		}
		// Exterior rings counter-clockwise, holes clockwise.
		flip := (a < 0) != holes[i]
		n := len(r) / 2
		for k := 0; k+1 < n; k++ {
			x1, y1, x2, y2 := r[2*k], r[2*k+1], r[2*k+2], r[2*k+3]
			if flip {
				x1, y1, x2, y2 = x2, y2, x1, y1
			}
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
	byStart := slices.Clone(edges)
	slices.SortFunc(byStart, func(a, b edge) int { return cmp.Compare(a.x1, b.x1) })
	s := &sweeper{w: make([]int, layers), inside: make([]bool, layers), in: in}
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
		for next < len(byStart) && byStart[next].x1 <= x0 {
			if byStart[next].x2 > x0 {
				active = append(active, &byStart[next])
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
	order  []*edge
}

// slab returns the covered area between x0 and x1. If edges cross inside
// the slab, it is split at the crossings first.
func (s *sweeper) slab(active []*edge, x0, x1 float64, depth int) float64 {
	if len(active) < 2 || x1 <= x0 {
		return 0
	}
	xm := (x0 + x1) / 2
	order := append(s.order[:0], active...)
	slices.SortFunc(order, func(a, b *edge) int { return cmp.Compare(a.yAt(xm), b.yAt(xm)) })
	// A crossing inside the slab shows as neighbours out of order at one
	// of its ends: split there and measure the two halves.
	if depth < 64 {
		for k := 0; k+1 < len(order); k++ {
			a, b := order[k], order[k+1]
			if a.yAt(x0) > b.yAt(x0)+tol(x0) || a.yAt(x1) > b.yAt(x1)+tol(x1) {
				if xc, ok := crossX(a, b); ok && xc > x0 && xc < x1 {
					s.order = order
					return s.slab(active, x0, xc, depth+1) + s.slab(active, xc, x1, depth+1)
				}
			}
		}
	}
	s.order = order
	clear(s.w)
	var area float64
	for k, e := range order {
		s.w[e.layer] += e.w
		if k+1 == len(order) {
			break
		}
		for i, w := range s.w {
			s.inside[i] = w != 0
		}
		if !s.in(s.inside) {
			continue
		}
		nxt := order[k+1]
		h0 := nxt.yAt(x0) - e.yAt(x0)
		h1 := nxt.yAt(x1) - e.yAt(x1)
		area += (h0 + h1) / 2 * (x1 - x0)
	}
	return area
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
