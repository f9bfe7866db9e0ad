package cityjson

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/crs"
	"github.com/twpayne/go-geom"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dataDir holds the shared sample files (see shared/data/SOURCES.md,
// section CityJSON).
const dataDir = "../../../shared/data/cityjson"

func sample(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(dataDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("sample data not available (%v): the tests on real CityJSON files need ../shared/data", err)
	}
	return p
}

func readAll(t testing.TB, r io.Reader, opts Options) ([]*cim.Feature, *Reader, error) {
	t.Helper()
	if opts.Dataset == "" {
		opts.Dataset = "ds"
	}
	rd, err := NewReader(r, opts)
	if err != nil {
		return nil, nil, err
	}
	var fs []*cim.Feature
	for {
		f, err := rd.Next()
		if err == io.EOF {
			return fs, rd, nil
		}
		if err != nil {
			return fs, rd, err
		}
		fs = append(fs, f)
	}
}

func readFile(t testing.TB, path string, opts Options) ([]*cim.Feature, *Reader) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts.Name = filepath.Base(path)
	fs, r, err := readAll(t, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return fs, r
}

// countTypes counts features by "class/CityJSON type".
func countTypes(fs []*cim.Feature) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[f.Class.String()+"/"+f.Props["cityjson:type"].(string)]++
	}
	return m
}

func TestDelft(t *testing.T) {
	fs, r := readFile(t, sample(t, "delft.json"), Options{})
	// jq -c '[.CityObjects[].type]|group_by(.)|map({(.[0]):length})|add' delft.json
	// {"Bridge":3,"Building":160,"GenericCityObject":54,"LandUse":81,"PlantCover":126,"Road":143,"WaterBody":3}
	want := map[string]int{
		"building/Building": 160, "green/PlantCover": 126, "road/Road": 143, "water/WaterBody": 3,
		"other/Bridge": 3, "other/GenericCityObject": 54, "other/LandUse": 81,
	}
	if got := countTypes(fs); !mapsEqual(got, want) {
		t.Errorf("features by class/type %v, want %v", got, want)
	}
	if len(r.Skipped()) != 0 || len(r.Warnings()) != 0 {
		t.Errorf("skipped %v, warnings %v", r.Skipped(), r.Warnings())
	}
	// The geographicalExtent's corners, 84616.468 447422.999 and
	// 85140.839 447750.636 in EPSG:28992, by GDAL 3.6.2:
	//   gdaltransform -s_srs EPSG:28992 -t_srs EPSG:4326 -output_xy
	//   4.36201135643433 52.0107020651433
	//   4.36958122487202 52.0137128012042
	// RD grid north turns about 0.6° from true north here, so a box in
	// one is not quite a box in the other: allow 2e-4° (about 14 m).
	const tol = 2e-4
	box := cim.BoundsOf(fs[0].Geometry)
	for _, f := range fs {
		box = box.Extend(cim.BoundsOf(f.Geometry))
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
	}
	if box.MinLon < 4.36201-tol || box.MaxLon > 4.36958+tol || box.MinLat < 52.01070-tol || box.MaxLat > 52.01371+tol {
		t.Errorf("footprints span %v, want within the file's extent in Delft", box)
	}
	// The heights are BGT's measuredHeight attributes:
	// jq '[.CityObjects[]|select(.type=="Building")|.attributes.measuredHeight]|add' delft.json → 548.77
	var sum float64
	for _, f := range fs {
		if f.Class == cim.ClassBuilding {
			if !f.Vertical.Has(cim.KnownHeight) {
				t.Errorf("%s: no height", f.ID)
			}
			sum += f.Vertical.HeightM
		}
	}
	if math.Abs(sum-548.77) > 1e-9 {
		t.Errorf("building heights add up to %v, want 548.77", sum)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func Test3DBAGHeights(t *testing.T) {
	fs, _ := readFile(t, sample(t, "3dbag_workshop_sample.city.json"), Options{})
	// jq -r '.CityObjects|to_entries[]|select(.value.type=="Building")|"\(.key) \(.value.attributes.h_dak_max - .value.attributes.h_maaiveld) \(.value.attributes.h_maaiveld)"'
	want := map[string][2]float64{
		"NL.IMBAG.Pand.0518100000285075": {11.787000447511673, 0.26600000262260437},
		"NL.IMBAG.Pand.0518100000346770": {9.061000056564808, 0.08299999684095383},
		"NL.IMBAG.Pand.0518100000269458": {2.544999986886978, 0.4059999883174896},
	}
	got := 0
	for _, f := range fs {
		id := strings.TrimPrefix(f.ID, "cityjson:ds:")
		switch f.Class {
		case cim.ClassBuilding:
			w, ok := want[id]
			if !ok {
				t.Errorf("unexpected building %s", id)
				continue
			}
			got++
			if !f.Vertical.Has(cim.KnownHeight) || f.Vertical.HeightM != w[0] {
				t.Errorf("%s: height %v, want h_dak_max − h_maaiveld = %v", id, f.Vertical.HeightM, w[0])
			}
			if g := f.Props["cityjson:ground_z"]; g != round6(w[1]) {
				t.Errorf("%s: ground %v, want %v", id, g, round6(w[1]))
			}
			if f.Props["cityjson:lod"] != "0" {
				t.Errorf("%s: footprint from LoD %v, want the LoD0 surface", id, f.Props["cityjson:lod"])
			}
		case cim.ClassBuildingPart:
			if f.Parent != "cityjson:ds:"+strings.TrimSuffix(id, "-0") {
				t.Errorf("%s: parent %q", id, f.Parent)
			}
			// A part has no height attributes: its height comes from its
			// geometry, from the GroundSurface to the highest roof.
			if !f.Vertical.Has(cim.KnownHeight) || f.Vertical.HeightM <= 0 {
				t.Errorf("%s: height %v", id, f.Vertical.HeightM)
			}
		default:
			t.Errorf("%s: class %v", id, f.Class)
		}
	}
	if got != len(want) {
		t.Errorf("%d buildings, want %d", got, len(want))
	}
}

// TestCountsPerType reads the other samples. They name no CRS; their
// coordinates are Dutch RD (see SOURCES.md), given as Options.CRS.
func TestCountsPerType(t *testing.T) {
	tests := []struct {
		file string
		want map[string]int
	}{
		// jq -c '[.CityObjects[].type]|group_by(.)|map({(.[0]):length})|add' FILE
		{"rotterdam_subset.json", map[string]int{"building/Building": 16}},                                // {"Building":16}
		{"multi_lod.json", map[string]int{"building/Building": 10}},                                       // {"Building":10}
		{"DH_01_subs.city.json", map[string]int{"building/Building": 4, "building_part/BuildingPart": 8}}, // {"Building":4,"BuildingPart":8}
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := sample(t, tt.file)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := NewReader(f, Options{Dataset: "ds"}); !errors.Is(err, ErrNoCRS) {
				t.Errorf("without a CRS: %v, want ErrNoCRS", err)
			}
			fs, r := readFile(t, path, Options{CRS: "EPSG:7415"})
			if got := countTypes(fs); !mapsEqual(got, tt.want) {
				t.Errorf("features %v, want %v", got, tt.want)
			}
			if len(r.Skipped()) != 0 || len(r.Warnings()) != 0 {
				t.Errorf("skipped %v, warnings %v", r.Skipped(), r.Warnings())
			}
		})
	}
}

