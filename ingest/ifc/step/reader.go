package step

import (
	"errors"
	"io"
)

// Header is the HEADER section of a STEP file: its FILE_DESCRIPTION,
// FILE_NAME and FILE_SCHEMA entities. Strings the file leaves unset ($)
// are empty. Other header entities are read and ignored.
type Header struct {
	Description         []string // FILE_DESCRIPTION.description
	ImplementationLevel string   // FILE_DESCRIPTION.implementation_level, such as "2;1"
	Name                string   // FILE_NAME.name
	TimeStamp           string   // FILE_NAME.time_stamp, ISO 8601 as written
	Author              []string
	Organization        []string
	PreprocessorVersion string
	OriginatingSystem   string
	Authorization       string
	// Schemas are FILE_SCHEMA's schema names as written, such as "IFC2X3",
	// "IFC4" or "IFC4X3_ADD2". There is at least one.
	Schemas []string
}

// Reader reads the entity instances of a STEP file one at a time.
type Reader struct {
	src  io.Reader
	name string

	// The input buffer: buf[pos:end] is not read yet; buf[0] is byte base
	// of the input. rerr is the error that ended reading, io.EOF at the
	// end.
	buf       []byte
	pos, end  int
	base      int64
	rerr      error
	line      int   // line of buf[pos], from 1
	lineStart int64 // offset of that line's first byte
	crOff     int64 // offset of the last CR seen, so that CR LF counts once

	header Header
	state  int
	err    error  // the error that stopped Next, io.EOF at the end
	id     uint64 // the instance being read, for errors
	where  string // what is being read, for errors: "the header", "an instance"

	keep  func(string) bool
	names map[string]*ident
	seen  idSet

	// Scratch space. An instance's values go to vals while they are read;
	// a list's items move from vals to pool when the list ends, and the
	// list's value stays in vals holding their place in pool. build makes
	// an instance's values out of both at the end.
	tok   []byte
	text  []byte
	vals  []Value
	pool  []Value
	parts []*ident
}

const (
	stateData    = iota // in a DATA section
	stateBetween        // after a section's ENDSEC;
	stateDone           // after END-ISO-10303-21;
)

// NewReader returns a Reader of the STEP file read from src, with the
// file's HEADER section read. name names the input in errors, usually its
// file name. src is read in blocks of 64 KiB: a Reader needs no more
// memory than that and what the largest instance takes.
func NewReader(src io.Reader, name string) (*Reader, error) {
	r := &Reader{
		src:   src,
		name:  name,
		buf:   make([]byte, bufSize),
		line:  1,
		crOff: -2,
		names: make(map[string]*ident),
		where: "the header",
	}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	if err := r.between(); err != nil {
		return nil, err
	}
	return r, nil
}

// Header returns the file's header.
func (r *Reader) Header() Header { return r.header }

// Only makes Next return only the instances for which keep returns true:
// the simple instances of the types it keeps, and the complex instances
// with at least one part of a type it keeps; nil keeps all. keep is given
// upper-case type names and is asked once for each, so it must always
// give the same answer for the same name.
//
// Next skips the other instances without building their values: it checks
// only that their strings, binaries, comments and parentheses are well
// formed and that they end with ';'. Their ids still count for
// ErrDuplicateID.
func (r *Reader) Only(keep func(typ string) bool) {
	r.keep = keep
	for _, n := range r.names {
		n.keep = 0
	}
}

func (r *Reader) keeps(n *ident) bool {
	if r.keep == nil {
		return true
	}
	if n.keep == 0 {
		n.keep = -1
		if r.keep(n.s) {
			n.keep = 1
		}
	}
	return n.keep > 0
}

// Next returns the next entity instance of the file's DATA sections, or
// io.EOF after END-ISO-10303-21;. Errors are *Error. An error wrapping
// ErrDuplicateID drops the instance and reading can go on; after any
// other error Next returns the same error again.
func (r *Reader) Next() (*Instance, error) {
	for r.err == nil {
		in, err := r.next()
		r.id = 0
		if err != nil {
			if !errors.Is(err, ErrDuplicateID) {
				r.err = err
			}
			return nil, err
		}
		if in != nil {
			return in, nil
		}
	}
	return nil, r.err
}

