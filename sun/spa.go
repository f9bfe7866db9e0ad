package sun

import (
	"math"
	"time"
)

// DefaultDeltaT is the ΔT = TT − UT1 (seconds) used when Options.DeltaT is
// zero: 32.184 s (TT − TAI) + 37 s (TAI − UTC since 2017-01-01), taking
// UT1 = UTC. The IERS keeps |UT1 − UTC| < 0.9 s, so for any date since 2017
// (until the next leap second) this is within 0.9 s of the true value; an
// error of 1 s in ΔT moves the Sun by about 0.00001°.
const DefaultDeltaT = 69.184

// Site is where the Sun is seen from.
type Site struct {
	// Lat is the geodetic latitude in degrees, north positive.
	Lat float64
	// Lon is the longitude in degrees, east positive (the paper's σ).
	Lon float64
	// ElevationM is the height above the ellipsoid in metres.
	ElevationM float64
}

// Atmosphere is the air the refraction correction (eq. 42 of the paper)
// assumes.
type Atmosphere struct {
	// PressureHPa is the annual average local pressure in hPa (mbar).
	PressureHPa float64
	// TemperatureC is the annual average local temperature in °C.
	TemperatureC float64
	// RiseSetRefractionDeg is the refraction at sunrise and sunset; below
	// an altitude of −(0.26667° + RiseSetRefractionDeg) no correction is
	// applied. Zero means 0.5667°, the paper's value.
	RiseSetRefractionDeg float64
}

// StandardAtmosphere is 1010 hPa and 10 °C, the conditions for which the
// refraction formula (Bennett's, via Saemundsson) is normalised.
var StandardAtmosphere = Atmosphere{PressureHPa: 1010, TemperatureC: 10}

// Options holds the inputs of the SPA besides the time and the site. The
// zero value is valid: ΔT = DefaultDeltaT, UT1 = UTC, geometric altitude (no
// refraction) and a horizontal surface.
type Options struct {
	// DeltaT is TT − UT1 in seconds; zero means DefaultDeltaT.
	DeltaT float64
	// DeltaUT1 is UT1 − UTC in seconds (|DeltaUT1| < 1).
	DeltaUT1 float64
	// Atmosphere, when not nil, turns on the refraction correction: the
	// altitude becomes the apparent one. Nil means geometric altitude,
	// which is what the sunlight sweep uses by default (see the package
	// doc on why).
	Atmosphere *Atmosphere
	// SlopeDeg is the surface slope from the horizontal, for Incidence.
	SlopeDeg float64
	// AzimuthRotationDeg is the surface azimuth rotation, measured from
	// south to the projection of the surface normal on the horizontal
	// plane, positive west (the paper's γ), for Incidence.
	AzimuthRotationDeg float64
}

func (o Options) deltaT() float64 {
	if o.DeltaT == 0 {
		return DefaultDeltaT
	}
	return o.DeltaT
}

// Position is the result of the SPA for one instant and site. Angles are in
// degrees. Names follow the paper's symbols.
type Position struct {
	JD  float64 // Julian Day (UT1)
	JDE float64 // Julian Ephemeris Day (TT)

	L float64 // Earth heliocentric longitude, [0, 360)
	B float64 // Earth heliocentric latitude
	R float64 // Earth radius vector, AU

	DeltaPsi     float64 // nutation in longitude Δψ
	DeltaEpsilon float64 // nutation in obliquity Δε
	Epsilon      float64 // true obliquity of the ecliptic ε

	Lambda float64 // apparent geocentric ecliptic longitude λ, [0, 360)
	Beta   float64 // geocentric ecliptic latitude β
	Nu     float64 // apparent sidereal time at Greenwich ν, [0, 360)
	Alpha  float64 // geocentric right ascension α, [0, 360)
	Delta  float64 // geocentric declination δ
	H      float64 // observer local hour angle H, [0, 360)

	AlphaTopo float64 // topocentric right ascension α′
	DeltaTopo float64 // topocentric declination δ′
	HTopo     float64 // topocentric local hour angle H′

	ElevationGeom float64 // topocentric altitude without refraction e0
	Elevation     float64 // topocentric altitude e, refracted if Options.Atmosphere is set
	Zenith        float64 // topocentric zenith angle θ = 90° − e
	Azimuth       float64 // topocentric azimuth Φ, eastward from north, [0, 360)
	Incidence     float64 // incidence angle on the surface of Options.SlopeDeg/AzimuthRotationDeg

	EquationOfTimeMin float64 // equation of time E in minutes (eq. A.1–A.4)
}

