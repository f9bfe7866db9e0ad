package step

import (
	"math"
	"strconv"
	"strings"
)

// Kind is the kind of a Value.
type Kind uint8

// The kinds of values. The zero Value is Unset.
const (
	Unset   Kind = iota // $: an optional attribute without a value
	Derived             // *: an attribute whose value is derived by the schema
	Integer             // 42, -7
	Real                // 1., -0., 1.E-05, 1.5E+3
	String              // 'text', decoded to UTF-8
	Enum                // .T., .ELEMENT.
	Binary              // "0FF"
	Ref                 // #12, a reference to an entity instance
	List                // (1,2,3), possibly nested
	Typed               // IFCLABEL('x'): a value of a named defined type
)

var kindNames = [...]string{"unset", "derived", "integer", "real", "string", "enum", "binary", "ref", "list", "typed"}

// String returns the kind's name in lower case, such as "real".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one attribute value of an instance. Its accessors return the
// value and true when it is of the kind they read, and the zero value and
// false otherwise, so that a missing or unset attribute needs no special
// case: inst.Arg(3).Ref() is (0, false) when attribute 3 is $, absent or
// not a reference.
type Value struct {
	Kind Kind
	bits uint64  // Integer: int64; Real: float64 bits; Ref: the id
	str  string  // String: the text; Enum: the name; Binary: the digits; Typed: the type name
	list []Value // List: the items; Typed: one item, the value
}

// IsNull reports whether the value is $, an unset optional attribute.
// The derived marker * is not null: its Kind is Derived.
func (v Value) IsNull() bool { return v.Kind == Unset }

// Int returns an Integer value.
func (v Value) Int() (int64, bool) {
	if v.Kind != Integer {
		return 0, false
	}
	return int64(v.bits), true
}

// Float returns a Real value, or an Integer value converted to float64.
func (v Value) Float() (float64, bool) {
	switch v.Kind {
	case Real:
		return math.Float64frombits(v.bits), true
	case Integer:
		return float64(int64(v.bits)), true
	}
	return 0, false
}

// Text returns a String value, with its escapes decoded to UTF-8.
func (v Value) Text() (string, bool) {
	if v.Kind != String {
		return "", false
	}
	return v.str, true
}

// Enum returns the name of an enumeration value in upper case, without
// its dots: "ELEMENT" for .ELEMENT..
func (v Value) Enum() (string, bool) {
	if v.Kind != Enum {
		return "", false
	}
	return v.str, true
}

// Bool returns the enumeration values .T. and .F. as true and false. The
// logical .U. (unknown) and every other value are not booleans.
func (v Value) Bool() (b, ok bool) {
	if v.Kind == Enum {
		switch v.str {
		case "T":
			return true, true
		case "F":
			return false, true
		}
	}
	return false, false
}

// Binary returns a Binary value as written between its double quotes:
// the first digit (0 to 3) is the number of unused high bits in the first
// hexadecimal digit that follows, so "0FF" is the 8 bits 11111111 and
// "3F" the single bit 1. Hexadecimal digits are upper case.
func (v Value) Binary() (string, bool) {
	if v.Kind != Binary {
		return "", false
	}
	return v.str, true
}

// Ref returns the instance id of a reference: 12 for #12.
func (v Value) Ref() (uint64, bool) {
	if v.Kind != Ref {
		return 0, false
	}
	return v.bits, true
}

// List returns the items of a List value; an empty list () has none but
// is still a list.
func (v Value) List() ([]Value, bool) {
	if v.Kind != List {
		return nil, false
	}
	return v.list, true
}

// Typed returns the type name (upper case) and the value of a Typed
// value: "IFCLABEL" and the String 'x' for IFCLABEL('x').
func (v Value) Typed() (name string, val Value, ok bool) {
	if v.Kind != Typed || len(v.list) != 1 {
		return "", Value{}, false
	}
	return v.str, v.list[0], true
}

// Untyped returns the value inside a Typed value, and any other value as
// it is: IFCLENGTHMEASURE(2.5) and 2.5 both give the Real 2.5.
func (v Value) Untyped() Value {
	for v.Kind == Typed && len(v.list) == 1 {
		v = v.list[0]
	}
	return v
}

