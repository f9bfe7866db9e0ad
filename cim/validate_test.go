package cim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"
)

// wantGeomErr is the *GeometryError a case expects.
type wantGeomErr struct {
	part, ring, vertex int
	msg                string
}

func TestValidateGeometry(t *testing.T) {
	sq := rect(0, 0, 4, 4)
	hole := reversed(rect(1, 1, 2, 2))
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name string
		g    geom.T
		// One of: ok, is (a sentinel), geo (a *GeometryError), msg (a
		// plain error mentioning msg).
		ok  bool
		is  error
		geo *wantGeomErr
		msg string
	}{
		{name: "valid polygon", g: poly(sq), ok: true},
		{name: "clockwise polygon", g: poly(reversed(sq)), ok: true},
		{name: "polygon with hole", g: poly(sq, hole), ok: true},
		{name: "polygon with two holes", g: poly(sq, hole, reversed(rect(2.5, 2.5, 3, 3.5))), ok: true},
		{name: "XYZ polygon", g: geom.NewPolygonFlat(geom.XYZ, []float64{0, 0, 1, 1, 0, 2, 1, 1, 3, 0, 1, 4, 0, 0, 1}, []int{15}), ok: true},
		{name: "repeated consecutive points", g: poly([]float64{0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0}), ok: true},
		{name: "repeated closing point", g: poly([]float64{0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0}), ok: true},
		{name: "concave", g: poly([]float64{0, 0, 4, 0, 4, 4, 2, 1, 0, 4, 0, 0}), ok: true},
		{name: "unclosed ring", g: poly([]float64{0, 0, 1, 0, 1, 1, 0, 1, 0, 0.5}),
			geo: &wantGeomErr{0, 0, 4, "not closed"}},
		{name: "unclosed hole", g: poly(sq, []float64{1, 1, 1, 2, 2, 2, 2, 1, 1.5, 1}),
			geo: &wantGeomErr{0, 1, 4, "not closed"}},
		{name: "ring with 3 positions", g: poly([]float64{0, 0, 1, 0, 0, 0}),
			geo: &wantGeomErr{0, 0, 0, "3 positions"}},
		{name: "hole with 2 positions", g: poly(sq, []float64{1, 1, 1, 1}),
			geo: &wantGeomErr{0, 1, 0, "2 positions"}},
		{name: "bow-tie", g: poly([]float64{0, 0, 1, 1, 1, 0, 0, 1, 0, 0}),
			geo: &wantGeomErr{0, 0, 0, "self-intersects near (0.5, 0.5)"}},
		// Edge 3 (6,2)→(0,4) crosses edge 1 (4,0)→(4,4).
		{name: "edges 1 and 3 cross", g: poly([]float64{0, 0, 4, 0, 4, 4, 6, 2, 0, 4, 0, 0}),
			geo: &wantGeomErr{0, 0, 1, "self-intersects"}},
		// Esri's inverted ring: the shell touches itself at (2, 0) and
		// encloses a hole.
		{name: "ring touching itself at a vertex", g: poly([]float64{0, 0, 2, 0, 1, 2, 3, 2, 2, 0, 4, 0, 4, 4, 0, 4, 0, 0}), ok: true},
		{name: "ring touching an edge with a vertex", g: poly([]float64{0, 0, 4, 0, 4, 4, 3, 4, 2, 0, 1, 4, 0, 4, 0, 0}), ok: true},
		{name: "two squares touching at a corner", g: poly([]float64{0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1, 0, 1, 0, 0}), ok: true},
		{name: "hole touching the shell at a vertex", g: poly(sq, []float64{0, 2, 1, 3, 1, 1, 0, 2}), ok: true},
		{name: "hole touching the shell at a corner", g: poly(sq, []float64{0, 0, 1, 2, 2, 1, 0, 0}), ok: true},
		{name: "holes touching each other", g: poly(sq, reversed(rect(1, 1, 2, 2)), reversed(rect(2, 2, 3, 3))), ok: true},
		// A figure 8 whose loops meet at a vertex crosses itself there
		// as surely as the bow-tie does.
		{name: "ring crossing itself at a vertex", g: poly([]float64{0, 0, 1, 1, 3, 3, 3, 0, 1, 1, 0, 2, 0, 0}),
			geo: &wantGeomErr{0, 0, 1, "crosses itself at (1, 1)"}},
		{name: "ring crossing itself where corners meet", g: poly([]float64{0, 0, 1, 0, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 0, 1, 0, 0}),
			geo: &wantGeomErr{0, 0, 2, "crosses itself at (1, 1)"}},
		// The ring dips below its first edge through vertices 4 and 6,
		// which lie on that edge.
		{name: "ring crossing an edge at its vertices", g: poly([]float64{0, 0, 4, 0, 4, 4, 3, 4, 3, 0, 2.5, -1, 2, 0, 2, 4, 0, 4, 0, 0}),
			geo: &wantGeomErr{0, 0, 4, "crosses itself at (3, 0)"}},
		{name: "spike", g: poly([]float64{0, 0, 2, 0, 2, 2, 2, 3, 2, 2, 0, 2, 0, 0}),
			geo: &wantGeomErr{0, 0, 3, "spike"}},
		{name: "spike into the ring", g: poly([]float64{0, 0, 2, 0, 2, 2, 1, 2, 1, 1, 1, 2, 0, 2, 0, 0}),
			geo: &wantGeomErr{0, 0, 4, "spike"}},
		{name: "spike at the first vertex", g: poly([]float64{2, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 2, 0}),
			geo: &wantGeomErr{0, 0, 0, "spike"}},
		{name: "spike past a repeated point", g: poly([]float64{0, 0, 2, 0, 2, 2, 2, 3, 2, 3, 2, 2, 0, 2, 0, 0}),
			geo: &wantGeomErr{0, 0, 3, "spike"}},
		{name: "ring running back along itself", g: poly([]float64{0, 0, 4, 0, 4, 2, 3, 2, 3, 0, 1, 0, 1, 2, 0, 2, 0, 0}),
			geo: &wantGeomErr{0, 0, 0, "runs along itself"}},
		{name: "all collinear", g: poly([]float64{0, 0, 1, 0, 2, 0, 0, 0}),
			geo: &wantGeomErr{0, 0, 0, "spike"}},
		{name: "hole crossing the shell", g: poly(sq, reversed(rect(3, 1, 5, 2))),
			geo: &wantGeomErr{0, 1, 1, "ring 0 crosses ring 1"}},
		{name: "hole crossing the shell at its vertices", g: poly(sq, []float64{2, 1, 2, 3, 4, 3, 5, 2.5, 4, 2, 2, 1}),
			geo: &wantGeomErr{0, 1, 2, "ring 0 crosses ring 1 at (4, 3)"}},
		// The shell's vertex (5, 5) lies inside the hole's edge 1→2; the
		// hole's vertex is named, not the shell's, with or without the
		// shell's repeated points.
		{name: "hole crossing the shell at a shell vertex", g: poly([]float64{5, 5, 3, -4, -4, 3, 5, 5}, []float64{4, -4, 11, 8, 3, 4, 4, -4}),
			geo: &wantGeomErr{0, 1, 1, "ring 0 crosses ring 1 at (5, 5)"}},
		{name: "hole crossing the shell at a repeated shell vertex", g: poly([]float64{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 3, -4, -4, 3, 5, 5}, []float64{4, -4, 11, 8, 3, 4, 4, -4}),
			geo: &wantGeomErr{0, 1, 1, "ring 0 crosses ring 1 at (5, 5)"}},
		{name: "holes crossing each other", g: poly(sq, reversed(rect(1, 1, 2, 2)), reversed(rect(1.5, 1.5, 3, 3))),
			geo: &wantGeomErr{0, 2, 0, "ring 1 crosses ring 2"}},
		// Holes against the shell and each other (issue #23). The rings
		// touch at most, so only the point-in-ring tests see these.
		{name: "hole outside the shell", g: poly(sq, reversed(rect(5, 5, 6, 6))),
			geo: &wantGeomErr{0, 1, 0, "inner ring 1 lies outside the outer ring"}},
		{name: "hole outside the shell touching it at a corner", g: poly(sq, reversed(rect(4, 4, 5, 5))),
			geo: &wantGeomErr{0, 1, 1, "inner ring 1 lies outside the outer ring"}},
		{name: "second hole outside the shell", g: poly(sq, hole, reversed(rect(-3, 1, -2, 2))),
			geo: &wantGeomErr{0, 2, 0, "inner ring 2 lies outside the outer ring"}},
		{name: "hole containing the shell", g: poly(rect(1, 1, 2, 2), reversed(rect(0, 0, 4, 4))),
			geo: &wantGeomErr{0, 1, 0, "inner ring 1 contains the outer ring"}},
		{name: "hole containing the shell, sharing a corner", g: poly(rect(0, 0, 2, 2), reversed(rect(0, 0, 4, 4))),
			geo: &wantGeomErr{0, 1, 1, "inner ring 1 contains the outer ring"}},
		{name: "hole equal to the shell", g: poly(sq, reversed(sq)),
			geo: &wantGeomErr{0, 1, 0, "inner ring 1 coincides with the outer ring"}},
		{name: "hole equal to the shell, other start and extra vertices", g: poly(sq, []float64{2, 0, 4, 0, 4, 4, 0, 4, 0, 2, 0, 0, 2, 0}),
			geo: &wantGeomErr{0, 1, 0, "inner ring 1 coincides with the outer ring"}},
		{name: "hole in a hole", g: poly(rect(0, 0, 10, 10), reversed(rect(1, 1, 5, 5)), reversed(rect(2, 2, 3, 3))),
			geo: &wantGeomErr{0, 2, 0, "inner ring 2 lies inside inner ring 1"}},
		{name: "hole around an earlier hole", g: poly(rect(0, 0, 10, 10), reversed(rect(2, 2, 3, 3)), reversed(rect(1, 1, 5, 5))),
			geo: &wantGeomErr{0, 1, 0, "inner ring 1 lies inside inner ring 2"}},
		// Hole 2 shares a corner and two stretches of edge with hole 1;
		// its vertex 2, (2, 2), is inside hole 1.
		{name: "holes overlapping", g: poly(rect(0, 0, 10, 10), reversed(rect(1, 1, 3, 3)), rect(1, 1, 2, 2)),
			geo: &wantGeomErr{0, 2, 2, "inner ring 2 lies inside inner ring 1"}},
		{name: "identical holes", g: poly(sq, hole, hole),
			geo: &wantGeomErr{0, 2, 0, "inner ring 2 coincides with inner ring 1"}},
		{name: "identical holes, one reversed", g: poly(sq, hole, reversed(hole), reversed(rect(3, 3, 3.5, 3.5))),
			geo: &wantGeomErr{0, 2, 0, "inner ring 2 coincides with inner ring 1"}},
		// The hole runs along the shell's east edge from (4, 1) to (4, 2),
		// out to x = 5 and back along the edge: it touches the shell and
		// never crosses an edge, yet vertex 3 is outside.
		{name: "hole leaving the shell along its edge", g: poly(sq, []float64{3, 1, 4, 1, 4, 2, 5, 2, 5, 3, 4, 3, 4, 3.5, 3, 3.5, 3, 1}),
			geo: &wantGeomErr{0, 1, 3, "inner ring 1 lies outside the outer ring"}},
		// A U-shaped shell; the hole's vertices lie on the shell, and its
		// edge 0 spans the bay between the arms, outside.
		{name: "hole spanning a bay", g: poly([]float64{0, 0, 6, 0, 6, 6, 4, 6, 4, 2, 2, 2, 2, 6, 0, 6, 0, 0}, []float64{2, 4, 4, 4, 4, 3, 2, 3, 2, 4}),
			geo: &wantGeomErr{0, 1, 0, "inner ring 1 lies outside the outer ring"}},
		{name: "multipolygon with a stray hole in its second part", g: multiPoly(poly(sq, hole), poly(rect(10, 10, 14, 14), reversed(rect(11, 11, 12, 12)), reversed(rect(1, 1, 2, 2)))),
			geo: &wantGeomErr{1, 2, 0, "inner ring 2 lies outside the outer ring"}},
		{name: "multipolygon with nested holes in its first part", g: multiPoly(poly(rect(0, 0, 10, 10), reversed(rect(1, 1, 5, 5)), reversed(rect(2, 2, 3, 3))), poly(rect(20, 20, 21, 21))),
			geo: &wantGeomErr{0, 2, 0, "inner ring 2 lies inside inner ring 1"}},
		{name: "multipolygon, parts each with holes", g: multiPoly(poly(sq, hole, reversed(rect(3, 3, 3.5, 3.5))), poly(rect(10, 10, 14, 14), reversed(rect(11, 11, 12, 12)))), ok: true},
		// A hole may lie over another part: parts may overlap, a
		// hole is checked against its own shell only.
		{name: "multipolygon, hole of one part over another part", g: multiPoly(poly(rect(0, 0, 10, 10), reversed(rect(1, 1, 2, 2))), poly(rect(1, 1, 2, 2))), ok: true},
		{name: "hole touching the shell at one point", g: poly(sq, []float64{2, 0, 3, 1, 1, 1, 2, 0}), ok: true},
		{name: "hole touching another hole at one point", g: poly(sq, reversed(rect(1, 1, 2, 2)), []float64{2, 2, 3, 3, 3, 2, 2, 2}), ok: true},
		{name: "hole sharing an edge with the shell", g: poly(sq, reversed(rect(0, 1, 1, 2))), ok: true},
		{name: "holes sharing an edge", g: poly(sq, reversed(rect(1, 1, 2, 2)), reversed(rect(2, 1, 3, 2))), ok: true},
		{name: "hole with its vertices on the shell", g: poly(sq, []float64{2, 0, 4, 2, 0, 2, 2, 0}), ok: true},
		{name: "hole in the bay's floor", g: poly([]float64{0, 0, 6, 0, 6, 6, 4, 6, 4, 2, 2, 2, 2, 6, 0, 6, 0, 0}, []float64{2, 2, 3, 1, 4, 2, 2, 2}), ok: true},
		{name: "holes filling most of the shell", g: poly(sq, []float64{0, 0, 4, 4, 4, 0, 0, 0}, []float64{0, 0, 0, 4, 3, 4, 0, 0}), ok: true},
		{name: "hole without area", g: poly(sq, []float64{1, 1, 1, 1, 1, 1, 1, 1}),
			geo: &wantGeomErr{0, 1, 0, "no area"}},
		{name: "ring of one point", g: poly([]float64{1, 1, 1, 1, 1, 1, 1, 1}),
			geo: &wantGeomErr{0, 0, 0, "no edges"}},
		{name: "polygon without rings", g: geom.NewPolygonFlat(geom.XY, []float64{0, 0}, nil),
			geo: &wantGeomErr{0, 0, 0, "no rings"}},
		{name: "NaN", g: poly([]float64{0, 0, 1, 0, nan, 1, 0, 0}), msg: "vertex 2: coordinate is not a finite number"},
		{name: "NaN latitude", g: geom.NewPointFlat(geom.XY, []float64{0, nan}), msg: "vertex 0: coordinate is not a finite number"},
		{name: "Inf", g: geom.NewLineStringFlat(geom.XY, []float64{0, 0, inf, 1}), msg: "vertex 1: coordinate is not a finite number"},
		{name: "-Inf", g: geom.NewMultiPointFlat(geom.XY, []float64{0, 0, 1, -inf}), msg: "vertex 1: coordinate is not a finite number"},
		{name: "lon 181", g: geom.NewPointFlat(geom.XY, []float64{181, 0}), msg: "vertex 0: (181, 0) is outside"},
		{name: "lon -180.5", g: geom.NewPointFlat(geom.XY, []float64{-180.5, 0}), msg: "is outside"},
		{name: "lat -91", g: poly([]float64{0, 0, 1, 0, 1, -91, 0, 0}), msg: "vertex 2: (1, -91) is outside"},
		{name: "lat 90.0001", g: geom.NewPointFlat(geom.XY, []float64{0, 90.0001}), msg: "is outside"},
		{name: "Z is not checked", g: geom.NewPointFlat(geom.XYZ, []float64{120, 30, 1e9}), ok: true},
		{name: "bounds of the world", g: geom.NewMultiPointFlat(geom.XY, []float64{-180, -90, 180, 90}), ok: true},
		{name: "point", g: geom.NewPointFlat(geom.XY, []float64{120.15, 30.25}), ok: true},
		{name: "linestring", g: geom.NewLineStringFlat(geom.XY, []float64{0, 0, 1, 1}), ok: true},
		{name: "linestring crossing itself", g: geom.NewLineStringFlat(geom.XY, []float64{0, 0, 1, 1, 1, 0, 0, 1}), ok: true},
		{name: "linestring of equal points", g: geom.NewLineStringFlat(geom.XY, []float64{1, 1, 1, 1, 1, 1}), msg: "two or more distinct points"},
		{name: "linestring of one point", g: geom.NewLineStringFlat(geom.XY, []float64{1, 1}), msg: "two or more distinct points"},
		{name: "multilinestring", g: geom.NewMultiLineStringFlat(geom.XY, []float64{0, 0, 1, 1, 2, 2, 3, 3}, []int{4, 8}), ok: true},
		{name: "multilinestring with a degenerate line", g: geom.NewMultiLineStringFlat(geom.XY, []float64{0, 0, 1, 1, 2, 2, 2, 2}, []int{4, 8}), msg: "line 1: a line needs two or more distinct points"},
		{name: "multipolygon with overlapping parts", g: multiPoly(poly(sq), poly(rect(2, 2, 6, 6))), ok: true},
		{name: "multipolygon with nested parts", g: multiPoly(poly(sq), poly(rect(1, 1, 2, 2))), ok: true},
		{name: "multipolygon with a bad second part", g: multiPoly(poly(sq), poly([]float64{0, 0, 1, 1, 1, 0, 0, 1, 0, 0})),
			geo: &wantGeomErr{1, 0, 0, "self-intersects"}},
		{name: "multipolygon with a bad hole in its third part", g: multiPoly(poly(sq), poly(sq, hole), poly(sq, []float64{1, 1, 2, 1, 2, 2, 1, 2})),
			geo: &wantGeomErr{2, 1, 3, "not closed"}},
		{name: "multipolygon with an empty part", g: geom.NewMultiPolygonFlat(geom.XY, sq, [][]int{{}, {10}}), ok: true},
		{name: "nil", g: nil, is: ErrNoGeometry},
		{name: "empty point", g: geom.NewPointEmpty(geom.XY), is: ErrNoGeometry},
		{name: "empty polygon", g: geom.NewPolygon(geom.XY), is: ErrNoGeometry},
		{name: "empty multipolygon", g: geom.NewMultiPolygon(geom.XY), is: ErrNoGeometry},
		{name: "geometry collection", g: collection(poly(sq)), msg: "unsupported geometry type *geom.GeometryCollection"},
		{name: "empty geometry collection", g: geom.NewGeometryCollection(), msg: "unsupported geometry type"},
		{name: "linear ring", g: geom.NewLinearRingFlat(geom.XY, sq), msg: "unsupported geometry type *geom.LinearRing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateGeometry(c.g)
			var ge *GeometryError
			isGeo := errors.As(err, &ge)
			switch {
			case c.ok:
				if err != nil {
					t.Fatalf("ValidateGeometry = %v, want nil", err)
				}
			case c.is != nil:
				if !errors.Is(err, c.is) {
					t.Fatalf("ValidateGeometry = %v, want %v", err, c.is)
				}
			case c.geo != nil:
				if !isGeo {
					t.Fatalf("ValidateGeometry = %v (%T), want a *GeometryError", err, err)
				}
				if got := (wantGeomErr{ge.Part, ge.Ring, ge.Vertex, ""}); got != (wantGeomErr{c.geo.part, c.geo.ring, c.geo.vertex, ""}) {
					t.Errorf("ValidateGeometry = %q at part %d ring %d vertex %d, want part %d ring %d vertex %d",
						err, ge.Part, ge.Ring, ge.Vertex, c.geo.part, c.geo.ring, c.geo.vertex)
				}
				if !strings.Contains(err.Error(), c.geo.msg) {
					t.Errorf("ValidateGeometry = %q, want it to mention %q", err, c.geo.msg)
				}
				if want := fmt.Sprintf("polygon %d ring %d vertex %d: ", ge.Part, ge.Ring, ge.Vertex); !strings.HasPrefix(err.Error(), want) {
					t.Errorf("GeometryError %q does not start with %q", err, want)
				}
			default:
				if err == nil {
					t.Fatalf("ValidateGeometry = nil, want an error mentioning %q", c.msg)
				}
				if !strings.Contains(err.Error(), c.msg) {
					t.Errorf("ValidateGeometry = %q, want it to mention %q", err, c.msg)
				}
				if errors.Is(err, ErrNoGeometry) {
					t.Errorf("ValidateGeometry = %q wraps ErrNoGeometry", err)
				}
			}
			if !c.ok && c.geo == nil && isGeo {
				t.Errorf("ValidateGeometry = %q is a *GeometryError, want another kind", err)
			}
		})
	}
}

