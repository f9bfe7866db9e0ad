package walk

import "math"

// grid is a sparse uniform grid of square cells, side cell degrees, that
// holds the ids of segments in every cell a segment passes through or
// within its padding of. Cell c's ids, in increasing order, are
// ids[start[c]:start[c+1]], where c is cells[cellKey(ix, iy)].
type grid struct {
	cell  float64
	cells map[uint64]int32
	start []int32
	ids   []int32
}

// minCellDeg keeps cell indexes within int32 for any longitude.
const minCellDeg = 1e-6

func cellKey(ix, iy int32) uint64 { return uint64(uint32(ix))<<32 | uint64(uint32(iy)) }

func (g *grid) index(v float64) int32 { return int32(math.Floor(v / g.cell)) }

// cellIDs returns the ids registered in cell (ix, iy).
func (g *grid) cellIDs(ix, iy int32) []int32 {
	c, ok := g.cells[cellKey(ix, iy)]
	if !ok {
		return nil
	}
	return g.ids[g.start[c]:g.start[c+1]]
}

// cover calls fn for every cell that holds a point within pad degrees (in
// both coordinates) of the segment (ax, ay)–(bx, by): column by column, the
// rows between the segment's lowest and highest point over that column,
// widened by pad.
func (g *grid) cover(ax, ay, bx, by, pad float64, fn func(ix, iy int32)) {
	minx, maxx := min(ax, bx), max(ax, bx)
	miny, maxy := min(ay, by), max(ay, by)
	c := g.cell
	x1 := g.index(maxx + pad)
	for ix := g.index(minx - pad); ix <= x1; ix++ {
		ylo, yhi := miny, maxy
		if ax != bx {
			lo := max(float64(ix)*c-pad, minx)
			hi := min(float64(ix+1)*c+pad, maxx)
			s := (by - ay) / (bx - ax)
			y1, y2 := ay+(lo-ax)*s, ay+(hi-ax)*s
			ylo, yhi = max(min(y1, y2), miny), min(max(y1, y2), maxy)
			if ylo > yhi { // rounding at the very ends of the segment
				ylo, yhi = yhi, ylo
			}
		}
		y1 := g.index(yhi + pad)
		for iy := g.index(ylo - pad); iy <= y1; iy++ {
			fn(ix, iy)
		}
	}
}

// newGrid registers n segments, segment i running from a(i) to b(i), in a
// grid of cells of side cell degrees, each widened by pad degrees.
func newGrid(n int, cell, pad float64, seg func(i int) (ax, ay, bx, by float64)) grid {
	g := grid{cell: max(cell, minCellDeg), cells: make(map[uint64]int32, n)}
	// First, for each segment in turn, the cells it covers, numbered in the
	// order first met, and how many segments each cell holds; then the ids,
	// cell by cell.
	entryCell := make([]int32, 0, 3*n)
	entryID := make([]int32, 0, 3*n)
	count := make([]int32, 0, n)
	for i := range n {
		ax, ay, bx, by := seg(i)
		g.cover(ax, ay, bx, by, pad, func(ix, iy int32) {
			k := cellKey(ix, iy)
			c, ok := g.cells[k]
			if !ok {
				c = int32(len(count))
				g.cells[k] = c
				count = append(count, 0)
			}
			count[c]++
			entryCell = append(entryCell, c)
			entryID = append(entryID, int32(i))
		})
	}
	g.start = make([]int32, len(count)+1)
	for c, k := range count {
		g.start[c+1] = g.start[c] + k
	}
	fill := count[:0]
	fill = append(fill, g.start[:len(count)]...)
	g.ids = make([]int32, len(entryCell))
	for e, c := range entryCell {
		g.ids[fill[c]] = entryID[e]
		fill[c]++
	}
	return g
}

// meanExtent returns the mean over n segments of the larger of their
// longitude and latitude extents, in degrees; 0 when n is 0.
func meanExtent(n int, seg func(i int) (ax, ay, bx, by float64)) float64 {
	if n == 0 {
		return 0
	}
	var s float64
	for i := range n {
		ax, ay, bx, by := seg(i)
		s += max(math.Abs(bx-ax), math.Abs(by-ay))
	}
	return s / float64(n)
}
