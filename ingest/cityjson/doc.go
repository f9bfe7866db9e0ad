// Package cityjson reads CityJSON 1.0, 1.1 and 2.0 files and CityJSONSeq
// streams into the community model, one feature per CityObject.
//
// # Input
//
// A CityJSON file is one JSON object whose vertices, shared by all
// CityObjects, may come before or after them; the reader decodes it whole,
// which is fine for the files of tens of megabytes 3D city models are cut
// into (a 3D BAG tile is 10–50 MB), and converts it one building with its
// parts at a time. A CityJSONSeq stream is a CityJSON header (transform,
// metadata, no objects) followed by CityJSONFeature objects, each with its
// own vertices: it is read feature by feature in bounded memory, whether
// the features sit one per line or are pretty-printed. Vertices are
// integers scaled by the transform (scale, translate), which 1.1 and 2.0
// require and 1.0 allows to be absent, leaving plain coordinates. A
// transform whose scale is not positive and finite, whose translate is not
// finite, or that puts a vertex beyond ±1e9 (a scale of 1e300) is refused
// as unusable, naming the file.
//
// Every token is bounded as it is read, as ingest/geojson bounds them: a
// string to 64 MiB and a number or true/false/null to 1 KiB. A longer one
// is an error at the byte offset of its first byte, before the rest is
// read, so a hostile file's 300 MB attribute string costs no more memory
// than the bound.
//
// Parents and children must name CityObjects of the file (of the
// CityJSONFeature, in a stream), not the object itself, and must not form
// a cycle: an object that breaks this is an error naming it and the
// missing id or the cycle ("house" → "part-a" → "house"), skipped under
// SkipInvalid. The spec requires it, cjval checks it, and none of the
// sample files in shared/data breaks it; accepting a cycle or a missing
// part would silently drop or misplace parts of a building.
//
// Coordinates are converted to WGS84 longitude and latitude with package
// crs from metadata.referenceSystem (an OGC URL or URN, or 0.x's
// metadata.crs.epsg). A file that names no CRS is refused (ErrNoCRS)
// unless Options.CRS gives one.
//
// # Classes
//
//	Building                                 building
//	BuildingPart                             building_part, Parent its building
//	BuildingStorey                           storey
//	BuildingRoom, BuildingUnit               space
//	PlantCover, SolitaryVegetationObject     green
//	LandUse                                  green when its class, function or usage (or Dutch
//	                                         BGT fysiek voorkomen) names vegetation, else other:
//	                                         a land use area is no cadastral parcel
//	Road, Railway, TransportSquare           road
//	WaterBody, Waterway                      water
//	anything else, extensions ("+Noise…")    other
//
// The kind is the object's function attribute, else its usage, else the
// type in snake case ("plant_cover", "tin_relief"; an extension type as it
// is, "+NoiseBuilding"); buildings and parts have none by default. Parent
// is the object's first parent. Ids are "cityjson:<dataset>:<object id>".
// Props are the attributes, plus cityjson:type, cityjson:lod (the LoD the
// footprint came from) and cityjson:ground_z (the absolute height of the
// ground, see below); an attribute Name or naam is copied to name when
// there is no name. CityObjects without any geometry, their own or their
// children's (a CityObjectGroup), are left out and counted in Warnings.
//
// # Footprints
//
// The footprint is a Polygon or MultiPolygon: the union of the LoD0
// surfaces if the object has them; else of the GroundSurface faces of the
// lowest LoD that has any; else the 2D projection of the lowest LoD: for
// a solid the faces of its exterior shell that face down, for a surface
// all its faces. A building without geometry of its own (its parts carry
// it) gets the union of its children's footprints. Objects with only
// lines or points get a (Multi)LineString or (Multi)Point.
//
// The union works on the file's integer vertex grid, so that faces that
// share vertices share edges exactly: edges used in both directions
// cancel, the remaining edges are split where they cross or touch, the
// pieces with a positive winding number on one side and zero on the other
// form the outline, and rings are chained from them, taking the leftmost
// turn where rings touch. Faces that project to no area (walls) and
// degenerate rings drop out; exterior rings come out counter-clockwise.
// Where the union fails the faces are kept as separate polygons, which
// cim.ValidateGeometry allows to overlap, and Warnings says so. A
// footprint that still fails validation makes the object an error
// (skipped under SkipInvalid).
//
// # Heights and storeys
//
// HeightM (from the ground to the top) is, in this order: the attribute
// measuredHeight, height or RelativeRidgeHeight (Den Haag); a roof
// attribute minus the ground, from 3D BAG (b3_h_dak_max, h_dak_max) or
// AbsoluteRidgeHeight; else, for buildings, parts, trees and objects with
// solids, the highest point of the object and its descendants minus the
// ground. The ground is the attribute b3_h_maaiveld, h_maaiveld or
// TerrainHeight (or AbsoluteRidgeHeight − RelativeRidgeHeight), else the
// lowest GroundSurface point, else the lowest point; it is kept in the
// cityjson:ground_z property, in the CRS's vertical datum (NAP for
// EPSG:7415). storeysAboveGround and storeysBelowGround set LevelsAbove
// and LevelsBelow.
//
// The BuildingStorey children of a building are ordered by the height of
// their floors; the one whose floor is nearest the ground is level 0, the
// ones below are −1, −2…, and each gets its ElevationM (above level 0's
// floor) and StoreyHeightM. Rooms, units and anything else inside a storey
// take its level. Without storey attributes, a building's LevelsAbove and
// LevelsBelow count its storeys. A building's level range then follows
// the rules for OSM buildings (package osmtags): counted storeys, else
// the height in 3 m storeys.
package cityjson
