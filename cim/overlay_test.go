package cim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/twpayne/go-geom"
)

// sq is an axis-aligned square in degrees near Hangzhou, small enough that
// its planar area in the local projection is what AreaM2 says.
func sq(x0, y0, x1, y1 float64) geom.T {
	return geom.NewPolygonFlat(geom.XY, []float64{x0, y0, x1, y0, x1, y1, x0, y1, x0, y0}, []int{10})
}

func near(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Max(math.Abs(want), 1) {
		t.Errorf("%s = %.6f, want %.6f", name, got, want)
	}
}

func TestOverlayAreas(t *testing.T) {
	const x, y, d = 120.2, 30.25, 0.001
	a := sq(x, y, x+2*d, y+2*d)
	b := sq(x+d, y+d, x+3*d, y+3*d) // a quarter of a overlaps
	quarter := AreaM2(sq(x+d, y+d, x+2*d, y+2*d))
	near(t, "a∩b", IntersectionArea(a, b), quarter, 1e-9)
	near(t, "a∪b", UnionArea([]geom.T{a, b}, nil), AreaM2(a)+AreaM2(b)-quarter, 1e-9)
	near(t, "disjoint", IntersectionArea(a, sq(x+5*d, y, x+6*d, y+d)), 0, 0)
	near(t, "same", IntersectionArea(a, a), AreaM2(a), 1e-9)
	near(t, "contained", IntersectionArea(a, sq(x+0.5*d, y+0.5*d, x+d, y+d)), AreaM2(sq(x+0.5*d, y+0.5*d, x+d, y+d)), 1e-9)
	// A site with a hole: a building in the hole is outside the site.
	site := geom.NewPolygonFlat(geom.XY, []float64{
		x, y, x + 4*d, y, x + 4*d, y + 4*d, x, y + 4*d, x, y,
		x + d, y + d, x + d, y + 3*d, x + 3*d, y + 3*d, x + 3*d, y + d, x + d, y + d,
	}, []int{10, 20})
	near(t, "building in the hole", IntersectionArea(site, sq(x+1.5*d, y+1.5*d, x+2.5*d, y+2.5*d)), 0, 0)
	near(t, "building across the hole's edge", IntersectionArea(site, sq(x+0.5*d, y+1.5*d, x+1.5*d, y+2.5*d)), AreaM2(sq(x+0.5*d, y+1.5*d, x+d, y+2.5*d)), 1e-9)
	// Green overlapping itself counts once; the part outside the site not at all.
	greens := []geom.T{sq(x-d, y, x+0.5*d, y+d), sq(x, y, x+0.5*d, y+0.5*d)}
	near(t, "union of green in the site", UnionArea(greens, site), AreaM2(sq(x, y, x+0.5*d, y+d)), 1e-5)
	// A MultiPolygon site and a triangle crossing both parts.
	multi := geom.NewMultiPolygonFlat(geom.XY, []float64{x, y, x + d, y, x + d, y + d, x, y + d, x, y, x + 2*d, y, x + 3*d, y, x + 3*d, y + d, x + 2*d, y + d, x + 2*d, y}, [][]int{{10}, {20}})
	band := sq(x, y+0.25*d, x+3*d, y+0.75*d)
	near(t, "band over a multipolygon", IntersectionArea(multi, band), 2*AreaM2(sq(x, y+0.25*d, x+d, y+0.75*d)), 1e-9)
	// Points and lines cover nothing.
	near(t, "line", IntersectionArea(a, geom.NewLineStringFlat(geom.XY, []float64{x, y, x + d, y + d})), 0, 0)
}

