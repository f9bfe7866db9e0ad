package step

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// Limits on the input, so that damaged or hostile input cannot make the
// reader hold unbounded memory.
const (
	bufSize   = 64 << 10 // the input buffer
	maxToken  = 1 << 16  // bytes in a keyword or number
	maxText   = 64 << 20 // bytes in a decoded string or a binary
	maxDepth  = 100      // nesting of lists and typed values
	maxValues = 1 << 25  // values in one instance, nested ones included
	maxNames  = 1 << 16  // distinct keywords and enumeration names kept
)

// Byte classes.
const (
	cDigit  = 1 << iota // 0-9
	cAlpha              // A-Z a-z _
	cNumber             // 0-9 + - . E e
	cHex                // 0-9 A-F a-f
	cSpace              // space, tab, vertical tab, form feed (not line breaks)
	cDash               // -, in ISO-10303-21 and END-ISO-10303-21
)

var class = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= cDigit | cNumber | cHex
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= cAlpha
		t[c+'a'-'A'] |= cAlpha
	}
	for _, c := range "ABCDEFabcdef" {
		t[c] |= cHex
	}
	t['_'] |= cAlpha
	for _, c := range "+-.Ee" {
		t[c] |= cNumber
	}
	for _, c := range " \t\v\f" {
		t[c] |= cSpace
	}
	t['-'] |= cDash
	return t
}()

// pos is a place in the input.
type pos struct {
	off  int64
	line int
	col  int
}

// mark returns the place of the next byte.
func (r *Reader) mark() pos {
	off := r.base + int64(r.pos)
	return pos{off, r.line, int(off-r.lineStart) + 1}
}

// fill makes sure the buffer has a byte to read, reading more input when
// it is used up. It returns false at the end of the input or when reading
// failed (r.rerr tells which).
func (r *Reader) fill() bool {
	if r.pos < r.end {
		return true
	}
	if r.rerr != nil {
		return false
	}
	r.base += int64(r.end)
	r.pos, r.end = 0, 0
	for range 100 {
		n, err := r.src.Read(r.buf)
		if n < 0 || n > len(r.buf) {
			n, err = 0, errors.New("invalid read count")
		}
		r.end = n
		if err != nil {
			r.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	r.rerr = io.ErrNoProgress
	return false
}

// newline counts the line break c at offset off: CR, LF, or the LF of a
// CR LF pair, which does not count again.
func (r *Reader) newline(c byte, off int64) {
	r.lineStart = off + 1
	if c == '\n' && r.crOff == off-1 {
		return
	}
	if c == '\r' {
		r.crOff = off
	}
	r.line++
}

// fail returns a located error wrapping sentinel.
func (r *Reader) fail(p pos, sentinel error, format string, args ...any) error {
	return &Error{Name: r.name, Line: p.line, Col: p.col, Offset: p.off, ID: r.id,
		Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))}
}

// eof returns the error for an input that ends where more is needed: the
// read error, or ErrTruncated with the message.
func (r *Reader) eof(format string, args ...any) error {
	p := r.mark()
	if r.rerr != nil && r.rerr != io.EOF {
		return &Error{Name: r.name, Line: p.line, Col: p.col, Offset: p.off, ID: r.id, Err: r.rerr}
	}
	return r.fail(p, ErrTruncated, format, args...)
}

