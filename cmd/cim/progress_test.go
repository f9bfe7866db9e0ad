package main

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that the progress goroutine and the test
// may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgressLog checks the lines written without a terminal: the
// phase, the bytes read and the features, and a line after the file is
// read that says the store is being written rather than 100 %.
func TestProgressLog(t *testing.T) {
	var out syncBuffer
	var read, features atomic.Int64
	var phase atomic.Value
	phase.Store("nodes")
	p := startProgress(&out, "/data/city.osm.pbf", 2_000_000, read.Load, features.Load, func() string { return phase.Load().(string) }, 5*time.Millisecond)
	read.Store(500_000)
	features.Store(1234)
	waitFor(t, &out, "nodes, 0.5 MB of 2.0 MB read (25 %), 1,234 features")
	read.Store(2_000_000)
	phase.Store("writing")
	waitFor(t, &out, "city.osm.pbf: writing, 2.0 MB of 2.0 MB read (100 %)")
	p.done()
	n := strings.Count(out.String(), "\n")
	time.Sleep(20 * time.Millisecond)
	if m := strings.Count(out.String(), "\n"); m != n {
		t.Errorf("%d lines after done, %d before", m, n)
	}
}

func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	for range 400 {
		if strings.Contains(out.String(), want) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no line with %q in:\n%s", want, out.String())
}
