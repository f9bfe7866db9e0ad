package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The -update flag rewrites the golden files (go test -run Sunlight
// -update); it is registered here unless another test file of the package
// registered it first.
var _ = func() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
	return true
}()

func sunlightUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestSunlightSample(t *testing.T) {
	db := demoStore(t)
	code, out, errOut := runCim(t, "sunlight", "--db", db, "--site", "site", "--year", "2026")
	if code != 0 && code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"站西苑 1号楼", "b-r01", "大寒日 ≥ 2 h", "08:00–16:00 true solar time"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	fails := strings.Contains(out, "✗ FAIL")
	if fails != (code == 1) {
		t.Errorf("exit %d, but a building fails: %v", code, fails)
	}
	if !strings.Contains(errOut, "evaluating") {
		t.Errorf("no progress on stderr: %s", errOut)
	}

	// JSON: every building's verdict agrees with its receivers.
	code, out, errOut = runCim(t, "sunlight", "--db", db, "--site", "site", "--year", "2026", "--format", "json")
	if code > 1 {
		t.Fatalf("json: exit %d: %s", code, errOut)
	}
	var rep struct {
		Passed    bool
		Buildings []struct {
			ID   string
			Pass bool
		}
		Receivers []struct {
			Building      string
			Checked, Pass bool
			Hours         float64
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Buildings) == 0 || len(rep.Receivers) == 0 {
		t.Fatalf("%d buildings, %d receivers", len(rep.Buildings), len(rep.Receivers))
	}
	failing := map[string]bool{}
	for _, r := range rep.Receivers {
		if r.Checked && !r.Pass {
			failing[r.Building] = true
		}
		if r.Pass != (r.Hours >= 2) {
			t.Errorf("receiver on %s: %v h, pass %v", r.Building, r.Hours, r.Pass)
		}
	}
	for _, b := range rep.Buildings {
		if b.Pass == failing[b.ID] {
			t.Errorf("%s: pass %v, but a checked sill fails: %v", b.ID, b.Pass, failing[b.ID])
		}
	}
	if rep.Passed != (code == 0) {
		t.Errorf("passed %v, exit %d", rep.Passed, code)
	}
}

// Hangzhou: a 60 m × 12 m six-storey residential block and, when tower
// is set, a 100 m tower 80 m wide 20 m south of it.
const hzLon, hzLat = 120.1551, 30.2741

// lonlat offsets the Hangzhou point by east, north metres (a flat
// approximation, enough for drawing a test scene).
func lonlat(e, n float64) string {
	return fmt.Sprintf("[%.7f,%.7f]", hzLon+e/(111320*0.8636), hzLat+n/110574)
}

func rect(e0, n0, e1, n1 float64) string {
	return fmt.Sprintf("[[%s,%s,%s,%s,%s]]", lonlat(e0, n0), lonlat(e1, n0), lonlat(e1, n1), lonlat(e0, n1), lonlat(e0, n0))
}

func sunlightScene(t *testing.T, tower bool, block string) (db, site string) {
	t.Helper()
	dir := t.TempDir()
	feats := []string{fmt.Sprintf(`{"type":"Feature","id":"block","geometry":{"type":"Polygon","coordinates":%s},"properties":{"building":%q,"building:levels":6,"height":18,"name":"南苑 1号楼"}}`, rect(-30, 0, 30, 12), block)}
	if tower {
		feats = append(feats, fmt.Sprintf(`{"type":"Feature","id":"tower","geometry":{"type":"Polygon","coordinates":%s},"properties":{"building":"office","height":100,"name":"南塔"}}`, rect(-40, -40, 40, -20)))
	}
	data := filepath.Join(dir, "scene.geojson")
	if err := os.WriteFile(data, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(feats, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(dir, "db")
	if code, _, errOut := runCim(t, "ingest", "--db", db, data); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	site = filepath.Join(dir, "site.geojson")
	if err := os.WriteFile(site, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":`+rect(-50, -20, 50, 40)+`},"properties":{"name":"南苑"}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return db, site
}

func TestSunlightTowerSouthOfBlock(t *testing.T) {
	tests := []struct {
		name  string
		tower bool
		block string
		code  int
		want  string // in stdout
		err   string // in stderr
	}{
		{"tower shades the block", true, "residential", 1, "✗ FAIL", ""},
		{"no tower", false, "residential", 0, "✓ PASS", ""},
		{"no residential building", true, "retail", 0, "No residential building in the site", "nothing to check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, site := sunlightScene(t, tt.tower, tt.block)
			code, out, errOut := runCim(t, "sunlight", "--db", db, "--site", site, "--year", "2026")
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.want) || !strings.Contains(errOut, tt.err) {
				t.Errorf("want %q in stdout and %q in stderr:\n%s\n%s", tt.want, tt.err, out, errOut)
			}
			if tt.tower && tt.block == "residential" {
				sunlightGolden(t, "sunlight-tower.txt", out)
			}
		})
	}
}

func TestSunlightGeoJSON(t *testing.T) {
	db, site := sunlightScene(t, true, "residential")
	code, out, errOut := runCim(t, "sunlight", "--db", db, "--site", site, "--year", "2026", "--format", "geojson", "--spacing", "7")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var fc struct {
		Features []struct {
			Geometry struct{ Coordinates []float64 }
			Props    struct {
				Facing  string
				Hours   float64
				Checked bool
			} `json:"properties"`
		}
	}
	if err := json.Unmarshal([]byte(out), &fc); err != nil {
		t.Fatal(err)
	}
	// 60 m and 12 m walls at 7 m spacing: 9 + 2 + 9 + 2 sills.
	if len(fc.Features) != 22 {
		t.Fatalf("%d receivers, want 22", len(fc.Features))
	}
	southLow, north := 99.0, 0.0
	for _, f := range fc.Features {
		if c := f.Geometry.Coordinates; len(c) != 2 || c[0] < hzLon-0.001 || c[0] > hzLon+0.001 || c[1] < hzLat-0.0005 || c[1] > hzLat+0.0005 {
			t.Fatalf("receiver at %v, not at the block", c)
		}
		switch f.Props.Facing {
		case "S":
			southLow = min(southLow, f.Props.Hours)
		case "N":
			north = max(north, f.Props.Hours)
			if f.Props.Checked {
				t.Errorf("a north sill is checked")
			}
		}
	}
	if southLow >= 2 || north != 0 {
		t.Errorf("south facade's worst %v h (want < 2 behind the tower), north's best %v h (want 0)", southLow, north)
	}
}

func TestSunlightBadFlags(t *testing.T) {
	db := demoStore(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--band", "16:00-8:00"}, 2, "--band"},
		{[]string{"--band", "8:00"}, 2, "--band"},
		{[]string{"--sweep", "95"}, 2, "--sweep"},
		{[]string{"--min", "9h"}, 2, "--min"},
		{[]string{"--day", "summer"}, 2, "--day"},
		{[]string{"--rules", "zj-future-community"}, 2, "--rules"},
		{[]string{"--level", "-2"}, 2, "--level"},
		{[]string{"--format", "html"}, 2, "--format"},
		{[]string{"--site", "nowhere"}, 2, "no feature \"nowhere\""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"sunlight", "--db", db, "--site", "site"}, tt.args...)
			code, _, errOut := runCim(t, args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want %d with %q: %s", code, tt.code, tt.want, errOut)
			}
		})
	}
	if code, _, errOut := runCim(t, "sunlight", "--db", filepath.Join(t.TempDir(), "none"), "--site", "site"); code != 3 {
		t.Errorf("no store: exit %d: %s", code, errOut)
	}
}

