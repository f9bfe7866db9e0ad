package features

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/geojson"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/query"
	"github.com/future-community/cim/query/cql2"
	"github.com/future-community/cim/route"
)

// Media types the API answers in.
const (
	typeJSON    = "application/json"
	typeGeoJSON = "application/geo+json"
	typeOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
)

// Options configures a Handler. Zero values take the defaults given.
type Options struct {
	// MaxAge is the Cache-Control max-age of the answers (default 10 s;
	// clients revalidate with the ETag).
	MaxAge time.Duration
	// PagingIdle is how long a paging's revision stays held after its
	// last page (default 5 minutes); PagingMax bounds how many revisions
	// are held at once (default 16).
	PagingIdle time.Duration
	PagingMax  int
	// Routes are the server's other routes, which /api describes beside
	// the feature API's own (those with an ID).
	Routes []route.Route
}

// Handler serves OGC API – Features (see the package documentation).
type Handler struct {
	store  *index.Store
	maxAge time.Duration
	pool   *pool
	routes []apiRoute
	extra  []route.Route
	stop   chan struct{}
	once   sync.Once
	// draining ends the change feed's long polls (Drain).
	draining  chan struct{}
	drainOnce sync.Once

	mu         sync.Mutex
	sums       *summary // of the last revision asked for
	queryRev   uint64
	queryCache map[string]map[string]any // queryables at queryRev, by collection
}

// New returns the handler of a store. Close it when the server stops.
func New(s *index.Store, o Options) *Handler {
	if o.MaxAge <= 0 {
		o.MaxAge = 10 * time.Second
	}
	if o.PagingIdle <= 0 {
		o.PagingIdle = 5 * time.Minute
	}
	if o.PagingMax <= 0 {
		o.PagingMax = 16
	}
	h := &Handler{store: s, maxAge: o.MaxAge, pool: newPool(s, o.PagingIdle, o.PagingMax), extra: o.Routes, stop: make(chan struct{}), draining: make(chan struct{})}
	h.routes = h.routeTable()
	go h.expire(o.PagingIdle)
	return h
}

func (h *Handler) expire(idle time.Duration) {
	t := time.NewTicker(max(idle/4, time.Second))
	defer t.Stop()
	for {
		select {
		case <-t.C:
			h.pool.expire()
		case <-h.stop:
			return
		}
	}
}

// Drain answers the change feed's long polls at once, and those to come:
// a server that is shutting down calls it so that they do not hold up
// its shutdown.
func (h *Handler) Drain() { h.drainOnce.Do(func() { close(h.draining) }) }

// Close releases the revisions held for pagings.
func (h *Handler) Close() {
	h.Drain()
	h.once.Do(func() {
		close(h.stop)
		h.pool.close()
	})
}

// Register adds the handler's routes to mux, all but the landing page,
// which shares / with the viewer: the server sends ServeLanding the
// requests for / that want JSON (WantsJSON).
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routes {
		if rt.path != "/" {
			mux.HandleFunc(rt.pattern(), rt.serve)
		}
	}
}

// WantsJSON reports whether a request prefers JSON to HTML: f=json, or
// an Accept header that names application/json (or geo+json) and not
// text/html, as GDAL and other API clients send.
func WantsJSON(r *http.Request) bool {
	switch r.URL.Query().Get("f") {
	case "json":
		return true
	case "html":
		return false
	}
	a := r.Header.Get("Accept")
	return (strings.Contains(a, "application/json") || strings.Contains(a, "+json")) && !strings.Contains(a, "text/html")
}

