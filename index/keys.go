package index

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/future-community/cim/cim"
)

// Key prefixes; see the package documentation.
const (
	pMeta   = 0x00
	pRecord = 'F'
	pAll    = 'A' // features on more than one floor, once
	pMulti  = 'M' // features on more than one floor, per floor
	pSingle = 'S' // features on one floor
)

const (
	maxTier = 32
	// headerLen is the length of an index value's header; the feature's
	// record follows it.
	headerLen = 25
)

var keyRev = []byte{pMeta, 'r', 'e', 'v'}

func datasetKey(name string) []byte {
	return append([]byte{pMeta, 'd', 's'}, name...)
}

// appendSuffix appends ds, st and id.
func appendSuffix(k []byte, ds uint32, st cim.Stage, id string) []byte {
	k = binary.BigEndian.AppendUint32(k, ds)
	k = append(k, byte(st))
	return append(k, id...)
}

// appendRecordKey appends the record key F class ds st id.
func appendRecordKey(k []byte, c cim.Class, ds uint32, st cim.Stage, id string) []byte {
	return appendSuffix(append(k, pRecord, byte(c)), ds, st, id)
}

func recordKey(c cim.Class, ds uint32, st cim.Stage, id string) []byte {
	return appendRecordKey(make([]byte, 0, 8+len(id)), c, ds, st, id)
}

// recordKeyParts splits a record key.
func recordKeyParts(rk []byte) (c cim.Class, ds uint32, st cim.Stage, id []byte) {
	return cim.Class(rk[1]), binary.BigEndian.Uint32(rk[2:]), cim.Stage(rk[6]), rk[7:]
}

// gridMax is the grid coordinate of longitude 180 and latitude 90: the
// grid spans [0, 2³²−1], so the edges of the world need no clamping.
const gridMax = math.MaxUint32

// quantLo and quantHi map longitude (lo −180, span 360) or latitude (lo
// −90, span 180) onto the 32-bit grid. quantLo rounds down, quantHi up, so
// [quantLo(min), quantHi(max)] always covers the true interval.
func quantLo(v, lo, span float64) uint32 {
	f := math.Floor((v - lo) / span * gridMax)
	return uint32(math.Max(0, math.Min(f, gridMax)))
}

func quantHi(v, lo, span float64) uint32 {
	f := math.Ceil((v - lo) / span * gridMax)
	return uint32(math.Max(0, math.Min(f, gridMax)))
}

// qbox is a box in grid coordinates, bounds inclusive.
type qbox struct{ x0, y0, x1, y1 uint32 }

// outer returns the smallest grid box that covers b.
func outer(b cim.Box) qbox {
	return qbox{
		quantLo(b.MinLon, -180, 360), quantLo(b.MinLat, -90, 180),
		quantHi(b.MaxLon, -180, 360), quantHi(b.MaxLat, -90, 180),
	}
}

// inner returns the largest grid box inside b, and false if there is none.
func inner(b cim.Box) (qbox, bool) {
	q := qbox{
		quantHi(b.MinLon, -180, 360), quantHi(b.MinLat, -90, 180),
		quantLo(b.MaxLon, -180, 360), quantLo(b.MaxLat, -90, 180),
	}
	return q, q.x0 <= q.x1 && q.y0 <= q.y1
}

func (q qbox) intersects(o qbox) bool {
	return q.x0 <= o.x1 && o.x0 <= q.x1 && q.y0 <= o.y1 && o.y0 <= q.y1
}

func (q qbox) contains(o qbox) bool {
	return q.x0 <= o.x0 && o.x1 <= q.x1 && q.y0 <= o.y0 && o.y1 <= q.y1
}

// box converts grid coordinates back to degrees (the cell corners).
func (q qbox) box() cim.Box {
	const s = 1.0 / gridMax
	return cim.Box{
		MinLon: float64(q.x0)*s*360 - 180, MinLat: float64(q.y0)*s*180 - 90,
		MaxLon: float64(q.x1)*s*360 - 180, MaxLat: float64(q.y1)*s*180 - 90,
	}
}

// tierOf returns the largest tier whose cell size 2^(32−t) exceeds both the
// width and the height of q.
func tierOf(q qbox) uint8 {
	d := max(q.x1-q.x0, q.y1-q.y0)
	if d == 0 {
		return maxTier
	}
	// cell size 2^(32−t) > d  ⇔  32−t ≥ bits.Len32(d)
	return uint8(maxTier - bits.Len32(d))
}

// cellReach returns 2^(32−t) − 1, the most a tier-t box's corner can lie to
// the west or south of a point the box still covers.
func cellReach(t uint8) uint32 {
	if t == 0 {
		return math.MaxUint32
	}
	return 1<<(32-t) - 1
}

// morton interleaves x (even bits) and y (odd bits).
func morton(x, y uint32) uint64 { return spread(x) | spread(y)<<1 }

func unmorton(m uint64) (x, y uint32) { return squash(m), squash(m >> 1) }

func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

func squash(x uint64) uint32 {
	x &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	return uint32(x)
}

// tierPos is the offset of the tier byte in a spatial key.
func tierPos(prefix byte) int {
	if prefix == pAll {
		return 1
	}
	return 3
}

// spatialKey splits a spatial key: the tier byte's offset and the ds st id
// suffix. ok is false for a key too short to be one.
func spatialKey(k []byte) (tp int, sfx []byte, ok bool) {
	tp = tierPos(k[0])
	if len(k) < tp+15 {
		return 0, nil, false
	}
	return tp, k[tp+9:], true
}

// levelBucket is the u16 key form of floor(l).
func levelBucket(l float64) uint16 {
	return uint16(int16(math.Floor(l))) ^ 0x8000
}

func bucketLevel(b uint16) int { return int(int16(b ^ 0x8000)) }

// entry is what a spatial key and its header say about a feature.
type entry struct {
	q      qbox
	class  cim.Class
	levels cim.LevelRange
}

func appendValue(v []byte, e *entry) []byte {
	v = binary.BigEndian.AppendUint32(v, e.q.x1)
	v = binary.BigEndian.AppendUint32(v, e.q.y1)
	v = append(v, byte(e.class))
	v = binary.BigEndian.AppendUint64(v, math.Float64bits(e.levels.Min))
	return binary.BigEndian.AppendUint64(v, math.Float64bits(e.levels.Max))
}

// appendSpatialKey appends the key of e in bucket b.
func appendSpatialKey(k []byte, b bucket, e *entry, ds uint32, st cim.Stage, id string) []byte {
	k = append(k, b.prefix)
	if b.prefix != pAll {
		k = binary.BigEndian.AppendUint16(k, b.level)
	}
	k = append(k, tierOf(e.q))
	k = binary.BigEndian.AppendUint64(k, morton(e.q.x0, e.q.y0))
	return appendSuffix(k, ds, st, id)
}
