package pbf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"

	"google.golang.org/protobuf/encoding/protowire"
)

// A small protobuf writer for hand-made test files.
type msg []byte

func (m msg) bytes(n protowire.Number, b []byte) msg {
	m = protowire.AppendTag(m, n, protowire.BytesType)
	return protowire.AppendBytes(m, b)
}

func (m msg) str(n protowire.Number, s string) msg { return m.bytes(n, []byte(s)) }

func (m msg) varint(n protowire.Number, v uint64) msg {
	m = protowire.AppendTag(m, n, protowire.VarintType)
	return protowire.AppendVarint(m, v)
}

func (m msg) sint(n protowire.Number, v int64) msg { return m.varint(n, protowire.EncodeZigZag(v)) }

func (m msg) packed(n protowire.Number, vs ...uint64) msg {
	var p []byte
	for _, v := range vs {
		p = protowire.AppendVarint(p, v)
	}
	return m.bytes(n, p)
}

// packedDeltas writes vs delta- and zigzag-coded.
func (m msg) packedDeltas(n protowire.Number, vs ...int64) msg {
	var p []byte
	var last int64
	for _, v := range vs {
		p = protowire.AppendVarint(p, protowire.EncodeZigZag(v-last))
		last = v
	}
	return m.bytes(n, p)
}

func stringTable(s ...string) msg {
	var t msg
	for _, x := range s {
		t = t.str(fstS, x)
	}
	return msg(nil).bytes(fpbStringTable, t)
}

// frame wraps a blob message in a BlobHeader of type typ.
func frame(typ string, blob msg) []byte {
	h := msg(nil).str(fhType, typ).varint(fhDatasize, uint64(len(blob)))
	return append(append(binary.BigEndian.AppendUint32(nil, uint32(len(h))), h...), blob...)
}

func rawBlob(data []byte) msg { return msg(nil).bytes(fbRaw, data) }

func zlibBlob(data []byte) msg {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(data)
	w.Close()
	return msg(nil).varint(fbRawSize, uint64(len(data))).bytes(fbZlib, z.Bytes())
}

func headerBlock(required ...string) msg {
	var h msg
	for _, r := range required {
		h = h.str(fhbRequired, r)
	}
	return h.str(fhbOptional, "Sort.Type_then_ID").str(fhbWritingProgram, "test")
}

// file makes a PBF file of a header and data blocks.
func file(blocks ...msg) []byte {
	out := frame("OSMHeader", rawBlob(headerBlock("OsmSchema-V0.6", "DenseNodes")))
	for _, b := range blocks {
		out = append(out, frame("OSMData", zlibBlob(b))...)
	}
	return out
}

// denseBlock is a block of dense nodes id, id+1, …, each tagged k=v.
func denseBlock(first int64, n int) msg {
	var ids, lats, lons []int64
	var kv []uint64
	for i := range n {
		ids = append(ids, first+int64(i))
		lats = append(lats, int64(i))
		lons = append(lons, -int64(i))
		kv = append(kv, 1, 2, 0)
	}
	dense := msg(nil).packedDeltas(fdnID, ids...).packedDeltas(fdnLat, lats...).packedDeltas(fdnLon, lons...).packed(fdnKeysVals, kv...)
	return append(stringTable("", "k", "v"), msg(nil).bytes(fpbGroup, msg(nil).bytes(fpgDense, dense))...)
}
