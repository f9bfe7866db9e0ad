package pmtiles

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Limits on what a Reader decompresses, so that a hostile archive cannot
// make it allocate without bound.
const (
	maxDirectoryBytes = 64 << 20  // one decompressed directory
	maxMetadataBytes  = 64 << 20  // the decompressed JSON metadata
	maxTileBytes      = 256 << 20 // one decompressed tile
	maxDepth          = 4         // root and up to three levels of leaves
	maxCachedLeaves   = 64
)

// Reader reads tiles and metadata from a PMTiles v3 archive with gzip or
// no compression. It checks every section and entry against the file
// size, and is safe for concurrent use.
type Reader struct {
	r    io.ReaderAt
	size int64
	h    Header
	root []entry

	mu     sync.Mutex
	leaves map[uint64][]entry // by offset in the leaf section
}

// Open reads the header and root directory of the archive r of size bytes.
func Open(r io.ReaderAt, size int64) (*Reader, error) {
	b := make([]byte, HeaderLen)
	if size < HeaderLen {
		return nil, fmt.Errorf("pmtiles: %d bytes, shorter than the %d-byte header", size, HeaderLen)
	}
	if _, err := r.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("pmtiles: header: %w", err)
	}
	h, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	for _, s := range []struct {
		name        string
		off, length uint64
	}{
		{"root directory", h.RootOffset, h.RootLength},
		{"metadata", h.MetadataOffset, h.MetadataLength},
		{"leaf directories", h.LeafOffset, h.LeafLength},
		{"tile data", h.TileDataOffset, h.TileDataLength},
	} {
		if s.off > uint64(size) || s.length > uint64(size)-s.off {
			return nil, fmt.Errorf("pmtiles: header: %s at %d, %d bytes, past the end of the %d-byte file", s.name, s.off, s.length, size)
		}
	}
	if h.RootLength == 0 || h.RootOffset+h.RootLength > maxRootEnd {
		return nil, fmt.Errorf("pmtiles: header: root directory at %d, %d bytes, not within the first %d bytes", h.RootOffset, h.RootLength, maxRootEnd)
	}
	switch h.InternalCompression {
	case CompressionNone, CompressionGzip:
	default:
		return nil, fmt.Errorf("%w: internal compression %s", ErrUnsupported, h.InternalCompression)
	}
	rd := &Reader{r: r, size: size, h: h, leaves: make(map[uint64][]entry)}
	if rd.root, err = rd.directory(h.RootOffset, h.RootLength); err != nil {
		return nil, fmt.Errorf("pmtiles: root directory: %w", err)
	}
	return rd, nil
}

// Header returns the archive's header.
func (r *Reader) Header() Header { return r.h }

// Tile returns the decompressed data of tile z/x/y, or nil, nil when the
// archive has no such tile.
func (r *Reader) Tile(z uint8, x, y uint32) ([]byte, error) {
	id, err := TileID(z, x, y)
	if err != nil {
		return nil, err
	}
	dir := r.root
	for depth := 0; depth < maxDepth; depth++ {
		e, ok := findEntry(dir, id)
		if !ok {
			return nil, nil
		}
		if e.RunLength > 0 {
			return r.tile(z, x, y, e)
		}
		if dir, err = r.leaf(e); err != nil {
			return nil, fmt.Errorf("pmtiles: tile %d/%d/%d: %w", z, x, y, err)
		}
	}
	return nil, fmt.Errorf("pmtiles: tile %d/%d/%d: leaf directories nested deeper than %d", z, x, y, maxDepth-1)
}

func (r *Reader) tile(z uint8, x, y uint32, e entry) ([]byte, error) {
	if e.Offset > r.h.TileDataLength || uint64(e.Length) > r.h.TileDataLength-e.Offset {
		return nil, fmt.Errorf("pmtiles: tile %d/%d/%d: at %d, %d bytes, past the %d-byte tile data", z, x, y, e.Offset, e.Length, r.h.TileDataLength)
	}
	b, err := r.read(r.h.TileDataOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return nil, fmt.Errorf("pmtiles: tile %d/%d/%d: %w", z, x, y, err)
	}
	if b, err = decompress(b, r.h.TileCompression, maxTileBytes); err != nil {
		return nil, fmt.Errorf("pmtiles: tile %d/%d/%d: %w", z, x, y, err)
	}
	return b, nil
}

// leaf returns the leaf directory of root entry e, cached.
func (r *Reader) leaf(e entry) ([]entry, error) {
	r.mu.Lock()
	d, ok := r.leaves[e.Offset]
	r.mu.Unlock()
	if ok {
		return d, nil
	}
	if e.Offset > r.h.LeafLength || uint64(e.Length) > r.h.LeafLength-e.Offset {
		return nil, fmt.Errorf("leaf directory at %d, %d bytes, past the %d-byte leaf section", e.Offset, e.Length, r.h.LeafLength)
	}
	d, err := r.directory(r.h.LeafOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return nil, fmt.Errorf("leaf directory at %d: %w", e.Offset, err)
	}
	r.mu.Lock()
	if len(r.leaves) >= maxCachedLeaves {
		clear(r.leaves)
	}
	r.leaves[e.Offset] = d
	r.mu.Unlock()
	return d, nil
}

func (r *Reader) directory(off, length uint64) ([]entry, error) {
	b, err := r.read(off, length)
	if err != nil {
		return nil, err
	}
	if b, err = decompress(b, r.h.InternalCompression, maxDirectoryBytes); err != nil {
		return nil, err
	}
	return parseDirectory(b)
}

// Metadata returns the archive's JSON metadata.
func (r *Reader) Metadata() (map[string]any, error) {
	b, err := r.read(r.h.MetadataOffset, r.h.MetadataLength)
	if err != nil {
		return nil, fmt.Errorf("pmtiles: metadata: %w", err)
	}
	if b, err = decompress(b, r.h.InternalCompression, maxMetadataBytes); err != nil {
		return nil, fmt.Errorf("pmtiles: metadata: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("pmtiles: metadata: %w", err)
	}
	if m == nil {
		return nil, errors.New("pmtiles: metadata: not a JSON object")
	}
	return m, nil
}

// read reads length bytes at off, which the caller has checked lie in the
// file.
func (r *Reader) read(off, length uint64) ([]byte, error) {
	if off > uint64(r.size) || length > uint64(r.size)-off {
		return nil, fmt.Errorf("%d bytes at %d past the end of the %d-byte file", length, off, r.size)
	}
	b := make([]byte, length)
	n, err := r.r.ReadAt(b, int64(off))
	if n == len(b) {
		return b, nil // io.ReaderAt may say io.EOF with the last bytes of the file
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}
