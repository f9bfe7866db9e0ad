package cityjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

type vec3 [3]float64

// rawGeometry is one member of a CityObject's geometry array.
type rawGeometry struct {
	Type       string          `json:"type"`
	LoD        json.RawMessage `json:"lod"`
	Boundaries json.RawMessage `json:"boundaries"`
	Semantics  *struct {
		Surfaces []struct {
			Type string `json:"type"`
		} `json:"surfaces"`
		Values any `json:"values"`
	} `json:"semantics"`
	Template             *int      `json:"template"`
	TransformationMatrix []float64 `json:"transformationMatrix"`
}

// rawTemplates is the geometry-templates member of a file.
type rawTemplates struct {
	Templates []rawGeometry `json:"templates"`
	Vertices  [][]float64   `json:"vertices-templates"`
}

// face is one surface of a geometry, with its vertices resolved to
// coordinates in the file's CRS.
type face struct {
	rings  [][]vec3
	ground bool // semantic surface GroundSurface
	shell  int  // the shell of a solid it bounds, 0 the exterior; −1 in a surface
}

// geometry is a CityJSON geometry with coordinates resolved.
type geometry struct {
	typ     string
	lod     float64 // +Inf when absent or unreadable
	lodText string
	faces   []face
	lines   [][]vec3
	points  []vec3
}

func (g *geometry) solid() bool { return strings.HasSuffix(g.typ, "Solid") }

// vertexFunc returns vertex i, or an error when there is none.
type vertexFunc func(i int) (vec3, error)

// parseLoD reads a lod, a string in CityJSON 1.1 and 2.0 ("2.2") and a
// number in 1.0.
func parseLoD(raw json.RawMessage) (float64, string) {
	t := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return math.Inf(1), ""
	}
	return v, t
}

// decodeGeometry resolves a geometry's boundaries to coordinates. A
// GeometryInstance is resolved through its template: the template's
// vertices transformed by the instance's matrix and moved to its
// reference point.
func decodeGeometry(rg *rawGeometry, at vertexFunc, tpl *rawTemplates) (*geometry, error) {
	g := &geometry{typ: rg.Type}
	g.lod, g.lodText = parseLoD(rg.LoD)
	surface := func(path ...int) bool {
		if rg.Semantics == nil {
			return false
		}
		v := rg.Semantics.Values
		for _, i := range path {
			a, ok := v.([]any)
			if !ok || i >= len(a) {
				return false
			}
			v = a[i]
		}
		k, ok := v.(float64)
		if !ok || k < 0 || int(k) >= len(rg.Semantics.Surfaces) || k != math.Trunc(k) {
			return false
		}
		return rg.Semantics.Surfaces[int(k)].Type == "GroundSurface"
	}
	ring := func(idx []int) ([]vec3, error) {
		r := make([]vec3, 0, len(idx))
		for _, i := range idx {
			v, err := at(i)
			if err != nil {
				return nil, err
			}
			r = append(r, v)
		}
		return r, nil
	}
	addFace := func(rings [][]int, ground bool, shell int) error {
		f := face{ground: ground, shell: shell}
		for _, idx := range rings {
			r, err := ring(idx)
			if err != nil {
				return err
			}
			f.rings = append(f.rings, r)
		}
		if len(f.rings) > 0 {
			g.faces = append(g.faces, f)
		}
		return nil
	}
	switch rg.Type {
	case "MultiPoint":
		var b []int
		if err := unmarshalBoundaries(rg.Boundaries, &b); err != nil {
			return nil, err
		}
		r, err := ring(b)
		if err != nil {
			return nil, err
		}
		g.points = r
	case "MultiLineString":
		var b [][]int
		if err := unmarshalBoundaries(rg.Boundaries, &b); err != nil {
			return nil, err
		}
		for _, l := range b {
			r, err := ring(l)
			if err != nil {
				return nil, err
			}
			g.lines = append(g.lines, r)
		}
	case "MultiSurface", "CompositeSurface":
		var b [][][]int
		if err := unmarshalBoundaries(rg.Boundaries, &b); err != nil {
			return nil, err
		}
		for i, s := range b {
			if err := addFace(s, surface(i), -1); err != nil {
				return nil, err
			}
		}
	case "Solid":
		var b [][][][]int
		if err := unmarshalBoundaries(rg.Boundaries, &b); err != nil {
			return nil, err
		}
		for sh, shell := range b {
			for i, s := range shell {
				if err := addFace(s, surface(sh, i), sh); err != nil {
					return nil, err
				}
			}
		}
	case "MultiSolid", "CompositeSolid":
		var b [][][][][]int
		if err := unmarshalBoundaries(rg.Boundaries, &b); err != nil {
			return nil, err
		}
		for so, solid := range b {
			for sh, shell := range solid {
				for i, s := range shell {
					if err := addFace(s, surface(so, sh, i), sh); err != nil {
						return nil, err
					}
				}
			}
		}
	case "GeometryInstance":
		return decodeInstance(rg, at, tpl)
	case "":
		return nil, errors.New("no type")
	default:
		return nil, fmt.Errorf("unknown type %q", rg.Type)
	}
	return g, nil
}

