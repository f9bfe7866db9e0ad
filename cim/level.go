package cim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The lowest and highest level a feature may occupy. They bound the floor
// index; real buildings stay far inside them.
const (
	MinLevel = -100
	MaxLevel = 300
)

// LevelRange is the closed range of floors a feature occupies: 0 is the
// ground floor, negative levels are basements. Min == Max for a feature on
// one floor. The zero value is the ground floor.
type LevelRange struct {
	Min, Max float64
}

// Level returns the range holding the single level l.
func Level(l float64) LevelRange { return LevelRange{l, l} }

// Contains reports whether level l lies within r.
func (r LevelRange) Contains(l float64) bool { return r.Min <= l && l <= r.Max }

// Overlaps reports whether r and o share a level.
func (r LevelRange) Overlaps(o LevelRange) bool { return r.Min <= o.Max && o.Min <= r.Max }

// Single reports whether r is one level.
func (r LevelRange) Single() bool { return r.Min == r.Max }

// Validate reports whether r is a usable range: finite, Min ≤ Max, within
// MinLevel…MaxLevel.
func (r LevelRange) Validate() error {
	if math.IsNaN(r.Min) || math.IsNaN(r.Max) || r.Min > r.Max {
		return fmt.Errorf("level range %v is empty", r)
	}
	if r.Min < MinLevel || r.Max > MaxLevel {
		return fmt.Errorf("level range %v outside %d..%d", r, MinLevel, MaxLevel)
	}
	return nil
}

// String formats r as "2" or "-1..4", the syntax ParseLevelRange reads.
func (r LevelRange) String() string {
	if r.Single() {
		return fmtLevel(r.Min)
	}
	return fmtLevel(r.Min) + ".." + fmtLevel(r.Max)
}

func fmtLevel(l float64) string { return strconv.FormatFloat(l, 'f', -1, 64) }

// ParseLevelRange reads a level or a range of levels as written on the
// command line: "3", "-1", "0.5", "-2..5".
func ParseLevelRange(s string) (LevelRange, error) {
	s = strings.TrimSpace(s)
	lo, hi, isRange := strings.Cut(s, "..")
	a, err := parseOneLevel(lo)
	if err != nil {
		return LevelRange{}, err
	}
	b := a
	if isRange {
		if b, err = parseOneLevel(hi); err != nil {
			return LevelRange{}, err
		}
	}
	r := LevelRange{a, b}
	return r, r.Validate()
}

// ParseOSMLevel reads an OpenStreetMap level value and returns the range it
// spans: "0", "-1", "0.5", "1;2;3" (a list), "1-3" and "-3--1" (ranges),
// or combinations such as "-1;1-3". A list that skips levels ("0;14") is
// widened to the range it spans. Spaces around parts are ignored.
func ParseOSMLevel(s string) (LevelRange, error) {
	if strings.TrimSpace(s) == "" {
		return LevelRange{}, fmt.Errorf("empty level")
	}
	r := LevelRange{Min: math.Inf(1), Max: math.Inf(-1)}
	for part := range strings.SplitSeq(s, ";") {
		a, b, err := parseOSMLevelPart(strings.TrimSpace(part))
		if err != nil {
			return LevelRange{}, fmt.Errorf("level %q: %w", s, err)
		}
		r.Min = math.Min(r.Min, math.Min(a, b))
		r.Max = math.Max(r.Max, math.Max(a, b))
	}
	if err := r.Validate(); err != nil {
		return LevelRange{}, fmt.Errorf("level %q: %w", s, err)
	}
	return r, nil
}

// parseOSMLevelPart reads "3", "-1", "0.5", "1-3" or "-3--1".
func parseOSMLevelPart(p string) (float64, float64, error) {
	// A range separator is a '-' that follows a digit, perhaps after
	// spaces ("1-3", "1 - 3", "-3--1").
	for i := 1; i < len(p); i++ {
		j := i - 1
		for j > 0 && p[j] == ' ' {
			j--
		}
		if p[i] == '-' && p[j] >= '0' && p[j] <= '9' {
			a, err := parseOneLevel(p[:i])
			if err != nil {
				return 0, 0, err
			}
			b, err := parseOneLevel(p[i+1:])
			return a, b, err
		}
	}
	a, err := parseOneLevel(p)
	return a, a, err
}

func parseOneLevel(s string) (float64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a level number", s)
	}
	return v, nil
}
