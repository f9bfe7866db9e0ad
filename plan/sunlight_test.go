package plan

import (
	"strings"
	"testing"
)

// TestSunlightRuleValidate: a pack's sunlight rule that cannot be
// applied is refused, naming the parameter.
func TestSunlightRuleValidate(t *testing.T) {
	ok := SunlightRule{ID: "s", Day: "major_cold", Band: [2]string{"08:00", "16:00"}, MinHours: 2, SweepDeg: 15, StepMin: 1,
		Severity: "error", Reference: "GB 50180-2018 §4.0.9"}
	if err := ok.validate(); err != nil {
		t.Fatalf("a good rule: %v", err)
	}
	half := ok
	half.StepMin = 0.5 // 30 s steps, finer than the minute
	if err := half.validate(); err != nil {
		t.Errorf("a 30 s step: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*SunlightRule)
		want string
	}{
		{"unknown day", func(r *SunlightRule) { r.Day = "midsummer" }, "day"},
		{"empty band", func(r *SunlightRule) { r.Band = [2]string{"16:00", "08:00"} }, "band"},
		{"bad time", func(r *SunlightRule) { r.Band[0] = "8h" }, "band"},
		{"hour 25", func(r *SunlightRule) { r.Band[1] = "25:00" }, "band"},
		{"more hours than the band", func(r *SunlightRule) { r.MinHours = 9 }, "min_hours"},
		{"negative hours", func(r *SunlightRule) { r.MinHours = -1 }, "min_hours"},
		{"right angle", func(r *SunlightRule) { r.SweepDeg = 90 }, "sweep_deg"},
		{"step not dividing", func(r *SunlightRule) { r.StepMin = 7 }, "step_min"},
		{"a step of a part of a second", func(r *SunlightRule) { r.StepMin = 0.001 }, "step_min"},
		{"negative periods", func(r *SunlightRule) { r.MaxPeriods = -1 }, "max_periods"},
		{"severity", func(r *SunlightRule) { r.Severity = "fatal" }, "severity"},
		{"no reference", func(r *SunlightRule) { r.Reference = "" }, "reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.edit(&r)
			err := r.validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want an error naming %s", err, tc.want)
			}
		})
	}
	for _, name := range BuiltinPacks() {
		p, err := LoadPack(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Sunlight) != 1 {
			t.Errorf("%s has %d sunlight rules, want 1", name, len(p.Sunlight))
		}
	}
}
