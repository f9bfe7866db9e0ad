package pbf

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Kind is the kind of an OSM object: also a relation member's type, with
// the format's values (NODE = 0, WAY = 1, RELATION = 2).
type Kind uint8

// The kinds of OSM object.
const (
	Node Kind = iota
	Way
	Relation
)

func (k Kind) String() string {
	switch k {
	case Node:
		return "node"
	case Way:
		return "way"
	case Relation:
		return "relation"
	}
	return fmt.Sprintf("kind %d", uint8(k))
}

// Group is a run of objects of one kind in file order: objects Start to
// End−1 of the block's columns for that kind.
type Group struct {
	Kind       Kind
	Start, End int
}

// Nodes are a block's nodes, in columns.
type Nodes struct {
	ID []int64
	// Lat and Lon are in nanodegrees (1e-9 degree), granularity and
	// offsets applied.
	Lat, Lon []int64
	tags     []int32 // node i's tag pairs are kv[tags[i]:tags[i+1]]
}

// Ways are a block's ways, in columns.
type Ways struct {
	ID   []int64
	refs []int64
	ends []int32 // way i's node ids are refs[ends[i-1]:ends[i]]
	tags []int32
}

// Relations are a block's relations, in columns.
type Relations struct {
	ID       []int64
	memIDs   []int64
	memTypes []Kind
	memRoles []uint32 // string table indices
	ends     []int32  // relation i's members are mem*[ends[i-1]:ends[i]]
	tags     []int32
}

// Block is a decoded PrimitiveBlock: its objects in columns by kind, and
// Groups giving their order in the file. A Block from Reader.Next is valid
// until the next call to Next; the strings it returns stay valid.
type Block struct {
	// Offset is where the block's frame starts in the file.
	Offset int64
	// Strings is the block's string table.
	Strings   []string
	Groups    []Group
	Nodes     Nodes
	Ways      Ways
	Relations Relations

	kv      []uint32 // tag pairs of every object, string table indices
	scratch []byte   // the string table's bytes
	lens    []int    // the string table's lengths
	parts   [][]byte // the groups' bytes, before the string table is known
}

// Len returns how many objects the block holds.
func (b *Block) Len() int { return len(b.Nodes.ID) + len(b.Ways.ID) + len(b.Relations.ID) }

// Tags are an object's tags, as string table indices into their block.
type Tags struct {
	kv      []uint32
	strings []string
}

// Len returns the number of tags.
func (t Tags) Len() int { return len(t.kv) / 2 }

// Key returns the key of tag i.
func (t Tags) Key(i int) string { return t.strings[t.kv[2*i]] }

// Value returns the value of tag i.
func (t Tags) Value(i int) string { return t.strings[t.kv[2*i+1]] }

// Map returns the tags as a map; nil if there are none.
func (t Tags) Map() map[string]string {
	if len(t.kv) == 0 {
		return nil
	}
	m := make(map[string]string, len(t.kv)/2)
	for i := 0; i+1 < len(t.kv); i += 2 {
		m[t.strings[t.kv[i]]] = t.strings[t.kv[i+1]]
	}
	return m
}

func (b *Block) tags(starts []int32, i int) Tags {
	return Tags{kv: b.kv[starts[i]:starts[i+1]], strings: b.Strings}
}

// NodeTags returns the tags of node i.
func (b *Block) NodeTags(i int) Tags { return b.tags(b.Nodes.tags, i) }

// WayTags returns the tags of way i.
func (b *Block) WayTags(i int) Tags { return b.tags(b.Ways.tags, i) }

// RelationTags returns the tags of relation i.
func (b *Block) RelationTags(i int) Tags { return b.tags(b.Relations.tags, i) }

// WayRefs returns the node ids of way i.
func (b *Block) WayRefs(i int) []int64 {
	return b.Ways.refs[b.Ways.ends[i]:b.Ways.ends[i+1]]
}

// Members returns the members of relation i: their ids, kinds and roles
// (string table indices: b.Strings[roles[k]]).
func (b *Block) Members(i int) (ids []int64, kinds []Kind, roles []uint32) {
	s, e := b.Relations.ends[i], b.Relations.ends[i+1]
	r := &b.Relations
	return r.memIDs[s:e], r.memTypes[s:e], r.memRoles[s:e]
}

