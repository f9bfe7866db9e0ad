package cim

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestParseOSMLevel(t *testing.T) {
	for _, c := range []struct {
		in   string
		want LevelRange
	}{
		{"0", LevelRange{0, 0}},
		{"-1", LevelRange{-1, -1}},
		{"0.5", LevelRange{0.5, 0.5}},
		{"-0.5", LevelRange{-0.5, -0.5}},
		{"+2", LevelRange{2, 2}},
		{"1;2;3", LevelRange{1, 3}},
		{"3;1;2", LevelRange{1, 3}},
		{"1-3", LevelRange{1, 3}},
		{"3-1", LevelRange{1, 3}},
		{"-3--1", LevelRange{-3, -1}},
		{"1 - 3", LevelRange{1, 3}},
		{"-3 - -1", LevelRange{-3, -1}},
		{"-1-2", LevelRange{-1, 2}},
		{"-1;1-3", LevelRange{-1, 3}},
		{"0.5-1.5", LevelRange{0.5, 1.5}},
		{" 2 ; 4 ", LevelRange{2, 4}},
		{"14;0", LevelRange{0, 14}},
		{"0;14", LevelRange{0, 14}},
		{"-100", LevelRange{-100, -100}},
		{"300", LevelRange{300, 300}},
		{"-100-300", LevelRange{-100, 300}},
		{"1e-3", LevelRange{0.001, 0.001}},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseOSMLevel(c.in)
			if err != nil {
				t.Fatalf("ParseOSMLevel(%q): %v", c.in, err)
			}
			if got != c.want {
				t.Errorf("ParseOSMLevel(%q) = %+v, want %+v", c.in, got, c.want)
			}
		})
	}
}

func TestParseOSMLevelErrors(t *testing.T) {
	for _, c := range []struct {
		name, in string
		msg      string // the error mentions this
	}{
		{"empty", "", "empty level"},
		{"blank", "  ", "empty level"},
		{"word", "a", `"a" is not a level`},
		{"empty list item", "1;;2", `"" is not a level`},
		{"trailing semicolon", "1;", `"" is not a level`},
		{"leading semicolon", ";1", `"" is not a level`},
		{"NaN", "NaN", "NaN"},
		{"Inf", "Inf", "Inf"},
		{"minus Inf range", "-Inf-0", "Inf"},
		{"overflow", "1e400", "1e400"},
		{"range without end", "1-", `"" is not a level`},
		{"range of three", "1-2-3", `"2-3" is not a level`},
		{"above the top", "301", "outside -100..300"},
		{"below the bottom", "-101", "outside -100..300"},
		{"range above the top", "0-400", "outside -100..300"},
		{"list below the bottom", "0;-200", "outside -100..300"},
		{"comma list", "1,2", `"1,2" is not a level`},
		{"letter suffix", "2a", `"2a" is not a level`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseOSMLevel(c.in)
			if err == nil {
				t.Fatalf("ParseOSMLevel(%q) = %+v, want an error", c.in, got)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("ParseOSMLevel(%q) error %q does not mention %q", c.in, err, c.msg)
			}
			if c.in != "" && strings.TrimSpace(c.in) != "" && !strings.Contains(err.Error(), fmt.Sprintf("%q", c.in)) {
				t.Errorf("ParseOSMLevel(%q) error %q does not quote the input", c.in, err)
			}
			if got != (LevelRange{}) {
				t.Errorf("ParseOSMLevel(%q) returned %+v with its error, want the zero range", c.in, got)
			}
		})
	}
}

