// Package server composes cim's HTTP handlers (the tiles, and what
// follows them) into one net/http server with what every route needs:
// timeouts, bounds on requests, gzip, CORS, an access log, panic
// recovery, problem details for errors, /healthz and /metrics, and a
// graceful shutdown.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/future-community/cim/features"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/plan"
	"github.com/future-community/cim/route"
	"github.com/future-community/cim/sunlight"
	"github.com/future-community/cim/tiles"
	"github.com/future-community/cim/viewer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config configures a Server. Zero values take the defaults given.
type Config struct {
	// Store is the store served; the server does not close it.
	Store *index.Store
	// CORS lists the origins allowed to read the API from a browser;
	// nil or ["*"] allows any.
	CORS []string
	// CacheBytes bounds the tile cache (default 256 MiB; negative: none).
	CacheBytes int64
	// Logger receives the access log and errors (default: discard).
	Logger *slog.Logger
	// MaxBodyBytes bounds a request's body (default 1 MiB).
	MaxBodyBytes int64
	// MaxQueryBytes bounds a request's query string (default 8 KiB).
	MaxQueryBytes int
	// RequestTimeout bounds a request's work (default 30 s).
	RequestTimeout time.Duration
	// ShutdownTimeout bounds how long Serve waits for requests in flight
	// once its context ends (default 10 s).
	ShutdownTimeout time.Duration
	// MaxAge is the Cache-Control max-age of tiles and documents
	// (default 10 s; clients revalidate with the ETag).
	MaxAge time.Duration
	// Viewer configures the map viewer at / (its MapLibre files).
	Viewer viewer.Options
	// Access holds the tokens for writes and, optionally, reads; the
	// zero value takes no writes.
	Access Access
	// Ingest bounds POST /datasets/{name}/ingest, whose body is a whole
	// file: its MaxBytes (default 2 GiB) and its time (IngestTimeout).
	Ingest ingest.HandlerOptions
	// IngestTimeout bounds an ingest's upload and load (default 1 h), in
	// place of RequestTimeout and the connection's read timeout.
	IngestTimeout time.Duration
}

// Server is cim's HTTP server.
type Server struct {
	cfg      Config
	inflight sync.WaitGroup // handlers running (track)
	handler  http.Handler
	tiles    *tiles.Handler
	viewer   *viewer.Handler
	features *features.Handler
	routes   []route.Route // besides the feature API's
	mux      *http.ServeMux
	reg      *prometheus.Registry
}

