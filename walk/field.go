package walk

import (
	"container/heap"
	"math"
)

// Field holds, for every node of a network, the walking distance in metres
// from the nearest source, up to the limit it was computed with: 8 bytes per
// node, whatever the limit. Network.From makes one; To reads it.
type Field struct {
	n    *Network
	maxM float64
	dist []float64 // per node; +Inf where no source reaches within maxM

	// onEdge holds the sources snapped onto each edge, for targets on the
	// same edge, which may be reached along it without passing its ends.
	onEdge map[int32][]snapped
}

// From computes the walking distance in metres from the nearest of the
// sources, points given as (longitude, latitude), to every node of the
// network, by a multi-source Dijkstra search. Each source is snapped to the
// nearest point of the nearest edge (the foot of the perpendicular), which
// splits that edge: the distance to each of its ends is the snap distance
// plus the distance along the edge. Sources farther than SnapM from the
// network are ignored. The search stops at maxM metres, snap distances
// included: nodes farther from every source stay unreached. Pass
// math.Inf(1) for no limit; a negative or NaN maxM reaches nothing.
func (n *Network) From(sources [][2]float64, maxM float64) *Field {
	f := &Field{n: n, maxM: maxM, dist: make([]float64, len(n.lon))}
	for i := range f.dist {
		f.dist[i] = math.Inf(1)
	}
	if !(maxM >= 0) {
		return f
	}
	var q queue
	reach := func(node int32, d float64) {
		if d <= maxM && d < f.dist[node] {
			f.dist[node] = d
			heap.Push(&q, item{node, d})
		}
	}
	for _, p := range sources {
		s, ok := n.snap(p[0], p[1])
		if !ok || s.offM > maxM {
			continue
		}
		if f.onEdge == nil {
			f.onEdge = map[int32][]snapped{}
		}
		f.onEdge[s.edge] = append(f.onEdge[s.edge], s)
		reach(n.ea[s.edge], s.offM+s.alongM)
		reach(n.eb[s.edge], s.offM+n.elen[s.edge]-s.alongM)
	}
	for q.Len() > 0 {
		it := heap.Pop(&q).(item)
		if it.d > f.dist[it.node] {
			continue // a stale entry: the node was reached more cheaply since
		}
		for a := n.adjStart[it.node]; a < n.adjStart[it.node+1]; a++ {
			reach(n.adjTo[a], it.d+n.adjLen[a])
		}
	}
	return f
}

// To returns the walking distance in metres from the nearest source to the
// point (lon, lat). The point is snapped to the nearest edge within SnapM
// and the snap distance added; along that edge the better of its two ends
// is taken, plus the distance from that end to the snapped point, or, for
// a source snapped onto the same edge, the direct way along it. ok is false
// when the point is farther than SnapM from the network, or when no source
// reaches it within the Field's maxM (the whole distance, both snap
// distances included).
func (f *Field) To(lon, lat float64) (dist float64, ok bool) {
	if f == nil || f.n == nil {
		return 0, false
	}
	n := f.n
	s, ok := n.snap(lon, lat)
	if !ok {
		return 0, false
	}
	e := s.edge
	d := min(f.dist[n.ea[e]]+s.alongM, f.dist[n.eb[e]]+n.elen[e]-s.alongM)
	for _, src := range f.onEdge[e] {
		d = min(d, src.offM+math.Abs(src.alongM-s.alongM))
	}
	d += s.offM
	if math.IsInf(d, 1) || !(d <= f.maxM) {
		return 0, false
	}
	return d, true
}

// item is a node reached at distance d, waiting in the queue.
type item struct {
	node int32
	d    float64
}

// queue is a min-heap of items by distance, for container/heap.
type queue []item

func (q queue) Len() int           { return len(q) }
func (q queue) Less(i, j int) bool { return q[i].d < q[j].d }
func (q queue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)        { *q = append(*q, x.(item)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
