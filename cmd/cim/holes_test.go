package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// strayHole is a building-sized square with a hole 10 km away from it.
const strayHole = `[[[120.1,30.2],[120.101,30.2],[120.101,30.201],[120.1,30.201],[120.1,30.2]],[[120.2,30.3],[120.2,30.301],[120.201,30.301],[120.201,30.3],[120.2,30.3]]]`

// mallWithStrayHole copies the IMDF sample and gives its first unit a hole
// outside the unit.
func mallWithStrayHole(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mall")
	if err := os.CopyFS(dir, os.DirFS("../../ingest/imdf/testdata/station-mall")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "unit.geojson")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	const unit = `[[[120.21, 30.254], [120.211, 30.254], [120.211, 30.255], [120.21, 30.255], [120.21, 30.254]]]`
	if !strings.Contains(string(b), unit) {
		t.Fatalf("%s lacks the unit %s", p, unit)
	}
	s := strings.Replace(string(b), unit, unit[:len(unit)-1]+`, [[120.3, 30.3], [120.3, 30.301], [120.301, 30.301], [120.301, 30.3], [120.3, 30.3]]]`, 1)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A hole outside its shell is refused in every reader that passes holes
// through, naming the feature, or skipped with a warning under
// --skip-invalid (issue #23 point 2). The OSM reader gives each inner ring
// to the outer ring that contains it and the CityJSON reader unions faces
// into footprints, so neither hands ValidateGeometry a stray hole.
func TestIngestHoleOutsideShell(t *testing.T) {
	dir := t.TempDir()
	geojson := filepath.Join(dir, "stray.geojson")
	if err := os.WriteFile(geojson, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","id":"ok","properties":{"building":"yes"},"geometry":{"type":"Polygon","coordinates":[[[120.1,30.2],[120.101,30.2],[120.101,30.201],[120.1,30.201],[120.1,30.2]]]}},
{"type":"Feature","id":"stray","properties":{"building":"yes"},"geometry":{"type":"Polygon","coordinates":`+strayHole+`}}]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	mall := mallWithStrayHole(t)
	const msg = "polygon 0 ring 1 vertex 0: inner ring 1 lies outside the outer ring"
	for _, c := range []struct {
		name, file string
		skip       bool
		code       int
		want       []string
	}{
		{"GeoJSON", geojson, false, 1, []string{"feature 1 (byte 224): " + msg, "nothing from"}},
		{"GeoJSON --skip-invalid", geojson, true, 0, []string{"skipped " + geojson + ": feature 1 (byte 224): " + msg, "building 1"}},
		{"IMDF", mall, false, 1, []string{"unit.geojson:2: feature 0 (id d0000000-0000-4000-8000-000000000101): geometry: " + msg}},
		{"IMDF --skip-invalid", mall, true, 0, []string{"skipped " + filepath.Join(mall, "unit.geojson") + ":2: feature 0 (id d0000000-0000-4000-8000-000000000101): geometry: " + msg, "space 11"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"ingest", "--db", filepath.Join(t.TempDir(), "db")}
			if c.skip {
				args = append(args, "--skip-invalid")
			}
			code, out, errOut := runCim(t, append(args, c.file)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q:\n%s%s", w, out, errOut)
				}
			}
		})
	}
}
