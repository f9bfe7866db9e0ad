package cityjson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/crs"
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
	// SkipInvalid skips CityObjects that cannot be converted (a bad
	// vertex index, a footprint that is not a valid polygon) instead of
	// failing; Skipped lists them. Broken JSON is always an error.
	SkipInvalid bool
	// CRS is the coordinate reference system of a file whose metadata
	// names none, in any form crs.Parse reads ("EPSG:7415"). A file's
	// own metadata.referenceSystem takes precedence.
	CRS string
}

// Error is a problem with the input, located by CityObject and byte
// offset, and written as cim.Pos writes positions:
//
//	name: object "b1" (byte 492): message
type Error struct {
	Name   string
	Object string // the CityObject's id; "" when the error is not in one
	Offset int64  // byte offset in the input, −1 if unknown
	Err    error
}

func (e *Error) Error() string {
	p := cim.Pos{Name: e.Name, Offset: e.Offset, Feature: -1}
	if e.Object != "" {
		p.ID = "object " + strconv.Quote(e.Object)
	}
	return p.Message(e.Err.Error())
}

func (e *Error) Unwrap() error { return e.Err }

var (
	// ErrNotCityJSON is wrapped when the input is not a CityJSON object
	// or a CityJSONSeq stream.
	ErrNotCityJSON = errors.New("not CityJSON")
	// ErrNoCRS is wrapped when the file names no coordinate reference
	// system and Options.CRS gives none.
	ErrNoCRS = errors.New("no coordinate reference system")
	// ErrVersion is wrapped for a CityJSON version other than 1.0, 1.1
	// and 2.0.
	ErrVersion = errors.New("unsupported CityJSON version")
)

// Reader reads features from a CityJSON file or a CityJSONSeq stream.
type Reader struct {
	opts      Options
	in        *countingReader
	dec       *json.Decoder
	version   string
	crs       *crs.CRS
	grid      grid
	transform *transform
	templates *rawTemplates
	seq       bool
	batch     *batch
	queue     []item
	n         int
	skipped   []*Error
	warnings  map[string]int
	err       error // sticky: the stream cannot go on
}

// item is what Next returns next: a feature or an error.
type item struct {
	f   *cim.Feature
	err *Error
}

type transform struct {
	Scale     []float64 `json:"scale"`
	Translate []float64 `json:"translate"`
}

// grid is the integer grid footprints are computed on: x = gx·sx + tx.
type grid struct{ sx, sy, tx, ty float64 }

// NewReader returns a reader of CityJSON from r: one CityJSON object
// (versions 1.0, 1.1 and 2.0), or a CityJSONSeq stream, a CityJSON header
// followed by CityJSONFeature objects (one per line, or pretty-printed,
// separated by whitespace). It reads the CityJSON object, or the header,
// before it returns.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if opts.Dataset == "" {
		return nil, errors.New("cityjson: no dataset name")
	}
	if opts.Stage == cim.StageAny {
		opts.Stage = cim.DefaultStage
	}
	rd := &Reader{opts: opts, warnings: map[string]int{}}
	rd.in = &countingReader{r: bufio.NewReaderSize(r, readSize)}
	rd.dec = json.NewDecoder(rd.in)
	if err := rd.readHeader(); err != nil {
		return nil, err
	}
	return rd, nil
}

// Version returns the file's CityJSON version, such as "2.0".
func (r *Reader) Version() string { return r.version }

// Seq reports whether the input is a CityJSONSeq stream.
func (r *Reader) Seq() bool { return r.seq }

// CRS returns the coordinate reference system of the input.
func (r *Reader) CRS() *crs.CRS { return r.crs }

// Skipped returns the CityObjects skipped so far under SkipInvalid.
func (r *Reader) Skipped() []*Error { return r.skipped }

// Warnings returns what was ignored, with how often: attribute values
// that could not be read ("unreadable storeysAboveGround=abc") and
// CityObjects without any geometry ("CityObjectGroup without geometry").
func (r *Reader) Warnings() map[string]int { return r.warnings }

// Count returns how many CityObjects have been read, skipped ones and
// ones without geometry included.
func (r *Reader) Count() int { return r.n }

func (r *Reader) fail(object string, off int64, err error) *Error {
	return &Error{Name: r.opts.Name, Object: object, Offset: off, Err: err}
}

// located turns a decoding error into an Error; start is the offset of
// the value that was being decoded, for errors that count from it.
func (r *Reader) located(object string, start int64, err error) *Error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var tk *tokenError
	switch {
	case errors.As(err, &tk):
		return r.fail(object, tk.off, tk.err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return r.fail(object, r.in.n, errors.New("unexpected end of input: the file is truncated"))
	case errors.As(err, &se):
		return r.fail(object, se.Offset, fmt.Errorf("invalid JSON: %v", se))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "value"
		}
		return r.fail(object, start+te.Offset, fmt.Errorf("%s: want %s, got JSON %s", field, te.Type, te.Value))
	}
	return r.fail(object, start, err)
}

