package sunlight

import (
	"errors"
	"fmt"
	"math"
)

// ErrGeometry is returned (wrapped, naming the prism and ring) for a
// footprint that cannot be an obstruction: fewer than three distinct
// vertices, a non-finite coordinate, or a top not above the bottom.
var ErrGeometry = errors.New("sunlight: bad geometry")

// Prism is a vertical obstruction: a footprint polygon in local east-north
// metres, extruded from Z0 to Z1 metres above the site's ground. A building
// is one prism, or several (its parts, or a podium and a tower).
type Prism struct {
	// Rings is the footprint: the outer ring first, then its holes (open
	// courtyards). A ring need not repeat its first vertex; either
	// orientation is accepted.
	Rings [][][2]float64
	// Z0 and Z1 are the bottom and top, metres above the ground.
	Z0, Z1 float64
	// Building identifies the building the prism belongs to (the caller's
	// number); receivers carry the same number in Receiver.Building.
	Building int
}

// prism is a Prism prepared for ray tests: closed rings flattened into
// edge lists, and its bounding box.
type prism struct {
	edges                  [][4]float64 // x0, y0, x1, y1
	z0, z1                 float64
	minX, minY, maxX, maxY float64
}

// Scene is a set of obstructions under a uniform 2D grid over their
// footprints. Each cell lists the prisms whose bounding box overlaps it; a
// ray visits only the cells its horizontal projection crosses, in order
// (Amanatides & Woo's traversal), so a query costs the cells crossed plus
// the prisms listed in them. A Scene is read-only once built and safe for
// concurrent use.
type Scene struct {
	prisms []prism
	// cells[cy*nx+cx] lists prism indexes; cell (cx, cy) covers
	// [x0+cx·cell, x0+(cx+1)·cell) × [y0+cy·cell, …).
	cells [][]int32
	// cellTop[c] is the highest top of the prisms listed in cell c.
	cellTop []float64
	x0, y0  float64
	cell    float64
	nx, ny  int
	maxZ    float64
}

// DefaultCellM is the grid cell side when NewScene is given zero: about the
// size of a tower's footprint, so a cell lists few prisms and a 400 m ray
// crosses some 20–40 cells.
const DefaultCellM = 16

// NewScene indexes prisms in a grid of square cells of side cellM metres
// (zero means DefaultCellM).
func NewScene(prisms []Prism, cellM float64) (*Scene, error) {
	if cellM == 0 {
		cellM = DefaultCellM
	}
	if !(cellM > 0) || math.IsInf(cellM, 0) {
		return nil, fmt.Errorf("sunlight: grid cell %v m: must be positive", cellM)
	}
	s := &Scene{cell: cellM, prisms: make([]prism, 0, len(prisms))}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for i, p := range prisms {
		q, err := prepare(p)
		if err != nil {
			return nil, fmt.Errorf("prism %d (building %d): %w", i, p.Building, err)
		}
		s.prisms = append(s.prisms, q)
		minX, minY = math.Min(minX, q.minX), math.Min(minY, q.minY)
		maxX, maxY = math.Max(maxX, q.maxX), math.Max(maxY, q.maxY)
		s.maxZ = math.Max(s.maxZ, q.z1)
	}
	if len(s.prisms) == 0 {
		s.nx, s.ny = 1, 1
		s.cells = make([][]int32, 1)
		s.cellTop = make([]float64, 1)
		return s, nil
	}
	s.x0, s.y0 = minX, minY
	s.nx = int((maxX-minX)/cellM) + 1
	s.ny = int((maxY-minY)/cellM) + 1
	if s.nx*s.ny > 1<<24 {
		return nil, fmt.Errorf("sunlight: scene %.0f × %.0f m needs %d × %d cells of %v m: use a larger cell", maxX-minX, maxY-minY, s.nx, s.ny, cellM)
	}
	s.cells = make([][]int32, s.nx*s.ny)
	s.cellTop = make([]float64, s.nx*s.ny)
	for i, q := range s.prisms {
		cx0, cy0 := s.cellOf(q.minX, q.minY)
		cx1, cy1 := s.cellOf(q.maxX, q.maxY)
		for cy := cy0; cy <= cy1; cy++ {
			for cx := cx0; cx <= cx1; cx++ {
				c := cy*s.nx + cx
				s.cells[c] = append(s.cells[c], int32(i))
				s.cellTop[c] = math.Max(s.cellTop[c], q.z1)
			}
		}
	}
	return s, nil
}

