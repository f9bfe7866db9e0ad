package cql2

import (
	"fmt"
	"math"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

// Type is the type of a queryable.
type Type uint8

// The queryable types of OGC API – Features Part 3.
const (
	TypeString Type = iota + 1
	TypeNumber
	TypeInteger
	TypeBoolean
	TypeGeometry
)

func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeNumber:
		return "number"
	case TypeInteger:
		return "integer"
	case TypeBoolean:
		return "boolean"
	case TypeGeometry:
		return "geometry"
	}
	return "unknown"
}

// Queryables maps each property name a filter may use to its type.
type Queryables map[string]Type

// FeatureQueryables returns the queryables of the feature model (id,
// class, kind, name, dataset, stage, level_min, level_max, height,
// parent, geometry) plus props, the keys of Feature.Props a collection
// exposes. A key of props that is a model field name is ignored: the
// model field wins.
func FeatureQueryables(props map[string]Type) Queryables {
	q := Queryables{}
	for k, t := range props {
		q[k] = t
	}
	for k, f := range fields {
		q[k] = f.typ
	}
	return q
}

type kind uint8

const (
	kNull kind = iota
	kString
	kNumber
	kBool
	kGeom
)

// value is one operand's value for one feature, without allocation.
type value struct {
	k kind
	b bool
	n float64
	s string
	g geom.T
}

func fromAny(v any) value {
	switch v := v.(type) {
	case string:
		return value{k: kString, s: v}
	case float64:
		return value{k: kNumber, n: v}
	case int:
		return value{k: kNumber, n: float64(v)}
	case bool:
		return value{k: kBool, b: v}
	}
	return value{} // nil, arrays and objects are not comparable: null
}

func str(s string) value {
	if s == "" {
		return value{}
	}
	return value{k: kString, s: s}
}

type field struct {
	typ Type
	get func(*cim.Feature) value
}

// fields are the model's queryables; "name" reads Props["name"].
var fields = map[string]field{
	"id":        {TypeString, func(f *cim.Feature) value { return str(f.ID) }},
	"class":     {TypeString, func(f *cim.Feature) value { return value{k: kString, s: f.Class.String()} }},
	"kind":      {TypeString, func(f *cim.Feature) value { return str(f.Kind) }},
	"name":      {TypeString, func(f *cim.Feature) value { return fromAny(f.Props["name"]) }},
	"dataset":   {TypeString, func(f *cim.Feature) value { return str(f.Dataset) }},
	"stage":     {TypeString, func(f *cim.Feature) value { return str(f.Stage.String()) }},
	"parent":    {TypeString, func(f *cim.Feature) value { return str(f.Parent) }},
	"level_min": {TypeNumber, func(f *cim.Feature) value { return value{k: kNumber, n: f.Levels.Min} }},
	"level_max": {TypeNumber, func(f *cim.Feature) value { return value{k: kNumber, n: f.Levels.Max} }},
	"height": {TypeNumber, func(f *cim.Feature) value {
		if _, hi, ok := cim.Heights(f); ok {
			return value{k: kNumber, n: hi}
		}
		return value{}
	}},
	"geometry": {TypeGeometry, func(f *cim.Feature) value {
		if f.Geometry == nil {
			return value{}
		}
		return value{k: kGeom, g: f.Geometry}
	}},
}

// The model's fields also go by the names cim's GeoJSON gives them
// (package geojson: "cim:kind", "cim:level" …), which is what a client
// such as GDAL sees and filters on.
func init() {
	for _, k := range []string{"class", "kind", "dataset", "stage", "parent"} {
		fields["cim:"+k] = fields[k]
	}
	fields["cim:level"] = field{TypeString, func(f *cim.Feature) value { return value{k: kString, s: f.Levels.String()} }}
}

// Bind checks e against q: every property is a queryable, and operands
// have types their operator accepts (no implicit casts: a number property
// compared with a string literal is an error naming both).
func Bind(e Expr, q Queryables) error {
	_, err := Compile(e, q)
	return err
}

func berr(format string, args ...any) error {
	return &Error{Pos: -1, Msg: fmt.Sprintf(format, args...)}
}

// Filter is a compiled expression: it reports whether a feature is
// selected. It allocates nothing and is safe for concurrent use.
type Filter func(f *cim.Feature) bool

// Compile binds e to q (see Bind) and returns the filter that evaluates
// it with CQL2's three-valued logic: only features for which e is TRUE
// are selected; a comparison with a missing or null value is UNKNOWN.
func Compile(e Expr, q Queryables) (Filter, error) {
	c := compiler{q: q}
	p, err := c.pred(e)
	if err != nil {
		return nil, err
	}
	return func(f *cim.Feature) bool { return p(f) == yes }, nil
}

// tri is a truth value of three-valued logic.
type tri uint8

const (
	no tri = iota
	yes
	unknown
)

type predicate func(*cim.Feature) tri

type operand struct {
	typ   Type
	get   func(*cim.Feature) value
	lit   *value // set for literals
	label string // for errors
}