// next reads up to the next instance; it returns nil and no error for an
// instance that Only skips.
func (r *Reader) next() (*Instance, error) {
	for {
		switch r.state {
		case stateDone:
			return nil, io.EOF
		case stateBetween:
			if err := r.between(); err != nil {
				return nil, err
			}
			continue
		}
		c, err := r.sig()
		if err != nil {
			return nil, r.truncated(err, "end of file in the DATA section, before ENDSEC;")
		}
		if c == '#' {
			return r.instance()
		}
		start := r.mark()
		if w := r.word(); w != "ENDSEC" {
			return nil, r.fail(start, ErrSyntax, "unexpected %s in the DATA section; want an instance or ENDSEC", r.found(w, c))
		}
		if err := r.semicolon("after ENDSEC"); err != nil {
			return nil, err
		}
		r.state = stateBetween
	}
}

// truncated turns sig's errEOF into ErrTruncated with the message.
func (r *Reader) truncated(err error, msg string) error {
	if err == errEOF {
		return r.eof("%s", msg)
	}
	return err
}

// word reads a section keyword at the next byte, such as DATA or
// END-ISO-10303-21, in upper case; it returns "" when the next byte does
// not start one.
func (r *Reader) word() string {
	if class[r.buf[r.pos]]&cAlpha == 0 {
		return ""
	}
	b := r.run(cAlpha|cDigit|cDash, true)
	if b == nil {
		return "a long keyword"
	}
	return r.intern(b).s
}

// found describes what was found instead of what was wanted: a word read
// by word, or else the byte c.
func (r *Reader) found(w string, c byte) string {
	if w != "" {
		return w
	}
	return describe(c)
}

// semicolon reads the ';' that ends a statement.
func (r *Reader) semicolon(after string) error {
	c, err := r.sig()
	if err != nil {
		return r.truncated(err, "missing ';' "+after)
	}
	if c != ';' {
		return r.fail(r.mark(), ErrSyntax, "missing ';' %s; found %s", after, describe(c))
	}
	r.pos++
	return nil
}

// readHeader reads the file up to the end of the HEADER section.
func (r *Reader) readHeader() error {
	// A UTF-8 byte order mark.
	for i, b := range []byte{0xEF, 0xBB, 0xBF} {
		if !r.fill() || r.buf[r.pos] != b {
			if i == 0 {
				break
			}
			return r.fail(r.mark(), ErrNotSTEP, "a broken byte order mark")
		}
		r.pos++
		r.lineStart++
	}
	notSTEP := func() error {
		return r.fail(pos{0, 1, 1}, ErrNotSTEP, "the input does not start with ISO-10303-21;")
	}
	c, err := r.sig()
	if err == errEOF {
		return r.fail(r.mark(), ErrNotSTEP, "empty input")
	}
	if err != nil {
		return err
	}
	if r.word() != "ISO-10303-21" {
		return notSTEP()
	}
	if c, err = r.sig(); err != nil || c != ';' {
		return notSTEP()
	}
	r.pos++
	c, err = r.sig()
	if err != nil {
		return r.truncated(err, "end of file before HEADER")
	}
	start := r.mark()
	if w := r.word(); w != "HEADER" {
		return r.fail(start, ErrSyntax, "unexpected %s; want HEADER", r.found(w, c))
	}
	if err := r.semicolon("after HEADER"); err != nil {
		return err
	}
	schema := false
	for {
		c, err := r.sig()
		if err != nil {
			return r.truncated(err, "end of file in the header")
		}
		start := r.mark()
		if class[c]&cAlpha == 0 && c != '!' {
			return r.fail(start, ErrSyntax, "unexpected %s in the header; want a header entity or ENDSEC", describe(c))
		}
		n, err := r.keyword()
		if err != nil {
			return err
		}
		if n.s == "ENDSEC" {
			if err := r.semicolon("after ENDSEC"); err != nil {
				return err
			}
			if !schema {
				return r.fail(start, ErrHeader, "no FILE_SCHEMA in the header")
			}
			r.state = stateBetween
			return nil
		}
		c, err = r.sig()
		if err != nil {
			return r.truncated(err, "end of file in the header")
		}
		if c != '(' {
			return r.fail(r.mark(), ErrSyntax, "unexpected %s after %s; want '('", describe(c), n.s)
		}
		r.pos++
		r.vals, r.pool = r.vals[:0], r.pool[:0]
		if err := r.items(1); err != nil {
			return err
		}
		if err := r.semicolon("after " + n.s); err != nil {
			return err
		}
		args := r.build(r.vals)
		arg := func(i int) Value {
			if i < len(args) {
				return args[i]
			}
			return Value{}
		}
		h := &r.header
		switch n.s {
		case "FILE_DESCRIPTION":
			h.Description = texts(arg(0))
			h.ImplementationLevel, _ = arg(1).Text()
		case "FILE_NAME":
			h.Name, _ = arg(0).Text()
			h.TimeStamp, _ = arg(1).Text()
			h.Author = texts(arg(2))
			h.Organization = texts(arg(3))
			h.PreprocessorVersion, _ = arg(4).Text()
			h.OriginatingSystem, _ = arg(5).Text()
			h.Authorization, _ = arg(6).Text()
		case "FILE_SCHEMA":
			schema = true
			h.Schemas = nil
			for _, s := range texts(arg(0)) {
				if s != "" {
					h.Schemas = append(h.Schemas, s)
				}
			}
			if len(h.Schemas) == 0 {
				return r.fail(start, ErrHeader, "FILE_SCHEMA names no schema")
			}
		}
	}
}

