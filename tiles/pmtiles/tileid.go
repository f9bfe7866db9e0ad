package pmtiles

import "fmt"

// MaxZoom is the deepest zoom a tile id can address: the ids of zooms 0 to
// 31 fill most of a uint64, and zoom 32 would need x and y of 33 bits.
const MaxZoom = 31

// zoomBase returns the id of the first tile of zoom z: the number of tiles
// in all shallower zooms, (4^z - 1) / 3.
func zoomBase(z uint8) uint64 {
	return ((uint64(1) << (2 * uint64(z))) - 1) / 3
}

// TileID returns the PMTiles tile id of tile z/x/y: the tiles of all
// shallower zooms, plus the position of x, y on the Hilbert curve that
// fills zoom z (z1: 0/0 → 1, 0/1 → 2, 1/1 → 3, 1/0 → 4). Nearby tiles get
// nearby ids, so a directory sorted by id keeps a map area together. It
// fails when z is over MaxZoom or x or y is not below 2^z.
func TileID(z uint8, x, y uint32) (uint64, error) {
	if z > MaxZoom {
		return 0, fmt.Errorf("pmtiles: tile %d/%d/%d: zoom over %d", z, x, y, MaxZoom)
	}
	n := uint64(1) << z
	if uint64(x) >= n || uint64(y) >= n {
		return 0, fmt.Errorf("pmtiles: tile %d/%d/%d: x or y outside 0..%d", z, x, y, n-1)
	}
	var d uint64
	tx, ty := uint64(x), uint64(y)
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if tx&s != 0 {
			rx = 1
		}
		if ty&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		tx, ty = rotate(n, tx, ty, rx, ry)
	}
	return zoomBase(z) + d, nil
}

// TileZXY is the inverse of TileID. It fails for an id past the last tile
// of zoom MaxZoom.
func TileZXY(id uint64) (z uint8, x, y uint32, err error) {
	for z = 0; ; z++ {
		if z > MaxZoom {
			return 0, 0, 0, fmt.Errorf("pmtiles: tile id %d is past zoom %d", id, MaxZoom)
		}
		if id < zoomBase(z+1) {
			break
		}
	}
	t := id - zoomBase(z)
	n := uint64(1) << z
	var tx, ty uint64
	for s := uint64(1); s < n; s *= 2 {
		rx := 1 & (t / 2)
		ry := 1 & (t ^ rx)
		tx, ty = rotate(s, tx, ty, rx, ry)
		tx += s * rx
		ty += s * ry
		t /= 4
	}
	return z, uint32(tx), uint32(ty), nil
}

// rotate turns the quadrant of a Hilbert curve of side n so that its
// sub-curve starts and ends where the curve at the next level expects.
func rotate(n, x, y, rx, ry uint64) (uint64, uint64) {
	if ry == 0 {
		if rx == 1 {
			x = n - 1 - x
			y = n - 1 - y
		}
		x, y = y, x
	}
	return x, y
}
