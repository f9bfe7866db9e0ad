package viewer

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// MapLibre is the pinned release of MapLibre GL JS the viewer runs on.
// Its code is not in the repository: it comes from the npm registry as
// this exact tarball, checked against the integrity hash the registry
// published for it (npm's own check), and is cached.
var MapLibre = Package{
	Name:      "maplibre-gl",
	Version:   "6.17.0",
	Integrity: "sha512-2chIZwpLGenoUQOcnm9Pk4SLbA8ppNFq8jlpXiq9vcYm3Y1wJ3fc82FL0GLwBaPYJCLzPv/mC46KEupVov75rQ==",
	Files:     []string{"dist/maplibre-gl.mjs", "dist/maplibre-gl-worker.mjs", "dist/maplibre-gl.css"},
}

// Package is an npm package release and the files of it that are used.
type Package struct {
	Name, Version string
	// Integrity is the registry's dist.integrity: "sha512-" and the
	// base64 of the tarball's SHA-512.
	Integrity string
	// Files are the paths inside the package that are kept.
	Files []string
}

// Tarball is the package's tarball name, as npm pack names it.
func (p Package) Tarball() string { return p.Name + "-" + p.Version + ".tgz" }

// URL is where registry serves the tarball.
func (p Package) URL(registry string) string {
	return strings.TrimRight(registry, "/") + "/" + p.Name + "/-/" + p.Tarball()
}

// DefaultRegistry is the npm registry the assets come from, unless
// NPM_CONFIG_REGISTRY names another (a mirror).
const DefaultRegistry = "https://registry.npmjs.org"

// Registry returns the registry to fetch from.
func Registry() string {
	if r := os.Getenv("NPM_CONFIG_REGISTRY"); r != "" {
		return r
	}
	return DefaultRegistry
}

// ErrOffline says the assets are neither cached nor fetchable.
var ErrOffline = errors.New("viewer assets unavailable")

// Assets makes sure the package's files are in dir (a cache folder,
// dir/<name>-<version>/ holding them by base name), fetching the tarball
// from the registry when they are not, or taking it from a folder when
// from is set (a tarball there, or the files themselves, for machines
// that cannot reach the registry). It returns the folder of the files.
func Assets(ctx context.Context, p Package, dir, from, registry string) (string, error) {
	dest := filepath.Join(dir, p.Name+"-"+p.Version)
	if have(dest, p) {
		return dest, nil
	}
	if from != "" {
		if have(from, p) { // the files themselves
			return from, nil
		}
		f, err := os.Open(filepath.Join(from, p.Tarball()))
		if err != nil {
			return "", fmt.Errorf("%w: %s holds neither %s nor its files (%s)", ErrOffline, from, p.Tarball(), baseNames(p))
		}
		defer f.Close()
		return dest, unpack(f, p, dest)
	}
	url := p.URL(registry)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: fetching %s: %v. On a machine without the registry, download that file elsewhere (npm pack %s@%s) and give its folder with --viewer-assets", ErrOffline, url, err, p.Name, p.Version)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: fetching %s: %s", ErrOffline, url, resp.Status)
	}
	return dest, unpack(io.LimitReader(resp.Body, 64<<20), p, dest)
}

func baseNames(p Package) string {
	var names []string
	for _, f := range p.Files {
		names = append(names, path.Base(f))
	}
	return strings.Join(names, ", ")
}

// have reports whether dir holds every file of the package.
func have(dir string, p Package) bool {
	for _, f := range p.Files {
		if st, err := os.Stat(filepath.Join(dir, path.Base(f))); err != nil || st.Size() == 0 {
			return false
		}
	}
	return true
}

// unpack checks the tarball against the package's integrity hash and
// writes its files into dest, atomically (a folder renamed into place).
func unpack(r io.Reader, p Package, dest string) error {
	algo, want, ok := strings.Cut(p.Integrity, "-")
	if !ok || algo != "sha512" {
		return fmt.Errorf("%s@%s: unsupported integrity %q", p.Name, p.Version, p.Integrity)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("%w: reading %s: %v", ErrOffline, p.Tarball(), err)
	}
	sum := sha512.Sum512(data)
	if got := base64.StdEncoding.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("%s is not %s@%s as the registry published it: sha512 %s, want %s", p.Tarball(), p.Name, p.Version, got, want)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(data)))
	if err != nil {
		return fmt.Errorf("%s: %w", p.Tarball(), err)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".unpack-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	want2 := map[string]bool{}
	for _, f := range p.Files {
		want2["package/"+f] = true
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p.Tarball(), err)
		}
		if !want2[h.Name] || h.Typeflag != tar.TypeReg {
			continue
		}
		out, err := os.Create(filepath.Join(tmp, path.Base(h.Name)))
		if err != nil {
			return err
		}
		_, err = io.Copy(out, io.LimitReader(tr, 32<<20))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if !have(tmp, p) {
		return fmt.Errorf("%s lacks some of %s", p.Tarball(), baseNames(p))
	}
	if err := os.Rename(tmp, dest); err != nil {
		if have(dest, p) { // another process got there first
			return nil
		}
		return err
	}
	return nil
}

// CacheDir is where fetched assets are kept: the user's cache folder
// (XDG_CACHE_HOME, ~/.cache) under cim/viewer.
func CacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "cim", "viewer"), nil
}
