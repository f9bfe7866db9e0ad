package cim

import (
	"fmt"
	"math"

	"github.com/twpayne/go-geom"
)

// WGS84 ellipsoid.
const (
	wgs84A  = 6378137.0
	wgs84F  = 1 / 298.257223563
	wgs84B  = wgs84A * (1 - wgs84F)
	wgs84E2 = wgs84F * (2 - wgs84F)
)

var (
	wgs84E  = math.Sqrt(wgs84E2)
	qPole   = authalicQ(1)
	authalR = wgs84A * math.Sqrt(qPole/2) // radius of the authalic sphere
)

// authalicQ is Snyder's q(φ) (Map Projections, eq. 3-12) for sin φ.
func authalicQ(sinPhi float64) float64 {
	es := wgs84E * sinPhi
	return (1 - wgs84E2) * (sinPhi/(1-es*es) - 1/(2*wgs84E)*math.Log((1-es)/(1+es)))
}

// authalicLat returns sin β and cos β of the authalic latitude β of a
// geodetic latitude in degrees.
func authalicLat(latDeg float64) (sinB, cosB float64) {
	sinB = authalicQ(math.Sin(latDeg*math.Pi/180)) / qPole
	sinB = math.Max(-1, math.Min(1, sinB))
	return sinB, math.Sqrt(1 - sinB*sinB)
}

// laea projects longitude/latitude onto a Lambert azimuthal equal-area
// plane tangent to the authalic sphere at a chosen centre. Equal-area means
// the planar area of a projected polygon equals the polygon's area on the
// ellipsoid.
type laea struct {
	lon0, sinB0, cosB0 float64
}

func newLAEA(lon0, lat0 float64) laea {
	s, c := authalicLat(lat0)
	return laea{lon0, s, c}
}

func (p laea) project(lon, lat float64) (x, y float64) {
	sinB, cosB := authalicLat(lat)
	dl := (lon - p.lon0) * math.Pi / 180
	sinDl, cosDl := math.Sincos(dl)
	d := 1 + p.sinB0*sinB + p.cosB0*cosB*cosDl
	if d <= 0 { // antipode of the centre: not reachable for real geometries
		return math.Inf(1), math.Inf(1)
	}
	k := math.Sqrt(2 / d)
	return authalR * k * cosB * sinDl, authalR * k * (p.cosB0*sinB - p.sinB0*cosB*cosDl)
}

// AreaM2 returns the area in square metres of the polygons in g on the WGS84
// ellipsoid: holes are subtracted, points and lines have no area. See the
// package documentation for the method and its accuracy.
func AreaM2(g geom.T) float64 {
	switch g := g.(type) {
	case *geom.Polygon:
		b := BoundsOf(g)
		return polygonArea(newLAEA((b.MinLon+b.MaxLon)/2, (b.MinLat+b.MaxLat)/2), g.FlatCoords(), g.Ends(), g.Stride())
	case *geom.MultiPolygon:
		b := BoundsOf(g)
		p := newLAEA((b.MinLon+b.MaxLon)/2, (b.MinLat+b.MaxLat)/2)
		var a float64
		start := 0
		for _, ends := range g.Endss() {
			a += polygonArea(p, g.FlatCoords()[start:], rebase(ends, start), g.Stride())
			if len(ends) > 0 {
				start = ends[len(ends)-1]
			}
		}
		return a
	case *geom.GeometryCollection:
		var a float64
		for _, c := range g.Geoms() {
			a += AreaM2(c)
		}
		return a
	}
	return 0
}

func rebase(ends []int, off int) []int {
	out := make([]int, len(ends))
	for i, e := range ends {
		out[i] = e - off
	}
	return out
}

// polygonArea returns |outer ring| − Σ|holes| in the projection p.
func polygonArea(p laea, flat []float64, ends []int, stride int) float64 {
	var area float64
	start := 0
	for i, end := range ends {
		a := math.Abs(ringArea(p, flat[start:end], stride))
		if i == 0 {
			area = a
		} else {
			area -= a
		}
		start = end
	}
	return math.Max(area, 0)
}

// ringArea returns the signed planar area of a ring in projection p,
// positive when counter-clockwise.
func ringArea(p laea, flat []float64, stride int) float64 {
	n := len(flat) / stride
	if n < 3 {
		return 0
	}
	x0, y0 := p.project(flat[0], flat[1])
	px, py := x0, y0
	var s float64
	for i := 1; i < n; i++ {
		x, y := p.project(flat[i*stride], flat[i*stride+1])
		s += (px-x0)*(y-y0) - (x-x0)*(py-y0)
		px, py = x, y
	}
	return s / 2
}

// LengthM returns the length in metres of the lines in g, or the perimeter
// of its polygons (holes included), measured along geodesics on the WGS84
// ellipsoid.
func LengthM(g geom.T) float64 {
	switch g := g.(type) {
	case *geom.LineString, *geom.MultiLineString, *geom.LinearRing, *geom.Polygon, *geom.MultiPolygon:
		flat, stride := g.FlatCoords(), g.Stride()
		var l float64
		start := 0
		for _, end := range allEnds(g) {
			for i := start + stride; i < end; i += stride {
				l += DistanceM(flat[i-stride], flat[i-stride+1], flat[i], flat[i+1])
			}
			start = end
		}
		return l
	case *geom.GeometryCollection:
		var l float64
		for _, c := range g.Geoms() {
			l += LengthM(c)
		}
		return l
	}
	return 0
}

