package imdf

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/future-community/cim/cim"
)

// Options configures a Reader.
type Options struct {
	// Dataset is the dataset the features belong to. Required.
	Dataset string
	// Stage is given to every feature; cim.StageAny means
	// cim.DefaultStage.
	Stage cim.Stage
	// Name names the archive in errors; "" means the path given to Open.
	Name string
	// SkipInvalid skips features with a bad geometry, a missing or
	// dangling reference or another fault of their own, and the features
	// that reference them, instead of failing; Skipped lists them. Broken
	// JSON and missing files are always errors.
	SkipInvalid bool
}

// MaxFileBytes is the largest file of an archive the reader accepts.
// Files are decoded as they are read (inflated, in a zip), one feature at
// a time, so memory is bounded by MaxValueBytes, not by this.
const MaxFileBytes = 512 << 20

// maxManifestBytes is the largest manifest.json the reader accepts; it is
// read whole.
const maxManifestBytes = 1 << 20

var (
	// ErrNotArchive is returned by Open for a path that is neither a
	// folder nor a zip file.
	ErrNotArchive = errors.New("not an IMDF archive (a folder or .zip file)")
	// ErrMissingFile is wrapped by the *Error for a file the reader
	// needs and the archive lacks: manifest.json, venue.geojson,
	// level.geojson or unit.geojson.
	ErrMissingFile = errors.New("required file is missing")
	// ErrUnknownRef is wrapped by the *Error for a feature that refers
	// to a level, building or unit the archive does not define.
	ErrUnknownRef = errors.New("reference to an unknown feature")
	// ErrUnsafeEntry is wrapped by the *Error for a zip file with an
	// entry whose name is absolute, climbs out of the archive with "..",
	// or holds a backslash or a drive letter. Such names are refused
	// rather than read as the file they end in.
	ErrUnsafeEntry = errors.New("unsafe entry name (absolute, with \"..\", a backslash or a drive letter)")
	// ErrCorruptZip is wrapped by the *Error for a file that starts as a
	// zip archive but that archive/zip cannot open: cut short (a zip's
	// index, the central directory, is at its end) or damaged.
	ErrCorruptZip = errors.New("truncated or corrupt zip file")
)

// Error is a problem with an archive's file or one of its features,
// written as cim.Pos writes positions:
//
//	mall.zip/unit.geojson:2: feature 0 (id 5c4f…): message
type Error struct {
	Path    string // the archive and the file in it: "mall.zip/unit.geojson"
	Line    int    // from 1; 0 when unknown
	Column  int    // from 1, in characters, for errors in the JSON text; else 0
	Feature int    // index in the file's features array, −1 when not in a feature
	ID      string // the feature's IMDF id, when it has one
	Err     error
}

func (e *Error) Error() string {
	return cim.Pos{Name: e.Path, Line: e.Line, Col: e.Column, Offset: -1, Feature: e.Feature, ID: e.ID}.Message(e.Err.Error())
}

func (e *Error) Unwrap() error { return e.Err }

// refError is a dangling reference; it is ErrUnknownRef.
type refError struct{ msg string }

func (e *refError) Error() string        { return e.msg }
func (e *refError) Is(target error) bool { return target == ErrUnknownRef }

func unknownRef(format string, args ...any) error {
	return &refError{fmt.Sprintf(format, args...)}
}

// Manifest is an archive's manifest.json.
type Manifest struct {
	Version     string   `json:"version"`
	Created     string   `json:"created"`
	GeneratedBy string   `json:"generated_by"`
	Language    string   `json:"language"` // the default language of labels, such as "en-US"
	Extensions  []string `json:"extensions"`
}

// The feature types the reader turns into features, in the order it
// emits them. Footprints are read for the geometry of buildings.
var (
	openTypes     = []string{"venue", "building", "footprint", "level"}
	streamedTypes = []string{"unit", "opening", "amenity"}
	requiredTypes = []string{"venue", "level", "unit"}
)

// Reader reads the features of an IMDF archive.
type Reader struct {
	opts     Options
	fsys     fs.FS
	closer   io.Closer
	manifest Manifest

	venue        string               // the first venue's IMDF id
	buildings    map[string]*building // by IMDF id
	buildingList []*building          // in file order
	levels       map[string]*level    // by IMDF id
	units        map[string]cim.LevelRange
	ids          map[string]string // every IMDF id read → its feature type
	skippedID    map[string]bool   // ids of skipped features
	queue        []*cim.Feature    // venues, buildings and levels, read by Open
	next         int               // index in streamedTypes of the next file
	cur          *collection       // the file being streamed
	curType      string

	warnings map[string]int
	skipped  []*Error
	err      error // sticky: io.EOF or the error that ended reading
}

