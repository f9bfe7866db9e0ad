package geojson

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
)

// scanner frames JSON values in a byte stream without decoding them, and
// knows the exact offset of each. The reader uses it to cut a
// FeatureCollection's features array, or a GeoJSONSeq stream, into one
// feature's bytes at a time, which encoding/json then decodes: errors can
// name the feature's true position (json.Decoder's own offsets drift in
// long streams), and nothing larger than one feature is ever held.
//
// Hostile input fails fast: a byte that no JSON token may hold (outside a
// string, anything but structure, whitespace and the characters of numbers
// and true/false/null; inside one, a control byte) is an error at its
// offset, and no token grows past a bound (maxLiteral, maxString), so
// garbage after a valid start is refused after a few bytes, not buffered.
type scanner struct {
	r   *bufio.Reader
	off int64  // offset of the next byte
	buf []byte // the value being framed, or its last part (see add)
	// full holds the earlier parts of a value longer than maxBuf, in
	// blocks of maxBuf bytes; framed joins them once, at the end.
	full  [][]byte
	size  int   // bytes in full
	start int64 // offset of the value being framed
}

const (
	// maxLiteral bounds a number or true/false/null: a float64 needs
	// under 30 characters, and encoding/json rounds longer ones anyway.
	maxLiteral = 1 << 10
	// maxString bounds a string, a property name or value: 64 MiB, far
	// above any real property, and within what --memory's default
	// leaves for the copies decoding makes.
	maxString = 64 << 20
	// maxValue bounds a whole value, such as one feature: a string at
	// its bound and some more. Decoding a feature's coordinates and
	// properties takes a few times its size (a position is a slice
	// there), so this is what keeps one feature within --memory's
	// default; a geometry of millions of positions is better split.
	maxValue = maxString + 16<<20
	// maxBuf is the most of buf the scanner keeps between values and
	// grows by appending; a longer value is framed in blocks of it.
	maxBuf = 1 << 20
)

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

// failAt is fail at the byte i bytes past s.off.
func (s *scanner) failAt(i int, format string, args ...any) error {
	return &posError{s.off + int64(i), fmt.Errorf(format, args...)}
}

// describe writes a byte for an error: 'x' when printable ASCII, else
// 0x00.
func describe(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("0x%02x", c)
}

// add appends p to the value being framed. Up to maxBuf bytes, buf grows
// by append and is reused for the next value; past that, full parts move
// to s.full, so that a long value is copied once, by framed, and not at
// every growth of one slice, and buf never keeps more than maxBuf.
func (s *scanner) add(p []byte) {
	for len(p) > 0 {
		if len(s.buf)+len(p) <= maxBuf {
			s.buf = append(s.buf, p...)
			return
		}
		if cap(s.buf) < maxBuf {
			s.buf = slices.Grow(s.buf, maxBuf-len(s.buf))
		}
		n := maxBuf - len(s.buf)
		s.buf = append(s.buf, p[:n]...)
		p = p[n:]
		s.full = append(s.full, s.buf)
		s.size += len(s.buf)
		s.buf = make([]byte, 0, maxBuf)
	}
}

// framed returns the value framed: buf when it is all there, or else the
// parts joined into a slice of its own.
func (s *scanner) framed() []byte {
	if len(s.full) == 0 {
		return s.buf
	}
	v := make([]byte, 0, s.size+len(s.buf))
	for _, b := range s.full {
		v = append(v, b...)
	}
	v = append(v, s.buf...)
	s.buf = s.full[0][:0]
	s.full, s.size = nil, 0
	return v
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
		return s.fail("invalid JSON: want %s, found %s", what, describe(got))
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
	s.start = start
	s.buf, s.full, s.size = s.buf[:0], nil, 0
	switch {
	case c == '{' || c == '[':
		err = s.nested()
	case c == '"':
		err = s.str()
	case c == '-' || c >= '0' && c <= '9' || c == 't' || c == 'f' || c == 'n':
		err = s.literal()
	default:
		return nil, start, s.fail("invalid JSON: unexpected byte %s", describe(c))
	}
	if err != nil {
		s.full, s.size = nil, 0
		return nil, start, err
	}
	return s.framed(), start, nil
}