func (b *Block) reset() {
	b.Strings = b.Strings[:0]
	b.Groups = b.Groups[:0]
	b.kv = b.kv[:0]
	b.parts = b.parts[:0]
	n, w, r := &b.Nodes, &b.Ways, &b.Relations
	n.ID, n.Lat, n.Lon, n.tags = n.ID[:0], n.Lat[:0], n.Lon[:0], append(n.tags[:0], 0)
	w.ID, w.refs, w.ends, w.tags = w.ID[:0], w.refs[:0], append(w.ends[:0], 0), append(w.tags[:0], 0)
	r.ID, r.memIDs, r.memTypes, r.memRoles = r.ID[:0], r.memIDs[:0], r.memTypes[:0], r.memRoles[:0]
	r.ends, r.tags = append(r.ends[:0], 0), append(r.tags[:0], 0)
}

// errTruncatedMessage is a message cut short or with a malformed field.
var errTruncatedMessage = errors.New("a malformed protobuf message")

// errTooLarge is wrapped when a block decodes to more than maxDecodedBytes.
var errTooLarge = errors.New("block too large")

// field reads one field's key and value from m: for a varint field, v;
// for a length-delimited one, data. It returns the rest of m.
type field struct {
	num  protowire.Number
	typ  protowire.Type
	v    uint64
	data []byte
}

func next(m []byte, f *field) ([]byte, error) {
	num, typ, n := protowire.ConsumeTag(m)
	if n < 0 {
		return nil, errTruncatedMessage
	}
	m = m[n:]
	f.num, f.typ, f.data, f.v = num, typ, nil, 0
	switch typ {
	case protowire.VarintType:
		f.v, n = protowire.ConsumeVarint(m)
	case protowire.BytesType:
		f.data, n = protowire.ConsumeBytes(m)
	default:
		n = protowire.ConsumeFieldValue(num, typ, m)
	}
	if n < 0 {
		return nil, errTruncatedMessage
	}
	return m[n:], nil
}

// packed checks that a repeated scalar field is packed.
func packed(f *field, msg string) error {
	if f.typ != protowire.BytesType {
		return fmt.Errorf("%s: field %d is not packed", msg, f.num)
	}
	return nil
}

// countVarints returns how many varints p holds (bytes without the
// continuation bit).
func countVarints(p []byte) int {
	n := 0
	for _, c := range p {
		if c < 0x80 {
			n++
		}
	}
	return n
}

// decode decodes a PrimitiveBlock message into b.
func (b *Block) decode(m []byte) error {
	b.reset()
	gran, latOff, lonOff := int64(100), int64(0), int64(0)
	var table []byte
	var f field
	for len(m) > 0 {
		var err error
		if m, err = next(m, &f); err != nil {
			return fmt.Errorf("PrimitiveBlock: %w", err)
		}
		switch f.num {
		case fpbStringTable:
			table = f.data
		case fpbGroup:
			b.parts = append(b.parts, f.data)
		case fpbGranularity:
			gran = int64(int32(f.v))
		case fpbLatOffset:
			latOff = int64(f.v)
		case fpbLonOffset:
			lonOff = int64(f.v)
		}
	}
	if gran <= 0 {
		return fmt.Errorf("PrimitiveBlock: granularity %d", gran)
	}
	if err := b.decodeStrings(table); err != nil {
		return err
	}
	c := coder{gran: gran, latOff: latOff, lonOff: lonOff}
	for _, g := range b.parts {
		for len(g) > 0 {
			var err error
			if g, err = next(g, &f); err != nil {
				return fmt.Errorf("PrimitiveGroup: %w", err)
			}
			if f.typ != protowire.BytesType {
				continue
			}
			switch f.num {
			case fpgNodes:
				err = b.decodeNode(f.data, c)
			case fpgDense:
				err = b.decodeDense(f.data, c)
			case fpgWays:
				err = b.decodeWay(f.data)
			case fpgRelations:
				err = b.decodeRelation(f.data)
			}
			if err != nil {
				return err
			}
			if err := b.room(0); err != nil {
				return err
			}
		}
	}
	b.parts = b.parts[:0]
	return nil
}

