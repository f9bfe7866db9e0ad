package walk

import (
	"cmp"
	"math"
	"slices"

	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

// DefaultSnapM is the SnapM that Build uses when Options.SnapM is zero or
// less: 150 metres.
const DefaultSnapM = 150

// maxSnapM bounds SnapM: 20,000 km reaches anywhere on the Earth.
const maxSnapM = 2e7

// Options for Build. The zero value is ready to use.
type Options struct {
	// SnapM is how far, in metres, a source or target point may be from
	// the network and still be connected to it. Zero or less means
	// DefaultSnapM (150 m); +Inf, or anything over 20,000 km, connects
	// every point on the Earth.
	SnapM float64
	// Layers, when not nil, gives each line a layer (OpenStreetMap's
	// layer tag: a bridge above 0, a tunnel below). Lines of different
	// layers are joined only where they share a vertex or one's end lies
	// on the other, never where they merely cross: a bridge does not
	// meet the street beneath it. Nil puts every line in layer 0.
	Layers []int
}

// Network is an undirected graph of walkable segments: nodes at the ends
// and junctions of the lines, edges weighted by their geodesic length in
// metres. Build makes one; it is not changed afterwards.
type Network struct {
	snapM    float64
	lon, lat []float64 // node coordinates, degrees

	ea, eb []int32   // edge ends, ea < eb
	elen   []float64 // edge lengths, metres

	adjStart []int32 // node i's neighbours are adjTo[adjStart[i]:adjStart[i+1]]
	adjTo    []int32
	adjLen   []float64

	edges                          grid // edges by cell, for snapping
	minLon, minLat, maxLon, maxLat float64
}

// e7 is the lattice that vertices are rounded to: 1e-7 degrees.
const e7 = 1e7

// tolDeg is how close, in degrees, the end of a segment must be to another
// segment to touch it.
const tolDeg = 2e-7

// nodeKey packs a point of the 1e-7 degree lattice into a map key.
func nodeKey(lonE7, latE7 int32) uint64 { return uint64(uint32(lonE7))<<32 | uint64(uint32(latE7)) }

// keyLonLat returns the coordinates in degrees of a lattice key.
func keyLonLat(k uint64) (lon, lat float64) {
	return float64(int32(uint32(k>>32))) / e7, float64(int32(uint32(k))) / e7
}

// latticeKey rounds (lon, lat) to the 1e-7 degree lattice.
func latticeKey(lon, lat float64) uint64 {
	return nodeKey(int32(math.Round(lon*e7)), int32(math.Round(lat*e7)))
}

// validLonLat reports whether (lon, lat) is a finite point within
// −180…180, −90…90.
func validLonLat(lon, lat float64) bool {
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90 // false for NaN
}

// Build nodes the lines and returns the network they make. Lines are
// *geom.LineString or *geom.MultiLineString (or geometry collections of
// them) in WGS84 longitude/latitude; only x and y are read, whatever the
// layout. Other geometries and nil are ignored, as are segments with an end
// that is not a finite longitude/latitude. Vertices that agree to 1e-7
// degrees are one junction, and segments that cross or touch get a junction
// where they meet; see the package documentation for the rules and
// tolerances. Edge lengths are geodesic metres on the WGS84 ellipsoid
// (cim.DistanceM).
func Build(lines []geom.T, opts Options) *Network {
	b := &builder{}
	var coords int
	for _, g := range lines {
		switch g := g.(type) {
		case *geom.LineString:
			if g != nil {
				coords += len(g.FlatCoords())
			}
		case *geom.MultiLineString:
			if g != nil {
				coords += len(g.FlatCoords())
			}
		}
	}
	b.segs = make([]seg, 0, coords/2) // room for XY; more strides need less
	for i, g := range lines {
		b.layer = 0
		if i < len(opts.Layers) {
			b.layer = int32(opts.Layers[i])
		}
		b.addGeom(g)
	}
	n := b.network()
	n.snapM = min(opts.SnapM, maxSnapM)
	if !(n.snapM > 0) {
		n.snapM = DefaultSnapM
	}
	n.indexEdges()
	return n
}

// Len returns the number of nodes and edges of the network.
func (n *Network) Len() (nodes, edges int) { return len(n.lon), len(n.ea) }

// builder collects segments and the points where they are to be split.
type builder struct {
	segs   []seg
	splits []split
	layer  int32 // of the line being added
}

// seg is a segment between two distinct points of the 1e-7 degree lattice.
type seg struct {
	a, b           uint64
	ax, ay, bx, by float64
	layer          int32
	ends           uint8 // lineStart: a is its line's first vertex; lineEnd: b is its last
}

const (
	lineStart = 1 << iota
	lineEnd
)

// split is a node on segment seg at parameter t (0 at its start, 1 at its
// end; its own ends are recorded at −1 and 2 so that they sort outermost).
type split struct {
	seg int32
	t   float64
	key uint64
}

func (b *builder) addGeom(g geom.T) {
	switch g := g.(type) {
	case *geom.LineString:
		if g != nil {
			b.addLine(g.FlatCoords(), g.Stride())
		}
	case *geom.MultiLineString:
		if g == nil {
			return
		}
		flat, stride, start := g.FlatCoords(), g.Stride(), 0
		for _, end := range g.Ends() {
			if start <= end && end <= len(flat) {
				b.addLine(flat[start:end], stride)
			}
			start = end
		}
	case *geom.GeometryCollection:
		if g == nil {
			return
		}
		for _, m := range g.Geoms() {
			b.addGeom(m)
		}
	}
}

func (b *builder) addLine(flat []float64, stride int) {
	if stride < 2 {
		return
	}
	prev, havePrev := uint64(0), false
	first := len(b.segs) // the first segment of the current run of valid vertices
	for i := 0; i+1 < len(flat); i += stride {
		lon, lat := flat[i], flat[i+1]
		if !validLonLat(lon, lat) {
			b.markEnds(first)
			first, havePrev = len(b.segs), false
			continue
		}
		k := latticeKey(lon, lat)
		if havePrev && k != prev {
			ax, ay := keyLonLat(prev)
			bx, by := keyLonLat(k)
			b.segs = append(b.segs, seg{prev, k, ax, ay, bx, by, b.layer, 0})
		}
		prev, havePrev = k, true
	}
	b.markEnds(first)
}

// markEnds marks the ends of the line whose segments start at first.
func (b *builder) markEnds(first int) {
	if first < len(b.segs) {
		b.segs[first].ends |= lineStart
		b.segs[len(b.segs)-1].ends |= lineEnd
	}
}

// network nodes the segments and builds the graph.
func (b *builder) network() *Network {
	b.splits = make([]split, 0, 2*len(b.segs)+len(b.segs)/2)
	for i, s := range b.segs {
		b.splits = append(b.splits, split{int32(i), -1, s.a}, split{int32(i), 2, s.b})
	}
	b.node()
	slices.SortFunc(b.splits, func(x, y split) int {
		if c := cmp.Compare(x.seg, y.seg); c != 0 {
			return c
		}
		if c := cmp.Compare(x.t, y.t); c != 0 {
			return c
		}
		return cmp.Compare(x.key, y.key)
	})

	n := &Network{
		lon: make([]float64, 0, len(b.segs)+1),
		lat: make([]float64, 0, len(b.segs)+1),
	}
	index := make(map[uint64]int32, len(b.segs)+1)
	node := func(k uint64) int32 {
		if i, ok := index[k]; ok {
			return i
		}
		i := int32(len(n.lon))
		index[k] = i
		lon, lat := keyLonLat(k)
		n.lon, n.lat = append(n.lon, lon), append(n.lat, lat)
		return i
	}
	pairs := make([]uint64, 0, len(b.splits)-len(b.segs)) // edges as (low node << 32 | high node)
	for i := 0; i < len(b.splits); {
		j := i + 1
		for j < len(b.splits) && b.splits[j].seg == b.splits[i].seg {
			if k0, k1 := b.splits[j-1].key, b.splits[j].key; k0 != k1 {
				u, v := node(k0), node(k1)
				pairs = append(pairs, uint64(min(u, v))<<32|uint64(max(u, v)))
			}
			j++
		}
		i = j
	}
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)

	n.ea = make([]int32, len(pairs))
	n.eb = make([]int32, len(pairs))
	n.elen = make([]float64, len(pairs))
	deg := make([]int32, len(n.lon)+1)
	for e, p := range pairs {
		u, v := int32(p>>32), int32(uint32(p))
		n.ea[e], n.eb[e] = u, v
		n.elen[e] = cim.DistanceM(n.lon[u], n.lat[u], n.lon[v], n.lat[v])
		deg[u+1]++
		deg[v+1]++
	}
	for i := 1; i < len(deg); i++ {
		deg[i] += deg[i-1]
	}
	n.adjStart = deg
	n.adjTo = make([]int32, 2*len(pairs))
	n.adjLen = make([]float64, 2*len(pairs))
	fill := slices.Clone(deg[:len(deg)-1])
	for e := range pairs {
		u, v, l := n.ea[e], n.eb[e], n.elen[e]
		n.adjTo[fill[u]], n.adjLen[fill[u]] = v, l
		fill[u]++
		n.adjTo[fill[v]], n.adjLen[fill[v]] = u, l
		fill[v]++
	}
	return n
}

