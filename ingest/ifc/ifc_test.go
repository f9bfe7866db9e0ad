package ifc

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/crs"
	"github.com/future-community/cim/ingest/ifc/step"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dataDir holds the shared sample models (see SOURCES.md there).
const dataDir = "../../../shared/data/ifc"

func readAll(t testing.TB, path string, opts Options) ([]*cim.Feature, *Reader) {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s is absent: the shared IFC samples are not checked out", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opts.Dataset == "" {
		opts.Dataset = "test"
	}
	opts.Name = filepath.Base(path)
	r, err := NewReader(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	var fs []*cim.Feature
	for {
		ft, err := r.Next()
		if err == io.EOF {
			return fs, r
		}
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, ft)
	}
}

func TestSampleModels(t *testing.T) {
	for _, tc := range []struct {
		file       string
		elevations []float64 // storeys, level 0 first
		levels     []float64
		spaces     int
		netM2      float64
		refLat     float64
		refLon     float64
		withinM    float64 // how far from the reference point feature centroids may be
		// slabM2 is each storey's floor slab area, 0 where it has none:
		// the sums of the slabs' own areas in the files (FZK-Haus
		// BaseQuantities GrossArea, Revit's PSet_Revit_Dimensions Area of
		// the structural slabs; the duplex finish floors lie on these and
		// its two exterior slabs on grade, 25.42 m² each, bear no room).
		slabM2 []float64
	}{
		// RefLatitude/RefLongitude as the files write them (SOURCES.md).
		{"AC20-FZK-Haus.ifc", []float64{0, 2.7}, []float64{0, 1}, 7, 173.34, dms(49, 6, 1, 566000), dms(8, 26, 11, 540400), 50,
			[]float64{120, 115.64}},
		{"duplex.ifc", []float64{-1.25, 0, 3.1, 6.0}, []float64{-1, 0, 1, 2}, 21, 422.05, dms(41, 52, 27, 840000), dms(-87, -38, -21, -839999), 50,
			[]float64{0, 2 * 64.779928, 59.229018 + 59.333748, 0}},
		{"Office_A_20110811.ifc", []float64{0, 4.267221, 7.924821}, []float64{0, 1, 2}, 99, 3582.01, dms(42, 21, 30, 344238), dms(-71, -3, -35, -194702),
			// The building is 50 m × 36 m with the site's origin, where the
			// reference point is, at its north-west corner: its centroid is
			// 30 m away but the far rooms' centroids are up to 58 m.
			60, []float64{0, 0, 0}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			fs, r := readAll(t, filepath.Join(dataDir, tc.file), Options{})
			byID := map[string]*cim.Feature{}
			var storeys []*cim.Feature
			var spaces, agree int
			var net, far, farVertex, farBuilding float64
			for _, f := range fs {
				byID[f.ID] = f
				if f.Parent != "" && byID[f.Parent] == nil {
					t.Errorf("%s comes before its parent %s", f.ID, f.Parent)
				}
				switch f.Class {
				case cim.ClassStorey:
					storeys = append(storeys, f)
				case cim.ClassSpace:
					spaces++
					n, _ := f.Props["net_floor_area_m2"].(float64)
					net += n
					if byID[f.Parent].Class != cim.ClassStorey || byID[f.Parent].Levels != f.Levels {
						t.Errorf("space %s: parent %s, levels %v", f.ID, f.Parent, f.Levels)
					}
					q, ok := f.Props["gross_floor_area_m2"].(float64)
					if !ok {
						q = n
					}
					if g, _ := f.Props["geometric_floor_area_m2"].(float64); math.Abs(g-q) <= AreaTolerance*q {
						agree++
					}
				}
				lon, lat := cim.Centroid(f.Geometry)
				far = math.Max(far, cim.DistanceM(lon, lat, tc.refLon, tc.refLat))
				if f.Class == cim.ClassBuilding {
					farBuilding = math.Max(farBuilding, cim.DistanceM(lon, lat, tc.refLon, tc.refLat))
				}
				flat := f.Geometry.FlatCoords()
				for i := 0; i < len(flat); i += 2 {
					farVertex = math.Max(farVertex, cim.DistanceM(flat[i], flat[i+1], tc.refLon, tc.refLat))
				}
			}
			sort.SliceStable(storeys, func(i, j int) bool { return storeys[i].Levels.Min < storeys[j].Levels.Min })
			if len(storeys) != len(tc.elevations) {
				t.Fatalf("%d storeys, want %d", len(storeys), len(tc.elevations))
			}
			var ground float64
			for i, s := range storeys {
				if s.Levels.Min == 0 {
					ground = tc.elevations[i]
				}
			}
			for i, s := range storeys {
				if s.Levels != cim.Level(tc.levels[i]) || math.Abs(s.Vertical.ElevationM-(tc.elevations[i]-ground)) > 1e-3 {
					t.Errorf("storey %v: level %v elevation %.4f, want %v, %.4f", s.Props["Name"], s.Levels, s.Vertical.ElevationM, tc.levels[i], tc.elevations[i]-ground)
				}
				slab, _ := s.Props["slab_area_m2"].(float64)
				if math.Abs(slab-tc.slabM2[i]) > 0.005*tc.slabM2[i] || (slab > 0) != (s.Props["footprint_source"] == "slabs") {
					t.Errorf("storey %v: slab area %.3f m² (plan from %v), want %.3f", s.Props["Name"], slab, s.Props["footprint_source"], tc.slabM2[i])
				}
				if slab > 0 && math.Abs(cim.AreaM2(s.Geometry)-slab) > 0.001*slab {
					t.Errorf("storey %v: plan %.3f m², slabs %.3f m²: parts overlap", s.Props["Name"], cim.AreaM2(s.Geometry), slab)
				}
				if i+1 < len(storeys) && math.Abs(s.Vertical.StoreyHeightM-(tc.elevations[i+1]-tc.elevations[i])) > 1e-3 {
					t.Errorf("storey %v: height %.4f", s.Props["Name"], s.Vertical.StoreyHeightM)
				}
			}
			if spaces != tc.spaces || math.Abs(net-tc.netM2) > 0.01 {
				t.Errorf("%d spaces, net floor area %.4f m²; want %d, %.2f", spaces, net, tc.spaces, tc.netM2)
			}
			if farBuilding == 0 || farBuilding > 50 {
				t.Errorf("the building's centroid lies %.1f m from the site's reference point, want within 50 m", farBuilding)
			}
			if far > tc.withinM {
				t.Errorf("a feature's centroid lies %.1f m from the site's reference point", far)
			}
			d := 0
			for k, n := range r.Warnings() {
				if strings.HasPrefix(k, warnAreaDiffers) {
					d += n
				}
			}
			if d != spaces-agree {
				t.Errorf("%d area warnings, %d spaces disagree", d, spaces-agree)
			}
			t.Logf("%d storeys, %d spaces, net %.3f m²; building centroid %.1f m from the reference point, other centroids within %.1f m, vertices within %.1f m; geometric area within 2 %% of the quantity set for %d of %d spaces",
				len(storeys), spaces, net, farBuilding, far, farVertex, agree, spaces)
		})
	}
}

