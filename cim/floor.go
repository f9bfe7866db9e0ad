package cim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Chinese floor numbering has no floor 0: the ground floor is 1F (1层),
// the one above it 2F, and the basements are B1 (地下一层), B2 and so on
// down. cim's levels count from 0, the ground floor, with -1 for B1, so
// level n ≥ 0 is floor (n+1)F and level -n is Bn.

// FloorLabel returns the Chinese-style name of a whole level: "1F" for
// level 0, "B1" for level -1. A level between floors (a mezzanine at 0.5)
// has none and returns "".
func FloorLabel(level float64) string {
	if level != math.Trunc(level) {
		return ""
	}
	if level >= 0 {
		return strconv.Itoa(int(level)+1) + "F"
	}
	return "B" + strconv.Itoa(int(-level))
}

// ParseFloors reads a floor or a range of floors in Chinese-style
// numbering: "1F" (the ground floor, level 0), "3F", "B1" (level -1),
// "B2..1F", and the forms 1层, 地下1层 and F3. Case does not matter.
func ParseFloors(s string) (LevelRange, error) {
	lo, hi, isRange := strings.Cut(strings.TrimSpace(s), "..")
	a, err := parseFloor(lo)
	if err != nil {
		return LevelRange{}, fmt.Errorf("floor %q: %w", s, err)
	}
	b := a
	if isRange {
		if b, err = parseFloor(hi); err != nil {
			return LevelRange{}, fmt.Errorf("floor %q: %w", s, err)
		}
	}
	r := LevelRange{a, b}
	if err := r.Validate(); err != nil {
		return LevelRange{}, fmt.Errorf("floor %q: %w", s, err)
	}
	return r, nil
}

// parseFloor reads one floor name and returns its level.
func parseFloor(s string) (float64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	below := false
	switch {
	case strings.HasPrefix(t, "地下"):
		below, t = true, strings.TrimSuffix(strings.TrimPrefix(t, "地下"), "层")
	case strings.HasSuffix(t, "层"):
		t = strings.TrimSuffix(t, "层")
	case strings.HasPrefix(t, "B"):
		below, t = true, t[1:]
	case strings.HasSuffix(t, "F"):
		t = strings.TrimSuffix(t, "F")
	case strings.HasPrefix(t, "F"):
		t = t[1:]
	default:
		return 0, fmt.Errorf("want a floor such as 1F, 3F, B1 or 1层 (1F is the ground floor)")
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("want a floor such as 1F, 3F, B1 or 1层 (1F is the ground floor; there is no 0F)")
	}
	if below {
		return float64(-n), nil
	}
	return float64(n - 1), nil
}