// MaxHeightM is the top of the tallest obstruction.
func (s *Scene) MaxHeightM() float64 { return s.maxZ }

// Len is the number of prisms.
func (s *Scene) Len() int { return len(s.prisms) }

func (s *Scene) cellOf(x, y float64) (int, int) {
	cx := int((x - s.x0) / s.cell)
	cy := int((y - s.y0) / s.cell)
	return min(max(cx, 0), s.nx-1), min(max(cy, 0), s.ny-1)
}

func prepare(p Prism) (prism, error) {
	q := prism{z0: p.Z0, z1: p.Z1,
		minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	if !(p.Z1 > p.Z0) || math.IsInf(p.Z0, 0) || math.IsInf(p.Z1, 0) {
		return q, fmt.Errorf("%w: bottom %v m, top %v m", ErrGeometry, p.Z0, p.Z1)
	}
	if len(p.Rings) == 0 {
		return q, fmt.Errorf("%w: no footprint", ErrGeometry)
	}
	for r, ring := range p.Rings {
		ring = openRing(ring)
		if len(ring) < 3 {
			return q, fmt.Errorf("%w: ring %d has %d distinct vertices", ErrGeometry, r, len(ring))
		}
		for k, a := range ring {
			if math.IsNaN(a[0]) || math.IsInf(a[0], 0) || math.IsNaN(a[1]) || math.IsInf(a[1], 0) {
				return q, fmt.Errorf("%w: ring %d vertex %d is (%v, %v)", ErrGeometry, r, k, a[0], a[1])
			}
			b := ring[(k+1)%len(ring)]
			q.edges = append(q.edges, [4]float64{a[0], a[1], b[0], b[1]})
			if r == 0 {
				q.minX, q.maxX = math.Min(q.minX, a[0]), math.Max(q.maxX, a[0])
				q.minY, q.maxY = math.Min(q.minY, a[1]), math.Max(q.maxY, a[1])
			}
		}
	}
	return q, nil
}

// openRing drops a closing vertex equal to the first.
func openRing(r [][2]float64) [][2]float64 {
	if n := len(r); n > 1 && r[0] == r[n-1] {
		return r[:n-1]
	}
	return r
}

// signedArea is the shoelace area of a ring, positive counter-clockwise.
func signedArea(r [][2]float64) float64 {
	a := 0.0
	for i, p := range r {
		q := r[(i+1)%len(r)]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a / 2
}

// hitsSegment reports whether the horizontal segment from (ax, ay) to
// (bx, by) meets the prism's footprint (a closed set: its boundary counts).
// The segment meets the footprint iff it crosses or touches an edge, or
// lies wholly inside, in which case its start is inside: tested by the
// even-odd rule over all rings, so holes are outside.
func (q *prism) hitsSegment(ax, ay, bx, by float64) bool {
	if (ax < q.minX && bx < q.minX) || (ax > q.maxX && bx > q.maxX) ||
		(ay < q.minY && by < q.minY) || (ay > q.maxY && by > q.maxY) {
		return false
	}
	dx, dy := bx-ax, by-ay
	inside := false
	for _, e := range q.edges {
		ex, ey := e[2]-e[0], e[3]-e[1]
		// Solve a + t·d = e0 + u·(e1 − e0) by Cramer's rule.
		den := dx*ey - dy*ex
		wx, wy := e[0]-ax, e[1]-ay
		if den != 0 {
			t := (wx*ey - wy*ex) / den
			u := (wx*dy - wy*dx) / den
			if t >= 0 && t <= 1 && u >= 0 && u <= 1 {
				return true
			}
		}
		// Even-odd crossing for the start point (ray towards +x).
		if (e[1] > ay) != (e[3] > ay) {
			if ax < e[0]+(ay-e[1])*ex/ey {
				inside = !inside
			}
		}
	}
	return inside
}
