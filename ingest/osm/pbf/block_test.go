package pbf

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// dump writes a block's objects in file order, one a line.
func dump(b *Block) string {
	var s strings.Builder
	tags := func(t Tags) string {
		var kv []string
		for j := range t.Len() {
			kv = append(kv, t.Key(j)+"="+t.Value(j))
		}
		return strings.Join(kv, ",")
	}
	for _, g := range b.Groups {
		for i := g.Start; i < g.End; i++ {
			switch g.Kind {
			case Node:
				fmt.Fprintf(&s, "n%d %d,%d [%s]\n", b.Nodes.ID[i], b.Nodes.Lat[i], b.Nodes.Lon[i], tags(b.NodeTags(i)))
			case Way:
				fmt.Fprintf(&s, "w%d %v [%s]\n", b.Ways.ID[i], b.WayRefs(i), tags(b.WayTags(i)))
			case Relation:
				ids, kinds, roles := b.Members(i)
				var ms []string
				for k := range ids {
					ms = append(ms, fmt.Sprintf("%s%d:%s", kinds[k].String()[:1], ids[k], b.Strings[roles[k]]))
				}
				fmt.Fprintf(&s, "r%d %v [%s]\n", b.Relations.ID[i], ms, tags(b.RelationTags(i)))
			}
		}
	}
	return s.String()
}

// cat joins message parts in a new slice.
func cat(parts ...msg) msg { return slices.Concat(parts...) }

func group(parts ...msg) msg {
	var g msg
	for _, p := range parts {
		g = append(g, p...)
	}
	return msg(nil).bytes(fpbGroup, g)
}

func TestDecodeBlock(t *testing.T) {
	st := stringTable("", "name", "a", "building", "yes", "outer", "type", "multipolygon")
	dense := msg(nil).bytes(fpgDense, msg(nil).
		packedDeltas(fdnID, 10, 11, 15).
		packedDeltas(fdnLat, 100, 90, -5).
		packedDeltas(fdnLon, 7, 7, 8).
		packed(fdnKeysVals, 1, 2, 0, 0, 3, 4, 1, 2, 0))
	node := msg(nil).bytes(fpgNodes, msg(nil).sint(fnID, -3).packed(fnKeys, 1).packed(fnVals, 2).sint(fnLat, 4).sint(fnLon, -4))
	way := msg(nil).bytes(fpgWays, msg(nil).varint(fwID, 20).packed(fwKeys, 3).packed(fwVals, 4).packedDeltas(fwRefs, 10, 11, 15, 10))
	way2 := msg(nil).bytes(fpgWays, msg(nil).varint(fwID, 21).packedDeltas(fwRefs, 11, 15))
	rel := msg(nil).bytes(fpgRelations, msg(nil).varint(frID, 30).packed(frKeys, 6).packed(frVals, 7).
		packed(frRoles, 5, 0).packedDeltas(frMemIDs, 20, 10).packed(frTypes, 1, 0))
	for _, tc := range []struct {
		name  string
		block msg
		want  string
	}{
		{"dense nodes", cat(st, group(dense)),
			"n10 10000,700 [name=a]\nn11 9000,700 []\nn15 -500,800 [building=yes,name=a]\n"},
		{"granularity and offsets after the groups", cat(st, group(dense), msg(nil).varint(fpbGranularity, 1000).varint(fpbLatOffset, 5).varint(fpbLonOffset, 1)),
			"n10 100005,7001 [name=a]\nn11 90005,7001 []\nn15 -4995,8001 [building=yes,name=a]\n"},
		{"string table last", cat(group(node), st), "n-3 400,-400 [name=a]\n"},
		{"a dense node without keys_vals", cat(st, group(msg(nil).bytes(fpgDense, msg(nil).packedDeltas(fdnID, 1).packedDeltas(fdnLat, 2).packedDeltas(fdnLon, 3)))),
			"n1 200,300 []\n"},
		{"ways", cat(st, group(way, way2)), "w20 [10 11 15 10] [building=yes]\nw21 [11 15] []\n"},
		{"relations", cat(st, group(rel)), "r30 [w20:outer n10:] [type=multipolygon]\n"},
		{"groups in file order", cat(st, group(way2), group(node, dense)),
			"w21 [11 15] []\nn-3 400,-400 [name=a]\nn10 10000,700 [name=a]\nn11 9000,700 []\nn15 -500,800 [building=yes,name=a]\n"},
		{"empty", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b Block
			if err := b.decode(tc.block); err != nil {
				t.Fatal(err)
			}
			if got := dump(&b); got != tc.want {
				t.Errorf("got\n%swant\n%s", got, tc.want)
			}
			// A reused block gives the same.
			if err := b.decode(tc.block); err != nil || dump(&b) != tc.want {
				t.Errorf("decoded again: %v\n%s", err, dump(&b))
			}
		})
	}
}

