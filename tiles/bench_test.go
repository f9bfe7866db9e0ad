package tiles

import (
	"context"
	"testing"

	"github.com/future-community/cim/internal/storetest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// BenchmarkBuildMonaco builds every z13–z16 tile over Monte Carlo's
// centre (a 3×3 block at each zoom), all layers, without a cache: what a
// cold server does per tile.
func BenchmarkBuildMonaco(b *testing.B) {
	s := storetest.File(b, monaco, asBuilt)
	sn, _ := s.Snapshot()
	defer sn.Close()
	var tiles []maptile.Tile
	for z := maptile.Zoom(13); z <= 16; z++ {
		c := maptile.At(orb.Point{7.4246, 43.7384}, z)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				tiles = append(tiles, maptile.New(uint32(int(c.X)+dx), uint32(int(c.Y)+dy), z))
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, t := range tiles {
			if _, _, err := Build(context.Background(), sn, uint32(t.Z), t.X, t.Y, Params{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tiles))/1e6, "ms/tile")
}