// texts returns the strings in a list of strings.
func texts(v Value) []string {
	list, _ := v.List()
	var s []string
	for _, v := range list {
		if t, ok := v.Text(); ok {
			s = append(s, t)
		}
	}
	return s
}

// between reads what follows a section: the start of a DATA section, or
// the end of the file.
func (r *Reader) between() error {
	r.where = "the file"
	c, err := r.sig()
	if err != nil {
		return r.truncated(err, "missing END-ISO-10303-21;")
	}
	start := r.mark()
	switch w := r.word(); w {
	case "DATA":
		// The second edition's DATA sections may have parameters, a
		// name and a schema; they are read and ignored.
		c, err := r.sig()
		if err != nil {
			return r.truncated(err, "missing ';' after DATA")
		}
		if c == '(' {
			r.pos++
			r.vals, r.pool = r.vals[:0], r.pool[:0]
			if err := r.items(1); err != nil {
				return err
			}
		}
		if err := r.semicolon("after DATA"); err != nil {
			return err
		}
		r.state = stateData
		r.where = "the DATA section"
	case "END-ISO-10303-21":
		if err := r.semicolon("after END-ISO-10303-21"); err != nil {
			return err
		}
		r.state = stateDone
	default:
		return r.fail(start, ErrSyntax, "unexpected %s; want DATA or END-ISO-10303-21", r.found(w, c))
	}
	return nil
}

// instance reads the instance at the next byte, a '#'.
func (r *Reader) instance() (*Instance, error) {
	start := r.mark()
	id, err := r.ref()
	if err != nil {
		return nil, err
	}
	r.id = id
	r.where = "an instance"
	c, err := r.sig()
	if err != nil {
		return nil, r.truncated(err, "end of file in an instance")
	}
	if c != '=' {
		return nil, r.fail(r.mark(), ErrSyntax, "unexpected %s after #%d; want '='", describe(c), id)
	}
	r.pos++
	dup := !r.seen.add(id)
	c, err = r.sig()
	if err != nil {
		return nil, r.truncated(err, "end of file in an instance")
	}
	r.vals, r.pool = r.vals[:0], r.pool[:0]
	if c == '(' {
		return r.complex(start, dup)
	}
	if class[c]&cAlpha == 0 && c != '!' {
		return nil, r.fail(r.mark(), ErrSyntax, "unexpected %s after '='; want an entity name or '('", describe(c))
	}
	n, err := r.keyword()
	if err != nil {
		return nil, err
	}
	c, err = r.sig()
	if err != nil {
		return nil, r.truncated(err, "end of file in an instance")
	}
	if c != '(' {
		return nil, r.fail(r.mark(), ErrSyntax, "unexpected %s after %s; want '('", describe(c), n.s)
	}
	if dup || !r.keeps(n) {
		if err := r.skipBody(); err != nil {
			return nil, err
		}
		if dup {
			return nil, r.fail(start, ErrDuplicateID, "this %s is dropped, the first #%d kept", n.s, id)
		}
		return nil, nil
	}
	r.pos++
	if err := r.items(1); err != nil {
		return nil, err
	}
	if err := r.semicolon("after the instance"); err != nil {
		return nil, err
	}
	return &Instance{ID: id, Type: n.s, Args: r.build(r.vals), Line: start.line, Offset: start.off}, nil
}