// ServeLanding answers the landing page.
func (h *Handler) ServeLanding(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r)
	doc := map[string]any{
		"title":       "cim – Community Information Model",
		"description": "The features of a cim store, by CIM class, as OGC API – Features.",
		"links": []link{
			{Href: base + "/?f=json", Rel: "self", Type: typeJSON, Title: "This document"},
			{Href: base + "/?f=html", Rel: "alternate", Type: "text/html", Title: "The map viewer"},
			{Href: base + "/api", Rel: "service-desc", Type: typeOpenAPI, Title: "The API definition (OpenAPI 3.0)"},
			{Href: base + "/conformance", Rel: "conformance", Type: typeJSON, Title: "Conformance classes"},
			{Href: base + "/collections", Rel: "data", Type: typeJSON, Title: "Collections"},
		},
	}
	h.writeJSON(w, r, typeJSON, 0, doc)
}

// conformance lists the conformance classes the API implements.
var conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
}

func init() { conformance = append(conformance, cql2.Conformance()...) }

func (h *Handler) serveConformance(w http.ResponseWriter, r *http.Request) {
	h.writeJSON(w, r, typeJSON, 0, map[string]any{"conformsTo": conformance})
}

type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// baseURL is the scheme and host the client reached.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// summary is what the collections say of the store at one revision.
type summary struct {
	rev    uint64
	sums   []index.DatasetSummary
	extent map[cim.Class]cim.Box // by class: the datasets' extents that hold it
}

// summaryOf returns the store's summary at the snapshot's revision,
// computed once per revision.
func (h *Handler) summaryOf(ctx context.Context, sn *index.Snapshot) (*summary, error) {
	h.mu.Lock()
	s := h.sums
	h.mu.Unlock()
	if s != nil && s.rev == sn.Revision() {
		return s, nil
	}
	sums, err := sn.Summary(ctx)
	if err != nil {
		return nil, err
	}
	s = &summary{rev: sn.Revision(), sums: sums, extent: map[cim.Class]cim.Box{}}
	for _, d := range sums {
		for c, n := range d.Classes {
			if n == 0 {
				continue
			}
			if e, ok := s.extent[c]; ok {
				s.extent[c] = e.Extend(d.Extent)
			} else {
				s.extent[c] = d.Extent
			}
		}
	}
	h.mu.Lock()
	h.sums = s
	h.mu.Unlock()
	return s, nil
}

// collection describes one CIM class as a collection.
func collection(base string, c cim.Class, s *summary) map[string]any {
	href := base + "/collections/" + c.String()
	doc := map[string]any{
		"id":          c.String(),
		"title":       c.String(),
		"description": "The CIM class " + c.String() + ": the features the latest view (or ?stage=) sees.",
		"itemType":    "feature",
		"crs":         crsList(),
		"storageCrs":  CRS84,
		"links": []link{
			{Href: href, Rel: "self", Type: typeJSON, Title: c.String()},
			{Href: href + "/items", Rel: "items", Type: typeGeoJSON, Title: "The " + c.String() + " features"},
			{Href: href + "/queryables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", Type: "application/schema+json", Title: "What can be queried"},
			// The draft's relation, which GDAL before 3.9 looks for.
			{Href: href + "/queryables", Rel: "queryables", Type: typeJSON, Title: "What can be queried"},
		},
	}
	// The store keeps no time of its features: the temporal extent is
	// open at both ends.
	extent := map[string]any{"temporal": map[string]any{"interval": [][]any{{nil, nil}}}}
	if e, ok := s.extent[c]; ok {
		extent["spatial"] = map[string]any{"bbox": [][]float64{{e.MinLon, e.MinLat, e.MaxLon, e.MaxLat}}, "crs": CRS84}
	}
	doc["extent"] = extent
	return doc
}

// snapshot takes a snapshot and the summary, or answers the request
// with a problem and returns nil.
func (h *Handler) snapshot(w http.ResponseWriter, r *http.Request) (*index.Snapshot, *summary) {
	sn, err := h.store.Snapshot()
	if err != nil {
		problem.Status(w, r, http.StatusServiceUnavailable, "the store is closed")
		return nil, nil
	}
	s, err := h.summaryOf(r.Context(), sn)
	if err != nil {
		sn.Close()
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return nil, nil
	}
	return sn, s
}

