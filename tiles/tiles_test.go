package tiles

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/query"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
	"github.com/twpayne/go-geom"
)

func TestParseParams(t *testing.T) {
	two := cim.Level(2)
	tests := []struct {
		query   string
		want    string // Params.Query() of the result
		levels  *cim.LevelRange
		badName string // the parameter a bad query names
	}{
		{"", "", nil, ""},
		{"level=2", "level=2", &two, ""},
		{"level=-1..3&stage=design", "level=-1..3&stage=design", &cim.LevelRange{Min: -1, Max: 3}, ""},
		{"layers=storey,building,storey&dataset=a", "dataset=a&layers=building%2Cstorey", nil, ""},
		{"stage=as-built&cachebuster=7", "stage=as-built", nil, ""},
		{"level=abc", "", nil, "level"},
		{"level=3..1", "", nil, "level"},
		{"level=1&level=2", "", nil, "level"},
		{"stage=nosuch", "", nil, "stage"},
		{"layers=nosuch", "", nil, "layers"},
		{"layers=building,", "", nil, "layers"},
		{"dataset=" + strings.Repeat("x", 300), "", nil, "dataset"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			p, err := ParseParams(q)
			if tt.badName != "" {
				var pe *problem.ParamError
				if !errors.As(err, &pe) || pe.Name != tt.badName {
					t.Fatalf("error %v, want one naming %s", err, tt.badName)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Query(); got != tt.want {
				t.Errorf("Query() = %q, want %q", got, tt.want)
			}
			if (p.Levels == nil) != (tt.levels == nil) || p.Levels != nil && *p.Levels != *tt.levels {
				t.Errorf("levels %v, want %v", p.Levels, tt.levels)
			}
		})
	}
}

func FuzzParseParams(f *testing.F) {
	for _, s := range []string{"", "level=2", "level=-1..3&stage=design&dataset=a&layers=storey,space", "level=0.5", "layers=%2C", "stage=any"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		p, err := ParseParams(q)
		if err != nil {
			var pe *problem.ParamError
			if !errors.As(err, &pe) || pe.Name == "" {
				t.Fatalf("error %v is not a ParamError naming the parameter", err)
			}
			return
		}
		// The canonical form reads back as the same parameters.
		q2, err := url.ParseQuery(p.Query())
		if err != nil {
			t.Fatal(err)
		}
		p2, err := ParseParams(q2)
		if err != nil || p2.Query() != p.Query() {
			t.Fatalf("%q → %q → %q, %v", s, p.Query(), p2.Query(), err)
		}
	})
}

func TestParseTile(t *testing.T) {
	tests := []struct {
		z, x, y string
		outside bool   // a 404
		bad     string // a 400 naming this parameter
	}{
		{"0", "0", "0", false, ""},
		{"20", "1048575", "1048575", false, ""},
		{"21", "0", "0", true, ""},
		{"2", "4", "0", true, ""},
		{"2", "0", "4", true, ""},
		{"a", "0", "0", false, "z"},
		{"1", "-1", "0", false, "x"},
		{"1", "0", "0.5", false, "y"},
		{"01", "0", "0", false, "z"},
		{"99999999999999999999999", "0", "0", false, "z"},
	}
	for _, tt := range tests {
		_, _, _, err := ParseTile(tt.z, tt.x, tt.y)
		var out *OutsideError
		var pe *problem.ParamError
		switch {
		case tt.outside && !errors.As(err, &out):
			t.Errorf("%s/%s/%s: %v, want outside the pyramid", tt.z, tt.x, tt.y, err)
		case tt.bad != "" && (!errors.As(err, &pe) || pe.Name != tt.bad):
			t.Errorf("%s/%s/%s: %v, want a bad %s", tt.z, tt.x, tt.y, err, tt.bad)
		case !tt.outside && tt.bad == "" && err != nil:
			t.Errorf("%s/%s/%s: %v", tt.z, tt.x, tt.y, err)
		}
	}
}

