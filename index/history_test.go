package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/future-community/cim/cim"
)

// follow reads the whole change feed after pos, limit changes at a time,
// applying each to twin (created and updated set, deleted removes), and
// returns the position after the last.
func follow(t *testing.T, s *Store, pos ChangePos, limit int, twin map[string]int, f ChangeFilter) ChangePos {
	t.Helper()
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	for {
		cs, next, more, err := sn.Changes(context.Background(), pos, limit, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) > limit {
			t.Fatalf("%d changes, limit %d", len(cs), limit)
		}
		for _, c := range cs {
			if c.Revision < pos.Rev || c.Revision > next.Rev {
				t.Fatalf("change %+v outside %v..%v: out of order", c, pos, next)
			}
			k := c.Dataset + "/" + c.Stage.String() + "/" + c.ID
			switch c.Kind {
			case Created:
				if _, ok := twin[k]; ok {
					t.Fatalf("%s created twice", k)
				}
				twin[k] = int(c.Revision)
			case Updated:
				if _, ok := twin[k]; !ok {
					t.Fatalf("%s updated before it was created", k)
				}
				twin[k] = int(c.Revision)
			case Deleted:
				if _, ok := twin[k]; !ok {
					t.Fatalf("%s deleted before it was created", k)
				}
				delete(twin, k)
			}
		}
		pos = next
		if !more {
			return pos
		}
	}
}

// stored lists the store's features as dataset/stage/id.
func stored(t *testing.T, s *Store) []string {
	t.Helper()
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	it, err := sn.Scan(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for it.Next() {
		f, err := it.Feature()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, key(f))
	}
	slices.Sort(out)
	return out
}

