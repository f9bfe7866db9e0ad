package index

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"

	"github.com/future-community/cim/cim"
)

// TestCrashHelper is run by TestKilledBatchIsUndoneOnOpen in a child
// process: it commits a small batch, writes most of a large one, and kills
// itself with SIGKILL before the commit, leaving Badger's log as a crash
// would.
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
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), "CIM_CRASH_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die by SIGKILL: %v\n%s", err, out)
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The committed batch was version 1, the killed one 2; Open undid it at 3.
	if s.rev != 1 || s.readTs != 3 {
		t.Fatalf("revision %d, read version %d: the killed batch was not undone", s.rev, s.readTs)
	}
	r := rand.New(rand.NewPCG(21, 22))
	var want []string
	good := make([]*cim.Feature, 300)
	for i := range good {
		good[i] = randomFeature(r, i)
		want = append(want, key(good[i]))
	}
	sn, _ := s.Snapshot()
	defer sn.Close()
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
}
