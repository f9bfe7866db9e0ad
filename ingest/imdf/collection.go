package imdf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// MaxValueBytes is the largest JSON value, with the spaces before it, that
// the reader decodes: a feature, or another member of a FeatureCollection.
// The JSON decoder holds a value whole, so this bounds the memory a file
// can take, whatever its size; a run of spaces longer than this (the stuff
// of zip bombs) is refused as soon as it is read.
const MaxValueBytes = 16 << 20

// ErrTooLarge is wrapped by the *Error for a file larger than
// MaxFileBytes or a JSON value larger than MaxValueBytes.
var ErrTooLarge = errors.New("too large")

// source feeds a file to the JSON decoder. It keeps the bytes from the
// start of the value being decoded on, and the line and column there, so
// that errors can name their position without the whole file in memory,
// and it refuses to read past MaxFileBytes of the file or MaxValueBytes of
// one value.
type source struct {
	r    io.Reader
	buf  []byte // the file from offset base to offset read
	base int64  // the offset of buf[0]: where the current value starts, or before
	line int    // the line of base, from 1
	col  int    // the column of base, from 1, in characters
	read int64  // bytes read from r
}

func newSource(r io.Reader) *source {
	return &source{r: io.LimitReader(r, MaxFileBytes+1), line: 1, col: 1}
}

// sourceOf returns a source that has read all of data.
func sourceOf(data []byte) *source {
	return &source{r: bytes.NewReader(nil), buf: data, read: int64(len(data)), line: 1, col: 1}
}

func (s *source) Read(p []byte) (int, error) {
	if s.read > MaxFileBytes {
		return 0, fmt.Errorf("file larger than %d MiB: %w", MaxFileBytes>>20, ErrTooLarge)
	}
	if s.read-s.base > MaxValueBytes {
		return 0, fmt.Errorf("a JSON value (with the spaces before it) larger than %d MiB: %w", MaxValueBytes>>20, ErrTooLarge)
	}
	n, err := s.r.Read(p)
	s.buf = append(s.buf, p[:n]...)
	s.read += int64(n)
	return n, err
}

// mark says that nothing before offset off will be asked about again: the
// bytes before it are dropped, and a value starting there may be up to
// MaxValueBytes long.
func (s *source) mark(off int64) {
	if off <= s.base {
		return
	}
	off = min(off, s.read)
	s.line, s.col = s.advance(off)
	s.buf = s.buf[off-s.base:]
	s.base = off
}

// advance returns the line and column of offset off ≥ base.
func (s *source) advance(off int64) (line, col int) {
	seg := s.buf[:off-s.base]
	if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
		return s.line + bytes.Count(seg, []byte{'\n'}), utf8.RuneCount(seg[nl+1:]) + 1
	}
	return s.line, s.col + utf8.RuneCount(seg)
}

// position returns the line and column (in characters), both from 1, of
// offset off, which is clamped to the bytes kept.
func (s *source) position(off int64) (line, col int) {
	return s.advance(min(max(off, s.base), s.read))
}

// collection frames the features of one FeatureCollection file, one at a
// time, as they are read. It knows where each feature starts, so errors
// can name its line.
type collection struct {
	path string // the archive and file, for errors
	src  *source
	dec  *json.Decoder
	file io.Closer // the file read, closed by close; nil for none
	n    int       // features framed so far
	done bool
}

// newCollection reads the top-level object up to its features array.
func newCollection(path string, r io.Reader) (*collection, error) {
	src := newSource(r)
	c := &collection{path: path, src: src, dec: json.NewDecoder(src)}
	if err := c.delim('{', "a FeatureCollection object"); err != nil {
		return nil, err
	}
	for c.dec.More() {
		key, err := c.key()
		if err != nil {
			return nil, err
		}
		if key == "features" {
			if err := c.delim('[', `"features" to be an array`); err != nil {
				return nil, err
			}
			return c, nil
		}
		if err := c.member(key); err != nil {
			return nil, err
		}
	}
	if _, err := c.dec.Token(); err != nil {
		return nil, c.jsonErr(err)
	}
	return nil, c.failAt(c.dec.InputOffset(), errors.New("not a GeoJSON FeatureCollection: no features array"))
}

// close closes the file read.
func (c *collection) close() {
	if c.file != nil {
		c.file.Close()
		c.file = nil
	}
}