// describe names byte c for an error message.
func describe(c byte) string {
	if c > ' ' && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

// errEOF is sig's report of the end of the input, which its callers turn
// into an error that says what was missing.
var errEOF = errors.New("end of input")

// sig skips white space, line breaks and comments, and returns the next
// byte without reading it, or errEOF at the end of the input.
func (r *Reader) sig() (byte, error) {
	if r.pos < r.end {
		if c := r.buf[r.pos]; c > ' ' && c != '/' {
			return c, nil
		}
	}
	return r.sigSlow()
}

func (r *Reader) sigSlow() (byte, error) {
	for {
		for r.pos < r.end {
			c := r.buf[r.pos]
			switch {
			case class[c]&cSpace != 0:
				r.pos++
			case c == '\n' || c == '\r':
				r.newline(c, r.base+int64(r.pos))
				r.pos++
			case c == '/':
				if err := r.comment(); err != nil {
					return 0, err
				}
			default:
				return c, nil
			}
		}
		if !r.fill() {
			if r.rerr != io.EOF {
				return 0, r.eof("")
			}
			return 0, errEOF
		}
	}
}

// comment skips a comment /* … */ at the next byte.
func (r *Reader) comment() error {
	start := r.mark()
	r.pos++
	if !r.fill() || r.buf[r.pos] != '*' {
		return r.fail(start, ErrSyntax, "unexpected '/'")
	}
	r.pos++
	star := false
	for r.fill() {
		c := r.buf[r.pos]
		r.pos++
		switch c {
		case '/':
			if star {
				return nil
			}
		case '\n', '\r':
			r.newline(c, r.base+int64(r.pos-1))
		}
		star = c == '*'
	}
	if r.rerr != io.EOF {
		return r.eof("")
	}
	return r.fail(start, ErrTruncated, "unterminated comment")
}

// run reads the longest run of bytes of class cl and returns it, upper
// case when upper is set. The slice is valid until the next read; it is
// nil when the run is longer than maxToken.
func (r *Reader) run(cl uint8, upper bool) []byte {
	i := r.pos
	for i < r.end && class[r.buf[i]]&cl != 0 {
		i++
	}
	var b []byte
	if i < r.end {
		b = r.buf[r.pos:i]
		r.pos = i
	} else {
		// The run may go on past the buffer.
		r.tok = append(r.tok[:0], r.buf[r.pos:i]...)
		r.pos = i
		for r.fill() {
			i = r.pos
			for i < r.end && class[r.buf[i]]&cl != 0 {
				i++
			}
			if len(r.tok)+i-r.pos > maxToken {
				return nil
			}
			r.tok = append(r.tok, r.buf[r.pos:i]...)
			r.pos = i
			if i < r.end {
				break
			}
		}
		b = r.tok
	}
	if upper {
		for j, c := range b {
			if 'a' <= c && c <= 'z' {
				b[j] = c - 'a' + 'A'
			}
		}
	}
	return b
}

// keyword reads a keyword, such as an entity or type name, at the next
// byte, and returns it interned. User-defined keywords start with '!'.
func (r *Reader) keyword() (*ident, error) {
	start := r.mark()
	bang := r.buf[r.pos] == '!'
	if bang {
		r.pos++
	}
	if !r.fill() {
		return nil, r.eof("end of file in a keyword")
	}
	if c := r.buf[r.pos]; class[c]&cAlpha == 0 {
		return nil, r.fail(r.mark(), ErrSyntax, "unexpected %s in a keyword", describe(c))
	}
	b := r.run(cAlpha|cDigit, true)
	if b == nil {
		return nil, r.fail(start, ErrTooLarge, "keyword longer than %d bytes", maxToken)
	}
	if bang {
		r.tok = append(append(r.tok[:0:0], '!'), b...)
		b = r.tok
	}
	return r.intern(b), nil
}

// ident is an interned keyword: an entity, type or enumeration name.
type ident struct {
	s    string
	keep int8 // whether the Only filter keeps the type: 0 not asked yet, 1 keep, -1 skip
}

func (r *Reader) intern(b []byte) *ident {
	if n := r.names[string(b)]; n != nil {
		return n
	}
	n := &ident{s: string(b)}
	if len(r.names) < maxNames {
		r.names[n.s] = n
	}
	return n
}

// number reads an integer or a real at the next byte: an optional sign,
// digits, and for a real a point, optional digits and an optional
// exponent E with optional sign and digits. A lower-case e is accepted
// too. .5 (no digit before the point) is not a STEP real.
func (r *Reader) number() (Value, error) {
	start := r.mark()
	b := r.run(cNumber, false)
	if b == nil {
		return Value{}, r.fail(start, ErrTooLarge, "number longer than %d bytes", maxToken)
	}
	i := 0
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		i++
	}
	digits := i
	for i < len(b) && class[b[i]]&cDigit != 0 {
		i++
	}
	if i == digits {
		return Value{}, r.fail(start, ErrSyntax, "bad number %q", b)
	}
	if i == len(b) {
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return Value{}, r.fail(start, ErrSyntax, "integer %s out of range", b)
		}
		return Value{Kind: Integer, bits: uint64(n)}, nil
	}
	if b[i] != '.' {
		if b[i] == 'E' || b[i] == 'e' {
			return Value{}, r.fail(start, ErrSyntax, "bad number %q: a real needs a point before its exponent (1.E5)", b)
		}
		return Value{}, r.fail(start, ErrSyntax, "bad number %q", b)
	}
	i++
	for i < len(b) && class[b[i]]&cDigit != 0 {
		i++
	}
	if i < len(b) && (b[i] == 'E' || b[i] == 'e') {
		i++
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			i++
		}
		exp := i
		for i < len(b) && class[b[i]]&cDigit != 0 {
			i++
		}
		if i == exp {
			i = -1
		}
	}
	if i != len(b) {
		return Value{}, r.fail(start, ErrSyntax, "bad real %q", b)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return Value{}, r.fail(start, ErrSyntax, "real %s out of range", b)
	}
	return Value{Kind: Real, bits: math.Float64bits(f)}, nil
}

