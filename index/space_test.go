package index

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/future-community/cim/cim"
)

// smallDisk makes freeSpace report the room left on a disk of capacity
// bytes that holds only the store in dir, from the store's real usage, and
// records the most the store ever used when asked.
type smallDisk struct {
	capacity int64
	mu       sync.Mutex
	peak     int64
}

func (d *smallDisk) free(dir string) int64 {
	used := dirUsage(dir)
	d.mu.Lock()
	d.peak = max(d.peak, used)
	d.mu.Unlock()
	return d.capacity - used
}

// dirUsage is the disk space taken by the files in dir, skipping any that
// Badger deletes while it looks.
func dirUsage(dir string) int64 {
	var n int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !info.IsDir() {
			n += fileUsage(info)
		}
	}
	return n
}

// TestDiskFull fills a store's disk: the batch that does not fit fails
// with ErrDiskFull before Badger is asked to write past the disk's end,
// the store is left as it was, reads go on, and a batch that fits still
// commits.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, &Options{MemTableMB: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	r := rand.New(rand.NewPCG(3, 4))
	small := make([]*cim.Feature, 500)
	for i := range small {
		small[i] = randomFeature(r, i)
	}
	ingest(t, s, small)
	before := keysOfAll(t, s)
	rev := s.Revision()

	disk := &smallDisk{capacity: dirUsage(dir) + 30<<20}
	freeSpace = disk.free
	defer func() { freeSpace = diskFree }()

	big := make([]*cim.Feature, 200_000) // some 60 MB of records and keys
	for i := range big {
		big[i] = randomFeature(r, 1000+i)
		big[i].Props["pad"] = strings.Repeat("x", 200)
	}
	_, _, err = s.Ingest(context.Background(), &sliceSource{fs: big}, nil)
	var full *DiskFullError
	if !errors.As(err, &full) || !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("ingest onto a full disk: %v, want a *DiskFullError", err)
	}
	if full.Free >= full.Need || full.Dir != dir || !strings.Contains(err.Error(), "full") {
		t.Errorf("the error: %+v (%v)", full, err)
	}
	if disk.peak > disk.capacity {
		t.Errorf("the store used %d bytes of a %d-byte disk", disk.peak, disk.capacity)
	}
	if got := s.Revision(); got != rev {
		t.Errorf("revision %d after the failed batch, want %d", got, rev)
	}
	if after := keysOfAll(t, s); !slices.Equal(after, before) {
		t.Errorf("the store after the failed batch holds %d keys, want the %d it held", len(after), len(before))
	}
	more := make([]*cim.Feature, 50)
	for i := range more {
		more[i] = randomFeature(r, 900_000+i)
	}
	ingest(t, s, more)
	withMore := keysOfAll(t, s)
	if len(withMore) <= len(before) || len(minus(before, withMore)) != 0 {
		t.Errorf("%d keys after a batch that fits, from %d", len(withMore), len(before))
	}

	// A disk with no room at all: the store opens to read, not to write.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	disk.capacity = dirUsage(dir) + 1<<20
	if _, err := Open(dir, nil); !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "open it for writing") {
		t.Errorf("open to write on a full disk: %v", err)
	}
	ro, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open to read on a full disk: %v", err)
	}
	s = ro
	if got := keysOfAll(t, s); !slices.Equal(got, withMore) {
		t.Errorf("read on a full disk: %d keys, want %d", len(got), len(withMore))
	}
	if err := fmt.Errorf("%w", ro.Compact()); !errors.Is(err, ErrReadOnly) {
		t.Errorf("compact a read-only store: %v", err)
	}
}

// TestAbortedBatchSpaceIsReclaimed: a large batch that fails leaves its
// writes and their undo on disk until a compaction; Close reclaims them.
func TestAbortedBatchSpaceIsReclaimed(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	good := make([]*cim.Feature, 500)
	for i := range good {
		good[i] = randomFeature(r, i)
	}
	ingest(t, s, good)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := dirUsage(dir)

	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	next := make([]*cim.Feature, 100_000) // some 40 MB of writes
	for i := range next {
		next[i] = randomFeature(r, 1000+i)
		next[i].Props["pad"] = strings.Repeat("x", 200)
	}
	boom := errors.New("boom")
	if _, _, err := s.Ingest(context.Background(), &failingSource{sliceSource{fs: next}, boom}, nil); !errors.Is(err, boom) {
		t.Fatalf("ingest: %v, want boom", err)
	}
	if s.undone < reclaimMin {
		t.Fatalf("the aborted batch wrote %d bytes, too few to test", s.undone)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if after := dirUsage(dir); after > before+2<<20 {
		t.Errorf("the store takes %d bytes after a failed batch, %d before", after, before)
	}
	s, err = Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := len(keysOfAll(t, s)); got == 0 {
		t.Error("the store is empty after reclaiming")
	}
}
