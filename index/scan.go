package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/future-community/cim/cim"
)

// Snapshot is a consistent read view of a Store at one revision. It is safe
// for concurrent use. Close it when done; it is released when its last
// iterator is closed too.
type Snapshot struct {
	s      *Store
	txn    *badger.Txn
	rev    uint64
	readTs uint64
	cat    *catalog
	bk     buckets
	// logFrom is the first revision the change log covers, floor the
	// oldest the store keeps, beforeFloor the last commit before it
	// (history.go).
	logFrom, floor, beforeFloor uint64

	mu     sync.Mutex
	iters  int // open iterators
	closed bool
	held   map[string][]cim.Stage // Stages, by dataset, once worked out
}

// Revision returns the store revision the snapshot reads.
func (sn *Snapshot) Revision() uint64 { return sn.rev }

// Close releases the snapshot, once its open iterators are closed.
// Closing twice does nothing.
func (sn *Snapshot) Close() {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.closed {
		return
	}
	sn.closed = true
	if sn.iters == 0 {
		sn.discard()
	}
}

func (sn *Snapshot) discard() {
	sn.txn.Discard()
	sn.s.release(sn.readTs)
}

// use registers an iterator, or reports that the snapshot is closed.
func (sn *Snapshot) use() error {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.closed {
		return ErrClosed
	}
	sn.iters++
	return nil
}

func (sn *Snapshot) done() {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.iters--; sn.iters == 0 && sn.closed {
		sn.discard()
	}
}

