package cim

import (
	"fmt"
	"testing"
)

func TestPos(t *testing.T) {
	for _, tc := range []struct {
		p    Pos
		want string
	}{
		{Pos{Offset: -1, Feature: -1}, "msg"},
		{Pos{Name: "a.geojson", Offset: -1, Feature: -1}, "a.geojson: msg"},
		{Pos{Name: "a.geojson", Offset: 3390, Feature: 13}, "a.geojson: feature 13 (byte 3390): msg"},
		{Pos{Name: "a.geojson", Offset: 0, Feature: -1}, "a.geojson: byte 0: msg"},
		{Pos{Name: "a.geojson", Offset: -1, Feature: 0}, "a.geojson: feature 0: msg"},
		{Pos{Offset: 12, Feature: 2}, "feature 2 (byte 12): msg"},
		{Pos{Name: "m.zip/unit.geojson", Line: 2, Offset: -1, Feature: 0, ID: "c0ffee"}, "m.zip/unit.geojson:2: feature 0 (id c0ffee): msg"},
		{Pos{Name: "m/manifest.json", Line: 3, Col: 7, Offset: -1, Feature: -1}, "m/manifest.json:3:7: msg"},
		{Pos{Name: "a.ifc", Line: 34, Col: 22, Offset: 1500, Feature: -1, ID: "#69"}, "a.ifc:34:22: #69 (byte 1500): msg"},
		{Pos{Name: "a.ifc", Line: 9, Col: 1, Offset: 138, Feature: -1}, "a.ifc:9:1: byte 138: msg"},
		{Pos{Line: 9, Col: 1, Offset: 138, Feature: -1}, "9:1: byte 138: msg"},
		{Pos{Name: "a.ifc", Col: 5, Offset: -1, Feature: -1}, "a.ifc: msg"}, // a column without a line
		{Pos{Name: "b.city.json", Offset: 492, Feature: -1, ID: `object "bad"`}, `b.city.json: object "bad" (byte 492): msg`},
	} {
		if got := tc.p.Message("msg"); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.p, got, tc.want)
		}
	}
}

func ExamplePos() {
	p := Pos{Name: "zoning.geojson", Offset: 3390, Feature: 13, ID: "lot-7"}
	fmt.Println(p.Message("ring self-intersects"))
	// Output: zoning.geojson: feature 13 (id lot-7) (byte 3390): ring self-intersects
}

func BenchmarkPosMessage(b *testing.B) {
	p := Pos{Name: "Office_A_20110811.ifc", Line: 11659, Col: 3, Offset: 412345, Feature: -1, ID: "#11652"}
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Message("dangling reference: IFCRELAGGREGATES refers to #99")
	}
}