// complex reads a complex instance from its first '(' on.
func (r *Reader) complex(start pos, dup bool) (*Instance, error) {
	r.pos++
	r.parts = r.parts[:0]
	keep := false
	for {
		c, err := r.sig()
		if err != nil {
			return nil, r.truncated(err, "end of file in an instance")
		}
		if c == ')' {
			r.pos++
			break
		}
		if class[c]&cAlpha == 0 && c != '!' {
			return nil, r.fail(r.mark(), ErrSyntax, "unexpected %s in a complex instance; want an entity name or ')'", describe(c))
		}
		n, err := r.keyword()
		if err != nil {
			return nil, err
		}
		c, err = r.sig()
		if err != nil {
			return nil, r.truncated(err, "end of file in an instance")
		}
		if c != '(' {
			return nil, r.fail(r.mark(), ErrSyntax, "unexpected %s after %s; want '('", describe(c), n.s)
		}
		r.pos++
		from := len(r.vals)
		if err := r.items(1); err != nil {
			return nil, err
		}
		r.vals = append(r.vals, r.pack(from, List, ""))
		r.parts = append(r.parts, n)
		keep = keep || r.keeps(n)
	}
	if len(r.parts) == 0 {
		return nil, r.fail(start, ErrSyntax, "a complex instance without parts")
	}
	if err := r.semicolon("after the instance"); err != nil {
		return nil, err
	}
	if dup {
		return nil, r.fail(start, ErrDuplicateID, "this complex instance is dropped, the first #%d kept", r.id)
	}
	if !keep {
		return nil, nil
	}
	lists := r.build(r.vals)
	parts := make([]Part, len(lists))
	for i, l := range lists {
		parts[i] = Part{Type: r.parts[i].s, Args: l.list}
	}
	return &Instance{ID: r.id, Parts: parts, Line: start.line, Offset: start.off}, nil
}

// items reads the values of a list after its '(' up to its ')' and
// appends them to r.vals.
func (r *Reader) items(depth int) error {
	if depth > maxDepth {
		return r.fail(r.mark(), ErrTooLarge, "lists nested deeper than %d", maxDepth)
	}
	c, err := r.sig()
	if err != nil {
		return r.truncated(err, "end of file in "+r.where)
	}
	if c == ')' {
		r.pos++
		return nil
	}
	for {
		v, err := r.param(c, depth)
		if err != nil {
			return err
		}
		if len(r.vals)+len(r.pool) >= maxValues {
			return r.fail(r.mark(), ErrTooLarge, "more than %d values", maxValues)
		}
		r.vals = append(r.vals, v)
		c, err = r.sig()
		if err != nil {
			return r.truncated(err, "end of file in "+r.where)
		}
		switch c {
		case ',':
			r.pos++
			if c, err = r.sig(); err != nil {
				return r.truncated(err, "end of file in "+r.where)
			}
		case ')':
			r.pos++
			return nil
		default:
			return r.fail(r.mark(), ErrSyntax, "unexpected %s in a list; want ',' or ')'", describe(c))
		}
	}
}