// node finds the pairs of segments that cross or touch, through a grid,
// and records where each is to be split.
func (b *builder) node() {
	segEnds := func(i int) (ax, ay, bx, by float64) {
		s := &b.segs[i]
		return s.ax, s.ay, s.bx, s.by
	}
	g := newGrid(len(b.segs), meanExtent(len(b.segs), segEnds), tolDeg, segEnds)
	mark := make([]int32, len(b.segs))
	for i := range mark {
		mark[i] = -1
	}
	for i := range b.segs {
		s := &b.segs[i]
		g.cover(s.ax, s.ay, s.bx, s.by, tolDeg, func(ix, iy int32) {
			ids := g.cellIDs(ix, iy)
			k, _ := slices.BinarySearch(ids, int32(i)+1)
			for _, j := range ids[k:] {
				if mark[j] != int32(i) {
					mark[j] = int32(i)
					b.meet(int32(i), j)
				}
			}
		})
	}
}

// meet records the splits of segments i and j where they touch or cross.
func (b *builder) meet(i, j int32) {
	s, r := &b.segs[i], &b.segs[j]
	if max(s.ax, s.bx)+tolDeg < min(r.ax, r.bx) || max(r.ax, r.bx)+tolDeg < min(s.ax, s.bx) ||
		max(s.ay, s.by)+tolDeg < min(r.ay, r.by) || max(r.ay, r.by)+tolDeg < min(s.ay, s.by) {
		return
	}
	touched := false
	touch := func(on int32, o *seg, key uint64, px, py float64) {
		if key == o.a || key == o.b {
			touched = true // a shared vertex
			return
		}
		if t, d2 := foot(o.ax, o.ay, o.bx, o.by, px, py); d2 <= tolDeg*tolDeg {
			b.splits = append(b.splits, split{on, t, key})
			touched = true
		}
	}
	// Between layers only a line's own ends join the other line: the
	// inner vertices of a bridge over a street do not.
	same := s.layer == r.layer
	if same || r.ends&lineStart != 0 {
		touch(i, s, r.a, r.ax, r.ay)
	}
	if same || r.ends&lineEnd != 0 {
		touch(i, s, r.b, r.bx, r.by)
	}
	if same || s.ends&lineStart != 0 {
		touch(j, r, s.a, s.ax, s.ay)
	}
	if same || s.ends&lineEnd != 0 {
		touch(j, r, s.b, s.bx, s.by)
	}
	if touched || !same {
		return
	}
	// A proper crossing: the ends of each lie strictly on either side of
	// the other.
	dx, dy := s.bx-s.ax, s.by-s.ay
	ex, ey := r.bx-r.ax, r.by-r.ay
	d1 := dx*(r.ay-s.ay) - dy*(r.ax-s.ax) // side of r.a from s
	d2 := dx*(r.by-s.ay) - dy*(r.bx-s.ax) // side of r.b from s
	d3 := ex*(s.ay-r.ay) - ey*(s.ax-r.ax) // side of s.a from r
	d4 := ex*(s.by-r.ay) - ey*(s.bx-r.ax) // side of s.b from r
	if !(d1 < 0 && d2 > 0 || d1 > 0 && d2 < 0) || !(d3 < 0 && d4 > 0 || d3 > 0 && d4 < 0) {
		return
	}
	t := d3 / (d3 - d4)
	u := d1 / (d1 - d2)
	key := latticeKey(s.ax+t*dx, s.ay+t*dy)
	b.splits = append(b.splits, split{i, t, key}, split{j, u, key})
}

