package pbf

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
)

// Error is damage found in a PBF file.
type Error struct {
	// Offset is where the frame at fault starts, or, for a file cut
	// short, where it ends.
	Offset int64
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("byte %d: %v", e.Offset, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// Options configures a Reader.
type Options struct {
	// Workers is how many blocks are decoded at once; 0 means 4. Each
	// holds a block (8,000 objects as writers make them) and its buffers.
	Workers int
}

// Reader reads a PBF file's blocks in order, decoding them in parallel.
type Reader struct {
	header Header
	order  chan *job // blocks in file order, being decoded or done
	work   chan *job
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	jobs   sync.Pool
	cur    *job // the block Next returned last
	err    error
}

// job is one block on its way through the pipeline.
type job struct {
	block Block
	blob  []byte        // the Blob message read from the file
	err   error         // the block's error, or the file's from here on
	done  chan struct{} // signalled once block or err is set
}

// NewReader reads the header block of a PBF stream and starts reading its
// data blocks. Cancelling ctx, or Close, stops the reading.
func NewReader(ctx context.Context, r io.Reader, opts Options) (*Reader, error) {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	fr := &frames{r: r}
	typ, blob, err := fr.next(nil)
	if err == io.EOF {
		err = &Error{Offset: 0, Err: errors.New("an empty file")}
	}
	if err != nil {
		return nil, err
	}
	if typ != "OSMHeader" {
		return nil, &Error{Offset: 0, Err: fmt.Errorf("the first block is %.40q, not an OSMHeader", typ)}
	}
	var w worker
	data, err := w.inflate(blob)
	if err == nil {
		var h Header
		if h, err = decodeHeader(data); err == nil {
			rd := &Reader{header: h, order: make(chan *job, opts.Workers), work: make(chan *job)}
			rd.ctx, rd.cancel = context.WithCancel(ctx)
			rd.jobs.New = func() any { return &job{done: make(chan struct{}, 1)} }
			rd.wg.Add(1 + opts.Workers)
			go rd.feed(fr)
			for range opts.Workers {
				go rd.decode()
			}
			return rd, nil
		}
	}
	return nil, &Error{Offset: 0, Err: err}
}

// Header returns the file's header.
func (r *Reader) Header() Header { return r.header }

// Next returns the next data block, or io.EOF after the last. The block
// is valid until the next call. After an error Next returns it again.
func (r *Reader) Next() (*Block, error) {
	if r.cur != nil {
		if r.cur.block.decodedBytes() <= keepBytes {
			r.jobs.Put(r.cur) // reuse its buffers; an outsized block's go
		}
		r.cur = nil
	}
	if r.err != nil {
		return nil, r.err
	}
	var j *job
	var ok bool
	select {
	case j, ok = <-r.order:
	case <-r.ctx.Done():
		r.err = r.ctx.Err()
		return nil, r.err
	}
	if !ok {
		r.err = io.EOF
		return nil, r.err
	}
	select {
	case <-j.done:
	case <-r.ctx.Done():
		r.err = r.ctx.Err()
		return nil, r.err
	}
	if j.err != nil {
		r.err = j.err
		r.cancel()
		return nil, r.err
	}
	r.cur = j
	return &j.block, nil
}

// keepBytes is the largest decoded block whose buffers are kept for reuse.
const keepBytes = 16 << 20

// Close stops the reading and waits for its goroutines to end (a read
// from the input in progress included).
func (r *Reader) Close() error {
	r.cancel()
	r.wg.Wait()
	return nil
}

// feed reads frames and queues them for decoding, in order.
func (r *Reader) feed(fr *frames) {
	defer r.wg.Done()
	defer close(r.work)
	defer close(r.order)
	for {
		j := r.jobs.Get().(*job)
		start := fr.off
		typ, blob, err := fr.next(j.blob[:0])
		j.blob, j.block.Offset = blob, start
		if err == io.EOF {
			return
		}
		if err == nil && typ != "OSMData" {
			err = &Error{Offset: start, Err: fmt.Errorf("a block of type %.40q, not OSMData", typ)}
		}
		if err != nil {
			j.err = err
			j.done <- struct{}{}
		}
		select {
		case r.order <- j:
		case <-r.ctx.Done():
			return
		}
		if err != nil {
			return
		}
		select {
		case r.work <- j:
		case <-r.ctx.Done():
			return
		}
	}
}

// decode decodes the blocks fed to it.
func (r *Reader) decode() {
	defer r.wg.Done()
	var w worker
	for {
		select {
		case j, ok := <-r.work:
			if !ok {
				return
			}
			j.err = nil
			data, err := w.inflate(j.blob)
			if err == nil {
				err = j.block.decode(data)
			}
			if err != nil {
				j.err = &Error{Offset: j.block.Offset, Err: err}
			}
			j.done <- struct{}{}
		case <-r.ctx.Done():
			return
		}
	}
}

// frames reads a file's frames.
type frames struct {
	r   io.Reader
	off int64 // bytes read
	hdr []byte
}

// next reads the next frame: its type and its Blob message, appended to
// buf. It returns io.EOF at the end of the file, between frames.
func (f *frames) next(buf []byte) (string, []byte, error) {
	start := f.off
	var size [4]byte
	n, err := io.ReadFull(f.r, size[:])
	f.off += int64(n)
	if err == io.EOF {
		return "", buf, io.EOF
	}
	if err != nil {
		return "", buf, f.readErr(err)
	}
	hlen := binary.BigEndian.Uint32(size[:])
	if hlen >= maxHeaderSize {
		return "", buf, &Error{Offset: start, Err: fmt.Errorf("a BlobHeader of %d bytes, more than the format's 64 KiB", hlen)}
	}
	f.hdr = slices.Grow(f.hdr[:0], int(hlen))[:hlen]
	n, err = io.ReadFull(f.r, f.hdr)
	f.off += int64(n)
	if err != nil {
		return "", buf, f.readErr(err)
	}
	typ, dlen, err := blobHeader(f.hdr)
	if err != nil {
		return "", buf, &Error{Offset: start, Err: err}
	}
	// Read the blob a MiB at a time: a file cut short does not make the
	// buffer grow to the size its last header claims.
	for len(buf) < dlen {
		k := min(dlen-len(buf), 1<<20)
		buf = slices.Grow(buf, k)
		n, err = io.ReadFull(f.r, buf[len(buf):len(buf)+k])
		buf = buf[:len(buf)+n]
		f.off += int64(n)
		if err != nil {
			return "", buf, f.readErr(err)
		}
	}
	return typ, buf, nil
}

// readErr describes an error reading a frame: at the end of the file, a
// truncated file.
func (f *frames) readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &Error{Offset: f.off, Err: io.ErrUnexpectedEOF}
	}
	return &Error{Offset: f.off, Err: err}
}

