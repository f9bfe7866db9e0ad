package osm

import (
	"encoding/binary"
	"fmt"
	"os"
	"unsafe"
)

// chunkLen is the number of values in one chunk of a spillLog: 512 KiB.
// Tests make it smaller to spill small files.
var chunkLen = 64 << 10

// spillLog is an append-only array of int64 that keeps up to a memory
// budget of chunks in RAM and writes older chunks to a temporary file. Reads
// of spilled chunks go through a small cache. It lets the node and way
// stores grow past memory for country-sized extracts while small ones never
// touch the disk.
type spillLog struct {
	chunks   [][]int64 // nil for a chunk that lives in the file
	n        int       // values appended
	inMemory int       // chunks held in RAM
	budget   int       // the most chunks held in RAM
	dir      string
	file     *os.File
	cache    map[int][]int64 // spilled chunks read back
	order    []int           // cache eviction order, oldest first
	buf      []byte
	spilled  int // chunks written to the file
}

// newSpillLog returns a log that keeps at most budgetBytes in memory
// (at least one chunk) and spills to a file in dir.
func newSpillLog(budgetBytes int64, dir string) *spillLog {
	return &spillLog{budget: max(1, int(budgetBytes/int64(chunkLen*8))), dir: dir, cache: map[int][]int64{}}
}

func (l *spillLog) len() int { return l.n }

func (l *spillLog) append(v int64) error {
	c := l.n / chunkLen
	if c == len(l.chunks) {
		if l.inMemory == l.budget {
			if err := l.spillOldest(); err != nil {
				return err
			}
		}
		l.chunks = append(l.chunks, make([]int64, 0, chunkLen))
		l.inMemory++
	}
	l.chunks[c] = append(l.chunks[c], v)
	l.n++
	return nil
}

// spillOldest writes the oldest chunk still in memory to the file. Chunks
// are full when spilled, so chunk c lives at offset c·chunkLen·8.
func (l *spillLog) spillOldest() error {
	if l.file == nil {
		f, err := os.CreateTemp(l.dir, "cim-osm-*.spill")
		if err != nil {
			return fmt.Errorf("spill to disk: %w", err)
		}
		os.Remove(f.Name()) // unlinked: gone when closed, even after a crash
		l.file = f
	}
	c := l.spilled
	if cap(l.buf) < chunkLen*8 {
		l.buf = make([]byte, chunkLen*8)
	}
	b := l.buf[:chunkLen*8]
	for i, v := range l.chunks[c] {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
	}
	if _, err := l.file.WriteAt(b, int64(c)*int64(chunkLen)*8); err != nil {
		return fmt.Errorf("spill to disk: %w", err)
	}
	l.chunks[c] = nil
	l.inMemory--
	l.spilled++
	return nil
}

// chunk returns chunk c, reading it back from the file if needed.
func (l *spillLog) chunk(c int) ([]int64, error) {
	if ch := l.chunks[c]; ch != nil {
		return ch, nil
	}
	if ch, ok := l.cache[c]; ok {
		return ch, nil
	}
	const cacheChunks = 16
	var ch []int64
	if len(l.order) == cacheChunks {
		old := l.order[0]
		ch = l.cache[old][:0]
		delete(l.cache, old)
		l.order = l.order[1:]
	}
	if cap(l.buf) < chunkLen*8 {
		l.buf = make([]byte, chunkLen*8)
	}
	b := l.buf[:chunkLen*8]
	if _, err := l.file.ReadAt(b, int64(c)*int64(chunkLen)*8); err != nil {
		return nil, fmt.Errorf("read spilled chunk: %w", err)
	}
	if ch == nil {
		ch = make([]int64, 0, chunkLen)
	}
	ch = ch[:chunkLen]
	for i := range ch {
		ch[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	l.cache[c] = ch
	l.order = append(l.order, c)
	return ch, nil
}

// at returns value i.
func (l *spillLog) at(i int) (int64, error) {
	ch, err := l.chunk(i / chunkLen)
	if err != nil {
		return 0, err
	}
	return ch[i%chunkLen], nil
}

// bytesInMemory is what the log holds in RAM.
func (l *spillLog) bytesInMemory() int64 {
	return int64(l.inMemory+len(l.cache)) * int64(chunkLen) * int64(unsafe.Sizeof(int64(0)))
}

func (l *spillLog) close() error {
	l.chunks, l.cache = nil, nil
	if l.file != nil {
		return l.file.Close()
	}
	return nil
}
