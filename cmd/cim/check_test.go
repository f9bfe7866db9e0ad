package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// demoStore builds the sample store with cim demo and returns its path.
func demoStore(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo.db")
	if code, _, errOut := runCim(t, "demo", "--db", dir); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut)
	}
	return dir
}

func TestCheckExitCodes(t *testing.T) {
	db := demoStore(t)
	drawn := filepath.Join(t.TempDir(), "two.geojson")
	if err := os.WriteFile(drawn, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.2,30.25],[120.21,30.25],[120.21,30.26],[120.2,30.25]]]},"properties":{}},
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.3,30.25],[120.31,30.25],[120.31,30.26],[120.3,30.25]]]},"properties":{}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout, or stderr for failures
	}{
		{"sample passes its own controls", []string{"--site", "site", "--rules", "zj-future-community"}, 0, "PASS"},
		{"GB 50180 table fails two parcels", []string{"--site", "site", "--stage", "planning", "--rules", "gb50180-2018"}, 1, "✗ FAIL  gb-4.0.2-height"},
		{"a parcel as the site", []string{"--site", "p-01", "--rules", "gb50180-2018"}, 1, "站西住宅地块"}, // its blocks shade each other: sunlight fails
		{"a parcel is smaller than a unit", []string{"--site", "p-05", "--rules", "zj-future-community"}, 1, "✗ FAIL  zj-unit-size"},
		{"unknown site", []string{"--site", "nowhere", "--rules", "zj-future-community"}, 2, "no feature \"nowhere\""},
		{"missing site file", []string{"--site", "nowhere.geojson"}, 2, "no file nowhere.geojson"},
		{"site file with two polygons", []string{"--site", drawn}, 1, "2 polygons"}, // a bad input file
		{"unknown pack", []string{"--site", "site", "--rules", "castle"}, 2, "no built-in rule pack \"castle\""},
		{"a point is no site", []string{"--site", "t-station"}, 2, "not a polygon"},
		{"html needs --out", []string{"--site", "site", "--format", "html"}, 2, "--format html writes a file"},
		{"unknown format", []string{"--site", "site", "--format", "pdf"}, 2, `--format "pdf": want one of table, json, html`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCim(t, append([]string{"check", "--db", db}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("output lacks %q:\n%s%s", tt.want, out, errOut)
			}
		})
	}
}

func TestCheckJSON(t *testing.T) {
	db := demoStore(t)
	code, out, errOut := runCim(t, "check", "--db", db, "--site", "site", "--stage", "planning", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Site       struct{ ID string }
		Dataset    string
		Stage      string
		Indicators map[string]any
		Results    []struct {
			Rule, Indicator, Op, Status, Severity, Reference string
			Value                                            *float64
			Limit                                            any
			Features                                         []struct{ ID string }
		}
		Stations []map[string]any
		Passed   bool
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Site.ID != "geojson:hz-future-community:site" || rep.Dataset != "hz-future-community" || rep.Stage != "planning" || !rep.Passed {
		t.Errorf("header: %+v", rep)
	}
	if len(rep.Stations) != 1 {
		t.Fatalf("%d stations, want the sample's one", len(rep.Stations))
	}
	for _, k := range []string{"tod_far_300", "tod_far_500", "tod_far_800", "tod_gradient_ok", "inner_far", "outer_far", "rings"} {
		if _, ok := rep.Stations[0][k]; !ok {
			t.Errorf("station lacks %q: %v", k, rep.Stations[0])
		}
	}
	if w := rep.Indicators["walk"]; w != "network" {
		t.Errorf("walk %v, want network (the sample has roads)", w)
	}
	if far, _ := rep.Indicators["far"].(float64); far < 1.63 || far > 1.64 {
		t.Errorf("far %v, want 1.636 (samples/README.md)", rep.Indicators["far"])
	}
	for _, r := range rep.Results {
		if r.Rule == "" || r.Indicator == "" || r.Op == "" || r.Status == "" || r.Severity == "" || r.Reference == "" {
			t.Errorf("incomplete result %+v", r)
		}
		if r.Rule == "zj-site-far" && (len(r.Features) == 0 || r.Value == nil || r.Limit.(float64) != 2) {
			t.Errorf("zj-site-far: %+v, want the biggest contributors and limit 2", r)
		}
	}
}

func TestRulesCommands(t *testing.T) {
	code, out, _ := runCim(t, "rules", "list")
	if code != 0 || !strings.Contains(out, "gb50180-2018") || !strings.Contains(out, "zj-future-community") {
		t.Errorf("rules list: exit %d\n%s", code, out)
	}
	code, out, _ = runCim(t, "rules", "show", "gb50180-2018")
	if code != 0 || !strings.Contains(out, "gb50180_4_0_2") {
		t.Errorf("rules show: exit %d\n%s", code, out)
	}
	// A pack printed by show is a valid pack file.
	f := filepath.Join(t.TempDir(), "mine.yaml")
	os.WriteFile(f, []byte(out), 0o644)
	if code, out, errOut := runCim(t, "rules", "show", f); code != 0 || !strings.Contains(out, "valid") {
		t.Errorf("rules show FILE: exit %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nrules:\n  - {id: x, scope: site, indicator: fra, op: max, limit: 1, severity: error, reference: r}\n"), 0o644)
	if code, _, errOut := runCim(t, "rules", "show", bad); code != 1 || !strings.Contains(errOut, `unknown site indicator "fra"`) { // a bad input file
		t.Errorf("bad pack: exit %d, %s", code, errOut)
	}
}

func TestCheckSeveralSites(t *testing.T) {
	db := demoStore(t)
	f := sitesFile(t)
	code, out, errOut := runCim(t, "check", "--db", db, "--site", f, "--format", "json", "--rules", "zj-future-community")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (east fails far_max 0.1)\n%s", code, errOut)
	}
	var reps []struct {
		Site   struct{ ID string }
		Passed bool
	}
	if err := json.Unmarshal([]byte(out), &reps); err != nil || len(reps) != 2 {
		t.Fatalf("%v: %d reports\n%s", err, len(reps), out)
	}
	if reps[0].Site.ID != "west" || reps[1].Site.ID != "east" || reps[1].Passed {
		t.Errorf("reports: %+v", reps)
	}
}