const (
	deg = math.Pi / 180
	rad = 180 / math.Pi
)

// julianDay is the Julian Day of t in UT1.
func julianDay(t time.Time, dut1 float64) float64 {
	s := float64(t.Unix()) + float64(t.Nanosecond())*1e-9 + dut1
	return s/86400 + 2440587.5
}

// norm360 maps degrees to [0, 360).
func norm360(x float64) float64 {
	x = math.Mod(x, 360)
	if x < 0 {
		x += 360
	}
	return x
}

// norm180 maps degrees to [−180, 180).
func norm180(x float64) float64 {
	return norm360(x+180) - 180
}

// series evaluates one of the Earth series (eq. 9–11): the sum over orders i
// of JME^i · Σ A·cos(B + C·JME), divided by 1e8.
func series(terms [][][3]float64, jme float64) float64 {
	var sum, p float64 = 0, 1
	for _, order := range terms {
		var s float64
		for _, t := range order {
			s += t[0] * math.Cos(t[1]+t[2]*jme)
		}
		sum += s * p
		p *= jme
	}
	return sum / 1e8
}

// geo holds the geocentric quantities that depend only on time.
type geo struct {
	jd, jde              float64
	l, b, r              float64
	dpsi, deps, eps      float64
	lambda, beta         float64
	nu, alpha, delta, eq float64 // eq is Δψ·cos ε, the equation of the equinoxes
	jme                  float64
}

// geocentric runs steps 3.1–3.9 of the paper for Julian Day jd (UT1) and
// ΔT in seconds.
func geocentric(jd, deltaT float64) geo {
	var g geo
	g.jd = jd
	g.jde = jd + deltaT/86400
	jc := (jd - 2451545) / 36525
	jce := (g.jde - 2451545) / 36525
	jme := jce / 10
	g.jme = jme

	// 3.2 Earth heliocentric position.
	g.l = norm360(series(lTerms, jme) * rad)
	g.b = series(bTerms, jme) * rad
	g.r = series(rTerms, jme)

	// 3.3 geocentric position.
	theta := norm360(g.l + 180)
	g.beta = -g.b

	// 3.4 nutation.
	x := [5]float64{
		297.85036 + jce*(445267.111480+jce*(-0.0019142+jce/189474)),
		357.52772 + jce*(35999.050340+jce*(-0.0001603-jce/300000)),
		134.96298 + jce*(477198.867398+jce*(0.0086972+jce/56250)),
		93.27191 + jce*(483202.017538+jce*(-0.0036825+jce/327270)),
		125.04452 + jce*(-1934.136261+jce*(0.0020708+jce/450000)),
	}
	var dpsi, deps float64
	for i := range nutationTerms {
		n := &nutationTerms[i]
		var arg float64
		for j, y := range n.y {
			arg += x[j] * float64(y)
		}
		s, c := math.Sincos(arg * deg)
		dpsi += (n.a + n.b*jce) * s
		deps += (n.c + n.d*jce) * c
	}
	g.dpsi = dpsi / 36e6
	g.deps = deps / 36e6

	// 3.5 true obliquity of the ecliptic.
	u := jme / 10
	eps0 := 84381.448 + u*(-4680.93+u*(-1.55+u*(1999.25+u*(-51.38+u*(-249.67+
		u*(-39.05+u*(7.12+u*(27.87+u*(5.79+u*2.45)))))))))
	g.eps = eps0/3600 + g.deps

	// 3.6–3.7 aberration and apparent longitude.
	g.lambda = norm360(theta + g.dpsi - 20.4898/(3600*g.r))

	// 3.8 apparent sidereal time at Greenwich.
	nu0 := 280.46061837 + 360.98564736629*(jd-2451545) + jc*jc*(0.000387933-jc/38710000)
	g.eq = g.dpsi * math.Cos(g.eps*deg)
	g.nu = norm360(nu0 + g.eq)

	// 3.9 geocentric right ascension and declination.
	sl, cl := math.Sincos(g.lambda * deg)
	se, ce := math.Sincos(g.eps * deg)
	sb, cb := math.Sincos(g.beta * deg)
	g.alpha = norm360(math.Atan2(sl*ce-sb/cb*se, cl) * rad)
	g.delta = math.Asin(sb*ce+cb*se*sl) * rad
	return g
}