// maxDecodedBytes bounds what one block may decode to. A block's raw
// size is at most 32 MiB, but a message of two bytes (an empty Node) can
// decode to 28 bytes of columns: without a bound, a small hostile file
// would take gigabytes of memory in the blocks the reader holds at once.
const maxDecodedBytes = 64 << 20

// room checks that the block may grow by n more bytes of columns.
func (b *Block) room(n int) error {
	if b.decodedBytes()+n > maxDecodedBytes {
		return fmt.Errorf("PrimitiveBlock: decodes to over %d MiB of objects, refs, members and tags (a writer's block of 8,000 objects takes a few): %w", maxDecodedBytes>>20, errTooLarge)
	}
	return nil
}

// decodedBytes is the size of the block's columns, roughly.
func (b *Block) decodedBytes() int {
	return 28*len(b.Nodes.ID) + 16*len(b.Ways.ID) + 8*len(b.Ways.refs) +
		16*len(b.Relations.ID) + 13*len(b.Relations.memIDs) + 4*len(b.kv)
}

// coder turns stored coordinates into nanodegrees.
type coder struct{ gran, latOff, lonOff int64 }

// grouped extends the last group if it has kind k, else starts one, to
// cover objects up to end.
func (b *Block) grouped(k Kind, start, end int) {
	if n := len(b.Groups); n > 0 && b.Groups[n-1].Kind == k && b.Groups[n-1].End == start {
		b.Groups[n-1].End = end
		return
	}
	b.Groups = append(b.Groups, Group{Kind: k, Start: start, End: end})
}

// decodeStrings makes the string table one string and slices it.
func (b *Block) decodeStrings(m []byte) error {
	b.scratch = b.scratch[:0]
	var f field
	b.lens = b.lens[:0]
	for rest := m; len(rest) > 0; {
		var err error
		if rest, err = next(rest, &f); err != nil {
			return fmt.Errorf("StringTable: %w", err)
		}
		if f.num == fstS && f.typ == protowire.BytesType {
			b.scratch = append(b.scratch, f.data...)
			b.Strings = append(b.Strings, "") // a placeholder for its length
			b.lens = append(b.lens, len(f.data))
		}
	}
	all := string(b.scratch)
	at := 0
	for i, n := range b.lens {
		b.Strings[i] = all[at : at+n]
		at += n
	}
	return nil
}

// str checks a string table index.
func (b *Block) str(i uint64, what string, id int64, k Kind) (uint32, error) {
	if i >= uint64(len(b.Strings)) {
		return 0, fmt.Errorf("%s %d: %s index %d outside the string table of %d", k, id, what, i, len(b.Strings))
	}
	return uint32(i), nil
}

// pairTags appends the tags given as packed keys and values to b.kv.
func (b *Block) pairTags(keys, vals []byte, k Kind, id int64) error {
	if nk, nv := countVarints(keys), countVarints(vals); nk != nv {
		return fmt.Errorf("%s %d: %d keys but %d values", k, id, nk, nv)
	}
	for len(keys) > 0 || len(vals) > 0 {
		kx, n := protowire.ConsumeVarint(keys)
		if n < 0 {
			return fmt.Errorf("%s %d: keys: %w", k, id, errTruncatedMessage)
		}
		keys = keys[n:]
		vx, n := protowire.ConsumeVarint(vals)
		if n < 0 {
			return fmt.Errorf("%s %d: values: %w", k, id, errTruncatedMessage)
		}
		vals = vals[n:]
		ks, err := b.str(kx, "key", id, k)
		if err != nil {
			return err
		}
		vs, err := b.str(vx, "value", id, k)
		if err != nil {
			return err
		}
		b.kv = append(b.kv, ks, vs)
	}
	return nil
}

