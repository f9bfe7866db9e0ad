package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/future-community/cim/cim"
)

// The revision log and the change feed. Every commit writes, at its own
// version, a log entry (what did it, when, how many features it created,
// updated, left unchanged and deleted) and the list of the features it
// changed, in chunks:
//
//	0x00 'L' rev                  → Commit as JSON
//	0x00 'C' rev seq u32          → changes: kind, class, stage, dataset, id…
//	0x00 'l' "from"               → the first revision the log covers
//
// A store made before the log existed has history that the log does not
// cover; LogFrom says where it starts, and a change feed asked for what
// came before answers ErrHistoryGone.

var (
	keyLogFrom = []byte{pMeta, 'l', 'f', 'r', 'o', 'm'}
	prefixLog  = []byte{pMeta, 'L'}
	prefixChg  = []byte{pMeta, 'C'}
)

func logKey(rev uint64) []byte { return binary.BigEndian.AppendUint64(bytes.Clone(prefixLog), rev) }

func changeKey(rev uint64, seq uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(bytes.Clone(prefixChg), rev), seq)
}

// ErrHistoryGone is returned for a revision older than the history the
// store keeps, ErrAhead for one after the store's.
var (
	ErrHistoryGone = errors.New("history not kept")
	ErrAhead       = errors.New("ahead of the store")
)

// Commit is one entry of the revision log.
type Commit struct {
	Revision uint64    `json:"revision"`
	Time     time.Time `json:"time"`
	// What did it: "ingest FILE", "api POST /collections/building/items",
	// "delete dataset D"; empty when the writer said nothing.
	What     string   `json:"what,omitempty"`
	Datasets []string `json:"datasets,omitempty"`
	Stages   []string `json:"stages,omitempty"`
	// Created, Updated and Deleted count the features the commit changed
	// (the change feed lists each); Unchanged those it wrote again as
	// they were, which cost no space and are not in the feed.
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Deleted   int `json:"deleted"`
}

// ChangeKind says what happened to a feature.
type ChangeKind uint8

// The kinds of change.
const (
	Created ChangeKind = iota + 1
	Updated
	Deleted
)

func (k ChangeKind) String() string {
	switch k {
	case Created:
		return "created"
	case Updated:
		return "updated"
	case Deleted:
		return "deleted"
	}
	return fmt.Sprintf("ChangeKind(%d)", uint8(k))
}

// MarshalText writes the kind's name.
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Change is one feature that a commit created, updated or deleted. A
// feature is known by its dataset, stage and id; an update may change its
// class.
type Change struct {
	Revision uint64     `json:"revision"`
	Kind     ChangeKind `json:"kind"`
	ID       string     `json:"id"`
	Class    cim.Class  `json:"class"`
	Dataset  string     `json:"dataset"`
	Stage    cim.Stage  `json:"stage"`
	// Pos is the change's position in the feed: Changes after it
	// continues with the next.
	Pos ChangePos `json:"-"`
}

// ChangePos is a position in the change feed: after the change at index
// I of chunk Seq of revision Rev. The zero value is the start.
type ChangePos struct {
	Rev uint64
	Seq uint32
	I   int
}

// Since is the position after every change of revisions up to rev.
func Since(rev uint64) ChangePos { return ChangePos{Rev: rev, Seq: ^uint32(0), I: int(^uint(0) >> 1)} }

func (p ChangePos) before(rev uint64, seq uint32, i int) bool {
	switch {
	case p.Rev != rev:
		return p.Rev < rev
	case p.Seq != seq:
		return p.Seq < seq
	}
	return p.I < i
}

// maxChangeScan bounds the changes one call of Changes reads: a filter
// that passes few of them answers a page with fewer than limit, or none,
// and more, rather than reading the whole log at once.
const maxChangeScan = 100_000

// changeChunk is how many bytes of changes a chunk holds before the
// batch writes it.
const changeChunk = 32 << 10

// noteChange records that the batch changed the feature of record key rk.
func (b *Batch) noteChange(kind ChangeKind, rk []byte) error {
	c, ds, st, id := recordKeyParts(rk)
	name := b.cat.byID[ds]
	b.chg = append(b.chg, byte(kind), byte(c), byte(st))
	b.chg = binary.AppendUvarint(b.chg, uint64(len(name)))
	b.chg = append(b.chg, name...)
	b.chg = binary.AppendUvarint(b.chg, uint64(len(id)))
	b.chg = append(b.chg, id...)
	switch kind {
	case Created:
		b.log.Created++
	case Updated:
		b.log.Updated++
	case Deleted:
		b.log.Deleted++
	}
	if len(b.chg) >= changeChunk {
		return b.flushChanges()
	}
	return nil
}