// foot returns the parameter t in [0, 1] of the point of segment
// (ax, ay)–(bx, by) nearest to (px, py), and the squared distance to it,
// in the plane of the coordinates.
func foot(ax, ay, bx, by, px, py float64) (t, d2 float64) {
	dx, dy := bx-ax, by-ay
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = ((px-ax)*dx + (py-ay)*dy) / l2
		t = max(0, min(1, t))
	}
	fx, fy := ax+t*dx-px, ay+t*dy-py
	return t, fx*fx + fy*fy
}

// indexEdges builds the grid of edges used to snap points, and the extent.
func (n *Network) indexEdges() {
	n.minLon, n.minLat, n.maxLon, n.maxLat = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range n.lon {
		n.minLon, n.maxLon = min(n.minLon, n.lon[i]), max(n.maxLon, n.lon[i])
		n.minLat, n.maxLat = min(n.minLat, n.lat[i]), max(n.maxLat, n.lat[i])
	}
	edgeEnds := func(e int) (ax, ay, bx, by float64) {
		u, v := n.ea[e], n.eb[e]
		return n.lon[u], n.lat[u], n.lon[v], n.lat[v]
	}
	// Cells no smaller than an eighth of SnapM keep a search within SnapM
	// to a few rings of cells.
	_, mPerLat := metresPerDeg(0)
	cell := max(meanExtent(len(n.ea), edgeEnds), n.snapM/8/mPerLat)
	n.edges = newGrid(len(n.ea), cell, 1e-9, edgeEnds)
}

