package tiles

import "github.com/future-community/cim/cim"

// Layer is one layer of the vector tiles: the features of one class,
// from MinZoom up (to MaxZoom, the pyramid's deepest level, beyond which
// clients overzoom).
type Layer struct {
	Name    string
	Class   cim.Class
	MinZoom int
	// OnFloors marks the layers that level= filters: what stands on one
	// floor (storeys, spaces, facilities inside buildings). Buildings,
	// sites, green and the rest stay as context on every floor.
	OnFloors bool
	// Description is TileJSON's vector_layers description.
	Description string
}

// MaxZoom is the deepest zoom cim builds tiles for. At z20 a tile spans
// about 38 m at the equator and its 4096 units 1 cm, finer than any model
// here; clients overzoom past it.
const MaxZoom = 20

// Layers lists the tile layers in drawing order, bottom first. The
// minimum zooms follow what a map shows at each scale: sites and water
// from a whole district (z10, some 40 km across), parcels, green and
// roads from z12 (a town), buildings from z13, parts, facilities and
// stops from z14-15, and storeys and spaces from z16 (a block, 600 m), where
// one floor plan can be read.
var Layers = []Layer{
	{Name: "site", Class: cim.ClassSite, MinZoom: 10, Description: "planning sites (future community boundaries)"},
	{Name: "parcel", Class: cim.ClassParcel, MinZoom: 12, Description: "land parcels and zoning areas"},
	{Name: "water", Class: cim.ClassWater, MinZoom: 10, Description: "water bodies"},
	{Name: "green", Class: cim.ClassGreen, MinZoom: 12, Description: "green space, at ground or on structures"},
	{Name: "road", Class: cim.ClassRoad, MinZoom: 12, Description: "roads and paths"},
	{Name: "building", Class: cim.ClassBuilding, MinZoom: 13, Description: "buildings, with height and min_height for extrusion"},
	{Name: "building_part", Class: cim.ClassBuildingPart, MinZoom: 15, Description: "parts of buildings of their own height"},
	{Name: "storey", Class: cim.ClassStorey, MinZoom: 16, OnFloors: true, Description: "storeys: one floor of a building, min_height its elevation"},
	{Name: "space", Class: cim.ClassSpace, MinZoom: 16, OnFloors: true, Description: "rooms, units and other spaces on a floor"},
	{Name: "facility", Class: cim.ClassFacility, MinZoom: 14, OnFloors: true, Description: "services of the living circles: schools, clinics, shops"},
	{Name: "transit_stop", Class: cim.ClassTransitStop, MinZoom: 13, Description: "stations and stops"},
	{Name: "other", Class: cim.ClassOther, MinZoom: 15, Description: "everything else"},
}

// LayerByName returns the layer of that name.
func LayerByName(name string) (Layer, bool) {
	for _, l := range Layers {
		if l.Name == name {
			return l, true
		}
	}
	return Layer{}, false
}

// Fields are the attributes of every tile feature, with their TileJSON
// types, so that a front end styles and picks without a second request.
var Fields = map[string]string{
	"id":         "String: the feature's CIM id",
	"class":      "String: the CIM class (the layer's name)",
	"kind":       "String: what it is within the class (school, residential, ...)",
	"name":       "String",
	"dataset":    "String",
	"stage":      "String: planning, design, construction or as-built",
	"level_min":  "Number: the lowest floor it is on (0 = ground floor)",
	"level_max":  "Number: the highest floor it is on",
	"height":     "Number: metres above ground of its top, for fill-extrusion-height",
	"min_height": "Number: metres above ground of its bottom, for fill-extrusion-base",
}
