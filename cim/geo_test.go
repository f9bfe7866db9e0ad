package cim

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/geojson"
)

// areaCase is one polygon of testdata/areas.geojson with the area and
// perimeter PostGIS computed for it (testdata/gen_areas.sh).
type areaCase struct {
	id             string
	g              geom.T
	areaM2, perimM float64
}

// loadAreaCases reads testdata/areas.geojson and testdata/areas.golden.csv.
func loadAreaCases(t *testing.T) []areaCase {
	t.Helper()
	data, err := os.ReadFile("testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var fc geojson.FeatureCollection
	if err := fc.UnmarshalJSON(data); err != nil {
		t.Fatalf("areas.geojson: %v", err)
	}
	f, err := os.Open("testdata/areas.golden.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("areas.golden.csv: %v", err)
	}
	if len(recs) < 2 || strings.Join(recs[0], ",") != "id,area_m2,perimeter_m" {
		t.Fatalf("areas.golden.csv: bad header or no rows: %q", recs)
	}
	golden := map[string][2]float64{}
	for _, r := range recs[1:] {
		a, err1 := strconv.ParseFloat(r[1], 64)
		p, err2 := strconv.ParseFloat(r[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("areas.golden.csv: row %q: %v %v", r, err1, err2)
		}
		golden[r[0]] = [2]float64{a, p}
	}
	var cases []areaCase
	for _, ft := range fc.Features {
		v, ok := golden[ft.ID]
		if !ok {
			t.Fatalf("areas.golden.csv has no row for %q: run testdata/gen_areas.sh", ft.ID)
		}
		delete(golden, ft.ID)
		cases = append(cases, areaCase{ft.ID, ft.Geometry, v[0], v[1]})
	}
	if len(golden) != 0 {
		t.Fatalf("areas.golden.csv has rows for features not in areas.geojson: %v", golden)
	}
	if len(cases) < 9 {
		t.Fatalf("only %d area cases", len(cases))
	}
	return cases
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

// The bar the issue sets is 0.1 %; the method is far better than that on
// polygons of community size, and the tests hold it to what it achieves so
// that a regression shows.
const areaTol = 1e-5 // AreaM2 vs PostGIS / GeographicLib, relative

// distTol is how far DistanceM may be from Karney's geodesic distance d:
// 1e-9 relative, or 10 µm. Vincenty's iteration stops when λ changes by
// less than 1e-12 rad, which leaves errors of a few µm on any edge, so a
// purely relative bound cannot hold for edges of a few metres.
func distTol(d float64) float64 { return max(1e-9*d, 1e-5) }

// numEdges counts the edges of the rings of a polygon or multipolygon.
func numEdges(g geom.T) int {
	n := 0
	start := 0
	for _, end := range allEnds(g) {
		n += (end-start)/g.Stride() - 1
		start = end
	}
	return n
}

func TestAreaM2MatchesPostGIS(t *testing.T) {
	worst, worstID := 0.0, ""
	for _, c := range loadAreaCases(t) {
		t.Run(c.id, func(t *testing.T) {
			if err := ValidateGeometry(c.g); err != nil {
				t.Fatalf("ValidateGeometry: %v", err)
			}
			got := AreaM2(c.g)
			e := relErr(got, c.areaM2)
			t.Logf("AreaM2 = %.6f m², PostGIS %.6f m², relative error %.2e", got, c.areaM2, e)
			if e > areaTol || math.IsNaN(got) {
				t.Errorf("AreaM2 = %.6f m², PostGIS ST_Area(geography) = %.6f m²: relative error %.3g > %g", got, c.areaM2, e, areaTol)
			}
			if e > worst {
				worst, worstID = e, c.id
			}
		})
	}
	t.Logf("worst relative area error vs PostGIS: %.3g (%s)", worst, worstID)
}

func TestLengthMMatchesPostGIS(t *testing.T) {
	worst, worstID := 0.0, ""
	for _, c := range loadAreaCases(t) {
		t.Run(c.id, func(t *testing.T) {
			got := LengthM(c.g)
			e := relErr(got, c.perimM)
			t.Logf("LengthM = %.9f m, PostGIS %.9f m, relative error %.2e", got, c.perimM, e)
			// Each edge may be off by distTol.
			tol := 1e-9*c.perimM + distTol(0)*float64(numEdges(c.g))
			if !(math.Abs(got-c.perimM) <= tol) || e > 1e-4 {
				t.Errorf("LengthM = %.9f m, PostGIS ST_Perimeter(geography) = %.9f m: error %.3g m > %.3g m", got, c.perimM, got-c.perimM, tol)
			}
			if e > worst {
				worst, worstID = e, c.id
			}
		})
	}
	t.Logf("worst relative perimeter error vs PostGIS: %.3g (%s)", worst, worstID)
	if worst == 0 {
		t.Error("no perimeter was measured")
	}
}

// polygonsOf returns the polygons of a Polygon or MultiPolygon.
func polygonsOf(t *testing.T, g geom.T) []*geom.Polygon {
	switch g := g.(type) {
	case *geom.Polygon:
		return []*geom.Polygon{g}
	case *geom.MultiPolygon:
		var ps []*geom.Polygon
		for i := range g.NumPolygons() {
			ps = append(ps, g.Polygon(i))
		}
		return ps
	}
	t.Fatalf("%T is not a polygon", g)
	return nil
}

// TestAreaM2MatchesPlanimeter measures every ring of areas.geojson with
// GeographicLib's Planimeter (Karney's geodesic polygon area) and compares
// shell − holes with AreaM2.
func TestAreaM2MatchesPlanimeter(t *testing.T) {
	if _, err := exec.LookPath("Planimeter"); err != nil {
		t.Skip("Planimeter (GeographicLib) is not on PATH; install geographiclib-tools to run this test")
	}
	cases := loadAreaCases(t)
	// One polygon per ring, "lat lon" lines, rings separated by blank lines.
	var in bytes.Buffer
	type ringRef struct {
		caseIdx int
		hole    bool
	}
	var rings []ringRef
	for ci, c := range cases {
		for _, p := range polygonsOf(t, c.g) {
			for ri := range p.NumLinearRings() {
				cs := p.LinearRing(ri).Coords()
				for _, xy := range cs[:len(cs)-1] { // Planimeter closes rings itself
					fmt.Fprintf(&in, "%.17g %.17g\n", xy[1], xy[0])
				}
				in.WriteString("\n")
				rings = append(rings, ringRef{ci, ri > 0})
			}
		}
	}
	cmd := exec.Command("Planimeter", "-p", "14")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Planimeter: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(rings) {
		t.Fatalf("Planimeter printed %d lines for %d rings:\n%s", len(lines), len(rings), out)
	}
	want := make([]float64, len(cases))
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Fatalf("Planimeter line %q", l)
		}
		a, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			t.Fatalf("Planimeter line %q: %v", l, err)
		}
		if rings[i].hole {
			want[rings[i].caseIdx] -= math.Abs(a)
		} else {
			want[rings[i].caseIdx] += math.Abs(a)
		}
	}
	worst, worstID := 0.0, ""
	for i, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			got := AreaM2(c.g)
			e := relErr(got, want[i])
			t.Logf("AreaM2 = %.6f m², Planimeter %.6f m², relative error %.2e", got, want[i], e)
			if e > areaTol || math.IsNaN(got) {
				t.Errorf("AreaM2 = %.6f m², Planimeter = %.6f m²: relative error %.3g > %g", got, want[i], e, areaTol)
			}
			// The golden file and GeographicLib must agree too, or one of
			// them is stale.
			if e := relErr(c.areaM2, want[i]); e > 1e-9 {
				t.Errorf("PostGIS golden %.6f m² and Planimeter %.6f m² differ by %.3g: regenerate testdata/areas.golden.csv", c.areaM2, want[i], e)
			}
			if e > worst {
				worst, worstID = e, c.id
			}
		})
	}
	t.Logf("worst relative area error vs Planimeter: %.3g (%s)", worst, worstID)
}