func (b *Batch) flushChanges() error {
	if len(b.chg) == 0 {
		return nil
	}
	if err := b.w.set(changeKey(b.ts, b.chgSeq), b.chg); err != nil {
		return err
	}
	b.chgSeq++
	b.chg = make([]byte, 0, changeChunk+512) // the writer holds the last until it lands
	return nil
}

// Describe says what the batch does, for the revision log: "ingest
// FILE", "api PUT …".
func (b *Batch) Describe(what string) { b.log.What = what }

// writeLog writes the batch's log entry and the rest of its changes.
func (b *Batch) writeLog() error {
	if err := b.flushChanges(); err != nil {
		return err
	}
	b.log.Revision, b.log.Time = b.ts, time.Now().UTC().Truncate(time.Millisecond)
	s := b.s
	s.mu.Lock()
	if n := len(s.commits); n > 0 && b.log.Time.Before(s.commits[n-1].t) {
		b.log.Time = s.commits[n-1].t // the clock stepped back: the log stays in order
	}
	floor, histFrom := s.floor, s.histFrom
	s.mu.Unlock()
	if floor > histFrom {
		// Where readable history begins, kept with the commit: a
		// compaction may drop what lies below it, so after a restart
		// the floor must not come back lower (a clock stepped back, a
		// retention changed).
		if err := b.w.set(bytes.Clone(keyHistFrom), binary.BigEndian.AppendUint64(nil, floor)); err != nil {
			return err
		}
		b.histFrom = floor
	}
	for ds, stages := range b.stages {
		b.log.Datasets = append(b.log.Datasets, b.cat.byID[ds])
		for st := range cim.Stage(numStages) {
			if stages&(1<<st) != 0 && !slices.Contains(b.log.Stages, st.String()) {
				b.log.Stages = append(b.log.Stages, st.String())
			}
		}
	}
	for ds := range b.touched {
		if name := b.cat.byID[ds]; !slices.Contains(b.log.Datasets, name) {
			b.log.Datasets = append(b.log.Datasets, name)
		}
	}
	slices.Sort(b.log.Datasets)
	slices.Sort(b.log.Stages)
	v, err := json.Marshal(b.log)
	if err != nil {
		return err
	}
	if err := b.w.set(logKey(b.ts), v); err != nil {
		return err
	}
	if b.s.logFrom == 0 {
		return b.w.set(bytes.Clone(keyLogFrom), binary.BigEndian.AppendUint64(nil, b.ts))
	}
	return nil
}

// LogFrom returns the first revision the revision log and the change
// feed cover: 1 for a store made with them, a later one for a store made
// before, 0 for a store with no commit yet.
func (sn *Snapshot) LogFrom() uint64 { return sn.logFrom }

// Log calls fn with each commit after revision since, oldest first, up to
// the snapshot's revision, until fn returns false.
func (sn *Snapshot) Log(ctx context.Context, since uint64, fn func(Commit) bool) error {
	if err := sn.use(); err != nil {
		return err
	}
	defer sn.done()
	it := sn.txn.NewIterator(badger.IteratorOptions{Prefix: prefixLog})
	defer it.Close()
	for it.Seek(logKey(since + 1)); it.ValidForPrefix(prefixLog); it.Next() {
		if err := checkCtx(ctx); err != nil {
			return err
		}
		var c Commit
		err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &c) })
		if err != nil {
			return fmt.Errorf("%w: log entry %x: %v", errCorrupt, it.Item().Key(), err)
		}
		if !fn(c) {
			return nil
		}
	}
	return nil
}

// ChangeFilter narrows the change feed; zero fields keep everything.
type ChangeFilter struct {
	Dataset string
	Stage   cim.Stage // cim.StageAny for all
	Classes []cim.Class
}

