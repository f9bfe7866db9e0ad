package pbf

// Field numbers of the PBF format's messages (fileformat.proto and
// osmformat.proto).
const (
	// BlobHeader
	fhType     = 1 // string
	fhDatasize = 3 // int32

	// Blob
	fbRaw     = 1 // bytes
	fbRawSize = 2 // int32
	fbZlib    = 3 // bytes
	fbLzma    = 4 // bytes
	fbBzip2   = 5 // bytes, obsolete
	fbLz4     = 6 // bytes
	fbZstd    = 7 // bytes

	// HeaderBlock
	fhbBBox            = 1  // HeaderBBox
	fhbRequired        = 4  // repeated string
	fhbOptional        = 5  // repeated string
	fhbWritingProgram  = 16 // string
	fhbSource          = 17 // string
	fhbReplicationTime = 32 // int64, seconds since the epoch
	fhbReplicationSeq  = 33 // int64
	fhbReplicationURL  = 34 // string

	// HeaderBBox: nanodegrees
	fbbLeft   = 1 // sint64
	fbbRight  = 2 // sint64
	fbbTop    = 3 // sint64
	fbbBottom = 4 // sint64

	// PrimitiveBlock
	fpbStringTable = 1  // StringTable
	fpbGroup       = 2  // repeated PrimitiveGroup
	fpbGranularity = 17 // int32, default 100 (nanodegrees)
	fpbLatOffset   = 19 // int64, nanodegrees
	fpbLonOffset   = 20 // int64, nanodegrees

	// StringTable
	fstS = 1 // repeated bytes

	// PrimitiveGroup
	fpgNodes      = 1 // repeated Node
	fpgDense      = 2 // DenseNodes
	fpgWays       = 3 // repeated Way
	fpgRelations  = 4 // repeated Relation
	fpgChangeSets = 5 // repeated ChangeSet

	// Node
	fnID   = 1 // sint64
	fnKeys = 2 // packed uint32
	fnVals = 3 // packed uint32
	fnLat  = 8 // sint64
	fnLon  = 9 // sint64

	// DenseNodes
	fdnID       = 1  // packed sint64, delta-coded
	fdnLat      = 8  // packed sint64, delta-coded
	fdnLon      = 9  // packed sint64, delta-coded
	fdnKeysVals = 10 // packed int32: (key, value)* 0 per node

	// Way
	fwID   = 1 // int64
	fwKeys = 2 // packed uint32
	fwVals = 3 // packed uint32
	fwRefs = 8 // packed sint64, delta-coded

	// Relation
	frID     = 1  // int64
	frKeys   = 2  // packed uint32
	frVals   = 3  // packed uint32
	frRoles  = 8  // packed int32, string indices
	frMemIDs = 9  // packed sint64, delta-coded
	frTypes  = 10 // packed MemberType
)

// The format's size limits.
const (
	maxHeaderSize = 64 << 10 // a BlobHeader
	maxBlobSize   = 32 << 20 // a Blob, and a block uncompressed
)