func unmarshalBoundaries(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return errors.New("no boundaries")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("boundaries: JSON %s where a vertex index or array belongs", te.Value)
		}
		return fmt.Errorf("boundaries: %w", err)
	}
	return nil
}

func decodeInstance(rg *rawGeometry, at vertexFunc, tpl *rawTemplates) (*geometry, error) {
	if tpl == nil {
		return nil, errors.New("the file has no geometry-templates")
	}
	if rg.Template == nil || *rg.Template < 0 || *rg.Template >= len(tpl.Templates) {
		return nil, fmt.Errorf("template index out of range (%d templates)", len(tpl.Templates))
	}
	var ref []int
	if err := unmarshalBoundaries(rg.Boundaries, &ref); err != nil || len(ref) != 1 {
		return nil, errors.New("boundaries must hold one vertex, the reference point")
	}
	origin, err := at(ref[0])
	if err != nil {
		return nil, err
	}
	m := rg.TransformationMatrix
	if len(m) != 16 {
		return nil, fmt.Errorf("transformationMatrix has %d numbers, want 16", len(m))
	}
	tat := func(i int) (vec3, error) {
		if i < 0 || i >= len(tpl.Vertices) {
			return vec3{}, fmt.Errorf("template vertex index %d out of range (%d vertices-templates)", i, len(tpl.Vertices))
		}
		v := tpl.Vertices[i]
		var p vec3
		for r := range 3 {
			p[r] = m[4*r]*v[0] + m[4*r+1]*v[1] + m[4*r+2]*v[2] + m[4*r+3] + origin[r]
		}
		return p, nil
	}
	t := &tpl.Templates[*rg.Template]
	if t.Type == "GeometryInstance" {
		return nil, errors.New("a template is itself a GeometryInstance")
	}
	g, err := decodeGeometry(t, tat, nil)
	if err != nil {
		return nil, fmt.Errorf("template %d: %w", *rg.Template, err)
	}
	if l, s := parseLoD(rg.LoD); s != "" {
		g.lod, g.lodText = l, s
	}
	return g, nil
}

// zrange is the range of heights of a set of points.
type zrange struct {
	min, max float64
	ok       bool
}

func (z *zrange) add(v float64) {
	if !z.ok {
		*z = zrange{v, v, true}
		return
	}
	z.min, z.max = math.Min(z.min, v), math.Max(z.max, v)
}

func (z *zrange) merge(o zrange) {
	if o.ok {
		z.add(o.min)
		z.add(o.max)
	}
}

func (g *geometry) zrange() zrange {
	var z zrange
	for _, f := range g.faces {
		for _, r := range f.rings {
			for _, v := range r {
				z.add(v[2])
			}
		}
	}
	for _, l := range g.lines {
		for _, v := range l {
			z.add(v[2])
		}
	}
	for _, v := range g.points {
		z.add(v[2])
	}
	return z
}
