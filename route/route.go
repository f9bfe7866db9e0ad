// Package route holds the server's routes as data: each is a net/http
// pattern, its handler and what the API document says of it. The server
// registers the routes from one table and the OpenAPI document at /api
// is made from the same table, so the two cannot drift.
package route

import (
	"net/http"
	"strings"

	"github.com/future-community/cim/cim"
)

// Param is a parameter of a route.
type Param struct {
	Name        string
	In          string // "query" (the default), "path" or "header"
	Description string
	Type        string   // "string" (the default), "integer", "number" or "boolean"
	Enum        []string // the values a string may take, if few
}

// Stages are the values of a stage= parameter.
var Stages = func() []string {
	var names []string
	for _, s := range cim.Stages() {
		names = append(names, s.String())
	}
	return names
}()

// Route is one route of the server.
type Route struct {
	// Pattern is the net/http.ServeMux pattern, method first: "GET
	// /tiles.json", "POST /datasets/{name}/ingest".
	Pattern string
	// ID is the OpenAPI operationId; a route without one (the viewer's
	// own files) is served but not described.
	ID      string
	Summary string
	Params  []Param
	// Body is the media type of the request body, "" for none.
	Body string
	// Type is the media type of a successful answer, "" for none.
	Type string
	// Write is true for a route that changes the store, which needs the
	// write token.
	Write   bool
	Handler http.Handler
}

// Method returns the pattern's method.
func (r Route) Method() string {
	m, _, _ := strings.Cut(r.Pattern, " ")
	return m
}

// Path returns the pattern's path as an OpenAPI path template: {x...}
// becomes {x} and {$} is dropped.
func (r Route) Path() string {
	_, p, _ := strings.Cut(r.Pattern, " ")
	p = strings.ReplaceAll(p, "{$}", "")
	p = strings.ReplaceAll(p, "...}", "}")
	return p
}

// Register adds the routes to mux.
func Register(mux *http.ServeMux, rs ...Route) {
	for _, r := range rs {
		mux.Handle(r.Pattern, r.Handler)
	}
}
