// Package geojson writes cim features as GeoJSON (RFC 7946) and GeoJSONSeq
// (RFC 8142), streaming, in the property convention that cim's GeoJSON
// reader (ingest/geojson) reads back: the feature's source properties plus
// the reserved cim: keys.
package geojson

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

// Writer writes features as a GeoJSON FeatureCollection or as GeoJSONSeq
// (one feature per line), streaming: features are written as they come.
// Each feature's properties are its source properties plus the cim: ones
// the Reader understands (cim:class, cim:kind, cim:level, cim:stage,
// cim:parent, cim:elevation, cim:storey_height), cim:dataset for the
// reader's information (the Reader takes the dataset from its options),
// and the vertical facts in OSM tag form where the source properties lack
// them, so that what is written reads back to the same feature.
type Writer struct {
	w     *bufio.Writer
	seq   bool
	n     int
	buf   []byte
	keys  []string
	extra map[string]any
}

// NewWriter returns a Writer to w; seq selects GeoJSONSeq.
func NewWriter(w io.Writer, seq bool) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), seq: seq, extra: map[string]any{}}
}

// Encoder appends features to byte slices as the Writer writes them, for
// a caller that frames them itself (a page of an API). Its zero value is
// ready; it keeps its scratch space between calls, so keep one per
// goroutine (a sync.Pool) rather than one per feature.
type Encoder struct {
	keys  []string
	extra map[string]any
}

// Append appends f as a GeoJSON Feature object.
func (e *Encoder) Append(b []byte, f *cim.Feature) ([]byte, error) {
	if e.extra == nil {
		e.extra = map[string]any{}
	}
	w := Writer{keys: e.keys, extra: e.extra}
	b, err := w.appendFeature(b, f)
	e.keys = w.keys
	return b, err
}

// Write writes one feature.
func (w *Writer) Write(f *cim.Feature) error {
	b := w.buf[:0]
	if !w.seq {
		if w.n == 0 {
			b = append(b, `{"type":"FeatureCollection","features":[`+"\n"...)
		} else {
			b = append(b, ",\n"...)
		}
	}
	b, err := w.appendFeature(b, f)
	if err != nil {
		return err
	}
	if w.seq {
		b = append(b, '\n')
	}
	w.buf = b
	if _, err = w.w.Write(b); err != nil {
		return err
	}
	w.n++
	return nil
}

func (w *Writer) appendFeature(b []byte, f *cim.Feature) ([]byte, error) {
	b = append(b, `{"type":"Feature","id":`...)
	b = appendString(b, f.ID)
	b = append(b, `,"geometry":`...)
	b = AppendGeometry(b, f.Geometry)
	b = append(b, `,"properties":`...)
	b, err := w.appendProps(b, f)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

func (w *Writer) appendProps(b []byte, f *cim.Feature) ([]byte, error) {
	clear(w.extra)
	x := w.extra
	x["cim:class"] = f.Class.String()
	if f.Kind != "" {
		x["cim:kind"] = f.Kind
	}
	x["cim:level"] = f.Levels.String()
	x["cim:stage"] = f.Stage.String()
	x["cim:dataset"] = f.Dataset
	if f.Parent != "" {
		x["cim:parent"] = f.Parent
	}
	v := f.Vertical
	fact := func(k cim.Known, key string, val any) {
		if _, ok := f.Props[key]; !ok && v.Has(k) {
			x[key] = val
		}
	}
	fact(cim.KnownLevelsAbove, "building:levels", float64(v.LevelsAbove))
	fact(cim.KnownLevelsBelow, "building:levels:underground", float64(v.LevelsBelow))
	fact(cim.KnownRoofLevels, "roof:levels", float64(v.RoofLevels))
	fact(cim.KnownHeight, "height", v.HeightM)
	fact(cim.KnownMinHeight, "min_height", v.MinHeightM)
	fact(cim.KnownElevation, "cim:elevation", v.ElevationM)
	fact(cim.KnownStoreyHeight, "cim:storey_height", v.StoreyHeightM)

	keys := w.keys[:0]
	for k := range f.Props {
		if _, dup := x[k]; !dup && !Reserved(k) {
			keys = append(keys, k)
		}
	}
	for k := range x {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.keys = keys
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		val, ok := x[k]
		if !ok {
			val = f.Props[k]
		}
		var err error
		if b, err = appendValue(b, val); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case float64:
		return appendNumber(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	}
	j, err := json.Marshal(v)
	return append(b, j...), err
}

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, everything else as
// it is (Chinese names stay readable).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029': // valid JSON, but not JavaScript
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func appendNumber(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...) // JSON has no NaN
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// Close ends the FeatureCollection (an empty one if nothing was written)
// and flushes.
func (w *Writer) Close() error {
	if !w.seq {
		if w.n == 0 {
			w.w.WriteString(`{"type":"FeatureCollection","features":[`)
		}
		w.w.WriteString("\n]}\n")
	}
	return w.w.Flush()
}

// AppendGeometry appends g as a GeoJSON geometry object, coordinates in
// the shortest form that reads back exactly.
func AppendGeometry(b []byte, g geom.T) []byte {
	flat, stride := g.FlatCoords(), g.Stride()
	pos := func(b []byte, i int) []byte {
		b = append(b, '[')
		b = appendNumber(b, flat[i])
		b = append(b, ',')
		b = appendNumber(b, flat[i+1])
		return append(b, ']')
	}
	line := func(b []byte, start, end int) []byte {
		b = append(b, '[')
		for i := start; i < end; i += stride {
			if i > start {
				b = append(b, ',')
			}
			b = pos(b, i)
		}
		return append(b, ']')
	}
	lines := func(b []byte, start int, ends []int) []byte {
		b = append(b, '[')
		for j, end := range ends {
			if j > 0 {
				b = append(b, ',')
			}
			b = line(b, start, end)
			start = end
		}
		return append(b, ']')
	}
	switch g := g.(type) {
	case *geom.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = pos(b, 0)
	case *geom.MultiPoint:
		b = append(b, `{"type":"MultiPoint","coordinates":`...)
		b = line(b, 0, len(flat))
	case *geom.LineString:
		b = append(b, `{"type":"LineString","coordinates":`...)
		b = line(b, 0, len(flat))
	case *geom.MultiLineString:
		b = append(b, `{"type":"MultiLineString","coordinates":`...)
		b = lines(b, 0, g.Ends())
	case *geom.Polygon:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = lines(b, 0, g.Ends())
	case *geom.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		start := 0
		for j, ends := range g.Endss() {
			if j > 0 {
				b = append(b, ',')
			}
			b = lines(b, start, ends)
			if len(ends) > 0 {
				start = ends[len(ends)-1]
			}
		}
		b = append(b, ']')
	default:
		return append(b, "null"...)
	}
	return append(b, '}')
}

// reserved are the property keys that carry cim's own fields.
var reserved = map[string]bool{
	"cim:class": true, "cim:kind": true, "cim:level": true, "cim:stage": true, "cim:parent": true,
	"cim:elevation": true, "cim:storey_height": true, "cim:dataset": true, "cim:id": true,
}

// Reserved reports whether k is a property key that carries one of cim's
// own fields (cim:class, cim:stage, …) rather than a source property.
func Reserved(k string) bool { return reserved[k] }