type compiler struct{ q Queryables }

func (c *compiler) operand(e Expr) (operand, error) {
	switch e := e.(type) {
	case Property:
		t, ok := c.q[e.Name]
		if !ok {
			return operand{}, berr("unknown queryable %q", e.Name)
		}
		get := propGetter(e.Name)
		return operand{typ: t, get: get, label: fmt.Sprintf("%s property %q", t, e.Name)}, nil
	case Literal:
		v := fromAny(e.Value)
		t := map[kind]Type{kString: TypeString, kNumber: TypeNumber, kBool: TypeBoolean}[v.k]
		return operand{typ: t, get: func(*cim.Feature) value { return v }, lit: &v, label: fmt.Sprintf("%s %s", t, String(e))}, nil
	case Geometry:
		v := value{k: kGeom, g: e.G}
		return operand{typ: TypeGeometry, get: func(*cim.Feature) value { return v }, lit: &v, label: "geometry " + String(e)}, nil
	}
	return operand{}, berr("expected a property or literal, found %s", String(e))
}

func propGetter(name string) func(*cim.Feature) value {
	if f, ok := fields[name]; ok {
		return f.get
	}
	return func(f *cim.Feature) value { return fromAny(f.Props[name]) }
}

func comparable(a, b Type) bool {
	num := func(t Type) bool { return t == TypeNumber || t == TypeInteger }
	return a == b || num(a) && num(b)
}

func (c *compiler) pred(e Expr) (predicate, error) {
	switch e := e.(type) {
	case Literal:
		b, ok := e.Value.(bool)
		if !ok {
			return nil, berr("expected a predicate, found %s", String(e))
		}
		t := no
		if b {
			t = yes
		}
		return func(*cim.Feature) tri { return t }, nil
	case And, Or:
		args, isAnd := []Expr(nil), false
		if a, ok := e.(And); ok {
			args, isAnd = a.Args, true
		} else {
			args = e.(Or).Args
		}
		ps := make([]predicate, len(args))
		for i, a := range args {
			p, err := c.pred(a)
			if err != nil {
				return nil, err
			}
			ps[i] = p
		}
		if isAnd {
			return allOf(ps), nil
		}
		return anyOf(ps), nil
	case Not:
		p, err := c.pred(e.X)
		if err != nil {
			return nil, err
		}
		return func(f *cim.Feature) tri {
			switch p(f) {
			case yes:
				return no
			case no:
				return yes
			}
			return unknown
		}, nil
	case IsNull:
		x, err := c.operand(e.X)
		if err != nil {
			return nil, err
		}
		return func(f *cim.Feature) tri {
			if x.get(f).k == kNull {
				return yes
			}
			return no
		}, nil
	case Compare:
		return c.compare(e.Op, e.L, e.R)
	case Between:
		lo, err := c.compare(">=", e.X, e.Lo)
		if err != nil {
			return nil, err
		}
		hi, err := c.compare("<=", e.X, e.Hi)
		if err != nil {
			return nil, err
		}
		return allOf([]predicate{lo, hi}), nil
	case In:
		ps := make([]predicate, len(e.List))
		for i, y := range e.List {
			p, err := c.compare("=", e.X, y)
			if err != nil {
				return nil, err
			}
			ps[i] = p
		}
		return anyOf(ps), nil
	case Like:
		x, err := c.operand(e.X)
		if err != nil {
			return nil, err
		}
		pat, ok := e.Pattern.(Literal)
		s, isStr := pat.Value.(string)
		if !ok || !isStr {
			return nil, berr("LIKE needs a string literal pattern, found %s", String(e.Pattern))
		}
		if x.typ != TypeString {
			return nil, berr("LIKE on %s", x.label)
		}
		return func(f *cim.Feature) tri {
			v := x.get(f)
			if v.k != kString {
				return unknown
			}
			if like(v.s, s) {
				return yes
			}
			return no
		}, nil
	case Intersects:
		return c.intersects(e)
	}
	return nil, berr("expected a predicate, found %s", String(e))
}

// pred2 is the conjunction of two predicates.
// allOf is the three-valued AND of ps: no when one is no, yes when all
// are yes, else unknown.
func allOf(ps []predicate) predicate {
	return func(f *cim.Feature) tri {
		r := yes
		for _, p := range ps {
			switch p(f) {
			case no:
				return no
			case unknown:
				r = unknown
			}
		}
		return r
	}
}

// anyOf is the three-valued OR of ps: yes when one is yes, no when all are
// no, else unknown.
func anyOf(ps []predicate) predicate {
	return func(f *cim.Feature) tri {
		r := no
		for _, p := range ps {
			switch p(f) {
			case yes:
				return yes
			case unknown:
				r = unknown
			}
		}
		return r
	}
}

