package crs

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// supportedCodes lists every code Lookup accepts.
func supportedCodes() []int {
	codes := []int{4326, 4490, 3857, 2056, 28992, 7415}
	for _, r := range [][2]int{{4513, 4554}, {32601, 32660}, {32701, 32760}, {25828, 25838}} {
		for c := r[0]; c <= r[1]; c++ {
			codes = append(codes, c)
		}
	}
	return codes
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		epsg int
	}{
		{"EPSG:28992", 28992},
		{"epsg:28992", 28992},
		{"28992", 28992},
		{" EPSG:2056 ", 2056},
		{"urn:ogc:def:crs:EPSG::7415", 7415},
		{"urn:ogc:def:crs:EPSG:9.9.1:7415", 7415},
		{"URN:OGC:DEF:CRS:EPSG::32650", 32650},
		{"https://www.opengis.net/def/crs/EPSG/0/7415", 7415},
		{"http://www.opengis.net/def/crs/EPSG/0/7415", 7415},
		{"http://opengis.net/def/crs/EPSG/0/4547", 4547},
		{"EPSG:25832", 25832},
		{"EPSG:4326", 4326},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", 4326},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326},
		{"OGC:CRS84", 4326},
	} {
		t.Run(tc.in, func(t *testing.T) {
			c, err := Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if c.EPSG() != tc.epsg {
				t.Errorf("EPSG() = %d, want %d", c.EPSG(), tc.epsg)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in          string
		unsupported bool // well-formed, but a code Lookup refuses
	}{
		{"", false},
		{"EPSG:", false},
		{"EPSG:abc", false},
		{"EPSG:-4326", false},
		{"EPSG:+4326", false},
		{"EPSG:4326.0", false},
		{"EPSG:99999999999999999999", false},
		{"ESRI:102100", false},
		{"urn:ogc:def:crs:EPSG:7415", false},
		{"urn:ogc:def:crs:EPSG:x:7415", false},
		{"urn:ogc:def:crs:ESRI::102100", false},
		{"https://www.opengis.net/def/crs/EPSG/7415", false},
		{"https://www.opengis.net/def/crs/EPSG//7415", false},
		{"https://example.com/def/crs/EPSG/0/7415", false},
		{"PROJCS[\"Amersfoort / RD New\"]", false},
		{"+proj=utm +zone=32", false},
		{"EPSG:0", false},
		{"EPSG:27700", true},
		{"urn:ogc:def:crs:EPSG::5555", true},
		{"https://www.opengis.net/def/crs/EPSG/0/32661", true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			c, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = EPSG:%d, want an error", tc.in, c.EPSG())
			}
			if errors.Is(err, ErrUnsupported) != tc.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %v, want %v", err, !tc.unsupported, tc.unsupported)
			}
			if !tc.unsupported && !strings.Contains(err.Error(), strconv.Quote(tc.in)) {
				t.Errorf("error %q does not quote the input", err)
			}
		})
	}
}

func TestLookupUnsupported(t *testing.T) {
	for _, code := range []int{0, -1, 27700, 4512, 4555, 32600, 32661, 32700, 32761, 25827, 25839, 3395, 900913} {
		_, err := Lookup(code)
		if !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Lookup(%d) = %v, want ErrUnsupported", code, err)
		}
		for _, want := range []string{fmt.Sprintf("EPSG:%d", code), "32601", "28992"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Lookup(%d) error %q does not mention %s", code, err, want)
			}
		}
	}
}

func TestGeographic(t *testing.T) {
	for _, code := range supportedCodes() {
		c, err := Lookup(code)
		if err != nil {
			t.Fatal(err)
		}
		if want := code == 4326 || code == 4490; c.Geographic() != want {
			t.Errorf("EPSG:%d Geographic() = %v, want %v", code, c.Geographic(), want)
		}
		if c.String() != "EPSG:"+strconv.Itoa(code) {
			t.Errorf("String() = %q", c.String())
		}
	}
	c, _ := Lookup(4326)
	if lon, lat := c.ToLonLat(4.36, 52.01); lon != 4.36 || lat != 52.01 {
		t.Errorf("EPSG:4326 ToLonLat(4.36, 52.01) = %v, %v", lon, lat)
	}
	if x, y := c.FromLonLat(4.36, 52.01); x != 4.36 || y != 52.01 {
		t.Errorf("EPSG:4326 FromLonLat(4.36, 52.01) = %v, %v", x, y)
	}
}

