package imdf

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const mall = "testdata/station-mall"

// mallFiles returns the files of the sample archive by name.
func mallFiles(t testing.TB) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(mall)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(mall, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

// writeDir writes files to a new folder and returns its path.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "archive")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// writeZip zips files, each under prefix, and returns the zip's path.
func writeZip(t testing.TB, files map[string]string, prefix string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "archive.zip")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.Create(prefix + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func collect(r *Reader) ([]*cim.Feature, error) {
	var fs []*cim.Feature
	for {
		f, err := r.Next()
		if err == io.EOF {
			return fs, nil
		}
		if err != nil {
			return fs, err
		}
		fs = append(fs, f)
	}
}

func openAll(t *testing.T, p string, opts Options) ([]*cim.Feature, *Reader, error) {
	t.Helper()
	if opts.Dataset == "" {
		opts.Dataset = "mall"
	}
	r, err := Open(p, opts)
	if err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() { r.Close() })
	fs, err := collect(r)
	return fs, r, err
}

func TestStationMall(t *testing.T) {
	files := mallFiles(t)
	for name, p := range map[string]string{
		"folder":                mall,
		"zip":                   writeZip(t, files, ""),
		"zip of a folder":       writeZip(t, files, "station-mall/"),
		"zip with macOS extras": writeZip(t, map[string]string{"manifest.json": "{}"}, "__MACOSX/"),
	} {
		t.Run(name, func(t *testing.T) {
			if name == "zip with macOS extras" {
				if _, err := Open(p, Options{Dataset: "mall"}); !errors.Is(err, ErrMissingFile) {
					t.Fatalf("a zip with only __MACOSX/manifest.json: %v, want ErrMissingFile", err)
				}
				return
			}
			fs, r, err := openAll(t, p, Options{Stage: cim.StageDesign})
			if err != nil {
				t.Fatal(err)
			}
			checkMall(t, fs)
			if got := r.Warnings(); len(got) != 1 || got["ignored address.geojson (not read)"] != 1 {
				t.Errorf("warnings %v, want 1 ignored address", got)
			}
			if m := r.Manifest(); m.Language != "zh-Hans" || m.Version != "1.0.0" {
				t.Errorf("manifest %+v", m)
			}
		})
	}
}

func checkMall(t *testing.T, fs []*cim.Feature) {
	t.Helper()
	byID := map[string]*cim.Feature{}
	count := map[cim.Class]int{}
	for _, f := range fs {
		if err := f.Validate(); err != nil {
			t.Errorf("%s: %v", f.ID, err)
		}
		if byID[f.ID] != nil {
			t.Errorf("%s twice", f.ID)
		}
		byID[f.ID] = f
		count[f.Class]++
		if f.Dataset != "mall" || f.Stage != cim.StageDesign {
			t.Errorf("%s: dataset %q stage %v", f.ID, f.Dataset, f.Stage)
		}
		if f.Props["imdf:type"] == nil || !strings.HasPrefix(f.ID, "imdf:") {
			t.Errorf("%s: no imdf:type or prefix", f.ID)
		}
	}
	want := map[cim.Class]int{cim.ClassSite: 1, cim.ClassBuilding: 1, cim.ClassStorey: 3, cim.ClassSpace: 12,
		cim.ClassOther: 3, cim.ClassFacility: 5}
	for c, n := range want {
		if count[c] != n {
			t.Errorf("%d %v features, want %d", count[c], c, n)
		}
	}
	// The order: venue, building, levels, then the streamed files.
	if fs[0].Class != cim.ClassSite || fs[1].Class != cim.ClassBuilding || fs[2].Class != cim.ClassStorey {
		t.Errorf("order: %v %v %v", fs[0].Class, fs[1].Class, fs[2].Class)
	}

	venue, bldg := fs[0], fs[1]
	if venue.Kind != "shoppingcenter" || venue.Props["name"] != "城站商城" || venue.Props["name:en"] != "City Station Mall" {
		t.Errorf("venue %s %q %v", venue.ID, venue.Kind, venue.Props)
	}
	if bldg.Parent != venue.ID || bldg.Levels != (cim.LevelRange{Min: -1, Max: 1}) ||
		bldg.Vertical.LevelsAbove != 2 || bldg.Vertical.LevelsBelow != 1 || !bldg.Vertical.Has(cim.KnownLevelsAbove|cim.KnownLevelsBelow) {
		t.Errorf("building parent %q levels %v vertical %+v", bldg.Parent, bldg.Levels, bldg.Vertical)
	}
	// Its outline is the ground footprint, not the aerial one.
	if p, ok := bldg.Geometry.(*geom.Polygon); !ok || p.FlatCoords()[0] != 120.21 {
		t.Errorf("building geometry %T %v", bldg.Geometry, bldg.Geometry.FlatCoords())
	}

	storeys := map[float64]*cim.Feature{}
	for _, f := range fs {
		if f.Class == cim.ClassStorey {
			if f.Parent != bldg.ID || !f.Levels.Single() {
				t.Errorf("storey %s parent %q levels %v", f.ID, f.Parent, f.Levels)
			}
			storeys[f.Levels.Min] = f
		}
	}
	if len(storeys) != 3 || storeys[-1] == nil || storeys[0] == nil || storeys[1] == nil {
		t.Fatalf("storeys at %v, want -1, 0, 1", slices.Sorted(maps.Keys(storeys)))
	}
	if s := storeys[-1]; s.Props["short_name"] != "B1" || s.Props["name:en"] != "Basement 1" || s.Kind != "transit.train" {
		t.Errorf("B1: %q %v", s.Kind, s.Props)
	}

	perLevel := map[float64]int{}
	for _, f := range fs {
		switch f.Class {
		case cim.ClassSpace, cim.ClassOther:
			s := byID[f.Parent]
			if s == nil || s.Class != cim.ClassStorey || s.Levels != f.Levels {
				t.Errorf("%s %v: parent %q, levels %v", f.Class, f.ID, f.Parent, f.Levels)
			}
			if f.Class == cim.ClassSpace {
				perLevel[f.Levels.Min]++
			} else if f.Kind != "opening" {
				t.Errorf("opening kind %q", f.Kind)
			}
		}
	}
	if perLevel[-1] != 4 || perLevel[0] != 4 || perLevel[1] != 4 {
		t.Errorf("units per level %v, want 4 each", perLevel)
	}

	amenities := map[string]cim.LevelRange{}
	for _, f := range fs {
		if f.Class == cim.ClassFacility {
			amenities[f.Kind] = f.Levels
			if u := byID[f.Parent]; u == nil || u.Class != cim.ClassSpace || !f.Levels.Contains(u.Levels.Min) {
				t.Errorf("amenity %s parent %q", f.ID, f.Parent)
			}
		}
	}
	for kind, lv := range map[string]cim.LevelRange{
		"restroom": {Min: -1, Max: 1}, "elevator": {Min: -1, Max: 1}, "ticketing": cim.Level(-1),
		"atm": cim.Level(0), "information": cim.Level(0),
	} {
		if got, ok := amenities[kind]; !ok || got != lv {
			t.Errorf("amenity %s on %v (found %v), want %v", kind, got, ok, lv)
		}
	}
}

func TestGolden(t *testing.T) {
	fs, _, err := openAll(t, mall, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(dump(f))
		b.WriteByte('\n')
	}
	golden := "testdata/station-mall.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("features differ from %s (rerun with -update to accept):\n%s", golden, got)
	}
}

