package index

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/future-community/cim/cim"
	"github.com/twpayne/go-geom"
)

// A record is the stored form of a feature, the value of its 'F' key. The
// id, dataset and stage are in the key. Layout (version 1):
//
//	u8 version=1, u8 class, str kind, levels, uvarint known, then each
//	known vertical fact in field order (levels as varint, heights as f64),
//	str parent, geometry, uvarint property count, then per property:
//	str key, u8 type, value (0 null, 1 false, 2 true, 3 f64, 4 str,
//	5 str holding JSON).
//
// levels is u8 0 and the min and max as zigzag varints of quarter levels,
// or u8 1 and two f64 for other values. geometry is u8 type, u8 coding and
// the coordinates nested in uvarint counts (points, rings, polygons).
// Coding 1 writes each ordinate as the zigzag varint difference, in
// nanodegrees, from the previous one of its axis (starting at 0); it is
// used when every ordinate survives the round trip exactly, as all with
// at most nine decimals do (OSM has seven). Coding 0 writes f64 pairs.
// A 10 m building then takes about 3 bytes per ordinate instead of 8.
//
// str is a uvarint length and the bytes; f64 is IEEE 754 little-endian.
// Properties are written in key order, so equal features encode equally.
const recordVersion = 1

const (
	gPoint = iota + 1
	gMultiPoint
	gLineString
	gMultiLineString
	gPolygon
	gMultiPolygon
)

const (
	vNull = iota
	vFalse
	vTrue
	vNumber
	vString
	vJSON
)

