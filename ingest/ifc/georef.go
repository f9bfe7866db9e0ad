package ifc

import (
	"fmt"
	"math"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/crs"
	"github.com/future-community/cim/ingest/ifc/step"
)

// georef maps project coordinates in metres to WGS84.
type georef struct {
	how string
	fn  func(x, y float64) (lon, lat float64)
	// For a site's RefLatitude/RefLongitude: the point, and the
	// authoring tool's default location it is, if any.
	at, placeholder string
}

// georef finds how the model lies on the earth: the anchor where one is
// given, with a warning naming the georeferencing of the file's own that
// it replaces; else the file's IfcMapConversion, else its site's
// RefLatitude/RefLongitude (at the site's origin, turned by the
// context's TrueNorth), with a warning where that is an authoring tool's
// default location.
func (m *model) georef(project, site *step.Instance, siteOrigin vec, anchor *cim.Anchor) (*georef, error) {
	own, zero := m.ownGeoref(project, site, siteOrigin)
	if anchor != nil {
		if own != nil {
			m.warn(fmt.Sprintf("--anchor (Options.Anchor) replaces the file's own georeferencing, %s", own.how))
		}
		return &georef{
			how: fmt.Sprintf("anchor %.7f, %.7f, rotation %g°", anchor.Lon, anchor.Lat, anchor.RotationDeg),
			fn:  tangent(anchor.Lon, anchor.Lat, 0, 0, anchor.RotationDeg),
		}, nil
	}
	if own != nil {
		if own.placeholder != "" {
			m.warn(fmt.Sprintf("IfcSite RefLatitude/RefLongitude %s is %s, not the project's location: "+
				"give the longitude and latitude of the model's origin with --anchor lon,lat[,rotation_deg] (Options.Anchor)",
				own.at, own.placeholder))
		}
		return own, nil
	}
	site0 := ""
	if zero {
		site0 = "; its IfcSite RefLatitude/RefLongitude is 0, 0, a placeholder"
	}
	return nil, m.errAt(nil, fmt.Errorf("%w: the file has no IfcMapConversion and no IfcSite RefLatitude/RefLongitude%s; "+
		"give the longitude and latitude of its origin with --anchor lon,lat[,rotation_deg] (Options.Anchor)", ErrNoGeoref, site0))
}

// ownGeoref returns the file's own georeferencing, nil where it has
// none; zero tells whether its site's RefLatitude/RefLongitude is 0, 0,
// which places no model (the point lies in the Gulf of Guinea) and is
// taken as unset.
func (m *model) ownGeoref(project, site *step.Instance, siteOrigin vec) (g *georef, zero bool) {
	for _, mc := range append(m.ofType("IFCMAPCONVERSION"), m.ofType("IFCMAPCONVERSIONSCALED")...) {
		g, err := m.mapConversion(mc)
		if err == nil {
			return g, false
		}
		m.warn(err.Error())
	}
	if site == nil {
		return nil, false
	}
	lat, okLat := compoundAngle(site.Arg(9))
	lon, okLon := compoundAngle(site.Arg(10))
	if !okLat || !okLon {
		return nil, false
	}
	if lat == 0 && lon == 0 {
		return nil, true
	}
	if math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return nil, false
	}
	rot := m.trueNorth(project)
	at := fmt.Sprintf("%.7f, %.7f", lat, lon)
	return &georef{
		how:         fmt.Sprintf("IfcSite RefLatitude/RefLongitude %s, true north %.3f°", at, rot),
		fn:          tangent(lon, lat, siteOrigin[0], siteOrigin[1], rot),
		at:          at,
		placeholder: placeholderSite(lat, lon),
	}, false
}

