package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rectJSON is a w×h m rectangle x, y m from (120.21, 30.256), as GeoJSON.
func rectJSON(x, y, w, h float64) string {
	const lon0, lat0 = 120.21, 30.256
	mLon, mLat := 1/(111320*0.86397), 1/110540.0
	x0, y0 := lon0+x*mLon, lat0+y*mLat
	x1, y1 := x0+w*mLon, y0+h*mLat
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f]]]}`,
		x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
}

// TestDiffPlanningVerification ingests an approved scheme and an
// as-built survey of it that differs in known ways (b1 three storeys
// taller, b2 not built, b6 built unplanned, b3 built 5 m east, b4
// surveyed as s-4 on the same footprint, b5 as planned): cim diff lists
// exactly those, the site's GFA falls by b2's less b1's and b6's new
// storeys, beyond the pack's ±3 %, and it exits 1; within 10 % it passes.
func TestDiffPlanningVerification(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	feature := func(id, stage string, geom string, levels int, height float64) string {
		name, _ := strings.CutPrefix(id, "s-")
		if name != id {
			name = "b" + name // the survey's own id, the design's name
		}
		return fmt.Sprintf(`{"type":"Feature","id":%q,"properties":{"building":"residential","building:levels":%d,"height":%g,"name":%q,"cim:stage":%q},"geometry":%s}`,
			id, levels, height, name, stage, geom)
	}
	write := func(name string, fs ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",\n")+`]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	site := write("site.geojson", fmt.Sprintf(`{"type":"Feature","id":"site","properties":{"cim:class":"site","name":"the site","cim:stage":"planning"},"geometry":%s}`, rectJSON(-20, -20, 240, 140)))
	planned := write("planned.geojson",
		feature("b1", "planning", rectJSON(0, 0, 30, 15), 10, 30),
		feature("b2", "planning", rectJSON(50, 0, 30, 15), 10, 30),
		feature("b3", "planning", rectJSON(100, 0, 30, 15), 10, 30),
		feature("b4", "planning", rectJSON(150, 0, 30, 15), 10, 30),
		feature("b5", "planning", rectJSON(0, 50, 30, 15), 10, 30))
	built := write("built.geojson",
		feature("b1", "as-built", rectJSON(0, 0, 30, 15), 13, 39),
		feature("b3", "as-built", rectJSON(105, 0, 30, 15), 10, 30),
		feature("s-4", "as-built", rectJSON(150, 0, 30, 15), 10, 30),
		feature("b5", "as-built", rectJSON(0, 50, 30, 15), 10, 30),
		feature("b6", "as-built", rectJSON(50, 50, 20, 20), 6, 18))
	for _, f := range []string{site, planned, built} {
		if code, _, errOut := runCim(t, "ingest", "--db", db, "--dataset", "scheme", f); code != 0 {
			t.Fatalf("ingest %s: %d %s", f, code, errOut)
		}
	}
	code, out, errOut := runCim(t, "diff", "--db", db, "--from", "planning", "--to", "as-built", "--dataset", "scheme", "--site", "site", "--format", "json")
	if code != exitInput {
		t.Errorf("exit %d, want %d (GFA beyond ±3 %%): %s", code, exitInput, errOut)
	}
	var res struct {
		Changes []struct {
			Kind   string `json:"kind"`
			FromID string `json:"from_id"`
			ToID   string `json:"to_id"`
			What   []string
		}
		Indicators []struct {
			Indicator string
			From, To  float64
			Change    float64
			Exceeded  bool
		}
		Exceeded int `json:"tolerances_exceeded"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var got []string
	for _, c := range res.Changes {
		got = append(got, c.Kind+" "+strings.TrimPrefix(c.FromID, "geojson:scheme:")+">"+strings.TrimPrefix(c.ToID, "geojson:scheme:")+" "+strings.Join(c.What, "; "))
	}
	slices.Sort(got)
	want := []string{
		"added >b6 ",
		"changed b1>b1 height 30 → 39 m; floors 0..9 → 0..12",
		"changed b3>b3 moved 5.0 m",
		"matched b4>s-4 ",
		"removed b2> ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
	gfa := map[string]float64{}
	for _, d := range res.Indicators {
		if d.Indicator == "gfa_m2" {
			gfa["from"], gfa["change"] = d.From, d.Change
			if !d.Exceeded {
				t.Errorf("GFA change %v of %v not beyond ±3 %%", d.Change, d.From)
			}
		}
	}
	// 450 m² footprints: +3 storeys on b1, −10 with b2, +6 × 400 m² with b6.
	if wantFrom, wantChange := 50*450.0, 3*450.0-10*450+6*400; abs(gfa["from"]-wantFrom) > 0.01*wantFrom || abs(gfa["change"]-wantChange) > 0.01*abs(wantChange) {
		t.Errorf("GFA %v, change %v; want about %v and %v", gfa["from"], gfa["change"], wantFrom, wantChange)
	}

	// A pack that allows 10 %: the same diff passes the GFA, still fails
	// the height (30 → 39 m).
	pack := filepath.Join(dir, "loose.yaml")
	src, err := os.ReadFile("../../plan/packs/zj-future-community.yaml")
	if err != nil {
		t.Fatal(err)
	}
	loose := strings.Replace(string(src), "gfa_m2: {relative: 0.03", "gfa_m2: {relative: 0.10", 1)
	loose = strings.Replace(loose, "max_height_m: {absolute: 1.0", "max_height_m: {absolute: 10", 1)
	loose = strings.Replace(loose, "far: {relative: 0.03", "far: {relative: 0.10", 1)
	loose = strings.Replace(loose, "building_density: {absolute: 0.01", "building_density: {absolute: 0.05", 1)
	if err := os.WriteFile(pack, []byte(loose), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCim(t, "diff", "--db", db, "--from", "planning", "--to", "as-built", "--dataset", "scheme", "--site", "site", "--rules", pack)
	if code != 0 || !strings.Contains(out, "0 tolerances exceeded") {
		t.Errorf("with looser tolerances: exit %d\n%s%s", code, out, errOut)
	}
	// GeoJSON for QGIS: five features, coloured by change.
	code, out, _ = runCim(t, "diff", "--db", db, "--from", "planning", "--to", "as-built", "--dataset", "scheme", "--format", "geojson")
	var fc struct {
		Features []struct{ Properties map[string]any }
	}
	if code != exitInput || json.Unmarshal([]byte(out), &fc) != nil || len(fc.Features) != 5 || !strings.HasPrefix(out, `{"type":"FeatureCollection","features":[`) {
		t.Fatalf("geojson: exit %d, %d features: %.300s", code, len(fc.Features), out)
	}
	for _, f := range fc.Features {
		if f.Properties["cim:change"] == "removed" && f.Properties["fill"] != "#d93a2b" {
			t.Errorf("a removed feature in %v", f.Properties["fill"])
		}
	}
	// The check's HTML report, with the same comparison.
	html := filepath.Join(dir, "report.html")
	runCim(t, "check", "--db", db, "--site", "site", "--dataset", "scheme", "--stage", "planning", "--compare", "as-built", "--out", html)
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Planned vs built", "规划条件核实", "1 added, 1 removed, 2 changed, 1 matched", "geojson:scheme:s-4", "moved 5.0 m", "±3 % exceeded"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if code, _, errOut := runCim(t, "check", "--db", db, "--site", "site", "--compare", "as-built"); code != exitUsage || !strings.Contains(errOut, "--out FILE.html") {
		t.Errorf("--compare without an HTML report: %d %s", code, errOut)
	}

	// Revisions: 2 held the planned scheme, 3 the survey too, which the
	// latest view shows instead of the plan.
	code, out, errOut = runCim(t, "diff", "--db", db, "--from-rev", "2", "--to-rev", "3", "--dataset", "scheme")
	if code != exitInput || !strings.Contains(out, "1 added, 1 removed, 2 changed, 1 matched") {
		t.Errorf("revision 2 against 3: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCim(t, "diff", "--db", db, "--dataset", "scheme"); code != exitUsage || !strings.Contains(errOut, "nothing to compare") {
		t.Errorf("nothing to compare: %d %s", code, errOut)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
