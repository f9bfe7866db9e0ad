package osm

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReader feeds damaged PBF data to the reader: it must return errors,
// never panic or hang.
func FuzzReader(f *testing.F) {
	if data, err := os.ReadFile(shared + "/data/osm/bremen-trams.osm.pbf"); err == nil {
		f.Add(data[:200])
		f.Add(data[:5000])
		f.Add(data[:min(len(data), 40000)])
	}
	f.Add([]byte{0, 0, 0, 13, 10, 9, 'O', 'S', 'M', 'H', 'e', 'a', 'd', 'e', 'r', 24, 10})
	files, _ := filepath.Glob("testdata/*.pbf") // the damaged files of TestDamagedFiles
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), Options{Dataset: "fuzz", TempDir: t.TempDir()})
		if err != nil {
			return
		}
		defer r.Close()
		for range 100000 {
			if _, err := r.Next(); err != nil {
				return
			}
		}
	})
}
