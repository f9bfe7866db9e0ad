package step

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// BenchmarkOffice reads every instance of the 4 MB GSA Office A model
// (IFC2X3, 62,930 instances).
func BenchmarkOffice(b *testing.B) {
	benchmarkFile(b, "Office_A_20110811.ifc", nil)
}

// BenchmarkOfficeOnly reads the Office A model keeping the few types an
// IFC layer reads first (storeys, spaces, slabs, walls, placements) and
// skipping the rest with Only.
func BenchmarkOfficeOnly(b *testing.B) {
	keep := map[string]bool{"IFCBUILDINGSTOREY": true, "IFCSPACE": true, "IFCSLAB": true,
		"IFCWALLSTANDARDCASE": true, "IFCLOCALPLACEMENT": true, "IFCAXIS2PLACEMENT3D": true}
	benchmarkFile(b, "Office_A_20110811.ifc", func(typ string) bool { return keep[typ] })
}

func benchmarkFile(b *testing.B, name string, keep func(string) bool) {
	data, err := os.ReadFile(sharedIFC + "/" + name)
	if err != nil {
		b.Skipf("shared test data absent: %v", err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		r, err := NewReader(bytes.NewReader(data), name)
		if err != nil {
			b.Fatal(err)
		}
		r.Only(keep)
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
