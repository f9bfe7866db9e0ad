package sun

import (
	"fmt"
	"math"
	"time"
)

// Band is a span of the day in local true solar time, as durations since
// true solar midnight.
type Band struct {
	Start, End time.Duration
}

var (
	// MajorColdBand is 8:00–16:00 true solar time, the band of the 大寒日
	// standard (GB 50180-2018 §4.0.9).
	MajorColdBand = Band{8 * time.Hour, 16 * time.Hour}
	// WinterSolsticeBand is 9:00–15:00 true solar time, the band of the
	// 冬至日 standard.
	WinterSolsticeBand = Band{9 * time.Hour, 15 * time.Hour}
)

// Step is the Sun at one instant of a sweep.
type Step struct {
	// TrueSolar is the local true solar time (in TrueSolarZone).
	TrueSolar time.Time
	// Beijing is the same instant in Beijing time.
	Beijing time.Time
	// Alt is the topocentric altitude and Az the azimuth (eastward from
	// north), degrees.
	Alt, Az float64
	// Dir is the unit vector towards the Sun in east-north-up.
	Dir [3]float64
}

// maxSteps bounds a sweep (a day at 0.1 s).
const maxSteps = 864001

// Sweep returns the Sun seen from s at every step of band on the calendar
// day of day (its year, month and day; its clock and location are ignored),
// band in local true solar time, both ends included. A zero step means one
// minute.
//
// One track serves a whole site: the Sun's direction is the same from every
// point of a site ≤ 1 km across to within the tilt of the local vertical,
// 0.0045° at 500 m from the site's reference point (see the package doc).
//
// The geocentric part of the SPA (the periodic series and the nutation),
// which changes slowly, is evaluated exactly at the band's start, middle
// and end and interpolated quadratically between them; the sidereal time,
// hour angle, parallax and altitude are computed exactly at every step.
// Over an 8-hour band the interpolation error is below 1e-6° (tested).
func Sweep(s Site, day time.Time, band Band, step time.Duration, o Options) ([]Step, error) {
	if step == 0 {
		step = time.Minute
	}
	switch {
	case math.IsNaN(s.Lat) || math.Abs(s.Lat) > 90:
		return nil, fmt.Errorf("sun: sweep: latitude %v outside [−90, 90]", s.Lat)
	case math.IsNaN(s.Lon) || math.Abs(s.Lon) > 180:
		return nil, fmt.Errorf("sun: sweep: longitude %v outside [−180, 180]", s.Lon)
	case math.IsNaN(s.ElevationM) || math.IsInf(s.ElevationM, 0):
		return nil, fmt.Errorf("sun: sweep: elevation %v", s.ElevationM)
	case step < 0:
		return nil, fmt.Errorf("sun: sweep: step %s is negative", step)
	case band.Start < 0 || band.End > 24*time.Hour || band.End < band.Start:
		return nil, fmt.Errorf("sun: sweep: band %s–%s is not within one day", band.Start, band.End)
	case int64((band.End-band.Start)/step) >= maxSteps:
		return nil, fmt.Errorf("sun: sweep: %s steps over %s is more than %d steps", step, band.End-band.Start, maxSteps)
	}
	y, m, d := day.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, TrueSolarZone)

	// Nodes: exact conversion and geocentric position at start, middle, end.
	var (
		tst  [3]time.Time
		off  [3]float64 // UTC instant − TST wall clock read as UTC, seconds
		jd   [3]float64
		gs   [3]geo
		span = (band.End - band.Start).Seconds()
	)
	for i := range 3 {
		tst[i] = midnight.Add(band.Start + time.Duration(float64(band.End-band.Start)*float64(i)/2))
		utc := FromTrueSolar(tst[i], s.Lon, o)
		off[i] = utc.Sub(tst[i]).Seconds()
		jd[i] = julianDay(utc, o.DeltaUT1)
		gs[i] = geocentric(jd[i], o.deltaT())
	}
	// Unwrap α about the first node.
	a := [3]float64{gs[0].alpha, gs[0].alpha + norm180(gs[1].alpha-gs[0].alpha), gs[0].alpha + norm180(gs[2].alpha-gs[0].alpha)}
	quad := func(v [3]float64, u float64) float64 {
		// Lagrange through u = 0, ½, 1.
		return v[0]*(2*u-1)*(u-1) + v[1]*4*u*(1-u) + v[2]*u*(2*u-1)
	}
	delta := [3]float64{gs[0].delta, gs[1].delta, gs[2].delta}
	r := [3]float64{gs[0].r, gs[1].r, gs[2].r}
	eq := [3]float64{gs[0].eq, gs[1].eq, gs[2].eq}

	n := int((band.End-band.Start)/step) + 1
	out := make([]Step, n)
	for k := range out {
		rel := time.Duration(k) * step
		u := 0.0
		if span > 0 {
			u = rel.Seconds() / span
		}
		wall := tst[0].Add(rel)
		utc := wall.Add(secondsDur(quad(off, u)))
		j := julianDay(utc, o.DeltaUT1)
		jc := (j - 2451545) / 36525
		nu0 := 280.46061837 + 360.98564736629*(j-2451545) + jc*jc*(0.000387933-jc/38710000)
		tp := topocentric(s, norm360(quad(a, u)), quad(delta, u), quad(r, u), norm360(nu0+quad(eq, u)), o.Atmosphere)
		out[k] = Step{
			TrueSolar: wall,
			Beijing:   utc.In(ChinaStandardTime),
			Alt:       tp.e,
			Az:        tp.az,
			Dir:       Direction(tp.e, tp.az),
		}
	}
	return out, nil
}
