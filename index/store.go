package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Sentinel errors.
var (
	// ErrNotFound is returned by Get when no feature has the id in the
	// dataset and stage.
	ErrNotFound = errors.New("feature not found")
	// ErrLocked is returned by Open when another process has the store:
	// a writer, or readers when Open wants to write.
	ErrLocked = errors.New("the store is in use by another process")
	// ErrReadOnly is returned by Begin on a store opened read-only.
	ErrReadOnly = errors.New("store is read-only")
	// ErrClosed is returned by operations on a closed Store, Snapshot or
	// finished Batch.
	ErrClosed = errors.New("closed")
	// ErrNeedsRecovery is returned by Begin after a batch could not be
	// undone (a disk error during Abort): the store must be closed and
	// opened again, which finishes the undo.
	// ErrInterrupted is returned by a read-only Open of a store whose
	// last write was interrupted (a crash, a kill): a read-write Open
	// recovers it.
	ErrInterrupted   = errors.New("the store's last write was interrupted")
	ErrNeedsRecovery = errors.New("store needs recovery: close and reopen it")
	// ErrFormat is returned by Open for a store written in another format.
	ErrFormat = errors.New("unsupported store format")
)

// formatVersion is the store format this package reads and writes; it is
// kept under the meta key 0x00 "format".
const formatVersion = 1

var keyFormat = []byte{pMeta, 'f', 'o', 'r', 'm', 'a', 't'}

// Options configures Open. The zero value is ready to use.
type Options struct {
	// ReadOnly opens the store for reading only; several processes may
	// then share it, but none may write.
	ReadOnly bool
	// Logger receives Badger's warnings and errors. Nil discards them.
	Logger *slog.Logger
	// MemTableMB is the size of Badger's memtables in MiB; 0 means 64.
	// Larger tables speed up bulk ingest at the cost of memory: a store
	// holds up to three (one filling, two waiting to be flushed).
	MemTableMB int
	// BlockCacheMB is the size of the cache of decompressed table blocks in
	// MiB; 0 means 64.
	BlockCacheMB int
	// CompactOnClose merges the newest tables into the rest when the
	// store closes, so that the next reader finds the fewest tables to
	// merge. It takes seconds after a large ingest; without it, Badger
	// compacts in the background once enough tables pile up.
	CompactOnClose bool
	// Recovering, if set, is called while Open recovers the store from a
	// batch that a crash interrupted, which takes seconds to minutes: with
	// RecoveryCounting while it finds the keys the batch wrote (done counts
	// them, total is 0), RecoveryUndoing while it undoes them (done of
	// total), RecoveryReclaiming while it compacts away what the batch and
	// its undo left on disk, and last RecoveryDone. Each phase is reported
	// when it starts and ends, and in between at most every 100 ms. It is
	// called on Open's goroutine and never when there is nothing to recover.
	Recovering func(phase string, done, total int64)
}

// The phases of a recovery, as Options.Recovering receives them.
const (
	RecoveryCounting   = "counting"
	RecoveryUndoing    = "undoing"
	RecoveryReclaiming = "reclaiming"
	RecoveryDone       = "done"
)

// Store is a community model on disk. It is safe for concurrent use: any
// number of Snapshots read while one Batch writes.
type Store struct {
	db       *badger.DB
	dir      string
	readOnly bool
	memTable int64   // bytes in a memtable
	opts     Options // as opened, for reclaim

	unlock  func() error // gives up the store's own lock (lockDir)
	writeMu sync.Mutex   // held by the open Batch

	mu      sync.Mutex // guards the fields below
	rev     uint64     // content revision: version of the last commit
	readTs  uint64     // version new snapshots read at
	open    map[uint64]int
	cat     *catalog
	bk      buckets
	closed  bool
	broken  error         // set when an abort could not be undone
	undone  int64         // bytes of aborted batches' writes, left on disk
	format  bool          // the format key is written
	summary *summaryCache // of the last revision summarised
	logFrom uint64        // the first revision the log covers, 0 if none yet
	changed chan struct{} // closed at the next commit (Changed)
	keep    Keep          // how much history to keep
	floor   uint64        // the oldest revision readable (Oldest)
	// beforeFloor is the last commit before the floor (Changes).
	beforeFloor uint64
	// histFrom is the oldest revision a reclaim left readable (dropHistory).
	histFrom uint64
	commits  []commitTime // the log's, oldest first; nil until read
}