func TestSunlightFarSite(t *testing.T) {
	db := demoStore(t)
	site := filepath.Join(t.TempDir(), "far.geojson")
	if err := os.WriteFile(site, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[100,10],[100.001,10],[100.001,10.001],[100,10]]]},"properties":{}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCim(t, "sunlight", "--db", db, "--site", site)
	if code != 1 || !strings.Contains(errOut, "no buildings near the site") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// sunlightGolden compares got with testdata/name, rewriting it with -update.
func sunlightGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if sunlightUpdating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestCheckHasSunlightRules: cim check runs the pack's sunlight rule: the
// block shaded by the tower fails gb50180-2018's (an error: exit 1), and
// passes it without the tower; zj-future-community has it as a warning.
func TestCheckHasSunlightRules(t *testing.T) {
	line := func(out, rule string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, rule) && strings.Contains(l, "block") {
				return l
			}
		}
		return ""
	}
	for _, tt := range []struct {
		name  string
		tower bool
		pack  string
		rule  string
		want  string
	}{
		{"the tower shades the block", true, "gb50180-2018", "gb50180-4.0.9-sunlight", "✗ FAIL"},
		{"no tower", false, "gb50180-2018", "gb50180-4.0.9-sunlight", "✓ pass"},
		{"a warning in the zj pack", true, "zj-future-community", "zj-sunlight", "✗ FAIL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, site := sunlightScene(t, tt.tower, "residential")
			code, out, errOut := runCim(t, "check", "--db", db, "--site", site, "--rules", tt.pack)
			l := line(out, tt.rule)
			if !strings.HasPrefix(strings.TrimSpace(l), tt.want) {
				t.Fatalf("exit %d; the rule's line %q, want %q\n%s%s", code, l, tt.want, out, errOut)
			}
			if tt.tower && tt.pack == "gb50180-2018" && code != exitInput {
				t.Errorf("exit %d with a dwelling failing an error rule, want %d", code, exitInput)
			}
			if tt.pack == "zj-future-community" && !strings.Contains(l, "warning") {
				t.Errorf("zj's sunlight rule is not a warning: %q", l)
			}
			// The HTML report's map draws the sills, red where they fail.
			html := filepath.Join(t.TempDir(), "r.html")
			runCim(t, "check", "--db", db, "--site", site, "--rules", tt.pack, "--out", html)
			page, err := os.ReadFile(html)
			if err != nil {
				t.Fatal(err)
			}
			sills, red := 0, 0
			for _, l := range strings.Split(string(page), "\n") {
				if strings.HasPrefix(l, "<circle") && strings.Contains(l, ":block: ") {
					sills++
					if strings.Contains(l, `fill="#d93a2b"`) {
						red++
					}
				}
			}
			if !strings.Contains(string(page), "Sunlight (日照), "+tt.rule) || sills < 50 || (red > 0) != tt.tower {
				t.Errorf("the report's map: %d sills of the block, %d red (tower %v)", sills, red, tt.tower)
			}
		})
	}
}