// TestAreasAgainstGDAL compares every footprint with the union of the
// same faces computed by GDAL/SpatiaLite (testdata/gdal_areas.csv says
// how). The footprint is projected back to the file's CRS and measured on
// that plane, which must agree to 1e-6. cim.AreaM2 measures on the
// ellipsoid instead; RD's scale factor is 0.99991 at its origin and grows
// away from it, so plane and ellipsoid areas differ by about 0.01 % in
// the Randstad: they must agree to 0.1 %.
func TestAreasAgainstGDAL(t *testing.T) {
	sample(t, "delft.json")
	rd, err := crs.Parse("EPSG:28992")
	if err != nil {
		t.Fatal(err)
	}
	areas := map[string]map[string]float64{}
	data, err := os.ReadFile("testdata/gdal_areas.csv")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(strings.TrimSpace(line), ",")
		a, err := strconv.ParseFloat(parts[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		if areas[parts[0]] == nil {
			areas[parts[0]] = map[string]float64{}
		}
		areas[parts[0]][parts[1]] = a
	}
	for file, want := range areas {
		t.Run(file, func(t *testing.T) {
			fs, _ := readFile(t, sample(t, file), Options{CRS: "EPSG:7415"})
			n := 0
			for _, f := range fs {
				w, ok := want[strings.TrimPrefix(f.ID, "cityjson:ds:")]
				if !ok {
					continue
				}
				n++
				plane := planarArea(f.Geometry, rd)
				if math.Abs(plane-w) > 1e-6*w {
					t.Errorf("%s: area %.6f m² on the RD plane, GDAL %.6f", f.ID, plane, w)
				}
				if a := cim.AreaM2(f.Geometry); math.Abs(a-w) > 1e-3*w {
					t.Errorf("%s: AreaM2 %.6f, GDAL %.6f on the plane", f.ID, a, w)
				}
			}
			if n != len(want) {
				t.Errorf("compared %d footprints, GDAL has %d", n, len(want))
			}
		})
	}
}

// planarArea measures a polygon on the plane of c.
func planarArea(g geom.T, c *crs.CRS) float64 {
	var polys [][]int
	switch g := g.(type) {
	case *geom.Polygon:
		polys = [][]int{g.Ends()}
	case *geom.MultiPolygon:
		polys = g.Endss()
	default:
		return 0
	}
	flat := g.FlatCoords()
	var sum float64
	start := 0
	for _, ends := range polys {
		for _, end := range ends {
			var a float64
			x0, y0 := c.FromLonLat(flat[start], flat[start+1])
			for i := start; i+3 < end; i += 2 {
				x1, y1 := c.FromLonLat(flat[i], flat[i+1])
				x2, y2 := c.FromLonLat(flat[i+2], flat[i+3])
				a += (x1-x0)*(y2-y0) - (x2-x0)*(y1-y0)
			}
			sum += a / 2
			start = end
		}
	}
	return sum
}

// TestCityBuf reads the 3D BAG CityJSONSeq sample: its header and its one
// (pretty-printed) CityJSONFeature come in two files.
func TestCityBuf(t *testing.T) {
	hdr, err := os.ReadFile(sample(t, "3dbag_citybuf/metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	feat, err := os.ReadFile(sample(t, "3dbag_citybuf/503100000000296.city.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	fs, r, err := readAll(t, io.MultiReader(bytes.NewReader(hdr), bytes.NewReader(feat)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Seq() || len(fs) != 2 || fs[0].Class != cim.ClassBuilding || fs[1].Parent != fs[0].ID {
		t.Fatalf("seq %v, features %v", r.Seq(), fs)
	}
	// The feature's vertices are whole metres (85348…85376, 447084…447104,
	// z 0…14), not integers of the header's transform (scale 0.001,
	// translate 85373.406 447090.518): read as the format says, the
	// building is 28 mm wide. With a header of scale 1 it lands in Delft
	// (85362 447094 is 4.372936 52.007839 by gdaltransform -s_srs
	// EPSG:28992 -t_srs EPSG:4326), and its footprint, within 28 m × 20 m,
	// is in line with the BAG's floor area attributes (oppervlakte_min
	// 198, oppervlakte_max 338 m²).
	fixed := bytes.Replace(hdr, []byte(`0.001,`), []byte(`1,`), 2)
	fixed = bytes.Replace(fixed, []byte(`0.001`), []byte(`1`), 1)
	fixed = bytes.Replace(fixed, []byte(`85373.406000000003`), []byte(`0`), 1)
	fixed = bytes.Replace(fixed, []byte(`447090.51799999998`), []byte(`0`), 1)
	fs, _, err = readAll(t, io.MultiReader(bytes.NewReader(fixed), bytes.NewReader(feat)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	lon, lat := cim.Centroid(fs[0].Geometry)
	if a := cim.AreaM2(fs[0].Geometry); a < 198 || a > 400 || math.Abs(lon-4.372936) > 1e-4 || math.Abs(lat-52.007839) > 1e-4 {
		t.Errorf("footprint of %.1f m² at %.5f, %.5f", a, lon, lat)
	}
	if h := fs[0].Vertical.HeightM; h != 14 {
		t.Errorf("height %v, want 14 from the geometry", h)
	}
}

// TestGolden reads testdata/*.city.json and *.city.jsonl and compares a
// dump of the features with the .golden file next to each; -update
// rewrites them.
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/*.city.json*")
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fs, r, err := readAll(t, f, Options{Dataset: "scheme", Stage: cim.StagePlanning, Name: filepath.Base(in), SkipInvalid: true})
			var b strings.Builder
			for _, f := range fs {
				b.WriteString(dump(f))
				b.WriteByte('\n')
			}
			if r != nil {
				for _, s := range r.Skipped() {
					fmt.Fprintf(&b, "skipped: %v\n", s)
				}
				keys := make([]string, 0, len(r.Warnings()))
				for k := range r.Warnings() {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				for _, k := range keys {
					fmt.Fprintf(&b, "warning: %s ×%d\n", k, r.Warnings()[k])
				}
			}
			if err != nil {
				fmt.Fprintf(&b, "error: %v\n", err)
			}
			checkGolden(t, in[:strings.Index(in, ".city")]+".golden", b.String())
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// dump writes a feature on one line, properties sorted, coordinates to
// 1e-7° (about a centimetre).
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
	var coords []string
	for _, c := range f.Geometry.FlatCoords() {
		coords = append(coords, strconv.FormatFloat(c, 'f', 7, 64))
	}
	return fmt.Sprintf("%s %s kind=%q levels=%v parent=%q vertical=%+v area=%.2f geom=%T[%s] props=[%s]",
		f.ID, f.Class, f.Kind, f.Levels, f.Parent, f.Vertical, cim.AreaM2(f.Geometry), f.Geometry,
		strings.Join(coords, " "), strings.Join(props, " "))
}

// TestErrors reads testdata/errors/*.city.json, each with one fault, and
// compares the message with errors/*.golden.
func TestErrors(t *testing.T) {
	sentinel := map[string]error{
		"no_crs": ErrNoCRS, "version": ErrVersion, "not_cityjson": ErrNotCityJSON,
	}
	inputs, _ := filepath.Glob("testdata/errors/*.city.json")
	if len(inputs) == 0 {
		t.Fatal("no test files")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".city.json")
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, _, err = readAll(t, f, Options{Name: filepath.Base(in)})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if s := sentinel[name]; s != nil && !errors.Is(err, s) {
				t.Errorf("%v does not wrap %v", err, s)
			}
			checkGolden(t, strings.TrimSuffix(in, ".city.json")+".golden", err.Error()+"\n")
		})
	}
}

func TestTruncatedOffset(t *testing.T) {
	data, err := os.ReadFile("testdata/errors/truncated.city.json")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = readAll(t, bytes.NewReader(data), Options{})
	var e *Error
	if !errors.As(err, &e) || e.Offset != int64(len(data)) {
		t.Errorf("error %v, want one at byte %d, the end of the input", err, len(data))
	}
}

func TestSkipInvalid(t *testing.T) {
	f, err := os.Open("testdata/errors/vertex_range.city.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fs, r, err := readAll(t, f, Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || len(r.Skipped()) != 1 || r.Skipped()[0].Object != "bad" || r.Count() != 2 {
		t.Errorf("%d features, skipped %v, %d read", len(fs), r.Skipped(), r.Count())
	}
}

func TestOptionsCRS(t *testing.T) {
	in := `{"type":"CityJSON","version":"2.0","transform":{"scale":[1,1,1],"translate":[0,0,0]},"CityObjects":{},"vertices":[]}`
	if _, err := NewReader(strings.NewReader(in), Options{Dataset: "ds", CRS: "EPSG:9999999"}); err == nil || !strings.Contains(err.Error(), "EPSG:9999999") {
		t.Errorf("bad Options.CRS: %v", err)
	}
	r, err := NewReader(strings.NewReader(in), Options{Dataset: "ds", CRS: "EPSG:28992"})
	if err != nil || r.CRS().EPSG() != 28992 {
		t.Errorf("Options.CRS: %v", err)
	}
	// The file's own CRS wins.
	own := strings.Replace(in, `"vertices"`, `"metadata":{"referenceSystem":"https://www.opengis.net/def/crs/EPSG/0/7415"},"vertices"`, 1)
	if r, err := NewReader(strings.NewReader(own), Options{Dataset: "ds", CRS: "EPSG:4326"}); err != nil || r.CRS().EPSG() != 7415 {
		t.Errorf("file CRS: %v", err)
	}
}

// TestSeqStreams checks that a CityJSONSeq stream is read feature by
// feature: the first feature comes out before the rest of the input has
// been written.
func TestSeqStreams(t *testing.T) {
	data, err := os.ReadFile("testdata/seq.city.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	pr, pw := io.Pipe()
	started := make(chan struct{})
	go func() {
		pw.Write(bytes.Join(lines[:2], nil))
		// The rest follows only when the first feature has been read.
		<-started
		pw.Write(bytes.Join(lines[2:], nil))
		pw.Close()
	}()
	r, err := NewReader(bufio.NewReaderSize(pr, 16), Options{Dataset: "ds"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.Next()
	if err != nil || f.ID != "cityjson:ds:h0" {
		t.Fatalf("first feature %v, %v", f, err)
	}
	close(started)
	n := 1
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 6 {
		t.Errorf("%d features, want 6", n)
	}
}

func FuzzReader(f *testing.F) {
	for _, p := range []string{"testdata/v10_plain.city.json", "testdata/v20_storeys.city.json", "testdata/seq.city.jsonl",
		"testdata/errors/vertex_range.city.json", "testdata/errors/truncated.city.json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"type":"CityJSON","version":"1.1","metadata":{"referenceSystem":"EPSG:4326"},"CityObjects":{"a":{"type":"Building","geometry":[{"type":"MultiSurface","lod":"0","boundaries":[[[0,1,2],[2,1,0]]]}]}},"vertices":[[0,0,0],[1,0,0],[0,1,0]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), Options{Dataset: "fuzz", SkipInvalid: true, CRS: "EPSG:28992"})
		if err != nil {
			return
		}
		for range 1000 {
			feat, err := r.Next()
			if err != nil {
				return
			}
			if err := feat.Validate(); err != nil {
				t.Fatalf("reader returned an invalid feature: %v", err)
			}
		}
	})
}

func BenchmarkDelft(b *testing.B) {
	data, err := os.ReadFile(sample(b, "delft.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if fs, _, err := readAll(b, bytes.NewReader(data), Options{}); err != nil || len(fs) != 570 {
			b.Fatal(len(fs), err)
		}
	}
}

func TestTrailingData(t *testing.T) {
	in := `{"type":"CityJSON","version":"2.0","metadata":{"referenceSystem":"EPSG:28992"},"CityObjects":{},"vertices":[]}`
	for _, tail := range []string{"}", "]", "x"} {
		if _, _, err := readAll(t, strings.NewReader(in+"\n"+tail), Options{}); err == nil {
			t.Errorf("%q after the object: no error", tail)
		}
	}
	if _, err := NewReader(strings.NewReader(in+"\n \n"), Options{Dataset: "ds"}); err != nil {
		t.Error(err)
	}
}

// TestStrayHoles: a surface's inner ring outside its outer ring, or one
// around it, is dropped with a warning; one inside stays a hole.
func TestStrayHoles(t *testing.T) {
	// A 10 m square LandUse surface in EPSG:7415 (vertices in mm), with a
	// 2 m inner ring placed as each case says.
	const square = `[0,0,0],[10000,0,0],[10000,10000,0],[0,10000,0]`
	tests := []struct {
		name  string
		hole  string // four vertices 4..7
		area  float64
		warns int
	}{
		{"inside", `[4000,4000,0],[4000,6000,0],[6000,6000,0],[6000,4000,0]`, 96, 0},
		{"outside", `[54000,4000,0],[54000,6000,0],[56000,6000,0],[56000,4000,0]`, 100, 1},
		{"around", `[-1000,-1000,0],[-1000,11000,0],[11000,11000,0],[11000,-1000,0]`, 100, 1},
		{"the shell itself", `[0,0,0],[0,10000,0],[10000,10000,0],[10000,0,0]`, 100, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"type":"CityJSON","version":"2.0","transform":{"scale":[0.001,0.001,0.001],"translate":[85000,446000,0]},
"metadata":{"referenceSystem":"https://www.opengis.net/def/crs/EPSG/0/7415"},
"CityObjects":{"park":{"type":"LandUse","attributes":{"function":"park"},"geometry":[{"type":"MultiSurface","lod":"1","boundaries":[[[0,1,2,3],[4,5,6,7]]]}]}},
"vertices":[` + square + `,` + tt.hole + `]}`
			fs, r, err := readAll(t, strings.NewReader(doc), Options{Name: "park.city.json"})
			if err != nil || len(fs) != 1 {
				t.Fatalf("%d features, %v", len(fs), err)
			}
			n := 0
			for w, c := range r.Warnings() {
				if strings.Contains(w, "inner ring") {
					n += c
				}
			}
			if n != tt.warns {
				t.Errorf("%d warnings of a stray inner ring, want %d (%v)", n, tt.warns, r.Warnings())
			}
			if a := cim.AreaM2(fs[0].Geometry); math.Abs(a-tt.area) > 0.5 {
				t.Errorf("area %.2f m², want %g", a, tt.area)
			}
		})
	}
}
