package cim

import (
	"math"
	"testing"
)

func TestAnchorValidate(t *testing.T) {
	for _, tc := range []struct {
		a  Anchor
		ok bool
	}{
		{Anchor{Lon: 120.15, Lat: 30.25, RotationDeg: 12}, true},
		{Anchor{Lon: -180, Lat: 90, RotationDeg: -400}, true},
		{Anchor{Lon: 180.5, Lat: 30}, false},
		{Anchor{Lon: 120, Lat: -90.1}, false},
		{Anchor{Lon: math.NaN(), Lat: 30}, false},
		{Anchor{Lon: 120, Lat: 30, RotationDeg: math.Inf(-1)}, false},
	} {
		if err := tc.a.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v, want ok %v", tc.a, err, tc.ok)
		}
	}
	if s := (Anchor{Lon: 120.15, Lat: 30.25, RotationDeg: 12}).String(); s != "120.1500000,30.2500000,12" {
		t.Errorf("String %q", s)
	}
}