// Open opens or creates the store in directory dir. If the last process
// using it stopped in the middle of a batch, Open undoes that batch first.
func Open(dir string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.ReadOnly {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	unlock, err := lockDir(dir, o.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	if !o.ReadOnly {
		if err := roomIn(dir, "open it for writing", spaceHeadroom); err != nil {
			unlock()
			return nil, err
		}
	}
	bo := badgerOptions(dir, o)
	db, err := badger.OpenManaged(bo)
	if o.ReadOnly && err != nil && (errors.Is(err, badger.ErrTruncateNeeded) || strings.Contains(err.Error(), badger.ErrTruncateNeeded.Error()) || hasMemtableLog(dir)) {
		// A killed writer's memtable log, which only a writer may replay
		// (Badger wraps the error in text, hence the second test; and
		// depending on where the writer died it fails another way, as
		// "truncate …/00001.mem: invalid argument").
		err = fmt.Errorf("%w: open it read-write once to recover it (%v)", ErrInterrupted, err)
	}
	if err != nil {
		unlock()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &Store{db: db, dir: dir, readOnly: o.ReadOnly, memTable: bo.MemTableSize, opts: o, open: map[uint64]int{}, unlock: unlock}
	if err := s.load(o); err != nil {
		if s.db != nil {
			s.db.Close()
		}
		unlock()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	return s, nil
}

// lockName is the store's own lock file (lockDir).
const lockName = "cim.lock"

// badgerOptions returns the Badger options of a store in dir.
func badgerOptions(dir string, o Options) badger.Options {
	if o.MemTableMB <= 0 {
		o.MemTableMB = 64
	}
	if o.BlockCacheMB <= 0 {
		o.BlockCacheMB = 64
	}
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{o.Logger}).
		WithReadOnly(o.ReadOnly).
		WithMetricsEnabled(false).
		WithDetectConflicts(false).
		WithNumVersionsToKeep(1).
		WithMemTableSize(int64(o.MemTableMB) << 20).
		WithNumMemtables(3).
		WithBlockCacheSize(int64(o.BlockCacheMB) << 20).
		WithNumCompactors(2).
		WithCompactL0OnClose(o.CompactOnClose)
}

// load reads the revision, recovers from an interrupted batch, and builds
// the in-memory catalog and tier sets.
func (s *Store) load(o Options) error {
	txn := s.db.NewTransactionAt(math.MaxUint64, false)
	item, err := txn.Get(keyRev)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		txn.Discard()
		return err
	default:
		err = item.Value(func(v []byte) error {
			if len(v) != 16 {
				return fmt.Errorf("%w: revision", errCorrupt)
			}
			s.rev, s.readTs = binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])
			return nil
		})
		if err != nil {
			txn.Discard()
			return err
		}
	}
	if err := s.loadFormat(txn); err != nil {
		txn.Discard()
		return err
	}
	txn.Discard()
	if maxV := s.db.MaxVersion(); maxV > s.readTs {
		if s.readOnly {
			return fmt.Errorf("%w: open it read-write once to recover it", ErrInterrupted)
		}
		rep := &progressReport{fn: o.Recovering}
		at, err := s.undo(s.readTs, maxV, rep)
		if err != nil {
			return fmt.Errorf("recover interrupted batch: %w", err)
		}
		s.readTs = at
		if err := s.loadHistory(); err != nil {
			return err
		}
		// Reclaiming rewrites the tables before it deletes them; on a disk
		// without room for that, the space waits for Compact. The undone
		// batch's versions go only with every older version: reclaiming
		// them drops the store's history (dropHistory).
		if roomIn(s.dir, "reclaim", tablesSize(s.dir)+spaceHeadroom) == nil {
			rep.report(RecoveryReclaiming, 0, 0, true)
			if err := s.dropHistory(); err != nil {
				return fmt.Errorf("recover interrupted batch: %w", err)
			}
			if err := s.reclaim(o, at); err != nil {
				return fmt.Errorf("recover interrupted batch: reclaim its space: %w", err)
			}
		}
		rep.report(RecoveryDone, 0, 0, true)
	}
	if err := s.loadHistory(); err != nil {
		return err
	}
	rd := s.db.NewTransactionAt(s.readTs, false)
	defer rd.Discard()
	if s.cat, err = loadCatalog(rd); err != nil {
		return err
	}
	if s.bk, err = loadBuckets(rd); err != nil {
		return err
	}
	return nil
}

