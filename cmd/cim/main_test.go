package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/future-community/cim/index"
)

// runCim runs the command line in-process and returns the exit status and
// what it printed.
func runCim(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"cim"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

const shared = "../../../shared/data"

func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(shared, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not found: the shared test data (../shared/data beside the repository) is absent", p)
	}
	return p
}

func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo.db")
	code, out, errOut := runCim(t, "demo", "--db", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"hz-future-community", "planning", "design", "building", "storey", "transit_stop", "By floor", "floor 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// The kept store answers queries, and a second demo run replaces the
	// sample rather than adding to it.
	_, info1, _ := runCim(t, "info", "--db", dir, "--format", "json")
	if code, _, errOut := runCim(t, "demo", "--db", dir); code != 0 {
		t.Fatal(errOut)
	}
	_, info2, _ := runCim(t, "info", "--db", dir, "--format", "json")
	if features(t, info1) != features(t, info2) || features(t, info1) == 0 {
		t.Errorf("features after one demo %d, after two %d", features(t, info1), features(t, info2))
	}
}

func features(t *testing.T, infoJSON string) int {
	t.Helper()
	var info struct{ Features int }
	if err := json.Unmarshal([]byte(infoJSON), &info); err != nil {
		t.Fatalf("info JSON: %v\n%s", err, infoJSON)
	}
	return info.Features
}

func TestUsageErrorsExitTwo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	for _, args := range [][]string{
		{"frobnicate"},
		{"ingest", "--db", db},
		{"ingest", "--no-such-flag", "x.geojson"},
		{"ingest", "--db", db, "--stage", "someday", "x.geojson"},
		{"ingest", "--db", db, "--tmpdir", filepath.Join(db, "nowhere"), "x.geojson"},
		{"ingest", "--db", db, "--memory", "10", "x.geojson"},
		{"query", "--db", db, "--bbox", "1,2,3"},
		{"query", "--db", db, "--bbox", "10,0,5,1"},
		{"query", "--db", db, "--level", "two"},
		{"query", "--db", db, "--class", "castle"},
		{"query", "--db", db, "--where", "novalue"},
		{"query", "--db", db, "--format", "kml"},
		{"query", "--db", db, "--limit", "-1"},
		{"info", "--db", db, "--format", "xml"},
	} {
		code, _, errOut := runCim(t, args...)
		if code != 2 {
			t.Errorf("cim %s: exit %d, want 2 (%s)", strings.Join(args, " "), code, errOut)
		}
		if !strings.Contains(errOut, "cim: ") {
			t.Errorf("cim %s: no error message", strings.Join(args, " "))
		}
	}
}

func TestHelpHasExamples(t *testing.T) {
	for _, cmd := range []string{"ingest", "info", "query", "demo"} {
		code, out, _ := runCim(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, "cim "+cmd) || !strings.Contains(strings.ToLower(out), "example") && cmd != "demo" {
			t.Errorf("cim %s --help: exit %d, output lacks an example:\n%s", cmd, code, out)
		}
	}
}