// circle returns a closed counter-clockwise ring of n vertices.
func circle(cx, cy, r float64, n int) []float64 {
	var ring []float64
	for i := range n {
		s, c := math.Sincos(2 * math.Pi * float64(i) / float64(n))
		ring = append(ring, cx+r*c, cy+r*s)
	}
	return append(ring, ring[0], ring[1])
}

// TestValidateGeometryLarge exercises the sweep that polygons of more than
// 32 edges take.
func TestValidateGeometryLarge(t *testing.T) {
	shell := circle(120.17, 30.27, 0.005, 200)
	swapped := slices.Clone(shell)
	// Swapping vertices 50 and 51 makes edge 49 (49→51) cross edge 51
	// (50→52).
	swapped[100], swapped[101], swapped[102], swapped[103] = swapped[102], swapped[103], swapped[100], swapped[101]
	moved := slices.Clone(shell)
	moved[2*120], moved[2*120+1] = 120.17+0.006, 30.27 // far out east, across the ring
	crossingHole := reversed(circle(120.17+0.0045, 30.27, 0.001, 64))
	for _, c := range []struct {
		name string
		g    geom.T
		want *wantGeomErr
	}{
		{"circle", poly(shell), nil},
		{"circle with a hole", poly(shell, reversed(circle(120.17, 30.27, 0.002, 100))), nil},
		{"circle with 10 small holes", func() geom.T {
			rings := [][]float64{shell}
			for i := range 10 {
				rings = append(rings, reversed(circle(120.166+0.0008*float64(i), 30.27, 0.0003, 12)))
			}
			return poly(rings...)
		}(), nil},
		{"two vertices swapped", poly(swapped), &wantGeomErr{0, 0, 49, "self-intersects"}},
		{"one vertex moved across the ring", poly(moved), &wantGeomErr{0, 0, -1, "self-intersects"}},
		{"hole crossing the shell", poly(shell, crossingHole), &wantGeomErr{0, 1, -1, "ring 0 crosses ring 1"}},
		{"multipolygon of two circles, second bad", multiPoly(poly(shell), poly(swapped)), &wantGeomErr{1, 0, 49, "self-intersects"}},
		{"spike on a circle", func() geom.T {
			// Insert a spike out of vertex 10 and back.
			s := slices.Clone(shell[:22])
			s = append(s, shell[20]+0.001, shell[21], shell[20], shell[21])
			return poly(append(s, shell[22:]...))
		}(), &wantGeomErr{0, 0, 11, "spike"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateGeometry(c.g)
			if c.want == nil {
				if err != nil {
					t.Fatalf("ValidateGeometry = %v", err)
				}
				return
			}
			var ge *GeometryError
			if !errors.As(err, &ge) {
				t.Fatalf("ValidateGeometry = %v, want a *GeometryError", err)
			}
			if ge.Part != c.want.part || ge.Ring != c.want.ring || (c.want.vertex >= 0 && ge.Vertex != c.want.vertex) {
				t.Errorf("ValidateGeometry = %q, want part %d ring %d vertex %d", err, c.want.part, c.want.ring, c.want.vertex)
			}
			if !strings.Contains(err.Error(), c.want.msg) {
				t.Errorf("ValidateGeometry = %q, want it to mention %q", err, c.want.msg)
			}
		})
	}
	t.Run("moved vertex is named", func(t *testing.T) {
		var ge *GeometryError
		if !errors.As(ValidateGeometry(poly(moved)), &ge) {
			t.Fatal("no GeometryError")
		}
		// The edges into and out of vertex 120 cross the ring; one of the
		// two, or an edge they cross on the east side, is named.
		if v := ge.Vertex; !(v == 119 || v == 120 || v < 10 || v > 190) {
			t.Errorf("GeometryError names vertex %d, far from the moved vertex 120 and the edges it crosses", v)
		}
	})
}

