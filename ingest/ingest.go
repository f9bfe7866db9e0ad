// Package ingest opens model files for loading into the store: it tells
// the format from the file's content, not its name, and returns a reader
// from the format's own sub-package. Every reader yields cim.Features one
// at a time, so a file of any size streams through in bounded memory.
package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/cityjson"
	"github.com/future-community/cim/ingest/geojson"
	"github.com/future-community/cim/ingest/ifc"
	"github.com/future-community/cim/ingest/imdf"
	"github.com/future-community/cim/ingest/osm"
)

// Format names an input format.
type Format string

// The formats Detect recognises.
const (
	FormatGeoJSON    Format = "geojson"
	FormatGeoJSONSeq Format = "geojsonseq"
	FormatOSMPBF     Format = "osm.pbf"
	FormatOSMXML     Format = "osm.xml"
	FormatIFC        Format = "ifc"
	FormatCityJSON   Format = "cityjson"
	FormatIMDF       Format = "imdf" // a folder or .zip of IMDF GeoJSON files
)

// ErrUnknownFormat is returned by Detect for input it does not recognise.
var ErrUnknownFormat = errors.New("unknown format")

// ErrUnsupported is returned by Open for a recognised format that cim
// cannot read yet.
var ErrUnsupported = errors.New("format not supported yet")

// Detect tells the format from the first bytes of a file (4 KiB or more
// is plenty). It returns FormatGeoJSONSeq only for RFC 8142 record
// separators; Open refines FormatGeoJSON to FormatGeoJSONSeq when the file
// turns out to be newline-delimited.
func Detect(head []byte) (Format, error) {
	t := bytes.TrimLeft(head, " \t\r\n\ufeff") // \ufeff: a byte order mark
	switch {
	case bytes.HasPrefix(t, []byte("ISO-10303-21;")):
		return FormatIFC, nil
	case bytes.HasPrefix(t, []byte("<?xml")) && bytes.Contains(t, []byte("<osm")), bytes.HasPrefix(t, []byte("<osm")):
		return FormatOSMXML, nil
	case len(head) >= 16 && bytes.Contains(head[4:min(len(head), 32)], []byte("OSMHeader")):
		return FormatOSMPBF, nil
	case len(t) > 0 && t[0] == 0x1e:
		return FormatGeoJSONSeq, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatIMDF, nil // the one zipped format cim reads
	case len(t) > 0 && t[0] == '{':
		// CityJSON says so in "type", often at the very end: its
		// CityObjects member names it too.
		if bytes.Contains(t, []byte(`"CityJSON`)) || bytes.Contains(t, []byte(`"CityObjects"`)) {
			return FormatCityJSON, nil
		}
		// A FeatureCollection, a Feature, or the first of a sequence of
		// them: the GeoJSON reader tells which (File.Format says after Open).
		return FormatGeoJSON, nil
	}
	return "", ErrUnknownFormat
}

// Options configures Open.
type Options struct {
	// Dataset names the dataset; "" means the file name without its
	// extensions ("zoning" for zoning.geojson).
	Dataset string
	// Stage is given to features whose source does not say;
	// cim.StageAny means cim.DefaultStage.
	Stage cim.Stage
	// SkipInvalid skips invalid features, listed afterwards by Skipped,
	// instead of failing on the first.
	SkipInvalid bool
	// MemoryMB bounds what a reader keeps in memory for assembling
	// geometries (OSM node locations and way node lists) before it spills
	// to temporary files; 0 means the reader's default.
	MemoryMB int
	// TempDir is where a reader spills what does not fit in MemoryMB;
	// "" means os.TempDir() ($TMPDIR, else /tmp).
	TempDir string
	// CRS is the coordinate reference system of a CityJSON file whose
	// metadata names none ("EPSG:7415").
	CRS string
	// Anchor places a model drawn in local coordinates (IFC): the
	// longitude and latitude of its origin and the rotation of its +y
	// axis from north. It overrides the file's own georeferencing, with
	// a warning; nil keeps the file's.
	Anchor *cim.Anchor
}

// DatasetName is the default dataset name for a file.
func DatasetName(path string) string {
	base := filepath.Base(path)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return base
}

// File is an input file open for reading features.
type File struct {
	Path    string
	Format  Format
	Dataset string
	Size    int64 // bytes, for progress
	f       *os.File
	count   *countingReader
	next    func() (*cim.Feature, error)
	skipped func() []error
	warns   func() map[string]int
	phase   func() string // the reader's own, if it has one
	close   func() error  // the reader's own, if any
	eof     atomic.Bool
	read    atomic.Int64 // features read
}