// rawValue decodes the next value and returns it with its offset.
func (r *Reader) rawValue() (json.RawMessage, int64, error) {
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		return nil, r.dec.InputOffset(), err
	}
	return raw, r.dec.InputOffset() - int64(len(raw)), nil
}

// document holds the members of a CityJSON object or a CityJSONFeature.
type document struct {
	at           int64 // offset of the opening brace
	typ, version string
	transform    *transform
	refSystem    string
	objects      json.RawMessage
	objectsAt    int64
	vertices     [][]float64
	verticesAt   int64
	templates    *rawTemplates
	templatesAt  int64
}

// readObject reads one top-level object member by member, keeping the
// CityObjects as raw JSON to read in file order later.
func (r *Reader) readObject() (*document, error) {
	start := r.dec.InputOffset()
	t, err := r.dec.Token()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, r.located("", start, err)
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, r.fail("", start, fmt.Errorf("%w: the input does not start with an object", ErrNotCityJSON))
	}
	doc := &document{at: r.dec.InputOffset() - 1}
	for r.dec.More() {
		t, err := r.dec.Token()
		if err != nil {
			return nil, r.located("", r.dec.InputOffset(), err)
		}
		key, _ := t.(string)
		raw, off, err := r.rawValue()
		if err != nil {
			return nil, r.located("", off, err)
		}
		var derr error
		switch key {
		case "type":
			derr = json.Unmarshal(raw, &doc.typ)
		case "version":
			derr = json.Unmarshal(raw, &doc.version)
		case "transform":
			derr = json.Unmarshal(raw, &doc.transform)
		case "metadata":
			var m struct {
				ReferenceSystem any `json:"referenceSystem"`
				CRS             *struct {
					EPSG int `json:"epsg"`
				} `json:"crs"` // CityJSON 0.x
			}
			if derr = json.Unmarshal(raw, &m); derr == nil {
				switch rs := m.ReferenceSystem.(type) {
				case string:
					doc.refSystem = rs
				case nil:
					if m.CRS != nil && m.CRS.EPSG > 0 {
						doc.refSystem = fmt.Sprintf("EPSG:%d", m.CRS.EPSG)
					}
				default:
					derr = fmt.Errorf("referenceSystem is not a string")
				}
			}
		case "CityObjects":
			doc.objects, doc.objectsAt = raw, off
		case "vertices":
			doc.verticesAt = off
			derr = json.Unmarshal(raw, &doc.vertices)
			if derr == nil {
				derr = checkVertices(doc.vertices, "vertex")
			}
		case "geometry-templates":
			doc.templatesAt = off
			derr = json.Unmarshal(raw, &doc.templates)
			if derr == nil && doc.templates != nil {
				derr = checkVertices(doc.templates.Vertices, "template vertex")
			}
		}
		if derr != nil {
			return nil, r.located("", off, fmt.Errorf("%s: %w", key, derr))
		}
	}
	if _, err := r.dec.Token(); err != nil {
		return nil, r.located("", r.dec.InputOffset(), err)
	}
	return doc, nil
}

// maxCoord bounds the coordinates a transform may give, in the units of
// the CRS: a projected coordinate in metres or feet is under 1e8 on the
// earth (zone-prefixed Gauss–Krüger eastings reach 4e7), degrees under
// 360. A transform that puts a vertex beyond it, such as a scale of
// 1e300, is a broken file, not a place.
const maxCoord = 1e9

// checkTransformed refuses a transform that puts a vertex at a
// coordinate that is not finite or beyond maxCoord.
func (r *Reader) checkTransformed(vs [][]float64) error {
	t := r.transform
	if t == nil {
		return nil
	}
	for i, v := range vs {
		for k := range 3 {
			if c := v[k]*t.Scale[k] + t.Translate[k]; !(math.Abs(c) <= maxCoord) {
				return r.fail("", -1, fmt.Errorf("transform is unusable: scale %v and translate %v put vertex %d %v at %g, beyond ±%g",
					t.Scale, t.Translate, i, v, c, float64(maxCoord)))
			}
		}
	}
	return nil
}

func checkVertices(vs [][]float64, what string) error {
	for i, v := range vs {
		if len(v) != 3 {
			return fmt.Errorf("%s %d has %d coordinates, want 3", what, i, len(v))
		}
	}
	return nil
}