// Open opens an IMDF archive: a folder holding manifest.json and the
// feature files, or a zip file of them, with the files at its root or in
// one folder. It reads the manifest, venues, buildings, footprints and
// levels; Next streams the units, openings and amenities.
func Open(p string, opts Options) (*Reader, error) {
	if opts.Name == "" {
		opts.Name = p
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return OpenFS(os.DirFS(p), opts)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		defer f.Close()
		if !startsAsZip(f) {
			return nil, fmt.Errorf("%s: %w", p, ErrNotArchive)
		}
		if errors.Is(err, zip.ErrFormat) {
			err = fmt.Errorf("%w: the end-of-central-directory record, a zip's index at its end, is missing or unreadable (%v)", ErrCorruptZip, err)
		} else {
			err = fmt.Errorf("%w: %v", ErrCorruptZip, err)
		}
		return nil, &Error{Path: opts.Name, Feature: -1, Err: err}
	}
	for _, e := range zr.File {
		if !localName(e.Name) {
			f.Close()
			return nil, &Error{Path: opts.Name, Feature: -1, Err: fmt.Errorf("zip entry %q: %w", e.Name, ErrUnsafeEntry)}
		}
	}
	root, err := zipRoot(zr)
	if err != nil {
		f.Close()
		return nil, &Error{Path: opts.Name + "/manifest.json", Feature: -1, Err: ErrMissingFile}
	}
	r, err := OpenFS(root, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// startsAsZip reports whether f starts with a zip's first local file
// header, or the end record of an empty zip.
func startsAsZip(f io.ReaderAt) bool {
	var sig [4]byte
	if _, err := f.ReadAt(sig[:], 0); err != nil {
		return false
	}
	return string(sig[:]) == "PK\x03\x04" || string(sig[:]) == "PK\x05\x06"
}

// localName reports whether a zip entry's name stays inside the archive
// and means the same on every system: relative, with no ".." element, no
// backslash, no drive letter and no NUL. archive/zip's fs.FS view would
// otherwise read "../../unit.geojson" as "unit.geojson".
func localName(name string) bool {
	if name == "" || strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") ||
		len(name) >= 2 && name[1] == ':' {
		return false
	}
	return !slices.Contains(strings.Split(name, "/"), "..")
}

// zipRoot returns the folder of a zip file that holds manifest.json: the
// root, or the shallowest folder with one (archives made by zipping a
// folder).
func zipRoot(zr *zip.Reader) (fs.FS, error) {
	best := ""
	found := false
	for _, f := range zr.File {
		name := f.Name
		if path.Base(name) != "manifest.json" || strings.HasPrefix(name, "__MACOSX/") || !fs.ValidPath(name) {
			continue
		}
		dir := path.Dir(name)
		if !found || strings.Count(dir, "/") < strings.Count(best, "/") || dir == "." {
			best, found = dir, true
		}
	}
	if !found {
		return nil, fs.ErrNotExist
	}
	if best == "." {
		return zr, nil
	}
	return fs.Sub(zr, best)
}

// OpenFS reads an IMDF archive from the root of fsys, as Open does.
// Options.Name names it in errors.
func OpenFS(fsys fs.FS, opts Options) (*Reader, error) {
	if opts.Dataset == "" {
		return nil, errors.New("imdf: no dataset name")
	}
	if opts.Stage == cim.StageAny {
		opts.Stage = cim.DefaultStage
	}
	if opts.Name == "" {
		opts.Name = "imdf"
	}
	r := &Reader{
		opts: opts, fsys: fsys,
		buildings: map[string]*building{}, levels: map[string]*level{}, units: map[string]cim.LevelRange{},
		ids: map[string]string{}, skippedID: map[string]bool{}, warnings: map[string]int{},
	}
	if err := r.readManifest(); err != nil {
		return nil, err
	}
	for _, t := range requiredTypes {
		if _, err := fs.Stat(fsys, t+".geojson"); err != nil {
			return nil, &Error{Path: r.path(t + ".geojson"), Feature: -1, Err: ErrMissingFile}
		}
	}
	if err := r.countIgnored(); err != nil {
		return nil, err
	}
	for _, t := range openTypes {
		if err := r.readAll(t); err != nil {
			return nil, err
		}
	}
	if err := r.finishBuildings(); err != nil {
		return nil, err
	}
	// Buildings before their levels; venues were queued first.
	levels := r.queue
	r.queue = nil
	for _, f := range levels {
		if f.Class != cim.ClassStorey {
			r.queue = append(r.queue, f)
		}
	}
	for _, b := range r.buildingList {
		if b.f != nil {
			r.queue = append(r.queue, b.f)
		}
	}
	for _, f := range levels {
		if f.Class == cim.ClassStorey {
			r.queue = append(r.queue, f)
		}
	}
	return r, nil
}

// path names a file of the archive in errors.
func (r *Reader) path(file string) string { return r.opts.Name + "/" + file }

func (r *Reader) readManifest() error {
	f, err := r.fsys.Open("manifest.json")
	if errors.Is(err, fs.ErrNotExist) {
		return &Error{Path: r.path("manifest.json"), Feature: -1, Err: ErrMissingFile}
	} else if err != nil {
		return &Error{Path: r.path("manifest.json"), Feature: -1, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err != nil {
		return &Error{Path: r.path("manifest.json"), Feature: -1, Err: err}
	}
	if len(data) > maxManifestBytes {
		return &Error{Path: r.path("manifest.json"), Feature: -1, Err: fmt.Errorf("file larger than %d MiB: %w", maxManifestBytes>>20, ErrTooLarge)}
	}
	if err := json.Unmarshal(data, &r.manifest); err != nil {
		c := &collection{path: r.path("manifest.json"), src: sourceOf(data)}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return c.failAt(max(se.Offset-1, 0), fmt.Errorf("invalid JSON: %w", err))
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return c.failAt(te.Offset, fmt.Errorf("%s: want %s, got JSON %s", te.Field, te.Type, te.Value))
		}
		return c.failAt(0, err)
	}
	if v := r.manifest.Version; v != "1.0.0" {
		r.warnings[fmt.Sprintf("manifest version %q (cim reads 1.0.0)", v)]++
	}
	if r.manifest.Language == "" {
		r.warnings["manifest without a language: names are the first label"]++
	}
	return nil
}

// countIgnored warns of the files the reader does not turn into features:
// address, anchor, detail, fixture, geofence, kiosk, occupant,
// relationship, section and any other .geojson. They are not read (in a
// zip, not inflated), so their features are not counted.
func (r *Reader) countIgnored() error {
	entries, err := fs.ReadDir(r.fsys, ".")
	if err != nil {
		return &Error{Path: r.opts.Name, Feature: -1, Err: err}
	}
	for _, e := range entries {
		t, ok := strings.CutSuffix(e.Name(), ".geojson")
		if !ok || e.IsDir() || slices.Contains(openTypes, t) || slices.Contains(streamedTypes, t) {
			continue
		}
		r.warnings[fmt.Sprintf("ignored %s (not read)", e.Name())]++
	}
	return nil
}

// readAll reads every feature of an optional file read by Open.
func (r *Reader) readAll(typ string) error {
	c, err := r.openFile(typ)
	if err != nil || c == nil {
		return err
	}
	defer c.close()
	for {
		raw, line, err := c.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		f, err := r.convert(typ, c, raw, line)
		if err != nil {
			return err
		}
		if f != nil {
			r.queue = append(r.queue, f)
		}
	}
	if typ == "venue" && r.venue == "" && len(r.skipped) == 0 {
		return &Error{Path: c.path, Feature: -1, Err: errors.New("no venue")}
	}
	return nil
}

// openFile opens the file of a feature type; nil when there is none.
func (r *Reader) openFile(typ string) (*collection, error) {
	name := typ + ".geojson"
	f, err := r.fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Path: r.path(name), Feature: -1, Err: err}
	}
	c, err := newCollection(r.path(name), f)
	if err != nil {
		f.Close()
		return nil, err
	}
	c.file = f
	return c, nil
}

// Next returns the next feature, or io.EOF after the last. Venues come
// first, then buildings, levels, units, openings and amenities. Errors
// are *Error. With SkipInvalid, features that fail are skipped and listed
// by Skipped.
func (r *Reader) Next() (*cim.Feature, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		if len(r.queue) > 0 {
			f := r.queue[0]
			r.queue = r.queue[1:]
			return f, nil
		}
		if r.cur == nil {
			if r.next == len(streamedTypes) {
				r.err = io.EOF
				return nil, io.EOF
			}
			r.curType = streamedTypes[r.next]
			r.next++
			c, err := r.openFile(r.curType)
			if err != nil {
				r.err = err
				return nil, err
			}
			r.cur = c
			continue
		}
		raw, line, err := r.cur.next()
		if err == io.EOF {
			r.cur.close()
			r.cur = nil
			continue
		}
		if err == nil {
			var f *cim.Feature
			if f, err = r.convert(r.curType, r.cur, raw, line); err == nil && f != nil {
				return f, nil
			}
		}
		if err != nil {
			r.cur.close()
			r.cur = nil
			r.err = err
			return nil, err
		}
	}
}

// Close closes the file being read and the zip file, if the archive is
// one.
func (r *Reader) Close() error {
	if r.cur != nil {
		r.cur.close()
		r.cur = nil
	}
	if r.closer == nil {
		return nil
	}
	err := r.closer.Close()
	r.closer = nil
	return err
}

// Manifest returns the archive's manifest.
func (r *Reader) Manifest() Manifest { return r.manifest }

// Warnings returns what the reader left out or guessed, with how often,
// such as "ignored fixture features": 12 or "building outline taken from
// its levels (no ground footprint)": 1.
func (r *Reader) Warnings() map[string]int { return r.warnings }

// Skipped returns the features skipped so far under SkipInvalid.
func (r *Reader) Skipped() []*Error { return r.skipped }
