package cql2

import (
	"reflect"
	"testing"
)

func FuzzParseText(f *testing.F) {
	for _, s := range textCases {
		f.Add(s)
	}
	f.Add("((((a = 1))))")
	f.Add("NOT NOT NOT a = 1")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseText(s)
		if err != nil {
			return
		}
		back := String(e)
		e2, err := ParseText(back)
		if err != nil {
			t.Fatalf("%q parsed, but its String %q does not: %v", s, back, err)
		}
		if !reflect.DeepEqual(e, e2) {
			t.Fatalf("round trip of %q through %q changed the tree", s, back)
		}
		_, _ = Compile(e, testQueryables)
		BBox(e)
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"op":"=","args":[{"property":"kind"},"residential"]}`,
		`{"op":"and","args":[{"op":">","args":[{"property":"height"},20]},{"op":"isNull","args":[{"property":"name"}]}]}`,
		`{"op":"not","args":[{"op":"<","args":[{"property":"a"},{"property":"b"}]}]}`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[120.1,30.2]}]}`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[120,30,121,31]}]}`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}]}`,
		`{"op":"in","args":[{"property":"kind"},["a","b"]]}`,
		`{"op":"between","args":[{"property":"height"},1,2]}`,
		`{"op":"like","args":[{"property":"name"},"B%"]}`,
		`true`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseJSON(b)
		if err != nil {
			return
		}
		back := String(e)
		e2, err := ParseText(back)
		if err != nil {
			t.Fatalf("%s parsed, but its String %q does not: %v", b, back, err)
		}
		if !reflect.DeepEqual(e, e2) {
			t.Fatalf("round trip of %s through %q changed the tree", b, back)
		}
		_, _ = Compile(e, testQueryables)
	})
}