// allEnds returns the end offsets of every ring or line in g.
func allEnds(g geom.T) []int {
	switch g := g.(type) {
	case *geom.LineString, *geom.LinearRing:
		return []int{len(g.FlatCoords())}
	case *geom.MultiLineString:
		return g.Ends()
	case *geom.Polygon:
		return g.Ends()
	case *geom.MultiPolygon:
		var out []int
		for _, e := range g.Endss() {
			out = append(out, e...)
		}
		return out
	}
	return nil
}

// DistanceM returns the geodesic distance in metres between two
// longitude/latitude points on the WGS84 ellipsoid (Vincenty's inverse
// formula; nearly antipodal points, where it does not converge, fall back to
// the great-circle distance on the authalic sphere).
func DistanceM(lon1, lat1, lon2, lat2 float64) float64 {
	if lon1 == lon2 && lat1 == lat2 {
		return 0
	}
	const rad = math.Pi / 180
	L := (lon2 - lon1) * rad
	U1 := math.Atan((1 - wgs84F) * math.Tan(lat1*rad))
	U2 := math.Atan((1 - wgs84F) * math.Tan(lat2*rad))
	sinU1, cosU1 := math.Sincos(U1)
	sinU2, cosU2 := math.Sincos(U2)
	lambda := L
	for iter := 0; iter < 200; iter++ {
		sinL, cosL := math.Sincos(lambda)
		sinSigma := math.Hypot(cosU2*sinL, cosU1*sinU2-sinU1*cosU2*cosL)
		if sinSigma == 0 {
			return 0
		}
		cosSigma := sinU1*sinU2 + cosU1*cosU2*cosL
		sigma := math.Atan2(sinSigma, cosSigma)
		sinAlpha := cosU1 * cosU2 * sinL / sinSigma
		cos2Alpha := 1 - sinAlpha*sinAlpha
		cos2SigmaM := 0.0
		if cos2Alpha != 0 {
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cos2Alpha
		}
		C := wgs84F / 16 * cos2Alpha * (4 + wgs84F*(4-3*cos2Alpha))
		prev := lambda
		lambda = L + (1-C)*wgs84F*sinAlpha*(sigma+C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda-prev) < 1e-12 {
			u2 := cos2Alpha * (wgs84A*wgs84A - wgs84B*wgs84B) / (wgs84B * wgs84B)
			A := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
			B := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
			dSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)-
				B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*cos2SigmaM*cos2SigmaM)))
			return wgs84B * A * (sigma - dSigma)
		}
	}
	sb1, cb1 := authalicLat(lat1)
	sb2, cb2 := authalicLat(lat2)
	c := sb1*sb2 + cb1*cb2*math.Cos(L)
	return authalR * math.Acos(math.Max(-1, math.Min(1, c)))
}

// Box is a longitude/latitude rectangle in degrees. It does not cross the
// antimeridian: MinLon ≤ MaxLon.
type Box struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// BoundsOf returns the bounding box of g, or an inverted box (+Inf, −Inf)
// if g has no coordinates.
func BoundsOf(g geom.T) Box {
	b := Box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	if c, ok := g.(*geom.GeometryCollection); ok {
		for _, m := range c.Geoms() {
			b = b.Extend(BoundsOf(m))
		}
		return b
	}
	flat, stride := g.FlatCoords(), g.Stride()
	for i := 0; i+1 < len(flat); i += stride {
		x, y := flat[i], flat[i+1]
		b.MinLon, b.MaxLon = min(b.MinLon, x), max(b.MaxLon, x)
		b.MinLat, b.MaxLat = min(b.MinLat, y), max(b.MaxLat, y)
	}
	return b
}

// Validate reports whether b is a finite, non-inverted box within
// −180…180, −90…90.
func (b Box) Validate() error {
	for _, v := range [...]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("bbox %v is not finite", b)
		}
	}
	switch {
	case b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90:
		return fmt.Errorf("bbox %v outside -180,-90,180,90", b)
	case b.MinLon > b.MaxLon:
		return fmt.Errorf("bbox %v: west %g is east of east %g (boxes across the antimeridian are not supported)", b, b.MinLon, b.MaxLon)
	case b.MinLat > b.MaxLat:
		return fmt.Errorf("bbox %v: south %g is north of north %g", b, b.MinLat, b.MaxLat)
	}
	return nil
}

// Intersects reports whether b and o share a point.
func (b Box) Intersects(o Box) bool {
	return b.MinLon <= o.MaxLon && o.MinLon <= b.MaxLon && b.MinLat <= o.MaxLat && o.MinLat <= b.MaxLat
}

// Contains reports whether o lies within b.
func (b Box) Contains(o Box) bool {
	return b.MinLon <= o.MinLon && o.MaxLon <= b.MaxLon && b.MinLat <= o.MinLat && o.MaxLat <= b.MaxLat
}

// Extend returns the smallest box holding b and o.
func (b Box) Extend(o Box) Box {
	return Box{math.Min(b.MinLon, o.MinLon), math.Min(b.MinLat, o.MinLat), math.Max(b.MaxLon, o.MaxLon), math.Max(b.MaxLat, o.MaxLat)}
}

// String formats b as "W,S,E,N", the syntax of --bbox.
func (b Box) String() string {
	return fmt.Sprintf("%g,%g,%g,%g", b.MinLon, b.MinLat, b.MaxLon, b.MaxLat)
}
