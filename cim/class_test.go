package cim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestClassNames(t *testing.T) {
	want := []string{"other", "site", "parcel", "building", "building_part", "storey", "space",
		"green", "water", "road", "transit_stop", "facility"}
	cs := Classes()
	if len(cs) != len(want) {
		t.Fatalf("Classes() has %d classes, want %d", len(cs), len(want))
	}
	if Class(0) != ClassOther || cs[0] != ClassOther {
		t.Errorf("the zero Class is %v, want other", Class(0))
	}
	seen := map[string]bool{}
	for i, c := range cs {
		t.Run(want[i], func(t *testing.T) {
			if c != Class(i) {
				t.Errorf("Classes()[%d] = %d", i, c)
			}
			if !c.Valid() {
				t.Errorf("%v is not Valid", c)
			}
			// Names are stored: they must not change.
			if c.String() != want[i] {
				t.Errorf("Class(%d).String() = %q, want %q", i, c.String(), want[i])
			}
			if seen[c.String()] {
				t.Errorf("duplicate name %q", c.String())
			}
			seen[c.String()] = true
			got, err := ParseClass(c.String())
			if err != nil || got != c {
				t.Errorf("ParseClass(%q) = %v, %v; want %v", c.String(), got, err, c)
			}
			b, err := c.MarshalText()
			if err != nil || string(b) != want[i] {
				t.Errorf("MarshalText = %q, %v", b, err)
			}
			var u Class = 99
			if err := u.UnmarshalText(b); err != nil || u != c {
				t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, u, err, c)
			}
		})
	}
}