// distanceCases hold geodesic distances computed with GeographicLib
// (GeodSolve -i -p 9), the reference for DistanceM.
var distanceCases = []struct {
	name                   string
	lat1, lon1, lat2, lon2 float64
	wantM                  float64
}{
	{"1.5 m", 30.25, 120.15, 30.25001, 120.15001, 1.468060446},
	{"1 km east", 30.25, 120.15, 30.25, 120.160385, 999.488955035},
	{"100 km", 30.25, 120.15, 31.0, 120.8, 103908.854263989},
	{"across the equator", -0.5, 32.5, 0.7, 33.1, 148550.915354809},
	{"Hangzhou to London", 30.25, 120.15, 51.5, -0.12, 9240980.417035146},
	{"equator to pole", 0, 0, 90, 0, 10001965.729312724},
	{"one degree of equator", 0, 0, 0, 1, 111319.490793274},
	{"Sydney to New York", -33.9, 151.2, 40.7, -74.0, 15990627.264133751},
	{"nearly antipodal, converges", 0, 0, 0.5, 179.5, 19936288.578965314},
}

func TestDistanceM(t *testing.T) {
	for _, c := range distanceCases {
		t.Run(c.name, func(t *testing.T) {
			got := DistanceM(c.lon1, c.lat1, c.lon2, c.lat2)
			if !(math.Abs(got-c.wantM) <= distTol(c.wantM)) {
				t.Errorf("DistanceM = %.9f m, GeographicLib %.9f m: error %.3g m", got, c.wantM, got-c.wantM)
			}
			if back := DistanceM(c.lon2, c.lat2, c.lon1, c.lat1); math.Abs(back-got) > 1e-6 {
				t.Errorf("DistanceM is not symmetric: %.9f there, %.9f back", got, back)
			}
		})
	}
	t.Run("same point", func(t *testing.T) {
		if d := DistanceM(120.15, 30.25, 120.15, 30.25); d != 0 {
			t.Errorf("DistanceM of a point to itself = %g", d)
		}
	})
	// Vincenty does not converge for these; DistanceM falls back to the
	// authalic sphere, which is within 0.1 % of the geodesic.
	for _, c := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		wantM                  float64 // GeodSolve -i
	}{
		{"antipodal on the equator", 0, 0, 0, 180, 20003931.458625447},
		{"nearly antipodal on the equator", 0, 0, 0, 179.7, 19995624.889961265},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := DistanceM(c.lon1, c.lat1, c.lon2, c.lat2)
			if e := relErr(got, c.wantM); !(e < 1e-3) {
				t.Errorf("DistanceM = %.3f m, GeographicLib %.3f m: relative error %.3g", got, c.wantM, e)
			}
		})
	}
}

