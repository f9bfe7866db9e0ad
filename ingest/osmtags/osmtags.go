// Package osmtags maps OpenStreetMap tags to the community model: the
// class and kind of a feature, the floors it occupies and its heights. It
// is shared by every reader whose source speaks OSM tagging: OSM PBF, and
// GeoJSON exported from OSM or drawn in QGIS with the same attribute names.
//
// Explicit "cim:" keys override what the tags imply: cim:class,
// cim:level (a level or range, as ParseLevelRange or OSM level syntax),
// cim:elevation and cim:storey_height (metres).
package osmtags

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/future-community/cim/cim"
)

// Tags gives a feature's tag values; ok is false for an absent key.
type Tags func(key string) (value string, ok bool)

// Map is a plain tag map as a Tags.
func Map(m map[string]string) Tags {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Result is what the tags say about a feature.
type Result struct {
	Class    cim.Class
	Kind     string
	Levels   cim.LevelRange
	Vertical cim.Vertical
	// Warnings name tag values that could not be read and were ignored,
	// such as "building:levels=abc".
	Warnings []string
}

// The tag values that make a feature one of the classes. Keys are
// "key=value"; a "key=*" entry matches any value but "no".
var (
	transitTags = set("railway=station", "railway=halt", "railway=subway_entrance", "railway=train_station_entrance",
		"railway=tram_stop", "railway=platform", "public_transport=station", "public_transport=platform", "highway=platform",
		"public_transport=stop_position", "highway=bus_stop", "amenity=bus_station", "amenity=ferry_terminal")
	greenTags = set("leisure=park", "leisure=garden", "leisure=playground", "leisure=nature_reserve",
		"leisure=recreation_ground", "leisure=dog_park", "landuse=grass", "landuse=forest", "landuse=meadow",
		"landuse=recreation_ground", "landuse=village_green", "landuse=orchard", "landuse=allotments",
		"landuse=flowerbed", "natural=wood", "natural=scrub", "natural=grassland", "natural=heath",
		"natural=tree_row", "natural=tree")
	waterTags = set("natural=water", "natural=wetland", "natural=bay", "natural=spring", "waterway=river",
		"waterway=stream", "waterway=canal", "waterway=drain", "waterway=ditch", "waterway=riverbank",
		"waterway=brook", "waterway=tidal_channel", "waterway=fairway", "waterway=dock",
		"landuse=reservoir", "landuse=basin", "water=*")
	facilityAmenities = set("kindergarten", "childcare", "school", "college", "university", "clinic", "hospital",
		"doctors", "dentist", "pharmacy", "social_facility", "community_centre", "social_centre", "library",
		"charging_station", "parking", "bicycle_parking", "marketplace", "post_office", "police",
		"fire_station", "townhall", "bank", "arts_centre", "theatre", "cinema", "place_of_worship",
		"toilets", "nursing_home", "baby_hatch", "canteen", "food_court", "restaurant", "cafe", "fast_food",
		"recycling", "veterinary")
)

// highwayPoints are highway values that tag things on or by a road, not
// the road: a crossing or a street lamp is not a road.
var highwayPoints = set("crossing", "street_lamp", "traffic_signals", "stop", "give_way", "turning_circle",
	"turning_loop", "mini_roundabout", "motorway_junction", "speed_camera", "milestone", "passing_place",
	"elevator", "emergency_access_point", "traffic_mirror", "toll_gantry", "ford", "rest_area", "services",
	"trailhead")

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

func matches(tags Tags, table map[string]bool) (key, value string, ok bool) {
	for _, k := range [...]string{"railway", "public_transport", "highway", "amenity", "leisure", "landuse", "natural", "waterway", "water"} {
		v, has := tags(k)
		if !has || v == "no" {
			continue
		}
		if table[k+"="+v] || table[k+"=*"] {
			return k, v, true
		}
	}
	return "", "", false
}

// Classify reads class, kind, floors and heights from tags.
func Classify(tags Tags) Result {
	var r Result
	r.Class, r.Kind = classOf(tags)
	if v, ok := tags("cim:class"); ok {
		if c, err := cim.ParseClass(v); err == nil {
			r.Class = c
		} else {
			r.warn("cim:class", v)
		}
	}
	r.readVertical(tags)
	r.Levels = r.levelRange(tags)
	return r
}

func classOf(tags Tags) (cim.Class, string) {
	// A way tagged both building and building:part (it happens) is a
	// building: its footprint counts, as GDAL and osm2pgsql count it.
	if v, ok := tags("building"); ok && v != "no" {
		kind := nonYes(v)
		if kind == "" {
			kind = serviceKind(tags)
		}
		return cim.ClassBuilding, kind
	}
	if v, ok := tags("building:part"); ok && v != "no" {
		return cim.ClassBuildingPart, nonYes(v)
	}
	if v, ok := tags("indoor"); ok {
		switch v {
		case "room", "area", "corridor":
			return cim.ClassSpace, v
		case "level":
			return cim.ClassStorey, ""
		}
	}
	if k, v, ok := matches(tags, transitTags); ok {
		if k == "railway" && (v == "station" || v == "halt") {
			if s, _ := tags("station"); s == "subway" || s == "light_rail" || s == "monorail" {
				return cim.ClassTransitStop, s + "_station"
			}
		}
		if k == "public_transport" && v == "station" {
			return cim.ClassTransitStop, "station"
		}
		return cim.ClassTransitStop, v
	}
	if v, ok := tags("amenity"); ok && facilityAmenities[v] {
		if v == "social_facility" {
			if s, ok := tags("social_facility"); ok {
				return cim.ClassFacility, s
			}
		}
		return cim.ClassFacility, v
	}
	if v, ok := tags("healthcare"); ok && v != "no" {
		return cim.ClassFacility, v
	}
	if v, ok := tags("shop"); ok && v != "no" {
		if v == "yes" {
			return cim.ClassFacility, "shop"
		}
		return cim.ClassFacility, v
	}
	if v, ok := tags("office"); ok && v == "coworking" {
		return cim.ClassFacility, v
	}
	if _, v, ok := matches(tags, greenTags); ok {
		return cim.ClassGreen, v
	}
	if _, v, ok := matches(tags, waterTags); ok {
		return cim.ClassWater, v
	}
	if v, ok := tags("highway"); ok && v != "no" && !highwayPoints[v] {
		return cim.ClassRoad, v
	}
	if v, ok := tags("landuse"); ok {
		return cim.ClassOther, v
	}
	return cim.ClassOther, ""
}

// serviceKind names what a building with building=yes houses, if a tag
// says so.
func serviceKind(tags Tags) string {
	for _, k := range [...]string{"amenity", "shop", "office", "leisure"} {
		if v, ok := tags(k); ok && v != "no" {
			if k == "amenity" && v == "social_facility" {
				if s, ok := tags("social_facility"); ok {
					return s
				}
			}
			return v
		}
	}
	return ""
}

func nonYes(v string) string {
	if v == "yes" {
		return ""
	}
	return v
}

func (r *Result) warn(key, value string) {
	r.Warnings = append(r.Warnings, fmt.Sprintf("%s=%s", key, value))
}

// readVertical fills r.Vertical from building:levels, heights and the
// cim: storey keys.
func (r *Result) readVertical(tags Tags) {
	v := &r.Vertical
	readInt := func(key string, set func(int)) {
		s, ok := tags(key)
		if !ok {
			return
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || n < 0 || n > cim.MaxLevel || math.IsNaN(n) {
			r.warn(key, s)
			return
		}
		set(int(math.Round(n)))
	}
	readLen := func(key string, set func(float64)) {
		s, ok := tags(key)
		if !ok {
			return
		}
		m, err := cim.ParseLength(s)
		if err != nil {
			r.warn(key, s)
			return
		}
		set(m)
	}
	// An elevation may be negative: a basement's floor lies below ground.
	readElevation := func(key string, set func(float64)) {
		s, ok := tags(key)
		if !ok {
			return
		}
		neg := strings.HasPrefix(strings.TrimSpace(s), "-")
		m, err := cim.ParseLength(strings.TrimPrefix(strings.TrimSpace(s), "-"))
		if err != nil {
			r.warn(key, s)
			return
		}
		if neg {
			m = -m
		}
		set(m)
	}
	readInt("building:levels", v.SetLevelsAbove)
	readInt("building:levels:underground", v.SetLevelsBelow)
	readInt("roof:levels", v.SetRoofLevels)
	readLen("height", v.SetHeight)
	readLen("min_height", v.SetMinHeight)
	readElevation("cim:elevation", v.SetElevation)
	readLen("cim:storey_height", v.SetStoreyHeight)
}

// levelRange returns the floors a feature occupies: cim:level, else the
// level tag, else for buildings the storeys their tags describe, else the
// ground floor.
func (r *Result) levelRange(tags Tags) cim.LevelRange {
	if s, ok := tags("cim:level"); ok {
		if lr, err := cim.ParseLevelRange(s); err == nil {
			return lr
		}
		if lr, err := cim.ParseOSMLevel(s); err == nil {
			return lr
		}
		r.warn("cim:level", s)
	}
	if s, ok := tags("level"); ok {
		if lr, err := cim.ParseOSMLevel(s); err == nil {
			// repeat_on lists the other levels a feature repeats on (a
			// stairwell, a lift shaft).
			if rs, ok := tags("repeat_on"); ok {
				if rr, err := cim.ParseOSMLevel(rs); err == nil {
					lr = cim.LevelRange{Min: math.Min(lr.Min, rr.Min), Max: math.Max(lr.Max, rr.Max)}
				} else {
					r.warn("repeat_on", rs)
				}
			}
			return lr
		}
		r.warn("level", s)
	}
	if r.Class != cim.ClassBuilding && r.Class != cim.ClassBuildingPart {
		return cim.LevelRange{}
	}
	v := r.Vertical
	lo := 0
	if v.Has(cim.KnownLevelsBelow) {
		lo = -v.LevelsBelow
	}
	minLevel := false
	if s, ok := tags("building:min_level"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= cim.MinLevel && n <= cim.MaxLevel {
			lo, minLevel = n, true
		} else {
			r.warn("building:min_level", s)
		}
	}
	// A part that starts above the ground without building:min_level (a
	// bridge between towers, a cantilever) starts at the storey its
	// min_height reaches.
	if !minLevel && v.Has(cim.KnownMinHeight) && v.MinHeightM > 0 && lo == 0 {
		lo = min(int(math.Round(v.MinHeightM/cim.DefaultStoreyHeightM)), cim.MaxLevel)
	}
	above := cim.EstimateLevels(v)
	var hi int
	if v.Has(cim.KnownLevelsAbove) {
		// building:levels counts from the ground, including the levels
		// below building:min_level (Simple 3D Buildings).
		hi = above + v.RoofLevels - 1
	} else {
		hi = max(lo, 0) + above + v.RoofLevels - 1
	}
	if hi < lo {
		hi = lo
		if above == 0 && lo < 0 {
			hi = -1 // wholly underground
		}
	}
	lo, hi = max(lo, cim.MinLevel), min(hi, cim.MaxLevel)
	return cim.LevelRange{Min: float64(lo), Max: float64(max(lo, hi))}
}
