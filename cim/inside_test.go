package cim

import (
	"fmt"
	"math"
	"testing"

	"github.com/twpayne/go-geom"
)

func TestPointInside(t *testing.T) {
	site := poly(rect(0, 0, 1, 1))
	holed := poly(rect(0, 0, 1, 1), rect(0.2, 0.2, 0.8, 0.8))
	lShape := poly([]float64{0, 0, 1, 0, 1, 0.2, 0.2, 0.2, 0.2, 1, 0, 1, 0, 0})
	two := multiPoly(poly(rect(0, 0, 0.1, 1)), poly(rect(0.5, 0, 1, 1)))
	tests := []struct {
		name     string
		gs       []geom.T
		ok       bool
		lon, lat float64 // where ok; NaN where the answer is not unique
	}{
		{"straddling rectangle: the centre of its part inside", []geom.T{poly(rect(0.8, 0.4, 1.4, 0.6)), site}, true, 0.9, 0.5},
		{"one polygon: the centre", []geom.T{site}, true, 0.5, 0.5},
		{"across a hole: a side strip", []geom.T{poly(rect(0.1, 0.3, 0.9, 0.7)), holed}, true, math.NaN(), math.NaN()},
		{"L shape around the centroid", []geom.T{lShape}, true, math.NaN(), math.NaN()},
		{"MultiPolygon: the wider part", []geom.T{poly(rect(0, 0.4, 1, 0.6)), two}, true, 0.75, 0.5},
		{"apart", []geom.T{poly(rect(2, 2, 3, 3)), site}, false, 0, 0},
		{"touching edges only", []geom.T{poly(rect(1, 0, 2, 1)), site}, false, 0, 0},
		{"a line", []geom.T{geom.NewLineStringFlat(geom.XY, []float64{0, 0, 1, 1}), site}, false, 0, 0},
		{"thin strip", []geom.T{poly(rect(0.5, 0.998, 0.6, 1.5)), site}, true, 0.55, 0.999},
		// Inside the site only below y = 0.0099, under the coarse pass's
		// lowest parallel (1/30 of the band): the fine pass finds it.
		{"sliver", []geom.T{poly([]float64{0.99, 0, 2, 0, 2, 1, 0.99, 0}), site}, true, math.NaN(), math.NaN()},
		{"nothing", nil, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lon, lat, ok := PointInside(tt.gs...)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%v, %v)", ok, tt.ok, lon, lat)
			}
			if !ok {
				return
			}
			for i, g := range tt.gs {
				if !Contains(g, lon, lat) {
					t.Errorf("(%v, %v) is not inside polygon %d", lon, lat, i)
				}
			}
			if math.Abs(lon-tt.lon) > 1e-9 || math.Abs(lat-tt.lat) > 1e-9 { // false for NaN
				t.Errorf("(%v, %v), want (%v, %v)", lon, lat, tt.lon, tt.lat)
			}
		})
	}
}

func FuzzPointInside(f *testing.F) {
	f.Add(0.8, 0.4, 1.4, 0.6, 0.0, 0.0, 1.0, 1.0)
	f.Add(0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 2.0, 1.0)
	f.Fuzz(func(t *testing.T, ax0, ay0, ax1, ay1, bx0, by0, bx1, by1 float64) {
		for _, v := range []float64{ax0, ay0, ax1, ay1, bx0, by0, bx1, by1} {
			if math.IsNaN(v) || math.Abs(v) > 1e6 {
				return
			}
		}
		a, b := poly(rect(ax0, ay0, ax1, ay1)), poly(rect(bx0, by0, bx1, by1))
		lon, lat, ok := PointInside(a, b)
		if ok && (!Contains(a, lon, lat) || !Contains(b, lon, lat)) {
			t.Errorf("(%v, %v) is not inside both %v and %v", lon, lat, a.FlatCoords(), b.FlatCoords())
		}
	})
}

func ExamplePointInside() {
	site := geom.NewPolygonFlat(geom.XY, []float64{120, 30, 120.01, 30, 120.01, 30.01, 120, 30.01, 120, 30}, []int{10})
	// A building whose centre lies east of the site: its part inside is
	// the strip 120.008–120.01 E.
	building := geom.NewPolygonFlat(geom.XY, []float64{120.008, 30.004, 120.014, 30.004, 120.014, 30.006, 120.008, 30.006, 120.008, 30.004}, []int{10})
	lon, lat, ok := PointInside(building, site)
	fmt.Printf("%.4f %.4f %v\n", lon, lat, ok)
	// Output: 120.0090 30.0050 true
}
