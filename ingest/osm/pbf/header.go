package pbf

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// Header is what a file's OSMHeader block says.
type Header struct {
	// RequiredFeatures must all be understood to read the file;
	// OptionalFeatures say more about it ("Sort.Type_then_ID", …).
	RequiredFeatures, OptionalFeatures []string
	WritingProgram, Source             string
	// BBox is left, right, top, bottom in nanodegrees, if HasBBox.
	BBox    [4]int64
	HasBBox bool
	// ReplicationTime, ReplicationSeq and ReplicationURL are the
	// osmosis replication state the file was made at, if it says.
	ReplicationTime time.Time
	ReplicationSeq  int64
	ReplicationURL  string
}

// Sorted reports whether the header declares the file sorted by type
// (nodes, ways, relations) and then by id.
func (h Header) Sorted() bool { return slices.Contains(h.OptionalFeatures, "Sort.Type_then_ID") }

// Errors for files this package cannot read; errors.Is finds them in an
// *Error.
var (
	// ErrUnsupported: the file uses a feature or compression this package
	// does not read.
	ErrUnsupported = errors.New("a PBF feature cim cannot read")
	// ErrHistory: the file is a history file (HistoricalInformation),
	// holding every version of each object.
	ErrHistory = fmt.Errorf("%w: HistoricalInformation (an OSM history file)", ErrUnsupported)
)

// known are the required features this package reads.
// LocationsOnWays is not among them: such a file may leave out the untagged
// nodes its ways need, and the ways' own locations are not read.
var known = []string{"OsmSchema-V0.6", "DenseNodes"}

func decodeHeader(m []byte) (Header, error) {
	var h Header
	var f field
	for len(m) > 0 {
		var err error
		if m, err = next(m, &f); err != nil {
			return h, fmt.Errorf("HeaderBlock: %w", err)
		}
		switch f.num {
		case fhbBBox:
			if h.BBox, err = decodeBBox(f.data); err != nil {
				return h, err
			}
			h.HasBBox = true
		case fhbRequired:
			h.RequiredFeatures = append(h.RequiredFeatures, string(f.data))
		case fhbOptional:
			h.OptionalFeatures = append(h.OptionalFeatures, string(f.data))
		case fhbWritingProgram:
			h.WritingProgram = string(f.data)
		case fhbSource:
			h.Source = string(f.data)
		case fhbReplicationTime:
			h.ReplicationTime = time.Unix(int64(f.v), 0).UTC()
		case fhbReplicationSeq:
			h.ReplicationSeq = int64(f.v)
		case fhbReplicationURL:
			h.ReplicationURL = string(f.data)
		}
	}
	for _, r := range h.RequiredFeatures {
		switch {
		case r == "HistoricalInformation":
			return h, fmt.Errorf("required feature %q: %w", r, ErrHistory)
		case !slices.Contains(known, r):
			return h, fmt.Errorf("required feature %q: %w", r, ErrUnsupported)
		}
	}
	return h, nil
}

func decodeBBox(m []byte) ([4]int64, error) {
	var box [4]int64
	var f field
	for len(m) > 0 {
		var err error
		if m, err = next(m, &f); err != nil {
			return box, fmt.Errorf("HeaderBBox: %w", err)
		}
		if f.num >= fbbLeft && f.num <= fbbBottom && f.typ == protowire.VarintType {
			box[f.num-fbbLeft] = protowire.DecodeZigZag(f.v)
		}
	}
	return box, nil
}