// subdivide splits every edge of every ring into k collinear pieces, which
// changes neither the shape nor its validity but pushes small polygons onto
// the sweep path of findCrossing.
func subdivide(p *geom.Polygon, k int) *geom.Polygon {
	var rings [][]float64
	for i := range p.NumLinearRings() {
		f := p.LinearRing(i).FlatCoords()
		var r []float64
		for j := 0; j+3 < len(f); j += 2 {
			for s := range k {
				u := float64(s) / float64(k)
				r = append(r, f[j]+u*(f[j+2]-f[j]), f[j+1]+u*(f[j+3]-f[j+1]))
			}
		}
		rings = append(rings, append(r, f[0], f[1]))
	}
	return poly(rings...)
}

// The sweep (> 32 edges) and the pairwise check (≤ 32 edges) must agree.
func TestValidateGeometrySweepAgreesWithPairwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var valid, invalid int
	for i := range 3000 {
		n := 4 + rng.IntN(5)
		var ring []float64
		for range n {
			// Integer coordinates: subdividing by 8 keeps them exact.
			ring = append(ring, float64(rng.IntN(8)), float64(rng.IntN(8)))
		}
		ring = append(ring, ring[0], ring[1])
		p := poly(ring)
		err1 := ValidateGeometry(p)
		err2 := ValidateGeometry(subdivide(p, 8))
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("case %d %v: %d edges: %v; subdivided into %d edges: %v", i, ring, n, err1, 8*n, err2)
		}
		if err1 == nil {
			valid++
		} else {
			invalid++
		}
	}
	if valid < 50 || invalid < 50 {
		t.Fatalf("only %d valid and %d invalid polygons: the test does not test", valid, invalid)
	}
}

