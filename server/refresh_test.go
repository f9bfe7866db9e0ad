package server

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/query"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// buildingsIn returns the buildings of the store in the tile's box.
func buildingsIn(t *testing.T, s *index.Store, tile maptile.Tile) []*cim.Feature {
	t.Helper()
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	b := tile.Bound()
	box := cim.Box{MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1]}
	rows := query.Run(context.Background(), sn, query.Query{BBox: &box, Classes: []cim.Class{cim.ClassBuilding}})
	defer rows.Close()
	var out []*cim.Feature
	for rows.Next() {
		out = append(out, rows.Feature())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// setHeight commits f again with another height, as a re-ingest of a
// changed building does.
func setHeight(t *testing.T, s *index.Store, f *cim.Feature, h float64) {
	t.Helper()
	g := *f
	g.Vertical.HeightM, g.Vertical.Known = h, g.Vertical.Known|cim.KnownHeight
	b, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(&g); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}

// heightOf returns the height attribute of the feature with that id in
// a tile's building layer.
func heightOf(t *testing.T, data []byte, id string) (float64, bool) {
	t.Helper()
	ls, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Name != "building" {
			continue
		}
		for _, f := range l.Features {
			if f.Properties["id"] == id {
				h, ok := f.Properties["height"].(float64)
				return h, ok
			}
		}
	}
	return 0, false
}

// TestTilesFollowTheStore: a commit to the served store shows in the next
// tile, under a new ETag, with no restart; the old ETag no longer matches.
func TestTilesFollowTheStore(t *testing.T) {
	base, s := serve(t, Config{})
	tile := maptile.At(orb.Point{120.2123, 30.2572}, 16)
	path := fmt.Sprintf("/tiles/%d/%d/%d.mvt", tile.Z, tile.X, tile.Y)
	bs := buildingsIn(t, s, tile)
	if len(bs) == 0 {
		t.Fatal("no building in the tile")
	}
	f := bs[0]
	before := get(t, base+path)
	h0, ok := heightOf(t, before.body, f.ID)
	if !ok {
		t.Fatalf("%s is not in the tile", f.ID)
	}
	setHeight(t, s, f, h0+33)
	after := get(t, base+path)
	if h1, _ := heightOf(t, after.body, f.ID); h1 != h0+33 {
		t.Errorf("after the commit the tile says %s is %g m high, want %g", f.ID, h1, h0+33)
	}
	if after.header.Get("ETag") == before.header.Get("ETag") {
		t.Error("the ETag did not change with the store")
	}
	if a := get(t, base+path, "If-None-Match", before.header.Get("ETag")); a.status != 200 {
		t.Errorf("the old ETag still answers %d", a.status)
	}
}

// TestTilesUnderCommits hammers tiles from 8 goroutines while commits
// change the store: every answer is whole (decodes), and two answers with
// one ETag are the same bytes, so no tile mixes two revisions.
func TestTilesUnderCommits(t *testing.T) {
	base, s := serve(t, Config{CacheBytes: 1 << 20})
	centre := maptile.At(orb.Point{120.2123, 30.2572}, 16)
	var paths []string
	for _, z := range []maptile.Zoom{14, 15, 16, 17} {
		c := maptile.At(orb.Point{120.2123, 30.2572}, z)
		for dx := -1; dx <= 1; dx++ {
			paths = append(paths, fmt.Sprintf("/tiles/%d/%d/%d.mvt", z, int(c.X)+dx, c.Y))
		}
	}
	bs := buildingsIn(t, s, centre)
	if len(bs) == 0 {
		t.Fatal("no building")
	}
	var mu sync.Mutex
	seen := map[string][32]byte{} // ETag → the bytes' hash
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a := get(t, base+paths[(g+i)%len(paths)])
				if a.status != 200 && a.status != 204 {
					errs <- fmt.Sprintf("status %d: %s", a.status, a.body)
					return
				}
				if a.status == 200 {
					if _, err := mvt.Unmarshal(a.body); err != nil {
						errs <- "a tile does not decode: " + err.Error()
						return
					}
				}
				sum := sha256.Sum256(a.body)
				mu.Lock()
				if prev, ok := seen[a.header.Get("ETag")]; ok && prev != sum {
					mu.Unlock()
					errs <- "two tiles under ETag " + a.header.Get("ETag")
					return
				}
				seen[a.header.Get("ETag")] = sum
				mu.Unlock()
			}
		}()
	}
	for i := range 20 {
		setHeight(t, s, bs[i%len(bs)], float64(10+i))
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if len(seen) <= len(paths) {
		t.Errorf("%d distinct tiles seen over 20 commits for %d paths: no read overlapped a commit, so the test tested nothing", len(seen), len(paths))
	}
}
