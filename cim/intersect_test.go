package cim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/twpayne/go-geom"
)

func TestIntersectsBox(t *testing.T) {
	box := Box{0, 0, 1, 1}
	// An L: the box (2, 2, 3, 3) lies in its empty corner, inside its
	// bounding box.
	ell := poly([]float64{0, 0, 4, 0, 4, 1, 1, 1, 1, 4, 0, 4, 0, 0})
	shellWithHole := poly(rect(-5, -5, 5, 5), reversed(rect(-1, -1, 2, 2)))
	for _, c := range []struct {
		name string
		g    geom.T
		b    Box
		want bool
	}{
		{"nil", nil, box, false},
		{"point inside", geom.NewPointFlat(geom.XY, []float64{0.5, 0.5}), box, true},
		{"point outside", geom.NewPointFlat(geom.XY, []float64{1.5, 0.5}), box, false},
		{"point on the edge", geom.NewPointFlat(geom.XY, []float64{1, 0.5}), box, true},
		{"point on a corner", geom.NewPointFlat(geom.XY, []float64{0, 0}), box, true},
		{"point just outside", geom.NewPointFlat(geom.XY, []float64{math.Nextafter(1, 2), 0.5}), box, false},
		{"XYZ point inside", geom.NewPointFlat(geom.XYZ, []float64{0.5, 0.5, 100}), box, true},
		{"multipoint, one inside", geom.NewMultiPointFlat(geom.XY, []float64{-1, -1, 0.5, 0.5, 3, 3}), box, true},
		{"multipoint around the box", geom.NewMultiPointFlat(geom.XY, []float64{-1, -1, 2, 2, -1, 2, 2, -1}), box, false},
		{"XYM multipoint around the box, one inside", geom.NewMultiPointFlat(geom.XYM, []float64{-1, -1, 0, 2, 2, 0, 0.5, 0.5, 0}), box, true},
		{"line crossing the box, no vertex inside", geom.NewLineStringFlat(geom.XY, []float64{-1, 0.5, 2, 0.5}), box, true},
		{"line crossing the box diagonally", geom.NewLineStringFlat(geom.XY, []float64{-1, -0.5, 2, 1.2}), box, true},
		{"vertical line crossing the box", geom.NewLineStringFlat(geom.XY, []float64{0.5, -3, 0.5, 3}), box, true},
		{"line along an edge", geom.NewLineStringFlat(geom.XY, []float64{1, -3, 1, 3}), box, true},
		{"line touching a corner", geom.NewLineStringFlat(geom.XY, []float64{0, 2, 2, 0}), box, true},
		{"line passing a corner", geom.NewLineStringFlat(geom.XY, []float64{0, 2.01, 2.01, 0}), box, false},
		{"line beside the box, bounds overlapping", geom.NewLineStringFlat(geom.XY, []float64{0.5, 3, 3, 0.5}), box, false},
		{"line ending inside", geom.NewLineStringFlat(geom.XY, []float64{5, 5, 0.9, 0.9}), box, true},
		{"polyline around the box", geom.NewLineStringFlat(geom.XY, []float64{-1, -1, 2, -1, 2, 2, -1, 2, -1, -1}), box, false},
		{"XYZ line crossing", geom.NewLineStringFlat(geom.XYZ, []float64{-1, 0.5, 7, 2, 0.5, 7}), box, true},
		{"multilinestring, second crosses", geom.NewMultiLineStringFlat(geom.XY, []float64{-3, -3, -2, 3, -1, 0.5, 2, 0.5}, []int{4, 8}), box, true},
		{"multilinestring, none crosses", geom.NewMultiLineStringFlat(geom.XY, []float64{-3, -3, -2, 3, 1.5, -1, 1.5, 2}, []int{4, 8}), box, false},
		{"multilinestring with a one-point line inside", geom.NewMultiLineStringFlat(geom.XY, []float64{-3, -3, -2, 3, 0.5, 0.5}, []int{4, 6}), box, true},
		{"polygon containing the box", poly(rect(-1, -1, 2, 2)), box, true},
		{"clockwise polygon containing the box", poly(reversed(rect(-1, -1, 2, 2))), box, true},
		{"polygon inside the box", poly(rect(0.2, 0.2, 0.4, 0.4)), box, true},
		{"polygon overlapping the box", poly(rect(0.5, 0.5, 2, 2)), box, true},
		{"polygon sharing an edge", poly(rect(1, 0, 2, 1)), box, true},
		{"polygon sharing a corner", poly(rect(1, 1, 2, 2)), box, true},
		{"polygon beside the box", poly(rect(1.1, 0, 2, 1)), box, false},
		{"box inside a hole", shellWithHole, box, false},
		{"box inside the shell, outside the hole", shellWithHole, Box{3, 3, 4, 4}, true},
		{"box overlapping the hole", shellWithHole, Box{1.5, 1.5, 3, 3}, true},
		{"box around the hole", shellWithHole, Box{-2, -2, 3, 3}, true},
		{"box touching the hole's edge from inside", shellWithHole, Box{0, 0, 2, 1}, true},
		{"box in the empty corner of an L", ell, Box{2, 2, 3, 3}, false},
		{"box in an arm of the L", ell, Box{0.2, 2, 0.8, 3}, true},
		{"box across the inner corner of the L", ell, Box{0.5, 0.5, 1.5, 1.5}, true},
		{"box touching the inner corner of the L", ell, Box{1, 1, 2, 2}, true},
		{"point box inside the L", ell, Box{0.5, 3, 0.5, 3}, true},
		{"point box in the empty corner", ell, Box{3, 3, 3, 3}, false},
		{"XYZ polygon containing the box", geom.NewPolygonFlat(geom.XYZ, []float64{-1, -1, 0, 2, -1, 0, 2, 2, 0, -1, 2, 0, -1, -1, 0}, []int{15}), box, true},
		{"multipolygon, second part contains the box", multiPoly(poly(rect(5, 5, 6, 6)), poly(rect(-1, -1, 2, 2))), box, true},
		{"multipolygon around the box", multiPoly(poly(rect(-2, -2, -1, 3)), poly(rect(2, -2, 3, 3))), box, false},
		{"multipolygon, box in the hole of the second part", multiPoly(poly(rect(5, 5, 6, 6)), shellWithHole), box, false},
		{"multipolygon, L part", multiPoly(poly(rect(-3, -3, -2, -2)), ell), Box{2, 2, 3, 3}, false},
		{"multipolygon with an empty part", geom.NewMultiPolygonFlat(geom.XY, rect(-1, -1, 2, 2), [][]int{{}, {10}}), box, true},
		{"collection with a point inside", collection(geom.NewPointFlat(geom.XY, []float64{5, 5}), geom.NewPointFlat(geom.XY, []float64{0.5, 0.5})), box, true},
		// The members lie around the box: their joint bounds overlap it
		// but none of them does.
		{"collection around the box", collection(geom.NewPointFlat(geom.XY, []float64{-1, -1}), geom.NewPointFlat(geom.XY, []float64{2, 2})), box, false},
		{"collection with a polygon containing the box", collection(geom.NewPointFlat(geom.XY, []float64{5, 5}), poly(rect(-1, -1, 2, 2))), box, true},
		{"collection with the L", collection(geom.NewPointFlat(geom.XY, []float64{5, 5}), ell), Box{2, 2, 3, 3}, false},
		{"nested collection", collection(geom.NewPointFlat(geom.XY, []float64{5, 5}), collection(geom.NewLineStringFlat(geom.XY, []float64{-1, 0.5, 2, 0.5}))), box, true},
		{"empty collection", geom.NewGeometryCollection(), box, false},
		{"empty polygon", geom.NewPolygon(geom.XY), box, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := IntersectsBox(c.g, c.b); got != c.want {
				t.Errorf("IntersectsBox(%s, %v) = %v, want %v", c.name, c.b, got, c.want)
			}
		})
	}
}

