package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
)

const writeToken = "s3cret-write"

// points is a GeoJSON FeatureCollection of n parks around the sample's
// centre, ids p0…, each padded with pad bytes of name.
func points(n, pad int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	name := strings.Repeat("x", pad)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"Feature","id":"p%d","properties":{"leisure":"park","name":"%s"},"geometry":{"type":"Point","coordinates":[%.7f,%.7f]}}`,
			i, name, 120.2110+float64(i%100)*0.00002, 30.2565+float64(i/100)*0.00002)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// countIn returns how many features dataset holds in sn.
func countIn(sn *index.Snapshot, dataset string) (int, error) {
	sums, err := sn.Summary(context.Background())
	n := 0
	for _, d := range sums {
		if d.Dataset == dataset {
			n += d.Features
		}
	}
	return n, err
}

// slowReader gives its bytes in pieces, pausing before each.
type slowReader struct {
	b     []byte
	piece int
	pause time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.pause)
	n := copy(p[:min(len(p), r.piece)], r.b)
	r.b = r.b[n:]
	return n, nil
}

// TestIngestBounds: the ingest route has its own bounds on body and time,
// and every other route keeps the server's.
func TestIngestBounds(t *testing.T) {
	base, s := serve(t, Config{Access: Access{Token: writeToken}, RequestTimeout: 300 * time.Millisecond, Logger: discardLogger()})
	auth := []string{"Authorization", "Bearer " + writeToken}
	big := points(16000, 300)
	if len(big) < 5<<20 {
		t.Fatalf("the big file is %d bytes, want 5 MiB or more", len(big))
	}

	if a := do(t, "POST", base+"/healthz", bytes.NewReader(make([]byte, 2<<20)), auth...); a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB to an ordinary route: %d %s, want 413", a.status, a.body)
	}
	// Of unknown length (chunked), so that the bound is met while reading.
	a := do(t, "POST", base+"/datasets/big/ingest", io.MultiReader(bytes.NewReader(big)), auth...)
	if a.status != http.StatusCreated {
		t.Fatalf("%d MiB to the ingest route: %d %.500s", len(big)>>20, a.status, a.body)
	}
	var rep ingest.Report
	if err := json.Unmarshal(a.body, &rep); err != nil || rep.Features != 16000 {
		t.Errorf("report %+v (%v)", rep, err)
	}
	// An upload that takes longer than RequestTimeout still loads.
	slow := &slowReader{b: points(50, 0), piece: 1 << 10, pause: 600 * time.Millisecond / 8}
	if a := do(t, "POST", base+"/datasets/slow/ingest", slow, auth...); a.status != http.StatusCreated {
		t.Errorf("a slow upload: %d %s", a.status, a.body)
	}
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	if n, _ := countIn(sn, "slow"); n != 50 {
		t.Errorf("the slow upload stored %d features, want 50", n)
	}
}

// TestIngestAccess: ingest is a write: refused without a token
// configured, and with a missing or wrong one.
func TestIngestAccess(t *testing.T) {
	body := points(3, 0)
	tests := []struct {
		name   string
		access Access
		auth   string
		status int
	}{
		{"no token configured", Access{}, "Bearer " + writeToken, http.StatusForbidden},
		{"none sent", Access{Token: writeToken}, "", http.StatusUnauthorized},
		{"wrong token", Access{Token: writeToken}, "Bearer nope", http.StatusUnauthorized},
		{"the read token", Access{Token: writeToken, ReadToken: "r"}, "Bearer r", http.StatusUnauthorized},
		{"the token", Access{Token: writeToken}, "Bearer " + writeToken, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, s := serve(t, Config{Access: tt.access})
			rev := s.Revision()
			var h []string
			if tt.auth != "" {
				h = []string{"Authorization", tt.auth}
			}
			a := do(t, "POST", base+"/datasets/p/ingest", bytes.NewReader(body), h...)
			if a.status != tt.status {
				t.Fatalf("%d %s, want %d", a.status, a.body, tt.status)
			}
			if (s.Revision() != rev) != (tt.status == http.StatusCreated) {
				t.Errorf("revision %d, was %d", s.Revision(), rev)
			}
		})
	}
}

// TestIngestUnderLoad: a dataset ingested through the API while 8 readers
// read the store loses nothing: no reader sees an error or part of the
// file (each snapshot holds none or all of it, /healthz's revision never
// goes back, tiles answer), and afterwards every feature is readable.
func TestIngestUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	base, s := serve(t, Config{Access: Access{Token: writeToken}, Logger: discardLogger()})
	const n = 4000
	body := points(n, 40)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stop := make(chan struct{})

	var (
		wg            sync.WaitGroup
		reads, sawAll atomic.Int64
		mu            sync.Mutex
		failures      []string
		client        = &http.Client{Timeout: 30 * time.Second}
		fail          = func(f string, a ...any) { mu.Lock(); failures = append(failures, fmt.Sprintf(f, a...)); mu.Unlock() }
		getOK         = func(url string) ([]byte, error) {
			req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
			resp, err := client.Do(req)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err == nil && resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
				err = fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
			}
			return b, err
		}
	)
	for r := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lastRev uint64
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					fail("reader %d: out of time", r)
					return
				default:
				}
				if r%2 == 0 {
					// In process: a snapshot holds none or all of the file.
					sn, err := s.Snapshot()
					if err != nil {
						fail("reader %d: snapshot: %v", r, err)
						return
					}
					got, err := countIn(sn, "live")
					sn.Close()
					switch {
					case err != nil:
						fail("reader %d: summary: %v", r, err)
					case got != 0 && got != n:
						fail("reader %d: a snapshot holds %d of the %d features", r, got, n)
					case got == n:
						sawAll.Add(1)
					}
				} else {
					// Over HTTP: /healthz's revision never goes back, and
					// tiles answer.
					b, err := getOK(base + "/healthz")
					var h struct{ Revision uint64 }
					if err == nil {
						err = json.Unmarshal(b, &h)
					}
					if err != nil {
						fail("reader %d: healthz: %v", r, err)
					} else if h.Revision < lastRev {
						fail("reader %d: revision went back from %d to %d", r, lastRev, h.Revision)
					} else {
						lastRev = h.Revision
					}
					if _, err := getOK(base + sampleTile()); err != nil {
						fail("reader %d: tile: %v", r, err)
					}
				}
				reads.Add(1)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond) // the readers are running
	before := reads.Load()
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/datasets/live/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+writeToken)
	req.Header.Set("Content-Type", "application/geo+json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	during := reads.Load() - before
	time.Sleep(50 * time.Millisecond) // and read the ingested file
	close(stop)
	wg.Wait()

	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("ingest: %d %s", resp.StatusCode, answer)
	}
	for _, f := range failures {
		t.Error(f)
	}
	if before == 0 || during == 0 || sawAll.Load() == 0 {
		t.Errorf("reads before the ingest %d, during %d, seeing all of it %d: the readers did not overlap the ingest", before, during, sawAll.Load())
	}
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	for i := range n {
		if _, err := sn.Get("live", cim.DefaultStage, fmt.Sprintf("geojson:live:p%d", i)); err != nil {
			t.Fatalf("feature p%d: %v", i, err)
		}
	}
	t.Logf("%d reads, %d while the ingest ran", reads.Load(), during)
}

// TestRouteMovesReadDeadline: a route with its own bound reads a body
// that takes longer than the server's ReadTimeout, because limits moves
// the connection's deadline; every other route is still cut at it.
func TestRouteMovesReadDeadline(t *testing.T) {
	mux := http.NewServeMux()
	read := func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestTimeout)
			return
		}
		fmt.Fprint(w, n)
	}
	mux.HandleFunc("POST /long", read)
	mux.HandleFunc("POST /short", read)
	hs := &http.Server{ReadTimeout: 200 * time.Millisecond,
		Handler: limits(mux, mux, 1<<10, bound{1 << 20, time.Second}, map[string]bound{"POST /long": {1 << 20, 10 * time.Second}})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()
	for _, tt := range []struct {
		path string
		ok   bool
	}{{"/long", true}, {"/short", false}} {
		body := &slowReader{b: make([]byte, 8<<10), piece: 1 << 10, pause: 80 * time.Millisecond} // ~640 ms
		resp, err := http.Post("http://"+ln.Addr().String()+tt.path, "application/octet-stream", body)
		ok := err == nil && resp.StatusCode == http.StatusOK
		if err == nil {
			resp.Body.Close()
		}
		if ok != tt.ok {
			t.Errorf("%s: a body slower than ReadTimeout: err %v, answered %v; want it read: %v", tt.path, err, resp != nil && err == nil, tt.ok)
		}
	}
}
