package cql2

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

// textCases are valid CQL2 text filters: the standard's examples for the
// classes claimed (Annex of OGC 21-065r2, with properties of this model)
// and what GDAL's OAPIF driver sends.
var textCases = []string{
	"kind = 'residential'",
	"height > 20",
	"(kind = 'residential') AND (height > 20)",
	"(kind = 'residential') OR (height > 20)",
	"NOT (height > 20)",
	"(name IS NULL)",
	"name IS NOT NULL",
	"height >= 1e+20",
	"height <= -2.5E-3",
	"class <> 'road' and level_min < 3",
	"\"kind\" = 'it''s'",
	"eo:cloud_cover <= 10",
	"TRUE",
	"NOT FALSE",
	"height = level_max",
	"'residential' = kind",
	"name LIKE 'Bao%'",
	"name NOT LIKE '_ao\\%'",
	"height BETWEEN 10 AND 20",
	"height NOT BETWEEN 10 AND 20 AND kind = 'x'",
	"kind IN ('residential', 'apartments')",
	"kind NOT IN ('garage')",
	"S_INTERSECTS(geometry, POINT(120.1 30.2))",
	"S_INTERSECTS(geometry, BBOX(120, 30, 121, 31))",
	"S_INTERSECTS(geometry, POLYGON((120 30, 121 30, 121 31, 120 31, 120 30)))",
	"S_INTERSECTS(geometry,LINESTRING(120 30,121 31))",
	"S_INTERSECTS(geometry, MULTIPOINT((120 30),(121 31)))",
	"S_INTERSECTS(geometry, MULTILINESTRING((120 30,121 31),(1 2,3 4)))",
	"S_INTERSECTS(geometry, MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5))))",
	"a = 1 AND (b = 2 OR c = 3) AND NOT (d = 4 OR e = 5)",
	"((a = 1) AND b = 2) AND c = 3",
	"\"AND\" = 1",
	"название = 'парк'",
}

func TestParseTextRoundTrip(t *testing.T) {
	for _, s := range textCases {
		t.Run(s, func(t *testing.T) {
			e, err := ParseText(s)
			if err != nil {
				t.Fatal(err)
			}
			back := String(e)
			e2, err := ParseText(back)
			if err != nil {
				t.Fatalf("String gave %q: %v", back, err)
			}
			if !reflect.DeepEqual(e, e2) {
				t.Errorf("round trip through %q changed\n%#v\nto\n%#v", back, e, e2)
			}
		})
	}
}