// TestTileGeometry checks the geometry rules of MVT 2.1 on hand-made
// shapes in tile coordinates.
func TestTileGeometry(t *testing.T) {
	square := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}} // anticlockwise on screen: negative area
	}
	tests := []struct {
		name  string
		in    orb.Geometry
		check func(t *testing.T, g orb.Geometry)
	}{
		{"outer ring turned clockwise, hole anticlockwise", orb.Polygon{square(100, 100, 900, 900), square(300, 300, 400, 400).Clone()}, func(t *testing.T, g orb.Geometry) {
			p := g.(orb.Polygon)
			if area(p[0]) <= 0 || area(p[1]) >= 0 {
				t.Errorf("areas %g, %g: want outer > 0, hole < 0", area(p[0]), area(p[1]))
			}
		}},
		{"clipped to the buffer", orb.Polygon{square(-5000, -5000, 9000, 9000)}, func(t *testing.T, g orb.Geometry) {
			b := g.Bound()
			if b.Min[0] < -Buffer || b.Max[0] > Extent+Buffer || b.Min[1] < -Buffer || b.Max[1] > Extent+Buffer {
				t.Errorf("bound %v reaches past the buffer", b)
			}
		}},
		{"below a pixel: dropped", orb.Polygon{square(10, 10, 20, 20)}, nil},
		{"short line: dropped", orb.LineString{{0, 0}, {3, 3}}, nil},
		{"point outside the buffer: dropped", orb.Point{-200, 10}, nil},
		{"whole units", orb.LineString{{0.4, 0.6}, {100.5, 200.2}, {300.7, 10}}, func(t *testing.T, g orb.Geometry) {
			for _, p := range g.(orb.LineString) {
				if p[0] != float64(int(p[0])) || p[1] != float64(int(p[1])) {
					t.Errorf("point %v is not on whole units", p)
				}
			}
		}},
		{"a hole collapsing to nothing goes, the polygon stays", orb.Polygon{square(0, 0, 1000, 1000), square(500, 500, 500.2, 500.2)}, func(t *testing.T, g orb.Geometry) {
			if p := g.(orb.Polygon); len(p) != 1 {
				t.Errorf("%d rings, want the outer one", len(p))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tileGeometry(tt.in)
			if tt.check == nil {
				if g != nil {
					t.Fatalf("got %v, want nothing", g)
				}
				return
			}
			if g == nil {
				t.Fatal("got nothing")
			}
			tt.check(t, g)
		})
	}
}

// TestSimplificationNeverCrosses: a polygon whose simplification would
// cross itself (a bump within the tolerance, removed, moves an edge past
// the tip of a notch that reaches into it) is kept unsimplified.
func TestSimplificationNeverCrosses(t *testing.T) {
	at := func(x, y float64) orb.Point { return orb.Point{1000 + x, 1000 + y} }
	ring := orb.Ring{at(0, 0), at(50, -3), at(100, 0), at(100, 100), at(52, 100), at(50, -1), at(48, 100), at(0, 100), at(0, 0)}
	if selfCrossing(orb.MultiPolygon{{ring}}) {
		t.Fatal("the polygon itself is invalid")
	}
	if simple := finishPolygons(polygons(simplify.DouglasPeucker(pixel / 4).Simplify(orb.Polygon{ring.Clone()}))); !selfCrossing(simple) {
		t.Fatal("simplifying the polygon does not make it cross itself: the test tests nothing")
	}
	g := tileGeometry(orb.Polygon{ring})
	if g == nil {
		t.Fatal("nothing left")
	}
	if selfCrossing(polygons(g)) {
		t.Errorf("the tile's polygon crosses itself: %v", g)
	}
}

// decode reads a tile's layers.
func decode(t *testing.T, data []byte) map[string]*mvt.Layer {
	t.Helper()
	ls, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range ls {
		out[l.Name] = l
	}
	return out
}

// sampleTile is the z16 tile over the sample's centre.
func sampleTile() (z, x, y uint32) {
	t := maptile.At(orb.Point{120.2123, 30.2572}, 16)
	return uint32(t.Z), t.X, t.Y
}

// TestLevelTiles: a level=2 tile holds only the storeys, spaces and
// facilities of floor 2 in its floor layers, and every other layer as
// without level=.
func TestLevelTiles(t *testing.T) {
	s := storetest.Sample(t)
	sn, _ := s.Snapshot()
	defer sn.Close()
	z, x, y := sampleTile()
	all, _, err := Build(context.Background(), sn, z, x, y, Params{})
	if err != nil {
		t.Fatal(err)
	}
	two := cim.Level(2)
	floor2, _, err := Build(context.Background(), sn, z, x, y, Params{Levels: &two})
	if err != nil {
		t.Fatal(err)
	}
	la, l2 := decode(t, all), decode(t, floor2)
	if len(la["storey"].Features) <= len(l2["storey"].Features) {
		t.Fatalf("%d storeys in the tile, %d on floor 2: the sample should have storeys on other floors", len(la["storey"].Features), len(l2["storey"].Features))
	}
	for _, l := range Layers {
		a, b := la[l.Name], l2[l.Name]
		if !l.OnFloors {
			if (a == nil) != (b == nil) || a != nil && len(a.Features) != len(b.Features) {
				t.Errorf("layer %s changed with level=2", l.Name)
			}
			continue
		}
		if b == nil {
			continue
		}
		for _, f := range b.Features {
			lo, hi := f.Properties["level_min"].(float64), f.Properties["level_max"].(float64)
			if lo > 2 || hi < 2 {
				t.Errorf("layer %s: %v on floors %g..%g in a level=2 tile", l.Name, f.Properties["id"], lo, hi)
			}
		}
	}
	if l2["storey"] == nil || len(l2["storey"].Features) == 0 {
		t.Error("no storey on floor 2 in the tile")
	}
}

