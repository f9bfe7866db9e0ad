package pmtiles

import (
	"math/rand/v2"
	"testing"
)

func TestTileID(t *testing.T) {
	// The spec's table (spec/v3/spec.md, 4.1 TileID), and the first and
	// last ids of a few zooms.
	tests := []struct {
		z    uint8
		x, y uint32
		id   uint64
	}{
		{0, 0, 0, 0},
		{1, 0, 0, 1},
		{1, 0, 1, 2},
		{1, 1, 1, 3},
		{1, 1, 0, 4},
		{2, 0, 0, 5},
		{12, 3423, 1763, 19078479},
		{2, 3, 0, 20},                            // z2 ends at the top right: 5 + 16 - 1
		{3, 0, 0, 21},                            // z3 starts at 0/0 again
		{31, 0, 0, 1537228672809129301},          // (4^31-1)/3
		{31, 2147483647, 0, 6148914691236517204}, // last id, (4^32-1)/3 - 1
	}
	for _, tt := range tests {
		id, err := TileID(tt.z, tt.x, tt.y)
		if err != nil {
			t.Fatalf("TileID(%d, %d, %d): %v", tt.z, tt.x, tt.y, err)
		}
		if id != tt.id {
			t.Errorf("TileID(%d, %d, %d) = %d, want %d", tt.z, tt.x, tt.y, id, tt.id)
		}
		z, x, y, err := TileZXY(tt.id)
		if err != nil {
			t.Fatalf("TileZXY(%d): %v", tt.id, err)
		}
		if z != tt.z || x != tt.x || y != tt.y {
			t.Errorf("TileZXY(%d) = %d/%d/%d, want %d/%d/%d", tt.id, z, x, y, tt.z, tt.x, tt.y)
		}
	}
}

func TestTileIDErrors(t *testing.T) {
	tests := []struct {
		z    uint8
		x, y uint32
	}{
		{0, 1, 0},
		{1, 0, 2},
		{12, 4096, 0},
		{32, 0, 0},
		{255, 0, 0},
	}
	for _, tt := range tests {
		if id, err := TileID(tt.z, tt.x, tt.y); err == nil {
			t.Errorf("TileID(%d, %d, %d) = %d, want an error", tt.z, tt.x, tt.y, id)
		}
	}
	if _, _, _, err := TileZXY(6148914691236517205); err == nil {
		t.Error("TileZXY past the last zoom-31 tile: want an error")
	}
	if _, _, _, err := TileZXY(^uint64(0)); err == nil {
		t.Error("TileZXY(max uint64): want an error")
	}
}

// TestTileIDHilbert checks, for every tile of zooms 0 to 8, that the ids of
// a zoom are a permutation of its range and that consecutive ids are
// neighbouring tiles: the property that makes it a Hilbert curve.
func TestTileIDHilbert(t *testing.T) {
	for z := uint8(0); z <= 8; z++ {
		n := uint32(1) << z
		seen := make([]bool, uint64(n)*uint64(n))
		for x := uint32(0); x < n; x++ {
			for y := uint32(0); y < n; y++ {
				id, err := TileID(z, x, y)
				if err != nil {
					t.Fatal(err)
				}
				i := id - zoomBase(z)
				if i >= uint64(len(seen)) || seen[i] {
					t.Fatalf("z%d: id %d of %d/%d out of range or repeated", z, id, x, y)
				}
				seen[i] = true
			}
		}
		_, px, py, _ := TileZXY(zoomBase(z))
		for i := uint64(1); i < uint64(len(seen)); i++ {
			_, x, y, err := TileZXY(zoomBase(z) + i)
			if err != nil {
				t.Fatal(err)
			}
			if d := absDiff(x, px) + absDiff(y, py); d != 1 {
				t.Fatalf("z%d: ids %d and %d are %d/%d and %d/%d, not neighbours", z, i-1, i, px, py, x, y)
			}
			px, py = x, y
		}
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestTileIDRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		z := uint8(r.IntN(MaxZoom + 1))
		n := uint64(1) << z
		x, y := uint32(r.Uint64N(n)), uint32(r.Uint64N(n))
		id, err := TileID(z, x, y)
		if err != nil {
			t.Fatal(err)
		}
		gz, gx, gy, err := TileZXY(id)
		if err != nil || gz != z || gx != x || gy != y {
			t.Fatalf("TileZXY(TileID(%d, %d, %d) = %d) = %d/%d/%d, %v", z, x, y, id, gz, gx, gy, err)
		}
	}
}
