package pmtiles

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderLen is the size of a PMTiles v3 header, at the start of the file.
const HeaderLen = 127

// maxRootEnd is where the root directory must end at the latest, so that a
// client reading the first 16 KiB of an archive has it whole.
const maxRootEnd = 16384

// Compression says how tiles, or directories and metadata, are compressed.
type Compression uint8

// The compressions of the spec. This package writes gzip and reads none
// and gzip.
const (
	CompressionUnknown Compression = 0
	CompressionNone    Compression = 1
	CompressionGzip    Compression = 2
	CompressionBrotli  Compression = 3
	CompressionZstd    Compression = 4
)

func (c Compression) String() string {
	switch c {
	case CompressionUnknown:
		return "unknown"
	case CompressionNone:
		return "none"
	case CompressionGzip:
		return "gzip"
	case CompressionBrotli:
		return "brotli"
	case CompressionZstd:
		return "zstd"
	}
	return fmt.Sprintf("compression(%d)", uint8(c))
}

// TileType is the format of the tiles.
type TileType uint8

// The tile types of the spec. This package writes MVT.
const (
	TileTypeUnknown TileType = 0
	TileTypeMVT     TileType = 1
	TileTypePNG     TileType = 2
	TileTypeJPEG    TileType = 3
	TileTypeWebP    TileType = 4
	TileTypeAVIF    TileType = 5
	TileTypeMLT     TileType = 6
)

// Header is the fixed 127-byte header of an archive. Offsets are from the
// start of the file; positions are degrees × 10^7.
type Header struct {
	RootOffset, RootLength         uint64
	MetadataOffset, MetadataLength uint64
	LeafOffset, LeafLength         uint64 // all leaf directories; 0 length when there are none
	TileDataOffset, TileDataLength uint64
	AddressedTiles                 uint64 // tiles, counting each of a run; 0 if unknown
	TileEntries                    uint64 // directory entries of tiles (not leaves); 0 if unknown
	TileContents                   uint64 // distinct blobs in the tile data; 0 if unknown
	Clustered                      bool   // tile data in tile id order
	InternalCompression            Compression
	TileCompression                Compression
	TileType                       TileType
	MinZoom, MaxZoom               uint8
	MinLonE7, MinLatE7             int32
	MaxLonE7, MaxLatE7             int32
	CenterZoom                     uint8
	CenterLonE7, CenterLatE7       int32
}

var magic = []byte("PMTiles")

// ErrUnsupported is returned for an archive, or a section of one, in a
// version or compression this package does not read.
var ErrUnsupported = errors.New("pmtiles: unsupported")

func (h *Header) appendTo(b []byte) []byte {
	le := binary.LittleEndian
	b = append(b, magic...)
	b = append(b, 3)
	for _, v := range []uint64{h.RootOffset, h.RootLength, h.MetadataOffset, h.MetadataLength,
		h.LeafOffset, h.LeafLength, h.TileDataOffset, h.TileDataLength,
		h.AddressedTiles, h.TileEntries, h.TileContents} {
		b = le.AppendUint64(b, v)
	}
	var clustered byte
	if h.Clustered {
		clustered = 1
	}
	b = append(b, clustered, byte(h.InternalCompression), byte(h.TileCompression), byte(h.TileType), h.MinZoom, h.MaxZoom)
	for _, v := range []int32{h.MinLonE7, h.MinLatE7, h.MaxLonE7, h.MaxLatE7} {
		b = le.AppendUint32(b, uint32(v))
	}
	b = append(b, h.CenterZoom)
	b = le.AppendUint32(b, uint32(h.CenterLonE7))
	b = le.AppendUint32(b, uint32(h.CenterLatE7))
	return b
}

// parseHeader decodes the first HeaderLen bytes of b.
func parseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderLen {
		return h, fmt.Errorf("pmtiles: header: %d bytes, want %d", len(b), HeaderLen)
	}
	if string(b[:7]) != string(magic) {
		return h, errors.New("pmtiles: header: no PMTiles magic number; not a PMTiles archive")
	}
	if b[7] != 3 {
		return h, fmt.Errorf("%w: spec version %d (this package reads 3)", ErrUnsupported, b[7])
	}
	le := binary.LittleEndian
	u := func(off int) uint64 { return le.Uint64(b[off:]) }
	i := func(off int) int32 { return int32(le.Uint32(b[off:])) }
	h = Header{
		RootOffset: u(8), RootLength: u(16),
		MetadataOffset: u(24), MetadataLength: u(32),
		LeafOffset: u(40), LeafLength: u(48),
		TileDataOffset: u(56), TileDataLength: u(64),
		AddressedTiles: u(72), TileEntries: u(80), TileContents: u(88),
		Clustered:           b[96] == 1,
		InternalCompression: Compression(b[97]),
		TileCompression:     Compression(b[98]),
		TileType:            TileType(b[99]),
		MinZoom:             b[100], MaxZoom: b[101],
		MinLonE7: i(102), MinLatE7: i(106), MaxLonE7: i(110), MaxLatE7: i(114),
		CenterZoom:  b[118],
		CenterLonE7: i(119), CenterLatE7: i(123),
	}
	return h, nil
}