// Changes returns up to limit changes after position after, oldest first,
// that pass the filter, and the position after the last one read (to
// continue from; equal to after when there were none). more reports
// whether changes beyond the last one returned may pass the filter; a
// call reads at most maxChangeScan changes, so a page may hold fewer than
// limit and still have more. It fails with ErrHistoryGone when after lies
// before the history the store keeps, ErrAhead after its revision.
func (sn *Snapshot) Changes(ctx context.Context, after ChangePos, limit int, f ChangeFilter) (cs []Change, next ChangePos, more bool, err error) {
	next = after
	switch {
	case after.Rev > sn.rev:
		return nil, next, false, fmt.Errorf("%w: revision %d is after the store's, %d", ErrAhead, after.Rev, sn.rev)
	case sn.logFrom == 0 && after.Rev == sn.rev:
		return nil, next, false, nil // nothing after the head, log or none
	case sn.logFrom == 0:
		return nil, next, false, fmt.Errorf("%w: the store keeps no change log before its next commit (it was made before cim had one): read the store whole, then follow the changes after its revision", ErrHistoryGone)
	case after.Rev < sn.logFrom-1:
		return nil, next, false, fmt.Errorf("%w: the change log begins at revision %d; changes after %d are not recorded: read the store whole, then follow the changes after its revision", ErrHistoryGone, sn.logFrom, after.Rev)
	case after.Rev < sn.floor && (after.Rev > 0 && after.Seq != ^uint32(0) || after.Rev < sn.beforeFloor):
		// Inside a revision older than the floor, whose changes are gone,
		// or before a commit older than it.
		return nil, next, false, fmt.Errorf("%w: the store keeps the changes from revision %d on (its history retention); changes after %d are gone: read the store whole, then follow the changes after its revision", ErrHistoryGone, sn.floor, after.Rev)
	}
	if err := sn.use(); err != nil {
		return nil, next, false, err
	}
	defer sn.done()
	classes := uint64(0)
	for _, c := range f.Classes {
		classes |= 1 << c
	}
	it := sn.txn.NewIterator(badger.IteratorOptions{Prefix: prefixChg})
	defer it.Close()
	scanned := 0
	for it.Seek(changeKey(after.Rev, 0)); it.ValidForPrefix(prefixChg); it.Next() {
		if err := checkCtx(ctx); err != nil {
			return cs, next, false, err
		}
		k := it.Item().Key()
		if len(k) != len(prefixChg)+12 {
			return cs, next, false, fmt.Errorf("%w: change key %x", errCorrupt, k)
		}
		rev := binary.BigEndian.Uint64(k[len(prefixChg):])
		seq := binary.BigEndian.Uint32(k[len(prefixChg)+8:])
		if !after.before(rev, seq, int(^uint(0)>>1)) {
			continue // the whole chunk is at or before after
		}
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return cs, next, false, err
		}
		for i := 0; len(v) > 0; i++ {
			var c Change
			if c, v, err = readChange(v); err != nil {
				return cs, next, false, fmt.Errorf("%w: change %d of %x: %v", errCorrupt, i, k, err)
			}
			if !after.before(rev, seq, i) {
				continue
			}
			if len(cs) == limit || scanned == maxChangeScan {
				return cs, next, true, nil
			}
			scanned++
			next = ChangePos{rev, seq, i}
			if (f.Dataset != "" && c.Dataset != f.Dataset) || (f.Stage != cim.StageAny && c.Stage != f.Stage) ||
				(classes != 0 && classes&(1<<c.Class) == 0) {
				continue
			}
			c.Revision, c.Pos = rev, next
			cs = append(cs, c)
		}
	}
	return cs, next, false, nil
}

func readChange(v []byte) (Change, []byte, error) {
	var c Change
	if len(v) < 3 {
		return c, nil, errors.New("short")
	}
	c.Kind, c.Class, c.Stage = ChangeKind(v[0]), cim.Class(v[1]), cim.Stage(v[2])
	v = v[3:]
	str := func() (string, error) {
		n, k := binary.Uvarint(v)
		if k <= 0 || uint64(len(v)-k) < n {
			return "", errors.New("bad length")
		}
		s := string(v[k : k+int(n)])
		v = v[k+int(n):]
		return s, nil
	}
	var err error
	if c.Dataset, err = str(); err != nil {
		return c, nil, err
	}
	if c.ID, err = str(); err != nil {
		return c, nil, err
	}
	if c.Kind < Created || c.Kind > Deleted || !c.Class.Valid() {
		return c, nil, fmt.Errorf("kind %d, class %d", c.Kind, c.Class)
	}
	return c, v, nil
}

