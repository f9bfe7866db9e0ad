package cql2

import (
	"testing"

	"github.com/future-community/cim/cim"
)

// BenchmarkFilter evaluates a GDAL-style attribute filter and a spatial
// one over 10,000 buildings; ns/op is per feature.
func BenchmarkFilter(b *testing.B) {
	fs := make([]*cim.Feature, 10000)
	kinds := []string{"residential", "apartments", "garage", "school"}
	for i := range fs {
		x, y := 120+float64(i%100)*0.001, 30+float64(i/100)*0.001
		f := &cim.Feature{ID: "osm:w", Class: cim.ClassBuilding, Kind: kinds[i%4], Dataset: "d",
			Geometry: square(x, y, x+0.0005, y+0.0005), Props: map[string]any{"name": "n"}}
		f.Vertical.SetHeight(float64(i % 60))
		fs[i] = f
	}
	for _, s := range []string{
		"(kind = 'residential') AND (height > 20)",
		"S_INTERSECTS(geometry, POLYGON((120.01 30.01, 120.05 30.012, 120.04 30.05, 120.01 30.01)))",
		"S_INTERSECTS(geometry, BBOX(120.01, 30.01, 120.05, 30.05)) AND kind IN ('residential', 'apartments')",
	} {
		e, err := ParseText(s)
		if err != nil {
			b.Fatal(err)
		}
		filter, err := Compile(e, FeatureQueryables(nil))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(s[:12], func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for i := 0; b.Loop(); i++ {
				if filter(fs[i%len(fs)]) {
					n++
				}
			}
			_ = n
		})
	}
}

func BenchmarkParseText(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseText("(kind = 'residential') AND (height > 20) OR S_INTERSECTS(geometry, BBOX(120, 30, 121, 31))"); err != nil {
			b.Fatal(err)
		}
	}
}
