package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/internal/storetest"
)

// serveIngest serves the ingest handler of s on loopback.
func serveIngest(t *testing.T, s *index.Store, opts ingest.HandlerOptions) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(ingest.Pattern, ingest.Handler(s, opts))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts.URL
}

// count returns how many features dataset holds in s, in every stage.
func count(t *testing.T, s *index.Store, dataset string) int {
	t.Helper()
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	sums, err := sn.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range sums {
		if d.Dataset == dataset {
			n += d.Features
		}
	}
	return n
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s is absent (the shared test data, ../shared/data, is not beside the repository): %v", path, err)
	}
	return b
}

// TestHandler posts files to the endpoint and checks the answer, and
// that a refused file stores nothing: the revision and the dataset's
// count are what they were.
func TestHandler(t *testing.T) {
	green := mustRead(t, "../samples/green.geojson")
	broken := bytes.Replace(green, []byte(`"coordinates": [[[120.2119950`), []byte(`"coordinates": [[["x"`), 1)
	if bytes.Equal(broken, green) {
		t.Fatal("the broken copy is not broken")
	}
	ifcPath := "../../shared/data/ifc/AC20-FZK-Haus.ifc"
	tests := []struct {
		name     string
		body     func(t *testing.T) []byte
		ctype    string
		query    string
		dataset  string
		status   int
		want     []string // in the answer
		stored   bool
		maxBytes int64
	}{
		{name: "geojson, declared", body: func(*testing.T) []byte { return green }, ctype: "application/geo+json",
			dataset: "green", status: 201, want: []string{`"format":"geojson"`, `"features":23`, `"file":"green"`}, stored: true},
		{name: "geojson, sniffed, with stage and file", body: func(*testing.T) []byte { return green }, query: "stage=design&file=green.geojson",
			dataset: "green2", status: 201, want: []string{`"file":"green.geojson"`}, stored: true},
		{name: "ifc", body: func(t *testing.T) []byte { return mustRead(t, ifcPath) }, ctype: "application/x-step",
			dataset: "haus", status: 201, want: []string{`"format":"ifc"`, `"building":`}, stored: true},
		{name: "broken file", body: func(*testing.T) []byte { return broken }, ctype: "application/geo+json", query: "file=green.geojson",
			dataset: "broken", status: 400, want: []string{"green.geojson", "feature", "nothing of it was stored"}},
		{name: "content type contradicts content", body: func(t *testing.T) []byte { return mustRead(t, ifcPath) }, ctype: "application/geo+json",
			dataset: "haus2", status: 415, want: []string{"application/geo+json", "geojson", "ifc"}},
		{name: "unknown content type", body: func(*testing.T) []byte { return green }, ctype: "image/png",
			dataset: "png", status: 415, want: []string{"image/png"}},
		{name: "unknown content", body: func(*testing.T) []byte { return []byte("hello, world") },
			dataset: "hello", status: 415, want: []string{"unknown format"}},
		{name: "empty body", body: func(*testing.T) []byte { return nil },
			dataset: "empty", status: 400, want: []string{"empty"}},
		{name: "bad parameter", body: func(*testing.T) []byte { return green }, query: "stage=someday",
			dataset: "bad", status: 400, want: []string{"stage"}},
		{name: "unknown parameter", body: func(*testing.T) []byte { return green }, query: "replce=true",
			dataset: "bad", status: 400, want: []string{"replce"}},
		{name: "path in file", body: func(*testing.T) []byte { return green }, query: "file=" + url.QueryEscape("../../etc/passwd"),
			dataset: "bad", status: 400, want: []string{"file"}},
		{name: "too big", body: func(*testing.T) []byte { return green }, maxBytes: 1000,
			dataset: "big", status: 413, want: []string{"1000"}},
	}
	s := storetest.New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body(t)
			base := serveIngest(t, s, ingest.HandlerOptions{MaxBytes: tt.maxBytes, TempDir: t.TempDir()})
			rev := s.Revision()
			req, _ := http.NewRequest("POST", base+"/datasets/"+tt.dataset+"/ingest?"+tt.query, bytes.NewReader(body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, got)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("the answer lacks %q: %s", w, got)
				}
			}
			n := count(t, s, tt.dataset)
			if tt.stored {
				var rep ingest.Report
				if err := json.Unmarshal(got, &rep); err != nil {
					t.Fatal(err)
				}
				if rep.Features == 0 || n != rep.Features || rep.Revision != s.Revision() || s.Revision() == rev {
					t.Errorf("report %+v; the store holds %d at revision %d (was %d)", rep, n, s.Revision(), rev)
				}
				if loc := resp.Header.Get("Location"); !strings.Contains(loc, tt.dataset) {
					t.Errorf("Location %q", loc)
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want a problem", ct)
			}
			if n != 0 || s.Revision() != rev {
				t.Errorf("a refused file left %d features, revision %d (was %d)", n, s.Revision(), rev)
			}
		})
	}
}

