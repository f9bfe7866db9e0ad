package cim

import (
	"math"
	"testing"

	"github.com/twpayne/go-geom"
)

// square returns a polygon of side metres with its south-west corner at
// (lon, lat), built with Destination so its sides are exact.
func square(lon, lat, side float64) *geom.Polygon {
	e, _ := Destination(lon, lat, 90, side)
	_, n := Destination(lon, lat, 0, side)
	return geom.NewPolygonFlat(geom.XY, []float64{lon, lat, e, lat, e, n, lon, n, lon, lat}, []int{10})
}

func TestDestinationInvertsDistance(t *testing.T) {
	for _, tt := range []struct{ lon, lat, az, d float64 }{
		{120.21, 30.255, 0, 800}, {120.21, 30.255, 45, 300}, {7.42, 43.73, 200, 1234.5},
		{-93.27, 44.98, 359, 50}, {0, 0, 90, 1e5}, {4.36, 52, 135, 2e6},
	} {
		lon, lat := Destination(tt.lon, tt.lat, tt.az, tt.d)
		if got := DistanceM(tt.lon, tt.lat, lon, lat); math.Abs(got-tt.d) > 1e-6*tt.d+1e-6 {
			t.Errorf("Destination(%v) then DistanceM = %.6f, want %.6f", tt, got, tt.d)
		}
	}
}

func TestCircleArea(t *testing.T) {
	for _, r := range []float64{50, 300, 500, 800, 5000} {
		c := Circle(120.21, 30.255, r)
		want := math.Pi * r * r
		if got := AreaM2(c); relErr(got, want) > 1e-6 {
			t.Errorf("area of Circle(r=%g) = %.3f, want %.3f (rel %.2g)", r, got, want, relErr(got, want))
		}
		if err := ValidateGeometry(c); err != nil {
			t.Errorf("Circle(r=%g): %v", r, err)
		}
	}
}

func TestContainsAndDistance(t *testing.T) {
	lon0, lat0 := 120.21, 30.255
	outer := square(lon0, lat0, 100)
	// A 100 m square with a 20 m square hole 40 m in.
	hx, hy := Destination(lon0, lat0, 90, 40)
	_, hy = Destination(hx, hy, 0, 40)
	hole := square(hx, hy, 20)
	flat := append(append([]float64{}, outer.FlatCoords()...), reversed(hole.FlatCoords())...)
	p := geom.NewPolygonFlat(geom.XY, flat, []int{10, 20})
	mid := func(dx, dy float64) (float64, float64) {
		x, y := Destination(lon0, lat0, 90, dx)
		return Destination(x, y, 0, dy)
	}
	tests := []struct {
		name   string
		dx, dy float64
		in     bool
		dist   float64
	}{
		{"inside", 10, 10, true, 0},
		{"in the hole", 50, 50, false, 10},
		{"east", 130, 50, false, 30},
		{"south", 50, -25, false, 25},
		{"north-east corner", 103, 104, false, 5},
	}
	for _, tt := range tests {
		x, y := mid(tt.dx, tt.dy)
		if got := Contains(p, x, y); got != tt.in {
			t.Errorf("%s: Contains = %v", tt.name, got)
		}
		if got := DistanceToM(p, x, y); math.Abs(got-tt.dist) > 0.01 {
			t.Errorf("%s: DistanceToM = %.4f, want %.4f", tt.name, got, tt.dist)
		}
	}
	mp := geom.NewMultiPolygonFlat(geom.XY, append(append([]float64{}, outer.FlatCoords()...), square(lon0+0.01, lat0, 10).FlatCoords()...), [][]int{{10}, {20}})
	x, y := Centroid(square(lon0+0.01, lat0, 10))
	if !Contains(mp, x, y) {
		t.Error("MultiPolygon does not contain a point of its second polygon")
	}
}

func TestCentroid(t *testing.T) {
	lon0, lat0 := 120.21, 30.255
	// An L: 100 × 20 along the bottom and 20 × 100 up the left side; its
	// area centroid (23.3, 23.3) lies outside the L.
	x1, _ := Destination(lon0, lat0, 90, 100)
	x2, _ := Destination(lon0, lat0, 90, 20)
	_, y1 := Destination(lon0, lat0, 0, 20)
	_, y2 := Destination(lon0, lat0, 0, 100)
	l := geom.NewPolygonFlat(geom.XY, []float64{lon0, lat0, x1, lat0, x1, y1, x2, y1, x2, y2, lon0, y2, lon0, lat0}, []int{14})
	x, y := Centroid(l)
	if !Contains(l, x, y) {
		t.Errorf("Centroid of an L (%v, %v) is not inside it", x, y)
	}
	sq := square(lon0, lat0, 100)
	x, y = Centroid(sq)
	cx, cy := Destination(lon0, lat0, 90, 50)
	_, cy = Destination(cx, cy, 0, 50)
	if d := DistanceM(x, y, cx, cy); d > 0.05 {
		t.Errorf("Centroid of a square is %.3f m from its centre", d)
	}
	line := geom.NewLineStringFlat(geom.XY, []float64{lon0, lat0, x1, lat0})
	x, y = Centroid(line)
	if d := DistanceM(lon0, lat0, x, y); math.Abs(d-50) > 0.01 {
		t.Errorf("Centroid of a 100 m line is %.3f m from its start", d)
	}
}