// ref reads an instance id at the next byte, '#' followed by digits.
func (r *Reader) ref() (uint64, error) {
	start := r.mark()
	r.pos++
	// Most ids end in the buffer and are far from overflowing.
	var id uint64
	i := r.pos
	for ; i < r.end && i-r.pos < 18; i++ {
		c := r.buf[i]
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	if i > r.pos && i < r.end && class[r.buf[i]]&cDigit == 0 {
		r.pos = i
		return id, nil
	}
	if !r.fill() {
		return 0, r.eof("end of file after '#'")
	}
	b := r.run(cDigit, false)
	if b == nil {
		return 0, r.fail(start, ErrTooLarge, "instance id longer than %d bytes", maxToken)
	}
	if len(b) == 0 {
		return 0, r.fail(r.mark(), ErrSyntax, "unexpected %s after '#'", describe(r.buf[r.pos]))
	}
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, r.fail(start, ErrSyntax, "instance id #%s out of range", b)
	}
	return id, nil
}

// enum reads an enumeration value at the next byte: a name between dots.
func (r *Reader) enum() (*ident, error) {
	start := r.mark()
	r.pos++
	if !r.fill() {
		return nil, r.eof("end of file in an enumeration")
	}
	if c := r.buf[r.pos]; class[c]&cAlpha == 0 {
		if class[c]&cDigit != 0 {
			return nil, r.fail(start, ErrSyntax, "unexpected '.': a real needs a digit before its point (0.5), an enumeration a name (.T.)")
		}
		return nil, r.fail(start, ErrSyntax, "bad enumeration: %s after '.'", describe(c))
	}
	b := r.run(cAlpha|cDigit, true)
	if b == nil {
		return nil, r.fail(start, ErrTooLarge, "enumeration longer than %d bytes", maxToken)
	}
	n := r.intern(b)
	if !r.fill() {
		return nil, r.eof("end of file in an enumeration")
	}
	if c := r.buf[r.pos]; c != '.' {
		return nil, r.fail(r.mark(), ErrSyntax, "unexpected %s in enumeration .%s", describe(c), n.s)
	}
	r.pos++
	return n, nil
}

// binary reads a binary value at the next byte: "0FF". Line breaks in it
// are ignored.
func (r *Reader) binary() (string, error) {
	if err := r.scanBinary(); err != nil {
		return "", err
	}
	return string(r.text), nil
}

// scanBinary reads a binary value at the next byte into r.text.
func (r *Reader) scanBinary() error {
	start := r.mark()
	r.pos++
	r.text = r.text[:0]
	for {
		c, err := r.textByte(start, "binary")
		if err != nil {
			return err
		}
		if c == '"' {
			break
		}
		if len(r.text) == 0 && (c < '0' || c > '3') || len(r.text) > 0 && class[c]&cHex == 0 {
			return r.fail(r.mark(), ErrSyntax, "unexpected %s in a binary", describe(c))
		}
		if 'a' <= c && c <= 'f' {
			c -= 'a' - 'A'
		}
		if len(r.text) >= maxText {
			return r.fail(start, ErrTooLarge, "binary longer than %d bytes", maxText)
		}
		r.text = append(r.text, c)
		r.pos++
	}
	r.pos++
	if len(r.text) == 0 || r.text[0] != '0' && len(r.text) == 1 {
		return r.fail(start, ErrSyntax, "bad binary %q", r.text)
	}
	return nil
}

// textByte returns the next byte of a string or binary that started at
// start, without reading it, skipping line breaks.
func (r *Reader) textByte(start pos, what string) (byte, error) {
	for {
		if !r.fill() {
			if r.rerr != io.EOF {
				return 0, r.eof("")
			}
			return 0, r.fail(start, ErrTruncated, "unterminated %s", what)
		}
		c := r.buf[r.pos]
		if c != '\n' && c != '\r' {
			return c, nil
		}
		r.newline(c, r.base+int64(r.pos))
		r.pos++
	}
}

// str reads a string at the next byte and decodes it to UTF-8, as the
// package documentation says.
func (r *Reader) str() (string, error) {
	if err := r.scanString(); err != nil {
		return "", err
	}
	if !utf8.Valid(r.text) {
		return latin1(r.text), nil
	}
	return string(r.text), nil
}

