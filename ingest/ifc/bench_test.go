package ifc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkOfficeA reads the 4 MB Office A model into features: STEP
// parsing, placements, footprints, georeferencing.
func BenchmarkOfficeA(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(dataDir, "Office_A_20110811.ifc"))
	if errors.Is(err, os.ErrNotExist) {
		b.Skip("the shared IFC samples are not checked out")
	}
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), Options{Dataset: "office"})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
