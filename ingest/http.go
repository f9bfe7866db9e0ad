package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/crs"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/route"
)

// Pattern is the route of the ingest endpoint, as net/http.ServeMux
// takes it: {name} is the dataset the file loads into.
const Pattern = "POST /datasets/{name}/ingest"

// DefaultMaxBytes bounds an uploaded file when HandlerOptions.MaxBytes is
// zero: 2 GiB.
const DefaultMaxBytes = 2 << 30

// HandlerOptions configures Handler. Zero values take the defaults given.
type HandlerOptions struct {
	// MaxBytes bounds the uploaded file (default DefaultMaxBytes); a
	// larger one is refused with 413.
	MaxBytes int64
	// TempDir is where the upload is kept while it loads, since formats
	// need to seek (an IMDF zip reads its index at its end); default
	// os.TempDir(). The file is removed when the request ends.
	TempDir string
	// MemoryMB bounds what an OSM reader keeps in memory (Options.MemoryMB).
	MemoryMB int
	// Logger receives progress lines for a long ingest (default: discard).
	Logger *slog.Logger
	// ProgressEvery is how often a running ingest logs its progress
	// (default 5 s).
	ProgressEvery time.Duration
}

// Routes returns the ingest route (Pattern).
func Routes(s *index.Store, opts HandlerOptions) []route.Route {
	return []route.Route{{Pattern: Pattern, ID: "ingestDataset", Write: true, Body: "application/octet-stream", Type: "application/json", Handler: Handler(s, opts),
		Summary: "Ingests a file into dataset {name} in one commit, as cim ingest does: GeoJSON, CityJSON, IMDF, IFC or OSM PBF, told by Content-Type or from the content. A bad file is a 400 naming file, feature and byte, and nothing of it is stored. Needs the write token.",
		Params: []route.Param{
			{Name: "name", In: "path", Description: "The dataset."},
			{Name: "stage", Description: "The stage the dataset is at.", Enum: route.Stages},
			{Name: "replace", Type: "boolean", Description: "Replaces the dataset's features at that stage instead of adding to them."},
			{Name: "skip-invalid", Type: "boolean", Description: "Skips invalid features (reported) instead of refusing the file."},
			{Name: "crs", Description: "The file's CRS where it does not say: EPSG:4549 …"},
			{Name: "anchor", Description: "Where an IFC file's local origin lies: lon,lat[,rotation_deg]."},
			{Name: "file", Description: "The uploaded file's name, for messages and the report."},
		}}}
}

// Params are the ingest endpoint's query parameters, named as cim
// ingest's flags: stage=, replace=, skip-invalid=, crs=, anchor=, and
// file=, the uploaded file's name, which error messages and the report
// use (default: the dataset's name).
type Params struct {
	Stage       cim.Stage
	Replace     bool
	SkipInvalid bool
	CRS         string
	Anchor      *cim.Anchor
	File        string
}