// TestChangeFeedReplaysTheStore commits random batches (new features,
// updates, features written again unchanged, deletions, a dataset
// deleted, a dataset replaced) and follows the change feed from the
// start, a few changes at a time, between them: what the feed says
// exists is exactly what the store holds.
func TestChangeFeedReplaysTheStore(t *testing.T) {
	s := openTemp(t)
	r := rand.New(rand.NewPCG(7, 8))
	var all []*cim.Feature
	twin := map[string]int{}
	var pos ChangePos
	for round := range 12 {
		b, err := s.Begin()
		if err != nil {
			t.Fatal(err)
		}
		b.Describe(fmt.Sprintf("round %d", round))
		switch {
		case round == 6:
			if _, err := b.DeleteDataset(context.Background(), "beta", cim.StageAny); err != nil {
				t.Fatal(err)
			}
		case round == 9:
			b.ReplaceDataset("alpha")
			for _, f := range all {
				if f.Dataset == "alpha" && r.IntN(2) == 0 {
					if err := b.Put(f); err != nil {
						t.Fatal(err)
					}
				}
			}
		default:
			for range 40 {
				switch x := r.IntN(10); {
				case x < 5 || len(all) == 0:
					f := randomFeature(r, len(all))
					all = append(all, f)
					if err := b.Put(f); err != nil {
						t.Fatal(err)
					}
				case x < 7: // an update
					f := all[r.IntN(len(all))]
					f.Props = map[string]any{"n": float64(round), "v": r.Float64()}
					if err := b.Put(f); err != nil {
						t.Fatal(err)
					}
				case x < 9: // the same again
					if err := b.Put(all[r.IntN(len(all))]); err != nil {
						t.Fatal(err)
					}
				default:
					f := all[r.IntN(len(all))]
					if _, err := b.Delete(f.Dataset, f.Stage, f.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if _, err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		pos = follow(t, s, pos, 1+r.IntN(15), twin, ChangeFilter{})
		got := slices.Sorted(func(yield func(string) bool) {
			for k := range twin {
				if !yield(k) {
					return
				}
			}
		})
		if want := stored(t, s); !slices.Equal(got, want) {
			t.Fatalf("round %d: the feed gives %d features, the store holds %d\nfeed:  %v\nstore: %v", round, len(got), len(want), got, want)
		}
	}
	if len(twin) == 0 {
		t.Fatal("nothing stored: the test shows nothing")
	}

	// The log has a commit per round, counting what the feed listed.
	sn, _ := s.Snapshot()
	defer sn.Close()
	var commits []Commit
	if err := sn.Log(context.Background(), 0, func(c Commit) bool { commits = append(commits, c); return true }); err != nil {
		t.Fatal(err)
	}
	if len(commits) != 12 || commits[11].Revision != s.Revision() || commits[6].What != "round 6" {
		t.Fatalf("log: %+v", commits)
	}
	unchanged := 0
	for _, c := range commits {
		cs, _, _, err := sn.Changes(context.Background(), Since(c.Revision-1), 1<<20, ChangeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		n := map[ChangeKind]int{}
		for _, ch := range cs {
			if ch.Revision == c.Revision {
				n[ch.Kind]++
			}
		}
		if n[Created] != c.Created || n[Updated] != c.Updated || n[Deleted] != c.Deleted {
			t.Errorf("commit %d counts %d/%d/%d, its changes %v", c.Revision, c.Created, c.Updated, c.Deleted, n)
		}
		unchanged += c.Unchanged
	}
	if unchanged == 0 || commits[6].Deleted == 0 || commits[9].Deleted == 0 {
		t.Errorf("no unchanged writes, or deletions by DeleteDataset (%d) or ReplaceDataset (%d): the test shows less than it says", commits[6].Deleted, commits[9].Deleted)
	}

	// A filter keeps what it names.
	cs, _, _, err := sn.Changes(context.Background(), ChangePos{}, 1<<20, ChangeFilter{Dataset: "alpha", Stage: cim.StagePlanning})
	if err != nil || len(cs) == 0 {
		t.Fatal(len(cs), err)
	}
	for _, c := range cs {
		if c.Dataset != "alpha" || c.Stage != cim.StagePlanning {
			t.Fatalf("filtered feed has %+v", c)
		}
	}
}

// TestUnchangedWriteKeepsNoHistory writes the same features again: the
// batch changes nothing, so it makes no revision, no log entry and no
// change.
func TestUnchangedWriteKeepsNoHistory(t *testing.T) {
	s := openTemp(t)
	fs := []*cim.Feature{
		{ID: "a", Class: cim.ClassBuilding, Dataset: "d", Stage: cim.StageAsBuilt, Geometry: rect(120, 30, 120.001, 30.001), Props: map[string]any{"height": 10.0}},
		{ID: "b", Class: cim.ClassGreen, Dataset: "d", Stage: cim.StageAsBuilt, Geometry: rect(120.002, 30, 120.003, 30.001)},
	}
	ingest(t, s, fs)
	rev1 := s.Revision()
	changed := s.Changed(rev1)
	st, rev2, err := s.Ingest(context.Background(), &sliceSource{fs: fs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unchanged != 2 || st.Put != 2 || st.Replaced != 2 || rev2 != rev1 || s.Revision() != rev1 {
		t.Fatalf("stats %+v, revision %d (store %d) after %d", st, rev2, s.Revision(), rev1)
	}
	select {
	case <-changed:
		t.Error("an unchanged write woke the change feed's long polls")
	default:
	}
	sn, _ := s.Snapshot()
	defer sn.Close()
	cs, _, _, err := sn.Changes(context.Background(), ChangePos{}, 100, ChangeFilter{})
	if err != nil || len(cs) != 2 || cs[0].Kind != Created || cs[0].Revision != rev1 {
		t.Fatalf("changes from the start: %+v %v", cs, err)
	}
	n := 0
	sn.Log(context.Background(), 0, func(c Commit) bool {
		n++
		if c.Revision != rev1 || c.Created != 2 || !slices.Equal(c.Datasets, []string{"d"}) || !slices.Equal(c.Stages, []string{"as-built"}) || time.Since(c.Time) > time.Minute {
			t.Errorf("log entry %+v", c)
		}
		return true
	})
	if n != 1 {
		t.Errorf("%d log entries, want 1", n)
	}
	// One changed feature among unchanged ones: a revision, which counts
	// the rest as unchanged.
	fs[0].Props = map[string]any{"height": 12.0}
	if st, rev3, err := s.Ingest(context.Background(), &sliceSource{fs: fs}, nil); err != nil || rev3 == rev1 || st.Unchanged != 1 {
		t.Fatalf("one change: %+v, revision %d, %v", st, rev3, err)
	}
}

// TestAbortedBatchLeavesNoLog aborts a batch: no log entry, no change.
func TestAbortedBatchLeavesNoLog(t *testing.T) {
	s := openTemp(t)
	r := rand.New(rand.NewPCG(1, 2))
	ingest(t, s, []*cim.Feature{randomFeature(r, 0)})
	b, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 3000; i++ { // past a chunk of changes
		if err := b.Put(randomFeature(r, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Abort(); err != nil {
		t.Fatal(err)
	}
	ingest(t, s, []*cim.Feature{randomFeature(r, 5000)})
	sn, _ := s.Snapshot()
	defer sn.Close()
	cs, _, _, err := sn.Changes(context.Background(), ChangePos{}, 10000, ChangeFilter{})
	if err != nil || len(cs) != 2 || cs[0].ID != "t:0" || cs[1].ID != "t:5000" {
		t.Fatalf("after an abort: %d changes %v", len(cs), err)
	}
	n := 0
	sn.Log(context.Background(), 0, func(Commit) bool { n++; return true })
	if n != 2 {
		t.Fatalf("%d log entries, want 2", n)
	}
}

// TestChangedWakesAtCommit: a waiter on Changed wakes when a commit
// lands, not before.
func TestChangedWakesAtCommit(t *testing.T) {
	s := openTemp(t)
	r := rand.New(rand.NewPCG(3, 4))
	ch := s.Changed(s.Revision())
	select {
	case <-ch:
		t.Fatal("woke before any commit")
	case <-time.After(20 * time.Millisecond):
	}
	ingest(t, s, []*cim.Feature{randomFeature(r, 0)})
	select {
	case <-ch:
	case <-time.After(time.Second):
		t.Fatal("did not wake at the commit")
	}
	select {
	case <-s.Changed(0):
	default:
		t.Fatal("Changed of a past revision is not closed")
	}
}

// TestChangesBeforeTheLogAreGone: a position before the log's first
// revision is ErrHistoryGone, not an empty feed.
func TestChangesBeforeTheLogAreGone(t *testing.T) {
	s := openTemp(t)
	r := rand.New(rand.NewPCG(5, 6))
	ingest(t, s, []*cim.Feature{randomFeature(r, 0)})
	ingest(t, s, []*cim.Feature{randomFeature(r, 1)})
	sn, _ := s.Snapshot()
	sn.logFrom = 2 // as a store made before the log would say
	_, _, _, err := sn.Changes(context.Background(), ChangePos{}, 10, ChangeFilter{})
	sn.Close()
	if !errors.Is(err, ErrHistoryGone) || !strings.Contains(err.Error(), "revision 2") {
		t.Fatalf("err %v", err)
	}
}

// contents lists the features a snapshot holds, with their properties.
func contents(t *testing.T, sn *Snapshot) []string {
	t.Helper()
	it, err := sn.Scan(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for it.Next() {
		f, err := it.Feature()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %v %v", key(f), f.Props, cim.BoundsOf(f.Geometry)))
	}
	slices.Sort(out)
	return out
}

// TestAsOf reads the store as of each earlier revision after three
// ingests (new features, then updates and deletions, then more) and an
// aborted batch: each reads what the store held then. A retention of two
// revisions then makes the first unreadable, with an error naming the
// oldest readable one, across a compaction and a reopen.
func TestAsOf(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	r := rand.New(rand.NewPCG(9, 9))
	var all []*cim.Feature
	for i := range 60 {
		all = append(all, randomFeature(r, i))
	}
	saved := map[uint64][]string{}
	var times []time.Time
	save := func() {
		sn, err := s.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		saved[sn.Revision()] = contents(t, sn)
		sn.Close()
		times = append(times, time.Now())
		time.Sleep(5 * time.Millisecond)
	}
	ingest(t, s, all[:40])
	save()
	b, _ := s.Begin()
	for _, f := range all[:10] {
		f.Props = map[string]any{"n": -1.0}
		b.Put(f)
	}
	for _, f := range all[10:15] {
		b.Delete(f.Dataset, f.Stage, f.ID)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	save()
	b, _ = s.Begin()
	aborted := b.ts
	for _, f := range all[40:] {
		b.Put(f)
	}
	b.Abort()
	ingest(t, s, all[40:])
	save()
	if len(saved) != 3 {
		t.Fatalf("%d revisions saved", len(saved))
	}

	check := func(when string) {
		t.Helper()
		for rev, want := range saved {
			sn, err := s.SnapshotAt(rev)
			if err != nil {
				t.Fatalf("%s: as of %d: %v", when, rev, err)
			}
			if got := contents(t, sn); !slices.Equal(got, want) {
				t.Errorf("%s: as of %d: %d features, then %d", when, rev, len(got), len(want))
			}
			sn.Close()
		}
	}
	check("after the ingests")
	sn, err := s.SnapshotAt(aborted)
	if err != nil || sn.Revision() != 2 || !slices.Equal(contents(t, sn), saved[2]) {
		t.Fatalf("as of the aborted batch's version %d: revision %d, %v", aborted, sn.Revision(), err)
	}
	sn.Close()
	if rev, err := s.RevisionAt(context.Background(), times[1]); err != nil || rev != 2 {
		t.Errorf("revision at the second save: %d %v", rev, err)
	}
	if _, err := s.SnapshotAt(s.Revision() + 1); err == nil {
		t.Error("a revision after the store's reads")
	}
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	check("after a compaction")
	// Closing flushes the memtable; a store opened with CompactOnClose
	// then merges those tables when it closes, where Badger drops the
	// versions that compaction is allowed to.
	for _, o := range []*Options{nil, {CompactOnClose: true}, nil} {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if s, err = Open(dir, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	check("after a reopen and compactions")

	// Keep two revisions: the first goes.
	if err := s.SetKeep(Keep{Revisions: 2}); err != nil {
		t.Fatal(err)
	}
	revs := slices.Sorted(maps.Keys(saved))
	second := revs[1]
	if s.Oldest() != second {
		t.Fatalf("oldest %d, want %d, the second newest of %v", s.Oldest(), second, revs)
	}
	delete(saved, revs[0])
	for _, o := range []*Options{{CompactOnClose: true}, nil} {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if s, err = Open(dir, o); err != nil {
			t.Fatal(err)
		}
	}
	if k := s.Keep(); k.Revisions != 2 {
		t.Fatalf("keep %v after a reopen", k)
	}
	check("with two revisions kept")
	// The change lists go with the history: the feed from the start is
	// gone, the feed from the oldest kept revision is not.
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	sn, err = s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := sn.Changes(context.Background(), ChangePos{}, 10, ChangeFilter{}); !errors.Is(err, ErrHistoryGone) {
		t.Errorf("the feed from the start after retention: %v", err)
	}
	if cs, _, _, err := sn.Changes(context.Background(), Since(second-1), 1000, ChangeFilter{}); err != nil || len(cs) == 0 || cs[0].Revision != second {
		t.Errorf("the feed from the oldest kept revision: %d changes, %v", len(cs), err)
	}
	it := sn.txn.NewIterator(badger.IteratorOptions{Prefix: prefixChg})
	for it.Seek(prefixChg); it.ValidForPrefix(prefixChg); it.Next() {
		if rev := binary.BigEndian.Uint64(it.Item().Key()[len(prefixChg):]); rev < second {
			t.Errorf("the change list of revision %d is kept, older than %d", rev, second)
		}
	}
	it.Close()
	sn.Close()
	// Keeping more again does not bring the first back.
	if err := s.SetKeep(DefaultKeep); err != nil {
		t.Fatal(err)
	}
	if s.Oldest() != second {
		t.Fatalf("oldest %d after keeping more again, want %d", s.Oldest(), second)
	}
	_, err = s.SnapshotAt(revs[0])
	if !errors.Is(err, ErrHistoryGone) || !strings.Contains(err.Error(), fmt.Sprintf("oldest it can read is revision %d", second)) {
		t.Fatalf("as of a dropped revision: %v", err)
	}
}

func TestParseKeep(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Keep
		ok   bool
	}{
		{"10", Keep{Revisions: 10}, true},
		{"30d", Keep{Duration: 30 * 24 * time.Hour}, true},
		{"1.5d", Keep{Duration: 36 * time.Hour}, true},
		{"720h", Keep{Duration: 720 * time.Hour}, true},
		{"0", Keep{}, false},
		{"-3", Keep{}, false},
		{"d", Keep{}, false},
		{"forever", Keep{}, false},
		{"-1h", Keep{}, false},
	} {
		got, err := ParseKeep(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%q: %v %v, want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseKeep(f *testing.F) {
	for _, s := range []string{"10", "30d", "1.5d", "720h", "90m", "0", "-1", "d", "1e9d", "9223372036854775807", "1h1m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKeep(s)
		if err != nil {
			return
		}
		if (k.Revisions > 0) == (k.Duration > 0) {
			t.Fatalf("%q: %+v keeps both or neither", s, k)
		}
		// What the store writes reads back the same.
		v := string(k.encode())
		again, err := ParseKeep(v)
		if err != nil || again != k {
			t.Fatalf("%q: %+v written %q reads %+v, %v", s, k, v, again, err)
		}
	})
}

// TestFeedAcrossTheFloor: with revisions that skip numbers (an aborted
// batch uses one, and so does a setting), a feed caught up to the last
// commit before the oldest kept revision goes on; one caught up to an
// earlier commit, or stopped inside that last commit, is told its history
// is gone rather than handed the rest without what it missed.
func TestFeedAcrossTheFloor(t *testing.T) {
	s := openTemp(t)
	r := rand.New(rand.NewPCG(11, 12))
	var revs []uint64
	for i := range 4 {
		if i == 2 {
			b, _ := s.Begin()
			b.Put(randomFeature(r, 100))
			b.Abort() // a version no commit made
		}
		fs := []*cim.Feature{randomFeature(r, 2*i), randomFeature(r, 2*i+1)}
		fs[1].Dataset = fs[0].Dataset
		ingest(t, s, fs)
		revs = append(revs, s.Revision())
	}
	if err := s.SetKeep(Keep{Revisions: 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	if s.Oldest() != revs[2] || revs[2] == revs[1]+1 {
		t.Fatalf("oldest %d of %v: want the third, after a gap", s.Oldest(), revs)
	}
	sn, _ := s.Snapshot()
	defer sn.Close()
	cs, _, _, err := sn.Changes(context.Background(), Since(revs[1]), 100, ChangeFilter{})
	if err != nil || len(cs) != 4 || cs[0].Revision != revs[2] {
		t.Errorf("after the last commit before the floor: %d changes, %v", len(cs), err)
	}
	for _, pos := range []ChangePos{Since(revs[0]), {Rev: revs[1], Seq: 0, I: 0}} {
		if _, _, _, err := sn.Changes(context.Background(), pos, 100, ChangeFilter{}); !errors.Is(err, ErrHistoryGone) {
			t.Errorf("from %+v: %v, want ErrHistoryGone", pos, err)
		}
	}
}
