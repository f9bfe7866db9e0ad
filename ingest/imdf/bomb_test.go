package imdf

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/future-community/cim/cim"
)

// bombBytes is the size of the zip bomb's entry when inflated: 1 GiB of
// spaces, which Deflate squeezes to about 1 MiB.
const bombBytes = 1 << 30

// bomb is the Deflate stream of bombBytes spaces with its CRC-32, made
// once per test binary (compressing 1 GiB takes seconds).
var bomb = sync.OnceValues(func() ([]byte, uint32) {
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	spaces := bytes.Repeat([]byte{' '}, 1<<20)
	crc := crc32.NewIEEE()
	for range bombBytes / len(spaces) {
		zw.Write(spaces)
		crc.Write(spaces)
	}
	zw.Close()
	return buf.Bytes(), crc.Sum32()
})

// writeBombZip zips files and an entry named bombName that inflates to
// bombBytes spaces, and returns the zip's path.
func writeBombZip(t *testing.T, files map[string]string, bombName string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bomb.zip")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, files[name]); err != nil {
			t.Fatal(err)
		}
	}
	data, crc := bomb()
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: bombName, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(data)), UncompressedSize64: bombBytes,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// peakHeap runs f and returns the largest runtime.MemStats.HeapInuse seen
// while it ran, sampled every millisecond by another goroutine.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	<-sampled
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return max(peak, ms.HeapInuse)
}

// The bound the bombs are held to: well under the CLI's default --memory
// of 640 MiB, and far under the 1 GiB the entry inflates to.
const bombHeapLimit = 256 << 20

func TestZipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 1 GiB to build the bomb")
	}
	files := mallFiles(t)
	delete(files, "unit.geojson")
	p := writeBombZip(t, files, "unit.geojson")
	if st, err := os.Stat(p); err == nil {
		t.Logf("bomb: %d KiB zip, unit.geojson inflates to %d MiB", st.Size()>>10, bombBytes>>20)
	}
	var err error
	peak := peakHeap(func() { _, _, err = openAll(t, p, Options{}) })
	t.Logf("peak HeapInuse %d MiB; %v", peak>>20, err)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	var e *Error
	if !errors.As(err, &e) || !strings.HasSuffix(e.Path, "bomb.zip/unit.geojson") {
		t.Errorf("error %v does not name bomb.zip/unit.geojson", err)
	}
	if peak > bombHeapLimit {
		t.Errorf("peak HeapInuse %d MiB, want at most %d MiB", peak>>20, bombHeapLimit>>20)
	}
}

func TestZipBombIgnored(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 1 GiB to build the bomb")
	}
	p := writeBombZip(t, mallFiles(t), "fixture.geojson")
	var (
		fs  int
		err error
	)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := peakHeap(func() {
		var r *Reader
		r, err = Open(p, Options{Dataset: "mall"})
		if err != nil {
			return
		}
		defer r.Close()
		var got []*cim.Feature
		got, err = collect(r)
		fs = len(got)
		if w := r.Warnings(); w["ignored fixture.geojson (not read)"] != 1 {
			t.Errorf("warnings %v, want the fixture file ignored", w)
		}
	})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if fs == 0 {
		t.Fatal("no features")
	}
	// Inflating the entry would allocate at least its 1 GiB in buffers
	// passed through; reading the small files allocates a few MiB.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d features, allocated %d KiB, peak HeapInuse %d MiB", fs, alloc>>10, peak>>20)
	if alloc > 64<<20 {
		t.Errorf("allocated %d MiB reading an archive whose only big entry is ignored", alloc>>20)
	}
	if peak > bombHeapLimit {
		t.Errorf("peak HeapInuse %d MiB, want at most %d MiB", peak>>20, bombHeapLimit>>20)
	}
}

// TestUnsafeEntryNames: an archive with an entry whose name climbs out
// of it is refused, whether the reader would read the entry or ignore it.
func TestUnsafeEntryNames(t *testing.T) {
	for _, name := range []string{"../../unit.geojson", "/unit.geojson", `sub\unit.geojson`, "C:/unit.geojson", "a/../../unit.geojson", "ignored:../../../tmp/evil.geojson"} {
		t.Run(name, func(t *testing.T) {
			files := mallFiles(t)
			if ignored, ok := strings.CutPrefix(name, "ignored:"); ok {
				name = ignored
				files[name] = "{}"
			} else {
				files[name] = files["unit.geojson"]
				delete(files, "unit.geojson")
			}
			p := writeZip(t, files, "")
			_, err := Open(p, Options{Dataset: "mall", Name: "mall.zip"})
			if !errors.Is(err, ErrUnsafeEntry) {
				t.Fatalf("error %v, want ErrUnsafeEntry", err)
			}
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "mall.zip: ") || !strings.Contains(err.Error(), strconv.Quote(name)) {
				t.Errorf("error %q does not name the archive and the entry", err)
			}
		})
	}
}
