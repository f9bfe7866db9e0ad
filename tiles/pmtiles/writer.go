package pmtiles

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
)

// WriterOptions configures a Writer. The zero value spools to the system's
// temporary directory and gzips the tiles it is given.
type WriterOptions struct {
	// TempDir is where tile data is spooled until Finish; "" means
	// os.TempDir().
	TempDir string
	// Gzipped says that the data given to Add is already gzip-compressed;
	// it is then stored as given. Gzip dominates the cost of Add (about
	// 10 µs a tile with compress/gzip, most of it resetting the
	// compressor), so a caller that builds tiles in parallel should gzip
	// them in its workers and set Gzipped.
	Gzipped bool
}

// Metadata is what Finish writes besides the tiles. A zero MinZoom and
// MaxZoom, Bounds or Center is filled in from the tiles added: their zoom
// range, the extent of their tiles, and the middle of the bounds at the
// min zoom.
type Metadata struct {
	MinZoom, MaxZoom uint8
	Bounds           [4]float64     // west, south, east, north in degrees
	Center           [3]float64     // longitude, latitude, zoom
	JSON             map[string]any // the JSON metadata: vector_layers, name, attribution…
}

// Writer builds a PMTiles archive of MVT tiles. Tiles may be added in any
// order; identical tiles are stored once. Tile data is spooled to a
// temporary file, so memory grows with the number of tiles (about 100
// bytes each, less for repeated tiles) and not with their bytes. A Writer
// is not safe for concurrent use.
type Writer struct {
	out  io.Writer
	opts WriterOptions

	spool    *os.File
	spoolBuf *bufio.Writer
	spoolLen uint64

	zw   *gzip.Writer
	zbuf bytes.Buffer

	seen     map[[sha256.Size]byte]uint32 // content hash → index in contents
	contents []content
	tiles    []tile
	zooms    [MaxZoom + 1]extent

	done bool
	err  error
}

// content is one distinct tile blob, at spoolOff in the spool, and at
// outOff in the tile data section once Finish has placed it.
type content struct {
	spoolOff, outOff uint64
	length           uint32
}

type tile struct {
	id      uint64
	content uint32
}

// extent is the range of x and y of the tiles added at one zoom.
type extent struct {
	any                    bool
	minX, minY, maxX, maxY uint32
}

const unplaced = math.MaxUint64

// NewWriter returns a Writer that writes the archive to out when Finish is
// called. Close (or Finish) removes its temporary file.
func NewWriter(out io.Writer, opts WriterOptions) (*Writer, error) {
	f, err := os.CreateTemp(opts.TempDir, "pmtiles-*.spool")
	if err != nil {
		return nil, fmt.Errorf("pmtiles: spool: %w", err)
	}
	return &Writer{
		out:      out,
		opts:     opts,
		spool:    f,
		spoolBuf: bufio.NewWriterSize(f, 1<<20),
		seen:     make(map[[sha256.Size]byte]uint32),
	}, nil
}

// Add adds tile z/x/y with the given data (an MVT tile, gzipped unless
// WriterOptions.Gzipped). Adding the same tile twice is an error, reported
// by Finish.
func (w *Writer) Add(z uint8, x, y uint32, data []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return errors.New("pmtiles: Add after Finish or Close")
	}
	id, err := TileID(z, x, y)
	if err != nil {
		return err
	}
	if w.opts.Gzipped && len(data) == 0 {
		return fmt.Errorf("pmtiles: tile %d/%d/%d: empty gzipped data", z, x, y)
	}
	if len(w.tiles) == math.MaxUint32 {
		return fmt.Errorf("pmtiles: tile %d/%d/%d: more than 2^32-1 tiles", z, x, y)
	}
	sum := sha256.Sum256(data)
	c, ok := w.seen[sum]
	if !ok {
		stored := data
		if !w.opts.Gzipped {
			w.zbuf.Reset()
			if w.zw == nil {
				w.zw = gzip.NewWriter(&w.zbuf)
			} else {
				w.zw.Reset(&w.zbuf)
			}
			w.zw.Write(data) // a bytes.Buffer never fails
			w.zw.Close()
			stored = w.zbuf.Bytes()
		}
		if len(stored) > math.MaxUint32 {
			return fmt.Errorf("pmtiles: tile %d/%d/%d: %d bytes, over 4 GiB", z, x, y, len(stored))
		}
		if _, err := w.spoolBuf.Write(stored); err != nil {
			w.err = fmt.Errorf("pmtiles: spool: %w", err)
			return w.err
		}
		c = uint32(len(w.contents))
		w.contents = append(w.contents, content{spoolOff: w.spoolLen, outOff: unplaced, length: uint32(len(stored))})
		w.spoolLen += uint64(len(stored))
		w.seen[sum] = c
	}
	w.tiles = append(w.tiles, tile{id: id, content: c})
	e := &w.zooms[z]
	if !e.any {
		*e = extent{true, x, y, x, y}
	} else {
		e.minX, e.maxX = min(e.minX, x), max(e.maxX, x)
		e.minY, e.maxY = min(e.minY, y), max(e.maxY, y)
	}
	return nil
}

