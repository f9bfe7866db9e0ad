package cql2

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/twpayne/go-geom"
)

// ParseJSON parses a CQL2 JSON expression. Errors name the JSON pointer
// of the offending member: `cql2: at /args/1: unsupported operator "t_after"`.
func ParseJSON(b []byte) (Expr, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		pos := -1
		if se, ok := err.(*json.SyntaxError); ok {
			pos = int(se.Offset)
		}
		return nil, &Error{Pos: pos, Msg: "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	e, err := fromJSON(v, "", 0)
	if err != nil {
		return nil, err
	}
	if !isBoolean(e) {
		return nil, &Error{Pos: -1, Path: "/", Msg: "the filter is not a boolean expression"}
	}
	return e, nil
}

func jerr(path, format string, args ...any) error {
	if path == "" {
		path = "/"
	}
	return &Error{Pos: -1, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// fromJSON converts one decoded JSON value at path.
func fromJSON(v any, path string, depth int) (Expr, error) {
	if depth > MaxDepth {
		return nil, jerr(path, "nested deeper than %d", MaxDepth)
	}
	switch v := v.(type) {
	case string:
		return Literal{v}, nil
	case float64:
		return Literal{v}, nil
	case bool:
		return Literal{v}, nil
	case nil:
		return nil, jerr(path, "unsupported null literal")
	case []any:
		return nil, jerr(path, "unexpected array")
	}
	obj := v.(map[string]any)
	if p, ok := obj["property"]; ok {
		name, ok := p.(string)
		if !ok || name == "" || len(obj) != 1 {
			return nil, jerr(path, `malformed {"property": name}`)
		}
		return Property{name}, nil
	}
	if bb, ok := obj["bbox"]; ok {
		arr, ok := bb.([]any)
		if !ok || len(obj) != 1 {
			return nil, jerr(path, `malformed {"bbox": [w,s,e,n]}`)
		}
		var nums []float64
		for _, x := range arr {
			f, ok := x.(float64)
			if !ok {
				return nil, jerr(path+"/bbox", "bbox holds a non-number")
			}
			nums = append(nums, f)
		}
		g, err := bboxGeometry(nums)
		if err != nil {
			return nil, jerr(path+"/bbox", "%v", err)
		}
		return g, nil
	}
	if _, ok := obj["type"]; ok {
		return geoJSON(obj, path)
	}
	for _, k := range []string{"timestamp", "date", "interval"} {
		if _, ok := obj[k]; ok {
			return nil, jerr(path, "unsupported temporal literal %q", k)
		}
	}
	opv, ok := obj["op"]
	if !ok {
		return nil, jerr(path, "expected an object with op, property, bbox or a GeoJSON type")
	}
	op, ok := opv.(string)
	if !ok {
		return nil, jerr(path+"/op", "op is not a string")
	}
	raw, ok := obj["args"].([]any)
	if !ok {
		return nil, jerr(path, "operator %q without an args array", op)
	}
	args := make([]Expr, len(raw))
	for i, a := range raw {
		p := path + "/args/" + strconv.Itoa(i)
		if l, ok := a.([]any); ok && op == "in" && i == 1 {
			list := make([]Expr, len(l))
			for j, x := range l {
				e, err := fromJSON(x, p+"/"+strconv.Itoa(j), depth+1)
				if err != nil {
					return nil, err
				}
				list[j] = e
			}
			args[i] = In{List: list} // unpacked below
			continue
		}
		e, err := fromJSON(a, p, depth+1)
		if err != nil {
			return nil, err
		}
		args[i] = e
	}
	want := func(n int) error {
		if len(args) != n {
			return jerr(path+"/args", "operator %q takes %d arguments, found %d", op, n, len(args))
		}
		return nil
	}
	boolArgs := func() error {
		for i, a := range args {
			if !isBoolean(a) {
				return jerr(path+"/args/"+strconv.Itoa(i), "expected a predicate, found %s", String(a))
			}
		}
		return nil
	}
	if op != "and" && op != "or" && op != "not" {
		for i, a := range args {
			switch a.(type) {
			case Property, Literal, Geometry, In:
			default:
				return nil, jerr(path+"/args/"+strconv.Itoa(i), "expected a property or literal, found %s", String(a))
			}
		}
	}
	switch op {
	case "and", "or":
		if len(args) < 2 {
			return nil, jerr(path+"/args", "operator %q takes at least 2 arguments, found %d", op, len(args))
		}
		if err := boolArgs(); err != nil {
			return nil, err
		}
		if op == "and" {
			return and(args...), nil
		}
		return or(args...), nil
	case "not":
		if err := want(1); err != nil {
			return nil, err
		}
		if err := boolArgs(); err != nil {
			return nil, err
		}
		return Not{args[0]}, nil
	case "=", "<>", "<", "<=", ">", ">=":
		if err := want(2); err != nil {
			return nil, err
		}
		return Compare{op, args[0], args[1]}, nil
	case "isNull":
		if err := want(1); err != nil {
			return nil, err
		}
		return IsNull{args[0]}, nil
	case "like":
		if err := want(2); err != nil {
			return nil, err
		}
		return Like{args[0], args[1]}, nil
	case "between":
		if err := want(3); err != nil {
			return nil, err
		}
		return Between{args[0], args[1], args[2]}, nil
	case "in":
		if err := want(2); err != nil {
			return nil, err
		}
		l, ok := args[1].(In)
		if !ok {
			return nil, jerr(path+"/args/1", `"in" takes a list as its second argument`)
		}
		return In{args[0], l.List}, nil
	case "s_intersects":
		if err := want(2); err != nil {
			return nil, err
		}
		return Intersects{args[0], args[1]}, nil
	}
	return nil, jerr(path+"/op", "unsupported operator %q", op)
}

// geoJSON converts a GeoJSON geometry object.
func geoJSON(obj map[string]any, path string) (Expr, error) {
	t, _ := obj["type"].(string)
	kind := map[string]string{
		"Point": "POINT", "LineString": "LINESTRING", "Polygon": "POLYGON",
		"MultiPoint": "MULTIPOINT", "MultiLineString": "MULTILINESTRING", "MultiPolygon": "MULTIPOLYGON",
	}[t]
	if kind == "" {
		return nil, jerr(path+"/type", "unsupported geometry type %q", t)
	}
	c, ok := obj["coordinates"]
	if !ok {
		return nil, jerr(path, "geometry without coordinates")
	}
	depth := map[string]int{"POINT": 0, "LINESTRING": 1, "MULTIPOINT": 1, "POLYGON": 2, "MULTILINESTRING": 2, "MULTIPOLYGON": 3}[kind]
	var n *nested
	var err error
	if depth == 0 {
		var xy geom.Coord
		xy, err = position(c)
		n = &nested{coords: []geom.Coord{xy}}
	} else {
		n, err = positions(c, depth)
	}
	if err != nil {
		return nil, jerr(path+"/coordinates", "%v", err)
	}
	g, err := build(kind, n)
	if err != nil {
		return nil, jerr(path, "%s: %v", t, err)
	}
	return Geometry{G: g}, nil
}

func position(v any) (geom.Coord, error) {
	a, ok := v.([]any)
	if !ok || len(a) < 2 {
		return nil, fmt.Errorf("expected a position [x, y]")
	}
	if len(a) > 2 {
		return nil, fmt.Errorf("only 2D coordinates are supported")
	}
	x, ok1 := a[0].(float64)
	y, ok2 := a[1].(float64)
	if !ok1 || !ok2 || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return nil, fmt.Errorf("expected a position [x, y]")
	}
	return geom.Coord{x, y}, nil
}

// positions reads an array nested depth deep whose leaves are positions.
func positions(v any, depth int) (*nested, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected an array")
	}
	n := &nested{}
	for _, x := range a {
		if depth == 1 {
			c, err := position(x)
			if err != nil {
				return nil, err
			}
			n.coords = append(n.coords, c)
			continue
		}
		l, err := positions(x, depth-1)
		if err != nil {
			return nil, err
		}
		n.lists = append(n.lists, l)
	}
	return n, nil
}