// lexer is the state of framing a value across the chunks of bufio's
// buffer: the depth of brackets, whether in a string and after a
// backslash there, and the length of the current string or literal.
type lexer struct {
	depth  int
	inStr  bool
	esc    bool
	tokLen int
}

// literalByte reports whether c may be part of a number, true, false or
// null.
func literalByte(c byte) bool {
	switch c {
	case '-', '+', '.', 'e', 'E', 't', 'r', 'u', 'f', 'a', 'l', 's', 'n':
		return true
	}
	return c >= '0' && c <= '9'
}

// nested frames an object or array, counting brackets outside strings.
func (s *scanner) nested() error {
	return s.frame(&lexer{})
}

// str frames a string.
func (s *scanner) str() error {
	s.readByte() // the opening quote
	s.add([]byte{'"'})
	return s.frame(&lexer{inStr: true})
}

// frame frames the rest of a value from the state l. It works on bufio's
// buffer a slice at a time: this is the hot loop of reading a large file.
// A byte that cannot be where it is, or a token past its bound, is an
// error at its offset.
func (s *scanner) frame(l *lexer) error {
	for {
		chunk, err := s.r.Peek(max(1, s.r.Buffered()))
		if len(chunk) == 0 {
			if err == io.EOF {
				return &posError{s.off, errTruncated}
			}
			return err
		}
		for i, c := range chunk {
			if l.inStr {
				switch {
				case l.esc:
					l.esc = false
				case c == '\\':
					l.esc = true
				case c == '"':
					l.inStr = false
					if l.depth == 0 {
						return s.take(chunk, i+1)
					}
					continue
				case c < 0x20:
					return s.failAt(i, "invalid JSON: control byte %s in a string", describe(c))
				}
				if l.tokLen++; l.tokLen > maxString {
					// At the opening quote, tokLen bytes back.
					return s.failAt(i-l.tokLen, "invalid JSON: string longer than %d MiB", maxString>>20)
				}
				continue
			}
			switch c {
			case '"':
				l.inStr, l.tokLen = true, 0
			case '{', '[':
				l.depth++
				l.tokLen = 0
			case '}', ']':
				l.tokLen = 0
				if l.depth--; l.depth == 0 {
					return s.take(chunk, i+1)
				}
			case ' ', '\t', '\r', '\n', ',', ':':
				l.tokLen = 0
			default:
				if !literalByte(c) {
					return s.failAt(i, "invalid JSON: unexpected byte %s", describe(c))
				}
				if l.tokLen++; l.tokLen > maxLiteral {
					return s.failAt(i-l.tokLen+1, "invalid JSON: number or literal longer than %d bytes", maxLiteral)
				}
			}
		}
		if err := s.take(chunk, len(chunk)); err != nil {
			return err
		}
	}
}

// take adds the first n bytes of chunk, the start of bufio's buffer, to
// the value and consumes them.
func (s *scanner) take(chunk []byte, n int) error {
	s.add(chunk[:n])
	s.r.Discard(n)
	s.off += int64(n)
	if s.size+len(s.buf) > maxValue {
		return &posError{s.start, fmt.Errorf("a value longer than %d MiB (a feature this large is refused: split it)", maxValue>>20)}
	}
	return nil
}

// literal frames a number, true, false or null, up to the next delimiter.
func (s *scanner) literal() error {
	n := 0
	for {
		chunk, err := s.r.Peek(max(1, s.r.Buffered()))
		if len(chunk) == 0 {
			if err == io.EOF && n > 0 {
				return nil
			}
			if err == io.EOF {
				return &posError{s.off, errTruncated}
			}
			return err
		}
		for i, c := range chunk {
			if isDelim(c) {
				return s.take(chunk, i)
			}
			if !literalByte(c) {
				return s.failAt(i, "invalid JSON: unexpected byte %s", describe(c))
			}
			if n++; n > maxLiteral {
				return s.failAt(i-n+1, "invalid JSON: number or literal longer than %d bytes", maxLiteral)
			}
		}
		if err := s.take(chunk, len(chunk)); err != nil {
			return err
		}
	}
}

func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ',', ':', '{', '}', '[', ']', '"', 0x1e:
		return true
	}
	return false
}
