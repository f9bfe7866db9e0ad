// Package pmtiles writes and reads PMTiles version 3 archives: a whole
// pyramid of map tiles in one file that a client reads with HTTP range
// requests, so that it can be hosted on object storage or a CDN with no
// tile server (MapLibre GL JS reads it through the pmtiles protocol).
//
// It is written from the specification (github.com/protomaps/PMTiles,
// spec/v3/spec.md) with the standard library only, and checked against the
// npm pmtiles package, an independent reader (see testdata/node).
//
// # Layout
//
// An archive is a 127-byte header, a root directory, the metadata JSON,
// leaf directories and the tile data, in that order. Tiles are addressed by
// tile id: the count of tiles in shallower zooms plus the tile's position
// on the Hilbert curve of its zoom (TileID, TileZXY), so that tiles close
// on the map are close in the file. A directory lists entries (tile id,
// offset, length, run length) sorted by tile id; an entry whose run length
// is n stands for n consecutive tile ids with the same bytes (an ocean, a
// park), and one of run length 0 points to a leaf directory. Directories
// are stored as columns of varints (id deltas, run lengths, lengths,
// offsets, an offset written as 0 when it follows the previous entry's
// bytes) and gzipped.
//
// # Writer
//
// The Writer takes tiles in any order and spools their gzipped bytes to a
// temporary file, storing each distinct tile once (keyed by its SHA-256).
// Finish sorts the entries by tile id, merges runs, writes the tile data in
// tile id order (a clustered archive: each new blob follows the previous
// one, a repeated blob points back), and puts every entry in the root
// directory when that fits in the first 16 KiB; otherwise it cuts the
// entries into leaf directories of 4096 entries or more, growing them until
// the root of leaves fits. Memory grows with the number of tiles, not
// their size.
//
// # Reader
//
// The Reader checks every section and entry against the file size, bounds
// what it decompresses and how deep leaves nest, and answers nil for a
// tile the archive does not hold, so that a damaged or hostile file gives
// an error and never a panic or an unbounded allocation.
package pmtiles
