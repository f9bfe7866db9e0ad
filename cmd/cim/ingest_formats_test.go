package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngestCityJSONAndIMDF loads a CityJSON file, one that needs --crs,
// and an IMDF folder, and counts what the store holds by class.
func TestIngestCityJSONAndIMDF(t *testing.T) {
	delft := sharedFile(t, "cityjson/delft.json")
	rotterdam := sharedFile(t, "cityjson/rotterdam_subset.json")
	db := filepath.Join(t.TempDir(), "db")
	tests := []struct {
		name    string
		args    []string
		code    int
		want    map[string]float64 // features by class in the summary
		wantErr string
	}{
		{"delft", []string{delft}, 0, map[string]float64{"building": 160, "green": 126}, ""},
		{"an IMDF folder", []string{"../../ingest/imdf/testdata/station-mall"}, 0, map[string]float64{"storey": 3, "space": 12, "building": 1, "site": 1}, ""},
		{"no CRS", []string{rotterdam}, 1, nil, "--crs"},
		{"--crs", []string{"--crs", "EPSG:7415", rotterdam}, 0, map[string]float64{"building": 16}, ""},
		{"a folder that is not IMDF", []string{t.TempDir()}, 1, nil, "without an IMDF manifest.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCim(t, append([]string{"ingest", "--db", db, "--format", "json"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if tt.wantErr != "" {
				if !strings.Contains(out+errOut, tt.wantErr) {
					t.Errorf("output lacks %q:\n%s%s", tt.wantErr, out, errOut)
				}
				return
			}
			var rep struct {
				Files []struct {
					Classes map[string]float64 `json:"classes"`
				} `json:"files"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Files) != 1 {
				t.Fatalf("%v\n%s", err, out)
			}
			reps := rep.Files
			for class, n := range tt.want {
				if got := reps[0].Classes[class]; got != n {
					t.Errorf("%s: %v, want %v (all: %v)", class, got, n, reps[0].Classes)
				}
			}
		})
	}
}

// TestIngestIFC loads an IFC file without georeferencing through
// --anchor, and checks that a broken IFC file leaves the store as it was.
func TestIngestIFC(t *testing.T) {
	const (
		house     = "../../ingest/ifc/testdata/nogeoref.ifc"
		truncated = "../../ingest/ifc/testdata/truncated.ifc"
	)
	db := filepath.Join(t.TempDir(), "db")
	type report struct {
		Revision float64 `json:"revision"`
		Files    []struct {
			Classes map[string]float64 `json:"classes"`
			Error   string             `json:"error"`
		} `json:"files"`
	}
	ingest := func(wantCode int, args ...string) report {
		t.Helper()
		code, out, errOut := runCim(t, append([]string{"ingest", "--db", db, "--format", "json"}, args...)...)
		if code != wantCode {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, wantCode, out, errOut)
		}
		var rep report
		if code != 2 {
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		}
		return rep
	}
	if rep := ingest(1, house); !strings.Contains(rep.Files[0].Error, "--anchor") {
		t.Errorf("error %q does not name --anchor", rep.Files[0].Error)
	}
	ingest(2, "--anchor", "120.15", house)
	ingest(2, "--anchor", "120.15,north", house)
	good := ingest(0, "--anchor", "120.15,30.25,12", house)
	want := map[string]float64{"other": 1, "building": 1, "storey": 2, "space": 1}
	for class, n := range want {
		if got := good.Files[0].Classes[class]; got != n {
			t.Errorf("%s: %v, want %v (all: %v)", class, got, n, good.Files[0].Classes)
		}
	}
	for _, tc := range []struct{ file, err string }{
		{truncated, "truncated.ifc:34:22: #69 (byte 1500): truncated file"},
		{"../../ingest/ifc/testdata/dangling.ifc", "dangling.ifc:38: #73 (byte 1704): dangling reference"},
		{"../../ingest/ifc/testdata/schema.ifc", `unsupported schema "CONFIG_CONTROL_DESIGN"`},
	} {
		bad := ingest(1, "--anchor", "120.15,30.25", tc.file)
		if bad.Revision != good.Revision || !strings.Contains(bad.Files[0].Error, tc.err) {
			t.Errorf("after %s: revision %v (was %v), error %q, want %q", tc.file, bad.Revision, good.Revision, bad.Files[0].Error, tc.err)
		}
	}
}

// TestIngestIFCAnchor loads duplex.ifc, a Revit export whose site lies
// at a default location in Chicago: without --anchor it is warned of,
// with --anchor the model lands at the anchor and the warning names the
// georeferencing it replaced.
func TestIngestIFCAnchor(t *testing.T) {
	duplex := sharedFile(t, "ifc/duplex.ifc")
	for _, tc := range []struct {
		name      string
		args      []string
		warn      string
		bbox, off string // a box that holds the model, one that does not
	}{
		{"own site", nil, "is Revit's default location (Chicago, IL), not the project's location: give the longitude and latitude of the model's origin with --anchor",
			"-87.65,41.86,-87.63,41.89", "120.14,30.24,120.16,30.26"},
		{"--anchor", []string{"--anchor", "120.15,30.25,12"}, "--anchor (Options.Anchor) replaces the file's own georeferencing, IfcSite RefLatitude/RefLongitude 41.8744",
			"120.14,30.24,120.16,30.26", "-87.65,41.86,-87.63,41.89"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "db")
			args := append(append([]string{"ingest", "--db", db, "--format", "json"}, tc.args...), duplex)
			code, out, errOut := runCim(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			var rep struct {
				Files []struct {
					Warnings map[string]int `json:"warnings"`
				} `json:"files"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Files) != 1 {
				t.Fatalf("%v\n%s", err, out)
			}
			found := false
			for w := range rep.Files[0].Warnings {
				found = found || strings.Contains(w, tc.warn)
			}
			if !found {
				t.Errorf("no warning with %q: %v", tc.warn, rep.Files[0].Warnings)
			}
			count := func(bbox string) int {
				code, q, errOut := runCim(t, "query", "--db", db, "--bbox", bbox, "--format", "ndjson")
				if code != 0 {
					t.Fatalf("query: exit %d\n%s", code, errOut)
				}
				return strings.Count(q, "\n")
			}
			if in, off := count(tc.bbox), count(tc.off); in < 20 || off != 0 {
				t.Errorf("%d features in %s, %d in %s; want the model (27 features) in the first only", in, tc.bbox, off, tc.off)
			}
		})
	}
}

