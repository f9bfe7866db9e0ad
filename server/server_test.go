package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/samples"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/prometheus/client_golang/prometheus"
)

// serve starts a server on a loopback port over a store holding the
// sample, and returns its base URL and store. It stops when the test ends.
func serve(t *testing.T, cfg Config) (string, *index.Store) {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = storetest.Sample(t)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		cfg.Store.Close()
	})
	return "http://" + ln.Addr().String(), cfg.Store
}

// sampleTile is the z16 tile over the sample's centre.
func sampleTile() string {
	t := maptile.At(orb.Point{120.2123, 30.2572}, 16)
	return fmt.Sprintf("/tiles/%d/%d/%d.mvt", t.Z, t.X, t.Y)
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, url string, header ...string) answer {
	t.Helper()
	return do(t, http.MethodGet, url, nil, header...)
}

func do(t *testing.T, method, url string, body io.Reader, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// The transport would ask for gzip and undo it unseen: ask only when
	// the test does.
	req.Header.Set("Accept-Encoding", req.Header.Get("Accept-Encoding"))
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// TestErrorsAreProblems: every error is an RFC 9457 problem with the
// status the issue asks for, naming a bad parameter and its value.
func TestErrorsAreProblems(t *testing.T) {
	base, _ := serve(t, Config{MaxBodyBytes: 1024})
	tests := []struct {
		method, path string
		body         string
		status       int
		param        string
	}{
		{"GET", "/nosuch", "", 404, ""},
		{"GET", "/tiles/21/0/0.mvt", "", 404, ""},
		{"GET", "/tiles/2/4/0.mvt", "", 404, ""},
		{"GET", "/tiles/2/0/0.png", "", 404, ""},
		{"GET", "/tiles/a/0/0.mvt", "", 400, "z"},
		{"GET", "/tiles/2/x/0.mvt", "", 400, "x"},
		{"GET", sampleTile() + "?level=abc", "", 400, "level"},
		{"GET", sampleTile() + "?layers=nosuch", "", 400, "layers"},
		{"GET", sampleTile() + "?stage=nosuch", "", 400, "stage"},
		{"GET", "/tiles.json?level=abc", "", 400, "level"},
		{"GET", "/style.json?layers=nosuch", "", 400, "layers"},
		{"GET", "/tiles.json?" + strings.Repeat("a=1&", 3000), "", 414, ""},
		{"POST", "/tiles/0/0/0.mvt", "", 405, ""},
		{"PUT", "/healthz", strings.Repeat("x", 2000), 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path[:min(len(tt.path), 60)], func(t *testing.T) {
			a := do(t, tt.method, base+tt.path, strings.NewReader(tt.body))
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if ct := a.header.Get("Content-Type"); ct != problem.ContentType {
				t.Fatalf("Content-Type %q, want %s", ct, problem.ContentType)
			}
			var p problem.Details
			if err := json.Unmarshal(a.body, &p); err != nil {
				t.Fatalf("body %q: %v", a.body, err)
			}
			if p.Status != tt.status || p.Title == "" || p.Detail == "" {
				t.Errorf("problem %+v", p)
			}
			if p.Parameter != tt.param {
				t.Errorf("the problem names parameter %q, want %q (%s)", p.Parameter, tt.param, p.Detail)
			}
			if tt.status == 405 && a.header.Get("Allow") == "" {
				t.Error("a 405 without Allow")
			}
		})
	}
}

// TestTileAnswers: a tile is an MVT, gzipped when asked, with an ETag
// that answers 304; an empty tile is a 204; health, metrics and the
// documents answer.
func TestTileAnswers(t *testing.T) {
	base, s := serve(t, Config{})
	tile := get(t, base+sampleTile())
	if tile.status != 200 || tile.header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" || len(tile.body) == 0 {
		t.Fatalf("tile: %d %v, %d bytes", tile.status, tile.header, len(tile.body))
	}
	gz := get(t, base+sampleTile(), "Accept-Encoding", "gzip")
	if gz.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", gz.header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, tile.body) {
		t.Error("the gzipped tile differs from the plain one")
	}
	etag := tile.header.Get("ETag")
	if !strings.Contains(etag, fmt.Sprintf(`"r%d-`, s.Revision())) {
		t.Errorf("ETag %q does not carry the revision %d", etag, s.Revision())
	}
	if a := get(t, base+sampleTile(), "If-None-Match", etag); a.status != 304 || len(a.body) != 0 {
		t.Errorf("If-None-Match: %d, %d bytes", a.status, len(a.body))
	}
	if a := get(t, base+"/tiles/16/0/0.mvt"); a.status != 204 || len(a.body) != 0 {
		t.Errorf("empty tile: %d, %d bytes", a.status, len(a.body))
	}

	var health struct {
		Status   string
		Revision uint64
	}
	if a := get(t, base+"/healthz"); a.status != 200 || json.Unmarshal(a.body, &health) != nil || health.Status != "ok" || health.Revision != s.Revision() {
		t.Errorf("healthz: %d %s", a.status, a.body)
	}
	var tj struct {
		TileJSON     string
		Tiles        []string
		Bounds       []float64
		VectorLayers []struct{ ID string } `json:"vector_layers"`
	}
	a := get(t, base+"/tiles.json?level=2&stage=design", "Accept-Encoding", "gzip")
	if a.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("tiles.json not gzipped: %v", a.header)
	} else {
		zr, _ := gzip.NewReader(bytes.NewReader(a.body))
		a.body, _ = io.ReadAll(zr)
	}
	if err := json.Unmarshal(a.body, &tj); err != nil || tj.TileJSON != "3.0.0" || len(tj.VectorLayers) != 12 || len(tj.Bounds) != 4 {
		t.Fatalf("tiles.json: %v %s", err, a.body)
	}
	if want := base + "/tiles/{z}/{x}/{y}.mvt?level=2&stage=design"; tj.Tiles[0] != want {
		t.Errorf("template %q, want %q", tj.Tiles[0], want)
	}
	var style struct {
		Version int
		Sources map[string]struct{ URL string }
		Layers  []struct{ ID, Type string }
	}
	if a := get(t, base+"/style.json?level=2"); json.Unmarshal(a.body, &style) != nil || style.Version != 8 || style.Sources["cim"].URL != base+"/tiles.json?level=2" {
		t.Errorf("style.json: %s", a.body)
	}
	metrics := string(get(t, base+"/metrics").body)
	for _, want := range []string{`cim_http_requests_total{route="GET /tiles/{z}/{x}/{tile}",status="200"}`, "cim_tile_cache_hits_total 1", "cim_tile_cache_misses_total 2", "cim_store_revision " + fmt.Sprint(s.Revision()), "cim_tile_build_seconds_bucket"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if a := get(t, base+"/tiles.json", "Origin", "https://twin.example.org"); a.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("CORS: %v", a.header)
	}
}