// dump writes every field of a feature on one line, properties sorted.
func dump(f *cim.Feature) string {
	keys := make([]string, 0, len(f.Props))
	for k := range f.Props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var props []string
	for _, k := range keys {
		props = append(props, fmt.Sprintf("%s=%v", k, f.Props[k]))
	}
	return fmt.Sprintf("%s %s kind=%q levels=%v parent=%q vertical=%+v geom=%T%v props=[%s]",
		f.ID, f.Class, f.Kind, f.Levels, f.Parent, f.Vertical, f.Geometry, f.Geometry.FlatCoords(), strings.Join(props, " "))
}

const (
	bldgID = "b0000000-0000-4000-8000-000000000001"
	b1ID   = "c0000000-0000-4000-8000-0000000000b1"
)

func square(x0, y0, d float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		x0, y0, x0+d, y0, x0+d, y0+d, x0, y0+d, x0, y0)
}

func footprints(fs ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
}

func footprint(id, category, geometry string) string {
	return fmt.Sprintf(`{"type":"Feature","id":%q,"feature_type":"footprint","geometry":%s,"properties":{"category":%q,"building_ids":[%q]}}`,
		id, geometry, category, bldgID)
}

func TestBuildingOutline(t *testing.T) {
	tests := []struct {
		name      string
		footprint string // "" for no footprint file
		want      string // the geometry's type
		polygons  int
		warning   string
	}{
		{"one ground footprint", footprints(footprint("f1", "ground", square(120.21, 30.254, 0.001))), "*geom.Polygon", 1, ""},
		{"two ground footprints", footprints(
			footprint("f1", "ground", square(120.21, 30.254, 0.001)),
			footprint("f2", "ground", square(120.212, 30.254, 0.0005)),
			footprint("f3", "subterranean", square(120.20, 30.25, 0.01))), "*geom.MultiPolygon", 2, ""},
		{"aerial only", footprints(footprint("f1", "aerial", square(120.21, 30.254, 0.001))), "*geom.Polygon", 1,
			"building outline taken from its aerial footprint (no ground footprint)"},
		{"no footprint file", "", "*geom.Polygon", 1, "building outline taken from its levels (no ground footprint)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := mallFiles(t)
			delete(files, "footprint.geojson")
			if tt.footprint != "" {
				files["footprint.geojson"] = tt.footprint
			}
			fs, r, err := openAll(t, writeDir(t, files), Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := fs[1]
			if b.Class != cim.ClassBuilding || fmt.Sprintf("%T", b.Geometry) != tt.want {
				t.Fatalf("%v %T, want a building with a %s", b.Class, b.Geometry, tt.want)
			}
			if mp, ok := b.Geometry.(*geom.MultiPolygon); ok && mp.NumPolygons() != tt.polygons {
				t.Errorf("%d polygons, want %d", mp.NumPolygons(), tt.polygons)
			}
			if tt.warning != "" && r.Warnings()[tt.warning] != 1 {
				t.Errorf("warnings %v, want %q", r.Warnings(), tt.warning)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	const firstUnit = "d0000000-0000-4000-8000-000000000101"
	tests := []struct {
		name string
		edit func(files map[string]string)
		want string // the end of the error message
		is   error
	}{
		{"missing manifest", func(f map[string]string) { delete(f, "manifest.json") },
			"archive/manifest.json: required file is missing", ErrMissingFile},
		{"missing unit file", func(f map[string]string) { delete(f, "unit.geojson") },
			"archive/unit.geojson: required file is missing", ErrMissingFile},
		{"dangling level_id", func(f map[string]string) {
			f["unit.geojson"] = strings.Replace(f["unit.geojson"], b1ID, "c0000000-0000-4000-8000-00000000dead", 1)
		}, "archive/unit.geojson:2: feature 0 (id " + firstUnit + "): unit references unknown level c0000000-0000-4000-8000-00000000dead", ErrUnknownRef},
		{"bad JSON", func(f map[string]string) {
			f["unit.geojson"] = "{\"type\": \"FeatureCollection\", \"features\": [\n{\"type\": \"Feature\",, }]}"
		}, "archive/unit.geojson:2:20: invalid JSON: invalid character ',' looking for beginning of object key string", nil},
		{"bad JSON after Chinese text", func(f map[string]string) {
			f["venue.geojson"] = "{\"type\": \"FeatureCollection\",\n\"name\": \"城站\" \"features\": []}"
		}, "archive/venue.geojson:2:14: invalid JSON: invalid character '\"' after object key:value pair", nil},
		{"truncated", func(f map[string]string) { f["unit.geojson"] = f["unit.geojson"][:1000] },
			"invalid JSON: unexpected end of file (truncated?)", nil},
		{"bad manifest", func(f map[string]string) { f["manifest.json"] = "{\n  \"version\": 1.0.0\n}" },
			"archive/manifest.json:2:17: invalid JSON: invalid character '.' after object key:value pair", nil},
		{"not a FeatureCollection", func(f map[string]string) { f["venue.geojson"] = "[]" },
			"archive/venue.geojson:1:1: want a FeatureCollection object", nil},
		{"no venue", func(f map[string]string) { f["venue.geojson"] = footprints() },
			"archive/venue.geojson: no venue", nil},
		{"bad geometry", func(f map[string]string) {
			f["level.geojson"] = strings.Replace(f["level.geojson"], "[120.212, 30.254], [120.212, 30.255], [120.21, 30.255]",
				"[120.212, 30.255], [120.212, 30.254], [120.21, 30.255]", 1)
		}, "archive/level.geojson:2: feature 0 (id " + b1ID + "): geometry: polygon 0 ring 0 vertex 0: ring self-intersects near (120.211, 30.2545)", nil},
		{"wrong geometry type", func(f map[string]string) {
			f["amenity.geojson"] = strings.Replace(f["amenity.geojson"], `"type": "Point", "coordinates": [120.21125, 30.2548]`,
				`"type": "MultiPoint", "coordinates": [[120.21125, 30.2548]]`, 1)
		}, "geometry is a MultiPoint, want a Point", nil},
		{"ordinal not an integer", func(f map[string]string) {
			f["level.geojson"] = strings.Replace(f["level.geojson"], `"ordinal": -1`, `"ordinal": -0.5`, 1)
		}, "(id " + b1ID + "): ordinal -0.5 is not an integer", nil},
		{"level references unknown building", func(f map[string]string) {
			f["level.geojson"] = strings.Replace(f["level.geojson"], bldgID, "b0000000-0000-4000-8000-00000000beef", 1)
		}, "level references unknown building b0000000-0000-4000-8000-00000000beef", ErrUnknownRef},
		{"amenity references unknown unit", func(f map[string]string) {
			f["amenity.geojson"] = strings.Replace(f["amenity.geojson"], firstUnit, "d0000000-0000-4000-8000-000000000999", 1)
		}, "archive/amenity.geojson:4: feature 2 (id 70000000-0000-4000-8000-000000000003): amenity references unknown unit d0000000-0000-4000-8000-000000000999", ErrUnknownRef},
		{"duplicate id", func(f map[string]string) {
			f["opening.geojson"] = strings.Replace(f["opening.geojson"], "e0000000-0000-4000-8000-000000000001", firstUnit, 1)
		}, "(id " + firstUnit + "): duplicate id: also a unit", nil},
		{"feature_type mismatch", func(f map[string]string) {
			f["unit.geojson"] = strings.Replace(f["unit.geojson"], `"feature_type": "unit"`, `"feature_type": "fixture"`, 1)
		}, `feature 0 (id ` + firstUnit + `): feature_type "fixture" in the unit file`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := mallFiles(t)
			tt.edit(files)
			_, _, err := openAll(t, writeDir(t, files), Options{})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasSuffix(err.Error(), tt.want) {
				t.Errorf("error\n%s\nwant it to end in\n%s", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%T is not an *Error", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error is not %v", tt.is)
			}
		})
	}
}

func TestNotAnArchive(t *testing.T) {
	p := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(p, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p, Options{Dataset: "x"}); !errors.Is(err, ErrNotArchive) {
		t.Errorf("a text file: %v, want ErrNotArchive", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "absent"), Options{Dataset: "x"}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing path: %v", err)
	}
	if _, err := Open(mall, Options{}); err == nil {
		t.Error("no dataset name accepted")
	}
}

func TestSkipInvalid(t *testing.T) {
	files := mallFiles(t)
	// A broken B1 level takes its 4 units, its opening and the amenities
	// that are only in its units with it; the restroom and elevator
	// amenities also name units on other levels, but one bad reference
	// is enough.
	files["level.geojson"] = strings.Replace(files["level.geojson"], `"ordinal": -1`, `"ordinal": "B1"`, 1)
	fs, r, err := openAll(t, writeDir(t, files), Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 25-1-4-1-3 {
		t.Errorf("%d features, want %d", len(fs), 25-1-4-1-3)
	}
	if len(r.Skipped()) != 9 {
		t.Errorf("%d skipped, want 9: %v", len(r.Skipped()), r.Skipped())
	}
	if got := r.Skipped()[1].Error(); !strings.HasSuffix(got, "unit references level "+b1ID+", which was skipped") {
		t.Errorf("skipped unit: %s", got)
	}
}

func TestLabels(t *testing.T) {
	ls, ok := decodeLabels([]byte(`{"zh-Hans":"城站","en":"City Station","fr":null}`))
	if !ok || len(ls) != 2 {
		t.Fatalf("%v %v", ls, ok)
	}
	for lang, want := range map[string]string{
		"zh-Hans": "城站", "EN": "City Station", "en-GB": "City Station", "zh": "城站", "": "城站", "de": "城站",
	} {
		if got := pickLabel(ls, lang); got != want {
			t.Errorf("pickLabel(%q) = %q, want %q", lang, got, want)
		}
	}
	if _, ok := decodeLabels([]byte(`"plain"`)); ok {
		t.Error("a string taken for labels")
	}
	if _, ok := decodeLabels([]byte(`{"en":1}`)); ok {
		t.Error("a number taken for a label")
	}
}

func FuzzUnitFile(f *testing.F) {
	files := mallFiles(f)
	f.Add([]byte(files["unit.geojson"]))
	f.Add([]byte(`{"type":"FeatureCollection","features":[]}`))
	f.Add([]byte(`{"features":[{"type":"Feature","id":"u","geometry":null,"properties":{"level_id":"` + b1ID + `"}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"u","feature_type":"unit",` +
		`"geometry":` + square(120.21, 30.254, 0.0001) + `,"properties":{"name":{"en":"x"},"level_id":"` + b1ID + `"}}]} x`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"id":7},`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{}
		for name, s := range files {
			fsys[name] = &fstest.MapFile{Data: []byte(s)}
		}
		fsys["unit.geojson"] = &fstest.MapFile{Data: data}
		for _, skip := range []bool{false, true} {
			r, err := OpenFS(fsys, Options{Dataset: "fuzz", SkipInvalid: skip})
			if err != nil {
				t.Fatalf("the other files are valid: %v", err)
			}
			for range 10000 {
				feat, err := r.Next()
				if err != nil {
					break
				}
				if err := feat.Validate(); err != nil {
					t.Fatalf("reader returned an invalid feature: %v", err)
				}
			}
		}
	})
}

// TestCorruptZip opens the mall's zip cut short at several points and
// with its central directory damaged: each is ErrCorruptZip, an *Error
// that names the file and says it is truncated or corrupt, not "not an
// IMDF archive".
func TestCorruptZip(t *testing.T) {
	whole, err := os.ReadFile(writeZip(t, mallFiles(t), ""))
	if err != nil {
		t.Fatal(err)
	}
	cd := bytes.LastIndex(whole, []byte("PK\x01\x02")) // the last central directory header
	tests := []struct {
		name string
		data []byte
	}{
		{"cut at 10%", whole[:len(whole)/10]},
		{"cut at 50%", whole[:len(whole)/2]},
		{"cut at 90%", whole[:len(whole)*9/10]},
		{"last byte missing", whole[:len(whole)-1]},
		{"central directory damaged", slices.Concat(whole[:cd], []byte("XXXX"), whole[cd+4:])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "cut-mall.zip")
			if err := os.WriteFile(p, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(p, Options{Dataset: "x", Name: "cut-mall.zip"})
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrCorruptZip) {
				t.Fatalf("error %v (%T), want an *Error wrapping ErrCorruptZip", err, err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "cut-mall.zip: ") || !strings.Contains(msg, "truncated or corrupt") || errors.Is(err, ErrNotArchive) {
				t.Errorf("error %q: want it to name cut-mall.zip and say truncated or corrupt", msg)
			}
		})
	}
}

// FuzzOpenZip opens a zip file with Open and reads it: a bad zip is an
// error that names the file, never a panic. The seeds are a small
// archive (the mall's required files, one unit), as a zip whole, with a
// folder prefix, and cut short: small, because the fuzzer minimizes
// every new input in time quadratic in its length.
func FuzzOpenZip(f *testing.F) {
	files := mallFiles(f)
	small := map[string]string{}
	for _, name := range []string{"manifest.json", "venue.geojson", "building.geojson", "level.geojson"} {
		small[name] = files[name]
	}
	unit, _, _ := strings.Cut(files["unit.geojson"], "}}},\n")
	small["unit.geojson"] = unit + "}}}]}"
	whole, err := os.ReadFile(writeZip(f, small, ""))
	if err != nil {
		f.Fatal(err)
	}
	if r, err := Open(writeZip(f, small, ""), Options{Dataset: "x"}); err != nil {
		f.Fatalf("the small archive: %v", err)
	} else {
		r.Close()
	}
	nested, err := os.ReadFile(writeZip(f, small, "mall/"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(whole)
	f.Add(nested)
	f.Add(whole[:len(whole)/2])
	f.Add(whole[:len(whole)-1])
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.zip")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(p, Options{Dataset: "fuzz", Name: "fuzz.zip", SkipInvalid: true})
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.zip") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		defer r.Close()
		for range 10000 {
			feat, err := r.Next()
			if err != nil {
				if err != io.EOF && !strings.Contains(err.Error(), "fuzz.zip") {
					t.Fatalf("error %q does not name the file", err)
				}
				return
			}
			if err := feat.Validate(); err != nil {
				t.Fatalf("reader returned an invalid feature: %v", err)
			}
		}
	})
}