func (c *compiler) compare(op string, l, r Expr) (predicate, error) {
	x, err := c.operand(l)
	if err != nil {
		return nil, err
	}
	y, err := c.operand(r)
	if err != nil {
		return nil, err
	}
	if x.typ == TypeGeometry || y.typ == TypeGeometry {
		return nil, berr("comparing %s with %s: geometries compare only with spatial functions", x.label, y.label)
	}
	if !comparable(x.typ, y.typ) {
		return nil, berr("comparing %s with %s", x.label, y.label)
	}
	if x.typ == TypeBoolean && op != "=" && op != "<>" {
		return nil, berr("operator %s on %s", op, x.label)
	}
	var test func(c int) bool
	switch op {
	case "=":
		test = func(c int) bool { return c == 0 }
	case "<>":
		test = func(c int) bool { return c != 0 }
	case "<":
		test = func(c int) bool { return c < 0 }
	case "<=":
		test = func(c int) bool { return c <= 0 }
	case ">":
		test = func(c int) bool { return c > 0 }
	case ">=":
		test = func(c int) bool { return c >= 0 }
	default:
		return nil, berr("unsupported operator %q", op)
	}
	return func(f *cim.Feature) tri {
		a, b := x.get(f), y.get(f)
		if a.k == kNull || b.k == kNull || a.k != b.k {
			return unknown // null, or a value of another type than declared
		}
		var c int
		switch a.k {
		case kString:
			c = strings.Compare(a.s, b.s)
		case kNumber:
			if math.IsNaN(a.n) || math.IsNaN(b.n) {
				return unknown
			}
			switch {
			case a.n < b.n:
				c = -1
			case a.n > b.n:
				c = 1
			}
		case kBool:
			if a.b != b.b {
				c = 1
			}
		default:
			return unknown
		}
		if test(c) {
			return yes
		}
		return no
	}, nil
}

func (c *compiler) intersects(e Intersects) (predicate, error) {
	x, err := c.operand(e.L)
	if err != nil {
		return nil, err
	}
	y, err := c.operand(e.R)
	if err != nil {
		return nil, err
	}
	if x.typ != TypeGeometry || y.typ != TypeGeometry {
		return nil, berr("S_INTERSECTS of %s and %s: both must be geometries", x.label, y.label)
	}
	if x.lit != nil {
		x, y = y, x
		e.L, e.R = e.R, e.L
	}
	if y.lit != nil {
		var in *intersecter
		if g := e.R.(Geometry); g.Box != nil {
			in = newBoxIntersecter(g.G, *g.Box)
		} else {
			in = newIntersecter(g.G)
		}
		return func(f *cim.Feature) tri {
			a := x.get(f)
			if a.k != kGeom {
				return unknown
			}
			if in.test(a.g) {
				return yes
			}
			return no
		}, nil
	}
	return func(f *cim.Feature) tri {
		a, b := x.get(f), y.get(f)
		if a.k != kGeom || b.k != kGeom {
			return unknown
		}
		if newIntersecter(b.g).test(a.g) {
			return yes
		}
		return no
	}, nil
}

// like matches s against a LIKE pattern: % any run, _ one character, \
// escapes the next. It backtracks only to the last %, so it runs in
// O(len(s)·len(p)) at worst.
func like(s, p string) bool {
	sr, pr := []rune(s), []rune(p)
	i, j, star, mark := 0, 0, -1, 0
	for i < len(sr) {
		if j < len(pr) {
			switch c := pr[j]; {
			case c == '%':
				star, mark = j, i
				j++
				continue
			case c == '\\' && j+1 < len(pr):
				if pr[j+1] == sr[i] {
					i, j = i+1, j+2
					continue
				}
			case c == '_' || c == sr[i]:
				i, j = i+1, j+1
				continue
			}
		}
		if star < 0 {
			return false
		}
		j, mark = star+1, mark+1
		i = mark
	}
	for j < len(pr) && pr[j] == '%' {
		j++
	}
	return j == len(pr)
}

// BBox returns the box the handler may ask the index for: when e is, or
// is a conjunction that contains, an S_INTERSECTS with a geometry
// literal, the bounds of that literal (of all of them, intersected). The
// filter still tests the exact geometry.
func BBox(e Expr) (cim.Box, bool) {
	args := []Expr{e}
	if a, ok := e.(And); ok {
		args = a.Args
	}
	var box cim.Box
	found := false
	for _, a := range args {
		s, ok := a.(Intersects)
		if !ok {
			continue
		}
		_, lp := s.L.(Property)
		_, rp := s.R.(Property)
		var g Geometry
		switch {
		case lp && !rp:
			g, ok = s.R.(Geometry)
		case rp && !lp:
			g, ok = s.L.(Geometry)
		default:
			ok = false
		}
		if !ok {
			continue
		}
		// Of several, the smallest: the boxes are not intersected, since
		// a line or area can meet two boxes without meeting where they
		// overlap; the filter tests the others exactly.
		b := cim.BoundsOf(g.G)
		if !found || area(b) < area(box) {
			box, found = b, true
		}
	}
	return box, found
}

func area(b cim.Box) float64 { return (b.MaxLon - b.MinLon) * (b.MaxLat - b.MinLat) }
