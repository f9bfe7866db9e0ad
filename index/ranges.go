package index

import (
	"cmp"
	"slices"
)

// mrange is an inclusive range of Morton codes.
type mrange struct{ lo, hi uint64 }

// mortonRanges returns sorted, non-overlapping Morton code ranges whose
// union covers every code of a point in q. It refines the quadtree
// breadth-first, splitting cells that straddle q's edge, and stops once the
// next depth would leave more than budget straddling cells; those are then
// taken whole. Cells wholly inside q are exact. Adjacent ranges are merged.
func mortonRanges(q qbox, budget int) []mrange {
	type cell struct {
		x, y  uint32 // lower-left corner
		depth uint8  // cell size is 2^(32−depth)
	}
	out := make([]mrange, 0, 2*budget)
	emit := func(c cell) {
		shift := 64 - 2*uint(c.depth)
		lo := morton(c.x, c.y)
		var hi uint64
		if shift == 64 {
			hi = ^uint64(0)
		} else {
			hi = lo | (uint64(1)<<shift - 1)
		}
		out = append(out, mrange{lo, hi})
	}
	// Refining stops before the cells outnumber the budget, so these two
	// never grow past their first allocation.
	cells := append(make([]cell, 0, budget+4), cell{0, 0, 0})
	partial := make([]cell, 0, budget+4)
	for len(cells) > 0 {
		partial = partial[:0]
		for _, c := range cells {
			size := uint64(1) << (32 - uint(c.depth))
			cx1 := uint32(uint64(c.x) + size - 1)
			cy1 := uint32(uint64(c.y) + size - 1)
			cb := qbox{c.x, c.y, cx1, cy1}
			switch {
			case !q.intersects(cb):
			case q.contains(cb) || c.depth == 32:
				emit(c)
			default:
				partial = append(partial, c)
			}
		}
		if len(partial)*4 > budget {
			for _, c := range partial {
				emit(c)
			}
			break
		}
		cells = cells[:0]
		for _, c := range partial {
			half := uint32(1) << (31 - uint(c.depth))
			d := c.depth + 1
			cells = append(cells, cell{c.x, c.y, d}, cell{c.x + half, c.y, d}, cell{c.x, c.y + half, d}, cell{c.x + half, c.y + half, d})
		}
	}
	slices.SortFunc(out, func(a, b mrange) int { return cmp.Compare(a.lo, b.lo) })
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && merged[n-1].hi != ^uint64(0) && merged[n-1].hi+1 >= r.lo {
			merged[n-1].hi = max(merged[n-1].hi, r.hi)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}