// TestHandlerRemovesUpload: the temporary copy of the body is gone after
// the request, whether the file loaded or not.
func TestHandlerRemovesUpload(t *testing.T) {
	green := mustRead(t, "../samples/green.geojson")
	s := storetest.New(t)
	tmp := t.TempDir()
	base := serveIngest(t, s, ingest.HandlerOptions{TempDir: tmp})
	for i, body := range [][]byte{green, green[:len(green)/2]} {
		resp, err := http.Post(fmt.Sprintf("%s/datasets/d%d/ingest", base, i), "", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		left, _ := filepath.Glob(filepath.Join(tmp, "*"))
		if len(left) > 0 {
			t.Errorf("request %d (status %d) left %v", i, resp.StatusCode, left)
		}
	}
}

// TestHandlerReplace: replace=true deletes the dataset's features the
// new file lacks.
func TestHandlerReplace(t *testing.T) {
	green := mustRead(t, "../samples/green.geojson")
	s := storetest.New(t)
	base := serveIngest(t, s, ingest.HandlerOptions{})
	post := func(q string, body []byte) ingest.Report {
		resp, err := http.Post(base+"/datasets/g/ingest?"+q, "application/geo+json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rep ingest.Report
		if resp.StatusCode != 201 || json.NewDecoder(resp.Body).Decode(&rep) != nil {
			t.Fatalf("status %d", resp.StatusCode)
		}
		return rep
	}
	post("", green)
	one := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"g-park-1","properties":{"leisure":"park","cim:stage":"planning"},"geometry":{"type":"Point","coordinates":[120.21,30.25]}}]}`
	rep := post("replace=true", []byte(one))
	if rep.Deleted == 0 || count(t, s, "g") != 1 {
		t.Errorf("replace: %+v, the store holds %d", rep, count(t, s, "g"))
	}
}

// FuzzParams: the query parameters never panic, and what parses has a
// file name without a folder.
func FuzzParams(f *testing.F) {
	for _, q := range []string{"", "stage=design&replace=true", "skip-invalid&crs=EPSG:7415", "anchor=120.1,30.2,12",
		"anchor=1,2,3,4", "file=a.ifc", "file=../x", "stage=a&stage=b", "crs=EPSG:0", "replace=maybe", "%zz"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		p, err := ingest.ParseParams(v)
		if err != nil {
			return
		}
		if p.File != "" && (strings.ContainsAny(p.File, `/\`) || p.File == ".." || p.File == ".") {
			t.Errorf("%q: file %q", q, p.File)
		}
		if !p.Stage.Valid() && p.Stage != cim.StageAny {
			t.Errorf("%q: stage %v", q, p.Stage)
		}
	})
}

func ExampleHandler() {
	s, err := index.Open(filepath.Join(os.TempDir(), fmt.Sprintf("cim-example-%d", os.Getpid())), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { s.Close(); os.RemoveAll(s.Dir()) }()
	mux := http.NewServeMux()
	mux.Handle(ingest.Pattern, ingest.Handler(s, ingest.HandlerOptions{}))
	ts := httptest.NewServer(mux)
	defer ts.Close()

	body := `{"type":"Feature","id":"p1","properties":{"leisure":"park"},"geometry":{"type":"Point","coordinates":[120.2,30.25]}}`
	resp, err := http.Post(ts.URL+"/datasets/parks/ingest?stage=planning", "application/geo+json", strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var rep ingest.Report
	json.NewDecoder(resp.Body).Decode(&rep)
	fmt.Println(resp.Status, rep.Format, rep.Dataset, rep.Features)
	// Output: 201 Created geojson parks 1
}

// parks is a GeoJSON FeatureCollection of n parks.
func parks(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"Feature","id":"p%d","properties":{"leisure":"park"},"geometry":{"type":"Point","coordinates":[%.6f,30.25]}}`, i, 120.2+float64(i)*1e-5)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// TestHandlerLogsProgress: a running ingest logs its progress.
func TestHandlerLogsProgress(t *testing.T) {
	var logs syncBuffer
	s := storetest.New(t)
	base := serveIngest(t, s, ingest.HandlerOptions{ProgressEvery: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	resp, err := http.Post(base+"/datasets/parks/ingest", "", bytes.NewReader(parks(20000)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || !strings.Contains(logs.String(), "msg=ingesting dataset=parks") || !strings.Contains(logs.String(), "msg=ingested") {
		t.Errorf("status %d, log:\n%.2000s", resp.StatusCode, logs.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// BenchmarkIngest loads the same 5,000-feature file directly (Run) and
// through the endpoint on loopback (http), to show what the upload costs.
func BenchmarkIngest(b *testing.B) {
	body := parks(5000)
	path := filepath.Join(b.TempDir(), "parks.geojson")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		b.Fatal(err)
	}
	s := storetest.New(b)
	b.Run("run", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := ingest.Run(context.Background(), s, path, ingest.Options{}, ingest.RunOptions{Replace: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("http", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.Handle(ingest.Pattern, ingest.Handler(s, ingest.HandlerOptions{}))
		ts := httptest.NewServer(mux)
		defer ts.Close()
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			resp, err := http.Post(ts.URL+"/datasets/parks/ingest?replace=true", "application/geo+json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 {
				b.Fatal(resp.Status)
			}
		}
	})
}
