package cim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DefaultStoreyHeightM is the storey height assumed where only a building's
// height is known.
const DefaultStoreyHeightM = 3.0

// EstimateLevels returns the number of storeys above ground: the known
// count, else the height divided by DefaultStoreyHeightM and rounded (at
// least 1), else 1.
func EstimateLevels(v Vertical) int {
	switch {
	case v.Has(KnownLevelsAbove):
		return v.LevelsAbove
	case v.Has(KnownHeight) && v.HeightM > 0:
		return max(1, int(math.Round((v.HeightM-v.MinHeightM)/DefaultStoreyHeightM)))
	}
	return 1
}

// Heights returns the bottom and top of a feature above the ground in
// metres, as a map extrudes it: a building's or part's known height, else
// its storeys at the default storey height; a storey's or space's floor
// elevation and elevation plus storey height (known, else from its floor
// at the default height), so that the storeys of a building stack. Other
// classes have none (ok false). Tiles carry them as min_height and height,
// and the query API filters on height.
func Heights(f *Feature) (lo, hi float64, ok bool) {
	v := f.Vertical
	switch f.Class {
	case ClassBuilding, ClassBuildingPart:
		if v.Has(KnownMinHeight) {
			lo = v.MinHeightM
		}
		if v.Has(KnownHeight) && v.HeightM > lo {
			return lo, v.HeightM, true
		}
		return lo, lo + float64(EstimateLevels(v)+v.RoofLevels)*DefaultStoreyHeightM, true
	case ClassStorey, ClassSpace:
		h := DefaultStoreyHeightM
		if v.Has(KnownStoreyHeight) && v.StoreyHeightM > 0 {
			h = v.StoreyHeightM
		}
		lo = f.Levels.Min * DefaultStoreyHeightM
		if v.Has(KnownElevation) {
			lo = v.ElevationM
		}
		return lo, lo + h, true
	}
	return 0, 0, false
}

// ParseLength reads an OSM length in metres: "12", "12.5 m", "12m",
// "40'", "40 ft", "12'6\"", "1,5" is refused (OSM uses a dot). Negative
// and non-finite values are errors.
func ParseLength(s string) (float64, error) {
	t := strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a length", s)
	if t == "" {
		return 0, bad
	}
	// Feet and inches: 12'6" or 40'.
	if i := strings.IndexByte(t, '\''); i > 0 {
		ft, err := strconv.ParseFloat(strings.TrimSpace(t[:i]), 64)
		if err != nil {
			return 0, bad
		}
		in := 0.0
		if rest := strings.TrimSpace(t[i+1:]); rest != "" {
			rest = strings.TrimSuffix(rest, "\"")
			if in, err = strconv.ParseFloat(strings.TrimSpace(rest), 64); err != nil {
				return 0, bad
			}
		}
		return checkLen(ft*0.3048+in*0.0254, bad)
	}
	num, unit := t, ""
	for i, c := range t {
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			num, unit = strings.TrimSpace(t[:i]), strings.TrimSpace(t[i:])
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, bad
	}
	switch unit {
	case "", "m", "meter", "meters", "metre", "metres":
	case "ft", "feet":
		v *= 0.3048
	case "km":
		v *= 1000
	case "cm":
		v /= 100
	default:
		return 0, bad
	}
	return checkLen(v, bad)
}

func checkLen(v float64, bad error) (float64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 10000 {
		return 0, bad
	}
	return v, nil
}