// Finish writes the archive: header, root directory, metadata JSON, leaf
// directories and tile data, in that order. Tiles are sorted by tile id;
// consecutive ids with the same content share one run-length entry; tile
// data is written in tile id order (clustered), each distinct tile once.
// Directories and metadata are gzipped. Leaf directories are made when the
// root alone would not fit in the first 16 KiB. Finish closes the Writer.
func (w *Writer) Finish(meta Metadata) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return errors.New("pmtiles: Finish after Finish or Close")
	}
	defer w.Close()
	if len(w.tiles) == 0 {
		return errors.New("pmtiles: no tiles added (a PMTiles directory must hold at least one entry)")
	}
	if err := w.spoolBuf.Flush(); err != nil {
		return fmt.Errorf("pmtiles: spool: %w", err)
	}
	w.seen = nil
	h, err := w.headerFields(meta)
	if err != nil {
		return err
	}
	jsonMeta, err := metadataJSON(meta.JSON)
	if err != nil {
		return err
	}

	slices.SortFunc(w.tiles, func(a, b tile) int { return cmp.Compare(a.id, b.id) })
	var entries []entry
	var dataLen, contents uint64
	for i, t := range w.tiles {
		if i > 0 && t.id == w.tiles[i-1].id {
			z, x, y, _ := TileZXY(t.id)
			return fmt.Errorf("pmtiles: tile %d/%d/%d added twice", z, x, y)
		}
		c := &w.contents[t.content]
		if c.outOff == unplaced {
			c.outOff = dataLen
			dataLen += uint64(c.length)
			contents++
		}
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.Offset == c.outOff && last.TileID+uint64(last.RunLength) == t.id && last.RunLength < math.MaxUint32 {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, entry{TileID: t.id, Offset: c.outOff, Length: c.length, RunLength: 1})
	}
	h.AddressedTiles = uint64(len(w.tiles))
	h.TileEntries = uint64(len(entries))
	h.TileContents = contents
	w.tiles = nil

	root, leaves, err := buildDirectories(entries)
	if err != nil {
		return err
	}
	entries = nil
	h.RootOffset = HeaderLen
	h.RootLength = uint64(len(root))
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(jsonMeta))
	h.LeafOffset = h.MetadataOffset + h.MetadataLength
	h.LeafLength = uint64(len(leaves))
	h.TileDataOffset = h.LeafOffset + h.LeafLength
	h.TileDataLength = dataLen

	out := bufio.NewWriterSize(w.out, 1<<20)
	out.Write(h.appendTo(make([]byte, 0, HeaderLen)))
	out.Write(root)
	out.Write(jsonMeta)
	out.Write(leaves)
	// The contents in tile data order: those never placed cannot exist, as
	// every content was added for some tile.
	slices.SortFunc(w.contents, func(a, b content) int { return cmp.Compare(a.outOff, b.outOff) })
	var buf []byte
	for _, c := range w.contents {
		if cap(buf) < int(c.length) {
			buf = make([]byte, c.length)
		}
		b := buf[:c.length]
		if _, err := w.spool.ReadAt(b, int64(c.spoolOff)); err != nil {
			return fmt.Errorf("pmtiles: spool: %w", err)
		}
		if _, err := out.Write(b); err != nil {
			return fmt.Errorf("pmtiles: write: %w", err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("pmtiles: write: %w", err)
	}
	return nil
}

// Close removes the Writer's temporary file without writing an archive; it
// does nothing after Finish.
func (w *Writer) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	w.tiles, w.contents, w.seen = nil, nil, nil
	err := w.spool.Close()
	if rmErr := os.Remove(w.spool.Name()); err == nil {
		err = rmErr
	}
	return err
}

