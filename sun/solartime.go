package sun

import (
	"math"
	"time"
)

// ChinaStandardTime is Beijing time, UTC+8, the civil time of all of China
// (no daylight saving since 1991).
var ChinaStandardTime = time.FixedZone("CST", 8*3600)

// TrueSolarZone is the location of the time.Time values that carry a true
// (apparent) solar time: their wall clock, read with Date and Clock, is the
// local apparent solar time of a site. Their instant is not meaningful (it
// is that wall clock read as UTC); convert with FromTrueSolar before
// comparing instants.
var TrueSolarZone = time.FixedZone("TST", 0)

// hourAngle is the Greenwich apparent hour angle of the Sun (ν − α, degrees,
// [−180, 180)) at t.
func hourAngle(t time.Time, o Options) float64 {
	g := geocentric(julianDay(t, o.DeltaUT1), o.deltaT())
	return norm180(g.nu - g.alpha)
}

// EquationOfTime is apparent minus mean solar time at t, from the Sun's
// apparent hour angle: 12 h + (ν − α)/15 − UT1. It is the exact form of the
// paper's eq. A.1 (Position.EquationOfTimeMin), which uses the Sun's mean
// longitude; the two agree to about a second.
func EquationOfTime(t time.Time, o Options) time.Duration {
	ut := t.UTC().Add(secondsDur(o.DeltaUT1))
	mean := float64(ut.Hour())*3600 + float64(ut.Minute())*60 + float64(ut.Second()) + float64(ut.Nanosecond())*1e-9
	app := 43200 + hourAngle(t, o)*240
	d := app - mean
	d -= 86400 * math.Round(d/86400)
	return secondsDur(d)
}

func secondsDur(s float64) time.Duration {
	return time.Duration(math.Round(s * 1e9))
}

// ToTrueSolar returns the local true solar time at longitude lonDeg (east
// positive) of the instant t, as a time in TrueSolarZone:
//
//	true solar time = Beijing time + (lonDeg − 120°)·4 min/° + equation of time.
func ToTrueSolar(t time.Time, lonDeg float64, o Options) time.Time {
	wall := t.UTC().Add(secondsDur(lonDeg*240) + EquationOfTime(t, o))
	y, m, d := wall.Date()
	h, mi, s := wall.Clock()
	return time.Date(y, m, d, h, mi, s, wall.Nanosecond(), TrueSolarZone)
}

// FromTrueSolar is the inverse of ToTrueSolar: the instant, in Beijing time,
// at which the local true solar time at longitude lonDeg reads the wall
// clock of tst (its location is ignored). It solves
// clock = tst − (lonDeg − 120°)·4 min/° − E(clock) by fixed-point iteration;
// E changes by under 30 s a day, so each round gains a factor of about 3000
// and three rounds reach the nanosecond.
func FromTrueSolar(tst time.Time, lonDeg float64, o Options) time.Time {
	y, m, d := tst.Date()
	h, mi, s := tst.Clock()
	wall := time.Date(y, m, d, h, mi, s, tst.Nanosecond(), time.UTC)
	base := wall.Add(-secondsDur(lonDeg * 240))
	t := base
	for range 4 {
		next := base.Add(-EquationOfTime(t, o))
		if next.Equal(t) {
			break
		}
		t = next
	}
	return t.In(ChinaStandardTime)
}