// Datasets returns the names of the datasets the snapshot knows, sorted.
// A dataset whose features were all deleted may still be listed.
func (sn *Snapshot) Datasets() []string {
	names := make([]string, 0, len(sn.cat.byName))
	for n := range sn.cat.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Get returns the feature with the id in the dataset and stage, or
// ErrNotFound.
func (sn *Snapshot) Get(dataset string, stage cim.Stage, id string) (*cim.Feature, error) {
	if err := sn.use(); err != nil {
		return nil, err
	}
	defer sn.done()
	ds, ok := sn.cat.byName[dataset]
	if !ok {
		return nil, ErrNotFound
	}
	rk, v, err := probeClasses(sn.txn, ds, stage, id, cim.ClassBuilding)
	if err != nil {
		return nil, err
	}
	if rk == nil {
		return nil, ErrNotFound
	}
	return sn.decode(rk, v)
}

// get reads and decodes the record under rk.
func (sn *Snapshot) get(rk []byte) (*cim.Feature, error) {
	item, err := sn.txn.Get(rk)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var f *cim.Feature
	err = item.Value(func(v []byte) error {
		f, err = sn.decode(rk, v)
		return err
	})
	return f, err
}

// decode builds a feature from its record key and value.
func (sn *Snapshot) decode(rk, v []byte) (*cim.Feature, error) {
	_, ds, st, id := recordKeyParts(rk)
	f := &cim.Feature{ID: string(id), Dataset: sn.cat.byID[ds], Stage: st}
	if err := decodeRecord(v, f); err != nil {
		return nil, fmt.Errorf("feature %s: %w", f.ID, err)
	}
	return f, nil
}

// Lookup returns every stored version of the feature with the given id:
// one per dataset and stage it exists in, in dataset and stage order.
func (sn *Snapshot) Lookup(id string) ([]*cim.Feature, error) {
	var out []*cim.Feature
	for _, name := range sn.Datasets() {
		for _, st := range cim.Stages() {
			f, err := sn.Get(name, st, id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// Filter selects features for Scan. Zero fields select everything.
type Filter struct {
	// Box keeps features whose geometry intersects it.
	Box *cim.Box
	// Levels keeps features that occupy at least one floor in the range.
	Levels *cim.LevelRange
	// Classes keeps features of any of these classes.
	Classes []cim.Class
	// Dataset and Stage keep features of that dataset and stage.
	Dataset string
	Stage   cim.Stage
	// After resumes a scan after the position a previous scan with the
	// same filter reported (Iter.Pos).
	After []byte
	// Omit lists the fields Iter.Feature leaves nil, for callers that do
	// not need them: a count needs no geometry, a map tile no properties.
	// The scan then does not decode them.
	Omit Fields
}

// Plan names the index a scan reads.
type Plan uint8

// The plans: the records in class order (the class index), or the
// spatial index for all levels or per floor.
const (
	PlanRecords Plan = iota
	PlanSpatial
	PlanFloors
)

func (p Plan) String() string {
	return [...]string{"records by class", "spatial index", "floor index"}[p]
}

// keyRange is [start, end) in key order.
type keyRange struct{ start, end []byte }

// rangeBudget caps how many straddling quadtree cells a query box is cut
// into per tier; see mortonRanges.
var rangeBudget = 16

// Iter steps through the features a Scan selects, in key order. It must be
// closed.
type Iter struct {
	sn     *Snapshot
	ctx    context.Context
	plan   Plan
	it     *badger.Iterator
	ranges []keyRange
	ri     int
	seeked bool

	box        cim.Box
	qOuter     qbox
	qInner     qbox
	hasInner   bool
	classes    uint64 // bit set; 0 means all
	ds         uint32 // 0 means all
	stage      cim.Stage
	levels     cim.LevelRange
	firstLevel uint16

	pos     []byte
	rk      []byte // record key of the current hit
	val     []byte // value of the current hit
	rec     []byte // its record, in val
	feat    *cim.Feature
	scanned int
	err     error

	omit   Fields
	rd     reader   // decodes records, keeping its buffers
	gv     geomView // the geometry of an entry on the box's edge
	sl     slab     // memory for the features returned
	dsID   uint32   // dataset of the last feature returned, 0 if none
	dsName string
}

// Scan returns an iterator over the features that pass f. It picks the
// index: the spatial index for a box, the floor index for a box with levels
// or levels alone, else the records, which are ordered by class, dataset,
// stage and id.
func (sn *Snapshot) Scan(ctx context.Context, f Filter) (*Iter, error) {
	it := &Iter{sn: sn, ctx: ctx, stage: f.Stage, omit: f.Omit}
	for _, c := range f.Classes {
		if !c.Valid() {
			return nil, fmt.Errorf("scan: %v", c)
		}
		it.classes |= 1 << c
	}
	if f.Dataset != "" {
		ds, ok := sn.cat.byName[f.Dataset]
		if !ok {
			return it, nil // an unknown dataset has no features
		}
		it.ds = ds
	}
	if f.Stage != cim.StageAny && !f.Stage.Valid() {
		return nil, fmt.Errorf("scan: %v", f.Stage)
	}
	switch {
	case f.Box != nil || f.Levels != nil:
		if err := it.planSpatial(f); err != nil {
			return nil, err
		}
	default:
		it.plan = PlanRecords
		classes := slices.Compact(slices.Sorted(slices.Values(f.Classes)))
		if len(classes) == 0 {
			classes = cim.Classes()
		}
		if it.ds == 0 && len(f.Classes) == 0 {
			it.ranges = []keyRange{prefixRange([]byte{pRecord})}
			break
		}
		for _, c := range classes {
			p := []byte{pRecord, byte(c)}
			if it.ds != 0 {
				p = binary.BigEndian.AppendUint32(p, it.ds)
				if f.Stage != cim.StageAny {
					p = append(p, byte(f.Stage))
				}
			}
			it.ranges = append(it.ranges, prefixRange(p))
		}
	}
	prefix := commonPrefix(it.ranges)
	if f.After != nil {
		it.ranges = resumeAfter(it.ranges, f.After)
	}
	return it.open(prefix)
}

func (it *Iter) planSpatial(f Filter) error {
	it.plan = PlanSpatial
	if f.Box != nil {
		if err := f.Box.Validate(); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		it.box = *f.Box
		it.qOuter = outer(it.box)
		it.qInner, it.hasInner = inner(it.box)
	} else {
		it.qOuter = qbox{0, 0, math.MaxUint32, math.MaxUint32}
		it.box = cim.Box{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}
		it.qInner, it.hasInner = it.qOuter, true
	}
	// The buckets to read: for all floors, the single-floor buckets and the
	// all-floors bucket of multi-floor features; for a range of floors,
	// the single- and multi-floor buckets of each. Buckets whose features
	// all lie elsewhere are skipped.
	var want []bucket
	if f.Levels == nil {
		want = append(want, bucket{prefix: pAll})
		for b := range it.sn.bk {
			if b.prefix == pSingle {
				want = append(want, b)
			}
		}
	} else {
		if err := f.Levels.Validate(); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		it.plan = PlanFloors
		it.levels = *f.Levels
		it.firstLevel = levelBucket(f.Levels.Min)
		for lv := it.firstLevel; lv <= levelBucket(f.Levels.Max); lv++ {
			want = append(want, bucket{pSingle, lv}, bucket{pMulti, lv})
		}
	}
	// A tier's Morton ranges are the same in every bucket; the range
	// bounds share one buffer.
	var tierRanges [maxTier + 1][]mrange
	keys := make([]byte, 0, 1024)
	key := func(tp []byte, m uint64) []byte {
		n := len(keys)
		keys = binary.BigEndian.AppendUint64(append(keys, tp...), m)
		return keys[n:len(keys):len(keys)]
	}
	for _, b := range want {
		info, ok := it.sn.bk[b]
		if !ok || !info.ext.intersects(it.qOuter) {
			continue
		}
		var pb [4]byte
		p := append(pb[:0], b.prefix)
		if b.prefix != pAll {
			p = binary.BigEndian.AppendUint16(p, b.level)
		}
		if f.Box == nil {
			it.ranges = append(it.ranges, prefixRange(bytes.Clone(p)))
			continue
		}
		for t := uint8(0); t <= maxTier; t++ {
			if info.tiers&(1<<t) == 0 {
				continue
			}
			rs := tierRanges[t]
			if rs == nil {
				reach := cellReach(t)
				q := it.qOuter
				q.x0 = satSub(q.x0, reach)
				q.y0 = satSub(q.y0, reach)
				rs = mortonRanges(q, rangeBudget)
				tierRanges[t] = rs
			}
			var tb [4]byte
			tp := append(append(tb[:0], p...), t)
			for _, r := range rs {
				start := key(tp, r.lo)
				var end []byte
				if r.hi == math.MaxUint64 {
					end = prefixEnd(tp)
				} else {
					end = key(tp, r.hi+1)
				}
				it.ranges = append(it.ranges, keyRange{start, end})
			}
		}
	}
	// Key order across buckets, so that a scan can resume after a key.
	slices.SortFunc(it.ranges, func(a, b keyRange) int { return bytes.Compare(a.start, b.start) })
	return nil
}

func satSub(a, b uint32) uint32 {
	if a < b {
		return 0
	}
	return a - b
}

// prefixRange is the range of keys starting with p.
func prefixRange(p []byte) keyRange { return keyRange{p, prefixEnd(p)} }

// prefixEnd returns the smallest key greater than every key starting with
// p, or nil (no bound) if p is all 0xff.
func prefixEnd(p []byte) []byte {
	e := bytes.Clone(p)
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] < 0xff {
			e[i]++
			return e[:i+1]
		}
	}
	return nil
}

// resumeAfter drops what lies at or before key after.
func resumeAfter(rs []keyRange, after []byte) []keyRange {
	next := append(bytes.Clone(after), 0)
	out := rs[:0]
	for _, r := range rs {
		if r.end != nil && bytes.Compare(r.end, next) <= 0 {
			continue
		}
		if bytes.Compare(r.start, next) < 0 {
			r.start = next
		}
		out = append(out, r)
	}
	return out
}

// commonPrefix returns the longest prefix shared by every key the ranges
// can hold, for Badger to skip tables that hold none.
func commonPrefix(rs []keyRange) []byte {
	if len(rs) == 0 {
		return nil
	}
	p := rs[0].start
	for _, r := range rs {
		for _, k := range [][]byte{r.start, r.end} {
			n := 0
			for n < len(p) && n < len(k) && p[n] == k[n] {
				n++
			}
			p = p[:n]
		}
	}
	return bytes.Clone(p)
}

func (it *Iter) open(prefix []byte) (*Iter, error) {
	if len(it.ranges) > 0 {
		if err := it.sn.use(); err != nil {
			return nil, err
		}
		it.it = it.sn.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	}
	return it, nil
}

// Plan returns the index the scan reads.
func (it *Iter) Plan() Plan { return it.plan }

// Close releases the iterator.
func (it *Iter) Close() {
	if it.it != nil {
		it.it.Close()
		it.it = nil
		it.sn.done()
	}
}

// Err returns the error that ended the scan, if any.
func (it *Iter) Err() error { return it.err }

// Pos returns the current feature's position, to resume a scan after it
// (Filter.After). It is valid until the next call to Next.
func (it *Iter) Pos() []byte { return it.pos }

var errNoFeature = errors.New("no current feature: call Next first")

// Feature decodes the current feature, without the fields in Filter.Omit.
// The scan decodes nothing until it is called. Features share memory in
// chunks of a few dozen, so one that is kept keeps its neighbours' memory
// too; each is the caller's to keep or change.
func (it *Iter) Feature() (*cim.Feature, error) {
	if it.feat != nil {
		return it.feat, nil
	}
	if len(it.rk) < 8 {
		return nil, errNoFeature
	}
	_, ds, st, id := recordKeyParts(it.rk)
	if ds != it.dsID {
		it.dsID, it.dsName = ds, it.sn.cat.byID[ds]
	}
	f := it.sl.feature()
	f.ID, f.Dataset, f.Stage = it.sl.str(id), it.dsName, st
	if err := it.rd.record(it.rec, f, &it.sl, it.omit); err != nil {
		return nil, fmt.Errorf("feature %s: %w", f.ID, err)
	}
	it.feat = f
	return f, nil
}

// Decode decodes the current feature into f, as Feature would, but
// reusing f's geometry (when it has the same type) and property map: a
// scan that hands each feature on and forgets it (a map tile, a page of
// GeoJSON) then allocates next to nothing per feature. Everything f held
// is overwritten, the coordinates of its geometry included, so f must not
// share them with a feature still in use.
func (it *Iter) Decode(f *cim.Feature) error {
	if len(it.rk) < 8 {
		return errNoFeature
	}
	_, ds, st, id := recordKeyParts(it.rk)
	if ds != it.dsID {
		it.dsID, it.dsName = ds, it.sn.cat.byID[ds]
	}
	f.ID, f.Dataset, f.Stage = it.sl.str(id), it.dsName, st
	if err := it.rd.recordInto(it.rec, f, &it.sl, it.omit); err != nil {
		return fmt.Errorf("feature %s: %w", f.ID, err)
	}
	return nil
}

// Next advances to the next feature that passes the filter.
func (it *Iter) Next() bool {
	if it.err != nil || it.it == nil {
		return false
	}
	for it.ri < len(it.ranges) {
		r := it.ranges[it.ri]
		if !it.seeked {
			// Skip the seek when the iterator already stands in this range.
			if !it.it.Valid() || bytes.Compare(it.it.Item().Key(), r.start) < 0 {
				it.it.Seek(r.start)
			}
			it.seeked = true
		} else {
			it.it.Next()
		}
		if !it.it.Valid() {
			it.ri = len(it.ranges)
			break
		}
		item := it.it.Item()
		k := item.Key()
		if r.end != nil && bytes.Compare(k, r.end) >= 0 {
			it.ri++
			it.seeked = false
			continue
		}
		if it.scanned++; it.scanned%256 == 0 {
			if err := checkCtx(it.ctx); err != nil {
				it.err = err
				return false
			}
		}
		ok, err := it.accept(item, k)
		if err != nil {
			it.err = err
			return false
		}
		if ok {
			it.pos = k
			return true
		}
	}
	return false
}

// accept decides whether the entry under key k passes the filter and sets
// it.rk.
func (it *Iter) accept(item *badger.Item, k []byte) (bool, error) {
	it.feat = nil
	if it.plan == PlanRecords {
		if len(k) < 8 {
			return false, fmt.Errorf("%w: short key %x", errCorrupt, k)
		}
		_, ds, st, _ := recordKeyParts(k)
		if (it.ds != 0 && ds != it.ds) || (it.stage != cim.StageAny && st != it.stage) ||
			(it.classes != 0 && it.classes&(1<<k[1]) == 0) {
			return false, nil
		}
		it.rk = append(it.rk[:0], k...)
		v, err := item.ValueCopy(it.val[:0])
		if err != nil {
			return false, err
		}
		it.val, it.rec = v, v
		return true, nil
	}
	tp, sfx, ok := spatialKey(k)
	if !ok {
		return false, fmt.Errorf("%w: short key %x", errCorrupt, k)
	}
	ds := binary.BigEndian.Uint32(sfx)
	if (it.ds != 0 && ds != it.ds) || (it.stage != cim.StageAny && cim.Stage(sfx[4]) != it.stage) {
		return false, nil
	}
	// Spatial and floor index entries: a header, then the record.
	v, err := item.ValueCopy(it.val[:0])
	if err != nil {
		return false, err
	}
	it.val, it.rec = v, v[min(headerLen, len(v)):]
	if len(v) <= headerLen {
		return false, fmt.Errorf("%w: index value of %x", errCorrupt, k)
	}
	var e entry
	e.q.x1, e.q.y1 = binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:])
	e.class = cim.Class(v[8])
	e.levels.Min = math.Float64frombits(binary.BigEndian.Uint64(v[9:]))
	e.levels.Max = math.Float64frombits(binary.BigEndian.Uint64(v[17:]))
	if it.classes != 0 && it.classes&(1<<e.class) == 0 {
		return false, nil
	}
	it.rk = append(append(it.rk[:0], pRecord, byte(e.class)), sfx...)
	if it.plan == PlanFloors {
		if !e.levels.Overlaps(it.levels) {
			return false, nil
		}
		// Report a feature on several floors from its first floor in range only.
		if k[0] == pMulti && binary.BigEndian.Uint16(k[1:]) != max(levelBucket(e.levels.Min), it.firstLevel) {
			return false, nil
		}
	}
	e.q.x0, e.q.y0 = unmorton(binary.BigEndian.Uint64(k[tp+1:]))
	if !it.qOuter.intersects(e.q) {
		return false, nil
	}
	if it.hasInner && it.qInner.contains(e.q) {
		return true, nil
	}
	// On the box's edge: test the geometry, decoded in place.
	r := &it.rd
	r.reset(it.rec)
	r.head(nil, nil)
	t := r.geometry()
	if r.err != nil {
		return false, fmt.Errorf("feature %s: %w", it.rk[7:], r.err)
	}
	return cim.IntersectsBox(r.view(t, &it.gv), it.box), nil
}
