package index

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"unsafe"

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

// reader decodes a record; the first error sticks. It decodes coordinates
// into its own buffers (flat, ends, parts), which it keeps from record to
// record, and copies them out only for a geometry it returns.
type reader struct {
	b      []byte
	err    error
	coding byte
	px, py int64

	flat  []float64 // ordinates of the geometry read last
	ends  []int     // its ring or line ends, indexes into flat
	parts []int     // for a multipolygon, each polygon's end in ends
}

func (r *reader) reset(b []byte) {
	*r = reader{b: b, flat: r.flat[:0], ends: r.ends[:0], parts: r.parts[:0]}
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

// bytes reads a str without copying it.
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if uint64(len(r.b)) < n {
		r.fail()
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) str() string { return string(r.bytes()) }

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

// coords appends n points to r.flat.
func (r *reader) coords(n int) {
	r.flat = slices.Grow(r.flat, 2*n)
	if r.coding == codingF64 {
		if len(r.b) < n*16 {
			r.fail()
			return
		}
		for i := 0; i < 2*n; i++ {
			r.flat = append(r.flat, math.Float64frombits(binary.LittleEndian.Uint64(r.b[8*i:])))
		}
		r.b = r.b[16*n:]
		return
	}
	for range n {
		r.px += r.varint()
		r.py += r.varint()
		r.flat = append(r.flat, float64(r.px)/1e9, float64(r.py)/1e9)
	}
}

// rings appends a count of rings (or lines) to r.flat and their ends to
// r.ends.
func (r *reader) rings() {
	nr := r.count(1)
	for range nr {
		r.coords(r.count(r.pointSize()))
		r.ends = append(r.ends, len(r.flat))
	}
}

// Fields names parts of a feature that a scan can leave undecoded; see
// Filter.Omit.
type Fields uint8

// The fields a scan can leave out.
const (
	// FieldGeometry is cim.Feature.Geometry.
	FieldGeometry Fields = 1 << iota
	// FieldProps is cim.Feature.Props.
	FieldProps
	// FieldOtherProps is the properties but "name": a map tile labels
	// features and needs no more. Omitted alone, Props holds at most
	// "name".
	FieldOtherProps
)

// decodeRecord fills f from a record; f.ID, f.Dataset and f.Stage come from
// the key and are set by the caller.
func decodeRecord(b []byte, f *cim.Feature) error {
	var r reader
	return r.record(b, f, nil, 0)
}

// record fills f from record b, leaving out the fields in omit, with memory
// from s (nil: the heap).
func (r *reader) record(b []byte, f *cim.Feature, s *slab, omit Fields) error {
	r.reset(b)
	r.head(f, s)
	t := r.geometry()
	if r.err != nil {
		return r.err
	}
	if omit&FieldGeometry == 0 {
		f.Geometry = r.build(t, s)
	}
	if omit&FieldProps != 0 {
		return nil
	}
	f.Props = r.props(nil, s, omit&FieldOtherProps != 0)
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}

// head reads what comes before the geometry into f, or skips it if f is
// nil.
func (r *reader) head(f *cim.Feature, s *slab) {
	if v := r.u8(); v != recordVersion {
		r.err = fmt.Errorf("%w: version %d", errCorrupt, v)
		r.b = nil
		return
	}
	class := cim.Class(r.u8())
	kind := r.bytes()
	var levels cim.LevelRange
	switch r.u8() {
	case 0:
		levels.Min, levels.Max = float64(r.varint())/4, float64(r.varint())/4
	case 1:
		levels.Min, levels.Max = r.f64(), r.f64()
	default:
		r.fail()
	}
	var v cim.Vertical
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
	for _, fact := range [...]struct {
		bit Known
		f   *float64
	}{{cim.KnownHeight, &v.HeightM}, {cim.KnownMinHeight, &v.MinHeightM}, {cim.KnownElevation, &v.ElevationM}, {cim.KnownStoreyHeight, &v.StoreyHeightM}} {
		if v.Has(fact.bit) {
			*fact.f = r.f64()
		}
	}
	parent := r.bytes()
	if f == nil || r.err != nil {
		return
	}
	f.Class, f.Kind, f.Levels, f.Vertical = class, s.intern(kind), levels, v
	f.Parent = s.str(parent)
}

// recordInto is record for a feature whose geometry and property map it
// may reuse: a geometry of the same type gets the new coordinates in its
// own slices, the map is cleared and refilled. Fields in omit are set to
// nil.
func (r *reader) recordInto(b []byte, f *cim.Feature, s *slab, omit Fields) error {
	r.reset(b)
	r.head(f, s)
	t := r.geometry()
	if r.err != nil {
		return r.err
	}
	if omit&FieldGeometry == 0 {
		f.Geometry = r.reuse(t, f.Geometry, s)
	} else {
		f.Geometry = nil
	}
	if omit&FieldProps != 0 {
		f.Props = nil
		return nil
	}
	f.Props = r.props(f.Props, s, omit&FieldOtherProps != 0)
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}

// reuse returns the geometry read last in old if old has its type, else
// in memory from s.
func (r *reader) reuse(t byte, old geom.T, s *slab) geom.T {
	switch old := old.(type) {
	case *geom.Point:
		if t == gPoint {
			*old = *geom.NewPointFlat(geom.XY, append(old.FlatCoords()[:0], r.flat...))
			return old
		}
	case *geom.LineString:
		if t == gLineString {
			*old = *geom.NewLineStringFlat(geom.XY, append(old.FlatCoords()[:0], r.flat...))
			return old
		}
	case *geom.Polygon:
		if t == gPolygon {
			*old = *geom.NewPolygonFlat(geom.XY, append(old.FlatCoords()[:0], r.flat...), append(old.Ends()[:0], r.ends...))
			return old
		}
	}
	return r.build(t, s)
}

// geometry reads the coordinates of a geometry into r.flat, r.ends and
// r.parts and returns its type.
func (r *reader) geometry() byte {
	t := r.u8()
	if r.coding = r.u8(); r.coding > codingNano {
		r.fail()
		return 0
	}
	switch t {
	case gPoint:
		r.coords(1)
	case gMultiPoint, gLineString:
		r.coords(r.count(r.pointSize()))
	case gMultiLineString, gPolygon:
		r.rings()
	case gMultiPolygon:
		np := r.count(1)
		for range np {
			r.rings()
			r.parts = append(r.parts, len(r.ends))
		}
	default:
		r.fail()
	}
	return t
}

// build returns the geometry read last, in memory from s.
func (r *reader) build(t byte, s *slab) geom.T {
	flat := s.floats(r.flat)
	switch t {
	case gPoint:
		return geom.NewPointFlat(geom.XY, flat)
	case gMultiPoint:
		return geom.NewMultiPointFlat(geom.XY, flat)
	case gLineString:
		return geom.NewLineStringFlat(geom.XY, flat)
	case gMultiLineString:
		return geom.NewMultiLineStringFlat(geom.XY, flat, s.ints(r.ends))
	case gPolygon:
		return s.polygon(flat, s.ints(r.ends))
	case gMultiPolygon:
		ends := s.ints(r.ends)
		endss := make([][]int, len(r.parts))
		start := 0
		for i, end := range r.parts {
			endss[i] = ends[start:end:end]
			start = end
		}
		return geom.NewMultiPolygonFlat(geom.XY, flat, endss)
	}
	return nil
}

// view returns the geometry read last without copying it: valid until the
// reader reads another. Points, lines and polygons cost no allocation.
func (r *reader) view(t byte, v *geomView) geom.T {
	switch t {
	case gPoint:
		v.pt = *geom.NewPointFlat(geom.XY, r.flat)
		return &v.pt
	case gLineString:
		v.ls = *geom.NewLineStringFlat(geom.XY, r.flat)
		return &v.ls
	case gPolygon:
		v.poly = *geom.NewPolygonFlat(geom.XY, r.flat, r.ends)
		return &v.poly
	case gMultiLineString:
		v.mls = *geom.NewMultiLineStringFlat(geom.XY, r.flat, r.ends)
		return &v.mls
	}
	return r.build(t, nil)
}

// geomView holds the geometries reader.view returns.
type geomView struct {
	pt   geom.Point
	ls   geom.LineString
	poly geom.Polygon
	mls  geom.MultiLineString
}

// props reads the properties into m, cleared, or a new map if m is nil.
// Keys come from s.
func (r *reader) props(m map[string]any, s *slab, nameOnly bool) map[string]any {
	n := r.count(2)
	if n == 0 {
		return nil
	}
	switch {
	case m != nil:
		clear(m)
	case nameOnly: // made when there is a name
	default:
		m = make(map[string]any, n)
	}
	for range n {
		kb := r.bytes()
		if nameOnly && string(kb) != "name" {
			r.skipValue()
			continue
		}
		if m == nil {
			m = make(map[string]any, 1)
		}
		k := s.intern(kb)
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
			if err := json.Unmarshal(r.bytes(), &v); err != nil {
				r.fail()
			}
			m[k] = v
		default:
			r.fail()
		}
	}
	return m
}