func TestParseLevelRange(t *testing.T) {
	for _, c := range []struct {
		in   string
		want LevelRange
	}{
		{"3", LevelRange{3, 3}},
		{"-1", LevelRange{-1, -1}},
		{"0.5", LevelRange{0.5, 0.5}},
		{"-2..5", LevelRange{-2, 5}},
		{"0.5..1.5", LevelRange{0.5, 1.5}},
		{"-3..-1", LevelRange{-3, -1}},
		{" -2 .. 5 ", LevelRange{-2, 5}},
		{"2..2", LevelRange{2, 2}},
		{"-100..300", LevelRange{-100, 300}},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseLevelRange(c.in)
			if err != nil {
				t.Fatalf("ParseLevelRange(%q): %v", c.in, err)
			}
			if got != c.want {
				t.Errorf("ParseLevelRange(%q) = %+v, want %+v", c.in, got, c.want)
			}
		})
	}
	for _, c := range []struct{ name, in string }{
		{"empty", ""},
		{"word", "ground"},
		{"open start", "..5"},
		{"open end", "2.."},
		{"reversed", "5..-2"},
		{"three dots", "1...5"},
		{"two ranges", "1..2..3"},
		{"OSM range syntax", "1-3"},
		{"OSM list syntax", "1;2"},
		{"NaN", "NaN"},
		{"Inf end", "0..Inf"},
		{"overflow", "1e400"},
		{"above the top", "0..301"},
		{"below the bottom", "-101"},
	} {
		t.Run("bad/"+c.name, func(t *testing.T) {
			if got, err := ParseLevelRange(c.in); err == nil {
				t.Errorf("ParseLevelRange(%q) = %+v, want an error", c.in, got)
			}
		})
	}
}

func TestLevelRange(t *testing.T) {
	r := LevelRange{-1, 2}
	for _, c := range []struct {
		l    float64
		want bool
	}{
		{-1.5, false}, {-1, true}, {0, true}, {0.5, true}, {2, true}, {2.5, false}, {math.NaN(), false},
	} {
		t.Run(fmt.Sprintf("Contains(%g)", c.l), func(t *testing.T) {
			if got := r.Contains(c.l); got != c.want {
				t.Errorf("%v.Contains(%g) = %v, want %v", r, c.l, got, c.want)
			}
		})
	}
	for _, c := range []struct {
		o    LevelRange
		want bool
	}{
		{LevelRange{-3, -2}, false},
		{LevelRange{-3, -1}, true}, // sharing the bottom level
		{LevelRange{2, 5}, true},   // sharing the top level
		{LevelRange{2.5, 5}, false},
		{LevelRange{0, 0}, true},
		{LevelRange{-10, 10}, true},
		{LevelRange{0.5, 0.5}, true},
	} {
		t.Run(fmt.Sprintf("Overlaps(%v)", c.o), func(t *testing.T) {
			if got := r.Overlaps(c.o); got != c.want {
				t.Errorf("%v.Overlaps(%v) = %v, want %v", r, c.o, got, c.want)
			}
			if got := c.o.Overlaps(r); got != c.want {
				t.Errorf("%v.Overlaps(%v) = %v, want %v (not symmetric)", c.o, r, got, c.want)
			}
		})
	}
	t.Run("Single", func(t *testing.T) {
		if !Level(3).Single() || !(LevelRange{}).Single() {
			t.Error("a one-level range is not Single")
		}
		if r.Single() {
			t.Errorf("%v is Single", r)
		}
		if Level(-2) != (LevelRange{-2, -2}) {
			t.Errorf("Level(-2) = %+v", Level(-2))
		}
	})
	for _, c := range []struct {
		name string
		r    LevelRange
		ok   bool
	}{
		{"zero value is the ground floor", LevelRange{}, true},
		{"basements to top", LevelRange{-2, 17}, true},
		{"bounds", LevelRange{MinLevel, MaxLevel}, true},
		{"reversed", LevelRange{2, 1}, false},
		{"NaN min", LevelRange{math.NaN(), 1}, false},
		{"NaN max", LevelRange{0, math.NaN()}, false},
		{"below MinLevel", LevelRange{MinLevel - 1, 0}, false},
		{"above MaxLevel", LevelRange{0, MaxLevel + 0.5}, false},
		{"infinite", LevelRange{math.Inf(-1), math.Inf(1)}, false},
	} {
		t.Run("Validate/"+c.name, func(t *testing.T) {
			if err := c.r.Validate(); (err == nil) != c.ok {
				t.Errorf("%+v.Validate() = %v, want ok=%v", c.r, err, c.ok)
			}
		})
	}
}

