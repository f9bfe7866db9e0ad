package sun

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Term is a solar term (节气), named by the Sun's apparent geocentric
// ecliptic longitude λ in degrees at which it begins.
type Term float64

const (
	// WinterSolstice (冬至) is λ = 270°, in December.
	WinterSolstice Term = 270
	// MajorCold (大寒) is λ = 300°, in January.
	MajorCold Term = 300
)

// String names the term.
func (term Term) String() string {
	switch term {
	case WinterSolstice:
		return "冬至"
	case MajorCold:
		return "大寒"
	}
	return fmt.Sprintf("λ=%g°", float64(term))
}

// errNoConvergence is returned when the root finding does not settle, which
// happens only for a non-finite longitude or an absurd ΔT.
var errNoConvergence = errors.New("sun: solar term search did not converge")

// meanRate is the Sun's mean motion in λ, degrees per day.
const meanRate = 360 / 365.2422

// Instant returns the instant (UTC) in the Gregorian calendar year year at
// which the Sun's apparent geocentric longitude, from the SPA with o's ΔT,
// reaches term. It starts from the mean motion and iterates
// t ← t + (term − λ(t)) / rate with the rate measured about t, to 0.1 s.
func (term Term) Instant(year int, o Options) (time.Time, error) {
	lon := float64(term)
	if math.IsNaN(lon) || math.IsInf(lon, 0) {
		return time.Time{}, fmt.Errorf("sun: solar term longitude %v: %w", lon, errNoConvergence)
	}
	lon = norm360(lon)
	// The March equinox (λ = 0) falls near day 79.5 of the year.
	jan1 := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	days := math.Mod(79.5+lon/meanRate, 365.2422)
	jd := julianDay(jan1, 0) + days
	dt := o.deltaT()
	lambda := func(jd float64) float64 { return geocentric(jd, dt).lambda }
	for range 20 {
		l := lambda(jd)
		rate := norm180(lambda(jd+0.5)-lambda(jd-0.5)) / 1
		step := norm180(lon-l) / rate
		jd += step
		if math.Abs(step) < 0.1/86400 {
			sec := (jd - 2440587.5) * 86400
			whole := math.Floor(sec)
			return time.Unix(int64(whole), int64((sec-whole)*1e9)).UTC().Round(time.Millisecond), nil
		}
	}
	return time.Time{}, fmt.Errorf("sun: %s of %d: %w", term, year, errNoConvergence)
}

// Day returns the standard day of term in year: midnight, in loc, of the
// calendar day in loc that contains Instant. A nil loc means
// ChinaStandardTime, the usual convention (the dates printed in Chinese
// calendars are Beijing dates).
func (term Term) Day(year int, loc *time.Location, o Options) (time.Time, error) {
	t, err := term.Instant(year, o)
	if err != nil {
		return time.Time{}, err
	}
	if loc == nil {
		loc = ChinaStandardTime
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
}
