package sunlight

import "math"

// WGS84 ellipsoid.
const (
	wgs84A  = 6378137.0
	wgs84F  = 1 / 298.257223563
	wgs84E2 = wgs84F * (2 - wgs84F)
)

// Frame is a local east-north frame in metres with its origin on the
// ellipsoid at Lon0, Lat0: a point is taken to Earth-centred coordinates
// (ECEF, on the ellipsoid) and then to the east-north-up axes of the
// origin, whose up coordinate is dropped. It is the frame of the Sun's
// direction vectors (sun.Step.Dir).
//
// Horizontal distances in it are the chord's projection, R·sin(d/R) for a
// surface distance d: short by d³/(6R²), 0.03 mm at 2 km. The ground
// itself drops below the tangent plane by d²/(2R), 0.31 m at 2 km; the
// analysis stands every building on a flat ground at height 0, so a
// distant obstruction counts up to that much too high (on the safe side
// for the check: it shades a little more, never less).
type Frame struct {
	Lon0, Lat0 float64
	x0, y0, z0 float64
	sinLat     float64
	cosLat     float64
	sinLon     float64
	cosLon     float64
}

// NewFrame returns the frame with its origin at lon0, lat0 (degrees).
func NewFrame(lon0, lat0 float64) Frame {
	f := Frame{Lon0: lon0, Lat0: lat0}
	f.x0, f.y0, f.z0 = ecef(lon0, lat0)
	f.sinLat, f.cosLat = math.Sincos(lat0 * math.Pi / 180)
	f.sinLon, f.cosLon = math.Sincos(lon0 * math.Pi / 180)
	return f
}

// ecef returns the Earth-centred coordinates of a point on the ellipsoid.
func ecef(lon, lat float64) (x, y, z float64) {
	sl, cl := math.Sincos(lat * math.Pi / 180)
	so, co := math.Sincos(lon * math.Pi / 180)
	n := wgs84A / math.Sqrt(1-wgs84E2*sl*sl)
	return n * cl * co, n * cl * so, n * (1 - wgs84E2) * sl
}

// EN returns the east and north metres of lon, lat in the frame.
func (f Frame) EN(lon, lat float64) (e, n float64) {
	x, y, z := ecef(lon, lat)
	dx, dy, dz := x-f.x0, y-f.y0, z-f.z0
	e = -f.sinLon*dx + f.cosLon*dy
	n = -f.sinLat*f.cosLon*dx - f.sinLat*f.sinLon*dy + f.cosLat*dz
	return e, n
}

// LonLat returns the point at east, north metres of the frame, to 1 mm
// within 10 km of the origin (Newton steps on EN).
func (f Frame) LonLat(e, n float64) (lon, lat float64) {
	sl := math.Sin(f.Lat0 * math.Pi / 180)
	w := math.Sqrt(1 - wgs84E2*sl*sl)
	m := wgs84A * (1 - wgs84E2) / (w * w * w) // meridian radius
	nr := wgs84A / w                          // prime vertical radius
	deg := 180 / math.Pi
	lon = f.Lon0 + e/(nr*f.cosLat)*deg
	lat = f.Lat0 + n/m*deg
	for range 3 {
		ge, gn := f.EN(lon, lat)
		lon += (e - ge) / (nr * f.cosLat) * deg
		lat += (n - gn) / m * deg
	}
	return lon, lat
}