// ParseParams reads the endpoint's query parameters; an unknown one is
// an error, so that a misspelt option is not silently ignored.
func ParseParams(q url.Values) (Params, error) {
	var p Params
	for k, vs := range q {
		if len(vs) > 1 {
			return p, &problem.ParamError{Name: k, Value: strings.Join(vs, ","), Reason: "given more than once"}
		}
		v := vs[0]
		var err error
		switch k {
		case "stage":
			if v != "" && v != "any" && v != "latest" {
				p.Stage, err = cim.ParseStage(v)
			}
		case "replace":
			p.Replace, err = parseBool(v)
		case "skip-invalid":
			p.SkipInvalid, err = parseBool(v)
		case "crs":
			if v != "" {
				_, err = crs.Parse(v)
			}
			p.CRS = v
		case "anchor":
			p.Anchor, err = ParseAnchor(v)
		case "file":
			p.File = v
			if b := filepath.Base(v); v == "" || b != v || v == "." || v == ".." || strings.ContainsAny(v, `/\`+"\x00") || len(v) > 255 {
				err = errors.New("want a file name without a folder")
			}
		default:
			return p, &problem.ParamError{Name: k, Value: v, Reason: "not a parameter of ingest (stage, replace, skip-invalid, crs, anchor, file)"}
		}
		if err != nil {
			return p, &problem.ParamError{Name: k, Value: v, Reason: err.Error()}
		}
	}
	return p, nil
}

// parseBool reads a flag's value; an empty one ("?replace") is true.
func parseBool(v string) (bool, error) {
	if v == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errors.New("want true or false")
	}
	return b, nil
}

// contentTypes are the media types that name a format cim reads; a
// type not here but in sniffed leaves the format to the content.
var contentTypes = map[string][]Format{
	"application/geo+json":                     {FormatGeoJSON, FormatGeoJSONSeq},
	"application/geo+json-seq":                 {FormatGeoJSONSeq, FormatGeoJSON},
	"application/city+json":                    {FormatCityJSON},
	"application/city+json-seq":                {FormatCityJSON},
	"application/x-step":                       {FormatIFC},
	"application/p21":                          {FormatIFC},
	"application/x-protobuf":                   {FormatOSMPBF},
	"application/vnd.openstreetmap.data+pbf":   {FormatOSMPBF},
	"application/zip":                          {FormatIMDF},
	"application/osm+xml":                      {FormatOSMXML},
	"application/vnd.openstreetmap.data+xml":   {FormatOSMXML},
	"application/x-zip-compressed":             {FormatIMDF},
	"application/vnd.openstreetmap.data+x-pbf": {FormatOSMPBF},
}

// sniffed are the media types that say nothing about the format.
var sniffed = map[string]bool{"": true, "application/octet-stream": true, "application/json": true, "text/plain": true}

// declaredFormats returns the formats a Content-Type allows: nil for one
// that leaves it to the content.
func declaredFormats(ct string) ([]Format, string, error) {
	if ct == "" {
		return nil, "", nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, "", fmt.Errorf("Content-Type %q: %v", ct, err)
	}
	if sniffed[mt] {
		return nil, mt, nil
	}
	if fs, ok := contentTypes[mt]; ok {
		return fs, mt, nil
	}
	return nil, mt, fmt.Errorf("Content-Type %s is not a format cim reads: send GeoJSON (application/geo+json), CityJSON (application/city+json), IFC (application/x-step), OSM PBF (application/vnd.openstreetmap.data+pbf) or IMDF (application/zip), or application/octet-stream to have the content tell", mt)
}

// Handler returns the ingest endpoint: POST /datasets/{name}/ingest with
// the file as the body loads it into dataset name of s, as cim ingest
// does, in one atomic batch, and answers 201 with the Report as JSON.
// The body streams to a temporary file (formats need to seek); its
// format is the Content-Type's when that names one cim reads, else told
// from the content, and a Content-Type that the content contradicts is
// refused (415). A bad file is a 400 problem whose detail is the message
// cim ingest prints (file, feature, byte), and nothing of it is stored;
// a body over MaxBytes is a 413, a full disk a 507. Register it on a
// ServeMux under Pattern: it reads the dataset from the pattern's {name}.
// It does not check who may write: the server in front of it does.
func Handler(s *index.Store, opts HandlerOptions) http.Handler {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 5 * time.Second
	}
	return &handler{s: s, o: opts}
}

type handler struct {
	s *index.Store
	o HandlerOptions
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name == "" {
		problem.Status(w, r, http.StatusNotFound, "ingest takes POST /datasets/{name}/ingest: no dataset named")
		return
	}
	p, err := ParseParams(r.URL.Query())
	if err != nil {
		var pe *problem.ParamError
		if errors.As(err, &pe) {
			problem.BadParam(w, r, pe)
		} else {
			problem.Status(w, r, http.StatusBadRequest, err.Error())
		}
		return
	}
	if p.File == "" {
		p.File = name
	}
	declared, mt, err := declaredFormats(r.Header.Get("Content-Type"))
	if err != nil {
		problem.Status(w, r, http.StatusUnsupportedMediaType, err.Error())
		return
	}
	if r.ContentLength > h.o.MaxBytes {
		problem.Status(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("%s is %d bytes; this server takes files of at most %d bytes (cim serve --max-ingest-mb)", p.File, r.ContentLength, h.o.MaxBytes))
		return
	}

	dir, err := os.MkdirTemp(h.o.TempDir, "cim-ingest-")
	if err != nil {
		h.fail(w, r, fmt.Errorf("keep the upload: %w", err), "")
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, p.File)
	n, err := receive(path, http.MaxBytesReader(w, r.Body, h.o.MaxBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		problem.Status(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("%s runs past %d bytes, the most this server takes (cim serve --max-ingest-mb); nothing was stored", p.File, tooBig.Limit))
		return
	case errors.Is(err, syscall.ENOSPC):
		h.fail(w, r, fmt.Errorf("keep the upload of %s: %w", p.File, err), dir)
		return
	case err != nil:
		problem.Status(w, r, http.StatusBadRequest, fmt.Sprintf("the upload of %s broke off after %d bytes: %v; nothing was stored", p.File, n, err))
		return
	case n == 0:
		problem.Status(w, r, http.StatusBadRequest, fmt.Sprintf("%s is empty: send the file as the request's body", p.File))
		return
	}
	if err := checkFormat(path, p.File, declared, mt); err != nil {
		problem.Status(w, r, http.StatusUnsupportedMediaType, err.Error())
		return
	}

	opts := Options{Dataset: name, Stage: p.Stage, SkipInvalid: p.SkipInvalid, MemoryMB: h.o.MemoryMB, TempDir: h.o.TempDir, CRS: p.CRS, Anchor: p.Anchor}
	rep, err := Run(r.Context(), h.s, path, opts, RunOptions{Replace: p.Replace, What: "api ingest " + p.File, Opened: func(in *File) func() {
		return h.watch(in, name, p.File, n)
	}})
	if err != nil {
		h.fail(w, r, err, dir)
		return
	}
	rep.File = p.File
	h.o.Logger.Info("ingested", "dataset", name, "file", p.File, "format", rep.Format, "features", rep.Features,
		"replaced", rep.Replaced, "deleted", rep.Deleted, "revision", rep.Revision, "seconds", rep.Seconds)
	body, _ := json.Marshal(rep)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", "/catalog.json?dataset="+url.QueryEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	w.Write(append(body, '\n'))
}

// receive copies the body to a new file at path and returns its size.
func receive(path string, body io.Reader) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// checkFormat tells the format of the file at path from its content and
// checks it against the formats its Content-Type (mt) declared.
func checkFormat(path, name string, declared []Format, mt string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	got, err := Detect(head[:n])
	if err != nil {
		return fmt.Errorf("%s: %w (want GeoJSON, GeoJSONSeq, OSM PBF, IFC, CityJSON or IMDF)", name, err)
	}
	if declared == nil {
		return nil
	}
	for _, d := range declared {
		if d == got || d == FormatGeoJSON && got == FormatGeoJSONSeq {
			return nil
		}
	}
	return fmt.Errorf("%s: the Content-Type %s says %s, but the content is %s", name, mt, declared[0], got)
}

// fail answers an ingest's error: the file's fault (400) unless the
// store or the system failed. The temporary folder dir is taken out of
// the message, which then names the file as the client sent it.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error, dir string) {
	msg := err.Error()
	if dir != "" {
		msg = strings.ReplaceAll(msg, dir+string(os.PathSeparator), "")
	}
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, index.ErrDiskFull), errors.Is(err, syscall.ENOSPC):
		status = http.StatusInsufficientStorage
	case errors.Is(err, index.ErrNeedsRecovery), errors.Is(err, index.ErrClosed), errors.Is(err, index.ErrReadOnly):
		status = http.StatusServiceUnavailable
	case errors.Is(err, ErrUnsupported):
		status = http.StatusUnsupportedMediaType
	case r.Context().Err() != nil:
		// The client went away or the request ran out of time: the
		// batch was aborted.
		status = http.StatusServiceUnavailable
		msg = fmt.Sprintf("%s (nothing was stored)", msg)
	}
	if status >= 500 {
		h.o.Logger.Error("ingest failed", "path", r.URL.Path, "error", msg)
	}
	if status == http.StatusBadRequest {
		msg += "; nothing of it was stored"
	}
	problem.Write(w, r, problem.Details{Status: status, Detail: msg})
}

// watch logs a running ingest's progress every ProgressEvery until the
// function it returns is called.
func (h *handler) watch(in *File, dataset, file string, size int64) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(h.o.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				h.o.Logger.Info("ingesting", "dataset", dataset, "file", file, "phase", in.Phase(),
					"bytes_read", in.BytesRead(), "bytes", size, "features", in.Features())
			}
		}
	}()
	return func() { close(stop); <-done }
}
