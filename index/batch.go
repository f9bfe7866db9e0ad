package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"

	"github.com/dgraph-io/badger/v4"
	"github.com/future-community/cim/cim"
)

// Batch is one atomic change to the store: every Put and Delete of a batch
// becomes visible at once when Commit returns, or not at all. Only one Batch
// is open at a time; Begin waits for the previous one to finish. A Batch is
// not safe for concurrent use.
//
// Putting the same feature twice in one batch works (the second replaces
// the first) but is slow: the batch must flush its writes to read them
// back. Sources with many repeated ids are better de-duplicated first.
type Batch struct {
	s        *Store
	ts       uint64      // the version everything is written at
	prev     uint64      // the store's read version when the batch began
	rev      uint64      // the store's revision when the batch began
	base     *badger.Txn // reads the store as it was before the batch
	w        writer
	seen     idSet
	seed     maphash.Seed
	cat      *catalog
	newDS    map[uint32]bool     // datasets this batch created
	touched  map[uint32]bool     // datasets this batch wrote to
	sweep    map[string]bool     // datasets to replace
	stages   map[uint32]stageSet // the stages the batch wrote, per dataset
	bk       buckets             // what the batch adds to the bucket catalog
	arena    arena
	keys     [][]byte // scratch for indexKeys
	oldKeys  [][]byte
	stats    BatchStats
	chg      []byte // changes not yet written (history.go)
	chgSeq   uint32
	log      Commit
	histFrom uint64 // where readable history begins, if the batch writes it
	done     bool
}

// BatchStats counts what a batch did.
type BatchStats struct {
	Put       int // features written
	Replaced  int // of which replaced a stored feature with the same id
	Unchanged int // of which were stored exactly so: nothing was written
	Deleted   int // features deleted
}

// Begin starts a batch. It blocks while another batch is open.
func (s *Store) Begin() (*Batch, error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	s.writeMu.Lock()
	s.mu.Lock()
	if s.closed || s.broken != nil {
		err := ErrClosed
		if s.broken != nil {
			err = fmt.Errorf("%w (%v)", ErrNeedsRecovery, s.broken)
		}
		s.mu.Unlock()
		s.writeMu.Unlock()
		return nil, err
	}
	b := &Batch{
		s: s, ts: s.readTs + 1, prev: s.readTs, rev: s.rev,
		seed: maphash.MakeSeed(),
		cat:  s.cat, newDS: map[uint32]bool{}, touched: map[uint32]bool{}, stages: map[uint32]stageSet{}, bk: buckets{},
	}
	s.open[b.prev]++ // the batch reads at prev, keep it
	s.mu.Unlock()
	b.base = s.db.NewTransactionAt(b.prev, false)
	b.w = writer{db: s.db, ts: b.ts, room: s.chunkCheck("write", true)}
	return b, nil
}

// Stats returns what the batch has done so far.
func (b *Batch) Stats() BatchStats { return b.stats }

// Put validates f and stores it, replacing the feature with the same id,
// dataset and stage, if any, and its index entries. f.Geometry must have
// layout XY (cim.Normalize makes it so). Put does not keep f.
func (b *Batch) Put(f *cim.Feature) error {
	if b.done {
		return ErrClosed
	}
	if err := f.Validate(); err != nil {
		return err
	}
	ds := b.datasetID(f.Dataset)
	b.touched[ds] = true
	b.stages[ds] |= 1 << f.Stage
	rec, err := appendRecord(b.arena.buf(), f)
	if err != nil {
		return fmt.Errorf("feature %s: %w", f.ID, err)
	}
	rec = b.arena.keep(rec)
	rk := b.arena.keep(appendRecordKey(b.arena.buf(), f.Class, ds, f.Stage, f.ID))
	oldKey, old, err := b.current(ds, f.Stage, f.ID, f.Class)
	if err != nil {
		return err
	}
	e := entry{q: outer(cim.BoundsOf(f.Geometry)), class: f.Class, levels: f.Levels}
	b.keys = b.indexKeys(b.keys, &e, ds, f.Stage, f.ID)
	if old != nil {
		b.stats.Replaced++
		if bytes.Equal(oldKey, rk) && bytes.Equal(old, rec) {
			// The same record gives the same index entries: nothing to
			// write, no history to keep, nothing for the change feed.
			b.stats.Put++
			b.stats.Unchanged++
			b.log.Unchanged++
			return nil
		}
		if err := b.deleteStale(oldKey, old, b.keys); err != nil {
			return err
		}
		if !bytes.Equal(oldKey, rk) {
			if err := b.w.del(oldKey); err != nil {
				return err
			}
		}
	}
	if err := b.w.set(rk, rec); err != nil {
		return err
	}
	val := b.arena.keep(append(appendValue(b.arena.buf(), &e), rec...))
	for _, k := range b.keys {
		if err := b.w.set(k, val); err != nil {
			return err
		}
	}
	b.noteBuckets(b.keys, e.q)
	b.stats.Put++
	kind := Created
	if old != nil {
		kind = Updated
	}
	return b.noteChange(kind, rk)
}