// param reads the value at the next byte, c.
func (r *Reader) param(c byte, depth int) (Value, error) {
	switch {
	case c == '$':
		r.pos++
		return Value{}, nil
	case c == '*':
		r.pos++
		return Value{Kind: Derived}, nil
	case c == '#':
		id, err := r.ref()
		return Value{Kind: Ref, bits: id}, err
	case c == '\'':
		s, err := r.str()
		return Value{Kind: String, str: s}, err
	case class[c]&cDigit != 0 || c == '-' || c == '+':
		return r.number()
	case c == '.':
		n, err := r.enum()
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: Enum, str: n.s}, nil
	case c == '(':
		r.pos++
		from := len(r.vals)
		if err := r.items(depth + 1); err != nil {
			return Value{}, err
		}
		return r.pack(from, List, ""), nil
	case c == '"':
		s, err := r.binary()
		return Value{Kind: Binary, str: s}, err
	case class[c]&cAlpha != 0 || c == '!':
		start := r.mark()
		n, err := r.keyword()
		if err != nil {
			return Value{}, err
		}
		c, err := r.sig()
		if err != nil {
			return Value{}, r.truncated(err, "end of file in "+r.where)
		}
		if c != '(' {
			return Value{}, r.fail(r.mark(), ErrSyntax, "unexpected %s after %s; want '('", describe(c), n.s)
		}
		r.pos++
		from := len(r.vals)
		if err := r.items(depth + 1); err != nil {
			return Value{}, err
		}
		if k := len(r.vals) - from; k != 1 {
			return Value{}, r.fail(start, ErrSyntax, "typed value %s with %d values; want 1", n.s, k)
		}
		return r.pack(from, Typed, n.s), nil
	}
	return Value{}, r.fail(r.mark(), ErrSyntax, "unexpected %s; want a value", describe(c))
}

// pack moves r.vals[from:] to the pool and returns a value of kind k (List
// or Typed) whose items they are, with their place in bits until build.
func (r *Reader) pack(from int, k Kind, s string) Value {
	off, n := len(r.pool), len(r.vals)-from
	r.pool = append(r.pool, r.vals[from:]...)
	r.vals = r.vals[:from]
	return Value{Kind: k, str: s, bits: uint64(off)<<32 | uint64(n)}
}

// build returns a copy of top and of the pool in one new slice, with the
// lists' items in place.
func (r *Reader) build(top []Value) []Value {
	np := len(r.pool)
	out := make([]Value, np+len(top))
	copy(out, r.pool)
	copy(out[np:], top)
	for i := range out {
		if k := out[i].Kind; k == List || k == Typed {
			off, n := int(out[i].bits>>32), int(uint32(out[i].bits))
			out[i].list = out[off : off+n : off+n]
			out[i].bits = 0
		}
	}
	return out[np:]
}

// skipBody skips an instance's attributes from their '(' to the ';'
// after them, checking only that they are well formed enough to find it.
func (r *Reader) skipBody() error {
	depth := 0
	for {
		for r.pos < r.end {
			c := r.buf[r.pos]
			if skipClass[c] == 0 {
				r.pos++
				continue
			}
			switch c {
			case '(':
				depth++
			case ')':
				if depth == 0 {
					return r.fail(r.mark(), ErrSyntax, "unexpected ')'")
				}
				depth--
			case ';':
				if depth > 0 {
					return r.fail(r.mark(), ErrSyntax, "unexpected ';' in a list; want ',' or ')'")
				}
				r.pos++
				return nil
			case '\'':
				if err := r.scanString(); err != nil {
					return err
				}
				continue
			case '"':
				if err := r.scanBinary(); err != nil {
					return err
				}
				continue
			case '/':
				if err := r.comment(); err != nil {
					return err
				}
				continue
			case '\n', '\r':
				r.newline(c, r.base+int64(r.pos))
			}
			r.pos++
		}
		if !r.fill() {
			return r.eof("end of file in an instance")
		}
	}
}

var skipClass = func() (t [256]uint8) {
	for _, c := range "();'\"/\n\r" {
		t[c] = 1
	}
	return t
}()

// idSet is a set of instance ids: a bitmap in pages of 64Ki ids, for ids
// are mostly dense and increasing.
type idSet struct {
	pages    map[uint64]*[1024]uint64
	last     uint64
	lastPage *[1024]uint64
}

// add adds id to the set; it returns false when id was in it already.
func (s *idSet) add(id uint64) bool {
	p := id >> 16
	page := s.lastPage
	if page == nil || p != s.last {
		if s.pages == nil {
			s.pages = make(map[uint64]*[1024]uint64)
		}
		page = s.pages[p]
		if page == nil {
			page = new([1024]uint64)
			s.pages[p] = page
		}
		s.last, s.lastPage = p, page
	}
	w, b := id>>6&1023, uint64(1)<<(id&63)
	if page[w]&b != 0 {
		return false
	}
	page[w] |= b
	return true
}