// New returns the server of cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.CacheBytes == 0 {
		cfg.CacheBytes = 256 << 20
	} else if cfg.CacheBytes < 0 {
		cfg.CacheBytes = 0
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxQueryBytes <= 0 {
		cfg.MaxQueryBytes = 8 << 10
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.Ingest.MaxBytes <= 0 {
		cfg.Ingest.MaxBytes = ingest.DefaultMaxBytes
	}
	if cfg.Ingest.Logger == nil {
		cfg.Ingest.Logger = cfg.Logger
	}
	if cfg.IngestTimeout <= 0 {
		cfg.IngestTimeout = time.Hour
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 10 * time.Second
	}
	s := &Server{cfg: cfg, reg: prometheus.NewRegistry()}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cim_store_revision", Help: "The store's revision: it changes with every commit."},
			func() float64 { return float64(cfg.Store.Revision()) }))
	s.tiles = tiles.NewHandler(cfg.Store, tiles.Options{CacheBytes: cfg.CacheBytes, MaxAge: cfg.MaxAge, Registry: s.reg})

	if cfg.Viewer.Logger == nil {
		cfg.Viewer.Logger = cfg.Logger
	}
	s.viewer = viewer.New(cfg.Store, cfg.Viewer)

	// One table of the routes besides the feature API's: registered
	// here, and described by the feature API's /api.
	routes := slices.Concat(s.tiles.Routes(), s.viewer.Routes(),
		plan.Routes(cfg.Store, cfg.MaxAge, sunlight.CheckRules), // POST /check is a read: readPosts
		sunlight.Routes(cfg.Store), ingest.Routes(cfg.Store, cfg.Ingest),
		[]route.Route{
			{Pattern: "GET /healthz", ID: "getHealth", Type: "application/json", Handler: http.HandlerFunc(s.serveHealth),
				Summary: "Whether the server can read its store: 200 with the revision, else 503."},
			{Pattern: "GET /metrics", ID: "getMetrics", Type: "text/plain", Handler: promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{EnableOpenMetrics: false}),
				Summary: "Prometheus metrics: requests by route and status, latencies, the tile cache, the store revision, the Go runtime."},
		})
	s.features = features.New(cfg.Store, features.Options{MaxAge: cfg.MaxAge, Routes: routes})

	mux := http.NewServeMux()
	s.routes, s.mux = routes, mux
	route.Register(mux, routes...)
	s.features.Register(mux)

	h := s.landing(routed(mux))
	h = plainErrors(h)
	if cfg.Access.ReadToken != "" {
		h = privateCache(h)
	}
	h = compress(h)
	h = limits(h, mux, cfg.MaxQueryBytes, bound{cfg.MaxBodyBytes, cfg.RequestTimeout},
		map[string]bound{ingest.Pattern: {cfg.Ingest.MaxBytes, cfg.IngestTimeout}})
	// The token is checked before limits gives a route its own (longer)
	// bounds: a request without it never holds a connection that long.
	h = guard(h, mux, cfg.Access)
	h = cors(h, cfg.CORS)
	h = observe(h, cfg.Logger, newHTTPMetrics(s.reg))
	s.handler = s.track(h)
	return s, nil
}

// landing sends the requests for / that want JSON (API clients, ?f=json)
// to the OGC API landing page, and the others (a browser) to the viewer.
func (s *Server) landing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) && features.WantsJSON(r) {
			w.Header().Add("Vary", "Accept")
			s.features.ServeLanding(w, r)
			return
		}
		if r.URL.Path == "/" {
			w.Header().Add("Vary", "Accept")
		}
		next.ServeHTTP(w, r)
	})
}

// track counts the handlers running, so that Serve returns only once
// none reads the store any more.
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inflight.Add(1)
		defer s.inflight.Done()
		next.ServeHTTP(w, r)
	})
}

// Handler returns the server's root handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Tiles returns the tile handler.
func (s *Server) Tiles() *tiles.Handler { return s.tiles }

// Features returns the OGC API – Features handler.
func (s *Server) Features() *features.Handler { return s.features }

// Viewer returns the viewer's handler.
func (s *Server) Viewer() *viewer.Handler { return s.viewer }

// Serve answers requests on ln until ctx ends, then stops accepting,
// lets the requests in flight finish (for at most ShutdownTimeout) and
// returns. The store stays open: the caller closes it.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      s.cfg.RequestTimeout + 30*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		s.features.Close()
		return err
	case <-ctx.Done():
	}
	defer s.features.Close()
	s.features.Drain() // long polls answer now
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		hs.Close()
		err = fmt.Errorf("requests still running after %s were cut off", s.cfg.ShutdownTimeout)
	}
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	// A cut-off connection does not stop its handler: wait for them all
	// (each is bounded by RequestTimeout) before the caller closes the
	// store under them.
	waited := make(chan struct{})
	go func() { s.inflight.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(s.cfg.RequestTimeout + 5*time.Second):
		err = errors.Join(err, fmt.Errorf("requests still running %s after shutdown", s.cfg.RequestTimeout+5*time.Second))
	}
	return err
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	sn, err := s.cfg.Store.Snapshot()
	status, body := http.StatusOK, map[string]any{"status": "ok"}
	if err != nil {
		status, body = http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "error": err.Error()}
	} else {
		body["revision"] = sn.Revision()
		body["store"] = s.cfg.Store.Dir()
		sn.Close()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}