func (b *Block) decodeNode(m []byte, c coder) error {
	var id, lat, lon int64
	var keys, vals []byte
	var f field
	for len(m) > 0 {
		var err error
		if m, err = next(m, &f); err != nil {
			return fmt.Errorf("Node: %w", err)
		}
		switch f.num {
		case fnID:
			id = protowire.DecodeZigZag(f.v)
		case fnLat:
			lat = protowire.DecodeZigZag(f.v)
		case fnLon:
			lon = protowire.DecodeZigZag(f.v)
		case fnKeys, fnVals:
			if err := packed(&f, "Node"); err != nil {
				return err
			}
			if f.num == fnKeys {
				keys = f.data
			} else {
				vals = f.data
			}
		}
	}
	if err := b.pairTags(keys, vals, Node, id); err != nil {
		return err
	}
	n := &b.Nodes
	start := len(n.ID)
	n.ID = append(n.ID, id)
	n.Lat = append(n.Lat, c.latOff+c.gran*lat)
	n.Lon = append(n.Lon, c.lonOff+c.gran*lon)
	n.tags = append(n.tags, int32(len(b.kv)))
	b.grouped(Node, start, start+1)
	return nil
}

func (b *Block) decodeDense(m []byte, c coder) error {
	var ids, lats, lons, kvs []byte
	hasKV := false
	var f field
	for len(m) > 0 {
		var err error
		if m, err = next(m, &f); err != nil {
			return fmt.Errorf("DenseNodes: %w", err)
		}
		switch f.num {
		case fdnID, fdnLat, fdnLon, fdnKeysVals:
			if err := packed(&f, "DenseNodes"); err != nil {
				return err
			}
		}
		switch f.num {
		case fdnID:
			ids = f.data
		case fdnLat:
			lats = f.data
		case fdnLon:
			lons = f.data
		case fdnKeysVals:
			kvs, hasKV = f.data, true
		}
	}
	count := countVarints(ids)
	if nl, nn := countVarints(lats), countVarints(lons); nl != count || nn != count {
		return fmt.Errorf("DenseNodes: %d ids, %d latitudes and %d longitudes", count, nl, nn)
	}
	if err := b.room(28*count + 4*countVarints(kvs)); err != nil {
		return err
	}
	n := &b.Nodes
	start := len(n.ID)
	var id, lat, lon int64
	for i := range count {
		dID, k1 := protowire.ConsumeVarint(ids)
		dLat, k2 := protowire.ConsumeVarint(lats)
		dLon, k3 := protowire.ConsumeVarint(lons)
		if k1 < 0 || k2 < 0 || k3 < 0 {
			return fmt.Errorf("DenseNodes: node %d of %d: %w", i, count, errTruncatedMessage)
		}
		ids, lats, lons = ids[k1:], lats[k2:], lons[k3:]
		id += protowire.DecodeZigZag(dID)
		lat += protowire.DecodeZigZag(dLat)
		lon += protowire.DecodeZigZag(dLon)
		n.ID = append(n.ID, id)
		n.Lat = append(n.Lat, c.latOff+c.gran*lat)
		n.Lon = append(n.Lon, c.lonOff+c.gran*lon)
		for hasKV {
			if len(kvs) == 0 {
				return fmt.Errorf("DenseNodes: keys_vals ends before node %d (%d of %d)", id, i+1, count)
			}
			kx, k := protowire.ConsumeVarint(kvs)
			if k < 0 {
				return fmt.Errorf("DenseNodes: keys_vals: %w", errTruncatedMessage)
			}
			kvs = kvs[k:]
			if kx == 0 {
				break
			}
			vx, k := protowire.ConsumeVarint(kvs)
			if k < 0 {
				return fmt.Errorf("DenseNodes: node %d has a key without a value", id)
			}
			kvs = kvs[k:]
			ks, err := b.str(kx, "key", id, Node)
			if err != nil {
				return err
			}
			vs, err := b.str(vx, "value", id, Node)
			if err != nil {
				return err
			}
			b.kv = append(b.kv, ks, vs)
		}
		n.tags = append(n.tags, int32(len(b.kv)))
	}
	if len(ids) > 0 || len(lats) > 0 || len(lons) > 0 {
		return fmt.Errorf("DenseNodes: ids, lat or lon: %w", errTruncatedMessage)
	}
	if len(kvs) > 0 {
		return fmt.Errorf("DenseNodes: %d bytes of keys_vals left after the last node", len(kvs))
	}
	if count > 0 {
		b.grouped(Node, start, start+count)
	}
	return nil
}