// TestTileMatchesQuery: every layer of the sample's tile holds the
// features a query of the tile's box finds, less those under a pixel at
// that zoom, with their attributes.
func TestTileMatchesQuery(t *testing.T) {
	s := storetest.Sample(t)
	sn, _ := s.Snapshot()
	defer sn.Close()
	for _, zoom := range []uint32{14, 16, 18} {
		tile := maptile.At(orb.Point{120.2123, 30.2572}, maptile.Zoom(zoom))
		data, _, err := Build(context.Background(), sn, zoom, tile.X, tile.Y, Params{})
		if err != nil {
			t.Fatal(err)
		}
		got := decode(t, data)
		want := queryCounts(t, sn, zoom, tile.X, tile.Y, nil)
		for _, l := range Layers {
			n := 0
			if got[l.Name] != nil {
				n = len(got[l.Name].Features)
			}
			if n != want[l.Name] {
				t.Errorf("z%d layer %s: %d features, a query finds %d", zoom, l.Name, n, want[l.Name])
			}
		}
	}
}

// queryCounts counts, per layer, what a query of the tile's box finds in
// the layers the zoom shows, less what the tile's drop rules leave out
// (tileGeometry): lines and areas under a pixel both ways, and those
// whose parts inside the buffered tile span under a unit (both ways for
// a line, either way for an area). It projects with its own Web Mercator
// arithmetic and clips with orb's clip package.
func queryCounts(t testing.TB, sn *index.Snapshot, z, x, y uint32, levels *cim.LevelRange) map[string]int {
	t.Helper()
	box := TileBox(z, x, y)
	rows := query.Run(context.Background(), sn, query.Query{BBox: &box})
	defer rows.Close()
	out := map[string]int{}
	n := math.Exp2(float64(z)) * Extent // tile units around the world
	toTile := func(flat []float64, stride int) []orb.Point {
		var pts []orb.Point
		for i := 0; i+1 < len(flat); i += stride {
			pts = append(pts, orb.Point{(flat[i]+180)/360*n - float64(x)*Extent, mercY(flat[i+1])*n - float64(y)*Extent})
		}
		return pts
	}
	for rows.Next() {
		f := rows.Feature()
		l, ok := layerOf(f.Class)
		if !ok || int(z) < l.MinZoom {
			continue
		}
		if levels != nil && l.OnFloors && !f.Levels.Overlaps(*levels) {
			continue
		}
		var parts []orb.Bound
		area := false
		switch g := f.Geometry.(type) {
		case *geom.Point, *geom.MultiPoint:
			out[l.Name]++
			continue
		case *geom.LineString:
			for _, ls := range clip.LineString(clipBound, orb.LineString(toTile(g.FlatCoords(), 2))) {
				parts = append(parts, ls.Bound())
			}
		case *geom.MultiLineString:
			for i := range g.NumLineStrings() {
				for _, ls := range clip.LineString(clipBound, orb.LineString(toTile(g.LineString(i).FlatCoords(), 2))) {
					parts = append(parts, ls.Bound())
				}
			}
		case *geom.Polygon, *geom.MultiPolygon:
			area = true
			var polys []*geom.Polygon
			if p, ok := g.(*geom.Polygon); ok {
				polys = []*geom.Polygon{p}
			} else {
				for i := range g.(*geom.MultiPolygon).NumPolygons() {
					polys = append(polys, g.(*geom.MultiPolygon).Polygon(i))
				}
			}
			for _, p := range polys {
				c := clip.Ring(clipBound, orb.Ring(toTile(p.LinearRing(0).FlatCoords(), 2)))
				if len(c) > 0 {
					parts = append(parts, c.Bound())
				}
			}
		}
		b := cim.BoundsOf(f.Geometry)
		if (b.MaxLon-b.MinLon)/360*n < pixel && (mercY(b.MinLat)-mercY(b.MaxLat))*n < pixel {
			continue // under a pixel
		}
		shown := false
		for _, pb := range parts {
			w, h := pb.Max[0]-pb.Min[0], pb.Max[1]-pb.Min[1]
			if area && w >= 1 && h >= 1 || !area && (w >= 1 || h >= 1) {
				shown = true
			}
		}
		if shown {
			out[l.Name]++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// mercY is Web Mercator's y of a latitude, 0 at the top of the world and
// 1 at the bottom.
func mercY(lat float64) float64 {
	r := lat * math.Pi / 180
	return (1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2
}

func layerOf(c cim.Class) (Layer, bool) {
	for _, l := range Layers {
		if l.Class == c {
			return l, true
		}
	}
	return Layer{}, false
}

// TestFeatureID: the id is FNV-1a of dataset, a zero, the stage, a zero
// and the id (hash/fnv as the reference), kept to 53 bits.
func TestFeatureID(t *testing.T) {
	f := &cim.Feature{ID: "osm:w123", Dataset: "monaco", Stage: cim.StageAsBuilt}
	h := fnv.New64a()
	h.Write([]byte("monaco\x00"))
	h.Write([]byte{byte(cim.StageAsBuilt), 0})
	h.Write([]byte("osm:w123"))
	if got, want := FeatureID(f), h.Sum64()&(1<<53-1); got != want {
		t.Errorf("FeatureID = %d, want %d", got, want)
	}
	g := *f
	g.Stage = cim.StageDesign
	if FeatureID(&g) == FeatureID(f) {
		t.Error("two stages of one feature share an id")
	}
}
