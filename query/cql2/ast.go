package cql2

import (
	"fmt"

	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

// Expr is a CQL2 expression: a boolean expression (And, Or, Not,
// Compare, IsNull, Like, Between, In, Intersects, a boolean Literal) or an
// operand (Property, Literal, Geometry). Both parsers return the same
// canonical tree: chains of AND (or OR) are flattened into one node, and
// parentheses leave no node of their own.
type Expr interface{ expr() }

// Property names a queryable: a field of the feature model or a key of
// its properties.
type Property struct{ Name string }

// Literal is a string, number (float64) or boolean (bool) value.
type Literal struct{ Value any }

// Geometry is a geometry literal in WGS84 longitude/latitude with layout
// XY. Box is set when it was written as BBOX(w,s,e,n); G is then the
// box's polygon.
type Geometry struct {
	G   geom.T
	Box *cim.Box
}

// And is true when every argument is true.
type And struct{ Args []Expr }

// Or is true when any argument is true.
type Or struct{ Args []Expr }

// Not negates X.
type Not struct{ X Expr }

// Compare is a binary comparison; Op is one of = <> < <= > >=.
type Compare struct {
	Op   string
	L, R Expr
}

// IsNull is true when X is missing or null. "x IS NOT NULL" parses to
// Not{IsNull{x}}.
type IsNull struct{ X Expr }

// Like matches X against a pattern where % stands for any run of
// characters and _ for one character; \ escapes either.
type Like struct{ X, Pattern Expr }

// Between is true when Lo <= X <= Hi.
type Between struct{ X, Lo, Hi Expr }

// In is true when X equals one of List.
type In struct {
	X    Expr
	List []Expr
}

// Intersects is S_INTERSECTS(L, R): the two geometries share a point.
type Intersects struct{ L, R Expr }

func (Property) expr()   {}
func (Literal) expr()    {}
func (Geometry) expr()   {}
func (And) expr()        {}
func (Or) expr()         {}
func (Not) expr()        {}
func (Compare) expr()    {}
func (IsNull) expr()     {}
func (Like) expr()       {}
func (Between) expr()    {}
func (In) expr()         {}
func (Intersects) expr() {}

// MaxDepth is how deeply expressions may nest (parentheses, NOT, function
// arguments, JSON objects); deeper input is an error, never a deep
// recursion.
const MaxDepth = 64

// Error is a parse or bind error. Pos is the byte offset in CQL2 text, or
// -1; Path is the JSON pointer of the offending member in CQL2 JSON.
type Error struct {
	Pos  int
	Path string
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Path != "":
		return fmt.Sprintf("cql2: at %s: %s", e.Path, e.Msg)
	case e.Pos >= 0:
		return fmt.Sprintf("cql2: at %d: %s", e.Pos, e.Msg)
	}
	return "cql2: " + e.Msg
}

// Conformance returns the URIs of the CQL2 1.0 conformance classes this
// package implements, for an OGC API /conformance document.
func Conformance() []string {
	const base = "http://www.opengis.net/spec/cql2/1.0/conf/"
	return []string{
		base + "cql2-text",
		base + "cql2-json",
		base + "basic-cql2",
		base + "advanced-comparison-operators",
		base + "basic-spatial-functions",
		base + "property-property",
	}
}

// and builds a flattened conjunction.
func and(args ...Expr) Expr {
	var out []Expr
	for _, a := range args {
		if x, ok := a.(And); ok {
			out = append(out, x.Args...)
		} else {
			out = append(out, a)
		}
	}
	return And{out}
}

// or builds a flattened disjunction.
func or(args ...Expr) Expr {
	var out []Expr
	for _, a := range args {
		if x, ok := a.(Or); ok {
			out = append(out, x.Args...)
		} else {
			out = append(out, a)
		}
	}
	return Or{out}
}