func (h *Handler) serveCollections(w http.ResponseWriter, r *http.Request) {
	sn, s := h.snapshot(w, r)
	if sn == nil {
		return
	}
	defer sn.Close()
	base := baseURL(r)
	var cs []map[string]any
	for _, c := range cim.Classes() {
		cs = append(cs, collection(base, c, s))
	}
	h.writeJSON(w, r, typeJSON, sn.Revision(), map[string]any{
		"links": []link{{Href: base + "/collections", Rel: "self", Type: typeJSON, Title: "Collections"}},
		"crs":   crsList(), "collections": cs,
	})
}

// class reads the collection id, or answers 404 and returns false.
func class(w http.ResponseWriter, r *http.Request) (cim.Class, bool) {
	c, err := cim.ParseClass(r.PathValue("collectionId"))
	if err != nil {
		names := make([]string, 0, len(cim.Classes()))
		for _, c := range cim.Classes() {
			names = append(names, c.String())
		}
		problem.Status(w, r, http.StatusNotFound, fmt.Sprintf("no collection %q: the collections are the CIM classes (%s)", r.PathValue("collectionId"), strings.Join(names, ", ")))
		return 0, false
	}
	return c, true
}

func (h *Handler) serveCollection(w http.ResponseWriter, r *http.Request) {
	c, ok := class(w, r)
	if !ok {
		return
	}
	sn, s := h.snapshot(w, r)
	if sn == nil {
		return
	}
	defer sn.Close()
	h.writeJSON(w, r, typeJSON, sn.Revision(), collection(baseURL(r), c, s))
}

// badParam answers 400 for a parameter error.
func badParam(w http.ResponseWriter, r *http.Request, err error) {
	var pe *problem.ParamError
	if errors.As(err, &pe) {
		problem.BadParam(w, r, pe)
		return
	}
	problem.Status(w, r, http.StatusBadRequest, err.Error())
}

// page is one page of items.
type page struct {
	features []*cim.Feature
	next     string // the cursor after the page; "" at the end
}

// scan reads one page: the rows that pass keep (nil: all), up to
// p.Limit, and whether one more passes (then next is the cursor after the
// page).
func scan(ctx context.Context, sn *index.Snapshot, q query.Query, p Params, keep cql2.Filter) (page, error) {
	var pg page
	rows := query.Run(ctx, sn, q)
	defer rows.Close()
	for rows.Next() {
		f := rows.Feature()
		if keep != nil && !keep(f) {
			continue
		}
		if len(pg.features) == p.Limit {
			return pg, nil // one more passes: there is a next page
		}
		pg.features = append(pg.features, f)
		if len(pg.features) == p.Limit {
			pg.next = rows.CursorAfter()
		}
	}
	pg.next = ""
	return pg, rows.Err()
}