// next returns the next feature's JSON text and the line it starts on,
// or io.EOF after the last, once the rest of the file has been checked.
func (c *collection) next() (json.RawMessage, int, error) {
	if c.done {
		return nil, 0, io.EOF
	}
	c.src.mark(c.dec.InputOffset())
	if !c.dec.More() {
		c.done = true
		if err := c.finish(); err != nil {
			return nil, 0, err
		}
		return nil, 0, io.EOF
	}
	start := c.valueStart(c.dec.InputOffset())
	var raw json.RawMessage
	if err := c.dec.Decode(&raw); err != nil {
		c.done = true
		return nil, 0, c.jsonErr(err)
	}
	c.n++
	line, _ := c.src.position(start)
	return raw, line, nil
}

// finish reads what follows the features array: more members of the
// FeatureCollection, its closing brace, and nothing else.
func (c *collection) finish() error {
	if err := c.delim(']', "the end of the features array"); err != nil {
		return err
	}
	for c.dec.More() {
		key, err := c.key()
		if err != nil {
			return err
		}
		if err := c.member(key); err != nil {
			return err
		}
	}
	if err := c.delim('}', "the end of the FeatureCollection"); err != nil {
		return err
	}
	c.src.mark(c.dec.InputOffset())
	if _, err := c.dec.Token(); err != io.EOF {
		if err != nil {
			return c.jsonErr(err)
		}
		return c.failAt(c.valueStart(c.src.base), errors.New("unexpected text after the FeatureCollection"))
	}
	return nil
}

func (c *collection) delim(d json.Delim, want string) error {
	c.src.mark(c.dec.InputOffset())
	tok, err := c.dec.Token()
	if err != nil {
		return c.jsonErr(err)
	}
	if tok != d {
		return c.failAt(c.valueStart(c.src.base), fmt.Errorf("want %s", want))
	}
	return nil
}

func (c *collection) key() (string, error) {
	c.src.mark(c.dec.InputOffset())
	tok, err := c.dec.Token()
	if err != nil {
		return "", c.jsonErr(err)
	}
	k, _ := tok.(string) // inside an object the decoder only yields string keys
	return k, nil
}

// member reads the value of a top-level member other than features.
func (c *collection) member(key string) error {
	c.src.mark(c.dec.InputOffset())
	off := c.valueStart(c.src.base)
	var raw json.RawMessage
	if err := c.dec.Decode(&raw); err != nil {
		return c.jsonErr(err)
	}
	if key == "type" {
		var t string
		if json.Unmarshal(raw, &t) != nil || t != "FeatureCollection" {
			return c.failAt(off, fmt.Errorf("not a GeoJSON FeatureCollection: type %s", raw))
		}
	}
	return nil
}

// valueStart skips the spaces and the separator after offset off, to where
// the next value starts, as far as the file has been read.
func (c *collection) valueStart(off int64) int64 {
	s := c.src
	for off >= s.base && off < s.read {
		switch s.buf[off-s.base] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// jsonErr locates an error of the JSON decoder.
func (c *collection) jsonErr(err error) error {
	if errors.Is(err, ErrTooLarge) {
		return c.failAt(c.src.read, err)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// The decoder's offsets for errors inside a value count from
		// somewhere else; a fresh scan of the value gives the offset in
		// the file. If the value scans clean, the error is the
		// decoder's, in the structure around values, and its offset is
		// that of the bad character.
		off := se.Offset
		start := c.valueStart(c.src.base)
		var inValue *json.SyntaxError
		if start >= c.src.base && errors.As(json.NewDecoder(bytes.NewReader(c.src.buf[start-c.src.base:])).Decode(new(json.RawMessage)), &inValue) {
			off, err = start+inValue.Offset-1, inValue
		}
		return c.failAt(max(off, 0), fmt.Errorf("invalid JSON: %w", err))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return c.failAt(c.src.read, errors.New("invalid JSON: unexpected end of file (truncated?)"))
	}
	return c.failAt(c.dec.InputOffset(), err)
}

// failAt returns an error at byte offset off of the file.
func (c *collection) failAt(off int64, err error) *Error {
	line, col := c.src.position(off)
	return &Error{Path: c.path, Line: line, Column: col, Feature: -1, Err: err}
}