func TestNormalize(t *testing.T) {
	cw := reversed(rect(0, 0, 4, 4))
	ccwHole := rect(1, 1, 2, 2)
	for _, c := range []struct {
		name string
		in   geom.T
		want geom.T
	}{
		{"clockwise exterior becomes counter-clockwise", poly(cw), poly(rect(0, 0, 4, 4))},
		{"counter-clockwise exterior stays", poly(rect(0, 0, 4, 4)), poly(rect(0, 0, 4, 4))},
		{"counter-clockwise hole becomes clockwise", poly(rect(0, 0, 4, 4), ccwHole), poly(rect(0, 0, 4, 4), reversed(ccwHole))},
		{"both wrong", poly(cw, ccwHole), poly(rect(0, 0, 4, 4), reversed(ccwHole))},
		{"repeated points dropped", poly([]float64{0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0}), poly(rect(0, 0, 1, 1))},
		{"XYZ to XY", geom.NewPolygonFlat(geom.XYZ, []float64{0, 0, 9, 0, 1, 9, 1, 1, 9, 1, 0, 9, 0, 0, 9}, []int{15}), poly(rect(0, 0, 1, 1))},
		{"XYM to XY", geom.NewPolygonFlat(geom.XYM, []float64{0, 0, 9, 1, 0, 9, 1, 1, 9, 0, 1, 9, 0, 0, 9}, []int{15}), poly(rect(0, 0, 1, 1))},
		{"XYZM to XY", geom.NewPolygonFlat(geom.XYZM, []float64{0, 0, 9, 8, 1, 0, 9, 8, 1, 1, 9, 8, 0, 1, 9, 8, 0, 0, 9, 8}, []int{20}), poly(rect(0, 0, 1, 1))},
		{"XYZ points keep equal XY", geom.NewLineStringFlat(geom.XYZ, []float64{0, 0, 1, 0, 0, 2, 1, 1, 3}), geom.NewLineStringFlat(geom.XY, []float64{0, 0, 1, 1})},
		{"multipolygon parts each oriented", multiPoly(poly(cw, ccwHole), poly(rect(10, 10, 11, 11)), poly(reversed(rect(20, 20, 21, 21)))),
			multiPoly(poly(rect(0, 0, 4, 4), reversed(ccwHole)), poly(rect(10, 10, 11, 11)), poly(rect(20, 20, 21, 21)))},
		{"multipolygon repeated points in a later part", multiPoly(poly(rect(0, 0, 1, 1)), poly([]float64{5, 5, 5, 5, 5, 6, 6, 6, 6, 5, 5, 5})),
			multiPoly(poly(rect(0, 0, 1, 1)), poly(rect(5, 5, 6, 6)))},
		{"multipolygon empty part dropped", geom.NewMultiPolygonFlat(geom.XY, cw, [][]int{{}, {10}}), multiPoly(poly(rect(0, 0, 4, 4)))},
		{"point", geom.NewPointFlat(geom.XYZ, []float64{1, 2, 3}), geom.NewPointFlat(geom.XY, []float64{1, 2})},
		{"multipoint keeps repeats", geom.NewMultiPointFlat(geom.XYM, []float64{1, 2, 3, 1, 2, 3}), geom.NewMultiPointFlat(geom.XY, []float64{1, 2, 1, 2})},
		{"linestring deduped, direction kept", geom.NewLineStringFlat(geom.XY, []float64{3, 3, 3, 3, 0, 0, 0, 0, 1, 0}), geom.NewLineStringFlat(geom.XY, []float64{3, 3, 0, 0, 1, 0})},
		{"multilinestring deduped, not reoriented", geom.NewMultiLineStringFlat(geom.XYZ, []float64{0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0}, []int{9, 15}),
			geom.NewMultiLineStringFlat(geom.XY, []float64{0, 0, 1, 1, 1, 0, 0, 0}, []int{4, 8})},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := slices.Clone(c.in.FlatCoords())
			got := Normalize(c.in)
			if got.Layout() != geom.XY {
				t.Errorf("layout %v, want XY", got.Layout())
			}
			if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", c.want) {
				t.Fatalf("Normalize returned %T, want %T", got, c.want)
			}
			if !slices.Equal(got.FlatCoords(), c.want.FlatCoords()) {
				t.Errorf("coordinates\n got %v\nwant %v", got.FlatCoords(), c.want.FlatCoords())
			}
			if !slices.Equal(got.Ends(), c.want.Ends()) {
				t.Errorf("ends %v, want %v", got.Ends(), c.want.Ends())
			}
			if mp, ok := got.(*geom.MultiPolygon); ok {
				if w := c.want.(*geom.MultiPolygon).Endss(); !slices.EqualFunc(mp.Endss(), w, slices.Equal) {
					t.Errorf("endss %v, want %v", mp.Endss(), w)
				}
			}
			if !slices.Equal(c.in.FlatCoords(), before) {
				t.Errorf("Normalize changed its input to %v", c.in.FlatCoords())
			}
			if got == c.in {
				t.Error("Normalize returned its input")
			}
			if err := ValidateGeometry(c.in); err == nil {
				if err := ValidateGeometry(got); err != nil {
					t.Errorf("the normalized geometry does not validate: %v", err)
				}
			}
		})
	}
}

