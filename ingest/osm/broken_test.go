package osm

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// readAllBytes reads a PBF held in memory and returns the first error.
func readAllBytes(t *testing.T, data []byte) error {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), Options{Dataset: "x", Name: "in.pbf", TempDir: t.TempDir()})
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		if _, err := r.Next(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// TestDamagedFiles reads hand-made damaged PBFs (testdata/bad_*): each must
// fail with an error, not a panic, a hang or a runaway allocation; the
// well-formed ones (testdata/ok_*) must read.
func TestDamagedFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.pbf")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			err = readAllBytes(t, data)
			bad := strings.HasPrefix(filepath.Base(f), "bad_") || strings.HasPrefix(filepath.Base(f), "trunc_")
			if bad && (err == nil || !strings.Contains(err.Error(), "in.pbf")) {
				t.Errorf("error %v, want one naming the file", err)
			}
			if !bad && err != nil {
				t.Errorf("a valid file: %v", err)
			}
		})
	}
}

// frame writes one PBF file block: a BlobHeader and a Blob holding data
// (field 1, raw, or 3, zlib_data) and raw_size.
func frame(typ string, dataField protowire.Number, data []byte, rawSize int) []byte {
	var b []byte
	b = protowire.AppendTag(b, dataField, protowire.BytesType)
	b = protowire.AppendBytes(b, data)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(rawSize))
	var h []byte
	h = protowire.AppendTag(h, 1, protowire.BytesType)
	h = protowire.AppendString(h, typ)
	h = protowire.AppendTag(h, 3, protowire.VarintType)
	h = protowire.AppendVarint(h, uint64(len(b)))
	return append(append(binary.BigEndian.AppendUint32(nil, uint32(len(h))), h...), b...)
}

// TestZlibBombIsRefused: a small block that inflates to 256 MiB while
// claiming 1 KiB must fail fast and without allocating what it inflates to.
func TestZlibBombIsRefused(t *testing.T) {
	var hb []byte
	for _, f := range []string{"OsmSchema-V0.6", "DenseNodes"} {
		hb = protowire.AppendTag(hb, 4, protowire.BytesType) // required_features
		hb = protowire.AppendString(hb, f)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zeros := make([]byte, 1<<20)
	for range 256 {
		zw.Write(zeros)
	}
	zw.Close()
	data := frame("OSMHeader", 1, hb, len(hb))
	data = append(data, frame("OSMData", 3, z.Bytes(), 1024)...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	err := readAllBytes(t, data)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("no error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("allocated %d MiB for a %d KiB file", grew>>20, len(data)>>10)
	}
}

// TestCloseStopsTheDecoder: stopping early leaves no goroutine behind.
func TestCloseStopsTheDecoder(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(shared, "data/osm/bremen-trams.osm.pbf"))
	if err != nil {
		t.Skip("shared test data absent")
	}
	base := runtime.NumGoroutine()
	for range 5 {
		r, err := NewReader(bytes.NewReader(data), Options{Dataset: "x", TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		r.Next() // read one feature and stop
		r.Close()
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines left running after Close (%d before)", n-base, base)
	}
}
