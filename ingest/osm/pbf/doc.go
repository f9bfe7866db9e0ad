// Package pbf reads OpenStreetMap PBF files: the file's framing, its
// OSMHeader block and its PrimitiveBlocks, decoded in parallel into
// columns that the caller reads in file order.
//
// A PBF file is a sequence of frames: a 4-byte big-endian length, a
// BlobHeader message of that length (at most 64 KiB) naming the blob's
// type and size, and a Blob message (at most 32 MiB) holding a block, raw
// or zlib-compressed, of at most 32 MiB uncompressed. The first block is
// an OSMHeader (HeaderBlock); the others are OSMData (PrimitiveBlock). The
// messages are those of the format's fileformat.proto and osmformat.proto
// (https://wiki.openstreetmap.org/wiki/PBF_Format), decoded here field by
// field with protowire; the field numbers are in format.go.
//
// A Reader reads frames on one goroutine, inflates and decodes blocks on
// a few workers and hands the blocks back in file order. A Block holds its
// objects in columns (ids, coordinates, node references, members, tag
// pairs as string-table indices) rather than one value per object, and
// its buffers are reused for a later block once the caller asks for the
// next one: decoding a block allocates little beyond its string table,
// which becomes one string per block that its tags slice.
//
// Damaged input is an error, never a panic or an unbounded allocation:
// sizes are checked against the format's limits before anything is
// allocated, inflation stops at the size a blob declares, and every
// string index and array length is checked. Errors are *Error values
// giving the byte offset of the frame at fault.
package pbf
