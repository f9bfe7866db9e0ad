// Package cim is the Community Information Model: the features a future
// community is made of, their classes, the floors they stand on and the
// planning stage they belong to.
//
// A Feature has a stable, source-prefixed id ("osm:w123", "ifc:<GlobalId>",
// "geojson:<dataset>:<id>"), a Class, a 2D footprint in WGS84 longitude and
// latitude (a go-geom geometry with layout XY), the range of floors it
// occupies (LevelRange), vertical facts (Vertical), the dataset (scheme) and
// Stage it belongs to, its parent in the spatial tree (space → storey →
// building → site) and free properties.
//
// # Levels
//
// Levels follow OpenStreetMap: 0 is the ground floor, 1 the floor above it,
// −1 the first basement. Half levels (mezzanines) are allowed. A feature
// occupies a closed range of levels: a space on the third floor has
// {Min: 2, Max: 2}; a 18-storey tower with two basements has {Min: −2,
// Max: 17}. Features without any level information stand on the ground
// floor, {0, 0}.
//
// # Areas and lengths
//
// AreaM2 and LengthM measure on the WGS84 ellipsoid. Areas are computed
// exactly on the ellipsoid's authalic sphere (the sphere of equal surface
// area, onto which latitudes map by the authalic-latitude transform, an
// equal-area mapping), via a Lambert azimuthal equal-area projection centred
// on the geometry, followed by the planar shoelace formula. The only
// approximation is that edges are straight in that projection instead of
// geodesics, which for community-sized polygons (edges of up to a few km)
// differs from PostGIS ST_Area(geography) by far less than 0.01 %; the
// tests check this against values computed by PostGIS and GeographicLib.
// Lengths sum the geodesic (Vincenty inverse) distances between vertices.
package cim