func TestParseClass(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Class
	}{
		{"floor", ClassStorey},
		{"level", ClassStorey},
		{"room", ClassSpace},
		{"unit", ClassSpace},
		{"station", ClassTransitStop},
		{"stop", ClassTransitStop},
		{"transit", ClassTransitStop},
		{"part", ClassBuildingPart},
		{"building_part", ClassBuildingPart},
		{"other", ClassOther},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseClass(c.in)
			if err != nil || got != c.want {
				t.Errorf("ParseClass(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
	for _, in := range []string{"", "Building", "BUILDING", " building", "building ", "buildings", "transit-stop", "class(12)", "12", "any"} {
		t.Run("unknown/"+in, func(t *testing.T) {
			got, err := ParseClass(in)
			if err == nil {
				t.Fatalf("ParseClass(%q) = %v, want an error", in, got)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) || !strings.Contains(err.Error(), "transit_stop") {
				t.Errorf("ParseClass(%q) error %q should quote the input and list the classes", in, err)
			}
			c := ClassWater
			if err := c.UnmarshalText([]byte(in)); err == nil || c != ClassWater {
				t.Errorf("UnmarshalText(%q) = %v and changed the class to %v", in, err, c)
			}
		})
	}
}

func TestClassOutOfRange(t *testing.T) {
	for _, c := range []Class{numClasses, 200, 255} {
		if c.Valid() {
			t.Errorf("Class(%d) is Valid", uint8(c))
		}
		if got, want := c.String(), fmt.Sprintf("class(%d)", uint8(c)); got != want {
			t.Errorf("Class(%d).String() = %q, want %q", uint8(c), got, want)
		}
		if _, err := ParseClass(c.String()); err == nil {
			t.Errorf("ParseClass(%q) accepted an invalid class", c.String())
		}
	}
}

func TestStageNames(t *testing.T) {
	want := map[Stage]string{StagePlanning: "planning", StageDesign: "design", StageConstruction: "construction", StageAsBuilt: "as-built"}
	ss := Stages()
	if len(ss) != 4 || ss[0] != StagePlanning || ss[3] != StageAsBuilt {
		t.Fatalf("Stages() = %v", ss)
	}
	for i, s := range ss {
		t.Run(want[s], func(t *testing.T) {
			if i > 0 && ss[i-1] >= s {
				t.Errorf("Stages() out of order: %v", ss)
			}
			if !s.Valid() {
				t.Errorf("%v is not Valid", s)
			}
			if s.String() != want[s] {
				t.Errorf("String() = %q, want %q", s.String(), want[s])
			}
			got, err := ParseStage(s.String())
			if err != nil || got != s {
				t.Errorf("ParseStage(%q) = %v, %v; want %v", s.String(), got, err, s)
			}
			b, err := s.MarshalText()
			if err != nil || string(b) != want[s] {
				t.Errorf("MarshalText = %q, %v", b, err)
			}
			var u Stage
			if err := u.UnmarshalText(b); err != nil || u != s {
				t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, u, err, s)
			}
		})
	}
	t.Run("any", func(t *testing.T) {
		if StageAny != 0 || StageAny.Valid() {
			t.Errorf("StageAny = %d, Valid %v; want the invalid zero value", StageAny, StageAny.Valid())
		}
		if StageAny.String() != "any" {
			t.Errorf("StageAny.String() = %q", StageAny.String())
		}
		// A feature cannot have StageAny, so ParseStage does not return it.
		if s, err := ParseStage("any"); err == nil {
			t.Errorf(`ParseStage("any") = %v, want an error`, s)
		}
	})
	t.Run("default", func(t *testing.T) {
		if DefaultStage != StageAsBuilt || !DefaultStage.Valid() {
			t.Errorf("DefaultStage = %v", DefaultStage)
		}
	})
	for _, s := range []Stage{numStages, 200} {
		if s.Valid() || s.String() != fmt.Sprintf("stage(%d)", uint8(s)) {
			t.Errorf("Stage(%d): Valid %v, String %q", uint8(s), s.Valid(), s.String())
		}
	}
}

func TestParseStage(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Stage
	}{
		{"plan", StagePlanning},
		{"planning", StagePlanning},
		{"design", StageDesign},
		{"construction", StageConstruction},
		{"as-built", StageAsBuilt},
		{"asbuilt", StageAsBuilt},
		{"as_built", StageAsBuilt},
		{"built", StageAsBuilt},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseStage(c.in)
			if err != nil || got != c.want {
				t.Errorf("ParseStage(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
	for _, in := range []string{"", "As-Built", "PLANNING", " design", "as built", "stage(1)", "1", "any"} {
		t.Run("unknown/"+in, func(t *testing.T) {
			got, err := ParseStage(in)
			if err == nil {
				t.Fatalf("ParseStage(%q) = %v, want an error", in, got)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
				t.Errorf("ParseStage(%q) error %q does not quote the input", in, err)
			}
			s := StageDesign
			if err := s.UnmarshalText([]byte(in)); err == nil || s != StageDesign {
				t.Errorf("UnmarshalText(%q) = %v and changed the stage to %v", in, err, s)
			}
		})
	}
}

// Class and Stage travel as their names in JSON, map keys included.
func TestClassStageJSON(t *testing.T) {
	type rec struct {
		Class Class
		Stage Stage
		Count map[Class]int
	}
	in := rec{ClassTransitStop, StageAsBuilt, map[Class]int{ClassBuilding: 2, ClassGreen: 1}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"Class":"transit_stop","Stage":"as-built","Count":{"building":2,"green":1}}`
	if string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
	var out rec
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Class != in.Class || out.Stage != in.Stage || len(out.Count) != 2 || out.Count[ClassBuilding] != 2 || out.Count[ClassGreen] != 1 {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}
	if err := json.Unmarshal([]byte(`{"Class":"castle"}`), &out); err == nil {
		t.Error("json.Unmarshal accepted an unknown class")
	}
	if err := json.Unmarshal([]byte(`{"Stage":"dreaming"}`), &out); err == nil {
		t.Error("json.Unmarshal accepted an unknown stage")
	}
}

func FuzzParseClass(f *testing.F) {
	for _, c := range Classes() {
		f.Add(c.String())
	}
	for _, s := range []string{"floor", "room", "station", "", "Building", "class(12)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClass(s)
		if err != nil {
			return
		}
		if !c.Valid() {
			t.Fatalf("ParseClass(%q) = invalid class %d", s, uint8(c))
		}
		if back, err := ParseClass(c.String()); err != nil || back != c {
			t.Errorf("ParseClass(%q) = %v, but ParseClass(%q) = %v, %v", s, c, c.String(), back, err)
		}
	})
}

func FuzzParseStage(f *testing.F) {
	for _, s := range []string{"planning", "plan", "design", "construction", "as-built", "asbuilt", "built", "any", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStage(s)
		if err != nil {
			return
		}
		if !st.Valid() {
			t.Fatalf("ParseStage(%q) = invalid stage %d", s, uint8(st))
		}
		if back, err := ParseStage(st.String()); err != nil || back != st {
			t.Errorf("ParseStage(%q) = %v, but ParseStage(%q) = %v, %v", s, st, st.String(), back, err)
		}
	})
}
