package cim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/twpayne/go-geom"
)

// Feature is one object of the community model.
type Feature struct {
	// ID is stable and prefixed with its source: "osm:w123",
	// "ifc:<GlobalId>", "geojson:<dataset>:<id>". Together with Dataset
	// and Stage it identifies a stored feature: the same object may exist
	// in several stages of a dataset.
	ID    string
	Class Class
	// Kind refines the class with the source's own word for it:
	// "residential" for a building, "kindergarten" for a facility,
	// "bus_stop" for a transit stop, "park" for green. It may be empty.
	Kind string
	// Geometry is the 2D footprint in WGS84 longitude/latitude degrees with
	// layout XY: a Point, LineString, Polygon, MultiPoint, MultiLineString
	// or MultiPolygon.
	Geometry geom.T
	// Levels is the range of floors the feature occupies.
	Levels   LevelRange
	Vertical Vertical
	// Dataset names the scheme or source collection the feature belongs to.
	Dataset string
	Stage   Stage
	// Parent is the id of the enclosing feature in the same dataset and
	// stage: a space's storey, a storey's building, a building's site.
	Parent string
	// Props holds the source's attributes. Values are string, float64,
	// bool, nil, or the []any and map[string]any of encoding/json.
	Props map[string]any
}

// Vertical holds what is known about a feature's height and floors. Known
// says which fields carry a value; the others are zero and unknown.
type Vertical struct {
	LevelsAbove   int     // storeys above ground, roof storeys excluded (building:levels)
	LevelsBelow   int     // storeys below ground (building:levels:underground)
	RoofLevels    int     // storeys in the roof (roof:levels)
	HeightM       float64 // from the ground to the top of the roof
	MinHeightM    float64 // from the ground to the bottom of the feature (building:part, bridges)
	ElevationM    float64 // floor elevation of a storey above the ground floor's
	StoreyHeightM float64 // floor-to-floor height of a storey
	Known         Known
}

// Known is a set of Vertical fields that carry a value.
type Known uint16

// The Vertical fields that may be known.
const (
	KnownLevelsAbove Known = 1 << iota
	KnownLevelsBelow
	KnownRoofLevels
	KnownHeight
	KnownMinHeight
	KnownElevation
	KnownStoreyHeight
)

// Has reports whether every field in k is known.
func (v Vertical) Has(k Known) bool { return v.Known&k == k }

// SetLevelsAbove records the number of storeys above ground.
func (v *Vertical) SetLevelsAbove(n int) { v.LevelsAbove = n; v.Known |= KnownLevelsAbove }

// SetLevelsBelow records the number of storeys below ground.
func (v *Vertical) SetLevelsBelow(n int) { v.LevelsBelow = n; v.Known |= KnownLevelsBelow }

// SetRoofLevels records the number of storeys in the roof.
func (v *Vertical) SetRoofLevels(n int) { v.RoofLevels = n; v.Known |= KnownRoofLevels }

// SetHeight records the height from the ground to the roof top.
func (v *Vertical) SetHeight(m float64) { v.HeightM = m; v.Known |= KnownHeight }

// SetMinHeight records the height of the feature's base above the ground.
func (v *Vertical) SetMinHeight(m float64) { v.MinHeightM = m; v.Known |= KnownMinHeight }

// SetElevation records a storey's floor elevation.
func (v *Vertical) SetElevation(m float64) { v.ElevationM = m; v.Known |= KnownElevation }

// SetStoreyHeight records a storey's floor-to-floor height.
func (v *Vertical) SetStoreyHeight(m float64) { v.StoreyHeightM = m; v.Known |= KnownStoreyHeight }

// PropText returns a property value as text, the form OSM tags and
// property filters compare: a string as it is, a number in its shortest
// form ("5", "2.5"), a boolean as "yes" or "no". Null, objects and arrays
// have no text form (ok is false).
func PropText(v any) (s string, ok bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		if v {
			return "yes", true
		}
		return "no", true
	}
	return "", false
}

// ErrInvalid is wrapped by every error Validate returns.
var ErrInvalid = errors.New("invalid feature")

// Validate checks what the store relies on: an id without NUL bytes, a
// known class and stage, a valid geometry (ValidateGeometry) and level
// range, and a dataset name.
func (f *Feature) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	switch {
	case f.ID == "":
		return bad("empty id")
	case strings.IndexByte(f.ID, 0) >= 0:
		return bad("id %q contains a NUL byte", f.ID)
	case len(f.ID) > MaxIDLen:
		return bad("id longer than %d bytes", MaxIDLen)
	case f.Dataset == "":
		return bad("feature %s: empty dataset", f.ID)
	case len(f.Dataset) > MaxDatasetLen || strings.IndexByte(f.Dataset, 0) >= 0:
		return bad("feature %s: dataset name longer than %d bytes or with a NUL byte", f.ID, MaxDatasetLen)
	case !f.Class.Valid():
		return bad("feature %s: %v", f.ID, f.Class)
	case !f.Stage.Valid():
		return bad("feature %s: stage %v", f.ID, f.Stage)
	}
	if err := f.Levels.Validate(); err != nil {
		return bad("feature %s: %v", f.ID, err)
	}
	if err := ValidateGeometry(f.Geometry); err != nil {
		return fmt.Errorf("%w: feature %s: %w", ErrInvalid, f.ID, err)
	}
	return nil
}

// MaxIDLen is the longest feature id the store accepts, in bytes.
const MaxIDLen = 512

// MaxDatasetLen is the longest dataset name the store accepts, in bytes.
const MaxDatasetLen = 256
