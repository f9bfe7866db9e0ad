package sun

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// pythonWithEphem finds a python3 that can import ephem (the Debian package
// python3-ephem installs into /usr/bin/python3, which a python3 earlier on
// PATH may not see).
func pythonWithEphem() string {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import ephem").Run() == nil {
			return p
		}
	}
	return ""
}

// TestPyEphem compares the SPA with PyEphem, minute by minute, over both
// standard bands at Hangzhou, in geometric (unrefracted) topocentric
// altitude and azimuth.
func TestPyEphem(t *testing.T) {
	py := pythonWithEphem()
	if py == "" {
		t.Skip("python3 with ephem (Debian python3-ephem) not found; skipping the PyEphem cross-check")
	}
	cases := []struct {
		term Term
		year int
		band Band
	}{
		{MajorCold, 2025, MajorColdBand},
		{WinterSolstice, 2025, WinterSolsticeBand},
		{MajorCold, 2026, MajorColdBand},
		{WinterSolstice, 2026, WinterSolsticeBand},
	}
	var in bytes.Buffer
	var all []Step
	for _, c := range cases {
		day, err := c.term.Day(c.year, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		steps, err := Sweep(hangzhou, day, c.band, time.Minute, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range steps {
			fmt.Fprintf(&in, "%s %.6f %.6f %.1f\n", st.Beijing.UTC().Format("2006-01-02T15:04:05.000000Z"), hangzhou.Lat, hangzhou.Lon, hangzhou.ElevationM)
		}
		all = append(all, steps...)
	}
	cmd := exec.Command(py, "testdata/ephem_track.py")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ephem_track.py: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(all) {
		t.Fatalf("PyEphem printed %d lines for %d steps", len(lines), len(all))
	}
	var worstAlt, worstAz float64
	for i, l := range lines {
		var alt, az float64
		if _, err := fmt.Sscan(l, &alt, &az); err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
		worstAlt = math.Max(worstAlt, math.Abs(alt-all[i].Alt))
		worstAz = math.Max(worstAz, math.Abs(norm180(az-all[i].Az)))
	}
	t.Logf("%d minutes: max |PyEphem − SPA| altitude %.5f°, azimuth %.5f°", len(all), worstAlt, worstAz)
	if worstAlt > 0.01 || worstAz > 0.01 {
		t.Errorf("SPA and PyEphem differ by %.5f° in altitude, %.5f° in azimuth (> 0.01°)", worstAlt, worstAz)
	}
}
