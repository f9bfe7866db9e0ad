package osm

import (
	"errors"
	"math"
	"slices"

	"github.com/twpayne/go-geom"
)

// Multipolygon assembly: the member ways of a type=multipolygon (or
// boundary) relation are joined end to end, by node id, into closed rings;
// the rings are nested by containment, and each ring at an even depth
// becomes an outer ring with the rings directly inside it as holes. Roles
// are not trusted, as osmium and GDAL do not trust them either.

var (
	errOpenRing = errors.New("a ring does not close")
	errNoRings  = errors.New("no ring")
)

// joinRings joins ways (node id lists) into closed rings.
func joinRings(ways [][]int64) ([][]int64, error) {
	used := make([]bool, len(ways))
	ends := map[int64][]int{} // node id → ways starting or ending there
	var rings [][]int64
	for i, w := range ways {
		if len(w) < 2 {
			used[i] = true
			continue
		}
		if w[0] == w[len(w)-1] {
			rings = append(rings, w)
			used[i] = true
			continue
		}
		ends[w[0]] = append(ends[w[0]], i)
		ends[w[len(w)-1]] = append(ends[w[len(w)-1]], i)
	}
	for i, w := range ways {
		if used[i] {
			continue
		}
		used[i] = true
		ring := slices.Clone(w)
		at := map[int64]int{ring[len(ring)-1]: len(ring) - 1} // way ends in ring → index
		for ring[0] != ring[len(ring)-1] {
			end := ring[len(ring)-1]
			next := -1
			for _, j := range ends[end] {
				if !used[j] {
					next = j
					break
				}
			}
			if next < 0 {
				return nil, errOpenRing
			}
			used[next] = true
			nw := ways[next]
			if nw[0] == end {
				ring = append(ring, nw[1:]...)
			} else {
				for k := len(nw) - 2; k >= 0; k-- {
					ring = append(ring, nw[k])
				}
			}
			// The chain came back to a node it passed: a ring touching
			// another at a node. Cut the loop off as a ring of its own.
			e := ring[len(ring)-1]
			if p, ok := at[e]; ok && e != ring[0] {
				rings = append(rings, slices.Clone(ring[p:]))
				ring = ring[:p+1]
				for id, q := range at {
					if q > p {
						delete(at, id)
					}
				}
				continue
			}
			at[e] = len(ring) - 1
		}
		if len(ring) >= 4 {
			rings = append(rings, ring)
		}
	}
	if len(rings) == 0 {
		return nil, errNoRings
	}
	return rings, nil
}

// placedRing is a ring with its coordinates, for nesting.
type placedRing struct {
	ids    []int64
	flat   []float64 // lon, lat pairs
	area   float64   // planar, absolute
	box    [4]float64
	parent int
	depth  int
	idset  map[int64]struct{} // ids as a set, made when first needed
}

// has reports whether the ring passes through node id.
func (r *placedRing) has(id int64) bool {
	if len(r.ids) <= 16 {
		return slices.Contains(r.ids, id)
	}
	if r.idset == nil {
		r.idset = make(map[int64]struct{}, len(r.ids))
		for _, v := range r.ids {
			r.idset[v] = struct{}{}
		}
	}
	_, ok := r.idset[id]
	return ok
}

// nestRings builds a Polygon or MultiPolygon from closed rings given as
// node ids and their coordinates (flat lon,lat per ring).
func nestRings(ids [][]int64, flats [][]float64) geom.T {
	rs := make([]*placedRing, len(ids))
	for i := range ids {
		r := &placedRing{ids: ids[i], flat: flats[i], parent: -1}
		r.area = math.Abs(shoelace(r.flat))
		r.box = [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for k := 0; k+1 < len(r.flat); k += 2 {
			r.box[0], r.box[1] = min(r.box[0], r.flat[k]), min(r.box[1], r.flat[k+1])
			r.box[2], r.box[3] = max(r.box[2], r.flat[k]), max(r.box[3], r.flat[k+1])
		}
		rs[i] = r
	}
	slices.SortStableFunc(rs, func(a, b *placedRing) int { return -cmpFloat(a.area, b.area) })
	for i, r := range rs {
		// The smallest larger ring that contains r is its parent.
		for j := i - 1; j >= 0; j-- {
			o := rs[j]
			if r.box[0] < o.box[0] || r.box[1] < o.box[1] || r.box[2] > o.box[2] || r.box[3] > o.box[3] {
				continue
			}
			if x, y, ok := pointNotOn(r, o); ok && insideRing(x, y, o.flat) {
				r.parent, r.depth = j, o.depth+1
				break
			}
		}
	}
	var flat []float64
	var endss [][]int
	for i, r := range rs {
		if r.depth%2 != 0 {
			continue
		}
		flat = append(flat, r.flat...)
		ends := []int{len(flat)}
		for _, h := range rs {
			if h.parent == i && h.depth == r.depth+1 {
				flat = append(flat, h.flat...)
				ends = append(ends, len(flat))
			}
		}
		endss = append(endss, ends)
	}
	if len(endss) == 1 {
		return geom.NewPolygonFlat(geom.XY, flat, endss[0])
	}
	return geom.NewMultiPolygonFlat(geom.XY, flat, endss)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pointNotOn returns a vertex of r that is not a vertex of o, to test
// containment away from shared nodes.
func pointNotOn(r, o *placedRing) (float64, float64, bool) {
	for k, id := range r.ids {
		if !o.has(id) {
			return r.flat[2*k], r.flat[2*k+1], true
		}
	}
	return 0, 0, false
}

// insideRing is the even–odd test of a point against one ring.
func insideRing(x, y float64, flat []float64) bool {
	in := false
	for i := 2; i+1 < len(flat); i += 2 {
		x1, y1, x2, y2 := flat[i-2], flat[i-1], flat[i], flat[i+1]
		if (y1 > y) != (y2 > y) && x < x1+(y-y1)*(x2-x1)/(y2-y1) {
			in = !in
		}
	}
	return in
}

func shoelace(flat []float64) float64 {
	var s float64
	for i := 2; i+1 < len(flat); i += 2 {
		s += (flat[i-2]-flat[0])*(flat[i+1]-flat[1]) - (flat[i]-flat[0])*(flat[i-1]-flat[1])
	}
	return s / 2
}