// readHeader reads the CityJSON object: the whole file, or the header of
// a CityJSONSeq stream.
func (r *Reader) readHeader() error {
	doc, err := r.readObject()
	if err == io.EOF {
		return r.fail("", 0, fmt.Errorf("%w: the input is empty", ErrNotCityJSON))
	}
	if err != nil {
		return err
	}
	switch doc.typ {
	case "CityJSON":
	case "CityJSONFeature":
		return r.fail("", 0, fmt.Errorf("%w: a CityJSONFeature without the CityJSON header before it (CityJSONSeq starts with a CityJSON object holding the transform and metadata)", ErrNotCityJSON))
	case "":
		return r.fail("", 0, fmt.Errorf(`%w: no "type": "CityJSON" member`, ErrNotCityJSON))
	default:
		return r.fail("", 0, fmt.Errorf("%w: type %q", ErrNotCityJSON, doc.typ))
	}
	r.version = doc.version
	switch v := doc.version; {
	case v == "1.0", v == "1.1", v == "2.0",
		strings.HasPrefix(v, "1.0."), strings.HasPrefix(v, "1.1."), strings.HasPrefix(v, "2.0."):
	case v == "":
		return r.fail("", 0, fmt.Errorf(`%w: no "version" member`, ErrVersion))
	default:
		return r.fail("", 0, fmt.Errorf("%w %q: cim reads 1.0, 1.1 and 2.0 (cjio can upgrade older files: cjio in.json upgrade save out.json)", ErrVersion, v))
	}
	switch {
	case doc.refSystem != "":
		if r.crs, err = crs.Parse(doc.refSystem); err != nil {
			return r.fail("", 0, fmt.Errorf("metadata.referenceSystem: %w", err))
		}
	case r.opts.CRS != "":
		if r.crs, err = crs.Parse(r.opts.CRS); err != nil {
			return r.fail("", -1, fmt.Errorf("the CRS given for a file without metadata.referenceSystem: %w", err))
		}
	default:
		return r.fail("", -1, fmt.Errorf("%w: the file has no metadata.referenceSystem; give the CRS its coordinates are in (cim ingest --crs, Options.CRS; EPSG:7415 for Dutch RD New + NAP)", ErrNoCRS))
	}
	if t := doc.transform; t != nil {
		if len(t.Scale) != 3 || len(t.Translate) != 3 {
			return r.fail("", -1, errors.New("transform: scale and translate need 3 numbers each"))
		}
		for _, s := range t.Scale {
			if !(s > 0) || math.IsInf(s, 0) {
				return r.fail("", -1, fmt.Errorf("transform is unusable: scale %v is not positive and finite", t.Scale))
			}
		}
		for _, v := range t.Translate {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return r.fail("", -1, fmt.Errorf("transform is unusable: translate %v is not finite", t.Translate))
			}
		}
		r.transform = t
		r.grid = grid{t.Scale[0], t.Scale[1], t.Translate[0], t.Translate[1]}
	} else {
		// Plain coordinates (CityJSON 1.0): a millimetre grid, or about
		// a millimetre in degrees.
		s := 1e-3
		if r.crs.Geographic() {
			s = 1e-8
		}
		r.grid = grid{sx: s, sy: s}
	}
	r.templates = doc.templates
	if err := r.checkTransformed(doc.vertices); err != nil {
		return err
	}
	r.batch, err = r.newBatch(doc)
	if err != nil {
		return err
	}
	if r.seq = r.dec.More(); !r.seq {
		if _, err := r.dec.Token(); err != io.EOF {
			return r.fail("", r.dec.InputOffset(), errors.New("unexpected data after the CityJSON object"))
		}
	}
	return nil
}

// readFeature reads the next CityJSONFeature of a CityJSONSeq stream.
func (r *Reader) readFeature() (*batch, error) {
	doc, err := r.readObject()
	if err != nil {
		return nil, err
	}
	if doc.typ != "CityJSONFeature" {
		return nil, r.fail("", doc.at, fmt.Errorf("%w: type %q in a CityJSONSeq stream, want \"CityJSONFeature\"", ErrNotCityJSON, doc.typ))
	}
	if err := r.checkTransformed(doc.vertices); err != nil {
		return nil, err
	}
	return r.newBatch(doc)
}