// TestOverlayMatchesSampling checks random polygon sets against counting
// points on a fine grid: crossing edges, concave shapes, holes.
func TestOverlayMatchesSampling(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const x0, y0, span = 120.2, 30.25, 0.002
	randPoly := func() geom.T { // a random star-shaped polygon, so simple
		cx, cy := x0+span*(0.2+0.6*r.Float64()), y0+span*(0.2+0.6*r.Float64())
		n := 3 + r.IntN(9)
		var flat []float64
		for k := range n {
			ang := 2 * math.Pi * (float64(k) + 0.8*r.Float64()) / float64(n)
			rad := span * (0.03 + 0.16*r.Float64()) // inside the sampled square
			flat = append(flat, cx+rad*math.Cos(ang), cy+rad*math.Sin(ang))
		}
		flat = append(flat, flat[0], flat[1])
		return geom.NewPolygonFlat(geom.XY, flat, []int{len(flat)})
	}
	p := newLAEA(x0+span/2, y0+span/2)
	for trial := range 20 {
		as := []geom.T{randPoly(), randPoly(), randPoly()}
		bs := []geom.T{randPoly(), randPoly()}
		got := OverlayArea([][]geom.T{as, bs}, func(in []bool) bool { return in[0] && !in[1] })
		// Grid sampling in the projected plane.
		const n = 600
		ax, ay := p.project(x0, y0)
		bx, by := p.project(x0+span, y0+span)
		cell := (bx - ax) / n * (by - ay) / n
		var hits float64
		for i := range n {
			for j := range n {
				lon := x0 + span*(float64(i)+0.5)/n
				lat := y0 + span*(float64(j)+0.5)/n
				inA, inB := false, false
				for _, g := range as {
					inA = inA || pointInPolygon(lon, lat, g.FlatCoords(), g.(*geom.Polygon).Ends(), 2)
				}
				for _, g := range bs {
					inB = inB || pointInPolygon(lon, lat, g.FlatCoords(), g.(*geom.Polygon).Ends(), 2)
				}
				if inA && !inB {
					hits += cell
				}
			}
		}
		total := (bx - ax) * (by - ay)
		if math.Abs(got-hits) > 0.001*total {
			t.Errorf("trial %d: overlay %.1f m², sampling %.1f m² (of %.0f)", trial, got, hits, total)
		}
	}
}

// TestIntersectionWindowMatchesFullSweep checks that cutting the rings to
// the overlap of the bounds changes nothing: random concave polygons, with
// holes, multipolygons and 360-gon circles, against the sweep of every edge.
func TestIntersectionWindowMatchesFullSweep(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const x0, y0, span = 120.2, 30.25, 0.004
	star := func(cx, cy, rmax float64, n int, cw bool) []float64 {
		var flat []float64
		for k := range n {
			ang := 2 * math.Pi * (float64(k) + 0.8*r.Float64()) / float64(n)
			if cw {
				ang = -ang
			}
			rad := rmax * (0.3 + 0.7*r.Float64())
			flat = append(flat, cx+rad*math.Cos(ang), cy+rad*math.Sin(ang))
		}
		return append(flat, flat[0], flat[1])
	}
	shape := func() geom.T {
		cx, cy := x0+span*r.Float64(), y0+span*r.Float64()
		rmax := span * (0.2 + 0.6*r.Float64())
		switch r.IntN(4) {
		case 0: // a polygon with a hole
			outer := star(cx, cy, rmax, 5+r.IntN(20), false)
			hole := star(cx, cy, rmax*0.25, 3+r.IntN(6), r.IntN(2) == 0)
			return geom.NewPolygonFlat(geom.XY, append(outer, hole...), []int{len(outer), len(outer) + len(hole)})
		case 1: // two parts
			a := star(cx, cy, rmax/2, 3+r.IntN(10), false)
			b := star(cx+rmax, cy+rmax/2, rmax/3, 3+r.IntN(10), true)
			return geom.NewMultiPolygonFlat(geom.XY, append(a, b...), [][]int{{len(a)}, {len(a) + len(b)}})
		case 2:
			return Circle(cx, cy, rmax*100000)
		}
		flat := star(cx, cy, rmax, 3+r.IntN(30), r.IntN(2) == 0)
		return geom.NewPolygonFlat(geom.XY, flat, []int{len(flat)})
	}
	nonzero := 0
	for trial := range 300 {
		gs := make([]geom.T, 2+r.IntN(2))
		for i := range gs {
			gs[i] = shape()
		}
		layers := make([][]geom.T, len(gs))
		for i, g := range gs {
			layers[i] = []geom.T{g}
		}
		want := OverlayArea(layers, allInside)
		got := IntersectionArea(gs...)
		if math.Abs(got-want) > 1e-9*math.Max(want, 1) {
			t.Errorf("trial %d: windowed %.9f m², full sweep %.9f m²", trial, got, want)
		}
		if want > 0 {
			nonzero++
		}
		// A prepared clip projects about its own centre: the same area
		// to rounding.
		clip := NewClip(gs[1:]...)
		if got := clip.Area(gs[0]); math.Abs(got-want) > 1e-8*math.Max(want, 1) {
			t.Errorf("trial %d: clip %.9f m², full sweep %.9f m²", trial, got, want)
		}
		// The union within a clip, the same way.
		wantU := OverlayArea([][]geom.T{gs[1:], {gs[0]}}, allInside)
		if gotU := UnionArea(gs[1:], gs[0]); math.Abs(gotU-wantU) > 1e-9*math.Max(wantU, 1) {
			t.Errorf("trial %d: windowed union %.9f m², full sweep %.9f m²", trial, gotU, wantU)
		}
		if gotU := NewClip(gs[0]).UnionArea(gs[1:]); math.Abs(gotU-wantU) > 1e-8*math.Max(wantU, 1) {
			t.Errorf("trial %d: clip union %.9f m², full sweep %.9f m²", trial, gotU, wantU)
		}
	}
	if nonzero < 100 {
		t.Errorf("only %d of 300 trials overlap: the test shapes are too sparse", nonzero)
	}
}