// An independent oracle for IntersectsBox on polygons and lines: closed
// sets intersect when a vertex of one lies in the other or two edges meet.

type vec struct{ x, y float64 }

func cross(o, a, b vec) float64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func between(a, b, p vec) bool {
	return min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) && min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
}

// segmentsMeet reports whether closed segments ab and cd share a point.
func segmentsMeet(a, b, c, d vec) bool {
	o1, o2 := sign(cross(a, b, c)), sign(cross(a, b, d))
	o3, o4 := sign(cross(c, d, a)), sign(cross(c, d, b))
	if o1*o2 < 0 && o3*o4 < 0 {
		return true
	}
	return (o1 == 0 && between(a, b, c)) || (o2 == 0 && between(a, b, d)) ||
		(o3 == 0 && between(c, d, a)) || (o4 == 0 && between(c, d, b))
}

// winding returns the winding number of ring around p and whether p lies
// on the ring.
func winding(ring []vec, p vec) (int, bool) {
	w := 0
	for i := 0; i+1 < len(ring); i++ {
		a, b := ring[i], ring[i+1]
		if sign(cross(a, b, p)) == 0 && between(a, b, p) {
			return 0, true
		}
		if a.y <= p.y {
			if b.y > p.y && cross(a, b, p) > 0 {
				w++
			}
		} else if b.y <= p.y && cross(a, b, p) < 0 {
			w--
		}
	}
	return w, false
}