// deltas appends the delta-coded sint64 values of p to dst.
func deltas(dst []int64, p []byte) ([]int64, error) {
	var v int64
	for len(p) > 0 {
		x, n := protowire.ConsumeVarint(p)
		if n < 0 {
			return dst, errTruncatedMessage
		}
		p = p[n:]
		v += protowire.DecodeZigZag(x)
		dst = append(dst, v)
	}
	return dst, nil
}

func (b *Block) decodeWay(m []byte) error {
	var id int64
	var keys, vals, refs []byte
	var f field
	for len(m) > 0 {
		var err error
		if m, err = next(m, &f); err != nil {
			return fmt.Errorf("Way: %w", err)
		}
		switch f.num {
		case fwID:
			id = int64(f.v)
		case fwKeys, fwVals, fwRefs:
			if err := packed(&f, "Way"); err != nil {
				return err
			}
			switch f.num {
			case fwKeys:
				keys = f.data
			case fwVals:
				vals = f.data
			default:
				refs = f.data
			}
		}
	}
	if err := b.room(16 + 8*countVarints(refs) + 8*countVarints(keys)); err != nil {
		return err
	}
	if err := b.pairTags(keys, vals, Way, id); err != nil {
		return err
	}
	w := &b.Ways
	var err error
	if w.refs, err = deltas(w.refs, refs); err != nil {
		return fmt.Errorf("way %d: refs: %w", id, err)
	}
	start := len(w.ID)
	w.ID = append(w.ID, id)
	w.ends = append(w.ends, int32(len(w.refs)))
	w.tags = append(w.tags, int32(len(b.kv)))
	b.grouped(Way, start, start+1)
	return nil
}

func (b *Block) decodeRelation(m []byte) error {
	var id int64
	var keys, vals, roles, memids, types []byte
	var f field
	for len(m) > 0 {
		var err error
		if m, err = next(m, &f); err != nil {
			return fmt.Errorf("Relation: %w", err)
		}
		switch f.num {
		case frID:
			id = int64(f.v)
		case frKeys, frVals, frRoles, frMemIDs, frTypes:
			if err := packed(&f, "Relation"); err != nil {
				return err
			}
			switch f.num {
			case frKeys:
				keys = f.data
			case frVals:
				vals = f.data
			case frRoles:
				roles = f.data
			case frMemIDs:
				memids = f.data
			default:
				types = f.data
			}
		}
	}
	if err := b.room(16 + 13*countVarints(memids) + 8*countVarints(keys)); err != nil {
		return err
	}
	if err := b.pairTags(keys, vals, Relation, id); err != nil {
		return err
	}
	r := &b.Relations
	nm := countVarints(memids)
	if nr, nt := countVarints(roles), countVarints(types); nr != nm || nt != nm {
		return fmt.Errorf("relation %d: %d member ids, %d roles and %d types", id, nm, nr, nt)
	}
	var err error
	if r.memIDs, err = deltas(r.memIDs, memids); err != nil {
		return fmt.Errorf("relation %d: memids: %w", id, err)
	}
	for range nm {
		x, n := protowire.ConsumeVarint(roles)
		if n < 0 {
			return fmt.Errorf("relation %d: roles: %w", id, errTruncatedMessage)
		}
		roles = roles[n:]
		s, err := b.str(x, "role", id, Relation)
		if err != nil {
			return err
		}
		t, n := protowire.ConsumeVarint(types)
		if n < 0 {
			return fmt.Errorf("relation %d: types: %w", id, errTruncatedMessage)
		}
		types = types[n:]
		if t > uint64(Relation) {
			return fmt.Errorf("relation %d: member type %d", id, t)
		}
		r.memRoles = append(r.memRoles, s)
		r.memTypes = append(r.memTypes, Kind(t))
	}
	if len(roles) > 0 || len(types) > 0 {
		return fmt.Errorf("relation %d: roles or types: %w", id, errTruncatedMessage)
	}
	start := len(r.ID)
	r.ID = append(r.ID, id)
	r.ends = append(r.ends, int32(len(r.memIDs)))
	r.tags = append(r.tags, int32(len(b.kv)))
	b.grouped(Relation, start, start+1)
	return nil
}
