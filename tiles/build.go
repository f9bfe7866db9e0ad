package tiles

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/query"
	"github.com/paulmach/orb/maptile"
)

// TileBox is the lon/lat box of tile z/x/y with its buffer: what a tile's
// features intersect.
func TileBox(z, x, y uint32) cim.Box {
	t := maptile.New(x, y, maptile.Zoom(z))
	b := t.Bound(float64(Buffer) / Extent)
	return cim.Box{MinLon: max(-180, b.Min[0]), MinLat: max(-90, b.Min[1]), MaxLon: min(180, b.Max[0]), MaxLat: min(90, b.Max[1])}
}

// LayersAt returns the layers a tile at zoom z holds under p.
func LayersAt(z uint32, p Params) []Layer {
	var out []Layer
	for _, l := range Layers {
		if int(z) >= l.MinZoom && p.wants(l) {
			out = append(out, l)
		}
	}
	return out
}

// Stats counts what went into a tile.
type Stats struct {
	Features int // features read from the store
	Encoded  int // features in the tile
}

// Build encodes tile z/x/y of the snapshot as a Mapbox Vector Tile 2.1,
// uncompressed. A tile with no features is nil.
func Build(ctx context.Context, sn *index.Snapshot, z, x, y uint32, p Params) ([]byte, Stats, error) {
	var st Stats
	layers := LayersAt(z, p)
	if len(layers) == 0 {
		return nil, st, nil
	}
	classes := make([]cim.Class, len(layers))
	byClass := map[cim.Class]int{}
	for i, l := range layers {
		classes[i] = l.Class
		byClass[l.Class] = i
	}
	box := TileBox(z, x, y)
	// A tile names its features and needs no other property.
	rows := query.Run(ctx, sn, query.Query{BBox: &box, Classes: classes, Dataset: p.Dataset, Stage: p.Stage, Omit: index.FieldOtherProps})
	defer rows.Close()
	proj := newProjector(maptile.New(x, y, maptile.Zoom(z)))
	var kept []*cim.Feature
	var layerOf []int
	for rows.Next() {
		f := rows.Feature()
		st.Features++
		i, ok := byClass[f.Class]
		if !ok {
			continue
		}
		if p.Levels != nil && layers[i].OnFloors && !f.Levels.Overlaps(*p.Levels) {
			continue
		}
		kept = append(kept, f)
		layerOf = append(layerOf, i)
	}
	if err := rows.Err(); err != nil {
		return nil, st, err
	}
	// The features' geometry and attributes are made side by side, each
	// into its own slot, so the tile is the same whatever the order of
	// the work.
	out := make([]tileFeature, len(kept))
	parallel(len(kept), func(k int) {
		if g := tileGeometry(proj.project(kept[k].Geometry)); g != nil {
			out[k] = newTileFeature(kept[k], layerOf[k], g)
		}
	})
	feats := out[:0]
	for _, tf := range out {
		if tf.typ != nil {
			feats = append(feats, tf)
		}
	}
	st.Encoded = len(feats)
	if st.Encoded == 0 {
		return nil, st, nil
	}
	names := make([]string, len(layers))
	for i, l := range layers {
		names[i] = l.Name
	}
	data, err := encode(names, feats)
	return data, st, err
}

// FeatureID is a feature's integer id in tiles: a hash of its dataset,
// stage and id, kept to 53 bits so that JavaScript holds it exactly
// (MapLibre's feature state and promoteId rely on it). The same feature
// has the same id in every tile and every revision.
func FeatureID(f *cim.Feature) uint64 {
	// FNV-1a over dataset, 0, stage, 0, id, written out: hash/fnv's
	// Write would take the strings as fresh byte slices, per feature.
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * prime
		}
	}
	add(f.Dataset)
	for _, b := range [3]byte{0, byte(f.Stage), 0} {
		h = (h ^ uint64(b)) * prime
	}
	add(f.ID)
	return h & (1<<53 - 1)
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// parallel calls fn(0) … fn(n-1) on up to GOMAXPROCS goroutines, in
// chunks, and returns when all are done; a small n runs on the caller's.
func parallel(n int, fn func(int)) {
	const chunk = 64
	workers := min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk)
	if workers <= 1 {
		for k := range n {
			fn(k)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked atomic.Pointer[any]
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { // raised again on the caller's goroutine
				if v := recover(); v != nil {
					panicked.CompareAndSwap(nil, &v)
				}
			}()
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= n {
					return
				}
				for k := start; k < min(start+chunk, n); k++ {
					fn(k)
				}
			}
		}()
	}
	wg.Wait()
	if v := panicked.Load(); v != nil {
		panic(*v)
	}
}