// TestExitCodes runs each command into each exit status it documents
// (exitHelp): stdout stays empty on every error, and nothing is created.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	demo := filepath.Join(dir, "demo.db")
	if code, _, errOut := runCim(t, "demo", "--db", demo); code != 0 {
		t.Fatal(errOut)
	}
	fresh := filepath.Join(dir, "fresh.db")
	notStore := filepath.Join(dir, "not-a-store")
	os.MkdirAll(notStore, 0o755)
	os.WriteFile(filepath.Join(notStore, "notes.txt"), []byte("mine"), 0o644)
	green := "../../samples/green.geojson"
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"ingest", "--db", fresh, "no-such-file.geojson"}, exitInput},
		{[]string{"ingest", green}, exitUsage}, // no --db: there is no default store
		{[]string{"ingest", "--db", notStore, green}, exitEnv},
		{[]string{"info", "--db", filepath.Join(dir, "none")}, exitEnv},
		{[]string{"info", "--db", demo, "extra"}, exitUsage},
		{[]string{"query", "--db", demo, "--cursor", "bogus"}, exitUsage},
		{[]string{"query", "--db", filepath.Join(dir, "none")}, exitEnv},
		{[]string{"check", "--db", demo}, exitUsage}, // no --site
		{[]string{"check", "--db", demo, "--site", "nowhere"}, exitUsage},
		{[]string{"check", "--db", demo, "--site", "site", "--rules", "gb50180-2018"}, exitInput}, // a rule fails
		{[]string{"compact", "--db", filepath.Join(dir, "none")}, exitEnv},
		{[]string{"recover", "--db", filepath.Join(dir, "none")}, exitEnv},
		{[]string{"ingest", "--db", fresh, "--crs", "EPSG:99999", green}, exitUsage},
		{[]string{"ingest", "--db", fresh, "--crs", "bogus", green}, exitUsage},
		{[]string{"version", "extra"}, exitUsage},
	}
	for _, tt := range tests {
		code, out, errOut := runCim(t, tt.args...)
		if code != tt.code {
			t.Errorf("cim %v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, errOut)
		}
		if code != exitInput && out != "" && tt.code != exitInput {
			t.Errorf("cim %v: exit %d with standard output %.200q", tt.args, code, out)
		}
		if errOut == "" && tt.args[0] != "check" {
			t.Errorf("cim %v: exit %d without a word on stderr", tt.args, code)
		}
	}
	// Commands that read never create or touch a store: not where none
	// is, not in an empty directory, not in a directory of other files.
	empty := filepath.Join(dir, "empty")
	os.MkdirAll(empty, 0o755)
	for _, cmd := range [][]string{{"info"}, {"query"}, {"check", "--site", "x"}, {"compact"}, {"recover"}} {
		for _, db := range []string{filepath.Join(dir, "none"), empty, notStore} {
			args := append([]string{cmd[0], "--db", db}, cmd[1:]...)
			if code, out, errOut := runCim(t, args...); code != exitEnv || out != "" || !strings.Contains(errOut, db) {
				t.Errorf("cim %v: exit %d, stdout %q, stderr %q; want exit %d naming the directory", args, code, out, errOut, exitEnv)
			}
		}
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("the empty directory now holds %d entries", len(entries))
	}
	for _, p := range []string{fresh, filepath.Join(dir, "none")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was created by a command that failed", p)
		}
	}
	if entries, _ := os.ReadDir(notStore); len(entries) != 1 {
		t.Errorf("the directory that is not a store now holds %d entries", len(entries))
	}
}

// TestFlagsAfterArguments: flags after the files still count, and the
// data goes to the store they name.
func TestFlagsAfterArguments(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mystore.db")
	code, _, errOut := runCim(t, "ingest", "../../samples/green.geojson", "--db", db, "--dataset", "g")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, info, _ := runCim(t, "info", "--db", db)
	if !strings.Contains(info, "g ") || !strings.Contains(info, "23") {
		t.Errorf("info after the ingest:\n%s", info)
	}
	if _, err := os.Stat("cim.db"); err == nil {
		t.Error("a store was made in the working directory")
	}
	// Values that start with a dash are values, not flags.
	_, want, _ := runCim(t, "query", "--db", db, "--level=-1..0", "--format", "ndjson")
	if code, out, errOut := runCim(t, "query", "--db", db, "--level", "-1..0", "--format", "ndjson"); code != 0 || out != want || want == "" {
		t.Errorf("query --level -1..0: exit %d, %d lines, want %d; %s", code, strings.Count(out, "\n"), strings.Count(want, "\n"), errOut)
	}
}

