package cim

import (
	"fmt"
	"math"
)

// Anchor places a model drawn in local coordinates (an IFC file, say)
// on the earth: the origin of its coordinate system at Lon, Lat (WGS84
// degrees), its +y axis pointing RotationDeg degrees clockwise from
// true north.
type Anchor struct {
	Lon, Lat    float64
	RotationDeg float64
}

// Validate reports whether a is a finite point within −180…180
// longitude and −90…90 latitude with a finite rotation.
func (a Anchor) Validate() error {
	for _, v := range []float64{a.Lon, a.Lat, a.RotationDeg} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("anchor %v, %v, %v°: not a finite number", a.Lon, a.Lat, a.RotationDeg)
		}
	}
	if a.Lon < -180 || a.Lon > 180 || a.Lat < -90 || a.Lat > 90 {
		return fmt.Errorf("anchor %v, %v: longitude must be within −180…180 and latitude within −90…90", a.Lon, a.Lat)
	}
	return nil
}

// String formats a as "lon,lat,rotation", the syntax of --anchor.
func (a Anchor) String() string {
	return fmt.Sprintf("%.7f,%.7f,%g", a.Lon, a.Lat, a.RotationDeg)
}
