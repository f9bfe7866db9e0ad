// Package imdf reads indoor maps in the Indoor Mapping Data Format (IMDF
// 1.0.0, Apple's format published as OGC Community Standard 20-094) into
// the community model: a venue, its buildings, their floors, the units
// (rooms and other spaces) on each floor, the openings between them and
// the amenities in them.
//
// # Archives
//
// An archive is a folder or a .zip file holding manifest.json and one
// GeoJSON FeatureCollection file per feature type, named after it:
// venue.geojson, building.geojson, unit.geojson and so on. A zip may hold
// them at its root or in one folder (as zipping a folder does); __MACOSX/
// entries are ignored. Open takes either; OpenFS reads one from any
// fs.FS. The reader needs manifest.json, venue.geojson, level.geojson and
// unit.geojson (ErrMissingFile otherwise): without them there is nothing
// to place. building, footprint, opening and amenity files are read when
// present.
//
// Units and openings name their level, and amenities their units, in
// other files; so Open reads the manifest, venues, buildings, footprints
// and levels, which are few, and Next then streams units, openings and
// amenities, keeping only each unit's floor for the amenities. A file is
// decoded as it is read (in a zip, as it is inflated), one feature at a
// time: memory is bounded by MaxValueBytes, the largest feature (or run of
// spaces) accepted, whatever the file's size; a file may be up to
// MaxFileBytes. Files the reader ignores are never opened, so an archive
// with a zip bomb among them reads as fast as one without.
//
// Zip entries must have local names: one that is absolute, climbs out
// with "..", or holds a backslash or a drive letter makes Open refuse the
// archive (ErrUnsafeEntry), naming the entry, instead of reading
// "../../unit.geojson" as unit.geojson.
//
// # Mapping
//
//	IMDF feature  cim class      geometry                  levels                      parent
//	venue         ClassSite      its polygon               0                           —
//	building      ClassBuilding  its ground footprints     its levels' ordinals        the venue
//	level         ClassStorey    its polygon               its ordinal                 first of building_ids, else the venue
//	unit          ClassSpace     its polygon               its level's ordinal         its level
//	opening       ClassOther     its line                  its level's ordinal         its level
//	amenity       ClassFacility  its point                 its units' levels (range)   its first unit
//
// Ids are "imdf:<id>", the IMDF feature id (a UUID), which is unique
// across the archive; a duplicate is an error. Kind is the IMDF category
// as written ("walkway", "restroom", "restroom.female", "elevator",
// "shoppingcenter", …), except that openings have kind "opening" (their
// category, such as "pedestrian", stays in Props). The cim classes are
// coarse enough that no category needs another name.
//
// IMDF buildings have no geometry of their own: their extent is that of
// the footprints that name them in building_ids. A building's geometry is
// its ground footprint, or a MultiPolygon of them when several name it
// (their polygons are collected, not merged: they may overlap). Without a
// ground footprint it falls back, with a warning, to its own geometry if
// it has one against the rules, then to its aerial footprint, then to the
// outline of its level nearest the ground; a building with none of these
// is left out with a warning (nothing then refers to it). Footprints are
// not features of their own. A building's Levels span its levels'
// ordinals, and Vertical counts its indoor levels: those with ordinal ≥ 0
// above ground, the others below.
//
// # Levels
//
// A level's ordinal is its integer stacking position: 0 is the ground
// floor, 1 the floor above, −1 the first basement, which is how cim
// numbers floors too (cim.LevelRange), so a level's Levels is
// cim.Level(ordinal). An ordinal that is missing or not an integer is an
// error.
//
// # Properties
//
// Props keep the feature's IMDF properties, with their JSON values, less
// those that are null (IMDF's "not given"), plus "imdf:type", the feature
// type. Labels — name, alt_name and short_name, objects of names by
// language tag, such as {"zh-Hans": "城站商城", "en": "City Station Mall"}
// — are flattened: name:zh-Hans and name:en hold each, and name the one in
// the manifest's language (exactly, or a language that contains it or that
// it contains: "en" for "en-US"), else the first in the file. References
// (level_id, building_ids, unit_ids, address_id) keep their bare IMDF
// ids.
//
// # Other feature types
//
// address, anchor, detail, fixture, geofence, kiosk, occupant,
// relationship and section files, and any other .geojson in the archive,
// are not read at all: Warnings names each ("ignored fixture.geojson (not
// read)": 1). Occupants, which name the businesses in units,
// are the likeliest to be wanted next.
//
// # Errors
//
// Errors are *Error, naming the archive and file, the line (and, for bad
// JSON, the column), the feature's index and IMDF id:
//
//	mall.zip/unit.geojson:14: feature 12 (id 5c1…): unit references unknown level 9f2…
//	mall/level.geojson:3:41: invalid JSON: invalid character '}' after array element
//
// Broken JSON and missing files end reading. A feature with a bad
// geometry (checked by cim.ValidateGeometry; venues, levels, units and
// footprints must be polygonal, openings lines, amenities points), a
// dangling reference (ErrUnknownRef) or another fault of its own is an
// error too, unless Options.SkipInvalid is set: then it is skipped, listed
// by Skipped, and so are the features that refer to it.
//
// # Sources
//
// OGC 20-094, IMDF 1.0.0, https://docs.ogc.org/cs/20-094/: the pages
// Reference (features have "id" and "feature_type"; archives are zips
// with manifest.json), Manifest (version "1.0.0", created, language),
// Venue, Building (geometry null, extent deferred to footprints),
// Footprint (category aerial, ground or subterranean; building_ids),
// Level (polygonal; integer ordinal; outdoor; name and short_name
// labels), Unit (polygonal; category; level_id), Opening (LineString;
// level_id) and CHANGELOG (amenity and unit categories such as
// restroom.wheelchair). Amenity properties (point geometry, unit_ids) as
// listed in Safe Software's FME IMDF reader documentation
// (docs.safe.com, "IMDF User Attributes"), as the OGC Amenity page was not
// at hand. The spec text consulted does not say which files an archive
// must hold; the files required here are what the reader cannot do
// without. The test archive in testdata/station-mall was written by hand
// for these tests and describes no real place; Apple's sample archives
// may not be redistributed.
package imdf