// skipValue reads past a property's value without decoding it.
func (r *reader) skipValue() {
	switch r.u8() {
	case vNull, vFalse, vTrue:
	case vNumber:
		r.f64()
	case vString, vJSON:
		r.bytes()
	default:
		r.fail()
	}
}

// slab hands out the memory of the features a scan returns in chunks, so
// that a feature costs a fraction of an allocation rather than five. A
// feature kept by a caller keeps its chunks alive: at most slabFeatures
// features and slabFloats ordinates. The nil slab allocates each piece on
// its own.
type slab struct {
	feats []cim.Feature
	polys []geom.Polygon
	fbuf  []float64
	ibuf  []int
	text  []byte // ids; never written again once a string refers to them
	kinds map[string]string
}

const (
	slabFeatures = 32
	slabFloats   = 1024
	slabInts     = 64
	slabText     = 1024
	maxKinds     = 256
)

func (s *slab) feature() *cim.Feature {
	if s == nil {
		return new(cim.Feature)
	}
	if len(s.feats) == 0 {
		s.feats = make([]cim.Feature, slabFeatures)
	}
	f := &s.feats[0]
	s.feats = s.feats[1:]
	return f
}

func (s *slab) polygon(flat []float64, ends []int) *geom.Polygon {
	if s == nil {
		return geom.NewPolygonFlat(geom.XY, flat, ends)
	}
	if len(s.polys) == 0 {
		s.polys = make([]geom.Polygon, slabFeatures)
	}
	p := &s.polys[0]
	s.polys = s.polys[1:]
	*p = *geom.NewPolygonFlat(geom.XY, flat, ends)
	return p
}

