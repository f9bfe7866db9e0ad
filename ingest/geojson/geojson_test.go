package geojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	gj "github.com/future-community/cim/geojson"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func readAll(t *testing.T, input string, opts Options) ([]*cim.Feature, *Reader, error) {
	t.Helper()
	if opts.Dataset == "" {
		opts.Dataset = "ds"
	}
	r, err := NewReader(strings.NewReader(input), opts)
	if err != nil {
		return nil, nil, err
	}
	var fs []*cim.Feature
	for {
		f, err := r.Next()
		if err == io.EOF {
			return fs, r, nil
		}
		if err != nil {
			return fs, r, err
		}
		fs = append(fs, f)
	}
}

const square = `{"type":"Polygon","coordinates":[[[120.2,30.25],[120.201,30.25],[120.201,30.251],[120.2,30.251],[120.2,30.25]]]}`

func feature(props, geometry string) string {
	return `{"type":"Feature","properties":` + props + `,"geometry":` + geometry + `}`
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",\n") + `]}`
}

func TestReaderMapsTags(t *testing.T) {
	tests := []struct {
		name   string
		props  string
		class  cim.Class
		kind   string
		levels cim.LevelRange
		check  func(*cim.Feature) error
	}{
		{"plain building", `{"building":"yes"}`, cim.ClassBuilding, "", cim.LevelRange{}, nil},
		{"tower with basements", `{"building":"residential","building:levels":"18","building:levels:underground":"2","height":"56 m"}`,
			cim.ClassBuilding, "residential", cim.LevelRange{Min: -2, Max: 17}, func(f *cim.Feature) error {
				if f.Vertical.LevelsAbove != 18 || f.Vertical.LevelsBelow != 2 || f.Vertical.HeightM != 56 {
					return fmt.Errorf("vertical %+v", f.Vertical)
				}
				return nil
			}},
		{"levels as numbers", `{"building":"apartments","building:levels":6}`, cim.ClassBuilding, "apartments", cim.LevelRange{Min: 0, Max: 5}, nil},
		{"height only", `{"building":"yes","height":30}`, cim.ClassBuilding, "", cim.LevelRange{Min: 0, Max: 9}, nil},
		{"underground garage", `{"building":"parking","building:levels":0,"building:levels:underground":2}`, cim.ClassBuilding, "parking", cim.LevelRange{Min: -2, Max: -1}, nil},
		{"building part from level 3", `{"building:part":"yes","building:levels":"10","building:min_level":"3"}`, cim.ClassBuildingPart, "", cim.LevelRange{Min: 3, Max: 9}, nil},
		{"kindergarten building", `{"building":"yes","amenity":"kindergarten"}`, cim.ClassBuilding, "kindergarten", cim.LevelRange{}, nil},
		{"room on two levels", `{"indoor":"room","level":"1;2"}`, cim.ClassSpace, "room", cim.LevelRange{Min: 1, Max: 2}, nil},
		{"basement corridor", `{"indoor":"corridor","level":"-1"}`, cim.ClassSpace, "corridor", cim.Level(-1), nil},
		{"mezzanine", `{"indoor":"area","level":"0.5"}`, cim.ClassSpace, "area", cim.Level(0.5), nil},
		{"park", `{"leisure":"park","name":"中央公园"}`, cim.ClassGreen, "park", cim.LevelRange{}, nil},
		{"grass", `{"landuse":"grass"}`, cim.ClassGreen, "grass", cim.LevelRange{}, nil},
		{"wood", `{"natural":"wood"}`, cim.ClassGreen, "wood", cim.LevelRange{}, nil},
		{"water", `{"natural":"water"}`, cim.ClassWater, "water", cim.LevelRange{}, nil},
		{"subway station", `{"railway":"station","station":"subway"}`, cim.ClassTransitStop, "subway_station", cim.LevelRange{}, nil},
		{"platform", `{"public_transport":"platform"}`, cim.ClassTransitStop, "platform", cim.LevelRange{}, nil},
		{"bus stop", `{"highway":"bus_stop"}`, cim.ClassTransitStop, "bus_stop", cim.LevelRange{}, nil},
		{"road", `{"highway":"residential"}`, cim.ClassRoad, "residential", cim.LevelRange{}, nil},
		{"clinic", `{"amenity":"clinic"}`, cim.ClassFacility, "clinic", cim.LevelRange{}, nil},
		{"elderly care", `{"amenity":"social_facility","social_facility":"nursing_home"}`, cim.ClassFacility, "nursing_home", cim.LevelRange{}, nil},
		{"shop", `{"shop":"supermarket"}`, cim.ClassFacility, "supermarket", cim.LevelRange{}, nil},
		{"roof garden", `{"leisure":"garden","roof:garden":"yes","level":"18"}`, cim.ClassGreen, "garden", cim.Level(18), nil},
		{"explicit class and level", `{"cim:class":"site","cim:level":"0","far_max":2.8}`, cim.ClassSite, "", cim.LevelRange{}, func(f *cim.Feature) error {
			if f.Props["far_max"] != 2.8 {
				return fmt.Errorf("props %v", f.Props)
			}
			if _, ok := f.Props["cim:class"]; ok {
				return errors.New("cim:class kept as a property")
			}
			return nil
		}},
		{"explicit storey", `{"cim:class":"storey","level":-1,"cim:elevation":-4.5,"cim:storey_height":4.5,"cim:parent":"b1"}`, cim.ClassStorey, "", cim.Level(-1), func(f *cim.Feature) error {
			v := f.Vertical
			if !v.Has(cim.KnownElevation|cim.KnownStoreyHeight) || v.ElevationM != -4.5 || v.StoreyHeightM != 4.5 {
				return fmt.Errorf("vertical %+v", v)
			}
			if f.Parent != "geojson:ds:b1" {
				return fmt.Errorf("parent %q", f.Parent)
			}
			return nil
		}},
		{"cim:kind overrides", `{"building":"yes","cim:kind":"coworking"}`, cim.ClassBuilding, "coworking", cim.LevelRange{}, nil},
		{"nothing known", `{"OBJECTID":7,"Built_Form":"Transit 10"}`, cim.ClassOther, "", cim.LevelRange{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, _, err := readAll(t, collection(feature(tt.props, square)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			f := fs[0]
			if f.Class != tt.class || f.Kind != tt.kind || f.Levels != tt.levels {
				t.Errorf("got class %v kind %q levels %v, want %v %q %v", f.Class, f.Kind, f.Levels, tt.class, tt.kind, tt.levels)
			}
			if tt.check != nil {
				if err := tt.check(f); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestReaderIDs(t *testing.T) {
	in := collection(
		`{"type":"Feature","id":"b-1","properties":{},"geometry":`+square+`}`,
		`{"type":"Feature","id":42,"properties":{},"geometry":`+square+`}`,
		`{"type":"Feature","id":"way/123","properties":{},"geometry":`+square+`}`,
		`{"type":"Feature","properties":{"@id":"node/9"},"geometry":{"type":"Point","coordinates":[120.2,30.2]}}`,
		`{"type":"Feature","id":"osm:w5","properties":{},"geometry":`+square+`}`,
		`{"type":"Feature","properties":{},"geometry":`+square+`}`,
	)
	fs, _, err := readAll(t, in, Options{Dataset: "zoning"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	want := []string{"geojson:zoning:b-1", "geojson:zoning:42", "osm:w123", "osm:n9", "osm:w5", "geojson:zoning:#5"}
	if !slices.Equal(ids, want) {
		t.Errorf("ids %q, want %q", ids, want)
	}
}

func TestReaderStages(t *testing.T) {
	in := collection(feature(`{}`, square), feature(`{"cim:stage":"design"}`, square))
	fs, _, err := readAll(t, in, Options{Stage: cim.StagePlanning})
	if err != nil {
		t.Fatal(err)
	}
	if fs[0].Stage != cim.StagePlanning || fs[1].Stage != cim.StageDesign {
		t.Errorf("stages %v %v", fs[0].Stage, fs[1].Stage)
	}
	fs, _, _ = readAll(t, collection(feature(`{}`, square)), Options{})
	if fs[0].Stage != cim.DefaultStage {
		t.Errorf("default stage %v", fs[0].Stage)
	}
}

func TestReaderRepairsWinding(t *testing.T) {
	cw := `{"type":"Polygon","coordinates":[[[120.2,30.25],[120.2,30.251],[120.201,30.251],[120.201,30.25],[120.2,30.25]]]}`
	fs, _, err := readAll(t, collection(feature(`{}`, cw)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	flat := fs[0].Geometry.FlatCoords()
	var s float64
	for i := 0; i+3 < len(flat); i += 2 {
		s += flat[i]*flat[i+3] - flat[i+2]*flat[i+1]
	}
	if s <= 0 {
		t.Error("exterior ring is still clockwise")
	}
}

func TestReaderFormats(t *testing.T) {
	f1 := `{"type":"Feature","id":"a","properties":{"building":"yes"},"geometry":` + square + `}`
	f2 := `{"type":"Feature","id":"b","properties":{},"geometry":{"type":"Point","coordinates":[120.2,30.2,12]}}`
	tests := []struct{ name, input string }{
		{"collection", collection(f1, f2)},
		{"features first", `{"features":[` + f1 + `,` + f2 + `],"type":"FeatureCollection","name":"x"}`},
		{"crs84", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[` + f1 + `,` + f2 + `]}`},
		{"seq", f1 + "\n" + f2 + "\n"},
		{"seq with record separators", "\x1e" + f1 + "\n\x1e" + f2 + "\n"},
		{"seq with blank lines", f1 + "\n\n" + f2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, _, err := readAll(t, tt.input, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 2 || fs[0].ID != "geojson:ds:a" || fs[1].ID != "geojson:ds:b" {
				t.Fatalf("got %d features %v", len(fs), fs)
			}
		})
	}
	t.Run("single feature", func(t *testing.T) {
		fs, _, err := readAll(t, f1, Options{})
		if err != nil || len(fs) != 1 {
			t.Fatalf("got %d features, err %v", len(fs), err)
		}
	})
	t.Run("empty collection", func(t *testing.T) {
		fs, _, err := readAll(t, `{"type":"FeatureCollection","features":[]}`, Options{})
		if err != nil || len(fs) != 0 {
			t.Fatalf("got %d features, err %v", len(fs), err)
		}
	})
}

// TestReaderErrors checks that each kind of bad input fails with an error
// that names the input, the feature and a byte offset, and what is wrong.
func TestReaderErrors(t *testing.T) {
	good := feature(`{}`, square)
	tests := []struct {
		name    string
		input   string
		feature int    // want Error.Feature
		msg     string // want in the message
	}{
		{"truncated", collection(good, good)[:len(collection(good, good))-20], 1, "unexpected end of input"},
		{"bad json", collection(good, `{"type":"Feature",,}`), 1, "invalid JSON"},
		{"NaN", collection(good, feature(`{}`, `{"type":"Point","coordinates":[NaN,1]}`)), 1, "invalid JSON"},
		{"unclosed ring", collection(good, good, feature(`{}`, `{"type":"Polygon","coordinates":[[[120.2,30.25],[120.201,30.25],[120.201,30.251],[120.2,30.251]]]}`)), 2, "not closed"},
		{"bow tie", collection(feature(`{}`, `{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,1],[0,0]]]}`)), 0, "self-intersects"},
		{"longitude out of range", collection(feature(`{}`, `{"type":"Point","coordinates":[190,30]}`)), 0, "outside"},
		{"latitude out of range", collection(good, feature(`{}`, `{"type":"LineString","coordinates":[[120,30],[120,95]]}`)), 1, "outside"},
		{"null geometry", collection(feature(`{}`, `null`)), 0, "no geometry"},
		{"geometry collection", collection(feature(`{}`, `{"type":"GeometryCollection","geometries":[]}`)), 0, "GeometryCollection"},
		{"short position", collection(feature(`{}`, `{"type":"Point","coordinates":[120]}`)), 0, "fewer than 2"},
		{"wrong nesting", collection(feature(`{}`, `{"type":"Polygon","coordinates":[[120,30]]}`)), 0, "Polygon"},
		{"bad stage", collection(feature(`{"cim:stage":"someday"}`, square)), 0, "cim:stage"},
		{"not a feature", collection(`{"type":"Point","coordinates":[1,2]}`), 0, "want \"Feature\""},
		{"trailing garbage", collection(good) + " {}", -1, "after the FeatureCollection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, tt.input, Options{Name: "in.geojson"})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if e.Feature != tt.feature {
				t.Errorf("feature %d, want %d (%v)", e.Feature, tt.feature, err)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "in.geojson: ") {
				t.Errorf("message %q lacks %q or the file name", err, tt.msg)
			}
			if tt.feature >= 0 && (e.Offset < 0 || e.Offset > int64(len(tt.input))) {
				t.Errorf("offset %d outside the input", e.Offset)
			}
		})
	}
}

func TestReaderRefusesOtherCRS(t *testing.T) {
	in := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}},"features":[]}`
	_, _, err := readAll(t, in, Options{})
	if err == nil || !strings.Contains(err.Error(), "EPSG::4547") || !strings.Contains(err.Error(), "ogr2ogr") {
		t.Errorf("error %v, want one naming the CRS and how to reproject", err)
	}
}

func TestReaderNotGeoJSON(t *testing.T) {
	for _, in := range []string{`[1,2]`, `{"type":"Topology"}`, `{"foo":1}`, `"x"`} {
		if _, _, err := readAll(t, in, Options{}); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

func TestSkipInvalid(t *testing.T) {
	bad := feature(`{}`, `{"type":"Point","coordinates":[200,0]}`)
	in := collection(feature(`{}`, square), bad, feature(`{}`, square), bad)
	fs, r, err := readAll(t, in, Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || len(r.Skipped()) != 2 || r.Count() != 4 {
		t.Fatalf("%d features, %d skipped, %d read", len(fs), len(r.Skipped()), r.Count())
	}
	if got := r.Skipped()[1].Feature; got != 3 {
		t.Errorf("second skipped is feature %d, want 3", got)
	}
	// Broken JSON cannot be skipped.
	if _, _, err := readAll(t, collection(feature(`{}`, square), `{"type":`), Options{SkipInvalid: true}); err == nil {
		t.Error("broken JSON skipped")
	}
}

func TestWarningsForUnreadableTags(t *testing.T) {
	in := collection(feature(`{"building":"yes","building:levels":"many"}`, square), feature(`{"building":"yes","building:levels":"many","height":"tall"}`, square))
	_, r, err := readAll(t, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := r.Warnings(); w["unreadable building:levels=many"] != 2 || w["unreadable height=tall"] != 1 {
		t.Errorf("warnings %v", w)
	}
}

// TestRoundTrip writes features and reads them back unchanged.
func TestRoundTrip(t *testing.T) {
	fs, _, err := readAll(t, mustRead(t, "testdata/scheme.geojson"), Options{Dataset: "scheme", Stage: cim.StagePlanning, SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range []bool{false, true} {
		var buf bytes.Buffer
		w := gj.NewWriter(&buf, seq)
		for _, f := range fs {
			if err := w.Write(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		back, _, err := readAll(t, buf.String(), Options{Dataset: "scheme", Stage: cim.StageAsBuilt})
		if err != nil {
			t.Fatalf("seq=%v: %v\n%s", seq, err, buf.String())
		}
		if len(back) != len(fs) {
			t.Fatalf("seq=%v: %d features back, want %d", seq, len(back), len(fs))
		}
		for i := range fs {
			if got, want := dump(back[i]), dump(fs[i]); got != want {
				t.Errorf("seq=%v feature %d:\n got %s\nwant %s", seq, i, got, want)
			}
		}
	}
}

// TestGolden reads testdata/*.geojson and compares a dump of the features
// with the .golden file next to it; -update rewrites them.
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/*.geojson")
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			fs, r, err := readAll(t, mustRead(t, in), Options{Dataset: "scheme", Stage: cim.StagePlanning, Name: filepath.Base(in), SkipInvalid: true})
			var b strings.Builder
			for _, f := range fs {
				b.WriteString(dump(f))
				b.WriteByte('\n')
			}
			for _, s := range r.Skipped() {
				fmt.Fprintf(&b, "skipped: %v\n", s)
			}
			if err != nil {
				fmt.Fprintf(&b, "error: %v\n", err)
			}
			golden := strings.TrimSuffix(in, ".geojson") + ".golden"
			if *update {
				os.WriteFile(golden, []byte(b.String()), 0o644)
			}
			if want := mustRead(t, golden); b.String() != want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), want)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
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
	return fmt.Sprintf("%s %s kind=%q levels=%v stage=%v parent=%q vertical=%+v geom=%T%v props=[%s]",
		f.ID, f.Class, f.Kind, f.Levels, f.Stage, f.Parent, f.Vertical, f.Geometry, f.Geometry.FlatCoords(), strings.Join(props, " "))
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		collection(feature(`{"building":"yes","building:levels":"5"}`, square)),
		feature(`{"level":"1;2"}`, `{"type":"Point","coordinates":[1,2]}`) + "\n" + feature(`{}`, square),
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]},"properties":null}]}`,
		`{"features":[`,
		"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Fe\x00\x00",
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":-1.5e3,"t":true,"x":nul}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), Options{Dataset: "fuzz", SkipInvalid: true})
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

func ExampleNewReader() {
	in := `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"t1","properties":{"building":"residential","building:levels":"26","building:levels:underground":"2"},
 "geometry":{"type":"Polygon","coordinates":[[[120.21,30.255],[120.2103,30.255],[120.2103,30.2553],[120.21,30.2553],[120.21,30.255]]]}},
{"type":"Feature","properties":{"railway":"station","station":"subway","name":"Metro"},"geometry":{"type":"Point","coordinates":[120.211,30.256]}}]}`
	r, err := NewReader(strings.NewReader(in), Options{Dataset: "scheme", Stage: cim.StagePlanning})
	if err != nil {
		panic(err)
	}
	for {
		f, err := r.Next()
		if err != nil {
			break
		}
		fmt.Println(f.ID, f.Class, f.Kind, "floors", f.Levels)
	}
	// Output:
	// geojson:scheme:t1 building residential floors -2..25
	// geojson:scheme:#1 transit_stop subway_station floors 0
}

func TestSeqWithALongFirstRecord(t *testing.T) {
	long := feature(`{"note":"`+strings.Repeat("x", 80<<10)+`"}`, square)
	for name, in := range map[string]string{
		"newlines":              long + "\n" + feature(`{}`, square) + "\n",
		"no newline at the end": long + "\n" + feature(`{}`, square),
		"record separators":     "\x1e" + long + "\n\x1e" + feature(`{}`, square) + "\n",
	} {
		fs, r, err := readAll(t, in, Options{})
		if err != nil || len(fs) != 2 || !r.Seq() {
			t.Errorf("%s: %d features, seq %v, err %v", name, len(fs), r != nil && r.Seq(), err)
		}
	}
	if _, _, err := readAll(t, feature(`{}`, square)+" garbage", Options{}); err == nil {
		t.Error("a Feature followed by garbage was accepted")
	}
}

// TestErrorOffsetsAreExact builds a long collection with a fault in
// feature 700 and checks that the error points into that feature.
func TestErrorOffsetsAreExact(t *testing.T) {
	faults := map[string]struct {
		bad  string // the feature replacing number 700
		want string // the text the offset must point at
	}{
		"properties not an object": {`{"type":"Feature","properties":[1],"geometry":` + square + `}`, `[1]`},
		"syntax error":             {`{"type":"Feature","properties":{"a":tru},"geometry":` + square + `}`, `tru`},
		"bad geometry":             {feature(`{}`, `{"type":"Point","coordinates":[500,0]}`), `{"type":"Feature"`},
	}
	for name, fault := range faults {
		for _, seq := range []bool{false, true} {
			var parts []string
			for i := range 1000 {
				if i == 700 {
					parts = append(parts, fault.bad)
				} else {
					parts = append(parts, feature(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("p", i%37)), square))
				}
			}
			in := collection(parts...)
			if seq {
				in = "\x1e" + strings.Join(parts, "\n\x1e") + "\n"
			}
			_, _, err := readAll(t, in, Options{})
			var e *Error
			if !errors.As(err, &e) || e.Feature != 700 {
				t.Fatalf("%s seq=%v: %v", name, seq, err)
			}
			// The offset points at the fault, or just past it where
			// encoding/json notices it.
			at := strings.Index(in, fault.bad) + strings.Index(fault.bad, fault.want)
			if e.Offset < int64(at) || e.Offset > int64(at+len(fault.want)+1) {
				t.Errorf("%s seq=%v: offset %d points at %q, want %q at %d", name, seq, e.Offset, in[e.Offset:min(len(in), int(e.Offset)+20)], fault.want, at)
			}
		}
	}
}

func TestByteOrderMark(t *testing.T) {
	fs, _, err := readAll(t, "\ufeff"+collection(feature(`{}`, square)), Options{})
	if err != nil || len(fs) != 1 {
		t.Errorf("%d features, %v", len(fs), err)
	}
}

func TestLargeIntegerIDsStayDistinct(t *testing.T) {
	in := collection(`{"type":"Feature","id":9007199254740993,"properties":{},"geometry":`+square+`}`,
		`{"type":"Feature","id":9007199254740992,"properties":{},"geometry":`+square+`}`)
	fs, _, err := readAll(t, in, Options{Dataset: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if fs[0].ID != "geojson:x:9007199254740993" || fs[1].ID != "geojson:x:9007199254740992" {
		t.Errorf("ids %q %q", fs[0].ID, fs[1].ID)
	}
}

func TestCGCS2000IsAccepted(t *testing.T) {
	in := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[` + feature(`{}`, square) + `]}`
	if _, _, err := readAll(t, in, Options{}); err != nil {
		t.Error(err)
	}
}

func TestWriterWritesValidJSON(t *testing.T) {
	fs, _, err := readAll(t, collection(feature(`{"name":"a\u0007b\u007f\u2028 \"q\" \\ 站","tab":"\t"}`, square)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs[0].Props["bad utf8"] = "x\xffy"
	var buf bytes.Buffer
	w := gj.NewWriter(&buf, false)
	w.Write(fs[0])
	w.Close()
	if !json.Valid(buf.Bytes()) {
		t.Fatalf("invalid JSON:\n%s", buf.String())
	}
	back, _, err := readAll(t, buf.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if back[0].Props["name"] != fs[0].Props["name"] || back[0].Props["bad utf8"] != "x\ufffdy" {
		t.Errorf("props back %q", back[0].Props)
	}
}

func TestGeometryNotAnObject(t *testing.T) {
	for in, want := range map[string]string{`[]`: "geometry is an array", `"x"`: "geometry is a string", `5`: "geometry is a number"} {
		_, _, err := readAll(t, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":`+in+`}]}`, Options{})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "Go value") {
			t.Errorf("geometry %s: %v, want %q", in, err, want)
		}
	}
}