func TestParseTextTree(t *testing.T) {
	tests := []struct {
		in   string
		want Expr
	}{
		{"a = 1 OR b = 2 AND c = 3", Or{[]Expr{
			Compare{"=", Property{"a"}, Literal{1.0}},
			And{[]Expr{Compare{"=", Property{"b"}, Literal{2.0}}, Compare{"=", Property{"c"}, Literal{3.0}}}},
		}}},
		{"NOT a = 1 AND b = 2", And{[]Expr{Not{Compare{"=", Property{"a"}, Literal{1.0}}}, Compare{"=", Property{"b"}, Literal{2.0}}}}},
		{"((a = 1) AND b = 2) AND c = 3", And{[]Expr{
			Compare{"=", Property{"a"}, Literal{1.0}}, Compare{"=", Property{"b"}, Literal{2.0}}, Compare{"=", Property{"c"}, Literal{3.0}},
		}}},
		{"x IS NOT NULL", Not{IsNull{Property{"x"}}}},
		{"s = 'it''s'", Compare{"=", Property{"s"}, Literal{"it's"}}},
		{"n = -7", Compare{"=", Property{"n"}, Literal{-7.0}}},
	}
	for _, tt := range tests {
		got, err := ParseText(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"T_AFTER(built, TIMESTAMP('2020-01-01T00:00:00Z'))", `cql2: at 0: unsupported function "T_AFTER"`},
		{"height > 20 AND T_AFTER(x, y)", `cql2: at 16: unsupported function "T_AFTER"`},
		{"(a = 1", `cql2: at 6: expected ")", found end of input`},
		{"a = 'x", `cql2: at 4: unterminated string`},
		{"a = ", `cql2: at 4: unexpected end of input`},
		{"a", `cql2: at 1: expected an operator after a, found end of input`},
		{"NOT 3", `cql2: at 5: expected an operator after 3, found end of input`},
		{"a = 1 b = 2", `cql2: at 6: unexpected "b" after the expression`},
		{"a = 1 AND", `cql2: at 9: unexpected end of input`},
		{"a ILIKE 'x'", `cql2: at 2: expected an operator after a, found "ILIKE"`},
		{"a = 1.2.3", `cql2: at 4: malformed number "1.2."`},
		{"a = 1e", `cql2: at 4: malformed number "1e"`},
		{"a = #", `cql2: at 4: unexpected character '#'`},
		{"S_CONTAINS(geometry, POINT(1 2))", `cql2: at 0: unsupported function "S_CONTAINS"`},
		{"S_INTERSECTS(geometry, POINT(1 2 3))", `cql2: at 33: only 2D coordinates are supported`},
		{"S_INTERSECTS(geometry, POINT Z(1 2 3))", `cql2: at 29: unsupported geometry POINT Z`},
		{"S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1)))", `cql2: at 23: POLYGON: a ring needs at least 4 coordinates, the last equal to the first`},
		{"S_INTERSECTS(geometry, BBOX(1,2,3))", `cql2: at 23: BBOX needs 4 numbers, found 3`},
		{"S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(1 2)))", `cql2: at 23: unsupported geometry GEOMETRYCOLLECTION`},
		{"a = 1 AND AND", `cql2: at 10: expected a property or literal, found keyword AND`},
		{"CASEI(name) = 'x'", `cql2: at 0: unsupported function "CASEI"`},
		{"a = \xff", `cql2: at 4: invalid UTF-8`},
		{"", `cql2: at 0: unexpected end of input`},
	}
	for _, tt := range tests {
		_, err := ParseText(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseText(%q) = %v, want %s", tt.in, err, tt.want)
		}
	}
}

