// Package viewer serves cim's built-in map viewer: a single page on
// MapLibre GL JS over the server's style and tiles, with a floor
// switcher, storeys in 3D, a stage and dataset picker, feature details
// and the planning check on the map. Its own HTML, JavaScript and CSS are
// embedded; MapLibre itself is fetched once from the npm registry as a
// pinned, hash-checked release and cached (Assets).
package viewer

import (
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/plan"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/query"
	"github.com/future-community/cim/route"
)

//go:embed static
var static embed.FS

// Options configures a Handler.
type Options struct {
	// AssetsDir is where MapLibre's files are cached (CacheDir).
	AssetsDir string
	// AssetsFrom, if set, is a folder holding MapLibre's tarball or files,
	// for machines that cannot reach the npm registry.
	AssetsFrom string
	// Registry is the npm registry (Registry()).
	Registry string
	Logger   *slog.Logger
}

// Handler serves the viewer and the small API it reads.
type Handler struct {
	store *index.Store
	o     Options

	mu     sync.Mutex
	assets string // the folder of MapLibre's files, once fetched

	gzMu sync.Mutex // making the gzipped copies of MapLibre's files

	catMu sync.Mutex
	cat   *Catalog // of the last revision asked for
}

// New returns the viewer of a store.
func New(s *index.Store, o Options) *Handler {
	if o.Registry == "" {
		o.Registry = Registry()
	}
	if o.AssetsDir == "" {
		if d, err := CacheDir(); err == nil {
			o.AssetsDir = d
		} else {
			o.AssetsDir = filepath.Join(os.TempDir(), "cim-viewer")
		}
	}
	return &Handler{store: s, o: o}
}

// Cached reports whether MapLibre's files are at hand without fetching.
func (h *Handler) Cached() bool {
	return have(filepath.Join(h.o.AssetsDir, MapLibre.Name+"-"+MapLibre.Version), MapLibre) || h.o.AssetsFrom != ""
}

// Prepare fetches MapLibre's files now (otherwise the first page view
// does), so that a server can say at start whether the viewer works. A
// failure is not kept: the next call tries again (the network may be
// back, or the files put in place). The fetch outlives ctx's
// cancellation, under a bound of its own.
func (h *Handler) Prepare(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.assets != "" {
		return nil
	}
	dir, err := Assets(context.WithoutCancel(ctx), MapLibre, h.o.AssetsDir, h.o.AssetsFrom, h.o.Registry)
	if err != nil {
		return err
	}
	h.assets = dir
	// Compressed now rather than at the first page view.
	for _, f := range MapLibre.Files {
		h.gzipped(filepath.Join(dir, filepath.Base(f)))
	}
	return nil
}

// Register adds the viewer's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) { route.Register(mux, h.Routes()...) }

// Routes returns the viewer's routes: its page and files, which the API
// document leaves out (the landing page links the viewer), and the
// catalog it starts from.
func (h *Handler) Routes() []route.Route {
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	return []route.Route{
		{Pattern: "GET /{$}", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, sub, "index.html")
		})},
		{Pattern: "GET /viewer/", Handler: http.StripPrefix("/viewer/", noDirs(files))},
		{Pattern: "GET /viewer/maplibre/{file}", Handler: http.HandlerFunc(h.serveMapLibre)},
		{Pattern: "GET /catalog.json", ID: "getCatalog", Type: "application/json", Handler: http.HandlerFunc(h.serveCatalog),
			Summary: "What the store holds, for a map client: its revision and extent, the stages and datasets, the floors, the sites and the rule packs."},
	}
}

// noDirs refuses folder listings.
func noDirs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || r.URL.Path[len(r.URL.Path)-1] == '/' {
			problem.Status(w, r, http.StatusNotFound, "no such file")
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) serveMapLibre(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if !slices.ContainsFunc(MapLibre.Files, func(f string) bool { return filepath.Base(f) == name }) {
		problem.Status(w, r, http.StatusNotFound, "no such file of MapLibre GL JS "+MapLibre.Version)
		return
	}
	if err := h.Prepare(r.Context()); err != nil {
		problem.Status(w, r, http.StatusServiceUnavailable, err.Error())
		return
	}
	// A pinned release never changes under its name.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	file := filepath.Join(h.assets, name)
	if gz := h.gzipped(file); gz != "" && acceptsGzip(r.Header.Get("Accept-Encoding")) && r.Header.Get("Range") == "" {
		// Compressed once, not on every page view (1.1 MB of JavaScript
		// took the server's gzip a few hundred ms on a busy machine).
		f, err := os.Open(gz)
		if err == nil {
			defer f.Close()
			if st, err := f.Stat(); err == nil {
				w.Header().Set("Content-Type", mime.TypeByExtension(filepath.Ext(name)))
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Add("Vary", "Accept-Encoding")
				http.ServeContent(w, r, name, st.ModTime(), f)
				return
			}
		}
	}
	http.ServeFile(w, r, file)
}

