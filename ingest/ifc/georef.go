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
}

// georef finds how the model lies on the earth: its IfcMapConversion,
// else its site's RefLatitude/RefLongitude (at the site's origin, turned
// by the context's TrueNorth), else the anchor.
func (m *model) georef(project, site *step.Instance, siteOrigin vec, anchor *Anchor) (*georef, error) {
	for _, mc := range append(m.ofType("IFCMAPCONVERSION"), m.ofType("IFCMAPCONVERSIONSCALED")...) {
		g, err := m.mapConversion(mc)
		if err == nil {
			return g, nil
		}
		m.warn(err.Error())
	}
	if site != nil {
		lat, okLat := compoundAngle(site.Arg(9))
		lon, okLon := compoundAngle(site.Arg(10))
		if okLat && okLon && (lat != 0 || lon != 0) && math.Abs(lat) <= 90 && math.Abs(lon) <= 180 {
			rot := m.trueNorth(project)
			return &georef{
				how: fmt.Sprintf("IfcSite RefLatitude/RefLongitude %.7f, %.7f, true north %.3f°", lat, lon, rot),
				fn:  tangent(lon, lat, siteOrigin[0], siteOrigin[1], rot),
			}, nil
		}
	}
	if anchor != nil {
		return &georef{
			how: fmt.Sprintf("anchor %.7f, %.7f, rotation %g°", anchor.Lon, anchor.Lat, anchor.RotationDeg),
			fn:  tangent(anchor.Lon, anchor.Lat, 0, 0, anchor.RotationDeg),
		}, nil
	}
	return nil, m.errAt(nil, fmt.Errorf("%w: the file has no IfcMapConversion and no IfcSite RefLatitude/RefLongitude; "+
		"give the longitude and latitude of its origin with --anchor lon,lat[,rotation_deg] (Options.Anchor)", ErrNoGeoref))
}

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
