// Package features serves a cim store as OGC API – Features: Part 1
// (core, GeoJSON, OpenAPI 3.0), Part 2 (coordinate reference systems),
// Part 3 (queryables and CQL2 filters) and the writes of Part 4 (draft
// 1.0: create, replace, update, delete), beside package query, which
// answers the queries.
//
//	GET /                          the landing page (JSON; the server sends browsers to the viewer)
//	GET /api                       the OpenAPI 3.0 document
//	GET /conformance               the conformance classes
//	GET /collections               one collection per CIM class
//	GET /collections/{c}           its extent, item type and CRSs
//	GET /collections/{c}/queryables
//	GET /collections/{c}/items     a page of features (GeoJSON)
//	GET /collections/{c}/items/{id}
//	GET /collections/building/items/{id}/levels   a building's floor stack
//	POST   /collections/{c}/items        adds a feature (201)
//	PUT    /collections/{c}/items/{id}   replaces it
//	PATCH  /collections/{c}/items/{id}   updates it by a JSON merge patch
//	DELETE /collections/{c}/items/{id}   deletes it (204)
//
// One table of routes feeds both the mux (Register) and the OpenAPI
// document, so the two cannot drift.
//
// # Items
//
// Items are the features the latest view sees (query.View), or the view
// of stage=; dataset= keeps one dataset, level=N or level=A..B the
// features on those floors, bbox= those whose geometry intersects the
// box, and any other parameter is a property that must equal the value
// (kind=kindergarten; kind and parent are cim's own fields, other names
// source properties). limit= is 1 to MaxLimit (10,000), DefaultLimit
// (100) when not given. numberReturned is always given; numberMatched
// only when the store's summary counts it without a scan: no bbox,
// floors, properties or filter, and a view of as-built data only.
//
// A feature's id is its CIM id, the id cim query prints: it is unique in
// a dataset at a stage, and a view sees one stage of each dataset, so two
// items share an id only when two datasets hold it; their properties
// cim:dataset tell them apart. /items/{id} takes the CIM id
// (percent-escaped in the path) and answers 409 when several datasets
// of the view hold it, naming them: dataset= chooses.
//
// # Writes (Part 4)
//
// The writes are the Part 4 conformance classes create-replace-delete,
// update and features. The server's token guard (package server) lets
// only requests with the write token reach them: 403 when the server
// has no write token, 401 without it or with another.
//
// A body is one GeoJSON Feature, read as cim ingest reads a feature of
// a GeoJSON file (ingest/geojson.DecodeFeature): the same classification
// of OSM-style tags, cim: properties and geometry checks (cim.Normalize,
// cim.ValidateGeometry). Anything wrong is a 400 problem naming the
// member, property or geometry part ("geometry: Polygon: ring 0: …",
// `feature property "cim:stage": …`), and nothing is stored. An
// unreadable cim: property is an error; an unreadable OSM-style tag
// (building:levels=3;4) is kept as a property and otherwise ignored, as
// ingest does, so that such a feature can be put back as GET gave it.
// The body's JSON may nest at most 64 levels; its size is bounded by the
// server (1 MiB by default: 413 above), or MaxBodyBytes without it.
//
// POST /collections/{c}/items creates a feature of class c: a body whose
// cim:class names another class is a 400. Its dataset is the body's
// cim:dataset, else dataset=, else DefaultDataset ("api"), its stage the
// body's cim:stage, else stage=, else cim.DefaultStage (a body and a
// parameter that disagree are a 400). Its id is the body's id member
// qualified as the GeoJSON reader does ("7" in dataset api is
// "geojson:api:7"; "osm:w1" stays), or, without one, a new random
// "geojson:<dataset>:<16 URL-safe characters>". The answer is 201 with
// the feature as stored, its ETag, and a Location that names dataset=
// and stage=, so that GET finds it whatever stage the view sees. An id
// the dataset already holds at that stage is a 409: PUT replaces.
//
// PUT, PATCH and DELETE /collections/{c}/items/{id} find the feature as
// GET does (404 none, 409 when several datasets hold the id: dataset=
// chooses; stage= reads another stage). PUT replaces its geometry and
// properties: its id, class, dataset, stage (and parent, when the body
// repeats it) stay, and a body that names others is a 400. A feature
// read with GET and put back unchanged stores the same feature, with the
// same ETag. PATCH applies an RFC 7396 JSON merge patch to the feature's
// GeoJSON as GET answers it (members of properties set, or removed by
// null; geometry replaced) and stores the result as PUT would. DELETE
// removes it and answers 204.
//
// An item's ETag is strong and made of its content: the first 128 bits
// of the SHA-256 of its GeoJSON in CRS84 (for another crs=, of that and
// the CRS), the same on GET and in the answer to a write, and unchanged
// by commits to other features. If-Match is optional, as Part 4 makes
// it: with it, PUT, PATCH and DELETE go ahead only when it names the
// current ETag or is "*"; else 412, the problem naming the current ETag.
// A weak ETag (W/…) never matches. Without If-Match a write applies to
// the feature as it is.
//
// Each write is one index.Batch. The body is decoded and validated
// before Begin; then, holding the store's single write batch, the
// handler reads the feature again and commits only if its ETag is still
// the one the write was made from. So of concurrent writes from one
// ETag exactly one commits and the others answer 412; a write without
// If-Match that loses such a race is made again from the new feature
// (three tries, then 409). On any error the batch is aborted and the
// store is unchanged.
//
// # Paging at a revision
//
// A paging reads one revision of the store from its first page to its
// last, whatever commits meanwhile: the first page pins a snapshot of the
// store (index.Snapshot), and its next link carries the revision (rev=)
// and the position after the page (cursor=, query.Rows.CursorAfter, a
// key in the snapshot's index, valid only in the same query, which it
// fingerprints). Later pages read the pinned snapshot again. The pool
// holds at most PagingMax revisions (the least recently used go first)
// and drops a revision unused for PagingIdle (5 minutes); a next link to
// a revision no longer held answers 410 Gone with a problem saying to
// start again from the first page, rather than go on at another revision,
// which could repeat or skip features. There are no prev links: OGC API
// – Features does not ask for them, and a forward cursor cannot give
// them without carrying the whole path back.
//
// # Filters
//
// filter= takes a CQL2 expression (package query/cql2): CQL2 text by
// default or with filter-lang=cql2-text (cql-text, the draft's name that
// GDAL sends, is taken too), CQL2 JSON with filter-lang=cql2-json;
// geometries in it are CRS84 (filter-crs= may say so, and may say nothing
// else). The filter is bound to the collection's queryables (an unknown
// one, a type mismatch or an unsupported construct is a 400 naming it),
// runs on each feature after the index scan and before the page is
// counted, so that a page holds limit features that pass, and when it
// holds an S_INTERSECTS with a literal that every feature must meet, that
// literal's box narrows the index scan. Next links carry the filter as
// CQL2 text.
//
// The queryables of a collection (GET …/queryables, a JSON Schema) are
// cim's own fields (id, class, kind, name, dataset, stage, level_min,
// level_max, height — cim.Heights, the top in metres, known or estimated —
// and parent), the same fields under the names the GeoJSON of items gives
// them (cim:kind, cim:dataset, cim:stage, cim:class, cim:parent,
// cim:level), and the source properties found in the collection's first
// 500 features. The document also lists them as the draft of Part 3 did
// ("queryables": [{"id": …}]) and is answered as application/json to a
// client that asks for that: GDAL before 3.9 reads it so, and then turns
// ogr2ogr -where into a CQL2 filter instead of filtering every feature
// itself.
//
// # Coordinate reference systems
//
// Features are stored in WGS84 longitude, latitude. crs= asks for the
// answer in another CRS and bbox-crs= gives bbox in one: CRS84 (the
// default), EPSG:4326, EPSG:3857, EPSG:4490 (CGCS2000) and the CGCS2000
// 3° Gauss–Krüger CRSs over Zhejiang (EPSG:4548–4550, central meridians
// 117°, 120°, 123°E, and EPSG:4527–4529, the same zones 39–41 with the
// zone number in the easting), converted by package crs. As Part 2
// requires, coordinates follow the axis order the EPSG registry gives the
// CRS, except CRS84: EPSG:4326 and 4490 are latitude, longitude, the
// Gauss–Krüger CRSs northing, easting (their axes are X north, Y east),
// EPSG:3857 easting, northing; GDAL's OAPIF driver and PROJ read them
// so. The answer's CRS is in the Content-Crs header.
//
// # Errors and caching
//
// A bad parameter is a 400 application/problem+json naming it (package
// problem), an unknown collection or feature 404, an evicted paging 410.
// Answers carry an ETag made of the store revision and the request (an
// item's, of its content: see Writes), and Cache-Control max-age like
// the tiles; answers to writes are no-store.
package features