// TestNames checks Name against the names PROJ's projinfo gives, kept in
// testdata/names.csv (rewritten by -update).
func TestNames(t *testing.T) {
	path := filepath.Join("testdata", "names.csv")
	if *update {
		if _, err := exec.LookPath("projinfo"); err != nil {
			t.Fatal("-update needs projinfo (Debian package proj-bin)")
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# CRS names from PROJ %s: first line of `projinfo -q -o WKT2_2019 EPSG:<epsg>`\n", projVersion(t))
		for _, code := range supportedCodes() {
			out, err := exec.Command("projinfo", "-q", "-o", "WKT2_2019", "EPSG:"+strconv.Itoa(code)).Output()
			if err != nil {
				t.Fatalf("projinfo EPSG:%d: %v", code, err)
			}
			line, _, _ := strings.Cut(string(out), "\n")
			_, name, ok := strings.Cut(line, "[\"")
			name, _, ok2 := strings.Cut(name, "\"")
			if !ok || !ok2 {
				t.Fatalf("projinfo EPSG:%d: first line %q", code, line)
			}
			fmt.Fprintf(&b, "%d,%s\n", code, name)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		code, name, _ := strings.Cut(line, ",")
		epsg, err := strconv.Atoi(code)
		if err != nil {
			t.Fatalf("names.csv: %q", line)
		}
		seen[epsg] = true
		c, err := Lookup(epsg)
		if err != nil {
			t.Error(err)
			continue
		}
		if c.Name() != name {
			t.Errorf("EPSG:%d Name() = %q, PROJ says %q", epsg, c.Name(), name)
		}
	}
	for _, code := range supportedCodes() {
		if !seen[code] {
			t.Errorf("EPSG:%d is not in names.csv", code)
		}
	}
}

// TestRoundTrip checks that FromLonLat inverts ToLonLat over each CRS's
// area, also away from the golden points.
func TestRoundTrip(t *testing.T) {
	for _, code := range supportedCodes() {
		c, err := Lookup(code)
		if err != nil {
			t.Fatal(err)
		}
		x0, y0 := c.FromLonLat(areaCentre(code))
		for dx := -150e3; dx <= 150e3; dx += 25e3 {
			for dy := -150e3; dy <= 150e3; dy += 25e3 {
				x, y := x0+dx, y0+dy
				if c.Geographic() {
					x, y = x0+dx/1e5, y0+dy/1e5
				}
				lon, lat := c.ToLonLat(x, y)
				bx, by := c.FromLonLat(lon, lat)
				d := max(math.Abs(bx-x), math.Abs(by-y))
				if c.Geographic() {
					d *= 111e3
				}
				if !(d <= 0.001) {
					t.Errorf("EPSG:%d %.3f,%.3f → %.9f,%.9f → %.3f,%.3f: %.4f m off", code, x, y, lon, lat, bx, by, d)
				}
			}
		}
	}
}

// areaCentre returns a point in the middle of a CRS's area of use.
func areaCentre(code int) (lon, lat float64) {
	switch {
	case 4513 <= code && code <= 4533:
		return float64(3 * (code - 4488)), 35
	case 4534 <= code && code <= 4554:
		return float64(75 + 3*(code-4534)), 35
	case 32601 <= code && code <= 32660:
		return float64(6*(code-32600) - 183), 45
	case 32701 <= code && code <= 32760:
		return float64(6*(code-32700) - 183), -45
	case 25828 <= code && code <= 25838:
		return float64(6*(code-25800) - 183), 52
	case code == 2056:
		return 8.2, 46.8
	case code == 28992 || code == 7415:
		return 5.4, 52.2
	}
	return 116.4, 39.9
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"EPSG:28992", "epsg:28992", "28992", "urn:ogc:def:crs:EPSG::7415", "urn:ogc:def:crs:EPSG:9.9.1:7415",
		"https://www.opengis.net/def/crs/EPSG/0/7415", "http://www.opengis.net/def/crs/EPSG/0/7415",
		"urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:27700", "", "EPSG:", "ESRI:102100",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if c != nil {
				t.Errorf("Parse(%q) returned a CRS and an error", s)
			}
			return
		}
		again, err := Parse(c.String())
		if err != nil || again.EPSG() != c.EPSG() {
			t.Errorf("Parse(%q) = %s, but Parse(%q) = %v, %v", s, c, c.String(), again, err)
		}
		if c.Name() == "" {
			t.Errorf("Parse(%q): empty name", s)
		}
	})
}

func BenchmarkToLonLat(b *testing.B) {
	for _, tc := range []struct {
		epsg int
		x, y float64
	}{
		{25832, 458657.30, 5438232.25},
		{28992, 84500, 447000},
		{2056, 2683000, 1248000},
	} {
		b.Run(strconv.Itoa(tc.epsg), func(b *testing.B) {
			c, _ := Lookup(tc.epsg)
			b.ReportAllocs()
			for b.Loop() {
				c.ToLonLat(tc.x, tc.y)
			}
		})
	}
}

func BenchmarkFromLonLat(b *testing.B) {
	for _, tc := range []struct {
		epsg     int
		lon, lat float64
	}{
		{25832, 8.43, 49.1},
		{28992, 4.36, 52.0},
		{2056, 8.54, 47.37},
	} {
		b.Run(strconv.Itoa(tc.epsg), func(b *testing.B) {
			c, _ := Lookup(tc.epsg)
			b.ReportAllocs()
			for b.Loop() {
				c.FromLonLat(tc.lon, tc.lat)
			}
		})
	}
}
