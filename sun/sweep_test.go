package sun

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestSweepMatchesCompute(t *testing.T) {
	cases := []struct {
		name string
		day  time.Time
		band Band
		step time.Duration
		o    Options
		tol  float64 // degrees
	}{
		{"大寒 2025", time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC), MajorColdBand, 0, Options{}, 1e-6},
		{"冬至 2025", time.Date(2025, 12, 21, 0, 0, 0, 0, time.UTC), WinterSolsticeBand, 0, Options{}, 1e-6},
		{"refracted, 10 s", time.Date(2025, 12, 21, 0, 0, 0, 0, time.UTC), WinterSolsticeBand, 10 * time.Second, Options{Atmosphere: &StandardAtmosphere}, 1e-6},
		{"whole day", time.Date(2026, 6, 21, 0, 0, 0, 0, time.UTC), Band{0, 24 * time.Hour}, 7 * time.Minute, Options{}, 1e-5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			steps, err := Sweep(hangzhou, c.day, c.band, c.step, c.o)
			if err != nil {
				t.Fatal(err)
			}
			step := c.step
			if step == 0 {
				step = time.Minute
			}
			if want := int((c.band.End-c.band.Start)/step) + 1; len(steps) != want {
				t.Fatalf("%d steps, want %d", len(steps), want)
			}
			var worstAng float64
			var worstT time.Duration
			for k, st := range steps {
				wantTST := time.Date(c.day.Year(), c.day.Month(), c.day.Day(), 0, 0, 0, 0, TrueSolarZone).Add(c.band.Start + time.Duration(k)*step)
				if !st.TrueSolar.Equal(wantTST) {
					t.Fatalf("step %d at %s, want %s", k, st.TrueSolar, wantTST)
				}
				bj := FromTrueSolar(st.TrueSolar, hangzhou.Lon, c.o)
				worstT = max(worstT, st.Beijing.Sub(bj).Abs())
				p := Compute(bj, hangzhou, c.o)
				worstAng = max(worstAng, math.Abs(st.Alt-p.Elevation), math.Abs(norm180(st.Az-p.Azimuth)))
				d := Direction(p.Elevation, p.Azimuth)
				for i := range d {
					worstAng = max(worstAng, math.Abs(st.Dir[i]-d[i])*rad)
				}
			}
			t.Logf("max |sweep − Compute| %.2g°, max time %s", worstAng, worstT)
			if worstAng > c.tol || worstT > time.Millisecond {
				t.Errorf("interpolated sweep off by %.3g° / %s", worstAng, worstT)
			}
		})
	}
}

func TestSweepErrors(t *testing.T) {
	day := time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		s    Site
		band Band
		step time.Duration
		want string
	}{
		{"latitude", Site{Lat: 91}, MajorColdBand, 0, "latitude"},
		{"NaN latitude", Site{Lat: math.NaN()}, MajorColdBand, 0, "latitude"},
		{"longitude", Site{Lon: -181}, MajorColdBand, 0, "longitude"},
		{"elevation", Site{ElevationM: math.Inf(1)}, MajorColdBand, 0, "elevation"},
		{"negative step", hangzhou, MajorColdBand, -time.Second, "negative"},
		{"reversed band", hangzhou, Band{16 * time.Hour, 8 * time.Hour}, 0, "band"},
		{"too many steps", hangzhou, MajorColdBand, time.Millisecond, "steps"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Sweep(c.s, day, c.band, c.step, Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %q", err, c.want)
			}
		})
	}
}

func TestOneTrackPerSite(t *testing.T) {
	// The error of one sun track for a 1 km site: the Sun's direction seen
	// from points 500 m from the reference point, in their own local
	// frame, against the reference point's, over the 冬至 band.
	const offM = 500
	const mPerDegLat = 110852 // at 30°N
	mPerDegLon := 111320 * math.Cos(hangzhou.Lat*deg)
	others := []Site{
		{Lat: hangzhou.Lat + offM/mPerDegLat, Lon: hangzhou.Lon, ElevationM: 10},
		{Lat: hangzhou.Lat - offM/mPerDegLat, Lon: hangzhou.Lon, ElevationM: 10},
		{Lat: hangzhou.Lat, Lon: hangzhou.Lon + offM/mPerDegLon, ElevationM: 10},
		{Lat: hangzhou.Lat, Lon: hangzhou.Lon - offM/mPerDegLon, ElevationM: 10},
		{Lat: hangzhou.Lat, Lon: hangzhou.Lon, ElevationM: 310}, // a 300 m tower
	}
	ref, err := Sweep(hangzhou, time.Date(2025, 12, 21, 0, 0, 0, 0, time.UTC), WinterSolsticeBand, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for _, st := range ref {
		for _, o := range others {
			p := Compute(st.Beijing, o, Options{})
			d := Direction(p.Elevation, p.Azimuth)
			dot := d[0]*st.Dir[0] + d[1]*st.Dir[1] + d[2]*st.Dir[2]
			worst = max(worst, math.Acos(math.Min(1, dot))*rad)
		}
	}
	// 500 m of arc on the Earth is 500/6.37e6 rad = 0.0045°, which the
	// local frames differ by; the Sun moves 0.25°/min, so that is ~1 s.
	t.Logf("one track for a 1 km site: max direction error %.5f° (%.2f s of the Sun's motion)", worst, worst/0.25*60)
	if worst > 0.006 {
		t.Errorf("one-track error %.5f° > 0.006°", worst)
	}
}