// undo reverts every key written above version committed, the last
// committed read version, to its value at committed. It writes at maxV+1 and
// returns that version, the read version to use from now on. It reads only
// what was written after committed: Badger skips older tables whole. The
// revision key goes last, in a commit of its own, so a crash part-way
// leaves the undo to be redone at the next Open. The caller holds
// s.writeMu, or has the store to itself. When rep reports, undo first
// counts the keys to undo, so that it can say how far it has got.
func (s *Store) undo(committed, maxV uint64, rep *progressReport) (uint64, error) {
	at := maxV + 1
	w := writer{db: s.db, ts: at, room: s.chunkCheck("undo a write", false)}
	defer w.cancel()
	now := s.db.NewTransactionAt(maxV, false)
	defer now.Discard()
	then := s.db.NewTransactionAt(committed, false)
	defer then.Discard()
	var total int64
	if rep != nil && rep.fn != nil {
		rep.report(RecoveryCounting, 0, 0, true)
		err := eachWrittenSince(now, committed, func([]byte) error {
			total++
			rep.report(RecoveryCounting, total, 0, false)
			return nil
		})
		if err != nil {
			return 0, err
		}
		rep.report(RecoveryCounting, total, 0, true)
		rep.report(RecoveryUndoing, 0, total, true)
	}
	var done int64
	err := eachWrittenSince(now, committed, func(k []byte) error {
		prev, err := then.Get(k)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			err = w.del(k)
		case err == nil:
			var v []byte
			if v, err = prev.ValueCopy(nil); err == nil {
				err = w.set(k, v)
			}
		}
		done++
		rep.report(RecoveryUndoing, done, max(total, done), false)
		return err
	})
	if err != nil {
		return 0, err
	}
	if err := w.finish(); err != nil {
		return 0, err
	}
	if err := s.db.Sync(); err != nil {
		return 0, err
	}
	if err := s.writeRev(s.rev, at); err != nil {
		return 0, err
	}
	rep.report(RecoveryUndoing, done, max(total, done), true)
	return at, nil
}

// eachWrittenSince calls fn with a copy of every key, other than the
// revision key, that has a version above committed and at most txn's read
// version, once per key.
func eachWrittenSince(txn *badger.Txn, committed uint64, fn func(k []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{AllVersions: true, SinceTs: committed})
	defer it.Close()
	var last []byte
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		if item.Version() <= committed || bytes.Equal(item.Key(), last) || bytes.Equal(item.Key(), keyRev) {
			continue
		}
		last = item.KeyCopy(nil)
		if err := fn(last); err != nil {
			return err
		}
	}
	return nil
}

// reclaim frees the space that an undone batch holds: the batch's writes
// and its undo's rewrites and deletion markers, which stay on disk until
// compaction merges them (a 45-feature store kept 151 MB of them). Badger
// drops a version only when a compaction sees a newer one at or below the
// discard version, so the undo's writes must first leave the memtable:
// reclaim closes the database, which flushes it, compacts all levels into
// one in an instance that also merges level 0 when it closes, and opens the
// database again. Open calls it before anyone can hold a snapshot, with
// discardTs the read version, so no version a reader could see is dropped.
func (s *Store) reclaim(o Options, discardTs uint64) error {
	if err := s.compactClosed(o, discardTs); err != nil {
		return err
	}
	var err error
	s.db, err = badger.OpenManaged(badgerOptions(s.dir, o))
	return err
}

