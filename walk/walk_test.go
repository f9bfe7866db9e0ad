package walk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

// Near the centre of Hangzhou, where the benchmarks and examples are too.
const lon0, lat0 = 120.2, 30.25

// line returns a 2D line through the points, given as lon, lat pairs.
func line(coords ...float64) *geom.LineString {
	return geom.NewLineStringFlat(geom.XY, coords)
}

// relClose reports whether got is within rel of want, relatively.
func relClose(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// legs returns the sum of the geodesic lengths of the legs between
// consecutive points, given as lon, lat pairs.
func legs(pts ...float64) float64 {
	var d float64
	for i := 2; i+1 < len(pts); i += 2 {
		d += cim.DistanceM(pts[i-2], pts[i-1], pts[i], pts[i+1])
	}
	return d
}

// distance builds a network of lines and returns the distance from src to
// dst.
func distance(t *testing.T, lines []geom.T, opts Options, src, dst [2]float64, maxM float64) (float64, bool) {
	t.Helper()
	n := Build(lines, opts)
	return n.From([][2]float64{src}, maxM).To(dst[0], dst[1])
}

func TestLShape(t *testing.T) {
	// An L: 300 m east, then 200 m north, drawn in several ways.
	ax, ay := lon0, lat0
	cx, cy := lon0+0.003, lat0 // the corner
	bx, by := lon0+0.003, lat0+0.0018
	want := legs(ax, ay, cx, cy, bx, by)
	xyz := geom.NewLineStringFlat(geom.XYZ, []float64{ax, ay, 5, cx, cy, 6, bx, by, 7})
	xyzm := geom.NewLineStringFlat(geom.XYZM, []float64{ax, ay, 5, 0, cx, cy, 6, 1, bx, by, 7, 2})
	multi := geom.NewMultiLineStringFlat(geom.XY, []float64{ax, ay, cx, cy, cx, cy, bx, by}, []int{4, 8})
	for _, tt := range []struct {
		name  string
		lines []geom.T
	}{
		{"one line", []geom.T{line(ax, ay, cx, cy, bx, by)}},
		{"two lines sharing the corner", []geom.T{line(ax, ay, cx, cy), line(bx, by, cx, cy)}},
		{"legs overshooting the corner", []geom.T{line(ax, ay, cx+0.0005, cy), line(bx, by, cx, cy-0.0005)}},
		{"XYZ", []geom.T{xyz}},
		{"XYZM", []geom.T{xyzm}},
		{"MultiLineString", []geom.T{multi}},
		{"GeometryCollection", []geom.T{geom.NewGeometryCollection().MustPush(multi)}},
		{"with nil and a point", []geom.T{nil, geom.NewPointFlat(geom.XY, []float64{ax, ay}), line(ax, ay, cx, cy, bx, by)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, dir := range []struct{ src, dst [2]float64 }{{[2]float64{ax, ay}, [2]float64{bx, by}}, {[2]float64{bx, by}, [2]float64{ax, ay}}} {
				got, ok := distance(t, tt.lines, Options{}, dir.src, dir.dst, math.Inf(1))
				if !ok || !relClose(got, want, 1e-6) {
					t.Errorf("%v → %v: got %.6f %v, want %.6f", dir.src, dir.dst, got, ok, want)
				}
			}
		})
	}
}

func TestStreetGrid(t *testing.T) {
	// k×k streets 0.001° apart, each a single segment running past the
	// outer streets, so that every junction comes from a crossing.
	const k, step = 6, 0.001
	var lines []geom.T
	for i := range k {
		x, y := lon0+float64(i)*step, lat0+float64(i)*step
		lines = append(lines,
			line(lon0-step/2, y, lon0+(k-0.5)*step, y),
			line(x, lat0-step/2, x, lat0+(k-0.5)*step))
	}
	n := Build(lines, Options{})
	// k² crossings and 4k line ends; each street is cut into k+1 edges.
	if nodes, edges := n.Len(); nodes != k*k+4*k || edges != 2*k*(k+1) {
		t.Fatalf("Len() = %d nodes, %d edges; want %d, %d", nodes, edges, k*k+4*k, 2*k*(k+1))
	}
	f := n.From([][2]float64{{lon0, lat0}}, math.Inf(1))
	for i := range k {
		for j := range k {
			t.Run(fmt.Sprintf("%d,%d", i, j), func(t *testing.T) {
				// A degree of longitude is shorter further north, so the
				// shortest way goes north first, then east along street j.
				x := func(i int) float64 { return lon0 + float64(i)*step }
				y := func(j int) float64 { return lat0 + float64(j)*step }
				var want float64
				for m := range j {
					want += cim.DistanceM(x(0), y(m), x(0), y(m+1))
				}
				for m := range i {
					want += cim.DistanceM(x(m), y(j), x(m+1), y(j))
				}
				got, ok := f.To(x(i), y(j))
				if !ok || !relClose(got, want, 1e-6) && math.Abs(got-want) > 1e-9 {
					t.Errorf("To = %.6f %v, want %.6f", got, ok, want)
				}
			})
		}
	}
}

func TestJunctions(t *testing.T) {
	// Two diagonals of a 200 m square crossing at its centre, which is a
	// vertex of neither; a third line ending on the first at a third of its
	// length; and lines that stop short of it.
	a0x, a0y, a1x, a1y := lon0, lat0, lon0+0.002, lat0+0.002
	b0x, b0y, b1x, b1y := lon0, lat0+0.002, lon0+0.002, lat0
	cx, cy := lon0+0.001, lat0+0.001
	tx, ty := lon0+0.002/3, lat0+0.002/3 // on the first diagonal
	far := [2]float64{lon0 + 0.002/3 + 0.001, lat0 + 0.002/3 - 0.001}
	x := line(a0x, a0y, a1x, a1y)
	for _, tt := range []struct {
		name     string
		lines    []geom.T
		src, dst [2]float64
		want     float64 // 0: not connected
	}{
		{"crossing diagonals", []geom.T{x, line(b0x, b0y, b1x, b1y)},
			[2]float64{a0x, a0y}, [2]float64{b1x, b1y}, legs(a0x, a0y, cx, cy, b1x, b1y)},
		{"crossing diagonals, reversed", []geom.T{line(b1x, b1y, b0x, b0y), line(a1x, a1y, a0x, a0y)},
			[2]float64{b0x, b0y}, [2]float64{a0x, a0y}, legs(b0x, b0y, cx, cy, a0x, a0y)},
		{"crossing within one line", []geom.T{line(a0x, a0y, a1x, a1y, b0x, b0y, b1x, b1y)},
			[2]float64{a0x, a0y}, [2]float64{b1x, b1y}, legs(a0x, a0y, cx, cy, b1x, b1y)},
		{"T junction", []geom.T{x, line(far[0], far[1], tx, ty)},
			[2]float64{a0x, a0y}, far, legs(a0x, a0y, tx, ty, far[0], far[1])},
		{"T junction 1 cm short", []geom.T{x, line(far[0], far[1], tx+0.5e-7, ty-0.5e-7)},
			[2]float64{a0x, a0y}, far, legs(a0x, a0y, tx, ty, far[0], far[1])},
		{"T junction 1 m short", []geom.T{x, line(far[0], far[1], tx+1e-5, ty-1e-5)},
			[2]float64{a0x, a0y}, far, 0},
		{"overlapping collinear lines", []geom.T{line(a0x, a0y, cx, cy), line(tx, ty, a1x, a1y), line(cx, cy, b0x, b0y)},
			[2]float64{a0x, a0y}, [2]float64{b0x, b0y}, legs(a0x, a0y, cx, cy, b0x, b0y)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := distance(t, tt.lines, Options{SnapM: 10}, tt.src, tt.dst, math.Inf(1))
			switch {
			case tt.want == 0 && ok:
				t.Errorf("To = %.6f, want no connection", got)
			case tt.want != 0 && (!ok || math.Abs(got-tt.want) > 0.02): // the junction is rounded to 1 cm
				t.Errorf("To = %.6f %v, want %.6f", got, ok, tt.want)
			}
		})
	}
}

