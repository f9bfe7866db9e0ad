package index

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/future-community/cim/cim"
)

// TestCrashHelper is run by TestKilledBatchIsUndoneOnOpen in a child
// process: it commits a small batch, closes the store and writes its size
// to the file CIM_CRASH_BEFORE, opens it again, writes most of a large
// batch, and kills itself with SIGKILL before the commit, leaving Badger's
// log as a crash would.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv("CIM_CRASH_DIR")
	if dir == "" {
		t.Skip("run by TestKilledBatchIsUndoneOnOpen")
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(21, 22))
	good := make([]*cim.Feature, 300)
	for i := range good {
		good[i] = randomFeature(r, i)
	}
	ingest(t, s, good)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv("CIM_CRASH_BEFORE"), []byte(strconv.FormatInt(diskUsage(t, dir), 10)), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	b, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30000 { // replaces the good features and adds more
		if err := b.Put(randomFeature(r, i%5000)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.w.finish(); err != nil {
		t.Fatal(err)
	}
	s.db.Sync()
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
}

func TestKilledBatchIsUndoneOnOpen(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := filepath.Join(t.TempDir(), "store")
	beforeFile := filepath.Join(t.TempDir(), "before")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), "CIM_CRASH_DIR="+dir, "CIM_CRASH_BEFORE="+beforeFile)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die by SIGKILL: %v\n%s", err, out)
	}
	crashed := diskUsage(t, dir)
	var calls []recoveryCall
	s, err := Open(dir, &Options{Recovering: func(phase string, done, total int64) {
		calls = append(calls, recoveryCall{phase, done, total})
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The committed batch was version 1, the killed one 2; Open undid it
	// at 3 and, reclaiming its space, wrote at 4 that the history before
	// it is gone (dropHistory).
	if s.rev != 1 || s.readTs != 4 || s.Oldest() != 1 {
		t.Fatalf("revision %d, read version %d: the killed batch was not undone", s.rev, s.readTs)
	}
	r := rand.New(rand.NewPCG(21, 22))
	var want []string
	good := make([]*cim.Feature, 300)
	for i := range good {
		good[i] = randomFeature(r, i)
		want = append(want, key(good[i]))
	}
	// The batch's last 5000 features, with distinct ids, were all written
	// by the killed batch under keys of their own: at least that many keys
	// were undone.
	killed := make([]*cim.Feature, 30000)
	for i := range killed {
		killed[i] = randomFeature(r, i%5000)
	}
	checkRecoveryCalls(t, calls, int64(keyCount(killed[25000:], func(*cim.Feature) bool { return true })))
	sn, _ := s.Snapshot()
	got := scanKeys(t, sn, Filter{})
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("after the crash the store holds %d features, want the %d committed", len(got), len(want))
	}
	if got, wantKeys := len(keysOfAll(t, s)), keyCount(good, func(*cim.Feature) bool { return true }); got != wantKeys {
		t.Errorf("store holds %d keys, want %d", got, wantKeys)
	}
	// Each committed feature reads back as it was written.
	for _, f := range good[:20] {
		back, err := sn.Get(f.Dataset, f.Stage, f.ID)
		if err != nil || cim.BoundsOf(back.Geometry) != cim.BoundsOf(f.Geometry) {
			t.Fatalf("%s: %v", f.ID, err)
		}
	}
	sn.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Recovery compacts away the killed batch and its undo, which leaves
	// the versions the store held before the batch: the same keys and
	// values, laid out in other tables. 64 KiB allows for that layout
	// (block padding, index and Bloom filter sizes, 4 KiB blocks per extra
	// small file such as a new empty value log); without the compaction
	// the store keeps megabytes.
	b, err := os.ReadFile(beforeFile)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := strconv.ParseInt(string(b), 10, 64)
	after := diskUsage(t, dir)
	t.Logf("store on disk: %d bytes before the batch, %d after the crash, %d after recovery", before, crashed, after)
	const slack = 64 << 10
	if after > before+slack {
		t.Errorf("after recovery the store takes %d bytes on disk, want at most %d (%d before the killed batch + %d)", after, before+slack, before, slack)
	}
}

type recoveryCall struct {
	phase       string
	done, total int64
}

// checkRecoveryCalls checks the phases reported by a recovery that undid
// at least minKeys keys.
func checkRecoveryCalls(t *testing.T, calls []recoveryCall, minKeys int64) {
	t.Helper()
	if len(calls) == 0 {
		t.Fatal("Open recovered without calling Options.Recovering")
	}
	order := []string{RecoveryCounting, RecoveryUndoing, RecoveryReclaiming, RecoveryDone}
	phase, total, done := 0, int64(0), int64(-1)
	for i, c := range calls {
		p := slices.Index(order, c.phase)
		if p < phase || p < 0 {
			t.Fatalf("call %d: phase %q after %q: %v", i, c.phase, order[phase], calls)
		}
		if p > phase {
			done = -1
		}
		phase = p
		if c.done < done {
			t.Fatalf("call %d: %s: done went back from %d to %d", i, c.phase, done, c.done)
		}
		done = c.done
		switch c.phase {
		case RecoveryCounting:
			total = c.done
		case RecoveryUndoing:
			if c.total != total || c.done > total {
				t.Fatalf("call %d: undoing %d of %d, but %d keys were counted", i, c.done, c.total, total)
			}
		}
	}
	if phase != len(order)-1 {
		t.Fatalf("recovery ended in phase %q: %v", order[phase], calls)
	}
	last := slices.IndexFunc(calls, func(c recoveryCall) bool { return c.phase == RecoveryReclaiming }) - 1
	if c := calls[last]; c.phase != RecoveryUndoing || c.done != c.total {
		t.Fatalf("the undo ended at %d of %d keys", c.done, c.total)
	}
	if total < minKeys {
		t.Fatalf("recovery counted %d keys to undo, want at least %d", total, minKeys)
	}
	// Start and end of four phases, plus one call per 100 ms of a few
	// seconds at most.
	if len(calls) > 8+100 {
		t.Errorf("%d progress calls: not rate-limited", len(calls))
	}
}

// diskUsage is the disk space, in bytes, taken by the files in dir.
func diskUsage(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n += fileUsage(fi)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
