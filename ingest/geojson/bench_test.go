package geojson

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// BenchmarkReadMinneapolis decodes the Minneapolis built-form districts
// (4 MB, 787 polygons with up to thousands of vertices).
func BenchmarkReadMinneapolis(b *testing.B) {
	data, err := os.ReadFile("../../../shared/data/zoning/minneapolis_Planning_Zoning_Built_Form.geojson")
	if err != nil {
		b.Skip("shared test data absent")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		r, err := NewReader(bytes.NewReader(data), Options{Dataset: "m"})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 787 {
			b.Fatalf("%d features", n)
		}
	}
}
