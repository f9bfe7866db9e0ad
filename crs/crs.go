package crs

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrUnsupported is returned, wrapped, by Lookup and Parse for a
// well-formed EPSG code that this package does not implement.
var ErrUnsupported = errors.New("crs: unsupported CRS")

// supported lists the codes Lookup accepts, for error messages.
const supported = "EPSG:4326, 4490, 3857, 4513–4554 (CGCS2000 3° Gauss–Krüger), " +
	"32601–32660, 32701–32760 (WGS 84 / UTM), 25828–25838 (ETRS89 / UTM), " +
	"2056 (CH1903+ / LV95), 28992, 7415 (Amersfoort / RD New)"

// A CRS is a coordinate reference system: a map projection (or none, for
// a geographic CRS) and the datum shift that takes its ellipsoid to WGS84.
// A CRS is immutable and safe for concurrent use.
type CRS struct {
	epsg  int
	name  string
	proj  projection // nil for a geographic CRS
	datum *helmert   // nil when the datum is taken to be WGS84
}

// projection maps geodetic latitude and longitude in radians on the CRS's
// own ellipsoid to easting and northing in metres, and back.
type projection interface {
	forward(phi, lam float64) (x, y float64)
	inverse(x, y float64) (phi, lam float64)
}

// Lookup returns a supported CRS by EPSG code; the error names the code and
// says which are supported.
func Lookup(epsg int) (*CRS, error) {
	c := &CRS{epsg: epsg}
	switch {
	case epsg == 4326:
		c.name = "WGS 84"
	case epsg == 4490:
		c.name = "China Geodetic Coordinate System 2000"
	case epsg == 3857:
		c.name, c.proj = "WGS 84 / Pseudo-Mercator", webMercator{}
	case 4513 <= epsg && epsg <= 4533:
		zone := epsg - 4488
		c.name = fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger zone %d", zone)
		c.proj = newTmerc(grs80, float64(3*zone), 1, float64(zone)*1e6+500000, 0)
	case 4534 <= epsg && epsg <= 4554:
		cm := 75 + 3*(epsg-4534)
		c.name = fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger CM %dE", cm)
		c.proj = newTmerc(grs80, float64(cm), 1, 500000, 0)
	case 32601 <= epsg && epsg <= 32660:
		zone := epsg - 32600
		c.name = fmt.Sprintf("WGS 84 / UTM zone %dN", zone)
		c.proj = newTmerc(wgs84, float64(6*zone-183), 0.9996, 500000, 0)
	case 32701 <= epsg && epsg <= 32760:
		zone := epsg - 32700
		c.name = fmt.Sprintf("WGS 84 / UTM zone %dS", zone)
		c.proj = newTmerc(wgs84, float64(6*zone-183), 0.9996, 500000, 10000000)
	case 25828 <= epsg && epsg <= 25838:
		zone := epsg - 25800
		c.name = fmt.Sprintf("ETRS89 / UTM zone %dN", zone)
		c.proj = newTmerc(grs80, float64(6*zone-183), 0.9996, 500000, 0)
	case epsg == 2056:
		// EPSG:2056 and its transformation EPSG:1676 "CH1903+ to WGS 84 (1)".
		c.name = "CH1903+ / LV95"
		c.proj = newSomerc(bessel, 46+57/60.0+8.66/3600, 7+26/60.0+22.5/3600, 1, 2600000, 1200000)
		c.datum = &helmert{src: bessel, tx: 674.374, ty: 15.056, tz: 405.346}
	case epsg == 28992 || epsg == 7415:
		// EPSG:28992 with the transformation EPSG:4833 "Amersfoort to
		// WGS 84 (4)", the one PROJ picks (rotations in microradians).
		c.name = "Amersfoort / RD New"
		if epsg == 7415 {
			c.name += " + NAP height"
		}
		c.proj = newSterea(bessel, 52+9/60.0+22.178/3600, 5+23/60.0+15.5/3600, 0.9999079, 155000, 463000)
		c.datum = &helmert{
			src: bessel,
			tx:  565.4171, ty: 50.3319, tz: 465.5524,
			rx: 1.9342e-6, ry: -1.6677e-6, rz: 9.1019e-6,
			s: 4.0725e-6,
		}
	default:
		return nil, fmt.Errorf("%w: EPSG:%d; supported are %s", ErrUnsupported, epsg, supported)
	}
	return c, nil
}

