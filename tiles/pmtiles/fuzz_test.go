package pmtiles

import (
	"bytes"
	"os"
	"testing"
)

// FuzzOpen feeds arbitrary bytes to Open and, when they open, reads the
// metadata and the tiles the directories point to: nothing may panic, hang
// or allocate beyond the limits, whatever the header and directories say.
func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	for i, tiles := range [][]testTile{
		{{0, 0, 0, []byte("world")}},
		{{1, 0, 0, []byte("a")}, {1, 0, 1, []byte("b")}, {1, 1, 1, []byte("b")}, {1, 1, 0, []byte("b")}, {3, 2, 5, []byte("a")}},
	} {
		b, err := os.ReadFile(writeArchive(f, dir, tiles, WriterOptions{}, Metadata{JSON: map[string]any{"name": i}}))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(uncompressedCopy(f, b))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		r.Metadata()
		r.Tile(0, 0, 0)
		for i, e := range r.root {
			if i == 32 {
				break
			}
			if z, x, y, err := TileZXY(e.TileID); err == nil {
				r.Tile(z, x, y)
			}
		}
	})
}

// uncompressedCopy rewrites archive b with no internal compression (so
// that the fuzzer reaches the directory decoder without having to write
// gzip), keeping its tile data.
func uncompressedCopy(t testing.TB, b []byte) []byte {
	r, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header()
	meta, err := decompress(b[h.MetadataOffset:h.MetadataOffset+h.MetadataLength], CompressionGzip, maxMetadataBytes)
	if err != nil {
		t.Fatal(err)
	}
	root := appendDirectory(nil, r.root)
	h.InternalCompression = CompressionNone
	h.RootLength = uint64(len(root))
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(meta))
	h.LeafOffset, h.LeafLength = h.MetadataOffset+h.MetadataLength, 0
	data := b[h.TileDataOffset : h.TileDataOffset+h.TileDataLength]
	h.TileDataOffset = h.LeafOffset
	out := h.appendTo(nil)
	out = append(out, root...)
	out = append(out, meta...)
	return append(out, data...)
}

// FuzzParseDirectory checks that any directory the decoder accepts encodes
// back to the same entries.
func FuzzParseDirectory(f *testing.F) {
	f.Add(appendDirectory(nil, []entry{{0, 0, 10, 1}, {1, 10, 5, 3}, {7, 0, 10, 1}, {100, 10, 1, 0}}))
	f.Add([]byte{1, 5, 1, 1, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := parseDirectory(b)
		if err != nil {
			return
		}
		again, err := parseDirectory(appendDirectory(nil, entries))
		if err != nil {
			t.Fatalf("re-encoded directory refused: %v", err)
		}
		if len(again) != len(entries) {
			t.Fatalf("%d entries, %d after re-encoding", len(entries), len(again))
		}
		for i := range entries {
			if again[i] != entries[i] {
				t.Fatalf("entry %d: %+v, %+v after re-encoding", i, entries[i], again[i])
			}
		}
	})
}