// TestMapConversion checks the buildingSMART UTM sample against PROJ:
// the model's origin lies at the map conversion's Eastings/Northings,
//
//	echo "458657.30 5438232.25" | cs2cs -f %.9f EPSG:25832 EPSG:4326
//	49.095551021	8.433679798 0.000000000
func TestMapConversion(t *testing.T) {
	const wantLon, wantLat = 8.433679798, 49.095551021
	fs, r := readAll(t, filepath.Join(dataDir, "geographic-referencing-utm.ifc"), Options{})
	if len(fs) != 3 {
		t.Fatalf("%d features, want site, building, storey", len(fs))
	}
	for _, f := range fs {
		lon, lat := cim.Centroid(f.Geometry)
		if d := cim.DistanceM(lon, lat, wantLon, wantLat); d > 0.01 {
			t.Errorf("%s at %.9f, %.9f: %.3f m from PROJ's point", f.ID, lon, lat, d)
		}
	}
	if g := fs[0].Props["georeferencing"]; g != "IfcMapConversion to EPSG:25832, Scale 1000 read as project units per map unit" {
		t.Errorf("georeferencing %q", g)
	}
	t.Logf("warnings: %v", r.Warnings())
}

// TestMapConversionScale reads the UTM sample's map conversion with other
// scales and units: a point 10 m along the model's x axis must land
// 10 m × the grid scale along the map conversion's x axis.
func TestMapConversionScale(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(dataDir, "geographic-referencing-utm.ifc"))
	if err != nil {
		t.Skipf("%v (../shared/data is not beside this checkout)", err)
	}
	const mc = "#2= IFCMAPCONVERSION(#100011,#1,458657.30,5438232.25,113.7,0.270600445976,0.962691746426,1000.);"
	const mm = "#100061= IFCSIUNIT(*,.LENGTHUNIT.,.MILLI.,.METRE.);"
	if !bytes.Contains(src, []byte(mc)) || !bytes.Contains(src, []byte(mm)) {
		t.Fatal("the sample has changed")
	}
	for _, tc := range []struct {
		name, scale, unit string
		grid              float64 // map metres per model metre
		warn              string
	}{
		{"schema: mm to m", "0.001", mm, 1, ""},
		{"reciprocal: mm per m", "1000.", mm, 1, "reciprocal"},
		{"omitted, mm: units only", "$", mm, 1, ""},
		{"1 on mm", "1.", mm, 1, "fits neither way"},
		{"grid scale, metres", "0.9996", "#100061= IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);", 0.9996, ""},
		{"omitted, metres", "$", "#100061= IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);", 1, ""},
		{"grid scale on mm", "0.0009996", mm, 0.9996, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Replace(src, []byte(mc), []byte(strings.Replace(mc, "1000.);", tc.scale+");", 1)), 1)
			b = bytes.Replace(b, []byte(mm), []byte(tc.unit), 1)
			sr, err := step.NewReader(bytes.NewReader(b), "utm.ifc")
			if err != nil {
				t.Fatal(err)
			}
			m, err := load(sr, "utm.ifc")
			if err != nil {
				t.Fatal(err)
			}
			warns := map[string]int{}
			m.warn = func(s string) { warns[s]++ }
			m.units(m.ofType("IFCPROJECT")[0])
			g, err := m.mapConversion(m.ofType("IFCMAPCONVERSION")[0])
			if err != nil {
				t.Fatal(err)
			}
			theta := math.Atan2(0.962691746426, 0.270600445976)
			sin, cos := math.Sincos(theta)
			c, _ := crs.Lookup(25832)
			for _, p := range [][2]float64{{10, 0}, {0, 10}, {-3, 7}} {
				e := 458657.30 + tc.grid*(p[0]*cos-p[1]*sin)
				n := 5438232.25 + tc.grid*(p[0]*sin+p[1]*cos)
				wantLon, wantLat := c.ToLonLat(e, n)
				lon, lat := g.fn(p[0], p[1])
				if d := cim.DistanceM(lon, lat, wantLon, wantLat); d > 1e-3 {
					t.Errorf("%v lands %.4f m from E %.3f N %.3f", p, d, e, n)
				}
			}
			got := ""
			for k := range warns {
				got += k
			}
			if (tc.warn == "") != (got == "") || !strings.Contains(got, tc.warn) {
				t.Errorf("warnings %q, want one with %q", got, tc.warn)
			}
		})
	}
}

