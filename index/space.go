package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrDiskFull is the error a write returns, wrapped in a *DiskFullError,
// when the disk holding the store has too little room for it.
var ErrDiskFull = errors.New("disk full")

// DiskFullError says that the disk holding a store has less room than a
// write needs. It matches ErrDiskFull and syscall.ENOSPC with errors.Is.
type DiskFullError struct {
	Dir   string // the store
	Doing string // what needed the room: "open", "write", "recover", "compact"
	Free  int64  // bytes free to the store's writer
	Need  int64  // bytes the write needs, an estimate
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("the disk holding %s is full: %s free, and to %s the store needs about %s",
		e.Dir, mib(e.Free), e.Doing, mib(e.Need))
}

// Is matches ErrDiskFull.
func (e *DiskFullError) Is(target error) bool { return target == ErrDiskFull }

// Unwrap gives syscall.ENOSPC, the error the system gives for a full disk.
func (e *DiskFullError) Unwrap() error { return syscall.ENOSPC }

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// Badger writes its logs and tables through memory maps of files that it
// sizes in full but does not allocate (the memtable's log is made twice
// the memtable's size, sparse). A write into such a map on a full disk
// does not fail: the kernel kills the process with SIGBUS, mid-batch. No
// Badger option writes those files another way, so the store checks the
// room left before each thing it asks Badger to write, against an
// estimate of what that will allocate:
//
//   - to open for writing: spaceHeadroom, for the new memtable's log,
//     the value log's header and a manifest rewrite;
//   - before each chunk of a batch (chunkBytes at most): the chunk in the
//     memtable's log, the level-0 table it will be flushed to, a
//     compaction of that table, the undo of everything the batch wrote so
//     far (should the batch fail later and need to be undone), and the
//     headroom;
//   - before recovery reclaims space, and before Compact: the store's
//     tables again, which a full compaction rewrites before it deletes.
//
// The estimate errs large. What it cannot foresee is another process
// filling the disk between two checks.
const spaceHeadroom = 8 << 20

// freeSpace returns the bytes free to an unprivileged writer on the disk
// holding dir, or -1 where that cannot be told. Tests replace it.
var freeSpace = diskFree

// roomIn returns a *DiskFullError when the disk holding dir has fewer
// than need bytes free.
func roomIn(dir, doing string, need int64) error {
	free := freeSpace(dir)
	if free < 0 || free >= need {
		return nil
	}
	return &DiskFullError{Dir: dir, Doing: doing, Free: free, Need: need}
}

// chunkCheck returns the writer's check before each chunk: room for
// the chunk and, with undo, for undoing all the writer has sent.
func (s *Store) chunkCheck(doing string, undo bool) func(sent, n int64) error {
	return func(sent, n int64) error { return roomIn(s.dir, doing, s.chunkRoom(sent, n, undo)) }
}

// chunkRoom is what writing a chunk of n bytes needs free, when the
// batch has already sent sent bytes (see the comment on spaceHeadroom).
func (s *Store) chunkRoom(sent, n int64, undo bool) int64 {
	need := n + 2*min(sent+n, s.memTable) + spaceHeadroom
	if undo {
		need += sent + n
	}
	return need
}

// tablesSize is the bytes of the store's tables and value logs on disk.
func tablesSize(dir string) int64 {
	var n int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sst") && !strings.HasSuffix(name, ".vlog") {
			continue
		}
		if info, err := os.Stat(filepath.Join(dir, name)); err == nil {
			n += fileUsage(info)
		}
	}
	return n
}