func TestCheckHTML(t *testing.T) {
	db := demoStore(t)
	dir := t.TempDir()
	tests := []struct {
		name  string
		args  []string
		code  int
		files []string
	}{
		{"one site, format from --out", []string{"--site", "site", "--out", filepath.Join(dir, "site.html")}, 0, []string{"site.html"}},
		{"a failing parcel", []string{"--site", "p-05", "--format", "html", "--out", filepath.Join(dir, "p05.htm")}, 1, []string{"p05.htm"}},
		{"several sites, a page each", []string{"--site", sitesFile(t), "--out", filepath.Join(dir, "sites.html")}, 1, []string{"sites-west.html", "sites-east.html"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCim(t, append([]string{"check", "--db", db}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if out != "" {
				t.Errorf("stdout not empty: %q", out)
			}
			for _, name := range tt.files {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				page := string(b)
				if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "<svg") || !strings.HasSuffix(page, "</html>\n") {
					t.Errorf("%s: not a whole page with a map (%d bytes)", name, len(b))
				}
				if !strings.Contains(errOut, "wrote "+filepath.Join(dir, name)) {
					t.Errorf("stderr does not name %s: %s", name, errOut)
				}
			}
		})
	}
}

// sitesFile writes two boxes over the sample, each marked as a site; east
// fails its far_max of 0.1.
func sitesFile(t *testing.T) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "sites.geojson")
	err := os.WriteFile(f, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","id":"west","geometry":{"type":"Polygon","coordinates":[[[120.2074,30.2550],[120.2100,30.2550],[120.2100,30.2586],[120.2074,30.2586],[120.2074,30.2550]]]},"properties":{"cim:class":"site","far_max":9}},
{"type":"Feature","id":"east","geometry":{"type":"Polygon","coordinates":[[[120.2100,30.2550],[120.2177,30.2550],[120.2177,30.2586],[120.2100,30.2586],[120.2100,30.2550]]]},"properties":{"cim:class":"site","far_max":0.1}}]}`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCheckHTMLNamesDoNotCollide(t *testing.T) {
	db := demoStore(t)
	dir := t.TempDir()
	f := filepath.Join(dir, "sites.geojson")
	box := `"geometry":{"type":"Polygon","coordinates":[[[120.2074,30.2550],[120.2100,30.2550],[120.2100,30.2586],[120.2074,30.2586],[120.2074,30.2550]]]},"properties":{"cim:class":"site"}`
	os.WriteFile(f, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"p:1",`+box+`},{"type":"Feature","id":"p/1",`+box+`}]}`), 0o644)
	out := filepath.Join(dir, "r.html")
	if code, _, errOut := runCim(t, "check", "--db", db, "--site", f, "--out", out); code > 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, name := range []string{"r-p_1.html", "r-p_1-2.html"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}