func TestAnchor(t *testing.T) {
	fs, _ := readAll(t, "testdata/nogeoref.ifc", Options{Anchor: &cim.Anchor{Lon: 120.15, Lat: 30.25, RotationDeg: 90}})
	var space *cim.Feature
	for _, f := range fs {
		if f.Class == cim.ClassSpace {
			space = f
		}
	}
	if space == nil {
		t.Fatal("no space")
	}
	// A 10 m × 5 m room from the origin along +x, +y; +y points east, so
	// +x points south.
	if a := cim.AreaM2(space.Geometry); math.Abs(a-50) > 0.01 {
		t.Errorf("area %.4f m², want 50", a)
	}
	lon, lat := cim.Centroid(space.Geometry)
	wantLon, wantLat := cim.Destination(120.15, 30.25, 90, 2.5)
	wantLon, wantLat = cim.Destination(wantLon, wantLat, 180, 5)
	if d := cim.DistanceM(lon, lat, wantLon, wantLat); d > 0.01 {
		t.Errorf("centroid %.3f m from where it should be", d)
	}
	if space.Props["net_floor_area_m2"] != 49.0 || space.Props["gross_floor_area_m2"] != 50.0 {
		t.Errorf("props %v", space.Props)
	}
}

// TestAnchorOverrides checks that an anchor places a model whatever
// georeferencing the file has, with a warning naming what it replaced,
// and that a site at an authoring tool's default location is warned of.
func TestAnchorOverrides(t *testing.T) {
	house, err := os.ReadFile("testdata/nogeoref.ifc")
	if err != nil {
		t.Fatal(err)
	}
	// withSite gives the house's site a RefLatitude/RefLongitude.
	withSite := func(lat, lon string) []byte {
		const site = `.ELEMENT.,$,$,$,$,$);`
		if bytes.Count(house, []byte(site)) != 1 {
			t.Fatal("nogeoref.ifc: the site is not where the test expects it")
		}
		return bytes.Replace(house, []byte(site), []byte(".ELEMENT.,"+lat+","+lon+",$,$,$);"), 1)
	}
	shared := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dataDir, name))
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	anchor := &cim.Anchor{Lon: 120.15, Lat: 30.25, RotationDeg: 12}
	for _, tc := range []struct {
		name string
		file []byte
		// Without an anchor: the warning wanted ("" for none with
		// "--anchor"), or the error.
		warn, err string
		// With one: the warning naming what it replaces ("" for none).
		replaced string
		// How far from the anchor the model may lie, metres.
		withinM float64
	}{
		{"no georeferencing", house, "", "no georeferencing", "", 20},
		{"site at 0, 0", withSite("(0,0,0)", "(0,0,0)"), "", "RefLatitude/RefLongitude is 0, 0", "", 20},
		{"site at Revit's Boston", withSite("(42,21,30,344238)", "(-71,-3,-35,-194702)"),
			"is Revit's default location (Boston, MA), not the project's location: give the longitude and latitude of the model's origin with --anchor", "",
			"replaces the file's own georeferencing, IfcSite RefLatitude/RefLongitude 42.3584290, -71.0597763", 20},
		{"site in Hangzhou", withSite("(30,15,0,0)", "(120,9,0,0)"), "", "",
			"replaces the file's own georeferencing, IfcSite RefLatitude/RefLongitude 30.2500000, 120.1500000", 20},
		{"duplex.ifc (Revit)", shared("duplex.ifc"), "is Revit's default location (Chicago, IL)", "",
			"replaces the file's own georeferencing, IfcSite RefLatitude/RefLongitude 41.8744", 60},
		{"Office_A (Revit)", shared("Office_A_20110811.ifc"), "is Revit's default location (Boston, MA)", "",
			"replaces the file's own georeferencing, IfcSite RefLatitude/RefLongitude 42.3584", 100},
		{"FZK-Haus (ArchiCAD, placed)", shared("AC20-FZK-Haus.ifc"), "", "",
			"replaces the file's own georeferencing, IfcSite RefLatitude/RefLongitude 49.1004", 60},
		{"UTM sample (map conversion)", shared("geographic-referencing-utm.ifc"), "", "",
			"replaces the file's own georeferencing, IfcMapConversion to EPSG:25832", 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.file == nil {
				t.Skipf("%s is absent: the shared IFC samples are not checked out", dataDir)
			}
			r, err := NewReader(bytes.NewReader(tc.file), Options{Dataset: "t", Name: "t.ifc"})
			switch {
			case tc.err != "":
				if !errors.Is(err, ErrNoGeoref) || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--anchor") {
					t.Errorf("without an anchor: %v, want ErrNoGeoref with %q and --anchor", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				got := warningWith(r.Warnings(), "--anchor")
				if (tc.warn == "") != (got == "") || !strings.Contains(got, tc.warn) {
					t.Errorf("without an anchor: warning %q, want one with %q", got, tc.warn)
				}
			}

			r, err = NewReader(bytes.NewReader(tc.file), Options{Dataset: "t", Name: "t.ifc", Anchor: anchor})
			if err != nil {
				t.Fatal(err)
			}
			got := warningWith(r.Warnings(), "replaces")
			if (tc.replaced == "") != (got == "") || !strings.Contains(got, tc.replaced) {
				t.Errorf("with an anchor: warning %q, want one with %q", got, tc.replaced)
			}
			if w := warningWith(r.Warnings(), "default location"); w != "" {
				t.Errorf("with an anchor, the default location is still warned of: %q", w)
			}
			n := 0
			for {
				f, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				if h, _ := f.Props["georeferencing"].(string); f.Kind == "site" && !strings.HasPrefix(h, "anchor 120.1500000, 30.2500000, rotation 12°") {
					t.Errorf("site georeferencing %q, want the anchor", h)
				}
				lon, lat := cim.Centroid(f.Geometry)
				if d := cim.DistanceM(lon, lat, anchor.Lon, anchor.Lat); d > tc.withinM {
					t.Errorf("%s lies %.0f m from the anchor, want within %.0f m", f.ID, d, tc.withinM)
				}
			}
			if n == 0 {
				t.Error("no features")
			}
		})
	}
}

