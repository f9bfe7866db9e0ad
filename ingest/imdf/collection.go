package imdf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// collection frames the features of one FeatureCollection file, one at a
// time, from the file's bytes. It knows where each feature starts, so
// errors can name its line.
type collection struct {
	path string // the archive and file, for errors
	data []byte
	dec  *json.Decoder
	n    int // features framed so far
	done bool
}

// newCollection reads the top-level object up to its features array.
func newCollection(path string, data []byte) (*collection, error) {
	c := &collection{path: path, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
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
	return nil, c.failAt(c.dec.InputOffset(), errors.New("not a GeoJSON FeatureCollection: no features array"))
}

// next returns the next feature's JSON text and the line it starts on,
// or io.EOF after the last, once the rest of the file has been checked.
func (c *collection) next() (json.RawMessage, int, error) {
	if c.done {
		return nil, 0, io.EOF
	}
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
	line, _ := position(c.data, start)
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
	if _, err := c.dec.Token(); err != io.EOF {
		return c.failAt(c.valueStart(c.dec.InputOffset()), errors.New("unexpected text after the FeatureCollection"))
	}
	return nil
}

// count frames the remaining features and returns how many there were.
func (c *collection) count() (int, error) {
	for {
		if _, _, err := c.next(); err == io.EOF {
			return c.n, nil
		} else if err != nil {
			return c.n, err
		}
	}
}

func (c *collection) delim(d json.Delim, want string) error {
	off := c.valueStart(c.dec.InputOffset())
	tok, err := c.dec.Token()
	if err != nil {
		return c.jsonErr(err)
	}
	if tok != d {
		return c.failAt(off, fmt.Errorf("want %s", want))
	}
	return nil
}

func (c *collection) key() (string, error) {
	tok, err := c.dec.Token()
	if err != nil {
		return "", c.jsonErr(err)
	}
	k, _ := tok.(string) // inside an object the decoder only yields string keys
	return k, nil
}

// member reads the value of a top-level member other than features.
func (c *collection) member(key string) error {
	off := c.valueStart(c.dec.InputOffset())
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
// the next value starts.
func (c *collection) valueStart(off int64) int64 {
	for off < int64(len(c.data)) {
		switch c.data[off] {
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
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// The decoder's offsets count from the value it was reading; a
		// scan of the whole text gives the offset in the file.
		off := se.Offset
		var whole *json.SyntaxError
		if errors.As(json.Unmarshal(c.data, new(json.RawMessage)), &whole) {
			off, err = whole.Offset, whole
		}
		return c.failAt(max(off-1, 0), fmt.Errorf("invalid JSON: %w", err))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return c.failAt(int64(len(c.data)), errors.New("invalid JSON: unexpected end of file (truncated?)"))
	}
	return c.failAt(c.dec.InputOffset(), err)
}

// failAt returns an error at byte offset off of the file.
func (c *collection) failAt(off int64, err error) *Error {
	line, col := position(c.data, off)
	return &Error{Path: c.path, Line: line, Column: col, Feature: -1, Err: err}
}

// position returns the line and column (in characters), both from 1, of
// byte offset off in data.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(before[start:]) + 1
}