// TestDistanceMMatchesGeodSolve runs GeographicLib's GeodSolve on the
// distance cases, so that the references above are checked too.
func TestDistanceMMatchesGeodSolve(t *testing.T) {
	if _, err := exec.LookPath("GeodSolve"); err != nil {
		t.Skip("GeodSolve (GeographicLib) is not on PATH; install geographiclib-tools to run this test")
	}
	var in bytes.Buffer
	for _, c := range distanceCases {
		fmt.Fprintf(&in, "%.17g %.17g %.17g %.17g\n", c.lat1, c.lon1, c.lat2, c.lon2)
	}
	cmd := exec.Command("GeodSolve", "-i", "-p", "9")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("GeodSolve: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(distanceCases) {
		t.Fatalf("GeodSolve printed %d lines for %d pairs:\n%s", len(lines), len(distanceCases), out)
	}
	for i, c := range distanceCases {
		t.Run(c.name, func(t *testing.T) {
			f := strings.Fields(lines[i])
			if len(f) != 3 {
				t.Fatalf("GeodSolve line %q", lines[i])
			}
			want, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				t.Fatal(err)
			}
			got := DistanceM(c.lon1, c.lat1, c.lon2, c.lat2)
			if !(math.Abs(got-want) <= distTol(want)) {
				t.Errorf("DistanceM = %.9f m, GeodSolve %.9f m: error %.3g m", got, want, got-want)
			}
		})
	}
}

