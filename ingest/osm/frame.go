package osm

import (
	"encoding/binary"
	"fmt"
	"io"
)

// frameReader passes a PBF stream through while following its framing
// (a 4-byte header length, a BlobHeader naming the blob's length, the blob)
// so that an end of input inside a frame is reported as
// io.ErrUnexpectedEOF: the decoder alone cannot tell a truncated file from
// a complete one.
type frameReader struct {
	r       io.Reader
	state   int   // what the bytes being read are
	need    int64 // bytes left in the current part
	partBuf []byte
	err     error // a frame the decoder must not see
}

// maxRawSize is the most a blob may hold uncompressed (the PBF format's
// limit); the decoder would allocate whatever a corrupt blob claims.
const maxRawSize = 32 << 20

const (
	frameSize   = iota // the 4-byte BlobHeader length
	frameHeader        // the BlobHeader
	frameBlob          // the Blob
)

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: r, state: frameSize, need: 4}
}

func (f *frameReader) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.r.Read(p)
	f.follow(p[:n])
	if f.err != nil {
		return 0, f.err
	}
	if err == io.EOF && !(f.state == frameSize && f.need == 4) {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// follow advances the framing state over b.
func (f *frameReader) follow(b []byte) {
	for len(b) > 0 {
		k := int(min(int64(len(b)), f.need))
		if f.state != frameBlob {
			f.partBuf = append(f.partBuf, b[:k]...)
		} else if len(f.partBuf) < 16 {
			// The start of a Blob, where its raw_size is.
			f.partBuf = append(f.partBuf, b[:min(k, 16-len(f.partBuf))]...)
			if len(f.partBuf) == 16 || f.need == int64(k) {
				if raw := blobRawSize(f.partBuf); raw < 0 || raw > maxRawSize {
					f.err = fmt.Errorf("a blob claims %d bytes uncompressed, outside the format's 0..%d", raw, maxRawSize)
					return
				}
			}
		}
		b, f.need = b[k:], f.need-int64(k)
		if f.need > 0 {
			return
		}
		switch f.state {
		case frameSize:
			f.state, f.need = frameHeader, int64(binary.BigEndian.Uint32(f.partBuf))
			if f.need >= 64<<10 {
				f.err = fmt.Errorf("a BlobHeader of %d bytes, more than the format's 64 KiB", f.need)
				return
			}
		case frameHeader:
			f.state, f.need = frameBlob, blobDataSize(f.partBuf)
			if f.need < 0 || f.need > maxRawSize {
				f.err = fmt.Errorf("a BlobHeader that gives no blob size within 0..%d", maxRawSize)
				return
			}
		case frameBlob:
			f.state, f.need = frameSize, 4
		}
		f.partBuf = f.partBuf[:0]
		if f.need == 0 && f.state != frameSize {
			continue
		}
	}
}

// blobRawSize reads field 2 (raw_size, an int32) at the start of a Blob
// message; 0 if the blob does not start with it. A negative int32 comes
// out negative.
func blobRawSize(b []byte) int64 {
	key, n := binary.Uvarint(b)
	if n <= 0 || key != 2<<3 {
		return 0
	}
	v, m := binary.Uvarint(b[n:])
	if m <= 0 {
		return 0
	}
	return int64(int32(v))
}

// blobDataSize reads field 3 (datasize, an int32) of a BlobHeader
// message, or −1 if it cannot.
func blobDataSize(h []byte) int64 {
	for len(h) > 0 {
		key, n := binary.Uvarint(h)
		if n <= 0 {
			return -1
		}
		h = h[n:]
		field, wire := key>>3, key&7
		switch wire {
		case 0:
			v, n := binary.Uvarint(h)
			if n <= 0 {
				return -1
			}
			if field == 3 {
				return int64(int32(v))
			}
			h = h[n:]
		case 2:
			l, n := binary.Uvarint(h)
			if n <= 0 || uint64(len(h)-n) < l {
				return -1
			}
			h = h[n+int(l):]
		default:
			return -1
		}
	}
	return -1
}