// Next returns the next feature, or io.EOF after the last. Errors are
// *Error. With SkipInvalid, CityObjects that cannot be converted are
// skipped and listed by Skipped.
func (r *Reader) Next() (*cim.Feature, error) {
	for {
		if r.err != nil {
			return nil, r.err
		}
		if len(r.queue) > 0 {
			it := r.queue[0]
			r.queue = r.queue[1:]
			if it.err == nil {
				return it.f, nil
			}
			if r.opts.SkipInvalid {
				r.skipped = append(r.skipped, it.err)
				continue
			}
			r.err = it.err
			return nil, it.err
		}
		if r.batch != nil {
			if root := r.batch.nextRoot(); root != nil {
				r.queue = r.convertTree(root)
				continue
			}
			r.batch = nil
		}
		if !r.seq {
			r.err = io.EOF
			continue
		}
		b, err := r.readFeature()
		if err == io.EOF {
			r.err = io.EOF
			continue
		}
		if err != nil {
			r.err = err
			continue
		}
		r.batch = b
	}
}

// countingReader counts the bytes read, for the offset of a truncation,
// and bounds every token on its way to the decoder: a string (a property
// name or value) to maxString bytes, a number or true/false/null to
// maxLiteral. encoding/json's Decoder buffers a whole value before it
// decodes it, and a CityJSON object is one value, so without the bound a
// hostile file's 300 MB attribute string would be read whole; with it,
// the read fails at the token's first byte past the bound, and no more
// than maxString is held. The decoder itself refuses bytes that cannot
// start a token, as soon as it reads them.
type countingReader struct {
	r *bufio.Reader
	n int64
	// The lexer's state between reads.
	inStr, esc bool
	tokLen     int
	err        error // sticky: a token past its bound
}

const (
	// maxLiteral bounds a number or true/false/null: a float64 needs
	// under 30 characters. (As ingest/geojson bounds them.)
	maxLiteral = 1 << 10
	// maxString bounds a string: 64 MiB, far above any real attribute,
	// and within what --memory's default leaves for the copies decoding
	// makes.
	maxString = 64 << 20
	// readSize is the size of the input's buffer, and the most one Read
	// returns.
	readSize = 256 << 10
)

// tokenError is a token past its bound, at the offset of its first byte.
type tokenError struct {
	off int64
	err error
}

func (e *tokenError) Error() string { return e.err.Error() }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	// A read of at most a buffer, so that what is read past a bound
	// stays small: the decoder asks for all the room its buffer has.
	if len(p) > readSize {
		p = p[:readSize]
	}
	n, err := c.r.Read(p)
	if k := c.lex(p[:n]); k < n {
		n, err = k, c.err
	}
	c.n += int64(n)
	return n, err
}

// lex follows the tokens of p, which comes at offset c.n, and returns
// len(p), or the number of bytes before the one that takes a token past
// its bound, setting c.err.
func (c *countingReader) lex(p []byte) int {
	for i := 0; i < len(p); i++ {
		b := p[i]
		if c.inStr {
			if !c.esc {
				// The hot loop of a long string: up to its end or an
				// escape.
				j := i
				for j < len(p) && p[j] != '"' && p[j] != '\\' {
					j++
				}
				if c.tokLen += j - i; c.tokLen > maxString {
					// At the opening quote, tokLen bytes before the end.
					over := c.tokLen - maxString
					c.err = &tokenError{c.n + int64(j-over) - int64(maxString) - 1, fmt.Errorf("invalid JSON: string longer than %d MiB", maxString>>20)}
					return j - over
				}
				if i = j; i == len(p) {
					break
				}
				b = p[i]
			}
			switch {
			case c.esc:
				c.esc = false
			case b == '\\':
				c.esc = true
			case b == '"':
				c.inStr = false
				continue
			}
			if c.tokLen++; c.tokLen > maxString {
				c.err = &tokenError{c.n + int64(i) - int64(maxString) - 1, fmt.Errorf("invalid JSON: string longer than %d MiB", maxString>>20)}
				return i
			}
			continue
		}
		switch b {
		case '"':
			c.inStr, c.esc, c.tokLen = true, false, 0
		case '{', '}', '[', ']', ',', ':', ' ', '\t', '\r', '\n':
			c.tokLen = 0
		default:
			if c.tokLen++; c.tokLen > maxLiteral {
				c.err = &tokenError{c.n + int64(i) - maxLiteral, fmt.Errorf("invalid JSON: number or literal longer than %d bytes", maxLiteral)}
				return i
			}
		}
	}
	return len(p)
}

// objectEntries splits the CityObjects member into its entries in file
// order.
func objectEntries(raw json.RawMessage, base int64) (ids []string, vals []json.RawMessage, offs []int64, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil, nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, nil, errors.New("CityObjects is not an object")
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, nil, nil, err
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, nil, nil, err
		}
		ids = append(ids, t.(string))
		vals = append(vals, v)
		offs = append(offs, base+d.InputOffset()-int64(len(v)))
	}
	return ids, vals, offs, nil
}
