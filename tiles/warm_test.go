package tiles

import (
	"context"
	"testing"
	"time"

	"github.com/future-community/cim/internal/storetest"
)

// TestWarm: the warm-up reads the index and builds a tile, and caches
// nothing: the first request still builds its tile.
func TestWarm(t *testing.T) {
	h := NewHandler(storetest.Sample(t), Options{CacheBytes: 1 << 20})
	st, err := h.Warm(context.Background(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries == 0 || st.Tile == "" || st.Builds == 0 || st.Partial {
		t.Fatalf("warm-up %+v: want entries read and a tile built", st)
	}
	if n := h.Cache().Stats().Tiles; n != 0 {
		t.Errorf("the warm-up left %d tiles in the cache", n)
	}
	// A budget already spent reads nothing and is no error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st, err := h.Warm(ctx, time.Second); err != nil || !st.Partial || st.Tile != "" {
		t.Errorf("a cancelled warm-up: %+v, %v; want it partial, with no tile built", st, err)
	}
}
