package index

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
)

// badgerBitDelete is Badger's deletion marker (bitDelete in its value.go).
// It is part of Badger's on-disk format, so it does not change between
// releases; TestWriterDeleteHidesKey fails if it ever does.
const badgerBitDelete = 1

var deleteMeta = []byte{badgerBitDelete}

// writer streams a batch's writes into Badger at one version. It buffers
// them, and a background goroutine sorts each chunk by key and hands it to
// a KVLoader, which feeds Badger's write channel directly. Sorted chunks
// insert into the memtable's skiplist with good cache locality, and skipping
// the transaction layer saves a map entry and a copy per key; together they
// make bulk ingest several times faster than WriteBatch. Keys and values
// must stay unchanged until finish returns.
type writer struct {
	db    *badger.DB
	ts    uint64
	buf   []pending
	bytes int
	work  chan []pending        // chunks for the loader goroutine
	free  chan []pending        // emptied chunks, for reuse
	done  chan error            // the loader goroutine's result
	err   atomic.Pointer[error] // the loader's first error, seen early by flush
	sent  int64                 // bytes handed to the loader so far
	// room, if set, is asked before each chunk is handed on whether the
	// disk has room for n more bytes after sent (Store.chunkCheck).
	room func(sent, n int64) error
}

// pending is a buffered write. head holds the key's first 8 bytes,
// big-endian, so most comparisons in the sort touch no key bytes.
type pending struct {
	head uint64
	key  []byte
	val  []byte
	del  bool
}

func keyHead(k []byte) uint64 {
	var b [8]byte
	copy(b[:], k)
	return binary.BigEndian.Uint64(b[:])
}

// chunkBytes bounds a sorted chunk.
const chunkBytes = 8 << 20

func (w *writer) set(k, v []byte) error { return w.add(pending{keyHead(k), k, v, false}) }

func (w *writer) del(k []byte) error { return w.add(pending{keyHead(k), k, nil, true}) }

func (w *writer) add(p pending) error {
	w.buf = append(w.buf, p)
	w.bytes += len(p.key) + len(p.val) + 48
	if w.bytes >= chunkBytes {
		return w.flush()
	}
	return nil
}

// flush hands the buffered chunk to the loader goroutine, starting it if
// needed, without waiting for the chunk to land.
func (w *writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if p := w.err.Load(); p != nil {
		return *p // the loader failed: stop feeding it
	}
	if w.room != nil {
		if err := w.room(w.sent, int64(w.bytes)); err != nil {
			return err
		}
	}
	w.sent += int64(w.bytes)
	if w.work == nil {
		w.work, w.free, w.done = make(chan []pending, 1), make(chan []pending, 2), make(chan error, 1)
		go w.load(w.db.NewKVLoader(2))
	}
	w.work <- w.buf
	select {
	case w.buf = <-w.free:
	default:
		w.buf = nil
	}
	w.bytes = 0
	return nil
}

// load sorts and sends chunks until w.work is closed, then waits for
// every write to land and reports the first error.
func (w *writer) load(ld *badger.KVLoader) {
	var kv pb.KV // KVLoader.Set copies what it needs, so one will do
	var err error
	var spare []pending
	for chunk := range w.work {
		if err == nil {
			chunk, spare = radixSort(chunk, spare)
			for _, p := range chunk {
				kv.Key, kv.Value, kv.Version, kv.Meta = p.key, p.val, w.ts, nil
				if p.del {
					kv.Meta = deleteMeta
				}
				if err = ld.Set(&kv); err != nil {
					w.err.Store(&err)
					break
				}
			}
		}
		clear(chunk)
		select {
		case w.free <- chunk[:0]:
		default:
		}
	}
	if ferr := ld.Finish(); err == nil {
		err = ferr
	}
	w.done <- err
}

// radixSort orders writes by the first 8 bytes of their keys, stably, with
// an LSD radix sort (spare is scratch space, returned for reuse). Keys that
// share those bytes keep their order: the skiplist does not need sorted
// input, only benefits from nearby keys arriving together.
func radixSort(a, spare []pending) ([]pending, []pending) {
	if cap(spare) < len(a) {
		spare = make([]pending, len(a))
	}
	b := spare[:len(a)]
	for shift := uint(0); shift < 64; shift += 8 {
		var count [256]int
		for i := range a {
			count[byte(a[i].head>>shift)]++
		}
		if count[byte(a[0].head>>shift)] == len(a) {
			continue // every key has the same byte here
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for i := range a {
			d := byte(a[i].head >> shift)
			b[count[d]] = a[i]
			count[d]++
		}
		a, b = b, a
	}
	return a, b
}

// finish sends what is buffered and waits until everything sent so far
// is in the LSM tree, readable at w.ts.
func (w *writer) finish() error {
	err := w.flush()
	if w.work != nil {
		close(w.work)
		if lerr := <-w.done; err == nil {
			err = lerr
		}
		w.work = nil
	}
	return err
}

// cancel drops what is buffered and waits for what was sent.
func (w *writer) cancel() {
	clear(w.buf)
	w.buf, w.bytes = w.buf[:0], 0
	if w.work != nil {
		close(w.work)
		<-w.done
		w.work = nil
	}
}
