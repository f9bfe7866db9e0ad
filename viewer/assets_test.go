package viewer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// fakePackage makes an npm-style tarball holding files (package/…) and
// the Package that pins it.
func fakePackage(t *testing.T, files map[string]string) (Package, []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	var names []string
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
		names = append(names, name)
	}
	tw.Close()
	zw.Close()
	sum := sha512.Sum512(buf.Bytes())
	return Package{Name: "fake-gl", Version: "1.2.3", Integrity: "sha512-" + base64.StdEncoding.EncodeToString(sum[:]), Files: names}, buf.Bytes()
}

func TestAssets(t *testing.T) {
	p, tgz := fakePackage(t, map[string]string{"dist/a.mjs": "export const a = 1;", "dist/a.css": "body{}"})
	var hits atomic.Int32
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/fake-gl/-/fake-gl-1.2.3.tgz" {
			http.NotFound(w, r)
			return
		}
		w.Write(tgz)
	}))
	defer reg.Close()
	ctx := context.Background()

	cache := t.TempDir()
	dir, err := Assets(ctx, p, cache, "", reg.URL)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.mjs")); string(b) != "export const a = 1;" {
		t.Errorf("a.mjs holds %q", b)
	}
	if _, err := Assets(ctx, p, cache, "", reg.URL); err != nil || hits.Load() != 1 {
		t.Errorf("the second call fetched again (%d fetches, %v)", hits.Load(), err)
	}

	// A tarball that is not the one pinned is refused, and nothing cached.
	bad := p
	bad.Integrity = "sha512-" + base64.StdEncoding.EncodeToString(make([]byte, 64))
	other := t.TempDir()
	if _, err := Assets(ctx, bad, other, "", reg.URL); err == nil || !strings.Contains(err.Error(), "not fake-gl@1.2.3 as the registry published it") {
		t.Errorf("a tarball with another hash: %v", err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Errorf("a refused tarball left %d entries in the cache", len(entries))
	}

	// No registry: a clear error naming what to fetch and the flag.
	if _, err := Assets(ctx, p, t.TempDir(), "", "http://127.0.0.1:1"); !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "--viewer-assets") || !strings.Contains(err.Error(), "npm pack fake-gl@1.2.3") {
		t.Errorf("offline: %v", err)
	}

	// Offline, from a folder with the tarball, or with the files.
	from := t.TempDir()
	os.WriteFile(filepath.Join(from, p.Tarball()), tgz, 0o644)
	if _, err := Assets(ctx, p, t.TempDir(), from, "http://127.0.0.1:1"); err != nil {
		t.Errorf("from a folder with the tarball: %v", err)
	}
	if got, err := Assets(ctx, p, t.TempDir(), dir, "http://127.0.0.1:1"); err != nil || got != dir {
		t.Errorf("from a folder with the files: %s, %v", got, err)
	}
	if _, err := Assets(ctx, p, t.TempDir(), t.TempDir(), "http://127.0.0.1:1"); !errors.Is(err, ErrOffline) {
		t.Errorf("from an empty folder: %v", err)
	}
}
