package geojson

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// scanner frames JSON values in a byte stream without decoding them, and
// knows the exact offset of each. The reader uses it to cut a
// FeatureCollection's features array, or a GeoJSONSeq stream, into one
// feature's bytes at a time, which encoding/json then decodes: errors can
// name the feature's true position (json.Decoder's own offsets drift in
// long streams), and nothing larger than one feature is ever held.
type scanner struct {
	r   *bufio.Reader
	off int64  // offset of the next byte
	buf []byte // the value being framed
}

var errTruncated = errors.New("unexpected end of input (truncated file?)")

// posError is a framing error at an offset.
type posError struct {
	off int64
	err error
}

func (e *posError) Error() string { return e.err.Error() }
func (e *posError) Unwrap() error { return e.err }

func (s *scanner) fail(format string, args ...any) error {
	return &posError{s.off, fmt.Errorf(format, args...)}
}

func (s *scanner) readByte() (byte, error) {
	c, err := s.r.ReadByte()
	if err == nil {
		s.off++
	}
	return c, err
}

// skipSpace skips JSON whitespace, the RFC 8142 record separator and a
// UTF-8 byte order mark, and returns the next byte without consuming it,
// or io.EOF.
func (s *scanner) peek() (byte, error) {
	for {
		b, err := s.r.Peek(1)
		if err != nil {
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n', 0x1e:
			s.r.ReadByte()
			s.off++
			continue
		case 0xef: // a byte order mark, EF BB BF
			if bom, _ := s.r.Peek(3); len(bom) == 3 && bom[1] == 0xbb && bom[2] == 0xbf {
				s.r.Discard(3)
				s.off += 3
				continue
			}
		}
		return b[0], nil
	}
}

// expect consumes the next non-space byte, which must be c.
func (s *scanner) expect(c byte, what string) error {
	got, err := s.peek()
	if err == io.EOF {
		return &posError{s.off, errTruncated}
	}
	if err != nil {
		return err
	}
	if got != c {
		return s.fail("invalid JSON: want %s, found %q", what, got)
	}
	s.readByte()
	return nil
}

// value frames the next JSON value and returns its bytes (valid until the
// next call) and its offset. Objects, arrays and strings are framed exactly;
// numbers and literals up to the next delimiter, and encoding/json checks
// them.
func (s *scanner) value() ([]byte, int64, error) {
	c, err := s.peek()
	if err == io.EOF {
		return nil, s.off, &posError{s.off, errTruncated}
	}
	if err != nil {
		return nil, s.off, err
	}
	start := s.off
	s.buf = s.buf[:0]
	switch c {
	case '{', '[':
		err = s.nested()
	case '"':
		s.readByte()
		s.buf = append(s.buf, '"')
		err = s.str()
	case ',', ':', '}', ']':
		return nil, start, s.fail("invalid JSON: unexpected %q", c)
	default:
		err = s.literal()
	}
	return s.buf, start, err
}

// nested frames an object or array, counting brackets outside strings. It
// works on bufio's buffer a slice at a time: this is the hot loop of
// reading a large file.
func (s *scanner) nested() error {
	depth, inStr, esc := 0, false, false
	for {
		chunk, err := s.r.Peek(max(1, s.r.Buffered()))
		if len(chunk) == 0 {
			if err == io.EOF {
				return &posError{s.off, errTruncated}
			}
			return err
		}
		for i, c := range chunk {
			if inStr {
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr = false
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					s.buf = append(s.buf, chunk[:i+1]...)
					s.r.Discard(i + 1)
					s.off += int64(i + 1)
					return nil
				}
			}
		}
		s.buf = append(s.buf, chunk...)
		s.r.Discard(len(chunk))
		s.off += int64(len(chunk))
	}
}

// str frames the rest of a string after its opening quote.
func (s *scanner) str() error {
	for {
		c, err := s.readByte()
		if err != nil {
			if err == io.EOF {
				return &posError{s.off, errTruncated}
			}
			return err
		}
		s.buf = append(s.buf, c)
		switch c {
		case '\\':
			c, err := s.readByte()
			if err != nil {
				return &posError{s.off, errTruncated}
			}
			s.buf = append(s.buf, c)
		case '"':
			return nil
		}
	}
}

// literal frames a number, true, false or null.
func (s *scanner) literal() error {
	for {
		b, err := s.r.Peek(1)
		if err != nil || isDelim(b[0]) {
			if len(s.buf) == 0 {
				return &posError{s.off, errTruncated}
			}
			return nil
		}
		s.buf = append(s.buf, b[0])
		s.r.ReadByte()
		s.off++
	}
}

func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ',', ':', '{', '}', '[', ']', '"', 0x1e:
		return true
	}
	return false
}
