package tiles

import (
	"github.com/future-community/cim/cim"
	"github.com/gogo/protobuf/proto"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// A tile is encoded straight into orb's vector tile messages rather than
// through mvt.Marshal, which wants a geojson.Feature and a property map
// per feature and boxes every value to deduplicate it: a fifth of a dense
// tile's allocations went there. The result is the same bytes as
// mvt.Marshal gives for the same features (TestEncodeMatchesOrb): tags in
// the order of sorted keys, keys and values in the order first used.

// MVT geometry commands (MVT 2.1, 4.3.1).
const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// Geometry types, addressable for the messages' pointer fields.
var (
	typePoint   = vectortile.Tile_POINT
	typeLine    = vectortile.Tile_LINESTRING
	typePolygon = vectortile.Tile_POLYGON
)

// geomEncoder appends a geometry's commands, its cursor carried from one
// part to the next as MVT wants.
type geomEncoder struct {
	x, y int32
	data []uint32
}

func (e *geomEncoder) cmd(id, count int) { e.data = append(e.data, uint32(count)<<3|uint32(id)) }

func (e *geomEncoder) points(pts []orb.Point) {
	for _, p := range pts {
		x, y := int32(p[0]), int32(p[1])
		dx, dy := x-e.x, y-e.y
		e.x, e.y = x, y
		e.data = append(e.data, uint32(dx<<1^dx>>31), uint32(dy<<1^dy>>31))
	}
}

func (e *geomEncoder) line(ls []orb.Point) {
	e.cmd(cmdMoveTo, 1)
	e.points(ls[:1])
	e.cmd(cmdLineTo, len(ls)-1)
	e.points(ls[1:])
}

func (e *geomEncoder) ring(r orb.Ring) {
	if r.Closed() {
		r = r[:len(r)-1]
	}
	e.line(r)
	e.cmd(cmdClosePath, 1)
}

// encodeGeometry returns the MVT type and commands of a tile geometry (what
// tileGeometry returns: points, lines and polygons in whole tile units).
func encodeGeometry(g orb.Geometry) (*vectortile.Tile_GeomType, []uint32) {
	var e geomEncoder
	switch g := g.(type) {
	case orb.Point:
		e.data = make([]uint32, 0, 3)
		e.cmd(cmdMoveTo, 1)
		e.points([]orb.Point{g})
		return &typePoint, e.data
	case orb.MultiPoint:
		e.data = make([]uint32, 0, 1+2*len(g))
		e.cmd(cmdMoveTo, len(g))
		e.points(g)
		return &typePoint, e.data
	case orb.LineString:
		e.data = make([]uint32, 0, 2+2*len(g))
		e.line(g)
		return &typeLine, e.data
	case orb.MultiLineString:
		n := 0
		for _, ls := range g {
			n += 2 + 2*len(ls)
		}
		e.data = make([]uint32, 0, n)
		for _, ls := range g {
			e.line(ls)
		}
		return &typeLine, e.data
	case orb.Polygon:
		e.data = make([]uint32, 0, ringsLen(g))
		for _, r := range g {
			e.ring(r)
		}
		return &typePolygon, e.data
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += ringsLen(p)
		}
		e.data = make([]uint32, 0, n)
		for _, p := range g {
			for _, r := range p {
				e.ring(r)
			}
		}
		return &typePolygon, e.data
	}
	return nil, nil
}

func ringsLen(p orb.Polygon) int {
	n := 0
	for _, r := range p {
		n += 3 + 2*len(r)
	}
	return n
}

// tileFeature is a feature ready for its layer: its geometry encoded and
// the attributes that are not read straight from the feature.
type tileFeature struct {
	f        *cim.Feature
	layer    int
	typ      *vectortile.Tile_GeomType
	geometry []uint32
	id       uint64
	name     string
	lo, hi   float64 // min_height, height
	heights  bool
}

// newTileFeature encodes f's tile geometry g (non-nil) and works out its
// attributes (Fields).
func newTileFeature(f *cim.Feature, layer int, g orb.Geometry) tileFeature {
	tf := tileFeature{f: f, layer: layer, id: FeatureID(f)}
	tf.typ, tf.geometry = encodeGeometry(g)
	if v, ok := f.Props["name"]; ok {
		if s, ok := cim.PropText(v); ok {
			tf.name = s
		}
	}
	if lo, hi, ok := cim.Heights(f); ok {
		tf.lo, tf.hi, tf.heights = round2(lo), round2(hi), true
	}
	return tf
}