// signedRingAreas returns the planar signed area of every ring of p.
func signedRingAreas(p *geom.Polygon) []float64 {
	var as []float64
	for i := range p.NumLinearRings() {
		as = append(as, signedArea(p.LinearRing(i).FlatCoords(), 2))
	}
	return as
}

func TestNormalizeOrientsAreaFiles(t *testing.T) {
	for _, c := range loadAreaCases(t) {
		t.Run(c.id, func(t *testing.T) {
			n := Normalize(c.g)
			for pi, p := range polygonsOf(t, n) {
				for ri, a := range signedRingAreas(p) {
					if (ri == 0) != (a > 0) {
						t.Errorf("polygon %d ring %d has signed area %g after Normalize", pi, ri, a)
					}
				}
			}
			if e := relErr(AreaM2(n), c.areaM2); e > areaTol {
				t.Errorf("AreaM2 after Normalize is off by %.3g", e)
			}
		})
	}
}

// fuzzGeometry builds a geometry from fuzzed bytes: the first byte picks
// the type and the coordinate mode, the rest are coordinates, and 0xFF
// bytes split rings. In grid mode each byte is a small integer coordinate,
// which makes touching and collinear edges likely; otherwise eight bytes are
// one float64, NaN and Inf included.
func fuzzGeometry(data []byte) geom.T {
	if len(data) == 0 {
		return nil
	}
	kind, data := data[0], data[1:]
	var rings [][]byte
	for r := range strings.SplitSeq(string(data), "\xff") {
		rings = append(rings, []byte(r))
	}
	coords := func(b []byte) []float64 {
		var out []float64
		if kind&1 == 0 {
			for _, v := range b {
				out = append(out, float64(v%16)-4)
			}
		} else {
			for len(b) >= 8 {
				out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(b)))
				b = b[8:]
			}
		}
		if len(out)%2 == 1 {
			out = out[:len(out)-1]
		}
		// Close the ring unless told not to.
		if kind&2 == 0 && len(out) >= 2 {
			out = append(out, out[0], out[1])
		}
		return out
	}
	var flat []float64
	var ends []int
	for _, r := range rings {
		flat = append(flat, coords(r)...)
		ends = append(ends, len(flat))
	}
	switch (kind >> 2) % 4 {
	case 0:
		return geom.NewPolygonFlat(geom.XY, flat, ends)
	case 1:
		// Rings alternate between two polygons.
		var mflat []float64
		var endss [][]int
		for part := range 2 {
			var pe []int
			start := 0
			for i, end := range ends {
				if i%2 == part {
					mflat = append(mflat, flat[start:end]...)
					pe = append(pe, len(mflat))
				}
				start = end
			}
			endss = append(endss, pe)
		}
		return geom.NewMultiPolygonFlat(geom.XY, mflat, endss)
	case 2:
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends)
	}
	return geom.NewLineStringFlat(geom.XY, flat)
}