// Delete removes the feature with the given id from a dataset and stage.
// It reports whether there was one.
func (b *Batch) Delete(dataset string, stage cim.Stage, id string) (bool, error) {
	if b.done {
		return false, ErrClosed
	}
	ds, ok := b.cat.byName[dataset]
	if !ok {
		return false, nil
	}
	b.touched[ds] = true
	rk, old, err := b.current(ds, stage, id, cim.ClassOther)
	if err != nil || old == nil {
		return false, err
	}
	return true, b.deleteRecord(rk, old)
}

func (b *Batch) deleteRecord(rk, old []byte) error {
	if err := b.deleteStale(rk, old, nil); err != nil {
		return err
	}
	if err := b.w.del(rk); err != nil {
		return err
	}
	b.stats.Deleted++
	return b.noteChange(Deleted, rk)
}

// DeleteDataset removes every feature of a dataset in one stage, or in
// every stage for cim.StageAny, and returns how many it removed. It must
// come before any Put or Delete of the same dataset in the batch.
func (b *Batch) DeleteDataset(ctx context.Context, dataset string, stage cim.Stage) (int, error) {
	if b.done {
		return 0, ErrClosed
	}
	ds, ok := b.cat.byName[dataset]
	if !ok {
		return 0, nil
	}
	if b.touched[ds] {
		return 0, fmt.Errorf("delete dataset %q: the batch already changed it", dataset)
	}
	stages := stageSet(1<<numStages - 1)
	if stage != cim.StageAny {
		stages = 1 << stage
	}
	n := 0
	err := b.eachRecord(ds, stages, func(rk, old []byte) error {
		if n%1024 == 0 {
			if err := checkCtx(ctx); err != nil {
				return err
			}
		}
		_, _, st, id := recordKeyParts(rk)
		b.markSeen(ds, st, string(id))
		n++
		return b.deleteRecord(rk, old)
	})
	b.touched[ds] = true
	return n, err
}

// stageSet is a set of stages, bit s for stage s.
type stageSet uint8

const numStages = 5 // cim.StageAny and the four stages

// eachRecord calls fn with the key and value of every record of dataset ds
// in the given stages, as the store held them before the batch began (so
// the batch's own writes do not disturb the iteration).
func (b *Batch) eachRecord(ds uint32, stages stageSet, fn func(rk, v []byte) error) error {
	for _, c := range cim.Classes() {
		for st := range cim.Stage(numStages) {
			if stages&(1<<st) == 0 {
				continue
			}
			prefix := append(binary.BigEndian.AppendUint32([]byte{pRecord, byte(c)}, ds), byte(st))
			it := b.base.NewIterator(badger.IteratorOptions{Prefix: prefix})
			for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
				item := it.Item()
				rk := item.KeyCopy(nil)
				v, err := item.ValueCopy(nil)
				if err == nil {
					err = fn(rk, v)
				}
				if err != nil {
					it.Close()
					return err
				}
			}
			it.Close()
		}
	}
	return nil
}

// ReplaceDataset makes the batch replace the dataset: when the batch
// commits, the features of the dataset that the batch did not Put are
// deleted, in the stages the batch wrote to (so replacing a dataset's design
// stage leaves its planning stage alone). It is how a re-ingest of a file
// drops the features the file no longer holds.
func (b *Batch) ReplaceDataset(dataset string) {
	if b.sweep == nil {
		b.sweep = map[string]bool{}
	}
	b.sweep[dataset] = true
}

