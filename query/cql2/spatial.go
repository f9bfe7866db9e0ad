package cql2

import (
	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

// intersecter tests geometries against one fixed geometry, the literal of
// S_INTERSECTS, with what can be prepared done once.
type intersecter struct {
	g      geom.T
	bounds cim.Box
	// box is set when the literal is a BBOX or a point (a box of no
	// size): cim.IntersectsBox then decides.
	box    *cim.Box
	points []geom.Coord // a MultiPoint's points
}

func newIntersecter(g geom.T) *intersecter {
	in := &intersecter{g: g, bounds: cim.BoundsOf(g)}
	switch t := g.(type) {
	case *geom.Point:
		b := cim.Box{MinLon: t.X(), MinLat: t.Y(), MaxLon: t.X(), MaxLat: t.Y()}
		in.box = &b
	case *geom.MultiPoint:
		in.points = t.Coords()
	}
	return in
}

// newBoxIntersecter tests against box b.
func newBoxIntersecter(g geom.T, b cim.Box) *intersecter {
	return &intersecter{g: g, bounds: b, box: &b}
}

// test reports whether f shares a point with the prepared geometry.
func (in *intersecter) test(f geom.T) bool {
	if f == nil || f.Empty() {
		return false
	}
	if in.box != nil {
		return cim.IntersectsBox(f, *in.box)
	}
	if in.points != nil {
		for _, p := range in.points {
			if cim.IntersectsBox(f, cim.Box{MinLon: p[0], MinLat: p[1], MaxLon: p[0], MaxLat: p[1]}) {
				return true
			}
		}
		return false
	}
	if !in.bounds.Intersects(cim.BoundsOf(f)) {
		return false
	}
	if p, ok := f.(*geom.Point); ok {
		return cim.IntersectsBox(in.g, cim.Box{MinLon: p.X(), MinLat: p.Y(), MaxLon: p.X(), MaxLat: p.Y()})
	}
	return intersects(f, in.g)
}

// intersects reports whether a and b, neither a point, share a point:
// a vertex of one lies in or on the other, or their edges meet.
func intersects(a, b geom.T) bool {
	if eachVertex(a, func(x, y float64) bool { return covers(b, x, y) }) {
		return true
	}
	if eachVertex(b, func(x, y float64) bool { return covers(a, x, y) }) {
		return true
	}
	return eachSegment(a, func(ax1, ay1, ax2, ay2 float64) bool {
		return eachSegment(b, func(bx1, by1, bx2, by2 float64) bool {
			return segmentsMeet(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2)
		})
	})
}

// eachVertex calls fn on every vertex of g until fn returns true.
func eachVertex(g geom.T, fn func(x, y float64) bool) bool {
	flat, stride := g.FlatCoords(), g.Stride()
	for i := 0; i+1 < len(flat); i += stride {
		if fn(flat[i], flat[i+1]) {
			return true
		}
	}
	return false
}

// ringsOf returns g's flat coordinates and the ends of its lines or rings.
func ringsOf(g geom.T) (flat []float64, ends []int, stride int) {
	flat, stride = g.FlatCoords(), g.Stride()
	switch t := g.(type) {
	case *geom.LineString:
		return flat, []int{len(flat)}, stride
	case *geom.MultiLineString:
		return flat, t.Ends(), stride
	case *geom.Polygon:
		return flat, t.Ends(), stride
	case *geom.MultiPolygon:
		for _, e := range t.Endss() {
			ends = append(ends, e...)
		}
		return flat, ends, stride
	}
	return flat, nil, stride
}

// eachSegment calls fn on every edge of g until fn returns true.
func eachSegment(g geom.T, fn func(x1, y1, x2, y2 float64) bool) bool {
	flat, ends, stride := ringsOf(g)
	start := 0
	for _, end := range ends {
		for i := start; i+stride+1 < end; i += stride {
			if fn(flat[i], flat[i+1], flat[i+stride], flat[i+stride+1]) {
				return true
			}
		}
		start = end
	}
	return false
}

// covers reports whether point (x, y) lies in or on g.
func covers(g geom.T, x, y float64) bool {
	if eachSegment(g, func(x1, y1, x2, y2 float64) bool { return onSegment(x, y, x1, y1, x2, y2) }) {
		return true
	}
	switch t := g.(type) {
	case *geom.Point:
		return t.X() == x && t.Y() == y
	case *geom.MultiPoint:
		return eachVertex(t, func(px, py float64) bool { return px == x && py == y })
	case *geom.Polygon:
		return inRings(x, y, t.FlatCoords(), t.Ends(), t.Stride())
	case *geom.MultiPolygon:
		flat, start := t.FlatCoords(), 0
		for _, ends := range t.Endss() {
			if len(ends) == 0 {
				continue
			}
			local := make([]int, len(ends))
			for i, e := range ends {
				local[i] = e - start
			}
			if inRings(x, y, flat[start:], local, t.Stride()) {
				return true
			}
			start = ends[len(ends)-1]
		}
	}
	return false
}

// inRings is the even-odd rule over one polygon's rings.
func inRings(x, y float64, flat []float64, ends []int, stride int) bool {
	in, start := false, 0
	for _, end := range ends {
		for i, j := start, end-stride; i < end; j, i = i, i+stride {
			xi, yi, xj, yj := flat[i], flat[i+1], flat[j], flat[j+1]
			if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
				in = !in
			}
		}
		start = end
	}
	return in
}

func orient(ax, ay, bx, by, cx, cy float64) float64 {
	return (bx-ax)*(cy-ay) - (by-ay)*(cx-ax)
}

func onSegment(x, y, x1, y1, x2, y2 float64) bool {
	return orient(x1, y1, x2, y2, x, y) == 0 &&
		min(x1, x2) <= x && x <= max(x1, x2) && min(y1, y2) <= y && y <= max(y1, y2)
}

// segmentsMeet reports whether segments a and b share a point, touching
// included.
func segmentsMeet(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2 float64) bool {
	d1 := orient(bx1, by1, bx2, by2, ax1, ay1)
	d2 := orient(bx1, by1, bx2, by2, ax2, ay2)
	d3 := orient(ax1, ay1, ax2, ay2, bx1, by1)
	d4 := orient(ax1, ay1, ax2, ay2, bx2, by2)
	if (d1 > 0 && d2 < 0 || d1 < 0 && d2 > 0) && (d3 > 0 && d4 < 0 || d3 < 0 && d4 > 0) {
		return true
	}
	return d1 == 0 && onSegment(ax1, ay1, bx1, by1, bx2, by2) ||
		d2 == 0 && onSegment(ax2, ay2, bx1, by1, bx2, by2) ||
		d3 == 0 && onSegment(bx1, by1, ax1, ay1, ax2, ay2) ||
		d4 == 0 && onSegment(bx2, by2, ax1, ay1, ax2, ay2)
}
