package cim

import (
	"math"
	"slices"

	"github.com/twpayne/go-geom"
)

// PointInside returns a point inside every one of the polygons gs (each a
// Polygon or MultiPolygon; holes are outside): the part of a building
// within a site, say, where only its area is otherwise known (see Clip).
// It looks along parallels through the band of latitudes where the
// bounds of gs overlap, the middle one first, and takes the middle of the
// widest stretch inside them all, on the parallel nearest the band's
// middle among the widest; for rectangles it is the centre of their
// intersection. ok is false when no parallel it tries meets a common
// part: gs do not overlap, or overlap in a sliver thinner than 1/255 of
// the band.
func PointInside(gs ...geom.T) (lon, lat float64, ok bool) {
	if len(gs) == 0 {
		return 0, 0, false
	}
	var b Box
	for i, g := range gs {
		if !isPolygonal(g) || len(g.FlatCoords()) == 0 {
			return 0, 0, false
		}
		gb := BoundsOf(g)
		if i == 0 {
			b = gb
			continue
		}
		b = Box{MinLon: math.Max(b.MinLon, gb.MinLon), MinLat: math.Max(b.MinLat, gb.MinLat),
			MaxLon: math.Min(b.MaxLon, gb.MaxLon), MaxLat: math.Min(b.MaxLat, gb.MaxLat)}
	}
	if !(b.MinLon < b.MaxLon && b.MinLat < b.MaxLat) {
		return 0, 0, false
	}
	var xs, cut, next []float64
	for _, n := range []int{15, 255} { // odd, so the middle parallel is tried
		best := 0.0
		for k := range n {
			// The middle parallel, then outwards: k = 0, 1, 2… is
			// row n/2, n/2+1, n/2−1…
			row := n/2 - k/2
			if k%2 == 1 {
				row = n/2 + (k+1)/2
			}
			y := b.MinLat + (b.MaxLat-b.MinLat)*(float64(row)+0.5)/float64(n)
			cut = cut[:0]
			for i, g := range gs {
				xs = stretches(xs[:0], g, y)
				if i == 0 {
					cut = append(cut, xs...)
				} else {
					next = meet(next[:0], cut, xs)
					cut, next = next, cut
				}
				if len(cut) == 0 {
					break
				}
			}
			for i := 0; i+1 < len(cut); i += 2 {
				// A stretch too narrow for a float between its ends
				// has no middle inside.
				if w, x := cut[i+1]-cut[i], (cut[i]+cut[i+1])/2; w > best*(1+1e-9) && cut[i] < x && x < cut[i+1] {
					best, lon, lat, ok = w, x, y, true
				}
			}
		}
		if ok {
			return lon, lat, true
		}
	}
	return 0, 0, false
}

func isPolygonal(g geom.T) bool {
	switch g.(type) {
	case *geom.Polygon, *geom.MultiPolygon:
		return true
	}
	return false
}

// stretches appends to xs the sorted, disjoint stretches [x0, x1] of the
// parallel y inside g, as pairs x0, x1: the even–odd rule within each
// polygon (so holes are outside), the union over a MultiPolygon's parts.
func stretches(xs []float64, g geom.T, y float64) []float64 {
	flat, stride := g.FlatCoords(), g.Stride()
	var one []float64
	start := 0
	for _, ends := range polygonEnds(g) {
		one = one[:0]
		for _, end := range ends {
			for i := start + stride; i < end; i += stride {
				x1, y1, x2, y2 := flat[i-stride], flat[i-stride+1], flat[i], flat[i+1]
				if (y1 > y) != (y2 > y) {
					one = append(one, x1+(y-y1)*(x2-x1)/(y2-y1))
				}
			}
			start = end
		}
		slices.Sort(one)
		if len(one)%2 == 1 { // an unclosed ring: drop the odd crossing
			one = one[:len(one)-1]
		}
		if len(xs) == 0 {
			xs = append(xs, one...)
		} else {
			xs = join(xs, one)
		}
	}
	return xs
}

// join returns the union of two lists of sorted, disjoint stretches.
func join(a, b []float64) []float64 {
	all := make([][2]float64, 0, (len(a)+len(b))/2)
	for i := 0; i+1 < len(a); i += 2 {
		all = append(all, [2]float64{a[i], a[i+1]})
	}
	for i := 0; i+1 < len(b); i += 2 {
		all = append(all, [2]float64{b[i], b[i+1]})
	}
	slices.SortFunc(all, func(p, q [2]float64) int {
		switch {
		case p[0] < q[0]:
			return -1
		case p[0] > q[0]:
			return 1
		}
		return 0
	})
	out := a[:0]
	for _, s := range all {
		if n := len(out); n > 0 && s[0] <= out[n-1] {
			out[n-1] = math.Max(out[n-1], s[1])
			continue
		}
		out = append(out, s[0], s[1])
	}
	return out
}

// meet appends to out the intersection of two lists of sorted, disjoint
// stretches.
func meet(out, a, b []float64) []float64 {
	i, j := 0, 0
	for i+1 < len(a) && j+1 < len(b) {
		lo, hi := math.Max(a[i], b[j]), math.Min(a[i+1], b[j+1])
		if lo < hi {
			out = append(out, lo, hi)
		}
		if a[i+1] < b[j+1] {
			i += 2
		} else {
			j += 2
		}
	}
	return out
}