// inPolygon: in the shell (boundary included) and not strictly in a hole.
func inPolygon(rings [][]vec, p vec) bool {
	w, on := winding(rings[0], p)
	if !on && w == 0 {
		return false
	}
	for _, h := range rings[1:] {
		if w, on := winding(h, p); !on && w != 0 {
			return false
		}
	}
	return true
}

func boxCorners(b Box) []vec {
	return []vec{{b.MinLon, b.MinLat}, {b.MaxLon, b.MinLat}, {b.MaxLon, b.MaxLat}, {b.MinLon, b.MaxLat}, {b.MinLon, b.MinLat}}
}

func inBox(b Box, p vec) bool {
	return b.MinLon <= p.x && p.x <= b.MaxLon && b.MinLat <= p.y && p.y <= b.MaxLat
}

func edgesMeetBox(line []vec, b Box) bool {
	bc := boxCorners(b)
	for i := 0; i+1 < len(line); i++ {
		for j := 0; j+1 < len(bc); j++ {
			if segmentsMeet(line[i], line[i+1], bc[j], bc[j+1]) {
				return true
			}
		}
	}
	return false
}

func oraclePolygon(rings [][]vec, b Box) bool {
	for _, r := range rings {
		if slices.ContainsFunc(r, func(p vec) bool { return inBox(b, p) }) || edgesMeetBox(r, b) {
			return true
		}
	}
	return slices.ContainsFunc(boxCorners(b), func(p vec) bool { return inPolygon(rings, p) })
}

func oracleLine(line []vec, b Box) bool {
	return slices.ContainsFunc(line, func(p vec) bool { return inBox(b, p) }) || edgesMeetBox(line, b)
}

func flatOf(ring []vec) []float64 {
	var f []float64
	for _, p := range ring {
		f = append(f, p.x, p.y)
	}
	return f
}

// starRing returns a closed counter-clockwise ring of n vertices around c
// at radii between rMin and rMax; with rMin == rMax it is convex. Grid
// snaps coordinates to integers, which makes touching cases common.
func starRing(rng *rand.Rand, c vec, n int, rMin, rMax float64, grid bool) []vec {
	angles := make([]float64, n)
	for i := range angles {
		angles[i] = rng.Float64() * 2 * math.Pi
	}
	slices.Sort(angles)
	var ring []vec
	for _, a := range angles {
		r := rMin + rng.Float64()*(rMax-rMin)
		p := vec{c.x + r*math.Cos(a), c.y + r*math.Sin(a)}
		if grid {
			p = vec{math.Round(p.x), math.Round(p.y)}
		}
		ring = append(ring, p)
	}
	return append(ring, ring[0])
}

