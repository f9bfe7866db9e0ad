package cim

import "github.com/twpayne/go-geom"

// IntersectsBox reports whether geometry g and box b share a point, as
// OGC API – Features and GDAL's spatial filter decide it: a polygon whose
// bounding box overlaps b but whose shape passes beside it does not
// intersect; a polygon that encloses b does.
func IntersectsBox(g geom.T, b Box) bool {
	if g == nil {
		return false
	}
	if !b.Intersects(BoundsOf(g)) {
		return false
	}
	if b.Contains(BoundsOf(g)) {
		return true
	}
	if c, ok := g.(*geom.GeometryCollection); ok { // its FlatCoords panics
		for _, m := range c.Geoms() {
			if IntersectsBox(m, b) {
				return true
			}
		}
		return false
	}
	flat, stride := g.FlatCoords(), g.Stride()
	switch g := g.(type) {
	case *geom.Point, *geom.MultiPoint:
		for i := 0; i+1 < len(flat); i += stride {
			if b.containsPt(flat[i], flat[i+1]) {
				return true
			}
		}
		return false
	case *geom.LineString:
		return linesIntersectBox(flat, []int{len(flat)}, stride, b)
	case *geom.MultiLineString:
		return linesIntersectBox(flat, g.Ends(), stride, b)
	case *geom.Polygon:
		return polygonIntersectsBox(flat, g.Ends(), stride, b)
	case *geom.MultiPolygon:
		start := 0
		for _, ends := range g.Endss() {
			if len(ends) == 0 {
				continue
			}
			if polygonIntersectsBox(flat[start:], rebase(ends, start), stride, b) {
				return true
			}
			start = ends[len(ends)-1]
		}
		return false
	}
	return false
}

func (b Box) containsPt(x, y float64) bool {
	return b.MinLon <= x && x <= b.MaxLon && b.MinLat <= y && y <= b.MaxLat
}

func linesIntersectBox(flat []float64, ends []int, stride int, b Box) bool {
	start := 0
	for _, end := range ends {
		if end-start == stride && b.containsPt(flat[start], flat[start+1]) {
			return true
		}
		for i := start + stride; i < end; i += stride {
			if segmentIntersectsBox(flat[i-stride], flat[i-stride+1], flat[i], flat[i+1], b) {
				return true
			}
		}
		start = end
	}
	return false
}

func polygonIntersectsBox(flat []float64, ends []int, stride int, b Box) bool {
	// An edge in or across the box, or the box inside the polygon.
	if linesIntersectBox(flat, ends, stride, b) {
		return true
	}
	return pointInPolygon(b.MinLon, b.MinLat, flat, ends, stride)
}

// pointInPolygon is the even–odd rule over all rings, so a point in a hole
// is outside.
func pointInPolygon(x, y float64, flat []float64, ends []int, stride int) bool {
	in := false
	start := 0
	for _, end := range ends {
		for i := start + stride; i < end; i += stride {
			x1, y1, x2, y2 := flat[i-stride], flat[i-stride+1], flat[i], flat[i+1]
			if (y1 > y) != (y2 > y) && x < x1+(y-y1)*(x2-x1)/(y2-y1) {
				in = !in
			}
		}
		start = end
	}
	return in
}

// segmentIntersectsBox clips the segment against b (Liang–Barsky).
func segmentIntersectsBox(x1, y1, x2, y2 float64, b Box) bool {
	if b.containsPt(x1, y1) || b.containsPt(x2, y2) {
		return true
	}
	t0, t1 := 0.0, 1.0
	dx, dy := x2-x1, y2-y1
	clip := func(p, q float64) bool {
		if p == 0 {
			return q >= 0
		}
		r := q / p
		if p < 0 {
			if r > t1 {
				return false
			}
			if r > t0 {
				t0 = r
			}
		} else {
			if r < t0 {
				return false
			}
			if r < t1 {
				t1 = r
			}
		}
		return true
	}
	return clip(-dx, x1-b.MinLon) && clip(dx, b.MaxLon-x1) && clip(-dy, y1-b.MinLat) && clip(dy, b.MaxLat-y1) && t0 <= t1
}
