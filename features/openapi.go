package features

import (
	"net/http"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/route"
)

// apiRoute is one path of the API: the mux registers it and the OpenAPI
// document describes it, from this one table, so that the two cannot
// drift.
type apiRoute struct {
	method  string // "" for GET (and HEAD); POST, PUT, PATCH or DELETE for a write
	path    string // a net/http pattern path, which is also OpenAPI's path template
	op      string // operationId
	summary string
	params  []string // names in parameters
	ctype   string   // media type of the 200 answer (201 for POST)
	serve   http.HandlerFunc
}

// write reports whether the route changes the store.
func (rt apiRoute) write() bool { return rt.method != "" }

// pattern is the route's net/http pattern.
func (rt apiRoute) pattern() string {
	if rt.method == "" {
		return "GET " + rt.path
	}
	return rt.method + " " + rt.path
}

func (h *Handler) routeTable() []apiRoute {
	items := []string{"collectionId", "limit", "bbox", "bbox-crs", "crs", "level", "stage", "dataset", "rev", "cursor", "before", "as_of", "filter", "filter-lang", "filter-crs", "properties"}
	return []apiRoute{
		{"", "/", "getLandingPage", "The landing page: links to the API definition, the conformance classes and the collections.", []string{"f"}, typeJSON, h.ServeLanding},
		{"", "/api", "getAPI", "This OpenAPI 3.0 document.", nil, typeOpenAPI, h.serveAPI},
		{"", "/conformance", "getConformance", "The conformance classes the API implements.", nil, typeJSON, h.serveConformance},
		{"", "/collections", "getCollections", "The collections: one per CIM class.", nil, typeJSON, h.serveCollections},
		{"", "/collections/{collectionId}", "describeCollection", "A collection: its extent, item type and CRSs.", []string{"collectionId"}, typeJSON, h.serveCollection},
		{"", "/collections/{collectionId}/queryables", "getQueryables", "The properties a request can filter on, as a JSON Schema.", []string{"collectionId"}, "application/schema+json", h.serveQueryables},
		{"", "/collections/{collectionId}/items", "getFeatures", "The features of a collection, a page at a time: follow the next link to page through them all at the revision the first page read, and the prev link back.", items, typeGeoJSON, h.serveItems},
		{"", "/collections/{collectionId}/items/{featureId}", "getFeature", "One feature, by its CIM id (dataset= chooses when several datasets hold the id).", []string{"collectionId", "featureId", "crs", "stage", "dataset", "as_of"}, typeGeoJSON, h.serveItem},
		{"POST", "/collections/{collectionId}/items", "createFeature", "Adds a feature to the collection (OGC API – Features Part 4): a GeoJSON Feature, validated as cim ingest reads one; its dataset and stage from cim:dataset and cim:stage, else dataset= and stage=, else dataset api at the default stage; its id from its id member, else a new one. Answers 201 with the feature, its Location and ETag; 409 when the id exists.", []string{"collectionId", "stage", "dataset"}, typeGeoJSON, h.serveCreate},
		{"PUT", "/collections/{collectionId}/items/{featureId}", "replaceFeature", "Replaces a feature's geometry and properties with a GeoJSON Feature; its id, class, dataset and stage stay. If-Match with the ETag GET gave makes it conditional (412 when the feature changed).", []string{"collectionId", "featureId", "stage", "dataset"}, typeGeoJSON, h.serveReplace},
		{"PATCH", "/collections/{collectionId}/items/{featureId}", "updateFeature", "Updates a feature with a JSON merge patch (RFC 7396) of its GeoJSON: properties set, or removed by null; geometry replaced. If-Match as for PUT.", []string{"collectionId", "featureId", "stage", "dataset"}, typeGeoJSON, h.serveUpdate},
		{"DELETE", "/collections/{collectionId}/items/{featureId}", "deleteFeature", "Deletes a feature (204). If-Match as for PUT.", []string{"collectionId", "featureId", "stage", "dataset"}, "", h.serveDelete},
		{"", "/changes", "getChanges", "The change feed: the features created, updated and deleted after revision since, oldest first, each with its revision and a link to it, a page at a time (follow next); the answer's revision is where the next poll starts (the poll link). wait= long-polls until a change comes; Accept: text/event-stream streams them as server-sent events instead (each event's id resumes after it, as Last-Event-ID). A since older than the history the store keeps is a 410: read the collections whole, then follow from their revision.", []string{"since", "after", "limit", "dataset", "stage", "class", "wait"}, typeJSON, h.serveChanges},
		{"", "/collections/{collectionId}/items/{featureId}/levels", "getLevels", "The floor stack of a building: each storey's level, name, elevation, height, floor area, counted GFA and number of spaces.", []string{"collectionId", "featureId", "stage", "dataset"}, typeJSON, h.serveLevels},
	}
}