func FuzzValidateGeometry(f *testing.F) {
	f.Add([]byte{0, 4, 4, 5, 4, 5, 5, 4, 5})                               // square
	f.Add([]byte{0, 4, 4, 5, 5, 5, 4, 4, 5})                               // bow-tie
	f.Add([]byte{0, 4, 4, 8, 4, 8, 8, 4, 8, 0xff, 5, 5, 5, 6, 6, 6, 6, 5}) // square with a hole
	f.Add([]byte{0, 4, 4, 5, 5, 7, 7, 7, 4, 5, 5, 4, 6})                   // figure 8 through a vertex
	f.Add([]byte{0, 4, 4, 6, 4, 5, 6, 7, 6, 6, 4, 8, 4, 8, 8, 4, 8})       // touching itself
	f.Add([]byte{4, 4, 4, 5, 4, 5, 5, 0xff, 6, 6, 7, 6, 7, 7})             // multipolygon
	f.Add([]byte{2, 4, 4, 5, 4, 5, 5, 4, 6})                               // unclosed
	f.Add(append([]byte{1}, binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, math.Float64bits(120.1)), math.Float64bits(math.NaN()))...))
	big := []byte{0}
	for i := range 60 {
		big = append(big, byte(4+int(6*math.Cos(float64(i)/60*2*math.Pi))), byte(4+int(6*math.Sin(float64(i)/60*2*math.Pi))))
	}
	f.Add(big)
	// Holes against the shell and each other (issue #23).
	f.Add([]byte{0, 4, 4, 8, 4, 8, 8, 4, 8, 0xff, 9, 9, 10, 9, 10, 10, 9, 10})                                                             // hole outside
	f.Add([]byte{0, 4, 4, 8, 4, 8, 8, 4, 8, 0xff, 8, 8, 8, 9, 9, 9, 9, 8})                                                                 // hole outside, touching at a corner
	f.Add([]byte{0, 5, 5, 6, 5, 6, 6, 5, 6, 0xff, 4, 4, 8, 4, 8, 8, 4, 8})                                                                 // hole containing the shell
	f.Add([]byte{0, 4, 4, 8, 4, 8, 8, 4, 8, 0xff, 4, 4, 4, 8, 8, 8, 8, 4})                                                                 // hole equal to the shell
	f.Add([]byte{0, 4, 4, 14, 4, 14, 14, 4, 14, 0xff, 5, 5, 10, 5, 10, 10, 5, 10, 0xff, 6, 6, 7, 6, 7, 7, 6, 7})                           // nested holes
	f.Add([]byte{0, 4, 4, 14, 4, 14, 14, 4, 14, 0xff, 5, 5, 7, 5, 7, 7, 5, 7, 0xff, 5, 5, 6, 5, 6, 6, 5, 6})                               // overlapping holes
	f.Add([]byte{0, 4, 4, 8, 4, 8, 8, 4, 8, 0xff, 5, 5, 6, 5, 6, 6, 5, 6, 0xff, 5, 5, 6, 5, 6, 6, 5, 6})                                   // identical holes
	f.Add([]byte{0, 4, 4, 8, 4, 8, 8, 4, 8, 0xff, 4, 6, 5, 7, 5, 5})                                                                       // hole touching the shell at a point
	f.Add([]byte{0, 4, 4, 8, 4, 8, 8, 4, 8, 0xff, 5, 5, 6, 5, 6, 6, 5, 6, 0xff, 6, 6, 7, 6, 7, 7, 6, 7})                                   // holes touching at a point
	f.Add([]byte{0, 4, 4, 12, 4, 12, 12, 4, 12, 0xff, 10, 6, 12, 6, 12, 8, 14, 8, 14, 10, 12, 10, 12, 11, 10, 11})                         // hole leaving along an edge
	f.Add([]byte{0, 4, 4, 10, 4, 10, 10, 8, 10, 8, 6, 6, 6, 6, 10, 4, 10, 0xff, 6, 8, 8, 8, 8, 7, 6, 7})                                   // hole spanning a bay
	f.Add([]byte{4, 4, 4, 8, 4, 8, 8, 4, 8, 0xff, 9, 9, 12, 9, 12, 12, 9, 12, 0xff, 5, 5, 6, 5, 6, 6, 5, 6, 0xff, 5, 5, 6, 5, 6, 6, 5, 6}) // multipolygon, second part's hole outside
	f.Fuzz(func(t *testing.T, data []byte) {
		g := fuzzGeometry(data)
		err := ValidateGeometry(g)
		var ge *GeometryError
		if errors.As(err, &ge) {
			nParts, nRings, nVerts := 1, 0, 0
			switch g := g.(type) {
			case *geom.Polygon:
				nRings = g.NumLinearRings()
				if ge.Ring < nRings {
					nVerts = g.LinearRing(ge.Ring).NumCoords()
				}
			case *geom.MultiPolygon:
				nParts = g.NumPolygons()
				if ge.Part < nParts {
					p := g.Polygon(ge.Part)
					nRings = p.NumLinearRings()
					if ge.Ring < nRings {
						nVerts = p.LinearRing(ge.Ring).NumCoords()
					}
				}
			}
			if ge.Part < 0 || ge.Part >= nParts || ge.Ring < 0 || (nRings > 0 && ge.Ring >= nRings) || ge.Vertex < 0 || (nVerts > 0 && ge.Vertex >= nVerts) {
				t.Fatalf("%v: position out of range (%d parts, %d rings, %d vertices)", err, nParts, nRings, nVerts)
			}
		}
		if err != nil {
			return
		}
		// What validates can be measured and normalized.
		if a := AreaM2(g); math.IsNaN(a) || math.IsInf(a, 0) || a < 0 {
			t.Fatalf("AreaM2 = %g for a valid geometry", a)
		}
		if l := LengthM(g); math.IsNaN(l) || math.IsInf(l, 0) || l < 0 {
			t.Fatalf("LengthM = %g for a valid geometry", l)
		}
		n := Normalize(g)
		// With small integer coordinates every predicate is exact, so the
		// verdict cannot depend on where a ring starts or which way it
		// runs. With arbitrary floats it can: orientation tests are plain
		// float64 arithmetic, and a sliver such as
		// testdata/fuzz/FuzzValidateGeometry/76d6d9156147fc75 (vertices
		// 1e-153, 1e-98 and 1e-76 from the origin) is collinear one way
		// round and not the other.
		if err := ValidateGeometry(n); err != nil && data[0]&1 == 0 {
			t.Fatalf("valid geometry no longer validates after Normalize: %v\n%v → %v", err, g.FlatCoords(), n.FlatCoords())
		}
		// Holes lie inside their shell and apart: together they cover
		// no more than the shell. Exact on the grid.
		if data[0]&1 == 0 {
			for pi, p := range validPolygons(g) {
				as := signedRingAreas(p)
				var holes float64
				for _, a := range as[1:] {
					holes += math.Abs(a)
				}
				if holes > math.Abs(as[0]) {
					t.Fatalf("polygon %d: holes of %g deg² in a shell of %g deg²: %v", pi, holes, math.Abs(as[0]), g.FlatCoords())
				}
			}
		}
		if b := BoundsOf(g); b.Validate() != nil {
			t.Fatalf("the bounds of a valid geometry do not validate: %v", b.Validate())
		}
	})
}

