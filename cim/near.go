package cim

import (
	"math"

	"github.com/twpayne/go-geom"
)

// Point-based helpers for planning rules: where a feature is, whether a
// point lies in an area, how far a point is from an area, and the circle
// of a given radius about a station.

// Contains reports whether the point lies inside the polygons of g (a
// Polygon or MultiPolygon; holes are outside). Points on the boundary may
// go either way. Other geometry types contain nothing.
func Contains(g geom.T, lon, lat float64) bool {
	switch g := g.(type) {
	case *geom.Polygon:
		return pointInPolygon(lon, lat, g.FlatCoords(), g.Ends(), g.Stride())
	case *geom.MultiPolygon:
		flat, stride := g.FlatCoords(), g.Stride()
		off := 0
		for _, ends := range g.Endss() {
			if len(ends) == 0 {
				continue
			}
			if pointInPolygon(lon, lat, flat[off:ends[len(ends)-1]], rebase(ends, off), stride) {
				return true
			}
			off = ends[len(ends)-1]
		}
	}
	return false
}

// Centroid returns a point that stands for g: for polygons the centroid of
// their area, moved inside along its parallel when it falls outside (an L
// or a ring shape), so it always lies in the polygon; for lines the point
// half-way along; for points their mean.
func Centroid(g geom.T) (lon, lat float64) {
	flat, stride := g.FlatCoords(), g.Stride()
	if len(flat) == 0 {
		return math.NaN(), math.NaN()
	}
	switch g.(type) {
	case *geom.Polygon, *geom.MultiPolygon:
		// Area-weighted centroid of the rings' triangles, in degrees
		// scaled by cos(lat) (features of a city's size). Exteriors add,
		// holes subtract, whichever way their rings run.
		x0, y0 := flat[0], flat[1]
		k := math.Cos(y0 * math.Pi / 180)
		var a, cx, cy float64
		start := 0
		for _, ends := range polygonEnds(g) {
			for r, end := range ends {
				var ra, rx, ry float64
				ax, ay := (flat[start]-x0)*k, flat[start+1]-y0
				for i := start + 2*stride; i < end; i += stride {
					x1, y1 := (flat[i-stride]-x0)*k, flat[i-stride+1]-y0
					x2, y2 := (flat[i]-x0)*k, flat[i+1]-y0
					t := ((x1-ax)*(y2-ay) - (x2-ax)*(y1-ay)) / 2
					ra += t
					rx += t * (ax + x1 + x2) / 3
					ry += t * (ay + y1 + y2) / 3
				}
				if (ra < 0) != (r > 0) { // make exteriors positive, holes negative
					ra, rx, ry = -ra, -rx, -ry
				}
				a, cx, cy = a+ra, cx+rx, cy+ry
				start = end
			}
		}
		if a == 0 {
			return x0, y0
		}
		lon, lat = x0+cx/a/k, y0+cy/a
		if !Contains(g, lon, lat) {
			lon = insideOnParallel(g, lon, lat)
		}
		return lon, lat
	case *geom.LineString, *geom.MultiLineString:
		half := LengthM(g) / 2
		start := 0
		for _, end := range allEnds(g) {
			for i := start + stride; i < end; i += stride {
				d := DistanceM(flat[i-stride], flat[i-stride+1], flat[i], flat[i+1])
				if d >= half && d > 0 {
					t := half / d
					return flat[i-stride] + t*(flat[i]-flat[i-stride]), flat[i-stride+1] + t*(flat[i+1]-flat[i-stride+1])
				}
				half -= d
			}
			start = end
		}
		return flat[0], flat[1]
	}
	n := float64(len(flat) / stride)
	for i := 0; i < len(flat); i += stride {
		lon += flat[i] / n
		lat += flat[i+1] / n
	}
	return lon, lat
}

// polygonEnds returns the ring ends of each polygon of g (absolute
// offsets into its flat coordinates).
func polygonEnds(g geom.T) [][]int {
	switch g := g.(type) {
	case *geom.Polygon:
		return [][]int{g.Ends()}
	case *geom.MultiPolygon:
		return g.Endss()
	}
	return nil
}

// insideOnParallel returns the longitude of the middle of the widest
// stretch of the parallel lat that lies inside g.
func insideOnParallel(g geom.T, lon, lat float64) float64 {
	flat, stride := g.FlatCoords(), g.Stride()
	var xs []float64
	start := 0
	for _, end := range allEnds(g) {
		for i := start + stride; i < end; i += stride {
			x1, y1, x2, y2 := flat[i-stride], flat[i-stride+1], flat[i], flat[i+1]
			if (y1 > lat) != (y2 > lat) {
				xs = append(xs, x1+(lat-y1)*(x2-x1)/(y2-y1))
			}
		}
		start = end
	}
	sortFloats(xs)
	best, bw := lon, -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bw {
			best, bw = (xs[i]+xs[i+1])/2, w
		}
	}
	return best
}