// placeholderSites are the locations authoring tools give a project
// whose user never set one, as IfcSite RefLatitude/RefLongitude. An
// export that carries one of them is not placed: the model lands in
// another city.
var placeholderSites = []struct {
	lat, lon float64
	what     string
}{
	// Revit's default project location, "Boston, MA": Office_A
	// (buildingSMART/GSA, Revit 2011) carries it to the millionth of
	// a second, (42,21,30,344238), (-71,-3,-35,-194702), and so do other
	// Revit exports such as the GSA hospital model.
	{dms(42, 21, 30, 344238), -dms(71, 3, 35, 194702), "Revit's default location (Boston, MA)"},
	// Chicago, IL, the location of the site the GSA Duplex (Revit 2011)
	// carries under Revit's name for the site it makes up, "Default":
	// (41,52,27,840000), (-87,-38,-21,-839999).
	{dms(41, 52, 27, 840000), -dms(87, 38, 21, 839999), "Revit's default location (Chicago, IL)"},
}

// placeholderTol is how near, in degrees, a site must be to a
// placeholder location to be taken for it: about 10 m, a few
// millionths of a second more than the rounding of the exports.
const placeholderTol = 1e-4

// placeholderSite names the authoring tool's default location that lat,
// lon is, "" where it is none.
func placeholderSite(lat, lon float64) string {
	for _, p := range placeholderSites {
		if math.Abs(lat-p.lat) < placeholderTol && math.Abs(lon-p.lon) < placeholderTol {
			return p.what
		}
	}
	return ""
}

// dms is a compound angle: degrees, minutes, seconds and millionths of
// a second.
func dms(d, m, s, u float64) float64 { return d + m/60 + s/3600 + u/3.6e9 }

// mapConversion reads an IfcMapConversion to an IfcProjectedCRS:
// E = s(x cos θ − y sin θ) + Eastings, N = s(x sin θ + y cos θ) + Northings.
func (m *model) mapConversion(mc *step.Instance) (*georef, error) {
	target := m.deref(mc.Arg(1))
	if target == nil || target.Type != "IFCPROJECTEDCRS" {
		return nil, fmt.Errorf("IfcMapConversion #%d: target is not an IfcProjectedCRS (ignored)", mc.ID)
	}
	name, _ := target.Arg(0).Text()
	c, err := crs.Parse(name)
	if err != nil {
		return nil, fmt.Errorf("IfcMapConversion #%d to %q (ignored): %v", mc.ID, name, err)
	}
	if c.Geographic() {
		return nil, fmt.Errorf("IfcMapConversion #%d to %s: a geographic CRS (ignored)", mc.ID, c)
	}
	mapUnitM := m.lengthM
	if typ, f, ok := m.unit(m.deref(target.Arg(6)), 0); ok && typ == "LENGTHUNIT" {
		mapUnitM = f
	}
	e0, _ := mc.Arg(2).Untyped().Float()
	n0, _ := mc.Arg(3).Untyped().Float()
	ax, okX := mc.Arg(5).Untyped().Float()
	ay, okY := mc.Arg(6).Untyped().Float()
	if !okX || !okY || (ax == 0 && ay == 0) {
		ax, ay = 1, 0
	}
	theta := math.Atan2(ay, ax)
	s, ok := mc.Arg(7).Untyped().Float()
	if !ok || s <= 0 {
		s = 1
	}
	// k turns project metres into map metres. The schema has Scale turn
	// project units into map units (0.001 for a model in millimetres on
	// a map in metres), times any grid scale factor; some files,
	// buildingSMART's own UTM sample among them, write the reciprocal
	// (1000), which is read as such. A Scale that fits neither way is a
	// unit confusion, not a grid scale, and is taken as 1.
	k := s * mapUnitM / m.lengthM
	how := ""
	if !ok {
		// Omitted: the schema's 1.0, which read literally puts a model in
		// millimetres 1000 times too large on a map in metres. Revit and
		// others omit it meaning a change of units only, and so it is read.
		k = 1
	}
	if math.Abs(k-1) > maxGridScale {
		if r := mapUnitM / (s * m.lengthM); math.Abs(r-1) <= maxGridScale {
			k, how = r, fmt.Sprintf(", Scale %g read as project units per map unit", s)
			m.warn(fmt.Sprintf("IfcMapConversion Scale %g read as project units per map unit, the reciprocal of the schema's meaning", s))
		} else {
			m.warn(fmt.Sprintf("IfcMapConversion Scale %g fits neither way with the units (project %g m, map %g m): taken as 1", s, m.lengthM, mapUnitM))
			k = 1
		}
	}
	if mc.Type == "IFCMAPCONVERSIONSCALED" {
		fx, _ := mc.Arg(8).Untyped().Float()
		fy, _ := mc.Arg(9).Untyped().Float()
		if math.Abs(fx-1) > 1e-9 || math.Abs(fy-1) > 1e-9 {
			m.warn(fmt.Sprintf("IfcMapConversionScaled FactorX %g, FactorY %g not applied", fx, fy))
		}
	}
	sin, cos := math.Sincos(theta)
	e0, n0 = e0*mapUnitM, n0*mapUnitM
	return &georef{
		how: fmt.Sprintf("IfcMapConversion to %s%s", c, how),
		fn: func(x, y float64) (float64, float64) {
			return c.ToLonLat(e0+k*(x*cos-y*sin), n0+k*(x*sin+y*cos))
		},
	}, nil
}