// errCorrupt is wrapped by decoding errors.
var errCorrupt = errors.New("corrupt record")

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendF64(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// appendRecord encodes f (whose geometry has layout XY) after b.
func appendRecord(b []byte, f *cim.Feature) ([]byte, error) {
	b = append(b, recordVersion, byte(f.Class))
	b = appendStr(b, f.Kind)
	b = appendLevels(b, f.Levels)
	v := &f.Vertical
	b = binary.AppendUvarint(b, uint64(v.Known))
	for _, k := range []struct {
		bit Known
		i   *int
		f   *float64
	}{
		{cim.KnownLevelsAbove, &v.LevelsAbove, nil}, {cim.KnownLevelsBelow, &v.LevelsBelow, nil},
		{cim.KnownRoofLevels, &v.RoofLevels, nil}, {cim.KnownHeight, nil, &v.HeightM},
		{cim.KnownMinHeight, nil, &v.MinHeightM}, {cim.KnownElevation, nil, &v.ElevationM},
		{cim.KnownStoreyHeight, nil, &v.StoreyHeightM},
	} {
		if v.Known&k.bit == 0 {
			continue
		}
		if k.i != nil {
			b = binary.AppendVarint(b, int64(*k.i))
		} else {
			b = appendF64(b, *k.f)
		}
	}
	b = appendStr(b, f.Parent)
	b, err := appendGeometry(b, f.Geometry)
	if err != nil {
		return nil, err
	}
	return appendProps(b, f.Props)
}

// Known is cim.Known, named here to keep the table above short.
type Known = cim.Known

const (
	codingF64  = 0
	codingNano = 1
)

// nano returns v in nanodegrees and whether that is exact.
func nano(v float64) (int64, bool) {
	n := math.Round(v * 1e9)
	return int64(n), n/1e9 == v && math.Abs(n) < 1<<62
}

func appendLevels(b []byte, r cim.LevelRange) []byte {
	lo, hi := r.Min*4, r.Max*4
	if lo == math.Trunc(lo) && hi == math.Trunc(hi) && math.Abs(lo) < 1<<30 && math.Abs(hi) < 1<<30 {
		b = append(b, 0)
		b = binary.AppendVarint(b, int64(lo))
		return binary.AppendVarint(b, int64(hi))
	}
	return appendF64(appendF64(append(b, 1), r.Min), r.Max)
}

// coordWriter writes ordinates in one coding.
type coordWriter struct {
	coding byte
	px, py int64
}

func (w *coordWriter) append(b []byte, flat []float64) []byte {
	if w.coding == codingF64 {
		for _, c := range flat {
			b = appendF64(b, c)
		}
		return b
	}
	for i := 0; i+1 < len(flat); i += 2 {
		x, _ := nano(flat[i])
		y, _ := nano(flat[i+1])
		b = binary.AppendVarint(b, x-w.px)
		b = binary.AppendVarint(b, y-w.py)
		w.px, w.py = x, y
	}
	return b
}

func (w *coordWriter) rings(b []byte, flat []float64, start int, ends []int) []byte {
	b = binary.AppendUvarint(b, uint64(len(ends)))
	for _, end := range ends {
		b = binary.AppendUvarint(b, uint64((end-start)/2))
		b = w.append(b, flat[start:end])
		start = end
	}
	return b
}

func appendGeometry(b []byte, g geom.T) ([]byte, error) {
	if g == nil {
		return nil, cim.ErrNoGeometry
	}
	if g.Stride() != 2 {
		return nil, fmt.Errorf("geometry layout %v: the store keeps XY footprints (cim.Normalize drops Z)", g.Layout())
	}
	flat := g.FlatCoords()
	w := coordWriter{coding: codingNano}
	for _, c := range flat {
		if _, ok := nano(c); !ok {
			w.coding = codingF64
			break
		}
	}
	switch g := g.(type) {
	case *geom.Point:
		b = append(b, gPoint, w.coding)
		return w.append(b, flat), nil
	case *geom.MultiPoint:
		b = append(b, gMultiPoint, w.coding)
		b = binary.AppendUvarint(b, uint64(len(flat)/2))
		return w.append(b, flat), nil
	case *geom.LineString:
		b = append(b, gLineString, w.coding)
		b = binary.AppendUvarint(b, uint64(len(flat)/2))
		return w.append(b, flat), nil
	case *geom.MultiLineString:
		b = append(b, gMultiLineString, w.coding)
		return w.rings(b, flat, 0, g.Ends()), nil
	case *geom.Polygon:
		b = append(b, gPolygon, w.coding)
		return w.rings(b, flat, 0, g.Ends()), nil
	case *geom.MultiPolygon:
		b = append(b, gMultiPolygon, w.coding)
		endss := g.Endss()
		b = binary.AppendUvarint(b, uint64(len(endss)))
		start := 0
		for _, ends := range endss {
			b = w.rings(b, flat, start, ends)
			if len(ends) > 0 {
				start = ends[len(ends)-1]
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("unsupported geometry %T", g)
}

func appendProps(b []byte, props map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendStr(b, k)
		switch v := props[k].(type) {
		case nil:
			b = append(b, vNull)
		case bool:
			if v {
				b = append(b, vTrue)
			} else {
				b = append(b, vFalse)
			}
		case float64:
			b = appendF64(append(b, vNumber), v)
		case int:
			b = appendF64(append(b, vNumber), float64(v))
		case int64:
			b = appendF64(append(b, vNumber), float64(v))
		case string:
			b = appendStr(append(b, vString), v)
		case json.Number:
			f, err := v.Float64()
			if err != nil {
				return nil, fmt.Errorf("property %q: %w", k, err)
			}
			b = appendF64(append(b, vNumber), f)
		default:
			j, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("property %q: %w", k, err)
			}
			b = appendStr(append(b, vJSON), string(j))
		}
	}
	return b, nil
}

// reader decodes a record; the first error sticks.
type reader struct {
	b      []byte
	err    error
	coding byte
	px, py int64
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

func (r *reader) u8() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) f64() float64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *reader) str() string {
	n := r.uvarint()
	if uint64(len(r.b)) < n {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// count reads a uvarint count of items of at least min bytes each and
// checks it against what is left, so corrupt input cannot ask for a huge
// allocation.
func (r *reader) count(minSize int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/minSize) {
		r.fail()
		return 0
	}
	return int(n)
}

// pointSize is the fewest bytes a point takes in the reader's coding.
func (r *reader) pointSize() int {
	if r.coding == codingF64 {
		return 16
	}
	return 2
}

func (r *reader) coords(flat []float64, n int) []float64 {
	if r.coding == codingF64 {
		if len(r.b) < n*16 {
			r.fail()
			return flat
		}
		for i := 0; i < 2*n; i++ {
			flat = append(flat, math.Float64frombits(binary.LittleEndian.Uint64(r.b[8*i:])))
		}
		r.b = r.b[16*n:]
		return flat
	}
	for range n {
		r.px += r.varint()
		r.py += r.varint()
		flat = append(flat, float64(r.px)/1e9, float64(r.py)/1e9)
	}
	return flat
}

func (r *reader) rings(flat []float64) ([]float64, []int) {
	nr := r.count(1)
	ends := make([]int, 0, nr)
	for range nr {
		flat = r.coords(flat, r.count(r.pointSize()))
		ends = append(ends, len(flat))
	}
	return flat, ends
}

// decodeRecord fills f from a record; f.ID, f.Dataset and f.Stage come from
// the key and are set by the caller.
func decodeRecord(b []byte, f *cim.Feature) error {
	r := &reader{b: b}
	if v := r.u8(); v != recordVersion {
		return fmt.Errorf("%w: version %d", errCorrupt, v)
	}
	f.Class = cim.Class(r.u8())
	f.Kind = r.str()
	switch r.u8() {
	case 0:
		f.Levels.Min, f.Levels.Max = float64(r.varint())/4, float64(r.varint())/4
	case 1:
		f.Levels.Min, f.Levels.Max = r.f64(), r.f64()
	default:
		r.fail()
	}
	v := &f.Vertical
	v.Known = cim.Known(r.uvarint())
	if v.Has(cim.KnownLevelsAbove) {
		v.LevelsAbove = int(r.varint())
	}
	if v.Has(cim.KnownLevelsBelow) {
		v.LevelsBelow = int(r.varint())
	}
	if v.Has(cim.KnownRoofLevels) {
		v.RoofLevels = int(r.varint())
	}
	for _, fact := range []struct {
		bit Known
		f   *float64
	}{{cim.KnownHeight, &v.HeightM}, {cim.KnownMinHeight, &v.MinHeightM}, {cim.KnownElevation, &v.ElevationM}, {cim.KnownStoreyHeight, &v.StoreyHeightM}} {
		if v.Has(fact.bit) {
			*fact.f = r.f64()
		}
	}
	f.Parent = r.str()
	f.Geometry = r.geometry()
	f.Props = r.props()
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}

func (r *reader) geometry() geom.T {
	t := r.u8()
	if r.coding = r.u8(); r.coding > codingNano {
		r.fail()
		return nil
	}
	switch t {
	case gPoint:
		return geom.NewPointFlat(geom.XY, r.coords(make([]float64, 0, 2), 1))
	case gMultiPoint:
		n := r.count(r.pointSize())
		return geom.NewMultiPointFlat(geom.XY, r.coords(make([]float64, 0, 2*n), n))
	case gLineString:
		n := r.count(r.pointSize())
		return geom.NewLineStringFlat(geom.XY, r.coords(make([]float64, 0, 2*n), n))
	case gMultiLineString:
		flat, ends := r.rings(nil)
		return geom.NewMultiLineStringFlat(geom.XY, flat, ends)
	case gPolygon:
		flat, ends := r.rings(nil)
		return geom.NewPolygonFlat(geom.XY, flat, ends)
	case gMultiPolygon:
		np := r.count(1)
		var flat []float64
		endss := make([][]int, 0, np)
		for range np {
			var ends []int
			flat, ends = r.rings(flat)
			endss = append(endss, ends)
		}
		return geom.NewMultiPolygonFlat(geom.XY, flat, endss)
	}
	r.fail()
	return nil
}

func (r *reader) props() map[string]any {
	n := r.count(2)
	if n == 0 {
		return nil
	}
	m := make(map[string]any, n)
	for range n {
		k := r.str()
		switch r.u8() {
		case vNull:
			m[k] = nil
		case vFalse:
			m[k] = false
		case vTrue:
			m[k] = true
		case vNumber:
			m[k] = r.f64()
		case vString:
			m[k] = r.str()
		case vJSON:
			var v any
			if err := json.Unmarshal([]byte(r.str()), &v); err != nil {
				r.fail()
			}
			m[k] = v
		default:
			r.fail()
		}
	}
	return m
}