// gzipped returns a gzip file of file's content, made the first time it
// is asked for, in the cache folder (never in an AssetsFrom folder); ""
// when it cannot be made.
func (h *Handler) gzipped(file string) string {
	dir := filepath.Join(h.o.AssetsDir, MapLibre.Name+"-"+MapLibre.Version+"-gzip")
	gz := filepath.Join(dir, filepath.Base(file)+".gz")
	h.gzMu.Lock()
	defer h.gzMu.Unlock()
	if st, err := os.Stat(gz); err == nil && st.Size() > 0 {
		return gz
	}
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = writeGzip(file, gz)
	}
	if err != nil {
		if h.o.Logger != nil {
			h.o.Logger.Warn("viewer: cannot keep a gzipped copy; serving it as it is", "file", file, "err", err)
		}
		return ""
	}
	return gz
}

// writeGzip compresses src into dst, atomically.
func writeGzip(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".gz-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	zw, err := gzip.NewWriterLevel(tmp, gzip.BestCompression)
	if err != nil {
		tmp.Close()
		return err
	}
	_, err = io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip (not
// refused with q=0).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// Catalog is what the viewer offers to choose from.
type Catalog struct {
	Revision uint64      `json:"revision"`
	Bounds   []float64   `json:"bounds,omitempty"` // west, south, east, north
	Datasets []DatasetAt `json:"datasets"`
	Stages   []string    `json:"stages"` // the stages stored, in order
	Levels   []int       `json:"levels"` // the floors features stand on
	Sites    []SiteRef   `json:"sites"`
	Packs    []PackRef   `json:"packs"`
}

// DatasetAt is a dataset and the stages it is stored at.
type DatasetAt struct {
	Name     string   `json:"name"`
	Stages   []string `json:"stages"`
	Features int      `json:"features"`
}

// SiteRef is a site the check can run on.
type SiteRef struct {
	ID      string    `json:"id"`
	Name    string    `json:"name,omitempty"`
	Dataset string    `json:"dataset"`
	Stage   string    `json:"stage"`
	Bounds  []float64 `json:"bounds"`
}

// PackRef is a rule pack.
type PackRef struct {
	Name  string `json:"name"`
	Title string `json:"title"`
}

func (h *Handler) serveCatalog(w http.ResponseWriter, r *http.Request) {
	sn, err := h.store.Snapshot()
	if err != nil {
		problem.Status(w, r, http.StatusServiceUnavailable, "the store is closed")
		return
	}
	defer sn.Close()
	// A catalog reads the store's summary, its sites and the packs: made
	// once per revision.
	h.catMu.Lock()
	c := h.cat
	h.catMu.Unlock()
	if c == nil || c.Revision != sn.Revision() {
		if c, err = catalog(r.Context(), sn); err != nil {
			problem.Status(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		h.catMu.Lock()
		h.cat = c
		h.catMu.Unlock()
	}
	writeJSON(w, r, c)
}

func catalog(ctx context.Context, sn *index.Snapshot) (*Catalog, error) {
	sums, err := sn.Summary(ctx)
	if err != nil {
		return nil, err
	}
	c := &Catalog{Revision: sn.Revision(), Datasets: []DatasetAt{}, Stages: []string{}, Levels: []int{}, Sites: []SiteRef{}}
	var ext cim.Box
	seenStage, seenLevel := map[cim.Stage]bool{}, map[int]bool{}
	for _, d := range sums {
		if d.Features == 0 {
			continue
		}
		if len(c.Bounds) == 0 {
			ext = d.Extent
		} else {
			ext = ext.Extend(d.Extent)
		}
		c.Bounds = []float64{ext.MinLon, ext.MinLat, ext.MaxLon, ext.MaxLat}
		i := slices.IndexFunc(c.Datasets, func(a DatasetAt) bool { return a.Name == d.Dataset })
		if i < 0 {
			c.Datasets = append(c.Datasets, DatasetAt{Name: d.Dataset})
			i = len(c.Datasets) - 1
		}
		c.Datasets[i].Stages = append(c.Datasets[i].Stages, d.Stage.String())
		c.Datasets[i].Features += d.Features
		seenStage[d.Stage] = true
		for l := range d.Floors {
			seenLevel[l] = true
		}
	}
	for _, st := range cim.Stages() {
		if seenStage[st] {
			c.Stages = append(c.Stages, st.String())
		}
	}
	for l := range seenLevel {
		c.Levels = append(c.Levels, l)
	}
	slices.Sort(c.Levels)
	rows := query.Run(ctx, sn, query.Query{Classes: []cim.Class{cim.ClassSite}})
	defer rows.Close()
	for rows.Next() {
		f := rows.Feature()
		b := cim.BoundsOf(f.Geometry)
		c.Sites = append(c.Sites, SiteRef{ID: f.ID, Name: plan.FeatureName(f), Dataset: f.Dataset, Stage: f.Stage.String(),
			Bounds: []float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat}})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range plan.BuiltinPacks() {
		p, err := plan.LoadPack(name)
		if err != nil {
			return nil, err
		}
		c.Packs = append(c.Packs, PackRef{Name: p.Name, Title: p.Title})
	}
	return c, nil
}

func writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(append(body, '\n'))
}
