package viewer

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeMapLibre: MapLibre's files go out gzipped once made (not by
// the server's middleware on every view) to a client that takes gzip, as
// they are to one that does not, and are cached for good either way.
func TestServeMapLibre(t *testing.T) {
	from := t.TempDir()
	want := map[string]string{}
	for i, f := range MapLibre.Files {
		body := strings.Repeat("export const x"+string(rune('a'+i))+" = 1;\n", 500)
		want[path.Base(f)] = body
		if err := os.WriteFile(filepath.Join(from, path.Base(f)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := New(nil, Options{AssetsDir: t.TempDir(), AssetsFrom: from})
	defer func() {
		// The gzipped copies are the cache's, not written into AssetsFrom.
		if ents, _ := os.ReadDir(from); len(ents) != len(MapLibre.Files) {
			t.Errorf("%s holds %d files, want MapLibre's %d", from, len(ents), len(MapLibre.Files))
		}
	}()
	mux := http.NewServeMux()
	h.Register(mux)
	for _, tc := range []struct {
		name, file, accept string
		gzipped            bool
	}{
		{"module, gzip", "maplibre-gl.mjs", "gzip, deflate, br", true},
		{"worker, gzip", "maplibre-gl-worker.mjs", "gzip", true},
		{"css, gzip", "maplibre-gl.css", "gzip", true},
		{"css, gzip with q values", "maplibre-gl.css", "br;q=1, gzip;q=0.5", true},
		{"module, gzip refused", "maplibre-gl.mjs", "gzip;q=0", false},
		{"module, identity", "maplibre-gl.mjs", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/viewer/maplibre/"+tc.file, nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", res.StatusCode, rec.Body)
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("Cache-Control %q", cc)
			}
			ct := res.Header.Get("Content-Type")
			if strings.HasSuffix(tc.file, ".mjs") && !strings.HasPrefix(ct, "text/javascript") ||
				strings.HasSuffix(tc.file, ".css") && !strings.HasPrefix(ct, "text/css") {
				t.Errorf("Content-Type %q", ct)
			}
			body := rec.Body.Bytes()
			if got := res.Header.Get("Content-Encoding") == "gzip"; got != tc.gzipped {
				t.Fatalf("Content-Encoding %q, want gzip %v", res.Header.Get("Content-Encoding"), tc.gzipped)
			}
			if tc.gzipped {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				if rec.Body.Len() >= len(want[tc.file]) {
					t.Errorf("%d bytes gzipped of %d", rec.Body.Len(), len(want[tc.file]))
				}
			}
			if string(body) != want[tc.file] {
				t.Errorf("served %d bytes, not the file's %d", len(body), len(want[tc.file]))
			}
		})
	}
}
