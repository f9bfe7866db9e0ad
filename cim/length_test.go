package cim

import (
	"math"
	"testing"
)

func TestParseLength(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"12", 12, true}, {"12.5", 12.5, true}, {" 12 m", 12, true}, {"12m", 12, true}, {"3 metres", 3, true},
		{"40'", 12.192, true}, {"40 ft", 12.192, true}, {"12'6\"", 3.81, true}, {"0.5 km", 500, true}, {"250 cm", 2.5, true},
		{"", 0, false}, {"tall", 0, false}, {"-3", 0, false}, {"1,5", 0, false}, {"12 furlongs", 0, false},
		{"NaN", 0, false}, {"1e400", 0, false}, {"20000", 0, false}, {"'", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseLength(tt.in)
		if (err == nil) != tt.ok || (tt.ok && math.Abs(got-tt.want) > 1e-9) {
			t.Errorf("ParseLength(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestEstimateLevels(t *testing.T) {
	var known, height, tallBase, none Vertical
	known.SetLevelsAbove(7)
	known.SetHeight(90) // the count wins over the height
	height.SetHeight(31)
	tallBase.SetHeight(40)
	tallBase.SetMinHeight(10)
	for _, tt := range []struct {
		v    Vertical
		want int
	}{{known, 7}, {height, 10}, {tallBase, 10}, {none, 1}} {
		if got := EstimateLevels(tt.v); got != tt.want {
			t.Errorf("EstimateLevels(%+v) = %d, want %d", tt.v, got, tt.want)
		}
	}
}