// warningWith returns the warnings that contain sub, joined.
func warningWith(ws map[string]int, sub string) string {
	var out []string
	for k := range ws {
		if strings.Contains(k, sub) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func TestBadAnchor(t *testing.T) {
	for _, a := range []cim.Anchor{{Lon: 181}, {Lat: -91}, {Lon: math.NaN()}, {RotationDeg: math.Inf(1)}} {
		_, err := NewReader(strings.NewReader("ISO-10303-21;"), Options{Dataset: "t", Anchor: &a})
		if err == nil || !strings.Contains(err.Error(), "anchor") {
			t.Errorf("anchor %+v: %v, want an error naming the anchor", a, err)
		}
	}
}

func TestErrors(t *testing.T) {
	files := []string{"truncated.ifc", "dangling.ifc", "schema.ifc", "nogeoref.ifc", "cycle.ifc", "aggregation-cycle.ifc"}
	sentinels := map[string]error{
		"truncated.ifc": step.ErrTruncated, "dangling.ifc": ErrDangling, "schema.ifc": ErrSchema,
		"nogeoref.ifc": ErrNoGeoref, "cycle.ifc": ErrModel, "aggregation-cycle.ifc": ErrModel,
	}
	var b strings.Builder
	for _, name := range files {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = NewReader(f, Options{Dataset: "x", Name: name})
		f.Close()
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, sentinels[name]) {
			t.Errorf("%s: %v (%T), want an *Error wrapping %v", name, err, err, sentinels[name])
		}
		fmt.Fprintf(&b, "%v\n", err)
	}
	golden := filepath.Join("testdata", "errors.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("errors:\n%s\nwant:\n%s", b.String(), want)
	}
	if !strings.Contains(b.String(), "--anchor") {
		t.Error("the no-georeferencing error does not name --anchor")
	}
}

// TestSparseIDs reads a model whose instance ids are far apart (found by
// map rather than by slice) and gets the same features.
func TestSparseIDs(t *testing.T) {
	src, err := os.ReadFile("testdata/nogeoref.ifc")
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`#(\d+)`)
	sparse := ids.ReplaceAllFunc(src, func(b []byte) []byte {
		n, _ := strconv.Atoi(string(b[1:]))
		return []byte(fmt.Sprintf("#%d", 1_000_000_007*n))
	})
	opts := Options{Dataset: "t", Anchor: &cim.Anchor{Lon: 120.15, Lat: 30.25}}
	read := func(b []byte) []*cim.Feature {
		r, err := NewReader(bytes.NewReader(b), opts)
		if err != nil {
			t.Fatal(err)
		}
		var fs []*cim.Feature
		for {
			f, err := r.Next()
			if err == io.EOF {
				return fs
			}
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, f)
		}
	}
	if x := newInstances([]*step.Instance{{ID: 1_000_000_007}}, 1_000_000_007); x.sparse == nil {
		t.Fatal("ids a billion apart are held in a slice")
	}
	dense, far := read(src), read(sparse)
	if len(dense) == 0 || len(dense) != len(far) {
		t.Fatalf("%d features from dense ids, %d from sparse", len(dense), len(far))
	}
	for i := range dense {
		a, b := dense[i], far[i]
		if a.ID != b.ID || a.Class != b.Class || cim.AreaM2(a.Geometry) != cim.AreaM2(b.Geometry) {
			t.Errorf("feature %d: %s %v %.3f m² dense, %s %v %.3f m² sparse", i, a.ID, a.Class, cim.AreaM2(a.Geometry), b.ID, b.Class, cim.AreaM2(b.Geometry))
		}
	}
}

