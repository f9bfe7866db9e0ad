package features

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/crs"
	"github.com/twpayne/go-geom"
)

// CRS84 is the URI of WGS 84 with longitude first, the default CRS of
// OGC API – Features.
const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// outCRS is a CRS the API answers in (crs=) and reads boxes in
// (bbox-crs=), with the axis order OGC API – Features Part 2 asks for:
// coordinates follow the CRS's own axis order as the EPSG registry
// defines it, except for CRS84, which is longitude, latitude. So
// EPSG:4326 and EPSG:4490 are latitude, longitude; the CGCS2000
// Gauss–Krüger CRSs (EPSG:4513–4554) are northing, easting (their EPSG
// axes are X north, Y east); EPSG:3857 is easting, northing.
type outCRS struct {
	uri       string
	conv      *crs.CRS
	northEast bool // the first axis is latitude or northing
}

// crsURI returns the OGC URI of an EPSG code.
func crsURI(epsg int) string { return "http://www.opengis.net/def/crs/EPSG/0/" + strconv.Itoa(epsg) }

// crsCodes lists the EPSG codes served besides CRS84: WGS 84, Web
// Mercator, CGCS2000 and the CGCS2000 3° Gauss–Krüger CRSs over Zhejiang
// (118°–123°E): central meridians 117°, 120° and 123°, both without the
// zone number in the easting (EPSG:4548–4550) and with it (zones 39–41,
// EPSG:4527–4529).
var crsCodes = []int{4326, 3857, 4490, 4548, 4549, 4550, 4527, 4528, 4529}

// crsList is the list a collection gives as its "crs".
func crsList() []string {
	l := []string{CRS84}
	for _, c := range crsCodes {
		l = append(l, crsURI(c))
	}
	return l
}

// parseCRS reads a crs= or bbox-crs= value: a URI of the list (or its
// "EPSG:n" and URN spellings, which crs.Parse reads); "" is CRS84.
func parseCRS(s string) (*outCRS, error) {
	if s == "" || isCRS84(s) {
		c, _ := crs.Lookup(4326)
		return &outCRS{uri: CRS84, conv: c}, nil
	}
	c, err := crs.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("not a CRS this API serves (%s)", strings.Join(crsList(), ", "))
	}
	served := false
	for _, code := range crsCodes {
		served = served || code == c.EPSG()
	}
	if !served {
		return nil, fmt.Errorf("%s is not one this API serves (%s)", c, strings.Join(crsList(), ", "))
	}
	return &outCRS{uri: crsURI(c.EPSG()), conv: c, northEast: c.EPSG() != 3857}, nil
}

func isCRS84(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	l = strings.TrimPrefix(strings.TrimPrefix(l, "http://"), "https://")
	return l == "www.opengis.net/def/crs/ogc/1.3/crs84" || l == "urn:ogc:def:crs:ogc:1.3:crs84" || l == "ogc:crs84" || l == "crs84" ||
		l == "[ogc:crs84]"
}

// isDefault reports whether c is CRS84, in which features are stored.
func (c *outCRS) isDefault() bool { return c.uri == CRS84 }

// point converts WGS84 longitude and latitude to c's axis order.
func (c *outCRS) point(lon, lat float64) (a, b float64) {
	x, y := c.conv.FromLonLat(lon, lat)
	if c.northEast {
		return y, x
	}
	return x, y
}

// lonLat converts a position in c's axis order to longitude and latitude.
func (c *outCRS) lonLat(a, b float64) (lon, lat float64) {
	if c.northEast {
		a, b = b, a
	}
	return c.conv.ToLonLat(a, b)
}

// boxToLonLat returns the longitude–latitude box that holds the box
// (a1, b1)–(a2, b2) given in c: its edges are sampled, since a projected
// box's edges are curves in longitude and latitude.
func (c *outCRS) boxToLonLat(v [4]float64) (cim.Box, error) {
	if c.isDefault() {
		b := cim.Box{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
		return b, b.Validate()
	}
	if v[0] > v[2] || v[1] > v[3] {
		return cim.Box{}, fmt.Errorf("the lower corner (%g, %g) is above the upper one (%g, %g)", v[0], v[1], v[2], v[3])
	}
	out := cim.Box{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}
	const n = 16
	for i := 0; i <= n; i++ {
		t := float64(i) / n
		for _, p := range [][2]float64{
			{v[0] + t*(v[2]-v[0]), v[1]}, {v[0] + t*(v[2]-v[0]), v[3]},
			{v[0], v[1] + t*(v[3]-v[1])}, {v[2], v[1] + t*(v[3]-v[1])},
		} {
			lon, lat := c.lonLat(p[0], p[1])
			if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
				return cim.Box{}, fmt.Errorf("(%g, %g) is outside what %s can reach", p[0], p[1], c.conv)
			}
			out.MinLon, out.MaxLon = math.Min(out.MinLon, lon), math.Max(out.MaxLon, lon)
			out.MinLat, out.MaxLat = math.Min(out.MinLat, lat), math.Max(out.MaxLat, lat)
		}
	}
	return out, out.Validate()
}

// geometry returns g in c: g itself for CRS84, else a copy.
func (c *outCRS) geometry(g geom.T) geom.T {
	if c.isDefault() || g == nil {
		return g
	}
	flat, stride := g.FlatCoords(), g.Stride()
	out := make([]float64, len(flat))
	copy(out, flat)
	for i := 0; i+1 < len(out); i += stride {
		out[i], out[i+1] = c.point(flat[i], flat[i+1])
	}
	switch g := g.(type) {
	case *geom.Point:
		return geom.NewPointFlat(g.Layout(), out)
	case *geom.MultiPoint:
		return geom.NewMultiPointFlat(g.Layout(), out)
	case *geom.LineString:
		return geom.NewLineStringFlat(g.Layout(), out)
	case *geom.MultiLineString:
		return geom.NewMultiLineStringFlat(g.Layout(), out, g.Ends())
	case *geom.Polygon:
		return geom.NewPolygonFlat(g.Layout(), out, g.Ends())
	case *geom.MultiPolygon:
		return geom.NewMultiPolygonFlat(g.Layout(), out, g.Endss())
	}
	return g
}