// rect returns a closed counter-clockwise rectangle ring.
func rect(x0, y0, x1, y1 float64) []float64 {
	return []float64{x0, y0, x1, y0, x1, y1, x0, y1, x0, y0}
}

func poly(rings ...[]float64) *geom.Polygon {
	var flat []float64
	var ends []int
	for _, r := range rings {
		flat = append(flat, r...)
		ends = append(ends, len(flat))
	}
	return geom.NewPolygonFlat(geom.XY, flat, ends)
}

func multiPoly(ps ...*geom.Polygon) *geom.MultiPolygon {
	mp := geom.NewMultiPolygon(geom.XY)
	for _, p := range ps {
		if err := mp.Push(p); err != nil {
			panic(err)
		}
	}
	return mp
}

func reversed(ring []float64) []float64 {
	out := make([]float64, 0, len(ring))
	for i := len(ring) - 2; i >= 0; i -= 2 {
		out = append(out, ring[i], ring[i+1])
	}
	return out
}

func collection(gs ...geom.T) *geom.GeometryCollection {
	c := geom.NewGeometryCollection()
	if err := c.Push(gs...); err != nil {
		panic(err)
	}
	return c
}

func TestAreaM2Properties(t *testing.T) {
	// hz100 of areas.golden.csv, the PostGIS reference.
	const hz100 = 9998.928087174892
	sq := rect(120.15, 30.25, 120.151039, 30.250902)
	hole := rect(120.1503, 30.2503, 120.1506, 30.2506)
	near := func(t *testing.T, got, want float64) {
		t.Helper()
		if e := relErr(got, want); !(e < 1e-9) {
			t.Errorf("AreaM2 = %.6f, want %.6f (relative error %.3g)", got, want, e)
		}
	}
	t.Run("counter-clockwise", func(t *testing.T) { near(t, AreaM2(poly(sq)), hz100) })
	t.Run("clockwise", func(t *testing.T) { near(t, AreaM2(poly(reversed(sq))), hz100) })
	t.Run("XYZ", func(t *testing.T) {
		var flat []float64
		for i := 0; i < len(sq); i += 2 {
			flat = append(flat, sq[i], sq[i+1], 1000*float64(i))
		}
		near(t, AreaM2(geom.NewPolygonFlat(geom.XYZ, flat, []int{len(flat)})), hz100)
	})
	t.Run("hole subtracted, either orientation", func(t *testing.T) {
		h := AreaM2(poly(hole))
		if h < 500 || h > 1500 {
			t.Fatalf("hole area %g, want about 900 m²", h)
		}
		near(t, AreaM2(poly(sq, reversed(hole))), hz100-h)
		near(t, AreaM2(poly(sq, hole)), hz100-h)
	})
	t.Run("MultiPolygon sums its parts", func(t *testing.T) {
		other := rect(120.16, 30.26, 120.162, 30.261)
		want := AreaM2(poly(sq)) + AreaM2(poly(other))
		if e := relErr(AreaM2(multiPoly(poly(sq), poly(other))), want); e > 1e-6 {
			t.Errorf("MultiPolygon area differs from the sum of its parts by %.3g", e)
		}
	})
	t.Run("MultiPolygon with an empty part", func(t *testing.T) {
		mp := geom.NewMultiPolygonFlat(geom.XY, sq, [][]int{{}, {len(sq)}, {}})
		near(t, AreaM2(mp), hz100)
	})
	t.Run("GeometryCollection sums its members", func(t *testing.T) {
		gc := collection(poly(sq), geom.NewPointFlat(geom.XY, []float64{1, 1}), multiPoly(poly(sq)))
		near(t, AreaM2(gc), 2*hz100)
	})
	t.Run("same shape elsewhere in longitude", func(t *testing.T) {
		moved := make([]float64, len(sq))
		for i := range sq {
			moved[i] = sq[i]
			if i%2 == 0 {
				moved[i] -= 200
			}
		}
		near(t, AreaM2(poly(moved)), hz100)
	})
	for _, c := range []struct {
		name string
		g    geom.T
	}{
		{"point", geom.NewPointFlat(geom.XY, []float64{120, 30})},
		{"line", geom.NewLineStringFlat(geom.XY, []float64{120, 30, 121, 31})},
		{"multipoint", geom.NewMultiPointFlat(geom.XY, []float64{120, 30, 121, 31})},
		{"empty collection", geom.NewGeometryCollection()},
		{"polygon without area", poly([]float64{120, 30, 121, 30, 120, 30, 120, 30})},
	} {
		t.Run(c.name+" has no area", func(t *testing.T) {
			if a := AreaM2(c.g); a != 0 {
				t.Errorf("AreaM2 = %g, want 0", a)
			}
		})
	}
}

