package cim

import "testing"

func TestParseFloors(t *testing.T) {
	tests := []struct {
		in      string
		want    LevelRange
		wantErr bool
	}{
		{"1F", Level(0), false},
		{"1f", Level(0), false},
		{"3F", Level(2), false},
		{"F3", Level(2), false},
		{"B1", Level(-1), false},
		{"b2", Level(-2), false},
		{"1层", Level(0), false},
		{"地下1层", Level(-1), false},
		{"B2..1F", LevelRange{-2, 0}, false},
		{" 2F .. 5F ", LevelRange{1, 4}, false},
		{"0F", LevelRange{}, true},
		{"B0", LevelRange{}, true},
		{"2", LevelRange{}, true},
		{"5F..2F", LevelRange{}, true},
		{"", LevelRange{}, true},
		{"999F", LevelRange{}, true},
	}
	for _, tt := range tests {
		got, err := ParseFloors(tt.in)
		if (err != nil) != tt.wantErr || err == nil && got != tt.want {
			t.Errorf("ParseFloors(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFloorLabel(t *testing.T) {
	for level, want := range map[float64]string{0: "1F", 1: "2F", 25: "26F", -1: "B1", -3: "B3", 0.5: ""} {
		if got := FloorLabel(level); got != want {
			t.Errorf("FloorLabel(%v) = %q, want %q", level, got, want)
		}
		if want == "" {
			continue
		}
		if r, err := ParseFloors(want); err != nil || r != Level(level) {
			t.Errorf("ParseFloors(FloorLabel(%v)) = %v, %v", level, r, err)
		}
	}
}

func FuzzParseFloors(f *testing.F) {
	for _, s := range []string{"1F", "B2..1F", "地下1层", "F3", "0F", "..", "B", "1层..5层"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseFloors(s)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("%q gives invalid %v: %v", s, r, err)
		}
		if FloorLabel(r.Min) == "" || FloorLabel(r.Max) == "" {
			t.Fatalf("%q gives a range %v between floors", s, r)
		}
	})
}