// floats returns a copy of v from the slab's memory.
func (s *slab) floats(v []float64) []float64 {
	if s == nil {
		return append(make([]float64, 0, len(v)), v...)
	}
	return carve(&s.fbuf, slabFloats, v)
}

// ints is floats for ring ends.
func (s *slab) ints(v []int) []int {
	if s == nil {
		return append(make([]int, 0, len(v)), v...)
	}
	return carve(&s.ibuf, slabInts, v)
}

// carve copies v to the front of *buf, taking a new chunk of the given
// size when *buf is too short. The copy's capacity is its length, so that
// an append by its owner cannot reach into another feature's values. A v
// of over a quarter of a chunk gets memory of its own.
func carve[T any](buf *[]T, chunk int, v []T) []T {
	n := len(v)
	if n == 0 || n > chunk/4 {
		return append(make([]T, 0, n), v...)
	}
	if len(*buf) < n {
		*buf = make([]T, chunk)
	}
	d := (*buf)[:n:n]
	*buf = (*buf)[n:]
	copy(d, v)
	return d
}

// str returns b as a string. The strings of one slab share their memory.
func (s *slab) str(b []byte) string {
	if s == nil || len(b) == 0 || len(b) > slabText/4 {
		return string(b)
	}
	if cap(s.text)-len(s.text) < len(b) {
		s.text = make([]byte, 0, slabText)
	}
	n := len(s.text)
	s.text = append(s.text, b...)
	// The bytes are never written again: s.text only grows into fresh
	// capacity or is replaced.
	return unsafe.String(&s.text[n], len(b))
}

// intern returns b as a string, the same string for the same kind: a scan
// meets a few kinds many times.
func (s *slab) intern(b []byte) string {
	if s == nil || len(b) == 0 {
		return string(b)
	}
	if k, ok := s.kinds[string(b)]; ok {
		return k
	}
	k := string(b)
	if len(s.kinds) < maxKinds {
		if s.kinds == nil {
			s.kinds = map[string]string{}
		}
		s.kinds[k] = k
	}
	return k
}