// Changed returns a channel that is closed at the next commit after
// revision rev, at once if the store is already past it. A change feed
// long-polls on it.
func (s *Store) Changed(rev uint64) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rev > rev || s.closed {
		c := make(chan struct{})
		close(c)
		return c
	}
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// announce wakes the waiters of Changed; s.mu is held.
func (s *Store) announce() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// trimChanges deletes the change lists of the revisions older than the
// store keeps, which Changes no longer serves; the log of commits stays
// (cim log). It writes as SetKeep does (writeMeta).
func (s *Store) trimChanges() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	at, floor := s.readTs, s.floor
	s.mu.Unlock()
	if floor <= 1 || at == 0 {
		return nil
	}
	var keys [][]byte
	rd := s.db.NewTransactionAt(at, false)
	it := rd.NewIterator(badger.IteratorOptions{Prefix: prefixChg, PrefetchValues: false})
	end := changeKey(floor, 0)
	for it.Seek(prefixChg); it.ValidForPrefix(prefixChg) && bytes.Compare(it.Item().Key(), end) < 0; it.Next() {
		keys = append(keys, it.Item().KeyCopy(nil))
	}
	it.Close()
	rd.Discard()
	for len(keys) > 0 {
		n := min(len(keys), 4096)
		err := s.writeMeta(func(txn *badger.Txn) error {
			// The floor these changes went below, kept: a restart must
			// not bring it back lower.
			if err := txn.Set(bytes.Clone(keyHistFrom), binary.BigEndian.AppendUint64(nil, floor)); err != nil {
				return err
			}
			for _, k := range keys[:n] {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// Keep is how much history a store keeps: the revisions of the last
// Duration, or the last Revisions commits. Reads as of an older revision
// fail with ErrHistoryGone, and compaction drops the versions only they
// would read.
type Keep struct {
	Duration  time.Duration
	Revisions int
}

// DefaultKeep is what a store keeps unless told otherwise: 30 days.
var DefaultKeep = Keep{Duration: 30 * 24 * time.Hour}

var (
	keyKeep     = []byte{pMeta, 'k', 'e', 'e', 'p'}
	keyHistFrom = []byte{pMeta, 'h', 'f', 'r', 'o', 'm'}
)

// dropHistory records that the store's history before its current
// revision is to go: a reclaim of an aborted batch's space compacts
// away every version older than the head, since Badger drops a version
// only with all older ones. It is written at the current read version.
func (s *Store) dropHistory() error {
	s.mu.Lock()
	rev := s.rev
	s.mu.Unlock()
	err := s.writeMeta(func(txn *badger.Txn) error {
		return txn.Set(bytes.Clone(keyHistFrom), binary.BigEndian.AppendUint64(nil, rev))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.histFrom = rev
	return s.updateFloorLocked()
}

// writeMeta writes settings that are no revision of the model (the
// retention, where history begins) at a version of their own, the read
// version's next: as an undone batch does, it moves the read version and
// leaves the revision. No open snapshot sees the write; the next does.
// The caller holds writeMu, or the store is not yet or no longer shared.
func (s *Store) writeMeta(fn func(*badger.Txn) error) error {
	s.mu.Lock()
	rev, at, broken := s.rev, s.readTs+1, s.broken
	s.mu.Unlock()
	if broken != nil {
		// readTs+1 may hold an aborted batch's leftovers: no write may
		// make them visible (Open recovers the store).
		return fmt.Errorf("%w (%v)", ErrNeedsRecovery, broken)
	}
	txn := s.db.NewTransactionAt(at, true)
	defer txn.Discard()
	if err := fn(txn); err != nil {
		return err
	}
	if err := txn.Set(keyRev, revValue(rev, at)); err != nil {
		return err
	}
	if err := txn.CommitAt(at, nil); err != nil {
		return err
	}
	if err := s.db.Sync(); err != nil {
		return err
	}
	s.mu.Lock()
	s.readTs = at
	s.updateDiscardLocked()
	s.mu.Unlock()
	return nil
}

// ParseKeep reads a retention: a count of revisions ("10"), or a
// duration in days ("30d") or as Go writes one ("720h", "90m").
func ParseKeep(s string) (Keep, error) {
	bad := fmt.Errorf("keep history %q: want a count of revisions (10), days (30d) or a duration (720h)", s)
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 {
			return Keep{}, bad
		}
		return Keep{Revisions: n}, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n <= 0 || n > 1e5 {
			return Keep{}, bad
		}
		d = time.Duration(n * 24 * float64(time.Hour))
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil || d <= 0 {
			return Keep{}, bad
		}
	}
	return Keep{Duration: d}, nil
}

func (k Keep) String() string {
	switch {
	case k.Revisions > 0:
		return strconv.Itoa(k.Revisions) + " revisions"
	case k.Duration%(24*time.Hour) == 0:
		return strconv.Itoa(int(k.Duration/(24*time.Hour))) + " days"
	}
	return k.Duration.String()
}

func (k Keep) encode() []byte {
	if k.Revisions > 0 {
		return []byte(strconv.Itoa(k.Revisions))
	}
	return []byte(k.Duration.String())
}

// Keep returns how much history the store keeps.
func (s *Store) Keep() Keep {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keep
}

// SetKeep sets how much history the store keeps, from now on; Compact
// then drops what it no longer needs. Keeping more does not bring back
// what a compaction may already have dropped: the oldest readable
// revision never moves back.
func (s *Store) SetKeep(k Keep) error {
	if s.readOnly {
		return ErrReadOnly
	}
	if k.Revisions <= 0 && k.Duration <= 0 {
		return errors.New("keep history: keep at least one revision")
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	floor := max(s.floor, s.histFrom)
	s.mu.Unlock()
	err := s.writeMeta(func(txn *badger.Txn) error {
		if err := txn.Set(bytes.Clone(keyKeep), k.encode()); err != nil {
			return err
		}
		return txn.Set(bytes.Clone(keyHistFrom), binary.BigEndian.AppendUint64(nil, floor))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keep, s.histFrom = k, floor
	return s.updateFloorLocked()
}

// loadKeep reads the retention setting; a store without one keeps
// DefaultKeep.
func loadKeep(txn *badger.Txn) (Keep, error) {
	item, err := txn.Get(keyKeep)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return DefaultKeep, nil
	}
	if err != nil {
		return Keep{}, err
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return Keep{}, err
	}
	if n, err := strconv.Atoi(string(v)); err == nil && n > 0 {
		return Keep{Revisions: n}, nil
	}
	d, err := time.ParseDuration(string(v))
	if err != nil || d <= 0 {
		return Keep{}, fmt.Errorf("%w: keep history %q", errCorrupt, v)
	}
	return Keep{Duration: d}, nil
}

// updateFloorLocked works out the oldest revision a reader may ask for
// (Oldest) from the log and the retention, and tells compaction; s.mu is
// held.
func (s *Store) updateFloorLocked() error {
	if s.logFrom == 0 {
		s.floor = max(s.floor, s.rev, s.histFrom)
		s.updateDiscardLocked()
		return nil
	}
	if s.commits == nil {
		// Read once; each commit then appends its own.
		txn := s.db.NewTransactionAt(s.readTs, false)
		defer txn.Discard()
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixLog})
		defer it.Close()
		commits := []commitTime{}
		for it.Seek(logKey(s.logFrom)); it.ValidForPrefix(prefixLog); it.Next() {
			rev := binary.BigEndian.Uint64(it.Item().Key()[len(prefixLog):])
			var c Commit
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &c) }); err != nil {
				return fmt.Errorf("%w: log entry %d: %v", errCorrupt, rev, err)
			}
			if n := len(commits); n > 0 && c.Time.Before(commits[n-1].t) {
				c.Time = commits[n-1].t // written by a cim that let a clock step back
			}
			commits = append(commits, commitTime{rev, c.Time})
		}
		s.commits = commits
	}
	cs := s.commits
	floor := s.logFrom
	if s.keep.Duration > 0 {
		// The model as it was at the cutoff: the last commit before it.
		cutoff := time.Now().Add(-s.keep.Duration)
		if i := sort.Search(len(cs), func(i int) bool { return cs[i].t.After(cutoff) }); i > 0 {
			floor = cs[i-1].rev
		}
	}
	if s.keep.Revisions > 0 && len(cs) > s.keep.Revisions {
		floor = cs[len(cs)-s.keep.Revisions].rev
	}
	// Never lower: a compaction may already have dropped what lies below.
	s.floor = max(s.floor, floor, s.logFrom, s.histFrom)
	// The last commit before the floor: a feed caught up to it has
	// missed nothing the floor took (revisions may have gaps).
	s.beforeFloor = 0
	if i := sort.Search(len(cs), func(i int) bool { return cs[i].rev >= s.floor }); i > 0 {
		s.beforeFloor = cs[i-1].rev
	} else if s.floor > 0 {
		s.beforeFloor = s.floor - 1
	}
	s.updateDiscardLocked()
	return nil
}

// commitTime is a commit's revision and time, which retention reads.
type commitTime struct {
	rev uint64
	t   time.Time
}

// Oldest returns the oldest revision the store can still be read as of
// (SnapshotAt): the first one its log covers, or the oldest its
// retention keeps; the current revision when it keeps none.
func (s *Store) Oldest() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.floor
}

// SnapshotAt returns a snapshot of the store as it was at revision rev:
// as the commit rev left it, or the last commit before rev. A revision
// older than Oldest is ErrHistoryGone; one after the store's is an error.
func (s *Store) SnapshotAt(rev uint64) (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if rev > s.rev {
		return nil, fmt.Errorf("revision %d: the store is at revision %d", rev, s.rev)
	}
	if rev < s.floor {
		return nil, fmt.Errorf("%w: revision %d is older than the store keeps (%s); the oldest it can read is revision %d", ErrHistoryGone, rev, s.keep, s.floor)
	}
	at := rev
	if rev == s.rev {
		at = s.readTs // the head, past any aborted batch's undo
	} else if s.logFrom > 0 {
		// A version that no commit made (an aborted batch's) reads as
		// the commit before it.
		txn := s.db.NewTransactionAt(s.readTs, false)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixLog, Reverse: true})
		it.Seek(logKey(rev))
		if it.ValidForPrefix(prefixLog) {
			at = binary.BigEndian.Uint64(it.Item().Key()[len(prefixLog):])
		}
		it.Close()
		txn.Discard()
		rev = at
	}
	s.open[at]++
	return &Snapshot{
		s: s, txn: s.db.NewTransactionAt(at, false),
		rev: rev, readTs: at, cat: s.cat, bk: s.bk, logFrom: s.logFrom, floor: s.floor, beforeFloor: s.beforeFloor,
	}, nil
}