// parameters describes every parameter a route may name.
func parameters() map[string]map[string]any {
	str := map[string]any{"type": "string"}
	classes := []string{}
	for _, c := range cim.Classes() {
		classes = append(classes, c.String())
	}
	crsEnum := map[string]any{"type": "string", "format": "uri", "enum": crsList(), "default": CRS84}
	q := func(name, desc string, schema map[string]any) map[string]any {
		return map[string]any{"name": name, "in": "query", "required": false, "description": desc, "schema": schema, "style": "form", "explode": false}
	}
	return map[string]map[string]any{
		"f": q("f", "The answer's format: json (the landing page) or html (the map viewer).", map[string]any{"type": "string", "enum": []string{"json", "html"}}),
		"collectionId": {"name": "collectionId", "in": "path", "required": true, "description": "A CIM class.",
			"schema": map[string]any{"type": "string", "enum": classes}},
		"featureId": {"name": "featureId", "in": "path", "required": true, "description": "The feature's CIM id, such as osm:w123 (percent-escaped in the path).", "schema": str},
		"limit": q("limit", "How many features a page holds at most.",
			map[string]any{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit}),
		"bbox": q("bbox", "Keeps the features whose geometry intersects the box: lower left and upper right corners, in bbox-crs's axis order (CRS84: lon,lat,lon,lat).",
			map[string]any{"type": "array", "minItems": 4, "maxItems": 4, "items": map[string]any{"type": "number"}}),
		"bbox-crs":    q("bbox-crs", "The CRS of bbox (default CRS84).", crsEnum),
		"crs":         q("crs", "The CRS of the answer's coordinates (default CRS84), in that CRS's axis order: EPSG:4326 and 4490 latitude first, the CGCS2000 Gauss–Krüger CRSs northing first.", crsEnum),
		"level":       q("level", "Keeps the features on a floor (0 the ground floor, -1 the first basement) or on one of a range A..B.", str),
		"stage":       q("stage", "Reads the model as that stage sees it: planning, design, construction or as-built; default each dataset's latest.", map[string]any{"type": "string", "enum": []string{"planning", "design", "construction", "as-built"}}),
		"dataset":     q("dataset", "Keeps the features of one dataset.", str),
		"rev":         q("rev", "The store revision a paging reads; next links carry it.", map[string]any{"type": "integer", "minimum": 1}),
		"cursor":      q("cursor", "Where a paging continues; next links carry it.", str),
		"before":      q("before", "The position a page ends at; prev links carry it.", str),
		"as_of":       q("as_of", "Reads the store as it was at a revision (12) or a time (2026-12-01T08:00:00+08:00); the store keeps its history for 30 days unless told otherwise. Older than that is a 410.", str),
		"since":       q("since", "The change feed's start: the changes after this revision (0: all the store's history keeps).", map[string]any{"type": "integer", "minimum": 0, "default": 0}),
		"after":       q("after", "Where a change feed's paging continues; next links carry it.", str),
		"class":       q("class", "Keeps the changes of these classes (collections), comma-separated.", str),
		"wait":        q("wait", "Long-polls: when no change follows since, wait up to this long (at most 25s) for one.", str),
		"filter":      q("filter", "A CQL2 filter on the collection's queryables: Basic CQL2, LIKE/BETWEEN/IN, S_INTERSECTS with WKT literals in CRS84, property-property comparisons. An unknown queryable or an unsupported construct is a 400 naming it.", str),
		"filter-lang": q("filter-lang", "The filter's language: cql2-text (the default; cql-text is taken as its older name) or cql2-json.", map[string]any{"type": "string", "enum": []string{"cql2-text", "cql2-json", "cql-text"}, "default": "cql2-text"}),
		"filter-crs":  q("filter-crs", "The CRS of the filter's geometries.", crsEnum),
		"properties": {"name": "properties", "in": "query", "required": false, "style": "form", "explode": true,
			"description": "Property equalities: any other parameter name is a property (or kind, name, parent) that must equal the value, as in kind=kindergarten.",
			"schema":      map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}},
	}
}