// Parse reads a CRS identifier: an EPSG code alone ("28992") or as
// "EPSG:28992" (any case), an OGC URN ("urn:ogc:def:crs:EPSG::7415",
// "urn:ogc:def:crs:EPSG:9.9.1:7415") or an OGC URI
// ("https://www.opengis.net/def/crs/EPSG/0/7415", with http too), the forms
// CityJSON's metadata.referenceSystem and IFC's IfcCoordinateReferenceSystem.Name
// use. OGC's CRS84 ("urn:ogc:def:crs:OGC:1.3:CRS84",
// "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84") is WGS 84
// with longitude first, which Parse returns as EPSG:4326.
func Parse(s string) (*CRS, error) {
	code, ok := parseCode(strings.TrimSpace(s))
	if !ok {
		return nil, fmt.Errorf("crs: cannot parse %q: want an EPSG code such as EPSG:28992, "+
			"urn:ogc:def:crs:EPSG::28992 or https://www.opengis.net/def/crs/EPSG/0/28992", s)
	}
	return Lookup(code)
}

// parseCode returns the EPSG code in one of the forms Parse accepts.
func parseCode(s string) (int, bool) {
	l := strings.ToLower(s)
	if isCRS84(l) {
		return 4326, true
	}
	switch {
	case strings.HasPrefix(l, "epsg:"):
		l = l[len("epsg:"):]
	case strings.HasPrefix(l, "urn:ogc:def:crs:epsg:"):
		version, code, ok := strings.Cut(l[len("urn:ogc:def:crs:epsg:"):], ":")
		if !ok || !isVersion(version, true) {
			return 0, false
		}
		l = code
	default:
		if rest, ok := cutURI(l); ok {
			rest, ok = strings.CutPrefix(rest, "epsg/")
			if !ok {
				return 0, false
			}
			version, code, ok := strings.Cut(rest, "/")
			if !ok || !isVersion(version, false) {
				return 0, false
			}
			l = code
		}
	}
	if len(l) == 0 || len(l) > 9 {
		return 0, false
	}
	for i := 0; i < len(l); i++ {
		if l[i] < '0' || l[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(l)
	return n, err == nil && n > 0
}

// cutURI removes the "http(s)://www.opengis.net/def/crs/" prefix of s.
func cutURI(s string) (string, bool) {
	for _, p := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			rest = strings.TrimPrefix(rest, "www.")
			return strings.CutPrefix(rest, "opengis.net/def/crs/")
		}
	}
	return "", false
}

// isVersion reports whether v is a register version such as "0" or
// "9.9.1"; URNs may leave it empty.
func isVersion(v string, emptyOK bool) bool {
	if v == "" {
		return emptyOK
	}
	for i := 0; i < len(v); i++ {
		if (v[i] < '0' || v[i] > '9') && v[i] != '.' {
			return false
		}
	}
	return true
}

// isCRS84 reports whether the lower-cased s names OGC's CRS84.
func isCRS84(s string) bool {
	if s == "ogc:crs84" || s == "crs84" {
		return true
	}
	if rest, ok := strings.CutPrefix(s, "urn:ogc:def:crs:ogc:"); ok {
		version, name, ok := strings.Cut(rest, ":")
		return ok && isVersion(version, true) && name == "crs84"
	}
	if rest, ok := cutURI(s); ok {
		version, ok := strings.CutPrefix(rest, "ogc/")
		if !ok {
			return false
		}
		version, name, ok := strings.Cut(version, "/")
		return ok && isVersion(version, false) && name == "crs84"
	}
	return false
}

// EPSG returns the EPSG code of the CRS.
func (c *CRS) EPSG() int { return c.epsg }

// Name returns the CRS's name in the EPSG register, such as
// "Amersfoort / RD New + NAP height".
func (c *CRS) Name() string { return c.name }

// Geographic reports whether the CRS's coordinates are longitude (x) and
// latitude (y) in degrees rather than easting and northing in metres.
func (c *CRS) Geographic() bool { return c.proj == nil }

// String returns "EPSG:n".
func (c *CRS) String() string { return "EPSG:" + strconv.Itoa(c.epsg) }

// ToLonLat converts easting x and northing y in metres (or longitude and
// latitude in degrees for a geographic CRS) to WGS84 longitude and latitude
// in degrees. Longitudes are in [−180°, 180°]. Points the projection
// cannot reach give NaN or infinite results.
func (c *CRS) ToLonLat(x, y float64) (lon, lat float64) {
	if c.proj == nil {
		return x, y
	}
	phi, lam := c.proj.inverse(x, y)
	if c.datum != nil {
		phi, lam = c.datum.toWGS84(phi, lam)
	}
	return math.Remainder(lam, 2*math.Pi) / deg, phi / deg
}

// FromLonLat converts WGS84 longitude and latitude in degrees to the CRS's
// easting and northing in metres (or longitude and latitude in degrees for
// a geographic CRS). It is the inverse of ToLonLat.
func (c *CRS) FromLonLat(lon, lat float64) (x, y float64) {
	if c.proj == nil {
		return lon, lat
	}
	phi, lam := lat*deg, lon*deg
	if c.datum != nil {
		phi, lam = c.datum.fromWGS84(phi, lam)
	}
	return c.proj.forward(phi, lam)
}