func TestCrossingCounts(t *testing.T) {
	// Crossing diagonals meet at a new node and become four edges.
	n := Build([]geom.T{line(lon0, lat0, lon0+0.002, lat0+0.002), line(lon0, lat0+0.002, lon0+0.002, lat0)}, Options{})
	if nodes, edges := n.Len(); nodes != 5 || edges != 4 {
		t.Errorf("Len() = %d, %d; want 5, 4", nodes, edges)
	}
	// A line drawn twice is one set of edges.
	l := line(lon0, lat0, lon0+0.001, lat0, lon0+0.002, lat0)
	if nodes, edges := Build([]geom.T{l, l}, Options{}).Len(); nodes != 3 || edges != 2 {
		t.Errorf("twice: Len() = %d, %d; want 3, 2", nodes, edges)
	}
	// Vertices that are not finite longitude/latitude break the line there.
	bad := line(lon0, lat0, lon0+0.001, lat0, math.NaN(), lat0, lon0+0.003, lat0, lon0+0.004, 91, lon0+0.004, lat0, lon0+0.005, lat0)
	if nodes, edges := Build([]geom.T{bad}, Options{}).Len(); nodes != 4 || edges != 2 {
		t.Errorf("bad vertices: Len() = %d, %d; want 4, 2", nodes, edges)
	}
	if nodes, edges := Build(nil, Options{}).Len(); nodes != 0 || edges != 0 {
		t.Errorf("empty: Len() = %d, %d", nodes, edges)
	}
}

