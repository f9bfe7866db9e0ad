package crs

import "math"

// tmerc is the ellipsoidal Transverse Mercator projection (EPSG method
// 9807; UTM and Gauss–Krüger are instances) by Krüger's series to sixth
// order in the third flattening n, in the form of Karney, "Transverse
// Mercator with an accuracy of a few nanometers", J. Geodesy 85 (2011),
// which maps geodetic to conformal latitude through τ = tan φ and gives the
// series coefficients α and β. Within 4000 km of the central meridian the
// series is accurate to a few nanometres.
type tmerc struct {
	e, e2      float64    // eccentricity and its square
	lon0       float64    // central meridian, radians
	kA         float64    // scale on the central meridian × rectifying radius A
	x0, y0     float64    // false easting and northing, metres
	alpha, bet [6]float64 // forward and inverse series coefficients
}

func newTmerc(el ellipsoid, lon0Deg, k0, x0, y0 float64) *tmerc {
	n := el.f / (2 - el.f)
	n2 := n * n
	n3, n4, n5, n6 := n2*n, n2*n2, n2*n2*n, n2*n2*n2
	p := &tmerc{
		e2:   el.e2(),
		lon0: lon0Deg * deg,
		kA:   k0 * el.a / (1 + n) * (1 + n2/4 + n4/64 + n6/256),
		x0:   x0,
		y0:   y0,
		alpha: [6]float64{
			n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
			13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
			61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
			49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
			34729*n5/80640 - 3418889*n6/1995840,
			212378941 * n6 / 319334400,
		},
		bet: [6]float64{
			n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
			n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
			17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
			4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
			4583*n5/161280 - 108847*n6/3991680,
			20648693 * n6 / 638668800,
		},
	}
	p.e = math.Sqrt(p.e2)
	return p
}

// taup returns tan χ, the tangent of the conformal latitude, for τ = tan φ
// as Karney does.
func (p *tmerc) taup(tau float64) float64 {
	t1 := math.Hypot(1, tau)
	sig := math.Sinh(p.e * math.Atanh(p.e*tau/t1))
	return tau*math.Hypot(1, sig) - sig*t1
}

// tau inverts taup by Newton's method, as Karney does.
func (p *tmerc) tau(taup float64) float64 {
	tau := taup / (1 - p.e2)
	for range 10 {
		tp := p.taup(tau)
		d := (taup - tp) / math.Hypot(1, tp) * (1 + (1-p.e2)*tau*tau) / ((1 - p.e2) * math.Hypot(1, tau))
		tau += d
		if !(math.Abs(d) >= 1e-15*math.Max(1, math.Abs(tau))) { // also stops on NaN
			break
		}
	}
	return tau
}

func (p *tmerc) forward(phi, lam float64) (x, y float64) {
	dl := math.Remainder(lam-p.lon0, 2*math.Pi)
	sinDl, cosDl := math.Sincos(dl)
	tp := p.taup(math.Tan(phi))
	xip := math.Atan2(tp, cosDl)
	etap := math.Asinh(sinDl / math.Hypot(tp, cosDl))
	xi, eta := xip, etap
	for j, a := range p.alpha {
		k := float64(2 * (j + 1))
		s, c := math.Sincos(k * xip)
		xi += a * s * math.Cosh(k*etap)
		eta += a * c * math.Sinh(k*etap)
	}
	return p.x0 + p.kA*eta, p.y0 + p.kA*xi
}

func (p *tmerc) inverse(x, y float64) (phi, lam float64) {
	xi, eta := (y-p.y0)/p.kA, (x-p.x0)/p.kA
	xip, etap := xi, eta
	for j, b := range p.bet {
		k := float64(2 * (j + 1))
		s, c := math.Sincos(k * xi)
		xip -= b * s * math.Cosh(k*eta)
		etap -= b * c * math.Sinh(k*eta)
	}
	sh, c := math.Sinh(etap), math.Cos(xip)
	r := math.Hypot(sh, c)
	return math.Atan(p.tau(math.Sin(xip) / r)), p.lon0 + math.Atan2(sh, c)
}

// webMercator is the spherical Mercator projection of EPSG:3857 ("Popular
// Visualisation Pseudo Mercator", EPSG method 1024): WGS84 latitude and
// longitude used as if on a sphere of radius a.
type webMercator struct{}

func (webMercator) forward(phi, lam float64) (x, y float64) {
	a := wgs84.a
	return a * math.Remainder(lam, 2*math.Pi), a * math.Asinh(math.Tan(phi))
}

func (webMercator) inverse(x, y float64) (phi, lam float64) {
	a := wgs84.a
	return math.Atan(math.Sinh(y / a)), x / a
}