// TestShapes reads testdata/shapes.ifc, written by hand in feet (an
// IfcConversionBasedUnit): one space for each way a plan is read, a
// structural floor slab with a finish floor on it and a roof slab.
func TestShapes(t *testing.T) {
	const ft2 = 0.3048 * 0.3048
	fs, r := readAll(t, "testdata/shapes.ifc", Options{Anchor: &cim.Anchor{Lon: 120.15, Lat: 30.25}})
	want := map[string]struct {
		ft2    float64
		source string
		diff   any // floor_area_difference_pct
	}{
		"S1":     {200, "extrusion", 0.0},  // IfcRectangleProfileDef; NetFloorArea 18.58 m²
		"S2":     {75, "extrusion", -30.3}, // IfcPolyline L; NetFloorArea 10 m²
		"S3":     {64, "extrusion", nil},   // IfcIndexedPolyCurve
		"S4":     {96, "extrusion", nil},   // IfcArbitraryProfileDefWithVoids
		"S5":     {75, "bottom face", nil}, // IfcFacetedBrep L prism: not its hull (87.5)
		"S6":     {36, "bottom face", nil}, // IfcPolygonalFaceSet box
		"Ground": {72 * 30, "slabs", nil},  // the structural slab; finish and roof left out
	}
	seen := 0
	for _, f := range fs {
		name, _ := f.Props["Name"].(string)
		w, ok := want[name]
		if !ok {
			continue
		}
		seen++
		if got := cim.AreaM2(f.Geometry); math.Abs(got-w.ft2*ft2) > 1e-4*w.ft2*ft2 {
			t.Errorf("%s: %.6f m², want %.6f (%g sq ft)", name, got, w.ft2*ft2, w.ft2)
		}
		if f.Props["footprint_source"] != w.source {
			t.Errorf("%s: footprint_source %v, want %s", name, f.Props["footprint_source"], w.source)
		}
		if d := f.Props["floor_area_difference_pct"]; d != w.diff {
			t.Errorf("%s: floor_area_difference_pct %v, want %v", name, d, w.diff)
		}
		if b := f.Props["floor_area_basis"]; (w.diff != nil) != (b == "net_floor_area_m2") {
			t.Errorf("%s: floor_area_basis %v", name, b)
		}
	}
	if seen != len(want) {
		t.Errorf("%d of the %d features found", seen, len(want))
	}
	var diffWarn int
	for k, n := range r.Warnings() {
		if strings.HasPrefix(k, warnAreaDiffers) {
			diffWarn += n
			if !strings.Contains(k, "-30.3 %") {
				t.Errorf("warning %q does not give the difference", k)
			}
		}
	}
	if diffWarn != 1 {
		t.Errorf("%d spaces warned of, want S2: %v", diffWarn, r.Warnings())
	}
	if r.Warnings()[warnOutdoorSlab] != 1 || r.Warnings()[warnSlabsShort] != 1 {
		t.Errorf("the terrace and the landing are not warned of: %v", r.Warnings())
	}
}
