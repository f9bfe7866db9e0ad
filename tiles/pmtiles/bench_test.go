package pmtiles

import (
	"encoding/binary"
	"io"
	"testing"
)

// BenchmarkWriter adds 100k small distinct tiles (every z14 tile of a
// 317×317 block, each a 40-byte MVT-sized blob) in row order, not tile id
// order, and writes the archive to io.Discard.
func BenchmarkWriter(b *testing.B) {
	const side = 317 // 100,489 tiles
	data := []byte("xxxxyyyy a 40-byte tile, 4 layers, 1 pt")
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewWriter(io.Discard, WriterOptions{TempDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		for x := uint32(0); x < side; x++ {
			for y := uint32(0); y < side; y++ {
				binary.LittleEndian.PutUint32(data, x)
				binary.LittleEndian.PutUint32(data[4:], y)
				if err := w.Add(14, 13000+x, 6000+y, data); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := w.Finish(Metadata{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(side*side)*float64(b.N)/b.Elapsed().Seconds(), "tiles/s")
}