// TestCheckIFCDesign checks a site around the FZK-Haus model: its gross
// floor area comes from the storeys' floor slabs, whose own quantity sets
// in the file say 120 m² (Bodenplatte) and 115.64 m² (Slab-033), not
// from the net areas of its rooms (173.34 m²).
func TestCheckIFCDesign(t *testing.T) {
	house := sharedFile(t, "ifc/AC20-FZK-Haus.ifc")
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	site := filepath.Join(dir, "site.geojson")
	if err := os.WriteFile(site, []byte(`{"type":"Feature","properties":{"cim:class":"site"},"geometry":{"type":"Polygon",
		"coordinates":[[[8.4360,49.1002],[8.4370,49.1002],[8.4370,49.1008],[8.4360,49.1008],[8.4360,49.1002]]]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCim(t, "ingest", "--db", db, house); code != 0 {
		t.Fatalf("ingest: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCim(t, "check", "--db", db, "--site", site, "--rules", "gb50180-2018", "--format", "json")
	if code != 0 {
		t.Fatalf("check: exit %d\n%s", code, errOut)
	}
	var rep struct {
		Indicators struct {
			GFA       float64 `json:"gfa_m2"`
			Footprint float64 `json:"footprint_m2"`
		} `json:"indicators"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if in := rep.Indicators; math.Abs(in.GFA-235.64) > 0.01 || math.Abs(in.Footprint-120) > 0.01 {
		t.Errorf("GFA %.3f m², footprint %.3f m²; want 235.64 and 120", in.GFA, in.Footprint)
	}
}