// TestCORSOrigins: with --cors origins, only those get the header.
func TestCORSOrigins(t *testing.T) {
	base, _ := serve(t, Config{CORS: []string{"https://twin.example.org"}})
	if a := get(t, base+"/tiles.json", "Origin", "https://twin.example.org"); a.header.Get("Access-Control-Allow-Origin") != "https://twin.example.org" {
		t.Errorf("an allowed origin: %v", a.header)
	}
	if a := get(t, base+"/tiles.json", "Origin", "https://evil.example.org"); a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin: %v", a.header)
	}
	pre := do(t, "OPTIONS", base+"/tiles.json", nil, "Origin", "https://twin.example.org", "Access-Control-Request-Method", "GET")
	if pre.status != 204 || !strings.Contains(pre.header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: %d %v", pre.status, pre.header)
	}
}

// TestPanicIsA500: a handler that panics answers 500 as a problem and the
// server goes on serving.
func TestPanicIsA500(t *testing.T) {
	h := observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			panic("boom")
		}
		w.Write([]byte("ok"))
	}), discardLogger(), newHTTPMetrics(newRegistry()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	if a := get(t, base+"/boom"); a.status != 500 || a.header.Get("Content-Type") != problem.ContentType {
		t.Errorf("panic: %d %v %s", a.status, a.header, a.body)
	}
	if a := get(t, base+"/fine"); a.status != 200 {
		t.Errorf("after the panic: %d", a.status)
	}
}