// sweepDatasets deletes the features of the datasets marked by
// ReplaceDataset that the batch did not write.
func (b *Batch) sweepDatasets() error {
	for name := range b.sweep {
		ds, ok := b.cat.byName[name]
		if !ok || b.newDS[ds] {
			continue
		}
		err := b.eachRecord(ds, b.stages[ds], func(rk, old []byte) error {
			_, _, st, id := recordKeyParts(rk)
			if b.seen.contains(b.idHash(ds, st, string(id))) {
				return nil
			}
			return b.deleteRecord(rk, old)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// current returns the key and value of the stored record of a feature as
// the batch would see it, or nils. The record may be under any class;
// likely is tried first.
func (b *Batch) current(ds uint32, st cim.Stage, id string, likely cim.Class) ([]byte, []byte, error) {
	dup := b.markSeen(ds, st, id)
	var txn *badger.Txn
	switch {
	case dup:
		// Written earlier in this batch (or a hash collision): make the
		// batch's own writes readable and read them.
		if err := b.w.finish(); err != nil {
			return nil, nil, err
		}
		txn = b.s.db.NewTransactionAt(b.ts, false)
		defer txn.Discard()
	case b.newDS[ds]:
		return nil, nil, nil // a dataset this batch created holds only what the batch wrote
	default:
		txn = b.base
	}
	return probeClasses(txn, ds, st, id, likely)
}

// markSeen notes that the batch writes a feature and reports whether it
// (or one with the same hash) was written before.
func (b *Batch) markSeen(ds uint32, st cim.Stage, id string) bool {
	return b.seen.add(b.idHash(ds, st, id))
}

func (b *Batch) idHash(ds uint32, st cim.Stage, id string) uint64 {
	var h maphash.Hash
	h.SetSeed(b.seed)
	var hdr [5]byte
	binary.BigEndian.PutUint32(hdr[:], ds)
	hdr[4] = byte(st)
	h.Write(hdr[:])
	h.WriteString(id)
	return h.Sum64()
}

// idSet is a set of 64-bit hashes: open addressing with linear probing,
// about twice as fast as a map for the millions of ids of a bulk ingest.
type idSet struct {
	slots []uint64 // 0 marks an empty slot
	n     int
}

// contains reports whether h is in the set.
func (s *idSet) contains(h uint64) bool {
	if h == 0 {
		h = 1
	}
	if len(s.slots) == 0 {
		return false
	}
	m := uint64(len(s.slots) - 1)
	for i := h & m; ; i = (i + 1) & m {
		switch s.slots[i] {
		case 0:
			return false
		case h:
			return true
		}
	}
}

// add inserts h and reports whether it was already there.
func (s *idSet) add(h uint64) bool {
	if h == 0 {
		h = 1
	}
	if s.n*4 >= len(s.slots)*3 {
		old := s.slots
		s.slots, s.n = make([]uint64, max(1024, 2*len(old))), 0
		for _, v := range old {
			if v != 0 {
				s.add(v)
			}
		}
	}
	m := uint64(len(s.slots) - 1)
	for i := h & m; ; i = (i + 1) & m {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			s.n++
			return false
		case h:
			return true
		}
	}
}

// probeClasses looks for a feature's record under each class, likely first.
func probeClasses(txn *badger.Txn, ds uint32, st cim.Stage, id string, likely cim.Class) ([]byte, []byte, error) {
	rk := recordKey(likely, ds, st, id)
	item, err := findRecord(txn, rk)
	if item == nil || err != nil {
		return nil, nil, err
	}
	v, err := item.ValueCopy(nil)
	return rk, v, err
}

// findRecord looks for the record under rk in every class, rk's own
// first, and leaves rk holding the key found. It returns nil when there
// is none.
func findRecord(txn *badger.Txn, rk []byte) (*badger.Item, error) {
	likely := cim.Class(rk[1])
	for i := -1; i < len(cim.Classes()); i++ {
		if i >= 0 {
			if cim.Class(i) == likely {
				continue
			}
			rk[1] = byte(i)
		}
		item, err := txn.Get(rk)
		if errors.Is(err, badger.ErrKeyNotFound) {
			continue
		}
		return item, err
	}
	return nil, nil
}

// indexKeys returns the spatial keys of a feature, reusing keys: one 'S'
// key for a feature on one floor; for a feature on several floors, an 'A'
// key and an 'M' key per floor.
func (b *Batch) indexKeys(keys [][]byte, e *entry, ds uint32, st cim.Stage, id string) [][]byte {
	lo, hi := levelBucket(e.levels.Min), levelBucket(e.levels.Max)
	keys = keys[:0]
	if lo == hi {
		return append(keys, b.arena.keep(appendSpatialKey(b.arena.buf(), bucket{pSingle, lo}, e, ds, st, id)))
	}
	keys = append(keys, b.arena.keep(appendSpatialKey(b.arena.buf(), bucket{prefix: pAll}, e, ds, st, id)))
	for lv := lo; ; lv++ {
		keys = append(keys, b.arena.keep(appendSpatialKey(b.arena.buf(), bucket{pMulti, lv}, e, ds, st, id)))
		if lv == hi {
			break
		}
	}
	return keys
}

// deleteStale deletes the index keys of the old record under rk that are
// not among keep.
func (b *Batch) deleteStale(rk, old []byte, keep [][]byte) error {
	_, ds, st, id := recordKeyParts(rk)
	var f cim.Feature
	if err := decodeRecord(old, &f); err != nil {
		return fmt.Errorf("feature %s: %w", id, err)
	}
	e := entry{q: outer(cim.BoundsOf(f.Geometry)), class: f.Class, levels: f.Levels}
	b.oldKeys = b.indexKeys(b.oldKeys, &e, ds, st, string(id))
	for _, k := range b.oldKeys {
		if containsKey(keep, k) {
			continue
		}
		if err := b.w.del(k); err != nil {
			return err
		}
	}
	return nil
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}

func (b *Batch) noteBuckets(keys [][]byte, q qbox) {
	for _, k := range keys {
		bk := bucket{prefix: k[0]}
		if bk.prefix != pAll {
			bk.level = binary.BigEndian.Uint16(k[1:])
		}
		b.bk[bk] = b.bk[bk].merge(bucketInfo{1 << k[tierPos(k[0])], q})
	}
}

func (b *Batch) datasetID(name string) uint32 {
	if id, ok := b.cat.byName[name]; ok {
		return id
	}
	if b.cat == b.s.cat {
		b.cat = b.cat.clone()
	}
	id := b.cat.next
	b.cat.next++
	b.cat.byName[name], b.cat.byID[id] = id, name
	b.newDS[id] = true
	return id
}

// Commit makes the batch's writes visible, durably, and returns the new
// revision. A batch that changed nothing (every feature it put was
// stored exactly so) makes no revision: Commit returns the store's. If it
// fails, the batch is aborted.
func (b *Batch) Commit() (uint64, error) {
	if b.done {
		return 0, ErrClosed
	}
	noop, err := b.commit()
	if err != nil {
		return 0, errors.Join(err, b.Abort())
	}
	if noop {
		return b.rev, nil
	}
	return b.ts, nil
}

func (b *Batch) commit() (noop bool, err error) {
	if err := b.sweepDatasets(); err != nil {
		return false, err
	}
	if b.log.Created+b.log.Updated+b.log.Deleted == 0 && len(b.newDS) == 0 && b.w.sent == 0 && len(b.w.buf) == 0 {
		// Nothing to write, nothing for the log or the feed: no revision,
		// no history, no cache made stale.
		b.w.cancel()
		b.finish()
		return true, nil
	}
	return false, b.write()
}

func (b *Batch) write() error {
	if err := b.writeLog(); err != nil {
		return err
	}
	bk, changed := b.s.bk.merge(b.bk)
	for k, info := range changed {
		if err := b.w.set(bucketKey(k), info.encode()); err != nil {
			return err
		}
	}
	for id := range b.newDS {
		name := b.cat.byID[id]
		if err := b.w.set(datasetKey(name), binary.BigEndian.AppendUint32(nil, id)); err != nil {
			return err
		}
	}
	if !b.s.format {
		if err := b.w.set(bytes.Clone(keyFormat), binary.BigEndian.AppendUint32(nil, formatVersion)); err != nil {
			return err
		}
	}
	if err := b.w.finish(); err != nil {
		return err
	}
	// The revision key goes last, after everything else is on disk: a
	// crash before it lands leaves the batch uncommitted, and Open undoes
	// it.
	if err := b.s.db.Sync(); err != nil {
		return err
	}
	if err := b.s.writeRev(b.ts, b.ts); err != nil {
		return err
	}
	s := b.s
	s.mu.Lock()
	s.rev, s.readTs, s.cat, s.bk, s.format = b.ts, b.ts, b.cat, bk, true
	if s.logFrom == 0 {
		s.logFrom = b.ts
	}
	if s.commits != nil {
		s.commits = append(s.commits, commitTime{b.ts, b.log.Time})
	}
	s.histFrom = max(s.histFrom, b.histFrom)
	// On an error the floor stays where it was: more history is kept,
	// none is lost.
	_ = s.updateFloorLocked()
	s.announce()
	s.mu.Unlock()
	b.finish()
	return nil
}

// Abort discards the batch: the store holds exactly what it held before
// Begin, and its revision is unchanged. Abort after Commit does nothing.
func (b *Batch) Abort() error {
	if b.done {
		return nil
	}
	b.w.cancel()
	s := b.s
	// Undo whatever reached the LSM tree. s.readTs still equals b.prev.
	at, err := s.undo(b.prev, b.ts, nil)
	s.mu.Lock()
	if err == nil {
		s.readTs = at
		s.undone += b.w.sent
	} else {
		// The version b.ts holds leftovers that no reader may see and no
		// batch may reuse; Open will finish the undo.
		s.broken = err
	}
	s.mu.Unlock()
	b.finish()
	if err != nil {
		return fmt.Errorf("abort: %w: %w", ErrNeedsRecovery, err)
	}
	return nil
}

func (b *Batch) finish() {
	b.done = true
	b.base.Discard()
	b.s.release(b.prev)
	b.s.writeMu.Unlock()
}

// Source yields features one at a time; Next returns io.EOF after the
// last. The ingest readers in package ingest implement it.
type Source interface {
	Next() (*cim.Feature, error)
}

// IngestOptions configures Store.Ingest. The zero value is ready to use.
type IngestOptions struct {
	// Replace names a dataset that the source replaces as a whole: its
	// features that the source does not hold are deleted (ReplaceDataset).
	Replace string
	// Progress, if set, is called every 4096 features.
	Progress func(BatchStats)
	// What says what the ingest is, for the revision log: "ingest FILE".
	What string
}

// Ingest puts every feature from src in one batch and commits it, all or
// nothing, and returns what it did and the new revision. On any error,
// from src or the store, the batch is aborted and the store is unchanged.
func (s *Store) Ingest(ctx context.Context, src Source, opts *IngestOptions) (BatchStats, uint64, error) {
	var o IngestOptions
	if opts != nil {
		o = *opts
	}
	b, err := s.Begin()
	if err != nil {
		return BatchStats{}, 0, err
	}
	if o.Replace != "" {
		b.ReplaceDataset(o.Replace)
	}
	b.Describe(o.What)
	for n := 1; ; n++ {
		f, err := src.Next()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = b.Put(f)
		}
		if err == nil && n%4096 == 0 {
			if err = checkCtx(ctx); err == nil && o.Progress != nil {
				o.Progress(b.stats)
			}
		}
		if err != nil {
			return b.stats, 0, errors.Join(err, b.Abort())
		}
	}
	rev, err := b.Commit()
	return b.stats, rev, err
}

// arena hands out byte slices carved from large blocks, so that keys and
// values that Badger holds until a write batch lands need no allocation
// each. buf returns an empty slice with spare capacity; keep claims what
// was appended to it.
type arena struct{ block []byte }

const arenaBlock = 256 << 10

func (a *arena) buf() []byte {
	if cap(a.block)-len(a.block) < 1024 {
		a.block = make([]byte, 0, arenaBlock)
	}
	return a.block[len(a.block):len(a.block)]
}

func (a *arena) keep(b []byte) []byte {
	if len(b) > 0 && cap(a.block)-len(a.block) >= len(b) && &a.block[:len(a.block)+1][len(a.block)] == &b[0] {
		a.block = a.block[:len(a.block)+len(b)]
		return b[:len(b):len(b)]
	}
	return b[:len(b):len(b)] // grew past the block: it has its own array
}