// openAPI returns the OpenAPI 3.0 document of the routes.
func (h *Handler) openAPI(base string) map[string]any {
	defs := parameters()
	paths := map[string]any{}
	problemResp := map[string]any{"description": "A problem (RFC 9457).",
		"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/problem"}}}}
	for _, rt := range h.routes {
		var ps []any
		for _, name := range rt.params {
			ps = append(ps, map[string]any{"$ref": "#/components/parameters/" + name})
		}
		if len(ps) > 0 && rt.write() && rt.method != "POST" {
			ps = append(ps, map[string]any{"$ref": "#/components/parameters/If-Match"})
		}
		op := map[string]any{
			"operationId": rt.op, "summary": rt.summary,
			"responses": map[string]any{
				"200": map[string]any{"description": "OK", "content": map[string]any{strings.Split(rt.ctype, ";")[0]: map[string]any{"schema": map[string]any{"type": "object"}}}},
				"304": map[string]any{"description": "Not modified (If-None-Match named the ETag)."},
				"400": problemResp, "404": problemResp, "500": problemResp,
			},
		}
		if rt.write() {
			op = writeOp(rt, problemResp)
		}
		if rt.op == "getFeatures" {
			op["responses"].(map[string]any)["410"] = problemResp
		}
		if rt.op == "getFeature" {
			op["responses"].(map[string]any)["409"] = problemResp
		}
		if len(ps) > 0 {
			op["parameters"] = ps
		}
		method := strings.ToLower(rt.method)
		if method == "" {
			method = "get"
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path].(map[string]any)[method] = op
	}
	for _, rt := range h.extra {
		if rt.ID == "" {
			continue
		}
		if paths[rt.Path()] == nil {
			paths[rt.Path()] = map[string]any{}
		}
		paths[rt.Path()].(map[string]any)[strings.ToLower(rt.Method())] = extraOp(rt, problemResp)
	}
	params := map[string]any{}
	for k, v := range defs {
		params[k] = v
	}
	params["If-Match"] = map[string]any{"name": "If-Match", "in": "header", "required": false, "schema": map[string]any{"type": "string"},
		"description": "The ETag the feature had when read (GET answers it), or *: the write happens only if the feature is still so, else 412. Optional: without it the write applies to the feature as it is."}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "cim – OGC API – Features", "version": "1.0.0",
			"description": "The features of a cim store as OGC API – Features Parts 1 (core, GeoJSON, OpenAPI 3.0), 2 (CRS), 3 (queryables, filter) and 4 (create, replace, update, delete); beside them, every other route of the server: vector tiles, TileJSON and style, the planning check, indicators and what-if, sunlight, live ingest, health and metrics."},
		"servers": []any{map[string]any{"url": base}},
		"paths":   paths,
		"components": map[string]any{
			"parameters": params,
			"securitySchemes": map[string]any{"bearerAuth": map[string]any{"type": "http", "scheme": "bearer",
				"description": "The server's write token (cim serve --token): writes need Authorization: Bearer <token>."}},
			"schemas": map[string]any{"problem": map[string]any{"type": "object", "properties": map[string]any{
				"status": map[string]any{"type": "integer"}, "title": map[string]any{"type": "string"}, "detail": map[string]any{"type": "string"},
				"instance": map[string]any{"type": "string"}, "parameter": map[string]any{"type": "string"}, "value": map[string]any{"type": "string"}}}},
		},
	}
}

