package index

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/future-community/cim/cim"
	"github.com/tidwall/rtree"
	"github.com/twpayne/go-geom"
)

// footprints is a deterministic Source of n synthetic buildings: rectangles
// of 10–60 m scattered over a 0.3° × 0.3° square of Hangzhou (about
// 29 km × 33 km, 1,000 buildings per km² at n = 1M), each on floors
// 0..k−1 with k from 1 to floors. Like a streaming decoder, it reuses one
// Feature: the store does not keep what Put is given.
type footprints struct {
	r      *rand.Rand
	n, i   int
	floors int
	f      cim.Feature
	flat   []float64
	id     []byte
}

func newFootprints(n, floors int) *footprints {
	return &footprints{r: rand.New(rand.NewPCG(42, uint64(n))), n: n, floors: floors}
}

func (s *footprints) Next() (*cim.Feature, error) {
	if s.i == s.n {
		return nil, io.EOF
	}
	s.i++
	r := s.r
	// Seven decimals, like OpenStreetMap and most GeoJSON.
	x, y := e7(120.0+r.Float64()*0.3), e7(30.1+r.Float64()*0.3)
	w, h := e7((10+r.Float64()*50)/96000), e7((10+r.Float64()*50)/111000)
	s.flat = append(s.flat[:0], x, y, x+w, y, x+w, y+h, x, y+h, x, y)
	s.id = strconv.AppendInt(append(s.id[:0], "bench:"...), int64(s.i), 10)
	s.f = cim.Feature{
		ID:       string(s.id),
		Class:    cim.ClassBuilding,
		Geometry: geom.NewPolygonFlat(geom.XY, s.flat, []int{10}),
		Levels:   cim.LevelRange{Min: 0, Max: float64(r.IntN(s.floors))},
		Dataset:  "bench",
		Stage:    cim.StageAsBuilt,
	}
	return &s.f, nil
}

func e7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// clone copies a feature the generator will reuse.
func clone(f *cim.Feature) *cim.Feature {
	c := *f
	c.Geometry = geom.NewPolygonFlat(geom.XY, slices.Clone(f.Geometry.FlatCoords()), []int{10})
	return &c
}

