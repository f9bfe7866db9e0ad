package tiles

import (
	"context"
	"fmt"
	rtmetrics "runtime/metrics"
	"time"

	"github.com/future-community/cim/index"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// WarmStats says what Warm did.
type WarmStats struct {
	Entries int           // index entries read
	Tile    string        // the tile built and thrown away, z/x/y ("" for none)
	Builds  int           // how many times it was built
	Took    time.Duration // the whole warm-up
	Partial bool          // the budget ran out before the whole index was read
}

// Warm readies a freshly opened store and process for serving, as
// PostgreSQL's pg_prewarm readies its buffers: it reads the spatial index
// over the store's extent, which brings its blocks into the store's block
// cache (Badger's, bounded by its size), and builds the tile at the
// extent's centre until the heap recycles its memory (two garbage
// collections), which pages in the code and the memory that building
// tiles needs. The tile is not cached: the first request for it builds
// it again. Warm stops at the budget (the rest stays cold) or when ctx
// ends.
func (h *Handler) Warm(ctx context.Context, budget time.Duration) (WarmStats, error) {
	start := time.Now()
	var st WarmStats
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	sn, err := h.store.Snapshot()
	if err != nil {
		return st, err
	}
	defer sn.Close()
	sum, err := h.summaryOf(ctx, sn)
	if err != nil || sum.empty {
		return st, err
	}
	box := sum.extent
	it, err := sn.Scan(ctx, index.Filter{Box: &box, Omit: index.FieldGeometry | index.FieldProps})
	if err != nil {
		return st, err
	}
	for it.Next() {
		st.Entries++
	}
	it.Close()
	if err := it.Err(); err != nil && ctx.Err() == nil {
		return st, err
	}
	st.Partial = ctx.Err() != nil
	// Build the centre tile until the garbage collector has run twice:
	// a store opened for writing holds its memtable (64 MiB) in the Go
	// heap, so the first collection comes only after as much again has
	// been allocated, all of it in pages the process has never touched;
	// on a virtual machine each such page costs a fault, and the first
	// few hundred tiles of a fresh server took twice as long (Monaco's
	// densest: 10 ms against 4–5 ms once the heap recycles its memory).
	c := sum.center()
	z := maptile.Zoom(min(MaxZoom, int(c[2])+1))
	t := maptile.At(orb.Point{c[0], c[1]}, z)
	gcs := gcCycles()
	for ctx.Err() == nil && gcCycles() < gcs+2 {
		if _, _, err := Build(ctx, sn, uint32(t.Z), t.X, t.Y, Params{}); err != nil {
			break
		}
		st.Tile = fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y)
		st.Builds++
	}
	st.Partial = st.Partial || ctx.Err() != nil
	st.Took = time.Since(start)
	return st, nil
}

// gcCycles is the number of garbage collections the process has made.
func gcCycles() uint64 {
	s := []rtmetrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	rtmetrics.Read(s)
	return s[0].Value.Uint64()
}