func TestDeepNesting(t *testing.T) {
	const n = 10000
	tests := map[string]func() error{
		"parens": func() error {
			_, err := ParseText(strings.Repeat("(", n) + "a = 1" + strings.Repeat(")", n))
			return err
		},
		"not": func() error { _, err := ParseText(strings.Repeat("NOT ", n) + "a = 1"); return err },
		"json": func() error {
			s := strings.Repeat(`{"op":"not","args":[`, n) + "true" + strings.Repeat("]}", n)
			_, err := ParseJSON([]byte(s))
			return err
		},
		"json arrays": func() error {
			_, err := ParseJSON([]byte(strings.Repeat("[", n) + strings.Repeat("]", n)))
			return err
		},
	}
	for name, fn := range tests {
		start := time.Now()
		err := fn()
		if err == nil {
			t.Errorf("%s: nested %d deep parsed", name, n)
		}
		if !strings.Contains(err.Error(), "nested deeper than 64") && !strings.Contains(err.Error(), "unexpected array") && !strings.Contains(err.Error(), "depth") {
			t.Errorf("%s: %v", name, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", name, d)
		}
	}
	// 64 deep is allowed.
	if _, err := ParseText(strings.Repeat("(", 60) + "a = 1" + strings.Repeat(")", 60)); err != nil {
		t.Errorf("60 deep: %v", err)
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct{ json, text string }{
		{`{"op":"=","args":[{"property":"kind"},"residential"]}`, "kind = 'residential'"},
		{`{"op":"and","args":[{"op":">","args":[{"property":"height"},20]},{"op":"isNull","args":[{"property":"name"}]}]}`, "height > 20 AND name IS NULL"},
		{`{"op":"not","args":[{"op":"<","args":[{"property":"a"},{"property":"b"}]}]}`, "NOT (a < b)"},
		{`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[120.1,30.2]}]}`, "S_INTERSECTS(geometry, POINT(120.1 30.2))"},
		{`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[120,30,121,31]}]}`, "S_INTERSECTS(geometry, BBOX(120,30,121,31))"},
		{`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}]}`, "S_INTERSECTS(geometry, POLYGON((0 0,1 0,1 1,0 0)))"},
		{`{"op":"in","args":[{"property":"kind"},["a","b"]]}`, "kind IN ('a', 'b')"},
		{`{"op":"between","args":[{"property":"height"},1,2]}`, "height BETWEEN 1 AND 2"},
		{`{"op":"like","args":[{"property":"name"},"B%"]}`, "name LIKE 'B%'"},
		{`true`, "TRUE"},
	}
	for _, tt := range tests {
		e, err := ParseJSON([]byte(tt.json))
		if err != nil {
			t.Errorf("%s: %v", tt.json, err)
			continue
		}
		want, err := ParseText(tt.text)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(e, want) {
			t.Errorf("%s:\n got %s\nwant %s", tt.json, String(e), tt.text)
		}
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"op":"and","args":[{"op":"t_after","args":[]}, true]}`, `cql2: at /args/0/op: unsupported operator "t_after"`},
		{`{"op":"=","args":[{"property":"a"}]}`, `cql2: at /args: operator "=" takes 2 arguments, found 1`},
		{`{"op":"=","args":[{"property":"a"},null]}`, `cql2: at /args/1: unsupported null literal`},
		{`{"op":"=","args":[{"property":"a"},{"timestamp":"2020-01-01T00:00:00Z"}]}`, `cql2: at /args/1: unsupported temporal literal "timestamp"`},
		{`{"op":"s_intersects","args":[{"property":"g"},{"type":"GeometryCollection","geometries":[]}]}`, `cql2: at /args/1/type: unsupported geometry type "GeometryCollection"`},
		{`{"op":"s_intersects","args":[{"property":"g"},{"type":"Point","coordinates":[1,2,3]}]}`, `cql2: at /args/1/coordinates: only 2D coordinates are supported`},
		{`{"op":"=","args":[`, `cql2: at 18: malformed JSON: unexpected end of JSON input`},
		{`{"property":"a"}`, `cql2: at /: the filter is not a boolean expression`},
		{`{"op":"and","args":[{"property":"a"},true]}`, `cql2: at /args/0: expected a predicate, found a`},
	}
	for _, tt := range tests {
		_, err := ParseJSON([]byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseJSON(%s) = %v, want %s", tt.in, err, tt.want)
		}
	}
}

var testQueryables = FeatureQueryables(map[string]Type{"levels": TypeInteger, "amenity": TypeString, "roof": TypeBoolean})

func TestBindErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"colour = 'red'", `cql2: unknown queryable "colour"`},
		{"height = 'tall'", `cql2: comparing number property "height" with string 'tall'`},
		{"kind > 3", `cql2: comparing string property "kind" with number 3`},
		{"kind = height", `cql2: comparing string property "kind" with number property "height"`},
		{"geometry = 1", `cql2: comparing geometry property "geometry" with number 1: geometries compare only with spatial functions`},
		{"S_INTERSECTS(kind, POINT(1 2))", `cql2: S_INTERSECTS of string property "kind" and geometry POINT(1 2): both must be geometries`},
		{"roof < TRUE", `cql2: operator < on boolean property "roof"`},
		{"height LIKE '1%'", `cql2: LIKE on number property "height"`},
		{"name LIKE kind", `cql2: LIKE needs a string literal pattern, found kind`},
	}
	for _, tt := range tests {
		e, err := ParseText(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if err := Bind(e, testQueryables); err == nil || err.Error() != tt.want {
			t.Errorf("Bind(%s) = %v, want %s", tt.in, err, tt.want)
		}
	}
	e, _ := ParseText("levels = 3 AND height > 2.5")
	if err := Bind(e, testQueryables); err != nil {
		t.Errorf("integer with number: %v", err)
	}
}

func square(x0, y0, x1, y1 float64) geom.T {
	return geom.NewPolygonFlat(geom.XY, []float64{x0, y0, x1, y0, x1, y1, x0, y1, x0, y0}, []int{10})
}

func testFeatures() map[string]*cim.Feature {
	tall := &cim.Feature{ID: "osm:w1", Class: cim.ClassBuilding, Kind: "residential", Dataset: "d",
		Geometry: square(120, 30, 120.01, 30.01), Props: map[string]any{"name": "Bao", "levels": 10.0, "amenity": "20", "roof": true}}
	tall.Vertical.SetHeight(30)
	low := &cim.Feature{ID: "osm:w2", Class: cim.ClassBuilding, Kind: "garage", Dataset: "d",
		Geometry: square(121, 31, 121.01, 31.01), Props: map[string]any{"levels": "1"}}
	low.Vertical.SetHeight(3)
	road := &cim.Feature{ID: "osm:w3", Class: cim.ClassRoad, Dataset: "d", Stage: cim.StageAsBuilt,
		Geometry: geom.NewLineStringFlat(geom.XY, []float64{119.5, 29.9, 120.5, 29.9}), Props: map[string]any{"name": nil}}
	stop := &cim.Feature{ID: "osm:n4", Class: cim.ClassTransitStop, Kind: "bus_stop", Dataset: "d",
		Geometry: geom.NewPointFlat(geom.XY, []float64{120.005, 30.005})}
	return map[string]*cim.Feature{"tall": tall, "low": low, "road": road, "stop": stop}
}

func TestEval(t *testing.T) {
	fs := testFeatures()
	tests := []struct{ in, want string }{ // want: selected names, sorted
		{"kind = 'residential'", "tall"},
		{"height > 20", "tall"},
		{"NOT (height > 20)", "low"}, // road and stop have no height: UNKNOWN either way
		{"height IS NULL", "road stop"},
		{"height IS NOT NULL", "low tall"},
		{"(kind = 'residential') OR (height > 20)", "tall"},
		{"kind = 'garage' OR height > 20", "low tall"},
		{"kind <> 'garage'", "stop tall"}, // road's kind is empty: null
		{"name IS NULL", "low road stop"},
		{"name = 'Bao' AND levels >= 10", "tall"},
		{"levels >= 1", "tall"}, // low's levels is the string "1": no casts, UNKNOWN
		{"NOT (levels >= 1)", ""},
		{"NOT (amenity = 'x')", "tall"},
		{"roof = TRUE", "tall"},
		{"NOT (roof = TRUE)", ""},
		{"class = 'building' AND height < level_max", ""},
		{"height > level_max", "low tall"},
		{"name LIKE 'B_o'", "tall"},
		{"name LIKE 'b%'", ""},
		{"id LIKE 'osm:w%'", "low road tall"},
		{"height BETWEEN 3 AND 30", "low tall"},
		{"height NOT BETWEEN 4 AND 40", "low"},
		{"kind IN ('garage', 'bus_stop')", "low stop"},
		{"kind NOT IN ('garage', 'bus_stop')", "tall"},
		{"TRUE", "low road stop tall"},
		{"FALSE OR kind = 'garage'", "low"},
		{"stage = 'as-built' AND class = 'road'", "road"},
		{"stage = 'any'", "low stop tall"}, // stored features always have a stage
		// Point in polygon, polygon-polygon, bbox, line crossing.
		{"S_INTERSECTS(geometry, POINT(120.005 30.005))", "stop tall"},
		{"S_INTERSECTS(geometry, POINT(120.02 30.02))", ""},
		{"S_INTERSECTS(geometry, BBOX(120.009, 30.009, 121.001, 31.001))", "low tall"},
		{"S_INTERSECTS(geometry, POLYGON((120.005 30.005, 120.02 30.005, 120.02 30.02, 120.005 30.02, 120.005 30.005)))", "stop tall"},
		{"S_INTERSECTS(geometry, POLYGON((120.002 30.002, 120.003 30.002, 120.003 30.003, 120.002 30.003, 120.002 30.002)))", "tall"},                      // inside the building
		{"S_INTERSECTS(geometry, POLYGON((119 29, 122 29, 122 32, 119 32, 119 29),(119.9 29.9, 121.5 29.9, 121.5 31.5, 119.9 31.5, 119.9 29.9)))", "road"}, // hole holds the rest
		{"S_INTERSECTS(geometry, LINESTRING(119.99 30.005, 120.001 30.005))", "tall"},
		{"S_INTERSECTS(geometry, LINESTRING(119.5 30.5, 120.5 29.5))", "road tall"},
		{"S_INTERSECTS(geometry, MULTIPOINT((120.005 30.005), (121.005 31.005)))", "low stop tall"},
		{"S_INTERSECTS(POINT(120.005 30.005), geometry)", "stop tall"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseText(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Compile(e, testQueryables)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, name := range []string{"low", "road", "stop", "tall"} {
				if f(fs[name]) {
					got = append(got, name)
				}
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("selected %q, want %q", g, tt.want)
			}
		})
	}
}

// TestTruthTable checks Kleene's logic on AND, OR and NOT over TRUE
// (t = 1), FALSE (f = 1) and UNKNOWN (u = 1, u missing).
func TestTruthTable(t *testing.T) {
	f := &cim.Feature{Props: map[string]any{"t": 1.0, "f": 0.0}}
	q := Queryables{"t": TypeNumber, "f": TypeNumber, "u": TypeNumber}
	r := strings.NewReplacer("T", "t = 1", "F", "f = 1", "U", "u = 1", "~", "NOT ", "&", " AND ", "|", " OR ")
	tests := []struct {
		expr string
		want bool
	}{
		{"T&U", false}, {"F&U", false}, {"U&U", false}, {"T&T", true},
		{"T|U", true}, {"F|U", false}, {"U|U", false}, {"F|F", false},
		{"~(U)", false}, {"~(~(U))", false},
		{"~(F&U)", true}, {"~(T&U)", false}, {"~(T|U)", false}, {"~(F|U)", false},
		{"~(T)", false}, {"~(F)", true}, {"u IS NULL", true}, {"~(u IS NULL)", false},
	}
	for _, tt := range tests {
		s := tt.expr
		if !strings.Contains(s, "IS") {
			s = r.Replace(s)
		} else {
			s = strings.ReplaceAll(s, "~", "NOT ")
		}
		e, err := ParseText(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		c, err := Compile(e, q)
		if err != nil {
			t.Fatal(err)
		}
		if got := c(f); got != tt.want {
			t.Errorf("%s = %v, want %v", s, got, tt.want)
		}
	}
}

func TestBBox(t *testing.T) {
	tests := []struct {
		in   string
		want cim.Box
		ok   bool
	}{
		{"S_INTERSECTS(geometry, BBOX(1,2,3,4))", cim.Box{MinLon: 1, MinLat: 2, MaxLon: 3, MaxLat: 4}, true},
		{"kind = 'x' AND S_INTERSECTS(geometry, POINT(5 6))", cim.Box{MinLon: 5, MinLat: 6, MaxLon: 5, MaxLat: 6}, true},
		// Not the overlap 1,1,2,2: LINESTRING(0 0,3 0,3 3) meets both boxes
		// and not it. The smaller box; the filter tests the other.
		{"S_INTERSECTS(geometry, BBOX(0,0,2,2)) AND S_INTERSECTS(geometry, BBOX(1,1,4,4))", cim.Box{MinLon: 0, MinLat: 0, MaxLon: 2, MaxLat: 2}, true},
		{"kind = 'x' OR S_INTERSECTS(geometry, POINT(5 6))", cim.Box{}, false},
		{"NOT (S_INTERSECTS(geometry, POINT(5 6)))", cim.Box{}, false},
		{"kind = 'x'", cim.Box{}, false},
	}
	for _, tt := range tests {
		e, err := ParseText(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := BBox(e)
		if ok != tt.ok || got != tt.want {
			t.Errorf("BBox(%s) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLike(t *testing.T) {
	tests := []struct {
		s, p string
		want bool
	}{
		{"abc", "abc", true}, {"abc", "a%", true}, {"abc", "%c", true}, {"abc", "%b%", true},
		{"abc", "a_c", true}, {"abc", "a_", false}, {"", "%", true}, {"", "_", false},
		{"50%", "50\\%", true}, {"500", "50\\%", false}, {"a_c", "a\\_c", true}, {"abc", "a\\_c", false},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "%a%a%a%a%a%a%c", false}, {"公园", "公%", true},
	}
	for _, tt := range tests {
		if got := like(tt.s, tt.p); got != tt.want {
			t.Errorf("like(%q, %q) = %v", tt.s, tt.p, got)
		}
	}
}

func TestConformance(t *testing.T) {
	for _, u := range Conformance() {
		if !strings.HasPrefix(u, "http://www.opengis.net/spec/cql2/1.0/conf/") {
			t.Errorf("%s", u)
		}
	}
	if b, _ := json.Marshal(Conformance()); !strings.Contains(string(b), "basic-spatial-functions") {
		t.Error(string(b))
	}
}