func collect(src Source) []*cim.Feature {
	var fs []*cim.Feature
	for {
		f, err := src.Next()
		if err != nil {
			return fs
		}
		fs = append(fs, clone(f))
	}
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// BenchmarkIngest measures bulk ingest into a fresh store, features/s and
// store bytes per feature (the directory after Close, which flushes the
// memtables), beside two peers that do less, so that the figure can be
// read against something measured in the same run:
//
//   - peer=cim: Store.Ingest of the generated features.
//   - peer=writebatch: Badger's WriteBatch writing exactly the keys and
//     values cim wrote (read back from a store cim filled, untimed), in
//     the order cim produced them, feature by feature, into a fresh
//     Badger with the store's options, then a sync: the bare key-value
//     store, without cim's encoding, index keys, sorting or commit.
//   - peer=rtree: an in-memory R-tree (tidwall/rtree) of the same
//     features, each generated, copied and inserted under its bounds.
//
// floors=1 is a 2D footprint layer; floors=6 buildings of 1 to 6 storeys,
// each with an entry per storey in the floor index. Run the 1M cases with
// -benchtime 1x and -count N: each count runs the three peers in turn, so
// they alternate, and benchstat -col /peer gives medians and ratios.
func BenchmarkIngest(b *testing.B) {
	opts := Options{MemTableMB: 128, CompactOnClose: true}
	for _, c := range []struct{ n, floors int }{{100_000, 1}, {1_000_000, 1}, {1_000_000, 6}} {
		name := fmt.Sprintf("n=%d/floors=%d", c.n, c.floors)
		b.Run(name+"/peer=cim", func(b *testing.B) {
			b.ReportAllocs()
			var elapsed time.Duration
			var size int64
			for range b.N {
				dir := b.TempDir()
				s, err := Open(dir, &opts)
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				if _, _, err := s.Ingest(context.Background(), newFootprints(c.n, c.floors), nil); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				s.Close()
				size = dirBytes(dir)
			}
			b.ReportMetric(float64(c.n*b.N)/elapsed.Seconds(), "features/s")
			b.ReportMetric(float64(size)/float64(c.n), "B/feature")
		})
		b.Run(name+"/peer=writebatch", func(b *testing.B) {
			kvs := ingestedPairs(b, c.n, c.floors, opts)
			b.ReportAllocs()
			var elapsed time.Duration
			var size int64
			for range b.N {
				dir := b.TempDir()
				db, err := badger.OpenManaged(badgerOptions(dir, opts))
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				wb := db.NewWriteBatchAt(1)
				for i := range kvs.n() {
					k, v := kvs.pair(i)
					if err := wb.Set(k, v); err != nil {
						b.Fatal(err)
					}
				}
				if err := wb.Flush(); err != nil {
					b.Fatal(err)
				}
				if err := db.Sync(); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				db.Close()
				size = dirBytes(dir)
			}
			b.ReportMetric(float64(c.n*b.N)/elapsed.Seconds(), "features/s")
			b.ReportMetric(float64(size)/float64(c.n), "B/feature")
			b.ReportMetric(float64(kvs.n())/float64(c.n), "keys/feature")
		})
		b.Run(name+"/peer=rtree", func(b *testing.B) {
			b.ReportAllocs()
			var elapsed time.Duration
			for range b.N {
				start := time.Now()
				var tr rtree.RTreeG[*cim.Feature]
				src := newFootprints(c.n, c.floors)
				for {
					f, err := src.Next()
					if err == io.EOF {
						break
					}
					f = clone(f)
					bb := cim.BoundsOf(f.Geometry)
					tr.Insert([2]float64{bb.MinLon, bb.MinLat}, [2]float64{bb.MaxLon, bb.MaxLat}, f)
				}
				elapsed += time.Since(start)
				if tr.Len() != c.n {
					b.Fatalf("R-tree holds %d features, want %d", tr.Len(), c.n)
				}
			}
			b.ReportMetric(float64(c.n*b.N)/elapsed.Seconds(), "features/s")
		})
	}
}

// kvPairs holds key-value pairs in one buffer.
type kvPairs struct {
	buf  []byte
	ends []int // key end, value end, per pair
}

func (p *kvPairs) n() int { return len(p.ends) / 2 }

func (p *kvPairs) pair(i int) (k, v []byte) {
	start := 0
	if i > 0 {
		start = p.ends[2*i-1]
	}
	ke, ve := p.ends[2*i], p.ends[2*i+1]
	return p.buf[start:ke:ke], p.buf[ke:ve:ve]
}

var ingested = map[[2]int]*kvPairs{}

// ingestedPairs ingests n footprints into a scratch store, once per test
// binary, and returns every key and value it holds, ordered as the ingest
// produced them: by feature (the number in the id that ends every feature
// key), the store's own keys last.
func ingestedPairs(b *testing.B, n, floors int, opts Options) *kvPairs {
	if p := ingested[[2]int{n, floors}]; p != nil {
		return p
	}
	dir := b.TempDir()
	s, err := Open(dir, &opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Ingest(context.Background(), newFootprints(n, floors), nil); err != nil {
		b.Fatal(err)
	}
	sn, err := s.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	defer sn.Close()
	type ref struct {
		feature   int
		start, ke int
		ve        int
	}
	var refs []ref
	var buf []byte
	it := sn.txn.NewIterator(badger.IteratorOptions{})
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		r := ref{feature: n + 1, start: len(buf)}
		k := item.Key()
		if k[0] != pMeta {
			i := bytes.LastIndexByte(k, ':')
			f, err := strconv.Atoi(string(k[i+1:]))
			if err != nil {
				b.Fatalf("key %q: no feature number", k)
			}
			r.feature = f
		}
		buf = append(buf, k...)
		r.ke = len(buf)
		err := item.Value(func(v []byte) error {
			buf = append(buf, v...)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		r.ve = len(buf)
		refs = append(refs, r)
	}
	it.Close()
	slices.SortStableFunc(refs, func(x, y ref) int { return x.feature - y.feature })
	p := &kvPairs{buf: make([]byte, 0, len(buf)), ends: make([]int, 0, 2*len(refs))}
	for _, r := range refs {
		p.buf = append(p.buf, buf[r.start:r.ke]...)
		p.ends = append(p.ends, len(p.buf))
		p.buf = append(p.buf, buf[r.ke:r.ve]...)
		p.ends = append(p.ends, len(p.buf))
	}
	ingested[[2]int{n, floors}] = p
	return p
}

var (
	queryStoreOnce sync.Once
	queryStore     *Store
	queryFeatures  []*cim.Feature
	queryStoreErr  error
)

// loadQueryStore ingests 1M footprints once per test binary and keeps them
// in memory too, for the R-tree.
func loadQueryStore(b *testing.B) (*Store, []*cim.Feature) {
	queryStoreOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cim-bench-")
		if err != nil {
			queryStoreErr = err
			return
		}
		queryFeatures = collect(newFootprints(1_000_000, 6))
		s, err := Open(dir, &Options{MemTableMB: 128, CompactOnClose: true})
		if err != nil {
			queryStoreErr = err
			return
		}
		if _, _, err := s.Ingest(context.Background(), &sliceSource{fs: queryFeatures}, nil); err != nil {
			queryStoreErr = err
			return
		}
		// Query the store as a later process finds it: memtables flushed,
		// then compacted.
		s.Close()
		if queryStore, queryStoreErr = Open(dir, nil); queryStoreErr != nil {
			return
		}
		queryStoreErr = queryStore.Compact()
	})
	if queryStoreErr != nil {
		b.Fatal(queryStoreErr)
	}
	return queryStore, queryFeatures
}

// queryBoxes are 0.0033° squares (≈ 320 m × 370 m) in the data's area: each
// holds about 100 of the 1M features on floor 2.
func queryBoxes(n int) []cim.Box {
	r := rand.New(rand.NewPCG(7, 7))
	out := make([]cim.Box, n)
	for i := range out {
		x, y := 120.0+r.Float64()*0.29, 30.1+r.Float64()*0.29
		out[i] = cim.Box{MinLon: x, MinLat: y, MaxLon: x + 0.0033, MaxLat: y + 0.0033}
	}
	return out
}

// BenchmarkBoxLevelQuery is a bbox + level query returning about 100 of 1M
// features, full features decoded, from the Badger store and from an
// in-memory R-tree (tidwall/rtree) holding the same features, with the same
// exact-geometry test. It reports the median latency of each as p50-µs.
// peer=badger decodes each hit into a new feature (Iter.Feature),
// peer=badger-decode into one feature it reuses (Iter.Decode), as a tile
// or page writer that hands features on would. The paired case runs the
// boxes on the three in alternating blocks and reports the medians and
// their ratios to the R-tree: on a shared machine whose speed drifts,
// those ratios are the numbers to quote.
func BenchmarkBoxLevelQuery(b *testing.B) {
	s, fs := loadQueryStore(b)
	boxes := queryBoxes(1000)
	level := cim.Level(2)

	var tr rtree.RTreeG[*cim.Feature]
	for _, f := range fs {
		bb := cim.BoundsOf(f.Geometry)
		tr.Insert([2]float64{bb.MinLon, bb.MinLat}, [2]float64{bb.MaxLon, bb.MaxLat}, f)
	}
	p50 := func(lat []time.Duration) float64 {
		slices.Sort(lat)
		return float64(lat[len(lat)/2].Nanoseconds()) / 1e3
	}
	report := func(b *testing.B, lat []time.Duration, hits int) {
		b.ReportMetric(p50(lat), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
		b.ReportMetric(float64(hits)/float64(len(lat)), "hits/op")
	}
	rtreeQuery := func(q cim.Box) int {
		hits := 0
		tr.Search([2]float64{q.MinLon, q.MinLat}, [2]float64{q.MaxLon, q.MaxLat}, func(_, _ [2]float64, f *cim.Feature) bool {
			if f.Levels.Overlaps(level) && cim.IntersectsBox(f.Geometry, q) {
				hits++
			}
			return true
		})
		return hits
	}
	sn, err := s.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	defer sn.Close()
	// Each hit is decoded whole, into a new feature (Feature) or into
	// one the caller reuses (Decode), as a tile or page writer would.
	newFeature := func(it *Iter) error {
		_, err := it.Feature()
		return err
	}
	var reused cim.Feature
	decode := func(it *Iter) error { return it.Decode(&reused) }
	storeQuery := func(b *testing.B, q cim.Box, decode func(*Iter) error) int {
		it, err := sn.Scan(context.Background(), Filter{Box: &q, Levels: &level})
		if err != nil {
			b.Fatal(err)
		}
		defer it.Close()
		hits := 0
		for it.Next() {
			if err := decode(it); err != nil {
				b.Fatal(err)
			}
			hits++
		}
		if err := it.Err(); err != nil {
			b.Fatal(err)
		}
		return hits
	}
	// Warm both up, as the R-tree's nodes are in memory from the start:
	// the first pass over the boxes fills the block cache, and the store
	// reaches its steady speed only in the third (cold reads are another
	// benchmark).
	for range 3 {
		for _, q := range boxes {
			rtreeQuery(q)
			storeQuery(b, q, newFeature)
		}
	}
	b.Run("peer=rtree", func(b *testing.B) {
		b.ReportAllocs()
		runtime.GC()
		lat := make([]time.Duration, 0, b.N)
		hits := 0
		for i := range b.N {
			start := time.Now()
			hits += rtreeQuery(boxes[i%len(boxes)])
			lat = append(lat, time.Since(start))
		}
		report(b, lat, hits)
	})
	for _, c := range []struct {
		name   string
		decode func(*Iter) error
	}{{"peer=badger", newFeature}, {"peer=badger-decode", decode}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			runtime.GC() // not the previous case's garbage
			lat := make([]time.Duration, 0, b.N)
			hits := 0
			for i := range b.N {
				start := time.Now()
				hits += storeQuery(b, boxes[i%len(boxes)], c.decode)
				lat = append(lat, time.Since(start))
			}
			report(b, lat, hits)
		})
	}
	b.Run("paired", func(b *testing.B) {
		// Blocks of 50 boxes, each on the R-tree, then on the store with
		// Feature, then with Decode: the three see the same drift, and none
		// runs in caches another just filled with its own data, as they
		// would query by query.
		const block = 50
		runtime.GC()
		lat := make([][]time.Duration, 3)
		var hits [3][block]int
		for i := 0; i < b.N; i += block {
			n := min(block, b.N-i)
			for k := range 3 {
				for j := range n {
					q := boxes[(i+j)%len(boxes)]
					start := time.Now()
					switch k {
					case 0:
						hits[k][j] = rtreeQuery(q)
					case 1:
						hits[k][j] = storeQuery(b, q, newFeature)
					case 2:
						hits[k][j] = storeQuery(b, q, decode)
					}
					lat[k] = append(lat[k], time.Since(start))
				}
			}
			for j := range n {
				if hits[0][j] != hits[1][j] || hits[0][j] != hits[2][j] {
					b.Fatalf("box %v: %d hits in the R-tree, %d and %d in the store", boxes[(i+j)%len(boxes)], hits[0][j], hits[1][j], hits[2][j])
				}
			}
		}
		r, f, d := p50(lat[0]), p50(lat[1]), p50(lat[2])
		b.ReportMetric(r, "rtree-p50-µs")
		b.ReportMetric(f, "feature-p50-µs")
		b.ReportMetric(d, "decode-p50-µs")
		b.ReportMetric(f/r, "feature/rtree")
		b.ReportMetric(d/r, "decode/rtree")
	})
}

func TestMain(m *testing.M) {
	code := m.Run()
	if queryStore != nil {
		queryStore.Close()
		os.RemoveAll(queryStore.Dir())
	}
	os.Exit(code)
}