func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	h.writeJSON(w, r, typeOpenAPI, 0, h.openAPI(baseURL(r)))
}

// extraOp describes one of the server's other routes.
func extraOp(rt route.Route, problemResp map[string]any) map[string]any {
	ok := map[string]any{"description": "OK"}
	if rt.Type != "" {
		ok["content"] = map[string]any{rt.Type: map[string]any{"schema": map[string]any{}}}
	}
	op := map[string]any{"operationId": rt.ID, "summary": rt.Summary,
		"responses": map[string]any{"200": ok, "400": problemResp, "404": problemResp, "500": problemResp}}
	var ps []any
	for _, p := range rt.Params {
		in, typ := p.In, p.Type
		if in == "" {
			in = "query"
		}
		if typ == "" {
			typ = "string"
		}
		schema := map[string]any{"type": typ}
		if len(p.Enum) > 0 {
			schema["enum"] = p.Enum
		}
		ps = append(ps, map[string]any{"name": p.Name, "in": in, "required": in == "path", "description": p.Description, "schema": schema})
	}
	if len(ps) > 0 {
		op["parameters"] = ps
	}
	if rt.Body != "" {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{rt.Body: map[string]any{"schema": map[string]any{}}}}
	}
	if rt.Write {
		op["responses"].(map[string]any)["401"] = problemResp
		op["responses"].(map[string]any)["403"] = problemResp
		op["security"] = []any{map[string]any{"bearerAuth": []any{}}}
	}
	return op
}

// writeOp describes a write route: its body, answers and security.
func writeOp(rt apiRoute, problemResp map[string]any) map[string]any {
	feature := map[string]any{"description": "The feature as stored, with its ETag and Location.",
		"headers": map[string]any{
			"ETag":     map[string]any{"description": "The feature's strong ETag, for If-Match.", "schema": map[string]any{"type": "string"}},
			"Location": map[string]any{"description": "Where GET finds the feature.", "schema": map[string]any{"type": "string"}}},
		"content": map[string]any{typeGeoJSON: map[string]any{"schema": map[string]any{"type": "object"}}}}
	resp := map[string]any{"400": problemResp, "401": problemResp, "403": problemResp, "404": problemResp, "413": problemResp, "500": problemResp, "503": problemResp}
	body := func(types ...string) map[string]any {
		c := map[string]any{}
		for _, t := range types {
			c[t] = map[string]any{"schema": map[string]any{"type": "object"}}
		}
		return map[string]any{"required": true, "content": c}
	}
	op := map[string]any{"operationId": rt.op, "summary": rt.summary, "responses": resp,
		"security": []any{map[string]any{"bearerAuth": []any{}}}}
	switch rt.method {
	case "POST":
		resp["201"] = feature
		resp["409"] = problemResp
		op["requestBody"] = body(typeGeoJSON, typeJSON)
	case "PUT":
		resp["200"] = feature
		resp["409"], resp["412"] = problemResp, problemResp
		op["requestBody"] = body(typeGeoJSON, typeJSON)
	case "PATCH":
		resp["200"] = feature
		resp["409"], resp["412"] = problemResp, problemResp
		op["requestBody"] = body(typeMergePatch, typeJSON)
	case "DELETE":
		resp["204"] = map[string]any{"description": "Deleted."}
		resp["409"], resp["412"] = problemResp, problemResp
	}
	return op
}