// compactClosed closes the database and compacts away every version
// below discardTs that a newer one hides, leaving it closed (reclaim).
func (s *Store) compactClosed(o Options, discardTs uint64) error {
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return err
	}
	db, err := badger.OpenManaged(badgerOptions(s.dir, o).WithCompactL0OnClose(true))
	if err != nil {
		return err
	}
	db.SetDiscardTs(discardTs)
	err = db.Flatten(2)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// progressReport passes progress to fn, if set, at a bounded rate.
type progressReport struct {
	fn   func(phase string, done, total int64)
	next time.Time
	n    int
}

// report calls fn with force, and otherwise when 100 ms have passed since
// the last call (looking at the clock every 256 reports).
func (r *progressReport) report(phase string, done, total int64, force bool) {
	if r == nil || r.fn == nil {
		return
	}
	if !force {
		if r.n++; r.n%256 != 0 {
			return
		}
		if time.Now().Before(r.next) {
			return
		}
	}
	r.next = time.Now().Add(100 * time.Millisecond)
	r.fn(phase, done, total)
}

// writeRev writes the revision key at version at, alone, and syncs.
func (s *Store) writeRev(rev, at uint64) error {
	txn := s.db.NewTransactionAt(at, true)
	defer txn.Discard()
	if err := txn.Set(keyRev, revValue(rev, at)); err != nil {
		return err
	}
	if err := txn.CommitAt(at, nil); err != nil {
		return err
	}
	return s.db.Sync()
}

// readU64 reads a meta key holding a uint64; 0 when there is none.
func readU64(txn *badger.Txn, key []byte, what string) (uint64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n uint64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("%w: %s", errCorrupt, what)
		}
		n = binary.BigEndian.Uint64(v)
		return nil
	})
	return n, err
}

// loadHistory reads where the log begins and how much history the store
// keeps, and tells compaction what it may drop.
func (s *Store) loadHistory() error {
	rd := s.db.NewTransactionAt(s.readTs, false)
	defer rd.Discard()
	var err error
	if s.logFrom, err = readU64(rd, keyLogFrom, "log start"); err != nil {
		return err
	}
	if s.histFrom, err = readU64(rd, keyHistFrom, "history start"); err != nil {
		return err
	}
	if s.keep, err = loadKeep(rd); err != nil {
		return err
	}
	return s.updateFloorLocked()
}

// loadFormat checks the store's format key. A store without one has
// never committed anything.
func (s *Store) loadFormat(txn *badger.Txn) error {
	item, err := txn.Get(keyFormat)
	if errors.Is(err, badger.ErrKeyNotFound) {
		if s.rev != 0 {
			return fmt.Errorf("%w: no format key (written by an older cim?)", ErrFormat)
		}
		return nil
	}
	if err != nil {
		return err
	}
	return item.Value(func(v []byte) error {
		if len(v) != 4 || binary.BigEndian.Uint32(v) != formatVersion {
			return fmt.Errorf("%w: format %x, this cim reads %d", ErrFormat, v, formatVersion)
		}
		s.format = true
		return nil
	})
}

func revValue(rev, readTs uint64) []byte {
	v := binary.BigEndian.AppendUint64(nil, rev)
	return binary.BigEndian.AppendUint64(v, readTs)
}

// Close closes the store. Open snapshots and batches must be finished
// first.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.announce() // long polls end
	s.mu.Unlock()
	var err error
	if s.worthReclaiming() {
		if err = s.dropHistory(); err == nil {
			err = s.compactClosed(s.opts, s.readTs)
		}
	} else {
		err = s.db.Close()
	}
	if uerr := s.unlock(); err == nil {
		err = uerr
	}
	return err
}

