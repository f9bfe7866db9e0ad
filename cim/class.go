package cim

import "fmt"

// Class is what kind of thing a feature is. The zero Class is ClassOther.
type Class uint8

// The classes of the model. Their names (String) are stable: they are
// stored, printed and accepted on the command line.
const (
	ClassOther        Class = iota // anything not covered below
	ClassSite                      // the boundary of a scheme, with its planning limits
	ClassParcel                    // a plot of land within a site
	ClassBuilding                  // a whole building
	ClassBuildingPart              // a part of a building with its own heights (OSM building:part)
	ClassStorey                    // one floor of a building
	ClassSpace                     // a room, unit or indoor area on a floor
	ClassGreen                     // green space: parks, gardens, lawns, roof gardens
	ClassWater                     // water bodies and waterways
	ClassRoad                      // roads, paths and other ways
	ClassTransitStop               // stations, platforms, entrances and bus stops
	ClassFacility                  // services: kindergartens, clinics, elderly care, shops…
	numClasses
)

var classNames = [numClasses]string{
	ClassOther:        "other",
	ClassSite:         "site",
	ClassParcel:       "parcel",
	ClassBuilding:     "building",
	ClassBuildingPart: "building_part",
	ClassStorey:       "storey",
	ClassSpace:        "space",
	ClassGreen:        "green",
	ClassWater:        "water",
	ClassRoad:         "road",
	ClassTransitStop:  "transit_stop",
	ClassFacility:     "facility",
}

// Classes returns every class in order.
func Classes() []Class {
	cs := make([]Class, numClasses)
	for i := range cs {
		cs[i] = Class(i)
	}
	return cs
}

// String returns the class name, such as "transit_stop".
func (c Class) String() string {
	if c < numClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// Valid reports whether c is one of the defined classes.
func (c Class) Valid() bool { return c < numClasses }

// ParseClass returns the class with the given name. It accepts the names
// String returns and a few common synonyms ("floor" for storey, "room" and
// "unit" for space, "station" and "stop" for transit_stop).
func ParseClass(s string) (Class, error) {
	for i, n := range classNames {
		if n == s {
			return Class(i), nil
		}
	}
	switch s {
	case "floor", "level":
		return ClassStorey, nil
	case "room", "unit":
		return ClassSpace, nil
	case "station", "stop", "transit":
		return ClassTransitStop, nil
	case "part":
		return ClassBuildingPart, nil
	}
	return 0, fmt.Errorf("unknown class %q (want one of %v)", s, classNames)
}

// MarshalText implements encoding.TextMarshaler.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Class) UnmarshalText(b []byte) error {
	v, err := ParseClass(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