func TestLengthM(t *testing.T) {
	// One degree of the equator and of a meridian from the equator, from
	// GeodSolve -i.
	const degEq, degMer = 111319.490793274, 110574.388557799
	line := []float64{0, 0, 1, 0}
	for _, c := range []struct {
		name string
		g    geom.T
		want float64
	}{
		{"point", geom.NewPointFlat(geom.XY, []float64{0, 0}), 0},
		{"multipoint", geom.NewMultiPointFlat(geom.XY, []float64{0, 0, 1, 0}), 0},
		{"line", geom.NewLineStringFlat(geom.XY, line), degEq},
		{"line with a repeated point", geom.NewLineStringFlat(geom.XY, []float64{0, 0, 0, 0, 1, 0, 1, 0}), degEq},
		{"XYZ line", geom.NewLineStringFlat(geom.XYZ, []float64{0, 0, 5, 1, 0, 9}), degEq},
		{"XYM line", geom.NewLineStringFlat(geom.XYM, []float64{0, 0, 5, 1, 0, 9}), degEq},
		{"XYZM line", geom.NewLineStringFlat(geom.XYZM, []float64{0, 0, 5, 6, 1, 0, 9, 9}), degEq},
		{"back and forth", geom.NewLineStringFlat(geom.XY, []float64{0, 0, 1, 0, 0, 0}), 2 * degEq},
		// The lines must not be joined: that would add the degree from
		// (1, 0) back to (0, 0).
		{"multilinestring", geom.NewMultiLineStringFlat(geom.XY, []float64{0, 0, 1, 0, 0, 0, 0, 1}, []int{4, 8}), degEq + degMer},
		{"linear ring", geom.NewLinearRingFlat(geom.XY, []float64{0, 0, 1, 0, 0, 0}), 2 * degEq},
		{"collection", collection(geom.NewLineStringFlat(geom.XY, line), geom.NewPointFlat(geom.XY, []float64{5, 5}), geom.NewLineStringFlat(geom.XY, []float64{0, 0, 0, 1})), degEq + degMer},
		{"empty collection", geom.NewGeometryCollection(), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := LengthM(c.g)
			if c.want == 0 {
				if got != 0 {
					t.Errorf("LengthM = %g, want 0", got)
				}
				return
			}
			if e := relErr(got, c.want); e > 1e-9 {
				t.Errorf("LengthM = %.9f m, want %.9f m", got, c.want)
			}
		})
	}
	t.Run("polygon perimeter includes holes and every part", func(t *testing.T) {
		sq := rect(120.15, 30.25, 120.151039, 30.250902)
		hole := rect(120.1503, 30.2503, 120.1506, 30.2506)
		ls := func(r []float64) float64 { return LengthM(geom.NewLineStringFlat(geom.XY, r)) }
		if got, want := LengthM(poly(sq, hole)), ls(sq)+ls(hole); relErr(got, want) > 1e-12 {
			t.Errorf("perimeter with hole = %.9f, want %.9f", got, want)
		}
		if got, want := LengthM(multiPoly(poly(sq, hole), poly(hole))), ls(sq)+2*ls(hole); relErr(got, want) > 1e-12 {
			t.Errorf("MultiPolygon perimeter = %.9f, want %.9f", got, want)
		}
	})
}