// TestBrokenFileLeavesStoreIntact ingests good data, then broken files,
// and checks that each fails with a located message, exit status 1, and
// that the store still answers exactly as before.
func TestBrokenFileLeavesStoreIntact(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	good := filepath.Join(dir, "scheme.geojson")
	// makeFile writes 2000 buildings; bad, if not nil, may replace the
	// geometry of feature i.
	makeFile := func(levels int, bad func(i int, x, y float64) string) string {
		var b strings.Builder
		b.WriteString(`{"type":"FeatureCollection","features":[`)
		for i := range 2000 {
			if i > 0 {
				b.WriteString(",\n")
			}
			x, y := 120.2+float64(i%50)*0.001, 30.25+float64(i/50)*0.001
			g := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
				x, y, x+0.0005, y, x+0.0005, y+0.0005, x, y+0.0005, x, y)
			if bad != nil {
				if s := bad(i, x, y); s != "" {
					g = s
				}
			}
			fmt.Fprintf(&b, `{"type":"Feature","id":"b%d","properties":{"building":"yes","building:levels":%d},"geometry":%s}`, i, levels+i%20, g)
		}
		b.WriteString("]}\n")
		return b.String()
	}
	if err := os.WriteFile(good, []byte(makeFile(1, nil)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCim(t, "ingest", "--db", db, good); code != 0 {
		t.Fatal(errOut)
	}
	snapshot := func() string {
		t.Helper()
		code1, info, e1 := runCim(t, "info", "--db", db, "--format", "json")
		code2, q, e2 := runCim(t, "query", "--db", db, "--bbox", "120.21,30.26,120.24,30.28", "--level", "3..7", "--format", "ndjson")
		if code1 != 0 || code2 != 0 || len(q) == 0 {
			t.Fatalf("reading the store: exit %d %d: %s %s", code1, code2, e1, e2)
		}
		return info + q
	}
	before := snapshot()

	// The same dataset, changed, then broken part-way: the replaced part
	// must not show.
	changed := makeFile(5, nil)
	broken := map[string]struct {
		text string
		want []string
	}{
		"truncated.geojson": {changed[:len(changed)*2/3], []string{"truncated.geojson", "feature 1333", "byte", "unexpected end"}},
		"selfcross.geojson": {makeFile(5, func(i int, x, y float64) string {
			if i != 1610 {
				return ""
			}
			return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`, x, y, x+0.0005, y+0.0005, x+0.0005, y, x, y+0.0005, x, y)
		}), []string{"selfcross.geojson", "feature 1610", "byte", "self-intersects"}},
		"outofrange.geojson": {makeFile(5, func(i int, x, y float64) string {
			if i != 1999 {
				return ""
			}
			return fmt.Sprintf(`{"type":"Point","coordinates":[%g,%g]}`, x, y+90)
		}), []string{"outofrange.geojson", "feature 1999", "byte", "outside"}},
	}
	for name, bad := range broken {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			os.WriteFile(path, []byte(bad.text), 0o644)
			code, _, errOut := runCim(t, "ingest", "--db", db, "--dataset", "scheme", path)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, w := range bad.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("error lacks %q:\n%s", w, errOut)
				}
			}
			if after := snapshot(); after != before {
				t.Errorf("the store changed:\n%s", firstDiff(before, after))
			}
		})
	}
}

// TestMinneapolisAgainstGDAL ingests the Minneapolis built-form districts
// and checks bbox queries against GDAL's own spatial filter (ogr2ogr
// -spat), which tests the geometry, not just its envelope.
func TestMinneapolisAgainstGDAL(t *testing.T) {
	src := sharedFile(t, "zoning/minneapolis_Planning_Zoning_Built_Form.geojson")
	db := filepath.Join(t.TempDir(), "db")
	code, _, errOut := runCim(t, "ingest", "--db", db, "--format", "json", src)
	if code != 0 {
		t.Fatal(errOut)
	}
	_, info, _ := runCim(t, "info", "--db", db, "--format", "json")
	if n := features(t, info); n != 787 {
		t.Fatalf("stored %d features, want 787", n)
	}
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("ogr2ogr not installed (Debian gdal-bin): skipping the comparison with GDAL")
	}
	r := rand.New(rand.NewPCG(1, 787))
	for i := range 12 {
		w, s := -93.33+r.Float64()*0.12, 44.89+r.Float64()*0.14
		e, n := w+0.002+r.Float64()*r.Float64()*0.08, s+0.002+r.Float64()*r.Float64()*0.08
		bbox := fmt.Sprintf("%.6f,%.6f,%.6f,%.6f", w, s, e, n)
		out := filepath.Join(t.TempDir(), fmt.Sprintf("q%d.geojson", i))
		code, text, errOut := runCim(t, "query", "--db", db, "--bbox", bbox, "--format", "geojson")
		if code != 0 {
			t.Fatal(errOut)
		}
		os.WriteFile(out, []byte(text), 0o644)
		ours := ogrCount(t, out)
		ref := filepath.Join(t.TempDir(), fmt.Sprintf("ref%d.geojson", i))
		cmd := exec.Command("ogr2ogr", "-f", "GeoJSON", "-spat", fmt.Sprint(w), fmt.Sprint(s), fmt.Sprint(e), fmt.Sprint(n), ref, src)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr: %v\n%s", err, msg)
		}
		if want := ogrCount(t, ref); ours != want {
			t.Errorf("bbox %s: cim returns %d features, ogr2ogr -spat %d", bbox, ours, want)
		}
	}
}

// ogrCount opens a file with ogrinfo and returns its feature count.
func ogrCount(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("ogrinfo", "-so", "-al", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", path, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Feature Count: "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	t.Fatalf("ogrinfo %s: no feature count\n%s", path, out)
	return 0
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines, then %d", len(la), len(lb))
}

// TestOSMIngest loads the Monaco extract, then a truncated copy of it,
// which must fail with a message saying so and leave the store as it was.
func TestOSMIngest(t *testing.T) {
	src := sharedFile(t, "osm/monaco-latest.osm.pbf")
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	code, out, errOut := runCim(t, "ingest", "--db", db, "--format", "json", src)
	if code != 0 {
		t.Fatal(errOut)
	}
	var rep struct {
		Files []struct {
			Features int
			Classes  map[string]int
			Warnings map[string]int
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	f := rep.Files[0]
	if f.Features != 6459 || f.Classes["building"] != 1208 || f.Classes["transit_stop"] == 0 {
		t.Errorf("features %d, classes %v", f.Features, f.Classes)
	}
	before := func() string {
		_, info, _ := runCim(t, "info", "--db", db, "--format", "json")
		_, q, _ := runCim(t, "query", "--db", db, "--bbox", "7.41,43.73,7.43,43.74", "--format", "ndjson")
		return info + q
	}
	want := before()
	data, _ := os.ReadFile(src)
	truncated := filepath.Join(dir, "monaco-latest.osm.pbf") // the same dataset name
	os.WriteFile(truncated, data[:len(data)*3/4], 0o644)
	code, _, errOut = runCim(t, "ingest", "--db", db, truncated)
	if code != 1 || !strings.Contains(errOut, "truncated PBF") || !strings.Contains(errOut, "monaco-latest.osm.pbf") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if got := before(); got != want {
		t.Errorf("the store changed:\n%s", firstDiff(want, got))
	}
}

// TestGeoJSONRoundTrip writes the demo store as GeoJSON with cim query and
// ingests it into a fresh store: every feature comes back with its id,
// dataset, stage, class and floors, and the site is found as before.
func TestGeoJSONRoundTrip(t *testing.T) {
	dir := t.TempDir()
	demo, back := filepath.Join(dir, "demo.db"), filepath.Join(dir, "back.db")
	if code, _, errOut := runCim(t, "demo", "--db", demo); code != 0 {
		t.Fatal(errOut)
	}
	code, all, errOut := runCim(t, "query", "--db", demo, "--all-versions", "--format", "geojson")
	if code != 0 {
		t.Fatal(errOut)
	}
	file := filepath.Join(dir, "all.geojson")
	if err := os.WriteFile(file, []byte(all), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCim(t, "ingest", "--db", back, file); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	listing := func(db string) string {
		code, out, errOut := runCim(t, "query", "--db", db, "--all-versions", "--format", "ndjson")
		if code != 0 {
			t.Fatal(errOut)
		}
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var f struct {
				ID         string
				Properties map[string]any
			}
			if err := json.Unmarshal([]byte(l), &f); err != nil {
				t.Fatal(err)
			}
			p := f.Properties
			lines = append(lines, fmt.Sprint(f.ID, " ", p["cim:dataset"], " ", p["cim:stage"], " ", p["cim:class"], " ", p["cim:level"]))
		}
		slices.Sort(lines)
		return strings.Join(lines, "\n")
	}
	want, got := listing(demo), listing(back)
	if strings.Count(want, "\n") < 130 {
		t.Fatalf("the demo store lists %d features", strings.Count(want, "\n")+1)
	}
	if got != want {
		t.Errorf("features after the round trip differ:\n got %s\nwant %s", got, want)
	}
	for _, db := range []string{demo, back} {
		_, out1, _ := runCim(t, "check", "--db", db, "--site", "site", "--stage", "planning", "--format", "json")
		if !strings.Contains(out1, `"gfa_m2"`) {
			t.Errorf("%s: check --site site: %.300s", db, out1)
		}
	}
	_, a, _ := runCim(t, "check", "--db", demo, "--site", "site", "--stage", "design", "--format", "json")
	_, b, _ := runCim(t, "check", "--db", back, "--site", "site", "--stage", "design", "--format", "json")
	strip := func(s string) string { // the store paths and times differ
		var r map[string]any
		json.Unmarshal([]byte(s), &r)
		return fmt.Sprint(r["indicators"])
	}
	if strip(a) != strip(b) || strip(a) == "<nil>" {
		t.Errorf("design check indicators differ after the round trip")
	}
	// A dataset named on the command line wins over cim:dataset, and the
	// summary names the datasets written.
	other := filepath.Join(dir, "other.db")
	code, sum, errOut := runCim(t, "ingest", "--db", other, "--format", "json", file)
	if code != 0 || !strings.Contains(sum, `"dataset": "hz-city,hz-future-community"`) {
		t.Errorf("ingest summary (exit %d, %s): %s", code, errOut, sum)
	}
	copied := filepath.Join(dir, "copy.db")
	if code, _, errOut := runCim(t, "ingest", "--db", copied, "--dataset", "copy", file); code != 0 {
		t.Fatal(errOut)
	}
	_, info, _ := runCim(t, "info", "--db", copied)
	if !strings.Contains(info, "copy") || strings.Contains(info, "hz-city") {
		t.Errorf("--dataset copy: the store holds\n%s", info)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := runCim(t, args...)
		if code != 0 || !strings.HasPrefix(out, "cim ") || !strings.Contains(out, "go1.") {
			t.Errorf("%v: exit %d, %q %q", args, code, out, errOut)
		}
	}
	b := buildInfo{Module: "v0.3.0", Revision: "5f2ecfb1c2d3e4f5a6b7", Time: "2026-12-07T21:10:00Z", Modified: true, Go: "go1.26.8"}
	if got, want := b.String(), "v0.3.0 5f2ecfb1c2d3 (2026-12-07T21:10:00Z, modified) go1.26.8"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := b.Rev(), "5f2ecfb1c2d3+dirty"; got != want {
		t.Errorf("Rev() = %q, want %q", got, want)
	}
}

// TestFloorFlag checks that --floor takes Chinese numbering: 2F is level 1.
func TestFloorFlag(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	if code, _, errOut := runCim(t, "demo", "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	_, byLevel, _ := runCim(t, "query", "--db", db, "--level", "1", "--class", "storey", "--format", "ndjson")
	code, byFloor, errOut := runCim(t, "query", "--db", db, "--floor", "2F", "--class", "storey", "--format", "ndjson")
	if code != 0 || byFloor != byLevel || !strings.Contains(byFloor, "2层") {
		t.Errorf("--floor 2F (exit %d, %s):\n%s\nwant what --level 1 gives:\n%s", code, errOut, byFloor, byLevel)
	}
	for _, args := range [][]string{{"--floor", "0F"}, {"--floor", "2F", "--level", "1"}} {
		if code, out, _ := runCim(t, append([]string{"query", "--db", db}, args...)...); code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing", args, code, out)
		}
	}
}

// TestStoreInUse: a store that another writer holds is refused with exit
// 3 and the writer's pid.
func TestStoreInUse(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	if code, _, errOut := runCim(t, "ingest", "--db", db, "../../samples/green.geojson"); code != 0 {
		t.Fatal(errOut)
	}
	s, err := index.Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, cmd := range []string{"info", "ingest", "compact"} {
		args := []string{cmd, "--db", db}
		if cmd == "ingest" {
			args = append(args, "../../samples/green.geojson")
		}
		code, out, errOut := runCim(t, args...)
		if code != exitEnv || out != "" || !strings.Contains(errOut, "in use") || !strings.Contains(errOut, fmt.Sprintf("pid %d", os.Getpid())) {
			t.Errorf("cim %s on a store in use: exit %d, stdout %q, stderr %q", cmd, code, out, errOut)
		}
	}
}
