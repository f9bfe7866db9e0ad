package pbf

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// realBlocks returns the first inflated data blocks of a shared extract.
func realBlocks(tb testing.TB, rel string, n int) [][]byte {
	data, err := os.ReadFile(filepath.Join("../../../../shared", rel))
	if err != nil {
		return nil
	}
	fr := &frames{r: bytes.NewReader(data)}
	var w worker
	var out [][]byte
	for len(out) < n {
		typ, blob, err := fr.next(nil)
		if err != nil {
			break
		}
		raw, err := w.inflate(blob)
		if err != nil {
			tb.Fatal(err)
		}
		if typ == "OSMData" {
			out = append(out, bytes.Clone(raw))
		}
	}
	return out
}

// FuzzBlock decodes damaged PrimitiveBlocks: an error or a block whose
// every object, tag and member can be read, never a panic.
func FuzzBlock(f *testing.F) {
	for _, b := range realBlocks(f, "data/osm/taipei-osm2streets.osm.pbf", 3) {
		f.Add(b)
	}
	f.Add([]byte(denseBlock(5, 3)))
	f.Add([]byte(cat(stringTable("", "k", "v"), group(msg(nil).bytes(fpgRelations, msg(nil).varint(frID, 3).packed(frRoles, 1).packedDeltas(frMemIDs, 1).packed(frTypes, 1))))))
	f.Add([]byte(cat(stringTable("", "k", "v"), group(msg(nil).bytes(fpgWays, msg(nil).varint(fwID, 4).packed(fwKeys, 1).packed(fwVals, 2).packedDeltas(fwRefs, 1, 2, 3))))))
	f.Add([]byte(cat(stringTable("a"), group(msg(nil).bytes(fpgNodes, msg(nil).sint(fnID, 9).packed(fnKeys, 0).packed(fnVals, 0).sint(fnLat, 1).sint(fnLon, 2))))))
	var b Block
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := b.decode(data); err != nil {
			return
		}
		dump(&b)
		n := 0
		for _, g := range b.Groups {
			n += g.End - g.Start
		}
		if n != b.Len() {
			t.Errorf("groups cover %d objects of %d", n, b.Len())
		}
	})
}

// FuzzReader reads damaged files: errors, never a panic or a hang.
func FuzzReader(f *testing.F) {
	if data, err := os.ReadFile("../../../../shared/data/osm/taipei-osm2streets.osm.pbf"); err == nil {
		f.Add(data[:min(len(data), 20000)])
	}
	files, _ := filepath.Glob("../testdata/*.pbf")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(file(denseBlock(1, 3), denseBlock(10, 2)))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(context.Background(), bytes.NewReader(data), Options{Workers: 2})
		if err != nil {
			return
		}
		defer r.Close()
		for {
			b, err := r.Next()
			if err != nil {
				return
			}
			dump(b)
		}
	})
}