func TestBoundsOf(t *testing.T) {
	empty := Box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, c := range []struct {
		name string
		g    geom.T
		want Box
	}{
		{"point", geom.NewPointFlat(geom.XY, []float64{120.1, 30.2}), Box{120.1, 30.2, 120.1, 30.2}},
		{"XYZ point ignores Z", geom.NewPointFlat(geom.XYZ, []float64{120.1, 30.2, -999}), Box{120.1, 30.2, 120.1, 30.2}},
		{"multipoint", geom.NewMultiPointFlat(geom.XY, []float64{3, -4, -1, 2, 0, 0}), Box{-1, -4, 3, 2}},
		{"XYZM multipoint", geom.NewMultiPointFlat(geom.XYZM, []float64{3, -4, 100, -100, -1, 2, -50, 50}), Box{-1, -4, 3, 2}},
		{"linestring", geom.NewLineStringFlat(geom.XY, []float64{1, 5, 2, -3, 0, 4}), Box{0, -3, 2, 5}},
		{"multilinestring", geom.NewMultiLineStringFlat(geom.XY, []float64{1, 1, 2, 2, -5, 7, -4, 8}, []int{4, 8}), Box{-5, 1, 2, 8}},
		{"polygon", poly(rect(10, 20, 11, 22)), Box{10, 20, 11, 22}},
		{"polygon with hole", poly(rect(10, 20, 11, 22), rect(10.2, 20.2, 10.4, 20.4)), Box{10, 20, 11, 22}},
		{"multipolygon", multiPoly(poly(rect(10, 20, 11, 22)), poly(rect(-3, -2, -1, 0))), Box{-3, -2, 11, 22}},
		{"collection", collection(geom.NewPointFlat(geom.XY, []float64{50, 60}), poly(rect(10, 20, 11, 22))), Box{10, 20, 50, 60}},
		{"nested collection", collection(collection(geom.NewPointFlat(geom.XY, []float64{-50, -60})), geom.NewPointFlat(geom.XY, []float64{1, 1})), Box{-50, -60, 1, 1}},
		{"empty collection", geom.NewGeometryCollection(), empty},
		{"collection of empty collections", collection(geom.NewGeometryCollection()), empty},
		{"empty linestring", geom.NewLineString(geom.XY), empty},
		{"empty multipolygon", geom.NewMultiPolygon(geom.XY), empty},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := BoundsOf(c.g); got != c.want {
				t.Errorf("BoundsOf = %v, want %v", got, c.want)
			}
		})
	}
	t.Run("empty bounds intersect nothing", func(t *testing.T) {
		b := BoundsOf(geom.NewGeometryCollection())
		if b.Intersects(Box{-180, -90, 180, 90}) || (Box{-180, -90, 180, 90}).Intersects(b) {
			t.Error("the bounds of an empty geometry intersect the whole world")
		}
		if b.Validate() == nil {
			t.Error("the bounds of an empty geometry validate")
		}
	})
}

