// Package index stores community models in Badger with a spatial index that
// knows about floors, and reads them back as consistent snapshots while
// writes go on.
//
// # Revisions, snapshots and atomic ingest
//
// The store runs Badger in managed mode, where the application chooses the
// version (timestamp) of every write and of every read. The store's
// revision is the version of its last committed change. A Batch (one ingest
// of one file, or a dataset deletion) writes all its keys at version R+1,
// where R is the current revision, in as many Badger write batches as it
// needs; readers keep reading at R and see none of it. Commit then writes
// the meta key "rev" at R+1, syncs, and moves readers to R+1: the whole
// batch appears at once. Abort, or a crash before Commit, leaves versions
// at R+1 behind that no reader has seen; they are undone by writing, at a
// later version, each touched key's value as of R (or its deletion), found
// by a scan over all versions. Open runs the same recovery when it finds
// versions newer than the last commit, reporting its progress to
// Options.Recovering, and then compacts the store down to one level, so
// that the undone versions, the undo's rewrites and its deletion markers
// free their space at once rather than at the next compaction. Compaction is told (SetDiscardTs)
// never to drop versions that an open Snapshot or a recovery still needs.
//
// Revision changes on every commit and only then; it is meant for cache
// keys and HTTP ETags.
//
// A store takes its own lock, cim.lock in its directory (flock, shared
// for a reader, exclusive for a writer), for as long as it is open. It
// covers the moments when recovery closes and reopens Badger to reclaim
// space, which give up Badger's directory lock: no other process can take
// the store in between. Open returns ErrLocked when another has it.
//
// # Key layout
//
// Every key starts with a one-byte prefix. Integers are big-endian, so
// byte order is numeric order. ds is the dataset's uint32 id from the
// catalog, st the cim.Stage byte, class the cim.Class byte, id the feature
// id's bytes (ids hold no NUL byte and always come last).
//
//	0x00 "rev"                       → revision u64, read version u64
//	0x00 "ds" name                   → dataset id u32
//	0x00 'b' prefix level            → bucket: tier mask u64, extent 4×u32
//	'F' class ds st id               → record (see record.go)
//	'S' level tier morton ds st id   → index header (25 bytes) + record
//	'M' level tier morton ds st id   → index header (25 bytes) + record
//	'A' tier morton ds st id         → index header (25 bytes) + record
//
// The records ('F') are ordered by class, so they are the class index: a
// class is one prefix scan, a class within a dataset and stage another.
// Listing or deleting a dataset scans one prefix per class. A lookup by id
// alone tries each class (the feature's likely class first), each a Get
// answered mostly by Bloom filters.
//
// 'S', 'M' and 'A' are the spatial index. A feature on one floor (a room, a
// storey, a road, a footprint without storeys) has one 'S' key, under its
// floor. A feature on several floors (a building on floors −2..17) has an
// 'M' key for each floor and one 'A' key. So a query for floors A..B reads
// the 'S' and 'M' prefixes of those floors, and a query over all floors
// reads 'A' and the 'S' prefix of every floor: each feature is found once,
// and a single-floor feature, by far the most common kind, costs one index
// key. level is floor(level) as an int16 with its sign bit flipped (u16),
// so a range of floors is a run of consecutive prefixes.
//
// The bucket keys (one per 'A', and per floor of 'S' and 'M') record which
// tiers are populated and a box around all their features. Queries skip
// buckets and tiers that cannot hold a hit without a seek: the floors of a
// tower's rooms cost nothing to a query elsewhere in the city. A commit
// updates them with its batch; they only grow (a deletion leaves them as
// they were, which costs a seek, never a miss).
//
// The spatial entries carry the whole record after their header: they are
// covering indexes. A query reads its features in key order from one
// iterator and never does a point lookup, which on this store costs about
// 8 µs each (BenchmarkGet: a Get is a binary search through table indexes,
// one TLB and cache miss after another) against about 1 µs per entry read
// in sequence. BenchmarkBoxLevelQuery went from 7× the in-memory R-tree to
// 1.5× with this change. The price is space and ingest: a record is
// written 2 + floors times; the records of single-floor features are small
// (about 60 bytes for a footprint; coordinates are delta-coded, see
// record.go), and the store's per-key costs dominate the per-byte ones.
//
// # Writing
//
// A batch writes through writer.go: keys are buffered, each 16 MB chunk is
// sorted by its first 8 bytes (radix sort) and handed to Badger's KVLoader,
// which bypasses the transaction layer. Sorted chunks insert into the
// memtable's skiplist with good cache locality; unsorted, the skiplist was
// most of the ingest time.
//
// # The spatial key: tiered Morton order of the lower-left corner
//
// Longitude and latitude map linearly onto unsigned 32-bit integers
// (x = (lon+180)/360·(2³²−1), y = (lat+90)/180·(2³²−1), about 9 mm at the
// equator; 180° and 90° map to the largest value).
// A feature's bounding box [x0,x1]×[y0,y1] is filed under the tier t, 0…32,
// the largest for which both its width and height are less than the cell
// size 2^(32−t), and under the Morton (Z-order) code of its lower-left
// corner (x0, y0) at full resolution, 8 bytes. A point has tier 32; a 20 m
// building near 30° N has tier 19 or 20.
//
// This is the multi-level quadkey scheme of the issue tracker, with one
// twist borrowed from XZ-ordering (GeoMesa): a tier-t feature is filed by its
// corner, not by the cells it covers, so it has exactly one key per floor and
// a query needs no duplicate elimination; in exchange, a query at tier t
// widens its box by one tier-t cell to the west and south, the farthest a
// tier-t corner can lie from a box the feature still reaches. Because the
// corner is kept at full resolution rather than at the tier's cell size, the
// query chooses how finely to cut its Morton ranges (see ranges.go)
// independently of how coarse the tier is: few long ranges for a big box,
// tight ones for a small box. A query thus seeks once per range per
// populated tier; the bucket catalog (below) says which tiers each prefix
// holds, so empty tiers cost nothing.
//
// The alternatives weighed: an S2 covering files a polygon under several
// cells and needs de-duplication, and its cells do not line up with web
// map tiles; XZ2 proper interleaves all tiers into one sequence, which saves
// seeks for large boxes but costs a range per ancestor cell for small ones.
// BenchmarkBoxLevelQuery compares the result with an in-memory R-tree.
//
// # The index header
//
// Spatial values start with 25 bytes: x1 u32, y1 u32 (the upper corner,
// rounded up), class u8, level min and max as float64. A scan decides from
// key and header alone whether the feature's box is disjoint from the query
// (skip), inside it (a hit without testing the geometry), or overlapping its
// edge (decode the geometry and test it); it also filters on class,
// dataset, stage and floor without decoding the record.
//
// A query for floors A..B reports a feature on floors m..M only from the
// 'M' prefix of floor max(m, A), so it sees each feature once.
//
// # Decoding on demand
//
// A scan decodes nothing the caller does not ask for. The geometry of an
// entry on the box's edge is decoded into the iterator's own buffers and
// tested in place, without building a feature. Iter.Feature then decodes a
// hit into memory handed out in chunks shared by a few dozen features
// (coordinates at their exact size, ids in shared text, kinds interned);
// Iter.Decode decodes it into a feature the caller reuses, its geometry
// and property map refilled in place, so that a writer that hands each
// feature on allocates next to nothing per hit; Filter.Omit skips the
// geometry or the properties. What remains per hit is Badger's: its
// iterator copies each key and value once, and allocates per seek and per
// block.
package index
