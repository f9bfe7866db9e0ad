package crs

import "math"

// isometric returns the isometric latitude ψ of geodetic latitude φ on an
// ellipsoid of eccentricity e: ln tan(π/4 + φ/2) − e/2 · ln((1 + e sin φ)/(1 − e sin φ)).
func isometric(phi, e float64) float64 {
	s := math.Sin(phi)
	return math.Asinh(math.Tan(phi)) - e*math.Atanh(e*s)
}

// geodeticFromIsometric inverts isometric by fixed-point iteration
// φ = 2 atan(exp(ψ + e atanh(e sin φ))) − π/2.
func geodeticFromIsometric(psi, e float64) float64 {
	phi := 2*math.Atan(math.Exp(psi)) - math.Pi/2
	for range 30 {
		next := 2*math.Atan(math.Exp(psi+e*math.Atanh(e*math.Sin(phi)))) - math.Pi/2
		if !(math.Abs(next-phi) >= 1e-15) { // also stops on NaN
			return next
		}
		phi = next
	}
	return phi
}

// somerc is the Swiss Oblique Mercator projection of the Swiss federal
// survey (swisstopo, "Formulas and constants for the calculation of the
// Swiss conformal cylindrical projection and for the transformation
// between coordinate systems"; EPSG Guidance Note 7-2 treats it as Hotine
// Oblique Mercator variant B with azimuth 90°). The ellipsoid is mapped
// conformally onto a sphere of radius √(ρ₀ν₀) that fits it at the origin,
// the sphere is rotated so the origin lies on its equator, and that is
// projected by the ordinary Mercator projection.
type somerc struct {
	e      float64
	lon0   float64 // longitude of the origin, radians
	alpha  float64 // longitude scale of the ellipsoid → sphere map
	sinB0  float64 // sin and cos of the origin's latitude on the sphere
	cosB0  float64
	k      float64 // constant of the latitude map
	r      float64 // sphere radius × scale factor, metres
	x0, y0 float64 // false easting and northing, metres
}

func newSomerc(el ellipsoid, lat0Deg, lon0Deg, k0, x0, y0 float64) *somerc {
	e2 := el.e2()
	phi0 := lat0Deg * deg
	sin0, cos0 := math.Sincos(phi0)
	alpha := math.Sqrt(1 + e2/(1-e2)*math.Pow(cos0, 4))
	b0 := math.Asin(sin0 / alpha)
	p := &somerc{
		e:     math.Sqrt(e2),
		lon0:  lon0Deg * deg,
		alpha: alpha,
		r:     k0 * el.a * math.Sqrt(1-e2) / (1 - e2*sin0*sin0),
		x0:    x0,
		y0:    y0,
	}
	p.sinB0, p.cosB0 = math.Sincos(b0)
	p.k = math.Asinh(math.Tan(b0)) - alpha*isometric(phi0, p.e)
	return p
}

func (p *somerc) forward(phi, lam float64) (x, y float64) {
	// Ellipsoid to sphere: latitude b, longitude l relative to the origin.
	b := math.Atan(math.Sinh(p.alpha*isometric(phi, p.e) + p.k))
	l := p.alpha * math.Remainder(lam-p.lon0, 2*math.Pi)
	sinB, cosB := math.Sincos(b)
	sinL, cosL := math.Sincos(l)
	// Rotate the sphere: pseudo-equatorial coordinates b̄, l̄.
	lb := math.Atan2(sinL*cosB, p.cosB0*cosB*cosL+p.sinB0*sinB)
	bb := math.Asin(p.cosB0*sinB - p.sinB0*cosB*cosL)
	return p.x0 + p.r*lb, p.y0 + p.r*math.Atanh(math.Sin(bb))
}

func (p *somerc) inverse(x, y float64) (phi, lam float64) {
	lb := (x - p.x0) / p.r
	bb := math.Atan(math.Sinh((y - p.y0) / p.r))
	sinBb, cosBb := math.Sincos(bb)
	sinLb, cosLb := math.Sincos(lb)
	b := math.Asin(p.cosB0*sinBb + p.sinB0*cosBb*cosLb)
	l := math.Atan2(sinLb*cosBb, p.cosB0*cosBb*cosLb-p.sinB0*sinBb)
	psi := (math.Asinh(math.Tan(b)) - p.k) / p.alpha
	return geodeticFromIsometric(psi, p.e), p.lon0 + l/p.alpha
}

// sterea is the Oblique Stereographic projection (EPSG method 9809, the
// "double stereographic" of EPSG Guidance Note 7-2): the ellipsoid
// is mapped conformally onto the Gaussian sphere of radius √(ρ₀ν₀), which
// is then projected stereographically from the antipode of the origin.
type sterea struct {
	e      float64
	lon0   float64 // longitude of the origin, radians
	n      float64 // longitude scale of the ellipsoid → sphere map
	c      float64 // constant of the latitude map, as ln c
	sinX0  float64 // sin and cos of the origin's conformal latitude χ₀
	cosX0  float64
	r2     float64 // 2 × sphere radius × scale factor, metres
	x0, y0 float64 // false easting and northing, metres
}

func newSterea(el ellipsoid, lat0Deg, lon0Deg, k0, x0, y0 float64) *sterea {
	e2 := el.e2()
	phi0 := lat0Deg * deg
	sin0, cos0 := math.Sincos(phi0)
	n := math.Sqrt(1 + e2*math.Pow(cos0, 4)/(1-e2))
	chi0 := math.Asin(sin0 / n)
	p := &sterea{
		e:    math.Sqrt(e2),
		lon0: lon0Deg * deg,
		n:    n,
		r2:   2 * k0 * el.a * math.Sqrt(1-e2) / (1 - e2*sin0*sin0),
		x0:   x0,
		y0:   y0,
	}
	p.sinX0, p.cosX0 = math.Sincos(chi0)
	// GN 7-2 defines c by w = c·(Sa·Sb^e)^n with sin χ = (w−1)/(w+1);
	// in isometric latitudes that is ψχ = ln c / 2 + n·ψ.
	p.c = 2 * (math.Asinh(math.Tan(chi0)) - n*isometric(phi0, p.e))
	return p
}

func (p *sterea) forward(phi, lam float64) (x, y float64) {
	chi := math.Atan(math.Sinh(p.c/2 + p.n*isometric(phi, p.e)))
	dl := p.n * math.Remainder(lam-p.lon0, 2*math.Pi)
	sinX, cosX := math.Sincos(chi)
	sinL, cosL := math.Sincos(dl)
	b := 1 + sinX*p.sinX0 + cosX*p.cosX0*cosL
	return p.x0 + p.r2*cosX*sinL/b, p.y0 + p.r2*(sinX*p.cosX0-cosX*p.sinX0*cosL)/b
}

func (p *sterea) inverse(x, y float64) (phi, lam float64) {
	// Invert the stereographic projection on the sphere (Snyder, Map
	// Projections: A Working Manual), then the conformal map.
	dx, dy := (x-p.x0)/p.r2, (y-p.y0)/p.r2
	rho := math.Hypot(dx, dy)
	chi, dl := math.Asin(p.sinX0), 0.0
	if rho > 0 {
		c := 2 * math.Atan(rho)
		sinC, cosC := math.Sincos(c)
		chi = math.Asin(cosC*p.sinX0 + dy*sinC*p.cosX0/rho)
		dl = math.Atan2(dx*sinC, rho*p.cosX0*cosC-dy*p.sinX0*sinC)
	}
	psi := (math.Asinh(math.Tan(chi)) - p.c/2) / p.n
	return geodeticFromIsometric(psi, p.e), p.lon0 + dl/p.n
}