// startOf resolves a prev link: the cursor at which the page of p.Limit
// features that ends at position before starts ("" for the first page).
// It reads the query from its start up to that position, the cost of
// a prev link, which is resolved only when followed. Next links cost
// nothing and are what clients page by.
func startOf(ctx context.Context, sn *index.Snapshot, q query.Query, p Params, keep cql2.Filter) (string, error) {
	q.Cursor = ""
	rows := query.Run(ctx, sn, q)
	defer rows.Close()
	ring := make([]string, p.Limit+1) // the positions after the last p.Limit+1 features
	for i := 0; rows.Next(); {
		if keep != nil && !keep(rows.Feature()) {
			continue
		}
		after := rows.CursorAfter()
		ring[i%len(ring)] = after
		if after == p.Before {
			if i < p.Limit {
				return "", nil
			}
			return ring[(i-p.Limit)%len(ring)], nil
		}
		i++
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%w: no feature of this query at revision %d ends there", query.ErrBadCursor, sn.Revision())
}

// compileFilter binds p's filter to collection c's queryables and narrows
// q's box to the filter's S_INTERSECTS literal, when the filter holds one
// that every feature must meet.
func (h *Handler) compileFilter(ctx context.Context, sn *index.Snapshot, c cim.Class, p Params, q *query.Query) (keep cql2.Filter, err error) {
	if p.Filter == nil {
		return nil, nil
	}
	schema, err := h.queryables(ctx, sn, c)
	if err != nil {
		return nil, err
	}
	props := map[string]cql2.Type{}
	for k, v := range schema {
		if _, model := fieldSchemas[k]; model {
			continue
		}
		switch v.(map[string]any)["type"] {
		case "number":
			props[k] = cql2.TypeNumber
		case "boolean":
			props[k] = cql2.TypeBoolean
		default:
			props[k] = cql2.TypeString
		}
	}
	keep, err = cql2.Compile(p.Filter, cql2.FeatureQueryables(props))
	if err != nil {
		return nil, &problem.ParamError{Name: "filter", Value: cql2.String(p.Filter), Reason: err.Error()}
	}
	// The filter's box narrows the scan only when bbox= does not: the two
	// are not intersected, since a feature can meet both boxes without
	// meeting their overlap (the filter tests its own box exactly).
	if b, ok := cql2.BBox(p.Filter); ok && q.BBox == nil {
		q.BBox = &b
	}
	return keep, nil
}

// numberMatched counts the features the items request matches, when the
// store's summary tells without a scan: no bbox, floors, properties or
// filter, and a view that sees the as-built versions as stored.
func numberMatched(sn *index.Snapshot, s *summary, c cim.Class, p Params) (int, bool) {
	if p.BBox != nil || p.Levels != nil || len(p.Where) > 0 || p.Filter != nil {
		return 0, false
	}
	v, err := query.NewView(sn, p.Stage)
	if err != nil {
		return 0, false
	}
	st, whole := v.StoredStage()
	if !whole {
		return 0, false
	}
	n := 0
	for _, d := range s.sums {
		if d.Stage == st && (p.Dataset == "" || d.Dataset == p.Dataset) {
			n += d.Classes[c]
		}
	}
	return n, true
}

func (h *Handler) serveItems(w http.ResponseWriter, r *http.Request) {
	c, ok := class(w, r)
	if !ok {
		return
	}
	p, err := ParseParams(r.URL.Query())
	if err != nil {
		badParam(w, r, err)
		return
	}
	var sn *index.Snapshot
	if p.AsOf != "" {
		// A past revision holds still: its pages need no pinning.
		if sn, err = h.store.SnapshotAsOf(r.Context(), p.AsOf); err != nil {
			problem.Snapshot(w, r, err)
			return
		}
		defer sn.Close()
	} else if sn, err = h.pool.acquire(p.Rev); err == nil {
		defer h.pool.release(sn)
	}
	switch {
	case err == nil:
	case errors.Is(err, errGone):
		problem.Status(w, r, http.StatusGone, fmt.Sprintf("revision %d, which this paging began at, is no longer held (a revision is held for a while after its last page, and while few pagings run): the store has changed since; start again from the first page", p.Rev))
		return
	case err != nil:
		problem.Status(w, r, http.StatusServiceUnavailable, "the store is closed")
		return
	}
	rev := sn.Revision()
	if p.AsOf != "" {
		// The links read the revision as_of found, not the time again.
		p.AsOf = strconv.FormatUint(rev, 10)
	}
	etag := etagOf(rev, r.URL.Path+"?"+r.URL.RawQuery)
	h.setCaching(w, etag)
	if match(r, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	q := p.query(c)
	keep, err := h.compileFilter(r.Context(), sn, c, p, &q)
	if err != nil {
		badParam(w, r, err)
		return
	}
	if p.Before != "" {
		start, err := startOf(r.Context(), sn, q, p, keep)
		if err != nil {
			if errors.Is(err, query.ErrBadCursor) {
				badParam(w, r, &problem.ParamError{Name: "before", Value: p.Before, Reason: err.Error()})
				return
			}
			problem.Status(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		p.Cursor, q.Cursor = start, start
	}
	pg, err := scan(r.Context(), sn, q, p, keep)
	if err != nil {
		if errors.Is(err, query.ErrBadCursor) {
			badParam(w, r, &problem.ParamError{Name: "cursor", Value: p.Cursor, Reason: err.Error()})
			return
		}
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	base := baseURL(r) + "/collections/" + c.String()
	v := p.values()
	self := v
	if p.Cursor != "" || p.Before != "" {
		// A page reached by before= names itself by where it starts.
		self = maps.Clone(v)
		self.Set("rev", strconv.FormatUint(rev, 10))
		if p.Cursor != "" {
			self.Set("cursor", p.Cursor)
		}
	}
	links := []link{
		{Href: base + "/items?" + self.Encode(), Rel: "self", Type: typeGeoJSON, Title: "This page"},
		{Href: base, Rel: "collection", Type: typeJSON, Title: c.String()},
	}
	if pg.next != "" {
		nv := maps.Clone(v)
		nv.Set("rev", strconv.FormatUint(rev, 10))
		nv.Set("cursor", pg.next)
		links = append(links, link{Href: base + "/items?" + nv.Encode(), Rel: "next", Type: typeGeoJSON, Title: "The next page"})
		w.Header().Add("Link", fmt.Sprintf("<%s>; rel=\"next\"; type=%q", base+"/items?"+nv.Encode(), typeGeoJSON))
	}
	if p.Cursor != "" {
		pv := maps.Clone(v)
		pv.Set("rev", strconv.FormatUint(rev, 10))
		pv.Set("before", p.Cursor)
		links = append(links, link{Href: base + "/items?" + pv.Encode(), Rel: "prev", Type: typeGeoJSON, Title: "The previous page"})
		w.Header().Add("Link", fmt.Sprintf("<%s>; rel=\"prev\"; type=%q", base+"/items?"+pv.Encode(), typeGeoJSON))
	}
	pb := pages.Get().(*pageBuf)
	defer pages.Put(pb)
	out := append(pb.out[:0], `{"type":"FeatureCollection","features":[`...)
	for i, f := range pg.features {
		if !p.CRS.isDefault() {
			g := *f
			g.Geometry = p.CRS.geometry(f.Geometry)
			f = &g
		}
		if i > 0 {
			out = append(out, ",\n"...)
		}
		if out, err = pb.enc.Append(out, f); err != nil {
			problem.Status(w, r, http.StatusInternalServerError, "feature "+f.ID+": "+err.Error())
			return
		}
	}
	out = append(out, `],"numberReturned":`...)
	out = strconv.AppendInt(out, int64(len(pg.features)), 10)
	if s, err := h.summaryOf(r.Context(), sn); err == nil {
		if n, ok := numberMatched(sn, s, c, p); ok {
			out = append(out, `,"numberMatched":`...)
			out = strconv.AppendInt(out, int64(n), 10)
		}
	}
	out = append(out, `,"timeStamp":`...)
	out, _ = appendJSON(out, time.Now().UTC().Format(time.RFC3339))
	out = append(out, `,"links":`...)
	out, _ = appendJSON(out, links)
	out = append(out, "}\n"...)
	w.Header().Set("Content-Crs", "<"+p.CRS.uri+">")
	h.write(w, r, typeGeoJSON, out)
	if cap(out) <= maxPooledPage {
		pb.out = out
	}
}

// pageBuf is the memory one items answer is made in, kept between
// requests; pages larger than maxPooledPage are left to the collector.
type pageBuf struct {
	out []byte
	enc geojson.Encoder
}

const maxPooledPage = 4 << 20

var pages = sync.Pool{New: func() any { return new(pageBuf) }}

func appendJSON(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	return append(b, j...), err
}

func (h *Handler) serveItem(w http.ResponseWriter, r *http.Request) {
	c, ok := class(w, r)
	if !ok {
		return
	}
	p, err := ParseParams(r.URL.Query())
	if err != nil {
		badParam(w, r, err)
		return
	}
	f, sn, ok := h.item(w, r, c, p)
	if !ok {
		return
	}
	defer sn.Close()
	etag, err := itemTag(f, p.CRS.uri)
	if err != nil {
		problem.Status(w, r, http.StatusInternalServerError, "feature "+f.ID+": "+err.Error())
		return
	}
	h.setCaching(w, etag)
	if match(r, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if !p.CRS.isDefault() {
		g := *f
		g.Geometry = p.CRS.geometry(f.Geometry)
		f = &g
	}
	var buf bytes.Buffer
	gw := geojson.NewWriter(&buf, true)
	if err := gw.Write(f); err != nil {
		problem.Status(w, r, http.StatusInternalServerError, "feature "+f.ID+": "+err.Error())
		return
	}
	gw.Close()
	base := baseURL(r) + "/collections/" + c.String()
	links, _ := json.Marshal([]link{
		{Href: base + "/items/" + url.PathEscape(f.ID), Rel: "self", Type: typeGeoJSON, Title: "This feature"},
		{Href: base, Rel: "collection", Type: typeJSON, Title: c.String()},
	})
	out := bytes.TrimSuffix(buf.Bytes(), []byte("}\n"))
	out = append(out, `,"links":`...)
	out = append(out, links...)
	out = append(out, "}\n"...)
	w.Header().Set("Content-Crs", "<"+p.CRS.uri+">")
	h.write(w, r, typeGeoJSON, out)
}

// item finds the feature of the request's path in the view that its
// stage= and dataset= choose, or answers 404 (none) or 409 (several
// datasets hold the id: dataset= chooses) and returns false.
func (h *Handler) item(w http.ResponseWriter, r *http.Request, c cim.Class, p Params) (*cim.Feature, *index.Snapshot, bool) {
	id := r.PathValue("featureId")
	sn, err := h.store.SnapshotAsOf(r.Context(), p.AsOf)
	if err != nil {
		problem.Snapshot(w, r, err)
		return nil, nil, false
	}
	q := query.Query{ID: id, Classes: []cim.Class{c}, Dataset: p.Dataset, Stage: p.Stage}
	rows := query.Run(r.Context(), sn, q)
	var fs []*cim.Feature
	for rows.Next() {
		fs = append(fs, rows.Feature())
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		sn.Close()
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return nil, nil, false
	}
	switch len(fs) {
	case 0:
		sn.Close()
		problem.Status(w, r, http.StatusNotFound, fmt.Sprintf("no %s %q in the view", c, id))
		return nil, nil, false
	case 1:
		return fs[0], sn, true
	}
	var ds []string
	for _, f := range fs {
		ds = append(ds, f.Dataset)
	}
	slices.Sort(ds)
	sn.Close()
	problem.Status(w, r, http.StatusConflict, fmt.Sprintf("%d datasets hold a %s %q (%s): choose one with ?dataset=", len(fs), c, id, strings.Join(ds, ", ")))
	return nil, nil, false
}

// writeJSON answers a JSON document, with an ETag of the revision (0:
// none, the document does not change with the store).
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, ctype string, rev uint64, doc any) {
	body, err := json.Marshal(doc)
	if err != nil {
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	etag := etagOf(rev, r.Host+r.URL.Path+"?"+r.URL.RawQuery)
	h.setCaching(w, etag)
	if match(r, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.write(w, r, ctype, append(body, '\n'))
}

func (h *Handler) write(w http.ResponseWriter, r *http.Request, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func etagOf(rev uint64, key string) string {
	f := fnv.New64a()
	f.Write([]byte(key))
	return fmt.Sprintf(`"r%d-%016x"`, rev, f.Sum64())
}

func (h *Handler) setCaching(w http.ResponseWriter, etag string) {
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(h.maxAge.Seconds())))
}

// match reports whether the request's If-None-Match names etag.
func match(r *http.Request, etag string) bool {
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimSpace(t); t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
