// Package cql2 parses and evaluates CQL2 (OGC 21-065r2, Common Query
// Language 1.0) filters for the filter= parameter of OGC API – Features
// Part 3: ParseText reads CQL2 text, ParseJSON reads CQL2 JSON, String
// writes an expression back as text, Compile binds it to a collection's
// Queryables and returns a Filter evaluated per feature, and BBox tells
// the handler which box of the index a filter can be limited to.
//
// # Supported
//
// The conformance classes Conformance lists: CQL2 Text and JSON, Basic
// CQL2 (AND, OR, NOT, = <> < <= > >=, IS [NOT] NULL, string, number and
// boolean literals, TRUE and FALSE as predicates), Advanced Comparison
// Operators ([NOT] LIKE with % and _ and \ as escape, [NOT] BETWEEN,
// [NOT] IN), Basic Spatial Functions (S_INTERSECTS with POINT, BBOX and
// also LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING and MULTIPOLYGON
// literals, in WKT or as GeoJSON in CQL2 JSON) and Property-Property
// comparisons (either side of a comparison may be a property or a
// literal). Keywords are case-insensitive; property names are bare
// identifiers (letters, digits, _, : and .) or "double-quoted"; strings
// use ” for a quote. Coordinates are WGS84 longitude, latitude, 2D.
//
// GDAL's OAPIF driver, which translates ogr2ogr -where into CQL text,
// sends forms like (kind = 'residential') AND (height > 20), (name IS
// NULL), NOT (...), LIKE, and numbers printed with %.16g (1e+20); all
// parse here. It also may send ILIKE, which is not CQL2 and is an error.
//
// # Errors
//
// Every malformed or unsupported input is an *Error, never a panic: text
// errors name the byte offset ("cql2: at 14: unsupported function
// \"T_AFTER\""), JSON errors the JSON pointer of the member ("cql2: at
// /args/1/op: unsupported operator \"t_after\""), bind errors the
// queryable or the operands ("cql2: comparing number property \"height\"
// with string 'x'"). Unsupported are temporal literals and functions
// (T_*), array functions (A_*), other spatial functions (S_CONTAINS …),
// CASEI, ACCENTI, arithmetic, GEOMETRYCOLLECTION and 3D coordinates.
// Expressions nest at most MaxDepth (64) deep; parsing is linear in the
// input, so input length is the caller's limit.
//
// # NULL semantics
//
// Evaluation follows CQL2's three-valued logic, as SQL's: a comparison,
// LIKE, BETWEEN, IN or S_INTERSECTS whose operand is missing or null is
// UNKNOWN; NOT UNKNOWN is UNKNOWN; FALSE AND UNKNOWN is FALSE, TRUE OR
// UNKNOWN is TRUE; only features for which the filter is TRUE are
// selected. So neither "height > 20" nor "NOT (height > 20)" selects a
// feature without a height; "height IS NULL" does. There are no implicit
// casts: a property value whose type differs from the queryable's (a
// numeric string "20" in a number property) counts as UNKNOWN, never
// converted. Empty id, kind, dataset and parent fields count as null, as
// do Props values that are arrays or objects.
//
// # Queryables
//
// FeatureQueryables lists the model fields — id, class, kind, name (from
// Props), dataset, stage, level_min, level_max, height (the top above
// ground, as the vector tiles' height; see cim.Heights) and parent (strings
// or numbers) and geometry — plus the Props keys a collection exposes.
// An unknown name is an error naming it (a 400 for OGC API).
package cql2