func TestBox(t *testing.T) {
	a := Box{0, 0, 2, 2}
	for _, c := range []struct {
		name                 string
		o                    Box
		intersects, contains bool
	}{
		{"same", a, true, true},
		{"inside", Box{0.5, 0.5, 1, 1}, true, true},
		{"inside touching the edge", Box{0, 0.5, 1, 2}, true, true},
		{"overlapping", Box{1, 1, 3, 3}, true, false},
		{"touching at a corner", Box{2, 2, 3, 3}, true, false},
		{"touching along an edge", Box{2, 0, 3, 2}, true, false},
		{"east of it", Box{2.1, 0, 3, 2}, false, false},
		{"north of it", Box{0, 2.1, 2, 3}, false, false},
		{"south-west of it", Box{-3, -3, -1, -1}, false, false},
		{"enclosing it", Box{-1, -1, 3, 3}, true, false},
		{"a point inside", Box{1, 1, 1, 1}, true, true},
		{"crossing it", Box{-1, 0.5, 3, 1}, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := a.Intersects(c.o); got != c.intersects {
				t.Errorf("%v.Intersects(%v) = %v", a, c.o, got)
			}
			if got := c.o.Intersects(a); got != c.intersects {
				t.Errorf("%v.Intersects(%v) = %v (not symmetric)", c.o, a, got)
			}
			if got := a.Contains(c.o); got != c.contains {
				t.Errorf("%v.Contains(%v) = %v", a, c.o, got)
			}
			e := a.Extend(c.o)
			if !e.Contains(a) || !e.Contains(c.o) {
				t.Errorf("Extend = %v does not hold both", e)
			}
			if e != c.o.Extend(a) {
				t.Errorf("Extend is not symmetric")
			}
		})
	}
	t.Run("Extend is the smallest box", func(t *testing.T) {
		if got, want := (Box{0, 1, 2, 3}).Extend(Box{-1, 2, 1, 5}), (Box{-1, 1, 2, 5}); got != want {
			t.Errorf("Extend = %v, want %v", got, want)
		}
	})
	t.Run("String", func(t *testing.T) {
		if got, want := (Box{120.1, 30.25, 120.2, 30.3}).String(), "120.1,30.25,120.2,30.3"; got != want {
			t.Errorf("String = %q, want %q", got, want)
		}
	})
	for _, c := range []struct {
		name string
		b    Box
		ok   bool
	}{
		{"valid", Box{120.1, 30.2, 120.2, 30.3}, true},
		{"whole world", Box{-180, -90, 180, 90}, true},
		{"a point", Box{1, 1, 1, 1}, true},
		{"NaN", Box{math.NaN(), 0, 1, 1}, false},
		{"Inf", Box{0, 0, math.Inf(1), 1}, false},
		{"west of -180", Box{-180.5, 0, 1, 1}, false},
		{"east of 180", Box{0, 0, 180.5, 1}, false},
		{"south of -90", Box{0, -91, 1, 1}, false},
		{"north of 90", Box{0, 0, 1, 90.5}, false},
		{"across the antimeridian", Box{170, 0, -170, 1}, false},
		{"south above north", Box{0, 2, 1, 1}, false},
	} {
		t.Run("Validate/"+c.name, func(t *testing.T) {
			if err := c.b.Validate(); (err == nil) != c.ok {
				t.Errorf("Validate(%v) = %v, want ok=%v", c.b, err, c.ok)
			}
		})
	}
}

func ExampleAreaM2() {
	// A square of about 100 m × 100 m in Hangzhou. PostGIS
	// ST_Area(geography) gives 9998.928 m² for it.
	sq := geom.NewPolygonFlat(geom.XY, []float64{
		120.15, 30.25,
		120.151039, 30.25,
		120.151039, 30.250902,
		120.15, 30.250902,
		120.15, 30.25,
	}, []int{10})
	fmt.Printf("%.0f m²\n", AreaM2(sq))
	fmt.Printf("%.1f m\n", LengthM(sq))
	// Output:
	// 9999 m²
	// 400.0 m
}