// headerFields fills the header's fixed fields, zooms and positions from
// meta, or from the tiles added where meta leaves them zero.
func (w *Writer) headerFields(meta Metadata) (Header, error) {
	h := Header{
		Clustered:           true,
		InternalCompression: CompressionGzip,
		TileCompression:     CompressionGzip,
		TileType:            TileTypeMVT,
		MinZoom:             meta.MinZoom,
		MaxZoom:             meta.MaxZoom,
	}
	lo, hi := -1, -1
	for z, e := range w.zooms {
		if e.any {
			if lo < 0 {
				lo = z
			}
			hi = z
		}
	}
	if h.MinZoom == 0 && h.MaxZoom == 0 {
		h.MinZoom, h.MaxZoom = uint8(lo), uint8(hi)
	}
	if h.MinZoom > h.MaxZoom || int(h.MinZoom) > lo || int(h.MaxZoom) < hi {
		return h, fmt.Errorf("pmtiles: metadata zooms %d..%d do not cover the tiles' zooms %d..%d", h.MinZoom, h.MaxZoom, lo, hi)
	}
	bounds := meta.Bounds
	if bounds == [4]float64{} {
		bounds = [4]float64{180, 90, -180, -90}
		for z, e := range w.zooms {
			if !e.any {
				continue
			}
			w, n := tileLonLat(uint8(z), e.minX, e.minY)
			e, s := tileLonLat(uint8(z), e.maxX+1, e.maxY+1)
			bounds = [4]float64{min(bounds[0], w), min(bounds[1], s), max(bounds[2], e), max(bounds[3], n)}
		}
	}
	center := meta.Center
	if center == [3]float64{} {
		center = [3]float64{(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, float64(h.MinZoom)}
	}
	for i, v := range []float64{bounds[0], bounds[2], center[0]} {
		if !(v >= -180 && v <= 180) {
			return h, fmt.Errorf("pmtiles: metadata: longitude %v (bounds or center, value %d) not in -180..180", v, i)
		}
	}
	for i, v := range []float64{bounds[1], bounds[3], center[1]} {
		if !(v >= -90 && v <= 90) {
			return h, fmt.Errorf("pmtiles: metadata: latitude %v (bounds or center, value %d) not in -90..90", v, i)
		}
	}
	if bounds[0] > bounds[2] || bounds[1] > bounds[3] {
		return h, fmt.Errorf("pmtiles: metadata: bounds %v: west over east or south over north", bounds)
	}
	if !(center[2] >= 0 && center[2] <= 255) {
		return h, fmt.Errorf("pmtiles: metadata: center zoom %v not in 0..255", center[2])
	}
	h.MinLonE7, h.MinLatE7 = e7(bounds[0]), e7(bounds[1])
	h.MaxLonE7, h.MaxLatE7 = e7(bounds[2]), e7(bounds[3])
	h.CenterLonE7, h.CenterLatE7, h.CenterZoom = e7(center[0]), e7(center[1]), uint8(center[2])
	return h, nil
}

func e7(deg float64) int32 { return int32(math.Round(deg * 1e7)) }

// tileLonLat returns the longitude and latitude of the north-west corner
// of tile z/x/y in Web Mercator.
func tileLonLat(z uint8, x, y uint32) (lon, lat float64) {
	n := math.Exp2(float64(z))
	lon = float64(x)/n*360 - 180
	lat = math.Atan(math.Sinh(math.Pi*(1-2*float64(y)/n))) * 180 / math.Pi
	return lon, lat
}

// metadataJSON encodes and gzips m, with an empty vector_layers when m has
// none, as the spec requires the key for MVT archives.
func metadataJSON(m map[string]any) ([]byte, error) {
	m = maps.Clone(m)
	if m == nil {
		m = map[string]any{}
	}
	if _, ok := m["vector_layers"]; !ok {
		m["vector_layers"] = []any{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("pmtiles: metadata JSON: %w", err)
	}
	return compress(b, gzip.DefaultCompression), nil
}

// maxRootLen is the longest compressed root directory that ends within the
// first 16 KiB, after the header.
const maxRootLen = maxRootEnd - HeaderLen

// buildDirectories returns the compressed root directory and the leaf
// directories section for entries (sorted by tile id). All entries go in
// the root when it fits in maxRootLen; otherwise they are cut into leaves
// of leafSize entries, one root entry each, and leafSize grows until the
// root fits.
func buildDirectories(entries []entry) (root, leaves []byte, err error) {
	raw := appendDirectory(nil, entries)
	if root = compress(raw, gzip.BestCompression); len(root) <= maxRootLen {
		return root, nil, nil
	}
	for leafSize := 4096; ; leafSize += leafSize / 2 {
		var rootEntries []entry
		var buf bytes.Buffer
		for i := 0; i < len(entries); i += leafSize {
			chunk := entries[i:min(i+leafSize, len(entries))]
			raw = appendDirectory(raw[:0], chunk)
			leaf := compress(raw, gzip.BestCompression)
			rootEntries = append(rootEntries, entry{TileID: chunk[0].TileID, Offset: uint64(buf.Len()), Length: uint32(len(leaf))})
			buf.Write(leaf)
		}
		raw = appendDirectory(raw[:0], rootEntries)
		if root = compress(raw, gzip.BestCompression); len(root) <= maxRootLen {
			return root, buf.Bytes(), nil
		}
		if leafSize >= len(entries) {
			return nil, nil, fmt.Errorf("pmtiles: root directory of one leaf is %d bytes, over %d", len(root), maxRootLen)
		}
	}
}