// TestClipUnionGroups measures many polygons, some overlapping, some
// touching, most apart, against one sweep of them all.
func TestClipUnionGroups(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const x, y, d = 120.2, 30.25, 0.0001
	site := Circle(x+50*d, y+50*d, 400)
	for trial := range 10 {
		var gs []geom.T
		for range 200 {
			i, j := float64(r.IntN(100)), float64(r.IntN(100))
			w := d * (0.3 + 2*r.Float64())
			gs = append(gs, sq(x+i*d, y+j*d, x+i*d+w, y+j*d+w))
		}
		// Two that share a wall exactly.
		gs = append(gs, sq(x, y, x+d, y+d), sq(x+d, y, x+2*d, y+d))
		want := OverlayArea([][]geom.T{gs, {site}}, allInside)
		got := NewClip(site).UnionArea(gs)
		if math.Abs(got-want) > 1e-8*want {
			t.Errorf("trial %d: grouped %.6f m², one sweep %.6f m²", trial, got, want)
		}
		if groups := len(overlapGroups(planeBounds(gs))); groups < 2 || groups == len(gs) {
			t.Errorf("trial %d: %d groups of %d polygons: the test does not group", trial, groups, len(gs))
		}
	}
}

func planeBounds(gs []geom.T) []window {
	p := newLAEA(120.2, 30.25)
	var bs []window
	for _, g := range gs {
		b := emptyWindow()
		for _, r := range appendRings(nil, p, g) {
			b = b.extend(ringBounds(r))
		}
		bs = append(bs, b)
	}
	return bs
}

// TestClipLongEdges: a 4.8 km edge along a parallel is straight in the
// plane, so it bows north of its ends' latitude by some 25 cm in between.
// A square just north of that latitude overlaps it there: the union must
// not count the overlap twice, nor the clip miss the square. (Found in
// review: grouping and the quick test once compared boxes in degrees.)
func TestClipLongEdges(t *testing.T) {
	const lat = 30.25
	a := sq(120.2, lat-0.001, 120.25, lat)
	site := sq(120.2, lat-0.002, 120.25, lat+0.002)
	for _, gap := range []float64{0, 5e-8, 2e-7, 5e-7, 1e-6, 1e-5} {
		b := sq(120.2245, lat+gap, 120.2255, lat+gap+0.001)
		want := OverlayArea([][]geom.T{{a, b}, {site}}, allInside)
		if got := NewClip(site).UnionArea([]geom.T{a, b}); math.Abs(got-want) > 1e-6*want {
			t.Errorf("gap %g°: union %.4f m², full sweep %.4f m²", gap, got, want)
		}
		wantI := OverlayArea([][]geom.T{{b}, {site}, {a}}, allInside)
		if got := NewClip(site, a).Area(b); math.Abs(got-wantI) > 1e-6*math.Max(wantI, 1) {
			t.Errorf("gap %g°: b within the clip %.4f m², full sweep %.4f m²", gap, got, wantI)
		}
		if gap == 5e-7 && wantI < 1 {
			t.Errorf("gap %g°: overlap %.4f m², want the bowed edge to overlap b", gap, wantI)
		}
	}
}

func ExampleNewClip() {
	// A site, the 50 m circle round a station on its west edge, and a
	// building straddling that edge. (GeographicLib's Planimeter gives
	// 10669.2 m² for the site, 853.5 m² for the building.)
	site := sq(120.2, 30.25, 120.201, 30.251)
	station := Circle(120.2, 30.2505, 50)
	building := sq(120.1998, 30.2504, 120.2002, 30.2506)
	inSite := NewClip(site)
	inRing := NewClip(site, station)
	fmt.Printf("site %.0f m², of it within 50 m %.0f m² (half of π·50²)\n", inSite.Area(site), inRing.Area(site))
	fmt.Printf("building %.0f m², in the site %.0f m²\n", AreaM2(building), inSite.Area(building))
	// Output:
	// site 10669 m², of it within 50 m 3927 m² (half of π·50²)
	// building 854 m², in the site 427 m²
}