// scanString reads a string at the next byte and decodes it into r.text,
// as str does, but leaves bytes that are not UTF-8 as they are.
func (r *Reader) scanString() error {
	start := r.mark()
	r.pos++
	r.text = r.text[:0]
	page := 0
	for {
		i := r.pos
		for i < r.end {
			if c := r.buf[i]; c == '\'' || c == '\\' || c == '\n' || c == '\r' {
				break
			}
			i++
		}
		if len(r.text)+i-r.pos > maxText {
			return r.fail(start, ErrTooLarge, "string longer than %d bytes", maxText)
		}
		r.text = append(r.text, r.buf[r.pos:i]...)
		r.pos = i
		c, err := r.textByte(start, "string")
		if err != nil {
			return err
		}
		switch c {
		case '\'':
			r.pos++
			if r.fill() && r.buf[r.pos] == '\'' {
				r.text = append(r.text, '\'')
				r.pos++
				continue
			}
			return nil
		case '\\':
			if err := r.directive(start, &page); err != nil {
				return err
			}
		}
	}
}

// directive decodes the control directive at the next byte, a backslash,
// into r.text.
func (r *Reader) directive(start pos, page *int) error {
	at := r.mark()
	r.pos++
	bad := func(format string, args ...any) error {
		return r.fail(at, ErrSyntax, "bad escape in a string: "+format, args...)
	}
	next := func() (byte, error) {
		c, err := r.textByte(start, "string")
		r.pos++
		return c, err
	}
	// expect reads the bytes of s.
	expect := func(s string) error {
		for i := 0; i < len(s); i++ {
			c, err := next()
			if err != nil {
				return err
			}
			if c != s[i] {
				return bad("%s where %q is wanted", describe(c), s[i])
			}
		}
		return nil
	}
	// hex reads n hexadecimal digits.
	hex := func(n int, want string) (rune, error) {
		var v rune
		for range n {
			c, err := next()
			if err != nil {
				return 0, err
			}
			d, ok := unhex(c)
			if !ok {
				return 0, bad("%s; found %s", want, describe(c))
			}
			v = v<<4 | rune(d)
		}
		return v, nil
	}
	c, err := next()
	if err != nil {
		return err
	}
	switch c {
	case '\\':
		r.text = append(r.text, '\\')
	case 'N', 'F':
		return expect(`\`)
	case 'S':
		if err := expect(`\`); err != nil {
			return err
		}
		c, err := next()
		if err != nil {
			return err
		}
		if c < 0x20 || c > 0x7e {
			return bad(`\S\ followed by %s`, describe(c))
		}
		r.text = utf8.AppendRune(r.text, codePages[*page][c-0x20])
	case 'P':
		c, err := next()
		if err != nil {
			return err
		}
		if c < 'A' || c > 'I' {
			return bad(`\P%c\ is not a code page (\PA\ to \PI\)`, c)
		}
		*page = int(c - 'A')
		return expect(`\`)
	case 'X':
		c, err := next()
		if err != nil {
			return err
		}
		switch c {
		case '\\':
			v, err := hex(2, `\X\ wants 2 hexadecimal digits`)
			if err != nil {
				return err
			}
			r.text = utf8.AppendRune(r.text, v)
		case '2', '4':
			if err := expect(`\`); err != nil {
				return err
			}
			digits := 4
			if c == '4' {
				digits = 8
			}
			want := fmt.Sprintf(`\X%c\ wants groups of %d hexadecimal digits ended by \X0\`, c, digits)
			var high rune // a high surrogate waiting for its low one
			for {
				c, err := r.textByte(start, "string")
				if err != nil {
					return err
				}
				if c == '\\' {
					r.pos++
					if err := expect(`X0\`); err != nil {
						if errors.Is(err, ErrSyntax) {
							return bad("%s", want)
						}
						return err
					}
					if high != 0 {
						r.text = utf8.AppendRune(r.text, utf8.RuneError)
					}
					return nil
				}
				v, err := hex(digits, want)
				if err != nil {
					return err
				}
				if len(r.text) >= maxText {
					return r.fail(start, ErrTooLarge, "string longer than %d bytes", maxText)
				}
				switch {
				case high != 0 && 0xDC00 <= v && v < 0xE000:
					r.text = utf8.AppendRune(r.text, 0x10000+(high-0xD800)<<10+(v-0xDC00))
					high = 0
					continue
				case high != 0:
					r.text = utf8.AppendRune(r.text, utf8.RuneError)
					high = 0
				}
				if digits == 4 && 0xD800 <= v && v < 0xDC00 {
					high = v
					continue
				}
				r.text = utf8.AppendRune(r.text, v) // AppendRune writes U+FFFD for surrogates and v > U+10FFFF
			}
		default:
			return bad(`\X%c\`, c)
		}
	default:
		return bad(`\%c`, c)
	}
	return nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// latin1 returns b as UTF-8, reading bytes that are not valid UTF-8 as
// ISO 8859-1.
func latin1(b []byte) string {
	out := make([]byte, 0, len(b)+len(b)/2)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, rune(b[0]))
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}