// reclaimMin is the bytes of aborted writes from which Close reclaims
// their space.
const reclaimMin = 16 << 20

// worthReclaiming reports whether Close should compact away what aborted
// batches left on disk (a failed 50 MB ingest left 19 MB): when they wrote
// at least reclaimMin and a quarter of the store's tables, so that a
// small failure does not cost a large store a full compaction, and when
// the disk has room for it.
func (s *Store) worthReclaiming() bool {
	if s.readOnly || s.broken != nil || s.undone < reclaimMin {
		return false
	}
	size := tablesSize(s.dir)
	return s.undone*4 >= size && roomIn(s.dir, "reclaim", size+spaceHeadroom) == nil
}

// Compact merges the store's tables level by level down to the last, which
// speeds up reads after many ingests. Tables that all sit in the first
// level, as after one large ingest, are merged by closing a store opened
// with Options.CompactOnClose.
func (s *Store) Compact() error {
	if s.readOnly {
		return ErrReadOnly
	}
	if err := roomIn(s.dir, "compact", tablesSize(s.dir)+spaceHeadroom); err != nil {
		return err
	}
	if err := s.trimChanges(); err != nil {
		return err
	}
	return s.db.Flatten(2)
}

// Dir returns the directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// Revision returns the version of the store's last committed change. It
// changes with every commit and only then.
func (s *Store) Revision() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rev
}

// Snapshot returns a consistent read view of the store as of now. Writes
// committed later are not seen. Close it when done: an open snapshot keeps
// old versions from being compacted away.
func (s *Store) Snapshot() (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	s.open[s.readTs]++
	return &Snapshot{
		s: s, txn: s.db.NewTransactionAt(s.readTs, false),
		rev: s.rev, readTs: s.readTs, cat: s.cat, bk: s.bk, logFrom: s.logFrom, floor: s.floor, beforeFloor: s.beforeFloor,
	}, nil
}

// release forgets a snapshot and lets compaction drop versions no one
// reads any more.
func (s *Store) release(readTs uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[readTs]--; s.open[readTs] <= 0 {
		delete(s.open, readTs)
	}
	s.updateDiscardLocked()
}

func (s *Store) updateDiscardLocked() {
	if s.closed {
		return
	}
	d := min(s.readTs, s.floor)
	for ts := range s.open {
		d = min(d, ts)
	}
	s.db.SetDiscardTs(d)
}

// catalog maps dataset names to the ids used in keys. It is immutable;
// a batch that adds datasets builds a new one.
type catalog struct {
	byName map[string]uint32
	byID   map[uint32]string
	next   uint32
}

func loadCatalog(txn *badger.Txn) (*catalog, error) {
	c := &catalog{byName: map[string]uint32{}, byID: map[uint32]string{}, next: 1}
	prefix := []byte{pMeta, 'd', 's'}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		name := string(it.Item().Key()[len(prefix):])
		err := it.Item().Value(func(v []byte) error {
			if len(v) != 4 {
				return fmt.Errorf("%w: dataset %q", errCorrupt, name)
			}
			id := binary.BigEndian.Uint32(v)
			c.byName[name], c.byID[id] = id, name
			c.next = max(c.next, id+1)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *catalog) clone() *catalog {
	return &catalog{byName: maps.Clone(c.byName), byID: maps.Clone(c.byID), next: c.next}
}

// badgerLogger passes Badger's warnings and errors to a slog.Logger.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	if b.l != nil {
		b.l.Error("badger: " + fmt.Sprintf(f, a...))
	}
}

func (b badgerLogger) Warningf(f string, a ...any) {
	if b.l != nil {
		b.l.Warn("badger: " + fmt.Sprintf(f, a...))
	}
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}

// checkCtx returns ctx's error, if any.
func checkCtx(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}

// hasMemtableLog reports whether dir holds a memtable log (*.mem), which
// a clean close removes: a writer stopped without closing.
func hasMemtableLog(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	return len(m) > 0
}
