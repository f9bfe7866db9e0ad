package tiles

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/route"
	"github.com/prometheus/client_golang/prometheus"
)

// Handler serves a store's vector tiles, TileJSON and style:
//
//	GET /tiles/{z}/{x}/{y}.mvt   a Mapbox Vector Tile (204 when empty)
//	GET /tiles.json              TileJSON 3.0.0
//	GET /style.json              a MapLibre style on those tiles
//
// Tiles are cached per store revision: a commit to the store changes the
// revision, and with it every tile's key and ETag, so no stale tile is
// ever served and nothing needs a restart.
type Handler struct {
	store *index.Store
	cache *Cache
	// builds bounds the tiles built at once (each uses every CPU), so that
	// requests made to miss the cache queue instead of piling up.
	builds       chan struct{}
	buildTimeout time.Duration
	maxAge       time.Duration
	metrics      *metrics

	mu      sync.Mutex
	summary *storeSummary // of the last revision asked for
}

// Options configures a Handler.
type Options struct {
	// CacheBytes bounds the tile cache; 0 caches nothing.
	CacheBytes int64
	// MaxAge is the Cache-Control max-age of tiles and documents: short,
	// since the store may change; clients revalidate with the ETag.
	MaxAge time.Duration
	// Registry, if set, receives the tile metrics.
	Registry prometheus.Registerer
}

// NewHandler returns the tile handler of a store.
func NewHandler(s *index.Store, o Options) *Handler {
	h := &Handler{store: s, cache: NewCache(o.CacheBytes), maxAge: o.MaxAge,
		builds: make(chan struct{}, 2*runtime.GOMAXPROCS(0)), buildTimeout: buildTimeout}
	h.metrics = newMetrics(o.Registry, h.cache)
	return h
}

// Register adds the handler's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) { route.Register(mux, h.Routes()...) }

// Routes returns the handler's routes.
func (h *Handler) Routes() []route.Route {
	view := []route.Param{
		{Name: "level", Description: "Keeps, in the layers on floors, the features on a floor (0 the ground floor, -1 the first basement) or a range A..B."},
		{Name: "stage", Description: "Shows the model as that stage sees it; default each dataset's latest.", Enum: route.Stages},
		{Name: "dataset", Description: "Keeps one dataset's features."},
		{Name: "layers", Description: "Keeps these layers, comma-separated; default all."},
		{Name: "as_of", Description: "Shows the store as it was at a revision (12) or a time (2026-12-01T08:00:00+08:00); TileJSON's tile URLs carry it."},
	}
	tile := append([]route.Param{
		{Name: "z", In: "path", Type: "integer", Description: "Zoom, 0 to 22."},
		{Name: "x", In: "path", Type: "integer", Description: "Column."},
		{Name: "tile", In: "path", Description: "The row and .mvt: 6823.mvt."},
	}, view...)
	return []route.Route{
		{Pattern: "GET /tiles/{z}/{x}/{tile}", ID: "getTile", Params: tile, Type: "application/vnd.mapbox-vector-tile", Handler: http.HandlerFunc(h.serveTile),
			Summary: "A vector tile (MVT 2.1, Web Mercator, XYZ) of the layers the TileJSON lists; storeys and spaces carry their floor. Cached, with an ETag of the store revision."},
		{Pattern: "GET /tiles.json", ID: "getTileJSON", Params: view, Type: "application/json", Handler: http.HandlerFunc(h.serveTileJSON),
			Summary: "TileJSON 3.0.0 of the tiles: their URL template, zooms, bounds and vector_layers with their fields."},
		{Pattern: "GET /style.json", ID: "getStyle", Params: view, Type: "application/json", Handler: http.HandlerFunc(h.serveStyle),
			Summary: "A MapLibre style over the tiles: buildings in 3D by height, green, water, roads, transit and the floors."},
	}
}

// Cache returns the handler's tile cache.
func (h *Handler) Cache() *Cache { return h.cache }