// layerEncoder builds one layer: its features, and its keys and values,
// each stored once.
type layerEncoder struct {
	layer  vectortile.Tile_Layer
	keys   map[string]uint32
	strs   map[string]uint32
	nums   map[float64]uint32
	values []vectortile.Tile_Value // backing store of layer.Values, in chunks
	tags   []uint32                // backing store of the features' tags
}

func newLayerEncoder(name string, n int) *layerEncoder {
	version, extent := uint32(2), uint32(Extent)
	return &layerEncoder{
		layer: vectortile.Tile_Layer{Name: &name, Version: &version, Extent: &extent,
			Features: make([]*vectortile.Tile_Feature, 0, n)},
		keys: make(map[string]uint32, len(Fields)),
		strs: make(map[string]uint32, n+16),
		nums: make(map[float64]uint32, 64),
		tags: make([]uint32, 0, 2*len(Fields)*n),
	}
}

func (l *layerEncoder) key(k string) uint32 {
	if i, ok := l.keys[k]; ok {
		return i
	}
	i := uint32(len(l.layer.Keys))
	l.layer.Keys = append(l.layer.Keys, k)
	l.keys[k] = i
	return i
}

func (l *layerEncoder) value() *vectortile.Tile_Value {
	if len(l.values) == cap(l.values) {
		l.values = make([]vectortile.Tile_Value, 0, 256)
	}
	l.values = l.values[:len(l.values)+1]
	v := &l.values[len(l.values)-1]
	l.layer.Values = append(l.layer.Values, v)
	return v
}

func (l *layerEncoder) str(k, s string) {
	i, ok := l.strs[s]
	if !ok {
		i = uint32(len(l.layer.Values))
		p := new(string) // only a new value costs one
		*p = s
		l.value().StringValue = p
		l.strs[s] = i
	}
	l.tags = append(l.tags, l.key(k), i)
}

func (l *layerEncoder) num(k string, x float64) {
	i, ok := l.nums[x]
	if !ok {
		i = uint32(len(l.layer.Values))
		p := new(float64)
		*p = x
		l.value().DoubleValue = p
		if x == x { // NaN never matches itself: each gets its own value
			l.nums[x] = i
		}
	}
	l.tags = append(l.tags, l.key(k), i)
}

// add appends a feature, its tags in the order of their sorted keys.
func (l *layerEncoder) add(tf *tileFeature, msg *vectortile.Tile_Feature) {
	f := tf.f
	start := len(l.tags)
	l.str("class", f.Class.String())
	l.str("dataset", f.Dataset)
	if tf.heights {
		l.num("height", tf.hi)
	}
	l.str("id", f.ID)
	if f.Kind != "" {
		l.str("kind", f.Kind)
	}
	l.num("level_max", f.Levels.Max)
	l.num("level_min", f.Levels.Min)
	if tf.heights {
		l.num("min_height", tf.lo)
	}
	if tf.name != "" {
		l.str("name", tf.name)
	}
	l.str("stage", f.Stage.String())
	msg.Id, msg.Type, msg.Geometry = &tf.id, tf.typ, tf.geometry
	msg.Tags = l.tags[start:len(l.tags):len(l.tags)]
	l.layer.Features = append(l.layer.Features, msg)
}

// encode writes the features, in order, into a tile of the given layers
// (by index into names); layers without features are left out.
func encode(names []string, feats []tileFeature) ([]byte, error) {
	counts := make([]int, len(names))
	for i := range feats {
		counts[feats[i].layer]++
	}
	enc := make([]*layerEncoder, len(names))
	for i, n := range counts {
		if n > 0 {
			enc[i] = newLayerEncoder(names[i], n)
		}
	}
	msgs := make([]vectortile.Tile_Feature, len(feats))
	for i := range feats {
		enc[feats[i].layer].add(&feats[i], &msgs[i])
	}
	var t vectortile.Tile
	for _, l := range enc {
		if l != nil {
			t.Layers = append(t.Layers, &l.layer)
		}
	}
	return proto.Marshal(&t)
}