func TestDecodeBadBlock(t *testing.T) {
	st := stringTable("", "k", "v")
	dense := func(m msg) msg { return cat(st, group(msg(nil).bytes(fpgDense, m))) }
	for _, tc := range []struct {
		name  string
		block msg
		want  string
	}{
		{"key index", dense(msg(nil).packedDeltas(fdnID, 7).packedDeltas(fdnLat, 1).packedDeltas(fdnLon, 1).packed(fdnKeysVals, 9, 1, 0)),
			"node 7: key index 9 outside the string table of 3"},
		{"value index", cat(st, group(msg(nil).bytes(fpgWays, msg(nil).varint(fwID, 4).packed(fwKeys, 1).packed(fwVals, 3)))),
			"way 4: value index 3 outside the string table of 3"},
		{"short lats", dense(msg(nil).packedDeltas(fdnID, 7, 8).packedDeltas(fdnLat, 1).packedDeltas(fdnLon, 1, 2)),
			"2 ids, 1 latitudes and 2 longitudes"},
		{"short keys_vals", dense(msg(nil).packedDeltas(fdnID, 7, 8).packedDeltas(fdnLat, 1, 1).packedDeltas(fdnLon, 1, 2).packed(fdnKeysVals, 1, 2, 0)),
			"keys_vals ends before node 8"},
		{"keys_vals left over", dense(msg(nil).packedDeltas(fdnID, 7).packedDeltas(fdnLat, 1).packedDeltas(fdnLon, 1).packed(fdnKeysVals, 0, 1)),
			"left after the last node"},
		{"key without value", dense(msg(nil).packedDeltas(fdnID, 7).packedDeltas(fdnLat, 1).packedDeltas(fdnLon, 1).packed(fdnKeysVals, 1)),
			"node 7 has a key without a value"},
		{"keys without values", cat(st, group(msg(nil).bytes(fpgNodes, msg(nil).sint(fnID, 5).packed(fnKeys, 1, 1).packed(fnVals, 2)))),
			"node 5: 2 keys but 1 values"},
		{"members without types", cat(st, group(msg(nil).bytes(fpgRelations, msg(nil).varint(frID, 3).packed(frRoles, 0).packedDeltas(frMemIDs, 1)))),
			"relation 3: 1 member ids, 1 roles and 0 types"},
		{"member type", cat(st, group(msg(nil).bytes(fpgRelations, msg(nil).varint(frID, 3).packed(frRoles, 0).packedDeltas(frMemIDs, 1).packed(frTypes, 3)))),
			"relation 3: member type 3"},
		{"role index", cat(st, group(msg(nil).bytes(fpgRelations, msg(nil).varint(frID, 3).packed(frRoles, 1<<32-1).packedDeltas(frMemIDs, 1).packed(frTypes, 1)))),
			"role index 4294967295 outside"},
		{"not packed", cat(st, group(msg(nil).bytes(fpgWays, msg(nil).varint(fwID, 4).varint(fwRefs, 2)))),
			"Way: field 8 is not packed"},
		{"granularity", cat(st, msg(nil).varint(fpbGranularity, 0)), "granularity 0"},
		{"cut short", cat(st, msg(nil).bytes(fpbGroup, []byte{0x1a, 0x10, 0x08})[:4]), "malformed protobuf message"},
		{"refs cut short", cat(st, group(msg(nil).bytes(fpgWays, msg(nil).varint(fwID, 4).bytes(fwRefs, []byte{0x02, 0x80})))),
			"way 4: refs: a malformed protobuf message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b Block
			err := b.decode(tc.block)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestAmplificationBounded decodes blocks whose few bytes would decode to
// hundreds of MiB of columns: empty Node messages (2 bytes each, 28 bytes
// decoded), a dense run of 1-byte deltas and a way of 1-byte refs. Each is
// refused before it grows past maxDecodedBytes.
func TestAmplificationBounded(t *testing.T) {
	const n = 8 << 20                  // objects or refs: 16–24 MiB of message
	ones := bytes.Repeat([]byte{2}, n) // zigzag 1: +1 each
	dense := msg(nil).bytes(fdnID, ones).bytes(fdnLat, ones).bytes(fdnLon, ones)
	emptyNode := msg(nil).bytes(fpgNodes, nil)
	tests := map[string]msg{
		"empty nodes": cat(stringTable(""), msg(nil).bytes(fpbGroup, bytes.Repeat(emptyNode, n))),
		"dense":       cat(stringTable(""), group(msg(nil).bytes(fpgDense, dense))),
		"way refs":    cat(stringTable(""), group(msg(nil).bytes(fpgWays, msg(nil).varint(fwID, 1).bytes(fwRefs, ones)))),
	}
	for name, m := range tests {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var b Block
			err := b.decode(m)
			runtime.GC()
			runtime.ReadMemStats(&after)
			if !errors.Is(err, errTooLarge) {
				t.Fatalf("%d-byte block: %v, want a block too large", len(m), err)
			}
			// What the block holds: its columns, grown up to the bound.
			if held := int64(after.HeapAlloc) - int64(before.HeapAlloc); held > 2*maxDecodedBytes {
				t.Errorf("the block holds %d MiB after refusing", held>>20)
			}
			runtime.KeepAlive(&b)
		})
	}
}