// WGS84 ellipsoid.
const (
	wgs84A  = 6378137.0
	wgs84F  = 1 / 298.257223563
	wgs84E2 = wgs84F * (2 - wgs84F)
)

// metresPerDeg returns the length in metres of a degree of longitude and of
// latitude at latitude lat: the ellipsoid's radii of curvature in the prime
// vertical (times cos lat) and in the meridian. The cosine is kept above
// 0.01 so that the scale stays finite near the poles.
func metresPerDeg(lat float64) (lon, latM float64) {
	sin, cos := math.Sincos(lat * math.Pi / 180)
	w2 := 1 - wgs84E2*sin*sin
	w := math.Sqrt(w2)
	return wgs84A / w * max(cos, 0.01) * math.Pi / 180, wgs84A * (1 - wgs84E2) / (w2 * w) * math.Pi / 180
}

// snapped is a point snapped onto an edge: offM metres from the edge,
// whose nearest point is alongM metres from the edge's end ea.
type snapped struct {
	edge         int32
	offM, alongM float64
}

// snap finds the nearest point to (lon, lat) on the nearest edge within
// SnapM, searching the grid ring by ring outwards from the point's cell.
func (n *Network) snap(lon, lat float64) (snapped, bool) {
	if !validLonLat(lon, lat) || len(n.ea) == 0 {
		return snapped{}, false
	}
	kx, ky := metresPerDeg(lat)
	reach := n.snapM * 1.001 // the tangent plane is good to far better than 0.1 %
	ox := max(0, n.minLon-lon, lon-n.maxLon) * kx
	oy := max(0, n.minLat-lat, lat-n.maxLat) * ky
	if ox*ox+oy*oy > reach*reach {
		return snapped{}, false
	}
	g := &n.edges
	cx, cy := g.index(lon), g.index(lat)
	rx := int32(math.Ceil(reach/(g.cell*kx))) + 1
	ry := int32(math.Ceil(reach/(g.cell*ky))) + 1
	ringM := g.cell * min(kx, ky) // every cell beyond ring k is at least k·ringM away
	best, bestT, bestD2 := int32(-1), 0.0, reach*reach
	visit := func(ix, iy int32) {
		for _, e := range g.cellIDs(ix, iy) {
			u, v := n.ea[e], n.eb[e]
			t, d2 := foot((n.lon[u]-lon)*kx, (n.lat[u]-lat)*ky, (n.lon[v]-lon)*kx, (n.lat[v]-lat)*ky, 0, 0)
			if d2 < bestD2 || d2 == bestD2 && e < best {
				best, bestT, bestD2 = e, t, d2
			}
		}
	}
	for k := int32(0); k <= max(rx, ry); k++ {
		if k > 0 {
			if r := float64(k-1) * ringM; r*r > bestD2 {
				break
			}
		}
		for dy := -min(k, ry); dy <= min(k, ry); dy++ {
			if dy == -k || dy == k {
				for dx := -min(k, rx); dx <= min(k, rx); dx++ {
					visit(cx+dx, cy+dy)
				}
			} else if k <= rx {
				visit(cx-k, cy+dy)
				if k > 0 {
					visit(cx+k, cy+dy)
				}
			}
		}
	}
	if best < 0 {
		return snapped{}, false
	}
	u, v := n.ea[best], n.eb[best]
	fx, fy := n.lon[u]+bestT*(n.lon[v]-n.lon[u]), n.lat[u]+bestT*(n.lat[v]-n.lat[u])
	s := snapped{edge: best, offM: cim.DistanceM(lon, lat, fx, fy)}
	switch bestT {
	case 0:
	case 1:
		s.alongM = n.elen[best]
	default:
		s.alongM = min(cim.DistanceM(n.lon[u], n.lat[u], fx, fy), n.elen[best])
	}
	if s.offM > n.snapM {
		return snapped{}, false
	}
	return s, true
}