func sortFloats(a []float64) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// DistanceToM returns the distance in metres from the point to the nearest
// point of g: 0 inside a polygon. The nearest point is found in a plane
// tangent at the point (exact along meridians and parallels; off by less
// than 1e-4 of the distance within 10 km), and the distance to it is then
// measured on the ellipsoid.
func DistanceToM(g geom.T, lon, lat float64) float64 {
	flat, stride := g.FlatCoords(), g.Stride()
	if len(flat) == 0 {
		return math.Inf(1)
	}
	if Contains(g, lon, lat) {
		return 0
	}
	kx, ky := metresPerDegree(lat)
	best, bx, by := math.Inf(1), flat[0], flat[1]
	consider := func(x, y float64) {
		dx, dy := (x-lon)*kx, (y-lat)*ky
		if d := dx*dx + dy*dy; d < best {
			best, bx, by = d, x, y
		}
	}
	switch g.(type) {
	case *geom.Point, *geom.MultiPoint:
		for i := 0; i < len(flat); i += stride {
			consider(flat[i], flat[i+1])
		}
	default:
		start := 0
		for _, end := range allEnds(g) {
			for i := start + stride; i < end; i += stride {
				x1, y1, x2, y2 := flat[i-stride], flat[i-stride+1], flat[i], flat[i+1]
				ux, uy := (x2-x1)*kx, (y2-y1)*ky
				wx, wy := (lon-x1)*kx, (lat-y1)*ky
				t := 0.0
				if l := ux*ux + uy*uy; l > 0 {
					t = math.Max(0, math.Min(1, (wx*ux+wy*uy)/l))
				}
				consider(x1+t*(x2-x1), y1+t*(y2-y1))
			}
			if end == start+stride { // a one-point line
				consider(flat[start], flat[start+1])
			}
			start = end
		}
	}
	return DistanceM(lon, lat, bx, by)
}

// metresPerDegree returns the lengths of a degree of longitude and of
// latitude at lat on the WGS84 ellipsoid.
func metresPerDegree(lat float64) (kx, ky float64) {
	s, c := math.Sincos(lat * math.Pi / 180)
	e2 := wgs84F * (2 - wgs84F)
	w := math.Sqrt(1 - e2*s*s)
	n := wgs84A / w                      // prime vertical radius
	m := wgs84A * (1 - e2) / (w * w * w) // meridian radius
	return n * c * math.Pi / 180, m * math.Pi / 180
}

// CircleVertices is how many vertices Circle uses.
const CircleVertices = 360

// Circle returns the polygon of the points within radius metres of the
// centre on the ellipsoid: CircleVertices vertices placed at the radius by
// Vincenty's direct formula, pushed out so that the polygon's area equals
// the circle's (a 360-gon inscribed in a circle is 5e-5 short of it).
func Circle(lon, lat, radius float64) *geom.Polygon {
	const n = CircleVertices
	r := radius * math.Sqrt(2*math.Pi/(n*math.Sin(2*math.Pi/n)))
	flat := make([]float64, 0, 2*(n+1))
	for i := 0; i < n; i++ {
		x, y := Destination(lon, lat, 360*float64(i)/n, r)
		flat = append(flat, x, y)
	}
	flat = append(flat, flat[0], flat[1])
	// Azimuths run clockwise; an exterior ring runs counter-clockwise.
	for i, j := 0, len(flat)-2; i < j; i, j = i+2, j-2 {
		flat[i], flat[j] = flat[j], flat[i]
		flat[i+1], flat[j+1] = flat[j+1], flat[i+1]
	}
	return geom.NewPolygonFlat(geom.XY, flat, []int{len(flat)})
}

// Destination returns the point distance metres from (lon, lat) along the
// geodesic that leaves at azimuth degrees clockwise from north, on the WGS84
// ellipsoid (Vincenty's direct formula).
func Destination(lon, lat, azimuth, distance float64) (float64, float64) {
	const rad = math.Pi / 180
	a, b, f := wgs84A, wgs84B, wgs84F
	sinA1, cosA1 := math.Sincos(azimuth * rad)
	tanU1 := (1 - f) * math.Tan(lat*rad)
	cosU1 := 1 / math.Sqrt(1+tanU1*tanU1)
	sinU1 := tanU1 * cosU1
	sigma1 := math.Atan2(tanU1, cosA1)
	sinAlpha := cosU1 * sinA1
	cos2Alpha := 1 - sinAlpha*sinAlpha
	u2 := cos2Alpha * (a*a - b*b) / (b * b)
	A := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
	B := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
	sigma := distance / (b * A)
	var sinS, cosS, cos2Sm float64
	for iter := 0; iter < 100; iter++ {
		cos2Sm = math.Cos(2*sigma1 + sigma)
		sinS, cosS = math.Sincos(sigma)
		dSigma := B * sinS * (cos2Sm + B/4*(cosS*(-1+2*cos2Sm*cos2Sm)-B/6*cos2Sm*(-3+4*sinS*sinS)*(-3+4*cos2Sm*cos2Sm)))
		prev := sigma
		sigma = distance/(b*A) + dSigma
		if math.Abs(sigma-prev) < 1e-12 {
			break
		}
	}
	sinS, cosS = math.Sincos(sigma)
	cos2Sm = math.Cos(2*sigma1 + sigma)
	x := sinU1*sinS - cosU1*cosS*cosA1
	lat2 := math.Atan2(sinU1*cosS+cosU1*sinS*cosA1, (1-f)*math.Sqrt(sinAlpha*sinAlpha+x*x))
	lambda := math.Atan2(sinS*sinA1, cosU1*cosS-sinU1*sinS*cosA1)
	C := f / 16 * cos2Alpha * (4 + f*(4-3*cos2Alpha))
	L := lambda - (1-C)*f*sinAlpha*(sigma+C*sinS*(cos2Sm+C*cosS*(-1+2*cos2Sm*cos2Sm)))
	return lon + L/rad, lat2 / rad
}
