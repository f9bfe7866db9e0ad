package ifc

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/ifc/step"
)

// Options configures a Reader.
type Options struct {
	// Dataset is the dataset the features belong to. Required.
	Dataset string
	// Stage is given to every feature; cim.StageAny means
	// cim.DefaultStage.
	Stage cim.Stage
	// Name names the input in errors, usually its file name.
	Name string
	// SkipInvalid skips features that fail cim.Feature.Validate instead
	// of failing; Skipped lists them. A broken file is always an error.
	SkipInvalid bool
	// Anchor places the model: the origin of its project coordinate
	// system at the anchor's longitude and latitude, its +y axis turned
	// from north by the anchor's rotation. It overrides the file's own
	// georeferencing (IfcMapConversion, IfcSite RefLatitude/RefLongitude),
	// which Warnings then names; nil reads the file's own.
	Anchor *cim.Anchor
}

// The errors a Reader's errors wrap besides the step package's
// (step.ErrTruncated, step.ErrSyntax …), for errors.Is.
var (
	// ErrSchema: FILE_SCHEMA names no IFC schema cim reads (IFC2X3,
	// IFC4, IFC4X1, IFC4X2, IFC4X3 and its addenda).
	ErrSchema = errors.New("unsupported schema")
	// ErrDangling: an instance refers to an id the file does not define.
	ErrDangling = errors.New("dangling reference")
	// ErrModel: the spatial structure or a placement is unusable: no
	// IfcProject, a placement cycle, an attribute of the wrong kind.
	ErrModel = errors.New("bad model")
	// ErrNoGeoref: the file has no georeferencing and Options.Anchor
	// gives none.
	ErrNoGeoref = errors.New("no georeferencing")
)

// Error is a problem with the input, located like the step package's
// errors: by line, column (0 when not known), byte offset and instance
// id. It is written as cim.Pos writes positions:
//
//	name:line[:col]: #id (byte offset): message
//
// Err wraps one of this package's sentinels or the step package's.
type Error struct {
	Name   string
	Line   int // from 1; 0 when the error is about the whole file
	Col    int
	Offset int64 // −1 when not known
	ID     uint64
	Err    error
}

func (e *Error) Error() string {
	p := cim.Pos{Name: e.Name, Line: e.Line, Col: e.Col, Offset: e.Offset, Feature: -1}
	if e.ID != 0 {
		p.ID = "#" + strconv.FormatUint(e.ID, 10)
	}
	return p.Message(e.Err.Error())
}

func (e *Error) Unwrap() error { return e.Err }

// Reader reads the spatial structure of an IFC file as features.
type Reader struct {
	opts     Options
	schema   string
	queue    []*cim.Feature
	next     int
	skipped  []*Error
	warnings map[string]int
}

// NewReader reads an IFC file (STEP clear text) from r whole and turns
// its spatial structure into features, which Next then returns: the
// site, buildings, storeys and spaces, parents before children.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if opts.Dataset == "" {
		return nil, errors.New("ifc: no dataset name")
	}
	if opts.Stage == cim.StageAny {
		opts.Stage = cim.DefaultStage
	}
	if opts.Anchor != nil {
		if err := opts.Anchor.Validate(); err != nil {
			return nil, fmt.Errorf("ifc: %w", err)
		}
	}
	sr, err := step.NewReader(r, opts.Name)
	if err != nil {
		return nil, fromStep(err)
	}
	rd := &Reader{opts: opts, warnings: map[string]int{}}
	if rd.schema, err = checkSchema(sr.Header().Schemas); err != nil {
		return nil, &Error{Name: opts.Name, Offset: -1, Err: err}
	}
	m, err := load(sr, opts.Name)
	if err != nil {
		return nil, err
	}
	m.schema = rd.schema
	m.warn = func(s string) { rd.warnings[s]++ }
	fs, err := m.convert(opts)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if err := f.f.Validate(); err != nil {
			e := m.errAt(f.inst, err)
			if !opts.SkipInvalid {
				return nil, e
			}
			rd.skipped = append(rd.skipped, e)
			continue
		}
		rd.queue = append(rd.queue, f.f)
	}
	return rd, nil
}

// Schema returns the file's schema as FILE_SCHEMA names it, such as
// "IFC2X3" or "IFC4X3_ADD2".
func (r *Reader) Schema() string { return r.schema }

// Next returns the next feature, or io.EOF after the last.
func (r *Reader) Next() (*cim.Feature, error) {
	if r.next >= len(r.queue) {
		return nil, io.EOF
	}
	f := r.queue[r.next]
	r.queue[r.next] = nil
	r.next++
	return f, nil
}

// Skipped returns the features skipped under Options.SkipInvalid.
func (r *Reader) Skipped() []*Error { return r.skipped }

// Warnings returns what was read but could not be used, or disagrees
// with itself, with counts: spaces without a footprint, floor areas
// from geometry that differ from the quantity sets by more than 2 %.
func (r *Reader) Warnings() map[string]int { return r.warnings }

// checkSchema returns the first IFC schema cim reads.
func checkSchema(schemas []string) (string, error) {
	for _, s := range schemas {
		u := strings.ToUpper(strings.TrimSpace(s))
		switch {
		case u == "IFC2X3", u == "IFC4", u == "IFC4X1", u == "IFC4X2", strings.HasPrefix(u, "IFC4X3"):
			return u, nil
		}
	}
	return "", fmt.Errorf("%w %q: cim reads IFC2X3, IFC4, IFC4X1, IFC4X2 and IFC4X3", ErrSchema, strings.Join(schemas, ", "))
}

// fromStep turns a step error into an Error with the same position.
func fromStep(err error) error {
	var se *step.Error
	if errors.As(err, &se) {
		return &Error{Name: se.Name, Line: se.Line, Col: se.Col, Offset: se.Offset, ID: se.ID, Err: se.Err}
	}
	return err
}
