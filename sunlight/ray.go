package sunlight

import "math"

// tracer holds one worker's scratch state for ray queries: a stamp per
// prism so that a prism listed in several cells is tested once per ray.
type tracer struct {
	s     *Scene
	seen  []uint32
	epoch uint32
}

func newTracer(s *Scene) *tracer {
	return &tracer{s: s, seen: make([]uint32, len(s.prisms))}
}

// ray is a ray from a receiver towards the Sun: horizontal unit direction
// (ux, uy), rise per horizontal metre tanAlt, and the horizontal length
// sMax beyond which it is above every top or past the cut-off.
type ray struct {
	x, y, z float64
	ux, uy  float64
	tanAlt  float64
	sMax    float64
}

// blockedBy reports whether prism i stops r: the part of the ray between
// the heights z0 and z1 of the prism, s ∈ [max(0, (z0−z)/tanα),
// min(sMax, (z1−z)/tanα)], projected on the ground, meets the footprint.
// This is exact: the prism is the footprint × [z0, z1] and the ray's
// height is monotone in s.
func (t *tracer) blockedBy(r *ray, i int32) bool {
	q := &t.s.prisms[i]
	// Plain comparisons: math.Min and math.Max handle NaN and −0 and are
	// not inlined, which showed in profiles.
	sHi := (q.z1 - r.z) / r.tanAlt
	if sHi > r.sMax {
		sHi = r.sMax
	}
	if sHi < 0 {
		return false
	}
	sLo := (q.z0 - r.z) / r.tanAlt
	if sLo < 0 {
		sLo = 0
	}
	if sLo > sHi {
		return false
	}
	return q.hitsSegment(r.x+r.ux*sLo, r.y+r.uy*sLo, r.x+r.ux*sHi, r.y+r.uy*sHi)
}

// blocked returns the index of a prism that stops r, or −1. hint, when
// not negative, is tried first (the prism that stopped the previous step's
// ray: the Sun moves 0.25° a minute, so a shadow usually persists).
func (t *tracer) blocked(r *ray, hint int32) int32 {
	if r.sMax <= 0 {
		return -1
	}
	s := t.s
	if hint >= 0 && t.blockedBy(r, hint) {
		return hint
	}
	t.epoch++
	if t.epoch == 0 { // wrapped: clear the stamps
		clear(t.seen)
		t.epoch = 1
	}
	// Clip the ray's projection [0, sMax] to the grid's box.
	w, h := float64(s.nx)*s.cell, float64(s.ny)*s.cell
	tIn, tOut := 0.0, r.sMax
	if !clipSlab(r.x-s.x0, r.ux, w, &tIn, &tOut) || !clipSlab(r.y-s.y0, r.uy, h, &tIn, &tOut) {
		return -1
	}
	// Amanatides & Woo: walk the cells from the entry point.
	px, py := r.x-s.x0+r.ux*tIn, r.y-s.y0+r.uy*tIn
	cx, cy := min(max(int(px/s.cell), 0), s.nx-1), min(max(int(py/s.cell), 0), s.ny-1)
	stepX, stepY := 1, 1
	tMaxX, tMaxY := math.Inf(1), math.Inf(1)
	tDeltaX, tDeltaY := math.Inf(1), math.Inf(1)
	if r.ux > 0 {
		tMaxX = tIn + (float64(cx+1)*s.cell-px)/r.ux
		tDeltaX = s.cell / r.ux
	} else if r.ux < 0 {
		stepX = -1
		tMaxX = tIn + (float64(cx)*s.cell-px)/r.ux
		tDeltaX = -s.cell / r.ux
	}
	if r.uy > 0 {
		tMaxY = tIn + (float64(cy+1)*s.cell-py)/r.uy
		tDeltaY = s.cell / r.uy
	} else if r.uy < 0 {
		stepY = -1
		tMaxY = tIn + (float64(cy)*s.cell-py)/r.uy
		tDeltaY = -s.cell / r.uy
	}
	tCell := tIn // where the ray enters the current cell
	for {
		// The ray rises: past the cell's tallest top at its entry, it
		// clears every prism listed there.
		c := cy*s.nx + cx
		if r.z+tCell*r.tanAlt >= s.cellTop[c] {
			goto next
		}
		for _, i := range s.cells[c] {
			if t.seen[i] == t.epoch {
				continue
			}
			t.seen[i] = t.epoch
			if t.blockedBy(r, i) {
				return i
			}
		}
	next:
		if tMaxX < tMaxY {
			if tMaxX > tOut {
				return -1
			}
			tCell = tMaxX
			cx += stepX
			tMaxX += tDeltaX
			if cx < 0 || cx >= s.nx {
				return -1
			}
		} else {
			if tMaxY > tOut {
				return -1
			}
			tCell = tMaxY
			cy += stepY
			tMaxY += tDeltaY
			if cy < 0 || cy >= s.ny {
				return -1
			}
		}
	}
}

// clipSlab narrows [tIn, tOut] to where o + t·d lies in [0, w].
func clipSlab(o, d, w float64, tIn, tOut *float64) bool {
	if d == 0 {
		return o >= 0 && o <= w
	}
	t0, t1 := -o/d, (w-o)/d
	if t0 > t1 {
		t0, t1 = t1, t0
	}
	if t0 > *tIn {
		*tIn = t0
	}
	if t1 < *tOut {
		*tOut = t1
	}
	return *tIn <= *tOut
}