// evenOdd reports whether (x, y) is inside ring by the even–odd rule; the
// point must not be on the ring.
func evenOdd(ring []float64, x, y float64) bool {
	in := false
	for i := 0; i+3 < len(ring); i += 2 {
		x1, y1, x2, y2 := ring[i], ring[i+1], ring[i+2], ring[i+3]
		if (y1 > y) != (y2 > y) && x < x1+(y-y1)*(x2-x1)/(y2-y1) {
			in = !in
		}
	}
	return in
}

// Random polygons with holes on a small grid, against an oracle that
// samples points between the grid lines: a sample inside a hole must be
// inside the shell and outside the other holes. The oracle can miss a
// sliver between samples, so it is checked one way; the sweep (the same
// polygons subdivided) must agree both ways.
func TestValidateGeometryHolesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	randRing := func() []float64 {
		var r []float64
		switch rng.IntN(3) {
		case 0: // a rectangle
			x0, y0 := float64(rng.IntN(8)), float64(rng.IntN(8))
			return rect(x0, y0, x0+1+float64(rng.IntN(4)), y0+1+float64(rng.IntN(4)))
		case 1: // a triangle
			for range 3 {
				r = append(r, float64(rng.IntN(10)), float64(rng.IntN(10)))
			}
		default:
			for range 4 + rng.IntN(3) {
				r = append(r, float64(rng.IntN(10)), float64(rng.IntN(10)))
			}
		}
		return append(r, r[0], r[1])
	}
	var caught, valid, crossing, unsampled int
	for i := range 8000 {
		rings := [][]float64{rect(0, 0, 6+float64(rng.IntN(4)), 6+float64(rng.IntN(4)))}
		if rng.IntN(3) == 0 {
			rings[0] = randRing()
		}
		for range 1 + rng.IntN(3) {
			rings = append(rings, randRing())
		}
		p := poly(rings...)
		err := ValidateGeometry(p)
		if err2 := ValidateGeometry(subdivide(p, 8)); (err == nil) != (err2 == nil) {
			t.Fatalf("case %d %v: %v; subdivided: %v", i, rings, err, err2)
		}
		var ge *GeometryError
		if errors.As(err, &ge) && !strings.Contains(err.Error(), "inner ring") {
			crossing++ // or a ring without area
			continue
		}
		bad := ""
	sample:
		// Off every line through two grid points.
		for sx := 0.0371; sx < 10; sx += 0.125 {
			for sy := 0.0593; sy < 10; sy += 0.125 {
				for h := 1; h < len(rings); h++ {
					if !evenOdd(rings[h], sx, sy) {
						continue
					}
					if !evenOdd(rings[0], sx, sy) {
						bad = fmt.Sprintf("(%g, %g) is in hole %d, outside the shell", sx, sy, h)
						break sample
					}
					for o := 1; o < len(rings); o++ {
						if o != h && evenOdd(rings[o], sx, sy) {
							bad = fmt.Sprintf("(%g, %g) is in holes %d and %d", sx, sy, h, o)
							break sample
						}
					}
				}
			}
		}
		switch {
		case bad != "" && err == nil:
			t.Fatalf("case %d %v: valid, but %s", i, rings, bad)
		case bad != "":
			caught++
		case err == nil:
			valid++
		default:
			unsampled++ // coincident rings, or a sliver between samples
		}
	}
	if caught < 400 || valid < 400 {
		t.Fatalf("%d holes misplaced, %d valid, %d crossing: the test does not test", caught, valid, crossing)
	}
	t.Logf("%d holes misplaced, %d valid, %d crossing, %d rejected with no sample to show", caught, valid, crossing, unsampled)
}

