package index

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

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

// BenchmarkIngest measures bulk ingest into a fresh store: features/s and
// store bytes per feature (the directory after Close, which flushes the
// memtables). floors=1 is a 2D footprint layer; floors=6 buildings of 1 to
// 6 storeys, each with an entry per storey in the floor index. Run the 1M
// cases with -benchtime 1x.
func BenchmarkIngest(b *testing.B) {
	for _, c := range []struct{ n, floors int }{{100_000, 1}, {1_000_000, 1}, {1_000_000, 6}} {
		b.Run(fmt.Sprintf("n=%d/floors=%d", c.n, c.floors), func(b *testing.B) {
			b.ReportAllocs()
			n := c.n
			var elapsed time.Duration
			var size int64
			for range b.N {
				dir := b.TempDir()
				s, err := Open(dir, &Options{MemTableMB: 128, CompactOnClose: true})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				if _, _, err := s.Ingest(context.Background(), newFootprints(n, c.floors), nil); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				s.Close()
				size = dirBytes(dir)
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "features/s")
			b.ReportMetric(float64(size)/float64(n), "B/feature")
		})
	}
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
func BenchmarkBoxLevelQuery(b *testing.B) {
	s, fs := loadQueryStore(b)
	boxes := queryBoxes(1000)
	level := cim.Level(2)

	var tr rtree.RTreeG[*cim.Feature]
	for _, f := range fs {
		bb := cim.BoundsOf(f.Geometry)
		tr.Insert([2]float64{bb.MinLon, bb.MinLat}, [2]float64{bb.MaxLon, bb.MaxLat}, f)
	}
	report := func(b *testing.B, lat []time.Duration, hits int) {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
		b.ReportMetric(float64(hits)/float64(len(lat)), "hits/op")
	}
	b.Run("rtree", func(b *testing.B) {
		b.ReportAllocs()
		lat := make([]time.Duration, 0, b.N)
		hits := 0
		for i := range b.N {
			q := boxes[i%len(boxes)]
			start := time.Now()
			tr.Search([2]float64{q.MinLon, q.MinLat}, [2]float64{q.MaxLon, q.MaxLat}, func(_, _ [2]float64, f *cim.Feature) bool {
				if f.Levels.Overlaps(level) && cim.IntersectsBox(f.Geometry, q) {
					hits++
				}
				return true
			})
			lat = append(lat, time.Since(start))
		}
		report(b, lat, hits)
	})
	b.Run("badger", func(b *testing.B) {
		b.ReportAllocs()
		sn, err := s.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		defer sn.Close()
		lat := make([]time.Duration, 0, b.N)
		hits := 0
		for i := range b.N {
			q := boxes[i%len(boxes)]
			start := time.Now()
			it, err := sn.Scan(context.Background(), Filter{Box: &q, Levels: &level})
			if err != nil {
				b.Fatal(err)
			}
			for it.Next() {
				if _, err := it.Feature(); err != nil {
					b.Fatal(err)
				}
				hits++
			}
			it.Close()
			lat = append(lat, time.Since(start))
		}
		report(b, lat, hits)
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
