package sunlight

import (
	"fmt"
	"math"
)

// Receiver is a point where sunlight is measured, in local east-north-up
// metres: a window sill on a facade, or a point on the ground.
type Receiver struct {
	X, Y, Z float64
	// NX, NY is the facade's outward horizontal unit normal; zero for a
	// ground receiver, which has no sweep-angle limit.
	NX, NY float64
	// Building is the number of the building the receiver is on (see
	// Prism.Building), −1 or any other number for none; it only labels
	// results (a receiver's own building shades it like any other).
	Building int
}

// DefaultOffsetM is how far a facade receiver stands outside its wall, so
// that the wall it is on does not stop the rays leaving it.
const DefaultOffsetM = 0.05

// MinSpacingM is the closest Facade samples a wall: finer than a
// centimetre says nothing more and would only grow without bound.
const MinSpacingM = 0.01

// Facade returns receivers along every edge of a footprint's rings at
// height z, one per piece: an edge of length L is cut into n = ⌈L/spacing⌉
// equal pieces and a receiver stands at the centre of each (so edge ends,
// the building's corners, where two facades meet, are never sampled),
// offset offsetM outwards (zero means DefaultOffsetM). The normal is the
// outward edge normal: away from the outer ring's interior, into a hole
// (a courtyard), whatever the rings' orientation. rings[0] is the outer
// ring, the rest holes, as in Prism.Rings.
func Facade(rings [][][2]float64, z, spacing, offsetM float64, building int) ([]Receiver, error) {
	if !(spacing >= MinSpacingM) || math.IsInf(spacing, 0) {
		return nil, fmt.Errorf("sunlight: facade spacing %v m: want at least %v m", spacing, MinSpacingM)
	}
	if offsetM == 0 {
		offsetM = DefaultOffsetM
	}
	var out []Receiver
	for r, ring := range rings {
		ring = openRing(ring)
		if len(ring) < 3 {
			return nil, fmt.Errorf("%w: ring %d has %d distinct vertices", ErrGeometry, r, len(ring))
		}
		// For a counter-clockwise ring the interior is on the left of each
		// edge (dx, dy), so the right normal (dy, −dx) points out of it.
		// The outward facade normal leaves the outer ring's interior and
		// enters a hole's.
		sign := 1.0
		if signedArea(ring) < 0 {
			sign = -1
		}
		if r > 0 {
			sign = -sign
		}
		for k, a := range ring {
			b := ring[(k+1)%len(ring)]
			dx, dy := b[0]-a[0], b[1]-a[1]
			l := math.Hypot(dx, dy)
			if l == 0 {
				continue
			}
			nx, ny := sign*dy/l, -sign*dx/l
			n := int(math.Ceil(l/spacing - 1e-9))
			for i := 0; i < n; i++ {
				f := (float64(i) + 0.5) / float64(n)
				out = append(out, Receiver{
					X: a[0] + f*dx + offsetM*nx, Y: a[1] + f*dy + offsetM*ny, Z: z,
					NX: nx, NY: ny, Building: building,
				})
			}
		}
	}
	return out, nil
}
