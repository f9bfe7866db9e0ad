package index

import (
	"cmp"
	"context"
	"encoding/binary"
	"maps"
	"math"
	"slices"

	"github.com/dgraph-io/badger/v4"
	"github.com/future-community/cim/cim"
)

// DatasetSummary describes what one dataset holds in one stage.
type DatasetSummary struct {
	Dataset  string
	Stage    cim.Stage
	Features int
	Classes  map[cim.Class]int
	// Floors counts the features on each floor: a building on floors 0..4
	// counts on each of them.
	Floors map[int]int
	// Extent bounds the features' geometries (to the grid's 1 cm).
	Extent cim.Box
}

type dsKey struct {
	ds uint32
	st cim.Stage
}

// Summary counts the features of every dataset and stage by class and
// floor and finds their extent. It reads every key once, so it takes about
// a second per million features.
//
// The store keeps the summary of the last revision summarised: the
// tiles, the feature API and the viewer each ask for it, and a second
// snapshot of the same revision gets a copy without reading again.
func (sn *Snapshot) Summary(ctx context.Context) ([]DatasetSummary, error) {
	if err := sn.use(); err != nil {
		return nil, err
	}
	defer sn.done()
	sn.s.mu.Lock()
	cached := sn.s.summary
	sn.s.mu.Unlock()
	if cached != nil && cached.rev == sn.rev {
		return cloneSummaries(cached.sums), nil
	}
	out, err := sn.summary(ctx)
	if err != nil {
		return nil, err
	}
	sn.s.mu.Lock()
	sn.s.summary = &summaryCache{rev: sn.rev, sums: out}
	sn.s.mu.Unlock()
	return cloneSummaries(out), nil
}

// summaryCache is a revision's summary.
type summaryCache struct {
	rev  uint64
	sums []DatasetSummary
}

// cloneSummaries copies summaries, their maps included, so that a caller
// may change what it gets.
func cloneSummaries(in []DatasetSummary) []DatasetSummary {
	out := slices.Clone(in)
	for i := range out {
		out[i].Classes = maps.Clone(out[i].Classes)
		out[i].Floors = maps.Clone(out[i].Floors)
	}
	return out
}

func (sn *Snapshot) summary(ctx context.Context) ([]DatasetSummary, error) {
	sums := map[dsKey]*DatasetSummary{}
	get := func(ds uint32, st cim.Stage) *DatasetSummary {
		k := dsKey{ds, st}
		s := sums[k]
		if s == nil {
			s = &DatasetSummary{
				Dataset: sn.cat.byID[ds], Stage: st, Classes: map[cim.Class]int{}, Floors: map[int]int{},
				Extent: cim.Box{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)},
			}
			sums[k] = s
		}
		return s
	}
	n := 0
	scan := func(prefix byte, fn func(k []byte, item *badger.Item) error) error {
		it := sn.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}})
		defer it.Close()
		for it.Seek([]byte{prefix}); it.ValidForPrefix([]byte{prefix}); it.Next() {
			if n++; n%4096 == 0 {
				if err := checkCtx(ctx); err != nil {
					return err
				}
			}
			if err := fn(it.Item().Key(), it.Item()); err != nil {
				return err
			}
		}
		return nil
	}
	err := scan(pRecord, func(k []byte, _ *badger.Item) error {
		if len(k) < 8 {
			return errCorrupt
		}
		c, ds, st, _ := recordKeyParts(k)
		s := get(ds, st)
		s.Features++
		s.Classes[c]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Every feature has an 'A' or an 'S' key, once: the extents. Every floor
	// of every feature has an 'S' or 'M' key: the floor counts.
	for _, p := range []byte{pAll, pMulti, pSingle} {
		err = scan(p, func(k []byte, item *badger.Item) error {
			tp, sfx, ok := spatialKey(k)
			if !ok {
				return errCorrupt
			}
			s := get(binary.BigEndian.Uint32(sfx), cim.Stage(sfx[4]))
			if p != pAll {
				s.Floors[bucketLevel(binary.BigEndian.Uint16(k[1:]))]++
			}
			if p == pMulti {
				return nil
			}
			var q qbox
			q.x0, q.y0 = unmorton(binary.BigEndian.Uint64(k[tp+1:]))
			err := item.Value(func(v []byte) error {
				if len(v) < 8 {
					return errCorrupt
				}
				q.x1, q.y1 = binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:])
				return nil
			})
			s.Extent = s.Extent.Extend(q.box())
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]DatasetSummary, 0, len(sums))
	for _, s := range sums {
		if s.Features > 0 {
			out = append(out, *s)
		}
	}
	slices.SortFunc(out, func(a, b DatasetSummary) int {
		if c := cmp.Compare(a.Dataset, b.Dataset); c != 0 {
			return c
		}
		return cmp.Compare(a.Stage, b.Stage)
	})
	return out, nil
}