// TestSunlightNeighbours: an existing six-storey block (as built, in the
// city's dataset) and, south of it, a scheme's building planned on a
// site that does not hold the block. A 100 m tower harms the block
// (exit 1); a 6 m pavilion does not.
func TestSunlightNeighbours(t *testing.T) {
	for _, tt := range []struct {
		name   string
		height int
		code   int
		want   string
	}{
		{"a tower harms the block", 100, 1, "✗ HARMED"},
		{"a pavilion does not", 6, 0, "✓ ok"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, body string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			}
			city := write("city.geojson", fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"block","geometry":{"type":"Polygon","coordinates":%s},"properties":{"building":"residential","building:levels":6,"height":18,"name":"北苑","cim:stage":"as-built"}}]}`, rect(-30, 0, 30, 12)))
			scheme := write("scheme.geojson", fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"new","geometry":{"type":"Polygon","coordinates":%s},"properties":{"building":"office","height":%d,"cim:stage":"planning"}}]}`, rect(-40, -40, 40, -20), tt.height))
			site := write("site.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":`+rect(-50, -60, 50, -10)+`},"properties":{"name":"南地块"}}]}`)
			db := filepath.Join(dir, "db")
			for _, in := range [][]string{{"--dataset", "city", city}, {"--dataset", "scheme", scheme}} {
				if code, _, errOut := runCim(t, append([]string{"ingest", "--db", db}, in...)...); code != 0 {
					t.Fatalf("ingest: %d %s", code, errOut)
				}
			}
			code, out, errOut := runCim(t, "sunlight", "--db", db, "--site", site, "--stage", "planning", "--compare", "as-built", "--year", "2026")
			if code != tt.code || !strings.Contains(out, tt.want) || !strings.Contains(out, "block") {
				t.Fatalf("exit %d, want %d and %q:\n%s%s", code, tt.code, tt.want, out, errOut)
			}
		})
	}
}
