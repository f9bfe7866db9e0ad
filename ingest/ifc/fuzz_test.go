package ifc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/future-community/cim/cim"
)

// FuzzReader checks that no input makes the reader panic or loop, and
// that what it returns is valid.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.ifc")
	utm, _ := filepath.Glob(filepath.Join(dataDir, "geographic-referencing-utm.ifc"))
	for _, p := range append(seeds, utm...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// The file's own georeferencing first; an anchor where it has none.
		r, err := NewReader(bytes.NewReader(b), Options{Dataset: "fuzz"})
		if errors.Is(err, ErrNoGeoref) {
			r, err = NewReader(bytes.NewReader(b), Options{Dataset: "fuzz", Anchor: &cim.Anchor{Lon: 8, Lat: 49}})
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		for {
			ft, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := ft.Validate(); err != nil {
				t.Fatalf("invalid feature returned: %v", err)
			}
		}
	})
}
