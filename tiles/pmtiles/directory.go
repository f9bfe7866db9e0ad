package pmtiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// entry is one directory entry. RunLength > 0: tiles TileID to
// TileID+RunLength-1 are the blob at Offset (relative to the tile data
// section) of Length bytes. RunLength == 0: a leaf directory, at Offset in
// the leaf directories section, whose first tile is TileID.
type entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// appendDirectory appends the spec's serialisation of entries (before
// compression): their count, then the columns tile id deltas, run lengths,
// lengths, and offsets, each offset written as 0 when it follows the
// previous entry's bytes and as offset+1 otherwise, all as uvarints.
func appendDirectory(b []byte, entries []entry) []byte {
	b = binary.AppendUvarint(b, uint64(len(entries)))
	var last uint64
	for _, e := range entries {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	var next uint64
	for i, e := range entries {
		if i > 0 && e.Offset == next {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
		next = e.Offset + uint64(e.Length)
	}
	return b
}

// errDirectory is wrapped by every error about a malformed directory.
var errDirectory = errors.New("malformed directory")

// parseDirectory decodes an uncompressed directory. It refuses an empty
// directory, tile ids out of order or past the last tile id, a zero length
// and values too large for their field. Every entry takes at least four
// bytes, so the entries allocated are bounded by len(b).
func parseDirectory(b []byte) ([]entry, error) {
	p := b
	next := func(what string, i uint64) (uint64, error) {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, fmt.Errorf("%w: entry %d: %s: truncated or overlong varint at byte %d", errDirectory, i, what, len(b)-len(p))
		}
		p = p[n:]
		return v, nil
	}
	count, err := next("count", 0)
	if err != nil {
		return nil, err
	}
	if count == 0 {
		return nil, fmt.Errorf("%w: no entries", errDirectory)
	}
	if count > uint64(len(p))/4 {
		return nil, fmt.Errorf("%w: %d entries in %d bytes", errDirectory, count, len(b))
	}
	entries := make([]entry, count)
	var id uint64
	for i := range entries {
		d, err := next("tile id", uint64(i))
		if err != nil {
			return nil, err
		}
		if i > 0 && d == 0 {
			return nil, fmt.Errorf("%w: entry %d: tile id %d repeated", errDirectory, i, id)
		}
		if d > lastTileID-id {
			return nil, fmt.Errorf("%w: entry %d: tile id past zoom %d", errDirectory, i, MaxZoom)
		}
		id += d
		entries[i].TileID = id
	}
	for i := range entries {
		v, err := next("run length", uint64(i))
		if err != nil {
			return nil, err
		}
		if v > math.MaxUint32 {
			return nil, fmt.Errorf("%w: entry %d: run length %d over 32 bits", errDirectory, i, v)
		}
		entries[i].RunLength = uint32(v)
	}
	for i := range entries {
		v, err := next("length", uint64(i))
		if err != nil {
			return nil, err
		}
		if v == 0 || v > math.MaxUint32 {
			return nil, fmt.Errorf("%w: entry %d: length %d not in 1..2^32-1", errDirectory, i, v)
		}
		entries[i].Length = uint32(v)
	}
	for i := range entries {
		v, err := next("offset", uint64(i))
		if err != nil {
			return nil, err
		}
		if v == 0 && i > 0 {
			prev := entries[i-1]
			entries[i].Offset = prev.Offset + uint64(prev.Length)
			if entries[i].Offset < prev.Offset {
				return nil, fmt.Errorf("%w: entry %d: offset overflows", errDirectory, i)
			}
		} else {
			if v == 0 {
				return nil, fmt.Errorf("%w: entry 0: offset 0 (contiguous) with no entry before it", errDirectory)
			}
			entries[i].Offset = v - 1
		}
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last entry", errDirectory, len(p))
	}
	return entries, nil
}

// lastTileID is the id of the last tile of zoom MaxZoom.
var lastTileID = zoomBase(MaxZoom+1) - 1

// findEntry returns the entry of entries (sorted by tile id) that holds id:
// a tile entry whose run covers id, or the leaf directory that would. ok is
// false when there is none.
func findEntry(entries []entry, id uint64) (e entry, ok bool) {
	lo, hi := 0, len(entries) // the first entry with TileID > id is in [lo, hi]
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if entries[m].TileID <= id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return entry{}, false
	}
	e = entries[lo-1]
	if e.RunLength == 0 || id-e.TileID < uint64(e.RunLength) {
		return e, true
	}
	return entry{}, false
}

// compress gzips b at level into a new slice.
func compress(b []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level) // level is one of gzip's constants
	zw.Write(b)                               // a bytes.Buffer never fails
	zw.Close()
	return buf.Bytes()
}

// decompress undoes compression c of b, refusing output over limit bytes.
func decompress(b []byte, c Compression, limit int64) ([]byte, error) {
	switch c {
	case CompressionNone:
		return b, nil
	case CompressionGzip:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, limit+1))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		if int64(len(out)) > limit {
			return nil, fmt.Errorf("gunzip: more than %d bytes", limit)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: compression %s", ErrUnsupported, c)
}
