package tiles

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/tiles/pmtiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// ExportOptions configures Export.
type ExportOptions struct {
	MinZoom, MaxZoom int
	// Box limits the export to tiles that touch it; nil: the store's
	// extent.
	Box *cim.Box
	// Params narrow the tiles as a tile request's parameters do.
	Params Params
	// Workers build tiles side by side (default: the CPUs).
	Workers int
	// Progress, if set, is called from one goroutine as tiles are done:
	// with the tiles visited (built or found empty) and the zoom reached.
	Progress func(visited, written int64, zoom int)
}

// ExportStats counts what Export did.
type ExportStats struct {
	Visited int64   // tiles looked at
	Written int64   // tiles with features, added to the archive
	Bytes   int64   // their bytes, uncompressed
	Box     cim.Box // the box exported: ExportOptions.Box or the store's extent
}

// Metadata is what an archive of the export says of itself: the box as
// its bounds, a centre to open at, and the layers.
func (st ExportStats) Metadata(o ExportOptions, name, description, version string) pmtiles.Metadata {
	b := st.Box
	return pmtiles.Metadata{
		MinZoom: uint8(o.MinZoom), MaxZoom: uint8(o.MaxZoom),
		Bounds: [4]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat},
		Center: [3]float64{(b.MinLon + b.MaxLon) / 2, (b.MinLat + b.MaxLat) / 2, float64(max(o.MinZoom, min(o.MaxZoom, fitZoom(b.MaxLon-b.MinLon, b.MaxLat-b.MinLat))))},
		JSON: map[string]any{
			"name": name, "description": description, "version": version,
			"vector_layers": VectorLayers(o.Params),
		},
	}
}

// Export builds every tile of the snapshot from MinZoom to MaxZoom over
// the box and adds those with features to w, gzipped (w must be made with
// WriterOptions.Gzipped). It walks the pyramid from the top: a tile whose
// box holds no feature's bounds is skipped with everything under it, so
// the work follows the data, not the box's area. The tiles are the bytes
// Build makes, the ones cim serve answers.
func Export(ctx context.Context, sn *index.Snapshot, w *pmtiles.Writer, o ExportOptions) (ExportStats, error) {
	var st ExportStats
	if o.MinZoom < 0 || o.MaxZoom > MaxZoom || o.MinZoom > o.MaxZoom {
		return st, fmt.Errorf("zooms %d to %d: want 0 ≤ min ≤ max ≤ %d", o.MinZoom, o.MaxZoom, MaxZoom)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	box := o.Box
	if box == nil {
		e, ok, err := extent(ctx, sn)
		if err != nil || !ok {
			return st, err
		}
		box = &e
	}
	st.Box = *box
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct{ z, x, y uint32 }
	type result struct {
		job
		tile *Tile
		err  error
	}
	jobs := make(chan job, 4*o.Workers)
	results := make(chan result, 4*o.Workers)
	var walkErr error
	go func() { // the walk: tiles with data, top down
		defer close(jobs)
		walkErr = walk(ctx, sn, box, 0, 0, 0, o, func(z, x, y uint32) bool {
			select {
			case jobs <- job{z, x, y}:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				data, _, err := Build(ctx, sn, j.z, j.x, j.y, o.Params)
				results <- result{j, NewTile(data), err}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	var visited atomic.Int64
	var firstErr error
	for r := range results {
		if firstErr != nil {
			continue // drain
		}
		st.Visited = visited.Add(1)
		if r.err != nil {
			firstErr = fmt.Errorf("tile %d/%d/%d: %w", r.z, r.x, r.y, r.err)
			cancel()
			continue
		}
		if r.tile.Size > 0 {
			if err := w.Add(uint8(r.z), r.x, r.y, r.tile.Gzipped); err != nil {
				firstErr = err
				cancel()
				continue
			}
			st.Written++
			st.Bytes += int64(r.tile.Size)
		}
		if o.Progress != nil {
			o.Progress(st.Visited, st.Written, int(r.z))
		}
	}
	if firstErr != nil {
		return st, firstErr
	}
	if walkErr != nil {
		return st, walkErr
	}
	return st, ctx.Err()
}

// walk calls emit for tile z/x/y and its descendants down to MaxZoom that
// lie in the box and whose box holds a feature's bounds, those from
// MinZoom on; emit returns false to stop.
func walk(ctx context.Context, sn *index.Snapshot, box *cim.Box, z, x, y uint32, o ExportOptions, emit func(z, x, y uint32) bool) error {
	tb := TileBox(z, x, y)
	if !tb.Intersects(*box) {
		return nil
	}
	has, err := anyFeature(ctx, sn, tb, o.Params)
	if err != nil || !has {
		return err
	}
	if int(z) >= o.MinZoom && !emit(z, x, y) {
		return ctx.Err()
	}
	if int(z) == o.MaxZoom {
		return nil
	}
	for _, c := range maptile.New(x, y, maptile.Zoom(z)).Children() {
		if err := walk(ctx, sn, box, uint32(c.Z), c.X, c.Y, o, emit); err != nil {
			return err
		}
	}
	return nil
}

// anyFeature reports whether a feature's bounds meet the box.
func anyFeature(ctx context.Context, sn *index.Snapshot, box cim.Box, p Params) (bool, error) {
	it, err := sn.Scan(ctx, index.Filter{Box: &box, Dataset: p.Dataset, Omit: index.FieldGeometry | index.FieldProps})
	if err != nil {
		return false, err
	}
	defer it.Close()
	ok := it.Next()
	return ok, it.Err()
}

// extent is the extent of every feature in the snapshot.
func extent(ctx context.Context, sn *index.Snapshot) (cim.Box, bool, error) {
	sums, err := sn.Summary(ctx)
	if err != nil {
		return cim.Box{}, false, err
	}
	var e cim.Box
	found := false
	for _, d := range sums {
		if d.Features == 0 {
			continue
		}
		if !found {
			e, found = d.Extent, true
		} else {
			e = e.Extend(d.Extent)
		}
	}
	return e, found, nil
}

// TileCount is how many tiles of zooms min to max touch the box: what an
// export visits at most.
func TileCount(box cim.Box, min, max int) int64 {
	var n int64
	for z := min; z <= max; z++ {
		a := maptile.At(orb.Point{box.MinLon, box.MaxLat}, maptile.Zoom(z))
		b := maptile.At(orb.Point{box.MaxLon, box.MinLat}, maptile.Zoom(z))
		n += int64(b.X-a.X+1) * int64(b.Y-a.Y+1)
	}
	return n
}
