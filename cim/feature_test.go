package cim

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"
)

func validFeature() Feature {
	return Feature{
		ID:       "osm:w123",
		Class:    ClassBuilding,
		Geometry: poly(rect(120.15, 30.25, 120.151, 30.251)),
		Levels:   LevelRange{-1, 5},
		Dataset:  "hangzhou",
		Stage:    StageAsBuilt,
	}
}

func TestFeatureValidate(t *testing.T) {
	t.Run("valid", func(t *testing.T) {
		f := validFeature()
		if err := f.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
		f.ID = strings.Repeat("x", MaxIDLen)
		if err := f.Validate(); err != nil {
			t.Errorf("Validate with an id of MaxIDLen bytes: %v", err)
		}
		for _, s := range Stages() {
			f.Stage = s
			if err := f.Validate(); err != nil {
				t.Errorf("Validate with stage %v: %v", s, err)
			}
		}
		for _, c := range Classes() {
			f.Class = c
			if err := f.Validate(); err != nil {
				t.Errorf("Validate with class %v: %v", c, err)
			}
		}
		f.Geometry = geom.NewPointFlat(geom.XY, []float64{120.15, 30.25})
		if err := f.Validate(); err != nil {
			t.Errorf("Validate with a point: %v", err)
		}
	})
	bow := poly([]float64{0, 0, 1, 1, 1, 0, 0, 1, 0, 0})
	for _, c := range []struct {
		name   string
		modify func(*Feature)
		msg    string
		geoErr error // the geometry error it also wraps, if any
	}{
		{"empty id", func(f *Feature) { f.ID = "" }, "empty id", nil},
		{"NUL in id", func(f *Feature) { f.ID = "osm:w1\x00" }, "NUL", nil},
		{"id too long", func(f *Feature) { f.ID = strings.Repeat("x", MaxIDLen+1) }, "longer than 512", nil},
		{"empty dataset", func(f *Feature) { f.Dataset = "" }, "empty dataset", nil},
		{"dataset too long", func(f *Feature) { f.Dataset = strings.Repeat("d", MaxDatasetLen+1) }, "dataset name longer", nil},
		{"NUL in dataset", func(f *Feature) { f.Dataset = "a\x00b" }, "NUL", nil},
		{"bad class", func(f *Feature) { f.Class = numClasses }, "class(12)", nil},
		{"StageAny", func(f *Feature) { f.Stage = StageAny }, "stage any", nil},
		{"bad stage", func(f *Feature) { f.Stage = 9 }, "stage(9)", nil},
		{"reversed levels", func(f *Feature) { f.Levels = LevelRange{3, 1} }, "empty", nil},
		{"NaN level", func(f *Feature) { f.Levels = LevelRange{math.NaN(), 1} }, "empty", nil},
		{"level out of range", func(f *Feature) { f.Levels = Level(MaxLevel + 1) }, "outside", nil},
		{"no geometry", func(f *Feature) { f.Geometry = nil }, "no geometry", ErrNoGeometry},
		{"self-intersecting geometry", func(f *Feature) { f.Geometry = bow }, "self-intersects", &GeometryError{}},
		{"geometry out of range", func(f *Feature) {
			f.Geometry = geom.NewPointFlat(geom.XY, []float64{181, 0})
		}, "outside longitude", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := validFeature()
			c.modify(&f)
			err := f.Validate()
			if err == nil {
				t.Fatal("Validate = nil, want an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate = %q, which does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("Validate = %q, want it to mention %q", err, c.msg)
			}
			if f.ID != "" && !strings.Contains(c.name, "id") && !strings.Contains(err.Error(), f.ID) {
				t.Errorf("Validate = %q, want it to name the feature %s", err, f.ID)
			}
			switch want := c.geoErr.(type) {
			case nil:
			case *GeometryError:
				var ge *GeometryError
				if !errors.As(err, &ge) {
					t.Errorf("Validate = %q, which does not wrap a *GeometryError", err)
				}
			default:
				if !errors.Is(err, want) {
					t.Errorf("Validate = %q, which does not wrap %v", err, want)
				}
			}
		})
	}
}

func TestVertical(t *testing.T) {
	var v Vertical
	if v.Known != 0 || v.Has(KnownHeight) {
		t.Fatal("zero Vertical knows something")
	}
	if !v.Has(0) {
		t.Error("Has(0) is false; the empty set is always known")
	}
	sets := []struct {
		name  string
		set   func(*Vertical)
		k     Known
		check func(Vertical) bool
	}{
		{"levels above", func(v *Vertical) { v.SetLevelsAbove(18) }, KnownLevelsAbove, func(v Vertical) bool { return v.LevelsAbove == 18 }},
		{"levels below", func(v *Vertical) { v.SetLevelsBelow(2) }, KnownLevelsBelow, func(v Vertical) bool { return v.LevelsBelow == 2 }},
		{"roof levels", func(v *Vertical) { v.SetRoofLevels(1) }, KnownRoofLevels, func(v Vertical) bool { return v.RoofLevels == 1 }},
		{"height", func(v *Vertical) { v.SetHeight(54.5) }, KnownHeight, func(v Vertical) bool { return v.HeightM == 54.5 }},
		{"min height", func(v *Vertical) { v.SetMinHeight(3) }, KnownMinHeight, func(v Vertical) bool { return v.MinHeightM == 3 }},
		{"elevation", func(v *Vertical) { v.SetElevation(6.6) }, KnownElevation, func(v Vertical) bool { return v.ElevationM == 6.6 }},
		{"storey height", func(v *Vertical) { v.SetStoreyHeight(3.3) }, KnownStoreyHeight, func(v Vertical) bool { return v.StoreyHeightM == 3.3 }},
	}
	var all Known
	for _, s := range sets {
		if all&s.k != 0 {
			t.Fatalf("Known bit of %s is shared", s.name)
		}
		all |= s.k
		t.Run(s.name, func(t *testing.T) {
			var v Vertical
			s.set(&v)
			if !v.Has(s.k) || v.Known != s.k || !s.check(v) {
				t.Errorf("after Set: %+v", v)
			}
		})
	}
	for _, s := range sets {
		s.set(&v)
	}
	if v.Known != all || !v.Has(KnownHeight|KnownLevelsAbove) {
		t.Errorf("after every Set, Known = %b, want %b", v.Known, all)
	}
	var h Vertical
	h.SetHeight(0)
	if h.Has(KnownHeight|KnownLevelsAbove) || !h.Has(KnownHeight) {
		t.Errorf("Has with a set of two fields, only one known: Known = %b", h.Known)
	}
}

func TestPropText(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
		ok   bool
	}{
		{"x", "x", true}, {5.0, "5", true}, {2.5, "2.5", true}, {1e21, "1000000000000000000000", true},
		{true, "yes", true}, {false, "no", true}, {nil, "", false}, {[]any{1.0}, "", false}, {map[string]any{}, "", false},
	} {
		if got, ok := PropText(c.in); got != c.want || ok != c.ok {
			t.Errorf("PropText(%v) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