// eotMinutes is the equation of time of the paper's Appendix A.1, minutes.
func (g *geo) eotMinutes() float64 {
	j := g.jme
	m := norm360(280.4664567 + j*(360007.6982779+j*(0.03032028+j*(1.0/49931+j*(-1.0/15300+j*(-1.0/2000000))))))
	e := 4 * (m - 0.0057183 - g.alpha + g.eq)
	switch {
	case e > 20:
		e -= 1440
	case e < -20:
		e += 1440
	}
	return e
}

// topo holds the topocentric result of steps 3.10–3.15.
type topo struct {
	h, dAlpha, deltaTopo, hTopo float64
	e0, e, zenith, az, azAstro  float64
}

// topocentric runs steps 3.10–3.15 for a site, from the geocentric α, δ,
// R and the apparent sidereal time ν.
func topocentric(s Site, alpha, delta, r, nu float64, atm *Atmosphere) topo {
	var t topo
	t.h = norm360(nu + s.Lon - alpha)

	// 3.12 parallax.
	xi := 8.794 / (3600 * r) * deg
	phi := s.Lat * deg
	sphi, cphi := math.Sincos(phi)
	uu := math.Atan(0.99664719 * math.Tan(phi))
	su, cu := math.Sincos(uu)
	x := cu + s.ElevationM/6378140*cphi
	y := 0.99664719*su + s.ElevationM/6378140*sphi
	sxi := math.Sin(xi)
	sh, ch := math.Sincos(t.h * deg)
	sd, cd := math.Sincos(delta * deg)
	den := cd - x*sxi*ch
	da := math.Atan2(-x*sxi*sh, den)
	t.dAlpha = da * rad
	dp := math.Atan2((sd-y*sxi)*math.Cos(da), den)
	t.deltaTopo = dp * rad
	t.hTopo = t.h - t.dAlpha

	// 3.14 altitude and refraction.
	shp, chp := math.Sincos(t.hTopo * deg)
	sdp, cdp := math.Sincos(dp)
	t.e0 = math.Asin(sphi*sdp+cphi*cdp*chp) * rad
	t.e = t.e0
	if atm != nil {
		limit := atm.RiseSetRefractionDeg
		if limit == 0 {
			limit = 0.5667
		}
		if t.e0 >= -(0.26667 + limit) {
			t.e += atm.PressureHPa / 1010 * 283 / (273 + atm.TemperatureC) *
				1.02 / (60 * math.Tan((t.e0+10.3/(t.e0+5.11))*deg))
		}
	}
	t.zenith = 90 - t.e

	// 3.15 azimuth.
	t.azAstro = norm360(math.Atan2(shp, chp*sphi-sdp/cdp*cphi) * rad)
	t.az = norm360(t.azAstro + 180)
	return t
}

// Compute runs the Solar Position Algorithm for the instant t at site s.
// Lat must be within ±90° and Lon within ±180°; Compute does not check (the
// Sweep, which takes input from callers, does).
func Compute(t time.Time, s Site, o Options) Position {
	g := geocentric(julianDay(t, o.DeltaUT1), o.deltaT())
	tp := topocentric(s, g.alpha, g.delta, g.r, g.nu, o.Atmosphere)
	p := Position{
		JD: g.jd, JDE: g.jde,
		L: g.l, B: g.b, R: g.r,
		DeltaPsi: g.dpsi, DeltaEpsilon: g.deps, Epsilon: g.eps,
		Lambda: g.lambda, Beta: g.beta, Nu: g.nu,
		Alpha: g.alpha, Delta: g.delta, H: tp.h,
		AlphaTopo: g.alpha + tp.dAlpha, DeltaTopo: tp.deltaTopo, HTopo: tp.hTopo,
		ElevationGeom: tp.e0, Elevation: tp.e, Zenith: tp.zenith, Azimuth: tp.az,
		EquationOfTimeMin: g.eotMinutes(),
	}
	// 3.16 incidence angle on a surface.
	sz, cz := math.Sincos(p.Zenith * deg)
	sw, cw := math.Sincos(o.SlopeDeg * deg)
	p.Incidence = math.Acos(math.Max(-1, math.Min(1,
		cz*cw+sw*sz*math.Cos((tp.azAstro-o.AzimuthRotationDeg)*deg)))) * rad
	return p
}

// Direction returns the unit vector towards the Sun in the local
// east-north-up frame for altitude alt and azimuth az (degrees, azimuth
// eastward from north).
func Direction(alt, az float64) [3]float64 {
	sa, ca := math.Sincos(alt * deg)
	sz, cz := math.Sincos(az * deg)
	return [3]float64{ca * sz, ca * cz, sa}
}