// Open opens a file and detects its format.
func Open(path string, opts Options) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		if _, err := os.Stat(filepath.Join(path, "manifest.json")); err != nil {
			return nil, fmt.Errorf("%s is a directory without an IMDF manifest.json (give a file, or an IMDF folder)", path)
		}
		return openIMDF(path, st.Size(), opts)
	}
	cr := &countingReader{r: f}
	br := bufio.NewReaderSize(cr, 256<<10)
	head, _ := br.Peek(64 << 10)
	format, err := Detect(head)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w (want GeoJSON, GeoJSONSeq, OSM PBF, IFC, CityJSON or IMDF)", path, err)
	}
	in := &File{Path: path, Format: format, Dataset: opts.Dataset, Size: st.Size(), f: f, count: cr}
	if in.Dataset == "" {
		in.Dataset = DatasetName(path)
	}
	switch format {
	case FormatGeoJSON, FormatGeoJSONSeq:
		r, err := geojson.NewReader(br, geojson.Options{
			Dataset: in.Dataset, KeepDataset: opts.Dataset != "", Stage: opts.Stage, Name: path, SkipInvalid: opts.SkipInvalid,
		})
		if err != nil {
			f.Close()
			return nil, err
		}
		if r.Seq() {
			in.Format = FormatGeoJSONSeq
		}
		attach[*geojson.Error](in, r)
	case FormatOSMPBF:
		r, err := osm.NewReader(br, osm.Options{
			Dataset: in.Dataset, Stage: opts.Stage, Name: path, Size: st.Size(), MemoryMB: opts.MemoryMB,
			TempDir: opts.TempDir,
		})
		if err != nil {
			f.Close()
			return nil, err
		}
		in.next = r.Next
		in.skipped = func() []error { return nil }
		in.warns = r.Warnings
		in.close = r.Close
	case FormatCityJSON:
		r, err := cityjson.NewReader(br, cityjson.Options{
			Dataset: in.Dataset, Stage: opts.Stage, Name: path, SkipInvalid: opts.SkipInvalid, CRS: opts.CRS,
		})
		if err != nil {
			f.Close()
			return nil, err
		}
		attach[*cityjson.Error](in, r)
	case FormatIFC:
		r, err := ifc.NewReader(br, ifc.Options{
			Dataset: in.Dataset, Stage: opts.Stage, Name: path, SkipInvalid: opts.SkipInvalid, Anchor: opts.Anchor,
		})
		if err != nil {
			f.Close()
			return nil, err
		}
		attach[*ifc.Error](in, r)
	case FormatIMDF:
		f.Close()
		return openIMDF(path, st.Size(), opts)
	default:
		f.Close()
		return nil, fmt.Errorf("%s: %s: %w", path, format, ErrUnsupported)
	}
	return in, nil
}

// openIMDF opens an IMDF folder or zip. Its reader reads the files it
// needs itself; progress counts the features read.
func openIMDF(path string, size int64, opts Options) (*File, error) {
	in := &File{Path: path, Format: FormatIMDF, Dataset: opts.Dataset, Size: size, count: &countingReader{}}
	if in.Dataset == "" {
		in.Dataset = DatasetName(path)
	}
	r, err := imdf.Open(path, imdf.Options{Dataset: in.Dataset, Stage: opts.Stage, Name: path, SkipInvalid: opts.SkipInvalid})
	if err != nil {
		return nil, err
	}
	attach[*imdf.Error](in, r)
	in.close = r.Close
	return in, nil
}

// Next returns the next feature, or io.EOF after the last.
func (in *File) Next() (*cim.Feature, error) {
	f, err := in.next()
	switch {
	case err == nil:
		in.read.Add(1)
	case err == io.EOF:
		in.eof.Store(true)
	}
	return f, err
}

// Features returns how many features have been read, for progress. It is
// safe to call while another goroutine reads.
func (in *File) Features() int64 { return in.read.Load() }

// Phase says what reading the file is doing, for progress: the reader's
// own phase where it has several (an OSM extract's "nodes", "ways",
// "relations"), else "reading"; and "writing" once the last feature has
// been read, while the store commits. It is safe to call while another
// goroutine reads.
func (in *File) Phase() string {
	switch {
	case in.eof.Load():
		return "writing"
	case in.phase != nil:
		return in.phase()
	}
	return "reading"
}

// Skipped returns the features skipped under Options.SkipInvalid.
func (in *File) Skipped() []error { return in.skipped() }

// Warnings returns tag values that could not be read and were ignored,
// with their counts.
func (in *File) Warnings() map[string]int { return in.warns() }

// BytesRead returns how much of the file has been read, for progress.
func (in *File) BytesRead() int64 { return in.count.n.Load() }

// Close closes the file.
func (in *File) Close() error {
	var err error
	if in.f != nil {
		err = in.f.Close()
	}
	if in.close != nil {
		if cerr := in.close(); err == nil {
			err = cerr
		}
	}
	return err
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// asErrors widens a reader's own error type to []error.
// featureReader is what every format's reader offers; E is its error type.
type featureReader[E error] interface {
	Next() (*cim.Feature, error)
	Skipped() []E
	Warnings() map[string]int
}

// attach reads features, skipped records and warnings from r.
func attach[E error](in *File, r featureReader[E]) {
	in.next = r.Next
	in.skipped = func() []error { return asErrors(r.Skipped()) }
	in.warns = r.Warnings
	if p, ok := r.(interface{ Phase() string }); ok {
		in.phase = p.Phase
	}
}

func asErrors[E error](es []E) []error {
	out := make([]error, 0, len(es))
	for _, e := range es {
		out = append(out, e)
	}
	return out
}