func TestSnapAndLimits(t *testing.T) {
	// A street along the meridian lon0, 1 km long, and a separate one
	// 0.01° (about 960 m) to the east. Points east of the street snap to
	// the same latitude on it.
	street := line(lon0, lat0, lon0, lat0+0.009)
	other := line(lon0+0.01, lat0, lon0+0.01, lat0+0.009)
	lines := []geom.T{street, other}
	dLon := func(m float64) float64 { // degrees of longitude for m metres here
		kx, _ := metresPerDeg(lat0)
		return m / kx
	}
	at := func(offM, lat float64) [2]float64 { return [2]float64{lon0 + dLon(offM), lat} }
	off := func(p [2]float64) float64 { return cim.DistanceM(p[0], p[1], lon0, p[1]) }
	along := func(lat1, lat2 float64) float64 { return cim.DistanceM(lon0, lat1, lon0, lat2) }
	src, dst := at(40, lat0+0.002), at(60, lat0+0.006)
	end := [2]float64{lon0, lat0 + 0.009}
	viaStreet := off(src) + along(src[1], dst[1]) + off(dst)
	for _, tt := range []struct {
		name     string
		opts     Options
		sources  [][2]float64
		dst      [2]float64
		maxM     float64
		want     float64
		ok       bool
		relative float64
	}{
		{"same edge", Options{}, [][2]float64{src}, dst, math.Inf(1), viaStreet, true, 1e-6},
		{"same edge, reversed", Options{}, [][2]float64{dst}, src, math.Inf(1), viaStreet, true, 1e-6},
		{"same spot off the street", Options{}, [][2]float64{src}, src, math.Inf(1), 2 * off(src), true, 1e-6},
		{"to the end", Options{}, [][2]float64{src}, end, math.Inf(1), off(src) + along(src[1], end[1]), true, 1e-6},
		{"target beyond SnapM", Options{}, [][2]float64{src}, at(200, lat0+0.006), math.Inf(1), 0, false, 0},
		{"target within a larger SnapM", Options{SnapM: 250}, [][2]float64{src}, at(200, lat0+0.006), math.Inf(1),
			off(src) + along(src[1], lat0+0.006) + off(at(200, lat0+0.006)), true, 1e-6},
		{"unlimited SnapM", Options{SnapM: math.Inf(1)}, [][2]float64{src}, [2]float64{lon0 - 0.01, lat0 + 0.006}, math.Inf(1),
			off(src) + along(src[1], lat0+0.006) + cim.DistanceM(lon0-0.01, lat0+0.006, lon0, lat0+0.006), true, 1e-5},
		{"source beyond SnapM", Options{}, [][2]float64{at(160, lat0)}, dst, math.Inf(1), 0, false, 0},
		{"point far away", Options{}, [][2]float64{src}, [2]float64{-70, -33}, math.Inf(1), 0, false, 0},
		{"NaN point", Options{}, [][2]float64{src}, [2]float64{math.NaN(), lat0}, math.Inf(1), 0, false, 0},
		{"within maxM", Options{}, [][2]float64{src}, dst, viaStreet + 1, viaStreet, true, 1e-6},
		{"beyond maxM", Options{}, [][2]float64{src}, dst, viaStreet - 1, 0, false, 0},
		{"end beyond maxM", Options{}, [][2]float64{src}, end, off(src) + along(src[1], end[1]) - 1, 0, false, 0},
		{"negative maxM", Options{}, [][2]float64{src}, dst, -1, 0, false, 0},
		{"NaN maxM", Options{}, [][2]float64{src}, dst, math.NaN(), 0, false, 0},
		{"no sources", Options{}, nil, dst, math.Inf(1), 0, false, 0},
		{"nearest of two sources", Options{}, [][2]float64{{lon0, lat0}, end}, [2]float64{lon0, lat0 + 0.006},
			math.Inf(1), along(lat0+0.006, end[1]), true, 1e-6},
		{"nearest of two sources, other side", Options{}, [][2]float64{{lon0, lat0}, end}, [2]float64{lon0, lat0 + 0.003},
			math.Inf(1), along(lat0, lat0+0.003), true, 1e-6},
		{"source far, a second one near", Options{}, [][2]float64{at(500, lat0), src}, dst, math.Inf(1), viaStreet, true, 1e-6},
		{"other component", Options{}, [][2]float64{src}, [2]float64{lon0 + 0.01, lat0 + 0.006}, math.Inf(1), 0, false, 0},
		{"other component, source on both", Options{}, [][2]float64{src, {lon0 + 0.01, lat0}}, [2]float64{lon0 + 0.01, lat0 + 0.006},
			math.Inf(1), along(lat0, lat0+0.006), true, 1e-6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := Build(lines, tt.opts)
			got, ok := n.From(tt.sources, tt.maxM).To(tt.dst[0], tt.dst[1])
			if ok != tt.ok || ok && !relClose(got, tt.want, tt.relative) {
				t.Errorf("To = %.6f %v, want %.6f %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSameEdgeBeatsTheEnds(t *testing.T) {
	// A loop street: one long edge whose ends meet. Source and target near
	// its middle are close along the edge but far round through the ends.
	loop := line(lon0, lat0, lon0+0.004, lat0, lon0+0.004, lat0+0.0001, lon0, lat0)
	n := Build([]geom.T{loop}, Options{})
	src, dst := [2]float64{lon0 + 0.0019, lat0 - 0.0001}, [2]float64{lon0 + 0.0021, lat0 - 0.0001}
	want := cim.DistanceM(src[0], src[1], src[0], lat0) + cim.DistanceM(src[0], lat0, dst[0], lat0) + cim.DistanceM(dst[0], lat0, dst[0], dst[1])
	got, ok := n.From([][2]float64{src}, 100).To(dst[0], dst[1])
	if !ok || !relClose(got, want, 1e-5) {
		t.Errorf("To = %.6f %v, want %.6f", got, ok, want)
	}
}

// randomNetwork returns n segments between random points of a small set,
// in a box of about 500 m, so that they share vertices and cross.
func randomNetwork(r *rand.Rand, points, n int) []geom.T {
	pts := make([][2]float64, points)
	for i := range pts {
		pts[i] = [2]float64{lon0 + r.Float64()*0.005, lat0 + r.Float64()*0.005}
	}
	var lines []geom.T
	for range n {
		a, b := pts[r.IntN(points)], pts[r.IntN(points)]
		lines = append(lines, line(a[0], a[1], b[0], b[1]))
	}
	return lines
}

func TestDijkstraMatchesFloydWarshall(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 100 {
		n := Build(randomNetwork(r, 4+r.IntN(20), 2+r.IntN(30)), Options{})
		nodes, edges := n.Len()
		if edges == 0 {
			continue // every segment drawn from a point to itself
		}
		// Floyd–Warshall over the network's own graph.
		d := make([][]float64, nodes)
		for i := range d {
			d[i] = make([]float64, nodes)
			for j := range d[i] {
				d[i][j] = math.Inf(1)
			}
			d[i][i] = 0
		}
		for e := range n.ea {
			u, v := n.ea[e], n.eb[e]
			d[u][v] = min(d[u][v], n.elen[e])
			d[v][u] = d[u][v]
		}
		for k := range nodes {
			for i := range nodes {
				for j := range nodes {
					d[i][j] = min(d[i][j], d[i][k]+d[k][j])
				}
			}
		}
		// Sources at nodes, or on edges, which they split: a source at
		// distance s from the end a of an edge of length l is s from a and
		// l−s from b.
		var sources [][2]float64
		var srcDist []func(j int) float64
		for range 1 + r.IntN(3) {
			if r.IntN(2) == 0 {
				s := r.IntN(nodes)
				sources = append(sources, [2]float64{n.lon[s], n.lat[s]})
				srcDist = append(srcDist, func(j int) float64 { return d[s][j] })
				continue
			}
			e, frac := r.IntN(len(n.ea)), 0.05+0.9*r.Float64()
			a, b := n.ea[e], n.eb[e]
			p := [2]float64{n.lon[a] + frac*(n.lon[b]-n.lon[a]), n.lat[a] + frac*(n.lat[b]-n.lat[a])}
			s := cim.DistanceM(n.lon[a], n.lat[a], p[0], p[1])
			sources = append(sources, p)
			srcDist = append(srcDist, func(j int) float64 { return min(s+d[a][j], n.elen[e]-s+d[b][j]) })
		}
		maxM := math.Inf(1)
		if trial%2 == 1 {
			maxM = 100 + r.Float64()*400
		}
		f := n.From(sources, maxM)
		for j := range nodes {
			want := math.Inf(1)
			for _, sd := range srcDist {
				want = min(want, sd(j))
			}
			got, ok := f.To(n.lon[j], n.lat[j])
			if wantOK := !math.IsInf(want, 1) && want <= maxM; ok != wantOK || ok && math.Abs(got-want) > 1e-5 {
				t.Fatalf("trial %d: sources %v, node %d: To = %.9f %v, Floyd–Warshall %.9f (maxM %g)", trial, sources, j, got, ok, want, maxM)
			}
		}
	}
}

func TestNodingCountsCrossings(t *testing.T) {
	// Segments in general position (no end near another segment, no two
	// crossings at one point): every proper crossing adds a node and splits
	// both segments; lengths add up.
	r := rand.New(rand.NewPCG(3, 4))
	trials := 0
	for trials < 30 {
		const m = 60
		type pt struct{ x, y float64 }
		var segs [][2]pt
		var lines []geom.T
		for range m {
			a := pt{lon0 + math.Round(r.Float64()*0.01*e7)/e7, lat0 + math.Round(r.Float64()*0.01*e7)/e7}
			b := pt{a.x + math.Round((r.Float64()-0.5)*0.004*e7)/e7, a.y + math.Round((r.Float64()-0.5)*0.004*e7)/e7}
			segs = append(segs, [2]pt{a, b})
			lines = append(lines, line(a.x, a.y, b.x, b.y))
		}
		degenerate, crossings := false, 0
		var xs []pt // crossing points
		for i := range segs {
			for j := range i {
				s, o := segs[i], segs[j]
				for _, e := range []struct{ p, a, b pt }{{s[0], o[0], o[1]}, {s[1], o[0], o[1]}, {o[0], s[0], s[1]}, {o[1], s[0], s[1]}} {
					if _, d2 := foot(e.a.x, e.a.y, e.b.x, e.b.y, e.p.x, e.p.y); d2 < 1e-12 {
						degenerate = true
					}
				}
				side := func(a, b, p pt) float64 { return (b.x-a.x)*(p.y-a.y) - (b.y-a.y)*(p.x-a.x) }
				if d3, d4 := side(o[0], o[1], s[0]), side(o[0], o[1], s[1]); side(s[0], s[1], o[0])*side(s[0], s[1], o[1]) < 0 && d3*d4 < 0 {
					crossings++
					t := d3 / (d3 - d4)
					x := pt{s[0].x + t*(s[1].x-s[0].x), s[0].y + t*(s[1].y-s[0].y)}
					for _, y := range xs { // three segments crossing at one point, to 1e-7°
						if math.Hypot(x.x-y.x, x.y-y.y) < 1e-6 {
							degenerate = true
						}
					}
					xs = append(xs, x)
				}
			}
		}
		if degenerate {
			continue
		}
		trials++
		n := Build(lines, Options{})
		nodes, edges := n.Len()
		if nodes != 2*m+crossings || edges != m+2*crossings {
			t.Fatalf("%d segments, %d crossings: Len() = %d, %d; want %d, %d", m, crossings, nodes, edges, 2*m+crossings, m+2*crossings)
		}
		var total, want float64
		for _, l := range n.elen {
			total += l
		}
		for _, l := range lines {
			want += cim.LengthM(l)
		}
		if !relClose(total, want, 1e-6) {
			t.Fatalf("total edge length %.6f, lines %.6f", total, want)
		}
	}
}

func TestSnapFindsNearestEdge(t *testing.T) {
	// The grid search must agree with a scan of every edge.
	r := rand.New(rand.NewPCG(5, 6))
	for _, snapM := range []float64{20, 150, 600} {
		n := Build(randomNetwork(r, 40, 80), Options{SnapM: snapM})
		for range 2000 {
			lon, lat := lon0-0.003+r.Float64()*0.011, lat0-0.003+r.Float64()*0.011
			got, ok := n.snap(lon, lat)
			kx, ky := metresPerDeg(lat)
			best := math.Inf(1)
			for e := range n.ea {
				u, v := n.ea[e], n.eb[e]
				_, d2 := foot((n.lon[u]-lon)*kx, (n.lat[u]-lat)*ky, (n.lon[v]-lon)*kx, (n.lat[v]-lat)*ky, 0, 0)
				best = min(best, math.Sqrt(d2))
			}
			if wantOK := best <= snapM; ok != wantOK && math.Abs(best-snapM) > 0.01 {
				t.Fatalf("SnapM %g: snap(%v, %v) ok = %v, nearest edge at %.3f m", snapM, lon, lat, ok, best)
			}
			if ok && math.Abs(got.offM-best) > 1e-3*best+1e-5 {
				t.Fatalf("SnapM %g: snap(%v, %v) at %.6f m, nearest edge at %.6f m", snapM, lon, lat, got.offM, best)
			}
		}
	}
}

// TestLayers: a bridge crosses a street without meeting it, unless they
// share a vertex there or one ends on the other.
func TestLayers(t *testing.T) {
	// The street runs 400 m east; the bridge 400 m north across its middle.
	sx, sy, ex := lon0, lat0, lon0+0.004
	mx := lon0 + 0.002
	ny, nyEnd := lat0-0.0018, lat0+0.0018
	street := line(sx, sy, ex, sy)
	bridge := line(mx, ny, mx, nyEnd)
	bridgeOnVertex := line(mx, ny, mx, sy, mx, nyEnd)
	streetOnVertex := line(sx, sy, mx, sy, ex, sy)
	stub := line(mx, ny, mx, sy) // ends on the street
	through := legs(sx, sy, mx, sy, mx, nyEnd)
	for _, tt := range []struct {
		name   string
		lines  []geom.T
		layers []int
		want   float64 // 0: not reachable
	}{
		{"same layer: joined where they cross", []geom.T{street, bridge}, []int{0, 0}, through},
		{"no layers: joined where they cross", []geom.T{street, bridge}, nil, through},
		{"a bridge passes over", []geom.T{street, bridge}, []int{0, 1}, 0},
		{"a tunnel passes under", []geom.T{street, bridge}, []int{0, -1}, 0},
		{"a shared vertex joins layers", []geom.T{streetOnVertex, bridgeOnVertex}, []int{0, 1}, through},
		{"a bridge's inner vertex on the street does not", []geom.T{street, bridgeOnVertex}, []int{0, 1}, 0},
		{"nor one a centimetre off it", []geom.T{street, line(mx, ny, mx, sy+1e-7, mx, nyEnd)}, []int{0, 1}, 0},
		{"in one layer the inner vertex joins", []geom.T{street, bridgeOnVertex}, []int{0, 0}, through},
		{"an end on the other joins layers", []geom.T{street, stub}, []int{0, 1}, legs(sx, sy, mx, sy, mx, ny)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dst := [2]float64{mx, nyEnd}
			if tt.lines[1] == stub {
				dst = [2]float64{mx, ny}
			}
			// Sources and targets snap to the nearest line: no farther.
			got, ok := distance(t, tt.lines, Options{Layers: tt.layers, SnapM: 1}, [2]float64{sx, sy}, dst, math.Inf(1))
			switch {
			case tt.want == 0 && ok:
				t.Errorf("reached in %.1f m, want no path", got)
			case tt.want > 0 && (!ok || !relClose(got, tt.want, 1e-9)):
				t.Errorf("%.3f m (reached %v), want %.3f m", got, ok, tt.want)
			}
		})
	}
}