// lakeWithIslands is a shell of n vertices round a grid of holes small
// squares, like an OSM lake with its islands or a forest with its clearings.
func lakeWithIslands(n, holes int) *geom.Polygon {
	rings := [][]float64{circle(120.17, 30.27, 0.05, n)}
	side := int(math.Ceil(math.Sqrt(float64(holes))))
	step := 0.06 / float64(side) // the grid fits in the circle's inner square
	for i := range holes {
		x := 120.17 - 0.03 + step*float64(i%side)
		y := 30.27 - 0.03 + step*float64(i/side)
		rings = append(rings, reversed(rect(x, y, x+step/2, y+step/2)))
	}
	return poly(rings...)
}

func BenchmarkValidateGeometryHoles(b *testing.B) {
	for _, c := range []struct{ n, holes int }{{5000, 0}, {5000, 1000}, {5000, 5000}, {50000, 5000}} {
		g := lakeWithIslands(c.n, c.holes)
		if err := ValidateGeometry(g); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("shell=%d/holes=%d", c.n, c.holes), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := ValidateGeometry(g); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// validPolygons returns the non-empty polygons of a Polygon or
// MultiPolygon.
func validPolygons(g geom.T) []*geom.Polygon {
	switch g := g.(type) {
	case *geom.Polygon:
		return []*geom.Polygon{g}
	case *geom.MultiPolygon:
		var ps []*geom.Polygon
		for i := range g.NumPolygons() {
			if p := g.Polygon(i); p.NumLinearRings() > 0 {
				ps = append(ps, p)
			}
		}
		return ps
	}
	return nil
}
