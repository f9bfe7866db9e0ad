package index

import (
	"encoding/binary"
	"fmt"
	"maps"

	"github.com/dgraph-io/badger/v4"
)

// bucket names one spatial prefix: 'A', or 'S' or 'M' with a floor.
type bucket struct {
	prefix byte
	level  uint16 // the floor's key form; 0 for 'A'
}

// bucketInfo says what a bucket holds: the tiers with keys, and a box
// covering every feature filed there. Both only grow: a bucket whose
// features were deleted keeps its old tiers and box, which costs a
// fruitless seek, never a missed feature.
type bucketInfo struct {
	tiers uint64
	ext   qbox
}

func (i bucketInfo) merge(o bucketInfo) bucketInfo {
	if i.tiers == 0 {
		return o
	}
	return bucketInfo{i.tiers | o.tiers, qbox{min(i.ext.x0, o.ext.x0), min(i.ext.y0, o.ext.y0), max(i.ext.x1, o.ext.x1), max(i.ext.y1, o.ext.y1)}}
}

// buckets is the in-memory catalog of non-empty buckets. It is
// immutable; a commit builds a new one. Each entry is also stored under
// the meta key 0x00 'b' prefix level, so Open reads the catalog without
// scanning the index.
type buckets map[bucket]bucketInfo

func bucketKey(b bucket) []byte {
	return binary.BigEndian.AppendUint16([]byte{pMeta, 'b', b.prefix}, b.level)
}

func (i bucketInfo) encode() []byte {
	v := binary.BigEndian.AppendUint64(nil, i.tiers)
	for _, c := range [...]uint32{i.ext.x0, i.ext.y0, i.ext.x1, i.ext.y1} {
		v = binary.BigEndian.AppendUint32(v, c)
	}
	return v
}

func loadBuckets(txn *badger.Txn) (buckets, error) {
	bs := buckets{}
	prefix := []byte{pMeta, 'b'}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		k := it.Item().Key()
		if len(k) != 5 {
			return nil, fmt.Errorf("%w: bucket key %x", errCorrupt, k)
		}
		b := bucket{k[2], binary.BigEndian.Uint16(k[3:])}
		err := it.Item().Value(func(v []byte) error {
			if len(v) != 24 {
				return fmt.Errorf("%w: bucket %x", errCorrupt, k)
			}
			u := func(i int) uint32 { return binary.BigEndian.Uint32(v[8+4*i:]) }
			bs[b] = bucketInfo{binary.BigEndian.Uint64(v), qbox{u(0), u(1), u(2), u(3)}}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return bs, nil
}

// merge returns the catalog with a batch's additions, and the entries that
// changed (to be written).
func (bs buckets) merge(add buckets) (buckets, buckets) {
	changed := buckets{}
	for b, i := range add {
		if old, ok := bs[b]; !ok || old.merge(i) != old {
			changed[b] = old.merge(i)
		}
	}
	if len(changed) == 0 {
		return bs, changed
	}
	n := maps.Clone(bs)
	maps.Copy(n, changed)
	return n, changed
}
