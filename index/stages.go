package index

import (
	"slices"

	"github.com/dgraph-io/badger/v4"

	"github.com/future-community/cim/cim"
)

// Stages returns the stages in which the dataset holds at least one
// feature, in order; none for a dataset the snapshot does not know. It
// seeks the class index a few times per class, and is worked out once per
// snapshot and dataset.
func (sn *Snapshot) Stages(dataset string) ([]cim.Stage, error) {
	sn.mu.Lock()
	st, ok := sn.held[dataset]
	sn.mu.Unlock()
	if ok {
		return slices.Clone(st), nil
	}
	if err := sn.use(); err != nil {
		return nil, err
	}
	defer sn.done()
	ds, ok := sn.cat.byName[dataset]
	if !ok {
		return nil, nil
	}
	it := sn.txn.NewIterator(badger.IteratorOptions{PrefetchValues: false, Prefix: []byte{pRecord}})
	defer it.Close()
	var seen [8]bool
	for _, c := range cim.Classes() {
		// Each seek lands on the class's next stage in the dataset.
		for s := cim.StagePlanning; s <= cim.StageAsBuilt; s++ {
			p := appendSuffix([]byte{pRecord, byte(c)}, ds, s, "")
			it.Seek(p)
			if !it.ValidForPrefix(p[:6]) {
				break
			}
			_, _, s, _ = recordKeyParts(it.Item().Key())
			seen[s] = true
		}
	}
	for _, s := range cim.Stages() {
		if seen[s] {
			st = append(st, s)
		}
	}
	sn.mu.Lock()
	if sn.held == nil {
		sn.held = map[string][]cim.Stage{}
	}
	sn.held[dataset] = st
	sn.mu.Unlock()
	return slices.Clone(st), nil
}

// Has reports whether the dataset holds a feature with the id at the
// stage. class is the feature's likely class, tried first.
func (sn *Snapshot) Has(dataset string, stage cim.Stage, id string, class cim.Class) (bool, error) {
	if err := sn.use(); err != nil {
		return false, err
	}
	defer sn.done()
	ds, ok := sn.cat.byName[dataset]
	if !ok {
		return false, nil
	}
	item, err := findRecord(sn.txn, recordKey(class, ds, stage, id))
	return item != nil, err
}