func randomBox(rng *rand.Rand, grid bool) Box {
	coord := func() float64 {
		v := -15 + rng.Float64()*30
		if grid {
			v = math.Round(v)
		}
		return v
	}
	x0, x1, y0, y1 := coord(), coord(), coord(), coord()
	if rng.IntN(10) == 0 {
		x1 = x0 // degenerate: a line or a point
	}
	return Box{min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)}
}

func TestIntersectsBoxMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	var hits, misses, bboxOnly, skipped int
	for i := range 20000 {
		grid := i%2 == 0
		c := vec{-5 + rng.Float64()*10, -5 + rng.Float64()*10}
		var rings [][]vec
		switch i % 3 {
		case 0: // convex
			rings = [][]vec{starRing(rng, c, 3+rng.IntN(8), 8, 8, grid)}
		case 1: // concave
			rings = [][]vec{starRing(rng, c, 3+rng.IntN(12), 2, 10, grid)}
		case 2: // with a hole
			rings = [][]vec{starRing(rng, c, 5+rng.IntN(8), 7, 10, grid)}
			h := starRing(rng, c, 3+rng.IntN(6), 1, 5, grid)
			slices.Reverse(h)
			rings = append(rings, h)
		}
		var fr [][]float64
		for _, r := range rings {
			fr = append(fr, flatOf(r))
		}
		p := poly(fr...)
		if ValidateGeometry(p) != nil {
			skipped++ // rounding made it degenerate
			continue
		}
		for range 5 {
			b := randomBox(rng, grid)
			want := oraclePolygon(rings, b)
			if got := IntersectsBox(p, b); got != want {
				t.Fatalf("case %d: IntersectsBox(%v, %v) = %v, oracle says %v", i, fr, b, got, want)
			}
			if got := IntersectsBox(multiPoly(poly(rect(40, 40, 41, 41)), p), b); got != want {
				t.Fatalf("case %d: IntersectsBox(MultiPolygon with %v, %v) = %v, oracle says %v", i, fr, b, got, want)
			}
			// The shell as a line: only its edges count.
			wantLine := oracleLine(rings[0], b)
			if got := IntersectsBox(geom.NewLineStringFlat(geom.XY, fr[0]), b); got != wantLine {
				t.Fatalf("case %d: IntersectsBox(LineString %v, %v) = %v, oracle says %v", i, fr[0], b, got, wantLine)
			}
			switch {
			case want:
				hits++
			case b.Intersects(BoundsOf(p)):
				bboxOnly++
				misses++
			default:
				misses++
			}
		}
	}
	t.Logf("%d intersecting, %d not (%d of them with overlapping bounds), %d polygons skipped", hits, misses, bboxOnly, skipped)
	if hits < 10000 || bboxOnly < 2000 || skipped > 10000 {
		t.Errorf("too few cases of each kind to test anything")
	}
}

func ExampleIntersectsBox() {
	// An L-shaped building: its bounding box is (0, 0)–(4, 4), but the
	// square (2, 2)–(3, 3) is in its empty corner.
	ell := geom.NewPolygonFlat(geom.XY, []float64{0, 0, 4, 0, 4, 1, 1, 1, 1, 4, 0, 4, 0, 0}, []int{14})
	fmt.Println(IntersectsBox(ell, Box{MinLon: 2, MinLat: 2, MaxLon: 3, MaxLat: 3}))
	fmt.Println(IntersectsBox(ell, Box{MinLon: 0.2, MinLat: 2, MaxLon: 0.8, MaxLat: 3}))
	// A box inside a polygon intersects it though no vertex is in the box.
	fmt.Println(IntersectsBox(ell, Box{MinLon: 0.4, MinLat: 0.4, MaxLon: 0.6, MaxLat: 0.6}))
	// Output:
	// false
	// true
	// true
}