func (h *Handler) serveTile(w http.ResponseWriter, r *http.Request) {
	ys, ok := strings.CutSuffix(r.PathValue("tile"), ".mvt")
	if !ok {
		problem.Status(w, r, http.StatusNotFound, "tiles are /tiles/{z}/{x}/{y}.mvt")
		return
	}
	z, x, y, err := ParseTile(r.PathValue("z"), r.PathValue("x"), ys)
	if err != nil {
		var out *OutsideError
		if errors.As(err, &out) {
			problem.Status(w, r, http.StatusNotFound, err.Error())
			return
		}
		badParam(w, r, err)
		return
	}
	p, err := ParseParams(r.URL.Query())
	if err != nil {
		badParam(w, r, err)
		return
	}
	sn, err := h.store.SnapshotAsOf(r.Context(), p.AsOf)
	if err != nil {
		problem.Snapshot(w, r, err)
		return
	}
	defer sn.Close()
	q := p.Query()
	key := fmt.Sprintf("%d/%d/%d/%d?%s", sn.Revision(), z, x, y, q)
	etag := etagOf(key)
	setCaching(w, etag, h.maxAge)
	if match(r, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	start := time.Now()
	t, hit, err := h.cache.Get(key, func() ([]byte, error) {
		// Other requests may wait on this build: it does not end when
		// this client leaves, only when it takes too long.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.buildTimeout)
		defer cancel()
		select {
		case h.builds <- struct{}{}:
			defer func() { <-h.builds }()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		data, _, err := Build(ctx, sn, z, x, y, p)
		return data, err
	})
	switch {
	case err != nil && errors.Is(r.Context().Err(), context.Canceled):
		return // the client left: nobody to answer
	case errors.Is(err, context.DeadlineExceeded):
		problem.Status(w, r, http.StatusServiceUnavailable, fmt.Sprintf("the tile took over %s to build (the server is busy, or the tile is huge)", h.buildTimeout))
		return
	case err != nil:
		problem.Status(w, r, http.StatusInternalServerError, "building the tile: "+err.Error())
		return
	}
	h.metrics.served(hit, time.Since(start), t.Size)
	if t.Size == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/vnd.mapbox-vector-tile")
	body := t.Gzipped // the server's compress layer adds Vary: Accept-Encoding
	if AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		hd.Set("Content-Encoding", "gzip")
	} else if body, err = t.Data(); err != nil {
		problem.Status(w, r, http.StatusInternalServerError, "the cached tile: "+err.Error())
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// buildTimeout bounds the building of one tile.
const buildTimeout = 30 * time.Second

// OutsideError is a tile outside the pyramid: a 404, not a bad request.
type OutsideError struct{ msg string }

func (e *OutsideError) Error() string { return e.msg }

func badParam(w http.ResponseWriter, r *http.Request, err error) {
	var pe *problem.ParamError
	if errors.As(err, &pe) {
		problem.BadParam(w, r, pe)
		return
	}
	problem.Status(w, r, http.StatusBadRequest, err.Error())
}

func etagOf(key string) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	rev, _, _ := strings.Cut(key, "/")
	return fmt.Sprintf(`"r%s-%016x"`, rev, h.Sum64())
}

func setCaching(w http.ResponseWriter, etag string, maxAge time.Duration) {
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
}

// match reports whether the request's If-None-Match names etag.
func match(r *http.Request, etag string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// AcceptsGzip reports whether an Accept-Encoding header value takes
// gzip (named, with no q=0).
func AcceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			v, err := strconv.ParseFloat(q, 64)
			return err == nil && v > 0
		}
		return true
	}
	return false
}

// storeSummary is what TileJSON says of the store at one revision.
type storeSummary struct {
	rev      uint64
	extent   cim.Box
	datasets []string
	osm      bool // some dataset came from OpenStreetMap
	empty    bool
}

// summaryOf returns the summary of the snapshot's revision, computed once
// per revision (it scans the store's summary keys).
func (h *Handler) summaryOf(ctx context.Context, sn *index.Snapshot) (*storeSummary, error) {
	h.mu.Lock()
	s := h.summary
	h.mu.Unlock()
	if s != nil && s.rev == sn.Revision() {
		return s, nil
	}
	sums, err := sn.Summary(ctx)
	if err != nil {
		return nil, err
	}
	s = &storeSummary{rev: sn.Revision(), empty: true}
	seen := map[string]bool{}
	for _, d := range sums {
		if d.Features == 0 {
			continue
		}
		if s.empty {
			s.extent, s.empty = d.Extent, false
		} else {
			s.extent = s.extent.Extend(d.Extent)
		}
		if !seen[d.Dataset] {
			seen[d.Dataset] = true
			s.datasets = append(s.datasets, d.Dataset)
			if !s.osm {
				if s.osm, err = fromOSM(ctx, sn, d.Dataset); err != nil {
					return nil, err
				}
			}
		}
	}
	h.mu.Lock()
	h.summary = s
	h.mu.Unlock()
	return s, nil
}

// fromOSM reports whether a dataset came from OpenStreetMap, whose
// licence (ODbL) asks for attribution: the OSM reader gives its features
// ids "osm:n…", "osm:w…", "osm:r…". One feature tells.
func fromOSM(ctx context.Context, sn *index.Snapshot, dataset string) (bool, error) {
	it, err := sn.Scan(ctx, index.Filter{Dataset: dataset, Omit: index.FieldGeometry | index.FieldProps})
	if err != nil {
		return false, err
	}
	defer it.Close()
	if !it.Next() {
		return false, it.Err()
	}
	f, err := it.Feature()
	if err != nil {
		return false, err
	}
	return strings.HasPrefix(f.ID, "osm:"), nil
}

// document begins the answer of a document about the tiles (TileJSON,
// the style): its parameters, a snapshot (closed by the caller) and the
// store's summary at that revision. It answers the request itself when
// they cannot be had, and then returns ok false.
func (h *Handler) document(w http.ResponseWriter, r *http.Request) (p Params, sn *index.Snapshot, sum *storeSummary, ok bool) {
	p, err := ParseParams(r.URL.Query())
	if err != nil {
		badParam(w, r, err)
		return p, nil, nil, false
	}
	if sn, err = h.store.SnapshotAsOf(r.Context(), p.AsOf); err != nil {
		problem.Snapshot(w, r, err)
		return p, nil, nil, false
	}
	if sum, err = h.summaryOf(r.Context(), sn); err != nil {
		sn.Close()
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return p, nil, nil, false
	}
	return p, sn, sum, true
}

// center is where a map of the store opens: the middle of its extent,
// at the zoom that fits it; nil for an empty store.
func (s *storeSummary) center() []float64 {
	if s.empty {
		return nil
	}
	e := s.extent
	return []float64{round6((e.MinLon + e.MaxLon) / 2), round6((e.MinLat + e.MaxLat) / 2), float64(fitZoom(e.MaxLon-e.MinLon, e.MaxLat-e.MinLat))}
}