// TestGracefulShutdown: ending Serve's context lets a request in flight
// finish, and the store then closes so that the next open has nothing
// to recover.
func TestGracefulShutdown(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s, err := index.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := samples.Ingest(s); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	// A request whose body arrives slowly is in flight when the server
	// is told to stop.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/healthz", pr)
	req.ContentLength = 4
	got := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- -1
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	pw.Write([]byte("ab"))
	time.Sleep(100 * time.Millisecond)
	cancel()
	time.Sleep(100 * time.Millisecond)
	pw.Write([]byte("cd"))
	pw.Close()
	if code := <-got; code != 200 {
		t.Errorf("the request in flight: %d", code)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("the server still answers after shutdown")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	recovered := false
	s, err = index.Open(dir, &index.Options{Recovering: func(string, int64, int64) { recovered = true }})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if recovered {
		t.Error("the store needed recovery after a graceful shutdown")
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newRegistry() *prometheus.Registry { return prometheus.NewRegistry() }

// TestRangeIsNotGzipped: a partial answer (206) goes out as the bytes it
// says it holds, not gzipped.
func TestRangeIsNotGzipped(t *testing.T) {
	h := compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "a.js", time.Time{}, strings.NewReader(strings.Repeat("const a = 1;\n", 1000)))
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	a := get(t, "http://"+ln.Addr().String()+"/a.js", "Range", "bytes=0-99", "Accept-Encoding", "gzip")
	if a.status != 206 || a.header.Get("Content-Encoding") != "" || len(a.body) != 100 {
		t.Errorf("range: %d, %v, %d bytes", a.status, a.header, len(a.body))
	}
}

// TestForcedShutdownWaitsForHandlers: when requests outlast the shutdown
// timeout, their connections are cut, but Serve returns only once their
// handlers are done, so the caller never closes the store under them.
func TestForcedShutdownWaitsForHandlers(t *testing.T) {
	srv, err := New(Config{Store: storetest.New(t), ShutdownTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var finished atomic.Bool
	started := make(chan struct{})
	srv.handler = srv.track(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(600 * time.Millisecond) // ignores the cut connection, as a tile build does
		finished.Store(true)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	go http.Get("http://" + ln.Addr().String() + "/slow")
	<-started
	cancel()
	err = <-done
	if !finished.Load() {
		t.Error("Serve returned while a handler was still running")
	}
	if err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Errorf("Serve: %v, want the requests cut off reported", err)
	}
}

// TestLandingNegotiation: / is the OGC API landing page for a client
// that wants JSON (GDAL sends Accept: application/json) or asks with
// f=json, and the map viewer for a browser or f=html.
func TestLandingNegotiation(t *testing.T) {
	base, _ := serve(t, Config{})
	for _, tc := range []struct {
		name, path, accept, ctype string
	}{
		{"GDAL", "/", "application/json", "application/json"},
		{"f=json", "/?f=json", "", "application/json"},
		{"browser", "/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html; charset=utf-8"},
		{"f=html", "/?f=html", "application/json", "text/html; charset=utf-8"},
		{"no accept", "/", "", "text/html; charset=utf-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := get(t, base+tc.path, "Accept", tc.accept)
			if a.status != 200 || a.header.Get("Content-Type") != tc.ctype {
				t.Fatalf("%d %s, want 200 %s", a.status, a.header.Get("Content-Type"), tc.ctype)
			}
			if !strings.Contains(a.header.Get("Vary"), "Accept") {
				t.Errorf("Vary %q lacks Accept", a.header.Get("Vary"))
			}
			if tc.ctype == "application/json" && !strings.Contains(string(a.body), `"rel":"service-desc"`) {
				t.Errorf("not the landing page: %.300s", a.body)
			}
		})
	}
	// The API's problems come through the server's middleware intact.
	a := get(t, base+"/collections/building/items?bbox=1,2,3")
	if a.status != 400 || a.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("bad bbox: %d %s %s", a.status, a.header.Get("Content-Type"), a.body)
	}
	a = get(t, base+"/collections/building/items", "Accept-Encoding", "gzip")
	if a.status != 200 || a.header.Get("Content-Type") != "application/geo+json" {
		t.Errorf("items: %d %s", a.status, a.header.Get("Content-Type"))
	}
}
