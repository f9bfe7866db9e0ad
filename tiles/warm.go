package tiles

import (
	"context"
	"fmt"
	"time"

	"github.com/future-community/cim/index"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// WarmStats says what Warm did.
type WarmStats struct {
	Entries int           // index entries read
	Tile    string        // the tile built and thrown away, z/x/y ("" for none)
	Took    time.Duration // the whole warm-up
	Partial bool          // the budget ran out before the whole index was read
}

// Warm readies a freshly opened store and process for serving, as
// PostgreSQL's pg_prewarm readies its buffers: it reads the spatial index
// over the store's extent, which brings its blocks into the store's block
// cache (Badger's, bounded by its size), and builds one tile at the
// extent's centre, which pages in the code and grows the heap that
// building tiles needs. The tile is not cached: the first request for it
// builds it again. Measured on Monaco, the first tiles of a fresh server
// took twice to three times as long without it. Warm stops at the
// budget (the rest stays cold) or when ctx ends.
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
	if ctx.Err() == nil {
		c := sum.center()
		z := maptile.Zoom(min(MaxZoom, int(c[2])+1))
		t := maptile.At(orb.Point{c[0], c[1]}, z)
		if _, _, err := Build(ctx, sn, uint32(t.Z), t.X, t.Y, Params{}); err == nil {
			st.Tile = fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y)
		}
	}
	st.Took = time.Since(start)
	return st, nil
}
