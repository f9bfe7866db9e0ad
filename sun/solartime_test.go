package sun

import (
	"math"
	"testing"
	"time"
)

// hangzhou is the site of the cross-checks: 30.25°N, 120.17°E, ~10 m.
var hangzhou = Site{Lat: 30.25, Lon: 120.17, ElevationM: 10}

func TestEquationOfTimeMatchesPaperFormula(t *testing.T) {
	// The exact E (from the hour angle) against eq. A.1, every 5 days
	// of 2025: they differ only by the mean-longitude approximation.
	var worst float64
	for d := 0; d < 365; d += 5 {
		tm := time.Date(2025, 1, 1, 4, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		exact := EquationOfTime(tm, Options{}).Seconds()
		paper := Compute(tm, hangzhou, Options{}).EquationOfTimeMin * 60
		worst = math.Max(worst, math.Abs(exact-paper))
	}
	t.Logf("max |E(hour angle) − E(eq. A.1)| over 2025: %.3f s", worst)
	if worst > 1 {
		t.Errorf("equation of time differs from eq. A.1 by %.3f s > 1 s", worst)
	}
}

func TestTrueSolarRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		tst  time.Time
		lon  float64
	}{
		{"Hangzhou 大寒 08:00", time.Date(2025, 1, 20, 8, 0, 0, 0, TrueSolarZone), 120.17},
		{"Hangzhou 大寒 16:00", time.Date(2025, 1, 20, 16, 0, 0, 0, TrueSolarZone), 120.17},
		{"Hangzhou 冬至 09:00", time.Date(2024, 12, 21, 9, 0, 0, 0, TrueSolarZone), 120.17},
		{"Hangzhou 冬至 15:00", time.Date(2024, 12, 21, 15, 0, 0, 0, TrueSolarZone), 120.17},
		{"Urumqi 8:00", time.Date(2026, 1, 20, 8, 0, 0, 0, TrueSolarZone), 87.6},
		{"across midnight", time.Date(2026, 3, 1, 0, 5, 0, 0, TrueSolarZone), 121.5},
		{"west longitude", time.Date(2003, 10, 17, 12, 0, 0, 0, TrueSolarZone), -105.1786},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A Julian Day near 2.46e6 in float64 resolves ~50 µs, so the
			// round trip is held to 1 ms (the issue asks for 1 s).
			bj := FromTrueSolar(c.tst, c.lon, Options{})
			back := ToTrueSolar(bj, c.lon, Options{})
			if d := back.Sub(c.tst); d.Abs() > time.Millisecond {
				t.Errorf("round trip %s → %s → %s: off by %s", c.tst, bj, back, d)
			}
			// And the formula of the brief, with E at that instant.
			e := EquationOfTime(bj, Options{})
			wall := time.Date(bj.Year(), bj.Month(), bj.Day(), bj.Hour(), bj.Minute(), bj.Second(), bj.Nanosecond(), time.UTC)
			want := wall.Add(secondsDur((c.lon-120)*240) + e)
			if d := want.Sub(time.Date(c.tst.Year(), c.tst.Month(), c.tst.Day(), c.tst.Hour(), c.tst.Minute(), c.tst.Second(), 0, time.UTC)); d.Abs() > time.Millisecond {
				t.Errorf("Beijing %s + (lon−120)·4 min + E %s ≠ %s (off %s)", bj, e, c.tst, d)
			}
			t.Logf("true solar %s at %.2f°E = Beijing %s (E = %.1f s, Beijing − true solar = %.1f min)",
				c.tst.Format("2006-01-02 15:04"), c.lon, bj.Format("2006-01-02 15:04:05"), e.Seconds(),
				-((c.lon-120)*4 + e.Minutes()))
		})
	}
}

func TestTrueSolarNoonIsTransit(t *testing.T) {
	// At true solar noon the Sun is on the meridian: the topocentric hour
	// angle is ~0 (parallax moves it by < 0.001°) and the azimuth 180°.
	for _, day := range []time.Time{
		time.Date(2025, 1, 20, 12, 0, 0, 0, TrueSolarZone),
		time.Date(2025, 12, 21, 12, 0, 0, 0, TrueSolarZone),
	} {
		bj := FromTrueSolar(day, hangzhou.Lon, Options{})
		p := Compute(bj, hangzhou, Options{})
		if h := norm180(p.H); math.Abs(h) > 1e-6 {
			t.Errorf("%s: geocentric hour angle at true noon %.3g°", day.Format(time.DateOnly), h)
		}
		if math.Abs(p.Azimuth-180) > 1e-3 {
			t.Errorf("%s: azimuth at true noon %.5f°", day.Format(time.DateOnly), p.Azimuth)
		}
	}
}
