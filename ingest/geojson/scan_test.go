package geojson

import (
	"errors"
	"io"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// repeatReader yields n copies of one byte without holding them.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n)]
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readToError reads r until an error and returns it, or nil at io.EOF.
func readToError(r io.Reader) error {
	rd, err := NewReader(r, Options{Dataset: "ds", Name: "in.geojson"})
	if err != nil {
		return err
	}
	for {
		if _, err := rd.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// heapInuse reads the heap in use (live objects, objects not yet swept,
// and free space in spans holding objects: MemStats.HeapInuse) without
// stopping the world.
func heapInuse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

func heapSamples() []metrics.Sample {
	return []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
}

// peakHeapGrowth runs fn and returns the most the heap in use grew over
// its level before fn (after a GC), sampled every millisecond.
func peakHeapGrowth(fn func()) uint64 {
	s := heapSamples()
	runtime.GC()
	base := heapInuse(s)
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := heapSamples()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapInuse(s); h > peak {
				peak = h
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	if h := heapInuse(s); h > peak {
		peak = h
	}
	if peak < base {
		return 0
	}
	return peak - base
}

// TestHostileInputFailsFast feeds runs of bytes that no JSON token can
// hold, and overlong tokens, each followed by far more input than the
// reader may buffer: the reader must fail where the run starts, having
// read little past it, with little memory.
func TestHostileInputFailsFast(t *testing.T) {
	const prefix = `{"type":"FeatureCollection","features":[`
	const runLen = 200 << 20 // never allocated: repeatReader makes it
	tests := []struct {
		name   string
		head   string // before the run
		b      byte   // the run's byte
		offset int64  // want Error.Offset
		msg    string // want in the message
	}{
		{"zero bytes for a feature", prefix, 0, int64(len(prefix)), "unexpected byte 0x00"},
		{"zero bytes in a feature", prefix + `{"type":`, 0, int64(len(prefix) + 8), "unexpected byte 0x00"},
		{"zero bytes in a string", prefix + `{"type":"Fea`, 0, int64(len(prefix) + 12), "control byte 0x00 in a string"},
		{"zero bytes in a top-level member", `{"type":`, 0, 8, "unexpected byte 0x00"},
		{"zero bytes in a top-level string", `{"name":"ab`, 0, 11, "control byte 0x00 in a string"},
		{"digits for a feature", prefix, '7', int64(len(prefix)), "longer than"},
		{"digits in a feature", prefix + `{"n":`, '7', int64(len(prefix) + 5), "longer than"},
		{"digits in a top-level member", `{"n":`, '7', 5, "longer than"},
		{"letters in a feature", prefix + `{"n":`, 't', int64(len(prefix) + 5), "longer than"},
		{"letters that start no token", prefix + `{"n":`, 'x', int64(len(prefix) + 5), "unexpected byte 'x'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &countingReader{r: io.MultiReader(strings.NewReader(tt.head), &repeatReader{tt.b, runLen})}
			var err error
			grew := peakHeapGrowth(func() { err = readToError(in) })
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if e.Offset != tt.offset || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q at byte %d, want %q at byte %d", err, e.Offset, tt.msg, tt.offset)
			}
			// Failing fast: the reader's buffer and a little more read.
			if in.n > 4<<20 {
				t.Errorf("read %d MiB before failing", in.n>>20)
			}
			if grew > 64<<20 {
				t.Errorf("heap grew by %d MiB", grew>>20)
			}
		})
	}
}

// TestLongStringStaysBounded checks that a string too long to be a
// property is refused once it passes the bound, not after the whole input.
func TestLongStringStaysBounded(t *testing.T) {
	head := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"note":"`
	in := &countingReader{r: io.MultiReader(strings.NewReader(head), &repeatReader{'x', 2 * maxString})}
	err := readToError(in)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "string longer than") {
		t.Fatalf("error %v, want one about the string's length", err)
	}
	if want := int64(len(head)) - 1; e.Offset != want {
		t.Errorf("offset %d, want %d, the string's start", e.Offset, want)
	}
	if in.n > maxString+4<<20 {
		t.Errorf("read %d MiB, the bound is %d MiB", in.n>>20, maxString>>20)
	}
}

// TestLargeStringPropertyMemory reads a valid feature with a 50 MB string
// property. What the read allocates in all (MemStats.TotalAlloc, an upper
// bound on the heap's peak that does not depend on when the collector
// runs) must stay near 3 times the string, under 3.2: the feature framed
// in blocks, joined once for encoding/json, and the decoded string, each
// once (growing one slice by append, as the scanner did, allocated over 6
// times the string). No more than 2 of the 3 are live at once. The peak of
// the heap in use, sampled every millisecond, is logged.
func TestLargeStringPropertyMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 50 MB")
	}
	const n = 50 << 20
	head := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"note":"`
	tail := `"},"geometry":` + square + `}]}`
	var note string
	var before, after runtime.MemStats
	grew := peakHeapGrowth(func() {
		runtime.ReadMemStats(&before)
		rd, err := NewReader(io.MultiReader(strings.NewReader(head), &repeatReader{'x', n}, strings.NewReader(tail)), Options{Dataset: "ds"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		note, _ = f.Props["note"].(string)
		if _, err := rd.Next(); err != io.EOF {
			t.Fatalf("after the feature: %v, want io.EOF", err)
		}
		runtime.ReadMemStats(&after)
	})
	if len(note) != n {
		t.Fatalf("note of %d bytes, want %d", len(note), n)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d MiB string: %.1f MiB allocated (%.2f×), heap in use peaked %.1f MiB over the base (%.2f×)",
		n>>20, float64(alloc)/(1<<20), float64(alloc)/n, float64(grew)/(1<<20), float64(grew)/n)
	if alloc > 32*n/10 {
		t.Errorf("%d MiB allocated, want under %d MiB (3.2× the string)", alloc>>20, 32*n/10>>20)
	}
}

// patternReader yields pattern n times, without holding it n times.
type patternReader struct {
	pattern string
	n       int
	pos     int
}

func (r *patternReader) Read(p []byte) (int, error) {
	m := 0
	for m < len(p) && r.n > 0 {
		c := copy(p[m:], r.pattern[r.pos:])
		m += c
		if r.pos += c; r.pos == len(r.pattern) {
			r.pos, r.n = 0, r.n-1
		}
	}
	if m == 0 {
		return 0, io.EOF
	}
	return m, nil
}

// TestLargeFeaturesAreBounded: a feature of many short tokens, each within
// its bound, is refused when the whole passes maxValue (a 200 MB feature
// took 4.5 GB and four minutes), and properties of more than maxPropValues
// values are refused before they are decoded.
func TestLargeFeaturesAreBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 80 MiB: skipped under -short")
	}
	const head = `{"type":"Feature","geometry":{"type":"Point","coordinates":[120.1,30.2]},"properties":{"a":[`
	tests := []struct {
		name   string
		n      int // times "1," after head
		offset int64
		msg    string
	}{
		{"a feature past maxValue", maxValue / 2, int64(strings.Index(head, `{"a"`)), "a value longer than 80 MiB"},
		{"properties of too many values", maxPropValues, int64(strings.Index(head, `{"a"`)), "properties: more than 1,048,576 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &countingReader{r: io.MultiReader(strings.NewReader(head), &patternReader{pattern: "1,", n: tt.n}, strings.NewReader("1]}}\n"))}
			var err error
			grew := peakHeapGrowth(func() { err = readToError(in) })
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tt.msg) || e.Offset != tt.offset {
				t.Fatalf("error %v, want %q at byte %d", err, tt.msg, tt.offset)
			}
			if grew > 4*maxValue {
				t.Errorf("heap grew by %d MiB, over 4 times the %d MiB bound", grew>>20, maxValue>>20)
			}
			t.Logf("heap grew by %d MiB", grew>>20)
		})
	}
}
