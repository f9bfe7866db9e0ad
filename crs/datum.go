package crs

import "math"

const deg = math.Pi / 180 // radians per degree

// ellipsoid is a reference ellipsoid: semi-major axis a in metres and
// flattening f.
type ellipsoid struct {
	a, f float64
}

var (
	wgs84  = ellipsoid{6378137, 1 / 298.257223563}
	grs80  = ellipsoid{6378137, 1 / 298.257222101}
	bessel = ellipsoid{6377397.155, 1 / 299.1528128}
)

// e2 returns the squared first eccentricity.
func (el ellipsoid) e2() float64 { return el.f * (2 - el.f) }

// toCart returns the geocentric (earth-centred, earth-fixed) coordinates in
// metres of geodetic latitude and longitude in radians at ellipsoidal height
// zero.
func (el ellipsoid) toCart(phi, lam float64) (x, y, z float64) {
	e2 := el.e2()
	sinPhi, cosPhi := math.Sincos(phi)
	sinLam, cosLam := math.Sincos(lam)
	n := el.a / math.Sqrt(1-e2*sinPhi*sinPhi) // prime vertical radius of curvature
	return n * cosPhi * cosLam, n * cosPhi * sinLam, n * (1 - e2) * sinPhi
}

// fromCart returns the geodetic latitude and longitude in radians of
// geocentric coordinates; the ellipsoidal height is dropped. The latitude
// is found by fixed-point iteration of tan φ = (z + e²N sin φ)/p, which
// gains a factor e² (about 150) in accuracy per step near the surface.
func (el ellipsoid) fromCart(x, y, z float64) (phi, lam float64) {
	e2 := el.e2()
	p := math.Hypot(x, y)
	lam = math.Atan2(y, x)
	phi = math.Atan2(z, p*(1-e2))
	for range 20 {
		s := math.Sin(phi)
		n := el.a / math.Sqrt(1-e2*s*s)
		next := math.Atan2(z+e2*n*s, p)
		if math.Abs(next-phi) < 1e-15 {
			return next, lam
		}
		phi = next
	}
	return phi, lam
}

// helmert is a datum shift from a local datum on ellipsoid src to WGS84: a
// seven-parameter similarity transformation of geocentric coordinates in
// the coordinate frame rotation convention (EPSG method 9607) with the
// rotation matrix linearised in the small angles, as EPSG Guidance Note 7-2
// and PROJ's +proj=helmert define it:
//
//	⎡X⎤          ⎛         ⎡  1   rz  −ry⎤ ⎡Xs⎤⎞   ⎡tx⎤
//	⎢Y⎥        = ⎜(1 + s)· ⎢−rz    1   rx⎥·⎢Ys⎥⎟ + ⎢ty⎥
//	⎣Z⎦ WGS84    ⎝         ⎣ ry  −rx    1⎦ ⎣Zs⎦⎠   ⎣tz⎦
//
// toWGS84 takes the point at ellipsoidal height zero on the local
// ellipsoid, as PROJ does for 2D input, and drops the WGS84 height.
type helmert struct {
	src        ellipsoid
	tx, ty, tz float64 // translations, metres
	rx, ry, rz float64 // rotations, radians
	s          float64 // scale difference, unitless (ppm × 10⁻⁶)
}

// toWGS84 shifts geodetic latitude and longitude in radians on the local
// datum to WGS84.
func (h *helmert) toWGS84(phi, lam float64) (float64, float64) {
	x, y, z := h.src.toCart(phi, lam)
	k := 1 + h.s
	X := k*(x+h.rz*y-h.ry*z) + h.tx
	Y := k*(-h.rz*x+y+h.rx*z) + h.ty
	Z := k*(h.ry*x-h.rx*y+z) + h.tz
	return wgs84.fromCart(X, Y, Z)
}

// fromWGS84 is the inverse of toWGS84. A first estimate removes the
// translation and scale and multiplies by the transposed rotation matrix,
// which is how PROJ reverses the transformation; it is not quite the
// inverse of toWGS84, because each direction takes the point at height
// zero on its own ellipsoid (about 1 mm apart in Switzerland). Two
// fixed-point corrections then make it the exact inverse, so that a round
// trip through toWGS84 returns the starting point.
func (h *helmert) fromWGS84(phi, lam float64) (float64, float64) {
	X, Y, Z := wgs84.toCart(phi, lam)
	k := 1 + h.s
	X, Y, Z = (X-h.tx)/k, (Y-h.ty)/k, (Z-h.tz)/k
	p, l := h.src.fromCart(X-h.rz*Y+h.ry*Z, h.rz*X+Y-h.rx*Z, -h.ry*X+h.rx*Y+Z)
	for range 2 {
		fp, fl := h.toWGS84(p, l)
		p, l = p+(phi-fp), l+math.Remainder(lam-fl, 2*math.Pi)
	}
	return p, l
}