// RevisionAt returns the revision the store was at, at time t: that of
// the last commit at or before t. A time before the oldest kept revision
// is ErrHistoryGone.
func (s *Store) RevisionAt(ctx context.Context, t time.Time) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	if s.commits == nil {
		if err := s.updateFloorLocked(); err != nil {
			return 0, err
		}
	}
	cs := s.commits
	var rev uint64
	if i := sort.Search(len(cs), func(i int) bool { return cs[i].t.After(t) }); i > 0 {
		rev = cs[i-1].rev
	}
	if rev < s.floor || rev == 0 {
		return 0, fmt.Errorf("%w: %s is before the oldest revision the store keeps, %d", ErrHistoryGone, t.Format(time.RFC3339), s.floor)
	}
	return rev, nil
}

// ErrBadAsOf is returned by SnapshotAsOf for a value that is neither a
// revision nor a time, or a revision after the store's.
var ErrBadAsOf = errors.New("as of")

// SnapshotAsOf returns a snapshot of the store as of v, as a request
// gives it: "" for the head, a revision ("12"), or a time in RFC 3339
// ("2026-12-01T08:00:00+08:00"). A bad value or a revision after the
// store's is ErrBadAsOf, one older than the history kept ErrHistoryGone.
func (s *Store) SnapshotAsOf(ctx context.Context, v string) (*Snapshot, error) {
	if v == "" {
		return s.Snapshot()
	}
	rev, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t, terr := time.Parse(time.RFC3339, v)
		if terr != nil {
			return nil, fmt.Errorf("%w %q: want a revision or a time in RFC 3339 (2026-12-01T08:00:00+08:00)", ErrBadAsOf, v)
		}
		if rev, err = s.RevisionAt(ctx, t); err != nil {
			return nil, err
		}
	}
	if head := s.Revision(); rev > head {
		return nil, fmt.Errorf("%w %d: the store is at revision %d", ErrBadAsOf, rev, head)
	}
	return s.SnapshotAt(rev)
}
