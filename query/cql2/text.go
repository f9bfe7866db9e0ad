package cql2

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tQuoted // "double-quoted" property name
	tString
	tNumber
	tPunct
)

type token struct {
	kind tokKind
	pos  int
	text string // identifier, unquoted string, punctuation
	num  float64
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tString:
		return "'" + t.text + "'"
	case tQuoted:
		return strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

// ParseText parses a CQL2 text expression. The error names the byte
// offset and the construct: `cql2: at 14: unsupported function "T_AFTER"`.
func ParseText(s string) (Expr, error) {
	p := &textParser{src: s}
	if err := p.next(); err != nil {
		return nil, err
	}
	e, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.errf(p.tok.pos, "unexpected %v after the expression", p.tok)
	}
	if !isBoolean(e) {
		return nil, p.errf(0, "the filter is not a boolean expression")
	}
	return e, nil
}

type textParser struct {
	src   string
	off   int
	tok   token
	depth int
}

func (p *textParser) errf(pos int, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// next reads the following token into p.tok.
func (p *textParser) next() error {
	s := p.src
	for p.off < len(s) && (s[p.off] == ' ' || s[p.off] == '\t' || s[p.off] == '\n' || s[p.off] == '\r') {
		p.off++
	}
	start := p.off
	if p.off >= len(s) {
		p.tok = token{kind: tEOF, pos: start}
		return nil
	}
	c := s[p.off]
	switch {
	case c == '\'' || c == '"':
		var b strings.Builder
		i := p.off + 1
		for {
			j := strings.IndexByte(s[i:], c)
			if j < 0 {
				if c == '"' {
					return p.errf(start, "unterminated quoted property name")
				}
				return p.errf(start, "unterminated string")
			}
			b.WriteString(s[i : i+j])
			i += j + 1
			if i < len(s) && s[i] == c { // doubled quote
				b.WriteByte(c)
				i++
				continue
			}
			break
		}
		p.off = i
		k := tString
		if c == '"' {
			k = tQuoted
			if b.Len() == 0 {
				return p.errf(start, "empty quoted property name")
			}
		}
		p.tok = token{kind: k, pos: start, text: b.String()}
		return nil
	case c >= '0' && c <= '9' || c == '.' || (c == '-' || c == '+') && p.off+1 < len(s) && (isDigit(s[p.off+1]) || s[p.off+1] == '.'):
		i := p.off
		if c == '-' || c == '+' {
			i++
		}
		digits := 0
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
		if i < len(s) && s[i] == '.' {
			i++
			for i < len(s) && isDigit(s[i]) {
				i++
				digits++
			}
		}
		if digits == 0 {
			return p.errf(start, "malformed number")
		}
		if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
			i++
			if i < len(s) && (s[i] == '+' || s[i] == '-') {
				i++
			}
			n := 0
			for i < len(s) && isDigit(s[i]) {
				i++
				n++
			}
			if n == 0 {
				return p.errf(start, "malformed number %q", s[start:i])
			}
		}
		if i < len(s) && (isIdentByte(s[i]) || s[i] == '.') {
			return p.errf(start, "malformed number %q", s[start:i+1])
		}
		v, err := strconv.ParseFloat(s[start:i], 64)
		if err != nil {
			return p.errf(start, "number %q out of range", s[start:i])
		}
		p.off = i
		p.tok = token{kind: tNumber, pos: start, text: s[start:i], num: v}
		return nil
	case c == '<':
		if p.off+1 < len(s) && (s[p.off+1] == '=' || s[p.off+1] == '>') {
			p.off += 2
		} else {
			p.off++
		}
	case c == '>':
		if p.off+1 < len(s) && s[p.off+1] == '=' {
			p.off += 2
		} else {
			p.off++
		}
	case c == '=' || c == '(' || c == ')' || c == ',':
		p.off++
	default:
		r, size := utf8.DecodeRuneInString(s[p.off:])
		if r != '_' && !unicode.IsLetter(r) {
			if r == utf8.RuneError && size <= 1 {
				return p.errf(start, "invalid UTF-8")
			}
			return p.errf(start, "unexpected character %q", r)
		}
		i := p.off + size
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != '_' && r != ':' && r != '.' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			i += size
		}
		p.off = i
		p.tok = token{kind: tIdent, pos: start, text: s[start:i]}
		return nil
	}
	p.tok = token{kind: tPunct, pos: start, text: s[start:p.off]}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// is reports whether the current token is keyword or punctuation w.
