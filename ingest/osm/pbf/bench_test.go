package pbf

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
)

// BenchmarkDecodeBlock decodes Monaco's data blocks, already inflated:
// the protobuf decoding alone. Bytes are uncompressed bytes.
func BenchmarkDecodeBlock(b *testing.B) {
	blocks := realBlocks(b, "data/osm/monaco-latest.osm.pbf", 1000)
	if len(blocks) == 0 {
		b.Skip("shared test data absent")
	}
	var n int64
	for _, raw := range blocks {
		n += int64(len(raw))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	var blk Block
	for b.Loop() {
		for _, raw := range blocks {
			if err := blk.decode(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReader reads Monaco through a Reader: framing, inflating and
// decoding on 4 workers. Bytes are file bytes.
func BenchmarkReader(b *testing.B) {
	data, err := os.ReadFile("../../../../shared/data/osm/monaco-latest.osm.pbf")
	if err != nil {
		b.Skip("shared test data absent")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(context.Background(), bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		r.Close()
	}
}