// blobHeader decodes a BlobHeader: the blob's type and size.
func blobHeader(m []byte) (string, int, error) {
	var typ string
	size := -1
	var f field
	for len(m) > 0 {
		var err error
		if m, err = next(m, &f); err != nil {
			return "", 0, fmt.Errorf("BlobHeader: %w", err)
		}
		switch f.num {
		case fhType:
			typ = string(f.data)
		case fhDatasize:
			size = int(int32(f.v))
		}
	}
	if size < 0 || size > maxBlobSize {
		return "", 0, fmt.Errorf("a BlobHeader that gives no blob size within 0..%d", maxBlobSize)
	}
	return typ, size, nil
}

// worker inflates blobs, reusing its buffer and zlib reader.
type worker struct {
	buf []byte
	zr  io.ReadCloser
	br  bytes.Reader
}

// inflate returns the block a Blob message holds, valid until the next
// call.
func (w *worker) inflate(m []byte) ([]byte, error) {
	rawSize := int64(-1)
	var raw, zdata []byte
	var f field
	for len(m) > 0 {
		var err error
		if m, err = next(m, &f); err != nil {
			return nil, fmt.Errorf("Blob: %w", err)
		}
		switch f.num {
		case fbRaw:
			raw = f.data
		case fbRawSize:
			if f.typ == protowire.VarintType {
				rawSize = int64(int32(f.v))
			}
		case fbZlib:
			zdata = f.data
		case fbLzma, fbBzip2, fbLz4, fbZstd:
			name := map[protowire.Number]string{fbLzma: "lzma", fbBzip2: "bzip2", fbLz4: "lz4", fbZstd: "zstd"}[f.num]
			return nil, fmt.Errorf("%s-compressed blob: %w", name, ErrUnsupported)
		}
	}
	switch {
	case raw != nil:
		return raw, nil
	case zdata == nil:
		return nil, errors.New("a blob without data")
	case rawSize < 0 || rawSize > maxBlobSize:
		return nil, fmt.Errorf("a zlib blob claims %d bytes uncompressed, outside the format's 0..%d", rawSize, maxBlobSize)
	}
	w.br.Reset(zdata)
	var err error
	if w.zr == nil {
		w.zr, err = zlib.NewReader(&w.br)
	} else {
		err = w.zr.(zlib.Resetter).Reset(&w.br, nil)
	}
	if err != nil {
		return nil, err // "zlib: …"
	}
	w.buf = slices.Grow(w.buf[:0], int(rawSize))[:rawSize]
	n, err := io.ReadFull(w.zr, w.buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("a zlib blob inflates to %d bytes, not the %d it claims", n, rawSize)
	}
	if err != nil {
		return nil, fmt.Errorf("zlib data: %w", err)
	}
	// The stream must end here, its checksum right.
	var one [1]byte
	switch n, err := w.zr.Read(one[:]); {
	case n > 0:
		return nil, fmt.Errorf("a zlib blob inflates to more than the %d bytes it claims", rawSize)
	case err == nil:
		return nil, fmt.Errorf("zlib data: no end after %d bytes", rawSize)
	case err != io.EOF:
		return nil, fmt.Errorf("zlib data: %w", err)
	}
	return w.buf, nil
}