func TestLevelRangeStringRoundTrip(t *testing.T) {
	for _, c := range []struct {
		r    LevelRange
		want string
	}{
		{LevelRange{}, "0"},
		{Level(3), "3"},
		{Level(-1), "-1"},
		{Level(0.5), "0.5"},
		{LevelRange{-2, 5}, "-2..5"},
		{LevelRange{-3, -1}, "-3..-1"},
		{LevelRange{0.25, 1.75}, "0.25..1.75"},
		{LevelRange{MinLevel, MaxLevel}, "-100..300"},
		{Level(1e-7), "0.0000001"},
		{Level(math.Nextafter(0.3, 1)), "0.30000000000000004"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if got := c.r.String(); got != c.want {
				t.Errorf("%+v.String() = %q, want %q", c.r, got, c.want)
			}
			back, err := ParseLevelRange(c.r.String())
			if err != nil {
				t.Fatalf("ParseLevelRange(%q): %v", c.r.String(), err)
			}
			if back != c.r {
				t.Errorf("ParseLevelRange(%q) = %+v, want %+v", c.r.String(), back, c.r)
			}
		})
	}
}

func FuzzParseOSMLevel(f *testing.F) {
	for _, s := range []string{
		"0", "-1", "0.5", "1;2;3", "1-3", "-3--1", "-1;1-3", " 2 ; 4 ", "14;0",
		"", "a", "1;;2", "NaN", "1e400", "301", "-101", "1-2-3", "0x1p-2", "1_0", "--1", "-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseOSMLevel(s)
		if err != nil {
			if r != (LevelRange{}) {
				t.Errorf("ParseOSMLevel(%q) returned %+v with error %v", s, r, err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("ParseOSMLevel(%q) = %+v, which does not validate: %v", s, r, err)
		}
		if !(r.Min <= r.Max) {
			t.Fatalf("ParseOSMLevel(%q) = %+v: Min > Max", s, r)
		}
		// Every level written in a valid list lies in the range.
		for part := range strings.SplitSeq(s, ";") {
			if v, err := ParseLevelRange(part); err == nil && !r.Contains(v.Min) {
				t.Errorf("ParseOSMLevel(%q) = %+v does not contain %g", s, r, v.Min)
			}
		}
		// The range survives the command-line syntax.
		back, err := ParseLevelRange(r.String())
		if err != nil || back != r {
			t.Errorf("ParseLevelRange(%q) = %+v, %v; want %+v", r.String(), back, err, r)
		}
	})
}

func FuzzParseLevelRange(f *testing.F) {
	for _, s := range []string{"3", "-1", "0.5", "-2..5", "..5", "5..-2", "1...5", "1e400", "NaN..1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseLevelRange(s)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil || !(r.Min <= r.Max) {
			t.Fatalf("ParseLevelRange(%q) = %+v without error, but Validate: %v", s, r, err)
		}
		back, err := ParseLevelRange(r.String())
		if err != nil || back != r {
			t.Errorf("round trip of %q: ParseLevelRange(%q) = %+v, %v; want %+v", s, r.String(), back, err, r)
		}
	})
}

func ExampleParseOSMLevel() {
	for _, s := range []string{"0", "-1", "1;2;3", "-3--1", "-1;1-3", "0;14", "1;;2"} {
		r, err := ParseOSMLevel(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-7s → %v\n", s, r)
	}
	// Output:
	// 0       → 0
	// -1      → -1
	// 1;2;3   → 1..3
	// -3--1   → -3..-1
	// -1;1-3  → -1..3
	// 0;14    → 0..14
	// level "1;;2": "" is not a level number
}

func ExampleParseLevelRange() {
	r, err := ParseLevelRange("-2..5")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Min, r.Max, r.Contains(-1), r.Overlaps(Level(6)))
	// Output:
	// -2 5 true false
}