// maxGridScale is how far from 1 a map conversion's scale, the units
// aside, may be and still be a grid scale factor (UTM's is 0.9996, a
// Gauss–Krüger zone's edge 1.0014).
const maxGridScale = 0.1

// compoundAngle reads an IfcCompoundPlaneAngleMeasure: degrees, minutes,
// seconds and millionths of a second, each with the sign of the whole.
func compoundAngle(v step.Value) (float64, bool) {
	l, ok := v.Untyped().List()
	if !ok || len(l) < 3 {
		return 0, false
	}
	div := []float64{1, 60, 3600, 3.6e9}
	var a float64
	for i, p := range l {
		if i >= len(div) {
			break
		}
		n, ok := p.Untyped().Float()
		if !ok {
			return 0, false
		}
		a += n / div[i]
	}
	return a, true
}

// trueNorth returns the azimuth of the project's +y axis, in degrees
// clockwise from true north, from the model context's TrueNorth.
func (m *model) trueNorth(project *step.Instance) float64 {
	ctxs, _ := project.Arg(7).List()
	var best *step.Instance
	for _, cv := range ctxs {
		c := m.deref(cv)
		if c == nil || c.Type != "IFCGEOMETRICREPRESENTATIONCONTEXT" || c.Arg(5).IsNull() {
			continue
		}
		if t, _ := c.Arg(1).Text(); best == nil || strings.EqualFold(t, "Model") {
			best = c
		}
	}
	if best == nil {
		return 0
	}
	d := m.direction(best.Arg(5), vec{0, 1, 0})
	if d[0] == 0 && d[1] == 0 {
		return 0
	}
	return math.Atan2(-d[0], d[1]) * 180 / math.Pi
}

// tangent maps project metres around (x0, y0), which lies at lon0, lat0,
// with +y at azimuth rotDeg, by geodesics from the reference point: an
// azimuthal equidistant projection, exact in distance and direction
// from it and within millimetres over a site.
func tangent(lon0, lat0, x0, y0, rotDeg float64) func(x, y float64) (float64, float64) {
	sin, cos := math.Sincos(rotDeg * math.Pi / 180)
	return func(x, y float64) (float64, float64) {
		dx, dy := x-x0, y-y0
		e := dx*cos + dy*sin
		n := -dx*sin + dy*cos
		d := math.Hypot(e, n)
		if d == 0 {
			return lon0, lat0
		}
		return cim.Destination(lon0, lat0, math.Atan2(e, n)*180/math.Pi, d)
	}
}