func (p *textParser) is(w string) bool {
	switch p.tok.kind {
	case tIdent:
		return strings.EqualFold(p.tok.text, w)
	case tPunct:
		return p.tok.text == w
	}
	return false
}

func (p *textParser) expect(w string) error {
	if !p.is(w) {
		return p.errf(p.tok.pos, "expected %q, found %v", w, p.tok)
	}
	return p.next()
}

func (p *textParser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errf(p.tok.pos, "nested deeper than %d", MaxDepth)
	}
	return nil
}

func (p *textParser) orExpr() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	first, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	if !p.is("OR") {
		return first, nil
	}
	args := []Expr{first}
	for p.is("OR") {
		if err := p.next(); err != nil {
			return nil, err
		}
		e, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	return or(args...), nil
}

func (p *textParser) andExpr() (Expr, error) {
	first, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	if !p.is("AND") {
		return first, nil
	}
	args := []Expr{first}
	for p.is("AND") {
		if err := p.next(); err != nil {
			return nil, err
		}
		e, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	return and(args...), nil
}

// booleanOperand checks that e, an operand of AND, OR or NOT, is boolean.
func (p *textParser) booleanOperand(pos int, e Expr) error {
	if !isBoolean(e) {
		return p.errf(pos, "expected a predicate, found %s", String(e))
	}
	return nil
}

func (p *textParser) notExpr() (Expr, error) {
	if p.is("NOT") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		if err := p.next(); err != nil {
			return nil, err
		}
		pos := p.tok.pos
		x, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		if err := p.booleanOperand(pos, x); err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	pos := p.tok.pos
	e, err := p.predicate()
	if err != nil {
		return nil, err
	}
	if err := p.booleanOperand(pos, e); err != nil {
		return nil, err
	}
	return e, nil
}

// predicate parses a parenthesised expression, a boolean literal, a
// function, or an operand followed by a comparison, IS NULL, LIKE,
// BETWEEN or IN.
func (p *textParser) predicate() (Expr, error) {
	if p.is("(") {
		if err := p.next(); err != nil {
			return nil, err
		}
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return e, nil
	}
	x, err := p.operand()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tPunct {
		switch op := p.tok.text; op {
		case "=", "<>", "<", "<=", ">", ">=":
			if err := p.next(); err != nil {
				return nil, err
			}
			y, err := p.operand()
			if err != nil {
				return nil, err
			}
			return Compare{op, x, y}, nil
		}
	}
	switch {
	case p.is("IS"):
		if err := p.next(); err != nil {
			return nil, err
		}
		not := p.is("NOT")
		if not {
			if err := p.next(); err != nil {
				return nil, err
			}
		}
		if err := p.expect("NULL"); err != nil {
			return nil, err
		}
		if not {
			return Not{IsNull{x}}, nil
		}
		return IsNull{x}, nil
	case p.is("NOT"):
		pos := p.tok.pos
		if err := p.next(); err != nil {
			return nil, err
		}
		if !p.is("LIKE") && !p.is("BETWEEN") && !p.is("IN") {
			return nil, p.errf(pos, "expected LIKE, BETWEEN or IN after NOT, found %v", p.tok)
		}
		e, err := p.advanced(x)
		if err != nil {
			return nil, err
		}
		return Not{e}, nil
	case p.is("LIKE") || p.is("BETWEEN") || p.is("IN"):
		return p.advanced(x)
	}
	if !isBoolean(x) {
		return nil, p.errf(p.tok.pos, "expected an operator after %s, found %v", String(x), p.tok)
	}
	return x, nil
}

// advanced parses the rest of a LIKE, BETWEEN or IN predicate.
func (p *textParser) advanced(x Expr) (Expr, error) {
	switch {
	case p.is("LIKE"):
		if err := p.next(); err != nil {
			return nil, err
		}
		y, err := p.operand()
		if err != nil {
			return nil, err
		}
		return Like{x, y}, nil
	case p.is("BETWEEN"):
		if err := p.next(); err != nil {
			return nil, err
		}
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if err := p.expect("AND"); err != nil {
			return nil, err
		}
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		return Between{x, lo, hi}, nil
	}
	if err := p.next(); err != nil { // IN
		return nil, err
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var list []Expr
	for {
		y, err := p.operand()
		if err != nil {
			return nil, err
		}
		list = append(list, y)
		if !p.is(",") {
			break
		}
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	return In{x, list}, nil
}

var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IS": true, "NULL": true, "LIKE": true,
	"BETWEEN": true, "IN": true, "TRUE": true, "FALSE": true,
}

// operand parses a property, a literal, a geometry or a function call.
func (p *textParser) operand() (Expr, error) {
	t := p.tok
	switch t.kind {
	case tString:
		return Literal{t.text}, p.next()
	case tNumber:
		return Literal{t.num}, p.next()
	case tQuoted:
		return Property{t.text}, p.next()
	case tIdent:
		up := strings.ToUpper(t.text)
		switch up {
		case "TRUE", "FALSE":
			return Literal{up == "TRUE"}, p.next()
		case "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "BBOX":
			return p.geometry(up)
		case "GEOMETRYCOLLECTION":
			return nil, p.errf(t.pos, "unsupported geometry GEOMETRYCOLLECTION")
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.is("(") {
			if up != "S_INTERSECTS" {
				return nil, p.errf(t.pos, "unsupported function %q", t.text)
			}
			return p.intersects()
		}
		if keywords[up] {
			return nil, p.errf(t.pos, "expected a property or literal, found keyword %s", up)
		}
		return Property{t.text}, nil
	case tEOF:
		return nil, p.errf(t.pos, "unexpected end of input")
	}
	return nil, p.errf(t.pos, "expected a property or literal, found %v", t)
}

func (p *textParser) intersects() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if err := p.next(); err != nil { // (
		return nil, err
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	return Intersects{l, r}, nil
}

// geometry parses a WKT geometry literal or BBOX; the keyword is current.
func (p *textParser) geometry(kind string) (Expr, error) {
	pos := p.tok.pos
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tIdent {
		return nil, p.errf(p.tok.pos, "unsupported geometry %s %s", kind, strings.ToUpper(p.tok.text))
	}
	if kind == "BBOX" {
		if err := p.expect("("); err != nil {
			return nil, err
		}
		var v []float64
		for {
			if p.tok.kind != tNumber {
				return nil, p.errf(p.tok.pos, "expected a number in BBOX, found %v", p.tok)
			}
			v = append(v, p.tok.num)
			if err := p.next(); err != nil {
				return nil, err
			}
			if !p.is(",") || len(v) == 6 {
				break
			}
			if err := p.next(); err != nil {
				return nil, err
			}
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		g, err := bboxGeometry(v)
		if err != nil {
			return nil, p.errf(pos, "%v", err)
		}
		return g, nil
	}
	// Coordinates nest at most three levels (MULTIPOLYGON); read them as
	// a tree of lists and let build check the shape.
	c, err := p.coords(0)
	if err != nil {
		return nil, err
	}
	g, err := build(kind, c)
	if err != nil {
		return nil, p.errf(pos, "%s: %v", kind, err)
	}
	return Geometry{G: g}, nil
}

// coords parses "(" item {"," item} ")" where an item is a coordinate
// "x y" or a nested list; level bounds the nesting.
func (p *textParser) coords(level int) (*nested, error) {
	if level > 3 {
		return nil, p.errf(p.tok.pos, "geometry nested too deeply")
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	n := &nested{}
	for {
		if p.is("(") {
			c, err := p.coords(level + 1)
			if err != nil {
				return nil, err
			}
			n.lists = append(n.lists, c)
		} else {
			var xy [2]float64
			for i := range xy {
				if p.tok.kind != tNumber {
					return nil, p.errf(p.tok.pos, "expected a coordinate, found %v", p.tok)
				}
				xy[i] = p.tok.num
				if err := p.next(); err != nil {
					return nil, err
				}
			}
			if p.tok.kind == tNumber {
				return nil, p.errf(p.tok.pos, "only 2D coordinates are supported")
			}
			n.coords = append(n.coords, geom.Coord{xy[0], xy[1]})
		}
		if !p.is(",") {
			break
		}
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	if len(n.lists) > 0 && len(n.coords) > 0 && level > 0 {
		return nil, p.errf(p.tok.pos, "mixed coordinates and lists")
	}
	return n, p.expect(")")
}

// nested is a parenthesised list of coordinates or of nested lists, as
// WKT and GeoJSON write them.
type nested struct {
	coords []geom.Coord
	lists  []*nested
}

// isBoolean reports whether e is a predicate rather than a value.
func isBoolean(e Expr) bool {
	switch e := e.(type) {
	case Literal:
		_, ok := e.Value.(bool)
		return ok
	case Property, Geometry:
		return false
	}
	return true
}

// bboxGeometry returns the literal of BBOX(w,s,e,n).
func bboxGeometry(v []float64) (Geometry, error) {
	if len(v) == 6 {
		return Geometry{}, fmt.Errorf("unsupported 3D BBOX")
	}
	if len(v) != 4 {
		return Geometry{}, fmt.Errorf("BBOX needs 4 numbers, found %d", len(v))
	}
	b := cim.Box{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
	if b.MinLon > b.MaxLon || b.MinLat > b.MaxLat {
		return Geometry{}, fmt.Errorf("BBOX west > east or south > north (antimeridian boxes are not supported)")
	}
	ring := []geom.Coord{{b.MinLon, b.MinLat}, {b.MaxLon, b.MinLat}, {b.MaxLon, b.MaxLat}, {b.MinLon, b.MaxLat}, {b.MinLon, b.MinLat}}
	g, err := geom.NewPolygon(geom.XY).SetCoords([][]geom.Coord{ring})
	if err != nil {
		return Geometry{}, err
	}
	return Geometry{G: g, Box: &b}, nil
}

// build makes a geometry of kind (upper case WKT name) from its
// coordinate tree.
func build(kind string, n *nested) (geom.T, error) {
	points := func(n *nested) ([]geom.Coord, error) {
		if len(n.lists) > 0 {
			return nil, fmt.Errorf("expected coordinates, found a nested list")
		}
		return n.coords, nil
	}
	ring := func(n *nested) ([]geom.Coord, error) {
		c, err := points(n)
		if err != nil {
			return nil, err
		}
		if len(c) < 4 || c[0][0] != c[len(c)-1][0] || c[0][1] != c[len(c)-1][1] {
			return nil, fmt.Errorf("a ring needs at least 4 coordinates, the last equal to the first")
		}
		return c, nil
	}
	rings := func(n *nested) ([][]geom.Coord, error) {
		if len(n.coords) > 0 || len(n.lists) == 0 {
			return nil, fmt.Errorf("expected a list of rings")
		}
		var out [][]geom.Coord
		for _, l := range n.lists {
			r, err := ring(l)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, nil
	}
	switch kind {
	case "POINT":
		c, err := points(n)
		if err != nil || len(c) != 1 {
			return nil, fmt.Errorf("a point needs one coordinate")
		}
		return geom.NewPoint(geom.XY).SetCoords(c[0])
	case "LINESTRING":
		c, err := points(n)
		if err != nil {
			return nil, err
		}
		if len(c) < 2 {
			return nil, fmt.Errorf("a line needs at least 2 coordinates")
		}
		return geom.NewLineString(geom.XY).SetCoords(c)
	case "POLYGON":
		r, err := rings(n)
		if err != nil {
			return nil, err
		}
		return geom.NewPolygon(geom.XY).SetCoords(r)
	case "MULTIPOINT":
		c := n.coords
		if len(c) == 0 {
			for _, l := range n.lists {
				pc, err := points(l)
				if err != nil || len(pc) != 1 {
					return nil, fmt.Errorf("a point needs one coordinate")
				}
				c = append(c, pc[0])
			}
		} else if len(n.lists) > 0 {
			return nil, fmt.Errorf("mixed coordinates and lists")
		}
		return geom.NewMultiPoint(geom.XY).SetCoords(c)
	case "MULTILINESTRING":
		if len(n.coords) > 0 || len(n.lists) == 0 {
			return nil, fmt.Errorf("expected a list of lines")
		}
		var ls [][]geom.Coord
		for _, l := range n.lists {
			c, err := points(l)
			if err != nil {
				return nil, err
			}
			if len(c) < 2 {
				return nil, fmt.Errorf("a line needs at least 2 coordinates")
			}
			ls = append(ls, c)
		}
		return geom.NewMultiLineString(geom.XY).SetCoords(ls)
	case "MULTIPOLYGON":
		if len(n.coords) > 0 || len(n.lists) == 0 {
			return nil, fmt.Errorf("expected a list of polygons")
		}
		var ps [][][]geom.Coord
		for _, l := range n.lists {
			r, err := rings(l)
			if err != nil {
				return nil, err
			}
			ps = append(ps, r)
		}
		return geom.NewMultiPolygon(geom.XY).SetCoords(ps)
	}
	return nil, fmt.Errorf("unsupported geometry %s", kind)
}
