// Package crs converts between WGS84 longitude and latitude and the
// coordinate reference systems that IFC and CityJSON files are drawn in.
//
// Lookup finds a CRS by EPSG code, Parse by the identifiers those formats
// use ("EPSG:28992", "urn:ogc:def:crs:EPSG::7415",
// "https://www.opengis.net/def/crs/EPSG/0/7415"). CRS.ToLonLat and
// CRS.FromLonLat convert horizontal positions; x is always the easting (or
// longitude) and y the northing (or latitude), whatever axis order the EPSG
// register gives (the CGCS2000 Gauss–Krüger CRSs list northing first).
//
// # Supported CRSs
//
//   - 4326 WGS 84 and 4490 CGCS2000, geographic: x is longitude, y latitude.
//   - 3857 WGS 84 / Pseudo-Mercator (spherical Web Mercator).
//   - 4513–4533 CGCS2000 / 3-degree Gauss-Kruger zones 25–45 (central
//     meridians 75°E–135°E, false easting with the zone number in front,
//     25 500 000 m for zone 25) and 4534–4554, the same meridians with false
//     easting 500 000 m; scale 1 on the central meridian, GRS 1980.
//   - 32601–32660 and 32701–32760 WGS 84 / UTM zones 1N–60N and 1S–60S.
//   - 25828–25838 ETRS89 / UTM zones 28N–38N.
//   - 2056 CH1903+ / LV95 (Swiss oblique Mercator on the Bessel 1841
//     ellipsoid).
//   - 28992 Amersfoort / RD New and 7415, RD New + NAP height (oblique
//     stereographic on Bessel 1841). A compound CRS maps to its horizontal
//     part; heights are not converted.
//
// Transverse Mercator (UTM, Gauss–Krüger) uses Krüger's series to sixth
// order in Karney's (2011) form, Web Mercator its closed formulas, LV95
// swisstopo's formulas for the Swiss oblique Mercator, RD the oblique
// stereographic of EPSG Guidance Note 7-2.
//
// # Datums
//
// Datum shifts are the transformations PROJ 9.1 chooses for EPSG:2056 and
// EPSG:28992 to EPSG:4326, Helmert transformations of geocentric
// coordinates (no grid for these exists in PROJ's data):
//
//   - CH1903+ to WGS 84: EPSG:1676, translations 674.374, 15.056, 405.346 m.
//   - Amersfoort to WGS 84: EPSG:4833 "Amersfoort to WGS 84 (4)", seven
//     parameters, coordinate frame rotation (PROJ's first choice; the grid
//     based RDNAPTRANS™ 2018 goes to ETRS89, not WGS 84).
//
// EPSG gives both an accuracy of about 1 m: they are the datum shifts of
// PROJ's EPSG:28992 → EPSG:4326, not survey-grade ones. Three datums are
// taken to be WGS84 itself. ETRS89, as PROJ does by default (EPSG:1149,
// all parameters zero): ETRS89 is fixed to the Eurasian plate and has
// drifted from WGS84 by about 2.5 cm a year since 1989, some 90 cm by
// 2025. CGCS2000 (PROJ uses a "ballpark" null transformation): its frame
// agrees with WGS84 (G1762) to a few centimetres, and its ellipsoid (GRS
// 1980 in PROJ) differs from WGS84's by 0.1 mm in the semi-minor axis. Web Mercator,
// by definition, uses WGS84 latitudes and longitudes.
//
// The shifts take points at ellipsoidal height zero. ToLonLat gives what
// PROJ gives; FromLonLat is the exact inverse of ToLonLat, where PROJ's
// reverse shift (height zero on the WGS84 side, transposed rotation) is
// not, so the two differ by up to about 1 mm.
//
// # Accuracy
//
// The tests compare with PROJ 9.1.1 (cs2cs) at points across each CRS's
// area of use, kept in testdata. The largest differences measured are
// 6 µm for UTM, ETRS89 / UTM and Gauss–Krüger out to 3° from the central
// meridian, 30 µm for Web Mercator, 6 µm for RD New and LV95 from
// projected coordinates to WGS84, and 0.6 mm (RD New) and 1.3 mm (LV95)
// from WGS84 to projected coordinates. A round trip through FromLonLat
// and ToLonLat returns to within 10 nm.
package crs