// String returns the value in STEP syntax, except that strings are
// written in UTF-8 rather than with \X2\ escapes: 'H\X2\00F6\X0\he' is
// written 'Höhe'; only CR and LF are escaped, as \X\0D and \X\0A. Reals are written in the shortest form that reads back
// to the same number, always with a decimal point: 1., -0., 1.E-05.
func (v Value) String() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

func (v Value) write(b *strings.Builder) {
	switch v.Kind {
	case Unset:
		b.WriteByte('$')
	case Derived:
		b.WriteByte('*')
	case Integer:
		b.WriteString(strconv.FormatInt(int64(v.bits), 10))
	case Real:
		b.WriteString(formatReal(math.Float64frombits(v.bits)))
	case String:
		b.WriteByte('\'')
		for i := 0; i < len(v.str); i++ {
			switch c := v.str[i]; c {
			case '\'', '\\':
				b.WriteByte(c)
				b.WriteByte(c)
			case '\n', '\r':
				// Line breaks would be dropped on reading.
				b.WriteString(`\X\0`)
				b.WriteByte("0123456789ABCDEF"[c])
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('\'')
	case Enum:
		b.WriteByte('.')
		b.WriteString(v.str)
		b.WriteByte('.')
	case Binary:
		b.WriteByte('"')
		b.WriteString(v.str)
		b.WriteByte('"')
	case Ref:
		b.WriteByte('#')
		b.WriteString(strconv.FormatUint(v.bits, 10))
	case List:
		writeList(b, v.list)
	case Typed:
		b.WriteString(v.str)
		writeList(b, v.list)
	default:
		b.WriteString("?")
	}
}

func writeList(b *strings.Builder, vs []Value) {
	b.WriteByte('(')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		v.write(b)
	}
	b.WriteByte(')')
}

// formatReal writes f as a STEP real: the shortest decimal that reads
// back to f, with a point before any exponent.
func formatReal(f float64) string {
	s := strconv.FormatFloat(f, 'G', -1, 64)
	if strings.ContainsAny(s, ".IN") { // has a point, or is Inf or NaN
		return s
	}
	if i := strings.IndexByte(s, 'E'); i >= 0 {
		return s[:i] + "." + s[i:]
	}
	return s + "."
}

// Instance is one entity instance of a DATA section.
//
// A simple instance, #12=IFCWALL(…), has a Type and Args and no Parts. A
// complex instance, #5=(IFCA(1)IFCB(#2)), one instance of several
// entity types of a supertype tree, has Parts, one for each type in the
// order written, and no Type or Args.
//
// An Instance and its values are the caller's: the Reader does not reuse
// them.
type Instance struct {
	ID     uint64  // the instance id: 12 for #12
	Type   string  // the entity type, upper case, such as "IFCWALL"; "" for a complex instance
	Args   []Value // the attribute values, in order
	Parts  []Part  // the parts of a complex instance
	Line   int     // line of the instance's '#', from 1
	Offset int64   // byte offset of the instance's '#' in the input
}

// Part is one entity type of a complex instance with its attributes.
type Part struct {
	Type string // upper case
	Args []Value
}

// Arg returns attribute i, counted from 0, or an Unset value when the
// instance has no attribute i.
func (in *Instance) Arg(i int) Value {
	if i < 0 || i >= len(in.Args) {
		return Value{}
	}
	return in.Args[i]
}

// String returns the instance in STEP syntax, as Value.String writes
// values: #12=IFCWALL('x',#1,$) or #5=(IFCA(1)IFCB(#2)).
func (in *Instance) String() string {
	var b strings.Builder
	b.WriteByte('#')
	b.WriteString(strconv.FormatUint(in.ID, 10))
	b.WriteByte('=')
	if in.Parts == nil {
		b.WriteString(in.Type)
		writeList(&b, in.Args)
		return b.String()
	}
	b.WriteByte('(')
	for _, p := range in.Parts {
		b.WriteString(p.Type)
		writeList(&b, p.Args)
	}
	b.WriteByte(')')
	return b.String()
}
