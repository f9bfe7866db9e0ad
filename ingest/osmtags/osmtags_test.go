package osmtags

import (
	"slices"
	"testing"

	"github.com/future-community/cim/cim"
)

func TestClassifyPrecedence(t *testing.T) {
	tests := []struct {
		name   string
		tags   map[string]string
		class  cim.Class
		kind   string
		levels cim.LevelRange
		warns  []string
	}{
		{"building beats building:part", map[string]string{"building": "yes", "building:part": "yes"}, cim.ClassBuilding, "", cim.LevelRange{}, nil},
		{"building beats amenity", map[string]string{"building": "school", "amenity": "school"}, cim.ClassBuilding, "school", cim.LevelRange{}, nil},
		{"building=no is not a building", map[string]string{"building": "no", "leisure": "park"}, cim.ClassGreen, "park", cim.LevelRange{}, nil},
		{"station building", map[string]string{"building": "train_station", "railway": "station"}, cim.ClassBuilding, "train_station", cim.LevelRange{}, nil},
		{"roof levels extend the range", map[string]string{"building": "yes", "building:levels": "4", "roof:levels": "1"}, cim.ClassBuilding, "", cim.LevelRange{Min: 0, Max: 4}, nil},
		{"zero levels, no basement", map[string]string{"building": "roof", "building:levels": "0"}, cim.ClassBuilding, "roof", cim.LevelRange{}, nil},
		{"explicit level on a building", map[string]string{"building": "yes", "level": "3"}, cim.ClassBuilding, "", cim.Level(3), nil},
		{"bad level tag", map[string]string{"indoor": "room", "level": "ground"}, cim.ClassSpace, "room", cim.LevelRange{}, []string{"level=ground"}},
		{"bad building levels", map[string]string{"building": "yes", "building:levels": "-2"}, cim.ClassBuilding, "", cim.LevelRange{}, []string{"building:levels=-2"}},
		{"bad cim:class", map[string]string{"cim:class": "castle", "building": "yes"}, cim.ClassBuilding, "", cim.LevelRange{}, []string{"cim:class=castle"}},
		{"indoor level", map[string]string{"indoor": "level", "level": "2"}, cim.ClassStorey, "", cim.Level(2), nil},
		{"halt", map[string]string{"railway": "halt"}, cim.ClassTransitStop, "halt", cim.LevelRange{}, nil},
		{"light rail station", map[string]string{"railway": "station", "station": "light_rail"}, cim.ClassTransitStop, "light_rail_station", cim.LevelRange{}, nil},
		{"waterway", map[string]string{"waterway": "river"}, cim.ClassWater, "river", cim.LevelRange{}, nil},
		{"bench is nothing", map[string]string{"amenity": "bench"}, cim.ClassOther, "", cim.LevelRange{}, nil},
		{"residential landuse", map[string]string{"landuse": "residential"}, cim.ClassOther, "residential", cim.LevelRange{}, nil},
		{"healthcare", map[string]string{"healthcare": "clinic"}, cim.ClassFacility, "clinic", cim.LevelRange{}, nil},
		{"absurd basement is clamped", map[string]string{"building": "yes", "building:levels:underground": "250"}, cim.ClassBuilding, "", cim.LevelRange{Min: cim.MinLevel, Max: 0}, nil},
		{"shop kind is its value", map[string]string{"shop": "convenience"}, cim.ClassFacility, "convenience", cim.LevelRange{}, nil},
		{"shop=yes", map[string]string{"shop": "yes"}, cim.ClassFacility, "shop", cim.LevelRange{}, nil},
		{"highway platform is transit", map[string]string{"highway": "platform"}, cim.ClassTransitStop, "platform", cim.LevelRange{}, nil},
		{"crossing is not a road", map[string]string{"highway": "crossing"}, cim.ClassOther, "", cim.LevelRange{}, nil},
		{"street lamp is not a road", map[string]string{"highway": "street_lamp"}, cim.ClassOther, "", cim.LevelRange{}, nil},
		{"dam is not water", map[string]string{"waterway": "dam"}, cim.ClassOther, "", cim.LevelRange{}, nil},
		{"level range with spaces", map[string]string{"indoor": "room", "level": "1 - 3"}, cim.ClassSpace, "room", cim.LevelRange{Min: 1, Max: 3}, nil},
		{"part above ground from min_height", map[string]string{"building:part": "yes", "min_height": "12", "height": "21"}, cim.ClassBuildingPart, "", cim.LevelRange{Min: 4, Max: 6}, nil},
		{"min_level beats min_height", map[string]string{"building:part": "yes", "building:min_level": "2", "min_height": "12", "building:levels": "5"}, cim.ClassBuildingPart, "", cim.LevelRange{Min: 2, Max: 4}, nil},
		{"height alone", map[string]string{"building": "yes", "height": "30 m"}, cim.ClassBuilding, "", cim.LevelRange{Min: 0, Max: 9}, nil},
		{"repeat_on widens the levels", map[string]string{"indoor": "room", "level": "0", "repeat_on": "1-4", "stairwell": "yes"}, cim.ClassSpace, "room", cim.LevelRange{Min: 0, Max: 4}, nil},
		{"bad repeat_on", map[string]string{"indoor": "room", "level": "0", "repeat_on": "all"}, cim.ClassSpace, "room", cim.LevelRange{}, []string{"repeat_on=all"}},
		{"coworking office", map[string]string{"office": "coworking"}, cim.ClassFacility, "coworking", cim.LevelRange{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Classify(Map(tt.tags))
			if r.Class != tt.class || r.Kind != tt.kind || r.Levels != tt.levels || !slices.Equal(r.Warnings, tt.warns) {
				t.Errorf("got %v %q %v %v, want %v %q %v %v", r.Class, r.Kind, r.Levels, r.Warnings, tt.class, tt.kind, tt.levels, tt.warns)
			}
		})
	}
}

func FuzzClassify(f *testing.F) {
	f.Add("building:levels", "12", "level", "1;3", "height", "40'")
	f.Add("building:levels:underground", "3", "building:min_level", "5", "roof:levels", "2")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		r := Classify(Map(map[string]string{"building": "yes", k1: v1, k2: v2, k3: v3}))
		if err := r.Levels.Validate(); err != nil {
			t.Fatalf("invalid levels %v from %q=%q %q=%q %q=%q", r.Levels, k1, v1, k2, v2, k3, v3)
		}
		if !r.Class.Valid() {
			t.Fatal("invalid class")
		}
	})
}
