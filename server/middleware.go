package server

import (
	"compress/gzip"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/tiles"
	"github.com/prometheus/client_golang/prometheus"
)

// recorder wraps a ResponseWriter to learn the status and size of the
// answer, and lets the layers below rewrite it.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// observe logs each request (log/slog) and counts it in the metrics by
// route and status; it also turns a panic below it into a 500 problem, so
// that one bad request does not take the server down.
func observe(next http.Handler, log *slog.Logger, m *httpMetrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		var route string // the mux's pattern, set by routed
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, &route))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic serving a request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !rec.wrote {
					problem.Status(rec, r, http.StatusInternalServerError, "the server failed on this request; it has been logged")
				}
			}
			if route == "" {
				route = "unmatched"
			}
			took := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
			m.latency.WithLabelValues(route).Observe(took.Seconds())
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("query", r.URL.RawQuery),
				slog.Int("status", status), slog.Int64("bytes", rec.bytes), slog.Duration("took", took),
				slog.String("remote", r.RemoteAddr))
		}()
		next.ServeHTTP(rec, r)
	})
}

type routeKey struct{}

// routed wraps the mux: it passes the pattern that matched out to
// observe, whose request the layers between have replaced.
func routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if p, ok := r.Context().Value(routeKey{}).(*string); ok {
			*p = r.Pattern
		}
	})
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cim_http_requests_total", Help: "HTTP requests answered, by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cim_http_request_seconds", Help: "Time to answer an HTTP request, by route.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 14),
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// bound is what limits allows a request: its body's bytes and its time.
type bound struct {
	maxBody int64
	timeout time.Duration
}

// limits refuses a query string over maxQuery bytes (414) and a body over
// the request's bound (413, when declared; a body that runs past it fails
// to read), and bounds each request's time with a context deadline that
// the handlers' store reads respect. A route in routes (by the mux's
// pattern) has its own bound in place of def, and the connection's read
// and write deadlines move out to its timeout, so that a large upload on
// a slow link is not cut at the server's ReadTimeout.
func limits(next http.Handler, mux *http.ServeMux, maxQuery int, def bound, routes map[string]bound) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.RawQuery) > maxQuery {
			problem.Status(w, r, http.StatusRequestURITooLong, fmt.Sprintf("the query string is %d bytes; at most %d are read", len(r.URL.RawQuery), maxQuery))
			return
		}
		b := def
		if len(routes) > 0 && r.Method != http.MethodGet {
			if _, pattern := mux.Handler(r); pattern != "" {
				if rb, ok := routes[pattern]; ok {
					b = rb
					rc := http.NewResponseController(w)
					deadline := time.Now().Add(b.timeout + 30*time.Second)
					// Not every ResponseWriter has a connection (httptest's
					// recorder): then there is no deadline to move.
					_ = rc.SetReadDeadline(deadline)
					_ = rc.SetWriteDeadline(deadline)
				}
			}
		}
		if r.ContentLength > b.maxBody {
			problem.Status(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is %d bytes; at most %d are read", r.ContentLength, b.maxBody))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, b.maxBody)
		ctx, cancel := context.WithTimeout(r.Context(), b.timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// cors answers cross-origin requests from the allowed origins ("*" for
// any): GETs (and HEAD) and their preflights.
func cors(next http.Handler, origins []string) http.Handler {
	any := len(origins) == 0 || len(origins) == 1 && origins[0] == "*"
	allowed := map[string]bool{}
	for _, o := range origins {
		allowed[strings.TrimRight(o, "/")] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if !any {
			w.Header().Add("Vary", "Origin") // shared caches must key on it
		}
		if origin != "" && (any || allowed[origin]) {
			h := w.Header()
			if any {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			h.Set("Access-Control-Expose-Headers", "ETag, Content-Length, Content-Encoding")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Accept, Accept-Encoding, If-None-Match, Content-Type, Authorization")
				h.Set("Access-Control-Max-Age", "3600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// compress gzips answers of text types (JSON, HTML, CSS, JavaScript, the
// metrics) when the client accepts gzip and the handler has not encoded
// the answer itself (tiles are cached gzipped, and the tile handler picks
// the encoding). Every answer varies by Accept-Encoding.
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if !tiles.AcceptsGzip(r.Header.Get("Accept-Encoding")) || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}

type gzipWriter struct {
	http.ResponseWriter
	zw      *gzip.Writer
	decided bool
}

func (w *gzipWriter) WriteHeader(code int) {
	if !w.decided {
		w.decided = true
		h := w.Header()
		if code != http.StatusNoContent && code != http.StatusNotModified && code != http.StatusPartialContent &&
			h.Get("Content-Range") == "" && h.Get("Content-Encoding") == "" && textual(h.Get("Content-Type")) {
			h.Set("Content-Encoding", "gzip")
			h.Del("Content-Length")
			w.zw = gzipPool.Get().(*gzip.Writer)
			w.zw.Reset(w.ResponseWriter)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(p []byte) (int, error) {
	if !w.decided {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.zw != nil {
		return w.zw.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

func (w *gzipWriter) Flush() {
	if w.zw != nil {
		w.zw.Flush()
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *gzipWriter) close() {
	if w.zw != nil {
		w.zw.Close()
		gzipPool.Put(w.zw)
		w.zw = nil
	}
}

func textual(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	switch {
	case strings.HasPrefix(ct, "text/"), strings.HasSuffix(ct, "json"), strings.HasSuffix(ct, "javascript"), strings.HasSuffix(ct, "xml"):
		return true
	}
	return false
}

// plainErrors turns the text/plain 404 and 405 answers of ServeMux into
// problem details, keeping the Allow header of a 405.
func plainErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&problemWriter{ResponseWriter: w, r: r}, r)
	})
}

type problemWriter struct {
	http.ResponseWriter
	r       *http.Request
	swallow bool
}

func (w *problemWriter) WriteHeader(code int) {
	if (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) &&
		strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.swallow = true
		detail := "no such route: see / for what this server serves"
		if code == http.StatusMethodNotAllowed {
			detail = fmt.Sprintf("%s is not allowed here; allowed: %s", w.r.Method, w.Header().Get("Allow"))
		}
		w.Header().Del("X-Content-Type-Options")
		problem.Status(w.ResponseWriter, w.r, code, detail)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *problemWriter) Write(p []byte) (int, error) {
	if w.swallow {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

func (w *problemWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *problemWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
